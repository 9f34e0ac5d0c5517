import { NetnsError, Tap, type TapOptions } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, snapshot } from '../helpers/ip';
import { describeKernel, itIf, kernelHasTun } from '../helpers/skip';

const hasTun = kernelHasTun();
const why = 'this machine has no TUN/TAP (/dev/net/tun)';

describeKernel('Tap', () => {
  itIf(hasTun, why)('create() makes a persistent tap, as `ip -d link` shows it', async () => {
    const ns = await freshNamespace();
    const name = uniqueName('tap');
    const tap = await Tap.create(name, { mode: 'tap', owner: 4242, group: 4343, namespace: ns, mtu: 9000 });
    expect(tap).toBeInstanceOf(Tap);
    expect(tap.kind).toBe('tun');
    expect(tap.mode).toBe('tap');
    expect(tap.namespace).toBe(ns);
    expect(tap.mtu).toBe(9000);
    expect(tap.info).toEqual({
      mode: 'tap',
      multiQueue: false,
      vnetHdr: false,
      packetInfo: false,
      persistent: true,
      queues: 0,
      disabledQueues: 0,
      owner: 4242,
      group: 4343,
    });
    const w = link(ns.name, name);
    expect(w?.linkinfo?.info_kind).toBe('tun');
    expect(w?.linkinfo?.info_data).toMatchObject({
      type: 'tap',
      pi: false,
      vnet_hdr: false,
      multi_queue: false,
      persist: true,
    });
    expect(String(w?.linkinfo?.info_data?.user)).toBe('4242');
    expect(String(w?.linkinfo?.info_data?.group)).toBe('4343');
    expect(w?.mtu).toBe(9000);
    // It outlives everything: nothing holds it open, and it is still there.
    expect((await ns.link(name)).info).toEqual(tap.info);
  });

  itIf(hasTun, why)('a tun with multiple queues, a vnet header and packet information', async () => {
    const ns = await freshNamespace();
    const tun = await Tap.create(uniqueName('tun'), {
      mode: 'tun',
      multiQueue: true,
      vnetHdr: true,
      packetInfo: true,
      namespace: ns,
    });
    expect(tun.info).toMatchObject({ mode: 'tun', multiQueue: true, vnetHdr: true, packetInfo: true });
    expect(link(ns.name, tun.name)?.linkinfo?.info_data).toMatchObject({
      type: 'tun',
      multi_queue: true,
      vnet_hdr: true,
      pi: true,
    });
    expect(tun.mac).toBe(''); // no link-layer address
  });

  itIf(hasTun, why)('what `ip tuntap add` makes reads back as a Tap', async () => {
    const ns = await freshNamespace();
    const name = uniqueName('tap');
    ip(ns.name, 'tuntap', 'add', name, 'mode', 'tap', 'user', '4242', 'multi_queue');
    const tap = await ns.link(name);
    expect(tap).toBeInstanceOf(Tap);
    expect(tap.info).toMatchObject({ mode: 'tap', owner: 4242, multiQueue: true, persistent: true });
    await tap.delete();
    expect(link(ns.name, name)).toBeUndefined();
  });

  itIf(hasTun, why)('a taken name: EEXIST, and the existing link is left alone', async () => {
    const ns = await freshNamespace();
    const tap = await Tap.create(uniqueName('tap'), { namespace: ns, owner: 4242 });
    const before = snapshot(ns.name);
    await expect(Tap.create(tap.name, { namespace: ns })).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringMatching(/a link with that name already exists/),
    });
    await expect(Tap.create('lo', { namespace: ns })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(snapshot(ns.name)).toBe(before);
  });

  itIf(hasTun, why)('bad values are refused before any syscall, and a failed MTU leaves nothing', async () => {
    const ns = await freshNamespace();
    const before = snapshot(ns.name);
    const cases: Array<[TapOptions, RegExp]> = [
      [{ mode: 'tunnel' as never, namespace: ns }, /mode must be 'tap' or 'tun'/],
      [{ owner: -1, namespace: ns }, /the owner must be an integer/],
      [{ group: 2 ** 32, namespace: ns }, /the group must be an integer/],
      [{ multiQueue: 1 as never, namespace: ns }, /multiQueue must be true or false/],
      [{ mode: 'tun', mac: '02:00:00:00:00:01', namespace: ns }, /a tun device has no MAC address/],
      [{ mtu: 0, namespace: ns }, /the MTU must be an integer/],
    ];
    for (const [options, message] of cases) {
      const e = await Tap.create(uniqueName('tap'), options).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    // The kernel refuses the MTU after the device exists: it is removed again.
    const name = uniqueName('tap');
    await expect(Tap.create(name, { namespace: ns, mtu: 70000 })).rejects.toMatchObject({ code: 'EINVAL' });
    expect(link(ns.name, name)).toBeUndefined();
    expect(snapshot(ns.name)).toBe(before);
  });
});
