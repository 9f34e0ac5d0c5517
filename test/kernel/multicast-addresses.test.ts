/**
 * Multicast addresses of links (ns.multicastAddresses, link.multicastAddresses,
 * link.addMulticastAddress / deleteMulticastAddress) against `ip -j maddr`, which reads
 * /proc/net/dev_mcast, igmp and igmp6 itself: groups joined by sockets inside the namespace,
 * the kernel's own, link-layer addresses added by `ip maddr add` or by the library.
 */
import type * as dgram from 'node:dgram';
import { NetnsError, VethPair, type Link, type MulticastAddress, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

interface IpMaddrEntry {
  link?: string;
  family?: 'inet' | 'inet6';
  address?: string;
  users?: number;
  features?: string;
}
interface IpMaddr {
  ifindex: number;
  ifname: string;
  maddr: IpMaddrEntry[];
}

/** The witness, `ip [-4|-6|-0] -j maddr show [dev LINK]`, flattened into our shape. */
function witness(ns: string, family?: '-0' | '-4' | '-6', dev?: string): MulticastAddress[] {
  const args = [...(family ? [family] : []), 'maddr', 'show', ...(dev ? ['dev', dev] : [])];
  return ipJson<IpMaddr[]>(ns, ...args).flatMap((l) =>
    l.maddr.map((m): MulticastAddress => {
      const users = m.users ?? 1;
      if (m.link !== undefined) {
        return { family: 'link', address: m.link, linkIndex: l.ifindex, users, static: m.features === 'static' };
      }
      return { family: m.family === 'inet' ? 4 : 6, address: m.address as string, linkIndex: l.ifindex, users };
    }),
  );
}

/**
 * A namespace with a veth end up, 198.18.117.1/24 and fd00:ba::1/64 on it, its peer down in
 * another namespace (no carrier: no link-local address comes and joins a group later).
 */
async function world(): Promise<{ ns: Namespace; link: Link; name: string }> {
  const ns = await freshNamespace();
  const other = await freshNamespace();
  const pair = await VethPair.create({
    name: uniqueName('m'),
    peerName: uniqueName('p'),
    namespace: ns,
    peerNamespace: other,
  });
  const link = pair.local;
  await (await ns.link('lo')).up();
  await link.up();
  await link.addAddress('198.18.117.1/24');
  await link.addAddress('fd00:ba::1/64', { nodad: true });
  const name = ns.name as string;
  // The kernel joins an IPv6 address's solicited-node group from a work queue, a little later.
  await waitFor(() => ip(name, '-6', 'maddr', 'show', 'dev', link.name).includes('ff02::1:ff00:1'), {
    what: 'the solicited-node group of fd00:ba::1',
  });
  return { ns, link, name };
}

/** A UDP socket inside `ns` that joined `group` (on the link holding `on`, for IPv4). */
async function joined(ns: Namespace, type: 'udp4' | 'udp6', group: string, on?: string): Promise<dgram.Socket> {
  const socket = await ns.createUdpSocket(type);
  socket.addMembership(group, on);
  return socket;
}

describeKernel('multicast addresses', () => {
  it('lists what `ip maddr` lists: link-layer, IPv4 and IPv6 entries, users and static, in its order', async () => {
    const { ns, link, name } = await world();
    ip(name, 'maddr', 'add', '01:00:5e:12:75:07', 'dev', link.name);
    const sockets = [
      await joined(ns, 'udp4', '239.18.117.5', '198.18.117.1'),
      await joined(ns, 'udp4', '239.18.117.5', '198.18.117.1'),
      await joined(ns, 'udp4', '239.18.117.6', '198.18.117.1'),
    ];
    try {
      const all = await ns.multicastAddresses();
      expect(all).toEqual(witness(name));
      const mine = all.filter((m) => m.linkIndex === link.index);
      expect(mine).toEqual(
        expect.arrayContaining([
          { family: 'link', address: '01:00:5e:12:75:07', linkIndex: link.index, users: 1, static: true },
          // the group's own link-layer address, which the kernel added for it
          { family: 'link', address: '01:00:5e:12:75:05', linkIndex: link.index, users: 1, static: false },
          { family: 4, address: '239.18.117.5', linkIndex: link.index, users: 2 },
          { family: 4, address: '239.18.117.6', linkIndex: link.index, users: 1 },
          { family: 4, address: '224.0.0.1', linkIndex: link.index, users: 1 },
          { family: 6, address: 'ff02::1', linkIndex: link.index, users: 1 },
        ]),
      );
      // ip's order: link by link, link layer first, then IPv4, then IPv6.
      const rank = { link: 0, 4: 1, 6: 2 } as const;
      const ranks = mine.map((m) => rank[m.family]);
      expect(ranks).toEqual([...ranks].sort());
      expect(all.map((m) => m.linkIndex)).toEqual([...all.map((m) => m.linkIndex)].sort((a, b) => a - b));
      // Only link-layer entries say whether they were added from user space.
      expect(all.filter((m) => m.family !== 'link').every((m) => !('static' in m))).toBe(true);
      // One link's, as `ip maddr show dev NAME`.
      expect(await link.multicastAddresses()).toEqual(witness(name, undefined, link.name));
      expect(mine).toEqual(witness(name, undefined, link.name));
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('follows a group left: its users count down, and it goes with the last', async () => {
    const { ns, link, name } = await world();
    const a = await joined(ns, 'udp4', '239.18.117.9', '198.18.117.1');
    const b = await joined(ns, 'udp4', '239.18.117.9', '198.18.117.1');
    const find = async (): Promise<MulticastAddress | undefined> =>
      (await link.multicastAddresses({ family: 4 })).find((m) => m.address === '239.18.117.9');
    expect(await find()).toMatchObject({ users: 2 });
    b.dropMembership('239.18.117.9', '198.18.117.1');
    expect(await find()).toMatchObject({ users: 1 });
    a.close();
    b.close();
    expect(await find()).toBeUndefined();
    expect(await link.multicastAddresses({ family: 4 })).toEqual(witness(name, '-4', link.name));
  });

  it('filters by family as ip -0, -4 and -6 do', async () => {
    const { ns, link, name } = await world();
    ip(name, 'maddr', 'add', '33:33:00:b8:00:01', 'dev', link.name);
    const socket = await joined(ns, 'udp4', '239.18.117.20', '198.18.117.1');
    try {
      const layer = await ns.multicastAddresses({ family: 'link' });
      const v4 = await ns.multicastAddresses({ family: 4 });
      const v6 = await ns.multicastAddresses({ family: 6 });
      expect(layer).toEqual(witness(name, '-0'));
      expect(v4).toEqual(witness(name, '-4'));
      expect(v6).toEqual(witness(name, '-6'));
      expect(layer.every((m) => m.family === 'link')).toBe(true);
      expect(v4.every((m) => m.family === 4)).toBe(true);
      expect(v6.every((m) => m.family === 6)).toBe(true);
      expect(layer.length * v4.length * v6.length).toBeGreaterThan(0);
      expect(layer).toContainEqual({
        family: 'link',
        address: '33:33:00:b8:00:01',
        linkIndex: link.index,
        users: 1,
        static: true,
      });
      // An IPv6 address's solicited-node group (ff02::1:ff00:1 for fd00:ba::1), joined by the kernel.
      expect(v6).toContainEqual({ family: 6, address: 'ff02::1:ff00:1', linkIndex: link.index, users: 1 });
    } finally {
      socket.close();
    }
  });

  it('counts users of an IPv6 group joined twice: two addresses with one solicited-node group', async () => {
    const { link, name } = await world();
    // fd00:ba::1 and fd00:ba:0:1::1 share their last 24 bits: one group ff02::1:ff00:1, two users.
    await link.addAddress('fd00:ba:0:1::1/64', { nodad: true });
    await waitFor(() => ip(name, '-6', 'maddr', 'show', 'dev', link.name).includes('ff02::1:ff00:1 users 2'), {
      what: 'a second user of ff02::1:ff00:1',
    });
    const v6 = await link.multicastAddresses({ family: 6 });
    expect(v6).toContainEqual({ family: 6, address: 'ff02::1:ff00:1', linkIndex: link.index, users: 2 });
    expect(v6).toEqual(witness(name, '-6', link.name));
  });

  it('adds and deletes a link-layer address as ip maddr add|del, which ip sees as static', async () => {
    const { ns, link, name } = await world();
    const mac = '01:00:5e:12:75:21';
    const shown = (): MulticastAddress | undefined => witness(name, '-0', link.name).find((m) => m.address === mac);
    await link.addMulticastAddress(mac.toUpperCase().replace(/:/g, '-'));
    expect(shown()).toEqual({ family: 'link', address: mac, linkIndex: link.index, users: 1, static: true });
    // Adding it again changes nothing: one user-space addition, as ip's second add.
    await link.addMulticastAddress(mac);
    expect(shown()).toEqual({ family: 'link', address: mac, linkIndex: link.index, users: 1, static: true });
    expect(await ns.multicastAddresses({ family: 'link' })).toEqual(witness(name, '-0'));
    await link.deleteMulticastAddress(mac);
    expect(shown()).toBeUndefined();
    // Deleted once: a second delete finds nothing added.
    await expect(link.deleteMulticastAddress(mac)).rejects.toMatchObject({ code: 'ENOENT' });
    // One ip added is the library's to delete, and the reverse.
    ip(name, 'maddr', 'add', mac, 'dev', link.name);
    await link.deleteMulticastAddress(mac);
    expect(shown()).toBeUndefined();
    await link.addMulticastAddress(mac);
    ip(name, 'maddr', 'del', mac, 'dev', link.name);
    expect(shown()).toBeUndefined();
  });

  it('keeps an address the kernel holds for a group when the user-space one is deleted', async () => {
    const { ns, link, name } = await world();
    const socket = await joined(ns, 'udp4', '239.18.117.30', '198.18.117.1');
    try {
      const mac = '01:00:5e:12:75:1e'; // 239.18.117.30's
      const entry = (): MulticastAddress | undefined => witness(name, '-0', link.name).find((m) => m.address === mac);
      expect(entry()).toMatchObject({ users: 1, static: false });
      await link.addMulticastAddress(mac);
      expect(entry()).toMatchObject({ users: 2, static: true });
      expect(await link.multicastAddresses({ family: 'link' })).toContainEqual({
        family: 'link',
        address: mac,
        linkIndex: link.index,
        users: 2,
        static: true,
      });
      await link.deleteMulticastAddress(mac);
      expect(entry()).toMatchObject({ users: 1, static: false });
    } finally {
      socket.close();
    }
  });

  it('refuses what the kernel refuses, and a link that is gone, changing nothing', async () => {
    const { ns, link, name } = await world();
    const before = ip(name, 'maddr', 'show');
    const lo = await ns.link('lo');
    const refused = await lo.addMulticastAddress('01:00:5e:12:75:01').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(NetnsError);
    expect(refused).toMatchObject({ code: 'EINVAL' });
    expect((refused as NetnsError).message).toMatch(
      /^cannot add multicast address 01:00:5e:12:75:01 to "lo" in namespace "nnt-[0-9a-f]+": the link has no multicast filter/,
    );
    await expect(link.deleteMulticastAddress('01:00:5e:12:75:01')).rejects.toThrow(
      /not added to the link from user space \(only those listed with static: true can be deleted\) \(ENOENT\)$/,
    );
    await expect(link.addMulticastAddress('00:11:22:33:44:55')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(ip(name, 'maddr', 'show')).toBe(before);
    const gone = await VethPair.create({ name: uniqueName('g'), peerName: uniqueName('h'), namespace: ns });
    await gone.delete();
    await expect(gone.local.addMulticastAddress('01:00:5e:12:75:01')).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(gone.local.addMulticastAddress('01:00:5e:12:75:01')).rejects.toThrow(
      /no such link \(deleted, or moved to another namespace\) \(ENODEV\)$/,
    );
    expect(await gone.local.multicastAddresses()).toEqual([]);
  });
});
