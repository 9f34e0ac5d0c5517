/**
 * IP protocol names as `ip rule` prints them (iproute2's inet_proto_n2a): getprotobynumber's,
 * which reads /etc/protocols (`NAME NUMBER [ALIASES...]`, `#` to the end of the line a comment),
 * the first line with that number winning; `ipproto-N` for a number the file does not name, or
 * when there is no file. Read once per process (system-file.ts).
 * @internal
 */
import { ETC_PROTOCOLS, parseProtocols } from '../ip-protocols';
import { parsedFile } from './system-file';

export { parseProtocols };

/** 'gre' for 47, 'ipproto-200' for a number `file` does not name. */
export function ipProtocolName(n: number, file: string = ETC_PROTOCOLS): string {
  return parsedFile(file, parseProtocols).get(n) ?? `ipproto-${n}`;
}
