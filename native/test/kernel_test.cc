// The netlink transport, engine and runner against the real kernel, and the namespace handle's
// sockets: a NETLINK_ROUTE round trip, batching, a NETLINK_NETFILTER batch (framing, an error
// for BATCH_BEGIN failing its exchange), an interrupted dump retried for real, ENOBUFS breaking a
// socket that the handle then drops and reopens, a timeout breaking a socket, sequence numbers
// wrapping on a real socket.
//
// Needs root (CAP_NET_ADMIN) and changes the namespace it runs in (creates bridges and an
// nftables table): scripts/native-test.sh runs it inside `unshare --net`, and it refuses to run
// unless NETNS_NATIVE_KERNEL_TEST=1 says it is in such a throwaway namespace.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../netlink/message.h"
#include "../netlink/socket.h"
#include "../ns/handle.h"
#include "../ns/netns.h"
#include "../ns/ns_thread.h"
#include "../rtnl/link.h"
#include "../rtnl/link_kind.h"
#include "../rtnl/nexthop.h"
#include "../rtnl/operation.h"
#include "check.h"

using namespace netns_native;
using netns_native::test::checks;
using netns_native::test::failures;

namespace {

using Ops = std::vector<std::unique_ptr<rtnl::Operation>>;

std::vector<rtnl::Operation*> Pointers(const Ops& ops) {
  std::vector<rtnl::Operation*> out;
  for (auto& op : ops) out.push_back(op.get());
  return out;
}

std::unique_ptr<rtnl::Operation> NewBridge(const std::string& name) {
  rtnl::LinkRequest req;
  req.name = name;
  req.kind = "bridge";
  return std::make_unique<rtnl::Operation>(rtnl::BuildNewLink(req, NLM_F_CREATE | NLM_F_EXCL),
                                           false);
}

std::unique_ptr<rtnl::Operation> GetLo() {
  return std::make_unique<rtnl::Operation>(rtnl::BuildGetLink(1, ""), false);
}

// Runs `cmd` and returns its standard output (an independent witness: iproute2, nft).
std::string Run(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

// Link indexes of a full dump on a fresh socket, or empty on failure.
std::vector<int32_t> DumpIndexes() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  if (!s.ok()) return {};
  rtnl::Operation dump(rtnl::BuildDumpLinks(0, ""), true);
  if (!rtnl::RunOperations(s.value(), {&dump}).ok() || !dump.status().ok()) return {};
  std::vector<int32_t> out;
  for (const auto& l : dump.links) out.push_back(l.index);
  std::sort(out.begin(), out.end());
  return out;
}

void TestRouteRoundTrip() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  CHECK(s.ok());
  if (!s.ok()) return;
  CHECK(s.value().port_id() != 0 && s.value().protocol() == NETLINK_ROUTE);
  rtnl::Operation lo(rtnl::BuildGetLink(1, ""), false);
  rtnl::Operation missing(rtnl::BuildGetLink(0, "nnt-nope"), false);
  rtnl::Operation dump(rtnl::BuildDumpLinks(0, ""), true);
  rtnl::Operation after(rtnl::BuildGetLink(1, ""), false);
  CHECK(rtnl::RunOperations(s.value(), {&lo, &missing, &dump, &after}).ok());
  CHECK(lo.status().ok() && lo.links.size() == 1 && lo.links[0].name == "lo");
  CHECK(!missing.status().ok() && missing.status().error().code == ENODEV);
  CHECK(dump.status().ok() && !dump.links.empty() && dump.links[0].name == "lo");
  CHECK(after.status().ok() && after.links.size() == 1);
  // Up to and including the dump in one sendmsg, the rest in the next.
  CHECK(s.value().stats().sendmsg_calls == 2);

  // 130 requests: 64 + 64 + 2.
  Ops many;
  for (int i = 0; i < 130; ++i) many.push_back(GetLo());
  uint64_t before = s.value().stats().sendmsg_calls;
  CHECK(rtnl::RunOperations(s.value(), Pointers(many)).ok());
  CHECK(s.value().stats().sendmsg_calls - before == 3);
  bool all = true;
  for (auto& op : many) all = all && op->status().ok() && op->links.size() == 1;
  CHECK(all);
  CHECK(!s.value().broken());
  CHECK(s.value().engine().pending() == 0);
}

// A nexthop added without NHA_ID and with NLM_F_ECHO: the kernel picks the id and sends the
// nexthop back before the ACK (its notification, unicast to us), which the operation collects;
// `ip -j nexthop show` lists that id. Without NLM_F_ECHO nothing comes back but the ACK.
void TestNexthopEcho() {
  Run("ip link set lo up");  // a blackhole nexthop hangs on lo
  Result<netlink::Socket> s = netlink::Socket::Open();
  CHECK(s.ok());
  if (!s.ok()) return;
  rtnl::NexthopObjectRequest req;
  req.family = AF_INET;
  req.blackhole = true;
  const uint16_t add = NLM_F_CREATE | NLM_F_EXCL;
  rtnl::Operation first(rtnl::BuildNewNexthop(req, add | NLM_F_ECHO), false);
  rtnl::Operation second(rtnl::BuildNewNexthop(req, add | NLM_F_ECHO), false);
  rtnl::Operation silent(rtnl::BuildNewNexthop(req, add), false);
  CHECK(rtnl::RunOperations(s.value(), {&first, &second, &silent}).ok());
  CHECK(first.status().ok() && first.nexthops.size() == 1);
  CHECK(second.status().ok() && second.nexthops.size() == 1);
  CHECK(silent.status().ok() && silent.nexthops.empty());
  if (first.nexthops.size() != 1 || second.nexthops.size() != 1) return;
  uint32_t a = first.nexthops[0].id, b = second.nexthops[0].id;
  CHECK(a != 0 && b != 0 && a != b && first.nexthops[0].blackhole);
  std::string listed = Run("ip -j nexthop show");
  CHECK(listed.find("\"id\":" + std::to_string(a) + ",") != std::string::npos);
  CHECK(listed.find("\"id\":" + std::to_string(b) + ",") != std::string::npos);
  Run("ip nexthop flush >/dev/null");
  CHECK(s.value().engine().pending() == 0);
}

// The sequence counter crossing 2^32 on a real socket: the kernel echoes whatever we send, and
// every reply still finds its request.
void TestSequenceWrap() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  CHECK(s.ok());
  if (!s.ok()) return;
  s.value().engine().set_next_seq(UINT32_MAX - 2);
  Ops ops;
  for (int i = 0; i < 6; ++i) ops.push_back(GetLo());
  ops.push_back(std::make_unique<rtnl::Operation>(rtnl::BuildDumpLinks(0, ""), true));
  ops.push_back(std::make_unique<rtnl::Operation>(rtnl::BuildGetLink(0, "nnt-nope"), false));
  CHECK(rtnl::RunOperations(s.value(), Pointers(ops)).ok());
  std::set<uint32_t> seqs;
  for (int i = 0; i < 6; ++i) {
    CHECK(ops[i]->status().ok() && ops[i]->links.size() == 1 && ops[i]->links[0].index == 1);
    seqs.insert(ops[i]->request().seq);
  }
  CHECK(ops[6]->status().ok() && !ops[6]->links.empty());
  CHECK(!ops[7]->status().ok() && ops[7]->status().error().code == ENODEV);
  CHECK(seqs.count(UINT32_MAX) == 1 && seqs.count(1) == 1 && seqs.count(0) == 0);
  CHECK(ops[7]->request().seq == 5);
}

// nfnetlink: a batch is BATCH_BEGIN, commands (each ACKed), BATCH_END, in one sendmsg.
std::vector<uint8_t> NewTable(const std::string& name, uint16_t flags) {
  netlink::MessageBuilder b((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE,
                            NLM_F_REQUEST | NLM_F_CREATE | flags);
  nfgenmsg g{};
  g.nfgen_family = NFPROTO_INET;
  g.version = NFNETLINK_V0;
  b.PutHeader(g);
  b.PutString(NFTA_TABLE_NAME, name);
  return std::move(b).Finish().take();
}

void TestNetfilterBatch() {
  netlink::TransportOptions options = netlink::TransportOptions::ForProtocol(NETLINK_NETFILTER);
  Result<netlink::Socket> s = netlink::Socket::Open(options);
  CHECK(s.ok());
  if (!s.ok()) return;
  CHECK(s.value().protocol() == NETLINK_NETFILTER);

  {
    netlink::Exchange x;
    netlink::Request* add =
        x.Own(netlink::Request(NewTable("nnt-engine", 0), netlink::Expect::kAck));
    netlink::FrameNfnlBatch(&x, NFNL_SUBSYS_NFTABLES);
    CHECK(s.value().Run(&x).ok());
    CHECK(x.done() && x.status().ok() && add->status.ok());
    CHECK(Run("nft list tables 2>&1").find("table inet nnt-engine") != std::string::npos);
  }
  {
    // A refused command fails itself; the framing got no reply and the exchange is fine.
    netlink::Exchange x;
    netlink::Request* again =
        x.Own(netlink::Request(NewTable("nnt-engine", NLM_F_EXCL), netlink::Expect::kAck));
    netlink::FrameNfnlBatch(&x, NFNL_SUBSYS_NFTABLES);
    CHECK(s.value().Run(&x).ok());
    CHECK(x.status().ok() && !again->status.ok() && again->status.error().code == EEXIST);
  }
  {
    // A stale generation id: nfnetlink_rcv_batch refuses the batch with ERESTART, reported
    // against BATCH_BEGIN, and never looks at the command: only the kNone rule ends the wait.
    netlink::Exchange x;
    netlink::Request* add =
        x.Own(netlink::Request(NewTable("nnt-engine2", 0), netlink::Expect::kAck));
    netlink::FrameNfnlBatch(&x, NFNL_SUBSYS_NFTABLES, 0xdeadbeef);
    CHECK(s.value().Run(&x, 5000).ok());
    CHECK(x.done() && !x.status().ok() && x.status().error().code == ERESTART);
    CHECK(!add->status.ok() && add->status.error().code == ERESTART);
    CHECK(Run("nft list tables 2>&1").find("nnt-engine2") == std::string::npos);
  }
  {
    // An unknown subsystem: EINVAL for BATCH_BEGIN.
    netlink::Exchange x;
    netlink::Request* add =
        x.Own(netlink::Request(NewTable("nnt-engine3", 0), netlink::Expect::kAck));
    netlink::FrameNfnlBatch(&x, 200);
    CHECK(s.value().Run(&x, 5000).ok());
    CHECK(!x.status().ok() && x.status().error().code == EINVAL);
    CHECK(!add->status.ok());
  }
  CHECK(!s.value().broken() && s.value().engine().pending() == 0);
}

// Adds a bridge through its own socket the first time it sees a data message: between two
// chunks of the dump being read, so the kernel flags the following chunk NLM_F_DUMP_INTR
// (rtnl_dump_ifinfo compares dev_base_seq across calls, nl_dump_check_consistent).
class ChurnOnFirstMessage : public netlink::ReplyHandler {
 public:
  explicit ChurnOnFirstMessage(netlink::Socket* other) : other_(other) {}
  Status OnMessage(const nlmsghdr& msg) override {
    if (!churned_) {
      churned_ = true;
      auto add = NewBridge("nntc0");
      churn_status_ = rtnl::RunOperations(*other_, {add.get()}).ok() && add->status().ok();
    }
    Result<rtnl::LinkInfo> l = rtnl::ParseLink(msg);
    if (l.ok()) links.push_back(l.take());
    return Status();
  }
  void OnRestart() override {
    links.clear();
    ++restarts;
  }
  std::vector<rtnl::LinkInfo> links;
  int restarts = 0;
  bool churn_status_ = false;

 private:
  netlink::Socket* other_;
  bool churned_ = false;
};

constexpr int kBridges = 150;

void CreateBridges(netlink::Socket& s) {
  Ops ops;
  for (int i = 0; i < kBridges; ++i) ops.push_back(NewBridge("nntb" + std::to_string(i)));
  CHECK(rtnl::RunOperations(s, Pointers(ops)).ok());
  bool all = true;
  for (auto& op : ops) all = all && op->status().ok();
  CHECK(all);
}

// Every one of our bridges exactly once, and no index twice.
bool Consistent(const std::vector<rtnl::LinkInfo>& links) {
  std::set<int32_t> indexes;
  std::set<std::string> ours;
  for (const auto& l : links) {
    if (!indexes.insert(l.index).second) return false;
    if (l.name.rfind("nntb", 0) == 0 && !ours.insert(l.name).second) return false;
  }
  return ours.size() == kBridges;
}

void TestDumpInterruptedIsRetried() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  Result<netlink::Socket> other = netlink::Socket::Open();
  CHECK(s.ok() && other.ok());
  if (!s.ok() || !other.ok()) return;
  CreateBridges(other.value());

  ChurnOnFirstMessage handler(&other.value());
  netlink::Request dump(rtnl::BuildDumpLinks(0, "").take(), netlink::Expect::kDump, &handler);
  CHECK(s.value().Transact({&dump}).ok());
  CHECK(handler.churn_status_);
  CHECK(dump.status.ok());
  CHECK(s.value().stats().dump_retries >= 1);  // the kernel really flagged the first run
  CHECK(handler.restarts == static_cast<int>(s.value().stats().dump_retries));
  CHECK(!dump.interrupted);  // the run that was kept was clean
  CHECK(Consistent(handler.links));
  // The result is the namespace as it is now, the bridge added mid-dump included.
  std::vector<int32_t> got;
  for (const auto& l : handler.links) got.push_back(l.index);
  std::sort(got.begin(), got.end());
  CHECK(got == DumpIndexes());
  bool has_churn = false;
  for (const auto& l : handler.links) has_churn = has_churn || l.name == "nntc0";
  CHECK(has_churn);
}

// Another thread adds and deletes a bridge without pause while we dump: every dump we accept
// is consistent (or, interrupted too often, fails with EINTR); some are retried.
void TestDumpUnderChurn() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  CHECK(s.ok());
  if (!s.ok()) return;
  std::mutex mu;
  std::condition_variable cv;
  int cycles = 0;
  std::atomic<bool> stop{false};
  std::atomic<bool> churn_ok{true};
  std::thread churn([&] {
    Result<netlink::Socket> c = netlink::Socket::Open();
    if (!c.ok()) {
      churn_ok = false;
      std::lock_guard<std::mutex> lock(mu);
      cycles = -1;
      cv.notify_all();
      return;
    }
    while (!stop) {
      auto add = NewBridge("nntx");
      auto del = std::make_unique<rtnl::Operation>(rtnl::BuildDelLink(0, "nntx"), false);
      if (!rtnl::RunOperations(c.value(), {add.get(), del.get()}).ok() || !add->status().ok() ||
          !del->status().ok()) {
        churn_ok = false;
      }
      std::lock_guard<std::mutex> lock(mu);
      ++cycles;
      cv.notify_all();
    }
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return cycles != 0; });
  }
  int accepted = 0, gave_up = 0, inconsistent = 0, other_errors = 0;
  for (int i = 0; i < 300 && s.value().stats().dump_retries == 0; ++i) {
    rtnl::Operation dump(rtnl::BuildDumpLinks(0, ""), true);
    CHECK(rtnl::RunOperations(s.value(), {&dump}).ok());
    if (dump.status().ok()) {
      ++accepted;
      if (!Consistent(dump.links)) ++inconsistent;
    } else if (dump.status().error().code == EINTR) {
      ++gave_up;
    } else {
      ++other_errors;
    }
  }
  stop = true;
  churn.join();
  CHECK(churn_ok);
  CHECK(s.value().stats().dump_retries > 0);
  CHECK(inconsistent == 0 && other_errors == 0);
  std::printf("kernel: under churn %d dumps accepted, %d gave up, %llu retries\n", accepted,
              gave_up, static_cast<unsigned long long>(s.value().stats().dump_retries));
}

// Adds a bridge through its own socket on the first data message of each of the first `runs`
// runs of a dump (every run, with runs < 0): each of those runs is flagged NLM_F_DUMP_INTR.
class ChurnOnRuns : public netlink::ReplyHandler {
 public:
  ChurnOnRuns(netlink::Socket* other, std::string prefix, int runs)
      : other_(other), prefix_(std::move(prefix)), runs_(runs) {}
  Status OnMessage(const nlmsghdr&) override {
    if (!churned_ && (runs_ < 0 || run_ < runs_)) {
      churned_ = true;
      auto add = NewBridge(prefix_ + std::to_string(run_));
      churn_ok = churn_ok && rtnl::RunOperations(*other_, {add.get()}).ok() && add->status().ok();
    }
    ++messages;
    return Status();
  }
  void OnRestart() override {
    ++run_;
    churned_ = false;
    messages = 0;
  }
  int runs() const { return run_ + 1; }
  bool churn_ok = true;
  int messages = 0;

 private:
  netlink::Socket* other_;
  std::string prefix_;
  int runs_;
  int run_ = 0;
  bool churned_ = false;
};

// The retry policy itself: the first runs at once, then backoff, never past the budget, and a
// bound of about a second or more in all.
void TestDumpRetryPolicy() {
  using netlink::RetryInterruptedDump;
  CHECK(netlink::kDumpRetryBudgetMs >= 1000);
  for (int a = 1; a <= netlink::kDumpRetryImmediate; ++a) CHECK(RetryInterruptedDump(a, 0) == 0);
  int64_t elapsed = 0, previous = 0;
  int attempts = 1;
  bool grew = false;
  for (; attempts < 100000; ++attempts) {
    int64_t d = RetryInterruptedDump(attempts, elapsed);
    if (d < 0) break;
    CHECK(d <= netlink::kDumpRetryMaxDelayMs && elapsed + d <= netlink::kDumpRetryBudgetMs);
    grew = grew || d > previous;
    previous = d;
    elapsed += d;
  }
  CHECK(grew);
  CHECK(elapsed == netlink::kDumpRetryBudgetMs);  // waits until the budget, then gives up
  CHECK(RetryInterruptedDump(1, netlink::kDumpRetryBudgetMs) < 0);
  CHECK(RetryInterruptedDump(netlink::kDumpRetryImmediate + 1, 0) > 0);
}

// A burst of changes longer than the immediate retries: the dump backs off, sleeps, and then
// completes with a clean run.
void TestDumpWaitsOutABurst() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  Result<netlink::Socket> other = netlink::Socket::Open();
  CHECK(s.ok() && other.ok());
  if (!s.ok() || !other.ok()) return;
  ChurnOnRuns burst(&other.value(), "nntu", netlink::kDumpRetryImmediate + 3);
  netlink::Request dump(rtnl::BuildDumpLinks(0, "").take(), netlink::Expect::kDump, &burst);
  CHECK(s.value().Transact({&dump}).ok());
  CHECK(burst.churn_ok);
  CHECK(dump.status.ok() && !dump.interrupted);
  CHECK(burst.runs() == netlink::kDumpRetryImmediate + 4);
  CHECK(s.value().stats().dump_waits == 3);
  CHECK(burst.messages == static_cast<int>(DumpIndexes().size()));
}

// Churn on every run: after the budget the dump fails with EINTR saying why; on a thread that
// may not sleep it stops (kStop) or gives up (kGiveUp) instead of waiting.
void TestDumpChurnEveryRun() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  Result<netlink::Socket> other = netlink::Socket::Open();
  CHECK(s.ok() && other.ok());
  if (!s.ok() || !other.ok()) return;
  {
    ChurnOnRuns always(&other.value(), "nntv", -1);
    netlink::Request dump(rtnl::BuildDumpLinks(0, "").take(), netlink::Expect::kDump, &always);
    int64_t t0 = netlink::MonotonicMs();
    CHECK(s.value().Transact({&dump}).ok());  // the socket is fine; the dump failed
    int64_t took = netlink::MonotonicMs() - t0;
    CHECK(always.churn_ok);
    CHECK(!dump.status.ok() && dump.status.error().code == EINTR);
    CHECK(dump.status.error().detail.find("interrupted by concurrent changes") !=
          std::string::npos);
    CHECK(took >= netlink::kDumpRetryBudgetMs);
    CHECK(always.runs() > netlink::kDumpRetryImmediate + 1);
    CHECK(s.value().stats().dumps_given_up == 1);
    CHECK(!s.value().broken());
  }
  {
    // kStop: the dump and the request after it are left unfinished; the one before has run.
    ChurnOnRuns always(&other.value(), "nnts", -1);
    netlink::Request before(rtnl::BuildGetLink(1, "").take(), netlink::Expect::kAck);
    netlink::Request dump(rtnl::BuildDumpLinks(0, "").take(), netlink::Expect::kDump, &always);
    netlink::Request after(rtnl::BuildGetLink(1, "").take(), netlink::Expect::kAck);
    uint64_t sent = s.value().stats().sendmsg_calls;
    Status st = s.value().Transact({&before, &dump, &after}, 5000, netlink::DumpWait::kStop);
    CHECK(!st.ok() && st.error().code == EWOULDBLOCK);
    CHECK(s.value().stopped_at() == &dump);
    CHECK(before.done && before.status.ok());
    CHECK(!dump.status.ok() && dump.status.error().code == EWOULDBLOCK);
    CHECK(!after.done && !after.status.ok() && after.status.error().code == EWOULDBLOCK);
    // One sendmsg for before+dump, then only the immediate retries: no wait, no `after`.
    CHECK(s.value().stats().sendmsg_calls - sent == 1 + netlink::kDumpRetryImmediate);
    CHECK(always.runs() == 1 + netlink::kDumpRetryImmediate);
    CHECK(!s.value().broken() && s.value().engine().pending() == 0);
  }
  {
    // kGiveUp: EINTR at once for the dump, and the request after it still runs.
    ChurnOnRuns always(&other.value(), "nntg", -1);
    netlink::Request dump(rtnl::BuildDumpLinks(0, "").take(), netlink::Expect::kDump, &always);
    netlink::Request after(rtnl::BuildGetLink(1, "").take(), netlink::Expect::kAck);
    CHECK(s.value().Transact({&dump, &after}, 5000, netlink::DumpWait::kGiveUp).ok());
    CHECK(!dump.status.ok() && dump.status.error().code == EINTR);
    CHECK(always.runs() == 1 + netlink::kDumpRetryImmediate);
    CHECK(after.done && after.status.ok());
  }
}

// RunOperationsNoWait (the JS thread's runner) under churn from another thread: a batch that only
// reads is handed back whole when a dump would have to wait (false); one that changed something
// first keeps its change (made once) and its dump fails with EINTR instead.
void TestRunOperationsNoWait() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  CHECK(s.ok());
  if (!s.ok()) return;
  // Churn from another thread. First, veth pairs added back to back: a read-only batch is handed
  // back as soon as its dump is interrupted a few times in a row, which needs changes without a
  // pause (a delete holds rtnl through an RCU wait, tens of ms in which a dump and its immediate
  // retries complete: with bursts and deletes, CI once saw 300 dumps go by untouched). Then
  // bursts of 40 bridges added and deleted as a group. (Veths for the long run: deleting 600
  // bridges takes ~10 s, 300 veth pairs ~50 ms.)
  constexpr uint32_t kGroup = 4242;
  constexpr uint32_t kPairsGroup = 4243;
  constexpr int kMaxPairs = 1500;
  std::atomic<bool> stop{false};
  std::atomic<bool> pairs_done{false};  // main -> churn: stop adding pairs
  std::atomic<bool> pairs_stopped{false};
  std::atomic<bool> bursts{false};  // main -> churn: the pairs are gone, on to the bursts
  std::atomic<int> added{0};
  std::thread churn([&] {
    Result<netlink::Socket> c = netlink::Socket::Open();
    if (!c.ok()) {
      pairs_stopped = true;  // nothing to wait for
      return;
    }
    auto add = [&](rtnl::LinkRequest& req) {
      rtnl::Operation op(rtnl::BuildNewLink(req, NLM_F_CREATE | NLM_F_EXCL), false);
      if (rtnl::RunOperations(c.value(), {&op}).ok() && op.status().ok()) ++added;
    };
    for (int i = 0; i < kMaxPairs && !stop && !pairs_done; ++i) {
      rtnl::LinkRequest req;
      req.name = "nntz" + std::to_string(i);
      req.kind = "veth";
      req.group = kPairsGroup;
      rtnl::AttrValue peer;
      peer.spec = &rtnl::FindLinkKind("veth")->attrs[0];
      peer.link = std::make_shared<rtnl::LinkRequest>();
      peer.link->name = "nntzp" + std::to_string(i);
      peer.link->group = kPairsGroup;
      req.info.values.push_back(peer);
      add(req);
    }
    pairs_stopped = true;
    while (!bursts && !stop) std::this_thread::yield();
    while (!stop) {
      for (int i = 0; i < 400 && !stop; ++i) {
        rtnl::LinkRequest req;
        req.name = "nntn" + std::to_string(i);
        req.kind = "bridge";
        req.group = kGroup;
        add(req);
      }
      rtnl::Operation del(rtnl::BuildDelLinkGroup(kGroup), false);
      (void)rtnl::RunOperations(c.value(), {&del});
    }
  });
  while (added == 0 && !pairs_stopped) std::this_thread::yield();
  int handed_back = 0, completed = 0;
  while (handed_back == 0 && !pairs_stopped) {  // until the pairs run out
    Ops ops;
    ops.push_back(GetLo());
    ops.push_back(std::make_unique<rtnl::Operation>(rtnl::BuildDumpLinks(0, ""), true));
    if (rtnl::RunOperationsNoWait(s.value(), Pointers(ops))) {
      ++completed;
      CHECK(ops[1]->status().ok() || ops[1]->status().error().code != EWOULDBLOCK);
    } else {
      ++handed_back;
      CHECK(!ops[1]->status().ok() && ops[1]->status().error().code == EWOULDBLOCK);
    }
  }
  CHECK(handed_back == 1);
  pairs_done = true;
  while (!pairs_stopped) std::this_thread::yield();
  rtnl::Operation del_pairs(rtnl::BuildDelLinkGroup(kPairsGroup), false);
  CHECK(rtnl::RunOperations(s.value(), {&del_pairs}).ok() && del_pairs.status().ok());
  bursts = true;
  int gave_up = 0;
  // Until a dump is interrupted: a bounded time, not a count, since on a loaded machine the
  // churning thread may get the CPU only every few hundred batches.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int i = 0; gave_up == 0 && std::chrono::steady_clock::now() < deadline; ++i) {
    Ops ops;
    ops.push_back(NewBridge("nntw" + std::to_string(i)));
    ops.push_back(std::make_unique<rtnl::Operation>(rtnl::BuildDumpLinks(0, ""), true));
    CHECK(rtnl::RunOperationsNoWait(s.value(), Pointers(ops)));
    CHECK(ops[0]->status().ok());  // created once: a second run would say EEXIST
    if (!ops[1]->status().ok()) {
      CHECK(ops[1]->status().error().code == EINTR);
      ++gave_up;
    }
  }
  CHECK(gave_up == 1);
  stop = true;
  churn.join();
  std::printf(
      "kernel: no-wait runner: %d batches handed back after %d completed, then %d gave up; "
      "%d links added meanwhile\n",
      handed_back, completed, gave_up, added.load());
}

Result<std::shared_ptr<ns::NetnsHandle>> HandleHere(std::optional<netlink::Socket> socket) {
  UniqueFd fd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::FromErrno("open");
  Result<uint64_t> inode = ns::NetnsInode(fd.get());
  if (!inode.ok()) return inode.take_error();
  if (socket) {
    return std::make_shared<ns::NetnsHandle>(std::move(fd), inode.value(), std::move(*socket));
  }
  return std::make_shared<ns::NetnsHandle>(std::move(fd), inode.value());
}

// ENOBUFS for real: a receive buffer too small for the answers to 64 requests sent in one
// sendmsg. The kernel drops what does not fit and reports the overrun (netlink_overrun); the
// socket is broken, the handle drops it when the lock goes, and a worker's LockSocket opens a
// new one (through the namespace thread).
void TestOverrunDiscardsSocket() {
  netlink::TransportOptions tiny;
  tiny.receive_buffer = 1;  // the kernel's minimum (SOCK_MIN_RCVBUF)
  Result<netlink::Socket> s = netlink::Socket::Open(tiny);
  CHECK(s.ok());
  if (!s.ok()) return;
  Result<std::shared_ptr<ns::NetnsHandle>> h = HandleHere(s.take());
  CHECK(h.ok());
  if (!h.ok()) return;
  ns::NetnsHandle& handle = *h.value();
  CHECK(handle.sockets_opened() == 1);

  Ops ops;
  for (int i = 0; i < 64; ++i) ops.push_back(GetLo());
  {
    auto lock = handle.TryLockSocket(NETLINK_ROUTE);
    CHECK(lock.ok() && lock.value().has_value());
    if (!lock.ok() || !lock.value()) return;
    netlink::Socket& sock = **lock.value();
    Status st = rtnl::RunOperations(sock, Pointers(ops));
    CHECK(!st.ok() && st.error().code == ENOBUFS);
    CHECK(sock.broken() && sock.transport().broken_reason().code == ENOBUFS);
    int answered = 0, lost = 0;
    for (auto& op : ops) {
      if (op->status().ok()) ++answered;
      if (!op->status().ok() && op->status().error().code == ENOBUFS) ++lost;
    }
    CHECK(lost > 0 && answered + lost == 64);
    CHECK(sock.engine().pending() == 0);
    // A broken socket refuses further work instead of mixing up replies.
    auto more = GetLo();
    CHECK(!rtnl::RunOperations(sock, {more.get()}).ok() && !more->status().ok());
  }
  // Dropped with the lock: the JS thread is told "not open" (it never opens).
  auto none = handle.TryLockSocket(NETLINK_ROUTE);
  CHECK(none.ok() && !none.value().has_value());

  Result<std::unique_ptr<ns::NamespaceThread>> t = ns::NamespaceThread::Create();
  CHECK(t.ok());
  if (!t.ok()) return;
  {
    auto lock = handle.LockSocket(NETLINK_ROUTE, *t.value());
    CHECK(lock.ok());
    if (!lock.ok()) return;
    CHECK(handle.sockets_opened() == 2);
    CHECK(!lock.value()->broken());
    // Contention is an error for the JS thread's TryLockSocket, never a wait.
    std::thread js([&] {
      auto busy = handle.TryLockSocket(NETLINK_ROUTE);
      CHECK(!busy.ok() && busy.error().code == EBUSY);
    });
    js.join();
    Ops again;
    for (int i = 0; i < 64; ++i) again.push_back(GetLo());
    CHECK(rtnl::RunOperations(*lock.value(), Pointers(again)).ok());
    bool all = true;
    for (auto& op : again) all = all && op->status().ok();
    CHECK(all);
  }
  // Kept: the next user finds it open.
  {
    auto lock = handle.TryLockSocket(NETLINK_ROUTE);
    CHECK(lock.ok() && lock.value().has_value());
  }
  // Sockets are keyed by protocol: NETFILTER is a socket of its own.
  {
    auto lock = handle.LockSocket(NETLINK_NETFILTER, *t.value());
    CHECK(lock.ok() && lock.value()->protocol() == NETLINK_NETFILTER);
    CHECK(handle.sockets_opened() == 3);
  }
  handle.Close();
  auto closed = handle.TryLockSocket(NETLINK_ROUTE);
  CHECK(!closed.ok() && closed.error().code == EBADF);
}

// A reply that never comes: a GETLINK run as a dump gets its one answer but no DONE (the engine
// asks for no ACK on dumps). The timeout breaks the socket: something was outstanding.
void TestTimeoutBreaksSocket() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  CHECK(s.ok());
  if (!s.ok()) return;
  netlink::Request never(rtnl::BuildGetLink(1, "").take(), netlink::Expect::kDump);
  Status st = s.value().Transact({&never}, 50);
  CHECK(!st.ok() && st.error().code == ETIMEDOUT);
  CHECK(never.done && never.status.error().code == ETIMEDOUT);
  CHECK(s.value().broken());
}

}  // namespace

int main() {
  if (geteuid() != 0 || !getenv("NETNS_NATIVE_KERNEL_TEST")) {
    std::printf(
        "kernel_test: SKIPPED: needs root, inside the throwaway namespace of "
        "scripts/native-test.sh\n");
    return 0;
  }
  TestRouteRoundTrip();
  TestNexthopEcho();
  TestSequenceWrap();
  TestNetfilterBatch();
  TestDumpInterruptedIsRetried();
  TestDumpUnderChurn();
  TestDumpRetryPolicy();
  TestDumpWaitsOutABurst();
  TestDumpChurnEveryRun();
  TestRunOperationsNoWait();
  TestOverrunDiscardsSocket();
  TestTimeoutBreaksSocket();
  std::printf("kernel_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
