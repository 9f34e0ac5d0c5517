// One nf_tables operation ready to run on a NETLINK_NETFILTER socket: a batch of commands, which
// the kernel applies all or nothing, a dump of tables, chains, rules, sets or one set's elements,
// or a read of the ruleset
// generation. The nf_tables counterpart of rtnl::Operation, run by the same socket runner
// (netlink/socket.h).
//
// Threads: built and read on any thread, run on the thread holding the socket. Owns its
// messages and results.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "../netlink/socket.h"
#include "batch.h"
#include "decode.h"

namespace netns_native::nft {

class Operation final : public netlink::ReplyHandler {
 public:
  enum class Dump : uint8_t { kTables, kChains, kRules, kSets, kSetElems };

  // A batch: `messages` from Batch::Finish (BATCH_BEGIN, commands, BATCH_END), or the error
  // composing it, which then fails the operation without sending anything.
  static std::unique_ptr<Operation> ForBatch(Result<std::vector<BatchMessage>> messages);
  // A dump request (BuildDumpTables / Chains / Rules / Sets / SetElems) and what its replies are.
  static std::unique_ptr<Operation> ForDump(Result<std::vector<uint8_t>> request, Dump what);
  // GETGEN: the ruleset's generation (`genid`), what a batch can be made against.
  static std::unique_ptr<Operation> ForGen();

  // Runs it on `socket` (NETLINK_NETFILTER). The outcome is status(); the returned Status is the
  // socket's own failure (then the socket is broken and status() carries the same error).
  Status Run(netlink::Socket& socket, int timeout_ms = netlink::Socket::kDefaultTimeoutMs);

  // A batch: OK only if every command was accepted and the batch committed. The kernel rolls back
  // everything when one command fails, so the first failing command's error (with the kernel's
  // extended-ack text) is the batch's.
  const Status& status() const { return status_; }

  Status OnMessage(const nlmsghdr& msg) override;
  void OnRestart() override;

  std::vector<TableInfo> tables;
  std::vector<ChainInfo> chains;
  // A dump's rules; for a batch, the rules the kernel echoed back (commands sent with
  // NLM_F_ECHO), with the handles it gave them.
  std::vector<RuleInfo> rules;
  std::vector<SetInfo> sets;
  std::vector<SetElemInfo> elements;
  uint32_t genid = 0;

 private:
  Operation() = default;
  std::vector<BatchMessage> batch_;
  std::optional<netlink::Request> request_;  // a dump, or GETGEN
  Dump what_ = Dump::kRules;
  bool gen_ = false;
  Status status_;
};

}  // namespace netns_native::nft
