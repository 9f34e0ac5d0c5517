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
    const onAbort = (): void => {
      aborted = true;
      const error = abortError(operation, signal);
      if (!undo) reject(error);
      else
        work
          .then(undo)
          .catch(() => undefined)
          .finally(() => reject(error));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (!aborted) resolve(value);
        else late?.(value);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!aborted) reject(e);
      },
    );
  });
}

/**
 * Waits `ms` (a step of a bounded poll), or rejects with an AbortError when `signal` aborts.
 */
export function pause(ms: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
  return abortable(
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }),
    signal,
    operation,
  );
}
