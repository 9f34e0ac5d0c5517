// Kind "tun" (TUN and TAP devices alike), read only: a persistent tap is made through
// /dev/net/tun (ns/tun.h), not through rtnetlink, which refuses to create one. What the kernel
// reports (IFLA_TUN_*, linux/if_link.h; tun_fill_info): TYPE is IFF_TUN (1) or IFF_TAP (2), the
// flags are u8 booleans, OWNER and GROUP are present only when set.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kTun{"tun",
                    false,
                    {
                        {"owner", IFLA_TUN_OWNER, AttrType::kU32},
                        {"group", IFLA_TUN_GROUP, AttrType::kU32},
                        {"type", IFLA_TUN_TYPE, AttrType::kU8},
                        {"pi", IFLA_TUN_PI, AttrType::kU8},
                        {"vnetHdr", IFLA_TUN_VNET_HDR, AttrType::kU8},
                        {"persist", IFLA_TUN_PERSIST, AttrType::kU8},
                        {"multiQueue", IFLA_TUN_MULTI_QUEUE, AttrType::kU8},
                        {"numQueues", IFLA_TUN_NUM_QUEUES, AttrType::kU32},
                        {"numDisabledQueues", IFLA_TUN_NUM_DISABLED_QUEUES, AttrType::kU32},
                    }};

const LinkKindRegistration kRegisterTun(&kTun);

}  // namespace
}  // namespace netns_native::rtnl
