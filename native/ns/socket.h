// Sockets opened inside a network namespace, for Node to own afterwards (net.Server.listen({fd}),
// new net.Socket({fd}), dgram bind({fd})).
//
// Threads: OpenSocket creates the socket in the *calling thread's* network namespace, so it runs
// on the namespace thread after EnterNetns. A socket stays in the namespace it was created in, so
// everything else here (SocketError) is safe on any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "../common/result.h"
#include "../common/unique_fd.h"

namespace netns_native::ns {

struct SocketRequest {
  enum class Kind { kTcpListen, kTcpConnect, kUdp };
  Kind kind = Kind::kTcpListen;
  std::vector<uint8_t> address;  // 4 or 16 bytes: bind address, or the peer for kTcpConnect
  uint16_t port = 0;
  int backlog = 511;       // kTcpListen (Node's default)
  bool ipv6_only = false;  // IPv6 sockets: IPV6_V6ONLY (otherwise dual-stack, as Node)
};

struct OpenedSocket {
  UniqueFd fd;               // close-on-exec, non-blocking
  bool in_progress = false;  // kTcpConnect: the handshake goes on; wait for writability
};

// kTcpListen: socket + SO_REUSEADDR + bind + listen. kTcpConnect: socket + non-blocking
// connect (ECONNREFUSED, ENETUNREACH... come back here when the kernel knows at once).
// kUdp: socket + bind. Errors name the failing syscall.
Result<OpenedSocket> OpenSocket(const SocketRequest& request);

// The pending error of a socket (SO_ERROR): 0 once a non-blocking connect has succeeded.
int SocketError(int fd);

}  // namespace netns_native::ns
