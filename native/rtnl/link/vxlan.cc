// Kind "vxlan": `ip link add NAME type vxlan id VNI [local IP] [remote IP | group IP] [dev DEV]
// [dstport PORT] [nolearning] [ttl N] [tos N] [udpcsum] ...` (IFLA_VXLAN_*, linux/if_link.h;
// types as the kernel's vxlan_policy[] declares them). GROUP holds a multicast group or a
// unicast remote alike (the kernel tells them apart by the address); LOCAL and GROUP have
// IPv6 twins. The destination port is big-endian on the wire. IFLA_VXLAN_PORT_RANGE, the source
// ports (`srcport LOW HIGH`, struct ifla_vxlan_port_range: two __be16, low then high), is those
// four bytes read as one big-endian u32: low << 16 | high, the same on any host.
// IFLA_VXLAN_TTL_INHERIT is a flag the kernel takes but a u8 (0 or 1) it reports
// (vxlan_fill_info): read as a u8, since a flag's presence would say inherit always; lib/ never
// sends it.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kVxlan{"vxlan",
                      false,
                      {
                          {"vni", IFLA_VXLAN_ID, AttrType::kU32},
                          {"group", IFLA_VXLAN_GROUP, AttrType::kIp, IFLA_VXLAN_GROUP6},
                          {"link", IFLA_VXLAN_LINK, AttrType::kU32},
                          {"local", IFLA_VXLAN_LOCAL, AttrType::kIp, IFLA_VXLAN_LOCAL6},
                          {"ttl", IFLA_VXLAN_TTL, AttrType::kU8},
                          {"tos", IFLA_VXLAN_TOS, AttrType::kU8},
                          {"learning", IFLA_VXLAN_LEARNING, AttrType::kU8},
                          {"ageing", IFLA_VXLAN_AGEING, AttrType::kU32},
                          {"limit", IFLA_VXLAN_LIMIT, AttrType::kU32},
                          {"proxy", IFLA_VXLAN_PROXY, AttrType::kU8},
                          {"rsc", IFLA_VXLAN_RSC, AttrType::kU8},
                          {"l2miss", IFLA_VXLAN_L2MISS, AttrType::kU8},
                          {"l3miss", IFLA_VXLAN_L3MISS, AttrType::kU8},
                          {"port", IFLA_VXLAN_PORT, AttrType::kBe16},
                          {"udpCsum", IFLA_VXLAN_UDP_CSUM, AttrType::kU8},
                          {"udpZeroCsum6Tx", IFLA_VXLAN_UDP_ZERO_CSUM6_TX, AttrType::kU8},
                          {"udpZeroCsum6Rx", IFLA_VXLAN_UDP_ZERO_CSUM6_RX, AttrType::kU8},
                          {"remcsumTx", IFLA_VXLAN_REMCSUM_TX, AttrType::kU8},
                          {"remcsumRx", IFLA_VXLAN_REMCSUM_RX, AttrType::kU8},
                          {"gbp", IFLA_VXLAN_GBP, AttrType::kFlag},
                          {"remcsumNoPartial", IFLA_VXLAN_REMCSUM_NOPARTIAL, AttrType::kFlag},
                          {"collectMetadata", IFLA_VXLAN_COLLECT_METADATA, AttrType::kU8},
                          {"label", IFLA_VXLAN_LABEL, AttrType::kBe32},
                          {"gpe", IFLA_VXLAN_GPE, AttrType::kFlag},
                          {"ttlInherit", IFLA_VXLAN_TTL_INHERIT, AttrType::kU8},
                          {"df", IFLA_VXLAN_DF, AttrType::kU8},
                          {"vnifilter", IFLA_VXLAN_VNIFILTER, AttrType::kU8},
                          {"portRange", IFLA_VXLAN_PORT_RANGE, AttrType::kBe32},
                      }};

const LinkKindRegistration kRegisterVxlan(&kVxlan);

}  // namespace
}  // namespace netns_native::rtnl
