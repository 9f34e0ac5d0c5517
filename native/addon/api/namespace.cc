// Namespaces: the current one, create (named or anonymous), open by path, attach a name, delete,
// close.
#include <fcntl.h>

#include <optional>

#include "../../ns/handle.h"
#include "../../ns/netns.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"

namespace netns_native::addon {

namespace {

using ns::NetnsHandle;

Napi::Value Opened(Napi::Env env, const std::shared_ptr<NetnsHandle>& handle) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("handle", HandleToJs(env, handle));
  o.Set("inode", Napi::BigInt::New(env, static_cast<uint64_t>(handle->inode())));
  if (handle->cookie() != 0) o.Set("cookie", Napi::BigInt::New(env, handle->cookie()));
  return o;
}

// A new namespace's or an opened one's handle: its fd, and the JS socket opened inside it.
class HandleJob : public Job {
 public:
  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    return Opened(env, result_.value());
  }

 protected:
  Result<std::shared_ptr<NetnsHandle>> result_ = Error{};
};

// On the namespace thread: unshare(CLONE_NEWNET) and open the socket inside. Nothing else.
class CreateAnonymousJob : public HandleJob {
 public:
  void Execute() override {
    Result<UniqueFd> fd = ns::CreateAnonymousNetns();
    if (!fd.ok()) {
      result_ = fd.take_error();
      return;
    }
    result_ = ns::MakeHandleInside(fd.take());
  }
};

// On a worker: reserve the name (lock, shared mount, placeholder), have the namespace thread
// make the namespace and its socket, bind it onto the name. A failure anywhere leaves nothing:
// the placeholder goes with `name`, the namespace with the handle's fd.
class CreateNamedJob : public HandleJob {
 public:
  CreateNamedJob(std::string run_dir, std::string name, ns::NamespaceThread* ns_thread)
      : run_dir_(std::move(run_dir)), name_(std::move(name)), ns_thread_(ns_thread) {}

  void Execute() override {
    Result<ns::NetnsName> name = ns::NetnsName::Reserve(run_dir_, name_);
    if (!name.ok()) {
      result_ = name.take_error();
      return;
    }
    Result<std::shared_ptr<NetnsHandle>> handle =
        ns_thread_->Call([]() -> Result<std::shared_ptr<NetnsHandle>> {
          Result<UniqueFd> fd = ns::CreateAnonymousNetns();
          if (!fd.ok()) return fd.take_error();
          return ns::MakeHandleInside(fd.take());
        });
    if (!handle.ok()) {
      result_ = handle.take_error();
      return;
    }
    Status bound = name.value().Bind(handle.value()->fd());
    if (!bound.ok()) {
      handle.value()->Close();
      result_ = bound.take_error();
      return;
    }
    result_ = handle.take();
  }

 private:
  std::string run_dir_, name_;
  ns::NamespaceThread* ns_thread_;
};

// On a worker: open the path (never blocking on what it is: see OpenNetns), then have the
// namespace thread open the socket inside.
class OpenPathJob : public HandleJob {
 public:
  OpenPathJob(std::string path, ns::NamespaceThread* ns_thread)
      : path_(std::move(path)), ns_thread_(ns_thread) {}

  void Execute() override {
    Result<UniqueFd> fd = ns::OpenNetns(path_);
    if (!fd.ok()) {
      result_ = fd.take_error();
      return;
    }
    result_ = ns_thread_->Call(
        [fd = fd.take()]() mutable { return ns::MakeHandleInside(std::move(fd)); });
  }

 private:
  std::string path_;
  ns::NamespaceThread* ns_thread_;
};

// On a worker: `ip netns attach`. The namespace is pinned first — /proc/PID/ns/net opened (so a
// PID reused later cannot be named by mistake) or a dup of a handle's fd (under a lease taken on
// the JS thread, so a close meanwhile cannot pull it away) — then its socket is opened inside on
// the namespace thread, and only then is the name reserved and bound (AttachNetnsName). A
// failure anywhere leaves nothing: the name is bound last, the handle closed on failure.
class AttachJob : public HandleJob {
 public:
  AttachJob(std::string run_dir, std::string name, std::string path,
            std::optional<NetnsHandle::Lease> lease, ns::NamespaceThread* ns_thread)
      : run_dir_(std::move(run_dir)),
        name_(std::move(name)),
        path_(std::move(path)),
        lease_(std::move(lease)),
        ns_thread_(ns_thread) {}

  void Execute() override {
    Result<UniqueFd> fd = Pin();
    lease_.reset();
    if (!fd.ok()) {
      result_ = fd.take_error();
      return;
    }
    Result<std::shared_ptr<NetnsHandle>> handle = ns_thread_->Call(
        [fd = fd.take()]() mutable { return ns::MakeHandleInside(std::move(fd)); });
    if (!handle.ok()) {
      result_ = handle.take_error();
      return;
    }
    Status named = ns::AttachNetnsName(run_dir_, name_, handle.value()->fd());
    if (!named.ok()) {
      handle.value()->Close();
      result_ = named.take_error();
      return;
    }
    result_ = handle.take();
  }

 private:
  Result<UniqueFd> Pin() {
    if (!lease_) return ns::OpenNetns(path_);
    UniqueFd fd(fcntl((*lease_)->fd(), F_DUPFD_CLOEXEC, 3));
    if (!fd) return Error::FromErrno("fcntl(F_DUPFD_CLOEXEC)");
    return fd;
  }

  std::string run_dir_, name_, path_;
  std::optional<NetnsHandle::Lease> lease_;
  ns::NamespaceThread* ns_thread_;
};

// On a worker: what run_dir/NAME is (a namespace, a stale entry, a creation in progress, ...).
class NameStateJob : public Job {
 public:
  NameStateJob(std::string run_dir, std::string name)
      : run_dir_(std::move(run_dir)), name_(std::move(name)) {}
  void Execute() override { result_ = ns::InspectNetnsName(run_dir_, name_); }
  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    const ns::NameInfo& info = result_.value();
    static constexpr const char* kStates[] = {"missing", "namespace", "creating", "stale", "other"};
    Napi::Object o = Napi::Object::New(env);
    o.Set("state", kStates[static_cast<int>(info.state)]);
    if (info.state == ns::NameState::kNamespace) o.Set("inode", Napi::BigInt::New(env, info.inode));
    if (!info.detail.empty()) o.Set("detail", info.detail);
    return o;
  }

 private:
  std::string run_dir_, name_;
  Result<ns::NameInfo> result_ = Error{};
};

// On a worker: removes run_dir/NAME if it is stale (ns::RemoveStaleNetnsName).
class RemoveStaleJob : public Job {
 public:
  RemoveStaleJob(std::string run_dir, std::string name)
      : run_dir_(std::move(run_dir)), name_(std::move(name)) {}
  void Execute() override { status_ = ns::RemoveStaleNetnsName(run_dir_, name_); }
  Napi::Value Complete(Napi::Env env) override {
    if (!status_.ok()) throw ToJsError(env, status_.error());
    return env.Undefined();
  }

 private:
  std::string run_dir_, name_;
  Status status_;
};

// On a worker: umount + unlink, which may wait on the filesystem.
class DeleteJob : public Job {
 public:
  DeleteJob(std::string run_dir, std::string name, uint64_t inode)
      : run_dir_(std::move(run_dir)), name_(std::move(name)), inode_(inode) {}
  void Execute() override { status_ = ns::DeleteNamedNetns(run_dir_, name_, inode_); }
  Napi::Value Complete(Napi::Env env) override {
    if (!status_.ok()) throw ToJsError(env, status_.error());
    return env.Undefined();
  }

 private:
  std::string run_dir_, name_;
  uint64_t inode_;
  Status status_;
};

// Argument checks: lib/ validates every input first, so a failure here is a bug there (or a
// caller of the private surface), reported as an internal error before anything is done.
std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsString()) ThrowInternal(info.Env(), std::string(what) + " must be a string");
  std::string s = info[i].As<Napi::String>().Utf8Value();
  Status valid = ns::CheckPath(s, false);  // non-empty, no NUL byte
  if (!valid.ok()) ThrowInternal(info.Env(), std::string(what) + ": " + valid.error().detail);
  return s;
}

std::string RunDirArg(const Napi::CallbackInfo& info, size_t i) {
  std::string dir = StringArg(info, i, "the run directory");
  if (!ns::CheckPath(dir, true).ok())
    ThrowInternal(info.Env(), "the run directory must be absolute");
  return dir;
}

std::string NameArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsString()) ThrowInternal(info.Env(), "the namespace name must be a string");
  std::string name = info[i].As<Napi::String>().Utf8Value();
  Status valid = ns::CheckNetnsName(name);
  if (!valid.ok()) ThrowInternal(info.Env(), valid.error().detail);
  return name;
}

// currentNamespace(): the JS thread's own namespace. No switching is needed to open a socket
// in it, so this is synchronous.
Napi::Value CurrentNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UniqueFd fd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd) throw ToJsError(env, Error::FromErrno("open(/proc/thread-self/ns/net)"));
  Result<uint64_t> inode = ns::NetnsInode(fd.get());
  if (!inode.ok()) throw ToJsError(env, inode.error());
  Result<netlink::Socket> socket = netlink::Socket::Open();
  if (!socket.ok()) throw ToJsError(env, socket.error());
  return Opened(env, std::make_shared<NetnsHandle>(std::move(fd), inode.value(), socket.take()));
}

// createNamespace(runDir, name | null): Promise<{ handle, inode, cookie? }>. Named: on a worker,
// which asks the namespace thread for the unshare only. Anonymous: on the namespace thread.
Napi::Value CreateNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string run_dir = RunDirArg(info, 0);
  AddonState& state = State(env);
  if (info[1].IsNull() || info[1].IsUndefined())
    return state.OnNamespaceThread(env, std::make_unique<CreateAnonymousJob>());
  return state.OnWorker(
      env, std::make_unique<CreateNamedJob>(run_dir, NameArg(info, 1), state.ns_thread.get()));
}

// openNamespace(path): Promise<{ handle, inode, cookie? }>. On a worker (the path may be anything).
Napi::Value OpenNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AddonState& state = State(env);
  return state.OnWorker(
      env, std::make_unique<OpenPathJob>(StringArg(info, 0, "the path"), state.ns_thread.get()));
}

// attachNamespace(runDir, name, source): Promise<{ handle, inode, cookie? }>. `source` is an
// nsfs path (/proc/PID/ns/net) or a handle, whose fd is leased here (EBADF once it is closed).
Napi::Value AttachNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string run_dir = RunDirArg(info, 0);
  std::string name = NameArg(info, 1);
  std::string path;
  std::optional<NetnsHandle::Lease> lease;
  if (info[2].IsString()) {
    path = StringArg(info, 2, "the path");
  } else {
    Result<NetnsHandle::Lease> used = HandleFromJs(info[2])->Use();
    if (!used.ok()) throw ToJsError(env, used.error());
    lease.emplace(used.take());
  }
  AddonState& state = State(env);
  return state.OnWorker(env, std::make_unique<AttachJob>(run_dir, name, path, std::move(lease),
                                                         state.ns_thread.get()));
}

// deleteNamespace(runDir, name, inode?): Promise<void>. Unmounts and unlinks (only if the name
// still refers to namespace `inode`, when given); close handles separately.
Napi::Value DeleteNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string run_dir = RunDirArg(info, 0);
  std::string name = NameArg(info, 1);
  uint64_t inode = 0;
  if (info[2].IsBigInt()) {
    bool lossless = false;
    inode = info[2].As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) ThrowInternal(env, "the inode is out of range");
  } else if (!info[2].IsUndefined()) {
    ThrowInternal(env, "the inode must be a bigint");
  }
  return State(env).OnWorker(env, std::make_unique<DeleteJob>(run_dir, name, inode));
}

// namespaceNameState(runDir, name): Promise<{ state, inode?, detail? }>, on a worker.
Napi::Value NamespaceNameState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string run_dir = RunDirArg(info, 0);
  return State(env).OnWorker(env, std::make_unique<NameStateJob>(run_dir, NameArg(info, 1)));
}

// removeStaleNamespace(runDir, name): Promise<void>, on a worker.
Napi::Value RemoveStaleNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string run_dir = RunDirArg(info, 0);
  return State(env).OnWorker(env, std::make_unique<RemoveStaleJob>(run_dir, NameArg(info, 1)));
}

// closeNamespace(handle): releases the fd and sockets once nothing is using them.
Napi::Value CloseNamespace(const Napi::CallbackInfo& info) {
  HandleFromJs(info[0])->Close();
  return info.Env().Undefined();
}

// namespaceFd(handle): the fd, or -1 once closed (for diagnostics and the exec helper).
Napi::Value NamespaceFd(const Napi::CallbackInfo& info) {
  auto handle = HandleFromJs(info[0]);
  return Napi::Number::New(info.Env(), handle->closed() ? -1 : handle->fd());
}

// threadStats(): how many namespace threads were retired for failing to get home.
Napi::Value ThreadStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("namespaceThreadsRetired", static_cast<double>(State(env).ns_thread->retired()));
  o.Set("homeInode",
        Napi::BigInt::New(env, static_cast<uint64_t>(State(env).ns_thread->home_inode())));
  return o;
}

}  // namespace

void InitNamespaceApi(Napi::Env env, Napi::Object exports) {
  exports.Set("currentNamespace", Napi::Function::New(env, CurrentNamespace, "currentNamespace"));
  exports.Set("createNamespace", Napi::Function::New(env, CreateNamespace, "createNamespace"));
  exports.Set("openNamespace", Napi::Function::New(env, OpenNamespace, "openNamespace"));
  exports.Set("attachNamespace", Napi::Function::New(env, AttachNamespace, "attachNamespace"));
  exports.Set("deleteNamespace", Napi::Function::New(env, DeleteNamespace, "deleteNamespace"));
  exports.Set("namespaceNameState",
              Napi::Function::New(env, NamespaceNameState, "namespaceNameState"));
  exports.Set("removeStaleNamespace",
              Napi::Function::New(env, RemoveStaleNamespace, "removeStaleNamespace"));
  exports.Set("closeNamespace", Napi::Function::New(env, CloseNamespace, "closeNamespace"));
  exports.Set("namespaceFd", Napi::Function::New(env, NamespaceFd, "namespaceFd"));
  exports.Set("threadStats", Napi::Function::New(env, ThreadStats, "threadStats"));
}

}  // namespace netns_native::addon
