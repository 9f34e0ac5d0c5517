/**
 * `netns-native [-n NS] [-4|-6] route [show|add|replace|delete|get|flush] ...`: routes as `ip
 * route` lists (route-show.ts), adds, deletes, looks up and flushes them (ns.routes,
 * ns.addRoute, ns.deleteRoute, ns.routeTo, ns.flushRoutes).
 *   route [show|list] [SELECTOR] (route-show.ts)
 *   route add|replace|delete [TYPE] PREFIX|default [via GW] [dev LINK] [nhid ID] [metric N]
 *                    [table T] [src ADDR] [proto P] [scope S] [onlink]
 *   route get ADDRESS [from ADDR] [iif LINK] [oif LINK] [mark N] [fibmatch]
 *   route flush [table T] [dev LINK] [proto P]
 */
import type { FlushRoutesOptions, RouteSpec, RouteToOptions, RouteType } from '../../index';
import type { ParsedArgs } from '../args';
import { lookupLine } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { numberOrName, Words } from '../words';
import { routeShow } from './route-show';

const SUBCOMMANDS = ['show', 'add', 'replace', 'delete', 'del', 'get', 'flush'];
const TYPES: readonly string[] = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'throw'];

export async function route(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'route');
  const typed = words.next() ?? 'show';
  const sub = subcommandOf('route', typed) as string;
  if (!SUBCOMMANDS.includes(sub))
    throw words.error(`unknown command ${JSON.stringify(typed)} (${SUBCOMMANDS.join(', ')})`);
  words.context = `route ${typed}`;
  if (sub === 'show') return routeShow(args, words, io);
  if (args.family !== undefined) throw words.error(`-${args.family} is for route show only`);
  if (sub === 'get') {
    const [address, options] = readGet(words);
    const found = await (await namespaceOf(args.netns)).routeTo(address, options);
    if (args.json) await io.json(found);
    else await io.out(`${lookupLine(found, options.source, options.fibMatch === true)}\n`);
    return 0;
  }
  if (sub === 'flush') {
    const options = readFlush(words);
    await (await namespaceOf(args.netns)).flushRoutes(options);
    return 0;
  }
  const spec = readRoute(words);
  const ns = await namespaceOf(args.netns);
  if (sub === 'delete' || sub === 'del') await ns.deleteRoute(spec);
  else await ns.addRoute(spec, sub === 'replace' ? { replace: true } : {});
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
};

function readRoute(words: Words): RouteSpec {
  let destination: string | undefined;
  let type: RouteType | undefined;
  const spec: Omit<RouteSpec, 'destination'> = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
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
    else spec.onlink = true;
  }
  if (destination === undefined) {
    throw words.needs(`a prefix: ${words.context} PREFIX|default [via GW] [dev LINK] ...`);
  }
  return { destination, ...spec, ...(type !== undefined && { type }) };
}

function readGet(words: Words): [string, RouteToOptions] {
  let address: string | undefined;
  const options: RouteToOptions = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (!['to', 'from', 'iif', 'oif', 'mark', 'fibmatch'].includes(word)) {
      if (address !== undefined) throw words.unexpected(word);
      seen.add('to');
      address = word;
      continue;
    }
    words.once(seen, word);
    if (word === 'to') address = words.value('to', 'an address');
    else if (word === 'from') options.source = words.value('from', 'an address');
    else if (word === 'iif') options.inputLink = words.value('iif', 'a link name');
    else if (word === 'oif') options.outputLink = words.value('oif', 'a link name');
    else if (word === 'mark') options.mark = words.integer('mark');
    else options.fibMatch = true;
  }
  if (address === undefined) throw words.needs('an address: route get ADDRESS [from ADDR] [iif LINK] ...');
  return [address, options];
}

function readFlush(words: Words): FlushRoutesOptions {
  const options: FlushRoutesOptions = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    const slot = word === 'protocol' ? 'proto' : word;
    words.once(seen, slot);
    if (word === 'table') options.table = numberOrName(words.value('table', 'a table (a number, a name or all)'));
    else if (word === 'dev') options.link = words.value('dev', 'a link name');
    else if (slot === 'proto') options.protocol = words.value(word, 'a protocol (a number or a name)');
    else throw words.unexpected(word);
  }
  return options;
}
