import { Bridge, Link, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { bridgeLinks, link } from '../helpers/ip';
import { describeKernel, itIf, kernelHasLinkKind } from '../helpers/skip';

describeKernel('Bridge', () => {
  it('create() makes a bridge, and link() returns it as a Bridge', async () => {
    const ns = await freshNamespace();
    const name = uniqueName('br');
    const br = await Bridge.create(name, { namespace: ns });
    expect(br).toBeInstanceOf(Bridge);
    expect(br.kind).toBe('bridge');
    expect(br.stp).toBe(false);
    expect(link(ns.name, name)?.linkinfo?.info_kind).toBe('bridge');
    const again = await ns.link(name);
    expect(again).toBeInstanceOf(Bridge);
    expect((await ns.links()).find((l) => l.name === name)).toBeInstanceOf(Bridge);
  });

  it('create() with stp turns on the spanning tree', async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns, stp: true, forwardDelayMs: 4000 });
    expect(br.stp).toBe(true);
    expect(br.forwardDelayMs).toBe(4000);
    const data = link(ns.name, br.name)?.linkinfo?.info_data;
    expect(data?.stp_state).toBe(1);
    expect(data?.forward_delay).toBe(400);
  });

  it('create() refuses stp or vlanFiltering that is not a boolean, and creates nothing', async () => {
    const ns = await freshNamespace();
    const name = uniqueName('br');
    // 'no' is truthy: taken as it was, it would turn the spanning tree on.
    await expect(Bridge.create(name, { namespace: ns, stp: 'no' as never })).rejects.toMatchObject({
      code: 'EINVAL',
      message: `cannot create bridge "${name}" in namespace "${ns.name}": stp must be true or false, not "no" (EINVAL)`,
    });
    await expect(Bridge.create(name, { namespace: ns, vlanFiltering: 0 as never })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining('vlanFiltering must be true or false, not 0'),
    });
    expect(link(ns.name, name)).toBeUndefined();
  });

  itIf(kernelHasLinkKind('bridge', ['vlan_filtering', '1']), 'this kernel has no bridge VLAN filtering')(
    'create() with vlanFiltering turns it on',
    async () => {
      const ns = await freshNamespace();
      const br = await Bridge.create(uniqueName('br'), { namespace: ns, vlanFiltering: true });
      expect(br.vlanFiltering).toBe(true);
      expect(link(ns.name, br.name)?.linkinfo?.info_data?.vlan_filtering).toBe(1);
    },
  );

  itIf(!kernelHasLinkKind('bridge', ['vlan_filtering', '1']), 'this kernel has bridge VLAN filtering')(
    'create() with vlanFiltering on a kernel without it says so and creates nothing',
    async () => {
      const ns = await freshNamespace();
      const name = uniqueName('br');
      await expect(Bridge.create(name, { namespace: ns, vlanFiltering: true })).rejects.toMatchObject({
        code: 'EOPNOTSUPP',
        message: expect.stringContaining('CONFIG_BRIDGE_VLAN_FILTERING'),
      });
      expect(link(ns.name, name)).toBeUndefined();
    },
  );

  it('addPort(), ports() and removePort()', async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns });
    const a = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    const c = await VethPair.create({ name: uniqueName('c'), peerName: uniqueName('d'), namespace: ns });
    await br.addPort(a.local);
    await br.addPort(c.local);
    const ports = await br.ports();
    expect(ports.map((p) => p.name).sort()).toEqual([a.local.name, c.local.name].sort());
    expect(ports.every((p) => p instanceof Link && p.masterIndex === br.index)).toBe(true);
    const witness = bridgeLinks(ns.name as string);
    expect(witness.map((l) => l.ifname).sort()).toEqual([a.local.name, c.local.name].sort());
    expect(witness.every((l) => l.master === br.name)).toBe(true);

    await br.removePort(a.local);
    expect((await br.ports()).map((p) => p.name)).toEqual([c.local.name]);
    expect(link(ns.name, a.local.name)).toMatchObject({ ifname: a.local.name });
    expect(link(ns.name, a.local.name)).not.toHaveProperty('master');
    await expect(br.removePort(a.local)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('setMaster() to a link that takes no ports: EOPNOTSUPP saying so, nothing attached', async () => {
    const ns = await freshNamespace();
    const a = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    const lo = await ns.link('lo');
    await expect(a.local.setMaster(a.peer)).rejects.toMatchObject({
      code: 'EOPNOTSUPP',
      message:
        `cannot attach "${a.local.name}" in namespace "${ns.name}" to "${a.peer.name}": "${a.peer.name}" (veth) ` +
        'cannot take ports: only a bridge, bond, team or VRF can be a master (EOPNOTSUPP)',
    });
    await expect(a.local.setMaster(lo)).rejects.toMatchObject({
      code: 'EOPNOTSUPP',
      message: expect.stringContaining(': "lo" cannot take ports: only a bridge, bond, team or VRF can be a master'),
    });
    expect(link(ns.name, a.local.name)).not.toHaveProperty('master');
  });

  it('delete() removes the bridge and frees its ports', async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns });
    const a = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
    await br.addPort(a.local);
    await br.delete();
    expect(link(ns.name, br.name)).toBeUndefined();
    expect(link(ns.name, a.local.name)).toMatchObject({ ifname: a.local.name }); // the port stays
    expect(link(ns.name, a.local.name)).not.toHaveProperty('master');
  });

  it('create() with an alias marks the bridge', async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns, alias: 'netns-native network x' });
    expect(br.alias).toBe('netns-native network x');
    expect((link(ns.name, br.name) as { ifalias?: string }).ifalias).toBe('netns-native network x');
    await expect(Bridge.create(uniqueName('br'), { namespace: ns, alias: '' })).rejects.toMatchObject({
      code: 'EINVAL',
    });
  });
});
