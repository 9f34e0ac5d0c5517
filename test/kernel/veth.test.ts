import { Namespace, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { link, nsidOf } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('VethPair', () => {
  it('creates both ends in one namespace', async () => {
    const ns = await freshNamespace();
    const pair = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    const a = link(ns.name, pair.local.name);
    const b = link(ns.name, pair.peer.name);
    expect(a?.linkinfo?.info_kind).toBe('veth');
    expect(b?.linkinfo?.info_kind).toBe('veth');
    expect(a?.link).toBe(pair.peer.name);
    expect(pair.local.parentIndex).toBe(pair.peer.index);
    expect(pair.peer.parentIndex).toBe(pair.local.index);
    expect(pair.local.isUp).toBe(false);
  });

  it('creates each end directly in its own namespace, in one request', async () => {
    const x = await freshNamespace();
    const y = await freshNamespace();
    const pair = await VethPair.create({
      name: uniqueName('a'),
      peerName: uniqueName('b'),
      namespace: x,
      peerNamespace: y,
      mtu: 9000,
    });
    expect(pair.local.namespace).toBe(x);
    expect(pair.peer.namespace).toBe(y);
    expect(link(x.name, pair.local.name)?.mtu).toBe(9000);
    expect(link(y.name, pair.peer.name)?.mtu).toBe(9000);
    expect(link(x.name, pair.peer.name)).toBeUndefined();
    expect(link(y.name, pair.local.name)).toBeUndefined();
    expect(link(undefined, pair.local.name)).toBeUndefined();
    // the local end points at its peer in y, by the id x gives y (a number: never undefined)
    expect(link(x.name, pair.local.name)?.link_netnsid).toBe(nsidOf(x.name as string, y.name as string));
    expect(typeof nsidOf(x.name as string, y.name as string)).toBe('number');
    expect(pair.local.parentNetnsId).toBe(nsidOf(x.name as string, y.name as string));
  });

  it('defaults to the current namespace, and takes MACs', async () => {
    const name = uniqueName('a');
    const pair = await VethPair.create({
      name,
      peerName: uniqueName('b'),
      mac: '02:00:00:00:00:0a',
      peerMac: '02:00:00:00:00:0b',
    });
    try {
      expect(pair.local.namespace).toBe(Namespace.current());
      expect(link(undefined, name)?.address).toBe('02:00:00:00:00:0a');
      expect(link(undefined, pair.peer.name)?.address).toBe('02:00:00:00:00:0b');
    } finally {
      await pair.delete();
    }
    expect(link(undefined, name)).toBeUndefined();
  });

  it('delete() removes both ends', async () => {
    const x = await freshNamespace();
    const y = await freshNamespace();
    const pair = await VethPair.create({
      name: uniqueName('a'),
      peerName: uniqueName('b'),
      namespace: x,
      peerNamespace: y,
    });
    await pair.delete();
    expect(link(x.name, pair.local.name)).toBeUndefined();
    expect(link(y.name, pair.peer.name)).toBeUndefined();
  });

  it('`await using` deletes the pair at the end of the scope', async () => {
    const ns = await freshNamespace();
    let name = '';
    {
      await using pair = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
      name = pair.local.name;
      expect(link(ns.name, name)?.ifname).toBe(name);
    }
    expect(link(ns.name, name)).toBeUndefined();
  });

  it('marks the local end with an alias, set in the creating request', async () => {
    const ns = await freshNamespace();
    const pair = await VethPair.create({
      name: uniqueName('a'),
      peerName: uniqueName('b'),
      namespace: ns,
      alias: 'netns-native test mark',
    });
    expect(pair.local.alias).toBe('netns-native test mark');
    expect(pair.peer.alias).toBeUndefined();
    expect((link(ns.name, pair.local.name) as { ifalias?: string }).ifalias).toBe('netns-native test mark');
  });

  it('refuses a bad alias before any syscall', async () => {
    const ns = await freshNamespace();
    const name = uniqueName('a');
    for (const alias of ['', 'x'.repeat(256), 'a\0b', 7]) {
      await expect(
        VethPair.create({ name, peerName: uniqueName('b'), namespace: ns, alias: alias as string }),
      ).rejects.toMatchObject({ code: 'EINVAL' });
    }
    expect(link(ns.name, name)).toBeUndefined();
  });
});
