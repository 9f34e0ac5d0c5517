#include "jobs.h"

namespace netns_native::addon {

struct Jobs::Entry {
  std::unique_ptr<Job> job;
  napi_deferred deferred;
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
  post([this, entry] {
    entry->job->Execute();
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
  // A callback scope makes Node run the microtasks (promise reactions) when it closes.
  napi_callback_scope scope;
  napi_open_callback_scope(env_, resource_.Value(), context_, &scope);
  for (auto& entry : done) {
    Napi::HandleScope per_job(env);
    try {
      Napi::Value value = entry->job->Complete(env);
      napi_resolve_deferred(env_, entry->deferred, value);
    } catch (const Napi::Error& e) {
      napi_reject_deferred(env_, entry->deferred, e.Value());
    }
    entry->job.reset();
  }
  napi_close_callback_scope(env_, scope);
  pending_ -= done.size();
  if (pending_ == 0) uv_unref(reinterpret_cast<uv_handle_t*>(async_));
}

}  // namespace netns_native::addon
