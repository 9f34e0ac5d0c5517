/**
 * `netns-native [-n NS] [-4|-6] route [show|add|replace|change|delete|get|flush] ...`: routes as
 * `ip route` lists (route-show.ts), adds, changes, deletes, looks up and flushes them (ns.routes,
 * ns.addRoute, ns.deleteRoute, ns.routeTo, ns.flushRoutes).
 *   route [show|list] [SELECTOR] (route-show.ts)
 *   route add|replace|change|append|prepend|delete [TYPE] PREFIX|default [from PREFIX] [tos TOS]
 *                    [via GW] [dev LINK] [nhid ID] [metric N] [table T] [src ADDR] [proto P]
 *                    [scope S] [onlink] [pref P] [expires N] [realms [SRC/]DST]
 *                    [METRIC [lock] VALUE]... [encap ENCAP]
 *                    [nexthop [via GW] [dev LINK] [weight W] [onlink] [realms [SRC/]DST]
 *                             [encap ENCAP]]...
 *     ENCAP := ip [id N] [dst A] [src A] [ttl N] [tos T] [key] [csum] [seq]
 *            | ip6 [id N] [dst A] [src A] [hoplimit N] [tc T] [key] [csum] [seq]
 *            | seg6 mode inline|encap|l2encap|encap.red|l2encap.red segs A[,A...] [hmac N]
 *            | seg6local action A [table T] [vrftable T] [nh4 A] [nh6 A]
 *            | mpls LABEL[/LABEL...] [ttl N]     (route-encap-words.ts)
 *   route get ADDRESS [from ADDR] [iif LINK] [oif LINK] [mark N] [tos TOS] [uid N] [ipproto P]
 *             [sport N] [dport N] [fibmatch] [connected]
 *   route flush [cache] [table T] [dev LINK] [proto P]   (IPv4 unless -6 or table all, as ip;
 *               `cache`: the route exceptions, IPv4's all at once whatever the selectors)
 */
import type {
  FlushRoutesOptions,
  NexthopSpec,
  RouteMetrics,
  RoutePreference,
  RouteSpec,
  RouteToOptions,
  RouteType,
} from '../../index';
import { dsfieldWord } from '../dsfield-word';
import type { ParsedArgs } from '../args';
import { invalid } from '../../internal/errors';
import { lookupLine, routeLine } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { ipProtocolNumber } from '../../ip-protocols';
import { numberOrName, unsigned, Words } from '../words';
import { realmsSpec, realmsWord } from '../realms-word';
import { METRIC_WORDS, readMetricWord } from './route-metric-words';
import { readEncap } from '../route-encap-words';
import { lookupJson, routeJson, routeShow } from './route-show';

const SUBCOMMANDS = ['show', 'add', 'replace', 'change', 'append', 'prepend', 'delete', 'del', 'get', 'flush'];
const TYPES: readonly string[] = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'throw'];

export async function route(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'route');
  const typed = words.next() ?? 'show';
  const sub = subcommandOf('route', typed) as string;
  if (!SUBCOMMANDS.includes(sub))
    throw words.error(`unknown command ${JSON.stringify(typed)} (${SUBCOMMANDS.join(', ')})`);
  words.context = `route ${typed}`;
  if (args.stats > 0 && sub !== 'show' && sub !== 'get') throw words.error('-s is for route show and get only');
  if (sub === 'show') return routeShow(args, words, io);
  if (sub === 'flush') {
    const options = readFlush(words);
    // As ip: IPv4 only unless told (-6), or both for `table all`.
    const all = options.table === 0 || options.table === 'all';
    const family = args.family ?? (all ? undefined : 4);
    const ns = await namespaceOf(args.netns);
    if (options.cache) {
      // ip's iproute_flush: net.ipv4.route.flush whatever the selectors (they select nothing
      // among IPv4 exceptions), then for IPv6 the exceptions they select, one by one.
      if (family !== 6) await ns.flushRoutes({ cache: true, family: 4 });
      if (family !== 4) await ns.flushRoutes({ ...options, family: 6 });
      return 0;
    }
    await ns.flushRoutes({ ...options, ...(family !== undefined && { family }) });
    return 0;
  }
  if (args.family !== undefined) throw words.error(`-${args.family} is for route show and flush only`);
  if (sub === 'get') {
    const [address, options, connected] = readGet(words);
    const ns = await namespaceOf(args.netns);
    const found = await ns.routeTo(address, options);
    const fibMatch = options.fibMatch === true;
    const stats = args.stats > 0;
    // `connected` without `from`: a second lookup from the source address the first answer
    // would use (iproute_get's intent: ip 6.1 sends its first request again, so prints the
    // first answer twice); both printed, --json as an array of the two.
    if (connected && options.source === undefined) {
      if (!args.json) await io.out(`${lookupLine(found, undefined, fibMatch, stats)}\n`);
      if (found.source === undefined) {
        throw invalid(
          `${words.context} ${address} connected`,
          'the route has no source address to connect it with (ip: "Failed to connect the route")',
        );
      }
      const again = await ns.routeTo(address, { ...options, source: found.source });
      if (args.json)
        await io.json([
          lookupJson(found, undefined, fibMatch, stats),
          lookupJson(again, found.source, fibMatch, stats),
        ]);
      else await io.out(`${lookupLine(again, found.source, fibMatch, stats)}\n`);
      return 0;
    }
    if (args.json) await io.json([lookupJson(found, options.source, fibMatch, stats)]);
    else await io.out(`${lookupLine(found, options.source, fibMatch, stats)}\n`);
    return 0;
  }
  const spec = readRoute(words);
  const ns = await namespaceOf(args.netns);
  const deleting = sub === 'delete' || sub === 'del';
  if (!args.echo) {
    if (deleting) await ns.deleteRoute(spec);
    else await ns.addRoute(spec, sub === 'add' ? {} : { [sub]: true });
    return 0;
  }
  // As `ip -echo route add|del`: the route the kernel made or removed, as print_route prints it
  // ("Deleted " before a removed one).
  const echoed = deleting
    ? await ns.deleteRoute(spec, { echo: true })
    : await ns.addRoute(spec, { ...(sub !== 'add' && { [sub]: true }), echo: true });
  if (args.json) await io.json([{ ...(deleting && { deleted: true }), ...routeJson(echoed) }]);
  else await io.out(`${deleting ? 'Deleted ' : ''}${routeLine(echoed)}\n`);
  return 0;
}

/** Each keyword's slot: a slot given twice is an error. */
const ROUTE_SLOT: Readonly<Record<string, string>> = {
  to: 'PREFIX',
  via: 'via',
  dev: 'dev',
  nhid: 'nhid',
  oif: 'dev',
  metric: 'metric',
  priority: 'metric',
  preference: 'metric',
  table: 'table',
  src: 'src',
  proto: 'proto',
  protocol: 'proto',
  scope: 'scope',
  onlink: 'onlink',
  from: 'from',
  tos: 'tos',
  dsfield: 'tos',
  pref: 'pref',
  expires: 'expires',
  realm: 'realms',
  realms: 'realms',
  encap: 'encap',
  ...Object.fromEntries(METRIC_WORDS.map((word) => [word, word])),
};

/** ip's keywords for what the library has no field. */
const ROUTE_NOT_TAKEN = ['as', 'ttl-propagate', 'vrf'];

const PREFERENCES: readonly string[] = ['low', 'medium', 'high'];

function readRoute(words: Words): RouteSpec {
  let destination: string | undefined;
  let type: RouteType | undefined;
  const spec: Omit<RouteSpec, 'destination'> = {};
  const metrics: RouteMetrics = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (ROUTE_NOT_TAKEN.includes(word)) throw words.notTaken(word);
    if (word === 'nexthop') {
      // As ip: the hops end the line.
      spec.nexthops = readNexthops(words);
      break;
    }
    const slot = Object.hasOwn(ROUTE_SLOT, word) ? ROUTE_SLOT[word] : undefined;
    if (slot === undefined) {
      // A word that is no keyword: the route's type (before its prefix), then its prefix.
      if (destination === undefined && type === undefined && TYPES.includes(word)) type = word as RouteType;
      else if (destination === undefined) {
        seen.add('PREFIX');
        destination = word;
      } else throw words.unexpected(word);
      continue;
    }
    words.once(seen, slot);
    if (word === 'to') destination = words.value('to', 'a prefix or default');
    else if (word === 'via') spec.gateway = words.value('via', 'a gateway address');
    else if (slot === 'dev') spec.link = words.value(word, 'a link name');
    else if (word === 'nhid') spec.nexthopId = words.integer('nhid');
    else if (slot === 'metric') spec.metric = words.integer(word);
    else if (word === 'table') spec.table = numberOrName(words.value('table', 'a table (a number or a name)'));
    else if (word === 'src') spec.source = words.value('src', 'an address');
    else if (slot === 'proto') spec.protocol = words.value(word, 'a protocol (a number or a name)');
    else if (word === 'scope') spec.scope = words.value('scope', 'a scope (global, link, host)');
    else if (word === 'onlink') spec.onlink = true;
    else if (word === 'from') spec.from = words.value('from', 'a source prefix');
    else if (slot === 'tos') spec.tos = dsfieldWord(words, word);
    else if (word === 'expires') spec.expires = words.integer('expires');
    else if (slot === 'realms') Object.assign(spec, realmsSpec(realmsWord(words, word)));
    else if (word === 'encap') spec.encap = readEncap(words);
    else if (word === 'pref') {
      const value = words.value('pref', 'low, medium or high');
      if (!PREFERENCES.includes(value))
        throw words.error(`pref takes low, medium or high, not ${JSON.stringify(value)}`);
      spec.preference = value as RoutePreference;
    } else readMetricWord(words, word, metrics);
  }
  if (destination === undefined) {
    throw words.needs(`a prefix: ${words.context} PREFIX|default [via GW] [dev LINK] ...`);
  }
  return {
    destination,
    ...spec,
    ...(Object.keys(metrics).length > 0 && { metrics }),
    ...(type !== undefined && { type }),
  };
}

/**
 * The hops after `nexthop` (ip's parse_nexthops): each `nexthop [via GW] [dev LINK] [weight W]
 * [onlink] [realms [SRC/]DST]`.
 */
function readNexthops(words: Words): NexthopSpec[] {
  const hops: NexthopSpec[] = [];
  let hop: NexthopSpec = {};
  let seen = new Set<string>();
  for (let word: string | undefined = 'nexthop'; word !== undefined; word = words.next()) {
    if (word === 'nexthop') {
      hop = {};
      hops.push(hop);
      seen = new Set();
      continue;
    }
    if (ROUTE_NOT_TAKEN.includes(word)) throw words.notTaken(word);
    const slot = word === 'oif' ? 'dev' : word === 'realm' ? 'realms' : word;
    if (!['via', 'dev', 'weight', 'onlink', 'realms', 'encap'].includes(slot)) throw words.unexpected(word);
    words.once(seen, `nexthop ${slot}`);
    if (word === 'via') hop.gateway = words.value('via', 'a gateway address');
    else if (word === 'encap') hop.encap = readEncap(words);
    else if (slot === 'dev') hop.link = words.value(word, 'a link name');
    else if (word === 'weight') hop.weight = words.integer('weight', 256);
    else if (slot === 'realms') Object.assign(hop, realmsSpec(realmsWord(words, word)));
    else hop.onlink = true;
  }
  return hops;
}

/** route get's keywords, each by its slot (dev is oif, dsfield tos). */
const GET_WORDS = ['to', 'from', 'iif', 'oif', 'mark', 'tos', 'uid', 'ipproto', 'sport', 'dport', 'fibmatch'];
/** ip's route get words with no library option (a VRF's table, NAT's as, a cache notify flag). */
const GET_NOT_TAKEN = ['vrf', 'as', 'notify'];

/** `ipproto P`: a number, or a name of /etc/protocols (tcp, udp, icmp, ipv6-icmp), as ip reads it. */
function ipProtoWord(words: Words): number {
  const value = words.value('ipproto', 'a protocol (tcp, udp, icmp, ipv6-icmp or a number)');
  const n = unsigned(value) ?? ipProtocolNumber(value);
  if (n === undefined || n > 255) {
    throw words.error(`ipproto needs a protocol (tcp, udp, icmp, ipv6-icmp or a number), not ${JSON.stringify(value)}`);
  }
  return n;
}

/** `[to] ADDRESS` and the rest of route get; the third: `connected` was given. */
function readGet(words: Words): [string, RouteToOptions, boolean] {
  let address: string | undefined;
  let connected = false;
  const options: RouteToOptions = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (GET_NOT_TAKEN.includes(word)) throw words.notTaken(word);
    // ip's matches(): any beginning of the word (no address begins so).
    if (word !== '' && 'connected'.startsWith(word)) {
      words.once(seen, 'connected');
      connected = true;
      continue;
    }
    const slot = word === 'dev' ? 'oif' : word === 'dsfield' ? 'tos' : word;
    if (!GET_WORDS.includes(slot)) {
      if (address !== undefined) throw words.unexpected(word);
      seen.add('to');
      address = word;
      continue;
    }
    words.once(seen, slot);
    if (word === 'to') address = words.value('to', 'an address');
    else if (word === 'from') options.source = words.value('from', 'an address');
    else if (word === 'iif') options.inputLink = words.value('iif', 'a link name');
    else if (slot === 'oif') options.outputLink = words.value(word, 'a link name');
    else if (word === 'mark') options.mark = words.integer('mark');
    else if (slot === 'tos') options.tos = dsfieldWord(words, word);
    else if (word === 'uid') options.uid = words.integer('uid');
    else if (word === 'ipproto') options.protocol = ipProtoWord(words);
    else if (word === 'sport') options.sourcePort = words.integer('sport', 0xffff);
    else if (word === 'dport') options.destinationPort = words.integer('dport', 0xffff);
    else options.fibMatch = true;
  }
  if (address === undefined) throw words.needs('an address: route get ADDRESS [from ADDR] [iif LINK] ...');
  return [address, options, connected];
}

function readFlush(words: Words): FlushRoutesOptions {
  const options: FlushRoutesOptions = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (word === 'cache' || word === 'cached' || word === 'cloned') {
      options.cache = true;
      continue;
    }
    const slot = word === 'protocol' ? 'proto' : word;
    words.once(seen, slot);
    if (word === 'table') {
      const table = numberOrName(words.value('table', 'a table (a number, a name, all or cache)'));
      // As ip: `table cache` is the cache (of the main table).
      if (table === 'cache') options.cache = true;
      else options.table = table;
    } else if (word === 'dev') options.link = words.value('dev', 'a link name');
    else if (slot === 'proto') options.protocol = words.value(word, 'a protocol (a number or a name)');
    else throw words.unexpected(word);
  }
  return options;
}
