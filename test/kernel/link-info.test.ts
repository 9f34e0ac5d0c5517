/**
 * link.info (typed per kind, for every kind) and link.stats (IFLA_STATS64), against `ip -d` and
 * `ip -s`. Kinds this kernel cannot create are named skips; their tables are covered by the
 * native codec tests (core_test: every table round-trips).
 */
import { Bridge, Link, VethPair, type LinkStats, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipLinkStats, link, operational } from '../helpers/ip';
import { describeKernel, itIf, kernelHasChildLinkKind, kernelHasLinkKind } from '../helpers/skip';

/** `ip -s -s link show dev NAME` as LinkStats. */
function ipStats(ns: string | undefined, name: string): LinkStats {
  return ipLinkStats(ns, name).stats as unknown as LinkStats;
}

/** Counters only grow: what we read lies between what `ip` read before and after. */
function between(before: LinkStats, mine: LinkStats | undefined, after: LinkStats): void {
  expect(mine).toBeDefined();
  for (const key of Object.keys(before) as Array<keyof LinkStats>) {
    const [low, value, high] = [before[key] ?? 0, (mine as LinkStats)[key] ?? 0, after[key] ?? 0];
    expect([key, value >= low && value <= high]).toEqual([key, true]);
  }
}

async function twoHosts(): Promise<{ x: Namespace; y: Namespace; a: Link; b: Link }> {
  const x = await freshNamespace();
  const y = await freshNamespace();
  const { local: a, peer: b } = await VethPair.create({
    name: uniqueName('s'),
    peerName: uniqueName('t'),
    namespace: x,
    peerNamespace: y,
  });
  await a.addAddress('198.18.60.1/24');
  await b.addAddress('198.18.60.2/24');
  await a.up();
  await b.up();
  await operational(x.name, a.name);
  await operational(y.name, b.name);
  return { x, y, a, b };
}

describeKernel('link.stats and link.info', () => {
  it('stats count traffic as `ip -s link` does, on every read of one link', async () => {
    const { x, a } = await twoHosts();
    const start = (await x.link(a.name)).stats as LinkStats;
    expect((await x.ping('198.18.60.2', { count: 3 })).received).toBe(3);
    const before = ipStats(x.name, a.name);
    await a.refresh();
    const byLink = (await x.link(a.index)).stats;
    const after = ipStats(x.name, a.name);
    between(before, a.stats, after);
    between(before, byLink, after);
    // Three echo requests and their replies went through, at least.
    expect((a.stats as LinkStats).txPackets - start.txPackets).toBeGreaterThanOrEqual(3);
    expect((a.stats as LinkStats).rxPackets - start.rxPackets).toBeGreaterThanOrEqual(3);
    expect((a.stats as LinkStats).txBytes).toBeGreaterThan(start.txBytes);
  });

  it('ns.links() reads stats only when asked', async () => {
    const { x, a } = await twoHosts();
    await x.ping('198.18.60.2', { count: 1 });
    expect((await x.links()).find((l) => l.name === a.name)?.stats).toBeUndefined();
    const before = ipStats(x.name, a.name);
    const mine = (await x.links({ stats: true })).find((l) => l.name === a.name);
    between(before, mine?.stats, ipStats(x.name, a.name));
    await expect(x.links({ stats: 'yes' as never })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('info: a veth says where its peer is; a bridge says what `ip -d link` shows; lo has none', async () => {
    const { x, a, b } = await twoHosts();
    expect(a.info).toEqual({ peerIndex: b.index, peerNetnsId: a.parentNetnsId });
    const br = await Bridge.create(uniqueName('br'), { namespace: x, stp: true, forwardDelayMs: 4000, priority: 7 });
    const d = link(x.name, br.name)?.linkinfo?.info_data as {
      forward_delay: number;
      ageing_time: number;
      hello_time: number;
      max_age: number;
    };
    expect(br.info).toMatchObject({
      stp: true,
      vlanFiltering: false,
      forwardDelayMs: d.forward_delay * 10,
      ageingTimeMs: d.ageing_time * 10,
      helloTimeMs: d.hello_time * 10,
      maxAgeMs: d.max_age * 10,
      priority: 7,
    });
    expect((await x.link('lo')).info).toBeUndefined();
    expect(Object.keys(br.info)).not.toContain('unknown');
  });

  // The kinds this kernel lacks: a table each in native/rtnl/link/, read through the generic
  // path (the names of the table); a class of their own is a file away.
  const tableOnly: Array<[string, boolean, string[], Record<string, unknown>]> = [
    ['dummy', kernelHasLinkKind('dummy'), ['type', 'dummy'], {}],
    [
      'vlan',
      kernelHasChildLinkKind('vlan', ['id', '5']),
      ['link', 'PARENT', 'type', 'vlan', 'id', '5'],
      { id: 5, protocol: 0x8100 },
    ],
    [
      'ipvlan',
      kernelHasChildLinkKind('ipvlan', ['mode', 'l3']),
      ['link', 'PARENT', 'type', 'ipvlan', 'mode', 'l3'],
      { mode: 1 },
    ],
    ['vrf', kernelHasLinkKind('vrf', ['table', '10']), ['type', 'vrf', 'table', '10'], { table: 10 }],
    [
      'bond',
      kernelHasLinkKind('bond', ['mode', 'active-backup']),
      ['type', 'bond', 'mode', 'active-backup', 'miimon', '100'],
      { mode: 1, miimon: 100 },
    ],
    [
      'geneve',
      kernelHasLinkKind('geneve', ['id', '5', 'remote', '198.18.0.1']),
      ['type', 'geneve', 'id', '5', 'remote', '198.18.0.1'],
      { vni: 5, remote: '198.18.0.1', port: 6081 },
    ],
    [
      'gre',
      kernelHasLinkKind('gre', ['remote', '198.18.0.1', 'local', '198.18.0.2']),
      ['type', 'gre', 'remote', '198.18.0.1', 'local', '198.18.0.2', 'key', '7'],
      { remote: '198.18.0.1', local: '198.18.0.2', ikey: 7, okey: 7 },
    ],
  ];
  for (const [kind, has, args, expected] of tableOnly) {
    itIf(has, `this kernel has no ${kind}`)(`a ${kind} made by \`ip\` reads back with its table's names`, async () => {
      const ns = await freshNamespace();
      const parent = (await VethPair.create({ name: uniqueName('p'), peerName: uniqueName('q'), namespace: ns })).local;
      const name = uniqueName('k');
      ip(ns.name, 'link', 'add', name, ...args.map((x) => (x === 'PARENT' ? parent.name : x)));
      const l = await ns.link(name);
      expect(l).toBeInstanceOf(Link);
      expect(l.kind).toBe(kind);
      expect(l.info).toMatchObject(expected);
    });
  }
});
