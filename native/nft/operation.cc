#include "operation.h"

#include <linux/netfilter/nf_tables.h>

namespace netns_native::nft {

std::unique_ptr<Operation> Operation::ForBatch(Result<std::vector<BatchMessage>> messages) {
  std::unique_ptr<Operation> op(new Operation());
  if (messages.ok()) {
    op->batch_ = messages.take();
  } else {
    op->status_ = messages.take_error();
  }
  return op;
}

std::unique_ptr<Operation> Operation::ForDump(Result<std::vector<uint8_t>> request, Dump what) {
  std::unique_ptr<Operation> op(new Operation());
  op->what_ = what;
  if (request.ok()) {
    op->request_.emplace(request.take(), netlink::Expect::kDump, op.get());
  } else {
    op->status_ = request.take_error();
  }
  return op;
}

std::unique_ptr<Operation> Operation::ForGen() {
  std::unique_ptr<Operation> op(new Operation());
  op->gen_ = true;
  Result<std::vector<uint8_t>> request = BuildGetGen();
  if (request.ok()) {
    // Answered by one NEWGEN message, then the ACK the engine asks for.
    op->request_.emplace(request.take(), netlink::Expect::kAck, op.get());
  } else {
    op->status_ = request.take_error();
  }
  return op;
}

Status Operation::Run(netlink::Socket& socket, int timeout_ms) {
  if (!status_.ok()) return Status();  // never built: nothing to send
  if (request_) {
    Status s = socket.Transact({&*request_}, timeout_ms);
    status_ = request_->status;
    return s;
  }
  if (batch_.size() < 2) return Status();
  // BATCH_BEGIN and BATCH_END frame the commands; only the commands are answered (batch.h).
  netlink::Exchange x;
  std::vector<netlink::Request*> commands;
  for (size_t i = 1; i + 1 < batch_.size(); ++i) {
    // Echoed rules (NLM_F_ECHO) come back with the command's sequence number, before its ACK.
    commands.push_back(
        x.Own(netlink::Request(std::move(batch_[i].bytes), netlink::Expect::kAck, this)));
  }
  x.Frame(std::move(batch_.front().bytes), std::move(batch_.back().bytes));
  batch_.clear();
  Status s = socket.Run(&x, timeout_ms);
  // A whole-batch refusal (EPERM, a stale generation, EOPNOTSUPP) comes against BATCH_BEGIN and
  // fails the exchange; otherwise the first refused command is why nothing was committed.
  status_ = x.status();
  for (netlink::Request* r : commands) {
    if (!status_.ok()) break;
    status_ = r->status;
  }
  return s;
}

Status Operation::OnMessage(const nlmsghdr& msg) {
  if (gen_) {
    Result<GenInfo> g = ParseGen(msg);
    if (!g.ok()) return g.status();
    genid = g.value().id;
    return Status();
  }
  // A batch's replies are its echoed rules; anything else echoed (a table, a chain) is skipped.
  if (what_ == Dump::kRules && NftMessageType(msg) != NFT_MSG_NEWRULE) return Status();
  switch (what_) {
    case Dump::kTables: {
      Result<TableInfo> t = ParseTable(msg);
      if (!t.ok()) return t.status();
      tables.push_back(t.take());
      break;
    }
    case Dump::kChains: {
      Result<ChainInfo> c = ParseChain(msg);
      if (!c.ok()) return c.status();
      chains.push_back(c.take());
      break;
    }
    case Dump::kRules: {
      Result<RuleInfo> r = ParseRule(msg);
      if (!r.ok()) return r.status();
      rules.push_back(r.take());
      break;
    }
    case Dump::kSets: {
      Result<SetInfo> r = ParseSet(msg);
      if (!r.ok()) return r.status();
      sets.push_back(r.take());
      break;
    }
    case Dump::kSetElems: {
      Result<std::vector<SetElemInfo>> r = ParseSetElems(msg);
      if (!r.ok()) return r.status();
      for (SetElemInfo& e : r.value()) elements.push_back(std::move(e));
      break;
    }
  }
  return Status();
}

void Operation::OnRestart() {
  tables.clear();
  chains.clear();
  rules.clear();
  sets.clear();
  elements.clear();
}

}  // namespace netns_native::nft
