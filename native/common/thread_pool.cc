#include "thread_pool.h"

#include <pthread.h>

#include <cstring>
#include <new>
#include <system_error>

namespace netns_native {

namespace {

ThreadPool::Options Normalized(ThreadPool::Options o) {
  if (o.threads == 0) o.threads = 1;
  if (!o.start_thread) o.start_thread = &ThreadPool::StartStdThread;
  if (o.name.size() > 15) o.name.resize(15);  // the kernel's TASK_COMM_LEN - 1
  return o;
}

Error Cancelled(const std::string& name) {
  Error e;
  e.code = ECANCELED;
  e.detail = "the " + name + " threads were shut down before the task ran";
  return e;
}

}  // namespace

Result<std::thread> ThreadPool::StartStdThread(std::function<void()> body) {
  // std::thread reports pthread_create's error (EAGAIN, ...) as a std::system_error; the core
  // does not let exceptions out.
  try {
    return std::thread(std::move(body));
  } catch (const std::system_error& e) {
    return Error::FromErrno("pthread_create", e.code().value());
  } catch (const std::bad_alloc&) {
    return Error::FromErrno("pthread_create", ENOMEM);
  }
}

ThreadPool::ThreadPool(Options options) : options_(Normalized(std::move(options))) {}

ThreadPool::~ThreadPool() {
  std::deque<Task> dropped;
  std::list<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    dropped.swap(queue_);
    workers.swap(workers_);  // list nodes keep their addresses: workers still point at theirs
  }
  cv_.notify_all();
  AbandonAll(dropped, Cancelled(options_.name));
  for (auto& w : workers) {
    if (w.thread.joinable()) w.thread.join();
  }
}

void ThreadPool::Post(Work run, Abandon abandon) {
  std::deque<Task> dropped;
  Error why;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      dropped.push_back(Task{std::move(run), std::move(abandon)});
      why = Cancelled(options_.name);
    } else {
      queue_.push_back(Task{std::move(run), std::move(abandon)});
      if (NeedWorkerLocked()) {
        Status started = StartWorkerLocked();
        // With a worker alive the queue still drains, only more slowly; with none it never
        // would. The next Post tries to start a thread again.
        if (!started.ok() && live_ == 0) {
          dropped.swap(queue_);
          why = started.take_error();
        }
      }
    }
  }
  if (dropped.empty()) {
    cv_.notify_one();
  } else {
    AbandonAll(dropped, why);
  }
}

size_t ThreadPool::retired() const {
  std::lock_guard<std::mutex> lock(mu_);
  return retired_;
}

size_t ThreadPool::start_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return start_failures_;
}

bool ThreadPool::NeedWorkerLocked() const {
  return queue_.size() > idle_ && live_ < options_.threads;
}

Status ThreadPool::StartWorkerLocked() {
  // Join the workers that have left (retired ones): their bodies have returned or are returning,
  // holding nothing.
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->exited) {
      if (it->thread.joinable()) it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  workers_.emplace_back();
  Worker* worker = &workers_.back();
  Result<std::thread> thread = options_.start_thread([this, worker] { WorkerLoop(worker); });
  if (!thread.ok()) {
    workers_.pop_back();
    ++start_failures_;
    Error e = thread.take_error();
    std::string why = e.detail.empty() ? std::strerror(e.code) : e.detail;
    e.detail = "could not start a thread (" + options_.name + "): " + why;
    return e;
  }
  worker->thread = thread.take();
  ++live_;
  return Status();
}

void ThreadPool::WorkerLoop(Worker* self) {
  pthread_setname_np(pthread_self(), options_.name.c_str());
  if (options_.on_start) {
    Status ready = options_.on_start();
    if (!ready.ok()) {
      std::deque<Task> dropped;
      {
        std::lock_guard<std::mutex> lock(mu_);
        --live_;
        ++retired_;
        // No one else will take these; the next Post starts a fresh thread.
        if (live_ == 0 && !stopping_) dropped.swap(queue_);
      }
      AbandonAll(dropped, ready.error());
      Exit(self);
      return;
    }
  }
  for (;;) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (stopping_) {
        --live_;
        break;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    bool keep = true;
    if (options_.wrap) {
      keep = options_.wrap(task.run);
    } else {
      task.run();
    }
    task = Task();  // release what it captured before taking the lock again
    if (!keep) {
      // This worker must not run anything else. Start a replacement (it fixes itself up in
      // on_start) and leave; it is joined by a later start or by the destructor.
      std::deque<Task> dropped;
      Error why;
      {
        std::lock_guard<std::mutex> lock(mu_);
        --live_;
        ++retired_;
        if (!stopping_ && NeedWorkerLocked()) {
          Status started = StartWorkerLocked();
          if (!started.ok() && live_ == 0) {
            dropped.swap(queue_);
            why = started.take_error();
          }
        }
      }
      AbandonAll(dropped, why);
      break;
    }
  }
  Exit(self);
}

void ThreadPool::Exit(Worker* self) {
  std::lock_guard<std::mutex> lock(mu_);
  self->exited = true;
}

void ThreadPool::AbandonAll(std::deque<Task>& tasks, const Error& why) {
  for (Task& t : tasks) {
    if (t.abandon) t.abandon(why);
  }
  tasks.clear();
}

}  // namespace netns_native
