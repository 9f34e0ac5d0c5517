#include "ns_thread.h"

#include <fcntl.h>
#include <sched.h>

#include "netns.h"

namespace netns_native::ns {

Result<std::unique_ptr<NamespaceThread>> NamespaceThread::Create() {
  UniqueFd fd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::FromErrno("open(/proc/thread-self/ns/net)");
  Result<uint64_t> inode = NetnsInode(fd.get());
  if (!inode.ok()) return inode.take_error();
  return std::unique_ptr<NamespaceThread>(new NamespaceThread(std::move(fd), inode.value()));
}

NamespaceThread::NamespaceThread(UniqueFd home_fd, uint64_t home_inode)
    : home_fd_(std::move(home_fd)), home_inode_(home_inode) {
  pool_ = std::make_unique<ThreadPool>(
      1,
      [this](const ThreadPool::Task& task) {
        task();
        return GoHome();  // the RAII of this thread: whatever the task did, come home
      },
      [this] { return GoHome(); });  // a replacement may have been started from elsewhere
}

bool NamespaceThread::GoHome() const {
  Result<uint64_t> now = ThreadNetnsInode();
  if (now.ok() && now.value() == home_inode_) return true;
  if (setns(home_fd_.get(), CLONE_NEWNET) != 0) return false;
  now = ThreadNetnsInode();
  return now.ok() && now.value() == home_inode_;
}

Status EnterNetns(int fd) {
  if (setns(fd, CLONE_NEWNET) != 0) return Error::FromErrno("setns(CLONE_NEWNET)");
  return Status();
}

}  // namespace netns_native::ns
