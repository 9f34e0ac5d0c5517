/**
 * Calls of several requests (a link looked up by name, then the change; a check, then the
 * change; a tap made through /dev/net/tun, then set and read back) keep their place in the
 * namespace's FIFO from the first request to the last: a call made after them, in the same tick,
 * runs after all of their steps, never between two of them.
 */
import { Bridge, Namespace, Tap, type Link } from 'netns-native';
import { kHandle } from '../../lib/internal/symbols';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, neighbours, routes } from '../helpers/ip';
import { describeKernel, itIf, kernelHasTun } from '../helpers/skip';

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
});
