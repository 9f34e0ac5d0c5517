/**
 * Many operations in flight at once, across namespaces, on the JS thread and on workers:
 * every object must end up exactly where it was asked to be.
 */
import * as fs from 'node:fs';
import { Bridge, Namespace, VethPair } from 'netns-native';
import { addon } from '../../lib/native/load';
import { uniqueName } from '../helpers/fresh';
import { addrs, link, links, routes } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('concurrency', () => {
  const spaces: Namespace[] = [];

  afterAll(async () => {
    await Promise.all(spaces.map((ns) => ns.delete()));
  });

  it('runs 10 namespaces x 8 operations in flight, each ending where asked', async () => {
    spaces.push(...(await Promise.all(Array.from({ length: 10 }, () => Namespace.create(uniqueName())))));
    let inFlight = 0;
    let maxInFlight = 0;
    const track = async <T>(p: Promise<T>): Promise<T> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await p;
      } finally {
        inFlight--;
      }
    };

    // 40 creations in flight, then 80 changes in flight, then 10 routes: each phase starts all
    // its calls at once, on the JS thread and on workers alike.
    const made = await Promise.all(
      spaces.map(async (ns, i) => {
        const next = spaces[(i + 1) % spaces.length] as Namespace;
        const [pair, br, moving, lo] = await Promise.all([
          track(VethPair.create({ name: `x${i}`, peerName: `y${i}`, namespace: ns, peerNamespace: next })),
          track(Bridge.create(`br${i}`, { namespace: ns })),
          track(VethPair.create({ name: `m${i}`, peerName: `n${i}`, namespace: ns })),
          track(ns.link('lo')),
        ]);
        return { pair, br, moving, lo };
      }),
    );
    await Promise.all(
      made.flatMap(({ pair, br, moving, lo }, i) => {
        const ns = spaces[i] as Namespace;
        const far = spaces[(i + 5) % spaces.length] as Namespace;
        return [
          track(pair.local.addAddress(`198.18.${50 + i}.1/24`)),
          track(pair.local.setMtu(1400 + i)),
          track(pair.local.up()),
          track(lo.up()),
          track(br.up()),
          track(moving.peer.moveTo(far)), // a worker-thread request, in flight with the rest
          track(moving.local.setMaster(br)),
          track(ns.links()),
        ];
      }),
    );
    await Promise.all(
      spaces.map((ns, i) => track(ns.addRoute({ destination: `198.19.${i}.0/24`, gateway: `198.18.${50 + i}.2` }))),
    );
    expect(maxInFlight).toBeGreaterThanOrEqual(50);

    for (const [i, ns] of spaces.entries()) {
      const name = ns.name as string;
      const next = spaces[(i + 1) % spaces.length]?.name as string;
      const far = spaces[(i + 5) % spaces.length]?.name as string;
      const x = link(name, `x${i}`);
      expect(x).toMatchObject({ mtu: 1400 + i });
      expect(x?.flags).toContain('UP');
      expect(link(next, `y${i}`)).toBeDefined();
      expect(link(name, `y${i}`)).toBeUndefined();
      expect(link(name, `m${i}`)?.master).toBe(`br${i}`);
      expect(link(far, `n${i}`)).toBeDefined();
      expect(link(name, `n${i}`)).toBeUndefined();
      expect(link(name, 'lo')?.flags).toContain('UP');
      expect(addrs(name, `x${i}`).map((a) => a.local)).toContain(`198.18.${50 + i}.1`);
      expect(routes(name)).toEqual(
        expect.arrayContaining([expect.objectContaining({ dst: `198.19.${i}.0/24`, gateway: `198.18.${50 + i}.2` })]),
      );
      expect(
        links(name)
          .map((l) => l.ifname)
          .sort(),
      ).toEqual(['lo', `x${i}`, `br${i}`, `m${i}`, `y${(i + 9) % 10}`, `n${(i + 5) % 10}`].sort());
    }
  });

  it('leaves every thread of the process in its home namespace', () => {
    const home = Namespace.current().inode;
    // The namespace thread always got home: none had to be retired.
    expect(addon.threadStats()).toEqual({ namespaceThreadsRetired: 0, homeInode: home });
    for (const tid of fs.readdirSync('/proc/self/task')) {
      expect(fs.statSync(`/proc/self/task/${tid}/ns/net`, { bigint: true }).ino).toBe(home);
    }
  });
});
