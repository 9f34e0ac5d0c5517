/**
 * ns.monitor() for netconf entries (events: ['netconf']), against the real kernel: what
 * setSysctl changes shows, shaped as ns.netconf() lists it; a new link's entries and a deleted
 * link's deletes; the resync; the command's lines against `ip monitor netconf`.
 */
import { VethPair, type MonitorEvent, type Namespace } from 'netns-native';
import { resyncLine } from '../../lib/cli/commands/monitor';
import { monitorsSideBySide } from '../helpers/cli';
import { collect } from '../helpers/monitor';
import { freshNamespace } from '../helpers/fresh';
import { ipJson, rules } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

type NetconfEvent = Extract<MonitorEvent, { type: 'netconf' }>;

async function withVeth(): Promise<{ ns: Namespace; veth: VethPair }> {
  const ns = await freshNamespace();
  const veth = await VethPair.create({ name: 'mca', peerName: 'mcb', namespace: ns });
  return { ns, veth };
}

describeKernel('monitor: netconf entries', () => {
  it('a sysctl written sends its one value, in the shape ns.netconf() lists the entry; a deleted link sends deletes', async () => {
    const { ns, veth } = await withVeth();
    await using m = ns.monitor({ events: ['netconf'] });
    await m.ready;
    const events = collect(m);
    await ns.setSysctl('net.ipv4.conf.mca.rp_filter', 2);
    await ns.setSysctl('net.ipv6.conf.mca.proxy_ndp', 1);
    await ns.setSysctl('net.ipv4.conf.mca.forwarding', 1);
    await waitFor(() => events.length >= 3, { what: 'three netconf events' });
    const index = veth.local.index;
    expect(events).toEqual([
      { type: 'netconf', action: 'new', netconf: { family: 4, link: 'mca', linkIndex: index, rpFilter: 2 } },
      { type: 'netconf', action: 'new', netconf: { family: 6, link: 'mca', linkIndex: index, proxyNeighbour: true } },
      { type: 'netconf', action: 'new', netconf: { family: 4, link: 'mca', linkIndex: index, forwarding: true } },
    ]);
    // Each value is what ns.netconf() then lists for the entry.
    const [v4, v6] = await ns.netconf({ link: 'mca' });
    for (const e of events as NetconfEvent[]) {
      expect(e.netconf.family === 4 ? v4 : v6).toMatchObject(e.netconf);
    }
    events.length = 0;
    await veth.local.delete(); // takes its peer along
    await waitFor(() => events.length >= 4, { what: 'four netconf deletes' });
    expect(events.map((e) => [(e as NetconfEvent).action, (e as NetconfEvent).netconf])).toEqual([
      ['delete', { family: 4, link: 'mca', linkIndex: index }],
      ['delete', { family: 6, link: 'mca', linkIndex: index }],
      ['delete', { family: 4, link: 'mcb', linkIndex: veth.peer.index }],
      ['delete', { family: 6, link: 'mcb', linkIndex: veth.peer.index }],
    ]);
  });

  it('a new link sends its whole entries; "all" and "default" are named so', async () => {
    const ns = await freshNamespace();
    await using m = ns.monitor({ events: ['netconf', 'link'] });
    await m.ready;
    const events = collect(m);
    // Past the links dump a monitor starts with (no initial state), whose window names every link.
    await ns.setSysctl('net.ipv4.conf.lo.rp_filter', 1);
    await waitFor(() => events.some((e) => e.type === 'netconf' && e.netconf.link === 'lo'), { what: "lo's entry" });
    events.length = 0;
    const veth = await VethPair.create({ name: 'mcc', peerName: 'mcd', namespace: ns });
    await ns.setSysctl('net.ipv6.conf.default.forwarding', 1);
    await waitFor(() => events.some((e) => e.type === 'netconf' && e.netconf.link === 'default'), {
      what: 'the default entry',
    });
    const listed = await ns.netconf({ link: veth.local });
    const entries = events.filter((e): e is NetconfEvent => e.type === 'netconf').map((e) => e.netconf);
    // The kernel sends a new link's entries before the link's own RTM_NEWLINK; named all the
    // same (before: `if<index>`), as ns.netconf() names them.
    const mine = entries.filter((c) => c.linkIndex === veth.local.index);
    expect(mine).toEqual(listed);
    expect(mine.map((c) => c.link)).toEqual(['mcc', 'mcc']);
    // In the kernel's order: the entries, then the link.
    const at = (p: (e: MonitorEvent) => boolean): number => events.findIndex(p);
    expect(at((e) => e.type === 'netconf' && e.netconf.link === 'mcc')).toBeLessThan(
      at((e) => e.type === 'link' && e.link.name === 'mcc'),
    );
    expect(entries[entries.length - 1]).toEqual({ family: 6, link: 'default', linkIndex: -2, forwarding: true });
  });

  it('a resync holds every entry, as ns.netconf() lists them', async () => {
    const { ns } = await withVeth();
    await ns.setSysctl('net.ipv4.conf.mca.proxy_arp', 1);
    await using m = ns.monitor({ events: ['netconf'], initialState: true });
    const resync = (await m.next()).value as Extract<MonitorEvent, { type: 'resync' }>;
    expect(resync.type).toBe('resync');
    expect(resync.netconf).toEqual(await ns.netconf());
    expect(resync.netconf.find((c) => c.family === 4 && c.link === 'mca')?.proxyNeighbour).toBe(true);
    expect(resync.nexthops).toEqual([]);
  });

  it("a new link's entries print as `ip monitor netconf` prints them, named (the command's monitor)", async () => {
    const { ns } = await withVeth();
    let probes = 0;
    const compared = await monitorsSideBySide(
      ns.name as string,
      'netconf',
      ['netconf'],
      (n) => {
        probes = n;
        void ns.setSysctl('net.ipv4.conf.mcb.forwarding', n % 2);
        return `inet mcb forwarding ${n % 2 === 1 ? 'on' : 'off'}`;
      },
      async () => {
        await VethPair.create({ name: 'mce', peerName: 'mcf', namespace: ns });
        await ns.setSysctl('net.ipv4.conf.mcf.rp_filter', 2);
      },
      'inet mcf rp_filter loose',
    );
    expect(probes).toBeGreaterThan(0);
    const strip = (l: string[]): string[] => l.filter((x) => !/^inet mcb forwarding/.test(x));
    const mine = strip(compared.mine);
    expect(mine).toEqual(strip(compared.theirs));
    for (const name of ['mce', 'mcf']) {
      // Its two whole entries (inet, inet6).
      expect(mine.filter((l) => new RegExp(`^inet6? ${name} forwarding `).test(l))).toHaveLength(2);
    }
    expect(mine.some((l) => /\bif[0-9]+\b/.test(l))).toBe(false);
  });

  it("the command's resync line counts each kind watched, as the resync read them", async () => {
    const { ns, veth } = await withVeth();
    await veth.local.addAddress('198.19.118.1/24');
    await veth.local.up();
    await ns.addRule({ to: '198.19.119.0/24', table: 100, priority: 100 });
    await (await ns.link('lo')).up(); // a blackhole nexthop uses it
    await ns.addNexthop({ id: 1, blackhole: true });
    const watched = ['link', 'address', 'route', 'neighbour', 'rule', 'nexthop', 'netconf'] as const;
    await using m = ns.monitor({ events: [...watched], initialState: true });
    const resync = (await m.next()).value as Extract<MonitorEvent, { type: 'resync' }>;
    const counts = [
      `${resync.links.length} links`,
      `${resync.addresses.length} addresses`,
      `${resync.routes.length} routes`,
      `${resync.neighbours.length} neighbours`,
      `${resync.rules.length} rules`,
      `${resync.nexthops.length} nexthops`,
      `${resync.netconf.length} netconf entries`,
    ];
    // Before: links, addresses and routes only.
    expect(resyncLine(resync, [...watched])).toBe(`resync (initial): ${counts.join(', ')}`);
    // As ip lists them.
    expect(resync.rules).toHaveLength(rules(ns.name, 4).length + rules(ns.name, 6).length);
    expect(resync.nexthops).toHaveLength(ipJson<unknown[]>(ns.name, 'nexthop', 'show').length);
    expect(resync.links).toHaveLength(ipJson<unknown[]>(ns.name, 'link', 'show').length);
    // Only what is watched (the links always: the events name them).
    expect(resyncLine(resync, ['rule'])).toBe(`resync (initial): ${counts[0]}, ${counts[4]}`);
  });

  it("the command's monitor --events netconf prints each line as `ip monitor netconf` does", async () => {
    const { ns } = await withVeth();
    const name = ns.name as string;
    const probe = (n: number): string => {
      const on = n % 2 === 1;
      void ns.setSysctl('net.ipv4.conf.mcb.forwarding', on ? 1 : 0);
      return `inet mcb forwarding ${on ? 'on' : 'off'}`;
    };
    const compared = await monitorsSideBySide(
      name,
      'netconf',
      ['netconf'],
      probe,
      async () => {
        await ns.setSysctl('net.ipv4.conf.mca.rp_filter', 1);
        await ns.setSysctl('net.ipv6.conf.mca.proxy_ndp', 1);
        await ns.setSysctl('net.ipv6.conf.all.forwarding', 1); // all, default and every link
        await ns.setSysctl('net.ipv4.conf.mca.ignore_routes_with_linkdown', 1);
        await (await ns.link('mca')).delete();
      },
      'Deleted inet6 mcb',
    );
    // The probes' lines repeat (on, off, ...): the first both showed may be a later one for ip.
    const [mine, theirs] = [compared.mine, compared.theirs].map((l) =>
      l.filter((x) => !/^inet mcb forwarding/.test(x)),
    );
    expect(mine).toEqual(theirs);
    expect(mine).toEqual(
      expect.arrayContaining([
        'inet mca rp_filter strict',
        'inet6 mca proxy_neigh on',
        'inet6 all forwarding on',
        'inet mca ignore_routes_with_linkdown on',
        'Deleted inet mca',
      ]),
    );
  });
});
