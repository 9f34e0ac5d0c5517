// nf_tables expressions: the building blocks of a rule's NFTA_RULE_EXPRESSIONS list, built as nft
// 1.0.6 (libnftnl 1.2.4) builds them, attribute for attribute and in the same order, and decoded
// back from the kernel's replies into the same generic form. Pure functions over values; no I/O,
// safe on any thread. Nothing here fails: validation that can fail (an interface name longer
// than IFNAMSIZ) returns a Result.
//
// An expression is a name plus the attributes of its NFTA_EXPR_DATA nest, kept generic (type +
// bytes, or type + nested attributes) so that:
//   - the typed builders below (Payload, Cmp, Meta, ...) produce it;
//   - ParseExprList (below; used by decode.h for rules) produces the same form from a kernel dump,
//     keeping attributes and expressions it does not know as raw bytes, never dropping them;
//   - EncodeExprList writes either back, byte for byte.
//
// Registers: nft 1.0.6 allocates the 16-byte registers NFT_REG_1..NFT_REG_4 (not the 4-byte
// NFT_REG32_* aliases of the same storage): every load it then compares goes to NFT_REG_1, and a
// NAT target puts its addresses and ports in NFT_REG_1, NFT_REG_2, ... in the order
// addr_min, addr_max, proto_min, proto_max (only those present). Verdicts go to NFT_REG_VERDICT.
// The defaults below follow that, so the golden bytes match nft.
//
// Byte order: the kernel compares register contents as raw bytes (nft_cmp: memcmp, which also
// makes lt/gt work on big-endian data). Packet fields are loaded as they are on the wire, so
// addresses and ports in cmp/immediate data are in network order (Be16Data, Be32Data, the
// address bytes as is). Values the kernel computes itself are host-order u32s: ct state / ct
// status bits, the fib address type (RTN_LOCAL), meta mark (HostU32Data). meta l4proto and
// nfproto are one byte (U8Data). meta iifname/oifname load the 16-byte IFNAMSIZ name, NUL padded
// (IfNameData); nft compares all 16 bytes for an exact name.
#pragma once

#include <linux/netfilter/nf_tables.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../common/result.h"
#include "../netlink/message.h"

namespace netns_native::nft {

// One attribute inside an expression's NFTA_EXPR_DATA (or inside one of its nests).
struct ExprAttr {
  uint16_t type = 0;               // NFTA_<EXPR>_* / NFTA_DATA_* / NFTA_VERDICT_*, flags masked off
  bool nested = false;             // true: `children` holds a nested run (sent with NLA_F_NESTED)
  std::vector<uint8_t> value;      // the payload, in wire byte order, when !nested
  std::vector<ExprAttr> children;  // when nested

  static ExprAttr Be32(uint16_t type, uint32_t v);  // NLA_BE32: registers, keys, ops, lengths
  static ExprAttr Raw(uint16_t type, std::vector<uint8_t> bytes);
  static ExprAttr String(uint16_t type, std::string_view s);  // NUL-terminated
  static ExprAttr Nest(uint16_t type, std::vector<ExprAttr> children);

  // The payload as a big-endian u32, or nullopt if nested or not 4 bytes long.
  std::optional<uint32_t> AsBe32() const;
  // The payload up to its first NUL (a verdict's chain name); empty if nested.
  std::string AsString() const;
  // The first child of that type, or nullptr.
  const ExprAttr* Find(uint16_t child_type) const;

  bool operator==(const ExprAttr& o) const {
    return type == o.type && nested == o.nested && value == o.value && children == o.children;
  }
  bool operator!=(const ExprAttr& o) const { return !(*this == o); }
};

// One expression: NFTA_LIST_ELEM { NFTA_EXPR_NAME name, NFTA_EXPR_DATA { attrs... } }.
struct Expr {
  std::string name;             // "payload", "cmp", "meta", "immediate", ...
  std::vector<ExprAttr> attrs;  // NFTA_EXPR_DATA's attributes, in wire order

  // The first attribute of that type, or nullptr.
  const ExprAttr* Find(uint16_t type) const;
  bool operator==(const Expr& o) const { return name == o.name && attrs == o.attrs; }
  bool operator!=(const Expr& o) const { return !(*this == o); }
};

// ---- Data in the kernel's byte order (see the header comment) ----------------------------------

std::vector<uint8_t> U8Data(uint8_t v);        // meta l4proto / nfproto: IPPROTO_TCP, NFPROTO_IPV4
std::vector<uint8_t> Be16Data(uint16_t v);     // ports
std::vector<uint8_t> Be32Data(uint32_t v);     // a 32-bit wire field given as a host integer
std::vector<uint8_t> HostU32Data(uint32_t v);  // ct state/status bits, fib addrtype, meta mark
// The 16 bytes meta iifname/oifname load (IFNAMSIZ, NUL padded). EINVAL if `name` is empty,
// longer than 15 bytes or contains a NUL. (nft's wildcard "br-*" is instead a Cmp on the prefix
// bytes alone, without padding.)
Result<std::vector<uint8_t>> IfNameData(std::string_view name);

// A concatenation's register contents (a set key `a . b . c`, or a map's data): each part in turn,
// each padded with zeros to a multiple of 4 bytes, as nft lays out concatenated registers.
std::vector<uint8_t> ConcatData(const std::vector<std::vector<uint8_t>>& parts);

// The register nft 1.0.6 names for the 4-byte word `word` of the register file, counted from the
// start of NFT_REG_1: the 16-byte NFT_REG_1 + word / 4 when the word starts one, else the 4-byte
// NFT_REG32_00 + word (the same storage). A concatenation's n-th field goes to the word after the
// previous field's, so `ip daddr . meta l4proto . th dport` loads into NFT_REG_1, NFT_REG32_01,
// NFT_REG32_02 and `ip6 daddr . ...` into NFT_REG_1, NFT_REG_2, NFT_REG32_05.
uint32_t RegisterAt(uint32_t word);

// ---- Builders, as nft 1.0.6 emits each expression ----------------------------------------------

// `payload load LEN @ BASE + OFFSET => DREG`: copies LEN packet bytes into a register.
// base: NFT_PAYLOAD_NETWORK_HEADER (ip saddr: offset 12, len 4; ip daddr: 16, 4; ip6 saddr: 8, 16;
// ip6 daddr: 24, 16), NFT_PAYLOAD_TRANSPORT_HEADER (tcp/udp sport: 0, 2; dport: 2, 2), ...
// A prefix match as nft writes it: /24 loads the first 3 bytes and compares them (no bitwise);
// a prefix that is not a whole number of bytes loads the full address, then Bitwise, then Cmp.
Expr Payload(nft_payload_bases base, uint32_t offset, uint32_t len, uint32_t dreg = NFT_REG_1);

// `cmp OP SREG DATA`: the rule stops here unless the register's first data.size() bytes compare
// as OP with `data`. op: NFT_CMP_EQ, NFT_CMP_NEQ, NFT_CMP_LT, NFT_CMP_LTE, NFT_CMP_GT, NFT_CMP_GTE.
Expr Cmp(nft_cmp_ops op, std::vector<uint8_t> data, uint32_t sreg = NFT_REG_1);

// `bitwise DREG = (SREG & mask) ^ xor` over `len` bytes (mask and xor are `len` bytes each). nft
// uses it for non-byte prefixes (mask ff.ff.f0.00, xor 0) and for flag tests such as
// `ct state established,related` (mask HostU32Data(bits), xor 0, then Cmp NEQ 0).
Expr Bitwise(uint32_t len, std::vector<uint8_t> mask, std::vector<uint8_t> xor_value,
             uint32_t sreg = NFT_REG_1, uint32_t dreg = NFT_REG_1);

// `meta load KEY => DREG`: NFT_META_IIFNAME / NFT_META_OIFNAME (16-byte names),
// NFT_META_L4PROTO / NFT_META_NFPROTO (1 byte), NFT_META_MARK (host u32), ...
Expr Meta(nft_meta_keys key, uint32_t dreg = NFT_REG_1);

// `ct load KEY => DREG`: NFT_CT_STATE (NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | ...), NFT_CT_STATUS
// (IPS_DST_NAT for `ct status dnat`), ... Both are host-order u32s.
Expr Ct(nft_ct_keys key, uint32_t dreg = NFT_REG_1);

// `immediate DREG DATA`: puts constant data in a register (a NAT address or port).
Expr Immediate(uint32_t dreg, std::vector<uint8_t> data);

// A verdict: immediate to NFT_REG_VERDICT. code: NF_ACCEPT, NF_DROP, NFT_RETURN, NFT_CONTINUE,
// or NFT_JUMP / NFT_GOTO with the target chain's name.
Expr Verdict(int32_t code, std::string_view chain = {});
Expr Accept();
Expr Drop();
Expr Return();
Expr Jump(std::string_view chain);
Expr Goto(std::string_view chain);

// `snat|dnat to ...`: the address and port come from registers filled by Immediate first.
struct NatSpec {
  nft_nat_types type = NFT_NAT_DNAT;  // NFT_NAT_SNAT / NFT_NAT_DNAT
  uint32_t family = 0;                // NFPROTO_IPV4 / NFPROTO_IPV6 (also in an inet table)
  std::optional<uint32_t> reg_addr_min, reg_addr_max;    // unset: not sent
  std::optional<uint32_t> reg_proto_min, reg_proto_max;  // ports (be16 in the register)
  // NF_NAT_RANGE_* (linux/netfilter/nf_nat.h); 0 is not sent. nft sets
  // NF_NAT_RANGE_PROTO_SPECIFIED whenever a port is given; the kernel also infers
  // NF_NAT_RANGE_MAP_IPS from the address register.
  uint32_t flags = 0;
};
Expr Nat(const NatSpec& spec);

// `masquerade [to :PORT[-PORT]] [random,persistent,fully-random]`: flags NF_NAT_RANGE_* (0: not
// sent); port registers as in NatSpec.
Expr Masq(uint32_t flags = 0, std::optional<uint32_t> reg_proto_min = std::nullopt,
          std::optional<uint32_t> reg_proto_max = std::nullopt);

// `fib FLAGS RESULT => DREG`: a FIB lookup. `fib daddr type local` (any address of this host,
// Docker's "every local address") is flags NFTA_FIB_F_DADDR, result NFT_FIB_RESULT_ADDRTYPE,
// then Cmp EQ HostU32Data(RTN_LOCAL).
Expr Fib(uint32_t flags, nft_fib_result result, uint32_t dreg = NFT_REG_1);

// `lookup SREG set NAME [dreg DREG]`: the rule stops here unless the key in the registers from
// SREG on (as long as the set's key) is in the set NAME. For a map, the element's data is copied
// to the registers from DREG on (`dnat to ... map @m` then reads them). `set_id` is the set's
// NFTA_SET_ID in the same batch (nft sends it; the kernel finds the set by name first).
Expr Lookup(std::string_view set, uint32_t sreg = NFT_REG_1,
            std::optional<uint32_t> dreg = std::nullopt,
            std::optional<uint32_t> set_id = std::nullopt);

// `counter`: packets and bytes, readable later from a GETRULE dump. nft sends no initial values.
Expr Counter();

// ---- Encoding ----------------------------------------------------------------------------------

// Appends NFTA_RULE_EXPRESSIONS { NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA }... } to `b`,
// every nest flagged NLA_F_NESTED as libnftnl does. Size overflow is reported by b->Finish().
void EncodeExprList(netlink::MessageBuilder* b, uint16_t type, const std::vector<Expr>& exprs);

// ---- Decoding ----------------------------------------------------------------------------------

// Decodes the payload of an NFTA_RULE_EXPRESSIONS attribute (a run of NFTA_LIST_ELEM). Which
// attributes are nests is known from the expression's name (cmp's NFTA_CMP_DATA, immediate's
// NFTA_IMMEDIATE_DATA, bitwise's mask/xor/data, range's from/to, and NFTA_DATA_VERDICT inside
// those), because the kernel does not set NLA_F_NESTED in its replies; every other attribute,
// and every attribute of an expression not listed, is kept as raw bytes. EINVAL on a malformed
// run or an element without NFTA_EXPR_NAME. Never reads outside [p, p + len).
Result<std::vector<Expr>> ParseExprList(const uint8_t* p, size_t len);

}  // namespace netns_native::nft
