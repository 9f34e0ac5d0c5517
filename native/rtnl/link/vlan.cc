// Kind "vlan": `ip link add NAME link PARENT type vlan id ID [protocol 802.1ad]`
// (IFLA_VLAN_*, linux/if_link.h; the kernel's vlan_policy[]). The parent is IFLA_LINK of the
// request. IFLA_VLAN_FLAGS (struct ifla_vlan_flags) and the QoS maps (nests) have no shape here
// and are kept raw when read.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kVlan{"vlan",
                     false,
                     {
                         {"id", IFLA_VLAN_ID, AttrType::kU16},
                         {"protocol", IFLA_VLAN_PROTOCOL, AttrType::kBe16},
                     }};

const LinkKindRegistration kRegisterVlan(&kVlan);

}  // namespace
}  // namespace netns_native::rtnl
