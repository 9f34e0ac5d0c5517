import { VethPair, type Address } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ip, routes, routes6 } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('addresses', () => {
  it('adds, lists and deletes IPv4 and IPv6 addresses', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    await local.addAddress('198.18.5.1/24');
    await local.addAddress('fd00:5::1/64', { nodad: true });
    const witness = addrs(ns.name, local.name);
    expect(witness).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ family: 'inet', local: '198.18.5.1', prefixlen: 24, scope: 'global' }),
        expect.objectContaining({ family: 'inet6', local: 'fd00:5::1', prefixlen: 64, scope: 'global' }),
      ]),
    );
    const mine = await local.addresses();
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          address: '198.18.5.1',
          prefixLength: 24,
          family: 4,
          cidr: '198.18.5.1/24',
          linkIndex: local.index,
          scope: 'global',
        }),
        expect.objectContaining({ address: 'fd00:5::1', prefixLength: 64, family: 6, cidr: 'fd00:5::1/64' }),
      ]),
    );
    expect(mine.find((a) => a.address === 'fd00:5::1')?.flags).toContain('nodad');
    expect((await ns.addresses()).map((a) => a.cidr)).toEqual(
      expect.arrayContaining(['198.18.5.1/24', 'fd00:5::1/64']),
    );

    await local.deleteAddress('198.18.5.1/24');
    await local.deleteAddress('fd00:5::1/64');
    const after = addrs(ns.name, local.name).map((a) => a.local);
    expect(after).not.toContain('198.18.5.1');
    expect(after).not.toContain('fd00:5::1');
  });

  it('a bare address is a host address; broadcast can be derived', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    await local.addAddress('198.18.6.9');
    await local.addAddress('198.18.7.1/22', { broadcast: true });
    const w = addrs(ns.name, local.name);
    expect(w).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ local: '198.18.6.9', prefixlen: 32 }),
        expect.objectContaining({ local: '198.18.7.1', prefixlen: 22, broadcast: '198.18.7.255' }),
      ]),
    );
    // deleting by a bare address means that host address too; where the link has the address
    // with another prefix (`ip addr del` would delete it, warning), the error says which
    await expect(local.deleteAddress('198.18.7.1')).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
      message: expect.stringContaining(`a bare address means /32, and "${local.name}" has 198.18.7.1/22`),
    });
    await local.addAddress('fd00:7::1/64', { nodad: true });
    await expect(local.deleteAddress('fd00:7::1')).rejects.toMatchObject({
      message: expect.stringContaining('has fd00:7::1/64: give the prefix length'),
    });
    await expect(local.deleteAddress('198.18.7.2')).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
      message: expect.not.stringContaining('bare'),
    });
    expect(addrs(ns.name, local.name).map((a) => `${a.local}/${a.prefixlen}`)).toEqual(
      expect.arrayContaining(['198.18.7.1/22', 'fd00:7::1/64']),
    );
    await local.deleteAddress('198.18.6.9');
    expect(addrs(ns.name, local.name).map((a) => a.local)).not.toContain('198.18.6.9');
  });

  it('broadcast: true sets what `brd +` sets: none on a /31 or /32, whose addresses are all hosts', async () => {
    const x = await freshNamespace();
    const y = await freshNamespace();
    const { local, peer } = await VethPair.create({
      name: uniqueName('a'),
      peerName: uniqueName('b'),
      namespace: x,
      peerNamespace: y,
    });
    await local.addAddress('198.18.8.0/31', { broadcast: true });
    await local.addAddress('198.18.8.9/32', { broadcast: true });
    await local.addAddress('198.18.8.13/30', { broadcast: true });
    // The witness: iproute2's own `brd +` for the same prefixes, on the other end.
    for (const cidr of ['198.18.8.1/31', '198.18.8.10/32', '198.18.8.14/30']) {
      ip(y.name, 'addr', 'add', cidr, 'brd', '+', 'dev', peer.name);
    }
    const brd = (list: ReturnType<typeof addrs>) => list.map((a) => [a.prefixlen, a.broadcast]);
    expect(brd(addrs(x.name, local.name))).toEqual([
      [31, undefined],
      [32, undefined],
      [30, '198.18.8.15'],
    ]);
    expect(brd(addrs(x.name, local.name))).toEqual(brd(addrs(y.name, peer.name)));
    expect((await local.addresses()).filter((a) => a.broadcast !== undefined).map((a) => a.cidr)).toEqual([
      '198.18.8.13/30',
    ]);
    // The kernel installs local routes once the link is up: no broadcast route for the /31's other
    // address, so unicast to it works (RFC 3021).
    await local.up();
    await peer.up();
    expect(
      routes(x.name, 'table', 'local')
        .filter((r) => r.type === 'broadcast')
        .map((r) => r.dst),
    ).toEqual(['198.18.8.15']);
    expect((await x.ping('198.18.8.1', { count: 1, timeoutMs: 2000 })).received).toBe(1);
  });

  it('a point-to-point address (peer) lists as `ip addr` shows it, deletes exactly and adds back', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    const add = (...args: string[]) => ip(ns.name, 'addr', 'add', ...args, 'dev', local.name);
    add('198.18.0.50', 'peer', '198.18.0.51/32');
    add('198.18.0.50', 'peer', '198.18.0.52/32'); // the same local address, another peer
    add('198.18.0.60', 'peer', '198.18.1.61/28', 'brd', '+'); // brd + from the peer's prefix
    add('198.18.0.70/24');
    add('fd00::50', 'peer', 'fd00::51/128', 'nodad');
    const witness = addrs(ns.name, local.name);
    expect(witness.map((a) => [a.local, a.address, a.prefixlen, a.broadcast])).toEqual([
      ['198.18.0.50', '198.18.0.51', 32, undefined],
      ['198.18.0.50', '198.18.0.52', 32, undefined],
      ['198.18.0.60', '198.18.1.61', 28, '198.18.1.63'],
      ['198.18.0.70', undefined, 24, undefined],
      ['fd00::50', 'fd00::51', 128, undefined],
    ]);
    // The prefix length is the peer's, as `ip addr` prints `198.18.0.50 peer 198.18.0.51/32`.
    const listed = await local.addresses();
    expect(listed).toEqual([
      expect.objectContaining({
        address: '198.18.0.50',
        peer: '198.18.0.51/32',
        prefixLength: 32,
        cidr: '198.18.0.50/32',
      }),
      expect.objectContaining({
        address: '198.18.0.50',
        peer: '198.18.0.52/32',
        prefixLength: 32,
        cidr: '198.18.0.50/32',
      }),
      expect.objectContaining({
        address: '198.18.0.60',
        peer: '198.18.1.61/28',
        prefixLength: 28,
        cidr: '198.18.0.60/28',
        broadcast: '198.18.1.63',
      }),
      expect.objectContaining({ address: '198.18.0.70', prefixLength: 24, cidr: '198.18.0.70/24' }),
      expect.objectContaining({ address: 'fd00::50', peer: 'fd00::51/128', prefixLength: 128, family: 6 }),
    ]);
    expect(listed.filter((a) => 'peer' in a)).toHaveLength(4); // none on an ordinary address

    // Without its peer, the kernel finds no such address (IPv4), as for `ip addr del`.
    const [first, second, third, , v6] = listed as [Address, Address, Address, Address, Address];
    await expect(local.deleteAddress(first.cidr)).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    // An Address as listed deletes exactly itself, not the other with the same local address.
    await local.deleteAddress(second);
    expect(addrs(ns.name, local.name).map((a) => a.address ?? a.local)).toEqual([
      '198.18.0.51',
      '198.18.1.61',
      '198.18.0.70',
      'fd00::51',
    ]);
    // So does its cidr with its peer.
    await local.deleteAddress(first.cidr, { peer: first.peer });
    await local.deleteAddress(third.cidr, { peer: third.peer });
    await local.deleteAddress(v6);
    expect(addrs(ns.name, local.name).map((a) => a.local)).toEqual(['198.18.0.70']);

    // Added back by the library, they are what `ip addr add ... peer` made. A bare peer is a host.
    await local.deleteAddress('198.18.0.70/24');
    await local.addAddress('198.18.0.50', { peer: '198.18.0.51' });
    await local.addAddress(second.cidr, { peer: second.peer });
    await local.addAddress('198.18.0.60', { peer: '198.18.1.61/28', broadcast: true });
    await local.addAddress('198.18.0.70/24');
    await local.addAddress('fd00::50', { peer: 'fd00::51/128', nodad: true });
    expect(addrs(ns.name, local.name)).toEqual(witness);
  });

  it('metric: the prefix route gets it, read back as ip reads it, changed by replace', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    await local.up();
    await local.addAddress('198.19.241.1/24', { metric: 77 });
    await local.addAddress('fd00:a8::1/64', { metric: 88, nodad: true });
    await local.addAddress('198.19.242.1/24');
    const metrics = (list: Array<{ local?: string; address?: string; metric?: number }>) =>
      Object.fromEntries(list.map((a) => [a.local ?? a.address, a.metric]));
    expect(metrics(addrs(ns.name, local.name))).toEqual(
      expect.objectContaining({ '198.19.241.1': 77, 'fd00:a8::1': 88, '198.19.242.1': undefined }),
    );
    expect(metrics(await local.addresses())).toEqual(metrics(addrs(ns.name, local.name)));
    expect((await local.addresses()).find((a) => a.address === '198.19.242.1')).not.toHaveProperty('metric');
    // The kernel's prefix routes carry the metrics.
    expect(routes(ns.name, '198.19.241.0/24')).toEqual([expect.objectContaining({ metric: 77 })]);
    expect(routes6(ns.name, 'fd00:a8::/64')).toEqual([expect.objectContaining({ metric: 88 })]);
    await local.addAddress('198.19.241.1/24', { metric: 5, replace: true });
    expect((await local.addresses()).find((a) => a.address === '198.19.241.1')?.metric).toBe(5);
    expect(routes(ns.name, '198.19.241.0/24')).toEqual([expect.objectContaining({ metric: 5 })]);
  });

  it('noprefixroute: no route for the prefix; mngtmpaddr on IPv6; both listed as ip lists them', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    await local.up();
    await local.addAddress('198.19.243.1/24', { noprefixroute: true });
    await local.addAddress('fd00:a9::1/64', { noprefixroute: true, nodad: true });
    await local.addAddress('fd00:a9:1::1/64', { mngtmpaddr: true, nodad: true });
    expect(routes(ns.name, '198.19.243.0/24')).toEqual([]);
    expect(routes6(ns.name, 'fd00:a9::/64')).toEqual([]);
    expect(routes6(ns.name, 'fd00:a9:1::/64')).toHaveLength(1);
    // The flags as ip lists them (`"noprefixroute": true` in -j) and as addresses() does.
    const FLAGS = ['nodad', 'mngtmpaddr', 'noprefixroute'];
    const ipFlags = new Map(
      addrs(ns.name, local.name).map((a) => [
        a.local,
        FLAGS.filter((f) => (a as unknown as Record<string, unknown>)[f]),
      ]),
    );
    const ours = new Map((await local.addresses()).map((a) => [a.address, a.flags.filter((f) => FLAGS.includes(f))]));
    expect(ipFlags.get('198.19.243.1')).toEqual(['noprefixroute']);
    expect(ipFlags.get('fd00:a9::1')).toEqual(['nodad', 'noprefixroute']);
    expect(ipFlags.get('fd00:a9:1::1')).toEqual(['nodad', 'mngtmpaddr']);
    for (const address of ['198.19.243.1', 'fd00:a9::1', 'fd00:a9:1::1']) {
      expect([address, ours.get(address)]).toEqual([address, ipFlags.get(address)]);
    }
  });

  it('home (IPv6) and autojoin (multicast: the link joins the group while the address is there), as ip lists them', async () => {
    const ns = await freshNamespace();
    // The link stays down: joining a group sends nothing then (no IGMP or MLD report leaves).
    const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    await local.addAddress('fd00:a9:2::1/64', { home: true, nodad: true });
    await local.addAddress('239.255.18.1/32', { autojoin: true });
    await local.addAddress('ff05::18/128', { autojoin: true });
    const groups = (): string[] =>
      ip(ns.name, 'maddr', 'show', 'dev', local.name)
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter(([family]) => family === 'inet' || family === 'inet6')
        .map(([, group]) => group as string);
    expect(groups()).toEqual(expect.arrayContaining(['239.255.18.1', 'ff05::18']));
    const FLAGS = ['home', 'autojoin'];
    const ipFlags = new Map(
      addrs(ns.name, local.name).map((a) => [
        a.local,
        FLAGS.filter((f) => (a as unknown as Record<string, unknown>)[f]),
      ]),
    );
    expect(Object.fromEntries(ipFlags)).toEqual(
      expect.objectContaining({ 'fd00:a9:2::1': ['home'], '239.255.18.1': ['autojoin'], 'ff05::18': ['autojoin'] }),
    );
    const ours = new Map((await local.addresses()).map((a) => [a.address, a.flags]));
    expect(ours.get('fd00:a9:2::1')).toContain('homeaddress');
    expect(ours.get('239.255.18.1')).toContain('autojoin');
    expect(ours.get('ff05::18')).toContain('autojoin');
    // The group goes with the address.
    await local.deleteAddress('239.255.18.1/32');
    await local.deleteAddress('ff05::18/128');
    expect(groups()).not.toContain('239.255.18.1');
    expect(groups()).not.toContain('ff05::18');
  });

  it('optimistic (IPv6): kept where optimistic_dad is on, dropped by the kernel elsewhere, as ip sees it', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    await local.up();
    // Off by default: the kernel drops the flag (the address is a plain tentative one).
    await local.addAddress('fd00:b4::1/64', { optimistic: true });
    await ns.setSysctl(`net.ipv6.conf.${local.name}.optimistic_dad`, 1);
    await local.addAddress('fd00:b4::2/64', { optimistic: true });
    const ipOptimistic = new Map(
      addrs(ns.name, local.name).map((a) => [a.local, (a as unknown as Record<string, unknown>).optimistic === true]),
    );
    const ours = new Map((await local.addresses()).map((a) => [a.address, a.flags.includes('optimistic')]));
    for (const [address, optimistic] of [
      ['fd00:b4::1', false],
      ['fd00:b4::2', true],
    ] as const) {
      expect([address, ipOptimistic.get(address), ours.get(address)]).toEqual([address, optimistic, optimistic]);
    }
    // Refused before anything is sent: IPv4, and with nodad (the kernel refuses that pair too).
    const before = (await local.addresses()).map((a) => a.address).sort();
    await expect(local.addAddress('198.19.99.1/24', { optimistic: true })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/optimistic is for IPv6 addresses only/),
    });
    await expect(local.addAddress('fd00:b4::3/64', { optimistic: true, nodad: true })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/optimistic and nodad exclude each other/),
    });
    await expect(local.addAddress('fd00:b4::4/64', { optimistic: 'yes' as unknown as boolean })).rejects.toMatchObject({
      code: 'EINVAL',
    });
    expect((await local.addresses()).map((a) => a.address).sort()).toEqual(before);
  });

  it('namespace-wide addresses() includes lo once it is up', async () => {
    const ns = await freshNamespace();
    await (await ns.link('lo')).up();
    const list = await ns.addresses();
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ address: '127.0.0.1', prefixLength: 8, scope: 'host', linkIndex: 1 }),
      ]),
    );
  });
});
