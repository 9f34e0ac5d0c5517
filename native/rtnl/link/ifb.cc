// Kind "ifb" (intermediate functional block, the target of `tc ... action mirred redirect`):
// `ip link add NAME type ifb`. It has no attributes of its own; the empty table makes the kind
// known (schema, reads) like any other.
#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kIfb{"ifb", false, {}};

const LinkKindRegistration kRegisterIfb(&kIfb);

}  // namespace
}  // namespace netns_native::rtnl
