#include "engine.h"

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <limits>
#include <memory>

#include "message.h"

namespace netns_native::netlink {

namespace {

void WriteHeader(std::vector<uint8_t>* message, const nlmsghdr& h) {
  std::memcpy(message->data(), &h, sizeof h);
}

nlmsghdr ReadHeader(const std::vector<uint8_t>& message) {
  nlmsghdr h;
  std::memcpy(&h, message.data(), sizeof h);
  return h;
}

Error Malformed(const char* what) {
  Error e;
  e.code = EPROTO;
  e.detail = what;
  return e;
}

}  // namespace

Status ValidateMessage(const std::vector<uint8_t>& message) {
  if (message.size() < NLMSG_HDRLEN) return Error::Invalid("a netlink message is too short");
  if (message.size() > std::numeric_limits<uint32_t>::max()) {
    return Error{EMSGSIZE, "a netlink message is too large", 0, ""};
  }
  nlmsghdr h = ReadHeader(message);
  // Equal to the size, or to the size before the engine padded it (a resent dump).
  if (h.nlmsg_len < NLMSG_HDRLEN ||
      (h.nlmsg_len != message.size() && NLMSG_ALIGN(h.nlmsg_len) != message.size())) {
    return Error::Invalid("a netlink message's nlmsg_len does not match its size");
  }
  return Status();
}

Request* Exchange::Own(Request request) {
  owned_.push_back(std::move(request));
  requests_.push_back(&owned_.back());
  return &owned_.back();
}

void Exchange::Frame(std::vector<uint8_t> begin, std::vector<uint8_t> end) {
  owned_.emplace_back(std::move(begin), Expect::kNone);
  requests_.insert(requests_.begin(), &owned_.back());
  owned_.emplace_back(std::move(end), Expect::kNone);
  requests_.push_back(&owned_.back());
  alone_ = true;
}

size_t Exchange::bytes() const {
  size_t n = 0;
  for (const Request* r : requests_) n += NLMSG_ALIGN(r->message.size());
  return n;
}

uint32_t Engine::NextSeq() {
  // 0 is skipped (notifications the kernel originates carry seq 0), and so is a number still
  // waiting for a reply after a full wrap: a reply must never match two requests.
  for (;;) {
    uint32_t seq = next_seq_++;
    if (seq != 0 && pending_.find(seq) == pending_.end()) return seq;
  }
}

Status Engine::Start(Exchange* x) {
  if (x->started_) return Error{EALREADY, "a netlink exchange was started twice", 0, ""};
  x->started_ = true;
  for (Request* r : x->requests_) {
    Status valid = ValidateMessage(r->message);
    if (valid.ok()) continue;
    // Nothing is sent: every request of the exchange carries the reason.
    for (Request* q : x->requests_) {
      q->status = valid;
      q->done = true;
    }
    x->status_ = valid;
    return valid;
  }
  x->open_ = 0;
  for (Request* r : x->requests_) {
    r->message.resize(NLMSG_ALIGN(r->message.size()), 0);
    nlmsghdr h = ReadHeader(r->message);
    r->seq = NextSeq();
    r->status = Status();
    r->interrupted = false;
    r->done = r->expect == Expect::kNone;
    h.nlmsg_seq = r->seq;
    h.nlmsg_pid = port_id_;
    h.nlmsg_flags |= NLM_F_REQUEST;  // the kernel ignores messages without it (netlink_rcv_skb)
    if (r->expect == Expect::kAck) {
      h.nlmsg_flags |= NLM_F_ACK;
    } else {
      // A dump ends with DONE; a GET's answer is its reply (kReply); a kNone message must get no
      // ACK (nfnetlink ACKs BATCH_BEGIN/END when asked, on newer kernels).
      h.nlmsg_flags &= ~NLM_F_ACK;
    }
    WriteHeader(&r->message, h);
    pending_[r->seq] = Pending{r, x, (h.nlmsg_flags & NLM_F_ECHO) != 0};
    if (r->expect != Expect::kNone) ++x->open_;
  }
  if (x->open_ == 0) Finish(x);
  return Status();
}

Status Engine::Feed(const uint8_t* data, size_t len, Sender from) {
  if (from.port != 0) {
    // Only the kernel answers requests; a unicast from another process is never a reply.
    ++stats_.foreign_dropped;
    return Status();
  }
  // Handlers read messages through nlmsghdr references: make sure they are aligned.
  std::unique_ptr<uint32_t[]> aligned;
  if (reinterpret_cast<uintptr_t>(data) % alignof(nlmsghdr) != 0) {
    aligned.reset(new uint32_t[(len + 3) / 4]);
    std::memcpy(aligned.get(), data, len);
    data = reinterpret_cast<const uint8_t*>(aligned.get());
  }
  size_t left = len;
  const uint8_t* at = data;
  while (left > 0) {
    if (left < NLMSG_HDRLEN) return Malformed("a netlink datagram ends in a partial header");
    nlmsghdr h;
    std::memcpy(&h, at, sizeof h);
    if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left) {
      return Malformed("a netlink message's length runs past its datagram");
    }
    Dispatch(*reinterpret_cast<const nlmsghdr*>(at), from.groups);
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= left) break;
    at += step;
    left -= step;
  }
  return Status();
}

void Engine::Unsolicited(const nlmsghdr& msg, uint32_t groups) {
  if (listener_) {
    ++stats_.unsolicited_heard;
    listener_(msg, groups);
  } else {
    ++stats_.unsolicited_dropped;
  }
}

void Engine::Dispatch(const nlmsghdr& msg, uint32_t groups) {
  if (msg.nlmsg_seq == 0 || msg.nlmsg_pid != port_id_) {
    Unsolicited(msg, groups);
    return;
  }
  auto it = pending_.find(msg.nlmsg_seq);
  // A multicast notification can carry our port id and sequence number (a change we made, seen
  // on a socket that listens to the group): a reply only when the request asked for it back
  // (NLM_F_ECHO, whose copy comes unicast but still marked with its group: nlmsg_notify).
  if (it == pending_.end() || (groups != 0 && !it->second.echo)) {
    Unsolicited(msg, groups);
    return;
  }
  Pending p = it->second;
  Request& r = *p.request;
  if (msg.nlmsg_flags & NLM_F_DUMP_INTR) r.interrupted = true;

  switch (msg.nlmsg_type) {
    case NLMSG_NOOP:
      return;
    case NLMSG_OVERRUN: {
      Status lost = Error{ENOBUFS, "netlink overrun", 0, ""};
      if (r.expect == Expect::kNone) {
        FailExchange(p.exchange, lost);
      } else {
        Complete(msg.nlmsg_seq, p, lost);
      }
      return;
    }
    case NLMSG_ERROR: {
      Status ack = DecodeAck(msg);
      if (r.expect != Expect::kNone) {
        Complete(msg.nlmsg_seq, p, ack);  // a dump answered with an error was refused whole
      } else if (!ack.ok()) {
        r.status = ack;
        FailExchange(p.exchange, ack);
      }
      return;
    }
    case NLMSG_DONE:
      // For kAck, DONE only ends a multi-part answer; the ACK follows. For kReply it ends one.
      if (r.expect == Expect::kDump || r.expect == Expect::kReply) {
        Complete(msg.nlmsg_seq, p, DecodeAck(msg));
      }
      return;
    default:
      if (msg.nlmsg_type < NLMSG_MIN_TYPE) return;  // another control message
      if (r.status.ok() && r.handler) {
        Status s = r.handler->OnMessage(msg);
        if (!s.ok()) r.status = s;
      }
      // A GET's single answer is all that comes (a multi-part one ends with DONE).
      if (r.expect == Expect::kReply && !(msg.nlmsg_flags & NLM_F_MULTI)) {
        Complete(msg.nlmsg_seq, p, Status());
      }
      return;
  }
}

void Engine::Complete(uint32_t seq, Pending p, Status status) {
  Request& r = *p.request;
  if (r.status.ok() && !status.ok()) r.status = std::move(status);
  r.done = true;
  pending_.erase(seq);
  if (--p.exchange->open_ == 0) Finish(p.exchange);
}

void Engine::FailExchange(Exchange* x, const Status& status) {
  if (x->status_.ok()) x->status_ = status;
  for (Request* q : x->requests_) {
    auto it = pending_.find(q->seq);
    if (it != pending_.end() && it->second.request == q) pending_.erase(it);
    if (!q->done) {
      if (q->status.ok()) q->status = status;
      q->done = true;
    }
  }
  x->open_ = 0;
}

void Engine::Finish(Exchange* x) {
  // Its kNone messages stop listening for errors: from now on, a reply to them is unsolicited.
  for (Request* q : x->requests_) {
    if (q->expect != Expect::kNone) continue;
    auto it = pending_.find(q->seq);
    if (it != pending_.end() && it->second.request == q) pending_.erase(it);
  }
}

void Engine::FailAll(const Error& error) {
  std::vector<Exchange*> running;
  for (const auto& [seq, p] : pending_) {
    bool seen = false;
    for (Exchange* x : running) seen = seen || x == p.exchange;
    if (!seen) running.push_back(p.exchange);
  }
  Status failed(error);
  for (Exchange* x : running) FailExchange(x, failed);
  pending_.clear();
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
    // Without NLM_F_CAPPED the original request follows the error header (netlink_ack in
    // af_netlink.c); the TLVs come after it.
    size_t echoed = 0;
    if (!(msg.nlmsg_flags & NLM_F_CAPPED) && e.msg.nlmsg_len >= NLMSG_HDRLEN) {
      echoed = e.msg.nlmsg_len - NLMSG_HDRLEN;
    }
    tlv_at = NLMSG_HDRLEN + Align(sizeof e + echoed);
  } else {  // NLMSG_DONE: an int error, then (with NETLINK_EXT_ACK) TLVs (netlink_dump_done)
    if (len >= NLMSG_HDRLEN + sizeof(int32_t)) std::memcpy(&err, base + NLMSG_HDRLEN, sizeof err);
    tlv_at = NLMSG_HDRLEN + Align(sizeof(int32_t));
  }
  if (err == 0) return Status();

  Error out;
  // The kernel sends -errno, 1..4095 (MAX_ERRNO). Anything else is not an errno (and -INT32_MIN
  // does not even fit an int): the reply is malformed.
  int64_t code = err < 0 ? -static_cast<int64_t>(err) : err;
  if (code > 4095) {
    out.code = EPROTO;
    out.detail = "a netlink error reply with an impossible error code " + std::to_string(err);
    return out;
  }
  out.code = static_cast<int>(code);
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

std::vector<uint8_t> NfnlBatchMessage(uint16_t type, uint16_t subsys_id,
                                      std::optional<uint32_t> genid) {
  MessageBuilder b(type, NLM_F_REQUEST);
  nfgenmsg g{};
  g.nfgen_family = AF_UNSPEC;
  g.version = NFNETLINK_V0;
  g.res_id = htons(subsys_id);
  b.PutHeader(g);
  if (genid) b.PutU32(NFNL_BATCH_GENID, htonl(*genid));
  // Nothing here can overflow an attribute: Finish cannot fail.
  return std::move(b).Finish().take();
}

void FrameNfnlBatch(Exchange* exchange, uint16_t subsys_id, std::optional<uint32_t> genid) {
  exchange->Frame(NfnlBatchMessage(NFNL_MSG_BATCH_BEGIN, subsys_id, genid),
                  NfnlBatchMessage(NFNL_MSG_BATCH_END, subsys_id));
}

}  // namespace netns_native::netlink
