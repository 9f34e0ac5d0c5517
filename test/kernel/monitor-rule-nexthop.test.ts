/**
 * ns.monitor() for policy rules and nexthop objects (events: ['rule'], ['nexthop']), against the
 * real kernel: changes made by `ip` and by the library both show, decoded as ns.rules() and
 * ns.nexthops() list them; what the kernel announces when a nexthop goes (and what it does not);
 * the resync; the command's lines against `ip monitor rule` / `ip monitor nexthop`.
 */
import { NetnsError, VethPair, type MonitorEvent, type Namespace } from 'netns-native';
import { monitorsSideBySide } from '../helpers/cli';
import { collect } from '../helpers/monitor';
import { freshNamespace } from '../helpers/fresh';
import { ip, ipJson } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

type RuleEvent = Extract<MonitorEvent, { type: 'rule' }>;
type NexthopEvent = Extract<MonitorEvent, { type: 'nexthop' }>;

/** A veth pair `mra` (198.18.220.1/24, fd00:d2::1/64) - `mrb`, both up. */
async function furnished(): Promise<Namespace> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: 'mra', peerName: 'mrb', namespace: ns });
  await local.addAddress('198.18.220.1/24');
  await local.addAddress('fd00:d2::1/64', { nodad: true });
  await local.up();
  await peer.up();
  return ns;
}

describeKernel('monitor: rules and nexthop objects', () => {
  it('rule events (ip monitor rule): added and removed by `ip` and by the library, each the Rule ns.rules() lists; IPv4 and IPv6', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    await using m = ns.monitor({ events: ['rule'] });
    await m.ready;
    const events = collect(m);
    ip(name, 'rule', 'add', 'from', '198.18.220.0/24', 'table', '100', 'priority', '1000');
    await ns.addRule({ from: '198.18.221.0/24', to: '198.18.222.0/24', table: 101, priority: 1001, fwmark: 7 });
    ip(name, '-6', 'rule', 'add', 'from', 'fd00:d2::/64', 'lookup', '200', 'priority', '1002');
    await ns.addRule({ priority: 1003, iif: 'mra', action: 'prohibit' });
    const listed = await ns.rules();
    const of = (priority: number) => listed.find((r) => r.priority === priority);
    expect([1000, 1001, 1002, 1003].map((p) => of(p) !== undefined)).toEqual([true, true, true, true]);
    await ns.deleteRule({ priority: 1000, from: '198.18.220.0/24', table: 100 });
    ip(name, 'rule', 'del', 'priority', '1001');
    ip(name, '-6', 'rule', 'del', 'priority', '1002');
    ip(name, 'rule', 'del', 'priority', '1003');
    await waitFor(() => events.length >= 8, { what: 'eight rule events' });
    expect(events).toEqual([
      { type: 'rule', action: 'new', rule: of(1000) },
      { type: 'rule', action: 'new', rule: of(1001) },
      { type: 'rule', action: 'new', rule: of(1002) },
      { type: 'rule', action: 'new', rule: of(1003) },
      { type: 'rule', action: 'delete', rule: of(1000) },
      { type: 'rule', action: 'delete', rule: of(1001) },
      { type: 'rule', action: 'delete', rule: of(1002) },
      { type: 'rule', action: 'delete', rule: of(1003) },
    ]);
    expect((events[2] as RuleEvent).rule).toMatchObject({ family: 6, from: 'fd00:d2::/64', table: 200 });
    expect((events[1] as RuleEvent).rule).toMatchObject({ to: '198.18.222.0/24', fwmark: 7, table: 101 });
    // The witness: ip lists what is left, the three default rules of each family.
    expect(ipJson<Array<{ priority: number }>>(name, 'rule', 'show').map((r) => r.priority)).toEqual([0, 32766, 32767]);
  });

  it('nexthop events (ip monitor nexthop): a delete announces the nexthop, each group that loses it (new) and each group left empty (delete); routes through it go, IPv4 ones silently (a synthesized delete)', async () => {
    const ns = await furnished();
    const name = ns.name as string;
    await using m = ns.monitor({ events: ['nexthop', 'route'] });
    await m.ready;
    const events = collect(m);
    ip(name, 'nexthop', 'add', 'id', '1', 'via', '198.18.220.2', 'dev', 'mra');
    await ns.addNexthop({ id: 2, gateway: '198.18.220.3', link: 'mra' });
    await ns.addNexthop({ id: 10, group: [{ id: 1 }, { id: 2, weight: 3 }] });
    ip(name, 'nexthop', 'add', 'id', '11', 'group', '1');
    ip(name, '-6', 'nexthop', 'add', 'id', '6', 'via', 'fd00:d2::2', 'dev', 'mra');
    ip(name, 'route', 'add', '198.18.225.0/24', 'nhid', '1');
    ip(name, '-6', 'route', 'add', 'fd00:d2:1::/64', 'nhid', '6');
    const listed = await ns.nexthops();
    const added = (id: number) => ({ type: 'nexthop', action: 'new', nexthop: listed.find((n) => n.id === id) });
    // IPv6 link-local routes come and go on their own: these two by destination.
    const route = (action: string, destination: string) => (e: MonitorEvent) =>
      e.type === 'route' && e.action === action && e.route.destination === destination;
    await waitFor(() => events.some(route('new', 'fd00:d2:1::/64')), { what: 'the IPv6 route' });
    const nexthops = () => events.filter((e): e is NexthopEvent => e.type === 'nexthop');
    expect(nexthops()).toEqual([1, 2, 10, 11, 6].map(added));
    expect(nexthops()[0]?.nexthop).toMatchObject({ id: 1, family: 4, gateway: '198.18.220.2', link: 'mra' });
    expect(nexthops()[2]?.nexthop.group).toEqual([
      { id: 1, weight: 1 },
      { id: 2, weight: 3 },
    ]);
    const before = events.length;

    // Deleting 1: its delete, group 10 without it, group 11 (empty) deleted. The IPv4 route
    // through it goes without any RTM_DELROUTE (fib_flush; `ip monitor` shows nothing): the
    // monitor finds it gone and synthesizes the delete.
    await ns.deleteNexthop(1);
    ip(name, '-6', 'nexthop', 'del', 'id', '6');
    await waitFor(
      () => events.some(route('delete', 'fd00:d2:1::/64')) && events.some(route('delete', '198.18.225.0/24')),
      {
        what: 'the IPv6 route delete',
      },
    );
    const after = events.slice(before);
    const changes = after.filter((e): e is NexthopEvent => e.type === 'nexthop');
    // The groups come in the kernel's order (the nexthop's list of groups holding it, newest first).
    expect(changes.map((e) => `${e.action} ${e.nexthop.id}`)).toEqual(['delete 1', 'delete 11', 'new 10', 'delete 6']);
    const shrunk = changes[2]?.nexthop;
    expect(shrunk?.group).toEqual([{ id: 2, weight: 3 }]);
    expect(shrunk).toEqual((await ns.nexthops({ id: 10 }))[0]);
    // IPv6 announces the route's removal (nexthop_compat_mode, the default); IPv4 does not.
    type RouteEvent = Extract<MonitorEvent, { type: 'route' }>;
    const ours = (e: MonitorEvent): e is RouteEvent =>
      e.type === 'route' && /^(198\.18\.22|fd00:d2)/.test(e.route.destination);
    expect(after.filter(ours).map((e) => [e.action, e.route.destination, e.synthesized])).toEqual([
      ['delete', '198.18.225.0/24', true],
      ['delete', 'fd00:d2:1::/64', undefined],
    ]);
    // Right after the nexthop's delete, which caused it.
    const at = after.findIndex((e) => e.type === 'route' && e.synthesized);
    expect(after[at - 1]).toMatchObject({ type: 'nexthop', action: 'delete', nexthop: { id: 1 } });
    expect(ip(name, 'route', 'show', '198.18.225.0/24')).toBe('');
  });

  it('route events alone: routes through a deleted nexthop object, or a group it left empty, get a synthesized delete; a consumer ends at ip route', async () => {
    const ns = await furnished();
    const name = ns.name as string;
    ip(name, 'nexthop', 'add', 'id', '1', 'via', '198.18.220.2', 'dev', 'mra');
    ip(name, 'nexthop', 'add', 'id', '2', 'via', '198.18.220.3', 'dev', 'mra');
    ip(name, 'nexthop', 'add', 'id', '10', 'group', '1/2');
    ip(name, 'nexthop', 'add', 'id', '11', 'group', '1');
    ip(name, 'route', 'add', '198.18.225.0/24', 'nhid', '1');
    ip(name, 'route', 'add', '198.18.226.0/24', 'nhid', '11');
    ip(name, 'route', 'add', '198.18.227.0/24', 'nhid', '10');
    await using m = ns.monitor({ events: ['route'], initialState: true });
    const first = (await m.next()).value as Extract<MonitorEvent, { type: 'resync' }>;
    const state = new Map(first.routes.map((r) => [`${r.table} ${r.destination}`, r]));
    const events = collect(m);
    ip(name, 'nexthop', 'del', 'id', '1');
    // A later route, to know that everything before it was read.
    ip(name, 'route', 'add', '198.18.228.0/24', 'dev', 'mra');
    const seen = (destination: string) => events.some((e) => e.type === 'route' && e.route.destination === destination);
    await waitFor(() => seen('198.18.228.0/24'), { what: 'the last route' });
    const ours = events.filter(
      (e): e is Extract<MonitorEvent, { type: 'route' }> =>
        e.type === 'route' && e.route.destination.startsWith('198.18.22'),
    );
    expect(ours.map((e) => [e.action, e.route.destination, e.synthesized])).toEqual([
      ['delete', '198.18.225.0/24', true],
      ['delete', '198.18.226.0/24', true],
      ['new', '198.18.228.0/24', undefined],
    ]);
    for (const e of events) {
      if (e.type !== 'route') continue;
      const key = `${e.route.table} ${e.route.destination}`;
      if (e.action === 'delete') state.delete(key);
      else state.set(key, e.route);
    }
    const witness = ipJson<Array<{ dst: string }>>(name, 'route', 'show')
      .map((r) => r.dst)
      .filter((d) => d.startsWith('198.18.22'));
    expect(
      [...state.values()]
        .filter((r) => r.table === 254 && r.destination.startsWith('198.18.22'))
        .map((r) => r.destination)
        .sort(),
    ).toEqual(witness.sort());
    expect(witness).toContain('198.18.227.0/24');
  });

  it('a link going down takes its nexthops (and groups left empty) without a notification: synthesized, as a resync shows what is left', async () => {
    const ns = await furnished();
    const name = ns.name as string;
    const { local, peer } = await VethPair.create({ name: 'mrc', peerName: 'mrd', namespace: ns });
    await local.addAddress('198.18.223.1/24');
    await local.up();
    await peer.up();
    ip(name, 'nexthop', 'add', 'id', '1', 'via', '198.18.220.2', 'dev', 'mra');
    ip(name, 'nexthop', 'add', 'id', '3', 'via', '198.18.223.2', 'dev', 'mrc');
    ip(name, 'nexthop', 'add', 'id', '10', 'group', '1/3');
    ip(name, 'nexthop', 'add', 'id', '11', 'group', '3');
    await using m = ns.monitor({ events: ['nexthop'], initialState: true });
    const first = (await m.next()).value as Extract<MonitorEvent, { type: 'resync' }>;
    expect(first.type).toBe('resync');
    expect(first.nexthops).toEqual(await ns.nexthops());
    expect(first.nexthops.map((n) => n.id)).toEqual([1, 3, 10, 11]);
    expect([first.addresses, first.routes, first.neighbours, first.rules]).toEqual([[], [], [], []]);
    const events = collect(m);
    await local.down();
    // A later change, to know that everything before it was read.
    ip(name, 'nexthop', 'add', 'id', '20', 'via', '198.18.220.4', 'dev', 'mra');
    await waitFor(() => events.some((e) => e.type === 'nexthop' && e.nexthop.id === 20), { what: 'nexthop 20' });
    // The kernel sent only 20's; the rest is synthesized from a dump after the link went down:
    // the nexthop on it, then the group that lost it (now 1 alone) and the one left empty.
    const said = events.filter((e): e is NexthopEvent => e.type === 'nexthop');
    expect(said.map((e) => [e.action, e.nexthop.id, e.synthesized])).toEqual([
      ['delete', 3, true],
      ['new', 10, true],
      ['delete', 11, true],
      ['new', 20, undefined],
    ]);
    expect(said[1]?.nexthop.group).toEqual([{ id: 1, weight: 1 }]);
    // The kernel's state: 3 and 11 gone, 10 without 3.
    expect(ipJson<Array<{ id: number; group?: unknown }>>(name, 'nexthop', 'show')).toEqual([
      expect.objectContaining({ id: 1 }),
      { id: 10, group: [{ id: 1 }], flags: [] },
      expect.objectContaining({ id: 20 }),
    ]);
    await using again = ns.monitor({ events: ['nexthop', 'rule'], initialState: true });
    const resync = (await again.next()).value as Extract<MonitorEvent, { type: 'resync' }>;
    expect(resync.nexthops.map((n) => n.id)).toEqual([1, 10, 20]);
    expect(resync.rules).toEqual(await ns.rules());
  });

  it("the command's monitor --events rule,nexthop prints each line as `ip monitor rule nexthop` does", async () => {
    const ns = await furnished();
    const name = ns.name as string;
    const end = 'Deleted 2999: from all lookup 99';
    const probe = (n: number): string => {
      ip(name, 'rule', 'add', 'priority', String(2000 + n), 'table', '99');
      return `${2000 + n}: from all lookup 99`;
    };
    const { mine, theirs: want } = await monitorsSideBySide(
      name,
      'rule,nexthop',
      ['rule', 'nexthop'],
      probe,
      () => {
        const rule = (...args: string[]): string => ip(name, 'rule', 'add', ...args);
        rule('from', '198.18.224.0/24', 'to', '198.18.225.7', 'table', '100', 'priority', '100');
        rule(
          'iif',
          'mra',
          'oif',
          'mrb',
          'ipproto',
          'tcp',
          'sport',
          '1000-2000',
          'dport',
          '80',
          'blackhole',
          'priority',
          '102',
        );
        rule(
          'uidrange',
          '100-200',
          'table',
          'main',
          'suppress_prefixlength',
          '0',
          'proto',
          'static',
          'priority',
          '103',
        );
        rule('tos', '0x10', 'prohibit', 'priority', '104');
        // A goto forward only, to a rule that is there (else the kernel flags it unresolved).
        rule('not', 'from', '198.18.224.0/24', 'fwmark', '0x10/0xff', 'goto', '103', 'priority', '101');
        ip(
          name,
          '-6',
          'rule',
          'add',
          'from',
          'fd00:d2::/64',
          'to',
          'fd00:d2:1::5',
          'lookup',
          '200',
          'nop',
          'priority',
          '105',
        );
        ip(name, 'rule', 'del', 'priority', '100');
        const nh = (...args: string[]): string => ip(name, 'nexthop', 'add', ...args);
        nh('id', '1', 'via', '198.18.220.2', 'dev', 'mra');
        nh('id', '2', 'via', '198.18.221.3', 'dev', 'mra', 'onlink', 'proto', 'static');
        ip(name, '-6', 'nexthop', 'add', 'id', '6', 'via', 'fd00:d2::2', 'dev', 'mra');
        nh('id', '7', 'dev', 'mra');
        nh('id', '10', 'group', '1/2,3');
        nh(
          'id',
          '20',
          'group',
          '7',
          'type',
          'resilient',
          'buckets',
          '8',
          'idle_timer',
          '120',
          'unbalanced_timer',
          '300',
        );
        ip(name, 'nexthop', 'del', 'id', '1');
        ip(name, 'nexthop', 'del', 'id', '2'); // group 10 goes with it, announced
        ip(name, 'rule', 'add', 'priority', '2999', 'table', '99');
        ip(name, 'rule', 'del', 'priority', '2999');
      },
      end,
    );
    expect(mine).toEqual(want);
    // The cases are there (so that the comparison above covers them).
    for (const needle of [
      '100: from 198.18.224.0/24 to 198.18.225.7 lookup 100',
      'Deleted 100: from 198.18.224.0/24 to 198.18.225.7 lookup 100',
      'id 2 via 198.18.221.3 dev mra scope link proto static onlink',
      'id 10 group 1/2,3',
      'id 20 group 7 type resilient buckets 8 idle_timer 120 unbalanced_timer 300 unbalanced_time 0',
      'Deleted id 10 group 2,3',
    ]) {
      expect(want).toContain(needle);
    }
  });

  it('refuses an unknown event type, naming the seven it knows', async () => {
    const ns = await freshNamespace();
    let error: unknown;
    try {
      ns.monitor({ events: ['rules' as never] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetnsError);
    expect(error).toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining(
        `unknown event type "rules": use 'link', 'address', 'route', 'neighbour', 'rule', 'nexthop' or 'netconf'`,
      ),
    });
  });
});

/** A veth pair `mna` (198.19.140.1/24) - `mnb` (198.19.141.1/24) in two namespaces, all up. */
async function pairAcross(): Promise<{ ns: Namespace; other: Namespace; name: string }> {
  const ns = await freshNamespace();
  const other = await freshNamespace();
  const { local, peer } = await VethPair.create({
    name: 'mna',
    peerName: 'mnb',
    namespace: ns,
    peerNamespace: other,
  });
  await local.addAddress('198.19.140.1/24');
  await local.up();
  await peer.up();
  const { local: c } = await VethPair.create({ name: 'mnc', peerName: 'mnd', namespace: ns });
  await c.addAddress('198.19.141.1/24');
  await c.up();
  await (await ns.link('mnd')).up();
  return { ns, other, name: ns.name as string };
}

/** What a consumer applying the nexthop events (and resyncs) holds: `ID` or `ID group A/B`. */
function nexthopsHeld(events: MonitorEvent[]): string[] {
  const held = new Map<number, string>();
  for (const e of events) {
    if (e.type === 'resync') {
      held.clear();
      for (const n of e.nexthops)
        held.set(n.id, `${n.id}${n.group ? ` group ${n.group.map((m) => m.id).join('/')}` : ''}`);
    } else if (e.type === 'nexthop') {
      const n = e.nexthop;
      if (e.action === 'delete') held.delete(n.id);
      else held.set(n.id, `${n.id}${n.group ? ` group ${n.group.map((m) => m.id).join('/')}` : ''}`);
    }
  }
  return [...held.values()];
}

/** The same from `ip -j nexthop show`, the witness. */
function nexthopsListed(ns: string): string[] {
  return ipJson<Array<{ id: number; group?: Array<{ id: number }> }>>(ns, 'nexthop', 'show').map(
    (n) => `${n.id}${n.group ? ` group ${n.group.map((m) => m.id).join('/')}` : ''}`,
  );
}

describeKernel('monitor: nexthop objects the kernel removes silently', () => {
  it('a link deleted, without initialState: its nexthops and the groups they leave are synthesized; the IPv4 routes through them follow; a consumer ends at ip nexthop show', async () => {
    const { ns, name } = await pairAcross();
    await using m = ns.monitor({ events: ['nexthop', 'route'] });
    await m.ready;
    const events = collect(m);
    // Made after the monitor started: the consumer knows them from their events.
    ip(name, 'nexthop', 'add', 'id', '1', 'via', '198.19.140.2', 'dev', 'mna');
    ip(name, 'nexthop', 'add', 'id', '2', 'via', '198.19.141.2', 'dev', 'mnc');
    ip(name, 'nexthop', 'add', 'id', '10', 'group', '1/2');
    ip(name, 'nexthop', 'add', 'id', '11', 'group', '2');
    ip(name, 'route', 'add', '198.19.142.0/24', 'nhid', '11');
    ip(name, 'route', 'add', '198.19.143.0/24', 'nhid', '2');
    ip(name, 'route', 'add', '198.19.144.0/24', 'nhid', '10');
    await waitFor(() => events.filter((e) => e.type === 'route').length >= 3, { what: 'three routes' });
    events.length = 0;
    await (await ns.link('mnc')).delete();
    ip(name, 'nexthop', 'add', 'id', '20', 'via', '198.19.140.4', 'dev', 'mna');
    await waitFor(() => events.some((e) => e.type === 'nexthop' && e.nexthop.id === 20), { what: 'nexthop 20' });
    const said = events.flatMap((e) =>
      e.type === 'nexthop'
        ? [`nexthop ${e.action} ${e.nexthop.id}${e.synthesized ? ' (synthesized)' : ''}`]
        : e.type === 'route' && /^198\.19\.14[234]\./.test(e.route.destination)
          ? [`route ${e.action} ${e.route.destination}${e.synthesized ? ' (synthesized)' : ''}`]
          : [],
    );
    expect(said).toEqual([
      'nexthop delete 2 (synthesized)',
      'nexthop new 10 (synthesized)',
      'nexthop delete 11 (synthesized)',
      'route delete 198.19.142.0/24 (synthesized)',
      'route delete 198.19.143.0/24 (synthesized)',
      'nexthop new 20',
    ]);
    expect(nexthopsListed(name)).toEqual(['1', '10 group 1', '20']);
    // The group's new state is what ip lists; the route through it stays.
    const group = events.find((e): e is NexthopEvent => e.type === 'nexthop' && e.nexthop.id === 10);
    expect(group?.nexthop.group?.map((g) => g.id)).toEqual([1]);
    expect(ip(name, 'route', 'show', '198.19.144.0/24')).toContain('nhid 10');
  });

  it('a link down, and a link losing its carrier (its peer down): a consumer from a resync ends at ip nexthop show', async () => {
    const { ns, other, name } = await pairAcross();
    ip(name, 'nexthop', 'add', 'id', '1', 'via', '198.19.140.2', 'dev', 'mna');
    ip(name, 'nexthop', 'add', 'id', '2', 'via', '198.19.141.2', 'dev', 'mnc');
    ip(name, 'nexthop', 'add', 'id', '3', 'via', '198.19.141.3', 'dev', 'mnc');
    ip(name, 'nexthop', 'add', 'id', '10', 'group', '1/2');
    await using m = ns.monitor({ events: ['nexthop'], initialState: true });
    const events = collect(m);
    await waitFor(() => events.length > 0, { what: 'the resync' });
    // mna's peer (in the other namespace) goes down: mna stays up, without carrier.
    await (await other.link('mnb')).down();
    await waitFor(() => !nexthopsListed(name).includes('1'), { what: 'nexthop 1 flushed' });
    ip(name, 'nexthop', 'add', 'id', '20', 'via', '198.19.141.4', 'dev', 'mnc');
    await waitFor(() => nexthopsHeld(events).includes('20'), { what: 'nexthop 20' });
    expect(nexthopsHeld(events)).toEqual(nexthopsListed(name));
    expect(nexthopsListed(name)).toEqual(['2', '3', '10 group 2', '20']);
    await (await ns.link('mnc')).down();
    ip(name, 'link', 'set', 'lo', 'up'); // a blackhole nexthop needs it
    ip(name, 'nexthop', 'add', 'id', '22', 'blackhole');
    await waitFor(() => nexthopsHeld(events).includes('22'), { what: 'nexthop 22' });
    expect(nexthopsHeld(events)).toEqual(nexthopsListed(name));
    expect(
      events
        .filter((e) => e.type === 'nexthop' && e.synthesized)
        .map((e) => `${(e as NexthopEvent).action} ${(e as NexthopEvent).nexthop.id}`),
    ).toEqual(['delete 1', 'new 10', 'delete 2', 'delete 3', 'delete 20', 'delete 10']);
  });
});
