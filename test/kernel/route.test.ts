import { VethPair, type Namespace, type Link } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, routes, routes6, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

async function withAddress(): Promise<{ ns: Namespace; dev: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
  await local.addAddress('198.18.10.1/24');
  await local.addAddress('fd00:10::1/64', { nodad: true });
  await local.up();
  await peer.up();
  return { ns, dev: local };
}

describeKernel('routes', () => {
  it('adds a default route via a gateway, lists it, deletes it', async () => {
    const { ns, dev } = await withAddress();
    await ns.addRoute({ destination: 'default', gateway: '198.18.10.254' });
    expect(routes(ns.name)).toEqual(
      expect.arrayContaining([expect.objectContaining({ dst: 'default', gateway: '198.18.10.254', dev: dev.name })]),
    );
    const listed = await ns.routes();
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          destination: 'default',
          gateway: '198.18.10.254',
          family: 4,
          link: dev.name,
          linkIndex: dev.index,
          protocol: 'boot',
          scope: 'global',
          table: 254,
        }),
      ]),
    );
    await ns.deleteRoute({ destination: 'default' });
    expect(routes(ns.name).find((r) => r.dst === 'default')).toBeUndefined();
  });

  it('addRoute/deleteRoute return a rejected promise, never throw, even when describing the route throws', async () => {
    // The methods are plain functions returning the request's promise (no async wrapper): what
    // an async method did for free (a throw becomes a rejection) must still hold.
    const { ns } = await withAddress();
    const hostile = {
      toString: () => {
        throw new Error('no string for you');
      },
    };
    for (const call of [
      () => ns.addRoute({ destination: hostile as never }),
      () => ns.deleteRoute({ destination: hostile as never }),
    ]) {
      let promise: Promise<void> | undefined;
      expect(() => (promise = call())).not.toThrow();
      await expect(promise).rejects.toThrow('no string for you');
    }
    expect(routes(ns.name).filter((r) => r.dst !== '198.18.10.0/24')).toEqual([]);
  });

  it('adds a subnet via a device (scope link) and a metric', async () => {
    const { ns, dev } = await withAddress();
    await ns.addRoute({ destination: '198.19.20.0/24', link: dev, metric: 50 });
    await ns.addRoute({ destination: '198.19.21.0/24', link: dev.name });
    const w = routes(ns.name);
    expect(w).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: '198.19.20.0/24', dev: dev.name, scope: 'link', metric: 50 }),
        expect.objectContaining({ dst: '198.19.21.0/24', dev: dev.name, scope: 'link' }),
      ]),
    );
    const mine = await ns.routes({ family: 4 });
    expect(mine.find((r) => r.destination === '198.19.20.0/24')).toMatchObject({
      metric: 50,
      scope: 'link',
      link: dev.name,
    });
    await ns.deleteRoute({ destination: '198.19.20.0/24', link: dev });
    expect(routes(ns.name).find((r) => r.dst === '198.19.20.0/24')).toBeUndefined();
  });

  it('IPv6 routes: default via gateway and a prefix', async () => {
    const { ns, dev } = await withAddress();
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe' });
    await ns.addRoute({ destination: 'fd00:99::/64', gateway: 'fd00:10::fe', metric: 10 });
    const w = routes6(ns.name);
    expect(w).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: 'default', gateway: 'fd00:10::fe', dev: dev.name }),
        expect.objectContaining({ dst: 'fd00:99::/64', gateway: 'fd00:10::fe', metric: 10 }),
      ]),
    );
    const mine = await ns.routes({ family: 6 });
    expect(mine.every((r) => r.family === 6)).toBe(true);
    expect(mine).toEqual(
      expect.arrayContaining([expect.objectContaining({ destination: 'fd00:99::/64', metric: 10 })]),
    );
    await ns.deleteRoute({ destination: 'fd00:99::/64' });
    await ns.deleteRoute({ destination: 'default', family: 6 });
    expect(routes6(ns.name).find((r) => r.dst === 'fd00:99::/64' || r.dst === 'default')).toBeUndefined();
  });

  it('routes in another table are separate from main', async () => {
    const { ns, dev } = await withAddress();
    await ns.addRoute({ destination: '198.19.30.0/24', gateway: '198.18.10.2', table: 100 });
    await ns.addRoute({ destination: 'default', link: dev, table: 1000 });
    expect(routes(ns.name, 'table', '100')).toEqual([
      expect.objectContaining({ dst: '198.19.30.0/24', gateway: '198.18.10.2' }),
    ]);
    expect(routes(ns.name, 'table', '1000')).toEqual([expect.objectContaining({ dst: 'default', dev: dev.name })]);
    expect((await ns.routes()).find((r) => r.destination === '198.19.30.0/24')).toBeUndefined();
    expect(await ns.routes({ table: 100, family: 4 })).toEqual([
      expect.objectContaining({ destination: '198.19.30.0/24', gateway: '198.18.10.2', table: 100 }),
    ]);
    const all = await ns.routes({ table: 0 });
    expect(all.map((r) => r.table)).toEqual(expect.arrayContaining([100, 1000, 254, 255]));
    await ns.deleteRoute({ destination: '198.19.30.0/24', table: 100 });
    expect(routes(ns.name, 'table', '100')).toEqual([]);
  });

  it('blackhole and unreachable routes', async () => {
    const { ns } = await withAddress();
    await ns.addRoute({ destination: '198.19.40.0/24', type: 'blackhole' });
    await ns.addRoute({ destination: '198.19.41.0/24', type: 'unreachable' });
    expect(routes(ns.name)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'blackhole', dst: '198.19.40.0/24' }),
        expect.objectContaining({ type: 'unreachable', dst: '198.19.41.0/24' }),
      ]),
    );
    const mine = await ns.routes();
    expect(mine.find((r) => r.destination === '198.19.40.0/24')?.type).toBe('blackhole');
  });

  it('replace: changes the route of the same destination, or adds it (ip route replace)', async () => {
    const { ns, dev } = await withAddress();
    await ns.addRoute({ destination: 'default', gateway: '198.18.10.254' });
    await ns.addRoute({ destination: 'default', gateway: '198.18.10.253' }, { replace: true });
    expect(routes(ns.name).filter((r) => r.dst === 'default')).toEqual([
      expect.objectContaining({ gateway: '198.18.10.253', dev: dev.name }),
    ]);
    await ns.addRoute({ destination: '198.19.50.0/24', link: dev, table: 100 }, { replace: true });
    expect(routes(ns.name, 'table', '100')).toEqual([expect.objectContaining({ dst: '198.19.50.0/24' })]);
    // Without replace, as before: the route exists.
    await expect(ns.addRoute({ destination: 'default', gateway: '198.18.10.252' })).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringContaining('add route'),
    });
  });

  it('realms: added on a route and on each next hop, read back beside `ip -j route`, filtered and deleted by them', async () => {
    const { ns, dev } = await withAddress();
    await dev.addAddress('198.19.84.1/24');
    await ns.addRoute({ destination: '198.19.85.0/24', link: dev, realm: 5, sourceRealm: 3 });
    // A name of rt_realms (cosmos is 0) and a destination above 255 (the kernel's are 16-bit).
    await ns.addRoute({ destination: '198.19.86.0/24', link: dev, realm: 65535, sourceRealm: 'cosmos' });
    await ns.addRoute({ destination: '198.19.86.128/25', link: dev, realm: '0x10' });
    await ns.addRoute({
      destination: '198.19.87.0/24',
      nexthops: [
        { gateway: '198.19.84.2', link: dev, realm: 4 },
        { gateway: '198.19.84.3', link: dev.name, realm: 9, sourceRealm: 2 },
      ],
    });
    const witness = new Map(
      routes(ns.name).map((r) => [r.dst, r as unknown as { flow?: unknown; nexthops?: unknown }]),
    );
    expect(witness.get('198.19.85.0/24')?.flow).toEqual({ from: '3', to: '5' });
    expect(witness.get('198.19.86.0/24')?.flow).toEqual({ to: '65535' });
    expect(witness.get('198.19.86.128/25')?.flow).toEqual({ to: '16' });
    expect(witness.get('198.19.87.0/24')?.nexthops).toEqual([
      expect.objectContaining({ gateway: '198.19.84.2', flow: { to: '4' } }),
      expect.objectContaining({ gateway: '198.19.84.3', flow: { from: '2', to: '9' } }),
    ]);
    const mine = new Map((await ns.routes()).map((r) => [r.destination, r]));
    expect(mine.get('198.19.85.0/24')).toMatchObject({ realm: 5, sourceRealm: 3 });
    expect(mine.get('198.19.86.0/24')).toMatchObject({ realm: 65535 });
    expect(mine.get('198.19.86.0/24')).not.toHaveProperty('sourceRealm');
    expect(mine.get('198.19.86.128/25')).toMatchObject({ realm: 16 });
    expect(mine.get('198.19.87.0/24')?.nexthops).toEqual([
      expect.objectContaining({ gateway: '198.19.84.2', realm: 4 }),
      expect.objectContaining({ gateway: '198.19.84.3', realm: 9, sourceRealm: 2 }),
    ]);
    expect(mine.get('198.18.10.0/24')).not.toHaveProperty('realm');
    // Filters, as `ip route show realm 5` / `realms 3/` / `realms 3/5`.
    const dsts = async (o: object): Promise<string[]> => (await ns.routes(o)).map((r) => r.destination);
    expect(await dsts({ realm: 5 })).toEqual(['198.19.85.0/24']);
    expect(await dsts({ sourceRealm: 3 })).toEqual(['198.19.85.0/24']);
    expect(await dsts({ realm: 5, sourceRealm: 4 })).toEqual([]);
    expect(await dsts({ realm: 65535, sourceRealm: 0 })).toEqual(['198.19.86.0/24']);
    // A delete with other realms (beside its link) finds nothing; with its own, or as listed, it goes.
    await expect(
      ns.deleteRoute({ destination: '198.19.85.0/24', link: dev, realm: 6, sourceRealm: 3 }),
    ).rejects.toMatchObject({ code: 'ESRCH' });
    await ns.deleteRoute({ destination: '198.19.85.0/24', link: dev, realm: 5, sourceRealm: 3 });
    await ns.deleteRoute(mine.get('198.19.87.0/24') as never);
    expect(routes(ns.name).map((r) => r.dst)).not.toContain('198.19.85.0/24');
    expect(routes(ns.name).map((r) => r.dst)).not.toContain('198.19.87.0/24');
  });

  it('change: changes a route that exists (ip route change), ENOENT for one that does not, nothing added', async () => {
    const { ns, dev } = await withAddress();
    await dev.addAddress('198.19.84.1/24');
    await ns.addRoute({ destination: '198.19.85.0/24', gateway: '198.19.84.2' });
    await ns.addRoute({ destination: '198.19.85.0/24', gateway: '198.19.84.3', realm: 7 }, { change: true });
    expect(routes(ns.name).filter((r) => r.dst === '198.19.85.0/24')).toEqual([
      expect.objectContaining({ gateway: '198.19.84.3', flow: { to: '7' } }),
    ]);
    const before = snapshot(ns.name);
    for (const destination of ['198.19.86.0/24', 'fd00:af:1::/64']) {
      await expect(ns.addRoute({ destination, link: dev }, { change: true })).rejects.toMatchObject({
        code: 'ENOENT',
        // IPv6: the kernel's own words (its extended ack).
        message: expect.stringMatching(
          /^cannot change route .*: (no such route|can not replace route - no match found)/,
        ),
      });
    }
    expect(snapshot(ns.name)).toEqual(before);
    await expect(
      ns.addRoute({ destination: '198.19.85.0/24', link: dev }, { change: true, replace: true }),
    ).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/replace and change exclude each other/),
    });
  });

  it('append and prepend: more default routes beside the first (IPv4), a multipath one (IPv6); the same route twice is EEXIST', async () => {
    const { ns, dev } = await withAddress();
    const { local: dev2, peer } = await VethPair.create({
      name: uniqueName('c'),
      peerName: uniqueName('d'),
      namespace: ns,
    });
    await dev2.addAddress('198.18.11.1/24');
    await dev2.addAddress('fd00:11::1/64', { nodad: true });
    await dev2.up();
    await peer.up();
    await ns.addRoute({ destination: 'default', gateway: '198.18.10.254' });
    await ns.addRoute({ destination: 'default', gateway: '198.18.11.254' }, { append: true });
    expect(routes(ns.name).filter((r) => r.dst === 'default')).toEqual([
      expect.objectContaining({ gateway: '198.18.10.254', dev: dev.name }),
      expect.objectContaining({ gateway: '198.18.11.254', dev: dev2.name }),
    ]);
    await expect(
      ns.addRoute({ destination: 'default', gateway: '198.18.11.254' }, { append: true }),
    ).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringContaining('append route') });
    // prepend: before them.
    await ns.addRoute({ destination: 'default', gateway: '198.18.10.253' }, { prepend: true });
    expect(routes(ns.name).filter((r) => r.dst === 'default')).toEqual([
      expect.objectContaining({ gateway: '198.18.10.253' }),
      expect.objectContaining({ gateway: '198.18.10.254' }),
      expect.objectContaining({ gateway: '198.18.11.254' }),
    ]);
    await ns.addRoute({ destination: 'default', gateway: 'fd00:10::fe' });
    await ns.addRoute({ destination: 'default', gateway: 'fd00:11::fe' }, { append: true });
    const v6 = routes6(ns.name).filter((r) => r.dst === 'default') as Array<{ nexthops?: Array<{ gateway: string }> }>;
    expect(v6).toHaveLength(1);
    expect(v6[0]?.nexthops?.map((h) => h.gateway)).toEqual(['fd00:10::fe', 'fd00:11::fe']);
  });

  it('tos: routes that differ only in their TOS are two routes, added, listed and deleted each on its own', async () => {
    const { ns, dev } = await withAddress();
    const dst = '198.19.6.0/24';
    await ns.addRoute({ destination: dst, link: dev });
    await ns.addRoute({ destination: dst, link: dev, tos: 0x10 });
    // What `ip route add 198.19.6.0/24 tos 0x10 dev X` makes, next to the plain one.
    ip(ns.name, 'route', 'add', dst, 'tos', '0x08', 'dev', dev.name);
    const shown = () =>
      routes(ns.name)
        .filter((r) => r.dst === dst)
        .map((r) => r.tos ?? '-')
        .sort();
    expect(shown()).toEqual(['-', '0x08', '0x10']);
    const listed = (await ns.routes()).filter((r) => r.destination === dst);
    // In the kernel's order, as `ip` lists them.
    expect(listed.map((r) => r.tos)).toEqual(
      routes(ns.name)
        .filter((r) => r.dst === dst)
        .map((r) => (r.tos === undefined ? undefined : Number(r.tos))),
    );
    expect(listed.map((r) => r.tos ?? 0).sort((a, b) => a - b)).toEqual([0, 0x08, 0x10]);
    expect(listed.find((r) => r.tos === 0x10)).toMatchObject({ link: dev.name, scope: 'link', family: 4 });
    // The same route again is EEXIST, of that TOS only; a delete must name the TOS to match it.
    await expect(ns.addRoute({ destination: dst, link: dev, tos: 0x10 })).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringContaining(`add route ${dst} dev ${dev.name} tos 0x10`),
    });
    await expect(ns.deleteRoute({ destination: dst, tos: 0x20 })).rejects.toMatchObject({ code: 'ESRCH' });
    // Each listed route deletes itself, and only itself: the TOS ones first.
    const byTos = [...listed].sort((a, b) => (b.tos ?? 0) - (a.tos ?? 0));
    const left = ['-', '0x08', '0x10'];
    for (const r of byTos) {
      await ns.deleteRoute(r);
      left.pop();
      expect(shown()).toEqual(left);
    }
  });

  it('tos: bad values are EINVAL before anything is sent, and IPv6 routes have none', async () => {
    const { ns, dev } = await withAddress();
    const before = snapshot(ns.name);
    const cases: Array<[unknown, RegExp]> = [
      [256, /the TOS must be an integer from 0 to 255, not 256/],
      [-1, /the TOS must be an integer from 0 to 255, not -1/],
      [1.5, /the TOS must be an integer from 0 to 255, not 1.5/],
      [true, /the TOS must be an integer from 0 to 255, not true/],
      ['0x100', /unknown DS field \(TOS\) name "0x100"/],
      ['16', /the TOS "16" is ambiguous \(ip reads it as hex\)/],
      [Number.NaN, /the TOS must be an integer from 0 to 255, not NaN/],
      [null, /the TOS must be an integer from 0 to 255, not null/],
    ];
    for (const [tos, message] of cases) {
      for (const spec of [
        { destination: '198.19.6.0/24', link: dev, tos },
        { destination: '198.19.6.0/24', link: dev.name, tos },
        { destination: '198.19.6.0/24', nexthops: [{ gateway: '198.18.10.2' }], tos },
      ]) {
        await expect(ns.addRoute(spec as never)).rejects.toMatchObject({
          code: 'EINVAL',
          message: expect.stringMatching(message),
        });
        await expect(ns.deleteRoute(spec as never)).rejects.toMatchObject({
          code: 'EINVAL',
          message: expect.stringMatching(message),
        });
      }
    }
    // ECN bits (the low two): no packet is routed by them. Recent kernels refuse them; older
    // ones made a route that never matched. Refused here on add, whatever the kernel.
    for (const link of [dev, dev.name]) {
      await expect(ns.addRoute({ destination: '198.19.6.0/24', link, tos: 0x11 })).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/the TOS 0x11 sets ECN bits \(0x03\).*0x10/),
      });
    }
    // IPv6 routes are not chosen by traffic class: refused here on every kernel (older kernels
    // dropped the TOS unsaid and made a route for every packet).
    for (const spec of [
      { destination: 'fd00:99::/64', link: dev, tos: 0x10 },
      { destination: 'default', family: 6 as const, gateway: 'fd00:10::fe', tos: 0x10 },
    ]) {
      for (const call of [() => ns.addRoute(spec), () => ns.deleteRoute(spec)]) {
        await expect(call()).rejects.toMatchObject({
          code: 'EINVAL',
          message: expect.stringMatching(/a TOS is for IPv4 routes only; an IPv6 route has none/),
        });
      }
    }
    // tos 0 is no TOS: IPv6 takes it, as ns.routes() lists such routes without one.
    await ns.addRoute({ destination: 'fd00:99::/64', link: dev, tos: 0 });
    expect(routes6(ns.name).find((r) => r.dst === 'fd00:99::/64')?.tos).toBeUndefined();
    await ns.deleteRoute({ destination: 'fd00:99::/64', tos: 0 });
    expect(snapshot(ns.name)).toBe(before);
  });

  it('bad add options are EINVAL before anything is sent', async () => {
    const { ns } = await withAddress();
    const spec = { destination: '198.19.60.0/24', gateway: '198.18.10.2' };
    for (const options of [
      null,
      'replace',
      { replace: 'yes' },
      { append: 1 },
      { replace: true, append: true },
      { append: true, prepend: true },
    ]) {
      await expect(ns.addRoute(spec, options as never)).rejects.toMatchObject({ code: 'EINVAL' });
    }
    expect(routes(ns.name).find((r) => r.dst === '198.19.60.0/24')).toBeUndefined();
  });
});
