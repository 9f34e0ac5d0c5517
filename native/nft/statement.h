// nft statements: the matches and actions a rule is written with (`ip saddr 198.18.4.0/24`,
// `ether saddr 0a:58:c6:13:64:02`, `oifname != "br-x"`, `tcp dport 8080`, `dnat to 198.18.4.2:80`,
// `masquerade`, `drop`, and a DNAT whose target comes from a map, `dnat ip to meta l4proto . th
// dport map @m`), each turned into the expressions nft 1.0.6 emits for it — the vocabulary the
// library's rules use, checked byte for byte against nft in native/test/nft_test.cc.
//
// Pure: no I/O, safe on any thread, never throws; bad input (an address of the wrong length, an
// interface name longer than IFNAMSIZ - 1, a prefix longer than the address) is an EINVAL Status.
#pragma once

#include <linux/netfilter/nf_tables.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/result.h"
#include "expr.h"

namespace netns_native::nft {

struct Statement {
  enum class Kind : uint8_t {
    kSaddr,       // ip/ip6 saddr [op] ADDRESS[/PREFIX]   (address, prefix, op)
    kDaddr,       // ip/ip6 daddr [op] ADDRESS[/PREFIX]
    kEtherSaddr,  // ether saddr [op] MAC                 (mac; a bridge or netdev table)
    kIifname,     // iifname [op] "NAME"                  (name, op)
    kOifname,     // oifname [op] "NAME"
    kL4proto,     // meta l4proto PROTO                   (proto)
    kDport,       // tcp|udp dport [op] PORT              (proto, port, op)
    kCtState,     // ct state [!=] BITS (any / none set)  (bits: NF_CT_STATE_BIT(...), op)
    kCtStatus,    // ct status [!=] BITS                  (bits: IPS_*, op)
    kDaddrLocal,  // fib daddr type local
    kCounter,     // counter
    kAccept,      // accept
    kDrop,        // drop
    kReturn,      // return
    kJump,        // jump CHAIN                           (chain)
    kGoto,        // goto CHAIN
    kMasquerade,  // masquerade
    kDnat,        // dnat to ADDRESS[:PORT]               (address, port when nonzero)
    // dnat ip to meta l4proto . th dport map @NAME   (family, name): the map's key is the
    // protocol and destination port, its data the address and port to send to
    kDnatMap,
    // dnat ip to ip daddr . meta l4proto . th dport map @NAME   (family, name): keyed on the
    // destination address too
    kDnatMapDaddr,
  };
  Kind kind = Kind::kCounter;
  nft_cmp_ops op = NFT_CMP_EQ;   // for the matches that compare
  std::vector<uint8_t> address;  // 4 or 16 bytes: the family of the match / the DNAT target
  std::vector<uint8_t> mac;      // kEtherSaddr: 6 bytes
  uint8_t prefix = 0;            // kSaddr/kDaddr: 0 means the whole address
  std::string name;              // an interface name
  uint8_t proto = 0;             // IPPROTO_TCP, IPPROTO_UDP
  uint16_t port = 0;             // host order
  uint32_t bits = 0;             // ct state / status bits
  std::string chain;             // kJump, kGoto
  uint8_t family = 0;            // kDnatMap*: NFPROTO_IPV4 or NFPROTO_IPV6
};

// The expressions of `statements`, in order. Addresses say which header a match loads (4 bytes:
// the IPv4 header, 16: the IPv6 header), so the same statements serve ip, ip6 and inet tables.
Result<std::vector<Expr>> StatementsToExprs(const std::vector<Statement>& statements);

}  // namespace netns_native::nft
