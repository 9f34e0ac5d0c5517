/**
 * The firewall of the networks, as Docker's bridge driver makes it, in one nftables table of our
 * own — `netns-native`, family ip for IPv4 and ip6 for IPv6 — changed only by nf_tables batches
 * (each all or nothing) over NETLINK_NETFILTER from the native core. No other table or chain is
 * ever touched; removing the last network's rules removes the table.
 *
 * In each family's table:
 *
 * ```
 * chain prerouting  { type nat hook prerouting priority dstnat; }   published ports, from outside
 * chain output      { type nat hook output priority dstnat; }       published ports, from this host
 * chain postrouting { type nat hook postrouting priority srcnat; }  outbound masquerade
 * chain forward     { type filter hook forward priority filter; }   isolation
 * chain isolation   { }                                             stage 2 of isolation
 * ```
 *
 * - Outbound, per network that is not internal and masquerades (`ipMasquerade`, Docker's
 *   `enable_ip_masquerade`, default true): `ip saddr SUBNET oifname != BRIDGE masquerade`.
 * - Inter-container communication off (`icc: false`, Docker's `enable_icc=false`): per such
 *   network `iifname BRIDGE oifname BRIDGE ct status ! dnat drop` in forward: its members do not
 *   reach each other (the bridge hands its frames to netfilter: br_netfilter), but for
 *   connections to published ports.
 * - Isolation, as Docker's DOCKER-ISOLATION-STAGE-1/2: per network
 *   `iifname BRIDGE oifname != BRIDGE ct status ! dnat jump isolation` in forward and
 *   `oifname BRIDGE drop` in isolation: what leaves one of our bridges for another of our bridges
 *   is dropped, both ways, unless it is a connection to a published port (DNATed).
 *   An internal network also gets `iifname BRIDGE oifname != BRIDGE drop` and
 *   `oifname BRIDGE iifname != BRIDGE drop`: its members reach only their own subnet, whatever
 *   routes they add inside.
 * - Published ports, per network that is not internal and per family it has a subnet in: two maps,
 *   `pub-any-<network id>` (`type inet_proto . inet_service : ipv4_addr . inet_service`: the
 *   publications on every host address) and `pub-addr-<network id>` (`type ipv4_addr . inet_proto
 *   . inet_service : ...`: those on one host address), looked up by the network's rules
 *   `fib daddr type local dnat ip to meta l4proto . th dport map @pub-any-ID` and
 *   `dnat ip to ip daddr . meta l4proto . th dport map @pub-addr-ID` in prerouting (from outside,
 *   and from members of every network) and in output (connections from this host, 127.0.0.1
 *   included; IPv6: `ip6 daddr != ::1` first, as ::1 cannot be published, see
 *   published-port.ts); in postrouting, `ip saddr 127.0.0.0/8 oifname BRIDGE masquerade` for the
 *   loopback ones (with route_localnet on the bridge, as Docker sets it without its userland
 *   proxy; IPv6 has no such rule, nor route_localnet) and
 *   `ip saddr SUBNET oifname BRIDGE ct status dnat masquerade` for the hairpin (a member reaching
 *   a port of its own network through a host address: the answer must come back through the host
 *   to be un-DNATed). A publication is then ONE element of one map (`tcp . 8080 : 198.18.4.2 .
 *   80`), added with NLM_F_EXCL (the kernel refuses a key already there) and deleted by its key:
 *   one small message each way. A port published on every address of a dual-stack member is two
 *   publications, one element in each family's map, added in one batch.
 *
 * Every rule carries a comment saying whose it is (`nn net <network id>`), and the maps are named
 * after the network, so that any process can list and remove them: they live in the kernel and
 * outlast the process. (Version 0.1.0 made each publication three rules with the comment
 * `nn pub <network id> <proto> <host address or *> <host port> <member address> <member port>`;
 * addNetwork turns such rules into elements, in the batch that makes the maps. Versions before
 * the host address was checked made elements no packet matches, for '0.0.0.0', '::' and the
 * like: addNetwork, and a publication on the network, delete those.) Changes that depend on what
 * is there (a port not yet published, the last network going) are made against the generation of
 * the ruleset they were decided on: if another process changed it meanwhile, the kernel refuses
 * the batch (ERESTART) and it is decided again.
 */
import * as fs from 'node:fs';
import { constants } from 'node:os';
import { batch, request, throwFirstFailure } from '../internal/dispatch';
import { failure, type NetnsError } from '../internal/errors';
import { kHandle } from '../internal/symbols';
import { ipFamily } from '../internal/validate';
import type { Namespace } from '../namespace';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPS_DST_NAT,
  NFPROTO_IPV4,
  NFPROTO_IPV6,
  NFT_CMP_NEQ,
  NFT_MSG_DELRULE,
  NFT_MSG_DELSET,
  NFT_MSG_DELSETELEM,
  NFT_MSG_DELTABLE,
  NFT_MSG_NEWCHAIN,
  NFT_MSG_NEWRULE,
  NFT_MSG_NEWSET,
  NFT_MSG_NEWSETELEM,
  NFT_MSG_NEWTABLE,
  NF_ACCEPT,
  NF_INET_FORWARD,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  NF_INET_PRE_ROUTING,
} from '../native/constants';
import type {
  NativeHandle,
  NativeNftCommand,
  NativeNftRule,
  NativeNftSet,
  NativeNftSetElem,
  NativeNftStatement,
} from '../native/surface';
import { formatIp, hostAddressFault, parseIp } from './ipam';

/** The one table of ours, in family ip and ip6. */
export const TABLE = 'netns-native';

/** The comment of an attachment masquerade (setMasquerades) begins with this, then its tag. */
const MASQ_PREFIX = 'nn masq ';

/** The maps of a network's publications: on every host address, and on one. Then its short id. */
const ANY_MAP = 'pub-any-';
const ADDR_MAP = 'pub-addr-';

const FAMILIES = [NFPROTO_IPV4, NFPROTO_IPV6] as const;
type Family = (typeof FAMILIES)[number];

/** What the firewall needs to know of a network. */
export interface FirewallNetwork {
  /** The network's id (64 hex); rules and maps carry its first 12 digits. */
  id: string;
  bridge: string;
  internal: boolean;
  /** Inter-container communication (Docker's `enable_icc`): false drops member-to-member traffic. Default true. */
  icc?: boolean;
  /** Masquerade what members send out (Docker's `enable_ip_masquerade`). Default true. */
  ipMasquerade?: boolean;
  /** IPv4 subnet in CIDR form, and the IPv6 one if the network has one. */
  subnet: string;
  ipv6Subnet?: string;
}

/** A published port, as the maps record it. */
export interface Publication {
  /** The network's id; what the maps record (and publications() returns) is its first 12 hex digits. */
  networkId: string;
  protocol: 'tcp' | 'udp';
  /** An address of the host, or undefined for every address of the host namespace. */
  hostAddress: string | undefined;
  hostPort: number;
  /** The member's address and port the traffic is sent to. */
  address: string;
  port: number;
}

/** The first 12 hex digits of a network id: what the rules and maps name. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

function netComment(id: string): string {
  return `nn net ${shortId(id)}`;
}

function familyOf(address: string): Family {
  return ipFamily(address) === 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

/** An address in the canonical text the maps give back (RFC 5952 for IPv6), so that texts compare. */
function canonical(address: string): string {
  if (!address.includes(':')) return address;
  const ip = parseIp(address);
  return ip === undefined ? address : formatIp(ip);
}

/** The map a publication is an element of. */
function mapOf(p: Publication): string {
  return (p.hostAddress === undefined ? ANY_MAP : ADDR_MAP) + shortId(p.networkId);
}

/** NEWSETELEM (or DELSETELEM: the key only) of a publication. */
function elementCommand(type: number, p: Publication): NativeNftCommand {
  const c: NativeNftCommand = {
    type,
    family: familyOf(p.address),
    table: TABLE,
    set: mapOf(p),
    keyProto: p.protocol === 'udp' ? IPPROTO_UDP : IPPROTO_TCP,
    keyPort: p.hostPort,
    ...(p.hostAddress !== undefined && { keyAddress: p.hostAddress }),
  };
  if (type === NFT_MSG_NEWSETELEM) {
    // EXCL: a key already in the map is EEXIST, the backstop behind the decision in JS.
    Object.assign(c, { dataAddress: p.address, dataPort: p.port, exclusive: 1 });
  }
  return c;
}

/** The address in `hex` at `at` (4 or 16 bytes), as text. */
function hexAddress(hex: string, at: number, bytes: number): string {
  return formatIp({ family: bytes === 4 ? 4 : 6, value: BigInt(`0x${hex.slice(at * 2, (at + bytes) * 2)}`) });
}

/**
 * A publication from an element of one of our maps (key `[address .] proto . port`, data
 * `address . port`, each field padded to 4 bytes), or undefined for anything else.
 */
function parseElement(e: NativeNftSetElem): Publication | undefined {
  const any = e.set.startsWith(ANY_MAP);
  if (!any && !e.set.startsWith(ADDR_MAP)) return undefined;
  const bytes = e.family === NFPROTO_IPV6 ? 16 : 4;
  const keyAt = any ? 0 : bytes;
  if (e.key.length !== (keyAt + 8) * 2 || e.data.length !== (bytes + 4) * 2) return undefined;
  const proto = parseInt(e.key.slice(keyAt * 2, keyAt * 2 + 2), 16);
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return undefined;
  return {
    networkId: e.set.slice(any ? ANY_MAP.length : ADDR_MAP.length),
    protocol: proto === IPPROTO_UDP ? 'udp' : 'tcp',
    hostAddress: any ? undefined : hexAddress(e.key, 0, bytes),
    hostPort: parseInt(e.key.slice((keyAt + 4) * 2, (keyAt + 6) * 2), 16),
    address: hexAddress(e.data, 0, bytes),
    port: parseInt(e.data.slice(bytes * 2, (bytes + 2) * 2), 16),
  };
}

/** A publication from an old-style rule's comment (version 0.1.0), or undefined for any other rule. */
function parseOldPub(comment: string | undefined): Publication | undefined {
  if (comment?.startsWith('nn pub ') !== true) return undefined;
  const f = comment.split(' ');
  if (f.length !== 8) return undefined;
  const [, , networkId, protocol, hostAddress, hostPort, address, port] = f as [string, ...string[]];
  if ((protocol !== 'tcp' && protocol !== 'udp') || !ipFamily(address as string)) return undefined;
  return {
    networkId: networkId as string,
    protocol,
    hostAddress: hostAddress === '*' ? undefined : canonical(hostAddress as string),
    hostPort: Number(hostPort),
    address: canonical(address as string),
    port: Number(port),
  };
}

/**
 * Whether an element of our maps is one no publication of this version makes, and that matches
 * nothing: its host address (the key of a `pub-addr-` map) is '0.0.0.0' or '::' (versions before
 * hostAddress '0.0.0.0' meant every address took them as one address, which no packet is sent to),
 * multicast, broadcast, IPv4-mapped, '::1' or link-local (published-port.ts says why each cannot
 * work). Elements whose address is merely not one of the host's now are not stale by this test:
 * an earlier version took any address, but an address can also be removed after its port was
 * published, and such a publication works again once the address is back, as Docker's rule for it
 * would; they stay, listed by ports(), for the user to unpublish.
 */
function stale(p: Publication): boolean {
  if (p.hostAddress === undefined) return false;
  const ip = parseIp(p.hostAddress);
  return ip !== undefined && hostAddressFault(ip) !== undefined;
}

/** The base ruleset of one family: the table and its chains, created if missing. */
function baseCommands(family: Family): NativeNftCommand[] {
  const chain = (name: string, hooknum: number, priority: number, chainType: string): NativeNftCommand => ({
    type: NFT_MSG_NEWCHAIN,
    family,
    table: TABLE,
    chain: name,
    hooknum,
    priority,
    chainType,
    policy: NF_ACCEPT,
  });
  return [
    { type: NFT_MSG_NEWTABLE, family, table: TABLE },
    chain('prerouting', NF_INET_PRE_ROUTING, -100, 'nat'),
    chain('output', NF_INET_LOCAL_OUT, -100, 'nat'),
    chain('postrouting', NF_INET_POST_ROUTING, 100, 'nat'),
    chain('forward', NF_INET_FORWARD, 0, 'filter'),
    { type: NFT_MSG_NEWCHAIN, family, table: TABLE, chain: 'isolation' },
  ];
}

function rule(family: Family, chain: string, comment: string, statements: NativeNftStatement[]): NativeNftCommand {
  return { type: NFT_MSG_NEWRULE, family, table: TABLE, chain, comment, statements };
}

const iif = (name: string, op = 0): NativeNftStatement => ({ kind: 'iifname', name, op });
const oif = (name: string, op = 0): NativeNftStatement => ({ kind: 'oifname', name, op });
/** `ct status ! dnat`: a connection not DNATed (to a published port, or by anyone's rule). */
const notDnat: NativeNftStatement = { kind: 'ctstatus', bits: IPS_DST_NAT, op: NFT_CMP_NEQ };

function cidr(text: string): { address: string; prefix: number } {
  const [address, prefix] = text.split('/') as [string, string];
  return { address, prefix: Number(prefix) };
}

/** The two publication maps of a network in one family (made if missing, left as they are if not). */
function mapCommands(net: FirewallNetwork, family: Family): NativeNftCommand[] {
  const addr = family === NFPROTO_IPV4 ? 'ipv4_addr' : 'ipv6_addr';
  const map = (name: string, keyType: string): NativeNftCommand => ({
    type: NFT_MSG_NEWSET,
    family,
    table: TABLE,
    set: name + shortId(net.id),
    keyType,
    dataType: `${addr} . inet_service`,
  });
  return [map(ANY_MAP, 'inet_proto . inet_service'), map(ADDR_MAP, `${addr} . inet_proto . inet_service`)];
}

/** The rules of a network (its isolation, masquerade and publication lookups), in one family. */
function networkRules(net: FirewallNetwork, family: Family): NativeNftCommand[] {
  const comment = netComment(net.id);
  const br = net.bridge;
  const subnet = family === NFPROTO_IPV4 ? net.subnet : net.ipv6Subnet;
  const out: NativeNftCommand[] = [
    // Isolation, stage 1 and 2: from this bridge to another of ours, and from another to this;
    // not for a connection to a published port (DNATed), which any network's members may reach.
    rule(family, 'forward', comment, [iif(br), oif(br, NFT_CMP_NEQ), notDnat, { kind: 'jump', chain: 'isolation' }]),
    rule(family, 'isolation', comment, [oif(br), { kind: 'drop' }]),
  ];
  if (net.icc === false) {
    // enable_icc=false, as Docker's `iifname BRIDGE drop` in its chain for what goes out to the
    // bridge: members do not reach each other across it (the bridge passes that traffic to this
    // hook: br_netfilter, switched on for the bridge by network.ts). Not a connection to a
    // published port (DNATed), which a member reaches through a host address as through
    // Docker's userland proxy.
    out.push(rule(family, 'forward', comment, [iif(br), oif(br), notDnat, { kind: 'drop' }]));
  }
  if (net.internal) {
    out.push(
      rule(family, 'forward', comment, [iif(br), oif(br, NFT_CMP_NEQ), { kind: 'drop' }]),
      rule(family, 'forward', comment, [oif(br), iif(br, NFT_CMP_NEQ), { kind: 'drop' }]),
    );
  } else if (subnet !== undefined) {
    const any: NativeNftStatement = { kind: 'dnatmap', family, name: ANY_MAP + shortId(net.id) };
    const one: NativeNftStatement = { kind: 'dnatmapdaddr', family, name: ADDR_MAP + shortId(net.id) };
    const local: NativeNftStatement = { kind: 'daddrlocal' };
    // From this host, IPv6: never to ::1, which no publication can serve (the answers, un-NATed
    // to ::1 as they come in on the bridge, find no route: published-port.ts, LOOPBACK6), so
    // that [::1]:PORT stays the host's own port rather than a black hole. IPv4's 127.0.0.0/8
    // works (route_localnet).
    const fromHost: NativeNftStatement[] =
      family === NFPROTO_IPV4 ? [] : [{ kind: 'daddr', address: '::1', prefix: 128, op: NFT_CMP_NEQ }];
    if (net.ipMasquerade !== false) {
      out.push(
        rule(family, 'postrouting', comment, [
          { kind: 'saddr', ...cidr(subnet) },
          oif(br, NFT_CMP_NEQ),
          { kind: 'masquerade' },
        ]),
      );
    }
    out.push(
      // Published ports: from anywhere but this host (the outside, and members of any network,
      // this one's included: no userland proxy stands in for them), and from this host.
      rule(family, 'prerouting', comment, [local, any]),
      rule(family, 'prerouting', comment, [one]),
      rule(family, 'output', comment, [...fromHost, local, any]),
      rule(family, 'output', comment, [...fromHost, one]),
    );
    if (family === NFPROTO_IPV4) {
      // Connections from the host's loopback addresses leave through the bridge as the gateway's
      // (route_localnet on the bridge lets the answers, un-NATed to 127.0.0.1, in).
      out.push(
        rule(family, 'postrouting', comment, [
          { kind: 'saddr', address: '127.0.0.0', prefix: 8 },
          oif(br),
          { kind: 'masquerade' },
        ]),
      );
    }
    out.push(
      // The hairpin: a member's connection to a published port of its own network goes back out
      // through the bridge as the gateway's, so that the answer comes back through the host (to
      // be un-DNATed) rather than straight across the bridge, or from the member to itself.
      rule(family, 'postrouting', comment, [
        { kind: 'saddr', ...cidr(subnet) },
        oif(br),
        { kind: 'ctstatus', bits: IPS_DST_NAT },
        { kind: 'masquerade' },
      ]),
    );
  }
  return out;
}

/** The families a network has a subnet in. */
function familiesOf(net: FirewallNetwork): Family[] {
  return net.ipv6Subnet !== undefined ? [NFPROTO_IPV4, NFPROTO_IPV6] : [NFPROTO_IPV4];
}

/**
 * What this process last knew of our table: the rules and the publication maps (both families),
 * the publications in them, and the generation of the ruleset they belong to. Decisions (a port
 * is free, a network is the last) are made against it and sent with its generation: the kernel
 * refuses the batch (ERESTART) if anything changed the ruleset since — another process, or
 * anything else — and then it is read again. So the ruleset is read only when it may have
 * changed, and a change is one batch.
 */
interface Known {
  genid: number;
  rules: NativeNftRule[];
  /** Our maps, as `family/name`. */
  maps: Set<string>;
  publications: Publication[];
}
const known = new Map<bigint, Known>(); // by the host namespace's inode

const isOurMap = (name: string): boolean => name.startsWith(ANY_MAP) || name.startsWith(ADDR_MAP);

/**
 * The generation first, then the rules and maps, then the maps' elements: a change in between
 * makes the generation stale, and the next batch is refused and reads again.
 */
async function read(handle: NativeHandle, operation: string): Promise<Known> {
  const results = await batch(
    handle,
    [
      { op: 'nftgetgen' },
      ...FAMILIES.map((family) => ({ op: 'nftdumprules', family, table: TABLE }) as const),
      ...FAMILIES.map((family) => ({ op: 'nftdumpsets', family, table: TABLE }) as const),
    ],
    operation,
    'firewall',
  );
  throwFirstFailure([results[0]], operation, 'firewall');
  const lists = results.slice(1).map((r) => {
    // ENOENT: no such table (yet, or any more).
    if (Array.isArray(r)) return r as unknown[];
    if ((r as { errno?: number } | undefined)?.errno !== constants.errno.ENOENT)
      throwFirstFailure([r], operation, 'firewall');
    return [];
  });
  const rules = [...(lists[0] ?? []), ...(lists[1] ?? [])] as NativeNftRule[];
  const sets = ([...(lists[2] ?? []), ...(lists[3] ?? [])] as NativeNftSet[]).filter((s) => isOurMap(s.name));
  const publications: Publication[] = [];
  if (sets.length > 0) {
    const elements = await batch(
      handle,
      sets.map((s) => ({ op: 'nftdumpsetelems', family: s.family, table: TABLE, set: s.name }) as const),
      operation,
      'firewall',
    );
    for (const r of elements) {
      if (!Array.isArray(r)) {
        // A map deleted in between: the generation moved, and the next batch reads again.
        if ((r as { errno?: number } | undefined)?.errno !== constants.errno.ENOENT)
          throwFirstFailure([r], operation, 'firewall');
        continue;
      }
      for (const e of r as NativeNftSetElem[]) {
        const p = parseElement(e);
        if (p) publications.push(p);
      }
    }
  }
  return {
    genid: results[0] as number,
    rules,
    maps: new Set(sets.map((s) => `${s.family}/${s.name}`)),
    publications,
  };
}

/** Our table as the kernel has it now (the generation is checked; the table read if it moved). */
async function current(host: Namespace, operation: string): Promise<Known> {
  const handle = await host[kHandle](operation);
  const last = known.get(host.inode);
  if (last !== undefined) {
    const genid = await request<number>(handle, { op: 'nftgetgen' }, operation, 'firewall');
    if (genid === last.genid) return last;
  }
  const now = await read(handle, operation);
  known.set(host.inode, now);
  return now;
}

/** Whether two publications are the same one (the same map and key, and the same target). */
function samePublication(a: Publication, b: Publication): boolean {
  return (
    shortId(a.networkId) === shortId(b.networkId) &&
    a.protocol === b.protocol &&
    a.hostAddress === b.hostAddress &&
    a.hostPort === b.hostPort &&
    a.address === b.address &&
    a.port === b.port
  );
}

/** Whether a publication is the element a command adds or deletes. */
function isElementOf(c: NativeNftCommand, p: Publication): boolean {
  return (
    c.family === familyOf(p.address) &&
    c.set === mapOf(p) &&
    c.keyProto === (p.protocol === 'udp' ? IPPROTO_UDP : IPPROTO_TCP) &&
    c.keyPort === p.hostPort &&
    c.keyAddress === p.hostAddress
  );
}

/** What a batch that went through did to what we know (the kernel echoed the new rules). */
function applied(before: Known, commands: NativeNftCommand[], echoed: NativeNftRule[]): Known {
  // Each commit moves the generation by one (nf_tables_commit), skipping 0.
  const genid = (before.genid + 1) >>> 0 || 1;
  // A publication or an unpublication (the common change, and the one measured): one element.
  if (commands.length === 1) {
    const c = commands[0] as NativeNftCommand;
    if (c.type === NFT_MSG_DELSETELEM) {
      return { ...before, genid, publications: before.publications.filter((p) => !isElementOf(c, p)) };
    }
    if (c.type === NFT_MSG_NEWSETELEM) {
      return { ...before, genid, publications: [...before.publications, elementPublication(c)] };
    }
  }
  const gone = new Set(commands.filter((c) => c.type === NFT_MSG_DELRULE).map((c) => `${c.family}/${c.handle}`));
  const tables = new Set(commands.filter((c) => c.type === NFT_MSG_DELTABLE).map((c) => c.family));
  const rules = before.rules.filter((r) => !gone.has(`${r.family}/${r.handle}`) && !tables.has(r.family));
  const maps = new Set(before.maps);
  let publications = before.publications;
  for (const c of commands) {
    if (c.type === NFT_MSG_NEWSET) maps.add(`${c.family}/${c.set}`);
    else if (c.type === NFT_MSG_DELSET) {
      maps.delete(`${c.family}/${c.set}`);
      publications = publications.filter((p) => familyOf(p.address) !== c.family || mapOf(p) !== c.set);
    } else if (c.type === NFT_MSG_DELTABLE) {
      for (const m of [...maps]) if (m.startsWith(`${c.family}/`)) maps.delete(m);
      publications = publications.filter((p) => familyOf(p.address) !== c.family);
    } else if (c.type === NFT_MSG_DELSETELEM) {
      publications = publications.filter((p) => !isElementOf(c, p));
    } else if (c.type === NFT_MSG_NEWSETELEM) {
      publications = [...publications, elementPublication(c)];
    }
  }
  return { genid, rules: [...rules, ...echoed], maps, publications };
}

/** The publication a NEWSETELEM command (elementCommand) adds. */
function elementPublication(c: NativeNftCommand): Publication {
  const set = c.set as string;
  return {
    networkId: set.slice(set.startsWith(ANY_MAP) ? ANY_MAP.length : ADDR_MAP.length),
    protocol: c.keyProto === IPPROTO_UDP ? 'udp' : 'tcp',
    hostAddress: c.keyAddress,
    hostPort: c.keyPort as number,
    address: c.dataAddress as string,
    port: c.dataPort as number,
  };
}

/**
 * Decides a change against the table as it is and sends it as one batch made against its
 * generation; when the kernel refuses it as stale (ERESTART: the ruleset changed meanwhile), the
 * table is read again and it is decided again. A decision to send nothing, made on what this
 * process knew rather than on what it just read, is checked against the generation too (no
 * batch goes to the kernel to be refused): another process may have added what is to be taken
 * away (a port published for a member being disconnected here) or taken away what stood in the
 * way. A bounded number of tries: a ruleset changing faster than that fails with ERESTART. New
 * rules are echoed (their handles are what deletes them); elements are not: what was sent is
 * what is there.
 */
async function change(host: Namespace, operation: string, decide: (state: Known) => NativeNftCommand[]): Promise<void> {
  const handle = await host[kHandle](operation);
  let state = known.get(host.inode);
  let fresh = state === undefined;
  state ??= await read(handle, operation);
  for (let attempt = 0; ; attempt++) {
    const commands = decide(state).map((c) => (c.type === NFT_MSG_NEWRULE ? { ...c, echo: 1 } : c));
    if (commands.length === 0) {
      if (!fresh) {
        fresh = true;
        const genid = await request<number>(handle, { op: 'nftgetgen' }, operation, 'firewall');
        if (genid !== state.genid) {
          state = await read(handle, operation);
          continue;
        }
      }
      known.set(host.inode, state);
      return;
    }
    try {
      const echoed = await request<NativeNftRule[]>(
        handle,
        { op: 'nftbatch', genid: state.genid, commands },
        operation,
        'firewall',
      );
      known.set(host.inode, applied(state, commands, echoed));
      return;
    } catch (e) {
      known.delete(host.inode);
      if ((e as NetnsError).code !== 'ERESTART' || attempt >= 10) throw e;
      state = await read(handle, operation);
      fresh = true;
    }
  }
}

/**
 * Deletes the rules matching `which` and the maps of the networks in `networks` (their elements
 * go with them), or the table of a family left without network rules.
 */
function deleteRules(state: Known, which: (r: NativeNftRule) => boolean, networks: string[] = []): NativeNftCommand[] {
  const commands: NativeNftCommand[] = [];
  for (const family of FAMILIES) {
    const mine = state.rules.filter((r) => r.family === family);
    const maps = [...state.maps]
      .filter((m) => m.startsWith(`${family}/`))
      .map((m) => m.slice(m.indexOf('/') + 1))
      .filter((m) => networks.some((id) => m === ANY_MAP + shortId(id) || m === ADDR_MAP + shortId(id)));
    if (mine.length === 0 && maps.length === 0) continue;
    const remaining = mine.filter((r) => !which(r));
    if (!remaining.some((r) => r.comment?.startsWith('nn net ') || r.comment?.startsWith(MASQ_PREFIX))) {
      // No network (or attachment masquerade) of ours left in this family: the whole table goes
      // (its chains, maps and any rule).
      commands.push({ type: NFT_MSG_DELTABLE, family, table: TABLE });
    } else {
      for (const r of mine.filter(which)) {
        commands.push({ type: NFT_MSG_DELRULE, family, table: TABLE, chain: r.chain, handle: r.handle });
      }
      // After the rules that look them up, in the same batch (the kernel then lets them go).
      for (const m of maps) commands.push({ type: NFT_MSG_DELSET, family, table: TABLE, set: m });
    }
  }
  return commands;
}

/**
 * What brings a network's rules and maps to what they should be, against `state`: nothing when
 * they are; otherwise the table and chains (made if missing), its maps (likewise), its rules
 * replaced, and the publications of an old-style table (version 0.1.0: three rules each)
 * turned into elements, their rules deleted. In either case, the elements of its maps that an
 * earlier version made and that match nothing (stale()) are deleted. Rules are compared by chain
 * and count (a dump does not give their expressions back): a change to a network's rules must
 * change that shape to reach tables made before it (the hairpin's masquerade made two
 * postrouting rules a network three; the IPv6 loopback masquerade going made ip6 postrouting two
 * again, which brings the output lookups' `ip6 daddr != ::1` to tables made before it; an
 * internal network's rules kept their shape, and its jump's new `ct status ! dnat` changes
 * nothing for it: what it would let past the isolation, the network's own drops drop).
 */
function networkCommands(net: FirewallNetwork, state: Known): NativeNftCommand[] {
  const families = familiesOf(net);
  const comment = netComment(net.id);
  const want = families.flatMap((family) => networkRules(net, family));
  const maps = net.internal ? [] : families.flatMap((family) => mapCommands(net, family));
  const shape = (list: Array<{ family: number; chain?: string }>): string =>
    list
      .map((r) => `${r.family}/${r.chain}`)
      .sort()
      .join(' ');
  const mine = state.rules.filter((r) => r.comment === comment);
  const old = state.rules.filter((r) => parseOldPub(r.comment)?.networkId === shortId(net.id));
  const mapsThere = maps.every((m) => state.maps.has(`${m.family}/${m.set}`));
  // Elements an earlier version made that match nothing: deleted, by key.
  const dropped = state.publications
    .filter((p) => p.networkId === shortId(net.id) && stale(p))
    .map((p) => elementCommand(NFT_MSG_DELSETELEM, p));
  if (shape(mine) === shape(want) && mapsThere && old.length === 0) return dropped; // else as they should be
  const moved = new Map<string, Publication>();
  for (const r of old) {
    const p = parseOldPub(r.comment) as Publication;
    const exists = state.publications.some((q) => samePublication(p, q));
    if (!net.internal && !exists && !stale(p)) moved.set(r.comment as string, p);
  }
  const del = (r: NativeNftRule): NativeNftCommand => ({
    type: NFT_MSG_DELRULE,
    family: r.family,
    table: TABLE,
    chain: r.chain,
    handle: r.handle,
  });
  return [
    ...families.flatMap(baseCommands),
    ...maps,
    ...mine.map(del),
    ...old.map(del),
    ...want,
    ...[...moved.values()].map((p) => elementCommand(NFT_MSG_NEWSETELEM, p)),
    ...dropped,
  ];
}

/**
 * Adds a network's rules (its isolation, its outbound masquerade and the lookups of its
 * publication maps unless it is internal), in every family it has a subnet in; creates the
 * table, chains and maps if missing. Idempotent: a network whose rules are there already is left
 * alone, one whose rules are not as they should be has them replaced; publications of the
 * previous version's rules become elements of the maps. Switches IPv4 (and IPv6) forwarding on
 * in the host namespace for a network that is not internal, as Docker does, and route_localnet
 * on its bridge (connections to 127.0.0.1 DNATed to a member leave through it).
 */
export async function addNetwork(host: Namespace, net: FirewallNetwork, operation: string): Promise<void> {
  if (!net.internal) {
    enableForwarding(familiesOf(net), operation);
    setRouteLocalnet(net.bridge, operation);
  }
  await change(host, operation, (state) => networkCommands(net, state));
}

/** Removes a network's rules, maps and publications; the table goes with the last network. */
export async function removeNetwork(host: Namespace, networkId: string, operation: string): Promise<void> {
  const id = shortId(networkId);
  await change(host, operation, (state) =>
    deleteRules(state, (r) => r.comment === netComment(networkId) || parseOldPub(r.comment)?.networkId === id, [
      networkId,
    ]),
  );
}

/**
 * Whether two publications want the same host port: same protocol and family, overlapping host
 * addresses (every address of a family overlaps each of that family's addresses).
 */
function conflicts(a: Publication, b: Publication): boolean {
  if (a.protocol !== b.protocol || a.hostPort !== b.hostPort) return false;
  if (familyOf(a.address) !== familyOf(b.address)) return false;
  return a.hostAddress === undefined || b.hostAddress === undefined || a.hostAddress === b.hostAddress;
}

/** Bridges whose route_localnet this process has set (a publish need not read it again). */
const localnet = new Set<string>();

function setRouteLocalnet(bridge: string, operation: string): void {
  setSysctl(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1', operation);
  localnet.add(bridge);
}

/**
 * The networks whose rules and maps were found as they should be, by the rules list (of a Known)
 * they were checked against: a publication checks its network's (networkCommands builds them,
 * ~10 µs) once per change of our rules, not on every call. A Known whose rules list is the same
 * object has the same rules and maps (applied() and read() make new lists for any other change).
 */
const upToDate = new WeakMap<NativeNftRule[], Set<string>>();

/** networkCommands, remembered when there is nothing to do. */
function networkCommandsOnce(net: FirewallNetwork, state: Known): NativeNftCommand[] {
  if (upToDate.get(state.rules)?.has(net.id)) return [];
  const commands = networkCommands(net, state);
  if (commands.length === 0) {
    const fine = upToDate.get(state.rules) ?? new Set<string>();
    fine.add(net.id);
    upToDate.set(state.rules, fine);
  }
  return commands;
}

/** A publication with its addresses in the canonical text the maps give back. */
function canonicalPublication(p: Publication): Publication {
  const pub: Publication = { ...p, address: canonical(p.address) };
  if (p.hostAddress !== undefined) pub.hostAddress = canonical(p.hostAddress);
  return pub;
}

/**
 * Publishes a member's port on the host: one element of the network's map per publication (one
 * per family the port is published in), all in one batch: all of them or none. EADDRINUSE if
 * the host port is taken in one of their families (the same protocol on every address of that
 * family, or on the same one, in any network), decided against the publications of one
 * generation of the ruleset and written against it, so two processes cannot both take it; the
 * elements go with NLM_F_EXCL, so the kernel refuses a key already in that map whatever this
 * process believed. The network's rules are brought to what they should be in the same batch
 * when they are not (a table made by an earlier version).
 */
export async function publish(
  host: Namespace,
  net: FirewallNetwork,
  which: Publication | Publication[],
  operation: string,
): Promise<void> {
  const pubs = (Array.isArray(which) ? which : [which]).map(canonicalPublication);
  if (pubs.some((p) => familyOf(p.address) === NFPROTO_IPV4) && !localnet.has(net.bridge)) {
    setRouteLocalnet(net.bridge, operation);
  }
  let taken: Publication | undefined;
  let alone = true;
  try {
    await change(host, operation, (state) => {
      // A stale element (see stale()) takes no port: it matches nothing, and goes in this batch
      // if it is this network's, when the network's rules are brought up to date.
      taken = state.publications.find((q) => !stale(q) && pubs.some((p) => conflicts(p, q)));
      if (taken) return [];
      const elements = pubs.map((p) => elementCommand(NFT_MSG_NEWSETELEM, p));
      // The network's rules and maps first, in the same batch, when they are not as they should
      // be (the table was removed, or made by an earlier version); nothing when they are.
      const network = networkCommandsOnce(net, state);
      alone = network.length === 0;
      return [...network, ...elements];
    });
  } catch (e) {
    // EXCL refused an element: its key is in the map, put there by someone this process did
    // not see (the generation check makes that unlikely; this is the backstop).
    if ((e as NetnsError).code !== 'EEXIST' || !alone) throw e;
    const where = pubs.map((p) =>
      p.hostAddress ? `on ${p.hostAddress}` : `on every IPv${ipFamily(p.address)} address`,
    );
    throw failure(
      'EADDRINUSE',
      operation,
      `host port ${pubs[0]?.protocol}/${pubs[0]?.hostPort} ${where.join(' or ')} is already published`,
    );
  }
  if (taken) throw failure('EADDRINUSE', operation, takenReason(taken));
}

/** Why a publication that `taken` conflicts with is refused; `holder`: the name of its network. */
export function takenReason(taken: Publication, holder?: string): string {
  const t = taken;
  const where = t.hostAddress ? ` on ${t.hostAddress}` : ` on every IPv${ipFamily(t.address)} address`;
  const by = holder === undefined ? '' : ` by network "${holder}"`;
  return `host port ${t.protocol}/${t.hostPort}${where} is already published${by} (to ${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port})`;
}

/**
 * The publications in the kernel now that take a host port one of `which` wants (see
 * conflicts; stale elements take none): what a publish refused with EADDRINUSE ran into.
 */
export async function holders(
  host: Namespace,
  which: Publication | Publication[],
  operation: string,
): Promise<Publication[]> {
  const pubs = (Array.isArray(which) ? which : [which]).map(canonicalPublication);
  const state = await current(host, operation);
  return state.publications.filter((q) => !stale(q) && pubs.some((p) => conflicts(p, q)));
}

/**
 * Removes publications: their elements, deleted by key, in one batch. ENOENT when none of them
 * is (still) published; those still there go. Decided against what this process knows and sent
 * with its generation: if the ruleset moved meanwhile (a disconnect took the port, someone
 * published it again to another member), the kernel refuses the batch and it is decided on what
 * is there now, so an old PublishedPort never takes away someone else's publication of the same
 * key.
 */
export async function unpublish(host: Namespace, which: Publication | Publication[], operation: string): Promise<void> {
  const pubs = (Array.isArray(which) ? which : [which]).map(canonicalPublication);
  let found = 0;
  await change(host, operation, (state) => {
    const there = pubs.filter((p) => state.publications.some((q) => samePublication(p, q)));
    found = there.length;
    return there.map((p) => elementCommand(NFT_MSG_DELSETELEM, p));
  });
  if (found === 0) throw failure('ENOENT', operation, 'that port is not published');
}

/** The publications recorded in the kernel, of one network or of all. */
export async function publications(
  host: Namespace,
  networkId: string | undefined,
  operation: string,
): Promise<Publication[]> {
  const state = await current(host, operation);
  return state.publications.filter((p) => networkId === undefined || p.networkId === shortId(networkId));
}

/**
 * The publications of a network sent to one of `addresses` (its members', all of them: the
 * caller holds the network's lock, so no member comes or goes meanwhile). Those sent to an
 * address no member has (left by an earlier version, or by hand) are deleted, not listed: they
 * take a host port, and a member given that address later would receive what they send.
 */
export async function memberPublications(
  host: Namespace,
  networkId: string,
  addresses: string[],
  operation: string,
): Promise<Publication[]> {
  const id = shortId(networkId);
  const members = new Set(addresses.map(canonical));
  const mine = (await current(host, operation)).publications.filter((p) => p.networkId === id);
  if (mine.some((p) => !members.has(p.address))) {
    await change(host, operation, (state) =>
      state.publications
        .filter((p) => p.networkId === id && !members.has(p.address))
        .map((p) => elementCommand(NFT_MSG_DELSETELEM, p)),
    );
  }
  return mine.filter((p) => members.has(p.address));
}

/** Removes the publications of one member address of a network (it left, or is leaving). */
export async function unpublishMember(
  host: Namespace,
  networkId: string,
  addresses: string[],
  operation: string,
): Promise<void> {
  const id = shortId(networkId);
  const members = new Set(addresses.map(canonical));
  await change(host, operation, (state) => {
    const gone = state.publications.filter((p) => p.networkId === id && members.has(p.address));
    // Old-style publication rules of that member, if the network was never reopened since.
    const old = state.rules.filter((r) => {
      const p = parseOldPub(r.comment);
      return p !== undefined && p.networkId === id && members.has(p.address);
    });
    return [
      ...gone.map((p) => elementCommand(NFT_MSG_DELSETELEM, p)),
      ...old.map((r) => ({ type: NFT_MSG_DELRULE, family: r.family, table: TABLE, chain: r.chain, handle: r.handle })),
    ];
  });
}

function setSysctl(file: string, value: string, operation: string): void {
  try {
    if (fs.readFileSync(file, 'utf8').trim() !== value) fs.writeFileSync(file, value);
  } catch (e) {
    throw failure((e as NodeJS.ErrnoException).code ?? 'EIO', operation, `cannot set ${file} to ${value}`);
  }
}

/** IPv4 (and IPv6) forwarding in the host namespace, switched on as Docker does; never off. */
function enableForwarding(families: Family[], operation: string): void {
  setSysctl('/proc/sys/net/ipv4/ip_forward', '1', operation);
  if (families.includes(NFPROTO_IPV6)) setSysctl('/proc/sys/net/ipv6/conf/all/forwarding', '1', operation);
}

/**
 * Masquerade for one address outside Docker-style networks: what the CNI plugin's `ipMasq`
 * asks for (the reference bridge plugin's CNI-xxx iptables chain, as one rule of ours):
 * `ip saddr ADDRESS ip daddr != SUBNET ip daddr != 224.0.0.0/4 masquerade` in postrouting (IPv6:
 * ff00::/8), so that the container's own subnet and multicast stay untouched. Each rule carries
 * `nn masq TAG`; the caller's tag says whose it is.
 */
export interface Masquerade {
  /** The container's address (no prefix). */
  source: string;
  /** Its subnet, in CIDR form: not masqueraded. */
  subnet: string;
}

/**
 * Sets the masquerade rules of `tag` to `list` (rules of that tag already there are replaced):
 * one batch, the table and chains created if missing. Switches forwarding on for no family:
 * that is the gateway's business (isGateway).
 */
export async function setMasquerades(
  host: Namespace,
  tag: string,
  list: Masquerade[],
  operation: string,
): Promise<void> {
  const comment = `${MASQ_PREFIX}${tag}`;
  const want = list.map((m) => {
    const family: Family = ipFamily(m.source) === 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
    const multicast = family === NFPROTO_IPV6 ? { address: 'ff00::', prefix: 8 } : { address: '224.0.0.0', prefix: 4 };
    return rule(family, 'postrouting', comment, [
      { kind: 'saddr', address: m.source, prefix: family === NFPROTO_IPV6 ? 128 : 32 },
      { kind: 'daddr', ...cidr(m.subnet), op: NFT_CMP_NEQ },
      { kind: 'daddr', ...multicast, op: NFT_CMP_NEQ },
      { kind: 'masquerade' },
    ]);
  });
  const families = [...new Set(want.map((c) => c.family as Family))];
  await change(host, operation, ({ rules }) => {
    const mine = rules.filter((r) => r.comment === comment);
    if (mine.length === 0 && want.length === 0) return [];
    return [
      ...families.flatMap(baseCommands),
      ...mine.map((r) => ({ type: NFT_MSG_DELRULE, family: r.family, table: TABLE, chain: r.chain, handle: r.handle })),
      ...want,
    ];
  });
}

/** Removes the masquerade rules whose tag `which` picks; the table goes when nothing of ours is left. */
export async function removeMasquerades(
  host: Namespace,
  which: (tag: string) => boolean,
  operation: string,
): Promise<void> {
  const mine = (r: NativeNftRule): boolean =>
    r.comment?.startsWith(MASQ_PREFIX) === true && which(r.comment.slice(MASQ_PREFIX.length));
  await change(host, operation, (state) => (state.rules.some(mine) ? deleteRules(state, mine) : []));
}
