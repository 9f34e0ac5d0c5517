/**
 * `netns-native network create NAME [options]` and `network rm NAME [--force]`: Network.create
 * and network.remove, with `docker network create`'s flags.
 */
import { Network, NetnsError, type AddressPool, type NetworkOptions } from '../../index';
import { failure } from '../../internal/errors';
import { UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { has, numberValue, operandsOf, value, values } from './network-args';

/** IPv6 text has a colon; IPv4 none (the library says what is wrong with either). */
const isIPv6 = (text: string): boolean => text.includes(':');

/**
 * The one value of `name` in each family: `--subnet` and `--gateway` may be given twice, once
 * for IPv4 and once for IPv6, as with docker network create --ipv6.
 */
function byFamily(args: ParsedArgs, name: string): { v4?: string; v6?: string } {
  const all = values(args, name);
  const v4 = all.filter((v) => !isIPv6(v));
  const v6 = all.filter(isIPv6);
  for (const [family, list] of [
    ['IPv4', v4],
    ['IPv6', v6],
  ] as const) {
    if (list.length > 1) {
      throw new UsageError(
        `${name} given twice for ${family} (${list.map((v) => JSON.stringify(v)).join(', ')}): one IPv4 and at most one IPv6`,
        'network',
      );
    }
  }
  return { ...(v4[0] !== undefined && { v4: v4[0] }), ...(v6[0] !== undefined && { v6: v6[0] }) };
}

/** `base=198.18.0.0/15,size=24`, as dockerd's --default-address-pool takes it. */
function parsePool(text: string): AddressPool {
  const fields = new Map(text.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const base = fields.get('base');
  const size = fields.get('size');
  if (fields.size !== 2 || base === undefined || size === undefined || !/^[0-9]+$/.test(size)) {
    throw new UsageError(
      `--default-address-pool takes base=CIDR,size=PREFIXLEN (base=198.18.0.0/15,size=24), not ${JSON.stringify(text)}`,
      'network',
    );
  }
  return { base, size: Number(size) };
}

export async function create(args: ParsedArgs, io: Io): Promise<number> {
  const [name] = operandsOf(args, 'create', ['NAME']) as [string];
  const subnet = byFamily(args, '--subnet');
  const gateway = byFamily(args, '--gateway');
  if (has(args, '--ipv6') && subnet.v6 === undefined) {
    throw new UsageError('--ipv6 needs an IPv6 --subnet too (there is no default IPv6 pool)', 'network');
  }
  const mtu = numberValue(args, '--mtu');
  const bridgeName = value(args, '--bridge-name');
  const pools = values(args, '--default-address-pool').map(parsePool);
  // Checked by the library (EINVAL); for this process only, which is all a create needs.
  if (pools.length > 0) Network.addressPools = pools;
  const options: NetworkOptions = {
    ...(subnet.v4 !== undefined && { subnet: subnet.v4 }),
    ...(gateway.v4 !== undefined && { gateway: gateway.v4 }),
    ...(subnet.v6 !== undefined && { ipv6Subnet: subnet.v6 }),
    ...(gateway.v6 !== undefined && { ipv6Gateway: gateway.v6 }),
    ...(bridgeName !== undefined && { bridgeName }),
    ...(mtu !== undefined && { mtu }),
    internal: has(args, '--internal'),
    dns: !has(args, '--no-dns'),
  };
  const net = await Network.create(name, options);
  if (args.json) await io.json(net);
  else await io.out(`${net.id}\n`);
  return 0;
}

export async function rm(args: ParsedArgs): Promise<number> {
  const [name] = operandsOf(args, 'rm', ['NAME']) as [string];
  const net = await Network.open(name);
  try {
    await net.remove({ force: has(args, '--force') });
  } catch (e) {
    // The library's reason names its option ({ force: true }); say the command's.
    if (!(e instanceof NetnsError && e.code === 'EBUSY')) throw e;
    throw failure('EBUSY', e.operation, `${e.reason.split(';')[0]}; disconnect them, or use --force`);
  }
  return 0;
}
