// Multicast memberships as /proc/net shows them, the files `ip maddr show` reads:
//   /proc/net/dev_mcast  link-layer addresses of each link (dev_mc_seq_show): what the link's
//                        filter accepts, with users (refcount) and whether one was added from
//                        user space (global_use, set by SIOCADDMULTI: ip prints "static");
//   /proc/net/igmp       IPv4 groups (igmp_mc_seq_show), with users;
//   /proc/net/igmp6      IPv6 groups (igmp6_mc_seq_show), with users.
// The users' count and the link-layer list are only here; rtnetlink (rtnl/multicast.h) tells
// the IP groups but neither. And SIOCADDMULTI / SIOCDELMULTI, how `ip maddr add|del` changes a
// link's link-layer list (no rtnetlink message does).
//
// Threads: ReadProcMulticast reads /proc/thread-self/net/*, which shows the calling thread's
// network namespace (/proc/net is /proc/self/net: the main thread's), and a socket's ioctls act
// in the namespace the socket was opened in, so both run on the namespace thread after
// NetnsHandle::Enter(). Neither blocks on anything but rtnl_lock
// (SIOCADDMULTI) or RCU. The parsers do no I/O and run anywhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../common/result.h"

namespace netns_native::ns {

struct ProcMulticastEntry {
  uint8_t family = 0;  // AF_PACKET (link layer), AF_INET, AF_INET6
  int32_t index = 0;
  std::string name;              // the link's name, as the file prints it
  std::vector<uint8_t> address;  // link-layer bytes, or 4 / 16 bytes of the group
  uint32_t users = 0;            // dev_mcast's refcount, igmp's and igmp6's users
  bool global = false;           // dev_mcast's global_use: added from user space (SIOCADDMULTI)
};

// Which files to read (any combination).
enum ProcMulticastFiles : unsigned {
  kDevMcast = 1,  // /proc/net/dev_mcast
  kIgmp = 2,      // /proc/net/igmp
  kIgmp6 = 4,     // /proc/net/igmp6
};

// Parsers of each file's text, in the file's order. Lines they cannot read are skipped, as ip
// skips them; EINVAL only for input that is not text of that file at all (a NUL byte).
Result<std::vector<ProcMulticastEntry>> ParseDevMcast(std::string_view text);
Result<std::vector<ProcMulticastEntry>> ParseIgmp(std::string_view text);
Result<std::vector<ProcMulticastEntry>> ParseIgmp6(std::string_view text);

// Reads the `files` (a ProcMulticastFiles mask) of the calling thread's network namespace
// (/proc/thread-self/net/...), in
// the order dev_mcast, igmp, igmp6. A file that does not exist (igmp6 without IPv6) reads as
// empty. Errors name the file.
Result<std::vector<ProcMulticastEntry>> ReadProcMulticast(unsigned files);

// SIOCADDMULTI (`add`) or SIOCDELMULTI of the 6-byte link-layer `mac` on link `index`, through a
// socket opened in the calling thread's namespace. The kernel's errno comes back: ENODEV (no such
// link), EINVAL (the link has no multicast filter: lo), ENOENT (deleting an address not added).
Status ChangeLinkMulticast(int32_t index, const std::vector<uint8_t>& mac, bool add);

}  // namespace netns_native::ns
