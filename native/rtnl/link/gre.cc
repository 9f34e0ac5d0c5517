// Kinds "gre", "gretap", "ip6gre" and "ip6gretap": `ip link add NAME type gre remote IP local IP
// [key K] [ttl N] ...` (IFLA_GRE_*, linux/if_tunnel.h; the kernel's ipgre_policy[] and
// ip6gre_policy[]). The four share one table: LOCAL and REMOTE are the same attributes with
// 4-byte or 16-byte addresses. Flags, keys, the flow label and the encapsulation ports are
// big-endian on the wire.
#include <linux/if_tunnel.h>

#include "../link_kind.h"

namespace netns_native::rtnl {
namespace {

std::vector<AttrSpec> GreAttrs() {
  return {
      {"link", IFLA_GRE_LINK, AttrType::kU32},
      {"iflags", IFLA_GRE_IFLAGS, AttrType::kBe16},
      {"oflags", IFLA_GRE_OFLAGS, AttrType::kBe16},
      {"ikey", IFLA_GRE_IKEY, AttrType::kBe32},
      {"okey", IFLA_GRE_OKEY, AttrType::kBe32},
      {"local", IFLA_GRE_LOCAL, AttrType::kIp},
      {"remote", IFLA_GRE_REMOTE, AttrType::kIp},
      {"ttl", IFLA_GRE_TTL, AttrType::kU8},
      {"tos", IFLA_GRE_TOS, AttrType::kU8},
      {"pmtudisc", IFLA_GRE_PMTUDISC, AttrType::kU8},
      {"encapLimit", IFLA_GRE_ENCAP_LIMIT, AttrType::kU8},
      {"flowinfo", IFLA_GRE_FLOWINFO, AttrType::kBe32},
      {"flags", IFLA_GRE_FLAGS, AttrType::kU32},
      {"encapType", IFLA_GRE_ENCAP_TYPE, AttrType::kU16},
      {"encapFlags", IFLA_GRE_ENCAP_FLAGS, AttrType::kU16},
      {"encapSport", IFLA_GRE_ENCAP_SPORT, AttrType::kBe16},
      {"encapDport", IFLA_GRE_ENCAP_DPORT, AttrType::kBe16},
      {"collectMetadata", IFLA_GRE_COLLECT_METADATA, AttrType::kFlag},
      {"ignoreDf", IFLA_GRE_IGNORE_DF, AttrType::kU8},
      {"fwmark", IFLA_GRE_FWMARK, AttrType::kU32},
  };
}

const LinkKind kGre{"gre", false, GreAttrs()};
const LinkKind kGretap{"gretap", false, GreAttrs()};
const LinkKind kIp6gre{"ip6gre", false, GreAttrs()};
const LinkKind kIp6gretap{"ip6gretap", false, GreAttrs()};

const LinkKindRegistration kRegisterGre(&kGre);
const LinkKindRegistration kRegisterGretap(&kGretap);
const LinkKindRegistration kRegisterIp6gre(&kIp6gre);
const LinkKindRegistration kRegisterIp6gretap(&kIp6gretap);

}  // namespace
}  // namespace netns_native::rtnl
