/**
 * `netns-native [-n NS] [-4|-6] neigh ...`: the neighbour table (ARP and NDP) as `ip neigh`
 * lists and changes it (ns.neighbours, ns.addNeighbour, ns.deleteNeighbour, ns.flushNeighbours).
 *   [-s] neigh [show|list] [[to] PREFIX] [dev LINK] [master LINK | vrf LINK | nomaster] [unused]
 *                          [proxy] [nud STATE]... [protocol PROTO]
 *   [-s] neigh get [proxy] ADDR dev LINK   (no such entry: status 2, as ip)
 *   neigh add|replace ADDR lladdr MAC dev LINK [nud STATE] [router] [extern_learn] [use] [managed]
 *                     [protocol PROTO]
 *   neigh add|replace proxy ADDR dev LINK [router] [use] [protocol PROTO]
 *   neigh delete [proxy] ADDR dev LINK
 *   neigh flush [[to] PREFIX] [dev LINK] [master LINK | vrf LINK | nomaster] [unused] [proxy]
 *               [nud STATE]... [protocol PROTO]   (at least one; `all`, `default` or `any` for the
 *               PREFIX: every entry)
 */
import type {
  FlushNeighboursOptions,
  Namespace,
  Neighbour,
  NeighboursOptions,
  NeighbourSpec,
  NeighbourState,
} from '../../index';
import { NetnsError } from '../../index';
import { neighbourStateBit } from '../../neighbour';
import { protocolId } from '../../rt-names';
import type { ParsedArgs } from '../args';
import { invalid } from '../../internal/errors';
import { failureLine } from '../failure-line';
import { octalIpv4Part, parsePrefix } from '../prefix';
import { neighbourLine } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { Words } from '../words';

const SUBCOMMANDS = ['show', 'list', 'add', 'replace', 'delete', 'del', 'get', 'flush'];

/** The states `nud` takes, as ip names them. */
const STATES: readonly string[] = [
  'permanent',
  'reachable',
  'stale',
  'delay',
  'probe',
  'failed',
  'incomplete',
  'noarp',
  'none',
];

/** ip's keywords of `neigh add` that the library has no field for. */
const NOT_TAKEN = ['vrf'];

/** ip's matches(): a non-empty beginning of `keyword` (`p` is protocol in show). */
function abbreviates(word: string, keyword: string): boolean {
  return word.length > 0 && keyword.startsWith(word);
}

/**
 * The keyword a word of `neigh add|replace|del` is, in ip's order (ipneigh_modify): lladdr,
 * proxy, extern_learn and protocol may be shortened (`l`, `p`: proxy, `prot`: protocol); the
 * others are whole words. Undefined: the address.
 */
function entryKeyword(word: string): string | undefined {
  if (abbreviates(word, 'lladdr')) return 'lladdr';
  if (word === 'nud') return word;
  if (abbreviates(word, 'proxy')) return 'proxy';
  if (['router', 'use', 'managed'].includes(word)) return word;
  if (abbreviates(word, 'extern_learn')) return 'extern_learn';
  if (word === 'dev' || word === 'to') return word;
  if (abbreviates(word, 'protocol')) return 'protocol';
  return undefined;
}

/**
 * What `ip neigh show` lists without `nud`: every state but noarp and none (iproute2's default
 * filter); `nud all` is every state, none included.
 */
const SHOWN_BY_DEFAULT = 0xff & ~0x40;
const EVERY_STATE = 0x1ff;

export async function neigh(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'neigh');
  const typed = words.next() ?? 'show';
  const sub = subcommandOf('neigh', typed) as string;
  if (!SUBCOMMANDS.includes(sub)) {
    throw words.error(`unknown command ${JSON.stringify(typed)} (${SUBCOMMANDS.join(', ')})`);
  }
  words.context = `neigh ${typed}`;
  const family = args.family !== undefined ? { family: args.family } : {};
  if (sub === 'show' || sub === 'list') {
    const filter = readShow(words, args.family);
    const ns = await namespaceOf(args.netns);
    const listed = await ns.neighbours({ ...family, ...(await selectorOptions(ns, filter, words)), all: true });
    // As ip filters them: by state, but for proxy entries and those learned outside the kernel.
    const shown = listed.filter(
      (n) => n.proxy || n.extLearned || (filter.states & (neighbourStateBit(n.state) ?? 0)) !== 0,
    );
    if (args.json) await io.json(shown);
    else {
      const lines = shown.map((n: Neighbour) => `${neighbourLine(n, filter.link === undefined, args.stats > 0)}\n`);
      await io.out(lines.join(''));
    }
    return 0;
  }
  if (sub === 'get') {
    const [address, options] = readGet(words);
    if (args.family !== undefined && (address.includes(':') ? 6 : 4) !== args.family) {
      throw words.error(`${address} is not an IPv${args.family} address (-${args.family})`);
    }
    const ns = await namespaceOf(args.netns);
    let found: Neighbour;
    try {
      found = await ns.neighbour(address, options);
    } catch (e) {
      // No such entry: status 2, as ip (its rtnl_talk failing, -2); other failures 1, as any.
      if (!(e instanceof NetnsError) || e.code !== 'ENOENT') throw e;
      process.stderr.write(`${failureLine(e)}\n`);
      return 2;
    }
    // JSON, as ip 6.2 and later print it (6.1 printed text under -j; iproute2 94fc813b fixed it).
    if (args.json) await io.json(found);
    else await io.out(`${neighbourLine(found, true, args.stats > 0)}\n`);
    return 0;
  }
  if (args.stats > 0) throw words.error('-s is for neigh show and get only');
  if (sub === 'flush') {
    if (words.done) throw words.needs('a selector (ip: "Flush requires arguments"); `all` for every entry');
    const filter = readShow(words, args.family);
    const ns = await namespaceOf(args.netns);
    const options: FlushNeighboursOptions = {
      ...family,
      ...(await selectorOptions(ns, filter, words)),
      ...(filter.stateNames.length > 0 && { state: filter.stateNames }),
    };
    await ns.flushNeighbours(options);
    return 0;
  }
  const deleting = sub === 'delete' || sub === 'del';
  const spec = readEntry(words, !deleting);
  if (args.family !== undefined && (spec.address.includes(':') ? 6 : 4) !== args.family) {
    throw words.error(`${spec.address} is not an IPv${args.family} address (-${args.family})`);
  }
  const ns = await namespaceOf(args.netns);
  if (deleting) await ns.deleteNeighbour(spec);
  else await ns.addNeighbour(spec, sub === 'replace' ? { replace: true } : {});
  return 0;
}

/** The word after `nud`: a state ip names (and `all` where `all` says it). */
function readState(words: Words, all: boolean): NeighbourState | 'all' {
  const state = words.value('nud', 'a state');
  if (STATES.includes(state) || (all && state === 'all')) return state as NeighbourState | 'all';
  const names = all ? [...STATES, 'all'] : STATES;
  throw words.error(`nud: unknown state ${JSON.stringify(state)} (${names.join(', ')})`);
}

interface ShowFilter {
  link?: string;
  proxy: boolean;
  states: number;
  /** The `nud` words as given (flush passes them on by name). */
  stateNames: Array<NeighbourState | 'all'>;
  /** 0: every protocol. */
  protocol: number;
  /** `to PREFIX` (undefined for every address: none given, or `all`, `default`, `any`). */
  to?: string;
  master?: string;
  /** `master` came as `vrf NAME`: the link must be a VRF device. */
  vrf: boolean;
  nomaster: boolean;
  unused: boolean;
}

/**
 * The selectors of `neigh show` and `neigh flush` (the same words in ip's do_show_or_flush);
 * `family` is -4's or -6's, which a prefix must be of.
 */
function readShow(words: Words, family: 4 | 6 | undefined): ShowFilter {
  const out: ShowFilter = {
    proxy: false,
    states: 0,
    stateNames: [],
    protocol: 0,
    vrf: false,
    nomaster: false,
    unused: false,
  };
  let states: number | undefined;
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (word === 'nud') {
      const state = readState(words, true);
      out.stateNames.push(state);
      states = (states ?? 0) | (state === 'all' ? EVERY_STATE : (neighbourStateBit(state) as number));
      continue;
    }
    if (word === 'dev') {
      words.once(seen, 'dev');
      out.link = words.value('dev', 'a link name');
    } else if (word === 'master' || word === 'vrf' || word === 'nomaster') {
      // One of the three: each is a filter on the entry's link's master.
      words.once(seen, 'master');
      if (word === 'nomaster') out.nomaster = true;
      else {
        out.master = words.value(word, word === 'vrf' ? 'a VRF device name' : 'a link name');
        out.vrf = word === 'vrf';
      }
    } else if (word === 'unused') {
      words.once(seen, 'unused');
      out.unused = true;
    } else if (word === 'proxy') {
      words.once(seen, 'proxy');
      out.proxy = true;
    } else if (abbreviates(word, 'protocol')) {
      words.once(seen, 'protocol');
      out.protocol = readProtocolFilter(words, word);
    } else {
      // `to PREFIX`, or a bare PREFIX (ip's last branch: any other word is the prefix).
      words.once(seen, 'to');
      const text = word === 'to' ? words.value('to', 'a prefix') : word;
      const prefix = parsePrefix(text, family);
      const octal = octalIpv4Part(text);
      if (prefix === undefined && octal !== undefined) {
        throw words.error(
          `${JSON.stringify(text)}: ip reads a part with a leading 0 as octal (${octal}): write it in decimal or 0x hex`,
        );
      }
      if (prefix === undefined) {
        if (word !== 'to') throw words.unexpected(word);
        throw words.error(`to: ${JSON.stringify(text)} is no prefix (an address, ADDRESS/LENGTH, or all)`);
      }
      if (family !== undefined && prefix.family !== family) {
        throw words.error(`${text} is not an IPv${family} prefix (-${family})`);
      }
      // `all`, `default` and `any` (ip's /0 of no family): every entry.
      const every = text === 'all' || text === 'default' || text === 'any';
      if (!every) out.to = `${prefix.address}/${prefix.length}`;
    }
  }
  out.states = states ?? SHOWN_BY_DEFAULT;
  return out;
}

/** The master filter of `master`, `vrf` or `nomaster`; `vrf NAME` must name a VRF device (as ip). */
async function masterOptions(
  ns: Namespace,
  filter: ShowFilter,
  words: Words,
): Promise<Pick<NeighboursOptions, 'master' | 'noMaster'>> {
  if (filter.nomaster) return { noMaster: true };
  if (filter.master === undefined) return {};
  if (!filter.vrf) return { master: filter.master };
  const link = await ns.link(filter.master);
  if (link.kind !== 'vrf') {
    const kind = link.kind === undefined ? '' : ` (a ${link.kind})`;
    throw invalid(
      `${words.context} vrf ${filter.master}`,
      `link "${filter.master}" is not a VRF device${kind} (ip: "Not a valid VRF name")`,
    );
  }
  return { master: link };
}

/**
 * The selectors show and flush pass on alike: link, proxy, master (or vrf, nomaster), to, unused,
 * protocol (0 is none, as ip takes `protocol 0`).
 */
async function selectorOptions(
  ns: Namespace,
  filter: ShowFilter,
  words: Words,
): Promise<Pick<NeighboursOptions, 'link' | 'proxy' | 'master' | 'noMaster' | 'to' | 'unused' | 'protocol'>> {
  return {
    ...(filter.link !== undefined && { link: filter.link }),
    ...(filter.proxy && { proxy: true }),
    ...(await masterOptions(ns, filter, words)),
    ...(filter.to !== undefined && { to: filter.to }),
    ...(filter.unused && { unused: true }),
    ...(filter.protocol !== 0 && { protocol: filter.protocol }),
  };
}

/** `protocol PROTO` of show and flush: a number or a name, `all` (0) for every one. */
function readProtocolFilter(words: Words, keyword: string): number {
  const value = words.value(keyword, 'a protocol (a number, a name or all)');
  if (value === 'all') return 0;
  try {
    return protocolId(value, `${words.context} ${keyword}`);
  } catch (e) {
    throw words.error(`${keyword}: ${(e as NetnsError).reason}`);
  }
}

/** `[proxy] ADDR dev LINK` of get (`to ADDR` too, and `proxy ADDR` as ip reads it). */
function readGet(words: Words): [string, { link: string; proxy?: boolean }] {
  let address: string | undefined;
  let link: string | undefined;
  let proxy = false;
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (word === 'dev') {
      words.once(seen, 'dev');
      link = words.value('dev', 'a link name');
      continue;
    }
    if (word === 'proxy') {
      words.once(seen, 'proxy');
      proxy = true;
      continue;
    }
    words.once(seen, 'ADDR');
    address = word === 'to' ? words.value('to', 'an address') : word;
  }
  const usage = `${words.context} [proxy] ADDR dev LINK`;
  if (address === undefined) throw words.needs(`an address: ${usage}`);
  if (link === undefined) throw words.needs(`dev LINK: ${usage}`);
  return [address, proxy ? { link, proxy } : { link }];
}

/** `ADDR lladdr MAC dev LINK ...` of add, replace (`adding`) and delete. */
function readEntry(words: Words, adding: boolean): NeighbourSpec & { address: string } {
  let address: string | undefined;
  let link: string | undefined;
  const spec: Omit<NeighbourSpec, 'link' | 'address'> = {};
  const seen = new Set<string>();
  // Delete takes an address, dev and proxy; the entry's settings are add's and replace's.
  const keywords = adding ? undefined : ['to', 'dev', 'proxy'];
  for (let word = words.next(); word !== undefined; word = words.next()) {
    const keyword = entryKeyword(word);
    if (keyword === undefined || (keywords !== undefined && !keywords.includes(keyword))) {
      // A word that is no keyword: the address, once.
      if (NOT_TAKEN.includes(word)) throw words.notTaken(word);
      if (address !== undefined) throw words.unexpected(word);
      seen.add('ADDR');
      address = word;
      continue;
    }
    words.once(seen, keyword === 'to' ? 'ADDR' : keyword);
    if (keyword === 'to') address = words.value('to', 'an address');
    else if (keyword === 'dev') link = words.value('dev', 'a link name');
    else if (keyword === 'proxy') spec.proxy = true;
    else if (keyword === 'lladdr') spec.mac = words.value(word, 'a MAC address');
    else if (keyword === 'nud') spec.state = readState(words, false) as NeighbourState;
    else if (keyword === 'router') spec.router = true;
    else if (keyword === 'use') spec.use = true;
    else if (keyword === 'managed') {
      // As ip reads it: the state none (the library's default with managed); a nud after it wins.
      spec.managed = true;
      delete spec.state;
    } else if (keyword === 'protocol') spec.protocol = words.value(word, 'a protocol (a number or a name)');
    else spec.extLearned = true;
  }
  const usage = `${words.context} ADDR${adding ? ' lladdr MAC' : ''} dev LINK`;
  if (address === undefined) throw words.needs(`an address: ${usage}`);
  if (link === undefined) throw words.needs(`dev LINK: ${usage}`);
  return { address, link, ...spec };
}
