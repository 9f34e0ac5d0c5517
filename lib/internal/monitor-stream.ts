/**
 * The ordering logic of a monitor, with no I/O: it is fed what the monitor socket delivers, in
 * the kernel's order, asks for dumps and fences through hooks, and hands out events and resyncs
 * so that a consumer applying them converges to the kernel's state and never goes back in time.
 * test/unit/monitor-stream.test.ts drives it with scripted streams.
 *
 * ## Why there is more to it than passing messages on
 *
 * Two things make a plain stream of notifications insufficient:
 *
 * 1. **Lost notifications.** When the socket's receive queue is full the kernel drops
 *    notifications and says so once (ENOBUFS, an *overrun* in the stream). A fresh dump then
 *    replaces the consumer's state: a `resync`.
 * 2. **Silent changes.** For IPv4, the kernel removes routes without any RTM_DELROUTE when a
 *    link goes down (all routes through it, prefix routes included), when a link goes away, and
 *    when a link loses its last IPv4 address (fib_disable_ip -> fib_flush in fib_frontend.c; local
 *    routes are the exception), and when a nexthop object they use is deleted (the nexthop's
 *    delete, or that of a group it left empty, is announced: __remove_nexthop_fib -> fib_flush
 *    in nexthop.c). IPv6 announces its removals, unless the sysctl
 *    net.ipv6.route.skip_notify_on_dev_down is set. After such a *trigger*, a dump of the routes
 *    (both families, so that the sysctl's case is covered too) tells which routes went, and
 *    deletes are synthesized for them. Nexthop objects go silently too, with their link (down,
 *    away, or up without carrier: nexthop_flush_dev), and the groups that held them shrink or
 *    go: when nexthops are watched, the same check dumps them as well (#silentNexthops).
 *
 * ## Placing a dump in the stream: the fence
 *
 * Dumps run on the namespace's ordinary request socket (lib/internal/dispatch.ts, ordered with
 * every other request on that namespace), not on the monitor socket, so which notifications a
 * dump reflects is not known from the stream alone. Two facts place it:
 * - the dump is requested after the overrun or trigger that made it necessary was read, so it
 *   reflects everything before that point;
 * - once the dump has completed, a *fence* is sent on the monitor socket (an NLMSG_NOOP the
 *   kernel ACKs into the same receive queue, see native/rtnl/monitor.h): every notification of a
 *   change made before the dump completed comes before the fence, every later one after it.
 * Between the two lies the *window*: notifications the dump may or may not reflect (it read
 * each object at some moment in the window, before or after that object's changes). The window
 * is held back until the fence arrives, and then:
 *
 * - **Resync** (after an overrun, or when the consumer fell behind): the events of the window
 *   are compared with the dump, object by object. An event carries the object's whole state
 *   (a delete: its absence), so for each object the last event of the window whose state equals
 *   what the dump read is the newest change the dump reflects: that event and every earlier one
 *   for the object are dropped, the later ones delivered after the resync. If none equals it,
 *   the dump read the object before all of them, and all are delivered. Either way what the
 *   consumer sees after the resync is a suffix of the object's true history, so no event from
 *   before the resync's state is delivered after it — also when the kernel builds a dump chunk
 *   and queues a notification in either order, which a rule based on positions alone would get
 *   wrong — and the consumer ends where the kernel is. A route that replaced another
 *   (NLM_F_REPLACE) is also an event of the one it replaced, which gets no notification of its
 *   own: its delete (else a replace the dump already reflects the undoing of, delivered after
 *   it, would synthesize the delete of the route that is there now). The events read before
 *   the dump was requested (when another dump made it wait) are all older than it: dropped,
 *   whatever their state (a route's last event may say it is there when a trigger read after
 *   it, left to this dump, removed it silently).
 * - **Route check** (after a trigger): the dump was made after the trigger, so after the
 *   silent removal; every later change to a route comes as a notification. A route the consumer
 *   knows that the dump lacks, and that has no notification after the trigger, was removed
 *   silently: a delete is synthesized right after the trigger (after the first trigger that
 *   follows the route's last notification, when several triggers share one dump). Only the
 *   triggers of a check explain removals: a change that can remove no route known starts none,
 *   and may come after the dump read the routes. Nothing else of the window changes. When the
 *   next route check's first trigger lies inside this window, the window is handed out only up
 *   to it, so that its deletes follow their own trigger.
 * - **Names** (at the start, for a consumer that asked for no initial state): route and
 *   neighbour events name their link from the links the consumer was handed, and without a
 *   resync those are only the ones it saw events of. A dump of the links, placed like a
 *   resync's, tells the names of the links already there; the window is then handed out whole,
 *   as read, since there is no state for it to replace (a link the dump lacks, deleted before
 *   it read, is named from the window's first event about it).
 *
 * The kernel reports an overrun before what it had queued until the loss; the monitor socket
 * moves the report to where its queue ran empty (native/rtnl/monitor.h), so the events before
 * an overrun are all from before the loss. They are handed out as they are, and the window
 * starts at the overrun: a change lost there may be the state the dump read, and an event from
 * before the loss, matching nothing, would then pass for one newer than the dump.
 *
 * At most one dump is in flight; triggers read while one is in flight share the next dump (it
 * is requested after all of them were read). An overrun cancels pending route checks: the
 * resync it calls for covers them.
 */
import { AF_INET, AF_INET6, IFF_LOWER_UP, IFF_RUNNING, IFF_UP, RTM_F_CLONED, RTN_UNICAST } from '../native/constants';
import type {
  NativeAddress,
  NativeEventKind,
  NativeLink,
  NativeNeighbour,
  NativeNetconf,
  NativeNexthopObject,
  NativeRoute,
  NativeRule,
  NativeStreamItem,
} from '../native/surface';

export type Action = 'new' | 'delete';
type Value =
  NativeLink | NativeAddress | NativeRoute | NativeNeighbour | NativeRule | NativeNexthopObject | NativeNetconf;

/** Why a resync was made. */
export type ResyncReason = 'initial' | 'overrun' | 'overflow';

/** A complete state, as the dumps return it. Kinds not dumped are empty. */
export interface DumpState {
  links: NativeLink[];
  addresses: NativeAddress[];
  routes: NativeRoute[];
  neighbours: NativeNeighbour[];
  rules: NativeRule[];
  nexthops: NativeNexthopObject[];
  netconf: NativeNetconf[];
}

/** What a dump reads: everything watched (a resync), every route (a route check), the links. */
export type DumpScope = 'full' | 'routes' | 'links';

/** What the stream hands out, in order. */
export type StreamOutput =
  | { type: 'event'; kind: NativeEventKind; action: Action; value: Value; synthesized?: true; linkName?: string }
  | { type: 'resync'; reason: ResyncReason; state: DumpState };

export interface StreamHooks {
  /**
   * A dump on the namespace's request path: 'full' is links, plus addresses, routes,
   * neighbours, rules, nexthop objects and netconf entries when they are delivered; 'routes' is every route; 'links' the links alone.
   */
  dump(scope: DumpScope): Promise<DumpState>;
  /** Sends a fence on the monitor socket; returns its number. */
  fence(): number;
  /** An event or a resync, in order. */
  deliver(out: StreamOutput): void;
  /** The stream cannot go on (a dump or a fence failed). */
  fail(error: unknown): void;
}

export interface StreamOptions {
  /** The kinds handed out; others may still be read (links, IPv4 addresses: triggers). */
  deliver: ReadonlySet<NativeEventKind>;
  /** Synthesize the deletes of routes the kernel removes silently (needs link and address events). */
  routeCheck: boolean;
  /**
   * Synthesize the deletes of nexthop objects the kernel removes silently with their link, and
   * the changes of the groups that held them (needs link events).
   */
  nexthopCheck?: boolean;
}

interface Entry {
  kind: NativeEventKind;
  action: Action;
  value: Value;
  key: string;
  /** A route that took the place of another (NLM_F_REPLACE): that one goes first. */
  replace?: true;
  /**
   * A trigger: the link that went down or away (or, `carrier`, is up with no carrier), or lost
   * this IPv4 address (index -1 for none), or the nexthop object deleted.
   */
  cause?: { index: number; address?: string; nexthop?: number; carrier?: true };
  /** A resync's dump already reflects it: never handed out. */
  dropped?: true;
  /** A netconf entry's link name, taken from the link's event read after it (see #nameAhead). */
  linkName?: string;
}

interface Group {
  /** A resync, a route check, or the links' names at the start (see MonitorStream.names). */
  scope: DumpScope;
  reason: ResyncReason;
  /** Absolute stream position where its window starts. */
  openAt: number;
  /** Route checks: positions of the triggers that share its dump. */
  triggers: number[];
  requested: boolean;
  /** Absolute stream position when its dump was requested: the dump reflects all before it. */
  requestedAt?: number;
  /** The push() during which its dump was requested: that dump is sent after its items were read. */
  requestedInPush?: number;
  /** An overrun came while its dump was in flight: dump again. */
  redo: boolean;
  cancelled: boolean;
  dump?: DumpState;
  fence?: number;
  /** Absolute stream position where its fence came back: the window ends before it. */
  closeAt?: number;
}

/** IPv4 and IPv6 routes as the consumer sees them: cached clones and other families left out. */
export function usableRoute(r: NativeRoute): boolean {
  return (r.family === AF_INET || r.family === AF_INET6) && !(r.flags & RTM_F_CLONED);
}

/** IPv4 and IPv6 rules: the kernel's multicast routing rules (RTNL_FAMILY_IPMR) left out. */
export function usableRule(r: NativeRule): boolean {
  return r.family === AF_INET || r.family === AF_INET6;
}

/**
 * The identity of an object: what a later event about the same object shares with it. A link
 * by index; an address by link, address and prefix (and peer); a route by table, destination,
 * source prefix (IPv6 `from`), TOS, metric, type and next hop (gateway and link): the kernel keeps routes that differ only in
 * the next hop side by side (the local table holds one `local` route per link that has the
 * address), and a route replaced by another is announced by the new one (see replacedKeyOf); a
 * route through a nexthop object by that object's id in place of its next hop. A
 * rule by everything it holds (a rule has no id: `ip rule del` matches all that is given, and
 * the kernel refuses a second rule equal in all, NLM_F_EXCL); a nexthop object by its id.
 */
export function keyOf(kind: NativeEventKind, v: Value): string {
  switch (kind) {
    case 'link':
      return `l${(v as NativeLink).index}`;
    case 'address': {
      const a = v as NativeAddress;
      return `a${a.family}|${a.index}|${a.local ?? a.address}/${a.prefixlen}|${a.address}`;
    }
    case 'route': {
      const r = v as NativeRoute;
      // Through a nexthop object: its id, not the gateway and link the kernel reports from it,
      // which change with the object (a member deleted, a replace) without a notification.
      const hop = r.nhid !== undefined ? `nhid ${r.nhid}` : `${r.gateway ?? ''}|${r.oif}`;
      return `r${r.family}|${r.table}|${r.dst ?? ''}/${r.dstLen}|${r.src ?? ''}/${r.srcLen}|${r.tos}|${r.priority ?? ''}|${r.type}|${hop}`;
    }
    case 'neighbour': {
      const n = v as NativeNeighbour;
      return `n${n.family}|${n.index}|${n.dst ?? ''}`;
    }
    case 'rule':
      // The decoder builds every rule with its keys in one order (native results.cc).
      return `u${JSON.stringify(v)}`;
    case 'nexthop':
      return `h${(v as NativeNexthopObject).id}`;
    case 'netconf': {
      const c = v as NativeNetconf;
      return `c${c.family}|${c.ifindex ?? ''}`;
    }
  }
}

/**
 * The values of a netconf entry. A notification carries only the one that changed (a sysctl
 * written: inet_netconf_notify_devconf with that NETCONFA_* alone), all of them when the entry is
 * new, none on a delete; so each value is an object of its own for a resync (see
 * MonitorStream.#reflectedNetconf).
 */
const NETCONF_VALUES = [
  'forwarding',
  'rpFilter',
  'mcForwarding',
  'proxyNeigh',
  'ignoreRoutesWithLinkdown',
  'bcForwarding',
  'input',
] as const;

/**
 * What a route replaces (NLM_F_REPLACE): the first route of the table with the same destination,
 * TOS and metric (IPv4, fib_table_insert) or destination, source prefix and metric (IPv6,
 * fib6_add_rt2node), whatever its next hop and type.
 */
function replacedKeyOf(r: NativeRoute): string {
  return `${r.family}|${r.table}|${r.dst ?? ''}/${r.dstLen}|${r.src ?? ''}/${r.srcLen}|${r.family === AF_INET ? r.tos : ''}|${r.priority ?? ''}`;
}

/**
 * The routes each replacing route of a window ended, as events of theirs (a delete at its
 * position): every other route of the window that it could have replaced (see replacedKeyOf).
 * The kernel keeps one route per destination, TOS and metric (`ip route add` refuses a second,
 * NLM_F_EXCL), so one of them was there and the others were gone already: for those the delete
 * changes nothing. Which one it was is not needed here: the resync compares states per object.
 */
function replacedIn(window: Entry[]): Map<number, string[]> {
  const byTarget = new Map<string, Set<string>>();
  for (const e of window) {
    if (e.kind !== 'route') continue;
    const target = replacedKeyOf(e.value as NativeRoute);
    const keys = byTarget.get(target);
    if (keys) keys.add(e.key);
    else byTarget.set(target, new Set([e.key]));
  }
  const ends = new Map<number, string[]>();
  window.forEach((e, i) => {
    if (!e.replace) return;
    const others = [...(byTarget.get(replacedKeyOf(e.value as NativeRoute)) ?? [])].filter((k) => k !== e.key);
    ends.set(i, others);
  });
  return ends;
}

/**
 * The values a netconf event sets, each keyed as an object of its own (entry key and value name),
 * with whether the dumped entry `d` holds it: a `new` sets the values it carries; a delete
 * removes them all (and the entry holds none of them if it is gone).
 */
function netconfValues(e: Entry, d: NativeNetconf | undefined): Array<[string, boolean, string]> {
  const v = e.value as NativeNetconf;
  const names = e.action === 'delete' ? NETCONF_VALUES : NETCONF_VALUES.filter((n) => v[n] !== undefined);
  return names.map((n) => [
    `${e.key}|${n}`,
    e.action === 'delete' ? d === undefined : d !== undefined && d[n] === v[n],
    n,
  ]);
}

/** A netconf event's entry with only the values named in `left` (see netconfValues). */
function netconfWith(v: NativeNetconf, left: Array<[string, boolean, string]>): NativeNetconf {
  const out: NativeNetconf = { family: v.family };
  if (v.ifindex !== undefined) out.ifindex = v.ifindex;
  for (const [, , n] of left) (out as unknown as Record<string, number | undefined>)[n] = v[n as keyof NativeNetconf];
  return out;
}

/** Lifetimes count down on their own: not part of an address's state for comparisons. */
const IGNORED: ReadonlySet<string> = new Set(['validLft', 'preferredLft']);
/** Nor a neighbour's timers and probe count. */
const NEIGHBOUR_IGNORED: ReadonlySet<string> = new Set(['confirmed', 'used', 'updated', 'probes']);
/** Nor the time an expiring route has left. */
const ROUTE_IGNORED: ReadonlySet<string> = new Set(['expires']);
const ignoredOf = (kind: NativeEventKind) =>
  kind === 'address'
    ? IGNORED
    : kind === 'neighbour'
      ? NEIGHBOUR_IGNORED
      : kind === 'route'
        ? ROUTE_IGNORED
        : undefined;

/** Deep equality of plain data (an absent key equals one set to undefined). */
function same(a: unknown, b: unknown, ignore?: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  for (const k of new Set([...ka, ...kb])) {
    if (ignore?.has(k)) continue;
    if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

export class MonitorStream {
  readonly #opts: StreamOptions;
  readonly #hooks: StreamHooks;

  /** Events read but not handed out yet (inside a window), from absolute position #base. */
  #held: Entry[] = [];
  #base = 0;
  #groups: Group[] = [];
  #inFlight: Group | undefined;
  #discarding = false;
  #closed = false;
  /** How many push() calls began, and whether one is under way (see #nameAhead). */
  #pushes = 0;
  #pushing = false;

  /**
   * What the consumer has been handed: links (for route names; also those a names dump read,
   * see MonitorStream.names) and routes (for route checks).
   */
  readonly #links = new Map<number, NativeLink>();
  readonly #routes = new Map<string, NativeRoute>();
  /** The nexthop objects handed out, by key (for nexthop checks). */
  readonly #nexthops = new Map<string, NativeNexthopObject>();
  /** Whether each link was up, as of the last notification read (ahead of what is handed out). */
  readonly #upAsRead = new Map<number, boolean>();
  /**
   * #upAsRead knows every link (a resync filled it and nothing was lost since): a link it does
   * not know is a new one, with no routes to lose.
   */
  #complete = false;

  constructor(opts: StreamOptions, hooks: StreamHooks) {
    this.#opts = opts;
    this.#hooks = hooks;
  }

  /** Events read and not yet handed out. */
  get held(): number {
    return this.#held.length;
  }

  /** The name of a link as the consumer last saw it. */
  linkName(index: number): string | undefined {
    return this.#links.get(index)?.name;
  }

  /** The links as the consumer last saw them, by index. */
  get links(): ReadonlyMap<number, NativeLink> {
    return this.#links;
  }

  /** Feeds what the socket delivered. */
  push(items: NativeStreamItem[]): void {
    if (this.#closed) return;
    // A dump requested during this push is sent after all of `items` were read (see #nameAhead).
    this.#pushes++;
    this.#pushing = true;
    try {
      this.#take(items);
    } finally {
      this.#pushing = false;
    }
  }

  #take(items: NativeStreamItem[]): void {
    for (const [i, item] of items.entries()) {
      if (item.type === 'overrun') {
        this.#overrun();
      } else if (item.type === 'fence') {
        const g = this.#groups.find((x) => x.fence === item.seq);
        if (g !== undefined) {
          g.closeAt = this.#base + this.#held.length;
          this.#advance();
        }
      } else if (!this.#discarding) {
        const action = item.action === 'delete' ? 'delete' : 'new';
        const entry: Entry = { kind: item.kind, action, value: item.value, key: '' };
        if (item.action === 'replace' && item.kind === 'route') entry.replace = true;
        if (entry.kind === 'route' && !usableRoute(entry.value as NativeRoute)) continue;
        if (entry.kind === 'rule' && !usableRule(entry.value as NativeRule)) continue;
        entry.key = keyOf(entry.kind, entry.value);
        if (entry.kind === 'netconf' && entry.action === 'new') this.#nameAhead(entry, items, i + 1);
        const trigger = this.#opts.routeCheck || this.#opts.nexthopCheck ? this.#isTrigger(entry) : false;
        if (trigger) {
          const v = entry.value as NativeLink & NativeAddress & NativeNexthopObject;
          const cause: NonNullable<Entry['cause']> =
            entry.kind === 'nexthop'
              ? { index: -1, nexthop: v.id }
              : entry.kind === 'link'
                ? trigger === 'carrier'
                  ? { index: v.index, carrier: true }
                  : { index: v.index }
                : { index: v.index, address: v.local ?? v.address };
          // Only a change that is checked explains a removal: one that can remove no route (or
          // nexthop) known may come after a check's dump read them, and a route added before
          // it, which the dump lacks for that reason, would pass for one it removed.
          if (this.#mayRemove(cause)) {
            entry.cause = cause;
            this.#trigger(this.#base + this.#held.length);
          }
        }
        this.#held.push(entry);
      }
    }
    this.#advance();
  }

  /**
   * Names the link of a netconf entry that the consumer has not seen: a new link's, whose entries
   * the kernel sends while registering it (inetdev_init, ipv6_add_dev), before the link's own
   * RTM_NEWLINK. `ip monitor` names it by asking the kernel at print time; here the name comes
   * from the link's event later in the same read (`items` from `from`), which costs no wait. When
   * the read ended before it, a links dump placed here reads the name, as names() does (what
   * follows is held until its fence): the link is listed before its first netconf entry is sent.
   */
  #nameAhead(entry: Entry, items: NativeStreamItem[], from: number): void {
    const index = (entry.value as NativeNetconf).ifindex;
    if (index === undefined || index <= 0 || this.#links.has(index)) return;
    const isLink = (kind: NativeEventKind, action: string, v: Value): boolean =>
      kind === 'link' && action !== 'delete' && (v as NativeLink).index === index;
    if (this.#held.some((e) => isLink(e.kind, e.action, e.value))) return; // handed out before it
    for (let j = from; j < items.length; j++) {
      const item = items[j] as NativeStreamItem;
      if (item.type === 'event' && isLink(item.kind, item.action, item.value)) {
        entry.linkName = (item.value as NativeLink).name;
        return;
      }
    }
    // A dump still to be sent (a resync's, or a names dump's) will list the link: none needed.
    const coming = (g: Group) =>
      g.scope !== 'routes' &&
      !g.cancelled &&
      g.dump === undefined &&
      (!g.requested || g.redo || g.requestedInPush === this.#pushes);
    if (this.#groups.some(coming)) return;
    this.#groups.push(this.#group('links', 'initial', this.#base + this.#held.length));
    this.#next();
  }

  /**
   * Starts a resync from the current position (the initial state, or after the consumer fell
   * behind and {@link MonitorStream.drop} was called). Stops discarding.
   */
  resync(reason: ResyncReason): void {
    if (this.#closed) return;
    this.#discarding = false;
    for (const g of this.#groups) g.cancelled = true;
    this.#groups = [this.#group('full', reason, this.#base + this.#held.length)];
    this.#next();
  }

  /**
   * Learns the links' names from the current position, for a consumer that asked for no initial
   * state, whose route and neighbour events would otherwise name only the links it saw events
   * of. A dump of the links placed in the stream as a resync's is (its window held until its
   * fence), whose window is then handed out whole and as read: the consumer has no state for a
   * resync to replace, and every change must reach it. An overrun meanwhile makes it a resync.
   */
  names(): void {
    if (this.#closed) return;
    this.#groups.push(this.#group('links', 'initial', this.#base + this.#held.length));
    this.#next();
  }

  /** Drops everything not handed out and discards what is read until {@link MonitorStream.resync}. */
  drop(): void {
    this.#base += this.#held.length;
    this.#held = [];
    for (const g of this.#groups) g.cancelled = true;
    this.#groups = [];
    this.#upAsRead.clear();
    this.#complete = false;
    this.#discarding = true;
  }

  /** Hands out everything held, as read (the namespace is gone: no resync can follow). */
  flush(): void {
    for (const g of this.#groups) g.cancelled = true;
    this.#groups = [];
    this.#release(this.#held.length);
  }

  close(): void {
    this.#closed = true;
    for (const g of this.#groups) g.cancelled = true;
    this.#groups = [];
    this.#held = [];
  }

  // --- reading ---------------------------------------------------------------------------------

  /**
   * Whether the kernel may have removed IPv4 routes or nexthop objects silently along with this
   * change; 'carrier' for a link that is up with no carrier (neither running nor lower up): the
   * kernel then flushes its nexthop objects too (nh_netdev_event on NETDEV_CHANGE), and the
   * IPv4 routes through them, though not the link's other routes.
   */
  #isTrigger(e: Entry): boolean | 'carrier' {
    if (e.kind === 'link') {
      const l = e.value as NativeLink;
      // Unknown (nothing read about it since the last loss): it may have been up.
      const wasUp = this.#upAsRead.get(l.index) ?? !this.#complete;
      if (e.action === 'delete') {
        // Down or not: a link going away takes its local routes (which outlive a down) along.
        this.#upAsRead.delete(l.index);
        return true;
      }
      const up = (l.flags & IFF_UP) !== 0;
      this.#upAsRead.set(l.index, up);
      if (!up && wasUp) return true;
      // Routes alone: only when every route is known (a check for each link event of a link
      // without carrier would otherwise be a dump each).
      const carrier = this.#opts.nexthopCheck === true || this.#complete;
      return carrier && up && (l.flags & (IFF_RUNNING | IFF_LOWER_UP)) === 0 ? 'carrier' : false;
    }
    if (!this.#opts.routeCheck) return false;
    if (e.kind === 'nexthop') return e.action === 'delete';
    return e.kind === 'address' && e.action === 'delete' && (e.value as NativeAddress).family === AF_INET;
  }

  /** Whether a trigger can have removed a route or a nexthop object known (see below). */
  #mayRemove(cause: NonNullable<Entry['cause']>): boolean {
    if (!this.#complete) return true;
    if (this.#opts.routeCheck && this.#mayRemoveRoutes(cause)) return true;
    if (!this.#opts.nexthopCheck || cause.address !== undefined || cause.nexthop !== undefined) return false;
    // A link's trigger: some nexthop object known goes through it.
    for (const n of this.#nexthops.values()) if (n.oif === cause.index) return true;
    for (const e of this.#held)
      if (e.kind === 'nexthop' && e.action === 'new' && (e.value as NativeNexthopObject).oif === cause.index)
        return true;
    return false;
  }

  /**
   * Whether a trigger can have removed a route: some route known (handed out, or read and held)
   * goes through its link, uses its address as source or its nexthop object, or has no single
   * link (multipath). When
   * not every route is known (no resync since the start or the last loss), it may.
   */
  #mayRemoveRoutes(cause: NonNullable<Entry['cause']>): boolean {
    if (!this.#complete) return true;
    const hit = (r: NativeRoute) =>
      cause.carrier
        ? r.nhid !== undefined && (r.oif === cause.index || r.oif === 0)
        : r.oif === cause.index ||
          (cause.address !== undefined && r.prefsrc === cause.address) ||
          (cause.nexthop !== undefined && r.nhid === cause.nexthop) ||
          (r.oif === 0 && r.type === RTN_UNICAST);
    for (const r of this.#routes.values()) if (hit(r)) return true;
    for (const e of this.#held)
      if (e.kind === 'route' && e.action === 'new' && hit(e.value as NativeRoute)) return true;
    return false;
  }

  #trigger(at: number): void {
    const last = this.#groups[this.#groups.length - 1];
    if (last !== undefined && !last.requested) {
      // Its dump is yet to be requested, so it will reflect this trigger's removals too.
      if (last.scope === 'routes') last.triggers.push(at);
    } else {
      const g = this.#group('routes', 'overrun', at);
      g.triggers.push(at);
      this.#groups.push(g);
    }
    this.#next();
  }

  #overrun(): void {
    if (this.#discarding) return;
    this.#upAsRead.clear();
    this.#complete = false;
    // Everything read so far was queued before the loss (native/rtnl/monitor.h): handed out as
    // it is, before the resync, which then replaces it. Only what comes after the loss can be
    // compared with the dump (a lost change may be what the dump read, so an earlier event
    // matching nothing would otherwise look newer than the dump). The pending route checks go:
    // the resync covers them.
    const at = this.#base + this.#held.length;
    for (const g of this.#groups) if (g.scope === 'routes') g.cancelled = true;
    this.#groups = this.#groups.filter((g) => !g.cancelled);
    let full = this.#groups[0];
    if (full === undefined) {
      full = this.#group('full', 'overrun', at);
      this.#groups.push(full);
    } else {
      // A names dump becomes the resync, of everything (see names()).
      if (full.scope === 'links') {
        full.scope = 'full';
        full.reason = 'overrun';
      }
      // Its dump may predate the loss, and its fence may have been among what was dropped.
      full.openAt = at;
      full.dump = undefined;
      full.fence = undefined;
      full.closeAt = undefined;
      if (this.#inFlight === full) full.redo = true;
      else full.requested = false;
    }
    this.#next();
  }

  #group(scope: Group['scope'], reason: ResyncReason, openAt: number): Group {
    return { scope, reason, openAt, triggers: [], requested: false, redo: false, cancelled: false };
  }

  // --- dumps and fences ------------------------------------------------------------------------

  /** Requests the next dump, if none is in flight. */
  #next(): void {
    if (this.#inFlight !== undefined || this.#closed) return;
    const g = this.#groups.find((x) => !x.requested && !x.cancelled);
    if (g === undefined) return;
    g.requested = true;
    g.requestedAt = this.#base + this.#held.length;
    if (this.#pushing) g.requestedInPush = this.#pushes;
    this.#inFlight = g;
    this.#hooks.dump(g.scope).then(
      (state) => this.#dumped(g, state),
      (e: unknown) => {
        this.#inFlight = undefined;
        if (!g.cancelled && !this.#closed) this.#hooks.fail(e);
      },
    );
  }

  #dumped(g: Group, state: DumpState): void {
    this.#inFlight = undefined;
    if (this.#closed) return;
    if (g.redo && !g.cancelled) {
      g.redo = false;
      g.requested = false;
    } else if (!g.cancelled) {
      g.dump = state;
      try {
        // After the dump: everything it could have missed comes before this in the stream.
        g.fence = this.#hooks.fence();
      } catch (e) {
        this.#hooks.fail(e);
        return;
      }
    }
    this.#next();
  }

  // --- handing out -----------------------------------------------------------------------------

  /**
   * Hands out what no window holds; resolves each group whose fence has come back. A group
   * decides on its whole window but hands out only up to where the next group's window begins
   * (a route check whose first trigger lies inside it): that check then finds its triggers in
   * its own window and puts each delete right after the trigger that caused it.
   */
  #advance(): void {
    for (;;) {
      const g = this.#groups[0];
      this.#release(g === undefined ? this.#held.length : Math.max(0, g.openAt - this.#base));
      if (g === undefined || g.closeAt === undefined) return;
      this.#groups.shift();
      const window = this.#held.slice(0, Math.max(0, g.closeAt - this.#base));
      const next = this.#groups[0];
      const count = next === undefined ? window.length : Math.min(window.length, Math.max(0, next.openAt - this.#base));
      if (g.scope === 'full') this.#resolveResync(g, window, count);
      else if (g.scope === 'links') this.#resolveNames(g, window, count);
      else this.#resolveRouteCheck(g, window, this.#base, count);
      this.#held.splice(0, count);
      this.#base += count;
    }
  }

  /** Hands out the first `n` held events as they are. */
  #release(n: number): void {
    if (n <= 0) return;
    const out = this.#held.splice(0, n);
    this.#base += out.length;
    for (const e of out) this.#handOut(e);
  }

  #handOut(e: Entry, synthesized?: true): void {
    if (this.#discarding || this.#closed) return; // dropped or closed by the consumer meanwhile
    if (e.dropped) return;
    if (e.replace) {
      // The route it replaced gets no notification of its own: its delete is synthesized.
      const target = replacedKeyOf(e.value as NativeRoute);
      for (const [key, r] of this.#routes) {
        if (key !== e.key && replacedKeyOf(r) === target) {
          this.#handOut({ kind: 'route', action: 'delete', value: r, key }, true);
          break;
        }
      }
    }
    if (e.kind === 'link') {
      const l = e.value as NativeLink;
      if (e.action === 'new') this.#links.set(l.index, l);
      else this.#links.delete(l.index);
    } else if (e.kind === 'route') {
      if (e.action === 'new') this.#routes.set(e.key, e.value as NativeRoute);
      else this.#routes.delete(e.key);
    } else if (e.kind === 'nexthop' && this.#opts.nexthopCheck) {
      if (e.action === 'new') this.#nexthops.set(e.key, e.value as NativeNexthopObject);
      else this.#nexthops.delete(e.key);
    }
    if (!this.#opts.deliver.has(e.kind)) return;
    this.#hooks.deliver(
      synthesized
        ? { type: 'event', kind: e.kind, action: e.action, value: e.value, synthesized }
        : e.linkName !== undefined
          ? { type: 'event', kind: e.kind, action: e.action, value: e.value, linkName: e.linkName }
          : { type: 'event', kind: e.kind, action: e.action, value: e.value },
    );
  }

  /**
   * The resync, then the window's events the dump did not already reflect (see the top). Marks
   * the reflected ones in the whole window; hands out the first `count`.
   */
  #resolveResync(g: Group, window: Entry[], count: number): void {
    const state = g.dump as DumpState;
    const dumped = new Map<string, Value>();
    for (const l of state.links) dumped.set(keyOf('link', l), l);
    for (const a of state.addresses) dumped.set(keyOf('address', a), a);
    for (const r of state.routes) dumped.set(keyOf('route', r), r);
    for (const n of state.neighbours) dumped.set(keyOf('neighbour', n), n);
    for (const r of state.rules) dumped.set(keyOf('rule', r), r);
    for (const n of state.nexthops) dumped.set(keyOf('nexthop', n), n);
    for (const c of state.netconf) dumped.set(keyOf('netconf', c), c);
    const covers = (kind: NativeEventKind) => kind === 'link' || this.#opts.deliver.has(kind);
    const ends = replacedIn(window);
    // Per object: the last event of the window whose state is what the dump read. A route that
    // replaced another is also an event of that one: its delete.
    const reflected = new Map<string, number>();
    window.forEach((e, i) => {
      if (!covers(e.kind)) return;
      const d = dumped.get(e.key);
      if (e.kind === 'netconf') {
        for (const [key, equal] of netconfValues(e, d as NativeNetconf | undefined)) if (equal) reflected.set(key, i);
        return;
      }
      const equal = e.action === 'delete' ? d === undefined : d !== undefined && same(e.value, d, ignoredOf(e.kind));
      if (equal) reflected.set(e.key, i);
      for (const key of ends.get(i) ?? []) if (!dumped.has(key)) reflected.set(key, i);
    });
    // What was read before the dump was requested is older than what it read, whatever the
    // object's state: among it a change that removed a route silently (its trigger was left to
    // this dump), after which a route's last event says it is there.
    const requested = (g.requestedAt as number) - this.#base;
    window.forEach((e, i) => {
      if (!covers(e.kind)) return;
      if (e.kind === 'netconf' && i >= requested) {
        // Per value: the ones the dump reflects go; the event goes when none is left.
        const left = netconfValues(e, undefined).filter(([key]) => (reflected.get(key) ?? -1) < i);
        if (left.length === 0) e.dropped = true;
        else if (e.action === 'new') e.value = netconfWith(e.value as NativeNetconf, left);
        return;
      }
      if (i < requested || (reflected.get(e.key) ?? -1) >= i) e.dropped = true;
    });
    this.#links.clear();
    for (const l of state.links) this.#links.set(l.index, l);
    this.#routes.clear();
    for (const r of state.routes) this.#routes.set(keyOf('route', r), r);
    this.#nexthops.clear();
    if (this.#opts.nexthopCheck) for (const n of state.nexthops) this.#nexthops.set(keyOf('nexthop', n), n);
    // Read up to the fence: a link with no notification since the loss is as the dump read it.
    for (const l of state.links)
      if (!this.#upAsRead.has(l.index)) this.#upAsRead.set(l.index, (l.flags & IFF_UP) !== 0);
    this.#complete = true;
    if (this.#discarding || this.#closed) return;
    this.#hooks.deliver({ type: 'resync', reason: g.reason, state });
    for (let i = 0; i < count; i++) this.#handOut(window[i] as Entry);
  }

  /**
   * The links' names from the dump (see names()), then the window as read. A link the dump
   * lacks (deleted before it read the links) is named as the window's first event about it
   * says, for the events before that one: a route's delete before its link's.
   */
  #resolveNames(g: Group, window: Entry[], count: number): void {
    for (const l of (g.dump as DumpState).links) if (!this.#links.has(l.index)) this.#links.set(l.index, l);
    for (const e of window) {
      const l = e.value as NativeLink;
      if (e.kind === 'link' && !this.#links.has(l.index)) this.#links.set(l.index, l);
    }
    for (let i = 0; i < count; i++) this.#handOut(window[i] as Entry);
  }

  /**
   * The window as read, with deletes synthesized for routes removed silently. Decides on the
   * whole window; hands out its first `count` events.
   */
  #resolveRouteCheck(g: Group, window: Entry[], start: number, count: number): void {
    const present = new Set((g.dump as DumpState).routes.map((r) => keyOf('route', r)));
    // Where a delete may go: after a trigger of the window, or at its start for this check's
    // triggers already handed out (inside an earlier window).
    const places: Array<{ at: number; cause?: Entry['cause'] }> = [];
    if (g.triggers.some((t) => t < start)) places.push({ at: start - 1 });
    window.forEach((e, i) => {
      if (e.cause) places.push({ at: start + i, cause: e.cause });
    });
    const last = new Map<string, { at: number; action: Action }>();
    window.forEach((e, i) => {
      if (e.kind === 'route') last.set(e.key, { at: start + i, action: e.action });
    });
    const candidates = new Map(this.#routes);
    for (const e of window) if (e.kind === 'route' && e.action === 'new') candidates.set(e.key, e.value as NativeRoute);
    const deletesAt = new Map<number, string[]>();
    for (const [key, route] of candidates) {
      if (present.has(key)) continue;
      const l = last.get(key);
      if (l?.action === 'delete') continue;
      const after = l?.at ?? -Infinity;
      // Removed silently by a trigger after its last notification (with none after it, that
      // notification is the truth: the dump read the route before it happened). Which one is
      // a guess made from what each trigger removes (routes through the link; for an address,
      // also those using it as source), used only to place the delete: the dump decides that
      // there is one. A trigger of a later check (not handed out here) is left to that check.
      const eligible = places.filter((p) => p.at > after);
      const place =
        eligible.find(
          (p) =>
            p.cause !== undefined &&
            (route.oif === p.cause.index ||
              (p.cause.address !== undefined && route.prefsrc === p.cause.address) ||
              (p.cause.nexthop !== undefined && route.nhid === p.cause.nexthop)),
        ) ?? eligible[0];
      if (place === undefined || place.at >= start + count) continue;
      const list = deletesAt.get(place.at);
      if (list) list.push(key);
      else deletesAt.set(place.at, [key]);
    }
    const nexthopsAt = this.#opts.nexthopCheck ? this.#silentNexthops(g, window, start, count, places) : new Map();
    const synthesize = (at: number) => {
      // As the kernel announces a nexthop's delete: the nexthop, the groups it changed or
      // emptied, then the routes through them.
      for (const e of nexthopsAt.get(at) ?? []) this.#handOut(e, true);
      for (const key of deletesAt.get(at) ?? []) {
        const r = this.#routes.get(key);
        if (r !== undefined) this.#handOut({ kind: 'route', action: 'delete', value: r, key }, true);
      }
    };
    synthesize(start - 1);
    for (let i = 0; i < count; i++) {
      this.#handOut(window[i] as Entry);
      synthesize(start + i);
    }
  }

  /**
   * The nexthop objects a check's triggers removed silently (a link that went down or away, or
   * lost its carrier, takes its nexthops; nexthop_flush_dev -> remove_nexthop with no nlinfo,
   * in nexthop.c), and the groups that held them, shrunk or, left empty, removed the same way:
   * the synthesized events, by the position they follow. Decided as for routes (see
   * #resolveRouteCheck): an object known whose last notification comes before a trigger, and
   * which the dump lacks, went there; a group the dump holds with other members than known
   * changed there (its `new` carries what the dump read: no notification came after the trigger,
   * so nothing else changed it since).
   */
  #silentNexthops(
    g: Group,
    window: Entry[],
    start: number,
    count: number,
    places: Array<{ at: number; cause?: Entry['cause'] }>,
  ): Map<number, Entry[]> {
    const dumped = new Map((g.dump as DumpState).nexthops.map((n) => [keyOf('nexthop', n), n]));
    const last = new Map<string, number>();
    const known = new Map(this.#nexthops);
    window.forEach((e, i) => {
      if (e.kind !== 'nexthop') return;
      last.set(e.key, start + i);
      if (e.action === 'new') known.set(e.key, e.value as NativeNexthopObject);
      else known.delete(e.key);
    });
    // Where each object's change goes: after the first trigger since its last notification that
    // took one of its links (a member's, for a group), else after the first trigger since.
    const links = (n: NativeNexthopObject): number[] =>
      n.group !== undefined
        ? n.group.flatMap((m) => this.#nexthops.get(`h${m.id}`)?.oif ?? known.get(`h${m.id}`)?.oif ?? [])
        : n.oif !== undefined
          ? [n.oif]
          : [];
    const placeOf = (key: string, n: NativeNexthopObject): number | undefined => {
      const eligible = places.filter((p) => p.at > (last.get(key) ?? -Infinity));
      const mine = links(n);
      const place = eligible.find((p) => p.cause !== undefined && mine.includes(p.cause.index)) ?? eligible[0];
      return place === undefined || place.at >= start + count ? undefined : place.at;
    };
    const members: Array<[number, Entry]> = [];
    const groups: Array<[number, Entry]> = [];
    for (const [key, n] of known) {
      const now = dumped.get(key);
      // A group by its members alone (a resilient group's timers move on their own).
      const changed = now === undefined || (n.group !== undefined && !same(n.group, now.group));
      const at = changed ? placeOf(key, n) : undefined;
      if (at === undefined) continue;
      const entry: Entry =
        now === undefined
          ? { kind: 'nexthop', action: 'delete', value: n, key }
          : { kind: 'nexthop', action: 'new', value: now, key };
      (n.group !== undefined ? groups : members).push([at, entry]);
    }
    const out = new Map<number, Entry[]>();
    for (const [at, entry] of [...members, ...groups]) {
      const list = out.get(at);
      if (list) list.push(entry);
      else out.set(at, [entry]);
    }
    return out;
  }
}
