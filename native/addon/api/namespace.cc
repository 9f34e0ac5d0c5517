// Namespaces: the current one, create (named or anonymous), open by path, delete, close.
#include <fcntl.h>

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
  return o;
}

// Runs on the namespace thread; hands back a handle (fd + JS socket opened inside).
class OpenJob : public Job {
 public:
  enum class Mode { kCreateNamed, kCreateAnonymous, kOpenPath };
  OpenJob(Mode mode, std::string run_dir, std::string name_or_path)
      : mode_(mode), run_dir_(std::move(run_dir)), arg_(std::move(name_or_path)) {}

  void Execute() override {
    Result<UniqueFd> fd = mode_ == Mode::kCreateNamed       ? ns::CreateNamedNetns(run_dir_, arg_)
                          : mode_ == Mode::kCreateAnonymous ? ns::CreateAnonymousNetns()
                                                            : ns::OpenNetns(arg_);
    if (!fd.ok()) {
      result_ = fd.take_error();
      return;
    }
    result_ = ns::MakeHandleInside(fd.take());
    if (!result_.ok() && mode_ == Mode::kCreateNamed) ns::DeleteNamedNetns(run_dir_, arg_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    return Opened(env, result_.value());
  }

 private:
  Mode mode_;
  std::string run_dir_, arg_;
  Result<std::shared_ptr<NetnsHandle>> result_ = Error{};
};

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

std::string StringArg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsString())
    throw Napi::TypeError::New(info.Env(), "netns-native internal: string expected");
  return info[i].As<Napi::String>().Utf8Value();
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

// createNamespace(runDir, name | null): Promise<{ handle, inode }>
Napi::Value CreateNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string run_dir = StringArg(info, 0);
  bool named = info[1].IsString();
  auto mode = named ? OpenJob::Mode::kCreateNamed : OpenJob::Mode::kCreateAnonymous;
  std::string name = named ? StringArg(info, 1) : std::string();
  return State(env).OnNamespaceThread(env, std::make_unique<OpenJob>(mode, run_dir, name));
}

// openNamespace(path): Promise<{ handle, inode }>
Napi::Value OpenNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return State(env).OnNamespaceThread(
      env, std::make_unique<OpenJob>(OpenJob::Mode::kOpenPath, "", StringArg(info, 0)));
}

// deleteNamespace(runDir, name, inode?): Promise<void>. Unmounts and unlinks (only if the name
// still refers to namespace `inode`, when given); close handles separately.
Napi::Value DeleteNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t inode = 0;
  if (info[2].IsBigInt()) {
    bool lossless = false;
    inode = info[2].As<Napi::BigInt>().Uint64Value(&lossless);
  }
  return State(env).OnNamespaceThread(
      env, std::make_unique<DeleteJob>(StringArg(info, 0), StringArg(info, 1), inode));
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
  exports.Set("deleteNamespace", Napi::Function::New(env, DeleteNamespace, "deleteNamespace"));
  exports.Set("closeNamespace", Napi::Function::New(env, CloseNamespace, "closeNamespace"));
  exports.Set("namespaceFd", Napi::Function::New(env, NamespaceFd, "namespaceFd"));
  exports.Set("threadStats", Napi::Function::New(env, ThreadStats, "threadStats"));
}

}  // namespace netns_native::addon
