// A route's lightweight tunnel encapsulation (RTA_ENCAP_TYPE + RTA_ENCAP), `ip route add ...
// encap TYPE ...`, for a route or one next hop of RTA_MULTIPATH. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "../common/result.h"
#include "../netlink/message.h"

namespace netns_native::rtnl {

// One encapsulation, request and decoded alike. `type` (LWTUNNEL_ENCAP_*) says which fields
// apply; the others stay unset. A type decoded here only by number (ila, bpf, rpl, ioam6, xfrm)
// comes back with `type` alone, so a route never loses the fact that it has an encap.
struct RouteEncap {
  uint16_t type = 0;  // RTA_ENCAP_TYPE: LWTUNNEL_ENCAP_*
  // ip (LWTUNNEL_IP_*) and ip6 (LWTUNNEL_IP6_*): the metadata a collect_md tunnel (`vxlan
  // external`, `gre external`, ...) sends the packet with.
  std::optional<uint64_t> id;     // LWTUNNEL_IP_ID: the tunnel key (VNI), big-endian on the wire
  std::vector<uint8_t> src, dst;  // LWTUNNEL_IP_SRC / _DST (4 bytes, or 16 for ip6)
  std::optional<uint8_t> ttl;     // LWTUNNEL_IP_TTL, LWTUNNEL_IP6_HOPLIMIT, MPLS_IPTUNNEL_TTL
  std::optional<uint8_t> tos;     // LWTUNNEL_IP_TOS, LWTUNNEL_IP6_TC
  // LWTUNNEL_IP_FLAGS: TUNNEL_CSUM (0x01), TUNNEL_KEY (0x04), TUNNEL_SEQ (0x08) as the values
  // of if_tunnel.h's bits in host order (the attribute carries them big-endian).
  std::optional<uint16_t> flags;
  // seg6 (SEG6_IPTUNNEL_SRH: struct seg6_iptunnel_encap + struct ipv6_sr_hdr).
  std::optional<uint32_t> mode;                // SEG6_IPTUN_MODE_*
  std::vector<std::vector<uint8_t>> segments;  // 16 bytes each, in the order a packet visits them
  std::optional<uint32_t> hmac;                // the HMAC TLV's key id, when the SRH has one
  // mpls (MPLS_IPTUNNEL_DST): the label stack, outermost first; ttl above.
  std::vector<uint32_t> labels;
  // seg6local (SEG6_LOCAL_*).
  std::optional<uint32_t> action;    // SEG6_LOCAL_ACTION_*
  std::optional<uint32_t> table;     // SEG6_LOCAL_TABLE
  std::optional<uint32_t> vrftable;  // SEG6_LOCAL_VRFTABLE
  std::vector<uint8_t> nh4, nh6;     // SEG6_LOCAL_NH4 / _NH6
  std::optional<uint32_t> iif, oif;  // SEG6_LOCAL_IIF / _OIF (link indexes)
};

// RTA_ENCAP's payload (the attributes inside it) for `encap`, in iproute2's order when its words
// are given in the kernel's attribute order (so that the bytes equal a capture of `ip route add`).
// The caller sends it as RTA_ENCAP with NLA_F_NESTED (as iproute2 does), then RTA_ENCAP_TYPE.
// EINVAL for a type this code cannot build (ila, bpf, rpl, ioam6, xfrm) or fields that do not fit
// it (an address of the wrong length, seg6 without a mode or segments, mpls without labels or with
// a label above 2^20 - 1, seg6local without an action).
Result<std::vector<uint8_t>> EncapPayload(const RouteEncap& encap);

// Decodes RTA_ENCAP of encap `type` (from RTA_ENCAP_TYPE). Attributes it does not know are
// skipped; a malformed SRH or label stack fails.
Result<RouteEncap> ParseEncap(uint16_t type, const netlink::Attr& encap);

}  // namespace netns_native::rtnl
