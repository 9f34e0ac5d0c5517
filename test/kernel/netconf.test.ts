import { Namespace, VethPair, type Netconf } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

interface IpNetconf {
  family: 'inet' | 'inet6';
  interface: string;
  forwarding?: boolean;
  rp_filter?: string;
  mc_forwarding?: boolean;
  proxy_neigh?: boolean;
  ignore_routes_with_linkdown?: boolean;
}

const RP_FILTER: Record<string, number> = { off: 0, strict: 1, loose: 2 };

/** The witness, `ip [-n NS] -j netconf show [dev LINK]`, in our shape (iproute2 6.1 does not print bc_forwarding). */
function witness(ns: string | undefined, ...args: string[]): Array<Omit<Netconf, 'linkIndex'>> {
  return ipJson<IpNetconf[]>(ns, 'netconf', 'show', ...args).map((e) => ({
    family: e.family === 'inet' ? 4 : 6,
    link: e.interface,
    ...(e.forwarding !== undefined && { forwarding: e.forwarding }),
    ...(e.rp_filter !== undefined && { rpFilter: RP_FILTER[e.rp_filter] }),
    ...(e.mc_forwarding !== undefined && { mcForwarding: e.mc_forwarding }),
    ...(e.proxy_neigh !== undefined && { proxyNeighbour: e.proxy_neigh }),
    ...(e.ignore_routes_with_linkdown !== undefined && { ignoreRoutesWithLinkdown: e.ignore_routes_with_linkdown }),
  }));
}

function comparable(entries: Netconf[]): Array<Omit<Netconf, 'linkIndex'>> {
  return entries.map(({ linkIndex: _index, bcForwarding: _bc, ...rest }) => rest);
}

describeKernel('netconf', () => {
  it('lists what `ip netconf show` shows: every link, all and default, for IPv4 and IPv6', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const veth = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
    const entries = await ns.netconf();
    expect(comparable(entries)).toEqual(witness(name));
    const v4 = entries.filter((e) => e.family === 4).map((e) => e.link);
    expect(v4).toEqual(expect.arrayContaining(['lo', veth.local.name, veth.peer.name, 'all', 'default']));
    const all = entries.find((e) => e.family === 4 && e.link === 'all');
    expect(all).toMatchObject({ linkIndex: -1, forwarding: false, rpFilter: expect.any(Number) });
    expect(entries.find((e) => e.family === 6 && e.link === 'default')?.linkIndex).toBe(-2);
    expect(entries.find((e) => e.link === veth.local.name)?.linkIndex).toBe(veth.local.index);
    // IPv6 has no rp_filter; the kernel sends none, and none is made up.
    expect(entries.filter((e) => e.family === 6).every((e) => !('rpFilter' in e) && !('bcForwarding' in e))).toBe(true);
  });

  it('shows what setSysctl changed: forwarding of all, rp_filter and proxy_arp of one link', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const veth = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
    const dev = veth.local.name;
    await ns.setSysctl('net.ipv4.conf.all.forwarding', 1);
    await ns.setSysctl(`net.ipv4.conf.${dev}.rp_filter`, 2);
    await ns.setSysctl(`net.ipv4.conf.${dev}.proxy_arp`, 1);
    await ns.setSysctl(`net.ipv6.conf.${dev}.proxy_ndp`, 1);
    const [all] = await ns.netconf({ family: 4, link: 'all' });
    expect(all).toMatchObject({ family: 4, link: 'all', forwarding: true });
    const mine = await ns.netconf({ link: dev });
    expect(mine.map((e) => e.family)).toEqual([4, 6]);
    expect(mine[0]).toMatchObject({ link: dev, linkIndex: veth.local.index, rpFilter: 2, proxyNeighbour: true });
    expect(mine[1]).toMatchObject({ link: dev, proxyNeighbour: true });
    expect(comparable(mine)).toEqual(witness(name, 'dev', dev));
    expect(ip(name, 'netconf', 'show', 'dev', dev)).toMatch(/inet \S+ forwarding on rp_filter loose .*proxy_neigh on/);
  });

  it('filters by family and by link (a name, an index or a Link)', async () => {
    const ns = await freshNamespace();
    const veth = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
    const v6 = await ns.netconf({ family: 6 });
    expect(v6.length).toBeGreaterThanOrEqual(5);
    expect(v6.every((e) => e.family === 6)).toBe(true);
    const byName = await ns.netconf({ link: veth.peer.name });
    expect(byName.map((e) => [e.family, e.link])).toEqual([
      [4, veth.peer.name],
      [6, veth.peer.name],
    ]);
    expect(await ns.netconf({ link: veth.peer.index })).toEqual(byName);
    expect(await ns.netconf({ link: veth.peer })).toEqual(byName);
    expect(await ns.netconf({ link: 'default', family: 6 })).toEqual([expect.objectContaining({ linkIndex: -2 })]);
  });

  it('reads the namespace the process runs in, as `ip netconf show` there', async () => {
    expect(comparable(await Namespace.current().netconf())).toEqual(witness(undefined));
  });

  it('fails with EBADF once the namespace is closed', async () => {
    const ns = await freshNamespace();
    const again = await Namespace.open(ns.name as string);
    await again.close();
    await expect(again.netconf()).rejects.toMatchObject({ code: 'EBADF' });
  });
});
