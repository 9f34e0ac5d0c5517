/**
 * `netns-native monitor [NS] [--events link,address,route,neighbour,rule,nexthop,netconf]`: changes as
 * they happen, like `ip monitor`, one line each (`--json`: one object per line), until interrupted (SIGINT,
 * SIGTERM: exit 0) or the namespace is deleted.
 *
 * Built on ns.monitor(): the order is the kernel's, and a `resync` line says when the kernel
 * dropped notifications and the whole state was read again (the links, and each kind watched:
 * `resync (overrun): 2 links, 3 addresses, 5 routes`).
 */
import type { MonitorEvent as Event, MonitorEventType } from '../../monitor';
import { operandsAtMost, UsageError, type ParsedArgs } from '../args';
import { addressText, linkFlags, nexthopLine, routeLine, ruleLine } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { netconfLine } from './netconf';

const EVENT_TYPES: MonitorEventType[] = ['link', 'address', 'route', 'neighbour', 'rule', 'nexthop', 'netconf'];
/** What ns.monitor() watches when not told. */
const DEFAULT_EVENTS: MonitorEventType[] = ['link', 'address', 'route'];

/** What a resync re-read, counted in its line: the links always (events name them), then each kind watched. */
const RESYNC_COUNTS: Array<[MonitorEventType, string, (e: Resync) => number]> = [
  ['address', 'addresses', (e) => e.addresses.length],
  ['route', 'routes', (e) => e.routes.length],
  ['neighbour', 'neighbours', (e) => e.neighbours.length],
  ['rule', 'rules', (e) => e.rules.length],
  ['nexthop', 'nexthops', (e) => e.nexthops.length],
  ['netconf', 'netconf entries', (e) => e.netconf.length],
];

type Resync = Extract<Event, { type: 'resync' }>;

/** `resync (overrun): 3 links, 5 addresses, ...`: the counts of what the resync read again. */
export function resyncLine(e: Resync, watched: readonly MonitorEventType[]): string {
  const counts = [`${e.links.length} links`];
  for (const [kind, what, count] of RESYNC_COUNTS) if (watched.includes(kind)) counts.push(`${count(e)} ${what}`);
  return `resync (${e.reason}): ${counts.join(', ')}`;
}

function line(e: Event, watched: readonly MonitorEventType[]): string {
  const deleted = 'action' in e && e.action === 'delete' ? 'Deleted ' : '';
  switch (e.type) {
    case 'link':
      // One event has no other link's flags: M-DOWN when the kernel says the lower layer is down.
      return `${deleted}${e.link.index}: ${e.link.name}: ${linkFlags(e.link.flags, e.link.operState === 'lowerlayerdown')} mtu ${e.link.mtu} state ${e.link.operState.toUpperCase()}`;
    case 'address':
      return `${deleted}${e.address.linkIndex}: ${e.address.family === 4 ? 'inet' : 'inet6'} ${addressText(e.address)} scope ${e.address.scope}`;
    case 'route':
      return `${deleted}${routeLine(e.route)}`;
    case 'neighbour': {
      // As `ip monitor neigh`: ADDRESS dev LINK [lladdr MAC] [router] [extern_learn] STATE
      const n = e.neighbour;
      const flags = `${n.router ? ' router' : ''}${n.extLearned ? ' extern_learn' : ''}`;
      return `${deleted}${n.address} dev ${n.link}${n.mac ? ` lladdr ${n.mac}` : ''}${flags} ${n.state.toUpperCase()}`;
    }
    case 'rule':
      return `${deleted}${ruleLine(e.rule)}`;
    case 'nexthop':
      return `${deleted}${nexthopLine(e.nexthop)}`;
    case 'netconf':
      return `${deleted}${netconfLine(e.netconf)}`;
    case 'resync':
      return resyncLine(e, watched);
    case 'namespace-deleted':
      return 'namespace deleted';
  }
}

function json(e: Event): unknown {
  if (e.type === 'link') return { ...e, link: e.link.toJSON() };
  if (e.type === 'resync') return { ...e, links: e.links.map((l) => l.toJSON()) };
  return e;
}

export async function monitor(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 1, 'at most a namespace (NS)');
  const events = args.events?.split(',').map((t) => t.trim()) as MonitorEventType[] | undefined;
  for (const t of events ?? []) {
    if (!EVENT_TYPES.includes(t))
      throw new UsageError(`unknown event type ${JSON.stringify(t)} in --events (${EVENT_TYPES.join(', ')})`);
  }
  const ns = await namespaceOf(args.operands[0]);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const m = ns.monitor({ ...(events && { events }), signal: stop.signal });
    for await (const e of m) {
      if (args.json) await io.json(json(e));
      else await io.out(`${line(e, events ?? DEFAULT_EVENTS)}\n`);
      if (e.type === 'namespace-deleted') break;
    }
  } catch (e) {
    if (!stop.signal.aborted) throw e; // interrupted: a normal end
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  return 0;
}
