// Persistent TUN/TAP devices, made the way `ip tuntap add` makes them: not through rtnetlink
// (the "tun" link kind refuses RTM_NEWLINK) but by opening /dev/net/tun, naming and configuring
// a device with ioctls (TUNSETIFF, TUNSETOWNER, TUNSETGROUP) and marking it persistent
// (TUNSETPERSIST) so it outlives the fd. Reading one back is ordinary rtnetlink (kind "tun").
//
// Threads: the device is created in the network namespace of the thread that opens
// /dev/net/tun (the kernel takes it from the opener's nsproxy), so CreatePersistentTap runs on
// the namespace thread after NetnsHandle::Enter(). It blocks on nothing but rtnl_lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../common/result.h"

namespace netns_native::ns {

struct TapRequest {
  std::string name;               // the link name (below IFNAMSIZ)
  bool tap = true;                // IFF_TAP (Ethernet frames); false: IFF_TUN (IP packets)
  bool multi_queue = false;       // IFF_MULTI_QUEUE
  bool vnet_hdr = false;          // IFF_VNET_HDR
  bool packet_info = false;       // without IFF_NO_PI: a 4-byte header on every packet
  std::optional<uint32_t> owner;  // TUNSETOWNER: the uid allowed to attach without CAP_NET_ADMIN
  std::optional<uint32_t> group;  // TUNSETGROUP
};

// Creates the device in the calling thread's network namespace. IFF_TUN_EXCL makes an existing
// link of that name an error (EBUSY) instead of attaching to it. Until TUNSETPERSIST succeeds
// the device lives only as long as the fd, so a failure on the way leaves nothing behind.
// Errors name the failing step (open /dev/net/tun, TUNSETIFF, ...).
Status CreatePersistentTap(const TapRequest& request);

}  // namespace netns_native::ns
