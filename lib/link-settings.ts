/**
 * What `ip link set dev NAME ...` changes on any link, several settings in one RTM_NEWLINK
 * ({@link Link.set}): the settings checked and turned into the request, the state the link is
 * left in, and, when the kernel refused part-way, which of them the link has.
 */
import { invalid, withReason, type NetnsError } from './internal/errors';
import {
  checkAlias,
  checkBoolean,
  checkInteger,
  checkLinkName,
  checkMtu,
  describeValue,
  parseMac,
  quoteShort,
} from './internal/validate';
import {
  IFF_ALLMULTI,
  IFF_DYNAMIC,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_NOTRAILERS,
  IFF_PROMISC,
  IFF_UP,
} from './native/constants';
import { checkSizeLimit } from './link-create-limits';
import type { NativeLink, NativeLinkRequest } from './native/surface';

/**
 * What {@link Link.set} changes; each setting left out stays as it is. The names are those of
 * the Link's own properties where it has one (`mtu`, `name`, `mac`, `txQueueLength`, `alias`,
 * `group`, `promisc`, ...), else iproute2's (`ip link set dev NAME up promisc on ...`).
 */
export interface LinkSettings {
  /** `up` (true) or `down` (false): the administrative state (IFF_UP), as {@link Link.up}. */
  up?: boolean;
  /** `mtu MTU`, as {@link Link.setMtu}: an integer; the kernel enforces the device's range. */
  mtu?: number;
  /**
   * `name NEWNAME`, as {@link Link.rename}. The kernel renames before it changes flags; before
   * Linux 6.2 it refuses to rename a link that is up (EBUSY), so there `{ name, up: false }`
   * fails on a link that is up (bring it down first), while `{ name, up: true }` renames a link
   * that is down, then brings it up.
   */
  name?: string;
  /** `address MAC`, as {@link Link.setMac}: a unicast MAC, 'aa:bb:cc:dd:ee:ff'. */
  mac?: string;
  /**
   * `txqueuelen N`: the length of the transmit queue, in packets, 0 to 4294967295 (IFLA_TXQLEN).
   * On a link that is up the kernel stops its queues to resize them.
   */
  txQueueLength?: number;
  /**
   * `alias TEXT`: a description of the link, 1 to 254 bytes with no NUL (IFLA_IFALIAS,
   * /sys/class/net/NAME/ifalias); null (or '') clears it, as `alias ""` does.
   */
  alias?: string | null;
  /** `group N`: the link's group (IFLA_GROUP), 0 (the default group) to 4294967295. */
  group?: number;
  /** `promisc on|off`: receive every frame, whatever its destination MAC (IFF_PROMISC). */
  promisc?: boolean;
  /** `allmulticast on|off`: receive every multicast frame (IFF_ALLMULTI). */
  allMulticast?: boolean;
  /** `multicast on|off`: the link does multicast (IFF_MULTICAST, on by default for Ethernet). */
  multicast?: boolean;
  /** `arp on|off`: resolve addresses with ARP and neighbour discovery; off sets IFF_NOARP. */
  arp?: boolean;
  /** `dynamic on|off`: the link's address may change when it goes down (IFF_DYNAMIC), a mark only. */
  dynamic?: boolean;
  /** `trailers on|off`: off sets IFF_NOTRAILERS (a mark the kernel keeps and ignores). */
  trailers?: boolean;
  /**
   * `carrier on|off` (IFLA_CARRIER): only drivers that let their carrier be set take it
   * (tun/tap, dummy); others refuse with EOPNOTSUPP, and a tap that no program holds open
   * refuses `on` with EPERM.
   */
  carrier?: boolean;
  /** `gso_max_size BYTES`: the largest GSO packet the stack builds for it, at most {@link LinkDetails.tsoMaxSize}. */
  gsoMaxSize?: number;
  /** `gso_max_segs N`: the most segments of one GSO packet, 0 to 65535 and at most {@link LinkDetails.tsoMaxSegs}. */
  gsoMaxSegs?: number;
  /** `gro_max_size BYTES`: the largest packet GRO builds, 0 to 524280. */
  groMaxSize?: number;
  /**
   * `addrgenmode eui64|none|stable_secret|random`: how IPv6 makes the link's addresses from
   * now on (IFLA_INET6_ADDR_GEN_MODE; `none` makes no link-local address). `stable_secret`
   * needs net.ipv6.conf.NAME.stable_secret (or default's) set first; a link without IPv6 (MTU
   * below 1280) refuses any with EAFNOSUPPORT.
   */
  addrGenMode?: AddrGenMode;
  /**
   * `protodown on|off` (IFLA_PROTO_DOWN): hold the link down whatever its administrative state,
   * as a control-plane protocol asks. Only some drivers take it (macvlan and vxlan do; veth,
   * bridge, tun/tap and ifb refuse with EOPNOTSUPP); it cannot be turned off while a reason is set.
   */
  protoDown?: boolean;
  /**
   * `protodown_reason ID on|off`: sets (true) or clears (false) the protodown reasons named,
   * by number 0 to 31 (IFLA_PROTO_DOWN_REASON); those not named stay as they are.
   * `{ 3: true }` is `protodown_reason 3 on`.
   */
  protoDownReasons?: Readonly<Record<number, boolean>>;
}

/** IN6_ADDR_GEN_MODE_*, in their numbers' order. */
export const ADDR_GEN_MODES = ['eui64', 'none', 'stable_secret', 'random'] as const;
/** How IPv6 makes a link's addresses (`addrgenmode` of `ip link`). */
export type AddrGenMode = (typeof ADDR_GEN_MODES)[number];

/** Reason bits, checked: those under `mask` are set to `value`'s. */
interface ReasonBits {
  readonly mask: number;
  readonly value: number;
}

type Setting = keyof LinkSettings;

/** The on/off settings: the IFF_* bit each sets in ifi_flags (under ifi_change). */
const FLAGS = {
  up: { bit: IFF_UP, ip: (on: boolean) => (on ? 'up' : 'down') },
  promisc: { bit: IFF_PROMISC, ip: (on: boolean) => `promisc ${on ? 'on' : 'off'}` },
  allMulticast: { bit: IFF_ALLMULTI, ip: (on: boolean) => `allmulticast ${on ? 'on' : 'off'}` },
  multicast: { bit: IFF_MULTICAST, ip: (on: boolean) => `multicast ${on ? 'on' : 'off'}` },
  // arp on is IFF_NOARP cleared.
  arp: { bit: IFF_NOARP, ip: (on: boolean) => `arp ${on ? 'on' : 'off'}` },
  dynamic: { bit: IFF_DYNAMIC, ip: (on: boolean) => `dynamic ${on ? 'on' : 'off'}` },
  // trailers on is IFF_NOTRAILERS cleared.
  trailers: { bit: IFF_NOTRAILERS, ip: (on: boolean) => `trailers ${on ? 'on' : 'off'}` },
} as const;
type FlagSetting = keyof typeof FLAGS;

function isFlag(name: Setting): name is FlagSetting {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}

/** The bit of a flag setting as it should be for `on`. */
function bitFor(name: FlagSetting, on: boolean): number {
  return on !== (name === 'arp' || name === 'trailers') ? FLAGS[name].bit : 0;
}

/**
 * Every setting, in the order the kernel applies them (do_setlink: address, mtu, group, name,
 * alias, then the flags together, carrier, txqueuelen, the GSO/GRO limits, IFLA_AF_SPEC, then
 * the protodown reasons and protodown). With iproute2's word for each. The kernel checks the
 * GSO/GRO limits and the address generation mode before it changes anything.
 */
const ORDER: readonly Setting[] = [
  'mac',
  'mtu',
  'group',
  'name',
  'alias',
  'up',
  'promisc',
  'allMulticast',
  'multicast',
  'arp',
  'dynamic',
  'trailers',
  'carrier',
  'txQueueLength',
  'gsoMaxSize',
  'gsoMaxSegs',
  'groMaxSize',
  'addrGenMode',
  'protoDownReasons',
  'protoDown',
];
const IP_WORDS: Record<Exclude<Setting, FlagSetting>, string> = {
  mac: 'address',
  mtu: 'mtu',
  group: 'group',
  name: 'name',
  alias: 'alias',
  txQueueLength: 'txqueuelen',
  carrier: 'carrier',
  gsoMaxSize: 'gso_max_size',
  gsoMaxSegs: 'gso_max_segs',
  groMaxSize: 'gro_max_size',
  addrGenMode: 'addrgenmode',
  protoDown: 'protodown',
  protoDownReasons: 'protodown_reason',
};

/** Protodown reasons are the bits of a u32. */
const REASONS = 32;

/** Names users reach for (iproute2's, or another method's), and what to write instead. */
const INSTEAD: Readonly<Record<string, string>> = {
  txqueuelen: 'txQueueLength',
  txqlen: 'txQueueLength',
  qlen: 'txQueueLength',
  allmulticast: 'allMulticast',
  allmulti: 'allMulticast',
  address: 'mac',
  noarp: 'arp: false',
  master: 'link.setMaster(bridge)',
  nomaster: 'link.noMaster()',
  netns: 'link.moveTo(namespace)',
  addrgenmode: 'addrGenMode',
  protodown: 'protoDown',
  protodown_reason: 'protoDownReasons',
  protoDownReason: 'protoDownReasons',
  gso_max_size: 'gsoMaxSize',
  gso_max_segs: 'gsoMaxSegs',
  gro_max_size: 'groMaxSize',
  notrailers: 'trailers: false',
};

/** Settings that exist only when a link is created, and why link.set refuses them. */
const AT_CREATION: Readonly<Record<string, string>> = {
  numTxQueues: 'numTxQueues',
  numtxqueues: 'numTxQueues',
  numRxQueues: 'numRxQueues',
  numrxqueues: 'numRxQueues',
};

/** A setting's value, checked. */
type Checked = string | number | boolean | ReasonBits;

/** The settings given, checked, in the kernel's order; a cleared alias is ''. */
export type LinkChange = ReadonlyMap<Setting, Checked>;

const onOff = (on: boolean): string => (on ? 'on' : 'off');

/** `protodown_reason 3 on, protodown_reason 5 off`, from the reasons as given or as checked. */
function reasonWords(value: unknown): string {
  if (isReasonBits(value)) {
    const words: string[] = [];
    for (let bit = 0; bit < REASONS; bit++) {
      if ((value.mask >>> bit) & 1) words.push(`protodown_reason ${bit} ${onOff(((value.value >>> bit) & 1) === 1)}`);
    }
    return words.join(', ');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `protodown_reason ${describeValue(value)}`;
  }
  return Object.entries(value)
    .map(([id, on]) => `protodown_reason ${id} ${typeof on === 'boolean' ? onOff(on) : describeValue(on)}`)
    .join(', ');
}

function isReasonBits(value: unknown): value is ReasonBits {
  return typeof value === 'object' && value !== null && 'mask' in value && Object.keys(value).length === 2;
}

/** One setting as `ip link set` writes it: 'mtu 1400', 'promisc on', 'alias "uplink"'. */
function word(name: Setting, value: unknown): string {
  if (isFlag(name)) return typeof value === 'boolean' ? FLAGS[name].ip(value) : `${name} ${describeValue(value)}`;
  if (name === 'protoDownReasons') return reasonWords(value);
  if ((name === 'carrier' || name === 'protoDown') && typeof value === 'boolean')
    return `${IP_WORDS[name]} ${onOff(value)}`;
  if (name === 'addrGenMode' && typeof value === 'string') return `addrgenmode ${value}`;
  if (name === 'alias' && (value === null || value === '')) return 'alias ""';
  const text = typeof value === 'string' && name !== 'mac' ? quoteShort(value) : describeValue(value);
  return `${IP_WORDS[name]} ${name === 'mac' && typeof value === 'string' ? value : text}`;
}

/**
 * 'mtu 1400, name "vb", promisc on': the settings as the operation names them, for any value
 * (checked or not); undefined when there is no setting to name.
 */
export function describeSettings(settings: unknown): string | undefined {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return undefined;
  const given = settings as Record<string, unknown>;
  const words = ORDER.filter((n) => given[n] !== undefined).map((n) => word(n, given[n]));
  return words.length > 0 ? words.join(', ') : undefined;
}

/**
 * The settings, checked before anything is sent: an object of known settings, at least one
 * given, each of its type and range. Throws EINVAL saying what is wrong.
 */
export function checkLinkSettings(settings: unknown, operation: string): LinkChange {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw invalid(operation, `the settings must be an object, not ${describeValue(settings)}`);
  }
  const given = settings as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if ((ORDER as readonly string[]).includes(key)) continue;
    if (Object.prototype.hasOwnProperty.call(AT_CREATION, key)) {
      throw invalid(
        operation,
        `${AT_CREATION[key]} cannot be changed on a link that exists: the kernel sets the number of ` +
          `queues only when it creates the link (and ignores it after, which is what ip's ` +
          `numtxqueues/numrxqueues on link set do); give it to the kind's create()`,
      );
    }
    const instead = Object.prototype.hasOwnProperty.call(INSTEAD, key) ? INSTEAD[key] : undefined;
    throw invalid(
      operation,
      `there is no link setting "${key}"` +
        (instead !== undefined ? ` (use ${instead})` : `; the settings are ${ORDER.join(', ')}`),
    );
  }
  const change = new Map<Setting, Checked>();
  for (const name of ORDER) {
    const value = given[name];
    if (value !== undefined) change.set(name, checkedValue(name, value, operation));
  }
  if (change.size === 0) throw invalid(operation, `give at least one setting to change (${ORDER.join(', ')})`);
  return change;
}

function checkedValue(name: Setting, value: unknown, operation: string): Checked {
  if (isFlag(name)) return checkBoolean(value, operation, name) as boolean;
  switch (name) {
    case 'carrier':
    case 'protoDown':
      return checkBoolean(value, operation, name) as boolean;
    case 'gsoMaxSize':
    case 'gsoMaxSegs':
    case 'groMaxSize':
      return checkSizeLimit(name, value, operation);
    case 'addrGenMode':
      if (typeof value === 'string' && (ADDR_GEN_MODES as readonly string[]).includes(value)) return value;
      throw invalid(operation, `addrGenMode must be one of ${ADDR_GEN_MODES.join(', ')}, not ${describeValue(value)}`);
    case 'protoDownReasons':
      return checkReasons(value, operation);
    case 'mtu':
      return checkMtu(value, operation);
    case 'name':
      return checkLinkName(value, operation, 'new name');
    case 'mac':
      return parseMac(value, operation);
    case 'txQueueLength':
      return checkInteger(value, operation, 'txQueueLength', 0, 0xffffffff);
    case 'group':
      return checkInteger(value, operation, 'group', 0, 0xffffffff);
    default:
      return checkAliasSetting(value, operation);
  }
}

/** `{ 3: true, 5: false }`: reasons 0 to 31, each true or false, at least one. */
function checkReasons(value: unknown, operation: string): ReasonBits {
  const shape = 'protoDownReasons must be an object of reason numbers (0 to 31) to true or false, as { 3: true }';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(operation, `${shape}, not ${describeValue(value)}`);
  }
  let mask = 0;
  let bits = 0;
  const entries = Object.entries(value);
  if (entries.length === 0) throw invalid(operation, `${shape}, not an empty object`);
  for (const [id, on] of entries) {
    const bit = /^(0|[1-9][0-9]?)$/.test(id) ? Number(id) : NaN;
    if (!(bit < REASONS))
      throw invalid(operation, `there is no protodown reason ${JSON.stringify(id)}: reasons are 0 to 31`);
    if (typeof on !== 'boolean') {
      throw invalid(operation, `protodown reason ${id} must be set true or false, not ${describeValue(on)}`);
    }
    mask |= 1 << bit;
    if (on) bits |= 1 << bit;
  }
  return { mask: mask >>> 0, value: bits >>> 0 };
}

/** An alias to set: 1-254 bytes with no NUL, or null / '' to clear it (''). */
function checkAliasSetting(value: unknown, operation: string): string {
  if (value === null || value === '') return '';
  if (typeof value !== 'string') {
    throw invalid(operation, `the alias must be a string, or null to clear it, not ${describeValue(value)}`);
  }
  return checkAlias(value, operation);
}

/** The RTM_NEWLINK fields of a change (all but the index): one request for all of it. */
export function linkRequest(change: LinkChange): NativeLinkRequest {
  const link: NativeLinkRequest = {};
  let flags = 0;
  let mask = 0;
  for (const [name, value] of change) {
    if (isFlag(name)) {
      flags |= bitFor(name, value as boolean);
      mask |= FLAGS[name].bit;
    } else if (name === 'mtu') link.mtu = value as number;
    else if (name === 'name') link.newName = value as string;
    else if (name === 'mac') link.address = value as string;
    else if (name === 'txQueueLength') link.txqlen = value as number;
    else if (name === 'group') link.group = value as number;
    else if (name === 'carrier') link.carrier = value ? 1 : 0;
    else if (name === 'gsoMaxSize') link.gsoMaxSize = value as number;
    else if (name === 'gsoMaxSegs') link.gsoMaxSegs = value as number;
    else if (name === 'groMaxSize') link.groMaxSize = value as number;
    else if (name === 'addrGenMode') link.addrGenMode = ADDR_GEN_MODES.indexOf(value as AddrGenMode);
    else if (name === 'protoDown') link.protoDown = value ? 1 : 0;
    else if (name === 'protoDownReasons') {
      link.protoDownReasonMask = (value as ReasonBits).mask;
      link.protoDownReasonValue = (value as ReasonBits).value;
    } else link.alias = value as string;
  }
  if (mask !== 0) {
    link.flags = flags;
    link.change = mask;
  }
  return link;
}

/** Whether the link, as read, has a setting as asked. */
function holds(state: NativeLink, name: Setting, value: Checked): boolean {
  if (isFlag(name)) return (state.flags & FLAGS[name].bit) === bitFor(name, value as boolean);
  if (name === 'protoDownReasons') {
    const { mask, value: bits } = value as ReasonBits;
    return ((state.protoDownReason ?? 0) & mask) >>> 0 === bits;
  }
  if (name === 'carrier' || name === 'protoDown')
    return (name === 'carrier' ? state.carrier : state.protoDown) === (value ? 1 : 0);
  if (name === 'addrGenMode') return state.addrGenMode === ADDR_GEN_MODES.indexOf(value as AddrGenMode);
  const read = {
    mac: state.address,
    mtu: state.mtu,
    group: state.group,
    name: state.name,
    alias: state.alias,
    txQueueLength: state.txqlen,
    gsoMaxSize: state.gsoMaxSize,
    gsoMaxSegs: state.gsoMaxSegs,
    groMaxSize: state.groMaxSize,
  }[name];
  return read === value;
}

/** The state last read, after the kernel accepted the whole change. */
export function applyLinkChange(state: NativeLink, change: LinkChange): void {
  const link = linkRequest(change);
  if (link.change !== undefined) state.flags = (state.flags & ~link.change) | (link.flags as number);
  if (link.mtu !== undefined) state.mtu = link.mtu;
  if (link.newName !== undefined) state.name = link.newName;
  if (link.address !== undefined) state.address = link.address;
  if (link.txqlen !== undefined) state.txqlen = link.txqlen;
  if (link.group !== undefined) state.group = link.group;
  if (link.alias !== undefined) state.alias = link.alias;
  if (link.gsoMaxSize !== undefined) state.gsoMaxSize = link.gsoMaxSize;
  if (link.gsoMaxSegs !== undefined) state.gsoMaxSegs = link.gsoMaxSegs;
  if (link.groMaxSize !== undefined) state.groMaxSize = link.groMaxSize;
  if (link.addrGenMode !== undefined) state.addrGenMode = link.addrGenMode;
  if (link.protoDown !== undefined) state.protoDown = link.protoDown;
  if (link.protoDownReasonMask !== undefined) {
    const reasons =
      (((state.protoDownReason ?? 0) & ~link.protoDownReasonMask) | (link.protoDownReasonValue ?? 0)) >>> 0;
    if (reasons === 0) delete state.protoDownReason;
    else state.protoDownReason = reasons;
  }
  // The carrier's effect (operstate, LOWER_UP) follows asynchronously: read it with refresh().
  if (link.carrier !== undefined) state.carrier = link.carrier;
}

/** The setting a refusal is known to be about (from explainRefusal's cases), if any. */
function refusedSetting(e: NetnsError, change: LinkChange): Setting | undefined {
  if (e.code === 'EOPNOTSUPP' && /protodown/i.test(e.detail ?? '')) {
    return change.has('protoDownReasons') ? 'protoDownReasons' : 'protoDown';
  }
  if ((e.code === 'EOPNOTSUPP' || e.code === 'EPERM') && change.has('carrier')) return 'carrier';
  return undefined;
}

/**
 * The kernel's refusal of a setting this module knows more about than the kernel says: which
 * drivers take protodown and carrier, what stable_secret and a link without IPv6 need.
 */
export function explainRefusal(e: NetnsError, change: LinkChange, kind: string | undefined): NetnsError {
  const what = kind === undefined ? 'this link' : `a ${kind} link`;
  const asked = (name: Setting): boolean => change.has(name);
  if (
    e.code === 'EOPNOTSUPP' &&
    (asked('protoDown') || asked('protoDownReasons')) &&
    /protodown/i.test(e.detail ?? '')
  ) {
    return withReason(
      e,
      `${what} cannot be held down by protodown: its driver does not support it ` +
        `(macvlan and vxlan links do; veth, bridge, tun/tap and ifb links do not)`,
    );
  }
  if (e.code === 'EOPNOTSUPP' && asked('carrier')) {
    return withReason(
      e,
      `${what} does not let its carrier be set: its driver does not support it ` +
        `(tun/tap and dummy links do; veth, bridge, macvlan, vxlan and ifb links do not)`,
    );
  }
  if (e.code === 'EPERM' && change.get('carrier') === true && kind === 'tun') {
    return withReason(
      e,
      `a tap or tun link's carrier can be turned on only while a program holds it open (it has no queue)`,
    );
  }
  if (e.code === 'EBUSY' && change.get('protoDown') === false) {
    return withReason(
      e,
      `protodown cannot be turned off while a protodown reason is set: clear the reasons in the same call (protoDownReasons)`,
    );
  }
  if (e.code === 'EINVAL' && change.get('addrGenMode') === 'stable_secret' && e.detail === undefined) {
    return withReason(
      e,
      `addrgenmode stable_secret needs a secret first: set net.ipv6.conf.<link>.stable_secret (or net.ipv6.conf.default.stable_secret)`,
    );
  }
  if (e.code === 'EAFNOSUPPORT' && asked('addrGenMode')) {
    return withReason(
      e,
      `${what} has no IPv6 (its MTU is below 1280, or IPv6 is disabled on it), so no address generation mode`,
    );
  }
  return e;
}

/**
 * The kernel's refusal of a change of several settings, saying which of them the link has now
 * (as read back after it): do_setlink applies them one after another and keeps those it applied
 * before the one it refused.
 */
export function explainPartialChange(e: NetnsError, change: LinkChange, after: NativeLink): NetnsError {
  const has: string[] = [];
  const not: string[] = [];
  // A carrier refused may read as asked all the same (a veth that is down has none): the
  // refusal, not the read, says it was not set.
  const refused = refusedSetting(e, change);
  for (const [name, value] of change) {
    (name !== refused && holds(after, name, value) ? has : not).push(word(name, value));
  }
  if (has.length === 0) return withReason(e, `${e.reason}; nothing was changed`);
  if (not.length === 0) return withReason(e, `${e.reason}; yet the link has every setting asked (read back)`);
  return withReason(
    e,
    `${e.reason}; the kernel applies the settings in turn and keeps those it applied before a refusal: ` +
      `the link now has ${has.join(', ')}, but not ${not.join(', ')} (read back)`,
  );
}
