/**
 * Calls of several requests (a link looked up by name, then the change; a check, then the
 * change; a tap made through /dev/net/tun, then set and read back) keep their place in the
 * namespace's FIFO from the first request to the last: a call made after them, in the same tick,
 * runs after all of their steps, never between two of them.
 */
import { Bridge, Macvlan, Namespace, Tap, VethPair, type Link, type VethPairOptions } from 'netns-native';
import { dispatchStats } from '../../lib/internal/dispatch';
import { kCreateAttached, kHandle } from '../../lib/internal/symbols';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, neighbours, routes } from '../helpers/ip';
import { describeKernel, itIf, kernelHasChildLinkKind, kernelHasTun } from '../helpers/skip';

/** A link made by `ip` (one end of a veth pair, the other `${name}p`), up. */
async function dummy(ns: Namespace, name: string): Promise<Link> {
  ip(ns.name, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`);
  ip(ns.name, 'link', 'set', name, 'up');
  return ns.link(name);
}

describeKernel('multi-step calls keep their place in the FIFO', () => {
  it('a route given a link by name is added before a delete of that link made after it', async () => {
    const ns = await freshNamespace();
    const d = await dummy(ns, 'd0');
    const seen: string[] = [];
    await Promise.all([
      ns.addRoute({ destination: '198.18.7.0/24', link: 'd0' }).then(() => seen.push('route')),
      d.delete().then(() => seen.push('delete')),
    ]);
    expect(seen).toEqual(['route', 'delete']);
    expect(link(ns.name, 'd0')).toBeUndefined();
  });

  it('a route deleted by link name goes before a rename and a delete made after it', async () => {
    const ns = await freshNamespace();
    const d = await dummy(ns, 'd0');
    ip(ns.name, 'route', 'add', '198.18.8.0/24', 'dev', 'd0');
    await Promise.all([ns.deleteRoute({ destination: '198.18.8.0/24', link: 'd0' }), d.rename('d1')]);
    expect(routes(ns.name, '198.18.8.0/24')).toEqual([]);
    await Promise.all([ns.addRoute({ destination: '198.18.9.0/24', link: 'd1' }), d.delete()]);
  });

  it('a route whose next hops name links keeps them in one lookup, in order', async () => {
    const ns = await freshNamespace();
    const a = await dummy(ns, 'da');
    await dummy(ns, 'db');
    ip(ns.name, 'addr', 'add', '198.18.10.1/24', 'dev', 'da');
    ip(ns.name, 'addr', 'add', '198.18.11.1/24', 'dev', 'db');
    await Promise.all([
      ns.addRoute({
        destination: '198.18.12.0/24',
        nexthops: [
          { gateway: '198.18.10.2', link: 'da' },
          { gateway: '198.18.11.2', link: 'db' },
        ],
      }),
      a.rename('dc'),
    ]);
    const [r] = routes(ns.name, '198.18.12.0/24');
    expect(JSON.stringify(r)).toContain('dc');
    expect(JSON.stringify(r)).toContain('db');
  });

  it('a neighbour given a link by name is added (and deleted) before a delete of the link made after it', async () => {
    const ns = await freshNamespace();
    const d = await dummy(ns, 'd0');
    await Promise.all([
      ns.addNeighbour({ link: 'd0', address: '198.18.13.2', mac: '02:00:00:00:00:02' }),
      d.rename('d1'),
    ]);
    expect(neighbours(ns.name, 'dev', 'd1').map((n) => n.dst)).toEqual(['198.18.13.2']);
    await Promise.all([ns.deleteNeighbour({ link: 'd1', address: '198.18.13.2' }), d.delete()]);
    const e = await dummy(ns, 'd2');
    await Promise.all([ns.addNeighbour({ link: 'd2', address: '198.18.13.3', mac: '02:00:00:00:00:03' }), e.delete()]);
  });

  it('removePort finishes before a setMaster made after it', async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create('br0', { namespace: ns });
    const port = await dummy(ns, 'p0');
    await port.setMaster(br);
    await Promise.all([br.removePort(port), port.setMaster(br)]);
    expect(link(ns.name, 'p0')?.master).toBe('br0');
  });

  it('a bridge is made, marked and read back before a call made after it', async () => {
    const ns = await freshNamespace();
    // The longest alias the kernel takes (254 bytes; 255 is refused before anything is sent).
    const [br, seen] = await Promise.all([
      Bridge.create('br0', { namespace: ns, alias: 'a'.repeat(254) }),
      ns.link('br0'),
    ]);
    expect(seen.index).toBe(br.index);
    expect(seen.alias).toBe('a'.repeat(254));
  });

  itIf(kernelHasTun(), 'this machine has no TUN/TAP (/dev/net/tun)')(
    'a link whose step after the create fails is removed before a call made after it runs',
    async () => {
      const ns = await freshNamespace();
      const name = uniqueName('tap');
      // The device exists once /dev/net/tun made it; then the kernel refuses the MTU (a tap takes
      // at most 65535) and it is deleted again, all before the lookup made after it.
      const outcomes = await Promise.allSettled([Tap.create(name, { namespace: ns, mtu: 70000 }), ns.link(name)]);
      expect(codes(outcomes)).toEqual(['EINVAL', 'ENODEV']);
      expect(link(ns.name, name)).toBeUndefined();
    },
  );

  itIf(kernelHasTun(), 'this machine has no TUN/TAP (/dev/net/tun)')(
    'a tap is made, set and read back before a call made after it',
    async () => {
      const ns = await freshNamespace();
      const name = uniqueName('tap');
      const [tap, seen] = await Promise.all([Tap.create(name, { namespace: ns, mtu: 1400 }), ns.link(name)]);
      expect(seen.index).toBe(tap.index);
      expect(seen.mtu).toBe(1400);
      // And one made before it runs before it.
      const other = await dummy(ns, 'd9');
      const [renamed, made] = await Promise.allSettled([other.rename('t9'), Tap.create('t9', { namespace: ns })]);
      expect(renamed.status).toBe('fulfilled');
      expect(made.status === 'rejected' && (made.reason as { code?: string }).code).toBe('EEXIST');
    },
  );
});

/**
 * A veth pair created attached to `wrong` while the master it names is another bridge: the
 * creating sendmsg makes the pair, then finds the master's name at another index, and the pair is
 * deleted again (ESTALE) — a failure after the create that nothing else has to cause.
 */
function createStale(options: VethPairOptions, bridge: Link, wrong: Link): Promise<VethPair> {
  return VethPair[kCreateAttached](options, { index: wrong.index, name: bridge.name });
}

describeKernel('VethPair.create keeps its place in the FIFO', () => {
  it('a pair undone after its create is gone before a call made after it (a lookup of its name)', async () => {
    const ns = await freshNamespace();
    const [br, other] = [await Bridge.create('br0', { namespace: ns }), await Bridge.create('br1', { namespace: ns })];
    const outcomes = await Promise.allSettled([
      createStale({ name: 'v0', peerName: 'v0p', namespace: ns }, br, other),
      ns.link('v0'),
      ns.addRoute({ destination: '198.18.41.0/24', link: 'v0' }),
    ]);
    expect(codes(outcomes)).toEqual(['ESTALE', 'ENODEV', 'ENODEV']);
    expect(link(ns.name, 'v0')).toBeUndefined();
  });

  it('creates made together still share one sendmsg, each with its own outcome', async () => {
    const ns = await freshNamespace();
    const names = ['w0', 'w1', 'w2', 'w3'];
    const before = dispatchStats.inlineBatches + dispatchStats.workerBatches;
    await Promise.all(names.map((name) => VethPair.create({ name, peerName: `${name}q`, namespace: ns })));
    expect(dispatchStats.inlineBatches + dispatchStats.workerBatches - before).toBe(1);
    expect(names.map((name) => link(ns.name, `${name}q`)?.ifname)).toEqual(['w0q', 'w1q', 'w2q', 'w3q']);
    // One of them refused: the others are made all the same.
    const again = await Promise.allSettled(
      ['w4', 'w1', 'w5'].map((name) => VethPair.create({ name, peerName: `${name}r`, namespace: ns })),
    );
    expect(codes(again)).toEqual(['ok', 'EEXIST', 'ok']);
    expect((again[1] as PromiseRejectedResult).reason).toMatchObject({ message: /a link named "w1" already exists/ });
  });

  it('with the peer in another namespace, a call there made right after runs after the create and its read back', async () => {
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const busy = await dummy(a, 'x0');
    // The create waits behind the delete in a (RCU); the lookup in b must wait for it.
    const [, pair, seen] = await Promise.all([
      busy.delete(),
      VethPair.create({ name: 'v0', peerName: 'v0p', namespace: a, peerNamespace: b }),
      b.link('v0p'),
    ]);
    expect(seen.index).toBe(pair.peer.index);
    expect(link(b.name, 'v0p')?.ifindex).toBe(pair.peer.index);
  });

  it('with the peer in another namespace, a pair undone after its create is gone before calls made after it on either', async () => {
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const [br, other] = [await Bridge.create('br0', { namespace: a }), await Bridge.create('br1', { namespace: a })];
    const outcomes = await Promise.allSettled([
      createStale({ name: 'v1', peerName: 'v1p', namespace: a, peerNamespace: b }, br, other),
      b.link('v1p'),
      a.link('v1'),
    ]);
    expect(codes(outcomes)).toEqual(['ESTALE', 'ENODEV', 'ENODEV']);
    expect(link(a.name, 'v1')).toBeUndefined();
    expect(link(b.name, 'v1p')).toBeUndefined();
  });
});

/** The outcome of each call: 'ok' or its error code. */
function codes(outcomes: PromiseSettledResult<unknown>[]): string[] {
  return outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : String((o.reason as { code?: string }).code)));
}

/**
 * `ns` as Namespace.list() gives it: another object, whose handle is opened on first use (and
 * released when `ns` is deleted).
 */
async function lazily(ns: Namespace): Promise<Namespace> {
  const found = (await Namespace.list()).find((n) => n.inode === ns.inode);
  if (found === undefined) throw new Error(`${ns.name} is not listed`);
  return found;
}

describeKernel('calls on two namespaces keep their place in both FIFOs', () => {
  it('a call in the target made right after moveTo runs after the move and its read back', async () => {
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const d = await dummy(a, 'd0');
    const [moved, seen] = await Promise.all([d.moveTo(b), b.link('d0')]);
    expect(seen.index).toBe(moved.index);
    expect(link(b.name, 'd0')?.ifindex).toBe(moved.index);
  });

  it("the read back of moveTo comes before a call made after it (deleting the link's peer there)", async () => {
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    await dummy(a, 'd0');
    ip(a.name, 'link', 'set', 'd0p', 'netns', b.name as string);
    const [d, peer] = [await a.link('d0'), await b.link('d0p')];
    // The move, then its read back in b, then the delete of the peer (which takes d0 with it).
    expect(codes(await Promise.allSettled([d.moveTo(b), peer.delete()]))).toEqual(['ok', 'ok']);
    expect(link(b.name, 'd0')).toBeUndefined();
  });

  it('moves in opposite directions and to one namespace at once all finish, in order', async () => {
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const [a1, a2, b1] = [await dummy(a, 'a1'), await dummy(a, 'a2'), await dummy(b, 'b1')];
    const [toB, toA, alsoToB, inA, inB] = await Promise.all([
      a1.moveTo(b),
      b1.moveTo(a),
      a2.moveTo(b),
      a.link('b1'),
      b.link('a2'),
    ]);
    expect([toB.name, toA.name, alsoToB.name]).toEqual(['a1', 'b1', 'a2']);
    expect(inA.index).toBe(toA.index);
    expect(inB.index).toBe(alsoToB.index);
    // And each back again, a call right after in the namespace one of them comes back to.
    const [back1, back2] = await Promise.all([toB.moveTo(a), toA.moveTo(b), alsoToB.moveTo(a), a.link('a2')]);
    expect([back1.name, back2.name]).toEqual(['a1', 'b1']);
    expect(link(a.name, 'a1')).toBeDefined();
    expect(link(a.name, 'a2')).toBeDefined();
    expect(link(b.name, 'b1')).toBeDefined();
  });

  itIf(kernelHasChildLinkKind('macvlan', ['mode', 'bridge']), 'this kernel has no macvlan')(
    'a call made right after a link is created for another namespace runs after its read back there',
    async () => {
      const [a, b] = [await freshNamespace(), await freshNamespace()];
      const parent = await dummy(a, 'p0');
      const busy = await dummy(a, 'x0');
      // The create waits behind the delete in a (RCU); the call in b must wait for it.
      const [, made, seen] = await Promise.all([
        busy.delete(),
        Macvlan.create('mv0', { parent, namespace: b }),
        b.link('mv0'),
      ]);
      expect(seen.index).toBe(made.index);
      expect(link(b.name, 'mv0')?.ifindex).toBe(made.index);
    },
  );
});

describeKernel('calls keep their order across the lazy open of a namespace', () => {
  it('a call made as the open completes runs after the calls that were waiting for it', async () => {
    const ns = await freshNamespace();
    await dummy(ns, 'd0');
    const lazy = await lazily(ns);
    const route = { destination: '198.18.40.0/24', link: 'd0' };
    // Code resumed by the open (here, waiting for it before the add was made) that makes a call
    // at once: that call was made after the add, so it must reach the kernel after it.
    const later = lazy[kHandle]('test').then(() => lazy.deleteRoute(route));
    const add = lazy.addRoute(route);
    expect(codes(await Promise.allSettled([add, later]))).toEqual(['ok', 'ok']);
    expect(routes(ns.name, '198.18.40.0/24')).toEqual([]);
  });

  it('moveTo a namespace still to be opened holds its place there and on the source', async () => {
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const d = await dummy(a, 'd0');
    const lazyB = await lazily(b);
    const outcomes = await Promise.allSettled([d.moveTo(lazyB), lazyB.link('d0'), d.setMtu(1400)]);
    expect(codes(outcomes)).toEqual(['ok', 'ok', 'ENODEV']);
    const [moved, seen] = outcomes.map((o) => (o as PromiseFulfilledResult<Link>).value);
    expect(seen?.index).toBe(moved?.index);
  });

  it('a move to a namespace that cannot be opened fails alone and lets go of the source', async () => {
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const d = await dummy(a, 'd0');
    const lazyB = await lazily(b);
    await lazyB.close();
    const [move, mtu] = await Promise.allSettled([d.moveTo(lazyB), d.setMtu(1400)]);
    expect(codes([move, mtu])).toEqual(['EBADF', 'ok']);
    expect(link(a.name, 'd0')?.mtu).toBe(1400);
  });
});
