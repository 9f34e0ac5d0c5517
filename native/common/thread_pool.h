// A small fixed-size thread pool with a FIFO queue. Threads start on the first Post.
//
// `wrap` runs every task on its worker and reports whether that worker may go on: a worker whose
// state went bad (a namespace thread that could not get home) is retired and replaced, never
// reused. Replacements are started by the retiring worker and must put themselves right in
// `on_start` before taking work.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace netns_native {

class ThreadPool {
 public:
  using Task = std::function<void()>;
  using Wrap = std::function<bool(const Task&)>;  // runs the task; false retires the worker
  using OnStart = std::function<bool()>;          // false: this worker cannot work; it exits

  explicit ThreadPool(size_t threads, Wrap wrap = nullptr, OnStart on_start = nullptr);
  ~ThreadPool();  // drops queued tasks, waits for running ones, joins every worker

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Post(Task task);

  // Runs `f` on a worker and waits for its result. Only for threads that may block (workers of
  // another pool); never call it on the JS thread.
  template <class F>
  auto Call(F&& f) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    auto p = std::make_shared<std::packaged_task<R()>>(std::forward<F>(f));
    std::future<R> result = p->get_future();
    Post([p] { (*p)(); });
    return result.get();
  }

  // Number of workers that were retired and replaced (for tests and diagnostics).
  size_t retired() const;

 private:
  void StartWorkerLocked();
  void WorkerLoop();

  const size_t size_;
  Wrap wrap_;
  OnStart on_start_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  std::vector<std::thread> workers_;
  size_t live_ = 0;  // workers started and not exited
  size_t idle_ = 0;  // workers waiting for a task
  size_t retired_ = 0;
  bool stopping_ = false;
};

}  // namespace netns_native
