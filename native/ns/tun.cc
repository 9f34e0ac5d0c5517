#include "tun.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cstring>

#include "../common/unique_fd.h"

namespace netns_native::ns {

Status CreatePersistentTap(const TapRequest& request) {
  if (request.name.empty() || request.name.size() >= IFNAMSIZ) {
    return Error::Invalid("bad tun/tap name");
  }
  UniqueFd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!fd) {
    Error e = Error::FromErrno("open /dev/net/tun");
    if (e.code == ENOENT || e.code == ENODEV || e.code == ENXIO) {
      e.detail = "no TUN/TAP support: /dev/net/tun is missing or the tun module is not loaded";
    }
    return e;
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, request.name.data(), request.name.size());
  int flags = (request.tap ? IFF_TAP : IFF_TUN) | IFF_TUN_EXCL;
  if (!request.packet_info) flags |= IFF_NO_PI;
  if (request.multi_queue) flags |= IFF_MULTI_QUEUE;
  if (request.vnet_hdr) flags |= IFF_VNET_HDR;
  ifr.ifr_flags = static_cast<short>(flags);
  if (ioctl(fd.get(), TUNSETIFF, &ifr) != 0) return Error::FromErrno("TUNSETIFF");
  if (request.owner &&
      ioctl(fd.get(), TUNSETOWNER, static_cast<unsigned long>(*request.owner)) != 0) {
    return Error::FromErrno("TUNSETOWNER");
  }
  if (request.group &&
      ioctl(fd.get(), TUNSETGROUP, static_cast<unsigned long>(*request.group)) != 0) {
    return Error::FromErrno("TUNSETGROUP");
  }
  if (ioctl(fd.get(), TUNSETPERSIST, 1UL) != 0) return Error::FromErrno("TUNSETPERSIST");
  return Status();  // closing the fd now leaves the persistent device
}

}  // namespace netns_native::ns
