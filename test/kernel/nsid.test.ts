import * as fs from 'node:fs';
import { Namespace, NetnsError, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, nsidOf, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** How many sockets this process has open (a namespace handle holds a netlink socket inside it). */
function openSockets(): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false; // the directory's own fd, gone by now
    }
  }).length;
}

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

  it('names the other namespace by its fd alone, as ip: 50 named namespaces read and numbered open no socket', async () => {
    const names = Array.from({ length: 50 }, () => uniqueName());
    run('ip', ['-batch', '-'], names.map((n) => `netns add ${n}\n`).join(''));
    try {
      const a = await freshNamespace();
      ip(undefined, 'netns', 'set', names[0] as string, 'auto');
      ip(a.name, 'netns', 'set', names[1] as string, '31');
      const listed = (await Namespace.list()).filter((n) => names.includes(n.name as string));
      expect(listed).toHaveLength(50);
      const here = Namespace.current();
      const before = openSockets();
      const ids = await Promise.all(listed.map((n) => here.knownNsid(n)));
      const inA = await Promise.all(listed.map((n) => a.knownNsid(n)));
      const given = await a.nsid(listed.find((n) => n.name === names[2]) as Namespace);
      await a.setNsid(listed.find((n) => n.name === names[3]) as Namespace, 41);
      // No handle (and so no netlink socket inside, nor the privilege it needs) was opened.
      expect(openSockets()).toBe(before);
      // The witness: ip netns list here, ip -n a netns list-id there.
      const witness = ipJson<Array<{ name: string; id?: number }>>(undefined, 'netns', 'list');
      expect(listed.map((n, i) => [n.name, ids[i]])).toEqual(
        listed.map((n) => [n.name, witness.find((w) => w.name === n.name)?.id]),
      );
      expect(ids.filter((id) => id !== undefined)).toHaveLength(1);
      expect(listed.map((n, i) => [n.name, inA[i]]).filter(([, id]) => id !== undefined)).toEqual([[names[1], 31]]);
      expect(given).toBe(nsidOf(a.name as string, names[2] as string));
      expect(nsidOf(a.name as string, names[3] as string)).toBe(41);
    } finally {
      run('ip', ['-batch', '-'], names.map((n) => `netns delete ${n}\n`).join(''));
    }
  });

  it('a namespace listed but not opened: ESTALE when its name now holds another, ENOENT when it is gone', async () => {
    const a = await freshNamespace();
    const name = uniqueName();
    ip(undefined, 'netns', 'add', name);
    const listed = (await Namespace.list()).find((n) => n.name === name) as Namespace;
    // Held by an fd of ours meanwhile, so that the new namespace cannot be given its inode.
    const held = fs.openSync(`/run/netns/${name}`, 'r');
    ip(undefined, 'netns', 'delete', name);
    ip(undefined, 'netns', 'add', name);
    try {
      await expect(a.knownNsid(listed)).rejects.toMatchObject({ code: 'ESTALE' });
      await expect(a.nsid(listed)).rejects.toMatchObject({ code: 'ESTALE' });
      // Nothing was numbered: not the namespace now under that name either.
      expect(nsidOf(a.name as string, name)).toBeUndefined();
    } finally {
      ip(undefined, 'netns', 'delete', name);
      fs.closeSync(held);
    }
    const e = await a.knownNsid(listed).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetnsError);
    expect(e).toMatchObject({
      code: 'ENOENT',
      message: `cannot read the id of namespace "${name}" in namespace "${a.name}": no such namespace (ENOENT)`,
    });
  });
});
