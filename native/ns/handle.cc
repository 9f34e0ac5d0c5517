#include "handle.h"

#include "netns.h"

namespace netns_native::ns {

NetnsHandle::NetnsHandle(UniqueFd fd, uint64_t inode) : fd_(std::move(fd)), inode_(inode) {}

NetnsHandle::NetnsHandle(UniqueFd fd, uint64_t inode, netlink::Socket socket)
    : NetnsHandle(std::move(fd), inode) {
  Result<uint64_t> cookie = NetnsCookie(socket.fd());
  if (cookie.ok()) cookie_ = cookie.value();
  InstallSocket(std::move(socket));
}

NetnsHandle::SocketLock::~SocketLock() {
  // The socket's mutex is still held here. A broken socket is never used again: close it now,
  // so that the next user (a worker, through LockSocket) opens a fresh one.
  if (slot_ && slot_->socket && slot_->socket->broken()) slot_->socket.reset();
}

Result<NetnsHandle::Lease> NetnsHandle::Use() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Error{EBADF, "the namespace handle is closed", 0, ""};
  ++users_;
  return Lease(shared_from_this());
}

Result<NetnsHandle::Lease> NetnsHandle::Enter() {
  Result<Lease> lease = Use();
  if (!lease.ok()) return lease;
  Status entered = EnterNetns(fd_.get());
  if (!entered.ok()) return entered;
  return lease;
}

void NetnsHandle::EndUse() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--users_ == 0 && closed_) ReleaseLocked();
}

bool NetnsHandle::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

Result<NetnsHandle::Slot*> NetnsHandle::SlotFor(int protocol) {
  if (protocol < 0 || protocol >= kMaxProtocols) {
    return Error{EPROTONOSUPPORT, "no such netlink protocol", 0, ""};
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!slots_[protocol]) slots_[protocol] = std::make_unique<Slot>();
  return slots_[protocol].get();
}

Result<std::optional<NetnsHandle::SocketLock>> NetnsHandle::TryLockSocket(int protocol) {
  Result<Lease> lease = Use();
  if (!lease.ok()) return lease.take_error();
  Result<Slot*> slot = SlotFor(protocol);
  if (!slot.ok()) return slot.take_error();
  std::unique_lock<std::mutex> lock(slot.value()->mu, std::try_to_lock);
  if (!lock.owns_lock()) {
    return Error{EBUSY,
                 "netns-native internal error: the namespace's netlink socket is in use by "
                 "another batch (batches on one namespace must not overlap)",
                 0, ""};
  }
  if (!slot.value()->socket) return std::optional<SocketLock>();
  return std::optional<SocketLock>(SocketLock(lease.take(), std::move(lock), slot.value()));
}

Result<NetnsHandle::SocketLock> NetnsHandle::LockSocket(int protocol, NamespaceThread& ns_thread) {
  Result<Lease> lease = Use();
  if (!lease.ok()) return lease.take_error();
  Result<Slot*> slot = SlotFor(protocol);
  if (!slot.ok()) return slot.take_error();
  std::unique_lock<std::mutex> lock(slot.value()->mu);
  if (!slot.value()->socket) {
    // A socket is bound to the namespace of the thread that creates it, and only the namespace
    // thread may switch namespace. The fd stays open meanwhile: we hold a lease.
    int fd = fd_.get();
    Result<netlink::Socket> opened = ns_thread.Call([fd, protocol]() -> Result<netlink::Socket> {
      Status entered = EnterNetns(fd);
      if (!entered.ok()) return entered;
      return netlink::Socket::Open(netlink::TransportOptions::ForProtocol(protocol));
    });
    if (!opened.ok()) return opened.take_error();
    slot.value()->socket.emplace(opened.take());
    ++sockets_opened_;
  }
  return SocketLock(lease.take(), std::move(lock), slot.value());
}

Status NetnsHandle::OpenSocketHere(int protocol) {
  Result<Lease> lease = Use();
  if (!lease.ok()) return lease.take_error();
  Result<Slot*> slot = SlotFor(protocol);
  if (!slot.ok()) return slot.take_error();
  std::lock_guard<std::mutex> lock(slot.value()->mu);
  if (slot.value()->socket) return Status();
  Result<netlink::Socket> opened =
      netlink::Socket::Open(netlink::TransportOptions::ForProtocol(protocol));
  if (!opened.ok()) return opened.take_error();
  slot.value()->socket.emplace(opened.take());
  ++sockets_opened_;
  return Status();
}

Status NetnsHandle::InstallSocket(netlink::Socket socket) {
  Result<Slot*> slot = SlotFor(socket.protocol());
  if (!slot.ok()) return slot.take_error();
  std::lock_guard<std::mutex> lock(slot.value()->mu);
  slot.value()->socket.emplace(std::move(socket));
  ++sockets_opened_;
  return Status();
}

void NetnsHandle::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  closed_ = true;
  if (users_ == 0) ReleaseLocked();
}

void NetnsHandle::ReleaseLocked() {
  // No lease is held, hence no SocketLock: the slots' mutexes are free.
  for (auto& slot : slots_) {
    if (!slot) continue;
    std::lock_guard<std::mutex> lock(slot->mu);
    slot->socket.reset();
  }
  fd_.Reset();
}

Result<std::shared_ptr<NetnsHandle>> MakeHandleInside(UniqueFd fd) {
  Result<uint64_t> inode = NetnsInode(fd.get());
  if (!inode.ok()) return inode.take_error();
  Status entered = EnterNetns(fd.get());
  if (!entered.ok()) return entered;
  Result<netlink::Socket> socket = netlink::Socket::Open();
  if (!socket.ok()) return socket.take_error();
  return std::make_shared<NetnsHandle>(std::move(fd), inode.value(), socket.take());
}

}  // namespace netns_native::ns
