/**
 * A bridge port's own settings: what `ip link set dev PORT type bridge_slave ...` and `bridge
 * link set dev PORT ...` change, and `ip -d link show` / `bridge -d link show` list. On the
 * wire, the IFLA_BRPORT_* attributes of IFLA_INFO_SLAVE_DATA (native/rtnl/link/bridge.cc).
 */
import { failure, fromNative, invalid, withReason, NetnsError } from './internal/errors';
import { exclusive } from './internal/dispatch';
import { kHandle, kHandleNow } from './internal/symbols';
import { checkBoolean, checkInteger, describeValue } from './internal/validate';
import { bridgeIdText } from './internal/bridge-id';
import { isFailure } from './native/wire';
import { IFF_LOWER_UP, IFF_UP } from './native/constants';
import type { NativeKindInfo, NativeLink, NativeOp, NativeResult } from './native/surface';
import { Link } from './link';

/** A port's spanning tree state (BR_STATE_*, `state` of `bridge link`). */
export type BridgePortState = 'disabled' | 'listening' | 'learning' | 'forwarding' | 'blocking';

/** BR_STATE_DISABLED (0) to BR_STATE_BLOCKING (4). */
const STATES: readonly BridgePortState[] = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

/**
 * Whether a multicast router sits behind a port, which then gets all multicast traffic
 * (`mcast_router 0-3`): 'disabled' never; 'auto' while IGMP/MLD queries come in on it (the
 * default); 'permanent' always; 'temporary' now, until the bridge's router timeout ends it.
 */
export type BridgeMcastRouter = 'disabled' | 'auto' | 'permanent' | 'temporary';

/** @internal MDB_RTR_TYPE_DISABLED (0), _TEMP_QUERY (1), _PERM (2), _TEMP (3). */
export const MCAST_ROUTERS: readonly BridgeMcastRouter[] = ['disabled', 'auto', 'permanent', 'temporary'];

/** BR_GROUPFWD_MACPAUSE: 802.3x pause frames (01:80:c2:00:00:01) are never forwarded. */
const GROUP_FWD_PAUSE = 1 << 1;

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
  /**
   * MAC authentication bypass (`mab`, Linux 6.2): on a locked port, a frame from an unknown MAC
   * makes a `locked` fdb entry, which an authenticator can then unlock. Needs `locked` and
   * `learning` on. Default off.
   */
  mab?: boolean;
  /**
   * Per-VLAN neighbour suppression (`neigh_vlan_suppress`, Linux 6.8): `neighSuppress` is then
   * set for each VLAN (`bridge vlan set ... neigh_suppress`) instead of for the whole port.
   */
  neighVlanSuppress?: boolean;
  /** Map VLANs to tunnel ids on this port, a VXLAN device's (`vlan_tunnel`). Default off. */
  vlanTunnel?: boolean;
  /**
   * Which link-local group addresses 01:80:c2:00:00:0X received on the port the bridge forwards
   * (`group_fwd_mask`, Linux 4.15): bit X for address X, 0-0xffff; bit 1 (pause frames) never.
   * Default 0: none beyond what the bridge's own mask lets through.
   */
  groupFwdMask?: number;
  /** Whether a multicast router sits behind the port (`mcast_router`). Default 'auto'. */
  mcastRouter?: BridgeMcastRouter;
  /**
   * The backup port (`backup_port DEV`, Linux 4.19): another port of the same bridge that gets
   * this port's known unicast traffic while this one has no carrier; null for none
   * (`nobackup_port`). Read back as {@link BridgePortInfo.backupPortIndex}.
   */
  backupPort?: Link | null;
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

/** The settings a kernel may not have (newer than Linux 4.11, or built without IGMP snooping). */
type Optional =
  'bcastFlood' | 'neighSuppress' | 'isolated' | 'locked' | 'mab' | 'neighVlanSuppress' | 'groupFwdMask' | 'mcastRouter';

/**
 * A port's settings as read back (`ip -d link show dev PORT`: `bridge_slave ...`), named as
 * {@link BridgePortSettings}. A setting this kernel does not have is absent.
 */
export type BridgePortInfo = Required<Omit<BridgePortSettings, Optional | 'backupPort'>> &
  Pick<BridgePortSettings, Optional> & {
    /** The index of the port's backup port (`backup_port`); absent when it has none. */
    backupPortIndex?: number;
  } & BridgePortStp;

/**
 * A port's spanning tree state, as the kernel reports it (`ip -d link show`: `bridge_slave
 * ... port_id ...`); read only. Absent when the kernel does not report it.
 */
export type BridgePortStp = {
  /** The port's id, priority and number (`port_id`, e.g. 0x8001) and its number (`port_no`). */
  portId?: number;
  portNo?: number;
  /** The designated port's id and the designated cost (`designated_port`, `designated_cost`). */
  designatedPort?: number;
  designatedCost?: number;
  /** The designated bridge's and the root bridge's ids (`designated_bridge`, `designated_root`): '8000.02:00:0a:0b:0c:0d'. */
  designatedBridge?: string;
  designatedRoot?: string;
  /**
   * The time left on the port's hold, message age and forward delay timers, in ms
   * (`hold_timer`, `message_age_timer`, `forward_delay_timer`); 0 when not running. They count
   * down as time passes.
   */
  holdTimerMs?: number;
  messageAgeTimerMs?: number;
  forwardDelayTimerMs?: number;
  /** A topology change acknowledgement is due (`topology_change_ack`); a BPDU is to be sent (`config_pending`). */
  topologyChangeAck?: boolean;
  configPending?: boolean;
};

/** BridgePortStp's fields: the name on the addon's surface and how the value reads. */
const STP: Record<keyof BridgePortStp, { native: string; as: 'number' | 'ms' | 'boolean' | 'id' }> = {
  portId: { native: 'portId', as: 'number' },
  portNo: { native: 'portNo', as: 'number' },
  designatedPort: { native: 'designatedPort', as: 'number' },
  designatedCost: { native: 'designatedCost', as: 'number' },
  designatedBridge: { native: 'designatedBridge', as: 'id' },
  designatedRoot: { native: 'designatedRoot', as: 'id' },
  holdTimerMs: { native: 'holdTimer', as: 'ms' },
  messageAgeTimerMs: { native: 'messageAgeTimer', as: 'ms' },
  forwardDelayTimerMs: { native: 'forwardDelayTimer', as: 'ms' },
  topologyChangeAck: { native: 'topologyChangeAck', as: 'boolean' },
  configPending: { native: 'configPending', as: 'boolean' },
};

type Setting = keyof BridgePortSettings;

/**
 * Each setting: its name on the addon's surface (native/rtnl/link/bridge.cc), iproute2's name,
 * and what a kernel needs to have it, when more than the oldest netns-native runs on (4.11).
 * In the kernel's order (br_setport): flags, then cost, priority, state, multicast router,
 * group forward mask, backup port.
 */
const SETTINGS: Record<Setting, { native: string; ip: string; needs?: string }> = {
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
  bcastFlood: { native: 'bcastFlood', ip: 'bcast_flood', needs: 'Linux 4.12' },
  neighSuppress: { native: 'neighSuppress', ip: 'neigh_suppress', needs: 'Linux 4.15' },
  isolated: { native: 'isolated', ip: 'isolated', needs: 'Linux 4.18' },
  locked: { native: 'locked', ip: 'locked', needs: 'Linux 5.18' },
  vlanTunnel: { native: 'vlanTunnel', ip: 'vlan_tunnel' },
  mab: { native: 'mab', ip: 'mab', needs: 'Linux 6.2' },
  neighVlanSuppress: { native: 'neighVlanSuppress', ip: 'neigh_vlan_suppress', needs: 'Linux 6.8' },
  cost: { native: 'cost', ip: 'cost' },
  priority: { native: 'priority', ip: 'priority' },
  state: { native: 'state', ip: 'state' },
  mcastRouter: { native: 'mcastRouter', ip: 'mcast_router', needs: 'IGMP/MLD snooping (CONFIG_BRIDGE_IGMP_SNOOPING)' },
  groupFwdMask: { native: 'groupFwdMask', ip: 'group_fwd_mask', needs: 'Linux 4.15' },
  backupPort: { native: 'backupPort', ip: 'backup_port', needs: 'Linux 4.19' },
};

const NAMES = Object.keys(SETTINGS) as Setting[];
/** The settings read back as numbers; the rest but state, mcastRouter and backupPort are on/off. */
const NUMBERS: ReadonlySet<Setting> = new Set(['cost', 'priority', 'groupFwdMask']);

/** BR_MIN_PATH_COST, BR_MAX_PATH_COST, BR_MAX_PORT_PRIORITY (net/bridge/br_private.h). */
const MAX_COST = 65535;
const MAX_PRIORITY = 63;

/**
 * The settings as the addon's IFLA_INFO_SLAVE_DATA, checked: an object of known settings, at
 * least one given, each of its type and range; a backup port another link of `port`'s
 * namespace. Throws EINVAL naming what is wrong.
 * @internal
 */
export function bridgePortRequest(settings: unknown, operation: string, port: Link): NativeKindInfo {
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
    if (value !== undefined) out[SETTINGS[name].native] = settingValue(name, value, operation, port);
  }
  if (Object.keys(out).length === 0) {
    throw invalid(operation, `give at least one setting to change (${NAMES.join(', ')})`);
  }
  return out;
}

/** One setting's value on the wire, checked. */
function settingValue(name: Setting, value: unknown, operation: string, port: Link): number {
  switch (name) {
    case 'cost':
      return checkInteger(value, operation, 'cost', 1, MAX_COST);
    case 'priority':
      return checkInteger(value, operation, 'priority', 0, MAX_PRIORITY);
    case 'state':
      return oneOf(STATES, value, 'state', operation);
    case 'mcastRouter':
      return oneOf(MCAST_ROUTERS, value, 'mcastRouter', operation);
    case 'groupFwdMask': {
      const mask = checkInteger(value, operation, 'groupFwdMask', 0, 0xffff);
      if (mask & GROUP_FWD_PAUSE) {
        throw invalid(
          operation,
          'groupFwdMask cannot have bit 1 (0x2): pause frames (01:80:c2:00:00:01) are never forwarded',
        );
      }
      return mask;
    }
    case 'backupPort':
      return backupIndex(value, operation, port);
    default:
      return checkBoolean(value, operation, name) ? 1 : 0;
  }
}

function oneOf(names: readonly string[], value: unknown, what: string, operation: string): number {
  const at = names.indexOf(value as string);
  if (at < 0) throw invalid(operation, `${what} must be one of '${names.join("', '")}', not ${describeValue(value)}`);
  return at;
}

/** A backup port: another Link of the port's namespace (its index), or null for none (0). */
function backupIndex(value: unknown, operation: string, port: Link): number {
  if (value === null) return 0;
  if (!(value instanceof Link)) {
    throw invalid(
      operation,
      `backupPort must be a Link (another port of the same bridge) or null for none, not ${describeValue(value)}`,
    );
  }
  if (value.namespace.inode !== port.namespace.inode) {
    throw invalid(
      operation,
      `the backup port "${value.name}" is in another namespace; it must be a port of the same bridge`,
    );
  }
  if (value.index === port.index) throw invalid(operation, 'a port cannot be its own backup port');
  return value.index;
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
      if (STATES[value] !== undefined) info.state = STATES[value];
    } else if (name === 'mcastRouter') {
      if (MCAST_ROUTERS[value] !== undefined) info.mcastRouter = MCAST_ROUTERS[value];
    } else if (name === 'backupPort') {
      if (value !== 0) info.backupPortIndex = value;
    } else {
      info[name] = NUMBERS.has(name) ? value : value !== 0;
    }
  }
  for (const [name, { native, as }] of Object.entries(STP)) {
    const value = data[native];
    if (as === 'id') {
      const id = bridgeIdText(value);
      if (id !== undefined) info[name] = id;
    } else if (typeof value === 'number') {
      info[name] = as === 'ms' ? value * 10 : as === 'boolean' ? value !== 0 : value;
    }
  }
  return info as BridgePortInfo;
}

/**
 * Changes the settings of `link` as a bridge port, all or none, and returns the link read back;
 * with `attachTo`, attaches it to that bridge in the same sendmsg, just before (the kernel
 * applies a request's port settings before its IFLA_MASTER, to the port of the master the link
 * had: so two requests). One call on the namespace's FIFO: read the link (and the backup port
 * given): is it a bridge's port (or to be one)? can its state be set? is the backup a port of
 * the same bridge? Then the attach, the settings and the read back in one sendmsg; and if the
 * kernel refused, or left out a setting it does not know (an older kernel ignores attributes
 * past its own), put back what it had applied, the attach included. The kernel applies a
 * request's flags first, then cost, priority, state, multicast router, group forward mask and
 * backup port, and keeps what it applied when one of those fails.
 * @internal
 */
export async function setBridgePort(
  link: Link,
  settings: NativeKindInfo,
  operation: string,
  attachTo?: Link,
): Promise<NativeLink> {
  const ns = link.namespace;
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const index = link.index;
  const backup = settings.backupPort;
  return exclusive(handle, operation, 'link', async (send) => {
    const reads: NativeOp[] = [{ op: 'getlink', index }];
    if (typeof backup === 'number' && backup !== 0) reads.push({ op: 'getlink', index: backup });
    const [now, backupNow] = await send(reads);
    const before = readLink([now], operation);
    if (attachTo === undefined) checkPort(before, operation);
    checkState(before, settings, operation);
    if (backupNow !== undefined) checkBackup(backupNow, attachTo?.index ?? before.master, operation);
    const ops: NativeOp[] = [];
    if (attachTo !== undefined) ops.push({ op: 'newlink', link: { index, master: attachTo.index } });
    ops.push({ op: 'newlink', link: { index, slaveKind: 'bridge', slaveInfo: settings } });
    ops.push({ op: 'getlink', index, stats: 1 });
    const results = await send(ops);
    const [attached] = attachTo === undefined ? [] : results;
    const [set, readBack] = results.slice(-2);
    const after = readBack === undefined || isFailure(readBack) ? undefined : (readBack as NativeLink);
    if (attached !== undefined && isFailure(attached)) {
      await putBack(send, before, after, settings);
      const e = fromNative(attached, operation, 'master');
      throw withReason(e, `${e.reason}; nothing was changed`);
    }
    if (isFailure(set)) {
      await putBack(send, before, after, settings);
      throw explain(fromNative(set, operation, 'link'), before, settings);
    }
    if (after === undefined) throw fromNative(readBack, operation, 'link');
    const missing = missingSettings(settings, after);
    if (missing.length > 0) {
      await putBack(send, before, after, settings);
      const names = missing.map((n) => `${n} (${SETTINGS[n].ip}${SETTINGS[n].needs ? `, ${SETTINGS[n].needs}` : ''})`);
      throw failure(
        'EOPNOTSUPP',
        operation,
        `this kernel has no bridge port setting ${names.join(', ')}; nothing was changed`,
      );
    }
    return after;
  });
}

/** The value of a setting as read: the backup port is listed only when there is one. */
function readValue(link: NativeLink, native: string): number | undefined {
  const value = link.slaveInfo?.[native];
  if (typeof value === 'number') return value;
  return native === 'backupPort' && link.slaveKind === 'bridge' ? 0 : undefined;
}

/** The settings given that the read back does not have (or, a backup port, has otherwise). */
function missingSettings(settings: NativeKindInfo, after: NativeLink): Setting[] {
  return NAMES.filter((n) => {
    const native = SETTINGS[n].native;
    const given = settings[native];
    if (given === undefined) return false;
    const read = after.slaveInfo?.[native];
    // No backup port is listed as none; a backup port the kernel took is listed.
    return native === 'backupPort' ? given !== 0 && read !== given : read === undefined;
  });
}

function readLink(results: Array<NativeResult | undefined>, operation: string): NativeLink {
  const [read] = results;
  if (read === undefined || isFailure(read)) throw fromNative(read, operation, 'link');
  return read as NativeLink;
}

/** Refuses, before anything is sent, a link that is no bridge's port. */
function checkPort(now: NativeLink, operation: string): void {
  if (now.slaveKind === 'bridge') return;
  // The kernel would say only EOPNOTSUPP; and a bond's port would read the attributes with the
  // bond's own table (IFLA_BOND_SLAVE_*), so it must not get them at all.
  let why = 'it has no master';
  if (now.master) why = `its master (index ${now.master}) is ${now.slaveKind ? `a ${now.slaveKind}` : 'not a bridge'}`;
  throw failure(
    'EOPNOTSUPP',
    operation,
    `"${now.name}" is no bridge's port: ${why}; attach it first (bridge.addPort(link))`,
  );
}

/** Refuses, before anything is sent, a state the port cannot take (br_set_port_state). */
function checkState(now: NativeLink, settings: NativeKindInfo, operation: string): void {
  const state = settings.state as number | undefined;
  if (state === undefined) return;
  // ENETDOWN unless the port is running and, for any state but disabled, has carrier.
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

/** Refuses, before anything is sent, a backup port that is gone or no port of the bridge `master`. */
function checkBackup(read: NativeResult, master: number, operation: string): void {
  if (isFailure(read)) {
    const e = fromNative(read, operation, 'link');
    throw withReason(e, `the backup port is gone (${e.reason})`);
  }
  const backup = read as NativeLink;
  if (backup.slaveKind !== 'bridge' || backup.master !== master) {
    throw invalid(
      operation,
      `the backup port "${backup.name}" is not a port of the same bridge; attach it first (bridge.addPort(link))`,
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
 * Puts the port back as read before a request that failed, best effort. A port the request
 * moved goes back to its master (or none); coming back to a bridge, it gets back every setting
 * it had there but its state (the kernel makes a port anew when it joins, and sets its state
 * itself). A port that stayed gets back each setting the request changed; its state last, in a
 * request of its own, which the kernel may refuse on its own (no carrier any more, STP).
 */
async function putBack(
  send: (ops: NativeOp[]) => Promise<NativeResult[]>,
  before: NativeLink,
  after: NativeLink | undefined,
  settings: NativeKindInfo,
): Promise<void> {
  const index = before.index;
  const moved = after === undefined || after.master !== before.master;
  if (moved) {
    const back = await send([{ op: 'newlink', link: { index, master: before.master } }]).then(
      ([r]) => !isFailure(r),
      () => false,
    );
    if (!back || before.slaveKind !== 'bridge') return;
  }
  const old: NativeKindInfo = {};
  let state: number | undefined;
  for (const native of moved ? NAMES.map((n) => SETTINGS[n].native) : Object.keys(settings)) {
    const was = readValue(before, native);
    if (was === undefined || (!moved && after !== undefined && readValue(after, native) === was)) continue;
    if (native !== 'state') old[native] = was;
    else if (!moved) state = was;
  }
  const ops: NativeOp[] = [];
  if (Object.keys(old).length > 0) ops.push({ op: 'newlink', link: { index, slaveKind: 'bridge', slaveInfo: old } });
  if (state !== undefined) ops.push({ op: 'newlink', link: { index, slaveKind: 'bridge', slaveInfo: { state } } });
  if (ops.length > 0) await send(ops).catch(() => undefined);
}
