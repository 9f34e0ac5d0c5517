import { NetnsError, VethPair, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, nsidOf } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('nsid', () => {
  it('assigns an id if there is none, then returns the same one, as `ip netns list-id` shows it', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const c = await freshNamespace();
    expect(nsidOf(a.name as string, b.name as string)).toBeUndefined();
    const id = await a.nsid(b);
    expect(id).toBe(nsidOf(a.name as string, b.name as string));
    expect(await a.nsid(b)).toBe(id);
    const other = await a.nsid(c);
    expect(other).not.toBe(id);
    expect(other).toBe(nsidOf(a.name as string, c.name as string));
    // Each namespace numbers the others on its own.
    expect(await b.nsid(a)).toBe(nsidOf(b.name as string, a.name as string));
  });

  it("reads an id set with `ip netns set`, and matches a veth peer's parentNetnsId", async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    ip(a.name, 'netns', 'set', b.name as string, '17');
    expect(await a.nsid(b)).toBe(17);
    const pair = await VethPair.create({
      name: uniqueName('a'),
      peerName: uniqueName('b'),
      namespace: a,
      peerNamespace: b,
    });
    expect(pair.local.parentNetnsId).toBe(17);
    expect(pair.local.info).toEqual({ peerIndex: pair.peer.index, peerNetnsId: 17 });
    expect(pair.peer.parentNetnsId).toBe(await b.nsid(a));
  });

  it('setNsid() gives the id asked for, as `ip netns set`; a second id, or a taken one, is EEXIST saying which', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const c = await freshNamespace();
    await a.setNsid(b, 23);
    expect(nsidOf(a.name as string, b.name as string)).toBe(23);
    expect(await a.nsid(b)).toBe(23);
    const again = await a.setNsid(b, 24).catch((x: unknown) => x);
    expect(again).toMatchObject({
      code: 'EEXIST',
      message: expect.stringMatching(/it has the id 23 already, and the kernel never changes an id once given/),
    });
    const taken = await a.setNsid(c, 23).catch((x: unknown) => x);
    expect(taken).toMatchObject({ code: 'EEXIST', message: expect.stringMatching(/the id 23 is another namespace's/) });
    expect(nsidOf(a.name as string, b.name as string)).toBe(23);
    expect(nsidOf(a.name as string, c.name as string)).toBeUndefined();
    // The id is what a veth's end in a reads for its peer in b.
    const pair = await VethPair.create({
      name: uniqueName('a'),
      peerName: uniqueName('b'),
      namespace: a,
      peerNamespace: b,
    });
    expect(pair.local.parentNetnsId).toBe(23);
  });

  it('knownNsid() reads the id without giving one, as `ip netns list` shows it', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    expect(await a.knownNsid(b)).toBeUndefined();
    // Nothing was assigned: ip still lists no id for b in a.
    expect(nsidOf(a.name as string, b.name as string)).toBeUndefined();
    ip(a.name, 'netns', 'set', b.name as string, '9');
    expect(await a.knownNsid(b)).toBe(9);
    const listed = ipJson<Array<{ name: string; id?: number }>>(a.name, 'netns', 'list');
    expect(listed.find((n) => n.name === b.name)?.id).toBe(9);
  });

  it('nsids() lists every id as `ip netns list-id` does; targetNsid as `list-id target-nsid N`', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const c = await freshNamespace();
    const d = await freshNamespace();
    expect(await a.nsids()).toEqual([]);
    await a.setNsid(b, 4);
    await a.setNsid(c, 2);
    await b.setNsid(c, 11);
    await b.setNsid(d, 12);
    const witness = (ns: Namespace, ...more: string[]): Array<Record<string, unknown>> =>
      ipJson<Array<Record<string, unknown>>>(ns.name, 'netns', 'list-id', ...more).map(
        ({ nsid, 'current-nsid': current }) => (more.length === 0 ? { nsid } : { nsid, current }),
      );
    expect(await a.nsids()).toEqual([{ nsid: 2 }, { nsid: 4 }]);
    expect(await a.nsids()).toEqual(witness(a));
    // b as a numbers it (4): b's ids, each with a's own for the same peer (d: none in a).
    const inB = await a.nsids({ targetNsid: 4 });
    expect(inB).toEqual([
      { nsid: 11, currentNsid: 2 },
      { nsid: 12, currentNsid: null },
    ]);
    expect(inB.map(({ nsid, currentNsid }) => ({ nsid, current: currentNsid ?? undefined }))).toEqual(
      witness(a, 'target-nsid', '4'),
    );
    await expect(a.nsids({ targetNsid: 3 })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('refuses what is not a Namespace, and a closed one', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const e = await a.nsid({} as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetnsError);
    expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/expected a Namespace/) });
    await b.close();
    await expect(a.nsid(b)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(a.setNsid(b, 3)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(a.knownNsid(b)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(b.nsids()).rejects.toMatchObject({ code: 'EBADF' });
    expect(nsidOf(a.name as string, b.name as string)).toBeUndefined();
  });
});
