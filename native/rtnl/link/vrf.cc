// Kind "vrf": `ip link add NAME type vrf table ID` (IFLA_VRF_*, linux/if_link.h), and its ports
// (IFLA_INFO_SLAVE_KIND "vrf": IFLA_VRF_PORT_*).
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kVrf{"vrf", false, {{"table", IFLA_VRF_TABLE, AttrType::kU32}}};
const LinkKind kVrfPort{"vrf", true, {{"table", IFLA_VRF_PORT_TABLE, AttrType::kU32}}};

const LinkKindRegistration kRegisterVrf(&kVrf);
const LinkKindRegistration kRegisterVrfPort(&kVrfPort);

}  // namespace
}  // namespace netns_native::rtnl
