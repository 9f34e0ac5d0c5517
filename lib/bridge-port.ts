/**
 * A bridge port's own settings: what `ip link set dev PORT type bridge_slave ...` and `bridge
 * link set dev PORT ...` change, and `ip -d link show` / `bridge -d link show` list. On the
 * wire, the IFLA_BRPORT_* attributes of IFLA_INFO_SLAVE_DATA (native/rtnl/link/bridge.cc).
 */
import { failure, fromNative, invalid, withReason, NetnsError } from './internal/errors';
import { exclusive } from './internal/dispatch';
import { kHandle, kHandleNow } from './internal/symbols';
import { checkInteger, describeValue } from './internal/validate';
import { isFailure } from './native/wire';
import { IFF_LOWER_UP, IFF_UP } from './native/constants';
import type { NativeKindInfo, NativeLink, NativeOp, NativeResult } from './native/surface';
import type { Link } from './link';

/** A port's spanning tree state (BR_STATE_*, `state` of `bridge link`). */
export type BridgePortState = 'disabled' | 'listening' | 'learning' | 'forwarding' | 'blocking';

/** BR_STATE_DISABLED (0) to BR_STATE_BLOCKING (4). */
const STATES: readonly BridgePortState[] = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

/**
 * What {@link Link.setBridgePort} changes; each setting left out stays as it is. The names are
 * iproute2's (`ip link set dev PORT type bridge_slave NAME on|off`), in camelCase.
 */
export interface BridgePortSettings {
  /** Learn the source MAC addresses of frames received on the port (`learning`). Default on. */
  learning?: boolean;
  /** Send unicast frames for unknown destinations out of this port too (`flood`). Default on. */
  flood?: boolean;
  /** Send multicast frames with no known listener out of this port (`mcast_flood`). Default on. */
  mcastFlood?: boolean;
  /** Send broadcast frames out of this port (`bcast_flood`, Linux 4.12). Default on. */
  bcastFlood?: boolean;
  /** Send frames back out of the port they came in by (`hairpin`, reflective relay). Default off. */
  hairpin?: boolean;
  /** BPDU guard: a spanning tree BPDU received on the port disables it (`guard`). Default off. */
  guard?: boolean;
  /** Root port protection: the port never becomes the root port (`root_block`). Default off. */
  rootBlock?: boolean;
  /** IGMP/MLD fast leave: a leave message stops the group's traffic at once (`fastleave`). */
  fastLeave?: boolean;
  /** Answer ARP requests from the bridge's neighbour table instead of flooding them (`proxy_arp`). */
  proxyArp?: boolean;
  /** Proxy ARP for Wi-Fi (IEEE 802.11 rules, `proxy_arp_wifi`). */
  proxyArpWifi?: boolean;
  /**
   * Isolate the port: it exchanges frames only with ports that are not isolated (`isolated`,
   * Linux 4.18). Default off.
   */
  isolated?: boolean;
  /**
   * Answer ARP and IPv6 neighbour solicitations from the bridge's neighbour table and do not
   * flood them (`neigh_suppress`, Linux 4.15). Default off.
   */
  neighSuppress?: boolean;
  /** Send multicast out of this port as unicast, one copy per listener (`mcast_to_unicast`). */
  mcastToUnicast?: boolean;
  /**
   * Locked: frames from a MAC address with no fdb entry on this port are dropped (`locked`,
   * Linux 5.18; 802.1X). Default off.
   */
  locked?: boolean;
  /** The port's spanning tree path cost (`cost`), 1-65535. Default from the link's speed. */
  cost?: number;
  /** The port's spanning tree priority (`priority`), 0-63. Default 32. */
  priority?: number;
  /**
   * The port's spanning tree state (`state`), set by hand: only when the bridge runs no
   * spanning tree of its own (stp off), and only while the port is up, and, other than
   * 'disabled', has carrier.
   */
  state?: BridgePortState;
}

/**
 * A port's settings as read back (`ip -d link show dev PORT`: `bridge_slave ...`), named as
 * {@link BridgePortSettings}. A setting this kernel does not have is absent.
 */
export type BridgePortInfo = Required<
  Omit<BridgePortSettings, 'bcastFlood' | 'neighSuppress' | 'isolated' | 'locked'>
> &
  Pick<BridgePortSettings, 'bcastFlood' | 'neighSuppress' | 'isolated' | 'locked'>;

type Setting = keyof BridgePortSettings;

/**
 * Each setting: its name on the addon's surface (native/rtnl/link/bridge.cc), iproute2's name,
 * and the first Linux with it when that is newer than the oldest netns-native runs on (4.11).
 * In the kernel's order (br_setport): flags, then cost, priority, state.
 */
const SETTINGS: Record<Setting, { native: string; ip: string; since?: string }> = {
  hairpin: { native: 'hairpin', ip: 'hairpin' },
  guard: { native: 'guard', ip: 'guard' },
  rootBlock: { native: 'rootBlock', ip: 'root_block' },
  fastLeave: { native: 'fastLeave', ip: 'fastleave' },
  learning: { native: 'learning', ip: 'learning' },
  flood: { native: 'unicastFlood', ip: 'flood' },
  proxyArp: { native: 'proxyArp', ip: 'proxy_arp' },
  proxyArpWifi: { native: 'proxyArpWifi', ip: 'proxy_arp_wifi' },
  mcastFlood: { native: 'mcastFlood', ip: 'mcast_flood' },
  mcastToUnicast: { native: 'mcastToUnicast', ip: 'mcast_to_unicast' },
  bcastFlood: { native: 'bcastFlood', ip: 'bcast_flood', since: '4.12' },
  neighSuppress: { native: 'neighSuppress', ip: 'neigh_suppress', since: '4.15' },
  isolated: { native: 'isolated', ip: 'isolated', since: '4.18' },
  locked: { native: 'locked', ip: 'locked', since: '5.18' },
  cost: { native: 'cost', ip: 'cost' },
  priority: { native: 'priority', ip: 'priority' },
  state: { native: 'state', ip: 'state' },
};

const NAMES = Object.keys(SETTINGS) as Setting[];
const NUMBERS: ReadonlySet<Setting> = new Set(['cost', 'priority', 'state']);

/** BR_MIN_PATH_COST, BR_MAX_PATH_COST, BR_MAX_PORT_PRIORITY (net/bridge/br_private.h). */
const MAX_COST = 65535;
const MAX_PRIORITY = 63;

/**
 * The settings as the addon's IFLA_INFO_SLAVE_DATA, checked: an object of known settings, at
 * least one given, each of its type and range. Throws EINVAL naming what is wrong.
 * @internal
 */
export function bridgePortRequest(settings: unknown, operation: string): NativeKindInfo {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw invalid(operation, `the settings must be an object, not ${describeValue(settings)}`);
  }
  const given = settings as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(SETTINGS, key)) {
      throw invalid(operation, `there is no bridge port setting "${key}"; the settings are ${NAMES.join(', ')}`);
    }
  }
  const out: NativeKindInfo = {};
  for (const name of NAMES) {
    const value = given[name];
    if (value === undefined) continue;
    const native = SETTINGS[name].native;
    if (name === 'cost') out[native] = checkInteger(value, operation, 'cost', 1, MAX_COST);
    else if (name === 'priority') out[native] = checkInteger(value, operation, 'priority', 0, MAX_PRIORITY);
    else if (name === 'state') {
      const state = STATES.indexOf(value as BridgePortState);
      if (state < 0) {
        throw invalid(operation, `state must be one of '${STATES.join("', '")}', not ${describeValue(value)}`);
      }
      out[native] = state;
    } else {
      if (typeof value !== 'boolean')
        throw invalid(operation, `${name} must be true or false, not ${describeValue(value)}`);
      out[native] = value ? 1 : 0;
    }
  }
  if (Object.keys(out).length === 0) {
    throw invalid(operation, `give at least one setting to change (${NAMES.join(', ')})`);
  }
  return out;
}

/**
 * A link's settings as a bridge port, from the state read (IFLA_INFO_SLAVE_DATA), or undefined
 * when it is no bridge's port.
 * @internal
 */
export function bridgePortInfo(state: NativeLink): BridgePortInfo | undefined {
  const data = state.slaveKind === 'bridge' ? state.slaveInfo : undefined;
  if (data === undefined) return undefined;
  const info: Record<string, unknown> = {};
  for (const name of NAMES) {
    const value = data[SETTINGS[name].native];
    if (typeof value !== 'number') continue;
    if (name === 'state') {
      const text = STATES[value];
      if (text !== undefined) info.state = text;
    } else {
      info[name] = NUMBERS.has(name) ? value : value !== 0;
    }
  }
  return info as BridgePortInfo;
}

/**
 * Changes the settings of `link` as a bridge port, all or none, and returns the link read back.
 * One call on the namespace's FIFO: read the link (is it a bridge's port? can its state be
 * set?), send the settings and read back in one sendmsg, and if the kernel refused, or left out
 * a setting it does not know (an older kernel ignores attributes past its own), put back what
 * it had applied. The kernel applies a request's flags before its cost, priority and state, and
 * keeps them when one of those fails.
 * @internal
 */
export async function setBridgePort(link: Link, settings: NativeKindInfo, operation: string): Promise<NativeLink> {
  const ns = link.namespace;
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const index = link.index;
  return exclusive(handle, operation, 'link', async (send) => {
    const before = readLink(await send([{ op: 'getlink', index }]), operation);
    checkPort(before, settings, operation);
    const set: NativeOp = { op: 'newlink', link: { index, slaveKind: 'bridge', slaveInfo: settings } };
    const [result, readBack] = await send([set, { op: 'getlink', index, stats: 1 }]);
    if (isFailure(result)) {
      await restore(send, before, settings);
      throw explain(fromNative(result, operation, 'link'), before, settings);
    }
    const after = readLink([readBack], operation);
    const unknown = Object.keys(settings).filter((native) => after.slaveInfo?.[native] === undefined);
    if (unknown.length > 0) {
      await restore(send, before, settings);
      const names = NAMES.filter((n) => unknown.includes(SETTINGS[n].native)).map(
        (n) => `${n} (${SETTINGS[n].ip}${SETTINGS[n].since ? `, Linux ${SETTINGS[n].since}` : ''})`,
      );
      throw failure(
        'EOPNOTSUPP',
        operation,
        `this kernel has no bridge port setting ${names.join(', ')}; nothing was changed`,
      );
    }
    return after;
  });
}

function readLink(results: Array<NativeResult | undefined>, operation: string): NativeLink {
  const [read] = results;
  if (read === undefined || isFailure(read)) throw fromNative(read, operation, 'link');
  return read as NativeLink;
}

/** Refuses, before anything is sent, a link that is no bridge's port, or a state it cannot take. */
function checkPort(now: NativeLink, settings: NativeKindInfo, operation: string): void {
  if (now.slaveKind !== 'bridge') {
    // The kernel would say only EOPNOTSUPP; and a bond's port would read the attributes with the
    // bond's own table (IFLA_BOND_SLAVE_*), so it must not get them at all.
    let why = 'it has no master';
    if (now.master)
      why = `its master (index ${now.master}) is ${now.slaveKind ? `a ${now.slaveKind}` : 'not a bridge'}`;
    throw failure(
      'EOPNOTSUPP',
      operation,
      `"${now.name}" is no bridge's port: ${why}; attach it first (bridge.addPort(link))`,
    );
  }
  const state = settings.state as number | undefined;
  if (state === undefined) return;
  // br_set_port_state: ENETDOWN unless the port is running and, for any state but disabled,
  // has carrier.
  if ((now.flags & IFF_UP) === 0) {
    throw failure('ENETDOWN', operation, `a port's state can be set only while it is up; bring "${now.name}" up first`);
  }
  if (state !== 0 && (now.flags & IFF_LOWER_UP) === 0) {
    throw failure(
      'ENETDOWN',
      operation,
      `"${now.name}" has no carrier (a veth's peer is down), so its state can only be 'disabled'`,
    );
  }
}

/** The kernel's refusal, said for a bridge port, and that nothing was changed. */
function explain(e: NetnsError, before: NativeLink, settings: NativeKindInfo): NetnsError {
  if (e.code === 'EBUSY' && settings.state !== undefined) {
    return withReason(
      e,
      `the bridge runs the kernel's spanning tree (stp), which sets the state of its ports itself; ` +
        `nothing was changed`,
    );
  }
  if (e.code === 'EOPNOTSUPP') {
    return withReason(e, `"${before.name}" is no bridge's port (any more); nothing was changed`);
  }
  return withReason(e, `${e.reason}; nothing was changed`);
}

/**
 * Puts back the settings a failed request may have applied, as read before it; best effort.
 * Not the state: the kernel applies it last, so it was never changed when anything failed. (A
 * cost put back stays the port's own: the kernel no longer derives it from the link's speed.)
 */
async function restore(
  send: (ops: NativeOp[]) => Promise<NativeResult[]>,
  before: NativeLink,
  settings: NativeKindInfo,
): Promise<void> {
  const old: NativeKindInfo = {};
  for (const native of Object.keys(settings)) {
    const value = before.slaveInfo?.[native];
    if (native !== 'state' && value !== undefined) old[native] = value;
  }
  if (Object.keys(old).length === 0) return;
  const op: NativeOp = { op: 'newlink', link: { index: before.index, slaveKind: 'bridge', slaveInfo: old } };
  await send([op]).catch(() => undefined);
}
