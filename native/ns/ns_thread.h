// The namespace thread: the only thread that ever changes network namespace.
//
// setns(2) and unshare(2) change the namespace of the calling thread only, so namespace work
// (creating a namespace, opening a socket inside one) is posted here rather than done on the JS
// thread or a libuv pool thread. After every task the thread is brought back to its home
// namespace and that is verified (inode of /proc/thread-self/ns/net); a thread that cannot get
// home is retired and replaced, never reused.
#pragma once

#include <cstdint>
#include <memory>

#include "../common/result.h"
#include "../common/thread_pool.h"
#include "../common/unique_fd.h"

namespace netns_native::ns {

class NamespaceThread {
 public:
  // Takes the calling thread's network namespace as home.
  static Result<std::unique_ptr<NamespaceThread>> Create();

  // Runs `task` on the namespace thread. The task may switch namespace freely (EnterNetns,
  // unshare); it is brought home afterwards.
  void Post(ThreadPool::Task task) { pool_->Post(std::move(task)); }

  // Runs `f` there and waits for its result; for worker threads only, never the JS thread.
  template <class F>
  auto Call(F&& f) {
    return pool_->Call(std::forward<F>(f));
  }

  int home_fd() const { return home_fd_.get(); }
  uint64_t home_inode() const { return home_inode_; }
  size_t retired() const { return pool_->retired(); }

 private:
  NamespaceThread(UniqueFd home_fd, uint64_t home_inode);
  bool GoHome() const;  // true when the calling thread is (back) in the home namespace

  UniqueFd home_fd_;
  uint64_t home_inode_;
  std::unique_ptr<ThreadPool> pool_;
};

// Moves the calling thread into the network namespace `fd` refers to. Only inside a task on
// the NamespaceThread.
Status EnterNetns(int fd);

}  // namespace netns_native::ns
