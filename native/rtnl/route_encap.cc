#include "route_encap.h"

#include <endian.h>
#include <linux/lwtunnel.h>
#include <linux/mpls_iptunnel.h>
#include <linux/netlink.h>
#include <linux/seg6_iptunnel.h>
#include <linux/seg6_local.h>

#include <cstring>

namespace netns_native::rtnl {

using netlink::AppendAttr;
using netlink::AttrTable;

namespace {

// struct ipv6_sr_hdr (linux/seg6.h, not included: it pulls linux/in6.h, which clashes with the
// libc's netinet/in.h): 8 bytes, then the segments. Its fields by offset.
constexpr size_t kSrhHeader = 8;
constexpr size_t kSrhHdrLen = 1, kSrhType = 2, kSrhSegmentsLeft = 3, kSrhFirstSegment = 4,
                 kSrhFlags = 5;
constexpr uint8_t kSrhRoutingType = 4;    // IPV6_SRCRT_TYPE_4
constexpr uint8_t kSrhFlagHmac = 1 << 3;  // SR6_FLAG1_HMAC
// struct sr6_tlv_hmac (linux/seg6_hmac.h): type, len, 2 reserved bytes, the key id (big-endian)
// and a 32-byte HMAC the kernel computes; the last 40 bytes of the SRH.
constexpr size_t kHmacTlv = 40;
constexpr uint8_t kTlvHmac = 5;  // SR6_TLV_HMAC
constexpr size_t kSegment = 16;
constexpr size_t kMaxSegments = 128;  // far beyond what fits a packet; hdrlen is 8 bits

// MPLS label stack entry (linux/mpls.h): label << 12 | TC << 9 | bottom of stack << 8 | TTL.
constexpr uint32_t kMplsLabelShift = 12;
constexpr uint32_t kMplsBottom = 1 << 8;
constexpr uint32_t kMplsMaxLabel = (1 << 20) - 1;

void PutU8(std::vector<uint8_t>& out, uint16_t type, uint8_t v) {
  AppendAttr(out, type, &v, sizeof v);
}
void PutU32(std::vector<uint8_t>& out, uint16_t type, uint32_t v) {
  AppendAttr(out, type, &v, sizeof v);
}

Status IpTunnelAttrs(const RouteEncap& e, size_t addr_len, std::vector<uint8_t>& out) {
  // LWTUNNEL_IP_* and LWTUNNEL_IP6_* share their numbers (ID 1, DST 2, SRC 3, TTL/HOPLIMIT 4,
  // TOS/TC 5, FLAGS 6).
  for (const auto* ip : {&e.src, &e.dst}) {
    if (!ip->empty() && ip->size() != addr_len) {
      return Error::Invalid("an encap address of another family than the encap");
    }
  }
  if (e.id) {
    uint64_t be = htobe64(*e.id);
    AppendAttr(out, LWTUNNEL_IP_ID, &be, sizeof be);
  }
  if (!e.dst.empty()) AppendAttr(out, LWTUNNEL_IP_DST, e.dst.data(), e.dst.size());
  if (!e.src.empty()) AppendAttr(out, LWTUNNEL_IP_SRC, e.src.data(), e.src.size());
  if (e.ttl) PutU8(out, LWTUNNEL_IP_TTL, *e.ttl);
  if (e.tos) PutU8(out, LWTUNNEL_IP_TOS, *e.tos);
  // Last, where ip puts it whatever the order of its words.
  if (e.flags && *e.flags != 0) {
    uint16_t be = htobe16(*e.flags);
    AppendAttr(out, LWTUNNEL_IP_FLAGS, &be, sizeof be);
  }
  return Status();
}

// An SRH as iproute2's parse_srh lays it out: segments stored last-to-first, an extra zeroed
// segment 0 when `placeholder` (inline mode: the kernel puts the packet's destination there),
// and an HMAC TLV (key id only; the kernel computes the HMAC) when `hmac` is set.
Result<std::vector<uint8_t>> BuildSrh(const std::vector<std::vector<uint8_t>>& segments,
                                      std::optional<uint32_t> hmac, bool placeholder) {
  if (segments.empty()) return Error::Invalid("a segment routing header needs segments");
  if (segments.size() > kMaxSegments) return Error::Invalid("too many segments");
  size_t n = segments.size() + (placeholder ? 1 : 0);
  size_t len = kSrhHeader + kSegment * n + (hmac ? kHmacTlv : 0);
  std::vector<uint8_t> srh(len, 0);
  srh[kSrhHdrLen] = static_cast<uint8_t>((len >> 3) - 1);
  srh[kSrhType] = kSrhRoutingType;
  srh[kSrhSegmentsLeft] = static_cast<uint8_t>(n - 1);
  srh[kSrhFirstSegment] = static_cast<uint8_t>(n - 1);
  if (hmac) srh[kSrhFlags] = kSrhFlagHmac;
  size_t i = n - 1;
  for (const std::vector<uint8_t>& s : segments) {
    if (s.size() != kSegment) return Error::Invalid("a segment that is not an IPv6 address");
    std::memcpy(srh.data() + kSrhHeader + kSegment * i--, s.data(), kSegment);
  }
  if (hmac) {
    uint8_t* tlv = srh.data() + len - kHmacTlv;
    tlv[0] = kTlvHmac;
    tlv[1] = kHmacTlv - 2;
    uint32_t be = htobe32(*hmac);
    std::memcpy(tlv + 4, &be, sizeof be);
  }
  return srh;
}

Status Seg6Attrs(const RouteEncap& e, std::vector<uint8_t>& out) {
  if (!e.mode || *e.mode > SEG6_IPTUN_MODE_L2ENCAP_RED) {
    return Error::Invalid("a seg6 encap needs a mode");
  }
  Result<std::vector<uint8_t>> srh =
      BuildSrh(e.segments, e.hmac, *e.mode == SEG6_IPTUN_MODE_INLINE);
  if (!srh.ok()) return srh.error();
  int32_t mode = static_cast<int32_t>(*e.mode);
  std::vector<uint8_t> payload(sizeof mode);
  std::memcpy(payload.data(), &mode, sizeof mode);
  payload.insert(payload.end(), srh.value().begin(), srh.value().end());
  AppendAttr(out, SEG6_IPTUNNEL_SRH, payload.data(), payload.size());
  return Status();
}

Status MplsAttrs(const RouteEncap& e, std::vector<uint8_t>& out) {
  if (e.labels.empty()) return Error::Invalid("an mpls encap needs labels");
  std::vector<uint8_t> stack;
  for (size_t i = 0; i < e.labels.size(); ++i) {
    if (e.labels[i] > kMplsMaxLabel) return Error::Invalid("an MPLS label above 1048575");
    uint32_t entry = e.labels[i] << kMplsLabelShift;
    if (i + 1 == e.labels.size()) entry |= kMplsBottom;
    entry = htobe32(entry);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(&entry);
    stack.insert(stack.end(), p, p + sizeof entry);
  }
  AppendAttr(out, MPLS_IPTUNNEL_DST, stack.data(), stack.size());
  if (e.ttl) PutU8(out, MPLS_IPTUNNEL_TTL, *e.ttl);
  return Status();
}

// In SEG6_LOCAL_* order, as `ip route add ... encap seg6local action A table T nh4 X nh6 Y iif
// I oif O` (words in that order) sends them.
Status Seg6LocalAttrs(const RouteEncap& e, std::vector<uint8_t>& out) {
  if (!e.action || *e.action == 0) return Error::Invalid("a seg6local encap needs an action");
  if ((!e.nh4.empty() && e.nh4.size() != 4) || (!e.nh6.empty() && e.nh6.size() != 16)) {
    return Error::Invalid("a seg6local next hop of the wrong family");
  }
  PutU32(out, SEG6_LOCAL_ACTION, *e.action);
  if (e.table) PutU32(out, SEG6_LOCAL_TABLE, *e.table);
  if (e.vrftable) PutU32(out, SEG6_LOCAL_VRFTABLE, *e.vrftable);
  if (!e.nh4.empty()) AppendAttr(out, SEG6_LOCAL_NH4, e.nh4.data(), e.nh4.size());
  if (!e.nh6.empty()) AppendAttr(out, SEG6_LOCAL_NH6, e.nh6.data(), e.nh6.size());
  if (e.iif) PutU32(out, SEG6_LOCAL_IIF, *e.iif);
  if (e.oif) PutU32(out, SEG6_LOCAL_OIF, *e.oif);
  return Status();
}

Result<std::vector<std::vector<uint8_t>>> ParseSrhSegments(const uint8_t* p, size_t len,
                                                           std::optional<uint32_t>* hmac) {
  if (len < kSrhHeader) return Error::Invalid("a segment routing header too short");
  size_t srh_len = (static_cast<size_t>(p[kSrhHdrLen]) + 1) << 3;
  size_t n = static_cast<size_t>(p[kSrhFirstSegment]) + 1;
  if (srh_len > len || kSrhHeader + n * kSegment > srh_len) {
    return Error::Invalid("a segment routing header longer than its attribute");
  }
  std::vector<std::vector<uint8_t>> segments;
  for (size_t i = n; i-- > 0;) {
    const uint8_t* s = p + kSrhHeader + i * kSegment;
    segments.emplace_back(s, s + kSegment);
  }
  if ((p[kSrhFlags] & kSrhFlagHmac) && srh_len >= kSrhHeader + n * kSegment + kHmacTlv) {
    uint32_t be;
    std::memcpy(&be, p + srh_len - kHmacTlv + 4, sizeof be);
    *hmac = be32toh(be);
  }
  return segments;
}

Status ParseIpTunnel(const netlink::Attr& a, RouteEncap* e) {
  AttrTable<LWTUNNEL_IP_OPTS + 1> t;
  Status s = netlink::ParseNested(a, &t);
  if (!s.ok()) return s;
  if (t[LWTUNNEL_IP_ID].len >= 8) e->id = t[LWTUNNEL_IP_ID].Be64();
  if (t[LWTUNNEL_IP_DST].present()) e->dst = t[LWTUNNEL_IP_DST].Bytes();
  if (t[LWTUNNEL_IP_SRC].present()) e->src = t[LWTUNNEL_IP_SRC].Bytes();
  if (t[LWTUNNEL_IP_TTL].present()) e->ttl = t[LWTUNNEL_IP_TTL].U8();
  if (t[LWTUNNEL_IP_TOS].present()) e->tos = t[LWTUNNEL_IP_TOS].U8();
  if (t[LWTUNNEL_IP_FLAGS].len >= 2) e->flags = t[LWTUNNEL_IP_FLAGS].Be16();
  return Status();
}

Status ParseSeg6(const netlink::Attr& a, RouteEncap* e) {
  AttrTable<SEG6_IPTUNNEL_SRH + 1> t;
  Status s = netlink::ParseNested(a, &t);
  if (!s.ok()) return s;
  const netlink::Attr& srh = t[SEG6_IPTUNNEL_SRH];
  if (!srh.present()) return Status();
  int32_t mode;
  if (srh.len < sizeof mode) return Error::Invalid("a seg6 encap too short");
  std::memcpy(&mode, srh.data, sizeof mode);
  e->mode = static_cast<uint32_t>(mode);
  Result<std::vector<std::vector<uint8_t>>> segs =
      ParseSrhSegments(srh.data + sizeof mode, srh.len - sizeof mode, &e->hmac);
  if (!segs.ok()) return segs.error();
  e->segments = std::move(segs.value());
  // Inline mode's segment 0 is the placeholder BuildSrh adds, not a segment that was asked for.
  if (mode == SEG6_IPTUN_MODE_INLINE && !e->segments.empty()) e->segments.pop_back();
  return Status();
}

Status ParseMpls(const netlink::Attr& a, RouteEncap* e) {
  AttrTable<MPLS_IPTUNNEL_TTL + 1> t;
  Status s = netlink::ParseNested(a, &t);
  if (!s.ok()) return s;
  const netlink::Attr& dst = t[MPLS_IPTUNNEL_DST];
  if (dst.len % 4 != 0) return Error::Invalid("an MPLS label stack of a partial entry");
  for (size_t i = 0; i + 4 <= dst.len; i += 4) {
    uint32_t be;
    std::memcpy(&be, dst.data + i, sizeof be);
    uint32_t entry = be32toh(be);
    e->labels.push_back(entry >> kMplsLabelShift);
    if (entry & kMplsBottom) break;
  }
  if (t[MPLS_IPTUNNEL_TTL].present()) e->ttl = t[MPLS_IPTUNNEL_TTL].U8();
  return Status();
}

Status ParseSeg6Local(const netlink::Attr& a, RouteEncap* e) {
  AttrTable<SEG6_LOCAL_FLAVORS + 1> t;
  Status s = netlink::ParseNested(a, &t);
  if (!s.ok()) return s;
  if (t[SEG6_LOCAL_ACTION].len >= 4) e->action = t[SEG6_LOCAL_ACTION].U32();
  if (t[SEG6_LOCAL_TABLE].len >= 4) e->table = t[SEG6_LOCAL_TABLE].U32();
  if (t[SEG6_LOCAL_VRFTABLE].len >= 4) e->vrftable = t[SEG6_LOCAL_VRFTABLE].U32();
  if (t[SEG6_LOCAL_NH4].present()) e->nh4 = t[SEG6_LOCAL_NH4].Bytes();
  if (t[SEG6_LOCAL_NH6].present()) e->nh6 = t[SEG6_LOCAL_NH6].Bytes();
  if (t[SEG6_LOCAL_IIF].len >= 4) e->iif = t[SEG6_LOCAL_IIF].U32();
  if (t[SEG6_LOCAL_OIF].len >= 4) e->oif = t[SEG6_LOCAL_OIF].U32();
  return Status();
}

}  // namespace

Result<std::vector<uint8_t>> EncapPayload(const RouteEncap& encap) {
  std::vector<uint8_t> inner;
  Status s;
  switch (encap.type) {
    case LWTUNNEL_ENCAP_IP:
      s = IpTunnelAttrs(encap, 4, inner);
      break;
    case LWTUNNEL_ENCAP_IP6:
      s = IpTunnelAttrs(encap, 16, inner);
      break;
    case LWTUNNEL_ENCAP_SEG6:
      s = Seg6Attrs(encap, inner);
      break;
    case LWTUNNEL_ENCAP_MPLS:
      s = MplsAttrs(encap, inner);
      break;
    case LWTUNNEL_ENCAP_SEG6_LOCAL:
      s = Seg6LocalAttrs(encap, inner);
      break;
    default:
      return Error::Invalid("an encap type this library cannot build");
  }
  if (!s.ok()) return s;
  return inner;
}

Result<RouteEncap> ParseEncap(uint16_t type, const netlink::Attr& encap) {
  RouteEncap e;
  e.type = type;
  Status s;
  switch (type) {
    case LWTUNNEL_ENCAP_IP:
    case LWTUNNEL_ENCAP_IP6:
      s = ParseIpTunnel(encap, &e);
      break;
    case LWTUNNEL_ENCAP_SEG6:
      s = ParseSeg6(encap, &e);
      break;
    case LWTUNNEL_ENCAP_MPLS:
      s = ParseMpls(encap, &e);
      break;
    case LWTUNNEL_ENCAP_SEG6_LOCAL:
      s = ParseSeg6Local(encap, &e);
      break;
    default:
      break;  // the type alone
  }
  if (!s.ok()) return s;
  return e;
}

}  // namespace netns_native::rtnl
