import { Ifb, NetnsError } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, snapshot } from '../helpers/ip';
import { describeKernel, itIf, kernelHasLinkKind } from '../helpers/skip';

const hasIfb = kernelHasLinkKind('ifb');
const why = 'this kernel has no ifb';

describeKernel('Ifb', () => {
  itIf(hasIfb, why)('create() makes an ifb; it comes up; `ip link add type ifb` reads back as one', async () => {
    const ns = await freshNamespace();
    const ifb = await Ifb.create(uniqueName('ifb'), { namespace: ns, mtu: 1400, mac: '02:00:00:00:01:01' });
    expect(ifb).toBeInstanceOf(Ifb);
    expect(ifb.kind).toBe('ifb');
    expect(ifb.info).toEqual({});
    expect(link(ns.name, ifb.name)).toMatchObject({
      mtu: 1400,
      address: '02:00:00:00:01:01',
      linkinfo: { info_kind: 'ifb' },
    });
    await ifb.up();
    expect(link(ns.name, ifb.name)?.flags).toContain('UP');
    const name = uniqueName('ifb');
    ip(ns.name, 'link', 'add', name, 'type', 'ifb');
    expect(await ns.link(name)).toBeInstanceOf(Ifb);
  });

  itIf(hasIfb, why)('a taken name: EEXIST; bad options: EINVAL; nothing changes', async () => {
    const ns = await freshNamespace();
    const ifb = await Ifb.create(uniqueName('ifb'), { namespace: ns });
    const before = snapshot(ns.name);
    await expect(Ifb.create(ifb.name, { namespace: ns })).rejects.toMatchObject({ code: 'EEXIST' });
    const e = await Ifb.create(uniqueName('ifb'), { namespace: ns, mtu: -5 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetnsError);
    expect(e).toMatchObject({ code: 'EINVAL' });
    expect(snapshot(ns.name)).toBe(before);
  });
});
