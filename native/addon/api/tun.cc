// TUN/TAP devices: createTap(handle, request) makes a persistent one inside a namespace, on the
// namespace thread (ns/tun.h says why there).
#include "../../ns/tun.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"

namespace netns_native::addon {

namespace {

// On the namespace thread: enter the namespace, create the device there.
class CreateTapJob : public Job {
 public:
  CreateTapJob(std::shared_ptr<ns::NetnsHandle> handle, ns::TapRequest request)
      : handle_(std::move(handle)), request_(std::move(request)) {}

  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Enter();
    if (!lease.ok()) {
      status_ = lease.take_error();
      return;
    }
    status_ = ns::CreatePersistentTap(request_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!status_.ok()) throw ToJsError(env, status_.error());
    return env.Undefined();
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  ns::TapRequest request_;
  Status status_;
};

// createTap(handle, { name, tap, multiQueue?, vnetHdr?, packetInfo?, owner?, group? }):
// Promise<void>. lib/links/tap.ts validated every field; what is checked here keeps C++ safe.
Napi::Value CreateTap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsObject()) ThrowInternal(env, "createTap: request must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  ns::TapRequest req;
  if (!o.Get("name").IsString()) ThrowInternal(env, "createTap: name must be a string");
  req.name = o.Get("name").As<Napi::String>().Utf8Value();
  if (req.name.empty() || req.name.size() >= 16 || req.name.find('\0') != std::string::npos) {
    ThrowInternal(env, "createTap: bad name");
  }
  req.tap = o.Get("tap").ToBoolean().Value();
  req.multi_queue = o.Get("multiQueue").ToBoolean().Value();
  req.vnet_hdr = o.Get("vnetHdr").ToBoolean().Value();
  req.packet_info = o.Get("packetInfo").ToBoolean().Value();
  for (auto [key, out] : {std::pair{"owner", &req.owner}, std::pair{"group", &req.group}}) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) continue;
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= 4294967294.0) || d != static_cast<double>(static_cast<uint32_t>(d))) {
      ThrowInternal(env, std::string("createTap: bad ") + key);
    }
    *out = static_cast<uint32_t>(d);
  }
  return State(env).OnNamespaceThread(
      env, std::make_unique<CreateTapJob>(HandleFromJs(info[0]), std::move(req)));
}

}  // namespace

void InitTunApi(Napi::Env env, Napi::Object exports) {
  exports.Set("createTap", Napi::Function::New(env, CreateTap, "createTap"));
}

}  // namespace netns_native::addon
