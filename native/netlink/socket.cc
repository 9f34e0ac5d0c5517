#include "socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <cstring>
#include <memory>

#include "message.h"

namespace netns_native::netlink {

namespace {

// One receive buffer per thread, reused by every socket that thread drives. The kernel caps a
// dump chunk at 32 KiB, but a single large reply (a link with many VFs) can be bigger; MSG_TRUNC
// tells us if one ever outgrows this, instead of losing its tail silently.
constexpr size_t kReceiveBytes = 1 << 20;

uint8_t* ReceiveBuffer() {
  thread_local std::unique_ptr<uint8_t[]> buf(new uint8_t[kReceiveBytes]);
  return buf.get();
}

void SetBuffer(int fd, int force_opt, int opt, int bytes) {
  // SO_*BUFFORCE ignores rmem_max/wmem_max but needs CAP_NET_ADMIN; fall back quietly.
  if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) < 0) {
    setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
  }
}

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

struct Pending {
  Request* request;
  uint32_t seq;
  bool done = false;
  bool interrupted = false;  // some part of the dump carried NLM_F_DUMP_INTR
};

}  // namespace

Result<Socket> Socket::Open() {
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  if (!fd) return Error::FromErrno("socket(AF_NETLINK)");
  int one = 1;
  // Extended ACKs carry the kernel's own error text; strict checking makes dump filters work
  // and rejects malformed requests instead of ignoring them; capped ACKs do not echo requests.
  setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd.get(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  SetBuffer(fd.get(), SO_RCVBUFFORCE, SO_RCVBUF, kBufferBytes);
  SetBuffer(fd.get(), SO_SNDBUFFORCE, SO_SNDBUF, kBufferBytes);

  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    return Error::FromErrno("bind(AF_NETLINK)");
  }
  socklen_t len = sizeof addr;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0) {
    return Error::FromErrno("getsockname(AF_NETLINK)");
  }
  return Socket(std::move(fd), addr.nl_pid);
}

uint32_t Socket::NextSeq() {
  if (++seq_ == 0) ++seq_;  // 0 is what unsolicited messages carry; never use it
  return seq_;
}

Status DecodeAck(const nlmsghdr& msg) {
  const uint8_t* base = reinterpret_cast<const uint8_t*>(&msg);
  size_t len = msg.nlmsg_len;
  int32_t err = 0;
  size_t tlv_at = 0;
  if (msg.nlmsg_type == NLMSG_ERROR) {
    if (len < NLMSG_HDRLEN + sizeof(nlmsgerr)) return Error::Invalid("truncated netlink ACK");
    nlmsgerr e;
    std::memcpy(&e, base + NLMSG_HDRLEN, sizeof e);
    err = e.error;
    // Without NLM_F_CAPPED the original request follows the error header.
    size_t echoed = (msg.nlmsg_flags & NLM_F_CAPPED) ? 0 : e.msg.nlmsg_len - NLMSG_HDRLEN;
    tlv_at = NLMSG_HDRLEN + Align(sizeof e + echoed);
  } else {  // NLMSG_DONE
    if (len >= NLMSG_HDRLEN + sizeof(int32_t)) std::memcpy(&err, base + NLMSG_HDRLEN, sizeof err);
    tlv_at = NLMSG_HDRLEN + Align(sizeof(int32_t));
  }
  if (err == 0) return Status();

  Error out;
  out.code = err < 0 ? -err : err;
  if ((msg.nlmsg_flags & NLM_F_ACK_TLVS) && tlv_at < len) {
    uint32_t missing_type = 0;
    bool has_missing = false;
    ForEachAttr(base + tlv_at, len - tlv_at, [&](const Attr& a) {
      switch (a.type) {
        case NLMSGERR_ATTR_MSG:
          out.detail = a.String();
          break;
        case NLMSGERR_ATTR_OFFS:
          out.bad_offset = a.U32();
          break;
        case NLMSGERR_ATTR_MISS_TYPE:
          missing_type = a.U32();
          has_missing = true;
          break;
        default:
          break;
      }
    });
    if (out.detail.empty() && has_missing) {
      out.detail = "missing required attribute " + std::to_string(missing_type);
    }
  }
  return out;
}

Status Socket::Transact(const std::vector<Request*>& requests, int timeout_ms) {
  size_t start = 0;
  while (start < requests.size()) {
    // A group ends after kMaxBatch requests, at kMaxBatchBytes, or right after a dump.
    size_t end = start;
    size_t bytes = 0;
    while (end < requests.size() && end - start < kMaxBatch) {
      bytes += requests[end]->message.size();
      if (end > start && bytes > kMaxBatchBytes) break;
      if (requests[end++]->dump) break;
    }
    Status s = RunGroup(requests.data() + start, end - start, timeout_ms);
    if (!s.ok()) {
      for (size_t i = end; i < requests.size(); ++i) requests[i]->status = s;
      return s;
    }
    start = end;
  }
  return Status();
}

Status Socket::RunGroup(Request* const* group, size_t count, int timeout_ms) {
  std::vector<Pending> pending;
  pending.reserve(count);
  std::vector<iovec> iov;
  iov.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Request* r = group[i];
    r->status = Status();
    uint32_t seq = NextSeq();
    nlmsghdr h;
    std::memcpy(&h, r->message.data(), sizeof h);
    h.nlmsg_seq = seq;
    h.nlmsg_pid = port_id_;
    if (!r->dump) h.nlmsg_flags |= NLM_F_ACK;  // every non-dump request completes on its ACK
    std::memcpy(r->message.data(), &h, sizeof h);
    pending.push_back(Pending{r, seq});
    iov.push_back(iovec{r->message.data(), r->message.size()});
  }

  int attempts = 1;
  size_t first = 0;  // requests before `first` are not resent on a dump retry
  for (;;) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    msghdr mh{};
    mh.msg_name = &kernel;
    mh.msg_namelen = sizeof kernel;
    mh.msg_iov = iov.data() + first;
    mh.msg_iovlen = iov.size() - first;
    if (RetryOnEintr([&] { return sendmsg(fd_.get(), &mh, 0); }) < 0) {
      Status s = Error::FromErrno("sendmsg(AF_NETLINK)");
      for (auto& p : pending) p.request->status = s;
      return s;
    }

    size_t open = pending.size() - first;
    int64_t deadline = NowMs() + timeout_ms;
    uint8_t* buf = ReceiveBuffer();
    while (open > 0) {
      sockaddr_nl from{};
      iovec riov{buf, kReceiveBytes};
      msghdr rh{};
      rh.msg_name = &from;
      rh.msg_namelen = sizeof from;
      rh.msg_iov = &riov;
      rh.msg_iovlen = 1;
      ssize_t n = RetryOnEintr([&] { return recvmsg(fd_.get(), &rh, MSG_DONTWAIT | MSG_TRUNC); });
      if (n < 0 && errno == EAGAIN) {
        int64_t left = deadline - NowMs();
        pollfd pfd{fd_.get(), POLLIN, 0};
        int pr = left > 0 ? RetryOnEintr([&] { return poll(&pfd, 1, static_cast<int>(left)); }) : 0;
        if (pr > 0) continue;
        Error e = pr == 0 ? Error{ETIMEDOUT, "no reply from the kernel", 0, "recvmsg(AF_NETLINK)"}
                          : Error::FromErrno("poll(AF_NETLINK)");
        for (auto& p : pending) {
          if (!p.done) p.request->status = e;
        }
        return e;
      }
      if (n < 0) {
        // ENOBUFS: the receive queue overflowed and replies were lost. The unanswered requests
        // fail; later requests use new sequence numbers and are unaffected.
        Status s = Error::FromErrno("recvmsg(AF_NETLINK)");
        for (auto& p : pending) {
          if (!p.done) p.request->status = s;
        }
        return s;
      }
      if (static_cast<size_t>(n) > kReceiveBytes || (rh.msg_flags & MSG_TRUNC)) {
        Status s = Error{EMSGSIZE, "a netlink reply was larger than the receive buffer", 0,
                         "recvmsg(AF_NETLINK)"};
        for (auto& p : pending) {
          if (!p.done) p.request->status = s;
        }
        return s;
      }
      if (from.nl_pid != 0) continue;  // only the kernel talks to us

      size_t left = static_cast<size_t>(n);
      for (const uint8_t* at = buf; left >= NLMSG_HDRLEN;) {
        nlmsghdr h;
        std::memcpy(&h, at, sizeof h);
        if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left) break;  // malformed: drop the rest
        const nlmsghdr& msg = *reinterpret_cast<const nlmsghdr*>(at);
        size_t step = NLMSG_ALIGN(h.nlmsg_len);
        at += step;
        left = step >= left ? 0 : left - step;

        if (h.nlmsg_pid != port_id_) continue;
        uint32_t idx = h.nlmsg_seq - pending[0].seq;  // sequence numbers in a group are consecutive
        if (idx >= pending.size() || idx < first || pending[idx].done) continue;  // stale reply
        Pending& p = pending[idx];
        if (h.nlmsg_flags & NLM_F_DUMP_INTR) p.interrupted = true;

        switch (h.nlmsg_type) {
          case NLMSG_NOOP:
            break;
          case NLMSG_OVERRUN:
            p.request->status = Error{ENOBUFS, "netlink overrun", 0, ""};
            p.done = true;
            --open;
            break;
          case NLMSG_ERROR:
          case NLMSG_DONE: {
            Status ack = DecodeAck(msg);
            if (!ack.ok()) p.request->status = ack;
            p.done = true;
            --open;
            break;
          }
          default:
            if (p.request->status.ok() && p.request->handler) {
              Status s = p.request->handler->OnMessage(msg);
              if (!s.ok()) p.request->status = s;
            }
            break;
        }
      }
    }

    // Only the last request of a group can be a dump. If the kernel flagged it as interrupted
    // (links or addresses changed while it ran), its content may be inconsistent: run it again.
    Pending& last = pending.back();
    if (!last.request->dump || !last.interrupted || !last.request->status.ok()) return Status();
    if (attempts >= kMaxDumpAttempts) {
      last.request->status = Error{EINTR,
                                   "the dump was interrupted by concurrent changes " +
                                       std::to_string(kMaxDumpAttempts) + " times in a row",
                                   0, ""};
      return Status();
    }
    ++attempts;
    if (last.request->handler) last.request->handler->OnRestart();
    // Resend the dump alone. It keeps its slot; give it a fresh sequence number by restarting
    // the group's numbering, so late parts of the interrupted run are recognised as stale.
    first = pending.size() - 1;
    uint32_t seq = NextSeq();
    for (size_t i = 0; i < pending.size(); ++i)
      pending[i].seq = seq - static_cast<uint32_t>(first - i);
    nlmsghdr h;
    std::memcpy(&h, last.request->message.data(), sizeof h);
    h.nlmsg_seq = seq;
    std::memcpy(last.request->message.data(), &h, sizeof h);
    last.done = false;
    last.interrupted = false;
  }
}

}  // namespace netns_native::netlink
