// libFuzzer target: every reply parser (rtnetlink and nf_tables) and the ACK decoder on arbitrary
// bytes.
// Build and run with clang (apt: clang libclang-rt-14-dev): scripts/fuzz.sh [seconds]
#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "../netlink/socket.h"
#include "../nft/decode.h"
#include "../nft/objects.h"
#include "../rtnl/address.h"
#include "../rtnl/link.h"
#include "../rtnl/route.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
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
  (void)netns_native::nft::ParseTable(h);
  (void)netns_native::nft::ParseChain(h);
  (void)netns_native::nft::ParseGen(h);
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
