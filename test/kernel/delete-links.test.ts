import { Macvlan, Namespace, NetnsError, VethPair, type Link } from 'netns-native';
import { dispatchStats } from '../../lib/internal/dispatch';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, links, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** `ip -details link show`'s group, as a number (iproute2 prints 0 as "default"). */
function groupOf(ns: string, name: string): number | undefined {
  const found = ipJson<Array<{ ifname: string; group: string }>>(ns, '-details', 'link', 'show').find(
    (l) => l.ifname === name,
  );
  if (!found) return undefined;
  return found.group === 'default' ? 0 : Number(found.group);
}

async function pairs(ns: Namespace, count: number, peerNs?: Namespace): Promise<VethPair[]> {
  const made: VethPair[] = [];
  for (let i = 0; i < count; i++) {
    const name = uniqueName('dl');
    made.push(await VethPair.create({ name, peerName: `${name}p`, namespace: ns, peerNamespace: peerNs ?? ns }));
  }
  return made;
}

describeKernel('Namespace.deleteLinks', () => {
  it('deletes many veth pairs in one call, peers included', async () => {
    const ns = await freshNamespace();
    const made = await pairs(ns, 20);
    expect(links(ns.name)).toHaveLength(41);
    await ns.deleteLinks(made.map((p) => p.local));
    expect(links(ns.name).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('takes both ends of a pair, duplicates, and peers that live in another namespace', async () => {
    const ns = await freshNamespace();
    const other = await freshNamespace();
    const here = await pairs(ns, 2);
    const across = await pairs(ns, 2, other);
    const list: Link[] = [...here.flatMap((p) => [p.local, p.peer]), ...across.map((p) => p.local), here[0]!.local];
    await ns.deleteLinks(list);
    expect(links(ns.name).map((l) => l.ifname)).toEqual(['lo']);
    expect(links(other.name).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('does nothing for an empty list', async () => {
    const ns = await freshNamespace();
    await pairs(ns, 1);
    const before = snapshot(ns.name);
    await ns.deleteLinks([]);
    expect(snapshot(ns.name)).toBe(before);
  });

  it('deletes nothing when one link is gone, says which, and restores the groups', async () => {
    const ns = await freshNamespace();
    const made = await pairs(ns, 3);
    ip(ns.name, 'link', 'set', 'dev', made[0]!.local.name, 'group', '7');
    await made[0]!.local.refresh();
    ip(ns.name, 'link', 'del', made[1]!.local.name);
    const err = await ns.deleteLinks(made.map((p) => p.local)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsError);
    expect((err as NetnsError).code).toBe('ENODEV');
    expect((err as NetnsError).message).toContain(`"${made[1]!.local.name}"`);
    expect((err as NetnsError).message).toContain('nothing was deleted');
    expect(groupOf(ns.name!, made[0]!.local.name)).toBe(7);
    expect(groupOf(ns.name!, made[2]!.local.name)).toBe(0);
    expect(links(ns.name)).toHaveLength(5);
  });

  it('deletes nothing when the kernel cannot delete one of them (lo), and restores the groups', async () => {
    const ns = await freshNamespace();
    const made = await pairs(ns, 2);
    const lo = await ns.link('lo');
    const before = snapshot(ns.name);
    const err = await ns.deleteLinks([...made.map((p) => p.local), lo]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetnsError);
    expect((err as NetnsError).code).toBe('EOPNOTSUPP');
    expect((err as NetnsError).message).toMatch(
      /^cannot delete 3 links in namespace "nnt-[0-9a-f]+": only a link made through rtnetlink \(ip link add\) can be deleted, not lo or a physical device; nothing was deleted \(EOPNOTSUPP\)$/,
    );
    expect(snapshot(ns.name)).toBe(before);
  });

  it('keeps its place: calls made after it run once it is done, not between its steps', async () => {
    const ns = await freshNamespace();
    const [a, b] = await pairs(ns, 2);
    const outcomes = await Promise.allSettled([
      ns.deleteLinks([a!.local, b!.local]),
      b!.local.setMtu(1400), // deleted by then
      VethPair.create({ name: a!.local.name, peerName: a!.peer.name, namespace: ns }), // the names are free
    ]);
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as NetnsError).code));
    expect(codes).toEqual(['ok', 'ENODEV', 'ok']);
    expect(
      links(ns.name)
        .map((l) => l.ifname)
        .sort(),
    ).toEqual([a!.local.name, a!.peer.name, 'lo'].sort());
  });

  it('rejects links of another namespace and non-links before touching anything', async () => {
    const ns = await freshNamespace();
    const other = await freshNamespace();
    const mine = await pairs(ns, 1);
    const theirs = await pairs(other, 1);
    const before = snapshot(ns.name) + snapshot(other.name);
    const err = await ns.deleteLinks([mine[0]!.local, theirs[0]!.local]).catch((e: unknown) => e);
    expect((err as NetnsError).code).toBe('EINVAL');
    expect((err as NetnsError).message).toContain('is in another namespace');
    const bad = await ns.deleteLinks(['veth0' as unknown as Link]).catch((e: unknown) => e);
    expect((bad as NetnsError).code).toBe('EINVAL');
    const notList = await ns.deleteLinks(undefined as unknown as Link[]).catch((e: unknown) => e);
    expect((notList as NetnsError).code).toBe('EINVAL');
    expect(snapshot(ns.name) + snapshot(other.name)).toBe(before);
  });
});

describeKernel('link.delete() made together (one group delete)', () => {
  /** What a test compares of a refusal. */
  const said = (e: unknown) => {
    const { code, errno, message } = e as NetnsError;
    return { code, errno, message };
  };

  it('the same link twice in one tick: deleted once, the second fails with ENODEV as it would after it', async () => {
    const ns = await freshNamespace();
    const [pair] = await pairs(ns, 1);
    const a = pair!.local;
    const ops = dispatchStats.workerOps;
    const [first, second] = await Promise.allSettled([a.delete(), a.delete()]);
    // One group change and the group delete: nothing was sent for the second.
    expect(dispatchStats.workerOps).toBe(ops + 2);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const reason = (second as PromiseRejectedResult).reason as NetnsError;
    expect(reason).toBeInstanceOf(NetnsError);
    // Exactly what a delete made after it gets from the kernel.
    const after = await a.delete().catch((e: unknown) => e);
    expect(said(after)).toMatchObject({ code: 'ENODEV', errno: 19 });
    expect(said(reason)).toEqual(said(after));
    expect(links(ns.name).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('both ends of a veth pair in one tick: the second fails with ENODEV as it would after the first', async () => {
    const ns = await freshNamespace();
    const [one, two, three] = await pairs(ns, 3);
    const groups = dispatchStats.groupDeletes;
    // Either end first, with another link between them: one group delete for all of it.
    const outcomes = await Promise.allSettled([
      one!.local.delete(),
      two!.local.delete(),
      one!.peer.delete(),
      three!.peer.delete(),
      three!.local.delete(),
    ]);
    expect(dispatchStats.groupDeletes).toBe(groups + 1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    // Exactly what a delete made after the first gets from the kernel.
    const after = await one!.peer.delete().catch((e: unknown) => e);
    expect(said(after)).toMatchObject({ code: 'ENODEV', errno: 19 });
    expect(said((outcomes[2] as PromiseRejectedResult).reason)).toEqual(said(after));
    expect(said((outcomes[4] as PromiseRejectedResult).reason)).toEqual(
      said(await three!.local.delete().catch((e) => e)),
    );
    expect(links(ns.name).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('a macvlan deleted in the tick its parent is: after the parent it fails (ENODEV), before it goes', async () => {
    const ns = await freshNamespace();
    const [a, b] = await pairs(ns, 2);
    const mvA = await Macvlan.create(uniqueName('mv'), { parent: a!.local, namespace: ns });
    const mvB = await Macvlan.create(uniqueName('mv'), { parent: b!.peer, namespace: ns });
    const mvB2 = await Macvlan.create(uniqueName('mv'), { parent: b!.peer, namespace: ns });
    const outcomes = await Promise.allSettled([
      a!.local.delete(), // takes mvA with it
      mvA.delete(),
      mvB2.delete(), // before its parent: deleted by itself
      b!.local.delete(), // takes its peer, and so mvB
      mvB.delete(),
    ]);
    const codes = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as NetnsError).code));
    expect(codes).toEqual(['ok', 'ENODEV', 'ok', 'ok', 'ENODEV']);
    expect(links(ns.name).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('a link the kernel cannot delete (lo), twice in one tick: both fail as lo does, the others go', async () => {
    const ns = await freshNamespace();
    const [pair] = await pairs(ns, 1);
    const lo = await ns.link('lo');
    const alone = await lo.delete().catch((e: unknown) => e);
    expect(said(alone)).toEqual({
      code: 'EOPNOTSUPP',
      errno: 95,
      message:
        `cannot delete link "lo" in namespace "${ns.name}": only a link made through rtnetlink (ip link add) ` +
        'can be deleted, not lo or a physical device (EOPNOTSUPP)',
    });
    const outcomes = await Promise.allSettled([lo.delete(), pair!.local.delete(), lo.delete()]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    for (const o of [outcomes[0], outcomes[2]]) expect(said((o as PromiseRejectedResult).reason)).toEqual(said(alone));
    expect(links(ns.name).map((l) => l.ifname)).toEqual(['lo']);
    expect(groupOf(ns.name!, 'lo')).toBe(0);
  });
});
