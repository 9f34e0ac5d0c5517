#include "jobs.h"

#include <chrono>
#include <optional>

#include "convert/convert.h"

namespace netns_native::addon {

struct Jobs::Entry {
  std::unique_ptr<Job> job;
  napi_deferred deferred;
  std::optional<Error> abandoned;  // set instead of Execute(), before Finish
};

Jobs::Jobs(Napi::Env env) : env_(env), async_(new uv_async_t) {
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  uv_async_init(loop, async_, &Jobs::OnAsync);
  async_->data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(async_));
  Napi::Object resource = Napi::Object::New(env);
  resource_ = Napi::Persistent(resource);
  napi_async_init(env, resource, Napi::String::New(env, "netns-native"), &context_);
}

Jobs::~Jobs() {
  // Runs at environment cleanup: the loop still exists, the JS heap may not be usable.
  if (context_) napi_async_destroy(env_, context_);
  async_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(async_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
}

Napi::Promise Jobs::Run(std::unique_ptr<Job> job, const Post& post) {
  auto entry = std::make_shared<Entry>();
  entry->job = std::move(job);
  napi_value promise;
  napi_create_promise(env_, &entry->deferred, &promise);
  if (pending_++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(async_));
  post(
      [this, entry] {
        entry->job->Execute();
        Finish(entry);
      },
      [this, entry](const Error& why) {
        entry->abandoned = why;
        Finish(entry);
      });
  return Napi::Promise(env_, promise);
}

void Jobs::Finish(std::shared_ptr<Entry> entry) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_.push_back(std::move(entry));
  }
  uv_async_send(async_);
}

void Jobs::OnAsync(uv_async_t* handle) {
  if (auto* self = static_cast<Jobs*>(handle->data)) self->Drain();
}

void Jobs::Drain() {
  std::vector<std::shared_ptr<Entry>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(done_);
  }
  if (done.empty()) return;
  Napi::Env env(env_);
  Napi::HandleScope handles(env);
  // Each job settles in its own callback scope, so its promise reactions (turning a dump into
  // objects, the caller's code after the await) run right after it. Past kTurnBudget the rest
  // wait for the next turn of the loop: many jobs finishing together must not hold the loop.
  auto start = std::chrono::steady_clock::now();
  size_t settled = 0;
  for (; settled < done.size(); ++settled) {
    if (settled > 0 && std::chrono::steady_clock::now() - start > kTurnBudget) break;
    auto& entry = done[settled];
    napi_callback_scope scope;
    napi_open_callback_scope(env_, resource_.Value(), context_, &scope);
    {
      Napi::HandleScope per_job(env);
      try {
        if (entry->abandoned) throw ToJsError(env, *entry->abandoned);
        Napi::Value value = entry->job->Complete(env);
        napi_resolve_deferred(env_, entry->deferred, value);
      } catch (const Napi::Error& e) {
        napi_reject_deferred(env_, entry->deferred, e.Value());
      }
    }
    napi_close_callback_scope(env_, scope);  // runs the microtasks
    entry->job.reset();
  }
  pending_ -= settled;
  if (settled < done.size()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_.insert(done_.begin(), done.begin() + static_cast<std::ptrdiff_t>(settled), done.end());
    }
    uv_async_send(async_);
  }
  if (pending_ == 0) uv_unref(reinterpret_cast<uv_handle_t*>(async_));
}

}  // namespace netns_native::addon
