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

// RTM_GETNETCONF for one entry: link `ifindex` (or NETCONFA_IFINDEX_ALL / _DEFAULT) of `family`
// (AF_INET or AF_INET6: the kernel has no AF_UNSPEC handler for a single get), as `ip -4 netconf
// show dev X` sends it. Answered by one RTM_NEWNETCONF; EINVAL or ENODEV when the link has no
// such entry or is gone.
Result<std::vector<uint8_t>> BuildGetNetconf(uint8_t family, int32_t ifindex);

// A decoded RTM_NEWNETCONF (a dump's entry, a get's answer, a notification) or RTM_DELNETCONF (a
// notification: the link's entry went, with its index alone).
Result<NetconfInfo> ParseNetconf(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
