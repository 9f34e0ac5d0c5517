#include "rule.h"

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "../netlink/message.h"

namespace netns_native::rtnl {

using netlink::AttrTable;
using netlink::MessageBuilder;

namespace {

Result<std::vector<uint8_t>> BuildRule(uint16_t type, uint16_t nl_flags, const RuleRequest& req) {
  MessageBuilder b(type, NLM_F_REQUEST | nl_flags);
  fib_rule_hdr frh{};
  frh.family = req.family;
  frh.dst_len = req.dst_len;
  frh.src_len = req.src_len;
  frh.tos = req.tos;
  frh.table = req.table < 256 ? static_cast<uint8_t>(req.table) : uint8_t{RT_TABLE_UNSPEC};
  frh.action = req.action;
  frh.flags = req.flags;
  b.PutHeader(frh);
  if (!req.dst.empty()) b.PutBytes(FRA_DST, req.dst);
  if (!req.src.empty()) b.PutBytes(FRA_SRC, req.src);
  if (req.iifname) b.PutString(FRA_IIFNAME, *req.iifname);
  if (req.oifname) b.PutString(FRA_OIFNAME, *req.oifname);
  if (req.priority) b.PutU32(FRA_PRIORITY, *req.priority);
  if (req.fwmark) b.PutU32(FRA_FWMARK, *req.fwmark);
  if (req.fwmask) b.PutU32(FRA_FWMASK, *req.fwmask);
  if (req.goto_priority) b.PutU32(FRA_GOTO, *req.goto_priority);
  if (req.table >= 256) b.PutU32(FRA_TABLE, req.table);
  // After the table, where `ip rule add from PREFIX table T realms R` puts it.
  if (req.flow) b.PutU32(FRA_FLOW, *req.flow);
  if (req.suppress_prefixlen) b.PutU32(FRA_SUPPRESS_PREFIXLEN, *req.suppress_prefixlen);
  if (req.suppress_ifgroup) b.PutU32(FRA_SUPPRESS_IFGROUP, *req.suppress_ifgroup);
  if (req.l3mdev) b.PutU8(FRA_L3MDEV, *req.l3mdev);
  if (req.uid_end) {
    fib_rule_uid_range r{req.uid_start.value_or(*req.uid_end), *req.uid_end};
    b.PutAttr(FRA_UID_RANGE, &r, sizeof r);
  }
  if (req.protocol) b.PutU8(FRA_PROTOCOL, *req.protocol);
  if (req.ip_proto) b.PutU8(FRA_IP_PROTO, *req.ip_proto);
  if (req.sport_end) {
    fib_rule_port_range r{req.sport_start.value_or(*req.sport_end), *req.sport_end};
    b.PutAttr(FRA_SPORT_RANGE, &r, sizeof r);
  }
  if (req.dport_end) {
    fib_rule_port_range r{req.dport_start.value_or(*req.dport_end), *req.dport_end};
    b.PutAttr(FRA_DPORT_RANGE, &r, sizeof r);
  }
  return std::move(b).Finish();
}

}  // namespace

Result<std::vector<uint8_t>> BuildNewRule(const RuleRequest& req, uint16_t nl_flags) {
  return BuildRule(RTM_NEWRULE, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDelRule(const RuleRequest& req, uint16_t nl_flags) {
  return BuildRule(RTM_DELRULE, nl_flags, req);
}

Result<std::vector<uint8_t>> BuildDumpRules(uint8_t family) {
  MessageBuilder b(RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP);
  fib_rule_hdr frh{};
  frh.family = family;
  b.PutHeader(frh);
  return std::move(b).Finish();
}

Result<RuleInfo> ParseRule(const nlmsghdr& msg) {
  const uint8_t* p;
  size_t len;
  if ((msg.nlmsg_type != RTM_NEWRULE && msg.nlmsg_type != RTM_DELRULE) ||
      !netlink::AttrsAfterHeader(msg, sizeof(fib_rule_hdr), &p, &len)) {
    return Error::Invalid("not an RTM_NEWRULE or RTM_DELRULE message");
  }
  fib_rule_hdr frh;
  std::memcpy(&frh, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof frh);
  RuleInfo info;
  info.family = frh.family;
  info.dst_len = frh.dst_len;
  info.src_len = frh.src_len;
  info.tos = frh.tos;
  info.table = frh.table;
  info.action = frh.action;
  info.flags = frh.flags;

  AttrTable<FRA_DPORT_RANGE + 1> t;
  Status s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  if (t[FRA_DST].present()) info.dst = t[FRA_DST].Bytes();
  if (t[FRA_SRC].present()) info.src = t[FRA_SRC].Bytes();
  info.iifname = t[FRA_IIFNAME].String();
  info.oifname = t[FRA_OIFNAME].String();
  auto u32 = [&t](int type, std::optional<uint32_t>* out) {
    if (t[type].len >= 4) *out = t[type].U32();
  };
  auto u8 = [&t](int type, std::optional<uint32_t>* out) {
    if (t[type].len >= 1) *out = t[type].U8();
  };
  u32(FRA_PRIORITY, &info.priority);
  u32(FRA_FWMARK, &info.fwmark);
  u32(FRA_FWMASK, &info.fwmask);
  u32(FRA_GOTO, &info.goto_priority);
  u32(FRA_FLOW, &info.flow);
  u32(FRA_SUPPRESS_PREFIXLEN, &info.suppress_prefixlen);
  u32(FRA_SUPPRESS_IFGROUP, &info.suppress_ifgroup);
  u8(FRA_L3MDEV, &info.l3mdev);
  u8(FRA_PROTOCOL, &info.protocol);
  u8(FRA_IP_PROTO, &info.ip_proto);
  if (t[FRA_TABLE].len >= 4) info.table = t[FRA_TABLE].U32();
  if (t[FRA_UID_RANGE].len >= sizeof(fib_rule_uid_range)) {
    fib_rule_uid_range r;
    std::memcpy(&r, t[FRA_UID_RANGE].data, sizeof r);
    info.uid_start = r.start;
    info.uid_end = r.end;
  }
  auto ports = [&t](int type, std::optional<uint32_t>* start, std::optional<uint32_t>* end) {
    if (t[type].len < sizeof(fib_rule_port_range)) return;
    fib_rule_port_range r;
    std::memcpy(&r, t[type].data, sizeof r);
    *start = r.start;
    *end = r.end;
  };
  ports(FRA_SPORT_RANGE, &info.sport_start, &info.sport_end);
  ports(FRA_DPORT_RANGE, &info.dport_start, &info.dport_end);
  return info;
}

}  // namespace netns_native::rtnl
