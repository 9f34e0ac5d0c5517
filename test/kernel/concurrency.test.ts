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

    // 40 creations in flight, then 80 changes in flight, then 10 routes: each phase starts all
    // its calls in one synchronous expression, before any of them can settle, on the JS thread
    // and on workers alike. (So "in flight" holds by construction; what is checked below is
    // that every call settled with its own result and left the kernel as it asked.)
    const made = await Promise.all(
      spaces.map(async (ns, i) => {
        const next = spaces[(i + 1) % spaces.length] as Namespace;
        const [pair, br, moving, lo] = await Promise.all([
          VethPair.create({ name: `x${i}`, peerName: `y${i}`, namespace: ns, peerNamespace: next }),
          Bridge.create(`br${i}`, { namespace: ns }),
          VethPair.create({ name: `m${i}`, peerName: `n${i}`, namespace: ns }),
          ns.link('lo'),
        ]);
        return { pair, br, moving, lo };
      }),
    );
    // Each call got its own object back, not a neighbour's.
    for (const [i, { pair, br, moving, lo }] of made.entries()) {
      const ns = spaces[i] as Namespace;
      const next = spaces[(i + 1) % spaces.length] as Namespace;
      expect([pair.local.name, pair.peer.name, br.name, moving.local.name, moving.peer.name, lo.name]).toEqual([
        `x${i}`,
        `y${i}`,
        `br${i}`,
        `m${i}`,
        `n${i}`,
        'lo',
      ]);
      expect([pair.local.namespace, pair.peer.namespace, br.namespace, moving.local.namespace, lo.namespace]).toEqual([
        ns,
        next,
        ns,
        ns,
        ns,
      ]);
      expect([pair.local.index, pair.peer.index, br.index, moving.local.index]).toEqual([
        link(ns.name, `x${i}`)?.ifindex,
        link(next.name, `y${i}`)?.ifindex,
        link(ns.name, `br${i}`)?.ifindex,
        link(ns.name, `m${i}`)?.ifindex,
      ]);
    }

    const changes = await Promise.all(
      made.map(({ pair, br, moving, lo }, i) => {
        const ns = spaces[i] as Namespace;
        const far = spaces[(i + 5) % spaces.length] as Namespace;
        return Promise.all([
          pair.local.addAddress(`198.18.${50 + i}.1/24`),
          pair.local.setMtu(1400 + i),
          pair.local.up(),
          lo.up(),
          br.up(),
          moving.peer.moveTo(far), // a worker-thread request, in flight with the rest
          moving.local.setMaster(br),
          ns.links(),
        ]);
      }),
    );
    for (const [i, [, , , , , moved, , listed]] of changes.entries()) {
      const ns = spaces[i] as Namespace;
      const far = spaces[(i + 5) % spaces.length] as Namespace;
      // moveTo() answered with the link as seen in the namespace it was sent to
      expect(moved.namespace).toBe(far);
      expect(moved.name).toBe(`n${i}`);
      expect(moved.index).toBe(link(far.name, `n${i}`)?.ifindex);
      // links() answered with this namespace's links (those made before this phase), no other's
      expect(listed.filter((l) => l.namespace !== ns)).toEqual([]);
      expect(listed.map((l) => l.name)).toEqual(expect.arrayContaining(['lo', `x${i}`, `br${i}`, `m${i}`]));
      expect(listed.map((l) => l.name)).not.toContain(`x${(i + 1) % spaces.length}`);
    }
    await Promise.all(
      spaces.map((ns, i) => ns.addRoute({ destination: `198.19.${i}.0/24`, gateway: `198.18.${50 + i}.2` })),
    );

    for (const [i, ns] of spaces.entries()) {
      const name = ns.name as string;
      const next = spaces[(i + 1) % spaces.length]?.name as string;
      const far = spaces[(i + 5) % spaces.length]?.name as string;
      const x = link(name, `x${i}`);
      expect(x).toMatchObject({ mtu: 1400 + i });
      expect(x?.flags).toContain('UP');
      expect(link(next, `y${i}`)?.linkinfo?.info_kind).toBe('veth');
      expect(link(name, `y${i}`)).toBeUndefined();
      expect(link(name, `m${i}`)?.master).toBe(`br${i}`);
      expect(link(far, `n${i}`)?.linkinfo?.info_kind).toBe('veth');
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
