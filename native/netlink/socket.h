// A request socket: a Transport (transport.h) and its Engine (engine.h), driven by the loop that
// sends exchanges and waits for their replies. This is what a namespace handle keeps, one per
// protocol (ns/handle.h).
//
// - Transact(requests): independent requests (rtnetlink), packed into as few sendmsg calls as
//   the kernel allows; each request keeps its own Status.
// - Run(exchange): one exchange exactly as given, in one sendmsg (an nfnetlink batch).
// Both wait for every reply (with a timeout), run an interrupted dump again (with backoff, for a
// bounded time: RetryInterruptedDump), and on a socket-level failure mark the transport broken and
// fail whatever was outstanding with that error. A broken Socket refuses all further work: its
// owner drops it and opens a new one.
//
// Threads: any thread, one at a time (NetnsHandle guards each socket with a mutex). The socket
// stays in the network namespace of the thread that opened it. A receive buffer of kReceiveBytes
// per calling thread (thread_local) is shared by every socket that thread drives.
// Ownership: the Socket owns its fd. Requests and exchanges stay the caller's; they must outlive
// the call.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <vector>

#include "../common/result.h"
#include "engine.h"
#include "transport.h"

namespace netns_native::netlink {

// Interrupted dumps. The kernel flags a dump part NLM_F_DUMP_INTR when what it walks changed
// between two parts (a link added, an address removed: rtnl_dump_ifinfo compares dev_base_seq,
// nl_dump_check_consistent), so the entries may be missed or repeated: the dump is run again
// from the start. Changes often come in bursts (a runtime setting up a container adds a few dozen
// links at once), so the retries back off: the first kDumpRetryImmediate at once, then after 1,
// 2, 4 ... ms up to kDumpRetryMaxDelayMs between runs, until kDumpRetryBudgetMs have passed
// since the first run; then the dump fails with EINTR, saying how often and for how long it was
// interrupted. A burst shorter than the budget is waited out; churn that never pauses for one
// whole dump gives EINTR after about the budget (plus the last run).
inline constexpr int64_t kDumpRetryBudgetMs = 3000;
inline constexpr int kDumpRetryImmediate = 3;
inline constexpr int64_t kDumpRetryMaxDelayMs = 100;

// The one place the policy above is decided: after `attempts` runs of a dump, the first begun
// `elapsed_ms` ago, all interrupted, whether to run it again and when. Returns the delay in ms
// before the next run (0: at once), or -1 to give up. Pure; any thread.
int64_t RetryInterruptedDump(int attempts, int64_t elapsed_ms);

// Where a Transact may wait between runs of an interrupted dump.
enum class DumpWait : uint8_t {
  // Sleep as the policy says (worker threads).
  kSleep,
  // Never sleep: when the policy asks for a wait, stop there. The dump and every request after
  // it are left unfinished with status EWOULDBLOCK (those after it were not sent), and Transact
  // returns EWOULDBLOCK; the socket is fine. The caller runs them again where waiting is
  // allowed (the JS thread hands the batch to a worker: see rtnl::RunOperationsNoWait).
  kStop,
  // Never sleep: when the policy asks for a wait, give up on that dump with EINTR at once and
  // go on with the rest.
  kGiveUp,
};

class Socket {
 public:
  // Opens the transport in the calling thread's network namespace (see Transport::Open).
  static Result<Socket> Open(const TransportOptions& options = {});

  Socket(Socket&&) = default;
  Socket& operator=(Socket&&) = default;

  // Sends every request and waits for all replies; sets each request's status. Requests go out
  // in order, in as few sendmsg calls as possible: up to kMaxBatch requests or kMaxBatchBytes per
  // call, and at most one dump per call, last, because the kernel runs one dump per socket at a
  // time (a second gets EBUSY, __netlink_dump_start in af_netlink.c). The kernel handles each
  // message on its own (netlink_rcv_skb), so one refused request does not stop the others. A
  // request whose message is malformed fails alone (EINVAL) without being sent.
  // Returns a failed Status only when the socket itself failed (then broken() is true, and the
  // requests left unanswered or unsent carry that error too), or with EWOULDBLOCK when `wait` is
  // DumpWait::kStop and a dump had to wait (see DumpWait).
  Status Transact(const std::vector<Request*>& requests, int timeout_ms = kDefaultTimeoutMs,
                  DumpWait wait = DumpWait::kSleep);

  // Sends `exchange` in one sendmsg, alone, and waits until it is done. The outcome is in each
  // request's status and in exchange->status(); the returned Status is the socket's failure.
  Status Run(Exchange* exchange, int timeout_ms = kDefaultTimeoutMs);

  bool broken() const { return transport_.broken(); }
  // The dump the last Transact with DumpWait::kStop stopped at, or null.
  const Request* stopped_at() const { return stopped_at_; }
  Transport& transport() { return transport_; }
  Engine& engine() { return engine_; }
  int fd() const { return transport_.fd(); }
  int protocol() const { return transport_.protocol(); }
  uint32_t port_id() const { return transport_.port_id(); }

  struct Stats {
    uint64_t sendmsg_calls = 0;
    uint64_t dump_retries = 0;    // interrupted dumps sent again
    uint64_t dump_waits = 0;      // of those, sent again after a backoff sleep
    uint64_t dumps_given_up = 0;  // failed with EINTR after the retry budget
    uint64_t dumps_stopped = 0;   // left for a thread that may wait (DumpWait::kStop)
  };
  const Stats& stats() const { return stats_; }

  static constexpr size_t kMaxBatch = 64;
  static constexpr size_t kMaxBatchBytes = 128 * 1024;
  static constexpr int kDefaultTimeoutMs = 30000;
  // The kernel sizes dump chunks to at most 32 KiB (netlink_dump caps them by max_recvmsg_len),
  // but a single reply can be bigger (a link with many VFs); MSG_TRUNC catches the rest.
  static constexpr size_t kReceiveBytes = 1 << 20;

 private:
  explicit Socket(Transport transport);
  // Starts, sends and waits for one exchange, then retries its interrupted dumps.
  Status RunExchange(Exchange* exchange, int timeout_ms, DumpWait wait = DumpWait::kSleep);
  Status SendAndWait(Exchange* exchange, int timeout_ms);
  Status Wait(const Exchange& exchange, int timeout_ms);
  Status Fail(const Error& error);  // socket-level: mark broken, fail everything pending

  Transport transport_;
  Engine engine_;
  Stats stats_;
  const Request* stopped_at_ = nullptr;
};

}  // namespace netns_native::netlink
