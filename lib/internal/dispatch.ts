/**
 * How requests reach the kernel: one FIFO per namespace, through which every request on that
 * namespace passes, so that calls reach the kernel in the order they were made — always,
 * whichever thread ends up sending them.
 *
 * - **Batches.** Calls made in the same tick on one namespace queue up and go out together:
 *   runs of consecutive calls that run in the same place become one addon call (one sendmsg of
 *   up to {@link kMaxBatchOps} requests); each call still settles with its own results.
 * - **One batch in flight per namespace.** The next batch starts only when the previous one has
 *   been answered, so a later call can never overtake an earlier one, even when the earlier one
 *   sleeps on a worker thread and the later one would have run on the JS thread. (The addon
 *   shares one socket per namespace between the JS thread and the workers; this is also what
 *   keeps that socket to one user at a time.)
 * - **Where a batch runs** is decided by {@link POLICY}, a table of what each request makes the
 *   kernel do, plus a measured signal:
 *   - on the JS thread ('inline'): requests the kernel completes inside sendmsg without sleeping.
 *     Their ACK is queued by the time sendmsg returns, so there is no thread hop and nothing to
 *     wait for (docs/benchmarks.md has the measurements).
 *   - on a worker thread: requests that sleep in the kernel (deleting or moving a link waits
 *     ~16-36 ms on RCU; bringing a link down or detaching it from its master waits in
 *     synchronize_net; the first link of a kind may load its module), and dumps of a namespace
 *     not known to be small.
 *   - the signal: rtnl_lock is one lock for the whole machine, so a cheap request waits as long
 *     as whoever holds it. While a sleeping request of ours is in flight anywhere, after a
 *     namespace was released (its teardown in the kernel takes rtnl_lock), and after an inline
 *     batch that took longer than {@link kSlowInlineMs}, cheap requests go to a worker too, until
 *     one of them comes back fast from there.
 * - **Calls of several batches** that depend on each other's answers (deleteLinks; a route or
 *   neighbour given a link by name; Bridge.removePort; Tap.create; a create and the delete that
 *   undoes it) hold the FIFO from the first to the last ({@link exclusive}), so no call made
 *   after them runs in between. A call that spans two namespaces (Link.moveTo: the move, then
 *   the read back in the target; a link created for another namespace) holds both FIFOs, its
 *   place on each taken when it is made. Each of their batches runs where the policy puts it, as
 *   any call's would. A call that needs more batches only when its first fails part-way
 *   (VethPair.create in one namespace: the undo) shares its first batch with the creates made
 *   with it, and holds the FIFO only then, ahead of every call made after it ({@link batchThen}).
 * - **Lazy open.** A namespace opened on first use: the calls waiting for the open resume in the
 *   order they were made and queue as they do; only then do calls take the handle at once
 *   (Namespace's kHandle), so none made after them gets ahead.
 * - **Release.** close() and delete() are calls like any other: the handle is closed once the
 *   calls made before them are answered ({@link releaseWhenIdle}).
 * - **Withdrawal.** A call made with an AbortSignal that aborts while it is still queued (not yet
 *   sent) is taken off the queue and rejects with an AbortError: the kernel never sees it. Once
 *   sent, it runs to the end; what it made is the caller's to undo (see abort.ts).
 * - **The event loop keeps turning.** Inline work of one drain stops after {@link kTurnBudgetMs}
 *   and goes on in the next turn; and when awaited inline calls have kept the loop from turning
 *   for {@link kMaxHoldMs} (they settle in microtasks), the next batch waits for one turn.
 */
import { constants } from 'node:os';
import { IFF_UP, NLM_F_CREATE, NLM_F_REPLACE } from '../native/constants';
import type { NativeFailure, NativeHandle, NativeLink, NativeOp, NativeResult } from '../native/surface';
import { isFailure, transact, transactAsync } from '../native/wire';
import { abortError, onAbort } from './abort';
import { fromNative, internalError, NetnsError, withReason, type Subject } from './errors';
import { kHandle, kHandleNow, type HandleOwner } from './symbols';

type Success = Exclude<NativeResult, NativeFailure>;

/** At most this many requests per addon call (the native engine's own batch limit). */
export const kMaxBatchOps = 64;
/** How long one drain may run inline requests before letting the event loop turn, in ms. */
export const kTurnBudgetMs = 1;
/** An inline batch slower than this means rtnl_lock is contended: go to a worker meanwhile. */
export const kSlowInlineMs = 2;
/** The longest the event loop is kept from turning by inline calls settling in microtasks. */
export const kMaxHoldMs = 2;
/** A dump runs inline while the last full dump of its kind had at most this many entries. */
export const kInlineDumpItems = 64;
/** At most this many link deletes share one group delete. */
export const kMaxGroupDelete = 1024;

/** What a call settles with (see {@link settle}). */
const RAW = 0; // the results array as the addon gave it; a batch the addon refused rejects with its error
const ONE = 1; // one request: its result, or a NetnsError when the kernel refused it
const MANY = 2; // several requests: one result each (failure objects included); refusals as NetnsError

/**
 * One call on a namespace's FIFO, and the one promise its caller holds. A class, so that every
 * call has the same shape (the queue, the slicing and the settling stay monomorphic).
 */
class Call {
  /** Goes to the addon in a batch of its own (see settleFailed). */
  alone = false;
  /** A call that holds the FIFO while it runs several dependent batches (see {@link exclusive}). */
  held: Hold | undefined = undefined;
  /** What runs on its results before a call made after it is sent (see {@link batchThen}). */
  then: ((results: NativeResult[]) => unknown) | undefined = undefined;
  resolve!: (value: unknown) => void;
  reject!: (error: unknown) => void;
  constructor(
    readonly ops: NativeOp[],
    /** What the policy table says, before the measured signal: true for requests that sleep. */
    readonly sleeps: boolean,
    readonly kind: number,
    readonly operation: string,
    readonly subject: Subject,
    /** A link delete that may join others made with it in one group delete (see groupDelete). */
    readonly del: DeleteKey | undefined,
  ) {}
}

/**
 * What a held call ({@link exclusive}) needs beyond its Call: the FIFOs it holds. The call is
 * queued on each; it starts once it is at the head of all of them, and each stays held (busy,
 * draining nothing) from the moment the call reaches its head until the call is done.
 */
class Hold {
  /** The channels it is queued on or holds, in the order it was queued on them. */
  readonly channels: Channel[] = [];
  /** Each place given, by the channel it names. */
  readonly at = new Map<Place, Channel>();
  /** Whether it is running (then it can no longer be withdrawn), or was withdrawn. */
  started = false;
  withdrawn = false;
  constructor(
    /** Places not yet reached: queued behind earlier calls, or waiting for a namespace to open. */
    public waiting: number,
    readonly body: () => Promise<unknown>,
  ) {}
}

/**
 * What the check of a {@link batchThen} call returns when the call needs more batches before it
 * settles (the delete that undoes a create whose later step failed): `run` sends them holding the
 * FIFO, ahead of every call made after it, and the call settles as its promise does.
 */
export class FollowUp<T> {
  constructor(readonly run: (send: Send) => Promise<T>) {}
}

/** A link delete, as {@link deleteLink} is given it. */
export interface DeleteKey {
  index: number;
  /** The link's IFLA_GROUP as last read, restored if a group delete fails and so does the delete alone. */
  group: number;
  /** Its kind as last read ('veth', 'macvlan', ...; undefined for lo and devices without one). */
  kind: string | undefined;
  /**
   * The link it is tied to (IFLA_LINK as last read) when that one is in the same namespace: a
   * veth's peer, the parent of a macvlan, ipvlan or VLAN. See {@link settleGroupDeleted}.
   */
  tiedTo: number | undefined;
}

/**
 * Kinds the kernel deletes along with the link they sit on (IFLA_LINK): their drivers unregister
 * them when that link unregisters (macvlan_device_event, ipvlan_device_event, vlan_device_event,
 * macsec_notify). Tunnels that name a link (gre, ipip, ...) outlive it, so they are not here.
 */
const DIES_WITH_PARENT = new Set(['macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'vlan', 'macsec']);

/** Settles a call with its results, `results[at]` onwards. */
function settle(call: Call, results: NativeResult[], at: number): void {
  if (call.kind === ONE) {
    const r = results[at] as NativeResult;
    if (isFailure(r)) call.reject(fromNative(r, call.operation, call.subject));
    else call.resolve(r);
    return;
  }
  const n = call.ops.length;
  call.resolve(at === 0 && results.length === n ? results : results.slice(at, at + n));
}

/** Rejects a call whose batch could not be run at all. */
function fail(call: Call, error: unknown): void {
  call.reject(call.kind === RAW ? error : fromNative(error, call.operation, call.subject));
}

/** The FIFO of one namespace. */
class Channel {
  readonly queue: Call[] = [];
  /** A batch is on a worker, or a drain is scheduled: nothing else may start. */
  busy = false;
  /** Run once the queue is empty and nothing is in flight (see {@link releaseWhenIdle}). */
  whenIdle: Array<() => void> = [];
  /** Entries in the last full dump of each kind ('dumplinks', 'dumpaddrs', 'dumproutes'). */
  readonly dumpSizes = new Map<string, number>();
  /** drain(), bound once: scheduled as a microtask or an immediate without a closure per call. */
  readonly run: () => void;
  constructor(readonly handle: NativeHandle) {
    this.run = () => drain(this);
  }
}

const channels = new WeakMap<NativeHandle, Channel>();

/** For measurement only (bench/, tests): 'worker' sends every batch to a worker thread. */
export type IoMode = 'inline' | 'worker';
let ioMode: IoMode = process.env.NETNS_NATIVE_IO === 'worker' ? 'worker' : 'inline';
let coalescing = process.env.NETNS_NATIVE_COALESCE !== '0';

/** Internal, for the benchmark: where cheap requests run ('inline': as the policy says). */
export function setIoMode(mode: IoMode): void {
  ioMode = mode;
}

/** Internal, for the benchmark: whether queued calls share one addon call. */
export function setCoalescing(on: boolean): void {
  coalescing = on;
}

/**
 * Counters, for tests and the benchmark: batches (addon calls) and requests by where they ran;
 * interrupted dumps run again on workers.
 */
export const dispatchStats = {
  inlineBatches: 0,
  inlineOps: 0,
  workerBatches: 0,
  workerOps: 0,
  /** Inline batches handed to a worker by the addon (socket not open here, or a dump backing off). */
  inlineHandedOff: 0,
  dumpRetries: 0,
  /** Runs of consecutive link deletes sent as one group delete, and those that fell back to one by one. */
  groupDeletes: 0,
  groupDeleteFallbacks: 0,
};

// The measured signal, process-wide: rtnl_lock is one lock for every namespace.
let sleepersInFlight = 0;
let contended = false;
/** Kinds of link this process has seen exist: their module is loaded, creating one is cheap. */
const loadedKinds = new Set<string>();
/** Whether an nf_tables batch of this process went through: the modules are loaded. */
let nftLoaded = false;

// How long inline work has kept the event loop from turning (see kMaxHoldMs): a probe is an
// immediate callback scheduled with the first inline batch after a turn; while it has not run,
// the loop has not turned since `holdingSince`.
let probePending = false;
let holdingSince = 0;
function noteInlineWork(now: number): void {
  if (probePending) return;
  probePending = true;
  holdingSince = now;
  setImmediate(() => {
    probePending = false;
  });
}

/** Whether inline work has held the event loop for too long without a turn. */
function heldTooLong(now: number): boolean {
  return probePending && now - holdingSince > kMaxHoldMs;
}

/** A dump of a namespace whose last full dump of that kind was small. */
function small(ch: Channel, kind: string): boolean {
  const last = ch.dumpSizes.get(kind);
  return last !== undefined && last <= kInlineDumpItems;
}

/**
 * What each request makes the kernel do: true when it may sleep (run it on a worker), false
 * when the kernel completes it at once. The one place this is decided.
 */
const POLICY: { [K in NativeOp['op']]: (op: Extract<NativeOp, { op: K }>, ch: Channel) => boolean } = {
  newlink: (op) => {
    const link = op.link;
    // A move (IFLA_NET_NS_FD on an existing link) unregisters it here: RCU waits.
    if (link.netns !== undefined && !((op.flags ?? 0) & NLM_F_CREATE)) return true;
    // Clearing IFF_UP runs synchronize_net() under rtnl_lock.
    if ((link.change ?? 0) & IFF_UP && !((link.flags ?? 0) & IFF_UP)) return true;
    // So does a rename (netif_change_name), and a new transmit queue length on a link that is
    // up: its queues are stopped to resize them (dev_qdisc_change_tx_queue_len: dev_deactivate).
    // Measured with ip -batch on a veth: a group change 110-120 us, a length set while down
    // 110-130 us, while up 380-500 us; a rename 230-410 us. Given at creation, the length is only
    // stored. The other flags (promisc, allmulticast, multicast, arp) wait on nothing (140-240 us).
    if (link.newName !== undefined) return true;
    if (link.txqlen !== undefined && !((op.flags ?? 0) & NLM_F_CREATE)) return true;
    // Leaving a master (nomaster) unregisters the port's rx_handler: synchronize_net() again
    // (netdev_rx_handler_unregister, from br_del_if / bond's release).
    if (link.master === 0) return true;
    // The first link of a kind may load its module (modprobe runs inside sendmsg).
    if (link.kind !== undefined && (op.flags ?? 0) & NLM_F_CREATE && !loadedKinds.has(link.kind)) return true;
    return false;
  },
  dellink: () => true, // unregistering a link waits on RCU
  dellinkgroup: () => true,
  getlink: () => false,
  dumplinks: (_, ch) => !small(ch, 'dumplinks'),
  newaddr: () => false,
  deladdr: () => false,
  dumpaddrs: (_, ch) => !small(ch, 'dumpaddrs'),
  newroute: () => false,
  delroute: () => false,
  dumproutes: (_, ch) => !small(ch, 'dumproutes'),
  // The first nf_tables batch may make the kernel load modules (nfnetlink then replays it).
  nftbatch: () => !nftLoaded,
  nftdumptables: (_, ch) => !small(ch, 'nftdumptables'),
  nftdumpchains: (_, ch) => !small(ch, 'nftdumpchains'),
  nftdumprules: (_, ch) => !small(ch, 'nftdumprules'),
  nftgetgen: () => false,
  nftdumpsets: (_, ch) => !small(ch, 'nftdumpsets'),
  nftdumpsetelems: (_, ch) => !small(ch, 'nftdumpsetelems'),
  // Neighbour and fdb entries, rules: a spinlock and a notification, no RCU wait.
  newneigh: () => false,
  delneigh: () => false,
  // distribute() records the sizes of three dump kinds only: these dumps are never known small.
  dumpneighs: () => true,
  // One entry looked up under the table's lock (neigh_get: rtnl held, never sleeping).
  getneigh: () => false,
  newrule: () => false,
  delrule: () => false,
  dumprules: () => true,
  // An id from the namespace's IDR under a spinlock.
  newnsid: () => false,
  getnsid: () => false,
  // The namespace's IDR walked under its nsid spinlock (rtnl_net_dumpid), never sleeping.
  dumpnsids: () => false,
  // A route lookup runs under RCU alone (RTNL_FLAG_DOIT_UNLOCKED), never sleeping.
  getroute: () => false,
  // An alternative name is a hash-list entry under rtnl_lock; removing one frees it after RCU
  // (call_rcu), without waiting.
  newlinkprop: () => false,
  dellinkprop: () => false,
  // Replacing a nexthop that groups use, or deleting one a group holds, waits on
  // synchronize_net() (replace_nexthop_grp, remove_nexthop_from_groups); adding one does not.
  newnexthop: (op) => ((op.flags ?? 0) & NLM_F_REPLACE) !== 0,
  delnexthop: () => true,
  dumpnexthops: () => true,
  // A netconf dump walks the devices under RCU (inet_netconf_dump_devconf), never sleeping: two
  // entries per link and family, so as small as the last link dump was.
  dumpnetconf: (_, ch) => !small(ch, 'dumplinks'),
  // One entry read under RCU (inet_netconf_get_devconf is RTNL_FLAG_DOIT_UNLOCKED).
  getnetconf: () => false,
  dumpnexthopbuckets: () => true,
  // Both families' dumps walk the links' lists under RCU (inet_dump_ifmcaddr,
  // inet6_dump_ifmcaddr) and never sleep: a few entries per link, as small as the last link dump.
  dumpmulticast: (_, ch) => !small(ch, 'dumplinks'),
};

function sleeps(ops: NativeOp[], ch: Channel): boolean {
  for (const op of ops) {
    // An operation the table does not know is refused by the wire encoder, with its own error.
    const policy = POLICY[op.op] as ((op: NativeOp, ch: Channel) => boolean) | undefined;
    if (policy?.(op, ch)) return true;
  }
  return false;
}

/** Whether a batch of cheap requests may run on the JS thread now. */
function inlineAllowed(): boolean {
  return ioMode === 'inline' && sleepersInFlight === 0 && !contended;
}

/**
 * Called whenever a namespace handle of ours is released (close, delete, garbage collection):
 * if that was the last reference, the kernel now tears the namespace down under rtnl_lock.
 */
export function namespaceReleased(): void {
  contended = true;
}

/**
 * Runs `release` (which closes the handle) once every call queued on `handle` has been answered:
 * at once when nothing is queued or in flight, else when the FIFO runs dry. close() and delete()
 * are calls on the namespace like any other: the calls made before them reach the kernel and
 * settle as they would have, and only calls made after them fail (EBADF, refused before they are
 * queued). Returns a promise of that moment, or undefined when it was now.
 */
export function releaseWhenIdle(handle: NativeHandle, release: () => void): Promise<void> | undefined {
  const ch = channels.get(handle);
  if (ch === undefined || !ch.busy) {
    release();
    return undefined;
  }
  return new Promise<void>((resolve) => {
    ch.whenIdle.push(() => {
      release();
      resolve();
    });
  });
}

/**
 * Schedules drains as microtasks: `resolved.then(fn)` rather than queueMicrotask(fn), which
 * wraps each callback in an AsyncResource (async_hooks bookkeeping on every call).
 */
const resolved = Promise.resolve();

function channelOf(handle: NativeHandle): Channel {
  let ch = channels.get(handle);
  if (ch === undefined) channels.set(handle, (ch = new Channel(handle)));
  return ch;
}

/**
 * Queues requests on a namespace's FIFO; resolves with one result per request (a failure object
 * for a request the kernel refused), rejects only when the batch could not be run at all.
 */
export function submit(handle: NativeHandle, ops: NativeOp[]): Promise<NativeResult[]> {
  const ch = channelOf(handle);
  return enqueue(ch, new Call(ops, sleeps(ops, ch), RAW, '', 'link', undefined)) as Promise<NativeResult[]>;
}

/** Queues a call; its promise is the only one made for it (the caller returns it as is). */
function enqueue(ch: Channel, call: Call, signal?: AbortSignal): Promise<unknown> {
  const promise = new Promise((resolve, reject) => {
    call.resolve = resolve;
    call.reject = reject;
  });
  if (signal !== undefined && !withdrawable(call, signal, () => takeOff(ch, call))) return promise;
  ch.queue.push(call);
  if (!ch.busy) {
    ch.busy = true;
    resolved.then(ch.run);
  }
  return promise;
}

/** Takes a call off a channel's queue; false if it is no longer there (sent: it runs to the end). */
function takeOff(ch: Channel, call: Call): boolean {
  const at = ch.queue.indexOf(call);
  if (at < 0) return false;
  ch.queue.splice(at, 1);
  return true;
}

/**
 * Arranges for `call` to be withdrawn if `signal` aborts while `withdraw` can still take it off
 * (it returns false once the call was sent). Returns false when the signal has already aborted:
 * the call is rejected and must not be queued.
 */
function withdrawable(call: Call, signal: AbortSignal, withdraw: () => boolean): boolean {
  if (signal.aborted) {
    call.reject(abortError(call.operation, signal));
    return false;
  }
  // One listener per signal however many calls share it (see onAbort).
  const forget = onAbort(signal, () => {
    if (withdraw()) call.reject(abortError(call.operation, signal));
  });
  const { resolve, reject } = call;
  call.resolve = (value) => {
    forget();
    resolve(value);
  };
  call.reject = (error) => {
    forget();
    reject(error);
  };
  return true;
}

/** Takes the next run of calls that go to the same place, up to kMaxBatchOps requests. */
function nextSlice(ch: Channel, toWorker: boolean): Call[] {
  const q = ch.queue;
  const head = q[0] as Call;
  if (q.length === 1 || !coalescing || head.alone) return [q.shift() as Call];
  if (head.del !== undefined) {
    // Consecutive link deletes: they go to the kernel together as one group delete.
    let n = 1;
    while (n < q.length && n < kMaxGroupDelete && (q[n] as Call).del !== undefined && !(q[n] as Call).alone) n += 1;
    return q.splice(0, n);
  }
  const inline = inlineAllowed();
  let count = 1;
  let ops = head.ops.length;
  let following = head.then !== undefined;
  while (count < q.length) {
    const call = q[count] as Call;
    if ((call.sleeps || !inline) !== toWorker || call.alone || call.held) break;
    // After a call with a follow-up, only others like it: a call without one made after it must
    // see what the follow-up leaves (a half-made link undone), so it goes in a later batch.
    if (following && call.then === undefined) break;
    following ||= call.then !== undefined;
    if (ops + call.ops.length > kMaxBatchOps) break;
    ops += call.ops.length;
    count += 1;
  }
  return q.splice(0, count);
}

/** Runs what is queued, in order; at most one batch in flight. `ch.busy` is true on entry. */
function drain(ch: Channel): void {
  let now = performance.now();
  const start = now;
  while (ch.queue.length > 0) {
    const head = ch.queue[0] as Call;
    if (head.held !== undefined) {
      ch.queue.shift();
      reached(head, head.held);
      return; // drain goes on when it is done (or withdrawn)
    }
    const toWorker = head.sleeps || !inlineAllowed();
    if (!toWorker && (heldTooLong(now) || now - start > kTurnBudgetMs)) {
      setImmediate(ch.run); // let timers and I/O run first
      return;
    }
    const slice = nextSlice(ch, toWorker);
    if (slice.length > 1 && head.del !== undefined) {
      groupDelete(ch, slice);
      return;
    }
    if (toWorker) {
      runOnWorker(ch, slice);
      return; // drain goes on when the worker is done
    }
    const after = runInline(ch, slice, now);
    if (after < 0) {
      runOnWorker(ch, slice);
      return;
    }
    now = after;
  }
  ch.busy = false;
  if (ch.whenIdle.length > 0) for (const release of ch.whenIdle.splice(0)) release();
}

/**
 * Runs a slice on the JS thread, `now` being the time it starts. Returns the time it ended, or
 * -1 when the namespace's socket is not open here (or a dump must back off): a worker does it.
 */
function runInline(ch: Channel, slice: Call[], now: number): number {
  const ops = slice.length === 1 ? (slice[0] as Call).ops : slice.flatMap((c) => c.ops);
  noteInlineWork(now);
  let results: NativeResult[] | undefined;
  try {
    results = transact(ch.handle, ops);
  } catch (e) {
    settleFailed(ch, slice, e);
    return performance.now();
  }
  // The socket must be (re)opened, or a dump must back off: a worker does that.
  if (results === undefined) {
    dispatchStats.inlineHandedOff += 1;
    return -1;
  }
  dispatchStats.inlineBatches += 1;
  dispatchStats.inlineOps += ops.length;
  const end = performance.now();
  if (end - now > kSlowInlineMs) contended = true;
  distribute(ch, slice, ops, results);
  return end;
}

function runOnWorker(ch: Channel, slice: Call[]): void {
  const ops = slice.length === 1 ? (slice[0] as Call).ops : slice.flatMap((c) => c.ops);
  const sleeping = slice.some((c) => c.sleeps);
  if (sleeping) sleepersInFlight += 1;
  dispatchStats.workerBatches += 1;
  dispatchStats.workerOps += ops.length;
  const done = (): void => {
    if (sleeping) sleepersInFlight -= 1;
    drain(ch);
  };
  let promise: ReturnType<typeof transactAsync>;
  try {
    promise = transactAsync(ch.handle, ops);
  } catch (e) {
    if (sleeping) sleepersInFlight -= 1;
    settleFailed(ch, slice, e);
    resolved.then(ch.run);
    return;
  }
  promise.then(
    ({ results, kernelUs, dumpRetries }) => {
      dispatchStats.dumpRetries += dumpRetries;
      // Cheap requests answered fast from a worker: rtnl_lock is free again.
      if (!sleeping && kernelUs < kSlowInlineMs * 1000) contended = false;
      distribute(ch, slice, ops, results);
      done();
    },
    (e: unknown) => {
      settleFailed(ch, slice, e);
      done();
    },
  );
}

/**
 * A fresh link group for a group delete: a random id in 0x80000000-0xffffffff, a range that
 * `ip` and other tools leave alone. node:crypto is loaded here, not at start-up: group deletes
 * are rare, and a short-lived process (the CNI plugin) never pays for it.
 * @internal
 */
export function randomLinkGroup(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return 0x80000000 + (require('node:crypto') as typeof import('node:crypto')).randomInt(0x7fffffff);
}

/**
 * Deletes several links with one RCU wait instead of one each (unregistering a link waits for
 * an RCU grace period under rtnl_lock): each link is put in a fresh link group (IFLA_GROUP, a
 * random id in 0x80000000-0xffffffff) and the group is deleted with one RTM_DELLINK, all in one
 * sendmsg. A link that is gone fails alone (its group change fails with ENODEV); a link deleted
 * twice in the run is sent once (see withoutRepeats), and one that an earlier delete of the run
 * takes with it (a veth's peer) fails with ENODEV as it would after it (see settleGroupDeleted).
 * The kernel checks every link of a group before deleting any, so if the group delete fails
 * nothing was deleted: then each link is deleted on its own, and one that still fails gets its
 * group back.
 */
function groupDelete(ch: Channel, all: Call[]): void {
  const slice = withoutRepeats(all);
  const group = randomLinkGroup();
  const dels = slice.map((c) => c.del as DeleteKey);
  const ops: NativeOp[] = dels.map((d) => ({ op: 'newlink', link: { index: d.index, group } }));
  ops.push({ op: 'dellinkgroup', group });
  sleepersInFlight += 1;
  dispatchStats.workerBatches += 1;
  dispatchStats.workerOps += ops.length;
  dispatchStats.groupDeletes += 1;
  void (async () => {
    let results: NativeResult[];
    try {
      ({ results } = await runAsync(ch.handle, ops));
    } catch (e) {
      for (const call of slice) fail(call, e);
      return;
    }
    if (!isFailure(results[dels.length])) {
      settleGroupDeleted(slice, results);
      return;
    }
    // Nothing was deleted: one by one, in order, each with its own outcome.
    dispatchStats.groupDeleteFallbacks += 1;
    const moved = slice.filter((_, i) => !isFailure(results[i]));
    slice.forEach((call, i) => isFailure(results[i]) && settle(call, results, i));
    let one: NativeResult[];
    try {
      ({ results: one } = await runAsync(
        ch.handle,
        moved.map((c) => ({ op: 'dellink', index: (c.del as DeleteKey).index })),
      ));
    } catch (e) {
      for (const call of moved) fail(call, e);
      return;
    }
    const restore: NativeOp[] = [];
    moved.forEach((call, i) => {
      const del = call.del as DeleteKey;
      if (isFailure(one[i])) restore.push({ op: 'newlink', link: { index: del.index, group: del.group } });
      settle(call, one, i);
    });
    if (restore.length > 0) await runAsync(ch.handle, restore).catch(() => undefined);
  })().finally(() => {
    sleepersInFlight -= 1;
    drain(ch);
  });
}

/**
 * Settles the calls of a group delete the kernel carried out. A link that an earlier delete of
 * the run took with it (a veth's peer; a macvlan, ipvlan or VLAN whose parent it was) fails with
 * ENODEV, as its own delete would have once that one was done (and does in the one-by-one
 * fallback, and with coalescing off): a run of deletes ends as the same deletes made one after
 * another do, whether or not they went out as one group.
 */
function settleGroupDeleted(slice: Call[], results: NativeResult[]): void {
  // What deleting each link deletes too, as far as the links of the run tell.
  const takes = new Map<number, number[]>();
  const tie = (from: number, to: number): void => {
    const list = takes.get(from);
    if (list === undefined) takes.set(from, [to]);
    else list.push(to);
  };
  for (const call of slice) {
    const del = call.del as DeleteKey;
    if (del.tiedTo === undefined || del.tiedTo === del.index) continue;
    if (del.kind === 'veth') {
      tie(del.index, del.tiedTo); // either end takes the other
      tie(del.tiedTo, del.index);
    } else if (DIES_WITH_PARENT.has(del.kind ?? '')) {
      tie(del.tiedTo, del.index);
    }
  }
  const gone = new Set<number>();
  const remove = (index: number): void => {
    const pending = [index];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (gone.has(next)) continue;
      gone.add(next);
      pending.push(...(takes.get(next) ?? []));
    }
  };
  slice.forEach((call, i) => {
    const index = (call.del as DeleteKey).index;
    if (isFailure(results[i])) {
      settle(call, results, i); // its group change failed: it was not in the group
    } else if (gone.has(index)) {
      call.reject(fromNative({ errno: constants.errno.ENODEV }, call.operation, call.subject));
    } else {
      settle(call, results, i);
      remove(index);
    }
  });
}

/**
 * The deletes of a slice, each link once. A later delete of a link already in the slice sends
 * nothing and settles when the first does, as it would have if sent after it: with ENODEV (what
 * the kernel answers for a link that is gone) if the first succeeded, else with the first's error.
 */
function withoutRepeats(slice: Call[]): Call[] {
  const first = new Map<number, Call>();
  const unique: Call[] = [];
  for (const call of slice) {
    const index = (call.del as DeleteKey).index;
    const earlier = first.get(index);
    if (earlier === undefined) {
      first.set(index, call);
      unique.push(call);
      continue;
    }
    const { resolve, reject } = earlier;
    earlier.resolve = (value) => {
      resolve(value);
      call.reject(fromNative({ errno: constants.errno.ENODEV }, call.operation, call.subject));
    };
    earlier.reject = (error) => {
      reject(error);
      call.reject(error instanceof NetnsError ? withReason(error, error.reason, call.operation) : error);
    };
  }
  return unique;
}

/** A namespace (opened first if it is not open yet), or a namespace's native handle. */
export type Place = HandleOwner | NativeHandle;

/** How a held call sends one batch: on `at`, one of its places (by default the first). */
export type Send = (ops: NativeOp[], at?: Place) => Promise<NativeResult[]>;

/**
 * Runs `body` with the FIFOs of one or more namespaces to itself, as one call: it starts once
 * every call made before it on each of them has been answered, and calls made after it on any of
 * them wait until it is done. For a call of several batches that depend on each other's answers,
 * which would otherwise let calls made after it run between them: deleteLinks (the group
 * changes, then the group delete or the restore), a route or neighbour given a link by name (the
 * lookup, then the change), Bridge.removePort (the check, then the detach), Tap.create
 * (/dev/net/tun, then the settings and the read back), a create and the delete that undoes it
 * when a later step fails; and across two namespaces, Link.moveTo (the move, then the read back
 * in the target) and a link created in one namespace for another (the create, the read back
 * there, the undo).
 *
 * Its place on every FIFO is taken now, when it is called, even on a namespace still to be
 * opened (it then queues there as it resumes from the open, in the order of the calls waiting
 * for it; see Namespace's kHandle). So all FIFOs order any two calls alike, and calls holding
 * several of them (two moves in opposite directions) never wait for each other in a cycle.
 *
 * `send` runs one batch past the queue on one of the places, where the policy puts it (on the JS
 * thread when it is cheap and nothing else says otherwise, like any call), one at a time: one
 * result per request (a failure object for each one the kernel refused), or a NetnsError when the
 * addon refused the batch as a whole. `handleOf` gives a place's native handle (for
 * IFLA_NET_NS_FD in a request). With `signal`, the call is withdrawn (an AbortError, `body` never
 * runs) if it aborts before it starts; if a namespace cannot be opened, it rejects with why.
 */
export function exclusive<T>(
  places: Place | Place[],
  operation: string,
  subject: Subject,
  body: (send: Send, handleOf: (at: Place) => NativeHandle) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const list = Array.isArray(places) ? [...new Set(places)] : [places];
  const first = list[0] as Place;
  const call = new Call([], true, RAW, operation, subject, undefined);
  const promise = new Promise<unknown>((resolve, reject) => {
    call.resolve = resolve;
    call.reject = reject;
  });
  const channel = (at: Place): Channel => {
    const ch = hold.at.get(at);
    if (ch === undefined) throw internalError(operation, 'a held call used a namespace it does not hold');
    return ch;
  };
  const hold = new Hold(list.length, () =>
    body(heldSender(channel, first, operation, subject), (at) => channel(at).handle),
  );
  call.held = hold;
  if (signal !== undefined && !withdrawable(call, signal, () => withdrawHeld(call, hold))) return promise as Promise<T>;
  for (const place of list) {
    const handle = isOwner(place) ? place[kHandleNow]() : place;
    if (handle !== undefined) {
      queueHeld(call, hold, place, handle);
      continue;
    }
    // A reaction of the open itself: it queues in the order the calls waiting for it were made.
    (place as HandleOwner)[kHandle](operation).then(
      (h) => queueHeld(call, hold, place, h),
      (e: unknown) => {
        if (withdrawHeld(call, hold)) call.reject(e);
      },
    );
  }
  return promise as Promise<T>;
}

/**
 * How a held call sends its batches: on the channel of one of its places (by default `first`),
 * one after another, never two at once on a socket.
 */
function heldSender(channel: (at: Place) => Channel, first: Place, operation: string, subject: Subject): Send {
  let last: Promise<unknown> = resolved;
  return (ops, at = first) => {
    let ch: Channel;
    try {
      ch = channel(at);
    } catch (e) {
      return Promise.reject(e);
    }
    const next = last.then(
      () => sendHeld(ch, ops),
      () => sendHeld(ch, ops),
    );
    last = next;
    return next.catch((e: unknown) => Promise.reject(fromNative(e, operation, subject)));
  };
}

/**
 * The held call that runs a follow-up: placed at the head of the queue, so that it runs before
 * any call made after `call`, whose promise it settles.
 */
function heldFollowUp(ch: Channel, call: Call, follow: FollowUp<unknown>): Call {
  const held = new Call([], true, RAW, call.operation, call.subject, undefined);
  held.resolve = (value) => call.resolve(value);
  held.reject = (error) => call.reject(error);
  const same = (): Channel => ch;
  held.held = new Hold(1, () => follow.run(heldSender(same, ch.handle, call.operation, call.subject)));
  held.held.channels.push(ch);
  return held;
}

function isOwner(place: Place): place is HandleOwner {
  return typeof (place as Partial<HandleOwner>)[kHandleNow] === 'function';
}

/** Queues a held call on the FIFO of one of its places. */
function queueHeld(call: Call, hold: Hold, place: Place, handle: NativeHandle): void {
  if (hold.withdrawn) return;
  const ch = channelOf(handle);
  hold.at.set(place, ch);
  // Two places, one FIFO (a namespace and its own handle): one place to reach.
  if (hold.channels.includes(ch)) {
    reached(call, hold);
    return;
  }
  hold.channels.push(ch);
  ch.queue.push(call);
  if (!ch.busy) {
    ch.busy = true;
    resolved.then(ch.run);
  }
}

/** A held call is at the head of one more of its FIFOs (now held); once at all of them, it runs. */
function reached(call: Call, hold: Hold): void {
  hold.waiting -= 1;
  if (hold.waiting > 0) return;
  hold.started = true;
  let running: Promise<unknown>;
  try {
    running = hold.body();
  } catch (e) {
    running = Promise.reject(e);
  }
  running.then(call.resolve, call.reject).finally(() => {
    for (const ch of hold.channels) drain(ch);
  });
}

/**
 * Takes a held call that has not started off every FIFO, and lets go of those it already held.
 * Returns false once it has started (it runs to the end) or was withdrawn already.
 */
function withdrawHeld(call: Call, hold: Hold): boolean {
  if (hold.started || hold.withdrawn) return false;
  hold.withdrawn = true;
  for (const ch of hold.channels) {
    if (!takeOff(ch, call)) drain(ch); // it held this one: the calls behind it go on
  }
  return true;
}

/**
 * One batch of a held call: on the JS thread when the policy and the measured signal allow it
 * (see drain), else on a worker.
 */
function sendHeld(ch: Channel, ops: NativeOp[]): Promise<NativeResult[]> {
  const sleeping = sleeps(ops, ch);
  if (!sleeping && inlineAllowed()) {
    const now = performance.now();
    noteInlineWork(now);
    let results: NativeResult[] | undefined;
    try {
      results = transact(ch.handle, ops);
    } catch (e) {
      return Promise.reject(e);
    }
    if (results !== undefined) {
      dispatchStats.inlineBatches += 1;
      dispatchStats.inlineOps += ops.length;
      if (performance.now() - now > kSlowInlineMs) contended = true;
      learn(ch, ops, results);
      return Promise.resolve(results);
    }
    dispatchStats.inlineHandedOff += 1; // the socket must be (re)opened: a worker does that
  }
  if (sleeping) sleepersInFlight += 1;
  dispatchStats.workerBatches += 1;
  dispatchStats.workerOps += ops.length;
  return runAsync(ch.handle, ops).then(
    ({ results, kernelUs, dumpRetries }) => {
      if (sleeping) sleepersInFlight -= 1;
      dispatchStats.dumpRetries += dumpRetries;
      if (!sleeping && kernelUs < kSlowInlineMs * 1000) contended = false;
      learn(ch, ops, results);
      return results;
    },
    (e: unknown) => {
      if (sleeping) sleepersInFlight -= 1;
      return Promise.reject(e);
    },
  );
}

/** transactAsync, or a rejected promise if the addon refused the batch before sending it. */
function runAsync(handle: NativeHandle, ops: NativeOp[]): ReturnType<typeof transactAsync> {
  try {
    return transactAsync(handle, ops);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Hands each call its own results, in order; notes what the results teach the policy. A call with
 * a check (see {@link batchThen}) settles with what its check returns, or when that is a
 * {@link FollowUp}, goes back to the head of the queue, held, to run it.
 */
function distribute(ch: Channel, slice: Call[], ops: NativeOp[], results: NativeResult[]): void {
  learn(ch, ops, results);
  let at = 0;
  let followUps = 0;
  for (const call of slice) {
    if (call.then === undefined) settle(call, results, at);
    else {
      let outcome: unknown;
      try {
        outcome = call.then(results.slice(at, at + call.ops.length));
      } catch (e) {
        call.reject(e);
        outcome = undefined;
      }
      if (outcome instanceof FollowUp) ch.queue.splice(followUps++, 0, heldFollowUp(ch, call, outcome));
      else call.resolve(outcome);
    }
    at += call.ops.length;
  }
}

/** Notes what results teach the policy: kinds whose module is loaded, dump sizes. */
function learn(ch: Channel, ops: NativeOp[], results: NativeResult[]): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as NativeOp;
    const r = results[i];
    if (isFailure(r)) continue;
    if (op.op === 'newlink' && op.link.kind !== undefined) loadedKinds.add(op.link.kind);
    else if (op.op === 'nftbatch') nftLoaded = true;
    else if (op.op.startsWith('nftdump')) ch.dumpSizes.set(op.op, (r as unknown[]).length);
    else if (op.op === 'dumplinks' || op.op === 'dumpaddrs' || op.op === 'dumproutes') {
      const list = r as unknown[];
      if (op.op === 'dumplinks') for (const l of list as NativeLink[]) if (l.kind) loadedKinds.add(l.kind);
      // A filtered dump still walks everything: it follows the size but does not set it.
      const filtered =
        (op.op === 'dumplinks' && (op.master || op.kind)) ||
        (op.op === 'dumpaddrs' && op.index) ||
        (op.op === 'dumproutes' && op.flags); // the route cache: exceptions, not the routes
      if (!filtered) ch.dumpSizes.set(op.op, list.length);
    }
  }
}

/**
 * The addon refused a batch as a whole. That happens before anything is sent (a closed
 * namespace, a malformed request), so with several calls in the slice each goes back to the
 * front of the queue to be sent alone, and fails or succeeds by itself.
 */
function settleFailed(ch: Channel, slice: Call[], error: unknown): void {
  if (slice.length === 1) {
    fail(slice[0] as Call, error);
    return;
  }
  for (const call of slice) call.alone = true;
  ch.queue.unshift(...slice);
}

/**
 * Deletes one link (by index). Deletes made together on one namespace, with no other call
 * between them, go to the kernel as one group delete (see groupDelete); `del.group` is the link's
 * current IFLA_GROUP, restored if a group delete fails and so does the delete on its own.
 */
export function deleteLink(handle: NativeHandle, del: DeleteKey, operation: string, subject: Subject): Promise<void> {
  const ch = channelOf(handle);
  const call = new Call([{ op: 'dellink', index: del.index }], true, ONE, operation, subject, del);
  return enqueue(ch, call) as Promise<unknown> as Promise<void>;
}

/**
 * One request; resolves with its result or rejects with NetnsError. The promise returned is the
 * only one made for the call: methods return it as is. With `signal`, withdrawn (an AbortError)
 * if it aborts before the request is sent.
 */
export function request<T extends Success = Success>(
  handle: NativeHandle,
  op: NativeOp,
  operation: string,
  subject: Subject,
  signal?: AbortSignal,
): Promise<T> {
  const ch = channelOf(handle);
  const ops = [op];
  return enqueue(ch, new Call(ops, sleeps(ops, ch), ONE, operation, subject, undefined), signal) as Promise<T>;
}

/**
 * One request on a namespace, given the namespace (its handle taken synchronously when it is
 * open, which is the usual case): what a method returns. Never throws; rejects with NetnsError.
 */
export function requestIn<T extends Success = Success>(
  owner: HandleOwner,
  op: NativeOp,
  operation: string,
  subject: Subject,
): Promise<T> {
  const handle = owner[kHandleNow]();
  if (handle !== undefined) return request<T>(handle, op, operation, subject);
  return owner[kHandle](operation).then((h) => request<T>(h, op, operation, subject));
}

/**
 * Several requests in one sendmsg; per-request results, a failure object for each refused one.
 * With `signal`, withdrawn (an AbortError) if it aborts before the batch is sent.
 */
export function batch(
  handle: NativeHandle,
  ops: NativeOp[],
  operation: string,
  subject: Subject,
  signal?: AbortSignal,
): Promise<NativeResult[]> {
  const ch = channelOf(handle);
  const call = new Call(ops, sleeps(ops, ch), MANY, operation, subject, undefined);
  return enqueue(ch, call, signal) as Promise<NativeResult[]>;
}

/**
 * As {@link batch}, and `check` runs on the results (on the thread that has them, before any call
 * made after this one is sent): the call resolves with what it returns, or rejects with what it
 * throws. When it needs more batches first (the delete that undoes a create whose later step
 * failed), it returns a {@link FollowUp}: that runs holding the FIFO, as a call of
 * {@link exclusive} does, before any call made after this one. The batch itself still goes out
 * with the calls made just before it, and with others with a check made just after it (creates
 * made together share one sendmsg), never with a plain call made after it, which sees what the
 * follow-up leaves. With `signal`, withdrawn (an AbortError, `check` never runs) if it aborts
 * before the batch is sent.
 */
export function batchThen<T>(
  handle: NativeHandle,
  ops: NativeOp[],
  operation: string,
  subject: Subject,
  check: (results: NativeResult[]) => T | FollowUp<T>,
  signal?: AbortSignal,
): Promise<T> {
  const ch = channelOf(handle);
  const call = new Call(ops, sleeps(ops, ch), MANY, operation, subject, undefined);
  call.then = check;
  return enqueue(ch, call, signal) as Promise<T>;
}

/** The first failure in a batch, as NetnsError; nothing if all succeeded. */
export function throwFirstFailure(results: NativeResult[], operation: string, subject: Subject): void {
  for (const r of results) if (isFailure(r)) throw fromNative(r, operation, subject) as NetnsError;
}
