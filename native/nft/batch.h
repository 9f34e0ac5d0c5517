// nfnetlink batch framing for nf_tables: the commands that change a ruleset (objects.h New*/Del*)
// travel between NFNL_MSG_BATCH_BEGIN and NFNL_MSG_BATCH_END and the kernel applies them as one
// transaction: all or nothing. Pure; no I/O, safe on any thread; nothing throws.
//
// What the transport must know (net/netfilter/nfnetlink.c, nfnetlink_rcv_batch; each point is
// exercised against the kernel by native/test/nft_kernel_test.cc):
//   - The whole batch, BEGIN to END, goes in ONE sendmsg (one buffer, or one iovec per message):
//     the kernel only looks for END inside the datagram that carried BEGIN, and aborts a batch
//     without its END. A large batch may need SO_SNDBUF raised (nft uses SO_SNDBUFFORCE), since
//     netlink refuses a datagram bigger than the send buffer with EMSGSIZE.
//   - Every message gets its own nlmsg_seq (left 0 here; the transport numbers them when it
//     sends), so that each reply can be matched to its message; nlmsg_pid stays 0.
//   - The kernel processes the batch inside sendmsg(): when sendmsg returns, every reply is
//     already queued on the socket. They come in batch order, one NLMSG_ERROR per command (Batch
//     sets NLM_F_ACK on every command; error 0 = the command was valid). BEGIN and END are not
//     acknowledged (kernels from 6.10 would, given NLM_F_ACK; they do not carry it here).
//   - The batch was committed if and only if every command's ACK is 0. If one command fails, the
//     kernel aborts the whole batch but still sends 0 for the commands that were valid, so a 0
//     ACK alone does not mean "applied".
//   - A failure of the batch as a whole comes as an NLMSG_ERROR carrying BEGIN's nlmsg_seq. For
//     EPERM (no CAP_NET_ADMIN), ERESTART (stale genid), EOPNOTSUPP and ENOMEM the kernel stopped
//     before the commands and sends nothing else; after a failed commit the command ACKs follow.
//     So: done when the last command's ACK has arrived, or when an error for BEGIN has arrived
//     and nothing more is queued.
//   - The ACKs must fit in the socket's receive buffer, since the kernel queues them all during
//     sendmsg and drops those that do not fit: recv then fails once with ENOBUFS, the ACKs that
//     fitted can still be read, the others are lost (the batch's outcome is then known only by
//     reading the ruleset again). Each queued ACK takes about 850 bytes of receive buffer (skb
//     overhead), so the default net.core.rmem_default (208 KiB) holds about 250; for larger
//     batches raise SO_RCVBUF (SO_RCVBUFFORCE as root; the kernel doubles the value given) to
//     about commands() KiB, as nft sizes its own.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"

namespace netns_native::nft {

// One encoded message of a batch.
struct BatchMessage {
  std::vector<uint8_t> bytes;
  // True when the kernel will answer this message with an NLMSG_ERROR (0 or -errno): every
  // command. False for BEGIN and END, which are answered only when the whole batch fails (see
  // above).
  bool expects_ack = false;
};

// NFNL_MSG_BATCH_BEGIN: nfgenmsg {AF_UNSPEC, NFNETLINK_V0, res_id htons(NFNL_SUBSYS_NFTABLES)},
// plus NFNL_BATCH_GENID (be32) when `genid` is given: the kernel then refuses the batch with
// ERESTART unless the ruleset generation is still `genid` (from a GETGEN reply, decode.h), which
// makes "read, decide, write" safe against another writer. nft 1.0.6 sends no genid.
Result<std::vector<uint8_t>> BuildBatchBegin(std::optional<uint32_t> genid);
// NFNL_MSG_BATCH_END, with the same nfgenmsg.
Result<std::vector<uint8_t>> BuildBatchEnd();

// Collects commands into a batch. Typical use:
//   Batch batch;
//   batch.Add(BuildNewTable(NFPROTO_IPV4, "netns-native", false));
//   batch.Add(BuildNewChain(chain, false));
//   Result<std::vector<BatchMessage>> messages = std::move(batch).Finish();
// Not thread-safe (one owner); the messages returned are the caller's.
class Batch {
 public:
  explicit Batch(std::optional<uint32_t> genid = std::nullopt);

  // Appends one command (the Result of a Build* function of objects.h) and sets NLM_F_ACK on it.
  // A failed Result, or a message that is not an nf_tables New*/Del* command (Get* and dumps are
  // not allowed in a batch: the kernel refuses them with EINVAL), is remembered: Finish() then
  // returns the first such error and later commands are ignored.
  void Add(Result<std::vector<uint8_t>> command);

  // Commands added so far (BEGIN and END not counted).
  size_t commands() const { return commands_; }

  // BEGIN, the commands in order, END. EINVAL for a batch without commands (the kernel would
  // answer nothing, leaving the transport nothing to wait for), or the first error from Add().
  Result<std::vector<BatchMessage>> Finish() &&;

 private:
  std::vector<BatchMessage> messages_;
  size_t commands_ = 0;
  Status status_;
};

}  // namespace netns_native::nft
