/**
 * Awaiting a condition instead of sleeping: a test that needs something to have happened (a
 * process gone from /proc, a port listening, a link destroyed with its namespace) polls for
 * exactly that, and fails with a sentence saying what it waited for. Never a fixed sleep.
 */

export interface WaitForOptions {
  /** What is awaited, for the failure message: 'the program to be gone from /proc'. */
  what: string;
  /** Give up after this long. Default 10000 ms (jest's own limit is 60 s). */
  timeoutMs?: number;
  /** Pause between checks. Default 10 ms. */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns a truthy value, and returns that value. The first check
 * runs at once. An exception thrown by `condition` is not swallowed: it fails the wait at once
 * (a condition that may meet a transient state, such as a /proc entry that vanishes, must say
 * so itself by returning false). On timeout it rejects with
 * `timed out after N ms waiting for <what>`, plus the last value seen when `describe` is given.
 *
 * @example
 * ```ts
 * await waitFor(() => !fs.existsSync(`/proc/${pid}`), { what: `PID ${pid} to be gone from /proc` });
 * ```
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions & { describe?: (last: T) => string },
): Promise<NonNullable<T>> {
  const { what, timeoutMs = 10000, intervalMs = 10 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) {
      const last = options.describe ? ` (last seen: ${options.describe(value)})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
