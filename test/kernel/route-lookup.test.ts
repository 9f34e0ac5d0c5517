/**
 * ns.routeTo(): the kernel's own route lookup (`ip route get`), checked against `ip -j -d route
 * get` asked the same question in the same namespace.
 */
import { execFileSync } from 'node:child_process';
import { NetnsError, VethPair, type Link, type Namespace, type RouteLookup } from 'netns-native';
import { dispatchStats } from '../../lib/internal/dispatch';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** What `ip -j -d route get` prints for one lookup. */
interface IpGet {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  iif?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  mark?: number;
  uid?: number;
  nexthops?: Array<{ gateway?: string; dev?: string; weight?: number }>;
}

/** `ip -n NS -j -d route get ARGS`: the answer, or the error line ip printed. */
function ipGet(ns: Namespace, ...args: string[]): IpGet | string {
  try {
    const out = execFileSync('ip', ['-n', ns.name as string, '-j', '-d', 'route', 'get', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return (JSON.parse(out) as IpGet[])[0] as IpGet;
  } catch (e) {
    return String((e as { stderr?: string }).stderr).trim();
  }
}

/** The lookup as ip prints it: the address alone for a host destination. */
function asIp(r: RouteLookup): IpGet {
  const out: IpGet = { dst: r.destination.replace(/\/(32|128)$/, '') };
  if (r.gateway !== undefined) out.gateway = r.gateway;
  if (r.link !== undefined) out.dev = r.link;
  if (r.inputLink !== undefined) out.iif = r.inputLink;
  if (r.source !== undefined) out.prefsrc = r.source;
  if (r.metric !== undefined) out.metric = r.metric;
  if (r.mark !== undefined) out.mark = r.mark;
  if (r.uid !== undefined) out.uid = r.uid;
  return out;
}

/** Ours and ip's answer agree on everything both say. */
function expectSame(ours: RouteLookup, theirs: IpGet | string): void {
  expect(typeof theirs).toBe('object');
  const t = theirs as IpGet;
  expect(asIp(ours)).toEqual({
    dst: t.dst,
    ...(t.gateway !== undefined && { gateway: t.gateway }),
    ...(t.dev !== undefined && { dev: t.dev }),
    ...(t.iif !== undefined && { iif: t.iif }),
    ...(t.prefsrc !== undefined && { prefsrc: t.prefsrc }),
    ...(t.metric !== undefined && { metric: t.metric }),
    ...(t.mark !== undefined && { mark: t.mark }),
    ...(t.uid !== undefined && { uid: t.uid }),
  });
  expect(ours.type).toBe(t.type ?? 'unicast');
  if (t.table !== undefined) expect(ours.tableName ?? String(ours.table)).toBe(t.table);
  if (t.protocol !== undefined) expect(ours.protocol).toBe(t.protocol);
  if (t.scope !== undefined) expect(ours.scope).toBe(t.scope);
  if (t.nexthops !== undefined) {
    expect(ours.nexthops?.map((h) => ({ gateway: h.gateway, dev: h.link }))).toEqual(
      t.nexthops.map((h) => ({ gateway: h.gateway, dev: h.dev })),
    );
  }
}

interface World {
  ns: Namespace;
  /** 198.18.0.1/24, fd00::1/64; gateways 198.18.0.2-4 beyond it. */
  a: Link;
  /** 198.18.1.1/24, fd00:1::1/64. */
  b: Link;
}

async function world(): Promise<World> {
  const ns = await freshNamespace();
  const make = async (address4: string, address6: string): Promise<Link> => {
    const { local, peer } = await VethPair.create({ name: uniqueName('l'), peerName: uniqueName('p'), namespace: ns });
    await local.addAddress(address4);
    await local.addAddress(address6, { nodad: true });
    await local.up();
    await peer.up();
    return local;
  };
  const a = await make('198.18.0.1/24', 'fd00::1/64');
  const b = await make('198.18.1.1/24', 'fd00:1::1/64');
  return { ns, a, b };
}

/** The errno the kernel answered ip with, as ip prints it. */
const IP_SAYS: Record<string, RegExp> = {
  ENETUNREACH: /Network is unreachable/,
  EHOSTUNREACH: /No route to host/,
  EACCES: /Permission denied/,
  EINVAL: /Invalid argument/,
};

async function expectRefused(w: World, address: string, code: string, reason: RegExp): Promise<void> {
  const error = await w.ns.routeTo(address).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetnsError);
  expect(error).toMatchObject({ code, message: expect.stringMatching(reason) as unknown });
  expect(ipGet(w.ns, address)).toMatch(IP_SAYS[code] as RegExp);
}

describeKernel('route lookups (routeTo)', () => {
  it('a device route, a gateway route and a local address, IPv4, as ip route get', async () => {
    const w = await world();
    await w.ns.addRoute({ destination: '198.18.5.0/24', gateway: '198.18.0.2' });
    const device = await w.ns.routeTo('198.18.0.7');
    expect(device).toMatchObject({
      destination: '198.18.0.7/32',
      family: 4,
      link: w.a.name,
      linkIndex: w.a.index,
      source: '198.18.0.1',
      table: 254,
      tableName: 'main',
      type: 'unicast',
    });
    expect(device.gateway).toBeUndefined();
    expectSame(device, ipGet(w.ns, '198.18.0.7'));
    const gateway = await w.ns.routeTo('198.18.5.7');
    expect(gateway).toMatchObject({ gateway: '198.18.0.2', link: w.a.name, source: '198.18.0.1' });
    expectSame(gateway, ipGet(w.ns, '198.18.5.7'));
    const local = await w.ns.routeTo('198.18.1.1');
    // Which table: the kernel keeps local and main as one trie while no rule is added (fib_trie),
    // so main (254) here; ip's witness says the same.
    expect(local).toMatchObject({ type: 'local', link: 'lo' });
    expectSame(local, ipGet(w.ns, '198.18.1.1'));
  });

  it('IPv6: a device route, a gateway route, a local address', async () => {
    const w = await world();
    await w.ns.addRoute({ destination: 'fd00:5::/64', gateway: 'fd00::2' });
    const device = await w.ns.routeTo('fd00::9');
    expect(device).toMatchObject({ destination: 'fd00::9/128', family: 6, link: w.a.name, source: 'fd00::1' });
    expectSame(device, ipGet(w.ns, 'fd00::9'));
    const gateway = await w.ns.routeTo('fd00:5::7');
    expect(gateway).toMatchObject({ gateway: 'fd00::2', link: w.a.name });
    expectSame(gateway, ipGet(w.ns, 'fd00:5::7'));
    const local = await w.ns.routeTo('fd00:1::1');
    expect(local).toMatchObject({ type: 'local' });
    expectSame(local, ipGet(w.ns, 'fd00:1::1'));
  });

  it('fibMatch: the route as the table holds it (its prefix, protocol, scope, metric)', async () => {
    const w = await world();
    await w.ns.addRoute({ destination: '198.18.5.0/24', gateway: '198.18.0.2', metric: 30, protocol: 'static' });
    const v4 = await w.ns.routeTo('198.18.5.7', { fibMatch: true });
    expect(v4).toMatchObject({
      destination: '198.18.5.0/24',
      gateway: '198.18.0.2',
      metric: 30,
      protocol: 'static',
      scope: 'global',
      table: 254,
    });
    expectSame(v4, ipGet(w.ns, '198.18.5.7', 'fibmatch'));
    const connected = await w.ns.routeTo('198.18.0.7', { fibMatch: true });
    expect(connected).toMatchObject({ destination: '198.18.0.0/24', protocol: 'kernel', scope: 'link' });
    expectSame(connected, ipGet(w.ns, '198.18.0.7', 'fibmatch'));
    const v6 = await w.ns.routeTo('fd00::9', { fibMatch: true, source: 'fd00::1', outputLink: w.a });
    expect(v6).toMatchObject({ destination: 'fd00::/64', link: w.a.name, protocol: 'kernel' });
    expectSame(v6, ipGet(w.ns, 'fd00::9', 'from', 'fd00::1', 'oif', w.a.name, 'fibmatch'));
  });

  it('a multipath route: the next hop the kernel picks for each flow, and every hop with fibMatch', async () => {
    const w = await world();
    await w.ns.addRoute({
      destination: '198.18.7.0/24',
      nexthops: [{ gateway: '198.18.0.2' }, { gateway: '198.18.1.2' }],
    });
    const picked = new Set<string>();
    for (let i = 1; i <= 16; i++) {
      const address = `198.18.7.${i}`;
      const ours = await w.ns.routeTo(address, { protocol: 'tcp', sourcePort: 40000 + i, destinationPort: 80 });
      expectSame(ours, ipGet(w.ns, address, 'ipproto', 'tcp', 'sport', String(40000 + i), 'dport', '80'));
      picked.add(ours.gateway as string);
    }
    // 16 destinations hash onto both hops (each with odds 1/2: all on one is 2^-15).
    expect([...picked].sort()).toEqual(['198.18.0.2', '198.18.1.2']);
    const whole = await w.ns.routeTo('198.18.7.1', { fibMatch: true });
    expect(whole.nexthops?.map((h) => h.gateway)).toEqual(['198.18.0.2', '198.18.1.2']);
    expectSame(whole, ipGet(w.ns, '198.18.7.1', 'fibmatch'));
  });

  it('mark, uid, TOS and source pick the table a rule sends them to', async () => {
    const w = await world();
    await w.ns.addRoute({ destination: '198.18.8.0/24', gateway: '198.18.1.2', table: 100 });
    await w.ns.addRoute({ destination: '198.18.8.0/24', gateway: '198.18.0.2' });
    await w.ns.addRule({ fwmark: 7, table: 100, priority: 100 });
    await w.ns.addRule({ uidRange: [1000, 1000], table: 100, priority: 101 });
    await w.ns.addRule({ tos: 0x10, table: 100, priority: 102 });
    await w.ns.addRule({ from: '198.18.1.1/32', table: 100, priority: 103 });
    const plain = await w.ns.routeTo('198.18.8.1');
    expect(plain).toMatchObject({ gateway: '198.18.0.2', table: 254 });
    expectSame(plain, ipGet(w.ns, '198.18.8.1'));
    const cases: Array<[Parameters<Namespace['routeTo']>[1], string[]]> = [
      [{ mark: 7 }, ['mark', '7']],
      [{ uid: 1000 }, ['uid', '1000']],
      [{ tos: 0x10 }, ['tos', '0x10']],
      [{ source: '198.18.1.1' }, ['from', '198.18.1.1']],
    ];
    for (const [options, args] of cases) {
      const ours = await w.ns.routeTo('198.18.8.1', options);
      expect(ours).toMatchObject({ gateway: '198.18.1.2', link: w.b.name, table: 100 });
      expectSame(ours, ipGet(w.ns, '198.18.8.1', ...args));
    }
    expect(await w.ns.routeTo('198.18.8.1', { mark: 7 })).toMatchObject({ mark: 7 });
    expect(await w.ns.routeTo('198.18.8.1', { uid: 1000 })).toMatchObject({ uid: 1000 });
  });

  it('outputLink (oif) by Link or name, and an IPv6 lookup with source, mark and fibMatch', async () => {
    const w = await world();
    for (const outputLink of [w.b, w.b.name]) {
      const ours = await w.ns.routeTo('198.18.0.7', { outputLink });
      expect(ours).toMatchObject({ link: w.b.name, linkIndex: w.b.index });
      expectSame(ours, ipGet(w.ns, '198.18.0.7', 'oif', w.b.name));
    }
    await w.ns.addRoute({ destination: 'fd00:9::/64', gateway: 'fd00:1::2', table: 100 });
    await w.ns.addRule({ family: 6, fwmark: 7, table: 100, priority: 100 });
    const ours = await w.ns.routeTo('fd00:9::9', { source: 'fd00:1::1', outputLink: w.b, mark: 7, fibMatch: true });
    expect(ours).toMatchObject({ destination: 'fd00:9::/64', gateway: 'fd00:1::2', table: 100, link: w.b.name });
    expectSame(ours, ipGet(w.ns, 'fd00:9::9', 'from', 'fd00:1::1', 'oif', w.b.name, 'mark', '7', 'fibmatch'));
  });

  it('inputLink (iif): a packet coming in and forwarded, and a rule on the input link', async () => {
    const w = await world();
    await w.ns.addRoute({ destination: '198.18.5.0/24', gateway: '198.18.0.2' });
    // Without forwarding the kernel refuses to route a packet coming in (EHOSTUNREACH).
    const refused = await w.ns.routeTo('198.18.5.7', { source: '198.18.1.9', inputLink: w.b }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'EHOSTUNREACH', message: expect.stringMatching(/does not forward IPv4/) });
    expect(ipGet(w.ns, '198.18.5.7', 'from', '198.18.1.9', 'iif', w.b.name)).toMatch(/No route to host/);
    ip(w.ns.name, 'netns', 'exec', w.ns.name as string, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/forwarding');
    for (const inputLink of [w.b, w.b.name]) {
      const ours = await w.ns.routeTo('198.18.5.7', { source: '198.18.1.9', inputLink });
      expect(ours).toMatchObject({
        gateway: '198.18.0.2',
        link: w.a.name,
        inputLink: w.b.name,
        inputLinkIndex: w.b.index,
      });
      expectSame(ours, ipGet(w.ns, '198.18.5.7', 'from', '198.18.1.9', 'iif', w.b.name));
    }
    await w.ns.addRoute({ destination: '198.18.5.0/24', gateway: '198.18.1.2', table: 100 });
    await w.ns.addRule({ iif: w.b, table: 100, priority: 100 });
    const ruled = await w.ns.routeTo('198.18.5.7', { source: '198.18.1.9', inputLink: w.b });
    expect(ruled).toMatchObject({ gateway: '198.18.1.2', table: 100 });
    expectSame(ruled, ipGet(w.ns, '198.18.5.7', 'from', '198.18.1.9', 'iif', w.b.name));
    // Sent from here, the rule on the input link does not apply.
    expect(await w.ns.routeTo('198.18.5.7')).toMatchObject({ gateway: '198.18.0.2', table: 254 });
  });

  it('runs on the JS thread, as a cheap read: the kernel answers under RCU, never sleeping', async () => {
    const w = await world();
    // Inline unless rtnl_lock looked contended (a slow batch on a busy machine): the policy
    // sends a lookup to a worker never, so one of a few tries runs inline.
    let inline = false;
    for (let i = 0; i < 50 && !inline; i++) {
      const [worker, here] = [dispatchStats.workerBatches, dispatchStats.inlineBatches];
      await w.ns.routeTo('198.18.0.7', { outputLink: w.a });
      inline = dispatchStats.workerBatches === worker && dispatchStats.inlineBatches > here;
    }
    expect(inline).toBe(true);
  });

  it("no route, unreachable, prohibit and blackhole: the kernel's code, said as what covers the address", async () => {
    const w = await world();
    await expectRefused(w, '198.19.0.1', 'ENETUNREACH', /no route covers that address/);
    await expectRefused(w, 'fd00:77::1', 'ENETUNREACH', /no route covers that address/);
    await w.ns.addRoute({ destination: '198.18.9.0/24', type: 'unreachable' });
    await w.ns.addRoute({ destination: '198.18.10.0/24', type: 'prohibit' });
    await w.ns.addRoute({ destination: '198.18.11.0/24', type: 'blackhole' });
    await expectRefused(w, '198.18.9.1', 'EHOSTUNREACH', /an unreachable route or rule covers that address/);
    await expectRefused(w, '198.18.10.1', 'EACCES', /a prohibit route or rule covers that address/);
    await expectRefused(w, '198.18.11.1', 'EINVAL', /a blackhole route or rule covers that address/);
    await w.ns.addRoute({ destination: 'fd00:9::/64', type: 'unreachable' });
    await w.ns.addRoute({ destination: 'fd00:10::/64', type: 'prohibit' });
    await w.ns.addRoute({ destination: 'fd00:11::/64', type: 'blackhole' });
    await expectRefused(w, 'fd00:9::1', 'EHOSTUNREACH', /an unreachable route or rule covers that address/);
    await expectRefused(w, 'fd00:10::1', 'EACCES', /a prohibit route or rule covers that address/);
    await expectRefused(w, 'fd00:11::1', 'EINVAL', /a blackhole route or rule covers that address/);
  });
});
