/**
 * The firewall layer of networks (lib/network/nat.ts) on its own, against the real kernel: our
 * nftables table as `nft -j` sees it, masquerade seen by an "outside" server, a published port
 * reached from outside and from the host, conflicts, and the table gone with the last network.
 * The Network-level behaviour (publish/unpublish through Network) is in network-nat.test.ts.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Bridge, Namespace, VethPair } from 'netns-native';
import { addNetwork, publications, publish, removeNetwork, unpublish } from '../../lib/network/nat';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { operational, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

function nftJson(): Array<Record<string, Record<string, unknown>>> {
  return (
    JSON.parse(run('nft', ['-j', 'list', 'ruleset'])) as { nftables: Array<Record<string, Record<string, unknown>>> }
  ).nftables;
}

/** A TCP server in `ns` that answers each connection with the address it came from. */
async function echoPeer(ns: Namespace, host: string, port: number): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined); // a client that resets is not this test's concern
    // Closed once the answer is sent: a client whose last FIN is lost (its path torn down right
    // after it read the answer) must not keep this socket, and the test process, waiting.
    s.end(`${s.remoteAddress}\n`, () => s.destroy());
  });
  await ns.listen(server, { host, port });
  return server;
}

async function fetchFrom(ns: Namespace, host: string, port: number): Promise<string> {
  const s = await ns.connect({ host, port, timeoutMs: 3000 });
  return new Promise((resolve, reject) => {
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => resolve(got.trim()));
    s.on('error', reject);
  });
}

describeKernel('firewall (nat.ts)', () => {
  const host = Namespace.current();
  const id = 'f'.repeat(12) + '0'.repeat(52);
  let outside: Namespace;
  let member: Namespace;
  let bridge: Bridge;
  let port: string; // the member's veth end on the bridge
  const servers: net.Server[] = [];

  beforeEach(async () => {
    // The outside world: a namespace linked to the host namespace by a veth.
    outside = await freshNamespace();
    const up = await VethPair.create({ name: uniqueName('up'), peerName: 'eth0', peerNamespace: outside });
    await up.local.addAddress('198.51.100.1/24');
    await up.peer.addAddress('198.51.100.2/24');
    await up.local.up();
    await up.peer.up();
    // A bridge network with one member.
    bridge = await Bridge.create(uniqueName('brt'));
    await bridge.addAddress('198.18.40.1/24');
    await bridge.up();
    member = await freshNamespace();
    const v = await VethPair.create({ name: uniqueName('vm'), peerName: 'eth0', peerNamespace: member });
    port = v.local.name;
    await bridge.addPort(v.local);
    await v.local.up();
    await v.peer.addAddress('198.18.40.2/24');
    await v.peer.up();
    await (await member.link('lo')).up();
    await member.addRoute({ destination: 'default', gateway: '198.18.40.1' });
    await operational(undefined, v.local.name, up.local.name, bridge.name);
    await operational(member.name, 'eth0');
    await operational(outside.name, 'eth0');
  });

  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    await removeNetwork(host, id, 'test cleanup').catch(() => undefined);
    await bridge.delete().catch(() => undefined);
  });

  const network = () => ({ id, bridge: bridge.name, internal: false, subnet: '198.18.40.0/24' });

  it('masquerades what members send out, in a table of its own; the table goes with the last network', async () => {
    await addNetwork(host, network(), 'add network');
    const tables = nftJson()
      .filter((o) => o.table)
      .map((o) => o.table as { family: string; name: string });
    expect(tables).toContainEqual(expect.objectContaining({ family: 'ip', name: 'netns-native' }));
    expect(run('cat', ['/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
    servers.push(await echoPeer(outside, '198.51.100.2', 7000));
    expect(await fetchFrom(member, '198.51.100.2', 7000)).toBe('198.51.100.1'); // the host's address
    await removeNetwork(host, id, 'remove network');
    expect(nftJson().some((o) => o.table && (o.table as { name: string }).name === 'netns-native')).toBe(false);
  });

  it('publishes a member port to the outside and to the host itself; unpublish takes it back', async () => {
    await addNetwork(host, network(), 'add network');
    servers.push(await echoPeer(member, '198.18.40.2', 80));
    const p = {
      networkId: id,
      protocol: 'tcp' as const,
      hostAddress: undefined,
      hostPort: 8080,
      address: '198.18.40.2',
      port: 80,
    };
    await publish(host, network(), p, 'publish');
    expect(await publications(host, id, 'list')).toEqual([{ ...p, networkId: id.slice(0, 12) }]);
    expect(await fetchFrom(outside, '198.51.100.1', 8080)).toBe('198.51.100.2');
    expect(await fetchFrom(host, '198.51.100.1', 8080)).toMatch(/^198\.18\.40\.1$|^198\.51\.100\.1$/);
    expect(await fetchFrom(host, '127.0.0.1', 8080)).toBe('198.18.40.1'); // masqueraded onto the bridge
    // The same port again, on every address or on one: taken.
    await expect(publish(host, network(), { ...p, port: 81 }, 'again')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(publish(host, network(), { ...p, hostAddress: '198.51.100.1' }, 'again')).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    // UDP on the same port is another publication.
    await publish(host, network(), { ...p, protocol: 'udp' }, 'udp');
    await unpublish(host, p, 'unpublish');
    await expect(fetchFrom(outside, '198.51.100.1', 8080)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(unpublish(host, p, 'twice')).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await publications(host, id, 'list')).map((q) => q.protocol)).toEqual(['udp']);
  });

  const short = id.slice(0, 12);
  type Map = { name: string; family: string; type: string[]; map: string; elem?: unknown[] };
  const maps = (): Map[] => nftJson().flatMap((o) => (o.map ? [o.map as unknown as Map] : []));
  const rules = (): Array<{ chain: string; comment?: string }> =>
    nftJson().flatMap((o) => (o.rule ? [o.rule as unknown as { chain: string; comment?: string }] : []));

  it('makes a publication one element of the network map: no rule of its own', async () => {
    await addNetwork(host, network(), 'add network');
    expect(maps().map((m) => [m.family, m.name, m.type.join(' . '), m.map])).toEqual([
      ['ip', `pub-any-${short}`, 'inet_proto . inet_service', 'ipv4_addr . inet_service'],
      ['ip', `pub-addr-${short}`, 'ipv4_addr . inet_proto . inet_service', 'ipv4_addr . inet_service'],
    ]);
    const before = rules();
    const p = {
      networkId: id,
      protocol: 'udp' as const,
      hostAddress: undefined,
      hostPort: 5353,
      address: '198.18.40.2',
      port: 53,
    };
    await publish(host, network(), p, 'publish');
    await publish(
      host,
      network(),
      { ...p, protocol: 'tcp', hostAddress: '198.51.100.1', hostPort: 8443, port: 443 },
      'one',
    );
    expect(rules()).toEqual(before);
    const elements = Object.fromEntries(maps().map((m) => [m.name, m.elem]));
    expect(elements[`pub-any-${short}`]).toEqual([[{ concat: ['udp', 5353] }, { concat: ['198.18.40.2', 53] }]]);
    expect(elements[`pub-addr-${short}`]).toEqual([
      [{ concat: ['198.51.100.1', 'tcp', 8443] }, { concat: ['198.18.40.2', 443] }],
    ]);
    await unpublish(host, p, 'unpublish');
    expect(maps().find((m) => m.name === `pub-any-${short}`)?.elem).toBeUndefined();
    expect(rules()).toEqual(before);
  });

  it('keeps IPv6 publications in the ip6 maps, host addresses in their canonical form', async () => {
    const net6 = { ...network(), ipv6Subnet: 'fd00:40::/64' };
    await addNetwork(host, net6, 'add network');
    expect(maps().map((m) => `${m.family} ${m.name}`)).toEqual([
      `ip pub-any-${short}`,
      `ip pub-addr-${short}`,
      `ip6 pub-any-${short}`,
      `ip6 pub-addr-${short}`,
    ]);
    const p = {
      networkId: id,
      protocol: 'tcp' as const,
      hostAddress: 'FD00:0:0::1',
      hostPort: 8443,
      address: 'fd00:40:0::2',
      port: 443,
    };
    await publish(host, net6, p, 'publish');
    const elem = maps().find((m) => m.family === 'ip6' && m.name === `pub-addr-${short}`)?.elem;
    expect(elem).toEqual([[{ concat: ['fd00::1', 'tcp', 8443] }, { concat: ['fd00:40::2', 443] }]]);
    // The same address written otherwise is the same publication: taken, and unpublished by it.
    await expect(publish(host, net6, { ...p, hostAddress: 'fd00::1', port: 444 }, 'again')).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    const listed = { ...p, networkId: short, hostAddress: 'fd00::1', address: 'fd00:40::2' };
    expect(await publications(host, id, 'list')).toEqual([listed]);
    await unpublish(host, { ...p, hostAddress: 'fd00:0::1' }, 'unpublish');
    expect(await publications(host, id, 'list')).toEqual([]);
  });

  it('decides conflicts per family: every address of one family leaves the other free', async () => {
    const net6 = { ...network(), ipv6Subnet: 'fd00:40::/64' };
    await addNetwork(host, net6, 'add network');
    const v4 = {
      networkId: id,
      protocol: 'tcp' as const,
      hostAddress: undefined,
      hostPort: 8444,
      address: '198.18.40.2',
      port: 443,
    };
    const v6 = { ...v4, address: 'fd00:40::2' };
    await publish(host, net6, v4, 'every IPv4 address');
    await publish(host, net6, { ...v6, hostAddress: 'fd00::1' }, 'one IPv6 address');
    await publish(host, net6, { ...v4, hostPort: 8445, hostAddress: '198.51.100.1' }, 'one IPv4 address');
    await publish(host, net6, { ...v6, hostPort: 8445 }, 'every IPv6 address');
    // Within a family, as before.
    await expect(publish(host, net6, { ...v6, port: 444 }, 'again')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(publish(host, net6, { ...v4, hostPort: 8445 }, 'again')).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    const elements = maps().map((m) => `${m.family} ${m.name} ${JSON.stringify(m.elem ?? [])}`);
    expect(elements).toEqual([
      `ip pub-any-${short} [[{"concat":["tcp",8444]},{"concat":["198.18.40.2",443]}]]`,
      `ip pub-addr-${short} [[{"concat":["198.51.100.1","tcp",8445]},{"concat":["198.18.40.2",443]}]]`,
      `ip6 pub-any-${short} [[{"concat":["tcp",8445]},{"concat":["fd00:40::2",443]}]]`,
      `ip6 pub-addr-${short} [[{"concat":["fd00::1","tcp",8444]},{"concat":["fd00:40::2",443]}]]`,
    ]);
  });

  it('replaces the IPv6 rules of a table made before ::1 was refused when publishing: no loopback masquerade, no DNAT of ::1', async () => {
    // The layout before: `ip6 saddr ::1 oifname BRIDGE masquerade`, and output lookups that took
    // ::1 too, so that [::1]:PORT of a port published on every address was a black hole.
    const net = `nn net ${short}`;
    const br = bridge.name;
    const table = (family: string, addr: string, subnet: string, loopback: string) => `table ${family} netns-native {
  map pub-any-${short} { type inet_proto . inet_service : ${addr} . inet_service; }
  map pub-addr-${short} { type ${addr} . inet_proto . inet_service : ${addr} . inet_service; }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local dnat ${family} to meta l4proto . th dport map @pub-any-${short} comment "${net}"
    dnat ${family} to ${family} daddr . meta l4proto . th dport map @pub-addr-${short} comment "${net}"
  }
  chain output {
    type nat hook output priority -100; policy accept;
    fib daddr type local dnat ${family} to meta l4proto . th dport map @pub-any-${short} comment "${net}"
    dnat ${family} to ${family} daddr . meta l4proto . th dport map @pub-addr-${short} comment "${net}"
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ${family} saddr ${subnet} oifname != "${br}" masquerade comment "${net}"
    ${family} saddr ${loopback} oifname "${br}" masquerade comment "${net}"
    ${family} saddr ${subnet} oifname "${br}" ct status dnat masquerade comment "${net}"
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${br}" oifname != "${br}" ct status ! dnat jump isolation comment "${net}"
  }
  chain isolation {
    oifname "${br}" drop comment "${net}"
  }
}
`;
    run(
      'nft',
      ['-f', '-'],
      table('ip', 'ipv4_addr', '198.18.40.0/24', '127.0.0.0/8') +
        table('ip6', 'ipv6_addr', 'fd00:40::/64', '::1') +
        `add element ip6 netns-native pub-any-${short} { tcp . 8080 : fd00:40::2 . 80 }\n`,
    );
    const net6 = { ...network(), ipv6Subnet: 'fd00:40::/64' };
    const p = {
      networkId: id,
      protocol: 'tcp' as const,
      hostAddress: undefined,
      hostPort: 8081,
      address: 'fd00:40::2',
      port: 80,
    };
    // A publication brings the network's rules up to date, in its batch.
    await publish(host, net6, p, 'publish');
    const text = run('nft', ['list', 'table', 'ip6', 'netns-native']);
    expect(text).not.toContain('saddr ::1');
    expect(text).toContain(
      `ip6 daddr != ::1 fib daddr type local dnat ip6 to meta l4proto . th dport map @pub-any-${short}`,
    );
    expect(text).toContain(`ip6 daddr != ::1 dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub-addr-${short}`);
    expect(run('nft', ['list', 'table', 'ip', 'netns-native'])).toContain('ip saddr 127.0.0.0/8');
    expect((await publications(host, id, 'list')).map((q) => q.hostPort).sort()).toEqual([8080, 8081]);
    // [::1]:8080 is the host's own port again: nothing listens, refused at once (not a time-out).
    await expect(fetchFrom(host, '::1', 8080)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const rulesNow = rules();
    await addNetwork(host, net6, 'again');
    expect(rules()).toEqual(rulesNow);
  });

  it('refuses a host port another network has (the maps are per network: decided in JS)', async () => {
    const other = await Bridge.create(uniqueName('brt'));
    const id2 = 'e'.repeat(12) + '0'.repeat(52);
    const net2 = { id: id2, bridge: other.name, internal: false, subnet: '198.18.41.0/24' };
    try {
      await addNetwork(host, network(), 'add network');
      await addNetwork(host, net2, 'add network 2');
      const p = {
        networkId: id,
        protocol: 'tcp' as const,
        hostAddress: undefined,
        hostPort: 7070,
        address: '198.18.40.2',
        port: 70,
      };
      await publish(host, network(), p, 'publish');
      const q = { ...p, networkId: id2, address: '198.18.41.2' };
      await expect(publish(host, net2, q, 'any')).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(publish(host, net2, { ...q, hostAddress: '198.51.100.1' }, 'one')).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
      await publish(host, net2, { ...q, protocol: 'udp' }, 'udp');
      expect((await publications(host, undefined, 'list')).map((x) => `${x.networkId} ${x.protocol}`).sort()).toEqual([
        `${id2.slice(0, 12)} udp`,
        `${short} tcp`,
      ]);
      // Removing one network takes its maps and publications, and leaves the other's.
      await removeNetwork(host, id2, 'remove network 2');
      expect(maps().map((m) => m.name)).toEqual([`pub-any-${short}`, `pub-addr-${short}`]);
      expect(await publications(host, undefined, 'list')).toEqual([{ ...p, networkId: short }]);
    } finally {
      await removeNetwork(host, id2, 'cleanup').catch(() => undefined);
      await other.delete();
    }
  });

  it('refuses a key another process put in the map meanwhile (EADDRINUSE), whatever this one knew', async () => {
    await addNetwork(host, network(), 'add network');
    const p = {
      networkId: id,
      protocol: 'tcp' as const,
      hostAddress: undefined,
      hostPort: 9090,
      address: '198.18.40.2',
      port: 90,
    };
    await publications(host, id, 'list'); // this process now knows the table
    run('nft', ['add', 'element', 'ip', 'netns-native', `pub-any-${short}`, '{ tcp . 9090 : 198.18.40.3 . 99 }']);
    await expect(publish(host, network(), p, 'publish')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(await publications(host, id, 'list')).toEqual([
      { ...p, networkId: short, address: '198.18.40.3', port: 99 },
    ]);
  });

  it('drops the elements earlier versions made for host addresses no packet is sent to (0.0.0.0, ::, ...), keeping the rest', async () => {
    const net6 = { ...network(), ipv6Subnet: 'fd00:40::/64' };
    await addNetwork(host, net6, 'add network');
    const to4 = '198.18.40.2 . 80';
    const to6 = 'fd00:40::2 . 80';
    const stale = [
      ['ip', `0.0.0.0 . tcp . 8088 : ${to4}`],
      ['ip', `224.0.0.1 . tcp . 8089 : ${to4}`],
      ['ip', `255.255.255.255 . udp . 8090 : ${to4}`],
      ['ip6', `:: . tcp . 8088 : ${to6}`],
      ['ip6', `::1 . tcp . 8093 : ${to6}`],
      ['ip6', `fe80::1 . tcp . 8094 : ${to6}`],
      ['ip6', `::ffff:198.51.100.1 . tcp . 8095 : ${to6}`],
      ['ip6', `ff02::1 . tcp . 8096 : ${to6}`],
    ];
    // Kept: one of the host's addresses, and addresses it does not have (now, at least).
    const kept = [
      ['ip', `198.51.100.1 . tcp . 8091 : ${to4}`],
      ['ip', `198.51.100.77 . tcp . 8092 : ${to4}`],
      ['ip6', `fd00:99::1 . tcp . 8092 : ${to6}`],
    ];
    const inject = () => {
      for (const [family, element] of [...stale, ...kept]) {
        run('nft', ['add', 'element', family as string, 'netns-native', `pub-addr-${short}`, `{ ${element} }`]);
      }
    };
    const hostPorts = async () =>
      (await publications(host, id, 'list')).map((p) => `${p.hostAddress ?? '*'} ${p.protocol}/${p.hostPort}`).sort();
    const keptPorts = ['198.51.100.1 tcp/8091', '198.51.100.77 tcp/8092', 'fd00:99::1 tcp/8092'];
    inject();
    expect(await hostPorts()).toHaveLength(stale.length + kept.length); // listed as they are
    // The network's rules brought up to date (what Network.open() does): the stale ones go, and
    // nothing else changes.
    const rulesBefore = rules();
    await addNetwork(host, net6, 'open network');
    expect(await hostPorts()).toEqual(keptPorts);
    expect(rules()).toEqual(rulesBefore);
    // A publication on the network: a stale element takes no port (0.0.0.0:8088 is not every
    // address), and goes in the same batch.
    for (const [family, element] of stale) {
      run('nft', ['add', 'element', family as string, 'netns-native', `pub-addr-${short}`, `{ ${element} }`]);
    }
    const p = {
      networkId: id,
      protocol: 'tcp' as const,
      hostAddress: undefined,
      hostPort: 8088,
      address: '198.18.40.2',
      port: 80,
    };
    await publish(host, net6, p, 'publish');
    expect(await hostPorts()).toEqual(['* tcp/8088', ...keptPorts]);
    expect(rules()).toEqual(rulesBefore);
  });

  it("turns the previous version's publication rules into elements when it meets them", async () => {
    // Version 0.1.0's table: the network's rules, and a publication as three commented rules.
    const net = `nn net ${short}`;
    const pub = `nn pub ${short} tcp * 8080 198.18.40.2 80`;
    const br = bridge.name;
    run(
      'nft',
      ['-f', '-'],
      `table ip netns-native {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname != "${br}" fib daddr type local tcp dport 8080 dnat to 198.18.40.2:80 comment "${pub}"
  }
  chain output {
    type nat hook output priority -100; policy accept;
    fib daddr type local tcp dport 8080 dnat to 198.18.40.2:80 comment "${pub}"
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 198.18.40.0/24 oifname != "${br}" masquerade comment "${net}"
    ip saddr 127.0.0.0/8 oifname "${br}" masquerade comment "${pub}"
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${br}" oifname != "${br}" jump isolation comment "${net}"
  }
  chain isolation {
    oifname "${br}" drop comment "${net}"
  }
}
`,
    );
    servers.push(await echoPeer(member, '198.18.40.2', 80));
    // The version that made the table had switched forwarding on (this test may run alone).
    fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
    expect(await fetchFrom(outside, '198.51.100.1', 8080)).toBe('198.51.100.2'); // the old rules work
    await addNetwork(host, network(), 'add network');
    expect(rules().filter((r) => r.comment?.startsWith('nn pub'))).toEqual([]);
    const any = maps().find((m) => m.name === `pub-any-${short}`);
    expect(any?.elem).toEqual([[{ concat: ['tcp', 8080] }, { concat: ['198.18.40.2', 80] }]]);
    expect(await publications(host, id, 'list')).toEqual([
      { networkId: short, protocol: 'tcp', hostAddress: undefined, hostPort: 8080, address: '198.18.40.2', port: 80 },
    ]);
    expect(await fetchFrom(outside, '198.51.100.1', 8080)).toBe('198.51.100.2');
    expect(await fetchFrom(host, '127.0.0.1', 8080)).toBe('198.18.40.1');
    // Once converted, nothing more to do; and it goes like any publication.
    const rulesNow = rules();
    await addNetwork(host, network(), 'again');
    expect(rules()).toEqual(rulesNow);
    await unpublish(
      host,
      { networkId: id, protocol: 'tcp', hostAddress: undefined, hostPort: 8080, address: '198.18.40.2', port: 80 },
      'unpublish',
    );
    await expect(fetchFrom(outside, '198.51.100.1', 8080)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('replaces the rules of a table made before the hairpin, keeping its publications: members reach them too', async () => {
    // The layout before: prerouting skipped the network's own bridge, no hairpin masquerade, and
    // isolation also between a network and the ports another one published.
    const net = `nn net ${short}`;
    const br = bridge.name;
    const map = (name: string, key: string) => `map ${name}-${short} { type ${key} : ipv4_addr . inet_service; }`;
    run(
      'nft',
      ['-f', '-'],
      `table ip netns-native {
  ${map('pub-any', 'inet_proto . inet_service')}
  ${map('pub-addr', 'ipv4_addr . inet_proto . inet_service')}
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname != "${br}" fib daddr type local dnat ip to meta l4proto . th dport map @pub-any-${short} comment "${net}"
    iifname != "${br}" dnat ip to ip daddr . meta l4proto . th dport map @pub-addr-${short} comment "${net}"
  }
  chain output {
    type nat hook output priority -100; policy accept;
    fib daddr type local dnat ip to meta l4proto . th dport map @pub-any-${short} comment "${net}"
    dnat ip to ip daddr . meta l4proto . th dport map @pub-addr-${short} comment "${net}"
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 198.18.40.0/24 oifname != "${br}" masquerade comment "${net}"
    ip saddr 127.0.0.0/8 oifname "${br}" masquerade comment "${net}"
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${br}" oifname != "${br}" jump isolation comment "${net}"
  }
  chain isolation {
    oifname "${br}" drop comment "${net}"
  }
}
add element ip netns-native pub-any-${short} { tcp . 8080 : 198.18.40.2 . 80 }
`,
    );
    // The member's own port on the bridge in hairpin mode, as Network.connect makes it.
    run('ip', ['link', 'set', 'dev', port, 'type', 'bridge_slave', 'hairpin', 'on']);
    servers.push(await echoPeer(member, '198.18.40.2', 80));
    await expect(fetchFrom(member, '198.51.100.1', 8080)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await addNetwork(host, network(), 'add network');
    const text = run('nft', ['list', 'table', 'ip', 'netns-native']);
    expect(text).not.toContain('iifname !=');
    expect(text).toContain(`ip saddr 198.18.40.0/24 oifname "${br}" ct status dnat masquerade`);
    expect(text).toContain(`iifname "${br}" oifname != "${br}" ct status ! dnat jump isolation`);
    expect(await publications(host, id, 'list')).toEqual([
      { networkId: short, protocol: 'tcp', hostAddress: undefined, hostPort: 8080, address: '198.18.40.2', port: 80 },
    ]);
    expect(await fetchFrom(outside, '198.51.100.1', 8080)).toBe('198.51.100.2');
    expect(await fetchFrom(member, '198.51.100.1', 8080)).toBe('198.18.40.1'); // back through the host
    const rulesNow = rules();
    await addNetwork(host, network(), 'again');
    expect(rules()).toEqual(rulesNow);
  });
});
