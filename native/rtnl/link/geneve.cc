// Kind "geneve": `ip link add NAME type geneve id VNI remote IP [dstport PORT] [ttl N] ...`
// (IFLA_GENEVE_*, linux/if_link.h; the kernel's geneve_policy[]). REMOTE has an IPv6 twin; the
// port and the flow label are big-endian on the wire.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kGeneve{"geneve",
                       false,
                       {
                           {"vni", IFLA_GENEVE_ID, AttrType::kU32},
                           {"remote", IFLA_GENEVE_REMOTE, AttrType::kIp, IFLA_GENEVE_REMOTE6},
                           {"ttl", IFLA_GENEVE_TTL, AttrType::kU8},
                           {"tos", IFLA_GENEVE_TOS, AttrType::kU8},
                           {"port", IFLA_GENEVE_PORT, AttrType::kBe16},
                           {"collectMetadata", IFLA_GENEVE_COLLECT_METADATA, AttrType::kFlag},
                           {"udpCsum", IFLA_GENEVE_UDP_CSUM, AttrType::kU8},
                           {"udpZeroCsum6Tx", IFLA_GENEVE_UDP_ZERO_CSUM6_TX, AttrType::kU8},
                           {"udpZeroCsum6Rx", IFLA_GENEVE_UDP_ZERO_CSUM6_RX, AttrType::kU8},
                           {"label", IFLA_GENEVE_LABEL, AttrType::kBe32},
                           {"ttlInherit", IFLA_GENEVE_TTL_INHERIT, AttrType::kU8},
                           {"df", IFLA_GENEVE_DF, AttrType::kU8},
                           {"innerProtoInherit", IFLA_GENEVE_INNER_PROTO_INHERIT, AttrType::kFlag},
                       }};

const LinkKindRegistration kRegisterGeneve(&kGeneve);

}  // namespace
}  // namespace netns_native::rtnl
