// Kind "veth": `ip link add NAME type veth peer name PEER [netns NS]`. The peer is a whole link
// request of its own (an ifinfomsg and IFLA_* attributes, IFLA_NET_NS_FD among them) nested in
// VETH_INFO_PEER, which is how both ends can be born in different namespaces in one request.
#include <linux/veth.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

const LinkKind kVeth{"veth", false, {{"peer", VETH_INFO_PEER, AttrType::kLink}}};

const LinkKindRegistration kRegisterVeth(&kVeth);

}  // namespace
}  // namespace netns_native::rtnl
