// Network namespace files: open and identify nsfs files, create and delete named namespaces the
// way iproute2 does (`ip netns add` / `ip netns del`), create anonymous namespaces.
//
// Threads: the Create* functions unshare the *calling thread* into the new namespace and leave
// it there. Call them only on the namespace thread, inside a HomeGuard (ns_thread.h), which
// brings the thread home afterwards. Everything else here is safe on any thread.
#pragma once

#include <cstdint>
#include <string>

#include "../common/result.h"
#include "../common/unique_fd.h"

namespace netns_native::ns {

// Opens an nsfs file and checks that it is a network namespace. A path that is not a
// namespace at all (a regular file, an unmounted entry under /run/netns) gives EINVAL, as does
// a namespace of another type.
Result<UniqueFd> OpenNetns(const std::string& path);

// The type of namespace an open nsfs file is (a CLONE_NEW* flag). EINVAL if it is not a
// namespace at all.
Result<int> NamespaceFileType(int fd);

// The namespace's inode number: its identity (equal inode = same namespace).
Result<uint64_t> NetnsInode(int fd);

// The inode of the calling thread's network namespace.
Result<uint64_t> ThreadNetnsInode();

// `ip netns add NAME`: under an flock on run_dir, make run_dir a shared mount (bound onto itself
// first if needed), create run_dir/NAME with O_EXCL, unshare the calling thread into a new
// network namespace and bind-mount it onto the file. On failure nothing is left behind.
// Returns an fd of the new namespace; the calling thread is left inside it.
Result<UniqueFd> CreateNamedNetns(const std::string& run_dir, const std::string& name);

// A new namespace with no name: it lives while something (the returned fd, a process, a
// socket) refers to it. The calling thread is left inside it.
Result<UniqueFd> CreateAnonymousNetns();

// `ip netns del NAME`: lazily unmount and remove run_dir/NAME. Succeeds if it is already gone.
// Processes and fds inside the namespace keep it alive; only the name goes. With
// `expected_inode` != 0, the name is removed only if it still refers to that namespace (not to
// one created since under the same name); otherwise nothing is done.
Status DeleteNamedNetns(const std::string& run_dir, const std::string& name,
                        uint64_t expected_inode = 0);

}  // namespace netns_native::ns
