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
void RunEntries(OperationBatch& batch, SocketLock* route, SocketLock* netfilter) {
  std::vector<rtnl::Operation*> run;
  auto flush = [&] {
    if (!run.empty()) rtnl::RunOperations(**route, run);
    run.clear();
  };
  for (OperationBatch::Entry& e : batch.entries) {
    if (e.rtnl) {
      run.push_back(e.rtnl.get());
    } else {
      flush();
      e.nft->Run(**netfilter);
    }
  }
  flush();
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
    RunEntries(batch_, route ? &*route : nullptr, netfilter ? &*netfilter : nullptr);
    kernel_us_ =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }

  // { results, kernelUs }: kernelUs is the wall time of running the batch on the sockets (not
  // the wait for them or their opening), the dispatcher's measured signal.
  Napi::Value Complete(Napi::Env env) override {
    if (!failure_.ok()) throw ToJsError(env, failure_.error());
    Napi::Object out = Napi::Object::New(env);
    out.Set("results", ResultsToJs(env, batch_));
    out.Set("kernelUs", Napi::Number::New(env, kernel_us_));
    return out;
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  OperationBatch batch_;
  ns::NamespaceThread* ns_thread_;
  Status failure_;
  double kernel_us_ = 0;
};

// transact(handle, operations): results, or undefined when a socket the batch needs is not open
// (never opened, or dropped after a socket-level failure): the JS thread cannot open one (that
// takes the namespace thread), so the caller goes through transactAsync instead; nothing was
// sent then. Runs on the JS thread: for requests the kernel completes inside sendmsg without
// sleeping, the replies are queued by the time sendmsg returns, so this never waits on anything
// but the kernel doing the work itself. It never waits for a socket either: the dispatcher runs
// one batch per namespace at a time, and contention is reported as an error.
Napi::Value Transact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto handle = HandleFromJs(info[0]);
  OperationBatch batch = OperationsFromJs(env, info[1]);
  std::optional<SocketLock> route, netfilter;
  for (auto [protocol, slot] :
       {std::pair{NETLINK_ROUTE, &route}, {NETLINK_NETFILTER, &netfilter}}) {
    if (!batch.needs(protocol)) continue;
    Result<std::optional<SocketLock>> socket = handle->TryLockSocket(protocol);
    if (!socket.ok()) throw ToJsError(env, socket.error());
    if (!socket.value()) return env.Undefined();
    slot->emplace(std::move(*socket.value()));
  }
  RunEntries(batch, route ? &*route : nullptr, netfilter ? &*netfilter : nullptr);
  return ResultsToJs(env, batch);
}

// transactAsync(handle, operations): Promise<{ results, kernelUs }>, on a worker thread.
Napi::Value TransactAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto handle = HandleFromJs(info[0]);
  OperationBatch batch = OperationsFromJs(env, info[1]);
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
