import { NetnsError, VethPair, type Link, type Namespace, type NeighbourSpec } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, neighbours, operational, snapshot } from '../helpers/ip';
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
    });
    // Filtered by link and family, in the kernel.
    expect((await ns.neighbours({ proxy: true, link: other })).map((n) => n.address)).toEqual(['198.18.0.6']);
    expect((await ns.neighbours({ proxy: true, family: 6 })).map((n) => n.address)).toEqual(['fd00:18::5']);
    // A plain listing has none of them, as `ip neigh show` has none.
    expect((await ns.neighbours({ all: true })).filter((n) => n.proxy)).toEqual([]);
    await ns.deleteNeighbour({ link: eth, address: '198.18.0.5', proxy: true });
    await ns.deleteNeighbour({ link: other.name, address: '198.18.0.6', proxy: true });
    expect(ipJson<Array<{ dst: string }>>(ns.name, 'neigh', 'show', 'proxy').map((w) => w.dst)).toEqual(['fd00:18::5']);
    const before = snapshot(ns.name);
    const gone = await ns.deleteNeighbour({ link: eth, address: '198.18.0.5', proxy: true }).catch((x: unknown) => x);
    expect(gone).toBeInstanceOf(NetnsError);
    expect(gone).toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/no such neighbour entry/) });
    for (const [extra, message] of [
      [{ mac: '02:00:00:00:00:05' }, /a proxy entry has no mac; leave it out/],
      [{ state: 'reachable' }, /a proxy entry has no state/],
      [{ extLearned: true }, /a proxy entry has no extLearned/],
      [{ proxy: 'yes' }, /proxy must be a boolean/],
    ] as const) {
      const spec = { link: eth, address: '198.18.0.7', proxy: true, ...extra } as unknown as NeighbourSpec;
      await expect(ns.addNeighbour(spec)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(message),
      });
    }
    await expect(ns.neighbours({ proxy: 1 as never })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(snapshot(ns.name)).toEqual(before);
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
    ).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/extLearned must be a boolean/) });
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
});
