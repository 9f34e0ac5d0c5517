/**
 * The command line of `netns-native network SUBVERB ...`: finding the subverb, and reading its
 * operands and options, with a UsageError (status 2, the network usage) for anything that does
 * not fit. network.ts declares the subverbs and their options.
 */
import { UsageError, type ParsedArgs, type VerbOptions } from '../args';
import type { Io } from '../io';

/** A subverb: what runs it, and its own options (those that take a value, and switches). */
export interface Subverb {
  run: (args: ParsedArgs, io: Io) => Promise<number>;
  values?: readonly string[];
  switches?: readonly string[];
}

/** Other names of subverbs, as docker network takes them. */
const ALIASES: Readonly<Record<string, string>> = { list: 'ls', remove: 'rm' };

const unique = (lists: Array<readonly string[] | undefined>): string[] => [...new Set(lists.flatMap((l) => l ?? []))];

/**
 * What parseArgs takes after `network`: every subverb's options (each subverb then checks its
 * own), and their one-letter forms.
 */
export function verbOptions(
  subverbs: Readonly<Record<string, Subverb>>,
  short: Readonly<Record<string, string>>,
): VerbOptions {
  return {
    values: unique(Object.values(subverbs).map((s) => s.values)),
    switches: unique(Object.values(subverbs).map((s) => s.switches)),
    short,
  };
}

/**
 * The subverb the first operand names (`list` is `ls`, `remove` is `rm`), after checking that
 * only its own options were given.
 */
export function subverbOf(args: ParsedArgs, subverbs: Readonly<Record<string, Subverb>>): [string, Subverb] {
  const given = args.operands[0];
  if (given === undefined) {
    throw new UsageError(`network needs a subverb: ${Object.keys(subverbs).join(', ')}`, 'network');
  }
  const name = Object.hasOwn(ALIASES, given) ? (ALIASES[given] as string) : given;
  const sub = Object.hasOwn(subverbs, name) ? subverbs[name] : undefined;
  if (!sub) throw new UsageError(`unknown network subverb ${JSON.stringify(given)}`, 'network');
  for (const option of Object.keys(args.options)) {
    if (!sub.values?.includes(option) && !sub.switches?.includes(option)) {
      throw new UsageError(`${option} is not an option of network ${name}`, 'network');
    }
  }
  return [name, sub];
}

/**
 * The operands after the subverb, exactly as many as `names` (shown in the message: 'NAME', 'NS').
 */
export function operandsOf(args: ParsedArgs, sub: string, names: readonly string[]): string[] {
  const rest = args.operands.slice(1);
  if (rest.length < names.length) {
    throw new UsageError(`network ${sub} needs ${names.slice(rest.length).join(' ')}`, 'network');
  }
  if (rest.length > names.length) {
    const takes = names.length === 0 ? 'no operand' : names.join(' ');
    throw new UsageError(`network ${sub} takes ${takes}; unexpected ${JSON.stringify(rest[names.length])}`, 'network');
  }
  return rest;
}

/** Every value given for option `name`, in order. */
export function values(args: ParsedArgs, name: string): string[] {
  return args.options[name] ?? [];
}

/** The value of option `name`, given at most once. */
export function value(args: ParsedArgs, name: string): string | undefined {
  const all = values(args, name);
  if (all.length > 1) {
    throw new UsageError(`${name} given more than once (${all.map((v) => JSON.stringify(v)).join(', ')})`, 'network');
  }
  return all[0];
}

/** Whether switch `name` was given. */
export function has(args: ParsedArgs, name: string): boolean {
  return values(args, name).length > 0;
}

/** A decimal number given as option `name`'s value (its range is the library's to check). */
export function numberValue(args: ParsedArgs, name: string): number | undefined {
  const text = value(args, name);
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${name} takes a number, not ${JSON.stringify(text)}`, 'network');
  return Number(text);
}
