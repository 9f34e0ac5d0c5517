/**
 * How requests reach the kernel (lib/internal/dispatch.ts): one FIFO per namespace, so calls
 * reach the kernel in the order they were made whichever thread sends them; calls made in the
 * same tick are coalesced into one addon call, yet each settles with its own result or error;
 * the worker path (forced, for the benchmark) gives the same results.
 */
import { spawn } from 'node:child_process';
import { Bridge, Namespace, NetnsError, VethPair, type Link } from 'netns-native';
import { kHandle } from '../../lib/internal/symbols';
import { dispatchStats, namespaceReleased, request, setCoalescing, setIoMode } from '../../lib/internal/dispatch';
import type { NativeOp } from '../../lib/native/surface';
import * as wire from '../../lib/native/wire';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ip, ipJson, link, type IpLink } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

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

  it('a cheap call made after a sleeping one waits for it: the order holds across threads', async () => {
    const { made } = await pairs(2);
    const a = made[0]!.local;
    const b = made[1]!.local;
    // setMtu runs inline, delete on a worker (it waits on RCU): still in the order made.
    const [mtu, del] = await Promise.allSettled([a.setMtu(1400), a.delete()]);
    expect(mtu.status).toBe('fulfilled');
    expect(del.status).toBe('fulfilled');
    // The other way round, the MTU change finds the link gone.
    const [del2, mtu2] = await Promise.allSettled([b.delete(), b.setMtu(1400)]);
    expect(del2.status).toBe('fulfilled');
    expect(mtu2.status).toBe('rejected');
    expect(((mtu2 as PromiseRejectedResult).reason as NetnsError).code).toBe('ENODEV');
  });

  it('a method whose request follows checks of its own keeps its place before calls made after it', async () => {
    const other = await freshNamespace();
    const { ns, made } = await pairs(4);
    const [a, b, c, d] = made.map((p) => p.local) as [Link, Link, Link, Link];
    const codes = (outcomes: PromiseSettledResult<unknown>[]) =>
      outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : ((o as PromiseRejectedResult).reason as NetnsError).code));
    // Renamed, then deleted: the rename found the link.
    expect(codes(await Promise.allSettled([a.rename(`${a.name}r`), a.delete()]))).toEqual(['ok', 'ok']);
    // Moved, then the MTU set here: the link is gone from here by then.
    expect(codes(await Promise.allSettled([b.moveTo(other), b.setMtu(1400)]))).toEqual(['ok', 'ENODEV']);
    expect(ipJson<IpLink[]>(other.name, 'link', 'show', b.name)[0]?.mtu).toBe(1500);
    // Listed, then brought down: the listing saw it up.
    await c.up();
    const [listed] = await Promise.all([ns.links(), c.down()]);
    expect(listed.find((l) => l.name === c.name)?.isUp).toBe(true);
    // A pair of a name in use, then the link of that name deleted: the create found it there.
    const again = VethPair.create({ name: d.name, peerName: uniqueName('io'), namespace: ns });
    expect(codes(await Promise.allSettled([again, d.delete()]))).toEqual(['EEXIST', 'ok']);
    expect(link(ns.name, d.name)).toBeUndefined();
  });

  it('calls made before close() or delete() still run; only calls made after fail (EBADF)', async () => {
    const { ns, made } = await pairs(3);
    const [a, b, c] = made.map((p) => p.local) as [Link, Link, Link];
    await a.up();
    const before = [a.setMtu(1400), a.down(), b.delete(), a.addAddress('198.18.7.1/24'), ns.links()];
    const closing = ns.close();
    expect(ns.closed).toBe(true);
    const after = a.setMtu(1300);
    const outcomes = await Promise.allSettled([...before, closing]);
    expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill('fulfilled'));
    expect(((await after.catch((e: unknown) => e)) as NetnsError).code).toBe('EBADF');
    const seen = link(ns.name, a.name);
    expect(seen?.mtu).toBe(1400);
    expect(seen?.flags).not.toContain('UP');
    expect(addrs(ns.name, a.name).map((x) => `${x.local}/${x.prefixlen}`)).toEqual(['198.18.7.1/24']);
    expect(link(ns.name, b.name)).toBeUndefined();

    // The same with a batch in flight on a worker, and delete() through another object.
    const again = await Namespace.open(ns.name as string);
    const other = await Namespace.open(ns.name as string);
    const cAgain = await again.link(c.name);
    const queued = [cAgain.down(), cAgain.setMtu(1280), cAgain.up(), again.addresses()];
    await new Promise((resolve) => setImmediate(resolve)); // the down is on a worker by now
    const deleting = other.delete();
    expect((await Promise.allSettled([...queued, deleting])).map((o) => o.status)).toEqual(Array(5).fill('fulfilled'));
    expect(again.closed).toBe(true);
  });

  it('mixed cheap and sleeping calls in flight reach the kernel in order (ip monitor as witness)', async () => {
    const { ns, made } = await pairs(3);
    const [l, x, y] = made.map((p) => p.local) as [
      (typeof made)[0]['local'],
      (typeof made)[0]['local'],
      (typeof made)[0]['local'],
    ];
    const monitor = spawn('ip', ['-n', ns.name as string, '-o', 'monitor', 'link'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let seen = '';
    let probes = 0;
    monitor.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      // The monitor is listening once it reports a change we make from outside.
      await waitFor(
        () => {
          ip(ns.name, 'link', 'set', 'dev', y.name, 'mtu', String(1400 + (probes++ % 2)));
          return seen.includes(`: ${y.name}@`);
        },
        { what: 'ip monitor to start', timeoutMs: 10000 },
      );
      const before = dispatchStats.workerBatches;
      await Promise.all([
        l.setMtu(1400), // inline
        l.down(), // sleeps (synchronize_net): worker
        l.setMtu(1300), // inline again, but after the down
        x.delete(), // worker (RCU)
        l.setMtu(1280),
        l.up(),
        l.setMtu(1500),
      ]);
      expect(dispatchStats.workerBatches).toBeGreaterThan(before); // both paths were used
      const last = new RegExp(`: ${l.name}@\\S+: <[^>]*> mtu 1500 `);
      await waitFor(() => last.test(seen), { what: 'the last change in the monitor' });
    } finally {
      monitor.kill();
    }
    // Each MTU line names the link; the deletion of x shows as "Deleted".
    const events = seen
      .split('\n')
      .filter((line) => line.includes(`: ${l.name}@`) || line.includes(`: ${l.name}:`) || line.startsWith('Deleted'))
      .map((line) => (line.startsWith('Deleted') ? 'deleted' : /mtu (\d+)/.exec(line)?.[1]));
    const order = events.filter((e, i) => e !== undefined && e !== events[i - 1]);
    expect(order).toEqual(['1400', '1300', 'deleted', '1280', '1500']);
  });

  it('what sleeps in the kernel runs on a worker: a down, a delete, a move, leaving a bridge, a rename, a new queue length', async () => {
    const other = await freshNamespace();
    const { ns, made } = await pairs(5);
    const [a, b, c, d, e] = made.map((p) => p.local) as [Link, Link, Link, Link, Link];
    await e.up();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns });
    await b.setMaster(br);
    const onWorker = async (call: () => Promise<unknown>): Promise<boolean> => {
      const before = dispatchStats.workerBatches;
      await call();
      return dispatchStats.workerBatches > before;
    };
    // Cheap calls run inline unless rtnl_lock looked contended (a slow batch on a busy machine):
    // each sleeping call below is made once they do, so that only the policy sends it away.
    const whenInline = async (): Promise<void> => {
      for (let i = 0; (await onWorker(() => a.setMtu(1400 + (i % 2)))) && i < 50; i++);
    };
    for (const [what, call] of [
      ['leave a bridge (synchronize_net: rx_handler unregistered)', () => b.noMaster()],
      ['down (synchronize_net)', () => a.down()],
      ['move (unregistered here: RCU)', () => c.moveTo(other)],
      ['delete (RCU)', () => d.delete()],
      ['rename (synchronize_net)', () => e.rename(uniqueName('rn'))],
      ['rename among other settings', () => e.set({ name: uniqueName('rn'), promisc: true })],
      ['a queue length while up (the queues stopped: synchronize_net)', () => e.set({ txQueueLength: 100 })],
    ] as const) {
      await whenInline();
      expect([what, await onWorker(call)]).toEqual([what, true]);
    }
    expect(link(ns.name, b.name)?.master).toBeUndefined();
  });

  it('setting flags, a group, an alias waits on nothing in the kernel: inline', async () => {
    const { made } = await pairs(1);
    const l = made[0]!.local;
    await l.up();
    const settings = [
      { promisc: true, allMulticast: true },
      { multicast: false, arp: false },
      { group: 7, alias: 'cheap' },
      { promisc: false, allMulticast: false, multicast: true, arp: true, group: 0, alias: null },
    ];
    for (const s of settings) {
      // Inline unless rtnl_lock looked contended (a slow batch on a busy machine): retried until
      // it is not; a call the policy sends away never runs inline.
      let inline = false;
      for (let i = 0; !inline && i < 50; i++) {
        const before = dispatchStats.inlineBatches;
        await l.set(s);
        inline = dispatchStats.inlineBatches > before;
      }
      expect([s, inline]).toEqual([s, true]);
    }
  });

  it('after a namespace is released, cheap calls go to a worker first (its teardown holds rtnl_lock)', async () => {
    const { made } = await pairs(1);
    const l = made[0]!.local;
    await l.up(); // settle the link kind etc.
    namespaceReleased();
    const before = dispatchStats.workerBatches;
    await l.setMtu(1400);
    expect(dispatchStats.workerBatches).toBe(before + 1);
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
    expect(kernelUs).toBeGreaterThan(0);
  });

  it('deletes made together go to the kernel as one group delete; each settles on its own', async () => {
    const { ns, made } = await pairs(12);
    const gone = made[3]!.local;
    ip(ns.name, 'link', 'del', gone.name); // behind our back: its delete must fail alone
    const before = dispatchStats.workerBatches;
    const outcomes = await Promise.allSettled(made.map((p) => p.local.delete()));
    expect(dispatchStats.workerBatches).toBe(before + 1); // one addon call, one RCU wait
    outcomes.forEach((o, i) => {
      if (i === 3) {
        expect(o.status).toBe('rejected');
        expect(((o as PromiseRejectedResult).reason as NetnsError).code).toBe('ENODEV');
      } else {
        expect(o.status).toBe('fulfilled');
      }
    });
    for (const p of made) {
      expect(link(ns.name, p.local.name)).toBeUndefined();
      expect(link(ns.name, p.peer.name)).toBeUndefined();
    }
  });

  it('a group delete the kernel refuses falls back to one by one, and what stays keeps its group', async () => {
    const { ns, made } = await pairs(2);
    const lo = await ns.link('lo'); // the kernel cannot delete lo: the whole group delete fails
    const [a, loDel, b] = await Promise.allSettled([made[0]!.local.delete(), lo.delete(), made[1]!.local.delete()]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    expect(loDel.status).toBe('rejected');
    expect(((loDel as PromiseRejectedResult).reason as NetnsError).code).toBe('EOPNOTSUPP');
    expect(link(ns.name, made[0]!.local.name)).toBeUndefined();
    expect(link(ns.name, made[1]!.local.name)).toBeUndefined();
    expect(ipJson<Array<{ group: string }>>(ns.name, 'link', 'show', 'lo')[0]?.group).toBe('default');
  });

  it('a burst of deletes with a link already gone and one the kernel refuses: each its own outcome', async () => {
    const { ns, made } = await pairs(6);
    const gone = made[1]!.local;
    ip(ns.name, 'link', 'del', gone.name); // behind our back: its group change fails with ENODEV
    const lo = await ns.link('lo'); // the kernel cannot delete lo: the group delete fails as a whole
    const groups = dispatchStats.groupDeletes;
    const fallbacks = dispatchStats.groupDeleteFallbacks;
    const outcomes = await Promise.allSettled([...made.map((p) => p.local.delete()), lo.delete()]);
    expect(dispatchStats.groupDeletes).toBe(groups + 1); // one run of deletes, one group delete
    expect(dispatchStats.groupDeleteFallbacks).toBe(fallbacks + 1); // then one by one
    const codes = outcomes.map((o) =>
      o.status === 'fulfilled' ? 'ok' : ((o as PromiseRejectedResult).reason as NetnsError).code,
    );
    expect(codes).toEqual(['ok', 'ENODEV', 'ok', 'ok', 'ok', 'ok', 'EOPNOTSUPP']);
    for (const p of made) expect(link(ns.name, p.local.name)).toBeUndefined();
    expect(ipJson<Array<{ group: string }>>(ns.name, 'link', 'show', 'lo')[0]?.group).toBe('default');
  });

  it('the request crossing refuses a value of the wrong type for its field, before anything is sent', async () => {
    const { ns, made } = await pairs(1);
    const handle = await ns[kHandle]('test');
    const l = made[0]!.local;
    const bad = { op: 'newlink', link: { index: l.index, mtu: '1400' } } as unknown as NativeOp;
    const [wrong, fine] = await Promise.allSettled([
      request(handle, bad, 'set a bad MTU', 'link'),
      request(handle, { op: 'newlink', link: { index: l.index, mtu: 1300 } }, 'set MTU', 'link'),
    ]);
    expect(wrong.status).toBe('rejected');
    expect(((wrong as PromiseRejectedResult).reason as NetnsError).code).toBe('EINTERNAL');
    expect(fine.status).toBe('fulfilled');
    expect(link(ns.name, l.name)?.mtu).toBe(1300);
  });

  it('a call between deletes keeps its place: deletes around it are not merged across it', async () => {
    const { ns, made } = await pairs(3);
    const [x, y, z] = made.map((p) => p.local) as [Link, Link, Link];
    const [d1, mtu, d2] = await Promise.allSettled([x.delete(), z.setMtu(1400), y.delete()]);
    expect([d1.status, mtu.status, d2.status]).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(link(ns.name, z.name)?.mtu).toBe(1400);
  });

  it('works with coalescing off', async () => {
    setCoalescing(false);
    const { ns, made } = await pairs(3);
    await Promise.all(made.map((p) => p.local.up()));
    for (const p of made) expect(link(ns.name, p.local.name)?.flags).toContain('UP');
  });
});
