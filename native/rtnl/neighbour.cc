#include "neighbour.h"

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

Result<std::vector<uint8_t>> BuildNeigh(uint16_t type, uint16_t nl_flags,
                                        const NeighbourRequest& req) {
  MessageBuilder b(type, NLM_F_REQUEST | nl_flags);
  ndmsg ndm{};
  ndm.ndm_family = req.family;
  ndm.ndm_ifindex = req.index;
  ndm.ndm_state = req.state;
  ndm.ndm_flags = req.flags;
  b.PutHeader(ndm);
  // In the order `ip neigh` sends them (protocol as it reads the word, then the address, the
  // extended flags, the MAC)...
  if (req.family != AF_BRIDGE) {
    if (req.protocol) b.PutU8(NDA_PROTOCOL, *req.protocol);
    if (!req.dst.empty()) b.PutBytes(NDA_DST, req.dst);
    if (req.flags_ext) b.PutU32(NDA_FLAGS_EXT, *req.flags_ext);
    if (req.lladdr) b.PutBytes(NDA_LLADDR, *req.lladdr);
    return std::move(b).Finish();
  }
  // ... and `bridge fdb`.
  if (req.lladdr) b.PutBytes(NDA_LLADDR, *req.lladdr);
  if (!req.dst.empty()) b.PutBytes(NDA_DST, req.dst);
  if (req.vlan) b.PutU16(NDA_VLAN, *req.vlan);
  if (req.port) b.PutBe16(NDA_PORT, *req.port);
  if (req.vni) b.PutU32(NDA_VNI, *req.vni);
  if (req.src_vni) b.PutU32(NDA_SRC_VNI, *req.src_vni);
  if (req.ifindex) b.PutU32(NDA_IFINDEX, *req.ifindex);
  if (req.master) b.PutU32(NDA_MASTER, *req.master);
  if (req.protocol) b.PutU8(NDA_PROTOCOL, *req.protocol);
  if (req.flags_ext) b.PutU32(NDA_FLAGS_EXT, *req.flags_ext);
  return std::move(b).Finish();
}

}  // namespace

Result<std::vector<uint8_t>> BuildNewNeigh(const NeighbourRequest& req, uint16_t nl_flags) {
  return BuildNeigh(RTM_NEWNEIGH, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDelNeigh(const NeighbourRequest& req) {
  return BuildNeigh(RTM_DELNEIGH, 0, req);
}

Result<std::vector<uint8_t>> BuildDumpNeighs(uint8_t family, int32_t index, int32_t master,
                                             uint8_t flags) {
  MessageBuilder b(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP);
  ndmsg ndm{};
  ndm.ndm_family = family;
  ndm.ndm_flags = flags;
  // Strict checking: a neighbour dump filters by device with NDA_IFINDEX (ndm_ifindex must be
  // 0); an fdb dump takes the port in ndm_ifindex (rtnl_fdb_dump, valid_fdb_dump_strict).
  if (family == AF_BRIDGE) ndm.ndm_ifindex = index;
  b.PutHeader(ndm);
  if (family != AF_BRIDGE && index != 0) b.PutU32(NDA_IFINDEX, static_cast<uint32_t>(index));
  if (master != 0) b.PutU32(NDA_MASTER, static_cast<uint32_t>(master));
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildGetNeigh(uint8_t family, int32_t index, uint8_t flags,
                                           const std::vector<uint8_t>& dst) {
  if ((family != AF_INET || dst.size() != 4) && (family != AF_INET6 || dst.size() != 16)) {
    return Error::Invalid("RTM_GETNEIGH needs an IPv4 or IPv6 address of its family");
  }
  MessageBuilder b(RTM_GETNEIGH, NLM_F_REQUEST);
  ndmsg ndm{};
  ndm.ndm_family = family;
  ndm.ndm_ifindex = index;
  ndm.ndm_flags = flags;
  b.PutHeader(ndm);
  b.PutBytes(NDA_DST, dst);
  return std::move(b).Finish();
}

Result<NeighbourInfo> ParseNeigh(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWNEIGH && msg.nlmsg_type != RTM_DELNEIGH) ||
      !netlink::AttrsAfterHeader(msg, sizeof(ndmsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWNEIGH or RTM_DELNEIGH message");
  }
  ndmsg ndm;
  std::memcpy(&ndm, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof ndm);
  NeighbourInfo info;
  info.family = ndm.ndm_family;
  info.index = ndm.ndm_ifindex;
  info.state = ndm.ndm_state;
  info.flags = ndm.ndm_flags;
  info.type = ndm.ndm_type;

  AttrTable<NDA_FLAGS_EXT + 1> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  if (t[NDA_DST].present()) info.dst = t[NDA_DST].Bytes();
  if (t[NDA_LLADDR].present()) info.lladdr = t[NDA_LLADDR].Bytes();
  if (t[NDA_VLAN].len >= 2) info.vlan = t[NDA_VLAN].U16();
  if (t[NDA_PORT].len >= 2) info.port = t[NDA_PORT].Be16();
  if (t[NDA_VNI].len >= 4) info.vni = t[NDA_VNI].U32();
  if (t[NDA_IFINDEX].len >= 4) info.ifindex = t[NDA_IFINDEX].U32();
  if (t[NDA_MASTER].len >= 4) info.master = t[NDA_MASTER].U32();
  if (t[NDA_SRC_VNI].len >= 4) info.src_vni = t[NDA_SRC_VNI].U32();
  if (t[NDA_PROBES].len >= 4) info.probes = t[NDA_PROBES].U32();
  if (t[NDA_PROTOCOL].len >= 1) info.protocol = t[NDA_PROTOCOL].U8();
  if (t[NDA_LINK_NETNSID].len >= 4) info.link_netnsid = t[NDA_LINK_NETNSID].S32();
  info.flags_ext = t[NDA_FLAGS_EXT].U32();
  if (t[NDA_CACHEINFO].len >= sizeof(nda_cacheinfo)) {
    nda_cacheinfo ci;
    std::memcpy(&ci, t[NDA_CACHEINFO].data, sizeof ci);
    info.confirmed = ci.ndm_confirmed;
    info.used = ci.ndm_used;
    info.updated = ci.ndm_updated;
    info.refcnt = ci.ndm_refcnt;
  }
  return info;
}

}  // namespace netns_native::rtnl
