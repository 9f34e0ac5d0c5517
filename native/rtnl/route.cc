#include "route.h"

#include <linux/rtnetlink.h>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

Result<std::vector<uint8_t>> BuildRoute(uint16_t type, uint16_t nl_flags, const RouteRequest& req) {
  MessageBuilder b(type, NLM_F_REQUEST | nl_flags);
  rtmsg rtm{};
  rtm.rtm_family = req.family;
  rtm.rtm_dst_len = req.dst_len;
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
  return info;
}

}  // namespace netns_native::rtnl
