/**
 * IP protocol names as `ip rule` prints them (iproute2's inet_proto_n2a): getprotobynumber's,
 * which reads /etc/protocols (`NAME NUMBER [ALIASES...]`, `#` to the end of the line a comment),
 * the first line with that number winning; `ipproto-N` for a number the file does not name, or
 * when there is no file. Read once per file per process (the command is one), on first need.
 * @internal
 */
import * as fs from 'node:fs';

export const ETC_PROTOCOLS = '/etc/protocols';

const cache = new Map<string, ReadonlyMap<number, string>>();

/** The names of /etc/protocols' text by number, the first one given for each. */
export function parseProtocols(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const [name, number] = (raw.split('#')[0] as string).trim().split(/\s+/);
    if (name === undefined || name === '' || number === undefined || !/^[0-9]+$/.test(number)) continue;
    const n = Number(number);
    if (!names.has(n)) names.set(n, name);
  }
  return names;
}

/** 'gre' for 47, 'ipproto-200' for a number `file` does not name. */
export function ipProtocolName(n: number, file: string = ETC_PROTOCOLS): string {
  let names = cache.get(file);
  if (names === undefined) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      // No file: no names, as getprotobynumber finds none.
    }
    names = parseProtocols(text);
    cache.set(file, names);
  }
  return names.get(n) ?? `ipproto-${n}`;
}
