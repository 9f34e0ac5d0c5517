// ICMP echo (ping) over a raw socket, so that a namespace can be pinged from without iputils.
// The socket must be opened inside the namespace (on the namespace thread); afterwards it is
// used from the JS thread, non-blocking, watched by the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../common/result.h"
#include "../common/unique_fd.h"

namespace netns_native::ns {

struct EchoReply {
  uint16_t seq = 0;
  uint8_t ttl = 0;    // IPv4 TTL or IPv6 hop limit of the reply
  size_t bytes = 0;   // ICMP message length, as ping(8) prints it
  std::string from;   // the replying address
  double rtt_ms = 0;  // kernel receive timestamp minus the send time carried in the payload
};

// A raw ICMP (AF_INET) or ICMPv6 (AF_INET6) socket in the calling thread's namespace:
// non-blocking, close-on-exec, kernel receive timestamps on, filtered to echo replies.
Result<UniqueFd> OpenIcmpSocket(int family);

// Sends one echo request with identifier `id` and sequence `seq`; the payload carries the send
// time. `payload_len` >= 16 (ping's default is 56).
Status SendEcho(int fd, int family, const std::vector<uint8_t>& dest, uint16_t id, uint16_t seq,
                size_t payload_len);

// Reads everything queued on the socket and returns the echo replies carrying `id`.
Result<std::vector<EchoReply>> ReadEchoReplies(int fd, int family, uint16_t id);

// The Internet checksum (RFC 1071) of `len` bytes.
uint16_t InternetChecksum(const uint8_t* data, size_t len);

}  // namespace netns_native::ns
