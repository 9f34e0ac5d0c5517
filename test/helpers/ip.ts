/**
 * The independent witness: iproute2's own view of kernel state, as JSON. Tests may spawn `ip`
 * and `bridge`; the library never does.
 */
import { execFileSync } from 'node:child_process';
import { waitFor } from './wait';

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  qdisc?: string;
  address?: string;
  master?: string;
  link?: string;
  link_netnsid?: number;
  /** The link's alias (IFLA_IFALIAS), when it has one. */
  ifalias?: string;
  /** The link's alternative names (IFLA_PROP_LIST), when it has any. */
  altnames?: string[];
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
}

export interface IpAddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  /** The peer of a point-to-point address (`ADDR peer PREFIX`). */
  address?: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
  /** IFA_RT_PRIORITY: the prefix route's metric (`metric N`), when not 0. */
  metric?: number;
}

export interface IpAddr extends IpLink {
  addr_info: IpAddrInfo[];
}

export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  table?: string;
  type?: string;
  prefsrc?: string;
  /** `tos`, as iproute2 prints it: '0x10' (absent when 0). */
  tos?: string;
  /** The nexthop object the route goes through. */
  nhid?: number;
}

/** Runs a command and returns stdout; throws with stderr on failure. */
export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/** `ip [-n ns] -json ARGS...`, parsed. `ns` undefined: the namespace the tests run in. */
export function ipJson<T = unknown>(ns: string | undefined, ...args: string[]): T {
  const out = run('ip', [...(ns ? ['-n', ns] : []), '-json', ...args]).trim();
  return (out ? JSON.parse(out) : []) as T;
}

/** `ip [-n ns] ARGS...` for setting things up from outside the library. */
export function ip(ns: string | undefined, ...args: string[]): string {
  return run('ip', [...(ns ? ['-n', ns] : []), ...args]);
}

export function links(ns: string | undefined): IpLink[] {
  return ipJson<IpLink[]>(ns, '-details', 'link', 'show');
}

export function link(ns: string | undefined, name: string): IpLink | undefined {
  return links(ns).find((l) => l.ifname === name);
}

export function addrs(ns: string | undefined, dev?: string): IpAddrInfo[] {
  const all = ipJson<IpAddr[]>(ns, 'addr', 'show', ...(dev ? ['dev', dev] : []));
  return all.flatMap((l) => l.addr_info);
}

export function routes(ns: string | undefined, ...args: string[]): IpRoute[] {
  return ipJson<IpRoute[]>(ns, 'route', 'show', ...args);
}

export function routes6(ns: string | undefined, ...args: string[]): IpRoute[] {
  return ipJson<IpRoute[]>(ns, '-6', 'route', 'show', ...args);
}

/** `ip -n ns netns list-id`: the id namespace `ns` gives the named namespace `target`. */
export function nsidOf(ns: string, target: string): number | undefined {
  return ipJson<Array<{ nsid: number; name?: string }>>(ns, 'netns', 'list-id').find((n) => n.name === target)?.nsid;
}

/**
 * Waits until the kernel has activated links that were brought up: operstate UP and the noop
 * qdisc replaced by a real one. The kernel does both asynchronously after IFF_UP is set (the
 * linkwatch work, which it may delay by up to a second), and until then every packet sent on the
 * link is dropped, ARP and neighbour solicitations included: a ping sent right after `up()` then
 * waits a second for the retransmitted ARP request.
 */
export async function operational(ns: string | undefined, ...names: string[]): Promise<void> {
  const ready = (l: IpLink | undefined) => l !== undefined && l.operstate === 'UP' && l.qdisc !== 'noop';
  const state = () => ipJson<IpLink[]>(ns, 'link', 'show').filter((l) => names.includes(l.ifname));
  await waitFor(() => names.every((n) => ready(state().find((l) => l.ifname === n))), {
    what: `${names.join(', ')} in ${ns ?? 'the test namespace'} to be operational (operstate UP, a real qdisc)`,
    describe: () => JSON.stringify(state().map((l) => [l.ifname, l.operstate, l.qdisc])),
  });
}

/** `ip netns list` names. */
export function netnsNames(): string[] {
  const list = ipJson<Array<{ name: string }>>(undefined, 'netns', 'list');
  return list.map((n) => n.name);
}

/** `bridge -json link show`, in a namespace. */
export function bridgeLinks(ns: string): Array<{ ifname: string; master?: string; state?: string }> {
  const out = run('ip', ['netns', 'exec', ns, 'bridge', '-json', 'link', 'show']).trim();
  return out ? JSON.parse(out) : [];
}

/**
 * `bridge -details -json link show dev NAME` in a namespace: the port's settings as the kernel
 * gives them in IFLA_PROTINFO (an AF_BRIDGE dump), where `ip -d link` reads IFLA_INFO_SLAVE_DATA.
 */
export function bridgePortDetails(ns: string, name: string): Record<string, unknown> | undefined {
  const out = run('ip', ['netns', 'exec', ns, 'bridge', '-details', '-json', 'link', 'show', 'dev', name]).trim();
  return out ? (JSON.parse(out) as Array<Record<string, unknown>>)[0] : undefined;
}

export interface IpNeigh {
  dst: string;
  dev: string;
  lladdr?: string;
  state: string[];
  router?: null | boolean;
  /** NTF_EXT_LEARNED (`extern_learn`): null when set, absent otherwise. */
  extern_learn?: null;
}

/** `ip -n ns -json neigh show [ARGS]` (all states: `nud all`). */
export function neighbours(ns: string | undefined, ...args: string[]): IpNeigh[] {
  return ipJson<IpNeigh[]>(ns, 'neigh', 'show', 'nud', 'all', ...args);
}

export interface BridgeFdb {
  mac: string;
  ifname?: string;
  dst?: string;
  vni?: number;
  port?: number;
  vlan?: number;
  viaIf?: string;
  flags: string[];
  master?: string;
  state: string;
}

/** `bridge -json fdb show [ARGS]` inside a namespace (undefined: the one the tests run in). */
export function fdb(ns: string | undefined, ...args: string[]): BridgeFdb[] {
  const argv = ['-json', 'fdb', 'show', ...args];
  const out = (ns ? run('ip', ['netns', 'exec', ns, 'bridge', ...argv]) : run('bridge', argv)).trim();
  return out ? (JSON.parse(out) as BridgeFdb[]) : [];
}

/** `bridge ARGS...` inside a namespace, for setting things up from outside the library. */
export function bridge(ns: string | undefined, ...args: string[]): string {
  return ns ? run('ip', ['netns', 'exec', ns, 'bridge', ...args]) : run('bridge', args);
}

export interface IpRule {
  priority: number;
  src: string;
  srclen?: number;
  dst?: string;
  dstlen?: number;
  table?: string;
  action?: string;
  iif?: string;
  oif?: string;
  fwmark?: string;
  fwmask?: string;
  ipproto?: string;
  dport?: number;
  dport_start?: number;
  dport_end?: number;
  sport?: number;
  protocol?: string;
  not?: null;
  goto?: number;
  /** `l3mdev` rules: null when set (`lookup [l3mdev-table]`). */
  l3mdev?: null;
  tos?: string;
}

/** `ip -n ns -json [-6] rule show`. */
export function rules(ns: string | undefined, family: 4 | 6 = 4): IpRule[] {
  return ipJson<IpRule[]>(ns, family === 6 ? '-6' : '-4', 'rule', 'show');
}

/** Everything `ip` knows about a namespace, to check that a failed call changed nothing. */
export function snapshot(ns: string | undefined): string {
  const strip = (l: Record<string, unknown>) => {
    // Counters and timers move on their own.
    const { stats64: _s, ...rest } = l;
    return rest;
  };
  // IPv6 duplicate address detection finishes on its own schedule: not a change we made.
  const settled = (l: IpAddr) => ({
    ...l,
    addr_info: l.addr_info.map(({ tentative: _t, ...a }: IpAddrInfo & { tentative?: boolean }) => a),
  });
  // Two `ip -batch` runs instead of one `ip` per list: the same JSON, a third of the processes.
  const batch = (flags: string[], commands: string[]): unknown[] =>
    run('ip', [...(ns ? ['-n', ns] : []), '-json', ...flags, '-batch', '-'], `${commands.join('\n')}\n`)
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  const [links, addrs, routes, maddrs] = batch(
    ['-details'],
    ['link show', 'addr show', 'route show table all', 'maddr show'],
  ) as [
    Record<string, unknown>[],
    IpAddr[],
    unknown,
    Array<{ ifname: string; maddr: Array<{ link?: string; features?: string }> }>,
  ];
  const [rules] = batch(['-4'], ['rule show']);
  const [routes6, rules6] = batch(['-6'], ['route show table all', 'rule show']);
  return JSON.stringify({
    links: links.map(strip),
    addrs: addrs.map(settled),
    routes,
    routes6,
    // Static entries only: the kernel adds and ages out learned ones, and adds NOARP entries for
    // the multicast groups IPv6 joins, on its own.
    neigh: neighbours(ns).filter((n) => n.state.includes('PERMANENT')),
    rules,
    rules6,
    fdb: fdb(ns).filter((e) => e.state === 'permanent' || e.state === 'static' || e.dst !== undefined),
    // Link-layer multicast addresses added from user space (ip maddr add): the kernel joins and
    // leaves groups on its own (IPv6 addresses' solicited-node groups), never these.
    maddr: maddrs.map((l) => ({ [l.ifname]: l.maddr.filter((m) => m.features === 'static') })),
    netns: netnsNames(),
  });
}

/**
 * Waits until IPv6 duplicate address detection has finished on every address of a namespace,
 * so that later snapshots do not see the kernel's own follow-up changes (flags, local routes).
 */
export async function settled(ns: string | undefined, timeoutMs = 10000): Promise<void> {
  const tentative = () =>
    ipJson<Array<{ addr_info: Array<{ tentative?: boolean }> }>>(ns, 'addr', 'show').some((l) =>
      l.addr_info.some((a) => a.tentative),
    );
  await waitFor(() => !tentative(), {
    what: `IPv6 duplicate address detection to finish in ${ns ?? 'the test namespace'}`,
    timeoutMs,
    intervalMs: 50,
  });
}

/** `ip -s -s -j link show`'s counters of a link (stats64, or stats from an older kernel). */
export interface IpStats64 {
  rx: Record<string, number>;
  tx: Record<string, number>;
}

/**
 * `ip -n NS -s -s -j link show dev NAME` as the library's LinkStats fields (ip leaves out the
 * counters it prints only when not 0: 0 then, but otherhost, undefined on a kernel without it),
 * and ip's carrier_changes.
 */
export function ipLinkStats(
  ns: string | undefined,
  name: string,
): { stats: Record<string, number | undefined>; carrierChanges: number | undefined } {
  const l = ipJson<Array<{ stats64?: IpStats64; stats?: IpStats64 }>>(ns, '-s', '-s', 'link', 'show', 'dev', name)[0];
  const s = l?.stats64 ?? l?.stats;
  if (!s) throw new Error(`ip printed no counters for ${name}`);
  const { rx, tx } = s;
  return {
    stats: {
      rxPackets: rx.packets,
      txPackets: tx.packets,
      rxBytes: rx.bytes,
      txBytes: tx.bytes,
      rxErrors: rx.errors,
      txErrors: tx.errors,
      rxDropped: rx.dropped,
      txDropped: tx.dropped,
      multicast: rx.multicast,
      collisions: tx.collisions,
      rxLengthErrors: rx.length_errors,
      rxOverErrors: rx.over_errors,
      rxCrcErrors: rx.crc_errors,
      rxFrameErrors: rx.frame_errors,
      rxFifoErrors: rx.fifo_errors,
      rxMissedErrors: rx.missed_errors,
      txAbortedErrors: tx.aborted_errors,
      txCarrierErrors: tx.carrier_errors,
      txFifoErrors: tx.fifo_errors,
      txHeartbeatErrors: tx.heartbeat_errors,
      txWindowErrors: tx.window_errors,
      rxCompressed: rx.compressed ?? 0,
      txCompressed: tx.compressed ?? 0,
      rxNohandler: rx.nohandler ?? 0,
      rxOtherhostDropped: l?.stats64 ? (rx.otherhost ?? 0) : undefined,
    },
    carrierChanges: tx.carrier_changes,
  };
}
