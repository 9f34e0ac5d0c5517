// A watch on the directory of namespace names (/run/netns): names created in it and deleted from
// it, as `ip netns monitor` sees them. It is an inotify watch with exactly ip's mask, IN_CREATE |
// IN_DELETE: a name moved into or out of the directory (rename(2), `mv`) is neither, so it is not
// reported, as ip reports nothing for it.
//
// Besides names, two things travel in the same queue: the kernel's queue overflowed (events
// were dropped, which ones is unknown), and the watch ended (the directory was removed or the
// file system under it unmounted: IN_IGNORED); nothing comes after the end.
//
// Threads: Open on any thread (a pool thread: it opens a path); after that one thread at a time
// reads it (the JS thread, from a uv_poll callback on fd()).
// Ownership: the watch owns its inotify fd; Read() appends to a vector the caller owns.
// Errors: Open fails when inotify cannot be initialised or the directory cannot be watched
// (ENOENT, ENOTDIR, EACCES, ENOSPC for too many watches). Read() fails only when read(2) itself
// failed; it never blocks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../common/result.h"
#include "../common/unique_fd.h"

namespace netns_native::ns {

struct NameEvent {
  enum class Kind { kCreated, kDeleted, kOverflow, kEnded };
  Kind kind;
  std::string name;  // for kCreated and kDeleted
};

class NamesWatch {
 public:
  // Starts watching `dir` (which must exist).
  static Result<std::unique_ptr<NamesWatch>> Open(const std::string& dir);

  NamesWatch(const NamesWatch&) = delete;
  NamesWatch& operator=(const NamesWatch&) = delete;

  // Reads what is queued, without blocking, appending to `out`. Sets `*ended` once the kernel
  // said the watch ended (kEnded appended): the fd may be closed then.
  Status Read(std::vector<NameEvent>* out, bool* ended);

  int fd() const { return fd_.get(); }

 private:
  explicit NamesWatch(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace netns_native::ns
