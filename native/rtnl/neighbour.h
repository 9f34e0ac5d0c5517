// Neighbours as rtnetlink messages: RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH. One message
// shape (ndmsg + NDA_*) serves the ARP/NDP cache (`ip neigh`, families AF_INET/AF_INET6) and
// the forwarding databases of bridges and VXLAN devices (`bridge fdb`, family AF_BRIDGE: the
// MAC in NDA_LLADDR, a VXLAN remote in NDA_DST). No I/O; safe on any thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// What an RTM_NEWNEIGH / RTM_DELNEIGH request carries. Unset optionals are not sent.
struct NeighbourRequest {
  uint8_t family = 0;                          // ndm_family: AF_INET, AF_INET6 or AF_BRIDGE
  int32_t index = 0;                           // ndm_ifindex: the link
  uint16_t state = 0;                          // ndm_state: NUD_*
  uint8_t flags = 0;                           // ndm_flags: NTF_* (NTF_SELF, NTF_MASTER, ...)
  std::vector<uint8_t> dst;                    // NDA_DST: the IP (fdb: a VXLAN remote); empty: none
  std::optional<std::vector<uint8_t>> lladdr;  // NDA_LLADDR: the MAC
  std::optional<uint16_t> vlan;                // NDA_VLAN (fdb)
  std::optional<uint16_t> port;                // NDA_PORT (VXLAN fdb), host order here
  std::optional<uint32_t> vni;                 // NDA_VNI (VXLAN fdb)
  std::optional<uint32_t> ifindex;             // NDA_IFINDEX (VXLAN fdb: the outgoing device)
  std::optional<uint32_t> master;              // NDA_MASTER
  std::optional<uint32_t> src_vni;             // NDA_SRC_VNI (VXLAN fdb, metadata mode)
  std::optional<uint8_t> protocol;             // NDA_PROTOCOL: who made the entry
  std::optional<uint32_t> flags_ext;           // NDA_FLAGS_EXT: NTF_EXT_*
};

// A decoded RTM_NEWNEIGH or RTM_DELNEIGH message.
struct NeighbourInfo {
  uint8_t family = 0, flags = 0, type = 0;
  uint16_t state = 0;
  int32_t index = 0;
  std::vector<uint8_t> dst, lladdr;
  std::optional<uint32_t> vlan, port, vni, ifindex, master, src_vni, probes, protocol;
  std::optional<int32_t> link_netnsid;
  uint32_t flags_ext = 0;  // NDA_FLAGS_EXT: NTF_EXT_MANAGED, ...
  // NDA_CACHEINFO (absent from a proxy entry), in clock ticks (USER_HZ): since last confirmed,
  // used, updated; and the entry's reference count.
  std::optional<uint32_t> confirmed, used, updated, refcnt;
};

// RTM_NEWNEIGH. An IPv4/IPv6 entry's attributes go in `ip neigh`'s order (NDA_PROTOCOL, NDA_DST,
// NDA_FLAGS_EXT, NDA_LLADDR), an fdb entry's in `bridge fdb`'s. `nl_flags`: NLM_F_CREATE |
// NLM_F_EXCL to add (`ip neigh add`), | NLM_F_REPLACE to add or change (`ip neigh replace`),
// NLM_F_CREATE | NLM_F_APPEND for another remote of an fdb entry (`bridge fdb append`).
Result<std::vector<uint8_t>> BuildNewNeigh(const NeighbourRequest& req, uint16_t nl_flags);
Result<std::vector<uint8_t>> BuildDelNeigh(const NeighbourRequest& req);
// RTM_GETNEIGH dump of `family` (AF_UNSPEC: IPv4 and IPv6; AF_BRIDGE: forwarding databases),
// filtered in the kernel by link (`index`, 0: all) and master (`master`, 0: all). `flags`
// NTF_PROXY dumps the proxy entries instead (`ip neigh show proxy`; neigh_dump_info), which a
// plain dump never includes.
Result<std::vector<uint8_t>> BuildDumpNeighs(uint8_t family, int32_t index, int32_t master,
                                             uint8_t flags = 0);

// RTM_GETNEIGH for one entry (`ip neigh get [proxy] ADDR dev LINK`): `family` AF_INET or
// AF_INET6, `index` the link, `flags` 0 or NTF_PROXY (the only flag the kernel takes there,
// neigh_valid_get_req), `dst` the address (4 or 16 bytes). Answered by one RTM_NEWNEIGH, or
// ENOENT when there is no such entry.
Result<std::vector<uint8_t>> BuildGetNeigh(uint8_t family, int32_t index, uint8_t flags,
                                           const std::vector<uint8_t>& dst);

// Decodes an RTM_NEWNEIGH (reply or event) or RTM_DELNEIGH (event) message.
Result<NeighbourInfo> ParseNeigh(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
