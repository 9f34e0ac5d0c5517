// The nf_tables codec against the real kernel: batches built by native/nft are sent over a
// NETLINK_NETFILTER socket opened here with plain syscalls (the library's transport is not used),
// their ACKs read with extended ACKs on, and the result checked with `nft list ruleset` and
// `nft -j list ruleset` against what nft itself makes of the equivalent `nft -f` file in another
// fresh namespace. Then: our own dumps decoded, a rule deleted by handle, a failing batch shown to
// change nothing, a stale generation id refused, the table deleted.
//
// Needs root (CAP_SYS_ADMIN to unshare, CAP_NET_ADMIN for nf_tables) and nft. The first thing it
// does is unshare(CLONE_NEWNET): everything, including every nft it runs, happens in a throwaway
// network namespace, never in this machine's ruleset. scripts/native-test.sh runs it only as root.
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

// Before the kernel headers: glibc then tells linux/in.h not to define what it already did.
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../nft/batch.h"
#include "../nft/decode.h"
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

// ---- A minimal NETLINK_NETFILTER client ---------------------------------------------------------

// One reply: an NLMSG_ERROR (ACK) or a data message, with the seq it answers.
struct Reply {
  uint32_t seq = 0;
  uint16_t type = 0;
  int error = 0;            // NLMSG_ERROR: 0 or a positive errno
  std::string ext_msg;      // NLMSGERR_ATTR_MSG
  uint32_t ext_offset = 0;  // NLMSGERR_ATTR_OFFS
  Bytes bytes;              // the whole message
};

class Client {
 public:
  bool Open() {
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd_ < 0) return false;
    int one = 1;
    setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    return bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  ~Client() { Close(); }
  int fd() const { return fd_; }

  // Numbers the messages (distinct seqs, as a transport would) and sends them in ONE sendmsg.
  // Returns the seq of the first message.
  uint32_t Send(std::vector<Bytes> messages) {
    uint32_t first = next_seq_;
    std::vector<uint8_t> datagram;
    for (Bytes& m : messages) {
      uint32_t seq = next_seq_++;
      std::memcpy(m.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
      datagram.insert(datagram.end(), m.begin(), m.end());
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    iovec iov{datagram.data(), datagram.size()};
    msghdr mh{};
    mh.msg_name = &kernel;
    mh.msg_namelen = sizeof kernel;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = sendmsg(fd_, &mh, 0);
    if (n != static_cast<ssize_t>(datagram.size())) {
      std::fprintf(stderr, "sendmsg: %s\n", std::strerror(errno));
    }
    return first;
  }

  // Every reply already queued (MSG_DONTWAIT until EAGAIN). nfnetlink handles a batch inside
  // sendmsg(), so by the time Send() returns all of its replies are queued. `*err` gets a
  // receive error (ENOBUFS when replies were dropped for lack of buffer).
  std::vector<Reply> Drain(int* err = nullptr) {
    std::vector<Reply> out;
    if (err) *err = 0;
    std::vector<uint8_t> buf(1 << 16);
    for (;;) {
      ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        if (err) *err = errno;
        // ENOBUFS reports replies lost earlier; the ones that fitted are still queued.
        if (errno == ENOBUFS) continue;
        break;
      }
      Parse(buf.data(), static_cast<size_t>(n), &out);
    }
    return out;
  }

  // Reads until the NLMSG_DONE or NLMSG_ERROR answering `seq` (a dump or a single GET).
  std::vector<Reply> Until(uint32_t seq) {
    std::vector<Reply> out;
    std::vector<uint8_t> buf(1 << 16);
    for (;;) {
      ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "recv: %s\n", std::strerror(errno));
        return out;
      }
      size_t before = out.size();
      Parse(buf.data(), static_cast<size_t>(n), &out);
      for (size_t i = before; i < out.size(); ++i) {
        if (out[i].seq == seq && (out[i].type == NLMSG_DONE || out[i].type == NLMSG_ERROR)) {
          return out;
        }
        // A single GET is answered by one data message without NLM_F_MULTI.
        const nlmsghdr& h = *reinterpret_cast<const nlmsghdr*>(out[i].bytes.data());
        if (out[i].seq == seq && !(h.nlmsg_flags & NLM_F_MULTI)) return out;
      }
    }
  }

 private:
  static void Parse(const uint8_t* p, size_t len, std::vector<Reply>* out) {
    while (len >= NLMSG_HDRLEN) {
      nlmsghdr h;
      std::memcpy(&h, p, sizeof h);
      if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len) break;
      Reply r;
      r.seq = h.nlmsg_seq;
      r.type = h.nlmsg_type;
      r.bytes.assign(p, p + h.nlmsg_len);
      if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_len >= NLMSG_HDRLEN + sizeof(nlmsgerr)) {
        nlmsgerr e;
        std::memcpy(&e, p + NLMSG_HDRLEN, sizeof e);
        r.error = -e.error;
        // With NETLINK_CAP_ACK the request is not echoed: the TLVs follow nlmsgerr.
        size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof e);
        if (!(h.nlmsg_flags & NLM_F_CAPPED)) at += NLMSG_ALIGN(e.msg.nlmsg_len - NLMSG_HDRLEN);
        while ((h.nlmsg_flags & NLM_F_ACK_TLVS) && at + NLA_HDRLEN <= h.nlmsg_len) {
          nlattr a;
          std::memcpy(&a, p + at, sizeof a);
          if (a.nla_len < NLA_HDRLEN || at + a.nla_len > h.nlmsg_len) break;
          const char* data = reinterpret_cast<const char*>(p + at + NLA_HDRLEN);
          size_t dlen = a.nla_len - NLA_HDRLEN;
          if (a.nla_type == NLMSGERR_ATTR_MSG) r.ext_msg.assign(data, strnlen(data, dlen));
          if (a.nla_type == NLMSGERR_ATTR_OFFS && dlen >= 4) std::memcpy(&r.ext_offset, data, 4);
          at += NLA_ALIGN(a.nla_len);
        }
      }
      out->push_back(std::move(r));
      size_t step = NLMSG_ALIGN(h.nlmsg_len);
      if (step >= len) break;
      p += step;
      len -= step;
    }
  }

  int fd_ = -1;
  uint32_t next_seq_ = 1;
};

// Sends a batch; returns its replies. `first_seq` gets BEGIN's seq.
std::vector<Reply> RunBatch(Client* c, const std::vector<BatchMessage>& batch,
                            uint32_t* first_seq = nullptr, int* err = nullptr) {
  std::vector<Bytes> messages;
  for (const BatchMessage& m : batch) messages.push_back(m.bytes);
  uint32_t first = c->Send(std::move(messages));
  if (first_seq) *first_seq = first;
  return c->Drain(err);
}

// True when every command got its ACK, in order, with error 0, and nothing else came.
bool AllAcked(const std::vector<BatchMessage>& batch, const std::vector<Reply>& replies,
              uint32_t first_seq) {
  std::vector<uint32_t> want;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].expects_ack) want.push_back(first_seq + static_cast<uint32_t>(i));
  }
  if (replies.size() != want.size()) {
    std::fprintf(stderr, "%zu replies for %zu commands\n", replies.size(), want.size());
    return false;
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (replies[i].type != NLMSG_ERROR || replies[i].seq != want[i] || replies[i].error != 0) {
      std::fprintf(stderr, "reply %zu: seq %u type %u error %d (%s) %s\n", i, replies[i].seq,
                   replies[i].type, replies[i].error, std::strerror(replies[i].error),
                   replies[i].ext_msg.c_str());
      return false;
    }
  }
  return true;
}

// Finishes and sends a batch; true when it was committed (every command ACKed with 0).
bool Commit(Client* c, Batch batch) {
  Result<std::vector<BatchMessage>> messages = std::move(batch).Finish();
  if (!messages.ok()) return false;
  uint32_t seq;
  std::vector<Reply> replies = RunBatch(c, messages.value(), &seq);
  return AllAcked(messages.value(), replies, seq);
}

Batch Apply(const Ruleset& r) {
  Batch b;
  for (const auto& [family, name] : r.tables) b.Add(BuildNewTable(family, name, false));
  for (const ChainRequest& c : r.chains) b.Add(BuildNewChain(c, false));
  for (const RuleRequest& rule : r.rules) b.Add(BuildNewRule(rule));
  return b;
}

// ---- nft, only ever in a network namespace of our own -------------------------------------------

std::string Run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "`%s` failed:\n%s\n", command.c_str(), out.c_str());
  }
  return out;
}

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/nnt-nft-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "";
  ssize_t unused = write(fd, text.data(), text.size());
  (void)unused;
  close(fd);
  return path;
}

// What `nft list ruleset` (or `nft -j list ruleset`) shows after `nft -f FILE` and then `then`,
// in another fresh namespace.
std::string Reference(const std::string& file_text, const std::string& then, bool json) {
  std::string path = WriteTemp(file_text);
  std::string out = Run("unshare --net -- sh -c 'nft -f " + path + then + " && nft " +
                        (json ? "-j " : "") + "list ruleset' 2>&1");
  unlink(path.c_str());
  return out;
}

// The same, here, where our codec did the work.
std::string Ours(bool json) {
  return Run(std::string("nft ") + (json ? "-j " : "") + "list ruleset 2>&1");
}

void CheckSameAsNft(const char* what, const std::string& file_text, const std::string& then = "") {
  std::string want = Reference(file_text, then, false);
  std::string got = Ours(false);
  ++checks;
  if (got != want || want.empty()) {
    ++failures;
    std::fprintf(stderr, "%s: nft list ruleset differs\n--- nft made:\n%s--- we made:\n%s", what,
                 want.c_str(), got.c_str());
  }
  std::string want_json = Reference(file_text, then, true);
  std::string got_json = Ours(true);
  ++checks;
  if (got_json != want_json || want_json.empty()) {
    ++failures;
    std::fprintf(stderr, "%s: nft -j list ruleset differs\n--- nft:\n%s\n--- we:\n%s\n", what,
                 want_json.c_str(), got_json.c_str());
  }
}

// ---- The tests ----------------------------------------------------------------------------------

// Moves this (single-threaded) process into a new, empty network namespace and reopens the
// socket there; the nft processes started afterwards inherit it.
bool FreshNamespace(Client* c) {
  if (unshare(CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", std::strerror(errno));
    return false;
  }
  c->Close();
  return c->Open() && Ours(false).empty();
}

void TestRulesetLikeNft(Client* c) {
  struct Case {
    const char* name;
    Ruleset ruleset;
    const char* text;
  };
  const Case cases[] = {{"main ruleset", MainRuleset(), nft_golden::kRulesetNft},
                        {"more expressions", MoreRuleset(), nft_golden::kMoreNft},
                        {"ip6 and inet", Ip6Ruleset(), nft_golden::kIp6Nft},
                        {"hairpin", HairpinRuleset(), nft_golden::kHairpinNft}};
  for (const auto& [name, ruleset, text] : cases) {
    // Handles count from 1 in a new namespace, as in the one nft gets for the reference.
    CHECK(FreshNamespace(c));
    CHECK(Commit(c, Apply(ruleset)));
    CheckSameAsNft(name, text);
    // Deleting every table this ruleset made leaves nothing.
    Batch del;
    for (const auto& [family, table] : ruleset.tables) del.Add(BuildDelTable(family, table));
    CHECK(Commit(c, std::move(del)));
    CHECK(Ours(false).empty());
  }
}

// Our own dumps, decoded, then a rule deleted by the handle found there.
void TestDumpAndDeleteByHandle(Client* c) {
  CHECK(FreshNamespace(c));
  CHECK(Commit(c, Apply(MainRuleset())));

  // Generation.
  Result<Bytes> gen_req = BuildGetGen();
  std::vector<Reply> gen = c->Until(c->Send({gen_req.value()}));
  CHECK(gen.size() == 1 && ParseGen(*reinterpret_cast<const nlmsghdr*>(gen[0].bytes.data())).ok());

  // Tables and chains.
  std::vector<Reply> tables = c->Until(c->Send({BuildDumpTables(NFPROTO_UNSPEC).value()}));
  CHECK(tables.size() == 2 && tables.back().type == NLMSG_DONE);
  Result<TableInfo> t = ParseTable(*reinterpret_cast<const nlmsghdr*>(tables[0].bytes.data()));
  CHECK(t.ok() && t.value().name == kTable && t.value().family == NFPROTO_IPV4);

  std::vector<Reply> chains = c->Until(c->Send({BuildDumpChains(NFPROTO_IPV4).value()}));
  CHECK(chains.size() == 5);
  for (size_t i = 0; i + 1 < chains.size(); ++i) {
    Result<ChainInfo> ch = ParseChain(*reinterpret_cast<const nlmsghdr*>(chains[i].bytes.data()));
    CHECK(ch.ok() && ch.value().hook && ch.value().name == MainRuleset().chains[i].name);
  }

  // Single GETs: the one chain; and ENOENT for one that is not there, with the kernel's words.
  std::vector<Reply> one =
      c->Until(c->Send({BuildGetChain(NFPROTO_IPV4, kTable, "output").value()}));
  CHECK(one.size() == 1 &&
        ParseChain(*reinterpret_cast<const nlmsghdr*>(one[0].bytes.data())).value().name ==
            "output");
  std::vector<Reply> none =
      c->Until(c->Send({BuildGetChain(NFPROTO_IPV4, kTable, "nope").value()}));
  CHECK(none.size() == 1 && none[0].type == NLMSG_ERROR && none[0].error == ENOENT);

  // Rules of one chain, then of the table.
  std::vector<Reply> fwd =
      c->Until(c->Send({BuildDumpRules(NFPROTO_IPV4, kTable, "forward").value()}));
  CHECK(fwd.size() == 5);  // 4 rules + DONE
  std::vector<Reply> rules = c->Until(c->Send({BuildDumpRules(NFPROTO_IPV4, kTable, "").value()}));
  CHECK(rules.size() == 11);
  uint64_t pub_handle = 0;
  int pub_rules = 0;
  for (const Reply& r : rules) {
    if (r.type == NLMSG_DONE) continue;
    Result<RuleInfo> info = ParseRule(*reinterpret_cast<const nlmsghdr*>(r.bytes.data()));
    CHECK(info.ok());
    if (!info.ok()) continue;
    if (info.value().comment == std::optional<std::string>("pub:x:8080")) {
      ++pub_rules;
      if (info.value().chain == "prerouting") pub_handle = info.value().handle;
    }
  }
  CHECK(pub_rules == 5);
  CHECK(pub_handle == 8);  // as nft -a shows it for the same file

  // Delete it by handle: exactly what nft shows after `nft delete rule ... handle 8`.
  Batch del;
  del.Add(BuildDelRule(NFPROTO_IPV4, kTable, "prerouting", pub_handle));
  CHECK(Commit(c, std::move(del)));
  const std::string deleted = " && nft delete rule ip netns-native prerouting handle 8";
  CheckSameAsNft("after deleting the prerouting rule", nft_golden::kRulesetNft, deleted);

  // A chain goes with its rules.
  Batch chain;
  chain.Add(BuildDelChain(NFPROTO_IPV4, kTable, "output"));
  CHECK(Commit(c, std::move(chain)));
  const std::string chain_deleted = deleted + " && nft delete chain ip netns-native output";
  CheckSameAsNft("after deleting chain output", nft_golden::kRulesetNft, chain_deleted);

  // Insert before and add after a given rule, in one batch, as two nft commands do.
  Batch place;
  RuleRequest before = Rule(NFPROTO_IPV4, "forward", {Drop()});
  before.position = 12;
  before.insert = true;
  place.Add(BuildNewRule(before));
  RuleRequest after = Rule(NFPROTO_IPV4, "forward", {Counter(), Drop()}, "after 12");
  after.position = 12;
  place.Add(BuildNewRule(after));
  CHECK(Commit(c, std::move(place)));
  CheckSameAsNft("after insert/add at position 12", nft_golden::kRulesetNft,
                 chain_deleted +
                     " && nft insert rule ip netns-native forward position 12 drop"
                     " && nft add rule ip netns-native forward position 12 counter drop"
                     " comment \\\"after 12\\\"");
}

// A batch with one bad command changes nothing, though the good commands are ACKed with 0.
void TestBatchIsAtomic(Client* c) {
  std::string before = Ours(false);
  Batch b;
  b.Add(BuildNewRule(Rule(NFPROTO_IPV4, "forward", {Accept()}, "never committed")));
  b.Add(BuildNewChain(RegularChain(NFPROTO_IPV4, "never"), false));
  Result<Bytes> bad = BuildDelRule(NFPROTO_IPV4, kTable, "forward", 9999);
  b.Add(bad.value());
  Result<std::vector<BatchMessage>> batch = std::move(b).Finish();
  CHECK(batch.ok());
  if (!batch.ok()) return;
  uint32_t seq;
  std::vector<Reply> replies = RunBatch(c, batch.value(), &seq);
  CHECK(replies.size() == 3);
  if (replies.size() == 3) {
    CHECK(replies[0].seq == seq + 1 && replies[0].error == 0);
    CHECK(replies[1].seq == seq + 2 && replies[1].error == 0);
    CHECK(replies[2].seq == seq + 3 && replies[2].error == ENOENT);
    // Extended ACK: the offending attribute, NFTA_RULE_HANDLE, by its offset in our message.
    size_t handle_at = bad.value().size() - NLA_HDRLEN - 8;
    CHECK(replies[2].ext_offset == handle_at);
  }
  CHECK(Ours(false) == before);
}

// NFNL_BATCH_GENID: a batch made against an older generation is refused as a whole.
void TestGenerationCheck(Client* c) {
  std::vector<Reply> gen = c->Until(c->Send({BuildGetGen().value()}));
  Result<GenInfo> g = ParseGen(*reinterpret_cast<const nlmsghdr*>(gen[0].bytes.data()));
  CHECK(g.ok());
  if (!g.ok()) return;

  Batch stale(g.value().id - 1);
  stale.Add(BuildNewChain(RegularChain(NFPROTO_IPV4, "extra"), false));
  Result<std::vector<BatchMessage>> s = std::move(stale).Finish();
  uint32_t seq;
  std::vector<Reply> replies = RunBatch(c, s.value(), &seq);
  // One error, for BEGIN, and nothing for the commands: the kernel stopped before them.
  CHECK(replies.size() == 1 && replies[0].seq == seq && replies[0].error == ERESTART);

  Batch fresh(g.value().id);
  fresh.Add(BuildNewChain(RegularChain(NFPROTO_IPV4, "extra"), false));
  fresh.Add(BuildDelChain(NFPROTO_IPV4, kTable, "extra"));
  CHECK(Commit(c, std::move(fresh)));
}

// Deleting the table removes everything; a second delete is ENOENT.
void TestDeleteTable(Client* c) {
  Batch b;
  b.Add(BuildDelTable(NFPROTO_IPV4, kTable));
  Result<std::vector<BatchMessage>> batch = std::move(b).Finish();
  CHECK(batch.ok());
  if (!batch.ok()) return;
  uint32_t seq;
  std::vector<Reply> first = RunBatch(c, batch.value(), &seq);
  CHECK(AllAcked(batch.value(), first, seq));
  CHECK(Ours(false).empty());
  std::vector<Reply> again = RunBatch(c, batch.value(), &seq);
  CHECK(again.size() == 1 && again[0].error == ENOENT);
  std::vector<Reply> get = c->Until(c->Send({BuildGetTable(NFPROTO_IPV4, kTable).value()}));
  CHECK(get.size() == 1 && get[0].error == ENOENT);
}

// The published-port maps of maps.nft, made by the codec: `nft list ruleset` as nft's own; then
// elements added with EXCL (a taken key is EEXIST), dumped and decoded, deleted by key (a second
// delete is ENOENT), and a map still looked up cannot go (EBUSY).
std::vector<Reply> RunOne(Client* c, Result<Bytes> command, uint32_t* seq) {
  Batch b;
  b.Add(std::move(command));
  Result<std::vector<BatchMessage>> m = std::move(b).Finish();
  if (!m.ok()) return {};
  return RunBatch(c, m.value(), seq);
}

int OneError(Client* c, Result<Bytes> command) {
  uint32_t seq;
  std::vector<Reply> r = RunOne(c, std::move(command), &seq);
  return r.size() == 1 ? r[0].error : -1;
}

void TestPublishMaps(Client* c) {
  CHECK(FreshNamespace(c));
  auto dnat = [](uint8_t family, const char* name, bool by_daddr) {
    Statement st;
    st.kind = by_daddr ? Statement::Kind::kDnatMapDaddr : Statement::Kind::kDnatMap;
    st.family = family;
    st.name = name;
    return S(st);
  };
  Statement not_bridge;
  not_bridge.kind = Statement::Kind::kIifname;
  not_bridge.name = "br-x";
  not_bridge.op = NFT_CMP_NEQ;
  Exprs local = S(Make(Statement::Kind::kDaddrLocal));
  Batch b;
  // In nft's order: table, chain, maps, rules (handles then match).
  b.Add(BuildNewTable(NFPROTO_IPV4, kTable, false));
  b.Add(BuildNewChain(
      BaseChain(NFPROTO_IPV4, "prerouting", NF_INET_PRE_ROUTING, -100, "nat", NF_ACCEPT), false));
  b.Add(BuildNewSet(PubMap(NFPROTO_IPV4, "pub-any-x", false, 1), false));
  b.Add(BuildNewSet(PubMap(NFPROTO_IPV4, "pub-addr-x", true, 2), false));
  b.Add(BuildNewRule(Rule(NFPROTO_IPV4, "prerouting",
                          S(not_bridge) + local + dnat(NFPROTO_IPV4, "pub-any-x", false))));
  b.Add(BuildNewRule(
      Rule(NFPROTO_IPV4, "prerouting", S(not_bridge) + dnat(NFPROTO_IPV4, "pub-addr-x", true))));
  b.Add(BuildNewTable(NFPROTO_IPV6, kTable, false));
  b.Add(BuildNewChain(BaseChain(NFPROTO_IPV6, "output", NF_INET_LOCAL_OUT, -100, "nat", NF_ACCEPT),
                      false));
  b.Add(BuildNewSet(PubMap(NFPROTO_IPV6, "pub-any-x", false, 3), false));
  b.Add(BuildNewSet(PubMap(NFPROTO_IPV6, "pub-addr-x", true, 4), false));
  b.Add(BuildNewRule(Rule(NFPROTO_IPV6, "output", local + dnat(NFPROTO_IPV6, "pub-any-x", false))));
  b.Add(BuildNewRule(Rule(NFPROTO_IPV6, "output", dnat(NFPROTO_IPV6, "pub-addr-x", true))));
  CHECK(Commit(c, std::move(b)));

  SetElement any{ConcatData({U8Data(IPPROTO_TCP), Be16Data(8080)}),
                 ConcatData({Bytes{198, 18, 4, 2}, Be16Data(80)})};
  SetElement addr{ConcatData({Bytes{198, 51, 100, 1}, U8Data(IPPROTO_UDP), Be16Data(53)}),
                  ConcatData({Bytes{198, 18, 4, 3}, Be16Data(5353)})};
  Batch elems;
  elems.Add(BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {any}, true));
  elems.Add(BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-addr-x", {addr}, true));
  CHECK(Commit(c, std::move(elems)));
  CheckSameAsNft("published-port maps", nft_golden::kMapsNft,
                 "; nft add element ip netns-native pub-any-x \"{ tcp . 8080 : 198.18.4.2 . 80 }\""
                 " && nft add element ip netns-native pub-addr-x"
                 " \"{ 198.51.100.1 . udp . 53 : 198.18.4.3 . 5353 }\"");

  // The same key again, with EXCL: EEXIST, even with other data; the element is unchanged.
  SetElement other{any.key, ConcatData({Bytes{198, 18, 4, 9}, Be16Data(81)})};
  CHECK(OneError(c, BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {other}, true)) == EEXIST);
  // Without EXCL: the same element is accepted, other data for the key is refused.
  CHECK(OneError(c, BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {any}, false)) == 0);
  CHECK(OneError(c, BuildNewSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {other}, false)) != 0);

  // Our dump, decoded.
  std::vector<Reply> dump =
      c->Until(c->Send({BuildDumpSetElems(NFPROTO_IPV4, kTable, "pub-any-x").value()}));
  std::vector<SetElemInfo> got;
  for (const Reply& r : dump) {
    if (r.type != MessageType(NFT_MSG_NEWSETELEM)) continue;
    Result<std::vector<SetElemInfo>> e =
        ParseSetElems(*reinterpret_cast<const nlmsghdr*>(r.bytes.data()));
    CHECK(e.ok());
    if (e.ok()) got.insert(got.end(), e.value().begin(), e.value().end());
  }
  CHECK(got.size() == 1 && got[0].key == any.key && got[0].data == any.data &&
        got[0].set == "pub-any-x" && got[0].table == kTable);
  std::vector<Reply> sets = c->Until(c->Send({BuildDumpSets(NFPROTO_IPV4, kTable).value()}));
  size_t maps = 0;
  for (const Reply& r : sets) {
    if (r.type != MessageType(NFT_MSG_NEWSET)) continue;
    Result<SetInfo> s = ParseSet(*reinterpret_cast<const nlmsghdr*>(r.bytes.data()));
    CHECK(s.ok() && s.value().flags == NFT_SET_MAP && s.value().table == kTable);
    ++maps;
  }
  CHECK(maps == 2);

  // Deleted by key; a second time ENOENT; a map a rule looks up cannot go.
  CHECK(OneError(c, BuildDelSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {any})) == 0);
  CHECK(OneError(c, BuildDelSetElems(NFPROTO_IPV4, kTable, "pub-any-x", {any})) == ENOENT);
  CHECK(Run("nft list map ip netns-native pub-any-x").find("elements") == std::string::npos);
  CHECK(OneError(c, BuildDelSet(NFPROTO_IPV4, kTable, "pub-any-x")) == EBUSY);
  Batch del;
  del.Add(BuildDelTable(NFPROTO_IPV4, kTable));
  del.Add(BuildDelTable(NFPROTO_IPV6, kTable));
  CHECK(Commit(c, std::move(del)));
  CHECK(Ours(false).empty());
}

// With NLM_F_ACK on every command, a big batch needs a receive buffer to match: the kernel queues
// every ACK during sendmsg() and drops those that do not fit; recv then reports ENOBUFS once, and
// the ACKs that fitted can still be read.
void TestAcksNeedReceiveBuffer() {
  Client small;
  CHECK(small.Open());
  int size = 16384;  // the kernel doubles it
  setsockopt(small.fd(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  socklen_t len = sizeof size;
  getsockopt(small.fd(), SOL_SOCKET, SO_RCVBUF, &size, &len);
  Batch b;
  b.Add(BuildNewTable(NFPROTO_IPV4, "nnt-acks", false));
  for (int i = 0; i < 200; ++i) {
    ChainRequest chain = RegularChain(NFPROTO_IPV4, "c");
    chain.table = "nnt-acks";
    chain.name = "c" + std::to_string(i);
    b.Add(BuildNewChain(chain, false));
  }
  b.Add(BuildDelTable(NFPROTO_IPV4, "nnt-acks"));
  Result<std::vector<BatchMessage>> batch = std::move(b).Finish();
  uint32_t seq;
  int err = 0;
  std::vector<Reply> replies = RunBatch(&small, batch.value(), &seq, &err);
  CHECK(!replies.empty() && replies.size() < 202 && err == ENOBUFS);
  std::printf("note: a %d-byte receive buffer held %zu of 202 ACKs (%zu bytes each)\n", size,
              replies.size(), replies.empty() ? 0 : static_cast<size_t>(size) / replies.size());
}

}  // namespace

int main() {
  if (geteuid() != 0) {
    std::printf("nft_kernel_test: SKIPPED: not root\n");
    return 0;
  }
  // Everything below, every nft included, happens in a network namespace of our own.
  if (unshare(CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", std::strerror(errno));
    return 1;
  }
  if (!Ours(false).empty()) {
    std::fprintf(stderr, "a fresh namespace should have no ruleset\n");
    return 1;
  }
  Client c;
  if (!c.Open()) {
    std::fprintf(stderr, "NETLINK_NETFILTER socket: %s\n", std::strerror(errno));
    return 1;
  }
  TestRulesetLikeNft(&c);
  TestDumpAndDeleteByHandle(&c);
  TestBatchIsAtomic(&c);
  TestGenerationCheck(&c);
  TestDeleteTable(&c);
  TestPublishMaps(&c);
  TestAcksNeedReceiveBuffer();
  return test::Report("nft_kernel_test");
}
