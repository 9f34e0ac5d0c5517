// Routing policy rules as rtnetlink messages: RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE
// (struct fib_rule_hdr + FRA_*, linux/fib_rules.h), what `ip rule` sends. No I/O; safe on any
// thread.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../common/result.h"

namespace netns_native::rtnl {

// What an RTM_NEWRULE / RTM_DELRULE request carries. Unset optionals are not sent; a delete
// matches the rule that has everything given (the kernel's rule_exists / fib_nl_delrule).
struct RuleRequest {
  uint8_t family = 0;                // AF_INET / AF_INET6
  uint8_t dst_len = 0, src_len = 0;  // prefix lengths of dst / src
  uint8_t tos = 0;
  uint32_t table = 0;                          // ids above 255 go in FRA_TABLE
  uint8_t action = 0;                          // FR_ACT_*
  uint32_t flags = 0;                          // FIB_RULE_INVERT, ...
  std::vector<uint8_t> dst, src;               // FRA_DST / FRA_SRC; empty: any
  std::optional<std::string> iifname;          // FRA_IIFNAME
  std::optional<std::string> oifname;          // FRA_OIFNAME
  std::optional<uint32_t> priority;            // FRA_PRIORITY (the preference)
  std::optional<uint32_t> fwmark;              // FRA_FWMARK
  std::optional<uint32_t> fwmask;              // FRA_FWMASK
  std::optional<uint32_t> goto_priority;       // FRA_GOTO (FR_ACT_GOTO)
  std::optional<uint32_t> suppress_prefixlen;  // FRA_SUPPRESS_PREFIXLEN
  std::optional<uint32_t> suppress_ifgroup;    // FRA_SUPPRESS_IFGROUP
  std::optional<uint8_t> l3mdev;               // FRA_L3MDEV
  std::optional<uint8_t> protocol;             // FRA_PROTOCOL: who made the rule
  std::optional<uint8_t> ip_proto;             // FRA_IP_PROTO
  // FRA_SPORT_RANGE / FRA_DPORT_RANGE (struct fib_rule_port_range) and FRA_UID_RANGE (struct
  // fib_rule_uid_range): sent when the end is set; a missing start means the end alone.
  std::optional<uint16_t> sport_start, sport_end, dport_start, dport_end;
  std::optional<uint32_t> uid_start, uid_end;
  // FRA_FLOW: realms (CONFIG_IP_ROUTE_CLASSID), source realm << 16 | destination realm; IPv4
  // only. The kernel stores and dumps it only when not 0.
  std::optional<uint32_t> flow;
};

// A decoded RTM_NEWRULE or RTM_DELRULE message.
struct RuleInfo {
  uint8_t family = 0, dst_len = 0, src_len = 0, tos = 0, action = 0;
  uint32_t table = 0;  // FRA_TABLE when present, else the header's
  uint32_t flags = 0;
  std::vector<uint8_t> dst, src;
  std::string iifname, oifname;
  std::optional<uint32_t> priority, fwmark, fwmask, goto_priority, suppress_prefixlen,
      suppress_ifgroup, l3mdev, protocol, ip_proto;
  std::optional<uint32_t> sport_start, sport_end, dport_start, dport_end, uid_start, uid_end;
  std::optional<uint32_t> flow;  // FRA_FLOW
};

Result<std::vector<uint8_t>> BuildNewRule(const RuleRequest& req, uint16_t nl_flags);
// RTM_DELRULE. `nl_flags`: 0, or NLM_F_ECHO for the kernel to send the rule it removed back.
Result<std::vector<uint8_t>> BuildDelRule(const RuleRequest& req, uint16_t nl_flags = 0);
// RTM_GETRULE dump; family AF_UNSPEC for both IPv4 and IPv6.
Result<std::vector<uint8_t>> BuildDumpRules(uint8_t family);

// Decodes an RTM_NEWRULE (reply or event) or RTM_DELRULE (event) message.
Result<RuleInfo> ParseRule(const nlmsghdr& msg);

}  // namespace netns_native::rtnl
