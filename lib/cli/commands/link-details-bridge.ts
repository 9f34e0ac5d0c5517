/**
 * `ip -d link show` for a bridge and a bridge's port: iproute2 6.1's bridge_print_opt and
 * bridge_slave_print_opt, from {@link Bridge.info} and {@link Link.bridgePort}. Their quirks are
 * kept: a bridge's `designated_root` shows its own `bridge_id` (6.1 reads IFLA_BR_BRIDGE_ID for
 * both), a port's `mcast_fast_leave` repeats `fastleave` in text only, ids write the MAC as
 * glibc's ether_ntoa (no leading zeros), masks as `%#llx` (0 as `0`). Timers are seconds with
 * two decimals (`hello_timer    0.00`; in JSON the number).
 */
import type { BridgeInfo, BridgePortInfo } from '../../index';
import { Printer, type KindOptions } from './kind-options';

/** '8000.02:00:0a:0b:0c:0d' as br_dump_bridge_id writes it: '8000.2:0:a:b:c:d' (ether_ntoa_r). */
function bridgeIdWord(id: string): string {
  const [priority, mac] = id.split('.') as [string, string];
  return `${priority}.${mac
    .split(':')
    .map((b) => parseInt(b, 16).toString(16))
    .join(':')}`;
}

/** ll_proto_n2a for the two VLAN protocols a bridge takes, else `[N]`. */
function vlanProtocolName(protocol: number): string {
  return protocol === 0x8100 ? '802.1Q' : protocol === 0x88a8 ? '802.1ad' : `[${protocol}]`;
}

/** BR_MCAST_ROUTERS' numbers, as ip prints `mcast_router`. */
const MCAST_ROUTER_NUMBERS: Record<string, number> = { disabled: 0, auto: 1, permanent: 2, temporary: 3 };

const cs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms / 10));

/** bridge_print_opt. */
export function bridgeOptions(info: BridgeInfo): KindOptions {
  const p = new Printer();
  p.number('forward_delay', 'forward_delay', cs(info.forwardDelayMs));
  p.number('hello_time', 'hello_time', cs(info.helloTimeMs));
  p.number('max_age', 'max_age', cs(info.maxAgeMs));
  p.number('ageing_time', 'ageing_time', cs(info.ageingTimeMs));
  p.put('stp_state', 'stp_state', info.stp ? 1 : 0);
  p.number('priority', 'priority', info.priority);
  p.put('vlan_filtering', 'vlan_filtering', info.vlanFiltering ? 1 : 0);
  if (info.vlanProtocol !== undefined) p.put('vlan_protocol', 'vlan_protocol', vlanProtocolName(info.vlanProtocol));
  if (info.bridgeId !== undefined) p.put('bridge_id', 'bridge_id', bridgeIdWord(info.bridgeId));
  // iproute2 6.1 prints the bridge's own id here, whatever the root's is.
  if (info.rootId !== undefined && info.bridgeId !== undefined) {
    p.put('root_id', 'designated_root', bridgeIdWord(info.bridgeId));
  }
  p.number('root_port', 'root_port', info.rootPort);
  p.number('root_path_cost', 'root_path_cost', info.rootPathCost);
  p.bit('topology_change', 'topology_change', info.topologyChange);
  p.bit('topology_change_detected', 'topology_change_detected', info.topologyChangeDetected);
  p.timer('hello_timer', info.helloTimerMs);
  p.timer('tcn_timer', info.tcnTimerMs);
  p.timer('topology_change_timer', info.topologyChangeTimerMs);
  p.timer('gc_timer', info.gcTimerMs);
  p.number('vlan_default_pvid', 'vlan_default_pvid', info.defaultPvid);
  p.bit('vlan_stats_enabled', 'vlan_stats_enabled', info.vlanStatsEnabled);
  p.bit('vlan_stats_per_port', 'vlan_stats_per_port', info.vlanStatsPerPort);
  p.hex('group_fwd_mask', 'group_fwd_mask', info.groupFwdMask);
  if (info.groupAddress !== undefined) p.put('group_addr', 'group_address', info.groupAddress);
  p.bit('mcast_snooping', 'mcast_snooping', info.mcastSnooping);
  p.bit('no_linklocal_learn', 'no_linklocal_learn', info.noLinklocalLearn);
  p.bit('mcast_vlan_snooping', 'mcast_vlan_snooping', info.mcastVlanSnooping);
  if (info.mcastRouter !== undefined)
    p.put('mcast_router', 'mcast_router', MCAST_ROUTER_NUMBERS[info.mcastRouter] ?? 0);
  p.bit('mcast_query_use_ifaddr', 'mcast_query_use_ifaddr', info.mcastQueryUseIfaddr);
  p.bit('mcast_querier', 'mcast_querier', info.mcastQuerier);
  p.number('mcast_hash_elasticity', 'mcast_hash_elasticity', info.mcastHashElasticity);
  p.number('mcast_hash_max', 'mcast_hash_max', info.mcastHashMax);
  p.number('mcast_last_member_cnt', 'mcast_last_member_count', info.mcastLastMemberCount);
  p.number('mcast_startup_query_cnt', 'mcast_startup_query_count', info.mcastStartupQueryCount);
  p.number('mcast_last_member_intvl', 'mcast_last_member_interval', cs(info.mcastLastMemberIntervalMs));
  p.number('mcast_membership_intvl', 'mcast_membership_interval', cs(info.mcastMembershipIntervalMs));
  p.number('mcast_querier_intvl', 'mcast_querier_interval', cs(info.mcastQuerierIntervalMs));
  p.number('mcast_query_intvl', 'mcast_query_interval', cs(info.mcastQueryIntervalMs));
  p.number('mcast_query_response_intvl', 'mcast_query_response_interval', cs(info.mcastQueryResponseIntervalMs));
  p.number('mcast_startup_query_intvl', 'mcast_startup_query_interval', cs(info.mcastStartupQueryIntervalMs));
  p.bit('mcast_stats_enabled', 'mcast_stats_enabled', info.mcastStatsEnabled);
  p.number('mcast_igmp_version', 'mcast_igmp_version', info.mcastIgmpVersion);
  p.number('mcast_mld_version', 'mcast_mld_version', info.mcastMldVersion);
  p.bit('nf_call_iptables', 'nf_call_iptables', info.nfCallIptables);
  p.bit('nf_call_ip6tables', 'nf_call_ip6tables', info.nfCallIp6tables);
  p.bit('nf_call_arptables', 'nf_call_arptables', info.nfCallArptables);
  return p.options();
}

/** Names of the link-local groups in a port's group_fwd_mask_str (fwd_mask_tbl). */
const FWD_MASK_NAMES: Record<number, string> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

/** _bitmask2str: each bit set by name or as 0xN, comma-separated; `0x0` for none. */
function fwdMaskText(mask: number): string {
  const parts: string[] = [];
  for (let bit = 0; bit < 16; bit++) {
    if (mask & (1 << bit)) parts.push(FWD_MASK_NAMES[bit] ?? `0x${(1 << bit).toString(16)}`);
  }
  return parts.length === 0 ? '0x0' : parts.join(',');
}

/** bridge_slave_print_opt; `names` for the backup port's name (ll_index_to_name). */
export function bridgePortOptions(port: BridgePortInfo, names: ReadonlyMap<number, string>): KindOptions {
  const p = new Printer();
  if (port.state !== undefined) p.put('state', 'state', port.state);
  p.number('priority', 'priority', port.priority);
  p.number('cost', 'cost', port.cost);
  p.onOff('hairpin', 'hairpin', port.hairpin);
  p.onOff('guard', 'guard', port.guard);
  p.onOff('root_block', 'root_block', port.rootBlock);
  p.onOff('fastleave', 'fastleave', port.fastLeave);
  p.onOff('learning', 'learning', port.learning);
  p.onOff('flood', 'flood', port.flood);
  p.hex('id', 'port_id', port.portId);
  p.hex('no', 'port_no', port.portNo);
  p.number('designated_port', 'designated_port', port.designatedPort);
  p.number('designated_cost', 'designated_cost', port.designatedCost);
  if (port.designatedBridge !== undefined) p.put('bridge_id', 'designated_bridge', bridgeIdWord(port.designatedBridge));
  if (port.designatedRoot !== undefined) p.put('root_id', 'designated_root', bridgeIdWord(port.designatedRoot));
  p.timer('hold_timer', port.holdTimerMs);
  p.timer('message_age_timer', port.messageAgeTimerMs);
  p.timer('forward_delay_timer', port.forwardDelayTimerMs);
  p.bit('topology_change_ack', 'topology_change_ack', port.topologyChangeAck);
  p.bit('config_pending', 'config_pending', port.configPending);
  p.onOff('proxy_arp', 'proxy_arp', port.proxyArp);
  p.onOff('proxy_arp_wifi', 'proxy_arp_wifi', port.proxyArpWifi);
  if (port.mcastRouter !== undefined) {
    p.put('multicast_router', 'mcast_router', MCAST_ROUTER_NUMBERS[port.mcastRouter] ?? 0);
  }
  // Text only: JSON has it as fastleave already.
  if (port.fastLeave !== undefined) p.words.push('mcast_fast_leave', port.fastLeave ? 'on' : 'off');
  p.onOff('mcast_flood', 'mcast_flood', port.mcastFlood);
  p.onOff('bcast_flood', 'bcast_flood', port.bcastFlood);
  p.onOff('mcast_to_unicast', 'mcast_to_unicast', port.mcastToUnicast);
  p.onOff('neigh_suppress', 'neigh_suppress', port.neighSuppress);
  if (port.groupFwdMask !== undefined) {
    p.hex('group_fwd_mask', 'group_fwd_mask', port.groupFwdMask);
    p.put('group_fwd_mask_str', 'group_fwd_mask_str', fwdMaskText(port.groupFwdMask));
  }
  p.onOff('vlan_tunnel', 'vlan_tunnel', port.vlanTunnel);
  p.onOff('isolated', 'isolated', port.isolated);
  p.onOff('locked', 'locked', port.locked);
  if (port.backupPortIndex !== undefined) {
    p.put('backup_port', 'backup_port', names.get(port.backupPortIndex) ?? `if${port.backupPortIndex}`);
  }
  return p.options();
}
