// Per-namespace IP configuration as rtnetlink messages: RTM_GETNETCONF dumps answered by
// RTM_NEWNETCONF (struct netconfmsg + NETCONFA_*, linux/netconf.h), what `ip netconf show`
// sends and prints. One entry per family and device, plus the "all" and "default" entries
// (NETCONFA_IFINDEX_ALL / _DEFAULT). No I/O; safe on any thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// A decoded RTM_NEWNETCONF: each value only when the kernel sent it (IPv4 sends rp_filter and
// bc_forwarding, IPv6 does not; MPLS sends input alone).
struct NetconfInfo {
  uint8_t family = 0;
  std::optional<int32_t> ifindex;  // NETCONFA_IFINDEX: > 0 a link, -1 "all", -2 "default"
  std::optional<int32_t> forwarding;
  std::optional<int32_t> rp_filter;
  std::optional<int32_t> mc_forwarding;
  std::optional<int32_t> proxy_neigh;
  std::optional<int32_t> ignore_routes_with_linkdown;
  std::optional<int32_t> bc_forwarding;
  std::optional<int32_t> input;
};

// RTM_GETNETCONF with NLM_F_DUMP: every entry of `family` (AF_INET, AF_INET6; AF_UNSPEC: of
// every family that has them), as iproute2's rtnl_netconfdump_req builds it.
Result<std::vector<uint8_t>> BuildDumpNetconf(uint8_t family);

Result<NetconfInfo> ParseNetconf(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
