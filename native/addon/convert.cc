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

Napi::Object ObjectFromJs(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsObject()) ThrowType(env, std::string(what) + " must be an object");
  return v.As<Napi::Object>();
}

// The properties of a request object that are set (not undefined or null), read once: one
// napi_get_all_property_names and one get per property set. Requests on the hot path set 3-4 of
// the 15 keys a link request may have, and probing each key by name (a string internalized,
// then a lookup that misses up the prototype chain) was a third of a cheap request's cost.
class Props {
 public:
  Props(Napi::Env env, const Napi::Object& o) : env_(env) {
    napi_value names;
    uint32_t n = 0;
    if (napi_get_all_property_names(
            env, o, napi_key_own_only,
            static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
            napi_key_numbers_to_strings, &names) != napi_ok ||
        napi_get_array_length(env, names, &n) != napi_ok) {
      ThrowType(env, "cannot read the properties of a request");
    }
    entries_.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      napi_value key, value;
      napi_valuetype type;
      char name[32];
      size_t len = 0;
      if (napi_get_element(env, names, i, &key) != napi_ok ||
          napi_get_property(env, o, key, &value) != napi_ok ||
          napi_typeof(env, value, &type) != napi_ok ||
          napi_get_value_string_utf8(env, key, name, sizeof name, &len) != napi_ok) {
        ThrowType(env, "cannot read the properties of a request");
      }
      if (type != napi_undefined && type != napi_null)
        entries_.push_back({std::string(name, len), value});
    }
  }

  bool Has(const char* key, Napi::Value* out) const {
    for (const auto& [name, value] : entries_) {
      if (name == key) {
        *out = Napi::Value(env_, value);
        return true;
      }
    }
    return false;
  }

  Napi::Value Get(const char* key) const {
    Napi::Value v;
    return Has(key, &v) ? v : env_.Undefined();
  }

 private:
  Napi::Env env_;
  std::vector<std::pair<std::string, napi_value>> entries_;
};

bool Has(const Props& o, const char* key, Napi::Value* out) { return o.Has(key, out); }

double NumberIn(Napi::Env env, Napi::Value v, const char* key, double lo, double hi) {
  if (!v.IsNumber()) ThrowType(env, std::string(key) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || d != static_cast<double>(static_cast<int64_t>(d))) {
    ThrowType(env, std::string(key) + " is out of range");
  }
  return d;
}

template <class T>
std::optional<T> OptInt(Napi::Env env, const Props& o, const char* key) {
  Napi::Value v;
  if (!Has(o, key, &v)) return std::nullopt;
  return static_cast<T>(NumberIn(env, v, key, static_cast<double>(std::numeric_limits<T>::min()),
                                 static_cast<double>(std::numeric_limits<T>::max())));
}

template <class T>
T IntOr(Napi::Env env, const Props& o, const char* key, T fallback) {
  return OptInt<T>(env, o, key).value_or(fallback);
}

std::optional<std::string> OptString(Napi::Env env, const Props& o, const char* key) {
  Napi::Value v;
  if (!Has(o, key, &v)) return std::nullopt;
  if (!v.IsString()) ThrowType(env, std::string(key) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

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
  ObjectBuilder& Bool(const char* name, bool v) { return Add(name, Napi::Boolean::New(env_, v)); }
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
// attributes (bridges only) in a sparse array. lib/native.ts unpacks them into plain objects;
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

rtnl::BridgeAttrs BridgeFromJs(Napi::Env env, const Props& o) {
  rtnl::BridgeAttrs br;
  br.stp_state = OptInt<uint32_t>(env, o, "stpState");
  br.vlan_filtering = OptInt<uint8_t>(env, o, "vlanFiltering");
  br.forward_delay = OptInt<uint32_t>(env, o, "forwardDelay");
  br.hello_time = OptInt<uint32_t>(env, o, "helloTime");
  br.max_age = OptInt<uint32_t>(env, o, "maxAge");
  br.ageing_time = OptInt<uint32_t>(env, o, "ageingTime");
  br.priority = OptInt<uint16_t>(env, o, "priority");
  br.default_pvid = OptInt<uint16_t>(env, o, "defaultPvid");
  return br;
}

std::unique_ptr<rtnl::LinkRequest> LinkRequestFromJs(Napi::Env env, Napi::Value value,
                                                     OperationBatch* batch) {
  Props o(env, ObjectFromJs(env, value, "link"));
  auto req = std::make_unique<rtnl::LinkRequest>();
  req->index = IntOr<int32_t>(env, o, "index", 0);
  req->name = OptString(env, o, "name").value_or("");
  req->kind = OptString(env, o, "kind").value_or("");
  req->flags = IntOr<uint32_t>(env, o, "flags", 0);
  req->change = IntOr<uint32_t>(env, o, "change", 0);
  req->mtu = OptInt<uint32_t>(env, o, "mtu");
  req->txqlen = OptInt<uint32_t>(env, o, "txqlen");
  req->group = OptInt<uint32_t>(env, o, "group");
  req->master = OptInt<int32_t>(env, o, "master");
  req->alias = OptString(env, o, "alias");
  req->new_name = OptString(env, o, "newName");
  Napi::Value v;
  if (Has(o, "address", &v)) req->address = MacFromJs(env, v);
  if (Has(o, "netns", &v)) {
    Result<ns::NetnsHandle::Lease> lease = HandleFromJs(v)->Use();
    if (!lease.ok()) throw ToJsError(env, lease.error());
    req->netns_fd = lease.value()->fd();
    batch->leases.push_back(lease.take());
  }
  if (Has(o, "bridge", &v))
    req->bridge = BridgeFromJs(env, Props(env, ObjectFromJs(env, v, "bridge")));
  if (Has(o, "peer", &v)) req->peer = LinkRequestFromJs(env, v, batch);
  return req;
}

rtnl::AddressRequest AddressRequestFromJs(Napi::Env env, Napi::Value value) {
  Props o(env, ObjectFromJs(env, value, "address"));
  rtnl::AddressRequest req;
  int family = 0;
  req.local = IpFromJs(env, o.Get("local"), &family);
  req.family = static_cast<uint8_t>(family);
  req.prefixlen = IntOr<uint8_t>(env, o, "prefixlen", family == AF_INET ? 32 : 128);
  req.index = IntOr<int32_t>(env, o, "index", 0);
  Napi::Value v;
  if (Has(o, "peer", &v)) req.peer = IpFromJs(env, v);
  if (Has(o, "broadcast", &v)) req.broadcast = IpFromJs(env, v);
  req.label = OptString(env, o, "label");
  req.scope = OptInt<uint8_t>(env, o, "scope");
  req.flags = IntOr<uint32_t>(env, o, "flags", 0);
  req.metric = OptInt<uint32_t>(env, o, "metric");
  return req;
}

rtnl::RouteRequest RouteRequestFromJs(Napi::Env env, Napi::Value value) {
  Props o(env, ObjectFromJs(env, value, "route"));
  rtnl::RouteRequest req;
  req.family = IntOr<uint8_t>(env, o, "family", 0);
  req.dst_len = IntOr<uint8_t>(env, o, "dstLen", 0);
  req.table = IntOr<uint32_t>(env, o, "table", 0);
  req.protocol = IntOr<uint8_t>(env, o, "protocol", 0);
  req.scope = IntOr<uint8_t>(env, o, "scope", 0);
  req.type = IntOr<uint8_t>(env, o, "type", 0);
  req.flags = IntOr<uint32_t>(env, o, "flags", 0);
  Napi::Value v;
  if (Has(o, "dst", &v)) req.dst = IpFromJs(env, v);
  if (Has(o, "gateway", &v)) req.gateway = IpFromJs(env, v);
  if (Has(o, "prefsrc", &v)) req.prefsrc = IpFromJs(env, v);
  req.oif = OptInt<int32_t>(env, o, "oif");
  req.priority = OptInt<uint32_t>(env, o, "priority");
  return req;
}

using Returns = OperationBatch::Returns;

void AddOperation(Napi::Env env, Napi::Object object, OperationBatch* batch) {
  Props d(env, object);
  std::string op = OptString(env, d, "op").value_or("");
  uint16_t flags = IntOr<uint16_t>(env, d, "flags", 0);
  auto add = [&](Result<std::vector<uint8_t>> message, bool dump, Returns returns) {
    batch->ops.push_back(std::make_unique<rtnl::Operation>(std::move(message), dump));
    batch->returns.push_back(returns);
  };
  if (op == "newlink") {
    add(rtnl::BuildNewLink(*LinkRequestFromJs(env, d.Get("link"), batch), flags), false,
        Returns::kAck);
  } else if (op == "dellink") {
    add(rtnl::BuildDelLink(IntOr<int32_t>(env, d, "index", 0),
                           OptString(env, d, "name").value_or("")),
        false, Returns::kAck);
  } else if (op == "dellinkgroup") {
    add(rtnl::BuildDelLinkGroup(IntOr<uint32_t>(env, d, "group", 0)), false, Returns::kAck);
  } else if (op == "getlink") {
    add(rtnl::BuildGetLink(IntOr<int32_t>(env, d, "index", 0),
                           OptString(env, d, "name").value_or("")),
        false, Returns::kLink);
  } else if (op == "dumplinks") {
    add(rtnl::BuildDumpLinks(IntOr<int32_t>(env, d, "master", 0),
                             OptString(env, d, "kind").value_or("")),
        true, Returns::kLinks);
  } else if (op == "newaddr") {
    add(rtnl::BuildNewAddr(AddressRequestFromJs(env, d.Get("address")), flags), false,
        Returns::kAck);
  } else if (op == "deladdr") {
    add(rtnl::BuildDelAddr(AddressRequestFromJs(env, d.Get("address"))), false, Returns::kAck);
  } else if (op == "dumpaddrs") {
    add(rtnl::BuildDumpAddrs(IntOr<uint8_t>(env, d, "family", 0),
                             IntOr<int32_t>(env, d, "index", 0)),
        true, Returns::kAddresses);
  } else if (op == "newroute") {
    add(rtnl::BuildNewRoute(RouteRequestFromJs(env, d.Get("route")), flags), false, Returns::kAck);
  } else if (op == "delroute") {
    add(rtnl::BuildDelRoute(RouteRequestFromJs(env, d.Get("route"))), false, Returns::kAck);
  } else if (op == "dumproutes") {
    add(rtnl::BuildDumpRoutes(IntOr<uint8_t>(env, d, "family", 0),
                              IntOr<uint32_t>(env, d, "table", 0)),
        true, Returns::kRoutes);
  } else {
    ThrowType(env, "unknown operation '" + op + "'");
  }
}

}  // namespace

Napi::Object FailureToJs(Napi::Env env, const Error& error) {
  ObjectBuilder b(env);
  b.Num("errno", error.code);
  if (!error.detail.empty()) b.Str("detail", error.detail);
  if (!error.syscall.empty()) b.Str("syscall", error.syscall);
  if (error.bad_offset) b.Num("badOffset", error.bad_offset);
  return b.Build();
}

Napi::Error ToJsError(Napi::Env env, const Error& error) {
  std::string message = std::strerror(error.code);
  if (!error.detail.empty()) message += ": " + error.detail;
  Napi::Error e = Napi::Error::New(env, message);
  Napi::Object facts = FailureToJs(env, error);
  Napi::Array keys = facts.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    Napi::Value k = keys.Get(i);
    e.Value().Set(k, facts.Get(k));
  }
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

OperationBatch OperationsFromJs(Napi::Env env, Napi::Value descriptors) {
  if (!descriptors.IsArray()) ThrowType(env, "operations must be an array");
  Napi::Array arr = descriptors.As<Napi::Array>();
  OperationBatch batch;
  uint32_t n = arr.Length();
  batch.ops.reserve(n);
  batch.returns.reserve(n);
  for (uint32_t i = 0; i < n; ++i)
    AddOperation(env, ObjectFromJs(env, arr.Get(i), "operation"), &batch);
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
