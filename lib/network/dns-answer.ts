/**
 * What the embedded DNS server says, without any I/O: the table of names a namespace sees, and
 * the answer to a decoded query, or that it must be forwarded upstream. Kept apart from the
 * server (dns.ts) so that dns-packet's types stay out of the public declarations.
 */
import * as dnsPacket from 'dns-packet';
import { parseIp } from './ipam';
import { endpointNames } from './names';
import type { NetworkState } from './state';

/** Time to live of the answers about members, in seconds (Docker's is 600). */
export const kMemberTtl = 600;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/**
 * What a responder knows: names (lower case, no trailing dot) to addresses, and reverse names to
 * the one name a PTR query gets (NAME.NETWORK, as given).
 */
export interface NameTable {
  forward: Map<string, { a: string[]; aaaa: string[] }>;
  reverse: Map<string, string>;
}

/** The reverse-lookup name of an address: '4.3.2.1.in-addr.arpa' or the ip6.arpa nibbles. */
export function reverseName(address: string): string {
  const ip = parseIp(address);
  if (!ip) return '';
  if (ip.family === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = ip.value.toString(16).padStart(32, '0');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

/**
 * The table of names a namespace sees, from the states of the networks it is on: each member's
 * name and aliases, alone and (as Docker's server takes them) followed by the network's name.
 *
 * A member's addresses answer PTR with one name, as Docker's do: its first name (the member's
 * name, else its first alias) followed by the network's, `c1.my-net` (libnetwork: only the
 * first of an endpoint's DNS names gets a PTR record, and Network.ResolveIP answers it as
 * name + "." + network name), as given rather than lower-cased. Networks' subnets never overlap,
 * so an address is one network's; if states read in the middle of a change say otherwise, the
 * first network listed keeps it (as Docker's sandbox asks its networks in turn and takes the
 * first answer).
 */
export function buildTable(states: readonly NetworkState[]): NameTable {
  const forward = new Map<string, { a: string[]; aaaa: string[] }>();
  const reverse = new Map<string, string>();
  for (const state of states) {
    const network = state.name.toLowerCase();
    for (const ep of state.endpoints) {
      const given = endpointNames(ep);
      const names = given.map((n) => n.toLowerCase());
      const v4 = ep.address.slice(0, ep.address.indexOf('/'));
      const v6 = ep.ipv6Address?.slice(0, ep.ipv6Address.indexOf('/'));
      for (const name of [...names, ...names.map((n) => `${n}.${network}`)]) {
        let entry = forward.get(name);
        if (!entry) forward.set(name, (entry = { a: [], aaaa: [] }));
        if (!entry.a.includes(v4)) entry.a.push(v4);
        if (v6 !== undefined && !entry.aaaa.includes(v6)) entry.aaaa.push(v6);
      }
      const first = given[0];
      if (first === undefined) continue;
      for (const address of v6 === undefined ? [v4] : [v4, v6]) {
        const key = reverseName(address);
        if (!reverse.has(key)) reverse.set(key, `${first}.${state.name}`);
      }
    }
  }
  return { forward, reverse };
}

/**
 * The reply's header, as Docker's resolver makes it (miekg/dns SetReply, then RA): the query's id
 * and RD, RA set, never AA, even for a member's name.
 */
export function replyTo(query: dnsPacket.Packet, rcode: number): dnsPacket.Packet {
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: rd | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: query.questions ?? [],
    answers: [],
  };
}

/**
 * What to answer to a decoded query: a response, or 'forward' when upstream servers must say.
 * The types answered here are Docker's (libnetwork's resolver.go, serveDNS): A and AAAA for a
 * member's name (an empty answer, NOERROR, for the family it has no address of), MX for one (an
 * empty answer, NOERROR: mail falls back to its A/AAAA, RFC 5321 5.1's implicit MX), and PTR for a
 * member's address (one record, see buildTable). Every other query goes upstream, a member's
 * name included: ANY, TXT, SRV, CNAME, ... and PTR for a name that is not a member's reverse
 * name, as Docker forwards them (with no upstream server, the caller says SERVFAIL). As Docker's,
 * the query's class is not looked at (the records are IN whatever was asked).
 *
 * `ndotsSet`: the member's resolver was given an `ndots` option (Docker: the host's resolv.conf
 * or the container's has one), and the query would be forwarded (the caller passes false where
 * nothing is: SERVFAIL). Then A and AAAA of a single-label name that is not a member's get
 * NOERROR with no record instead of being forwarded, as Docker's resolver does (serveDNS: "let
 * the client retry with the search domain attached").
 */
export function answer(query: dnsPacket.Packet, table: NameTable, ndotsSet = false): dnsPacket.Packet | 'forward' {
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  if (query.type !== 'query') return replyTo(query, RCODE.FORMERR);
  if (opcode !== 0) return replyTo(query, RCODE.NOTIMP);
  const questions = query.questions ?? [];
  if (questions.length !== 1) return replyTo(query, RCODE.FORMERR);
  const q = questions[0] as dnsPacket.Question;
  const name = q.name.toLowerCase().replace(/\.$/, '');
  const type = q.type as string; // 'ANY' (255) is missing from dns-packet's types
  const entry = type === 'A' || type === 'AAAA' || type === 'MX' ? table.forward.get(name) : undefined;
  if (entry) {
    const reply = replyTo(query, RCODE.NOERROR);
    const records: dnsPacket.Answer[] = [];
    if (type === 'A') {
      for (const data of entry.a) records.push({ type: 'A', name: q.name, class: 'IN', ttl: kMemberTtl, data });
    }
    if (type === 'AAAA') {
      for (const data of entry.aaaa) records.push({ type: 'AAAA', name: q.name, class: 'IN', ttl: kMemberTtl, data });
    }
    reply.answers = records;
    return reply;
  }
  const reverse = type === 'PTR' ? table.reverse.get(name) : undefined;
  if (reverse !== undefined) {
    const reply = replyTo(query, RCODE.NOERROR);
    reply.answers = [{ type: 'PTR', name: q.name, class: 'IN', ttl: kMemberTtl, data: reverse }];
    return reply;
  }
  if (ndotsSet && (type === 'A' || type === 'AAAA') && !name.includes('.')) return replyTo(query, RCODE.NOERROR);
  return 'forward';
}

/** SERVFAIL (or another error code) for a raw query that could at least be decoded. */
export function failureFor(query: dnsPacket.Packet, rcode: number): Buffer {
  return dnsPacket.encode(replyTo(query, rcode));
}

/** A response to a query whose body could not be decoded: its id and FORMERR. */
export function formErr(raw: Buffer): Buffer | undefined {
  if (raw.length < 12 || raw[2] === undefined || raw[2] & 0x80) return undefined; // not a query
  const out = Buffer.alloc(12);
  raw.copy(out, 0, 0, 2);
  out.writeUInt16BE(0x8000 | (raw.readUInt16BE(2) & 0x7900) | dnsPacket.RECURSION_AVAILABLE | RCODE.FORMERR, 2);
  return out;
}

/** The largest UDP response the client takes: 512, or its EDNS buffer size. */
export function udpLimit(query: dnsPacket.Packet): number {
  const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 4096));
}
