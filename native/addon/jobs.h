// Work done off the JS thread, settled as a Promise on it.
//
// A Job's Execute() runs on a worker or on the namespace thread; Complete() runs back on the JS
// thread, inside a callback scope so that promise reactions run right after. A job its pool
// abandons (no thread could be started for it: EAGAIN "could not start a thread: ..."; or the
// pool shut down) is never executed: its promise is rejected with that error instead. Completions
// come back through one uv_async handle per addon instance, referenced only while jobs are pending
// so that an idle addon never keeps the process alive.
#pragma once

#include <uv.h>

#include <napi.h>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "../common/thread_pool.h"

namespace netns_native::addon {

class Job {
 public:
  virtual ~Job() = default;
  // Off the JS thread. Don't touch V8 here.
  virtual void Execute() = 0;
  // On the JS thread: the value to resolve with. Throw a Napi::Error to reject.
  virtual Napi::Value Complete(Napi::Env env) = 0;
};

class Jobs {
 public:
  explicit Jobs(Napi::Env env);
  ~Jobs();
  Jobs(const Jobs&) = delete;
  Jobs& operator=(const Jobs&) = delete;

  using Post = std::function<void(ThreadPool::Work, ThreadPool::Abandon)>;
  // Hands job->Execute() to `post` and returns the Promise that job->Complete() settles, or
  // that the abandon error rejects.
  Napi::Promise Run(std::unique_ptr<Job> job, const Post& post);

 private:
  struct Entry;
  static void OnAsync(uv_async_t* handle);
  void Finish(std::shared_ptr<Entry> entry);  // any thread: Execute()d or abandoned
  void Drain();                               // JS thread

  napi_env env_;
  uv_async_t* async_;  // freed in its close callback
  napi_async_context context_ = nullptr;
  Napi::ObjectReference resource_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Entry>> done_;
  size_t pending_ = 0;  // JS thread only

  // How long one turn of the loop may spend settling finished jobs (at least one is settled).
  static constexpr std::chrono::microseconds kTurnBudget{500};
};

}  // namespace netns_native::addon
