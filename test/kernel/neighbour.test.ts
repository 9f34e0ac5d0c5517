import { NetnsError, VethPair, type Link, type Namespace, type NeighbourSpec } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, neighbours, operational, snapshot, type IpNeigh } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

async function withLink(): Promise<{ ns: Namespace; eth: Link; other: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
  await local.addAddress('198.18.0.1/24');
  await local.addAddress('fd00:18::1/64', { nodad: true });
  await local.up();
  await peer.up();
  return { ns, eth: local, other: peer };
}

/** A namespace with a veth end up (198.19.88.1/24, fd00:b0::1/64), its peer up. */
async function withLink88(): Promise<{ ns: Namespace; eth: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
  await local.addAddress('198.19.88.1/24');
  await local.addAddress('fd00:b0::1/64', { nodad: true });
  await local.up();
  await peer.up();
  return { ns, eth: local };
}

/** One entry as `ip -j [-s] neigh show nud all dev LINK` has it. */
function ipEntry(ns: Namespace, eth: Link, dst: string, ...opts: string[]): IpNeigh & Record<string, unknown> {
  const all = ipJson<Array<IpNeigh & Record<string, unknown>>>(
    ns.name,
    ...opts,
    'neigh',
    'show',
    'nud',
    'all',
    'dev',
    eth.name,
  );
  return all.find((e) => e.dst === dst) as IpNeigh & Record<string, unknown>;
}

/** The namespace's neighbour and proxy entries as `ip -j` lists them, but the kernel's own IPv6 multicast ones. */
function neighState(ns: Namespace): string {
  const entries = ipJson<IpNeigh[]>(ns.name, 'neigh', 'show', 'nud', 'all').filter((e) => !e.dst.startsWith('ff02:'));
  return JSON.stringify([entries, ipJson(ns.name, 'neigh', 'show', 'proxy')]);
}

describeKernel('neighbours', () => {
  it('addNeighbour() makes a permanent entry `ip neigh` shows; neighbours() reads it; deleteNeighbour() removes it', async () => {
    const { ns, eth } = await withLink();
    await ns.addNeighbour({ link: eth, address: '198.18.0.9', mac: '02:00:00:00:00:09' });
    await ns.addNeighbour({ link: eth.name, address: 'fd00:18::9', mac: '02:00:00:00:00:0a', router: true });
    const w = neighbours(ns.name, 'dev', eth.name);
    expect(w).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: '198.18.0.9', lladdr: '02:00:00:00:00:09', state: ['PERMANENT'] }),
        expect.objectContaining({ dst: 'fd00:18::9', lladdr: '02:00:00:00:00:0a', state: ['PERMANENT'], router: null }),
      ]),
    );
    const mine = await ns.neighbours({ link: eth });
    expect(mine).toEqual(
      expect.arrayContaining([
        {
          address: '198.18.0.9',
          family: 4,
          mac: '02:00:00:00:00:09',
          state: 'permanent',
          link: eth.name,
          linkIndex: eth.index,
          router: false,
          extLearned: false,
          proxy: false,
          managed: false,
          probes: 0,
          cacheInfo: expect.objectContaining({ refcnt: 0 }),
        },
        {
          address: 'fd00:18::9',
          family: 6,
          mac: '02:00:00:00:00:0a',
          state: 'permanent',
          link: eth.name,
          linkIndex: eth.index,
          router: true,
          extLearned: false,
          proxy: false,
          managed: false,
          probes: 0,
          cacheInfo: expect.objectContaining({ refcnt: 0 }),
        },
      ]),
    );
    expect((await ns.neighbours({ family: 4 })).map((n) => n.address)).toContain('198.18.0.9');
    expect((await ns.neighbours({ family: 4 })).every((n) => n.family === 4)).toBe(true);
    expect((await ns.neighbours({ family: 6 })).every((n) => n.family === 6)).toBe(true);
    await ns.deleteNeighbour({ link: eth, address: '198.18.0.9' });
    await ns.deleteNeighbour(mine.find((n) => n.family === 6) as NeighbourSpec);
    expect(neighbours(ns.name, 'dev', eth.name).filter((n) => n.state.includes('PERMANENT'))).toEqual([]);
  });

  it('proxy entries: added and deleted as `ip neigh add|del proxy` does, listed apart as `ip neigh show proxy` lists them', async () => {
    const { ns, eth, other } = await withLink();
    await ns.addNeighbour({ link: eth, address: '198.18.0.5', proxy: true });
    await ns.addNeighbour({ link: eth.name, address: 'fd00:18::5', proxy: true });
    // Adding one that exists is no error (the kernel finds it), as with `ip neigh add proxy`.
    await ns.addNeighbour({ link: eth, address: '198.18.0.5', proxy: true });
    ip(ns.name, 'neigh', 'add', 'proxy', '198.18.0.6', 'dev', other.name);
    const witness = ipJson<Array<{ dst: string; dev: string; proxy?: null }>>(ns.name, 'neigh', 'show', 'proxy');
    expect(witness).toEqual(
      expect.arrayContaining([
        { dst: '198.18.0.5', dev: eth.name, proxy: null },
        { dst: 'fd00:18::5', dev: eth.name, proxy: null },
        { dst: '198.18.0.6', dev: other.name, proxy: null },
      ]),
    );
    const listed = await ns.neighbours({ proxy: true });
    expect(listed.map((n) => `${n.address} ${n.link}`).sort()).toEqual(witness.map((w) => `${w.dst} ${w.dev}`).sort());
    expect(listed.find((n) => n.address === 'fd00:18::5')).toEqual({
      address: 'fd00:18::5',
      family: 6,
      state: 'none',
      link: eth.name,
      linkIndex: eth.index,
      router: false,
      extLearned: false,
      proxy: true,
      managed: false,
    });
    // Filtered by link and family, in the kernel.
    expect((await ns.neighbours({ proxy: true, link: other })).map((n) => n.address)).toEqual(['198.18.0.6']);
    expect((await ns.neighbours({ proxy: true, family: 6 })).map((n) => n.address)).toEqual(['fd00:18::5']);
    // A plain listing has none of them, as `ip neigh show` has none.
    expect((await ns.neighbours({ all: true })).filter((n) => n.proxy)).toEqual([]);
    await ns.deleteNeighbour({ link: eth, address: '198.18.0.5', proxy: true });
    await ns.deleteNeighbour({ link: other.name, address: '198.18.0.6', proxy: true });
    expect(ipJson<Array<{ dst: string }>>(ns.name, 'neigh', 'show', 'proxy').map((w) => w.dst)).toEqual(['fd00:18::5']);
    // The neighbour tables only: the kernel adds the links' IPv6 link-local routes on its own meanwhile.
    const before = neighState(ns);
    const gone = await ns.deleteNeighbour({ link: eth, address: '198.18.0.5', proxy: true }).catch((x: unknown) => x);
    expect(gone).toBeInstanceOf(NetnsError);
    expect(gone).toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/no such neighbour entry/) });
    for (const [extra, message] of [
      [{ mac: '02:00:00:00:00:05' }, /a proxy entry has no mac; leave it out/],
      [{ state: 'reachable' }, /a proxy entry has no state/],
      [{ extLearned: true }, /a proxy entry has no extLearned/],
      [{ proxy: 'yes' }, /proxy must be true or false/],
    ] as const) {
      const spec = { link: eth, address: '198.18.0.7', proxy: true, ...extra } as unknown as NeighbourSpec;
      await expect(ns.addNeighbour(spec)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(message),
      });
    }
    await expect(ns.neighbours({ proxy: 1 as never })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(neighState(ns)).toEqual(before);
    expect(ipJson<Array<{ dst: string }>>(ns.name, 'neigh', 'show', 'proxy').map((w) => w.dst)).toEqual(['fd00:18::5']);
  });

  it('states other than permanent, and replace', async () => {
    const { ns, eth } = await withLink();
    await ns.addNeighbour({ link: eth, address: '198.18.0.10', mac: '02:00:00:00:00:10', state: 'stale' });
    expect(neighbours(ns.name, 'dev', eth.name).find((n) => n.dst === '198.18.0.10')?.state).toEqual(['STALE']);
    expect((await ns.neighbours({ link: eth })).find((n) => n.address === '198.18.0.10')?.state).toBe('stale');
    await ns.addNeighbour({ link: eth, address: '198.18.0.10', mac: '02:00:00:00:00:11' }, { replace: true });
    expect(neighbours(ns.name, 'dev', eth.name).find((n) => n.dst === '198.18.0.10')).toMatchObject({
      lladdr: '02:00:00:00:00:11',
      state: ['PERMANENT'],
    });
    // noarp entries are left out, as by `ip neigh`, unless asked for.
    await ns.addNeighbour({ link: eth, address: '198.18.0.11', mac: '02:00:00:00:00:12', state: 'noarp' });
    expect((await ns.neighbours({ link: eth })).find((n) => n.address === '198.18.0.11')).toBeUndefined();
    expect((await ns.neighbours({ link: eth, all: true })).find((n) => n.address === '198.18.0.11')?.state).toBe(
      'noarp',
    );
  });

  it('extLearned: `ip neigh` shows extern_learn for what we add; ours reads what `ip neigh add ... extern_learn` makes', async () => {
    const { ns, eth } = await withLink();
    await ns.addNeighbour({ link: eth, address: '198.18.0.40', mac: '02:00:00:00:00:40', extLearned: true });
    await ns.addNeighbour({
      link: eth,
      address: 'fd00:18::40',
      mac: '02:00:00:00:00:41',
      state: 'stale',
      extLearned: true,
    });
    await ns.addNeighbour({ link: eth, address: '198.18.0.42', mac: '02:00:00:00:00:42', extLearned: false });
    const shown = (dst: string) => neighbours(ns.name, 'dev', eth.name).find((n) => n.dst === dst);
    expect(shown('198.18.0.40')).toMatchObject({ extern_learn: null, state: ['PERMANENT'] });
    expect(shown('fd00:18::40')).toMatchObject({ extern_learn: null, state: ['STALE'] });
    expect(shown('198.18.0.42')).not.toHaveProperty('extern_learn');
    ip(ns.name, 'neigh', 'add', '198.18.0.43', 'lladdr', '02:00:00:00:00:43', 'dev', eth.name, 'extern_learn');
    const mine = new Map((await ns.neighbours({ link: eth })).map((n) => [n.address, n]));
    expect(mine.get('198.18.0.40')).toMatchObject({ extLearned: true, state: 'permanent' });
    expect(mine.get('fd00:18::40')).toMatchObject({ extLearned: true, state: 'stale' });
    expect(mine.get('198.18.0.42')).toMatchObject({ extLearned: false });
    expect(mine.get('198.18.0.43')).toMatchObject({ extLearned: true, mac: '02:00:00:00:00:43' });
    // A replace sets the mark, or clears it when not given (as `ip neigh replace`).
    await ns.addNeighbour(
      { link: eth, address: '198.18.0.42', mac: '02:00:00:00:00:42', extLearned: true },
      { replace: true },
    );
    expect(shown('198.18.0.42')).toMatchObject({ extern_learn: null });
    await ns.addNeighbour({ link: eth, address: '198.18.0.43', mac: '02:00:00:00:00:43' }, { replace: true });
    expect(shown('198.18.0.43')).not.toHaveProperty('extern_learn');
    // A listed entry deletes as it is.
    await ns.deleteNeighbour(mine.get('198.18.0.40') as NeighbourSpec);
    expect(shown('198.18.0.40')).toBeUndefined();
    await expect(
      ns.addNeighbour({ link: eth, address: '198.18.0.44', mac: '02:00:00:00:00:44', extLearned: 1 as never }),
    ).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/extLearned must be true or false/) });
    expect(shown('198.18.0.44')).toBeUndefined();
  });

  it('what `ip neigh add` makes reads back; an entry learned from traffic reads as `ip neigh` shows it', async () => {
    const { ns, eth } = await withLink();
    ip(ns.name, 'neigh', 'add', '198.18.0.20', 'lladdr', '02:00:00:00:00:20', 'dev', eth.name, 'nud', 'permanent');
    expect(await ns.neighbours({ link: eth.name })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ address: '198.18.0.20', mac: '02:00:00:00:00:20', state: 'permanent' }),
      ]),
    );
    // A host on the other end of a veth: pinging it makes an ARP entry.
    const x = await freshNamespace();
    const y = await freshNamespace();
    const pair = await VethPair.create({
      name: uniqueName('x'),
      peerName: uniqueName('y'),
      namespace: x,
      peerNamespace: y,
    });
    await pair.local.addAddress('198.18.1.1/24');
    await pair.peer.addAddress('198.18.1.2/24');
    await pair.local.up();
    await pair.peer.up();
    await operational(x.name, pair.local.name);
    await operational(y.name, pair.peer.name);
    expect((await x.ping('198.18.1.2', { count: 1, timeoutMs: 5000 })).received).toBe(1);
    const w = neighbours(x.name).find((n) => n.dst === '198.18.1.2');
    expect(w?.lladdr).toBe(pair.peer.mac);
    const mine = (await x.neighbours()).find((n) => n.address === '198.18.1.2');
    expect(mine).toMatchObject({ mac: pair.peer.mac, link: pair.local.name, family: 4 });
    expect(mine?.state).toBe((w?.state[0] as string).toLowerCase());
  });

  it('bad values are refused before any syscall; kernel refusals change nothing', async () => {
    const { ns, eth } = await withLink();
    const foreign = (
      await VethPair.create({ name: uniqueName('f'), peerName: uniqueName('g'), namespace: await freshNamespace() })
    ).local;
    await ns.addNeighbour({ link: eth, address: '198.18.0.30', mac: '02:00:00:00:00:30' });
    const before = snapshot(ns.name);
    const invalid: Array<[NeighbourSpec, RegExp]> = [
      [
        { link: eth, address: '198.18.0.300', mac: '02:00:00:00:00:01' },
        /is not a valid IPv4 or IPv6 neighbour address/,
      ],
      [{ link: eth, address: '198.18.0.31', mac: '02:00:00:00:00' }, /is not a MAC address/],
      [{ link: eth, address: '198.18.0.31' }, /needs a MAC/],
      [
        { link: eth, address: '198.18.0.31', mac: '02:00:00:00:00:31', state: 'gone' as never },
        /unknown neighbour state "gone"/,
      ],
      [{ link: foreign, address: '198.18.0.31', mac: '02:00:00:00:00:31' }, /is in another namespace/],
      [{ link: 'a b', address: '198.18.0.31', mac: '02:00:00:00:00:31' }, /contains '\/', ':' or whitespace/],
      [{ address: '198.18.0.31', mac: '02:00:00:00:00:31' } as never, /needs a link/],
    ];
    for (const [spec, message] of invalid) {
      const e = await ns.addNeighbour(spec).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    await expect(ns.neighbours({ family: 5 as 4 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(
      ns.addNeighbour({ link: eth, address: '198.18.0.30', mac: '02:00:00:00:00:31' }),
    ).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringMatching(/that neighbour entry already exists/),
    });
    await expect(ns.deleteNeighbour({ link: eth, address: '198.18.0.99' })).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/no such neighbour entry/),
    });
    await expect(
      ns.addNeighbour({ link: 'nope0', address: '198.18.0.31', mac: '02:00:00:00:00:31' }),
    ).rejects.toMatchObject({
      code: 'ENODEV',
    });
    expect(snapshot(ns.name)).toBe(before);
  });

  it('protocol: sent as `ip neigh add ... protocol P` sends it, read back named as ip names it; a replace without it keeps it', async () => {
    const { ns, eth } = await withLink88();
    await ns.addNeighbour({ link: eth, address: '198.19.88.9', mac: '02:00:00:00:00:09', protocol: 'static' });
    await ns.addNeighbour({
      link: eth,
      address: 'fd00:b0::9',
      mac: '02:00:00:00:00:0a',
      state: 'stale',
      protocol: 200,
    });
    await ns.addNeighbour({ link: eth, address: '198.19.88.20', proxy: true, protocol: 'zebra' });
    ip(ns.name, 'neigh', 'add', '198.19.88.10', 'lladdr', '02:00:00:00:00:10', 'dev', eth.name, 'protocol', 'bird');
    expect(ipEntry(ns, eth, '198.19.88.9').protocol).toBe('static');
    expect(ipEntry(ns, eth, 'fd00:b0::9').protocol).toBe('200');
    expect(ipJson<Array<Record<string, unknown>>>(ns.name, 'neigh', 'show', 'proxy')).toEqual([
      { dst: '198.19.88.20', dev: eth.name, proxy: null, protocol: 'zebra' },
    ]);
    const mine = new Map((await ns.neighbours({ link: eth })).map((n) => [n.address, n]));
    expect(mine.get('198.19.88.9')?.protocol).toBe('static');
    expect(mine.get('fd00:b0::9')?.protocol).toBe('200');
    expect(mine.get('198.19.88.10')?.protocol).toBe('bird');
    expect((await ns.neighbours({ proxy: true }))[0]?.protocol).toBe('zebra');
    // None given: none read (ip prints no proto).
    await ns.addNeighbour({ link: eth, address: '198.19.88.11', mac: '02:00:00:00:00:11' });
    expect((await ns.neighbours({ link: eth })).find((n) => n.address === '198.19.88.11')).not.toHaveProperty(
      'protocol',
    );
    expect(ipEntry(ns, eth, '198.19.88.11')).not.toHaveProperty('protocol');
    // The kernel keeps the protocol through a replace that gives none; one that gives one changes it.
    await ns.addNeighbour({ link: eth, address: '198.19.88.9', mac: '02:00:00:00:00:19' }, { replace: true });
    expect(ipEntry(ns, eth, '198.19.88.9')).toMatchObject({ lladdr: '02:00:00:00:00:19', protocol: 'static' });
    await ns.addNeighbour(
      { link: eth, address: '198.19.88.9', mac: '02:00:00:00:00:19', protocol: 'ospf' },
      { replace: true },
    );
    expect(ipEntry(ns, eth, '198.19.88.9').protocol).toBe('ospf');
    const before = neighState(ns);
    for (const [protocol, message] of [
      [256, /the protocol must be an integer from 0 to 255/],
      ['nosuchproto', /unknown route protocol "nosuchproto"/],
      [true, /the protocol must be an integer from 0 to 255 or a name/],
    ] as const) {
      const spec = {
        link: eth,
        address: '198.19.88.12',
        mac: '02:00:00:00:00:12',
        protocol,
      } as unknown as NeighbourSpec;
      await expect(ns.addNeighbour(spec)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(message),
      });
    }
    expect(neighState(ns)).toBe(before);
    expect(ipEntry(ns, eth, '198.19.88.12')).toBeUndefined();
  });

  it('managed: `ip neigh` shows managed, the kernel resolves the entry itself; use: the kernel treats it as used', async () => {
    const { ns, eth } = await withLink88();
    // managed, no MAC: state none as ip sends it; the kernel starts resolving at once.
    await ns.addNeighbour({ link: eth, address: '198.19.88.30', managed: true });
    await ns.addNeighbour({
      link: eth,
      address: 'fd00:b0::30',
      managed: true,
      state: 'stale',
      mac: '02:00:00:00:00:30',
    });
    const managed = ipEntry(ns, eth, '198.19.88.30');
    expect(managed).toMatchObject({ managed: null });
    expect(managed.state).not.toEqual([]);
    expect(ipEntry(ns, eth, 'fd00:b0::30')).toMatchObject({ managed: null });
    const mine = new Map((await ns.neighbours({ link: eth })).map((n) => [n.address, n]));
    expect(mine.get('198.19.88.30')).toMatchObject({
      managed: true,
      state: (managed.state[0] as string).toLowerCase(),
    });
    expect(mine.get('fd00:b0::30')).toMatchObject({ managed: true });
    // What ip makes reads back as managed; a replace without it clears it, as ip's.
    ip(ns.name, 'neigh', 'add', '198.19.88.31', 'dev', eth.name, 'managed');
    expect((await ns.neighbours({ link: eth })).find((n) => n.address === '198.19.88.31')?.managed).toBe(true);
    await ns.addNeighbour(
      { link: eth, address: 'fd00:b0::30', mac: '02:00:00:00:00:30', state: 'stale' },
      { replace: true },
    );
    expect(ipEntry(ns, eth, 'fd00:b0::30')).not.toHaveProperty('managed');
    // use on a stale entry: the kernel treats it as used, as a packet would: stale becomes delay.
    await ns.addNeighbour({ link: eth, address: '198.19.88.32', mac: '02:00:00:00:00:32', state: 'stale' });
    expect(ipEntry(ns, eth, '198.19.88.32').state).toEqual(['STALE']);
    await ns.addNeighbour({ link: eth, address: '198.19.88.32', use: true }, { replace: true });
    expect(ipEntry(ns, eth, '198.19.88.32')).toMatchObject({ lladdr: '02:00:00:00:00:32' });
    expect(['DELAY', 'PROBE', 'FAILED']).toContain(ipEntry(ns, eth, '198.19.88.32').state[0]);
    // use on an address with no entry: one is made and resolution starts (probes sent), where a
    // plain entry in state none waits.
    await ns.addNeighbour({ link: eth, address: '198.19.88.33', use: true });
    await ns.addNeighbour({ link: eth, address: '198.19.88.34', state: 'none' });
    expect(['INCOMPLETE', 'FAILED']).toContain(ipEntry(ns, eth, '198.19.88.33', '-s').state[0]);
    expect(ipEntry(ns, eth, '198.19.88.33', '-s').probes).toBeGreaterThan(0);
    expect(ipEntry(ns, eth, '198.19.88.34', '-s')).toMatchObject({ probes: 0 });
    expect(ipEntry(ns, eth, '198.19.88.34', '-s')).not.toHaveProperty('state');
    // use on a proxy entry is taken, as by ip.
    await ns.addNeighbour({ link: eth, address: '198.19.88.35', proxy: true, use: true });
    expect(ipJson<Array<{ dst: string }>>(ns.name, 'neigh', 'show', 'proxy').map((e) => e.dst)).toEqual([
      '198.19.88.35',
    ]);
    const before = neighState(ns);
    for (const [spec, message] of [
      [{ address: '198.19.88.36', managed: true, state: 'permanent' }, /a managed entry cannot be permanent/],
      [{ address: '198.19.88.36', managed: true, proxy: true }, /a proxy entry has no managed; leave it out/],
      [{ address: '198.19.88.36', managed: 'yes' }, /managed must be true or false/],
      [{ address: '198.19.88.36', use: 1 }, /use must be true or false/],
      [{ address: '198.19.88.36', use: false }, /needs a MAC \(or use, or managed\)/],
    ] as const) {
      const e = await ns.addNeighbour({ link: eth, ...spec } as unknown as NeighbourSpec).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    expect(neighState(ns)).toBe(before);
    expect(ipEntry(ns, eth, '198.19.88.36')).toBeUndefined();
  });

  it('neighbour(): one entry by address and link, as `ip neigh get` reads it; ENOENT, as the kernel says, when there is none', async () => {
    const { ns, eth } = await withLink88();
    await ns.addNeighbour({ link: eth, address: '198.19.88.40', mac: '02:00:00:00:00:40', protocol: 'static' });
    await ns.addNeighbour({
      link: eth,
      address: 'fd00:b0::40',
      mac: '02:00:00:00:00:41',
      state: 'noarp',
      router: true,
    });
    await ns.addNeighbour({ link: eth, address: '198.19.88.41', proxy: true });
    expect(ip(ns.name, 'neigh', 'get', '198.19.88.40', 'dev', eth.name)).toMatch(
      /^198\.19\.88\.40 dev \S+ lladdr 02:00:00:00:00:40 PERMANENT proto static/,
    );
    const one = await ns.neighbour('198.19.88.40', { link: eth });
    const listed = (await ns.neighbours({ link: eth })).find((n) => n.address === '198.19.88.40');
    const { cacheInfo, ...rest } = one;
    expect({ ...listed, cacheInfo: undefined }).toEqual({ ...rest, cacheInfo: undefined });
    // The kernel holds the entry while it answers: one reference more than the dump shows.
    expect(cacheInfo?.refcnt).toBe((listed?.cacheInfo?.refcnt ?? 0) + 1);
    // By link name; a noarp entry (left out of a listing by default) is read all the same.
    expect(await ns.neighbour('fd00:b0::40', { link: eth.name })).toMatchObject({
      address: 'fd00:b0::40',
      family: 6,
      mac: '02:00:00:00:00:41',
      state: 'noarp',
      router: true,
      link: eth.name,
      linkIndex: eth.index,
    });
    expect(await ns.neighbour('198.19.88.41', { link: eth, proxy: true })).toEqual({
      address: '198.19.88.41',
      family: 4,
      state: 'none',
      link: eth.name,
      linkIndex: eth.index,
      router: false,
      extLearned: false,
      proxy: true,
      managed: false,
    });
    // No such entry: ENOENT (ip: "Neighbour entry not found", status 2); a proxy entry is not a neighbour.
    for (const [address, proxy] of [
      ['198.19.88.99', false],
      ['198.19.88.41', false],
      ['198.19.88.40', true],
    ] as const) {
      const e = await ns.neighbour(address, { link: eth, proxy }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({
        code: 'ENOENT',
        message: expect.stringMatching(/entry not found|no such neighbour entry/),
      });
    }
    await expect(ns.neighbour('198.19.88.40', { link: 'nope0' })).rejects.toMatchObject({ code: 'ENODEV' });
    const foreign = (
      await VethPair.create({ name: uniqueName('f'), peerName: uniqueName('g'), namespace: await freshNamespace() })
    ).local;
    for (const [address, options, message] of [
      ['198.19.88.300', { link: eth }, /is not a valid IPv4 or IPv6 neighbour address/],
      ['198.19.88.40', {}, /the link is required/],
      ['198.19.88.40', { link: foreign }, /is in another namespace/],
      ['198.19.88.40', { link: eth, proxy: 'yes' }, /proxy must be true or false/],
      ['198.19.88.40', null, /options must be an object/],
    ] as const) {
      const e = await ns.neighbour(address, options as never).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
  });

  it('probes and cacheInfo: what `ip -s neigh` shows (ref, used/confirmed/updated in seconds, probes)', async () => {
    const { ns, eth } = await withLink88();
    await ns.addNeighbour({ link: eth, address: '198.19.88.50', mac: '02:00:00:00:00:50', state: 'stale' });
    await ns.addNeighbour({ link: eth, address: '198.19.88.51', use: true });
    await ns.addNeighbour({ link: eth, address: 'fd00:b0::50', mac: '02:00:00:00:00:51' });
    await ns.addNeighbour({ link: eth, address: '198.19.88.52', proxy: true });
    // The timers tick: the kernel's and ours are read within a second of each other, so each
    // differs by at most 1 s; the counts are compared as they are.
    for (const dst of ['198.19.88.50', '198.19.88.51', 'fd00:b0::50']) {
      const theirs = ipEntry(ns, eth, dst, '-s') as IpNeigh & Record<string, number>;
      const mine = (await ns.neighbours({ link: eth })).find((n) => n.address === dst);
      expect([dst, mine?.probes]).toEqual([dst, theirs.probes]);
      expect([dst, mine?.cacheInfo?.refcnt]).toEqual([dst, theirs.refcnt ?? 0]);
      const info = mine?.cacheInfo as NonNullable<typeof mine>['cacheInfo'] & object;
      for (const [key, ms] of [
        ['used', info.usedMs],
        ['confirmed', info.confirmedMs],
        ['updated', info.updatedMs],
      ] as const) {
        expect([dst, key, Math.abs(Math.floor(ms / 1000) - (theirs[key] as number)) <= 1]).toEqual([dst, key, true]);
      }
    }
    const resolving = (await ns.neighbours({ link: eth })).find((n) => n.address === '198.19.88.51');
    expect(resolving?.probes).toBeGreaterThan(0);
    expect(resolving?.cacheInfo?.refcnt).toBeGreaterThan(0);
    // A proxy entry has neither, as ip -s shows none.
    const proxy = (await ns.neighbours({ proxy: true }))[0];
    expect(proxy).not.toHaveProperty('probes');
    expect(proxy).not.toHaveProperty('cacheInfo');
  });
});
