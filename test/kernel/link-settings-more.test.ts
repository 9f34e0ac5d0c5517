/**
 * link.set() and the kinds' create() for what `ip link set|add` takes beyond the basics:
 * addrgenmode, protodown and its reasons, the GSO/GRO limits, the queue counts (creation only),
 * dynamic, trailers and carrier, with `ip -d -j link show` as the witness; and each refusal: a
 * bad value (EINVAL before anything is sent, nothing changed), a driver without the feature
 * (EOPNOTSUPP naming the kind).
 */
import { Bridge, Macvlan, NetnsError, Tap, VethPair, Vxlan, type Link, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, type IpLink } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

interface Shown extends IpLink {
  inet6_addr_gen_mode?: string;
  num_tx_queues: number;
  num_rx_queues: number;
  gso_max_size: number;
  gso_max_segs: number;
  gro_max_size: number;
  proto_down?: boolean;
  proto_down_reason?: string[];
}

function shown(ns: Namespace, name: string): Shown {
  const [l] = ipJson<Shown[]>(ns.name, '-d', 'link', 'show', 'dev', name);
  if (l === undefined) throw new Error(`ip does not show ${name}`);
  return l;
}

async function veth(ns: Namespace, limits = {}): Promise<Link> {
  return (await VethPair.create({ name: uniqueName('s'), peerName: uniqueName('p'), namespace: ns, ...limits })).local;
}

async function vxlan(ns: Namespace): Promise<Link> {
  return Vxlan.create(uniqueName('vx'), { namespace: ns, vni: 42, port: 4789 });
}

/** The link's own read of what set() changes here, against a fresh read. */
async function expectCurrent(l: Link): Promise<void> {
  const of = (x: Link) => ({ dynamic: x.dynamic, trailers: x.trailers, ...x.details });
  const { carrierChanges: _a, ...mine } = of(l);
  const { carrierChanges: _b, ...fresh } = of(await l.namespace.link(l.index));
  expect(mine).toEqual(fresh);
}

/** Rejects with `code`, the message matching `pattern`, and leaves the link as ip showed it. */
async function refused(l: Link, settings: object, code: string, pattern: RegExp): Promise<NetnsError> {
  const before = shown(l.namespace, l.name);
  const e = await l.set(settings as never).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(NetnsError);
  expect((e as NetnsError).code).toBe(code);
  expect((e as NetnsError).message).toMatch(pattern);
  expect(shown(l.namespace, l.name)).toEqual(before);
  return e as NetnsError;
}

describeKernel('link settings beyond the basics', () => {
  it('addrGenMode: each mode ip names, as ip -d shows it', async () => {
    const ns = await freshNamespace();
    const l = await veth(ns);
    for (const mode of ['none', 'random', 'eui64'] as const) {
      await l.set({ addrGenMode: mode });
      expect(shown(ns, l.name).inet6_addr_gen_mode).toBe(mode);
      expect(l.details.addrGenMode).toBe(mode);
      await expectCurrent(l);
    }
    // stable_secret needs the secret first.
    await refused(l, { addrGenMode: 'stable_secret' }, 'EINVAL', /stable_secret needs a secret first/);
    ip(undefined, 'netns', 'exec', ns.name ?? '', 'sysctl', '-qw', `net.ipv6.conf.${l.name}.stable_secret=fd00:b2::1`);
    await l.set({ addrGenMode: 'stable_secret' });
    expect(shown(ns, l.name).inet6_addr_gen_mode).toBe('stable_secret');
  });

  it('addrGenMode on a link without IPv6 (MTU below 1280): EAFNOSUPPORT saying so, nothing changed', async () => {
    const ns = await freshNamespace();
    const l = await veth(ns);
    await l.set({ mtu: 1000 });
    await refused(l, { addrGenMode: 'none', group: 5 }, 'EAFNOSUPPORT', /has no IPv6/);
  });

  it('gsoMaxSize, gsoMaxSegs, groMaxSize on an existing link; above the device limit: EINVAL, nothing changed', async () => {
    const ns = await freshNamespace();
    const l = await veth(ns);
    await l.set({ gsoMaxSize: 30000, gsoMaxSegs: 100, groMaxSize: 40000 });
    const s = shown(ns, l.name);
    expect([s.gso_max_size, s.gso_max_segs, s.gro_max_size]).toEqual([30000, 100, 40000]);
    expect([l.details.gsoMaxSize, l.details.gsoMaxSegs, l.details.groMaxSize]).toEqual([30000, 100, 40000]);
    await expectCurrent(l);
    // The kernel checks the limits before it changes anything: the MTU stays too.
    const e = await refused(l, { mtu: 1400, gsoMaxSize: 2 ** 31 }, 'EINVAL', /too big gso_max_size/);
    expect(e.message).toMatch(/nothing was changed/);
  });

  it('numTxQueues, numRxQueues and the GSO/GRO limits at creation, as ip -d shows them', async () => {
    const ns = await freshNamespace();
    const l = await veth(ns, { numTxQueues: 3, numRxQueues: 2, gsoMaxSize: 20000, gsoMaxSegs: 50, groMaxSize: 30000 });
    const s = shown(ns, l.name);
    expect([s.num_tx_queues, s.num_rx_queues, s.gso_max_size, s.gso_max_segs, s.gro_max_size]).toEqual([
      3, 2, 20000, 50, 30000,
    ]);
    expect([l.details.numTxQueues, l.details.numRxQueues]).toEqual([3, 2]);
    const br = await Bridge.create(uniqueName('br'), { namespace: ns, numTxQueues: 4 });
    expect(shown(ns, br.name).num_tx_queues).toBe(4);
  });

  it('numTxQueues at creation out of range, or on link.set: EINVAL before anything is done', async () => {
    const ns = await freshNamespace();
    const name = uniqueName('s');
    for (const numTxQueues of [0, 4097, 1.5]) {
      await expect(
        VethPair.create({ name, peerName: uniqueName('p'), namespace: ns, numTxQueues }),
      ).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/numTxQueues must be an integer from 1 to 4096/),
      });
    }
    expect(ipJson<IpLink[]>(ns.name, 'link', 'show').map((x) => x.ifname)).toEqual(['lo']);
    const l = await veth(ns);
    await refused(l, { numTxQueues: 4 }, 'EINVAL', /only when it creates the link/);
    await refused(l, { numrxqueues: 4 }, 'EINVAL', /numRxQueues cannot be changed/);
  });

  it('dynamic and trailers, as ip shows the flags', async () => {
    const ns = await freshNamespace();
    const l = await veth(ns);
    await l.set({ dynamic: true, trailers: false });
    expect(shown(ns, l.name).flags).toEqual(expect.arrayContaining(['DYNAMIC', 'NOTRAILERS']));
    expect([l.dynamic, l.trailers]).toEqual([true, false]);
    await expectCurrent(l);
    await l.set({ dynamic: false, trailers: true });
    expect(shown(ns, l.name).flags).not.toEqual(expect.arrayContaining(['DYNAMIC']));
    expect(shown(ns, l.name).flags).not.toContain('NOTRAILERS');
    expect([l.dynamic, l.trailers]).toEqual([false, true]);
  });

  it.each([
    ['macvlan', async (ns: Namespace) => Macvlan.create(uniqueName('mv'), { parent: await veth(ns) })],
    ['vxlan', vxlan],
  ])('protoDown and protoDownReasons on a %s, as ip shows them', async (_kind, make) => {
    const ns = await freshNamespace();
    const l = await make(ns);
    await l.set({ protoDownReasons: { 3: true, 5: true }, protoDown: true });
    let s = shown(ns, l.name);
    expect(s.proto_down).toBe(true);
    expect(s.proto_down_reason).toEqual(['3', '5']);
    expect(l.details).toMatchObject({ protoDown: true, protoDownReasons: [3, 5] });
    await expectCurrent(l);
    // Off while a reason is set: the kernel refuses.
    await refused(l, { protoDown: false }, 'EBUSY', /while a protodown reason is set/);
    await l.set({ protoDownReasons: { 3: false } });
    expect(shown(ns, l.name).proto_down_reason).toEqual(['5']);
    await l.set({ protoDownReasons: { 5: false }, protoDown: false });
    s = shown(ns, l.name);
    expect(s.proto_down).toBeUndefined();
    expect(s.proto_down_reason).toBeUndefined();
    expect(l.details).toMatchObject({ protoDown: false, protoDownReasons: [] });
    await expectCurrent(l);
  });

  it.each([
    ['veth', veth],
    ['bridge', (ns: Namespace) => Bridge.create(uniqueName('br'), { namespace: ns })],
    ['tun', (ns: Namespace) => Tap.create(uniqueName('tap'), { namespace: ns })],
  ])('protoDown on a %s: EOPNOTSUPP naming the kind, nothing changed', async (kind, make) => {
    const ns = await freshNamespace();
    const l = await make(ns);
    await refused(l, { protoDown: true }, 'EOPNOTSUPP', new RegExp(`a ${kind} link cannot be held down by protodown`));
    await refused(l, { protoDownReasons: { 1: true } }, 'EOPNOTSUPP', /cannot be held down by protodown/);
  });

  it('protoDown after other settings, refused: the error says which were kept', async () => {
    const ns = await freshNamespace();
    const l = await veth(ns);
    const e = await l.set({ group: 9, protoDown: true }).then(
      () => undefined,
      (x: unknown) => x as NetnsError,
    );
    expect(e?.code).toBe('EOPNOTSUPP');
    expect(e?.message).toMatch(/the link now has group 9, but not protodown on/);
    expect(l.group).toBe(9);
  });

  it('carrier on a tap: off, and on refused while no program holds it (EPERM saying so)', async () => {
    const ns = await freshNamespace();
    const tap = await Tap.create(uniqueName('tap'), { namespace: ns });
    await tap.up();
    await tap.set({ carrier: false });
    expect((await ns.link(tap.index)).hasCarrier).toBe(false);
    await refused(tap, { carrier: true }, 'EPERM', /only while a program holds it open/);
  });

  it.each([
    ['veth', veth],
    ['vxlan', vxlan],
  ])(
    'carrier on a %s: EOPNOTSUPP naming the kind; with other settings, the error says the carrier was not set',
    async (kind, make) => {
      const ns = await freshNamespace();
      const l = await make(ns);
      await refused(l, { carrier: false }, 'EOPNOTSUPP', new RegExp(`a ${kind} link does not let its carrier be set`));
      const e = await l.set({ group: 3, carrier: false }).then(
        () => undefined,
        (x: unknown) => x as NetnsError,
      );
      expect(e?.message).toMatch(/the link now has group 3, but not carrier off/);
    },
  );

  it.each([
    [{ addrGenMode: 'stable' }, /addrGenMode must be one of eui64, none, stable_secret, random, not "stable"/],
    [{ protoDown: 1 }, /protoDown must be true or false, not 1/],
    [{ carrier: 'on' }, /carrier must be true or false, not "on"/],
    [{ dynamic: null }, /dynamic must be true or false, not null/],
    [{ gsoMaxSegs: 65536 }, /gsoMaxSegs must be an integer from 0 to 65535, not 65536/],
    [{ groMaxSize: 524281 }, /groMaxSize must be an integer from 0 to 524280/],
    [{ gsoMaxSize: -1 }, /gsoMaxSize must be an integer from 0 to 4294967295, not -1/],
    [{ protoDownReasons: { 32: true } }, /there is no protodown reason "32": reasons are 0 to 31/],
    [{ protoDownReasons: { 3: 'on' } }, /protodown reason 3 must be set true or false, not "on"/],
    [{ protoDownReasons: {} }, /protoDownReasons must be an object .* not an empty object/],
    [{ protoDownReasons: [true] }, /protoDownReasons must be an object .* not an array/],
    [{ protodown: true }, /there is no link setting "protodown" \(use protoDown\)/],
    [{ addrgenmode: 'none' }, /there is no link setting "addrgenmode" \(use addrGenMode\)/],
  ])('bad input %j: EINVAL before anything is sent, nothing changed', async (settings, pattern) => {
    const ns = await freshNamespace();
    const l = await veth(ns);
    // With a valid setting beside it: nothing of the call is applied.
    await refused(l, { mtu: 1400, ...settings }, 'EINVAL', pattern);
  });
});
