#include "batch.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <cstring>
#include <utility>

#include "../netlink/engine.h"

namespace netns_native::nft {

namespace {

// The nf_tables messages the kernel accepts inside a batch (its NFNL_CB_BATCH callbacks).
bool IsBatchCommand(uint16_t nft_msg) {
  switch (nft_msg) {
    case NFT_MSG_NEWTABLE:
    case NFT_MSG_DELTABLE:
    case NFT_MSG_NEWCHAIN:
    case NFT_MSG_DELCHAIN:
    case NFT_MSG_NEWRULE:
    case NFT_MSG_DELRULE:
    case NFT_MSG_NEWSET:
    case NFT_MSG_DELSET:
    case NFT_MSG_NEWSETELEM:
    case NFT_MSG_DELSETELEM:
    case NFT_MSG_NEWOBJ:
    case NFT_MSG_DELOBJ:
    case NFT_MSG_NEWFLOWTABLE:
    case NFT_MSG_DELFLOWTABLE:
      return true;
    default:
      return false;
  }
}

}  // namespace

// The framing messages are nfnetlink's, built by the engine (netlink/engine.h) for any subsystem.
Result<std::vector<uint8_t>> BuildBatchBegin(std::optional<uint32_t> genid) {
  return netlink::NfnlBatchMessage(NFNL_MSG_BATCH_BEGIN, NFNL_SUBSYS_NFTABLES, genid);
}

Result<std::vector<uint8_t>> BuildBatchEnd() {
  return netlink::NfnlBatchMessage(NFNL_MSG_BATCH_END, NFNL_SUBSYS_NFTABLES, {});
}

Batch::Batch(std::optional<uint32_t> genid) {
  Result<std::vector<uint8_t>> begin = BuildBatchBegin(genid);
  if (!begin.ok()) {
    status_ = begin.status();
    return;
  }
  messages_.push_back({begin.take(), false});
}

void Batch::Add(Result<std::vector<uint8_t>> command) {
  if (!status_.ok()) return;
  if (!command.ok()) {
    status_ = command.status();
    return;
  }
  std::vector<uint8_t> bytes = command.take();
  nlmsghdr h;
  if (bytes.size() < NLMSG_HDRLEN + sizeof(nfgenmsg)) {
    status_ = Error::Invalid("not an nf_tables message: too short");
    return;
  }
  std::memcpy(&h, bytes.data(), sizeof h);
  if (h.nlmsg_len != bytes.size() || (h.nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES ||
      !IsBatchCommand(h.nlmsg_type & 0xff) || !(h.nlmsg_flags & NLM_F_REQUEST)) {
    status_ = Error::Invalid("only nf_tables New*/Del* requests belong in a batch");
    return;
  }
  h.nlmsg_flags |= NLM_F_ACK;
  std::memcpy(bytes.data(), &h, sizeof h);
  messages_.push_back({std::move(bytes), true});
  ++commands_;
}

Result<std::vector<BatchMessage>> Batch::Finish() && {
  if (!status_.ok()) return status_;
  if (commands_ == 0) return Error::Invalid("an nf_tables batch without commands");
  Result<std::vector<uint8_t>> end = BuildBatchEnd();
  if (!end.ok()) return end.status();
  messages_.push_back({end.take(), false});
  return std::move(messages_);
}

}  // namespace netns_native::nft
