#include "address.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

constexpr uint32_t kForever = 0xffffffff;  // INFINITY_LIFE_TIME

Result<std::vector<uint8_t>> BuildAddr(uint16_t type, uint16_t nl_flags,
                                       const AddressRequest& req) {
  MessageBuilder b(type, NLM_F_REQUEST | nl_flags);
  ifaddrmsg ifa{};
  ifa.ifa_family = req.family;
  ifa.ifa_prefixlen = req.prefixlen;
  ifa.ifa_index = static_cast<uint32_t>(req.index);
  ifa.ifa_scope = req.scope.value_or(RT_SCOPE_UNIVERSE);
  ifa.ifa_flags = static_cast<uint8_t>(req.flags & 0xff);
  b.PutHeader(ifa);
  // Like iproute2: IFA_LOCAL is the address; IFA_ADDRESS is the peer, or the address itself.
  b.PutBytes(IFA_LOCAL, req.local);
  b.PutBytes(IFA_ADDRESS, req.peer ? *req.peer : req.local);
  if (req.broadcast) b.PutBytes(IFA_BROADCAST, *req.broadcast);
  if (req.label) b.PutString(IFA_LABEL, *req.label);
  if (req.flags > 0xff) b.PutU32(IFA_FLAGS, req.flags);
  if (req.metric) b.PutU32(IFA_RT_PRIORITY, *req.metric);
  if (req.valid_lft || req.preferred_lft) {
    ifa_cacheinfo ci{};
    ci.ifa_prefered = req.preferred_lft.value_or(kForever);
    ci.ifa_valid = req.valid_lft.value_or(kForever);
    b.PutAttr(IFA_CACHEINFO, &ci, sizeof ci);
  }
  return std::move(b).Finish();
}

}  // namespace

Result<std::vector<uint8_t>> BuildNewAddr(const AddressRequest& req, uint16_t nl_flags) {
  return BuildAddr(RTM_NEWADDR, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDelAddr(const AddressRequest& req, uint16_t nl_flags) {
  return BuildAddr(RTM_DELADDR, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDumpAddrs(uint8_t family, int32_t index) {
  MessageBuilder b(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
  ifaddrmsg ifa{};
  ifa.ifa_family = family;
  ifa.ifa_index = static_cast<uint32_t>(index);
  b.PutHeader(ifa);
  return std::move(b).Finish();
}

Result<AddressInfo> ParseAddr(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWADDR && msg.nlmsg_type != RTM_DELADDR) ||
      !netlink::AttrsAfterHeader(msg, sizeof(ifaddrmsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWADDR or RTM_DELADDR message");
  }
  ifaddrmsg ifa;
  std::memcpy(&ifa, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof ifa);
  AddressInfo info;
  info.family = ifa.ifa_family;
  info.prefixlen = ifa.ifa_prefixlen;
  info.scope = ifa.ifa_scope;
  info.flags = ifa.ifa_flags;
  info.index = static_cast<int32_t>(ifa.ifa_index);

  AttrTable<__IFA_MAX> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  if (t[IFA_LOCAL].present()) info.local = t[IFA_LOCAL].Bytes();
  if (t[IFA_ADDRESS].present()) info.address = t[IFA_ADDRESS].Bytes();
  if (t[IFA_BROADCAST].present()) info.broadcast = t[IFA_BROADCAST].Bytes();
  info.label = t[IFA_LABEL].String();
  if (t[IFA_FLAGS].present()) info.flags = t[IFA_FLAGS].U32();
  if (t[IFA_RT_PRIORITY].present()) info.metric = t[IFA_RT_PRIORITY].U32();
  if (t[IFA_CACHEINFO].len >= sizeof(ifa_cacheinfo)) {
    ifa_cacheinfo ci;
    std::memcpy(&ci, t[IFA_CACHEINFO].data, sizeof ci);
    info.valid_lft = ci.ifa_valid;
    info.preferred_lft = ci.ifa_prefered;
  }
  return info;
}

}  // namespace netns_native::rtnl
