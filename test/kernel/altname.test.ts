import { NetnsError, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link as ipLink, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** A name of `bytes` bytes that no other test uses. */
function longName(bytes: number): string {
  const base = uniqueName('alt');
  return base + 'x'.repeat(bytes - base.length);
}

async function pair() {
  const ns = await freshNamespace();
  const name = uniqueName('a');
  const veth = await VethPair.create({ name, peerName: uniqueName('b'), namespace: ns });
  return { ns, veth, name };
}

describeKernel('alternative names', () => {
  it('addAltName() adds names as `ip link property add` does; altNames and `ip -j link show` agree', async () => {
    const { ns, veth, name } = await pair();
    const short = uniqueName('s');
    const long = longName(127);
    expect(veth.local.altNames).toEqual([]);
    await veth.local.addAltName(short);
    await veth.local.addAltName(long);
    expect(veth.local.altNames).toEqual([short, long]);
    expect(ipLink(ns.name, name)?.altnames).toEqual([short, long]);
    // Read back from the kernel, by name, by each alternative name, and in a dump.
    expect((await ns.link(name)).altNames).toEqual([short, long]);
    expect((await ns.link(short)).index).toBe(veth.local.index);
    const byLong = await ns.link(long);
    expect(byLong.index).toBe(veth.local.index);
    expect(byLong.name).toBe(name);
    expect((await ns.links()).find((l) => l.index === veth.local.index)?.altNames).toEqual([short, long]);
    expect((await ns.links()).find((l) => l.index === veth.peer.index)?.altNames).toEqual([]);
  });

  it('toJSON() lists the alternative names (as ip -j link: only a link that has some)', async () => {
    const { ns, veth, name } = await pair();
    const short = uniqueName('s');
    ip(ns.name, 'link', 'property', 'add', 'dev', name, 'altname', short);
    const read = await ns.link(name);
    expect(ipLink(ns.name, name)?.altnames).toEqual([short]);
    expect(JSON.parse(JSON.stringify(read))).toMatchObject({ name, altNames: [short] });
    expect(JSON.parse(JSON.stringify(veth.peer))).not.toHaveProperty('altNames');
  });

  it('finds a link by an alternative name added with ip, of every length from 1 to 127 bytes', async () => {
    const { ns, veth, name } = await pair();
    const names = [uniqueName('q'), longName(16), longName(64), longName(127)];
    for (const alt of names) ip(ns.name, 'link', 'property', 'add', 'dev', name, 'altname', alt);
    for (const alt of names) expect((await ns.link(alt)).index).toBe(veth.local.index);
    expect((await veth.local.refresh()).altNames).toEqual(names);
    await expect(ns.link(longName(40))).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('deleteAltName() removes one name as `ip link property del` does; the link is no longer found by it', async () => {
    const { ns, veth, name } = await pair();
    const a = uniqueName('s');
    const b = longName(30);
    await veth.local.addAltName(a);
    await veth.local.addAltName(b);
    await veth.local.deleteAltName(a);
    expect(veth.local.altNames).toEqual([b]);
    expect(ipLink(ns.name, name)?.altnames).toEqual([b]);
    await veth.local.deleteAltName(b);
    expect(veth.local.altNames).toEqual([]);
    expect(ipLink(ns.name, name)?.altnames).toBeUndefined();
    await expect(ns.link(a)).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(ns.link(b)).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('a link keeps its alternative names when renamed and when moved to another namespace', async () => {
    const { veth } = await pair();
    const alt = longName(20);
    await veth.local.addAltName(alt);
    const renamed = uniqueName('r');
    await veth.local.rename(renamed);
    expect((await veth.local.refresh()).altNames).toEqual([alt]);
    const other = await freshNamespace();
    const moved = await veth.local.moveTo(other);
    expect(moved.altNames).toEqual([alt]);
    expect(ipLink(other.name, renamed)?.altnames).toEqual([alt]);
    expect((await other.link(alt)).index).toBe(moved.index);
  });

  it('a name taken by a link or an alternative name is EEXIST; a missing one ENOENT; a link name EINVAL; nothing changes', async () => {
    const { ns, veth, name } = await pair();
    const alt = uniqueName('s');
    await veth.local.addAltName(alt);
    const before = snapshot(ns.name);
    const taken = [alt, name, veth.peer.name, 'lo'];
    for (const n of taken) {
      const e = await veth.local.addAltName(n).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({
        code: 'EEXIST',
        message: expect.stringMatching(
          new RegExp(
            `^cannot add alternative name "${n}" to .*: a link in the namespace already has that name or alternative name \\(EEXIST\\)`,
          ),
        ),
      });
    }
    // Another link's alternative name is taken too.
    await expect(veth.peer.addAltName(alt)).rejects.toMatchObject({ code: 'EEXIST' });
    const missing = await veth.local.deleteAltName(uniqueName('m')).catch((x: unknown) => x);
    expect(missing).toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/no link in the namespace has that alternative name \(ENOENT\)/),
    });
    for (const n of [name, veth.peer.name]) {
      await expect(veth.local.deleteAltName(n)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/is the link's own name or belongs to another link/),
      });
    }
    // Another link's alternative name is not this link's to remove.
    await expect(veth.peer.deleteAltName(alt)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(snapshot(ns.name)).toEqual(before);
    expect(ipLink(ns.name, name)?.altnames).toEqual([alt]);
    expect(veth.local.altNames).toEqual([alt]);
  });

  it('refuses invalid names before sending anything, with a sentence', async () => {
    const { ns, veth } = await pair();
    const before = snapshot(ns.name);
    const cases: Array<[unknown, RegExp]> = [
      ['', /the alternative name is empty/],
      [longName(128), /is 128 bytes long; Linux allows at most 127/],
      ['a/b', /contains '\/', ':' or whitespace/],
      ['a b', /contains '\/', ':' or whitespace/],
      ['a:b', /contains '\/', ':' or whitespace/],
      ['.', /"\." is not a valid alternative name/],
      ['..', /"\.\." is not a valid alternative name/],
      ['a%d', /contains '%'/],
      ['a\0b', /contains a NUL byte/],
      [7, /the alternative name must be a string, not 7/],
    ];
    for (const [bad, message] of cases) {
      for (const call of [() => veth.local.addAltName(bad as string), () => veth.local.deleteAltName(bad as string)]) {
        const e = await call().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(NetnsError);
        expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
      }
    }
    await expect(ns.link(longName(128))).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/is 128 bytes long; Linux allows at most 127/),
    });
    expect(snapshot(ns.name)).toEqual(before);
  });
});
