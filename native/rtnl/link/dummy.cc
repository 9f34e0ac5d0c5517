// Kind "dummy": `ip link add NAME type dummy`. No attributes of its own. (The kernel these tests
// run on is built without it; the table makes it known all the same.)
#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kDummy{"dummy", false, {}};

const LinkKindRegistration kRegisterDummy(&kDummy);

}  // namespace
}  // namespace netns_native::rtnl
