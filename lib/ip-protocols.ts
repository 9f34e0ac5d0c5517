/**
 * IP protocol names (`ipproto`), as `ip rule` reads and prints them (iproute2's inet_proto_a2n and
 * inet_proto_n2a): a decimal number, or a name or alias of /etc/protocols (`NAME NUMBER
 * [ALIASES...]`, `#` to the end of the line a comment), as getprotobyname and getprotobynumber
 * read it, the first line winning. The library adds the names it has always taken (icmp, tcp,
 * udp, icmpv6, sctp), for a system without the file (a minimal container has none). The file is
 * read, synchronously, only when a name is needed that is not built in, and afresh each time (as
 * lib/rt-names.ts reads iproute2's files). @internal
 */
import * as fs from 'node:fs';

export const ETC_PROTOCOLS = '/etc/protocols';

/** The names the library takes and gives without the file; 58 reads as the file names it. */
const BUILTIN = new Map<string, number>([
  ['icmp', 1],
  ['tcp', 6],
  ['udp', 17],
  ['icmpv6', 58],
  ['ipv6-icmp', 58],
  ['sctp', 132],
]);

/** Each line's number and its words (name, then aliases); malformed lines left out. */
function lines(text: string): Array<[number, string[]]> {
  const out: Array<[number, string[]]> = [];
  for (const raw of text.split('\n')) {
    const [name, number, ...aliases] = (raw.split('#')[0] as string).trim().split(/\s+/);
    if (name === undefined || name === '' || number === undefined || !/^[0-9]+$/.test(number)) continue;
    out.push([Number(number), [name, ...aliases]]);
  }
  return out;
}

/** The names of /etc/protocols' text by number, the first one given for each (getprotobynumber). */
export function parseProtocols(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const [n, [name]] of lines(text)) if (!names.has(n)) names.set(n, name as string);
  return names;
}

/** The numbers of /etc/protocols' text by name and alias, the first line winning (getprotobyname). */
export function parseProtocolNumbers(text: string): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const [n, words] of lines(text)) for (const w of words) if (!numbers.has(w)) numbers.set(w, n);
  return numbers;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return ''; // no file: no names, as getprotobyname finds none
  }
}

/**
 * The number of an IP protocol given by name ('gre': 47, 'IPv6-ICMP': 58) or in decimal ('47'),
 * as `ip rule ... ipproto P` reads it; undefined for anything else. A name may stand for a number
 * above 255 (mptcp, 262): the caller checks the range.
 */
export function ipProtocolNumber(text: string, file: string = ETC_PROTOCOLS): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  return BUILTIN.get(text) ?? parseProtocolNumbers(readText(file)).get(text);
}

/**
 * Names for IP protocol numbers read back: the file's first name for the number, else the
 * library's ('tcp' without a file), else undefined. The file is read on first need, then kept
 * for the life of this object (one listing).
 */
export class IpProtocolNames {
  #names: Map<number, string> | undefined;

  constructor(private readonly file: string = ETC_PROTOCOLS) {}

  name(n: number): string | undefined {
    this.#names ??= parseProtocols(readText(this.file));
    return this.#names.get(n) ?? [...BUILTIN].find(([name, id]) => id === n && name !== 'icmpv6')?.[0];
  }
}
