#include "netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <thread>
#include <utility>

namespace netns_native::ns {

namespace {

constexpr const char* kThreadNetns = "/proc/thread-self/ns/net";

const char* NamespaceTypeName(int type) {
  switch (type) {
    case CLONE_NEWNS:
      return "mount";
    case CLONE_NEWUTS:
      return "UTS";
    case CLONE_NEWIPC:
      return "IPC";
    case CLONE_NEWUSER:
      return "user";
    case CLONE_NEWPID:
      return "PID";
    case CLONE_NEWCGROUP:
      return "cgroup";
    default:
      return "non-network";
  }
}

// How a file that is not a namespace turned out to be, for the error detail.
std::string NotANamespaceFile(mode_t mode) {
  const char* what = S_ISFIFO(mode)   ? "a FIFO (named pipe)"
                     : S_ISSOCK(mode) ? "a socket"
                     : S_ISDIR(mode)  ? "a directory"
                     : S_ISCHR(mode)  ? "a character device"
                     : S_ISBLK(mode)  ? "a block device"
                     : S_ISLNK(mode)  ? "a symbolic link"
                                      : "not a regular file";
  return std::string("not a namespace file: it is ") + what;
}

std::string Duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// Holds an exclusive flock on a directory for its lifetime. Acquire never blocks in flock(2):
// it tries LOCK_NB with a backoff from 1 to 50 ms until `timeout` has passed.
class DirLock {
 public:
  static Result<DirLock> Acquire(const std::string& dir, std::chrono::milliseconds timeout) {
    UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return Error::FromErrno("open");
    using Clock = std::chrono::steady_clock;
    const Clock::time_point deadline = Clock::now() + timeout;
    std::chrono::microseconds backoff{1000};
    constexpr std::chrono::microseconds kMaxBackoff{50000};
    for (;;) {
      if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return DirLock(std::move(fd));
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) return Error::FromErrno("flock");
      Clock::time_point now = Clock::now();
      if (now >= deadline) {
        Error e = Error::FromErrno("flock", ETIMEDOUT);
        e.detail = "timed out after " + Duration(timeout) + " waiting for the lock on " + dir +
                   " (an flock another creator holds: a stuck `ip netns add`?)";
        return e;
      }
      std::this_thread::sleep_for(
          std::min<Clock::duration>(backoff, std::chrono::ceil<Clock::duration>(deadline - now)));
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }

 private:
  explicit DirLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing the fd releases the lock
};

// iproute2's dance: the directory must be a shared mount so that namespaces bound under it
// propagate to every mount namespace (including those `ip netns exec` creates). If it is not a
// mount point yet, bind it onto itself once. Making an existing mount point shared again is
// idempotent and safe to race, so the flock is taken only when the upgrade is needed: that is
// what once stacked bind mounts without end when many creators ran at boot
// (https://bugs.debian.org/949235). Under the lock the dance starts over, as another creator
// may have upgraded the directory meanwhile.
Status MakeSharedMount(const std::string& dir, std::chrono::milliseconds lock_timeout) {
  if (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return Status();
  if (errno != EINVAL) return Error::FromErrno("mount(MS_SHARED)");
  Result<DirLock> lock = DirLock::Acquire(dir, lock_timeout);
  if (!lock.ok()) return lock.take_error();
  bool bound = false;
  while (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || bound) return Error::FromErrno("mount(MS_SHARED)");
    if (mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      return Error::FromErrno("mount(MS_BIND)");
    }
    bound = true;
  }
  return Status();
}

Result<UniqueFd> OpenThreadNetns() {
  UniqueFd fd(open(kThreadNetns, O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::FromErrno("open(/proc/thread-self/ns/net)");
  return fd;
}

// OpenNamespaceFile, also giving the namespace's type.
Result<UniqueFd> OpenNsfs(const std::string& path, int* ns_type) {
  // nsfs inodes are regular files (S_IFREG), whether reached through /proc/PID/ns/* or a bind
  // mount. Anything else is refused before open(2), which would block on a FIFO with no writer
  // or do a device's bidding.
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Error::FromErrno("stat");
  if (!S_ISREG(st.st_mode)) return Error::Invalid(NotANamespaceFile(st.st_mode));
  // The path may have been replaced since: O_NONBLOCK keeps a FIFO from blocking, O_NOCTTY a
  // terminal from becoming ours, and the fd is checked again.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return Error::FromErrno("open");
  if (fstat(fd.get(), &st) != 0) return Error::FromErrno("fstat");
  if (!S_ISREG(st.st_mode)) return Error::Invalid(NotANamespaceFile(st.st_mode));
  Result<int> type = NamespaceFileType(fd.get());
  if (!type.ok()) return type.take_error();
  *ns_type = type.value();
  // Hand out an ordinary blocking fd, as open(2) without O_NONBLOCK would have given.
  int flags = fcntl(fd.get(), F_GETFL);
  if (flags < 0 || fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return Error::FromErrno("fcntl");
  }
  return fd;
}

}  // namespace

Result<int> NamespaceFileType(int fd) {
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0) return Error::FromErrno("fstatfs");
  if (sfs.f_type != NSFS_MAGIC) {
    return Error::Invalid("not a namespace file (not an nsfs mount or /proc/PID/ns/* entry)");
  }
  int type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0) return Error::FromErrno("ioctl(NS_GET_NSTYPE)");
  return type;
}

Result<UniqueFd> OpenNamespaceFile(const std::string& path) {
  int type = 0;
  return OpenNsfs(path, &type);
}

Result<UniqueFd> OpenNetns(const std::string& path) {
  int type = 0;
  Result<UniqueFd> fd = OpenNsfs(path, &type);
  if (!fd.ok()) return fd;
  if (type != CLONE_NEWNET) {
    return Error::Invalid(std::string("a ") + NamespaceTypeName(type) +
                          " namespace, not a network namespace");
  }
  return fd;
}

Result<uint64_t> NetnsInode(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return Error::FromErrno("fstat");
  return static_cast<uint64_t>(st.st_ino);
}

Result<uint64_t> ThreadNetnsInode() {
  struct stat st;
  if (stat(kThreadNetns, &st) != 0) return Error::FromErrno("stat(/proc/thread-self/ns/net)");
  return static_cast<uint64_t>(st.st_ino);
}

Result<NetnsName> NetnsName::Reserve(const std::string& run_dir, const std::string& name,
                                     std::chrono::milliseconds lock_timeout) {
  if (mkdir(run_dir.c_str(), 0755) != 0 && errno != EEXIST) return Error::FromErrno("mkdir");
  Status shared = MakeSharedMount(run_dir, lock_timeout);
  if (!shared.ok()) return shared;
  // As iproute2: the flock covered the mount dance only; O_EXCL settles who gets the name.
  std::string path = run_dir + "/" + name;
  UniqueFd placeholder(open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  if (!placeholder) return Error::FromErrno("open(O_EXCL)");
  return NetnsName(std::move(path));
}

NetnsName::NetnsName(NetnsName&& other) noexcept
    : path_(std::exchange(other.path_, std::string())), bound_(other.bound_) {}

NetnsName& NetnsName::operator=(NetnsName&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::exchange(other.path_, std::string());
    bound_ = other.bound_;
  }
  return *this;
}

NetnsName::~NetnsName() { Release(); }

void NetnsName::Release() {
  if (!path_.empty() && !bound_) unlink(path_.c_str());
  path_.clear();
}

Status NetnsName::Bind(int netns_fd) {
  Result<uint64_t> inode = NetnsInode(netns_fd);
  if (!inode.ok()) return inode.status();
  std::string source = "/proc/thread-self/fd/" + std::to_string(netns_fd);
  if (mount(source.c_str(), path_.c_str(), "none", MS_BIND, nullptr) != 0) {
    return Error::FromErrno("mount(MS_BIND)");
  }
  struct stat st;
  struct statfs sfs;
  if (stat(path_.c_str(), &st) != 0 || statfs(path_.c_str(), &sfs) != 0 ||
      sfs.f_type != NSFS_MAGIC || static_cast<uint64_t>(st.st_ino) != inode.value()) {
    umount2(path_.c_str(), MNT_DETACH);
    Error e;
    e.code = EIO;
    e.detail = "the bind mount of the new namespace onto " + path_ + " did not take";
    return e;
  }
  bound_ = true;
  return Status();
}

Result<UniqueFd> CreateAnonymousNetns() {
  if (unshare(CLONE_NEWNET) != 0) return Error::FromErrno("unshare(CLONE_NEWNET)");
  return OpenThreadNetns();
}

Status DeleteNamedNetns(const std::string& run_dir, const std::string& name,
                        uint64_t expected_inode) {
  std::string path = run_dir + "/" + name;
  if (expected_inode != 0) {
    struct stat st;
    struct statfs sfs;
    if (stat(path.c_str(), &st) != 0 || statfs(path.c_str(), &sfs) != 0) {
      return errno == ENOENT ? Status() : Status(Error::FromErrno("stat"));
    }
    if (sfs.f_type != NSFS_MAGIC || static_cast<uint64_t>(st.st_ino) != expected_inode) {
      return Status();  // the name is no longer ours
    }
  }
  // EINVAL: not a mount point (a stray file); ENOENT: already gone. Both are fine here.
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return Error::FromErrno("umount2");
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return Error::FromErrno("unlink");
  return Status();
}

}  // namespace netns_native::ns
