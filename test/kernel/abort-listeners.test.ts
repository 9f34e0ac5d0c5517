/**
 * One AbortSignal shared by many calls: the library adds a bounded number of 'abort' listeners
 * to it however many calls share it (Node warns, MaxListenersExceededWarning, past 10), removes
 * them when the calls settle, and an abort still aborts each call as it would alone.
 */
import { getEventListeners } from 'node:events';
import { NetnsError, VethPair } from 'netns-native';
import { freshNamespace } from '../helpers/fresh';
import { links } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

function collectWarnings(): { warnings: Error[]; stop: () => void } {
  const warnings: Error[] = [];
  const on = (w: Error): void => {
    warnings.push(w);
  };
  process.on('warning', on);
  return { warnings, stop: () => process.off('warning', on) };
}

/** Lets Node's warnings (emitted on process.nextTick) arrive. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describeKernel('one AbortSignal shared by many calls', () => {
  it('50 reads with one signal: no MaxListenersExceededWarning, listeners gone after', async () => {
    const ns = await freshNamespace();
    const [lo] = await ns.links();
    const controller = new AbortController();
    const { signal } = controller;
    const { warnings, stop } = collectWarnings();
    try {
      const calls: Array<Promise<unknown>> = Array.from({ length: 50 }, () => ns.links({ signal }));
      calls.push(...Array.from({ length: 50 }, () => (lo as NonNullable<typeof lo>).addresses({ signal })));
      expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(2);
      await Promise.all(calls);
      await turn();
    } finally {
      stop();
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    expect(getEventListeners(signal, 'abort')).toEqual([]);
  });

  it('50 execs with one signal: no warning, and an abort still kills and rejects each', async () => {
    const ns = await freshNamespace();
    const controller = new AbortController();
    const { signal } = controller;
    const { warnings, stop } = collectWarnings();
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      const calls = Array.from({ length: 50 }, () => ns.exec('sleep', ['30'], { signal }));
      expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const reason = new Error('enough');
      controller.abort(reason);
      outcomes = await Promise.allSettled(calls);
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        const e = (o as PromiseRejectedResult).reason as NetnsError;
        expect(e).toBeInstanceOf(NetnsError);
        expect(e).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason });
      }
      await turn();
    } finally {
      stop();
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('50 creates with one signal, aborted while queued: each withdrawn, nothing made', async () => {
    const ns = await freshNamespace();
    const controller = new AbortController();
    const { signal } = controller;
    const { warnings, stop } = collectWarnings();
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      const calls = Array.from({ length: 50 }, (_, i) =>
        VethPair.create({ name: `ab${i}`, peerName: `ac${i}`, namespace: ns, signal }),
      );
      controller.abort();
      outcomes = await Promise.allSettled(calls);
      await turn();
    } finally {
      stop();
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    }
    expect(links(ns.name).map((l) => l.ifname)).toEqual(['lo']);
    expect(getEventListeners(signal, 'abort')).toEqual([]);
  });

  it('a signal that aborts after the calls settled aborts nothing, and holds no listener', async () => {
    const ns = await freshNamespace();
    const controller = new AbortController();
    await Promise.all(Array.from({ length: 20 }, () => ns.links({ signal: controller.signal })));
    expect(getEventListeners(controller.signal, 'abort')).toEqual([]);
    controller.abort();
    await expect(ns.links()).resolves.toHaveLength(1);
  });
});
