// Results to JS, in the shapes schema.h declares. JS thread only.
#include <linux/netlink.h>

#include <algorithm>
#include <limits>

#include "convert.h"
#include "schema.h"
#include "values.h"

namespace netns_native::addon {

namespace {

double AsNumber(double v) { return v; }
double AsNumber(const std::optional<uint32_t>& v) {
  return v ? *v : std::numeric_limits<double>::quiet_NaN();
}
double AsNumber(const std::optional<int32_t>& v) {
  return v ? *v : std::numeric_limits<double>::quiet_NaN();
}
// Counters beyond 2^53 lose precision as doubles: 9 PB, years of a busy link.
double CounterAsNumber(uint64_t v) { return static_cast<double>(v); }
double CounterAsNumber(const std::optional<uint64_t>& v) {
  return v ? static_cast<double>(*v) : std::numeric_limits<double>::quiet_NaN();
}

// The attributes of a link's kind, named by the kind's table; unknown ones as
// `unknown: [{ type, hex }]`, kept rather than dropped.
Napi::Object KindDataToJs(Napi::Env env, const rtnl::KindData& data) {
  ObjectBuilder b(env);
  for (const rtnl::AttrValue& v : data.values) {
    switch (v.spec->value) {
      case rtnl::AttrType::kFlag:
        b.Add(v.spec->name, Napi::Boolean::New(env, v.number != 0));
        break;
      case rtnl::AttrType::kString:
        b.Str(v.spec->name, v.text);
        break;
      case rtnl::AttrType::kIp:
        b.Add(v.spec->name, IpToJs(env, v.bytes));
        break;
      case rtnl::AttrType::kMac: {
        std::string mac;
        AppendMac(mac, v.bytes);
        b.Str(v.spec->name, mac);
        break;
      }
      case rtnl::AttrType::kLink:
        break;  // requests only
      default:
        b.Num(v.spec->name, static_cast<double>(v.number));
    }
  }
  if (!data.unknown.empty()) {
    Napi::Array unknown = Napi::Array::New(env, data.unknown.size());
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < data.unknown.size(); ++i) {
      std::string hex;
      for (uint8_t byte : data.unknown[i].bytes) {
        hex += kHex[byte >> 4];
        hex += kHex[byte & 0xf];
      }
      unknown.Set(static_cast<uint32_t>(i),
                  ObjectBuilder(env).Num("type", data.unknown[i].type).Str("hex", hex).Build());
    }
    b.Add("unknown", unknown);
  }
  return b.Build();
}

#define NETNS_COUNT(...) +1
constexpr size_t kLinkNumbers = 0 NETNS_LINK_NUMBERS(NETNS_COUNT);
constexpr size_t kLinkStats = 0 NETNS_LINK_STATS(NETNS_COUNT);
constexpr size_t kIpv6Stats = 0 NETNS_IPV6_STATS(NETNS_COUNT);
constexpr size_t kIcmp6Stats = 0 NETNS_ICMP6_STATS(NETNS_COUNT);
// Per link in the statistics array: its own counters, then IPv6's, then ICMPv6's.
constexpr size_t kStatsWidth = kLinkStats + kIpv6Stats + kIcmp6Stats;
#undef NETNS_COUNT

void AppendText(std::string& out, const std::string& v) { out += v; }
void AppendText(std::string& out, const std::vector<uint8_t>& mac) { AppendMac(out, mac); }

// Links cross packed, because N-API builds objects one property at a time and a dump of 1,000
// links made that way cost ~10 µs a link on the JS thread: the numbers of every link in one
// Float64Array, the strings in one string, kind data and alternative names (for links that have
// them) in sparse arrays.
// lib/native/wire.ts unpacks them with the field order of schema.h, checked at load.
Napi::Object LinksToJs(Napi::Env env, const std::vector<rtnl::LinkInfo>& links, bool one,
                       bool with_stats) {
  size_t n = one ? std::min<size_t>(links.size(), 1) : links.size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, n * kLinkNumbers * sizeof(double));
  double* nums = static_cast<double*>(buf.Data());
  std::string strs;
  strs.reserve(n * 48);
  Napi::Array infos, slave_infos, alt_names;
  // Statistics only when the request asked for them (then every link has them).
  bool any_stats = false;
  for (size_t i = 0; i < n && with_stats && !any_stats; ++i) any_stats = links[i].stats.has_value();
  Napi::ArrayBuffer stats_buf;
  double* stats = nullptr;
  if (any_stats) {
    stats_buf = Napi::ArrayBuffer::New(env, n * kStatsWidth * sizeof(double));
    stats = static_cast<double*>(stats_buf.Data());
  }
  for (size_t i = 0; i < n; ++i) {
    const rtnl::LinkInfo& l = links[i];
    double* o = nums + i * kLinkNumbers;
#define NETNS_PUT_NUMBER(js, member, shape) *o++ = AsNumber(l.member);
    NETNS_LINK_NUMBERS(NETNS_PUT_NUMBER)
#undef NETNS_PUT_NUMBER
#define NETNS_PUT_STRING(js, member, shape) \
  AppendText(strs, l.member);               \
  strs += '\0';
    NETNS_LINK_STRINGS(NETNS_PUT_STRING)
#undef NETNS_PUT_STRING
    if (stats) {
      double* st = stats + i * kStatsWidth;
      if (l.stats) {
#define NETNS_PUT_STAT(js, member, shape) *st++ = CounterAsNumber(l.stats->member);
        NETNS_LINK_STATS(NETNS_PUT_STAT)
#undef NETNS_PUT_STAT
      } else {
        st = std::fill_n(st, kLinkStats, std::numeric_limits<double>::quiet_NaN());
      }
      if (l.ipv6_stats) {
#define NETNS_PUT_STAT(js, member, shape) *st++ = CounterAsNumber(l.ipv6_stats->member);
        NETNS_IPV6_STATS(NETNS_PUT_STAT)
#undef NETNS_PUT_STAT
      } else {
        st = std::fill_n(st, kIpv6Stats, std::numeric_limits<double>::quiet_NaN());
      }
      if (l.icmp6_stats) {
#define NETNS_PUT_STAT(js, member, shape) *st++ = CounterAsNumber(l.icmp6_stats->member);
        NETNS_ICMP6_STATS(NETNS_PUT_STAT)
#undef NETNS_PUT_STAT
      } else {
        std::fill_n(st, kIcmp6Stats, std::numeric_limits<double>::quiet_NaN());
      }
    }
    if (!l.info.empty()) {
      if (infos.IsEmpty()) infos = Napi::Array::New(env, n);
      infos.Set(static_cast<uint32_t>(i), KindDataToJs(env, l.info));
    }
    if (!l.slave_info.empty()) {
      if (slave_infos.IsEmpty()) slave_infos = Napi::Array::New(env, n);
      slave_infos.Set(static_cast<uint32_t>(i), KindDataToJs(env, l.slave_info));
    }
    if (!l.alt_names.empty()) {
      if (alt_names.IsEmpty()) alt_names = Napi::Array::New(env, n);
      Napi::Array names = Napi::Array::New(env, l.alt_names.size());
      for (size_t k = 0; k < l.alt_names.size(); ++k) {
        names.Set(static_cast<uint32_t>(k), Napi::String::New(env, l.alt_names[k]));
      }
      alt_names.Set(static_cast<uint32_t>(i), names);
    }
  }
  Napi::Object packed = Napi::Object::New(env);
  packed.Set("packed", Napi::Number::New(env, one ? 1 : 2));
  packed.Set("nums", Napi::Float64Array::New(env, n * kLinkNumbers, buf, 0));
  packed.Set("strs", Napi::String::New(env, strs));
  if (stats) packed.Set("stats", Napi::Float64Array::New(env, n * kStatsWidth, stats_buf, 0));
  if (!infos.IsEmpty()) packed.Set("infos", infos);
  if (!slave_infos.IsEmpty()) packed.Set("slaveInfos", slave_infos);
  if (!alt_names.IsEmpty()) packed.Set("altNames", alt_names);
  return packed;
}

// One field of an address or route object, by its shape in schema.h.
template <Shape S>
using ShapeTag = std::integral_constant<Shape, S>;

template <class V>
void PutInfoField(Napi::Env, ObjectBuilder& b, const char* name, const V& v,
                  ShapeTag<Shape::kNumber>) {
  b.Num(name, static_cast<double>(v));
}
void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name, const std::vector<uint8_t>& v,
                  ShapeTag<Shape::kIp>) {
  if (!v.empty()) b.Add(name, IpToJs(env, v));
}
void PutInfoField(Napi::Env, ObjectBuilder& b, const char* name, const std::string& v,
                  ShapeTag<Shape::kText>) {
  b.Str(name, v);
}
template <class V>
void PutInfoField(Napi::Env, ObjectBuilder& b, const char* name, const std::optional<V>& v,
                  ShapeTag<Shape::kOptional>) {
  if (v) b.Num(name, static_cast<double>(*v));
}
void PutInfoField(Napi::Env, ObjectBuilder& b, const char* name,
                  const std::optional<std::string>& v, ShapeTag<Shape::kOptional>) {
  if (v) b.Str(name, *v);
}
void PutInfoField(Napi::Env, ObjectBuilder& b, const char* name, const std::vector<uint8_t>& v,
                  ShapeTag<Shape::kMac>) {
  if (v.empty()) return;
  std::string mac;
  AppendMac(mac, v);
  b.Str(name, mac);
}
void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::vector<rtnl::NexthopInfo>& hops, ShapeTag<Shape::kNexthops>);
void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::optional<rtnl::RouteMetrics>& metrics, ShapeTag<Shape::kMetrics>);
void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::optional<rtnl::RouteEncap>& encap, ShapeTag<Shape::kEncap>);
void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::vector<std::vector<uint8_t>>& ips, ShapeTag<Shape::kIpList>) {
  if (ips.empty()) return;
  Napi::Array out = Napi::Array::New(env, ips.size());
  for (size_t i = 0; i < ips.size(); ++i) out.Set(static_cast<uint32_t>(i), IpToJs(env, ips[i]));
  b.Add(name, out);
}
void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::vector<uint32_t>& numbers, ShapeTag<Shape::kNumberList>) {
  if (numbers.empty()) return;
  Napi::Array out = Napi::Array::New(env, numbers.size());
  for (size_t i = 0; i < numbers.size(); ++i) {
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, numbers[i]));
  }
  b.Add(name, out);
}
void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::vector<rtnl::NexthopGroupEntry>& group,
                  ShapeTag<Shape::kNexthopGroup>) {
  if (group.empty()) return;
  Napi::Array out = Napi::Array::New(env, group.size());
  for (size_t i = 0; i < group.size(); ++i) {
    out.Set(static_cast<uint32_t>(i),
            ObjectBuilder(env).Num("id", group[i].id).Num("weight", group[i].weight).Build());
  }
  b.Add(name, out);
}

#define NETNS_PUT_INFO(js, member, shape) \
  PutInfoField(env, b, #js, x.member, ShapeTag<Shape::shape>{});

Napi::Object AddressToJs(Napi::Env env, const rtnl::AddressInfo& x) {
  ObjectBuilder b(env);
  NETNS_ADDRESS_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object RouteToJs(Napi::Env env, const rtnl::RouteInfo& x) {
  ObjectBuilder b(env);
  NETNS_ROUTE_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NftTableToJs(Napi::Env env, const nft::TableInfo& x) {
  ObjectBuilder b(env);
  NETNS_NFT_TABLE_INFO(NETNS_PUT_INFO)
  return b.Build();
}

// A chain as it crosses: the hook's fields flattened (absent for a regular chain).
struct NftChainOut {
  uint8_t family;
  std::string table, name;
  uint64_t handle;
  std::optional<uint32_t> hooknum;
  std::optional<int32_t> priority;
  std::optional<std::string> chain_type;
  std::optional<uint32_t> policy;
};

Napi::Object NftChainToJs(Napi::Env env, const nft::ChainInfo& c) {
  NftChainOut x{c.family, c.table, c.name, c.handle, {}, {}, {}, {}};
  if (c.hook) {
    x.hooknum = c.hook->hooknum;
    x.priority = c.hook->priority;
    x.chain_type = c.hook->type;
    x.policy = c.hook->policy;
  }
  ObjectBuilder b(env);
  NETNS_NFT_CHAIN_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NftRuleToJs(Napi::Env env, const nft::RuleInfo& x) {
  ObjectBuilder b(env);
  NETNS_NFT_RULE_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NftSetToJs(Napi::Env env, const nft::SetInfo& x) {
  ObjectBuilder b(env);
  NETNS_NFT_SET_INFO(NETNS_PUT_INFO)
  return b.Build();
}

// An element as it crosses: key and data in hex.
struct NftSetElemOut {
  uint8_t family;
  std::string table, set, key, data;
};

std::string ToHex(const std::vector<uint8_t>& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Napi::Object NftSetElemToJs(Napi::Env env, const nft::SetElemInfo& e) {
  NftSetElemOut x{e.family, e.table, e.set, ToHex(e.key), ToHex(e.data)};
  ObjectBuilder b(env);
  NETNS_NFT_SET_ELEM_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NexthopToJs(Napi::Env env, const rtnl::NexthopInfo& x) {
  ObjectBuilder b(env);
  NETNS_NEXTHOP_INFO(NETNS_PUT_INFO)
  return b.Build();
}

void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::vector<rtnl::NexthopInfo>& hops, ShapeTag<Shape::kNexthops>) {
  if (hops.empty()) return;
  Napi::Array out = Napi::Array::New(env, hops.size());
  for (size_t i = 0; i < hops.size(); ++i)
    out.Set(static_cast<uint32_t>(i), NexthopToJs(env, hops[i]));
  b.Add(name, out);
}

Napi::Object MetricsToJs(Napi::Env env, const rtnl::RouteMetrics& x) {
  ObjectBuilder b(env);
  NETNS_ROUTE_METRICS_INFO(NETNS_PUT_INFO)
  return b.Build();
}

void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::optional<rtnl::RouteMetrics>& metrics, ShapeTag<Shape::kMetrics>) {
  if (metrics) b.Add(name, MetricsToJs(env, *metrics));
}

Napi::Object EncapToJs(Napi::Env env, const rtnl::RouteEncap& x) {
  ObjectBuilder b(env);
  NETNS_ROUTE_ENCAP_INFO(NETNS_PUT_INFO)
  return b.Build();
}

void PutInfoField(Napi::Env env, ObjectBuilder& b, const char* name,
                  const std::optional<rtnl::RouteEncap>& encap, ShapeTag<Shape::kEncap>) {
  if (encap) b.Add(name, EncapToJs(env, *encap));
}

Napi::Object NeighbourToJs(Napi::Env env, const rtnl::NeighbourInfo& x) {
  ObjectBuilder b(env);
  NETNS_NEIGHBOUR_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object RuleToJs(Napi::Env env, const rtnl::RuleInfo& x) {
  ObjectBuilder b(env);
  NETNS_RULE_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NexthopObjectToJs(Napi::Env env, const rtnl::NexthopObjectInfo& x) {
  ObjectBuilder b(env);
  NETNS_NEXTHOP_OBJECT_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NetconfToJs(Napi::Env env, const rtnl::NetconfInfo& x) {
  ObjectBuilder b(env);
  NETNS_NETCONF_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NexthopBucketToJs(Napi::Env env, const rtnl::NexthopBucketInfo& x) {
  ObjectBuilder b(env);
  NETNS_NEXTHOP_BUCKET_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object MulticastGroupToJs(Napi::Env env, const rtnl::MulticastGroupInfo& x) {
  ObjectBuilder b(env);
  NETNS_MULTICAST_GROUP_INFO(NETNS_PUT_INFO)
  return b.Build();
}

Napi::Object NsidToJs(Napi::Env env, const rtnl::NsidInfo& x) {
  ObjectBuilder b(env);
  NETNS_NSID_INFO(NETNS_PUT_INFO)
  return b.Build();
}
#undef NETNS_PUT_INFO

template <class T, class F>
Napi::Array ArrayToJs(Napi::Env env, const std::vector<T>& items, F convert) {
  Napi::Array out = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    out.Set(static_cast<uint32_t>(i), convert(env, items[i]));
  }
  return out;
}

}  // namespace

Napi::Array ResultsToJs(Napi::Env env, const OperationBatch& batch) {
  Napi::Array out = Napi::Array::New(env, batch.entries.size());
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const OperationBatch::Entry& e = batch.entries[i];
    const Status& status = e.rtnl ? e.rtnl->status() : e.nft->status();
    Napi::Value v;
    if (!status.ok()) {
      v = FailureToJs(env, status.error());
    } else {
      switch (e.returns) {
        case Returns::kAck:
          // Left a hole: an N-API store per ACK costs more than the request's own reading.
          // lib/native/wire.ts (unpack) writes undefined there, so callers see a plain array.
          continue;
        case Returns::kEchoed:
          // Without NLM_F_ECHO only the ACK came: a hole, as kAck, at the cost of a few tests.
          if (!e.rtnl->links.empty()) {
            v = LinksToJs(env, e.rtnl->links, false, false);
          } else if (!e.rtnl->addresses.empty()) {
            v = ArrayToJs(env, e.rtnl->addresses, AddressToJs);
          } else if (!e.rtnl->routes.empty()) {
            v = ArrayToJs(env, e.rtnl->routes, RouteToJs);
          } else if (!e.rtnl->rules.empty()) {
            v = ArrayToJs(env, e.rtnl->rules, RuleToJs);
          } else if (!e.rtnl->nexthops.empty()) {
            v = ArrayToJs(env, e.rtnl->nexthops, NexthopObjectToJs);
          } else {
            continue;
          }
          break;
        case Returns::kLink:
          v = e.rtnl->links.empty() ? env.Undefined()
                                    : Napi::Value(LinksToJs(env, e.rtnl->links, true, e.stats));
          break;
        case Returns::kLinks:
          v = LinksToJs(env, e.rtnl->links, false, e.stats);
          break;
        case Returns::kAddresses:
          v = ArrayToJs(env, e.rtnl->addresses, AddressToJs);
          break;
        case Returns::kRoutes:
          v = ArrayToJs(env, e.rtnl->routes, RouteToJs);
          break;
        case Returns::kNftTables:
          v = ArrayToJs(env, e.nft->tables, NftTableToJs);
          break;
        case Returns::kNftChains:
          v = ArrayToJs(env, e.nft->chains, NftChainToJs);
          break;
        case Returns::kNftRules:
          v = ArrayToJs(env, e.nft->rules, NftRuleToJs);
          break;
        case Returns::kNftGen:
          v = Napi::Number::New(env, e.nft->genid);
          break;
        case Returns::kNftSets:
          v = ArrayToJs(env, e.nft->sets, NftSetToJs);
          break;
        case Returns::kNftSetElems:
          v = ArrayToJs(env, e.nft->elements, NftSetElemToJs);
          break;
        case Returns::kNeighbours:
          v = ArrayToJs(env, e.rtnl->neighbours, NeighbourToJs);
          break;
        case Returns::kRules:
          v = ArrayToJs(env, e.rtnl->rules, RuleToJs);
          break;
        case Returns::kNexthops:
          v = ArrayToJs(env, e.rtnl->nexthops, NexthopObjectToJs);
          break;
        case Returns::kNetconfs:
          v = ArrayToJs(env, e.rtnl->netconfs, NetconfToJs);
          break;
        case Returns::kNexthopBuckets:
          v = ArrayToJs(env, e.rtnl->nexthop_buckets, NexthopBucketToJs);
          break;
        case Returns::kNsids:
          v = ArrayToJs(env, e.rtnl->nsids, NsidToJs);
          break;
        case Returns::kMulticastGroups:
          v = ArrayToJs(env, e.rtnl->multicast_groups, MulticastGroupToJs);
          break;
        case Returns::kNsid:
          v = e.rtnl->nsids.empty() ? env.Undefined()
                                    : Napi::Value(NsidToJs(env, e.rtnl->nsids[0]));
          break;
      }
    }
    out.Set(static_cast<uint32_t>(i), v);
  }
  return out;
}

bool OperationBatch::needs(int protocol) const {
  for (const Entry& e : entries) {
    if ((protocol == NETLINK_ROUTE && e.rtnl) || (protocol == NETLINK_NETFILTER && e.nft)) {
      return true;
    }
  }
  return false;
}

Napi::Object EchoReplyToJs(Napi::Env env, const ns::EchoReply& r) {
  ObjectBuilder b(env);
  b.Num("seq", r.seq).Num("ttl", r.ttl).Num("bytes", static_cast<double>(r.bytes));
  b.Str("from", r.from).Num("rttMs", r.rtt_ms);
  return b.Build();
}

Napi::Object EventBatchToJs(Napi::Env env, const rtnl::EventBatch& batch) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Uint8Array codes = Napi::Uint8Array::New(env, batch.codes.size());
  std::copy(batch.codes.begin(), batch.codes.end(), codes.Data());
  o.Set("codes", codes);
  if (!batch.links.empty()) o.Set("links", LinksToJs(env, batch.links, false, false));
  if (!batch.addresses.empty()) o.Set("addresses", ArrayToJs(env, batch.addresses, AddressToJs));
  if (!batch.routes.empty()) o.Set("routes", ArrayToJs(env, batch.routes, RouteToJs));
  if (!batch.neighbours.empty()) {
    o.Set("neighbours", ArrayToJs(env, batch.neighbours, NeighbourToJs));
  }
  if (!batch.rules.empty()) o.Set("rules", ArrayToJs(env, batch.rules, RuleToJs));
  if (!batch.nexthops.empty()) o.Set("nexthops", ArrayToJs(env, batch.nexthops, NexthopObjectToJs));
  if (!batch.netconfs.empty()) o.Set("netconfs", ArrayToJs(env, batch.netconfs, NetconfToJs));
  if (!batch.fences.empty()) {
    Napi::Array fences = Napi::Array::New(env, batch.fences.size());
    for (size_t i = 0; i < batch.fences.size(); ++i) {
      fences.Set(static_cast<uint32_t>(i), Napi::Number::New(env, batch.fences[i]));
    }
    o.Set("fences", fences);
  }
  return o;
}

}  // namespace netns_native::addon
