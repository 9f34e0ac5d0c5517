#include "nexthop.h"

#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

// The header every nexthop message starts with; scope and protocol only in a NEWNEXTHOP.
nhmsg Header(uint8_t family) {
  nhmsg h{};
  h.nh_family = family;
  return h;
}

}  // namespace

// Attributes in the order `ip nexthop add id N {group G [type T [RES_ARGS]] | blackhole | via GW
// dev D}` sends them (the resilient arguments' nest before the type), so that golden captures
// compare byte for byte.
Result<std::vector<uint8_t>> BuildNewNexthop(const NexthopObjectRequest& req, uint16_t nl_flags) {
  MessageBuilder b(RTM_NEWNEXTHOP, NLM_F_REQUEST | nl_flags);
  nhmsg h = Header(req.family);
  h.nh_protocol = req.protocol;
  h.nh_flags = req.flags;
  b.PutHeader(h);
  if (req.id != 0) b.PutU32(NHA_ID, req.id);
  if (!req.group.empty()) {
    std::vector<nexthop_grp> grp(req.group.size());
    for (size_t i = 0; i < req.group.size(); ++i) {
      grp[i] = nexthop_grp{};
      grp[i].id = req.group[i].id;
      grp[i].weight = req.group[i].weight;
    }
    b.PutAttr(NHA_GROUP, grp.data(), grp.size() * sizeof(nexthop_grp));
  }
  if (req.group_type == NEXTHOP_GRP_TYPE_RES) {
    size_t nest = b.BeginNest(NHA_RES_GROUP);
    if (req.res_buckets) b.PutU16(NHA_RES_GROUP_BUCKETS, *req.res_buckets);
    if (req.res_idle_timer) b.PutU32(NHA_RES_GROUP_IDLE_TIMER, *req.res_idle_timer);
    if (req.res_unbalanced_timer) {
      b.PutU32(NHA_RES_GROUP_UNBALANCED_TIMER, *req.res_unbalanced_timer);
    }
    b.EndNest(nest);
  }
  if (req.group_type) b.PutU16(NHA_GROUP_TYPE, *req.group_type);
  if (req.blackhole) b.PutFlag(NHA_BLACKHOLE);
  if (!req.gateway.empty()) b.PutBytes(NHA_GATEWAY, req.gateway);
  if (req.oif) b.PutS32(NHA_OIF, *req.oif);
  if (req.fdb) b.PutFlag(NHA_FDB);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDelNexthop(uint32_t id, uint16_t nl_flags) {
  MessageBuilder b(RTM_DELNEXTHOP, NLM_F_REQUEST | nl_flags);
  b.PutHeader(Header(AF_UNSPEC));
  b.PutU32(NHA_ID, id);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDumpNexthops(uint8_t family, std::optional<int32_t> oif,
                                               bool groups_only) {
  MessageBuilder b(RTM_GETNEXTHOP, NLM_F_REQUEST | NLM_F_DUMP);
  b.PutHeader(Header(family));
  if (oif) b.PutS32(NHA_OIF, *oif);
  if (groups_only) b.PutFlag(NHA_GROUPS);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDumpNexthopBuckets(std::optional<uint32_t> id,
                                                     std::optional<int32_t> oif) {
  MessageBuilder b(RTM_GETNEXTHOPBUCKET, NLM_F_REQUEST | NLM_F_DUMP);
  b.PutHeader(Header(AF_UNSPEC));
  if (id) b.PutU32(NHA_ID, *id);
  if (oif) b.PutS32(NHA_OIF, *oif);
  return std::move(b).Finish();
}

Result<NexthopBucketInfo> ParseNexthopBucket(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if (msg.nlmsg_type != RTM_NEWNEXTHOPBUCKET ||
      !netlink::AttrsAfterHeader(msg, sizeof(nhmsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWNEXTHOPBUCKET message");
  }
  AttrTable<NHA_RES_BUCKET + 1> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  NexthopBucketInfo info;
  if (t[NHA_ID].len >= 4) info.id = t[NHA_ID].U32();
  if (t[NHA_RES_BUCKET].present()) {
    AttrTable<NHA_RES_BUCKET_NH_ID + 1> r;
    Status rs = netlink::ParseAttrs(t[NHA_RES_BUCKET].data, t[NHA_RES_BUCKET].len, &r);
    if (!rs.ok()) return rs;
    if (r[NHA_RES_BUCKET_INDEX].len >= 2) info.index = r[NHA_RES_BUCKET_INDEX].U16();
    if (r[NHA_RES_BUCKET_IDLE_TIME].len >= 8) info.idle_time = r[NHA_RES_BUCKET_IDLE_TIME].U64();
    if (r[NHA_RES_BUCKET_NH_ID].len >= 4) info.nexthop_id = r[NHA_RES_BUCKET_NH_ID].U32();
  }
  return info;
}

Result<NexthopObjectInfo> ParseNexthop(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWNEXTHOP && msg.nlmsg_type != RTM_DELNEXTHOP) ||
      !netlink::AttrsAfterHeader(msg, sizeof(nhmsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWNEXTHOP or RTM_DELNEXTHOP message");
  }
  nhmsg h;
  std::memcpy(&h, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof h);
  NexthopObjectInfo info;
  info.family = h.nh_family;
  info.scope = h.nh_scope;
  info.protocol = h.nh_protocol;
  info.flags = h.nh_flags;

  AttrTable<NHA_RES_GROUP + 1> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  if (t[NHA_ID].len >= 4) info.id = t[NHA_ID].U32();
  if (t[NHA_GATEWAY].present()) info.gateway = t[NHA_GATEWAY].Bytes();
  if (t[NHA_OIF].len >= 4) info.oif = t[NHA_OIF].S32();
  info.blackhole = t[NHA_BLACKHOLE].present();
  info.fdb = t[NHA_FDB].present();
  if (t[NHA_GROUP_TYPE].len >= 2) info.group_type = t[NHA_GROUP_TYPE].U16();
  if (t[NHA_GROUP].present()) {
    if (t[NHA_GROUP].len % sizeof(nexthop_grp) != 0) {
      return Error::Invalid("malformed NHA_GROUP");
    }
    for (size_t at = 0; at < t[NHA_GROUP].len; at += sizeof(nexthop_grp)) {
      nexthop_grp g;
      std::memcpy(&g, t[NHA_GROUP].data + at, sizeof g);
      info.group.push_back({g.id, g.weight});
    }
    if (!info.group_type) info.group_type = NEXTHOP_GRP_TYPE_MPATH;
  }
  if (t[NHA_RES_GROUP].present()) {
    AttrTable<NHA_RES_GROUP_UNBALANCED_TIME + 1> r;
    Status rs = netlink::ParseAttrs(t[NHA_RES_GROUP].data, t[NHA_RES_GROUP].len, &r);
    if (!rs.ok()) return rs;
    if (r[NHA_RES_GROUP_BUCKETS].len >= 2) info.res_buckets = r[NHA_RES_GROUP_BUCKETS].U16();
    if (r[NHA_RES_GROUP_IDLE_TIMER].len >= 4) {
      info.res_idle_timer = r[NHA_RES_GROUP_IDLE_TIMER].U32();
    }
    if (r[NHA_RES_GROUP_UNBALANCED_TIMER].len >= 4) {
      info.res_unbalanced_timer = r[NHA_RES_GROUP_UNBALANCED_TIMER].U32();
    }
    if (r[NHA_RES_GROUP_UNBALANCED_TIME].len >= 8) {
      info.res_unbalanced_time = r[NHA_RES_GROUP_UNBALANCED_TIME].U64();
    }
  }
  return info;
}

}  // namespace netns_native::rtnl
