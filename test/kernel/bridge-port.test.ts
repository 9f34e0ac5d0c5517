/**
 * A bridge port's settings (link.setBridgePort, link.bridgePort), witnessed both ways: what the
 * library sets, `ip -d -j link show` (IFLA_INFO_SLAVE_DATA) and `bridge -d -j link show`
 * (IFLA_PROTINFO) list; what `ip link set dev PORT type bridge_slave ...` sets, the library reads.
 */
import { Bridge, NetnsError, VethPair, type BridgePortSettings, type Link, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { bridgePortDetails, ip, link, operational } from '../helpers/ip';
import { dispatchStats } from '../../lib/internal/dispatch';
import {
  bridgePortSettingMissing,
  bridgePortSettingTooNew,
  describeKernel,
  itIf,
  kernelHasLinkKind,
} from '../helpers/skip';

interface Port {
  ns: Namespace;
  br: Bridge;
  port: Link;
  peer: Link;
}

/** A bridge with one veth end as its port; everything up (and operational) unless `down`. */
async function makePort(options: { down?: boolean; stp?: boolean } = {}): Promise<Port> {
  const ns = await freshNamespace();
  const br = await Bridge.create(uniqueName('br'), { namespace: ns, stp: options.stp === true });
  const pair = await VethPair.create({ name: uniqueName('p'), peerName: uniqueName('q'), namespace: ns });
  await br.addPort(pair.local);
  if (!options.down) {
    await Promise.all([br.up(), pair.local.up(), pair.peer.up()]);
    await operational(ns.name, pair.local.name, pair.peer.name);
  }
  await pair.local.refresh();
  return { ns, br, port: pair.local, peer: pair.peer };
}

/** `ip -d -j link show dev NAME`: the port's bridge_slave settings. */
function ipView(p: Port): Record<string, unknown> {
  return link(p.ns.name, p.port.name)?.linkinfo?.info_slave_data ?? {};
}

/** `bridge -d -j link show dev NAME`. */
function bridgeView(p: Port): Record<string, unknown> {
  return bridgePortDetails(p.ns.name as string, p.port.name) ?? {};
}

/** The settings `ip` lists (but the STP timers and state, which move on their own), to compare. */
function snapshot(p: Port): string {
  const { forward_delay_timer: _t, hold_timer: _h, message_age_timer: _m, state: _s, ...settings } = ipView(p);
  return JSON.stringify(settings);
}

/** Each on/off setting: the library's name, iproute2's, and the kernel's default for a new port. */
const FLAGS: Array<[Exclude<keyof BridgePortSettings, 'backupPort'>, string, boolean]> = [
  ['learning', 'learning', true],
  ['flood', 'flood', true],
  ['mcastFlood', 'mcast_flood', true],
  ['bcastFlood', 'bcast_flood', true],
  ['hairpin', 'hairpin', false],
  ['guard', 'guard', false],
  ['rootBlock', 'root_block', false],
  ['fastLeave', 'fastleave', false],
  ['proxyArp', 'proxy_arp', false],
  ['proxyArpWifi', 'proxy_arp_wifi', false],
  ['isolated', 'isolated', false],
  ['neighSuppress', 'neigh_suppress', false],
  ['mcastToUnicast', 'mcast_to_unicast', false],
  ['locked', 'locked', false],
  ['vlanTunnel', 'vlan_tunnel', false],
];

/** Another veth end attached to the bridge of `p`, for a backup port. */
async function secondPort(p: Port): Promise<Link> {
  const pair = await VethPair.create({ name: uniqueName('b'), peerName: uniqueName('c'), namespace: p.ns });
  await p.br.addPort(pair.local);
  return pair.local;
}

/** Addon calls (batches) and requests sent so far, to count what a call costs. */
function sent(): { batches: number; ops: number } {
  return {
    batches: dispatchStats.inlineBatches + dispatchStats.workerBatches,
    ops: dispatchStats.inlineOps + dispatchStats.workerOps,
  };
}

describeKernel('Bridge port settings', () => {
  for (const [name, ipName, byDefault] of FLAGS) {
    const missing = bridgePortSettingMissing(ipName, 'on');
    itIf(missing === undefined, missing ?? '')(
      `${name} (${ipName}): set here, listed by ip and bridge; set by ip, read here`,
      async () => {
        const p = await makePort();
        expect(p.port.bridgePort?.[name]).toBe(byDefault);
        expect(ipView(p)[ipName]).toBe(byDefault);
        await p.port.setBridgePort({ [name]: !byDefault });
        expect(p.port.bridgePort?.[name]).toBe(!byDefault);
        expect(ipView(p)[ipName]).toBe(!byDefault);
        // iproute2 6.1's bridge prints proxy_arp and proxy_arp_wifi in no form: check what it lists.
        const viaBridge = bridgeView(p);
        if (ipName in viaBridge) expect(viaBridge[ipName]).toBe(!byDefault);
        ip(p.ns.name, 'link', 'set', 'dev', p.port.name, 'type', 'bridge_slave', ipName, byDefault ? 'on' : 'off');
        expect((await p.ns.link(p.port.name)).bridgePort?.[name]).toBe(byDefault);
        await p.port.refresh();
        expect(p.port.bridgePort?.[name]).toBe(byDefault);
      },
    );
  }

  it('groupFwdMask and mcastRouter: set here, listed by ip (and bridge); set by ip, read here', async () => {
    const p = await makePort();
    expect(p.port.bridgePort).toMatchObject({ groupFwdMask: 0, mcastRouter: 'auto' });
    expect(ipView(p)).toMatchObject({ group_fwd_mask: '0', multicast_router: 1 });
    await p.port.setBridgePort({ groupFwdMask: 0x4005, mcastRouter: 'permanent' });
    expect(p.port.bridgePort).toMatchObject({ groupFwdMask: 0x4005, mcastRouter: 'permanent' });
    expect(ipView(p)).toMatchObject({
      group_fwd_mask: '0x4005',
      group_fwd_mask_str: 'stp,lacp,lldp',
      multicast_router: 2,
    });
    expect(bridgeView(p)).toMatchObject({ mcast_router: 2 });
    for (const [name, number] of [
      ['disabled', 0],
      ['temporary', 3],
      ['auto', 1],
    ] as const) {
      await p.port.setBridgePort({ mcastRouter: name });
      expect(ipView(p).multicast_router).toBe(number);
    }
    ip(
      p.ns.name,
      'link',
      'set',
      'dev',
      p.port.name,
      'type',
      'bridge_slave',
      'group_fwd_mask',
      '0x8',
      'mcast_router',
      '0',
    );
    await p.port.refresh();
    expect(p.port.bridgePort).toMatchObject({ groupFwdMask: 8, mcastRouter: 'disabled' });
  });

  it('backupPort: another port of the bridge, set here by its Link, listed by ip and bridge; set by ip, read here', async () => {
    const p = await makePort();
    const backup = await secondPort(p);
    expect(p.port.bridgePort?.backupPortIndex).toBeUndefined();
    expect(ipView(p).backup_port).toBeUndefined();
    await p.port.setBridgePort({ backupPort: backup });
    expect(p.port.bridgePort?.backupPortIndex).toBe(backup.index);
    expect(ipView(p).backup_port).toBe(backup.name);
    expect(bridgeView(p).backup_port).toBe(backup.name);
    // null: none (nobackup_port); and giving none again changes nothing and is no error.
    await p.port.setBridgePort({ backupPort: null });
    expect(p.port.bridgePort?.backupPortIndex).toBeUndefined();
    expect(ipView(p).backup_port).toBeUndefined();
    await p.port.setBridgePort({ backupPort: null, hairpin: true });
    expect(ipView(p)).toMatchObject({ hairpin: true });
    ip(p.ns.name, 'link', 'set', 'dev', p.port.name, 'type', 'bridge_slave', 'backup_port', backup.name);
    await p.port.refresh();
    expect(p.port.bridgePort?.backupPortIndex).toBe(backup.index);
  });

  it('backupPort: refuses a link that is no port of the same bridge, itself, or one of another namespace; nothing changed', async () => {
    const p = await makePort();
    const loose = await VethPair.create({ name: uniqueName('o'), peerName: uniqueName('r'), namespace: p.ns });
    const otherBridge = await Bridge.create(uniqueName('br'), { namespace: p.ns });
    const elsewhere = await VethPair.create({ name: uniqueName('e'), peerName: uniqueName('f'), namespace: p.ns });
    await otherBridge.addPort(elsewhere.local);
    const away = await makePort();
    const before = snapshot(p);
    const bad: Array<[unknown, string, RegExp]> = [
      [loose.local, 'EINVAL', /the backup port "\w+" is not a port of the same bridge; attach it first/],
      [elsewhere.local, 'EINVAL', /the backup port "\w+" is not a port of the same bridge/],
      [p.port, 'EINVAL', /a port cannot be its own backup port/],
      [away.port, 'EINVAL', /the backup port "\w+" is in another namespace/],
      [
        loose.local.name,
        'EINVAL',
        /backupPort must be a Link \(another port of the same bridge\) or null for none, not "\w+"/,
      ],
      [loose.local.index, 'EINVAL', /backupPort must be a Link/],
    ];
    for (const [backupPort, code, reason] of bad) {
      await expect(p.port.setBridgePort({ hairpin: true, backupPort } as BridgePortSettings)).rejects.toMatchObject({
        code,
        message: expect.stringMatching(reason),
      });
    }
    // Gone since it was read: the kernel's ENODEV, said of the backup port.
    const gone = await secondPort(p);
    ip(p.ns.name, 'link', 'del', gone.name);
    await expect(p.port.setBridgePort({ hairpin: true, backupPort: gone })).rejects.toMatchObject({
      code: 'ENODEV',
      message: expect.stringContaining('the backup port is gone'),
    });
    expect(snapshot(p)).toBe(before);
  });

  itIf(bridgePortSettingTooNew('mab', [6, 2]) === undefined, bridgePortSettingTooNew('mab', [6, 2]) ?? '')(
    'mab (Linux 6.2; iproute2 6.1 neither sets nor shows it): read back here, and the kernel acts on it',
    async () => {
      const p = await makePort();
      expect(p.port.bridgePort?.mab).toBe(false);
      // The kernel's own rule: a port must be locked, and learn, to have mab. Its message, and nothing changed.
      await expect(p.port.setBridgePort({ hairpin: true, mab: true })).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(
          /must be locked and have learning enabled when MAB is enabled; nothing was changed/,
        ),
      });
      expect(ipView(p)).toMatchObject({ hairpin: false, locked: false });
      await p.port.setBridgePort({ locked: true, mab: true });
      expect(p.port.bridgePort).toMatchObject({ locked: true, mab: true });
      expect((await p.ns.link(p.port.name)).bridgePort?.mab).toBe(true);
      // The witness this iproute2 can give: while mab is on, the kernel refuses to unlock the port.
      expect(() => ip(p.ns.name, 'link', 'set', 'dev', p.port.name, 'type', 'bridge_slave', 'locked', 'off')).toThrow();
      await p.port.setBridgePort({ mab: false });
      expect(p.port.bridgePort?.mab).toBe(false);
      ip(p.ns.name, 'link', 'set', 'dev', p.port.name, 'type', 'bridge_slave', 'locked', 'off');
      expect(ipView(p).locked).toBe(false);
    },
  );

  itIf(
    bridgePortSettingTooNew('neigh_vlan_suppress', [6, 8]) === undefined,
    bridgePortSettingTooNew('neigh_vlan_suppress', [6, 8]) ?? '',
  )('neighVlanSuppress (Linux 6.8; iproute2 6.1 neither sets nor shows it): read back here only', async () => {
    const p = await makePort();
    expect(p.port.bridgePort?.neighVlanSuppress).toBe(false);
    await p.port.setBridgePort({ neighVlanSuppress: true });
    expect(p.port.bridgePort?.neighVlanSuppress).toBe(true);
    // A read of its own (a dump of every link), and nothing else of the port's changed.
    const listed = (await p.ns.links()).find((l) => l.name === p.port.name);
    expect(listed?.bridgePort).toMatchObject({ neighVlanSuppress: true, neighSuppress: false });
    await p.port.setBridgePort({ neighVlanSuppress: false });
    expect((await p.ns.link(p.port.name)).bridgePort?.neighVlanSuppress).toBe(false);
  });

  it('cost and priority: set here, listed by ip and bridge; set by ip, read here', async () => {
    const p = await makePort();
    expect(p.port.bridgePort?.priority).toBe(32);
    await p.port.setBridgePort({ cost: 1234, priority: 7 });
    expect(p.port.bridgePort).toMatchObject({ cost: 1234, priority: 7 });
    expect(ipView(p)).toMatchObject({ cost: 1234, priority: 7 });
    expect(bridgeView(p)).toMatchObject({ cost: 1234, priority: 7 });
    ip(p.ns.name, 'link', 'set', 'dev', p.port.name, 'type', 'bridge_slave', 'cost', '65535', 'priority', '63');
    await p.port.refresh();
    expect(p.port.bridgePort).toMatchObject({ cost: 65535, priority: 63 });
  });

  it('state: set here, listed by ip and bridge; set by ip, read here', async () => {
    const p = await makePort();
    expect(p.port.bridgePort?.state).toBe('forwarding');
    await p.port.setBridgePort({ state: 'learning' });
    expect(p.port.bridgePort?.state).toBe('learning');
    expect(ipView(p).state).toBe('learning');
    expect(bridgeView(p).state).toBe('learning');
    ip(p.ns.name, 'link', 'set', 'dev', p.port.name, 'type', 'bridge_slave', 'state', '1');
    await p.port.refresh();
    expect(p.port.bridgePort?.state).toBe('listening');
    // Without carrier (the veth's peer down; the kernel disables the port), only 'disabled'.
    await p.peer.down();
    await expect(p.port.setBridgePort({ hairpin: true, state: 'forwarding' })).rejects.toMatchObject({
      code: 'ENETDOWN',
      message: expect.stringContaining(
        `"${p.port.name}" has no carrier (a veth's peer is down), so its state can only be 'disabled'`,
      ),
    });
    expect(ipView(p)).toMatchObject({ hairpin: false });
    expect(ipView(p).state).not.toBe('forwarding');
    await p.port.setBridgePort({ hairpin: true, state: 'disabled' });
    expect(ipView(p)).toMatchObject({ hairpin: true, state: 'disabled' });
    expect(p.port.bridgePort).toMatchObject({ hairpin: true, state: 'disabled' });
  });

  it('several settings in one call', async () => {
    const p = await makePort();
    const settings: BridgePortSettings = {
      learning: false,
      flood: false,
      mcastFlood: false,
      hairpin: true,
      guard: true,
      isolated: true,
      cost: 50,
      priority: 10,
      state: 'learning',
    };
    await p.port.setBridgePort(settings);
    expect(p.port.bridgePort).toMatchObject(settings);
    expect(ipView(p)).toMatchObject({
      learning: false,
      flood: false,
      mcast_flood: false,
      hairpin: true,
      guard: true,
      isolated: true,
      cost: 50,
      priority: 10,
      state: 'learning',
      // untouched
      bcast_flood: true,
      root_block: false,
    });
  });

  it('is read with every link: a port has it, the bridge and a link of no bridge do not', async () => {
    const p = await makePort();
    const other = await VethPair.create({ name: uniqueName('o'), peerName: uniqueName('r'), namespace: p.ns });
    ip(p.ns.name, 'link', 'set', 'dev', p.port.name, 'type', 'bridge_slave', 'hairpin', 'on');
    const all = await p.ns.links();
    expect(all.find((l) => l.name === p.port.name)?.bridgePort).toMatchObject({ hairpin: true, learning: true });
    expect(all.find((l) => l.name === p.br.name)?.bridgePort).toBeUndefined();
    expect(all.find((l) => l.name === other.local.name)?.bridgePort).toBeUndefined();
    const [listed] = await p.br.ports();
    expect(listed?.bridgePort?.hairpin).toBe(true);
    // Detached: no settings any more, in the state kept and in a new read.
    await p.br.removePort(p.port);
    expect(p.port.bridgePort).toBeUndefined();
    expect((await p.ns.link(p.port.name)).bridgePort).toBeUndefined();
  });

  it("the spanning tree's state (ids, numbers, timers) reads as ip lists it", async () => {
    const p = await makePort({ stp: true });
    await p.port.refresh();
    const stp = p.port.bridgePort;
    const w = ipView(p);
    const id = (text: unknown): string => {
      // ip writes the MAC as ether_ntoa: no leading zeros.
      const [priority, mac] = String(text).split('.') as [string, string];
      return `${priority}.${mac
        .split(':')
        .map((b) => b.padStart(2, '0'))
        .join(':')}`;
    };
    expect(stp).toMatchObject({
      portId: Number(w.id),
      portNo: Number(w.no),
      designatedPort: w.designated_port,
      designatedCost: w.designated_cost,
      designatedBridge: id(w.bridge_id),
      designatedRoot: id(w.root_id),
      topologyChangeAck: w.topology_change_ack === 1,
      configPending: w.config_pending === 1,
    });
    expect(stp?.designatedRoot).toMatch(/^[0-9a-f]{4}\.([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // Timers count down between the two reads: within a second of ip's, read after.
    for (const [mine, theirs] of [
      ['holdTimerMs', 'hold_timer'],
      ['messageAgeTimerMs', 'message_age_timer'],
      ['forwardDelayTimerMs', 'forward_delay_timer'],
    ] as const) {
      expect(typeof stp?.[mine]).toBe('number');
      expect(Math.abs((stp?.[mine] ?? 0) / 1000 - Number(w[theirs]))).toBeLessThanOrEqual(1);
    }
    // Under STP a new port listens, then learns: its forward delay timer runs (15 s by default).
    expect(stp?.forwardDelayTimerMs).toBeGreaterThan(0);
  });

  it('refuses a link that is no bridge port, saying so, and sends it nothing', async () => {
    const p = await makePort();
    const other = await VethPair.create({ name: uniqueName('o'), peerName: uniqueName('r'), namespace: p.ns });
    for (const l of [other.local, p.br]) {
      const e = await l.setBridgePort({ hairpin: true }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({
        code: 'EOPNOTSUPP',
        message: `cannot change bridge port settings of "${l.name}" in namespace "${p.ns.name}": "${l.name}" is no bridge's port: it has no master; attach it first (bridge.addPort(link)) (EOPNOTSUPP)`,
      });
    }
  });

  itIf(kernelHasLinkKind('vrf', ['table', '10']), 'this kernel has no VRF')(
    "refuses a port of a master that is no bridge (a VRF's), before sending it a bridge's attributes",
    async () => {
      const ns = await freshNamespace();
      const vrf = uniqueName('vrf');
      ip(ns.name, 'link', 'add', vrf, 'type', 'vrf', 'table', '10');
      const pair = await VethPair.create({ name: uniqueName('p'), peerName: uniqueName('q'), namespace: ns });
      await pair.local.setMaster(await ns.link(vrf));
      const before = JSON.stringify(link(ns.name, pair.local.name)?.linkinfo);
      await expect(pair.local.setBridgePort({ learning: false })).rejects.toMatchObject({
        code: 'EOPNOTSUPP',
        message: expect.stringMatching(/is no bridge's port: its master \(index \d+\) is a vrf; attach it first/),
      });
      expect(JSON.stringify(link(ns.name, pair.local.name)?.linkinfo)).toBe(before);
    },
  );

  it('refuses bad settings with EINVAL before anything is sent', async () => {
    const p = await makePort();
    const before = snapshot(p);
    const bad: Array<[unknown, RegExp]> = [
      [{}, /give at least one setting to change \(hairpin, guard, /],
      [{ hairpin: undefined }, /give at least one setting/],
      [undefined, /the settings must be an object, not undefined/],
      [[{ hairpin: true }], /the settings must be an object/],
      [{ unicastFlood: false }, /there is no bridge port setting "unicastFlood"; the settings are .*flood/],
      [{ hairpin: 1 }, /hairpin must be true or false, not 1/],
      [{ learning: 'off' }, /learning must be true or false, not "off"/],
      [{ cost: 0 }, /cost must be an integer from 1 to 65535, not 0/],
      [{ cost: 65536 }, /cost must be an integer from 1 to 65535, not 65536/],
      [{ cost: 1.5 }, /cost must be an integer/],
      [{ priority: 64 }, /priority must be an integer from 0 to 63, not 64/],
      [{ state: 3 }, /state must be one of 'disabled', 'listening', 'learning', 'forwarding', 'blocking', not 3/],
      [{ state: 'Forwarding' }, /state must be one of .*, not "Forwarding"/],
      [{ vlanTunnel: 1 }, /vlanTunnel must be true or false, not 1/],
      [
        { groupFwdMask: 2 },
        /groupFwdMask cannot have bit 1 \(0x2\): pause frames \(01:80:c2:00:00:01\) are never forwarded/,
      ],
      [{ groupFwdMask: 0x10000 }, /groupFwdMask must be an integer from 0 to 65535, not 65536/],
      [{ groupFwdMask: -1 }, /groupFwdMask must be an integer from 0 to 65535/],
      [{ mcastRouter: 2 }, /mcastRouter must be one of 'disabled', 'auto', 'permanent', 'temporary', not 2/],
      [{ mcastRouter: 'always' }, /mcastRouter must be one of .*, not "always"/],
      [{ mab: 'on' }, /mab must be true or false, not "on"/],
      [{ backupPort: undefined }, /give at least one setting/],
      // A valid setting beside a bad one: refused as a whole.
      [{ hairpin: true, priority: -1 }, /priority must be an integer from 0 to 63, not -1/],
    ];
    for (const [settings, reason] of bad) {
      await expect(p.port.setBridgePort(settings as BridgePortSettings)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(reason),
      });
    }
    expect(snapshot(p)).toBe(before);
  });

  it("refuses a state on a port that is down, and changes none of the call's other settings", async () => {
    const p = await makePort({ down: true });
    const before = snapshot(p);
    await expect(p.port.setBridgePort({ hairpin: true, cost: 9, state: 'disabled' })).rejects.toMatchObject({
      code: 'ENETDOWN',
      message: expect.stringContaining(
        `a port's state can be set only while it is up; bring "${p.port.name}" up first`,
      ),
    });
    expect(snapshot(p)).toBe(before);
    expect(p.port.bridgePort?.hairpin).toBe(false);
  });

  it("when the kernel refuses part of a call (a state under the kernel's STP), puts back what it had applied", async () => {
    const p = await makePort({ stp: true });
    const before = snapshot(p);
    expect(ipView(p)).toMatchObject({ hairpin: false, learning: true });
    // The kernel applies the flags and the cost, then refuses the state (EBUSY).
    await expect(
      p.port.setBridgePort({ hairpin: true, learning: false, cost: 42, state: 'forwarding' }),
    ).rejects.toMatchObject({
      code: 'EBUSY',
      message: expect.stringContaining(
        "the bridge runs the kernel's spanning tree (stp), which sets the state of its ports itself; nothing was changed",
      ),
    });
    expect(snapshot(p)).toBe(before);
    // The same settings without the state go through.
    await p.port.setBridgePort({ hairpin: true, learning: false, cost: 42 });
    expect(ipView(p)).toMatchObject({ hairpin: true, learning: false, cost: 42 });
  });
});

describeKernel('Bridge port settings given when attaching (addPort, setMaster)', () => {
  /** A bridge (up) and a veth pair (up, with carrier), not attached. */
  async function loosePort(options: { stp?: boolean } = {}): Promise<Port> {
    const ns = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns, stp: options.stp === true });
    const pair = await VethPair.create({ name: uniqueName('p'), peerName: uniqueName('q'), namespace: ns });
    await Promise.all([br.up(), pair.local.up(), pair.peer.up()]);
    await operational(ns.name, pair.local.name, pair.peer.name);
    await pair.local.refresh();
    return { ns, br, port: pair.local, peer: pair.peer };
  }

  /** What ip says of the link: its master's name and its bridge_slave settings, if any. */
  function attachment(p: Port): { master?: string; slave?: string; settings?: Record<string, unknown> } {
    const l = link(p.ns.name, p.port.name);
    return { master: l?.master, slave: l?.linkinfo?.info_slave_kind, settings: l?.linkinfo?.info_slave_data };
  }

  it('addPort(link, settings): attached with them, listed by ip and bridge; bridgePort read back with it', async () => {
    const p = await loosePort();
    const backup = await secondPort(p);
    const settings: BridgePortSettings = {
      hairpin: true,
      learning: false,
      isolated: true,
      cost: 77,
      priority: 9,
      groupFwdMask: 0x4000,
      mcastRouter: 'permanent',
      vlanTunnel: true,
      backupPort: backup,
    };
    await p.br.addPort(p.port, settings);
    expect(attachment(p)).toMatchObject({
      master: p.br.name,
      slave: 'bridge',
      settings: {
        hairpin: true,
        learning: false,
        isolated: true,
        cost: 77,
        priority: 9,
        group_fwd_mask: '0x4000',
        multicast_router: 2,
        vlan_tunnel: true,
        backup_port: backup.name,
        flood: true, // untouched
      },
    });
    expect(bridgeView(p)).toMatchObject({ master: p.br.name, hairpin: true, learning: false, cost: 77, priority: 9 });
    // Without refresh(): the attach read the link back.
    expect(p.port.masterIndex).toBe(p.br.index);
    const { backupPort: _b, ...named } = settings;
    expect(p.port.bridgePort).toMatchObject({
      ...named,
      backupPortIndex: backup.index,
      flood: true,
      state: 'forwarding',
    });
  });

  it('link.setMaster(bridge, { port }) does the same; a state too, on a port that is up', async () => {
    const p = await loosePort();
    await p.port.setMaster(p.br, { port: { fastLeave: true, state: 'learning' } });
    expect(attachment(p)).toMatchObject({ master: p.br.name, settings: { fastleave: true, state: 'learning' } });
    expect(p.port.bridgePort).toMatchObject({ fastLeave: true, state: 'learning' });
  });

  it('sends the attach, the settings and the read back in one sendmsg, after one read', async () => {
    const p = await loosePort();
    const start = sent();
    await p.br.addPort(p.port, { hairpin: true });
    const used = sent();
    // The read (one request), then the attach, the settings, the read back (three).
    expect([used.batches - start.batches, used.ops - start.ops]).toEqual([2, 4]);
    expect(attachment(p).settings).toMatchObject({ hairpin: true });
  });

  it('without settings: one request, no read back (it would nearly double an attach); bridgePort after refresh()', async () => {
    const p = await loosePort();
    const start = sent();
    await p.br.addPort(p.port);
    const used = sent();
    expect([used.batches - start.batches, used.ops - start.ops]).toEqual([1, 1]);
    expect(p.port.masterIndex).toBe(p.br.index);
    expect(p.port.bridgePort).toBeUndefined();
    await p.port.refresh();
    expect(p.port.bridgePort).toMatchObject({ learning: true, hairpin: false, priority: 32 });
    expect(p.port.bridgePort?.cost).toBe(attachment(p).settings?.cost);
    // Moved to another bridge: the settings read as the first one's port are not kept as its.
    await p.port.setBridgePort({ hairpin: true });
    const other = await Bridge.create(uniqueName('bo'), { namespace: p.ns });
    await other.addPort(p.port);
    expect(p.port.masterIndex).toBe(other.index);
    expect(p.port.bridgePort).toBeUndefined();
    expect(attachment(p)).toMatchObject({ master: other.name, settings: { hairpin: false } });
  });

  it('a setting the kernel refuses (a state under STP): the link is detached again, as it was', async () => {
    const p = await loosePort({ stp: true });
    const before = JSON.stringify(link(p.ns.name, p.port.name)?.linkinfo);
    await expect(p.br.addPort(p.port, { hairpin: true, cost: 5, state: 'forwarding' })).rejects.toMatchObject({
      code: 'EBUSY',
      message: expect.stringContaining(
        `cannot attach "${p.port.name}" in namespace "${p.ns.name}" to "${p.br.name}": the bridge runs the kernel's spanning tree (stp), which sets the state of its ports itself; nothing was changed (EBUSY)`,
      ),
    });
    expect(attachment(p).master).toBeUndefined();
    expect(JSON.stringify(link(p.ns.name, p.port.name)?.linkinfo)).toBe(before);
    expect(p.port.masterIndex).toBeUndefined();
    expect(p.port.bridgePort).toBeUndefined();
    expect(await p.br.ports()).toEqual([]);
  });

  itIf(bridgePortSettingTooNew('mab', [6, 2]) === undefined, bridgePortSettingTooNew('mab', [6, 2]) ?? '')(
    "a setting the kernel refuses among the flags (mab on a port that is not locked): detached again, the kernel's reason",
    async () => {
      const p = await loosePort();
      await expect(p.br.addPort(p.port, { hairpin: true, mab: true })).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(
          /must be locked and have learning enabled when MAB is enabled; nothing was changed/,
        ),
      });
      expect(attachment(p).master).toBeUndefined();
    },
  );

  it('a port of the same bridge already: the settings change, and a refusal puts them back', async () => {
    const p = await loosePort({ stp: true });
    await p.br.addPort(p.port, { hairpin: true });
    await p.br.addPort(p.port, { learning: false, guard: true });
    expect(attachment(p)).toMatchObject({
      master: p.br.name,
      settings: { hairpin: true, learning: false, guard: true },
    });
    const before = snapshot(p);
    await expect(p.br.addPort(p.port, { learning: true, cost: 9, state: 'blocking' })).rejects.toMatchObject({
      code: 'EBUSY',
    });
    expect(attachment(p).master).toBe(p.br.name);
    expect(snapshot(p)).toBe(before);
  });

  it("a port of another bridge: a refusal puts it back there, with that bridge's port settings", async () => {
    const p = await loosePort();
    const stpBridge = await Bridge.create(uniqueName('bs'), { namespace: p.ns, stp: true });
    await stpBridge.up();
    await p.br.addPort(p.port, { hairpin: true, learning: false, cost: 7, mcastRouter: 'disabled' });
    const before = snapshot(p);
    await expect(stpBridge.addPort(p.port, { guard: true, state: 'forwarding' })).rejects.toMatchObject({
      code: 'EBUSY',
    });
    expect(attachment(p).master).toBe(p.br.name);
    expect(snapshot(p)).toBe(before);
    expect(ipView(p)).toMatchObject({ hairpin: true, learning: false, cost: 7, multicast_router: 0, guard: false });
    // Without a refusal the move goes through, with the new settings.
    await stpBridge.addPort(p.port, { guard: true });
    expect(attachment(p)).toMatchObject({ master: stpBridge.name, settings: { guard: true, hairpin: false } });
  });

  it('refuses, before sending anything: bad settings, settings for a master that is no bridge, a state on a port that is down, a backup port of no bridge', async () => {
    const p = await loosePort();
    const down = await VethPair.create({ name: uniqueName('d'), peerName: uniqueName('e'), namespace: p.ns });
    const loose = await VethPair.create({ name: uniqueName('o'), peerName: uniqueName('r'), namespace: p.ns });
    const start = sent();
    const cases: Array<[() => Promise<void>, string, RegExp]> = [
      [() => p.br.addPort(p.port, {}), 'EINVAL', /give at least one setting to change/],
      [
        () => p.br.addPort(p.port, { hairpin: 'yes' } as unknown as BridgePortSettings),
        'EINVAL',
        /hairpin must be true or false/,
      ],
      [() => p.port.setMaster(p.br, { port: { cost: 0 } }), 'EINVAL', /cost must be an integer from 1 to 65535, not 0/],
      [() => p.port.setMaster(p.br, 'hairpin' as never), 'EINVAL', /options must be an object/],
      [
        () => p.port.setMaster(loose.local, { port: { hairpin: true } }),
        'EINVAL',
        /port settings are a bridge's, and "\w+" is a veth/,
      ],
    ];
    for (const [call, code, reason] of cases) {
      await expect(call()).rejects.toMatchObject({ code, message: expect.stringMatching(reason) });
    }
    expect(sent().batches).toBe(start.batches);
    // These need the link read first; then nothing more is sent.
    await expect(p.br.addPort(down.local, { state: 'forwarding' })).rejects.toMatchObject({
      code: 'ENETDOWN',
      message: expect.stringContaining(
        `a port's state can be set only while it is up; bring "${down.local.name}" up first`,
      ),
    });
    await expect(p.br.addPort(p.port, { hairpin: true, backupPort: loose.local })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining(`the backup port "${loose.local.name}" is not a port of the same bridge`),
    });
    expect(sent().batches - start.batches).toBe(2);
    for (const l of [p.port, down.local, loose.local]) expect(link(p.ns.name, l.name)?.master).toBeUndefined();
  });
});
