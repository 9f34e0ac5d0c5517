/**
 * `netns-native [-n NS] [-4|-6] rule ...`: routing policy rules as `ip rule` lists, adds,
 * deletes and flushes them (ns.rules, ns.addRule, ns.deleteRule, ns.flushRules).
 *   rule [show|list] [SELECTOR]      (IPv4 rules unless -6, as ip)
 *   rule flush [SELECTOR]            (the same)
 * (a bare PREFIX in a SELECTOR is `to PREFIX`, as ip's list and flush read it)
 * SELECTOR: [not] [from PREFIX] [to PREFIX] [tos T] [fwmark M[/MASK]] [iif LINK] [oif LINK]
 *           [l3mdev] [uidrange A-B] [ipproto P] [sport N[-M]] [dport N[-M]] [priority N]
 *           [table T] [protocol P]
 *   rule add|delete [not] [from PREFIX] [to PREFIX] [tos T] [fwmark M[/MASK]] [iif LINK]
 *        [oif LINK] [l3mdev] [uidrange A-B] [ipproto P] [sport N[-M]] [dport N[-M]]
 *        [priority N] [table T] [suppress_prefixlength N] [protocol P] [realms [SRC/]DST]
 *        [goto N | blackhole | unreachable | prohibit | nop]
 */
import type { RuleAction, RuleFilter, RuleSpec } from '../../index';
import type { ParsedArgs } from '../args';
import { ruleJson, ruleLine, type RuleShown } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { dsfieldWord } from '../dsfield-word';
import { realmsSpec, realmsWord } from '../realms-word';
import { numberOrName, unsigned, Words } from '../words';

const SUBCOMMANDS = ['show', 'list', 'add', 'delete', 'del', 'flush'];

/** Each keyword's slot (ip's other spellings of one keyword share it): a slot given twice is an error. */
const SLOT: Readonly<Record<string, string>> = {
  not: 'not',
  from: 'from',
  to: 'to',
  tos: 'tos',
  dsfield: 'tos',
  fwmark: 'fwmark',
  iif: 'iif',
  dev: 'iif',
  oif: 'oif',
  l3mdev: 'l3mdev',
  uidrange: 'uidrange',
  ipproto: 'ipproto',
  sport: 'sport',
  dport: 'dport',
  priority: 'priority',
  preference: 'priority',
  pref: 'priority',
  prio: 'priority',
  order: 'priority',
  table: 'table',
  lookup: 'table',
  suppress_prefixlength: 'suppress_prefixlength',
  protocol: 'protocol',
  proto: 'protocol',
  goto: 'action',
  type: 'action',
  blackhole: 'action',
  unreachable: 'action',
  prohibit: 'action',
  nop: 'action',
  realms: 'realms',
  realm: 'realms',
};

/** The actions that are a word of their own (and after `type`). */
const ACTIONS: readonly string[] = ['blackhole', 'unreachable', 'prohibit', 'nop'];

/** ip's keywords that the library has no field for. */
const NOT_TAKEN = ['nat', 'map-to', 'tun_id', 'suppress_ifgroup', 'dscp', 'flowlabel'];

export async function rule(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'rule');
  const typed = words.next() ?? 'show';
  const sub = subcommandOf('rule', typed) as string;
  if (!SUBCOMMANDS.includes(sub)) {
    throw words.error(`unknown command ${JSON.stringify(typed)} (${SUBCOMMANDS.join(', ')})`);
  }
  words.context = `rule ${typed}`;
  // As print_rule, for shows and -echo alike: -d adds the protocol of every rule.
  const shown: RuleShown = { details: args.details };
  // ip takes -s there and prints nothing more (6.1 has no rule or nexthop counters).
  if (args.stats > 0 && sub !== 'show' && sub !== 'list') throw words.error('-s is for rule show only');
  if (sub === 'show' || sub === 'list' || sub === 'flush') {
    const filter = readSelector(words);
    // As ip (iprule_list_flush_or_save): IPv4 rules unless -6 says otherwise, for flush too.
    if (args.family === undefined) {
      const v6 = (['from', 'to'] as const).find((k) => filter[k]?.includes(':'));
      if (v6 !== undefined) {
        throw words.error(`${v6} ${filter[v6] as string} is an IPv6 prefix: give -6 (as ip, IPv4 rules unless told)`);
      }
    }
    filter.family = args.family ?? 4;
    const ns = await namespaceOf(args.netns);
    if (sub === 'flush') {
      await ns.flushRules(filter);
      return 0;
    }
    const selected = await ns.rules(filter);
    if (args.json) await io.json(selected.map((r) => ruleJson(r, shown)));
    else await io.out(selected.map((r) => `${ruleLine(r, shown)}\n`).join(''));
    return 0;
  }
  const spec = readRule(words);
  if (args.family !== undefined) spec.family = args.family;
  const ns = await namespaceOf(args.netns);
  const deleting = sub === 'delete' || sub === 'del';
  if (!args.echo) {
    if (deleting) await ns.deleteRule(spec);
    else await ns.addRule(spec);
    return 0;
  }
  // As `ip -echo rule add|del`: the rule the kernel made or removed, as print_rule prints it
  // ("Deleted " before a removed one).
  const echoed = deleting ? await ns.deleteRule(spec, { echo: true }) : await ns.addRule(spec, { echo: true });
  if (args.json) await io.json([{ ...(deleting && { deleted: true }), ...ruleJson(echoed, shown) }]);
  else await io.out(`${deleting ? 'Deleted ' : ''}${ruleLine(echoed, shown)}\n`);
  return 0;
}

/** The slots `rule show` and `rule flush` take: ip's selectors (not its actions). */
const SELECTORS = new Set([
  'not',
  'from',
  'to',
  'tos',
  'fwmark',
  'iif',
  'oif',
  'l3mdev',
  'uidrange',
  'ipproto',
  'sport',
  'dport',
  'priority',
  'table',
  'protocol',
]);

/** `rule show|flush SELECTOR`: the filters, in any of ip's spellings (`protocol all`: none). */
function readSelector(words: Words): RuleFilter {
  const filter: RuleFilter = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    // ip's list and flush also spell from and to as src and dst (its add does not).
    const slot = word === 'src' ? 'from' : word === 'dst' ? 'to' : Object.hasOwn(SLOT, word) ? SLOT[word] : undefined;
    if (slot === undefined && isPrefix(word)) {
      // A bare prefix is `to PREFIX`, as ip's list and flush read a word they do not know.
      words.once(seen, 'to');
      filter.to = word;
      continue;
    }
    if (slot === undefined || !SELECTORS.has(slot)) {
      throw word === 'tun_id' ? words.notTaken(word) : words.unexpected(word);
    }
    words.once(seen, slot);
    if (slot === 'protocol') {
      const protocol = words.value(word, 'a protocol (a number, a name or all)');
      if (protocol !== 'all') filter.protocol = protocol;
    } else if (slot === 'fwmark') Object.assign(filter, readMark(words));
    else Object.assign(filter, readSelectorValue(words, word, slot));
  }
  return filter;
}

/** A word that reads as an address or a prefix (or all), for a selector without its keyword. */
function isPrefix(word: string): boolean {
  return word === 'all' || /^[0-9a-fA-F.:]*[.:][0-9a-fA-F.:]*(\/[0-9]+)?$/.test(word);
}

/** The value of one selector, which `rule add|delete` reads alike. */
function readSelectorValue(words: Words, word: string, slot: string): Partial<RuleSpec> {
  if (slot === 'not') return { not: true };
  if (slot === 'from') return { from: words.value(word, 'a prefix or all') };
  if (slot === 'to') return { to: words.value(word, 'a prefix or all') };
  if (slot === 'tos') return { tos: dsfieldWord(words, word) };
  if (slot === 'iif') return { iif: words.value(word, 'a link name') };
  if (slot === 'oif') return { oif: words.value(word, 'a link name') };
  if (slot === 'l3mdev') return { l3mdev: true };
  if (slot === 'uidrange') return { uidRange: readRange(words, 'uidrange', 'A-B', true) as [number, number] };
  if (slot === 'ipproto') return { ipProto: numberOrName(words.value(word, 'a protocol (tcp, udp, ... or a number)')) };
  if (slot === 'sport') return { sport: readRange(words, word, 'N or N-M', false) };
  if (slot === 'dport') return { dport: readRange(words, word, 'N or N-M', false) };
  if (slot === 'priority') return { priority: words.integer(word) };
  if (slot === 'table') return { table: numberOrName(words.value(word, 'a table (a number or a name)')) };
  return { protocol: words.value(word, 'a protocol (a number or a name)') };
}

function readRule(words: Words): RuleSpec {
  const spec: RuleSpec = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    const slot = Object.hasOwn(SLOT, word) ? SLOT[word] : undefined;
    if (slot === undefined) throw NOT_TAKEN.includes(word) ? words.notTaken(word) : words.unexpected(word);
    words.once(seen, slot);
    if (slot === 'fwmark') Object.assign(spec, readMark(words));
    else if (SELECTORS.has(slot)) Object.assign(spec, readSelectorValue(words, word, slot));
    else if (word === 'suppress_prefixlength') spec.suppressPrefixLength = words.integer(word, 128);
    else if (slot === 'realms') Object.assign(spec, realmsSpec(realmsWord(words, word)));
    else if (word === 'goto') {
      spec.action = 'goto';
      spec.goto = words.integer('goto');
    } else {
      const action = word === 'type' ? words.value('type', `an action (${ACTIONS.join(', ')})`) : word;
      if (!ACTIONS.includes(action))
        throw words.error(`type: unknown action ${JSON.stringify(action)} (${ACTIONS.join(', ')})`);
      spec.action = action as RuleAction;
    }
  }
  return spec;
}

/** `fwmark M[/MASK]`, each decimal or 0x hex. */
function readMark(words: Words): Pick<RuleSpec, 'fwmark' | 'fwmask'> {
  const word = words.value('fwmark', 'a mark (M or M/MASK)');
  const [mark, mask, ...rest] = word.split('/').map(unsigned);
  const fits = (n: number | undefined): n is number => n !== undefined && n <= 0xffffffff;
  if (!fits(mark) || (word.includes('/') && !fits(mask)) || rest.length > 0) {
    throw words.error(
      `fwmark needs a mark or MARK/MASK, each a number from 0 to 4294967295, not ${JSON.stringify(word)}`,
    );
  }
  return mask === undefined ? { fwmark: mark } : { fwmark: mark, fwmask: mask };
}

/** `sport 80`, `dport 1000-2000`, `uidrange 100-200` (`pair`: both ends needed). */
function readRange(words: Words, keyword: string, form: string, pair: boolean): number | [number, number] {
  const word = words.value(keyword, form);
  const ends = word.split('-').map(unsigned);
  const [first, last] = ends;
  if (
    first === undefined ||
    ends.length > 2 ||
    (ends.length === 2 && last === undefined) ||
    (pair && ends.length !== 2)
  ) {
    throw words.error(`${keyword} needs ${form} (numbers), not ${JSON.stringify(word)}`);
  }
  return last === undefined ? first : [first, last];
}
