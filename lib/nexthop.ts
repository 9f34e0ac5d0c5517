/**
 * Nexthop objects (`ip nexthop`): next hops kept in the kernel under an id, which routes then
 * name (`ip route add PREFIX nhid N`, RouteSpec.nexthopId) instead of carrying a gateway of
 * their own. Changing the object changes every route that uses it. RTM_NEWNEXTHOP /
 * RTM_DELNEXTHOP / RTM_GETNEXTHOP, native/rtnl/nexthop.cc; Linux 5.3 and later.
 */
import { scopeName } from './address';
import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import { batch, exclusive, request, throwFirstFailure } from './internal/dispatch';
import { NetnsError, failure, fromNative, invalid, withReason } from './internal/errors';
import { isFailure } from './native/wire';
import { kHandle, kHandleNow } from './internal/symbols';
import { checkBoolean, checkInteger, checkOptionKeys, parseIp } from './internal/validate';
import { Link } from './link';
import { echoedObject, type EchoOption } from './echo';
import type { Namespace } from './namespace';
import {
  AF_INET,
  AF_INET6,
  NLM_F_CREATE,
  NLM_F_ECHO,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTNH_F_DEAD,
  RTNH_F_LINKDOWN,
  RTNH_F_ONLINK,
} from './native/constants';
import type {
  NativeLink,
  NativeNexthopBucket,
  NativeNexthopObject,
  NativeNexthopObjectRequest,
  NativeOp,
  NativeResult,
} from './native/surface';
import { linkArg, protocolNumber } from './route';
import { Iproute2Names } from './rt-names';

/** NEXTHOP_GRP_TYPE_MPATH: a group that spreads flows over its members by hash. */
const NEXTHOP_GRP_TYPE_MPATH = 0;
/** NEXTHOP_GRP_TYPE_RES: a resilient group, whose flows keep their member through changes. */
const NEXTHOP_GRP_TYPE_RES = 1;

/** Netlink carries a resilient group's timers in clock_t: USER_HZ, 100 a second on every arch. */
const CLOCK_TICKS_PER_SECOND = 100;
/**
 * The longest timer a resilient group keeps, in whole seconds (~49.7 days): the kernel holds it
 * as a u32 of jiffies, so beyond 2^32 / HZ it wraps silently (measured: at HZ 250, 42949672 s
 * read back as 8589933.63 s). 1000 is the highest HZ a kernel is built with.
 */
export const MAX_RESILIENT_TIMER = Math.floor(0xffffffff / 1000);

/** At most this many members in one group (the request must fit in a netlink message). */
export const MAX_GROUP_MEMBERS = 256;

/** One member of a nexthop group. */
export interface NexthopGroupMember {
  /** The member's id: a nexthop object that is not itself a group. */
  id: number;
  /** Its share of the flows, 1 to 256 (`ip nexthop add id 10 group 1/2,3`: 1 once, 2 three times). Default 1. */
  weight?: number;
}

/**
 * A nexthop object to add, as `ip nexthop add` takes it: one of
 * - a gateway and/or a link (`id 1 via 198.18.0.1 dev veth0`, `id 2 dev veth0`),
 * - a blackhole (`id 3 blackhole`): packets routed to it are dropped,
 * - a group of other nexthop objects (`id 10 group 1/2,3`),
 * - an fdb nexthop (`id 4 via 198.18.0.9 fdb`), for VXLAN fdb entries.
 */
export interface NexthopObjectSpec {
  /**
   * Its id, 1 to 4294967295: what routes name it by (RouteSpec.nexthopId) and what
   * deleteNexthop takes. Default: the kernel picks a free one (as `ip nexthop add` without
   * `id`), which the NexthopObject addNexthop resolves with carries. Required with `replace`.
   */
  id?: number;
  /** Its gateway (`via`). */
  gateway?: string;
  /** Its outgoing link (`dev`): a Link of the namespace or its name. Required unless a blackhole, fdb or group. */
  link?: Link | string;
  /** Treat the gateway as directly reachable even if no subnet covers it (`onlink`). */
  onlink?: boolean;
  /** Drop what is routed to it (`blackhole`). No gateway or link. */
  blackhole?: boolean;
  /** A group of other nexthop objects (`group`). Nothing but `protocol`, `groupType` and `fdb` with it. */
  group?: NexthopGroupMember[];
  /**
   * 'mpath' (the default: hash-based multipath) or 'resilient' (`type resilient`: flows are
   * spread over `buckets`, each held by one member, and a bucket moves to another member only
   * when its member goes or after it was idle `idleTimer` seconds, so a change in the group
   * leaves the other flows where they were). A resilient group cannot become an mpath one by
   * replace, nor the reverse.
   */
  groupType?: 'mpath' | 'resilient';
  /** A resilient group's number of buckets (`buckets`), 1 to 65535. Required to add one. */
  buckets?: number;
  /**
   * A resilient group's idle timer (`idle_timer`), in whole seconds: a bucket unused this long
   * may move to another member when the group is unbalanced. Default 120.
   */
  idleTimer?: number;
  /**
   * A resilient group's unbalanced timer (`unbalanced_timer`), in whole seconds: after the group
   * has been unbalanced this long, buckets move even if in use. Default 0: never forced.
   */
  unbalancedTimer?: number;
  /** For bridge/VXLAN fdb entries (`fdb`): a gateway (or a group of fdb nexthops), no link. */
  fdb?: boolean;
  /** Who made it: 'boot', 'static', ... or a number (`proto`). Default none (unspec), as `ip nexthop add`. */
  protocol?: string | number;
  /** 4 or 6, for a blackhole or a link without gateway. Default: the gateway's, else 4 (as `ip`). */
  family?: 4 | 6;
}

/** Options of {@link Namespace.addNexthop}. */
export interface AddNexthopOptions {
  /** Replace the nexthop object of that id, or add it: `ip nexthop replace`. Routes using it follow. */
  replace?: boolean;
}

/** A nexthop object as `ip nexthop show` lists it. */
export interface NexthopObject {
  id: number;
  /** 4 or 6; absent for a group. */
  family?: 4 | 6;
  gateway?: string;
  /** The outgoing link's index and (when resolvable) name. */
  linkIndex?: number;
  link?: string;
  onlink?: boolean;
  blackhole?: boolean;
  fdb?: boolean;
  /** A group's members, each with its weight (1 to 256). */
  group?: Array<{ id: number; weight: number }>;
  /** A group's type: 'mpath' or 'resilient'. */
  groupType?: 'mpath' | 'resilient';
  /** A resilient group's number of buckets. */
  buckets?: number;
  /** A resilient group's idle timer, in seconds (as `ip -j nexthop show` prints it). */
  idleTimer?: number;
  /** A resilient group's unbalanced timer, in seconds (0: none). */
  unbalancedTimer?: number;
  /** How long a resilient group has been unbalanced, in seconds (0: it is balanced). */
  unbalancedTime?: number;
  /** 'unspec', 'boot', 'static', ... or the number. */
  protocol: string;
  /** 'link' for a nexthop on a link, 'global' for a group, ... */
  scope: string;
  /** Its link is down or has no carrier (`linkdown`). */
  linkdown?: boolean;
  /** The kernel considers it dead (`dead`). */
  dead?: boolean;
}

/** Options of {@link Namespace.nexthops}, each a filter (as `ip nexthop show id N | dev X | groups`). */
export interface NexthopsOptions extends AbortOptions {
  /** Only the nexthop object of this id. */
  id?: number;
  /** true: only groups (`groups`). */
  group?: boolean;
  /** Only nexthops on this link (`dev`): a Link or its name. */
  link?: Link | string;
  /** Only IPv4 (4) or IPv6 (6) nexthops; groups have no family and are left out then. */
  family?: 4 | 6;
}

function checkId(id: unknown, operation: string, what = 'the nexthop id'): number {
  return checkInteger(id, operation, what, 1, 0xffffffff);
}

/** `id N ...` as ip prints it, for an operation's text. */
function describeNexthop(spec: Partial<NexthopObjectSpec> | undefined): string {
  if (typeof spec !== 'object' || spec === null) return String(spec);
  const parts = spec.id === undefined ? [] : [`id ${String(spec.id)}`];
  if (Array.isArray(spec.group)) {
    parts.push(
      `group ${spec.group.map((m) => `${String(m?.id)}${m?.weight !== undefined ? `,${String(m.weight)}` : ''}`).join('/')}`,
    );
  }
  if (spec.blackhole === true) parts.push('blackhole');
  if (spec.gateway !== undefined) parts.push(`via ${String(spec.gateway)}`);
  if (spec.link !== undefined) parts.push(`dev ${spec.link instanceof Link ? spec.link.name : String(spec.link)}`);
  if (spec.groupType !== undefined) parts.push(`type ${String(spec.groupType)}`);
  if (spec.buckets !== undefined) parts.push(`buckets ${String(spec.buckets)}`);
  if (spec.idleTimer !== undefined) parts.push(`idle_timer ${String(spec.idleTimer)}`);
  if (spec.unbalancedTimer !== undefined) parts.push(`unbalanced_timer ${String(spec.unbalancedTimer)}`);
  if (spec.fdb === true) parts.push('fdb');
  return parts.length > 0 ? parts.join(' ') : '(nothing given)';
}

const SPEC_KEYS = [
  'id',
  'gateway',
  'link',
  'onlink',
  'blackhole',
  'group',
  'groupType',
  'buckets',
  'idleTimer',
  'unbalancedTimer',
  'fdb',
  'protocol',
  'family',
];

const RESILIENT_KEYS = ['buckets', 'idleTimer', 'unbalancedTimer'] as const;

/**
 * Checks a spec and turns it into the kernel's terms; `oif` is the resolved link (or a
 * placeholder while its name is still to look up). Every refusal the kernel would make for the
 * shape of the request is made here first, with a sentence. @internal
 */
export function nexthopRequest(
  spec: NexthopObjectSpec,
  oif: number | undefined,
  operation: string,
  replace = false,
): NativeNexthopObjectRequest {
  checkOptionKeys(spec, SPEC_KEYS, operation);
  // No id: NHA_ID left out, the kernel picks one (nh_find_unused_id). A replace names the one
  // it replaces (the kernel would make a new nexthop instead).
  if (spec.id === undefined && replace) throw invalid(operation, 'a replace needs the id of the nexthop it replaces');
  const id = spec.id === undefined ? undefined : checkId(spec.id, operation);
  const onlink = checkBoolean(spec.onlink, operation, 'onlink');
  const blackhole = checkBoolean(spec.blackhole, operation, 'blackhole');
  const fdb = checkBoolean(spec.fdb, operation, 'fdb');
  if (spec.family !== undefined && spec.family !== 4 && spec.family !== 6) {
    throw invalid(operation, 'family must be 4 or 6');
  }
  const req: NativeNexthopObjectRequest = id === undefined ? {} : { id };
  if (spec.protocol !== undefined) req.protocol = protocolNumber(spec.protocol, operation);
  if (fdb) req.fdb = 1;

  if (spec.group !== undefined) {
    if (!Array.isArray(spec.group) || spec.group.length === 0 || spec.group.length > MAX_GROUP_MEMBERS) {
      throw invalid(operation, `group must be an array of 1 to ${MAX_GROUP_MEMBERS} members ({ id, weight? })`);
    }
    if (
      spec.gateway !== undefined ||
      spec.link !== undefined ||
      onlink !== undefined ||
      blackhole !== undefined ||
      spec.family !== undefined
    ) {
      throw invalid(
        operation,
        'a group takes its gateways and links from its members: give no gateway, link, onlink, blackhole or family with it',
      );
    }
    const seen = new Set<number>();
    req.group = spec.group.map((member, i) => {
      if (typeof member !== 'object' || member === null) {
        throw invalid(operation, `group member ${i + 1} must be an object ({ id, weight? })`);
      }
      const memberId = checkId(member.id, operation, `the id of group member ${i + 1}`);
      if (memberId === id) throw invalid(operation, `the group ${memberId} cannot contain itself`);
      if (seen.has(memberId)) throw invalid(operation, `nexthop ${memberId} is in the group twice`);
      seen.add(memberId);
      if (member.weight === undefined) return { id: memberId };
      return {
        id: memberId,
        weight: checkInteger(member.weight, operation, `the weight of nexthop ${memberId}`, 1, 256) - 1,
      };
    });
    if (spec.groupType !== undefined && spec.groupType !== 'mpath' && spec.groupType !== 'resilient') {
      throw invalid(operation, `groupType must be 'mpath' or 'resilient', not ${JSON.stringify(spec.groupType)}`);
    }
    if (spec.groupType !== 'resilient') {
      const given = RESILIENT_KEYS.filter((k) => spec[k] !== undefined);
      if (given.length > 0) {
        throw invalid(
          operation,
          `${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} for a resilient group: give groupType: 'resilient' too`,
        );
      }
      if (spec.groupType === 'mpath') req.groupType = NEXTHOP_GRP_TYPE_MPATH;
      return req;
    }
    req.groupType = NEXTHOP_GRP_TYPE_RES;
    if (spec.buckets !== undefined) {
      req.resBuckets = checkInteger(spec.buckets, operation, 'buckets', 1, 0xffff);
    } else if (!replace) {
      // The kernel has no default for a new group ("Number of buckets not specified").
      throw invalid(operation, 'a resilient group needs its number of buckets (buckets: 1 to 65535)');
    }
    if (spec.idleTimer !== undefined) {
      req.resIdleTimer =
        checkInteger(spec.idleTimer, operation, 'idleTimer (seconds)', 0, MAX_RESILIENT_TIMER) * CLOCK_TICKS_PER_SECOND;
    }
    if (spec.unbalancedTimer !== undefined) {
      req.resUnbalancedTimer =
        checkInteger(spec.unbalancedTimer, operation, 'unbalancedTimer (seconds)', 0, MAX_RESILIENT_TIMER) *
        CLOCK_TICKS_PER_SECOND;
    }
    return req;
  }
  if (spec.groupType !== undefined) throw invalid(operation, 'groupType is for a group: give group too');
  const resilient = RESILIENT_KEYS.filter((k) => spec[k] !== undefined);
  if (resilient.length > 0) {
    throw invalid(
      operation,
      `${resilient.join(' and ')} ${resilient.length > 1 ? 'are' : 'is'} for a resilient group (group with groupType: 'resilient'), not a single nexthop`,
    );
  }

  let family = spec.family;
  if (spec.gateway !== undefined) {
    const gw = parseIp(spec.gateway, operation, 'gateway');
    if (family !== undefined && gw.family !== family) {
      throw invalid(operation, `the gateway ${gw.address} is IPv${gw.family} but family is ${family}`);
    }
    family = gw.family;
    req.gateway = gw.address;
  }
  req.family = (family ?? 4) === 4 ? AF_INET : AF_INET6;
  if (blackhole) {
    if (spec.gateway !== undefined || spec.link !== undefined || onlink || fdb) {
      throw invalid(
        operation,
        'a blackhole nexthop drops what is routed to it: give no gateway, link, onlink or fdb with it',
      );
    }
    req.blackhole = 1;
    return req;
  }
  if (fdb) {
    if (spec.link !== undefined) throw invalid(operation, 'an fdb nexthop has no link (the VXLAN device chooses it)');
    if (req.gateway === undefined) throw invalid(operation, 'an fdb nexthop needs a gateway (the remote VTEP)');
  } else if (spec.link === undefined) {
    throw invalid(
      operation,
      'a nexthop needs a link (dev), as the kernel requires, unless it is a blackhole, an fdb nexthop or a group',
    );
  }
  if (onlink) {
    if (req.gateway === undefined) throw invalid(operation, 'onlink needs a gateway');
    req.flags = RTNH_F_ONLINK;
  }
  if (oif !== undefined) req.oif = oif;
  return req;
}

/**
 * A nexthop object as read back (a dump or a monitor event); `linkNames` names its link, `names`
 * its protocol (one object for a whole listing). @internal
 */
export function nexthopFromNative(
  n: NativeNexthopObject,
  linkNames: { get(index: number): string | undefined },
  names: Iproute2Names = new Iproute2Names(),
): NexthopObject {
  const out: NexthopObject = { id: n.id, protocol: names.protocol(n.protocol), scope: scopeName(n.scope) };
  if (n.family === AF_INET) out.family = 4;
  else if (n.family === AF_INET6) out.family = 6;
  if (n.gateway !== undefined) out.gateway = n.gateway;
  if (n.oif !== undefined) {
    out.linkIndex = n.oif;
    const name = linkNames.get(n.oif);
    if (name !== undefined) out.link = name;
  }
  if (n.flags & RTNH_F_ONLINK) out.onlink = true;
  if (n.flags & RTNH_F_DEAD) out.dead = true;
  if (n.flags & RTNH_F_LINKDOWN) out.linkdown = true;
  if (n.blackhole) out.blackhole = true;
  if (n.fdb) out.fdb = true;
  if (n.group !== undefined) {
    out.group = n.group.map((m) => ({ id: m.id, weight: m.weight + 1 }));
    out.groupType = n.groupType === NEXTHOP_GRP_TYPE_RES ? 'resilient' : 'mpath';
  }
  if (n.resBuckets !== undefined) out.buckets = n.resBuckets;
  if (n.resIdleTimer !== undefined) out.idleTimer = n.resIdleTimer / CLOCK_TICKS_PER_SECOND;
  if (n.resUnbalancedTimer !== undefined) out.unbalancedTimer = n.resUnbalancedTimer / CLOCK_TICKS_PER_SECOND;
  if (n.resUnbalancedTime !== undefined) out.unbalancedTime = n.resUnbalancedTime / CLOCK_TICKS_PER_SECOND;
  return out;
}

/**
 * Options for {@link Namespace.deleteNexthop}: `echo: true` resolves with the
 * {@link NexthopObject} the kernel removed (`ip -echo nexthop del`).
 */
export type DeleteNexthopOptions = EchoOption;

/** `ip nexthop add|replace`, and what it made as `ip -echo nexthop add` prints it. @internal */
export async function addNexthop(
  ns: Namespace,
  spec: NexthopObjectSpec,
  options: AddNexthopOptions = {},
): Promise<NexthopObject> {
  const replace = checkBoolean(
    checkOptionKeys<AddNexthopOptions>(options, ['replace'], `add nexthop${ns.where}`).replace,
    `add nexthop${ns.where}`,
    'replace',
  );
  const operation = `${replace ? 'replace' : 'add'} nexthop ${describeNexthop(spec)}${ns.where}`;
  // NLM_F_ECHO: the kernel sends the nexthop back, with the id it picked when none was given.
  const flags = NLM_F_CREATE | NLM_F_ECHO | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
  const given: unknown = (spec as Partial<NexthopObjectSpec> | null)?.link;
  const link = linkArg(ns, given, operation);
  // Checked in full before anything is sent (a name stands in as index 0 until looked up).
  const checked = nexthopRequest(spec, typeof link === 'number' ? link : undefined, operation, replace);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  if (typeof link !== 'string') {
    const echoed = await request<NativeNexthopObject[]>(
      handle,
      { op: 'newnexthop', flags, nexthop: checked },
      operation,
      'nexthop',
    ).catch((e: unknown) => Promise.reject(explainRefusal(e, checked)));
    return made(echoed, given instanceof Link ? new Map([[given.index, given.name]]) : new Map(), operation);
  }
  // The link's lookup and the add in one FIFO slot: nothing renames the link between them.
  return exclusive(handle, operation, 'nexthop', async (send) => {
    const [found] = await send([{ op: 'getlink', name: link }]);
    throwFirstFailure([found], operation, 'link');
    const index = (found as NativeLink).index;
    const op = { op: 'newnexthop', flags, nexthop: { ...checked, oif: index } } as const;
    const [echoed] = await send([op]);
    if (isFailure(echoed)) throw explainRefusal(fromNative(echoed, operation, 'nexthop'), op.nexthop);
    return made(echoed as NativeNexthopObject[], new Map([[index, link]]), operation);
  });
}

/** The nexthop an add made, from the kernel's echo of it. */
function made(echoed: NativeNexthopObject[], linkNames: Map<number, string>, operation: string): NexthopObject {
  const [nexthop] = echoed;
  // The kernel echoes every nexthop it adds or replaces (nexthop_notify, since 5.3).
  if (nexthop === undefined) throw failure('EPROTO', operation, 'the kernel made the nexthop but did not send it back');
  return nexthopFromNative(nexthop, linkNames);
}

/** The kernel's refusals of an add that a sentence of ours says better. */
function explainRefusal(e: unknown, req: NativeNexthopObjectRequest): unknown {
  if (!(e instanceof NetnsError)) return e;
  // The kernel hangs a blackhole on the loopback link, down in a new namespace.
  if (req.blackhole && e.code === 'ENETDOWN') {
    return withReason(e, 'a blackhole nexthop uses the loopback link, which is down here: bring lo up first');
  }
  if (req.group && e.code === 'EINVAL' && /invalid nexthop id/i.test(e.detail ?? '')) {
    return withReason(e, 'a member of the group is not a nexthop object of this namespace (add it first)');
  }
  return e;
}

/** `ip nexthop del id N`. @internal */
export async function deleteNexthop(
  ns: Namespace,
  id: number,
  options?: DeleteNexthopOptions,
): Promise<NexthopObject | void> {
  const operation = `delete nexthop id ${String(id)}${ns.where}`;
  const echo =
    options !== undefined &&
    checkBoolean(checkOptionKeys<DeleteNexthopOptions>(options, ['echo'], operation).echo, operation, 'echo') === true;
  const checked = checkId(id, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  if (!echo) {
    await request(handle, { op: 'delnexthop', id: checked }, operation, 'nexthop');
    return;
  }
  // The delete and the lookup of its link's name in one FIFO slot. The kernel may echo a group
  // that lost it as a member (RTM_NEWNEXTHOP) before it: the one of this id is what it removed.
  return exclusive(handle, operation, 'nexthop', async (send) => {
    const [echoed] = await send([{ op: 'delnexthop', id: checked, flags: NLM_F_ECHO }]);
    throwFirstFailure([echoed], operation, 'nexthop');
    const gone = echoedObject(
      echoed as NativeNexthopObject[] | undefined,
      operation,
      'nexthop',
      true,
      (n) => n.id === checked,
    );
    const linkNames = new Map<number, string>();
    if (gone.oif !== undefined && gone.oif !== 0) {
      const [found] = await send([{ op: 'getlink', index: gone.oif }]);
      if (found !== undefined && !isFailure(found)) linkNames.set(gone.oif, (found as NativeLink).name);
    }
    return nexthopFromNative(gone, linkNames);
  });
}

/** `ip nexthop show`. @internal */
export async function listNexthops(ns: Namespace, options: NexthopsOptions = {}): Promise<NexthopObject[]> {
  const operation = `list nexthops${ns.where}`;
  checkOptionKeys(options, ['id', 'group', 'link', 'family', 'signal'], operation);
  const id = options.id === undefined ? undefined : checkId(options.id, operation);
  const groups = checkBoolean(options.group, operation, 'group');
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) {
    throw invalid(operation, 'family must be 4 or 6');
  }
  const link = linkArg(ns, options.link, operation);
  const signal = checkSignal(options.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const family = options.family === 4 ? AF_INET : options.family === 6 ? AF_INET6 : 0;
  const dump: NativeOp = { op: 'dumpnexthops', family };
  if (groups) dump.groups = 1;
  if (typeof link === 'number') dump.oif = link;
  const results = await abortable(
    batch(handle, [{ op: 'dumplinks' }, dump], operation, 'nexthop', signal),
    signal,
    operation,
  );
  throwFirstFailure(results, operation, 'nexthop');
  const names = new Map((results[0] as NativeLink[]).map((l) => [l.index, l.name]));
  const iproute2Names = new Iproute2Names();
  let index: number | undefined = typeof link === 'number' ? link : undefined;
  if (typeof link === 'string') {
    index = [...names].find(([, name]) => name === link)?.[0];
    if (index === undefined) return [];
  }
  return (results[1] as NativeNexthopObject[])
    .filter((n) => (id === undefined || n.id === id) && (index === undefined || n.oif === index))
    .map((n) => nexthopFromNative(n, names, iproute2Names));
}

/** One bucket of a resilient group, as `ip nexthop bucket show` lists it. */
export interface NexthopBucket {
  /** The group's id. */
  id: number;
  /** The bucket's index, 0 to buckets - 1. */
  index: number;
  /** The member (a nexthop id) that holds it. */
  nexthopId: number;
  /** Seconds since a packet last used it (`idle_time`). */
  idleTime: number;
}

/** Options of {@link Namespace.nexthopBuckets}, each a filter (`ip nexthop bucket show id N | dev X`). */
export interface NexthopBucketsOptions extends AbortOptions {
  /** Only the buckets of this resilient group. */
  id?: number;
  /** Only the buckets held by nexthops on this link: a Link or its name. */
  link?: Link | string;
}

/** `ip nexthop bucket show`. @internal */
export async function listNexthopBuckets(ns: Namespace, options: NexthopBucketsOptions = {}): Promise<NexthopBucket[]> {
  const operation = `list nexthop buckets${ns.where}`;
  checkOptionKeys(options, ['id', 'link', 'signal'], operation);
  const id = options.id === undefined ? undefined : checkId(options.id, operation);
  const link = linkArg(ns, options.link, operation);
  const signal = checkSignal(options.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const dump: NativeOp = { op: 'dumpnexthopbuckets' };
  if (id !== undefined) dump.id = id;
  if (typeof link === 'number') dump.oif = link;
  if (typeof link === 'string') {
    // The link's lookup and the dump in one FIFO slot, the dump filtered by its index; a link
    // that is not there holds no buckets (as ip nexthop show dev X lists none).
    return exclusive(handle, operation, 'nexthop', async (send) => {
      const [found] = await send([{ op: 'getlink', name: link }]);
      if (isFailure(found as NativeResult)) {
        const e = fromNative(found, operation, 'link');
        if (e.code === 'ENODEV') return [];
        throw e;
      }
      const [buckets] = await send([{ ...dump, oif: (found as NativeLink).index }]);
      throwFirstFailure([buckets as NativeResult], operation, 'nexthop');
      return (buckets as NativeNexthopBucket[]).map(bucketFromNative);
    });
  }
  const results = await abortable(batch(handle, [dump], operation, 'nexthop', signal), signal, operation);
  throwFirstFailure(results, operation, 'nexthop');
  return (results[0] as NativeNexthopBucket[]).map(bucketFromNative);
}

function bucketFromNative(b: NativeNexthopBucket): NexthopBucket {
  return { id: b.id, index: b.index, nexthopId: b.nexthopId, idleTime: b.idleTime / CLOCK_TICKS_PER_SECOND };
}
