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
 * The one value of `name` in each family: `--subnet`, `--gateway` and `--ip-range` may be given
 * twice, once for IPv4 and once for IPv6, as with docker network create --ipv6.
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

/** `NAME=VALUE` (`--aux-address router=198.18.4.254`, `-o KEY=VALUE`), split at the first '='. */
function keyValue(option: string, text: string, example: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${option} takes ${example}, not ${JSON.stringify(text)}`, 'network');
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** A bridge driver option's boolean, as docker reads it. */
function driverBoolean(key: string, text: string): boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  throw new UsageError(`-o ${key} takes true or false, not ${JSON.stringify(text)}`, 'network');
}

/**
 * `-o KEY=VALUE`: the bridge driver's options docker network create takes, as NetworkOptions.
 * A key it does not know is a bad command line (docker ignores one, so a typo would go unseen).
 */
function driverOptions(args: ParsedArgs): NetworkOptions {
  const out: NetworkOptions = {};
  for (const text of values(args, '--opt')) {
    const [key, v] = keyValue('-o', text, 'KEY=VALUE (com.docker.network.bridge.enable_icc=false)');
    if (key === 'com.docker.network.bridge.enable_icc') out.icc = driverBoolean(key, v);
    else if (key === 'com.docker.network.bridge.enable_ip_masquerade') out.ipMasquerade = driverBoolean(key, v);
    else if (key === 'com.docker.network.bridge.host_binding_ipv4') out.hostBindingAddress = v;
    else if (key === 'com.docker.network.bridge.name') out.bridgeName = v;
    else if (key === 'com.docker.network.driver.mtu') {
      if (!/^[0-9]+$/.test(v)) throw new UsageError(`-o ${key} takes a number, not ${JSON.stringify(v)}`, 'network');
      out.mtu = Number(v);
    } else {
      throw new UsageError(
        `unknown driver option ${JSON.stringify(key)} (known: com.docker.network.bridge.enable_icc, enable_ip_masquerade, host_binding_ipv4, name; com.docker.network.driver.mtu)`,
        'network',
      );
    }
  }
  return out;
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
  const ipRange = byFamily(args, '--ip-range');
  const aux = values(args, '--aux-address').map((t) => keyValue('--aux-address', t, 'NAME=IP (router=198.18.4.254)'));
  for (const [i, [key]] of aux.entries()) {
    if (aux.findIndex(([k]) => k === key) !== i) {
      throw new UsageError(`--aux-address names ${JSON.stringify(key)} twice`, 'network');
    }
  }
  const driver = driverOptions(args);
  for (const [flag, given] of [
    ['--bridge-name', bridgeName !== undefined && driver.bridgeName !== undefined],
    ['--mtu', mtu !== undefined && driver.mtu !== undefined],
  ] as const) {
    if (given) throw new UsageError(`${flag} and its -o option both given: give one`, 'network');
  }
  const pools = values(args, '--default-address-pool').map(parsePool);
  // Checked by the library (EINVAL); for this process only, which is all a create needs.
  if (pools.length > 0) Network.addressPools = pools;
  const options: NetworkOptions = {
    ...driver,
    ...(subnet.v4 !== undefined && { subnet: subnet.v4 }),
    ...(gateway.v4 !== undefined && { gateway: gateway.v4 }),
    ...(subnet.v6 !== undefined && { ipv6Subnet: subnet.v6 }),
    ...(gateway.v6 !== undefined && { ipv6Gateway: gateway.v6 }),
    ...(bridgeName !== undefined && { bridgeName }),
    ...(mtu !== undefined && { mtu }),
    ...(ipRange.v4 !== undefined && { ipRange: ipRange.v4 }),
    ...(ipRange.v6 !== undefined && { ipv6IpRange: ipRange.v6 }),
    ...(aux.length > 0 && { auxAddresses: Object.fromEntries(aux) }),
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
