/**
 * `netns-native monitor [NS] [--events link,address,route]`: changes as they happen, like
 * `ip monitor`, one line each (`--json`: one object per line), until interrupted (SIGINT,
 * SIGTERM: exit 0) or the namespace is deleted.
 *
 * Built on ns.monitor(). In a build without it, the verb fails with ENOSYS and says so.
 * @internal
 */
import { NetnsError, type Address, type Link, type Namespace, type Route } from '../../index';
import { operandsAtMost, UsageError, type ParsedArgs } from '../args';
import { linkFlags, routeLine } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';

const EVENT_TYPES = ['link', 'address', 'route', 'neighbour'];

/** What the CLI reads of ns.monitor()'s events (lib/monitor.ts). */
type Event =
  | { type: 'link'; action: 'new' | 'delete'; link: Link }
  | { type: 'address'; action: 'new' | 'delete'; address: Address }
  | { type: 'route'; action: 'new' | 'delete'; route: Route; synthesized?: true }
  | { type: 'resync'; reason: string; links: Link[]; addresses: Address[]; routes: Route[] }
  | { type: 'namespace-deleted' }
  | { type: string; action?: string };

interface MonitorLike extends AsyncIterable<Event> {
  close(): void;
}
type Opener = (this: Namespace, options: { events?: string[]; signal?: AbortSignal }) => MonitorLike;

function line(e: Event): string {
  const deleted = 'action' in e && e.action === 'delete' ? 'Deleted ' : '';
  switch (e.type) {
    case 'link': {
      const l = (e as { link: Link }).link;
      return `${deleted}${l.index}: ${l.name}: ${linkFlags(l.flags, l.operState)} mtu ${l.mtu} state ${l.operState.toUpperCase()}`;
    }
    case 'address': {
      const a = (e as { address: Address }).address;
      return `${deleted}${a.linkIndex}: ${a.family === 4 ? 'inet' : 'inet6'} ${a.cidr} scope ${a.scope}`;
    }
    case 'route':
      return `${deleted}${routeLine((e as { route: Route }).route)}`;
    case 'resync': {
      const r = e as { reason: string; links: Link[]; addresses: Address[]; routes: Route[] };
      return `resync (${r.reason}): ${r.links.length} links, ${r.addresses.length} addresses, ${r.routes.length} routes`;
    }
    case 'namespace-deleted':
      return 'namespace deleted';
    default:
      return `${deleted}${e.type}`;
  }
}

function json(e: Event): unknown {
  const out: Record<string, unknown> = { ...e };
  for (const key of ['link', 'links']) {
    const v = out[key];
    if (Array.isArray(v)) out[key] = v.map((l: Link) => l.toJSON());
    else if (v && typeof (v as Link).toJSON === 'function') out[key] = (v as Link).toJSON();
  }
  return out;
}

export async function monitor(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 1, 'at most a namespace (NS)');
  const events = args.events?.split(',').map((t) => t.trim());
  for (const t of events ?? []) {
    if (!EVENT_TYPES.includes(t))
      throw new UsageError(`unknown event type ${JSON.stringify(t)} in --events (${EVENT_TYPES.join(', ')})`);
  }
  const ns = await namespaceOf(args.operands[0]);
  const open = (ns as unknown as { monitor?: Opener }).monitor;
  if (typeof open !== 'function') {
    throw new NetnsError({
      code: 'ENOSYS',
      operation: 'monitor',
      reason: 'this version of netns-native has no monitor (ns.monitor())',
    });
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const m = open.call(ns, { ...(events && { events }), signal: stop.signal });
    for await (const e of m) {
      if (args.json) await io.json(json(e));
      else await io.out(`${line(e)}\n`);
      if (e.type === 'namespace-deleted') break;
    }
  } catch (e) {
    if (!stop.signal.aborted) throw e; // interrupted: a normal end
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  return 0;
}
