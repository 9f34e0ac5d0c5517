// rtnetlink operations on a namespace's sockets, on the JS thread or on a worker.
#include <chrono>
#include "../convert/convert.h"
#include "../state.h"

#include "api.h"

namespace netns_native::addon {

namespace {

class TransactJob : public Job {
 public:
  TransactJob(std::shared_ptr<ns::NetnsHandle> handle, OperationBatch batch, ns::NamespaceThread* t)
      : handle_(std::move(handle)), batch_(std::move(batch)), ns_thread_(t) {}

  // On a worker: lease a socket of that namespace (opened there by the namespace thread the
  // first time), run the batch, give the socket back.
  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Use();
    if (!lease.ok()) {
      failure_ = lease.take_error();
      return;
    }
    Result<netlink::Socket> socket = handle_->AcquireSocket(*ns_thread_);
    if (!socket.ok()) {
      failure_ = socket.take_error();
      return;
    }
    auto start = std::chrono::steady_clock::now();
    rtnl::RunOperations(socket.value(), batch_.pointers());
    kernel_us_ =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    handle_->ReleaseSocket(socket.take());
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!failure_.ok()) throw ToJsError(env, failure_.error());
    Napi::Object o = Napi::Object::New(env);
    o.Set("results", ResultsToJs(env, batch_));
    o.Set("kernelUs", kernel_us_);
    return o;
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  OperationBatch batch_;
  ns::NamespaceThread* ns_thread_;
  Status failure_;
  double kernel_us_ = 0;
};

// transact(handle, operations): results. Runs on the JS thread: for requests the kernel
// completes inside sendmsg without sleeping, the ACK is queued by the time sendmsg returns,
// so this never waits on anything but the kernel doing the work itself.
Napi::Value Transact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto handle = HandleFromJs(info[0]);
  Result<ns::NetnsHandle::Lease> lease = handle->Use();
  if (!lease.ok()) throw ToJsError(env, lease.error());
  OperationBatch batch = OperationsFromJs(env, info[1]);
  rtnl::RunOperations(handle->js_socket(), batch.pointers());
  return ResultsToJs(env, batch);
}

// transactAsync(handle, operations): Promise<results>. For requests that may sleep.
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
