// Link kinds (IFLA_INFO_KIND: "bridge", "veth", "vxlan", ...) as tables: each kind names the
// attributes of its IFLA_INFO_DATA (or, for a port of a master, IFLA_INFO_SLAVE_DATA) and their
// types, the way the kernel's own policy tables (br_policy[], vxlan_policy[]) do. One generic
// codec builds and parses every kind from its table, so adding a kind is one small file under
// rtnl/link/ that registers its table, and no switch statement anywhere.
//
// Pure: no I/O, safe on any thread. Kinds register themselves during static initialisation and
// the registry is read-only afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../common/result.h"
#include "../netlink/message.h"

namespace netns_native::rtnl {

struct LinkRequest;

// How an attribute's payload is laid out on the wire.
enum class AttrType : uint8_t {
  kU8,
  kU16,
  kU32,
  kU64,
  kBe16,    // a u16 in network byte order (ports: IFLA_VXLAN_PORT)
  kBe32,    // a u32 in network byte order: GRE keys (IFLA_GRE_IKEY), flow labels
            // (IFLA_VXLAN_LABEL), which no other shape can carry without a byte swap in lib/
  kFlag,    // present or absent, no payload
  kString,  // NUL-terminated
  kIp,      // 4 or 16 bytes; `type6` (when set) is the attribute used for IPv6 addresses
  kMac,     // 6 bytes (any length is kept as given)
  kLink,    // a nested ifinfomsg followed by IFLA_* attributes: VETH_INFO_PEER
};

struct AttrSpec {
  const char* name;    // the name on the addon's private surface: "stpState", "peer", ...
  uint16_t type;       // IFLA_BR_STP_STATE, VETH_INFO_PEER, ...
  AttrType value;      // payload layout
  uint16_t type6 = 0;  // kIp only: the IPv6 attribute (IFLA_VXLAN_GROUP6) when it differs
};

struct LinkKind {
  const char* name;  // IFLA_INFO_KIND ("bridge") or IFLA_INFO_SLAVE_KIND for a port kind
  bool port;         // true: the table of IFLA_INFO_SLAVE_DATA for ports of this master kind
  std::vector<AttrSpec> attrs;
};

// One attribute value of a kind. Which member holds it follows spec->value: numbers (and
// flags, as 1) in `number`, strings in `text`, addresses in `bytes`, a nested link in `link`.
struct AttrValue {
  const AttrSpec* spec = nullptr;
  uint64_t number = 0;
  std::string text;
  std::vector<uint8_t> bytes;
  std::shared_ptr<LinkRequest> link;
};

// An attribute the kind's table does not name: kept as it came, never dropped, so that a newer
// kernel's attributes survive a read (and show up for whoever looks).
struct RawAttr {
  uint16_t type = 0;
  std::vector<uint8_t> bytes;
};

// IFLA_INFO_DATA (or IFLA_INFO_SLAVE_DATA) of one link.
struct KindData {
  std::vector<AttrValue> values;  // in the order given (requests) or received (replies)
  std::vector<RawAttr> unknown;   // replies only
  bool empty() const { return values.empty() && unknown.empty(); }
};

// The kind registered under `name`, or null. `port`: look up the port (slave) table instead.
const LinkKind* FindLinkKind(std::string_view name, bool port = false);

// Every registered kind, in registration order (for the addon's schema export).
const std::vector<const LinkKind*>& LinkKinds();

// Registers a kind; used by the files under rtnl/link/ through a static instance:
//   static const LinkKindRegistration kRegistered(&kBridge);
struct LinkKindRegistration {
  explicit LinkKindRegistration(const LinkKind* kind);
};

// Appends `data` as attributes of `kind` (inside the IFLA_INFO_DATA nest the caller opened).
// kLink values are encoded with `put_link` (the caller's ifinfomsg + IFLA_* writer).
using LinkBodyWriter = void (*)(netlink::MessageBuilder& b, const LinkRequest& req);
void PutKindData(netlink::MessageBuilder& b, const KindData& data, LinkBodyWriter put_link);

// Decodes a received IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA nest with `kind`'s table (null: an
// unknown kind, every attribute goes to `unknown`). Fails only on a malformed nest.
Status ParseKindData(const netlink::Attr& nest, const LinkKind* kind, KindData* out);

}  // namespace netns_native::rtnl
