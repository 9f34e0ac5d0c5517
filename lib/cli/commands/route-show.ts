/**
 * `netns-native [-n NS] [-4|-6] route show [SELECTOR]`: routes as `ip route show` prints them
 * (iproute2 6.1's iproute_list_flush_or_save, filter_nlmsg and print_route), text or `-j` JSON
 * with ip's keys. Without -6, IPv4 only, unless `table all`, which lists both families as ip
 * does. A selector that fixes a word (`dev D`, `table T`, `proto P`, `via ADDR`, ...) leaves it
 * out of each line, as ip leaves it out. `cache` (`cached`, `cloned`, `table cache`) lists the
 * route exceptions instead (ns.routes({ cache: true })), an IPv4 one with its `cache` line.
 *   SELECTOR: [cache] [table T|all] [type T] [proto P|all] [scope S|all] [dev D] [via PREFIX]
 *             [src PREFIX] [metric M] [tos TOS] [realms [SRC/]DST] [from [root|match|exact] PREFIX]
 *             [root|match|exact PREFIX] [[to] PREFIX] [iif D] [mark N]
 */
import { NetnsError, type Route, type RouteLookup } from '../../index';
import { scopeName, scopeNumber } from '../../address';
import { ROUTE_TYPES, tosText } from '../../route';
import { dsfieldWord } from '../dsfield-word';
import { Iproute2Names, protocolId, tableId } from '../../rt-names';
import { flagWords, routeLine, type RouteWordsShown } from '../format';
import type { Io } from '../io';
import type { ParsedArgs } from '../args';
import { namespaceOf } from '../namespace-arg';
import { inPrefix, parsePrefix, prefixOf, type Prefix } from '../prefix';
import { metricWords } from '../../route-metrics';
import { unsigned, Words } from '../words';
import { realmsJson, realmsWord, type RealmsWord } from '../realms-word';
import { encapJson } from '../route-encap-words';

/** What `route show` selects. */
interface RouteSelector {
  /** A table id, or 0 for all. */
  table: number;
  /** Given as `table`: ip then leaves it out of each line. */
  tableNamed: boolean;
  type?: string;
  protocol?: string;
  scope?: string;
  link?: string;
  via?: Prefix;
  src?: Prefix;
  metric?: number;
  /** root: the prefix's own routes and those more specific; match: those that cover it. */
  root?: Prefix;
  match?: Prefix;
  /** The same for the routes' source prefixes (`from`; IPv6 source routing). */
  fromRoot?: Prefix;
  fromMatch?: Prefix;
  tos?: number;
  /** `realms`: the destination realm (`7`), the source realm (`3/`), or both (`3/5`). */
  realms?: RealmsWord;
  /**
   * `iif LINK` and `mark N`: ip compares them with a route's RTA_IIF and RTA_MARK, which only a
   * lookup's answer carries (`route get`), never a route of a table; so `iif` selects none and
   * `mark` every route for 0, none else.
   */
  inputLink?: string;
  mark?: number;
  /** `cache` (`cached`, `cloned`, `table cache`): the route exceptions instead of the routes. */
  cache?: boolean;
}

/** ip's keywords that the command does not take (no field in the library). */
const NOT_TAKEN = ['vrf'];

/** The words that list the route cache (ip's filter.cloned). */
const CACHE_WORDS = ['cache', 'cached', 'cloned'];

/** Reads the selector words after `route show`; `family` is -4/-6 (a `default` prefix's family). */
export function readRouteSelector(words: Words, family: 4 | 6 | undefined): RouteSelector {
  const selector: RouteSelector = { table: 254, tableNamed: false };
  const seen = new Set<string>();
  const prefix = (keyword: string): Prefix => {
    const word = words.value(keyword, 'a prefix (ADDRESS[/LENGTH] or default)');
    const p = parsePrefix(word, family);
    if (p === undefined)
      throw words.error(`${keyword} needs a prefix (ADDRESS[/LENGTH] or default), not ${JSON.stringify(word)}`);
    return p;
  };
  for (let word = words.next(); word !== undefined; word = words.next()) {
    const slot =
      word === 'protocol'
        ? 'proto'
        : word === 'oif'
          ? 'dev'
          : word === 'priority' || word === 'preference'
            ? 'metric'
            : ['to', 'root', 'match', 'exact'].includes(word)
              ? 'PREFIX'
              : word;
    if (NOT_TAKEN.includes(word)) throw words.notTaken(word);
    if (CACHE_WORDS.includes(word)) {
      selector.cache = true;
      continue;
    }
    if (slot === 'tos' || slot === 'dsfield') {
      words.once(seen, 'tos');
      selector.tos = dsfieldWord(words, word);
      continue;
    }
    if (slot === 'realm' || slot === 'realms') {
      words.once(seen, 'realms');
      selector.realms = realmsWord(words, word);
      continue;
    }
    if (word === 'iif') {
      words.once(seen, 'iif');
      selector.inputLink = words.value('iif', 'a link name');
      continue;
    }
    if (word === 'mark') {
      words.once(seen, 'mark');
      selector.mark = words.integer('mark');
      continue;
    }
    if (slot === 'from') {
      words.once(seen, 'from');
      const how = words.peek();
      if (how === 'root' || how === 'match' || how === 'exact') words.next();
      const p = prefix(`from ${how === 'root' || how === 'match' || how === 'exact' ? how : ''}`.trim());
      if (how !== 'match') selector.fromRoot = p;
      if (how !== 'root') selector.fromMatch = p;
      continue;
    }
    if (!['table', 'type', 'proto', 'scope', 'dev', 'via', 'src', 'metric', 'PREFIX'].includes(slot)) {
      // A word that is no keyword: the prefix (as `exact PREFIX`).
      words.once(seen, 'PREFIX');
      const p = parsePrefix(word, family);
      if (p === undefined) throw words.unexpected(word);
      selector.root = selector.match = p;
      continue;
    }
    words.once(seen, slot);
    if (word === 'table') {
      const value = words.value('table', 'a table (a number, a name, all or cache)');
      // As ip: `table cache` lists the cache (of the main table).
      if (value === 'cache') {
        selector.cache = true;
        continue;
      }
      try {
        selector.table = value === 'all' ? 0 : tableId(value, 'route show', { min: 0, allowAll: true });
      } catch (e) {
        throw words.error(`table: ${reasonOf(e)}`);
      }
      selector.tableNamed = selector.table !== 0;
    } else if (word === 'type') {
      const value = words.value('type', `a route type (${ROUTE_TYPES.join(', ')})`);
      if (!(ROUTE_TYPES as readonly string[]).includes(value))
        throw words.error(`type: ${JSON.stringify(value)} is no route type (${ROUTE_TYPES.join(', ')})`);
      selector.type = value;
    } else if (slot === 'proto') {
      const value = words.value(word, 'a protocol (a number, a name or all)');
      if (value !== 'all') {
        try {
          selector.protocol = new Iproute2Names().protocol(
            protocolId(/^[0-9]+$/.test(value) ? Number(value) : value, 'route show'),
          );
        } catch (e) {
          throw words.error(`${word}: ${reasonOf(e)}`);
        }
      }
    } else if (word === 'scope') {
      const value = words.value('scope', 'a scope (global, site, link, host, nowhere, a number or all)');
      if (value !== 'all') selector.scope = scopeWord(words, value);
    } else if (slot === 'dev') selector.link = words.value(word, 'a link name');
    else if (word === 'via') selector.via = prefix('via');
    else if (word === 'src') selector.src = prefix('src');
    else if (slot === 'metric') selector.metric = words.integer(word);
    else if (word === 'root') selector.root = prefix('root');
    else if (word === 'match') selector.match = prefix('match');
    else selector.root = selector.match = prefix(word);
  }
  return selector;
}

/** What the library said was wrong with a value (a NetnsError's reason). */
function reasonOf(e: unknown): string {
  if (e instanceof NetnsError) return e.reason;
  throw e;
}

/** A scope as ip's rtnl_rtscope_a2n reads it: a name or a number 0-255, as Route.scope names it. */
export function scopeWord(words: Words, value: string): string {
  const n = unsigned(value);
  if (n !== undefined && n <= 255) return scopeName(n);
  if (scopeNumber(value) !== undefined) return value;
  throw words.error(
    `scope: ${JSON.stringify(value)} is no scope (global, site, link, host, nowhere or a number 0-255)`,
  );
}

/** The host length of a family: a selector of that length leaves the word out (ip's host_len). */
const hostLength = (p: Prefix): number => (p.family === 4 ? 32 : 128);

/** Whether `r` is one `ip route show SELECTOR` lists (filter_nlmsg, for what it checks here). */
function selected(r: Route, s: RouteSelector, linkIndex: number | undefined): boolean {
  if (s.table !== 0 && r.table !== s.table) return false;
  if (s.type !== undefined && r.type !== s.type) return false;
  if (s.protocol !== undefined && r.protocol !== s.protocol) return false;
  if (s.scope !== undefined && r.scope !== s.scope) return false;
  // A multipath route has no RTA_OIF: ip selects it by none.
  if (linkIndex !== undefined && r.linkIndex !== linkIndex) return false;
  if (s.via !== undefined && (r.gateway === undefined || !inPrefix(r.gateway, s.via))) return false;
  if (s.src !== undefined && (r.source === undefined || !inPrefix(r.source, s.src))) return false;
  if (s.metric !== undefined && (r.metric ?? 0) !== s.metric) return false;
  const dst = prefixOf(r.destination, r.family);
  if (s.root !== undefined) {
    if (s.root.family !== r.family || dst.length < s.root.length || !inPrefix(dst.address, s.root)) return false;
  }
  if (s.match !== undefined) {
    if (s.match.family !== r.family || dst.length > s.match.length || !inPrefix(s.match.address, dst)) return false;
  }
  if (s.tos !== undefined && (r.tos ?? 0) !== s.tos) return false;
  // No route of a table has an input link or a mark (see RouteSelector.inputLink).
  if (s.inputLink !== undefined) return false;
  if (s.mark !== undefined && s.mark !== 0) return false;
  // A route without a source prefix has one of length 0 (ip compares its zeroed RTA_SRC).
  const src = r.from === undefined ? prefixOf('default', r.family) : prefixOf(r.from, r.family);
  if (s.fromRoot !== undefined) {
    if (s.fromRoot.family !== r.family || src.length < s.fromRoot.length || !inPrefix(src.address, s.fromRoot))
      return false;
  }
  if (s.fromMatch !== undefined) {
    if (s.fromMatch.family !== r.family || src.length > s.fromMatch.length || !inPrefix(s.fromMatch.address, src))
      return false;
  }
  return true;
}

/** The words the selector fixed, which ip leaves out. */
function wordsShown(s: RouteSelector): RouteWordsShown {
  const shown: RouteWordsShown = {};
  if (s.tableNamed) shown.table = false;
  if (s.link !== undefined) shown.dev = false;
  if (s.via !== undefined && s.via.length === hostLength(s.via)) shown.via = false;
  if (s.src !== undefined && s.src.length === hostLength(s.src)) shown.src = false;
  if (s.protocol !== undefined) shown.proto = false;
  if (s.scope !== undefined) shown.scope = false;
  if (s.metric !== undefined) shown.metric = false;
  if (s.tos !== undefined) shown.tos = false;
  // ip prints the realms unless the selector fixed both (its realmmask ~0).
  if (s.realms?.both) shown.realms = false;
  return shown;
}

/** A host prefix without its /32 (/128), as ip prints one. */
function hostless(prefix: string, family: 4 | 6): string {
  const host = family === 4 ? '/32' : '/128';
  return prefix.endsWith(host) ? prefix.slice(0, -host.length) : prefix;
}

/** The metrics as `ip -j route` gives them: one object, each by its word, a time in ms. */
function metricsJson(r: Route): Record<string, unknown> {
  const words = metricWords(r.metrics ?? {}).filter((w) => w !== 'lock');
  const out: Record<string, unknown> = {};
  for (let i = 0; i < words.length; i += 2) {
    const [name, value] = [words[i] as string, words[i + 1] as string];
    // print_rta_metrics' JSON names: `"ecn": null` for features ecn, congestion for congctl.
    if (name === 'features' && value === 'ecn') {
      out.ecn = null;
      continue;
    }
    if (name === 'congctl') {
      out.congestion = value;
      continue;
    }
    const ms = /^([0-9.]+)(ms|s)$/.exec(value);
    if (ms) out[name] = Number(ms[1]) * (ms[2] === 's' ? 1000 : 1);
    else out[name] = /^[0-9]+$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** RTA_CACHEINFO as print_rta_cacheinfo's JSON gives it: each figure unless 0 (age in seconds). */
function cacheInfoJson(r: Route, stats: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  if (r.expires !== undefined && r.expires !== 0) out.expires = r.expires;
  const c = r.cacheInfo;
  if (c === undefined) return out;
  if (c.error !== 0) out.error = c.error >>> 0;
  if (stats) {
    if (c.users !== 0) out.users = c.users;
    if (c.used !== 0) out.used = c.used;
    if (c.ageMs !== 0) out.age = Math.floor(c.ageMs / 1000);
  }
  return out;
}

/** One route as `ip -j route show` gives it (print_route's keys, in its order). */
export function routeJson(r: Route, shown: RouteWordsShown = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.type !== 'unicast') out.type = r.type;
  out.dst = hostless(r.destination, r.family);
  if (r.from !== undefined) out.from = hostless(r.from, r.family);
  if (r.nexthopId !== undefined) out.nhid = r.nexthopId;
  // ip prints the encap's keys here, in the route's object: its `dst` (the tunnel's) comes
  // twice in ip's text, the later one what a JSON parser keeps, so it overwrites the route's.
  if (r.encap !== undefined) Object.assign(out, encapJson(r.encap));
  if (r.tos !== undefined && shown.tos !== false) out.tos = r.tosName ?? tosText(r.tos);
  if (r.gateway !== undefined && shown.via !== false) out.gateway = r.gateway;
  if (r.linkIndex !== undefined && shown.dev !== false) out.dev = r.link ?? `if${r.linkIndex}`;
  if (r.table !== 254 && shown.table !== false) out.table = r.tableName ?? String(r.table);
  // A cached route's protocol and scope are not its own: ip leaves them out.
  if (r.protocol !== 'boot' && shown.proto !== false && !r.cached) out.protocol = r.protocol;
  if (r.scope !== 'global' && shown.scope !== false && !r.cached) out.scope = r.scope;
  if (r.source !== undefined && shown.src !== false) out.prefsrc = r.source;
  if (r.metric !== undefined && shown.metric !== false) out.metric = r.metric;
  out.flags = flagWords(r);
  const flow = shown.realms === false ? undefined : realmsJson(r);
  if (flow !== undefined) out.flow = flow;
  // An IPv4 cached route's flags (print_cache_flags: always the key, an empty list for none).
  if (r.cached && r.family === 4) out.cache = r.cacheFlags ?? [];
  Object.assign(out, cacheInfoJson(r, shown.stats === true));
  if (r.metrics !== undefined) out.metrics = [metricsJson(r)];
  if (r.preference !== undefined) out.pref = r.preference;
  if (r.nexthops !== undefined) {
    out.nexthops = r.nexthops.map((hop) => ({
      ...(hop.encap !== undefined && encapJson(hop.encap)),
      ...(hop.gateway !== undefined && { gateway: hop.gateway }),
      ...(hop.realm !== undefined && { flow: realmsJson(hop) }),
      ...(hop.linkIndex !== undefined && { dev: hop.link ?? `if${hop.linkIndex}` }),
      weight: hop.weight,
      flags: flagWords(hop),
    }));
  }
  return out;
}

/**
 * `ip -j route get`'s answer (lookupLine's keys, print_route's JSON names): an IPv4 one as the
 * cached clone it is (no table, protocol or scope; `mark`, `uid`, `cache`, the input link), an
 * IPv6 one (and any with fibmatch) as a route of the table, IPv6 `from` the source asked for or
 * `::`.
 */
export function lookupJson(
  r: RouteLookup,
  from: string | undefined,
  fibMatch: boolean,
  stats: boolean,
): Record<string, unknown> {
  if (fibMatch) return routeJson(r, { stats });
  if (r.family === 6) return routeJson({ ...r, from: from ?? '::' }, { stats });
  const out: Record<string, unknown> = {};
  if (r.type !== 'unicast') out.type = r.type;
  out.dst = hostless(r.destination, 4);
  if (from !== undefined) out.from = from;
  if (r.nexthopId !== undefined) out.nhid = r.nexthopId;
  if (r.encap !== undefined) Object.assign(out, encapJson(r.encap));
  if (r.tos !== undefined) out.tos = r.tosName ?? tosText(r.tos);
  if (r.gateway !== undefined) out.gateway = r.gateway;
  if (r.linkIndex !== undefined) out.dev = r.link ?? `if${r.linkIndex}`;
  if (r.source !== undefined) out.prefsrc = r.source;
  if (r.metric !== undefined) out.metric = r.metric;
  out.flags = flagWords(r);
  if (r.mark !== undefined) out.mark = r.mark;
  const flow = realmsJson(r);
  if (flow !== undefined) out.flow = flow;
  if (r.uid !== undefined) out.uid = r.uid;
  if (r.cached) out.cache = r.cacheFlags ?? [];
  Object.assign(out, cacheInfoJson(r, stats));
  if (r.metrics !== undefined) out.metrics = [metricsJson(r)];
  if (r.inputLinkIndex !== undefined) out.iif = r.inputLink ?? `if${r.inputLinkIndex}`;
  return out;
}

export async function routeShow(args: ParsedArgs, words: Words, io: Io): Promise<number> {
  const selector = readRouteSelector(words, args.family);
  // ip lists IPv4 only unless -6 or the table is all (then both, as the kernel dumps them).
  const family = args.family ?? (selector.table === 0 ? undefined : 4);
  const ns = await namespaceOf(args.netns);
  const linkIndex = selector.link === undefined ? undefined : (await ns.link(selector.link)).index;
  // The input link must exist (ENODEV, as ip's "Cannot find device"), though it selects none.
  if (selector.inputLink !== undefined) await ns.link(selector.inputLink);
  // The realms selector filters in the library: each half given (ip's realmmask).
  const realms = selector.realms;
  const all = await ns.routes({
    ...(selector.cache === true && { cache: true }),
    table: selector.table,
    ...(family !== undefined && { family }),
    ...(realms !== undefined && (realms.both || realms.sourceRealm === undefined) && { realm: realms.realm }),
    ...(realms?.sourceRealm !== undefined && { sourceRealm: realms.sourceRealm }),
  });
  const routes = all.filter((r) => selected(r, selector, linkIndex));
  const shown: RouteWordsShown = { ...wordsShown(selector), stats: args.stats > 0 };
  if (args.json) await io.json(routes.map((r) => routeJson(r, shown)));
  else await io.out(routes.map((r) => `${routeLine(r, shown)}\n`).join(''));
  return 0;
}
