/** The test helper that replaces sleeps: it returns what it waited for, or says what never came. */
import { waitFor } from '../helpers/wait';

describe('waitFor', () => {
  it('returns the first truthy value, checking again until it comes', async () => {
    let checks = 0;
    const value = await waitFor(() => (++checks === 3 ? { ready: true } : undefined), { what: 'the third check' });
    expect(value).toEqual({ ready: true });
    expect(checks).toBe(3);
  });

  it('checks at once: a condition already true costs no wait', async () => {
    let checks = 0;
    await expect(waitFor(() => ++checks, { what: 'anything' })).resolves.toBe(1);
  });

  it('awaits async conditions', async () => {
    let checks = 0;
    await expect(waitFor(async () => ++checks >= 2, { what: 'the second check' })).resolves.toBe(true);
  });

  it('fails with a sentence naming what it waited for, and the last state seen', async () => {
    let checks = 0;
    const error = await waitFor(() => (checks++, false), {
      what: 'the port to listen',
      timeoutMs: 30,
      intervalMs: 5,
      describe: () => `${checks} checks`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^timed out after 30 ms waiting for the port to listen \(last seen: \d+ checks\)$/,
    );
    expect(checks).toBeGreaterThan(1); // it polled, not checked once and gave up
  });

  it('does not swallow an exception thrown by the condition', async () => {
    let checks = 0;
    const condition = (): boolean => {
      if (++checks === 2) throw new Error('ENOENT: /proc/123 vanished');
      return false;
    };
    await expect(waitFor(condition, { what: 'x', timeoutMs: 5000 })).rejects.toThrow('ENOENT: /proc/123 vanished');
    expect(checks).toBe(2);
  });
});
