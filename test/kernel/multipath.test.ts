import { NetnsError, VethPair, type Link, type Namespace, type RouteSpec } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

interface IpMultipath {
  dst: string;
  nexthops?: Array<{ gateway?: string; dev?: string; weight?: number }>;
}

/** Two links with addresses: next hops 198.18.40.2 on one, 198.18.41.2 on the other. */
async function twoLinks(): Promise<{ ns: Namespace; a: Link; b: Link }> {
  const ns = await freshNamespace();
  const a = (await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('p'), namespace: ns })).local;
  const b = (await VethPair.create({ name: uniqueName('b'), peerName: uniqueName('q'), namespace: ns })).local;
  await a.addAddress('198.18.40.1/24');
  await b.addAddress('198.18.41.1/24');
  await a.addAddress('fd00:40::1/64', { nodad: true });
  await b.addAddress('fd00:41::1/64', { nodad: true });
  for (const l of [a, b]) await l.up();
  return { ns, a, b };
}

describeKernel('multipath routes', () => {
  it('addRoute() with nexthops makes what `ip route` shows; routes() reads the next hops; deleteRoute() removes it', async () => {
    const { ns, a, b } = await twoLinks();
    await ns.addRoute({
      destination: 'default',
      nexthops: [
        { gateway: '198.18.40.2', weight: 1 },
        { gateway: '198.18.41.2', link: b, weight: 2 },
      ],
    });
    const w = ipJson<IpMultipath[]>(ns.name, 'route', 'show').find((r) => r.dst === 'default');
    expect(w?.nexthops).toEqual([
      expect.objectContaining({ gateway: '198.18.40.2', dev: a.name, weight: 1 }),
      expect.objectContaining({ gateway: '198.18.41.2', dev: b.name, weight: 2 }),
    ]);
    const mine = (await ns.routes()).find((r) => r.destination === 'default');
    expect(mine?.gateway).toBeUndefined();
    // The peers are down (no carrier): the kernel marks both hops linkdown, as `ip` shows.
    expect(w?.nexthops?.map((h) => (h as { flags?: string[] }).flags)).toEqual([['linkdown'], ['linkdown']]);
    expect(mine?.nexthops).toEqual([
      { gateway: '198.18.40.2', link: a.name, linkIndex: a.index, weight: 1, linkdown: true },
      { gateway: '198.18.41.2', link: b.name, linkIndex: b.index, weight: 2, linkdown: true },
    ]);
    await ns.deleteRoute({ destination: 'default' });
    expect(ipJson<IpMultipath[]>(ns.name, 'route', 'show').find((r) => r.dst === 'default')).toBeUndefined();
  });

  it('IPv6, and what `ip route add ... nexthop` makes reads back', async () => {
    const { ns, a, b } = await twoLinks();
    await ns.addRoute({
      destination: 'fd00:99::/64',
      nexthops: [
        { gateway: 'fd00:40::2', link: a },
        { gateway: 'fd00:41::2', link: b.name },
      ],
    });
    const w6 = ipJson<IpMultipath[]>(ns.name, '-6', 'route', 'show').find((r) => r.dst === 'fd00:99::/64');
    expect(w6?.nexthops?.map((h) => [h.gateway, h.dev])).toEqual([
      ['fd00:40::2', a.name],
      ['fd00:41::2', b.name],
    ]);
    const r6 = (await ns.routes({ family: 6 })).find((r) => r.destination === 'fd00:99::/64');
    expect(r6?.nexthops?.map((h) => [h.gateway, h.link, h.weight])).toEqual([
      ['fd00:40::2', a.name, 1],
      ['fd00:41::2', b.name, 1],
    ]);
    ip(
      ns.name,
      'route',
      'add',
      '198.19.50.0/24',
      'nexthop',
      'via',
      '198.18.40.2',
      'weight',
      '3',
      'nexthop',
      'via',
      '198.18.41.2',
      'weight',
      '5',
    );
    const r4 = (await ns.routes({ family: 4 })).find((r) => r.destination === '198.19.50.0/24');
    expect(r4?.nexthops?.map((h) => [h.gateway, h.weight])).toEqual([
      ['198.18.40.2', 3],
      ['198.18.41.2', 5],
    ]);
  });

  it('next hops with a link and no gateway (`nexthop dev A nexthop dev B`): by name or Link, with weights; deleted alike', async () => {
    const { ns, a, b } = await twoLinks();
    const shown = (dst: string) =>
      ipJson<IpMultipath[]>(ns.name, 'route', 'show')
        .find((r) => r.dst === dst)
        ?.nexthops?.map((h) => [h.gateway, h.dev, h.weight]);
    // [destination, nexthops, what `ip route show` lists: [gateway, dev, weight] per next hop]
    const cases: Array<[string, RouteSpec['nexthops'], Array<[string | undefined, string, number]>]> = [
      [
        '198.19.5.0/24',
        [{ link: a.name }, { link: b.name }],
        [
          [undefined, a.name, 1],
          [undefined, b.name, 1],
        ],
      ],
      [
        '198.19.6.0/24',
        [{ link: a }, { link: b, weight: 3 }],
        [
          [undefined, a.name, 1],
          [undefined, b.name, 3],
        ],
      ],
      [
        '198.19.7.0/24',
        [{ link: a.name, weight: 2 }, { gateway: '198.18.41.2' }],
        [
          [undefined, a.name, 2],
          ['198.18.41.2', b.name, 1],
        ],
      ],
    ];
    for (const [destination, nexthops, want] of cases) {
      await ns.addRoute({ destination, nexthops });
      expect(shown(destination)).toEqual(want);
      const mine = (await ns.routes()).find((r) => r.destination === destination);
      expect(mine?.nexthops?.map((h) => [h.gateway, h.link, h.weight])).toEqual(want);
    }
    // One made by `ip` reads back the same.
    ip(ns.name, 'route', 'add', '198.19.8.0/24', 'nexthop', 'dev', a.name, 'nexthop', 'dev', b.name, 'weight', '4');
    const fromIp = (await ns.routes()).find((r) => r.destination === '198.19.8.0/24');
    expect(fromIp?.nexthops).toEqual([
      { link: a.name, linkIndex: a.index, weight: 1, linkdown: true },
      { link: b.name, linkIndex: b.index, weight: 4, linkdown: true },
    ]);
    // deleteRoute with the same next hops (names and Links) removes each.
    for (const [destination, nexthops] of cases) {
      await ns.deleteRoute({ destination, nexthops });
      expect(shown(destination)).toBeUndefined();
    }
    await ns.deleteRoute({ destination: '198.19.8.0/24', nexthops: [{ link: a }, { link: b.name, weight: 4 }] });
    expect(shown('198.19.8.0/24')).toBeUndefined();
    // IPv6 has no device-only next hops: the kernel refuses them, as it does `ip -6 route add
    // fd00:98::/64 nexthop dev A nexthop dev B`, and says so.
    expect(() =>
      ip(ns.name, '-6', 'route', 'add', 'fd00:98::/64', 'nexthop', 'dev', a.name, 'nexthop', 'dev', b.name),
    ).toThrow(/device only routes/i);
    await expect(
      ns.addRoute({ destination: 'fd00:98::/64', nexthops: [{ link: a.name }, { link: b }] }),
    ).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('device only routes') });
    expect(ipJson<IpMultipath[]>(ns.name, '-6', 'route', 'show').find((r) => r.dst === 'fd00:98::/64')).toBeUndefined();
  });

  it('a next hop naming a link that is not there is ENODEV; a bad link name is EINVAL, naming the next hop', async () => {
    const { ns, a } = await twoLinks();
    const before = snapshot(ns.name);
    await expect(
      ns.addRoute({ destination: '198.19.9.0/24', nexthops: [{ link: a }, { link: 'nosuchlink0' }] }),
    ).rejects.toMatchObject({ code: 'ENODEV' });
    const bad: Array<[unknown, RegExp]> = [
      ['', /the link name of next hop \d is empty/],
      ['x'.repeat(16), /the link name of next hop \d "x+" is 16 bytes long; Linux allows at most 15/],
      ['a/b', /the link name of next hop \d "a\/b" contains '\/'/],
      [7, /the link name of next hop \d must be a string/],
    ];
    for (const [link, message] of bad) {
      await expect(
        ns.addRoute({ destination: '198.19.9.0/24', nexthops: [{ link: a }, { link: link as never }] }),
      ).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
      await expect(
        ns.deleteRoute({ destination: '198.19.9.0/24', nexthops: [{ link: link as never }] }),
      ).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    expect(snapshot(ns.name)).toBe(before);
  });

  it('bad next hops are refused before any syscall; kernel refusals change nothing', async () => {
    const { ns, a } = await twoLinks();
    const before = snapshot(ns.name);
    const cases: Array<[RouteSpec, RegExp]> = [
      [{ destination: 'default', nexthops: [] }, /nexthops must be an array of 1 to 256/],
      [
        { destination: 'default', nexthops: [{ gateway: '198.18.40.2', weight: 0 }] },
        /the weight must be an integer from 1 to 256/,
      ],
      [
        { destination: 'default', nexthops: [{ gateway: '198.18.40.2', weight: 257 }] },
        /the weight must be an integer/,
      ],
      [
        { destination: 'default', nexthops: [{ gateway: '198.18.40.2' }, { gateway: 'fd00:41::2' }] },
        /is IPv6 but the route is IPv4/,
      ],
      [
        { destination: 'default', gateway: '198.18.40.2', nexthops: [{ gateway: '198.18.41.2' }] },
        /either nexthops or a gateway/,
      ],
      [{ destination: 'default', nexthops: [{ weight: 2 }] }, /next hop 1 needs a gateway or a link/],
      [
        { destination: 'default', nexthops: [{ gateway: 'x' }] },
        /"x" is not a valid IPv4 or IPv6 gateway of next hop 1/,
      ],
    ];
    for (const [spec, message] of cases) {
      const e = await ns.addRoute(spec).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    await expect(
      ns.addRoute({
        destination: 'default',
        nexthops: [{ gateway: '198.18.40.2' }, { gateway: '198.19.77.2', link: a }],
      }),
    ).rejects.toMatchObject({ code: 'ENETUNREACH' });
    expect(snapshot(ns.name)).toBe(before);
  });
});
