// Links as rtnetlink messages: RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK requests built from plain
// structs, and RTM_NEWLINK replies decoded into one. No I/O; safe on any thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// IFLA_INFO_DATA of kind "bridge" (IFLA_BR_*). Times are in centiseconds, as iproute2 shows them.
struct BridgeAttrs {
  std::optional<uint32_t> stp_state;      // IFLA_BR_STP_STATE: 0 off, 1 on
  std::optional<uint8_t> vlan_filtering;  // IFLA_BR_VLAN_FILTERING
  std::optional<uint32_t> forward_delay;  // IFLA_BR_FORWARD_DELAY
  std::optional<uint32_t> hello_time;     // IFLA_BR_HELLO_TIME
  std::optional<uint32_t> max_age;        // IFLA_BR_MAX_AGE
  std::optional<uint32_t> ageing_time;    // IFLA_BR_AGEING_TIME
  std::optional<uint16_t> priority;       // IFLA_BR_PRIORITY
  std::optional<uint16_t> default_pvid;   // IFLA_BR_VLAN_DEFAULT_PVID
};

// What an RTM_NEWLINK request sets. Unset optionals are not sent.
struct LinkRequest {
  int32_t index = 0;               // ifi_index; 0 with `name` to address a link by name
  std::string name;                // IFLA_IFNAME (empty: not sent)
  std::string kind;                // IFLA_LINKINFO / IFLA_INFO_KIND, when creating
  uint32_t flags = 0;              // ifi_flags ...
  uint32_t change = 0;             // ... under this ifi_change mask (IFF_UP to bring up/down)
  std::optional<uint32_t> mtu;     // IFLA_MTU
  std::optional<uint32_t> txqlen;  // IFLA_TXQLEN
  std::optional<uint32_t> group;   // IFLA_GROUP
  std::optional<std::vector<uint8_t>> address;  // IFLA_ADDRESS (MAC)
  std::optional<int32_t> master;                // IFLA_MASTER; 0 detaches from the current master
  std::optional<int> netns_fd;          // IFLA_NET_NS_FD: create in / move to that namespace
  std::optional<std::string> alias;     // IFLA_IFALIAS
  std::optional<std::string> new_name;  // rename: IFLA_IFNAME when addressing by index
  std::optional<BridgeAttrs> bridge;    // IFLA_INFO_DATA for kind "bridge"
  std::unique_ptr<LinkRequest> peer;    // VETH_INFO_PEER for kind "veth"
};

// A decoded RTM_NEWLINK message.
struct LinkInfo {
  int32_t index = 0;
  uint16_t type = 0;   // ARPHRD_*
  uint32_t flags = 0;  // IFF_*
  std::string name;
  uint32_t mtu = 0, min_mtu = 0, max_mtu = 0;
  uint32_t group = 0, txqlen = 0, promiscuity = 0;
  uint32_t num_tx_queues = 0, num_rx_queues = 0;
  std::vector<uint8_t> address, broadcast;
  uint8_t operstate = 0;  // IF_OPER_*
  uint8_t carrier = 0;
  int32_t master = 0;                   // IFLA_MASTER, 0 if none
  int32_t link = 0;                     // IFLA_LINK (a veth's peer index), 0 if none
  std::optional<int32_t> link_netnsid;  // IFLA_LINK_NETNSID: `link` lives in that namespace
  std::string kind, slave_kind, alias, qdisc;
  std::optional<BridgeAttrs> bridge;
};

// RTM_NEWLINK. `nl_flags`: NLM_F_CREATE | NLM_F_EXCL to create, 0 to change an existing link.
Result<std::vector<uint8_t>> BuildNewLink(const LinkRequest& req, uint16_t nl_flags);
// RTM_DELLINK by index, or (index 0) by name.
Result<std::vector<uint8_t>> BuildDelLink(int32_t index, const std::string& name);
// RTM_DELLINK of every link in `group` (ifindex 0 + IFLA_GROUP): the kernel unregisters them
// together and waits for RCU once, instead of once per link.
Result<std::vector<uint8_t>> BuildDelLinkGroup(uint32_t group);
// RTM_GETLINK for one link, by index or (index 0) by name. Statistics are skipped.
Result<std::vector<uint8_t>> BuildGetLink(int32_t index, const std::string& name);
// RTM_GETLINK dump, optionally filtered in the kernel by master index and/or kind.
Result<std::vector<uint8_t>> BuildDumpLinks(int32_t master, const std::string& kind);

Result<LinkInfo> ParseLink(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
