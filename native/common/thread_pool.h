// A small fixed-size thread pool with a FIFO queue. Threads start when work arrives.
//
// Every task is posted with two halves: `run`, called on a worker, and `abandon`, called instead
// when the task can never run — no worker could be started (pthread_create failed: EAGAIN under
// RLIMIT_NPROC, ENOMEM), a worker's `on_start` failed with no other worker left to take the
// queue, or the pool is being destroyed. Exactly one of the two is called, once. Whoever waits on
// a task (a Promise, a Call) is therefore always answered; nothing hangs forever in the queue.
// A failed start is retried on the next Post.
//
// `wrap` runs every task on its worker and says whether that worker may go on: a worker whose
// state went bad (a namespace thread that could not get home) is retired and replaced, never
// reused. Replacements are started by the retiring worker — a clone(2) of a thread inherits its
// namespaces — so they must put themselves right in `on_start` before taking work.
//
// Threads: Post, Call and retired() may be called from any thread, including the pool's own
// workers (Call from a worker of the same pool deadlocks when it is the last free worker; don't).
// `abandon` runs on whichever thread found the task cannot run — the posting thread, a retiring
// worker, the destructor's thread — never under the pool's lock; it must not block.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "result.h"

namespace netns_native {

class ThreadPool {
 public:
  using Work = std::function<void()>;
  using Abandon = std::function<void(const Error&)>;  // why the task will never run
  using Wrap = std::function<bool(const Work&)>;      // runs the task; false retires the worker
  using OnStart = std::function<Status()>;  // on a new worker, before any task; error: it exits
  // Starts a thread running `body`. Injectable so tests can make thread creation fail; called
  // with the pool's lock held, so it must not call back into the pool.
  using StartThread = std::function<Result<std::thread>(std::function<void()> body)>;

  struct Options {
    size_t threads = 1;
    std::string name = "netns-pool";  // the threads' name (pthread_setname_np, <= 15 bytes)
    Wrap wrap;
    OnStart on_start;
    StartThread start_thread;  // default: std::thread, its failure as an Error
  };

  explicit ThreadPool(Options options);
  // Abandons queued tasks (ECANCELED), lets running ones finish, joins every worker.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `run`. `abandon` may be empty when nothing waits for the task.
  void Post(Work run, Abandon abandon);

  // Runs `f` on a worker and waits for its result, a Result<T> or a Status; when the task is
  // abandoned, the result is the abandon error. Only for threads that may block (workers of
  // another pool); never on the JS thread.
  template <class F>
  auto Call(F&& f) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    static_assert(std::is_constructible_v<R, Error>,
                  "Call needs a Result<T> or Status result, to report an abandoned call");
    auto done = std::make_shared<std::promise<R>>();
    auto fn = std::make_shared<std::decay_t<F>>(std::forward<F>(f));
    std::future<R> result = done->get_future();
    Post([done, fn] { done->set_value((*fn)()); },
         [done](const Error& why) { done->set_value(R(why)); });
    return result.get();
  }

  // Workers retired for going bad (wrap returned false) or failing on_start.
  size_t retired() const;
  // Thread starts that failed (the start function returned an error).
  size_t start_failures() const;

  // The default StartThread: std::thread, with std::system_error turned into an Error.
  static Result<std::thread> StartStdThread(std::function<void()> body);

 private:
  struct Worker {
    std::thread thread;
    bool exited = false;  // set last thing before its body returns; then it can be joined
  };
  struct Task {
    Work run;
    Abandon abandon;
  };

  // Both with mu_ held. StartWorkerLocked joins workers that have exited, then starts one.
  Status StartWorkerLocked();
  bool NeedWorkerLocked() const;
  void WorkerLoop(Worker* self);
  void Exit(Worker* self);
  static void AbandonAll(std::deque<Task>& tasks, const Error& why);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  std::list<Worker> workers_;  // stable addresses: each worker holds a pointer to its entry
  size_t live_ = 0;            // workers started and not exited
  size_t idle_ = 0;            // workers waiting for a task
  size_t retired_ = 0;
  size_t start_failures_ = 0;
  bool stopping_ = false;
};

}  // namespace netns_native
