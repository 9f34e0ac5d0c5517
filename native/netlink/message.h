// Netlink message encoding and decoding: a bounds-checked builder and an attribute parser.
// Pure functions over byte buffers; no I/O, safe on any thread.
#pragma once

#include <endian.h>
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "../common/result.h"

namespace netns_native::netlink {

inline constexpr size_t Align(size_t n) { return (n + NLA_ALIGNTO - 1) & ~size_t{NLA_ALIGNTO - 1}; }

// Appends one attribute (header, payload, zero padding) to attributes built outside a message,
// where MessageBuilder does not serve: the payloads of RTA_METRICS, RTA_MULTIPATH's next hops,
// RTA_ENCAP. The caller keeps the whole under 64 KiB (the attribute's 16-bit length).
void AppendAttr(std::vector<uint8_t>& out, uint16_t type, const void* data, size_t len);

// Builds one netlink message: header, fixed family header, then attributes. Attribute lengths are
// 16-bit on the wire; an attribute or nest that would overflow is recorded and reported by
// Finish() instead of being silently truncated.
class MessageBuilder {
 public:
  MessageBuilder(uint16_t type, uint16_t flags);

  // Appends the family header (ifinfomsg, ifaddrmsg, rtmsg, ...), padded to alignment.
  template <class T>
  void PutHeader(const T& header) {
    PutRaw(&header, sizeof(header));
  }

  void PutAttr(uint16_t type, const void* data, size_t len);
  void PutFlag(uint16_t type) { PutAttr(type, nullptr, 0); }
  void PutU8(uint16_t type, uint8_t v) { PutAttr(type, &v, sizeof v); }
  void PutU16(uint16_t type, uint16_t v) { PutAttr(type, &v, sizeof v); }
  void PutU32(uint16_t type, uint32_t v) { PutAttr(type, &v, sizeof v); }
  void PutS32(uint16_t type, int32_t v) { PutAttr(type, &v, sizeof v); }
  void PutU64(uint16_t type, uint64_t v) { PutAttr(type, &v, sizeof v); }
  // Network byte order, as nf_tables (NLA_BE32 / NLA_BE64 policies) and NFTA_*_PORT expect.
  void PutBe16(uint16_t type, uint16_t v) { PutU16(type, htobe16(v)); }
  void PutBe32(uint16_t type, uint32_t v) { PutU32(type, htobe32(v)); }
  void PutBe64(uint16_t type, uint64_t v) { PutU64(type, htobe64(v)); }
  // NUL-terminated, as the kernel's NLA_STRING / NLA_NUL_STRING policies expect.
  void PutString(uint16_t type, std::string_view s);
  void PutBytes(uint16_t type, const std::vector<uint8_t>& bytes) {
    PutAttr(type, bytes.data(), bytes.size());
  }

  // Opens a nested attribute; returns a token for EndNest.
  size_t BeginNest(uint16_t type);
  void EndNest(size_t token);

  // Sets nlmsg_len and returns the encoded message, or EMSGSIZE if an attribute overflowed.
  Result<std::vector<uint8_t>> Finish() &&;

 private:
  void PutRaw(const void* data, size_t len);

  std::vector<uint8_t> buf_;
  bool overflow_ = false;
};

// A view of one attribute inside a received message. Valid while the message buffer lives.
struct Attr {
  uint16_t type = 0;  // with NLA_F_NESTED / NLA_F_NET_BYTEORDER masked off
  const uint8_t* data = nullptr;
  size_t len = 0;

  bool present() const { return data != nullptr; }
  // Integer readers return `fallback` when the attribute is absent or too short.
  uint8_t U8(uint8_t fallback = 0) const { return Read<uint8_t>(fallback); }
  uint16_t U16(uint16_t fallback = 0) const { return Read<uint16_t>(fallback); }
  uint32_t U32(uint32_t fallback = 0) const { return Read<uint32_t>(fallback); }
  int32_t S32(int32_t fallback = 0) const { return Read<int32_t>(fallback); }
  uint64_t U64(uint64_t fallback = 0) const { return Read<uint64_t>(fallback); }
  // Network byte order readers; same fallback rule.
  uint16_t Be16(uint16_t fallback = 0) const { return len < 2 ? fallback : be16toh(U16()); }
  uint32_t Be32(uint32_t fallback = 0) const { return len < 4 ? fallback : be32toh(U32()); }
  uint64_t Be64(uint64_t fallback = 0) const { return len < 8 ? fallback : be64toh(U64()); }
  // Up to the first NUL (or the whole payload when unterminated).
  std::string String() const;
  std::vector<uint8_t> Bytes() const { return std::vector<uint8_t>(data, data + len); }

 private:
  template <class T>
  T Read(T fallback) const {
    if (len < sizeof(T)) return fallback;
    T v;
    std::memcpy(&v, data, sizeof v);
    return v;
  }
};

// Attributes indexed by type, for types 0..kMax-1. Unknown or out-of-range types are skipped
// (the kernel adds attributes over time; a newer kernel must never break an older parser).
// Later duplicates win, as in the kernel's nla_parse.
template <size_t kMax>
class AttrTable {
 public:
  const Attr& operator[](size_t type) const { return type < kMax ? attrs_[type] : empty_; }
  Attr& slot(size_t type) { return attrs_[type]; }

 private:
  Attr attrs_[kMax] = {};
  Attr empty_ = {};
};

// Walks a run of attributes; calls visit(const Attr&) for each. Returns EINVAL on a malformed
// run (length field shorter than a header or longer than what remains), after visiting the
// well-formed prefix.
template <class Visit>
Status ForEachAttr(const uint8_t* p, size_t len, Visit&& visit) {
  while (len >= NLA_HDRLEN) {
    nlattr nla;
    std::memcpy(&nla, p, sizeof nla);
    if (nla.nla_len < NLA_HDRLEN || nla.nla_len > len) {
      return Error::Invalid("malformed netlink attribute");
    }
    Attr a;
    a.type = nla.nla_type & NLA_TYPE_MASK;
    a.data = p + NLA_HDRLEN;
    a.len = nla.nla_len - NLA_HDRLEN;
    visit(a);
    size_t step = Align(nla.nla_len);
    if (step >= len) break;
    p += step;
    len -= step;
  }
  return Status();
}

template <size_t kMax>
Status ParseAttrs(const uint8_t* p, size_t len, AttrTable<kMax>* table) {
  return ForEachAttr(p, len, [table](const Attr& a) {
    if (a.type < kMax) table->slot(a.type) = a;
  });
}

template <size_t kMax>
Status ParseNested(const Attr& nest, AttrTable<kMax>* table) {
  return ParseAttrs(nest.data, nest.len, table);
}

// The attributes that follow a fixed family header of `header_len` bytes in `msg`.
// Returns false if the message is too short for the header.
bool AttrsAfterHeader(const nlmsghdr& msg, size_t header_len, const uint8_t** p, size_t* len);

}  // namespace netns_native::netlink
