// A netlink socket of any protocol (NETLINK_ROUTE, NETLINK_NETFILTER, ...): opening and
// configuring it, sendmsg of several messages at once, receiving one datagram with a timeout,
// and a `broken` state once a socket-level error means it can no longer be trusted.
//
// It knows nothing about requests and replies: the Engine (engine.h) matches those, the Socket
// (socket.h) drives both. A monitor uses a Transport with multicast groups the same way.
//
// Threads: a Transport may be used from any thread, by one thread at a time (the owner
// serializes; NetnsHandle does it with a mutex per socket). The socket stays bound to the network
// namespace of the thread that opened it, whichever thread later uses it (af_netlink.c takes the
// namespace from current->nsproxy in netlink_create, once).
//
// Ownership: the Transport owns its fd (closed with it). Receive() writes into a buffer the
// caller owns.
//
// Errors: every function returns a Status/Result carrying errno and the syscall. Whatever makes
// the byte stream untrustworthy (ENOBUFS, truncation, a failed sendmsg, a failed recvmsg, or the
// owner's MarkBroken after a timeout with replies outstanding) sets broken(); a broken Transport
// is never used again: its owner closes it and opens a new one.
#pragma once

#include <linux/netlink.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../common/result.h"
#include "../common/unique_fd.h"

namespace netns_native::netlink {

struct TransportOptions {
  int protocol = NETLINK_ROUTE;
  // SO_RCVBUF / SO_SNDBUF in bytes (SO_*BUFFORCE first, which ignores net.core.rmem_max but
  // needs CAP_NET_ADMIN; then the plain option, capped by the sysctl). 0 keeps the kernel's
  // default. Large by default: a burst of 64 replies, or a dump chunk per recvmsg, must fit.
  int receive_buffer = 4 * 1024 * 1024;
  int send_buffer = 4 * 1024 * 1024;
  // NETLINK_EXT_ACK: NLMSG_ERROR carries the kernel's own error text (NLMSGERR_ATTR_MSG) and the
  // offset of the offending attribute.
  bool extended_ack = true;
  // NETLINK_CAP_ACK: error replies do not echo the whole request back (NLM_F_CAPPED).
  bool capped_ack = true;
  // NETLINK_GET_STRICT_CHK: rtnetlink dump requests are checked strictly (unknown attributes and
  // header fields rejected with a message, filters honoured). Only rtnetlink looks at it
  // (cb->strict_check in rtnetlink.c), so by default it is set for NETLINK_ROUTE only.
  enum class Strict { kForRoute, kOn, kOff } strict_check = Strict::kForRoute;
  // Multicast groups to join (NETLINK_ADD_MEMBERSHIP takes the group number, so groups above 31
  // work, unlike the nl_groups bitmask of bind()).
  std::vector<uint32_t> groups;
  // Whether ENOBUFS (the kernel dropped messages for us) marks the transport broken. For a
  // request socket it must: a reply may be among the lost. A monitor socket (rtnl/monitor.h)
  // only loses notifications, which its owner makes up for with a fresh dump; the socket itself
  // stays in step (the kernel reports the overrun once and goes on queueing), so it says false.
  bool overrun_breaks = true;

  static TransportOptions ForProtocol(int protocol) {
    TransportOptions o;
    o.protocol = protocol;
    return o;
  }
};

// Where a datagram came from (recvmsg's sockaddr_nl). Replies come from the kernel (port 0) with
// groups 0; a multicast notification has the group it was sent to.
struct Sender {
  uint32_t port = 0;
  uint32_t groups = 0;  // nl_groups: a bitmask of groups 1..32 (0 for unicast)
};

// CLOCK_MONOTONIC in milliseconds: deadlines.
int64_t MonotonicMs();

class Transport {
 public:
  // Opens a socket of options.protocol in the calling thread's network namespace (non-blocking,
  // close-on-exec), sets the options, binds it (the kernel picks the port id) and joins the
  // groups. Option failures that only lose comfort (buffer sizes, extended ACKs on an old kernel)
  // are ignored; failing to create, bind or join is an error.
  static Result<Transport> Open(const TransportOptions& options = {});

  Transport(Transport&&) = default;
  Transport& operator=(Transport&&) = default;

  // One sendmsg(2) to the kernel of all `count` buffers: the kernel receives them as one skb and
  // handles the messages in order (netlink_rcv_skb), which nfnetlink batches rely on. A failure
  // marks the transport broken: the kernel may have handled part of it.
  Status Send(const iovec* iov, size_t count);

  // Waits up to `timeout_ms` (poll; negative: no limit) for one datagram and copies it into `buf`
  // (4-byte aligned, for Engine::Feed). Returns its length and sender; ETIMEDOUT when nothing came
  // (not broken by itself: the owner knows whether replies were outstanding and calls
  // MarkBroken). A datagram larger than `cap` (MSG_TRUNC) fails with EMSGSIZE, ENOBUFS means the
  // kernel dropped messages for us (netlink_overrun in af_netlink.c): both mark it broken (ENOBUFS
  // does not when the options said overrun_breaks = false).
  Result<size_t> Receive(uint8_t* buf, size_t cap, int timeout_ms, Sender* from);
  // The same, for a reader taking several datagrams under one deadline: `*deadline_ms`
  // (MonotonicMs) is set to now + `timeout_ms` the first time a wait is needed (0: not set yet),
  // so a datagram already queued costs no clock read (the ACK of a request the kernel completed
  // inside sendmsg always is).
  Result<size_t> Receive(uint8_t* buf, size_t cap, int timeout_ms, int64_t* deadline_ms,
                         Sender* from);

  // Joins another multicast group.
  Status AddMembership(uint32_t group);

  // Marks the transport unusable (see the top of this file). The first reason is kept.
  void MarkBroken(const Error& why);
  bool broken() const { return broken_; }
  const Error& broken_reason() const { return broken_reason_; }

  int fd() const { return fd_.get(); }
  int protocol() const { return protocol_; }
  uint32_t port_id() const { return port_id_; }

 private:
  Transport(UniqueFd fd, int protocol, uint32_t port_id, bool overrun_breaks)
      : fd_(std::move(fd)),
        protocol_(protocol),
        port_id_(port_id),
        overrun_breaks_(overrun_breaks) {}
  Status Fail(Error e);  // marks broken and returns e

  UniqueFd fd_;
  int protocol_ = 0;
  uint32_t port_id_ = 0;
  bool overrun_breaks_ = true;
  bool broken_ = false;
  Error broken_reason_;
};

}  // namespace netns_native::netlink
