/**
 * IP protocol names as `ip rule` prints them (iproute2's inet_proto_n2a): getprotobynumber's,
 * which reads /etc/protocols (`NAME NUMBER [ALIASES...]`, `#` to the end of the line a comment),
 * the first line with that number winning; `ipproto-N` for a number the file does not name, or
 * when there is no file. Read once per file per process (the command is one), on first need.
 * @internal
 */
import * as fs from 'node:fs';
import { ETC_PROTOCOLS, parseProtocols } from '../ip-protocols';

export { parseProtocols };

const cache = new Map<string, ReadonlyMap<number, string>>();

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
