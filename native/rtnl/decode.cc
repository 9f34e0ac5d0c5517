#include "decode.h"

#include <linux/netconf.h>
#include <sys/socket.h>

namespace netns_native::rtnl {

const char* EventKindName(EventKind kind) {
  switch (kind) {
#define NETNS_KIND_NAME(e, name, new_type, del_type) \
  case EventKind::e:                                 \
    return name;
    NETNS_EVENT_KINDS(NETNS_KIND_NAME)
#undef NETNS_KIND_NAME
    case EventKind::kCount:
      break;
  }
  return "?";
}

std::optional<EventType> ClassifyEvent(uint16_t nlmsg_type) {
  switch (nlmsg_type) {
#define NETNS_KIND_TYPES(e, name, new_type, del_type)  \
  case new_type:                                       \
    return EventType{EventKind::e, EventAction::kNew}; \
  case del_type:                                       \
    return EventType{EventKind::e, EventAction::kDelete};
    NETNS_EVENT_KINDS(NETNS_KIND_TYPES)
#undef NETNS_KIND_TYPES
    default:
      return std::nullopt;
  }
}

namespace {

template <class T>
Result<std::optional<Event>> Wrap(EventType type, Result<T> parsed) {
  if (!parsed.ok()) return parsed.take_error();
  Event e;
  e.kind = type.kind;
  e.action = type.action;
  e.value = parsed.take();
  return std::optional<Event>(std::move(e));
}

}  // namespace

Result<std::optional<Event>> DecodeEvent(const nlmsghdr& msg) {
  std::optional<EventType> type = ClassifyEvent(msg.nlmsg_type);
  if (!type) return std::optional<Event>();
  if (type->action == EventAction::kNew && (msg.nlmsg_flags & NLM_F_REPLACE)) {
    type->action = EventAction::kReplace;
  }
  switch (type->kind) {
    case EventKind::kLink:
      return Wrap(*type, ParseLink(msg));
    case EventKind::kAddress:
      return Wrap(*type, ParseAddr(msg));
    case EventKind::kRoute:
      return Wrap(*type, ParseRoute(msg));
    case EventKind::kNeighbour: {
      // The same group carries the bridges' and VXLAN devices' forwarding databases.
      if (msg.nlmsg_len >= NLMSG_LENGTH(sizeof(ndmsg)) &&
          static_cast<const ndmsg*>(NLMSG_DATA(&msg))->ndm_family == AF_BRIDGE) {
        return std::optional<Event>();
      }
      return Wrap(*type, ParseNeigh(msg));
    }
    case EventKind::kRule:
      return Wrap(*type, ParseRule(msg));
    case EventKind::kNexthop:
      return Wrap(*type, ParseNexthop(msg));
    case EventKind::kNetconf: {
      // MPLS sends its netconf to RTNLGRP_MPLS_NETCONF, not joined; IPv4 and IPv6 only.
      if (msg.nlmsg_len >= NLMSG_LENGTH(sizeof(netconfmsg))) {
        uint8_t family = static_cast<const netconfmsg*>(NLMSG_DATA(&msg))->ncm_family;
        if (family != AF_INET && family != AF_INET6) return std::optional<Event>();
      }
      return Wrap(*type, ParseNetconf(msg));
    }
    case EventKind::kCount:
      break;
  }
  return std::optional<Event>();
}

std::vector<uint32_t> EventGroups(EventKind kind) {
  switch (kind) {
    case EventKind::kLink:
      return {RTNLGRP_LINK};
    case EventKind::kAddress:
      return {RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR};
    case EventKind::kRoute:
      return {RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE};
    case EventKind::kNeighbour:
      return {RTNLGRP_NEIGH};
    case EventKind::kRule:
      return {RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE};
    case EventKind::kNexthop:
      return {RTNLGRP_NEXTHOP};
    case EventKind::kNetconf:
      return {RTNLGRP_IPV4_NETCONF, RTNLGRP_IPV6_NETCONF};
    case EventKind::kCount:
      break;
  }
  return {};
}

}  // namespace netns_native::rtnl
