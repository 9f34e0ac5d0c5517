// Requests from lib/native/wire.ts, read as schema.h declares them. JS thread only.
#include <linux/if.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/socket.h>

#include <cstring>
#include <limits>

#include "../../ns/netns.h"
#include "../errors.h"
#include "convert.h"
#include "schema.h"
#include "values.h"

namespace netns_native::addon {

namespace {

// Reads flattened requests front to back, in one of two forms:
// - packed (what lib/native/wire.ts sends): the numbers (operation codes, tags, integer values)
//   in a Float64Array read straight from its memory, and the other values (strings, addresses,
//   namespace handles) from a plain array, in order. A cheap request then costs one N-API call per
//   string instead of one per value.
// - plain: everything in one array, one napi_get_element per value (kept for callers that build
//   requests by hand: the internal-surface tests).
// Which stream a value comes from is decided by the field's wire type, never by the value, so a
// value of the wrong type is still refused (a string where a number belongs reads as NaN).
class FlatReader {
 public:
  FlatReader(Napi::Env env, Napi::Array array) : env_(env), array_(array), size_(array.Length()) {}
  FlatReader(Napi::Env env, const double* nums, uint32_t count, Napi::Array refs)
      : env_(env), array_(refs), size_(count), nums_(nums), refs_size_(refs.Length()) {}

  Napi::Env env() const { return env_; }
  bool done() const { return at_ >= size_; }

  template <class T>
  T Int(const char* what) {
    double d = NextNumber(what);
    if (!(d >= static_cast<double>(std::numeric_limits<T>::min()) &&
          d <= static_cast<double>(std::numeric_limits<T>::max())) ||
        d != static_cast<double>(static_cast<int64_t>(d))) {
      ThrowInternal(env_, std::string(what) + " is out of range");
    }
    return static_cast<T>(d);
  }

  // A string without NUL bytes: the kernel would read a C string only up to the first one, and
  // act on something other than what was asked (a NUL in a link name truncates it).
  std::string String(const char* what) {
    Napi::Value v(env_, NextRef());
    if (!v.IsString()) ThrowInternal(env_, std::string(what) + " must be a string");
    std::string s = v.As<Napi::String>().Utf8Value();
    if (s.find('\0') != std::string::npos) {
      ThrowInternal(env_, std::string(what) + " contains a NUL byte");
    }
    return s;
  }

  Napi::Value Value() { return Napi::Value(env_, NextRef()); }

 private:
  double NextNumber(const char* what) {
    if (at_ >= size_) ThrowInternal(env_, "truncated request");
    if (nums_ != nullptr) return nums_[at_++];
    double d;
    if (napi_get_value_double(env_, Element(at_++), &d) != napi_ok) {
      ThrowInternal(env_, std::string(what) + " must be a number");
    }
    return d;
  }

  napi_value NextRef() {
    if (nums_ == nullptr) {
      if (at_ >= size_) ThrowInternal(env_, "truncated request");
      return Element(at_++);
    }
    if (ref_at_ >= refs_size_) ThrowInternal(env_, "truncated request");
    return Element(ref_at_++);
  }

  napi_value Element(uint32_t i) {
    napi_value v;
    if (napi_get_element(env_, array_, i, &v) != napi_ok) ThrowInternal(env_, "unreadable request");
    return v;
  }

  Napi::Env env_;
  Napi::Array array_;  // plain: every value; packed: the non-numbers
  uint32_t size_;      // values (plain) or numbers (packed)
  uint32_t at_ = 0;
  const double* nums_ = nullptr;
  uint32_t refs_size_ = 0;
  uint32_t ref_at_ = 0;
};

struct ReadContext {
  FlatReader& r;
  OperationBatch* batch;  // collects leases on the namespaces that requests refer to
};

template <Wire W>
using WireTag = std::integral_constant<Wire, W>;

// Every struct the wire carries; defined below from the field lists.
void ReadStruct(ReadContext& c, NftCommandArgs* out);
void ReadStruct(ReadContext& c, NftStatementArgs* out);
void ReadStruct(ReadContext& c, rtnl::LinkRequest* out);
void ReadStruct(ReadContext& c, rtnl::AddressRequest* out);
void ReadStruct(ReadContext& c, rtnl::RouteRequest* out);
void ReadStruct(ReadContext& c, rtnl::NexthopRequest* out);
void ReadStruct(ReadContext& c, rtnl::RouteMetrics* out);
void ReadStruct(ReadContext& c, rtnl::RouteEncap* out);
void ReadStruct(ReadContext& c, rtnl::NeighbourRequest* out);
void ReadStruct(ReadContext& c, rtnl::RuleRequest* out);
void ReadStruct(ReadContext& c, rtnl::NexthopObjectRequest* out);
void ReadStruct(ReadContext& c, rtnl::NexthopGroupEntry* out);
#define NETNS_DECLARE_ARGS_READER(code, js, Args, returns) \
  void ReadStruct(ReadContext& c, Args* out);
NETNS_OPS(NETNS_DECLARE_ARGS_READER)
#undef NETNS_DECLARE_ARGS_READER

// One field, by wire type. `parent` is the struct being read (a kind's data needs its kind).
template <class M, class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kU8>, M* m, P*) {
  *m = c.r.Int<uint8_t>(what);
}
template <class M, class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kU16>, M* m, P*) {
  *m = c.r.Int<uint16_t>(what);
}
template <class M, class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kU32>, M* m, P*) {
  *m = c.r.Int<uint32_t>(what);
}
template <class M, class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kU64>, M* m, P*) {
  *m = c.r.Int<uint64_t>(what);
}
template <class M, class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kI32>, M* m, P*) {
  *m = c.r.Int<int32_t>(what);
}
template <class M, class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kString>, M* m, P*) {
  *m = c.r.String(what);
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kMac>, M* m, P*) {
  *m = MacFromJs(c.r.env(), c.r.Value());
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kIp>, M* m, P*) {
  *m = IpFromJs(c.r.env(), c.r.Value());
}
// A namespace that has no handle open, named by its file: { path, inode }. Opened read-only here,
// as ip opens /run/netns/NAME to send its fd, without entering the namespace (no privilege, no
// socket, no thread). On the JS thread: OpenNetns stats first and opens O_NONBLOCK, so nothing
// but an nsfs file is opened and nothing blocks. ESTALE when the path now holds another namespace.
int OpenNamespaceFile(ReadContext& c, Napi::Value value) {
  Napi::Env env = c.r.env();
  if (!value.IsObject()) ThrowInternal(env, "expected a namespace handle or { path, inode }");
  Napi::Object file = value.As<Napi::Object>();
  Napi::Value path = file.Get("path");
  Napi::Value inode = file.Get("inode");
  if (!path.IsString() || !inode.IsBigInt()) {
    ThrowInternal(env, "a namespace file must be { path: string, inode: bigint }");
  }
  bool lossless = false;
  uint64_t want = inode.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) ThrowInternal(env, "the inode is out of range");
  Result<UniqueFd> fd = ns::OpenNetns(path.As<Napi::String>().Utf8Value());
  if (!fd.ok()) throw ToJsError(env, fd.error());
  Result<uint64_t> got = ns::NetnsInode(fd.value().get());
  if (!got.ok()) throw ToJsError(env, got.error());
  if (got.value() != want) {
    Error e;
    e.code = ESTALE;
    e.detail = "the path now refers to another namespace";
    throw ToJsError(env, e);
  }
  c.batch->files.push_back(fd.take());
  return c.batch->files.back().get();
}

template <class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kNetns>, std::optional<int>* m, P*) {
  Napi::Value value = c.r.Value();
  if (!value.IsExternal()) {
    *m = OpenNamespaceFile(c, value);  // closed with the batch
    return;
  }
  Result<ns::NetnsHandle::Lease> lease = HandleFromJs(value)->Use();
  if (!lease.ok()) throw ToJsError(c.r.env(), lease.error());
  *m = lease.value()->fd();  // stays open: the batch holds the lease until it has run
  c.batch->leases.push_back(lease.take());
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kLink>, M* m, P*) {
  ReadStruct(c, m);
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kAddress>, M* m, P*) {
  ReadStruct(c, m);
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kRoute>, M* m, P*) {
  ReadStruct(c, m);
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kMetrics>, M* m, P*) {
  ReadStruct(c, m);
}
template <class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kEncap>,
               std::optional<rtnl::RouteEncap>* m, P*) {
  ReadStruct(c, &m->emplace());
}
// A route's segments and labels: each occurrence of the tag is one more element. More than this
// is a bug in lib/ (which refuses them first).
constexpr size_t kMaxListElements = 256;
template <class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kIpList>,
               std::vector<std::vector<uint8_t>>* m, P*) {
  if (m->size() >= kMaxListElements) ThrowInternal(c.r.env(), std::string("too many ") + what);
  m->push_back(IpFromJs(c.r.env(), c.r.Value()));
}
template <class P>
void ReadField(ReadContext& c, const char* what, WireTag<Wire::kU32List>, std::vector<uint32_t>* m,
               P*) {
  if (m->size() >= kMaxListElements) ThrowInternal(c.r.env(), std::string("too many ") + what);
  m->push_back(c.r.Int<uint32_t>(what));
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kNeighbour>, M* m, P*) {
  ReadStruct(c, m);
}
template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kRule>, M* m, P*) {
  ReadStruct(c, m);
}

template <class M, class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kNexthopObject>, M* m, P*) {
  ReadStruct(c, m);
}

// A route's next hops repeat their field, one (tag, struct) per hop. More than this in one route
// is a bug in lib/ (which refuses them first): the attribute would outgrow 64 KiB long before
// the kernel's own limits.
constexpr size_t kMaxNexthops = 256;

template <class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kNexthop>,
               std::vector<rtnl::NexthopRequest>* m, P*) {
  if (m->size() >= kMaxNexthops) ThrowInternal(c.r.env(), "too many next hops");
  ReadStruct(c, &m->emplace_back());
}

// A nexthop group's members likewise (the kernel takes at most 256 either way).
template <class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kNexthopGroup>,
               std::vector<rtnl::NexthopGroupEntry>* m, P*) {
  if (m->size() >= kMaxNexthops) ThrowInternal(c.r.env(), "too many group members");
  ReadStruct(c, &m->emplace_back());
}

// Repeated fields: each occurrence of the tag is one more element.
template <class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kNftCommand>,
               std::vector<NftCommandArgs>* m, P*) {
  ReadStruct(c, &m->emplace_back());
}
template <class P>
void ReadField(ReadContext& c, const char*, WireTag<Wire::kNftStatement>,
               std::vector<NftStatementArgs>* m, P*) {
  ReadStruct(c, &m->emplace_back());
}

// The attributes of a link kind, tagged by their position in the kind's table (from 1).
void ReadKindData(ReadContext& c, const rtnl::LinkKind* kind, const std::string& name,
                  rtnl::KindData* out) {
  if (!kind) ThrowInternal(c.r.env(), "attributes for unknown link kind '" + name + "'");
  for (;;) {
    uint32_t tag = c.r.Int<uint32_t>("kind attribute tag");
    if (tag == 0) return;
    if (tag > kind->attrs.size()) ThrowInternal(c.r.env(), "unknown " + name + " attribute");
    rtnl::AttrValue v;
    v.spec = &kind->attrs[tag - 1];
    const char* what = v.spec->name;
    switch (v.spec->value) {
      case rtnl::AttrType::kU8:
        v.number = c.r.Int<uint8_t>(what);
        break;
      case rtnl::AttrType::kU16:
      case rtnl::AttrType::kBe16:
        v.number = c.r.Int<uint16_t>(what);
        break;
      case rtnl::AttrType::kU32:
      case rtnl::AttrType::kBe32:
        v.number = c.r.Int<uint32_t>(what);
        break;
      case rtnl::AttrType::kU64:
        v.number = c.r.Int<uint64_t>(what);
        break;
      case rtnl::AttrType::kFlag:
        v.number = c.r.Int<uint8_t>(what) != 0;
        break;
      case rtnl::AttrType::kString:
        v.text = c.r.String(what);
        break;
      case rtnl::AttrType::kIp:
        v.bytes = IpFromJs(c.r.env(), c.r.Value());
        break;
      case rtnl::AttrType::kMac:
        v.bytes = MacFromJs(c.r.env(), c.r.Value());
        break;
      case rtnl::AttrType::kLink:
        v.link = std::make_shared<rtnl::LinkRequest>();
        ReadStruct(c, v.link.get());
        break;
    }
    out->values.push_back(std::move(v));
  }
}

void ReadField(ReadContext& c, const char*, WireTag<Wire::kKind>, rtnl::KindData* m,
               rtnl::LinkRequest* parent) {
  ReadKindData(c, rtnl::FindLinkKind(parent->kind), parent->kind, m);
}
void ReadField(ReadContext& c, const char*, WireTag<Wire::kSlaveKind>, rtnl::KindData* m,
               rtnl::LinkRequest* parent) {
  ReadKindData(c, rtnl::FindLinkKind(parent->slave_kind, true), parent->slave_kind, m);
}

// What keeps C++ (and the kernel) safe whatever the caller sent: lib/ validates every input
// first, so a failure here is a bug there, reported as an internal error.
template <class S>
void Finish(ReadContext&, S*) {}

void CheckLinkName(ReadContext& c, const std::string& name) {
  if (name.size() >= IFNAMSIZ) ThrowInternal(c.r.env(), "link name longer than IFNAMSIZ - 1");
}

void Finish(ReadContext& c, rtnl::LinkRequest* req) {
  CheckLinkName(c, req->name);
  if (req->new_name) CheckLinkName(c, *req->new_name);
  if (!req->info.values.empty() && req->kind.empty()) ThrowInternal(c.r.env(), "info without kind");
}

void Finish(ReadContext& c, rtnl::AddressRequest* req) {
  size_t n = req->local.size();
  if (n == 0) ThrowInternal(c.r.env(), "an address request needs local");
  req->family = n == 4 ? AF_INET : AF_INET6;
  if (req->prefixlen > n * 8) ThrowInternal(c.r.env(), "prefix length beyond the address");
  if ((req->peer && req->peer->size() != n) || (req->broadcast && req->broadcast->size() != n)) {
    ThrowInternal(c.r.env(), "peer or broadcast of another family than the address");
  }
  if (req->broadcast && n != 4) ThrowInternal(c.r.env(), "a broadcast address is IPv4 only");
  if (req->label && n != 4) ThrowInternal(c.r.env(), "a label is IPv4 only");
}

void Finish(ReadContext& c, rtnl::RouteRequest* req) {
  size_t n = req->family == AF_INET ? 4 : req->family == AF_INET6 ? 16 : 0;
  if (n == 0) ThrowInternal(c.r.env(), "a route needs family AF_INET or AF_INET6");
  for (const auto* ip : {&req->dst, &req->src, &req->gateway, &req->prefsrc}) {
    if (!ip->empty() && ip->size() != n)
      ThrowInternal(c.r.env(), "route address of another family");
  }
  if (req->dst_len > n * 8 || req->src_len > n * 8) {
    ThrowInternal(c.r.env(), "prefix length beyond the address");
  }
  if (!req->multipath.empty() && !req->gateway.empty()) {
    ThrowInternal(c.r.env(), "a route with both a gateway and next hops");
  }
  for (const rtnl::NexthopRequest& hop : req->multipath) {
    if (!hop.gateway.empty() && hop.gateway.size() != n) {
      ThrowInternal(c.r.env(), "next hop gateway of another family");
    }
  }
}

// TCP_CA_NAME_MAX (16) with its NUL: the kernel reads no longer a name.
constexpr size_t kMaxCcAlgoName = 15;

void Finish(ReadContext& c, rtnl::RouteMetrics* m) {
  if (m->cc_algo && (m->cc_algo->empty() || m->cc_algo->size() > kMaxCcAlgoName)) {
    ThrowInternal(c.r.env(), "a congestion control name of 1 to 15 bytes");
  }
}

void Finish(ReadContext& c, rtnl::NeighbourRequest* req) {
  size_t n = req->dst.size();
  if (req->family == AF_BRIDGE) {
    if (!req->lladdr || req->lladdr->size() != 6) {
      ThrowInternal(c.r.env(), "an fdb entry needs a 6-byte MAC");
    }
    if (n != 0 && n != 4 && n != 16) ThrowInternal(c.r.env(), "bad fdb destination");
  } else if (req->family == AF_INET || req->family == AF_INET6) {
    if (n != (req->family == AF_INET ? 4u : 16u)) {
      ThrowInternal(c.r.env(), "neighbour address of another family");
    }
  } else {
    ThrowInternal(c.r.env(), "a neighbour needs family AF_INET, AF_INET6 or AF_BRIDGE");
  }
}

void Finish(ReadContext& c, rtnl::RuleRequest* req) {
  size_t n = req->family == AF_INET ? 4 : req->family == AF_INET6 ? 16 : 0;
  if (n == 0) ThrowInternal(c.r.env(), "a rule needs family AF_INET or AF_INET6");
  for (const auto* ip : {&req->dst, &req->src}) {
    if (!ip->empty() && ip->size() != n) ThrowInternal(c.r.env(), "rule address of another family");
  }
  if (req->dst_len > n * 8 || req->src_len > n * 8) {
    ThrowInternal(c.r.env(), "prefix length beyond the address");
  }
  if (req->iifname) CheckLinkName(c, *req->iifname);
  if (req->oifname) CheckLinkName(c, *req->oifname);
}

void Finish(ReadContext& c, rtnl::NexthopObjectRequest* req) {
  if (!req->group.empty()) {
    if (req->family != AF_UNSPEC || !req->gateway.empty() || req->oif || req->blackhole) {
      ThrowInternal(c.r.env(), "a nexthop group with a family, gateway, device or blackhole");
    }
    return;
  }
  size_t n = req->family == AF_INET ? 4 : req->family == AF_INET6 ? 16 : 0;
  if (n == 0) ThrowInternal(c.r.env(), "a nexthop needs family AF_INET or AF_INET6");
  if (!req->gateway.empty() && req->gateway.size() != n) {
    ThrowInternal(c.r.env(), "nexthop gateway of another family");
  }
  if (req->group_type) ThrowInternal(c.r.env(), "a group type without a group");
}

// The nsid operations name the other namespace; Finish makes sure they do.
void Finish(ReadContext& c, NewNsidArgs* a) {
  if (!a->netns_fd) ThrowInternal(c.r.env(), "newnsid without a namespace");
}
void Finish(ReadContext& c, GetNsidArgs* a) {
  if (!a->netns_fd) ThrowInternal(c.r.env(), "getnsid without a namespace");
}

// Both link property operations act on one alternative name of a link given by index.
template <class Args>
void FinishLinkProp(ReadContext& c, Args* a) {
  if (a->index <= 0) ThrowInternal(c.r.env(), "a link property operation without a link index");
  if (a->alt_name.empty() || a->alt_name.size() >= ALTIFNAMSIZ) {
    ThrowInternal(c.r.env(), "an alternative name of 1 to ALTIFNAMSIZ - 1 bytes");
  }
}
void Finish(ReadContext& c, NewLinkPropArgs* a) { FinishLinkProp(c, a); }
void Finish(ReadContext& c, DelLinkPropArgs* a) { FinishLinkProp(c, a); }

void Finish(ReadContext& c, GetRouteArgs* a) {
  if (a->dst.size() != 4 && a->dst.size() != 16) ThrowInternal(c.r.env(), "getroute without dst");
  if (!a->src.empty() && a->src.size() != a->dst.size()) {
    ThrowInternal(c.r.env(), "getroute source of another family");
  }
}

void Finish(ReadContext& c, NftCommandArgs* cmd) {
  if (cmd->table.empty()) ThrowInternal(c.r.env(), "an nf_tables command needs a table");
}

// A struct: (tag, value) pairs ended by 0, tags as the struct's field list numbers them.
#define NETNS_FIELD_READER(js, member, wire) \
  [](ReadContext& c, S* s) { ReadField(c, #js, WireTag<Wire::wire>{}, &s->member, s); },

// `readers` ends with a null entry (so that a struct without fields has a list too).
template <class S, size_t N>
void ReadTagged(ReadContext& c, S* out, void (*const (&readers)[N])(ReadContext&, S*)) {
  for (;;) {
    uint32_t tag = c.r.Int<uint32_t>("field tag");
    if (tag == 0) break;
    if (tag >= N) ThrowInternal(c.r.env(), "unknown field tag");
    readers[tag - 1](c, out);
  }
  Finish(c, out);
}

void ReadStruct(ReadContext& c, NftCommandArgs* out) {
  using S = NftCommandArgs;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_NFT_COMMAND(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, NftStatementArgs* out) {
  using S = NftStatementArgs;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_NFT_STATEMENT(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::LinkRequest* out) {
  using S = rtnl::LinkRequest;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_LINK_REQUEST(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::AddressRequest* out) {
  using S = rtnl::AddressRequest;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_ADDRESS_REQUEST(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::RouteRequest* out) {
  using S = rtnl::RouteRequest;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_ROUTE_REQUEST(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::NexthopRequest* out) {
  using S = rtnl::NexthopRequest;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_NEXTHOP_REQUEST(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::RouteMetrics* out) {
  using S = rtnl::RouteMetrics;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_ROUTE_METRICS(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::RouteEncap* out) {
  using S = rtnl::RouteEncap;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_ROUTE_ENCAP(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::NeighbourRequest* out) {
  using S = rtnl::NeighbourRequest;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_NEIGHBOUR_REQUEST(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::NexthopObjectRequest* out) {
  using S = rtnl::NexthopObjectRequest;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_NEXTHOP_OBJECT_REQUEST(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::NexthopGroupEntry* out) {
  using S = rtnl::NexthopGroupEntry;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_NEXTHOP_GROUP_ENTRY(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
void ReadStruct(ReadContext& c, rtnl::RuleRequest* out) {
  using S = rtnl::RuleRequest;
  static void (*const readers[])(ReadContext&,
                                 S*) = {NETNS_RULE_REQUEST(NETNS_FIELD_READER) nullptr};
  ReadTagged(c, out, readers);
}
#define NETNS_ARGS_READER(code, js, Args, returns)                                          \
  void ReadStruct(ReadContext& c, Args* out) {                                              \
    using S = Args;                                                                         \
    static void (*const readers[])(ReadContext&,                                            \
                                   S*) = {NETNS_FIELDS_##Args(NETNS_FIELD_READER) nullptr}; \
    ReadTagged(c, out, readers);                                                            \
  }
NETNS_OPS(NETNS_ARGS_READER)
#undef NETNS_ARGS_READER
#undef NETNS_FIELD_READER

// What each operation sends, from its arguments: the built message, and whether it is a dump.
struct Built {
  Result<std::vector<uint8_t>> message;
  bool dump;
};

Built Build(const NewLinkArgs& a) { return {rtnl::BuildNewLink(a.link, a.flags), false}; }
Built Build(const DelLinkArgs& a) { return {rtnl::BuildDelLink(a.index, a.name, a.flags), false}; }
Built Build(const DelLinkGroupArgs& a) { return {rtnl::BuildDelLinkGroup(a.group), false}; }
Built Build(const GetLinkArgs& a) {
  return {rtnl::BuildGetLink(a.index, a.name, a.stats != 0), false};
}
Built Build(const DumpLinksArgs& a) {
  return {rtnl::BuildDumpLinks(a.master, a.kind, a.stats != 0), true};
}
Built Build(const NewAddrArgs& a) { return {rtnl::BuildNewAddr(a.address, a.flags), false}; }
Built Build(const DelAddrArgs& a) { return {rtnl::BuildDelAddr(a.address, a.flags), false}; }
Built Build(const DumpAddrsArgs& a) { return {rtnl::BuildDumpAddrs(a.family, a.index), true}; }
Built Build(const NewRouteArgs& a) { return {rtnl::BuildNewRoute(a.route, a.flags), false}; }
Built Build(const DelRouteArgs& a) { return {rtnl::BuildDelRoute(a.route, a.flags), false}; }
Built Build(const DumpRoutesArgs& a) {
  return {rtnl::BuildDumpRoutes(a.family, a.table, a.flags), true};
}
Built Build(const NewNeighArgs& a) { return {rtnl::BuildNewNeigh(a.neighbour, a.flags), false}; }
Built Build(const DelNeighArgs& a) { return {rtnl::BuildDelNeigh(a.neighbour), false}; }
Built Build(const DumpNeighsArgs& a) {
  return {rtnl::BuildDumpNeighs(a.family, a.index, a.master, a.flags), true};
}
Built Build(const GetNeighArgs& a) {
  const rtnl::NeighbourRequest& n = a.neighbour;
  return {rtnl::BuildGetNeigh(n.family, n.index, n.flags, n.dst), false};
}
Built Build(const NewRuleArgs& a) { return {rtnl::BuildNewRule(a.rule, a.flags), false}; }
Built Build(const DelRuleArgs& a) { return {rtnl::BuildDelRule(a.rule, a.flags), false}; }
Built Build(const DumpRulesArgs& a) { return {rtnl::BuildDumpRules(a.family), true}; }
Built Build(const NewNsidArgs& a) { return {rtnl::BuildNewNsid(*a.netns_fd, a.nsid), false}; }
Built Build(const GetNsidArgs& a) { return {rtnl::BuildGetNsid(*a.netns_fd), false}; }
Built Build(const DumpNsidsArgs& a) {
  std::optional<int32_t> target;
  if (a.has_target) target = a.target_nsid;
  return {rtnl::BuildDumpNsids(target), true};
}
Built Build(const GetRouteArgs& a) { return {rtnl::BuildGetRoute(a), false}; }
Built Build(const NewLinkPropArgs& a) {
  return {rtnl::BuildNewLinkProp(a.index, a.alt_name), false};
}
Built Build(const DelLinkPropArgs& a) {
  return {rtnl::BuildDelLinkProp(a.index, a.alt_name), false};
}
Built Build(const NewNexthopArgs& a) { return {rtnl::BuildNewNexthop(a.nexthop, a.flags), false}; }
Built Build(const DelNexthopArgs& a) { return {rtnl::BuildDelNexthop(a.id, a.flags), false}; }
Built Build(const DumpNetconfArgs& a) { return {rtnl::BuildDumpNetconf(a.family), true}; }
Built Build(const GetNetconfArgs& a) { return {rtnl::BuildGetNetconf(a.family, a.index), false}; }
Built Build(const DumpMulticastArgs& a) { return {rtnl::BuildDumpMulticast(a.family), true}; }
Built Build(const DumpNexthopBucketsArgs& a) {
  std::optional<uint32_t> id;
  if (a.id != 0) id = a.id;
  std::optional<int32_t> oif;
  if (a.oif != 0) oif = a.oif;
  return {rtnl::BuildDumpNexthopBuckets(id, oif), true};
}
Built Build(const DumpNexthopsArgs& a) {
  std::optional<int32_t> oif;
  if (a.oif != 0) oif = a.oif;
  return {rtnl::BuildDumpNexthops(a.family, oif, a.groups != 0), true};
}

// Whether an operation's links are returned with their statistics.
template <class Args>
bool WantsStats(const Args&) {
  return false;
}
bool WantsStats(const GetLinkArgs& a) { return a.stats != 0; }
bool WantsStats(const DumpLinksArgs& a) { return a.stats != 0; }

// nf_tables: a statement, a command, a batch, the dumps.
Result<nft::Statement> ToStatement(const NftStatementArgs& a) {
  using Kind = nft::Statement::Kind;
  static const std::pair<const char*, Kind> kKinds[] = {
      {"saddr", Kind::kSaddr},
      {"daddr", Kind::kDaddr},
      {"ethersaddr", Kind::kEtherSaddr},
      {"iifname", Kind::kIifname},
      {"oifname", Kind::kOifname},
      {"l4proto", Kind::kL4proto},
      {"dport", Kind::kDport},
      {"ctstate", Kind::kCtState},
      {"ctstatus", Kind::kCtStatus},
      {"daddrlocal", Kind::kDaddrLocal},
      {"counter", Kind::kCounter},
      {"accept", Kind::kAccept},
      {"drop", Kind::kDrop},
      {"return", Kind::kReturn},
      {"jump", Kind::kJump},
      {"goto", Kind::kGoto},
      {"masquerade", Kind::kMasquerade},
      {"dnat", Kind::kDnat},
      {"dnatmap", Kind::kDnatMap},
      {"dnatmapdaddr", Kind::kDnatMapDaddr},
  };
  nft::Statement st;
  bool known = false;
  for (const auto& [name, kind] : kKinds) {
    if (a.kind == name) {
      st.kind = kind;
      known = true;
    }
  }
  if (!known) return Error::Invalid("unknown nf_tables statement '" + a.kind + "'");
  if (a.op > NFT_CMP_GTE) return Error::Invalid("unknown nf_tables comparison");
  st.op = static_cast<nft_cmp_ops>(a.op);
  st.address = a.address;
  st.mac = a.mac;
  st.prefix = a.prefix;
  st.name = a.name;
  st.proto = a.proto;
  st.port = a.port;
  st.bits = a.bits;
  st.chain = a.chain;
  st.family = a.family;
  return st;
}

// A key or data type in nft's words, fields joined by " . ".
Result<std::vector<nft::DataType>> ToDataTypes(const std::string& text) {
  static const std::pair<const char*, nft::DataType> kTypes[] = {
      {"ipv4_addr", nft::DataType::kIpv4Addr},
      {"ipv6_addr", nft::DataType::kIpv6Addr},
      {"inet_proto", nft::DataType::kInetProto},
      {"inet_service", nft::DataType::kInetService},
  };
  std::vector<nft::DataType> out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find(" . ", at);
    std::string field = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    bool known = false;
    for (const auto& [name, type] : kTypes) {
      if (field == name) {
        out.push_back(type);
        known = true;
      }
    }
    if (!known) return Error::Invalid("unknown nf_tables set type '" + field + "'");
    if (end == std::string::npos) break;
    at = end + 3;
  }
  return out;
}

// The element of a published-port map: `[address .] proto . port : address . port`.
nft::SetElement ToElement(const NftCommandArgs& a) {
  nft::SetElement e;
  std::vector<std::vector<uint8_t>> key;
  if (!a.key_address.empty()) key.push_back(a.key_address);
  key.push_back(nft::U8Data(a.key_proto));
  key.push_back(nft::Be16Data(a.key_port));
  e.key = nft::ConcatData(key);
  if (!a.data_address.empty()) {
    e.data = nft::ConcatData({a.data_address, nft::Be16Data(a.data_port)});
  }
  return e;
}

// `set_id`: the NFTA_SET_ID of a NEWSET, unique in its batch.
Result<std::vector<uint8_t>> BuildCommand(const NftCommandArgs& a, uint32_t set_id) {
  switch (a.type) {
    case NFT_MSG_NEWTABLE:
      return nft::BuildNewTable(a.family, a.table, a.exclusive != 0);
    case NFT_MSG_DELTABLE:
      return nft::BuildDelTable(a.family, a.table);
    case NFT_MSG_NEWCHAIN: {
      nft::ChainRequest req;
      req.family = a.family;
      req.table = a.table;
      req.name = a.chain;
      if (a.hooknum) req.hook = nft::ChainHook{*a.hooknum, a.priority, a.chain_type, a.policy};
      return nft::BuildNewChain(req, a.exclusive != 0);
    }
    case NFT_MSG_DELCHAIN:
      return nft::BuildDelChain(a.family, a.table, a.chain);
    case NFT_MSG_NEWRULE: {
      std::vector<nft::Statement> statements;
      for (const NftStatementArgs& s : a.statements) {
        Result<nft::Statement> st = ToStatement(s);
        if (!st.ok()) return st.take_error();
        statements.push_back(st.take());
      }
      Result<std::vector<nft::Expr>> exprs = nft::StatementsToExprs(statements);
      if (!exprs.ok()) return exprs.take_error();
      nft::RuleRequest req;
      req.family = a.family;
      req.table = a.table;
      req.chain = a.chain;
      req.exprs = exprs.take();
      req.comment = a.comment;
      Result<std::vector<uint8_t>> built = nft::BuildNewRule(req);
      if (built.ok() && a.echo) {
        nlmsghdr h;
        std::memcpy(&h, built.value().data(), sizeof h);
        h.nlmsg_flags |= NLM_F_ECHO;
        std::memcpy(built.value().data(), &h, sizeof h);
      }
      return built;
    }
    case NFT_MSG_DELRULE:
      return nft::BuildDelRule(a.family, a.table, a.chain, a.handle);
    case NFT_MSG_NEWSET: {
      nft::SetRequest req;
      req.family = a.family;
      req.table = a.table;
      req.name = a.set;
      req.id = set_id;
      Result<std::vector<nft::DataType>> key = ToDataTypes(a.key_type);
      if (!key.ok()) return key.take_error();
      req.key = key.take();
      if (!a.data_type.empty()) {
        Result<std::vector<nft::DataType>> data = ToDataTypes(a.data_type);
        if (!data.ok()) return data.take_error();
        req.data = data.take();
      }
      return nft::BuildNewSet(req, a.exclusive != 0);
    }
    case NFT_MSG_DELSET:
      return nft::BuildDelSet(a.family, a.table, a.set);
    case NFT_MSG_NEWSETELEM:
      return nft::BuildNewSetElems(a.family, a.table, a.set, {ToElement(a)}, a.exclusive != 0);
    case NFT_MSG_DELSETELEM:
      return nft::BuildDelSetElems(a.family, a.table, a.set, {ToElement(a)});
    default:
      return Error::Invalid("not an nf_tables command this library sends");
  }
}

std::unique_ptr<nft::Operation> Build(const NftBatchArgs& a) {
  nft::Batch batch(a.genid != 0 ? std::optional<uint32_t>(a.genid) : std::nullopt);
  uint32_t sets = 0;
  for (const NftCommandArgs& cmd : a.commands) {
    batch.Add(BuildCommand(cmd, cmd.type == NFT_MSG_NEWSET ? ++sets : 0));
  }
  return nft::Operation::ForBatch(std::move(batch).Finish());
}
std::unique_ptr<nft::Operation> Build(const NftDumpTablesArgs& a) {
  return nft::Operation::ForDump(nft::BuildDumpTables(a.family), nft::Operation::Dump::kTables);
}
std::unique_ptr<nft::Operation> Build(const NftDumpChainsArgs& a) {
  return nft::Operation::ForDump(nft::BuildDumpChains(a.family), nft::Operation::Dump::kChains);
}
std::unique_ptr<nft::Operation> Build(const NftGetGenArgs&) { return nft::Operation::ForGen(); }
std::unique_ptr<nft::Operation> Build(const NftDumpSetsArgs& a) {
  return nft::Operation::ForDump(nft::BuildDumpSets(a.family, a.table),
                                 nft::Operation::Dump::kSets);
}
std::unique_ptr<nft::Operation> Build(const NftDumpSetElemsArgs& a) {
  return nft::Operation::ForDump(nft::BuildDumpSetElems(a.family, a.table, a.set),
                                 nft::Operation::Dump::kSetElems);
}
std::unique_ptr<nft::Operation> Build(const NftDumpRulesArgs& a) {
  return nft::Operation::ForDump(nft::BuildDumpRules(a.family, a.table, a.chain),
                                 nft::Operation::Dump::kRules);
}

void Push(OperationBatch* batch, Built built, Returns returns) {
  OperationBatch::Entry e;
  e.rtnl = std::make_unique<rtnl::Operation>(std::move(built.message), built.dump);
  e.returns = returns;
  batch->entries.push_back(std::move(e));
}
void Push(OperationBatch* batch, std::unique_ptr<nft::Operation> op, Returns returns) {
  OperationBatch::Entry e;
  e.nft = std::move(op);
  e.returns = returns;
  batch->entries.push_back(std::move(e));
}

template <class Args>
void AddOperation(ReadContext& c, Returns returns) {
  Args args;
  ReadStruct(c, &args);
  Push(c.batch, Build(args), returns);
  c.batch->entries.back().stats = WantsStats(args);
}

}  // namespace

namespace {

OperationBatch ReadOperations(Napi::Env env, FlatReader& reader) {
  OperationBatch batch;
  ReadContext c{reader, &batch};
  while (!reader.done()) {
    switch (reader.Int<int>("operation")) {
#define NETNS_OP_CASE(code, js, Args, returns) \
  case code:                                   \
    AddOperation<Args>(c, Returns::returns);   \
    break;
      NETNS_OPS(NETNS_OP_CASE)
#undef NETNS_OP_CASE
      default:
        ThrowInternal(env, "unknown operation");
    }
  }
  return batch;
}

}  // namespace

OperationBatch OperationsFromJs(Napi::Env env, Napi::Value flat) {
  if (!flat.IsArray()) ThrowInternal(env, "operations must be an array");
  FlatReader reader(env, flat.As<Napi::Array>());
  return ReadOperations(env, reader);
}

OperationBatch OperationsFromJs(Napi::Env env, Napi::Value nums, Napi::Value count,
                                Napi::Value refs) {
  // One napi_get_typedarray_info answers type, length and data at once (the Napi::TypedArray
  // accessors ask once each): this runs on every request.
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (!nums.IsTypedArray() ||
      napi_get_typedarray_info(env, nums, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    ThrowInternal(env, "packed operations must be a Float64Array");
  }
  double n;
  if (napi_get_value_double(env, count, &n) != napi_ok || !refs.IsArray()) {
    ThrowInternal(env, "malformed packed operations");
  }
  if (!(n >= 0 && n <= static_cast<double>(length)) ||
      n != static_cast<double>(static_cast<uint32_t>(n))) {
    ThrowInternal(env, "packed operations: count out of range");
  }
  FlatReader reader(env, static_cast<const double*>(data), static_cast<uint32_t>(n),
                    refs.As<Napi::Array>());
  return ReadOperations(env, reader);
}

}  // namespace netns_native::addon
