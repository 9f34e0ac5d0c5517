// The golden rulesets as compositions of the codec's expressions (see nft_rules.h).
#include "nft_rules.h"

namespace nft_rules {

// nft_golden::kRulesetNft: NAT for network "x", one publication, isolation.
Ruleset MainRuleset() {
  const uint8_t ip = NFPROTO_IPV4;
  const Bytes container = V4(198, 18, 4, 2);
  Ruleset r;
  r.tables = {{ip, kTable}};
  r.chains = {BaseChain(ip, "postrouting", NF_INET_POST_ROUTING, 100, "nat", NF_ACCEPT),
              BaseChain(ip, "prerouting", NF_INET_PRE_ROUTING, -100, "nat", NF_ACCEPT),
              BaseChain(ip, "output", NF_INET_LOCAL_OUT, -100, "nat", NF_ACCEPT),
              BaseChain(ip, "forward", NF_INET_FORWARD, 0, "filter", NF_DROP)};
  r.rules = {
      // ip saddr 198.18.4.0/24 oifname != "br-x" masquerade comment "net:x"
      Rule(ip, "postrouting",
           Prefix(kIpSaddr, V4(198, 18, 4, 0), 24) + Oif("br-x", NFT_CMP_NEQ) + Exprs{nft::Masq()},
           "net:x"),
      // ct status dnat ip saddr 198.18.4.2 ip daddr 198.18.4.2 tcp dport 80 masquerade
      Rule(ip, "postrouting",
           CtBits(NFT_CT_STATUS, IPS_DST_NAT) + Addr(kIpSaddr, container) +
               Addr(kIpDaddr, container) + Dport(IPPROTO_TCP, 80) + Exprs{nft::Masq()},
           "pub:x:8080"),
      // ip saddr 127.0.0.0/8 oifname "br-x" masquerade
      Rule(ip, "postrouting",
           Prefix(kIpSaddr, V4(127, 0, 0, 0), 8) + Oif("br-x") + Exprs{nft::Masq()}, "pub:x:8080"),
      // iifname != "br-x" ip daddr 198.51.100.1 tcp dport 8080 dnat to 198.18.4.2:80
      Rule(ip, "prerouting",
           Iif("br-x", NFT_CMP_NEQ) + Addr(kIpDaddr, V4(198, 51, 100, 1)) +
               Dport(IPPROTO_TCP, 8080) + DnatTo(NFPROTO_IPV4, container, 80),
           "pub:x:8080"),
      // ip daddr 127.0.0.1 tcp dport 8080 dnat to 198.18.4.2:80
      Rule(ip, "output",
           Addr(kIpDaddr, V4(127, 0, 0, 1)) + Dport(IPPROTO_TCP, 8080) +
               DnatTo(NFPROTO_IPV4, container, 80),
           "pub:x:8080"),
      // fib daddr type local tcp dport 8080 dnat to 198.18.4.2:80
      Rule(ip, "output",
           DaddrIsLocal() + Dport(IPPROTO_TCP, 8080) + DnatTo(NFPROTO_IPV4, container, 80),
           "pub:x:8080"),
      // ct state established,related accept
      Rule(ip, "forward", Established() + Exprs{nft::Accept()}),
      // iifname "br-a" oifname "br-b" drop
      Rule(ip, "forward", Iif("br-a") + Oif("br-b") + Exprs{nft::Drop()}),
      // iifname "br-int" oifname != "br-int" drop comment "net:int"
      Rule(ip, "forward", Iif("br-int") + Oif("br-int", NFT_CMP_NEQ) + Exprs{nft::Drop()},
           "net:int"),
      // ip saddr 198.18.4.0/24 ip daddr 198.18.5.0/24 drop
      Rule(ip, "forward",
           Prefix(kIpSaddr, V4(198, 18, 4, 0), 24) + Prefix(kIpDaddr, V4(198, 18, 5, 0), 24) +
               Exprs{nft::Drop()}),
  };
  return r;
}

// nft_golden::kMoreNft: jumps, lt/gt, counters, bitwise prefixes, NAT ranges and flags.
Ruleset MoreRuleset() {
  const uint8_t ip = NFPROTO_IPV4;
  nft::NatSpec snat;
  snat.type = NFT_NAT_SNAT;
  snat.family = NFPROTO_IPV4;
  snat.reg_addr_min = NFT_REG_1;
  nft::NatSpec ranges = snat;
  ranges.reg_addr_max = NFT_REG_2;
  ranges.reg_proto_min = NFT_REG_3;
  ranges.reg_proto_max = NFT_REG_4;
  ranges.flags = NF_NAT_RANGE_PROTO_SPECIFIED;
  Ruleset r;
  r.tables = {{ip, kTable}};
  r.chains = {RegularChain(ip, "isolation"),
              BaseChain(ip, "postrouting", NF_INET_POST_ROUTING, 100, "nat", NF_ACCEPT),
              BaseChain(ip, "forward", NF_INET_FORWARD, 0, "filter", NF_ACCEPT)};
  r.rules = {
      // return
      Rule(ip, "isolation", {nft::Return()}),
      // ip saddr 198.18.0.0/20 oifname "eth0" snat to 203.0.113.5
      Rule(ip, "postrouting",
           Prefix(kIpSaddr, V4(198, 18, 0, 0), 20) + Oif("eth0") +
               Exprs{nft::Immediate(NFT_REG_1, V4(203, 0, 113, 5)), nft::Nat(snat)}),
      // oifname "br-x" counter masquerade random,persistent
      Rule(ip, "postrouting",
           Oif("br-x") + Exprs{nft::Counter(),
                               nft::Masq(NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT)}),
      // oifname "br-x" meta l4proto tcp snat to 203.0.113.5-203.0.113.9:1000-2000
      Rule(ip, "postrouting",
           Oif("br-x") + L4Proto(IPPROTO_TCP) +
               Exprs{nft::Immediate(NFT_REG_1, V4(203, 0, 113, 5)),
                     nft::Immediate(NFT_REG_2, V4(203, 0, 113, 9)),
                     nft::Immediate(NFT_REG_3, nft::Be16Data(1000)),
                     nft::Immediate(NFT_REG_4, nft::Be16Data(2000)), nft::Nat(ranges)}),
      // oifname "br-y" meta l4proto tcp masquerade to :1024-2000
      Rule(ip, "postrouting",
           Oif("br-y") + L4Proto(IPPROTO_TCP) +
               Exprs{nft::Immediate(NFT_REG_1, nft::Be16Data(1024)),
                     nft::Immediate(NFT_REG_2, nft::Be16Data(2000)),
                     nft::Masq(NF_NAT_RANGE_PROTO_SPECIFIED, NFT_REG_1, NFT_REG_2)}),
      // ip daddr != 127.0.0.0/8 masquerade
      Rule(ip, "postrouting",
           Prefix(kIpDaddr, V4(127, 0, 0, 0), 8, NFT_CMP_NEQ) + Exprs{nft::Masq()}),
      // meta l4proto udp jump isolation
      Rule(ip, "forward", L4Proto(IPPROTO_UDP) + Exprs{nft::Jump("isolation")}),
      // iifname "br-a" goto isolation
      Rule(ip, "forward", Iif("br-a") + Exprs{nft::Goto("isolation")}),
      // tcp dport < 1024 return
      Rule(ip, "forward", Dport(IPPROTO_TCP, 1024, NFT_CMP_LT) + Exprs{nft::Return()}),
      // tcp dport > 1024 counter accept
      Rule(ip, "forward",
           Dport(IPPROTO_TCP, 1024, NFT_CMP_GT) + Exprs{nft::Counter(), nft::Accept()}),
      // udp dport 53 drop
      Rule(ip, "forward", Dport(IPPROTO_UDP, 53) + Exprs{nft::Drop()}),
  };
  return r;
}

// nft_golden::kIp6Nft: the same NAT for IPv6, and the inet family.
Ruleset Ip6Ruleset() {
  const uint8_t ip6 = NFPROTO_IPV6;
  const Bytes net = {0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const Bytes container = {0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};
  const Bytes host = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  Ruleset r;
  r.tables = {{ip6, kTable}, {NFPROTO_INET, kTable}};
  r.chains = {BaseChain(ip6, "postrouting", NF_INET_POST_ROUTING, 100, "nat", NF_ACCEPT),
              BaseChain(ip6, "prerouting", NF_INET_PRE_ROUTING, -100, "nat", NF_ACCEPT),
              BaseChain(NFPROTO_INET, "forward", NF_INET_FORWARD, 0, "filter", NF_ACCEPT)};
  r.rules = {
      // ip6 saddr fd00:1::/64 oifname != "br-x" masquerade
      Rule(ip6, "postrouting",
           Prefix(kIp6Saddr, net, 64) + Oif("br-x", NFT_CMP_NEQ) + Exprs{nft::Masq()}),
      // iifname != "br-x" ip6 daddr 2001:db8::1 tcp dport 8080 dnat to [fd00:1::2]:80
      Rule(ip6, "prerouting",
           Iif("br-x", NFT_CMP_NEQ) + Addr(kIp6Daddr, host) + Dport(IPPROTO_TCP, 8080) +
               DnatTo(NFPROTO_IPV6, container, 80)),
      // (inet) meta nfproto ipv4 ct state established,related accept
      Rule(NFPROTO_INET, "forward",
           Exprs{nft::Meta(NFT_META_NFPROTO), nft::Cmp(NFT_CMP_EQ, nft::U8Data(NFPROTO_IPV4))} +
               Established() + Exprs{nft::Accept()}),
  };
  return r;
}

// nft_golden::kHairpinNft: published ports reached by members through the host's addresses.
Ruleset HairpinRuleset() {
  const uint8_t ip = NFPROTO_IPV4;
  Ruleset r;
  r.tables = {{ip, kTable}};
  r.chains = {RegularChain(ip, "isolation"),
              BaseChain(ip, "postrouting", NF_INET_POST_ROUTING, 100, "nat", NF_ACCEPT),
              BaseChain(ip, "forward", NF_INET_FORWARD, 0, "filter", NF_ACCEPT)};
  r.rules = {
      // oifname "br-x" drop comment "nn net x"
      Rule(ip, "isolation", Oif("br-x") + Exprs{nft::Drop()}, "nn net x"),
      // ip saddr 198.18.4.0/24 oifname "br-x" ct status dnat masquerade comment "nn net x"
      Rule(ip, "postrouting",
           Prefix(kIpSaddr, V4(198, 18, 4, 0), 24) + Oif("br-x") +
               CtBits(NFT_CT_STATUS, IPS_DST_NAT) + Exprs{nft::Masq()},
           "nn net x"),
      // iifname "br-x" oifname != "br-x" ct status ! dnat jump isolation comment "nn net x"
      Rule(ip, "forward",
           Iif("br-x") + Oif("br-x", NFT_CMP_NEQ) +
               CtBits(NFT_CT_STATUS, IPS_DST_NAT, NFT_CMP_NEQ) + Exprs{nft::Jump("isolation")},
           "nn net x"),
      // iifname "br-x" oifname "br-x" ct status ! dnat drop comment "nn net x" (icc off)
      Rule(ip, "forward",
           Iif("br-x") + Oif("br-x") + CtBits(NFT_CT_STATUS, IPS_DST_NAT, NFT_CMP_NEQ) +
               Exprs{nft::Drop()},
           "nn net x"),
  };
  return r;
}

// nft_golden::kBridgeNft: the CNI plugin's macspoofchk for container "ctr1", interface "eth0",
// host port "veth0123abcd", MAC 0a:58:c6:13:64:02.
Ruleset BridgeSpoofRuleset() {
  const uint8_t br = NFPROTO_BRIDGE;
  const char* comment = "macspoofchk-ctr1-eth0";
  Ruleset r;
  r.tables = {{br, "nat"}};
  r.chains = {BaseChain(br, "PREROUTING", NF_BR_PRE_ROUTING, -300, "filter", NF_ACCEPT),
              RegularChain(br, "cni-br-iface-ctr1-eth0"),
              RegularChain(br, "cni-br-iface-ctr1-eth0-mac")};
  r.rules = {
      // PREROUTING: iifname "veth0123abcd" jump cni-br-iface-ctr1-eth0
      Rule(br, "PREROUTING", Iif("veth0123abcd") + Exprs{nft::Jump("cni-br-iface-ctr1-eth0")},
           comment),
      // cni-br-iface-ctr1-eth0: jump cni-br-iface-ctr1-eth0-mac
      Rule(br, "cni-br-iface-ctr1-eth0", {nft::Jump("cni-br-iface-ctr1-eth0-mac")}, comment),
      // cni-br-iface-ctr1-eth0-mac: ether saddr 0a:58:c6:13:64:02 return
      Rule(br, "cni-br-iface-ctr1-eth0-mac",
           EtherSaddr({0x0a, 0x58, 0xc6, 0x13, 0x64, 0x02}) + Exprs{nft::Return()}, comment),
      // cni-br-iface-ctr1-eth0-mac: drop
      Rule(br, "cni-br-iface-ctr1-eth0-mac", {nft::Drop()}, comment),
  };
  for (ChainRequest& c : r.chains) c.table = "nat";
  for (RuleRequest& rule : r.rules) rule.table = "nat";
  return r;
}

}  // namespace nft_rules
