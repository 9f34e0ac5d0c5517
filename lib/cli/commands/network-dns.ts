/**
 * `netns-native network dns NAME [--upstream ADDR]... [--no-upstream]`: network.serveDns() in the
 * foreground (the embedded DNS server on 127.0.0.11 in every member) until SIGINT or SIGTERM,
 * then closed: exit 0.
 */
import { Network, type ServeDnsOptions } from '../../index';
import { UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { has, operandsOf, values } from './network-args';

export async function dns(args: ParsedArgs, io: Io): Promise<number> {
  const [name] = operandsOf(args, 'dns', ['NAME']) as [string];
  const upstream = values(args, '--upstream');
  if (has(args, '--no-upstream') && upstream.length > 0) {
    throw new UsageError('--no-upstream and --upstream contradict each other', 'network');
  }
  // No --upstream: the library's default (the host's resolv.conf); --no-upstream: none.
  const options: ServeDnsOptions = has(args, '--no-upstream') ? { upstream: [] } : upstream.length ? { upstream } : {};
  // The handlers first: a signal sent as soon as the line below is read must not kill us.
  let onSignal = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (onSignal = resolve));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const net = await Network.open(name);
    const server = await net.serveDns(options);
    try {
      if (args.json) await io.json({ network: net.name, address: '127.0.0.11', port: 53 });
      else await io.out(`serving names of network ${net.name} on 127.0.0.11:53 in its members until interrupted\n`);
      await stopped;
    } finally {
      await server.close();
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  return 0;
}
