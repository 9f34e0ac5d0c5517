// Routes as rtnetlink messages: RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE. No I/O.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// One next hop of a multipath route (struct rtnexthop + RTA_GATEWAY, in RTA_MULTIPATH).
struct NexthopRequest {
  std::vector<uint8_t> gateway;  // RTA_GATEWAY; empty: a device next hop
  std::optional<int32_t> oif;    // rtnh_ifindex; unset: found from the gateway
  uint8_t hops = 0;              // rtnh_hops: the weight minus 1 (`weight 1` is 0)
  uint8_t flags = 0;             // rtnh_flags: RTNH_F_ONLINK, ...
};

struct NexthopInfo {
  std::vector<uint8_t> gateway;
  int32_t oif = 0;
  uint8_t hops = 0, flags = 0;
};

struct RouteRequest {
  uint8_t family = 0;                     // AF_INET / AF_INET6
  uint8_t dst_len = 0;                    // 0 with empty dst: the default route
  uint8_t tos = 0;                        // rtm_tos (IPv4 only): the DS field it matches
  uint32_t table = 0;                     // RT_TABLE_*; ids above 255 go in RTA_TABLE
  uint8_t protocol = 0;                   // RTPROT_*
  uint8_t scope = 0;                      // RT_SCOPE_*
  uint8_t type = 0;                       // RTN_*
  uint32_t flags = 0;                     // RTNH_F_ONLINK, ...
  std::vector<uint8_t> dst;               // RTA_DST
  std::vector<uint8_t> gateway;           // RTA_GATEWAY
  std::vector<uint8_t> prefsrc;           // RTA_PREFSRC
  std::optional<int32_t> oif;             // RTA_OIF
  std::optional<uint32_t> priority;       // RTA_PRIORITY (the metric)
  std::vector<NexthopRequest> multipath;  // RTA_MULTIPATH, when not empty (ECMP)
};

struct RouteInfo {
  uint8_t family = 0, dst_len = 0, src_len = 0, tos = 0;
  uint8_t protocol = 0, scope = 0, type = 0;
  uint32_t table = 0;  // RTA_TABLE when present, else rtm_table
  uint32_t flags = 0;  // rtm_flags (RTM_F_CLONED, ...) and next-hop flags
  std::vector<uint8_t> dst, gateway, prefsrc;
  int32_t oif = 0;
  std::optional<uint32_t> priority;
  std::optional<uint32_t> pref;        // RTA_PREF (IPv6): ICMPV6_ROUTER_PREF_*
  std::vector<NexthopInfo> multipath;  // RTA_MULTIPATH
};

Result<std::vector<uint8_t>> BuildNewRoute(const RouteRequest& req, uint16_t nl_flags);
Result<std::vector<uint8_t>> BuildDelRoute(const RouteRequest& req);
// RTM_GETROUTE dump; family AF_UNSPEC for both; table 0 for every table (filtered in the kernel).
Result<std::vector<uint8_t>> BuildDumpRoutes(uint8_t family, uint32_t table);

// Decodes an RTM_NEWROUTE (reply or event) or RTM_DELROUTE (event) message.
Result<RouteInfo> ParseRoute(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
