/**
 * Docker-style bridge networks over the primitives: a bridge with the gateway address in the
 * host namespace, one veth per member (its peer born inside the member under its final name),
 * addresses from the network's subnet, a default route, names. No daemon: the state lives in
 * /run/netns-native/networks (state.ts) and any process may change it, under the network's
 * lock (lock.ts).
 *
 * The kernel is the truth. A member whose namespace is gone is dropped; veths and bridges of
 * ours carry a mark (their alias names the network's id), so whatever a process killed in the
 * middle of a change left behind can be found and removed. Every change is journaled first
 * (state.ts), so the next holder of the lock can finish or undo it.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import * as fs from 'node:fs';
import type { Address } from '../address';
import { abortable, checkSignal, type AbortOptions } from '../internal/abort';
import { NetnsError, failure, invalid } from '../internal/errors';
import { checkBoolean, checkLinkName, checkMtu, parseMac } from '../internal/validate';
import { Link, checkNamespaceArg, describeNamespace } from '../link';
import { Bridge, HAIRPIN_PORT, hairpinOn } from '../links/bridge';
import { VethPair, type KnownMaster } from '../links/veth-pair';
import { request } from '../internal/dispatch';
import { kCreateAttached, kHandle } from '../internal/symbols';
import { Namespace } from '../namespace';
import { knownNamespaceId } from '../nsid';
import { serveNetwork, networkChanged, type DnsServer, type ServeDnsOptions } from './dns';
import {
  DOCKER_DEFAULT_POOLS,
  checkPools,
  chooseSubnet,
  contains,
  firstHost,
  formatIp,
  formatSubnet,
  hostAddressFault,
  isHostAddress,
  lowestFree,
  macForIPv4,
  overlaps,
  parseIp,
  parseSubnet,
  specialUse,
  within,
  type AddressPool,
  type Ip,
  type Subnet,
} from './ipam';
import { withLock } from './lock';
import {
  addNetwork,
  holders,
  memberPublications,
  publish,
  removeNetwork,
  shortId,
  takenReason,
  unpublishMember,
  type FirewallNetwork,
} from './nat';
import {
  PublishedPort,
  checkHostAddress,
  checkPublishOptions,
  reserveHostPort,
  type PublishOptions,
} from './published-port';
import { nameAlive, refOf, remember, resolve, sameNamespace } from './members';
import { syncNames } from './names';
import { checkDnsSettings, hasDnsSettings } from './resolv-conf';
import {
  STATE_VERSION,
  deleteState,
  linkMark,
  readAllStates,
  readState,
  stateNames,
  writeState,
  type EndpointState,
  type NamespaceRef,
  type NetworkState,
} from './state';

/** Options for {@link Network.create}: `docker network create` flags. */
export interface NetworkOptions extends AbortOptions {
  /** `--subnet`: an IPv4 network in CIDR form. Default: the first pool subnet that overlaps no route or address of the host namespace nor any other network. */
  subnet?: string;
  /** `--gateway`: put on the bridge. Default the subnet's first host address. */
  gateway?: string;
  /** `-o com.docker.network.bridge.name`. Default 'br-' + the first 12 hex digits of the id. */
  bridgeName?: string;
  /** `--internal`: members reach only their own subnet (no route off it, and rules that drop what would leave), no NAT, no published ports. */
  internal?: boolean;
  /** Members get names (hosts files, the embedded DNS server). false: the default bridge's behaviour, addresses only. Default true. */
  dns?: boolean;
  /** `-o com.docker.network.driver.mtu`: bridge and veths. Default the kernel's (1500). */
  mtu?: number;
  /** `--ipv6 --subnet`: an IPv6 subnet too (there is no default IPv6 pool, as in Docker). */
  ipv6Subnet?: string;
  /** The IPv6 gateway; default the IPv6 subnet's first address after the network's. */
  ipv6Gateway?: string;
  /**
   * `--ip-range`: the part of the subnet (CIDR, inside it) that members are given addresses
   * from when they ask for none; a static `address` may still be anywhere in the subnet, as in
   * Docker. Needs `subnet`. Without `gateway`, the gateway is the range's first host address,
   * as Docker's IPAM takes it. Default: the whole subnet.
   */
  ipRange?: string;
  /**
   * `--ip-range` for the IPv6 subnet (`--ipv6 --subnet fd00::/64 --ip-range fd00::/80`): the part
   * of `ipv6Subnet` (CIDR, inside it) members are given IPv6 addresses from when they ask for
   * none; a static `ipv6Address` may still be anywhere in it. Needs `ipv6Subnet`. Without
   * `ipv6Gateway`, the IPv6 gateway is the range's first host address, as for `ipRange`.
   * Default: the whole IPv6 subnet.
   */
  ipv6IpRange?: string;
  /**
   * `--aux-address NAME=IP`: addresses of the subnet (or the IPv6 subnet) never given to a member,
   * as the gateway is not: for hosts or routers on the bridge's link. Each must be a host address
   * of its subnet, not the gateway, and no address may be given twice (Docker refuses each).
   */
  auxAddresses?: Record<string, string>;
  /**
   * `-o com.docker.network.bridge.enable_icc`: false and members cannot reach each other (what
   * one sends another across the bridge is dropped), while each still reaches the gateway, the
   * outside and published ports, as in Docker. Needs the br_netfilter kernel module, which hands
   * the bridge's traffic to netfilter (switched on for this bridge alone). Default true.
   */
  icc?: boolean;
  /**
   * `-o com.docker.network.bridge.enable_ip_masquerade`: false and what members send out leaves
   * with their own addresses (the outside needs a route back to the subnet, through the host).
   * Published ports and members reaching them through the host's addresses work as ever.
   * Default true.
   */
  ipMasquerade?: boolean;
  /**
   * `-o com.docker.network.bridge.host_binding_ipv4`: the host address {@link Network.publish}
   * publishes on when given none. An IPv4 address publishes in IPv4 only, an IPv6 one (the
   * network needs `ipv6Subnet`) in IPv6 only, '::' on every IPv6 address, and '0.0.0.0' is the
   * default: every address, in each family the member has one in, as Docker takes them. Whether
   * the host has the address is checked by each publish (EADDRNOTAVAIL), as Docker checks it
   * when a port is bound.
   */
  hostBindingAddress?: string;
}

/** Options for {@link Network.connect}: `docker network connect` flags. */
export interface NetworkConnectOptions extends AbortOptions {
  /** The member's DNS name. Default the namespace's name; required for an anonymous namespace on a `dns: true` network. */
  name?: string;
  /** `--alias`: more names for the member on this network. */
  aliases?: string[];
  /** `--ip`: a static IPv4 address from the subnet ('198.18.4.20', or with the subnet's prefix). */
  address?: string;
  /** `--ip6`: a static IPv6 address from the IPv6 subnet. */
  ipv6Address?: string;
  /** The interface's name inside the member. Default 'eth0', else the next free ethN. */
  interfaceName?: string;
  /** The interface's MAC. Default 02:42 followed by the IPv4 address, as Docker. */
  mac?: string;
  /**
   * `--dns` (HostConfig's `Dns`): the member's own DNS servers (IP addresses, port 53). On a
   * network with names, its resolv.conf still says `nameserver 127.0.0.11`, and the embedded
   * server forwards the names it does not know to these instead of the network's upstream,
   * asking them from inside the member, as Docker does. On a `dns: false` network they are its
   * resolv.conf's nameservers.
   */
  dns?: string[];
  /** `--dns-search` (`DnsSearch`): the search domains of its resolv.conf, instead of the host's; `['.']`: none. */
  dnsSearch?: string[];
  /** `--dns-option` (`DnsOptions`): the `options` of its resolv.conf ('ndots:2', 'edns0'), instead of the host's. */
  dnsOptions?: string[];
}

/** Options for {@link Network.remove}. */
export interface NetworkRemoveOptions {
  /** Disconnect the members first instead of refusing (EBUSY). */
  force?: boolean;
}

/** A member's attachment to a network, as the kernel has it. */
export interface Endpoint {
  /** The network's name. */
  network: string;
  namespace: Namespace;
  /** The DNS name; undefined only for an anonymous member of a `dns: false` network. */
  name: string | undefined;
  aliases: string[];
  /** Inside the member: 'eth0'. */
  interfaceName: string;
  /** CIDR: '198.18.4.2/24'. */
  address: string;
  /**
   * The member's default gateway: the network's, or its auxiliary address `DefaultGatewayIPv4`
   * when it has one (as Docker). The default route goes there unless the network is internal,
   * or another network gave the member one first.
   */
  gateway: string;
  ipv6Address?: string;
  /** The member's IPv6 default gateway: the network's, or the auxiliary address `DefaultGatewayIPv6`. */
  ipv6Gateway?: string;
  mac: string;
  /** The host end of the veth, attached to the bridge. */
  hostInterfaceName: string;
  /** The member's own DNS servers, search domains and resolver options, when it was given some. */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

const GLOBAL_LOCK = 'networks';
/** Present when br_netfilter is loaded: bridges can hand their traffic to netfilter. */
const BR_NETFILTER = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const NAMES_LOCK = 'names';
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_NETWORK_NAME = 128;
const DNS_LABEL = /^[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/;

/**
 * Test hook: with NETNS_NATIVE_FAILPOINT=<point> in its environment at start, the process kills
 * itself (SIGKILL) there, the way a crash would, so that tests can check what the next process
 * finds. Read once: process.env is a getenv per access, and a connect passes six points. @internal
 */
const FAILPOINT = process.env.NETNS_NATIVE_FAILPOINT;
function failpoint(point: string): void {
  if (FAILPOINT === point) process.kill(process.pid, 'SIGKILL');
}

function lockKey(name: string): string {
  return `network:${name}`;
}

function checkNetworkName(name: unknown, operation: string): string {
  if (typeof name !== 'string') throw invalid(operation, 'the network name must be a string');
  if (!NETWORK_NAME.test(name) || name.length > MAX_NETWORK_NAME) {
    throw invalid(
      operation,
      `${JSON.stringify(name)} is not a valid network name: 1-${MAX_NETWORK_NAME} characters, letters, digits, '_', '.' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

/** A host name as a hosts file and DNS take it: dot-separated labels of letters, digits, '_' and '-'. */
function checkDnsName(name: unknown, operation: string, what: string): string {
  if (typeof name !== 'string') throw invalid(operation, `the ${what} must be a string`);
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length === 0 || trimmed.length > 253 || !trimmed.split('.').every((l) => DNS_LABEL.test(l))) {
    throw invalid(
      operation,
      `${JSON.stringify(name)} is not a valid ${what}: labels of letters, digits, '_' and '-' (at most 63 each), separated by dots`,
    );
  }
  return trimmed;
}

function bare(cidr: string): string {
  return cidr.slice(0, cidr.indexOf('/'));
}

function ipOf(cidr: string): Ip {
  return parseIp(bare(cidr)) as Ip;
}

/**
 * `--ip-range`: a network in CIDR form (host bits zero) inside the subnet of its family, which
 * must be given: `family` 4 checks ipRange against subnet, 6 ipv6IpRange against ipv6Subnet.
 * @throws NetnsError EINVAL, saying what is wrong.
 */
function checkIpRange(text: unknown, subnet: Subnet | undefined, family: 4 | 6, operation: string): Subnet | undefined {
  if (text === undefined) return undefined;
  const [option, subnetOption] = family === 4 ? ['ipRange', 'subnet'] : ['ipv6IpRange', 'ipv6Subnet'];
  const range = parseSubnet(text, operation, family === 4 ? 'IP range' : 'IPv6 IP range');
  if (!subnet) throw invalid(operation, `${option} needs ${subnetOption} to be given too`);
  const shown = formatSubnet(subnet);
  if (range.family !== family) {
    throw invalid(
      operation,
      `the ${option} ${String(text)} is not IPv${family}, as the ${subnetOption} ${shown} is${family === 4 ? '; give an IPv6 range as ipv6IpRange' : ''}`,
    );
  }
  if (!within(range, subnet))
    throw invalid(operation, `the ${option} ${String(text)} is not inside the ${subnetOption} ${shown}`);
  return range;
}

/**
 * The auxiliary addresses Docker's bridge driver reads as the members' default gateway of a
 * family, instead of the bridge's address (libnetwork/drivers/bridge: DefaultGatewayV4AuxKey and
 * DefaultGatewayV6AuxKey), for a router on the bridge's link.
 */
const DEFAULT_GATEWAY_AUX = { DefaultGatewayIPv4: 4, DefaultGatewayIPv6: 6 } as const;

/**
 * `--aux-address`: names to addresses, each a host address of the subnet of its family (which
 * must be given), not its gateway, none twice. Returns them in canonical text, or undefined.
 * @throws NetnsError EINVAL, saying what is wrong.
 */
function checkAuxAddresses(
  value: unknown,
  subnets: Array<{ subnet: Subnet | undefined; gateway: bigint | undefined; given: unknown; what: string }>,
  operation: string,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(operation, "auxAddresses must be an object of names and addresses, like { router: '198.18.4.254' }");
  }
  const out: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [name, text] of Object.entries(value as Record<string, unknown>)) {
    const what = `auxiliary address ${JSON.stringify(name)}`;
    if (name === '') throw invalid(operation, 'an auxiliary address needs a name');
    const ip = typeof text === 'string' ? parseIp(text) : undefined;
    if (!ip) throw invalid(operation, `the ${what} must be an IP address, not ${JSON.stringify(text)}`);
    const gatewayFamily = DEFAULT_GATEWAY_AUX[name as keyof typeof DEFAULT_GATEWAY_AUX];
    if (gatewayFamily !== undefined && ip.family !== gatewayFamily) {
      throw invalid(
        operation,
        `the ${what} (${String(text)}) must be an IPv${gatewayFamily} address: it is the members' IPv${gatewayFamily} default gateway`,
      );
    }
    const { subnet, gateway, given, what: option } = subnets[ip.family === 4 ? 0 : 1] as (typeof subnets)[number];
    if (!subnet) throw invalid(operation, `the ${what} (${String(text)}) needs ${option} to be given too`);
    if (!contains(subnet, ip)) {
      throw invalid(operation, `the ${what} (${String(text)}) is outside the ${option} ${String(given)}`);
    }
    if (!isHostAddress(subnet, ip)) {
      throw invalid(operation, `the ${what} (${String(text)}) is the network or broadcast address of ${String(given)}`);
    }
    if (ip.value === gateway) throw invalid(operation, `the ${what} (${String(text)}) is the gateway's address`);
    const canonical = formatIp(ip);
    const other = seen.get(canonical);
    if (other !== undefined) {
      throw invalid(
        operation,
        `the auxiliary addresses ${JSON.stringify(other)} and ${JSON.stringify(name)} are both ${canonical}`,
      );
    }
    seen.set(canonical, name);
    out[name] = canonical;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Why a host address cannot be a default binding, by its fault (ipam.ts, hostAddressFault). */
const BINDING_FAULTS = {
  mapped: 'an IPv4-mapped IPv6 address (give the IPv4 address)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  loopback6: '::1, which IPv6 cannot publish on (it has no route_localnet; 127.0.0.1 works)',
  'link-local6': 'an IPv6 link-local address, from which nothing is forwarded to a member',
} as const;

/**
 * `host_binding_ipv4`: an address publish() could take (see checkPublishOptions), '0.0.0.0'
 * and '::' included; an IPv6 one only with an IPv6 subnet. Its canonical text, or undefined.
 * @throws NetnsError EINVAL, saying what is wrong.
 */
function checkHostBinding(value: unknown, subnet6: Subnet | undefined, operation: string): string | undefined {
  if (value === undefined) return undefined;
  const ip = typeof value === 'string' ? parseIp(value) : undefined;
  if (!ip) {
    throw invalid(
      operation,
      `hostBindingAddress must be an IP address like '198.51.100.1', not ${JSON.stringify(value)}`,
    );
  }
  const fault = hostAddressFault(ip);
  if (fault !== undefined && fault !== 'unspecified') {
    throw invalid(
      operation,
      `hostBindingAddress ${String(value)} is ${BINDING_FAULTS[fault]}: give one of the host's own unicast addresses, or '0.0.0.0' for every address`,
    );
  }
  if (ip.family === 6 && !subnet6) {
    throw invalid(
      operation,
      `hostBindingAddress ${String(value)} is IPv6, and without ipv6Subnet no member has an IPv6 address to publish`,
    );
  }
  return formatIp(ip);
}

/** A static address for a member: bare, or with the subnet's own prefix. */
function staticAddress(text: unknown, subnet: Subnet, gateway: string, operation: string, what: string): bigint {
  if (typeof text !== 'string') throw invalid(operation, `the ${what} must be a string`);
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) throw invalid(operation, `${JSON.stringify(text)} is not a valid ${what}`);
  if (slash >= 0 && text.slice(slash + 1) !== String(subnet.prefixLength)) {
    throw invalid(operation, `${text} does not have the subnet's prefix length /${subnet.prefixLength}`);
  }
  const shown = formatSubnet(subnet);
  if (ip.family !== subnet.family || !contains(subnet, ip)) {
    throw invalid(operation, `${text} is outside the network's subnet ${shown}`);
  }
  if (!isHostAddress(subnet, ip)) {
    throw invalid(operation, `${text} is the network or broadcast address of ${shown}; it cannot be given to a member`);
  }
  if (formatIp(ip) === gateway) {
    throw failure('EADDRINUSE', operation, `${text} is the network's gateway address`);
  }
  return ip.value;
}

async function findLink(ns: Namespace, name: string): Promise<Link | undefined> {
  try {
    return await ns.link(name);
  } catch (e) {
    if (e instanceof NetnsError && e.code === 'ENODEV') return undefined;
    throw e;
  }
}

/** Deletes links, ignoring those already gone. */
async function deleteQuietly(ns: Namespace, links: Link[]): Promise<void> {
  if (links.length === 0) return;
  try {
    await ns.deleteLinks(links);
  } catch {
    // One of them vanished meanwhile (a namespace teardown): one at a time.
    for (const l of links) {
      await l.delete().catch((e: unknown) => {
        if (!(e instanceof NetnsError && e.code === 'ENODEV')) throw e;
      });
    }
  }
}

/**
 * The bridge's index by network id, as this process last read it: a connect need not read the
 * bridge first (VethPair[kCreateAttached] checks it in the creating sendmsg).
 */
const bridgeIndexes = new Map<string, number>();

/** Random bytes for host interface names, drawn 4 at a time (one randomFillSync per 64 names). */
const namePool = Buffer.alloc(256);
let namePoolAt = namePool.length;

/** 'veth' + 7 random hex digits (28 bits), as Docker names the host end. */
function randomHostInterfaceName(): string {
  if (namePoolAt + 4 > namePool.length) {
    randomFillSync(namePool);
    namePoolAt = 0;
  }
  const bits = namePool.readUInt32BE(namePoolAt) >>> 4;
  namePoolAt += 4;
  return `veth${bits.toString(16).padStart(7, '0')}`;
}

/**
 * Rewrites the hosts files of named namespaces, from every network's committed state.
 * `committed`: a state the caller has just written and still holds the lock of, used as it is
 * instead of reading its file again. `onlyIfDiffers`: see syncNames.
 */
async function namesChanged(
  names: Iterable<string | undefined>,
  committed?: NetworkState,
  onlyIfDiffers = false,
): Promise<void> {
  const list = [...names].filter((n): n is string => n !== undefined);
  if (list.length === 0) return;
  await withLock(NAMES_LOCK, 'rewrite hosts files', 'the hosts files', async () =>
    syncNames(list, readAllStates(committed), onlyIfDiffers),
  );
}

/**
 * The namespaces whose files a change of `state` (and of the members `gone` from it) may touch:
 * every member's on a network with names; on one without, those with DNS settings of their own
 * (their resolv.conf).
 */
function memberNames(state: NetworkState | undefined, ...gone: EndpointState[]): Array<string | undefined> {
  if (!state) return [];
  const all = gone.length > 0 ? [...state.endpoints, ...gone] : state.endpoints;
  return (state.dns ? all : all.filter(hasDnsSettings)).map((ep) => ep.namespace.name);
}

/**
 * A Docker-style bridge network: a bridge with the gateway address in the host namespace, and
 * members connected to it by veth pairs, with addresses from the network's subnet, a default
 * route and (unless `dns: false`) names. Its state lives in /run/netns-native/networks/NAME.json,
 * so any process can open it and change it; every change takes the network's lock.
 *
 * @example
 * ```ts
 * Network.addressPools = [{ base: '198.18.0.0/15', size: 24 }];
 * const net = await Network.create('my-net');          // docker network create my-net
 * const c1 = await Namespace.create('c1');
 * const ep = await net.connect(c1, { aliases: ['web'] }); // docker network connect --alias web my-net c1
 * await net.disconnect(c1);
 * await net.remove();
 * ```
 */
export class Network {
  static #pools: readonly AddressPool[] = DOCKER_DEFAULT_POOLS;

  /**
   * Where {@link Network.create} takes a subnet from when none is given, as Docker's
   * `default-address-pools`: `[{ base: '198.18.0.0/15', size: 24 }]` carves /24 networks from
   * 198.18.0.0/15. Default Docker's: 172.17.0.0/16 ... 172.31.0.0/16, then 192.168.0.0/16 in
   * /20s. Setting it checks it (EINVAL).
   */
  static get addressPools(): readonly AddressPool[] {
    return Network.#pools;
  }
  static set addressPools(pools: readonly AddressPool[]) {
    Network.#pools = Object.freeze(checkPools(pools, 'set Network.addressPools'));
  }

  /** The network's name. */
  readonly name: string;
  /** 64 hex digits, random at create: tells this network from an earlier one of the same name. */
  readonly id: string;
  /** '198.18.4.0/24'. */
  readonly subnet: string;
  /** '198.18.4.1': on the bridge. */
  readonly gateway: string;
  readonly ipv6Subnet: string | undefined;
  readonly ipv6Gateway: string | undefined;
  /** The bridge in the host namespace. */
  readonly bridgeName: string;
  /** No route off the subnet for members. */
  readonly internal: boolean;
  /** Members get names. */
  readonly dns: boolean;
  /** The MTU of the bridge and veths, when one was given. */
  readonly mtu: number | undefined;
  /** The part of the subnet members are given addresses from, when one was given (`--ip-range`). */
  readonly ipRange: string | undefined;
  /** The part of the IPv6 subnet members are given IPv6 addresses from, when one was given (`--ip-range` for the IPv6 subnet). */
  readonly ipv6IpRange: string | undefined;
  /** The addresses reserved by name (`--aux-address`); empty when none were. */
  readonly auxAddresses: Readonly<Record<string, string>>;
  /** Whether members may reach each other (`enable_icc`). */
  readonly icc: boolean;
  /** Whether what members send out is masqueraded (`enable_ip_masquerade`). */
  readonly ipMasquerade: boolean;
  /** The host address publish() takes when given none (`host_binding_ipv4`), when one was given. */
  readonly hostBindingAddress: string | undefined;

  private constructor(state: NetworkState) {
    this.name = state.name;
    this.id = state.id;
    this.subnet = state.subnet;
    this.gateway = state.gateway;
    this.ipv6Subnet = state.ipv6Subnet;
    this.ipv6Gateway = state.ipv6Gateway;
    this.bridgeName = state.bridgeName;
    this.internal = state.internal;
    this.dns = state.dns;
    this.mtu = state.mtu;
    this.ipRange = state.ipRange;
    this.ipv6IpRange = state.ipv6IpRange;
    this.auxAddresses = Object.freeze({ ...state.auxAddresses });
    this.icc = state.icc ?? true;
    this.ipMasquerade = state.ipMasquerade ?? true;
    this.hostBindingAddress = state.hostBindingAddress;
  }

  /**
   * Creates a network: `docker network create -d bridge NAME`. The bridge is created in the
   * host namespace (the one this process runs in), up, with the gateway address and MTU, and
   * the state written.
   * With `signal`, an abort while the network is being made waits for it to be made and
   * removes it again before rejecting (AbortError); an already aborted signal starts nothing.
   * @throws NetnsError EEXIST if a network of that name exists, if the subnet overlaps another
   *   network's, or if a link has the bridge's name; EINVAL for a bad name, CIDR, gateway or
   *   option (an IP range outside the subnet, or without one);
   *   ENOSPC when no pool subnet is free; EOPNOTSUPP for `icc: false` without the br_netfilter
   *   kernel module; ABORT_ERR (an AbortError) when `signal` aborted it.
   *   Nothing is created then.
   * @example
   * ```ts
   * const net = await Network.create('my-net', { subnet: '198.18.4.0/24' });
   * ```
   */
  static async create(name: string, options: NetworkOptions = {}): Promise<Network> {
    const operation = `create network "${String(name)}"`;
    checkNetworkName(name, operation);
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    const signal = checkSignal(options.signal, operation);
    return abortable(Network.#create(name, options, operation), signal, operation, {
      undo: (made) => made.remove({ force: true }),
    });
  }

  static async #create(name: string, options: NetworkOptions, operation: string): Promise<Network> {
    const internal = checkBoolean(options.internal, operation, 'internal') ?? false;
    const dns = checkBoolean(options.dns, operation, 'dns') ?? true;
    const icc = checkBoolean(options.icc, operation, 'icc') ?? true;
    const ipMasquerade = checkBoolean(options.ipMasquerade, operation, 'ipMasquerade') ?? true;
    if (!icc && !fs.existsSync(BR_NETFILTER)) {
      throw failure(
        'EOPNOTSUPP',
        operation,
        'icc: false needs the br_netfilter kernel module (modprobe br_netfilter), which hands the traffic between the ports of a bridge to the firewall',
      );
    }
    const mtu = options.mtu === undefined ? undefined : checkMtu(options.mtu, operation);
    const id = randomBytes(32).toString('hex');
    const bridgeName = checkLinkName(options.bridgeName ?? `br-${id.slice(0, 12)}`, operation, 'bridge name');
    let subnet = options.subnet === undefined ? undefined : parseSubnet(options.subnet, operation);
    if (subnet && subnet.family !== 4)
      throw invalid(operation, `the subnet must be IPv4; give an IPv6 one as ipv6Subnet`);
    if (subnet && subnet.prefixLength > 30) {
      throw invalid(operation, `the subnet ${options.subnet} is too small: at most /30 (a gateway and one member)`);
    }
    const gatewayIp = typeof options.gateway === 'string' ? parseIp(options.gateway) : undefined;
    if (options.gateway !== undefined) {
      if (!gatewayIp || gatewayIp.family !== 4)
        throw invalid(operation, `${JSON.stringify(options.gateway)} is not an IPv4 gateway address`);
      if (!subnet) throw invalid(operation, 'a gateway needs a subnet to be given too');
      if (!isHostAddress(subnet, gatewayIp)) {
        throw invalid(
          operation,
          `the gateway ${options.gateway} is not a host address of the subnet ${options.subnet}`,
        );
      }
    }
    const range = checkIpRange(options.ipRange, subnet, 4, operation);
    let defaultGateway = subnet && firstHost(subnet);
    if (range && subnet && !gatewayIp) {
      // Docker's IPAM takes the gateway as any address: the first free one of the range.
      defaultGateway = lowestFree(subnet, new Set(), range);
      if (defaultGateway === undefined) {
        throw invalid(
          operation,
          `the IP range ${String(options.ipRange)} holds no host address of the subnet for the gateway; give a gateway`,
        );
      }
    }
    const subnet6 =
      options.ipv6Subnet === undefined ? undefined : parseSubnet(options.ipv6Subnet, operation, 'IPv6 subnet');
    if (subnet6 && (subnet6.family !== 6 || subnet6.prefixLength > 126)) {
      throw invalid(operation, `ipv6Subnet must be an IPv6 subnet of at most /126, not ${options.ipv6Subnet}`);
    }
    for (const [given, parsed] of [
      [options.subnet, subnet],
      [options.ipv6Subnet, subnet6],
    ] as const) {
      const special = parsed && specialUse(parsed);
      if (special) throw invalid(operation, `the subnet ${String(given)} overlaps the ${special} range`);
    }
    if (subnet6 && mtu !== undefined && mtu < 1280) {
      throw invalid(operation, `IPv6 needs an MTU of at least 1280; ${mtu} is too small for ipv6Subnet`);
    }
    const range6 = checkIpRange(options.ipv6IpRange, subnet6, 6, operation);
    let gateway6: bigint | undefined;
    if (options.ipv6Gateway !== undefined) {
      const ip = typeof options.ipv6Gateway === 'string' ? parseIp(options.ipv6Gateway) : undefined;
      if (!subnet6) throw invalid(operation, 'an IPv6 gateway needs ipv6Subnet too');
      if (!ip || !isHostAddress(subnet6, ip)) {
        throw invalid(
          operation,
          `the IPv6 gateway ${String(options.ipv6Gateway)} is not a host address of ${options.ipv6Subnet}`,
        );
      }
      gateway6 = ip.value;
    } else if (subnet6 && range6) {
      // As for IPv4: Docker's IPAM takes the gateway from the range.
      gateway6 = lowestFree(subnet6, new Set(), range6);
      if (gateway6 === undefined) {
        throw invalid(
          operation,
          `the ipv6IpRange ${String(options.ipv6IpRange)} holds no host address of ipv6Subnet for the gateway; give an ipv6Gateway`,
        );
      }
    } else if (subnet6) {
      gateway6 = firstHost(subnet6);
    }
    const gateway4 = subnet && (gatewayIp?.value ?? defaultGateway);
    const hostBindingAddress = checkHostBinding(options.hostBindingAddress, subnet6, operation);
    const auxAddresses = checkAuxAddresses(
      options.auxAddresses,
      [
        { subnet, gateway: gateway4, given: options.subnet, what: 'subnet' },
        { subnet: subnet6, gateway: gateway6, given: options.ipv6Subnet, what: 'ipv6Subnet' },
      ],
      operation,
    );
    const host = Namespace.current();

    return withLock(GLOBAL_LOCK, operation, 'the networks', () =>
      withLock(lockKey(name), operation, `network "${name}"`, async () => {
        const existing = readState(name, operation);
        if (existing && (await recover(existing, operation)) !== undefined) {
          throw failure('EEXIST', operation, 'a network with that name already exists');
        }
        const others = readAllStates();
        for (const other of others) {
          if (subnet && overlaps(subnet, parseSubnet(other.subnet, operation, 'subnet', false))) {
            throw failure(
              'EEXIST',
              operation,
              `the subnet ${options.subnet} overlaps network "${other.name}" (${other.subnet})`,
            );
          }
          if (
            subnet6 &&
            other.ipv6Subnet &&
            overlaps(subnet6, parseSubnet(other.ipv6Subnet, operation, 'subnet', false))
          ) {
            throw failure(
              'EEXIST',
              operation,
              `the IPv6 subnet overlaps network "${other.name}" (${other.ipv6Subnet})`,
            );
          }
          if (other.bridgeName === bridgeName) {
            throw failure('EEXIST', operation, `network "${other.name}" already uses the bridge name "${bridgeName}"`);
          }
        }
        if (await findLink(host, bridgeName)) {
          throw failure('EEXIST', operation, `a link named "${bridgeName}" already exists${host.where}`);
        }
        if (!subnet) {
          const used = [
            ...others.map((o) => parseSubnet(o.subnet, operation, 'subnet', false)),
            ...(await hostSubnets(host)),
          ];
          subnet = chooseSubnet(Network.#pools, used);
          if (!subnet) {
            throw failure(
              'ENOSPC',
              operation,
              `every subnet of the address pools (${Network.#pools.map((p) => `${p.base} in /${p.size}s`).join(', ')}) overlaps a network or a route of the host; set Network.addressPools or give a subnet`,
            );
          }
        }
        const state: NetworkState = {
          version: STATE_VERSION,
          name,
          id,
          driver: 'bridge',
          created: new Date().toISOString(),
          hostNamespace: String(host.inode),
          bridgeName,
          subnet: formatSubnet(subnet),
          gateway: formatIp({ family: 4, value: gatewayIp?.value ?? defaultGateway ?? firstHost(subnet) }),
          ...(subnet6 && {
            ipv6Subnet: formatSubnet(subnet6),
            ipv6Gateway: formatIp({ family: 6, value: gateway6 as bigint }),
          }),
          internal,
          dns,
          ...(mtu !== undefined && { mtu }),
          ...(range && { ipRange: formatSubnet(range) }),
          ...(range6 && { ipv6IpRange: formatSubnet(range6) }),
          ...(auxAddresses && { auxAddresses }),
          icc,
          ipMasquerade,
          ...(hostBindingAddress !== undefined && { hostBindingAddress }),
          endpoints: [],
        };
        writeState({ ...state, pending: { op: 'create' } }, operation);
        failpoint('create:journaled');
        let bridge: Bridge | undefined;
        try {
          bridge = await makeBridge(host, state);
          failpoint('create:bridged');
          await addNetwork(host, firewallOf(state), operation);
        } catch (e) {
          await removeNetwork(host, id, operation).catch(() => undefined);
          if (bridge) await deleteQuietly(host, [bridge]);
          deleteState(name);
          throw e;
        }
        writeState(state, operation);
        return new Network(state);
      }),
    );
  }

  /**
   * Opens an existing network, from any process, and reconciles its state with the kernel:
   * members whose namespace is gone are dropped (their addresses freed, their names removed),
   * veths left by a process killed in the middle of a change are removed, a change it left
   * half-done is finished or undone, a missing bridge is made again (an `icc: false` one
   * handed to the firewall again if someone stopped it), and hosts files that
   * differ from what they should say are rewritten.
   * @throws NetnsError ENOENT if there is no such network; EINVAL for a bad name, or when this
   *   process runs in another network namespace than the network's bridge.
   * @example
   * ```ts
   * const net = await Network.open('my-net'); // in any process
   * ```
   */
  static async open(name: string): Promise<Network> {
    const operation = `open network "${String(name)}"`;
    checkNetworkName(name, operation);
    return new Network(await reconciled(name, operation));
  }

  /**
   * Every network, sorted by name: `docker network ls`. Each is checked against the host's
   * links and addresses and its members' namespaces (one read of each for all networks), and
   * one that is out of line with them is reconciled as {@link Network.open} reconciles it (a
   * change a killed process left half-done finished or undone, members whose namespace is gone
   * dropped, a bridge deleted by hand made again...). A network in line is listed as its state
   * says, without its lock and without changing anything: listing needs no privileges unless
   * something is to be put right. (The firewall rules are not read: open() checks them.)
   * A network that open() refuses for a fault of its own is left out, and open(name) says
   * why: its state file unreadable (EIO), its bridge in another network namespace than this
   * process (EINVAL), a link that is not its bridge holding its bridge's name (EEXIST), or
   * removed meanwhile (ENOENT). Any other failure (no privileges to reconcile: EPERM) rejects.
   * @example
   * ```ts
   * for (const net of await Network.list()) console.log(net.name, net.subnet);
   * ```
   */
  static async list(): Promise<Network[]> {
    const operation = 'list networks';
    const names = stateNames();
    if (names.length === 0) return [];
    const host = Namespace.current();
    const [links, addresses] = await Promise.all([host.links(), host.addresses()]);
    const out: Network[] = [];
    for (const name of names) {
      try {
        const read = readState(name, operation);
        if (read === undefined) continue; // removed meanwhile
        if (read.hostNamespace !== String(host.inode)) continue; // open() refuses it (EINVAL)
        out.push(new Network(inLine(read, links, addresses, operation) ? read : await reconciled(name, operation)));
      } catch (e) {
        if (!(e instanceof NetnsError && LEFT_OUT_OF_LIST.has(e.code))) throw e;
      }
    }
    return out;
  }

  /** The host's own network namespace, for `docker run --network host`: {@link Namespace.current}. */
  static host(): Namespace {
    return Namespace.current();
  }

  /**
   * A new namespace with `lo` up and nothing else, for `docker run --network none`: named when
   * a name is given (`ip netns add NAME`), else anonymous.
   * @throws NetnsError EEXIST if the name is taken; EINVAL for a bad name.
   * @example
   * ```ts
   * const box = await Network.none('box'); // lo up, nothing else
   * ```
   */
  static async none(name?: string): Promise<Namespace> {
    const ns = await Namespace.create(name);
    try {
      await (await ns.link('lo')).up();
    } catch (e) {
      await ns.delete().catch(() => undefined);
      throw e;
    }
    return ns;
  }

  /**
   * Connects a namespace: `docker network connect [--alias A] [--ip IP] NET NS`. One veth pair,
   * its peer created inside the member under its final name (no move), the host end attached
   * to the bridge and up; inside: the address (the lowest free one unless `address` is given),
   * the interface and `lo` up, and a default route via the gateway unless the network is
   * internal or the member already has one of the same metric (the kernel refuses a second: a
   * member on several networks keeps its first).
   * Named members of a `dns: true` network get hosts files (names.ts); `dns`, `dnsSearch` and
   * `dnsOptions` (`docker run --dns ...`) go into the member's resolv.conf and, for `dns` on a
   * network with names, to the embedded server as the member's upstream. A failed call leaves
   * nothing behind. Before refusing a namespace, an address or a full subnet, the network is
   * reconciled with the kernel: a member gone without a disconnect that only the kernel shows
   * (an anonymous one) holds neither its address nor its namespace's inode (the kernel reuses it).
   * With `signal`, an abort while the member is being connected waits for the connection and
   * disconnects it again before rejecting (AbortError); an already aborted signal starts nothing.
   * @throws NetnsError ABORT_ERR (an AbortError) when `signal` aborted it; EEXIST if the
   *   namespace is already connected, or the interface name is taken in it; EADDRINUSE for a static address that is taken (the gateway's too); EINVAL
   *   for a static address outside the subnet, a bad name or option (a `dns` entry that is not
   *   an IP address, a bad search domain, a DNS option with spaces), an anonymous namespace
   *   without `name` on a `dns: true` network, DNS settings it has no file for; ENOSPC when the subnet is full; ENOENT when the
   *   network was removed.
   * @example
   * ```ts
   * const ep = await net.connect(c1, { aliases: ['web'] });
   * // ep.address '198.18.4.2/24', ep.interfaceName 'eth0', ep.hostInterfaceName 'veth3f2a1bc'
   * ```
   */
  async connect(namespace: Namespace, options: NetworkConnectOptions = {}): Promise<Endpoint> {
    const operation = `connect ${describeNamespace(namespace)} to network "${this.name}"`;
    checkNamespaceArg(namespace, operation);
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    const signal = checkSignal(options.signal, operation);
    return abortable(this.#connect(namespace, options, operation), signal, operation, {
      undo: () => this.disconnect(namespace),
    });
  }

  async #connect(namespace: Namespace, options: NetworkConnectOptions, operation: string): Promise<Endpoint> {
    const host = Namespace.current();
    if (namespace.inode === host.inode) {
      throw invalid(
        operation,
        "that is the host namespace, where the bridge is (Network.host() is Docker's --network host: it needs no connect)",
      );
    }
    if (namespace.closed) throw failure('EBADF', operation, `${describeNamespace(namespace)} was closed or deleted`);
    const name =
      options.name !== undefined
        ? checkDnsName(options.name, operation, 'name')
        : this.dns && namespace.name !== undefined
          ? checkDnsName(namespace.name, operation, 'name (the namespace name; pass options.name)')
          : namespace.name;
    if (name === undefined && this.dns) {
      throw invalid(operation, 'an anonymous namespace needs a name on a network with names (options.name)');
    }
    if (options.aliases !== undefined && !Array.isArray(options.aliases))
      throw invalid(operation, 'aliases must be an array of names');
    const aliases = [...new Set((options.aliases ?? []).map((a) => checkDnsName(a, operation, 'alias')))];
    const requestedIf =
      options.interfaceName === undefined
        ? undefined
        : checkLinkName(options.interfaceName, operation, 'interface name');
    const mac = options.mac === undefined ? undefined : parseMac(options.mac, operation);
    const dnsSettings = checkDnsSettings(options, operation);
    if (
      namespace.name === undefined &&
      (dnsSettings.dnsSearch || dnsSettings.dnsOptions || (dnsSettings.dns && !this.dns))
    ) {
      throw invalid(
        operation,
        `an anonymous namespace has no /etc/netns files for its ${dnsSettings.dns && !this.dns ? 'dns' : dnsSettings.dnsSearch ? 'dnsSearch' : 'dnsOptions'} to go in (name it, or leave the option out)`,
      );
    }
    const subnet = parseSubnet(this.subnet, operation, 'subnet', false);
    const wanted =
      options.address === undefined
        ? undefined
        : staticAddress(options.address, subnet, this.gateway, operation, 'address');
    const subnet6 =
      this.ipv6Subnet === undefined ? undefined : parseSubnet(this.ipv6Subnet, operation, 'IPv6 subnet', false);
    if (options.ipv6Address !== undefined && !subnet6) throw invalid(operation, 'the network has no IPv6 subnet');
    const wanted6 =
      options.ipv6Address === undefined || !subnet6
        ? undefined
        : staticAddress(options.ipv6Address, subnet6, this.ipv6Gateway as string, operation, 'IPv6 address');
    const ref = await refOf(namespace, operation);

    return withLock(lockKey(this.name), operation, `network "${this.name}"`, async () => {
      let state = await current(this.name, operation, this.id);
      state = await reconcile(state, operation, false);
      // What stands in the way may be a member that left without a disconnect, which only the
      // kernel tells (an anonymous one's namespace went with its veth): look at it before
      // refusing. A record of this namespace's inode that is not its own is of one: the kernel
      // gave its inode to this namespace.
      const choose = (
        s: NetworkState,
        own: EndpointState | undefined,
      ): NetnsError | { address: bigint; address6: bigint | undefined } => {
        if (own) return failure('EEXIST', operation, `${describeNamespace(namespace)} is already connected to it`);
        const taken = takenIn(s, 4);
        const range = s.ipRange === undefined ? subnet : parseSubnet(s.ipRange, operation, 'IP range');
        const address = wanted ?? lowestFree(subnet, taken, range);
        if (address === undefined) {
          const where = s.ipRange === undefined ? s.subnet : `${s.ipRange} (the network's IP range)`;
          return failure('ENOSPC', operation, `every address of ${where} is taken`);
        }
        if (wanted !== undefined && taken.has(wanted)) {
          return failure('EADDRINUSE', operation, `${options.address} ${takenBy(s, 4, wanted)}`);
        }
        if (subnet6 === undefined) return { address, address6: undefined };
        const taken6 = takenIn(s, 6);
        const range6 = s.ipv6IpRange === undefined ? subnet6 : parseSubnet(s.ipv6IpRange, operation, 'IPv6 IP range');
        const address6 = wanted6 ?? lowestFree(subnet6, taken6, range6);
        if (address6 === undefined) {
          const where = s.ipv6IpRange === undefined ? s.ipv6Subnet : `${s.ipv6IpRange} (the network's IPv6 IP range)`;
          return failure('ENOSPC', operation, `every address of ${where} is taken`);
        }
        if (wanted6 !== undefined && taken6.has(wanted6)) {
          return failure('EADDRINUSE', operation, `${options.ipv6Address} ${takenBy(s, 6, wanted6)}`);
        }
        return { address, address6 };
      };
      const records = await recordsOf(state, namespace, ref, operation);
      let chosen = records.gone.length > 0 ? undefined : choose(state, records.own);
      if (chosen === undefined || chosen instanceof NetnsError) {
        state = await reconcile(state, operation, true);
        chosen = choose(state, (await recordsOf(state, namespace, ref, operation)).own);
        if (chosen instanceof NetnsError) throw chosen;
      }
      const { address, address6 } = chosen;
      // The bridge: its index for the attach, as this process last read it (the veth create
      // reads the bridge by name in the same sendmsg and undoes itself if that index is another
      // link's now: ESTALE, then read it here), else read now. The member's links are not read:
      // the veth create itself says when the interface name is taken (EEXIST), and lo is read
      // with the address requests.
      const readBridge = async (): Promise<Link> => {
        const found = await findLink(host, state.bridgeName);
        if (!found) {
          bridgeIndexes.delete(state.id);
          throw failure('ENODEV', operation, `the bridge "${state.bridgeName}" is gone; Network.open() makes it again`);
        }
        bridgeIndexes.set(state.id, found.index);
        return found;
      };
      const knownIndex = bridgeIndexes.get(state.id);
      let bridge: Link | KnownMaster =
        knownIndex === undefined ? await readBridge() : { index: knownIndex, name: state.bridgeName };
      const endpoint: EndpointState = {
        namespace: ref,
        ...(name !== undefined && { name }),
        aliases,
        interfaceName: requestedIf ?? 'eth0',
        hostInterfaceName: randomHostInterfaceName(),
        address: `${formatIp({ family: 4, value: address })}/${subnet.prefixLength}`,
        ...(subnet6 && {
          ipv6Address: `${formatIp({ family: 6, value: address6 as bigint })}/${subnet6.prefixLength}`,
        }),
        mac: mac ?? macForIPv4(address),
        ...dnsSettings,
      };
      const before = state;
      writeState({ ...state, pending: { op: 'connect', endpoint } }, operation);
      failpoint('connect:journaled');
      let pair: VethPair | undefined;
      try {
        for (let attempt = 0; pair === undefined; attempt++) {
          try {
            // The host end is born attached to the bridge and up (the peer cannot be born up).
            pair = await VethPair[kCreateAttached](
              {
                name: endpoint.hostInterfaceName,
                peerName: endpoint.interfaceName,
                peerNamespace: namespace,
                peerMac: endpoint.mac,
                alias: linkMark(state),
                ...(state.mtu !== undefined && { mtu: state.mtu }),
              },
              bridge,
              // Hairpin: a member's connection to its own published port, DNATed on the bridge
              // (br_netfilter), leaves by the port it came in by.
              state.internal ? undefined : HAIRPIN_PORT,
            );
          } catch (e) {
            if (e instanceof NetnsError && e.code === 'ESTALE' && !(bridge instanceof Link)) {
              bridge = await readBridge(); // recreated since this process last read it
              continue;
            }
            if (!(e instanceof NetnsError && e.code === 'EEXIST') || attempt >= 3) throw e;
            // A name is taken: the interface's in the member, or (rarely) the random host name.
            if (await findLink(namespace, endpoint.interfaceName)) {
              if (requestedIf !== undefined) {
                throw failure(
                  'EEXIST',
                  operation,
                  `a link named "${requestedIf}" already exists in ${describeNamespace(namespace)}`,
                );
              }
              // A member on other networks already has eth0: the first free ethN.
              const taken = new Set((await namespace.links()).map((l) => l.name));
              let i = 0;
              while (taken.has(`eth${i}`)) i++;
              endpoint.interfaceName = `eth${i}`;
            } else if (String(e.message).includes(endpoint.hostInterfaceName)) {
              endpoint.hostInterfaceName = randomHostInterfaceName();
            } else {
              throw e;
            }
            writeState({ ...state, pending: { op: 'connect', endpoint } }, operation);
          }
        }
        failpoint('connect:veth');
        failpoint('connect:attached');
        // Inside the member, in one sendmsg (calls made in one tick on a namespace share one, in
        // order): lo's state, the address(es), up, and the default route via the gateway. The
        // kernel refuses a second default route of the same metric (EEXIST): a member that has
        // one (from a network it joined before, or its own) keeps it.
        const peer = pair.peer;
        const gateways = state.internal
          ? []
          : [memberGateway(state, 4), ...(state.ipv6Gateway ? [memberGateway(state, 6)] : [])];
        const [lo] = await Promise.all([
          findLink(namespace, 'lo'),
          peer.addAddress(endpoint.address),
          ...(endpoint.ipv6Address ? [peer.addAddress(endpoint.ipv6Address, { nodad: true })] : []),
          peer.up(),
          ...gateways.map((gateway) =>
            namespace.addRoute({ destination: 'default', gateway, link: peer }).catch((e: unknown) => {
              if (!(e instanceof NetnsError && e.code === 'EEXIST')) throw e;
            }),
          ),
        ]);
        failpoint('connect:addressed');
        failpoint('connect:routed');
        // Last: bringing lo up adds 127.0.0.1/8 and ::1 for good, which down would not undo.
        if (lo && !lo.isUp) await lo.up();
      } catch (e) {
        if (pair) await deleteQuietly(host, [pair.local]);
        writeState(before, operation);
        throw e;
      }
      const after: NetworkState = { ...state, endpoints: [...state.endpoints, endpoint] };
      writeState(after, operation);
      failpoint('connect:committed');
      remember(namespace);
      await namesChanged(memberNames(after), after);
      failpoint('connect:named');
      networkChanged();
      return toEndpoint(after, endpoint, namespace);
    });
  }

  /**
   * Disconnects a namespace: `docker network disconnect NET NS`. The veth goes (with the
   * address and routes on it), and the member's names; if the network gave the member its
   * default route and the member is on another network that is not internal, the default route
   * moves there.
   * @throws NetnsError ENOENT if the namespace is not connected (a second call); EINVAL if it is
   *   not a Namespace.
   * @example
   * ```ts
   * await net.disconnect(c1); // docker network disconnect my-net c1
   * ```
   */
  async disconnect(namespace: Namespace): Promise<void> {
    const operation = `disconnect ${describeNamespace(namespace)} from network "${this.name}"`;
    checkNamespaceArg(namespace, operation);
    const ref = await refOf(namespace, operation);
    const ns = namespace.closed ? undefined : namespace;
    const { veth, hadDefault } = await withLock(lockKey(this.name), operation, `network "${this.name}"`, async () => {
      let state = await current(this.name, operation, this.id);
      state = await reconcile(state, operation, false);
      const endpoint = (await recordsOf(state, namespace, ref, operation)).own;
      if (!endpoint) throw failure('ENOENT', operation, `${describeNamespace(namespace)} is not connected to it`);
      writeState({ ...state, pending: { op: 'disconnect', endpoint } }, operation);
      failpoint('disconnect:journaled');
      const hadDefault = await carriesDefaultRoute(state, endpoint, ns);
      // Off the bridge and down (one sendmsg): from here the member is off the network, and its
      // address may be given again. The delete itself waits on RCU in the kernel (tens of ms):
      // it happens after the lock is released, so that other changes need not wait for it.
      const found = await findLink(Namespace.current(), endpoint.hostInterfaceName);
      const veth = found && found.alias === linkMark(state) ? found : undefined;
      if (veth) await Promise.all([veth.noMaster(), veth.down()]);
      await unpublishMember(Namespace.current(), state.id, addressesOf(endpoint), operation);
      failpoint('disconnect:detached');
      const after: NetworkState = { ...state, endpoints: state.endpoints.filter((ep) => ep !== endpoint) };
      writeState(after, operation);
      failpoint('disconnect:committed');
      await namesChanged(memberNames(after, endpoint), after);
      networkChanged();
      return { veth, hadDefault };
    });
    // A veth left by a crash here is marked and in no member's state: open() deletes it.
    if (veth) await deleteQuietly(Namespace.current(), [veth]);
    if (ns) await moveDefaultRoute(ns, ref, this.name, hadDefault);
  }

  /**
   * The members, as the kernel has them now: the state is reconciled first (members whose
   * namespace is gone are dropped). Sorted by address. An anonymous member that this process
   * cannot reach (no process, fd or mount of it in sight) is left out of the list, though it
   * stays a member.
   * @example
   * ```ts
   * for (const ep of await net.endpoints()) console.log(ep.name, ep.address, ep.hostInterfaceName);
   * ```
   */
  async endpoints(): Promise<Endpoint[]> {
    const operation = `list the endpoints of network "${this.name}"`;
    const state = await reconciled(this.name, operation, this.id);
    const out: Endpoint[] = [];
    for (const ep of sortByAddress(state.endpoints)) {
      const ns = await resolve(ep.namespace);
      if (ns) out.push(toEndpoint(state, ep, ns));
    }
    return out;
  }

  /**
   * Removes the network: `docker network rm NAME`. The bridge and the state go.
   * @throws NetnsError EBUSY while members remain, unless `force` (which disconnects them
   *   first); ENOENT if there is no such network any more.
   * @example
   * ```ts
   * await net.remove({ force: true }); // docker network rm -f my-net
   * ```
   */
  async remove(options: NetworkRemoveOptions = {}): Promise<void> {
    const operation = `remove network "${this.name}"`;
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    const force = checkBoolean(options.force, operation, 'force') ?? false;
    await withLock(GLOBAL_LOCK, operation, 'the networks', () =>
      withLock(lockKey(this.name), operation, `network "${this.name}"`, async () => {
        let state = await current(this.name, operation, this.id);
        state = await reconcile(state, operation, true);
        if (state.endpoints.length > 0 && !force) {
          throw failure(
            'EBUSY',
            operation,
            `it still has ${state.endpoints.length} member${state.endpoints.length === 1 ? '' : 's'}; disconnect them, or pass { force: true }`,
          );
        }
        writeState({ ...state, pending: { op: 'remove' } }, operation);
        failpoint('remove:journaled');
        await finishRemove(state);
        networkChanged();
      }),
    );
  }

  /**
   * Publishes a member's port on the host: `docker run -p [HOSTADDRESS:]HOSTPORT:PORT[/udp]`.
   * Connections to `hostPort` on every address of the host namespace (127.0.0.1 included, for
   * connections from the host itself), or on `hostAddress` only, are sent to the member's
   * address and `containerPort` (DNAT, nftables rules of our own table: see docs/API.md). With no
   * `hostAddress`, the port is published in each family the member has an address in (IPv4, and
   * IPv6 on a network with an IPv6 subnet), as Docker's `-p 8080:80` on an IPv6 network; '0.0.0.0'
   * and '::' publish on every address of one family. ::1 cannot be published on (IPv6 has no
   * route_localnet). The rules live in the kernel: they outlast this process, and
   * {@link Network.ports} in any process lists them, one entry per family. Disconnecting the
   * member or removing the network takes them away.
   * A port held by a member gone without a disconnect (its namespace deleted) is free, as Docker
   * frees a dead container's ports at once: before refusing, the network that holds it (this one
   * or another) is reconciled, as {@link Network.open} does, under its own lock.
   * @throws NetnsError EADDRINUSE when the host port is published already (the same protocol, in
   *   the same family, on every address or on that one) by a member still there, of this network
   *   or another (the message names the network), or a program of the
   *   host namespace has a socket bound to it there (as Docker's port allocator, publish binds the port while it
   *   adds the publication); EADDRNOTAVAIL when `hostAddress` is not
   *   an address of the host namespace; EINVAL for an internal network, a port out of 1-65535, a
   *   namespace that is not a member, a bad address (malformed, IPv4-mapped, multicast,
   *   broadcast, ::1, link-local fe80::/10, or of a family the member has no address in); ENOENT
   *   when the network was removed.
   * @example
   * ```ts
   * const port = await net.publish(c1, { hostPort: 8080, containerPort: 80 }); // docker run -p 8080:80
   * await port.unpublish();
   * ```
   */
  async publish(namespace: Namespace, options: PublishOptions): Promise<PublishedPort> {
    const operation = `publish a port of ${describeNamespace(namespace)} on network "${this.name}"`;
    checkNamespaceArg(namespace, operation);
    // The network's host_binding_ipv4 stands for a host address not given ('0.0.0.0': every
    // address, in each family, as no host address).
    const binding = this.hostBindingAddress === '0.0.0.0' ? undefined : this.hostBindingAddress;
    const o = checkPublishOptions(
      binding !== undefined && typeof options === 'object' && options !== null && options.hostAddress === undefined
        ? { ...options, hostAddress: binding }
        : options,
      operation,
    );
    if (this.internal) throw invalid(operation, 'the network is internal: its members cannot be reached from outside');
    const host = Namespace.current();
    if (o.hostAddress !== undefined) await checkHostAddress(host, o.hostAddress, operation);
    const ref = await refOf(namespace, operation);
    // The networks reconciled for this call, by id: each at most once, so this ends.
    const reconciledIds = new Set<string>();
    for (;;) {
      const outcome = await withLock(lockKey(this.name), operation, `network "${this.name}"`, () =>
        this.#publish(host, namespace, ref, o, reconciledIds, operation),
      );
      if (outcome instanceof PublishedPort) return outcome;
      // Other networks hold the port: each reconciled under its own lock, taken once this
      // network's is released (no process holds two networks' locks at once: two publishes on
      // A and B, each wanting a port the other's gone member holds, cannot deadlock), then the
      // publish is decided again from the start.
      for (const other of outcome) {
        reconciledIds.add(other.id);
        try {
          await reconciled(other.name, operation, other.id);
        } catch (e) {
          // Removed meanwhile (its ports went with it), or refused by open() for a fault of its
          // own: it is decided again, and named as the holder if its publication is still there.
          if (!(e instanceof NetnsError && LEFT_OUT_OF_LIST.has(e.code))) throw e;
        }
      }
    }
  }

  /**
   * publish() under the network's lock: the port, or the other networks holding it that are
   * not in `reconciledIds` (the caller reconciles them, out of this lock, and calls again).
   */
  async #publish(
    host: Namespace,
    namespace: Namespace,
    ref: NamespaceRef,
    o: ReturnType<typeof checkPublishOptions>,
    reconciledIds: Set<string>,
    operation: string,
  ): Promise<PublishedPort | NetworkState[]> {
    let state = await reconcile(await current(this.name, operation, this.id), operation, false);
    const endpoint = (await recordsOf(state, namespace, ref, operation)).own;
    if (!endpoint) throw invalid(operation, `${describeNamespace(namespace)} is not a member of the network`);
    if (o.family === 6 && endpoint.ipv6Address === undefined) {
      throw invalid(operation, `the member has no IPv6 address to publish ${o.hostAddress ?? '::'} to`);
    }
    // One publication per family: the host address's, or each the member has an address in.
    const members = [
      ...(o.family !== 6 ? [endpoint.address] : []),
      ...(o.family !== 4 && endpoint.ipv6Address !== undefined ? [endpoint.ipv6Address] : []),
    ];
    const list = members.map((address) => ({
      networkId: state.id,
      protocol: o.protocol,
      hostAddress: o.hostAddress,
      hostPort: o.hostPort,
      address: bare(address),
      port: o.containerPort,
    }));
    // The host port must be free in the host namespace, as for Docker: held while the
    // elements are added, then let go (published-port.ts, reserveHostPort).
    const where = list.map((p) => ({
      family: p.address.includes(':') ? (6 as const) : (4 as const),
      hostAddress: p.hostAddress,
    }));
    const release = await reserveHostPort(host, o.protocol, o.hostPort, where, operation);
    try {
      for (;;) {
        try {
          await publish(host, firewallOf(state), list, operation);
          return new PublishedPort(state.name, host, list);
        } catch (e) {
          if (!(e instanceof NetnsError && e.code === 'EADDRINUSE')) throw e;
          const held = await holders(host, list, operation);
          const holder = held[0];
          if (holder === undefined) throw e; // let go meanwhile: in use when it was decided
          // The port may be held by a member that left without a disconnect (an anonymous one's
          // namespace went with its veth): the kernel says, and its ports go with it.
          if (held.some((p) => p.networkId === shortId(state.id)) && !reconciledIds.has(state.id)) {
            reconciledIds.add(state.id);
            const before = state.endpoints.length;
            state = await reconcile(state, operation, true);
            if (!state.endpoints.includes(endpoint)) {
              throw invalid(operation, `${describeNamespace(namespace)} is not a member of the network`);
            }
            if (state.endpoints.length < before) continue;
          }
          // Those of other networks: reconciled by the caller, out of this network's lock.
          const networks = readAllStates(state).filter((s) => s.hostNamespace === state.hostNamespace);
          const others = networks.filter(
            (s) => !reconciledIds.has(s.id) && held.some((p) => p.networkId === shortId(s.id)),
          );
          if (others.length > 0) return others;
          const name = networks.find((s) => shortId(s.id) === holder.networkId)?.name;
          throw failure('EADDRINUSE', operation, takenReason(holder, name));
        }
      }
    } finally {
      release();
    }
  }

  /**
   * The ports published on the network, as the kernel's ruleset has them (whichever process
   * published them), for the members it has now: the network is reconciled first, under its
   * lock, as for {@link Network.endpoints} (members whose namespace is gone are dropped, and
   * their ports with them), and an element of its maps sent to an address no member has is
   * deleted rather than listed. `docker port`: one entry per family, so a port published on
   * every address of a dual-stack member is two entries, `family` 4 and 6 (as `docker port`
   * lists 0.0.0.0:8080 and [::]:8080), each of which unpublishes its own family.
   * @example
   * ```ts
   * for (const p of await net.ports()) console.log(`${p.hostPort}/${p.protocol} -> ${p.address}:${p.containerPort}`);
   * ```
   */
  async ports(): Promise<PublishedPort[]> {
    const operation = `list the published ports of network "${this.name}"`;
    const host = Namespace.current();
    return withLock(lockKey(this.name), operation, `network "${this.name}"`, async () => {
      const state = await reconcile(await current(this.name, operation, this.id), operation, true);
      const published = await memberPublications(host, state.id, state.endpoints.flatMap(addressesOf), operation);
      return published.map((p) => new PublishedPort(state.name, host, [{ ...p, networkId: state.id }]));
    });
  }

  /**
   * Serves names on 127.0.0.11:53 (UDP and TCP) inside every member namespace, present and
   * future, like Docker's embedded DNS server, for as long as this process runs or until
   * `close()`: the names and aliases of the members of the networks the asking namespace is on
   * (A, and AAAA where there is an IPv6 address; case-insensitive); other names are forwarded
   * to `upstream` from the host namespace (default: the host's resolv.conf nameservers;
   * systemd-resolved's when /etc/resolv.conf names only its stub), or, for a member connected
   * with `dns` servers of its own, to those, from inside the member;
   * SERVFAIL within 2 s when none answers. As Docker's: the query's class is not looked at, and
   * when `ndots` is set (by the member's `dnsOptions` if it has some, else by the host's
   * resolv.conf), A/AAAA of an unknown single-label name get NOERROR with no answer instead of
   * being forwarded. Members connected by other processes are served
   * within a few seconds. One responder per namespace answers for every network this process
   * serves there.
   * @throws NetnsError EINVAL for a `dns: false` network or a bad upstream address;
   *   EADDRINUSE when another process already serves a member namespace.
   * @example
   * ```ts
   * const dns = await net.serveDns({ upstream: ['198.51.100.53'] });
   * // inside a member: getent ahosts web -> the member's address
   * await dns.close();
   * ```
   */
  async serveDns(options: ServeDnsOptions = {}): Promise<DnsServer> {
    const operation = `serve DNS for network "${this.name}"`;
    if (!this.dns) throw invalid(operation, 'the network was created with dns: false (members get no names)');
    return serveNetwork(this.name, this.id, options, operation);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      id: this.id,
      subnet: this.subnet,
      gateway: this.gateway,
      ...(this.ipv6Subnet !== undefined && { ipv6Subnet: this.ipv6Subnet, ipv6Gateway: this.ipv6Gateway }),
      bridgeName: this.bridgeName,
      internal: this.internal,
      dns: this.dns,
      ...(this.mtu !== undefined && { mtu: this.mtu }),
      ...(this.ipRange !== undefined && { ipRange: this.ipRange }),
      ...(this.ipv6IpRange !== undefined && { ipv6IpRange: this.ipv6IpRange }),
      ...(Object.keys(this.auxAddresses).length > 0 && { auxAddresses: { ...this.auxAddresses } }),
      icc: this.icc,
      ipMasquerade: this.ipMasquerade,
      ...(this.hostBindingAddress !== undefined && { hostBindingAddress: this.hostBindingAddress }),
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Network ${JSON.stringify(this.toJSON())}`;
  }
}

/** What the firewall (nat.ts) needs of a network. */
function firewallOf(state: NetworkState): FirewallNetwork {
  return {
    id: state.id,
    bridge: state.bridgeName,
    internal: state.internal,
    icc: state.icc ?? true,
    ipMasquerade: state.ipMasquerade ?? true,
    subnet: state.subnet,
    ...(state.ipv6Subnet !== undefined && { ipv6Subnet: state.ipv6Subnet }),
  };
}

/** A member's addresses, bare: what its published ports are sent to. */
function addressesOf(ep: EndpointState): string[] {
  return [bare(ep.address), ...(ep.ipv6Address ? [bare(ep.ipv6Address)] : [])];
}

function toEndpoint(state: NetworkState, ep: EndpointState, namespace: Namespace): Endpoint {
  return {
    network: state.name,
    namespace,
    name: ep.name,
    aliases: [...ep.aliases],
    interfaceName: ep.interfaceName,
    address: ep.address,
    gateway: memberGateway(state, 4),
    ...(ep.ipv6Address !== undefined && { ipv6Address: ep.ipv6Address, ipv6Gateway: memberGateway(state, 6) }),
    mac: ep.mac,
    hostInterfaceName: ep.hostInterfaceName,
    ...(ep.dns && { dns: [...ep.dns] }),
    ...(ep.dnsSearch && { dnsSearch: [...ep.dnsSearch] }),
    ...(ep.dnsOptions && { dnsOptions: [...ep.dnsOptions] }),
  };
}

function sortByAddress(endpoints: EndpointState[]): EndpointState[] {
  return [...endpoints].sort((a, b) => {
    const x = ipOf(a.address).value;
    const y = ipOf(b.address).value;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The members' default gateway of a family: the auxiliary address DefaultGatewayIPv4 (IPv6) when
 * the network has one, as Docker's bridge driver takes it, else the bridge's (undefined: no IPv6).
 */
function memberGateway(state: NetworkState, family: 4): string;
function memberGateway(state: NetworkState, family: 4 | 6): string | undefined;
function memberGateway(state: NetworkState, family: 4 | 6): string | undefined {
  const aux = state.auxAddresses?.[family === 4 ? 'DefaultGatewayIPv4' : 'DefaultGatewayIPv6'];
  if (family === 6 && state.ipv6Gateway === undefined) return undefined;
  return aux ?? (family === 4 ? state.gateway : state.ipv6Gateway);
}

/** The reserved addresses (`--aux-address`) of a family, by value, with their names. */
function auxIn(state: NetworkState, family: 4 | 6): Map<bigint, string> {
  const out = new Map<bigint, string>();
  for (const [name, text] of Object.entries(state.auxAddresses ?? {})) {
    const ip = parseIp(text);
    if (ip?.family === family) out.set(ip.value, name);
  }
  return out;
}

/** Why a taken address is: reserved by name, or a member's. */
function takenBy(state: NetworkState, family: 4 | 6, value: bigint): string {
  const aux = auxIn(state, family).get(value);
  return aux === undefined
    ? 'is already given to another member'
    : `is reserved as the auxiliary address ${JSON.stringify(aux)}`;
}

/** The addresses of a family that are not free: the gateway's, the reserved ones and every member's. */
function takenIn(state: NetworkState, family: 4 | 6): Set<bigint> {
  const out = new Set(auxIn(state, family).keys());
  if (family === 4) {
    out.add(ipOf(`${state.gateway}/0`).value);
    for (const ep of state.endpoints) out.add(ipOf(ep.address).value);
  } else if (state.ipv6Gateway) {
    out.add(ipOf(`${state.ipv6Gateway}/0`).value);
    for (const ep of state.endpoints) if (ep.ipv6Address) out.add(ipOf(ep.ipv6Address).value);
  }
  return out;
}

/** The IPv4 subnets the host namespace's routes and addresses cover. */
async function hostSubnets(host: Namespace): Promise<Subnet[]> {
  const [routes, addresses] = await Promise.all([host.routes({ family: 4 }), host.addresses()]);
  const out: Subnet[] = [];
  for (const r of routes) {
    if (r.destination !== 'default') out.push(parseSubnet(r.destination, 'read host routes', 'route', false));
  }
  for (const a of addresses as Address[]) {
    if (a.family === 4) out.push(parseSubnet(a.cidr, 'read host addresses', 'address', false));
  }
  return out;
}

/** The bridge of a network, marked, up, with its gateway addresses. */
async function makeBridge(host: Namespace, state: NetworkState): Promise<Bridge> {
  const bridge = await Bridge.create(state.bridgeName, {
    alias: linkMark(state),
    ...(state.mtu !== undefined && { mtu: state.mtu }),
  });
  try {
    if (state.icc === false) await handToFirewall(host, state, bridge.index);
    await configureBridge(bridge, state, []);
  } catch (e) {
    await deleteQuietly(host, [bridge]);
    throw e;
  }
  bridgeIndexes.set(state.id, bridge.index);
  return bridge;
}

/**
 * icc: false. What one member sends another stays on the bridge: it reaches the firewall's
 * forward hook only when the bridge hands it to netfilter (br_netfilter). Set on this bridge, so
 * that the host's net.bridge.bridge-nf-call-ip(6)tables, which Docker sets to 1, can stay as
 * they are.
 */
async function handToFirewall(host: Namespace, state: NetworkState, index: number): Promise<void> {
  const operation = `let bridge "${state.bridgeName}" hand its traffic to the firewall`;
  const info = { nfCallIptables: 1, ...(state.ipv6Subnet !== undefined && { nfCallIp6tables: 1 }) };
  await request(
    await host[kHandle](operation),
    { op: 'newlink', link: { index, kind: 'bridge', info } },
    operation,
    'link',
  );
}

/** Whether the bridge hands its traffic to the firewall as the network needs (icc: false: handToFirewall). */
function firewallInLine(state: NetworkState, bridge: Link): boolean {
  if (state.icc !== false || !(bridge instanceof Bridge)) return true;
  const info = bridge.info;
  return info.nfCallIptables !== false && (state.ipv6Subnet === undefined || info.nfCallIp6tables !== false);
}

/** The addresses the bridge carries: the gateway's, and the IPv6 gateway's. */
function gatewayCidrs(state: NetworkState): string[] {
  const wanted = [`${state.gateway}${state.subnet.slice(state.subnet.indexOf('/'))}`];
  if (state.ipv6Gateway && state.ipv6Subnet)
    wanted.push(`${state.ipv6Gateway}${state.ipv6Subnet.slice(state.ipv6Subnet.indexOf('/'))}`);
  return wanted;
}

async function configureBridge(bridge: Link, state: NetworkState, present: Address[]): Promise<void> {
  for (const cidr of gatewayCidrs(state)) {
    if (present.some((a) => a.cidr === cidr)) continue;
    await bridge.addAddress(cidr, cidr.includes(':') ? { nodad: true } : {});
  }
  if (!bridge.isUp) await bridge.up();
}

/**
 * The network's bridge among the host's links, or undefined when it is gone (a full reconcile
 * makes it again). EEXIST when a link that is not it has its name: not ours to touch.
 */
function bridgeAmong(state: NetworkState, links: Link[], operation: string): Link | undefined {
  const bridge = links.find((l) => l.name === state.bridgeName);
  if (bridge && (bridge.kind !== 'bridge' || bridge.alias !== linkMark(state))) {
    throw failure(
      'EEXIST',
      operation,
      `the link "${state.bridgeName}" is not this network's bridge (someone else's link has its name)`,
    );
  }
  return bridge;
}

/**
 * The records of the state with the inode of `namespace` (whose record is `ref`): its own, and
 * those of namespaces gone since without a disconnect, whose inode the kernel gave to it (two
 * namespaces alive at once never share one). Told apart by the cookie; a record without one
 * (written before cookies were recorded) by its veth (see vethInto).
 */
async function recordsOf(
  state: NetworkState,
  namespace: Namespace,
  ref: NamespaceRef,
  operation: string,
): Promise<{ own: EndpointState | undefined; gone: EndpointState[] }> {
  let own: EndpointState | undefined;
  const gone: EndpointState[] = [];
  for (const ep of state.endpoints) {
    if (ep.namespace.inode !== ref.inode) continue;
    if (sameNamespace(ep.namespace, ref) ?? (await vethInto(state, ep, namespace, operation))) own = ep;
    else gone.push(ep);
  }
  return { own, gone };
}

/**
 * Whether a member's veth goes into `namespace`: it is there, ours, and its peer is in
 * `namespace` (the host's id for it). A veth goes with the namespace its peer is in: a member
 * gone has none. When `namespace` cannot be asked (closed), the veth being there says the member
 * is alive, hence the one with its inode.
 */
async function vethInto(
  state: NetworkState,
  ep: EndpointState,
  namespace: Namespace,
  operation: string,
): Promise<boolean> {
  const host = Namespace.current();
  const veth = await findLink(host, ep.hostInterfaceName);
  if (!veth || veth.alias !== linkMark(state)) return false;
  if (namespace.closed) return true;
  try {
    const id = await knownNamespaceId(host, namespace, operation);
    return id !== undefined && veth.parentNetnsId === id;
  } catch {
    return true; // closed meanwhile
  }
}

/** Whether a member's veth is as connect() leaves it: on the bridge, up, and (not internal) in hairpin mode. */
function portInLine(state: NetworkState, veth: Link, bridgeIndex: number): boolean {
  return veth.masterIndex === bridgeIndex && veth.isUp && (state.internal || veth.bridgePort?.hairpin === true);
}

/**
 * Whether a full reconcile would find nothing to do but check the firewall (whose reading needs
 * CAP_NET_ADMIN), judged from the host's links and addresses as read: no change left half-done,
 * the bridge there, up, addressed and (icc: false) handing its traffic to the firewall, every member's namespace there (named ones by name, the
 * others by their veth, which goes with their namespace) and its veth in line, and no veth of
 * ours that is no member's. EEXIST as bridgeAmong.
 */
function inLine(state: NetworkState, links: Link[], addresses: Address[], operation: string): boolean {
  if (state.pending) return false;
  const bridge = bridgeAmong(state, links, operation);
  if (!bridge?.isUp || !firewallInLine(state, bridge)) return false;
  const present = addresses.filter((a) => a.linkIndex === bridge.index);
  if (!gatewayCidrs(state).every((cidr) => present.some((a) => a.cidr === cidr))) return false;
  const mark = linkMark(state);
  const veths = new Map(links.filter((l) => l.alias === mark && l !== bridge).map((l) => [l.name, l]));
  for (const ep of state.endpoints) {
    const veth = veths.get(ep.hostInterfaceName);
    if (!veth || nameAlive(ep.namespace) === false || !portInLine(state, veth, bridge.index)) return false;
    veths.delete(ep.hostInterfaceName);
  }
  return veths.size === 0;
}

/**
 * The network's state, finishing or undoing a change a killed process left half-done. With `id`
 * (a Network object's), a network of the same name made since that one was removed is not it.
 */
async function current(name: string, operation: string, id?: string): Promise<NetworkState> {
  const read = readState(name, operation);
  // Checked first: recovering from here would change another namespace's links.
  if (read && read.hostNamespace !== String(Namespace.current().inode)) {
    throw invalid(
      operation,
      `the network's bridge lives in another network namespace (inode ${read.hostNamespace}) than this process (${Namespace.current().inode})`,
    );
  }
  const state = read && (await recover(read, operation));
  if (!state) throw failure('ENOENT', operation, 'no such network');
  if (id !== undefined && state.id !== id) {
    throw failure(
      'ENOENT',
      operation,
      `the network was removed; the network named "${name}" now is another one (Network.open() gives it)`,
    );
  }
  return state;
}

/**
 * The network's state brought in line with the kernel, under its lock: what open(), list() and
 * endpoints() give (see reconcile, full). With `id`, as for current().
 */
async function reconciled(name: string, operation: string, id?: string): Promise<NetworkState> {
  return withLock(lockKey(name), operation, `network "${name}"`, async () =>
    reconcile(await current(name, operation, id), operation, true),
  );
}

/** The codes with which open() refuses a network for a fault of its own: list() leaves it out. */
const LEFT_OUT_OF_LIST = new Set(['ENOENT', 'EIO', 'EINVAL', 'EEXIST']);

/**
 * Finishes or undoes the change journaled in `state.pending`, whose writer died (the caller
 * holds the lock, so it is not running). Returns the state after, or undefined when the network
 * is gone (an unfinished create is undone; an unfinished remove is finished).
 */
async function recover(state: NetworkState, operation: string): Promise<NetworkState | undefined> {
  const pending = state.pending;
  // A network of another namespace's is not ours to touch from here.
  if (!pending || state.hostNamespace !== String(Namespace.current().inode)) return state;
  const host = Namespace.current();
  const { pending: _done, ...settled } = state;
  switch (pending.op) {
    case 'create': {
      await removeNetwork(host, state.id, operation);
      const bridge = await findLink(host, state.bridgeName);
      if (bridge && bridge.alias === linkMark(state)) await deleteQuietly(host, [bridge]);
      deleteState(state.name);
      return undefined;
    }
    case 'connect': {
      const veth = await findLink(host, pending.endpoint.hostInterfaceName);
      if (veth && veth.alias === linkMark(state)) await deleteQuietly(host, [veth]);
      writeState(settled, operation);
      await namesChanged(memberNames(settled, pending.endpoint));
      networkChanged();
      return settled;
    }
    case 'disconnect': {
      const key = pending.endpoint.hostInterfaceName;
      await leave(state, pending.endpoint, await resolve(pending.endpoint.namespace));
      const after = { ...settled, endpoints: settled.endpoints.filter((ep) => ep.hostInterfaceName !== key) };
      writeState(after, operation);
      await namesChanged(memberNames(after, pending.endpoint));
      networkChanged();
      return after;
    }
    case 'remove':
      await finishRemove(settled);
      networkChanged();
      return undefined;
  }
}

/**
 * Takes a member off the network in the kernel: deletes its veth (the address and routes on it
 * go too) and, if that took the member's default route while it is on another network that is
 * not internal, adds the default route via that network. `namespace` may be undefined (gone,
 * or unreachable): then only the veth goes.
 */
async function leave(state: NetworkState, endpoint: EndpointState, namespace: Namespace | undefined): Promise<void> {
  const host = Namespace.current();
  const hadDefault = await carriesDefaultRoute(state, endpoint, namespace);
  await unpublishMember(host, state.id, addressesOf(endpoint), 'take a member off its network');
  const veth = await findLink(host, endpoint.hostInterfaceName);
  if (veth && veth.alias === linkMark(state)) await deleteQuietly(host, [veth]);
  if (namespace) await moveDefaultRoute(namespace, endpoint.namespace, state.name, hadDefault);
}

/** The families (4, 6) whose default route in the member goes out through this endpoint's interface. */
async function carriesDefaultRoute(
  state: NetworkState,
  endpoint: EndpointState,
  namespace: Namespace | undefined,
): Promise<Array<4 | 6>> {
  if (!namespace || state.internal) return [];
  try {
    const routes = await namespace.routes();
    const via = routes.filter((r) => r.destination === 'default' && r.link === endpoint.interfaceName);
    return [...new Set(via.map((r) => r.family))];
  } catch {
    return []; // the namespace went away meanwhile
  }
}

/**
 * After a member lost its default routes of `families` with network `from`: the routes via
 * another network it is on, if one is not internal (and has a gateway of that family).
 */
async function moveDefaultRoute(
  namespace: Namespace,
  ref: NamespaceRef,
  from: string,
  families: Array<4 | 6>,
): Promise<void> {
  if (families.length === 0) return;
  const others = readAllStates();
  for (const family of families) {
    moved: for (const other of others) {
      if (other.name === from || other.internal || other.pending) continue;
      const gateway = memberGateway(other, family);
      if (gateway === undefined) continue;
      // Its own record first; one without a cookie may be its own or a gone namespace's.
      const own = other.endpoints.filter((e) => sameNamespace(e.namespace, ref) === true);
      const maybe = other.endpoints.filter((e) => sameNamespace(e.namespace, ref) === undefined);
      for (const ep of [...own, ...maybe]) {
        try {
          await namespace.addRoute({ destination: 'default', gateway, link: ep.interfaceName });
          break moved;
        } catch {
          // that interface is gone meanwhile (another process disconnecting it): try the next
        }
      }
    }
  }
}

/** Removes a network whose removal was journaled: every veth and the bridge, then the state. */
async function finishRemove(state: NetworkState): Promise<void> {
  const host = Namespace.current();
  const mark = linkMark(state);
  const links = (await host.links()).filter((l) => l.alias === mark);
  const members = await Promise.all(state.endpoints.map(async (ep) => [ep, await resolve(ep.namespace)] as const));
  const hadDefault = new Map<EndpointState, Array<4 | 6>>();
  await Promise.all(members.map(async ([ep, ns]) => hadDefault.set(ep, await carriesDefaultRoute(state, ep, ns))));
  await removeNetwork(host, state.id, `remove network "${state.name}"`);
  await deleteQuietly(host, links);
  deleteState(state.name);
  bridgeIndexes.delete(state.id);
  for (const [ep, ns] of members) {
    if (ns) await moveDefaultRoute(ns, ep.namespace, state.name, hadDefault.get(ep) ?? []);
  }
  await namesChanged(memberNames(state));
}

/**
 * Brings the state in line with the kernel. Always: named members whose namespace lost its name
 * (deleted) are dropped and their veths deleted. With `full`, the host's links are read too:
 * members whose veth is gone are dropped, veths of ours that no member owns (left by a killed
 * process) are deleted, the bridge is made again if it is gone (icc: false: handed to the
 * firewall again if it no longer is), members' veths are attached and
 * up, the firewall rules checked, and hosts files that differ from what they should say
 * rewritten. Writes the state when it changed.
 */
async function reconcile(state: NetworkState, operation: string, full: boolean): Promise<NetworkState> {
  const host = Namespace.current();
  const mark = linkMark(state);
  const dead: EndpointState[] = [];
  const kept: EndpointState[] = [];
  for (const ep of state.endpoints) (nameAlive(ep.namespace) === false ? dead : kept).push(ep);
  let doomed: Link[] = [];
  if (!full) {
    for (const ep of dead) {
      const veth = await findLink(host, ep.hostInterfaceName);
      if (veth && veth.alias === mark) doomed.push(veth);
    }
  } else {
    const links = await host.links();
    const ours = new Map(links.filter((l) => l.alias === mark).map((l) => [l.name, l]));
    let bridge = bridgeAmong(state, links, operation);
    if (!bridge) {
      bridge = await makeBridge(host, state);
    } else {
      await configureBridge(bridge, state, await bridge.addresses());
      // Someone may have turned it off (ip link set BR type bridge nf_call_iptables 0).
      if (!firewallInLine(state, bridge)) await handToFirewall(host, state, bridge.index);
      bridgeIndexes.set(state.id, bridge.index);
    }
    const alive: EndpointState[] = [];
    for (const ep of kept) {
      const veth = ours.get(ep.hostInterfaceName);
      if (!veth) {
        dead.push(ep);
        continue;
      }
      alive.push(ep);
      ours.delete(ep.hostInterfaceName);
      if (portInLine(state, veth, bridge.index)) continue;
      if (veth.masterIndex !== bridge.index) await veth.setMaster(bridge);
      if (!veth.isUp) await veth.up();
      // Hairpin, as connect sets it (a port made before it did, or attached again just now).
      if (!state.internal && veth.bridgePort?.hairpin !== true) {
        await request(await host[kHandle](operation), hairpinOn(veth.index), operation, 'link');
      }
    }
    kept.length = 0;
    kept.push(...alive);
    // What is left is ours but no member's: the bridge, and veths a killed process made.
    doomed = [...ours.values()].filter((l) => l.name !== state.bridgeName);
  }
  await deleteQuietly(host, doomed);
  if (dead.length > 0) await unpublishMember(host, state.id, dead.flatMap(addressesOf), operation);
  if (full) await addNetwork(host, firewallOf(state), operation); // as they should be, if not
  const changed = dead.length > 0;
  const after = changed ? { ...state, endpoints: kept } : state;
  if (changed) {
    writeState(after, operation);
    networkChanged();
  }
  // Unchanged members: only hosts files that differ from what they should say (one a crash left
  // unwritten, or edited by hand) are written, so that checking changes nothing when all is well.
  if (changed || full) await namesChanged(memberNames(after, ...dead), undefined, !changed);
  return after;
}
