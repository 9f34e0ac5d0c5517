#include "netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <thread>
#include <utility>

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000  // linux/stat.h, Linux 5.8
#endif

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

// What kind of file a mode says, in words: "a FIFO (named pipe)", "a socket", ...
const char* FileTypeName(mode_t mode) {
  return S_ISFIFO(mode)   ? "a FIFO (named pipe)"
         : S_ISSOCK(mode) ? "a socket"
         : S_ISDIR(mode)  ? "a directory"
         : S_ISCHR(mode)  ? "a character device"
         : S_ISBLK(mode)  ? "a block device"
         : S_ISLNK(mode)  ? "a symbolic link"
         : S_ISREG(mode)  ? "a regular file"
                          : "not a regular file";
}

// How a file that is not a namespace turned out to be, for the error detail.
std::string NotANamespaceFile(mode_t mode) {
  return std::string("not a namespace file: it is ") + FileTypeName(mode);
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
  Status valid = CheckPath(path, false);
  if (!valid.ok()) return valid;
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

// Whether `path` (not followed) is the root of a mount. statx's STATX_ATTR_MOUNT_ROOT where the
// kernel reports it (5.8+); before that, a device number other than the directory's.
Result<bool> IsMountRoot(const std::string& path, const std::string& dir) {
  struct statx stx;
  if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS,
            &stx) != 0) {
    return Error::FromErrno("statx");
  }
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) {
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  }
  struct stat d;
  if (stat(dir.c_str(), &d) != 0) return Error::FromErrno("stat");
  return makedev(stx.stx_dev_major, stx.stx_dev_minor) != d.st_dev;
}

int64_t AgeMs(const struct stat& st) {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t ms = (static_cast<int64_t>(now.tv_sec) - st.st_ctim.tv_sec) * 1000 +
               (now.tv_nsec - st.st_ctim.tv_nsec) / 1000000;
  return std::max<int64_t>(ms, 0);
}

// InspectNetnsName on a path; for a stale entry, `locked` (if given) receives its fd, with the
// flock held.
Result<NameInfo> Inspect(const std::string& dir, const std::string& path,
                         std::chrono::milliseconds grace, UniqueFd* locked) {
  NameInfo info;
  struct stat lst;
  if (lstat(path.c_str(), &lst) != 0) {
    if (errno == ENOENT) return info;
    return Error::FromErrno("lstat");
  }
  // A mounted namespace (or a symbolic link to one): what `ip netns list` shows.
  struct stat st;
  struct statfs sfs;
  if (stat(path.c_str(), &st) == 0 && statfs(path.c_str(), &sfs) == 0 && sfs.f_type == NSFS_MAGIC) {
    info.state = NameState::kNamespace;
    info.inode = static_cast<uint64_t>(st.st_ino);
    return info;
  }
  info.state = NameState::kOther;
  if (!S_ISREG(lst.st_mode)) {
    info.detail = path + " is " + FileTypeName(lst.st_mode) + ", not a namespace";
    return info;
  }
  Result<bool> mounted = IsMountRoot(path, dir);
  if (!mounted.ok()) return mounted.take_error();
  if (mounted.value()) {
    info.detail = path + " is a mount of something other than a network namespace";
    return info;
  }
  // A plain unmounted file: a placeholder. Whether anyone is still at work on it is what its
  // flock says (netns-native's creators hold it) and, for `ip netns add` (which takes none),
  // its age. The open never blocks: a regular file, O_NONBLOCK, no symlink followed.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
  if (!fd) {
    if (errno == ENOENT) return NameInfo{};
    return Error::FromErrno("open");
  }
  struct stat fst;
  if (fstat(fd.get(), &fst) != 0) return Error::FromErrno("fstat");
  info.age_ms = AgeMs(fst);
  if (!S_ISREG(fst.st_mode) || fst.st_ino != lst.st_ino || fst.st_dev != lst.st_dev) {
    info.state = NameState::kCreating;
    info.detail = path + " changed while it was being looked at";
    return info;
  }
  // Young first, without touching the lock: a creator that has just made its placeholder may
  // not hold its flock yet, and must not find it taken by us.
  if (info.age_ms < grace.count()) {
    info.state = NameState::kCreating;
    info.detail = path + " is an unmounted placeholder made " + std::to_string(info.age_ms) +
                  " ms ago: maybe a creation in progress (`ip netns add` takes no lock)";
    return info;
  }
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Error::FromErrno("flock");
    info.state = NameState::kCreating;
    info.held = true;
    info.detail = "another process is creating a namespace named so (it holds " + path + ")";
    return info;
  }
  info.state = NameState::kStale;
  info.detail = path +
                " is a stale entry: a plain file, not a mounted namespace, that no creator holds " +
                "(left by a process that died while creating or deleting that namespace)";
  if (locked) *locked = std::move(fd);
  return info;
}

}  // namespace

Status CheckNetnsName(const std::string& name) {
  if (name.empty()) return Error::Invalid("the namespace name is empty");
  if (name.size() > NAME_MAX) return Error::Invalid("the namespace name is longer than 255 bytes");
  if (name.find('\0') != std::string::npos) {
    return Error::Invalid("the namespace name contains a NUL byte");
  }
  if (name == "." || name == ".." || name.find('/') != std::string::npos) {
    return Error::Invalid("the namespace name must be one path component (no '/', not . or ..)");
  }
  return Status();
}

Status CheckPath(const std::string& path, bool absolute) {
  if (path.empty()) return Error::Invalid("the path is empty");
  if (path.find('\0') != std::string::npos) return Error::Invalid("the path contains a NUL byte");
  if (absolute && path[0] != '/') return Error::Invalid("the path must be absolute");
  return Status();
}

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

Result<uint64_t> NetnsCookie(int socket_fd) {
#ifndef SO_NETNS_COOKIE
  // Headers older than Linux 5.14: the kernel would refuse it too, most likely.
  (void)socket_fd;
  return Error::FromErrno("getsockopt(SO_NETNS_COOKIE)", ENOPROTOOPT);
#else
  uint64_t cookie = 0;
  socklen_t len = sizeof(cookie);
  if (getsockopt(socket_fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0) {
    return Error::FromErrno("getsockopt(SO_NETNS_COOKIE)");
  }
  return cookie;
#endif
}

Result<NetnsName> NetnsName::Reserve(const std::string& run_dir, const std::string& name,
                                     std::chrono::milliseconds lock_timeout,
                                     std::chrono::milliseconds stale_grace) {
  Status valid = CheckPath(run_dir, true);
  if (valid.ok()) valid = CheckNetnsName(name);
  if (!valid.ok()) return valid;
  if (mkdir(run_dir.c_str(), 0755) != 0 && errno != EEXIST) return Error::FromErrno("mkdir");
  Status shared = MakeSharedMount(run_dir, lock_timeout);
  if (!shared.ok()) return shared;
  // As iproute2: the flock on run_dir covered the mount dance only; O_EXCL settles who gets the
  // name. Our placeholder's own flock then says "a creation is in progress" until the bind.
  std::string path = run_dir + "/" + name;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point give_up = Clock::now() + stale_grace + std::chrono::seconds(1);
  for (int removed = 0;;) {
    UniqueFd placeholder(open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (placeholder) {
      // Held until Bind: the sign, to InspectNetnsName in any process, that this creation is
      // alive. An inspector never locks a file this young, so the lock is free; a foreign
      // holder is waited for briefly, and past that the file's age still protects it for the
      // grace period.
      for (int i = 0; i < 50 && flock(placeholder.get(), LOCK_EX | LOCK_NB) != 0; ++i) {
        if (errno != EWOULDBLOCK && errno != EINTR) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      return NetnsName(std::move(path), std::move(placeholder));
    }
    if (errno != EEXIST) return Error::FromErrno("open(O_EXCL)");
    Error taken = Error::FromErrno("open(O_EXCL)");
    Result<NameInfo> info = Inspect(run_dir, path, stale_grace, nullptr);
    if (!info.ok() || Clock::now() >= give_up || removed >= 3) return taken;
    switch (info.value().state) {
      case NameState::kMissing:  // deleted meanwhile: try again
        continue;
      case NameState::kStale: {
        // Left by a creator or deleter that died: `create(NAME)` recovers the name.
        Status gone = RemoveStaleNetnsName(run_dir, name, stale_grace);
        if (!gone.ok() && gone.error().code != ENOENT) {
          taken.detail = info.value().detail;
          return taken;
        }
        ++removed;
        continue;
      }
      case NameState::kCreating:
        if (!info.value().held) {
          // Maybe `ip netns add` between its create and its mount: wait until it is old enough
          // to tell (it is then a namespace, gone, or stale).
          std::this_thread::sleep_for(std::chrono::milliseconds(
              std::clamp<int64_t>(stale_grace.count() - info.value().age_ms, 1, 50)));
          continue;
        }
        taken.detail = info.value().detail;
        return taken;
      case NameState::kNamespace:
        return taken;
      case NameState::kOther:
        taken.detail = info.value().detail + "; remove it to use the name";
        return taken;
    }
  }
}

NetnsName::NetnsName(NetnsName&& other) noexcept
    : path_(std::exchange(other.path_, std::string())),
      lock_(std::move(other.lock_)),
      bound_(other.bound_) {}

NetnsName& NetnsName::operator=(NetnsName&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::exchange(other.path_, std::string());
    lock_ = std::move(other.lock_);
    bound_ = other.bound_;
  }
  return *this;
}

NetnsName::~NetnsName() { Release(); }

void NetnsName::Release() {
  // Unlinked while still locked, so an inspector never sees it unlocked and takes it for stale.
  if (!path_.empty() && !bound_) unlink(path_.c_str());
  path_.clear();
  lock_.Reset();
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
  lock_.Reset();  // a mounted namespace now: the placeholder's lock has done its work
  return Status();
}

Status AttachNetnsName(const std::string& run_dir, const std::string& name, int netns_fd,
                       std::chrono::milliseconds lock_timeout,
                       std::chrono::milliseconds stale_grace) {
  Result<int> type = NamespaceFileType(netns_fd);
  if (!type.ok()) return type.status();
  if (type.value() != CLONE_NEWNET) {
    return Error::Invalid(std::string("a ") + NamespaceTypeName(type.value()) +
                          " namespace, not a network namespace");
  }
  Result<NetnsName> reserved = NetnsName::Reserve(run_dir, name, lock_timeout, stale_grace);
  if (!reserved.ok()) return reserved.status();
  return reserved.value().Bind(netns_fd);
}

Result<UniqueFd> CreateAnonymousNetns() {
  if (unshare(CLONE_NEWNET) != 0) return Error::FromErrno("unshare(CLONE_NEWNET)");
  return OpenThreadNetns();
}

Status DeleteNamedNetns(const std::string& run_dir, const std::string& name,
                        uint64_t expected_inode) {
  Status valid = CheckPath(run_dir, true);
  if (valid.ok()) valid = CheckNetnsName(name);
  if (!valid.ok()) return valid;
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

Result<NameInfo> InspectNetnsName(const std::string& run_dir, const std::string& name,
                                  std::chrono::milliseconds stale_grace) {
  Status valid = CheckPath(run_dir, true);
  if (valid.ok()) valid = CheckNetnsName(name);
  if (!valid.ok()) return valid;
  return Inspect(run_dir, run_dir + "/" + name, stale_grace, nullptr);
}

Status RemoveStaleNetnsName(const std::string& run_dir, const std::string& name,
                            std::chrono::milliseconds stale_grace) {
  Status valid = CheckPath(run_dir, true);
  if (valid.ok()) valid = CheckNetnsName(name);
  if (!valid.ok()) return valid;
  std::string path = run_dir + "/" + name;
  UniqueFd locked;
  Result<NameInfo> info = Inspect(run_dir, path, stale_grace, &locked);
  if (!info.ok()) return info.take_error();
  Error e;
  switch (info.value().state) {
    case NameState::kStale:
      break;
    case NameState::kMissing:
      e.code = ENOENT;
      e.detail = "there is no " + path;
      return e;
    case NameState::kNamespace:
      e.code = EBUSY;
      e.detail = path + " is a mounted namespace, not a stale entry; delete the namespace instead";
      return e;
    case NameState::kCreating:
      e.code = EBUSY;
      e.detail = info.value().detail;
      return e;
    case NameState::kOther:
      e.code = EINVAL;
      e.detail = info.value().detail + "; it is not netns-native's to remove";
      return e;
  }
  // Under its flock (no creator of ours can be at work on it): still the same unmounted file?
  struct stat now, held;
  Result<bool> mounted = IsMountRoot(path, run_dir);
  if (fstat(locked.get(), &held) != 0) return Error::FromErrno("fstat");
  if (!mounted.ok() || mounted.value() || lstat(path.c_str(), &now) != 0 ||
      now.st_ino != held.st_ino || now.st_dev != held.st_dev) {
    e.code = EBUSY;
    e.detail = path + " changed while it was being removed";
    return e;
  }
  // A mount made over it meanwhile would make this fail with EBUSY: nothing live is removed.
  if (unlink(path.c_str()) != 0) return Error::FromErrno("unlink");
  return Status();
}

}  // namespace netns_native::ns
