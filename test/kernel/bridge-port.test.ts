/**
 * A bridge port's settings (link.setBridgePort, link.bridgePort), witnessed both ways: what the
 * library sets, `ip -d -j link show` (IFLA_INFO_SLAVE_DATA) and `bridge -d -j link show`
 * (IFLA_PROTINFO) list; what `ip link set dev PORT type bridge_slave ...` sets, the library reads.
 */
import { Bridge, NetnsError, VethPair, type BridgePortSettings, type Link, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { bridgePortDetails, ip, link, operational } from '../helpers/ip';
import { bridgePortSettingMissing, describeKernel, itIf, kernelHasLinkKind } from '../helpers/skip';

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
const FLAGS: Array<[keyof BridgePortSettings, string, boolean]> = [
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
];

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
