/**
 * Neighbours (the ARP and NDP cache, `ip neigh`) and forwarding database entries (`bridge
 * fdb`): one kind of rtnetlink message (RTM_NEWNEIGH, native/rtnl/neighbour.cc) for both; an
 * fdb entry is a neighbour of family AF_BRIDGE whose key is a MAC.
 */
import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import { batch, exclusive, request, throwFirstFailure } from './internal/dispatch';
import { invalid } from './internal/errors';
import { kHandle, kHandleNow } from './internal/symbols';
import { checkBoolean, checkInteger, checkLinkName, parseIp } from './internal/validate';
import { Link } from './link';
import { Iproute2Names, protocolId } from './rt-names';
import { neighbourSelection, neighbourSelector, selectionFamily } from './neighbour-selection';
import type { Namespace } from './namespace';
import {
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NTF_EXT_LEARNED,
  NTF_EXT_MANAGED,
  NTF_MASTER,
  NTF_PROXY,
  NTF_ROUTER,
  NTF_SELF,
  NTF_STICKY,
  NTF_USE,
  NUD_NOARP,
  NUD_PERMANENT,
} from './native/constants';
import type {
  NativeHandle,
  NativeLink,
  NativeNeighbour,
  NativeNeighbourRequest,
  NativeOp,
  NativeResult,
} from './native/surface';

/** A neighbour entry's state (NUD_*), as `ip neigh` names it. */
export type NeighbourState =
  'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'noarp' | 'permanent' | 'none';

const STATES: Array<[number, NeighbourState]> = [
  [0x01, 'incomplete'],
  [0x02, 'reachable'],
  [0x04, 'stale'],
  [0x08, 'delay'],
  [0x10, 'probe'],
  [0x20, 'failed'],
  [0x40, 'noarp'],
  [0x80, 'permanent'],
];

/**
 * The bit of a state in a state filter (`ip neigh show|flush nud STATE`): its NUD_* bit, and for
 * 'none' (NUD_NONE is 0) the bit iproute2 stands it in with, 0x100. Undefined for a name it does
 * not know. @internal
 */
export function neighbourStateBit(state: unknown): number | undefined {
  if (state === 'none') return NUD_NONE_IN_FILTER;
  return STATES.find(([, name]) => name === state)?.[0];
}

/** What iproute2's state filters use for NUD_NONE (0): a bit above the NUD_* ones. @internal */
export const NUD_NONE_IN_FILTER = 0x100;

/** The states an entry can be given (`nud STATE`). */
const SETTABLE: NeighbourState[] = ['permanent', 'reachable', 'stale', 'noarp', 'delay', 'probe', 'failed', 'none'];

/** A neighbour entry, as `ip neigh show` lists it. */
export interface Neighbour {
  /** The neighbour's IP address: '198.18.0.9', 'fd00::9'. */
  address: string;
  family: 4 | 6;
  /** Its link-layer address; absent while unresolved ('incomplete', 'failed'). */
  mac?: string;
  /** The entry's state ('permanent', 'reachable', 'stale', ...). */
  state: NeighbourState;
  /** The name of the link it is on. */
  link: string;
  linkIndex: number;
  /** The neighbour is a router (NTF_ROUTER; IPv6). */
  router: boolean;
  /**
   * Learned by something outside the kernel, a routing daemon or a driver (NTF_EXT_LEARNED, `ip
   * neigh` shows `extern_learn`): the kernel does not age it out, but its state still changes.
   */
  extLearned: boolean;
  /**
   * A proxy entry (NTF_PROXY, `ip neigh show proxy`): the namespace answers ARP and neighbour
   * solicitations for the address on the link. Listed only with `{ proxy: true }`; it has no MAC
   * and its state is 'none'.
   */
  proxy: boolean;
  /**
   * The kernel keeps the entry resolved (NTF_EXT_MANAGED, `ip neigh` shows `managed`): it probes
   * the neighbour on its own, without traffic asking for it.
   */
  managed: boolean;
  /**
   * Who made the entry (NDA_PROTOCOL), named as routes' protocols are ('static', 'zebra', or a
   * name of rt_protos; else its number: '200'); absent when it was not given.
   */
  protocol?: string;
  /** How often the kernel has probed the neighbour (NDA_PROBES, `ip -s neigh`'s `probes N`); absent for a proxy entry. */
  probes?: number;
  /** The entry's age and references (NDA_CACHEINFO, `ip -s neigh`); absent for a proxy entry. */
  cacheInfo?: NeighbourCacheInfo;
}

/**
 * When the kernel last used, confirmed and updated an entry (NDA_CACHEINFO), in milliseconds
 * before the read (the kernel counts in 1/100 s), and its references: `ip -s neigh` prints them as
 * `ref REFCNT used USED/CONFIRMED/UPDATED` in whole seconds.
 */
export interface NeighbourCacheInfo {
  /** Since a packet last went through the entry. */
  usedMs: number;
  /** Since the neighbour last proved reachable. */
  confirmedMs: number;
  /** Since the entry last changed. */
  updatedMs: number;
  /** The references the kernel holds on it (ip leaves `ref` out when 0). */
  refcnt: number;
}

/** A neighbour entry to add or delete, as `ip neigh add|del` takes it. */
export interface NeighbourSpec {
  /** The link (a Link of the namespace, or its name). */
  link: Link | string;
  /** The neighbour's IP address. */
  address: string;
  /**
   * Its MAC ('aa:bb:cc:dd:ee:ff'); required to add, except in state 'failed', 'incomplete' or
   * 'none', or with `use` or `managed`.
   */
  mac?: string;
  /** Default 'permanent' (`nud permanent`, as `ip neigh add`); with `managed`, 'none' (as ip). */
  state?: NeighbourState;
  /** Mark the neighbour as a router (`router`). */
  router?: boolean;
  /**
   * Mark the entry as learned outside the kernel (`extern_learn`, NTF_EXT_LEARNED): the kernel
   * keeps it rather than garbage-collect it. A replace without it clears the mark.
   */
  extLearned?: boolean;
  /**
   * A proxy entry (`ip neigh add|del proxy ADDRESS dev LINK`, NTF_PROXY): the namespace answers
   * ARP (IPv4) or neighbour solicitations (IPv6) for the address on the link, as routes and
   * sysctls allow (IPv6: `forwarding` and `proxy_ndp`). No `mac`, `state` or `extLearned` then.
   * Adding an entry that exists is no error: the kernel finds or makes it.
   */
  proxy?: boolean;
  /**
   * Who makes the entry (`protocol PROTO`, NDA_PROTOCOL): a number 0-255 or a name, as a route's
   * protocol ('static', 'zebra', a name of rt_protos). A replace without it keeps the one set.
   */
  protocol?: string | number;
  /**
   * Treat the entry as used (`use`, NTF_USE): the kernel makes it if need be and starts resolving
   * it, as a packet to the address would; `mac` and `state` are then not applied.
   */
  use?: boolean;
  /**
   * Have the kernel keep the entry resolved (`managed`, NTF_EXT_MANAGED; Linux 5.16): it probes
   * the neighbour itself, without waiting for traffic. No MAC needed; not with state 'permanent'
   * or a proxy entry. A replace without it clears it.
   */
  managed?: boolean;
}

/** Options for {@link Namespace.neighbour}. */
export interface NeighbourOptions extends AbortOptions {
  /** The link the entry is on (a Link of the namespace, or its name). Required, as the kernel keys entries by it. */
  link: Link | string;
  /** The proxy entry for the address instead (`ip neigh get proxy ADDRESS dev LINK`). */
  proxy?: boolean;
}

/** Options for {@link Namespace.neighbours}. */
export interface NeighboursOptions extends AbortOptions {
  /** Only entries on this link (filtered in the kernel). */
  link?: Link | string;
  /** Only IPv4 (4) or IPv6 (6) entries. Default both. */
  family?: 4 | 6;
  /** Include 'noarp' entries too (`ip neigh show nud all`); like `ip neigh`, they are left out by default. */
  all?: boolean;
  /** List the proxy entries instead (`ip neigh show proxy`); the kernel dumps them apart. */
  proxy?: boolean;
  /**
   * Only entries whose address lies in this prefix (`ip neigh show to PREFIX`): 'address/length',
   * or a bare address for that address alone. Sets the family (with `family` given, the two must
   * agree).
   */
  to?: string;
  /**
   * Only entries on the ports of this master (`ip neigh show master DEV`): a Link of the
   * namespace, or its name; entries on the master itself are not its ports'. ENODEV if it does
   * not exist.
   */
  master?: Link | string;
  /** Only entries on links with no master (`ip neigh show nomaster`); not with `master`. */
  noMaster?: boolean;
  /** Only entries the kernel holds no reference on (`ip neigh show unused`): refcnt 0. */
  unused?: boolean;
  /**
   * Only entries of this protocol (`ip neigh show protocol P`, NDA_PROTOCOL): a number 0-255 or
   * a name, as {@link NeighbourSpec.protocol} takes it. 0 (`'unspec'`) selects the entries
   * without one (ip takes `protocol 0` as no filter: leave it out for that).
   */
  protocol?: string | number;
}

/** A forwarding database entry, as `bridge fdb show` lists it. */
export interface FdbEntry {
  /** The MAC it forwards ('00:00:00:00:00:00' on a VXLAN device: the default destination). */
  mac: string;
  /** Where a VXLAN device sends frames for this MAC (the remote VTEP's IP). */
  destination?: string;
  /** The VXLAN network identifier used towards the destination, when not the device's own. */
  vni?: number;
  /** The UDP port used towards the destination, when not the device's own. */
  port?: number;
  /** The VLAN (bridges with VLAN filtering). */
  vlan?: number;
  /** A static entry (NUD_PERMANENT): not learned, never aged out. */
  permanent: boolean;
  /** The device's own table (NTF_SELF): a VXLAN device's, or a port's hardware table. */
  self: boolean;
  /** The bridge's table, on behalf of its port (`master BRIDGE`). */
  master: boolean;
  /** For an entry of the bridge's table: the bridge's index. */
  bridgeIndex?: number;
  /** Learned from traffic by a device driver (NTF_EXT_LEARNED). */
  extLearned: boolean;
  /** Never moved to another port (NTF_STICKY). */
  sticky: boolean;
  /** The link the entry is on. */
  linkIndex: number;
  /** VXLAN: the index of the device to send through (`via`), when given. */
  viaIndex?: number;
}

/** An fdb entry to add or delete, as `bridge fdb append|del` takes it. */
export interface FdbSpec {
  /** The MAC ('00:00:00:00:00:00' for a VXLAN device's default destinations). */
  mac: string;
  /** VXLAN: the remote VTEP's IP (`dst`). */
  destination?: string;
  /** VXLAN: the VNI to use towards it (`vni`), 0 to 2^24-1; default the device's. */
  vni?: number;
  /** VXLAN: the UDP port to use towards it (`port`); default the device's. */
  port?: number;
  /** VXLAN: send through this device (`via`), a Link of the same namespace. */
  via?: Link;
  /** The VLAN (`vlan`), 1 to 4094, on a bridge with VLAN filtering. */
  vlan?: number;
  /**
   * Which table: the device's own (`self`, the default, as `bridge fdb`: right for a VXLAN
   * device) or, for a bridge port, the bridge's (`master`).
   */
  table?: 'self' | 'master';
  /** A static entry (`permanent`, default) or one that ages out like a learned one (`dynamic`). */
  permanent?: boolean;
  /** Replace an existing entry (`bridge fdb replace`) instead of appending a destination. */
  replace?: boolean;
  /**
   * Mark the entry as learned outside the kernel (`extern_learn`, NTF_EXT_LEARNED), as a
   * switch driver or an EVPN daemon does. On a bridge port (`table: 'master'`) the bridge then
   * holds it as a learned entry, neither permanent nor aged out by the bridge.
   */
  extLearned?: boolean;
}

/** The primary state of an entry (NUD_* bits; at most one is set in practice). */
function stateName(bits: number): NeighbourState {
  for (const [bit, name] of STATES) if (bits & bit) return name;
  return 'none';
}

function stateBits(state: NeighbourState | undefined, operation: string): number {
  if (state === undefined) return NUD_PERMANENT;
  if (!SETTABLE.includes(state)) {
    throw invalid(operation, `unknown neighbour state "${String(state)}" (one of ${SETTABLE.join(', ')})`);
  }
  return STATES.find(([, n]) => n === state)?.[0] ?? 0;
}

/** A MAC as the kernel takes it in a neighbour or fdb entry: any 6 bytes, any case. */
function parseAnyMac(text: unknown, operation: string): string {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(text)) {
    throw invalid(operation, `${JSON.stringify(text)} is not a MAC address like 'aa:bb:cc:dd:ee:ff'`);
  }
  return text.toLowerCase().replace(/-/g, ':');
}

/** A `link` argument: the index of a Link of `ns`, or a name still to look up there. */
function linkArg(ns: Namespace, link: unknown, operation: string): number | string {
  if (link instanceof Link) {
    if (link.namespace.inode !== ns.inode) throw invalid(operation, `link "${link.name}" is in another namespace`);
    return link.index;
  }
  return checkLinkName(link, operation);
}

/**
 * Sends `op` (built with the link's index) on `ns`: at once, without an await of its own, for a
 * Link; for a name, one call on the namespace's FIFO from the lookup to `op`, so that a call made
 * after it (a rename or delete of the link) cannot run between them.
 */
function withLink(
  handle: NativeHandle,
  link: number | string,
  operation: string,
  make: (index: number) => NativeOp,
): Promise<unknown> {
  if (typeof link === 'number') return request(handle, make(link), operation, 'neighbour');
  return exclusive(handle, operation, 'neighbour', async (send) => {
    const results = await send([make(await lookUp(send, link, operation))]);
    throwFirstFailure(results, operation, 'neighbour');
  });
}

/** The index of the link named `name`, inside an {@link exclusive} call. */
async function lookUp(
  send: (ops: NativeOp[]) => Promise<NativeResult[]>,
  name: string,
  operation: string,
): Promise<number> {
  const results = await send([{ op: 'getlink', name }]);
  throwFirstFailure(results, operation, 'link');
  return (results[0] as NativeLink).index;
}

function linkName(link: unknown): string {
  return link instanceof Link ? link.name : String(link);
}

/** @internal */
export function describeNeighbour(spec: Partial<NeighbourSpec> | undefined): string {
  return `${String(spec?.address)} dev ${linkName(spec?.link)}`;
}

/** Checks a NeighbourSpec (everything but the link, resolved by the caller). */
function neighbourRequest(spec: NeighbourSpec, forDelete: boolean, operation: string): NativeNeighbourRequest {
  if (typeof spec !== 'object' || spec === null) throw invalid(operation, 'the neighbour must be an object');
  if (spec.link === undefined) throw invalid(operation, 'the neighbour needs a link');
  const ip = parseIp(spec.address, operation, 'neighbour address');
  const req: NativeNeighbourRequest = {
    family: ip.family === 4 ? AF_INET : AF_INET6,
    index: 0,
    dst: ip.address,
    state: NUD_PERMANENT, // as `ip neigh` sends it, on a delete too (the kernel ignores it there)
  };
  const proxy = checkBoolean(spec.proxy, operation, 'proxy');
  if (proxy) req.flags = NTF_PROXY;
  if (forDelete) return req;
  // In ip's order: the protocol, then the flags.
  if (spec.protocol !== undefined) req.protocol = protocolId(spec.protocol, operation);
  const use = checkBoolean(spec.use, operation, 'use');
  const managed = checkBoolean(spec.managed, operation, 'managed');
  if (use) req.flags = (req.flags ?? 0) | NTF_USE;
  if (proxy) {
    for (const key of ['mac', 'state', 'extLearned', 'managed'] as const) {
      if (spec[key] !== undefined) throw invalid(operation, `a proxy entry has no ${key}; leave it out`);
    }
    if (checkBoolean(spec.router, operation, 'router')) req.flags = (req.flags ?? 0) | NTF_ROUTER;
    return req;
  }
  // `managed` alone: state none, as ip sends it; the kernel refuses it on a permanent entry.
  req.state = managed && spec.state === undefined ? 0 : stateBits(spec.state, operation);
  if (managed && req.state & NUD_PERMANENT) {
    throw invalid(
      operation,
      'a managed entry cannot be permanent (the kernel resolves it): give another state or none',
    );
  }
  if (managed) req.flagsExt = NTF_EXT_MANAGED;
  if (spec.mac !== undefined) req.lladdr = parseAnyMac(spec.mac, operation);
  else if (!use && !managed && !['failed', 'incomplete', 'none'].includes(spec.state ?? 'permanent')) {
    throw invalid(operation, `a neighbour in state "${spec.state ?? 'permanent'}" needs a MAC (or use, or managed)`);
  }
  checkBoolean(spec.router, operation, 'router');
  if (spec.router) req.flags = (req.flags ?? 0) | NTF_ROUTER;
  if (checkBoolean(spec.extLearned, operation, 'extLearned')) req.flags = (req.flags ?? 0) | NTF_EXT_LEARNED;
  return req;
}

/** `ip neigh show`. @internal */
export async function listNeighbours(ns: Namespace, options: NeighboursOptions): Promise<Neighbour[]> {
  const operation = `list neighbours${ns.where}`;
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) {
    throw invalid(operation, 'family must be 4 or 6');
  }
  const asked = options.family === 4 ? AF_INET : options.family === 6 ? AF_INET6 : 0;
  const selection = neighbourSelection(ns, options, asked, operation);
  const family = selectionFamily(selection, asked);
  const flags = checkBoolean(options.proxy, operation, 'proxy') ? NTF_PROXY : 0;
  const signal = checkSignal(options.signal, operation);
  const link = options.link === undefined ? 0 : linkArg(ns, options.link, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  // Links too, to name each entry's link; both dumps in one batch (after the lookup of a link
  // given by name, in the same call on the FIFO).
  const dumps = (index: number): NativeOp[] => [{ op: 'dumplinks' }, { op: 'dumpneighs', family, index, flags }];
  const listed =
    typeof link === 'number'
      ? batch(handle, dumps(link), operation, 'neighbour', signal)
      : exclusive(
          handle,
          operation,
          'neighbour',
          async (send) => send(dumps(await lookUp(send, link, operation))),
          signal,
        );
  const results = await abortable(listed, signal, operation);
  throwFirstFailure(results, operation, 'neighbour');
  const links = results[0] as NativeLink[];
  const names = new Map(links.map((l) => [l.index, l.name]));
  const selected = neighbourSelector(selection, links, operation);
  const protocols = new Iproute2Names();
  const out: Neighbour[] = [];
  for (const n of results[1] as NativeNeighbour[]) {
    if (!options.all && n.state & NUD_NOARP) continue;
    if (!selected(n)) continue;
    const entry = neighbourFromNative(n, names, protocols);
    if (entry) out.push(entry);
  }
  return out;
}

/**
 * An IPv4 or IPv6 neighbour as the kernel reports it (a dump or a monitor event); undefined for
 * a forwarding-database entry or one without an address. @internal
 */
export function neighbourFromNative(
  n: NativeNeighbour,
  names: { get(index: number): string | undefined },
  protocols: Iproute2Names,
): Neighbour | undefined {
  if ((n.family !== AF_INET && n.family !== AF_INET6) || n.dst === undefined) return undefined;
  const entry: Neighbour = {
    address: n.dst,
    family: n.family === AF_INET ? 4 : 6,
    state: stateName(n.state),
    link: names.get(n.index) ?? String(n.index),
    linkIndex: n.index,
    router: (n.flags & NTF_ROUTER) !== 0,
    extLearned: (n.flags & NTF_EXT_LEARNED) !== 0,
    proxy: (n.flags & NTF_PROXY) !== 0,
    managed: (n.flagsExt & NTF_EXT_MANAGED) !== 0,
  };
  if (n.lladdr !== undefined) entry.mac = n.lladdr;
  if (n.protocol) entry.protocol = protocols.protocol(n.protocol);
  if (n.probes !== undefined) entry.probes = n.probes;
  if (n.used !== undefined && n.confirmed !== undefined && n.updated !== undefined) {
    // Clock ticks: USER_HZ, 100 a second on every arch.
    entry.cacheInfo = {
      usedMs: n.used * 10,
      confirmedMs: n.confirmed * 10,
      updatedMs: n.updated * 10,
      refcnt: n.refcnt ?? 0,
    };
  }
  return entry;
}

/** `ip neigh get [proxy] ADDRESS dev LINK`: one RTM_GETNEIGH, no dump. @internal */
export async function getNeighbour(ns: Namespace, address: string, options: NeighbourOptions): Promise<Neighbour> {
  const operation = `get neighbour ${String(address)} dev ${linkName((options as Partial<NeighbourOptions> | null)?.link)}${ns.where}`;
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  if (options.link === undefined)
    throw invalid(operation, 'the link is required: the kernel keys entries by address and link');
  const ip = parseIp(address, operation, 'neighbour address');
  const flags = checkBoolean(options.proxy, operation, 'proxy') ? NTF_PROXY : 0;
  const signal = checkSignal(options.signal, operation);
  const link = linkArg(ns, options.link, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  // The link read first (its name for the entry), then the entry, in one call on the FIFO.
  const got = exclusive(
    handle,
    operation,
    'neighbour',
    async (send) => {
      const linkOp: NativeOp =
        typeof link === 'number' ? { op: 'getlink', index: link } : { op: 'getlink', name: link };
      const [l] = await send([linkOp]);
      throwFirstFailure([l as NativeResult], operation, 'link');
      const { index, name } = l as NativeLink;
      const family = ip.family === 4 ? AF_INET : AF_INET6;
      const [answer] = await send([{ op: 'getneigh', neighbour: { family, index, flags, dst: ip.address } }]);
      throwFirstFailure([answer as NativeResult], operation, 'neighbour');
      return { entries: answer as NativeNeighbour[], name, index };
    },
    signal,
  );
  const { entries, name, index } = await abortable(got, signal, operation);
  const entry = entries[0] && neighbourFromNative(entries[0], new Map([[index, name]]), new Iproute2Names());
  if (!entry) throw invalid(operation, 'the kernel answered with no neighbour entry');
  return entry;
}

/** `ip neigh add|replace`. @internal */
export async function addNeighbour(ns: Namespace, spec: NeighbourSpec, replace: boolean): Promise<void> {
  const operation = `add neighbour ${describeNeighbour(spec)}${ns.where}`;
  const req = neighbourRequest(spec, false, operation);
  const link = linkArg(ns, spec.link, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
  await withLink(handle, link, operation, (index) => ({ op: 'newneigh', flags, neighbour: { ...req, index } }));
}

/** `ip neigh del`. @internal */
export async function deleteNeighbour(
  ns: Namespace,
  spec: Pick<NeighbourSpec, 'link' | 'address' | 'proxy'>,
): Promise<void> {
  const operation = `delete neighbour ${describeNeighbour(spec)}${ns.where}`;
  const req = neighbourRequest(spec as NeighbourSpec, true, operation);
  const link = linkArg(ns, spec.link, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  await withLink(handle, link, operation, (index) => ({ op: 'delneigh', neighbour: { ...req, index } }));
}

/** @internal */
export function describeFdb(spec: Partial<FdbSpec> | undefined, link: Link): string {
  const dst = spec?.destination !== undefined ? ` dst ${String(spec.destination)}` : '';
  return `${String(spec?.mac)} dev ${link.name}${dst}`;
}

/** Checks an FdbSpec and turns it into the kernel's terms. */
function fdbRequest(link: Link, spec: FdbSpec, forDelete: boolean, operation: string): NativeNeighbourRequest {
  if (typeof spec !== 'object' || spec === null) throw invalid(operation, 'the fdb entry must be an object');
  const req: NativeNeighbourRequest = {
    family: AF_BRIDGE,
    index: link.index,
    lladdr: parseAnyMac(spec.mac, operation),
    // `bridge fdb`'s defaults: the device's own table, a static entry.
    flags: NTF_SELF,
    state: NUD_NOARP | NUD_PERMANENT,
  };
  if (spec.table !== undefined) {
    if (spec.table !== 'self' && spec.table !== 'master') throw invalid(operation, "table must be 'self' or 'master'");
    req.flags = spec.table === 'master' ? NTF_MASTER : NTF_SELF;
  }
  if (spec.permanent !== undefined) {
    if (!checkBoolean(spec.permanent, operation, 'permanent')) req.state = 0x02; // NUD_REACHABLE: `dynamic`
  }
  if (spec.destination !== undefined) req.dst = parseIp(spec.destination, operation, 'destination').address;
  if (spec.vni !== undefined) req.vni = checkInteger(spec.vni, operation, 'the VNI', 0, 0xffffff);
  if (spec.port !== undefined) req.port = checkInteger(spec.port, operation, 'the port', 1, 65535);
  if (spec.vlan !== undefined) req.vlan = checkInteger(spec.vlan, operation, 'the VLAN', 1, 4094);
  if (spec.via !== undefined) {
    if (!(spec.via instanceof Link)) throw invalid(operation, 'via must be a Link');
    if (spec.via.namespace.inode !== link.namespace.inode) {
      throw invalid(operation, `"${spec.via.name}" is in another namespace than "${link.name}"`);
    }
    req.ifindex = spec.via.index;
  }
  if (checkBoolean(spec.extLearned, operation, 'extLearned')) req.flags = (req.flags ?? 0) | NTF_EXT_LEARNED;
  if (forDelete && spec.replace !== undefined) throw invalid(operation, 'replace is for adding an entry');
  return req;
}

/** `bridge fdb show dev NAME`. @internal */
export async function listFdb(link: Link, options: AbortOptions): Promise<FdbEntry[]> {
  const operation = `list fdb entries of "${link.name}"${link.namespace.where}`;
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  const signal = checkSignal(options.signal, operation);
  const handle = link.namespace[kHandleNow]() ?? (await link.namespace[kHandle](operation));
  const dump = request<NativeNeighbour[]>(
    handle,
    { op: 'dumpneighs', family: AF_BRIDGE, index: link.index },
    operation,
    'fdb',
    signal,
  );
  return (await abortable(dump, signal, operation))
    .filter((n) => n.family === AF_BRIDGE && n.index === link.index && n.lladdr !== undefined)
    .map((n) => {
      const entry: FdbEntry = {
        mac: n.lladdr as string,
        permanent: (n.state & NUD_PERMANENT) !== 0,
        self: (n.flags & NTF_SELF) !== 0,
        // The bridge reports its entries with NDA_MASTER (what `bridge fdb` prints as `master`).
        master: (n.flags & NTF_MASTER) !== 0 || n.master !== undefined,
        extLearned: (n.flags & NTF_EXT_LEARNED) !== 0,
        sticky: (n.flags & NTF_STICKY) !== 0,
        linkIndex: n.index,
      };
      if (n.dst !== undefined) entry.destination = n.dst;
      if (n.vni !== undefined) entry.vni = n.vni;
      if (n.port !== undefined) entry.port = n.port;
      if (n.vlan !== undefined) entry.vlan = n.vlan;
      if (n.ifindex !== undefined) entry.viaIndex = n.ifindex;
      if (n.master !== undefined) entry.bridgeIndex = n.master;
      return entry;
    });
}

/** `bridge fdb append|replace ... dev NAME`. @internal */
export async function addFdb(link: Link, spec: FdbSpec): Promise<void> {
  const operation = `add fdb entry ${describeFdb(spec, link)}${link.namespace.where}`;
  const req = fdbRequest(link, spec, false, operation);
  checkBoolean(spec.replace, operation, 'replace');
  const flags = NLM_F_CREATE | (spec.replace ? NLM_F_REPLACE : NLM_F_APPEND);
  const handle = link.namespace[kHandleNow]() ?? (await link.namespace[kHandle](operation));
  await request(handle, { op: 'newneigh', flags, neighbour: req }, operation, 'fdb');
}

/** `bridge fdb del ... dev NAME`. @internal */
export async function deleteFdb(link: Link, spec: FdbSpec): Promise<void> {
  const operation = `delete fdb entry ${describeFdb(spec, link)}${link.namespace.where}`;
  const req = fdbRequest(link, spec, true, operation);
  const handle = link.namespace[kHandleNow]() ?? (await link.namespace[kHandle](operation));
  await request(handle, { op: 'delneigh', neighbour: req }, operation, 'fdb');
}
