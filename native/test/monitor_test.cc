// Tests of rtnl/decode and rtnl/monitor. Without root: notifications captured from the kernel
// (6.18, `ip` 6.1 making the changes), annotated field by field, decoded into the same structs as
// the dump parsers give; actions (NLM_F_REPLACE), kinds not decoded, malformed messages, the event
// codes, and a mutation loop meant to run under AddressSanitizer/UBSan. With
// NETNS_NATIVE_KERNEL_TEST=1 (root, in a throwaway `unshare --net` namespace, as
// scripts/native-test.sh runs it): a real monitor socket, fences in stream order, an overrun on a
// tiny receive buffer reported where the queue ran empty, discarding.
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../netlink/message.h"
#include "../netlink/socket.h"
#include "../rtnl/decode.h"
#include "../rtnl/link.h"
#include "../rtnl/monitor.h"
#include "../rtnl/operation.h"
#include "check.h"

using namespace netns_native;

namespace {

using Bytes = std::vector<uint8_t>;

const nlmsghdr& Header(const Bytes& b) { return *reinterpret_cast<const nlmsghdr*>(b.data()); }

// Aligned copy: the decoders read through nlmsghdr references.
Bytes Aligned(const Bytes& b) {
  Bytes out(b);
  out.reserve(b.size() + 4);
  return out;
}

// `ip addr add 198.18.0.1/24 dev va` (va = ifindex 3), as the kernel announced it to
// RTNLGRP_IPV4_IFADDR. A notification carries the port and sequence number of the request that
// caused it (rtmsg_ifa), which is why the engine never takes a multicast datagram for a reply.
const Bytes kNewAddr = {
    0x4c, 0x00, 0x00, 0x00,  // nlmsg_len 76
    0x14, 0x00,              // RTM_NEWADDR
    0x00, 0x00,              // flags
    0x3b, 0x21, 0x0d, 0x6b,  // nlmsg_seq: ip's request
    0xe1, 0x25, 0x00, 0x00,  // nlmsg_pid: ip's port
    0x02, 0x18, 0x80, 0x00,  // ifaddrmsg: AF_INET, /24, IFA_F_PERMANENT, scope universe
    0x03, 0x00, 0x00, 0x00,  //   ifa_index 3
    0x08, 0x00, 0x01, 0x00,  // IFA_ADDRESS
    0xc6, 0x12, 0x00, 0x01,  //   198.18.0.1
    0x08, 0x00, 0x02, 0x00,  // IFA_LOCAL
    0xc6, 0x12, 0x00, 0x01,  //   198.18.0.1
    0x07, 0x00, 0x03, 0x00,  // IFA_LABEL
    0x76, 0x61, 0x00, 0x00,  //   "va" (+ pad)
    0x08, 0x00, 0x08, 0x00,  // IFA_FLAGS
    0x80, 0x00, 0x00, 0x00,  //   IFA_F_PERMANENT
    0x14, 0x00, 0x06, 0x00,  // IFA_CACHEINFO
    0xff, 0xff, 0xff, 0xff,  //   ifa_prefered: forever
    0xff, 0xff, 0xff, 0xff,  //   ifa_valid: forever
    0xf2, 0x99, 0x0c, 0x00,  //   cstamp
    0xf2, 0x99, 0x0c, 0x00,  //   tstamp
};

// `ip route replace 198.19.0.0/24 via 198.18.0.2` over `198.19.0.0/24 dev va`: one
// RTM_NEWROUTE flagged NLM_F_REPLACE, and no RTM_DELROUTE for the route it replaced.
const Bytes kReplacedRoute = {
    0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
    0x18, 0x00,              // RTM_NEWROUTE
    0x00, 0x01,              // NLM_F_REPLACE
    0x3b, 0x21, 0x0d, 0x6b,  // nlmsg_seq
    0xe3, 0x25, 0x00, 0x00,  // nlmsg_pid
    0x02, 0x18, 0x00, 0x00,  // rtmsg: AF_INET, dst_len 24, src_len 0, tos 0
    0xfe, 0x03, 0x00, 0x01,  //   table main, proto boot, scope universe, type unicast
    0x10, 0x00, 0x00, 0x00,  //   rtm_flags RTNH_F_LINKDOWN (va's peer is down)
    0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE
    0xfe, 0x00, 0x00, 0x00,  //   254
    0x08, 0x00, 0x01, 0x00,  // RTA_DST
    0xc6, 0x13, 0x00, 0x00,  //   198.19.0.0
    0x08, 0x00, 0x05, 0x00,  // RTA_GATEWAY
    0xc6, 0x12, 0x00, 0x02,  //   198.18.0.2
    0x08, 0x00, 0x04, 0x00,  // RTA_OIF
    0x03, 0x00, 0x00, 0x00,  //   3
};

std::string Ip(const std::vector<uint8_t>& b) {
  char s[64];
  if (b.size() != 4) return "?";
  std::snprintf(s, sizeof s, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
  return s;
}

void TestDecodeAddress() {
  Bytes msg = Aligned(kNewAddr);
  Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(msg));
  CHECK(e.ok() && e.value().has_value());
  if (!e.ok() || !e.value()) return;
  CHECK(e.value()->kind == rtnl::EventKind::kAddress);
  CHECK(e.value()->action == rtnl::EventAction::kNew);
  const auto& a = std::get<rtnl::AddressInfo>(e.value()->value);
  CHECK(a.family == AF_INET && a.prefixlen == 24 && a.index == 3);
  CHECK(Ip(a.local) == "198.18.0.1" && Ip(a.address) == "198.18.0.1");
  CHECK(a.label == "va" && a.flags == IFA_F_PERMANENT);
  CHECK(a.valid_lft == 0xffffffff && a.preferred_lft == 0xffffffff);
  // Exactly what the dump parser makes of the same message.
  Result<rtnl::AddressInfo> dumped = rtnl::ParseAddr(Header(msg));
  CHECK(dumped.ok() && dumped.value().local == a.local && dumped.value().label == a.label &&
        dumped.value().flags == a.flags && dumped.value().index == a.index);
  // The same message as a delete.
  Bytes del = msg;
  reinterpret_cast<nlmsghdr*>(del.data())->nlmsg_type = RTM_DELADDR;
  Result<std::optional<rtnl::Event>> d = rtnl::DecodeEvent(Header(del));
  CHECK(d.ok() && d.value() && d.value()->action == rtnl::EventAction::kDelete &&
        d.value()->code() ==
            rtnl::EventCode(rtnl::EventKind::kAddress, rtnl::EventAction::kDelete));
}

void TestDecodeReplacedRoute() {
  Bytes msg = Aligned(kReplacedRoute);
  Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(msg));
  CHECK(e.ok() && e.value().has_value());
  if (!e.ok() || !e.value()) return;
  CHECK(e.value()->kind == rtnl::EventKind::kRoute);
  CHECK(e.value()->action == rtnl::EventAction::kReplace);
  const auto& r = std::get<rtnl::RouteInfo>(e.value()->value);
  CHECK(r.family == AF_INET && r.dst_len == 24 && r.table == RT_TABLE_MAIN);
  CHECK(Ip(r.dst) == "198.19.0.0" && Ip(r.gateway) == "198.18.0.2" && r.oif == 3);
  CHECK(r.type == RTN_UNICAST && r.protocol == RTPROT_BOOT && !r.priority);
  // Without NLM_F_REPLACE it is a plain new route; as RTM_DELROUTE, a delete.
  Bytes plain = msg;
  reinterpret_cast<nlmsghdr*>(plain.data())->nlmsg_flags = 0;
  Result<std::optional<rtnl::Event>> p = rtnl::DecodeEvent(Header(plain));
  CHECK(p.ok() && p.value() && p.value()->action == rtnl::EventAction::kNew);
  Bytes del = msg;
  reinterpret_cast<nlmsghdr*>(del.data())->nlmsg_type = RTM_DELROUTE;
  Result<std::optional<rtnl::Event>> d = rtnl::DecodeEvent(Header(del));
  CHECK(d.ok() && d.value() && d.value()->action == rtnl::EventAction::kDelete);
}

void TestDecodeLink() {
  netlink::MessageBuilder b(RTM_NEWLINK, 0);
  ifinfomsg ifi{};
  ifi.ifi_index = 7;
  ifi.ifi_flags = IFF_UP | IFF_BROADCAST;
  b.PutHeader(ifi);
  b.PutString(IFLA_IFNAME, "br7");
  b.PutU32(IFLA_MTU, 1400);
  b.PutU8(IFLA_OPERSTATE, IF_OPER_DOWN);
  size_t info = b.BeginNest(IFLA_LINKINFO);
  b.PutString(IFLA_INFO_KIND, "bridge");
  b.EndNest(info);
  Result<Bytes> built = std::move(b).Finish();
  CHECK(built.ok());
  if (!built.ok()) return;
  Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(built.value()));
  CHECK(e.ok() && e.value() && e.value()->kind == rtnl::EventKind::kLink &&
        e.value()->action == rtnl::EventAction::kNew);
  if (!e.ok() || !e.value()) return;
  const auto& l = std::get<rtnl::LinkInfo>(e.value()->value);
  CHECK(l.index == 7 && l.name == "br7" && l.mtu == 1400 && l.kind == "bridge");
  CHECK((l.flags & IFF_UP) && l.operstate == IF_OPER_DOWN);
  Bytes del = built.value();
  reinterpret_cast<nlmsghdr*>(del.data())->nlmsg_type = RTM_DELLINK;
  Result<std::optional<rtnl::Event>> d = rtnl::DecodeEvent(Header(del));
  CHECK(d.ok() && d.value() && d.value()->action == rtnl::EventAction::kDelete &&
        std::get<rtnl::LinkInfo>(d.value()->value).name == "br7");
}

void TestDecodeNeighbour() {
  // An IPv4 neighbour, as `ip neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev #3` sends it.
  rtnl::NeighbourRequest req;
  req.family = AF_INET;
  req.index = 3;
  req.state = NUD_PERMANENT;
  req.dst = {198, 18, 0, 9};
  req.lladdr = std::vector<uint8_t>{2, 0, 0, 0, 0, 9};
  Result<std::vector<uint8_t>> built = rtnl::BuildNewNeigh(req, NLM_F_CREATE | NLM_F_EXCL);
  CHECK(built.ok());
  if (!built.ok()) return;
  Bytes msg = built.value();
  Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(msg));
  CHECK(e.ok() && e.value() && e.value()->kind == rtnl::EventKind::kNeighbour &&
        e.value()->action == rtnl::EventAction::kNew);
  if (!e.ok() || !e.value()) return;
  const auto& n = std::get<rtnl::NeighbourInfo>(e.value()->value);
  CHECK(n.family == AF_INET && n.index == 3 && n.state == NUD_PERMANENT);
  CHECK(Ip(n.dst) == "198.18.0.9" && n.lladdr == (std::vector<uint8_t>{2, 0, 0, 0, 0, 9}));
  reinterpret_cast<nlmsghdr*>(msg.data())->nlmsg_type = RTM_DELNEIGH;
  Result<std::optional<rtnl::Event>> d = rtnl::DecodeEvent(Header(msg));
  CHECK(d.ok() && d.value() && d.value()->action == rtnl::EventAction::kDelete);
  // A forwarding-database entry (AF_BRIDGE) on the same group is not a neighbour event.
  req.family = AF_BRIDGE;
  req.dst.clear();
  Result<std::vector<uint8_t>> fdb = rtnl::BuildNewNeigh(req, NLM_F_CREATE | NLM_F_APPEND);
  CHECK(fdb.ok());
  if (!fdb.ok()) return;
  Result<std::optional<rtnl::Event>> f = rtnl::DecodeEvent(Header(fdb.value()));
  CHECK(f.ok() && !f.value().has_value());
  CHECK(rtnl::EventGroups(rtnl::EventKind::kNeighbour) == std::vector<uint32_t>{RTNLGRP_NEIGH});
}

// `ip rule add from 198.18.220.0/24 table 100 priority 1000`, as the kernel announced it to
// RTNLGRP_IPV4_RULE (captured with strace -e read=3 on `ip monitor rule`, kernel 6.18).
const Bytes kNewRule = {
    0x44, 0x00, 0x00, 0x00,  // nlmsg_len 68
    0x20, 0x00,              // RTM_NEWRULE
    0x00, 0x00,              // flags
    0x5d, 0x00, 0x0f, 0x6b,  // nlmsg_seq: ip's request
    0x99, 0x28, 0x00, 0x00,  // nlmsg_pid: ip's port
    0x02, 0x00, 0x18, 0x00,  // fib_rule_hdr: AF_INET, dst_len 0, src_len 24, tos 0
    0x64, 0x00, 0x00, 0x01,  //   table 100, res1, res2, action FR_ACT_TO_TBL
    0x00, 0x00, 0x00, 0x00,  //   flags
    0x08, 0x00, 0x0f, 0x00,  // FRA_TABLE
    0x64, 0x00, 0x00, 0x00,  //   100
    0x08, 0x00, 0x0e, 0x00,  // FRA_SUPPRESS_PREFIXLEN
    0xff, 0xff, 0xff, 0xff,  //   -1 (unset)
    0x05, 0x00, 0x15, 0x00,  // FRA_PROTOCOL
    0x00, 0x00, 0x00, 0x00,  //   RTPROT_UNSPEC (+ pad)
    0x08, 0x00, 0x06, 0x00,  // FRA_PRIORITY
    0xe8, 0x03, 0x00, 0x00,  //   1000
    0x08, 0x00, 0x02, 0x00,  // FRA_SRC
    0xc6, 0x12, 0xdc, 0x00,  //   198.18.220.0
};

// `ip nexthop del id 1` (1: via 198.18.220.2 dev #3), as RTNLGRP_NEXTHOP announced it: the
// nexthop as it was, then (kNexthopGroupShrunk) the group 10 = 1/2,3 that lost it, as an
// RTM_NEWNEXTHOP. Both carry the flags of ip's request.
const Bytes kDelNexthop = {
    0x30, 0x00, 0x00, 0x00,  // nlmsg_len 48
    0x69, 0x00,              // RTM_DELNEXTHOP
    0x05, 0x00,              // NLM_F_REQUEST | NLM_F_ACK
    0x5d, 0x00, 0x0f, 0x6b,  // nlmsg_seq
    0x9d, 0x28, 0x00, 0x00,  // nlmsg_pid
    0x02, 0xfd, 0x00, 0x00,  // nhmsg: AF_INET, scope link, protocol unspec, resvd
    0x00, 0x00, 0x00, 0x00,  //   nh_flags
    0x08, 0x00, 0x01, 0x00,  // NHA_ID
    0x01, 0x00, 0x00, 0x00,  //   1
    0x08, 0x00, 0x05, 0x00,  // NHA_OIF
    0x03, 0x00, 0x00, 0x00,  //   3
    0x08, 0x00, 0x06, 0x00,  // NHA_GATEWAY
    0xc6, 0x12, 0xdc, 0x02,  //   198.18.220.2
};
const Bytes kNexthopGroupShrunk = {
    0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
    0x68, 0x00,              // RTM_NEWNEXTHOP
    0x05, 0x00,              // NLM_F_REQUEST | NLM_F_ACK (the delete's)
    0x5d, 0x00, 0x0f, 0x6b,  // nlmsg_seq
    0x9d, 0x28, 0x00, 0x00,  // nlmsg_pid
    0x00, 0x00, 0x00, 0x00,  // nhmsg: AF_UNSPEC, scope universe, protocol unspec, resvd
    0x00, 0x00, 0x00, 0x00,  //   nh_flags
    0x08, 0x00, 0x01, 0x00,  // NHA_ID
    0x0a, 0x00, 0x00, 0x00,  //   10
    0x06, 0x00, 0x03, 0x00,  // NHA_GROUP_TYPE
    0x00, 0x00, 0x00, 0x00,  //   NEXTHOP_GRP_TYPE_MPATH (+ pad)
    0x0c, 0x00, 0x02, 0x00,  // NHA_GROUP: one struct nexthop_grp
    0x02, 0x00, 0x00, 0x00,  //   id 2
    0x02, 0x00, 0x00, 0x00,  //   weight 2 (ip's 3), resvd
    0x08, 0x00, 0x0e, 0x00,  // NHA_OP_FLAGS (not decoded)
    0x00, 0x00, 0x00, 0x80,  //   0x80000000
};

void TestDecodeRule() {
  Bytes msg = Aligned(kNewRule);
  Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(msg));
  CHECK(e.ok() && e.value() && e.value()->kind == rtnl::EventKind::kRule &&
        e.value()->action == rtnl::EventAction::kNew);
  if (!e.ok() || !e.value()) return;
  // The event's rule is the dump parser's.
  Result<rtnl::RuleInfo> dumped = rtnl::ParseRule(Header(msg));
  CHECK(dumped.ok());
  const auto& r = std::get<rtnl::RuleInfo>(e.value()->value);
  CHECK(r.family == AF_INET && r.src_len == 24 && Ip(r.src) == "198.18.220.0" && r.table == 100 &&
        r.priority == 1000u && r.action == FR_ACT_TO_TBL);
  CHECK(dumped.ok() && dumped.value().priority == r.priority && dumped.value().src == r.src);
  reinterpret_cast<nlmsghdr*>(msg.data())->nlmsg_type = RTM_DELRULE;
  Result<std::optional<rtnl::Event>> d = rtnl::DecodeEvent(Header(msg));
  CHECK(d.ok() && d.value() && d.value()->action == rtnl::EventAction::kDelete);
  CHECK(rtnl::EventGroups(rtnl::EventKind::kRule) ==
        (std::vector<uint32_t>{RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE}));
}

void TestDecodeNexthop() {
  Bytes del = Aligned(kDelNexthop);
  Result<std::optional<rtnl::Event>> d = rtnl::DecodeEvent(Header(del));
  CHECK(d.ok() && d.value() && d.value()->kind == rtnl::EventKind::kNexthop &&
        d.value()->action == rtnl::EventAction::kDelete);
  if (!d.ok() || !d.value()) return;
  const auto& gone = std::get<rtnl::NexthopObjectInfo>(d.value()->value);
  CHECK(gone.id == 1 && gone.family == AF_INET && gone.oif == 3 &&
        Ip(gone.gateway) == "198.18.220.2" && gone.group.empty());
  Bytes grp = Aligned(kNexthopGroupShrunk);
  Result<std::optional<rtnl::Event>> n = rtnl::DecodeEvent(Header(grp));
  CHECK(n.ok() && n.value() && n.value()->action == rtnl::EventAction::kNew);
  if (!n.ok() || !n.value()) return;
  const auto& group = std::get<rtnl::NexthopObjectInfo>(n.value()->value);
  CHECK(group.id == 10 && group.group.size() == 1 && group.group_type == NEXTHOP_GRP_TYPE_MPATH);
  CHECK(!group.group.empty() && group.group[0].id == 2 && group.group[0].weight == 2);
  CHECK(rtnl::EventGroups(rtnl::EventKind::kNexthop) == std::vector<uint32_t>{RTNLGRP_NEXTHOP});
}

// `sysctl -w net.ipv4.conf.mca.rp_filter=2` (mca = ifindex 3), as RTNLGRP_IPV4_NETCONF announced
// it (`ip monitor netconf`: "inet mca rp_filter loose"): the one value that changed. Then the
// link's delete: RTM_DELNETCONF with the index alone.
const Bytes kNetconfRpFilter = {
    0x24, 0x00, 0x00, 0x00,  // nlmsg_len 36
    0x50, 0x00,              // RTM_NEWNETCONF
    0x00, 0x00,              // flags
    0x00, 0x00, 0x00, 0x00,  // nlmsg_seq
    0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
    0x02, 0x00, 0x00, 0x00,  // netconfmsg: AF_INET (+ pad)
    0x08, 0x00, 0x01, 0x00,  // NETCONFA_IFINDEX
    0x03, 0x00, 0x00, 0x00,  //   3
    0x08, 0x00, 0x03, 0x00,  // NETCONFA_RP_FILTER
    0x02, 0x00, 0x00, 0x00,  //   2 (loose)
};
const Bytes kNetconfDeleted = {
    0x1c, 0x00, 0x00, 0x00,  // nlmsg_len 28
    0x51, 0x00,              // RTM_DELNETCONF
    0x00, 0x00,              // flags
    0x00, 0x00, 0x00, 0x00,  // nlmsg_seq
    0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
    0x0a, 0x00, 0x00, 0x00,  // netconfmsg: AF_INET6 (+ pad)
    0x08, 0x00, 0x01, 0x00,  // NETCONFA_IFINDEX
    0x03, 0x00, 0x00, 0x00,  //   3
};

void TestDecodeNetconf() {
  Bytes msg = Aligned(kNetconfRpFilter);
  Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(msg));
  CHECK(e.ok() && e.value() && e.value()->kind == rtnl::EventKind::kNetconf &&
        e.value()->action == rtnl::EventAction::kNew);
  if (!e.ok() || !e.value()) return;
  const auto& c = std::get<rtnl::NetconfInfo>(e.value()->value);
  CHECK(c.family == AF_INET && c.ifindex == 3 && c.rp_filter == 2 && !c.forwarding &&
        !c.proxy_neigh);
  Bytes del = Aligned(kNetconfDeleted);
  Result<std::optional<rtnl::Event>> d = rtnl::DecodeEvent(Header(del));
  CHECK(d.ok() && d.value() && d.value()->action == rtnl::EventAction::kDelete);
  if (!d.ok() || !d.value()) return;
  const auto& gone = std::get<rtnl::NetconfInfo>(d.value()->value);
  CHECK(gone.family == AF_INET6 && gone.ifindex == 3 && !gone.forwarding);
  // MPLS's netconf (RTNLGRP_MPLS_NETCONF, not joined) is not an event.
  msg[16] = AF_MPLS;
  Result<std::optional<rtnl::Event>> mpls = rtnl::DecodeEvent(Header(msg));
  CHECK(mpls.ok() && !mpls.value().has_value());
  CHECK(rtnl::EventGroups(rtnl::EventKind::kNetconf) ==
        (std::vector<uint32_t>{RTNLGRP_IPV4_NETCONF, RTNLGRP_IPV6_NETCONF}));
}

void TestNotDecoded() {
  // Control messages and kinds without a decoder (a neighbour probe, a get) are not events, and
  // not errors either.
  for (uint16_t type : {uint16_t{NLMSG_ERROR}, uint16_t{NLMSG_DONE}, uint16_t{RTM_GETNEIGH},
                        uint16_t{RTM_GETNETCONF}, uint16_t{RTM_GETLINK}}) {
    nlmsghdr h{};
    h.nlmsg_len = NLMSG_HDRLEN;
    h.nlmsg_type = type;
    Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(h);
    CHECK(e.ok() && !e.value().has_value());
    CHECK(!rtnl::ClassifyEvent(type).has_value());
  }
}

void TestMalformed() {
  // A known type too short for its family header.
  Bytes msg = Aligned(kNewAddr);
  reinterpret_cast<nlmsghdr*>(msg.data())->nlmsg_len = NLMSG_HDRLEN + 4;
  Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(msg));
  CHECK(!e.ok() && e.error().code == EINVAL);
  // An attribute whose length runs past the message.
  Bytes bad = Aligned(kReplacedRoute);
  bad[28] = 0xff;  // RTA_TABLE's nla_len
  Result<std::optional<rtnl::Event>> r = rtnl::DecodeEvent(Header(bad));
  CHECK(!r.ok() && r.error().code == EINVAL);
}

void TestCodes() {
  std::vector<uint8_t> seen;
  for (uint8_t k = 0; k < static_cast<uint8_t>(rtnl::EventKind::kCount); ++k) {
    auto kind = static_cast<rtnl::EventKind>(k);
    CHECK(!rtnl::EventGroups(kind).empty());
    CHECK(std::string(rtnl::EventKindName(kind)) != "?");
    for (auto action :
         {rtnl::EventAction::kNew, rtnl::EventAction::kDelete, rtnl::EventAction::kReplace}) {
      uint8_t code = rtnl::EventCode(kind, action);
      CHECK(code >= 1 && code <= rtnl::kEventCodeCount);
      CHECK(code < rtnl::EventBatch::kOverrun && code < rtnl::EventBatch::kFence);
      CHECK(std::find(seen.begin(), seen.end(), code) == seen.end());
      seen.push_back(code);
    }
  }
  // Each kind's message types map back to it.
  auto link = rtnl::ClassifyEvent(RTM_DELLINK);
  CHECK(link && link->kind == rtnl::EventKind::kLink && link->action == rtnl::EventAction::kDelete);
  auto route = rtnl::ClassifyEvent(RTM_NEWROUTE);
  CHECK(route && route->kind == rtnl::EventKind::kRoute &&
        route->action == rtnl::EventAction::kNew);
  CHECK(rtnl::EventGroups(rtnl::EventKind::kRoute) ==
        (std::vector<uint32_t>{RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE}));
}

void TestBatchAppend() {
  rtnl::EventBatch batch;
  for (const Bytes* m : {&kNewAddr, &kReplacedRoute, &kNewAddr}) {
    Bytes msg = Aligned(*m);
    Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(Header(msg));
    if (e.ok() && e.value()) batch.Append(std::move(*e.value()));
  }
  CHECK(batch.codes == (std::vector<uint8_t>{
                           rtnl::EventCode(rtnl::EventKind::kAddress, rtnl::EventAction::kNew),
                           rtnl::EventCode(rtnl::EventKind::kRoute, rtnl::EventAction::kReplace),
                           rtnl::EventCode(rtnl::EventKind::kAddress, rtnl::EventAction::kNew),
                       }));
  CHECK(batch.addresses.size() == 2 && batch.routes.size() == 1 && batch.links.empty());
}

// Random corruption of real notifications: decoding must never read out of bounds (ASan) or
// hit undefined behaviour (UBSan); it either decodes or says EINVAL.
void TestMutations() {
  std::mt19937 rng(12);
  for (int i = 0; i < 20000; ++i) {
    Bytes msg = Aligned(i % 2 ? kNewAddr : kReplacedRoute);
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) msg[rng() % msg.size()] = static_cast<uint8_t>(rng());
    // Keep nlmsg_len within the buffer, as the engine guarantees before handing a message on.
    auto* h = reinterpret_cast<nlmsghdr*>(msg.data());
    if (h->nlmsg_len > msg.size() || h->nlmsg_len < NLMSG_HDRLEN) h->nlmsg_len = msg.size();
    Result<std::optional<rtnl::Event>> e = rtnl::DecodeEvent(*h);
    CHECK(e.ok() || e.error().code == EINVAL);
  }
}

// --- against the kernel ------------------------------------------------------------------------

std::unique_ptr<rtnl::Operation> SetMtu(const std::string& name, uint32_t mtu) {
  rtnl::LinkRequest req;
  req.name = name;
  req.mtu = mtu;
  return std::make_unique<rtnl::Operation>(rtnl::BuildNewLink(req, 0), false);
}

bool Run(netlink::Socket& s, std::vector<std::unique_ptr<rtnl::Operation>>& ops) {
  std::vector<rtnl::Operation*> ptrs;
  for (auto& op : ops) ptrs.push_back(op.get());
  if (!rtnl::RunOperations(s, ptrs).ok()) return false;
  for (auto* op : ptrs) {
    if (!op->status().ok()) return false;
  }
  return true;
}

bool Bridge(netlink::Socket& s, const std::string& name) {
  rtnl::LinkRequest req;
  req.name = name;
  req.kind = "bridge";
  std::vector<std::unique_ptr<rtnl::Operation>> ops;
  ops.push_back(
      std::make_unique<rtnl::Operation>(rtnl::BuildNewLink(req, NLM_F_CREATE | NLM_F_EXCL), false));
  return Run(s, ops);
}

// Reads until the queue is empty.
rtnl::EventBatch ReadAll(rtnl::Monitor& m) {
  rtnl::EventBatch batch;
  bool drained = false;
  while (!drained) {
    Status s = m.Read(&batch, 64, &drained);
    CHECK(s.ok());
    if (!s.ok()) break;
  }
  return batch;
}

constexpr uint32_t kLinks = 1u << static_cast<uint8_t>(rtnl::EventKind::kLink);
const uint8_t kLinkNew = rtnl::EventCode(rtnl::EventKind::kLink, rtnl::EventAction::kNew);

void TestKernelEventsAndFences() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  rtnl::MonitorOptions options;
  options.kinds = kLinks;
  Result<std::unique_ptr<rtnl::Monitor>> m = rtnl::Monitor::Open(options);
  CHECK(s.ok() && m.ok());
  if (!s.ok() || !m.ok()) return;
  rtnl::Monitor& mon = *m.value();
  // The receive buffer asked for (the kernel doubles it).
  int rcvbuf = 0;
  socklen_t len = sizeof rcvbuf;
  getsockopt(mon.fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len);
  CHECK(rcvbuf == 2 * options.receive_buffer);

  // A fence, a change, a fence: the events come between the two, in that order.
  Result<uint32_t> f1 = mon.Fence();
  CHECK(Bridge(s.value(), "mbr0"));
  Result<uint32_t> f2 = mon.Fence();
  CHECK(f1.ok() && f2.ok());
  rtnl::EventBatch batch = ReadAll(mon);
  CHECK(batch.codes.size() >= 3);
  CHECK(batch.codes.front() == rtnl::EventBatch::kFence);
  CHECK(batch.codes.back() == rtnl::EventBatch::kFence);
  for (size_t i = 1; i + 1 < batch.codes.size(); ++i) CHECK(batch.codes[i] == kLinkNew);
  CHECK(batch.fences == (std::vector<uint32_t>{f1.value(), f2.value()}));
  CHECK(!batch.links.empty() && batch.links.front().name == "mbr0" &&
        batch.links.front().kind == "bridge");

  // Discarding: read and dropped, not decoded.
  mon.set_discard(true);
  std::vector<std::unique_ptr<rtnl::Operation>> ops;
  ops.push_back(SetMtu("mbr0", 1400));
  CHECK(Run(s.value(), ops));
  CHECK(ReadAll(mon).empty());
  CHECK(mon.stats().discarded >= 1);
  mon.set_discard(false);
}

void TestKernelOverrun() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  rtnl::MonitorOptions options;
  options.kinds = kLinks;
  options.receive_buffer = 4096;  // ~3 link notifications
  Result<std::unique_ptr<rtnl::Monitor>> m = rtnl::Monitor::Open(options);
  CHECK(s.ok() && m.ok() && Bridge(s.value(), "mbr1"));
  if (!s.ok() || !m.ok()) return;
  rtnl::Monitor& mon = *m.value();
  ReadAll(mon);
  // A fence sent before the loss may be dropped with it: it is forgotten, never reported.
  CHECK(mon.Fence().ok());
  std::vector<std::unique_ptr<rtnl::Operation>> ops;
  for (uint32_t i = 0; i < 100; ++i) ops.push_back(SetMtu("mbr1", 1300 + i));
  CHECK(Run(s.value(), ops));
  rtnl::EventBatch batch = ReadAll(mon);
  // What was queued before the loss comes first, then the overrun, where the queue ran empty.
  CHECK(!batch.codes.empty() && batch.codes.back() == rtnl::EventBatch::kOverrun);
  size_t events = 0;
  for (uint8_t c : batch.codes) events += c == kLinkNew;
  CHECK(events >= 1 && events < 100);
  CHECK(std::count(batch.codes.begin(), batch.codes.end(), rtnl::EventBatch::kOverrun) == 1);
  CHECK(mon.stats().overruns == 1);
  for (size_t i = 0; i < batch.links.size(); ++i) CHECK(batch.links[i].mtu == 1300 + i);
  // The queue is no longer congested: a fence now gets through, and events after it.
  Result<uint32_t> f = mon.Fence();
  ops.clear();
  ops.push_back(SetMtu("mbr1", 1500));
  CHECK(f.ok() && Run(s.value(), ops));
  rtnl::EventBatch after = ReadAll(mon);
  CHECK(after.codes == (std::vector<uint8_t>{rtnl::EventBatch::kFence, kLinkNew}));
  CHECK(after.fences == std::vector<uint32_t>{f.ok() ? f.value() : 0});
  CHECK(!after.links.empty() && after.links.front().mtu == 1500);
}

}  // namespace

int main() {
  TestDecodeAddress();
  TestDecodeReplacedRoute();
  TestDecodeLink();
  TestDecodeNeighbour();
  TestDecodeRule();
  TestDecodeNexthop();
  TestDecodeNetconf();
  TestNotDecoded();
  TestMalformed();
  TestCodes();
  TestBatchAppend();
  TestMutations();
  const char* kernel = std::getenv("NETNS_NATIVE_KERNEL_TEST");
  if (kernel != nullptr && std::strcmp(kernel, "1") == 0) {
    TestKernelEventsAndFences();
    TestKernelOverrun();
    return test::Report("monitor_test (with kernel)");
  }
  return test::Report("monitor_test");
}
