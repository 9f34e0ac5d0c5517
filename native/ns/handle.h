// A network namespace held open by the library: its fd and the netlink sockets opened inside
// it, at most one per protocol (NETLINK_ROUTE now, NETLINK_NETFILTER next), as vishvananda/
// netlink's Handle{sockets}. Shared (std::shared_ptr) between the JS object that owns it and the
// jobs using it. Monitor sockets are separate objects, not kept here.
//
// Threads: one socket per protocol serves the JS thread and the worker threads alike. The
// TypeScript dispatcher runs one batch per namespace at a time (a FIFO per namespace), so the
// socket is never wanted by two threads at once; a mutex per socket guards it anyway:
//   - the JS thread calls TryLockSocket: it never blocks and never opens (opening needs the
//     namespace, i.e. the namespace thread). Contention is reported as an error (a bug in the
//     caller's ordering), a socket that is not open as "not open" (go to a worker).
//   - workers call LockSocket: they wait for the mutex and open the socket, inside the namespace,
//     through NamespaceThread::Call, when it is not open.
// A socket that became broken (netlink::Socket::broken: ENOBUFS, a timeout with replies
// outstanding, truncation, a failed sendmsg) is closed and dropped when its SocketLock is
// released; the next LockSocket opens a new one.
// Use(), Close(), closed() may be called on any thread.
//
// Ownership: the handle owns the namespace fd and its sockets. Leases (and SocketLocks, which
// hold one) keep them open; Close() releases them when the last lease goes.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "../common/result.h"
#include "../common/unique_fd.h"
#include "../netlink/socket.h"
#include "ns_thread.h"

namespace netns_native::ns {

class NetnsHandle : public std::enable_shared_from_this<NetnsHandle> {
 private:
  struct Slot {
    std::mutex mu;
    std::optional<netlink::Socket> socket;
  };

 public:
  NetnsHandle(UniqueFd fd, uint64_t inode);
  // With a socket already opened inside the namespace (kept under its protocol), which tells
  // the namespace's cookie.
  NetnsHandle(UniqueFd fd, uint64_t inode, netlink::Socket socket);

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

  // Exclusive use of the handle's socket of one protocol, under a lease. Released on
  // destruction; a socket that is broken by then is closed and dropped from the handle.
  class SocketLock {
   public:
    SocketLock(SocketLock&& other) noexcept
        : lease_(std::move(other.lease_)),
          lock_(std::move(other.lock_)),
          slot_(std::exchange(other.slot_, nullptr)) {}
    SocketLock& operator=(SocketLock&&) = delete;
    ~SocketLock();
    netlink::Socket& operator*() const { return *slot_->socket; }
    netlink::Socket* operator->() const { return &*slot_->socket; }

   private:
    friend class NetnsHandle;
    SocketLock(Lease lease, std::unique_lock<std::mutex> lock, Slot* slot)
        : lease_(std::move(lease)), lock_(std::move(lock)), slot_(slot) {}
    Lease lease_;  // declared first: released last, after the socket's mutex
    std::unique_lock<std::mutex> lock_;
    Slot* slot_;
  };

  // A lease, or EBADF once the handle is closed.
  Result<Lease> Use();

  // A lease, after moving the calling thread into this namespace: for tasks on the
  // NamespaceThread that create something inside it (sockets). The lease keeps the fd open.
  Result<Lease> Enter();

  // JS thread. The open socket of `protocol`, locked; std::nullopt when it is not open (never
  // opened, or dropped after a socket-level failure): run the work on a worker (LockSocket).
  // EBADF once the handle is closed; EBUSY when another thread holds the socket (never blocks).
  Result<std::optional<SocketLock>> TryLockSocket(int protocol);

  // Worker threads only (it blocks). The socket of `protocol`, locked, opened first inside the
  // namespace by `ns_thread` if needed (with TransportOptions::ForProtocol). EBADF once closed,
  // or the error of opening it.
  Result<SocketLock> LockSocket(int protocol, NamespaceThread& ns_thread);

  // Opens the socket of `protocol` if it is not open, in the calling thread's namespace: only
  // on a thread inside this namespace (the namespace thread after Enter(), or the JS thread for
  // the namespace it runs in).
  Status OpenSocketHere(int protocol);

  // Puts `socket` (opened inside this namespace) in place of the socket of its protocol, closing
  // the one there. For tests that need particular socket options.
  Status InstallSocket(netlink::Socket socket);

  int fd() const { return fd_.get(); }
  uint64_t inode() const { return inode_; }
  // The namespace's cookie (NetnsCookie: never given to another namespace until reboot), or 0
  // when it is not known (a kernel before 5.14, or a handle made without a socket).
  uint64_t cookie() const { return cookie_; }
  bool closed() const;
  // How many sockets this handle opened (itself or through InstallSocket), for tests.
  uint64_t sockets_opened() const { return sockets_opened_.load(); }

  // Releases the fd and every socket (once no lease is held), so that nothing of ours keeps
  // the namespace alive. Idempotent.
  void Close();

  // MAX_LINKS in af_netlink.c: netlink protocol numbers are below 32.
  static constexpr int kMaxProtocols = 32;

 private:
  void EndUse();
  void ReleaseLocked();
  Result<Slot*> SlotFor(int protocol);

  mutable std::mutex mu_;  // fd_, users_, closed_, slots_ (not the sockets: each slot's mu)
  UniqueFd fd_;
  const uint64_t inode_;
  uint64_t cookie_ = 0;                         // set by the constructor only
  std::unique_ptr<Slot> slots_[kMaxProtocols];  // created on first use, kept until destruction
  int users_ = 0;
  bool closed_ = false;
  std::atomic<uint64_t> sockets_opened_{0};
};

// Opens a NETLINK_ROUTE socket inside the namespace `fd` refers to and wraps both in a handle.
// Runs on the namespace thread (it enters the namespace).
Result<std::shared_ptr<NetnsHandle>> MakeHandleInside(UniqueFd fd);

}  // namespace netns_native::ns
