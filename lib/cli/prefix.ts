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

/** `word` as a prefix, or undefined when it is none; `default` is /0 of `family` (IPv4 unless 6). */
export function parsePrefix(word: string, family: 4 | 6 | undefined): Prefix | undefined {
  if (word === 'default' || word === 'all' || word === 'any') {
    const f = family ?? 4;
    return { family: f, address: f === 4 ? '0.0.0.0' : '::', length: 0 };
  }
  const [address = '', length, ...rest] = word.split('/');
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
