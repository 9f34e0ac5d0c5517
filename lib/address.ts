import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import { request } from './internal/dispatch';
import { checkObject } from './internal/validate';
import { kHandle, kHandleNow } from './internal/symbols';
import type { Namespace } from './namespace';
import { AF_INET, IFA_F_NODAD, IFA_F_OPTIMISTIC, IFA_F_PERMANENT, IFA_F_TENTATIVE } from './native/constants';
import type { NativeAddress } from './native/surface';

/** An IPv4 or IPv6 address assigned to a link, as `ip addr show` lists it. */
export interface Address {
  /** '198.18.0.1', 'fd00::1' */
  address: string;
  prefixLength: number;
  family: 4 | 6;
  /** '198.18.0.1/24' */
  cidr: string;
  /**
   * The other end of a point-to-point address (`ip addr add ADDR peer PREFIX`), with its prefix
   * length: '198.18.0.51/32'. `prefixLength` (and `cidr`'s) is then the peer's, as `ip addr`
   * prints `198.18.0.50 peer 198.18.0.51/32`. Absent on other addresses.
   */
  peer?: string;
  /** The link it is assigned to. */
  linkIndex: number;
  /** 'global', 'link', 'host', 'site', or the number for others. */
  scope: string;
  /** IPv4 broadcast address, when set. */
  broadcast?: string;
  /** IPv4 label (e.g. 'eth0:1'), when set. */
  label?: string;
  /** 'permanent', 'tentative' (IPv6 duplicate address detection running), 'nodad', ... */
  flags: string[];
  /**
   * Seconds left before the kernel removes the address (`valid_lft 100sec`); absent when it
   * never does (`valid_lft forever`), as an address added without lifetimes.
   */
  validLifetime?: number;
  /**
   * Seconds left while the address is preferred for new connections (`preferred_lft 50sec`);
   * 0 once deprecated. Absent when forever.
   */
  preferredLifetime?: number;
  /**
   * The metric of the route the kernel made for the address's prefix (`metric 100`, set by
   * {@link AddAddressOptions.metric}); absent when 0, as the kernel then sends none.
   */
  metric?: number;
}

const SCOPES = new Map<number, string>([
  [0, 'global'],
  [200, 'site'],
  [253, 'link'],
  [254, 'host'],
  [255, 'nowhere'],
]);

/** The name iproute2 gives a route or address scope. @internal */
export function scopeName(scope: number): string {
  return SCOPES.get(scope) ?? String(scope);
}

/** The scope number for a name ('global', 'link', 'host', ...). @internal */
export function scopeNumber(name: string): number | undefined {
  for (const [n, s] of SCOPES) if (s === name) return n;
  return undefined;
}

const FLAGS: Array<[number, string]> = [
  [0x01, 'secondary'],
  [IFA_F_NODAD, 'nodad'],
  [IFA_F_OPTIMISTIC, 'optimistic'],
  [0x08, 'dadfailed'],
  [0x10, 'homeaddress'],
  [0x20, 'deprecated'],
  [IFA_F_TENTATIVE, 'tentative'],
  [IFA_F_PERMANENT, 'permanent'],
  [0x100, 'mngtmpaddr'],
  [0x200, 'noprefixroute'],
  [0x400, 'autojoin'],
  [0x800, 'stable-privacy'],
];

/** INFINITY_LIFE_TIME: an address lifetime that never ends (`forever`). @internal */
export const FOREVER = 0xffffffff;

/** @internal */
export function addressFromNative(a: NativeAddress): Address {
  const family = a.family === AF_INET ? 4 : 6;
  const address = (a.local ?? a.address) as string;
  const out: Address = {
    address,
    prefixLength: a.prefixlen,
    family,
    cidr: `${address}/${a.prefixlen}`,
    linkIndex: a.index,
    scope: scopeName(a.scope),
    flags: FLAGS.filter(([bit]) => a.flags & bit).map(([, name]) => name),
  };
  // IFA_ADDRESS is the peer when it differs from IFA_LOCAL (an IPv6 address has IFA_LOCAL only then).
  if (a.local !== undefined && a.address !== undefined && a.address !== a.local) {
    out.peer = `${a.address}/${a.prefixlen}`;
  }
  if (a.broadcast) out.broadcast = a.broadcast;
  if (a.label) out.label = a.label;
  if (a.validLft !== undefined && a.validLft !== FOREVER) out.validLifetime = a.validLft;
  if (a.preferredLft !== undefined && a.preferredLft !== FOREVER) out.preferredLifetime = a.preferredLft;
  if (a.metric !== undefined) out.metric = a.metric;
  return out;
}

/**
 * The IPv4 broadcast address of a subnet, as `brd +` derives it: the subnet's last address; none
 * for a /31 or /32, whose addresses are all hosts (RFC 3021), as iproute2 sets none.
 * @internal
 */
export function broadcastOf(address: string, prefixLength: number): string | undefined {
  if (prefixLength > 30) return undefined;
  const n = address.split('.').reduce((acc, part) => (acc << 8) | Number(part), 0) >>> 0;
  const hostBits = 32 - prefixLength;
  const bcast = hostBits === 32 ? 0xffffffff : (n | ((2 ** hostBits - 1) >>> 0)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (bcast >>> shift) & 0xff).join('.');
}

/** Options for {@link Namespace.addresses}. */
export type AddressesOptions = AbortOptions;

/** `ip addr show`: every address of a namespace. @internal */
export async function listAddresses(ns: Namespace, options: AddressesOptions): Promise<Address[]> {
  const operation = `list addresses${ns.where}`;
  checkObject(options, operation, 'options');
  const signal = checkSignal(options.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const dump = request<NativeAddress[]>(handle, { op: 'dumpaddrs' }, operation, 'address', signal);
  return (await abortable(dump, signal, operation)).map(addressFromNative);
}
