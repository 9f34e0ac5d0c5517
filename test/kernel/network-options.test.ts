/**
 * Docker's bridge-network options beyond the subnet: `--ip-range`, `--aux-address`,
 * `enable_icc`, `enable_ip_masquerade`, `host_binding_ipv4`. Each persisted in the state file
 * (another process sees it), checked with `ip` and real traffic; `nft -j` witnesses the rules.
 * Subnets 198.19.160.0/24 ... 198.19.169.0/24 and 198.19.171.0/24, 198.19.120.0/24 ... 198.19.124.0/24
 * and fd00:4e:120::/64 ... fd00:4e:123::/64 (198.51.100.123 beyond a router); an "outside" namespace linked to this one (the host
 * here) by a veth, 198.19.170.1 on the host side and 198.19.170.2 outside.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Namespace, Network, NetnsError, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ipJson, operational, run, type IpAddr, type IpRoute } from '../helpers/ip';
import { netName, reaches, runChild, stateFile, useTestPools } from '../helpers/network';
import { describeKernel } from '../helpers/skip';
import { ask, whoAmIServer } from '../helpers/tcp';

/** The member's addresses on its interface, by `ip`. */
function addressesIn(ns: string, ifname = 'eth0'): string[] {
  return ipJson<IpAddr[]>(ns, 'addr', 'show', 'dev', ifname).flatMap((l) =>
    l.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
  );
}

/** The marked veths of a network on the host, by `ip`. */
function vethCount(): number {
  return ipJson<Array<{ ifname: string }>>(undefined, 'link', 'show', 'type', 'veth').length;
}

async function rejection(p: Promise<unknown>): Promise<NetnsError> {
  try {
    await p;
  } catch (e) {
    return e as NetnsError;
  }
  throw new Error('expected a rejection');
}

describeKernel('network options: --ip-range', () => {
  beforeEach(useTestPools);

  it('gives dynamic addresses from the range only, static ones from anywhere in the subnet; ENOSPC when the range is full', async () => {
    const name = netName();
    const net = await Network.create(name, { subnet: '198.19.160.0/24', ipRange: '198.19.160.128/30' });
    expect(net.ipRange).toBe('198.19.160.128/30');
    // As Docker's IPAM: no gateway given, the gateway is the range's first address.
    expect(net.gateway).toBe('198.19.160.128');
    expect(stateFile(name)).toMatchObject({ ipRange: '198.19.160.128/30' });
    const a = await freshNamespace();
    const b = await freshNamespace();
    const c = await freshNamespace();
    expect((await net.connect(a)).address).toBe('198.19.160.129/24');
    expect((await net.connect(b)).address).toBe('198.19.160.130/24');
    expect(addressesIn(a.name as string)).toEqual(['198.19.160.129/24']);
    // A static address outside the range, as Docker allows.
    expect((await net.connect(c, { address: '198.19.160.10' })).address).toBe('198.19.160.10/24');
    expect(addressesIn(c.name as string)).toEqual(['198.19.160.10/24']);
    const d = await freshNamespace();
    expect((await net.connect(d)).address).toBe('198.19.160.131/24');
    // The range is full (.128 is the gateway): nothing is made.
    const e = await freshNamespace();
    const veths = vethCount();
    const full = await rejection(net.connect(e));
    expect(full).toBeInstanceOf(NetnsError);
    expect(full.code).toBe('ENOSPC');
    expect(full.message).toContain("198.19.160.128/30 (the network's IP range)");
    expect(vethCount()).toBe(veths);
    expect(ipJson<unknown[]>(e.name, 'link', 'show').length).toBe(1); // lo only
    // Another process sees the range: after a disconnect it gives the freed address, not one outside.
    await net.disconnect(b);
    const shown = await runChild(['show', name]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ ipRange: '198.19.160.128/30', gateway: '198.19.160.128' });
    const other = await runChild(['connect-print', name, e.name as string]);
    expect([other.code, other.stderr]).toEqual([0, '']);
    expect(other.stdout.trim()).toBe('198.19.160.130/24');
    expect((await Network.open(name)).ipRange).toBe('198.19.160.128/30');
  });

  it('takes an explicit gateway anywhere in the subnet, and a range that is the whole subnet', async () => {
    const net = await Network.create(netName(), {
      subnet: '198.19.161.0/24',
      ipRange: '198.19.161.64/26',
      gateway: '198.19.161.1',
    });
    expect(net.gateway).toBe('198.19.161.1');
    const a = await freshNamespace();
    // The range's first address is a host address of the subnet: given, as Docker gives it.
    expect((await net.connect(a)).address).toBe('198.19.161.64/24');
    const whole = await Network.create(netName(), { subnet: '198.19.162.0/24', ipRange: '198.19.162.0/24' });
    expect(whole.gateway).toBe('198.19.162.1');
    const b = await freshNamespace();
    expect((await whole.connect(b)).address).toBe('198.19.162.2/24');
  });
});

/** The member's IPv6 global addresses on its interface, by `ip`. */
function addresses6In(ns: string | undefined, ifname = 'eth0'): string[] {
  return ipJson<IpAddr[]>(ns, 'addr', 'show', 'dev', ifname).flatMap((l) =>
    l.addr_info.filter((a) => a.family === 'inet6' && a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`),
  );
}

describeKernel('network options: --ip-range for the IPv6 subnet', () => {
  beforeEach(useTestPools);

  it('gives dynamic IPv6 addresses from ipv6IpRange only, static ones from anywhere in ipv6Subnet; ENOSPC when it is full', async () => {
    const name = netName();
    const net = await Network.create(name, {
      subnet: '198.19.120.0/24',
      ipv6Subnet: 'fd00:4e:120::/64',
      ipv6IpRange: 'fd00:4e:120::100/126',
    });
    expect(net.ipv6IpRange).toBe('fd00:4e:120::100/126');
    expect(net.ipRange).toBeUndefined();
    // As Docker's IPAM: no IPv6 gateway given, it is the range's first address, on the bridge.
    expect(net.ipv6Gateway).toBe('fd00:4e:120::100');
    expect(addresses6In(undefined, net.bridgeName)).toEqual(['fd00:4e:120::100/64']);
    expect(stateFile(name)).toMatchObject({ ipv6IpRange: 'fd00:4e:120::100/126' });
    const [a, b, c, d] = [
      await freshNamespace(),
      await freshNamespace(),
      await freshNamespace(),
      await freshNamespace(),
    ];
    const epA = await net.connect(a);
    expect([epA.address, epA.ipv6Address]).toEqual(['198.19.120.2/24', 'fd00:4e:120::101/64']);
    expect(addresses6In(a.name as string)).toEqual(['fd00:4e:120::101/64']);
    // A static IPv6 address outside the range, as Docker allows.
    expect((await net.connect(b, { ipv6Address: 'fd00:4e:120::7' })).ipv6Address).toBe('fd00:4e:120::7/64');
    expect(addresses6In(b.name as string)).toEqual(['fd00:4e:120::7/64']);
    expect((await net.connect(c)).ipv6Address).toBe('fd00:4e:120::102/64');
    expect((await net.connect(d)).ipv6Address).toBe('fd00:4e:120::103/64');
    expect(await reaches(a, 'fd00:4e:120::103')).toBe(true);
    // The range is full (::100 is the gateway), though IPv4 addresses are left: nothing is made.
    const e = await freshNamespace();
    const veths = vethCount();
    const full = await rejection(net.connect(e));
    expect(full).toBeInstanceOf(NetnsError);
    expect([full.code, full.message]).toEqual([
      'ENOSPC',
      expect.stringContaining("fd00:4e:120::100/126 (the network's IPv6 IP range)"),
    ]);
    expect(vethCount()).toBe(veths);
    expect(ipJson<unknown[]>(e.name, 'link', 'show').length).toBe(1); // lo only
    // Another process sees the range: after a disconnect it gives the freed address.
    await net.disconnect(c);
    const shown = await runChild(['show', name]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ ipv6IpRange: 'fd00:4e:120::100/126' });
    expect((await Network.open(name)).ipv6IpRange).toBe('fd00:4e:120::100/126');
    expect((await net.connect(e)).ipv6Address).toBe('fd00:4e:120::102/64');
  });

  it('takes an explicit IPv6 gateway anywhere in ipv6Subnet, and both ranges at once', async () => {
    const net = await Network.create(netName(), {
      subnet: '198.19.121.0/24',
      ipRange: '198.19.121.128/25',
      ipv6Subnet: 'fd00:4e:121::/64',
      ipv6IpRange: 'fd00:4e:121:0:1::/80',
      ipv6Gateway: 'fd00:4e:121::1',
    });
    expect([net.gateway, net.ipv6Gateway]).toEqual(['198.19.121.128', 'fd00:4e:121::1']);
    const a = await freshNamespace();
    const ep = await net.connect(a);
    // The range's first address is a host address of the IPv6 subnet: given, as Docker gives it.
    expect([ep.address, ep.ipv6Address]).toEqual(['198.19.121.129/24', 'fd00:4e:121:0:1::/64']);
    expect(addresses6In(a.name as string)).toEqual(['fd00:4e:121:0:1::/64']);
    expect(await reaches(a, 'fd00:4e:121::1')).toBe(true);
  });
});

describeKernel('network options: --aux-address', () => {
  beforeEach(useTestPools);

  it('never gives a reserved address to a member, dynamic or static, in either family; another process sees them', async () => {
    const name = netName();
    const net = await Network.create(name, {
      subnet: '198.19.164.0/24',
      ipv6Subnet: 'fd00:198:19:164::/64',
      auxAddresses: { router: '198.19.164.2', printer: '198.19.164.4', router6: 'fd00:198:19:164:0::2' },
    });
    const reserved = { router: '198.19.164.2', printer: '198.19.164.4', router6: 'fd00:198:19:164::2' };
    expect(net.auxAddresses).toEqual(reserved);
    expect(stateFile(name)).toMatchObject({ auxAddresses: reserved });
    const a = await freshNamespace();
    const b = await freshNamespace();
    const epA = await net.connect(a);
    expect([epA.address, epA.ipv6Address]).toEqual(['198.19.164.3/24', 'fd00:198:19:164::3/64']);
    expect(addressesIn(a.name as string)).toEqual(['198.19.164.3/24']);
    expect((await net.connect(b)).address).toBe('198.19.164.5/24');
    const c = await freshNamespace();
    const veths = vethCount();
    for (const [options, text] of [
      [{ address: '198.19.164.4' }, 'reserved as the auxiliary address "printer"'],
      [{ ipv6Address: 'fd00:198:19:164::2' }, 'reserved as the auxiliary address "router6"'],
    ] as const) {
      const e = await rejection(net.connect(c, options));
      expect([e.code, e.message]).toEqual(['EADDRINUSE', expect.stringContaining(text)]);
    }
    expect(vethCount()).toBe(veths);
    const shown = await runChild(['show', name]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ auxAddresses: reserved });
    const other = await runChild(['connect-print', name, c.name as string]);
    expect(other.stdout.trim()).toBe('198.19.164.6/24');
  });

  it('DefaultGatewayIPv4 / DefaultGatewayIPv6 are the members’ default gateways instead of the bridge, as in Docker', async () => {
    const net = await Network.create(netName(), {
      subnet: '198.19.123.0/24',
      ipv6Subnet: 'fd00:4e:123::/64',
      auxAddresses: { DefaultGatewayIPv4: '198.19.123.254', DefaultGatewayIPv6: 'fd00:4e:123::fe' },
    });
    // The bridge keeps the network's gateway.
    expect([net.gateway, net.ipv6Gateway]).toEqual(['198.19.123.1', 'fd00:4e:123::1']);
    // A router on the bridge's link holding the reserved addresses, and beyond it 198.51.100.123.
    const host = Namespace.current();
    const router = await freshNamespace();
    const pair = await VethPair.create({ name: uniqueName('rt'), peerName: 'eth0', peerNamespace: router });
    await pair.local.setMaster(await host.link(net.bridgeName));
    await pair.local.up();
    await pair.peer.addAddress('198.19.123.254/24');
    await pair.peer.addAddress('fd00:4e:123::fe/64', { nodad: true });
    await pair.peer.up();
    const lo = await router.link('lo');
    await lo.up();
    await lo.addAddress('198.51.100.123/32');
    const member = await freshNamespace();
    const ep = await net.connect(member);
    expect([ep.gateway, ep.ipv6Gateway]).toEqual(['198.19.123.254', 'fd00:4e:123::fe']);
    const defaults = (ns: string | undefined, family: '-4' | '-6') =>
      ipJson<IpRoute[]>(ns, family, 'route', 'show', 'default').map((r) => `${r.gateway} ${r.dev}`);
    expect(defaults(member.name, '-4')).toEqual(['198.19.123.254 eth0']);
    expect(defaults(member.name, '-6')).toEqual(['fd00:4e:123::fe eth0']);
    // Traffic off the subnet goes to the router: only it has a way to 198.51.100.123.
    expect(await reaches(member, '198.51.100.123')).toBe(true);
    // A member whose default route came from another network gets this one's on leaving it.
    const other = await Network.create(netName(), { subnet: '198.19.124.0/24' });
    const both = await freshNamespace();
    await other.connect(both);
    await net.connect(both);
    expect(defaults(both.name, '-4')).toEqual(['198.19.124.1 eth0']);
    await other.disconnect(both);
    expect(defaults(both.name, '-4')).toEqual(['198.19.123.254 eth1']);
    expect(await reaches(both, '198.51.100.123')).toBe(true);
  });

  it('reserves them inside an IP range too, and takes them outside it', async () => {
    const net = await Network.create(netName(), {
      subnet: '198.19.165.0/24',
      ipRange: '198.19.165.16/30',
      auxAddresses: { a: '198.19.165.17', b: '198.19.165.200' },
    });
    expect(net.gateway).toBe('198.19.165.16');
    const a = await freshNamespace();
    expect((await net.connect(a)).address).toBe('198.19.165.18/24');
  });
});

interface NftRule {
  chain: string;
  comment?: string;
  expr: Array<Record<string, unknown>>;
}

/** The rules of our IPv4 table, by `nft -j` (none when the table is gone with the last network). */
function ourRules(): NftRule[] {
  const tables = run('nft', ['-j', 'list', 'tables', 'ip']);
  if (!tables.includes('"netns-native"')) return [];
  const out = run('nft', ['-j', 'list', 'table', 'ip', 'netns-native']);
  return (JSON.parse(out) as { nftables: Array<{ rule?: NftRule }> }).nftables.flatMap((o) => (o.rule ? [o.rule] : []));
}

/** Whether the network has its outbound masquerade: `ip saddr SUBNET oifname != BRIDGE masquerade`. */
function masquerades(net: Network): boolean {
  return ourRules().some(
    (r) =>
      r.chain === 'postrouting' &&
      r.comment === `nn net ${net.id.slice(0, 12)}` &&
      JSON.stringify(r.expr).includes(
        JSON.stringify({ match: { op: '!=', left: { meta: { key: 'oifname' } }, right: net.bridgeName } }),
      ) &&
      'masquerade' in (r.expr[r.expr.length - 1] as object),
  );
}

/** The network's rule that drops what goes from its bridge to its bridge, if there is one. */
function iccDrop(net: Network): NftRule | undefined {
  const name = (field: string, op: string) => ({
    match: { op, left: { meta: { key: field } }, right: net.bridgeName },
  });
  return ourRules().find(
    (r) =>
      r.chain === 'forward' &&
      r.comment === `nn net ${net.id.slice(0, 12)}` &&
      JSON.stringify(r.expr.slice(0, 2)) === JSON.stringify([name('iifname', '=='), name('oifname', '==')]) &&
      'drop' in (r.expr[r.expr.length - 1] as object),
  );
}

describeKernel('network options: enable_icc, enable_ip_masquerade, host_binding_ipv4', () => {
  const host = Namespace.current();
  let outside: Namespace;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    useTestPools();
    outside = await Namespace.create(uniqueName());
    const up = await VethPair.create({ name: uniqueName('out'), peerName: 'eth0', peerNamespace: outside });
    await up.local.addAddress('198.19.170.1/24');
    await up.peer.addAddress('198.19.170.2/24');
    await Promise.all([up.local.up(), up.peer.up(), outside.link('lo').then((lo) => lo.up())]);
    await operational(undefined, up.local.name);
    await operational(outside.name, 'eth0');
  });

  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  afterAll(async () => {
    await outside.delete();
  });

  /** Two members of `net`, each reaching the gateway; a who-am-I server on b's address, port 80. */
  async function twoMembers(net: Network) {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const epA = await net.connect(a);
    const epB = await net.connect(b);
    const addressA = epA.address.split('/')[0] as string;
    const addressB = epB.address.split('/')[0] as string;
    expect(await reaches(a, net.gateway)).toBe(true);
    expect(await reaches(b, net.gateway)).toBe(true);
    const server = await whoAmIServer(b, addressB, 80);
    closers.push(() => server.close());
    return { a, b, addressA, addressB };
  }

  it('icc: false keeps members apart on their bridge; each still reaches the gateway, the outside and published ports', async () => {
    const name = netName();
    const net = await Network.create(name, { subnet: '198.19.166.0/24', icc: false });
    expect(net.icc).toBe(false);
    expect(stateFile(name)).toMatchObject({ icc: false });
    const { a, b, addressA, addressB } = await twoMembers(net);
    expect(await ask(a, addressB, 80, 800)).toBe('ETIMEDOUT');
    expect(iccDrop(net)).toBeDefined();
    // The bridge hands its traffic to netfilter itself (br_netfilter), whatever the namespace's
    // net.bridge.bridge-nf-call-iptables says. (That switch is not turned off here to show it:
    // other test files running at once in this namespace depend on it.)
    const details = ipJson<Array<{ linkinfo: { info_data: { nf_call_iptables: number } } }>>(
      undefined,
      '-details',
      'link',
      'show',
      net.bridgeName,
    );
    expect(details[0]?.linkinfo.info_data.nf_call_iptables).toBe(1);
    // The gateway, the outside (masqueraded), and a published port: from outside, and from the
    // other member through a host address (as through Docker's userland proxy).
    const atGateway = await whoAmIServer(host, net.gateway, 7166);
    const out = await whoAmIServer(outside, '198.19.170.2', 7166);
    closers.push(
      () => atGateway.close(),
      () => out.close(),
    );
    expect(await ask(a, net.gateway, 7166)).toBe(addressA);
    expect(await ask(a, '198.19.170.2', 7166)).toBe('198.19.170.1');
    await net.publish(b, { hostPort: 8166, containerPort: 80 });
    expect(await ask(outside, '198.19.170.1', 8166)).toBe('198.19.170.2');
    expect(await ask(a, '198.19.170.1', 8166)).toBe(net.gateway);
    // Another process sees the option, and its reconcile leaves the rule as it is.
    const shown = await runChild(['show', name]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ icc: false });
    expect(await ask(a, addressB, 80, 800)).toBe('ETIMEDOUT');
    expect((await Network.open(name)).icc).toBe(false);
    await net.remove({ force: true });
    expect(ourRules().filter((r) => r.comment === `nn net ${net.id.slice(0, 12)}`)).toEqual([]);
  });

  it('icc: false — open() and list() hand the bridge’s traffic to the firewall again when someone turned it off', async () => {
    const name = netName();
    const net = await Network.create(name, {
      subnet: '198.19.125.0/24',
      ipv6Subnet: 'fd00:4e:125::/64',
      icc: false,
    });
    const nfCall = () => {
      const details = ipJson<
        Array<{ linkinfo: { info_data: { nf_call_iptables: number; nf_call_ip6tables: number } } }>
      >(undefined, '-details', 'link', 'show', net.bridgeName);
      const data = details[0]?.linkinfo.info_data;
      return [data?.nf_call_iptables, data?.nf_call_ip6tables];
    };
    expect(nfCall()).toEqual([1, 1]);
    run('ip', ['link', 'set', net.bridgeName, 'type', 'bridge', 'nf_call_iptables', '0', 'nf_call_ip6tables', '0']);
    expect(nfCall()).toEqual([0, 0]);
    expect((await host.link(net.bridgeName)).info).toMatchObject({ nfCallIptables: false, nfCallIp6tables: false });
    await Network.open(name);
    expect(nfCall()).toEqual([1, 1]);
    expect((await host.link(net.bridgeName)).info).toMatchObject({ nfCallIptables: true, nfCallIp6tables: true });
    run('ip', ['link', 'set', net.bridgeName, 'type', 'bridge', 'nf_call_iptables', '0']);
    expect((await Network.list()).map((n) => n.name)).toContain(name);
    expect(nfCall()).toEqual([1, 1]);
    // Members are kept apart again.
    const { a, addressB } = await twoMembers(net);
    expect(await ask(a, addressB, 80, 800)).toBe('ETIMEDOUT');
  });

  it('ipMasquerade: false lets members out with their own addresses; published ports work as ever', async () => {
    const name = netName();
    const net = await Network.create(name, { subnet: '198.19.168.0/24', ipMasquerade: false });
    expect(net.ipMasquerade).toBe(false);
    expect(stateFile(name)).toMatchObject({ ipMasquerade: false });
    const { a, b, addressA, addressB } = await twoMembers(net);
    // The outside routes the subnet back through the host, as a router on a routed network would.
    await outside.addRoute({ destination: '198.19.168.0/24', gateway: '198.19.170.1' });
    const out = await whoAmIServer(outside, '198.19.170.2', 7168);
    closers.push(() => out.close());
    expect(await ask(a, '198.19.170.2', 7168)).toBe(addressA);
    expect(masquerades(net)).toBe(false);
    await net.publish(b, { hostPort: 8168, containerPort: 80 });
    expect(await ask(outside, '198.19.170.1', 8168)).toBe('198.19.170.2');
    expect(await ask(a, '198.19.170.1', 8168)).toBe(net.gateway);
    expect(await ask(a, addressB, 80)).toBe(addressA);
    // Another process sees it; open()'s reconcile adds no masquerade.
    const shown = await runChild(['show', name]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ ipMasquerade: false });
    expect(await ask(a, '198.19.170.2', 7168)).toBe(addressA);
    // The default masquerades: the outside sees the host's address.
    const masq = await Network.create(netName(), { subnet: '198.19.169.0/24' });
    expect(masq.ipMasquerade).toBe(true);
    expect(masquerades(masq)).toBe(true);
    const c = await freshNamespace();
    await masq.connect(c);
    expect(await reaches(c, masq.gateway)).toBe(true);
    expect(await ask(c, '198.19.170.2', 7168)).toBe('198.19.170.1');
  });

  it('hostBindingAddress is where publish() publishes when given no host address; another process sees it', async () => {
    const name = netName();
    const net = await Network.create(name, { subnet: '198.19.171.0/24', hostBindingAddress: '198.19.170.1' });
    expect(net.hostBindingAddress).toBe('198.19.170.1');
    expect(stateFile(name)).toMatchObject({ hostBindingAddress: '198.19.170.1' });
    const { b, addressB } = await twoMembers(net);
    const port = await net.publish(b, { hostPort: 8171, containerPort: 80 });
    expect(port.hostAddress).toBe('198.19.170.1');
    expect(await ask(outside, '198.19.170.1', 8171)).toBe('198.19.170.2');
    expect(await ask(host, '127.0.0.1', 8171)).toBe('ECONNREFUSED'); // not on every address
    // A host address given wins over the default.
    const local = await net.publish(b, { hostPort: 8172, containerPort: 80, hostAddress: '127.0.0.1' });
    expect(local.hostAddress).toBe('127.0.0.1');
    expect(await ask(host, '127.0.0.1', 8172)).toBe(net.gateway);
    // A publish from another process takes the default too.
    const shown = await runChild(['show', name]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ hostBindingAddress: '198.19.170.1' });
    const other = await runChild(['publish', name, b.name as string, '8173', '80']);
    expect([other.code, other.stderr]).toEqual([0, '']);
    const listed = (await net.ports()).map((p) => [p.hostAddress, p.hostPort, p.address]);
    expect(listed.sort()).toEqual([
      ['127.0.0.1', 8172, addressB],
      ['198.19.170.1', 8171, addressB],
      ['198.19.170.1', 8173, addressB],
    ]);
    // '0.0.0.0' is the default: every address.
    const every = await Network.create(netName(), { hostBindingAddress: '0.0.0.0' });
    const c = await freshNamespace();
    await every.connect(c);
    expect((await every.publish(c, { hostPort: 8174, containerPort: 80 })).hostAddress).toBeUndefined();
  });

  it('icc: true (the default) lets members reach each other', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.167.0/24' });
    expect(net.icc).toBe(true);
    const { a, addressA, addressB } = await twoMembers(net);
    expect(iccDrop(net)).toBeUndefined();
    expect(await ask(a, addressB, 80)).toBe(addressA);
  });
});

describeKernel('network options: state files written before the options', () => {
  beforeEach(useTestPools);

  it('reads a state without the new fields as Docker’s defaults', async () => {
    const name = netName();
    await Network.create(name, { subnet: '198.19.163.0/24' });
    const file = path.join('/run/netns-native/networks', `${name}.json`);
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const key of ['ipRange', 'auxAddresses', 'icc', 'ipMasquerade', 'hostBindingAddress']) delete state[key];
    fs.writeFileSync(file, JSON.stringify(state));
    const opened = await Network.open(name);
    expect(opened.ipRange).toBeUndefined();
    expect(opened.auxAddresses).toEqual({});
    expect(opened.icc).toBe(true);
    expect(opened.ipMasquerade).toBe(true);
    expect(opened.hostBindingAddress).toBeUndefined();
    const a = await freshNamespace();
    expect((await opened.connect(a)).address).toBe('198.19.163.2/24');
  });
});
