/**
 * `echo: true` on addAddress, addRoute and addRule: the add resolves with the object the kernel
 * made, as it sent it back (NLM_F_ECHO, `ip -echo`). Each echoed object equals what a listing
 * right after returns, and what `ip -j` shows of it; without the option the add resolves with
 * nothing, as before. On deleteAddress, deleteRoute, deleteRule, deleteNexthop and Link.delete:
 * the object the kernel removed, which equals what a listing right before returned, and which
 * `ip -j` no longer shows.
 * Addresses from 198.18.101.0/24-198.18.103.0/24 and fd00:b5::/32 (adds), 198.18.111.0/24-
 * 198.18.113.0/24 and fd00:b8::/32 (deletes) only.
 */
import { NetnsError, VethPair, type Address, type Link, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ipJson, rules, settled, type IpAddr, type IpRoute } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** A namespace with a veth pair, its local end `a` (198.18.101.1/24, fd00:b5::1/64) up, lo up. */
async function wired(): Promise<{ ns: Namespace; a: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('e'), peerName: uniqueName('f'), namespace: ns });
  await local.addAddress('198.18.101.1/24');
  await local.addAddress('fd00:b5::1/64', { nodad: true });
  for (const l of [local, peer, await ns.link('lo')]) await l.up();
  return { ns, a: local };
}

/** An address without its lifetimes, which count down between the echo and a listing. */
function timeless(a: Address | undefined): Omit<Address, 'validLifetime' | 'preferredLifetime'> | undefined {
  if (a === undefined) return undefined;
  const { validLifetime: _v, preferredLifetime: _p, ...rest } = a;
  return rest;
}

/** `ip -j addr show dev NAME`'s addresses. */
function ipAddresses(ns: Namespace, name: string): IpAddr['addr_info'] {
  return ipJson<IpAddr[]>(ns.name, 'addr', 'show', 'dev', name)[0]?.addr_info ?? [];
}

describeKernel('echo: the object an add made, as the kernel sent it back', () => {
  it('addAddress, IPv4 with broadcast, label, metric and lifetimes: the echo is what addresses() and ip then list', async () => {
    const { a } = await wired();
    const label = `${a.name.slice(0, 12)}:7`;
    const made = await a.addAddress('198.18.102.7/24', {
      echo: true,
      broadcast: true,
      label,
      metric: 7,
      validLifetime: 3600,
      preferredLifetime: 1800,
    });
    const listed = (await a.addresses()).find((x) => x.cidr === '198.18.102.7/24');
    expect(made).toMatchObject({
      address: '198.18.102.7',
      prefixLength: 24,
      family: 4,
      linkIndex: a.index,
      scope: 'global',
      broadcast: '198.18.102.255',
      label,
      metric: 7,
      flags: [],
    });
    expect(timeless(made)).toEqual(timeless(listed));
    // Lifetimes as given, counting down by at most a few seconds since.
    expect(made.validLifetime).toBeGreaterThan(3590);
    expect(made.validLifetime).toBeLessThanOrEqual(3600);
    expect(made.preferredLifetime).toBeGreaterThan(1790);
    expect(listed?.validLifetime).toBeLessThanOrEqual(made.validLifetime as number);
    const seen = ipAddresses(a.namespace, a.name).find((x) => x.local === '198.18.102.7');
    expect(seen).toMatchObject({ prefixlen: 24, broadcast: '198.18.102.255', label, metric: 7 });
  });

  it("addAddress, IPv6: the kernel's own flags (tentative while the link is down, permanent), as listed", async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('e'), peerName: uniqueName('f'), namespace: ns });
    // Down: duplicate address detection waits, so the address stays tentative.
    const made = await local.addAddress('fd00:b5:1::5/64', { echo: true });
    expect(made.flags).toEqual(expect.arrayContaining(['tentative', 'permanent']));
    expect(made).toEqual((await local.addresses()).find((x) => x.cidr === 'fd00:b5:1::5/64'));
    const withLifetimes = await local.addAddress('fd00:b5:2::5/64', {
      echo: true,
      nodad: true,
      noprefixroute: true,
      validLifetime: 600,
      preferredLifetime: 300,
    });
    expect(withLifetimes.flags).toEqual(expect.arrayContaining(['nodad', 'noprefixroute']));
    expect(withLifetimes.flags).not.toContain('permanent');
    expect(timeless(withLifetimes)).toEqual(
      timeless((await local.addresses()).find((x) => x.cidr === 'fd00:b5:2::5/64')),
    );
    expect(withLifetimes.validLifetime).toBeGreaterThan(590);
    const seen = ipAddresses(ns, local.name).find((x) => x.local === 'fd00:b5:2::5');
    expect(seen).toMatchObject({ prefixlen: 64, noprefixroute: true, nodad: true });
  });

  it('addAddress with replace and echo: the address as replaced', async () => {
    const { a } = await wired();
    await a.addAddress('198.18.102.9/24');
    const made = await a.addAddress('198.18.102.9/24', { replace: true, echo: true, validLifetime: 100 });
    expect(made.validLifetime).toBeLessThanOrEqual(100);
    expect(made.flags).not.toContain('permanent');
    expect(timeless(made)).toEqual(timeless((await a.addresses()).find((x) => x.cidr === '198.18.102.9/24')));
  });

  it('without echo (or echo: false) an add resolves with nothing, as before', async () => {
    const { ns, a } = await wired();
    await expect(a.addAddress('198.18.102.10/24')).resolves.toBeUndefined();
    await expect(a.addAddress('198.18.102.11/24', { echo: false })).resolves.toBeUndefined();
    await expect(ns.addRoute({ destination: '198.18.103.0/24', gateway: '198.18.101.2' })).resolves.toBeUndefined();
    await expect(ns.addRule({ from: '198.18.103.0/24', table: 100 })).resolves.toBeUndefined();
    await expect(ns.addRule({ from: '198.18.102.0/24', table: 100 }, { echo: false })).resolves.toBeUndefined();
  });

  it('addRoute, IPv4 by gateway only: the link the kernel picked, named, and the metrics, as routes() lists it', async () => {
    const { ns, a } = await wired();
    const made = await ns.addRoute(
      { destination: '198.18.103.0/24', gateway: '198.18.101.2', metrics: { mtu: 1400, lock: ['mtu'] } },
      { echo: true },
    );
    expect(made).toMatchObject({
      destination: '198.18.103.0/24',
      gateway: '198.18.101.2',
      linkIndex: a.index,
      link: a.name,
      protocol: 'boot',
      scope: 'global',
      table: 254,
      metrics: { mtu: 1400, lock: ['mtu'] },
    });
    expect(made).toEqual((await ns.routes()).find((r) => r.destination === '198.18.103.0/24'));
    const seen = ipJson<IpRoute[]>(ns.name, 'route', 'show', '198.18.103.0/24');
    expect(seen).toEqual([expect.objectContaining({ dst: '198.18.103.0/24', gateway: '198.18.101.2', dev: a.name })]);
  });

  it("addRoute, IPv6 in another table by link name: the kernel's metric 1024 and preference, as listed", async () => {
    const { ns, a } = await wired();
    const made = await ns.addRoute({ destination: 'fd00:b5:3::/64', link: a.name, table: 100 }, { echo: true });
    expect(made).toMatchObject({ destination: 'fd00:b5:3::/64', link: a.name, metric: 1024, preference: 'medium' });
    expect(made).toEqual((await ns.routes({ family: 6, table: 100 })).find((r) => r.destination === 'fd00:b5:3::/64'));
  });

  it('addRoute with replace and echo, and a multipath route: each as the kernel made it', async () => {
    const { ns, a } = await wired();
    await ns.addRoute({ destination: '198.18.103.0/24', gateway: '198.18.101.2' });
    const replaced = await ns.addRoute(
      { destination: '198.18.103.0/24', link: a, protocol: 'static' },
      { replace: true, echo: true },
    );
    expect(replaced).toMatchObject({ destination: '198.18.103.0/24', link: a.name, protocol: 'static', scope: 'link' });
    expect(replaced.gateway).toBeUndefined();
    const multipath = await ns.addRoute(
      {
        destination: '198.18.102.0/24',
        nexthops: [
          { gateway: '198.18.101.2', link: a.name },
          { gateway: '198.18.101.3', weight: 3 },
        ],
      },
      { echo: true },
    );
    expect(multipath.nexthops).toEqual([
      { gateway: '198.18.101.2', linkIndex: a.index, link: a.name, weight: 1 },
      { gateway: '198.18.101.3', linkIndex: a.index, link: a.name, weight: 3 },
    ]);
    const listed = await ns.routes();
    expect(replaced).toEqual(listed.find((r) => r.destination === '198.18.103.0/24'));
    expect(multipath).toEqual(listed.find((r) => r.destination === '198.18.102.0/24'));
  });

  it('addRule: the priority the kernel picked and the table looked up, as rules() and ip list them', async () => {
    const ns = await freshNamespace();
    const made = await ns.addRule({ from: '198.18.102.0/24', table: 100 }, { echo: true });
    // Without a priority the kernel gives one below the first rule after 0 (main's 32766).
    expect(made).toMatchObject({ family: 4, priority: 32765, from: '198.18.102.0/24', table: 100, action: 'lookup' });
    expect(made).toEqual((await ns.rules({ family: 4 })).find((r) => r.priority === 32765));
    expect(rules(ns.name, 4).find((r) => r.priority === 32765)).toMatchObject({ src: '198.18.102.0', srclen: 24 });
    const v6 = await ns.addRule(
      { family: 6, to: 'fd00:b5:4::/48', fwmark: 5, action: 'unreachable', priority: 1000, protocol: 'static' },
      { echo: true },
    );
    expect(v6).toMatchObject({ family: 6, to: 'fd00:b5:4::/48', fwmark: 5, action: 'unreachable', protocol: 'static' });
    expect(v6).toEqual((await ns.rules({ family: 6 })).find((r) => r.priority === 1000));
  });

  it('a refused add with echo is refused as without (nothing made, nothing echoed)', async () => {
    const { ns, a } = await wired();
    await expect(a.addAddress('198.18.101.1/24', { echo: true })).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(
      ns.addRoute({ destination: '198.18.103.0/24', gateway: '198.18.99.1' }, { echo: true }),
    ).rejects.toMatchObject({ code: 'ENETUNREACH' });
    await expect(
      ns.addRoute({ destination: '198.18.103.0/24', link: 'nosuch0' }, { echo: true }),
    ).rejects.toMatchObject({
      code: 'ENODEV',
    });
    await ns.addRule({ from: '198.18.103.0/24', table: 100, priority: 500 });
    const again = ns.addRule({ from: '198.18.103.0/24', table: 100, priority: 500 }, { echo: true });
    await expect(again).rejects.toBeInstanceOf(NetnsError);
    await expect(again).rejects.toMatchObject({ code: 'EEXIST' });
  });
});

/** A namespace with a veth pair, its local end `a` (198.18.111.1/24, fd00:b8::1/64) up, lo up. */
async function wiredForDeletes(): Promise<{ ns: Namespace; a: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('e'), peerName: uniqueName('f'), namespace: ns });
  await local.addAddress('198.18.111.1/24');
  await local.addAddress('fd00:b8::1/64', { nodad: true });
  for (const l of [local, peer, await ns.link('lo')]) await l.up();
  return { ns, a: local };
}

describeKernel('echo on deletes: the object as the kernel removed it', () => {
  it('deleteAddress, IPv4 with broadcast, label, metric and lifetimes: the echo is what addresses() listed', async () => {
    const { ns, a } = await wiredForDeletes();
    const label = `${a.name.slice(0, 12)}:7`;
    await a.addAddress('198.18.112.7/24', { broadcast: true, label, metric: 7, validLifetime: 3600 });
    const listed = (await a.addresses()).find((x) => x.cidr === '198.18.112.7/24');
    const gone = await a.deleteAddress('198.18.112.7/24', { echo: true });
    expect(gone).toMatchObject({ address: '198.18.112.7', prefixLength: 24, broadcast: '198.18.112.255', label });
    expect(timeless(gone)).toEqual(timeless(listed));
    expect(gone.validLifetime).toBeGreaterThan(3590);
    expect(ipAddresses(ns, a.name).map((x) => x.local)).not.toContain('198.18.112.7');
  });

  it('deleteAddress of a primary IPv4 address: the primary, not the secondary the kernel removed (and echoed) first', async () => {
    const { ns, a } = await wiredForDeletes();
    await a.addAddress('198.18.113.1/24');
    await a.addAddress('198.18.113.2/24');
    const gone = await a.deleteAddress('198.18.113.1/24', { echo: true });
    expect(gone).toMatchObject({ cidr: '198.18.113.1/24', linkIndex: a.index });
    expect(gone.flags ?? []).not.toContain('secondary');
    // promote_secondaries is off in a new namespace: the secondary went with it.
    const left = ipAddresses(ns, a.name).map((x) => x.local);
    expect(left).not.toContain('198.18.113.1');
    expect(left).not.toContain('198.18.113.2');
  });

  it('deleteAddress, IPv6 (which the kernel does not echo): the address as listed just before, and gone', async () => {
    const { ns, a } = await wiredForDeletes();
    await a.addAddress('fd00:b8:1::5/64', { nodad: true, noprefixroute: true });
    const listed = (await a.addresses()).find((x) => x.cidr === 'fd00:b8:1::5/64');
    const gone = await a.deleteAddress('fd00:b8:1::5/64', { echo: true });
    expect(timeless(gone)).toEqual(timeless(listed));
    expect(gone.flags).toEqual(expect.arrayContaining(['nodad', 'noprefixroute']));
    expect(ipAddresses(ns, a.name).map((x) => x.local)).not.toContain('fd00:b8:1::5');
  });

  it('deleteRoute by destination alone: the route in full (gateway, link named, metric), as routes() listed it', async () => {
    const { ns, a } = await wiredForDeletes();
    await ns.addRoute({ destination: '198.18.112.0/24', gateway: '198.18.111.2', metric: 5, protocol: 'static' });
    const listed = (await ns.routes()).find((r) => r.destination === '198.18.112.0/24');
    const gone = await ns.deleteRoute({ destination: '198.18.112.0/24' }, { echo: true });
    expect(gone).toMatchObject({ gateway: '198.18.111.2', link: a.name, linkIndex: a.index, metric: 5 });
    expect(gone).toEqual(listed);
    expect(ipJson<IpRoute[]>(ns.name, 'route', 'show', '198.18.112.0/24')).toEqual([]);
  });

  it('deleteRoute, IPv6 by link name in another table, and a multipath route: each as listed', async () => {
    const { ns, a } = await wiredForDeletes();
    await ns.addRoute({ destination: 'fd00:b8:2::/64', link: a, table: 100 });
    await ns.addRoute({
      destination: '198.18.113.0/24',
      nexthops: [{ gateway: '198.18.111.2' }, { gateway: '198.18.111.3', weight: 3 }],
    });
    const v6 = (await ns.routes({ family: 6, table: 100 })).find((r) => r.destination === 'fd00:b8:2::/64');
    const mp = (await ns.routes()).find((r) => r.destination === '198.18.113.0/24');
    expect(await ns.deleteRoute({ destination: 'fd00:b8:2::/64', link: a.name, table: 100 }, { echo: true })).toEqual(
      v6,
    );
    const gone = await ns.deleteRoute({ destination: '198.18.113.0/24' }, { echo: true });
    expect(gone).toEqual(mp);
    expect(gone.nexthops).toHaveLength(2);
  });

  it('deleteRule by priority alone: the rule in full, as rules() listed it', async () => {
    const { ns } = await wiredForDeletes();
    await ns.addRule({ from: '198.18.113.0/24', to: '198.18.112.0/24', fwmark: 5, table: 100, priority: 50 });
    const listed = (await ns.rules({ family: 4 })).find((r) => r.priority === 50);
    const gone = await ns.deleteRule({ priority: 50 }, { echo: true });
    expect(gone).toMatchObject({ from: '198.18.113.0/24', to: '198.18.112.0/24', fwmark: 5, table: 100 });
    expect(gone).toEqual(listed);
    expect(rules(ns.name, 4).some((r) => r.priority === 50)).toBe(false);
    await ns.addRule({ family: 6, from: 'fd00:b8::/48', table: 200, priority: 60 });
    expect(await ns.deleteRule({ family: 6, priority: 60 }, { echo: true })).toMatchObject({
      family: 6,
      from: 'fd00:b8::/48',
      table: 200,
    });
  });

  it('deleteNexthop of a group member: the member, not the group it left (which the kernel may echo too), its link named', async () => {
    const { ns, a } = await wiredForDeletes();
    const one = await ns.addNexthop({ id: 7, gateway: '198.18.111.2', link: a });
    await ns.addNexthop({ id: 8, gateway: '198.18.111.3', link: a });
    await ns.addNexthop({ id: 10, group: [{ id: 7 }, { id: 8 }] });
    const gone = await ns.deleteNexthop(7, { echo: true });
    expect(gone).toEqual(one);
    expect(gone).toMatchObject({ id: 7, gateway: '198.18.111.2', link: a.name });
    const [group] = await ns.nexthops({ id: 10 });
    expect(group?.group).toEqual([{ id: 8, weight: 1 }]);
  });

  it('Link.delete: the link as the kernel removed it (down, its peer gone), both ends gone', async () => {
    const { ns } = await wiredForDeletes();
    const { local, peer } = await VethPair.create({
      name: uniqueName('e'),
      peerName: uniqueName('f'),
      namespace: ns,
      mtu: 1400,
    });
    await local.up();
    const gone = await local.delete({ echo: true });
    expect(gone).toMatchObject({ index: local.index, name: local.name, mac: local.mac, mtu: 1400, kind: 'veth' });
    expect(gone.isUp).toBe(false);
    expect(gone.parentIndex).toBeUndefined();
    const names = ipJson<Array<{ ifname: string }>>(ns.name, 'link', 'show').map((l) => l.ifname);
    expect(names).not.toContain(local.name);
    expect(names).not.toContain(peer.name);
  });

  it('without echo (or echo: false) a delete resolves with nothing, as before', async () => {
    const { ns, a } = await wiredForDeletes();
    await a.addAddress('198.18.112.8/24');
    await expect(a.deleteAddress('198.18.112.8/24', { echo: false })).resolves.toBeUndefined();
    await ns.addRoute({ destination: '198.18.112.0/24', gateway: '198.18.111.2' });
    await expect(ns.deleteRoute({ destination: '198.18.112.0/24' }, { echo: false })).resolves.toBeUndefined();
    await ns.addRule({ from: '198.18.113.0/24', table: 100, priority: 70 });
    await expect(ns.deleteRule({ priority: 70 })).resolves.toBeUndefined();
    await ns.addNexthop({ id: 9, gateway: '198.18.111.2', link: a });
    await expect(ns.deleteNexthop(9, { echo: false })).resolves.toBeUndefined();
    const { local } = await VethPair.create({ name: uniqueName('e'), peerName: uniqueName('f'), namespace: ns });
    await expect(local.delete({ echo: false })).resolves.toBeUndefined();
  });

  it('a refused delete with echo is refused as without, and removes nothing', async () => {
    const { ns, a } = await wiredForDeletes();
    await settled(ns.name); // no duplicate address detection still changing flags
    const before = ipJson<unknown>(ns.name, 'addr', 'show');
    await expect(a.deleteAddress('198.18.112.9/24', { echo: true })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    await expect(a.deleteAddress('fd00:b8::9/64', { echo: true })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    await expect(ns.deleteRoute({ destination: '198.18.112.0/24' }, { echo: true })).rejects.toMatchObject({
      code: 'ESRCH',
    });
    await expect(ns.deleteRule({ priority: 4242, table: 100 }, { echo: true })).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(ns.deleteNexthop(4242, { echo: true })).rejects.toMatchObject({ code: 'ENOENT' });
    const { local } = await VethPair.create({ name: uniqueName('e'), peerName: uniqueName('f'), namespace: ns });
    await local.delete();
    const again = local.delete({ echo: true });
    await expect(again).rejects.toBeInstanceOf(NetnsError);
    await expect(again).rejects.toMatchObject({ code: 'ENODEV' });
    expect(ipJson<unknown>(ns.name, 'addr', 'show')).toEqual(before);
  });
});
