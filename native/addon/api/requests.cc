// Requests on a namespace's netlink sockets — rtnetlink on its NETLINK_ROUTE socket, nf_tables
// on its NETLINK_NETFILTER socket — on the JS thread or on a worker.
#include <linux/netlink.h>

#include <chrono>
#include <optional>

#include "../convert/convert.h"
#include "../state.h"
#include "api.h"

namespace netns_native::addon {

namespace {

using SocketLock = ns::NetnsHandle::SocketLock;

// Runs the entries in order: each run of consecutive rtnetlink requests on the ROUTE socket (in
// as few sendmsg as the kernel allows), each nf_tables operation on the NETFILTER socket. One
// batch at a time per namespace (lib/internal/dispatch.ts), so order is the order given.
// `route` / `netfilter` are the locked sockets (present when the batch needs them).
// On the JS thread (`no_wait`) an interrupted dump is never waited for: when one would have to
// wait before anything in the batch changed state, false is returned and the caller hands the
// whole batch to a worker (rtnl::RunOperationsNoWait). Returns true when every entry has its
// outcome.
bool RunEntries(OperationBatch& batch, SocketLock* route, SocketLock* netfilter, bool no_wait) {
  std::vector<rtnl::Operation*> run;
  bool changed = false;  // something sent so far may have changed state
  bool finished = true;
  auto flush = [&] {
    if (run.empty() || !finished) return;
    if (no_wait) {
      finished = rtnl::RunOperationsNoWait(**route, run, changed);
    } else {
      rtnl::RunOperations(**route, run);
    }
    for (rtnl::Operation* op : run) changed = changed || !op->read_only();
    run.clear();
  };
  for (OperationBatch::Entry& e : batch.entries) {
    if (e.rtnl) {
      run.push_back(e.rtnl.get());
      continue;
    }
    flush();
    if (!finished) return false;
    e.nft->Run(**netfilter);
    changed = true;  // nf_tables entries are taken as changes (a dump among them is rare)
  }
  flush();
  return finished;
}

// (handle, operations) with operations a plain array, or (handle, nums, count, refs) packed.
OperationBatch ReadBatch(const Napi::CallbackInfo& info) {
  if (info.Length() >= 4) return OperationsFromJs(info.Env(), info[1], info[2], info[3]);
  return OperationsFromJs(info.Env(), info[1]);
}

class TransactJob : public Job {
 public:
  TransactJob(std::shared_ptr<ns::NetnsHandle> handle, OperationBatch batch, ns::NamespaceThread* t)
      : handle_(std::move(handle)), batch_(std::move(batch)), ns_thread_(t) {}

  // On a worker: lock the sockets the batch needs (opened there by the namespace thread when
  // they are not open: first use, or dropped after a socket-level failure) and run it.
  void Execute() override {
    std::optional<SocketLock> route, netfilter;
    for (auto [protocol, slot] :
         {std::pair{NETLINK_ROUTE, &route}, {NETLINK_NETFILTER, &netfilter}}) {
      if (!batch_.needs(protocol)) continue;
      Result<SocketLock> socket = handle_->LockSocket(protocol, *ns_thread_);
      if (!socket.ok()) {
        failure_ = socket.take_error();
        return;
      }
      slot->emplace(socket.take());
    }
    auto t0 = std::chrono::steady_clock::now();
    uint64_t retries = route ? (**route).stats().dump_retries : 0;
    RunEntries(batch_, route ? &*route : nullptr, netfilter ? &*netfilter : nullptr, false);
    kernel_us_ =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    if (route) dump_retries_ = (**route).stats().dump_retries - retries;
  }

  // { results, kernelUs, dumpRetries }: kernelUs is the wall time of running the batch on the
  // sockets (not the wait for them or their opening), the dispatcher's measured signal;
  // dumpRetries, how many times interrupted dumps were run again meanwhile.
  Napi::Value Complete(Napi::Env env) override {
    if (!failure_.ok()) throw ToJsError(env, failure_.error());
    Napi::Object out = Napi::Object::New(env);
    out.Set("results", ResultsToJs(env, batch_));
    out.Set("kernelUs", Napi::Number::New(env, kernel_us_));
    out.Set("dumpRetries", Napi::Number::New(env, static_cast<double>(dump_retries_)));
    return out;
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  OperationBatch batch_;
  ns::NamespaceThread* ns_thread_;
  Status failure_;
  double kernel_us_ = 0;
  uint64_t dump_retries_ = 0;
};

// transact(handle, operations) or transact(handle, nums, count, refs): results, or undefined when
// the batch must run on a worker instead, the caller then going through transactAsync with the same
// batch: a socket it needs is not open (never opened, or dropped after a socket-level failure: the
// JS thread cannot open one, that takes the namespace thread; nothing was sent), or an interrupted
// dump must wait before running again and nothing sent so far changed anything (see RunEntries).
// Runs on the JS thread: for requests the kernel completes inside sendmsg without sleeping, the
// replies are queued by the time sendmsg returns, so this never waits on anything but the kernel
// doing the work itself. It never waits for a socket either: the dispatcher runs one batch per
// namespace at a time, and contention is reported as an error.
Napi::Value Transact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto handle = HandleFromJs(info[0]);
  OperationBatch batch = ReadBatch(info);
  std::optional<SocketLock> route, netfilter;
  for (auto [protocol, slot] :
       {std::pair{NETLINK_ROUTE, &route}, {NETLINK_NETFILTER, &netfilter}}) {
    if (!batch.needs(protocol)) continue;
    Result<std::optional<SocketLock>> socket = handle->TryLockSocket(protocol);
    if (!socket.ok()) throw ToJsError(env, socket.error());
    if (!socket.value()) return env.Undefined();
    slot->emplace(std::move(*socket.value()));
  }
  if (!RunEntries(batch, route ? &*route : nullptr, netfilter ? &*netfilter : nullptr, true)) {
    return env.Undefined();
  }
  return ResultsToJs(env, batch);
}

// transactAsync(handle, operations) or transactAsync(handle, nums, count, refs):
// Promise<{ results, kernelUs, dumpRetries }>, on a worker thread. The operations are read here,
// on the JS thread, before the job starts.
Napi::Value TransactAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto handle = HandleFromJs(info[0]);
  OperationBatch batch = ReadBatch(info);
  AddonState& state = State(env);
  return state.OnWorker(env, std::make_unique<TransactJob>(std::move(handle), std::move(batch),
                                                           state.ns_thread.get()));
}

}  // namespace

void InitRequestsApi(Napi::Env env, Napi::Object exports) {
  exports.Set("transact", Napi::Function::New(env, Transact, "transact"));
  exports.Set("transactAsync", Napi::Function::New(env, TransactAsync, "transactAsync"));
}

}  // namespace netns_native::addon
