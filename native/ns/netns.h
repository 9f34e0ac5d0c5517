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
// Naming a namespace that exists already (`ip netns attach`) is steps 1 and 3: AttachNetnsName.
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

// How old an unmounted, unlocked placeholder under the run directory must be before it counts as
// stale. netns-native's own creators hold an flock on their placeholder until the namespace is
// bound onto it, but `ip netns add` does not: between its O_EXCL create and its bind mount (an
// unshare(2) in between) the file looks exactly like one a crash left. A second is far more than
// that takes.
constexpr std::chrono::milliseconds kStaleGrace{1000};

// A name for run_dir/NAME as `ip netns add` takes it: 1-255 bytes (NAME_MAX), one path component
// (no '/'), not "." or "..", no NUL byte. EINVAL saying which rule it breaks. Any thread.
Status CheckNetnsName(const std::string& name);

// A path handed to the functions below: non-empty, no NUL byte (a C string would stop there and
// name another file); `absolute` also requires a leading '/'. EINVAL otherwise. Any thread.
Status CheckPath(const std::string& path, bool absolute);

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

// The cookie of the network namespace socket `socket_fd` lives in (getsockopt SO_NETNS_COOKIE,
// Linux 5.14+): unlike the inode, which the kernel gives to a new namespace once the old one is
// gone (the lowest free number first), a cookie is never given twice until reboot. ENOPROTOOPT
// on an older kernel. Any socket type. Any thread.
Result<uint64_t> NetnsCookie(int socket_fd);

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
  // create run_dir/NAME with O_EXCL and take an flock on it, held until Bind (which tells
  // InspectNetnsName in another process that this creation is alive). If the name is taken by
  // a stale entry (InspectNetnsName: kStale), that entry is removed and the name reused; if it
  // is an unlocked placeholder younger than `stale_grace` (maybe `ip netns add` at work), it is
  // waited for, at most that long. Otherwise EEXIST (nothing changed), with a detail unless the
  // name is a namespace. The name is checked first (CheckNetnsName).
  static Result<NetnsName> Reserve(const std::string& run_dir, const std::string& name,
                                   std::chrono::milliseconds lock_timeout = kRunDirLockTimeout,
                                   std::chrono::milliseconds stale_grace = kStaleGrace);

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
  NetnsName(std::string path, UniqueFd lock) : path_(std::move(path)), lock_(std::move(lock)) {}
  void Release();

  std::string path_;  // empty once moved from
  UniqueFd lock_;     // the placeholder, flocked until bound
  bool bound_ = false;
};

// `ip netns attach NAME PID`: gives the existing network namespace `netns_fd` refers to (an fd
// of /proc/PID/ns/net opened first, so a PID reused meanwhile cannot be named by mistake, or an
// fd the library holds) the name run_dir/NAME, exactly as a named create does (Reserve, then
// Bind). The fd stays the caller's. EINVAL if it is not a network namespace (checked before
// anything is made) or the name is invalid; EEXIST if the name is taken (left untouched); on any
// failure nothing is left (no placeholder, no mount). Pool thread.
Status AttachNetnsName(const std::string& run_dir, const std::string& name, int netns_fd,
                       std::chrono::milliseconds lock_timeout = kRunDirLockTimeout,
                       std::chrono::milliseconds stale_grace = kStaleGrace);

// What run_dir/NAME is, as far as named namespaces go.
enum class NameState : uint8_t {
  kMissing,    // nothing there
  kNamespace,  // a mounted network namespace (or any nsfs file): `inode` says which
  kCreating,   // an unmounted placeholder that a creator holds the flock on, or younger than
               // the grace period: a creation in progress
  kStale,      // an unmounted plain file nobody holds, older than the grace period: left by a
               // creator or deleter that died (kill -9 between its steps); safe to remove
  kOther,      // anything else (a FIFO, a directory, a mount of something else): not ours
};

struct NameInfo {
  NameState state = NameState::kMissing;
  uint64_t inode = 0;  // kNamespace
  std::string detail;  // what it is, in words (kCreating, kStale, kOther)
  bool held = false;   // kCreating: a creator holds its flock
  int64_t age_ms = 0;  // kCreating, kStale: since the placeholder was made (ctime)
};

// Looks at run_dir/NAME without ever blocking (stat, statx, an O_NONBLOCK open of a regular
// file only, flock LOCK_NB) and says what it is. Errors: the name's own (CheckNetnsName), or a
// syscall failing on the way (EACCES, ...). Pool thread.
Result<NameInfo> InspectNetnsName(const std::string& run_dir, const std::string& name,
                                  std::chrono::milliseconds stale_grace = kStaleGrace);

// Removes run_dir/NAME if it is stale, re-checked while holding its flock (so a creator cannot
// be starting on it) and refused by the kernel (EBUSY) if it became a mount meanwhile.
// Errors: ENOENT if there is nothing; EBUSY if it is a namespace or a creation in progress;
// EINVAL if it is something else (kOther: left alone, it is not ours). Pool thread.
Status RemoveStaleNetnsName(const std::string& run_dir, const std::string& name,
                            std::chrono::milliseconds stale_grace = kStaleGrace);

// A new network namespace with no name, made by unshare(CLONE_NEWNET) on the calling thread,
// which is left inside it; returns an fd of it. It lives while something (the fd, a process, a
// socket, a bind mount) refers to it. Namespace thread only.
Result<UniqueFd> CreateAnonymousNetns();

// `ip netns del NAME`: lazily unmount and remove run_dir/NAME (a stale entry too). Succeeds if
// it is already gone. The name is checked first (CheckNetnsName).
// Processes and fds inside the namespace keep it alive; only the name goes. With
// `expected_inode` != 0, the name is removed only if it still refers to that namespace (not to
// one created since under the same name); otherwise nothing is done. Pool thread.
Status DeleteNamedNetns(const std::string& run_dir, const std::string& name,
                        uint64_t expected_inode = 0);

}  // namespace netns_native::ns
