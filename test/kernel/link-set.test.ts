/**
 * link.set(): `ip link set dev NAME txqueuelen N alias TEXT promisc on ...`, several settings in
 * one RTM_NEWLINK, with `ip -j -d link show` as the witness; what the kernel keeps when it
 * refuses one of several.
 */
import { Bridge, NetnsError, VethPair, type Link, type LinkSettings, type Namespace } from 'netns-native';
import { dispatchStats } from '../../lib/internal/dispatch';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, type IpLink } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** What `ip -j -d link show` says of a link, with the fields link.set() changes. */
interface Shown extends IpLink {
  txqlen: number;
  group: string;
  ifalias?: string;
  promiscuity: number;
  allmulti: number;
}

function shown(ns: Namespace, name: string): Shown {
  const [l] = ipJson<Shown[]>(ns.name, '-d', 'link', 'show', 'dev', name);
  if (l === undefined) throw new Error(`ip does not show ${name}`);
  return l;
}

/** The settings a Link reads, for comparing it with a fresh read of the same link. */
function settingsOf(l: Link) {
  return {
    name: l.name,
    mtu: l.mtu,
    mac: l.mac,
    isUp: l.isUp,
    txQueueLength: l.txQueueLength,
    alias: l.alias,
    group: l.group,
    promisc: l.promisc,
    allMulticast: l.allMulticast,
    multicast: l.multicast,
    arp: l.arp,
  };
}

/** The link's properties as updated by set() agree with a fresh read of the link. */
async function expectCurrent(l: Link): Promise<void> {
  expect(settingsOf(l)).toEqual(settingsOf(await l.namespace.link(l.index)));
}

const kinds: Array<[string, (ns: Namespace) => Promise<Link>]> = [
  [
    'veth',
    async (ns) => (await VethPair.create({ name: uniqueName('s'), peerName: uniqueName('p'), namespace: ns })).local,
  ],
  ['bridge', (ns) => Bridge.create(uniqueName('br'), { namespace: ns })],
];

describeKernel('link.set()', () => {
  describe.each(kinds)('on a %s', (_kind, make) => {
    it('sets and resets each setting, as ip shows it', async () => {
      const ns = await freshNamespace();
      const l = await make(ns);
      const before = shown(ns, l.name);
      expect(before.flags).toContain('MULTICAST');
      expect(before.flags).not.toContain('NOARP');

      await l.set({ txQueueLength: 500 });
      expect(shown(ns, l.name).txqlen).toBe(500);
      expect(l.txQueueLength).toBe(500);
      await l.set({ txQueueLength: 0 });
      expect(shown(ns, l.name).txqlen).toBeUndefined(); // ip shows no qlen of 0
      expect(l.txQueueLength).toBe(0);

      await l.set({ alias: 'uplink to the router' });
      expect(shown(ns, l.name).ifalias).toBe('uplink to the router');
      expect(l.alias).toBe('uplink to the router');

      await l.set({ group: 7 });
      expect(shown(ns, l.name).group).toBe('7');
      expect(l.group).toBe(7);
      await l.set({ group: 0xffffffff });
      expect(shown(ns, l.name).group).toBe('-1'); // iproute2 prints the kernel's int as signed
      expect(l.group).toBe(0xffffffff);
      await expectCurrent(l);
      await l.set({ group: 0 });
      expect(shown(ns, l.name).group).toBe('default');

      await l.set({ promisc: true });
      expect(shown(ns, l.name).flags).toContain('PROMISC');
      expect(shown(ns, l.name).promiscuity).toBe(1);
      expect(l.promisc).toBe(true);
      await l.set({ promisc: false });
      expect(shown(ns, l.name).flags).not.toContain('PROMISC');
      expect(shown(ns, l.name).promiscuity).toBe(0);
      expect(l.promisc).toBe(false);

      await l.set({ allMulticast: true });
      expect(shown(ns, l.name).flags).toContain('ALLMULTI');
      expect(shown(ns, l.name).allmulti).toBe(1);
      expect(l.allMulticast).toBe(true);
      await l.set({ allMulticast: false });
      expect(shown(ns, l.name).flags).not.toContain('ALLMULTI');

      await l.set({ multicast: false });
      expect(shown(ns, l.name).flags).not.toContain('MULTICAST');
      expect(l.multicast).toBe(false);
      await l.set({ multicast: true });
      expect(shown(ns, l.name).flags).toContain('MULTICAST');

      await l.set({ arp: false });
      expect(shown(ns, l.name).flags).toContain('NOARP');
      expect(l.arp).toBe(false);
      await l.set({ arp: true });
      expect(shown(ns, l.name).flags).not.toContain('NOARP');
      expect(l.arp).toBe(true);

      await expectCurrent(l);
    });

    it('sets several settings in one request', async () => {
      const ns = await freshNamespace();
      const l = await make(ns);
      const settings: LinkSettings = {
        txQueueLength: 500,
        alias: 'uplink',
        promisc: true,
        allMulticast: true,
        multicast: false,
        arp: false,
        group: 7,
        mtu: 1400,
        mac: '02:00:00:00:00:42',
        up: true,
      };
      const ops = dispatchStats.inlineOps + dispatchStats.workerOps;
      await l.set(settings);
      expect(dispatchStats.inlineOps + dispatchStats.workerOps - ops).toBe(1);
      const w = shown(ns, l.name);
      expect(w).toMatchObject({ txqlen: 500, ifalias: 'uplink', group: '7', mtu: 1400, address: '02:00:00:00:00:42' });
      expect(w.flags).toEqual(expect.arrayContaining(['UP', 'PROMISC', 'ALLMULTI', 'NOARP']));
      expect(w.flags).not.toContain('MULTICAST');
      await expectCurrent(l);
    });
  });

  it('clears the alias with null, or with an empty string', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('s'), peerName: uniqueName('p'), namespace: ns });
    for (const clear of [null, '']) {
      await local.set({ alias: 'to be cleared' });
      expect(shown(ns, local.name).ifalias).toBe('to be cleared');
      await local.set({ alias: clear });
      expect(shown(ns, local.name).ifalias).toBeUndefined();
      expect(local.alias).toBeUndefined();
      await expectCurrent(local);
    }
  });

  it('renames and brings up a link that is down in one call; an alias of 254 bytes is taken', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('s'), peerName: uniqueName('p'), namespace: ns });
    const name = uniqueName('r');
    const alias = 'é'.repeat(127); // 254 bytes
    await local.set({ name, up: true, alias });
    expect(local.name).toBe(name);
    const w = shown(ns, name);
    expect(w.flags).toContain('UP');
    expect(w.ifalias).toBe(alias);
    await expectCurrent(local);
  });

  it('when the kernel refuses one of several settings, says which the link kept, and reads them back', async () => {
    const ns = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: uniqueName('s'), peerName: uniqueName('p'), namespace: ns });
    // do_setlink applies the MTU and the group, then refuses the name; the alias and the flags
    // come after it.
    const error = await local.set({ mtu: 1400, group: 7, name: peer.name, alias: 'never', promisc: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetnsError);
    const e = error as NetnsError;
    expect(e.code).toBe('EEXIST');
    expect(e.message).toBe(
      `cannot set mtu 1400, group 7, name "${peer.name}", alias "never", promisc on on "${local.name}" in namespace ` +
        `"${ns.name}": a link with that name already exists; the kernel applies the settings in turn and keeps those ` +
        `it applied before a refusal: the link now has mtu 1400, group 7, but not name "${peer.name}", alias ` +
        `"never", promisc on (read back) (EEXIST)`,
    );
    const w = shown(ns, local.name);
    expect(w).toMatchObject({ mtu: 1400, group: '7' });
    expect(w.ifalias).toBeUndefined();
    expect(w.flags).not.toContain('PROMISC');
    // The Link is what was read back.
    expect(local.mtu).toBe(1400);
    expect(local.group).toBe(7);
    await expectCurrent(local);
  });

  it('a refusal before anything was applied says nothing was changed', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('s'), peerName: uniqueName('p'), namespace: ns });
    const before = shown(ns, local.name);
    await expect(local.set({ mtu: 70000, group: 7, promisc: true })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/: mtu greater than device maximum; nothing was changed \(EINVAL\)$/),
    });
    expect(shown(ns, local.name)).toEqual(before);
  });

  it('a link deleted meanwhile: ENODEV naming it, alone or with several settings', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('s'), peerName: uniqueName('p'), namespace: ns });
    ip(ns.name, 'link', 'del', local.name);
    for (const settings of [{ promisc: true }, { txQueueLength: 10, alias: 'x', arp: false }]) {
      const e = (await local.set(settings).catch((err: unknown) => err)) as NetnsError;
      expect(e).toBeInstanceOf(NetnsError);
      expect(e.code).toBe('ENODEV');
      expect(e.message).toContain(`on "${local.name}" in namespace "${ns.name}": no such link (ENODEV)`);
    }
  });
});
