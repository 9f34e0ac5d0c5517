// IcmpSocket: a raw ICMP socket opened inside a namespace, then driven from the JS thread.
// Readiness comes from a uv_poll on the event loop, so waiting for echo replies costs no thread.
#include <netinet/in.h>

#include "../../ns/icmp.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"
#include "loop_watch.h"

namespace netns_native::addon {

namespace {

class IcmpSocket : public Napi::ObjectWrap<IcmpSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "IcmpSocket",
        {InstanceMethod<&IcmpSocket::Send>("send"), InstanceMethod<&IcmpSocket::Read>("read"),
         InstanceMethod<&IcmpSocket::Watch>("watch"), InstanceMethod<&IcmpSocket::Close>("close")});
  }

  // new IcmpSocket(fd, family): only from OpenJob below; the object owns the fd.
  explicit IcmpSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IcmpSocket>(info) {
    fd_.Reset(info[0].As<Napi::Number>().Int32Value());
    family_ = info[1].As<Napi::Number>().Int32Value();
  }
  // Finalized only when not watching (watching holds a reference), or at environment teardown;
  // watch_ stops itself then.

 private:
  // send(address, id, seq, payloadLength)
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!fd_) throw ToJsError(env, Error{EBADF, "the ICMP socket is closed", 0, ""});
    int family = 0;
    std::vector<uint8_t> dest = IpFromJs(env, info[0], &family);
    if (family != family_) ThrowInternal(env, "send: an address of the other family");
    auto id = static_cast<uint16_t>(IntegerFromJs(env, info[1], "send: id", 0, 0xffff));
    auto seq = static_cast<uint16_t>(IntegerFromJs(env, info[2], "send: seq", 0, 0xffff));
    // ping(8) -s: at least the timestamp, at most what fits in one IPv4 packet.
    auto len = static_cast<size_t>(IntegerFromJs(env, info[3], "send: payload length", 16, 65000));
    Status s = ns::SendEcho(fd_.get(), family_, dest, id, seq, len);
    if (!s.ok()) throw ToJsError(env, s.error());
    return env.Undefined();
  }

  // read(id): the echo replies queued so far
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!fd_) return Napi::Array::New(env);
    auto id = static_cast<uint16_t>(IntegerFromJs(env, info[0], "read: id", 0, 0xffff));
    auto replies = ns::ReadEchoReplies(fd_.get(), family_, id);
    if (!replies.ok()) throw ToJsError(env, replies.error());
    Napi::Array out = Napi::Array::New(env, replies.value().size());
    for (size_t i = 0; i < replies.value().size(); ++i) {
      out.Set(static_cast<uint32_t>(i), EchoReplyToJs(env, replies.value()[i]));
    }
    return out;
  }

  // watch(callback): calls back whenever the socket becomes readable, until close().
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsFunction()) ThrowInternal(env, "watch: a callback is needed");
    if (!fd_ || watch_.watching()) return env.Undefined();
    watch_.Start(env, fd_.get(), info[0].As<Napi::Function>(), "netns-native:icmp", [this](int) {
      Napi::HandleScope scope(Env());
      watch_.Deliver(Value(), {});
    });
    Ref();  // stay alive while the loop may call us; released by close()
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (watch_.watching()) {
      watch_.Stop();
      Unref();
    }
    fd_.Reset();
    return info.Env().Undefined();
  }

  UniqueFd fd_;
  LoopWatch watch_;  // after fd_: destroyed (stopped) before the fd closes
  int family_ = AF_INET;
};

class OpenJob : public Job {
 public:
  OpenJob(std::shared_ptr<ns::NetnsHandle> handle, int family)
      : handle_(std::move(handle)), family_(family) {}

  // On the namespace thread: a raw socket belongs to the namespace it is created in.
  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Enter();
    if (!lease.ok()) {
      result_ = lease.take_error();
      return;
    }
    result_ = ns::OpenIcmpSocket(family_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    int fd = result_.value().Release();
    return State(env).icmp_socket_class.New(
        {Napi::Number::New(env, fd), Napi::Number::New(env, family_)});
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  int family_;
  Result<UniqueFd> result_ = Error{};
};

// openIcmp(handle, 4 | 6): Promise<IcmpSocket>
Napi::Value OpenIcmp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto handle = HandleFromJs(info[0]);
  int64_t version = IntegerFromJs(env, info[1], "openIcmp: family", 4, 6);
  if (version == 5) ThrowInternal(env, "openIcmp: family must be 4 or 6");
  int family = version == 6 ? AF_INET6 : AF_INET;
  return State(env).OnNamespaceThread(env, std::make_unique<OpenJob>(std::move(handle), family));
}

}  // namespace

void InitIcmpApi(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = IcmpSocket::Define(env);
  State(env).icmp_socket_class = Napi::Persistent(cls);
  exports.Set("openIcmp", Napi::Function::New(env, OpenIcmp, "openIcmp"));
}

}  // namespace netns_native::addon
