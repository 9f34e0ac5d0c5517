// Nexthop objects as rtnetlink messages: RTM_NEWNEXTHOP / RTM_DELNEXTHOP / RTM_GETNEXTHOP
// (struct nhmsg + NHA_*, linux/nexthop.h, kernel 5.3+), what `ip nexthop` sends. A route then
// names one by id (RTA_NH_ID, route.h). No I/O; safe on any thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// One member of a nexthop group (struct nexthop_grp).
struct NexthopGroupEntry {
  uint32_t id = 0;     // the member's id
  uint8_t weight = 0;  // the weight minus 1, as the kernel holds it (`ip`'s `1/2,3` is 0 and 2)
};

// What an RTM_NEWNEXTHOP carries. A group (non-empty `group`) carries nothing else but its
// type; a blackhole no gateway nor device; the kernel refuses other mixes with an extack.
struct NexthopObjectRequest {
  uint32_t id = 0;                       // NHA_ID; 0 lets the kernel pick
  uint8_t family = 0;                    // nh_family: AF_INET / AF_INET6; AF_UNSPEC for a group
  uint8_t protocol = 0;                  // nh_protocol: RTPROT_*
  uint32_t flags = 0;                    // nh_flags: RTNH_F_ONLINK
  std::vector<uint8_t> gateway;          // NHA_GATEWAY
  std::optional<int32_t> oif;            // NHA_OIF
  bool blackhole = false;                // NHA_BLACKHOLE
  std::vector<NexthopGroupEntry> group;  // NHA_GROUP
  std::optional<uint16_t> group_type;    // NHA_GROUP_TYPE: NEXTHOP_GRP_TYPE_*
  bool fdb = false;                      // NHA_FDB: for a bridge/vxlan fdb entry
  // A resilient group's NHA_RES_GROUP (sent, possibly empty, when group_type is
  // NEXTHOP_GRP_TYPE_RES): its number of buckets (kernel default 128), and its timers in clock_t
  // (USER_HZ, 1/100 s: what `ip` sends for `idle_timer 120` is 12000; default 120 s and 0).
  std::optional<uint16_t> res_buckets;           // NHA_RES_GROUP_BUCKETS
  std::optional<uint32_t> res_idle_timer;        // NHA_RES_GROUP_IDLE_TIMER
  std::optional<uint32_t> res_unbalanced_timer;  // NHA_RES_GROUP_UNBALANCED_TIMER
};

// A decoded RTM_NEWNEXTHOP or RTM_DELNEXTHOP message.
struct NexthopObjectInfo {
  uint32_t id = 0;
  uint8_t family = 0, scope = 0, protocol = 0;
  uint32_t flags = 0;
  std::vector<uint8_t> gateway;
  std::optional<int32_t> oif;
  uint8_t blackhole = 0, fdb = 0;
  std::vector<NexthopGroupEntry> group;
  std::optional<uint16_t> group_type;  // present for a group
  // A resilient group's NHA_RES_GROUP, timers in clock_t; unbalanced_time: how long the group has
  // been unbalanced (0 when it is not).
  std::optional<uint32_t> res_buckets, res_idle_timer, res_unbalanced_timer;
  std::optional<uint64_t> res_unbalanced_time;
};

Result<std::vector<uint8_t>> BuildNewNexthop(const NexthopObjectRequest& req, uint16_t nl_flags);
// RTM_DELNEXTHOP: routes using it go too; a group loses it as a member. `nl_flags`: 0, or
// NLM_F_ECHO for the kernel to send the nexthop back (after any group it changed, as NEWNEXTHOP).
Result<std::vector<uint8_t>> BuildDelNexthop(uint32_t id, uint16_t nl_flags = 0);
// RTM_GETNEXTHOP dump: family AF_UNSPEC for all; the kernel keeps only nexthops on `oif` (when
// set) and only groups when `groups_only`.
Result<std::vector<uint8_t>> BuildDumpNexthops(uint8_t family, std::optional<int32_t> oif,
                                               bool groups_only);

// Decodes an RTM_NEWNEXTHOP (reply or event) or RTM_DELNEXTHOP (event) message.
Result<NexthopObjectInfo> ParseNexthop(const nlmsghdr& msg);

// One bucket of a resilient group, as `ip nexthop bucket show` lists it (RTM_NEWNEXTHOPBUCKET:
// nhmsg, NHA_ID, a nested NHA_RES_BUCKET), Linux 5.13+.
struct NexthopBucketInfo {
  uint32_t id = 0;          // the group's id
  uint32_t index = 0;       // NHA_RES_BUCKET_INDEX
  uint64_t idle_time = 0;   // NHA_RES_BUCKET_IDLE_TIME: clock_t since the bucket was last used
  uint32_t nexthop_id = 0;  // NHA_RES_BUCKET_NH_ID: the member holding it
};

// RTM_GETNEXTHOPBUCKET dump; the kernel keeps only the buckets of group `id` and of nexthops on
// `oif` when set.
Result<std::vector<uint8_t>> BuildDumpNexthopBuckets(std::optional<uint32_t> id,
                                                     std::optional<int32_t> oif);
Result<NexthopBucketInfo> ParseNexthopBucket(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
