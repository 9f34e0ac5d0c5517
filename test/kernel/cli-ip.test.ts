/**
 * The `netns-native` command's ip-style verbs (netns, link, addr, route), run as a process, with
 * `ip -j` as the witness of what each left in the kernel: in a named namespace through -n, and
 * in the namespace the command runs in. Bad command lines exit 2 naming the word; refusals exit
 * 1 with the code, and leave what they found.
 */
import { Namespace, VethPair } from 'netns-native';
import { cli, fails, ok, usage } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ip, ipJson, link, routes, routes6, type IpLink } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** A command line written as one string: its words. */
const w = (line: string): string[] => line.split(' ');

/** The named link as `ip -j -d link show` describes it (it must exist). */
function shown(ns: string | undefined, name: string): IpLink & Record<string, unknown> {
  const l = link(ns, name);
  if (l === undefined) throw new Error(`ip shows no link ${name} in ${ns ?? 'the current namespace'}`);
  return l as IpLink & Record<string, unknown>;
}

describeKernel('netns-native netns', () => {
  it('netns add NAME / delete NAME / attach NAME PID: what ip netns list shows; a name taken or missing: status 1', async () => {
    const name = uniqueName();
    try {
      await ok('netns', 'add', name);
      expect(ip(undefined, 'netns', 'list')).toContain(name);
      // As ip netns add: a namespace with lo, down.
      expect(ipJson<IpLink[]>(name, 'link', 'show').map((l) => [l.ifname, l.flags.includes('UP')])).toEqual([
        ['lo', false],
      ]);
      expect((await cli('netns')).stdout.split('\n')).toContain(name);
      expect((await fails('EEXIST', 'netns', 'add', name)).includes(name)).toBe(true);
      await ok('netns', 'delete', name);
      expect(ip(undefined, 'netns', 'list')).not.toContain(name);
      await fails('ENOENT', 'netns', 'del', name);
      await ok('netns', 'add', name);
      await ok('netns', 'del', name);
      expect(ip(undefined, 'netns', 'list')).not.toContain(name);
      // attach: the name given to a process's namespace (this one's: where the command runs).
      await ok('netns', 'attach', name, String(process.pid));
      const attached = await Namespace.open(name);
      expect(attached.inode).toBe(Namespace.current().inode);
      await attached.close();
      await fails('EEXIST', 'netns', 'attach', name, String(process.pid));
      await ok('netns', 'delete', name);
      expect(ip(undefined, 'netns', 'list')).not.toContain(name);
      await fails('ESRCH', 'netns', 'attach', name, '1073741823');
      expect(ip(undefined, 'netns', 'list')).not.toContain(name);
    } finally {
      await Namespace.open(name).then(
        (ns) => ns.delete(),
        () => undefined,
      );
    }
  });
});

describeKernel('netns-native link', () => {
  it('link add NAME type veth peer PEER netns NS2, under -n NS: one end in each, as ip shows them', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    await ok(...w(`-n ${a.name} link add v0 mtu 1400 type veth peer name v1 netns ${b.name}`));
    expect(shown(a.name, 'v0')).toMatchObject({ mtu: 1400, linkinfo: { info_kind: 'veth' } });
    expect(shown(b.name, 'v1')).toMatchObject({ mtu: 1400, linkinfo: { info_kind: 'veth' } });
    expect(link(a.name, 'v1')).toBeUndefined();
    // Without netns: the peer beside it; `address` sets the local end's MAC.
    await ok(...w(`--netns ${a.name} link add w0 address 02:00:00:00:00:0a type veth peer w1`));
    expect(shown(a.name, 'w0').address).toBe('02:00:00:00:00:0a');
    expect(shown(a.name, 'w1').linkinfo?.info_kind).toBe('veth');
    // A name taken: status 1, nothing made.
    const before = ipJson<IpLink[]>(a.name, 'link', 'show').map((l) => l.ifname);
    await fails('EEXIST', '-n', a.name as string, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'x1');
    expect(ipJson<IpLink[]>(a.name, 'link', 'show').map((l) => l.ifname)).toEqual(before);
  });

  it('link add in the namespace the command runs in (no -n), and link delete there', async () => {
    const name = uniqueName('cv');
    const peer = uniqueName('cp');
    try {
      await ok('link', 'add', name, 'type', 'veth', 'peer', peer);
      expect(shown(undefined, name).linkinfo?.info_kind).toBe('veth');
      await ok('link', 'delete', 'dev', name);
      expect(link(undefined, name)).toBeUndefined();
      expect(link(undefined, peer)).toBeUndefined();
      await fails('ENODEV', 'link', 'del', name);
    } finally {
      if (link(undefined, name)) ip(undefined, 'link', 'del', name);
    }
  });

  it('link add type bridge, ifb, macvlan, macvtap, vxlan: the kind and its settings as ip -d shows them', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await ok('-n', n, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '1', 'priority', '100');
    expect(shown(n, 'br0').linkinfo).toMatchObject({
      info_kind: 'bridge',
      info_data: { stp_state: 1, priority: 100 },
    });
    await ok('-n', n, 'link', 'add', 'ifb0', 'type', 'ifb');
    expect(shown(n, 'ifb0').linkinfo?.info_kind).toBe('ifb');
    await ok('-n', n, 'link', 'add', 'e0', 'type', 'veth', 'peer', 'e1');
    await ok('-n', n, 'link', 'add', 'mv0', 'link', 'e0', 'type', 'macvlan', 'mode', 'private');
    expect(shown(n, 'mv0')).toMatchObject({
      link: 'e0',
      linkinfo: { info_kind: 'macvlan', info_data: { mode: 'private' } },
    });
    await ok('-n', n, 'link', 'add', 'mt0', 'link', 'e0', 'type', 'macvtap');
    expect(shown(n, 'mt0').linkinfo).toMatchObject({ info_kind: 'macvtap', info_data: { mode: 'bridge' } });
    await ok(...w(`-n ${n} link add vx0 type vxlan id 42 remote 198.18.70.2 local 198.18.70.1 dev e0 dstport 4790`));
    expect(shown(n, 'vx0').linkinfo).toMatchObject({
      info_kind: 'vxlan',
      info_data: { id: 42, remote: '198.18.70.2', local: '198.18.70.1', link: 'e0', port: 4790 },
    });
    // A parent that is not there: status 1, nothing made.
    await fails('ENODEV', '-n', n, 'link', 'add', 'mv1', 'link', 'nope0', 'type', 'macvlan');
    expect(link(n, 'mv1')).toBeUndefined();
  });

  it('link set LINK with every setting at once: what ip -d link show reads back; nomaster', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await VethPair.create({ name: 's0', peerName: 's1', namespace: ns });
    await ok('-n', n, 'link', 'add', 'br0', 'type', 'bridge');
    // prettier-ignore
    await ok('-n', n, 'link', 'set', 'dev', 's0', 'mtu', '1400', 'name', 's9', 'address', '02:00:00:00:00:5a',
      'alias', 'uplink one', 'txqueuelen', '321', 'group', '7', 'promisc', 'on', 'multicast', 'off',
      'allmulticast', 'on', 'arp', 'off', 'master', 'br0', 'up');
    expect(link(n, 's0')).toBeUndefined();
    const l = shown(n, 's9');
    expect(l).toMatchObject({
      mtu: 1400,
      address: '02:00:00:00:00:5a',
      ifalias: 'uplink one',
      txqlen: 321,
      group: '7',
      master: 'br0',
    });
    // M-DOWN: the peer is down.
    expect([...l.flags].sort()).toEqual(['ALLMULTI', 'BROADCAST', 'M-DOWN', 'NO-CARRIER', 'NOARP', 'PROMISC', 'UP']);
    await ok(...w(`-n ${n} link set s9 nomaster promisc off arp on multicast on allmulticast off group default down`));
    const after = shown(n, 's9');
    expect(after.master).toBeUndefined();
    expect(after.group).toBe('default');
    expect([...after.flags].sort()).toEqual(['BROADCAST', 'M-DOWN', 'MULTICAST']);
    await ok('-n', n, 'link', 'set', 's9', 'alias', '');
    expect(shown(n, 's9').ifalias).toBeUndefined();
  });

  it('link set LINK netns NS2 up: the link moves and is up there (as ip does it in one request); by PID too', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    await VethPair.create({ name: 'm0', peerName: 'm1', namespace: a });
    await ok('-n', a.name as string, 'link', 'set', 'm0', 'netns', b.name as string, 'mtu', '1300', 'up');
    expect(link(a.name, 'm0')).toBeUndefined();
    expect(shown(b.name, 'm0')).toMatchObject({ mtu: 1300, flags: expect.arrayContaining(['UP']) });
    // netns by nsfs path, back again.
    await ok('-n', b.name as string, 'link', 'set', 'm0', 'netns', `/run/netns/${a.name}`);
    expect(shown(a.name, 'm0').flags).not.toContain('UP');
    // netns PID: the namespace of a process (this one's: where the command runs).
    const name = uniqueName('mp');
    await VethPair.create({ name, peerName: uniqueName('mq'), namespace: a });
    try {
      await ok('-n', a.name as string, 'link', 'set', name, 'netns', String(process.pid));
      expect(link(undefined, name)).toBeDefined();
    } finally {
      if (link(undefined, name)) ip(undefined, 'link', 'del', name);
    }
  });

  it('link set in the namespace the command runs in (no -n)', async () => {
    const name = uniqueName('cs');
    await VethPair.create({ name, peerName: uniqueName('ct') });
    try {
      await ok('link', 'set', name, 'mtu', '1280', 'up');
      expect(shown(undefined, name)).toMatchObject({ mtu: 1280, flags: expect.arrayContaining(['UP']) });
    } finally {
      if (link(undefined, name)) ip(undefined, 'link', 'del', name);
    }
  });

  it('link set refused: status 1 with the code, and the link as it was (what was set first is set back)', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const n = a.name as string;
    await VethPair.create({ name: 'r0', peerName: 'r1', namespace: a });
    await VethPair.create({ name: 'r0', peerName: 'q1', namespace: b });
    const before = shown(n, 'r0');
    const same = (): void => {
      const now = shown(n, 'r0');
      expect([now.mtu, now.flags, now.master, now.ifalias, now.txqlen]).toEqual([
        before.mtu,
        before.flags,
        before.master,
        before.ifalias,
        before.txqlen,
      ]);
    };
    // Names looked up first: a missing master or namespace changes nothing.
    await fails('ENODEV', '-n', n, 'link', 'set', 'r0', 'mtu', '1400', 'master', 'nobr0');
    same();
    await fails('ENOENT', '-n', n, 'link', 'set', 'r0', 'mtu', '1400', 'netns', 'nnt-nosuch0');
    same();
    // The kernel applies the MTU, then refuses the name: the MTU is set back.
    const stderr = await fails('EEXIST', '-n', n, 'link', 'set', 'r0', 'mtu', '1400', 'name', 'r1');
    same();
    expect(stderr).toContain('set back');
    // A master that takes no ports: the settings made before it are set back.
    await fails('EOPNOTSUPP', ...w(`-n ${n} link set r0 mtu 1400 alias x txqueuelen 9 master r1`));
    same();
    // The move refused (r0 exists in b): the settings are set back, the link stays.
    await fails('EEXIST', '-n', n, 'link', 'set', 'r0', 'mtu', '1400', 'netns', b.name as string);
    same();
    // An MTU out of the device's range: refused by the kernel, nothing changed.
    await fails('EINVAL', '-n', n, 'link', 'set', 'r0', 'mtu', '70000');
    same();
    await fails('ENODEV', '-n', n, 'link', 'set', 'nosuch0', 'up');
  });
});

describeKernel('netns-native addr', () => {
  it('addr add / replace / delete / flush: what ip addr shows; twice or missing: status 1, nothing changed', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await VethPair.create({ name: 'a0', peerName: 'a1', namespace: ns });
    await ok('-n', n, 'addr', 'add', '198.18.71.1/24', 'dev', 'a0');
    await ok('-n', n, 'addr', 'add', 'dev', 'a0', 'fd00:71::1/64', 'nodad');
    await ok('-n', n, 'addr', 'add', '198.18.72.1', 'peer', '198.18.72.2/32', 'dev', 'a0', 'label', 'a0:p');
    await ok(...w(`-n ${n} addr add 198.18.73.1/24 brd + dev a0 valid_lft 300 preferred_lft 100`));
    const list = (): string[] =>
      addrs(n, 'a0')
        .filter((a) => a.scope !== 'link')
        .map(
          (a) =>
            `${a.local}/${a.prefixlen}${a.address ? ` peer ${a.address}` : ''}${a.broadcast ? ` brd ${a.broadcast}` : ''}`,
        )
        .sort();
    expect(list()).toEqual([
      '198.18.71.1/24',
      '198.18.72.1/32 peer 198.18.72.2',
      '198.18.73.1/24 brd 198.18.73.255',
      'fd00:71::1/64',
    ]);
    const lft = ipJson<Array<{ addr_info: Array<Record<string, unknown>> }>>(n, 'addr', 'show', 'dev', 'a0')
      .flatMap((l) => l.addr_info)
      .find((a) => a.local === '198.18.73.1');
    expect(lft?.valid_life_time).toBeLessThanOrEqual(300);
    expect(lft?.preferred_life_time).toBeLessThanOrEqual(100);
    expect(addrs(n, 'a0').find((a) => a.local === '198.18.72.1')?.label).toBe('a0:p');
    // Twice: EEXIST, still one.
    await fails('EEXIST', '-n', n, 'addr', 'add', '198.18.71.1/24', 'dev', 'a0');
    expect(list().filter((a) => a.startsWith('198.18.71.1/'))).toHaveLength(1);
    // replace: the lifetime renewed, no second address.
    await ok('-n', n, 'addr', 'replace', '198.18.71.1/24', 'dev', 'a0', 'valid_lft', '600', 'preferred_lft', '600');
    expect(list().filter((a) => a.startsWith('198.18.71.1/'))).toHaveLength(1);
    await ok('-n', n, 'addr', 'del', '198.18.71.1/24', 'dev', 'a0');
    await ok('-n', n, 'addr', 'delete', '198.18.72.1', 'peer', '198.18.72.2/32', 'dev', 'a0');
    expect(list()).toEqual(['198.18.73.1/24 brd 198.18.73.255', 'fd00:71::1/64']);
    await fails('EADDRNOTAVAIL', '-n', n, 'addr', 'del', '198.18.71.1/24', 'dev', 'a0');
    await fails('ENODEV', '-n', n, 'addr', 'add', '198.18.74.1/24', 'dev', 'nosuch0');
    // A malformed address: the library's EINVAL (status 1), nothing added.
    await fails('EINVAL', '-n', n, 'addr', 'add', '198.18.300.1/24', 'dev', 'a0');
    expect(list()).toEqual(['198.18.73.1/24 brd 198.18.73.255', 'fd00:71::1/64']);
    await ok('-n', n, 'addr', 'flush', 'dev', 'a0', 'scope', 'global');
    expect(list()).toEqual([]);
  });

  it('addr flush without dev: every link but lo; in the namespace the command runs in, addr add and del', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await VethPair.create({ name: 'f0', peerName: 'f1', namespace: ns });
    await (await ns.link('lo')).up();
    await ok('-n', n, 'addr', 'add', '198.18.75.1/24', 'dev', 'f0');
    await ok('-n', n, 'addr', 'add', '198.18.76.1/24', 'dev', 'f1');
    await ok('-n', n, 'addr', 'flush');
    expect(addrs(n).map((a) => a.local)).toEqual(['127.0.0.1', '::1']);
    const name = uniqueName('ca');
    await VethPair.create({ name, peerName: uniqueName('cb') });
    try {
      await ok('addr', 'add', '198.18.77.1/24', 'dev', name);
      expect(addrs(undefined, name).map((a) => a.local)).toContain('198.18.77.1');
      await ok('addr', 'del', '198.18.77.1/24', 'dev', name);
      expect(addrs(undefined, name).map((a) => a.local)).not.toContain('198.18.77.1');
    } finally {
      if (link(undefined, name)) ip(undefined, 'link', 'del', name);
    }
  });
});

describeKernel('netns-native route', () => {
  /** A namespace with e0 up on 198.18.80.1/24 and fd00:80::1/64, its peer up. */
  async function routed(): Promise<string> {
    const ns = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: 'e0', peerName: 'e1', namespace: ns });
    await local.addAddress('198.18.80.1/24');
    await local.addAddress('fd00:80::1/64', { nodad: true });
    await local.up();
    await peer.up();
    await (await ns.link('lo')).up();
    return ns.name as string;
  }

  it('route add / replace / delete: what ip route shows; twice or missing: status 1', async () => {
    const n = await routed();
    await ok(...w(`-n ${n} route add 198.19.80.0/24 via 198.18.80.254 metric 20 proto static src 198.18.80.1`));
    await ok('-n', n, 'route', 'add', 'default', 'via', '198.18.80.254', 'table', '100');
    await ok('-n', n, 'route', 'add', 'blackhole', '198.19.81.0/24');
    await ok('-n', n, 'route', 'add', '198.19.82.0/24', 'dev', 'e0', 'scope', 'link');
    await ok('-n', n, 'route', 'add', 'fd00:81::/64', 'via', 'fd00:80::2', 'metric', '5');
    expect(routes(n, '198.19.80.0/24')).toEqual([
      expect.objectContaining({
        dst: '198.19.80.0/24',
        gateway: '198.18.80.254',
        dev: 'e0',
        metric: 20,
        protocol: 'static',
        prefsrc: '198.18.80.1',
      }),
    ]);
    expect(routes(n, 'table', '100')).toEqual([expect.objectContaining({ dst: 'default', gateway: '198.18.80.254' })]);
    expect(routes(n, '198.19.81.0/24')).toEqual([expect.objectContaining({ type: 'blackhole' })]);
    expect(routes(n, '198.19.82.0/24')).toEqual([expect.objectContaining({ dev: 'e0', scope: 'link' })]);
    expect(routes6(n, 'fd00:81::/64')).toEqual([expect.objectContaining({ gateway: 'fd00:80::2', metric: 5 })]);
    await fails('EEXIST', '-n', n, 'route', 'add', '198.19.80.0/24', 'via', '198.18.80.254', 'metric', '20');
    await ok('-n', n, 'route', 'replace', '198.19.80.0/24', 'via', '198.18.80.253', 'metric', '20');
    expect(routes(n, '198.19.80.0/24')).toEqual([expect.objectContaining({ gateway: '198.18.80.253', metric: 20 })]);
    await ok('-n', n, 'route', 'del', '198.19.80.0/24', 'metric', '20');
    await ok('-n', n, 'route', 'delete', 'default', 'table', '100');
    expect(routes(n, '198.19.80.0/24')).toEqual([]);
    expect(routes(n, 'table', '100')).toEqual([]);
    await fails('ESRCH', '-n', n, 'route', 'del', '198.19.80.0/24');
    // A gateway on no connected subnet: refused, nothing added.
    await fails('ENETUNREACH', '-n', n, 'route', 'add', '198.19.83.0/24', 'via', '198.51.100.9');
    expect(routes(n, '198.19.83.0/24')).toEqual([]);
  });

  it('route get: what ip route get prints (an IPv4 one with its cache line), with from, mark, oif, tos, uid, ipproto, ports, fibmatch; --json: the route', async () => {
    const n = await routed();
    await ok('-n', n, 'route', 'add', '198.19.84.0/24', 'via', '198.18.80.254');
    await ok('-n', n, 'route', 'add', 'fd00:84::/64', 'via', 'fd00:80::2');
    for (const q of [
      ['198.19.84.7'],
      ['198.19.84.7', 'from', '198.18.80.1'],
      ['198.19.84.7', 'mark', '7'],
      ['198.19.84.7', 'oif', 'e0'],
      ['198.18.80.1'],
      ['198.19.84.7', 'fibmatch'],
      ['198.19.84.7', 'tos', '10'],
      ['198.19.84.7', 'dsfield', '0x08', 'dev', 'e0'],
      ['198.19.84.7', 'uid', '1000'],
      ['198.19.84.7', 'ipproto', 'tcp', 'sport', '1000', 'dport', '80'],
      ['198.19.84.7', 'ipproto', '17', 'dport', '53'],
      ['fd00:84::9'],
      ['fd00:84::9', 'fibmatch'],
      ['fd00:84::9', 'ipproto', 'ipv6-icmp'],
    ]) {
      const run = await cli('-n', n, 'route', 'get', ...q);
      expect([q, run.code, run.stderr]).toEqual([q, 0, '']);
      const witness = ip(n, 'route', 'get', ...q).replace(/[ \t]+$/gm, '');
      expect([q, run.stdout]).toEqual([q, witness]);
    }
    // --json: ip's JSON, whole.
    const json = JSON.parse((await cli('-n', n, '--json', 'route', 'get', '198.19.84.7')).stdout) as unknown;
    expect(json).toEqual(JSON.parse(ip(n, '-j', 'route', 'get', '198.19.84.7')));
    expect(json).toEqual([
      expect.objectContaining({ dst: '198.19.84.7', gateway: '198.18.80.254', dev: 'e0', prefsrc: '198.18.80.1' }),
    ]);
    await fails('ENETUNREACH', '-n', n, 'route', 'get', '198.51.100.7');
  });

  it('routes, route get and route add nhid ID: a route through a nexthop object with nhid where ip prints it; --json its nexthopId', async () => {
    const ns = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: 'h0', peerName: 'h1', namespace: ns });
    await local.addAddress('198.19.130.1/24');
    await local.addAddress('fd00:a1::1/64', { nodad: true });
    for (const l of [local, peer, await ns.link('lo')]) await l.up();
    const n = ns.name as string;
    for (const line of [
      'nexthop add id 1 via 198.19.130.254 dev h0',
      'nexthop add id 2 via 198.19.130.253 dev h0',
      'nexthop add id 10 group 1/2',
      'nexthop add id 4 blackhole',
      '-6 nexthop add id 6 via fd00:a1::fe dev h0',
      'route add 198.19.131.0/24 nhid 1',
      'route add 198.19.132.0/24 nhid 10 metric 7',
      'route add 198.19.133.0/24 nhid 4',
      'route add fd00:a1:1::/64 nhid 6',
    ]) {
      await ok('-n', n, ...w(line));
    }
    // The witness: each route made through its nexthop object.
    expect(routes(n).filter((r) => r.nhid !== undefined)).toEqual([
      expect.objectContaining({ dst: '198.19.131.0/24', nhid: 1, gateway: '198.19.130.254', dev: 'h0' }),
      expect.objectContaining({ dst: '198.19.132.0/24', nhid: 10, metric: 7 }),
      expect.objectContaining({ dst: '198.19.133.0/24', nhid: 4, type: 'blackhole' }),
    ]);
    expect(routes6(n, 'fd00:a1:1::/64')).toEqual([expect.objectContaining({ nhid: 6, gateway: 'fd00:a1::fe' })]);
    // routes: ip route, then ip -6 route, word for word (the kernel's IPv6 link-local routes may
    // come meanwhile: compared again then).
    const ipRoutes = (): string => (ip(n, 'route') + ip(n, '-6', 'route')).replace(/[ \t]+$/gm, '');
    for (let attempt = 1; ; attempt++) {
      const before = ipRoutes();
      const run = await cli('-n', n, 'routes');
      if (before !== ipRoutes() && attempt < 5) continue;
      expect(run).toEqual({ code: 0, stdout: before, stderr: '' });
      for (const needle of [
        '198.19.131.0/24 nhid 1 via 198.19.130.254 dev h0\n',
        '198.19.132.0/24 nhid 10 metric 7\n\tnexthop via 198.19.130.254 dev h0 weight 1\n',
        'blackhole 198.19.133.0/24 nhid 4 dev lo\n',
        'fd00:a1:1::/64 nhid 6 via fd00:a1::fe dev h0 metric 1024 pref medium\n',
      ]) {
        expect(before).toContain(needle);
      }
      break;
    }
    // route get: what ip prints, its cache line too (nhid in a route of the table: fibmatch, IPv6).
    for (const q of [
      ['198.19.131.5'],
      ['198.19.131.5', 'fibmatch'],
      ['198.19.132.5', 'fibmatch'],
      ['fd00:a1:1::5'],
      ['fd00:a1:1::5', 'fibmatch'],
    ]) {
      const witness = ip(n, 'route', 'get', ...q).replace(/[ \t]+$/gm, '');
      expect([q, await cli('-n', n, 'route', 'get', ...q)]).toEqual([q, { code: 0, stdout: witness, stderr: '' }]);
    }
    expect(ip(n, 'route', 'get', '198.19.132.5', 'fibmatch')).toMatch(/^198\.19\.132\.0\/24 nhid 10 /);
    const json = JSON.parse((await cli('-n', n, '--json', 'routes')).stdout) as Array<Record<string, unknown>>;
    expect(json.filter((r) => r.nexthopId !== undefined).map((r) => [r.destination, r.nexthopId])).toEqual([
      ['198.19.131.0/24', 1],
      ['198.19.132.0/24', 10],
      ['198.19.133.0/24', 4],
      ['fd00:a1:1::/64', 6],
    ]);
    // nhid is a number, as ip reads it.
    await usage(
      'route',
      /^netns-native: route add: nhid needs a number from 0 to 4294967295, not "x"$/,
      '-n',
      n,
      ...w('route add 198.19.134.0/24 nhid x'),
    );
    expect(routes(n, '198.19.134.0/24')).toEqual([]);
  });

  it('route flush [table T]: the table emptied (IPv4 unless -6, as ip), others left; in the namespace the command runs in, add and del', async () => {
    const n = await routed();
    await ok('-n', n, 'route', 'add', '198.19.85.0/24', 'via', '198.18.80.254', 'table', '100');
    await ok('-n', n, 'route', 'add', 'fd00:85::/64', 'via', 'fd00:80::2', 'table', '100');
    await ok('-n', n, 'route', 'add', '198.19.86.0/24', 'via', '198.18.80.254');
    await ok('-n', n, 'route', 'flush', 'table', '100');
    expect(routes(n, 'table', '100')).toEqual([]);
    expect(routes6(n, 'table', '100')).toEqual([expect.objectContaining({ dst: 'fd00:85::/64' })]);
    await ok('-n', n, '-6', 'route', 'flush', 'table', '100');
    expect(routes6(n, 'table', '100')).toEqual([]);
    expect(routes(n, '198.19.86.0/24')).toHaveLength(1);
    await ok('-n', n, 'route', 'flush', 'proto', 'boot');
    expect(routes(n, '198.19.86.0/24')).toEqual([]);
    expect(routes(n).map((r) => r.protocol)).toEqual(['kernel']);
    // In the current namespace: a route in a table of its own, so as to touch nothing else.
    const table = String(1000 + Math.floor(Math.random() * 100000));
    try {
      await ok('route', 'add', 'blackhole', '198.19.87.0/24', 'table', table);
      expect(routes(undefined, 'table', table)).toEqual([
        expect.objectContaining({ type: 'blackhole', dst: '198.19.87.0/24' }),
      ]);
      await ok('route', 'del', 'blackhole', '198.19.87.0/24', 'table', table);
      expect(routes(undefined, 'table', table)).toEqual([]);
    } finally {
      if (routes(undefined, 'table', table).length > 0) ip(undefined, 'route', 'flush', 'table', table);
    }
  });
});

describeKernel('netns-native ip-style command lines', () => {
  it('-n NS with the read verbs, as their NS operand; both, or -n with a verb that takes none: status 2', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await VethPair.create({ name: 'n0', peerName: 'n1', namespace: ns });
    expect(await cli('-n', n, 'links')).toEqual(await cli('links', n));
    expect(await cli('addrs', '--netns', n)).toEqual(await cli('addrs', n));
    expect(await cli(`--netns=${n}`, 'routes', '-j')).toEqual(await cli('routes', n, '-j'));
    await usage('links', /^netns-native: -n .* both name a namespace/, '-n', n, 'links', n);
    await usage('list', /^netns-native: -n NS is not for list$/, '-n', n, 'list');
    await usage(
      'netns',
      /^netns-native: -n NS is not for netns add: names are the same in every namespace$/,
      '-n',
      n,
      'netns',
      'add',
      'x',
    );
    await usage('netns', /^netns-native: -n NS is not for netns attach: /, '-n', n, 'netns', 'attach', 'x', '1');
    await fails('ENOENT', '-n', 'nnt-nosuch0', 'link', 'set', 'n0', 'up');
  });

  it('bad command lines: status 2, a line naming the word, then the verb’s usage; nothing changed', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await VethPair.create({ name: 'b0', peerName: 'b1', namespace: ns });
    const before = JSON.stringify(ipJson(n, 'link', 'show'));
    const cases: Array<[string, RegExp, string[]]> = [
      ['link', /^netns-native: link: unknown command "frob" \(show, add, set, delete\)$/, ['link', 'frob']],
      [
        'link',
        /^netns-native: link set: mtu needs a number from 0 to 4294967295, not "big"$/,
        ['link', 'set', 'b0', 'mtu', 'big'],
      ],
      ['link', /^netns-native: link set: mtu needs a number$/, ['link', 'set', 'b0', 'mtu']],
      ['link', /^netns-native: link set: unexpected "bogus"$/, ['link', 'set', 'b0', 'up', 'bogus']],
      ['link', /^netns-native: link set: promisc takes on or off, not "yes"$/, ['link', 'set', 'b0', 'promisc', 'yes']],
      ['link', /^netns-native: link set: up or down is given twice$/, ['link', 'set', 'b0', 'up', 'down']],
      ['link', /^netns-native: link set: nothing to set on b0/, ['link', 'set', 'b0']],
      ['link', /^netns-native: link set needs a link/, ['link', 'set', 'mtu', '1400']],
      [
        'link',
        /^netns-native: link set: master and netns together/,
        ['link', 'set', 'b0', 'master', 'x', 'netns', 'y'],
      ],
      ['link', /^netns-native: link add: unknown link kind "dummyx"/, ['link', 'add', 'd0', 'type', 'dummyx']],
      ['link', /^netns-native: link add needs type KIND$/, ['link', 'add', 'd0']],
      ['link', /^netns-native: link add type veth needs peer PEER$/, ['link', 'add', 'd0', 'type', 'veth']],
      ['link', /^netns-native: link add type macvlan needs its parent/, ['link', 'add', 'd0', 'type', 'macvlan']],
      ['link', /^netns-native: link add type vxlan needs id VNI$/, ['link', 'add', 'd0', 'type', 'vxlan']],
      [
        'link',
        /^netns-native: link add type bridge: stp_state needs a number from 0 to 1, not "2"$/,
        ['link', 'add', 'd0', 'type', 'bridge', 'stp_state', '2'],
      ],
      ['link', /^netns-native: link delete: unexpected "b1"$/, ['link', 'delete', 'b0', 'b1']],
      ['addr', /^netns-native: addr add needs dev LINK/, ['addr', 'add', '198.18.0.1/24']],
      [
        'addr',
        /^netns-native: addr add: unexpected "198.18.0.2\/24"$/,
        ['addr', 'add', '198.18.0.1/24', '198.18.0.2/24', 'dev', 'b0'],
      ],
      [
        'addr',
        /^netns-native: addr delete: unexpected "nodad"$/,
        ['addr', 'delete', '198.18.0.1/24', 'dev', 'b0', 'nodad', 'x'],
      ],
      ['addr', /^netns-native: addr flush: unexpected "b0"$/, ['addr', 'flush', 'b0']],
      [
        'addr',
        /^netns-native: addr: unknown command "frob" \(show, add, replace, delete, del, flush\)$/,
        ['addr', 'frob'],
      ],
      ['route', /^netns-native: route add needs a prefix/, ['route', 'add', 'via', '198.18.0.1']],
      [
        'route',
        /^netns-native: route add: metric needs a number from 0 to 4294967295, not "1.5"$/,
        ['route', 'add', 'default', 'metric', '1.5'],
      ],
      // A negative value is read as the value (ip would take it so), not as an option.
      [
        'route',
        /^netns-native: route add: metric needs a number from 0 to 4294967295, not "-1"$/,
        ['route', 'add', 'default', 'metric', '-1'],
      ],
      ['route', /^netns-native: route add: via is given twice$/, ['route', 'add', 'default', 'via', 'a', 'via', 'b']],
      ['route', /^netns-native: route add: PREFIX is given twice$/, ['route', 'add', '198.19.0.0/24', 'to', 'default']],
      ['route', /^netns-native: route get needs an address/, ['route', 'get']],
      ['route', /^netns-native: route flush: unexpected "all"$/, ['route', 'flush', 'all']],
      ['netns', /^netns-native: netns add needs a namespace name$/, ['netns', 'add']],
      ['netns', /^netns-native: netns attach needs a process ID: netns attach NAME PID$/, ['netns', 'attach', 'x']],
      [
        'netns',
        /^netns-native: netns attach: PID needs a number from 0 to 1073741823, not "me"$/,
        ['netns', 'attach', 'x', 'me'],
      ],
      ['netns', /^netns-native: netns: unknown command "frob"/, ['netns', 'frob', 'x']],
    ];
    for (const [verb, pattern, argv] of cases)
      await usage(verb, pattern, ...(verb === 'netns' ? [] : ['-n', n]), ...argv);
    expect(JSON.stringify(ipJson(n, 'link', 'show'))).toBe(before);
    // ip's way of writing a verb (any prefix of its object): the verb meant; one the command does
    // not have (ip's mroute): unknown.
    await usage('addr', /^netns-native: addr: unknown command "frob"/, 'address', 'frob');
    await usage('', /^netns-native: unknown verb "mroute"$/, 'mroute');
  });
});
