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
                       }};

// A bridge port (IFLA_INFO_SLAVE_KIND "bridge"), what `ip -d link` shows as bridge_slave.
const LinkKind kBridgePort{"bridge",
                           true,
                           {
                               {"state", IFLA_BRPORT_STATE, AttrType::kU8},
                               {"priority", IFLA_BRPORT_PRIORITY, AttrType::kU16},
                               {"cost", IFLA_BRPORT_COST, AttrType::kU32},
                               {"hairpin", IFLA_BRPORT_MODE, AttrType::kU8},
                               {"guard", IFLA_BRPORT_GUARD, AttrType::kU8},
                               {"learning", IFLA_BRPORT_LEARNING, AttrType::kU8},
                               {"unicastFlood", IFLA_BRPORT_UNICAST_FLOOD, AttrType::kU8},
                               {"isolated", IFLA_BRPORT_ISOLATED, AttrType::kU8},
                           }};

const LinkKindRegistration kRegisterBridge(&kBridge);
const LinkKindRegistration kRegisterBridgePort(&kBridgePort);

}  // namespace
}  // namespace netns_native::rtnl
