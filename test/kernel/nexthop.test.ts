import { NetnsError, VethPair, type Namespace, type NexthopObjectSpec } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, settled, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** What `ip -j nexthop show` prints of one nexthop object. */
interface IpNexthop {
  id: number;
  gateway?: string;
  dev?: string;
  flags?: string[];
  blackhole?: null;
  group?: Array<{ id: number; weight?: number }>;
  protocol?: string;
  type?: string;
  resilient_args?: { buckets: number; idle_timer: number; unbalanced_timer: number; unbalanced_time: number };
}

function ipNexthops(ns: Namespace): IpNexthop[] {
  return ipJson<IpNexthop[]>(ns.name, 'nexthop', 'show');
}

/** A namespace `a` with a veth (198.18.0.2/24) to `b` (198.18.0.1/24, and 198.51.100.7/32 on it). */
async function pair(): Promise<{ a: Namespace; b: Namespace; dev: string }> {
  const a = await freshNamespace();
  const b = await freshNamespace();
  const dev = uniqueName('nh');
  const v = await VethPair.create({ name: dev, peerName: uniqueName('nh'), namespace: a, peerNamespace: b });
  await v.local.addAddress('198.18.0.2/24');
  await v.peer.addAddress('198.18.0.1/24');
  await v.peer.addAddress('198.51.100.7/32');
  await v.local.up();
  await v.peer.up();
  return { a, b, dev };
}

describeKernel('nexthop objects', () => {
  it('addNexthop() adds what `ip nexthop show` lists, and nexthops() reads it back the same', async () => {
    const { a, dev } = await pair();
    await (await a.link('lo')).up(); // a blackhole hangs on lo
    await a.addNexthop({ id: 1, gateway: '198.18.0.1', link: dev });
    await a.addNexthop({ id: 2, gateway: '198.18.0.3', link: await a.link(dev), onlink: true, protocol: 'static' });
    await a.addNexthop({ id: 3, blackhole: true });
    await a.addNexthop({ id: 10, group: [{ id: 1 }, { id: 2, weight: 3 }] });
    expect(ipNexthops(a)).toEqual([
      expect.objectContaining({ id: 1, gateway: '198.18.0.1', dev }),
      expect.objectContaining({ id: 2, gateway: '198.18.0.3', dev, flags: ['onlink'], protocol: 'static' }),
      expect.objectContaining({ id: 3, blackhole: null }),
      expect.objectContaining({ id: 10, group: [{ id: 1 }, { id: 2, weight: 3 }] }),
    ]);
    const mine = await a.nexthops();
    expect(mine).toEqual([
      expect.objectContaining({
        id: 1,
        family: 4,
        gateway: '198.18.0.1',
        link: dev,
        scope: 'link',
        protocol: 'unspec',
      }),
      expect.objectContaining({ id: 2, gateway: '198.18.0.3', link: dev, onlink: true, protocol: 'static' }),
      expect.objectContaining({ id: 3, family: 4, blackhole: true }),
      expect.objectContaining({
        id: 10,
        group: [
          { id: 1, weight: 1 },
          { id: 2, weight: 3 },
        ],
        groupType: 'mpath',
      }),
    ]);
    expect(mine[3]?.family).toBeUndefined();
    // Filters, as `ip nexthop show id N | groups | dev X`.
    expect((await a.nexthops({ id: 2 })).map((n) => n.id)).toEqual([2]);
    expect((await a.nexthops({ group: true })).map((n) => n.id)).toEqual([10]);
    expect((await a.nexthops({ link: dev })).map((n) => n.id)).toEqual([1, 2]);
    expect((await a.nexthops({ link: await a.link(dev) })).map((n) => n.id)).toEqual([1, 2]);
    expect(await a.nexthops({ family: 6 })).toEqual([]);
  });

  it('addNexthop() without id: the kernel picks one, the call resolves with it, `ip nexthop show` lists it; a group names it', async () => {
    const ns = await freshNamespace();
    const dev = uniqueName('nh');
    const v = await VethPair.create({ name: dev, peerName: uniqueName('nh'), namespace: ns });
    await v.local.addAddress('198.19.138.2/24');
    await v.local.addAddress('fd00:a2:8::2/64', { nodad: true });
    await v.local.up();
    await v.peer.up();
    const first = await ns.addNexthop({ gateway: '198.19.138.1', link: dev });
    const second = await ns.addNexthop({ gateway: '198.19.138.3', link: v.local, protocol: 'static' });
    const third = await ns.addNexthop({ gateway: 'fd00:a2:8::1', link: dev });
    const ids = [first.id, second.id, third.id];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toBeGreaterThan(0);
    expect(ipNexthops(ns)).toEqual([
      expect.objectContaining({ id: first.id, gateway: '198.19.138.1', dev }),
      expect.objectContaining({ id: second.id, gateway: '198.19.138.3', dev, protocol: 'static' }),
      expect.objectContaining({ id: third.id, gateway: 'fd00:a2:8::1', dev }),
    ]);
    // What each add resolves with is what nexthops() lists of it (ip -echo nexthop add prints it).
    for (const made of [first, second, third]) expect([made]).toEqual(await ns.nexthops({ id: made.id }));
    expect(first).toMatchObject({ family: 4, gateway: '198.19.138.1', link: dev, linkIndex: v.local.index });
    // A group of two picked ids, itself given none; a route through it.
    const group = await ns.addNexthop({ group: [{ id: first.id }, { id: second.id, weight: 2 }] });
    expect(ids).not.toContain(group.id);
    expect(ipNexthops(ns).find((n) => n.id === group.id)).toMatchObject({
      group: [{ id: first.id }, { id: second.id, weight: 2 }],
    });
    expect([group]).toEqual(await ns.nexthops({ id: group.id }));
    await ns.addRoute({ destination: '198.19.139.0/24', nexthopId: group.id });
    expect(ip(ns.name, 'route', 'show', '198.19.139.0/24')).toContain(`nhid ${group.id}`);
    // A replace resolves with the nexthop as it now is, even with a route using it (whose own
    // notification the kernel sends back too).
    const replaced = await ns.addNexthop({ id: first.id, gateway: '198.19.138.4', link: dev }, { replace: true });
    expect(replaced).toMatchObject({ id: first.id, gateway: '198.19.138.4', link: dev });
    expect(ipNexthops(ns).find((n) => n.id === first.id)).toMatchObject({ gateway: '198.19.138.4' });
    // An id given is the one made.
    const given = await ns.addNexthop({ id: 4242, gateway: '198.19.138.5', link: dev });
    expect([given]).toEqual(await ns.nexthops({ id: 4242 }));
    // ip's own add without id, for comparison: silent, and the kernel picks a free id again.
    expect(ip(ns.name, 'nexthop', 'add', 'via', '198.19.138.6', 'dev', dev)).toBe('');
    const byIp = ipNexthops(ns).find((n) => n.gateway === '198.19.138.6');
    expect([...ids, group.id, 4242]).not.toContain(byIp?.id);
    // A replace names what it replaces: refused without id, nothing changed.
    await settled(ns.name);
    const before = snapshot(ns.name);
    const listed = ipNexthops(ns);
    await expect(ns.addNexthop({ gateway: '198.19.138.7', link: dev }, { replace: true })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/a replace needs the id of the nexthop it replaces/),
    });
    expect([snapshot(ns.name), ipNexthops(ns)]).toEqual([before, listed]);
  });

  it('a route through a nexthop object (nexthopId) carries traffic, lists its id, and deletes', async () => {
    const { a, dev } = await pair();
    await a.addNexthop({ id: 1, gateway: '198.18.0.1', link: dev });
    await a.addRoute({ destination: '198.51.100.0/24', nexthopId: 1 });
    const witness = ipJson<Array<{ dst: string; nhid?: number; gateway?: string; dev?: string }>>(
      a.name,
      'route',
      'show',
    );
    expect(witness).toContainEqual(
      expect.objectContaining({ dst: '198.51.100.0/24', nhid: 1, gateway: '198.18.0.1', dev }),
    );
    // The kernel reports the object's gateway and link with the id.
    const [route] = (await a.routes()).filter((r) => r.destination === '198.51.100.0/24');
    expect(route).toEqual(expect.objectContaining({ nexthopId: 1, gateway: '198.18.0.1', link: dev }));
    expect(await a.routeTo('198.51.100.7')).toEqual(expect.objectContaining({ gateway: '198.18.0.1', link: dev }));
    expect((await a.ping('198.51.100.7', { count: 1, timeoutMs: 3000 })).received).toBe(1);

    // Replacing the object moves the route with it.
    await a.addNexthop({ id: 1, gateway: '198.18.0.9', link: dev, onlink: true }, { replace: true });
    expect(ipNexthops(a)).toEqual([expect.objectContaining({ id: 1, gateway: '198.18.0.9', flags: ['onlink'] })]);
    expect(await a.routeTo('198.51.100.7')).toEqual(expect.objectContaining({ gateway: '198.18.0.9' }));

    // A listed route deletes as it is (the kernel matches the id alone).
    if (route === undefined) throw new Error('route not listed');
    await a.deleteRoute(route);
    expect(ip(a.name, 'route', 'show', '198.51.100.0/24')).toBe('');
    await a.addRoute({ destination: '198.51.100.0/24', nexthopId: 1 });
    await a.deleteRoute({ destination: '198.51.100.0/24', nexthopId: 1 });
    expect(ip(a.name, 'route', 'show', '198.51.100.0/24')).toBe('');
  });

  it('IPv6: a nexthop object and a route through it, listed and deleted as listed', async () => {
    const { a, dev } = await pair();
    await (await a.link(dev)).addAddress('fd00:6::2/64'); // its prefix route covers the gateway
    await a.addNexthop({ id: 6, gateway: 'fd00:6::1', link: dev });
    expect(ipNexthops(a)).toEqual([expect.objectContaining({ id: 6, gateway: 'fd00:6::1', dev })]);
    expect(await a.nexthops({ family: 6 })).toEqual([expect.objectContaining({ id: 6, family: 6, link: dev })]);
    expect(await a.nexthops({ family: 4 })).toEqual([]);
    await a.addRoute({ destination: 'fd00:7::/64', nexthopId: 6 });
    expect(ipJson<Array<{ dst: string; nhid?: number }>>(a.name, '-6', 'route', 'show')).toContainEqual(
      expect.objectContaining({ dst: 'fd00:7::/64', nhid: 6 }),
    );
    const [route] = (await a.routes({ family: 6 })).filter((r) => r.nexthopId === 6);
    expect(route).toEqual(expect.objectContaining({ destination: 'fd00:7::/64', gateway: 'fd00:6::1', link: dev }));
    if (route === undefined) throw new Error('route not listed');
    await a.deleteRoute(route);
    expect(ip(a.name, '-6', 'route', 'show', 'fd00:7::/64')).toBe('');
  });

  it('a route through a group lists the members as its next hops', async () => {
    const { a, dev } = await pair();
    await a.addNexthop({ id: 1, gateway: '198.18.0.1', link: dev });
    await a.addNexthop({ id: 2, gateway: '198.18.0.3', link: dev });
    await a.addNexthop({ id: 10, group: [{ id: 1, weight: 2 }, { id: 2 }], groupType: 'mpath' });
    await a.addRoute({ destination: '198.51.100.0/24', nexthopId: 10 });
    const [route] = (await a.routes()).filter((r) => r.destination === '198.51.100.0/24');
    expect(route?.nexthopId).toBe(10);
    expect(route?.nexthops).toEqual([
      expect.objectContaining({ gateway: '198.18.0.1', link: dev, weight: 2 }),
      expect.objectContaining({ gateway: '198.18.0.3', link: dev, weight: 1 }),
    ]);
    expect((await a.routeTo('198.51.100.7', { fibMatch: true })).destination).toBe('198.51.100.0/24');
  });

  it('deleteNexthop() removes it and the routes using it; flushNexthops() removes all', async () => {
    const { a, dev } = await pair();
    await a.addNexthop({ id: 1, gateway: '198.18.0.1', link: dev });
    await a.addNexthop({ id: 2, gateway: '198.18.0.3', link: dev });
    await a.addNexthop({ id: 10, group: [{ id: 1 }, { id: 2 }] });
    await a.addRoute({ destination: '198.51.100.0/24', nexthopId: 1 });
    await a.deleteNexthop(1);
    expect(ip(a.name, 'route', 'show', '198.51.100.0/24')).toBe('');
    expect(ipNexthops(a)).toEqual([
      expect.objectContaining({ id: 2 }),
      expect.objectContaining({ id: 10, group: [{ id: 2 }] }),
    ]);
    const err = await a.deleteNexthop(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsError);
    expect(err).toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/no nexthop with that id/) });
    const removed = await a.flushNexthops();
    expect(removed.map((n) => n.id)).toEqual([2, 10]); // the group went with its last member
    expect(removed[0]).toMatchObject({ id: 2, gateway: '198.18.0.3', link: dev });
    expect(ipNexthops(a)).toEqual([]);
    expect(await a.flushNexthops()).toEqual([]);
  });

  it('flushNexthops() takes the filters of `ip nexthop flush` (id, dev, proto, groups), as ip does', async () => {
    const { a, b, dev } = await pair();
    const other = uniqueName('nh');
    const v = await VethPair.create({ name: other, peerName: uniqueName('nh'), namespace: a, peerNamespace: b });
    await v.local.addAddress('198.18.1.2/24');
    await v.local.up();
    await v.peer.up(); // the carrier
    const fill = async (): Promise<void> => {
      await a.addNexthop({ id: 1, gateway: '198.18.0.1', link: dev });
      await a.addNexthop({ id: 2, gateway: '198.18.0.3', link: dev, protocol: 'static' });
      await a.addNexthop({ id: 3, gateway: '198.18.1.1', link: other });
      await a.addNexthop({ id: 10, group: [{ id: 1 }, { id: 3 }] });
    };
    const ids = (list: Array<{ id: number }>): number[] => list.map((n) => n.id);
    // Each filter against ip's own flush with the same words, from the same start.
    const cases: Array<[Parameters<Namespace['flushNexthops']>[0], string[]]> = [
      [{ id: 2 }, ['id', '2']],
      [{ link: other }, ['dev', other]],
      [{ protocol: 'static' }, ['proto', '4']], // this ip takes only the number here
      [{ group: true }, ['groups']],
    ];
    for (const [options, words] of cases) {
      await fill();
      ip(a.name, 'nexthop', 'flush', ...words);
      const left = ids(ipNexthops(a));
      await a.flushNexthops();
      await fill();
      const removed = await a.flushNexthops(options);
      expect(ids(ipNexthops(a))).toEqual(left);
      expect(ids(removed).sort()).toEqual([1, 2, 3, 10].filter((id) => !left.includes(id)).sort());
      await a.flushNexthops();
    }
    await a.addNexthop({ id: 4, gateway: '198.18.0.1', link: dev });
    await settled(a.name); // the links' IPv6 link-local addresses, whose local routes come after DAD
    const before = snapshot(a.name);
    for (const bad of [{ id: 0 }, { link: 'no/such' }, { protocol: 'nope' }, { group: 'yes' }, { typo: 1 }]) {
      const err = await a.flushNexthops(bad as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetnsError);
      expect(err).toMatchObject({ code: 'EINVAL' });
    }
    const missing = await a.flushNexthops({ link: 'nosuchlink0' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'ENODEV' });
    expect(snapshot(a.name)).toEqual(before);
    expect(ids(ipNexthops(a))).toEqual([4]);
  });

  it('resilient groups: buckets and timers (seconds) as `ip -j nexthop show` lists them, both ways; replace keeps the buckets', async () => {
    const ns = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: 'nhr0', peerName: 'nhr1', namespace: ns });
    await local.addAddress('198.18.226.1/24');
    await local.up();
    await peer.up();
    await ns.addNexthop({ id: 1, gateway: '198.18.226.2', link: 'nhr0' });
    await ns.addNexthop({ id: 2, gateway: '198.18.226.3', link: 'nhr0' });
    await ns.addNexthop({
      id: 20,
      group: [{ id: 1 }, { id: 2, weight: 3 }],
      groupType: 'resilient',
      buckets: 8,
      idleTimer: 120,
      unbalancedTimer: 300,
    });
    const shown = (id: number) => ipJson<IpNexthop[]>(ns.name, 'nexthop', 'show', 'id', String(id))[0];
    expect(shown(20)).toMatchObject({
      id: 20,
      group: [{ id: 1 }, { id: 2, weight: 3 }],
      type: 'resilient',
      resilient_args: { buckets: 8, idle_timer: 120, unbalanced_timer: 300, unbalanced_time: 0 },
    });
    expect((await ns.nexthops({ id: 20 }))[0]).toEqual({
      id: 20,
      group: [
        { id: 1, weight: 1 },
        { id: 2, weight: 3 },
      ],
      groupType: 'resilient',
      buckets: 8,
      idleTimer: 120,
      unbalancedTimer: 300,
      unbalancedTime: 0,
      protocol: 'unspec',
      scope: 'global',
    });
    // Made by ip, read by the library: its defaults (unbalanced timer 0) included.
    ip(ns.name, 'nexthop', 'add', 'id', '21', 'group', '1', 'type', 'resilient', 'buckets', '4', 'idle_timer', '7');
    expect((await ns.nexthops({ id: 21 }))[0]).toMatchObject({
      groupType: 'resilient',
      buckets: 4,
      idleTimer: 7,
      unbalancedTimer: 0,
      unbalancedTime: 0,
    });
    // Replace without buckets keeps them (the kernel needs them only for a new group).
    await ns.addNexthop({ id: 20, group: [{ id: 2 }], groupType: 'resilient', idleTimer: 60 }, { replace: true });
    expect(shown(20)).toMatchObject({
      group: [{ id: 2 }],
      resilient_args: { buckets: 8, idle_timer: 60, unbalanced_timer: 300 },
    });
    // The longest timer the kernel keeps whatever its HZ (a u32 of jiffies at up to 1000 Hz).
    await ns.addNexthop({ id: 22, group: [{ id: 1 }], groupType: 'resilient', buckets: 65535, idleTimer: 4294967 });
    expect((await ns.nexthops({ id: 22 }))[0]).toMatchObject({ buckets: 65535, idleTimer: 4294967 });
    // (ip prints this one as 4294970: it rounds through its own conversion.)
    expect(shown(22)).toMatchObject({ resilient_args: { buckets: 65535 } });
    // A route through it.
    await ns.addRoute({ destination: '198.18.227.0/24', nexthopId: 20 });
    expect(ip(ns.name, 'route', 'show', '198.18.227.0/24')).toMatch(
      /^198\.18\.227\.0\/24 nhid 20 via 198\.18\.226\.3 dev nhr0/,
    );
    // The kernel refuses a change of type by replace: its sentence, nothing changed.
    await ns.addNexthop({ id: 30, group: [{ id: 1 }] });
    const before = ip(ns.name, 'nexthop', 'show');
    await expect(
      ns.addNexthop({ id: 30, group: [{ id: 1 }], groupType: 'resilient', buckets: 8 }, { replace: true }),
    ).rejects.toMatchObject({ code: 'EINVAL', detail: expect.stringMatching(/different type/) });
    await expect(
      ns.addNexthop({ id: 31, group: [{ id: 1 }], groupType: 'resilient' }, { replace: true }),
    ).rejects.toMatchObject({ code: 'EINVAL', detail: expect.stringMatching(/buckets not specified/i) });
    expect(ip(ns.name, 'nexthop', 'show')).toBe(before);
  });

  it("nexthopBuckets(): a resilient group's buckets as `ip -j nexthop bucket show` lists them, filtered by group or link", async () => {
    const ns = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: 'nhb0', peerName: 'nhb1', namespace: ns });
    await local.addAddress('198.18.228.1/24');
    await local.up();
    await peer.up();
    await ns.addNexthop({ id: 1, gateway: '198.18.228.2', link: 'nhb0' });
    await ns.addNexthop({ id: 2, gateway: '198.18.228.3', link: 'nhb0' });
    await ns.addNexthop({ id: 20, group: [{ id: 1 }, { id: 2, weight: 3 }], groupType: 'resilient', buckets: 8 });
    await ns.addNexthop({ id: 21, group: [{ id: 1 }], groupType: 'resilient', buckets: 2 });
    const mine = await ns.nexthopBuckets({ id: 20 });
    const witness = ipJson<Array<{ id: number; bucket: { index: number; idle_time: number; nhid: number } }>>(
      ns.name,
      'nexthop',
      'bucket',
      'show',
      'id',
      '20',
    );
    expect(mine.map((b) => [b.id, b.index, b.nexthopId])).toEqual(
      witness.map((w) => [w.id, w.bucket.index, w.bucket.nhid]),
    );
    expect(mine).toHaveLength(8);
    // The weights: 1 of 4 to member 1, 3 of 4 to member 2.
    expect(mine.filter((b) => b.nexthopId === 1)).toHaveLength(2);
    for (const b of mine) expect(b.idleTime).toBeGreaterThanOrEqual(0);
    expect((await ns.nexthopBuckets()).map((b) => b.id)).toEqual([...Array(8).fill(20), 21, 21]);
    expect(await ns.nexthopBuckets({ link: 'nhb0' })).toHaveLength(10);
    expect(await ns.nexthopBuckets({ link: 'nhb1' })).toEqual([]);
    expect(await ns.nexthopBuckets({ link: 'nosuch0' })).toEqual([]);
    await expect(ns.nexthopBuckets({ id: 0 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(ns.nexthopBuckets({ dev: 'nhb0' } as never)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/unknown option "dev"/),
    });
  });

  it('bad input is refused before anything is sent, with a sentence', async () => {
    const { a, dev } = await pair();
    await a.addNexthop({ id: 1, gateway: '198.18.0.1', link: dev });
    await a.addRoute({ destination: '198.51.100.0/24', nexthopId: 1 });
    const before = snapshot(a.name);
    const nexthopsBefore = ip(a.name, 'nexthop', 'show');
    const cases: Array<[unknown, RegExp]> = [
      [{ id: 0, blackhole: true }, /the nexthop id must be an integer from 1 to 4294967295, not 0/],
      [{ id: 2 ** 32, blackhole: true }, /the nexthop id must be an integer from 1 to 4294967295/],
      [
        { id: '5', gateway: '198.18.0.1', link: dev },
        /the nexthop id must be an integer from 1 to 4294967295, not "5"/,
      ],
      [{ id: 5, group: [{ id: 5 }] }, /the group 5 cannot contain itself/],
      [{ id: 5, group: [{ id: 1 }, { id: 1 }] }, /nexthop 1 is in the group twice/],
      [{ id: 5, group: [{ id: 1, weight: 0 }] }, /the weight of nexthop 1 must be an integer from 1 to 256, not 0/],
      [{ id: 5, group: [{ id: 1, weight: 257 }] }, /from 1 to 256, not 257/],
      [{ id: 5, group: [] }, /group must be an array of 1 to 256 members/],
      [{ id: 5, group: [{ id: 1 }], gateway: '198.18.0.1' }, /a group takes its gateways and links from its members/],
      [{ id: 5, group: [{ id: 1 }], groupType: 'resilient' }, /a resilient group needs its number of buckets/],
      [
        { id: 5, group: [{ id: 1 }], groupType: 'resilient', buckets: 0 },
        /buckets must be an integer from 1 to 65535, not 0/,
      ],
      [{ id: 5, group: [{ id: 1 }], groupType: 'resilient', buckets: 65536 }, /from 1 to 65535, not 65536/],
      [
        { id: 5, group: [{ id: 1 }], groupType: 'resilient', buckets: 8, idleTimer: -1 },
        /idleTimer \(seconds\) must be an integer from 0 to 4294967, not -1/,
      ],
      [
        { id: 5, group: [{ id: 1 }], groupType: 'resilient', buckets: 8, idleTimer: 1.5 },
        /idleTimer \(seconds\) must be an integer/,
      ],
      [
        { id: 5, group: [{ id: 1 }], groupType: 'resilient', buckets: 8, unbalancedTimer: 4294968 },
        /unbalancedTimer \(seconds\) must be an integer from 0 to 4294967, not 4294968/,
      ],
      [
        { id: 5, group: [{ id: 1 }], buckets: 8, unbalancedTimer: 5 },
        /buckets and unbalancedTimer are for a resilient group: give groupType: 'resilient' too/,
      ],
      [{ id: 5, group: [{ id: 1 }], groupType: 'mpath', buckets: 8 }, /buckets is for a resilient group/],
      [{ id: 5, group: [{ id: 1 }], groupType: 'res' }, /groupType must be 'mpath' or 'resilient', not "res"/],
      [
        { id: 5, gateway: '198.18.0.1', link: dev, idleTimer: 5 },
        /idleTimer is for a resilient group \(group with groupType: 'resilient'\), not a single nexthop/,
      ],
      [{ id: 5, groupType: 'mpath', blackhole: true }, /groupType is for a group/],
      [{ id: 5, blackhole: true, gateway: '198.18.0.1' }, /a blackhole nexthop drops what is routed to it/],
      [{ id: 5, blackhole: true, link: dev }, /a blackhole nexthop/],
      [{ id: 5, gateway: 'fd00::1', link: dev, family: 4 }, /the gateway fd00::1 is IPv6 but family is 4/],
      [{ id: 5, gateway: '198.18.0.300', link: dev }, /not a valid IPv4 or IPv6 gateway/],
      [{ id: 5, gateway: '198.18.0.1' }, /a nexthop needs a link \(dev\)/],
      [{ id: 5, link: dev, onlink: true }, /onlink needs a gateway/],
      [{ id: 5, gateway: '198.18.0.1', fdb: true, link: dev }, /an fdb nexthop has no link/],
      [{ id: 5, fdb: true }, /an fdb nexthop needs a gateway/],
      [{ id: 5, blackhole: 'yes' }, /blackhole must be true or false/],
      [{ id: 5, via: '198.18.0.1' }, /unknown option "via"/],
      [{ id: 5, gateway: '198.18.0.1', link: 'x'.repeat(16) }, /link name/],
    ];
    for (const [spec, message] of cases) {
      const err = await a.addNexthop(spec as NexthopObjectSpec).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetnsError);
      expect(err).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    const routeCases: Array<[unknown, RegExp]> = [
      [{ destination: '198.51.101.0/24', nexthopId: 0 }, /the nexthop id \(nexthopId\) must be an integer from 1/],
      [
        { destination: '198.51.101.0/24', nexthopId: 1, gateway: '198.18.0.1' },
        /takes its gateway and link from that object/,
      ],
      [{ destination: '198.51.101.0/24', nexthopId: 1, link: dev }, /takes its gateway and link from that object/],
    ];
    for (const [spec, message] of routeCases) {
      const err = await a.addRoute(spec as never).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    for (const id of [0, -1, 1.5, 2 ** 32]) {
      await expect(a.deleteNexthop(id)).rejects.toMatchObject({ code: 'EINVAL' });
    }
    await expect(a.nexthops({ id: 0 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(a.nexthops({ dev } as never)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/unknown option "dev"/),
    });
    expect(snapshot(a.name)).toBe(before);
    expect(ip(a.name, 'nexthop', 'show')).toBe(nexthopsBefore);
  });

  it("the kernel's refusals come back as sentences, changing nothing", async () => {
    const { a, dev } = await pair();
    await a.addNexthop({ id: 1, gateway: '198.18.0.1', link: dev });
    const before = ip(a.name, 'nexthop', 'show');
    // A member that does not exist: the kernel's extack, said as what to do.
    await expect(a.addNexthop({ id: 10, group: [{ id: 1 }, { id: 99 }] })).rejects.toMatchObject({
      code: 'EINVAL',
      detail: expect.stringMatching(/Invalid nexthop id/),
      message: expect.stringMatching(/a member of the group is not a nexthop object of this namespace/),
    });
    await expect(a.addNexthop({ id: 1, gateway: '198.18.0.3', link: dev })).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringMatching(/a nexthop with that id already exists/),
    });
    await expect(a.addNexthop({ id: 2, gateway: '198.18.0.3', link: 'nosuch0' })).rejects.toMatchObject({
      code: 'ENODEV',
    });
    // lo is down in a new namespace: a blackhole needs it.
    await expect(a.addNexthop({ id: 3, blackhole: true })).rejects.toMatchObject({
      code: 'ENETDOWN',
      message: expect.stringMatching(/bring lo up first/),
    });
    // A gateway no subnet covers, without onlink.
    await expect(a.addNexthop({ id: 4, gateway: '198.51.100.9', link: dev })).rejects.toMatchObject({
      code: 'ENETUNREACH',
      detail: expect.stringMatching(/invalid gateway/),
    });
    // A group inside a group.
    await a.addNexthop({ id: 10, group: [{ id: 1 }] });
    await expect(a.addNexthop({ id: 11, group: [{ id: 10 }] })).rejects.toMatchObject({
      code: 'EINVAL',
      detail: expect.stringMatching(/group can not be a nexthop within a group/),
    });
    await a.deleteNexthop(10);
    // A route through a nexthop that does not exist.
    await expect(a.addRoute({ destination: '198.51.100.0/24', nexthopId: 42 })).rejects.toMatchObject({
      code: 'EINVAL',
      detail: expect.stringMatching(/Nexthop id does not exist/),
    });
    expect(ip(a.name, 'nexthop', 'show')).toBe(before);
    expect(ip(a.name, 'route', 'show', '198.51.100.0/24')).toBe('');
  });
});
