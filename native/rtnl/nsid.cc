#include "nsid.h"

#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

MessageBuilder NsidHeader(uint16_t type, uint16_t flags = NLM_F_REQUEST) {
  MessageBuilder b(type, flags);
  rtgenmsg g{};
  g.rtgen_family = AF_UNSPEC;
  b.PutHeader(g);  // 1 byte, padded to 4 as iproute2 sends it
  return b;
}

}  // namespace

Result<std::vector<uint8_t>> BuildNewNsid(int netns_fd, int32_t nsid) {
  MessageBuilder b = NsidHeader(RTM_NEWNSID);
  b.PutU32(NETNSA_FD, static_cast<uint32_t>(netns_fd));
  b.PutS32(NETNSA_NSID, nsid);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildGetNsid(int netns_fd) {
  MessageBuilder b = NsidHeader(RTM_GETNSID);
  b.PutU32(NETNSA_FD, static_cast<uint32_t>(netns_fd));
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDumpNsids(std::optional<int32_t> target_nsid) {
  MessageBuilder b = NsidHeader(RTM_GETNSID, NLM_F_REQUEST | NLM_F_DUMP);
  if (target_nsid) b.PutS32(NETNSA_TARGET_NSID, *target_nsid);
  return std::move(b).Finish();
}

Result<NsidInfo> ParseNsid(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWNSID && msg.nlmsg_type != RTM_DELNSID) ||
      !netlink::AttrsAfterHeader(msg, sizeof(rtgenmsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWNSID or RTM_DELNSID message");
  }
  AttrTable<NETNSA_CURRENT_NSID + 1> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  NsidInfo info;
  info.nsid = t[NETNSA_NSID].S32(-1);
  if (t[NETNSA_CURRENT_NSID].len >= 4) info.current_nsid = t[NETNSA_CURRENT_NSID].S32();
  return info;
}

}  // namespace netns_native::rtnl
