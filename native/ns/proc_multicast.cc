#include "proc_multicast.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "../common/unique_fd.h"

namespace netns_native::ns {

namespace {

// /proc/net files grow with the number of links and groups; far beyond any real table.
constexpr size_t kMaxFileBytes = 64u << 20;

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end == text.size() ? end : end + 1);
  }
  return lines;
}

// Splits a line at spaces and tabs.
std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool Decimal(std::string_view word, uint32_t* out) {
  if (word.empty() || word.size() > 10) return false;
  uint64_t v = 0;
  for (char c : word) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xffffffffu) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Hex digits in pairs, no separators ("01005e000001"), into bytes; at most `max` bytes.
bool HexBytes(std::string_view word, size_t max, std::vector<uint8_t>* out) {
  if (word.empty() || word.size() % 2 != 0 || word.size() / 2 > max) return false;
  out->clear();
  for (size_t i = 0; i < word.size(); i += 2) {
    int hi = HexDigit(word[i]), lo = HexDigit(word[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

bool ValidIndex(std::string_view word, int32_t* out) {
  uint32_t v;
  if (!Decimal(word, &v) || v == 0 || v > 0x7fffffffu) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

Status CheckText(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return Error::Invalid("a NUL byte in /proc text");
  return Status();
}

Result<std::string> ReadWhole(const char* path) {
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) {
    int error = errno;
    if (error == ENOENT) return std::string();
    return Error::FromErrno(("open " + std::string(path)).c_str(), error);
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      int error = errno;
      if (error == EINTR) continue;
      return Error::FromErrno(("read " + std::string(path)).c_str(), error);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxFileBytes)
      return Error::FromErrno(("read " + std::string(path)).c_str(), EFBIG);
  }
  return text;
}

}  // namespace

// "%-4d %-15s %-5d %-5d %*phN": index, name, refcount, global_use, address.
Result<std::vector<ProcMulticastEntry>> ParseDevMcast(std::string_view text) {
  Status s = CheckText(text);
  if (!s.ok()) return s;
  std::vector<ProcMulticastEntry> out;
  for (std::string_view line : Lines(text)) {
    std::vector<std::string_view> w = Words(line);
    ProcMulticastEntry e;
    e.family = AF_PACKET;
    uint32_t global;
    if (w.size() != 5 || !ValidIndex(w[0], &e.index) || !Decimal(w[2], &e.users) ||
        !Decimal(w[3], &global) || !HexBytes(w[4], 32, &e.address) || w[1].size() >= IFNAMSIZ) {
      continue;
    }
    e.name = std::string(w[1]);
    e.global = global != 0;
    out.push_back(std::move(e));
  }
  return out;
}

// A header line, then per link "%d\t%-10s: %5d %7s\n" (index, name, count, querier) followed by
// its groups, each "\t\t\t\t%08X %5d %d:%08lX\t\t%d\n": the group as the u32 of its network-order
// bytes printed in host order (so memcpy of that u32 gives back the bytes), users, timer,
// reporter.
Result<std::vector<ProcMulticastEntry>> ParseIgmp(std::string_view text) {
  Status s = CheckText(text);
  if (!s.ok()) return s;
  std::vector<ProcMulticastEntry> out;
  std::vector<std::string_view> lines = Lines(text);
  int32_t index = 0;
  std::string name;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::vector<std::string_view> w = Words(line);
    if (w.empty()) continue;
    if (line[0] != '\t') {
      index = 0;
      if (w.size() < 2 || !ValidIndex(w[0], &index)) {
        index = 0;
        continue;
      }
      std::string_view n = w[1];
      if (!n.empty() && n.back() == ':') n.remove_suffix(1);
      if (n.empty() || n.size() >= IFNAMSIZ) {
        index = 0;
        continue;
      }
      name = std::string(n);
      continue;
    }
    ProcMulticastEntry e;
    std::vector<uint8_t> hex;
    if (index == 0 || w.size() < 2 || w[0].size() != 8 || !HexBytes(w[0], 4, &hex) ||
        !Decimal(w[1], &e.users)) {
      continue;
    }
    uint32_t host = static_cast<uint32_t>(hex[0]) << 24 | static_cast<uint32_t>(hex[1]) << 16 |
                    static_cast<uint32_t>(hex[2]) << 8 | hex[3];
    e.address.resize(4);
    std::memcpy(e.address.data(), &host, 4);
    e.family = AF_INET;
    e.index = index;
    e.name = name;
    out.push_back(std::move(e));
  }
  return out;
}

// "%-4d %-15s %pi6 %5d %08X %ld": index, name, group (32 hex digits), users, flags, timer.
Result<std::vector<ProcMulticastEntry>> ParseIgmp6(std::string_view text) {
  Status s = CheckText(text);
  if (!s.ok()) return s;
  std::vector<ProcMulticastEntry> out;
  for (std::string_view line : Lines(text)) {
    std::vector<std::string_view> w = Words(line);
    ProcMulticastEntry e;
    e.family = AF_INET6;
    if (w.size() < 4 || !ValidIndex(w[0], &e.index) || w[1].size() >= IFNAMSIZ ||
        w[2].size() != 32 || !HexBytes(w[2], 16, &e.address) || !Decimal(w[3], &e.users)) {
      continue;
    }
    e.name = std::string(w[1]);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<ProcMulticastEntry>> ReadProcMulticast(unsigned files) {
  struct Source {
    unsigned bit;
    const char* path;
    Result<std::vector<ProcMulticastEntry>> (*parse)(std::string_view);
  };
  static constexpr Source kSources[] = {
      {kDevMcast, "/proc/thread-self/net/dev_mcast", ParseDevMcast},
      {kIgmp, "/proc/thread-self/net/igmp", ParseIgmp},
      {kIgmp6, "/proc/thread-self/net/igmp6", ParseIgmp6}};
  std::vector<ProcMulticastEntry> all;
  for (const Source& source : kSources) {
    if ((files & source.bit) == 0) continue;
    Result<std::string> text = ReadWhole(source.path);
    if (!text.ok()) return text.take_error();
    Result<std::vector<ProcMulticastEntry>> entries = source.parse(text.value());
    if (!entries.ok()) return entries.take_error();
    for (ProcMulticastEntry& e : entries.value()) all.push_back(std::move(e));
  }
  return all;
}

Status ChangeLinkMulticast(int32_t index, const std::vector<uint8_t>& mac, bool add) {
  if (mac.size() != 6 || index <= 0) return Error::Invalid("a 6-byte address and a link index");
  // Any socket reaches dev_ioctl for these; ip uses an AF_INET datagram socket.
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::FromErrno("socket(AF_INET)");
  ifreq ifr{};
  ifr.ifr_ifindex = index;
  // The ioctls take a name; this one is the link's now (a rename since the caller read it
  // does not matter).
  if (ioctl(fd.get(), SIOCGIFNAME, &ifr) != 0) return Error::FromErrno("SIOCGIFNAME");
  ifr.ifr_hwaddr.sa_family = AF_UNSPEC;  // the kernel refuses any other family (EINVAL)
  std::memcpy(ifr.ifr_hwaddr.sa_data, mac.data(), mac.size());
  if (ioctl(fd.get(), add ? SIOCADDMULTI : SIOCDELMULTI, &ifr) != 0) {
    return Error::FromErrno(add ? "SIOCADDMULTI" : "SIOCDELMULTI");
  }
  return Status();
}

}  // namespace netns_native::ns
