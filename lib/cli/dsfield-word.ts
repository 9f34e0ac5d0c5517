/**
 * A TOS (DS field) as ip reads it after `tos`/`dsfield` (iproute2's rtnl_dsfield_a2n): a name of
 * rt_dsfield ('AF11'), else hex with or without 0x (`tos 10` is 0x10, not ten). The library
 * refuses bare digits as ambiguous; the command reads them as ip does.
 * @internal
 */
import { NetnsError } from '../index';
import { dsfieldValue } from '../rt-names';
import type { Words } from './words';

export function dsfieldWord(words: Words, keyword: string): number {
  const value = words.value(keyword, 'a TOS (hex, 0x10 or 10, or a name of rt_dsfield)');
  try {
    return dsfieldValue(value, `${keyword} ${value}`);
  } catch (e) {
    if (!(e instanceof NetnsError)) throw e;
    const hex = /^(0x)?([0-9a-f]+)$/i.exec(value);
    const n = hex ? parseInt(hex[2] as string, 16) : NaN;
    if (n <= 255) return n;
    throw words.error(
      `${keyword} needs a TOS: hex from 0 to ff (0x10 or 10, as ip reads it) or a name of rt_dsfield, not ${JSON.stringify(value)}`,
    );
  }
}
