// Multicast group memberships as rtnetlink messages: RTM_GETMULTICAST dumps, answered by messages
// of type RTM_GETMULTICAST (struct ifaddrmsg + IFA_MULTICAST + IFA_CACHEINFO). IPv6 has answered
// them for long (inet6_dump_ifmcaddr); IPv4 since Linux 6.14 (inet_dump_ifmcaddr); other families,
// and IPv4 before, refuse them with EOPNOTSUPP. The kernel sends neither the users' count nor
// link-layer entries this way: those are only in /proc/net (ns/proc_multicast.h). No I/O; safe on
// any thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// A decoded RTM_NEWMULTICAST: one group joined on one link.
struct MulticastGroupInfo {
  uint8_t family = 0;          // AF_INET / AF_INET6
  int32_t index = 0;           // ifa_index: the link
  std::vector<uint8_t> group;  // IFA_MULTICAST: 4 or 16 bytes
  uint32_t created = 0;        // IFA_CACHEINFO cstamp: 1/100 s since boot when joined
  uint32_t updated = 0;        // IFA_CACHEINFO tstamp: 1/100 s since boot, last change
};

// RTM_GETMULTICAST with NLM_F_DUMP: the groups of `family` (AF_INET or AF_INET6) on every link.
Result<std::vector<uint8_t>> BuildDumpMulticast(uint8_t family);

// Decodes a dump's entry (type RTM_GETMULTICAST) or an RTM_NEWMULTICAST / RTM_DELMULTICAST
// notification (Linux 6.14+). EINVAL when the
// message is short, or has no IFA_MULTICAST of the family's length.
Result<MulticastGroupInfo> ParseMulticast(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
