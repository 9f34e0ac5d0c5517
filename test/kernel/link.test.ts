import { Bridge, Link, Namespace, NetnsError, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, links, nsidOf } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** A veth pair with both ends in `ns`. */
async function pairIn(ns: Namespace): Promise<VethPair> {
  return VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
}

describeKernel('Link', () => {
  it('links() and link() read what `ip link` shows', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const { local } = await pairIn(ns);
    const all = await ns.links();
    const witness = links(name);
    expect(all.map((l) => [l.index, l.name]).sort()).toEqual(witness.map((l) => [l.ifindex, l.ifname]).sort());
    const byName = await ns.link(local.name);
    const byIndex = await ns.link(local.index);
    const w = link(name, local.name);
    for (const l of [byName, byIndex]) {
      expect(l).toBeInstanceOf(Link);
      expect(l.index).toBe(w?.ifindex);
      expect(l.name).toBe(w?.ifname);
      expect(l.kind).toBe('veth');
      expect(l.mtu).toBe(w?.mtu);
      expect(l.mac).toBe(w?.address);
      expect(l.isUp).toBe(false);
      expect(l.operState).toBe('down');
      expect(l.masterIndex).toBeUndefined();
      expect(l.namespace).toBe(ns);
    }
    const lo = await ns.link('lo');
    expect(lo.kind).toBeUndefined();
    expect(lo.mac).toBe('00:00:00:00:00:00');
  });

  it('up() and down() set IFF_UP; operState follows the peer', async () => {
    const ns = await freshNamespace();
    const { local, peer } = await pairIn(ns);
    await local.up();
    expect(local.isUp).toBe(true);
    expect(link(ns.name, local.name)?.flags).toContain('UP');
    await local.refresh();
    expect(local.operState).toBe('lowerlayerdown'); // the peer is still down
    await peer.up();
    await local.refresh();
    expect(local.operState).toBe('up');
    expect(local.hasCarrier).toBe(true);
    expect(link(ns.name, local.name)?.operstate).toBe('UP');
    await local.down();
    expect(local.isUp).toBe(false);
    expect(link(ns.name, local.name)?.flags).not.toContain('UP');
  });

  it('setMtu() changes the MTU', async () => {
    const ns = await freshNamespace();
    const { local } = await pairIn(ns);
    await local.setMtu(9000);
    expect(local.mtu).toBe(9000);
    expect(link(ns.name, local.name)?.mtu).toBe(9000);
    await local.setMtu(68);
    expect(link(ns.name, local.name)?.mtu).toBe(68);
  });

  it('methods that return a promise reject, never throw, even for a value whose String() throws', async () => {
    const ns = await freshNamespace();
    const { local } = await pairIn(ns);
    const evil = {
      toString(): string {
        throw new Error('evil');
      },
    };
    const trap = new Proxy(
      {},
      {
        get(): never {
          throw new Error('trap');
        },
      },
    );
    const calls: Array<() => Promise<unknown>> = [
      () => local.setMtu(evil as unknown as number),
      () => local.addAddress('198.18.0.1/24', trap),
      () => local.deleteAddress('198.18.0.1/24', trap),
      () => local.deleteAddress(trap as never),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = call())).not.toThrow();
      await expect(promise).rejects.toThrow(/evil|trap/);
    }
    expect(link(ns.name, local.name)?.mtu).toBe(1500);
  });

  it('rename() renames, keeping the index', async () => {
    const ns = await freshNamespace();
    const { local } = await pairIn(ns);
    const index = local.index;
    const to = uniqueName('r');
    await local.rename(to);
    expect(local.name).toBe(to);
    expect(link(ns.name, to)?.ifindex).toBe(index);
    expect((await ns.link(to)).index).toBe(index);
  });

  it('setMac() sets the link-layer address', async () => {
    const ns = await freshNamespace();
    const { local } = await pairIn(ns);
    await local.setMac('02:00:5E:10:00:01');
    expect(local.mac).toBe('02:00:5e:10:00:01');
    expect(link(ns.name, local.name)?.address).toBe('02:00:5e:10:00:01');
  });

  it('moveTo() moves a link to another namespace and returns it as seen there', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const { local, peer } = await pairIn(a);
    await local.addAddress('198.18.1.1/24');
    expect(peer.parentNetnsId).toBeUndefined(); // both ends in a, for now
    const moved = await local.moveTo(b);
    expect(moved.namespace).toBe(b);
    expect(moved.name).toBe(local.name);
    expect(link(a.name, local.name)).toBeUndefined();
    expect(link(b.name, local.name)?.ifindex).toBe(moved.index);
    // the kernel flushes addresses on the move
    expect(await moved.addresses()).toEqual(expect.not.arrayContaining([expect.objectContaining({ family: 4 })]));
    // the peer now points across namespaces
    await peer.refresh();
    expect(typeof nsidOf(a.name as string, b.name as string)).toBe('number');
    expect(peer.parentNetnsId).toBe(nsidOf(a.name as string, b.name as string));
    expect(peer.parentIndex).toBe(moved.index);
    // the old handle refers to nothing any more
    await expect(local.refresh()).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('moveTo() to the namespace it is already in is a no-op', async () => {
    const ns = await freshNamespace();
    const { local } = await pairIn(ns);
    const before = link(ns.name, local.name);
    const same = await local.moveTo(ns);
    expect(same.index).toBe(local.index);
    expect(link(ns.name, local.name)).toEqual(before);
  });

  it('setMaster() and noMaster() attach and detach a bridge port', async () => {
    const ns = await freshNamespace();
    const { local } = await pairIn(ns);
    const br = await Bridge.create(uniqueName('br'), { namespace: ns });
    await local.setMaster(br);
    expect(local.masterIndex).toBe(br.index);
    expect(link(ns.name, local.name)?.master).toBe(br.name);
    await local.refresh();
    expect(local.masterIndex).toBe(br.index);
    await local.noMaster();
    expect(local.masterIndex).toBeUndefined();
    expect(link(ns.name, local.name)).toMatchObject({ ifname: local.name });
    expect(link(ns.name, local.name)).not.toHaveProperty('master');
  });

  it('delete() deletes a link (and a veth peer with it)', async () => {
    const ns = await freshNamespace();
    const { local, peer } = await pairIn(ns);
    await local.delete();
    expect(link(ns.name, local.name)).toBeUndefined();
    expect(link(ns.name, peer.name)).toBeUndefined();
    await expect(local.delete()).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('refresh() reads changes made behind its back', async () => {
    const ns = await freshNamespace();
    const { local } = await pairIn(ns);
    ip(ns.name, 'link', 'set', local.name, 'mtu', '1400', 'up');
    expect(local.mtu).toBe(1500);
    expect(await local.refresh()).toBe(local);
    expect(local.mtu).toBe(1400);
    expect(local.isUp).toBe(true);
  });

  it('link() of a missing link fails with ENODEV and says which', async () => {
    const ns = await freshNamespace();
    const error = await ns.link('nope0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetnsError);
    expect(error).toMatchObject({ code: 'ENODEV', errno: 19 });
    expect((error as Error).message).toBe(`cannot find link "nope0" in namespace "${ns.name}": no such link (ENODEV)`);
  });

  it('JSON and inspection show the state', async () => {
    const ns = await freshNamespace();
    const lo = await ns.link('lo');
    expect(JSON.parse(JSON.stringify(lo))).toMatchObject({ name: 'lo', index: 1, namespace: ns.name });
  });
});
