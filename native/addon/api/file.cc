// Files, locks and sysctls: flock(fd, op) for locks shared with other programs (host-local's lock
// file), bindAbstract(name) for the networks' locks (lib/network/lock.ts), and
// netSysctl(handle, key, value?) for /proc/sys/net of another namespace.
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "../../ns/sysctl.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"

namespace netns_native::addon {

namespace {

// flock(fd, operation): errno (0 on success). Synchronous, on the JS thread: callers pass
// LOCK_NB with LOCK_EX/LOCK_SH (never blocking) or LOCK_UN, and poll; a blocking flock would
// hold a thread for as long as another process keeps the lock.
Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber()) ThrowInternal(env, "flock: (fd, operation)");
  int op = info[1].As<Napi::Number>().Int32Value();
  if (op != LOCK_UN && (op & LOCK_NB) == 0) ThrowInternal(env, "flock: LOCK_NB is required");
  int rc = flock(info[0].As<Napi::Number>().Int32Value(), op);
  return Napi::Number::New(env, rc == 0 ? 0 : errno);
}

// bindAbstract(name): a unix socket bound to the abstract address "\0name" (zero-padded to the
// whole sun_path, as libuv binds it for net.Server: the same address, so processes that take the
// lock either way exclude each other). Returns its fd (close it to release: the kernel unbinds the
// name whoever closes it and however, kill -9 included), or -errno (-EADDRINUSE: held).
// Synchronous, on the JS thread: socket + bind, neither of which sleeps. In the JS thread's network
// namespace.
Napi::Value BindAbstract(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowInternal(env, "bindAbstract: (name)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (name.empty() || name.size() > sizeof addr.sun_path - 1 ||
      name.find('\0') != std::string::npos) {
    ThrowInternal(env, "bindAbstract: a name of 1-107 bytes without NUL");
  }
  std::memcpy(addr.sun_path + 1, name.data(), name.size());  // sun_path[0] = 0: abstract
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Napi::Number::New(env, -errno);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
    int error = errno;
    close(fd);
    return Napi::Number::New(env, -error);
  }
  return Napi::Number::New(env, fd);
}

// On the namespace thread: enter the namespace, read (and maybe write) the sysctl.
class NetSysctlJob : public Job {
 public:
  NetSysctlJob(std::shared_ptr<ns::NetnsHandle> handle, std::string key,
               std::optional<std::string> value)
      : handle_(std::move(handle)), key_(std::move(key)), value_(std::move(value)) {}

  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Enter();
    if (!lease.ok()) {
      result_ = lease.take_error();
      return;
    }
    result_ = ns::NetSysctl(key_, value_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    return Napi::String::New(env, result_.value());
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  std::string key_;
  std::optional<std::string> value_;
  Result<std::string> result_ = Error{};
};

// netSysctl(handle, key, value?): Promise<string>, the value before.
Napi::Value NetSysctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsString()) ThrowInternal(env, "netSysctl: key must be a string");
  std::optional<std::string> value;
  if (info[2].IsString()) {
    value = info[2].As<Napi::String>().Utf8Value();
  } else if (!info[2].IsUndefined()) {
    ThrowInternal(env, "netSysctl: value must be a string");
  }
  return State(env).OnNamespaceThread(
      env, std::make_unique<NetSysctlJob>(HandleFromJs(info[0]),
                                          info[1].As<Napi::String>().Utf8Value(), value));
}

}  // namespace

void InitFileApi(Napi::Env env, Napi::Object exports) {
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("bindAbstract", Napi::Function::New(env, BindAbstract, "bindAbstract"));
  exports.Set("netSysctl", Napi::Function::New(env, NetSysctl, "netSysctl"));
}

}  // namespace netns_native::addon
