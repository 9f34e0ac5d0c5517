import { NetnsError, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, nsidOf } from '../helpers/ip';
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

  it('refuses what is not a Namespace, and a closed one', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const e = await a.nsid({} as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetnsError);
    expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/expected a Namespace/) });
    await b.close();
    await expect(a.nsid(b)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(a.setNsid(b, 3)).rejects.toMatchObject({ code: 'EBADF' });
    expect(nsidOf(a.name as string, b.name as string)).toBeUndefined();
  });
});
