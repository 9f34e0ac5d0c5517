#include "convert.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace netns_native::addon {

namespace {

// Distinguishes our externals from anyone else's (napi_type_tag, N-API 8).
constexpr napi_type_tag kHandleTag = {0x6e65746e73686e64ULL, 0x2d6e61746976652dULL};

struct HandleBox {
  std::shared_ptr<ns::NetnsHandle> handle;
};

[[noreturn]] void ThrowType(Napi::Env env, const std::string& what) {
  throw Napi::TypeError::New(env, "netns-native internal: " + what);
}

// Reads the flattened requests lib/native/wire.ts makes (see FlatOps there): per operation its code
// and fields in a fixed order; a nested request starts with a bit mask of the fields present.
// Reading fixed positions of one array costs a few hundred instructions a request, where reading
// request objects key by key through N-API cost ~20,000.
class FlatReader {
 public:
  FlatReader(Napi::Env env, Napi::Array array) : env_(env), array_(array), size_(array.Length()) {}

  bool done() const { return at_ >= size_; }

  napi_value Next() {
    if (at_ >= size_) ThrowType(env_, "truncated request");
    napi_value v;
    if (napi_get_element(env_, array_, at_++, &v) != napi_ok) ThrowType(env_, "unreadable request");
    return v;
  }

  template <class T>
  T Int(const char* what) {
    napi_value v = Next();
    double d;
    if (napi_get_value_double(env_, v, &d) != napi_ok)
      ThrowType(env_, std::string(what) + " must be a number");
    if (!(d >= static_cast<double>(std::numeric_limits<T>::min()) &&
          d <= static_cast<double>(std::numeric_limits<T>::max())) ||
        d != static_cast<double>(static_cast<int64_t>(d))) {
      ThrowType(env_, std::string(what) + " is out of range");
    }
    return static_cast<T>(d);
  }

  std::string String(const char* what) {
    Napi::Value v(env_, Next());
    if (!v.IsString()) ThrowType(env_, std::string(what) + " must be a string");
    return v.As<Napi::String>().Utf8Value();
  }

  // A string, or nothing when the slot holds undefined.
  std::string OptionalString(const char* what) {
    Napi::Value v(env_, Next());
    if (v.IsUndefined() || v.IsNull()) return std::string();
    if (!v.IsString()) ThrowType(env_, std::string(what) + " must be a string");
    return v.As<Napi::String>().Utf8Value();
  }

  Napi::Value Value() { return Napi::Value(env_, Next()); }

 private:
  Napi::Env env_;
  Napi::Array array_;
  uint32_t size_;
  uint32_t at_ = 0;
};

// The fields present in a nested request, as its mask says; reads them in order.
class Fields {
 public:
  Fields(FlatReader& r) : r_(r), mask_(r.Int<uint32_t>("field mask")) {}
  bool Has(int bit) const { return (mask_ >> bit) & 1; }
  template <class T>
  std::optional<T> Int(int bit, const char* what) {
    if (!Has(bit)) return std::nullopt;
    return r_.Int<T>(what);
  }
  std::optional<std::string> String(int bit, const char* what) {
    if (!Has(bit)) return std::nullopt;
    return r_.String(what);
  }
  FlatReader& reader() { return r_; }

 private:
  FlatReader& r_;
  uint32_t mask_;
};

// "aa:bb:cc:dd:ee:ff", appended to `out` (no snprintf: dumps format thousands of these).
void AppendMac(std::string& out, const std::vector<uint8_t>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
}

Napi::Value IpToJs(Napi::Env env, const std::vector<uint8_t>& bytes) {
  char text[INET6_ADDRSTRLEN];
  int family = bytes.size() == 4 ? AF_INET : bytes.size() == 16 ? AF_INET6 : 0;
  if (family == 0 || !inet_ntop(family, bytes.data(), text, sizeof text)) return env.Undefined();
  return Napi::String::New(env, text);
}

// Objects are built with one napi_define_properties call: fewer crossings than Set per field.
class ObjectBuilder {
 public:
  explicit ObjectBuilder(Napi::Env env) : env_(env) { props_.reserve(32); }
  ObjectBuilder& Add(const char* name, napi_value v) {
    napi_property_descriptor d{};
    d.utf8name = name;
    d.value = v;
    d.attributes =
        static_cast<napi_property_attributes>(napi_writable | napi_enumerable | napi_configurable);
    props_.push_back(d);
    return *this;
  }
  ObjectBuilder& Num(const char* name, double v) { return Add(name, Napi::Number::New(env_, v)); }
  ObjectBuilder& Str(const char* name, const std::string& v) {
    return Add(name, Napi::String::New(env_, v));
  }
  Napi::Object Build() {
    Napi::Object o = Napi::Object::New(env_);
    napi_define_properties(env_, o, props_.size(), props_.data());
    return o;
  }

 private:
  Napi::Env env_;
  std::vector<napi_property_descriptor> props_;
};

Napi::Object BridgeToJs(Napi::Env env, const rtnl::BridgeAttrs& br) {
  ObjectBuilder b(env);
  if (br.stp_state) b.Num("stpState", *br.stp_state);
  if (br.vlan_filtering) b.Num("vlanFiltering", *br.vlan_filtering);
  if (br.forward_delay) b.Num("forwardDelay", *br.forward_delay);
  if (br.hello_time) b.Num("helloTime", *br.hello_time);
  if (br.max_age) b.Num("maxAge", *br.max_age);
  if (br.ageing_time) b.Num("ageingTime", *br.ageing_time);
  if (br.priority) b.Num("priority", *br.priority);
  if (br.default_pvid) b.Num("defaultPvid", *br.default_pvid);
  return b.Build();
}

// Links cross packed, because N-API builds objects one property at a time and a dump of 1,000
// links made that way cost ~10 µs a link on the JS thread: per link, kLinkNumbers numbers in
// one Float64Array, kLinkStrings strings each ended by NUL in one string, and the bridge
// attributes (bridges only) in a sparse array. lib/native/wire.ts unpacks them into plain objects;
// the order of fields here and there must match.
constexpr size_t kLinkNumbers = 16;

Napi::Object LinksToJs(Napi::Env env, const std::vector<rtnl::LinkInfo>& links, bool one) {
  size_t n = one ? std::min<size_t>(links.size(), 1) : links.size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, n * kLinkNumbers * sizeof(double));
  double* nums = static_cast<double*>(buf.Data());
  std::string strs;
  strs.reserve(n * 48);
  Napi::Array bridges;
  for (size_t i = 0; i < n; ++i) {
    const rtnl::LinkInfo& l = links[i];
    double* o = nums + i * kLinkNumbers;
    o[0] = l.index;
    o[1] = l.type;
    o[2] = l.flags;
    o[3] = l.mtu;
    o[4] = l.min_mtu;
    o[5] = l.max_mtu;
    o[6] = l.group;
    o[7] = l.txqlen;
    o[8] = l.promiscuity;
    o[9] = l.num_tx_queues;
    o[10] = l.num_rx_queues;
    o[11] = l.operstate;
    o[12] = l.carrier;
    o[13] = l.master;
    o[14] = l.link;
    o[15] = l.link_netnsid ? *l.link_netnsid : std::numeric_limits<double>::quiet_NaN();
    // name, address, broadcast, kind, slaveKind, alias, qdisc
    strs += l.name;
    strs += '\0';
    AppendMac(strs, l.address);
    strs += '\0';
    AppendMac(strs, l.broadcast);
    strs += '\0';
    for (const std::string* t : {&l.kind, &l.slave_kind, &l.alias, &l.qdisc}) {
      strs += *t;
      strs += '\0';
    }
    if (l.bridge) {
      if (bridges.IsEmpty()) bridges = Napi::Array::New(env, n);
      bridges.Set(static_cast<uint32_t>(i), BridgeToJs(env, *l.bridge));
    }
  }
  Napi::Object packed = Napi::Object::New(env);
  packed.Set("packed", Napi::Number::New(env, one ? 1 : 2));
  packed.Set("nums", Napi::Float64Array::New(env, n * kLinkNumbers, buf, 0));
  packed.Set("strs", Napi::String::New(env, strs));
  if (!bridges.IsEmpty()) packed.Set("bridges", bridges);
  return packed;
}

Napi::Object AddressToJs(Napi::Env env, const rtnl::AddressInfo& a) {
  ObjectBuilder b(env);
  b.Num("family", a.family).Num("prefixlen", a.prefixlen).Num("scope", a.scope);
  b.Num("flags", a.flags).Num("index", a.index);
  if (!a.local.empty()) b.Add("local", IpToJs(env, a.local));
  if (!a.address.empty()) b.Add("address", IpToJs(env, a.address));
  if (!a.broadcast.empty()) b.Add("broadcast", IpToJs(env, a.broadcast));
  b.Str("label", a.label).Num("validLft", a.valid_lft).Num("preferredLft", a.preferred_lft);
  return b.Build();
}

Napi::Object RouteToJs(Napi::Env env, const rtnl::RouteInfo& r) {
  ObjectBuilder b(env);
  b.Num("family", r.family).Num("dstLen", r.dst_len).Num("srcLen", r.src_len).Num("tos", r.tos);
  b.Num("protocol", r.protocol).Num("scope", r.scope).Num("type", r.type);
  b.Num("table", r.table).Num("flags", r.flags).Num("oif", r.oif);
  if (!r.dst.empty()) b.Add("dst", IpToJs(env, r.dst));
  if (!r.gateway.empty()) b.Add("gateway", IpToJs(env, r.gateway));
  if (!r.prefsrc.empty()) b.Add("prefsrc", IpToJs(env, r.prefsrc));
  if (r.priority) b.Num("priority", *r.priority);
  return b.Build();
}

template <class T, class F>
Napi::Array ArrayToJs(Napi::Env env, const std::vector<T>& items, F convert) {
  Napi::Array out = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i)
    out.Set(static_cast<uint32_t>(i), convert(env, items[i]));
  return out;
}

// Field positions: lib/native/wire.ts BRIDGE_FIELDS, LINK_FIELDS, ADDRESS_FIELDS, ROUTE_FIELDS.
rtnl::BridgeAttrs BridgeFromFlat(FlatReader& r) {
  Fields f(r);
  rtnl::BridgeAttrs br;
  br.stp_state = f.Int<uint32_t>(0, "stpState");
  br.vlan_filtering = f.Int<uint8_t>(1, "vlanFiltering");
  br.forward_delay = f.Int<uint32_t>(2, "forwardDelay");
  br.hello_time = f.Int<uint32_t>(3, "helloTime");
  br.max_age = f.Int<uint32_t>(4, "maxAge");
  br.ageing_time = f.Int<uint32_t>(5, "ageingTime");
  br.priority = f.Int<uint16_t>(6, "priority");
  br.default_pvid = f.Int<uint16_t>(7, "defaultPvid");
  return br;
}

std::unique_ptr<rtnl::LinkRequest> LinkRequestFromFlat(Napi::Env env, FlatReader& r,
                                                       OperationBatch* batch) {
  Fields f(r);
  auto req = std::make_unique<rtnl::LinkRequest>();
  req->index = f.Int<int32_t>(0, "index").value_or(0);
  req->name = f.String(1, "name").value_or("");
  req->kind = f.String(2, "kind").value_or("");
  req->flags = f.Int<uint32_t>(3, "flags").value_or(0);
  req->change = f.Int<uint32_t>(4, "change").value_or(0);
  req->mtu = f.Int<uint32_t>(5, "mtu");
  req->txqlen = f.Int<uint32_t>(6, "txqlen");
  req->group = f.Int<uint32_t>(7, "group");
  if (f.Has(8)) req->address = MacFromJs(env, r.Value());
  req->master = f.Int<int32_t>(9, "master");
  if (f.Has(10)) {
    Result<ns::NetnsHandle::Lease> lease = HandleFromJs(r.Value())->Use();
    if (!lease.ok()) throw ToJsError(env, lease.error());
    req->netns_fd = lease.value()->fd();
    batch->leases.push_back(lease.take());
  }
  req->alias = f.String(11, "alias");
  req->new_name = f.String(12, "newName");
  if (f.Has(13)) req->bridge = BridgeFromFlat(r);
  if (f.Has(14)) req->peer = LinkRequestFromFlat(env, r, batch);
  return req;
}

rtnl::AddressRequest AddressRequestFromFlat(Napi::Env env, FlatReader& r) {
  Fields f(r);
  rtnl::AddressRequest req;
  if (!f.Has(0)) ThrowType(env, "an address request needs local");
  int family = 0;
  req.local = IpFromJs(env, r.Value(), &family);
  req.family = static_cast<uint8_t>(family);
  req.prefixlen = f.Int<uint8_t>(1, "prefixlen").value_or(family == AF_INET ? 32 : 128);
  req.index = f.Int<int32_t>(2, "index").value_or(0);
  if (f.Has(3)) req.peer = IpFromJs(env, r.Value());
  if (f.Has(4)) req.broadcast = IpFromJs(env, r.Value());
  req.label = f.String(5, "label");
  req.scope = f.Int<uint8_t>(6, "scope");
  req.flags = f.Int<uint32_t>(7, "flags").value_or(0);
  req.metric = f.Int<uint32_t>(8, "metric");
  return req;
}

rtnl::RouteRequest RouteRequestFromFlat(Napi::Env env, FlatReader& r) {
  Fields f(r);
  rtnl::RouteRequest req;
  req.family = f.Int<uint8_t>(0, "family").value_or(0);
  req.dst_len = f.Int<uint8_t>(1, "dstLen").value_or(0);
  req.table = f.Int<uint32_t>(2, "table").value_or(0);
  req.protocol = f.Int<uint8_t>(3, "protocol").value_or(0);
  req.scope = f.Int<uint8_t>(4, "scope").value_or(0);
  req.type = f.Int<uint8_t>(5, "type").value_or(0);
  req.flags = f.Int<uint32_t>(6, "flags").value_or(0);
  if (f.Has(7)) req.dst = IpFromJs(env, r.Value());
  if (f.Has(8)) req.gateway = IpFromJs(env, r.Value());
  if (f.Has(9)) req.prefsrc = IpFromJs(env, r.Value());
  req.oif = f.Int<int32_t>(10, "oif");
  req.priority = f.Int<uint32_t>(11, "priority");
  return req;
}

using Returns = OperationBatch::Returns;

// Operation codes: lib/native/wire.ts OP_CODES.
enum OpCode {
  kNewLink = 1,
  kDelLink,
  kDelLinkGroup,
  kGetLink,
  kDumpLinks,
  kNewAddr,
  kDelAddr,
  kDumpAddrs,
  kNewRoute,
  kDelRoute,
  kDumpRoutes,
};

void AddOperation(Napi::Env env, FlatReader& r, OperationBatch* batch) {
  auto add = [&](Result<std::vector<uint8_t>> message, bool dump, Returns returns) {
    batch->ops.push_back(std::make_unique<rtnl::Operation>(std::move(message), dump));
    batch->returns.push_back(returns);
  };
  switch (r.Int<int>("operation")) {
    case kNewLink: {
      auto flags = r.Int<uint16_t>("flags");
      add(rtnl::BuildNewLink(*LinkRequestFromFlat(env, r, batch), flags), false, Returns::kAck);
      break;
    }
    case kDelLink: {
      auto index = r.Int<int32_t>("index");
      add(rtnl::BuildDelLink(index, r.OptionalString("name")), false, Returns::kAck);
      break;
    }
    case kDelLinkGroup:
      add(rtnl::BuildDelLinkGroup(r.Int<uint32_t>("group")), false, Returns::kAck);
      break;
    case kGetLink: {
      auto index = r.Int<int32_t>("index");
      add(rtnl::BuildGetLink(index, r.OptionalString("name")), false, Returns::kLink);
      break;
    }
    case kDumpLinks: {
      auto master = r.Int<int32_t>("master");
      add(rtnl::BuildDumpLinks(master, r.OptionalString("kind")), true, Returns::kLinks);
      break;
    }
    case kNewAddr: {
      auto flags = r.Int<uint16_t>("flags");
      add(rtnl::BuildNewAddr(AddressRequestFromFlat(env, r), flags), false, Returns::kAck);
      break;
    }
    case kDelAddr:
      add(rtnl::BuildDelAddr(AddressRequestFromFlat(env, r)), false, Returns::kAck);
      break;
    case kDumpAddrs: {
      auto family = r.Int<uint8_t>("family");
      add(rtnl::BuildDumpAddrs(family, r.Int<int32_t>("index")), true, Returns::kAddresses);
      break;
    }
    case kNewRoute: {
      auto flags = r.Int<uint16_t>("flags");
      add(rtnl::BuildNewRoute(RouteRequestFromFlat(env, r), flags), false, Returns::kAck);
      break;
    }
    case kDelRoute:
      add(rtnl::BuildDelRoute(RouteRequestFromFlat(env, r)), false, Returns::kAck);
      break;
    case kDumpRoutes: {
      auto family = r.Int<uint8_t>("family");
      add(rtnl::BuildDumpRoutes(family, r.Int<uint32_t>("table")), true, Returns::kRoutes);
      break;
    }
    default:
      ThrowType(env, "unknown operation");
  }
}

}  // namespace

namespace {

// errno, detail, syscall, badOffset: what lib/internal/errors.ts reads off a failure.
void SetFailureFacts(Napi::Env env, Napi::Object target, const Error& error) {
  target.Set("errno", Napi::Number::New(env, error.code));
  if (!error.detail.empty()) target.Set("detail", Napi::String::New(env, error.detail));
  if (!error.syscall.empty()) target.Set("syscall", Napi::String::New(env, error.syscall));
  if (error.bad_offset) target.Set("badOffset", Napi::Number::New(env, error.bad_offset));
}

}  // namespace

Napi::Object FailureToJs(Napi::Env env, const Error& error) {
  Napi::Object o = Napi::Object::New(env);
  SetFailureFacts(env, o, error);
  return o;
}

Napi::Error ToJsError(Napi::Env env, const Error& error) {
  std::string message = std::strerror(error.code);
  if (!error.detail.empty()) message += ": " + error.detail;
  Napi::Error e = Napi::Error::New(env, message);
  SetFailureFacts(env, e.Value(), error);
  return e;
}

Napi::Value HandleToJs(Napi::Env env, std::shared_ptr<ns::NetnsHandle> handle) {
  auto* box = new HandleBox{std::move(handle)};
  auto ext = Napi::External<HandleBox>::New(env, box, [](Napi::Env, HandleBox* b) { delete b; });
  napi_type_tag_object(env, ext, &kHandleTag);
  return ext;
}

std::shared_ptr<ns::NetnsHandle> HandleFromJs(Napi::Value value) {
  Napi::Env env = value.Env();
  bool ours = false;
  if (value.IsExternal()) napi_check_object_type_tag(env, value, &kHandleTag, &ours);
  if (!ours) ThrowType(env, "expected a namespace handle");
  return value.As<Napi::External<HandleBox>>().Data()->handle;
}

std::vector<rtnl::Operation*> OperationBatch::pointers() const {
  std::vector<rtnl::Operation*> out;
  out.reserve(ops.size());
  for (auto& op : ops) out.push_back(op.get());
  return out;
}

OperationBatch OperationsFromJs(Napi::Env env, Napi::Value flat) {
  if (!flat.IsArray()) ThrowType(env, "operations must be an array");
  FlatReader reader(env, flat.As<Napi::Array>());
  OperationBatch batch;
  while (!reader.done()) AddOperation(env, reader, &batch);
  return batch;
}

Napi::Array ResultsToJs(Napi::Env env, const OperationBatch& batch) {
  Napi::Array out = Napi::Array::New(env, batch.ops.size());
  for (size_t i = 0; i < batch.ops.size(); ++i) {
    const rtnl::Operation& op = *batch.ops[i];
    Napi::Value v;
    if (!op.status().ok()) {
      v = FailureToJs(env, op.status().error());
    } else {
      switch (batch.returns[i]) {
        case Returns::kAck:
          v = env.Undefined();
          break;
        case Returns::kLink:
          v = op.links.empty() ? env.Undefined() : Napi::Value(LinksToJs(env, op.links, true));
          break;
        case Returns::kLinks:
          v = LinksToJs(env, op.links, false);
          break;
        case Returns::kAddresses:
          v = ArrayToJs(env, op.addresses, AddressToJs);
          break;
        case Returns::kRoutes:
          v = ArrayToJs(env, op.routes, RouteToJs);
          break;
      }
    }
    out.Set(static_cast<uint32_t>(i), v);
  }
  return out;
}

Napi::Object EchoReplyToJs(Napi::Env env, const ns::EchoReply& r) {
  ObjectBuilder b(env);
  b.Num("seq", r.seq).Num("ttl", r.ttl).Num("bytes", static_cast<double>(r.bytes));
  b.Str("from", r.from).Num("rttMs", r.rtt_ms);
  return b.Build();
}

std::vector<uint8_t> MacFromJs(Napi::Env env, Napi::Value value) {
  if (!value.IsString()) ThrowType(env, "MAC address must be a string");
  std::string s = value.As<Napi::String>().Utf8Value();
  std::vector<uint8_t> out;
  unsigned byte;
  for (size_t i = 0; i < s.size();) {
    int used = 0;
    if (std::sscanf(s.c_str() + i, "%2x%n", &byte, &used) != 1 || used != 2) {
      ThrowType(env, "bad MAC address '" + s + "'");
    }
    out.push_back(static_cast<uint8_t>(byte));
    i += 2;
    if (i < s.size() && s[i++] != ':') ThrowType(env, "bad MAC address '" + s + "'");
  }
  return out;
}

std::vector<uint8_t> IpFromJs(Napi::Env env, Napi::Value value, int* family) {
  if (!value.IsString()) ThrowType(env, "IP address must be a string");
  std::string s = value.As<Napi::String>().Utf8Value();
  std::vector<uint8_t> out(16);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    out.resize(4);
    if (family) *family = AF_INET;
  } else if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) {
    if (family) *family = AF_INET6;
  } else {
    ThrowType(env, "bad IP address '" + s + "'");
  }
  return out;
}

}  // namespace netns_native::addon
