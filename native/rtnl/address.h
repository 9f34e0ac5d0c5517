// Addresses as rtnetlink messages: RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR. No I/O.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

struct AddressRequest {
  uint8_t family = 0;  // AF_INET / AF_INET6
  uint8_t prefixlen = 0;
  int32_t index = 0;                              // the link
  std::vector<uint8_t> local;                     // IFA_LOCAL (and IFA_ADDRESS)
  std::optional<std::vector<uint8_t>> peer;       // IFA_ADDRESS on point-to-point links
  std::optional<std::vector<uint8_t>> broadcast;  // IFA_BROADCAST (IPv4)
  std::optional<std::string> label;               // IFA_LABEL (IPv4)
  std::optional<uint8_t> scope;                   // ifa_scope; default global
  uint32_t flags = 0;                             // IFA_F_* (IFA_F_NODAD, ...)
  std::optional<uint32_t> metric;                 // IFA_RT_PRIORITY: metric of the prefix route
  // IFA_CACHEINFO (sent when either is set; the other is then 0xffffffff, forever): lifetimes
  // in seconds. The kernel refuses a valid lifetime of 0 or a preferred one above it (EINVAL).
  std::optional<uint32_t> valid_lft, preferred_lft;
};

struct AddressInfo {
  uint8_t family = 0, prefixlen = 0, scope = 0;
  uint32_t flags = 0;  // IFA_FLAGS (32-bit) when present, else ifa_flags
  int32_t index = 0;
  std::vector<uint8_t> local, address, broadcast;
  std::string label;
  // IFA_CACHEINFO: seconds left; 0xffffffff forever. Unset without IFA_CACHEINFO.
  std::optional<uint32_t> valid_lft, preferred_lft;
  std::optional<uint32_t> metric;  // IFA_RT_PRIORITY: sent only when not 0
};

Result<std::vector<uint8_t>> BuildNewAddr(const AddressRequest& req, uint16_t nl_flags);
// RTM_DELADDR. `nl_flags`: 0, or NLM_F_ECHO for the kernel to send the address it removed back
// (IPv4 only, up to 6.18 at least: IPv6 sends no copy to the requester).
Result<std::vector<uint8_t>> BuildDelAddr(const AddressRequest& req, uint16_t nl_flags = 0);
// RTM_GETADDR dump; family AF_UNSPEC for both; index 0 for every link (filtered in the kernel).
Result<std::vector<uint8_t>> BuildDumpAddrs(uint8_t family, int32_t index);

// Decodes an RTM_NEWADDR (reply or event) or RTM_DELADDR (event) message.
Result<AddressInfo> ParseAddr(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
