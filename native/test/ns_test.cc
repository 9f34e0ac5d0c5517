// Tests of the namespace thread and of namespace files (native/ns/{ns_thread,netns}.h) against
// the real kernel, without Node. Needs root; scripts/native-test.sh runs it inside
// `unshare --net --mount --propagation private` with a fresh tmpfs on a temporary directory it
// passes as argv[1], used as the run directory (never the machine's /run/netns).
//
//   - the namespace thread goes home after a task that went elsewhere, verified by inode;
//   - a namespace's cookie is the same for all its sockets, and never given to another, even one
//     the kernel gave a gone namespace's inode to;
//   - a thread that cannot get home (it dropped CAP_SYS_ADMIN, so setns(2) back fails with
//     EPERM — a real kernel refusal, no mock) is retired and not reused; a replacement cloned
//     from it inherits its namespace and credentials, cannot get home either, and the tasks
//     queued behind are abandoned with the reason; the next Post gets a sound thread;
//   - named create/delete split across threads in the temporary run directory, including
//     EEXIST, a bind that does not take, a stale inode on delete, and the flock timeout;
//   - OpenNetns on a FIFO, a socket, a directory, a regular file, a device and a UTS namespace.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../common/thread_pool.h"
#include "../ns/names_watch.h"
#include "../ns/netns.h"
#include "../ns/ns_thread.h"
#include "../ns/sysctl.h"
#include "check.h"

using namespace netns_native;
using ns::NamespaceThread;

namespace {

std::string run_dir;

pid_t Tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// The optional fields of path's entry in /proc/self/mountinfo ("shared:12 master:3"), or
// nullopt-like "-" when path is not a mount point. The last entry wins (stacked mounts).
std::string MountInfo(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found = "-";
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string w;
    while (fields >> w) f.push_back(w);
    if (f.size() < 7 || f[4] != path) continue;
    found.clear();
    for (size_t i = 6; i < f.size() && f[i] != "-"; ++i) found += f[i] + " ";
  }
  return found;
}

bool IsMountPoint(const std::string& path) { return MountInfo(path) != "-"; }
bool IsSharedMount(const std::string& path) {
  return MountInfo(path).find("shared:") != std::string::npos;
}

// What `ip netns list` would accept: an nsfs file whose inode is the namespace's.
bool IsNamespaceMount(const std::string& path, uint64_t inode) {
  struct stat st;
  struct statfs sfs;
  return stat(path.c_str(), &st) == 0 && statfs(path.c_str(), &sfs) == 0 &&
         sfs.f_type == NSFS_MAGIC && static_cast<uint64_t>(st.st_ino) == inode;
}

// Drops CAP_SYS_ADMIN from the calling thread's effective set (capset(2) acts on the calling
// thread only). setns(2) needs it, so such a thread cannot go home.
bool DropSysAdmin() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
  return syscall(SYS_capset, &header, data) == 0;
}

// Polls `done` (every millisecond, for at most 30 s) for state nothing signals.
template <class F>
bool WaitUntil(F done) {
  for (int i = 0; i < 30000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

std::unique_ptr<NamespaceThread> MakeThread() {
  Result<std::unique_ptr<NamespaceThread>> t = NamespaceThread::Create();
  CHECK(t.ok());
  return t.ok() ? t.take() : nullptr;
}

// Creates a named namespace the way the addon does: name reserved here (standing in for a pool
// worker), namespace made on the namespace thread, bound here.
Result<UniqueFd> CreateNamed(NamespaceThread& t, const std::string& dir, const std::string& name,
                             std::chrono::milliseconds lock_timeout = ns::kRunDirLockTimeout) {
  Result<ns::NetnsName> reserved = ns::NetnsName::Reserve(dir, name, lock_timeout);
  if (!reserved.ok()) return reserved.take_error();
  Result<UniqueFd> fd = t.Call([] { return ns::CreateAnonymousNetns(); });
  if (!fd.ok()) return fd;
  Status bound = reserved.value().Bind(fd.value().get());
  if (!bound.ok()) return bound;
  return fd;
}

void TestGoesHomeAfterEachTask() {
  auto t = MakeThread();
  if (!t) return;
  Result<uint64_t> home = ns::ThreadNetnsInode();
  CHECK(home.ok() && home.value() == t->home_inode());
  struct Seen {
    pid_t tid;
    uint64_t inode;
  };
  Result<Seen> away = t->Call([]() -> Result<Seen> {
    if (unshare(CLONE_NEWNET) != 0) return Error::FromErrno("unshare");
    Result<uint64_t> now = ns::ThreadNetnsInode();
    if (!now.ok()) return now.take_error();
    return Seen{Tid(), now.value()};
  });
  CHECK(away.ok() && away.value().inode != t->home_inode());
  Result<Seen> after = t->Call([]() -> Result<Seen> {
    Result<uint64_t> now = ns::ThreadNetnsInode();
    if (!now.ok()) return now.take_error();
    return Seen{Tid(), now.value()};
  });
  CHECK(after.ok() && after.value().inode == t->home_inode());
  CHECK(away.ok() && after.ok() && after.value().tid == away.value().tid);  // not replaced
  CHECK(t->retired() == 0);

  // Entering an existing namespace through its fd, likewise.
  Result<UniqueFd> made = t->Call([] { return ns::CreateAnonymousNetns(); });
  CHECK(made.ok());
  if (!made.ok()) return;
  Result<uint64_t> made_inode = ns::NetnsInode(made.value().get());
  int fd = made.value().get();
  Result<uint64_t> inside = t->Call([fd]() -> Result<uint64_t> {
    Status entered = ns::EnterNetns(fd);
    if (!entered.ok()) return entered;
    return ns::ThreadNetnsInode();
  });
  CHECK(inside.ok() && made_inode.ok() && inside.value() == made_inode.value());
  Result<uint64_t> back = t->Call([] { return ns::ThreadNetnsInode(); });
  CHECK(back.ok() && back.value() == t->home_inode());
  CHECK(t->retired() == 0);
}

// NetnsCookie: one cookie for every socket of a namespace, whatever its family; another for each
// namespace; and a new one for a namespace the kernel gave a gone one's inode to.
void TestCookieIsNeverGivenTwice() {
  auto t = MakeThread();
  if (!t) return;
  struct Made {
    UniqueFd fd;
    uint64_t inode;
    uint64_t cookie;
  };
  auto make = [&t]() {
    return t->Call([]() -> Result<Made> {
      Result<UniqueFd> fd = ns::CreateAnonymousNetns();
      if (!fd.ok()) return fd.take_error();
      Result<uint64_t> inode = ns::NetnsInode(fd.value().get());
      if (!inode.ok()) return inode.take_error();
      UniqueFd udp(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      UniqueFd unix_sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (!udp || !unix_sock) return Error::FromErrno("socket");
      Result<uint64_t> a = ns::NetnsCookie(udp.get());
      Result<uint64_t> b = ns::NetnsCookie(unix_sock.get());
      if (!a.ok()) return a.take_error();
      if (!b.ok() || b.value() != a.value())
        return Error{EPROTO, "two cookies for one namespace", 0, ""};
      return Made{fd.take(), inode.value(), a.value()};
    });
  };
  Result<Made> first = make();
  CHECK(first.ok());
  if (!first.ok()) {
    std::printf("ns_test: cookie: %s\n", first.error().detail.c_str());
    return;
  }
  UniqueFd home_sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  Result<uint64_t> home = ns::NetnsCookie(home_sock.get());
  CHECK(home.ok() && home.value() != first.value().cookie);
  // Gone (its last fd closed), its inode is the lowest free once the teardown frees it: one of
  // the namespaces made from then on gets it, unless something else on the machine takes it
  // first (inode numbers are machine-wide). They are kept, so that each takes another number.
  const uint64_t inode = first.value().inode;
  const uint64_t cookie = first.value().cookie;
  first.value().fd.Reset();
  std::vector<Made> kept;
  bool reused = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!reused && std::chrono::steady_clock::now() < deadline) {
    Result<Made> next = make();
    CHECK(next.ok());
    if (!next.ok()) return;
    CHECK(next.value().cookie != cookie);
    reused = next.value().inode == inode;
    kept.push_back(next.take());
    if (!reused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!reused) {
    std::printf("ns_test: inode %llu was taken elsewhere: %zu new namespaces, none given it\n",
                static_cast<unsigned long long>(inode), kept.size());
  }
}

void TestThreadThatCannotGetHomeIsRetired() {
  auto t = MakeThread();
  if (!t) return;
  // A task leaves home and gives up the right to come back.
  Result<pid_t> bad = t->Call([]() -> Result<pid_t> {
    if (unshare(CLONE_NEWNET) != 0) return Error::FromErrno("unshare");
    if (!DropSysAdmin()) return Error::FromErrno("capset");
    return Tid();
  });
  CHECK(bad.ok());
  // Call returned when the task did, before the thread found it cannot get home. Wait for its
  // retirement: a task queued before that would go to a replacement cloned from it (below).
  CHECK(WaitUntil([&] { return t->retired() == 1; }));
  // The next task runs on a fresh thread, started from this sound one, at home.
  Result<std::pair<pid_t, uint64_t>> good = t->Call([]() -> Result<std::pair<pid_t, uint64_t>> {
    Result<uint64_t> now = ns::ThreadNetnsInode();
    if (!now.ok()) return now.take_error();
    return std::make_pair(Tid(), now.value());
  });
  CHECK(good.ok() && bad.ok() && good.value().first != bad.value());
  CHECK(good.ok() && good.value().second == t->home_inode());
  CHECK(t->retired() == 1);

  // Now with a task queued behind: the retiring thread starts the replacement, which is cloned
  // from it — same foreign namespace, same reduced capabilities — so it cannot get home in
  // on_start either. It takes no task; the queued one is abandoned with the reason.
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::promise<Error> abandoned;
  std::atomic<bool> queued_ran{false};
  t->Post(
      [opened] {
        opened.wait();
        if (unshare(CLONE_NEWNET) == 0) DropSysAdmin();
      },
      nullptr);
  t->Post([&] { queued_ran = true; }, [&](const Error& e) { abandoned.set_value(e); });
  gate.set_value();
  Error why = abandoned.get_future().get();
  CHECK(why.code == EPERM);
  CHECK(why.detail.find("could not return to its home namespace") != std::string::npos);
  CHECK(!queued_ran.load());
  CHECK(t->retired() == 3);
  // And the next Post, from a sound thread, recovers.
  Result<uint64_t> recovered = t->Call([] { return ns::ThreadNetnsInode(); });
  CHECK(recovered.ok() && recovered.value() == t->home_inode());
  CHECK(t->retired() == 3);
}

void TestStartFailureAbandonsCalls() {
  std::atomic<bool> fail{true};
  Result<std::unique_ptr<NamespaceThread>> made =
      NamespaceThread::Create([&fail](std::function<void()> body) -> Result<std::thread> {
        if (fail.load()) return Error::FromErrno("pthread_create", EAGAIN);
        return ThreadPool::StartStdThread(std::move(body));
      });
  CHECK(made.ok());
  if (!made.ok()) return;
  auto t = made.take();
  Result<UniqueFd> fd = t->Call([] { return ns::CreateAnonymousNetns(); });
  CHECK(!fd.ok() && fd.error().code == EAGAIN &&
        fd.error().detail.find("could not start a thread") != std::string::npos);
  fail = false;
  Result<uint64_t> now = t->Call([] { return ns::ThreadNetnsInode(); });
  CHECK(now.ok() && now.value() == t->home_inode());
}

void TestNamedCreateAndDelete() {
  auto t = MakeThread();
  if (!t) return;
  const std::string dir = run_dir + "/netns";
  const std::string path = dir + "/blue";
  Result<UniqueFd> fd = CreateNamed(*t, dir, "blue");
  CHECK(fd.ok());
  if (!fd.ok()) return;
  Result<uint64_t> inode = ns::NetnsInode(fd.value().get());
  CHECK(inode.ok());
  uint64_t ino = inode.value();
  CHECK(IsNamespaceMount(path, ino));
  CHECK(IsMountPoint(path));
  CHECK(IsSharedMount(dir));  // made a mount point (bound onto itself) and shared
  // The name keeps the namespace: it opens by path after our fd is gone.
  fd.value().Reset();
  Result<UniqueFd> again = ns::OpenNetns(path);
  CHECK(again.ok());
  if (again.ok()) {
    Result<uint64_t> again_inode = ns::NetnsInode(again.value().get());
    CHECK(again_inode.ok() && again_inode.value() == ino);
    int afd = again.value().get();
    Result<uint64_t> inside = t->Call([afd]() -> Result<uint64_t> {
      Status entered = ns::EnterNetns(afd);
      if (!entered.ok()) return entered;
      return ns::ThreadNetnsInode();
    });
    CHECK(inside.ok() && inside.value() == ino);
  }

  // The name is taken: EEXIST, and what is there is left as it was.
  Result<UniqueFd> dup = CreateNamed(*t, dir, "blue");
  CHECK(!dup.ok() && dup.error().code == EEXIST);
  CHECK(IsNamespaceMount(path, ino));

  // Delete with a stale inode: nothing removed.
  CHECK(ns::DeleteNamedNetns(dir, "blue", ino + 1).ok());
  CHECK(IsNamespaceMount(path, ino));
  // With the right one: unmounted and gone.
  CHECK(ns::DeleteNamedNetns(dir, "blue", ino).ok());
  CHECK(!Exists(path));
  CHECK(!IsMountPoint(path));
  // Again: already gone is fine.
  CHECK(ns::DeleteNamedNetns(dir, "blue", ino).ok());
  CHECK(ns::DeleteNamedNetns(dir, "blue").ok());

  // The same name can be made again, and is a different namespace.
  Result<UniqueFd> fresh = CreateNamed(*t, dir, "blue");
  CHECK(fresh.ok());
  if (fresh.ok()) {
    Result<uint64_t> fresh_inode = ns::NetnsInode(fresh.value().get());
    CHECK(fresh_inode.ok() && fresh_inode.value() != ino &&
          IsNamespaceMount(path, fresh_inode.value()));
  }
  CHECK(ns::DeleteNamedNetns(dir, "blue").ok());
  CHECK(!Exists(path));
  CHECK(t->retired() == 0);
}

void TestNothingLeftBehind() {
  const std::string dir = run_dir + "/netns";
  // A reservation dropped before Bind removes its placeholder.
  {
    Result<ns::NetnsName> name = ns::NetnsName::Reserve(dir, "dropped");
    CHECK(name.ok() && Exists(dir + "/dropped"));
  }
  CHECK(!Exists(dir + "/dropped"));
  // A bind that does not take (the fd is no namespace: a regular file binds fine, but the
  // check after it sees no nsfs inode) is undone, and the placeholder goes.
  {
    Result<ns::NetnsName> name = ns::NetnsName::Reserve(dir, "notns");
    CHECK(name.ok());
    if (name.ok()) {
      std::string file = run_dir + "/plain";
      UniqueFd plain(open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
      Status bound = name.value().Bind(plain.get());
      CHECK(!bound.ok() && bound.error().code == EIO);
      CHECK(!IsMountPoint(dir + "/notns"));
    }
  }
  CHECK(!Exists(dir + "/notns"));
  // A bad fd: nothing mounted, nothing left.
  {
    Result<ns::NetnsName> name = ns::NetnsName::Reserve(dir, "badfd");
    CHECK(name.ok());
    if (name.ok()) CHECK(!name.value().Bind(-1).ok());
  }
  CHECK(!Exists(dir + "/badfd"));
  // Moved reservations clean up once.
  {
    Result<ns::NetnsName> name = ns::NetnsName::Reserve(dir, "moved");
    CHECK(name.ok());
    if (name.ok()) {
      ns::NetnsName taken = std::move(name.value());
      CHECK(taken.path() == dir + "/moved" && Exists(taken.path()));
    }
  }
  CHECK(!Exists(dir + "/moved"));
}

// `ip netns attach`: an existing namespace (here an anonymous one, as a process's would be) gets
// a name that refers to it and outlives our fd; a taken name, a bad name or an fd of another
// namespace type is refused with nothing left behind.
void TestAttach() {
  auto t = MakeThread();
  if (!t) return;
  const std::string dir = run_dir + "/netns";
  Result<UniqueFd> anon = t->Call([] { return ns::CreateAnonymousNetns(); });
  CHECK(anon.ok());
  if (!anon.ok()) return;
  Result<uint64_t> inode = ns::NetnsInode(anon.value().get());
  CHECK(inode.ok());
  const uint64_t ino = inode.value();
  CHECK(ns::AttachNetnsName(dir, "att", anon.value().get()).ok());
  CHECK(IsNamespaceMount(dir + "/att", ino));
  // Taken: EEXIST, the name still refers to the same namespace, no second mount stacked.
  Status again = ns::AttachNetnsName(dir, "att", anon.value().get());
  CHECK(!again.ok() && again.error().code == EEXIST);
  CHECK(IsNamespaceMount(dir + "/att", ino));
  // A second name for the same namespace is fine (as with ip).
  CHECK(ns::AttachNetnsName(dir, "att2", anon.value().get()).ok());
  CHECK(IsNamespaceMount(dir + "/att2", ino));
  // Not a network namespace, a bad name: EINVAL before anything is made.
  UniqueFd uts(open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC));
  Status wrong = ns::AttachNetnsName(dir, "uts", uts.get());
  CHECK(!wrong.ok() && wrong.error().code == EINVAL && !Exists(dir + "/uts"));
  Status bad = ns::AttachNetnsName(dir, "a/b", anon.value().get());
  CHECK(!bad.ok() && bad.error().code == EINVAL);
  Status closed = ns::AttachNetnsName(dir, "closed", -1);
  CHECK(!closed.ok() && closed.error().code == EBADF && !Exists(dir + "/closed"));
  // The name keeps the namespace once our fd is gone.
  anon.value().Reset();
  Result<UniqueFd> reopened = ns::OpenNetns(dir + "/att");
  CHECK(reopened.ok());
  if (reopened.ok()) {
    Result<uint64_t> same = ns::NetnsInode(reopened.value().get());
    CHECK(same.ok() && same.value() == ino);
  }
  CHECK(ns::DeleteNamedNetns(dir, "att", ino).ok() && !Exists(dir + "/att"));
  CHECK(ns::DeleteNamedNetns(dir, "att2", ino).ok() && !Exists(dir + "/att2"));
  CHECK(t->retired() == 0);
}

// Another holder of the flock on a run directory that still needs its mount upgrade: Reserve
// gives up with ETIMEDOUT after the bound, changing nothing; once the lock is free it works.
void TestLockTimeout() {
  const std::string dir = run_dir + "/locked";
  CHECK(mkdir(dir.c_str(), 0755) == 0);
  CHECK(!IsMountPoint(dir));
  UniqueFd holder(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  CHECK(flock(holder.get(), LOCK_EX | LOCK_NB) == 0);
  constexpr std::chrono::milliseconds kBound{300};
  auto start = std::chrono::steady_clock::now();
  Result<ns::NetnsName> name = ns::NetnsName::Reserve(dir, "x", kBound);
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(!name.ok() && name.error().code == ETIMEDOUT);
  if (!name.ok()) {
    CHECK(name.error().detail.find("300 ms") != std::string::npos);
    CHECK(name.error().detail.find(dir) != std::string::npos);
  }
  CHECK(waited >= kBound);  // it did wait: the bound, not an immediate failure
  CHECK(!Exists(dir + "/x"));
  CHECK(!IsMountPoint(dir));

  holder.Reset();  // releases the lock
  auto t = MakeThread();
  if (!t) return;
  Result<UniqueFd> fd = CreateNamed(*t, dir, "x", kBound);
  CHECK(fd.ok());
  CHECK(IsSharedMount(dir));
  CHECK(ns::DeleteNamedNetns(dir, "x").ok());

  // Once the directory is a shared mount, a held lock no longer matters: there is nothing to
  // upgrade, so nothing to serialise (iproute2 takes the lock regardless; the outcome is the
  // same).
  UniqueFd holder2(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  CHECK(flock(holder2.get(), LOCK_EX | LOCK_NB) == 0);
  Result<UniqueFd> fd2 = CreateNamed(*t, dir, "y", kBound);
  CHECK(fd2.ok());
  CHECK(ns::DeleteNamedNetns(dir, "y").ok());
}

bool Contains(const std::string& text, const char* part) {
  if (text.find(part) != std::string::npos) return true;
  std::fprintf(stderr, "\"%s\" lacks \"%s\"\n", text.c_str(), part);
  return false;
}

// NetSysctl reads and writes /proc/sys/net of the calling thread's namespace (this test runs in
// a throwaway one: scripts/native-test.sh), refuses keys that would leave /proc/sys/net before
// opening anything, and says ENOENT for a key that does not exist.
void TestNetSysctl() {
  auto before = ns::NetSysctl("ipv4/ip_forward", std::nullopt);
  CHECK(before.ok() && (before.value() == "0" || before.value() == "1"));
  if (!before.ok()) return;
  const std::string flipped = before.value() == "0" ? "1" : "0";
  auto set = ns::NetSysctl("ipv4/ip_forward", flipped);
  CHECK(set.ok() && set.value() == before.value());  // the value before the write
  auto now = ns::NetSysctl("ipv4/ip_forward", std::nullopt);
  CHECK(now.ok() && now.value() == flipped);
  auto same = ns::NetSysctl("ipv4/ip_forward", flipped);  // equal: read, not written
  CHECK(same.ok() && same.value() == flipped);
  auto back = ns::NetSysctl("ipv4/ip_forward", before.value());
  CHECK(back.ok() && back.value() == flipped);
  for (const char* bad :
       {"", "/ipv4/ip_forward", "ipv4/ip_forward/", "ipv4//ip_forward", "../net/ipv4/ip_forward",
        "ipv4/./ip_forward", "ipv4/conf/lo/..", "ipv4/ip\nforward"}) {
    auto r = ns::NetSysctl(bad, std::nullopt);
    CHECK(!r.ok() && r.error().code == EINVAL);
  }
  auto nul = ns::NetSysctl(std::string("ipv4/ip_forward\0x", 17), std::nullopt);
  CHECK(!nul.ok() && nul.error().code == EINVAL);
  auto missing = ns::NetSysctl("ipv4/conf/nntnosuchlink0/forwarding", std::nullopt);
  CHECK(!missing.ok() && missing.error().code == ENOENT);
}

// Names are checked in C++ too (the addon must not trust its caller): a name is one path
// component, so nothing outside the run directory can be reached through it.
void TestNamesAreChecked() {
  CHECK(ns::CheckNetnsName("blue").ok());
  CHECK(ns::CheckNetnsName(std::string(255, 'n')).ok());
  for (const std::string& bad :
       {std::string(), std::string("."), std::string(".."), std::string("../../x"),
        std::string("a/b"), std::string("/abs"), std::string("a\0b", 3), std::string(256, 'n')}) {
    Status s = ns::CheckNetnsName(bad);
    CHECK(!s.ok() && s.error().code == EINVAL);
  }
  CHECK(ns::CheckPath("/run/netns", true).ok() && ns::CheckPath("rel/ok", false).ok());
  CHECK(!ns::CheckPath("rel", true).ok() && !ns::CheckPath("", false).ok());
  CHECK(!ns::CheckPath(std::string("/proc/self/ns/net\0x", 20), false).ok());

  // deleteNamespace(runDir, '../../x') once removed a file outside the run directory.
  const std::string dir = run_dir + "/netns";
  const std::string victim = run_dir + "/victim";
  UniqueFd v(open(victim.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  CHECK(v);
  Status del = ns::DeleteNamedNetns(dir, "../victim");
  CHECK(!del.ok() && del.error().code == EINVAL);
  CHECK(Exists(victim));
  Result<ns::NetnsName> res = ns::NetnsName::Reserve(dir, "../victim2");
  CHECK(!res.ok() && res.error().code == EINVAL && !Exists(run_dir + "/victim2"));
  CHECK(!ns::InspectNetnsName(dir, "..").ok());
  CHECK(!ns::RemoveStaleNetnsName(dir, "../victim").ok() && Exists(victim));
  // A NUL byte would make the C string name another file.
  Result<UniqueFd> nul = ns::OpenNetns(std::string("/proc/self/ns/net\0x", 20));
  CHECK(!nul.ok() && nul.error().code == EINVAL);
  unlink(victim.c_str());
}

// Stale names: a placeholder a creator (or a deleter) left when it died is told apart from a
// creation in progress (its creator's flock, or for `ip netns add` its age), removed only when
// it is stale, and reused by Reserve.
void TestStaleNames() {
  auto t = MakeThread();
  if (!t) return;
  const std::string dir = run_dir + "/netns";
  using std::chrono::milliseconds;
  constexpr milliseconds kNow{0}, kLong{60000};
  auto state = [&](const std::string& name, milliseconds grace) {
    Result<ns::NameInfo> info = ns::InspectNetnsName(dir, name, grace);
    CHECK(info.ok());
    return info.ok() ? info.value() : ns::NameInfo{};
  };

  // Nothing there.
  CHECK(state("none", kNow).state == ns::NameState::kMissing);
  Status missing = ns::RemoveStaleNetnsName(dir, "none", kNow);
  CHECK(!missing.ok() && missing.error().code == ENOENT);

  // A placeholder nobody holds: young, it may be `ip netns add` at work; old, it is stale.
  const std::string left = dir + "/left";
  UniqueFd(open(left.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  ns::NameInfo young = state("left", kLong);
  CHECK(young.state == ns::NameState::kCreating && !young.held);
  CHECK(Contains(young.detail, "maybe a creation in progress"));
  Status busy = ns::RemoveStaleNetnsName(dir, "left", kLong);
  CHECK(!busy.ok() && busy.error().code == EBUSY && Exists(left));
  ns::NameInfo stale = state("left", kNow);
  CHECK(stale.state == ns::NameState::kStale && Contains(stale.detail, "stale entry"));

  // Held by a live creator (its flock): never stale, whatever its age.
  {
    UniqueFd holder(open(left.c_str(), O_RDONLY | O_CLOEXEC));
    CHECK(flock(holder.get(), LOCK_EX | LOCK_NB) == 0);
    ns::NameInfo held = state("left", kNow);
    CHECK(held.state == ns::NameState::kCreating && held.held);
    Status refused = ns::RemoveStaleNetnsName(dir, "left", kNow);
    CHECK(!refused.ok() && refused.error().code == EBUSY && Exists(left));
    // Reserve does not take a name another creator holds.
    Result<ns::NetnsName> taken = ns::NetnsName::Reserve(dir, "left", ns::kRunDirLockTimeout, kNow);
    CHECK(!taken.ok() && taken.error().code == EEXIST);
    if (!taken.ok()) CHECK(Contains(taken.error().detail, "another process is creating"));
  }
  // Once the holder is gone (it died): stale, and removed.
  CHECK(ns::RemoveStaleNetnsName(dir, "left", kNow).ok());
  CHECK(!Exists(left));

  // Reserve reuses a stale name; its own placeholder is held until bound.
  UniqueFd(open(left.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  {
    Result<ns::NetnsName> name = ns::NetnsName::Reserve(dir, "left", ns::kRunDirLockTimeout, kNow);
    CHECK(name.ok());
    ns::NameInfo ours = state("left", kNow);
    CHECK(ours.state == ns::NameState::kCreating && ours.held);
    if (name.ok()) {
      Result<UniqueFd> fd = t->Call([] { return ns::CreateAnonymousNetns(); });
      CHECK(fd.ok() && name.value().Bind(fd.value().get()).ok());
      ns::NameInfo bound = state("left", kNow);
      CHECK(bound.state == ns::NameState::kNamespace);
      Result<uint64_t> inode = ns::NetnsInode(fd.value().get());
      CHECK(inode.ok() && bound.inode == inode.value());
      Status live = ns::RemoveStaleNetnsName(dir, "left", kNow);
      CHECK(!live.ok() && live.error().code == EBUSY && IsMountPoint(left));
    }
  }
  // A deleter that died between its unmount and its unlink leaves a stale entry too.
  CHECK(umount2(left.c_str(), MNT_DETACH) == 0);
  CHECK(state("left", kNow).state == ns::NameState::kStale);
  CHECK(ns::RemoveStaleNetnsName(dir, "left", kNow).ok());
  CHECK(!Exists(left));

  // A young unlocked placeholder: Reserve waits until it is old enough to tell, then takes it.
  UniqueFd(open(left.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  auto start = std::chrono::steady_clock::now();
  Result<ns::NetnsName> waited =
      ns::NetnsName::Reserve(dir, "left", ns::kRunDirLockTimeout, milliseconds(300));
  CHECK(waited.ok());
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(250));
  waited = Error{};  // drops the reservation: the placeholder goes
  CHECK(!Exists(left));

  // Not ours: a FIFO, a directory, a mount of a plain file. Reported, never removed.
  const std::string fifo = dir + "/fifo";
  CHECK(mkfifo(fifo.c_str(), 0600) == 0);
  ns::NameInfo f = state("fifo", kNow);
  CHECK(f.state == ns::NameState::kOther && Contains(f.detail, "a FIFO"));
  Status nf = ns::RemoveStaleNetnsName(dir, "fifo", kNow);
  CHECK(!nf.ok() && nf.error().code == EINVAL && Exists(fifo));
  Result<ns::NetnsName> over = ns::NetnsName::Reserve(dir, "fifo", ns::kRunDirLockTimeout, kNow);
  CHECK(!over.ok() && over.error().code == EEXIST);
  if (!over.ok()) CHECK(Contains(over.error().detail, "a FIFO"));
  unlink(fifo.c_str());
  const std::string mounted = dir + "/mounted";
  const std::string source = run_dir + "/source";
  UniqueFd(open(mounted.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0));
  UniqueFd(open(source.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0));
  CHECK(mount(source.c_str(), mounted.c_str(), "none", MS_BIND, nullptr) == 0);
  ns::NameInfo m = state("mounted", kNow);
  CHECK(m.state == ns::NameState::kOther && Contains(m.detail, "a mount of something other"));
  CHECK(!ns::RemoveStaleNetnsName(dir, "mounted", kNow).ok() && IsMountPoint(mounted));
  umount2(mounted.c_str(), MNT_DETACH);
  unlink(mounted.c_str());
  unlink(source.c_str());
  CHECK(t->retired() == 0);
}

void CheckNotANamespace(const std::string& path, const char* says) {
  Result<UniqueFd> fd = ns::OpenNetns(path);
  CHECK(!fd.ok() && fd.error().code == EINVAL);
  if (!fd.ok() && fd.error().detail.find(says) == std::string::npos) {
    std::fprintf(stderr, "%s: detail \"%s\" lacks \"%s\"\n", path.c_str(),
                 fd.error().detail.c_str(), says);
    CHECK(false);
  }
}

// None of these may block: a FIFO with no writer would hold open(2) forever (the run is under
// `timeout`, so a hang fails it).
void TestOpenNetnsRefusesWhatIsNotANetworkNamespace() {
  std::string fifo = run_dir + "/fifo";
  CHECK(mkfifo(fifo.c_str(), 0600) == 0);
  CheckNotANamespace(fifo, "not a namespace file: it is a FIFO");
  CHECK(Exists(fifo));

  std::string sock_path = run_dir + "/sock";
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock_path.c_str(), sizeof addr.sun_path - 1);
  CHECK(bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CheckNotANamespace(sock_path, "it is a socket");

  CheckNotANamespace(run_dir, "it is a directory");
  CheckNotANamespace("/dev/null", "it is a character device");
  std::string plain = run_dir + "/regular";
  UniqueFd f(open(plain.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  CheckNotANamespace(plain, "not a namespace file (not an nsfs mount");
  CheckNotANamespace("/proc/self/ns/uts", "a UTS namespace, not a network namespace");

  Result<UniqueFd> missing = ns::OpenNetns(run_dir + "/missing");
  CHECK(!missing.ok() && missing.error().code == ENOENT);

  // The real thing opens, as a blocking fd.
  Result<UniqueFd> net = ns::OpenNetns("/proc/self/ns/net");
  CHECK(net.ok());
  if (net.ok()) CHECK((fcntl(net.value().get(), F_GETFL) & O_NONBLOCK) == 0);
  // Any namespace type through OpenNamespaceFile.
  CHECK(ns::OpenNamespaceFile("/proc/self/ns/uts").ok());
}

}  // namespace

// The names watch sees what `ip netns monitor` sees: a name created and deleted, not one moved
// in or out (rename), a directory made in it; the end when the directory goes; ENOENT for none.
void TestNamesWatch() {
  std::string dir = run_dir + "/names-watch";
  std::string outside = run_dir + "/names-watch-outside";
  CHECK(mkdir(dir.c_str(), 0755) == 0);
  Result<std::unique_ptr<ns::NamesWatch>> opened = ns::NamesWatch::Open(dir);
  CHECK(opened.ok());
  if (!opened.ok()) return;
  ns::NamesWatch& watch = *opened.value();
  std::vector<ns::NameEvent> events;
  bool ended = true;
  CHECK(watch.Read(&events, &ended).ok() && events.empty() && !ended);  // nothing yet: no block
  auto touch = [](const std::string& path) { close(open(path.c_str(), O_CREAT | O_WRONLY, 0644)); };
  touch(dir + "/a");
  touch(outside);
  CHECK(rename(outside.c_str(), (dir + "/moved-in").c_str()) == 0);
  CHECK(rename((dir + "/a").c_str(), outside.c_str()) == 0);  // moved out
  CHECK(mkdir((dir + "/d").c_str(), 0755) == 0);
  CHECK(unlink((dir + "/moved-in").c_str()) == 0);
  CHECK(rmdir((dir + "/d").c_str()) == 0);
  CHECK(watch.Read(&events, &ended).ok() && !ended);
  using K = ns::NameEvent::Kind;
  std::vector<std::pair<K, std::string>> seen;
  for (const auto& e : events) seen.emplace_back(e.kind, e.name);
  std::vector<std::pair<K, std::string>> expected = {
      {K::kCreated, "a"}, {K::kCreated, "d"}, {K::kDeleted, "moved-in"}, {K::kDeleted, "d"}};
  CHECK(seen == expected);
  events.clear();
  CHECK(rmdir(dir.c_str()) == 0);
  CHECK(watch.Read(&events, &ended).ok() && ended);
  CHECK(!events.empty() && events.back().kind == K::kEnded);
  unlink(outside.c_str());
  Result<std::unique_ptr<ns::NamesWatch>> none = ns::NamesWatch::Open(dir);
  CHECK(!none.ok() && none.error().code == ENOENT);
}

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::printf("ns_test: SKIPPED: not root (needs CAP_SYS_ADMIN for setns, unshare, mount)\n");
    return 0;
  }
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: ns_test RUN_DIR  (a scratch tmpfs, in a private mount namespace: "
                 "scripts/native-test.sh sets this up)\n");
    return 2;
  }
  run_dir = argv[1];
  TestGoesHomeAfterEachTask();
  TestCookieIsNeverGivenTwice();
  TestThreadThatCannotGetHomeIsRetired();
  TestStartFailureAbandonsCalls();
  TestNamedCreateAndDelete();
  TestNothingLeftBehind();
  TestAttach();
  TestLockTimeout();
  TestOpenNetnsRefusesWhatIsNotANetworkNamespace();
  TestNamesAreChecked();
  TestStaleNames();
  TestNetSysctl();
  TestNamesWatch();
  return test::Report("ns_test");
}
