// The netlink request engine: a pure request<->reply matcher. No syscalls: it is handed the
// messages to send and fed the datagrams received, so every rule below is unit-tested with
// scripted datagrams (native/test/engine_test.cc) and the Socket (socket.h) only moves bytes.
//
// Vocabulary:
// - A Request is one encoded message plus what it expects back (Expect):
//     kAck   the kernel answers with NLMSG_ERROR (error 0 = success); the engine sets NLM_F_ACK.
//            Data messages that come before it (a GET's answer) go to the request's handler.
//     kDump  an NLM_F_DUMP request: data messages until NLMSG_DONE (which may carry an error).
//            NLM_F_DUMP_INTR is noticed on any part, DONE included (the kernel sets it on DONE
//            too: netlink_dump_done calls nl_dump_check_consistent), and reported in
//            `interrupted`; whether to run the dump again is the caller's decision.
//     kReply a GET answered by its reply alone: the engine clears NLM_F_ACK, so the kernel sends
//            the answer (one message, or a multi-part one ending with NLMSG_DONE) and no ACK
//            after it, one datagram less to read; a refusal still comes as NLMSG_ERROR.
//     kNone  nothing comes back on success, e.g. nfnetlink's NFNL_MSG_BATCH_BEGIN/END. The kernel
//            may still answer with an error (nfnetlink.c: an unknown subsystem, a generation-id
//            mismatch (ERESTART), or a failed commit are all reported against BATCH_BEGIN): that
//            error fails every request of the exchange still waiting, so nothing waits forever.
// - An Exchange is the messages sent together in one sendmsg. For rtnetlink it is a group of
//   independent requests; for nfnetlink it is one transaction framed by BATCH_BEGIN/END (see
//   FrameNfnlBatch), which the kernel applies all or nothing.
// - Replies are matched by (port id, sequence number) through a map seq -> pending request, so
//   replies may come in any order and numbering wraps past 2^32 safely (0 is never used: it is
//   what the kernel's own notifications carry).
// - A message that matches nothing pending is unsolicited: a multicast notification, or a late
//   reply to a request that was failed or abandoned. It goes to the listener if one is set,
//   else it is dropped (and counted).
//
// Threads: an Engine has no locks; it belongs to the thread driving its socket (one at a time).
// Ownership: requests added with Exchange::Add and every Exchange stay owned by the caller and
// must stay alive and in place until the exchange is done() or FailAll ran. Handlers and the
// listener are called synchronously from Feed() and must not call back into the engine.
// Errors: per request in Request::status (the kernel's NACK with its extended-ACK text, or a
// handler's own failure); per exchange in Exchange::status() (an error for a kNone message, or a
// socket failure passed to FailAll); Feed() itself fails only for a malformed datagram.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

#include "../common/result.h"
#include "transport.h"

namespace netns_native::netlink {

// Receives the data messages of one request (everything except its final ACK or DONE).
class ReplyHandler {
 public:
  virtual ~ReplyHandler() = default;
  // Called for each data message. A failed Status fails the request; its remaining replies are
  // still consumed (so the socket stays in step with the kernel) but not handed on.
  virtual Status OnMessage(const nlmsghdr& msg) = 0;
  // Called before an interrupted dump is sent again: forget what was collected so far.
  virtual void OnRestart() {}
};

enum class Expect : uint8_t { kAck, kDump, kReply, kNone };

struct Request {
  Request() = default;
  Request(std::vector<uint8_t> msg, Expect exp, ReplyHandler* h = nullptr)
      : message(std::move(msg)), expect(exp), handler(h) {}

  // One encoded message (nlmsghdr first, nlmsg_len == size). When the exchange starts, the
  // engine writes nlmsg_seq and nlmsg_pid, sets NLM_F_REQUEST, sets NLM_F_ACK for kAck and
  // clears it otherwise, and pads the buffer to NLMSG_ALIGNTO (the kernel steps to the next
  // message by NLMSG_ALIGN(nlmsg_len)).
  std::vector<uint8_t> message;
  Expect expect = Expect::kAck;
  ReplyHandler* handler = nullptr;  // null: data replies are dropped

  // Set by the engine.
  Status status;
  uint32_t seq = 0;          // the sequence number it was last sent with
  bool done = false;         // its final reply came (or the exchange failed)
  bool interrupted = false;  // kDump: some part carried NLM_F_DUMP_INTR
};

class Exchange {
 public:
  Exchange() = default;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Appends a request owned by the caller.
  void Add(Request* request) { requests_.push_back(request); }
  // Appends a request owned by the exchange (a codec's encoded messages, framing); returns it.
  Request* Own(Request request);
  // Puts `begin` first and `end` last, both Expect::kNone, owned by the exchange, and marks the
  // exchange to be sent alone: nfnetlink handles a batch only when BATCH_BEGIN starts the skb
  // and ignores whatever follows BATCH_END in it (nfnetlink_rcv / nfnetlink_rcv_batch).
  void Frame(std::vector<uint8_t> begin, std::vector<uint8_t> end);

  const std::vector<Request*>& requests() const { return requests_; }
  size_t bytes() const;
  size_t size() const { return requests_.size(); }
  bool alone() const { return alone_; }
  void set_alone(bool alone) { alone_ = alone; }

  bool started() const { return started_; }
  // Started, and every request that expects a reply has had its final one.
  bool done() const { return started_ && open_ == 0; }
  // The first failure of the exchange as a whole: an error reply to a kNone message, or the
  // socket failing (FailAll). Each request's own outcome is in its `status`.
  const Status& status() const { return status_; }

 private:
  friend class Engine;
  std::vector<Request*> requests_;
  // Stable addresses. A list, not a deque: an empty list allocates nothing (libstdc++'s deque
  // allocates twice on construction), and most exchanges own nothing (rtnetlink requests are
  // the caller's; only nf_tables framing is owned).
  std::list<Request> owned_;
  bool alone_ = false;
  bool started_ = false;
  size_t open_ = 0;  // requests still waiting for their final reply
  Status status_;
};

class Engine {
 public:
  // Unsolicited messages: `groups` is the multicast group mask they came on (0 for unicast).
  using Listener = std::function<void(const nlmsghdr& msg, uint32_t groups)>;

  struct Stats {
    uint64_t unsolicited_dropped = 0;  // matched nothing, and no listener
    uint64_t unsolicited_heard = 0;    // handed to the listener
    uint64_t foreign_dropped = 0;      // datagrams from a port other than the kernel's
  };

  explicit Engine(uint32_t port_id = 0) : port_id_(port_id) {}
  Engine(Engine&&) = default;
  Engine& operator=(Engine&&) = default;

  // The socket's port id: replies addressed to another port are not ours.
  void set_port_id(uint32_t port_id) { port_id_ = port_id; }
  uint32_t port_id() const { return port_id_; }
  void set_listener(Listener listener) { listener_ = std::move(listener); }

  // The next sequence number to hand out (0 is skipped). Tests set it near 2^32.
  void set_next_seq(uint32_t seq) { next_seq_ = seq; }
  uint32_t next_seq() const { return next_seq_; }

  // Checks every message (EINVAL for one shorter than a header or whose nlmsg_len is not its
  // size; EALREADY for an exchange started before), then numbers and registers them. On failure
  // nothing is registered and every request carries the error. An exchange whose requests all
  // expect nothing is done at once.
  Status Start(Exchange* exchange);

  // Feeds one received datagram. `from.port` != 0 (not the kernel) is dropped whole; a datagram
  // sent to multicast groups is unsolicited whole (a notification can carry our port id and the
  // sequence number of the request that caused it, rtnl_notify in rtnetlink.c, so it must never
  // be taken for a reply). Returns EPROTO for a malformed datagram (a message whose nlmsg_len is
  // shorter than a header or runs past the end), after handling its well-formed prefix: the
  // stream cannot be trusted after that and the caller should fail everything.
  Status Feed(const uint8_t* data, size_t len, Sender from = {});

  // Fails every pending request (keeping an earlier failure of its own) and every running
  // exchange with `error`, and forgets them: the socket failed as a whole.
  void FailAll(const Error& error);

  // Requests waiting for a reply (kNone framing of running exchanges included).
  size_t pending() const { return pending_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Pending {
    Request* request;
    Exchange* exchange;
    bool echo;  // sent with NLM_F_ECHO: notifications of it are its replies
  };
  uint32_t NextSeq();
  void Dispatch(const nlmsghdr& msg, uint32_t groups);
  void Unsolicited(const nlmsghdr& msg, uint32_t groups);
  void Complete(uint32_t seq, Pending p, Status status);
  void FailExchange(Exchange* exchange, const Status& status);
  void Finish(Exchange* exchange);  // the exchange is done: forget its kNone entries

  uint32_t port_id_ = 0;
  uint32_t next_seq_ = 1;
  Listener listener_;
  std::unordered_map<uint32_t, Pending> pending_;
  Stats stats_;
};

// Checks that `message` holds exactly one netlink message (a header, nlmsg_len == size).
Status ValidateMessage(const std::vector<uint8_t>& message);

// Decodes an NLMSG_ERROR payload (or an NLMSG_DONE payload that carries an error) into an Error
// with the kernel's extended-ack text (NLMSGERR_ATTR_MSG), the offending attribute's offset
// (NLMSGERR_ATTR_OFFS) and, lacking a message, the missing attribute (NLMSGERR_ATTR_MISS_TYPE).
// Handles both capped (NLM_F_CAPPED) and uncapped ACKs. Returns success for a plain ACK.
Status DecodeAck(const nlmsghdr& msg);

// nfnetlink batch framing (linux/netfilter/nfnetlink.h): an NFNL_MSG_BATCH_BEGIN or _END message
// for subsystem `subsys_id` (res_id, big-endian as nfnetlink_rcv_skb_batch expects), with the
// ruleset generation id (NFNL_BATCH_GENID) when given: the kernel then refuses the batch with
// ERESTART if the ruleset changed since that generation was read.
std::vector<uint8_t> NfnlBatchMessage(uint16_t type, uint16_t subsys_id,
                                      std::optional<uint32_t> genid = std::nullopt);
// Frames `exchange` as one nfnetlink batch: BATCH_BEGIN ... BATCH_END, sent alone.
void FrameNfnlBatch(Exchange* exchange, uint16_t subsys_id,
                    std::optional<uint32_t> genid = std::nullopt);

}  // namespace netns_native::netlink
