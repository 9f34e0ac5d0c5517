/**
 * Input checks, done in TypeScript before any syscall so that bad input never reaches the
 * kernel and leaves nothing half-done. Each check throws NetnsError (code 'EINVAL') with a
 * sentence the caller can act on.
 */
import { invalid } from './errors';

/** The kernel's IFNAMSIZ minus the terminating NUL. */
export const MAX_LINK_NAME_BYTES = 15;

/**
 * The kernel's ALTIFNAMSIZ minus the terminating NUL: the longest alternative name (a request
 * with 128 bytes fails IFLA_ALT_IFNAME's policy).
 */
export const MAX_ALT_NAME_BYTES = 127;

/**
 * Why `name` cannot be a link name, or undefined when it can. The kernel's rule
 * (dev_valid_name): 1-15 bytes, not '.' or '..', and no '/', ':' or whitespace as its isspace()
 * counts it, byte by byte: tab, line feed, vertical tab, form feed, carriage return, space, and
 * 0xa0 (Latin-1's no-break space, also a byte of UTF-8 characters such as 'à', c3 a0). And no
 * '%': the kernel takes a name with '%d' as a template and makes the first free name of that
 * form ('eth%d' gives eth0), so the link would not have the name asked for and could not be read
 * back or removed by it; any other '%' it refuses.
 */
export function linkNameProblem(name: string, what = 'link name', maxBytes = MAX_LINK_NAME_BYTES): string | undefined {
  // A NUL byte first: the kernel would read the name only up to it, and act on another link.
  if (name.includes('\0')) return `the ${what} ${JSON.stringify(name)} contains a NUL byte`;
  const bytes = Buffer.byteLength(name);
  if (bytes === 0) return `the ${what} is empty`;
  if (bytes > maxBytes) {
    return `the ${what} ${JSON.stringify(name)} is ${bytes} bytes long; Linux allows at most ${maxBytes}`;
  }
  if (name === '.' || name === '..') return `${JSON.stringify(name)} is not a valid ${what}`;
  for (const char of name) {
    const c = char.codePointAt(0) as number;
    if (c === 0x25) {
      return (
        `the ${what} ${JSON.stringify(name)} contains '%'; names are taken literally here, and the ` +
        "kernel would expand '%d' into the first free number ('eth%d' makes eth0) and refuses any other '%'"
      );
    }
    if (c === 0x2f || c === 0x3a || c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      return `the ${what} ${JSON.stringify(name)} contains '/', ':' or whitespace`;
    }
    if (c >= 0x80 && Buffer.from(char).includes(0xa0)) {
      const codePoint = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      return (
        `the ${what} ${JSON.stringify(name)} contains '${char}' (${codePoint}), whose UTF-8 encoding has ` +
        'the byte 0xa0, which Linux counts as whitespace in a link name'
      );
    }
  }
  return undefined;
}

/** A link name, as {@link linkNameProblem} checks it. */
export function checkLinkName(
  name: unknown,
  operation: string,
  what = 'link name',
  maxBytes = MAX_LINK_NAME_BYTES,
): string {
  if (typeof name !== 'string') throw invalid(operation, `the ${what} must be a string`);
  const problem = linkNameProblem(name, what, maxBytes);
  if (problem !== undefined) throw invalid(operation, problem);
  return name;
}

/**
 * The longest alias the kernel takes. IFALIASZ is 256, but the request carries the text with its
 * NUL, and 255 bytes plus the NUL fail the attribute's policy (ERANGE).
 */
export const MAX_ALIAS_BYTES = 254;

/**
 * An alternative name (`ip link property add dev NAME altname ALTNAME`): a link name's rules
 * ({@link linkNameProblem}) with up to 127 bytes. The kernel (6.18) checks only the length and
 * iproute2 refuses '/' and whitespace; holding alternative names to the rules of link names keeps
 * every name of a link one that can be given wherever a link name can.
 */
export function checkAltName(name: unknown, operation: string): string {
  if (typeof name !== 'string')
    throw invalid(operation, `the alternative name must be a string, not ${describeValue(name)}`);
  const problem = linkNameProblem(name, 'alternative name', MAX_ALT_NAME_BYTES);
  if (problem !== undefined) throw invalid(operation, problem);
  return name;
}

/** A link alias (IFLA_IFALIAS): a string of 1-254 bytes with no NUL. */
export function checkAlias(alias: unknown, operation: string): string {
  if (typeof alias !== 'string') throw invalid(operation, `the alias must be a string, not ${describeValue(alias)}`);
  if (alias === '') throw invalid(operation, `the alias is empty; give 1 to ${MAX_ALIAS_BYTES} bytes`);
  if (alias.includes('\0')) throw invalid(operation, `the alias ${quoteShort(alias)} contains a NUL byte`);
  const bytes = Buffer.byteLength(alias);
  if (bytes > MAX_ALIAS_BYTES) {
    throw invalid(operation, `the alias is ${bytes} bytes long; Linux allows at most ${MAX_ALIAS_BYTES}`);
  }
  return alias;
}

/** A named namespace, as `ip netns add` accepts it: a single path component. */
export function checkNamespaceName(name: unknown, operation: string): string {
  if (typeof name !== 'string') throw invalid(operation, 'the namespace name must be a string');
  if (name.length === 0) throw invalid(operation, 'the namespace name is empty');
  if (name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw invalid(operation, `"${name}" is not a valid namespace name (it names a file under /run/netns)`);
  }
  if (Buffer.byteLength(name) > 255) throw invalid(operation, 'the namespace name is too long');
  return name;
}

export function checkInteger(value: unknown, operation: string, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(operation, `${what} must be an integer from ${min} to ${max}, not ${describeValue(value)}`);
  }
  return value;
}

/**
 * An MTU: an integer the kernel could hold. The device's own range (a veth takes 68-65535) is
 * the kernel's to enforce; it says which bound was crossed.
 */
export function checkMtu(mtu: unknown, operation: string): number {
  return checkInteger(mtu, operation, 'the MTU', 1, 0x7fffffff);
}

export interface ParsedIp {
  address: string;
  family: 4 | 6;
}

/**
 * A textual IPv4 or IPv6 address (no prefix). A zone id (`fe80::1%eth0`), which Node's isIP
 * accepts, is refused: the kernel takes addresses as bytes, and the link is given separately.
 */
export function parseIp(text: unknown, operation: string, what = 'address'): ParsedIp {
  if (typeof text === 'string' && isDottedQuad(text, 0, text.length)) return { address: text, family: 4 };
  if (typeof text !== 'string') throw invalid(operation, `the ${what} must be a string`);
  if (text.includes('%') && ipFamily(text) === 6) {
    throw invalid(
      operation,
      `"${text}" has a zone id (%${text.slice(text.indexOf('%') + 1)}); give the address alone ` +
        '(a link-local address belongs to the link it is added to or routed through)',
    );
  }
  const family = ipFamily(text);
  if (family === 0) {
    // Leading zeros: refused here as in the prefix length (some tools read them as octal).
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text) && /(^|\.)0\d/.test(text)) {
      const plain = text
        .split('.')
        .map((part) => String(Number(part)))
        .join('.');
      throw invalid(
        operation,
        `"${text}" has a number with a leading zero; write IPv4 numbers without them ("${plain}")`,
      );
    }
    throw invalid(operation, `"${text}" is not a valid IPv4 or IPv6 ${what}`);
  }
  return { address: text, family: family as 4 | 6 };
}

let netIsIP: ((text: string) => number) | undefined;

/**
 * Node's `net.isIP(text)`: 4, 6 or 0 (not an address). IPv4 is checked here, and node:net is
 * loaded only for the first text with a colon (which any IPv6 address has): it pulls in the
 * stream modules, and its IPv6 check compiles a large regular expression on first use (~8 ms),
 * start-up a short-lived process (the CNI plugin) need not pay for IPv4 addresses.
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (isDottedQuad(text, 0, text.length)) return 4;
  if (!text.includes(':')) return 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  netIsIP ??= (require('node:net') as typeof import('node:net')).isIP;
  return netIsIP(text) === 6 ? 6 : 0;
}

/**
 * Whether text[from, to) is an IPv4 address as Node's isIP accepts it (four decimal parts of
 * 0-255, no leading zeros). The common case of every address and route call, checked without a
 * regular expression or a substring; anything else goes to isIP.
 */
function isDottedQuad(text: string, from: number, to: number): boolean {
  let parts = 0;
  let i = from;
  while (i < to) {
    const start = i;
    let value = 0;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i += 1;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return false;
    parts += 1;
    if (i === to) break;
    if (parts === 4 || text.charCodeAt(i) !== 46) return false;
    i += 1;
    if (i === to) return false;
  }
  return parts === 4;
}

export interface ParsedCidr extends ParsedIp {
  prefixLength: number;
}

/**
 * 'address/prefix'. A bare address means a host prefix (/32 or /128), as with `ip addr add`.
 */
export function parseCidr(text: unknown, operation: string, what = 'address'): ParsedCidr {
  if (typeof text !== 'string') {
    throw invalid(operation, `the ${what} must be a string like '198.18.0.1/24' or 'fd00::1/64'`);
  }
  const slash = text.indexOf('/');
  const end = slash < 0 ? text.length : slash;
  const ip = isDottedQuad(text, 0, end)
    ? { address: slash < 0 ? text : text.slice(0, slash), family: 4 as const }
    : parseIp(slash < 0 ? text : text.slice(0, slash), operation, what);
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { address: ip.address, family: ip.family, prefixLength: max };
  // One to three decimal digits, at most `max`.
  let prefixLength = 0;
  const digits = text.length - slash - 1;
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      prefixLength = -1;
      break;
    }
    prefixLength = prefixLength * 10 + (c - 48);
  }
  if (digits > 1 && text.charCodeAt(slash + 1) === 48 && prefixLength >= 0) {
    throw invalid(
      operation,
      `"${text}" has a prefix length with a leading zero; write it without (/${prefixLength}), as the address's own numbers`,
    );
  }
  if (digits < 1 || digits > 3 || prefixLength < 0 || prefixLength > max) {
    throw invalid(operation, `"${text}" has an invalid prefix length (0-${max} for IPv${ip.family})`);
  }
  return { address: ip.address, family: ip.family, prefixLength };
}

/**
 * A unicast MAC address 'aa:bb:cc:dd:ee:ff' (also accepts '-' separators, one kind throughout,
 * and upper case); returns it in the kernel's lower-case colon form.
 */
export function parseMac(text: unknown, operation: string): string {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(text)) {
    throw invalid(operation, `${JSON.stringify(text)} is not a MAC address like 'aa:bb:cc:dd:ee:ff'`);
  }
  const mac = text.toLowerCase().replace(/-/g, ':');
  if (parseInt(mac.slice(0, 2), 16) & 1) {
    throw invalid(operation, `${mac} is a multicast address; a link needs a unicast MAC`);
  }
  if (mac === '00:00:00:00:00:00') throw invalid(operation, 'the all-zero MAC address is not valid');
  return mac;
}

/** A boolean option (undefined: not given). */
export function checkBoolean(value: unknown, operation: string, what: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw invalid(operation, `${what} must be true or false, not ${describeValue(value)}`);
  }
  return value;
}

/**
 * A value as an operation's text shows it: strings quoted, numbers as written (NaN, Infinity),
 * anything else by its type. JSON.stringify would turn NaN into "null".
 */
/** A string as a message shows it, quoted, shortened when long (an alias may be 254 bytes). */
export function quoteShort(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

export function checkObject<T extends object>(value: unknown, operation: string, what: string): T {
  if (typeof value !== 'object' || value === null) throw invalid(operation, `${what} must be an object`);
  return value as T;
}

/**
 * An options object holding only `known` keys. For calls where a misspelt filter would widen
 * what they do (`{ dev: 'eth0' }` ignored would flush every link), an unknown key is refused.
 */
export function checkOptionKeys<T extends object>(value: unknown, known: readonly string[], operation: string): T {
  const options = checkObject<T>(value, operation, 'options');
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw invalid(operation, `unknown option ${JSON.stringify(key)} (the options are ${known.join(', ')})`);
    }
  }
  return options;
}
