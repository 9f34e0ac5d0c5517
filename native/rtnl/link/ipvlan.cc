// Kinds "ipvlan" and "ipvtap": `ip link add NAME link PARENT type ipvlan mode l2|l3|l3s
// [bridge|private|vepa]` (IFLA_IPVLAN_*, linux/if_link.h). MODE is IPVLAN_MODE_* (l2 0, l3 1,
// l3s 2); FLAGS are IPVLAN_F_PRIVATE (1) and IPVLAN_F_VEPA (2).
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

std::vector<AttrSpec> IpvlanAttrs() {
  return {
      {"mode", IFLA_IPVLAN_MODE, AttrType::kU16},
      {"flags", IFLA_IPVLAN_FLAGS, AttrType::kU16},
  };
}

const LinkKind kIpvlan{"ipvlan", false, IpvlanAttrs()};
const LinkKind kIpvtap{"ipvtap", false, IpvlanAttrs()};

const LinkKindRegistration kRegisterIpvlan(&kIpvlan);
const LinkKindRegistration kRegisterIpvtap(&kIpvtap);

}  // namespace
}  // namespace netns_native::rtnl
