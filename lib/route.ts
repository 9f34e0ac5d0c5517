import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import { echoedObject, type EchoOption } from './echo';
import { scopeName, scopeNumber } from './address';
import { batch, exclusive, requestIn, throwFirstFailure } from './internal/dispatch';
import { isFailure } from './native/wire';
import { NetnsError, invalid, withReason } from './internal/errors';
import { kHandle, kHandleNow } from './internal/symbols';
import { Link } from './link';
import type { Namespace } from './namespace';
import {
  AF_INET,
  AF_INET6,
  RTPROT_BOOT,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RTNH_F_DEAD,
  RTNH_F_LINKDOWN,
  RTNH_F_ONLINK,
  RTN_LOCAL,
  RTN_UNICAST,
  RT_SCOPE_HOST,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_ECHO,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_F_CLONED,
} from './native/constants';
import type { NativeLink, NativeNexthopRequest, NativeOp, NativeRoute, NativeRouteRequest } from './native/surface';
import {
  checkBoolean,
  checkInteger,
  checkLinkName,
  checkOptionKeys,
  describeValue,
  parseCidr,
  parseIp,
  type ParsedCidr,
} from './internal/validate';
import { metricsFromNative, metricsRequest, type RouteMetrics } from './route-metrics';
import { encapBuildable, encapFromNative, encapRequest, type RouteEncap } from './route-encap';
import { Iproute2Names, dsfieldValue, protocolId, realmId, tableId } from './rt-names';

/** Options for {@link Namespace.routes}. */
export interface RoutesOptions extends AbortOptions {
  /** Only IPv4 (4) or IPv6 (6) routes. Default both. */
  family?: 4 | 6;
  /**
   * The routing table: its id, or its name (`main`, `local`, `default`, or one of
   * /etc/iproute2/rt_tables, as `ip route show table NAME`). Default main (254), as `ip route`;
   * 0 or 'all' for every table.
   */
  table?: number | string;
  /**
   * Only routes of this destination realm (`ip route show realm 5`): a number or a name of
   * rt_realms, as RouteSpec's `realm`; 0: those with none. Any source realm unless
   * `sourceRealm` is given too (both: `ip route show realms 3/5`).
   */
  realm?: number | string;
  /** Only routes of this source realm (`ip route show realms 3/`); 0: those with none. */
  sourceRealm?: number | string;
  /**
   * The route exceptions instead of the routes (`ip route show cache`, `ip -6 route show
   * cache`): what the kernel learnt for one destination, each a host route with `cached: true` —
   * a path MTU from an ICMP "fragmentation needed" (IPv4) or "packet too big" (IPv6) as
   * `metrics.mtu`, the gateway an ICMP redirect gave, and when the kernel forgets it
   * (`expires`). `table`, `family` and the realms select them as they select routes. Kernel 5.3
   * or later (RTM_F_CLONED in a dump); an older one lists none.
   */
  cache?: boolean;
}

/**
 * Options for {@link Namespace.addRoute}: `ip route replace`, `change`, `append` or `prepend`
 * instead of `add` (at most one of them); `echo: true` to resolve with the {@link Route} the
 * kernel made (`ip -echo route add`).
 */
export interface AddRouteOptions extends EchoOption {
  /** Replace the route of the same destination, table and metric, or add it: `ip route replace`. */
  replace?: boolean;
  /**
   * Change the route of the same destination, table and metric (IPv4: TOS too), which must
   * exist: `ip route change`. ENOENT when there is none (nothing is added).
   */
  change?: boolean;
  /**
   * Add it after a route of the same destination, table and metric: `ip route append`. IPv4
   * keeps both (the first is used while it works); IPv6 makes them one multipath route.
   */
  append?: boolean;
  /** As `append`, but before the routes there (IPv4: this one is used first): `ip route prepend`. */
  prepend?: boolean;
}

/**
 * Options for {@link Namespace.deleteRoute}: `echo: true` to resolve with the {@link Route} the
 * kernel removed (`ip -echo route del`).
 */
export type DeleteRouteOptions = EchoOption;

/** A route to add or delete, as `ip route add|del` takes it. */
export interface RouteSpec {
  /** 'default', or a network in CIDR form: '198.18.1.0/24', 'fd00:1::/64'. */
  destination: string;
  /** Next hop: '198.18.0.1' (must be reachable on a directly connected subnet). */
  gateway?: string;
  /** Outgoing link (`dev`): a Link in this namespace, or its name. */
  link?: Link | string;
  /** Route metric (`metric` / `priority`); lower wins. */
  metric?: number;
  /**
   * The routing table: its id, or its name as `ip route ... table NAME` takes it (`main`,
   * `local`, `default`, or one named in /etc/iproute2/rt_tables or rt_tables.d/*.conf; see
   * docs/API.md, "Table and DS field names"). Default main (254).
   */
  table?: number | string;
  /**
   * IPv4 only: the type of service (DS field) the route is for, `tos 0x10` / `dsfield`: 0-255,
   * ECN bits (0x03) clear, or its name in /etc/iproute2/rt_dsfield ('AF11'), or hex in a string
   * ('0x10'). A route with one is used for packets of that TOS, one without (0) for any. Routes
   * that differ only in it are two routes; a delete matches it exactly (not given: the route
   * without one).
   */
  tos?: number | string;
  /** 4 or 6. Only needed for 'default' without a gateway; otherwise taken from the addresses. */
  family?: 4 | 6;
  /** Preferred source address (`src`): the address the route's packets are sent from. */
  source?: string;
  /**
   * IPv6 only: the sources the route is for (`from PREFIX`), a network in CIDR form
   * ('fd00:1::/64'), or an address alone for that one source ('fd00:1::5' is 'fd00:1::5/128', as
   * ip reads it): a source-specific route, used only for packets from that prefix. Routes
   * that differ only in it are two routes; a delete matches it exactly (not given: the route
   * without one). Host bits are cleared by the kernel, as in an IPv6 destination
   * ('fd00:1::5/64' is the route from fd00:1::/64, listed so).
   */
  from?: string;
  /** 'unicast' (default), 'blackhole', 'unreachable', 'prohibit', 'local', 'throw'. */
  type?: RouteType;
  /** 'global', 'link', 'host'. Default as iproute2: link for a device route, else global. */
  scope?: string;
  /** 'boot' (default, as iproute2), 'static', or a number. */
  protocol?: string | number;
  /** Treat the gateway as directly reachable even if no subnet covers it (`onlink`). */
  onlink?: boolean;
  /**
   * Several next hops (ECMP, `nexthop via A weight 1 nexthop via B weight 2`): the kernel
   * spreads flows over them in proportion to their weights. Instead of `gateway` and `link`.
   */
  nexthops?: NexthopSpec[];
  /**
   * A nexthop object as the route's next hop (`nhid N`): its id, 1 to 4294967295, from
   * {@link Namespace.addNexthop}. Instead of `gateway`, `link`, `onlink` and `nexthops`: the
   * nexthop object holds them. Listed routes carry it, along with the gateway and link (or the
   * next hops of a group) the kernel reports from the object; a delete matches on it alone.
   */
  nexthopId?: number;
  /**
   * The route's metrics (`mtu lock 1400 initcwnd 10 congctl cubic`): see {@link RouteMetrics}
   * for each one's unit. A delete of an IPv4 route matches them (only the routes that have
   * these values), as `ip route del` does; the kernel matches no IPv6 route by them, so an IPv6
   * delete leaves them out.
   */
  metrics?: RouteMetrics;
  /**
   * IPv6 only: the router preference (RFC 4191, `pref low|medium|high`), which orders default
   * routes of the same metric. Default medium. A delete does not match on it (the kernel
   * does not), so a listed Route deletes as it is.
   */
  preference?: RoutePreference;
  /**
   * IPv6 only: seconds until the kernel removes the route (`expires 300`), 1 to 4294967294.
   * Listed: the whole seconds left (the kernel reports at most 2^31 - 1 clock ticks, some 248
   * days; 0 or less when expired and not yet removed). A delete does not match on it.
   */
  expires?: number;
  /**
   * IPv4 only: the route's destination realm (`realm 5`, RTA_FLOW; a kernel built with
   * CONFIG_IP_ROUTE_CLASSID): 0 to 65535, or a name of /etc/iproute2/rt_realms ('cosmos' is 0),
   * or a number in a string. Traffic is counted per realm (/proc/net/rt_acct) and the `route`
   * classifier of tc and nftables' `meta rtclassid` select by it. 0 is none.
   */
  realm?: number | string;
  /**
   * A route exception (the route cache, RTM_F_CLONED): true on each route `routes({ cache: true
   * })` lists, and on a lookup's answer the kernel made so (every IPv4 one, an IPv6 one that
   * went by an exception). A delete with it removes the IPv6 exception of that destination
   * (gateway and link, when given, must match), as `ip -6 route flush cache` does one by one;
   * the kernel has no request to delete one IPv4 exception (flushRoutes({ cache: true }) drops
   * them all), nor to add one.
   */
  cached?: boolean;
  /**
   * IPv4 only: the route's source realm (`realms 3/5` is sourceRealm 3, realm 5), as `realm`;
   * without `realm`, the destination realm is 0. A delete with either, and a link or gateway,
   * matches only routes with both realms so (the kernel compares them only beside a next hop).
   */
  sourceRealm?: number | string;
  /**
   * A lightweight tunnel encapsulation for the route's packets (`encap TYPE ...`), by its
   * `type`: tunnel metadata for a collect_md tunnel link (`{ type: 'ip', id: 5, destination:
   * '198.18.22.9' }` through a `vxlan external` link), an SRv6 header (`{ type: 'seg6', mode:
   * 'encap', segments: ['fd00:bc::1'] }`), an SRv6 endpoint behaviour (`seg6local`), an MPLS label
   * stack (`mpls`). See {@link RouteEncap}. A listed route carries it as the kernel reports it; an
   * IPv4 delete matches it (the kernel compares it), an encap of a type the library does not
   * build is left out of a delete.
   */
  encap?: RouteEncap;
}

/** One next hop of a multipath route. */
export interface NexthopSpec {
  /** Its gateway (`via`); same family as the route. */
  gateway?: string;
  /** Its outgoing link (`dev`): a Link of the namespace, or its name. */
  link?: Link | string;
  /** Its share of the flows (`weight`), 1 to 256. Default 1. */
  weight?: number;
  /** Treat the gateway as directly reachable (`onlink`). */
  onlink?: boolean;
  /** IPv4 only: its destination realm (`nexthop ... realms 5`), as RouteSpec's `realm`. */
  realm?: number | string;
  /** IPv4 only: its source realm (`nexthop ... realms 3/5`), as RouteSpec's `sourceRealm`. */
  sourceRealm?: number | string;
  /** Its own encapsulation (`nexthop encap ip id 5 dst D dev vx0`), as RouteSpec's `encap`. */
  encap?: RouteEncap;
}

/** One next hop of a multipath route, as `ip route show` lists it. */
export interface Nexthop {
  gateway?: string;
  /** The outgoing link's name, when resolvable. */
  link?: string;
  linkIndex?: number;
  weight: number;
  onlink?: boolean;
  /** Its link is down (or has no carrier): the kernel skips it (`linkdown`, RTNH_F_LINKDOWN). */
  linkdown?: boolean;
  /** The kernel considers it dead (`dead`, RTNH_F_DEAD). */
  dead?: boolean;
  /** Its destination realm, when it has realms (absent: none). */
  realm?: number;
  /** Its source realm, when not 0. */
  sourceRealm?: number;
  /** Its encapsulation, when it has one (`nexthop encap ...`). */
  encap?: RouteEncap;
}

/** An IPv6 route's router preference (RFC 4191, `ip -6 route ... pref`). */
export type RoutePreference = 'low' | 'medium' | 'high';

/** At most this many next hops in one route (the request must fit in 64 KiB). */
export const MAX_NEXTHOPS = 256;

export type RouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat';

/** A route as `ip route show` lists it. */
export interface Route extends Omit<RouteSpec, 'nexthops' | 'realm' | 'sourceRealm'> {
  family: 4 | 6;
  /** Outgoing link index, if the route has one. */
  linkIndex?: number;
  /** Outgoing link name (in `link`), when resolvable. */
  link?: string;
  /** The table's id. */
  table: number;
  /** Its name, as `ip route` prints it: main, local, default, or one from rt_tables; absent when it has none. */
  tableName?: string;
  /** Its TOS (absent when 0). */
  tos?: number;
  /** The TOS's name in rt_dsfield ('AF11'), as `ip route` prints it; absent when it has none. */
  tosName?: string;
  type: RouteType;
  /** 'kernel', 'boot', 'static', 'ra', 'dhcp', ... or the number. */
  protocol: string;
  /** 'global', 'link', 'host', ... */
  scope: string;
  /** The next hops of a multipath route. */
  nexthops?: Nexthop[];
  /** Its link is down (or has no carrier): the route is not used (`linkdown`). */
  linkdown?: boolean;
  /** The kernel considers its next hop dead (`dead`). */
  dead?: boolean;
  /** IPv6: the router preference (`pref medium` unless the route was added or advertised with another). */
  preference?: RoutePreference;
  /**
   * Its destination realm, when it has realms (`realm 5`, `realms 3/5`; absent: none, 0/0).
   * A number: the names of rt_realms are for `ip route` to print.
   */
  realm?: number;
  /** Its source realm, when not 0 (`realms 3/5`). */
  sourceRealm?: number;
  /**
   * IPv4, a cached route (`cached`): the kernel's RTCF_* flags on it, as ip prints them after
   * `cache` (`cache <local>`): 'redirected' for an exception an ICMP redirect made, 'local'
   * for a packet delivered here, ...; absent when it has none. A bit ip has no name for comes
   * as its hex ('0x2000000').
   */
  cacheFlags?: RouteCacheFlag[];
  /**
   * What the kernel counts on a route that it holds as a dst entry: a route exception (cached),
   * the answer to a lookup, an IPv6 clone (RTA_CACHEINFO; `ip -s route show cache`, `ip -s
   * route get`); absent for the routes of a table, and when all its figures are 0.
   */
  cacheInfo?: RouteCacheInfo;
}

/** A route's RTA_CACHEINFO figures (see {@link Route.cacheInfo}), as `ip -s route` prints them. */
export interface RouteCacheInfo {
  /** The references held on it (`users`). */
  users: number;
  /** How many times it was used (`used`). */
  used: number;
  /** Milliseconds since it was last used (`age`, in whole seconds in ip's). */
  ageMs: number;
  /** Its error, a negative errno (-101: ENETUNREACH); 0: none (`error`, which ip prints without -s too). */
  error: number;
}

/** An IPv4 cached route's flag, as `ip route show cache` prints it (include/uapi/linux/in_route.h). */
export type RouteCacheFlag =
  | 'local'
  | 'reject'
  | 'mc'
  | 'brd'
  | 'dst-nat'
  | 'src-nat'
  | 'masq'
  | 'dst-direct'
  | 'src-direct'
  | 'redirected'
  | 'redirect'
  | 'fastroute'
  | 'notify'
  | 'proxy'
  | `0x${string}`;

/** The RTCF_* bits by their names, in the order ip's print_cache_flags prints them. */
const CACHE_FLAGS: ReadonlyArray<readonly [number, RouteCacheFlag]> = [
  [0x80000000, 'local'],
  [0x40000000, 'reject'],
  [0x20000000, 'mc'],
  [0x10000000, 'brd'],
  [0x08000000, 'dst-nat'],
  [0x00800000, 'src-nat'],
  [0x00400000, 'masq'],
  [0x00020000, 'dst-direct'],
  [0x04000000, 'src-direct'],
  [0x00040000, 'redirected'],
  [0x01000000, 'redirect'],
  [0x00200000, 'fastroute'],
  [0x00010000, 'notify'],
  [0x00080000, 'proxy'],
];

/** An IPv4 cached route's rtm_flags as its cache flags (the upper 16 bits: RTCF_*). @internal */
export function cacheFlagsOf(rtmFlags: number): RouteCacheFlag[] {
  let rest = (rtmFlags & ~0xffff) >>> 0;
  const words: RouteCacheFlag[] = [];
  for (const [bit, word] of CACHE_FLAGS) {
    if ((rest & bit) === 0) continue;
    words.push(word);
    rest = (rest & ~bit) >>> 0;
  }
  if (rest !== 0) words.push(`0x${rest.toString(16)}`);
  return words;
}

/** The route types by RTN_* number less one (RTN_UNICAST is 1), as ip names them. @internal */
export const ROUTE_TYPES: readonly RouteType[] = [
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
];

/**
 * A protocol or scope with no name, as a listing gives it: its number in a string ('200'), 0-255,
 * so a listed route deletes as it is. Undefined for anything else.
 */
function unnamedByte(text: unknown): number | undefined {
  return typeof text === 'string' && /^(0|[1-9][0-9]{0,2})$/.test(text) && Number(text) <= 255
    ? Number(text)
    : undefined;
}

/**
 * A protocol number for a name ('boot', 'static', or one of rt_protos: lib/rt-names.ts) or a
 * number; undefined: boot. @internal
 */
export function protocolNumber(p: string | number | undefined, operation: string): number {
  return p === undefined ? RTPROT_BOOT : protocolId(p, operation);
}

/** @internal */
export function describeRoute(spec: RouteSpec): string {
  if (typeof spec !== 'object' || spec === null) return describeValue(spec);
  const parts = spec.destination === undefined ? [] : [String(spec.destination)];
  if (spec.from !== undefined) parts.push(`from ${String(spec.from)}`); // where ip prints it
  if (spec.cached === true) parts.push('cached');
  if (spec.nexthopId !== undefined) parts.push(`nhid ${String(spec.nexthopId)}`);
  if (spec.gateway) parts.push(`via ${String(spec.gateway)}`);
  if (spec.link) parts.push(`dev ${spec.link instanceof Link ? spec.link.name : String(spec.link)}`);
  if (spec?.tos !== undefined) parts.push(`tos ${tosText(spec.tos)}`);
  if (spec?.table !== undefined) parts.push(`table ${spec.table}`);
  if (spec?.realm !== undefined || spec?.sourceRealm !== undefined) parts.push(`realms ${realmsText(spec)}`);
  if (Array.isArray(spec?.nexthops)) {
    for (const hop of spec.nexthops) {
      const via = hop?.gateway !== undefined ? ` via ${String(hop.gateway)}` : '';
      const dev = hop?.link !== undefined ? ` dev ${typeof hop.link === 'string' ? hop.link : hop.link.name}` : '';
      parts.push(`nexthop${via}${dev}${hop?.weight !== undefined ? ` weight ${String(hop.weight)}` : ''}`);
    }
  }
  return parts.length > 0 ? parts.join(' ') : 'with no destination';
}

/** A spec's realms as ip takes them: `S/D`, or `D` alone. */
function realmsText(spec: { realm?: unknown; sourceRealm?: unknown }): string {
  const destination = spec.realm === undefined ? '0' : String(spec.realm);
  return spec.sourceRealm === undefined ? destination : `${String(spec.sourceRealm)}/${destination}`;
}

/**
 * RTA_FLOW for a spec's `realm` and `sourceRealm` (`where`: ' of next hop 2'), undefined when it
 * gives neither. IPv4 only: the kernel drops it from an IPv6 route. @internal
 */
export function realmsFlow(
  spec: { realm?: unknown; sourceRealm?: unknown },
  family: 4 | 6,
  operation: string,
  where = '',
): number | undefined {
  if (spec.realm === undefined && spec.sourceRealm === undefined) return undefined;
  const destination = spec.realm === undefined ? 0 : realmId(spec.realm, operation, `the realm${where}`);
  const source = spec.sourceRealm === undefined ? 0 : realmId(spec.sourceRealm, operation, `the source realm${where}`);
  if (family === 6) {
    throw invalid(
      operation,
      `realms (realm, sourceRealm${where}) are for IPv4 routes only: the kernel takes them on an IPv6 route and drops them`,
    );
  }
  return ((source << 16) | destination) >>> 0;
}

/** A TOS as iproute2 prints it (`0x10`); anything else as it is. @internal */
export function tosText(tos: unknown): string {
  return typeof tos === 'number' && Number.isInteger(tos) && tos >= 0 && tos <= 255
    ? `0x${tos.toString(16).padStart(2, '0')}`
    : String(tos);
}

/** RTA_PREF's values (ICMPV6_ROUTER_PREF_MEDIUM 0, HIGH 1, INVALID 2, LOW 3). */
const PREFERENCES: Array<RoutePreference | undefined> = ['medium', 'high', undefined, 'low'];

/** Why an IPv4 route cannot have `what`, and how to make the route IPv6 if that was meant. */
function onlyIpv6(what: string, spec: RouteSpec): string {
  const hint =
    spec.destination === 'default' && spec.family === undefined
      ? '; for an IPv6 default route give family: 6 or an IPv6 gateway'
      : '';
  return `${what} is for IPv6 routes only (the kernel ignores it on an IPv4 route)${hint}`;
}

/** The ECN bits of a DS field: a route cannot be chosen by them. */
const ECN_MASK = 0x03;

/**
 * Checks a RouteSpec and turns it into the kernel's terms. `oif` is the already-resolved
 * outgoing link. Add and delete differ as in iproute2: an add gets protocol boot, type
 * unicast and a scope; a delete matches any of those unless they were given.
 * @internal
 */
export function routeRequest(
  spec: RouteSpec,
  oif: number | undefined,
  forDelete: boolean,
  operation: string,
  hopOifs: Array<number | undefined> = [],
): NativeRouteRequest {
  if (typeof spec !== 'object' || spec === null) throw invalid(operation, 'the route must be an object');
  let family: 4 | 6 | undefined;
  let dst: string | undefined;
  let dstLen = 0;
  if (spec.destination === undefined) {
    throw invalid(
      operation,
      "the route has no destination; give destination: 'default' or a network such as '198.18.1.0/24'",
    );
  }
  if (spec.destination !== 'default') {
    const cidr = parseCidr(spec.destination, operation, 'destination');
    family = cidr.family;
    dst = cidr.address;
    dstLen = cidr.prefixLength;
  }
  let gateway: string | undefined;
  if (spec.gateway !== undefined) {
    const gw = parseIp(spec.gateway, operation, 'gateway');
    if (family !== undefined && gw.family !== family) {
      throw invalid(operation, `the gateway ${gw.address} is IPv${gw.family} but the destination is IPv${family}`);
    }
    family = gw.family;
    gateway = gw.address;
  }
  let prefsrc: string | undefined;
  if (spec.source !== undefined) {
    const src = parseIp(spec.source, operation, 'source address');
    if (family !== undefined && src.family !== family) {
      throw invalid(operation, `the source ${src.address} is IPv${src.family} but the route is IPv${family}`);
    }
    family = src.family;
    prefsrc = src.address;
  }
  let from: ParsedCidr | undefined;
  if (spec.from !== undefined) {
    // An address alone is that address (/128), as `ip -6 route add ... from ADDRESS` reads it.
    from = parseCidr(spec.from, operation, 'source prefix (from)');
    if (family !== undefined && from.family !== family) {
      throw invalid(
        operation,
        `the source prefix (from) ${spec.from} is IPv${from.family} but the route is IPv${family}`,
      );
    }
    family = from.family;
  }
  let nhid: number | undefined;
  if (spec.nexthopId !== undefined) {
    nhid = checkInteger(spec.nexthopId, operation, 'the nexthop id (nexthopId)', 1, 0xffffffff);
    if (
      !forDelete &&
      (spec.gateway !== undefined ||
        spec.link !== undefined ||
        spec.onlink !== undefined ||
        spec.nexthops !== undefined)
    ) {
      throw invalid(
        operation,
        'a route through a nexthop object (nexthopId) takes its gateway and link from that object; ' +
          'give no gateway, link, onlink or nexthops with it',
      );
    }
  }
  const hops: NativeNexthopRequest[] = [];
  const hopRealms: NexthopSpec[] = [];
  if (spec.nexthops !== undefined && !(forDelete && nhid !== undefined)) {
    if (!Array.isArray(spec.nexthops) || spec.nexthops.length === 0 || spec.nexthops.length > MAX_NEXTHOPS) {
      throw invalid(operation, `nexthops must be an array of 1 to ${MAX_NEXTHOPS} next hops`);
    }
    if (spec.gateway !== undefined || spec.link !== undefined || spec.onlink !== undefined) {
      throw invalid(operation, 'a route has either nexthops or a gateway and link of its own, not both');
    }
    spec.nexthops.forEach((hop, i) => {
      if (typeof hop !== 'object' || hop === null) throw invalid(operation, `next hop ${i + 1} must be an object`);
      const out: NativeNexthopRequest = {};
      if (hop.gateway !== undefined) {
        const gw = parseIp(hop.gateway, operation, `gateway of next hop ${i + 1}`);
        if (family !== undefined && gw.family !== family) {
          throw invalid(operation, `the gateway ${gw.address} is IPv${gw.family} but the route is IPv${family}`);
        }
        family = gw.family;
        out.gateway = gw.address;
      }
      const hopOif = hopOifs[i];
      if (hopOif !== undefined) out.oif = hopOif;
      if (out.gateway === undefined && out.oif === undefined) {
        throw invalid(operation, `next hop ${i + 1} needs a gateway or a link`);
      }
      if (hop.weight !== undefined) out.hops = checkInteger(hop.weight, operation, 'the weight', 1, 256) - 1;
      if (hop.onlink) out.flags = RTNH_F_ONLINK;
      const encap = encapOf(hop.encap, forDelete, operation, `nexthops[${i}].encap`);
      if (encap !== undefined) out.encap = encap;
      hops.push(out);
      hopRealms.push(hop);
    });
  }
  if (spec.family !== undefined) {
    if (spec.family !== 4 && spec.family !== 6) throw invalid(operation, 'family must be 4 or 6');
    if (family !== undefined && spec.family !== family) {
      throw invalid(operation, `family ${spec.family} does not match the route's addresses (IPv${family})`);
    }
    family = spec.family;
  }
  family ??= 4;
  const cached = checkBoolean(spec.cached, operation, 'cached') === true;
  if (cached && !forDelete) {
    throw invalid(
      operation,
      'a route exception (cached) is made by the kernel itself, from an ICMP "packet too big" or redirect; it cannot be added',
    );
  }
  if (cached && family === 4) {
    throw invalid(
      operation,
      'an IPv4 route exception cannot be deleted alone: the kernel has no request for that (an IPv4 delete removes a route of ' +
        'the table instead); flushRoutes({ cache: true, family: 4 }) drops them all, as ip route flush cache',
    );
  }
  const flow = realmsFlow(spec, family, operation);
  hopRealms.forEach((hop, i) => {
    const hopFlow = realmsFlow(hop, family ?? 4, operation, ` of next hop ${i + 1}`);
    if (hopFlow !== undefined) (hops[i] as NativeNexthopRequest).flow = hopFlow;
  });
  if (from !== undefined && family === 4) {
    throw invalid(
      operation,
      'a source prefix (from) is for IPv6 routes only: the kernel ignores it on an IPv4 route, which would then be ' +
        'for every source; to route IPv4 packets by their source, add a rule (ns.addRule({ from, table }))',
    );
  }
  let tos: number | undefined;
  if (spec.tos !== undefined) {
    tos = dsfieldValue(spec.tos, operation);
    if (tos !== 0 && family === 6) {
      throw invalid(
        operation,
        'a TOS is for IPv4 routes only; an IPv6 route has none (the kernel does not choose IPv6 routes by traffic class)',
      );
    }
    // Recent kernels refuse them; older ones made a route no packet matches. A delete goes as
    // given: an older kernel may hold such a route.
    if (!forDelete && tos & ECN_MASK) {
      throw invalid(
        operation,
        `the TOS ${tosText(tos)} sets ECN bits (0x03), which no packet is routed by; give it without them: ${tosText(tos & ~ECN_MASK)}`,
      );
    }
  }

  let metrics: NativeRouteRequest['metrics'];
  if (spec.metrics !== undefined) metrics = metricsRequest(spec.metrics, operation);
  let pref: number | undefined;
  if (spec.preference !== undefined) {
    pref = PREFERENCES.indexOf(spec.preference);
    if (pref < 0 || typeof spec.preference !== 'string') {
      throw invalid(
        operation,
        `the preference must be 'low', 'medium' or 'high', not ${describeValue(spec.preference)}`,
      );
    }
    if (family === 4) throw invalid(operation, onlyIpv6('a router preference (pref)', spec));
  }
  let expires: number | undefined;
  if (spec.expires !== undefined) {
    // A listed route says what is left, which may be 0 or less: a delete takes it as it is.
    expires = forDelete
      ? checkInteger(spec.expires, operation, 'expires', -0x80000000, 0xffffffff)
      : checkInteger(spec.expires, operation, 'expires (seconds)', 1, 0xfffffffe);
    if (family === 4) throw invalid(operation, onlyIpv6('an expiry (expires)', spec));
  }

  const typeIndex = spec.type === undefined ? -1 : ROUTE_TYPES.indexOf(spec.type);
  if (spec.type !== undefined && typeIndex < 0) throw invalid(operation, `unknown route type "${String(spec.type)}"`);
  let scope: number | undefined;
  if (spec.scope !== undefined) {
    scope = scopeNumber(spec.scope);
    scope ??= unnamedByte(spec.scope);
    if (scope === undefined) throw invalid(operation, `unknown scope ${describeValue(spec.scope)}`);
  }

  const req: NativeRouteRequest = {
    family: family === 4 ? AF_INET : AF_INET6,
    dstLen,
    table: spec.table === undefined ? RT_TABLE_MAIN : tableId(spec.table, operation),
  };
  if (dst !== undefined) req.dst = dst;
  if (from !== undefined) {
    req.src = from.address;
    req.srcLen = from.prefixLength;
  }
  if (tos !== undefined) req.tos = tos;
  if (nhid !== undefined) {
    // A listed route through a nexthop object also names the object's gateway and link: the
    // kernel matches a delete on the id alone (fib_nh_match), so only the id is sent.
    req.nhid = nhid;
  } else {
    if (gateway !== undefined) req.gateway = gateway;
    if (oif !== undefined) req.oif = oif;
  }
  if (prefsrc !== undefined) req.prefsrc = prefsrc;
  if (spec.metric !== undefined) req.priority = checkInteger(spec.metric, operation, 'the metric', 0, 0xffffffff);
  if (spec.onlink && nhid === undefined) req.flags = RTNH_F_ONLINK;
  // RTM_F_CLONED in a delete: the IPv6 exception of the destination (ip6_route_del's RTF_CACHE).
  if (cached) req.flags = (req.flags ?? 0) | RTM_F_CLONED;
  if (hops.length > 0) req.multipath = hops;
  if (flow !== undefined) req.flow = flow;
  const encap = encapOf(spec.encap, forDelete, operation, 'encap');
  if (encap !== undefined) req.encap = encap;
  // An IPv4 delete matches the metrics given; the kernel ignores them on an IPv6 one, and
  // preference and expiry on any delete: those are sent only to add.
  if (metrics !== undefined && Object.keys(metrics).length > 0 && (!forDelete || family === 4)) {
    req.metrics = metrics;
  }
  if (!forDelete) {
    if (pref !== undefined) req.pref = pref;
    if (expires !== undefined) req.expires = expires;
  }

  if (forDelete) {
    req.scope = scope ?? RT_SCOPE_NOWHERE; // matches any scope
    if (typeIndex >= 0) req.type = typeIndex + 1;
    if (spec.protocol !== undefined) req.protocol = protocolNumber(spec.protocol, operation);
  } else {
    req.type = typeIndex >= 0 ? typeIndex + 1 : RTN_UNICAST;
    req.protocol = protocolNumber(spec.protocol, operation);
    // iproute2's default: a route with no gateway through a device is on-link (scope link) for
    // IPv4; local routes are host-scoped; everything else is global.
    if (scope === undefined) {
      if (req.type === RTN_LOCAL) scope = RT_SCOPE_HOST;
      else if (family === 4 && gateway === undefined && oif !== undefined && req.type === RTN_UNICAST)
        scope = RT_SCOPE_LINK;
      else scope = RT_SCOPE_UNIVERSE;
    }
    req.scope = scope;
  }
  return req;
}

/**
 * A route's or next hop's encap as sent: checked to add; to delete, left out when listed of a
 * type the library cannot build (the kernel then matches the route without comparing it).
 */
function encapOf(
  encap: unknown,
  forDelete: boolean,
  operation: string,
  what: string,
): NativeRouteRequest['encap'] | undefined {
  if (encap === undefined) return undefined;
  if (forDelete && typeof encap === 'object' && encap !== null && !encapBuildable(encap as RouteEncap)) {
    return undefined;
  }
  return encapRequest(encap, operation, what);
}

/**
 * The delete of a route as listed, its links by index (`linkIndex`, each next hop's): what
 * deleteRoute sends for it, without looking its links up by name. @internal
 */
export function listedRouteDelete(route: Route, operation: string): NativeRouteRequest {
  return routeRequest(
    route,
    route.linkIndex,
    true,
    operation,
    route.nexthops?.map((h) => h.linkIndex),
  );
}

/**
 * A route as read back. `names` gives the table's and TOS's names (one object for a whole
 * listing: the files are read at most once, and only for a table or TOS not built in). @internal
 */
export function routeFromNative(
  r: NativeRoute,
  linkNames: { get(index: number): string | undefined },
  names: Iproute2Names = new Iproute2Names(),
): Route {
  const family = r.family === AF_INET ? 4 : 6;
  const route: Route = {
    destination: r.dst ? `${r.dst}/${r.dstLen}` : 'default',
    family,
    table: r.table,
    type: ROUTE_TYPES[r.type - 1] ?? 'unicast',
    protocol: names.protocol(r.protocol),
    scope: scopeName(r.scope),
  };
  if (r.nhid !== undefined) route.nexthopId = r.nhid;
  if (r.gateway) route.gateway = r.gateway;
  if (r.oif) {
    route.linkIndex = r.oif;
    const name = linkNames.get(r.oif);
    if (name !== undefined) route.link = name;
  }
  const tableName = names.table(r.table);
  if (tableName !== undefined) route.tableName = tableName;
  if (r.tos) {
    route.tos = r.tos;
    const tosName = names.dsfield(r.tos);
    if (tosName !== undefined) route.tosName = tosName;
  }
  if (r.priority !== undefined) route.metric = r.priority;
  if (r.prefsrc) route.source = r.prefsrc;
  // In a lookup's answer RTA_SRC is the source asked with, not a prefix of the route: the
  // lookup (lib/route-lookup.ts) drops it there.
  if (r.src !== undefined && r.srcLen > 0) route.from = `${r.src}/${r.srcLen}`;
  if (r.flags & RTNH_F_DEAD) route.dead = true;
  if (r.flags & RTNH_F_ONLINK) route.onlink = true;
  if (r.flags & RTNH_F_LINKDOWN) route.linkdown = true;
  if (r.flags & RTM_F_CLONED) {
    route.cached = true;
    const flags = family === 4 ? cacheFlagsOf(r.flags) : [];
    if (flags.length > 0) route.cacheFlags = flags;
  }
  if (r.pref !== undefined) route.preference = PREFERENCES[r.pref] ?? 'medium';
  if (r.expires !== undefined) route.expires = r.expires;
  if (
    r.cacheUsers !== undefined ||
    r.cacheUsed !== undefined ||
    r.cacheLastUseMs !== undefined ||
    r.cacheError !== undefined
  ) {
    route.cacheInfo = {
      users: r.cacheUsers ?? 0,
      used: r.cacheUsed ?? 0,
      ageMs: r.cacheLastUseMs ?? 0,
      error: r.cacheError ?? 0,
    };
  }
  if (r.flow !== undefined) Object.assign(route, realmsOf(r.flow));
  if (r.metrics !== undefined) {
    const metrics = metricsFromNative(r.metrics);
    if (metrics !== undefined) route.metrics = metrics;
  }
  if (r.encap !== undefined) route.encap = encapFromNative(r.encap);
  if (r.multipath !== undefined) {
    route.nexthops = r.multipath.map((h) => {
      const hop: Nexthop = { weight: h.hops + 1 };
      if (h.gateway) hop.gateway = h.gateway;
      if (h.oif) {
        hop.linkIndex = h.oif;
        const name = linkNames.get(h.oif);
        if (name !== undefined) hop.link = name;
      }
      if (h.flags & RTNH_F_DEAD) hop.dead = true;
      if (h.flags & RTNH_F_ONLINK) hop.onlink = true;
      if (h.flags & RTNH_F_LINKDOWN) hop.linkdown = true;
      if (h.flow !== undefined) Object.assign(hop, realmsOf(h.flow));
      if (h.encap !== undefined) hop.encap = encapFromNative(h.encap);
      return hop;
    });
  }
  return route;
}

/** RTA_FLOW (FRA_FLOW) as `realm` and `sourceRealm` (the latter when not 0). @internal */
export function realmsOf(flow: number): { realm: number; sourceRealm?: number } {
  const source = flow >>> 16;
  return source === 0 ? { realm: flow & 0xffff } : { realm: flow & 0xffff, sourceRealm: source };
}

/**
 * `ip route show`: the routes of a table (main by default), without cached ones; with `cache`,
 * the cached ones alone (`ip route show cache`). @internal
 */
export async function listRoutes(ns: Namespace, options: RoutesOptions): Promise<Route[]> {
  const operation = `list routes${ns.where}`;
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) {
    throw invalid(operation, 'family must be 4 or 6');
  }
  const table =
    options.table === undefined ? RT_TABLE_MAIN : tableId(options.table, operation, { min: 0, allowAll: true });
  const family = options.family === 4 ? AF_INET : options.family === 6 ? AF_INET6 : 0;
  // A realm given selects its half of RTA_FLOW, as ip's `realms` selector (a route without
  // realms has 0/0).
  const realm = options.realm === undefined ? undefined : realmId(options.realm, operation, 'the realm');
  const sourceRealm =
    options.sourceRealm === undefined ? undefined : realmId(options.sourceRealm, operation, 'the source realm');
  const cache = checkBoolean(options.cache, operation, 'cache') === true;
  const signal = checkSignal(options.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  // Links too, to name each route's device; both dumps in one batch.
  const dump: NativeOp = { op: 'dumproutes', family, table, ...(cache && { flags: RTM_F_CLONED }) };
  const dumps = batch(handle, [{ op: 'dumplinks' }, dump], operation, 'route', signal);
  const results = await abortable(dumps, signal, operation);
  throwFirstFailure(results, operation, 'route');
  const names = new Map((results[0] as NativeLink[]).map((l) => [l.index, l.name]));
  const iproute2Names = new Iproute2Names();
  // The kernel filters on the table only with strict checking (4.20); below that, here.
  return (results[1] as NativeRoute[])
    .filter((r) => (r.flags & RTM_F_CLONED ? cache : !cache) && (table === 0 || r.table === table))
    .filter(
      (r) =>
        (realm === undefined || ((r.flow ?? 0) & 0xffff) === realm) &&
        (sourceRealm === undefined || (r.flow ?? 0) >>> 16 === sourceRealm),
    )
    .map((r) => routeFromNative(r, names, iproute2Names));
}

const ADD = NLM_F_CREATE | NLM_F_EXCL;

/** `ip route add|replace|append|prepend`; with `echo`, `ip -echo route ...`. @internal */
export function addRoute(ns: Namespace, route: RouteSpec, options?: AddRouteOptions): Promise<Route | void> {
  let operation: string;
  let flags = ADD;
  try {
    let verb = 'add';
    if (options !== undefined) [flags, verb] = addFlags(options, `add route${ns.where}`);
    operation = `${verb} route ${describeRoute(route)}${ns.where}`;
  } catch (e) {
    return Promise.reject(e); // a destination whose String() throws: rejected, never thrown
  }
  return changeRoute(ns, route, false, flags, operation);
}

/**
 * The request flags of `ip route add` (CREATE|EXCL), `replace` (CREATE|REPLACE), `change`
 * (REPLACE alone: the route must exist), `append` (CREATE|APPEND) or `prepend` (CREATE alone),
 * and that verb.
 */
function addFlags(options: AddRouteOptions, operation: string): [number, string] {
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  let flags = ADD;
  let chosen: string | undefined;
  const echo = checkBoolean(options.echo, operation, 'echo') ? NLM_F_ECHO : 0;
  for (const [key, value, bits] of [
    ['replace', options.replace, NLM_F_CREATE | NLM_F_REPLACE],
    ['change', options.change, NLM_F_REPLACE],
    ['append', options.append, NLM_F_CREATE | NLM_F_APPEND],
    ['prepend', options.prepend, NLM_F_CREATE],
  ] as const) {
    if (!checkBoolean(value, operation, key)) continue;
    if (chosen)
      throw invalid(
        operation,
        `${chosen} and ${key} exclude each other (ip route replace | change | append | prepend)`,
      );
    chosen = key;
    flags = bits;
  }
  return [flags | echo, chosen ?? 'add'];
}

/** `ip route del`; with `echo`, `ip -echo route del`. @internal */
export function deleteRoute(ns: Namespace, route: RouteSpec, options?: DeleteRouteOptions): Promise<Route | void> {
  let operation: string;
  let flags = 0;
  try {
    operation = `delete route ${describeRoute(route)}${ns.where}`;
    if (options !== undefined) {
      const echo = checkOptionKeys<DeleteRouteOptions>(options, ['echo'], operation).echo;
      if (checkBoolean(echo, operation, 'echo') === true) flags = NLM_F_ECHO;
    }
  } catch (e) {
    return Promise.reject(e);
  }
  return changeRoute(ns, route, true, flags, operation);
}

/**
 * Adds (with the request `flags`) or deletes (`forDelete`, with `flags` 0 or NLM_F_ECHO) a route.
 * A route whose links are all Link objects (or that has none) is checked and built at once and
 * sent without an await of its own: one promise per call. One that names links, or a change with
 * NLM_F_ECHO (whose echo names its links), is checked first, then its links are looked up
 * (requests), then it is sent.
 */
function changeRoute(
  ns: Namespace,
  route: RouteSpec,
  forDelete: boolean,
  flags: number,
  operation: string,
): Promise<Route | void> {
  const echo = (flags & NLM_F_ECHO) !== 0;
  let op: NativeOp | undefined;
  let congctl: string | undefined;
  try {
    const spec = route as Partial<RouteSpec> | null;
    const link: unknown = spec?.link;
    if (!echo && (link === undefined || link instanceof Link) && !Array.isArray(spec?.nexthops)) {
      const req = routeRequest(route, link === undefined ? undefined : link.index, forDelete, operation);
      if (link !== undefined) checkSameNamespace(ns, link, operation);
      op = forDelete ? { op: 'delroute', route: req } : { op: 'newroute', flags, route: req };
      congctl = req.metrics?.ccAlgo;
    } else {
      congctl = checkRoute(route, forDelete, operation).metrics?.ccAlgo;
    }
  } catch (e) {
    return Promise.reject(e);
  }
  const sent =
    op !== undefined
      ? (requestIn(ns, op, operation, 'route') as Promise<unknown> as Promise<void>)
      : changeRouteByName(ns, route, forDelete, flags, operation);
  return congctl === undefined ? sent : sent.catch((e: unknown) => Promise.reject(unknownCongctl(e, congctl)));
}

/** The kernel's EINVAL for a congestion control it does not have, said with where to look. */
function unknownCongctl(e: unknown, name: string): unknown {
  if (!(e instanceof NetnsError) || e.code !== 'EINVAL' || !/congestion/i.test(e.detail ?? '')) return e;
  return withReason(
    e,
    `the kernel has no TCP congestion control "${name}": /proc/sys/net/ipv4/tcp_available_congestion_control lists those loaded, and another must exist as module tcp_${name}`,
  );
}

/**
 * A route that names links: one call on the namespace's FIFO from the lookup of its links (one
 * batch) to the change, so that a call made after it (a rename or delete of the link) cannot run
 * between them. With NLM_F_ECHO in `flags`, resolves with the route the kernel sent back (the
 * one made or removed), its links named (those it picked itself looked up in the same call).
 */
async function changeRouteByName(
  ns: Namespace,
  route: RouteSpec,
  forDelete: boolean,
  flags: number,
  operation: string,
): Promise<Route | undefined> {
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  // Checked before the call is queued: bad input fails before anything is sent.
  const oifLink = linkArg(ns, route.link, operation);
  const hops: unknown = (route as Partial<RouteSpec> | null)?.nexthops;
  const hopArgs = Array.isArray(hops)
    ? hops.map((hop: unknown) => linkArg(ns, (hop as NexthopSpec | null)?.link, operation))
    : undefined;
  const names = [oifLink, ...(hopArgs ?? [])].filter((l): l is string => typeof l === 'string');
  return exclusive(handle, operation, 'route', async (send) => {
    const found = new Map<string, number>();
    if (names.length > 0) {
      const unique = [...new Set(names)];
      const results = await send(unique.map((name) => ({ op: 'getlink', name })));
      throwFirstFailure(results, operation, 'link');
      unique.forEach((name, i) => found.set(name, (results[i] as NativeLink).index));
    }
    const index = (l: string | number | undefined): number | undefined => (typeof l === 'string' ? found.get(l) : l);
    const req = routeRequest(route, index(oifLink), forDelete, operation, hopArgs?.map(index) ?? []);
    const op: NativeOp = forDelete
      ? { op: 'delroute', route: req, ...(flags !== 0 && { flags }) }
      : { op: 'newroute', flags, route: req };
    const results = await send([op]);
    throwFirstFailure(results, operation, 'route');
    if (!(flags & NLM_F_ECHO)) return undefined;
    const made = echoedObject(results[0] as NativeRoute[] | undefined, operation, 'route', forDelete);
    // Names of the links given (Link objects and names looked up); the kernel's choices (a
    // gateway's link) looked up now, unnamed if gone meanwhile (ip's ifN).
    const linkNames = new Map<number, string>([...found].map(([name, i]) => [i, name]));
    for (const given of [route.link, ...(route.nexthops ?? []).map((hop) => hop.link)]) {
      if (given instanceof Link) linkNames.set(given.index, given.name);
    }
    const unnamed = [...new Set([made.oif, ...(made.multipath ?? []).map((hop) => hop.oif)])].filter(
      (i): i is number => i !== undefined && i !== 0 && !linkNames.has(i),
    );
    if (unnamed.length > 0) {
      const links = await send(unnamed.map((i) => ({ op: 'getlink', index: i })));
      for (const l of links)
        if (l !== undefined && !isFailure(l)) linkNames.set((l as NativeLink).index, (l as NativeLink).name);
    }
    return routeFromNative(made, linkNames);
  });
}

/**
 * A `link` argument (`what`: 'link', 'input link', ...): undefined, the index of a Link of `ns`,
 * or a name still to look up. @internal
 */
export function linkArg(ns: Namespace, link: unknown, operation: string, what = 'link'): number | string | undefined {
  if (link === undefined) return undefined;
  if (link instanceof Link) {
    checkSameNamespace(ns, link, operation, what);
    return link.index;
  }
  return checkLinkName(link, operation, `${what} name`);
}

function checkSameNamespace(ns: Namespace, link: Link, operation: string, what = 'link'): void {
  if (link.namespace.inode !== ns.inode) throw invalid(operation, `the ${what} "${link.name}" is in another namespace`);
}

/**
 * Everything about a route that can be checked before looking its link up (which is a request
 * to the kernel): bad input is refused before any syscall. Returns the request it would make
 * (with placeholder link indexes).
 */
function checkRoute(route: RouteSpec, forDelete: boolean, operation: string): NativeRouteRequest {
  if (typeof route !== 'object' || route === null) throw invalid(operation, 'the route must be an object');
  const link: unknown = route.link;
  if (link !== undefined && !(link instanceof Link)) checkLinkName(link, operation);
  // A next hop's link stands in for its gateway (`nexthop dev X`): a placeholder index for each
  // hop that names one, so that routeRequest sees it there before it is looked up.
  const hops: unknown = route.nexthops;
  const hopOifs = Array.isArray(hops)
    ? hops.map((hop: unknown, i) => {
        const hopLink: unknown = (hop as NexthopSpec | null)?.link;
        if (hopLink === undefined) return undefined;
        if (!(hopLink instanceof Link)) checkLinkName(hopLink, operation, `link name of next hop ${i + 1}`);
        return 1;
      })
    : [];
  return routeRequest(route, link === undefined ? undefined : 1, forDelete, operation, hopOifs);
}
