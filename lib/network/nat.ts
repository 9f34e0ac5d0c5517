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
 * - Outbound, per network that is not internal: `ip saddr SUBNET oifname != BRIDGE masquerade`.
 * - Isolation, as Docker's DOCKER-ISOLATION-STAGE-1/2: per network
 *   `iifname BRIDGE oifname != BRIDGE jump isolation` in forward and `oifname BRIDGE drop` in
 *   isolation: what leaves one of our bridges for another of our bridges is dropped, both ways.
 *   An internal network also gets `iifname BRIDGE oifname != BRIDGE drop` and
 *   `oifname BRIDGE iifname != BRIDGE drop`: its members reach only their own subnet, whatever
 *   routes they add inside.
 * - A published port: `iifname != BRIDGE fib daddr type local tcp dport HOSTPORT dnat to
 *   MEMBER:PORT` in prerouting (or `ip daddr HOSTADDRESS` for one address), the same without the
 *   iifname match in output (connections from this host, 127.0.0.1 included), and
 *   `ip saddr 127.0.0.0/8 oifname BRIDGE masquerade` for the loopback ones (with route_localnet on
 *   the bridge, as Docker sets it without its userland proxy).
 *
 * Every rule carries a comment saying whose it is (`nn net <network id>`,
 * `nn pub <network id> <proto> <host address or *> <host port> <member address> <member port>`), so
 * that any process can list and remove them: the rules live in the kernel and outlast the
 * process. Changes that depend on what is there (a port not yet published, the last network
 * going) are made against the generation of the ruleset they were decided on: if another
 * process changed it meanwhile, the kernel refuses the batch (ERESTART) and it is decided again.
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
  NFPROTO_IPV4,
  NFPROTO_IPV6,
  NFT_CMP_NEQ,
  NFT_MSG_DELRULE,
  NFT_MSG_DELTABLE,
  NFT_MSG_NEWCHAIN,
  NFT_MSG_NEWRULE,
  NFT_MSG_NEWTABLE,
  NF_ACCEPT,
  NF_INET_FORWARD,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  NF_INET_PRE_ROUTING,
} from '../native/constants';
import type { NativeHandle, NativeNftCommand, NativeNftRule, NativeNftStatement } from '../native/surface';

/** The one table of ours, in family ip and ip6. */
export const TABLE = 'netns-native';

/** The comment of an attachment masquerade (setMasquerades) begins with this, then its tag. */
const MASQ_PREFIX = 'nn masq ';

const FAMILIES = [NFPROTO_IPV4, NFPROTO_IPV6] as const;
type Family = (typeof FAMILIES)[number];

/** What the firewall needs to know of a network. */
export interface FirewallNetwork {
  /** The network's id (64 hex); rules carry its first 12 digits. */
  id: string;
  bridge: string;
  internal: boolean;
  /** IPv4 subnet in CIDR form, and the IPv6 one if the network has one. */
  subnet: string;
  ipv6Subnet?: string;
}

/** A published port, as the rules record it. */
export interface Publication {
  /** The network's id; what the rules record (and publications() returns) is its first 12 hex digits. */
  networkId: string;
  protocol: 'tcp' | 'udp';
  /** An address of the host, or undefined for every address of the host namespace. */
  hostAddress: string | undefined;
  hostPort: number;
  /** The member's address and port the traffic is sent to. */
  address: string;
  port: number;
}

/** The first 12 hex digits of a network id: what the rules name. */
function shortId(id: string): string {
  return id.slice(0, 12);
}

function netComment(id: string): string {
  return `nn net ${shortId(id)}`;
}

function pubComment(p: Publication): string {
  return ['nn pub', shortId(p.networkId), p.protocol, p.hostAddress ?? '*', p.hostPort, p.address, p.port].join(' ');
}

/** A publication from a rule's comment, or undefined for any other rule. */
function parsePub(comment: string | undefined): Publication | undefined {
  if (comment?.startsWith('nn pub ') !== true) return undefined;
  const f = comment.split(' ');
  if (f.length !== 8) return undefined;
  const [, , networkId, protocol, hostAddress, hostPort, address, port] = f as [string, ...string[]];
  if ((protocol !== 'tcp' && protocol !== 'udp') || !ipFamily(address as string)) return undefined;
  return {
    networkId: networkId as string,
    protocol,
    hostAddress: hostAddress === '*' ? undefined : hostAddress,
    hostPort: Number(hostPort),
    address: address as string,
    port: Number(port),
  };
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

function cidr(text: string): { address: string; prefix: number } {
  const [address, prefix] = text.split('/') as [string, string];
  return { address, prefix: Number(prefix) };
}

/** The rules of a network (not its publications), in one family. */
function networkRules(net: FirewallNetwork, family: Family): NativeNftCommand[] {
  const comment = netComment(net.id);
  const br = net.bridge;
  const subnet = family === NFPROTO_IPV4 ? net.subnet : net.ipv6Subnet;
  const out: NativeNftCommand[] = [
    // Isolation, stage 1 and 2: from this bridge to another of ours, and from another to this.
    rule(family, 'forward', comment, [iif(br), oif(br, NFT_CMP_NEQ), { kind: 'jump', chain: 'isolation' }]),
    rule(family, 'isolation', comment, [oif(br), { kind: 'drop' }]),
  ];
  if (net.internal) {
    out.push(
      rule(family, 'forward', comment, [iif(br), oif(br, NFT_CMP_NEQ), { kind: 'drop' }]),
      rule(family, 'forward', comment, [oif(br), iif(br, NFT_CMP_NEQ), { kind: 'drop' }]),
    );
  } else if (subnet !== undefined) {
    out.push(
      rule(family, 'postrouting', comment, [
        { kind: 'saddr', ...cidr(subnet) },
        oif(br, NFT_CMP_NEQ),
        { kind: 'masquerade' },
      ]),
    );
  }
  return out;
}

/** The rules of a publication (in the family of the member's address). */
function publicationRules(net: FirewallNetwork, p: Publication): NativeNftCommand[] {
  const family: Family = ipFamily(p.address) === 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
  const comment = pubComment(p);
  const proto = p.protocol === 'udp' ? IPPROTO_UDP : IPPROTO_TCP;
  const to: NativeNftStatement[] = p.hostAddress
    ? [{ kind: 'daddr', address: p.hostAddress }]
    : [{ kind: 'daddrlocal' }];
  const dport: NativeNftStatement = { kind: 'dport', proto, port: p.hostPort };
  const dnat: NativeNftStatement = { kind: 'dnat', address: p.address, port: p.port };
  const loopback = family === NFPROTO_IPV4 ? { address: '127.0.0.0', prefix: 8 } : { address: '::1', prefix: 128 };
  return [
    rule(family, 'prerouting', comment, [iif(net.bridge, NFT_CMP_NEQ), ...to, dport, dnat]),
    rule(family, 'output', comment, [...to, dport, dnat]),
    rule(family, 'postrouting', comment, [{ kind: 'saddr', ...loopback }, oif(net.bridge), { kind: 'masquerade' }]),
  ];
}

/**
 * What this process last knew of our table: the rules (both families) and the generation of the
 * ruleset they belong to. Decisions (a port is free, a network is the last) are made against it
 * and sent with its generation: the kernel refuses the batch (ERESTART) if anything changed the
 * ruleset since — another process, or anything else — and then it is read again. So the rules
 * are read only when they may have changed, and a change is one batch.
 */
interface Known {
  genid: number;
  rules: NativeNftRule[];
}
const known = new Map<bigint, Known>(); // by the host namespace's inode

/** The generation first, then the rules: a change in between makes the generation stale. */
async function read(handle: NativeHandle, operation: string): Promise<Known> {
  const results = await batch(
    handle,
    [{ op: 'nftgetgen' }, ...FAMILIES.map((family) => ({ op: 'nftdumprules', family, table: TABLE }) as const)],
    operation,
    'firewall',
  );
  throwFirstFailure([results[0]], operation, 'firewall');
  const rules: NativeNftRule[] = [];
  for (const r of results.slice(1)) {
    // ENOENT: no such table (yet, or any more).
    if (Array.isArray(r)) rules.push(...(r as NativeNftRule[]));
    else if ((r as { errno?: number } | undefined)?.errno !== constants.errno.ENOENT) {
      throwFirstFailure([r], operation, 'firewall');
    }
  }
  return { genid: results[0] as number, rules };
}

/** Our rules as the kernel has them now (the generation is checked; the rules read if it moved). */
async function current(host: Namespace, operation: string): Promise<NativeNftRule[]> {
  const handle = await host[kHandle](operation);
  const last = known.get(host.inode);
  if (last !== undefined) {
    const genid = await request<number>(handle, { op: 'nftgetgen' }, operation, 'firewall');
    if (genid === last.genid) return last.rules;
  }
  const now = await read(handle, operation);
  known.set(host.inode, now);
  return now.rules;
}

/** What a batch that went through did to the rules we know (the kernel echoed the new ones). */
function applied(before: Known, commands: NativeNftCommand[], echoed: NativeNftRule[]): Known {
  const gone = new Set(commands.filter((c) => c.type === NFT_MSG_DELRULE).map((c) => `${c.family}/${c.handle}`));
  const tables = new Set(commands.filter((c) => c.type === NFT_MSG_DELTABLE).map((c) => c.family));
  const rules = before.rules.filter((r) => !gone.has(`${r.family}/${r.handle}`) && !tables.has(r.family));
  // Each commit moves the generation by one (nf_tables_commit), skipping 0.
  return { genid: (before.genid + 1) >>> 0 || 1, rules: [...rules, ...echoed] };
}

/**
 * Decides a change against the rules as they are and sends it as one batch made against their
 * generation; when the kernel refuses it as stale (ERESTART: the ruleset changed meanwhile), the
 * rules are read again and it is decided again. A bounded number of tries: a ruleset changing
 * faster than that fails with ERESTART.
 */
async function change(
  host: Namespace,
  operation: string,
  decide: (rules: NativeNftRule[]) => NativeNftCommand[],
): Promise<void> {
  const handle = await host[kHandle](operation);
  let state = known.get(host.inode) ?? (await read(handle, operation));
  for (let attempt = 0; ; attempt++) {
    const commands = decide(state.rules).map((c) => (c.type === NFT_MSG_NEWRULE ? { ...c, echo: 1 } : c));
    if (commands.length === 0) {
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
    }
  }
}

/** Deletes the rules matching `which`, and the table of a family left without network rules. */
function deleteRules(rules: NativeNftRule[], which: (r: NativeNftRule) => boolean): NativeNftCommand[] {
  const commands: NativeNftCommand[] = [];
  for (const family of FAMILIES) {
    const mine = rules.filter((r) => r.family === family);
    if (mine.length === 0) continue;
    const remaining = mine.filter((r) => !which(r));
    if (!remaining.some((r) => r.comment?.startsWith('nn net ') || r.comment?.startsWith(MASQ_PREFIX))) {
      // No network (or attachment masquerade) of ours left in this family: the whole table goes
      // (its chains and any rule).
      commands.push({ type: NFT_MSG_DELTABLE, family, table: TABLE });
    } else {
      for (const r of mine.filter(which)) {
        commands.push({ type: NFT_MSG_DELRULE, family, table: TABLE, chain: r.chain, handle: r.handle });
      }
    }
  }
  return commands;
}

/**
 * Adds a network's rules (its isolation, and its outbound masquerade unless it is internal), in
 * every family it has a subnet in; creates the table and chains if missing. Idempotent: a
 * network whose rules are there already is left alone, one whose rules are not as they should
 * be has them replaced. Switches IPv4 (and IPv6) forwarding on in the host
 * namespace for a network that is not internal, as Docker does.
 */
export async function addNetwork(host: Namespace, net: FirewallNetwork, operation: string): Promise<void> {
  const families: Family[] = net.ipv6Subnet !== undefined ? [NFPROTO_IPV4, NFPROTO_IPV6] : [NFPROTO_IPV4];
  if (!net.internal) enableForwarding(families, operation);
  const comment = netComment(net.id);
  const want = families.flatMap((family) => networkRules(net, family));
  const shape = (list: Array<{ family: number; chain?: string }>): string =>
    list
      .map((r) => `${r.family}/${r.chain}`)
      .sort()
      .join(' ');
  await change(host, operation, (rules) => {
    const mine = rules.filter((r) => r.comment === comment);
    if (shape(mine) === shape(want)) return []; // as they should be: nothing to change
    return [
      ...families.flatMap(baseCommands),
      ...mine.map((r) => ({ type: NFT_MSG_DELRULE, family: r.family, table: TABLE, chain: r.chain, handle: r.handle })),
      ...want,
    ];
  });
}

/** Removes a network's rules and its publications; the table goes with the last network. */
export async function removeNetwork(host: Namespace, networkId: string, operation: string): Promise<void> {
  const id = shortId(networkId);
  await change(host, operation, (rules) =>
    deleteRules(rules, (r) => r.comment === netComment(networkId) || parsePub(r.comment)?.networkId === id),
  );
}

/** Whether two publications want the same host port: same protocol, overlapping host addresses. */
function conflicts(a: Publication, b: Publication): boolean {
  if (a.protocol !== b.protocol || a.hostPort !== b.hostPort) return false;
  return a.hostAddress === undefined || b.hostAddress === undefined || a.hostAddress === b.hostAddress;
}

/**
 * Publishes a member's port on the host. EADDRINUSE if the host port is taken (the same protocol
 * on every address, or on the same one), decided and written against one generation of the
 * ruleset, so two processes cannot both take it.
 */
export async function publish(host: Namespace, net: FirewallNetwork, p: Publication, operation: string): Promise<void> {
  if (ipFamily(p.address) === 4) setSysctl(`/proc/sys/net/ipv4/conf/${net.bridge}/route_localnet`, '1', operation);
  let taken: Publication | undefined;
  await change(host, operation, (rules) => {
    taken = rules.map((r) => parsePub(r.comment)).find((q) => q !== undefined && conflicts(p, q));
    return taken ? [] : publicationRules(net, p);
  });
  if (taken) {
    throw failure(
      'EADDRINUSE',
      operation,
      `host port ${p.protocol}/${p.hostPort}${taken.hostAddress ? ` on ${taken.hostAddress}` : ''} is already published (to ${taken.address}:${taken.port})`,
    );
  }
}

/** Removes a publication's rules. ENOENT when it is not (or no longer) published. */
export async function unpublish(host: Namespace, p: Publication, operation: string): Promise<void> {
  let found = false;
  const comment = pubComment(p);
  await change(host, operation, (rules) => {
    const which = (r: NativeNftRule): boolean => r.comment === comment;
    found = rules.some(which);
    return found ? deleteRules(rules, which) : [];
  });
  if (!found) throw failure('ENOENT', operation, 'that port is not published');
}

/** The publications recorded in the kernel, of one network or of all. */
export async function publications(
  host: Namespace,
  networkId: string | undefined,
  operation: string,
): Promise<Publication[]> {
  const rules = await current(host, operation);
  const seen = new Map<string, Publication>();
  for (const r of rules) {
    const p = parsePub(r.comment);
    if (p && (networkId === undefined || p.networkId === shortId(networkId))) seen.set(r.comment as string, p);
  }
  return [...seen.values()];
}

/** Removes the publications of one member address of a network (it left, or is leaving). */
export async function unpublishMember(
  host: Namespace,
  networkId: string,
  addresses: string[],
  operation: string,
): Promise<void> {
  const id = shortId(networkId);
  await change(host, operation, (rules) => {
    const which = (r: NativeNftRule): boolean => {
      const p = parsePub(r.comment);
      return p !== undefined && p.networkId === id && addresses.includes(p.address);
    };
    return rules.some(which) ? deleteRules(rules, which) : [];
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

/** The tags of the attachment masquerades in the kernel. */
export async function masqueradeTags(host: Namespace, operation: string): Promise<string[]> {
  const rules = await current(host, operation);
  const tags = rules.map((r) => r.comment).filter((c): c is string => c?.startsWith(MASQ_PREFIX) === true);
  return [...new Set(tags.map((c) => c.slice(MASQ_PREFIX.length)))];
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
  await change(host, operation, (rules) => {
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
  await change(host, operation, (rules) => (rules.some(mine) ? deleteRules(rules, mine) : []));
}
