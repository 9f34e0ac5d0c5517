import { checkSignal, type AbortOptions } from '../internal/abort';
import { failure, invalid } from '../internal/errors';
import { kDetachFrom, kHandle, kHandleNow } from '../internal/symbols';
import { constants, endianness } from 'node:os';
import { exclusive, request, throwFirstFailure } from '../internal/dispatch';
import { Link, checkNamespaceArg, createAbortably, makeLink, registerLinkKind } from '../link';
import { Namespace } from '../namespace';
import { checkCreateLimits, type LinkCreateLimits } from '../link-create-limits';
import { isFailure } from '../native/wire';
import { NLM_F_CREATE, NLM_F_EXCL } from '../native/constants';
import type { NativeKindInfo, NativeLink, NativeLinkRequest, NativeOp } from '../native/surface';
import { MCAST_ROUTERS, type BridgeMcastRouter, type BridgePortSettings } from '../bridge-port';
import { bridgeIdText } from '../internal/bridge-id';
import { checkAlias, checkBoolean, checkInteger, checkLinkName, checkMtu, parseMac } from '../internal/validate';

/**
 * @internal A bridge port's settings (IFLA_INFO_SLAVE_DATA) for hairpin mode, `ip link set dev
 * PORT type bridge_slave hairpin on`: frames may leave by the port they came in by.
 */
export const HAIRPIN_PORT: NativeKindInfo = { hairpin: 1 };

/** @internal The request that puts link `index`, a bridge's port, in hairpin mode. */
export function hairpinOn(index: number): NativeOp {
  return { op: 'newlink', link: { index, slaveKind: 'bridge', slaveInfo: HAIRPIN_PORT } };
}

/**
 * IFLA_INFO_DATA of a bridge, named as native/rtnl/link/bridge.cc names it. Times are in
 * centiseconds (USER_HZ), as the kernel takes them.
 */
interface BridgeAttributes {
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  stpState?: number;
  priority?: number;
  vlanFiltering?: number;
  vlanProtocol?: number;
  defaultPvid?: number;
  mcastSnooping?: number;
  nfCallIptables?: number;
  nfCallIp6tables?: number;
  // Read only (what `ip -d link show` prints): ids as bytes in MAC notation, timers and
  // intervals in centiseconds, IFLA_BR_MULTI_BOOLOPT as the bytes of two host-order u32.
  bridgeId?: string;
  rootId?: string;
  rootPort?: number;
  rootPathCost?: number;
  topologyChange?: number;
  topologyChangeDetected?: number;
  helloTimer?: number;
  tcnTimer?: number;
  topologyChangeTimer?: number;
  gcTimer?: number;
  vlanStatsEnabled?: number;
  vlanStatsPerPort?: number;
  groupFwdMask?: number;
  groupAddr?: string;
  multiBoolopt?: string;
  mcastRouter?: number;
  mcastQueryUseIfaddr?: number;
  mcastQuerier?: number;
  mcastHashElasticity?: number;
  mcastHashMax?: number;
  mcastLastMemberCnt?: number;
  mcastStartupQueryCnt?: number;
  mcastLastMemberIntvl?: number;
  mcastMembershipIntvl?: number;
  mcastQuerierIntvl?: number;
  mcastQueryIntvl?: number;
  mcastQueryResponseIntvl?: number;
  mcastStartupQueryIntvl?: number;
  mcastStatsEnabled?: number;
  mcastIgmpVersion?: number;
  mcastMldVersion?: number;
  nfCallArptables?: number;
}

/**
 * What {@link Bridge.info} reads back (`ip -d link show`); names as {@link BridgeOptions},
 * times in ms.
 */
export type BridgeInfo = {
  stp: boolean;
  vlanFiltering: boolean;
  forwardDelayMs?: number;
  ageingTimeMs?: number;
  helloTimeMs?: number;
  maxAgeMs?: number;
  priority?: number;
  /** The VLAN protocol (0x8100 for 802.1Q, 0x88a8 for 802.1ad). */
  vlanProtocol?: number;
  /** The default PVID of new ports (`vlan_default_pvid`). */
  defaultPvid?: number;
  /** Whether IGMP/MLD snooping is on (`mcast_snooping`). */
  mcastSnooping?: boolean;
  /** Whether the bridge hands its IPv4 traffic to the firewall (`nf_call_iptables`; br_netfilter). */
  nfCallIptables?: boolean;
  /** Whether the bridge hands its IPv6 traffic to the firewall (`nf_call_ip6tables`; br_netfilter). */
  nfCallIp6tables?: boolean;
  /** Whether the bridge hands its ARP traffic to the firewall (`nf_call_arptables`; br_netfilter). */
  nfCallArptables?: boolean;
  /** The bridge's spanning tree id, priority and MAC (`bridge_id`): '8000.02:00:0a:0b:0c:0d'. */
  bridgeId?: string;
  /** The id of the spanning tree's root bridge (`designated_root`), as `bridgeId`. */
  rootId?: string;
  /** The port number towards the root bridge, 0 when this bridge is the root (`root_port`). */
  rootPort?: number;
  /** The path cost to the root bridge (`root_path_cost`). */
  rootPathCost?: number;
  /** Whether a topology change is under way (`topology_change`) and was detected here (`topology_change_detected`). */
  topologyChange?: boolean;
  topologyChangeDetected?: boolean;
  /**
   * The time left on the spanning tree's hello, topology change notification and topology
   * change timers and on the fdb's garbage collection, in ms (`hello_timer`, `tcn_timer`,
   * `topology_change_timer`, `gc_timer`); 0 when not running. They count down as time passes.
   */
  helloTimerMs?: number;
  tcnTimerMs?: number;
  topologyChangeTimerMs?: number;
  gcTimerMs?: number;
  /** Per-VLAN statistics (`vlan_stats_enabled`), kept per port (`vlan_stats_per_port`). */
  vlanStatsEnabled?: boolean;
  vlanStatsPerPort?: boolean;
  /** Which link-local groups 01:80:c2:00:00:0X the bridge forwards (`group_fwd_mask`): bit X for X. */
  groupFwdMask?: number;
  /** The group address of the spanning tree's BPDUs (`group_address`), 01:80:c2:00:00:00 by default. */
  groupAddress?: string;
  /** No learning from link-local frames (`no_linklocal_learn`, a bridge boolean option). */
  noLinklocalLearn?: boolean;
  /** IGMP/MLD snooping per VLAN (`mcast_vlan_snooping`, a bridge boolean option). */
  mcastVlanSnooping?: boolean;
  /** Whether a multicast router sits behind the bridge itself (`mcast_router`: 'disabled', 'auto', 'permanent'). */
  mcastRouter?: BridgeMcastRouter;
  /** Send IGMP/MLD queries from the bridge's own address (`mcast_query_use_ifaddr`). */
  mcastQueryUseIfaddr?: boolean;
  /** Act as IGMP/MLD querier (`mcast_querier`). */
  mcastQuerier?: boolean;
  /** `mcast_hash_elasticity` (unused since Linux 5.0, reported as 16) and the most multicast groups (`mcast_hash_max`). */
  mcastHashElasticity?: number;
  mcastHashMax?: number;
  /** How many last member queries (`mcast_last_member_count`) and startup queries (`mcast_startup_query_count`) are sent. */
  mcastLastMemberCount?: number;
  mcastStartupQueryCount?: number;
  /**
   * The IGMP/MLD intervals in ms: between last member queries (`mcast_last_member_interval`),
   * a membership's lifetime (`mcast_membership_interval`), another querier's
   * (`mcast_querier_interval`), between queries (`mcast_query_interval`), the response time
   * in queries (`mcast_query_response_interval`), between startup queries
   * (`mcast_startup_query_interval`).
   */
  mcastLastMemberIntervalMs?: number;
  mcastMembershipIntervalMs?: number;
  mcastQuerierIntervalMs?: number;
  mcastQueryIntervalMs?: number;
  mcastQueryResponseIntervalMs?: number;
  mcastStartupQueryIntervalMs?: number;
  /** Multicast statistics (`mcast_stats_enabled`). */
  mcastStatsEnabled?: boolean;
  /** The IGMP version (2 or 3, `mcast_igmp_version`) and MLD version (1 or 2, `mcast_mld_version`) of queries. */
  mcastIgmpVersion?: number;
  mcastMldVersion?: number;
};

/** BR_BOOLOPT_NO_LL_LEARN and BR_BOOLOPT_MCAST_VLAN_SNOOPING: bits of IFLA_BR_MULTI_BOOLOPT. */
const BOOLOPTS = [
  ['noLinklocalLearn', 1 << 0],
  ['mcastVlanSnooping', 1 << 1],
] as const;

/**
 * IFLA_BR_MULTI_BOOLOPT (struct br_boolopt_multi: optval, optmask; u32 in host order), given
 * as its bytes: each option the mask names, on or off.
 */
function boolopts(bytes: string | undefined): Partial<Record<(typeof BOOLOPTS)[number][0], boolean>> {
  const b = bytes === undefined ? [] : bytes.split(':');
  if (b.length !== 8) return {};
  const buf = Buffer.from(b.join(''), 'hex');
  const le = endianness() === 'LE';
  const value = le ? buf.readUInt32LE(0) : buf.readUInt32BE(0);
  const mask = le ? buf.readUInt32LE(4) : buf.readUInt32BE(4);
  const out: Partial<Record<(typeof BOOLOPTS)[number][0], boolean>> = {};
  for (const [name, bit] of BOOLOPTS) if (mask & bit) out[name] = (value & bit) !== 0;
  return out;
}

function bridgeInfo(state: NativeLink): BridgeInfo {
  const a = (state.info ?? {}) as BridgeAttributes;
  const ms = (cs: number | undefined) => (cs === undefined ? undefined : cs * 10);
  const on = (n: number | undefined) => (n === undefined ? undefined : n !== 0);
  const info: BridgeInfo = { stp: (a.stpState ?? 0) !== 0, vlanFiltering: (a.vlanFiltering ?? 0) !== 0 };
  const optional: Array<[keyof BridgeInfo, number | boolean | string | undefined]> = [
    ['forwardDelayMs', ms(a.forwardDelay)],
    ['ageingTimeMs', ms(a.ageingTime)],
    ['helloTimeMs', ms(a.helloTime)],
    ['maxAgeMs', ms(a.maxAge)],
    ['priority', a.priority],
    ['vlanProtocol', a.vlanProtocol],
    ['defaultPvid', a.defaultPvid],
    ['mcastSnooping', a.mcastSnooping === undefined ? undefined : a.mcastSnooping !== 0],
    ['nfCallIptables', a.nfCallIptables === undefined ? undefined : a.nfCallIptables !== 0],
    ['nfCallIp6tables', a.nfCallIp6tables === undefined ? undefined : a.nfCallIp6tables !== 0],
    ['nfCallArptables', on(a.nfCallArptables)],
    ['bridgeId', bridgeIdText(a.bridgeId)],
    ['rootId', bridgeIdText(a.rootId)],
    ['rootPort', a.rootPort],
    ['rootPathCost', a.rootPathCost],
    ['topologyChange', on(a.topologyChange)],
    ['topologyChangeDetected', on(a.topologyChangeDetected)],
    ['helloTimerMs', ms(a.helloTimer)],
    ['tcnTimerMs', ms(a.tcnTimer)],
    ['topologyChangeTimerMs', ms(a.topologyChangeTimer)],
    ['gcTimerMs', ms(a.gcTimer)],
    ['vlanStatsEnabled', on(a.vlanStatsEnabled)],
    ['vlanStatsPerPort', on(a.vlanStatsPerPort)],
    ['groupFwdMask', a.groupFwdMask],
    ['groupAddress', a.groupAddr],
    ['mcastRouter', a.mcastRouter === undefined ? undefined : MCAST_ROUTERS[a.mcastRouter]],
    ['mcastQueryUseIfaddr', on(a.mcastQueryUseIfaddr)],
    ['mcastQuerier', on(a.mcastQuerier)],
    ['mcastHashElasticity', a.mcastHashElasticity],
    ['mcastHashMax', a.mcastHashMax],
    ['mcastLastMemberCount', a.mcastLastMemberCnt],
    ['mcastStartupQueryCount', a.mcastStartupQueryCnt],
    ['mcastLastMemberIntervalMs', ms(a.mcastLastMemberIntvl)],
    ['mcastMembershipIntervalMs', ms(a.mcastMembershipIntvl)],
    ['mcastQuerierIntervalMs', ms(a.mcastQuerierIntvl)],
    ['mcastQueryIntervalMs', ms(a.mcastQueryIntvl)],
    ['mcastQueryResponseIntervalMs', ms(a.mcastQueryResponseIntvl)],
    ['mcastStartupQueryIntervalMs', ms(a.mcastStartupQueryIntvl)],
    ['mcastStatsEnabled', on(a.mcastStatsEnabled)],
    ['mcastIgmpVersion', a.mcastIgmpVersion],
    ['mcastMldVersion', a.mcastMldVersion],
  ];
  for (const [key, value] of optional) if (value !== undefined) (info as Record<string, unknown>)[key] = value;
  return { ...info, ...boolopts(a.multiBoolopt) };
}

/** Options for {@link Bridge.create}. */
export interface BridgeOptions extends AbortOptions, LinkCreateLimits {
  /** Where to create it. Default: the namespace this process runs in. */
  namespace?: Namespace;
  /** Run the kernel's spanning tree protocol (`stp_state 1`). Default off, as the kernel. */
  stp?: boolean;
  /** Filter frames by VLAN (`vlan_filtering 1`). Default off. */
  vlanFiltering?: boolean;
  mtu?: number;
  /** MAC address; default random. */
  mac?: string;
  /** Forwarding delay in ms (`forward_delay`, kernel default 15 s). */
  forwardDelayMs?: number;
  /** How long learned MAC addresses are kept, in ms (`ageing_time`, kernel default 300 s). */
  ageingTimeMs?: number;
  /** Bridge priority for STP (`priority`), 0-65535. */
  priority?: number;
  /** An alias (IFLA_IFALIAS, `ip link set NAME alias TEXT`), set as it is created. At most 254 bytes. */
  alias?: string;
}

/**
 * A Linux bridge: a virtual switch whose ports are other links. `ip link add NAME type bridge`.
 *
 * @example
 * ```ts
 * const br = await Bridge.create('br0', { namespace: ns });
 * await br.up();
 * await br.addPort(vethEnd);                // ip link set veth0 master br0
 * ```
 */
export class Bridge extends Link {
  /**
   * Creates a bridge. `ip link add NAME type bridge [stp_state 1] [vlan_filtering 1]`.
   * @throws NetnsError EEXIST if a link of that name exists; EINVAL for bad options.
   */
  static async create(name: string, options: BridgeOptions = {}): Promise<Bridge> {
    const operation = `create bridge "${String(name)}"`;
    checkLinkName(name, operation);
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    const ns = options.namespace ?? Namespace.current();
    checkNamespaceArg(ns, operation);
    const where = `${operation}${ns.where}`;
    const attrs: BridgeAttributes = {};
    // Off is the kernel's default for both; sending an explicit 0 would make a kernel built
    // without VLAN filtering refuse the whole request.
    if (checkBoolean(options.stp, where, 'stp')) attrs.stpState = 1;
    if (checkBoolean(options.vlanFiltering, where, 'vlanFiltering')) attrs.vlanFiltering = 1;
    // The kernel takes these in centiseconds (USER_HZ).
    if (options.forwardDelayMs !== undefined) {
      attrs.forwardDelay = Math.round(checkInteger(options.forwardDelayMs, where, 'forwardDelayMs', 0, 2 ** 31) / 10);
    }
    if (options.ageingTimeMs !== undefined) {
      attrs.ageingTime = Math.round(checkInteger(options.ageingTimeMs, where, 'ageingTimeMs', 0, 2 ** 31) / 10);
    }
    if (options.priority !== undefined) attrs.priority = checkInteger(options.priority, where, 'priority', 0, 65535);
    const link = { name, kind: 'bridge', info: { ...attrs } } as const;
    const extra: NativeLinkRequest = checkCreateLimits(options, where);
    if (options.mtu !== undefined) extra.mtu = checkMtu(options.mtu, where);
    const alias = options.alias === undefined ? undefined : checkAlias(options.alias, where);
    if (options.mac !== undefined) extra.address = parseMac(options.mac, where);
    const signal = checkSignal(options.signal, where);
    return createAbortably(signal, where, () =>
      // One call on the namespace's FIFO, from the create to the delete that undoes it when a
      // later step fails: a call made after this one never sees the half-made bridge.
      exclusive(
        ns,
        where,
        'link-create',
        async (send) => {
          // Create (and mark: the kernel ignores IFLA_IFALIAS when creating, so it is a second
          // request by name) and read back, in one sendmsg.
          const ops: NativeOp[] = [{ op: 'newlink', flags: NLM_F_CREATE | NLM_F_EXCL, link: { ...link, ...extra } }];
          if (alias !== undefined) ops.push({ op: 'newlink', link: { name, alias } });
          ops.push({ op: 'getlink', name, stats: 1 });
          const results = await send(ops);
          const created = results[0];
          if (isFailure(created) && created.errno === constants.errno.EOPNOTSUPP && options.vlanFiltering) {
            throw failure(
              'EOPNOTSUPP',
              where,
              'this kernel was built without bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)',
            );
          }
          throwFirstFailure([created], where, 'link-create');
          try {
            throwFirstFailure(results.slice(1), where, 'link');
          } catch (e) {
            // Leave nothing half-made.
            await send([{ op: 'dellink', name }]).catch(() => undefined);
            throw e;
          }
          return makeLink(ns, results[results.length - 1] as NativeLink) as Bridge;
        },
        signal,
      ),
    );
  }

  /** The bridge's own settings, as last read (`ip -d link show`). */
  override get info(): BridgeInfo {
    return bridgeInfo(this.state);
  }

  /** Whether the kernel's spanning tree protocol runs on this bridge (as last read). */
  get stp(): boolean {
    return this.info.stp;
  }

  /** Whether the bridge filters by VLAN (as last read). */
  get vlanFiltering(): boolean {
    return this.info.vlanFiltering;
  }

  /** Forwarding delay in ms (as last read). */
  get forwardDelayMs(): number | undefined {
    return this.info.forwardDelayMs;
  }

  /** MAC ageing time in ms (as last read). */
  get ageingTimeMs(): number | undefined {
    return this.info.ageingTimeMs;
  }

  /**
   * Attaches a link as a port. `ip link set LINK master BRIDGE`. With `settings`, its settings
   * as this bridge's port too, in the same sendmsg, all or none (see {@link Link.setMaster});
   * `link.bridgePort` then has them, read back in that sendmsg (without, after `link.refresh()`).
   * @example
   * ```ts
   * await br.addPort(veth, { hairpin: true, cost: 10 }); // ip link set veth0 master br0 type bridge_slave hairpin on cost 10
   * ```
   * @throws NetnsError as {@link Link.setMaster}.
   */
  async addPort(link: Link, settings?: BridgePortSettings): Promise<void> {
    if (!(link instanceof Link)) {
      throw invalid(`add a port to bridge "${this.name}"`, 'the port must be a Link');
    }
    await link.setMaster(this, settings === undefined ? {} : { port: settings });
  }

  /**
   * Detaches a port. `ip link set LINK nomaster`.
   * @throws NetnsError EINVAL if the link is not a port of this bridge.
   */
  async removePort(link: Link): Promise<void> {
    const operation = `remove "${link instanceof Link ? link.name : String(link)}" from bridge "${this.name}"`;
    if (!(link instanceof Link)) throw invalid(operation, 'the port must be a Link');
    if (link.namespace.inode !== this.namespace.inode) throw invalid(operation, 'the link is in another namespace');
    // The check and the detach in one call on the FIFO: a setMaster made after this call runs
    // after the detach, not between the two.
    await link[kDetachFrom](this, operation);
  }

  /** The links attached to this bridge. `ip link show master BRIDGE`. */
  async ports(): Promise<Link[]> {
    const operation = `list ports of bridge "${this.name}"${this.namespace.where}`;
    const handle = this.namespace[kHandleNow]() ?? (await this.namespace[kHandle](operation));
    // Filtered in the kernel (IFLA_MASTER).
    const infos = await request<NativeLink[]>(handle, { op: 'dumplinks', master: this.index }, operation, 'link');
    return infos.map((info) => makeLink(this.namespace, info));
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), stp: this.stp, vlanFiltering: this.vlanFiltering };
  }
}

registerLinkKind('bridge', Bridge, bridgeInfo);
