// LoopWatch: an fd watched from the JS thread's event loop (a level-triggered uv_poll) and the
// JavaScript callback it feeds. MonitorSocket, NamesWatchHandle and IcmpSocket each hold one, so
// that waiting costs no thread; each keeps itself alive (ObjectWrap::Ref) while it watches.
//
// Threads: the JS thread only.
// Ownership: libuv frees the poll handle once closed. The callback's reference and its async
// context are released by Stop(), or, when Stop() runs inside Deliver() (the callback closed the
// watch), as soon as the callback returns: a context must outlive the call it scopes.
#pragma once

#include <uv.h>

#include <functional>
#include <initializer_list>
#include <memory>

#include <napi.h>

namespace netns_native::addon {

class LoopWatch {
 public:
  // Called on each wake; `status` < 0 when poll failed (libuv has then stopped the handle).
  using OnWake = std::function<void(int status)>;

  LoopWatch() = default;
  LoopWatch(const LoopWatch&) = delete;
  LoopWatch& operator=(const LoopWatch&) = delete;
  ~LoopWatch() { Stop(); }

  // Starts watching `fd` for reading; `resource` names the async context (async_hooks).
  void Start(Napi::Env env, int fd, const Napi::Function& callback, const char* resource,
             OnWake on_wake);
  // Watches again after libuv stopped the handle on an error.
  void Resume();
  // Stops waking the owner, the handle kept: nothing more will come, the owner closes later.
  void Pause();
  // Calls the callback from the loop (a macrotask, with its async context); what it throws is
  // reported as uncaught, since nothing above a libuv callback can catch it.
  void Deliver(Napi::Value receiver, std::initializer_list<napi_value> args);
  // Stops watching and closes the handle. Idempotent.
  void Stop();
  // Lets the event loop end while the fd is still watched (uv_unref), for a watch that must not
  // keep the process alive (fs.watch's `persistent: false`). After Start(); lasts until Stop().
  void Unref();

  bool watching() const { return poll_ != nullptr; }

 private:
  uv_poll_t* poll_ = nullptr;
  bool in_callback_ = false;
  OnWake on_wake_;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace netns_native::addon
