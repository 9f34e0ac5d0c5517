/**
 * Network: create / open / list / remove, connect / disconnect / endpoints, IPAM in the
 * kernel, default routes, internal networks, host and none. Kernel state is checked through
 * `ip -json`; names and DNS are in network-names.test.ts, crashes and other processes in
 * network-processes.test.ts, bad input in network-bad-input.test.ts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Namespace, Network, NetnsError, type Endpoint } from 'netns-native';
import { finished, libraryEntry } from '../helpers/child';
import { cleanupLater, freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ip, ipJson, link, routes, run } from '../helpers/ip';
import { expectConsistent, netName, reaches, stateFile, useTestPools, waitFor } from '../helpers/network';
import { describeKernel } from '../helpers/skip';

/** The IPv4 addresses of a link, by `ip`. */
function inet(ns: string | undefined, dev: string): string[] {
  return addrs(ns, dev)
    .filter((a) => a.family === 'inet')
    .map((a) => `${a.local}/${a.prefixlen}`);
}

/** The names of the links of a namespace (their state moves on its own: carrier, operstate). */
function linkNames(ns: string | undefined): string {
  return ip(ns, '-br', 'link')
    .split('\n')
    .map((l) => l.split(/\s+/)[0])
    .join(' ');
}

/**
 * A member gone without a disconnect (an anonymous namespace, deleted once `prepare` ran on it),
 * and a new namespace the kernel gave its inode to. The kernel gives the lowest free number first,
 * so one of the next namespaces made gets it, once the teardown freed it (some time after the
 * veth went: RCU waits, longer under load) and the lower numbers the tests before freed are
 * taken. Inode numbers are machine-wide: when something else takes it first (tests alongside),
 * the gone member is dropped (a full reconcile) and another one made.
 */
async function goneAndHeir(
  net: Network,
  prepare: (anon: Namespace) => Promise<void> = async () => undefined,
): Promise<{ gone: Endpoint; heir: Namespace }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const anon = cleanupLater(await Namespace.create());
    const gone = await net.connect(anon, { name: 'ghost' });
    await prepare(anon);
    await anon.delete();
    await waitFor('its veth to go', () => link(undefined, gone.hostInterfaceName) === undefined);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const ns = await freshNamespace();
      if (ns.inode === anon.inode) return { gone, heir: ns };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Network.open(net.name);
  }
  throw new Error('no new namespace got the inode of a gone member in 5 tries: something else took each');
}

/** The network's published ports, as `nft` lists its IPv4 map. */
function publishedMap(net: Network): string {
  return run('nft', ['list', 'map', 'ip', 'netns-native', `pub-any-${net.id.slice(0, 12)}`]);
}

/** Rewrites a network's state file as a version before cookies were recorded wrote it. */
function withoutCookies(name: string): void {
  const file = `/run/netns-native/networks/${name}.json`;
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { endpoints: Array<{ namespace: { cookie?: string } }> };
  for (const ep of state.endpoints) delete ep.namespace.cookie;
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

describeKernel('Network', () => {
  beforeEach(useTestPools);

  it('create() makes an up bridge with the gateway address in the host namespace, and a state file', async () => {
    const name = netName();
    const net = await Network.create(name, { mtu: 1400 });
    expect(net.name).toBe(name);
    expect(net.id).toMatch(/^[0-9a-f]{64}$/);
    expect(net.bridgeName).toBe(`br-${net.id.slice(0, 12)}`);
    expect(net.subnet).toMatch(/^198\.1[89]\.\d+\.0\/24$/);
    expect(net.gateway).toBe(net.subnet.replace('.0/24', '.1'));
    expect(net.internal).toBe(false);
    expect(net.dns).toBe(true);
    const br = link(undefined, net.bridgeName) as ReturnType<typeof link> & { ifalias?: string };
    expect(br?.linkinfo?.info_kind).toBe('bridge');
    expect(br?.flags).toContain('UP');
    expect(br?.mtu).toBe(1400);
    expect(br?.ifalias).toBe(`netns-native network ${net.id} ${name}`);
    expect(inet(undefined, net.bridgeName)).toEqual([`${net.gateway}/24`]);
    expect(stateFile(name)).toMatchObject({ id: net.id, subnet: net.subnet, endpoints: [] });
  });

  it('create() takes the first pool subnet that no other network and no host route uses', async () => {
    Network.addressPools = [{ base: '198.19.252.0/22', size: 24 }];
    const taken = (await Network.list()).map((n) => n.subnet);
    // A route of the host over the first free one makes it skipped too.
    const first = ['198.19.252.0/24', '198.19.253.0/24', '198.19.254.0/24', '198.19.255.0/24'].filter(
      (s) => !taken.includes(s),
    );
    const pair = `nnr${uniqueName('').slice(0, 8)}`;
    ip(undefined, 'link', 'add', pair, 'type', 'veth', 'peer', 'name', `${pair}p`);
    ip(undefined, 'link', 'set', pair, 'up');
    ip(undefined, 'route', 'add', first[0] as string, 'dev', pair);
    try {
      const a = await Network.create(netName());
      expect(a.subnet).toBe(first[1]);
      const b = await Network.create(netName());
      expect(b.subnet).toBe(first[2]);
    } finally {
      ip(undefined, 'link', 'del', pair);
    }
  });

  it('create() with a given subnet, gateway and bridge name; internal and dns options', async () => {
    const net = await Network.create(netName(), {
      subnet: '198.19.200.0/24',
      gateway: '198.19.200.254',
      bridgeName: uniqueName('nbr'),
      internal: true,
      dns: false,
    });
    expect(net.toJSON()).toMatchObject({
      subnet: '198.19.200.0/24',
      gateway: '198.19.200.254',
      internal: true,
      dns: false,
    });
    expect(inet(undefined, net.bridgeName)).toEqual(['198.19.200.254/24']);
  });

  it('create() refuses a taken name, an overlapping subnet, a bridge name in use, and a full pool; nothing is made', async () => {
    const name = netName();
    const net = await Network.create(name, { subnet: '198.19.201.0/24' });
    const before = linkNames(undefined);
    await expect(Network.create(name)).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringContaining('already exists'),
    });
    await expect(Network.create(netName(), { subnet: '198.19.201.128/25' })).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringContaining(`overlaps network "${name}"`),
    });
    await expect(
      Network.create(netName(), { subnet: '198.19.202.0/24', bridgeName: net.bridgeName }),
    ).rejects.toMatchObject({
      code: 'EEXIST',
    });
    await expect(Network.create(netName(), { subnet: '198.19.202.0/24', bridgeName: 'lo' })).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringContaining('a link named "lo" already exists'),
    });
    Network.addressPools = [{ base: '198.19.201.0/24', size: 24 }];
    await expect(Network.create(netName())).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(linkNames(undefined)).toBe(before);
    expect((await Network.list()).map((n) => n.name)).toContain(name);
  });

  it('open() and list() see a network from its state; remove() deletes the bridge and the state', async () => {
    const name = netName();
    const net = await Network.create(name);
    const opened = await Network.open(name);
    expect(opened.toJSON()).toEqual(net.toJSON());
    expect((await Network.list()).find((n) => n.name === name)?.id).toBe(net.id);
    await net.remove();
    expect(link(undefined, net.bridgeName)).toBeUndefined();
    expect(stateFile(name)).toBeUndefined();
    await expect(Network.open(name)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(net.remove()).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(net.connect(await freshNamespace())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a Network object of a removed network never acts on a new network of the same name', async () => {
    const name = netName();
    const old = await Network.create(name, { ipv6Subnet: 'fd00:5:1::/64' });
    await old.remove();
    const fresh = await Network.create(name);
    const member = await freshNamespace();
    const gone = { code: 'ENOENT', message: expect.stringContaining('now is another one') };
    await expect(old.connect(member)).rejects.toMatchObject(gone);
    await expect(old.endpoints()).rejects.toMatchObject(gone);
    await expect(old.ports()).rejects.toMatchObject(gone);
    await expect(old.disconnect(member)).rejects.toMatchObject(gone);
    await expect(old.remove({ force: true })).rejects.toMatchObject(gone);
    // The new one is untouched, and works.
    expect(stateFile(name)).toMatchObject({ id: fresh.id, endpoints: [] });
    expect(link(undefined, fresh.bridgeName)?.flags).toContain('UP');
    const ep = await fresh.connect(member);
    expect(ep.address.startsWith(fresh.subnet.replace(/0\/24$/, ''))).toBe(true);
    expect(ep.ipv6Address).toBeUndefined();
    await fresh.remove({ force: true });
  });

  it('connect() makes one veth: the peer born in the member as eth0 with the lowest free address, up, lo up, default route via the gateway', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.203.0/24' });
    const c1 = await freshNamespace();
    const ep = await net.connect(c1, { aliases: ['web'] });
    expect(ep).toMatchObject({
      network: net.name,
      namespace: c1,
      name: c1.name,
      aliases: ['web'],
      interfaceName: 'eth0',
      address: '198.19.203.2/24',
      gateway: '198.19.203.1',
      mac: '02:42:c6:13:cb:02',
    });
    expect(ep.hostInterfaceName).toMatch(/^veth[0-9a-f]{7}$/);
    const host = link(undefined, ep.hostInterfaceName);
    expect(host?.master).toBe(net.bridgeName);
    expect(host?.flags).toContain('UP');
    const eth0 = link(c1.name, 'eth0');
    expect(eth0?.linkinfo?.info_kind).toBe('veth');
    expect(eth0?.address).toBe('02:42:c6:13:cb:02');
    expect(eth0?.flags).toContain('UP');
    expect(link(c1.name, 'lo')?.flags).toContain('UP');
    expect(inet(c1.name, 'eth0')).toEqual(['198.19.203.2/24']);
    expect(routes(c1.name).find((r) => r.dst === 'default')).toMatchObject({ gateway: '198.19.203.1', dev: 'eth0' });
    expect(await reaches(c1, '198.19.203.1')).toBe(true);
    expectConsistent(net.name);
  });

  it('gives the lowest free address, never the gateway, and reuses freed ones; members reach each other', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.204.0/24', gateway: '198.19.204.3' });
    const [a, b, c] = [await freshNamespace(), await freshNamespace(), await freshNamespace()];
    expect((await net.connect(a)).address).toBe('198.19.204.1/24');
    expect((await net.connect(b)).address).toBe('198.19.204.2/24');
    expect((await net.connect(c)).address).toBe('198.19.204.4/24');
    await net.disconnect(b);
    const d = await freshNamespace();
    expect((await net.connect(d)).address).toBe('198.19.204.2/24');
    expect(await reaches(a, '198.19.204.4')).toBe(true);
    expect((await net.endpoints()).map((e) => [e.namespace.name, e.address])).toEqual([
      [a.name, '198.19.204.1/24'],
      [d.name, '198.19.204.2/24'],
      [c.name, '198.19.204.4/24'],
    ]);
    expectConsistent(net.name);
  });

  it('a static address, a chosen interface name and MAC; ENOSPC once the subnet is full', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.205.0/29' });
    const a = await freshNamespace();
    const ep = await net.connect(a, { address: '198.19.205.6', interfaceName: 'net0', mac: '02:00:00:aa:bb:cc' });
    expect(ep).toMatchObject({
      address: '198.19.205.6/24'.replace('/24', '/29'),
      interfaceName: 'net0',
      mac: '02:00:00:aa:bb:cc',
    });
    expect(link(a.name, 'net0')?.address).toBe('02:00:00:aa:bb:cc');
    for (const want of ['198.19.205.2', '198.19.205.3', '198.19.205.4', '198.19.205.5']) {
      expect((await net.connect(await freshNamespace())).address).toBe(`${want}/29`);
    }
    const full = await freshNamespace();
    const before = linkNames(full.name);
    await expect(net.connect(full)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(linkNames(full.name)).toBe(before);
    expectConsistent(net.name);
  });

  it('connect() refuses a second connect, a taken interface name, a taken or gateway address; nothing changes', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.206.0/24' });
    const a = await freshNamespace();
    await net.connect(a, { address: '198.19.206.9' });
    const b = await freshNamespace();
    ip(b.name, 'link', 'add', 'eth7', 'type', 'veth', 'peer', 'name', 'eth8');
    const state = JSON.stringify(stateFile(net.name));
    const hostLinks = linkNames(undefined);
    const inB = linkNames(b.name);
    await expect(net.connect(a)).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringContaining('already connected'),
    });
    await expect(net.connect(b, { interfaceName: 'eth7' })).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(net.connect(b, { address: '198.19.206.9' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(net.connect(b, { address: '198.19.206.1' })).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: expect.stringContaining('gateway'),
    });
    await expect(net.connect(b, { address: '198.19.207.5' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(net.connect(b, { address: '198.19.206.255' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(net.connect(b, { address: '198.19.206.0' })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(JSON.stringify(stateFile(net.name))).toBe(state);
    expect(linkNames(undefined)).toBe(hostLinks);
    expect(linkNames(b.name)).toBe(inB);
  });

  it('a failure inside the kernel part-way undoes everything: no veth, no allocation, no state change', async () => {
    // The member refuses IPv6 on new interfaces, so the IPv6 address fails after the veth is
    // made and the IPv4 address is on it.
    const net = await Network.create(netName(), { subnet: '198.19.208.0/24', ipv6Subnet: 'fd00:198:19:208::/64' });
    const a = await freshNamespace();
    const sysctl = '/proc/sys/net/ipv6/conf/default/disable_ipv6';
    expect((await a.exec('sh', ['-c', `echo 1 > ${sysctl}`])).exitCode).toBe(0);
    const state = JSON.stringify(stateFile(net.name));
    const hostLinks = linkNames(undefined);
    const inA = ip(a.name, '-br', 'addr');
    await expect(net.connect(a)).rejects.toBeInstanceOf(NetnsError);
    expect(JSON.stringify(stateFile(net.name))).toBe(state);
    expect(linkNames(undefined)).toBe(hostLinks);
    expect(ip(a.name, '-br', 'addr')).toBe(inA);
    expect((await a.exec('sh', ['-c', `echo 0 > ${sysctl}`])).exitCode).toBe(0);
    expect((await net.connect(a)).address).toBe('198.19.208.2/24');
    expectConsistent(net.name);
  });

  it('disconnect() removes the veth, the address and the route; a second call is ENOENT', async () => {
    const net = await Network.create(netName());
    const a = await freshNamespace();
    const ep = await net.connect(a);
    await net.disconnect(a);
    expect(link(undefined, ep.hostInterfaceName)).toBeUndefined();
    expect(link(a.name, 'eth0')).toBeUndefined();
    expect(routes(a.name).find((r) => r.dst === 'default')).toBeUndefined();
    expect(stateFile(net.name)?.endpoints).toEqual([]);
    await expect(net.disconnect(a)).rejects.toMatchObject({ code: 'ENOENT' });
    expectConsistent(net.name);
  });

  it('remove() is EBUSY while members remain; force disconnects them', async () => {
    const net = await Network.create(netName());
    const a = await freshNamespace();
    const ep = await net.connect(a);
    await expect(net.remove()).rejects.toMatchObject({ code: 'EBUSY' });
    expect(link(undefined, net.bridgeName)).toBeDefined();
    await net.remove({ force: true });
    expect(link(undefined, net.bridgeName)).toBeUndefined();
    expect(link(undefined, ep.hostInterfaceName)).toBeUndefined();
    expect(link(a.name, 'eth0')).toBeUndefined();
    expect(stateFile(net.name)).toBeUndefined();
  });

  it('internal: no default route; a member on two networks keeps its first default route, which moves when that network leaves', async () => {
    const inner = await Network.create(netName(), { internal: true });
    const first = await Network.create(netName());
    const second = await Network.create(netName());
    const a = await freshNamespace();
    await inner.connect(a);
    expect(routes(a.name).find((r) => r.dst === 'default')).toBeUndefined();
    const e1 = await first.connect(a);
    expect(e1.interfaceName).toBe('eth1');
    const e2 = await second.connect(a);
    expect(e2.interfaceName).toBe('eth2');
    expect(routes(a.name).filter((r) => r.dst === 'default')).toEqual([
      expect.objectContaining({ gateway: first.gateway, dev: 'eth1' }),
    ]);
    await first.disconnect(a);
    expect(routes(a.name).filter((r) => r.dst === 'default')).toEqual([
      expect.objectContaining({ gateway: second.gateway, dev: 'eth2' }),
    ]);
    await second.disconnect(a);
    expect(routes(a.name).find((r) => r.dst === 'default')).toBeUndefined();
    // The next free ethN is eth1 again.
    expect((await first.connect(a)).interfaceName).toBe('eth1');
  });

  it('the default routes of both families move when the network that gave them is removed by force', async () => {
    const first = await Network.create(netName(), { ipv6Subnet: 'fd00:198:18:a1::/64' });
    const second = await Network.create(netName(), { ipv6Subnet: 'fd00:198:18:a2::/64' });
    const a = await freshNamespace();
    await first.connect(a);
    await second.connect(a);
    const defaults = async () =>
      (await a.routes()).filter((r) => r.destination === 'default').map((r) => [r.family, r.gateway, r.link]);
    expect(await defaults()).toEqual([
      [4, first.gateway, 'eth0'],
      [6, first.ipv6Gateway, 'eth0'],
    ]);
    await first.remove({ force: true });
    expect(await defaults()).toEqual([
      [4, second.gateway, 'eth1'],
      [6, second.ipv6Gateway, 'eth1'],
    ]);
  });

  it('a member namespace deleted without disconnect is dropped: no endpoint, its address free again', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.209.0/24' });
    const a = await freshNamespace();
    const b = await freshNamespace();
    await net.connect(a);
    const eb = await net.connect(b);
    await b.delete();
    expect((await net.endpoints()).map((e) => e.namespace.name)).toEqual([a.name]);
    expect(link(undefined, eb.hostInterfaceName)).toBeUndefined();
    expect((await net.connect(await freshNamespace())).address).toBe('198.19.209.3/24');
    expectConsistent(net.name);
  });

  it('an anonymous member needs a name on a dns network; it is dropped once its namespace is gone', async () => {
    const net = await Network.create(netName());
    const anon = await Namespace.create();
    await expect(net.connect(anon)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining('options.name'),
    });
    const ep = await net.connect(anon, { name: 'ghost' });
    expect(ep.name).toBe('ghost');
    expect((await net.endpoints()).map((e) => e.name)).toEqual(['ghost']);
    await anon.delete();
    // The kernel tears the namespace (and the veth with it) down on its own schedule; each
    // endpoints() reconciles. (It lists only members this process can reach: the state says
    // whether the member was dropped.)
    await waitFor('the member to be dropped', async () => {
      await net.endpoints();
      return stateFile(net.name)?.endpoints.length === 0;
    });
    expect(await net.endpoints()).toEqual([]);
    expectConsistent(net.name);
  });

  it('a namespace given the inode of an anonymous member gone without a disconnect connects, and gets its address', async () => {
    const net = await Network.create(netName());
    let cookie: string | undefined;
    const { gone, heir } = await goneAndHeir(net, async () => {
      cookie = stateFile(net.name)?.endpoints[0]?.namespace.cookie;
    });
    expect(cookie).toMatch(/^\d+$/);
    expect((await net.connect(heir)).address).toBe(gone.address);
    const [record] = stateFile(net.name)?.endpoints ?? [];
    expect(record?.namespace).toMatchObject({ name: heir.name, inode: String(heir.inode) });
    expect(record?.namespace.cookie).toMatch(/^\d+$/);
    expect(record?.namespace.cookie).not.toBe(cookie);
    expectConsistent(net.name);
  });

  it('publish() and disconnect() with a namespace given the inode of a member gone without a disconnect act as for a non-member; a reconcile drops the gone one', async () => {
    const net = await Network.create(netName());
    const { gone: ghost, heir } = await goneAndHeir(net, async (anon) => {
      await net.publish(anon, { hostPort: 8181, containerPort: 80 });
    });
    const ghostPort = `tcp . 8181 : ${ghost.address.split('/')[0]} . 80`;
    const before = stateFile(net.name);
    expect(before?.endpoints.map((e) => e.hostInterfaceName)).toEqual([ghost.hostInterfaceName]);
    await expect(net.publish(heir, { hostPort: 8182, containerPort: 80 })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining('is not a member of the network') as unknown,
    });
    await expect(net.disconnect(heir)).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringContaining('is not connected to it') as unknown,
    });
    // Nothing done for the heir, nor to the gone member's record and port.
    expect(stateFile(net.name)).toEqual(before);
    expect(publishedMap(net)).toContain(ghostPort);
    expect(publishedMap(net)).not.toContain('8182');
    expect(linkNames(heir.name).trim()).toBe('lo');
    // The gone member goes at the next full reconcile, its port with it.
    expect(await net.ports()).toEqual([]);
    expect(stateFile(net.name)?.endpoints).toEqual([]);
    expect(publishedMap(net)).not.toContain('8181');
    expectConsistent(net.name);
  });

  it("a state written before cookies were recorded still tells its members from a namespace given a gone one's inode (by their veths)", async () => {
    const net = await Network.create(netName());
    const live = await freshNamespace();
    const epLive = await net.connect(live);
    const { gone: ghost, heir } = await goneAndHeir(net, async (anon) => {
      await net.publish(anon, { hostPort: 8183, containerPort: 80 });
      withoutCookies(net.name);
    });
    const before = stateFile(net.name);
    expect(before?.endpoints.every((e) => e.namespace.cookie === undefined)).toBe(true);
    await expect(net.publish(heir, { hostPort: 8184, containerPort: 80 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(net.disconnect(heir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(stateFile(net.name)).toEqual(before);
    expect(publishedMap(net)).toContain(`tcp . 8183 : ${ghost.address.split('/')[0]} . 80`);
    expect(publishedMap(net)).not.toContain('8184');
    // A member alive is itself still: its port published to it, and disconnected.
    await net.publish(live, { hostPort: 8185, containerPort: 80 });
    expect(publishedMap(net)).toContain(`tcp . 8185 : ${epLive.address.split('/')[0]} . 80`);
    await net.disconnect(live);
    expect(link(undefined, epLive.hostInterfaceName)).toBeUndefined();
    expect(publishedMap(net)).not.toContain('8185');
    expect(stateFile(net.name)?.endpoints.map((e) => e.hostInterfaceName)).toEqual([ghost.hostInterfaceName]);
  });

  it('open() makes a missing bridge again and reattaches the members', async () => {
    const net = await Network.create(netName());
    const a = await freshNamespace();
    const ep = await net.connect(a);
    ip(undefined, 'link', 'del', net.bridgeName);
    await Network.open(net.name);
    expect(link(undefined, net.bridgeName)?.flags).toContain('UP');
    expect(link(undefined, ep.hostInterfaceName)?.master).toBe(net.bridgeName);
    expect(await reaches(a, net.gateway)).toBe(true);
    expectConsistent(net.name);
  });

  it('list() reconciles each network as open() and endpoints() do: a bridge deleted by hand is made again, a gone member dropped', async () => {
    const net = await Network.create(netName());
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const ea = await net.connect(a);
    const eb = await net.connect(b);
    ip(undefined, 'link', 'del', net.bridgeName);
    await b.delete();
    expect((await Network.list()).find((n) => n.name === net.name)?.id).toBe(net.id);
    expect(link(undefined, net.bridgeName)?.flags).toContain('UP');
    expect(link(undefined, ea.hostInterfaceName)?.master).toBe(net.bridgeName);
    expect(link(undefined, eb.hostInterfaceName)).toBeUndefined();
    expect(stateFile(net.name)?.endpoints.map((e) => e.namespace.name)).toEqual([a.name]);
    expect(await reaches(a, net.gateway)).toBe(true);
    expectConsistent(net.name);
  });

  it('list(), open(), endpoints() and ports() of a network in line with the kernel rewrite no hosts file; one that differs is put back', async () => {
    const net = await Network.create(netName());
    const a = await freshNamespace();
    await net.connect(a);
    await net.connect(await freshNamespace());
    const hosts = `/etc/netns/${a.name}/hosts`;
    const written = fs.readFileSync(hosts, 'utf8');
    // Any write from now on gives the file the time of that write.
    fs.utimesSync(hosts, 1000, 1000);
    expect((await Network.list()).map((n) => n.name)).toContain(net.name);
    await Network.open(net.name);
    await net.endpoints();
    await net.ports();
    expect(fs.statSync(hosts).mtimeMs).toBe(1000 * 1000);
    fs.writeFileSync(hosts, '# edited by hand\n');
    await Network.open(net.name);
    expect(fs.readFileSync(hosts, 'utf8')).toBe(written);
  });

  it('list() of networks in line with the kernel needs no privileges; one out of line needs them to be reconciled (EPERM)', async () => {
    const net = await Network.create(netName());
    await net.connect(await freshNamespace());
    // As uid 65534 with no capabilities, seeing only this network's state (those of tests
    // running alongside may be in the middle of a change).
    const script = `
      const { Network } = require(process.env.NNT_LIB);
      Network.list().then(
        (list) => process.stdout.write(JSON.stringify(list.map((n) => n.name))),
        (e) => process.stdout.write(JSON.stringify({ code: e.code, message: e.message })),
      );`;
    const dir = '/run/netns-native/networks';
    const asNobody = async (): Promise<unknown> => {
      const child = spawn(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-ec',
          `state=$(cat "${dir}/$0.json"); mount -t tmpfs nnt-networks ${dir}; printf '%s\\n' "$state" >"${dir}/$0.json"; exec setpriv --reuid=65534 --regid=65534 --clear-groups "$1" -e "$2"`,
          net.name,
          process.execPath,
          script,
        ],
        { env: { ...process.env, NNT_LIB: libraryEntry() }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const { code, stdout, stderr } = await finished(child);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      return JSON.parse(stdout);
    };
    expect(await asNobody()).toEqual([net.name]);
    ip(undefined, 'link', 'del', net.bridgeName);
    expect(await asNobody()).toMatchObject({ code: 'EPERM' });
    expect(link(undefined, net.bridgeName)).toBeUndefined();
  });

  it('list() leaves out a network that open() refuses for a fault of its own, and open() says why', async () => {
    const broken = await Network.create(netName());
    const fine = await Network.create(netName());
    const unreadable = netName();
    const file = `/run/netns-native/networks/${unreadable}.json`;
    // Someone else's link has taken the name of the bridge, deleted by hand.
    ip(undefined, 'link', 'del', broken.bridgeName);
    ip(undefined, 'link', 'add', broken.bridgeName, 'type', 'bridge');
    fs.writeFileSync(file, '{');
    try {
      const names = (await Network.list()).map((n) => n.name);
      expect(names).toContain(fine.name);
      expect(names).not.toContain(broken.name);
      expect(names).not.toContain(unreadable);
      await expect(Network.open(broken.name)).rejects.toMatchObject({
        code: 'EEXIST',
        message: expect.stringContaining("is not this network's bridge"),
      });
      await expect(Network.open(unreadable)).rejects.toMatchObject({ code: 'EIO' });
      const theirs = ipJson<Array<{ ifalias?: string }>>(undefined, 'link', 'show', 'dev', broken.bridgeName);
      expect(theirs[0]?.ifalias).toBeUndefined(); // untouched: not marked as ours
    } finally {
      ip(undefined, 'link', 'del', broken.bridgeName);
      fs.rmSync(file, { force: true });
    }
    expect((await Network.list()).map((n) => n.name)).toContain(broken.name); // its bridge made again
    expect(link(undefined, broken.bridgeName)?.flags).toContain('UP');
    expectConsistent(broken.name);
  });

  it('connect() after the bridge was made again elsewhere: the index this process knew is not used blindly', async () => {
    // This process remembers the bridge's index from its last connect. Another process (here:
    // `ip`) makes the bridge again, at a new index: once with the old index free, once with it
    // taken by a bridge of someone else's. The member lands on the network's bridge both times.
    const net = await Network.create(netName());
    const [a, b, c] = [await freshNamespace(), await freshNamespace(), await freshNamespace()];
    const epA = await net.connect(a);
    const remake = (): number => {
      ip(undefined, 'link', 'del', net.bridgeName);
      ip(undefined, 'link', 'add', net.bridgeName, 'type', 'bridge');
      ip(undefined, 'link', 'set', net.bridgeName, 'alias', `netns-native network ${net.id} ${net.name}`, 'up');
      ip(undefined, 'addr', 'add', `${net.gateway}/24`, 'dev', net.bridgeName);
      ip(undefined, 'link', 'set', epA.hostInterfaceName, 'master', net.bridgeName);
      return link(undefined, net.bridgeName)?.ifindex as number;
    };
    const first = link(undefined, net.bridgeName)?.ifindex as number;
    expect(remake()).not.toBe(first);
    const epB = await net.connect(b);
    expect(link(undefined, epB.hostInterfaceName)?.master).toBe(net.bridgeName);
    expect(await reaches(b, net.gateway)).toBe(true);

    const second = link(undefined, net.bridgeName)?.ifindex as number;
    ip(undefined, 'link', 'del', net.bridgeName);
    const decoy = uniqueName('nbd');
    ip(undefined, 'link', 'add', decoy, 'index', String(second), 'type', 'bridge');
    try {
      ip(undefined, 'link', 'add', net.bridgeName, 'type', 'bridge');
      ip(undefined, 'link', 'set', net.bridgeName, 'alias', `netns-native network ${net.id} ${net.name}`, 'up');
      ip(undefined, 'addr', 'add', `${net.gateway}/24`, 'dev', net.bridgeName);
      for (const ep of [epA, epB]) ip(undefined, 'link', 'set', ep.hostInterfaceName, 'master', net.bridgeName);
      const epC = await net.connect(c);
      expect(link(undefined, epC.hostInterfaceName)?.master).toBe(net.bridgeName);
      expect(ipJson<unknown[]>(undefined, 'link', 'show', 'master', decoy)).toEqual([]);
      expect(await reaches(c, net.gateway)).toBe(true);
      expectConsistent(net.name);
    } finally {
      ip(undefined, 'link', 'del', decoy);
    }
  });

  it('an IPv6 subnet too: addresses and default routes of both families', async () => {
    const net = await Network.create(netName(), { ipv6Subnet: 'fd00:198:18::/64' });
    expect(net.ipv6Gateway).toBe('fd00:198:18::1');
    const a = await freshNamespace();
    const ep = await net.connect(a);
    expect(ep.ipv6Address).toBe('fd00:198:18::2/64');
    expect(
      addrs(a.name, 'eth0')
        .filter((x) => x.family === 'inet6' && x.scope === 'global')
        .map((x) => x.local),
    ).toEqual(['fd00:198:18::2']);
    expect(routes(a.name).find((r) => r.dst === 'default')).toBeDefined();
    const r6 = await a.routes({ family: 6 });
    expect(r6.find((r) => r.destination === 'default')).toMatchObject({ gateway: 'fd00:198:18::1' });
    expect(await reaches(a, 'fd00:198:18::1')).toBe(true);
  });

  it('host() is the namespace this process runs in; none() a new namespace with lo up and nothing else', async () => {
    expect(Network.host()).toBe(Namespace.current());
    const name = uniqueName();
    const ns = cleanupLater(await Network.none(name));
    expect(ns.name).toBe(name);
    const links = await ns.links();
    expect(links.map((l) => [l.name, l.isUp])).toEqual([['lo', true]]);
    expect(routes(name)).toEqual([]);
    const anon = cleanupLater(await Network.none());
    expect(anon.name).toBeUndefined();
    expect((await anon.link('lo')).isUp).toBe(true);
  });
});
