/**
 * Text output as `ip -br` prints it: one line per link, columns padded as iproute2 pads them
 * (name 16, state 14, then the rest), and routes as `ip route` prints them.
 */
import type { Address, BridgePortInfo, Link, Neighbour, NexthopObject, Route, RouteLookup, Rule } from '../index';
import { tosText } from '../route';
import { metricWords } from '../route-metrics';
import { ipProtocolNumber } from '../ip-protocols';
import { ipProtocolName } from './ip-protocols';
import { Iproute2Names } from '../rt-names';
import { realmsWords } from './realms-word';
import { encapWords } from './route-encap-words';

/** IFF_* flags in the order iproute2's print_link_flags prints them. */
const FLAGS: Array<[number, string]> = [
  [0x8, 'LOOPBACK'],
  [0x2, 'BROADCAST'],
  [0x10, 'POINTOPOINT'],
  [0x1000, 'MULTICAST'],
  [0x80, 'NOARP'],
  [0x200, 'ALLMULTI'],
  [0x100, 'PROMISC'],
  [0x400, 'MASTER'],
  [0x800, 'SLAVE'],
  [0x4, 'DEBUG'],
  [0x8000, 'DYNAMIC'],
  [0x4000, 'AUTOMEDIA'],
  [0x2000, 'PORTSEL'],
  [0x20, 'NOTRAILERS'],
  [0x1, 'UP'],
  [0x10000, 'LOWER_UP'],
  [0x20000, 'DORMANT'],
  [0x40000, 'ECHO'],
];
const IFF_UP = 0x1;
const IFF_LOWER_UP = 0x10000;

/**
 * '<BROADCAST,MULTICAST,UP,LOWER_UP>': NO-CARRIER first for a link up without carrier; M-DOWN
 * last when `mdown`: the link it sits on is down (iproute2's print_link_flags).
 */
export function linkFlags(flags: number, mdown: boolean): string {
  return `<${linkFlagNames(flags, mdown).join(',')}>`;
}

/** The words of {@link linkFlags}, as `ip -j link` lists them in `flags`. */
export function linkFlagNames(flags: number, mdown: boolean): string[] {
  const names = FLAGS.filter(([bit]) => flags & bit).map(([, name]) => name);
  if (flags & IFF_UP && !(flags & IFF_LOWER_UP)) names.unshift('NO-CARRIER');
  if (mdown) names.push('M-DOWN');
  return names;
}

/**
 * Whether ip marks a link M-DOWN: the link it sits on (IFLA_LINK: a veth's peer) is in this
 * namespace and not up, or not among `flagsByIndex` at all; never for one in another namespace.
 */
export function lowerDown(
  link: Partial<Pick<Link, 'parentIndex' | 'parentNetnsId'>>,
  flagsByIndex: ReadonlyMap<number, number>,
): boolean {
  const parent = link.parentIndex;
  if (parent === undefined || link.parentNetnsId !== undefined) return false;
  return ((flagsByIndex.get(parent) ?? 0) & IFF_UP) === 0;
}

/** 'veth0@veth1', or 'veth0@if7' when the peer is in another namespace (as ip names them). */
function displayName(link: Link, byIndex: Map<number, string>): string {
  const parent = link.parentIndex;
  if (parent === undefined) return link.name;
  // The peer's index is in another namespace's numbering, and may equal this link's own.
  if (link.parentNetnsId !== undefined) return `${link.name}@if${parent}`;
  if (parent === link.index) return link.name;
  return `${link.name}@${byIndex.get(parent) ?? `if${parent}`}`;
}

/** A column as iproute2 prints it (`%-16s `): padded to `width`, then one space. */
function pad(text: string, width: number): string {
  return `${text.padEnd(width)} `;
}

/** `ip -br link`: the lines of `links`, peers named from `all` (the namespace's links). */
export function briefLinks(links: Link[], all: Link[] = links): string {
  const byIndex = new Map(all.map((l) => [l.index, l.name]));
  const flagsByIndex = new Map(all.map((l) => [l.index, l.flags]));
  return links
    .map(
      (l) =>
        `${pad(displayName(l, byIndex), 16)}${pad(l.operState.toUpperCase(), 14)}${pad(l.mac, 17)}${linkFlags(l.flags, lowerDown(l, flagsByIndex))}`,
    )
    .map((line) => `${line.trimEnd()}\n`)
    .join('');
}

/** The names iproute2 gives bits of a group forward mask (`group_fwd_mask_str`); others are 0xN. */
const FWD_MASK_NAMES: Readonly<Record<number, string>> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

/** MDB_RTR_TYPE_*: `mcast_router` as ip prints it, a number. */
const MCAST_ROUTER_NUMBERS: Readonly<Record<string, number>> = { disabled: 0, auto: 1, permanent: 2, temporary: 3 };

const onOff = (on: boolean): string => (on ? 'on' : 'off');

/**
 * A bridge port's settings as `ip -d link show` prints them (iproute2's bridge_slave_print_opt:
 * its order, its words), without what the spanning tree keeps for itself (port_id, port_no, the
 * designated ids, the timers, topology_change_ack, config_pending): `bridge_slave state
 * forwarding priority 32 cost 2 hairpin off ...`. A setting this kernel lacks is left out, as
 * ip leaves it out; `mcast_fast_leave` repeats `fastleave`, as ip repeats it.
 */
export function bridgePortLine(port: BridgePortInfo, names: ReadonlyMap<number, string>): string {
  const words = ['bridge_slave'];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined) words.push(name, value);
  };
  const flag = (name: string, on: boolean | undefined): void => add(name, on === undefined ? undefined : onOff(on));
  add('state', port.state);
  add('priority', String(port.priority));
  add('cost', String(port.cost));
  flag('hairpin', port.hairpin);
  flag('guard', port.guard);
  flag('root_block', port.rootBlock);
  flag('fastleave', port.fastLeave);
  flag('learning', port.learning);
  flag('flood', port.flood);
  flag('proxy_arp', port.proxyArp);
  flag('proxy_arp_wifi', port.proxyArpWifi);
  add('mcast_router', port.mcastRouter === undefined ? undefined : String(MCAST_ROUTER_NUMBERS[port.mcastRouter]));
  flag('mcast_fast_leave', port.fastLeave);
  flag('mcast_flood', port.mcastFlood);
  flag('bcast_flood', port.bcastFlood);
  flag('mcast_to_unicast', port.mcastToUnicast);
  flag('neigh_suppress', port.neighSuppress);
  flag('neigh_vlan_suppress', port.neighVlanSuppress);
  if (port.groupFwdMask !== undefined) {
    const mask = port.groupFwdMask;
    add('group_fwd_mask', mask === 0 ? '0' : `0x${mask.toString(16)}`);
    const bits: string[] = [];
    for (let bit = 0; bit < 16; bit++) {
      if (mask & (1 << bit)) bits.push(FWD_MASK_NAMES[bit] ?? `0x${(1 << bit).toString(16)}`);
    }
    add('group_fwd_mask_str', bits.length > 0 ? bits.join(',') : '0x0');
  }
  flag('vlan_tunnel', port.vlanTunnel);
  flag('isolated', port.isolated);
  flag('locked', port.locked);
  flag('mab', port.mab);
  if (port.backupPortIndex !== undefined) {
    add('backup_port', names.get(port.backupPortIndex) ?? `if${port.backupPortIndex}`);
  }
  return words.join(' ');
}

/** '198.18.0.1/24', or '198.18.0.50 peer 198.18.0.51/32' for a point-to-point address, as ip prints them. */
export function addressText(a: Address): string {
  return a.peer === undefined ? a.cidr : `${a.address} peer ${a.peer}`;
}

/** `ip -br addr`: each link with its addresses, IPv4 first as the kernel lists them. */
export function briefAddresses(links: Link[], addresses: Address[]): string {
  const byIndex = new Map(links.map((l) => [l.index, l.name]));
  return links
    .map((l) => {
      const mine = addresses.filter((a) => a.linkIndex === l.index).map(addressText);
      return (
        `${pad(displayName(l, byIndex), 16)}${pad(l.operState.toUpperCase(), 14)}${mine.join(' ')}`.trimEnd() + '\n'
      );
    })
    .join('');
}

/** A route's or next hop's flags, in the order iproute2's print_rt_flags prints them. */
export function flagWords(f: { dead?: boolean; onlink?: boolean; linkdown?: boolean }): string[] {
  const words: string[] = [];
  if (f.dead) words.push('dead');
  if (f.onlink) words.push('onlink');
  if (f.linkdown) words.push('linkdown');
  return words;
}

/**
 * The words `ip route show` leaves out of each line because a selector fixed them (iproute2's
 * print_route: `table 100` hides the table, `dev D` the link, `proto P` the protocol, ...).
 */
export interface RouteWordsShown {
  table?: false;
  dev?: false;
  via?: false;
  src?: false;
  proto?: false;
  scope?: false;
  metric?: false;
  tos?: false;
  /** The realms (`realms 3/5` fixes both). */
  realms?: false;
  /** `-s`: a cached route's or a lookup's users, uses and age (RTA_CACHEINFO), as ip -s. */
  stats?: boolean;
}

/**
 * RTA_CACHEINFO's words as print_rta_cacheinfo prints them, each unless 0: the expiry, the error
 * (unsigned, as ip prints it), and with -s the users, the uses and the age (whole seconds).
 */
export function cacheInfoWords(r: Route, stats: boolean): string[] {
  const words: string[] = [];
  if (r.expires !== undefined && r.expires !== 0) words.push('expires', `${r.expires}sec`);
  const c = r.cacheInfo;
  if (c === undefined) return words;
  if (c.error !== 0) words.push('error', String(c.error >>> 0));
  if (stats) {
    if (c.users !== 0) words.push('users', String(c.users));
    if (c.used !== 0) words.push('used', String(c.used));
    if (c.ageMs !== 0) words.push('age', `${Math.floor(c.ageMs / 1000)}sec`);
  }
  return words;
}

/**
 * One route as `ip route show table all` and `ip monitor` print it: a host route without its
 * /32 (/128), `table` for any table but main (so in `ip route`, main only, never); without the
 * words `shown` turns off.
 */
export function routeLine(r: Route, shown: RouteWordsShown = {}): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  const host = r.family === 4 ? '/32' : '/128';
  parts.push(r.destination.endsWith(host) ? r.destination.slice(0, -host.length) : r.destination);
  if (r.from !== undefined) parts.push('from', r.from.endsWith(host) ? r.from.slice(0, -host.length) : r.from);
  // A nexthop object's id, then (nexthop_compat_mode) the hops the kernel copies from it.
  if (r.nexthopId !== undefined) parts.push('nhid', String(r.nexthopId));
  if (r.encap !== undefined) parts.push(...encapWords(r.encap));
  // By its name in rt_dsfield (AF11) where it has one, else in hex, as iproute2 prints it.
  if (r.tos !== undefined && shown.tos !== false) parts.push('tos', r.tosName ?? tosText(r.tos));
  if (r.gateway !== undefined && shown.via !== false) parts.push('via', r.gateway);
  // ip names a link it cannot resolve ifN (ll_index_to_name).
  if (r.linkIndex !== undefined && shown.dev !== false) parts.push('dev', r.link ?? `if${r.linkIndex}`);
  if (r.table !== 254 && shown.table !== false) parts.push('table', r.tableName ?? String(r.table));
  // A cached route's protocol and scope are not its own: ip leaves them out.
  if (r.protocol !== 'boot' && shown.proto !== false && !r.cached) parts.push('proto', r.protocol);
  if (r.scope !== 'global' && shown.scope !== false && !r.cached) parts.push('scope', r.scope);
  if (r.source !== undefined && shown.src !== false) parts.push('src', r.source);
  if (r.metric !== undefined && shown.metric !== false) parts.push('metric', String(r.metric));
  parts.push(...flagWords(r));
  // Then, as iproute2's print_route: the realms, an IPv4 cached route's cache line, the cache
  // info's expiry, the metrics, the preference.
  if (shown.realms !== false) parts.push(...realmsWords(r));
  parts.push(...cacheWords(r), ...cacheInfoWords(r, shown.stats === true));
  if (r.metrics !== undefined) parts.push(...metricWords(r.metrics));
  if (r.preference !== undefined) parts.push('pref', r.preference);
  for (const hop of r.nexthops ?? []) {
    parts.push('\n\tnexthop');
    if (hop.encap !== undefined) parts.push(...encapWords(hop.encap));
    if (hop.gateway !== undefined) parts.push('via', hop.gateway);
    parts.push(...realmsWords(hop));
    if (hop.linkIndex !== undefined) parts.push('dev', hop.link ?? `if${hop.linkIndex}`);
    parts.push('weight', String(hop.weight), ...flagWords(hop));
  }
  return parts.join(' ').replace(/ \n/g, '\n');
}

/**
 * An IPv4 cached route's second line as ip begins it (print_cache_flags): `cache`, then its
 * flags in angle brackets; its expiry and metrics follow on that line. Nothing for others.
 */
function cacheWords(r: Route): string[] {
  if (!r.cached || r.family !== 4) return [];
  const flags = (r.cacheFlags ?? []).map((f) => (f.startsWith('0x') ? f.slice(2) : f));
  return ['\n    cache', ...(flags.length > 0 ? [`<${flags.join(',')}>`] : [])];
}

/** A host address without its /32 (/128), as ip prints one. */
function hostless(address: string, family: 4 | 6): string {
  const host = family === 4 ? '/32' : '/128';
  return address.endsWith(host) ? address.slice(0, -host.length) : address;
}

/**
 * `ip route get ADDRESS [from SRC] ...` as ip prints it. The kernel answers an IPv4 lookup with
 * a cached clone, which ip prints without table, proto and scope, with `mark` and `uid`, then a
 * second line: `cache`, its flags, expiry (an exception's) and metrics, and the input link; an
 * IPv6 one (and any with `fibmatch`) as a route of the table (an exception's without proto),
 * IPv6 `from` the source asked for or `::`. `from` is the source given (the kernel echoes it;
 * RouteLookup has it as the question's).
 */
export function lookupLine(r: RouteLookup, from: string | undefined, fibMatch: boolean, stats = false): string {
  if (fibMatch) return routeLine(r, { stats });
  if (r.family === 6) return routeLine({ ...r, from: from ?? '::' }, { stats });
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(hostless(r.destination, 4));
  if (from !== undefined) parts.push('from', from);
  if (r.nexthopId !== undefined) parts.push('nhid', String(r.nexthopId));
  if (r.encap !== undefined) parts.push(...encapWords(r.encap));
  if (r.tos !== undefined) parts.push('tos', r.tosName ?? tosText(r.tos));
  if (r.gateway !== undefined) parts.push('via', r.gateway);
  if (r.linkIndex !== undefined) parts.push('dev', r.link ?? `if${r.linkIndex}`);
  if (r.source !== undefined) parts.push('src', r.source);
  if (r.metric !== undefined) parts.push('metric', String(r.metric));
  parts.push(...flagWords(r));
  if (r.mark !== undefined) parts.push('mark', String(r.mark));
  parts.push(...realmsWords(r));
  if (r.uid !== undefined) parts.push('uid', String(r.uid));
  parts.push(...cacheWords(r), ...cacheInfoWords(r, stats));
  if (r.metrics !== undefined) parts.push(...metricWords(r.metrics));
  if (r.inputLinkIndex !== undefined) parts.push('iif', r.inputLink ?? `if${r.inputLinkIndex}`);
  return parts.join(' ').replace(/ \n/g, '\n');
}

/** `ip route; ip -6 route`. */
export function routeLines(routes: Route[]): string {
  return [...routes.filter((r) => r.family === 4), ...routes.filter((r) => r.family === 6)]
    .map((r) => `${routeLine(r)}\n`)
    .join('');
}

/**
 * One neighbour entry as `ip neigh show` prints it (iproute2's print_neigh: its order, its
 * words, its spacing), without `dev` when the listing was of one link (`ip neigh show dev LINK`);
 * the state upper-case, none for a proxy entry or one in state none. With `stats` (`ip -s`), the
 * cache info and probes as print_cacheinfo lays them out: ` ref N used A/B/C` (ref only when not
 * 0; whole seconds) then `probes P`, no blank between them, as ip prints it.
 */
export function neighbourLine(n: Neighbour, withLink: boolean, stats = false): string {
  let line = `${n.address} `;
  if (withLink) line += `dev ${n.link} `;
  if (n.mac !== undefined) line += `lladdr ${n.mac} `;
  if (n.router) line += 'router ';
  if (n.proxy) line += 'proxy ';
  if (n.managed) line += 'managed ';
  if (n.extLearned) line += 'extern_learn ';
  if (stats && n.cacheInfo) {
    const c = n.cacheInfo;
    const seconds = (ms: number): number => Math.floor(ms / 1000);
    if (c.refcnt) line += ` ref ${c.refcnt}`;
    line += ` used ${seconds(c.usedMs)}/${seconds(c.confirmedMs)}/${seconds(c.updatedMs)}`;
  }
  if (stats && n.probes !== undefined) line += `probes ${n.probes} `;
  if (n.state !== 'none') line += `${n.state.toUpperCase()} `;
  if (n.protocol !== undefined) line += `proto ${n.protocol} `;
  return line.trimEnd();
}

/** A number as C's `%#x` prints it (iproute2's fwmark): 0, else 0x-prefixed hex. */
function hexWord(n: number): string {
  return n === 0 ? '0' : `0x${n.toString(16)}`;
}

/** A port or [first, last] range as ip prints it: 80, 1000-2000. */
function rangeWord(range: number | [number, number]): string {
  return Array.isArray(range) ? `${range[0]}-${range[1]}` : String(range);
}

/** What a rule's text and JSON hold beyond the default (ip's options). */
export interface RuleShown {
  /** `-d`: the protocol of every rule, kernel and unspec too. */
  details?: boolean;
  /** Names an IP protocol's number (`ipproto`); by default as ip does: /etc/protocols. */
  ipProtocol?: (n: number) => string;
}

/** Whether print_rule prints the rule's protocol: unless unspec or kernel's, but always with -d. */
function ruleProtocolShown(r: Rule, shown: RuleShown): boolean {
  return shown.details === true || (r.protocol !== 'unspec' && r.protocol !== 'kernel');
}

/**
 * One rule as `ip rule show` prints it (iproute2's print_rule: its order, its words): `PRIORITY:`,
 * a tab, then `from all` when it has no source, a host prefix without its /32 (/128), the
 * selectors, the table looked up, the action; the protocol unless unspec or kernel's (with
 * `details`, always).
 */
export function ruleLine(r: Rule, shown: RuleShown = {}): string {
  const ipProtocol = shown.ipProtocol ?? ipProtocolName;
  const parts: string[] = [];
  if (r.not) parts.push('not');
  parts.push('from', r.from === undefined ? 'all' : hostless(r.from, r.family));
  if (r.to !== undefined) parts.push('to', hostless(r.to, r.family));
  if (r.tos !== undefined) parts.push('tos', r.tosName ?? tosText(r.tos));
  if (r.fwmark !== undefined)
    parts.push('fwmark', hexWord(r.fwmark) + (r.fwmask !== undefined ? `/${hexWord(r.fwmask)}` : ''));
  if (r.iif !== undefined) parts.push('iif', r.iif, ...(r.iifDetached ? ['[detached]'] : []));
  if (r.oif !== undefined) parts.push('oif', r.oif, ...(r.oifDetached ? ['[detached]'] : []));
  if (r.l3mdev) parts.push('lookup', '[l3mdev-table]');
  if (r.uidRange !== undefined) parts.push('uidrange', rangeWord(r.uidRange));
  // ip names it from /etc/protocols (58 is ipv6-icmp there, icmpv6 in the library).
  if (r.ipProto !== undefined) {
    const n = typeof r.ipProto === 'number' ? r.ipProto : ipProtocolNumber(r.ipProto);
    parts.push('ipproto', n === undefined ? String(r.ipProto) : ipProtocol(n));
  }
  if (r.sport !== undefined) parts.push('sport', rangeWord(r.sport));
  if (r.dport !== undefined) parts.push('dport', rangeWord(r.dport));
  if (r.table !== undefined) {
    parts.push('lookup', r.tableName ?? String(r.table));
    if (r.suppressPrefixLength !== undefined) parts.push('suppress_prefixlength', String(r.suppressPrefixLength));
  }
  // print_rule: after the table and before the action; `realms D` even with no source.
  if (r.realm !== undefined) {
    const names = new Iproute2Names();
    const destination = names.realm(r.realm);
    parts.push('realms', r.sourceRealm === undefined ? destination : `${names.realm(r.sourceRealm)}/${destination}`);
  }
  if (r.action === 'goto') parts.push('goto', String(r.goto), ...(r.unresolved ? ['[unresolved]'] : []));
  else if (r.action !== 'lookup') parts.push(r.action);
  if (ruleProtocolShown(r, shown)) parts.push('proto', r.protocol);
  return `${r.priority}:\t${parts.join(' ')}`;
}

/** A prefix as print_rule's JSON gives it: the address, and its length unless a host's. */
function prefixJson(prefix: string, family: 4 | 6, key: string, lengthKey: string): Record<string, unknown> {
  const [address, length] = prefix.split('/') as [string, string | undefined];
  const host = family === 4 ? '32' : '128';
  return length === undefined || length === host ? { [key]: address } : { [key]: address, [lengthKey]: Number(length) };
}

/** A port range as print_rule's JSON gives it: `sport`, or `sport_start` and `sport_end`. */
function rangeJson(range: number | [number, number], key: string): Record<string, number> {
  return Array.isArray(range) ? { [`${key}_start`]: range[0], [`${key}_end`]: range[1] } : { [key]: range };
}

/**
 * One rule as `ip -j rule` gives it (iproute2's print_rule: its keys, in its order; a flag is a
 * key with value null), for `rule show` and `-echo rule add` alike.
 */
export function ruleJson(r: Rule, shown: RuleShown = {}): Record<string, unknown> {
  const ipProtocol = shown.ipProtocol ?? ipProtocolName;
  const out: Record<string, unknown> = { priority: r.priority };
  if (r.not) out.not = null;
  Object.assign(out, r.from === undefined ? { src: 'all' } : prefixJson(r.from, r.family, 'src', 'srclen'));
  if (r.to !== undefined) Object.assign(out, prefixJson(r.to, r.family, 'dst', 'dstlen'));
  if (r.tos !== undefined) out.tos = r.tosName ?? tosText(r.tos);
  if (r.fwmark !== undefined) out.fwmark = hexWord(r.fwmark);
  if (r.fwmask !== undefined) out.fwmask = hexWord(r.fwmask);
  if (r.iif !== undefined) out.iif = r.iif;
  if (r.iifDetached) out.iif_detached = null;
  if (r.oif !== undefined) out.oif = r.oif;
  if (r.oifDetached) out.oif_detached = null;
  if (r.l3mdev) out.l3mdev = null;
  if (r.uidRange !== undefined) Object.assign(out, { uid_start: r.uidRange[0], uid_end: r.uidRange[1] });
  if (r.ipProto !== undefined) {
    const n = typeof r.ipProto === 'number' ? r.ipProto : ipProtocolNumber(r.ipProto);
    out.ipproto = n === undefined ? String(r.ipProto) : ipProtocol(n);
  }
  if (r.sport !== undefined) Object.assign(out, rangeJson(r.sport, 'sport'));
  if (r.dport !== undefined) Object.assign(out, rangeJson(r.dport, 'dport'));
  if (r.table !== undefined) {
    out.table = r.tableName ?? String(r.table);
    if (r.suppressPrefixLength !== undefined) out.suppress_prefixlen = r.suppressPrefixLength;
  }
  if (r.realm !== undefined) {
    const names = new Iproute2Names();
    if (r.sourceRealm !== undefined) out.flow_from = names.realm(r.sourceRealm);
    out.flow_to = names.realm(r.realm);
  }
  if (r.action === 'goto') {
    out.goto = r.goto;
    if (r.unresolved) out.unresolved = null;
  } else if (r.action === 'nop') out.nop = null;
  else if (r.action !== 'lookup') out.action = r.action;
  if (ruleProtocolShown(r, shown)) out.protocol = r.protocol;
  return out;
}

/** What a nexthop object's text and JSON hold beyond the default (ip's options). */
export interface NexthopShown {
  /** `-d`: every scope (global too) and protocol (unspec too). */
  details?: boolean;
}

/** A number as C's `%g` prints it (ip's resilient timers): six significant digits, no trailing zeros. */
function gWord(n: number): string {
  if (n === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(n)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, power] = n.toExponential(5).split('e') as [string, string];
    const digits = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    const sign = power.startsWith('-') ? '-' : '+';
    return `${digits}e${sign}${power.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  const fixed = n.toFixed(Math.max(0, 5 - exponent));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** A resilient group's arguments, as print_nh_res_group gives them (each, 0 when unknown). */
function resilientArgs(n: NexthopObject): Array<[string, number]> {
  return [
    ['buckets', n.buckets ?? 0],
    ['idle_timer', n.idleTimer ?? 0],
    ['unbalanced_timer', n.unbalancedTimer ?? 0],
    ['unbalanced_time', n.unbalancedTime ?? 0],
  ];
}

/**
 * One nexthop object as `ip nexthop show` prints it (iproute2's print_nexthop: its order, its
 * words): a group's members as ID or ID,WEIGHT joined by /, a resilient group's type and
 * arguments (the timers in seconds, as %g), the scope unless global, the protocol unless unspec
 * (with `details`, both always).
 */
export function nexthopLine(n: NexthopObject, shown: NexthopShown = {}): string {
  const parts = ['id', String(n.id)];
  if (n.group !== undefined) {
    parts.push('group', n.group.map((m) => (m.weight === 1 ? String(m.id) : `${m.id},${m.weight}`)).join('/'));
  }
  if (n.groupType === 'resilient') {
    parts.push('type', 'resilient');
    for (const [key, value] of resilientArgs(n)) parts.push(key, gWord(value));
  }
  if (n.gateway !== undefined) parts.push('via', n.gateway);
  if (n.linkIndex !== undefined) parts.push('dev', n.link ?? `if${n.linkIndex}`);
  if (n.scope !== 'global' || shown.details === true) parts.push('scope', n.scope);
  if (n.blackhole) parts.push('blackhole');
  if (n.protocol !== 'unspec' || shown.details === true) parts.push('proto', n.protocol);
  parts.push(...flagWords(n));
  if (n.fdb) parts.push('fdb');
  return parts.join(' ');
}

/**
 * One nexthop object as `ip -j nexthop` gives it (iproute2's print_nexthop: its keys, in its
 * order; a flag is a key with value null, the route flags an array), for `nexthop show` and
 * `-echo nexthop add` alike.
 */
export function nexthopJson(n: NexthopObject, shown: NexthopShown = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { id: n.id };
  if (n.group !== undefined)
    out.group = n.group.map((m) => (m.weight === 1 ? { id: m.id } : { id: m.id, weight: m.weight }));
  if (n.groupType === 'resilient') {
    out.type = 'resilient';
    out.resilient_args = Object.fromEntries(resilientArgs(n));
  }
  if (n.gateway !== undefined) out.gateway = n.gateway;
  if (n.linkIndex !== undefined) out.dev = n.link ?? `if${n.linkIndex}`;
  if (n.scope !== 'global' || shown.details === true) out.scope = n.scope;
  if (n.blackhole) out.blackhole = null;
  if (n.protocol !== 'unspec' || shown.details === true) out.protocol = n.protocol;
  out.flags = flagWords(n);
  if (n.fdb) out.fdb = null;
  return out;
}
