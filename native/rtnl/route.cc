#include "route.h"

#include <linux/rtnetlink.h>

#include <cstring>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

// RTA_MULTIPATH's payload: an array of struct rtnexthop, each followed by its own attributes
// (RTA_GATEWAY) and padded to RTNH_ALIGNTO; not nested attributes, so no NLA_F_NESTED.
std::vector<uint8_t> MultipathPayload(const std::vector<NexthopRequest>& hops) {
  std::vector<uint8_t> out;
  for (const NexthopRequest& h : hops) {
    size_t at = out.size();
    rtnexthop rtnh{};
    rtnh.rtnh_flags = h.flags;
    rtnh.rtnh_hops = h.hops;
    rtnh.rtnh_ifindex = h.oif.value_or(0);
    out.resize(at + RTNH_ALIGN(sizeof rtnh));
    if (!h.gateway.empty()) {
      nlattr nla{};
      nla.nla_len = static_cast<uint16_t>(NLA_HDRLEN + h.gateway.size());
      nla.nla_type = RTA_GATEWAY;
      size_t a = out.size();
      out.resize(a + NLA_ALIGN(nla.nla_len));
      std::memcpy(out.data() + a, &nla, sizeof nla);
      std::memcpy(out.data() + a + NLA_HDRLEN, h.gateway.data(), h.gateway.size());
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
      AttrTable<RTA_GATEWAY + 1> t;
      Status s = netlink::ParseAttrs(p + header, rtnh.rtnh_len - header, &t);
      if (!s.ok()) return s;
      if (t[RTA_GATEWAY].present()) hop.gateway = t[RTA_GATEWAY].Bytes();
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
  rtm.rtm_tos = req.tos;
  rtm.rtm_table = req.table < 256 ? static_cast<uint8_t>(req.table) : uint8_t{RT_TABLE_UNSPEC};
  rtm.rtm_protocol = req.protocol;
  rtm.rtm_scope = req.scope;
  rtm.rtm_type = req.type;
  rtm.rtm_flags = req.flags;
  b.PutHeader(rtm);
  if (req.table >= 256) b.PutU32(RTA_TABLE, req.table);
  if (!req.dst.empty()) b.PutBytes(RTA_DST, req.dst);
  if (!req.gateway.empty()) b.PutBytes(RTA_GATEWAY, req.gateway);
  if (!req.prefsrc.empty()) b.PutBytes(RTA_PREFSRC, req.prefsrc);
  if (req.oif) b.PutS32(RTA_OIF, *req.oif);
  if (req.priority) b.PutU32(RTA_PRIORITY, *req.priority);
  if (!req.multipath.empty()) b.PutBytes(RTA_MULTIPATH, MultipathPayload(req.multipath));
  return std::move(b).Finish();
}

}  // namespace

Result<std::vector<uint8_t>> BuildNewRoute(const RouteRequest& req, uint16_t nl_flags) {
  return BuildRoute(RTM_NEWROUTE, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDelRoute(const RouteRequest& req) {
  return BuildRoute(RTM_DELROUTE, 0, req);
}

Result<std::vector<uint8_t>> BuildDumpRoutes(uint8_t family, uint32_t table) {
  MessageBuilder b(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
  rtmsg rtm{};
  rtm.rtm_family = family;
  rtm.rtm_table = table < 256 ? static_cast<uint8_t>(table) : uint8_t{RT_TABLE_UNSPEC};
  b.PutHeader(rtm);
  if (table != 0) b.PutU32(RTA_TABLE, table);  // strict checking filters on it in the kernel
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
  if (t[RTA_GATEWAY].present()) info.gateway = t[RTA_GATEWAY].Bytes();
  if (t[RTA_PREFSRC].present()) info.prefsrc = t[RTA_PREFSRC].Bytes();
  info.oif = t[RTA_OIF].S32();
  if (t[RTA_PRIORITY].present()) info.priority = t[RTA_PRIORITY].U32();
  if (t[RTA_PREF].present()) info.pref = t[RTA_PREF].U8();
  if (t[RTA_MULTIPATH].present()) {
    s = ParseMultipath(t[RTA_MULTIPATH], &info.multipath);
    if (!s.ok()) return s;
  }
  return info;
}

}  // namespace netns_native::rtnl
