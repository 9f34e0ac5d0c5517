/**
 * `encap TYPE ...` in a route or a next hop, read as ip 6.1 reads it (iproute_lwtunnel.c's
 * lwt_parse_encap: the type, then its keywords until a word that is none of them, which the route
 * reads next), and printed as ip prints it (lwt_print_encap: text and `-j`).
 * @internal
 */
import type { RouteEncap } from '../index';
import { Iproute2Names } from '../rt-names';
import { dsfieldWord } from './dsfield-word';
import { numberOrName, unsigned, type Words } from './words';

/** ip's encap types that the library lists but cannot add. */
const NOT_BUILT = ['ila', 'bpf', 'rpl', 'ioam6', 'xfrm'];
const TYPES = ['ip', 'ip6', 'seg6', 'seg6local', 'mpls', ...NOT_BUILT];

/** Each type's keywords, as ip's parse_encap_* take them (those the library has fields for). */
const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  ip: ['id', 'dst', 'src', 'tos', 'ttl', 'key', 'csum', 'seq'],
  ip6: ['id', 'dst', 'src', 'tc', 'hoplimit', 'key', 'csum', 'seq'],
  seg6: ['mode', 'segs', 'hmac'],
  seg6local: ['action', 'table', 'vrftable', 'nh4', 'nh6'],
  mpls: ['ttl'],
};
/** ip's keywords of those types for what the library has no field. */
const KEYWORDS_NOT_TAKEN: Readonly<Record<string, readonly string[]>> = {
  ip: ['geneve_opts', 'vxlan_opts', 'erspan_opts'],
  ip6: ['geneve_opts', 'vxlan_opts', 'erspan_opts'],
  seg6local: ['iif', 'oif', 'count', 'flavors', 'srh', 'endpoint'],
};

/** The encap after `encap` (already read). */
export function readEncap(words: Words): RouteEncap {
  const type = words.value('encap', `a type (${TYPES.join(', ')})`);
  if (NOT_BUILT.includes(type)) throw words.notTaken(`encap ${type}`);
  if (!TYPES.includes(type)) throw words.error(`encap: ${JSON.stringify(type)} is no encap type (${TYPES.join(', ')})`);
  // As ip: at least one word after the type.
  if (words.peek() === undefined) throw words.error('unexpected end of line after "encap"');
  const e: Record<string, unknown> = { type };
  const seen = new Set<string>();
  if (type === 'mpls') e.labels = mplsLabels(words, words.value('encap mpls', 'labels (LABEL[/LABEL...])'));
  const known = KEYWORDS[type] ?? [];
  for (let word = words.peek(); word !== undefined; word = words.peek()) {
    if (KEYWORDS_NOT_TAKEN[type]?.includes(word)) throw words.notTaken(`encap ${type} ${word}`);
    if (!known.includes(word)) break;
    words.next();
    words.once(seen, `encap ${word}`);
    const at = `encap ${type} ${word}`;
    switch (word) {
      case 'id':
        e.id = words.integer(at, Number.MAX_SAFE_INTEGER);
        break;
      case 'dst':
        e.destination = words.value(at, 'an address');
        break;
      case 'src':
        e.source = words.value(at, 'an address');
        break;
      case 'tos':
        e.tos = dsfieldWord(words, at);
        break;
      case 'tc':
        e.trafficClass = dsfieldWord(words, at);
        break;
      case 'ttl':
        e.ttl = words.integer(at, 255);
        break;
      case 'hoplimit':
        e.hopLimit = words.integer(at, 255);
        break;
      case 'key':
        e.key = true;
        break;
      case 'csum':
        e.checksum = true;
        break;
      case 'seq':
        e.sequence = true;
        break;
      case 'mode':
        e.mode = words.value(at, 'a mode (inline, encap, l2encap, encap.red, l2encap.red)');
        break;
      case 'segs':
        // ip: "segs" provided before "mode" is an error.
        if (e.mode === undefined) throw words.error('encap seg6: "segs" provided before "mode"');
        e.segments = words.value(at, 'segments (ADDRESS[,ADDRESS...])').split(',');
        break;
      case 'hmac':
        e.hmacKeyId = words.integer(at);
        break;
      case 'action':
        e.action = words.value(at, 'an action (End, End.X, End.DT6, ...)');
        break;
      case 'table':
        e.table = numberOrName(words.value(at, 'a table (a number or a name)'));
        break;
      case 'vrftable':
        e.vrfTable = numberOrName(words.value(at, 'a table (a number or a name)'));
        break;
      default:
        // nh4, nh6
        e.nexthop = words.value(at, 'an address');
    }
  }
  return e as unknown as RouteEncap;
}

/** `100/200`: MPLS labels, outermost first. */
function mplsLabels(words: Words, text: string): number[] {
  return text.split('/').map((part) => {
    const n = unsigned(part);
    if (n === undefined) throw words.error(`encap mpls needs labels (LABEL[/LABEL...]), not ${JSON.stringify(text)}`);
    return n;
  });
}

let names: Iproute2Names | undefined;
/** A table as ip prints one (rtnl_rttable_n2a): its name, else its number. */
function tableText(id: number): string {
  names ??= new Iproute2Names();
  return names.table(id) ?? String(id);
}

/** The encap's segments as print_srh prints them: inline mode's placeholder (`::`) last. */
function srhSegments(e: { mode: string; segments: string[] }): string[] {
  return e.mode === 'inline' ? [...e.segments, '::'] : e.segments;
}

/** The words ip prints for an encap (after a double space: ` encap TYPE ...`). */
export function encapWords(e: RouteEncap): string[] {
  const type = typeof e.type === 'number' ? 'unknown' : e.type;
  const out = ['', 'encap', type];
  switch (e.type) {
    case 'ip':
    case 'ip6': {
      const ip6 = e.type === 'ip6';
      if (e.id !== undefined) out.push('id', String(e.id));
      if (e.source !== undefined) out.push('src', e.source);
      if (e.destination !== undefined) out.push('dst', e.destination);
      const ttl = ip6 ? (e as { hopLimit?: number }).hopLimit : (e as { ttl?: number }).ttl;
      const tos = ip6 ? (e as { trafficClass?: unknown }).trafficClass : (e as { tos?: unknown }).tos;
      if (ttl !== undefined) out.push(ip6 ? 'hoplimit' : 'ttl', String(ttl));
      if (tos !== undefined) out.push(ip6 ? 'tc' : 'tos', String(tos));
      if (e.key) out.push('key');
      if (e.checksum) out.push('csum');
      if (e.sequence) out.push('seq');
      break;
    }
    case 'seg6': {
      const segs = srhSegments(e);
      out.push('mode', e.mode, 'segs', String(segs.length), '[', ...segs, ']');
      if (e.hmacKeyId !== undefined) out.push('hmac', e.hmacKeyId.toString(16).toUpperCase());
      break;
    }
    case 'seg6local':
      out.push('action', e.action);
      if (typeof e.table === 'number') out.push('table', tableText(e.table));
      if (typeof e.vrfTable === 'number') out.push('vrftable', tableText(e.vrfTable));
      if (e.nexthop !== undefined) out.push(e.nexthop.includes(':') ? 'nh6' : 'nh4', e.nexthop);
      break;
    case 'mpls':
      // print_encap_mpls: " %s " (a second blank before the labels).
      out.push('', e.labels.join('/'));
      if (e.ttl !== undefined) out.push('ttl', String(e.ttl));
      break;
    default:
  }
  return out;
}

/** The encap as `ip -j` gives it: its keys, in ip's order, to merge into the route's object. */
export function encapJson(e: RouteEncap): Record<string, unknown> {
  const out: Record<string, unknown> = { encap: typeof e.type === 'number' ? 'unknown' : e.type };
  switch (e.type) {
    case 'ip':
    case 'ip6': {
      const ip6 = e.type === 'ip6';
      if (e.id !== undefined) out.id = e.id;
      if (e.source !== undefined) out.src = e.source;
      if (e.destination !== undefined) out.dst = e.destination;
      const ttl = ip6 ? (e as { hopLimit?: number }).hopLimit : (e as { ttl?: number }).ttl;
      const tos = ip6 ? (e as { trafficClass?: unknown }).trafficClass : (e as { tos?: unknown }).tos;
      if (ttl !== undefined) out[ip6 ? 'hoplimit' : 'ttl'] = ttl;
      if (tos !== undefined) out[ip6 ? 'tc' : 'tos'] = tos;
      if (e.key) out.key = true;
      if (e.checksum) out.csum = true;
      if (e.sequence) out.seq = true;
      break;
    }
    case 'seg6':
      out.mode = e.mode;
      out.segs = srhSegments(e);
      if (e.hmacKeyId !== undefined) out.hmac = `0x${e.hmacKeyId.toString(16)}`;
      break;
    case 'seg6local':
      out.action = e.action;
      if (typeof e.table === 'number') out.table = tableText(e.table);
      if (typeof e.vrfTable === 'number') out.vrftable = tableText(e.vrfTable);
      if (e.nexthop !== undefined) out[e.nexthop.includes(':') ? 'nh6' : 'nh4'] = e.nexthop;
      break;
    case 'mpls':
      out.dst = e.labels.join('/');
      if (e.ttl !== undefined) out.ttl = e.ttl;
      break;
    default:
  }
  return out;
}
