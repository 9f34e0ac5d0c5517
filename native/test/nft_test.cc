// Tests of the nf_tables codec (native/nft) without Node and without root: every table, chain and
// rule the library needs, built with the codec and compared byte for byte with what nft 1.0.6
// sends for the same command (nft_golden.h, captured by scripts/nft-golden.py); batch framing;
// decoding of the kernel's own replies to `nft list ruleset`; round trips (decode a golden
// message, re-encode it, get the same bytes); malformed input and a mutation loop meant to run
// under AddressSanitizer/UBSan.
//
// Build and run: scripts/native-test.sh (part of `npm test` via test/unit/native-core.test.ts).
// Before the kernel headers: glibc then tells linux/in.h not to define what it already did.
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../nft/batch.h"
#include "../nft/decode.h"
#include "../nft/expr.h"
#include "../nft/objects.h"
#include "check.h"
#include "nft_golden.h"
#include "nft_rules.h"

using namespace netns_native;
using namespace netns_native::nft;
using namespace nft_rules;

namespace {

using test::checks;
using test::failures;

using test::CheckBytes;

const nlmsghdr& Header(const Bytes& m) { return *reinterpret_cast<const nlmsghdr*>(m.data()); }

uint16_t Flags(const Bytes& m) { return Header(m).nlmsg_flags; }

// nft (libmnl) leaves the padding after a string attribute of its single-object GET requests
// unset: it carries whatever was in the buffer (0x7f in the capture). The kernel never reads
// padding; we always send zeros. Zeroes the padding of top-level attributes so the rest can be
// compared byte for byte.
Bytes ZeroPadding(Bytes m) {
  size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  while (at + NLA_HDRLEN <= m.size()) {
    uint16_t len;
    std::memcpy(&len, m.data() + at, sizeof len);
    if (len < NLA_HDRLEN || at + len > m.size()) break;
    for (size_t i = at + len; i < at + NLA_ALIGN(len) && i < m.size(); ++i) m[i] = 0;
    at += NLA_ALIGN(len);
  }
  return m;
}

Bytes WithoutAck(Bytes m) {
  uint16_t flags = Flags(m) & ~NLM_F_ACK;
  std::memcpy(m.data() + offsetof(nlmsghdr, nlmsg_flags), &flags, sizeof flags);
  return m;
}

// The messages of a datagram, as the receive loop would hand them on.
std::vector<Bytes> Split(const Bytes& datagram) {
  std::vector<Bytes> out;
  size_t at = 0;
  while (datagram.size() - at >= NLMSG_HDRLEN) {
    nlmsghdr h;
    std::memcpy(&h, datagram.data() + at, sizeof h);
    if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > datagram.size() - at) break;
    out.emplace_back(datagram.begin() + static_cast<std::ptrdiff_t>(at),
                     datagram.begin() + static_cast<std::ptrdiff_t>(at + h.nlmsg_len));
    at += NLMSG_ALIGN(h.nlmsg_len);
  }
  return out;
}

// ---- Golden bytes: objects ----------------------------------------------------------------------

void TestTablesMatchNft() {
  CheckBytes("add table", BuildNewTable(NFPROTO_IPV4, kTable, false), nft_golden::kNewTable);
  CheckBytes("create table", BuildNewTable(NFPROTO_IPV4, kTable, true),
             nft_golden::kNewTableExclusive);
  CheckBytes("add table ip6", BuildNewTable(NFPROTO_IPV6, kTable, false), nft_golden::kNewTableIp6);
  CheckBytes("delete table", BuildDelTable(NFPROTO_IPV4, kTable), nft_golden::kDelTable);
  CheckBytes("dump tables", BuildDumpTables(NFPROTO_UNSPEC), nft_golden::kDumpTables);
  // nft asks for an ACK on this single GET; our Get* requests leave NLM_F_ACK to the transport.
  CheckBytes("get table", BuildGetTable(NFPROTO_IPV4, kTable),
             ZeroPadding(WithoutAck(nft_golden::kGetTable)));
  CheckBytes("get generation", BuildGetGen(), nft_golden::kGetGen);
}

void TestChainsMatchNft() {
  std::vector<ChainRequest> chains = MainRuleset().chains;
  CheckBytes("chain postrouting", BuildNewChain(chains[0], false),
             nft_golden::kNewChainPostrouting);
  CheckBytes("chain prerouting", BuildNewChain(chains[1], false), nft_golden::kNewChainPrerouting);
  CheckBytes("chain output", BuildNewChain(chains[2], false), nft_golden::kNewChainOutput);
  CheckBytes("chain forward", BuildNewChain(chains[3], false), nft_golden::kNewChainForward);

  CheckBytes("create chain", BuildNewChain(RegularChain(NFPROTO_IPV4, "extra"), true),
             nft_golden::kNewChainExclusive);

  CheckBytes("delete chain", BuildDelChain(NFPROTO_IPV4, kTable, "output"), nft_golden::kDelChain);
  CheckBytes("dump chains", BuildDumpChains(NFPROTO_UNSPEC), nft_golden::kDumpChains);
  CheckBytes("get chain", BuildGetChain(NFPROTO_IPV4, kTable, "forward"),
             ZeroPadding(WithoutAck(nft_golden::kGetChain)));
}

void TestRuleObjectsMatchNft() {
  CheckBytes("delete rule", BuildDelRule(NFPROTO_IPV4, kTable, "forward", 12),
             nft_golden::kDelRule);
  CheckBytes("dump rules of table", BuildDumpRules(NFPROTO_IPV4, kTable, ""),
             nft_golden::kDumpRulesOfTable);
  CheckBytes("dump rules of chain", BuildDumpRules(NFPROTO_IPV4, kTable, "forward"),
             nft_golden::kDumpRulesOfChain);

  RuleRequest insert = Rule(NFPROTO_IPV4, "forward", {Drop()});
  insert.position = 12;
  insert.insert = true;
  CheckBytes("insert rule position 12", BuildNewRule(insert), nft_golden::kRuleInsertAt);

  RuleRequest after = Rule(NFPROTO_IPV4, "forward", {Counter(), Drop()}, "after 12");
  after.position = 12;
  CheckBytes("add rule position 12", BuildNewRule(after), nft_golden::kRuleAddAfter);
}

// ---- Golden bytes: the rules --------------------------------------------------------------------

void TestRulesetMatchesNft() {
  const std::vector<const Bytes*> golden = {
      &nft_golden::kRuleMasquerade,      &nft_golden::kRuleHairpin,
      &nft_golden::kRuleLocalhostMasq,   &nft_golden::kRuleDnatPrerouting,
      &nft_golden::kRuleDnatLoopback,    &nft_golden::kRuleDnatLocal,
      &nft_golden::kRuleEstablished,     &nft_golden::kRuleIsolatePair,
      &nft_golden::kRuleIsolateInternal, &nft_golden::kRulePrefixes,
  };
  const char* names[] = {"masquerade",       "hairpin",        "localhost masq", "dnat prerouting",
                         "dnat 127.0.0.1",   "dnat fib local", "established",    "isolate pair",
                         "isolate internal", "prefixes"};
  std::vector<RuleRequest> rules = MainRuleset().rules;
  CHECK(rules.size() == golden.size());
  for (size_t i = 0; i < rules.size() && i < golden.size(); ++i) {
    CheckBytes(names[i], BuildNewRule(rules[i]), *golden[i]);
  }
}

void TestMoreExpressionsMatchNft() {
  Ruleset more = MoreRuleset();
  CheckBytes("regular chain", BuildNewChain(more.chains[0], false), nft_golden::kNewChainRegular);
  const std::vector<std::pair<const char*, const Bytes*>> golden = {
      {"return", &nft_golden::kRuleReturn},
      {"snat, /20 prefix", &nft_golden::kRuleSnatBitwise},
      {"counter masquerade random,persistent", &nft_golden::kRuleCounterMasqFlags},
      {"snat to range:ports", &nft_golden::kRuleSnatRanges},
      {"masquerade to :ports", &nft_golden::kRuleMasqPorts},
      {"ip daddr != 127.0.0.0/8", &nft_golden::kRuleNotLoopback},
      {"jump", &nft_golden::kRuleJump},
      {"goto", &nft_golden::kRuleGoto},
      {"dport <", &nft_golden::kRuleLessThan},
      {"dport >", &nft_golden::kRuleGreaterThan},
      {"udp dport 53 drop", &nft_golden::kRuleUdpDrop},
  };
  CHECK(more.rules.size() == golden.size());
  for (size_t i = 0; i < more.rules.size() && i < golden.size(); ++i) {
    CheckBytes(golden[i].first, BuildNewRule(more.rules[i]), *golden[i].second);
  }
}

void TestHairpinMatchesNft() {
  Ruleset hairpin = HairpinRuleset();
  const std::vector<std::pair<const char*, const Bytes*>> golden = {
      {"isolation drop", &nft_golden::kRuleIsolationDrop},
      {"hairpin masquerade (ct status dnat)", &nft_golden::kRuleHairpinMasq},
      {"isolation jump (ct status ! dnat)", &nft_golden::kRuleIsolationJumpNotDnat},
      {"icc off: same bridge dropped (ct status ! dnat)", &nft_golden::kRuleIccDrop},
  };
  CHECK(hairpin.rules.size() == golden.size());
  for (size_t i = 0; i < hairpin.rules.size() && i < golden.size(); ++i) {
    CheckBytes(golden[i].first, BuildNewRule(hairpin.rules[i]), *golden[i].second);
  }
  // ct bits compare only with == (any set) and != (none set).
  nft::Statement lt;
  lt.kind = nft::Statement::Kind::kCtStatus;
  lt.bits = IPS_DST_NAT;
  lt.op = NFT_CMP_LT;
  CHECK(!nft::StatementsToExprs({lt}).ok());
}

void TestBridgeSpoofCheckMatchesNft() {
  Ruleset spoof = BridgeSpoofRuleset();
  CheckBytes("add table bridge nat", BuildNewTable(spoof.tables[0].first, "nat", false),
             nft_golden::kNewTableBridge);
  CheckBytes("bridge PREROUTING", BuildNewChain(spoof.chains[0], false),
             nft_golden::kNewChainBridgePrerouting);
  CheckBytes("per-port chain", BuildNewChain(spoof.chains[1], false),
             nft_golden::kNewChainSpoofIface);
  const std::vector<std::pair<const char*, const Bytes*>> golden = {
      {"iifname jump", &nft_golden::kRuleSpoofIifJump},
      {"jump to the MAC chain", &nft_golden::kRuleSpoofJumpMac},
      {"ether saddr return", &nft_golden::kRuleSpoofEtherSaddr},
      {"drop", &nft_golden::kRuleSpoofDrop},
  };
  CHECK(spoof.rules.size() == golden.size());
  for (size_t i = 0; i < spoof.rules.size() && i < golden.size(); ++i) {
    CheckBytes(golden[i].first, BuildNewRule(spoof.rules[i]), *golden[i].second);
  }
  // A MAC is 6 bytes.
  nft::Statement short_mac;
  short_mac.kind = nft::Statement::Kind::kEtherSaddr;
  short_mac.mac = {0x0a, 0x58, 0xc6};
  CHECK(!nft::StatementsToExprs({short_mac}).ok());
}

void TestIp6AndInetMatchNft() {
  Ruleset ip6 = Ip6Ruleset();
  CheckBytes("add table ip6", BuildNewTable(ip6.tables[0].first, kTable, false),
             nft_golden::kNewTableIp6);
  const std::vector<std::pair<const char*, const Bytes*>> golden = {
      {"ip6 masquerade", &nft_golden::kRuleMasqueradeIp6},
      {"ip6 dnat", &nft_golden::kRuleDnatIp6},
      {"inet nfproto + ct state", &nft_golden::kRuleInetEstablished},
  };
  CHECK(ip6.rules.size() == golden.size());
  for (size_t i = 0; i < ip6.rules.size() && i < golden.size(); ++i) {
    CheckBytes(golden[i].first, BuildNewRule(ip6.rules[i]), *golden[i].second);
  }
}

// ---- Golden bytes: maps of published ports ------------------------------------------------------

using DT = DataType;

// A statement's rule as nft sent it in the same batch as the map: its lookup also names the map
// by NFTA_LOOKUP_SET_ID (the library's rules go in their own batches and name it only).
RuleRequest MapRule(uint8_t family, const char* chain, Exprs exprs, uint32_t set_id) {
  for (Expr& e : exprs) {
    if (e.name == "lookup") e.attrs.push_back(ExprAttr::Be32(NFTA_LOOKUP_SET_ID, set_id));
  }
  return Rule(family, chain, std::move(exprs));
}

Exprs DnatMap(uint8_t family, const char* map, bool by_daddr) {
  Statement st;
  st.kind = by_daddr ? Statement::Kind::kDnatMapDaddr : Statement::Kind::kDnatMap;
  st.family = family;
  st.name = map;
  return S(st);
}

Bytes Ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }

void TestMapsMatchNft() {
  CheckBytes("map pub-any-x", BuildNewSet(PubMap(NFPROTO_IPV4, "pub-any-x", false, 1), false),
             nft_golden::kNewSetAny);
  CheckBytes("map pub-addr-x", BuildNewSet(PubMap(NFPROTO_IPV4, "pub-addr-x", true, 2), false),
             nft_golden::kNewSetAddr);
  CheckBytes("ip6 map pub-any-x", BuildNewSet(PubMap(NFPROTO_IPV6, "pub-any-x", false, 3), false),
             nft_golden::kNewSetAnyIp6);
  CheckBytes("ip6 map pub-addr-x", BuildNewSet(PubMap(NFPROTO_IPV6, "pub-addr-x", true, 4), false),
             nft_golden::kNewSetAddrIp6);

  Statement not_bridge;
  not_bridge.kind = Statement::Kind::kIifname;
  not_bridge.name = "br-x";
  not_bridge.op = NFT_CMP_NEQ;
  Exprs local = S(Make(Statement::Kind::kDaddrLocal));
  CheckBytes(
      "dnat map @pub-any-x",
      BuildNewRule(MapRule(NFPROTO_IPV4, "prerouting",
                           S(not_bridge) + local + DnatMap(NFPROTO_IPV4, "pub-any-x", false), 1)),
      nft_golden::kRuleDnatMapAny);
  CheckBytes("dnat ip daddr . map @pub-addr-x",
             BuildNewRule(MapRule(NFPROTO_IPV4, "prerouting",
                                  S(not_bridge) + DnatMap(NFPROTO_IPV4, "pub-addr-x", true), 2)),
             nft_golden::kRuleDnatMapAddr);
  CheckBytes("ip6 dnat map @pub-any-x",
             BuildNewRule(MapRule(NFPROTO_IPV6, "output",
                                  local + DnatMap(NFPROTO_IPV6, "pub-any-x", false), 3)),
             nft_golden::kRuleDnatMapAnyIp6);
  CheckBytes(
      "ip6 dnat ip6 daddr . map @pub-addr-x",
      BuildNewRule(MapRule(NFPROTO_IPV6, "output", DnatMap(NFPROTO_IPV6, "pub-addr-x", true), 4)),
      nft_golden::kRuleDnatMapAddrIp6);

  // Elements: `tcp . 8080 : 198.18.4.2 . 80`, `198.51.100.1 . udp . 53 : 198.18.4.3 . 5353`,
  // `fd00::1 . tcp . 443 : fd00:1::2 . 8443`; nft names the map by id too (its 1st, 2nd, 4th).
  SetElement any{ConcatData({U8Data(IPPROTO_TCP), Be16Data(8080)}),
                 ConcatData({Ip4(198, 18, 4, 2), Be16Data(80)})};
  SetElement addr{ConcatData({Ip4(198, 51, 100, 1), U8Data(IPPROTO_UDP), Be16Data(53)}),
                  ConcatData({Ip4(198, 18, 4, 3), Be16Data(5353)})};
  Bytes fd00_1(16, 0), fd00_1_2(16, 0);
  fd00_1[0] = fd00_1_2[0] = 0xfd;
  fd00_1[15] = 1;
  fd00_1_2[3] = 1;
  fd00_1_2[15] = 2;
  SetElement addr6{ConcatData({fd00_1, U8Data(IPPROTO_TCP), Be16Data(443)}),
                   ConcatData({fd00_1_2, Be16Data(8443)})};
  CheckBytes("create element any",
             BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {any}, true, 1),
             nft_golden::kNewElemAny);
  CheckBytes("create element addr",
             BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-addr-x", {addr}, true, 2),
             nft_golden::kNewElemAddr);
  CheckBytes("create element ip6 addr",
             BuildNewSetElems(NFPROTO_IPV6, kTable, "pub-addr-x", {addr6}, true, 4),
             nft_golden::kNewElemAddrIp6);
  // Deleted by key: the data is not sent.
  CheckBytes("delete element", BuildDelSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {any}),
             nft_golden::kDelElemAny);
  CheckBytes("delete map", BuildDelSet(NFPROTO_IPV4, kTable, "pub-any-x"), nft_golden::kDelSet);
  CheckBytes("dump sets", BuildDumpSets(NFPROTO_UNSPEC, ""), nft_golden::kDumpSets);
  CheckBytes("dump elements", BuildDumpSetElems(NFPROTO_IPV4, kTable, "pub-any-x"),
             ZeroPadding(nft_golden::kDumpSetElems));

  // Without EXCL (`nft add element`) only NLM_F_CREATE; a set without data is not a map.
  Result<Bytes> add = BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {any}, false);
  CHECK(add.ok() && (Flags(add.value()) & (NLM_F_CREATE | NLM_F_EXCL)) == NLM_F_CREATE);
  SetRequest plain = PubMap(NFPROTO_IPV4, "s", false, 1);
  plain.data.clear();
  Result<Bytes> set = BuildNewSet(plain, false);
  CHECK(set.ok());

  // Bad input: no key, too many fields, a key too long, no elements, an empty element, no name.
  SetRequest bad = PubMap(NFPROTO_IPV4, "m", false, 1);
  bad.key.clear();
  CHECK(!BuildNewSet(bad, false).ok());
  bad.key = std::vector<DT>(6, DT::kInetProto);
  CHECK(!BuildNewSet(bad, false).ok());
  bad.key = std::vector<DT>(5, DT::kIpv6Addr);  // 80 bytes
  CHECK(BuildNewSet(bad, false).error().code == EINVAL);
  CHECK(!BuildNewSet(PubMap(NFPROTO_IPV4, "", false, 1), false).ok());
  CHECK(!BuildNewSetElems(NFPROTO_IPV4, kTable, "m", {}, true).ok());
  CHECK(!BuildNewSetElems(NFPROTO_IPV4, kTable, "m", {SetElement{}}, true).ok());
  CHECK(!BuildNewSetElems(NFPROTO_IPV4, kTable, "m", {SetElement{Bytes(65, 1), {}}}, true).ok());
  CHECK(!BuildDelSetElems(NFPROTO_IPV4, kTable, "", {any}).ok());
  CHECK(!BuildDumpSetElems(NFPROTO_IPV4, kTable, "").ok());
  Statement no_map;
  no_map.kind = Statement::Kind::kDnatMap;
  no_map.family = NFPROTO_IPV4;
  CHECK(!StatementsToExprs({no_map}).ok());
  no_map.name = "m";
  no_map.family = NFPROTO_INET;
  CHECK(!StatementsToExprs({no_map}).ok());

  // Registers as nft names them: whole 16-byte registers where a word starts one.
  CHECK(RegisterAt(0) == NFT_REG_1 && RegisterAt(1) == NFT_REG32_01 && RegisterAt(4) == NFT_REG_2 &&
        RegisterAt(5) == NFT_REG32_05);
}

void TestDecodeSetReply() {
  std::vector<Bytes> msgs = Split(nft_golden::kReplySets);
  CHECK(!msgs.empty());
  if (msgs.empty()) return;
  Result<SetInfo> set = ParseSet(Header(msgs[0]));
  CHECK(set.ok());
  if (!set.ok()) return;
  const SetInfo& s = set.value();
  CHECK(s.family == NFPROTO_IPV4 && s.table == kTable && s.name == "pub-any-x");
  CHECK(s.handle == 2 && s.flags == NFT_SET_MAP && !s.deleted);
  CHECK(s.key_type == (12u << 6 | 13u) && s.key_len == 8);
  CHECK(s.data_type == (7u << 6 | 13u) && s.data_len == 8);
  // The user data comes back as we (and nft) sent it.
  Result<Bytes> sent = BuildNewSet(PubMap(NFPROTO_IPV4, "pub-any-x", false, 1), false);
  Result<SetInfo> ours = sent.ok() ? ParseSet(Header(sent.value())) : Result<SetInfo>(sent.error());
  CHECK(ours.ok() && ours.value().userdata == s.userdata);
  CHECK(!ParseSet(Header(nft_golden::kNewTable)).ok());
}

void TestDecodeSetElems() {
  // The kernel answers a dump with the same nesting as a NEWSETELEM request: decode ours.
  SetElement a{ConcatData({U8Data(IPPROTO_TCP), Be16Data(8080)}),
               ConcatData({Ip4(198, 18, 4, 2), Be16Data(80)})};
  SetElement b{ConcatData({U8Data(IPPROTO_UDP), Be16Data(53)}),
               ConcatData({Ip4(198, 18, 4, 3), Be16Data(5353)})};
  Result<Bytes> m = BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {a, b}, true);
  CHECK(m.ok());
  if (!m.ok()) return;
  Result<std::vector<SetElemInfo>> e = ParseSetElems(Header(m.value()));
  CHECK(e.ok() && e.value().size() == 2);
  if (!e.ok() || e.value().size() != 2) return;
  CHECK(e.value()[0].table == kTable && e.value()[0].set == "pub-any-x");
  CHECK(e.value()[0].key == a.key && e.value()[0].data == a.data);
  CHECK(e.value()[1].key == b.key && e.value()[1].data == b.data);
  CHECK(e.value()[0].family == NFPROTO_IPV4 && !e.value()[0].deleted);
  Result<Bytes> d = BuildDelSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {a});
  Result<std::vector<SetElemInfo>> gone = ParseSetElems(Header(d.value()));
  CHECK(gone.ok() && gone.value().size() == 1 && gone.value()[0].deleted &&
        gone.value()[0].data.empty());
  // Truncations never read outside the message.
  for (size_t cut = NLMSG_HDRLEN; cut < m.value().size(); ++cut) {
    Bytes t(m.value().begin(), m.value().begin() + static_cast<std::ptrdiff_t>(cut));
    uint32_t len = static_cast<uint32_t>(cut);
    std::memcpy(t.data(), &len, sizeof len);
    (void)ParseSetElems(Header(t));
  }
}

// ---- Batch framing ------------------------------------------------------------------------------

void TestBatchFraming() {
  CheckBytes("batch begin", BuildBatchBegin(std::nullopt), nft_golden::kBatchBegin);
  CheckBytes("batch end", BuildBatchEnd(), nft_golden::kBatchEnd);

  Batch batch;
  batch.Add(BuildNewTable(NFPROTO_IPV4, kTable, false));
  for (const ChainRequest& c : MainRuleset().chains) batch.Add(BuildNewChain(c, false));
  for (const RuleRequest& r : MainRuleset().rules) batch.Add(BuildNewRule(r));
  CHECK(batch.commands() == 15);
  Result<std::vector<BatchMessage>> done = std::move(batch).Finish();
  CHECK(done.ok());
  if (!done.ok()) return;
  const std::vector<BatchMessage>& m = done.value();
  CHECK(m.size() == 17);
  CHECK(m.front().bytes == nft_golden::kBatchBegin && !m.front().expects_ack);
  CHECK(m.back().bytes == nft_golden::kBatchEnd && !m.back().expects_ack);
  // Every command asks for an ACK, and is otherwise exactly nft's message.
  for (size_t i = 1; i + 1 < m.size(); ++i) {
    CHECK(m[i].expects_ack && (Flags(m[i].bytes) & NLM_F_ACK));
    CHECK(Header(m[i].bytes).nlmsg_seq == 0 && Header(m[i].bytes).nlmsg_pid == 0);
  }
  CHECK(WithoutAck(m[1].bytes) == nft_golden::kNewTable);
  CHECK(WithoutAck(m[2].bytes) == nft_golden::kNewChainPostrouting);
  CHECK(WithoutAck(m[6].bytes) == nft_golden::kRuleMasquerade);
  CHECK(WithoutAck(m[15].bytes) == nft_golden::kRulePrefixes);

  // NFNL_BATCH_GENID rides on BEGIN, big-endian.
  Result<Bytes> begin = BuildBatchBegin(0x01020304);
  CHECK(begin.ok() && begin.value().size() == 28);
  if (begin.ok() && begin.value().size() == 28) {
    const Bytes want_tail = {0x08, 0x00, NFNL_BATCH_GENID, 0x00, 0x01, 0x02, 0x03, 0x04};
    CHECK(Bytes(begin.value().begin() + 20, begin.value().end()) == want_tail);
    CHECK(Header(begin.value()).nlmsg_len == 28);
  }
}

void TestBatchErrors() {
  {  // Nothing to commit.
    Batch b;
    Result<std::vector<BatchMessage>> r = std::move(b).Finish();
    CHECK(!r.ok() && r.error().code == EINVAL);
  }
  {  // A GET does not belong in a batch; the first error wins, later commands are ignored.
    Batch b;
    b.Add(BuildNewTable(NFPROTO_IPV4, kTable, false));
    b.Add(BuildDumpRules(NFPROTO_IPV4, kTable, ""));
    b.Add(BuildNewTable(NFPROTO_IPV4, "other", false));
    CHECK(b.commands() == 1);
    Result<std::vector<BatchMessage>> r = std::move(b).Finish();
    CHECK(!r.ok() && r.error().code == EINVAL);
  }
  {  // A builder's error is carried to Finish().
    Batch b;
    b.Add(BuildNewTable(NFPROTO_IPV4, "", false));
    Result<std::vector<BatchMessage>> r = std::move(b).Finish();
    CHECK(!r.ok() && r.error().code == EINVAL);
  }
  {  // Not an nf_tables message at all.
    Batch b;
    b.Add(Bytes(8, 0));
    b.Add(Bytes(20, 0));
    CHECK(b.commands() == 0);
    CHECK(!std::move(b).Finish().ok());
  }
}

// ---- Input validation ---------------------------------------------------------------------------

void TestInputValidation() {
  CHECK(!IfNameData("").ok());
  CHECK(!IfNameData("sixteen-chars-xx").ok());
  CHECK(IfNameData("fifteen-chars-x").ok() && IfNameData("fifteen-chars-x").value().size() == 16);
  CHECK(!IfNameData(std::string("a\0b", 3)).ok());

  CHECK(!BuildNewTable(NFPROTO_IPV4, "", false).ok());
  CHECK(!BuildDelTable(NFPROTO_IPV4, std::string("a\0b", 3)).ok());
  CHECK(!BuildDumpRules(NFPROTO_IPV4, "", "forward").ok());
  ChainRequest no_type = MainRuleset().chains[0];
  no_type.hook->type.clear();
  CHECK(!BuildNewChain(no_type, false).ok());

  RuleRequest r = Rule(NFPROTO_IPV4, "forward", {Accept()});
  r.comment = std::string(128, 'c');
  CHECK(BuildNewRule(r).ok());
  r.comment = std::string(129, 'c');
  Result<Bytes> too_long = BuildNewRule(r);
  CHECK(!too_long.ok() && too_long.error().code == EINVAL);
  r.comment = std::string("a\0b", 3);
  CHECK(!BuildNewRule(r).ok());

  // A rule larger than a netlink attribute can hold is EMSGSIZE, not a truncated message.
  RuleRequest huge = Rule(NFPROTO_IPV4, "forward", {});
  for (int i = 0; i < 4000; ++i) huge.exprs.push_back(Counter());
  Result<Bytes> big = BuildNewRule(huge);
  CHECK(!big.ok() && big.error().code == EMSGSIZE);
}

void TestRuleComment() {
  Result<Bytes> u = EncodeRuleComment("net:x");
  CHECK(u.ok() && u.value() == (Bytes{0, 6, 'n', 'e', 't', ':', 'x', 0}));
  CHECK(DecodeRuleComment(u.value()) == std::optional<std::string>("net:x"));
  CHECK(EncodeRuleComment("").ok() && DecodeRuleComment(EncodeRuleComment("").value()) == "");
  // Another TLV first (nft's NFTNL_UDATA_RULE_EBTABLES_POLICY is type 1) is skipped.
  CHECK(DecodeRuleComment({1, 1, 7, 0, 3, 'a', 'b', 0}) == std::optional<std::string>("ab"));
  CHECK(!DecodeRuleComment({}).has_value());
  CHECK(!DecodeRuleComment({0, 3, 'a', 'b', 'c'}).has_value());  // not NUL-terminated
  CHECK(!DecodeRuleComment({0, 9, 'a', 0}).has_value());         // longer than the buffer
  CHECK(!DecodeRuleComment({0, 0}).has_value());                 // empty value
  CHECK(!DecodeRuleComment({0}).has_value());                    // half a TLV header
}

// ---- Decoding -----------------------------------------------------------------------------------

// What the kernel reports for expressions it was given: its *_dump functions write out their
// normalised state, in their own order. nft_bitwise_dump always sends NFTA_BITWISE_OP;
// nft_nat_dump sends the max registers (equal to the min ones when not given) and
// NF_NAT_RANGE_MAP_IPS once an address register is set; nft_ct_get_dump and nft_fib_dump put the
// register first (libnftnl puts it last). Everything else comes back as sent.
std::vector<Expr> KernelForm(std::vector<Expr> exprs) {
  for (Expr& e : exprs) {
    if (e.name == "ct" || e.name == "fib") {
      std::reverse(e.attrs.begin(), e.attrs.end());
    } else if (e.name == "bitwise") {
      e.attrs.insert(e.attrs.begin() + 3, ExprAttr::Be32(NFTA_BITWISE_OP, NFT_BITWISE_BOOL));
    } else if (e.name == "nat") {
      std::vector<ExprAttr> out;
      uint32_t flags = e.Find(NFTA_NAT_FLAGS) ? *e.Find(NFTA_NAT_FLAGS)->AsBe32() : 0;
      for (const ExprAttr& a : e.attrs) {
        if (a.type == NFTA_NAT_FLAGS) continue;
        out.push_back(a);
        if (a.type == NFTA_NAT_REG_ADDR_MIN && !e.Find(NFTA_NAT_REG_ADDR_MAX)) {
          out.push_back(ExprAttr::Raw(NFTA_NAT_REG_ADDR_MAX, a.value));
          flags |= NF_NAT_RANGE_MAP_IPS;
        }
        if (a.type == NFTA_NAT_REG_PROTO_MIN && !e.Find(NFTA_NAT_REG_PROTO_MAX)) {
          out.push_back(ExprAttr::Raw(NFTA_NAT_REG_PROTO_MAX, a.value));
        }
      }
      if (flags != 0) out.push_back(ExprAttr::Be32(NFTA_NAT_FLAGS, flags));
      e.attrs = std::move(out);
    }
  }
  return exprs;
}

void TestDecodeTableReply() {
  std::vector<Bytes> msgs = Split(nft_golden::kReplyTables);
  CHECK(msgs.size() == 1);
  Result<TableInfo> t = ParseTable(Header(msgs[0]));
  CHECK(t.ok());
  if (!t.ok()) return;
  CHECK(t.value().family == NFPROTO_IPV4);
  CHECK(t.value().name == kTable);
  CHECK(t.value().handle == 1);
  CHECK(t.value().use == 4);
  CHECK(t.value().flags == 0);
  CHECK(!t.value().deleted);
  // Our own request decodes too (a NEWTABLE is a NEWTABLE).
  Result<TableInfo> own = ParseTable(Header(nft_golden::kNewTable));
  CHECK(own.ok() && own.value().name == kTable && own.value().handle == 0);
  Result<TableInfo> del = ParseTable(Header(nft_golden::kDelTable));
  CHECK(del.ok() && del.value().deleted);
}

void TestDecodeChainReply() {
  std::vector<Bytes> msgs = Split(nft_golden::kReplyChains);
  std::vector<ChainRequest> want = MainRuleset().chains;
  CHECK(msgs.size() == want.size());
  for (size_t i = 0; i < msgs.size() && i < want.size(); ++i) {
    Result<ChainInfo> c = ParseChain(Header(msgs[i]));
    CHECK(c.ok());
    if (!c.ok()) continue;
    const ChainInfo& got = c.value();
    CHECK(got.family == NFPROTO_IPV4 && got.table == kTable && got.name == want[i].name);
    CHECK(got.handle == i + 1);
    CHECK(got.flags == NFT_CHAIN_BASE);
    CHECK(got.hook.has_value());
    if (!got.hook) continue;
    CHECK(got.hook->hooknum == want[i].hook->hooknum);
    CHECK(got.hook->priority == want[i].hook->priority);
    CHECK(got.hook->type == want[i].hook->type);
    CHECK(got.hook->policy == want[i].hook->policy);
  }
  // forward holds 4 rules; the nat chains 3, 1 and 2.
  const uint32_t uses[] = {3, 1, 2, 4};
  for (size_t i = 0; i < msgs.size() && i < 4; ++i) {
    Result<ChainInfo> c = ParseChain(Header(msgs[i]));
    CHECK(c.ok() && c.value().use == uses[i]);
  }
  Result<ChainInfo> regular = ParseChain(Header(nft_golden::kNewChainRegular));
  CHECK(regular.ok() && regular.value().name == "isolation" && !regular.value().hook);
}

void TestDecodeRuleReply() {
  std::vector<Bytes> msgs = Split(nft_golden::kReplyRules);
  std::vector<RuleRequest> want = MainRuleset().rules;
  CHECK(msgs.size() == want.size());
  uint64_t previous = 0;
  std::string previous_chain;
  for (size_t i = 0; i < msgs.size() && i < want.size(); ++i) {
    Result<RuleInfo> r = ParseRule(Header(msgs[i]));
    CHECK(r.ok());
    if (!r.ok()) continue;
    const RuleInfo& got = r.value();
    CHECK(got.family == NFPROTO_IPV4 && got.table == kTable && got.chain == want[i].chain);
    CHECK(got.handle == 5 + i);  // handles 1-4 went to the chains
    CHECK(got.comment == want[i].comment);
    // The kernel gives back the expressions it was given, in its normalised form.
    CHECK(got.exprs == KernelForm(want[i].exprs));
    // NFTA_RULE_POSITION: the rule before it in the same chain.
    if (got.chain == previous_chain) {
      CHECK(got.position == std::optional<uint64_t>(previous));
    } else {
      CHECK(!got.position.has_value());
    }
    CHECK(got.extra.empty());
    previous = got.handle;
    previous_chain = got.chain;
  }
  // Spot checks on the generic form.
  Result<RuleInfo> dnat = ParseRule(Header(msgs[3]));
  CHECK(dnat.ok() && dnat.value().exprs.size() == 11);
  if (dnat.ok() && dnat.value().exprs.size() == 11) {
    const Expr& nat = dnat.value().exprs[10];
    CHECK(nat.name == "nat");
    CHECK(nat.Find(NFTA_NAT_TYPE) && nat.Find(NFTA_NAT_TYPE)->AsBe32() == NFT_NAT_DNAT);
    CHECK(nat.Find(NFTA_NAT_FLAGS)->AsBe32() ==
          (NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED));
    const Expr& port = dnat.value().exprs[9];
    const ExprAttr* data = port.Find(NFTA_IMMEDIATE_DATA);
    CHECK(data && data->nested && data->Find(NFTA_DATA_VALUE) &&
          data->Find(NFTA_DATA_VALUE)->value == Be16Data(80));
  }
  Result<RuleInfo> established = ParseRule(Header(msgs[6]));
  CHECK(established.ok() && established.value().exprs.size() == 4);
  if (established.ok() && established.value().exprs.size() == 4) {
    const ExprAttr* verdict = established.value().exprs[3].Find(NFTA_IMMEDIATE_DATA);
    CHECK(verdict && verdict->Find(NFTA_DATA_VERDICT) &&
          verdict->Find(NFTA_DATA_VERDICT)->Find(NFTA_VERDICT_CODE)->AsBe32() == NF_ACCEPT);
  }
}

void TestDecodeGen() {
  Result<GenInfo> g = ParseGen(Header(nft_golden::kReplyGen));
  CHECK(g.ok() && g.value().id == 2 && g.value().proc_name == "nft" && g.value().proc_pid != 0);
  CHECK(NftMessageType(Header(nft_golden::kReplyGen)) == std::optional<uint16_t>(NFT_MSG_NEWGEN));
  CHECK(!NftMessageType(Header(nft_golden::kBatchBegin)).has_value());
  CHECK(!ParseGen(Header(nft_golden::kNewTable)).ok());
}

// Decode every golden request and re-encode it: the same bytes. Covers the generic expression
// form on every expression kind, and keeps decoder and builder in step.
void TestRoundTrips() {
  const std::vector<std::pair<const char*, const Bytes*>> rules = {
      {"masquerade", &nft_golden::kRuleMasquerade},
      {"hairpin", &nft_golden::kRuleHairpin},
      {"localhost", &nft_golden::kRuleLocalhostMasq},
      {"dnat", &nft_golden::kRuleDnatPrerouting},
      {"dnat loopback", &nft_golden::kRuleDnatLoopback},
      {"dnat local", &nft_golden::kRuleDnatLocal},
      {"established", &nft_golden::kRuleEstablished},
      {"pair", &nft_golden::kRuleIsolatePair},
      {"internal", &nft_golden::kRuleIsolateInternal},
      {"prefixes", &nft_golden::kRulePrefixes},
      {"return", &nft_golden::kRuleReturn},
      {"snat bitwise", &nft_golden::kRuleSnatBitwise},
      {"counter masq", &nft_golden::kRuleCounterMasqFlags},
      {"snat ranges", &nft_golden::kRuleSnatRanges},
      {"masq ports", &nft_golden::kRuleMasqPorts},
      {"not loopback", &nft_golden::kRuleNotLoopback},
      {"jump", &nft_golden::kRuleJump},
      {"goto", &nft_golden::kRuleGoto},
      {"lt", &nft_golden::kRuleLessThan},
      {"gt", &nft_golden::kRuleGreaterThan},
      {"udp", &nft_golden::kRuleUdpDrop},
      {"ip6 masq", &nft_golden::kRuleMasqueradeIp6},
      {"ip6 dnat", &nft_golden::kRuleDnatIp6},
      {"inet", &nft_golden::kRuleInetEstablished},
      {"insert", &nft_golden::kRuleInsertAt},
      {"add after", &nft_golden::kRuleAddAfter},
  };
  for (const auto& [name, bytes] : rules) {
    Result<RuleInfo> r = ParseRule(Header(*bytes));
    CHECK(r.ok());
    if (!r.ok()) continue;
    RuleRequest req;
    req.family = r.value().family;
    req.table = r.value().table;
    req.chain = r.value().chain;
    req.exprs = r.value().exprs;
    req.comment = r.value().comment;
    req.position = r.value().position;
    req.insert = !(Flags(*bytes) & NLM_F_APPEND);
    CheckBytes(name, BuildNewRule(req), *bytes);
  }
  // Chains: request -> ChainInfo -> request.
  for (const Bytes* bytes : {&nft_golden::kNewChainPostrouting, &nft_golden::kNewChainForward,
                             &nft_golden::kNewChainRegular}) {
    Result<ChainInfo> c = ParseChain(Header(*bytes));
    CHECK(c.ok());
    if (!c.ok()) continue;
    ChainRequest req{c.value().family, c.value().table, c.value().name, c.value().hook};
    CheckBytes("chain round trip", BuildNewChain(req, false), *bytes);
  }
}

// Attributes and expressions the codec does not know are kept, not dropped, and re-encoded.
void TestUnknownAttributesKept() {
  Bytes m = nft_golden::kRuleMasquerade;
  // Append an unknown top-level attribute (type 0x7f, 4 bytes) and fix nlmsg_len.
  const Bytes extra = {0x08, 0x00, 0x7f, 0x00, 1, 2, 3, 4};
  m.insert(m.end(), extra.begin(), extra.end());
  uint32_t len = static_cast<uint32_t>(m.size());
  std::memcpy(m.data(), &len, 4);
  Result<RuleInfo> r = ParseRule(Header(m));
  CHECK(r.ok() && r.value().extra.size() == 1);
  if (r.ok() && r.value().extra.size() == 1) {
    CHECK(r.value().extra[0].type == 0x7f && r.value().extra[0].value == (Bytes{1, 2, 3, 4}));
  }
  // An expression nobody knows, with a nested-looking attribute: raw bytes, re-encoded as is.
  Expr odd{"newexpr",
           {ExprAttr::Raw(1, {0x08, 0x00, 0x01, 0x00, 9, 9, 9, 9}), ExprAttr::Be32(2, 7)}};
  RuleRequest req = Rule(NFPROTO_IPV4, "forward", {odd, Drop()});
  Result<Bytes> built = BuildNewRule(req);
  CHECK(built.ok());
  if (!built.ok()) return;
  Result<RuleInfo> back = ParseRule(Header(built.value()));
  CHECK(back.ok() && back.value().exprs.size() == 2 && back.value().exprs[0] == odd);
}

// ---- Malformed input ----------------------------------------------------------------------------

void TestMalformed() {
  // Truncated: every prefix of every reply either parses or fails cleanly (ASan watches).
  for (const Bytes* src : {&nft_golden::kReplyTables, &nft_golden::kReplyChains,
                           &nft_golden::kReplyRules, &nft_golden::kReplyGen}) {
    Bytes first = Split(*src)[0];
    for (size_t n = NLMSG_HDRLEN; n < first.size(); ++n) {
      std::unique_ptr<uint8_t[]> exact(new uint8_t[n]);
      std::memcpy(exact.get(), first.data(), n);
      uint32_t len = static_cast<uint32_t>(n);
      std::memcpy(exact.get(), &len, 4);
      const nlmsghdr& h = *reinterpret_cast<const nlmsghdr*>(exact.get());
      (void)ParseTable(h);
      (void)ParseChain(h);
      (void)ParseRule(h);
      (void)ParseGen(h);
    }
  }
  // Too short for nfgenmsg.
  Bytes tiny = Split(nft_golden::kReplyTables)[0];
  tiny.resize(NLMSG_HDRLEN + 2);
  uint32_t len = static_cast<uint32_t>(tiny.size());
  std::memcpy(tiny.data(), &len, 4);
  CHECK(!ParseTable(Header(tiny)).ok());
  // The wrong kind of message.
  CHECK(!ParseRule(Header(nft_golden::kNewTable)).ok());
  CHECK(!ParseChain(Header(nft_golden::kBatchBegin)).ok());
  // An expression list whose element is not NFTA_LIST_ELEM, or has no name.
  const Bytes not_elem = {0x08, 0x00, 0x02, 0x00, 0, 0, 0, 0};
  CHECK(!ParseExprList(not_elem.data(), not_elem.size()).ok());
  const Bytes no_name = {0x08, 0x00, 0x01, 0x80, 0x04, 0x00, 0x02, 0x80};
  CHECK(!ParseExprList(no_name.data(), no_name.size()).ok());
  // An attribute claiming more than there is.
  const Bytes overlong = {0x40, 0x00, 0x01, 0x80, 0x04, 0x00, 0x01, 0x00};
  CHECK(!ParseExprList(overlong.data(), overlong.size()).ok());
  // A malformed nest deep inside (cmp data) fails the whole rule.
  Bytes deep = nft_golden::kRuleMasquerade;
  // The cmp's NFTA_DATA_VALUE header: find "07 00 01 00 c6 12 04" and claim 0x30 bytes.
  for (size_t i = 0; i + 5 < deep.size(); ++i) {
    if (deep[i] == 0x07 && deep[i + 1] == 0 && deep[i + 2] == 1 && deep[i + 4] == 0xc6) {
      deep[i] = 0x30;
      break;
    }
  }
  CHECK(!ParseRule(Header(deep)).ok());
}

// Mutates valid messages at random and parses them; under ASan/UBSan any out-of-bounds read or
// undefined behaviour aborts the run.
void TestMutations() {
  std::mt19937 rng(4242);
  std::vector<Bytes> seeds;
  for (const Bytes* src :
       {&nft_golden::kReplyTables, &nft_golden::kReplyChains, &nft_golden::kReplyRules,
        &nft_golden::kReplyGen, &nft_golden::kRuleDnatIp6, &nft_golden::kRuleAddAfter}) {
    for (Bytes& m : Split(*src)) seeds.push_back(std::move(m));
  }
  for (int i = 0; i < 100000; ++i) {
    Bytes m = seeds[i % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) m[rng() % m.size()] = static_cast<uint8_t>(rng());
    if (rng() % 3 == 0) m.resize(NLMSG_HDRLEN + rng() % (m.size() - NLMSG_HDRLEN + 1));
    uint32_t len = static_cast<uint32_t>(m.size());
    uint32_t claimed;
    std::memcpy(&claimed, m.data(), 4);
    if (claimed > len || claimed < NLMSG_HDRLEN) std::memcpy(m.data(), &len, 4);
    std::unique_ptr<uint8_t[]> exact(new uint8_t[m.size()]);
    std::memcpy(exact.get(), m.data(), m.size());
    const nlmsghdr& h = *reinterpret_cast<const nlmsghdr*>(exact.get());
    (void)ParseTable(h);
    (void)ParseChain(h);
    Result<RuleInfo> r = ParseRule(h);
    (void)ParseGen(h);
    // Whatever decoded must encode again without trouble.
    if (r.ok() && !r.value().table.empty() && !r.value().chain.empty()) {
      RuleRequest req;
      req.table = r.value().table;
      req.chain = r.value().chain;
      req.exprs = r.value().exprs;
      (void)BuildNewRule(req);
    }
  }
  CHECK(true);
}

}  // namespace

int main() {
  TestTablesMatchNft();
  TestChainsMatchNft();
  TestRuleObjectsMatchNft();
  TestRulesetMatchesNft();
  TestMoreExpressionsMatchNft();
  TestHairpinMatchesNft();
  TestBridgeSpoofCheckMatchesNft();
  TestIp6AndInetMatchNft();
  TestMapsMatchNft();
  TestDecodeSetReply();
  TestDecodeSetElems();
  TestBatchFraming();
  TestBatchErrors();
  TestInputValidation();
  TestRuleComment();
  TestDecodeTableReply();
  TestDecodeChainReply();
  TestDecodeRuleReply();
  TestDecodeGen();
  TestRoundTrips();
  TestUnknownAttributesKept();
  TestMalformed();
  TestMutations();
  return test::Report("nft_test");
}
