#include "operation.h"

#include <linux/rtnetlink.h>

#include <cstring>

namespace netns_native::rtnl {

namespace {

// The GET requests this library sends: answered by their reply (or, as dumps, by a multi-part
// answer), and changing nothing in the kernel.
bool IsGet(const std::vector<uint8_t>& message) {
  if (message.size() < sizeof(nlmsghdr)) return false;
  nlmsghdr h;
  std::memcpy(&h, message.data(), sizeof h);
  switch (h.nlmsg_type) {
    case RTM_GETLINK:
    case RTM_GETADDR:
    case RTM_GETROUTE:
    case RTM_GETNEIGH:
    case RTM_GETRULE:
    case RTM_GETNSID:
    case RTM_GETNEXTHOP:
    case RTM_GETNETCONF:
    case RTM_GETNEXTHOPBUCKET:
    case RTM_GETMULTICAST:
      return true;
    default:
      return false;
  }
}

}  // namespace

Operation::Operation(Result<std::vector<uint8_t>> message, bool dump) {
  request_.expect = dump ? netlink::Expect::kDump : netlink::Expect::kAck;
  request_.handler = this;
  if (message.ok()) {
    request_.message = message.take();
    if (!dump && IsGet(request_.message)) request_.expect = netlink::Expect::kReply;
    built_ = true;
  } else {
    request_.status = message.take_error();
  }
}

Status Operation::OnMessage(const nlmsghdr& msg) {
  switch (msg.nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {  // a delete sent with NLM_F_ECHO: what it removed
      Result<LinkInfo> r = ParseLink(msg);
      if (!r.ok()) return r.status();
      links.push_back(r.take());
      return Status();
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {  // a delete sent with NLM_F_ECHO: what it removed
      Result<AddressInfo> r = ParseAddr(msg);
      if (!r.ok()) return r.status();
      addresses.push_back(r.take());
      return Status();
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {  // a delete sent with NLM_F_ECHO: what it removed
      Result<RouteInfo> r = ParseRoute(msg);
      if (!r.ok()) return r.status();
      routes.push_back(r.take());
      return Status();
    }
    case RTM_NEWNEIGH: {
      Result<NeighbourInfo> r = ParseNeigh(msg);
      if (!r.ok()) return r.status();
      neighbours.push_back(r.take());
      return Status();
    }
    case RTM_NEWRULE:
    case RTM_DELRULE: {  // a delete sent with NLM_F_ECHO: what it removed
      Result<RuleInfo> r = ParseRule(msg);
      if (!r.ok()) return r.status();
      rules.push_back(r.take());
      return Status();
    }
    case RTM_NEWNSID: {
      Result<NsidInfo> r = ParseNsid(msg);
      if (!r.ok()) return r.status();
      nsids.push_back(r.take());
      return Status();
    }
    case RTM_NEWNEXTHOP:
    case RTM_DELNEXTHOP: {  // a delete sent with NLM_F_ECHO: what it removed
      Result<NexthopObjectInfo> r = ParseNexthop(msg);
      if (!r.ok()) return r.status();
      nexthops.push_back(r.take());
      return Status();
    }
    case RTM_NEWNETCONF: {
      Result<NetconfInfo> r = ParseNetconf(msg);
      if (!r.ok()) return r.status();
      netconfs.push_back(r.take());
      return Status();
    }
    case RTM_NEWNEXTHOPBUCKET: {
      Result<NexthopBucketInfo> r = ParseNexthopBucket(msg);
      if (!r.ok()) return r.status();
      nexthop_buckets.push_back(r.take());
      return Status();
    }
    case RTM_GETMULTICAST: {  // a multicast dump's entries carry the request's type
      Result<MulticastGroupInfo> r = ParseMulticast(msg);
      if (!r.ok()) return r.status();
      multicast_groups.push_back(r.take());
      return Status();
    }
    default:
      return Status();  // a reply type this operation does not collect
  }
}

void Operation::OnRestart() {
  links.clear();
  addresses.clear();
  routes.clear();
  neighbours.clear();
  rules.clear();
  nsids.clear();
  nexthops.clear();
  netconfs.clear();
  nexthop_buckets.clear();
  multicast_groups.clear();
}

bool Operation::read_only() const {
  if (dump()) return true;
  if (request_.message.size() < sizeof(nlmsghdr)) return true;  // never sent
  return IsGet(request_.message);
}

void Operation::Reset() {
  request_.status = Status();
  request_.done = false;
  request_.interrupted = false;
  OnRestart();
}

Status RunOperations(netlink::Socket& socket, const std::vector<Operation*>& ops, int timeout_ms,
                     netlink::DumpWait wait) {
  std::vector<netlink::Request*> requests;
  requests.reserve(ops.size());
  for (Operation* op : ops) {
    if (op->built_) requests.push_back(&op->request_);
  }
  if (requests.empty()) return Status();
  return socket.Transact(requests, timeout_ms, wait);
}

bool RunOperationsNoWait(netlink::Socket& socket, const std::vector<Operation*>& ops,
                         bool changed_before, int timeout_ms) {
  Status s = RunOperations(socket, ops, timeout_ms, netlink::DumpWait::kStop);
  if (s.ok() || socket.stopped_at() == nullptr || socket.broken()) return true;
  // Stopped at a dump that must wait. The unfinished operations are that dump and those after
  // it (never sent); everything before it has its outcome.
  std::vector<Operation*> unfinished;
  bool changed_something = changed_before;
  for (Operation* op : ops) {
    if (!op->built_) continue;
    if (&op->request_ == socket.stopped_at() || !unfinished.empty()) {
      unfinished.push_back(op);
    } else if (!op->read_only()) {
      changed_something = true;
    }
  }
  if (!changed_something) return false;
  for (Operation* op : unfinished) op->Reset();
  RunOperations(socket, unfinished, timeout_ms, netlink::DumpWait::kGiveUp);
  return true;
}

}  // namespace netns_native::rtnl
