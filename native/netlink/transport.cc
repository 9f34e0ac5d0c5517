#include "transport.h"

#include <poll.h>
#include <sys/socket.h>
#include <time.h>

namespace netns_native::netlink {

namespace {

void SetBuffer(int fd, int force_opt, int opt, int bytes) {
  if (bytes <= 0) return;
  // SO_*BUFFORCE ignores rmem_max/wmem_max but needs CAP_NET_ADMIN; fall back quietly: a smaller
  // buffer only makes an overrun (ENOBUFS, which the caller handles) likelier.
  if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) < 0) {
    setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
  }
}

void SetFlag(int fd, int opt) {
  int one = 1;
  // Ignored when the kernel is too old to know the option: we lose comfort (error text, strict
  // dump checking), not correctness.
  setsockopt(fd, SOL_NETLINK, opt, &one, sizeof one);
}

}  // namespace

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

Result<Transport> Transport::Open(const TransportOptions& options) {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, options.protocol));
  if (!fd) return Error::FromErrno("socket(AF_NETLINK)");
  if (options.extended_ack) SetFlag(fd.get(), NETLINK_EXT_ACK);
  if (options.capped_ack) SetFlag(fd.get(), NETLINK_CAP_ACK);
  bool strict = options.strict_check == TransportOptions::Strict::kOn ||
                (options.strict_check == TransportOptions::Strict::kForRoute &&
                 options.protocol == NETLINK_ROUTE);
  if (strict) SetFlag(fd.get(), NETLINK_GET_STRICT_CHK);
  SetBuffer(fd.get(), SO_RCVBUFFORCE, SO_RCVBUF, options.receive_buffer);
  SetBuffer(fd.get(), SO_SNDBUFFORCE, SO_SNDBUF, options.send_buffer);

  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    return Error::FromErrno("bind(AF_NETLINK)");
  }
  socklen_t len = sizeof addr;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0) {
    return Error::FromErrno("getsockname(AF_NETLINK)");
  }
  Transport t(std::move(fd), options.protocol, addr.nl_pid, options.overrun_breaks);
  for (uint32_t group : options.groups) {
    Status joined = t.AddMembership(group);
    if (!joined.ok()) return joined.take_error();
  }
  return t;
}

Status Transport::AddMembership(uint32_t group) {
  if (setsockopt(fd_.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0) {
    return Error::FromErrno("setsockopt(NETLINK_ADD_MEMBERSHIP)");
  }
  return Status();
}

void Transport::MarkBroken(const Error& why) {
  if (broken_) return;
  broken_ = true;
  broken_reason_ = why;
}

Status Transport::Fail(Error e) {
  MarkBroken(e);
  return e;
}

Status Transport::Send(const iovec* iov, size_t count) {
  if (broken_) return broken_reason_;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  msghdr mh{};
  mh.msg_name = &kernel;
  mh.msg_namelen = sizeof kernel;
  mh.msg_iov = const_cast<iovec*>(iov);
  mh.msg_iovlen = count;
  if (RetryOnEintr([&] { return sendmsg(fd_.get(), &mh, 0); }) < 0) {
    return Fail(Error::FromErrno("sendmsg(AF_NETLINK)"));
  }
  return Status();
}

Result<size_t> Transport::Receive(uint8_t* buf, size_t cap, int timeout_ms, Sender* from) {
  int64_t deadline = 0;
  return Receive(buf, cap, timeout_ms, &deadline, from);
}

Result<size_t> Transport::Receive(uint8_t* buf, size_t cap, int timeout_ms, int64_t* deadline,
                                  Sender* from) {
  if (broken_) return broken_reason_;
  for (;;) {
    sockaddr_nl addr{};
    iovec iov{buf, cap};
    msghdr mh{};
    mh.msg_name = &addr;
    mh.msg_namelen = sizeof addr;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    // MSG_TRUNC makes recvmsg return the datagram's real length, so an oversized one is noticed
    // instead of silently losing its tail.
    ssize_t n = RetryOnEintr([&] { return recvmsg(fd_.get(), &mh, MSG_DONTWAIT | MSG_TRUNC); });
    if (n >= 0) {
      if (static_cast<size_t>(n) > cap || (mh.msg_flags & MSG_TRUNC)) {
        return Fail(Error{EMSGSIZE, "a netlink message was larger than the receive buffer", 0,
                          "recvmsg(AF_NETLINK)"});
      }
      from->port = addr.nl_pid;
      from->groups = addr.nl_groups;
      return static_cast<size_t>(n);
    }
    if (errno == ENOBUFS && !overrun_breaks_) return Error::FromErrno("recvmsg(AF_NETLINK)");
    if (errno != EAGAIN) {
      // ENOBUFS: the receive queue overflowed and the kernel dropped messages addressed to us
      // (netlink_overrun sets sk_err, which the next recvmsg reports once). Which ones is unknown,
      // so nothing read from this socket can be trusted to be complete any more.
      return Fail(Error::FromErrno("recvmsg(AF_NETLINK)"));
    }
    int wait = -1;
    if (timeout_ms >= 0) {
      int64_t now = MonotonicMs();
      if (*deadline == 0) *deadline = now + timeout_ms;
      int64_t left = *deadline - now;
      if (left <= 0) return Error{ETIMEDOUT, "no reply from the kernel", 0, "recvmsg(AF_NETLINK)"};
      wait = static_cast<int>(left);
    }
    pollfd pfd{fd_.get(), POLLIN, 0};
    int pr = RetryOnEintr([&] { return poll(&pfd, 1, wait); });
    if (pr < 0) return Fail(Error::FromErrno("poll(AF_NETLINK)"));
    if (pr == 0) return Error{ETIMEDOUT, "no reply from the kernel", 0, "recvmsg(AF_NETLINK)"};
  }
}

}  // namespace netns_native::netlink
