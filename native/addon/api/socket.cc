// Sockets inside a namespace, handed to Node as fds; and the small pieces lib/process/exec.ts needs
// (a close-on-exec pipe, the type of an nsfs file).
#include <fcntl.h>
#include <uv.h>

#include "../../ns/netns.h"
#include "../../ns/socket.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"

namespace netns_native::addon {

namespace {

// On the namespace thread: enter the namespace, create (and bind/listen/connect) the socket.
class OpenSocketJob : public Job {
 public:
  OpenSocketJob(std::shared_ptr<ns::NetnsHandle> handle, ns::SocketRequest request)
      : handle_(std::move(handle)), request_(std::move(request)) {}

  void Execute() override {
    Result<ns::NetnsHandle::Lease> lease = handle_->Enter();
    if (!lease.ok()) {
      result_ = lease.take_error();
      return;
    }
    result_ = ns::OpenSocket(request_);
  }

  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    Napi::Object o = Napi::Object::New(env);
    o.Set("inProgress", result_.value().in_progress);
    // From here the fd is JavaScript's: lib/process/sockets.ts hands it to Node or closes it.
    o.Set("fd", result_.value().fd.Release());
    return o;
  }

 private:
  std::shared_ptr<ns::NetnsHandle> handle_;
  ns::SocketRequest request_;
  Result<ns::OpenedSocket> result_ = Error{};
};

// openSocket(handle, { kind, address, port, backlog?, ipv6Only? }): Promise<{ fd, inProgress }>
Napi::Value OpenSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[1].IsObject()) ThrowInternal(env, "openSocket: request must be an object");
  auto handle = HandleFromJs(info[0]);
  Napi::Object o = info[1].As<Napi::Object>();
  ns::SocketRequest req;
  Napi::Value kind = o.Get("kind");
  std::string k = kind.IsString() ? kind.As<Napi::String>().Utf8Value() : "";
  if (k == "listen") {
    req.kind = ns::SocketRequest::Kind::kTcpListen;
  } else if (k == "connect") {
    req.kind = ns::SocketRequest::Kind::kTcpConnect;
  } else if (k == "udp") {
    req.kind = ns::SocketRequest::Kind::kUdp;
  } else {
    ThrowInternal(env, "openSocket: kind must be 'listen', 'connect' or 'udp'");
  }
  req.address = IpFromJs(env, o.Get("address"));
  req.port = static_cast<uint16_t>(IntegerFromJs(env, o.Get("port"), "openSocket: port", 0, 65535));
  if (req.kind == ns::SocketRequest::Kind::kTcpConnect && req.port == 0) {
    ThrowInternal(env, "openSocket: a connect needs a port");
  }
  if (!o.Get("backlog").IsUndefined()) {
    req.backlog = static_cast<int>(
        IntegerFromJs(env, o.Get("backlog"), "openSocket: backlog", 1, 0x7fffffff));
  }
  req.ipv6_only = o.Get("ipv6Only").ToBoolean().Value();
  return State(env).OnNamespaceThread(
      env, std::make_unique<OpenSocketJob>(std::move(handle), std::move(req)));
}

// Waits on the event loop (uv_poll + uv_timer: no thread is held) until a non-blocking
// connect completes or the time is up; resolves with its errno (0: connected; ETIMEDOUT).
// The fd stays the caller's. The promise settles after both handles are closed, so that libuv
// no longer watches the fd when Node adopts it.
class ConnectWait {
 public:
  static Napi::Promise Start(Napi::Env env, int fd, uint32_t timeout_ms) {
    auto* self = new ConnectWait(env, fd);
    napi_value promise;
    napi_create_promise(env, &self->deferred_, &promise);
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    napi_async_init(env, Napi::Object::New(env), Napi::String::New(env, "netns-native:connect"),
                    &self->context_);
    uv_timer_init(loop, &self->timer_);
    self->timer_.data = self;
    int err = uv_poll_init(loop, &self->poll_, fd);
    self->poll_.data = self;
    if (err != 0) {
      // Not pollable (never for a socket): finish at once; the poll handle was not made.
      self->closes_ = 1;
      self->result_ = -err;
      self->Close(/*poll_open=*/false);
      return Napi::Promise(env, promise);
    }
    uv_poll_start(&self->poll_, UV_WRITABLE | UV_DISCONNECT, [](uv_poll_t* p, int status, int) {
      auto* me = static_cast<ConnectWait*>(p->data);
      // libuv reports POLLERR (a refused or unreachable connect) as UV_EBADF: the socket's
      // own error says what happened.
      me->result_ = ns::SocketError(me->fd_);
      if (me->result_ == 0 && status < 0) me->result_ = -status;
      me->Close(true);
    });
    uv_timer_start(
        &self->timer_,
        [](uv_timer_t* t) {
          auto* me = static_cast<ConnectWait*>(t->data);
          me->result_ = ETIMEDOUT;
          me->Close(true);
        },
        timeout_ms, 0);
    return Napi::Promise(env, promise);
  }

 private:
  ConnectWait(Napi::Env env, int fd) : env_(env), fd_(fd) {}

  void Close(bool poll_open) {
    if (closing_) return;
    closing_ = true;
    auto done = [](uv_handle_t* h) { static_cast<ConnectWait*>(h->data)->Closed(); };
    if (poll_open) uv_close(reinterpret_cast<uv_handle_t*>(&poll_), done);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), done);
  }

  // On the JS thread, from a close callback: settle inside a callback scope so that promise
  // reactions run now, not at some later turn of the loop.
  void Closed() {
    if (--closes_ > 0) return;
    {
      Napi::HandleScope handles(env_);
      napi_callback_scope scope;
      napi_value resource;
      napi_create_object(env_, &resource);
      napi_open_callback_scope(env_, resource, context_, &scope);
      napi_resolve_deferred(env_, deferred_, Napi::Number::New(env_, result_));
      napi_close_callback_scope(env_, scope);
    }
    napi_async_destroy(env_, context_);
    delete this;
  }

  napi_env env_;
  int fd_;
  napi_deferred deferred_ = nullptr;
  napi_async_context context_ = nullptr;
  uv_poll_t poll_;
  uv_timer_t timer_;
  int closes_ = 2;
  int result_ = 0;
  bool closing_ = false;
};

// waitConnected(fd, timeoutMs): Promise<errno>
Napi::Value WaitConnected(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(IntegerFromJs(env, info[0], "waitConnected: fd", 0, 0x7fffffff));
  auto timeout =
      static_cast<uint32_t>(IntegerFromJs(env, info[1], "waitConnected: timeout", 1, 0x7fffffff));
  return ConnectWait::Start(env, fd, timeout);
}

// pipe(): [readFd, writeFd], both close-on-exec (lib/process/exec.ts maps the write end into the
// helper explicitly, which clears the flag on that copy only).
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw ToJsError(env, Error::FromErrno("pipe2"));
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, fds[0]);
  out.Set(1u, fds[1]);
  return out;
}

// namespaceType(path): { type: CLONE_NEW* flag, inode } of an nsfs file; throws ENOENT for a
// missing path, EINVAL for a file that is not a namespace. Synchronous: stat + open + ioctl are
// quick, and OpenNamespaceFile refuses a FIFO or device before open(2) could block on it.
Napi::Value NamespaceType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowInternal(env, "namespaceType: the path must be a string");
  std::string path = info[0].As<Napi::String>().Utf8Value();
  Status valid = ns::CheckPath(path, false);
  if (!valid.ok()) ThrowInternal(env, "namespaceType: " + valid.error().detail);
  Result<UniqueFd> fd = ns::OpenNamespaceFile(path);
  if (!fd.ok()) throw ToJsError(env, fd.error());
  Result<int> type = ns::NamespaceFileType(fd.value().get());
  if (!type.ok()) throw ToJsError(env, type.error());
  Result<uint64_t> inode = ns::NetnsInode(fd.value().get());
  if (!inode.ok()) throw ToJsError(env, inode.error());
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", type.value());
  o.Set("inode", Napi::BigInt::New(env, inode.value()));
  return o;
}

}  // namespace

void InitSocketApi(Napi::Env env, Napi::Object exports) {
  exports.Set("openSocket", Napi::Function::New(env, OpenSocket, "openSocket"));
  exports.Set("waitConnected", Napi::Function::New(env, WaitConnected, "waitConnected"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("namespaceType", Napi::Function::New(env, NamespaceType, "namespaceType"));
}

}  // namespace netns_native::addon
