#include "socket.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace netns_native::ns {

namespace {

socklen_t ToSockaddr(const std::vector<uint8_t>& address, uint16_t port, sockaddr_storage* ss) {
  std::memset(ss, 0, sizeof *ss);
  if (address.size() == 16) {
    auto* a = reinterpret_cast<sockaddr_in6*>(ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    std::memcpy(&a->sin6_addr, address.data(), 16);
    return sizeof *a;
  }
  auto* a = reinterpret_cast<sockaddr_in*>(ss);
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  std::memcpy(&a->sin_addr, address.data(), 4);
  return sizeof *a;
}

}  // namespace

Result<OpenedSocket> OpenSocket(const SocketRequest& request) {
  if (request.address.size() != 4 && request.address.size() != 16) {
    return Error::Invalid("bad address length");
  }
  sockaddr_storage ss;
  socklen_t len = ToSockaddr(request.address, request.port, &ss);
  int family = ss.ss_family;
  int type = request.kind == SocketRequest::Kind::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  OpenedSocket out;
  out.fd.Reset(socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!out.fd) return Error::FromErrno("socket");
  int fd = out.fd.get();
  int one = 1, v6only = request.ipv6_only ? 1 : 0;
  if (family == AF_INET6 &&
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) != 0) {
    return Error::FromErrno("setsockopt(IPV6_V6ONLY)");
  }

  switch (request.kind) {
    case SocketRequest::Kind::kTcpListen:
      // As libuv does for every TCP server: a restarted server can rebind at once.
      if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        return Error::FromErrno("setsockopt(SO_REUSEADDR)");
      if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return Error::FromErrno("bind");
      if (listen(fd, request.backlog) != 0) return Error::FromErrno("listen");
      break;
    case SocketRequest::Kind::kUdp:
      if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return Error::FromErrno("bind");
      break;
    case SocketRequest::Kind::kTcpConnect:
      if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        // EINTR: the handshake goes on in the background, as with EINPROGRESS.
        if (errno != EINPROGRESS && errno != EINTR) return Error::FromErrno("connect");
        out.in_progress = true;
      }
      break;
  }
  return out;
}

int SocketError(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

}  // namespace netns_native::ns
