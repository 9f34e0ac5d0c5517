/**
 * `netns-native [-n NS] [-4|-6] nexthop ...`: nexthop objects as `ip nexthop` lists, adds,
 * deletes and flushes them (ns.nexthops, ns.addNexthop, ns.deleteNexthop, ns.flushNexthops).
 *   nexthop [show|list] [id N] [dev LINK] [groups]
 *   nexthop add|replace [id N] [via GW] [dev LINK] [onlink] | blackhole | group ID[,W]/... [type mpath]
 *                            [fdb] [proto P]
 *   nexthop delete id N
 *   nexthop flush [id N] [dev LINK] [groups] [proto P] [fdb]
 */
import type { FlushNexthopsOptions, NexthopGroupMember, NexthopObjectSpec } from '../../index';
import type { ParsedArgs } from '../args';
import { nexthopJson, nexthopLine, type NexthopShown } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { unsigned, Words } from '../words';

const SUBCOMMANDS = ['show', 'list', 'add', 'replace', 'delete', 'del', 'flush'];

/** Each keyword's slot: a slot given twice is an error. */
const SLOT: Readonly<Record<string, string>> = {
  id: 'id',
  via: 'via',
  dev: 'dev',
  onlink: 'onlink',
  blackhole: 'blackhole',
  group: 'group',
  type: 'type',
  fdb: 'fdb',
  buckets: 'buckets',
  idle_timer: 'idle_timer',
  unbalanced_timer: 'unbalanced_timer',
  proto: 'protocol',
  protocol: 'protocol',
};

/** ip's keywords that the library has no field for (encapsulation, hardware statistics). */
const NOT_TAKEN = ['encap', 'hw_stats'];

export async function nexthop(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'nexthop');
  const typed = words.next() ?? 'show';
  const sub = subcommandOf('nexthop', typed) as string;
  if (!SUBCOMMANDS.includes(sub)) {
    throw words.error(`unknown command ${JSON.stringify(typed)} (${SUBCOMMANDS.join(', ')})`);
  }
  words.context = `nexthop ${typed}`;
  // As print_nexthop, for shows and -echo alike: -d adds every scope and protocol.
  const shown: NexthopShown = { details: args.details };
  // ip takes -s there and prints nothing more (6.1 has no rule or nexthop counters).
  if (args.stats > 0 && sub !== 'show' && sub !== 'list') throw words.error('-s is for nexthop show only');
  if (sub === 'show' || sub === 'list') {
    const filter = readShow(words);
    if (args.family !== undefined) filter.family = args.family;
    const all = await (await namespaceOf(args.netns)).nexthops(filter);
    if (args.json) await io.json(all.map((n) => nexthopJson(n, shown)));
    else await io.out(all.map((n) => `${nexthopLine(n, shown)}\n`).join(''));
    return 0;
  }
  if (sub === 'flush') {
    const filter: FlushNexthopsOptions = readShow(words, true);
    if (args.family !== undefined) filter.family = args.family;
    const removed = await (await namespaceOf(args.netns)).flushNexthops(filter);
    // As ip: a count, except for one id (which ip deletes as `nexthop del` would, silently).
    if (filter.id === undefined) {
      await io.out(removed.length > 0 ? `Flushed ${removed.length} nexthops\n` : 'Nothing to flush\n');
    }
    return 0;
  }
  if (sub === 'delete' || sub === 'del') {
    const seen = new Set<string>();
    let id: number | undefined;
    for (let word = words.next(); word !== undefined; word = words.next()) {
      if (word !== 'id') throw words.unexpected(word);
      words.once(seen, 'id');
      id = words.integer('id');
    }
    if (id === undefined) throw words.needs('id N: nexthop delete id N');
    const ns = await namespaceOf(args.netns);
    if (!args.echo) {
      await ns.deleteNexthop(id);
      return 0;
    }
    // As `ip -echo nexthop del`: "Deleted " and the nexthop as the kernel removed it.
    const gone = await ns.deleteNexthop(id, { echo: true });
    if (args.json) await io.json([{ deleted: true, ...nexthopJson(gone, shown) }]);
    else await io.out(`Deleted ${nexthopLine(gone, shown)}\n`);
    return 0;
  }
  const spec = readNexthop(words);
  if (args.family !== undefined) spec.family = args.family;
  const made = await (await namespaceOf(args.netns)).addNexthop(spec, sub === 'replace' ? { replace: true } : {});
  // As `ip -echo nexthop add`: the nexthop the kernel made (addNexthop always has it echoed).
  if (args.echo) {
    if (args.json) await io.json([nexthopJson(made, shown)]);
    else await io.out(`${nexthopLine(made, shown)}\n`);
  }
  return 0;
}

/** show's filters (id, dev, groups); `flush` also takes proto and fdb. */
function readShow(words: Words, flush = false): FlushNexthopsOptions {
  const filter: FlushNexthopsOptions = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    words.once(seen, word);
    if (word === 'id') filter.id = words.integer('id');
    else if (word === 'dev') filter.link = words.value('dev', 'a link name');
    else if (word === 'groups') filter.group = true;
    else if (flush && (word === 'proto' || word === 'protocol'))
      filter.protocol = words.value(word, 'a protocol (a number or a name)');
    else if (flush && word === 'fdb') filter.fdb = true;
    else throw words.unexpected(word);
  }
  return filter;
}

function readNexthop(words: Words): NexthopObjectSpec {
  const spec: NexthopObjectSpec = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    const slot = Object.hasOwn(SLOT, word) ? SLOT[word] : undefined;
    if (slot === undefined) throw NOT_TAKEN.includes(word) ? words.notTaken(word) : words.unexpected(word);
    words.once(seen, slot);
    if (word === 'id') spec.id = words.integer('id');
    else if (word === 'via') spec.gateway = words.value('via', 'a gateway address');
    else if (word === 'dev') spec.link = words.value('dev', 'a link name');
    else if (word === 'onlink') spec.onlink = true;
    else if (word === 'blackhole') spec.blackhole = true;
    else if (word === 'group') spec.group = readGroup(words);
    else if (word === 'type') {
      const type = words.value('type', 'a group type (mpath or resilient)');
      if (type !== 'mpath' && type !== 'resilient') {
        throw words.error(`type: ${JSON.stringify(type)} is not a group type (mpath or resilient)`);
      }
      spec.groupType = type;
    } else if (word === 'fdb') spec.fdb = true;
    else if (word === 'buckets') spec.buckets = words.integer('buckets');
    else if (word === 'idle_timer') spec.idleTimer = words.integer('idle_timer');
    else if (word === 'unbalanced_timer') spec.unbalancedTimer = words.integer('unbalanced_timer');
    else spec.protocol = words.value(word, 'a protocol (a number or a name)');
  }
  // Without id, as ip: the kernel picks one (`nexthop show` lists it).
  return spec;
}

/** `group 1/2,3`: members by id, each with ,WEIGHT or not. */
function readGroup(words: Words): NexthopGroupMember[] {
  const word = words.value('group', 'its members: ID[,WEIGHT]/ID[,WEIGHT]...');
  return word.split('/').map((member) => {
    const [id, weight, ...rest] = member.split(',').map(unsigned);
    if (id === undefined || (member.includes(',') && weight === undefined) || rest.length > 0) {
      throw words.error(`group needs ID[,WEIGHT]/ID[,WEIGHT]... (numbers), not ${JSON.stringify(word)}`);
    }
    return weight === undefined ? { id } : { id, weight };
  });
}
