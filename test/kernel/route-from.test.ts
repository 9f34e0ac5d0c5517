/**
 * IPv6 source-specific routes (`ip -6 route add PREFIX from SRCPREFIX ...`): RouteSpec/Route
 * `from`, with `ip -j -6 route show` as the witness.
 */
import { VethPair, type Link, type MonitorEvent, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** What `ip -j -6 route show` prints for a route, `from` included. */
interface IpRouteFrom {
  dst: string;
  from?: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
}

function routesFrom(ns: Namespace): IpRouteFrom[] {
  return ipJson<IpRouteFrom[]>(ns.name, '-6', 'route', 'show');
}

/** The default routes as 'from PREFIX via GATEWAY' ('-' for none), sorted. */
function defaults(ns: Namespace): string[] {
  return routesFrom(ns)
    .filter((r) => r.dst === 'default')
    .map((r) => `from ${r.from ?? '-'} via ${r.gateway ?? '-'}`)
    .sort();
}

/** A namespace with a veth end holding fd00:10::1/64 and fd00:1::5/64 (no DAD to wait for). */
async function world(): Promise<{ ns: Namespace; dev: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('f'), peerName: uniqueName('g'), namespace: ns });
  await local.addAddress('fd00:10::1/64', { nodad: true });
  await local.addAddress('fd00:1::5/64', { nodad: true });
  await local.up();
  await peer.up();
  return { ns, dev: local };
}

describeKernel('source-specific routes (from)', () => {
  it('adds, lists and deletes a default route from a prefix, as `ip -6 route ... from` does', async () => {
    const { ns, dev } = await world();
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe', from: 'fd00:1::/64' });
    expect(routesFrom(ns).filter((r) => r.dst === 'default')).toEqual([
      expect.objectContaining({ from: 'fd00:1::/64', gateway: 'fd00:10::fe', dev: dev.name }),
    ]);
    const listed = (await ns.routes({ family: 6 })).filter((r) => r.destination === 'default');
    expect(listed).toEqual([
      expect.objectContaining({ from: 'fd00:1::/64', gateway: 'fd00:10::fe', link: dev.name, family: 6 }),
    ]);
    // Routes without one list none.
    expect((await ns.routes({ family: 6 })).find((r) => r.destination === 'fd00:10::/64')).not.toHaveProperty('from');
    // A route added by ip reads the same way.
    ip(ns.name, '-6', 'route', 'add', 'fd00:9::/64', 'from', 'fd00:2::/64', 'via', 'fd00:10::fd', 'metric', '7');
    expect((await ns.routes({ family: 6 })).find((r) => r.destination === 'fd00:9::/64')).toMatchObject({
      from: 'fd00:2::/64',
      gateway: 'fd00:10::fd',
      metric: 7,
    });
    // A listed route deletes as it is.
    await ns.deleteRoute(listed[0]!);
    expect(defaults(ns)).toEqual([]);
    await ns.deleteRoute({ destination: 'fd00:9::/64', from: 'fd00:2::/64' });
    expect(routesFrom(ns).find((r) => r.dst === 'fd00:9::/64')).toBeUndefined();
  });

  it('routes that differ only in `from` are two routes; a delete removes the one it names', async () => {
    const { ns } = await world();
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe', from: 'fd00:1::/64' });
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe', from: 'fd00:2::/64' });
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe' });
    expect(defaults(ns)).toEqual([
      'from - via fd00:10::fe',
      'from fd00:1::/64 via fd00:10::fe',
      'from fd00:2::/64 via fd00:10::fe',
    ]);
    // The same route again is EEXIST, of that prefix only.
    await expect(
      ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe', from: 'fd00:2::/64' }),
    ).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringContaining('add route default from fd00:2::/64 via fd00:10::fe'),
    });
    await ns.deleteRoute({ destination: 'default', family: 6, from: 'fd00:2::/64' });
    expect(defaults(ns)).toEqual(['from - via fd00:10::fe', 'from fd00:1::/64 via fd00:10::fe']);
    // Without `from`: the route without one, not a source-specific one.
    await ns.deleteRoute({ destination: 'default', family: 6 });
    expect(defaults(ns)).toEqual(['from fd00:1::/64 via fd00:10::fe']);
    // The kernel answers ENOENT or ESRCH, by where its search stopped.
    for (const spec of [
      { destination: 'default', family: 6 as const },
      { destination: 'default', from: 'fd00:3::/64' },
    ]) {
      await expect(ns.deleteRoute(spec)).rejects.toMatchObject({
        code: expect.stringMatching(/^(ENOENT|ESRCH)$/),
        message: expect.stringMatching(/no such route/),
      });
    }
    expect(defaults(ns)).toEqual(['from fd00:1::/64 via fd00:10::fe']);
  });

  it('host bits in `from` are cleared by the kernel, as ip leaves them: listed as the network, deleted by either', async () => {
    const { ns } = await world();
    await ns.addRoute({ destination: 'fd00:9::/64', gateway: 'fd00:10::fe', from: 'fd00:3::7/64' });
    ip(ns.name, '-6', 'route', 'add', 'fd00:8::/64', 'from', 'fd00:3::7/64', 'via', 'fd00:10::fe');
    const shown = routesFrom(ns).filter((r) => r.from !== undefined);
    expect(shown.map((r) => `${r.dst} from ${r.from}`)).toEqual([
      'fd00:8::/64 from fd00:3::/64',
      'fd00:9::/64 from fd00:3::/64',
    ]);
    expect((await ns.routes({ family: 6 })).filter((r) => r.from !== undefined).map((r) => r.from)).toEqual([
      'fd00:3::/64',
      'fd00:3::/64',
    ]);
    await ns.deleteRoute({ destination: 'fd00:9::/64', from: 'fd00:3::9/64' });
    await ns.deleteRoute({ destination: 'fd00:8::/64', from: 'fd00:3::/64' });
    expect(routesFrom(ns).filter((r) => r.from !== undefined)).toEqual([]);
  });

  it('routeTo: a source in the prefix takes the source-specific route; the answer does not call its source `from`', async () => {
    const { ns, dev } = await world();
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe', from: 'fd00:1::/64' });
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fd', from: 'fd00:2::/64' });
    const got = await ns.routeTo('fd00:9::1', { source: 'fd00:1::5' });
    expect(got).toMatchObject({ destination: 'fd00:9::1/128', gateway: 'fd00:10::fe', link: dev.name });
    // The kernel echoes the source asked with as RTA_SRC/128 (ip prints `from fd00:1::5`):
    // that is the packet's, not a prefix of the route.
    expect(got).not.toHaveProperty('from');
    const ipSays = ipJson<Array<{ gateway?: string; from?: string }>>(
      ns.name,
      '-6',
      'route',
      'get',
      'fd00:9::1',
      'from',
      'fd00:1::5',
    );
    expect(ipSays[0]).toMatchObject({ gateway: 'fd00:10::fe', from: 'fd00:1::5' });
    // The route as the table holds it has its prefix.
    const held = await ns.routeTo('fd00:9::1', { source: 'fd00:1::5', fibMatch: true });
    expect(held).toMatchObject({ destination: 'default', from: 'fd00:1::/64', gateway: 'fd00:10::fe' });
    // From no source in either prefix, no route.
    await expect(ns.routeTo('fd00:9::1', { source: 'fd00:10::1' })).rejects.toMatchObject({ code: 'ENETUNREACH' });
  });

  it('an address alone as `from` is that address (/128), as `ip -6 route add ... from ADDRESS` reads it', async () => {
    const { ns } = await world();
    await ns.addRoute({ destination: 'fd00:9::/64', gateway: 'fd00:10::fe', from: 'fd00:1::5' });
    ip(ns.name, '-6', 'route', 'add', 'fd00:8::/64', 'from', 'fd00:1::5', 'via', 'fd00:10::fe');
    // ip shows both alike: a host prefix, printed as the address.
    const shown = routesFrom(ns).filter((r) => r.from !== undefined);
    expect(shown.map((r) => `${r.dst} from ${r.from}`)).toEqual([
      'fd00:8::/64 from fd00:1::5',
      'fd00:9::/64 from fd00:1::5',
    ]);
    expect(
      (await ns.routes({ family: 6 })).filter((r) => r.from !== undefined).map((r) => `${r.destination} ${r.from}`),
    ).toEqual(['fd00:8::/64 fd00:1::5/128', 'fd00:9::/64 fd00:1::5/128']);

    // routeTo: that source takes it, its neighbour does not; the answer's source is not `from`.
    const got = await ns.routeTo('fd00:9::1', { source: 'fd00:1::5' });
    expect(got).toMatchObject({ destination: 'fd00:9::1/128', gateway: 'fd00:10::fe' });
    expect(got).not.toHaveProperty('from');
    expect(await ns.routeTo('fd00:9::1', { source: 'fd00:1::5', fibMatch: true })).toMatchObject({
      destination: 'fd00:9::/64',
      from: 'fd00:1::5/128',
    });
    await expect(ns.routeTo('fd00:9::1', { source: 'fd00:1::6' })).rejects.toMatchObject({ code: 'ENETUNREACH' });

    // Deleted by the address alone or by its /128, whichever made it.
    await ns.deleteRoute({ destination: 'fd00:8::/64', from: 'fd00:1::5' });
    await ns.deleteRoute({ destination: 'fd00:9::/64', from: 'fd00:1::5/128' });
    expect(routesFrom(ns).filter((r) => r.from !== undefined)).toEqual([]);
  });

  it('monitor: route events carry `from`, the same Route as ns.routes()', async () => {
    const { ns } = await world();
    await using m = ns.monitor({ events: ['route'] });
    await m.ready;
    const events: MonitorEvent[] = [];
    const reading = (async () => {
      for await (const e of m) events.push(e);
    })();
    await ns.addRoute({ destination: 'fd00:9::/64', gateway: 'fd00:10::fe', from: 'fd00:1::/64' });
    await ns.addRoute({ destination: 'fd00:9::/64', gateway: 'fd00:10::fe', from: 'fd00:2::/64' });
    await waitFor(() => events.length >= 2, { what: 'the two route events' });
    const listed = (await ns.routes({ family: 6 })).filter((r) => r.destination === 'fd00:9::/64');
    expect(events).toEqual([
      { type: 'route', action: 'new', route: listed.find((r) => r.from === 'fd00:1::/64') },
      { type: 'route', action: 'new', route: listed.find((r) => r.from === 'fd00:2::/64') },
    ]);
    await ns.deleteRoute({ destination: 'fd00:9::/64', from: 'fd00:2::/64' });
    await waitFor(() => events.length >= 3, { what: 'the delete event' });
    expect(events[2]).toMatchObject({ type: 'route', action: 'delete', route: { from: 'fd00:2::/64' } });
    await m.close();
    await reading;
  });

  it('flushRoutes removes source-specific routes and returns them with `from`', async () => {
    const { ns } = await world();
    await ns.addRoute({ destination: 'fd00:9::/64', gateway: 'fd00:10::fe', from: 'fd00:1::/64' });
    await ns.addRoute({ destination: 'fd00:9::/64', gateway: 'fd00:10::fe', from: 'fd00:2::/64' });
    const removed = await ns.flushRoutes({ family: 6 });
    expect(removed.filter((r) => r.from !== undefined).map((r) => r.from)).toEqual(['fd00:1::/64', 'fd00:2::/64']);
    // (The kernel may add fe80::/64 back meanwhile, as a link-local address comes up.)
    expect(routesFrom(ns).filter((r) => r.from !== undefined || r.dst === 'fd00:9::/64')).toEqual([]);
  });

  it('bad `from` is EINVAL before anything is sent', async () => {
    const { ns, dev } = await world();
    const before = snapshot(ns.name);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ destination: 'default', gateway: 'fd00:10::fe', from: 'nowhere' }, /"nowhere" is not a valid IPv4 or IPv6/],
      [{ destination: 'default', gateway: 'fd00:10::fe', from: 'fd00:1::/129' }, /invalid prefix length/],
      [{ destination: 'default', gateway: 'fd00:10::fe', from: 64 }, /the source prefix \(from\) must be a string/],
      [{ destination: '198.19.9.0/24', link: dev.name, from: '198.18.1.1' }, /for IPv6 routes only.*addRule/],
      [{ destination: 'fd00:9::/64', link: dev, from: '198.18.1.0/24' }, /is IPv4 but the route is IPv6/],
      [{ destination: '198.19.9.0/24', link: dev, from: 'fd00:1::/64' }, /is IPv6 but the route is IPv4/],
      [{ destination: '198.19.9.0/24', link: dev.name, from: '198.18.1.0/24' }, /for IPv6 routes only.*addRule/],
      [{ destination: 'default', link: dev, from: '198.18.1.0/24' }, /for IPv6 routes only/],
      [{ destination: 'default', family: 4, from: 'fd00:1::/64', link: dev }, /family 4 does not match/],
    ];
    for (const [spec, message] of cases) {
      for (const call of [() => ns.addRoute(spec as never), () => ns.deleteRoute(spec as never)]) {
        await expect(call()).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
      }
    }
    expect(snapshot(ns.name)).toBe(before);
  });

  it('a listed route whose protocol and scope have no names deletes as it is', async () => {
    const { ns, dev } = await world();
    ip(ns.name, '-6', 'route', 'add', 'fd00:9::/64', 'from', 'fd00:1::/64', 'dev', dev.name, 'proto', '200');
    ip(ns.name, '-4', 'route', 'add', '198.19.9.0/24', 'dev', dev.name, 'proto', '201', 'scope', '100');
    const listed = (await ns.routes({ table: 0 })).filter(
      (r) => r.destination === 'fd00:9::/64' || r.destination === '198.19.9.0/24',
    );
    expect(listed.map((r) => [r.protocol, r.scope])).toEqual(
      expect.arrayContaining([
        ['200', 'global'],
        ['201', '100'],
      ]),
    );
    for (const r of listed) await ns.deleteRoute(r);
    expect(routesFrom(ns).find((r) => r.dst === 'fd00:9::/64')).toBeUndefined();
    expect(ipJson<unknown[]>(ns.name, '-4', 'route', 'show', '198.19.9.0/24')).toEqual([]);
  });
});
