// One rtnetlink operation ready to run: its encoded request and a place for its replies.
// Operations of any kind can be run together on one socket, in one sendmsg where possible.
#pragma once

#include <vector>

#include "../netlink/socket.h"
#include "address.h"
#include "link.h"
#include "multicast.h"
#include "neighbour.h"
#include "netconf.h"
#include "nexthop.h"
#include "nsid.h"
#include "route.h"
#include "rule.h"

namespace netns_native::rtnl {

class Operation final : public netlink::ReplyHandler {
 public:
  // `message` is a built request (or the error building it, which then fails the operation
  // without sending anything). `dump`: NLM_F_DUMP, replies until NLMSG_DONE. A GET that is not
  // a dump is answered by its reply alone (Expect::kReply: no ACK after it); every other request
  // by its ACK.
  Operation(Result<std::vector<uint8_t>> message, bool dump);

  Status OnMessage(const nlmsghdr& msg) override;
  void OnRestart() override;

  const Status& status() const { return request_.status; }
  bool dump() const { return request_.expect == netlink::Expect::kDump; }
  // What the engine recorded (sequence number, DUMP_INTR), for tests and diagnostics.
  const netlink::Request& request() const { return request_; }
  // A GET or a dump: running it twice changes nothing in the kernel.
  bool read_only() const;

  // Replies, by message type. A GETLINK answers in `links`, a dump of addresses in `addresses`...
  std::vector<LinkInfo> links;
  std::vector<AddressInfo> addresses;
  std::vector<RouteInfo> routes;
  std::vector<NeighbourInfo> neighbours;
  std::vector<RuleInfo> rules;
  std::vector<NsidInfo> nsids;
  std::vector<NexthopObjectInfo> nexthops;
  std::vector<NetconfInfo> netconfs;
  std::vector<NexthopBucketInfo> nexthop_buckets;
  std::vector<MulticastGroupInfo> multicast_groups;

 private:
  friend Status RunOperations(netlink::Socket& socket, const std::vector<Operation*>& ops,
                              int timeout_ms, netlink::DumpWait wait);
  friend bool RunOperationsNoWait(netlink::Socket& socket, const std::vector<Operation*>& ops,
                                  bool changed_before, int timeout_ms);
  // Forgets the outcome of an unfinished run (DumpWait::kStop), so it can run again.
  void Reset();
  netlink::Request request_;
  bool built_ = false;
};

// Runs every operation on `socket` (see Socket::Transact for batching and dump retries). Each
// operation's status() says how it went; the returned Status is only for the socket failing as a
// whole.
Status RunOperations(netlink::Socket& socket, const std::vector<Operation*>& ops,
                     int timeout_ms = netlink::Socket::kDefaultTimeoutMs,
                     netlink::DumpWait wait = netlink::DumpWait::kSleep);

// RunOperations for a thread that must never sleep (the JS thread): an interrupted dump is run
// again at once a few times, but never after a wait. If a dump would have to wait and every
// operation sent before it only read (GETs and dumps), nothing is finished and false is returned:
// the caller runs the same operations again where waiting is allowed (a worker), so nothing runs
// twice that could change anything. If something that changes state was sent before it, that
// dump fails with EINTR instead (it cannot be handed on without running the change twice) and
// the rest runs as usual; `changed_before` says the caller already sent a change in the same
// batch. Returns true when every operation has its outcome.
bool RunOperationsNoWait(netlink::Socket& socket, const std::vector<Operation*>& ops,
                         bool changed_before = false,
                         int timeout_ms = netlink::Socket::kDefaultTimeoutMs);

}  // namespace netns_native::rtnl
