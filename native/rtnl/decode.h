// rtnetlink notifications decoded: which kind of object a message is about (a link, an address,
// a route, an IP neighbour, a policy rule, a nexthop object, a netconf entry), whether it says the
// object is new (or changed) or deleted, and the object itself, parsed by the same
// ParseLink/ParseAddr/ ParseRoute/ParseNeigh/ParseRule/ParseNexthop/ParseNetconf as the dumps, so
// that an event's object is exactly what a dump would have returned for it. No I/O; safe on any
// thread.
//
// Adding a kind is one line in NETNS_EVENT_KINDS, its parser's result type in Event::Value, and
// its case in DecodeEvent and EventGroups.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "../common/result.h"
#include "address.h"
#include "link.h"
#include "neighbour.h"
#include "netconf.h"
#include "nexthop.h"
#include "route.h"
#include "rule.h"

namespace netns_native::rtnl {

// The kinds of notification decoded, in the order of their codes:
// F(enumerator, name as the JS side says it, the NEW message type, the DEL message type).
#define NETNS_EVENT_KINDS(F)                             \
  F(kLink, "link", RTM_NEWLINK, RTM_DELLINK)             \
  F(kAddress, "address", RTM_NEWADDR, RTM_DELADDR)       \
  F(kRoute, "route", RTM_NEWROUTE, RTM_DELROUTE)         \
  F(kNeighbour, "neighbour", RTM_NEWNEIGH, RTM_DELNEIGH) \
  F(kRule, "rule", RTM_NEWRULE, RTM_DELRULE)             \
  F(kNexthop, "nexthop", RTM_NEWNEXTHOP, RTM_DELNEXTHOP) \
  F(kNetconf, "netconf", RTM_NEWNETCONF, RTM_DELNETCONF)

enum class EventKind : uint8_t {
#define NETNS_KIND_ENUM(e, name, new_type, del_type) e,
  NETNS_EVENT_KINDS(NETNS_KIND_ENUM)
#undef NETNS_KIND_ENUM
      kCount
};

// kReplace: an RTM_NEW* message flagged NLM_F_REPLACE. For a route it means the object took the
// place of another one (IPv4: the first route of the table with the same destination, TOS and
// metric, whatever its next hop or type; fib_table_insert in fib_trie.c), which gets no
// RTM_DELROUTE of its own.
enum class EventAction : uint8_t { kNew = 0, kDelete = 1, kReplace = 2 };
inline constexpr int kEventActions = 3;

// The number that stands for (kind, action) where events cross as numbers: 1 + 3*kind + action
// (link new 1, link delete 2, link replace 3, address new 4, ...). 0 is never a code.
constexpr uint8_t EventCode(EventKind kind, EventAction action) {
  return static_cast<uint8_t>(1 + kEventActions * static_cast<int>(kind) +
                              static_cast<int>(action));
}
inline constexpr uint8_t kEventCodeCount = kEventActions * static_cast<uint8_t>(EventKind::kCount);

const char* EventKindName(EventKind kind);

struct Event {
  EventKind kind = EventKind::kLink;
  EventAction action = EventAction::kNew;
  // The object as the message describes it (for a delete: as it was when it went).
  using Value = std::variant<LinkInfo, AddressInfo, RouteInfo, NeighbourInfo, RuleInfo,
                             NexthopObjectInfo, NetconfInfo>;
  Value value;

  uint8_t code() const { return EventCode(kind, action); }
};

// The kind and action of a message type, or nullopt for a type that is not a notification we
// decode (control messages, RTM_GETNEIGH probes, ...).
struct EventType {
  EventKind kind;
  EventAction action;
};
std::optional<EventType> ClassifyEvent(uint16_t nlmsg_type);

// Decodes one notification. nullopt (not an error) for a message ClassifyEvent does not know, and
// for forwarding-database entries (AF_BRIDGE neighbours: `bridge monitor fdb`, not reported);
// EINVAL for one of a known type that does not parse (truncated header, malformed attributes).
Result<std::optional<Event>> DecodeEvent(const nlmsghdr& msg);

// The rtnetlink multicast groups (RTNLGRP_*) that carry a kind's notifications, both address
// families where there are two.
std::vector<uint32_t> EventGroups(EventKind kind);

}  // namespace netns_native::rtnl
