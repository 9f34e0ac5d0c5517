#include "netconf.h"

#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

std::optional<int32_t> OptionalS32(const netlink::Attr& a) {
  if (a.len < 4) return std::nullopt;
  return a.S32();
}

}  // namespace

Result<std::vector<uint8_t>> BuildDumpNetconf(uint8_t family) {
  MessageBuilder b(RTM_GETNETCONF, NLM_F_REQUEST | NLM_F_DUMP);
  netconfmsg m{};
  m.ncm_family = family;
  b.PutHeader(m);  // 1 byte, padded to 4 as iproute2 sends it
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildGetNetconf(uint8_t family, int32_t ifindex) {
  MessageBuilder b(RTM_GETNETCONF, NLM_F_REQUEST);
  netconfmsg m{};
  m.ncm_family = family;
  b.PutHeader(m);
  b.PutS32(NETCONFA_IFINDEX, ifindex);
  return std::move(b).Finish();
}

Result<NetconfInfo> ParseNetconf(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWNETCONF && msg.nlmsg_type != RTM_DELNETCONF) ||
      !netlink::AttrsAfterHeader(msg, sizeof(netconfmsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWNETCONF or RTM_DELNETCONF message");
  }
  AttrTable<NETCONFA_MAX + 1> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  NetconfInfo info;
  netconfmsg ncm;
  std::memcpy(&ncm, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof ncm);
  info.family = ncm.ncm_family;
  info.ifindex = OptionalS32(t[NETCONFA_IFINDEX]);
  info.forwarding = OptionalS32(t[NETCONFA_FORWARDING]);
  info.rp_filter = OptionalS32(t[NETCONFA_RP_FILTER]);
  info.mc_forwarding = OptionalS32(t[NETCONFA_MC_FORWARDING]);
  info.proxy_neigh = OptionalS32(t[NETCONFA_PROXY_NEIGH]);
  info.ignore_routes_with_linkdown = OptionalS32(t[NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN]);
  info.bc_forwarding = OptionalS32(t[NETCONFA_BC_FORWARDING]);
  info.input = OptionalS32(t[NETCONFA_INPUT]);
  return info;
}

}  // namespace netns_native::rtnl
