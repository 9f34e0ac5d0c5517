// The golden rulesets of nft_golden.h, written as compositions of the codec's expressions: how the
// TypeScript side is expected to compose them (the rule vocabulary is not the codec's job, so it
// lives here, in the tests). Each helper says which nft syntax it stands for and encodes it the
// way nft 1.0.6 does, which the golden tests then check byte for byte.
// Shared by nft_test.cc (pure) and nft_kernel_test.cc (root, real kernel); the three rulesets are
// in nft_rules.cc, compiled once for both.
#pragma once

// Before the kernel headers: glibc then tells linux/in.h not to define what it already did.
#include <netinet/in.h>

#include <linux/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../nft/expr.h"
#include "../nft/objects.h"

namespace nft_rules {

using netns_native::nft::ChainHook;
using netns_native::nft::ChainRequest;
using netns_native::nft::Expr;
using netns_native::nft::RuleRequest;
using Bytes = std::vector<uint8_t>;
using Exprs = std::vector<Expr>;
namespace nft = netns_native::nft;

inline constexpr char kTable[] = "netns-native";

// Offsets of the fields nft loads (struct iphdr, struct ipv6hdr, struct tcphdr / udphdr).
inline constexpr uint32_t kIpSaddr = 12, kIpDaddr = 16, kIp6Saddr = 8, kIp6Daddr = 24;
inline constexpr uint32_t kDport = 2;

inline Exprs operator+(Exprs a, const Exprs& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline Bytes IfName(const std::string& name) {
  auto r = nft::IfNameData(name);
  return r.ok() ? r.take() : Bytes{};
}

// `ip saddr ADDR/PREFIX` (and daddr, ip6, !=) as nft writes it: a whole-byte prefix loads only
// those bytes and compares them; otherwise the full address is loaded, masked, then compared.
inline Exprs Prefix(uint32_t offset, Bytes addr, int prefix, nft_cmp_ops op = NFT_CMP_EQ) {
  if (prefix % 8 == 0) {
    size_t n = static_cast<size_t>(prefix / 8);
    addr.resize(n);
    return {nft::Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, static_cast<uint32_t>(n)),
            nft::Cmp(op, addr)};
  }
  Bytes mask(addr.size(), 0);
  for (int bit = 0; bit < prefix; ++bit) mask[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
  for (size_t i = 0; i < addr.size(); ++i) addr[i] &= mask[i];
  uint32_t len = static_cast<uint32_t>(addr.size());
  return {nft::Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len),
          nft::Bitwise(len, mask, Bytes(addr.size(), 0)), nft::Cmp(op, addr)};
}

// `ip saddr ADDR` (a whole address).
inline Exprs Addr(uint32_t offset, const Bytes& addr, nft_cmp_ops op = NFT_CMP_EQ) {
  return Prefix(offset, addr, static_cast<int>(addr.size() * 8), op);
}

// `iifname [!=] "NAME"` / `oifname [!=] "NAME"`.
inline Exprs Iif(const std::string& name, nft_cmp_ops op = NFT_CMP_EQ) {
  return {nft::Meta(NFT_META_IIFNAME), nft::Cmp(op, IfName(name))};
}
inline Exprs Oif(const std::string& name, nft_cmp_ops op = NFT_CMP_EQ) {
  return {nft::Meta(NFT_META_OIFNAME), nft::Cmp(op, IfName(name))};
}

// `meta l4proto tcp`.
inline Exprs L4Proto(uint8_t proto) {
  return {nft::Meta(NFT_META_L4PROTO), nft::Cmp(NFT_CMP_EQ, nft::U8Data(proto))};
}

// `tcp dport [<|>] PORT` (nft first matches the protocol).
inline Exprs Dport(uint8_t proto, uint16_t port, nft_cmp_ops op = NFT_CMP_EQ) {
  return L4Proto(proto) + Exprs{nft::Payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDport, 2),
                                nft::Cmp(op, nft::Be16Data(port))};
}

// `ct state established,related` / `ct status dnat`: a bit test on a host-order u32.
inline Exprs CtBits(nft_ct_keys key, uint32_t bits) {
  return {nft::Ct(key), nft::Bitwise(4, nft::HostU32Data(bits), nft::HostU32Data(0)),
          nft::Cmp(NFT_CMP_NEQ, nft::HostU32Data(0))};
}
inline Exprs Established() {
  return CtBits(NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED));
}

// `fib daddr type local`: the destination is one of this host's addresses.
inline Exprs DaddrIsLocal() {
  return {nft::Fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE),
          nft::Cmp(NFT_CMP_EQ, nft::HostU32Data(RTN_LOCAL))};
}

// `dnat to ADDR[:PORT]` (ip or ip6 family): registers 1 and 2, as nft allocates them.
inline Exprs DnatTo(uint32_t family, const Bytes& addr, int port = -1) {
  Exprs e{nft::Immediate(NFT_REG_1, addr)};
  nft::NatSpec nat;
  nat.type = NFT_NAT_DNAT;
  nat.family = family;
  nat.reg_addr_min = NFT_REG_1;
  if (port >= 0) {
    e.push_back(nft::Immediate(NFT_REG_2, nft::Be16Data(static_cast<uint16_t>(port))));
    nat.reg_proto_min = NFT_REG_2;
    nat.flags = NF_NAT_RANGE_PROTO_SPECIFIED;
  }
  e.push_back(nft::Nat(nat));
  return e;
}

inline Bytes V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }

inline RuleRequest Rule(uint8_t family, const char* chain, Exprs exprs,
                        const char* comment = nullptr) {
  RuleRequest r;
  r.family = family;
  r.table = kTable;
  r.chain = chain;
  r.exprs = std::move(exprs);
  if (comment) r.comment = comment;
  return r;
}

inline ChainRequest BaseChain(uint8_t family, const char* name, uint32_t hooknum, int32_t priority,
                              const char* type, uint32_t policy) {
  ChainRequest c;
  c.family = family;
  c.table = kTable;
  c.name = name;
  c.hook = ChainHook{hooknum, priority, type, policy};
  return c;
}

inline ChainRequest RegularChain(uint8_t family, const char* name) {
  ChainRequest c;
  c.family = family;
  c.table = kTable;
  c.name = name;
  return c;
}

// One nft file's worth of objects, in the order nft sends them.
struct Ruleset {
  std::vector<std::pair<uint8_t, std::string>> tables;  // family, name
  std::vector<ChainRequest> chains;
  std::vector<RuleRequest> rules;
};

// nft_golden::kRulesetNft: NAT for network "x", one publication, isolation.
Ruleset MainRuleset();
// nft_golden::kMoreNft: jumps, lt/gt, counters, bitwise prefixes, NAT ranges and flags.
Ruleset MoreRuleset();
// nft_golden::kIp6Nft: the same NAT for IPv6, and the inet family.
Ruleset Ip6Ruleset();

}  // namespace nft_rules
