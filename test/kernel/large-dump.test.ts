/** Dumps are multi-part and must come back whole: 10,000 links, none lost, none truncated. */
import { Namespace } from 'netns-native';
import { uniqueName } from '../helpers/fresh';
import { links, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('large dumps', () => {
  it('lists 10,000 links, the same as `ip -json link`', async () => {
    const ns = await Namespace.create(uniqueName());
    try {
      const name = ns.name as string;
      const batch = Array.from({ length: 5000 }, (_, i) => `link add v${i} type veth peer name w${i}`).join('\n');
      run('ip', ['-n', name, '-batch', '-'], batch);
      const witness = links(name);
      expect(witness).toHaveLength(10001);
      const mine = await ns.links();
      expect(mine).toHaveLength(witness.length);
      const byIndex = (list: Array<[number, string]>) => list.sort((p, q) => p[0] - q[0]);
      expect(byIndex(mine.map((l) => [l.index, l.name]))).toEqual(byIndex(witness.map((l) => [l.ifindex, l.ifname])));
      const v4999 = mine.find((l) => l.name === 'v4999');
      expect(v4999?.kind).toBe('veth');
      const addresses = await ns.addresses();
      expect(addresses).toEqual([]); // lo is down and nothing else has an address
    } finally {
      await ns.delete();
    }
  });
});
