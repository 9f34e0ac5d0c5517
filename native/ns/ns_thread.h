// The namespace thread: the only thread that ever changes network namespace.
//
// setns(2) and unshare(2) change the namespace of the *calling thread* only (each thread has its
// own nsproxy; see setns(2): "reassociate the calling thread with a namespace"). So work that
// must happen inside another namespace — unshare(CLONE_NEWNET) to make one, opening a socket
// there (netlink, ICMP, TCP/UDP: a socket belongs to the namespace it was created in) — is
// posted here, never done on the JS thread, a libuv thread or a worker of the ordinary pool.
//
// It does that and nothing else: no path is opened here, no lock taken, nothing mounted or
// unlinked (those may block — a FIFO, a held flock — and would stall every namespace operation
// behind them). Those run on the worker pool (AddonState::workers), which may wait on this
// thread with Call; this thread never waits on the pool, so the two cannot deadlock.
//
// After every task the thread is brought back to its home namespace (whatever the task did: the
// pool's wrap hook is the RAII guard) and that is verified by inode (/proc/thread-self/ns/net);
// a thread that cannot get home is retired and replaced, never reused. The replacement is
// cloned from the retiring thread, so it inherits that foreign namespace and must go home
// itself before taking work (on_start); if it cannot, the queued tasks are abandoned with the
// reason and the next Post tries a fresh thread.
#pragma once

#include <cstdint>
#include <memory>

#include "../common/result.h"
#include "../common/thread_pool.h"
#include "../common/unique_fd.h"

namespace netns_native::ns {

class NamespaceThread {
 public:
  // Takes the calling thread's network namespace as home. `start_thread` (tests) replaces
  // std::thread for starting the thread.
  static Result<std::unique_ptr<NamespaceThread>> Create(
      ThreadPool::StartThread start_thread = nullptr);

  // Runs `run` on the namespace thread; `abandon` instead if it can never run (see
  // ThreadPool). The task may switch namespace freely (EnterNetns, unshare); it is brought home
  // afterwards. Tasks must not block on anything but the kernel doing the work asked for.
  void Post(ThreadPool::Work run, ThreadPool::Abandon abandon) {
    pool_->Post(std::move(run), std::move(abandon));
  }

  // Runs `f` there and waits for its Result/Status (the abandon error if it could not run).
  // For worker threads only, never the JS thread.
  template <class F>
  auto Call(F&& f) {
    return pool_->Call(std::forward<F>(f));
  }

  int home_fd() const { return home_fd_.get(); }
  uint64_t home_inode() const { return home_inode_; }
  size_t retired() const { return pool_->retired(); }

 private:
  NamespaceThread(UniqueFd home_fd, uint64_t home_inode, ThreadPool::StartThread start_thread);
  // On the namespace thread: makes the calling thread's network namespace home again, checked by
  // inode. An error says why it could not.
  Status GoHome() const;

  UniqueFd home_fd_;
  uint64_t home_inode_;
  std::unique_ptr<ThreadPool> pool_;
};

// Moves the calling thread into the network namespace `fd` refers to. Only inside a task on
// the NamespaceThread. A thread already there is left as it is when setns is refused (EPERM:
// no CAP_SYS_ADMIN), so that an unprivileged process can use its own namespace.
Status EnterNetns(int fd);

}  // namespace netns_native::ns
