/**
 * IP address management for networks, as Docker's default IPAM does it: subnets carved from
 * address pools, the lowest free address for each new member, the gateway, network and
 * broadcast addresses never handed out. Pure functions over bigint addresses (IPv4 and IPv6
 * alike); what is taken comes from the network's state, which the caller holds under its lock.
 */
import { invalid } from '../internal/errors';
import { parseIp, type Ip } from '../internal/ip-number';

export { parseIp, type Ip };

/** A block of address space that network subnets are carved from: `{ base, size }` as Docker's `default-address-pools`. */
export interface AddressPool {
  /** The pool, in CIDR form: '172.17.0.0/16'. */
  base: string;
  /** The prefix length of each subnet carved from it: 16 gives /16 networks. */
  size: number;
}

/** Docker's default pools: 172.17-31.0.0/16 as whole /16s, then 192.168.0.0/16 in /20s. */
export const DOCKER_DEFAULT_POOLS: readonly AddressPool[] = Object.freeze([
  ...Array.from({ length: 15 }, (_, i) => Object.freeze({ base: `172.${17 + i}.0.0/16`, size: 16 })),
  Object.freeze({ base: '192.168.0.0/16', size: 20 }),
]);

/** A subnet: its first address (host bits zero) and prefix length. */
export interface Subnet {
  family: 4 | 6;
  base: bigint;
  prefixLength: number;
}

function width(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** The canonical text of an address: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as '::'). */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/** The mask of a prefix, as a number of `family` width. */
function mask(family: 4 | 6, prefixLength: number): bigint {
  const bits = BigInt(width(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefixLength))) - 1n);
}

/** Number of addresses in the subnet. */
export function subnetSize(subnet: Subnet): bigint {
  return 1n << BigInt(width(subnet.family) - subnet.prefixLength);
}

/** The last address of the subnet (IPv4: its broadcast address). */
export function lastAddress(subnet: Subnet): bigint {
  return subnet.base + subnetSize(subnet) - 1n;
}

export function formatSubnet(subnet: Subnet): string {
  return `${formatIp({ family: subnet.family, value: subnet.base })}/${subnet.prefixLength}`;
}

/**
 * Parses 'address/prefix' as a subnet. With `exact`, host bits must be zero (a network, as
 * Docker's --subnet takes it); otherwise they are masked off.
 * @throws NetnsError EINVAL, saying what is wrong.
 */
export function parseSubnet(text: unknown, operation: string, what = 'subnet', exact = true): Subnet {
  const key = typeof text === 'string' ? `${exact ? '=' : '~'}${text}` : undefined;
  const known = key === undefined ? undefined : parsedSubnets.get(key);
  if (known !== undefined) return known;
  const subnet = parseSubnetText(text, operation, what, exact);
  if (parsedSubnets.size >= 1024) parsedSubnets.clear();
  parsedSubnets.set(key as string, Object.freeze(subnet));
  return subnet;
}

/** Subnets parsed before (frozen, shared), as {@link parsedIps}; only valid ones. */
const parsedSubnets = new Map<string, Subnet>();

function parseSubnetText(text: unknown, operation: string, what: string, exact: boolean): Subnet {
  if (typeof text !== 'string') throw invalid(operation, `the ${what} must be a string like '198.18.4.0/24'`);
  const slash = text.indexOf('/');
  const ip = slash < 0 ? undefined : parseIp(text.slice(0, slash));
  const prefix = slash < 0 ? '' : text.slice(slash + 1);
  if (ip === undefined || !/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > width(ip.family)) {
    throw invalid(operation, `${JSON.stringify(text)} is not a valid ${what} in CIDR form, like '198.18.4.0/24'`);
  }
  const prefixLength = Number(prefix);
  const base = ip.value & mask(ip.family, prefixLength);
  if (exact && base !== ip.value) {
    const suggestion = formatSubnet({ family: ip.family, base, prefixLength });
    throw invalid(operation, `${text} has host bits set; the ${what} is ${suggestion}`);
  }
  return { family: ip.family, base, prefixLength };
}

/** Ranges a network's subnet must not overlap: nothing could be routed to or from them as a network's. */
const SPECIAL_USE: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', '"this network" (0.0.0.0/8)'],
  ['127.0.0.0/8', 'loopback (127.0.0.0/8)'],
  ['169.254.0.0/16', 'link-local (169.254.0.0/16)'],
  ['224.0.0.0/4', 'multicast (224.0.0.0/4)'],
  ['240.0.0.0/4', 'reserved (240.0.0.0/4)'],
  ['::/8', 'unspecified, loopback and IPv4-mapped (::/8)'],
  ['fe80::/10', 'link-local (fe80::/10)'],
  ['ff00::/8', 'multicast (ff00::/8)'],
];

/** The special-use range `subnet` overlaps, described, if any. */
export function specialUse(subnet: Subnet): string | undefined {
  for (const [range, what] of SPECIAL_USE) {
    if (overlaps(subnet, parseSubnet(range, 'read special-use ranges'))) return what;
  }
  return undefined;
}

/**
 * What keeps an address from being a host address a port is published on, by its form alone:
 * 'unspecified' (0.0.0.0, ::: every address of the family, not one), 'mapped' (IPv4-mapped
 * IPv6), 'multicast', 'broadcast' (255.255.255.255), 'loopback6' (::1: IPv6 has no
 * route_localnet) or 'link-local6' (fe80::/10: a link-local source is never forwarded); undefined
 * for any other address (whether the host has it is another question). publish() refuses these
 * (published-port.ts says why, each), and the firewall drops elements a version that took them
 * made (nat.ts).
 */
export type HostAddressFault = 'unspecified' | 'mapped' | 'multicast' | 'broadcast' | 'loopback6' | 'link-local6';

export function hostAddressFault(ip: Ip): HostAddressFault | undefined {
  if (ip.value === 0n) return 'unspecified';
  if (ip.family === 4) {
    if (ip.value >> 28n === 0xen) return 'multicast';
    return ip.value === 0xffffffffn ? 'broadcast' : undefined;
  }
  if (ip.value >> 32n === 0xffffn) return 'mapped';
  if (ip.value >> 120n === 0xffn) return 'multicast';
  if (ip.value === 1n) return 'loopback6';
  return ip.value >> 118n === 0x3fan ? 'link-local6' : undefined;
}

export function contains(subnet: Subnet, ip: Ip): boolean {
  return ip.family === subnet.family && (ip.value & mask(subnet.family, subnet.prefixLength)) === subnet.base;
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  if (a.family !== b.family) return false;
  const shorter = Math.min(a.prefixLength, b.prefixLength);
  const m = mask(a.family, shorter);
  return (a.base & m) === (b.base & m);
}

/**
 * Whether `ip` may be given to a member: inside the subnet, not its network address, and (IPv4)
 * not its broadcast address. The gateway is excluded by the caller, as it is taken.
 */
export function isHostAddress(subnet: Subnet, ip: Ip): boolean {
  if (!contains(subnet, ip) || ip.value === subnet.base) return false;
  return subnet.family === 6 || ip.value !== lastAddress(subnet);
}

/** The subnet's first host address: Docker's default gateway. */
export function firstHost(subnet: Subnet): bigint {
  return subnet.base + 1n;
}

/**
 * The lowest address of `range` (a part of the subnet, Docker's --ip-range; default the whole
 * subnet) that is a host address of the subnet and not in `taken` (which holds the gateway,
 * every member's address and the reserved ones), or undefined when there is none. As Docker's
 * IPAM, a range's own first and last addresses are host addresses unless they are the subnet's
 * network or broadcast address.
 */
export function lowestFree(subnet: Subnet, taken: ReadonlySet<bigint>, range: Subnet = subnet): bigint | undefined {
  const first = range.base > subnet.base ? range.base : subnet.base + 1n;
  const subnetEnd = subnet.family === 4 ? lastAddress(subnet) : lastAddress(subnet) + 1n;
  const rangeEnd = lastAddress(range) + 1n;
  const end = rangeEnd < subnetEnd ? rangeEnd : subnetEnd;
  for (let v = first; v < end; v++) {
    if (!taken.has(v)) return v;
  }
  return undefined;
}

/** Whether `inner` lies wholly inside `outer`. */
export function within(inner: Subnet, outer: Subnet): boolean {
  return inner.family === outer.family && inner.prefixLength >= outer.prefixLength && overlaps(inner, outer);
}

/**
 * Checks a list of pools (as `Network.addressPools` takes it): IPv4 CIDRs with host bits
 * zero, each `size` at least the pool's own prefix and at most 30.
 * @throws NetnsError EINVAL
 */
export function checkPools(pools: unknown, operation: string): AddressPool[] {
  if (!Array.isArray(pools) || pools.length === 0) {
    throw invalid(operation, "the address pools must be a non-empty array of { base: '172.17.0.0/16', size: 16 }");
  }
  return pools.map((p: unknown, i) => {
    if (typeof p !== 'object' || p === null) throw invalid(operation, `pool ${i} must be an object { base, size }`);
    const { base, size } = p as Partial<AddressPool>;
    const subnet = parseSubnet(base, operation, `base of pool ${i}`);
    if (subnet.family !== 4) throw invalid(operation, `pool ${i} (${String(base)}) is not IPv4; pools are for IPv4`);
    const special = specialUse(subnet);
    if (special) throw invalid(operation, `pool ${i} (${String(base)}) overlaps the ${special} range`);
    if (typeof size !== 'number' || !Number.isInteger(size) || size < subnet.prefixLength || size > 30) {
      throw invalid(
        operation,
        `the size of pool ${i} must be an integer from ${subnet.prefixLength} (the pool's own prefix) to 30, not ${String(size)}`,
      );
    }
    return Object.freeze({ base: base as string, size });
  });
}

/** The subnets of a pool, in order. */
export function* poolSubnets(pool: AddressPool): Generator<Subnet> {
  const whole = parseSubnet(pool.base, 'read an address pool');
  const step = 1n << BigInt(width(whole.family) - pool.size);
  for (let base = whole.base; base <= lastAddress(whole); base += step) {
    yield { family: whole.family, base, prefixLength: pool.size };
  }
}

/** The first subnet of the pools that overlaps none of `used`, or undefined. */
export function chooseSubnet(pools: readonly AddressPool[], used: readonly Subnet[]): Subnet | undefined {
  for (const pool of pools) {
    for (const candidate of poolSubnets(pool)) {
      if (!used.some((u) => overlaps(u, candidate))) return candidate;
    }
  }
  return undefined;
}

/**
 * Docker's MAC for an IPv4 address: 02:42 followed by the address's four bytes (locally
 * administered, unicast), so that a member's MAC follows from its address.
 */
export function macForIPv4(value: bigint): string {
  const bytes = [0x02, 0x42, ...[24n, 16n, 8n, 0n].map((shift) => Number((value >> shift) & 0xffn))];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
