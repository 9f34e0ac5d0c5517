// A network namespace held open by the library: its fd and the netlink sockets opened inside
// it. Shared (std::shared_ptr) between the JS object that owns it and the jobs using it.
//
// Threads: js_socket() belongs to the JS thread alone and is used there synchronously. Worker
// threads lease other sockets with AcquireSocket/ReleaseSocket. Use() may be called anywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "../common/result.h"
#include "../common/unique_fd.h"
#include "../netlink/socket.h"
#include "ns_thread.h"

namespace netns_native::ns {

class NetnsHandle : public std::enable_shared_from_this<NetnsHandle> {
 public:
  NetnsHandle(UniqueFd fd, uint64_t inode, netlink::Socket js_socket);

  // Keeps the fd and sockets open while held. Close() waits for no one: it takes effect when
  // the last lease goes.
  class Lease {
   public:
    explicit Lease(std::shared_ptr<NetnsHandle> h) : h_(std::move(h)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (h_) h_->EndUse();
    }
    NetnsHandle* operator->() const { return h_.get(); }

   private:
    std::shared_ptr<NetnsHandle> h_;
  };

  // A lease, or EBADF once the handle is closed.
  Result<Lease> Use();

  // A lease, after moving the calling thread into this namespace: for tasks on the
  // NamespaceThread that create something inside it (sockets). The lease keeps the fd open.
  Result<Lease> Enter();

  int fd() const { return fd_.get(); }
  uint64_t inode() const { return inode_; }
  bool closed() const;

  // The JS thread's socket. Only on the JS thread, under a lease.
  netlink::Socket& js_socket() { return *js_socket_; }

  // A socket for a worker thread: an idle one, or a new one opened inside the namespace by the
  // namespace thread (the caller blocks meanwhile, so never call this on the JS thread).
  Result<netlink::Socket> AcquireSocket(NamespaceThread& ns_thread);
  void ReleaseSocket(netlink::Socket socket);

  // Releases the fd and every socket (once no lease is held), so that nothing of ours keeps
  // the namespace alive. Idempotent.
  void Close();

 private:
  void EndUse();
  void ReleaseLocked();

  mutable std::mutex mu_;
  UniqueFd fd_;
  const uint64_t inode_;
  std::optional<netlink::Socket> js_socket_;
  std::vector<netlink::Socket> idle_;
  int users_ = 0;
  bool closed_ = false;
};

// Opens the JS socket inside the namespace `fd` refers to and wraps both in a handle. Runs on
// the namespace thread (it enters the namespace).
Result<std::shared_ptr<NetnsHandle>> MakeHandleInside(UniqueFd fd);

}  // namespace netns_native::ns
