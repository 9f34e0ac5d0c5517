// nsexec: the exec helper. Runs a program inside a network namespace the way `ip netns exec`
// does, plus the other namespace types, then becomes the program.
//
// Started by lib/exec.ts through child_process.spawn, so Node has already set up stdio, env,
// cwd, process group and signal dispositions; what is left is namespace work that must happen
// between fork and exec, in a process of its own (setns/unshare of mount, user and PID
// namespaces cannot be done by a multithreaded process such as Node):
//
//   1. open the network namespace (an inherited fd, or a path) and every namespace to join
//      (before any switch, so that paths resolve in the caller's mount namespace);
//   2. setns(net); join the mount namespace if asked; unshare(CLONE_NEWNS); make / a recursive
//      slave so that nothing propagates back; unmount /sys and mount a sysfs of the new network
//      namespace; bind /etc/netns/NAME/* over /etc/* (iproute2's netns_switch and bind_etc);
//      mount a fresh tmpfs on each --tmpfs path;
//   3. join the other namespaces (user last: root of the initial user namespace can join any
//      namespace, but not after entering a user namespace that owns none of them; nsenter
//      does the same), unshare the new ones, write the new user namespace's ID maps;
//   4. set the hostname; fork once if the program must be in a new or joined PID namespace
//      (setns/unshare of CLONE_NEWPID only affect children), the parent then forwards
//      signals, reaps and exits as the program did;
//   5. drop privileges if asked, close every fd the caller did not pass, execvp.
//
// Kernel: 4.11 or later (NS_GET_NSTYPE); nothing else here needs a recent kernel. close_range(2)
// (5.9) is used where there is one, with a fallback for older kernels and for seccomp filters
// that refuse it; the PID namespace path notices its parent's death through a pipe, not a pidfd
// (pidfd_open is 5.3). Built as a static binary for the prebuilds (scripts/prebuild.js), so it
// calls close_range through syscall(2) and needs no wrapper from the C library.
//
// Errors before exec go to the status fd, a pipe whose write end is close-on-exec: the parent
// reads EOF on a successful exec, or one line "<errno> <step>\t<detail>\n" and the helper
// exits 127. Nothing is ever written to the program's stdout or stderr.
//
// Usage (built by lib/exec.ts, not meant for people):
//   nsexec --status-fd N --keep-fds N (--netns-fd N | --netns-path P) [--netns-inode I]
//          [--name NAME] [--join TYPE=PATH]... [--unshare TYPE]... [--hostname H]
//          [--tmpfs PATH]... [--uid U] [--gid G] [--cwd-strict] -- FILE ARGV0 [ARG...]
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETNS_ETC_DIR "/etc/netns"

struct ns_type {
  const char* name;  // as in the public API (SpawnOptions.unshare / join)
  int flag;
};

// Joined in this order; user is last (see above), mount is handled on its own before the rest.
enum { kMount, kCgroup, kIpc, kUts, kPid, kUser };
static const struct ns_type kTypes[] = {
    {"mount", CLONE_NEWNS}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},  {"pid", CLONE_NEWPID},       {"user", CLONE_NEWUSER},
};
#define NTYPES (sizeof kTypes / sizeof kTypes[0])

static int status_fd = -1;

// Reports a failure to the parent and exits 127, as a shell does for a program it could not run.
__attribute__((noreturn, format(printf, 3, 4))) static void Fail(int err, const char* step,
                                                                 const char* fmt, ...) {
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  char line[640];
  int n = snprintf(line, sizeof line, "%d %s\t%s\n", err, step, detail);
  if (n > (int)sizeof line - 1) n = (int)sizeof line - 1;
  int fd = status_fd >= 0 ? status_fd : STDERR_FILENO;
  // One write of less than PIPE_BUF bytes: atomic.
  while (write(fd, line, (size_t)n) < 0 && errno == EINTR) {
  }
  _exit(127);
}

static int ParseInt(const char* text, const char* what, long min, long max) {
  char* end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < min || v > max)
    Fail(EINVAL, "arguments", "bad %s: %s", what, text);
  return (int)v;
}

static const struct ns_type* TypeByName(const char* name, size_t len) {
  for (size_t i = 0; i < NTYPES; ++i) {
    if (strlen(kTypes[i].name) == len && strncmp(kTypes[i].name, name, len) == 0) return &kTypes[i];
  }
  Fail(EINVAL, "arguments", "unknown namespace type: %.*s", (int)len, name);
}

// Opens an nsfs file and checks it is a namespace of the expected type.
static int OpenNamespace(const char* path, int flag, const char* type_name) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail(errno, "open namespace", "%s namespace %s", type_name, path);
  int type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0)
    Fail(errno == ENOTTY ? EINVAL : errno, "open namespace", "%s is not a namespace", path);
  if (type != flag) Fail(EINVAL, "open namespace", "%s is not a %s namespace", path, type_name);
  return fd;
}

static void WriteFile(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) Fail(errno, "write user namespace maps", "open %s", path);
  ssize_t n = write(fd, text, strlen(text));
  if (n < 0) Fail(errno, "write user namespace maps", "write %s", path);
  close(fd);
}

// iproute2's netns_switch after setns: a mount namespace of our own, nothing propagating back,
// a sysfs describing the network namespace, and /etc/netns/NAME/* over /etc/*.
static void IpNetnsExecMounts(const char* name) {
  if (unshare(CLONE_NEWNS) != 0) Fail(errno, "unshare mount namespace", "unshare(CLONE_NEWNS)");
  if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) != 0)
    Fail(errno, "make / a slave mount", "mount --make-rslave /");
  unsigned long flags = 0;
  if (umount2("/sys", MNT_DETACH) != 0) {
    // Nothing to unmount, or it cannot be: mount over it. A read-only /sys cannot be shadowed
    // by a read-write one.
    struct statvfs st;
    if (statvfs("/sys", &st) == 0 && (st.f_flag & ST_RDONLY)) flags |= MS_RDONLY;
  }
  if (mount(name ? name : "sysfs", "/sys", "sysfs", flags, NULL) != 0)
    Fail(errno, "mount /sys", "mount sysfs on /sys");
  if (!name || strlen(name) >= NAME_MAX) return;

  char dir_path[PATH_MAX];
  snprintf(dir_path, sizeof dir_path, "%s/%s", NETNS_ETC_DIR, name);
  DIR* dir = opendir(dir_path);
  if (!dir) return;
  struct dirent* entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    char from[sizeof dir_path + sizeof entry->d_name + 1], to[sizeof entry->d_name + 5];
    snprintf(from, sizeof from, "%s/%s", dir_path, entry->d_name);
    snprintf(to, sizeof to, "/etc/%s", entry->d_name);
    // As iproute2: a file with no counterpart under /etc is skipped (it only warns; we have no
    // stderr of our own to warn on).
    (void)mount(from, to, "none", MS_BIND, NULL);
  }
  closedir(dir);
}

// The most --tmpfs a caller may give (lib/process/exec.ts keeps to it too).
enum { kMaxTmpfs = 8 };

// A fresh, empty tmpfs on `path` in the program's mount namespace (a slave of the caller's, so
// nothing propagates back), as `unshare --mount` + `mount -t tmpfs` would: `netns-native isolate`
// gives the program its own /run/netns this way. The directory is made if missing, as
// `ip netns add` makes /run/netns; that is the only change outside.
static void MountTmpfs(const char* path) {
  if (mkdir(path, 0755) != 0 && errno != EEXIST) Fail(errno, "mount tmpfs", "mkdir %s", path);
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
    Fail(errno, "mount tmpfs", "mount tmpfs on %s", path);
}

// Reads SigCgt and SigIgn of a process from /proc (`proc_fd`: the /proc of the helper's PID
// namespace, opened before the program mounted its own over /proc).
static int SignalMasks(int proc_fd, pid_t pid, uint64_t* caught, uint64_t* ignored) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "%d/status", (int)pid);
  int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* c = strstr(buf, "\nSigCgt:");
  const char* i = strstr(buf, "\nSigIgn:");
  if (!c || !i) return -1;
  *caught = strtoull(c + 8, NULL, 16);
  *ignored = strtoull(i + 8, NULL, 16);
  return 0;
}

#ifndef SYS_close_range
#define SYS_close_range 436  // the same number on every architecture (asm-generic, x86, ...)
#endif

// Closes the open fds in [from, to] except `keep` (-1: none). close_range(2) where the kernel has
// it; before 5.9 (ENOSYS), or under a seccomp filter that refuses it (EPERM), the fds listed in
// /proc/self/fd; without /proc, every fd up to the RLIMIT_NOFILE soft limit. Never fails: a
// close error (EBADF) means the fd is not open, which is what is wanted.
static void CloseFds(unsigned from, unsigned to, int keep) {
  if (keep >= 0 && (unsigned)keep >= from && (unsigned)keep <= to) {
    if ((unsigned)keep > from) CloseFds(from, (unsigned)keep - 1, -1);
    if ((unsigned)keep < to) CloseFds((unsigned)keep + 1, to, -1);
    return;
  }
  if (from > to) return;
  if (syscall(SYS_close_range, from, to, 0) == 0) return;
  int dir_fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = dir_fd >= 0 ? fdopendir(dir_fd) : NULL;
  if (dir) {
    // Closing while reading is safe: closed fds only disappear from what is left to read.
    struct dirent* entry;
    while ((entry = readdir(dir)) != NULL) {
      char* end;
      unsigned long fd = strtoul(entry->d_name, &end, 10);
      if (*end || end == entry->d_name || fd < from || fd > to || (int)fd == dir_fd) continue;
      close((int)fd);
    }
    closedir(dir);
    return;
  }
  if (dir_fd >= 0) close(dir_fd);
  struct rlimit limit;
  unsigned long max = 65536;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    max = limit.rlim_cur;
  for (unsigned long fd = from; fd <= to && fd < max; ++fd) close((int)fd);
}

static int TerminatesByDefault(int sig) {
  switch (sig) {
    case SIGCHLD:
    case SIGCONT:
    case SIGURG:
    case SIGWINCH:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return 0;
    default:
      return 1;
  }
}

// The parent after fork, with every signal blocked: forwards signals to the program, reaps it and
// leaves the way it did. When the program is PID 1 of a new PID namespace, the kernel delivers
// to it only the signals it has a handler for (pid_namespaces(7)); a signal whose default action
// would have terminated it is turned into SIGKILL, and the helper then dies of the original
// signal, so Node sees what it would have seen without the namespace.
// `alive_fd` is the write end of a pipe the child watches: it must stay open while the helper
// lives (the kernel closes it when the helper dies, which is how the child learns of it).
__attribute__((noreturn)) static void Supervise(pid_t child, int child_is_init, int proc_fd,
                                                int alive_fd) {
  // Hold nothing of the program's: its pipes must reach EOF when it exits, and the status
  // pipe when it execs.
  int low = proc_fd < alive_fd ? proc_fd : alive_fd, high = proc_fd < alive_fd ? alive_fd : proc_fd;
  if (low > 0) CloseFds(0, (unsigned)low - 1, -1);
  CloseFds((unsigned)low + 1, ~0U, high);
  sigset_t all;
  sigfillset(&all);
  int pending_term = 0;
  for (;;) {
    siginfo_t info;
    int sig = sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      int forward = sig;
      if (child_is_init && TerminatesByDefault(sig)) {
        uint64_t caught = 0, ignored = 0;
        uint64_t bit = 1ULL << (sig - 1);
        if (SignalMasks(proc_fd, child, &caught, &ignored) == 0 && !(caught & bit) &&
            !(ignored & bit)) {
          pending_term = sig;
          forward = SIGKILL;
        }
      }
      kill(child, forward);
      continue;
    }
    int status;
    pid_t r;
    while ((r = waitpid(child, &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (r != child) continue;
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    int term = WTERMSIG(status);
    if (term == SIGKILL && pending_term) term = pending_term;
    // Die of the same signal, without a core file of our own.
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(term, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, term);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(term);
    _exit(128 + term);
  }
}

int main(int argc, char** argv) {
  int keep_fds = 3, netns_fd = -1, cwd_strict = 0;
  const char *netns_path = NULL, *name = NULL, *hostname = NULL, *netns_inode = NULL;
  const char* join_path[NTYPES] = {0};
  int unshare_flags = 0;
  long uid = -1, gid = -1;
  const char* tmpfs[kMaxTmpfs];
  size_t tmpfs_count = 0;

  int i = 1;
  for (; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--") == 0) {
      ++i;
      break;
    }
    if (strcmp(a, "--cwd-strict") == 0) {
      cwd_strict = 1;
      continue;
    }
    if (!v) Fail(EINVAL, "arguments", "%s needs a value", a);
    ++i;
    if (strcmp(a, "--status-fd") == 0) {
      status_fd = ParseInt(v, "status fd", 3, INT_MAX);
    } else if (strcmp(a, "--keep-fds") == 0) {
      keep_fds = ParseInt(v, "fd count", 3, INT_MAX);
    } else if (strcmp(a, "--netns-fd") == 0) {
      netns_fd = ParseInt(v, "namespace fd", 3, INT_MAX);
    } else if (strcmp(a, "--netns-path") == 0) {
      netns_path = v;
    } else if (strcmp(a, "--netns-inode") == 0) {
      netns_inode = v;
    } else if (strcmp(a, "--name") == 0) {
      name = v;
    } else if (strcmp(a, "--hostname") == 0) {
      hostname = v;
    } else if (strcmp(a, "--uid") == 0) {
      uid = ParseInt(v, "uid", 0, INT_MAX);
    } else if (strcmp(a, "--gid") == 0) {
      gid = ParseInt(v, "gid", 0, INT_MAX);
    } else if (strcmp(a, "--unshare") == 0) {
      unshare_flags |= TypeByName(v, strlen(v))->flag;
    } else if (strcmp(a, "--tmpfs") == 0) {
      if (v[0] != '/') Fail(EINVAL, "arguments", "--tmpfs needs an absolute path: %s", v);
      if (tmpfs_count == kMaxTmpfs) Fail(EINVAL, "arguments", "more than %d --tmpfs", kMaxTmpfs);
      tmpfs[tmpfs_count++] = v;
    } else if (strcmp(a, "--join") == 0) {
      const char* eq = strchr(v, '=');
      if (!eq) Fail(EINVAL, "arguments", "--join needs TYPE=PATH: %s", v);
      join_path[TypeByName(v, (size_t)(eq - v)) - kTypes] = eq + 1;
    } else {
      Fail(EINVAL, "arguments", "unknown option %s", a);
    }
  }
  if (status_fd >= 0) {
    // Inherited without close-on-exec (libuv dup2'd it); a successful exec must close it.
    if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) != 0) Fail(errno, "arguments", "bad status fd");
  }
  if (argc - i < 2) Fail(EINVAL, "arguments", "no program to run");
  const char* file = argv[i];
  char** program_argv = &argv[i + 1];
  if (netns_fd < 0 && !netns_path) Fail(EINVAL, "arguments", "no network namespace");

  // 1. Open everything while paths still resolve in the caller's mount namespace.
  if (netns_fd < 0) netns_fd = OpenNamespace(netns_path, CLONE_NEWNET, "network");
  if (netns_inode) {
    struct stat st;
    if (fstat(netns_fd, &st) != 0) Fail(errno, "open network namespace", "fstat");
    if (strtoull(netns_inode, NULL, 10) != (unsigned long long)st.st_ino)
      Fail(ESTALE, "open network namespace",
           "%s now refers to another namespace than the one opened", netns_path);
  }
  int join_fd[NTYPES];
  for (size_t t = 0; t < NTYPES; ++t) {
    join_fd[t] = join_path[t] ? OpenNamespace(join_path[t], kTypes[t].flag, kTypes[t].name) : -1;
  }
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
  uid_t euid = geteuid();
  gid_t egid = getegid();

  // 2. The network namespace, then `ip netns exec`'s mount namespace (in the joined mount
  // namespace if one was given, so that the program sees its files with our /sys).
  if (setns(netns_fd, CLONE_NEWNET) != 0) Fail(errno, "enter network namespace", "setns(net)");
  close(netns_fd);
  if (join_fd[kMount] >= 0) {
    if (setns(join_fd[kMount], CLONE_NEWNS) != 0)
      Fail(errno, "join mount namespace", "setns(mnt) %s", join_path[kMount]);
    close(join_fd[kMount]);
    // setns(mnt) moved cwd to the namespace's root; go back to the same path there.
    if (chdir(cwd) != 0) {
      if (cwd_strict) Fail(errno, "cwd", "%s", cwd);
      if (chdir("/") != 0) Fail(errno, "join mount namespace", "chdir /");
    }
  }
  IpNetnsExecMounts(name);
  for (size_t t = 0; t < tmpfs_count; ++t) MountTmpfs(tmpfs[t]);

  // 3. Join the others, user last; then the new ones.
  for (size_t t = kMount + 1; t < NTYPES; ++t) {
    if (join_fd[t] < 0) continue;
    if (setns(join_fd[t], kTypes[t].flag) != 0)
      Fail(errno, "join namespace", "setns(%s) %s", kTypes[t].name, join_path[t]);
    close(join_fd[t]);
  }
  int extra = unshare_flags & ~CLONE_NEWNS;  // a new mount namespace is already there
  // A new user namespace gets its own mount namespace too: the one made above belongs to the
  // initial user namespace, where the program's root has no power to mount /proc.
  if (extra & CLONE_NEWUSER) extra |= CLONE_NEWNS;
  if (extra && unshare(extra) != 0) Fail(errno, "unshare", "unshare(0x%x)", extra);
  if (extra & CLONE_NEWUSER) {
    // As `unshare --map-root-user`: the caller's user and group become root inside.
    char map[64];
    WriteFile("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)egid);
    WriteFile("/proc/self/gid_map", map);
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)euid);
    WriteFile("/proc/self/uid_map", map);
  }

  // 4. Hostname, PID namespace.
  if (hostname && sethostname(hostname, strlen(hostname)) != 0)
    Fail(errno, "set hostname", "sethostname(%s)", hostname);

  int new_pid = (unshare_flags & CLONE_NEWPID) != 0;
  if (new_pid || join_path[kPid]) {
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);  // no signal is lost between fork and Supervise
    // getppid() cannot tell whether the parent died before PR_SET_PDEATHSIG took effect (the
    // parent is outside the child's PID namespace: it reads 0). A pipe can, on every kernel
    // (a pidfd would need 5.3): the parent keeps the write end for its whole life, so the read
    // end shows POLLHUP once it is gone.
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0) Fail(errno, "fork", "pipe");
    int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (proc_fd < 0) Fail(errno, "fork", "open /proc");
    pid_t child = fork();
    if (child < 0) Fail(errno, "fork", "fork into the PID namespace");
    if (child > 0) {
      close(alive[0]);
      Supervise(child, new_pid, proc_fd, alive[1]);
    }
    close(alive[1]);
    // The program must not outlive the helper (Node's kill(SIGKILL) reaches only the helper).
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) Fail(errno, "fork", "prctl(PR_SET_PDEATHSIG)");
    struct pollfd parent_gone = {alive[0], POLLIN, 0};
    if (poll(&parent_gone, 1, 0) != 0) _exit(127);
    close(alive[0]);
    close(proc_fd);
    if (new_pid) {
      // PID 1 of the new namespace: a /proc that shows it (as `unshare --mount-proc`). The
      // mount namespace is ours alone, so this changes nothing outside.
      if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        Fail(errno, "mount /proc", "mount proc on /proc for the new PID namespace");
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
  }

  // 5. Privileges, fds, exec.
  if (uid >= 0 || gid >= 0) (void)setgroups(0, NULL);  // as libuv: optimistic
  if (gid >= 0 && setgid((gid_t)gid) != 0) Fail(errno, "credentials", "setgid(%ld)", gid);
  if (uid >= 0 && setuid((uid_t)uid) != 0) Fail(errno, "credentials", "setuid(%ld)", uid);
  // Everything from keep_fds up is ours (the namespace fd, the status pipe) or leaked by
  // someone: the program gets only what the caller passed. The status pipe closes on exec.
  CloseFds((unsigned)keep_fds, ~0U, status_fd);
  execvp(file, program_argv);
  Fail(errno, "exec", "%s", file);
}
