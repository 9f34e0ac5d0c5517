// libFuzzer target: the request side. Arbitrary link, address and route requests (names with any
// bytes, every registered link kind with any of its attributes, a veth peer nested inside, MACs
// and addresses of any length) are built into messages and parsed back with the reply parsers:
// whatever builds must parse, and give back what was asked (name, MTU, group, master, MAC,
// alias, kind, the kind's attributes, carrier, GSO/GRO limits, queue counts, address generation
// mode, protodown and its reason; address, prefix, label, lifetimes; route table, addresses,
// metric, metrics, preference; a route lookup's fields).
// Also the checks that keep names and paths from reaching outside the run directory
// (ns::CheckNetnsName, ns::CheckPath): a name they accept is one path component.
// Build and run with clang (apt: clang libclang-rt-14-dev): scripts/fuzz.sh [seconds]
#include <fuzzer/FuzzedDataProvider.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../ns/netns.h"
#include "../rtnl/address.h"
#include "../rtnl/link.h"
#include "../rtnl/link_kind.h"
#include "../rtnl/route.h"

namespace {

using namespace netns_native;

// A broken property: abort, so libFuzzer reports the input.
#define EXPECT(cond)                                                                 \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: EXPECT(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

// What the parser gives back for a string attribute: up to the first NUL.
std::string AsParsed(const std::string& s) { return s.substr(0, s.find('\0')); }

std::vector<uint8_t> Bytes(FuzzedDataProvider& in, size_t max) {
  return in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, max));
}

void FillLink(FuzzedDataProvider& in, rtnl::LinkRequest* req, int depth);

// Attributes of `kind` from its table, in any order, repeats allowed.
void FillKindData(FuzzedDataProvider& in, const rtnl::LinkKind* kind, rtnl::KindData* out,
                  int depth) {
  if (!kind || kind->attrs.empty()) return;
  int n = in.ConsumeIntegralInRange<int>(0, 6);
  for (int i = 0; i < n; ++i) {
    rtnl::AttrValue v;
    v.spec = &kind->attrs[in.ConsumeIntegralInRange<size_t>(0, kind->attrs.size() - 1)];
    switch (v.spec->value) {
      case rtnl::AttrType::kString:
        v.text = in.ConsumeRandomLengthString(40);
        break;
      case rtnl::AttrType::kIp:
      case rtnl::AttrType::kMac:
        v.bytes = Bytes(in, 20);
        break;
      case rtnl::AttrType::kLink:
        if (depth > 2) continue;
        v.link = std::make_shared<rtnl::LinkRequest>();
        FillLink(in, v.link.get(), depth + 1);
        break;
      default:
        v.number = in.ConsumeIntegral<uint64_t>();
        break;
    }
    out->values.push_back(std::move(v));
  }
}

void FillLink(FuzzedDataProvider& in, rtnl::LinkRequest* req, int depth) {
  req->index = in.ConsumeIntegral<int32_t>();
  req->name = in.ConsumeRandomLengthString(24);
  req->flags = in.ConsumeIntegral<uint32_t>();
  req->change = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->mtu = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->txqlen = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->group = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->address = Bytes(in, 12);
  if (in.ConsumeBool()) req->master = in.ConsumeIntegral<int32_t>();
  if (in.ConsumeBool()) req->alias = in.ConsumeRandomLengthString(64);
  if (in.ConsumeBool()) req->new_name = in.ConsumeRandomLengthString(24);
  const std::vector<const rtnl::LinkKind*>& kinds = rtnl::LinkKinds();
  if (in.ConsumeBool() && !kinds.empty()) {
    const rtnl::LinkKind* k = kinds[in.ConsumeIntegralInRange<size_t>(0, kinds.size() - 1)];
    if (k->port) {
      req->slave_kind = k->name;
      FillKindData(in, k, &req->slave_info, depth);
    } else {
      req->kind = k->name;
      FillKindData(in, k, &req->info, depth);
    }
  } else if (in.ConsumeBool()) {
    req->kind = in.ConsumeRandomLengthString(16);  // a kind with no table: sent as given
  }
}

// The settings link.set() and the kinds' create() gained later (carrier, the GSO/GRO limits, the
// queue counts, the address generation mode, protodown and its reasons), for `req` and then for
// each link nested in its kind's data (a veth's peer). FuzzLink reads them after everything
// else, so that each input of the stored corpus (native/test/corpus/fuzz_requests) still builds
// the request it built before: FuzzedDataProvider takes integers from the end of the input and
// bytes from its front, and reads an exhausted input as zeros (every ConsumeBool false), so what
// came before is read as it was, and an input the older target read to its end gets none of them.
void FillLinkSettings(FuzzedDataProvider& in, rtnl::LinkRequest* req) {
  if (in.ConsumeBool()) req->carrier = in.ConsumeIntegral<uint8_t>();
  if (in.ConsumeBool()) req->gso_max_size = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->gso_max_segs = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->gro_max_size = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->num_tx_queues = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->num_rx_queues = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req->addr_gen_mode = in.ConsumeIntegral<uint8_t>();
  if (in.ConsumeBool()) req->proto_down = in.ConsumeIntegral<uint8_t>();
  if (in.ConsumeBool()) {
    req->proto_down_reason_mask = in.ConsumeIntegral<uint32_t>();
    req->proto_down_reason_value = in.ConsumeIntegral<uint32_t>();
  }
  for (rtnl::AttrValue& v : req->info.values) {
    if (v.link) FillLinkSettings(in, v.link.get());
  }
}

// The kind's attributes as sent, in the form the parser gives them back.
void ExpectKindData(const rtnl::KindData& sent, const rtnl::KindData& got) {
  size_t at = 0;
  for (const rtnl::AttrValue& v : sent.values) {
    using rtnl::AttrType;
    AttrType t = v.spec->value;
    if (t == AttrType::kLink) continue;                   // never decoded (a peer is a link)
    if (t == AttrType::kFlag && v.number == 0) continue;  // an unset flag is not sent
    if (t == AttrType::kIp && v.bytes.size() != 4 && v.bytes.size() != 16) continue;  // raw
    EXPECT(at < got.values.size());
    const rtnl::AttrValue& g = got.values[at++];
    EXPECT(g.spec == v.spec || (t == AttrType::kIp && g.spec->value == AttrType::kIp));
    switch (t) {
      case AttrType::kU8:
        EXPECT(g.number == static_cast<uint8_t>(v.number));
        break;
      case AttrType::kU16:
      case AttrType::kBe16:
        EXPECT(g.number == static_cast<uint16_t>(v.number));
        break;
      case AttrType::kU32:
      case AttrType::kBe32:
        EXPECT(g.number == static_cast<uint32_t>(v.number));
        break;
      case AttrType::kU64:
        EXPECT(g.number == v.number);
        break;
      case AttrType::kFlag:
        EXPECT(g.number == 1);
        break;
      case AttrType::kString:
        EXPECT(g.text == AsParsed(v.text));
        break;
      case AttrType::kIp:
      case AttrType::kMac:
        EXPECT(g.bytes == v.bytes);
        break;
      case AttrType::kLink:
        break;
    }
  }
}

const nlmsghdr& Header(const std::vector<uint8_t>& m) {
  return *reinterpret_cast<const nlmsghdr*>(m.data());
}

void FuzzLink(FuzzedDataProvider& in) {
  rtnl::LinkRequest req;
  FillLink(in, &req, 0);
  uint16_t flags = in.ConsumeBool() ? NLM_F_CREATE | NLM_F_EXCL : 0;
  FillLinkSettings(in, &req);  // last: see FillLinkSettings
  Result<std::vector<uint8_t>> msg = rtnl::BuildNewLink(req, flags);
  if (!msg.ok()) {
    EXPECT(msg.error().code == EMSGSIZE);  // the only way a build fails: attributes too big
    return;
  }
  std::vector<uint8_t> m = msg.take();
  EXPECT(m.size() >= NLMSG_HDRLEN && Header(m).nlmsg_len == m.size());
  Result<rtnl::LinkInfo> got = rtnl::ParseLink(Header(m));
  EXPECT(got.ok());
  const rtnl::LinkInfo& l = got.value();
  EXPECT(l.index == req.index && l.flags == req.flags);
  EXPECT(l.name == AsParsed(req.new_name ? *req.new_name : req.name));
  EXPECT(l.mtu == req.mtu.value_or(0) && l.group == req.group.value_or(0));
  EXPECT(l.txqlen == req.txqlen.value_or(0) && l.master == req.master.value_or(0));
  if (req.address) EXPECT(l.address == *req.address);
  EXPECT(l.alias == AsParsed(req.alias.value_or("")));
  EXPECT(l.kind == AsParsed(req.kind) && l.slave_kind == AsParsed(req.slave_kind));
  EXPECT(l.carrier == req.carrier.value_or(0) && l.proto_down == req.proto_down.value_or(0));
  EXPECT(l.gso_max_size == req.gso_max_size && l.gso_max_segs == req.gso_max_segs);
  EXPECT(l.gro_max_size == req.gro_max_size);
  EXPECT(l.num_tx_queues == req.num_tx_queues.value_or(0));
  EXPECT(l.num_rx_queues == req.num_rx_queues.value_or(0));
  EXPECT(l.addr_gen_mode.has_value() == req.addr_gen_mode.has_value());
  if (req.addr_gen_mode) EXPECT(*l.addr_gen_mode == *req.addr_gen_mode);
  // The reason's value comes back (the mask is the request's alone).
  EXPECT(l.proto_down_reason.has_value() == req.proto_down_reason_mask.has_value());
  if (req.proto_down_reason_mask) EXPECT(*l.proto_down_reason == req.proto_down_reason_value);
  if (rtnl::FindLinkKind(l.kind) == rtnl::FindLinkKind(req.kind)) ExpectKindData(req.info, l.info);
  if (rtnl::FindLinkKind(l.slave_kind, true) == rtnl::FindLinkKind(req.slave_kind, true)) {
    ExpectKindData(req.slave_info, l.slave_info);
  }
  // The other link requests build whatever the name.
  EXPECT(rtnl::BuildDelLink(req.index, req.name).ok());
  EXPECT(rtnl::BuildGetLink(req.index, req.name).ok());
  EXPECT(rtnl::BuildDumpLinks(req.master.value_or(0), req.kind).ok());
}

void FuzzAddress(FuzzedDataProvider& in) {
  rtnl::AddressRequest req;
  req.family = in.ConsumeBool() ? AF_INET : AF_INET6;
  req.prefixlen = in.ConsumeIntegral<uint8_t>();
  req.index = in.ConsumeIntegral<int32_t>();
  req.local = Bytes(in, 20);
  if (in.ConsumeBool()) req.peer = Bytes(in, 20);
  if (in.ConsumeBool()) req.broadcast = Bytes(in, 20);
  if (in.ConsumeBool()) req.label = in.ConsumeRandomLengthString(20);
  if (in.ConsumeBool()) req.scope = in.ConsumeIntegral<uint8_t>();
  req.flags = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req.metric = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req.valid_lft = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req.preferred_lft = in.ConsumeIntegral<uint32_t>();
  Result<std::vector<uint8_t>> msg = rtnl::BuildNewAddr(req, NLM_F_CREATE);
  if (!msg.ok()) return;
  std::vector<uint8_t> m = msg.take();
  // A request is an RTM_NEWADDR like the kernel's replies: it parses back.
  Result<rtnl::AddressInfo> got = rtnl::ParseAddr(Header(m));
  EXPECT(got.ok());
  EXPECT(got.value().family == req.family && got.value().prefixlen == req.prefixlen);
  EXPECT(got.value().index == req.index && got.value().local == req.local);
  if (req.label) EXPECT(got.value().label == AsParsed(*req.label));
  // Lifetimes cross as IFA_CACHEINFO, the one not given as forever; neither given, none.
  if (req.valid_lft || req.preferred_lft) {
    EXPECT(got.value().valid_lft == req.valid_lft.value_or(0xffffffff));
    EXPECT(got.value().preferred_lft == req.preferred_lft.value_or(0xffffffff));
  } else {
    EXPECT(!got.value().valid_lft && !got.value().preferred_lft);
  }
  (void)rtnl::BuildDelAddr(req);
  EXPECT(rtnl::BuildDumpAddrs(req.family, req.index).ok());
}

void FuzzRoute(FuzzedDataProvider& in) {
  rtnl::RouteRequest req;
  req.family = in.ConsumeBool() ? AF_INET : AF_INET6;
  req.dst_len = in.ConsumeIntegral<uint8_t>();
  req.table = in.ConsumeIntegral<uint32_t>();
  req.protocol = in.ConsumeIntegral<uint8_t>();
  req.scope = in.ConsumeIntegral<uint8_t>();
  req.type = in.ConsumeIntegral<uint8_t>();
  req.flags = in.ConsumeIntegral<uint32_t>();
  req.dst = Bytes(in, 20);
  req.gateway = Bytes(in, 20);
  req.prefsrc = Bytes(in, 20);
  if (in.ConsumeBool()) req.oif = in.ConsumeIntegral<int32_t>();
  if (in.ConsumeBool()) req.priority = in.ConsumeIntegral<uint32_t>();
  req.tos = in.ConsumeIntegral<uint8_t>();
  rtnl::RouteMetrics& mx = req.metrics;
  for (std::optional<uint32_t>* v :
       {&mx.mtu, &mx.window, &mx.rtt, &mx.rttvar, &mx.ssthresh, &mx.cwnd, &mx.advmss,
        &mx.reordering, &mx.hoplimit, &mx.initcwnd, &mx.features, &mx.rto_min, &mx.initrwnd,
        &mx.quickack, &mx.fastopen_no_cookie}) {
    if (in.ConsumeBool()) *v = in.ConsumeIntegral<uint32_t>();
  }
  if (in.ConsumeBool()) mx.lock = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) mx.cc_algo = in.ConsumeRandomLengthString(15);
  if (in.ConsumeBool()) req.pref = in.ConsumeIntegral<uint8_t>();
  if (in.ConsumeBool()) req.expires = in.ConsumeIntegral<uint32_t>();
  Result<std::vector<uint8_t>> msg = rtnl::BuildNewRoute(req, NLM_F_CREATE);
  if (!msg.ok()) return;
  std::vector<uint8_t> m = msg.take();
  Result<rtnl::RouteInfo> got = rtnl::ParseRoute(Header(m));
  EXPECT(got.ok());
  const rtnl::RouteInfo& r = got.value();
  EXPECT(r.family == req.family && r.dst_len == req.dst_len && r.table == req.table);
  EXPECT(r.protocol == req.protocol && r.type == req.type && r.tos == req.tos);
  EXPECT(r.dst == req.dst && r.gateway == req.gateway && r.prefsrc == req.prefsrc);
  EXPECT(r.oif == req.oif.value_or(0) && r.priority == req.priority && r.pref == req.pref);
  // The metrics come back as given (a name up to its first NUL); none given, no RTA_METRICS.
  EXPECT(r.metrics.has_value() == !mx.empty());
  if (r.metrics) {
    const rtnl::RouteMetrics& g = *r.metrics;
    EXPECT(g.lock == mx.lock && g.mtu == mx.mtu && g.window == mx.window && g.rtt == mx.rtt);
    EXPECT(g.rttvar == mx.rttvar && g.ssthresh == mx.ssthresh && g.cwnd == mx.cwnd);
    EXPECT(g.advmss == mx.advmss && g.reordering == mx.reordering && g.hoplimit == mx.hoplimit);
    EXPECT(g.initcwnd == mx.initcwnd && g.features == mx.features && g.rto_min == mx.rto_min);
    EXPECT(g.initrwnd == mx.initrwnd && g.quickack == mx.quickack);
    EXPECT(g.fastopen_no_cookie == mx.fastopen_no_cookie);
    EXPECT(g.cc_algo.has_value() == mx.cc_algo.has_value());
    if (mx.cc_algo) EXPECT(*g.cc_algo == AsParsed(*mx.cc_algo));
  }
  (void)rtnl::BuildDelRoute(req);
  EXPECT(rtnl::BuildDumpRoutes(req.family, req.table, req.flags).ok());
}

// A route lookup (ip route get): whatever builds is a GETROUTE whose rtmsg and attributes read
// back (as the reply parser reads a route) as what was asked.
void FuzzRouteGet(FuzzedDataProvider& in) {
  rtnl::RouteGetRequest req;
  req.dst = Bytes(in, 20);
  req.src = Bytes(in, 20);
  req.tos = in.ConsumeIntegral<uint8_t>();
  req.fib_match = in.ConsumeBool();
  if (in.ConsumeBool()) req.uid = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) req.ip_proto = in.ConsumeIntegral<uint8_t>();
  if (in.ConsumeBool()) req.sport = in.ConsumeIntegral<uint16_t>();
  if (in.ConsumeBool()) req.dport = in.ConsumeIntegral<uint16_t>();
  if (in.ConsumeBool()) req.iif = in.ConsumeIntegral<int32_t>();
  if (in.ConsumeBool()) req.oif = in.ConsumeIntegral<int32_t>();
  if (in.ConsumeBool()) req.mark = in.ConsumeIntegral<uint32_t>();
  Result<std::vector<uint8_t>> msg = rtnl::BuildGetRoute(req);
  size_t n = req.dst.size();
  EXPECT(msg.ok() == ((n == 4 || n == 16) && (req.src.empty() || req.src.size() == n)));
  if (!msg.ok()) return;
  std::vector<uint8_t> m = msg.take();
  nlmsghdr h;
  std::memcpy(&h, m.data(), sizeof h);
  EXPECT(h.nlmsg_type == RTM_GETROUTE && !(h.nlmsg_flags & NLM_F_DUMP) && h.nlmsg_len == m.size());
  h.nlmsg_type = RTM_NEWROUTE;  // the same layout as a reply
  std::memcpy(m.data(), &h, sizeof h);
  Result<rtnl::RouteInfo> got = rtnl::ParseRoute(Header(m));
  EXPECT(got.ok());
  const rtnl::RouteInfo& r = got.value();
  EXPECT(r.family == (n == 4 ? AF_INET : AF_INET6) && r.dst_len == n * 8 && r.tos == req.tos);
  EXPECT(r.dst == req.dst && r.src == req.src && r.src_len == (req.src.empty() ? 0 : n * 8));
  EXPECT(r.oif == req.oif.value_or(0) && r.mark == req.mark && r.uid == req.uid);
  EXPECT(r.iif ==
         (req.iif ? std::optional<uint32_t>(static_cast<uint32_t>(*req.iif)) : std::nullopt));
  EXPECT(((r.flags & RTM_F_FIB_MATCH) != 0) == req.fib_match);
  EXPECT(((r.flags & RTM_F_LOOKUP_TABLE) != 0) == (n == 4));
}

void FuzzNames(FuzzedDataProvider& in) {
  std::string name = in.ConsumeRandomLengthString(300);
  if (ns::CheckNetnsName(name).ok()) {
    // One path component: run_dir + "/" + name can name nothing outside run_dir.
    EXPECT(!name.empty() && name.size() <= 255 && name != "." && name != "..");
    EXPECT(name.find('/') == std::string::npos && name.find('\0') == std::string::npos);
  }
  std::string path = in.ConsumeRandomLengthString(300);
  if (ns::CheckPath(path, true).ok()) {
    EXPECT(!path.empty() && path[0] == '/' && path.find('\0') == std::string::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      FuzzLink(in);
      break;
    case 1:
      FuzzAddress(in);
      break;
    case 2:
      FuzzRoute(in);
      break;
    case 3:
      FuzzRouteGet(in);
      break;
    default:
      FuzzNames(in);
      break;
  }
  return 0;
}
