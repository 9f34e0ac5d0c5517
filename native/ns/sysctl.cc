#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "../common/unique_fd.h"

namespace netns_native::ns {

namespace {

// No network sysctl reads back more than a few hundred bytes; a page is the kernel's own limit.
constexpr size_t kMaxValueBytes = 4096;

bool SafeKey(const std::string& key) {
  if (key.empty() || key.size() > 200 || key.front() == '/' || key.back() == '/') return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    std::string part = key.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      if (c == '\0' || c == '\n') return false;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

Result<std::string> NetSysctl(const std::string& key, const std::optional<std::string>& value) {
  if (!SafeKey(key)) return Error::Invalid("bad sysctl key");
  std::string path = "/proc/sys/net/" + key;
  UniqueFd fd(open(path.c_str(), (value ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW));
  bool write_only = false;
  if (!fd && errno == EACCES && value) {
    // A write-only key (mode 0200: net.ipv4.route.flush): written, nothing read before.
    fd = UniqueFd(open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    write_only = static_cast<bool>(fd);
    if (!fd) errno = EACCES;
  }
  if (!fd) return Error::FromErrno("open /proc/sys/net");
  std::string before;
  while (!write_only) {
    char buf[512];
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) return Error::FromErrno("read /proc/sys/net");
    if (n == 0) break;
    before.append(buf, static_cast<size_t>(n));
    if (before.size() > kMaxValueBytes) return Error::FromErrno("read /proc/sys/net", EFBIG);
  }
  while (!before.empty() && (before.back() == '\n' || before.back() == ' ')) before.pop_back();
  if (value && (write_only || *value != before)) {
    // A sysctl takes its whole value from one write at offset 0.
    ssize_t w = pwrite(fd.get(), value->data(), value->size(), 0);
    if (w < 0) return Error::FromErrno("write /proc/sys/net");
    if (static_cast<size_t>(w) != value->size())
      return Error::FromErrno("write /proc/sys/net", EIO);
  }
  return before;
}

}  // namespace netns_native::ns
