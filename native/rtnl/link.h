// Links as rtnetlink messages: RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK requests built from plain
// structs, and RTM_NEWLINK / RTM_DELLINK messages decoded into one. What is particular to a kind
// (bridge, veth, ...) lives in its own file under link/, as a table (link_kind.h). No I/O; safe
// on any thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../common/result.h"
#include "link_kind.h"

namespace netns_native::rtnl {

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
  std::optional<int32_t> link;  // IFLA_LINK: the parent of a macvlan, vlan, ... (in the namespace
                                // the request is sent to, even when IFLA_NET_NS_FD places the
                                // new link elsewhere)
  std::optional<int> netns_fd;  // IFLA_NET_NS_FD: create in / move to that namespace
  std::optional<std::string> alias;     // IFLA_IFALIAS; empty clears it
  std::optional<std::string> new_name;  // rename: IFLA_IFNAME when addressing by index
  std::optional<uint8_t> carrier;       // IFLA_CARRIER (drivers with ndo_change_carrier only)
  std::optional<uint32_t> gso_max_size, gso_max_segs, gro_max_size;  // IFLA_GSO_*, IFLA_GRO_*
  std::optional<uint32_t> num_tx_queues, num_rx_queues;  // IFLA_NUM_*_QUEUES: at creation only
  std::optional<uint8_t> addr_gen_mode;  // IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE
  std::optional<uint8_t> proto_down;     // IFLA_PROTO_DOWN
  // IFLA_PROTO_DOWN_REASON { MASK, VALUE }: the reason bits under the mask set to the value's.
  std::optional<uint32_t> proto_down_reason_mask;
  uint32_t proto_down_reason_value = 0;
  KindData info;           // IFLA_INFO_DATA of `kind` (a veth's peer is in here)
  std::string slave_kind;  // IFLA_INFO_SLAVE_KIND: the master's kind, for ...
  KindData slave_info;     // ... IFLA_INFO_SLAVE_DATA (a bridge port's settings)
};

// The counters of IFLA_STATS64 (struct rtnl_link_stats64), in its order. The struct grows at its
// end over kernel versions: counters an older kernel does not send are 0 (as ip reads them), but
// rx_otherhost_dropped (Linux 5.19), which is unset when the attribute is too short to hold it.
struct LinkStats {
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
  uint64_t multicast = 0, collisions = 0;
  // Detailed rx_errors.
  uint64_t rx_length_errors = 0, rx_over_errors = 0, rx_crc_errors = 0, rx_frame_errors = 0;
  uint64_t rx_fifo_errors = 0, rx_missed_errors = 0;
  // Detailed tx_errors.
  uint64_t tx_aborted_errors = 0, tx_carrier_errors = 0, tx_fifo_errors = 0;
  uint64_t tx_heartbeat_errors = 0, tx_window_errors = 0;
  uint64_t rx_compressed = 0, tx_compressed = 0;
  uint64_t rx_nohandler = 0;  // Linux 4.6
  std::optional<uint64_t> rx_otherhost_dropped;
};

// IPv6's own counters of a link (IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_STATS: the IPSTATS_MIB_*
// array, its first element the count), named as /proc/net/dev_snmp6 names them. Counters beyond
// what the kernel sends stay 0, but out_transmits (Linux 6.7), unset then.
struct Ipv6Stats {
  uint64_t in_receives = 0, in_octets = 0, in_delivers = 0, out_forw_datagrams = 0;
  uint64_t out_requests = 0, out_octets = 0, in_hdr_errors = 0, in_too_big_errors = 0;
  uint64_t in_no_routes = 0, in_addr_errors = 0, in_unknown_protos = 0, in_truncated_pkts = 0;
  uint64_t in_discards = 0, out_discards = 0, out_no_routes = 0, reasm_timeout = 0;
  uint64_t reasm_reqds = 0, reasm_oks = 0, reasm_fails = 0, frag_oks = 0, frag_fails = 0;
  uint64_t frag_creates = 0, in_mcast_pkts = 0, out_mcast_pkts = 0, in_bcast_pkts = 0;
  uint64_t out_bcast_pkts = 0, in_mcast_octets = 0, out_mcast_octets = 0, in_bcast_octets = 0;
  uint64_t out_bcast_octets = 0, in_csum_errors = 0, in_no_ect_pkts = 0, in_ect1_pkts = 0;
  uint64_t in_ect0_pkts = 0, in_ce_pkts = 0, reasm_overlaps = 0;
  std::optional<uint64_t> out_transmits;
};

// The order of IFLA_INET6_STATS's counters: Linux 6.15 moved the fast path's to the front, with
// the same count, so only the kernel's version tells them apart.
enum class Ipv6MibOrder { kBefore615, kSince615 };
// The running kernel's (uname, read once).
Ipv6MibOrder RunningIpv6MibOrder();
// Decodes IFLA_INET6_STATS's payload in that order.
Ipv6Stats ParseIpv6Stats(const uint8_t* data, size_t len, Ipv6MibOrder order);

// ICMPv6's counters of a link (IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ICMP6STATS: the ICMP6_MIB_*
// array, its first element the count), named as /proc/net/dev_snmp6 names them. The per-type
// counters of that file are not sent over netlink. out_rate_limit_host is newer (unset before).
struct Icmp6Stats {
  uint64_t in_msgs = 0, in_errors = 0, out_msgs = 0, out_errors = 0, in_csum_errors = 0;
  std::optional<uint64_t> out_rate_limit_host;
};
// Decodes IFLA_INET6_ICMP6STATS's payload.
Icmp6Stats ParseIcmp6Stats(const uint8_t* data, size_t len);

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
  uint8_t linkmode = 0;                 // IFLA_LINKMODE: IF_LINK_MODE_*
  // What `ip -d link` prints when the kernel sends it (each newer than some kernels we run on).
  std::optional<uint32_t> allmulti;  // IFLA_ALLMULTI: the allmulti count (6.4)
  std::optional<uint32_t> gso_max_size, gso_max_segs, tso_max_size, tso_max_segs, gro_max_size;
  std::optional<uint32_t> addr_gen_mode;      // IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE
  std::optional<uint32_t> carrier_changes;    // IFLA_CARRIER_CHANGES (`ip -s -s link`'s transns)
  uint8_t proto_down = 0;                     // IFLA_PROTO_DOWN
  std::optional<uint32_t> proto_down_reason;  // IFLA_PROTO_DOWN_REASON's VALUE, when any is set
  std::string kind, slave_kind, alias, qdisc;
  KindData info;        // IFLA_INFO_DATA, decoded with the kind's table (link_kind.h)
  KindData slave_info;  // IFLA_INFO_SLAVE_DATA, decoded with the master kind's port table
  std::optional<LinkStats> stats;         // IFLA_STATS64, when the request asked for statistics
  std::optional<Ipv6Stats> ipv6_stats;    // IFLA_INET6_STATS, likewise, for a link with IPv6
  std::optional<Icmp6Stats> icmp6_stats;  // IFLA_INET6_ICMP6STATS, with ipv6_stats
  std::vector<std::string> alt_names;     // IFLA_PROP_LIST / IFLA_ALT_IFNAME, in the kernel's order
};

// RTM_NEWLINK. `nl_flags`: NLM_F_CREATE | NLM_F_EXCL to create, 0 to change an existing link.
Result<std::vector<uint8_t>> BuildNewLink(const LinkRequest& req, uint16_t nl_flags);
// RTM_DELLINK by index, or (index 0) by name. `nl_flags`: 0, or NLM_F_ECHO for the kernel to send
// the link as it removed it back (and a veth's peer, which goes with it).
Result<std::vector<uint8_t>> BuildDelLink(int32_t index, const std::string& name,
                                          uint16_t nl_flags = 0);
// RTM_DELLINK of every link in `group` (ifindex 0 + IFLA_GROUP): the kernel unregisters them
// together and waits for RCU once, instead of once per link.
Result<std::vector<uint8_t>> BuildDelLinkGroup(uint32_t group);
// RTM_NEWLINKPROP / RTM_DELLINKPROP: adds or removes one alternative name of link `index`
// (IFLA_PROP_LIST { IFLA_ALT_IFNAME }), as `ip link property add|del dev X altname Y` sends it.
Result<std::vector<uint8_t>> BuildNewLinkProp(int32_t index, const std::string& alt_name);
Result<std::vector<uint8_t>> BuildDelLinkProp(int32_t index, const std::string& alt_name);
// RTM_GETLINK for one link, by index or (index 0) by name. A name of IFNAMSIZ bytes or more can
// only be an alternative name and goes as IFLA_ALT_IFNAME (IFLA_IFNAME's policy stops at
// IFNAMSIZ - 1); a shorter one goes as IFLA_IFNAME, which the kernel matches against
// alternative names too (__dev_get_by_name), as iproute2 does. Without `stats` the request sets
// RTEXT_FILTER_SKIP_STATS: the kernel then leaves out the IPv6 and VF statistics and, from Linux
// 6.19 (commit 105bae32), IFLA_STATS and IFLA_STATS64 too, whose gathering walks per-CPU
// counters. Earlier kernels send IFLA_STATS64 regardless; ParseLink decodes it whenever present.
Result<std::vector<uint8_t>> BuildGetLink(int32_t index, const std::string& name,
                                          bool stats = false);
// RTM_GETLINK dump, optionally filtered in the kernel by master index and/or kind. Statistics
// as for BuildGetLink.
Result<std::vector<uint8_t>> BuildDumpLinks(int32_t master, const std::string& kind,
                                            bool stats = false);

// Decodes an RTM_NEWLINK (a reply, or an event) or RTM_DELLINK (an event) message.
Result<LinkInfo> ParseLink(const nlmsghdr& msg);

// Writes an ifinfomsg and the IFLA_* attributes of `req` (no IFLA_LINKINFO): the body of a link
// request, also used for a veth peer nested in VETH_INFO_PEER.
void PutLinkBody(netlink::MessageBuilder& b, const LinkRequest& req);

}  // namespace netns_native::rtnl
