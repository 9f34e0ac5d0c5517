/**
 * A route's lightweight tunnel encapsulation (RTA_ENCAP_TYPE + RTA_ENCAP): what `ip route add
 * PREFIX encap TYPE ... dev D` sets and `ip route show` prints after the destination. The kernel
 * applies it to each packet the route (or one next hop of it) sends: tunnel metadata for a
 * `vxlan external` / `geneve external` / `gre external` link (`ip`, `ip6`), an IPv6 segment
 * routing header (`seg6`), an SRv6 endpoint behaviour (`seg6local`), an MPLS label stack (`mpls`).
 */
import { invalid } from './internal/errors';
import { checkBoolean, checkInteger, describeValue, parseIp } from './internal/validate';
import type { NativeRouteEncap } from './native/surface';
import { dsfieldValue, tableId } from './rt-names';

/** The kernel's encap types (LWTUNNEL_ENCAP_*), by their names in `ip route ... encap TYPE`. */
export const ENCAP_TYPES = ['mpls', 'ip', 'ila', 'ip6', 'seg6', 'bpf', 'seg6local', 'rpl', 'ioam6', 'xfrm'] as const;
export type RouteEncapType = (typeof ENCAP_TYPES)[number];

/**
 * Tunnel metadata for an IPv4 collect_md tunnel link (`vxlan external`, `geneve external`, `gre
 * external`, ...): `encap ip id 5 dst 198.18.22.9 [src S] [ttl N] [tos T] [key] [csum] [seq]`.
 * Listed routes carry every field the kernel reports (source 0.0.0.0, ttl 0, tos 0 when not set).
 */
export interface IpRouteEncap {
  type: 'ip';
  /** The tunnel key (`id`: a VXLAN VNI, a GRE key), 0 to 2^53 - 1. */
  id?: number;
  /** The outer header's destination (`dst`), an IPv4 address. */
  destination?: string;
  /** The outer header's source (`src`), an IPv4 address. */
  source?: string;
  /** The outer header's TTL (`ttl`), 0-255; 0: the link's. */
  ttl?: number;
  /** The outer header's TOS (`tos`): 0-255, a name of rt_dsfield, or hex in a string. Listed: a number. */
  tos?: number | string;
  /** Send the key (`key`, TUNNEL_KEY). */
  key?: boolean;
  /** Checksum the outer packet (`csum`, TUNNEL_CSUM). */
  checksum?: boolean;
  /** Sequence numbers (`seq`, TUNNEL_SEQ). */
  sequence?: boolean;
}

/** As {@link IpRouteEncap}, for an IPv6 tunnel: `encap ip6 id 5 dst fd00:bc::9 [hoplimit N] [tc T] ...`. */
export interface Ip6RouteEncap {
  type: 'ip6';
  id?: number;
  /** An IPv6 address (`dst`). */
  destination?: string;
  /** An IPv6 address (`src`). */
  source?: string;
  /** The outer header's hop limit (`hoplimit`), 0-255. */
  hopLimit?: number;
  /** The outer header's traffic class (`tc`), as {@link IpRouteEncap.tos}. */
  trafficClass?: number | string;
  key?: boolean;
  checksum?: boolean;
  sequence?: boolean;
}

/** How a seg6 encap applies its segments (SEG6_IPTUN_MODE_*), as `mode` names it. */
export type Seg6Mode = 'inline' | 'encap' | 'l2encap' | 'encap.red' | 'l2encap.red';
export const SEG6_MODES: readonly Seg6Mode[] = ['inline', 'encap', 'l2encap', 'encap.red', 'l2encap.red'];

/**
 * An IPv6 segment routing header (SRv6): `encap seg6 mode encap segs fd00:bc::1,fd00:bc::2 [hmac
 * KEYID]`. `inline` inserts it in the packet (IPv6 packets only), the others wrap the packet
 * (IPv4 or IPv6; l2: the Ethernet frame) in an outer IPv6 header that carries it.
 */
export interface Seg6RouteEncap {
  type: 'seg6';
  mode: Seg6Mode;
  /** The segments (IPv6 addresses) in the order the packet visits them, 1 to 128. */
  segments: string[];
  /** The HMAC key id (`hmac`, 1 to 4294967295): the SRH carries an HMAC TLV with it. */
  hmacKeyId?: number;
}

/** An SRv6 endpoint behaviour (SEG6_LOCAL_ACTION_*), as `action` names it. */
export type Seg6LocalAction =
  | 'End'
  | 'End.X'
  | 'End.T'
  | 'End.DX2'
  | 'End.DX6'
  | 'End.DX4'
  | 'End.DT6'
  | 'End.DT4'
  | 'End.B6'
  | 'End.B6.Encaps'
  | 'End.BM'
  | 'End.S'
  | 'End.AS'
  | 'End.AM'
  | 'End.BPF'
  | 'End.DT46';
/** By SEG6_LOCAL_ACTION_* number, from 1. */
export const SEG6LOCAL_ACTIONS: readonly Seg6LocalAction[] = [
  'End',
  'End.X',
  'End.T',
  'End.DX2',
  'End.DX6',
  'End.DX4',
  'End.DT6',
  'End.DT4',
  'End.B6',
  'End.B6.Encaps',
  'End.BM',
  'End.S',
  'End.AS',
  'End.AM',
  'End.BPF',
  'End.DT46',
];

/**
 * What an IPv6 route to a local SID does with the packets (`encap seg6local action End.DT6 table
 * 100`): the action, and the parameters it needs (the kernel says which one is missing).
 */
export interface Seg6LocalRouteEncap {
  type: 'seg6local';
  action: Seg6LocalAction;
  /** The table to look the inner packet up in (`table`, End.T / End.DT4 / End.DT6): its id or name. Listed: the id. */
  table?: number | string;
  /** The VRF table (`vrftable`, End.DT4 / End.DT6 / End.DT46): its id or name. Listed: the id. */
  vrfTable?: number | string;
  /** The next hop (End.X, End.DX4, End.DX6): `nh4` when IPv4, `nh6` when IPv6. */
  nexthop?: string;
  /** The input link's index (`iif`), for the actions that take one. */
  inputLinkIndex?: number;
  /** The output link's index (`oif`, End.DX2), for the actions that take one. */
  outputLinkIndex?: number;
}

/** An MPLS label stack to push (`encap mpls 100/200 [ttl 5]`); needs the kernel's mpls_iptunnel. */
export interface MplsRouteEncap {
  type: 'mpls';
  /** The labels, outermost first: 1 to 30 of them, each 0 to 1048575. */
  labels: number[];
  /** The TTL of the pushed labels (`ttl`), 0-255. */
  ttl?: number;
}

/**
 * An encap this library lists by type only (ila, bpf, rpl, ioam6, xfrm, or a number for a type
 * newer than it): the route has it, its parameters are not decoded. It cannot be added.
 */
export interface OtherRouteEncap {
  type: 'ila' | 'bpf' | 'rpl' | 'ioam6' | 'xfrm' | number;
}

/** A route's (or next hop's) encapsulation, by its `type`. */
export type RouteEncap =
  IpRouteEncap | Ip6RouteEncap | Seg6RouteEncap | Seg6LocalRouteEncap | MplsRouteEncap | OtherRouteEncap;

// LWTUNNEL_ENCAP_* by position (from 1).
const typeNumber = (name: RouteEncapType): number => ENCAP_TYPES.indexOf(name) + 1;
// TUNNEL_* bits of LWTUNNEL_IP_FLAGS (host order here; the addon sends them big-endian).
const TUNNEL_CSUM = 0x01;
const TUNNEL_KEY = 0x04;
const TUNNEL_SEQ = 0x08;
const MAX_SEGMENTS = 128;
const MAX_LABELS = 30;
const MAX_LABEL = 0xfffff;

const KEYS: Record<string, readonly string[]> = {
  ip: ['type', 'id', 'destination', 'source', 'ttl', 'tos', 'key', 'checksum', 'sequence'],
  ip6: ['type', 'id', 'destination', 'source', 'hopLimit', 'trafficClass', 'key', 'checksum', 'sequence'],
  seg6: ['type', 'mode', 'segments', 'hmacKeyId'],
  seg6local: ['type', 'action', 'table', 'vrfTable', 'nexthop', 'inputLinkIndex', 'outputLinkIndex'],
  mpls: ['type', 'labels', 'ttl'],
};

/** An address of one family, for field `what` of the encap. */
function address(value: unknown, family: 4 | 6, operation: string, what: string): string {
  const ip = parseIp(value, operation, what);
  if (ip.family !== family) {
    throw invalid(operation, `${what} must be an IPv${family} address, not ${describeValue(value)}`);
  }
  return ip.address;
}

/**
 * The encap as the addon takes it, checked: EINVAL naming the field for anything the kernel
 * would refuse or misread. `what` names it in messages ('encap', 'nexthops[1].encap').
 * @internal
 */
export function encapRequest(spec: unknown, operation: string, what = 'encap'): NativeRouteEncap {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalid(
      operation,
      `${what} must be an object such as { type: 'ip', id: 5, destination: '198.18.22.9' }, not ${describeValue(spec)}`,
    );
  }
  const e = spec as Record<string, unknown>;
  const keys = KEYS[e.type as string];
  if (keys === undefined) {
    const other = ENCAP_TYPES.includes(e.type as RouteEncapType) || typeof e.type === 'number';
    throw invalid(
      operation,
      other
        ? `${what}.type ${describeValue(e.type)} is listed but cannot be added by this library; the types it adds are ${Object.keys(KEYS).join(', ')}`
        : `${what}.type must be one of ${Object.keys(KEYS).join(', ')}, not ${describeValue(e.type)}`,
    );
  }
  for (const key of Object.keys(e)) {
    if (e[key] !== undefined && !keys.includes(key)) {
      throw invalid(
        operation,
        `unknown field ${what}.${key} for type ${e.type as string} (its fields are ${keys.slice(1).join(', ')})`,
      );
    }
  }
  const out: NativeRouteEncap = { type: typeNumber(e.type as RouteEncapType) };
  switch (e.type) {
    case 'ip':
    case 'ip6': {
      const family = e.type === 'ip' ? 4 : 6;
      if (e.id !== undefined) out.id = checkInteger(e.id, operation, `${what}.id`, 0, Number.MAX_SAFE_INTEGER);
      if (e.destination !== undefined) out.dst = address(e.destination, family, operation, `${what}.destination`);
      if (e.source !== undefined) out.src = address(e.source, family, operation, `${what}.source`);
      const ttlKey = family === 4 ? 'ttl' : 'hopLimit';
      const tosKey = family === 4 ? 'tos' : 'trafficClass';
      if (e[ttlKey] !== undefined) out.ttl = checkInteger(e[ttlKey], operation, `${what}.${ttlKey}`, 0, 255);
      if (e[tosKey] !== undefined) out.tos = dsfieldValue(e[tosKey], `${operation} (${what}.${tosKey})`);
      let flags = 0;
      if (checkBoolean(e.key, operation, `${what}.key`)) flags |= TUNNEL_KEY;
      if (checkBoolean(e.checksum, operation, `${what}.checksum`)) flags |= TUNNEL_CSUM;
      if (checkBoolean(e.sequence, operation, `${what}.sequence`)) flags |= TUNNEL_SEQ;
      if (flags !== 0) out.flags = flags;
      return out;
    }
    case 'seg6': {
      const mode = SEG6_MODES.indexOf(e.mode as Seg6Mode);
      if (mode < 0) {
        throw invalid(operation, `${what}.mode must be one of ${SEG6_MODES.join(', ')}, not ${describeValue(e.mode)}`);
      }
      out.mode = mode;
      if (!Array.isArray(e.segments) || e.segments.length === 0 || e.segments.length > MAX_SEGMENTS) {
        throw invalid(
          operation,
          `${what}.segments must be an array of 1 to ${MAX_SEGMENTS} IPv6 addresses, not ${describeValue(e.segments)}`,
        );
      }
      out.segments = e.segments.map((s, i) => address(s, 6, operation, `${what}.segments[${i}]`));
      if (e.hmacKeyId !== undefined)
        out.hmac = checkInteger(e.hmacKeyId, operation, `${what}.hmacKeyId`, 1, 0xffffffff);
      return out;
    }
    case 'seg6local': {
      const action = SEG6LOCAL_ACTIONS.indexOf(e.action as Seg6LocalAction);
      if (action < 0) {
        throw invalid(
          operation,
          `${what}.action must be one of ${SEG6LOCAL_ACTIONS.join(', ')}, not ${describeValue(e.action)}`,
        );
      }
      out.action = action + 1;
      if (e.table !== undefined) out.table = tableId(e.table, `${operation} (${what}.table)`);
      if (e.vrfTable !== undefined) out.vrftable = tableId(e.vrfTable, `${operation} (${what}.vrfTable)`);
      if (e.nexthop !== undefined) {
        const nh = parseIp(e.nexthop, operation, `${what}.nexthop`);
        if (nh.family === 4) out.nh4 = nh.address;
        else out.nh6 = nh.address;
      }
      if (e.inputLinkIndex !== undefined) {
        out.iif = checkInteger(e.inputLinkIndex, operation, `${what}.inputLinkIndex`, 1, 0x7fffffff);
      }
      if (e.outputLinkIndex !== undefined) {
        out.oif = checkInteger(e.outputLinkIndex, operation, `${what}.outputLinkIndex`, 1, 0x7fffffff);
      }
      return out;
    }
    default: {
      // mpls
      if (!Array.isArray(e.labels) || e.labels.length === 0 || e.labels.length > MAX_LABELS) {
        throw invalid(
          operation,
          `${what}.labels must be an array of 1 to ${MAX_LABELS} MPLS labels, not ${describeValue(e.labels)}`,
        );
      }
      out.labels = e.labels.map((l, i) => checkInteger(l, operation, `${what}.labels[${i}]`, 0, MAX_LABEL));
      if (e.ttl !== undefined) out.ttl = checkInteger(e.ttl, operation, `${what}.ttl`, 0, 255);
      return out;
    }
  }
}

/** Whether a listed encap can be sent back (a delete of a listed route matches on it). @internal */
export function encapBuildable(e: RouteEncap): boolean {
  return typeof e.type === 'string' && KEYS[e.type] !== undefined;
}

/** The encap as the library lists it. @internal */
export function encapFromNative(n: NativeRouteEncap): RouteEncap {
  const name = ENCAP_TYPES[n.type - 1];
  switch (name) {
    case 'ip':
    case 'ip6': {
      const e: Record<string, unknown> = { type: name };
      if (n.id !== undefined) e.id = n.id;
      if (n.dst !== undefined) e.destination = n.dst;
      if (n.src !== undefined) e.source = n.src;
      if (n.ttl !== undefined) e[name === 'ip' ? 'ttl' : 'hopLimit'] = n.ttl;
      if (n.tos !== undefined) e[name === 'ip' ? 'tos' : 'trafficClass'] = n.tos;
      const flags = n.flags ?? 0;
      if (flags & TUNNEL_KEY) e.key = true;
      if (flags & TUNNEL_CSUM) e.checksum = true;
      if (flags & TUNNEL_SEQ) e.sequence = true;
      return e as unknown as IpRouteEncap | Ip6RouteEncap;
    }
    case 'seg6': {
      const mode = SEG6_MODES[n.mode ?? -1];
      if (mode === undefined) return { type: 'seg6' } as unknown as RouteEncap; // a mode newer than this library
      const e: Seg6RouteEncap = { type: 'seg6', mode, segments: n.segments ?? [] };
      if (n.hmac !== undefined) e.hmacKeyId = n.hmac;
      return e;
    }
    case 'seg6local': {
      const action = SEG6LOCAL_ACTIONS[(n.action ?? 0) - 1];
      if (action === undefined) return { type: 'seg6local' } as unknown as RouteEncap; // an action newer than it
      const e: Seg6LocalRouteEncap = { type: 'seg6local', action };
      if (n.table !== undefined) e.table = n.table;
      if (n.vrftable !== undefined) e.vrfTable = n.vrftable;
      if (n.nh4 !== undefined) e.nexthop = n.nh4;
      if (n.nh6 !== undefined) e.nexthop = n.nh6;
      if (n.iif !== undefined) e.inputLinkIndex = n.iif;
      if (n.oif !== undefined) e.outputLinkIndex = n.oif;
      return e;
    }
    case 'mpls': {
      const e: MplsRouteEncap = { type: 'mpls', labels: n.labels ?? [] };
      if (n.ttl !== undefined) e.ttl = n.ttl;
      return e;
    }
    default:
      return { type: name ?? n.type };
  }
}
