// Routes as rtnetlink messages: RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE. No I/O.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../common/result.h"
#include "route_encap.h"

namespace netns_native::rtnl {

// One next hop of a multipath route (struct rtnexthop + RTA_GATEWAY, in RTA_MULTIPATH).
struct NexthopRequest {
  std::vector<uint8_t> gateway;     // RTA_GATEWAY; empty: a device next hop
  std::optional<int32_t> oif;       // rtnh_ifindex; unset: found from the gateway
  uint8_t hops = 0;                 // rtnh_hops: the weight minus 1 (`weight 1` is 0)
  uint8_t flags = 0;                // rtnh_flags: RTNH_F_ONLINK, ...
  std::optional<uint32_t> flow;     // RTA_FLOW: realms, source << 16 | destination (`realms 3/5`)
  std::optional<RouteEncap> encap;  // RTA_ENCAP + RTA_ENCAP_TYPE: `nexthop encap ... dev D`
};

struct NexthopInfo {
  std::vector<uint8_t> gateway;
  int32_t oif = 0;
  uint8_t hops = 0, flags = 0;
  std::optional<uint32_t> flow;     // RTA_FLOW, when the hop has realms
  std::optional<RouteEncap> encap;  // RTA_ENCAP + RTA_ENCAP_TYPE, when the hop has one
};

// RTA_METRICS: a route's metrics (nested RTAX_*), in the kernel's units, which are not all
// iproute2's: RTAX_RTT is in 1/8 ms and RTAX_RTTVAR in 1/4 ms (TCP's scaled srtt and mdev:
// tcp_metrics.c reads them as "cached RTT scaled by 8"), which `ip route` takes and prints in ms
// (`rtt 100ms` sends 800); RTAX_RTO_MIN is in ms. A metric the kernel holds as 0 is unset: it is
// neither dumped nor, here, present. The kernel caps RTAX_MTU at 65520, RTAX_ADVMSS at 65495 and
// RTAX_HOPLIMIT at 255 (ip_metrics_convert).
struct RouteMetrics {
  uint32_t lock = 0;  // RTAX_LOCK: bit (1 << RTAX_*) for each metric the kernel must not change
  std::optional<uint32_t> mtu;                 // RTAX_MTU
  std::optional<uint32_t> window;              // RTAX_WINDOW
  std::optional<uint32_t> rtt;                 // RTAX_RTT, 1/8 ms
  std::optional<uint32_t> rttvar;              // RTAX_RTTVAR, 1/4 ms
  std::optional<uint32_t> ssthresh;            // RTAX_SSTHRESH
  std::optional<uint32_t> cwnd;                // RTAX_CWND
  std::optional<uint32_t> advmss;              // RTAX_ADVMSS
  std::optional<uint32_t> reordering;          // RTAX_REORDERING
  std::optional<uint32_t> hoplimit;            // RTAX_HOPLIMIT
  std::optional<uint32_t> initcwnd;            // RTAX_INITCWND
  std::optional<uint32_t> features;            // RTAX_FEATURES: RTAX_FEATURE_*
  std::optional<uint32_t> rto_min;             // RTAX_RTO_MIN, ms
  std::optional<uint32_t> initrwnd;            // RTAX_INITRWND
  std::optional<uint32_t> quickack;            // RTAX_QUICKACK
  std::optional<std::string> cc_algo;          // RTAX_CC_ALGO: a TCP congestion control's name
  std::optional<uint32_t> fastopen_no_cookie;  // RTAX_FASTOPEN_NO_COOKIE

  // Nothing to send: no metric and no lock.
  bool empty() const;
};

struct RouteRequest {
  uint8_t family = 0;                     // AF_INET / AF_INET6
  uint8_t dst_len = 0;                    // 0 with empty dst: the default route
  uint8_t src_len = 0;                    // rtm_src_len: an IPv6 source-specific route (`from`)
  uint8_t tos = 0;                        // rtm_tos (IPv4 only): the DS field it matches
  uint32_t table = 0;                     // RT_TABLE_*; ids above 255 go in RTA_TABLE
  uint8_t protocol = 0;                   // RTPROT_*
  uint8_t scope = 0;                      // RT_SCOPE_*
  uint8_t type = 0;                       // RTN_*
  uint32_t flags = 0;                     // RTNH_F_ONLINK, ...
  std::vector<uint8_t> dst;               // RTA_DST
  std::vector<uint8_t> src;               // RTA_SRC (with src_len)
  std::vector<uint8_t> gateway;           // RTA_GATEWAY
  std::vector<uint8_t> prefsrc;           // RTA_PREFSRC
  std::optional<int32_t> oif;             // RTA_OIF
  std::optional<uint32_t> priority;       // RTA_PRIORITY (the metric)
  std::vector<NexthopRequest> multipath;  // RTA_MULTIPATH, when not empty (ECMP)
  RouteMetrics metrics;                   // RTA_METRICS, when not empty
  std::optional<uint8_t> pref;            // RTA_PREF (IPv6): ICMPV6_ROUTER_PREF_*
  std::optional<uint32_t> expires;        // RTA_EXPIRES (IPv6): seconds until it is removed
  std::optional<uint32_t> nhid;           // RTA_NH_ID: a nexthop object (nexthop.h) as next hop
  // RTA_FLOW: the route's realms (CONFIG_IP_ROUTE_CLASSID), source realm << 16 | destination
  // realm; IPv4 only (IPv6 takes and drops it). A delete with it matches only that value.
  std::optional<uint32_t> flow;
  std::optional<RouteEncap> encap;  // RTA_ENCAP + RTA_ENCAP_TYPE (route_encap.h)
};

struct RouteInfo {
  uint8_t family = 0, dst_len = 0, src_len = 0, tos = 0;
  uint8_t protocol = 0, scope = 0, type = 0;
  uint32_t table = 0;  // RTA_TABLE when present, else rtm_table
  uint32_t flags = 0;  // rtm_flags (RTM_F_CLONED, ...) and next-hop flags
  // RTA_SRC: with src_len, the sources an IPv6 source-specific route is for (`from`); in a
  // lookup's answer, the source asked with (not the one the kernel picks, which is prefsrc).
  std::vector<uint8_t> dst, src, gateway, prefsrc;
  int32_t oif = 0;
  std::optional<uint32_t> priority;
  std::optional<uint32_t> pref;         // RTA_PREF (IPv6): ICMPV6_ROUTER_PREF_*
  std::vector<NexthopInfo> multipath;   // RTA_MULTIPATH
  std::optional<RouteMetrics> metrics;  // RTA_METRICS, when the route has any
  // RTA_CACHEINFO's rta_expires, in whole seconds (truncated, as `ip route` prints it): the time
  // left before the kernel removes the route (an IPv6 route added with RTA_EXPIRES, or a prefix
  // route of an address with a finite lifetime); 0 or less: expired, not yet collected. Unset
  // when the route does not expire.
  std::optional<int32_t> expires;
  // The rest of RTA_CACHEINFO that `ip -s route` prints, each set when not 0 (as ip prints it):
  // rta_error (the route's error, a negative errno), rta_clntref (its users), rta_used (how
  // often it was used) and rta_lastuse (how long since, here in milliseconds). The kernel sends
  // them for a route that has a dst entry: an exception, a lookup's answer, an IPv6 clone
  // (rtnl_put_cacheinfo); rta_id, rta_ts and rta_tsage it leaves 0.
  std::optional<int32_t> cache_error;
  std::optional<uint32_t> cache_users, cache_used, cache_last_use_ms;
  // What a lookup's answer (RTM_GETROUTE without NLM_F_DUMP) echoes of the question besides
  // RTA_SRC (above): RTA_IIF, RTA_MARK (absent when 0) and RTA_UID.
  std::optional<uint32_t> iif, mark, uid;
  // RTA_NH_ID: the nexthop object the route uses; the kernel still reports its gateway and
  // device (a single nexthop) or RTA_MULTIPATH (a group) alongside.
  std::optional<uint32_t> nhid;
  // RTA_FLOW: the realms (source << 16 | destination); the kernel sends it only when not 0. A
  // lookup's answer carries the realms of the route it went by.
  std::optional<uint32_t> flow;
  // RTA_ENCAP + RTA_ENCAP_TYPE: the lightweight tunnel encapsulation (route_encap.h); a type not
  // decoded there comes back with its number alone.
  std::optional<RouteEncap> encap;
};

// A route lookup, `ip route get ADDRESS [from SRC] [iif DEV] [oif DEV] [mark N] [tos T] [uid N]
// [ipproto P] [sport N] [dport N] [fibmatch]`: the kernel resolves it as it would a packet (RCU
// only, no rtnl_lock: RTNL_FLAG_DOIT_UNLOCKED) and answers with one RTM_NEWROUTE, or an errno
// (ENETUNREACH, EHOSTUNREACH, EACCES for prohibit, EINVAL for blackhole).
struct RouteGetRequest {
  std::vector<uint8_t> dst;         // RTA_DST (4 or 16 bytes; gives the family)
  std::vector<uint8_t> src;         // RTA_SRC: the packet's source, when given
  uint8_t tos = 0;                  // rtm_tos
  bool fib_match = false;           // RTM_F_FIB_MATCH: the FIB entry, not the resolved route
  std::optional<uint32_t> uid;      // RTA_UID
  std::optional<uint8_t> ip_proto;  // RTA_IP_PROTO: IPPROTO_TCP, _UDP, _ICMP or _ICMPV6
  std::optional<uint16_t> sport;    // RTA_SPORT, host order here (sent big-endian)
  std::optional<uint16_t> dport;    // RTA_DPORT, likewise
  std::optional<int32_t> iif, oif;  // RTA_IIF (a packet received there), RTA_OIF
  std::optional<uint32_t> mark;     // RTA_MARK
};

Result<std::vector<uint8_t>> BuildNewRoute(const RouteRequest& req, uint16_t nl_flags);
// RTM_DELROUTE. `nl_flags`: 0, or NLM_F_ECHO for the kernel to send the route it removed back.
Result<std::vector<uint8_t>> BuildDelRoute(const RouteRequest& req, uint16_t nl_flags = 0);
// RTM_GETROUTE dump; family AF_UNSPEC for both; table 0 for every table (filtered in the kernel).
// `rtm_flags` RTM_F_CLONED dumps the route exceptions instead of the routes (kernel 5.3; IPv4
// fib_nh_exception entries, IPv6 RTF_CACHE routes), as `ip route show cache` asks; an older
// kernel ignores it and dumps the routes.
Result<std::vector<uint8_t>> BuildDumpRoutes(uint8_t family, uint32_t table,
                                             uint32_t rtm_flags = 0);
// RTM_GETROUTE for one lookup, as `ip route get` builds it (attributes in its order, so the bytes
// equal a capture): rtm_dst_len (and rtm_src_len) the address's full length, RTM_F_LOOKUP_TABLE
// for IPv4 (else the answer says table main whatever table held the route; IPv6 reports it
// always, and refuses the flag under strict checking). No table: the kernel takes no RTA_TABLE
// in a lookup, it goes through the rules.
Result<std::vector<uint8_t>> BuildGetRoute(const RouteGetRequest& req);

// Decodes an RTM_NEWROUTE (reply or event) or RTM_DELROUTE (event) message.
Result<RouteInfo> ParseRoute(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
