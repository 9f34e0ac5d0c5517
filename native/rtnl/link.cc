#include "link.h"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

void PutLinkBody(MessageBuilder& b, const LinkRequest& req) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = req.index;
  ifi.ifi_flags = req.flags;
  ifi.ifi_change = req.change;
  b.PutHeader(ifi);
  if (req.link) b.PutS32(IFLA_LINK, *req.link);  // first, where iproute2 puts it
  if (req.new_name) {
    b.PutString(IFLA_IFNAME, *req.new_name);
  } else if (!req.name.empty()) {
    b.PutString(IFLA_IFNAME, req.name);
  }
  if (req.mtu) b.PutU32(IFLA_MTU, *req.mtu);
  if (req.txqlen) b.PutU32(IFLA_TXQLEN, *req.txqlen);
  if (req.group) b.PutU32(IFLA_GROUP, *req.group);
  if (req.address) b.PutBytes(IFLA_ADDRESS, *req.address);
  if (req.master) b.PutS32(IFLA_MASTER, *req.master);
  if (req.netns_fd) b.PutU32(IFLA_NET_NS_FD, static_cast<uint32_t>(*req.netns_fd));
  if (req.alias) {
    // An empty alias goes as an empty attribute, as `ip link set dev X alias ""` sends it: the
    // kernel then frees the alias (netif_set_alias with length 0) instead of storing "".
    if (req.alias->empty()) {
      b.PutAttr(IFLA_IFALIAS, nullptr, 0);
    } else {
      b.PutString(IFLA_IFALIAS, *req.alias);
    }
  }
  if (req.carrier) b.PutU8(IFLA_CARRIER, *req.carrier);
  if (req.gso_max_size) b.PutU32(IFLA_GSO_MAX_SIZE, *req.gso_max_size);
  if (req.gso_max_segs) b.PutU32(IFLA_GSO_MAX_SEGS, *req.gso_max_segs);
  if (req.gro_max_size) b.PutU32(IFLA_GRO_MAX_SIZE, *req.gro_max_size);
  if (req.num_tx_queues) b.PutU32(IFLA_NUM_TX_QUEUES, *req.num_tx_queues);
  if (req.num_rx_queues) b.PutU32(IFLA_NUM_RX_QUEUES, *req.num_rx_queues);
  if (req.addr_gen_mode) {
    size_t spec = b.BeginNest(IFLA_AF_SPEC);
    size_t inet6 = b.BeginNest(AF_INET6);
    b.PutU8(IFLA_INET6_ADDR_GEN_MODE, *req.addr_gen_mode);
    b.EndNest(inet6);
    b.EndNest(spec);
  }
  if (req.proto_down) b.PutU8(IFLA_PROTO_DOWN, *req.proto_down);
  if (req.proto_down_reason_mask) {
    size_t reason = b.BeginNest(IFLA_PROTO_DOWN_REASON);
    b.PutU32(IFLA_PROTO_DOWN_REASON_MASK, *req.proto_down_reason_mask);
    b.PutU32(IFLA_PROTO_DOWN_REASON_VALUE, req.proto_down_reason_value);
    b.EndNest(reason);
  }
}

namespace {

void PutLinkInfo(MessageBuilder& b, const LinkRequest& req) {
  if (req.kind.empty() && req.slave_kind.empty()) return;
  size_t info = b.BeginNest(IFLA_LINKINFO);
  if (!req.kind.empty()) {
    b.PutString(IFLA_INFO_KIND, req.kind);
    if (!req.info.values.empty()) {
      size_t data = b.BeginNest(IFLA_INFO_DATA);
      PutKindData(b, req.info, PutLinkBody);
      b.EndNest(data);
    }
  }
  if (!req.slave_kind.empty()) {
    b.PutString(IFLA_INFO_SLAVE_KIND, req.slave_kind);
    if (!req.slave_info.values.empty()) {
      size_t data = b.BeginNest(IFLA_INFO_SLAVE_DATA);
      PutKindData(b, req.slave_info, PutLinkBody);
      b.EndNest(data);
    }
  }
  b.EndNest(info);
}

MessageBuilder GetLinkHeader(uint16_t flags, int32_t index, bool stats) {
  MessageBuilder b(RTM_GETLINK, NLM_F_REQUEST | flags);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  b.PutHeader(ifi);
  // Statistics are a third of every link message: skipped unless asked for.
  if (!stats) b.PutU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return b;
}

}  // namespace

Result<std::vector<uint8_t>> BuildNewLink(const LinkRequest& req, uint16_t nl_flags) {
  MessageBuilder b(RTM_NEWLINK, NLM_F_REQUEST | nl_flags);
  PutLinkBody(b, req);
  PutLinkInfo(b, req);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDelLink(int32_t index, const std::string& name,
                                          uint16_t nl_flags) {
  MessageBuilder b(RTM_DELLINK, NLM_F_REQUEST | nl_flags);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  b.PutHeader(ifi);
  if (index == 0) b.PutString(IFLA_IFNAME, name);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDelLinkGroup(uint32_t group) {
  MessageBuilder b(RTM_DELLINK, NLM_F_REQUEST);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  b.PutHeader(ifi);
  b.PutU32(IFLA_GROUP, group);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildGetLink(int32_t index, const std::string& name, bool stats) {
  MessageBuilder b = GetLinkHeader(0, index, stats);
  if (index == 0) b.PutString(name.size() < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, name);
  return std::move(b).Finish();
}

namespace {

// The flags are iproute2's (iplink_prop): NLM_F_CREATE | NLM_F_EXCL | NLM_F_APPEND to add.
Result<std::vector<uint8_t>> BuildLinkProp(uint16_t type, uint16_t nl_flags, int32_t index,
                                           const std::string& alt_name) {
  MessageBuilder b(type, NLM_F_REQUEST | nl_flags);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  b.PutHeader(ifi);
  size_t list = b.BeginNest(IFLA_PROP_LIST);
  b.PutString(IFLA_ALT_IFNAME, alt_name);
  b.EndNest(list);
  return std::move(b).Finish();
}

// Each IPSTATS_MIB_* index's counter (index 0 is the count itself), in the two orders the kernel
// has had: Linux 6.15 moved the fast path's counters to the front. OutTransmits (Linux 6.7) is
// optional, so it is not in the tables: it came last before 6.15, tenth since.
constexpr uint64_t Ipv6Stats::*kMibBefore615[] = {
    nullptr,
    &Ipv6Stats::in_receives,
    &Ipv6Stats::in_octets,
    &Ipv6Stats::in_delivers,
    &Ipv6Stats::out_forw_datagrams,
    &Ipv6Stats::out_requests,
    &Ipv6Stats::out_octets,
    &Ipv6Stats::in_hdr_errors,
    &Ipv6Stats::in_too_big_errors,
    &Ipv6Stats::in_no_routes,
    &Ipv6Stats::in_addr_errors,
    &Ipv6Stats::in_unknown_protos,
    &Ipv6Stats::in_truncated_pkts,
    &Ipv6Stats::in_discards,
    &Ipv6Stats::out_discards,
    &Ipv6Stats::out_no_routes,
    &Ipv6Stats::reasm_timeout,
    &Ipv6Stats::reasm_reqds,
    &Ipv6Stats::reasm_oks,
    &Ipv6Stats::reasm_fails,
    &Ipv6Stats::frag_oks,
    &Ipv6Stats::frag_fails,
    &Ipv6Stats::frag_creates,
    &Ipv6Stats::in_mcast_pkts,
    &Ipv6Stats::out_mcast_pkts,
    &Ipv6Stats::in_bcast_pkts,
    &Ipv6Stats::out_bcast_pkts,
    &Ipv6Stats::in_mcast_octets,
    &Ipv6Stats::out_mcast_octets,
    &Ipv6Stats::in_bcast_octets,
    &Ipv6Stats::out_bcast_octets,
    &Ipv6Stats::in_csum_errors,
    &Ipv6Stats::in_no_ect_pkts,
    &Ipv6Stats::in_ect1_pkts,
    &Ipv6Stats::in_ect0_pkts,
    &Ipv6Stats::in_ce_pkts,
    &Ipv6Stats::reasm_overlaps,
    nullptr,  // OutTransmits
};
constexpr uint64_t Ipv6Stats::*kMibSince615[] = {
    nullptr,
    &Ipv6Stats::in_receives,
    &Ipv6Stats::in_octets,
    &Ipv6Stats::in_delivers,
    &Ipv6Stats::in_no_ect_pkts,
    &Ipv6Stats::in_ect1_pkts,
    &Ipv6Stats::in_ect0_pkts,
    &Ipv6Stats::in_ce_pkts,
    &Ipv6Stats::out_requests,
    nullptr,  // OutTransmits
    &Ipv6Stats::out_octets,
    &Ipv6Stats::out_forw_datagrams,
    &Ipv6Stats::in_hdr_errors,
    &Ipv6Stats::in_too_big_errors,
    &Ipv6Stats::in_no_routes,
    &Ipv6Stats::in_addr_errors,
    &Ipv6Stats::in_unknown_protos,
    &Ipv6Stats::in_truncated_pkts,
    &Ipv6Stats::in_discards,
    &Ipv6Stats::out_discards,
    &Ipv6Stats::out_no_routes,
    &Ipv6Stats::reasm_timeout,
    &Ipv6Stats::reasm_reqds,
    &Ipv6Stats::reasm_oks,
    &Ipv6Stats::reasm_fails,
    &Ipv6Stats::frag_oks,
    &Ipv6Stats::frag_fails,
    &Ipv6Stats::frag_creates,
    &Ipv6Stats::in_mcast_pkts,
    &Ipv6Stats::out_mcast_pkts,
    &Ipv6Stats::in_bcast_pkts,
    &Ipv6Stats::out_bcast_pkts,
    &Ipv6Stats::in_mcast_octets,
    &Ipv6Stats::out_mcast_octets,
    &Ipv6Stats::in_bcast_octets,
    &Ipv6Stats::out_bcast_octets,
    &Ipv6Stats::in_csum_errors,
    &Ipv6Stats::reasm_overlaps,
};
static_assert(sizeof kMibBefore615 == sizeof kMibSince615, "both orders have 38 places");

}  // namespace

Ipv6MibOrder RunningIpv6MibOrder() {
  static const Ipv6MibOrder order = [] {
    utsname u{};
    unsigned major = 0, minor = 0;
    if (uname(&u) != 0 || std::sscanf(u.release, "%u.%u", &major, &minor) != 2) {
      return Ipv6MibOrder::kSince615;
    }
    return major > 6 || (major == 6 && minor >= 15) ? Ipv6MibOrder::kSince615
                                                    : Ipv6MibOrder::kBefore615;
  }();
  return order;
}

namespace {

// IFLA_INET6_STATS and IFLA_INET6_ICMP6STATS: u64 counters (unaligned in the message), the first
// their number.
uint64_t MibAt(const uint8_t* data, size_t i) {
  uint64_t v;
  std::memcpy(&v, data + i * sizeof v, sizeof v);
  return v;
}

// The number of counters (the count included), cut to what the attribute holds.
size_t MibCount(const uint8_t* data, size_t len) {
  size_t in_attr = len / sizeof(uint64_t);
  return in_attr == 0 ? 0 : std::min<uint64_t>(MibAt(data, 0), in_attr);
}

}  // namespace

Ipv6Stats ParseIpv6Stats(const uint8_t* data, size_t len, Ipv6MibOrder order) {
  Ipv6Stats s;
  size_t count = MibCount(data, len);
  const auto& table = order == Ipv6MibOrder::kSince615 ? kMibSince615 : kMibBefore615;
  size_t transmits = order == Ipv6MibOrder::kSince615 ? 9 : 37;
  for (size_t i = 1; i < count && i < std::size(table); ++i) {
    if (table[i] != nullptr) s.*table[i] = MibAt(data, i);
  }
  if (count > transmits) s.out_transmits = MibAt(data, transmits);
  return s;
}

Icmp6Stats ParseIcmp6Stats(const uint8_t* data, size_t len) {
  // ICMP6_MIB_* in their order since they exist; RATELIMITHOST, the sixth, came later.
  constexpr uint64_t Icmp6Stats::*kMib[] = {
      nullptr,
      &Icmp6Stats::in_msgs,
      &Icmp6Stats::in_errors,
      &Icmp6Stats::out_msgs,
      &Icmp6Stats::out_errors,
      &Icmp6Stats::in_csum_errors,
  };
  Icmp6Stats s;
  size_t count = MibCount(data, len);
  for (size_t i = 1; i < count && i < std::size(kMib); ++i) s.*kMib[i] = MibAt(data, i);
  if (count > std::size(kMib)) s.out_rate_limit_host = MibAt(data, std::size(kMib));
  return s;
}

Result<std::vector<uint8_t>> BuildNewLinkProp(int32_t index, const std::string& alt_name) {
  return BuildLinkProp(RTM_NEWLINKPROP, NLM_F_CREATE | NLM_F_EXCL | NLM_F_APPEND, index, alt_name);
}

Result<std::vector<uint8_t>> BuildDelLinkProp(int32_t index, const std::string& alt_name) {
  return BuildLinkProp(RTM_DELLINKPROP, 0, index, alt_name);
}

Result<std::vector<uint8_t>> BuildDumpLinks(int32_t master, const std::string& kind, bool stats) {
  MessageBuilder b = GetLinkHeader(NLM_F_DUMP, 0, stats);
  if (master != 0) b.PutS32(IFLA_MASTER, master);
  if (!kind.empty()) {
    size_t info = b.BeginNest(IFLA_LINKINFO);
    b.PutString(IFLA_INFO_KIND, kind);
    b.EndNest(info);
  }
  return std::move(b).Finish();
}

Result<LinkInfo> ParseLink(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWLINK && msg.nlmsg_type != RTM_DELLINK) ||
      !netlink::AttrsAfterHeader(msg, sizeof(ifinfomsg), &p, &len)) {
    return Error::Invalid("not an RTM_NEWLINK or RTM_DELLINK message");
  }
  ifinfomsg ifi;
  std::memcpy(&ifi, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof ifi);
  LinkInfo info;
  info.index = ifi.ifi_index;
  info.type = ifi.ifi_type;
  info.flags = ifi.ifi_flags;

  AttrTable<__IFLA_MAX> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  info.name = t[IFLA_IFNAME].String();
  info.mtu = t[IFLA_MTU].U32();
  info.min_mtu = t[IFLA_MIN_MTU].U32();
  info.max_mtu = t[IFLA_MAX_MTU].U32();
  info.group = t[IFLA_GROUP].U32();
  info.txqlen = t[IFLA_TXQLEN].U32();
  info.promiscuity = t[IFLA_PROMISCUITY].U32();
  info.num_tx_queues = t[IFLA_NUM_TX_QUEUES].U32();
  info.num_rx_queues = t[IFLA_NUM_RX_QUEUES].U32();
  if (t[IFLA_ADDRESS].present()) info.address = t[IFLA_ADDRESS].Bytes();
  if (t[IFLA_BROADCAST].present()) info.broadcast = t[IFLA_BROADCAST].Bytes();
  info.operstate = t[IFLA_OPERSTATE].U8();
  info.carrier = t[IFLA_CARRIER].U8();
  info.master = t[IFLA_MASTER].S32();
  info.link = t[IFLA_LINK].S32();
  if (t[IFLA_LINK_NETNSID].present()) info.link_netnsid = t[IFLA_LINK_NETNSID].S32();
  info.linkmode = t[IFLA_LINKMODE].U8();
  const auto optional_u32 = [&t](int type) -> std::optional<uint32_t> {
    if (!t[type].present()) return std::nullopt;
    return t[type].U32();
  };
  info.allmulti = optional_u32(IFLA_ALLMULTI);
  info.gso_max_size = optional_u32(IFLA_GSO_MAX_SIZE);
  info.gso_max_segs = optional_u32(IFLA_GSO_MAX_SEGS);
  info.tso_max_size = optional_u32(IFLA_TSO_MAX_SIZE);
  info.tso_max_segs = optional_u32(IFLA_TSO_MAX_SEGS);
  info.gro_max_size = optional_u32(IFLA_GRO_MAX_SIZE);
  if (t[IFLA_AF_SPEC].present()) {
    // One nest per address family; IPv6's carries the address generation mode.
    (void)netlink::ForEachAttr(
        t[IFLA_AF_SPEC].data, t[IFLA_AF_SPEC].len, [&info](const netlink::Attr& family) {
          if (family.type != AF_INET6) return;
          (void)netlink::ForEachAttr(family.data, family.len, [&info](const netlink::Attr& a) {
            if (a.type == IFLA_INET6_ADDR_GEN_MODE && a.len >= 1) info.addr_gen_mode = a.U8();
            if (a.type == IFLA_INET6_STATS) {
              info.ipv6_stats = ParseIpv6Stats(a.data, a.len, RunningIpv6MibOrder());
            }
            if (a.type == IFLA_INET6_ICMP6STATS) {
              info.icmp6_stats = ParseIcmp6Stats(a.data, a.len);
            }
          });
        });
  }
  info.alias = t[IFLA_IFALIAS].String();
  info.qdisc = t[IFLA_QDISC].String();
  info.carrier_changes = optional_u32(IFLA_CARRIER_CHANGES);
  info.proto_down = t[IFLA_PROTO_DOWN].U8();
  if (t[IFLA_PROTO_DOWN_REASON].present()) {
    AttrTable<IFLA_PROTO_DOWN_REASON_MAX + 1> reason;
    if (netlink::ParseNested(t[IFLA_PROTO_DOWN_REASON], &reason).ok() &&
        reason[IFLA_PROTO_DOWN_REASON_VALUE].present()) {
      info.proto_down_reason = reason[IFLA_PROTO_DOWN_REASON_VALUE].U32();
    }
  }
  // struct rtnl_link_stats64 grows at its end over kernel versions: the counters are read up to
  // the attribute's length (at least the first ten, there since 2.6.35), the rest left 0 as ip
  // leaves them, but rx_otherhost_dropped, left unset.
  constexpr size_t kCounters = 25, kFirst = 10;
  if (t[IFLA_STATS64].len >= kFirst * sizeof(uint64_t)) {
    uint64_t c[kCounters] = {};
    std::memcpy(c, t[IFLA_STATS64].data, std::min<size_t>(t[IFLA_STATS64].len, sizeof c));
    info.stats = LinkStats{c[0],  c[1],  c[2],  c[3],  c[4],  c[5],  c[6],        c[7],  c[8],
                           c[9],  c[10], c[11], c[12], c[13], c[14], c[15],       c[16], c[17],
                           c[18], c[19], c[20], c[21], c[22], c[23], std::nullopt};
    if (t[IFLA_STATS64].len >= sizeof c) info.stats->rx_otherhost_dropped = c[24];
  }

  if (t[IFLA_PROP_LIST].present()) {
    // IFLA_ALT_IFNAME repeats inside the list, one per alternative name. A malformed tail is
    // dropped: the names before it are kept.
    (void)netlink::ForEachAttr(t[IFLA_PROP_LIST].data, t[IFLA_PROP_LIST].len,
                               [&info](const netlink::Attr& a) {
                                 if (a.type == IFLA_ALT_IFNAME)
                                   info.alt_names.push_back(a.String());
                               });
  }

  if (t[IFLA_LINKINFO].present()) {
    AttrTable<__IFLA_INFO_MAX> li;
    if (netlink::ParseNested(t[IFLA_LINKINFO], &li).ok()) {
      info.kind = li[IFLA_INFO_KIND].String();
      info.slave_kind = li[IFLA_INFO_SLAVE_KIND].String();
      // A malformed kind nest is kept out of the result rather than failing the whole link.
      if (li[IFLA_INFO_DATA].present()) {
        (void)ParseKindData(li[IFLA_INFO_DATA], FindLinkKind(info.kind), &info.info);
      }
      if (li[IFLA_INFO_SLAVE_DATA].present()) {
        (void)ParseKindData(li[IFLA_INFO_SLAVE_DATA], FindLinkKind(info.slave_kind, true),
                            &info.slave_info);
      }
    }
  }
  return info;
}

}  // namespace netns_native::rtnl
