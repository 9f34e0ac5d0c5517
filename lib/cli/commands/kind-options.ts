/**
 * What a kind's print_opt adds to `ip -d link show` (the kind's options): text words and JSON
 * keys, in ip's order, and the printer the bridge, bridge port and vxlan options are written with.
 * @internal
 */

/** The options of the kinds whose print_opt is matched, as text words and JSON `info_data`. */
export type KindOptions = { words: string[]; data: Record<string, unknown> } | undefined;

/** What one print_opt writes: text words and JSON keys, in order. */
export class Printer {
  readonly words: string[] = [];
  readonly data: Record<string, unknown> = {};

  /** `word VALUE` in text, `key: value` in JSON (print_uint, print_string, ...). */
  put(key: string, word: string, value: string | number | boolean, text = String(value)): void {
    this.words.push(word, text);
    this.data[key] = value;
  }

  /** print_on_off: `word on|off`, JSON a boolean. */
  onOff(key: string, word: string, value: boolean | undefined): void {
    if (value !== undefined) this.put(key, word, value, value ? 'on' : 'off');
  }

  /** print_0xhex: `%#llx`, in JSON as a string too. */
  hex(key: string, word: string, value: number | undefined): void {
    if (value !== undefined) this.put(key, word, hex(value));
  }

  /** _bridge_print_timer / _print_timer: `%4i.%.2i` seconds from ms; JSON the number. */
  timer(key: string, ms: number | undefined): void {
    if (ms === undefined) return;
    const cs = Math.round(ms / 10);
    const text = `${String(Math.floor(cs / 100)).padStart(4)}.${String(cs % 100).padStart(2, '0')}`;
    this.put(key, key, cs / 100, text);
  }

  number(key: string, word: string, value: number | undefined): void {
    if (value !== undefined) this.put(key, word, value);
  }

  /** A boolean ip prints with print_uint: 0 or 1. */
  bit(key: string, word: string, value: boolean | undefined): void {
    if (value !== undefined) this.put(key, word, value ? 1 : 0);
  }

  options(): KindOptions {
    return { words: this.words, data: this.data };
  }
}

/** C's `%#llx`: 0x-prefixed hex, but 0 as `0`. */
export const hex = (n: number): string => (n === 0 ? '0' : `0x${n.toString(16)}`);
