#include "thread_pool.h"

namespace netns_native {

ThreadPool::ThreadPool(size_t threads, Wrap wrap, OnStart on_start)
    : size_(threads == 0 ? 1 : threads), wrap_(std::move(wrap)), on_start_(std::move(on_start)) {}

ThreadPool::~ThreadPool() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
    workers.swap(workers_);
  }
  cv_.notify_all();
  for (auto& t : workers) {
    if (t.joinable()) t.join();
  }
}

void ThreadPool::Post(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    queue_.push_back(std::move(task));
    if (idle_ == 0 && live_ < size_) StartWorkerLocked();
  }
  cv_.notify_one();
}

size_t ThreadPool::retired() const {
  std::lock_guard<std::mutex> lock(mu_);
  return retired_;
}

void ThreadPool::StartWorkerLocked() {
  ++live_;
  workers_.emplace_back([this] { WorkerLoop(); });
}

void ThreadPool::WorkerLoop() {
  if (on_start_ && !on_start_()) {
    std::lock_guard<std::mutex> lock(mu_);
    --live_;
    ++retired_;
    return;
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
        return;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    bool keep = true;
    if (wrap_) {
      keep = wrap_(task);
    } else {
      task();
    }
    if (!keep) {
      // This worker must not run anything else. Start a replacement (it fixes itself up in
      // on_start) and leave; the destructor joins this thread with the others.
      std::lock_guard<std::mutex> lock(mu_);
      --live_;
      ++retired_;
      if (!stopping_ && !queue_.empty()) StartWorkerLocked();
      return;
    }
  }
}

}  // namespace netns_native
