// Routes as rtnetlink messages: RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE. No I/O.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

struct RouteRequest {
  uint8_t family = 0;                // AF_INET / AF_INET6
  uint8_t dst_len = 0;               // 0 with empty dst: the default route
  uint32_t table = 0;                // RT_TABLE_*; ids above 255 go in RTA_TABLE
  uint8_t protocol = 0;              // RTPROT_*
  uint8_t scope = 0;                 // RT_SCOPE_*
  uint8_t type = 0;                  // RTN_*
  uint32_t flags = 0;                // RTNH_F_ONLINK, ...
  std::vector<uint8_t> dst;          // RTA_DST
  std::vector<uint8_t> gateway;      // RTA_GATEWAY
  std::vector<uint8_t> prefsrc;      // RTA_PREFSRC
  std::optional<int32_t> oif;        // RTA_OIF
  std::optional<uint32_t> priority;  // RTA_PRIORITY (the metric)
};

struct RouteInfo {
  uint8_t family = 0, dst_len = 0, src_len = 0, tos = 0;
  uint8_t protocol = 0, scope = 0, type = 0;
  uint32_t table = 0;  // RTA_TABLE when present, else rtm_table
  uint32_t flags = 0;  // rtm_flags (RTM_F_CLONED, ...) and next-hop flags
  std::vector<uint8_t> dst, gateway, prefsrc;
  int32_t oif = 0;
  std::optional<uint32_t> priority;
};

Result<std::vector<uint8_t>> BuildNewRoute(const RouteRequest& req, uint16_t nl_flags);
Result<std::vector<uint8_t>> BuildDelRoute(const RouteRequest& req);
// RTM_GETROUTE dump; family AF_UNSPEC for both; table 0 for every table (filtered in the kernel).
Result<std::vector<uint8_t>> BuildDumpRoutes(uint8_t family, uint32_t table);

// Decodes an RTM_NEWROUTE (reply or event) or RTM_DELROUTE (event) message.
Result<RouteInfo> ParseRoute(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
