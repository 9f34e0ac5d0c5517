/**
 * Networks and the world outside (issue 9): masquerade out, published ports in, isolation
 * between networks, internal networks sealed — as nftables rules of our own table, checked with
 * real traffic against an "outside" namespace linked to the test's namespace (the host here) by
 * a veth: 198.51.100.1 and fd00:51::1 on the host side, 198.51.100.2 and fd00:51::2 outside.
 * `nft -j` is the witness of the ruleset.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, Network, NetnsError, VethPair } from 'netns-native';
import { cleanupLater, freshNamespace, uniqueName } from '../helpers/fresh';
import { ipJson, link, operational, run } from '../helpers/ip';
import { netName, reaches, runChild, startChild, stateFile, useTestPools } from '../helpers/network';
import { ask, whoAmIServer } from '../helpers/tcp';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

function ourTables(): string[] {
  const all = (
    JSON.parse(run('nft', ['-j', 'list', 'tables'])) as {
      nftables: Array<{ table?: { family: string; name: string } }>;
    }
  ).nftables;
  return all.filter((o) => o.table?.name === 'netns-native').map((o) => (o.table as { family: string }).family);
}

/** A UDP server answering each datagram with 'pong <from>'. */
async function udpEcho(ns: Namespace, port: number): Promise<dgram.Socket> {
  const sock = await ns.createUdpSocket('udp4', { port });
  sock.on('message', (_m, rinfo) => sock.send(`pong ${rinfo.address}`, rinfo.port, rinfo.address));
  return sock;
}

async function udpAsk(ns: Namespace, host: string, port: number): Promise<string> {
  const sock = await ns.createUdpSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve('no answer'), 2000);
      sock.on('message', (m) => {
        clearTimeout(timer);
        resolve(m.toString());
      });
      sock.send('ping', port, host);
    });
  } finally {
    sock.close();
  }
}

describeKernel('networks: NAT, published ports, isolation', () => {
  const host = Namespace.current();
  let outside: Namespace;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    useTestPools();
    // The outside world: a namespace linked to the host namespace by a veth.
    outside = await Namespace.create(uniqueName());
    const up = await VethPair.create({ name: uniqueName('out'), peerName: 'eth0', peerNamespace: outside });
    await up.local.addAddress('198.51.100.1/24');
    await up.peer.addAddress('198.51.100.2/24');
    await up.local.addAddress('fd00:51::1/64', { nodad: true });
    await up.peer.addAddress('fd00:51::2/64', { nodad: true });
    await Promise.all([up.local.up(), up.peer.up(), outside.link('lo').then((lo) => lo.up())]);
    await operational(undefined, up.local.name);
    await operational(outside.name, 'eth0');
  });

  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  afterAll(async () => {
    await outside.delete(); // its veth goes with it
  });

  /** A network with one member; waits until the member reaches its gateway. */
  async function networkWithMember(options: { internal?: boolean } = {}) {
    const n = await Network.create(netName(), options);
    const member = await freshNamespace();
    const ep = await n.connect(member);
    expect(await reaches(member, n.gateway)).toBe(true);
    return { n, member, ep, address: ep.address.split('/')[0] as string };
  }

  it('masquerades what members send out: the outside sees the host address', async () => {
    const { member } = await networkWithMember();
    const server = await whoAmIServer(outside, '198.51.100.2', 7001);
    closers.push(() => server.close());
    expect(await ask(member, '198.51.100.2', 7001)).toBe('198.51.100.1');
    expect(ourTables()).toEqual(['ip']);
    expect(run('cat', ['/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
  });

  it('publishes TCP and UDP ports: reached from outside, from the host on 127.0.0.1 and on its own address', async () => {
    const { n, member, address } = await networkWithMember();
    const server = await whoAmIServer(member, address, 80);
    const udp = await udpEcho(member, 53);
    closers.push(
      () => server.close(),
      () => udp.close(),
    );
    const tcp = await n.publish(member, { hostPort: 8080, containerPort: 80 });
    expect(tcp).toMatchObject({ network: n.name, protocol: 'tcp', hostPort: 8080, containerPort: 80, address });
    expect(tcp.hostAddress).toBeUndefined();
    const udpPort = await n.publish(member, { hostPort: 8080, containerPort: 53, protocol: 'udp' }); // not a conflict
    expect(await ask(outside, '198.51.100.1', 8080)).toBe('198.51.100.2'); // the outside's own address
    expect(await udpAsk(outside, '198.51.100.1', 8080)).toBe('pong 198.51.100.2');
    expect(await ask(host, '127.0.0.1', 8080)).toBe(n.gateway); // loopback masqueraded onto the bridge
    expect(await ask(host, '198.51.100.1', 8080)).not.toMatch(/^E/);
    expect((await n.ports()).map((p) => `${p.protocol}/${p.hostPort}->${p.containerPort}`).sort()).toEqual([
      'tcp/8080->80',
      'udp/8080->53',
    ]);
    await tcp.unpublish();
    await udpPort.unpublish();
    expect(await ask(outside, '198.51.100.1', 8080)).toBe('ECONNREFUSED'); // nothing listens on the host
    expect(await n.ports()).toEqual([]);
    await expect(tcp.unpublish()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('publishes on one host address only when asked', async () => {
    const { n, member, address } = await networkWithMember();
    const server = await whoAmIServer(member, address, 80);
    closers.push(() => server.close());
    await n.publish(member, { hostPort: 8081, containerPort: 80, hostAddress: '198.51.100.1' });
    expect(await ask(outside, '198.51.100.1', 8081)).toBe('198.51.100.2');
    expect(await ask(host, '127.0.0.1', 8081)).toBe('ECONNREFUSED'); // not on loopback
  });

  it("lets members reach published ports through the host's addresses: their own, their network's, another network's", async () => {
    // As Docker's userland proxy would, with no proxy: DNAT from the bridges too, the answer
    // brought back through the host (the member sees its gateway), isolation not in the way.
    const a = await networkWithMember();
    const server = await whoAmIServer(a.member, a.address, 80);
    const udp = await udpEcho(a.member, 53);
    closers.push(
      () => server.close(),
      () => udp.close(),
    );
    const tcp = await a.n.publish(a.member, { hostPort: 8095, containerPort: 80 });
    await a.n.publish(a.member, { hostPort: 8095, containerPort: 53, protocol: 'udp' });
    const peer = await freshNamespace();
    await a.n.connect(peer);
    const b = await networkWithMember();
    for (const [who, from] of [
      ['itself', a.member],
      ['a member of its network', peer],
      ['a member of another network', b.member],
    ] as const) {
      for (const hostAddress of ['198.51.100.1', a.n.gateway, b.n.gateway]) {
        expect([who, hostAddress, await ask(from, hostAddress, 8095)]).toEqual([who, hostAddress, a.n.gateway]);
      }
      expect([who, await udpAsk(from, '198.51.100.1', 8095)]).toEqual([who, `pong ${a.n.gateway}`]);
    }
    // The networks are still apart, but for the published port.
    expect(await ask(b.member, a.address, 80, 800)).toBe('ETIMEDOUT');
    // An internal network's members do not get out through a published port either.
    const inner = await networkWithMember({ internal: true });
    expect(await ask(inner.member, inner.n.gateway, 8095, 800)).toBe('ETIMEDOUT');
    await tcp.unpublish();
    expect(await ask(peer, '198.51.100.1', 8095)).toBe('ECONNREFUSED'); // the host's own port, closed
    expect(await ask(b.member, a.n.gateway, 8095)).toBe('ECONNREFUSED');
  });

  it("lets members reach an IPv6 published port through the host's IPv6 address, their own too", async () => {
    const n = await Network.create(netName(), { ipv6Subnet: 'fd00:198:18:95::/64' });
    const member = await freshNamespace();
    const peer = await freshNamespace();
    await n.connect(member);
    await n.connect(peer);
    const gateway6 = n.ipv6Gateway as string;
    const server = await whoAmIServer(member, '::', 80);
    closers.push(() => server.close());
    await n.publish(member, { hostPort: 8096, containerPort: 80, hostAddress: gateway6 });
    await waitFor(async () => (await ask(peer, gateway6, 8096, 800)) === gateway6, {
      what: 'a member reaching the port over IPv6 (addresses usable)',
    });
    expect(await ask(member, gateway6, 8096)).toBe(gateway6);
    expect(await ask(host, gateway6, 8096)).toBe(gateway6);
  });

  /**
   * A network with an IPv6 subnet and one member serving TCP port 80 on both families (its
   * server answers with the client's address: '::ffff:198.51.100.2' for an IPv4 one).
   */
  async function dualStackMember(ipv6Subnet: string) {
    const n = await Network.create(netName(), { ipv6Subnet });
    const member = await freshNamespace();
    const ep = await n.connect(member);
    const server = await whoAmIServer(member, '::', 80);
    closers.push(() => server.close());
    const bare = (cidr: string | undefined) => (cidr as string).split('/')[0] as string;
    return { n, member, address: bare(ep.address), address6: bare(ep.ipv6Address) };
  }

  /** Until the outside reaches `port` on the host's IPv6 address (the bridge's IPv6 address usable). */
  async function reachableOverIPv6(port: number): Promise<void> {
    await waitFor(async () => (await ask(outside, 'fd00:51::1', port, 800)) === 'fd00:51::2', {
      what: `the outside reaching [fd00:51::1]:${port}`,
    });
  }

  it('publishes on both families of a dual-stack member when no host address is given; ports() lists each; unpublish takes both', async () => {
    const { n, member, address, address6 } = await dualStackMember('fd00:198:18:97::/64');
    const port = await n.publish(member, { hostPort: 8097, containerPort: 80 });
    expect(port).toMatchObject({ family: 4, hostAddress: undefined, address, ipv6Address: address6 });
    await reachableOverIPv6(8097); // docker -p 8080:80 on an --ipv6 network: [::]:8080 too
    expect(await ask(outside, '198.51.100.1', 8097)).toBe('::ffff:198.51.100.2');
    // docker port: 0.0.0.0:8097 and [::]:8097, one entry each.
    const listed = (await n.ports()).map((p) => p.toJSON()).sort((a, b) => Number(a.family) - Number(b.family));
    const entry = { network: n.name, protocol: 'tcp', hostAddress: undefined, hostPort: 8097, containerPort: 80 };
    expect(listed).toEqual([
      { ...entry, family: 4, address },
      { ...entry, family: 6, address: address6 },
    ]);
    const short = n.id.slice(0, 12);
    expect(run('nft', ['list', 'map', 'ip', 'netns-native', `pub-any-${short}`])).toContain(
      `tcp . 8097 : ${address} . 80`,
    );
    expect(run('nft', ['list', 'map', 'ip6', 'netns-native', `pub-any-${short}`])).toContain(
      `tcp . 8097 : ${address6} . 80`,
    );
    await port.unpublish();
    expect(await n.ports()).toEqual([]);
    expect(await ask(outside, '198.51.100.1', 8097)).toBe('ECONNREFUSED');
    expect(await ask(outside, 'fd00:51::1', 8097)).toBe('ECONNREFUSED');
    await expect(port.unpublish()).rejects.toMatchObject({ code: 'ENOENT' });
    // A listed entry takes back its own family only; what publish returned, whatever is left.
    const again = await n.publish(member, { hostPort: 8097, containerPort: 80 });
    await (await n.ports()).find((p) => p.family === 6)?.unpublish();
    expect((await n.ports()).map((p) => p.family)).toEqual([4]);
    expect(await ask(outside, 'fd00:51::1', 8097)).toBe('ECONNREFUSED');
    await again.unpublish();
    expect(await n.ports()).toEqual([]);
  });

  it('decides conflicts per family, and publishes both families or neither', async () => {
    const { n, member } = await dualStackMember('fd00:198:18:98::/64');
    // Every IPv4 address and one IPv6 address of the same port; one IPv4 address and every IPv6 one.
    await n.publish(member, { hostPort: 8098, containerPort: 80, hostAddress: '0.0.0.0' });
    await n.publish(member, { hostPort: 8098, containerPort: 80, hostAddress: 'fd00:51::1' });
    await n.publish(member, { hostPort: 8099, containerPort: 80, hostAddress: '198.51.100.1' });
    await n.publish(member, { hostPort: 8099, containerPort: 80, hostAddress: '::' });
    // Both families, the port taken in one of them only: refused whole, nothing added to the other.
    await n.publish(member, { hostPort: 8089, containerPort: 80, hostAddress: '0.0.0.0' });
    await n.publish(member, { hostPort: 8090, containerPort: 80, hostAddress: '::' });
    const before = run('nft', ['list', 'ruleset']);
    const refused = async (hostPort: number, pattern: RegExp) => {
      const e = (await n.publish(member, { hostPort, containerPort: 80 }).catch((x: unknown) => x)) as NetnsError;
      expect(e).toBeInstanceOf(NetnsError);
      expect(e.code).toBe('EADDRINUSE');
      expect(e.message).toMatch(pattern);
    };
    await refused(8089, /host port tcp\/8089 on every IPv4 address is already published/);
    await refused(8090, /host port tcp\/8090 on every IPv6 address is already published/);
    expect(run('nft', ['list', 'ruleset'])).toBe(before);
    expect((await n.ports()).map((p) => `${p.family} ${p.hostAddress} ${p.hostPort}`).sort()).toEqual([
      '4 198.51.100.1 8099',
      '4 undefined 8089',
      '4 undefined 8098',
      '6 fd00:51::1 8098',
      '6 undefined 8090',
      '6 undefined 8099',
    ]);
    expect(await ask(outside, '198.51.100.1', 8090)).toBe('ECONNREFUSED');
    await reachableOverIPv6(8098);
    expect(await ask(outside, '198.51.100.1', 8098)).toBe('::ffff:198.51.100.2');
    expect(await ask(outside, '198.51.100.1', 8099)).toBe('::ffff:198.51.100.2');
    expect(await ask(outside, 'fd00:51::1', 8099)).toBe('fd00:51::2');
  });

  it("takes '0.0.0.0' and '::' as every address of one family, as Docker does", async () => {
    const { n, member, address, address6 } = await dualStackMember('fd00:198:18:99::/64');
    const v4 = await n.publish(member, { hostPort: 8091, containerPort: 80, hostAddress: '0.0.0.0' });
    const v6 = await n.publish(member, { hostPort: 8092, containerPort: 80, hostAddress: '0:0::0' });
    expect(v4).toMatchObject({ family: 4, hostAddress: undefined, address });
    expect(v4.ipv6Address).toBeUndefined();
    expect(v6).toMatchObject({ family: 6, hostAddress: undefined, address: address6 });
    await reachableOverIPv6(8092);
    expect(await ask(outside, '198.51.100.1', 8091)).toBe('::ffff:198.51.100.2');
    expect(await ask(host, '127.0.0.1', 8091)).toBe(`::ffff:${n.gateway}`);
    expect(await ask(outside, 'fd00:51::1', 8091)).toBe('ECONNREFUSED'); // IPv4 only
    expect(await ask(outside, '198.51.100.1', 8092)).toBe('ECONNREFUSED'); // IPv6 only
    expect((await n.ports()).map((p) => `${p.family} ${p.hostAddress} ${p.hostPort}`).sort()).toEqual([
      '4 undefined 8091',
      '6 undefined 8092',
    ]);
  });

  it('refuses host addresses no connection can reach, saying what to give instead, changing nothing', async () => {
    const { n, member } = await networkWithMember();
    const before = run('nft', ['list', 'ruleset']);
    const bad = async (hostAddress: string, code: string, pattern: RegExp) => {
      const e = (await n
        .publish(member, { hostPort: 9001, containerPort: 80, hostAddress })
        .catch((x: unknown) => x)) as NetnsError;
      expect(e).toBeInstanceOf(NetnsError);
      expect([hostAddress, e.code]).toEqual([hostAddress, code]);
      expect(e.message).toMatch(pattern);
    };
    await bad('::ffff:127.0.0.1', 'EINVAL', /IPv4-mapped IPv6 address; give the IPv4 address \("127\.0\.0\.1"\)/);
    await bad('::FFFF:198.51.100.1', 'EINVAL', /give the IPv4 address \("198\.51\.100\.1"\)/);
    await bad('224.0.0.1', 'EINVAL', /multicast address: .* leave hostAddress out/);
    await bad('ff02::1', 'EINVAL', /multicast address/);
    await bad('255.255.255.255', 'EINVAL', /broadcast address/);
    await bad('198.51.100.255', 'EINVAL', /broadcast address of the host namespace/); // the outside link's
    await bad(
      '198.51.100.77',
      'EADDRNOTAVAIL',
      /"198\.51\.100\.77" is not an address of the host namespace \(its IPv4 addresses: [^)]*198\.51\.100\.1[,)]/,
    );
    await bad('fd00:51::77', 'EADDRNOTAVAIL', /its IPv6 addresses: [^)]*fd00:51::1[,)]/);
    await bad('::', 'EINVAL', /the member has no IPv6 address/);
    expect(run('nft', ['list', 'ruleset'])).toBe(before);
    expect(await n.ports()).toEqual([]);
  });

  it("refuses '::1' (IPv6 has no route_localnet), and leaves [::1]:PORT to the host when publishing on every address", async () => {
    const { n, member } = await dualStackMember('fd00:198:18:9a::/64');
    const before = run('nft', ['list', 'ruleset']);
    for (const hostAddress of ['::1', '0:0::1']) {
      const e = (await n
        .publish(member, { hostPort: 8093, containerPort: 80, hostAddress })
        .catch((x: unknown) => x)) as NetnsError;
      expect(e).toBeInstanceOf(NetnsError);
      expect(e.code).toBe('EINVAL');
      expect(e.message).toMatch(/"::1" cannot be published on: .*route_localnet.*publish on 127\.0\.0\.1/);
    }
    expect(run('nft', ['list', 'ruleset'])).toBe(before);
    await n.publish(member, { hostPort: 8093, containerPort: 80 });
    await reachableOverIPv6(8093);
    // [::1]:8093 is the host's own port, as with no publication: refused, or its own listener.
    expect(await ask(host, '::1', 8093, 1500)).toBe('ECONNREFUSED');
    const own = await whoAmIServer(host, '::1', 8093);
    closers.push(() => own.close());
    expect(await ask(host, '::1', 8093)).toBe('::1');
    // The host's other addresses, 127.0.0.1 included, still lead to the member.
    expect(await ask(host, '127.0.0.1', 8093)).toBe(`::ffff:${n.gateway}`);
    expect(await ask(host, 'fd00:51::1', 8093)).toBe('fd00:51::1');
    const table = run('nft', ['list', 'table', 'ip6', 'netns-native']);
    expect(table).toContain('ip6 daddr != ::1 fib daddr type local dnat ip6 to');
    expect(table).not.toContain('ip6 saddr ::1');
  });

  it('refuses a link-local host address (fe80::/10), which is one of the host’s but can never be forwarded to a member', async () => {
    const { n, member } = await dualStackMember('fd00:198:18:9c::/64');
    // The outside link's own link-local address: what comes to it comes from a link-local
    // source, which the kernel does not forward to the bridge.
    const linkLocal = ipJson<Array<{ addr_info: Array<{ local?: string; scope?: string }> }>>(undefined, '-6', 'addr')
      .flatMap((l) => l.addr_info)
      .find((a) => a.scope === 'link')?.local;
    expect(linkLocal).toMatch(/^fe80:/);
    const before = run('nft', ['list', 'ruleset']);
    for (const hostAddress of [linkLocal as string, 'FE80::1']) {
      const e = (await n
        .publish(member, { hostPort: 8095, containerPort: 80, hostAddress })
        .catch((x: unknown) => x)) as NetnsError;
      expect(e).toBeInstanceOf(NetnsError);
      expect([hostAddress, e.code]).toEqual([hostAddress, 'EINVAL']);
      expect(e.message).toMatch(
        /is an IPv6 link-local address \(fe80::\/10\), which cannot be published on: .* publish on one of the host's global or unique-local IPv6 addresses, or leave hostAddress out/,
      );
    }
    expect(run('nft', ['list', 'ruleset'])).toBe(before);
    expect(await n.ports()).toEqual([]);
  });

  it('returns the host address in its canonical form, as ports() lists it', async () => {
    const { n, member } = await dualStackMember('fd00:198:18:9b::/64');
    const p = await n.publish(member, { hostPort: 8094, containerPort: 80, hostAddress: 'FD00:51:0::1' });
    expect(p.hostAddress).toBe('fd00:51::1');
    const listed = await n.ports();
    expect(listed.map((q) => q.toJSON())).toEqual([p.toJSON()]);
    await reachableOverIPv6(8094);
  });

  it("puts members' bridge ports in hairpin mode (not an internal network's), and again when the network is opened", async () => {
    const hairpin = (veth: string): unknown =>
      ipJson<Array<{ linkinfo: { info_slave_data: { hairpin: boolean } } }>>(
        undefined,
        '-d',
        'link',
        'show',
        'dev',
        veth,
      )[0]?.linkinfo.info_slave_data.hairpin;
    const { n, ep } = await networkWithMember();
    const inner = await networkWithMember({ internal: true });
    expect(hairpin(ep.hostInterfaceName)).toBe(true);
    expect(hairpin(inner.ep.hostInterfaceName)).toBe(false);
    // A port without it (made before connect set it): Network.open() puts it back.
    run('ip', ['link', 'set', 'dev', ep.hostInterfaceName, 'type', 'bridge_slave', 'hairpin', 'off']);
    await Network.open(n.name);
    expect(hairpin(ep.hostInterfaceName)).toBe(true);
    await Network.open(inner.n.name);
    expect(hairpin(inner.ep.hostInterfaceName)).toBe(false);
  });

  it('refuses a host port taken already, on every address or on that one', async () => {
    const { n, member } = await networkWithMember();
    const other = await networkWithMember();
    await n.publish(member, { hostPort: 8082, containerPort: 80 });
    const taken = (p: Promise<unknown>) => expect(p).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await taken(n.publish(member, { hostPort: 8082, containerPort: 81 }));
    await taken(other.n.publish(other.member, { hostPort: 8082, containerPort: 80 })); // another network too
    await taken(n.publish(member, { hostPort: 8082, containerPort: 80, hostAddress: '198.51.100.1' }));
    await n.publish(member, { hostPort: 8083, containerPort: 80, hostAddress: '198.51.100.1' });
    await taken(n.publish(member, { hostPort: 8083, containerPort: 80 })); // all addresses vs one
    const e = await n.publish(member, { hostPort: 8083, containerPort: 80 }).catch((x: NetnsError) => x);
    expect((e as NetnsError).message).toContain('is already published');
  });

  it('refuses a host port a program of the host namespace has (EADDRINUSE, as Docker), changing nothing', async () => {
    const { n, member } = await networkWithMember();
    const listen = async (host: string, port: number): Promise<net.Server> => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen({ host, port }, resolve));
      closers.push(() => server.close());
      return server;
    };
    const before = run('nft', ['list', 'ruleset']);
    const refused = async (options: Parameters<Network['publish']>[1], pattern: RegExp) => {
      const e = (await n.publish(member, options).catch((x: unknown) => x)) as NetnsError;
      expect(e).toBeInstanceOf(NetnsError);
      expect([options, e.code]).toEqual([options, 'EADDRINUSE']);
      expect(e.message).toMatch(pattern);
      expect(run('nft', ['list', 'ruleset'])).toBe(before);
    };
    // Listening on every IPv4 address (this is the host namespace): no publication of that port.
    const all = await listen('0.0.0.0', 8101);
    await refused(
      { hostPort: 8101, containerPort: 80 },
      /host port tcp\/8101 on every IPv4 address is in use in the host namespace: a program there has a socket bound to it.*publish another host port \(`ss -tlnp 'sport = :8101'` shows which program\)/,
    );
    await refused(
      { hostPort: 8101, containerPort: 80, hostAddress: '198.51.100.1' },
      /tcp\/8101 on 198\.51\.100\.1 is in use/,
    );
    // Listening on one address (127.0.0.1 is one of every address): that one, and every address.
    await listen('127.0.0.1', 8102);
    await refused({ hostPort: 8102, containerPort: 80 }, /tcp\/8102 on every IPv4 address is in use/);
    await refused({ hostPort: 8102, containerPort: 80, hostAddress: '127.0.0.1' }, /tcp\/8102 on 127\.0\.0\.1/);
    // A UDP socket bound to the port.
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind({ address: '0.0.0.0', port: 8103 }, resolve));
    closers.push(() => udp.close());
    await refused(
      { hostPort: 8103, containerPort: 53, protocol: 'udp' },
      /host port udp\/8103 on every IPv4 address .*`ss -ulnp 'sport = :8103'`/,
    );
    expect(await n.ports()).toEqual([]);
    // Another protocol, or another address than the one listened on, is free.
    const tcp8103 = await n.publish(member, { hostPort: 8103, containerPort: 80 });
    const other = await n.publish(member, { hostPort: 8102, containerPort: 80, hostAddress: '198.51.100.1' });
    // Once the program lets the port go, it is published; and holds nothing in the host after.
    await new Promise((resolve) => all.close(resolve));
    const port = await n.publish(member, { hostPort: 8101, containerPort: 80 });
    expect((await n.ports()).map((p) => `${p.protocol}/${p.hostPort} ${p.hostAddress}`).sort()).toEqual([
      'tcp/8101 undefined',
      'tcp/8102 198.51.100.1',
      'tcp/8103 undefined',
    ]);
    expect(run('ss', ['-Htlnu', 'sport = :8101'])).toBe('');
    for (const p of [tcp8103, other, port]) await p.unpublish();
  });

  it('leaves a host program on [::1] its port when publishing on every address (::1 is not one), not on another IPv6 address', async () => {
    const { n, member } = await dualStackMember('fd00:198:18:9e::/64');
    const listen = async (host: string, port: number): Promise<void> => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen({ host, port }, resolve));
      closers.push(() => server.close());
    };
    await listen('::1', 8104);
    const p = await n.publish(member, { hostPort: 8104, containerPort: 80 });
    expect(p.ipv6Address).toBeDefined();
    await listen('fd00:51::1', 8105);
    const e = (await n.publish(member, { hostPort: 8105, containerPort: 80 }).catch((x: unknown) => x)) as NetnsError;
    expect([e.code, e.message]).toEqual([
      'EADDRINUSE',
      expect.stringMatching(/tcp\/8105 on fd00:51::1 \(one of every IPv6 address\) is in use/),
    ]);
    // Both families or neither: not the IPv4 one either.
    expect((await n.ports()).map((q) => q.hostPort)).toEqual([8104, 8104]);
    // IPv4 only is free.
    await n.publish(member, { hostPort: 8105, containerPort: 80, hostAddress: '0.0.0.0' });
  });

  it('refuses bad publications with EINVAL, changing nothing', async () => {
    const { n, member } = await networkWithMember();
    const internal = await networkWithMember({ internal: true });
    const stranger = await freshNamespace();
    const before = run('nft', ['list', 'ruleset']);
    const bad = async (p: Promise<unknown>, pattern: RegExp) => {
      const e = (await p.catch((x: unknown) => x)) as NetnsError;
      expect(e).toBeInstanceOf(NetnsError);
      expect(e.code).toBe('EINVAL');
      expect(e.message).toMatch(pattern);
    };
    await bad(internal.n.publish(internal.member, { hostPort: 9000, containerPort: 80 }), /internal/);
    await bad(n.publish(member, { hostPort: 0, containerPort: 80 }), /hostPort must be an integer from 1 to 65535/);
    await bad(n.publish(member, { hostPort: 65536, containerPort: 80 }), /hostPort/);
    await bad(n.publish(member, { hostPort: 9000, containerPort: 0 }), /containerPort/);
    await bad(n.publish(member, { hostPort: 9000, containerPort: 80, protocol: 'sctp' as 'tcp' }), /protocol/);
    await bad(n.publish(member, { hostPort: 9000, containerPort: 80, hostAddress: '300.1.1.1' }), /not a valid/);
    await bad(n.publish(stranger, { hostPort: 9000, containerPort: 80 }), /not a member/);
    await bad(n.publish(member, null as never), /options must be an object/);
    expect(run('nft', ['list', 'ruleset'])).toBe(before);
  });

  it('takes the ports away with disconnect and with remove', async () => {
    const { n, member, address } = await networkWithMember();
    const server = await whoAmIServer(member, address, 80);
    closers.push(() => server.close());
    await n.publish(member, { hostPort: 8084, containerPort: 80 });
    expect(await ask(outside, '198.51.100.1', 8084)).toBe('198.51.100.2');
    await n.disconnect(member);
    expect(await n.ports()).toEqual([]);
    expect(await ask(outside, '198.51.100.1', 8084)).toBe('ECONNREFUSED');

    const again = await networkWithMember();
    await again.n.publish(again.member, { hostPort: 8085, containerPort: 80 });
    await again.n.remove({ force: true });
    expect(run('nft', ['list', 'ruleset'])).not.toContain('8085');
  });

  it('ports() answers what is true now: the ports of members gone without a disconnect are neither listed nor kept', async () => {
    const { n, member, address } = await networkWithMember();
    const anon = cleanupLater(await Namespace.create());
    const epAnon = await n.connect(anon, { name: 'anon' });
    await n.publish(member, { hostPort: 8090, containerPort: 80 });
    await n.publish(anon, { hostPort: 8091, containerPort: 80 });
    expect((await n.ports()).map((p) => [p.hostPort, p.address]).sort()).toEqual([
      [8090, address],
      [8091, epAnon.address.split('/')[0]],
    ]);
    // The named member loses its name (`ip netns del`: its veth stays while this process holds
    // the namespace); the anonymous one goes, and its veth with it.
    run('ip', ['netns', 'del', member.name as string]);
    await anon.delete();
    await waitFor(() => link(undefined, epAnon.hostInterfaceName) === undefined, {
      what: "the anonymous member's veth to go",
    });
    expect(await n.ports()).toEqual([]);
    const ruleset = run('nft', ['list', 'table', 'ip', 'netns-native']);
    expect(ruleset).not.toContain('8090');
    expect(ruleset).not.toContain('8091');
  });

  it('a disconnect takes away the ports another process published for the member since this one last read the ruleset', async () => {
    const { n, member } = await networkWithMember();
    const other = await freshNamespace();
    await n.connect(other);
    await n.publish(member, { hostPort: 8096, containerPort: 80 }); // this process now knows the ruleset
    const child = await runChild(['publish', n.name, other.name as string, '8097', '80']);
    expect(child.code).toBe(0);
    await n.disconnect(other);
    expect(run('nft', ['list', 'table', 'ip', 'netns-native'])).not.toContain('8097');
    expect((await n.ports()).map((p) => p.hostPort)).toEqual([8096]);
  });

  it('a member gone without a disconnect holds neither its address for a static connect nor its ports for a publish', async () => {
    const { n } = await networkWithMember();
    // Made first: neither can have the inode of a member gone (see network.test.ts for that).
    const b = await freshNamespace();
    const c = await freshNamespace();
    const gone = async (): Promise<string> => {
      const anon = cleanupLater(await Namespace.create());
      const ep = await n.connect(anon, { name: uniqueName('anon-') });
      await n.publish(anon, { hostPort: 8093, containerPort: 80 });
      await anon.delete();
      await waitFor(() => link(undefined, ep.hostInterfaceName) === undefined, { what: "the member's veth to go" });
      return ep.address.split('/')[0] as string;
    };
    // Its address, asked for: given (the kernel says its holder is gone), and its port free.
    const freed = await gone();
    expect((await n.connect(b, { address: freed })).address.split('/')[0]).toBe(freed);
    const server = await whoAmIServer(b, freed, 81);
    closers.push(() => server.close());
    await n.publish(b, { hostPort: 8093, containerPort: 81 });
    expect((await n.ports()).map((p) => [p.hostPort, p.address, p.containerPort])).toEqual([[8093, freed, 81]]);
    expect(await ask(outside, '198.51.100.1', 8093)).toBe('198.51.100.2');
    await n.disconnect(b);
    // Another address: its port, published to by a new member.
    await gone();
    const ec = await n.connect(c);
    await n.publish(c, { hostPort: 8093, containerPort: 80 });
    expect((await n.ports()).map((p) => [p.hostPort, p.address])).toEqual([[8093, ec.address.split('/')[0]]]);
  });

  /** The elements of a network's map of IPv4 publications on every address, as `nft` lists them. */
  function anyMap(n: Network): string {
    return run('nft', ['list', 'map', 'ip', 'netns-native', `pub-any-${n.id.slice(0, 12)}`]);
  }

  /** An anonymous member of `n` that publishes `hostPort` and goes without a disconnect: its address. */
  async function goneHolder(n: Network, hostPort: number): Promise<string> {
    const anon = cleanupLater(await Namespace.create());
    const ep = await n.connect(anon, { name: uniqueName('anon-') });
    await n.publish(anon, { hostPort, containerPort: 80 });
    const address = ep.address.split('/')[0] as string;
    expect(anyMap(n)).toContain(`tcp . ${hostPort} : ${address} . 80`);
    await anon.delete();
    await waitFor(() => link(undefined, ep.hostInterfaceName) === undefined, { what: "the member's veth to go" });
    return address;
  }

  it('a port held by a member of another network gone without a disconnect is free: that network is reconciled', async () => {
    const a = await networkWithMember();
    const b = await networkWithMember();
    const server = await whoAmIServer(b.member, b.address, 80);
    closers.push(() => server.close());
    await goneHolder(a.n, 8110);
    await b.n.publish(b.member, { hostPort: 8110, containerPort: 80 });
    expect(anyMap(a.n)).not.toContain('8110');
    expect(anyMap(b.n)).toContain(`tcp . 8110 : ${b.address} . 80`);
    expect(stateFile(a.n.name)?.endpoints.map((e) => e.address)).toEqual([a.ep.address]);
    expect(await ask(outside, '198.51.100.1', 8110)).toBe('198.51.100.2');
  });

  it('a port held by a member of another network that is still there is refused (EADDRINUSE), naming that network', async () => {
    const a = await networkWithMember();
    const b = await networkWithMember();
    await a.n.publish(a.member, { hostPort: 8111, containerPort: 80 });
    const before = run('nft', ['list', 'ruleset']);
    const stateA = stateFile(a.n.name);
    const e = (await b.n
      .publish(b.member, { hostPort: 8111, containerPort: 80 })
      .catch((x: unknown) => x)) as NetnsError;
    expect(e).toBeInstanceOf(NetnsError);
    expect(e.code).toBe('EADDRINUSE');
    expect(e.message).toContain(
      `host port tcp/8111 on every IPv4 address is already published by network "${a.n.name}" (to ${a.address}:80)`,
    );
    expect(run('nft', ['list', 'ruleset'])).toBe(before);
    expect(stateFile(a.n.name)).toEqual(stateA);
  });

  it("two processes publishing at once on two networks, each a port the other network's gone member holds: both get it (no deadlock)", async () => {
    const a = await networkWithMember();
    const b = await networkWithMember();
    const go = path.join(os.tmpdir(), uniqueName('nnt-go-'));
    const onA = startChild(['publish-when', a.n.name, a.member.name as string, '8113', '80', go]);
    const onB = startChild(['publish-when', b.n.name, b.member.name as string, '8112', '80', go]);
    try {
      await waitFor(() => onA.output().includes('ready') && onB.output().includes('ready'), {
        what: 'both children to have opened their network',
        timeoutMs: 30000,
      });
      // Made once the children have opened (hence reconciled) their own networks.
      await goneHolder(a.n, 8112);
      await goneHolder(b.n, 8113);
      fs.writeFileSync(go, '');
      const results = await Promise.all([onA.done, onB.done]);
      expect(results.map((r) => [r.code, r.stderr])).toEqual([
        [0, ''],
        [0, ''],
      ]);
    } finally {
      onA.child.kill();
      onB.child.kill();
      fs.rmSync(go, { force: true });
    }
    expect(anyMap(a.n)).toContain(`tcp . 8113 : ${a.address} . 80`);
    expect(anyMap(a.n)).not.toContain('8112');
    expect(anyMap(b.n)).toContain(`tcp . 8112 : ${b.address} . 80`);
    expect(anyMap(b.n)).not.toContain('8113');
  });

  it('ports() deletes an element sent to an address no member has, which a member given that address would receive', async () => {
    const { n, ep } = await networkWithMember();
    const nobody = ep.address.replace(/\.\d+\//, '.99/').split('/')[0] as string;
    run('nft', [
      'add',
      'element',
      'ip',
      'netns-native',
      `pub-any-${n.id.slice(0, 12)}`,
      `{ tcp . 8095 : ${nobody} . 80 }`,
    ]);
    expect(await n.ports()).toEqual([]);
    expect(run('nft', ['list', 'table', 'ip', 'netns-native'])).not.toContain('8095');
    const late = await freshNamespace();
    await n.connect(late, { address: nobody });
    await n.publish(late, { hostPort: 8095, containerPort: 81 });
    expect((await n.ports()).map((p) => [p.hostPort, p.address, p.containerPort])).toEqual([[8095, nobody, 81]]);
  });

  it('keeps networks apart both ways, while each reaches its gateway and the outside', async () => {
    const a = await networkWithMember();
    const b = await networkWithMember();
    const serverA = await whoAmIServer(a.member, a.address, 80);
    const serverB = await whoAmIServer(b.member, b.address, 80);
    const out = await whoAmIServer(outside, '198.51.100.2', 7002);
    closers.push(
      () => serverA.close(),
      () => serverB.close(),
      () => out.close(),
    );
    // Within a network and out: fine.
    const peer = await freshNamespace();
    await a.n.connect(peer);
    expect(await ask(peer, a.address, 80)).toMatch(/^198\.18\./);
    expect(await ask(a.member, '198.51.100.2', 7002)).toBe('198.51.100.1');
    expect(await ask(b.member, '198.51.100.2', 7002)).toBe('198.51.100.1');
    // Across: dropped, so no answer at all (not even a refusal), both ways.
    expect(await ask(a.member, b.address, 80, 800)).toBe('ETIMEDOUT');
    expect(await ask(b.member, a.address, 80, 800)).toBe('ETIMEDOUT');
  });

  it('seals an internal network: its members reach only their subnet, even with a route of their own', async () => {
    const inner = await networkWithMember({ internal: true });
    const open = await networkWithMember();
    const out = await whoAmIServer(outside, '198.51.100.2', 7003);
    const innerServer = await whoAmIServer(inner.member, inner.address, 80);
    closers.push(
      () => out.close(),
      () => innerServer.close(),
    );
    expect(await inner.member.routes()).not.toContainEqual(expect.objectContaining({ destination: 'default' }));
    // A default route added by hand inside does not get them out: the rules drop it.
    await inner.member.addRoute({ destination: 'default', gateway: inner.n.gateway });
    expect(await ask(inner.member, '198.51.100.2', 7003, 800)).toBe('ETIMEDOUT');
    // And nothing from another network gets in.
    expect(await ask(open.member, inner.address, 80, 800)).toBe('ETIMEDOUT');
    // Its own subnet still works.
    const peer = await freshNamespace();
    await inner.n.connect(peer);
    expect(await ask(peer, inner.address, 80)).toMatch(/^198\.18\./);
  });

  it('sees what another process changed in between (the ruleset generation moved): no port given twice', async () => {
    const { n, member } = await networkWithMember();
    await n.publish(member, { hostPort: 8087, containerPort: 80 }); // this process now knows the rules
    const other = await runChild(['publish', n.name, member.name as string, '8088', '80']);
    expect(other.code).toBe(0);
    // Decided against what this process knew, the batch is refused as stale, read again: taken.
    await expect(n.publish(member, { hostPort: 8088, containerPort: 81 })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect((await n.ports()).map((p) => p.hostPort).sort()).toEqual([8087, 8088]);
  });

  it('lets another process list and remove what this one published; no table is left without networks', async () => {
    const { n, member, address } = await networkWithMember();
    const server = await whoAmIServer(member, address, 80);
    closers.push(() => server.close());
    await n.publish(member, { hostPort: 8086, containerPort: 80 });
    const listed = await runChild(['ports', n.name]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ network: n.name, protocol: 'tcp', hostPort: 8086, containerPort: 80, address }),
    ]);
    const removed = await runChild(['unpublish-all', n.name]);
    expect(removed.code).toBe(0);
    expect(await n.ports()).toEqual([]);
    expect(await ask(outside, '198.51.100.1', 8086)).toBe('ECONNREFUSED');
    // Every network gone: our table is gone too.
    for (const other of await Network.list()) await other.remove({ force: true });
    await waitFor(() => ourTables().length === 0, { what: 'the netns-native table to be removed' });
  });
});
