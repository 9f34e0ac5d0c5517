// Network namespace files: open and identify nsfs files, create and delete named namespaces the
// way iproute2 does (`ip netns add` / `ip netns del`), create anonymous namespaces.
//
// Threads. setns(2)/unshare(2) act on the calling thread only, so CreateAnonymousNetns — the one
// function here that changes the caller's namespace — runs on the namespace thread
// (ns_thread.h), which brings itself home afterwards. Everything else is file work that never
// changes namespace and may block (a path on a slow filesystem, a lock another process holds):
// it runs on the worker pool, never on the namespace thread (it would stall every namespace
// operation behind it) and never on the JS thread.
//
// A named namespace is made in three steps, split by thread:
//   1. pool:             NetnsName::Reserve   mkdir, shared mount of run_dir, O_EXCL placeholder
//   2. namespace thread: CreateAnonymousNetns unshare(CLONE_NEWNET), fd of the new namespace
//                        (and the netlink socket inside it: MakeHandleInside, handle.h)
//   3. pool:             NetnsName::Bind      bind mount of that fd onto the placeholder
// A NetnsName not bound removes its placeholder when destroyed, so a failure at any step leaves
// nothing behind (the namespace itself goes with its last fd).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "../common/result.h"
#include "../common/unique_fd.h"

namespace netns_native::ns {

// How long NetnsName::Reserve waits for the flock on the run directory before giving up with
// ETIMEDOUT. iproute2 waits forever; a library call must not (a stuck `ip netns add` would hang
// every create of the process).
constexpr std::chrono::milliseconds kRunDirLockTimeout{10000};

// Opens any namespace file (/proc/PID/ns/*, an nsfs bind mount) and checks it is one, without
// ever blocking on what the path turns out to be: the file type is checked before open(2) and
// again on the fd (the path may change in between), and the open is O_NONBLOCK|O_NOCTTY, so a
// FIFO, socket, device or directory gives EINVAL ("not a namespace file: it is a FIFO") at once.
// A regular file that is not on nsfs (a stray or unmounted /run/netns entry) gives EINVAL too.
// The fd is close-on-exec and blocking. Pool thread (any thread but the namespace thread).
Result<UniqueFd> OpenNamespaceFile(const std::string& path);

// OpenNamespaceFile, then checks that it is a *network* namespace (EINVAL naming the type it is
// otherwise). Pool thread.
Result<UniqueFd> OpenNetns(const std::string& path);

// The type of namespace an open nsfs file is (a CLONE_NEW* flag). EINVAL if it is not a
// namespace at all. Any thread.
Result<int> NamespaceFileType(int fd);

// The namespace's inode number: its identity (equal inode = same namespace). Any thread.
Result<uint64_t> NetnsInode(int fd);

// The inode of the calling thread's network namespace. Any thread.
Result<uint64_t> ThreadNetnsInode();

// A name reserved under a run directory for a namespace about to be made: the placeholder
// file run_dir/NAME, created O_EXCL. Destroying it before Bind succeeded removes the
// placeholder. Move-only. Pool thread.
class NetnsName {
 public:
  // `ip netns add`'s preparation: create run_dir if needed; make it a shared mount so that the
  // namespaces bound under it propagate to every mount namespace (bound onto itself first if it
  // is not a mount point yet — that upgrade is done under an flock on run_dir, as iproute2 does,
  // because two creators upgrading at once stacked mounts without end; the flock is tried
  // without blocking, with a short backoff, for at most `lock_timeout`, then ETIMEDOUT); then
  // create run_dir/NAME with O_EXCL (EEXIST if the name is taken, nothing changed).
  static Result<NetnsName> Reserve(const std::string& run_dir, const std::string& name,
                                   std::chrono::milliseconds lock_timeout = kRunDirLockTimeout);

  NetnsName(NetnsName&& other) noexcept;
  NetnsName& operator=(NetnsName&& other) noexcept;
  NetnsName(const NetnsName&) = delete;
  NetnsName& operator=(const NetnsName&) = delete;
  ~NetnsName();

  // Bind-mounts the namespace `netns_fd` refers to onto the placeholder, through
  // /proc/thread-self/fd/N (the fd's magic link resolves to the nsfs inode, as
  // /proc/PID/ns/net does for `ip netns attach`; thread-self rather than self, which is the
  // main thread and may be gone). Checks that the name now refers to that namespace (nsfs,
  // same inode). From then on `ip netns list` and `ip -n NAME` see it and the name outlives
  // the fd. On failure nothing is mounted (the placeholder goes with this object).
  Status Bind(int netns_fd);

  const std::string& path() const { return path_; }

 private:
  explicit NetnsName(std::string path) : path_(std::move(path)) {}
  void Release();

  std::string path_;  // empty once moved from
  bool bound_ = false;
};

// A new network namespace with no name, made by unshare(CLONE_NEWNET) on the calling thread,
// which is left inside it; returns an fd of it. It lives while something (the fd, a process, a
// socket, a bind mount) refers to it. Namespace thread only.
Result<UniqueFd> CreateAnonymousNetns();

// `ip netns del NAME`: lazily unmount and remove run_dir/NAME. Succeeds if it is already gone.
// Processes and fds inside the namespace keep it alive; only the name goes. With
// `expected_inode` != 0, the name is removed only if it still refers to that namespace (not to
// one created since under the same name); otherwise nothing is done. Pool thread.
Status DeleteNamedNetns(const std::string& run_dir, const std::string& name,
                        uint64_t expected_inode = 0);

}  // namespace netns_native::ns
