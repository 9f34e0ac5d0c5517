// A request socket: a Transport (transport.h) and its Engine (engine.h), driven by the loop that
// sends exchanges and waits for their replies. This is what a namespace handle keeps, one per
// protocol (ns/handle.h).
//
// - Transact(requests): independent requests (rtnetlink), packed into as few sendmsg calls as
//   the kernel allows; each request keeps its own Status.
// - Run(exchange): one exchange exactly as given, in one sendmsg (an nfnetlink batch).
// Both wait for every reply (with a timeout), run an interrupted dump again (bounded, see
// RetryInterruptedDump), and on a socket-level failure mark the transport broken and fail
// whatever was outstanding with that error. A broken Socket refuses all further work: its owner
// drops it and opens a new one.
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

// Whether an interrupted dump is sent again, after `attempts` tries so far that began
// `elapsed_ms` ago. Bounded by a count today; the hardening issue turns this into a time-bounded
// backoff by changing this one function.
inline constexpr int kMaxDumpAttempts = 10;
inline bool RetryInterruptedDump(int attempts, int64_t /*elapsed_ms*/) {
  return attempts < kMaxDumpAttempts;
}

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
  // requests left unanswered or unsent carry that error too).
  Status Transact(const std::vector<Request*>& requests, int timeout_ms = kDefaultTimeoutMs);

  // Sends `exchange` in one sendmsg, alone, and waits until it is done. The outcome is in each
  // request's status and in exchange->status(); the returned Status is the socket's failure.
  Status Run(Exchange* exchange, int timeout_ms = kDefaultTimeoutMs);

  bool broken() const { return transport_.broken(); }
  Transport& transport() { return transport_; }
  Engine& engine() { return engine_; }
  int fd() const { return transport_.fd(); }
  int protocol() const { return transport_.protocol(); }
  uint32_t port_id() const { return transport_.port_id(); }

  struct Stats {
    uint64_t sendmsg_calls = 0;
    uint64_t dump_retries = 0;  // interrupted dumps sent again
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
  Status RunExchange(Exchange* exchange, int timeout_ms);
  Status SendAndWait(Exchange* exchange, int timeout_ms);
  Status Wait(const Exchange& exchange, int timeout_ms);
  Status Fail(const Error& error);  // socket-level: mark broken, fail everything pending

  Transport transport_;
  Engine engine_;
  Stats stats_;
};

}  // namespace netns_native::netlink
