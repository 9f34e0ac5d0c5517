import { Macvlan, Macvtap, NetnsError, VethPair, type Link, type MacvlanOptions, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, snapshot } from '../helpers/ip';
import { describeKernel, itIf, kernelHasChildLinkKind } from '../helpers/skip';

const kinds = [
  ['macvlan', Macvlan, kernelHasChildLinkKind('macvlan', ['mode', 'bridge'])],
  ['macvtap', Macvtap, kernelHasChildLinkKind('macvtap', ['mode', 'bridge'])],
] as const;

/** A namespace with a parent link (a veth end). */
async function parentIn(): Promise<{ ns: Namespace; eth: Link }> {
  const ns = await freshNamespace();
  const { local } = await VethPair.create({ name: uniqueName('e'), peerName: uniqueName('p'), namespace: ns });
  return { ns, eth: local };
}

describeKernel('Macvlan and Macvtap', () => {
  for (const [kind, Cls, has] of kinds) {
    const why = `this kernel has no ${kind}`;

    itIf(has, why)(`${kind}: create() in each mode makes what \`ip -d link\` shows`, async () => {
      const { ns, eth } = await parentIn();
      for (const mode of ['bridge', 'private', 'vepa'] as const) {
        const name = uniqueName('m');
        const mv = await Cls.create(name, { parent: eth, mode, mtu: 1400 });
        expect(mv).toBeInstanceOf(Cls);
        expect(mv.kind).toBe(kind);
        expect(mv.namespace).toBe(ns);
        expect(mv.info.mode).toBe(mode);
        expect(mv.parentIndex).toBe(eth.index);
        const w = link(ns.name, name);
        expect(w?.linkinfo?.info_kind).toBe(kind);
        expect(w?.linkinfo?.info_data?.mode).toBe(mode);
        expect(w?.link).toBe(eth.name);
        expect(w?.mtu).toBe(1400);
      }
      // passthru takes the parent over: one per parent.
      const pt = await Cls.create(uniqueName('m'), {
        parent: (await VethPair.create({ name: uniqueName('f'), peerName: uniqueName('g'), namespace: ns })).local,
        mode: 'passthru',
      });
      expect(pt.info.mode).toBe('passthru');
      expect(link(ns.name, pt.name)?.linkinfo?.info_data?.mode).toBe('passthru');
    });

    itIf(has, why)(`${kind}: the default mode is bridge`, async () => {
      const { ns, eth } = await parentIn();
      const mv = await Cls.create(uniqueName('m'), { parent: eth });
      expect(mv.info.mode).toBe('bridge');
      expect(link(ns.name, mv.name)?.linkinfo?.info_data?.mode).toBe('bridge');
    });

    itIf(has, why)(`${kind}: what \`ip link add ... type ${kind}\` makes reads back as a ${Cls.name}`, async () => {
      const { ns, eth } = await parentIn();
      const name = uniqueName('m');
      ip(ns.name, 'link', 'add', name, 'link', eth.name, 'type', kind, 'mode', 'private');
      const mv = await ns.link(name);
      expect(mv).toBeInstanceOf(Cls);
      expect(mv.info).toMatchObject({ mode: 'private' });
      expect(mv.parentIndex).toBe(eth.index);
    });

    itIf(has, why)(`${kind}: born in another namespace on a parent in this one`, async () => {
      const { ns: lan, eth } = await parentIn();
      const box = await freshNamespace();
      const name = uniqueName('m');
      const mv = await Cls.create(name, { parent: eth, mode: 'bridge', namespace: box });
      expect(mv.namespace).toBe(box);
      expect(link(lan.name, name)).toBeUndefined();
      const w = link(box.name, name);
      expect(w?.linkinfo?.info_kind).toBe(kind);
      // The parent is in another namespace: an index there, with that namespace's id here.
      expect(w?.link_netnsid).toBeDefined();
      expect(mv.parentNetnsId).toBe(w?.link_netnsid);
      expect(mv.parentIndex).toBe(eth.index);
      expect(mv.parentNetnsId).toBe(await box.nsid(lan));
    });

    itIf(has, why)(`${kind}: bad values are refused before any syscall, and change nothing`, async () => {
      const { ns, eth } = await parentIn();
      const before = snapshot(ns.name);
      const cases: Array<[MacvlanOptions, RegExp]> = [
        [{ parent: eth, mode: 'hairpin' as never }, /unknown mode "hairpin"/],
        [{ parent: 'eth0' as never }, /the parent must be a Link/],
        [{ parent: eth, mtu: 0 }, /the MTU must be an integer/],
        [{ parent: eth, mac: '01:00:5e:00:00:01' }, /is a multicast address/],
        [{ parent: eth, namespace: {} as never }, /expected a Namespace/],
      ];
      for (const [options, message] of cases) {
        const e = await Cls.create(uniqueName('m'), options).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(NetnsError);
        expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
      }
      await expect(Cls.create('a/b', { parent: eth })).rejects.toMatchObject({ code: 'EINVAL' });
      expect(snapshot(ns.name)).toBe(before);
    });

    itIf(has, why)(`${kind}: a parent that no longer exists: ENODEV; a taken name: EEXIST; nothing made`, async () => {
      const { ns, eth } = await parentIn();
      const taken = await Cls.create(uniqueName('m'), { parent: eth });
      const before = snapshot(ns.name);
      await expect(Cls.create(taken.name, { parent: eth })).rejects.toMatchObject({
        code: 'EEXIST',
        message: expect.stringMatching(/a link with that name already exists/),
      });
      expect(snapshot(ns.name)).toBe(before);
      const gone = (await VethPair.create({ name: uniqueName('x'), peerName: uniqueName('y'), namespace: ns })).local;
      await gone.delete();
      const name = uniqueName('m');
      await expect(Cls.create(name, { parent: gone })).rejects.toMatchObject({
        code: 'ENODEV',
        message: expect.stringMatching(new RegExp(`the parent link "${gone.name}" does not exist`)),
      });
      expect(link(ns.name, name)).toBeUndefined();
    });
  }
});
