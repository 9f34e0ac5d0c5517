/**
 * Running rtnetlink requests through the addon and turning failures into NetnsError.
 *
 * Where a request runs is decided here, by what it makes the kernel do:
 * - `request` runs on the JS thread. For requests the kernel completes inside sendmsg without
 *   sleeping (link up/down, MTU, master, addresses, routes, creating links, reading one link),
 *   the ACK is already queued when sendmsg returns: no thread hop, no wait.
 * - `requestAsync` runs on a worker thread, for requests that sleep in the kernel (deleting a
 *   link or moving it to another namespace waits ~16-36 ms on RCU) and for whole-namespace
 *   dumps, whose size has no bound. The event loop stays free meanwhile.
 * @internal
 */
import { fromNative, type Subject } from './errors';
import { addon, isFailure, type NativeHandle, type NativeOp, type NativeResult, type NativeFailure } from './native';

type Success = Exclude<NativeResult, NativeFailure>;

/** One request on the JS thread; throws NetnsError on failure. */
export function request<T extends Success = Success>(
  handle: NativeHandle,
  op: NativeOp,
  operation: string,
  subject: Subject,
): T {
  let result: NativeResult;
  try {
    result = addon.transact(handle, [op])[0];
  } catch (e) {
    throw fromNative(e, operation, subject);
  }
  if (isFailure(result)) throw fromNative(result, operation, subject);
  return result as T;
}

/** Several requests on the JS thread, in one sendmsg; per-request results or failures. */
export function batch(handle: NativeHandle, ops: NativeOp[], operation: string, subject: Subject): NativeResult[] {
  try {
    return addon.transact(handle, ops);
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
  try {
    result = (await addon.transactAsync(handle, [op]))[0];
  } catch (e) {
    throw fromNative(e, operation, subject);
  }
  if (isFailure(result)) throw fromNative(result, operation, subject);
  return result as T;
}

/** Several requests on a worker thread, in as few sendmsg calls as the kernel allows. */
export async function batchAsync(
  handle: NativeHandle,
  ops: NativeOp[],
  operation: string,
  subject: Subject,
): Promise<NativeResult[]> {
  try {
    return await addon.transactAsync(handle, ops);
  } catch (e) {
    throw fromNative(e, operation, subject);
  }
}

/** The first failure in a batch, as NetnsError; nothing if all succeeded. */
export function throwFirstFailure(results: NativeResult[], operation: string, subject: Subject): void {
  for (const r of results) if (isFailure(r)) throw fromNative(r, operation, subject);
}
