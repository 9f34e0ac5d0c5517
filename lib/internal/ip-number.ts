/**
 * Addresses as numbers (bigint, IPv4 and IPv6 alike), for the arithmetic on them that networks
 * (network/ipam.ts) and filters (a flush's `to`, a rule selector's prefix, the command's show
 * selectors) do.
 */
import { ipFamily } from './validate';

/** An address as a number, with its family. */
export interface Ip {
  family: 4 | 6;
  value: bigint;
}

/**
 * Addresses parsed before, by text (frozen, shared): the same few addresses (a network's gateway,
 * its members') are parsed on every connect, where the code runs too rarely for V8 to optimise
 * it and a parse costs ~10 times what it does hot. Bounded: cleared when full.
 */
const parsedIps = new Map<string, Ip | undefined>();

/** Parses a textual IPv4 or IPv6 address (no prefix); undefined if it is not one. */
export function parseIp(text: string): Ip | undefined {
  let ip = parsedIps.get(text);
  if (ip !== undefined || parsedIps.has(text)) return ip;
  ip = parseIpText(text);
  if (parsedIps.size >= 4096) parsedIps.clear();
  parsedIps.set(text, ip && Object.freeze(ip));
  return ip;
}

function parseIpText(text: string): Ip | undefined {
  const family = ipFamily(text);
  if (family === 4) {
    return { family: 4, value: text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  }
  if (family !== 6) return undefined;
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // An embedded IPv4 tail ('::ffff:1.2.3.4') is two groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpText(tail) as Ip;
    s = `${s.slice(0, lastColon + 1)}${(v4.value >> 16n).toString(16)}:${(v4.value & 0xffffn).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** Whether an address is a multicast group's: 224.0.0.0/4, ff00::/8. */
export function isMulticast(text: string): boolean {
  const ip = parseIp(text);
  if (ip === undefined) return false;
  return ip.family === 4 ? ip.value >> 28n === 0xen : ip.value >> 120n === 0xffn;
}

/** A prefix to match addresses against: the first `length` bits of an address of `family`. */
export interface PrefixBits {
  family: 4 | 6;
  length: number;
  /** The address shifted right by the bits it does not fix. */
  bits: bigint;
}

/** The prefix `address`/`length` (host bits ignored); undefined if `address` is none. */
export function prefixBits(address: string, length: number): PrefixBits | undefined {
  const ip = parseIp(address);
  if (ip === undefined) return undefined;
  return { family: ip.family, length, bits: ip.value >> shiftOf(ip.family, length) };
}

/** Whether `address` lies in `prefix`: same family, same first bits (iproute2's inet_addr_match). */
export function prefixHas(prefix: PrefixBits, address: string | undefined): boolean {
  const ip = address === undefined ? undefined : parseIp(address);
  return ip?.family === prefix.family && ip.value >> shiftOf(ip.family, prefix.length) === prefix.bits;
}

function shiftOf(family: 4 | 6, length: number): bigint {
  return BigInt((family === 4 ? 32 : 128) - length);
}
