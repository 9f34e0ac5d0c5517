#include "link_kind.h"

#include <arpa/inet.h>

#include <cstring>

#include "link.h"

namespace netns_native::rtnl {

using netlink::Attr;
using netlink::MessageBuilder;

namespace {

std::vector<const LinkKind*>& Registry() {
  static std::vector<const LinkKind*> kinds;  // filled during static initialisation only
  return kinds;
}

const AttrSpec* SpecFor(const LinkKind* kind, uint16_t type) {
  if (!kind) return nullptr;
  for (const AttrSpec& s : kind->attrs) {
    if (s.type == type || (s.value == AttrType::kIp && s.type6 != 0 && s.type6 == type)) return &s;
  }
  return nullptr;
}

// Whether a received payload has the size its spec says; anything else is kept raw.
bool SizeFits(AttrType t, size_t len) {
  switch (t) {
    case AttrType::kU8:
      return len >= 1;
    case AttrType::kU16:
    case AttrType::kBe16:
      return len >= 2;
    case AttrType::kU32:
    case AttrType::kBe32:
      return len >= 4;
    case AttrType::kU64:
      return len >= 8;
    case AttrType::kIp:
      return len == 4 || len == 16;
    case AttrType::kFlag:
    case AttrType::kString:
    case AttrType::kMac:
      return true;
    case AttrType::kLink:
      return false;  // never decoded: the kernel reports a veth peer as a link of its own
  }
  return false;
}

}  // namespace

LinkKindRegistration::LinkKindRegistration(const LinkKind* kind) { Registry().push_back(kind); }

const std::vector<const LinkKind*>& LinkKinds() { return Registry(); }

const LinkKind* FindLinkKind(std::string_view name, bool port) {
  for (const LinkKind* k : Registry()) {
    if (k->port == port && name == k->name) return k;
  }
  return nullptr;
}

void PutKindData(MessageBuilder& b, const KindData& data, LinkBodyWriter put_link) {
  for (const AttrValue& v : data.values) {
    const AttrSpec& s = *v.spec;
    switch (s.value) {
      case AttrType::kU8:
        b.PutU8(s.type, static_cast<uint8_t>(v.number));
        break;
      case AttrType::kU16:
        b.PutU16(s.type, static_cast<uint16_t>(v.number));
        break;
      case AttrType::kU32:
        b.PutU32(s.type, static_cast<uint32_t>(v.number));
        break;
      case AttrType::kU64:
        b.PutU64(s.type, v.number);
        break;
      case AttrType::kBe16:
        b.PutU16(s.type, htons(static_cast<uint16_t>(v.number)));
        break;
      case AttrType::kBe32:
        b.PutU32(s.type, htonl(static_cast<uint32_t>(v.number)));
        break;
      case AttrType::kFlag:
        if (v.number) b.PutFlag(s.type);
        break;
      case AttrType::kString:
        b.PutString(s.type, v.text);
        break;
      case AttrType::kIp:
        b.PutBytes(v.bytes.size() == 16 && s.type6 != 0 ? s.type6 : s.type, v.bytes);
        break;
      case AttrType::kMac:
        b.PutBytes(s.type, v.bytes);
        break;
      case AttrType::kLink:
        if (v.link) {
          size_t nest = b.BeginNest(s.type);
          put_link(b, *v.link);
          b.EndNest(nest);
        }
        break;
    }
  }
}

Status ParseKindData(const Attr& nest, const LinkKind* kind, KindData* out) {
  return netlink::ForEachAttr(nest.data, nest.len, [&](const Attr& a) {
    const AttrSpec* s = SpecFor(kind, a.type);
    if (!s || !SizeFits(s->value, a.len)) {
      out->unknown.push_back(RawAttr{a.type, a.Bytes()});
      return;
    }
    AttrValue v;
    v.spec = s;
    switch (s->value) {
      case AttrType::kU8:
        v.number = a.U8();
        break;
      case AttrType::kU16:
        v.number = a.U16();
        break;
      case AttrType::kBe16:
        v.number = ntohs(a.U16());
        break;
      case AttrType::kU32:
        v.number = a.U32();
        break;
      case AttrType::kBe32:
        v.number = ntohl(a.U32());
        break;
      case AttrType::kU64:
        v.number = a.U64();
        break;
      case AttrType::kFlag:
        v.number = 1;
        break;
      case AttrType::kString:
        v.text = a.String();
        break;
      case AttrType::kIp:
      case AttrType::kMac:
        v.bytes = a.Bytes();
        break;
      case AttrType::kLink:
        break;
    }
    out->values.push_back(std::move(v));
  });
}

}  // namespace netns_native::rtnl
