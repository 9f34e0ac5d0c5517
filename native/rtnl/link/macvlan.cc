// Kinds "macvlan" and "macvtap": `ip link add NAME link PARENT type macvlan|macvtap mode MODE`
// (IFLA_MACVLAN_*, linux/if_link.h; both kinds share the kernel's macvlan_policy[]). The parent
// is IFLA_LINK of the request, not an attribute of the kind. MODE is one of MACVLAN_MODE_*
// (private 1, vepa 2, bridge 4, passthru 8, source 16). The source-MAC list
// (IFLA_MACVLAN_MACADDR_DATA, a nest) is kept raw when read.
#include <linux/if_link.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

// Both kinds take the same attributes: one list, two registrations.
std::vector<AttrSpec> MacvlanAttrs() {
  return {
      {"mode", IFLA_MACVLAN_MODE, AttrType::kU32},
      {"flags", IFLA_MACVLAN_FLAGS, AttrType::kU16},
      {"macaddrMode", IFLA_MACVLAN_MACADDR_MODE, AttrType::kU32},
      {"macaddr", IFLA_MACVLAN_MACADDR, AttrType::kMac},
      {"macaddrCount", IFLA_MACVLAN_MACADDR_COUNT, AttrType::kU32},
      {"bcQueueLen", IFLA_MACVLAN_BC_QUEUE_LEN, AttrType::kU32},
      {"bcQueueLenUsed", IFLA_MACVLAN_BC_QUEUE_LEN_USED, AttrType::kU32},
  };
}

const LinkKind kMacvlan{"macvlan", false, MacvlanAttrs()};
const LinkKind kMacvtap{"macvtap", false, MacvlanAttrs()};

const LinkKindRegistration kRegisterMacvlan(&kMacvlan);
const LinkKindRegistration kRegisterMacvtap(&kMacvtap);

}  // namespace
}  // namespace netns_native::rtnl
