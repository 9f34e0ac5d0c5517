// Kind "bridge": `ip link add NAME type bridge ...` (IFLA_BR_*, linux/if_link.h), and the
// settings of a bridge's ports (`ip link set PORT type bridge_slave ...`, IFLA_BRPORT_*).
// Times are in centiseconds (USER_HZ), as iproute2 shows them.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kBridge{"bridge",
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
const LinkKind kBridgePort{"bridge",
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
                           }};

const LinkKindRegistration kRegisterBridge(&kBridge);
const LinkKindRegistration kRegisterBridgePort(&kBridgePort);

}  // namespace
}  // namespace netns_native::rtnl
