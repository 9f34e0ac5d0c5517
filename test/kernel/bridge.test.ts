import { Bridge, Link, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { bridgeLinks, ip, link } from '../helpers/ip';
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

  it("info reads the bridge's spanning tree and multicast state as ip lists it", async () => {
    const ns = await freshNamespace();
    const name = uniqueName('br');
    ip(
      ns.name,
      ...`link add ${name} type bridge stp_state 1 priority 4096 group_fwd_mask 0x4000 group_address 01:80:c2:00:00:0e mcast_router 2 mcast_querier 1 mcast_query_use_ifaddr 1 mcast_hash_max 1024 mcast_last_member_count 3 mcast_startup_query_count 4 mcast_last_member_interval 200 mcast_membership_interval 30000 mcast_querier_interval 26000 mcast_query_interval 13000 mcast_query_response_interval 900 mcast_startup_query_interval 3000 mcast_stats_enabled 1 mcast_igmp_version 3 mcast_mld_version 2 no_linklocal_learn 1`.split(
        ' ',
      ),
    );
    ip(ns.name, 'link', 'set', name, 'address', '02:00:0a:0b:0c:0d');
    const br = (await ns.link(name)) as Bridge;
    const w = link(ns.name, name)?.linkinfo?.info_data ?? {};
    expect(br.info).toMatchObject({
      bridgeId: '1000.02:00:0a:0b:0c:0d',
      rootId: '1000.02:00:0a:0b:0c:0d',
      rootPort: w.root_port,
      rootPathCost: w.root_path_cost,
      topologyChange: w.topology_change === 1,
      topologyChangeDetected: w.topology_change_detected === 1,
      groupFwdMask: 0x4000,
      groupAddress: '01:80:c2:00:00:0e',
      noLinklocalLearn: true,
      mcastVlanSnooping: false,
      mcastRouter: 'permanent',
      mcastQuerier: true,
      mcastQueryUseIfaddr: true,
      mcastHashElasticity: w.mcast_hash_elasticity,
      mcastHashMax: 1024,
      mcastLastMemberCount: 3,
      mcastStartupQueryCount: 4,
      mcastLastMemberIntervalMs: 2000,
      mcastMembershipIntervalMs: 300000,
      mcastQuerierIntervalMs: 260000,
      mcastQueryIntervalMs: 130000,
      mcastQueryResponseIntervalMs: 9000,
      mcastStartupQueryIntervalMs: 30000,
      mcastStatsEnabled: true,
      mcastIgmpVersion: 3,
      mcastMldVersion: 2,
      nfCallArptables: w.nf_call_arptables === 1,
    });
    expect(w.bridge_id).toBe('1000.2:0:a:b:c:d');
    // The timers count down between the two reads: within a second of ip's.
    for (const [mine, theirs] of [
      ['helloTimerMs', 'hello_timer'],
      ['tcnTimerMs', 'tcn_timer'],
      ['topologyChangeTimerMs', 'topology_change_timer'],
      ['gcTimerMs', 'gc_timer'],
    ] as const) {
      expect(typeof br.info[mine]).toBe('number');
      expect(Math.abs((br.info[mine] ?? 0) / 1000 - Number(w[theirs]))).toBeLessThanOrEqual(1);
    }
    // A bridge made here has the kernel's defaults: 01:80:c2:00:00:00, no mask, learning link-local.
    const plain = await Bridge.create(uniqueName('br'), { namespace: ns });
    expect(plain.info).toMatchObject({ groupAddress: '01:80:c2:00:00:00', groupFwdMask: 0, noLinklocalLearn: false });
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
