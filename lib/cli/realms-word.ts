/**
 * Realms as ip reads them after `realm`/`realms` (iproute2 6.1's get_rt_realms_or_raw): `[SRC/]DST`,
 * each a name of rt_realms or a number 0-255 (decimal, 0x hex or 0 octal, as strtoul reads it),
 * `SRC/` with DST 0; else the whole word as one raw number, SRC << 16 | DST (`realms 300` is DST
 * 300, `realms 0x30005` is 3/5). And realms as ip prints them (print_rta_flow, print_rule).
 * @internal
 */
import { Iproute2Names, readRealmNames } from '../rt-names';
import type { Words } from './words';

/** What the word gives: the destination realm, and the source realm when the word has one. */
export interface RealmsWord {
  realm: number;
  sourceRealm?: number;
  /** Both halves were given (`3/5`, `0/7`, `3/0`, a raw number with a source): ip's full mask. */
  both: boolean;
}

/** A number as C's strtoul(text, &end, 0) reads a whole word: decimal, 0x hex or 0 octal. */
function strtoul(text: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0[0-7]*$/.test(text)) return parseInt(text, 8);
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  return undefined;
}

/** One realm as rtnl_rtrealm_a2n reads it: a name (built-in 'unknown' for 0), or a number 0-255. */
function realmPart(text: string, names: ReturnType<typeof readRealmNames>): number | undefined {
  const named = names.ids.get(text) ?? (text === 'unknown' && !names.names.has(0) ? 0 : undefined);
  if (named !== undefined) return named;
  const n = strtoul(text);
  return n !== undefined && n <= 255 ? n : undefined;
}

export function realmsWord(words: Words, keyword: string): RealmsWord {
  const value = words.value(keyword, 'realms ([SRC/]DST, each a number 0-255 or a name of rt_realms)');
  const names = readRealmNames();
  const slash = value.indexOf('/');
  if (slash >= 0) {
    const source = realmPart(value.slice(0, slash), names);
    const rest = value.slice(slash + 1);
    const destination = rest === '' ? 0 : realmPart(rest, names);
    if (source !== undefined && destination !== undefined) {
      // ip's selector: `3/` is the source alone; `3/0`, `0/7` both.
      return rest === '' && destination === 0
        ? { realm: 0, sourceRealm: source, both: false }
        : { realm: destination, sourceRealm: source, both: true };
    }
  } else {
    const destination = realmPart(value, names);
    if (destination !== undefined) return { realm: destination, both: false };
    const raw = strtoul(value);
    if (raw !== undefined && raw <= 0xffffffff) {
      const source = raw >>> 16;
      return source === 0
        ? { realm: raw & 0xffff, both: false }
        : { realm: raw & 0xffff, sourceRealm: source, both: true };
    }
  }
  throw words.error(
    `${keyword} needs [SRC/]DST, each a number from 0 to 255 or a name of rt_realms (or one number, SRC << 16 | DST), not ${JSON.stringify(value)}`,
  );
}

/** The spec fields for a word read (the source realm only when given). */
export function realmsSpec(r: RealmsWord): { realm: number; sourceRealm?: number } {
  return r.sourceRealm === undefined ? { realm: r.realm } : { realm: r.realm, sourceRealm: r.sourceRealm };
}

/**
 * The words ip prints for a route's or rule's realms: `realm D`, or `realms S/D` when the source
 * is not 0, each by its name in rt_realms where it has one.
 */
export function realmsWords(
  r: { realm?: number; sourceRealm?: number },
  names: Iproute2Names = new Iproute2Names(),
): string[] {
  if (r.realm === undefined) return [];
  if (r.sourceRealm === undefined) return ['realm', names.realm(r.realm)];
  return ['realms', `${names.realm(r.sourceRealm)}/${names.realm(r.realm)}`];
}

/** `ip -j route`'s "flow": { from (when not 0), to }, by name. */
export function realmsJson(
  r: { realm?: number; sourceRealm?: number },
  names: Iproute2Names = new Iproute2Names(),
): Record<string, string> | undefined {
  if (r.realm === undefined) return undefined;
  return r.sourceRealm === undefined
    ? { to: names.realm(r.realm) }
    : { from: names.realm(r.sourceRealm), to: names.realm(r.realm) };
}
