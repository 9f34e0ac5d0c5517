/**
 * `netns-native monitor [NS] [--events link,address,route,neighbour,rule,nexthop]`: changes as they
 * happen, like
 * `ip monitor`, one line each (`--json`: one object per line), until interrupted (SIGINT,
 * SIGTERM: exit 0) or the namespace is deleted.
 *
 * Built on ns.monitor(): the order is the kernel's, and a `resync` line says when the kernel
 * dropped notifications and the whole state was read again.
 */
import type { MonitorEvent as Event, MonitorEventType } from '../../monitor';
import type { NexthopObject } from '../../nexthop';
import type { Rule } from '../../rule';
import { operandsAtMost, UsageError, type ParsedArgs } from '../args';
import { addressText, linkFlags, routeLine } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';

const EVENT_TYPES: MonitorEventType[] = ['link', 'address', 'route', 'neighbour', 'rule', 'nexthop'];

const hex = (n: number): string => `0x${n.toString(16)}`;

/** A host prefix without its /32 (/128), as ip prints one. */
function prefixText(cidr: string, family: 4 | 6): string {
  const host = family === 4 ? '/32' : '/128';
  return cidr.endsWith(host) ? cidr.slice(0, -host.length) : cidr;
}

/** A port or a range, as ip prints it (`sport 1000-2000`). */
const portText = (p: number | [number, number]): string => (Array.isArray(p) ? `${p[0]}-${p[1]}` : String(p));

/** A rule as `ip rule show` / `ip monitor rule` print it: `PRIORITY:\tSELECTORS ACTION`. */
function ruleLine(r: Rule): string {
  const parts: string[] = [];
  if (r.not) parts.push('not');
  parts.push('from', r.from === undefined ? 'all' : prefixText(r.from, r.family));
  if (r.to !== undefined) parts.push('to', prefixText(r.to, r.family));
  if (r.tos !== undefined) parts.push('tos', r.tosName ?? hex(r.tos));
  if (r.fwmark !== undefined)
    parts.push('fwmark', `${hex(r.fwmark)}${r.fwmask !== undefined ? `/${hex(r.fwmask)}` : ''}`);
  if (r.iif !== undefined) parts.push('iif', r.iif);
  if (r.oif !== undefined) parts.push('oif', r.oif);
  if (r.l3mdev) parts.push('lookup', '[l3mdev-table]');
  if (r.uidRange !== undefined) parts.push('uidrange', `${r.uidRange[0]}-${r.uidRange[1]}`);
  if (r.ipProto !== undefined) parts.push('ipproto', String(r.ipProto));
  if (r.sport !== undefined) parts.push('sport', portText(r.sport));
  if (r.dport !== undefined) parts.push('dport', portText(r.dport));
  if (r.table !== undefined) parts.push('lookup', r.tableName ?? String(r.table));
  if (r.suppressPrefixLength !== undefined) parts.push('suppress_prefixlength', String(r.suppressPrefixLength));
  if (r.action === 'goto') parts.push('goto', r.goto === undefined ? 'none' : String(r.goto));
  else if (r.action !== 'lookup') parts.push(r.action);
  if (r.protocol !== 'unspec' && r.protocol !== 'kernel') parts.push('proto', r.protocol);
  return `${r.priority}:\t${parts.join(' ')}`;
}

/** A nexthop object as `ip nexthop show` / `ip monitor nexthop` print it. */
function nexthopLine(n: NexthopObject): string {
  const parts = ['id', String(n.id)];
  if (n.group !== undefined) {
    parts.push('group', n.group.map((m) => (m.weight === 1 ? String(m.id) : `${m.id},${m.weight}`)).join('/'));
  }
  if (n.groupType === 'resilient') {
    parts.push('type', 'resilient');
    if (n.buckets !== undefined) parts.push('buckets', String(n.buckets));
    if (n.idleTimer !== undefined) parts.push('idle_timer', String(n.idleTimer));
    if (n.unbalancedTimer !== undefined) parts.push('unbalanced_timer', String(n.unbalancedTimer));
    if (n.unbalancedTime !== undefined) parts.push('unbalanced_time', String(n.unbalancedTime));
  }
  if (n.blackhole) parts.push('blackhole');
  if (n.gateway !== undefined) parts.push('via', n.gateway);
  if (n.linkIndex !== undefined) parts.push('dev', n.link ?? `if${n.linkIndex}`);
  if (n.scope !== 'global') parts.push('scope', n.scope);
  if (n.protocol !== 'unspec') parts.push('proto', n.protocol);
  if (n.onlink) parts.push('onlink');
  if (n.dead) parts.push('dead');
  if (n.linkdown) parts.push('linkdown');
  if (n.fdb) parts.push('fdb');
  return parts.join(' ');
}

function line(e: Event): string {
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
    case 'resync':
      return `resync (${e.reason}): ${e.links.length} links, ${e.addresses.length} addresses, ${e.routes.length} routes`;
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
  const events = args.events?.split(',').map((t) => t.trim());
  for (const t of events ?? []) {
    if (!EVENT_TYPES.includes(t as MonitorEventType))
      throw new UsageError(`unknown event type ${JSON.stringify(t)} in --events (${EVENT_TYPES.join(', ')})`);
  }
  const ns = await namespaceOf(args.operands[0]);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const m = ns.monitor({ ...(events && { events: events as MonitorEventType[] }), signal: stop.signal });
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
