import { Namespace, NetnsError, VethPair, Vxlan, type Link } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { bridge, fdb, ip, link, snapshot } from '../helpers/ip';
import { describeKernel, itIf, kernelHasLinkKind } from '../helpers/skip';

const hasVxlan = kernelHasLinkKind('vxlan', ['id', '1', 'dstport', '4789']);
const why = 'this kernel has no vxlan';

/** A namespace with an underlay link (a veth end) addressed 198.18.100.1/24. */
async function underlay(): Promise<{ ns: Namespace; eth: Link }> {
  const ns = await freshNamespace();
  const { local } = await VethPair.create({ name: uniqueName('u'), peerName: uniqueName('p'), namespace: ns });
  await local.addAddress('198.18.100.1/24');
  return { ns, eth: local };
}

describeKernel('Vxlan', () => {
  itIf(hasVxlan, why)('create() makes what `ip -d link` shows, typed in info', async () => {
    const { ns, eth } = await underlay();
    const name = uniqueName('vx');
    const vx = await Vxlan.create(name, {
      vni: 42,
      local: '198.18.100.1',
      port: 4789,
      device: eth,
      learning: false,
      ttl: 16,
      namespace: ns,
    });
    expect(vx).toBeInstanceOf(Vxlan);
    expect(vx.kind).toBe('vxlan');
    expect(vx.namespace).toBe(ns);
    const w = link(ns.name, name);
    expect(w?.linkinfo?.info_kind).toBe('vxlan');
    expect(w?.linkinfo?.info_data).toMatchObject({
      id: 42,
      local: '198.18.100.1',
      port: 4789,
      learning: false,
      ttl: 16,
      link: eth.name,
    });
    expect(vx.info).toMatchObject({
      vni: 42,
      local: '198.18.100.1',
      port: 4789,
      learning: false,
      ttl: 16,
      deviceIndex: eth.index,
    });
    expect(vx.info.remote).toBeUndefined();
    expect(vx.vni).toBe(42);
    // MTU: the device's minus the 50 bytes of VXLAN over IPv4.
    expect(vx.mtu).toBe(w?.mtu);
    expect(vx.mtu).toBe(1450);
    expect((await ns.link(name)).info).toEqual(vx.info);
  });

  itIf(hasVxlan, why)('a remote, a multicast group, udpChecksum and the default port', async () => {
    const { ns, eth } = await underlay();
    const a = await Vxlan.create(uniqueName('vx'), {
      vni: 7,
      remote: '198.18.100.2',
      udpChecksum: false,
      namespace: ns,
    });
    expect(link(ns.name, a.name)?.linkinfo?.info_data).toMatchObject({
      id: 7,
      remote: '198.18.100.2',
      port: 4789,
      udp_csum: false,
    });
    expect(a.info).toMatchObject({ vni: 7, remote: '198.18.100.2', port: 4789, udpChecksum: false, learning: true });
    expect(a.info.group).toBeUndefined();
    const b = await Vxlan.create(uniqueName('vx'), { vni: 8, group: '239.1.1.1', device: eth, port: 8472 });
    expect(b.namespace).toBe(ns); // the device's
    expect(link(ns.name, b.name)?.linkinfo?.info_data).toMatchObject({ id: 8, group: '239.1.1.1', port: 8472 });
    expect(b.info).toMatchObject({ vni: 8, group: '239.1.1.1', port: 8472, deviceIndex: eth.index });
  });

  itIf(hasVxlan, why)('what `ip link add ... type vxlan` makes reads back as a Vxlan', async () => {
    const { ns, eth } = await underlay();
    const name = uniqueName('vx');
    ip(
      ns.name,
      'link',
      'add',
      name,
      'type',
      'vxlan',
      'id',
      '4242',
      'local',
      '198.18.100.1',
      'dev',
      eth.name,
      'dstport',
      '4790',
      'nolearning',
      'ageing',
      '120',
    );
    const vx = await ns.link(name);
    expect(vx).toBeInstanceOf(Vxlan);
    expect(vx.info).toMatchObject({
      vni: 4242,
      local: '198.18.100.1',
      port: 4790,
      learning: false,
      ageingSeconds: 120,
      deviceIndex: eth.index,
    });
    expect((await ns.links()).find((l) => l.name === name)).toBeInstanceOf(Vxlan);
  });

  itIf(hasVxlan, why)('a device in another namespace: the request goes there, the link is placed here', async () => {
    const { ns: host, eth } = await underlay();
    const box = await freshNamespace();
    const name = uniqueName('vx');
    const vx = await Vxlan.create(name, { vni: 9, device: eth, local: '198.18.100.1', namespace: box });
    expect(vx.namespace).toBe(box);
    expect(link(box.name, name)?.linkinfo?.info_kind).toBe('vxlan');
    expect(link(host.name, name)).toBeUndefined();
    expect(vx.info.vni).toBe(9);
  });

  itIf(hasVxlan, why)('bad values are refused before any syscall, and change nothing', async () => {
    const { ns, eth } = await underlay();
    const before = snapshot(ns.name);
    const cases: Array<[Parameters<typeof Vxlan.create>[1], RegExp]> = [
      [{ vni: 2 ** 24, namespace: ns }, /the VNI must be an integer from 0 to 16777215/],
      [{ vni: -1, namespace: ns }, /the VNI must be an integer/],
      [{ vni: 1.5, namespace: ns }, /the VNI must be an integer/],
      [{ vni: 1, port: 0, namespace: ns }, /the port must be an integer from 1 to 65535/],
      [{ vni: 1, port: 65536, namespace: ns }, /the port must be an integer from 1 to 65535/],
      [{ vni: 1, remote: '239.1.1.1', namespace: ns }, /is a multicast address: give it as group/],
      [{ vni: 1, group: '198.18.100.2', device: eth }, /is not a multicast address: give it as remote/],
      [{ vni: 1, group: '239.1.1.1', namespace: ns }, /a multicast group needs a device/],
      [{ vni: 1, local: '198.18.100.1', remote: 'fd00::2', namespace: ns }, /is IPv6 but the other addresses are IPv4/],
      [{ vni: 1, remote: '198.18.100.2', group: '239.1.1.1', device: eth }, /either a remote or a group/],
      [{ vni: 1, local: 'nowhere', namespace: ns }, /"nowhere" is not a valid IPv4 or IPv6 local address/],
      [{ vni: 1, device: 'eth0' as never, namespace: ns }, /device must be a Link/],
      [{ vni: 1, ttl: 256, namespace: ns }, /the TTL must be an integer from 0 to 255/],
      [{ vni: 1, learning: 'no' as never, namespace: ns }, /learning must be true or false/],
    ];
    for (const [options, message] of cases) {
      const e = await Vxlan.create(uniqueName('vx'), options).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    expect(snapshot(ns.name)).toBe(before);
  });

  itIf(hasVxlan, why)('UDP checksums: udpChecksum and the IPv6 zero-checksum pair, both ways', async () => {
    const { ns } = await underlay();
    // ip link add NAME type vxlan id 9 local fd00:100::1 noudpcsum udp6zerocsumtx udp6zerocsumrx
    const a = await Vxlan.create(uniqueName('vx'), {
      vni: 9,
      local: 'fd00:100::1',
      udpChecksum: false,
      udp6ZeroChecksumTx: true,
      udp6ZeroChecksumRx: true,
      namespace: ns,
    });
    expect(link(ns.name, a.name)?.linkinfo?.info_data).toMatchObject({
      id: 9,
      local6: 'fd00:100::1',
      udp_csum: false,
      udp_zero_csum6_tx: true,
      udp_zero_csum6_rx: true,
    });
    expect(a.info).toMatchObject({ udpChecksum: false, udp6ZeroChecksumTx: true, udp6ZeroChecksumRx: true });
    const b = await Vxlan.create(uniqueName('vx'), {
      vni: 10,
      local: 'fd00:100::1',
      udpChecksum: true,
      udp6ZeroChecksumTx: false,
      udp6ZeroChecksumRx: true,
      namespace: ns,
    });
    expect(link(ns.name, b.name)?.linkinfo?.info_data).toMatchObject({
      udp_csum: true,
      udp_zero_csum6_tx: false,
      udp_zero_csum6_rx: true,
    });
    expect(b.info).toMatchObject({ udpChecksum: true, udp6ZeroChecksumTx: false, udp6ZeroChecksumRx: true });
    // What ip makes reads back; the kernel's defaults: checksums on, no zero checksums.
    const c = uniqueName('vx');
    ip(ns.name, 'link', 'add', c, 'type', 'vxlan', 'id', '11', 'dstport', '4789', 'udp6zerocsumtx', 'noudpcsum');
    expect((await ns.link(c)).info).toMatchObject({
      udpChecksum: false,
      udp6ZeroChecksumTx: true,
      udp6ZeroChecksumRx: false,
    });
    const d = await Vxlan.create(uniqueName('vx'), { vni: 12, namespace: ns });
    expect(d.info).toMatchObject({ udpChecksum: true, udp6ZeroChecksumTx: false, udp6ZeroChecksumRx: false });
    const before = snapshot(ns.name);
    await expect(
      Vxlan.create(uniqueName('vx'), { vni: 13, udp6ZeroChecksumRx: 'on' as never, namespace: ns }),
    ).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/udp6ZeroChecksumRx must be true or false/),
    });
    expect(snapshot(ns.name)).toBe(before);
  });

  itIf(hasVxlan, why)('a device that no longer exists: ENODEV, nothing made', async () => {
    const { ns, eth } = await underlay();
    await eth.delete();
    const name = uniqueName('vx');
    await expect(Vxlan.create(name, { vni: 1, device: eth, namespace: ns })).rejects.toMatchObject({ code: 'ENODEV' });
    expect(link(ns.name, name)).toBeUndefined();
  });

  itIf(hasVxlan, why)('a duplicate VNI and port is refused by the kernel, and leaves nothing', async () => {
    const { ns } = await underlay();
    await Vxlan.create(uniqueName('vx'), { vni: 5, namespace: ns });
    const before = snapshot(ns.name);
    const name = uniqueName('vx');
    await expect(Vxlan.create(name, { vni: 5, namespace: ns })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(snapshot(ns.name)).toBe(before);
  });

  itIf(hasVxlan, why)('fdb entries: append, list and delete, as `bridge fdb` sees them', async () => {
    const { ns, eth } = await underlay();
    const vx = await Vxlan.create(uniqueName('vx'), { vni: 42, device: eth, learning: false });
    await vx.addFdb({ mac: '00:00:00:00:00:00', destination: '198.18.100.2' });
    await vx.addFdb({ mac: '00:00:00:00:00:00', destination: '198.18.100.3' }); // a second remote
    await vx.addFdb({ mac: '02:00:00:00:00:0a', destination: '198.18.100.4', vni: 43, port: 4790, via: eth });
    const w = fdb(ns.name, 'dev', vx.name);
    expect(w).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mac: '00:00:00:00:00:00', dst: '198.18.100.2', flags: ['self'], state: 'permanent' }),
        expect.objectContaining({ mac: '00:00:00:00:00:00', dst: '198.18.100.3' }),
        expect.objectContaining({
          mac: '02:00:00:00:00:0a',
          dst: '198.18.100.4',
          vni: 43,
          port: 4790,
          viaIf: eth.name,
        }),
      ]),
    );
    const mine = await vx.fdb();
    expect(mine).toHaveLength(w.length);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          mac: '00:00:00:00:00:00',
          destination: '198.18.100.2',
          permanent: true,
          self: true,
          master: false,
        }),
        expect.objectContaining({ mac: '00:00:00:00:00:00', destination: '198.18.100.3' }),
        expect.objectContaining({
          mac: '02:00:00:00:00:0a',
          destination: '198.18.100.4',
          vni: 43,
          port: 4790,
          viaIndex: eth.index,
        }),
      ]),
    );
    await vx.deleteFdb({ mac: '00:00:00:00:00:00', destination: '198.18.100.2' });
    expect(
      fdb(ns.name, 'dev', vx.name)
        .map((e) => e.dst)
        .sort(),
    ).toEqual(['198.18.100.3', '198.18.100.4']);
    // A MAC with no entry: ENOENT, nothing changed. (A destination that is not among the
    // entry's is not an error to the kernel: it deletes nothing and says so with success.)
    const before = snapshot(ns.name);
    await expect(vx.deleteFdb({ mac: '02:00:00:00:00:0c', destination: '198.18.100.9' })).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/no such fdb entry/),
    });
    await vx.deleteFdb({ mac: '00:00:00:00:00:00', destination: '198.18.100.9' });
    // Appending a destination the entry has already changes nothing either.
    await vx.addFdb({ mac: '00:00:00:00:00:00', destination: '198.18.100.3' });
    expect(snapshot(ns.name)).toBe(before);
  });

  itIf(hasVxlan, why)('what `bridge fdb append` adds reads back through fdb()', async () => {
    const { ns } = await underlay();
    const vx = await Vxlan.create(uniqueName('vx'), { vni: 42, namespace: ns });
    bridge(ns.name, 'fdb', 'append', '00:00:00:00:00:00', 'dev', vx.name, 'dst', '198.18.100.7');
    bridge(ns.name, 'fdb', 'add', '02:00:00:00:00:0b', 'dev', vx.name, 'dst', '198.18.100.8', 'vni', '99');
    const mine = await vx.fdb();
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mac: '00:00:00:00:00:00', destination: '198.18.100.7', permanent: true, self: true }),
        expect.objectContaining({ mac: '02:00:00:00:00:0b', destination: '198.18.100.8', vni: 99 }),
      ]),
    );
    await vx.deleteFdb({ mac: '02:00:00:00:00:0b', destination: '198.18.100.8', vni: 99 });
    expect(fdb(ns.name, 'dev', vx.name).find((e) => e.mac === '02:00:00:00:00:0b')).toBeUndefined();
  });

  itIf(hasVxlan, why)('fdb extLearned: extern_learn both ways, as `bridge fdb` sees it', async () => {
    const { ns } = await underlay();
    const vx = await Vxlan.create(uniqueName('vx'), { vni: 42, namespace: ns });
    await vx.addFdb({ mac: '02:00:00:00:00:0d', destination: '198.18.100.9', extLearned: true });
    await vx.addFdb({ mac: '02:00:00:00:00:0e', destination: '198.18.100.10' });
    bridge(ns.name, 'fdb', 'append', '02:00:00:00:00:0f', 'dev', vx.name, 'dst', '198.18.100.11', 'extern_learn');
    const w = new Map(fdb(ns.name, 'dev', vx.name).map((e) => [e.mac, e]));
    expect(w.get('02:00:00:00:00:0d')?.flags).toEqual(['self', 'extern_learn']);
    expect(w.get('02:00:00:00:00:0e')?.flags).toEqual(['self']);
    const mine = new Map((await vx.fdb()).map((e) => [e.mac, e]));
    expect(mine.get('02:00:00:00:00:0d')).toMatchObject({ extLearned: true, self: true, destination: '198.18.100.9' });
    expect(mine.get('02:00:00:00:00:0e')).toMatchObject({ extLearned: false });
    expect(mine.get('02:00:00:00:00:0f')).toMatchObject({ extLearned: true, destination: '198.18.100.11' });
  });

  // Addresses from 198.19.248.0/24 and fd00:ab::/32.
  itIf(hasVxlan, why)('portRange sets the source ports; info reads them and what else ip prints', async () => {
    const ns = await freshNamespace();
    const name = uniqueName('vx');
    const vx = await Vxlan.create(name, {
      vni: 7,
      local: '198.19.248.1',
      remote: '198.19.248.2',
      portRange: { low: 40000, high: 50000 },
      namespace: ns,
    });
    const data = link(ns.name, name)?.linkinfo?.info_data;
    expect(data?.port_range).toEqual({ low: 40000, high: 50000 });
    expect(vx.info.portRange).toEqual({ low: 40000, high: 50000 });
    expect(vx.info).toMatchObject({ external: false, vniFilter: false, rsc: false, gbp: false, gpe: false });
    expect(vx.info).toMatchObject({ remoteChecksumTx: false, remoteChecksumRx: false, ttlInherit: false });
    expect(vx.info.df).toBe(data?.df ?? 'unset');
    expect(vx.info.flowLabel).toBe(0);
    // One port, and the ends of the range.
    for (const [low, high] of [
      [4789, 4789],
      [1, 65535],
    ] as const) {
      const one = await Vxlan.create(uniqueName('vx'), { vni: 8 + low, portRange: { low, high }, namespace: ns });
      expect(link(ns.name, one.name)?.linkinfo?.info_data?.port_range).toEqual({ low, high });
      expect(one.info.portRange).toEqual({ low, high });
    }
    // What only ip made: ttl inherit, df, the flow label, rsc, remote checksums, gbp.
    ip(
      ns.name,
      ...`link add vx6 type vxlan id 9 local fd00:ab::1 remote fd00:ab::2 dstport 4789 ttl inherit df inherit flowlabel 0x12345 rsc remcsumtx remcsumrx gbp`.split(
        ' ',
      ),
    );
    const v6 = (await ns.link('vx6')) as Vxlan;
    expect(v6.info).toMatchObject({ ttlInherit: true, df: 'inherit', flowLabel: 0x12345, rsc: true, gbp: true });
    expect(v6.info).toMatchObject({ remoteChecksumTx: true, remoteChecksumRx: true, gpe: false, external: false });
    ip(ns.name, ...'link add vx7 type vxlan dstport 4790 external vnifilter'.split(' '));
    expect(((await ns.link('vx7')) as Vxlan).info).toMatchObject({ external: true, vniFilter: true });
  });

  itIf(hasVxlan, why)('bad fdb entries are refused before any syscall', async () => {
    const { ns } = await underlay();
    const vx = await Vxlan.create(uniqueName('vx'), { vni: 42, namespace: ns });
    const other = await freshNamespace();
    const elsewhere = (await VethPair.create({ name: uniqueName('o'), peerName: uniqueName('q'), namespace: other }))
      .local;
    const before = snapshot(ns.name);
    const cases: Array<[Parameters<Link['addFdb']>[0], RegExp]> = [
      [{ mac: 'zz:00:00:00:00:00', destination: '198.18.100.2' }, /is not a MAC address/],
      [{ mac: '00:00:00:00:00:00', destination: '198.18.100.300' }, /is not a valid IPv4 or IPv6 destination/],
      [{ mac: '00:00:00:00:00:00', destination: '198.18.100.2', vni: 2 ** 24 }, /the VNI must be an integer/],
      [{ mac: '00:00:00:00:00:00', destination: '198.18.100.2', port: 0 }, /the port must be an integer/],
      [{ mac: '00:00:00:00:00:00', destination: '198.18.100.2', via: elsewhere }, /is in another namespace/],
      [{ mac: '00:00:00:00:00:00', table: 'both' as never }, /table must be 'self' or 'master'/],
    ];
    for (const [entry, message] of cases) {
      await expect(vx.addFdb(entry)).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    expect(snapshot(ns.name)).toBe(before);
  });
});
