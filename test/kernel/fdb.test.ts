import { Bridge, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { bridge, fdb, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('fdb of a bridge port', () => {
  it("addFdb({ table: 'master' }) adds a static entry to the bridge's table for that port; fdb() reads it", async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns });
    const { local: port } = await VethPair.create({ name: uniqueName('p'), peerName: uniqueName('q'), namespace: ns });
    await br.addPort(port);
    await port.addFdb({ mac: '02:00:00:00:00:42', table: 'master' });
    expect(fdb(ns.name, 'dev', port.name)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mac: '02:00:00:00:00:42', master: br.name, state: 'permanent' }),
      ]),
    );
    expect(await port.fdb()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mac: '02:00:00:00:00:42', master: true, self: false, bridgeIndex: br.index }),
      ]),
    );
    await port.deleteFdb({ mac: '02:00:00:00:00:42', table: 'master' });
    expect(fdb(ns.name, 'dev', port.name).find((e) => e.mac === '02:00:00:00:00:42')).toBeUndefined();
    const before = snapshot(ns.name);
    await expect(port.deleteFdb({ mac: '02:00:00:00:00:42', table: 'master' })).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(snapshot(ns.name)).toBe(before);
  });

  it('extLearned: `bridge fdb` shows extern_learn for what we add; fdb() reads what `bridge fdb add ... extern_learn` makes', async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create(uniqueName('br'), { namespace: ns });
    const { local: port } = await VethPair.create({ name: uniqueName('p'), peerName: uniqueName('q'), namespace: ns });
    await br.addPort(port);
    await port.addFdb({ mac: '02:00:00:00:00:43', table: 'master', extLearned: true });
    await port.addFdb({ mac: '02:00:00:00:00:44', table: 'master' });
    bridge(ns.name, 'fdb', 'add', '02:00:00:00:00:45', 'dev', port.name, 'master', 'extern_learn');
    const shown = (mac: string) => fdb(ns.name, 'dev', port.name).find((e) => e.mac === mac);
    // The bridge holds an externally learned entry as learned: not static, not aged out by it.
    expect(shown('02:00:00:00:00:43')).toMatchObject({ master: br.name, flags: ['extern_learn'], state: '' });
    expect(shown('02:00:00:00:00:44')).toMatchObject({ master: br.name, flags: [], state: 'permanent' });
    const mine = new Map((await port.fdb()).map((e) => [e.mac, e]));
    expect(mine.get('02:00:00:00:00:43')).toMatchObject({ extLearned: true, master: true, permanent: false });
    expect(mine.get('02:00:00:00:00:44')).toMatchObject({ extLearned: false, permanent: true });
    expect(mine.get('02:00:00:00:00:45')).toMatchObject({ extLearned: true, master: true, bridgeIndex: br.index });
    await port.deleteFdb({ mac: '02:00:00:00:00:45', table: 'master', extLearned: true });
    await port.deleteFdb({ mac: '02:00:00:00:00:43', table: 'master' });
    expect(shown('02:00:00:00:00:43')).toBeUndefined();
    expect(shown('02:00:00:00:00:45')).toBeUndefined();
    const before = snapshot(ns.name);
    await expect(
      port.addFdb({ mac: '02:00:00:00:00:46', table: 'master', extLearned: 'yes' as never }),
    ).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/extLearned must be true or false/) });
    expect(snapshot(ns.name)).toBe(before);
  });
});
