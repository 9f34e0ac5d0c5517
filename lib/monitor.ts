/**
 * Watching a namespace change: {@link Namespace.monitor}, the events it yields, and what ends it.
 *
 * A monitor is one NETLINK_ROUTE socket opened inside the namespace and subscribed to the
 * rtnetlink multicast groups of the kinds asked for, read on the event loop (no thread). Its
 * notifications are decoded by the same code as the dumps, so an event's Link, Address, Route,
 * Neighbour, Rule or NexthopObject is what `ns.links()`, `ns.addresses()`, `ns.routes()`, ...
 * would have returned. The ordering
 * rules that keep a consumer right when the kernel drops notifications, or removes routes
 * without saying so, live in lib/internal/monitor-stream.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addressFromNative, type Address } from './address';
import { onAbort } from './internal/abort';
import { batch, throwFirstFailure } from './internal/dispatch';
import { failure, fromNative, invalid } from './internal/errors';
import {
  MonitorStream,
  usableRoute,
  usableRule,
  type DumpScope,
  type DumpState,
  type ResyncReason,
  type StreamOutput,
} from './internal/monitor-stream';
import { watchNamedNamespaces, type NamedNamespacesWatch } from './internal/named-namespaces-watch';
import { kHandle } from './internal/symbols';
import { checkBoolean, checkInteger } from './internal/validate';
import { describeNamespace, makeLink, type Link } from './link';
import { AF_INET, AF_INET6 } from './native/constants';
import { addon } from './native/load';
import type {
  NativeAddress,
  NativeEventBatch,
  NativeEventKind,
  NativeHandle,
  NativeLink,
  NativeMonitorSocket,
  NativeNeighbour,
  NativeNetconf,
  NativeNexthopObject,
  NativeOp,
  NativeResult,
  NativeRoute,
  NativeRule,
} from './native/surface';
import { eventKindBit, unpackEventBatch } from './native/wire';
import type { Namespace } from './namespace';
import { NETNS_RUN_DIR, nsfsInode } from './process/proc';
import { neighbourFromNative, type Neighbour } from './neighbour';
import { netconfFromNative, type Netconf } from './netconf';
import { nexthopFromNative, type NexthopObject } from './nexthop';
import { routeFromNative, type Route } from './route';
import { ruleFromNative, type Rule } from './rule';
import { Iproute2Names } from './rt-names';

/** The kinds of change a monitor can watch. */
export type MonitorEventType = 'link' | 'address' | 'route' | 'neighbour' | 'rule' | 'nexthop' | 'netconf';

const EVENT_TYPES: readonly MonitorEventType[] = [
  'link',
  'address',
  'route',
  'neighbour',
  'rule',
  'nexthop',
  'netconf',
];

/** 'new' for a new or changed object, 'delete' for one that went. */
export type MonitorAction = 'new' | 'delete';

/** A link was created or changed (`action: 'new'`), or deleted or moved away. */
export interface LinkEvent {
  type: 'link';
  action: MonitorAction;
  /** The link as the notification describes it (a {@link Bridge} for a bridge); for a delete, as it was. */
  link: Link;
}

/** An address was added or changed, or removed. */
export interface AddressEvent {
  type: 'address';
  action: MonitorAction;
  address: Address;
}

/** A route was added or changed, or removed. */
export interface RouteEvent {
  type: 'route';
  action: MonitorAction;
  route: Route;
  /**
   * True on a delete the kernel did not send: a route it removed silently (IPv4 routes when a
   * link goes down or away, or loses its last IPv4 address), found by a route dump (API.md).
   */
  synthesized?: true;
}

/**
 * An IPv4 or IPv6 neighbour entry (`ip monitor neigh`) was added or changed (its state moves on
 * its own: reachable, stale, delay, probe, ...), or removed. Forwarding-database entries
 * (`bridge monitor fdb`) are not reported.
 */
export interface NeighbourEvent {
  type: 'neighbour';
  action: MonitorAction;
  neighbour: Neighbour;
}

/** An IPv4 or IPv6 policy rule (`ip monitor rule`) was added or removed. */
export interface RuleEvent {
  type: 'rule';
  action: MonitorAction;
  rule: Rule;
}

/**
 * A nexthop object (`ip monitor nexthop`) was added or replaced, or removed. Deleting a nexthop
 * sends its delete, a `new` for each group that loses it as a member and a delete for each group
 * left empty. The kernel removes without any notification the nexthops of a link that goes down
 * or away (or loses its carrier), and shrinks or removes their groups the same way
 * (`ip monitor nexthop` shows nothing): the monitor synthesizes those deletes and changes, found
 * by a dump of the nexthop objects (API.md).
 */
export interface NexthopEvent {
  type: 'nexthop';
  action: MonitorAction;
  nexthop: NexthopObject;
  /** True on an event the kernel did not send: a delete or a group's change it made silently. */
  synthesized?: true;
}

/**
 * An IPv4 or IPv6 netconf entry (`ip monitor netconf`) changed, came (a new link's), or went (a
 * deleted link's: `action: 'delete'`, with no values). A change carries only the value that
 * changed (writing net.ipv4.conf.eth0.rp_filter sends rp_filter alone), a new entry all of them,
 * as the kernel sends them; `ns.netconf()` and a resync's `netconf` hold every value. A new
 * link's entries come before the link's own event (the kernel sends them while registering it),
 * named all the same, as `ip monitor` names them; `if<index>` only for a link gone before its
 * name could be read.
 */
export interface NetconfEvent {
  type: 'netconf';
  action: MonitorAction;
  netconf: Netconf;
}

/**
 * A complete fresh state, which replaces the consumer's: after the kernel dropped notifications
 * (`reason: 'overrun'`), after the consumer fell more than `queueLimit` events behind
 * (`'overflow'`), or first of all with `initialState: true` (`'initial'`). Events after it are
 * changes after that state. Kinds not watched come back empty; `routes` holds every table, IPv4
 * and IPv6 (as `ip route show table all`).
 */
export interface ResyncEvent {
  type: 'resync';
  reason: ResyncReason;
  links: Link[];
  addresses: Address[];
  routes: Route[];
  /** Every IPv4 and IPv6 neighbour entry (as `ip neigh show nud all`), when watched. */
  neighbours: Neighbour[];
  /** Every IPv4 and IPv6 policy rule (as `ip rule show` and `ip -6 rule show`), when watched. */
  rules: Rule[];
  /** Every nexthop object (as `ip nexthop show`), when watched. */
  nexthops: NexthopObject[];
  /** Every IPv4 and IPv6 netconf entry (as `ip netconf show`), when watched. */
  netconf: Netconf[];
}

/** The namespace was deleted; the iteration ends after this. */
export interface NamespaceDeletedEvent {
  type: 'namespace-deleted';
}

/** What a monitor yields. */
export type MonitorEvent =
  | LinkEvent
  | AddressEvent
  | RouteEvent
  | NeighbourEvent
  | RuleEvent
  | NexthopEvent
  | NetconfEvent
  | ResyncEvent
  | NamespaceDeletedEvent;

export type { ResyncReason };

/** Options for {@link Namespace.monitor}. */
export interface MonitorOptions {
  /**
   * What to watch; default links, addresses and routes. 'neighbour' is asked for explicitly
   * (neighbour entries change state on their own all the time: reachable, stale, ...), and so
   * are 'rule', 'nexthop' and 'netconf', as `ip monitor` leaves nothing out only when told `all`.
   */
  events?: MonitorEventType[];
  /** Aborting it ends the monitor: the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Start with a `resync` holding the current state, placed in the stream of events like any
   * resync (so no change falls between the two). Default false.
   */
  initialState?: boolean;
  /**
   * The most events kept for a consumer that is not iterating; past it they are dropped and a
   * `resync` (reason 'overflow') is made when it next asks. Default 10,000.
   */
  queueLimit?: number;
  /**
   * The socket's receive buffer (SO_RCVBUFFORCE), in bytes; the kernel doubles it. A link
   * notification takes about 2.3 KB of it: the default of 4 MiB holds ~3,500 while the event
   * loop is busy elsewhere; the kernel's own default (212,992) holds ~90. Beyond it the kernel
   * drops notifications, and the monitor makes a `resync` (reason 'overrun').
   */
  receiveBufferBytes?: number;
}

const DEFAULT_KINDS: NativeEventKind[] = ['link', 'address', 'route'];
/** The kinds whose events name a link by its index. */
const NAMED_KINDS: readonly NativeEventKind[] = ['route', 'neighbour', 'nexthop', 'netconf'];
const DEFAULT_QUEUE_LIMIT = 10_000;
const DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;

interface Waiter {
  resolve: (r: IteratorResult<MonitorEvent, undefined>) => void;
  reject: (e: unknown) => void;
}

/** A FIFO with O(1) removal at the front. */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;
  get size(): number {
    return this.#items.length - this.#head;
  }
  push(x: T): void {
    this.#items.push(x);
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const x = this.#items[this.#head] as T;
    this.#items[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return x;
  }
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

/** Set by Monitor's static block: ends a monitor when its namespace object is released. */
let endOf: (m: Monitor, deleted: boolean) => void;

/**
 * The changes in a namespace as they happen, in the kernel's order: an async iterator of
 * {@link MonitorEvent}. Made by {@link Namespace.monitor}. Holds one socket, read on the event
 * loop, until it ends: `close()`, `break` out of `for await`, the signal aborted, or the
 * namespace deleted (a `namespace-deleted` event, then the end).
 *
 * @example
 * ```ts
 * for await (const event of ns.monitor({ events: ['link'] })) {
 *   if (event.type === 'link') console.log(event.action, event.link.name, event.link.operState);
 * }
 * ```
 */
export class Monitor implements AsyncIterableIterator<MonitorEvent> {
  /** The namespace watched. */
  readonly namespace: Namespace;
  /**
   * Resolves once the socket is subscribed: every change made after it is seen. Rejects with
   * the NetnsError that kept the monitor from starting (also thrown by the iteration).
   */
  readonly ready: Promise<void>;

  readonly #operation: string;
  readonly #kinds: ReadonlySet<NativeEventKind>;
  readonly #queueLimit: number;
  readonly #stream: MonitorStream;
  readonly #queue = new Fifo<MonitorEvent>();
  readonly #waiters: Waiter[] = [];
  /**
   * Table, protocol and TOS names for every route, rule and nexthop event, the files read once,
   * when an event first needs them (as `ip monitor` reads them), not once per event.
   */
  readonly #iproute2Names = new Iproute2Names();
  #socket: NativeMonitorSocket | undefined;
  /** open: delivering; behind: fell past queueLimit, discarding until asked; ended: no more events. */
  #phase: 'opening' | 'open' | 'behind' | 'ended' = 'opening';
  /** Thrown once the queue is empty, after the end (an abort, a failure); then done. */
  #error: { reason: unknown } | undefined;
  readonly #signal: AbortSignal | undefined;
  #forgetAbort: (() => void) | undefined;
  readonly #onAbort = (): void => this.#end({ reason: this.#signal?.reason }, false);

  static {
    endOf = (m, deleted) => m.#namespaceGone(deleted);
  }

  /** @internal Use {@link Namespace.monitor}. */
  constructor(namespace: Namespace, options: MonitorOptions, operation: string) {
    this.namespace = namespace;
    this.#operation = operation;
    const requested = new Set(options.events ?? DEFAULT_KINDS) as Set<NativeEventKind>;
    this.#kinds = requested;
    this.#queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    // Routes need link notifications (names, and links going down), IPv4 address deletes (a
    // link losing its last address) and nexthop deletes (IPv4 routes through the nexthop go) to
    // find the routes the kernel removes without a word.
    const routeCheck = requested.has('route');
    // Nexthop objects too go silently with their link (and their groups change): the same check.
    const nexthopCheck = requested.has('nexthop');
    const read = new Set(requested);
    if (routeCheck) read.add('link').add('address').add('nexthop');
    // Neighbours, nexthops and netconf entries (like routes) name their link: link events keep
    // the names current.
    if (NAMED_KINDS.some((k) => requested.has(k))) read.add('link');
    this.#stream = new MonitorStream(
      { deliver: requested, routeCheck, nexthopCheck },
      {
        dump: (scope) => this.#dump(scope),
        fence: () => {
          try {
            return (this.#socket as NativeMonitorSocket).fence();
          } catch (e) {
            throw fromNative(e, this.#operation, 'socket');
          }
        },
        deliver: (out) => this.#deliver(out),
        fail: (e) => this.#end({ reason: e }, true),
      },
    );
    this.#signal = options.signal;
    track(this);
    if (this.#signal?.aborted) {
      this.ready = Promise.resolve();
      this.#onAbort();
      return;
    }
    this.#forgetAbort = this.#signal && onAbort(this.#signal, this.#onAbort);
    let bits = 0;
    for (const k of read) bits |= eventKindBit(k);
    this.ready = this.#open(bits, options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER, options.initialState === true);
    this.ready.catch(() => undefined); // reported by the iteration; `ready` is for those who await it
  }

  async #open(kinds: number, receiveBuffer: number, initial: boolean): Promise<void> {
    let socket: NativeMonitorSocket;
    // A named namespace's name is watched from the start: `ready` means a removal is noticed.
    const namesWatched = this.namespace.name !== undefined ? namesWatchReady() : undefined;
    try {
      const handle = await this.namespace[kHandle](this.#operation);
      socket = await addon.openMonitor(handle, kinds, receiveBuffer);
      await namesWatched;
    } catch (e) {
      if (this.#phase === 'ended') return; // closed meanwhile: nothing to report
      const error = fromNative(e, this.#operation, 'socket');
      this.#end({ reason: error }, true);
      throw error;
    }
    if (this.#phase === 'ended') {
      socket.close(); // closed while opening
      return;
    }
    this.#socket = socket;
    this.#phase = 'open';
    socket.watch((b) => this.#onBatch(b));
    if (this.namespace.name !== undefined) watchName(this, this.namespace.name, this.namespace.inode);
    if (initial) this.#stream.resync('initial');
    // Route, neighbour and nexthop events name their link: the names of the links already there
    // come from a dump (the initial resync's, when there is one).
    else if (NAMED_KINDS.some((k) => this.#kinds.has(k))) {
      this.#stream.names();
    }
  }

  /** The next event; `done` once the monitor has ended. */
  next(): Promise<IteratorResult<MonitorEvent, undefined>> {
    const value = this.#queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.#phase === 'ended') {
      const error = this.#error;
      this.#error = undefined;
      return error ? Promise.reject(error.reason) : Promise.resolve({ value: undefined, done: true });
    }
    if (this.#phase === 'behind') this.#catchUp();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Ends the monitor (what `break` in `for await` calls). */
  async return(): Promise<IteratorResult<MonitorEvent, undefined>> {
    this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Ends the monitor at once: closes its socket, drops what was not read, and ends the
   * iteration (a pending `next()` resolves done). Idempotent.
   */
  close(): void {
    this.#end(undefined, false);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  // --- the stream ------------------------------------------------------------------------------

  #onBatch(b: NativeEventBatch): void {
    if (this.#phase === 'ended') return;
    this.#stream.push(unpackEventBatch(b));
    if (b.error) {
      this.#end({ reason: fromNative(b.error, this.#operation, 'socket') }, true);
      return;
    }
    this.#checkLimit();
  }

  #deliver(out: StreamOutput): void {
    // Not while behind: the stream may be handing out a batch when the limit is crossed.
    if (this.#phase === 'open') this.#enqueue(this.#convert(out));
  }

  #enqueue(event: MonitorEvent): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ value: event, done: false });
    else {
      this.#queue.push(event);
      this.#checkLimit();
    }
  }

  #convert(out: StreamOutput): MonitorEvent {
    if (out.type === 'resync') {
      const { links, addresses, routes, neighbours, rules, nexthops, netconf } = out.state;
      const names = new Map(links.map((l) => [l.index, l.name]));
      return {
        type: 'resync',
        reason: out.reason,
        links: links.map((l) => makeLink(this.namespace, l)),
        addresses: addresses.map(addressFromNative),
        routes: routes.map((r) => routeFromNative(r, names, this.#iproute2Names)),
        neighbours: neighbours.flatMap((n) => neighbourFromNative(n, names, this.#iproute2Names) ?? []),
        rules: rules.map((r) => ruleFromNative(r, this.#iproute2Names)),
        nexthops: nexthops.map((n) => nexthopFromNative(n, names, this.#iproute2Names)),
        netconf: netconf.flatMap((c) => netconfFromNative(c, names) ?? []),
      };
    }
    const { kind, action } = out;
    if (kind === 'link') return { type: 'link', action, link: makeLink(this.namespace, out.value as NativeLink) };
    if (kind === 'address') return { type: 'address', action, address: addressFromNative(out.value as NativeAddress) };
    if (kind === 'rule')
      return { type: 'rule', action, rule: ruleFromNative(out.value as NativeRule, this.#iproute2Names) };
    const names = { get: (index: number) => this.#stream.linkName(index) };
    if (kind === 'neighbour') {
      const neighbour = neighbourFromNative(out.value as NativeNeighbour, names, this.#iproute2Names) as Neighbour;
      return { type: 'neighbour', action, neighbour };
    }
    if (kind === 'netconf') {
      // A new link's entries come before its own event: named from it (see MonitorStream).
      const named = { get: (index: number) => this.#stream.linkName(index) ?? out.linkName };
      return { type: 'netconf', action, netconf: netconfFromNative(out.value as NativeNetconf, named) as Netconf };
    }
    // Nexthop and route events may be the stream's own (what the kernel changed without a word).
    const event: NexthopEvent | RouteEvent =
      kind === 'nexthop'
        ? {
            type: 'nexthop',
            action,
            nexthop: nexthopFromNative(out.value as NativeNexthopObject, names, this.#iproute2Names),
          }
        : { type: 'route', action, route: routeFromNative(out.value as NativeRoute, names, this.#iproute2Names) };
    if (out.synthesized) event.synthesized = true;
    return event;
  }

  /** Past queueLimit, drop everything and discard until the consumer asks again. */
  #checkLimit(): void {
    if (this.#phase !== 'open' || this.#queue.size + this.#stream.held <= this.#queueLimit) return;
    this.#queue.clear();
    this.#stream.drop();
    this.#socket?.discard(true);
    this.#phase = 'behind';
    if (this.#waiters.length > 0) this.#catchUp(); // held events alone overflowed while it waited
  }

  #catchUp(): void {
    this.#phase = 'open';
    this.#socket?.discard(false);
    this.#stream.resync('overflow');
  }

  async #dump(scope: DumpScope): Promise<DumpState> {
    const operation = `resync the monitor of ${describeNamespace(this.namespace)}`;
    const handle = await this.namespace[kHandle](operation);
    if (scope === 'routes') {
      // A check: the routes and the nexthop objects watched.
      const routes = this.#kinds.has('route');
      const nexthops = this.#kinds.has('nexthop');
      const ops: NativeOp[] = [];
      if (routes) ops.push({ op: 'dumproutes', table: 0 });
      if (nexthops) ops.push({ op: 'dumpnexthops' });
      const results = await dumps(handle, ops, operation);
      return {
        ...NOTHING,
        routes: routes ? (results.shift() as NativeRoute[]).filter(usableRoute) : [],
        nexthops: nexthops ? (results.shift() as NativeNexthopObject[]) : [],
      };
    }
    if (scope === 'links') {
      const [links] = await dumps(handle, [{ op: 'dumplinks' }], operation);
      return { ...NOTHING, links: links as NativeLink[] };
    }
    // Links always: route events name their link from them.
    const addresses = this.#kinds.has('address');
    const routes = this.#kinds.has('route');
    const neighbours = this.#kinds.has('neighbour');
    const rules = this.#kinds.has('rule');
    const nexthops = this.#kinds.has('nexthop');
    const netconf = this.#kinds.has('netconf');
    const ops: NativeOp[] = [{ op: 'dumplinks' }];
    if (addresses) ops.push({ op: 'dumpaddrs' });
    if (routes) ops.push({ op: 'dumproutes', table: 0 });
    if (neighbours) ops.push({ op: 'dumpneighs' });
    if (rules) ops.push({ op: 'dumprules', family: 0 });
    if (nexthops) ops.push({ op: 'dumpnexthops' });
    if (netconf) ops.push({ op: 'dumpnetconf', family: 0 });
    const results = await dumps(handle, ops, operation);
    // In the order pushed: links, then each kind watched.
    const next = <T>(wanted: boolean): T[] => (wanted ? (results.shift() as T[]) : []);
    const links = next<NativeLink>(true);
    return {
      links,
      addresses: next<NativeAddress>(addresses),
      routes: next<NativeRoute>(routes).filter(usableRoute),
      // IP neighbours only: the same dump family would bring forwarding databases too.
      neighbours: next<NativeNeighbour>(neighbours).filter((n) => n.family === AF_INET || n.family === AF_INET6),
      // IPv4 and IPv6 rules only: the kernel's multicast routing rules (ipmr) come too.
      rules: next<NativeRule>(rules).filter(usableRule),
      nexthops: next<NativeNexthopObject>(nexthops),
      // IPv4 and IPv6 only, as the events (MPLS's come in the same dump).
      netconf: next<NativeNetconf>(netconf).filter((c) => c.family === AF_INET || c.family === AF_INET6),
    };
  }

  // --- the end ---------------------------------------------------------------------------------

  /**
   * No more events: closes the socket. `error` is thrown once the queue is read (or at once
   * when `keep` is false, which also drops the queue); without it the iteration just ends.
   */
  #end(error: { reason: unknown } | undefined, keep: boolean): void {
    if (this.#phase === 'ended') return;
    this.#phase = 'ended';
    this.#error = error;
    this.#socket?.close();
    this.#socket = undefined;
    this.#stream.close();
    this.#forgetAbort?.();
    untrack(this);
    unwatchName(this);
    if (!keep) this.#queue.clear();
    // Waiters exist only while the queue is empty.
    for (const w of this.#waiters.splice(0)) {
      if (this.#error) {
        w.reject(this.#error.reason);
        this.#error = undefined;
      } else {
        w.resolve({ value: undefined, done: true });
      }
    }
  }

  /** The namespace was deleted (hand out what was read, then say so) or its object closed. */
  #namespaceGone(deleted: boolean): void {
    if (this.#phase === 'ended') return;
    if (deleted) {
      this.#stream.flush(); // no resync can follow: what was read is the last word
      this.#enqueue({ type: 'namespace-deleted' });
    }
    this.#end(undefined, true);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Monitor { namespace: ${describeNamespace(this.namespace)}, ${this.#phase} }`;
  }
}

const NOTHING: DumpState = {
  links: [],
  addresses: [],
  routes: [],
  neighbours: [],
  rules: [],
  nexthops: [],
  netconf: [],
};

/** Dumps on the namespace's request path (its FIFO: ordered with every other request on it). */
async function dumps(handle: NativeHandle, ops: NativeOp[], operation: string): Promise<NativeResult[]> {
  const results = await batch(handle, ops, operation, 'namespace');
  throwFirstFailure(results, operation, 'namespace');
  return results;
}

/**
 * Checks the options of {@link Namespace.monitor} and starts a monitor.
 * @internal
 */
export function openMonitor(ns: Namespace, options: MonitorOptions | undefined): Monitor {
  const operation = `monitor ${describeNamespace(ns)}`;
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalid(operation, 'options must be an object');
  }
  const o = options ?? {};
  if (o.events !== undefined) {
    if (!Array.isArray(o.events) || o.events.length === 0) {
      throw invalid(operation, `events must be a non-empty array of ${EVENT_TYPES.map((t) => `'${t}'`).join(', ')}`);
    }
    for (const e of o.events as unknown[]) {
      if (!EVENT_TYPES.includes(e as MonitorEventType)) {
        const last = EVENT_TYPES.length - 1;
        const list = `${EVENT_TYPES.slice(0, last)
          .map((t) => `'${t}'`)
          .join(', ')} or '${EVENT_TYPES[last]}'`;
        throw invalid(operation, `unknown event type ${JSON.stringify(e)}: use ${list}`);
      }
    }
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw invalid(operation, 'signal must be an AbortSignal');
  }
  checkBoolean(o.initialState, operation, 'initialState');
  if (o.queueLimit !== undefined) checkInteger(o.queueLimit, operation, 'queueLimit', 1, 0x7fffffff);
  if (o.receiveBufferBytes !== undefined) {
    checkInteger(o.receiveBufferBytes, operation, 'receiveBufferBytes', 1024, 1 << 30);
  }
  if (ns.closed) throw failure('EBADF', operation, `${describeNamespace(ns)} was closed or deleted`);
  return new Monitor(ns, o, operation);
}

// --- which monitors a namespace object has ------------------------------------------------------

const live = new WeakMap<Namespace, Set<Monitor>>();

function track(m: Monitor): void {
  let set = live.get(m.namespace);
  if (!set) live.set(m.namespace, (set = new Set()));
  set.add(m);
}

function untrack(m: Monitor): void {
  live.get(m.namespace)?.delete(m);
}

/**
 * Called when a Namespace object releases its handle: its monitors end, after a
 * `namespace-deleted` event when it was deleted (by `delete()` on any object for it).
 * @internal
 */
export function endMonitors(ns: Namespace, deleted: boolean): void {
  for (const m of [...(live.get(ns) ?? [])]) endOf(m, deleted);
}

// --- named namespaces removed by someone else (`ip netns del`) ----------------------------------

// One names watch on /run/netns (internal/named-namespaces-watch.ts: the native inotify watch,
// IN_CREATE | IN_DELETE, that `netns monitor` reads) for every monitor of a named namespace: when
// a name is deleted, or made again, the monitors of the namespace it referred to see
// `namespace-deleted`. Opened for the first such monitor and then kept, as libuv keeps the
// inotify fd fs.watch opens: it never keeps the process alive (persistent: false), and a monitor
// opened later finds it ready. Reopened when it ended (the directory went) or when /run/netns is
// no longer the directory it watches (a file system mounted over it since).
const byName = new Map<string, Map<Monitor, bigint>>();
let names: { watch: NamedNamespacesWatch; dir: string } | undefined;
let opening: Promise<void> | undefined;

/** /run/netns's device and inode ('' when it does not exist): which directory a watch is on. */
function runDirIdentity(): string {
  const st = fs.statSync(NETNS_RUN_DIR, { throwIfNoEntry: false, bigint: true });
  return st === undefined ? '' : `${st.dev}:${st.ino}`;
}

/**
 * Makes sure the names watch is open on /run/netns as it is now; never rejects: without
 * /run/netns to watch, a removal by another process goes unnoticed (see API.md), as before one.
 */
function namesWatchReady(): Promise<void> {
  if (opening !== undefined) return opening;
  const dir = runDirIdentity();
  if (names !== undefined && names.dir === dir && names.watch.ended === undefined) return Promise.resolve();
  opening = (async () => {
    names?.watch.close();
    names = undefined;
    try {
      const watch = await watchNamedNamespaces(NETNS_RUN_DIR, { persistent: false });
      names = { watch, dir };
      void follow(watch);
      // What changed while no watch was on this directory (a new one, or the old one ended).
      if (byName.size > 0) check(undefined);
    } catch {
      // No /run/netns (or no inotify watch to be had): nothing to watch.
    } finally {
      opening = undefined;
    }
  })();
  return opening;
}

/** Checks each name the watch reports; every name when events were lost or the watch ended. */
async function follow(watch: NamedNamespacesWatch): Promise<void> {
  try {
    for await (const e of watch) check(e.event === 'overflow' ? undefined : e.name);
  } catch {
    // The watch failed (read(2)): below, as an end.
  }
  if (watch.ended === 'closed') return; // replaced by a new one
  if (names?.watch === watch) names = undefined;
  // The directory went (or the watch failed): every name checked, and a new watch for those left.
  check(undefined);
  if (byName.size > 0) void namesWatchReady();
}

function watchName(m: Monitor, name: string, inode: bigint): void {
  let set = byName.get(name);
  if (!set) byName.set(name, (set = new Map()));
  set.set(m, inode);
  check(name); // it may have gone before the watch began
}

function unwatchName(m: Monitor): void {
  const name = m.namespace.name;
  if (name === undefined) return;
  const set = byName.get(name);
  set?.delete(m);
  if (set?.size === 0) byName.delete(name);
}

/** Ends the monitors whose name no longer refers to their namespace (every name if undefined). */
function check(name: string | undefined): void {
  for (const n of name === undefined ? [...byName.keys()] : [name]) {
    const monitors = byName.get(n);
    if (!monitors) continue;
    void nsfsInode(path.join(NETNS_RUN_DIR, n)).then((now) => {
      for (const [m, inode] of [...monitors]) if (now !== inode) endOf(m, true);
    });
  }
}
