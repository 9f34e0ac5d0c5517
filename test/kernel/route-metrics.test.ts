/**
 * Route metrics (RTA_METRICS), IPv6 router preference (RTA_PREF) and expiry (RTA_EXPIRES), with
 * `ip route` as the witness: what the library adds, ip lists; what ip adds, the library lists.
 */
import { VethPair, type Link, type Namespace, type Route } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, run, snapshot } from '../helpers/ip';
import { waitFor } from '../helpers/wait';
import { describeKernel } from '../helpers/skip';

/** `ip -j route show` with the fields these tests read (metrics: iproute2's names, ms for times). */
interface IpMetricRoute {
  dst: string;
  metrics?: Array<Record<string, number | string | null>>;
  pref?: string;
  expires?: number;
}

async function withLink(): Promise<{ ns: Namespace; dev: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
  await local.addAddress('198.18.40.1/24');
  await local.addAddress('fd00:40::1/64', { nodad: true });
  await local.up();
  await peer.up();
  return { ns, dev: local };
}

const shown = (ns: Namespace, family: '-4' | '-6', dst: string): IpMetricRoute | undefined =>
  ipJson<IpMetricRoute[]>(ns.name, family, 'route', 'show').find((r) => r.dst === dst);

/** The text `ip route show` prints for one destination (it alone shows `lock`). */
const line = (ns: Namespace, family: '-4' | '-6', dst: string): string =>
  ip(ns.name, family, 'route', 'show', dst)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');

const listed = async (ns: Namespace, dst: string, family: 4 | 6 = 4): Promise<Route | undefined> =>
  (await ns.routes({ family })).find((r) => r.destination === dst);

describeKernel('route metrics', () => {
  it('adds metrics with locks as `ip route add ... mtu lock 1400 initcwnd 10` does; ip and routes() list them', async () => {
    const { ns, dev } = await withLink();
    const dst = '198.19.40.0/24';
    await ns.addRoute({
      destination: dst,
      link: dev,
      metrics: {
        mtu: 1400,
        window: 65535,
        rtt: 100,
        rttvar: 50,
        advmss: 1360,
        hoplimit: 64,
        initcwnd: 10,
        initrwnd: 20,
        quickack: true,
        congctl: 'reno',
        lock: ['mtu', 'congctl'],
      },
    });
    // iproute2 prints rtt and rttvar in ms (the kernel holds 800 and 200), and `lock` only in text.
    expect(shown(ns, '-4', dst)?.metrics).toEqual([
      {
        mtu: 1400,
        window: 65535,
        rtt: 100,
        rttvar: 50,
        advmss: 1360,
        hoplimit: 64,
        initcwnd: 10,
        initrwnd: 20,
        quickack: 1,
        congestion: 'reno',
      },
    ]);
    expect(line(ns, '-4', dst)).toBe(
      `${dst} dev ${dev.name} scope link mtu lock 1400 window 65535 rtt 100ms rttvar 50ms advmss 1360 hoplimit 64 initcwnd 10 initrwnd 20 quickack 1 congctl lock reno`,
    );
    expect((await listed(ns, dst))?.metrics).toEqual({
      mtu: 1400,
      window: 65535,
      rtt: 100,
      rttvar: 50,
      advmss: 1360,
      hoplimit: 64,
      initcwnd: 10,
      initrwnd: 20,
      quickack: true,
      congctl: 'reno',
      lock: ['mtu', 'congctl'],
    });
  });

  it('lists what `ip route add` set: every metric, rto_min locked, a lock without a value, a raw rtt', async () => {
    const { ns, dev } = await withLink();
    ip(
      ns.name,
      'route',
      'add',
      '198.19.41.0/24',
      'dev',
      dev.name,
      ...['ssthresh', 'lock', '5', 'cwnd', '7', 'reordering', '9', 'features', 'ecn', 'rto_min', '1500ms'],
      ...['fastopen_no_cookie', '1', 'rttvar', 'lock', '2s'],
    );
    ip(ns.name, 'route', 'add', '198.19.42.0/24', 'dev', dev.name, 'mtu', 'lock', '0', 'rtt', '100');
    expect((await listed(ns, '198.19.41.0/24'))?.metrics).toEqual({
      rttvar: 2000,
      ssthresh: 5,
      cwnd: 7,
      reordering: 9,
      ecn: true,
      rtoMin: 1500,
      fastopenNoCookie: true,
      lock: ['rttvar', 'ssthresh', 'rtoMin'],
    });
    // `mtu lock 0`: the lock alone. `rtt 100` without a unit: 100 in the kernel's 1/8 ms.
    expect((await listed(ns, '198.19.42.0/24'))?.metrics).toEqual({ rtt: 12.5, lock: ['mtu'] });
    expect(shown(ns, '-4', '198.19.42.0/24')?.metrics).toEqual([{ mtu: 0, rtt: 12 }]);
    // Given back, the same metrics make the same route: a second add of it is EEXIST, and the
    // listed route is the same as ip's.
    const again = await listed(ns, '198.19.41.0/24');
    await ns.deleteRoute(again as Route);
    expect(shown(ns, '-4', '198.19.41.0/24')).toBeUndefined();
    await ns.addRoute({ ...(again as Route), link: dev });
    expect(line(ns, '-4', '198.19.41.0/24')).toBe(
      `198.19.41.0/24 dev ${dev.name} scope link rttvar lock 2s ssthresh lock 5 cwnd 7 reordering 9 features ecn rto_min lock 1.5s fastopen_no_cookie 1`,
    );
  });

  it('an IPv4 delete matches the metrics given, as ip route del does; an IPv6 delete ignores them', async () => {
    const { ns, dev } = await withLink();
    await ns.addRoute({ destination: '198.19.43.0/24', link: dev, metrics: { mtu: 1400, lock: ['mtu'] } });
    await expect(ns.deleteRoute({ destination: '198.19.43.0/24', metrics: { mtu: 1300 } })).rejects.toMatchObject({
      code: 'ESRCH',
    });
    await expect(
      ns.deleteRoute({ destination: '198.19.43.0/24', metrics: { mtu: 1400, lock: ['advmss'] } }),
    ).rejects.toMatchObject({ code: 'ESRCH' });
    expect(shown(ns, '-4', '198.19.43.0/24')).toBeDefined();
    await ns.deleteRoute({ destination: '198.19.43.0/24', metrics: { mtu: 1400, lock: ['mtu'] } });
    expect(shown(ns, '-4', '198.19.43.0/24')).toBeUndefined();

    await ns.addRoute({ destination: 'fd00:43::/64', link: dev, metrics: { mtu: 1400, hoplimit: 9 } });
    expect(shown(ns, '-6', 'fd00:43::/64')?.metrics).toEqual([{ mtu: 1400, hoplimit: 9 }]);
    // The kernel matches no IPv6 route by metrics: the delete leaves them out, and works.
    await ns.deleteRoute({ destination: 'fd00:43::/64', metrics: { mtu: 1300 } });
    expect(shown(ns, '-6', 'fd00:43::/64')).toBeUndefined();
  });

  it('replace changes the metrics of a route', async () => {
    const { ns, dev } = await withLink();
    await ns.addRoute({ destination: '198.19.44.0/24', link: dev, metrics: { mtu: 1400, initcwnd: 10 } });
    await ns.addRoute(
      { destination: '198.19.44.0/24', link: dev, metrics: { advmss: 1200, lock: ['advmss'] } },
      { replace: true },
    );
    expect(line(ns, '-4', '198.19.44.0/24')).toBe(`198.19.44.0/24 dev ${dev.name} scope link advmss lock 1200`);
    expect((await listed(ns, '198.19.44.0/24'))?.metrics).toEqual({ advmss: 1200, lock: ['advmss'] });
  });

  it('an unknown congestion control is the kernel EINVAL; bad metrics are EINVAL before anything is sent', async () => {
    const { ns, dev } = await withLink();
    await expect(
      ns.addRoute({ destination: '198.19.45.0/24', link: dev, metrics: { congctl: 'nosuchcc' } }),
    ).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining('the kernel has no TCP congestion control "nosuchcc"'),
      detail: expect.stringMatching(/congestion algorithm/i),
    });
    const before = snapshot(ns.name);
    const cases: Array<[unknown, RegExp]> = [
      ['1400', /metrics must be an object such as \{ mtu: 1400 \}, not "1400"/],
      [[1400], /metrics must be an object/],
      [{ mtu: 65521 }, /the metric mtu must be from 0 to 65520 \(an integer\), not 65521/],
      [{ mtu: -1 }, /the metric mtu must be from 0 to 65520/],
      [{ mtu: '1400' }, /the metric mtu must be from 0 to 65520 \(an integer\), not "1400"/],
      [{ advmss: 65496 }, /the metric advmss must be from 0 to 65495/],
      [{ hoplimit: 256 }, /the metric hoplimit must be from 0 to 255/],
      [{ initcwnd: 1.5 }, /the metric initcwnd must be from 0 to 4294967295 \(an integer\), not 1.5/],
      [{ window: 2 ** 32 }, /the metric window must be from 0 to 4294967295/],
      [{ rtt: 0.1 }, /the metric rtt must be milliseconds from 0 to 536870911.875 in steps of 0.125, not 0.1/],
      [{ rttvar: 0.125 }, /the metric rttvar must be milliseconds from 0 to 1073741823.75 in steps of 0.25/],
      [{ rtoMin: Number.NaN }, /the metric rtoMin must be milliseconds from 0 to 4294967295 \(an integer\), not NaN/],
      [{ quickack: 1 }, /the metric quickack must be true or false, not 1/],
      [{ ecn: 'yes' }, /the metric ecn must be true or false/],
      [{ congctl: '' }, /congctl must name a TCP congestion control algorithm/],
      [{ congctl: 'a'.repeat(16) }, /1 to 15 printable characters/],
      [{ congctl: 'cu bic' }, /1 to 15 printable characters/],
      [{ initCwnd: 10 }, /unknown route metric "initCwnd"; the metrics are mtu, window, rtt/],
      [{ mtu: 1400, lock: 'mtu' }, /lock must be an array of metric names such as \['mtu'\], not "mtu"/],
      [{ mtu: 1400, lock: ['quickack'] }, /lock names the metrics to lock, of mtu, .*congctl; not "quickack"/],
    ];
    for (const [metrics, message] of cases) {
      for (const spec of [
        { destination: '198.19.45.0/24', link: dev, metrics },
        { destination: '198.19.45.0/24', link: dev.name, metrics },
        { destination: 'fd00:45::/64', nexthops: [{ gateway: 'fd00:40::2' }], metrics },
      ]) {
        for (const call of [() => ns.addRoute(spec as never), () => ns.deleteRoute(spec as never)]) {
          await expect(call()).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
        }
      }
    }
    expect(snapshot(ns.name)).toBe(before);
  });
});

describeKernel('IPv6 route preference and expiry', () => {
  it('pref and expires as `ip -6 route add PREFIX expires 300 pref high` sets them; listed back', async () => {
    const { ns, dev } = await withLink();
    await ns.addRoute({ destination: 'fd00:46::/64', link: dev, preference: 'high', expires: 300 });
    await ns.addRoute({ destination: 'fd00:47::/64', gateway: 'fd00:40::2', preference: 'low' });
    await ns.addRoute({ destination: 'default', family: 6, gateway: 'fd00:40::3', preference: 'medium' });
    const witness = shown(ns, '-6', 'fd00:46::/64');
    expect(witness).toMatchObject({ pref: 'high' });
    expect(witness?.expires).toBeGreaterThan(290);
    expect(witness?.expires).toBeLessThanOrEqual(300);
    expect(shown(ns, '-6', 'fd00:47::/64')).toMatchObject({ pref: 'low' });
    expect(shown(ns, '-6', 'default')).toMatchObject({ pref: 'medium' });

    const mine = await listed(ns, 'fd00:46::/64', 6);
    expect(mine).toMatchObject({ preference: 'high', family: 6, link: dev.name });
    expect(mine?.expires).toBeGreaterThan(290);
    expect(mine?.expires).toBeLessThanOrEqual(300);
    expect(await listed(ns, 'fd00:47::/64', 6)).toMatchObject({ preference: 'low' });
    expect((await listed(ns, 'fd00:47::/64', 6))?.expires).toBeUndefined();

    // One added by ip lists the same way; a listed route deletes as it is (preference and the
    // time left are not matched on).
    ip(ns.name, '-6', 'route', 'add', 'fd00:48::/64', 'dev', dev.name, 'expires', '100', 'pref', 'low');
    const theirs = await listed(ns, 'fd00:48::/64', 6);
    expect(theirs).toMatchObject({ preference: 'low' });
    expect(theirs?.expires).toBeGreaterThan(90);
    await ns.deleteRoute(theirs as Route);
    await ns.deleteRoute(mine as Route);
    expect(shown(ns, '-6', 'fd00:46::/64')).toBeUndefined();
    expect(shown(ns, '-6', 'fd00:48::/64')).toBeUndefined();
  });

  it('a route added with expires 1 is gone a little later', async () => {
    const { ns, dev } = await withLink();
    // The kernel's garbage collector removes expired routes on its next run: every second
    // here, instead of every 30 (this namespace's own sysctl).
    run('ip', ['netns', 'exec', ns.name as string, 'sysctl', '-qw', 'net.ipv6.route.gc_interval=1']);
    await ns.addRoute({ destination: 'fd00:49::/64', link: dev, expires: 1 });
    expect(shown(ns, '-6', 'fd00:49::/64')).toBeDefined();
    await waitFor(() => shown(ns, '-6', 'fd00:49::/64') === undefined, {
      what: 'the kernel to remove the expired route fd00:49::/64',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  });

  it('IPv4 routes have neither: EINVAL (the kernel would ignore them); bad values are EINVAL; nothing is sent', async () => {
    const { ns, dev } = await withLink();
    const before = snapshot(ns.name);
    const cases: Array<[object, RegExp]> = [
      [
        { destination: '198.19.46.0/24', link: dev, preference: 'high' },
        /a router preference \(pref\) is for IPv6 routes only/,
      ],
      [{ destination: '198.19.46.0/24', link: dev, expires: 300 }, /an expiry \(expires\) is for IPv6 routes only/],
      [
        { destination: 'default', gateway: undefined, link: dev, preference: 'low' },
        /IPv6 routes only.*for an IPv6 default route give family: 6/,
      ],
      [
        { destination: 'fd00:46::/64', link: dev, preference: 'highest' },
        /the preference must be 'low', 'medium' or 'high', not "highest"/,
      ],
      [
        { destination: 'fd00:46::/64', link: dev, preference: 1 },
        /the preference must be 'low', 'medium' or 'high', not 1/,
      ],
    ];
    for (const [spec, message] of cases) {
      for (const call of [() => ns.addRoute(spec as never), () => ns.deleteRoute(spec as never)]) {
        await expect(call()).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
      }
    }
    for (const expires of [0, -1, 1.5, 0xffffffff, '300', null]) {
      await expect(ns.addRoute({ destination: 'fd00:46::/64', link: dev, expires } as never)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/expires \(seconds\) must be an integer from 1 to 4294967294/),
      });
    }
    expect(snapshot(ns.name)).toBe(before);
  });
});
