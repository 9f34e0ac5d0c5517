#include "decode.h"

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
    case EventKind::kCount:
      break;
  }
  return {};
}

}  // namespace netns_native::rtnl
