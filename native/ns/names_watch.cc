#include "names_watch.h"

#include <limits.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

namespace netns_native::ns {

Result<std::unique_ptr<NamesWatch>> NamesWatch::Open(const std::string& dir) {
  UniqueFd fd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (fd.get() < 0) return Error::FromErrno("inotify_init1");
  // ip's mask (ipnetns.c, netns_monitor): moves in and out are not asked for, so never seen.
  if (inotify_add_watch(fd.get(), dir.c_str(), IN_CREATE | IN_DELETE) < 0) {
    return Error::FromErrno("inotify_add_watch");
  }
  return std::unique_ptr<NamesWatch>(new NamesWatch(std::move(fd)));
}

Status NamesWatch::Read(std::vector<NameEvent>* out, bool* ended) {
  *ended = false;
  // Room for at least one event with the longest name, aligned as inotify(7) asks.
  alignas(struct inotify_event) char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
  for (;;) {
    ssize_t len = read(fd_.get(), buf, sizeof(buf));
    if (len < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return Status();
      return Error::FromErrno("read");
    }
    if (len == 0) return Status();
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(struct inotify_event)) <= len;) {
      struct inotify_event event;
      std::memcpy(&event, buf + at, sizeof(event));
      const char* name = buf + at + sizeof(event);
      at += sizeof(event) + event.len;
      if (event.mask & IN_Q_OVERFLOW) {
        out->push_back({NameEvent::Kind::kOverflow, {}});
      } else if (event.mask & IN_IGNORED) {
        // The directory went (or its file system was unmounted): the kernel removed the watch.
        out->push_back({NameEvent::Kind::kEnded, {}});
        *ended = true;
        return Status();
      } else if (event.mask & (IN_CREATE | IN_DELETE)) {
        // The name is NUL-padded to event.len.
        std::string n(name, strnlen(name, event.len));
        out->push_back(
            {event.mask & IN_CREATE ? NameEvent::Kind::kCreated : NameEvent::Kind::kDeleted,
             std::move(n)});
      }
    }
  }
}

}  // namespace netns_native::ns
