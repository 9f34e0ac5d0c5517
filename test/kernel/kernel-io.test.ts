/**
 * How requests reach the kernel (lib/internal/dispatch.ts): calls made in the same tick are coalesced into
 * one addon call, yet each settles with its own result or error; the worker path (forced, for
 * the benchmark) gives the same results.
 */
import { NetnsError, VethPair } from 'netns-native';
import { kHandle } from '../../lib/internal/symbols';
import { request, requestAsync, setCoalescing, setIoMode } from '../../lib/internal/dispatch';
import * as wire from '../../lib/native/wire';
import type { NativeLink, NativeOp } from '../../lib/native/surface';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ip, link } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

async function pairs(count: number) {
  const ns = await freshNamespace();
  const made: VethPair[] = [];
  for (let i = 0; i < count; i++) {
    const name = uniqueName('io');
    made.push(await VethPair.create({ name, peerName: `${name}p`, namespace: ns }));
  }
  return { ns, made };
}

describeKernel('kernel I/O', () => {
  afterEach(() => {
    setIoMode('inline');
    setCoalescing(true);
  });

  it('while a worker call runs on a namespace, its quick calls go to a worker too', async () => {
    // The JS thread and the workers share the namespace's one socket, and the JS thread never
    // waits for it: a quick call made meanwhile must not run inline (it would find the socket
    // taken, EBUSY). First in this file: no namespace was deleted yet, so nothing else keeps
    // quick calls off the JS thread (see namespaceDeleted).
    const { ns, made } = await pairs(1);
    const handle = await ns[kHandle]('test');
    const l = made[0]!.local;
    const inline = jest.spyOn(wire, 'transact');
    try {
      for (const up of [true, false, true]) {
        inline.mockClear();
        const [links] = await Promise.all([
          requestAsync<NativeLink[]>(handle, { op: 'dumplinks' }, 'list links', 'namespace'),
          request(handle, { op: 'newlink', link: { index: l.index, flags: up ? 1 : 0, change: 1 } }, 'set', 'link'),
        ]);
        expect(inline).not.toHaveBeenCalled();
        expect(links.length).toBeGreaterThan(1);
        expect(link(ns.name, l.name)?.flags.includes('UP')).toBe(up);
      }
      // Once it is done, quick calls run inline again.
      await request(handle, { op: 'newlink', link: { index: l.index, flags: 0, change: 1 } }, 'set', 'link');
      expect(inline).toHaveBeenCalledTimes(1);
    } finally {
      inline.mockRestore();
    }
  });
  it('transact runs on the open socket; transactAsync reports the time the batch took', async () => {
    const { ns, made } = await pairs(1);
    const handle = await ns[kHandle]('test');
    const index = made[0]!.local.index;
    const sync = wire.transact(handle, [{ op: 'getlink', index }]);
    expect(sync).toHaveLength(1);
    expect((sync![0] as { name: string }).name).toBe(made[0]!.local.name);
    const { results, kernelUs } = await wire.transactAsync(handle, [{ op: 'getlink', index }]);
    expect((results[0] as { name: string }).name).toBe(made[0]!.local.name);
    expect(typeof kernelUs).toBe('number');
    expect(kernelUs).toBeGreaterThan(0);
  });

  for (const mode of ['inline', 'worker'] as const) {
    it(`${mode}: concurrent calls each settle with their own result or error`, async () => {
      setIoMode(mode);
      const { ns, made } = await pairs(40); // more than one slice of 32
      const gone = made[5]!.local;
      ip(ns.name, 'link', 'del', gone.name);
      const outcomes = await Promise.allSettled(made.map((p) => p.local.up()));
      outcomes.forEach((o, i) => {
        if (i === 5) {
          expect(o.status).toBe('rejected');
          const e = (o as PromiseRejectedResult).reason as NetnsError;
          expect(e).toBeInstanceOf(NetnsError);
          expect(e.code).toBe('ENODEV');
          expect(e.message).toContain(`"${gone.name}"`);
        } else {
          expect(o.status).toBe('fulfilled');
          expect(link(ns.name, made[i]!.local.name)?.flags).toContain('UP');
        }
      });
    });

    it(`${mode}: calls on one link in the same tick run in the order they were made`, async () => {
      setIoMode(mode);
      const { ns, made } = await pairs(1);
      const l = made[0]!.local;
      const cidr = '198.18.7.1/24';
      await Promise.all([l.addAddress(cidr), l.up(), l.deleteAddress(cidr), l.down(), l.addAddress(cidr)]);
      expect(addrs(ns.name, l.name).map((a) => `${a.local}/${a.prefixlen}`)).toEqual([cidr]);
      expect(link(ns.name, l.name)?.flags).not.toContain('UP');
    });
  }

  it('a call the addon refuses as a whole fails alone, not the calls coalesced with it', async () => {
    const { ns, made } = await pairs(2);
    const handle = await ns[kHandle]('test');
    const bogus = { op: 'no-such-op' } as unknown as NativeOp;
    const index = made[1]!.local.index;
    // Made in the same tick: one flush, one addon call, which the addon refuses as a whole.
    const [bad, up] = await Promise.allSettled([
      request(handle, bogus, 'do nothing', 'link'),
      request(handle, { op: 'newlink', link: { index, flags: 1, change: 1 } }, 'bring up', 'link'),
    ]);
    expect(bad.status).toBe('rejected');
    expect(((bad as PromiseRejectedResult).reason as NetnsError).message).toContain('unknown operation');
    expect(up.status).toBe('fulfilled');
    expect(link(ns.name, made[1]!.local.name)?.flags).toContain('UP');
  });

  it('works with coalescing off', async () => {
    setCoalescing(false);
    const { ns, made } = await pairs(3);
    await Promise.all(made.map((p) => p.local.up()));
    for (const p of made) expect(link(ns.name, p.local.name)?.flags).toContain('UP');
  });
});
