/**
 * Running rtnetlink requests through the addon and turning failures into NetnsError.
 *
 * Where a request runs is decided here, by what it makes the kernel do (docs/benchmarks.md,
 * "Where the time goes", has the measurements behind it):
 * - `request` / `batch`: requests the kernel completes inside sendmsg without sleeping (link
 *   up/down, MTU, master, addresses, routes, creating links, reading one link). They run on
 *   the JS thread: the ACK is already queued when sendmsg returns, so there is no thread hop
 *   and nothing to wait for. Calls made in the same tick on the same namespace are coalesced
 *   into one addon call (one sendmsg of up to 64 requests); each call still settles with its
 *   own result or error. A burst is cut into slices, one per event-loop turn, each sized from
 *   the kernel's recent speed to take about {@link kSliceBudgetUs} (at most {@link kSliceOps}
 *   requests), so that many calls in flight never hold the loop for long.
 * - `requestAsync` / `batchAsync`: requests that sleep in the kernel (deleting a link or moving
 *   it to another namespace waits ~16-36 ms on RCU) and whole-namespace dumps, whose size has
 *   no bound. They run on a worker thread, one addon call each (so that several sleeping
 *   requests in flight wait in parallel), and the event loop stays free meanwhile.
 * - While a delete or a move of ours is in flight, or shortly after a namespace was deleted
 *   (the kernel's cleanup then holds rtnl_lock for tens of ms), the first kind goes to the
 *   worker as well: every rtnetlink change waits for rtnl_lock, and inline that wait would
 *   hold the event loop.
 * - `dump`: a whole-namespace dump goes to the worker, unless the namespace is known to be
 *   small (its last full dump had at most {@link kInlineDumpItems} entries): then it runs
 *   inline, where it costs less than the hop.
 *
 * For measurement, NETNS_NATIVE_IO=worker (read once, at load) or {@link setIoMode} sends the
 * first kind through the worker too, and NETNS_NATIVE_COALESCE=0 or {@link setCoalescing}
 * turns coalescing off. The benchmark compares the choices; users have no reason to.
 * @internal
 */
import { fromNative, type Subject } from './errors';
import { isFailure, transact, transactAsync } from '../native/wire';
import type { NativeFailure, NativeHandle, NativeLink, NativeOp, NativeResult } from '../native/surface';

type Success = Exclude<NativeResult, NativeFailure>;

/** Where requests that do not sleep run: on the JS thread ('inline') or a worker thread. */
export type IoMode = 'inline' | 'worker';

let ioMode: IoMode = process.env.NETNS_NATIVE_IO === 'worker' ? 'worker' : 'inline';
let coalescing = process.env.NETNS_NATIVE_COALESCE !== '0';

/** At most this many coalesced requests run per event-loop turn (inline mode). */
export const kSliceOps = 32;
/** About how long one slice of coalesced requests may hold the event loop, in µs. */
export const kSliceBudgetUs = 500;

/** Recent µs per request run inline (a moving average), to size the next slice. */
let usPerRequest = 50;

/**
 * Requests of ours in flight that hold rtnl_lock for long (deletes, moves), and until when the
 * kernel is likely tearing down a namespace we deleted (its cleanup holds rtnl_lock for tens of
 * ms). Every rtnetlink change waits for rtnl_lock, so meanwhile a request made inline would
 * hold the event loop as long: it goes to the worker instead. Measured: 51 ms of event-loop
 * delay in the literal walkthrough before this, right after its namespace deletes.
 */
let lockHolders = 0;
let rtnlBusyUntil = 0;
/** How long after a namespace delete requests avoid the JS thread, in ms. */
export const kAfterNamespaceDeleteMs = 250;

/** Called when a namespace was deleted: the kernel's cleanup will hold rtnl_lock shortly. */
export function namespaceDeleted(): void {
  rtnlBusyUntil = performance.now() + kAfterNamespaceDeleteMs;
}

/**
 * Worker calls in flight, per namespace handle. The JS thread and the workers share the
 * handle's one netlink socket and the JS thread never waits for it, so while a worker call runs
 * on a namespace, requests on that namespace do not run inline.
 */
const onWorkers = new Map<NativeHandle, number>();

/** Runs `ops` on a worker thread (addon.transactAsync), counted in {@link onWorkers}. */
async function onWorker(handle: NativeHandle, ops: NativeOp[]): Promise<NativeResult[]> {
  onWorkers.set(handle, (onWorkers.get(handle) ?? 0) + 1);
  try {
    return (await transactAsync(handle, ops)).results;
  } finally {
    const left = (onWorkers.get(handle) ?? 1) - 1;
    if (left === 0) onWorkers.delete(handle);
    else onWorkers.set(handle, left);
  }
}

/** Runs `ops` on the JS thread, or on a worker when the namespace's socket is not open there. */
function here(handle: NativeHandle, ops: NativeOp[]): NativeResult[] | Promise<NativeResult[]> {
  return transact(handle, ops) ?? onWorker(handle, ops);
}

/** Whether a non-sleeping request on `handle` runs on the JS thread now. */
function inline(handle: NativeHandle): boolean {
  return ioMode === 'inline' && lockHolders === 0 && performance.now() >= rtnlBusyUntil && !onWorkers.has(handle);
}

/** Internal, for the benchmark: where non-sleeping requests run. */
export function setIoMode(mode: IoMode): void {
  ioMode = mode;
}

/** Internal, for the benchmark: whether calls in the same tick share one addon call. */
export function setCoalescing(on: boolean): void {
  coalescing = on;
}

interface Pending {
  ops: NativeOp[];
  resolve: (results: NativeResult[]) => void;
  reject: (error: unknown) => void;
}

/** Calls waiting for a flush, per namespace handle, in the order they were made. */
const queues = new Map<NativeHandle, Pending[]>();

/** Runs `ops` as non-sleeping requests: coalesced with other calls of this tick, inline or not. */
function quick(handle: NativeHandle, ops: NativeOp[]): Promise<NativeResult[]> {
  if (!coalescing) {
    return inline(handle) ? new Promise((resolve) => resolve(here(handle, ops))) : onWorker(handle, ops);
  }
  return new Promise((resolve, reject) => {
    let queue = queues.get(handle);
    if (queue === undefined) {
      // A flush is scheduled exactly when the handle has a queue.
      queues.set(handle, (queue = []));
      queueMicrotask(() => flush(handle));
    }
    queue.push({ ops, resolve, reject });
  });
}

function flush(handle: NativeHandle): void {
  const queue = queues.get(handle) as Pending[];
  const onJs = inline(handle);
  // Inline, one slice per event-loop turn; calls made meanwhile queue up behind the rest.
  let take = queue.length;
  if (onJs) {
    const limit = Math.max(1, Math.min(kSliceOps, Math.floor(kSliceBudgetUs / usPerRequest)));
    let ops = (queue[0] as Pending).ops.length;
    for (take = 1; take < queue.length && ops + (queue[take] as Pending).ops.length <= limit; ++take) {
      ops += (queue[take] as Pending).ops.length;
    }
  }
  const slice = queue.splice(0, take);
  if (queue.length > 0) setImmediate(() => flush(handle));
  else queues.delete(handle);

  const ops = slice.length === 1 ? (slice[0] as Pending).ops : slice.flatMap((p) => p.ops);
  if (onJs) {
    let results: NativeResult[] | undefined;
    const t0 = performance.now();
    try {
      results = transact(handle, ops);
    } catch (e) {
      settleFailed(handle, slice, e, true);
      return;
    }
    if (results !== undefined) {
      // Up at once, down slowly: a slice that took long makes the next ones short.
      const measured = Math.max(1, ((performance.now() - t0) * 1000) / ops.length);
      usPerRequest = measured > usPerRequest ? measured : 0.8 * usPerRequest + 0.2 * measured;
      distribute(slice, results);
      return;
    }
    // The namespace's socket is not open on this side (dropped after a failure): a worker opens it.
  }
  onWorker(handle, ops).then(
    (results) => distribute(slice, results),
    (e: unknown) => settleFailed(handle, slice, e, false),
  );
}

/** Hands each call its own results, in order. */
function distribute(slice: Pending[], results: NativeResult[]): void {
  let at = 0;
  for (const p of slice) {
    p.resolve(slice.length === 1 ? results : results.slice(at, at + p.ops.length));
    at += p.ops.length;
  }
}

/**
 * The addon refused a coalesced call as a whole. That happens before anything is sent (a
 * closed namespace, a malformed request), so each call is tried again on its own and fails or
 * succeeds by itself.
 */
function settleFailed(handle: NativeHandle, slice: Pending[], error: unknown, onJs: boolean): void {
  if (slice.length === 1) {
    (slice[0] as Pending).reject(error);
    return;
  }
  for (const p of slice) {
    try {
      // Once one of them went to a worker, the rest follow it: the socket is taken.
      const results = onJs && !onWorkers.has(handle) ? here(handle, p.ops) : onWorker(handle, p.ops);
      if (Array.isArray(results)) p.resolve(results);
      else results.then(p.resolve, p.reject);
    } catch (e) {
      p.reject(e);
    }
  }
}

/** One request that does not sleep in the kernel; rejects with NetnsError on failure. */
export async function request<T extends Success = Success>(
  handle: NativeHandle,
  op: NativeOp,
  operation: string,
  subject: Subject,
): Promise<T> {
  let result: NativeResult;
  try {
    result = (await quick(handle, [op]))[0];
  } catch (e) {
    throw fromNative(e, operation, subject);
  }
  if (isFailure(result)) throw fromNative(result, operation, subject);
  return result as T;
}

/** Several requests that do not sleep, in one sendmsg; per-request results or failures. */
export async function batch(
  handle: NativeHandle,
  ops: NativeOp[],
  operation: string,
  subject: Subject,
): Promise<NativeResult[]> {
  try {
    return await quick(handle, ops);
  } catch (e) {
    throw fromNative(e, operation, subject);
  }
}

/** One request on a worker thread; rejects with NetnsError on failure. */
export async function requestAsync<T extends Success = Success>(
  handle: NativeHandle,
  op: NativeOp,
  operation: string,
  subject: Subject,
): Promise<T> {
  let result: NativeResult;
  const holds = holdsRtnl(op);
  if (holds) ++lockHolders;
  try {
    result = (await onWorker(handle, [op]))[0];
  } catch (e) {
    throw fromNative(e, operation, subject);
  } finally {
    if (holds) --lockHolders;
  }
  if (isFailure(result)) throw fromNative(result, operation, subject);
  return result as T;
}

/** Deletes and moves: the kernel holds rtnl_lock while it unregisters the link. */
function holdsRtnl(op: NativeOp): boolean {
  return op.op === 'dellink' || op.op === 'dellinkgroup' || (op.op === 'newlink' && op.link.netns !== undefined);
}

/** Several requests on a worker thread, in as few sendmsg calls as the kernel allows. */
export async function batchAsync(
  handle: NativeHandle,
  ops: NativeOp[],
  operation: string,
  subject: Subject,
): Promise<NativeResult[]> {
  try {
    return await onWorker(handle, ops);
  } catch (e) {
    throw fromNative(e, operation, subject);
  }
}

/** A dump runs inline while the last full dump of its kind in that namespace had at most this many entries. */
export const kInlineDumpItems = 64;

/** Entries in the last full dump of each kind ('dumplinks', 'dumpaddrs'), per namespace. */
const dumpSizes = new WeakMap<NativeHandle, Map<string, number>>();

/**
 * A whole-namespace dump. Its size has no bound, so it runs on the worker, except while the
 * namespace is known to be small (its last full dump of this kind had at most
 * {@link kInlineDumpItems} entries): then the kernel's work is a few hundred µs at most, less
 * than the thread hop, and it runs inline. `filtered`: a dump the kernel filters (by master,
 * say) still walks every entry; it follows the namespace's size but does not record one.
 */
export async function dump<T>(
  handle: NativeHandle,
  op: NativeOp,
  operation: string,
  subject: Subject,
  filtered = false,
): Promise<T[]> {
  let sizes = dumpSizes.get(handle);
  if (sizes === undefined) dumpSizes.set(handle, (sizes = new Map()));
  const last = sizes.get(op.op);
  const small = inline(handle) && last !== undefined && last <= kInlineDumpItems;
  const result = small
    ? await request<NativeLink[]>(handle, op, operation, subject)
    : await requestAsync<NativeLink[]>(handle, op, operation, subject);
  if (!filtered) sizes.set(op.op, result.length);
  return result as unknown as T[];
}

/** The first failure in a batch, as NetnsError; nothing if all succeeded. */
export function throwFirstFailure(results: NativeResult[], operation: string, subject: Subject): void {
  for (const r of results) if (isFailure(r)) throw fromNative(r, operation, subject);
}
