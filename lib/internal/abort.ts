/**
 * AbortSignal support, the way Node's own APIs have it (execFile, fs.readFile, timers/promises):
 * an aborted call rejects with an error named 'AbortError', code 'ABORT_ERR', whose `cause` is
 * the signal's reason. Here that error is also a NetnsError (every Promise of the library rejects
 * with one), so both `e.name === 'AbortError'` and `e instanceof NetnsError` hold.
 *
 * What an abort undoes is each call's to say: reads are simply abandoned (their result, when it
 * comes, is dropped); a creation that was already under way finishes, and what it made is removed
 * before the call rejects, so an aborted create leaves nothing behind.
 */
import { invalid, NetnsError } from './errors';

/** The `signal` option of every call that can wait. */
export interface AbortOptions {
  /**
   * Abandons the call when aborted: it rejects with an AbortError (a NetnsError with name
   * 'AbortError', code 'ABORT_ERR', `cause` the signal's reason). An already aborted signal
   * starts nothing.
   */
  signal?: AbortSignal;
}

/** Node's code for an aborted operation (`AbortError.code`). */
export const ABORT_ERR = 'ABORT_ERR';

/** An aborted call: name 'AbortError' and code 'ABORT_ERR' as Node's, and a NetnsError. */
export class AbortError extends NetnsError {
  override readonly name: string = 'AbortError';
  constructor(operation: string, signal: AbortSignal) {
    super({ code: ABORT_ERR, operation, reason: 'the operation was aborted' });
    Object.defineProperty(this, 'cause', {
      value: signal.reason,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
}

/** The error for a call aborted by `signal`. */
export function abortError(operation: string, signal: AbortSignal): AbortError {
  return new AbortError(operation, signal);
}

/**
 * `options.signal`, checked: undefined, or an AbortSignal not yet aborted (an aborted one
 * throws the AbortError now, before anything is done).
 */
export function checkSignal(signal: unknown, operation: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw invalid(operation, 'signal must be an AbortSignal');
  if (signal.aborted) throw abortError(operation, signal);
  return signal;
}

/** What {@link abortable} does with the result of work that was abandoned. */
export interface Undo<T> {
  /**
   * Removes what the work made (a creation). The rejection waits for the work to settle and for
   * this, so that nothing is left and the same name can be used again once the call rejected.
   */
  undo?: (value: T) => Promise<unknown>;
  /** Releases what the work resolves with later (an fd); the rejection does not wait for it. */
  late?: (value: T) => void;
}

/** The calls waiting on one signal, and the one listener that runs them. */
interface Waiting {
  readonly calls: Set<() => void>;
  readonly listener: () => void;
}

const waiting = new WeakMap<AbortSignal, Waiting>();

/**
 * Runs `fn` when `signal` aborts, as `signal.addEventListener('abort', fn, { once: true })`
 * would, and returns what undoes it (as removeEventListener would). However many calls wait on
 * one signal, the library adds one listener to it: that listener runs each call's `fn`, in the
 * order they were registered, and is removed when the last of them is undone. (A listener per
 * call made Node warn, MaxListenersExceededWarning, once 11 calls shared a signal.) A `fn`
 * undone while the abort runs the others is not run, as with EventTarget; an error thrown by
 * one is reported as EventTarget reports it (an uncaught exception) and the others still run.
 * The caller checks `signal.aborted` first: on an aborted signal `fn` would never run.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let w = waiting.get(signal);
  if (w === undefined) {
    const calls = new Set<() => void>();
    const listener = (): void => {
      if (waiting.get(signal) === entry) waiting.delete(signal);
      // The live set: one undone meanwhile is skipped.
      for (const call of calls) {
        calls.delete(call);
        try {
          call();
        } catch (e) {
          process.nextTick(() => {
            throw e;
          });
        }
      }
    };
    const entry: Waiting = { calls, listener };
    w = entry;
    waiting.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { calls, listener } = w;
  const call = (): void => fn(); // one entry per registration, even of the same fn
  calls.add(call);
  return () => {
    if (!calls.delete(call) || calls.size > 0) return;
    signal.removeEventListener('abort', listener);
    if (waiting.get(signal)?.calls === calls) waiting.delete(signal);
  };
}

/**
 * `work`, abandoned when `signal` aborts: the returned promise rejects with an AbortError (at
 * once, or after `undo`), and what `work` resolves with afterwards is handed to `undo` or `late`.
 */
export function abortable<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  operation: string,
  { undo, late }: Undo<T> = {},
): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    let aborted = false;
    const abort = (): void => {
      aborted = true;
      const error = abortError(operation, signal);
      if (!undo) reject(error);
      else
        work
          .then(undo)
          .catch(() => undefined)
          .finally(() => reject(error));
    };
    const forget = signal.aborted ? undefined : onAbort(signal, abort);
    if (forget === undefined) abort();
    work.then(
      (value) => {
        forget?.();
        if (!aborted) resolve(value);
        else late?.(value);
      },
      (e: unknown) => {
        forget?.();
        if (!aborted) reject(e);
      },
    );
  });
}

/**
 * Waits `ms` (a step of a bounded poll), or rejects with an AbortError when `signal` aborts.
 */
export function pause(ms: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(operation, signal));
  return abortable(
    new Promise<void>((resolve) => {
      // The timer's own registration goes when the pause ends, not only when the signal aborts
      // (a long poll used to leave one listener per step on the signal).
      const forget = signal && onAbort(signal, () => clearTimeout(timer));
      const timer = setTimeout(() => {
        forget?.();
        resolve();
      }, ms);
    }),
    signal,
    operation,
  );
}
