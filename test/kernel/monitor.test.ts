/**
 * ns.monitor() against the real kernel, with `ip` as the other process making changes and
 * `ip -json` as the witness of the state a consumer must end at.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { promisify } from 'node:util';
import {
  Bridge,
  Namespace,
  NetnsError,
  VethPair,
  type Monitor,
  type MonitorEvent,
  type MonitorOptions,
  type Neighbour,
  type Route,
} from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, type IpAddr, type IpLink, type IpRoute } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

const execFileP = promisify(execFile);

/** Iterates a monitor in the background, keeping every event and how it ended. */
function collect(m: Monitor) {
  const events: MonitorEvent[] = [];
  const state: { done: boolean; error: unknown } = { done: false, error: undefined };
  const finished = (async () => {
    try {
      for await (const e of m) events.push(e);
    } catch (e) {
      state.error = e;
    }
    state.done = true;
  })();
  return { events, state, finished };
}

/** `ip -n NS -batch -` with these lines; `force` goes on past failed lines. */
function batchSync(ns: string, lines: string[], force = false): void {
  execFileSync('ip', ['-n', ns, ...(force ? ['-force'] : []), '-batch', '-'], {
    input: `${lines.join('\n')}\n`,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

async function batchAsync(ns: string, lines: string[]): Promise<void> {
  const child = execFile('ip', ['-n', ns, '-force', '-batch', '-'], { maxBuffer: 1 << 26 });
  child.stdin?.end(`${lines.join('\n')}\n`);
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
}

/** A veth pair made by `ip` in the namespace, IPv6 address generation off (no DAD to wait for). */
function vethByIp(ns: string, a: string, b: string): void {
  ip(ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  ip(ns, 'link', 'set', a, 'addrgenmode', 'none');
  ip(ns, 'link', 'set', b, 'addrgenmode', 'none');
}

/**
 * The netlink sockets of this process inside `ns` subscribed to multicast groups (monitors),
 * from that namespace's /proc/net/netlink: `[count, bytes queued in them]`.
 */
function monitorSocketTable(ns: string): [count: number, queued: number] {
  const ours = new Set(
    fs.readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
        return m ? [m[1] as string] : [];
      } catch {
        return [];
      }
    }),
  );
  const table = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/netlink'], { encoding: 'utf8' });
  // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
  const rows = table
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === '0' && f[3] !== '00000000' && ours.has(f[9] as string));
  return [rows.length, rows.reduce((sum, f) => sum + Number(f[4]), 0)];
}
const monitorSockets = (ns: string) => monitorSocketTable(ns)[0];

const openFds = () => fs.readdirSync('/proc/self/fd').length;
const threads = () => fs.readdirSync('/proc/self/task').length;

// --- a consumer that applies events and resyncs, and the same state as `ip -json` shows it ----

const TABLES: Record<string, number> = { local: 255, main: 254, default: 253 };

/** What a consumer keeps: enough to compare with `ip -json`, keyed as API.md says. */
class Replica {
  readonly links = new Map<number, string>();
  readonly addresses = new Set<string>();
  readonly routes = new Map<string, string>();
  resyncs: string[] = [];
  synthesized = 0;

  static routeKey(r: Route): string {
    return `${r.family}|${r.table}|${r.destination}|${r.tos ?? 0}|${r.metric ?? 0}|${r.type}|${r.gateway ?? ''}|${r.linkIndex ?? 0}`;
  }

  static routeText(r: Route): string {
    return [
      r.family,
      r.table,
      r.type,
      r.destination,
      r.tos ?? 0,
      r.gateway ?? '-',
      r.linkIndex ?? 0,
      r.metric ?? 0,
    ].join(' ');
  }

  apply(e: MonitorEvent): void {
    switch (e.type) {
      case 'resync':
        this.resyncs.push(e.reason);
        this.links.clear();
        this.addresses.clear();
        this.routes.clear();
        for (const l of e.links) this.links.set(l.index, `${l.index} ${l.name} ${l.mtu} ${l.isUp}`);
        for (const a of e.addresses) this.addresses.add(`${a.linkIndex} ${a.cidr}`);
        for (const r of e.routes) this.routes.set(Replica.routeKey(r), Replica.routeText(r));
        break;
      case 'link':
        if (e.action === 'new')
          this.links.set(e.link.index, `${e.link.index} ${e.link.name} ${e.link.mtu} ${e.link.isUp}`);
        else this.links.delete(e.link.index);
        break;
      case 'address':
        if (e.action === 'new') this.addresses.add(`${e.address.linkIndex} ${e.address.cidr}`);
        else this.addresses.delete(`${e.address.linkIndex} ${e.address.cidr}`);
        break;
      case 'route':
        if (e.synthesized) this.synthesized += 1;
        if (e.action === 'new') this.routes.set(Replica.routeKey(e.route), Replica.routeText(e.route));
        else this.routes.delete(Replica.routeKey(e.route));
        break;
      default:
        break;
    }
  }

  state(): { links: string[]; addresses: string[]; routes: string[] } {
    return {
      links: [...this.links.values()].sort(),
      addresses: [...this.addresses].sort(),
      routes: [...this.routes.values()].sort(),
    };
  }
}

/** The same state from `ip -json`. */
function witness(ns: string): ReturnType<Replica['state']> {
  const links = ipJson<IpLink[]>(ns, 'link', 'show');
  const index = new Map(links.map((l) => [l.ifname, l.ifindex]));
  const addrs = ipJson<IpAddr[]>(ns, 'addr', 'show');
  const routes = (family: 4 | 6) =>
    ipJson<Array<IpRoute & { type?: string }>>(ns, `-${family}`, 'route', 'show', 'table', 'all').map((r) => {
      const dst = r.dst === 'default' || r.dst.includes('/') ? r.dst : `${r.dst}/${family === 4 ? 32 : 128}`;
      const table = r.table === undefined ? 254 : (TABLES[r.table] ?? Number(r.table));
      const dev = r.dev === undefined ? 0 : (index.get(r.dev) ?? -1);
      return [family, table, r.type ?? 'unicast', dst, Number(r.tos ?? 0), r.gateway ?? '-', dev, r.metric ?? 0].join(
        ' ',
      );
    });
  return {
    links: links.map((l) => `${l.ifindex} ${l.ifname} ${l.mtu} ${l.flags.includes('UP')}`).sort(),
    addresses: addrs.flatMap((l) => l.addr_info.map((a) => `${l.ifindex} ${a.local}/${a.prefixlen}`)).sort(),
    routes: [...routes(4), ...routes(6)].sort(),
  };
}

/** Applies a monitor's events to a replica in the background. */
function replicate(m: Monitor) {
  const replica = new Replica();
  const seen: MonitorEvent[] = [];
  const c = (async () => {
    for await (const e of m) {
      seen.push(e);
      replica.apply(e);
    }
  })();
  return { replica, seen, finished: c };
}

let markers = 0;
/**
 * Makes a last change nobody else makes (lo's MTU, which the kernel announces whatever the
 * link's state) and waits until the consumer has it: as an event, or inside a resync that read
 * it. Every change before it has then been handed out too.
 */
async function settleOn(ns: string, seen: MonitorEvent[], what: string): Promise<void> {
  const mtu = 60000 + (markers++ % 5000);
  ip(ns, 'link', 'set', 'dev', 'lo', 'mtu', String(mtu));
  const has = (e: MonitorEvent) =>
    (e.type === 'link' && e.link.name === 'lo' && e.link.mtu === mtu) ||
    (e.type === 'resync' && e.links.some((l) => l.name === 'lo' && l.mtu === mtu));
  await waitFor(() => seen.some(has), { what: `the monitor to deliver the marker change (${what})`, timeoutMs: 30000 });
}

/**
 * A neighbour without its cache info (NDA_CACHEINFO: ages and references), which the kernel moves
 * between an event and a later dump.
 */
function ageless(n: Neighbour): Omit<Neighbour, 'cacheInfo'> {
  const { cacheInfo: _ages, ...rest } = n;
  return rest;
}

/** An event with its neighbour's cache info left out (see ageless). */
function withoutAges(e: MonitorEvent): unknown {
  return e.type === 'neighbour' ? { ...e, neighbour: ageless(e.neighbour) } : e;
}

describeKernel('monitor', () => {
  it('events carry the same Link, Address and Route objects as ns.links(), addresses(), routes()', async () => {
    const ns = await freshNamespace();
    await using m = ns.monitor();
    await m.ready;
    const c = collect(m);
    const pair = await VethPair.create({ name: uniqueName('ma'), peerName: uniqueName('mb'), namespace: ns });
    await pair.local.addAddress('198.18.60.1/24');
    await pair.local.up();
    await pair.peer.up();
    await ns.addRoute({ destination: '198.19.60.0/24', gateway: '198.18.60.2', metric: 7 });
    const br = await Bridge.create(uniqueName('mbr'), { namespace: ns });
    await waitFor(
      () =>
        c.events.some((e) => e.type === 'route' && e.route.destination === '198.19.60.0/24') &&
        c.events.some((e) => e.type === 'link' && e.link.index === br.index),
      { what: 'the route and bridge events' },
    );
    const lastLink = (index: number) =>
      c.events
        .filter((e): e is Extract<MonitorEvent, { type: 'link' }> => e.type === 'link' && e.link.index === index)
        .at(-1)?.link;
    // Kind data, flags, carrier, operstate: everything the dump decodes, decoded the same way.
    const viaDump = await ns.link(br.index);
    expect(lastLink(br.index)).toBeInstanceOf(Bridge);
    expect(lastLink(br.index)?.toJSON()).toEqual(viaDump.toJSON());
    const address = c.events.find((e) => e.type === 'address' && e.address.cidr === '198.18.60.1/24');
    expect(address).toEqual({
      type: 'address',
      action: 'new',
      address: (await ns.addresses()).find((a) => a.cidr === '198.18.60.1/24'),
    });
    const route = c.events.find((e) => e.type === 'route' && e.route.destination === '198.19.60.0/24');
    expect(route).toEqual({
      type: 'route',
      action: 'new',
      route: (await ns.routes()).find((r) => r.destination === '198.19.60.0/24'),
    });
    expect(c.events.some((e) => e.type === 'resync')).toBe(false);
  });

  it('without initialState, route and neighbour events name links made before the monitor, as ns.routes() does', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mla', 'mlb');
    ip(name, 'link', 'set', 'mla', 'up');
    ip(name, 'link', 'set', 'mlb', 'up');
    // Neither the links nor their names come as events: they were there before.
    await using m = ns.monitor({ events: ['route', 'neighbour'] });
    await m.ready;
    const c = collect(m);
    ip(name, 'route', 'add', '198.19.62.0/24', 'dev', 'mla');
    ip(name, 'neigh', 'add', '198.18.62.9', 'lladdr', '02:00:00:00:62:09', 'dev', 'mla');
    ip(name, 'route', 'add', '198.19.63.0/24', 'nexthop', 'dev', 'mla', 'nexthop', 'dev', 'mlb');
    await waitFor(() => c.events.length >= 3, { what: 'the route and neighbour events' });
    const routes = await ns.routes();
    const neighbour = (await ns.neighbours()).find((n) => n.address === '198.18.62.9');
    expect(c.events.map(withoutAges)).toEqual([
      { type: 'route', action: 'new', route: routes.find((r) => r.destination === '198.19.62.0/24') },
      { type: 'neighbour', action: 'new', neighbour: neighbour && ageless(neighbour) },
      { type: 'route', action: 'new', route: routes.find((r) => r.destination === '198.19.63.0/24') },
    ]);
    expect(c.events[0]).toMatchObject({ route: { link: 'mla' } });
    expect(c.events[1]).toMatchObject({ neighbour: { link: 'mla' } });
    expect(c.events[2]).toMatchObject({ route: { nexthops: [{ link: 'mla' }, { link: 'mlb' }] } });
  });

  it('neighbour events (ip monitor neigh): added, changed and removed by `ip`, the same Neighbour as ns.neighbours(); a resync holds them all', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mna', 'mnb');
    ip(name, 'link', 'set', 'mna', 'up');
    ip(name, 'link', 'set', 'mnb', 'up');
    await using m = ns.monitor({ events: ['neighbour'], initialState: true });
    await m.ready;
    const c = collect(m);
    await waitFor(() => c.events.some((e) => e.type === 'resync'), { what: 'the initial resync' });
    ip(name, 'neigh', 'add', '198.18.61.9', 'lladdr', '02:00:00:00:61:09', 'dev', 'mna');
    ip(name, 'neigh', 'replace', '198.18.61.9', 'lladdr', '02:00:00:00:61:0a', 'dev', 'mna');
    ip(name, 'neigh', 'add', 'fd00:61::9', 'lladdr', '02:00:00:00:61:0b', 'dev', 'mnb', 'nud', 'reachable');
    // A forwarding-database entry on the same multicast group is not a neighbour event.
    const br = await Bridge.create(uniqueName('mnbr'), { namespace: ns });
    const port = await ns.link('mnb');
    await br.addPort(port);
    execFileSync('bridge', ['-n', name, 'fdb', 'add', '02:00:00:00:61:0c', 'dev', 'mnb', 'master', 'static']);
    const listed = await ns.neighbours();
    ip(name, 'neigh', 'del', '198.18.61.9', 'dev', 'mna');
    const of = (address: string) =>
      c.events.filter(
        (e): e is Extract<MonitorEvent, { type: 'neighbour' }> =>
          e.type === 'neighbour' && e.neighbour.address === address,
      );
    await waitFor(() => of('198.18.61.9').some((e) => e.action === 'delete'), { what: 'the neighbour delete event' });
    const v4 = of('198.18.61.9');
    // As the kernel reports them: `ip neigh del` first marks the entry failed (without its MAC),
    // then deletes it.
    expect(v4.map((e) => [e.action, e.neighbour.mac, e.neighbour.state])).toEqual([
      ['new', '02:00:00:00:61:09', 'permanent'],
      ['new', '02:00:00:00:61:0a', 'permanent'],
      ...(v4.length === 4 ? [['new', undefined, 'failed']] : []),
      ['delete', undefined, 'failed'],
    ]);
    expect(execFileSync('ip', ['-n', name, 'neigh', 'show', '198.18.61.9'], { encoding: 'utf8' })).toBe('');
    // Decoded as the dump decodes them.
    const same = listed.find((n) => n.address === '198.18.61.9');
    expect(v4[1]?.neighbour && ageless(v4[1].neighbour)).toEqual(same && ageless(same));
    expect(v4[1]?.neighbour.cacheInfo).toEqual({
      usedMs: expect.any(Number),
      confirmedMs: expect.any(Number),
      updatedMs: expect.any(Number),
      refcnt: expect.any(Number),
    });
    const v6 = of('fd00:61::9')[0]?.neighbour;
    expect(v6).toMatchObject({ family: 6, link: 'mnb', mac: '02:00:00:00:61:0b' });
    expect(c.events.some((e) => e.type === 'neighbour' && e.neighbour.mac === '02:00:00:00:61:0c')).toBe(false);
    expect(c.events.filter((e) => e.type === 'link' || e.type === 'address' || e.type === 'route')).toEqual([]);

    // A fresh monitor's initial resync: every IP neighbour entry, as `ip neigh show nud all`.
    await using again = ns.monitor({ events: ['neighbour'], initialState: true });
    const first = (await again.next()).value as Extract<MonitorEvent, { type: 'resync' }>;
    expect(first.type).toBe('resync');
    const witness = ipJson<Array<{ dst: string; dev: string; lladdr?: string }>>(name, 'neigh', 'show', 'nud', 'all');
    expect(first.neighbours.map((n) => `${n.address} ${n.link} ${n.mac ?? ''}`).sort()).toEqual(
      witness.map((n) => `${n.dst} ${n.dev} ${n.lladdr ?? ''}`).sort(),
    );
    expect(first.neighbours.some((n) => n.address === 'fd00:61::9')).toBe(true);
    expect(first.links.length).toBeGreaterThan(0); // links always: neighbours name theirs from them
    expect(first.routes).toEqual([]);
  });

  it('1,000 changes by another process, made while the event loop is blocked: 1,000 events, in order', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mo0', 'mo1');
    const index = (await ns.link('mo0')).index;
    const m = ns.monitor({ events: ['link'] });
    await m.ready;
    const c = collect(m);
    const mtus = Array.from({ length: 1000 }, (_, i) => 1300 + i);
    // Synchronous: nothing is read until the burst is over, so all of it sits in the socket's
    // receive buffer (the kernel's default of 212 KB holds ~90 of these; ours holds them all).
    batchSync(
      name,
      mtus.map((mtu) => `link set dev mo0 mtu ${mtu}`),
    );
    const seen = () => c.events.filter((e) => e.type === 'link' && e.link.index === index);
    await waitFor(() => seen().length >= 1000, { what: '1,000 link events', describe: () => String(seen().length) });
    m.close();
    await c.finished;
    expect(seen().map((e) => (e.type === 'link' ? e.link.mtu : 0))).toEqual(mtus);
    expect(c.events.filter((e) => e.type === 'resync')).toEqual([]);
  });

  it('ENOBUFS on purpose (a tiny receive buffer): a resync equal to `ip -json`, then the events after it', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mn0', 'mn1');
    ip(name, 'addr', 'add', '198.18.61.1/24', 'dev', 'mn0');
    ip(name, 'link', 'set', 'mn0', 'up');
    ip(name, 'route', 'add', '198.19.61.0/24', 'via', '198.18.61.2');
    const m = ns.monitor({ receiveBufferBytes: 4096 });
    await m.ready;
    const replica = replicate(m);
    // 300 changes while nothing reads: far more than 8 KB of notifications.
    batchSync(
      name,
      Array.from({ length: 300 }, (_, i) => `link set dev mn1 mtu ${1300 + i}`),
    );
    await waitFor(() => replica.seen.some((e) => e.type === 'resync'), { what: 'a resync' });
    const resync = replica.seen.find((e) => e.type === 'resync');
    expect(resync).toMatchObject({ type: 'resync', reason: 'overrun' });
    // Nothing changes any more: the resync's state is the kernel's.
    const afterResync = () => replica.seen.slice(replica.seen.indexOf(resync as MonitorEvent) + 1);
    await settleOn(name, replica.seen, 'after-resync');
    expect(replica.replica.state()).toEqual(witness(name));
    // No burst event after the resync: the dump reflected all of them.
    expect(afterResync().filter((e) => e.type === 'link' && e.link.name === 'mn1')).toEqual([]);
    // And events go on after it, in order.
    ip(name, 'link', 'set', 'dev', 'mn1', 'mtu', '1500');
    ip(name, 'addr', 'add', '198.18.62.1/24', 'dev', 'mn1');
    await waitFor(() => afterResync().some((e) => e.type === 'address' && e.address.cidr === '198.18.62.1/24'), {
      what: 'the address event after the resync',
    });
    const mn1 = afterResync().filter((e) => e.type === 'link' && e.link.name === 'mn1');
    expect(mn1.map((e) => (e.type === 'link' ? e.link.mtu : 0))).toEqual([1500]);
    expect(replica.replica.state()).toEqual(witness(name));
    m.close();
    await replica.finished;
  });

  it('a consumer that stops iterating: past queueLimit the queue is dropped, and a resync comes when it asks', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mq0', 'mq1');
    const m = ns.monitor({ events: ['link'], queueLimit: 50 });
    await m.ready;
    await batchAsync(
      name,
      Array.from({ length: 200 }, (_, i) => `link set dev mq0 mtu ${1300 + i}`),
    );
    // The monitor reads whether or not anyone iterates: wait until the kernel holds nothing more.
    await waitFor(() => monitorSocketTable(name)[1] === 0, { what: "the monitor's receive queue to be read" });
    const first = (await m.next()).value;
    expect(first).toMatchObject({ type: 'resync', reason: 'overflow' });
    expect(first?.type === 'resync' && first.links.find((l) => l.name === 'mq0')?.mtu).toBe(1499);
    m.close();
  });

  it('IPv4 routes the kernel removes silently (link down, last address removed): deletes are synthesized', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mr0', 'mr1');
    ip(name, 'link', 'set', 'mr0', 'up');
    ip(name, 'link', 'set', 'mr1', 'up');
    ip(name, 'addr', 'add', '198.18.63.1/24', 'dev', 'mr0');
    ip(name, 'addr', 'add', '198.18.64.1/24', 'dev', 'mr1');
    const m = ns.monitor({ initialState: true });
    await m.ready;
    const r = replicate(m);
    ip(name, 'route', 'add', '198.19.63.0/24', 'dev', 'mr0');
    ip(name, 'route', 'add', '198.19.64.0/24', 'via', '198.18.64.2');
    ip(name, 'route', 'add', '198.19.65.0/24', 'dev', 'mr1');
    await settleOn(name, r.seen, 'routes-added');
    expect(r.replica.state()).toEqual(witness(name));
    // Down: every route through mr0 goes (its prefix route too), with no RTM_DELROUTE.
    ip(name, 'link', 'set', 'mr0', 'down');
    // Last IPv4 address of mr1 removed: its other routes go silently.
    ip(name, 'addr', 'del', '198.18.64.1/24', 'dev', 'mr1');
    await settleOn(name, r.seen, 'routes-gone');
    const synthesized = r.seen.flatMap((e) =>
      e.type === 'route' && e.synthesized ? [`${e.action} ${e.route.destination}`] : [],
    );
    expect(synthesized).toEqual(
      expect.arrayContaining([
        'delete 198.18.63.0/24',
        'delete 198.19.63.0/24',
        'delete 198.19.64.0/24',
        'delete 198.19.65.0/24',
      ]),
    );
    expect(r.replica.state()).toEqual(witness(name));
    // Each synthesized delete comes after the change that caused it.
    const at = (pred: (e: MonitorEvent) => boolean) => r.seen.findIndex(pred);
    const deleted = (dst: string) =>
      at((e) => e.type === 'route' && e.synthesized === true && e.route.destination === dst);
    const down = at((e) => e.type === 'link' && e.link.name === 'mr0' && !e.link.isUp);
    const unaddressed = at((e) => e.type === 'address' && e.action === 'delete' && e.address.cidr === '198.18.64.1/24');
    expect(down).toBeGreaterThan(0);
    expect(unaddressed).toBeGreaterThan(down);
    for (const dst of ['198.18.63.0/24', '198.19.63.0/24']) expect(deleted(dst)).toBeGreaterThan(down);
    for (const dst of ['198.19.64.0/24', '198.19.65.0/24']) expect(deleted(dst)).toBeGreaterThan(unaddressed);
    m.close();
    await r.finished;
  });

  it('`ip route replace`: the new route, after a synthesized delete of the one it replaced', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mp0', 'mp1');
    ip(name, 'link', 'set', 'mp0', 'up');
    ip(name, 'addr', 'add', '198.18.66.1/24', 'dev', 'mp0');
    ip(name, 'route', 'add', '198.19.66.0/24', 'dev', 'mp0');
    const m = ns.monitor({ events: ['route'], initialState: true });
    await m.ready;
    const r = replicate(m);
    // After the initial state (a change made while it is read may be folded into it).
    await waitFor(() => r.seen[0]?.type === 'resync', { what: 'the initial state' });
    ip(name, 'route', 'replace', '198.19.66.0/24', 'via', '198.18.66.2');
    await waitFor(() => r.seen.some((e) => e.type === 'route' && e.route.gateway === '198.18.66.2'), {
      what: 'the replacing route',
    });
    const routes = r.seen.filter((e) => e.type === 'route' && e.route.destination === '198.19.66.0/24');
    expect(
      routes.map((e) => e.type === 'route' && [e.action, e.route.gateway ?? 'dev', e.synthesized ?? false]),
    ).toEqual([
      ['delete', 'dev', true],
      ['new', '198.18.66.2', false],
    ]);
    expect(r.replica.state().routes).toEqual(witness(name).routes);
    m.close();
    await r.finished;
  });

  it('routes that differ only in their TOS: events say which (tos), a replace or delete of one leaves the other', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    vethByIp(name, 'mq0', 'mq1');
    ip(name, 'link', 'set', 'mq0', 'up');
    ip(name, 'addr', 'add', '198.18.67.1/24', 'dev', 'mq0');
    ip(name, 'route', 'add', '198.19.67.0/24', 'dev', 'mq0');
    const m = ns.monitor({ events: ['route'], initialState: true });
    await m.ready;
    const r = replicate(m);
    await waitFor(() => r.seen[0]?.type === 'resync', { what: 'the initial state' });
    ip(name, 'route', 'add', '198.19.67.0/24', 'tos', '0x10', 'dev', 'mq0');
    await waitFor(() => r.seen.some((e) => e.type === 'route' && e.route.tos === 0x10), { what: 'the TOS route' });
    // The same Route as ns.routes() lists.
    expect(r.seen.find((e) => e.type === 'route' && e.route.tos === 0x10)).toEqual({
      type: 'route',
      action: 'new',
      route: (await ns.routes()).find((x) => x.destination === '198.19.67.0/24' && x.tos === 0x10),
    });
    // A replace of the TOS route ends it, not the plain one; so does a delete.
    ip(name, 'route', 'replace', '198.19.67.0/24', 'tos', '0x10', 'via', '198.18.67.2');
    ip(name, 'route', 'del', '198.19.67.0/24', 'tos', '0x10');
    await waitFor(
      () => r.seen.some((e) => e.type === 'route' && e.action === 'delete' && e.route.gateway === '198.18.67.2'),
      { what: 'the delete of the TOS route' },
    );
    const events = r.seen.filter((e) => e.type === 'route' && e.route.destination === '198.19.67.0/24');
    expect(
      events.map(
        (e) => e.type === 'route' && [e.action, e.route.tos ?? 0, e.route.gateway ?? 'dev', e.synthesized ?? false],
      ),
    ).toEqual([
      ['new', 0x10, 'dev', false],
      ['delete', 0x10, 'dev', true],
      ['new', 0x10, '198.18.67.2', false],
      ['delete', 0x10, '198.18.67.2', false],
    ]);
    expect(r.replica.state().routes).toEqual(witness(name).routes);
    expect(r.replica.state().routes).toContain(
      `4 254 unicast 198.19.67.0/24 0 - ${ipJson<IpLink[]>(name, 'link', 'show', 'mq0')[0]?.ifindex} 0`,
    );
    m.close();
    await r.finished;
  });

  it('a consumer applying events and resyncs ends equal to `ip -json` after 5,000 random changes by two processes', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const links = ['mc0', 'mc1', 'mc2', 'mc3', 'mc4', 'mc5'];
    for (let i = 0; i < links.length; i += 2) vethByIp(name, links[i] as string, links[i + 1] as string);
    // A small buffer, so that the kernel drops notifications now and then: resyncs happen.
    const m = ns.monitor({ initialState: true, receiveBufferBytes: 64 * 1024 });
    await m.ready;
    const r = replicate(m);
    const random = (n: number) => Math.floor(Math.random() * n);
    const change = (who: number): string => {
      const dev = links[random(links.length)] as string;
      const net = who * 8 + random(4);
      switch (random(11)) {
        case 0:
          return `link set dev ${dev} up`;
        case 1:
          return `link set dev ${dev} down`;
        case 2:
          return `link set dev ${dev} mtu ${1280 + random(220)}`;
        case 3:
          return `addr add 198.18.${net}.${1 + random(3)}/24 dev ${dev}`;
        case 4:
          return `addr del 198.18.${net}.${1 + random(3)}/24 dev ${dev}`;
        case 5:
          return `addr ${random(2) ? 'add' : 'del'} fd00:${net}::${1 + random(3)}/64 dev ${dev} nodad`;
        case 6:
          return `route ${random(2) ? 'add' : 'del'} 198.19.${net}.0/24 dev ${dev}`;
        case 7:
          return `route ${random(2) ? 'add' : 'del'} 198.19.${net + 64}.0/24 via 198.18.${net}.${1 + random(3)}`;
        case 8:
          // Announced by the new route alone: the monitor synthesizes the old one's delete.
          return random(2)
            ? `route replace 198.19.${net}.0/24 dev ${dev}`
            : `route replace fd00:99:${net}::/64 dev ${dev}`;
        case 9:
          return `route replace 198.19.${net}.0/24 via 198.18.${net}.${1 + random(3)}`;
        default:
          return `route ${random(2) ? 'add' : 'del'} fd00:99:${net}::/64 dev ${dev}`;
      }
    };
    const lines = (who: number, n: number) => Array.from({ length: n }, () => change(who));
    // 1: both at full speed while the consumer keeps up; 2: the consumer's event loop blocked
    // (the kernel must drop notifications); 3: full speed again. 2 x (1,500 + 500 + 500) changes.
    await Promise.all([batchAsync(name, lines(0, 1500)), batchAsync(name, lines(1, 1500))]);
    execFileSync(
      'sh',
      [
        '-c',
        'ip -n "$1" -force -batch "$2" & ip -n "$1" -force -batch "$3" & wait',
        'sh',
        name,
        ...[0, 1].map((who) => {
          const file = `${os.tmpdir()}/${name}-${who}.batch`;
          fs.writeFileSync(file, `${lines(who, 500).join('\n')}\n`);
          return file;
        }),
      ],
      { stdio: 'ignore' },
    );
    await Promise.all([batchAsync(name, lines(0, 500)), batchAsync(name, lines(1, 500))]);
    await settleOn(name, r.seen, 'churn-done');
    expect(r.replica.resyncs[0]).toBe('initial');
    expect(r.replica.resyncs).toContain('overrun');
    expect(r.replica.state()).toEqual(witness(name));
    m.close();
    await r.finished;
    for (const who of [0, 1]) fs.rmSync(`${os.tmpdir()}/${name}-${who}.batch`, { force: true });
  }, 120000);

  it('`ip netns del` by another process: namespace-deleted, then the end, and the socket is gone', async () => {
    const name = uniqueName();
    ip(undefined, 'netns', 'add', name);
    const ns = await Namespace.open(name);
    const m = ns.monitor();
    await m.ready;
    const fds = openFds();
    const c = collect(m);
    ip(name, 'link', 'set', 'lo', 'up');
    await waitFor(() => c.events.length > 0, { what: 'the lo event' });
    ip(undefined, 'netns', 'del', name);
    await c.finished;
    expect(c.events.at(-1)).toEqual({ type: 'namespace-deleted' });
    expect(c.state.error).toBeUndefined();
    expect(openFds()).toBe(fds - 1);
    await ns.close();
  });

  it('ns.delete() in this process: namespace-deleted on every monitor of it, then the end', async () => {
    const ns = await Namespace.create(uniqueName());
    const other = await Namespace.open(ns.name as string);
    const a = collect(ns.monitor());
    const b = collect(other.monitor({ events: ['address'] }));
    await ns.delete();
    await Promise.all([a.finished, b.finished]);
    expect(a.events).toEqual([{ type: 'namespace-deleted' }]);
    expect(b.events).toEqual([{ type: 'namespace-deleted' }]);
  });

  it('an anonymous namespace: its delete() ends the monitor; closing the object ends it quietly', async () => {
    const anon = await Namespace.create();
    const c = collect(anon.monitor());
    await anon.delete();
    await c.finished;
    expect(c.events).toEqual([{ type: 'namespace-deleted' }]);

    const ns = await freshNamespace();
    const opened = await Namespace.open(ns.name as string);
    const d = collect(opened.monitor());
    await opened.close();
    await d.finished;
    expect(d.events).toEqual([]);
    expect(d.state.error).toBeUndefined();
  });

  it('break, close() and abort each release the socket (the fd count is back where it was)', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    // Before counting: the namespace's own socket, and the one inotify fd a named monitor's
    // first use makes (libuv keeps it for the life of the event loop).
    const warm = ns.monitor();
    await warm.ready;
    warm.close();
    const fds = openFds();

    const m1 = ns.monitor();
    await m1.ready;
    expect(openFds()).toBe(fds + 1);
    expect(monitorSockets(name)).toBe(1);
    ip(name, 'link', 'set', 'lo', 'up');
    let got: MonitorEvent | undefined;
    for await (const e of m1) {
      got = e;
      break;
    }
    expect(got).toBeDefined();
    expect(openFds()).toBe(fds);

    const m2 = ns.monitor();
    await m2.ready;
    const pending = m2.next();
    m2.close();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(openFds()).toBe(fds);

    const ac = new AbortController();
    const m3 = ns.monitor({ signal: ac.signal });
    await m3.ready;
    const c = collect(m3);
    ac.abort();
    await c.finished;
    expect((c.state.error as Error).name).toBe('AbortError');
    expect(openFds()).toBe(fds);
    expect(monitorSockets(name)).toBe(0);

    // Aborted before it starts: no socket at all.
    const m4 = ns.monitor({ signal: AbortSignal.abort() });
    await expect(m4.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(openFds()).toBe(fds);
  });

  it('50 monitors at once, one per namespace: one socket each, no thread', async () => {
    const spaces = await Promise.all(Array.from({ length: 50 }, () => freshNamespace()));
    // Warm up: a monitor and a dump start whatever threads the library starts on first use.
    const warm = spaces[0]!.monitor({ initialState: true });
    await warm.next();
    warm.close();
    await Promise.all(spaces.map((s) => s.links()));
    const before = { threads: threads(), fds: openFds() };
    const monitors = spaces.map((s) => s.monitor({ events: ['link'] }));
    await Promise.all(monitors.map((m) => m.ready));
    expect(openFds()).toBe(before.fds + 50);
    const collected = monitors.map(collect);
    await Promise.all(spaces.map((s) => execFileP('ip', ['-n', s.name as string, 'link', 'set', 'lo', 'up'])));
    await waitFor(() => collected.every((c) => c.events.length > 0), { what: 'an event on every monitor' });
    expect(threads()).toBe(before.threads);
    expect(spaces.slice(0, 5).map((s) => monitorSockets(s.name as string))).toEqual([1, 1, 1, 1, 1]);
    for (const m of monitors) m.close();
    await Promise.all(collected.map((c) => c.finished));
    expect(openFds()).toBe(before.fds);
  });

  it('bad options: NetnsError EINVAL before any socket; a closed namespace: EBADF', async () => {
    const ns = await freshNamespace();
    await ns.links();
    const fds = openFds();
    const cases: Array<[MonitorOptions, RegExp]> = [
      [{ events: [] }, /events must be a non-empty array/],
      [{ events: 'link' as never }, /events must be a non-empty array/],
      [{ events: ['links' as never] }, /unknown event type "links"/],
      [{ events: ['neighbours' as never] }, /unknown event type "neighbours"/],
      [{ queueLimit: 0 }, /queueLimit must be an integer from 1/],
      [{ queueLimit: 1.5 }, /queueLimit must be an integer/],
      [{ receiveBufferBytes: 10 }, /receiveBufferBytes must be an integer from 1024/],
      [{ signal: {} as AbortSignal }, /signal must be an AbortSignal/],
      [{ initialState: 'yes' as never }, /initialState must be true or false/],
      [null as never, /options must be an object/],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        ns.monitor(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NetnsError);
      expect(error).toMatchObject({ code: 'EINVAL', errno: os.constants.errno.EINVAL });
      expect((error as NetnsError).message).toMatch(message);
      expect((error as NetnsError).message).toMatch(/^cannot monitor namespace ".*": .+ \(EINVAL\)$/);
    }
    expect(openFds()).toBe(fds);
    const closed = await Namespace.open(ns.name as string);
    await closed.close();
    expect(() => closed.monitor()).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});
