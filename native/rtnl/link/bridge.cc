// Kind "bridge": `ip link add NAME type bridge ...` (IFLA_BR_*, linux/if_link.h), and the
// settings of a bridge's ports (`ip link set PORT type bridge_slave ...`, IFLA_BRPORT_*).
// Times are in centiseconds (USER_HZ), as iproute2 shows them.
//
// Beyond what can be set, the tables read what the kernel reports and `ip -d link show` prints
// (br_fill_info, br_port_fill_attrs): the spanning tree's state, its running timers (u64
// centiseconds left, which tick between two reads) and the multicast settings. A bridge id
// (struct ifla_bridge_id: two priority bytes, then the MAC) and IFLA_BR_MULTI_BOOLOPT (struct
// br_boolopt_multi: two u32 in host order, optval then optmask) have no shape of their own: they
// are read as bytes (kMac, any length kept) and lib/ takes them apart.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kBridge{
    "bridge",
    false,
    {
        {"forwardDelay", IFLA_BR_FORWARD_DELAY, AttrType::kU32},
        {"helloTime", IFLA_BR_HELLO_TIME, AttrType::kU32},
        {"maxAge", IFLA_BR_MAX_AGE, AttrType::kU32},
        {"ageingTime", IFLA_BR_AGEING_TIME, AttrType::kU32},
        {"stpState", IFLA_BR_STP_STATE, AttrType::kU32},
        {"priority", IFLA_BR_PRIORITY, AttrType::kU16},
        {"vlanFiltering", IFLA_BR_VLAN_FILTERING, AttrType::kU8},
        {"vlanProtocol", IFLA_BR_VLAN_PROTOCOL, AttrType::kBe16},
        {"defaultPvid", IFLA_BR_VLAN_DEFAULT_PVID, AttrType::kU16},
        {"mcastSnooping", IFLA_BR_MCAST_SNOOPING, AttrType::kU8},
        {"nfCallIptables", IFLA_BR_NF_CALL_IPTABLES, AttrType::kU8},
        {"nfCallIp6tables", IFLA_BR_NF_CALL_IP6TABLES, AttrType::kU8},
        // Read only: what the kernel reports.
        {"bridgeId", IFLA_BR_BRIDGE_ID, AttrType::kMac},
        {"rootId", IFLA_BR_ROOT_ID, AttrType::kMac},
        {"rootPort", IFLA_BR_ROOT_PORT, AttrType::kU16},
        {"rootPathCost", IFLA_BR_ROOT_PATH_COST, AttrType::kU32},
        {"topologyChange", IFLA_BR_TOPOLOGY_CHANGE, AttrType::kU8},
        {"topologyChangeDetected", IFLA_BR_TOPOLOGY_CHANGE_DETECTED, AttrType::kU8},
        {"helloTimer", IFLA_BR_HELLO_TIMER, AttrType::kU64},
        {"tcnTimer", IFLA_BR_TCN_TIMER, AttrType::kU64},
        {"topologyChangeTimer", IFLA_BR_TOPOLOGY_CHANGE_TIMER, AttrType::kU64},
        {"gcTimer", IFLA_BR_GC_TIMER, AttrType::kU64},
        {"vlanStatsEnabled", IFLA_BR_VLAN_STATS_ENABLED, AttrType::kU8},
        {"vlanStatsPerPort", IFLA_BR_VLAN_STATS_PER_PORT, AttrType::kU8},
        {"groupFwdMask", IFLA_BR_GROUP_FWD_MASK, AttrType::kU16},
        {"groupAddr", IFLA_BR_GROUP_ADDR, AttrType::kMac},
        {"multiBoolopt", IFLA_BR_MULTI_BOOLOPT, AttrType::kMac},
        {"mcastRouter", IFLA_BR_MCAST_ROUTER, AttrType::kU8},
        {"mcastQueryUseIfaddr", IFLA_BR_MCAST_QUERY_USE_IFADDR, AttrType::kU8},
        {"mcastQuerier", IFLA_BR_MCAST_QUERIER, AttrType::kU8},
        {"mcastHashElasticity", IFLA_BR_MCAST_HASH_ELASTICITY, AttrType::kU32},
        {"mcastHashMax", IFLA_BR_MCAST_HASH_MAX, AttrType::kU32},
        {"mcastLastMemberCnt", IFLA_BR_MCAST_LAST_MEMBER_CNT, AttrType::kU32},
        {"mcastStartupQueryCnt", IFLA_BR_MCAST_STARTUP_QUERY_CNT, AttrType::kU32},
        {"mcastLastMemberIntvl", IFLA_BR_MCAST_LAST_MEMBER_INTVL, AttrType::kU64},
        {"mcastMembershipIntvl", IFLA_BR_MCAST_MEMBERSHIP_INTVL, AttrType::kU64},
        {"mcastQuerierIntvl", IFLA_BR_MCAST_QUERIER_INTVL, AttrType::kU64},
        {"mcastQueryIntvl", IFLA_BR_MCAST_QUERY_INTVL, AttrType::kU64},
        {"mcastQueryResponseIntvl", IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, AttrType::kU64},
        {"mcastStartupQueryIntvl", IFLA_BR_MCAST_STARTUP_QUERY_INTVL, AttrType::kU64},
        {"mcastStatsEnabled", IFLA_BR_MCAST_STATS_ENABLED, AttrType::kU8},
        {"mcastIgmpVersion", IFLA_BR_MCAST_IGMP_VERSION, AttrType::kU8},
        {"mcastMldVersion", IFLA_BR_MCAST_MLD_VERSION, AttrType::kU8},
        {"nfCallArptables", IFLA_BR_NF_CALL_ARPTABLES, AttrType::kU8},
    }};

// Numbered here so that kernel headers older than these build: IFLA_BRPORT_LOCKED (Linux 5.18),
// IFLA_BRPORT_MAB (6.2), IFLA_BRPORT_NEIGH_VLAN_SUPPRESS (6.8).
constexpr uint16_t kBrportLocked = 39;
constexpr uint16_t kBrportMab = 40;
constexpr uint16_t kBrportNeighVlanSuppress = 43;

// A bridge port (IFLA_INFO_SLAVE_KIND "bridge"): what `ip link set PORT type bridge_slave ...`
// sets and `ip -d link show` lists as bridge_slave (the kernel's br_port_policy[]). In the order
// br_setport() applies them: the flags, together, then cost, priority, state, multicast router,
// group forward mask and backup port, each of which can fail on its own; so a request fails, if
// at all, after its flags were applied, and the caller (lib/bridge-port.ts) puts back what was.
// IFLA_BRPORT_BACKUP_PORT is an ifindex, 0 for none; the kernel lists it only when there is one.
const LinkKind kBridgePort{
    "bridge",
    true,
    {
        {"hairpin", IFLA_BRPORT_MODE, AttrType::kU8},
        {"guard", IFLA_BRPORT_GUARD, AttrType::kU8},
        {"rootBlock", IFLA_BRPORT_PROTECT, AttrType::kU8},
        {"fastLeave", IFLA_BRPORT_FAST_LEAVE, AttrType::kU8},
        {"learning", IFLA_BRPORT_LEARNING, AttrType::kU8},
        {"unicastFlood", IFLA_BRPORT_UNICAST_FLOOD, AttrType::kU8},
        {"proxyArp", IFLA_BRPORT_PROXYARP, AttrType::kU8},
        {"proxyArpWifi", IFLA_BRPORT_PROXYARP_WIFI, AttrType::kU8},
        {"mcastFlood", IFLA_BRPORT_MCAST_FLOOD, AttrType::kU8},
        {"mcastToUnicast", IFLA_BRPORT_MCAST_TO_UCAST, AttrType::kU8},
        {"bcastFlood", IFLA_BRPORT_BCAST_FLOOD, AttrType::kU8},
        {"neighSuppress", IFLA_BRPORT_NEIGH_SUPPRESS, AttrType::kU8},
        {"isolated", IFLA_BRPORT_ISOLATED, AttrType::kU8},
        {"locked", kBrportLocked, AttrType::kU8},
        {"vlanTunnel", IFLA_BRPORT_VLAN_TUNNEL, AttrType::kU8},
        {"mab", kBrportMab, AttrType::kU8},
        {"neighVlanSuppress", kBrportNeighVlanSuppress, AttrType::kU8},
        {"cost", IFLA_BRPORT_COST, AttrType::kU32},
        {"priority", IFLA_BRPORT_PRIORITY, AttrType::kU16},
        {"state", IFLA_BRPORT_STATE, AttrType::kU8},
        {"mcastRouter", IFLA_BRPORT_MULTICAST_ROUTER, AttrType::kU8},
        {"groupFwdMask", IFLA_BRPORT_GROUP_FWD_MASK, AttrType::kU16},
        {"backupPort", IFLA_BRPORT_BACKUP_PORT, AttrType::kU32},
        // Read only: the port's spanning tree state, as the kernel reports it.
        {"portId", IFLA_BRPORT_ID, AttrType::kU16},
        {"portNo", IFLA_BRPORT_NO, AttrType::kU16},
        {"designatedPort", IFLA_BRPORT_DESIGNATED_PORT, AttrType::kU16},
        {"designatedCost", IFLA_BRPORT_DESIGNATED_COST, AttrType::kU16},
        {"designatedBridge", IFLA_BRPORT_BRIDGE_ID, AttrType::kMac},
        {"designatedRoot", IFLA_BRPORT_ROOT_ID, AttrType::kMac},
        {"holdTimer", IFLA_BRPORT_HOLD_TIMER, AttrType::kU64},
        {"messageAgeTimer", IFLA_BRPORT_MESSAGE_AGE_TIMER, AttrType::kU64},
        {"forwardDelayTimer", IFLA_BRPORT_FORWARD_DELAY_TIMER, AttrType::kU64},
        {"topologyChangeAck", IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, AttrType::kU8},
        {"configPending", IFLA_BRPORT_CONFIG_PENDING, AttrType::kU8},
    }};

const LinkKindRegistration kRegisterBridge(&kBridge);
const LinkKindRegistration kRegisterBridgePort(&kBridgePort);

}  // namespace
}  // namespace netns_native::rtnl
