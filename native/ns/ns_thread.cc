#include "ns_thread.h"

#include <fcntl.h>
#include <sched.h>

#include <cerrno>

#include "netns.h"

namespace netns_native::ns {

Result<std::unique_ptr<NamespaceThread>> NamespaceThread::Create(
    ThreadPool::StartThread start_thread) {
  UniqueFd fd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::FromErrno("open(/proc/thread-self/ns/net)");
  Result<uint64_t> inode = NetnsInode(fd.get());
  if (!inode.ok()) return inode.take_error();
  return std::unique_ptr<NamespaceThread>(
      new NamespaceThread(std::move(fd), inode.value(), std::move(start_thread)));
}

NamespaceThread::NamespaceThread(UniqueFd home_fd, uint64_t home_inode,
                                 ThreadPool::StartThread start_thread)
    : home_fd_(std::move(home_fd)), home_inode_(home_inode) {
  ThreadPool::Options options;
  options.threads = 1;
  options.name = "netns-nsthread";
  // The RAII of this thread: whatever the task did, come home, or retire.
  options.wrap = [this](const ThreadPool::Work& run) {
    run();
    return GoHome().ok();
  };
  // A replacement is cloned from the thread it replaces, in that thread's namespace.
  options.on_start = [this] { return GoHome(); };
  options.start_thread = std::move(start_thread);
  pool_ = std::make_unique<ThreadPool>(std::move(options));
}

Status NamespaceThread::GoHome() const {
  Result<uint64_t> now = ThreadNetnsInode();
  if (now.ok() && now.value() == home_inode_) return Status();
  if (setns(home_fd_.get(), CLONE_NEWNET) != 0) {
    Error e = Error::FromErrno("setns(CLONE_NEWNET)");
    e.detail = "the namespace thread could not return to its home namespace";
    return e;
  }
  now = ThreadNetnsInode();
  if (!now.ok()) return now.status();
  if (now.value() != home_inode_) {
    Error e;
    e.code = EIO;
    e.detail = "the namespace thread is not in its home namespace after setns";
    return e;
  }
  return Status();
}

Status EnterNetns(int fd) {
  if (setns(fd, CLONE_NEWNET) == 0) return Status();
  int err = errno;
  // setns(2) asks for CAP_SYS_ADMIN even when the thread is already in that namespace. An
  // unprivileged process reading its own namespace (Namespace.open of the name it runs under,
  // fromPid(its own PID)) needs no switch at all, as `ip link` needs none: only then, after the
  // refusal, is the inode compared, so the privileged path costs nothing more.
  if (err == EPERM) {
    Result<uint64_t> target = NetnsInode(fd);
    Result<uint64_t> here = ThreadNetnsInode();
    if (target.ok() && here.ok() && target.value() == here.value()) return Status();
  }
  return Error::FromErrno("setns(CLONE_NEWNET)", err);
}

}  // namespace netns_native::ns
