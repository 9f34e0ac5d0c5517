import { NetnsError, failure, fromNative, invalid, withReason } from './internal/errors';
import { FOREVER, addressFromNative, broadcastOf, type Address } from './address';
import { echoedObject, type EchoOption } from './echo';
import { addFdb, deleteFdb, listFdb, type FdbEntry, type FdbSpec } from './neighbour';
import { flushAddresses, type LinkFlushAddressesOptions } from './flush';
import {
  changeLinkMulticast,
  listMulticastAddresses,
  parseMulticastMac,
  type MulticastAddress,
  type MulticastAddressesOptions,
} from './multicast';
import { kDetachFrom, kHandle, kHandleNow } from './internal/symbols';
import {
  bridgePortInfo,
  bridgePortRequest,
  setBridgePort,
  type BridgePortInfo,
  type BridgePortSettings,
} from './bridge-port';
import { isFailure } from './native/wire';
import { isMulticast, parseIp as parseIpNumber } from './internal/ip-number';
import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import {
  applyLinkChange,
  checkLinkSettings,
  describeSettings,
  ADDR_GEN_MODES,
  explainPartialChange,
  explainRefusal,
  linkRequest,
  type LinkSettings,
} from './link-settings';
import {
  FollowUp,
  batchThen,
  deleteLink,
  exclusive,
  randomLinkGroup,
  request,
  requestIn,
  throwFirstFailure,
  type DeleteKey,
} from './internal/dispatch';
import {
  AF_INET,
  AF_INET6,
  IFA_F_HOMEADDRESS,
  IFA_F_MANAGETEMPADDR,
  IFA_F_MCAUTOJOIN,
  IFA_F_NODAD,
  IFA_F_OPTIMISTIC,
  IFA_F_NOPREFIXROUTE,
  IFF_ALLMULTI,
  IFF_DYNAMIC,
  IFF_LOWER_UP,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_NOTRAILERS,
  IFF_PROMISC,
  IFF_UP,
  NLM_F_CREATE,
  NLM_F_ECHO,
  NLM_F_EXCL,
  NLM_F_REPLACE,
} from './native/constants';
import type {
  NativeAddress,
  NativeAddressRequest,
  NativeIpv6Stats,
  NativeIcmp6Stats,
  NativeLink,
  NativeLinkRequest,
  NativeOp,
  NativeResult,
} from './native/surface';
import type { Namespace } from './namespace';
import {
  checkAltName,
  checkBoolean,
  checkInteger,
  checkLinkName,
  checkMtu,
  checkObject,
  checkOptionKeys,
  describeValue,
  parseCidr,
  parseIp,
  parseMac,
} from './internal/validate';

/**
 * Options for {@link Link.addAddress}. With `echo: true` it resolves with the {@link Address}
 * the kernel made (`ip -echo addr add`).
 */
export interface AddAddressOptions extends EchoOption {
  /** Skip IPv6 duplicate address detection: the address is usable at once (`nodad`). */
  nodad?: boolean;
  /**
   * Make no route for the address's prefix (`noprefixroute`): the address is the link's, but
   * the prefix is reached only through routes added for it.
   */
  noprefixroute?: boolean;
  /**
   * IPv6: the kernel makes temporary (privacy) addresses from this one's prefix, as for an
   * advertised prefix, when the link's `use_tempaddr` sysctl is on (`mngtmpaddr`; RFC 8981).
   */
  mngtmpaddr?: boolean;
  /** IPv6: a Mobile IPv6 home address (`home`; RFC 6275), the source for its binding updates. */
  home?: boolean;
  /**
   * IPv6: usable while duplicate address detection still runs (`optimistic`; RFC 4429). The
   * kernel keeps the flag only where `net.ipv6.conf.LINK.optimistic_dad` (or `all`'s) is 1, and
   * drops it silently elsewhere, as it does for ip. Not with `nodad` (no detection to shorten).
   */
  optimistic?: boolean;
  /**
   * A multicast address: the link joins its group, as a socket's IP_ADD_MEMBERSHIP would, for
   * as long as the address is there (`autojoin`).
   */
  autojoin?: boolean;
  /**
   * IPv4 broadcast address, or true to derive it from the prefix as `brd +` does: the subnet's
   * last address, and none for a /31 or /32 (RFC 3021: their addresses are all hosts).
   */
  broadcast?: string | true;
  /** IPv4 label, e.g. 'veth0:1'. Must start with the link's name. */
  label?: string;
  /**
   * The other end of a point-to-point address (`peer PREFIX`): '198.18.0.51/32', or a bare
   * address for one host. The kernel routes the peer's prefix over the link and keeps its prefix
   * length as the address's: give the address bare ('198.18.0.50') or with that same length.
   * A derived broadcast (`broadcast: true`) is then the peer prefix's, as `brd +` makes it.
   */
  peer?: string;
  /**
   * Seconds until the kernel removes the address (`valid_lft 100`), 1 to 4294967294, or
   * 'forever' (the default). Read back as {@link Address.validLifetime}, counting down.
   */
  validLifetime?: number | 'forever';
  /**
   * Seconds the address stays preferred for new connections (`preferred_lft 50`), then
   * deprecated until it expires: 0 to 4294967294, or 'forever'; at most `validLifetime`.
   * Default: `validLifetime` (preferred until it expires), where `ip addr` insists on both.
   * An IPv4 address valid forever takes only 0 (deprecated at once) or forever: the kernel
   * ignores other preferred lifetimes on it; an IPv6 one takes any.
   */
  preferredLifetime?: number | 'forever';
  /**
   * The metric of the route the kernel makes for the address's prefix (`metric 100`; also
   * `priority`, `preference` to ip), 0 to 4294967295; default 0. Read back as
   * {@link Address.metric}. With `replace`, the address's metric and its prefix route's change.
   */
  metric?: number;
  /**
   * `ip addr replace`: add the address, or update the one the link has (same address and
   * prefix length): its lifetimes (those given, or forever) and, IPv6, `nodad`. Without it, an
   * address the link has is EEXIST.
   */
  replace?: boolean;
}

/** Options for {@link Link.setMaster}. */
export interface SetMasterOptions {
  /**
   * The link's settings as the bridge's port, set as it is attached (see
   * {@link Link.setBridgePort}); only when the master is a bridge.
   */
  port?: BridgePortSettings;
}

/**
 * Options for {@link Link.delete}: `echo: true` resolves with the {@link Link} as the kernel
 * removed it (`ip -echo link del`).
 */
export type LinkDeleteOptions = EchoOption;

/**
 * Options for {@link Link.deleteAddress}. With `echo: true` it resolves with the {@link Address}
 * the kernel removed (`ip -echo addr del`).
 */
export interface DeleteAddressOptions extends EchoOption {
  /**
   * The peer a point-to-point address was added with, as {@link Address.peer} lists it
   * (`ip addr del ADDR peer PREFIX`): without it the kernel finds no such IPv4 address.
   */
  peer?: string;
}

/** An `ip addr add` request. */
type NewAddrOp = Extract<NativeOp, { op: 'newaddr' }>;

/** An address lifetime in seconds, or 'forever' (undefined too): INFINITY_LIFE_TIME. */
function lifetime(value: unknown, min: number, operation: string, what: string): number {
  if (value === undefined || value === 'forever') return FOREVER;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value >= FOREVER) {
    throw invalid(
      operation,
      `${what} must be 'forever' or a number of seconds from ${min} to ${FOREVER - 1}, not ${describeValue(value)}`,
    );
  }
  return value;
}

function lifetimeText(seconds: number): string {
  return seconds === FOREVER ? 'forever' : `${seconds} s`;
}

const OPER_STATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

/** The kinds of link that take ports (their driver has ndo_add_slave). */
const PORT_MASTERS: ReadonlySet<string> = new Set(['bridge', 'bond', 'team', 'vrf']);

/** A class for a kind of link: Link or a subclass (their constructors are protected). */
type LinkClass = { prototype: Link };

/**
 * The kind-specific attributes of a link ({@link Link.info}), typed by each kind's class
 * (`VxlanInfo`, `BridgeInfo`, ...). For a kind netns-native has no class for, the attributes
 * its table in native/rtnl/link/ names (a vlan's `{ id, protocol }`), as the kernel gave them.
 */
export type LinkKindInfo = Readonly<Record<string, unknown>>;

/** Turns the raw state of a link of one kind into its public, typed `info`. */
type InfoDecoder = (state: NativeLink) => LinkKindInfo;

const kinds = new Map<string, { cls: LinkClass; info: InfoDecoder | undefined }>();

/**
 * Registers the class that represents links of a kind ('bridge' -> Bridge), and how its
 * IFLA_INFO_DATA reads as that class's typed `info` (field names mirroring the create options).
 * @internal
 */
export function registerLinkKind(kind: string, cls: LinkClass, info?: InfoDecoder): void {
  kinds.set(kind, { cls, info });
}

/**
 * The right class for a link just read from the kernel: a Bridge for a bridge, else a Link.
 * @internal
 */
export function makeLink(namespace: Namespace, info: NativeLink): Link {
  const Cls = (kinds.get(info.kind)?.cls ?? Link) as unknown as new (namespace: Namespace, info: NativeLink) => Link;
  return new Cls(namespace, info);
}

/**
 * A link's traffic counters (IFLA_STATS64, struct rtnl_link_stats64), as `ip -s link` and
 * `ip -s -s link` show them; the kernel's names in camelCase. A counter the kernel does not keep
 * for the link's kind stays 0. Counters above 2^53 (9 PB) lose precision as JavaScript numbers.
 */
export interface LinkStats {
  /** Bytes and packets received and sent (`RX: bytes packets`, `TX: bytes packets`). */
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  /** Bad packets received and packets that could not be sent (`errors`). */
  rxErrors: number;
  txErrors: number;
  /** Packets dropped though good: no room, a filter, a protocol not handled (`dropped`). */
  rxDropped: number;
  txDropped: number;
  /** Multicast packets received (`mcast`). */
  multicast: number;
  /** Collisions while sending (`collsns`). */
  collisions: number;
  /** The receive errors in detail (`ip -s -s`'s `RX errors: length crc frame fifo overrun`). */
  rxLengthErrors: number;
  rxCrcErrors: number;
  rxFrameErrors: number;
  rxFifoErrors: number;
  rxOverErrors: number;
  /** Packets the device missed for want of room (`missed`). */
  rxMissedErrors: number;
  /** The send errors in detail (`carrier`; `ip -s -s`'s `TX errors: aborted fifo window heartbt`). */
  txCarrierErrors: number;
  txAbortedErrors: number;
  txFifoErrors: number;
  txWindowErrors: number;
  txHeartbeatErrors: number;
  /** Compressed packets received and sent (cslip, ppp; `compressed`, printed when not 0). */
  rxCompressed: number;
  txCompressed: number;
  /** Packets received that no protocol took (`nohandler`, printed by `ip -s -s` when not 0). */
  rxNohandler: number;
  /**
   * Packets received for another host's address, dropped (`otherhost`, printed by `ip -s -s`
   * when not 0; Linux 5.19). Undefined when the kernel does not send it.
   */
  rxOtherhostDropped?: number;
}

/**
 * IPv6's own counters of a link (IFLA_INET6_STATS), named as /proc/net/dev_snmp6/LINK names them
 * without their `Ip6` (RFC 4293's ipIfStatsTable: `inReceives`, `outRequests`, `inDiscards`,
 * `reasmOKs`, `inCEPkts`, ...); `outTransmits` only from Linux 6.7. `ip -6 -s addr show` prints
 * some of them in the link's RX/TX lines.
 */
export type Ipv6Stats = NativeIpv6Stats;

/**
 * ICMPv6's counters of a link (IFLA_INET6_ICMP6STATS), named as /proc/net/dev_snmp6/LINK names
 * them without their `Icmp6`: `inMsgs`, `inErrors`, `outMsgs`, `outErrors`, `inCsumErrors`, and
 * `outRateLimitHost` where the kernel counts it. The kernel sends no per-type counters
 * (`Icmp6InEchos` ...): those are only in that file.
 */
export type Icmp6Stats = NativeIcmp6Stats;

/** IF_LINK_MODE_*: how the link's operational state follows its carrier (`mode` of `ip link`). */
const LINK_MODES = ['default', 'dormant', 'testing'];
/** The numbers of the bits set in a protodown reason value, lowest first. */
function reasonNumbers(bits: number): number[] {
  const out: number[] = [];
  for (let bit = 0; bit < 32; bit++) if ((bits >>> bit) & 1) out.push(bit);
  return out;
}

/**
 * What `ip link show` and `ip -d link show` print of a link beyond {@link Link}'s own fields, as
 * last read ({@link Link.details}). The limits the kernel sends only from some version on are
 * undefined on kernels that do not send them, as ip then leaves them out.
 */
export interface LinkDetails {
  /** The queueing discipline (`qdisc noqueue`): 'noqueue', 'noop', 'fq_codel', ...; '' when none. */
  qdisc: string;
  /** The link-layer type (ARPHRD_*, `link/ether` is 1, `link/loopback` 772, `link/none` 65534). */
  hardwareType: number;
  /** The link-layer broadcast address (`brd ff:ff:ff:ff:ff:ff`), or a point-to-point link's peer; '' when none. */
  broadcast: string;
  /** IFLA_LINKMODE (`mode DEFAULT`): 'default', 'dormant' or 'testing', or the number. */
  mode: string;
  /** How many times promiscuous mode was asked for (`promiscuity 1`: a bridge port). */
  promiscuity: number;
  /** How many times all-multicast was asked for (`allmulti`; kernel 6.4). */
  allMulticastCount?: number;
  numTxQueues: number;
  numRxQueues: number;
  /** The largest GSO packet and segment count the stack builds for it (`gso_max_size`, `gso_max_segs`). */
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  /** The largest TSO packet and segment count its driver takes (`tso_max_size`, `tso_max_segs`; 5.19). */
  tsoMaxSize?: number;
  tsoMaxSegs?: number;
  /** The largest packet GRO builds (`gro_max_size`; 5.19). */
  groMaxSize?: number;
  /** How many times its carrier came up or went down (`ip -s -s link`'s `transns`). */
  carrierChanges?: number;
  /** How its IPv6 link-local address is made (`addrgenmode`): 'eui64', 'none', 'stable_secret', 'random'. */
  addrGenMode?: string;
  /** Held down by protodown (IFLA_PROTO_DOWN; `ip link` prints `protodown on`). */
  protoDown: boolean;
  /** The protodown reasons set, by number (IFLA_PROTO_DOWN_REASON; `protodown_reason <3,5>`), lowest first. */
  protoDownReasons: number[];
  /** Its master's kind when it is one's port (`bridge` for a bridge port, `ip -d link`'s `bridge_slave`). */
  portKind?: string;
}

/**
 * A network link (interface) in a namespace: a handle (namespace + index) plus the state last
 * read from the kernel. Methods that change the link update the fields they changed; call
 * {@link Link.refresh} to read everything again.
 *
 * Links come from {@link Namespace.links}, {@link Namespace.link}, {@link VethPair.create},
 * {@link Bridge.create}; they are not constructed directly.
 */
export class Link {
  /** The namespace the link lives in. */
  readonly namespace: Namespace;
  #info: NativeLink;

  /** Links come from {@link Namespace.link}, {@link Namespace.links} and the kinds' create(). */
  protected constructor(namespace: Namespace, info: NativeLink) {
    this.namespace = namespace;
    this.#info = info;
  }

  /** The interface index, unique within its namespace. */
  get index(): number {
    return this.#info.index;
  }
  get name(): string {
    return this.#info.name;
  }
  /** 'veth', 'bridge', 'vxlan', ...; undefined for links with no kind (lo, physical NICs). */
  get kind(): string | undefined {
    return this.#info.kind || undefined;
  }
  get mtu(): number {
    return this.#info.mtu;
  }
  /** The smallest and largest MTU the device accepts (0 when the kernel does not say). */
  get minMtu(): number {
    return this.#info.minMtu;
  }
  get maxMtu(): number {
    return this.#info.maxMtu;
  }
  /** The link-layer address: 'aa:bb:cc:dd:ee:ff'. */
  get mac(): string {
    return this.#info.address;
  }
  /** Administrative state: IFF_UP, what `up()` / `down()` set. */
  get isUp(): boolean {
    return (this.#info.flags & IFF_UP) !== 0;
  }
  /** Carrier present (IFF_LOWER_UP): for a veth, the peer is up too. */
  get hasCarrier(): boolean {
    return (this.#info.flags & IFF_LOWER_UP) !== 0;
  }
  /** RFC 2863 operational state: 'up', 'down', 'lowerlayerdown', 'unknown', ... */
  get operState(): string {
    return OPER_STATES[this.#info.operstate] ?? 'unknown';
  }
  /** The index of the bridge (or other master) this link is attached to. */
  get masterIndex(): number | undefined {
    return this.#info.master || undefined;
  }
  /**
   * The index of the link this one is tied to: a veth's peer. When the peer lives in another
   * namespace, the index is in that namespace (see {@link Link.parentNetnsId}).
   */
  get parentIndex(): number | undefined {
    return this.#info.link || undefined;
  }
  /** When {@link Link.parentIndex} is in another namespace: that namespace's id as seen here. */
  get parentNetnsId(): number | undefined {
    return this.#info.linkNetnsid;
  }
  /** IFF_* flags as the kernel reports them. */
  get flags(): number {
    return this.#info.flags;
  }
  /** Promiscuous mode as set on the link (`promisc on`, IFF_PROMISC); see {@link Link.set}. */
  get promisc(): boolean {
    return (this.#info.flags & IFF_PROMISC) !== 0;
  }
  /** Receives all multicast, as set on the link (`allmulticast on`, IFF_ALLMULTI). */
  get allMulticast(): boolean {
    return (this.#info.flags & IFF_ALLMULTI) !== 0;
  }
  /** Does multicast (IFF_MULTICAST; `multicast off` clears it). */
  get multicast(): boolean {
    return (this.#info.flags & IFF_MULTICAST) !== 0;
  }
  /** Resolves addresses with ARP / neighbour discovery: IFF_NOARP is not set (`arp off` sets it). */
  get arp(): boolean {
    return (this.#info.flags & IFF_NOARP) === 0;
  }
  /** Marked dynamic (IFF_DYNAMIC; `dynamic on` sets it). */
  get dynamic(): boolean {
    return (this.#info.flags & IFF_DYNAMIC) !== 0;
  }
  /** Trailers not refused: IFF_NOTRAILERS is not set (`trailers off` sets it). */
  get trailers(): boolean {
    return (this.#info.flags & IFF_NOTRAILERS) === 0;
  }
  /** The link's group (IFLA_GROUP): 0, the default group, unless set ({@link Link.set}). */
  get group(): number {
    return this.#info.group;
  }
  /** The transmit queue length in packets (`qlen`, IFLA_TXQLEN); see {@link Link.set}. */
  get txQueueLength(): number {
    return this.#info.txqlen;
  }
  /**
   * The link's settings as a bridge's port, as last read (`ip -d link show dev NAME`, its
   * `bridge_slave` part; `bridge -d link show dev NAME`); undefined when it is no bridge's port.
   * A link attached with port settings ({@link Link.setMaster} with `port`, `bridge.addPort(link,
   * settings)`) has them at once; one attached without, once read again ({@link Link.refresh}).
   * @example
   * ```ts
   * const port = await ns.link('veth0');
   * console.log(port.bridgePort?.hairpin, port.bridgePort?.state); // false 'forwarding'
   * ```
   */
  get bridgePort(): BridgePortInfo | undefined {
    return bridgePortInfo(this.#info);
  }
  /** The link's alias (`ip link set dev NAME alias TEXT`); undefined when it has none. */
  get alias(): string | undefined {
    return this.#info.alias || undefined;
  }
  /**
   * The link's alternative names as last read, in the kernel's order (`altname` lines of `ip
   * link show`); empty when it has none. {@link Namespace.link} finds the link by any of them.
   */
  get altNames(): string[] {
    return [...(this.#info.altNames ?? [])];
  }

  /**
   * What is particular to the link's kind, as last read, typed by the kind's class: a Vxlan's
   * `{ vni, port, learning, ... }`, a Macvlan's `{ mode }`, a Bridge's `{ stp, ... }`; field
   * names mirror the kind's create options. `ip -d link show dev NAME` shows the same.
   * Undefined for a link with no kind (lo, a physical NIC).
   * @example
   * ```ts
   * const vx = await ns.link('vxlan42');     // a Vxlan
   * console.log(vx.info.vni, vx.info.port);  // 42 4789
   * ```
   */
  get info(): LinkKindInfo | undefined {
    const kind = this.#info.kind;
    if (!kind) return undefined;
    const decode = kinds.get(kind)?.info;
    if (decode) return decode(this.#info);
    const { unknown: _unknown, ...named } = this.#info.info ?? {};
    return named;
  }

  /**
   * The link's traffic counters (IFLA_STATS64, `ip -s link show dev NAME`), as last read. Every
   * read of one link has them ({@link Namespace.link}, {@link Link.refresh}, the link a create
   * returns); {@link Namespace.links} reads them only when asked (`{ stats: true }`): gathering
   * them makes a dump of many links slower. Undefined when the last read did not include them.
   */
  get stats(): LinkStats | undefined {
    return this.#info.stats;
  }

  /**
   * IPv6's counters of the link (`/proc/net/dev_snmp6/NAME`), read when {@link Link.stats} is;
   * undefined when the last read did not include them or the link has no IPv6 (its MTU is below
   * 1280, or IPv6 is disabled on it).
   */
  get ipv6Stats(): Ipv6Stats | undefined {
    return this.#info.ipv6Stats;
  }

  /** ICMPv6's counters of the link, read and undefined as {@link Link.ipv6Stats}. */
  get icmp6Stats(): Icmp6Stats | undefined {
    return this.#info.icmp6Stats;
  }

  /**
   * What `ip link show` (qdisc, link type, broadcast, mode) and `ip -d link show` (promiscuity,
   * queues, GSO and GRO limits, addrgenmode) print beyond the other fields, as last read.
   * @example
   * ```ts
   * const { qdisc, mode, numTxQueues } = (await ns.link('veth0')).details; // 'noqueue' 'default' 1
   * ```
   */
  get details(): LinkDetails {
    const s = this.#info;
    const named = (names: string[], n: number): string => names[n] ?? String(n);
    return {
      qdisc: s.qdisc,
      hardwareType: s.type,
      broadcast: s.broadcast,
      mode: named(LINK_MODES, s.linkmode),
      promiscuity: s.promiscuity,
      ...(s.allmulti !== undefined && { allMulticastCount: s.allmulti }),
      numTxQueues: s.numTxQueues,
      numRxQueues: s.numRxQueues,
      ...(s.gsoMaxSize !== undefined && { gsoMaxSize: s.gsoMaxSize }),
      ...(s.gsoMaxSegs !== undefined && { gsoMaxSegs: s.gsoMaxSegs }),
      ...(s.tsoMaxSize !== undefined && { tsoMaxSize: s.tsoMaxSize }),
      ...(s.tsoMaxSegs !== undefined && { tsoMaxSegs: s.tsoMaxSegs }),
      ...(s.groMaxSize !== undefined && { groMaxSize: s.groMaxSize }),
      ...(s.carrierChanges !== undefined && { carrierChanges: s.carrierChanges }),
      ...(s.addrGenMode !== undefined && { addrGenMode: named([...ADDR_GEN_MODES], s.addrGenMode) }),
      protoDown: s.protoDown === 1,
      protoDownReasons: reasonNumbers(s.protoDownReason ?? 0),
      ...(s.slaveKind !== '' && { portKind: s.slaveKind }),
    };
  }

  /** @internal The raw state, for subclasses. */
  protected get state(): NativeLink {
    return this.#info;
  }

  /** ' "veth-a" in namespace "test1"' */
  private describe(): string {
    return `"${this.name}"${this.namespace.where}`;
  }

  /**
   * Reads the link's state again. `ip link show dev NAME`.
   * @throws NetnsError ENODEV if the link is gone (deleted, or moved to another namespace).
   */
  async refresh(): Promise<this> {
    const operation = `read link ${this.describe()}`;
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    this.#info = await request<NativeLink>(handle, { op: 'getlink', index: this.index, stats: 1 }, operation, 'link');
    return this;
  }

  /** `ip link set NAME up`. */
  up(): Promise<void> {
    return this.setFlags(IFF_UP, `bring up ${this.describe()}`);
  }

  /** `ip link set NAME down`. */
  down(): Promise<void> {
    return this.setFlags(0, `bring down ${this.describe()}`);
  }

  private setFlags(flags: number, operation: string): Promise<void> {
    const op: NativeOp = { op: 'newlink', link: { index: this.index, flags, change: IFF_UP } };
    return requestIn(this.namespace, op, operation, 'link').then(() => {
      this.#info.flags = (this.#info.flags & ~IFF_UP) | flags;
    });
  }

  /**
   * `ip link set NAME mtu MTU`.
   * @throws NetnsError EINVAL if the MTU is outside the device's range (the kernel says which
   *   bound), or not a positive integer.
   */
  setMtu(mtu: number): Promise<void> {
    let operation: string;
    try {
      operation = `set MTU of ${this.describe()} to ${String(mtu)}`;
      checkMtu(mtu, operation);
    } catch (e) {
      return Promise.reject(e); // an MTU whose String() throws: rejected, never thrown
    }
    return requestIn(this.namespace, { op: 'newlink', link: { index: this.index, mtu } }, operation, 'link').then(
      () => {
        this.#info.mtu = mtu;
      },
    );
  }

  /**
   * `ip link set NAME name NEWNAME`.
   * @throws NetnsError EEXIST if a link of that name exists; EINVAL for an invalid name.
   */
  async rename(name: string): Promise<void> {
    const operation = `rename ${this.describe()} to "${String(name)}"`;
    checkLinkName(name, operation, 'new name');
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    await request(handle, { op: 'newlink', link: { index: this.index, newName: name } }, operation, 'rename');
    this.#info.name = name;
  }

  /**
   * Gives the link an alternative name: `ip link property add dev NAME altname ALTNAME`. It may
   * be up to 127 bytes long (a link name: 15), and is unique in the namespace among link names
   * and alternative names; {@link Namespace.link} finds the link by it. Linux 5.5 or later.
   * @example
   * ```ts
   * await link.addAltName('uplink-to-the-storage-network');
   * (await ns.link('uplink-to-the-storage-network')).index === link.index; // true
   * ```
   * @throws NetnsError EINVAL for an invalid name (empty, over 127 bytes, '/', ':', '%' or
   *   whitespace, '.' or '..'); EEXIST if a link in the namespace has that name or alternative
   *   name (this one included); ENODEV if the link is gone; EOPNOTSUPP before Linux 5.5.
   */
  async addAltName(name: string): Promise<void> {
    const operation = `add alternative name "${String(name)}" to ${this.describe()}`;
    checkAltName(name, operation);
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    await request(handle, { op: 'newlinkprop', index: this.index, altName: name }, operation, 'altname');
    this.#info.altNames = [...(this.#info.altNames ?? []), name];
  }

  /**
   * Removes one of the link's alternative names: `ip link property del dev NAME altname ALTNAME`.
   * @throws NetnsError ENOENT if no link in the namespace has that name; EINVAL for an invalid
   *   name, or for the link's own name or a name of another link; ENODEV if the link is gone.
   */
  async deleteAltName(name: string): Promise<void> {
    const operation = `delete alternative name "${String(name)}" of ${this.describe()}`;
    checkAltName(name, operation);
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    await request(handle, { op: 'dellinkprop', index: this.index, altName: name }, operation, 'altname');
    const left = (this.#info.altNames ?? []).filter((n) => n !== name);
    this.#info.altNames = left.length > 0 ? left : undefined;
  }

  /**
   * `ip link set NAME address MAC`.
   * @throws NetnsError EINVAL for a malformed, multicast or all-zero MAC.
   */
  async setMac(mac: string): Promise<void> {
    const operation = `set MAC of ${this.describe()} to ${String(mac)}`;
    const address = parseMac(mac, operation);
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    await request(handle, { op: 'newlink', link: { index: this.index, address } }, operation, 'link');
    this.#info.address = address;
  }

  /**
   * Changes several of the link's settings at once, in one request: `ip link set dev NAME
   * txqueuelen 500 alias uplink promisc on ...`. Each setting left out stays as it is. The
   * properties of this Link are updated to match.
   *
   * The kernel applies the settings one after another (MAC, MTU, group, name, alias, then the
   * flags `up`, `promisc`, `allMulticast`, `multicast`, `arp`, `dynamic` and `trailers`
   * together, then `carrier`, `txQueueLength`, the GSO/GRO limits, `addrGenMode`,
   * `protoDownReasons` and `protoDown`), and when it refuses one it keeps those it applied before
   * (it checks the GSO/GRO limits and the address generation mode before it changes anything). So a refusal of a
   * call with several settings is followed by a read of the link: the error says which of the
   * settings the link has now and which it has not, and this Link's properties are what was read.
   * @example
   * ```ts
   * await link.set({ txQueueLength: 500, alias: 'uplink', promisc: true, arp: false, group: 7 });
   * await link.set({ alias: null }); // ip link set dev NAME alias ""
   * await link.set({ name: 'eth1', mtu: 9000, up: true }); // a link that is down
   * await link.set({ addrGenMode: 'none', gsoMaxSize: 32768, groMaxSize: 65536 });
   * await macvlan.set({ protoDownReasons: { 3: true }, protoDown: true }); // ip ... protodown_reason 3 on protodown on
   * ```
   * @throws NetnsError EINVAL for an unknown setting, none given, a value of the wrong type or
   *   range (checked before anything is sent), or an MTU outside the device's range (the kernel
   *   says which bound); EEXIST if a link has the new name; EBUSY to rename a link that is up
   *   (before Linux 6.2); ENODEV if the link is gone; EINVAL for `numTxQueues`/`numRxQueues`
   *   (fixed at creation), a GSO limit above the device's TSO limit, `addrGenMode:
   *   'stable_secret'` without a secret set; EOPNOTSUPP for `protoDown`/`protoDownReasons` or
   *   `carrier` on a kind whose driver lacks them (the message names the kind); EBUSY to turn
   *   protodown off while a reason is set; EAFNOSUPPORT for `addrGenMode` on a link without IPv6.
   */
  async set(settings: LinkSettings): Promise<void> {
    const described = describeSettings(settings);
    const operation =
      described === undefined ? `change settings of ${this.describe()}` : `set ${described} on ${this.describe()}`;
    const change = checkLinkSettings(settings, operation);
    const subject = change.has('name') ? 'rename' : 'link';
    const index = this.index;
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    const op: NativeOp = { op: 'newlink', link: { index, ...linkRequest(change) } };
    await batchThen(handle, [op], operation, subject, ([result]) => {
      if (!isFailure(result)) return undefined;
      const error = explainRefusal(fromNative(result, operation, subject), change, this.kind);
      if (change.size === 1) throw error;
      // Read back, before any call made after this one, what the kernel kept.
      return new FollowUp(async (send) => {
        const [read] = await send([{ op: 'getlink', index, stats: 1 }]).catch(() => []);
        if (read === undefined || isFailure(read)) throw error;
        this.#info = read as NativeLink;
        throw explainPartialChange(error, change, this.#info);
      });
    });
    applyLinkChange(this.#info, change);
  }

  /**
   * Moves the link to another namespace and returns it as seen there (its index may differ).
   * `ip link set NAME netns NS`. The kernel removes the link's addresses as it moves, and
   * brings it down. This object then no longer refers to a link.
   * @throws NetnsError EEXIST if a link of that name exists there; EINVAL for `lo`.
   */
  async moveTo(namespace: Namespace): Promise<Link> {
    const operation = `move ${this.describe()} to ${describeNamespace(namespace)}`;
    checkNamespaceArg(namespace, operation);
    if (namespace.inode === this.namespace.inode) return this.refresh();
    // One call on both namespaces' FIFOs, from the move to the read back there: a call made
    // after this one, on either, runs after both.
    const info = await exclusive([this.namespace, namespace], operation, 'move', async (send, handleOf) => {
      const moved = await send([{ op: 'newlink', link: { index: this.index, netns: handleOf(namespace) } }]);
      throwFirstFailure(moved, operation, 'move');
      const [read] = await send([{ op: 'getlink', name: this.name, stats: 1 }], namespace);
      if (isFailure(read)) throw fromNative(read, operation, 'link');
      return read as NativeLink;
    });
    return makeLink(namespace, info);
  }

  /**
   * Attaches the link to a bridge (or another master: a bond, a VRF). `ip link set NAME master
   * BRIDGE`. With `port`, also its settings as the bridge's port, in the same sendmsg: `ip link
   * set NAME master BRIDGE` then `ip link set NAME type bridge_slave ...`; all or none: when the
   * kernel refuses a setting, the link is detached again (put back where it was), and
   * {@link Link.bridgePort} (with the rest of the link's state) is read back in the same sendmsg.
   * Without `port`, only {@link Link.masterIndex} is updated: `bridgePort` is read by
   * {@link Link.refresh} (a read back with every attach would nearly double its time).
   * @example
   * ```ts
   * await veth.setMaster(br, { port: { hairpin: true, learning: false } });
   * console.log(veth.bridgePort?.hairpin); // true
   * ```
   * @throws NetnsError EINVAL if the master is in another namespace, `port` is given for a master
   *   that is no bridge, or a setting is bad (as {@link Link.setBridgePort}); ELOOP for a bridge
   *   as a port of itself or of a bridge below it; EOPNOTSUPP for a master that takes no ports,
   *   or a setting this kernel lacks; ENETDOWN, EBUSY for a `state` the port cannot take.
   */
  async setMaster(bridge: Link, options: SetMasterOptions = {}): Promise<void> {
    const operation = `attach ${this.describe()} to "${bridge instanceof Link ? bridge.name : String(bridge)}"`;
    if (!(bridge instanceof Link)) throw invalid(operation, 'the master must be a Link (a Bridge)');
    if (bridge.namespace.inode !== this.namespace.inode) {
      throw invalid(operation, `"${bridge.name}" is in another namespace; a port and its bridge must share one`);
    }
    if (bridge.index === this.index) throw invalid(operation, 'a link cannot be its own master');
    checkObject(options, operation, 'options');
    if (options.port !== undefined) {
      if (bridge.kind !== 'bridge') {
        throw invalid(
          operation,
          `port settings are a bridge's, and "${bridge.name}" is ${bridge.kind ? `a ${bridge.kind}` : 'no bridge'}`,
        );
      }
      const port = bridgePortRequest(options.port, operation, this);
      this.#info = await setBridgePort(this, port, operation, bridge);
      return;
    }
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    // No read back: in the same sendmsg it would cost no round trip, but the kernel's answer (the
    // whole link) nearly doubles the time of an attach (measured); bridgePort waits for refresh().
    try {
      await request(handle, { op: 'newlink', link: { index: this.index, master: bridge.index } }, operation, 'master');
    } catch (e) {
      // The kernel says only EOPNOTSUPP when the master is of a kind that takes no ports.
      if (e instanceof NetnsError && e.code === 'EOPNOTSUPP' && !PORT_MASTERS.has(bridge.kind ?? '')) {
        const what = bridge.kind === undefined ? `"${bridge.name}"` : `"${bridge.name}" (${bridge.kind})`;
        throw withReason(e, `${what} cannot take ports: only a bridge, bond, team or VRF can be a master`);
      }
      throw e;
    }
    // Settings read as another master's port are not this one's: unknown until read again.
    if (this.#info.master !== bridge.index) this.detached();
    this.#info.master = bridge.index;
  }

  /** Detaches the link from its bridge. `ip link set NAME nomaster`. */
  async noMaster(): Promise<void> {
    const operation = `detach ${this.describe()} from its master`;
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    await request(handle, { op: 'newlink', link: { index: this.index, master: 0 } }, operation, 'master');
    this.detached();
  }

  /** The state last read, after the link left its master: no master, no port settings. */
  private detached(): void {
    this.#info.master = 0;
    this.#info.slaveKind = '';
    delete this.#info.slaveInfo;
  }

  /**
   * @internal Detaches the link if `master` is its master now (Bridge.removePort): the check and
   * the detach are one call on the namespace's FIFO, so a call made after this one (attaching
   * the link again, to that bridge or another) cannot run between them and be undone.
   */
  async [kDetachFrom](master: Link, operation: string): Promise<void> {
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    await exclusive(handle, operation, 'link', async (send) => {
      const now = await send([{ op: 'getlink', index: this.index }]);
      throwFirstFailure(now, operation, 'link');
      if ((now[0] as NativeLink).master !== master.index) {
        throw invalid(operation, `"${this.name}" is not a port of this bridge`);
      }
      throwFirstFailure(await send([{ op: 'newlink', link: { index: this.index, master: 0 } }]), operation, 'master');
    });
    this.detached();
  }

  /**
   * Changes the link's settings as a bridge's port, several at once; those left out stay as
   * they are. `ip link set dev NAME type bridge_slave learning off hairpin on ...`, `bridge link
   * set dev NAME ...`. All or none: when the kernel refuses one, those it had applied are put
   * back. Afterwards {@link Link.bridgePort} (and the rest of the link's state) is read anew.
   * @example
   * ```ts
   * await br.addPort(veth);
   * await veth.setBridgePort({ learning: false, flood: false, isolated: true, cost: 10 });
   * ```
   * @throws NetnsError EOPNOTSUPP if the link is no bridge's port, or this kernel lacks a
   *   setting (named); ENETDOWN for `state` on a port that is down (or, other than 'disabled',
   *   has no carrier); EBUSY for `state` when the bridge runs the kernel's spanning tree;
   *   EINVAL for an unknown setting, none given, a value of the wrong type or range, a
   *   `backupPort` that is no other port of the same bridge, or `mab` without `locked` and
   *   `learning` (the kernel's reason); ENODEV for a `backupPort` that is gone.
   */
  async setBridgePort(settings: BridgePortSettings): Promise<void> {
    const operation = `change bridge port settings of ${this.describe()}`;
    const request = bridgePortRequest(settings, operation, this);
    this.#info = await setBridgePort(this, request, operation);
  }

  /**
   * `ip addr add CIDR dev NAME`. A bare address means /32 (IPv4) or /128 (IPv6). With `peer`,
   * `ip addr add ADDR peer PREFIX dev NAME`: a point-to-point address. With lifetimes,
   * `... valid_lft 100 preferred_lft 50`; with `replace`, `ip addr replace ...`.
   * @example await link.addAddress('198.18.0.1/24')
   * @example await link.addAddress('198.18.0.50', { peer: '198.18.0.51/32' })
   * @example await link.addAddress('fd00::5/64', { validLifetime: 300, preferredLifetime: 120, nodad: true })
   * @example await link.addAddress('fd00::5/64', { validLifetime: 300, replace: true }) // renew it
   * With `echo: true`, `ip -echo addr add ...`: resolves with the address as the kernel made it
   * and sent it back (its flags, such as `permanent` and IPv6's `tentative`, its lifetimes, its
   * scope). The kernel does not echo IPv6 addresses: those are read back in the same FIFO slot.
   * @example const made = await link.addAddress('fd00::5/64', { echo: true }) // made.flags: ['tentative', 'permanent']
   * @throws NetnsError EEXIST if the address is already there (without `replace`); EINVAL for a
   *   malformed CIDR or peer, a peer of the other family, a prefix length other than the
   *   peer's, or lifetimes out of range or preferred beyond valid.
   */
  addAddress(cidr: string, options: AddAddressOptions & { echo: true }): Promise<Address>;
  addAddress(cidr: string, options?: AddAddressOptions & { echo?: false }): Promise<void>;
  addAddress(cidr: string, options?: AddAddressOptions): Promise<Address | void>;
  addAddress(cidr: string, options: AddAddressOptions = {}): Promise<Address | void> {
    let operation: string;
    let op: NewAddrOp;
    try {
      const given = typeof options === 'object' && options !== null ? options : undefined;
      const verb = given?.replace === true ? 'replace' : 'add';
      operation = `${verb} address ${describeAddress(cidr, given?.peer as unknown)} ${verb === 'add' ? 'to' : 'on'} ${this.describe()}`;
      op = this.newAddressOp(cidr, options, operation);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!((op.flags ?? 0) & NLM_F_ECHO))
      return requestIn(this.namespace, op, operation, 'address') as Promise<unknown> as Promise<void>;
    return this.addAddressEchoed(op, operation);
  }

  /**
   * addAddress with `echo`: the address the kernel sent back. The kernel echoes IPv4 addresses
   * but not IPv6 ones (up to 6.18 at least: inet6_ifa_notify sends no copy to the sender), so
   * when none comes the link's addresses are read in the same FIFO slot (nothing made after the
   * add runs between) and the one added is taken from them.
   */
  private async addAddressEchoed(op: NewAddrOp, operation: string): Promise<Address> {
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    const req = op.address;
    return exclusive(handle, operation, 'address', async (send) => {
      const [echoed] = await send([op]);
      throwFirstFailure([echoed], operation, 'address');
      const made = (echoed as NativeAddress[] | undefined)?.[0];
      if (made !== undefined) return addressFromNative(made);
      const family = req.local.includes(':') ? AF_INET6 : AF_INET;
      const [listed] = await send([{ op: 'dumpaddrs', family, index: this.index }]);
      throwFirstFailure([listed], operation, 'address');
      const local = parseIpNumber(req.local)?.value;
      const found = (listed as NativeAddress[]).filter(
        (a) => a.prefixlen === req.prefixlen && parseIpNumber(a.local ?? (a.address as string))?.value === local,
      );
      if (found[0] === undefined) {
        throw failure('EPROTO', operation, 'the kernel took the address but neither sent it back nor lists it');
      }
      return addressFromNative(found[0]);
    });
  }

  /** addAddress's request, checked (throws EINVAL). */
  private newAddressOp(cidr: string, options: AddAddressOptions, operation: string): NewAddrOp {
    checkObject(options, operation, 'options');
    const echo = checkBoolean(options.echo, operation, 'echo') === true;
    const req = this.addressRequest(cidr, options.peer, operation);
    const ipv4 = req.local.includes('.');
    let flags = 0;
    if (checkBoolean(options.nodad, operation, 'nodad')) flags |= IFA_F_NODAD;
    if (checkBoolean(options.optimistic, operation, 'optimistic')) {
      // As mngtmpaddr: ip warns and drops it on IPv4. With nodad the kernel refuses it (EINVAL).
      if (ipv4)
        throw invalid(operation, 'optimistic is for IPv6 addresses only (optimistic duplicate address detection)');
      if (flags & IFA_F_NODAD) {
        throw invalid(
          operation,
          'optimistic and nodad exclude each other: optimistic shortens the duplicate address detection that nodad skips',
        );
      }
      flags |= IFA_F_OPTIMISTIC;
    }
    if (checkBoolean(options.noprefixroute, operation, 'noprefixroute')) flags |= IFA_F_NOPREFIXROUTE;
    if (checkBoolean(options.mngtmpaddr, operation, 'mngtmpaddr')) {
      // The kernel ignores it on IPv4 (ip warns and adds the address without it): refuse, do not drop.
      if (ipv4) throw invalid(operation, 'mngtmpaddr is for IPv6 addresses only (temporary addresses are IPv6)');
      flags |= IFA_F_MANAGETEMPADDR;
    }
    if (checkBoolean(options.home, operation, 'home')) {
      // As mngtmpaddr: ip warns and drops it on IPv4.
      if (ipv4) throw invalid(operation, 'home is for IPv6 addresses only (Mobile IPv6 home addresses)');
      flags |= IFA_F_HOMEADDRESS;
    }
    if (checkBoolean(options.autojoin, operation, 'autojoin')) {
      if (!isMulticast(req.local)) {
        throw invalid(operation, `autojoin joins a multicast group: ${req.local} is not a multicast address`);
      }
      flags |= IFA_F_MCAUTOJOIN;
    }
    if (flags !== 0) req.flags = flags;
    const replace = checkBoolean(options.replace, operation, 'replace') === true;
    if (options.metric !== undefined) req.metric = checkInteger(options.metric, operation, 'metric', 0, 0xffffffff);
    if (options.validLifetime !== undefined || options.preferredLifetime !== undefined) {
      const valid = lifetime(options.validLifetime, 1, operation, 'validLifetime');
      const preferred = lifetime(
        options.preferredLifetime === undefined ? options.validLifetime : options.preferredLifetime,
        0,
        operation,
        'preferredLifetime',
      );
      if (preferred > valid) {
        throw invalid(
          operation,
          `the preferred lifetime (${lifetimeText(preferred)}) is longer than the valid one (${lifetimeText(valid)}): an address is preferred for at most as long as it is valid`,
        );
      }
      // The kernel keeps no preferred lifetime for an IPv4 address valid forever (it lists it
      // as forever and never deprecates it); 0 still deprecates it at once.
      if (ipv4 && valid === FOREVER && preferred !== FOREVER && preferred !== 0) {
        throw invalid(
          operation,
          `an IPv4 address valid forever stays preferred forever (the kernel ignores a preferred lifetime of ${preferred} s on it): give a validLifetime too, or preferredLifetime 0 to deprecate it now`,
        );
      }
      req.validLft = valid;
      req.preferredLft = preferred;
    }
    if (options.broadcast !== undefined) {
      if (!ipv4) throw invalid(operation, 'a broadcast address is for IPv4 only');
      if (options.broadcast === true) {
        // As `brd +`: from the peer's prefix when there is one.
        const brd = broadcastOf(req.peer ?? req.local, req.prefixlen);
        if (brd !== undefined) req.broadcast = brd;
      } else {
        const brd = parseIp(options.broadcast, operation, 'broadcast address');
        if (brd.family !== 4) throw invalid(operation, `the broadcast address ${brd.address} is not IPv4`);
        req.broadcast = brd.address;
      }
    }
    if (options.label !== undefined) {
      // The kernel keeps labels for IPv4 only (IFA_LABEL is ignored for IPv6): refuse, do not drop.
      if (!ipv4) throw invalid(operation, 'a label is for IPv4 addresses only; IPv6 addresses have none');
      const label = options.label as unknown;
      if (
        typeof label !== 'string' ||
        !label.startsWith(this.name) ||
        Buffer.byteLength(label) > 15 ||
        label.includes('\0')
      ) {
        throw invalid(
          operation,
          `the label must start with "${this.name}", be at most 15 bytes and have no NUL byte, not ${describeValue(label)}`,
        );
      }
      req.label = label;
    }
    const nlFlags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL) | (echo ? NLM_F_ECHO : 0);
    return { op: 'newaddr', flags: nlFlags, address: req };
  }

  /**
   * `ip addr del CIDR dev NAME`; with `peer`, `ip addr del ADDR peer PREFIX dev NAME`. An
   * {@link Address} from {@link Link.addresses} deletes exactly itself, its peer included.
   * @example
   * ```ts
   * for (const a of await link.addresses()) if (a.peer) await link.deleteAddress(a);
   * await link.deleteAddress('198.18.0.50/32', { peer: '198.18.0.51/32' });
   * ```
   * With `echo: true`, `ip -echo addr del ...`: resolves with the address as the kernel removed
   * it and sent it back (its flags, lifetimes, scope, label). The kernel does not echo IPv6
   * addresses: those are read just before the delete, in the same FIFO slot.
   * @example const gone = await link.deleteAddress('198.18.0.50/24', { echo: true }) // gone.broadcast, gone.label, ...
   * @throws NetnsError EADDRNOTAVAIL if the link has no such address (an IPv4 address added with
   *   a peer is found only with that peer); EINVAL for a malformed CIDR or peer, or an Address of
   *   another link.
   */
  deleteAddress(address: string | Address, options: DeleteAddressOptions & { echo: true }): Promise<Address>;
  deleteAddress(address: string | Address, options?: DeleteAddressOptions & { echo?: false }): Promise<void>;
  deleteAddress(address: string | Address, options?: DeleteAddressOptions): Promise<Address | void>;
  deleteAddress(address: string | Address, options: DeleteAddressOptions = {}): Promise<Address | void> {
    let operation: string;
    let req: NativeAddressRequest;
    let echo: boolean;
    try {
      const listed = typeof address === 'object' && address !== null ? (address as Partial<Address>) : undefined;
      const given = typeof options === 'object' && options !== null ? (options.peer as unknown) : undefined;
      operation = `delete address ${
        listed ? describeAddress(listed.cidr, listed.peer) : describeAddress(address, given)
      } from ${this.describe()}`;
      checkObject(options, operation, 'options');
      echo = checkBoolean(options.echo, operation, 'echo') === true;
      if (listed === undefined) {
        req = this.addressRequest(address as string, options.peer, operation);
      } else {
        if (listed.linkIndex !== this.index) {
          throw invalid(
            operation,
            `that Address is not one of this link's (index ${this.index}) but ${
              typeof listed.linkIndex === 'number' ? `of link index ${listed.linkIndex}` : 'has no linkIndex'
            }; give one from this link's addresses(), or the CIDR (and { peer })`,
          );
        }
        if (options.peer !== undefined) {
          throw invalid(operation, 'an Address brings its own peer: give no peer option with one');
        }
        req = this.addressRequest(listed.cidr as string, listed.peer, operation);
      }
    } catch (e) {
      return Promise.reject(e);
    }
    const deleted = echo
      ? this.deleteAddressEchoed(req, operation)
      : (requestIn(
          this.namespace,
          { op: 'deladdr', address: req },
          operation,
          'address',
        ) as Promise<unknown> as Promise<void>);
    if (typeof address !== 'string' || address.includes('/')) return deleted;
    return deleted.catch((e: unknown) => this.withPrefixHint(e, req));
  }

  /**
   * deleteAddress with `echo`: the address the kernel sent back (the one of this address and
   * prefix: deleting a primary IPv4 address echoes the secondaries it takes along first). The
   * kernel echoes no IPv6 address (up to 6.18 at least: inet6_ifa_notify sends no copy to the
   * sender), so the link's IPv6 addresses are read in the same FIFO slot just before the delete.
   */
  private async deleteAddressEchoed(req: NativeAddressRequest, operation: string): Promise<Address> {
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    const local = parseIpNumber(req.local)?.value;
    const isIt = (a: NativeAddress): boolean =>
      a.prefixlen === req.prefixlen && parseIpNumber(a.local ?? (a.address as string))?.value === local;
    return exclusive(handle, operation, 'address', async (send) => {
      let before: NativeAddress | undefined;
      if (req.local.includes(':')) {
        const [listed] = await send([{ op: 'dumpaddrs', family: AF_INET6, index: this.index }]);
        throwFirstFailure([listed], operation, 'address');
        before = (listed as NativeAddress[]).find(isIt);
      }
      const [echoed] = await send([{ op: 'deladdr', address: req, flags: NLM_F_ECHO }]);
      throwFirstFailure([echoed], operation, 'address');
      const gone = (echoed as NativeAddress[] | undefined)?.find(isIt) ?? before;
      if (gone === undefined) {
        throw failure(
          'EPROTO',
          operation,
          'the kernel removed the address but neither sent it back nor listed it before',
        );
      }
      return addressFromNative(gone);
    });
  }

  /**
   * A bare address means one host (/32, /128), where `ip addr del ADDR` without a prefix
   * deletes it whatever its prefix (with a deprecation warning). Not guessing, but saying what
   * the link has, turns the bare EADDRNOTAVAIL into something to act on.
   */
  private async withPrefixHint(e: unknown, req: NativeAddressRequest): Promise<never> {
    if (!(e instanceof NetnsError) || e.code !== 'EADDRNOTAVAIL') throw e;
    let held: Address[];
    try {
      held = await this.addresses();
    } catch {
      throw e;
    }
    const same = held.filter((a) => a.address === req.local).map((a) => a.cidr);
    if (same.length === 0) throw e;
    throw withReason(
      e,
      `${e.reason}; a bare address means /${req.prefixlen}, and "${this.name}" has ${same.join(', ')}: give the prefix length`,
    );
  }

  /**
   * The request for an address (IFA_LOCAL and prefix length) and, for a point-to-point one, its
   * peer (IFA_ADDRESS), whose prefix length the address takes, as iproute2 does.
   */
  private addressRequest(cidr: string, peer: unknown, operation: string): NativeAddressRequest {
    const parsed = parseCidr(cidr, operation);
    const req: NativeAddressRequest = { local: parsed.address, prefixlen: parsed.prefixLength, index: this.index };
    if (peer === undefined) return req;
    const other = parseCidr(peer, operation, 'peer address');
    if (other.family !== parsed.family) {
      throw invalid(
        operation,
        `the peer ${peer as string} is IPv${other.family} but the address ${parsed.address} is IPv${parsed.family}; give a peer of the address's family`,
      );
    }
    if (cidr.includes('/') && parsed.prefixLength !== other.prefixLength) {
      throw invalid(
        operation,
        `with a peer, the prefix length is the peer's (/${other.prefixLength}), not /${parsed.prefixLength}: give the address bare ('${parsed.address}') or as '${parsed.address}/${other.prefixLength}', and the prefix with the peer`,
      );
    }
    req.peer = other.address;
    req.prefixlen = other.prefixLength;
    return req;
  }

  /**
   * Removes the link's addresses, as `ip addr flush dev NAME [scope S] [label P] [to PREFIX]`: see
   * {@link Namespace.flushAddresses}, of which this is the shortcut with `link` this link. IPv6
   * link-local ones go too unless `scope` is 'global'. Resolves with the addresses removed.
   * @example
   * ```ts
   * await link.flushAddresses();                       // ip addr flush dev NAME
   * await link.flushAddresses({ family: 4 });          // ip -4 addr flush dev NAME
   * ```
   * @throws NetnsError EINVAL for an unknown option or a bad family, scope, label or prefix (before
   *   anything is sent); ENODEV if the link is gone.
   */
  flushAddresses(options: LinkFlushAddressesOptions = {}): Promise<Address[]> {
    return flushAddresses(this.namespace, options, this);
  }

  /**
   * The link's IPv4 and IPv6 addresses. `ip addr show dev NAME`.
   * @example
   * ```ts
   * const addrs = await link.addresses({ signal: AbortSignal.timeout(1000) });
   * ```
   * @throws NetnsError ABORT_ERR (an AbortError) when `signal` aborted it; EINVAL for bad options.
   */
  async addresses(options: AbortOptions = {}): Promise<Address[]> {
    const operation = `list addresses of ${this.describe()}`;
    checkObject(options, operation, 'options');
    const signal = checkSignal(options.signal, operation);
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    const dump = request<NativeAddress[]>(handle, { op: 'dumpaddrs', index: this.index }, operation, 'address', signal);
    return (await abortable(dump, signal, operation)).map(addressFromNative);
  }

  /**
   * The multicast addresses the link listens on, `ip maddr show dev NAME`: see
   * {@link Namespace.multicastAddresses}.
   * @example
   * ```ts
   * await link.addMulticastAddress('01:00:5e:12:75:01');
   * (await link.multicastAddresses({ family: 'link' })).find((m) => m.static);
   * // { family: 'link', address: '01:00:5e:12:75:01', linkIndex: 3, users: 1, static: true }
   * ```
   * @throws NetnsError EINVAL for a family other than 'link', 4 or 6; ABORT_ERR when `signal`
   *   aborted it.
   */
  async multicastAddresses(options: MulticastAddressesOptions = {}): Promise<MulticastAddress[]> {
    return listMulticastAddresses(
      this.namespace,
      this.index,
      options,
      `list multicast addresses of ${this.describe()}`,
    );
  }

  /**
   * Adds a link-layer multicast address to the link's filter, `ip maddr add MAC dev NAME` (the
   * SIOCADDMULTI ioctl): frames sent to it are then received. Adding one already added from user
   * space changes nothing. It shows in {@link Link.multicastAddresses} with `static: true`.
   * @example
   * ```ts
   * await link.addMulticastAddress('01:00:5e:12:75:01');
   * ```
   * @throws NetnsError EINVAL for a MAC that is not a multicast one (the low bit of its first byte
   *   clear) or a link without a multicast filter (lo); ENODEV when the link is gone.
   */
  async addMulticastAddress(mac: string): Promise<void> {
    const operation = `add multicast address ${String(mac)} to ${this.describe()}`;
    await changeLinkMulticast(this.namespace, this.index, parseMulticastMac(mac, operation), true, operation);
  }

  /**
   * Removes a link-layer multicast address added from user space, `ip maddr del MAC dev NAME`
   * (SIOCDELMULTI). Those the kernel holds for joined groups stay.
   * @example
   * ```ts
   * await link.deleteMulticastAddress('01:00:5e:12:75:01');
   * ```
   * @throws NetnsError ENOENT when the address was not added from user space; EINVAL for a MAC
   *   that is not a multicast one or a link without a multicast filter; ENODEV when the link is gone.
   */
  async deleteMulticastAddress(mac: string): Promise<void> {
    const operation = `delete multicast address ${String(mac)} from ${this.describe()}`;
    await changeLinkMulticast(this.namespace, this.index, parseMulticastMac(mac, operation), false, operation);
  }

  /**
   * `ip link del NAME`. Deleting one end of a veth pair deletes both.
   * With `echo: true`, `ip -echo link del NAME`: resolves with the link as the kernel removed it
   * and sent it back: down by then (its qdisc `noop`), a veth's peer gone (`parentIndex` 0, ip's
   * `@NONE`). A Link of a link that no longer exists: its fields are all it is good for. Such a
   * delete goes alone, not in a group delete with others made at the same time.
   * @example const gone = await link.delete({ echo: true }) // gone.name, gone.mac, gone.mtu
   * @throws NetnsError ENODEV if it is already gone; EINVAL for bad options; EPROTO (with `echo`)
   *   if the kernel removed it but sent none back.
   */
  delete(options: LinkDeleteOptions & { echo: true }): Promise<Link>;
  delete(options?: LinkDeleteOptions & { echo?: false }): Promise<void>;
  delete(options?: LinkDeleteOptions): Promise<Link | void>;
  delete(options?: LinkDeleteOptions): Promise<Link | void> {
    const operation = `delete link ${this.describe()}`;
    if (options !== undefined) {
      let echo: boolean;
      try {
        echo =
          checkBoolean(checkOptionKeys<LinkDeleteOptions>(options, ['echo'], operation).echo, operation, 'echo') ===
          true;
      } catch (e) {
        return Promise.reject(e);
      }
      if (echo) return this.deleteEchoed(operation);
    }
    // Deletes made together on a namespace share one RCU wait in the kernel (a group delete).
    const del: DeleteKey = {
      index: this.index,
      group: this.group,
      kind: this.kind,
      tiedTo: this.parentNetnsId === undefined ? this.parentIndex : undefined,
    };
    const handle = this.namespace[kHandleNow]();
    if (handle !== undefined) return deleteLink(handle, del, operation, 'link-delete');
    return this.namespace[kHandle](operation).then((h) => deleteLink(h, del, operation, 'link-delete'));
  }

  /**
   * delete with `echo`: the link the kernel sent back, this one (a veth's peer, deleted with it,
   * is echoed too).
   */
  private async deleteEchoed(operation: string): Promise<Link> {
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    const op = { op: 'dellink', index: this.index, flags: NLM_F_ECHO } as const;
    const echoed = await request<NativeLink[]>(handle, op, operation, 'link-delete');
    return makeLink(
      this.namespace,
      echoedObject(echoed, operation, 'link', true, (l) => l.index === this.index),
    );
  }

  /**
   * The link's forwarding database entries: a VXLAN device's remotes, the MACs a bridge learned
   * on this port. `bridge fdb show dev NAME`.
   * @example
   * ```ts
   * for (const e of await vx.fdb()) console.log(e.mac, e.destination);
   * ```
   */
  async fdb(options: AbortOptions = {}): Promise<FdbEntry[]> {
    return listFdb(this, options);
  }

  /**
   * Adds a forwarding database entry: on a VXLAN device, where to send frames for a MAC
   * (`00:00:00:00:00:00`: every frame with no entry of its own, so each remote added this way
   * gets a copy of broadcasts: head-end replication). A MAC that has an entry gets one more
   * destination. `bridge fdb append MAC dev NAME dst IP [vni VNI] [port PORT]`; with `replace`,
   * `bridge fdb replace`.
   * @example
   * ```ts
   * await vx.addFdb({ mac: '00:00:00:00:00:00', destination: '198.18.100.2' });
   * ```
   * Appending a destination the entry has already changes nothing (and is no error).
   * @throws NetnsError EINVAL for a malformed MAC or address, a VNI beyond 2^24-1, port 0, a
   *   `via` link of another namespace (before any syscall); EOPNOTSUPP for a link kind without a
   *   forwarding database of its own.
   */
  async addFdb(entry: FdbSpec): Promise<void> {
    return addFdb(this, entry);
  }

  /**
   * Deletes a forwarding database entry (one destination of it, when `destination` is given).
   * `bridge fdb del MAC dev NAME [dst IP]`. As with `bridge fdb del`, a destination the entry
   * does not have is not an error to the kernel: nothing is deleted and the call succeeds.
   * @throws NetnsError ENOENT if the MAC has no entry; EINVAL for malformed input.
   */
  async deleteFdb(entry: FdbSpec): Promise<void> {
    return deleteFdb(this, entry);
  }

  /**
   * The state last read, as a plain object (what JSON.stringify and console.log show);
   * `altNames` only when the link has some.
   */
  toJSON(): Record<string, unknown> {
    return {
      index: this.index,
      name: this.name,
      kind: this.kind,
      mtu: this.mtu,
      mac: this.mac,
      isUp: this.isUp,
      operState: this.operState,
      masterIndex: this.masterIndex,
      namespace: this.namespace.name ?? String(this.namespace.inode),
      // As `ip -j link` lists "altnames": only for a link that has some.
      ...(this.altNames.length > 0 && { altNames: this.altNames }),
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}

/** '198.18.0.1/24', '198.18.0.50 peer 198.18.0.51/32': an address as `ip addr` writes it, for messages. */
function describeAddress(cidr: unknown, peer: unknown): string {
  const text = typeof cidr === 'string' ? cidr : describeValue(cidr);
  return peer === undefined ? text : `${text} peer ${typeof peer === 'string' ? peer : describeValue(peer)}`;
}

/** 'namespace "test1"', 'namespace [4026532290]'; for a value that is no Namespace, what it is. @internal */
export function describeNamespace(ns: Namespace | undefined): string {
  if (typeof ns !== 'object' || ns === null || typeof (ns as Partial<Namespace>).inode !== 'bigint') {
    return `${describeValue(ns)} (not a Namespace)`;
  }
  return ns.name !== undefined ? `namespace "${ns.name}"` : `namespace [${String(ns.inode)}]`;
}

/** @internal */
export function checkNamespaceArg(ns: unknown, operation: string): asserts ns is Namespace {
  if (typeof ns !== 'object' || ns === null || typeof (ns as Partial<Namespace>)[kHandle] !== 'function') {
    throw invalid(operation, 'expected a Namespace');
  }
}

/**
 * Deletes many links of one namespace with one RCU wait (see {@link Namespace.deleteLinks}).
 * Each link is put into one fresh link group (IFLA_GROUP, a random id in 0x80000000-0xffffffff),
 * then the group is deleted with one RTM_DELLINK. The kernel checks every link of the group
 * before deleting any, so either all go or none; on failure the links get their group back.
 * @internal
 */
export async function deleteLinks(ns: Namespace, links: Iterable<Link>): Promise<void> {
  const list = typeof links === 'object' && links !== null && Symbol.iterator in links ? [...links] : undefined;
  const operation = `delete ${list ? `${list.length} link${list.length === 1 ? '' : 's'}` : 'links'}${ns.where}`;
  if (list === undefined) throw invalid(operation, 'links must be an array (or iterable) of Link');
  const byIndex = new Map<number, Link>();
  for (const link of list) {
    if (!(link instanceof Link)) throw invalid(operation, 'every item must be a Link');
    if (link.namespace.inode !== ns.inode) throw invalid(operation, `link "${link.name}" is in another namespace`);
    byIndex.set(link.index, link);
  }
  if (byIndex.size === 0) return;
  const targets = [...byIndex.values()];
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const group = randomLinkGroup();
  // One call on the namespace's FIFO from the group changes to the group delete: a call made
  // after this one (a create of the same names) cannot run between them.
  await exclusive(handle, operation, 'link', async (send) => {
    const results = await send(targets.map((l) => ({ op: 'newlink', link: { index: l.index, group } })));
    const failedAt = results.findIndex(isFailure);
    if (failedAt >= 0) {
      await restoreGroups(
        send,
        targets.filter((_, i) => !isFailure(results[i])),
      );
      const e = fromNative(results[failedAt], operation, 'link');
      throw withReason(e, `"${(targets[failedAt] as Link).name}": ${e.reason}; nothing was deleted`);
    }
    const [deleted] = await send([{ op: 'dellinkgroup', group }]);
    if (isFailure(deleted)) {
      await restoreGroups(send, targets);
      const e = fromNative(deleted, operation, 'link-delete');
      throw withReason(e, `${e.reason}; nothing was deleted`);
    }
  });
}

/** Puts links back in the group they were in (as last read); best effort, after a failure. */
async function restoreGroups(send: (ops: NativeOp[]) => Promise<NativeResult[]>, links: Link[]): Promise<void> {
  if (links.length === 0) return;
  await send(links.map((l) => ({ op: 'newlink', link: { index: l.index, group: l.group } }))).catch(() => undefined);
}

/** What {@link createLink} makes. @internal */
export interface CreateLinkPlan {
  /** The request (name, kind, info, mtu, ...); `netns` is set here when needed. */
  link: NativeLinkRequest;
  /** Where the new link is to live. */
  namespace: Namespace;
  /**
   * Where the request is sent, when not there: the namespace of the link's parent (IFLA_LINK
   * and a VXLAN's device are indexes in the namespace that receives the request), which then
   * places the new link with IFLA_NET_NS_FD.
   */
  via?: Namespace;
  /** The parent, to say so when it is gone (ENODEV). */
  parent?: Link;
  operation: string;
  /** Aborts the creation (see {@link createAbortably}); checked by the caller. */
  signal?: AbortSignal | undefined;
}

/**
 * A creation that `signal` may abort: while its request is still queued, the request is
 * withdrawn and nothing is made; once it was sent, what it made is deleted again before the call
 * rejects with an AbortError, so an aborted create leaves nothing and the names are free again.
 * `make` passes the signal to its first request (the create), never to a cleanup.
 * @internal
 */
export function createAbortably<T extends { delete(): Promise<void> }>(
  signal: AbortSignal | undefined,
  operation: string,
  make: () => Promise<T>,
): Promise<T> {
  if (signal === undefined) return make();
  return abortable(make(), signal, operation, { undo: (made) => made.delete() });
}

/**
 * Creates a link and reads it back: one sendmsg when it is born where the request is sent;
 * otherwise the create there and a read in the new link's namespace (and a delete if that read
 * fails, so that nothing half-made is left).
 * @internal
 */
export function createLink(plan: CreateLinkPlan): Promise<Link> {
  return createAbortably(plan.signal, plan.operation, () => makeNewLink(plan));
}

async function makeNewLink(plan: CreateLinkPlan): Promise<Link> {
  const { link, namespace, operation, signal } = plan;
  const via = plan.via !== undefined && plan.via.inode !== namespace.inode ? plan.via : undefined;
  const name = link.name as string;
  // One call on the FIFOs of the namespaces it touches, from the create to the read back (and
  // the delete that undoes it): a call made after this one never sees a half-made link, nor
  // runs before the read back in the new link's namespace.
  const places = via ? [via, namespace] : [namespace];
  return exclusive(
    places,
    operation,
    'link-create',
    async (send, handleOf) => {
      const create: NativeOp = {
        op: 'newlink',
        flags: NLM_F_CREATE | NLM_F_EXCL,
        link: via ? { ...link, netns: handleOf(namespace) } : link,
      };
      const read: NativeOp = { op: 'getlink', name, stats: 1 };
      const results = await send(via ? [create] : [create, read]);
      const created = results[0];
      if (isFailure(created)) {
        const e = fromNative(created, operation, 'link-create');
        if (e.code === 'ENODEV' && plan.parent !== undefined && e.detail === undefined) {
          throw withReason(e, `the parent link "${plan.parent.name}" does not exist (any more)`);
        }
        throw e;
      }
      const info = via ? (await send([read], namespace).catch(() => undefined))?.[0] : results[1];
      if (info === undefined || isFailure(info)) {
        // Deleted or moved by someone else between the create and the read: leave nothing behind.
        await send([{ op: 'dellink', name }], namespace).catch(() => undefined);
        throw failure('ENODEV', operation, 'the new link was removed by someone else right after it was created');
      }
      return makeLink(namespace, info as NativeLink);
    },
    signal,
  );
}
