// Namespace ids as rtnetlink messages: RTM_NEWNSID / RTM_GETNSID (struct rtgenmsg +
// NETNSA_*, linux/net_namespace.h), what `ip netns set` and `ip netns list-id` send. A
// namespace numbers the other namespaces it refers to (a veth peer's IFLA_LINK_NETNSID, ...);
// the request is sent on a socket of the namespace whose numbering is asked, the other one is
// named by an fd. No I/O; safe on any thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// A decoded RTM_NEWNSID (reply or event) or RTM_DELNSID (event).
struct NsidInfo {
  int32_t nsid = -1;                    // NETNSA_NSID; -1 (NETNSA_NSID_NOT_ASSIGNED): none
  std::optional<int32_t> current_nsid;  // NETNSA_CURRENT_NSID, when the request had a target
};

// RTM_NEWNSID: give the namespace `netns_fd` refers to the id `nsid` here; -1 lets the kernel
// pick a free one (`ip netns set NAME auto`). EEXIST if it already has one.
Result<std::vector<uint8_t>> BuildNewNsid(int netns_fd, int32_t nsid);
// RTM_GETNSID: the id the namespace `netns_fd` refers to has here (-1 if none); answered by an
// RTM_NEWNSID.
Result<std::vector<uint8_t>> BuildGetNsid(int netns_fd);
// RTM_GETNSID dump (`ip netns list-id [target-nsid N]`): every id this namespace gives, or with
// `target_nsid` (NETNSA_TARGET_NSID) every id the namespace this one numbers so gives, each
// answered with the id this namespace gives that peer (NETNSA_CURRENT_NSID, -1 if none).
Result<std::vector<uint8_t>> BuildDumpNsids(std::optional<int32_t> target_nsid);

Result<NsidInfo> ParseNsid(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
