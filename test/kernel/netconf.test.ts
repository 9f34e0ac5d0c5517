import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, VethPair, type Netconf } from 'netns-native';
import { cliMain } from '../helpers/cli';
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

  it('a link given: one RTM_GETNETCONF per family for its index, no dump (as `ip -4 netconf show dev LINK`; strace as witness)', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const veth = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netconf-')), 'trace');
    const strace = ['-f', '-qq', '-e', 'trace=sendto,sendmsg', '-o', trace];
    const command = [cliMain(), '-n', name, 'netconf', 'show', 'dev', veth.local.name];
    const printed = execFileSync('strace', [...strace, process.execPath, ...command], { encoding: 'utf8' });
    expect(printed.split('\n').filter(Boolean)).toHaveLength(2);
    const text = fs.readFileSync(trace, 'utf8');
    fs.rmSync(path.dirname(trace), { recursive: true });
    // The socket was opened in another namespace, so strace shows the messages undecoded: type
    // 0x52 is RTM_GETNETCONF; the body is netconfmsg (family, padded to 4), then NETCONFA_IFINDEX.
    const sent = [...text.matchAll(/nlmsg_type=0x52 [^,]*, nlmsg_flags=([A-Z_|]+)[^}]*\}, "([^"]*)"/g)];
    const bytes = (...b: number[]): string => b.map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('');
    const index = veth.local.index;
    expect(sent.map((m) => [m[1], m[2]])).toEqual(
      [2, 10].map((family) => [
        'NLM_F_REQUEST',
        bytes(family, 0, 0, 0, 8, 0, 1, 0, index & 0xff, (index >> 8) & 0xff, 0, 0),
      ]),
    );
    // The same entries as the dump listed (a Link, an index, a name; 'all').
    const dumped = (await ns.netconf()).filter((e) => e.linkIndex === veth.local.index);
    expect(await ns.netconf({ link: veth.local.name })).toEqual(dumped);
    expect(await ns.netconf({ link: veth.local.index, family: 6 })).toEqual(dumped.filter((e) => e.family === 6));
    expect(await ns.netconf({ link: 'all' })).toEqual((await ns.netconf()).filter((e) => e.link === 'all'));
    // strace follows every thread of node: slow.
  }, 120_000);

  it('a link with no entry of a family lists none, as ip prints none; a link that is not there: ENODEV', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const veth = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
    // Below IPv6's minimum MTU a link has no IPv6 configuration left (addrconf_ifdown).
    await veth.local.setMtu(1000);
    expect(await ns.netconf({ link: veth.local, family: 6 })).toEqual([]);
    expect(ip(name, '-6', 'netconf', 'show', 'dev', veth.local.name)).toBe('');
    const both = await ns.netconf({ link: veth.local });
    expect(both.map((e) => e.family)).toEqual([4]);
    expect(comparable(both)).toEqual(witness(name, 'dev', veth.local.name));
    await expect(ns.netconf({ link: 'mcgone0' })).rejects.toMatchObject({
      code: 'ENODEV',
      message: expect.stringContaining('no link "mcgone0" in the namespace'),
    });
    const index = veth.peer.index;
    await veth.local.delete();
    await expect(ns.netconf({ link: index })).rejects.toMatchObject({ code: 'ENODEV' });
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
