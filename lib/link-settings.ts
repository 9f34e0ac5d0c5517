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
import { IFF_ALLMULTI, IFF_MULTICAST, IFF_NOARP, IFF_PROMISC, IFF_UP } from './native/constants';
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
} as const;
type FlagSetting = keyof typeof FLAGS;

function isFlag(name: Setting): name is FlagSetting {
  return Object.prototype.hasOwnProperty.call(FLAGS, name);
}

/** The bit of a flag setting as it should be for `on`. */
function bitFor(name: FlagSetting, on: boolean): number {
  return on !== (name === 'arp') ? FLAGS[name].bit : 0;
}

/**
 * Every setting, in the order the kernel applies them (do_setlink: address, mtu, group, name,
 * alias, then the flags together, then txqueuelen). With iproute2's word for each.
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
  'txQueueLength',
];
const IP_WORDS: Record<Exclude<Setting, FlagSetting>, string> = {
  mac: 'address',
  mtu: 'mtu',
  group: 'group',
  name: 'name',
  alias: 'alias',
  txQueueLength: 'txqueuelen',
};

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
};

/** The settings given, checked, in the kernel's order; a cleared alias is ''. */
export type LinkChange = ReadonlyMap<Setting, string | number | boolean>;

/** One setting as `ip link set` writes it: 'mtu 1400', 'promisc on', 'alias "uplink"'. */
function word(name: Setting, value: unknown): string {
  if (isFlag(name)) return typeof value === 'boolean' ? FLAGS[name].ip(value) : `${name} ${describeValue(value)}`;
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
    const instead = Object.prototype.hasOwnProperty.call(INSTEAD, key) ? INSTEAD[key] : undefined;
    throw invalid(
      operation,
      `there is no link setting "${key}"` +
        (instead !== undefined ? ` (use ${instead})` : `; the settings are ${ORDER.join(', ')}`),
    );
  }
  const change = new Map<Setting, string | number | boolean>();
  for (const name of ORDER) {
    const value = given[name];
    if (value !== undefined) change.set(name, checkedValue(name, value, operation));
  }
  if (change.size === 0) throw invalid(operation, `give at least one setting to change (${ORDER.join(', ')})`);
  return change;
}

function checkedValue(name: Setting, value: unknown, operation: string): string | number | boolean {
  if (isFlag(name)) return checkBoolean(value, operation, name) as boolean;
  switch (name) {
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
    else link.alias = value as string;
  }
  if (mask !== 0) {
    link.flags = flags;
    link.change = mask;
  }
  return link;
}

/** Whether the link, as read, has a setting as asked. */
function holds(state: NativeLink, name: Setting, value: string | number | boolean): boolean {
  if (isFlag(name)) return (state.flags & FLAGS[name].bit) === bitFor(name, value as boolean);
  const read = {
    mac: state.address,
    mtu: state.mtu,
    group: state.group,
    name: state.name,
    alias: state.alias,
    txQueueLength: state.txqlen,
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
}

/**
 * The kernel's refusal of a change of several settings, saying which of them the link has now
 * (as read back after it): do_setlink applies them one after another and keeps those it applied
 * before the one it refused.
 */
export function explainPartialChange(e: NetnsError, change: LinkChange, after: NativeLink): NetnsError {
  const has: string[] = [];
  const not: string[] = [];
  for (const [name, value] of change) (holds(after, name, value) ? has : not).push(word(name, value));
  if (has.length === 0) return withReason(e, `${e.reason}; nothing was changed`);
  if (not.length === 0) return withReason(e, `${e.reason}; yet the link has every setting asked (read back)`);
  return withReason(
    e,
    `${e.reason}; the kernel applies the settings in turn and keeps those it applied before a refusal: ` +
      `the link now has ${has.join(', ')}, but not ${not.join(', ')} (read back)`,
  );
}
