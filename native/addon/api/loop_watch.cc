#include "loop_watch.h"

namespace netns_native::addon {

void LoopWatch::Start(Napi::Env env, int fd, const Napi::Function& callback, const char* resource,
                      OnWake on_wake) {
  callback_ = Napi::Persistent(callback);
  context_ = std::make_unique<Napi::AsyncContext>(env, resource);
  on_wake_ = std::move(on_wake);
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  poll_ = new uv_poll_t;
  uv_poll_init(loop, poll_, fd);
  poll_->data = this;
  Resume();
}

void LoopWatch::Resume() {
  uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* p, int status, int) {
    static_cast<LoopWatch*>(p->data)->on_wake_(status);
  });
}

void LoopWatch::Pause() {
  if (poll_) uv_poll_stop(poll_);
}

void LoopWatch::Deliver(Napi::Value receiver, std::initializer_list<napi_value> args) {
  Napi::Env env = receiver.Env();
  in_callback_ = true;
  try {
    callback_.MakeCallback(receiver, args, *context_);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(env, e.Value());
  }
  in_callback_ = false;
  if (!poll_) {  // Stop() ran inside the callback: finish what it left
    callback_.Reset();
    context_.reset();
  }
}

void LoopWatch::Stop() {
  if (!poll_) return;
  uv_poll_stop(poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(poll_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
  poll_ = nullptr;
  if (!in_callback_) {
    callback_.Reset();
    context_.reset();
  }
}

void LoopWatch::Unref() {
  if (poll_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
}

}  // namespace netns_native::addon
