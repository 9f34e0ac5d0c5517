#include "icmp.h"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <cstring>

namespace netns_native::ns {

namespace {

constexpr uint8_t kEchoRequest4 = 8, kEchoReply4 = 0;
constexpr uint8_t kEchoRequest6 = 128, kEchoReply6 = 129;
constexpr size_t kIcmpHeader = 8;

struct SendTime {
  int64_t sec;
  int64_t nsec;
};

}  // namespace

uint16_t InternetChecksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (len & 1) sum += static_cast<uint32_t>(data[len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

Result<UniqueFd> OpenIcmpSocket(int family) {
  int proto = family == AF_INET6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP};
  UniqueFd fd(socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto));
  if (!fd) return Error::FromErrno("socket(SOCK_RAW)");
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  if (family == AF_INET6) {
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(kEchoReply6, &filter);
    setsockopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  } else {
    icmp_filter filter;
    filter.data = ~(1u << kEchoReply4);  // a set bit blocks that type
    setsockopt(fd.get(), SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
  }
  return fd;
}

Status SendEcho(int fd, int family, const std::vector<uint8_t>& dest, uint16_t id, uint16_t seq,
                size_t payload_len) {
  if (payload_len < sizeof(SendTime)) payload_len = sizeof(SendTime);
  std::vector<uint8_t> packet(kIcmpHeader + payload_len);
  packet[0] = family == AF_INET6 ? kEchoRequest6 : kEchoRequest4;
  uint16_t nid = htons(id), nseq = htons(seq);
  std::memcpy(&packet[4], &nid, 2);
  std::memcpy(&packet[6], &nseq, 2);
  for (size_t i = kIcmpHeader + sizeof(SendTime); i < packet.size(); ++i) {
    packet[i] = static_cast<uint8_t>(i);  // ping(8)'s filler pattern
  }
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);  // the clock SO_TIMESTAMPNS reports in
  SendTime t{now.tv_sec, now.tv_nsec};
  std::memcpy(&packet[kIcmpHeader], &t, sizeof t);

  sockaddr_storage ss{};
  socklen_t sl;
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    if (dest.size() != 16) return Error::Invalid("bad IPv6 destination");
    std::memcpy(&a->sin6_addr, dest.data(), 16);
    sl = sizeof *a;  // the kernel computes ICMPv6 checksums on raw sockets
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    if (dest.size() != 4) return Error::Invalid("bad IPv4 destination");
    std::memcpy(&a->sin_addr, dest.data(), 4);
    sl = sizeof *a;
    uint16_t sum = InternetChecksum(packet.data(), packet.size());
    std::memcpy(&packet[2], &sum, 2);
  }
  ssize_t n = RetryOnEintr([&] {
    return sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&ss), sl);
  });
  if (n < 0) return Error::FromErrno("sendto");
  return Status();
}

Result<std::vector<EchoReply>> ReadEchoReplies(int fd, int family, uint16_t id) {
  std::vector<EchoReply> replies;
  uint8_t buf[65536];
  alignas(cmsghdr) uint8_t control[256];
  for (;;) {
    sockaddr_storage from{};
    iovec iov{buf, sizeof buf};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = control;
    mh.msg_controllen = sizeof control;
    ssize_t n = RetryOnEintr([&] { return recvmsg(fd, &mh, MSG_DONTWAIT); });
    if (n < 0) {
      if (errno == EAGAIN) break;
      return Error::FromErrno("recvmsg");
    }

    timespec received{};
    int hoplimit = -1;
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        std::memcpy(&received, CMSG_DATA(c), sizeof received);
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
        std::memcpy(&hoplimit, CMSG_DATA(c), sizeof hoplimit);
      }
    }

    const uint8_t* icmp = buf;
    size_t len = static_cast<size_t>(n);
    EchoReply r;
    char text[INET6_ADDRSTRLEN] = "";
    if (family == AF_INET) {
      // Raw IPv4 sockets deliver the IP header too.
      if (len < 20) continue;
      size_t ihl = (buf[0] & 0x0f) * 4u;
      if (ihl < 20 || len < ihl + kIcmpHeader) continue;
      r.ttl = buf[8];
      inet_ntop(AF_INET, buf + 12, text, sizeof text);
      icmp += ihl;
      len -= ihl;
      if (icmp[0] != kEchoReply4) continue;
    } else {
      if (len < kIcmpHeader || icmp[0] != kEchoReply6) continue;
      r.ttl = hoplimit < 0 ? 0 : static_cast<uint8_t>(hoplimit);
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, text, sizeof text);
    }
    uint16_t rid, rseq;
    std::memcpy(&rid, icmp + 4, 2);
    std::memcpy(&rseq, icmp + 6, 2);
    if (ntohs(rid) != id) continue;  // another pinger's reply: raw sockets see every ICMP packet
    r.seq = ntohs(rseq);
    r.bytes = len;
    r.from = text;
    if (len >= kIcmpHeader + sizeof(SendTime)) {
      SendTime sent;
      std::memcpy(&sent, icmp + kIcmpHeader, sizeof sent);
      if (received.tv_sec == 0) clock_gettime(CLOCK_REALTIME, &received);
      double ns = static_cast<double>(received.tv_sec - sent.sec) * 1e9 +
                  static_cast<double>(received.tv_nsec - sent.nsec);
      r.rtt_ms = ns > 0 ? ns / 1e6 : 0;
    }
    replies.push_back(std::move(r));
  }
  return replies;
}

}  // namespace netns_native::ns
