// Kind "bond": `ip link add NAME type bond mode MODE [miimon MS] ...` (IFLA_BOND_*,
// linux/if_link.h; the kernel's bond_policy[]), and its ports (IFLA_INFO_SLAVE_KIND "bond":
// IFLA_BOND_SLAVE_*, read only). MODE is BOND_MODE_* (balance-rr 0 ... balance-alb 6). The
// ARP and NS target lists and the 802.3ad info (nests) are kept raw when read.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kBond{"bond",
                     false,
                     {
                         {"mode", IFLA_BOND_MODE, AttrType::kU8},
                         {"activeSlave", IFLA_BOND_ACTIVE_SLAVE, AttrType::kU32},
                         {"miimon", IFLA_BOND_MIIMON, AttrType::kU32},
                         {"updelay", IFLA_BOND_UPDELAY, AttrType::kU32},
                         {"downdelay", IFLA_BOND_DOWNDELAY, AttrType::kU32},
                         {"useCarrier", IFLA_BOND_USE_CARRIER, AttrType::kU8},
                         {"arpInterval", IFLA_BOND_ARP_INTERVAL, AttrType::kU32},
                         {"arpValidate", IFLA_BOND_ARP_VALIDATE, AttrType::kU32},
                         {"arpAllTargets", IFLA_BOND_ARP_ALL_TARGETS, AttrType::kU32},
                         {"primary", IFLA_BOND_PRIMARY, AttrType::kU32},
                         {"primaryReselect", IFLA_BOND_PRIMARY_RESELECT, AttrType::kU8},
                         {"failOverMac", IFLA_BOND_FAIL_OVER_MAC, AttrType::kU8},
                         {"xmitHashPolicy", IFLA_BOND_XMIT_HASH_POLICY, AttrType::kU8},
                         {"resendIgmp", IFLA_BOND_RESEND_IGMP, AttrType::kU32},
                         {"numPeerNotif", IFLA_BOND_NUM_PEER_NOTIF, AttrType::kU8},
                         {"allSlavesActive", IFLA_BOND_ALL_SLAVES_ACTIVE, AttrType::kU8},
                         {"minLinks", IFLA_BOND_MIN_LINKS, AttrType::kU32},
                         {"lpInterval", IFLA_BOND_LP_INTERVAL, AttrType::kU32},
                         {"packetsPerSlave", IFLA_BOND_PACKETS_PER_SLAVE, AttrType::kU32},
                         {"adLacpRate", IFLA_BOND_AD_LACP_RATE, AttrType::kU8},
                         {"adSelect", IFLA_BOND_AD_SELECT, AttrType::kU8},
                         {"adActorSysPrio", IFLA_BOND_AD_ACTOR_SYS_PRIO, AttrType::kU16},
                         {"adUserPortKey", IFLA_BOND_AD_USER_PORT_KEY, AttrType::kU16},
                         {"adActorSystem", IFLA_BOND_AD_ACTOR_SYSTEM, AttrType::kMac},
                         {"tlbDynamicLb", IFLA_BOND_TLB_DYNAMIC_LB, AttrType::kU8},
                         {"peerNotifDelay", IFLA_BOND_PEER_NOTIF_DELAY, AttrType::kU32},
                         {"missedMax", IFLA_BOND_MISSED_MAX, AttrType::kU8},
                     }};

const LinkKind kBondPort{
    "bond",
    true,
    {
        {"state", IFLA_BOND_SLAVE_STATE, AttrType::kU8},
        {"miiStatus", IFLA_BOND_SLAVE_MII_STATUS, AttrType::kU8},
        {"linkFailureCount", IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, AttrType::kU32},
        {"permHwaddr", IFLA_BOND_SLAVE_PERM_HWADDR, AttrType::kMac},
        {"queueId", IFLA_BOND_SLAVE_QUEUE_ID, AttrType::kU16},
        {"adAggregatorId", IFLA_BOND_SLAVE_AD_AGGREGATOR_ID, AttrType::kU16},
        {"prio", IFLA_BOND_SLAVE_PRIO, AttrType::kU32},
    }};

const LinkKindRegistration kRegisterBond(&kBond);
const LinkKindRegistration kRegisterBondPort(&kBondPort);

}  // namespace
}  // namespace netns_native::rtnl
