// MonitorSocket: a monitor (rtnl/monitor.h) opened inside a namespace by the namespace thread,
// then read on the JS thread from a uv_poll on its fd: no thread per monitor, one socket each.
// Each time the socket becomes readable, what is queued (up to kMaxDatagramsPerWake datagrams,
// so one busy monitor cannot hold the event loop) is decoded and handed to JavaScript as one
// batch, in the shapes of the dumps' results (convert/results.cc).
#include "../../rtnl/monitor.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"
#include "loop_watch.h"

namespace netns_native::addon {

namespace {

// A notification costs ~3 µs here (recvmsg, decode, conversion) and as much again in
// lib/monitor.ts (Link objects, the iterator): 128 a wake keeps a turn of the loop under a
// millisecond; a fuller queue is read on the next turn (uv_poll is level-triggered).
constexpr size_t kMaxDatagramsPerWake = 128;

class MonitorSocket : public Napi::ObjectWrap<MonitorSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "MonitorSocket",
                       {InstanceMethod<&MonitorSocket::Watch>("watch"),
                        InstanceMethod<&MonitorSocket::Fence>("fence"),
                        InstanceMethod<&MonitorSocket::Discard>("discard"),
                        InstanceMethod<&MonitorSocket::Stats>("stats"),
                        InstanceMethod<&MonitorSocket::Close>("close")});
  }

  // new MonitorSocket(external): only from OpenJob below, which hands over the monitor.
  explicit MonitorSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MonitorSocket>(info) {
    auto* box = info[0].As<Napi::External<std::unique_ptr<rtnl::Monitor>>>().Data();
    monitor_ = std::move(*box);
  }
  // Finalized only when not watching (watching holds a reference), or at environment teardown;
  // watch_ stops itself then.

 private:
  // watch(onBatch): calls onBatch(batch) on the event loop with what the socket delivers, until
  // close(). A batch with `error` set is the last one: the socket failed; close() it.
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!monitor_ || watch_.watching()) return env.Undefined();
    watch_.Start(env, monitor_->fd(), info[0].As<Napi::Function>(), "netns-native:monitor",
                 [this](int status) {
                   // An overrun sets the socket's error, which poll reports as POLLERR; libuv
                   // then stops the handle and says UV_EBADF. Reading consumes the error
                   // (recvmsg returns ENOBUFS once); the socket is fine, so watch it again.
                   OnReadable();
                   if (status < 0 && watch_.watching() && monitor_ && !failed_) watch_.Resume();
                 });
    Ref();  // stay alive while the loop may call us; released by close()
    referenced_ = true;
    return env.Undefined();
  }

  // On the JS thread, from the loop. The callback may call close().
  void OnReadable() {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    rtnl::EventBatch batch;
    bool drained = false;
    Status read = monitor_->Read(&batch, kMaxDatagramsPerWake, &drained);
    if (batch.empty() && read.ok()) return;
    Napi::Object out = EventBatchToJs(env, batch);
    if (!read.ok()) {
      out.Set("error", FailureToJs(env, read.error()));
      failed_ = true;
      watch_.Pause();  // nothing more will come
    }
    watch_.Deliver(Value(), {out});
  }

  // fence(): its number; throws (errno) when the socket failed.
  Napi::Value Fence(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!monitor_) throw ToJsError(env, Error{EBADF, "the monitor is closed", 0, ""});
    Result<uint32_t> seq = monitor_->Fence();
    if (!seq.ok()) throw ToJsError(env, seq.error());
    return Napi::Number::New(env, seq.value());
  }

  // discard(on): read and drop without decoding (see Monitor::set_discard).
  Napi::Value Discard(const Napi::CallbackInfo& info) {
    if (monitor_) monitor_->set_discard(info[0].ToBoolean().Value());
    return info.Env().Undefined();
  }

  // stats(): the monitor's counters, or undefined once closed.
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!monitor_) return env.Undefined();
    const rtnl::Monitor::Stats& s = monitor_->stats();
    return ObjectBuilder(env)
        .Num("datagrams", static_cast<double>(s.datagrams))
        .Num("events", static_cast<double>(s.events))
        .Num("overruns", static_cast<double>(s.overruns))
        .Num("undecodable", static_cast<double>(s.undecodable))
        .Num("discarded", static_cast<double>(s.discarded))
        .Build();
  }

  // close(): stops watching and closes the socket at once. Idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    watch_.Stop();
    monitor_.reset();
    if (referenced_) {
      referenced_ = false;
      Unref();
    }
    return info.Env().Undefined();
  }

  std::unique_ptr<rtnl::Monitor> monitor_;
  LoopWatch watch_;  // after monitor_: destroyed (stopped) before the socket closes
  bool referenced_ = false;
  bool failed_ = false;
};

class OpenJob : public Job {
 public:
  OpenJob(std::shared_ptr<ns::NetnsHandle> handle, rtnl::MonitorOptions options)
      : handle_(std::move(handle)), options_(options) {}

  // On the namespace thread: a netlink socket belongs to the namespace it is created in.
  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Enter();
    if (!lease.ok()) {
      result_ = lease.take_error();
      return;
    }
    result_ = rtnl::Monitor::Open(options_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    std::unique_ptr<rtnl::Monitor> monitor = result_.take();
    // Handed over through an External the constructor empties; finalized with the box.
    auto* box = new std::unique_ptr<rtnl::Monitor>(std::move(monitor));
    auto ext = Napi::External<std::unique_ptr<rtnl::Monitor>>::New(
        env, box, [](Napi::Env, std::unique_ptr<rtnl::Monitor>* b) { delete b; });
    return State(env).monitor_socket_class.New({ext});
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  rtnl::MonitorOptions options_;
  Result<std::unique_ptr<rtnl::Monitor>> result_ = Error{};
};

// openMonitor(handle, kinds, receiveBuffer): Promise<MonitorSocket>. `kinds`: a bit per
// rtnl::EventKind; `receiveBuffer`: bytes (0: the kernel's default).
Napi::Value OpenMonitor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsNumber() || !info[2].IsNumber()) {
    ThrowInternal(env, "openMonitor: kinds and receiveBuffer must be numbers");
  }
  rtnl::MonitorOptions options;
  options.kinds = info[1].As<Napi::Number>().Uint32Value();
  options.receive_buffer = info[2].As<Napi::Number>().Int32Value();
  return State(env).OnNamespaceThread(env,
                                      std::make_unique<OpenJob>(HandleFromJs(info[0]), options));
}

}  // namespace

void InitMonitorApi(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = MonitorSocket::Define(env);
  State(env).monitor_socket_class = Napi::Persistent(cls);
  exports.Set("openMonitor", Napi::Function::New(env, OpenMonitor, "openMonitor"));
}

}  // namespace netns_native::addon
