#include "route.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AppendAttr;
using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

// The metrics in RTAX order; RTAX_CC_ALGO (a string: no member here) and RTAX_LOCK are read and
// written apart.
struct MetricField {
  uint16_t type;
  std::optional<uint32_t> RouteMetrics::*member;
};
constexpr MetricField kMetricFields[] = {
    {RTAX_MTU, &RouteMetrics::mtu},
    {RTAX_WINDOW, &RouteMetrics::window},
    {RTAX_RTT, &RouteMetrics::rtt},
    {RTAX_RTTVAR, &RouteMetrics::rttvar},
    {RTAX_SSTHRESH, &RouteMetrics::ssthresh},
    {RTAX_CWND, &RouteMetrics::cwnd},
    {RTAX_ADVMSS, &RouteMetrics::advmss},
    {RTAX_REORDERING, &RouteMetrics::reordering},
    {RTAX_HOPLIMIT, &RouteMetrics::hoplimit},
    {RTAX_INITCWND, &RouteMetrics::initcwnd},
    {RTAX_FEATURES, &RouteMetrics::features},
    {RTAX_RTO_MIN, &RouteMetrics::rto_min},
    {RTAX_INITRWND, &RouteMetrics::initrwnd},
    {RTAX_QUICKACK, &RouteMetrics::quickack},
    {RTAX_CC_ALGO, nullptr},
    {RTAX_FASTOPEN_NO_COOKIE, &RouteMetrics::fastopen_no_cookie},
};

// RTA_ENCAP (nested, flagged as iproute2 flags it) then RTA_ENCAP_TYPE, as `ip route add ... encap
// TYPE ...` appends them, for a next hop's attributes.
Status AppendEncap(const RouteEncap& encap, std::vector<uint8_t>& out) {
  Result<std::vector<uint8_t>> payload = EncapPayload(encap);
  if (!payload.ok()) return payload.error();
  AppendAttr(out, RTA_ENCAP | NLA_F_NESTED, payload.value().data(), payload.value().size());
  AppendAttr(out, RTA_ENCAP_TYPE, &encap.type, sizeof encap.type);
  return Status();
}

// Decodes RTA_ENCAP_TYPE + RTA_ENCAP of a route or a next hop, when present.
Status ParseEncapAttrs(const netlink::Attr& type, const netlink::Attr& encap,
                       std::optional<RouteEncap>* out) {
  if (type.len < sizeof(uint16_t)) return Status();
  Result<RouteEncap> e = ParseEncap(type.U16(), encap);
  if (!e.ok()) return e.error();
  *out = std::move(e.value());
  return Status();
}

// RTA_METRICS's payload as iproute2 builds it, so that the bytes equal a capture of `ip route
// add ... mtu lock 1400`: the metrics in RTAX order, a congestion control's name without a NUL
// (the kernel copies it with nla_strscpy, which takes either), RTAX_LOCK last, and no
// NLA_F_NESTED on the attribute (the kernel walks it as a plain run of attributes, and dumps it
// without the flag itself).
std::vector<uint8_t> MetricsPayload(const RouteMetrics& m) {
  std::vector<uint8_t> out;
  for (const MetricField& f : kMetricFields) {
    if (f.member == nullptr) {
      if (m.cc_algo) AppendAttr(out, f.type, m.cc_algo->data(), m.cc_algo->size());
    } else if (const std::optional<uint32_t>& v = m.*f.member) {
      AppendAttr(out, f.type, &*v, sizeof *v);
    }
  }
  if (m.lock != 0) AppendAttr(out, RTAX_LOCK, &m.lock, sizeof m.lock);
  return out;
}

// Decodes RTA_METRICS; types this code does not know are skipped.
Status ParseMetrics(const netlink::Attr& a, RouteMetrics* out) {
  AttrTable<RTAX_MAX + 1> t;
  Status s = netlink::ParseNested(a, &t);
  if (!s.ok()) return s;
  out->lock = t[RTAX_LOCK].U32();
  for (const MetricField& f : kMetricFields) {
    if (f.member != nullptr && t[f.type].len >= sizeof(uint32_t)) out->*f.member = t[f.type].U32();
  }
  if (t[RTAX_CC_ALGO].present()) out->cc_algo = t[RTAX_CC_ALGO].String();
  return Status();
}

// USER_HZ: the unit of RTA_CACHEINFO's times (the kernel's jiffies_to_clock_t), as iproute2's
// get_user_hz reads it.
long UserHz() {
  static const long hz = [] {
    long v = sysconf(_SC_CLK_TCK);
    return v > 0 ? v : 100;
  }();
  return hz;
}

// RTA_MULTIPATH's payload: an array of struct rtnexthop, each followed by its own attributes
// (RTA_GATEWAY) and padded to RTNH_ALIGNTO; not nested attributes, so no NLA_F_NESTED.
Result<std::vector<uint8_t>> MultipathPayload(const std::vector<NexthopRequest>& hops) {
  std::vector<uint8_t> out;
  for (const NexthopRequest& h : hops) {
    size_t at = out.size();
    rtnexthop rtnh{};
    rtnh.rtnh_flags = h.flags;
    rtnh.rtnh_hops = h.hops;
    rtnh.rtnh_ifindex = h.oif.value_or(0);
    out.resize(at + RTNH_ALIGN(sizeof rtnh));
    if (!h.gateway.empty()) AppendAttr(out, RTA_GATEWAY, h.gateway.data(), h.gateway.size());
    // After the gateway, where `ip route add ... nexthop via GW realms R` puts it.
    if (h.flow) AppendAttr(out, RTA_FLOW, &*h.flow, sizeof *h.flow);
    if (h.encap) {
      Status s = AppendEncap(*h.encap, out);
      if (!s.ok()) return s;
    }
    rtnh.rtnh_len = static_cast<uint16_t>(out.size() - at);
    std::memcpy(out.data() + at, &rtnh, sizeof rtnh);
  }
  return out;
}

// Decodes RTA_MULTIPATH; fails on a next hop whose length runs past the attribute.
Status ParseMultipath(const netlink::Attr& a, std::vector<NexthopInfo>* out) {
  const uint8_t* p = a.data;
  size_t len = a.len;
  while (len >= sizeof(rtnexthop)) {
    rtnexthop rtnh;
    std::memcpy(&rtnh, p, sizeof rtnh);
    if (rtnh.rtnh_len < sizeof rtnh || rtnh.rtnh_len > len) {
      return Error::Invalid("malformed RTA_MULTIPATH next hop");
    }
    NexthopInfo hop;
    hop.oif = rtnh.rtnh_ifindex;
    hop.hops = rtnh.rtnh_hops;
    hop.flags = rtnh.rtnh_flags;
    size_t header = RTNH_ALIGN(sizeof rtnh);
    if (rtnh.rtnh_len > header) {
      AttrTable<RTA_ENCAP + 1> t;
      Status s = netlink::ParseAttrs(p + header, rtnh.rtnh_len - header, &t);
      if (!s.ok()) return s;
      if (t[RTA_GATEWAY].present()) hop.gateway = t[RTA_GATEWAY].Bytes();
      if (t[RTA_FLOW].len >= 4) hop.flow = t[RTA_FLOW].U32();
      s = ParseEncapAttrs(t[RTA_ENCAP_TYPE], t[RTA_ENCAP], &hop.encap);
      if (!s.ok()) return s;
    }
    out->push_back(std::move(hop));
    size_t step = RTNH_ALIGN(rtnh.rtnh_len);
    if (step >= len) break;
    p += step;
    len -= step;
  }
  return Status();
}

Result<std::vector<uint8_t>> BuildRoute(uint16_t type, uint16_t nl_flags, const RouteRequest& req) {
  MessageBuilder b(type, NLM_F_REQUEST | nl_flags);
  rtmsg rtm{};
  rtm.rtm_family = req.family;
  rtm.rtm_dst_len = req.dst_len;
  rtm.rtm_src_len = req.src_len;
  rtm.rtm_tos = req.tos;
  rtm.rtm_table = req.table < 256 ? static_cast<uint8_t>(req.table) : uint8_t{RT_TABLE_UNSPEC};
  rtm.rtm_protocol = req.protocol;
  rtm.rtm_scope = req.scope;
  rtm.rtm_type = req.type;
  rtm.rtm_flags = req.flags;
  b.PutHeader(rtm);
  if (req.table >= 256) b.PutU32(RTA_TABLE, req.table);
  if (!req.dst.empty()) b.PutBytes(RTA_DST, req.dst);
  if (!req.src.empty()) b.PutBytes(RTA_SRC, req.src);
  // Where `ip route add PREFIX nhid N` puts it.
  if (req.nhid) b.PutU32(RTA_NH_ID, *req.nhid);
  if (!req.gateway.empty()) b.PutBytes(RTA_GATEWAY, req.gateway);
  if (!req.prefsrc.empty()) b.PutBytes(RTA_PREFSRC, req.prefsrc);
  // Before RTA_OIF, where `ip -6 route add PREFIX expires N pref P dev D` puts them.
  if (req.expires) b.PutU32(RTA_EXPIRES, *req.expires);
  if (req.pref) b.PutU8(RTA_PREF, *req.pref);
  // Before RTA_OIF too: `ip route add PREFIX dev D realms R` sends DST, FLOW, OIF.
  if (req.flow) b.PutU32(RTA_FLOW, *req.flow);
  // Before RTA_OIF as well: `ip route add PREFIX encap ip id 5 dst D dev X` sends DST, ENCAP,
  // ENCAP_TYPE, OIF.
  if (req.encap) {
    Result<std::vector<uint8_t>> encap = EncapPayload(*req.encap);
    if (!encap.ok()) return encap.error();
    b.PutBytes(RTA_ENCAP | NLA_F_NESTED, encap.value());
    b.PutU16(RTA_ENCAP_TYPE, req.encap->type);
  }
  if (req.oif) b.PutS32(RTA_OIF, *req.oif);
  if (req.priority) b.PutU32(RTA_PRIORITY, *req.priority);
  if (!req.metrics.empty()) b.PutBytes(RTA_METRICS, MetricsPayload(req.metrics));
  if (!req.multipath.empty()) {
    Result<std::vector<uint8_t>> multipath = MultipathPayload(req.multipath);
    if (!multipath.ok()) return multipath.error();
    b.PutBytes(RTA_MULTIPATH, multipath.value());
  }
  return std::move(b).Finish();
}

}  // namespace

bool RouteMetrics::empty() const {
  if (lock != 0 || cc_algo) return false;
  for (const MetricField& f : kMetricFields) {
    if (f.member != nullptr && this->*f.member) return false;
  }
  return true;
}

Result<std::vector<uint8_t>> BuildNewRoute(const RouteRequest& req, uint16_t nl_flags) {
  return BuildRoute(RTM_NEWROUTE, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDelRoute(const RouteRequest& req, uint16_t nl_flags) {
  return BuildRoute(RTM_DELROUTE, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDumpRoutes(uint8_t family, uint32_t table, uint32_t rtm_flags) {
  MessageBuilder b(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
  rtmsg rtm{};
  rtm.rtm_family = family;
  rtm.rtm_flags = rtm_flags;
  rtm.rtm_table = table < 256 ? static_cast<uint8_t>(table) : uint8_t{RT_TABLE_UNSPEC};
  b.PutHeader(rtm);
  if (table != 0) b.PutU32(RTA_TABLE, table);  // strict checking filters on it in the kernel
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildGetRoute(const RouteGetRequest& req) {
  size_t n = req.dst.size();
  if (n != 4 && n != 16) return Error::Invalid("a route lookup needs an IPv4 or IPv6 destination");
  if (!req.src.empty() && req.src.size() != n) {
    return Error::Invalid("a route lookup's source of another family than its destination");
  }
  MessageBuilder b(RTM_GETROUTE, NLM_F_REQUEST);
  rtmsg rtm{};
  rtm.rtm_family = n == 4 ? AF_INET : AF_INET6;
  rtm.rtm_dst_len = static_cast<uint8_t>(n * 8);
  rtm.rtm_src_len = req.src.empty() ? 0 : static_cast<uint8_t>(n * 8);
  rtm.rtm_tos = req.tos;
  if (n == 4) rtm.rtm_flags |= RTM_F_LOOKUP_TABLE;
  if (req.fib_match) rtm.rtm_flags |= RTM_F_FIB_MATCH;
  b.PutHeader(rtm);
  b.PutBytes(RTA_DST, req.dst);
  if (!req.src.empty()) b.PutBytes(RTA_SRC, req.src);
  if (req.uid) b.PutU32(RTA_UID, *req.uid);
  if (req.ip_proto) b.PutU8(RTA_IP_PROTO, *req.ip_proto);
  if (req.sport) b.PutBe16(RTA_SPORT, *req.sport);
  if (req.dport) b.PutBe16(RTA_DPORT, *req.dport);
  if (req.iif) b.PutS32(RTA_IIF, *req.iif);
  if (req.oif) b.PutS32(RTA_OIF, *req.oif);
  if (req.mark) b.PutU32(RTA_MARK, *req.mark);
  return std::move(b).Finish();
}

Result<RouteInfo> ParseRoute(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWROUTE && msg.nlmsg_type != RTM_DELROUTE) ||
      !netlink::AttrsAfterHeader(msg, sizeof(rtmsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWROUTE or RTM_DELROUTE message");
  }
  rtmsg rtm;
  std::memcpy(&rtm, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof rtm);
  RouteInfo info;
  info.family = rtm.rtm_family;
  info.dst_len = rtm.rtm_dst_len;
  info.src_len = rtm.rtm_src_len;
  info.tos = rtm.rtm_tos;
  info.protocol = rtm.rtm_protocol;
  info.scope = rtm.rtm_scope;
  info.type = rtm.rtm_type;
  info.table = rtm.rtm_table;
  info.flags = rtm.rtm_flags;

  AttrTable<__RTA_MAX> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  if (t[RTA_TABLE].present()) info.table = t[RTA_TABLE].U32();
  if (t[RTA_DST].present()) info.dst = t[RTA_DST].Bytes();
  if (t[RTA_SRC].present()) info.src = t[RTA_SRC].Bytes();
  if (t[RTA_GATEWAY].present()) info.gateway = t[RTA_GATEWAY].Bytes();
  if (t[RTA_PREFSRC].present()) info.prefsrc = t[RTA_PREFSRC].Bytes();
  info.oif = t[RTA_OIF].S32();
  if (t[RTA_PRIORITY].present()) info.priority = t[RTA_PRIORITY].U32();
  if (t[RTA_PREF].present()) info.pref = t[RTA_PREF].U8();
  if (t[RTA_IIF].present()) info.iif = t[RTA_IIF].U32();
  if (t[RTA_MARK].present()) info.mark = t[RTA_MARK].U32();
  if (t[RTA_UID].present()) info.uid = t[RTA_UID].U32();
  if (t[RTA_NH_ID].len >= 4) info.nhid = t[RTA_NH_ID].U32();
  if (t[RTA_FLOW].len >= 4) info.flow = t[RTA_FLOW].U32();
  if (t[RTA_MULTIPATH].present()) {
    s = ParseMultipath(t[RTA_MULTIPATH], &info.multipath);
    if (!s.ok()) return s;
  }
  s = ParseEncapAttrs(t[RTA_ENCAP_TYPE], t[RTA_ENCAP], &info.encap);
  if (!s.ok()) return s;
  if (t[RTA_METRICS].present()) {
    s = ParseMetrics(t[RTA_METRICS], &info.metrics.emplace());
    if (!s.ok()) return s;
  }
  if (t[RTA_CACHEINFO].len >= offsetof(rta_cacheinfo, rta_error)) {
    rta_cacheinfo ci{};
    std::memcpy(&ci, t[RTA_CACHEINFO].data, std::min(sizeof ci, t[RTA_CACHEINFO].len));
    if (ci.rta_expires != 0) info.expires = static_cast<int32_t>(ci.rta_expires / UserHz());
    if (ci.rta_error != 0) info.cache_error = static_cast<int32_t>(ci.rta_error);
    if (ci.rta_clntref != 0) info.cache_users = ci.rta_clntref;
    if (ci.rta_used != 0) info.cache_used = ci.rta_used;
    if (ci.rta_lastuse != 0) {
      info.cache_last_use_ms = static_cast<uint32_t>(uint64_t{ci.rta_lastuse} * 1000 / UserHz());
    }
  }
  return info;
}

}  // namespace netns_native::rtnl
