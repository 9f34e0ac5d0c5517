// Tests of ThreadPool (native/common/thread_pool.h) without Node or root: FIFO order, Call,
// retire-and-replace through the wrap hook, on_start failure, thread start failure (injected)
// abandoning the queue with the error and the next Post recovering, and destruction with work
// queued and running. Built with ASan+UBSan and, separately, with TSan (scripts/native-test.sh,
// scripts/tsan-test.sh); a hang is a failure there too (each run is under `timeout`).
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../common/thread_pool.h"
#include "check.h"

using namespace netns_native;

namespace {

// Counts events and lets a thread wait for a number of them. The wait is bounded only so that
// a bug shows as a failed check rather than a hung run.
class Counter {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++n_;
    cv_.notify_all();
  }
  bool WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return n_ >= n; });
  }
  int value() {
    std::lock_guard<std::mutex> lock(mu_);
    return n_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_ = 0;
};

// A gate a task waits at until the test opens it.
class Gate {
 public:
  void Open() { promise_.set_value(); }
  void Wait() { future_.wait(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

// The errors abandoned tasks received, in order.
struct Abandoned {
  std::mutex mu;
  std::vector<Error> errors;
  Counter count;
  ThreadPool::Abandon Callback() {
    return [this](const Error& e) {
      {
        std::lock_guard<std::mutex> lock(mu);
        errors.push_back(e);
      }
      count.Add();
    };
  }
  std::vector<Error> Take() {
    std::lock_guard<std::mutex> lock(mu);
    return errors;
  }
};

pid_t Tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

ThreadPool::Options Pool(size_t threads) {
  ThreadPool::Options o;
  o.threads = threads;
  o.name = "pool-test";
  return o;
}

// A start function that fails while `fail` is set, as pthread_create does under RLIMIT_NPROC.
ThreadPool::StartThread FailingStart(std::atomic<bool>* fail, std::atomic<int>* started) {
  return [fail, started](std::function<void()> body) -> Result<std::thread> {
    if (fail->load()) return Error::FromErrno("pthread_create", EAGAIN);
    ++*started;
    return ThreadPool::StartStdThread(std::move(body));
  };
}

bool IsCouldNotStart(const Error& e) {
  return e.code == EAGAIN && e.detail.find("could not start a thread") != std::string::npos &&
         e.detail.find(std::strerror(EAGAIN)) != std::string::npos;
}

void TestFifoOrder() {
  ThreadPool pool(Pool(1));
  std::mutex mu;
  std::vector<int> order;
  Counter done;
  constexpr int kTasks = 200;
  for (int i = 0; i < kTasks; ++i) {
    pool.Post(
        [&, i] {
          {
            std::lock_guard<std::mutex> lock(mu);
            order.push_back(i);
          }
          done.Add();
        },
        nullptr);
  }
  CHECK(done.WaitFor(kTasks));
  std::lock_guard<std::mutex> lock(mu);
  bool in_order = order.size() == kTasks;
  for (int i = 0; in_order && i < kTasks; ++i) in_order = order[i] == i;
  CHECK(in_order);
}

void TestManyThreadsRunEverything() {
  ThreadPool pool(Pool(4));
  Counter done;
  std::mutex mu;
  std::vector<pid_t> tids;
  Gate gate;
  // Four tasks that each wait for the gate: they can only all be waiting if four threads run.
  Counter waiting;
  for (int i = 0; i < 4; ++i) {
    pool.Post(
        [&] {
          {
            std::lock_guard<std::mutex> lock(mu);
            tids.push_back(Tid());
          }
          waiting.Add();
          gate.Wait();
          done.Add();
        },
        nullptr);
  }
  CHECK(waiting.WaitFor(4));
  gate.Open();
  CHECK(done.WaitFor(4));
  std::lock_guard<std::mutex> lock(mu);
  std::vector<pid_t> distinct = tids;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  CHECK(distinct.size() == 4);
}

void TestCall() {
  ThreadPool pool(Pool(2));
  Result<int> r = pool.Call([]() -> Result<int> { return 42; });
  CHECK(r.ok() && r.value() == 42);
  Status s = pool.Call([]() -> Status { return Error::Invalid("no"); });
  CHECK(!s.ok() && s.error().code == EINVAL && s.error().detail == "no");
  // Runs on a worker, not the caller.
  pid_t caller = Tid();
  Result<pid_t> where = pool.Call([]() -> Result<pid_t> { return Tid(); });
  CHECK(where.ok() && where.value() != caller);
  // A move-only capture.
  auto owned = std::make_unique<int>(7);
  Result<int> moved = pool.Call([p = std::move(owned)]() -> Result<int> { return *p; });
  CHECK(moved.ok() && moved.value() == 7);
}

thread_local bool poisoned = false;

// A task that poisons its worker gets the worker retired; the next task runs on a new thread,
// which on_start prepared.
void TestRetireAndReplace() {
  std::atomic<int> starts{0};
  ThreadPool::Options o = Pool(1);
  o.wrap = [](const ThreadPool::Work& run) {
    run();
    return !poisoned;
  };
  o.on_start = [&starts] {
    ++starts;
    return Status();
  };
  ThreadPool pool(std::move(o));

  // The replacement is started by the retiring worker, as a task is queued behind it.
  Gate gate;
  std::promise<pid_t> first;
  std::promise<pid_t> second;
  pool.Post(
      [&] {
        gate.Wait();
        first.set_value(Tid());
        poisoned = true;
      },
      nullptr);
  pool.Post([&] { second.set_value(Tid()); }, nullptr);
  gate.Open();
  pid_t a = first.get_future().get();
  pid_t b = second.get_future().get();
  CHECK(a != b);
  CHECK(pool.retired() == 1);
  CHECK(starts.load() == 2);

  // The replacement is poisoned in turn. With nothing queued when it retires, the replacement
  // is started by the next Post (or by the retiring worker, if that Post came first).
  Result<pid_t> c = pool.Call([]() -> Result<pid_t> {
    poisoned = true;
    return Tid();
  });
  CHECK(c.ok() && c.value() == b);
  Result<pid_t> d = pool.Call([]() -> Result<pid_t> { return Tid(); });
  CHECK(d.ok() && d.value() != c.value());
  CHECK(pool.retired() == 2);
  CHECK(starts.load() == 3);
  // And the last one stays: not poisoned.
  Result<pid_t> e = pool.Call([]() -> Result<pid_t> { return Tid(); });
  CHECK(e.ok() && e.value() == d.value());
}

// A worker whose on_start fails takes no task; with no other worker the queue is abandoned with
// on_start's error, and the next Post tries a fresh thread.
void TestOnStartFailure() {
  std::atomic<bool> fail{true};
  std::atomic<int> ran{0};
  ThreadPool::Options o = Pool(1);
  o.on_start = [&fail]() -> Status {
    if (fail.load()) return Error{EPERM, "cannot get ready", 0, "setns"};
    return Status();
  };
  ThreadPool pool(std::move(o));
  Abandoned abandoned;
  for (int i = 0; i < 3; ++i) pool.Post([&] { ++ran; }, abandoned.Callback());
  CHECK(abandoned.count.WaitFor(3));
  for (const Error& e : abandoned.Take()) {
    CHECK(e.code == EPERM && e.detail == "cannot get ready");
  }
  CHECK(ran.load() == 0);
  CHECK(pool.retired() >= 1);

  Status failed_call = pool.Call([]() -> Status { return Status(); });
  CHECK(!failed_call.ok() && failed_call.error().code == EPERM);

  fail = false;
  Result<int> r = pool.Call([&]() -> Result<int> { return ++ran; });
  CHECK(r.ok() && r.value() == 1);
  CHECK(abandoned.count.value() == 3);
}

// pthread_create fails: each queued task is abandoned with EAGAIN "could not start a thread",
// synchronously (no thread exists to do it later); the next Post, once threads can start again,
// runs normally.
void TestStartFailureAbandonsAndRecovers() {
  std::atomic<bool> fail{true};
  std::atomic<int> started{0};
  std::atomic<int> ran{0};
  ThreadPool::Options o = Pool(2);
  o.start_thread = FailingStart(&fail, &started);
  ThreadPool pool(std::move(o));
  Abandoned abandoned;
  for (int i = 0; i < 3; ++i) {
    pool.Post([&] { ++ran; }, abandoned.Callback());
    CHECK(abandoned.count.value() == i + 1);  // abandoned within Post itself
  }
  std::vector<Error> errors = abandoned.Take();
  CHECK(errors.size() == 3);
  for (const Error& e : errors) {
    CHECK(IsCouldNotStart(e));
    CHECK(e.detail.find("pool-test") != std::string::npos);
    CHECK(e.syscall == "pthread_create");
  }
  CHECK(pool.start_failures() == 3);

  Result<int> via_call = pool.Call([]() -> Result<int> { return 1; });
  CHECK(!via_call.ok() && IsCouldNotStart(via_call.error()));

  fail = false;
  Result<int> r = pool.Call([&]() -> Result<int> { return ++ran; });
  CHECK(r.ok() && r.value() == 1);
  CHECK(started.load() == 1);
}

// With one worker alive, a failed start of a second only slows the queue: nothing is abandoned.
void TestStartFailureWithALiveWorkerKeepsTheQueue() {
  std::atomic<bool> fail{false};
  std::atomic<int> started{0};
  ThreadPool::Options o = Pool(2);
  o.start_thread = FailingStart(&fail, &started);
  ThreadPool pool(std::move(o));
  Gate gate;
  Counter waiting;
  Counter done;
  Abandoned abandoned;
  pool.Post(
      [&] {
        waiting.Add();
        gate.Wait();
        done.Add();
      },
      abandoned.Callback());
  CHECK(waiting.WaitFor(1));
  fail = true;
  for (int i = 0; i < 3; ++i) pool.Post([&] { done.Add(); }, abandoned.Callback());
  CHECK(pool.start_failures() >= 1);
  gate.Open();
  CHECK(done.WaitFor(4));
  CHECK(abandoned.count.value() == 0);
  CHECK(started.load() == 1);
}

// A worker retires and its replacement cannot be started: the tasks queued behind it are
// abandoned (no one else would run them); the next Post recovers.
void TestRetireWithFailedReplacement() {
  std::atomic<bool> fail{false};
  std::atomic<int> started{0};
  ThreadPool::Options o = Pool(1);
  o.start_thread = FailingStart(&fail, &started);
  o.wrap = [](const ThreadPool::Work& run) {
    run();
    return !poisoned;
  };
  ThreadPool pool(std::move(o));
  Gate gate;
  Counter waiting;
  Abandoned abandoned;
  std::atomic<int> ran{0};
  pool.Post(
      [&] {
        waiting.Add();
        gate.Wait();
        poisoned = true;
      },
      abandoned.Callback());
  CHECK(waiting.WaitFor(1));
  pool.Post([&] { ++ran; }, abandoned.Callback());
  pool.Post([&] { ++ran; }, abandoned.Callback());
  fail = true;
  gate.Open();
  CHECK(abandoned.count.WaitFor(2));
  for (const Error& e : abandoned.Take()) CHECK(IsCouldNotStart(e));
  CHECK(ran.load() == 0);
  CHECK(pool.retired() == 1);

  fail = false;
  Result<int> r = pool.Call([&]() -> Result<int> { return ++ran; });
  CHECK(r.ok() && r.value() == 1);
  CHECK(started.load() == 2);
}

// Destroying the pool abandons what is queued (ECANCELED) before waiting for what runs; a Post
// made meanwhile (here, by the running task) is abandoned at once. No hang, no leak.
void TestDestructorWithQueuedAndRunningTasks() {
  auto pool = std::make_unique<ThreadPool>(Pool(1));
  Gate gate;
  Counter waiting;
  Abandoned abandoned;
  std::atomic<int> ran{0};
  std::atomic<bool> running_finished{false};
  ThreadPool* raw = pool.get();
  pool->Post(
      [&] {
        waiting.Add();
        gate.Wait();
        raw->Post([&] { ++ran; }, abandoned.Callback());  // the pool is stopping by now
        running_finished = true;
      },
      abandoned.Callback());
  CHECK(waiting.WaitFor(1));
  for (int i = 0; i < 3; ++i) pool->Post([&] { ++ran; }, abandoned.Callback());
  std::thread destroyer([&] { pool.reset(); });
  CHECK(abandoned.count.WaitFor(3));  // while the running task still waits at the gate
  CHECK(!running_finished.load());
  gate.Open();
  destroyer.join();
  CHECK(running_finished.load());
  CHECK(ran.load() == 0);
  std::vector<Error> errors = abandoned.Take();
  CHECK(errors.size() == 4);
  for (const Error& e : errors) CHECK(e.code == ECANCELED);

  // A pool that never started a thread, and one with idle threads, go away quietly.
  { ThreadPool idle(Pool(3)); }
  {
    ThreadPool used(Pool(3));
    CHECK(used.Call([]() -> Status { return Status(); }).ok());
  }
}

}  // namespace

int main() {
  TestFifoOrder();
  TestManyThreadsRunEverything();
  TestCall();
  TestRetireAndReplace();
  TestOnStartFailure();
  TestStartFailureAbandonsAndRecovers();
  TestStartFailureWithALiveWorkerKeepsTheQueue();
  TestRetireWithFailedReplacement();
  TestDestructorWithQueuedAndRunningTasks();
  return test::Report("pool_test");
}
