/**
 * `netns-native network connect NAME NS [options]` and `network disconnect NAME NS`:
 * network.connect and network.disconnect, with `docker network connect`'s flags.
 */
import { Network, type NetworkConnectOptions } from '../../index';
import type { ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { operandsOf, value, values } from './network-args';

export async function connect(args: ParsedArgs, io: Io): Promise<number> {
  const [name, nsArg] = operandsOf(args, 'connect', ['NAME', 'NS']) as [string, string];
  const aliases = values(args, '--alias');
  const given: Array<[keyof NetworkConnectOptions, string | undefined]> = [
    ['address', value(args, '--ip')],
    ['ipv6Address', value(args, '--ip6')],
    ['name', value(args, '--name')],
    ['interfaceName', value(args, '--interface')],
    ['mac', value(args, '--mac')],
  ];
  const options: NetworkConnectOptions = Object.fromEntries(given.filter(([, v]) => v !== undefined));
  if (aliases.length > 0) options.aliases = aliases;
  // docker run's --dns, --dns-search, --dns-option; each may be given more than once.
  for (const [flag, key] of [
    ['--dns', 'dns'],
    ['--dns-search', 'dnsSearch'],
    ['--dns-option', 'dnsOptions'],
  ] as const) {
    const given = values(args, flag);
    if (given.length > 0) options[key] = given;
  }
  const net = await Network.open(name);
  const ns = await namespaceOf(nsArg);
  const ep = await net.connect(ns, options);
  if (args.json) await io.json(ep);
  else await io.out(`${[ep.interfaceName, ep.address, ...(ep.ipv6Address ? [ep.ipv6Address] : [])].join(' ')}\n`);
  return 0;
}

export async function disconnect(args: ParsedArgs): Promise<number> {
  const [name, nsArg] = operandsOf(args, 'disconnect', ['NAME', 'NS']) as [string, string];
  const net = await Network.open(name);
  await net.disconnect(await namespaceOf(nsArg));
  return 0;
}
