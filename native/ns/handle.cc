#include "handle.h"

#include "netns.h"

namespace netns_native::ns {

NetnsHandle::NetnsHandle(UniqueFd fd, uint64_t inode, netlink::Socket js_socket)
    : fd_(std::move(fd)), inode_(inode), js_socket_(std::move(js_socket)) {}

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

Result<netlink::Socket> NetnsHandle::AcquireSocket(NamespaceThread& ns_thread) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Error{EBADF, "the namespace handle is closed", 0, ""};
    if (!idle_.empty()) {
      netlink::Socket s = std::move(idle_.back());
      idle_.pop_back();
      return s;
    }
  }
  int fd = fd_.get();  // stays open: the caller holds a lease
  return ns_thread.Call([fd]() -> Result<netlink::Socket> {
    Status entered = EnterNetns(fd);
    if (!entered.ok()) return entered;
    return netlink::Socket::Open();
  });
}

void NetnsHandle::ReleaseSocket(netlink::Socket socket) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_) idle_.push_back(std::move(socket));
}

void NetnsHandle::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  closed_ = true;
  if (users_ == 0) ReleaseLocked();
}

void NetnsHandle::ReleaseLocked() {
  js_socket_.reset();
  idle_.clear();
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
