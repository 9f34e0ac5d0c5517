import { Bridge, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { fdb, snapshot } from '../helpers/ip';
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
});
