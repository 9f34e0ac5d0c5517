/**
 * Prefixes as `ip ... show` selectors take them (`to 198.18.0.0/16`, `via 198.18.0.1`, `root
 * default`): an address with or without a length (none: the host's), or `default` (/0 of the
 * family asked for), and whether an address lies in one (iproute2's get_prefix and
 * inet_addr_match).
 * @internal
 */
import { prefixBits, prefixHas } from '../internal/ip-number';
import { ipFamily } from '../internal/validate';

export interface Prefix {
  family: 4 | 6;
  address: string;
  length: number;
}

/**
 * An IPv4 address as ip's get_addr_ipv4 reads one, dotted: one to four parts, the missing last
 * ones 0 ('198.18.108' is 198.18.108.0), each up to 255, decimal or 0x hex. A part with a
 * leading 0 is refused: ip reads it as octal (strtoul), '010' as 8, which a reader would not
 * expect (as the command refuses such a protocol). Undefined for anything else.
 */
export function ipv4AsIpReadsIt(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9][0-9]*|0[xX][0-9a-fA-F]+)$/.test(p) ? Number(p) : NaN));
  if (!bytes.every((b) => b <= 255)) return undefined;
  while (bytes.length < 4) bytes.push(0);
  return bytes.join('.');
}

/** The first part of an IPv4 address (or prefix) that ip would read as octal ('010'), if any. */
export function octalIpv4Part(text: string): string | undefined {
  const parts = (text.split('/')[0] ?? '').split('.');
  if (parts.length > 4 || !parts.every((p) => /^(\d+|0[xX][0-9a-fA-F]+)$/.test(p))) return undefined;
  return parts.find((p) => /^0\d+$/.test(p));
}

/**
 * `word` as a prefix, or undefined when it is none; `default` is /0 of `family` (IPv4 unless 6).
 * An IPv4 address may be partial or have hex parts, as ip's get_prefix takes it (ipv4AsIpReadsIt):
 * '198.18.108' is the host 198.18.108.0/32, '198.18.108/24' the /24.
 */
export function parsePrefix(word: string, family: 4 | 6 | undefined): Prefix | undefined {
  if (word === 'default' || word === 'all' || word === 'any') {
    const f = family ?? 4;
    return { family: f, address: f === 4 ? '0.0.0.0' : '::', length: 0 };
  }
  const [given = '', length, ...rest] = word.split('/');
  const address = given.includes(':') ? given : (ipv4AsIpReadsIt(given) ?? given);
  const version = ipFamily(address);
  if ((version !== 4 && version !== 6) || rest.length > 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (length !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(length)) return undefined;
  const bits = length === undefined ? max : Number(length);
  if (bits > max) return undefined;
  return { family: version, address, length: bits };
}

/** Whether `address` (of either family) lies in `prefix`: its first prefix.length bits are the prefix's. */
export function inPrefix(address: string, prefix: Prefix): boolean {
  const bits = prefixBits(prefix.address, prefix.length);
  return bits !== undefined && prefixHas(bits, address);
}

/** A route's or an address's 'default' or CIDR as a prefix of `family`. */
export function prefixOf(cidr: string, family: 4 | 6): Prefix {
  return (
    parsePrefix(cidr === 'default' ? 'default' : cidr, family) ?? {
      family,
      address: family === 4 ? '0.0.0.0' : '::',
      length: 0,
    }
  );
}
