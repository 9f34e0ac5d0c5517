/**
 * The operands of an ip-style verb (`link set eth0 mtu 1400 up`), read one word at a time: a
 * keyword, then its value. A word missing, unknown or of the wrong form is a UsageError naming
 * it, with the verb's usage; values the library checks (names, addresses, MACs) are passed on as
 * they are, and the library's EINVAL says what is wrong with them.
 * @internal
 */
import { UsageError } from './args';

export class Words {
  #at = 0;

  /**
   * `verb` is the verb whose usage a bad word prints; `context` begins each message, and becomes
   * the subcommand once it is read ('link' then 'link set').
   */
  constructor(
    private readonly words: readonly string[],
    private readonly verb: string,
    public context: string = verb,
  ) {}

  /** Whether every word was read. */
  get done(): boolean {
    return this.#at >= this.words.length;
  }

  /** The next word without reading it. */
  peek(): string | undefined {
    return this.words[this.#at];
  }

  /** The next word, or undefined at the end. */
  next(): string | undefined {
    return this.done ? undefined : this.words[this.#at++];
  }

  /** The next word, which must be there: `what` says what was expected ('a link name'). */
  required(what: string): string {
    const word = this.next();
    if (word === undefined) throw this.needs(what);
    return word;
  }

  /** The value after `keyword`: `mtu` needs a number, `name` a name (`what`). */
  value(keyword: string, what: string): string {
    const word = this.next();
    if (word === undefined) throw this.error(`${keyword} needs ${what}`);
    return word;
  }

  /** An unsigned integer after `keyword`, decimal or 0x hex (as ip reads one), at most `max`. */
  integer(keyword: string, max = 0xffffffff): number {
    const word = this.value(keyword, 'a number');
    const n = unsigned(word) ?? NaN;
    if (!Number.isSafeInteger(n) || n > max) {
      throw this.error(`${keyword} needs a number from 0 to ${max}, not ${JSON.stringify(word)}`);
    }
    return n;
  }

  /** `on` or `off` after `keyword` (promisc on). */
  onOff(keyword: string): boolean {
    const word = this.value(keyword, 'on or off');
    if (word !== 'on' && word !== 'off') throw this.error(`${keyword} takes on or off, not ${JSON.stringify(word)}`);
    return word === 'on';
  }

  /** A keyword given twice: the first is kept by nothing, so say so. */
  once(seen: Set<string>, keyword: string): void {
    if (seen.has(keyword)) throw this.error(`${keyword} is given twice`);
    seen.add(keyword);
  }

  /** '${context} needs ${what}': something missing. */
  needs(what: string): UsageError {
    return new UsageError(`${this.context} needs ${what}`, this.verb);
  }

  /** A word the verb does not take here. */
  unexpected(word: string): UsageError {
    return this.error(`unexpected ${JSON.stringify(word)}`);
  }

  /** One of ip's keywords that netns-native does not take (the library has no field for it). */
  notTaken(word: string): UsageError {
    return this.error(`${JSON.stringify(word)} is ip's, not supported here`);
  }

  /** '${context}: ${message}', with the verb's usage. */
  error(message: string): UsageError {
    return new UsageError(`${this.context}: ${message}`, this.verb);
  }
}

/** An unsigned integer as ip reads one, decimal or 0x hex ('16', '0x10'); undefined if it is none. */
export function unsigned(word: string): number | undefined {
  return /^(0|[1-9][0-9]*|0x[0-9a-f]+)$/i.test(word) ? Number(word) : undefined;
}

/** A number or a name, as `table` and `proto` take either: 100 stays a number, 'main' a name. */
export function numberOrName(word: string): number | string {
  return /^[0-9]+$/.test(word) ? Number(word) : word;
}
