// addon.schema: the field lists of schema.h and the link kinds' tables, as plain JS data, so
// that lib/native/wire.ts encodes requests from them and checks its own declarations against
// them at load.
#include "schema.h"
#include "convert.h"
#include "values.h"

namespace netns_native::addon {

namespace {

const char* WireName(Wire w) {
  switch (w) {
    case Wire::kU8:
      return "u8";
    case Wire::kU16:
      return "u16";
    case Wire::kU32:
      return "u32";
    case Wire::kU64:
      return "u64";
    case Wire::kI32:
      return "i32";
    case Wire::kString:
      return "string";
    case Wire::kMac:
      return "mac";
    case Wire::kIp:
      return "ip";
    case Wire::kNetns:
      return "netns";
    case Wire::kLink:
      return "link";
    case Wire::kAddress:
      return "address";
    case Wire::kRoute:
      return "route";
    case Wire::kKind:
      return "kind";
    case Wire::kSlaveKind:
      return "slavekind";
    case Wire::kNftCommand:
      return "nftcommand[]";
    case Wire::kNftStatement:
      return "nftstatement[]";
    case Wire::kNeighbour:
      return "neighbour";
    case Wire::kRule:
      return "rule";
    case Wire::kNexthop:
      return "nexthop[]";
    case Wire::kMetrics:
      return "metrics";
    case Wire::kNexthopObject:
      return "nexthopobject";
    case Wire::kNexthopGroup:
      return "nexthopgroup[]";
    case Wire::kEncap:
      return "encap";
    case Wire::kIpList:
      return "ip[]";
    case Wire::kU32List:
      return "u32[]";
  }
  return "?";
}

const char* AttrTypeName(rtnl::AttrType t) {
  switch (t) {
    case rtnl::AttrType::kU8:
      return "u8";
    case rtnl::AttrType::kU16:
    case rtnl::AttrType::kBe16:
      return "u16";
    case rtnl::AttrType::kU32:
    case rtnl::AttrType::kBe32:
      return "u32";
    case rtnl::AttrType::kU64:
      return "u64";
    case rtnl::AttrType::kFlag:
      return "flag";
    case rtnl::AttrType::kString:
      return "string";
    case rtnl::AttrType::kIp:
      return "ip";
    case rtnl::AttrType::kMac:
      return "mac";
    case rtnl::AttrType::kLink:
      return "link";
  }
  return "?";
}

const char* ShapeName(Shape s) {
  switch (s) {
    case Shape::kNumber:
      return "number";
    case Shape::kIp:
      return "ip";
    case Shape::kText:
      return "text";
    case Shape::kMac:
      return "mac";
    case Shape::kOptional:
      return "optional";
    case Shape::kNexthops:
      return "nexthops";
    case Shape::kMetrics:
      return "metrics";
    case Shape::kNexthopGroup:
      return "nexthopgroup";
    case Shape::kEncap:
      return "encap";
    case Shape::kIpList:
      return "ips";
    case Shape::kNumberList:
      return "numbers";
  }
  return "?";
}

const char* ReturnsName(Returns r) {
  switch (r) {
    case Returns::kAck:
      return "ack";
    case Returns::kEchoed:
      return "echoed";
    case Returns::kLink:
      return "link";
    case Returns::kLinks:
      return "links";
    case Returns::kAddresses:
      return "addresses";
    case Returns::kRoutes:
      return "routes";
    case Returns::kNftTables:
      return "nfttables";
    case Returns::kNftChains:
      return "nftchains";
    case Returns::kNftRules:
      return "nftrules";
    case Returns::kNftGen:
      return "nftgen";
    case Returns::kNftSets:
      return "nftsets";
    case Returns::kNftSetElems:
      return "nftsetelems";
    case Returns::kNeighbours:
      return "neighbours";
    case Returns::kRules:
      return "rules";
    case Returns::kNsid:
      return "nsid";
    case Returns::kNexthops:
      return "nexthops";
    case Returns::kNetconfs:
      return "netconfs";
    case Returns::kNexthopBuckets:
      return "nexthopbuckets";
    case Returns::kNsids:
      return "nsids";
    case Returns::kMulticastGroups:
      return "multicastgroups";
  }
  return "?";
}

// [[name, type], ...]
class Fields {
 public:
  explicit Fields(Napi::Env env) : env_(env), list_(Napi::Array::New(env)) {}
  Fields& Add(const char* name, const char* type) {
    Napi::Array pair = Napi::Array::New(env_, 2);
    pair.Set(0u, name);
    pair.Set(1u, type);
    list_.Set(list_.Length(), pair);
    return *this;
  }
  Napi::Array list() const { return list_; }

 private:
  Napi::Env env_;
  Napi::Array list_;
};

#define NETNS_WIRE_FIELD(js, member, wire) f.Add(#js, WireName(Wire::wire));
#define NETNS_SHAPE_FIELD(js, member, shape) f.Add(#js, ShapeName(Shape::shape));

Napi::Object Structs(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  {
    Fields f(env);
    NETNS_LINK_REQUEST(NETNS_WIRE_FIELD)
    o.Set("link", f.list());
  }
  {
    Fields f(env);
    NETNS_ADDRESS_REQUEST(NETNS_WIRE_FIELD)
    o.Set("address", f.list());
  }
  {
    Fields f(env);
    NETNS_ROUTE_REQUEST(NETNS_WIRE_FIELD)
    o.Set("route", f.list());
  }
  {
    Fields f(env);
    NETNS_NFT_COMMAND(NETNS_WIRE_FIELD)
    o.Set("nftcommand", f.list());
  }
  {
    Fields f(env);
    NETNS_NFT_STATEMENT(NETNS_WIRE_FIELD)
    o.Set("nftstatement", f.list());
  }
  {
    Fields f(env);
    NETNS_NEXTHOP_REQUEST(NETNS_WIRE_FIELD)
    o.Set("nexthop", f.list());
  }
  {
    Fields f(env);
    NETNS_ROUTE_METRICS(NETNS_WIRE_FIELD)
    o.Set("metrics", f.list());
  }
  {
    Fields f(env);
    NETNS_ROUTE_ENCAP(NETNS_WIRE_FIELD)
    o.Set("encap", f.list());
  }
  {
    Fields f(env);
    NETNS_NEIGHBOUR_REQUEST(NETNS_WIRE_FIELD)
    o.Set("neighbour", f.list());
  }
  {
    Fields f(env);
    NETNS_RULE_REQUEST(NETNS_WIRE_FIELD)
    o.Set("rule", f.list());
  }
  {
    Fields f(env);
    NETNS_NEXTHOP_OBJECT_REQUEST(NETNS_WIRE_FIELD)
    o.Set("nexthopobject", f.list());
  }
  {
    Fields f(env);
    NETNS_NEXTHOP_GROUP_ENTRY(NETNS_WIRE_FIELD)
    o.Set("nexthopgroup", f.list());
  }
  return o;
}

Napi::Object Ops(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
#define NETNS_OP_SCHEMA(code, js, Args, returns)                                    \
  {                                                                                 \
    Fields f(env);                                                                  \
    NETNS_FIELDS_##Args(NETNS_WIRE_FIELD) Napi::Object op = Napi::Object::New(env); \
    op.Set("code", code);                                                           \
    op.Set("args", f.list());                                                       \
    op.Set("returns", ReturnsName(Returns::returns));                               \
    o.Set(#js, op);                                                                 \
  }
  NETNS_OPS(NETNS_OP_SCHEMA)
#undef NETNS_OP_SCHEMA
  return o;
}

Napi::Object Kinds(Napi::Env env, bool ports) {
  Napi::Object o = Napi::Object::New(env);
  for (const rtnl::LinkKind* kind : rtnl::LinkKinds()) {
    if (kind->port != ports) continue;
    Fields f(env);
    for (const rtnl::AttrSpec& a : kind->attrs) f.Add(a.name, AttrTypeName(a.value));
    o.Set(kind->name, f.list());
  }
  return o;
}

Napi::Object Results(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  {
    Fields f(env);
    NETNS_LINK_NUMBERS(NETNS_SHAPE_FIELD)
    o.Set("linkNumbers", f.list());
  }
  {
    Fields f(env);
    NETNS_LINK_STRINGS(NETNS_SHAPE_FIELD)
    o.Set("linkStrings", f.list());
  }
  {
    Fields f(env);
    NETNS_ADDRESS_INFO(NETNS_SHAPE_FIELD)
    o.Set("address", f.list());
  }
  {
    Fields f(env);
    NETNS_ROUTE_INFO(NETNS_SHAPE_FIELD)
    o.Set("route", f.list());
  }
  {
    Fields f(env);
    NETNS_NFT_TABLE_INFO(NETNS_SHAPE_FIELD)
    o.Set("nftTable", f.list());
  }
  {
    Fields f(env);
    NETNS_NFT_CHAIN_INFO(NETNS_SHAPE_FIELD)
    o.Set("nftChain", f.list());
  }
  {
    Fields f(env);
    NETNS_NFT_RULE_INFO(NETNS_SHAPE_FIELD)
    o.Set("nftRule", f.list());
  }
  {
    Fields f(env);
    NETNS_NFT_SET_INFO(NETNS_SHAPE_FIELD)
    o.Set("nftSet", f.list());
  }
  {
    Fields f(env);
    NETNS_NFT_SET_ELEM_INFO(NETNS_SHAPE_FIELD)
    o.Set("nftSetElem", f.list());
  }
  {
    Fields f(env);
    NETNS_LINK_STATS(NETNS_SHAPE_FIELD)
    o.Set("linkStats", f.list());
  }
  {
    Fields f(env);
    NETNS_IPV6_STATS(NETNS_SHAPE_FIELD)
    o.Set("ipv6Stats", f.list());
  }
  {
    Fields f(env);
    NETNS_ICMP6_STATS(NETNS_SHAPE_FIELD)
    o.Set("icmp6Stats", f.list());
  }
  {
    Fields f(env);
    NETNS_NEXTHOP_INFO(NETNS_SHAPE_FIELD)
    o.Set("nexthop", f.list());
  }
  {
    Fields f(env);
    NETNS_ROUTE_METRICS_INFO(NETNS_SHAPE_FIELD)
    o.Set("metrics", f.list());
  }
  {
    Fields f(env);
    NETNS_ROUTE_ENCAP_INFO(NETNS_SHAPE_FIELD)
    o.Set("encap", f.list());
  }
  {
    Fields f(env);
    NETNS_NEIGHBOUR_INFO(NETNS_SHAPE_FIELD)
    o.Set("neighbour", f.list());
  }
  {
    Fields f(env);
    NETNS_RULE_INFO(NETNS_SHAPE_FIELD)
    o.Set("rule", f.list());
  }
  {
    Fields f(env);
    NETNS_NSID_INFO(NETNS_SHAPE_FIELD)
    o.Set("nsid", f.list());
  }
  {
    Fields f(env);
    NETNS_NEXTHOP_OBJECT_INFO(NETNS_SHAPE_FIELD)
    o.Set("nexthopObject", f.list());
  }
  {
    Fields f(env);
    NETNS_NETCONF_INFO(NETNS_SHAPE_FIELD)
    o.Set("netconf", f.list());
  }
  {
    Fields f(env);
    NETNS_NEXTHOP_BUCKET_INFO(NETNS_SHAPE_FIELD)
    o.Set("nexthopBucket", f.list());
  }
  {
    Fields f(env);
    NETNS_MULTICAST_GROUP_INFO(NETNS_SHAPE_FIELD)
    o.Set("multicastGroup", f.list());
  }
  return o;
}

#undef NETNS_WIRE_FIELD
#undef NETNS_SHAPE_FIELD

// What a monitor's batch says (rtnl/decode.h, rtnl/monitor.h): the kinds and the actions of
// events in code order (code = 1 + kind position * number of actions + action position), and
// the codes of the two markers.
Napi::Object Events(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array kinds = Napi::Array::New(env);
  for (uint8_t k = 0; k < static_cast<uint8_t>(rtnl::EventKind::kCount); ++k) {
    kinds.Set(k, rtnl::EventKindName(static_cast<rtnl::EventKind>(k)));
  }
  o.Set("kinds", kinds);
  Napi::Array actions = Napi::Array::New(env);
  actions.Set(static_cast<uint32_t>(rtnl::EventAction::kNew), "new");
  actions.Set(static_cast<uint32_t>(rtnl::EventAction::kDelete), "delete");
  actions.Set(static_cast<uint32_t>(rtnl::EventAction::kReplace), "replace");
  o.Set("actions", actions);
  o.Set("overrun", rtnl::EventBatch::kOverrun);
  o.Set("fence", rtnl::EventBatch::kFence);
  return o;
}

}  // namespace

Napi::Object SchemaToJs(Napi::Env env) {
  Napi::Object schema = Napi::Object::New(env);
  schema.Set("structs", Structs(env));
  schema.Set("ops", Ops(env));
  schema.Set("kinds", Kinds(env, false));
  schema.Set("slaveKinds", Kinds(env, true));
  schema.Set("results", Results(env));
  schema.Set("events", Events(env));
  return schema;
}

}  // namespace netns_native::addon
