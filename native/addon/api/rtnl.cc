// rtnetlink operations on a namespace's NETLINK_ROUTE socket, on the JS thread or on a worker.
#include <linux/netlink.h>

#include <chrono>
#include <optional>

#include "../convert/convert.h"
#include "../state.h"
#include "api.h"

namespace netns_native::addon {

namespace {

class TransactJob : public Job {
 public:
  TransactJob(std::shared_ptr<ns::NetnsHandle> handle, OperationBatch batch, ns::NamespaceThread* t)
      : handle_(std::move(handle)), batch_(std::move(batch)), ns_thread_(t) {}

  // On a worker: lock the namespace's NETLINK_ROUTE socket (opened there by the namespace thread
  // if it is not open: first use, or dropped after a socket-level failure) and run the batch.
  void Execute() override {
    Result<ns::NetnsHandle::SocketLock> socket = handle_->LockSocket(NETLINK_ROUTE, *ns_thread_);
    if (!socket.ok()) {
      failure_ = socket.take_error();
      return;
    }
    auto t0 = std::chrono::steady_clock::now();
    uint64_t retries = socket.value()->stats().dump_retries;
    rtnl::RunOperations(*socket.value(), batch_.pointers());
    kernel_us_ =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    dump_retries_ = socket.value()->stats().dump_retries - retries;
  }

  // { results, kernelUs, dumpRetries }: kernelUs is the wall time of running the batch on the
  // socket (not the wait for the socket or its opening), the dispatcher's measured signal;
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

// transact(handle, operations): results, or undefined when the batch must run on a worker
// instead: the namespace's NETLINK_ROUTE socket is not open (never opened, or dropped after a
// socket-level failure; the JS thread cannot open one, that takes the namespace thread), or an
// interrupted dump must wait before running again and nothing sent so far changed anything
// (rtnl::RunOperationsNoWait). The caller then goes through transactAsync with the same batch.
// Runs on the JS thread: for requests the kernel completes inside sendmsg without sleeping, the
// ACK is queued by the time sendmsg returns, so this never waits on anything but the kernel
// doing the work itself. It never waits for the socket either: the dispatcher runs one batch
// per namespace at a time, and contention is reported as an (internal) error.
Napi::Value Transact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto handle = HandleFromJs(info[0]);
  Result<std::optional<ns::NetnsHandle::SocketLock>> socket = handle->TryLockSocket(NETLINK_ROUTE);
  if (!socket.ok()) throw ToJsError(env, socket.error());
  if (!socket.value()) return env.Undefined();
  OperationBatch batch = OperationsFromJs(env, info[1]);
  if (!rtnl::RunOperationsNoWait(**socket.value(), batch.pointers())) return env.Undefined();
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

void InitRtnlApi(Napi::Env env, Napi::Object exports) {
  exports.Set("transact", Napi::Function::New(env, Transact, "transact"));
  exports.Set("transactAsync", Napi::Function::New(env, TransactAsync, "transactAsync"));
}

}  // namespace netns_native::addon
