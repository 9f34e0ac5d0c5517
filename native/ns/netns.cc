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

// Holds an exclusive flock on a directory for its lifetime.
class DirLock {
 public:
  static Result<DirLock> Acquire(const std::string& dir) {
    UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return Error::FromErrno("open");
    if (RetryOnEintr([&] { return flock(fd.get(), LOCK_EX); }) < 0)
      return Error::FromErrno("flock");
    return DirLock(std::move(fd));
  }

 private:
  explicit DirLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing the fd releases the lock
};

// iproute2's dance: the directory must be a shared mount so that namespaces bound under it
// propagate to every mount namespace (including those `ip netns exec` creates). If it is not a
// mount point yet, bind it onto itself once.
Status MakeSharedMount(const std::string& dir) {
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

Result<UniqueFd> OpenNetns(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::FromErrno("open");
  Result<int> ns_type = NamespaceFileType(fd.get());
  if (!ns_type.ok()) return ns_type.take_error();
  int type = ns_type.value();
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

Result<UniqueFd> CreateNamedNetns(const std::string& run_dir, const std::string& name) {
  if (mkdir(run_dir.c_str(), 0755) != 0 && errno != EEXIST) return Error::FromErrno("mkdir");
  // Serialise with other creators (iproute2 included): two processes upgrading the directory
  // to a mount point at once used to stack bind mounts without end.
  Result<DirLock> lock = DirLock::Acquire(run_dir);
  if (!lock.ok()) return lock.take_error();
  Status shared = MakeSharedMount(run_dir);
  if (!shared.ok()) return shared;

  std::string path = run_dir + "/" + name;
  UniqueFd placeholder(open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  if (!placeholder) return Error::FromErrno("open(O_EXCL)");
  placeholder.Reset();

  auto fail = [&](const char* syscall_name) -> Error {
    Error e = Error::FromErrno(syscall_name);
    unlink(path.c_str());
    return e;
  };
  if (unshare(CLONE_NEWNET) != 0) return fail("unshare(CLONE_NEWNET)");
  // /proc/thread-self, not /proc/self: /proc/self names the main thread's namespace.
  if (mount(kThreadNetns, path.c_str(), "none", MS_BIND, nullptr) != 0)
    return fail("mount(MS_BIND)");
  Result<UniqueFd> fd = OpenThreadNetns();
  if (!fd.ok()) {
    umount2(path.c_str(), MNT_DETACH);
    unlink(path.c_str());
  }
  return fd;
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
