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
#include <linux/netfilter_bridge.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../nft/expr.h"
#include "../nft/objects.h"
#include "../nft/statement.h"

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

// The statements of native/nft/statement.h, one by one, as the golden rulesets write them: so
// that the golden tests check the library's own statement vocabulary against nft's bytes.
inline Exprs S(nft::Statement st) {
  auto r = nft::StatementsToExprs({std::move(st)});
  return r.ok() ? r.take() : Exprs{};
}
inline nft::Statement Make(nft::Statement::Kind kind) {
  nft::Statement st;
  st.kind = kind;
  return st;
}

// `ip saddr ADDR/PREFIX` (and daddr, ip6, !=).
inline Exprs Prefix(uint32_t offset, Bytes addr, int prefix, nft_cmp_ops op = NFT_CMP_EQ) {
  bool source = offset == kIpSaddr || offset == kIp6Saddr;
  nft::Statement st = Make(source ? nft::Statement::Kind::kSaddr : nft::Statement::Kind::kDaddr);
  st.address = std::move(addr);
  st.prefix = static_cast<uint8_t>(prefix);
  st.op = op;
  return S(st);
}

// `ip saddr ADDR` (a whole address).
inline Exprs Addr(uint32_t offset, const Bytes& addr, nft_cmp_ops op = NFT_CMP_EQ) {
  return Prefix(offset, addr, static_cast<int>(addr.size() * 8), op);
}

// `iifname [!=] "NAME"` / `oifname [!=] "NAME"`.
inline Exprs Iif(const std::string& name, nft_cmp_ops op = NFT_CMP_EQ) {
  nft::Statement st = Make(nft::Statement::Kind::kIifname);
  st.name = name;
  st.op = op;
  return S(st);
}
inline Exprs Oif(const std::string& name, nft_cmp_ops op = NFT_CMP_EQ) {
  nft::Statement st = Make(nft::Statement::Kind::kOifname);
  st.name = name;
  st.op = op;
  return S(st);
}

// `ether saddr [!=] MAC` (a bridge table: the frame's Ethernet source).
inline Exprs EtherSaddr(Bytes mac, nft_cmp_ops op = NFT_CMP_EQ) {
  nft::Statement st = Make(nft::Statement::Kind::kEtherSaddr);
  st.mac = std::move(mac);
  st.op = op;
  return S(st);
}

// `meta l4proto tcp`.
inline Exprs L4Proto(uint8_t proto) {
  nft::Statement st = Make(nft::Statement::Kind::kL4proto);
  st.proto = proto;
  return S(st);
}

// `tcp dport [<|>] PORT` (nft first matches the protocol).
inline Exprs Dport(uint8_t proto, uint16_t port, nft_cmp_ops op = NFT_CMP_EQ) {
  nft::Statement st = Make(nft::Statement::Kind::kDport);
  st.proto = proto;
  st.port = port;
  st.op = op;
  return S(st);
}

// `ct state established,related` / `ct status dnat` (any bit set) / `ct status ! dnat` (with
// NFT_CMP_NEQ: none set): a bit test on a host-order u32.
inline Exprs CtBits(nft_ct_keys key, uint32_t bits, nft_cmp_ops op = NFT_CMP_EQ) {
  nft::Statement st =
      Make(key == NFT_CT_STATE ? nft::Statement::Kind::kCtState : nft::Statement::Kind::kCtStatus);
  st.bits = bits;
  st.op = op;
  return S(st);
}
inline Exprs Established() {
  return CtBits(NFT_CT_STATE, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED));
}

// `fib daddr type local`: the destination is one of this host's addresses.
inline Exprs DaddrIsLocal() { return S(Make(nft::Statement::Kind::kDaddrLocal)); }

// `dnat to ADDR[:PORT]` (the family follows from the address).
inline Exprs DnatTo(uint32_t /*family*/, const Bytes& addr, int port = 0) {
  nft::Statement st = Make(nft::Statement::Kind::kDnat);
  st.address = addr;
  st.port = static_cast<uint16_t>(port);
  return S(st);
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

// A map of published ports as nat.ts makes it: `map NAME { type [ADDR .] inet_proto . inet_service
// : ADDR . inet_service; }` (ADDR the family's address type), with the batch-local set id `id`.
inline nft::SetRequest PubMap(uint8_t family, const char* name, bool by_daddr, uint32_t id) {
  using DT = nft::DataType;
  DT addr = family == NFPROTO_IPV4 ? DT::kIpv4Addr : DT::kIpv6Addr;
  nft::SetRequest req;
  req.family = family;
  req.table = kTable;
  req.name = name;
  req.key = by_daddr ? std::vector<DT>{addr, DT::kInetProto, DT::kInetService}
                     : std::vector<DT>{DT::kInetProto, DT::kInetService};
  req.data = {addr, DT::kInetService};
  req.id = id;
  return req;
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
// nft_golden::kHairpinNft: published ports reached by members (the hairpin, isolation skipped).
Ruleset HairpinRuleset();
// nft_golden::kBridgeNft: the CNI plugin's macspoofchk (table bridge nat), as the reference
// bridge plugin writes it.
Ruleset BridgeSpoofRuleset();

}  // namespace nft_rules
