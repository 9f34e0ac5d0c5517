/**
 * onAbort: one 'abort' listener per signal however many calls wait on it, each call's callback
 * run in order when it aborts, the listener gone when the last call is undone. No root needed.
 */
import { getEventListeners } from 'node:events';
import { abortable, onAbort, pause } from '../../lib/internal/abort';

describe('onAbort', () => {
  it('adds one listener for many registrations and removes it with the last', () => {
    const c = new AbortController();
    const undo = Array.from({ length: 100 }, () => onAbort(c.signal, () => undefined));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    for (const u of undo.slice(1)) u();
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    (undo[0] as () => void)();
    (undo[0] as () => void)(); // twice is harmless
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    onAbort(c.signal, () => undefined);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
  });

  it('runs every callback once, in order; one undone meanwhile is skipped', () => {
    const c = new AbortController();
    const seen: number[] = [];
    const same = (): void => void seen.push(0);
    onAbort(c.signal, same);
    onAbort(c.signal, same); // the same function twice: two registrations
    let undoThird = (): void => undefined;
    onAbort(c.signal, () => {
      seen.push(1);
      undoThird();
    });
    undoThird = onAbort(c.signal, () => seen.push(99));
    onAbort(c.signal, () => seen.push(2));
    c.abort();
    c.abort();
    expect(seen).toEqual([0, 0, 1, 2]);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
  });

  it('abortable and pause hold no listener once settled, and still abort', async () => {
    const c = new AbortController();
    await Promise.all(Array.from({ length: 50 }, () => abortable(Promise.resolve(1), c.signal, 'op')));
    await Promise.all(Array.from({ length: 50 }, () => pause(1, c.signal, 'op')));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    const waiting = Array.from({ length: 50 }, () => pause(60_000, c.signal, 'op'));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    c.abort();
    for (const w of waiting) await expect(w).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await expect(pause(1, c.signal, 'op')).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });
});
