// A monitor: a NETLINK_ROUTE socket subscribed to the multicast groups of some kinds of
// notification (links, addresses, routes, neighbours, rules, nexthop objects, netconf), read
// without blocking, whose messages are decoded in the order the kernel queued them (decode.h). What
// `ip monitor` reads, as data.
//
// Two things besides events travel in that order, because the kernel queues them in the same
// receive queue:
// - an overrun: the queue was full and the kernel dropped notifications. Which ones is unknown:
//   the owner makes up for them with a dump. The kernel reports it once (ENOBUFS from the next
//   recvmsg), *before* handing out what it had queued before the loss, and drops everything
//   (ACKs included) while the queue is "congested", that is until the reader has emptied it
//   (netlink_overrun / netlink_rcv_wake in af_netlink.c). So the overrun is reported here where
//   the queue ran empty after the ENOBUFS: everything before it was queued before the loss (or
//   after the queue emptied, which only puts a change from after the loss before the resync);
//   everything after it was queued after the loss, and a fence sent from then on gets through.
// - a fence: Fence() sends an NLMSG_NOOP with NLM_F_ACK. The kernel answers it while handling
//   the sendmsg, by queueing the ACK behind every notification queued so far; so when the fence
//   comes out of Read(), everything before it happened before Fence() was called, and everything
//   after it happened after. The owner uses this to place a dump made on another socket in the
//   stream (see lib/internal/monitor-stream.ts).
//
// Threads: the socket belongs to the namespace of the thread that calls Open (the namespace
// thread, inside the namespace); after that, one thread at a time uses it (the JS thread, from a
// uv_poll callback).
// Ownership: the Monitor owns its socket; Read() appends to a batch the caller owns.
// Errors: Open fails when the socket cannot be made or a group cannot be joined. Read() and
// Fence() fail only when the socket itself failed (it is then closed for good); overruns and
// undecodable messages are reported in the batch, not as errors.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "../common/result.h"
#include "../netlink/engine.h"
#include "../netlink/transport.h"
#include "decode.h"

namespace netns_native::rtnl {

// What Read() produced, in stream order.
struct EventBatch {
  // Markers, next to the event codes (decode.h EventCode, which stay below 64).
  static constexpr uint8_t kOverrun = 64;  // the kernel dropped notifications here
  static constexpr uint8_t kFence = 65;    // a fence came back here; its number is in `fences`

  // One entry per item: an event code, kOverrun or kFence.
  std::vector<uint8_t> codes;
  // The objects of the events, one vector per kind, each in stream order.
  std::vector<LinkInfo> links;
  std::vector<AddressInfo> addresses;
  std::vector<RouteInfo> routes;
  std::vector<NeighbourInfo> neighbours;
  std::vector<RuleInfo> rules;
  std::vector<NexthopObjectInfo> nexthops;
  std::vector<NetconfInfo> netconfs;
  // The sequence number of each kFence, in order.
  std::vector<uint32_t> fences;

  void Append(Event event);
  bool empty() const { return codes.empty(); }
};

struct MonitorOptions {
  // The kinds whose groups are joined: bit (1 << EventKind).
  uint32_t kinds = 0;
  // SO_RCVBUF(FORCE) in bytes (the kernel doubles it). A link notification takes about 2.3 KB
  // of it, so the default holds ~3,500 link events while nobody reads (the kernel's default of
  // 212 KB holds ~90).
  int receive_buffer = 4 * 1024 * 1024;
};

class Monitor {
 public:
  // Opens the socket in the calling thread's network namespace and joins the groups.
  static Result<std::unique_ptr<Monitor>> Open(const MonitorOptions& options);

  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Sends a fence; returns its number (reported in a later batch). Fails only when sendmsg
  // failed, which leaves the socket unusable.
  Result<uint32_t> Fence();

  // Reads what is queued, without blocking, up to `max_datagrams`, appending to `out`. Sets
  // `*drained` when the queue was emptied. An overrun voids every fence not yet come back (its
  // ACK may have been among the dropped, and one sent while the queue is congested is dropped
  // without a word): they are forgotten and never reported.
  Status Read(EventBatch* out, size_t max_datagrams, bool* drained);

  // While discarding, datagrams are read and dropped undecoded (overruns are still reported);
  // turning it on forgets the fences not yet come back.
  void set_discard(bool discard);

  int fd() const { return transport_.fd(); }

  struct Stats {
    uint64_t datagrams = 0;
    uint64_t events = 0;
    uint64_t overruns = 0;
    uint64_t undecodable = 0;  // notifications of a known type that did not parse (skipped)
    uint64_t discarded = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  Monitor(netlink::Transport transport, uint32_t kinds);
  void OnNotification(const nlmsghdr& msg);
  void ForgetFences();

  struct PendingFence {
    netlink::Request request;
    netlink::Exchange exchange;
  };

  netlink::Transport transport_;
  netlink::Engine engine_;
  uint32_t kinds_;
  bool discard_ = false;
  bool overrun_pending_ = false;  // ENOBUFS read; reported once the queue runs empty
  EventBatch* out_ = nullptr;     // during Read()
  std::deque<std::unique_ptr<PendingFence>> fences_;  // in the order sent
  Stats stats_;
};

}  // namespace netns_native::rtnl
