#include "expr.h"

#include <endian.h>
#include <linux/if.h>
#include <linux/netfilter.h>

#include <utility>

namespace netns_native::nft {

using netlink::Attr;
using netlink::AttrTable;
using netlink::MessageBuilder;

ExprAttr ExprAttr::Be32(uint16_t type, uint32_t v) {
  uint32_t be = htobe32(v);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(&be);
  return Raw(type, std::vector<uint8_t>(p, p + sizeof be));
}

ExprAttr ExprAttr::Raw(uint16_t type, std::vector<uint8_t> bytes) {
  ExprAttr a;
  a.type = type;
  a.value = std::move(bytes);
  return a;
}

ExprAttr ExprAttr::String(uint16_t type, std::string_view s) {
  std::vector<uint8_t> v(s.begin(), s.end());
  v.push_back(0);
  return Raw(type, std::move(v));
}

ExprAttr ExprAttr::Nest(uint16_t type, std::vector<ExprAttr> children) {
  ExprAttr a;
  a.type = type;
  a.nested = true;
  a.children = std::move(children);
  return a;
}

std::optional<uint32_t> ExprAttr::AsBe32() const {
  if (nested || value.size() != 4) return std::nullopt;
  uint32_t v;
  std::memcpy(&v, value.data(), sizeof v);
  return be32toh(v);
}

std::string ExprAttr::AsString() const {
  if (nested) return std::string();
  size_t n = 0;
  while (n < value.size() && value[n] != 0) ++n;
  return std::string(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(n));
}

const ExprAttr* ExprAttr::Find(uint16_t child_type) const {
  for (const ExprAttr& c : children) {
    if (c.type == child_type) return &c;
  }
  return nullptr;
}

const ExprAttr* Expr::Find(uint16_t type) const {
  for (const ExprAttr& a : attrs) {
    if (a.type == type) return &a;
  }
  return nullptr;
}

// ---- Data ---------------------------------------------------------------------------------------

std::vector<uint8_t> U8Data(uint8_t v) { return {v}; }

std::vector<uint8_t> Be16Data(uint16_t v) {
  return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

std::vector<uint8_t> Be32Data(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

std::vector<uint8_t> HostU32Data(uint32_t v) {
  std::vector<uint8_t> out(sizeof v);
  std::memcpy(out.data(), &v, sizeof v);
  return out;
}

Result<std::vector<uint8_t>> IfNameData(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('\0') != std::string_view::npos) {
    return Error::Invalid("an interface name is 1 to 15 bytes without NUL");
  }
  std::vector<uint8_t> out(IFNAMSIZ, 0);
  std::memcpy(out.data(), name.data(), name.size());
  return out;
}

// ---- Builders -----------------------------------------------------------------------------------
// Attribute order is libnftnl's (the order its *_build functions test their fields), which is
// what makes the bytes equal to nft's; the kernel itself does not care about the order.

namespace {

std::vector<ExprAttr> DataNest(std::vector<uint8_t> bytes) {
  return {ExprAttr::Raw(NFTA_DATA_VALUE, std::move(bytes))};
}

}  // namespace

Expr Payload(nft_payload_bases base, uint32_t offset, uint32_t len, uint32_t dreg) {
  return {"payload",
          {ExprAttr::Be32(NFTA_PAYLOAD_DREG, dreg), ExprAttr::Be32(NFTA_PAYLOAD_BASE, base),
           ExprAttr::Be32(NFTA_PAYLOAD_OFFSET, offset), ExprAttr::Be32(NFTA_PAYLOAD_LEN, len)}};
}

Expr Cmp(nft_cmp_ops op, std::vector<uint8_t> data, uint32_t sreg) {
  return {"cmp",
          {ExprAttr::Be32(NFTA_CMP_SREG, sreg), ExprAttr::Be32(NFTA_CMP_OP, op),
           ExprAttr::Nest(NFTA_CMP_DATA, DataNest(std::move(data)))}};
}

Expr Bitwise(uint32_t len, std::vector<uint8_t> mask, std::vector<uint8_t> xor_value, uint32_t sreg,
             uint32_t dreg) {
  // No NFTA_BITWISE_OP: NFT_BITWISE_BOOL is the kernel's default, and nft 1.0.6 omits it.
  return {"bitwise",
          {ExprAttr::Be32(NFTA_BITWISE_SREG, sreg), ExprAttr::Be32(NFTA_BITWISE_DREG, dreg),
           ExprAttr::Be32(NFTA_BITWISE_LEN, len),
           ExprAttr::Nest(NFTA_BITWISE_MASK, DataNest(std::move(mask))),
           ExprAttr::Nest(NFTA_BITWISE_XOR, DataNest(std::move(xor_value)))}};
}

Expr Meta(nft_meta_keys key, uint32_t dreg) {
  return {"meta", {ExprAttr::Be32(NFTA_META_KEY, key), ExprAttr::Be32(NFTA_META_DREG, dreg)}};
}

Expr Ct(nft_ct_keys key, uint32_t dreg) {
  return {"ct", {ExprAttr::Be32(NFTA_CT_KEY, key), ExprAttr::Be32(NFTA_CT_DREG, dreg)}};
}

Expr Immediate(uint32_t dreg, std::vector<uint8_t> data) {
  return {"immediate",
          {ExprAttr::Be32(NFTA_IMMEDIATE_DREG, dreg),
           ExprAttr::Nest(NFTA_IMMEDIATE_DATA, DataNest(std::move(data)))}};
}

Expr Verdict(int32_t code, std::string_view chain) {
  std::vector<ExprAttr> verdict = {ExprAttr::Be32(NFTA_VERDICT_CODE, static_cast<uint32_t>(code))};
  if (!chain.empty()) verdict.push_back(ExprAttr::String(NFTA_VERDICT_CHAIN, chain));
  return {"immediate",
          {ExprAttr::Be32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT),
           ExprAttr::Nest(NFTA_IMMEDIATE_DATA,
                          {ExprAttr::Nest(NFTA_DATA_VERDICT, std::move(verdict))})}};
}

Expr Accept() { return Verdict(NF_ACCEPT); }
Expr Drop() { return Verdict(NF_DROP); }
Expr Return() { return Verdict(NFT_RETURN); }
Expr Jump(std::string_view chain) { return Verdict(NFT_JUMP, chain); }
Expr Goto(std::string_view chain) { return Verdict(NFT_GOTO, chain); }

Expr Nat(const NatSpec& spec) {
  Expr e{"nat",
         {ExprAttr::Be32(NFTA_NAT_TYPE, spec.type), ExprAttr::Be32(NFTA_NAT_FAMILY, spec.family)}};
  if (spec.reg_addr_min)
    e.attrs.push_back(ExprAttr::Be32(NFTA_NAT_REG_ADDR_MIN, *spec.reg_addr_min));
  if (spec.reg_addr_max)
    e.attrs.push_back(ExprAttr::Be32(NFTA_NAT_REG_ADDR_MAX, *spec.reg_addr_max));
  if (spec.reg_proto_min) {
    e.attrs.push_back(ExprAttr::Be32(NFTA_NAT_REG_PROTO_MIN, *spec.reg_proto_min));
  }
  if (spec.reg_proto_max) {
    e.attrs.push_back(ExprAttr::Be32(NFTA_NAT_REG_PROTO_MAX, *spec.reg_proto_max));
  }
  if (spec.flags != 0) e.attrs.push_back(ExprAttr::Be32(NFTA_NAT_FLAGS, spec.flags));
  return e;
}

Expr Masq(uint32_t flags, std::optional<uint32_t> reg_proto_min,
          std::optional<uint32_t> reg_proto_max) {
  Expr e{"masq", {}};
  if (flags != 0) e.attrs.push_back(ExprAttr::Be32(NFTA_MASQ_FLAGS, flags));
  if (reg_proto_min) e.attrs.push_back(ExprAttr::Be32(NFTA_MASQ_REG_PROTO_MIN, *reg_proto_min));
  if (reg_proto_max) e.attrs.push_back(ExprAttr::Be32(NFTA_MASQ_REG_PROTO_MAX, *reg_proto_max));
  return e;
}

Expr Fib(uint32_t flags, nft_fib_result result, uint32_t dreg) {
  return {"fib",
          {ExprAttr::Be32(NFTA_FIB_FLAGS, flags), ExprAttr::Be32(NFTA_FIB_RESULT, result),
           ExprAttr::Be32(NFTA_FIB_DREG, dreg)}};
}

Expr Lookup(std::string_view set, uint32_t sreg, std::optional<uint32_t> dreg,
            std::optional<uint32_t> set_id) {
  Expr e{"lookup", {ExprAttr::Be32(NFTA_LOOKUP_SREG, sreg)}};
  if (dreg) e.attrs.push_back(ExprAttr::Be32(NFTA_LOOKUP_DREG, *dreg));
  e.attrs.push_back(ExprAttr::String(NFTA_LOOKUP_SET, set));
  if (set_id) e.attrs.push_back(ExprAttr::Be32(NFTA_LOOKUP_SET_ID, *set_id));
  return e;
}

Expr Counter() { return {"counter", {}}; }

std::vector<uint8_t> ConcatData(const std::vector<std::vector<uint8_t>>& parts) {
  std::vector<uint8_t> out;
  for (const std::vector<uint8_t>& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
    out.resize((out.size() + 3) / 4 * 4, 0);
  }
  return out;
}

uint32_t RegisterAt(uint32_t word) {
  return word % 4 == 0 ? NFT_REG_1 + word / 4 : NFT_REG32_00 + word;
}

// ---- Encoding -----------------------------------------------------------------------------------

namespace {

void EncodeAttrs(MessageBuilder* b, const std::vector<ExprAttr>& attrs) {
  for (const ExprAttr& a : attrs) {
    if (a.nested) {
      size_t nest = b->BeginNest(a.type);
      EncodeAttrs(b, a.children);
      b->EndNest(nest);
    } else {
      b->PutAttr(a.type, a.value.data(), a.value.size());
    }
  }
}

}  // namespace

void EncodeExprList(MessageBuilder* b, uint16_t type, const std::vector<Expr>& exprs) {
  size_t list = b->BeginNest(type);
  for (const Expr& e : exprs) {
    size_t elem = b->BeginNest(NFTA_LIST_ELEM);
    b->PutString(NFTA_EXPR_NAME, e.name);
    // Always present, even empty (masq, counter): libnftnl sends it so, and the kernel accepts
    // both.
    size_t data = b->BeginNest(NFTA_EXPR_DATA);
    EncodeAttrs(b, e.attrs);
    b->EndNest(data);
    b->EndNest(elem);
  }
  b->EndNest(list);
}

// ---- Decoding -----------------------------------------------------------------------------------

namespace {

// Where an attribute run sits, which decides which of its attributes are nests.
enum class Level { kExpr, kData, kVerdict };

// The level of the nest `type` opens inside a run at `level` of expression `name`, or nullopt if
// `type` is not a nest there (kept as raw bytes). The kernel's policies (nft_cmp_policy,
// nft_bitwise_policy, nft_immediate_policy, nft_range_policy, nft_data_policy) are the source.
std::optional<Level> NestLevel(std::string_view name, Level level, uint16_t type) {
  switch (level) {
    case Level::kExpr:
      if ((name == "cmp" && type == NFTA_CMP_DATA) ||
          (name == "immediate" && type == NFTA_IMMEDIATE_DATA) ||
          (name == "bitwise" &&
           (type == NFTA_BITWISE_MASK || type == NFTA_BITWISE_XOR || type == NFTA_BITWISE_DATA)) ||
          (name == "range" && (type == NFTA_RANGE_FROM_DATA || type == NFTA_RANGE_TO_DATA))) {
        return Level::kData;
      }
      return std::nullopt;
    case Level::kData:
      if (type == NFTA_DATA_VERDICT) return Level::kVerdict;
      return std::nullopt;
    case Level::kVerdict:
      return std::nullopt;
  }
  return std::nullopt;
}

// Recursion is bounded: NestLevel only ever goes kExpr -> kData -> kVerdict.
Status ParseRun(std::string_view name, Level level, const uint8_t* p, size_t len,
                std::vector<ExprAttr>* out) {
  Status inner;
  Status s = netlink::ForEachAttr(p, len, [&](const Attr& a) {
    if (!inner.ok()) return;
    std::optional<Level> nest = NestLevel(name, level, a.type);
    if (nest) {
      ExprAttr child;
      child.type = a.type;
      child.nested = true;
      inner = ParseRun(name, *nest, a.data, a.len, &child.children);
      out->push_back(std::move(child));
    } else {
      out->push_back(ExprAttr::Raw(a.type, a.Bytes()));
    }
  });
  if (!s.ok()) return s;
  return inner;
}

}  // namespace

Result<std::vector<Expr>> ParseExprList(const uint8_t* p, size_t len) {
  std::vector<Expr> exprs;
  Status inner;
  Status s = netlink::ForEachAttr(p, len, [&](const Attr& elem) {
    if (!inner.ok()) return;
    if (elem.type != NFTA_LIST_ELEM) {
      inner = Error::Invalid("nf_tables expression list: element is not NFTA_LIST_ELEM");
      return;
    }
    AttrTable<NFTA_EXPR_MAX + 1> t;
    inner = netlink::ParseNested(elem, &t);
    if (!inner.ok()) return;
    if (!t[NFTA_EXPR_NAME].present()) {
      inner = Error::Invalid("nf_tables expression without NFTA_EXPR_NAME");
      return;
    }
    Expr e;
    e.name = t[NFTA_EXPR_NAME].String();
    const Attr& data = t[NFTA_EXPR_DATA];
    if (data.present()) inner = ParseRun(e.name, Level::kExpr, data.data, data.len, &e.attrs);
    exprs.push_back(std::move(e));
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return exprs;
}

}  // namespace netns_native::nft
