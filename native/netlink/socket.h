// A NETLINK_ROUTE socket and its request engine: sequence numbers, batching several requests
// into one sendmsg, ACK and extended-ACK decoding, multi-part dumps with NLM_F_DUMP_INTR retry.
//
// Threads: a Socket may be used from any thread, but by one thread at a time. It stays bound to
// the network namespace of the thread that opened it, whichever thread later uses it.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <vector>

#include "../common/result.h"
#include "../common/unique_fd.h"

namespace netns_native::netlink {

// Receives the data messages of one request (everything except the final ACK or DONE).
class ReplyHandler {
 public:
  virtual ~ReplyHandler() = default;
  // Called for each data message. A failed Status fails the request; the engine still reads the
  // request's remaining replies so the socket stays in step with the kernel.
  virtual Status OnMessage(const nlmsghdr& msg) = 0;
  // Called before an interrupted dump is retried: forget what was collected so far.
  virtual void OnRestart() {}
};

struct Request {
  std::vector<uint8_t> message;     // one encoded message; the socket sets seq, pid and NLM_F_ACK
  bool dump = false;                // NLM_F_DUMP request: replies end with NLMSG_DONE
  ReplyHandler* handler = nullptr;  // null when no data replies are expected
  Status status;                    // set by Transact
};

class Socket {
 public:
  // Opens, configures (NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_CAP_ACK, large buffers)
  // and binds a NETLINK_ROUTE socket in the calling thread's network namespace.
  static Result<Socket> Open();

  Socket(Socket&&) = default;
  Socket& operator=(Socket&&) = default;

  // Sends every request and waits for all replies; sets each request's status. Requests go out
  // in as few sendmsg calls as possible: up to kMaxBatch per call, and at most one dump per
  // call because the kernel runs one dump per socket at a time. The kernel handles each message
  // on its own, so one failed request does not stop the others. Replies that belong to no
  // outstanding request (a reply to an earlier, abandoned request) are skipped.
  // Returns a failed Status only if the socket itself failed (sendmsg/recvmsg errors, timeout);
  // the requests left unanswered then carry that error as well.
  Status Transact(const std::vector<Request*>& requests, int timeout_ms = kDefaultTimeoutMs);

  int fd() const { return fd_.get(); }
  uint32_t port_id() const { return port_id_; }

  static constexpr size_t kMaxBatch = 64;
  static constexpr size_t kMaxBatchBytes = 128 * 1024;
  static constexpr int kMaxDumpAttempts = 10;
  static constexpr int kDefaultTimeoutMs = 30000;
  static constexpr int kBufferBytes = 4 * 1024 * 1024;  // SO_RCVBUF / SO_SNDBUF

 private:
  Socket(UniqueFd fd, uint32_t port_id) : fd_(std::move(fd)), port_id_(port_id) {}
  uint32_t NextSeq();
  Status RunGroup(Request* const* group, size_t count, int timeout_ms);

  UniqueFd fd_;
  uint32_t port_id_ = 0;
  uint32_t seq_ = 0;
};

// Decodes an NLMSG_ERROR payload (or an NLMSG_DONE payload that carries an error) into an Error
// with the kernel's extended-ack text. Returns a success Status for a plain ACK (error 0).
Status DecodeAck(const nlmsghdr& msg);

}  // namespace netns_native::netlink
