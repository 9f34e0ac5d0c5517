/**
 * `netns-native [-n NS] [-d] [-s [-s]] link show [[dev] NAME] [up] [type KIND] [master DEV]
 * [nomaster] [group G]`: links as `ip link show` prints them (iproute2 6.1's print_linkinfo: its
 * order, its words; -s, the counters: link-stats.ts), text or `-j` JSON with ip's keys. The link's block is shared with `addr show`
 * (addr-show.ts), which prints it without `mode`.
 */
import { Namespace, type Link } from '../../index';
import { knownNamespaceId } from '../../nsid';
import { Iproute2Names, readGroupNames } from '../../rt-names';
import type { ParsedArgs } from '../args';
import { linkFlagNames, lowerDown } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { unsigned, Words } from '../words';
import { detailsJson, detailsText } from './link-details';
import { statsJson, statsLines } from './link-stats';

/** What `link show` (and `addr show`) select links by. */
export interface LinkSelector {
  name?: string;
  up?: boolean;
  /** `type veth`; `type bridge_slave`: the master's kind (`portKind`). */
  kind?: string;
  portKind?: string;
  /** A master's name; `nomaster`: none. */
  master?: string;
  nomaster?: boolean;
  group?: number;
}

/**
 * Reads one of the link selectors at `word` into `selector`; false when `word` is none of them.
 * `seen` catches one given twice.
 */
export function readLinkSelectorWord(words: Words, word: string, selector: LinkSelector, seen: Set<string>): boolean {
  if (word === 'up') {
    words.once(seen, 'up');
    selector.up = true;
  } else if (word === 'type') {
    words.once(seen, 'type');
    const kind = words.value('type', 'a kind (veth, bridge, vxlan, ..., or bridge_slave)');
    if (kind.endsWith('_slave') && kind.length > '_slave'.length) selector.portKind = kind.slice(0, -'_slave'.length);
    else selector.kind = kind;
  } else if (word === 'master' || word === 'nomaster') {
    words.once(seen, 'master');
    if (word === 'nomaster') selector.nomaster = true;
    else selector.master = words.value('master', 'a link name');
  } else if (word === 'group') {
    words.once(seen, 'group');
    selector.group = groupWord(words, words.value('group', 'a group (a number or a name)'));
  } else return false;
  return true;
}

/** A group as ip's rtnl_group_a2n reads it: a name of /etc/iproute2/group, or a number. */
function groupWord(words: Words, value: string): number {
  const n = unsigned(value);
  if (n !== undefined && n <= 0xffffffff) return n;
  const id = readGroupNames().ids.get(value);
  if (id === undefined)
    throw words.error(`group: ${JSON.stringify(value)} is no group (a number, or a name in /etc/iproute2/group)`);
  return id;
}

function readSelector(words: Words): LinkSelector {
  const selector: LinkSelector = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (readLinkSelectorWord(words, word, selector, seen)) continue;
    // `dev NAME`, or the name alone (ip's `ip link show veth0`).
    words.once(seen, 'dev');
    selector.name = word === 'dev' ? words.value('dev', 'a link name') : word;
  }
  return selector;
}

/** The namespace's links and what naming them needs, read once for a listing. */
export interface LinkListing {
  all: Link[];
  names: Map<number, string>;
  flags: Map<number, number>;
  /** The link groups' names. */
  groups: Map<number, string>;
  /** link-netns: the names under /run/netns of the namespaces links' peers are in, by nsid. */
  peerNamespaces: Map<number, string>;
  /** The protodown reasons' names (protodown_reasons.d), read when a link first needs them. */
  iproute2Names: Iproute2Names;
}

/** Reads the links of `ns` (with `stats`, their counters too) and the names a listing prints. */
export async function linkListing(ns: Namespace, stats = false): Promise<LinkListing> {
  const all = await ns.links({ stats });
  const peerNamespaces = new Map<number, string>();
  // ip's get_name_from_nsid: the named namespace that has this id here, if any.
  if (all.some((l) => l.parentNetnsId !== undefined)) {
    for (const other of await Namespace.list()) {
      const id = await knownNamespaceId(ns, other, 'list links').catch(() => undefined);
      if (id !== undefined && !peerNamespaces.has(id)) peerNamespaces.set(id, other.name as string);
    }
  }
  return {
    all,
    names: new Map(all.map((l) => [l.index, l.name])),
    flags: new Map(all.map((l) => [l.index, l.flags])),
    groups: readGroupNames().names,
    peerNamespaces,
    iproute2Names: new Iproute2Names(),
  };
}

/**
 * The links a selector keeps, in the kernel's order, each with whether ip prints it: the name,
 * the kind and the master are the dump's own filters (the link is left out), `up`, the group and
 * the master's kind are print_linkinfo's (`ip -j` then lists an empty object for it).
 */
export async function selectLinks(
  ns: Namespace,
  listing: LinkListing,
  s: LinkSelector,
): Promise<Array<{ link: Link; printed: boolean }>> {
  const named = s.name === undefined ? undefined : (await ns.link(s.name)).index;
  const master = s.master === undefined ? undefined : (await ns.link(s.master)).index;
  return listing.all
    .filter((l) => {
      if (named !== undefined && l.index !== named) return false;
      if (s.kind !== undefined && l.kind !== s.kind) return false;
      if (master !== undefined && l.masterIndex !== master) return false;
      if (s.nomaster && l.masterIndex !== undefined) return false;
      return true;
    })
    .map((l) => {
      let printed = true;
      if (s.up && !l.isUp) printed = false;
      if (s.portKind !== undefined && l.details.portKind !== s.portKind) printed = false;
      if (s.group !== undefined && l.group !== s.group) printed = false;
      return { link: l, printed };
    });
}

/** ARPHRD_* as ip's ll_type_n2a names them after `link/`; others `[N]`. */
const HARDWARE_TYPES: Readonly<Record<number, string>> = {
  0: 'netrom',
  1: 'ether',
  2: 'eether',
  3: 'ax25',
  6: 'ieee802',
  19: 'atm',
  24: 'ieee1394',
  32: 'infiniband',
  256: 'slip',
  257: 'cslip',
  280: 'can',
  512: 'ppp',
  513: 'cisco',
  768: 'ipip',
  769: 'tunnel6',
  772: 'loopback',
  776: 'sit',
  778: 'gre',
  779: 'pimreg',
  801: 'ieee802.11',
  803: 'ieee802.11/radiotap',
  804: 'ieee802.15.4',
  823: 'gre6',
  824: 'netlink',
  825: '6lowpan',
  65534: 'none',
  65535: 'void',
};

/** A group's name, or its number as ip's `%d` prints it. */
function groupName(listing: LinkListing, group: number): string {
  return listing.groups.get(group) ?? String(group > 0x7fffffff ? group - 0x100000000 : group);
}

/**
 * How ip prints a link's block: `link`, as `link show` (ip's do_link: `mode` and the alias,
 * which `addr show` leaves out); `details`, `-d`; `linkLayer`, with the `link/ether` line (not
 * when `addr show` selects a family); `ipv6`, as `ip -6 addr` (its link dump is IPv6's, which
 * carries no qdisc, master, group, link layer nor alternative names); `stats`, how many times -s
 * was given (only `link show` prints them in the block; `addr show` after the addresses).
 */
export interface LinkShowOptions {
  /**
   * false: without the queue length, as print_linkinfo prints a link outside `ip link|addr
   * show` (ip -echo: no filter.showqueue).
   */
  queue?: false;
  link: boolean;
  details: boolean;
  linkLayer: boolean;
  ipv6: boolean;
  stats: number;
}

/** ip's IFF_POINTOPOINT: the broadcast address is the peer's. */
const IFF_POINTOPOINT = 0x10;

/** A link's lines as `ip link show` prints them (each ended by a newline). */
export function linkText(l: Link, listing: LinkListing, options: LinkShowOptions): string {
  const d = l.details;
  const peer = peerOf(l, options.ipv6);
  const mdown = lowerDown(peer, listing.flags);
  const first = [
    `${l.index}: ${nameAndPeer(l, peer, listing)}: <${linkFlagNames(l.flags, mdown).join(',')}> mtu ${l.mtu}`,
  ];
  const full = !options.ipv6;
  if (full && d.qdisc !== '') first.push(`qdisc ${d.qdisc}`);
  if (full && l.masterIndex !== undefined) first.push(`master ${masterName(l, listing)}`);
  first.push(`state ${l.operState.toUpperCase()}`);
  if (options.link) first.push(`mode ${d.mode.toUpperCase()}`);
  if (full) first.push(`group ${groupName(listing, l.group)}`);
  if (l.txQueueLength !== 0 && options.queue !== false) first.push(`qlen ${l.txQueueLength}`);
  let second = `    link/${HARDWARE_TYPES[d.hardwareType] ?? `[${d.hardwareType}]`} ${l.mac}`;
  if (d.broadcast !== '') second += `${l.flags & IFF_POINTOPOINT ? ' peer ' : ' brd '}${d.broadcast}`;
  const nsid = l.parentNetnsId;
  if (full && nsid !== undefined) {
    const name = listing.peerNamespaces.get(nsid);
    const words =
      name !== undefined ? `link-netns ${name}` : nsid >= 0 ? `link-netnsid ${nsid}` : 'link-netnsid unknown';
    // ip prints it on the line it is on: the first, when the link layer's is left out (addr -4).
    if (options.details || options.linkLayer) second += ` ${words}`;
    else first.push(words);
  }
  const protoDown = full ? protoDownText(l, listing) : '';
  if (options.details || options.linkLayer) second += protoDown;
  else if (protoDown !== '') first.push(protoDown.trim());
  const lines = [first.join(' ')];
  if (options.details) lines.push(...detailsText(l, second, listing.names));
  else if (options.linkLayer) lines.push(second);
  if (options.link && l.alias !== undefined) lines.push(`    alias ${l.alias}`);
  if (options.link && options.stats > 0) lines.push(...statsLines(l.stats, l.details.carrierChanges, options.stats));
  if (full) for (const name of l.altNames) lines.push(`    altname ${name}`);
  return lines.map((line) => `${line.trimEnd()}\n`).join('');
}

function masterName(l: Link, listing: LinkListing): string {
  return listing.names.get(l.masterIndex as number) ?? `if${l.masterIndex}`;
}

/**
 * The reasons ip 6.1 prints (print_proto_down), by name where protodown_reasons.d gives one: it
 * reads the reason value as a u8, so only reasons 0 to 7, and only for a link with a broadcast
 * address (it looks the value up in the link's table, where IFLA_BROADCAST has the value's number).
 */
function printedReasons(l: Link, listing: LinkListing): string[] {
  if (l.details.broadcast === '') return [];
  return l.details.protoDownReasons.filter((id) => id < 8).map((id) => listing.iproute2Names.protodownReason(id));
}

/** ' protodown on ' and 'protodown_reason <3,5>', as ip writes them after the link layer. */
function protoDownText(l: Link, listing: LinkListing): string {
  let text = l.details.protoDown ? ' protodown on ' : '';
  const reasons = printedReasons(l, listing);
  if (reasons.length > 0) text += `protodown_reason <${reasons.join(',')}>`;
  return text;
}

/** A link's peer (IFLA_LINK) and the namespace it is in (IFLA_LINK_NETNSID), as ip read them. */
type Peer = Partial<Pick<Link, 'parentIndex' | 'parentNetnsId'>>;

/**
 * The peer as the dump ip read has it. IPv6's link dump (`ip -6 addr`) sends IFLA_LINK only when
 * it differs from the link's own index, and never the peer's namespace: ip then names the index
 * in the namespace it runs in (if7, or a link of its own that has the peer's index).
 */
function peerOf(l: Link, ipv6: boolean): Peer {
  if (!ipv6) return l;
  return l.parentIndex === l.index ? {} : { parentIndex: l.parentIndex };
}

/**
 * 'veth0@veth1', 'veth0@if7' (a peer in another namespace), as ip's print_name_and_link. A peer
 * in another namespace may have the link's own index there (the kernel then sends IFLA_LINK all
 * the same, with IFLA_LINK_NETNSID): 'veth0@if2' for link 2.
 */
function nameAndPeer(l: Link, peer: Peer, listing: LinkListing): string {
  const parent = peer.parentIndex;
  if (parent === undefined) return l.name;
  if (peer.parentNetnsId !== undefined) return `${l.name}@if${parent}`;
  if (parent === l.index) return l.name;
  return `${l.name}@${listing.names.get(parent) ?? `if${parent}`}`;
}

/** A link as `ip -j link show` gives it (print_linkinfo's keys). */
export function linkJson(l: Link, listing: LinkListing, options: LinkShowOptions): Record<string, unknown> {
  const d = l.details;
  const out: Record<string, unknown> = { ifindex: l.index };
  const peer = peerOf(l, options.ipv6);
  const parent = peer.parentIndex;
  if (parent !== undefined && peer.parentNetnsId !== undefined) out.link_index = parent;
  else if (parent !== undefined && parent !== l.index) out.link = listing.names.get(parent) ?? `if${parent}`;
  out.ifname = l.name;
  out.flags = linkFlagNames(l.flags, lowerDown(peer, listing.flags));
  out.mtu = l.mtu;
  const full = !options.ipv6;
  if (full && d.qdisc !== '') out.qdisc = d.qdisc;
  if (full && l.masterIndex !== undefined) out.master = masterName(l, listing);
  out.operstate = l.operState.toUpperCase();
  if (options.link) out.linkmode = d.mode.toUpperCase();
  if (full) out.group = groupName(listing, l.group);
  if (l.txQueueLength !== 0 && options.queue !== false) out.txqlen = l.txQueueLength;
  if (options.linkLayer || options.details) {
    out.link_type = HARDWARE_TYPES[d.hardwareType] ?? `[${d.hardwareType}]`;
    if (l.mac !== '') out.address = l.mac;
    if (d.broadcast !== '') {
      if (l.flags & IFF_POINTOPOINT) out.link_pointtopoint = true;
      out.broadcast = d.broadcast;
    }
  }
  if (full && l.parentNetnsId !== undefined) out.link_netnsid = l.parentNetnsId;
  if (full && d.protoDown) out.proto_down = true;
  const reasons = full ? printedReasons(l, listing) : [];
  if (reasons.length > 0) out.proto_down_reason = reasons;
  if (options.details) Object.assign(out, detailsJson(l, listing.names));
  if (options.link && l.alias !== undefined) out.ifalias = l.alias;
  if (options.link && options.stats > 0)
    Object.assign(out, statsJson(l.stats, l.details.carrierChanges, options.stats));
  if (full && l.altNames.length > 0) out.altnames = l.altNames;
  return out;
}

export async function linkShow(args: ParsedArgs, words: Words, io: Io): Promise<number> {
  const selector = readSelector(words);
  const ns = await namespaceOf(args.netns);
  const listing = await linkListing(ns, args.stats > 0);
  const links = await selectLinks(ns, listing, selector);
  const options = { link: true, details: args.details, linkLayer: true, ipv6: false, stats: args.stats };
  if (args.json) await io.json(links.map(({ link, printed }) => (printed ? linkJson(link, listing, options) : {})));
  else {
    const printed = links.filter((l) => l.printed).map(({ link }) => linkText(link, listing, options));
    await io.out(printed.join(''));
  }
  return 0;
}
