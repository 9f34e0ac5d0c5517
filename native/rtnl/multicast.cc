#include "multicast.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

// Linux 6.14 numbered the notifications (uapi rtnetlink.h); older headers lack them.
constexpr uint16_t kNewMulticast = 56;  // RTM_NEWMULTICAST
constexpr uint16_t kDelMulticast = 57;  // RTM_DELMULTICAST

}  // namespace

Result<std::vector<uint8_t>> BuildDumpMulticast(uint8_t family) {
  MessageBuilder b(RTM_GETMULTICAST, NLM_F_REQUEST | NLM_F_DUMP);
  ifaddrmsg ifa{};
  ifa.ifa_family = family;
  b.PutHeader(ifa);
  return std::move(b).Finish();
}

Result<MulticastGroupInfo> ParseMulticast(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  // A dump answers with messages of the request's own type, RTM_GETMULTICAST (both families).
  if ((msg.nlmsg_type != RTM_GETMULTICAST && msg.nlmsg_type != kNewMulticast &&
       msg.nlmsg_type != kDelMulticast) ||
      !netlink::AttrsAfterHeader(msg, sizeof(ifaddrmsg), &p, &len)) {
    return Error::Invalid("not an RTM_GETMULTICAST, RTM_NEWMULTICAST or RTM_DELMULTICAST message");
  }
  AttrTable<IFA_MAX + 1> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  ifaddrmsg ifa;
  std::memcpy(&ifa, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof ifa);
  MulticastGroupInfo info;
  info.family = ifa.ifa_family;
  info.index = static_cast<int32_t>(ifa.ifa_index);
  size_t want = info.family == AF_INET ? 4 : info.family == AF_INET6 ? 16 : 0;
  if (want == 0 || t[IFA_MULTICAST].len != want) {
    return Error::Invalid("RTM_NEWMULTICAST without an IFA_MULTICAST of its family");
  }
  info.group = t[IFA_MULTICAST].Bytes();
  if (t[IFA_CACHEINFO].len >= sizeof(ifa_cacheinfo)) {
    ifa_cacheinfo ci;
    std::memcpy(&ci, t[IFA_CACHEINFO].data, sizeof ci);
    info.created = ci.cstamp;
    info.updated = ci.tstamp;
  }
  return info;
}

}  // namespace netns_native::rtnl
