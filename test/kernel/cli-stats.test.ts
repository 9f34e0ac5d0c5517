/**
 * Link counters: link.stats (every field of IFLA_STATS64) and the command's `-s` / `-s -s` on
 * link show and addr show, against `ip -s` after a known number of UDP datagrams between two
 * namespaces over a veth. IPv6 is off and the neighbours are static, so nothing else crosses
 * the link: the counts are exact, and ip's and the command's reads see the same counters.
 * IPv6's own counters (link.ipv6Stats, `-6 -s addr show`) after UDP over IPv6, and ICMPv6's
 * (link.icmp6Stats) after a ping, against /proc/net/dev_snmp6 and `ip -6 -s`. Addresses from 198.19.245.0/24 and fd00:aa::/32 only.
 */
import type { Link, Namespace } from 'netns-native';
import { VethPair } from 'netns-native';
import { cli, usage } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipLinkStats, operational, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** UDP payload bytes per datagram, and what one takes on the wire: Ethernet 14, IPv4 20, UDP 8. */
const PAYLOAD = 100;
const FRAME = PAYLOAD + 14 + 20 + 8;

/** Sends `count` datagrams from `from` to `address` in `to`, and waits until all arrived. */
async function datagrams(from: Namespace, to: Namespace, address: string, count: number): Promise<void> {
  const type = address.includes(':') ? 'udp6' : 'udp4';
  const receiver = await to.createUdpSocket(type, { address });
  const sender = await from.createUdpSocket(type);
  try {
    let received = 0;
    receiver.on('message', () => received++);
    const port = receiver.address().port;
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) =>
        sender.send(Buffer.alloc(PAYLOAD, i), port, address, (e) => (e ? reject(e) : resolve())),
      );
    }
    await waitFor(() => received === count, { what: `${count} datagrams to ${address}` });
  } finally {
    sender.close();
    receiver.close();
  }
}

/** Sends `count` datagrams to `address`, for which the sender has a neighbour entry of no host. */
async function blindDatagrams(from: Namespace, address: string, count: number): Promise<void> {
  const sender = await from.createUdpSocket('udp4');
  try {
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) =>
        sender.send(Buffer.alloc(PAYLOAD), 9, address, (e) => (e ? reject(e) : resolve())),
      );
    }
  } finally {
    sender.close();
  }
}

/**
 * x and y joined by a veth (a in x, b in y) with the two addresses given (IPv4: IPv6 off; IPv6:
 * no DAD), static neighbours, and a known count of datagrams each way.
 */
async function joined(
  [ax, by]: [string, string],
  [toY, toX]: [number, number],
): Promise<{ x: Namespace; y: Namespace; a: Link; b: Link }> {
  const ipv6 = ax.includes(':');
  const x = await freshNamespace();
  const y = await freshNamespace();
  for (const ns of ipv6 ? [] : [x, y]) {
    await ns.setSysctl('net.ipv6.conf.all.disable_ipv6', 1);
    await ns.setSysctl('net.ipv6.conf.default.disable_ipv6', 1);
  }
  const { local: a, peer: b } = await VethPair.create({
    name: uniqueName('s'),
    peerName: uniqueName('t'),
    namespace: x,
    peerNamespace: y,
  });
  const prefix = ipv6 ? 64 : 24;
  await a.addAddress(`${ax}/${prefix}`, ipv6 ? { nodad: true } : {});
  await b.addAddress(`${by}/${prefix}`, ipv6 ? { nodad: true } : {});
  await x.addNeighbour({ link: a, address: by, mac: b.mac });
  await y.addNeighbour({ link: b, address: ax, mac: a.mac });
  await a.up();
  await b.up();
  await operational(x.name, a.name);
  await operational(y.name, b.name);
  await datagrams(x, y, by, toY);
  if (toX > 0) await datagrams(y, x, ax, toX);
  return { x, y, a, b };
}

/** 198.19.245.1 in x, .2 in y, IPv6 off; 7 datagrams from x to y, 3 back. */
const trafficked = (): ReturnType<typeof joined> => joined(['198.19.245.1', '198.19.245.2'], [7, 3]);

/** ip's text without the trailing blanks it leaves on its lines; -j: the JSON, keys in order. */
function normalized(text: string, json: boolean): string {
  return json ? JSON.stringify(JSON.parse(text)) : text.replace(/[ \t]+$/gm, '');
}

/**
 * `netns-native -n NS ARGS` prints exactly what `ip -n NS ARGS` prints. Read again (bounded) if
 * ip's own two reads around the command's differ: counters the kernel moved meanwhile.
 */
async function sameAsIp(ns: string, line: string): Promise<void> {
  const args = line.split(' ');
  const json = args.includes('-j');
  for (let attempt = 1; ; attempt++) {
    const before = normalized(ip(ns, ...args), json);
    const run = await cli('-n', ns, ...args);
    if (before !== normalized(ip(ns, ...args), json) && attempt < 5) continue;
    expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
    expect([line, normalized(run.stdout, json)]).toEqual([line, before]);
    return;
  }
}

describeKernel('link counters (link.stats, -s)', () => {
  jest.setTimeout(600_000);

  it('link.stats has every counter ip -s -s reads, and the known traffic exactly', async () => {
    const { x, y, a, b } = await trafficked();
    const mine = (await x.link(a.name)).stats;
    const theirs = ipLinkStats(x.name, a.name);
    expect(mine).toEqual(theirs.stats);
    expect(mine).toMatchObject({ txPackets: 7, txBytes: 7 * FRAME, rxPackets: 3, rxBytes: 3 * FRAME });
    expect((await x.link(a.name)).details.carrierChanges).toBe(theirs.carrierChanges);
    // The same through a dump with stats and through refresh(), on the other end.
    const listed = (await y.links({ stats: true })).find((l) => l.name === b.name);
    expect(listed?.stats).toEqual(ipLinkStats(y.name, b.name).stats);
    await b.refresh();
    expect(b.stats).toMatchObject({ txPackets: 3, txBytes: 3 * FRAME, rxPackets: 7, rxBytes: 7 * FRAME });
    expect(Object.keys(b.stats ?? {}).length).toBe(25);
  });

  it('link show -s, -s -s, as ip prints them (text and -j)', async () => {
    const { x, y, a, b } = await trafficked();
    const lines = [
      `-s link show dev ${a.name}`,
      `-s -s link show dev ${a.name}`,
      '-s link show',
      '-s -s link show',
      `-stats link show ${a.name}`,
      `-statistics -s link show ${a.name}`,
      `--stats -d link show dev ${a.name}`,
      `-s -s -d link show dev ${a.name}`,
      // Without -s too: a and its peer have the same index (2) in their namespaces, which ip
      // prints (a@if2); the command printed a alone.
      `link show dev ${a.name}`,
    ];
    for (const line of lines) {
      await sameAsIp(x.name as string, line);
      await sameAsIp(x.name as string, `-j ${line}`);
    }
    await sameAsIp(y.name as string, `-s -s link show dev ${b.name}`);
    await sameAsIp(y.name as string, `-j -s -s link show dev ${b.name}`);
  });

  it('addr show -s, -s -s, as ip prints them (text and -j)', async () => {
    const { x, a } = await trafficked();
    const lines = [
      `-s addr show dev ${a.name}`,
      `-s -s addr show dev ${a.name}`,
      '-s addr show',
      '-s -s addr show',
      '-s -4 addr show',
      `-s -6 addr show dev ${a.name}`,
      `-s addr show label ${a.name}*`,
      // Without the link layer's line, ip prints link-netns on the first; the command left it out.
      '-4 addr show',
    ];
    for (const line of lines) {
      await sameAsIp(x.name as string, line);
      await sameAsIp(x.name as string, `-j ${line}`);
    }
  });

  it('-s -s prints otherhost when frames for another MAC were dropped', async () => {
    const { x, y, a, b } = await trafficked();
    // A neighbour whose MAC nobody has: the frames reach b, which drops them as not its own.
    await x.addNeighbour({ link: a, address: '198.19.245.9', mac: '02:00:00:00:00:99' });
    await blindDatagrams(x, '198.19.245.9', 4);
    await waitFor(() => ipLinkStats(y.name, b.name).stats.rxOtherhostDropped === 4, { what: 'otherhost drops' });
    await b.refresh();
    expect(b.stats).toMatchObject({ rxOtherhostDropped: 4, rxPackets: 11 });
    await sameAsIp(y.name as string, `-s -s link show dev ${b.name}`);
    await sameAsIp(y.name as string, `-j -s -s link show dev ${b.name}`);
    await sameAsIp(y.name as string, `-s -s addr show dev ${b.name}`);
    // One -s: no otherhost.
    await sameAsIp(y.name as string, `-j -s link show dev ${b.name}`);
  });

  it('-s: links and addrs ignore it as ip -br does; elsewhere it is a usage error', async () => {
    const { x } = await trafficked();
    const name = x.name as string;
    for (const verb of ['links', 'addrs']) {
      const plain = await cli(verb, name);
      expect(await cli('-s', verb, name)).toEqual(plain);
    }
    await usage(
      'netns',
      /-s is for the shows of link, addr, neigh, route, rule and nexthop, links and addrs only/,
      '-s',
      'netns',
      'list',
    );
    await usage('rule', /-s is for rule show only/, '-n', name, '-s', 'rule', 'flush');
    await usage('nexthop', /-s is for nexthop show only/, '-n', name, '-s', 'nexthop', 'flush');
    await usage('link', /-s is for link show only/, '-n', name, '-s', 'link', 'set', 'lo', 'up');
    await usage('addr', /-s is for addr show only/, '-n', name, '-s', 'addr', 'flush', 'dev', 'lo');
    await usage('link', /unknown option "-statisticsx"/, '-statisticsx', 'link');
  });
});

/** /proc/net/dev_snmp6/LINK in `ns`: IPv6's counters by their kernel names (Ip6InReceives, ...). */
function devSnmp6(ns: string, link: string): Record<string, number> {
  const text = run('ip', ['netns', 'exec', ns, 'cat', `/proc/net/dev_snmp6/${link}`]);
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/))
      .map(([name, value]) => [name as string, Number(value)]),
  );
}

describeKernel("IPv6's own counters (link.ipv6Stats, icmp6Stats, -6 -s addr show)", () => {
  jest.setTimeout(600_000);

  /** fd00:aa::1 in x, ::2 in y (no DAD, static neighbours); 7 datagrams from x to y. */
  const trafficked6 = (): ReturnType<typeof joined> => joined(['fd00:aa::1', 'fd00:aa::2'], [7, 0]);

  it('link.ipv6Stats holds every counter /proc/net/dev_snmp6 shows, by its name', async () => {
    const { y, b } = await trafficked6();
    const name = y.name as string;
    // The kernel's own IPv6 traffic (MLD reports) may move the counters between reads: read
    // /proc on both sides of the library's read, again (bounded) until they agree.
    for (let attempt = 1; ; attempt++) {
      const before = devSnmp6(name, b.name);
      const mine = (await y.link(b.name)).ipv6Stats;
      const after = devSnmp6(name, b.name);
      if (JSON.stringify(before) !== JSON.stringify(after) && attempt < 5) continue;
      const ip6 = Object.entries(before).filter(([k]) => k.startsWith('Ip6'));
      expect(ip6.length).toBeGreaterThan(25);
      for (const [kernelName, value] of ip6) {
        const key = kernelName.charAt(3).toLowerCase() + kernelName.slice(4);
        expect([kernelName, (mine as unknown as Record<string, number> | undefined)?.[key]]).toEqual([
          kernelName,
          value,
        ]);
      }
      expect(mine?.inDelivers).toBeGreaterThanOrEqual(7);
      break;
    }
    // Read in a dump with statistics too, and not without them (the kernel leaves them out).
    expect(
      (await y.links({ stats: true })).find((l) => l.name === b.name)?.ipv6Stats?.inDelivers,
    ).toBeGreaterThanOrEqual(7);
    expect((await y.links()).find((l) => l.name === b.name)?.ipv6Stats).toBeUndefined();
    // lo is in IPv6's dump; a link without IPv6 (MTU below 1280) has no IPv6 counters.
    await b.setMtu(1000);
    await b.refresh();
    expect(b.stats).toBeDefined();
    expect(b.ipv6Stats).toBeUndefined();
  });

  it('link.icmp6Stats holds the ICMPv6 counters /proc/net/dev_snmp6 shows, by their names', async () => {
    const { x, y, b } = await trafficked6();
    // Three echo requests in, three replies out, on top of whatever the kernel sent itself.
    const ping = await x.ping('fd00:aa::2', { count: 3, intervalMs: 10 });
    expect(ping.received).toBe(3);
    const name = y.name as string;
    // Only the ICMP6_MIB_* counters are sent over netlink, not the per-type ones (Icmp6InEchos).
    const sent = ['Icmp6InMsgs', 'Icmp6InErrors', 'Icmp6OutMsgs', 'Icmp6OutErrors', 'Icmp6InCsumErrors'];
    for (let attempt = 1; ; attempt++) {
      const before = devSnmp6(name, b.name);
      const mine = (await y.link(b.name)).icmp6Stats;
      const after = devSnmp6(name, b.name);
      if (JSON.stringify(before) !== JSON.stringify(after) && attempt < 5) continue;
      for (const kernelName of sent) {
        const key = kernelName.charAt(5).toLowerCase() + kernelName.slice(6);
        expect([kernelName, (mine as unknown as Record<string, number> | undefined)?.[key]]).toEqual([
          kernelName,
          before[kernelName],
        ]);
      }
      expect(mine?.inMsgs).toBeGreaterThanOrEqual(3);
      expect(mine?.outMsgs).toBeGreaterThanOrEqual(3);
      break;
    }
    expect((await y.links({ stats: true })).find((l) => l.name === b.name)?.icmp6Stats?.inMsgs).toBeGreaterThanOrEqual(
      3,
    );
    expect((await y.links()).find((l) => l.name === b.name)?.icmp6Stats).toBeUndefined();
    await b.setMtu(1000);
    await b.refresh();
    expect(b.stats).toBeDefined();
    expect(b.icmp6Stats).toBeUndefined();
  });

  it("-6 -s addr show, -s -s: as ip prints them, with the counters read in the running kernel's order", async () => {
    // ip 6.1 reads IFLA_INET6_STATS in the order of its own headers (before Linux 6.15), so on a
    // newer kernel its numbers come from other counters: the lines are compared with ip's but
    // for the numbers, and the numbers with /proc/net/dev_snmp6 (ip's get_snmp_counters: RX
    // InReceives, InOctets, InDiscards, InMcastPkts; TX OutRequests, OutOctets, OutDiscards).
    const { x, y, a, b } = await trafficked6();
    // Each line of counters as its count of numbers (their widths follow the numbers).
    const numbersMasked = (text: string): string =>
      normalized(text, false).replace(/^ +[0-9][0-9 ]*$/gm, (line) =>
        line
          .trim()
          .replace(/[0-9]+/g, 'N')
          .replace(/ +/g, ' '),
      );
    for (const [ns, link] of [
      [x, a],
      [y, b],
    ] as const) {
      const name = ns.name as string;
      for (const line of [
        '-6 -s addr show',
        '-6 -s -s addr show',
        '-6 -s addr show up',
        '-6 -s addr show scope global',
      ]) {
        const args = line.split(' ');
        for (let attempt = 1; ; attempt++) {
          const before = devSnmp6(name, link.name);
          const text = await cli('-n', name, ...args);
          const json = await cli('-n', name, '-j', ...args);
          const after = devSnmp6(name, link.name);
          if (JSON.stringify(before) !== JSON.stringify(after) && attempt < 5) continue;
          expect([line, text.code, text.stderr, json.code]).toEqual([line, 0, '', 0]);
          expect([line, numbersMasked(text.stdout)]).toEqual([line, numbersMasked(ip(name, ...args))]);
          const ifname = (l: Record<string, unknown>): boolean => l.ifname === link.name;
          const mine = (JSON.parse(json.stdout) as Array<Record<string, unknown>>).find(ifname);
          const theirs = (JSON.parse(ip(name, '-j', ...args)) as Array<Record<string, unknown>>).find(ifname);
          const { stats64, ...rest } = mine ?? {};
          const { stats64: _theirs, ...theirRest } = theirs ?? {};
          expect([line, rest, _theirs === undefined]).toEqual([line, theirRest, false]);
          expect(stats64).toMatchObject({
            rx: {
              packets: before.Ip6InReceives,
              bytes: before.Ip6InOctets,
              errors: before.Ip6InDiscards,
              multicast: before.Ip6InMcastPkts,
            },
            tx: { packets: before.Ip6OutRequests, bytes: before.Ip6OutOctets, errors: before.Ip6OutDiscards },
          });
          break;
        }
      }
    }
  });
});
