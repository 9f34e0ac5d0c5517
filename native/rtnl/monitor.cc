#include "monitor.h"

#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace netns_native::rtnl {

namespace {

// One receive buffer per thread that reads monitors (the JS thread), shared by all of them.
// A notification is one message of at most a few KB (a link with many VFs: tens of KB).
constexpr size_t kReceiveBytes = 256 * 1024;

uint8_t* ReceiveBuffer() {
  thread_local std::unique_ptr<uint32_t[]> buf(new uint32_t[kReceiveBytes / 4]);  // aligned
  return reinterpret_cast<uint8_t*>(buf.get());
}

}  // namespace

void EventBatch::Append(Event event) {
  codes.push_back(event.code());
  switch (event.kind) {
    case EventKind::kLink:
      links.push_back(std::move(std::get<LinkInfo>(event.value)));
      break;
    case EventKind::kAddress:
      addresses.push_back(std::move(std::get<AddressInfo>(event.value)));
      break;
    case EventKind::kRoute:
      routes.push_back(std::move(std::get<RouteInfo>(event.value)));
      break;
    case EventKind::kNeighbour:
      neighbours.push_back(std::move(std::get<NeighbourInfo>(event.value)));
      break;
    case EventKind::kRule:
      rules.push_back(std::move(std::get<RuleInfo>(event.value)));
      break;
    case EventKind::kNexthop:
      nexthops.push_back(std::move(std::get<NexthopObjectInfo>(event.value)));
      break;
    case EventKind::kNetconf:
      netconfs.push_back(std::move(std::get<NetconfInfo>(event.value)));
      break;
    case EventKind::kCount:
      codes.pop_back();
      break;
  }
}

Monitor::Monitor(netlink::Transport transport, uint32_t kinds)
    : transport_(std::move(transport)), engine_(transport_.port_id()), kinds_(kinds) {
  // Called from Feed() during Read(), in stream order, for every notification.
  engine_.set_listener([this](const nlmsghdr& msg, uint32_t) { OnNotification(msg); });
}

Result<std::unique_ptr<Monitor>> Monitor::Open(const MonitorOptions& options) {
  netlink::TransportOptions t;
  t.protocol = NETLINK_ROUTE;
  t.receive_buffer = options.receive_buffer;
  t.send_buffer = 0;         // it sends only fences
  t.overrun_breaks = false;  // an overrun loses notifications, not the socket
  bool nexthops = false;
  for (uint8_t k = 0; k < static_cast<uint8_t>(EventKind::kCount); ++k) {
    if (options.kinds & (1u << k)) {
      for (uint32_t g : EventGroups(static_cast<EventKind>(k))) {
        if (g == RTNLGRP_NEXTHOP) {
          nexthops = true;
        } else {
          t.groups.push_back(g);
        }
      }
    }
  }
  if (t.groups.empty() && !nexthops) {
    return Error::Invalid("a monitor needs at least one kind of event");
  }
  Result<netlink::Transport> transport = netlink::Transport::Open(t);
  if (!transport.ok()) return transport.take_error();
  if (nexthops) {
    // Kernels before 5.3 have no such group (EINVAL), and no nexthop objects to watch either.
    Status joined = transport.value().AddMembership(RTNLGRP_NEXTHOP);
    if (!joined.ok() && joined.error().code != EINVAL) return joined.take_error();
  }
  return std::unique_ptr<Monitor>(new Monitor(transport.take(), options.kinds));
}

Result<uint32_t> Monitor::Fence() {
  auto fence = std::make_unique<PendingFence>();
  nlmsghdr h{};
  h.nlmsg_len = NLMSG_HDRLEN;
  h.nlmsg_type = NLMSG_NOOP;  // netlink_rcv_skb answers a control message with just the ACK
  std::vector<uint8_t> message(NLMSG_HDRLEN);
  std::memcpy(message.data(), &h, sizeof h);
  fence->request = netlink::Request(std::move(message), netlink::Expect::kAck);
  fence->exchange.Add(&fence->request);
  Status started = engine_.Start(&fence->exchange);
  if (!started.ok()) return started.take_error();
  iovec iov{fence->request.message.data(), fence->request.message.size()};
  Status sent = transport_.Send(&iov, 1);
  if (!sent.ok()) {
    engine_.FailAll(sent.error());
    fences_.clear();
    return sent.take_error();
  }
  uint32_t seq = fence->request.seq;
  fences_.push_back(std::move(fence));
  return seq;
}

void Monitor::ForgetFences() {
  if (fences_.empty()) return;
  engine_.FailAll(Error{ENOBUFS, "the fence's answer may have been dropped", 0, ""});
  fences_.clear();
}

void Monitor::set_discard(bool discard) {
  if (discard) ForgetFences();
  discard_ = discard;
}

void Monitor::OnNotification(const nlmsghdr& msg) {
  Result<std::optional<Event>> event = DecodeEvent(msg);
  if (!event.ok()) {
    ++stats_.undecodable;
    return;
  }
  // Not a kind we decode (a late answer to a forgotten fence, ...), or one not asked for.
  if (!event.value() || !(kinds_ & (1u << static_cast<uint8_t>(event.value()->kind)))) return;
  ++stats_.events;
  out_->Append(std::move(*event.value()));
}

Status Monitor::Read(EventBatch* out, size_t max_datagrams, bool* drained) {
  *drained = false;
  uint8_t* buf = ReceiveBuffer();
  for (size_t i = 0; i < max_datagrams; ++i) {
    netlink::Sender from;
    Result<size_t> n = transport_.Receive(buf, kReceiveBytes, 0, &from);
    if (!n.ok()) {
      if (n.error().code == ETIMEDOUT) {  // nothing queued
        if (overrun_pending_) {
          // The queue ran empty: what came before was queued before the loss (see the header).
          overrun_pending_ = false;
          out->codes.push_back(EventBatch::kOverrun);
          ForgetFences();
        }
        *drained = true;
        return Status();
      }
      if (n.error().code == ENOBUFS && !transport_.broken()) {
        ++stats_.overruns;
        overrun_pending_ = true;
        ForgetFences();
        continue;
      }
      return n.take_error();  // the transport is broken: nothing more will come
    }
    ++stats_.datagrams;
    if (discard_) {
      ++stats_.discarded;
      continue;
    }
    out_ = out;
    Status fed = engine_.Feed(buf, n.value(), from);
    out_ = nullptr;
    if (!fed.ok()) {
      // A malformed datagram (never seen from a real kernel): what it held is lost, like an
      // overrun, and is made up for the same way.
      ++stats_.overruns;
      overrun_pending_ = true;
      continue;
    }
    // A fence's ACK is a datagram of its own, so its place among the events is exact.
    while (!fences_.empty() && fences_.front()->exchange.done()) {
      if (fences_.front()->request.status.ok()) {
        out->codes.push_back(EventBatch::kFence);
        out->fences.push_back(fences_.front()->request.seq);
      }
      fences_.pop_front();
    }
  }
  return Status();
}

}  // namespace netns_native::rtnl
