// libFuzzer target: every reply parser (rtnetlink and nf_tables), the ACK decoder, and the
// request engine fed arbitrary datagrams while requests of each kind are pending.
// Build and run with clang (apt: clang libclang-rt-14-dev): scripts/fuzz.sh [seconds]
#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "../netlink/engine.h"
#include "../nft/decode.h"
#include "../nft/objects.h"
#include "../ns/proc_multicast.h"
#include "../rtnl/address.h"
#include "../rtnl/link.h"
#include "../rtnl/multicast.h"
#include "../rtnl/neighbour.h"
#include "../rtnl/netconf.h"
#include "../rtnl/nexthop.h"
#include "../rtnl/nsid.h"
#include "../rtnl/route.h"
#include "../rtnl/rule.h"

namespace {

// The engine as a socket would drive it: an ACK, a dump and a framing message pending (sequence
// numbers 1-3, port 1, so that fuzzed headers can hit them), then the datagram, then FailAll.
void FeedEngine(const uint8_t* data, size_t size) {
  using netns_native::netlink::Expect;
  using netns_native::netlink::Request;
  auto message = [](uint16_t type) {
    std::vector<uint8_t> m(NLMSG_HDRLEN, 0);
    nlmsghdr h{};
    h.nlmsg_len = NLMSG_HDRLEN;
    h.nlmsg_type = type;
    std::memcpy(m.data(), &h, sizeof h);
    return m;
  };
  netns_native::netlink::Engine engine(1);
  engine.set_listener([](const nlmsghdr&, uint32_t) {});
  netns_native::netlink::Exchange x;
  x.Own(Request(message(0x10), Expect::kNone));
  x.Own(Request(message(0x10), Expect::kAck));
  x.Own(Request(message(0x12), Expect::kDump));
  if (!engine.Start(&x).ok()) return;
  (void)engine.Feed(data, size);
  engine.FailAll(netns_native::Error{EPROTO, "", 0, ""});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FeedEngine(data, size);
  // The same bytes as the text of the /proc/net multicast files.
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)netns_native::ns::ParseDevMcast(text);
  (void)netns_native::ns::ParseIgmp(text);
  (void)netns_native::ns::ParseIgmp6(text);
  if (size < NLMSG_HDRLEN) return 0;
  // The receive loop only hands on messages whose nlmsg_len fits the datagram; do the same.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[size]);
  std::memcpy(copy.get(), data, size);
  uint32_t len = static_cast<uint32_t>(size);
  uint32_t claimed;
  std::memcpy(&claimed, copy.get(), 4);
  if (claimed > len || claimed < NLMSG_HDRLEN) std::memcpy(copy.get(), &len, 4);
  const nlmsghdr& h = *reinterpret_cast<const nlmsghdr*>(copy.get());
  (void)netns_native::rtnl::ParseLink(h);
  (void)netns_native::rtnl::ParseAddr(h);
  (void)netns_native::rtnl::ParseRoute(h);
  (void)netns_native::rtnl::ParseNeigh(h);
  (void)netns_native::rtnl::ParseRule(h);
  (void)netns_native::rtnl::ParseNsid(h);
  (void)netns_native::rtnl::ParseNexthop(h);
  (void)netns_native::rtnl::ParseNetconf(h);
  (void)netns_native::rtnl::ParseMulticast(h);
  (void)netns_native::nft::ParseTable(h);
  (void)netns_native::nft::ParseChain(h);
  (void)netns_native::nft::ParseGen(h);
  (void)netns_native::nft::ParseSet(h);
  (void)netns_native::nft::ParseSetElems(h);
  netns_native::Result<netns_native::nft::RuleInfo> rule = netns_native::nft::ParseRule(h);
  if (rule.ok() && !rule.value().table.empty() && !rule.value().chain.empty()) {
    // Whatever decodes must encode again (the generic expression form round-trips).
    netns_native::nft::RuleRequest req;
    req.table = rule.value().table;
    req.chain = rule.value().chain;
    req.exprs = rule.value().exprs;
    (void)netns_native::nft::BuildNewRule(req);
  }
  // The expression list parser on its own, on the raw bytes after the headers.
  if (size > NLMSG_HDRLEN + 4) {
    (void)netns_native::nft::ParseExprList(copy.get() + NLMSG_HDRLEN + 4, size - NLMSG_HDRLEN - 4);
  }
  if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE) {
    (void)netns_native::netlink::DecodeAck(h);
  }
  return 0;
}
