// Multicast memberships that only /proc/net and ioctls tell or change (ns/proc_multicast.h):
// readProcMulticast(handle, files) and changeLinkMulticast(handle, index, mac, add), both on the
// namespace thread, which enters the namespace first (the kernel takes the namespace of /proc/net
// and of a socket from the thread that opens them). The IP groups' rtnetlink dump is an ordinary
// operation (dumpmulticast).
#include <sys/socket.h>

#include "../../ns/proc_multicast.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"

namespace netns_native::addon {

namespace {

// On the namespace thread: enter the namespace, read the files.
class ReadProcMulticastJob : public Job {
 public:
  ReadProcMulticastJob(std::shared_ptr<ns::NetnsHandle> handle, unsigned files)
      : handle_(std::move(handle)), files_(files) {}

  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Enter();
    if (!lease.ok()) {
      result_ = lease.take_error();
      return;
    }
    result_ = ns::ReadProcMulticast(files_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    const std::vector<ns::ProcMulticastEntry>& entries = result_.value();
    Napi::Array out = Napi::Array::New(env, entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      const ns::ProcMulticastEntry& e = entries[i];
      ObjectBuilder b(env);
      b.Num("family", e.family).Num("index", e.index).Str("name", e.name);
      if (e.family == AF_PACKET) {
        std::string mac;
        AppendMac(mac, e.address);
        b.Str("address", mac);
      } else {
        b.Add("address", IpToJs(env, e.address));
      }
      b.Num("users", e.users).Add("global", Napi::Boolean::New(env, e.global));
      out.Set(static_cast<uint32_t>(i), b.Build());
    }
    return out;
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  unsigned files_;
  Result<std::vector<ns::ProcMulticastEntry>> result_ = Error{};
};

// On the namespace thread: enter the namespace, open a socket there, ioctl.
class ChangeLinkMulticastJob : public Job {
 public:
  ChangeLinkMulticastJob(std::shared_ptr<ns::NetnsHandle> handle, int32_t index,
                         std::vector<uint8_t> mac, bool add)
      : handle_(std::move(handle)), index_(index), mac_(std::move(mac)), add_(add) {}

  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Enter();
    if (!lease.ok()) {
      status_ = lease.take_error();
      return;
    }
    status_ = ns::ChangeLinkMulticast(index_, mac_, add_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!status_.ok()) throw ToJsError(env, status_.error());
    return env.Undefined();
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  int32_t index_;
  std::vector<uint8_t> mac_;
  bool add_;
  Status status_;
};

// readProcMulticast(handle, files): Promise<[{ family, index, name, address, users, global }]>,
// `files` a mask of ns::ProcMulticastFiles.
Napi::Value ReadProcMulticast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto files = static_cast<unsigned>(IntegerFromJs(env, info[1], "readProcMulticast: files", 1,
                                                   ns::kDevMcast | ns::kIgmp | ns::kIgmp6));
  return State(env).OnNamespaceThread(
      env, std::make_unique<ReadProcMulticastJob>(HandleFromJs(info[0]), files));
}

// changeLinkMulticast(handle, index, mac, add): Promise<void>. lib/multicast.ts validated the
// MAC (a multicast one) and the link.
Napi::Value ChangeLinkMulticast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto index = static_cast<int32_t>(
      IntegerFromJs(env, info[1], "changeLinkMulticast: index", 1, 0x7fffffff));
  std::vector<uint8_t> mac = MacFromJs(env, info[2]);
  if (mac.size() != 6) ThrowInternal(env, "changeLinkMulticast: a 6-byte MAC");
  return State(env).OnNamespaceThread(
      env, std::make_unique<ChangeLinkMulticastJob>(HandleFromJs(info[0]), index, std::move(mac),
                                                    info[3].ToBoolean().Value()));
}

}  // namespace

void InitMulticastApi(Napi::Env env, Napi::Object exports) {
  exports.Set("readProcMulticast",
              Napi::Function::New(env, ReadProcMulticast, "readProcMulticast"));
  exports.Set("changeLinkMulticast",
              Napi::Function::New(env, ChangeLinkMulticast, "changeLinkMulticast"));
}

}  // namespace netns_native::addon
