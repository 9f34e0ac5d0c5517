#include "operation.h"

#include <linux/rtnetlink.h>

namespace netns_native::rtnl {

Operation::Operation(Result<std::vector<uint8_t>> message, bool dump) {
  request_.expect = dump ? netlink::Expect::kDump : netlink::Expect::kAck;
  request_.handler = this;
  if (message.ok()) {
    request_.message = message.take();
    built_ = true;
  } else {
    request_.status = message.take_error();
  }
}

Status Operation::OnMessage(const nlmsghdr& msg) {
  switch (msg.nlmsg_type) {
    case RTM_NEWLINK: {
      Result<LinkInfo> r = ParseLink(msg);
      if (!r.ok()) return r.status();
      links.push_back(r.take());
      return Status();
    }
    case RTM_NEWADDR: {
      Result<AddressInfo> r = ParseAddr(msg);
      if (!r.ok()) return r.status();
      addresses.push_back(r.take());
      return Status();
    }
    case RTM_NEWROUTE: {
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
    case RTM_NEWRULE: {
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
}

Status RunOperations(netlink::Socket& socket, const std::vector<Operation*>& ops, int timeout_ms) {
  std::vector<netlink::Request*> requests;
  requests.reserve(ops.size());
  for (Operation* op : ops) {
    if (op->built_) requests.push_back(&op->request_);
  }
  if (requests.empty()) return Status();
  return socket.Transact(requests, timeout_ms);
}

}  // namespace netns_native::rtnl
