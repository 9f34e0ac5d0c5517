import { Bridge, Namespace, VethPair } from 'netns-native';
import { kCreateAttached } from '../../lib/internal/symbols';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, link, nsidOf } from '../helpers/ip';
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

  it('attached to a bridge at creation (internal, for Network.connect): the peer is the one the kernel made, not read back', async () => {
    const x = await freshNamespace();
    const y = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: x });
    const name = uniqueName('a');
    const pair = await VethPair[kCreateAttached](
      { name, peerName: 'eth0', namespace: x, peerNamespace: y, peerMac: '02:42:c6:13:00:07', mtu: 1400 },
      br,
    );
    const local = link(x.name, name);
    const peer = link(y.name, 'eth0');
    expect(local?.master).toBe(br.name);
    expect(local?.flags).toContain('UP');
    // What the peer object says is what `ip` sees inside y.
    expect(pair.peer.namespace).toBe(y);
    expect(pair.peer.index).toBe(peer?.ifindex);
    expect(pair.peer.name).toBe('eth0');
    expect(pair.peer.mac).toBe(peer?.address);
    expect(pair.peer.mtu).toBe(peer?.mtu);
    expect(pair.peer.isUp).toBe(false);
    expect(peer?.flags).not.toContain('UP');
    expect(pair.peer.masterIndex).toBeUndefined();
    expect(pair.peer.parentIndex).toBe(pair.local.index);
    // Requests through it reach that link.
    await pair.peer.addAddress('198.18.77.2/24');
    await pair.peer.up();
    expect(link(y.name, 'eth0')?.flags).toContain('UP');
    expect(ip(y.name, '-br', 'addr', 'show', 'dev', 'eth0')).toContain('198.18.77.2/24');
  });

  it('attached to a master known by its index: ESTALE when that index is another link now, and nothing is left', async () => {
    const x = await freshNamespace();
    const y = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: x });
    const other = await Bridge.create(uniqueName('bo'), { namespace: x });
    const name = uniqueName('a');
    const create = (index: number) =>
      VethPair[kCreateAttached]({ name, peerName: 'eth0', namespace: x, peerNamespace: y }, { index, name: br.name });
    await expect(create(other.index)).rejects.toMatchObject({ code: 'ESTALE' });
    expect(link(x.name, name)).toBeUndefined();
    expect(link(y.name, 'eth0')).toBeUndefined();
    expect(ipJson<unknown[]>(x.name, 'link', 'show', 'master', other.name)).toEqual([]);
    const pair = await create(br.index);
    expect(link(x.name, pair.local.name)?.master).toBe(br.name);
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
