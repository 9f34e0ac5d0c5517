// The one declaration of what crosses between lib/native/wire.ts and the addon.
//
// Every request the addon accepts is a struct of named, typed fields; every operation's arguments
// are such a struct too. The fields are listed here once, as X-macros, and everything else is
// generated from these lists: the C++ readers (requests.cc), the result writers (results.cc) and
// the schema object the addon exports at load (schema.cc), from which lib/native/wire.ts builds
// its encoder and against which it checks its own declarations. Adding a field is one line here
// (plus the member in the rtnl struct it fills); a link kind's own attributes come from its table
// in native/rtnl/link/ instead.
//
// Wire format of one request (an array of JS values): the operation's code, then its argument
// struct. A struct is a run of (tag, value) pairs ended by 0; tag i is the i-th field of the
// struct's list (from 1), so fields left out cost nothing and there is no limit on their number.
// A nested struct (a link inside newlink, a veth peer) is encoded the same way, in place.
#pragma once

#include <cstdint>
#include <string>

#include "../../nft/statement.h"
#include "../../rtnl/address.h"
#include "../../rtnl/link.h"
#include "../../rtnl/neighbour.h"
#include "../../rtnl/netconf.h"
#include "../../rtnl/nexthop.h"
#include "../../rtnl/nsid.h"
#include "../../rtnl/route.h"
#include "../../rtnl/rule.h"

namespace netns_native::addon {

// Wire value types. Names (lower case) are what the exported schema says.
//   u8/u16/u32/i32: a JS number, range-checked; string: a JS string without NUL;
//   mac/ip: textual addresses; netns: a namespace handle, or { path, inode } of a namespace with
//   no handle open (opened read-only for the request), its fd is sent (IFLA_NET_NS_FD, NETNSA_FD);
//   link/address/route/neighbour/rule: a nested struct; kind/slavekind: the attributes of the
//   link's kind (or of its master's kind), as that kind's table in native/rtnl/link/ names them;
//   nexthops: a list of nexthop structs (a count, then each struct in place); metrics: a route's
//   metrics struct.
enum class Wire : uint8_t {
  kU8,
  kU16,
  kU32,
  kU64,
  kI32,
  kString,
  kMac,
  kIp,
  kNetns,
  kLink,
  kAddress,
  kRoute,
  kKind,
  kSlaveKind,
  kNeighbour,
  kRule,
  kNexthop,        // one next hop of a multipath route; repeats
  kMetrics,        // a route's metrics (RTA_METRICS), a nested struct
  kNftCommand,     // one nf_tables command of a batch; the field repeats (one per command)
  kNftStatement,   // one statement of a rule (nft/statement.h); repeats
  kNexthopObject,  // a nexthop object (`ip nexthop`), a nested struct
  kNexthopGroup,   // one member of a nexthop group; repeats
  kEncap,          // a route's or next hop's encap (RTA_ENCAP), a nested struct
  kIpList,         // a textual address; repeats, one element per occurrence
  kU32List,        // a u32; repeats likewise
};

// F(js name, C++ member, wire type)

// rtnl::LinkRequest (RTM_NEWLINK: ifinfomsg + IFLA_*).
#define NETNS_LINK_REQUEST(F)                          \
  F(index, index, kI32)                                \
  F(name, name, kString)                               \
  F(kind, kind, kString)                               \
  F(flags, flags, kU32)                                \
  F(change, change, kU32)                              \
  F(mtu, mtu, kU32)                                    \
  F(txqlen, txqlen, kU32)                              \
  F(group, group, kU32)                                \
  F(address, address, kMac)                            \
  F(master, master, kI32)                              \
  F(netns, netns_fd, kNetns)                           \
  F(alias, alias, kString)                             \
  F(newName, new_name, kString)                        \
  F(info, info, kKind)                                 \
  F(slaveKind, slave_kind, kString)                    \
  F(slaveInfo, slave_info, kSlaveKind)                 \
  F(link, link, kI32)                                  \
  F(carrier, carrier, kU8)                             \
  F(gsoMaxSize, gso_max_size, kU32)                    \
  F(gsoMaxSegs, gso_max_segs, kU32)                    \
  F(groMaxSize, gro_max_size, kU32)                    \
  F(numTxQueues, num_tx_queues, kU32)                  \
  F(numRxQueues, num_rx_queues, kU32)                  \
  F(addrGenMode, addr_gen_mode, kU8)                   \
  F(protoDown, proto_down, kU8)                        \
  F(protoDownReasonMask, proto_down_reason_mask, kU32) \
  F(protoDownReasonValue, proto_down_reason_value, kU32)

// rtnl::AddressRequest (ifaddrmsg + IFA_*). The family follows from `local`.
#define NETNS_ADDRESS_REQUEST(F) \
  F(local, local, kIp)           \
  F(prefixlen, prefixlen, kU8)   \
  F(index, index, kI32)          \
  F(peer, peer, kIp)             \
  F(broadcast, broadcast, kIp)   \
  F(label, label, kString)       \
  F(scope, scope, kU8)           \
  F(flags, flags, kU32)          \
  F(metric, metric, kU32)        \
  F(validLft, valid_lft, kU32)   \
  F(preferredLft, preferred_lft, kU32)

// rtnl::RouteRequest (rtmsg + RTA_*).
#define NETNS_ROUTE_REQUEST(F)      \
  F(family, family, kU8)            \
  F(dstLen, dst_len, kU8)           \
  F(srcLen, src_len, kU8)           \
  F(tos, tos, kU8)                  \
  F(table, table, kU32)             \
  F(protocol, protocol, kU8)        \
  F(scope, scope, kU8)              \
  F(type, type, kU8)                \
  F(flags, flags, kU32)             \
  F(dst, dst, kIp)                  \
  F(src, src, kIp)                  \
  F(gateway, gateway, kIp)          \
  F(prefsrc, prefsrc, kIp)          \
  F(oif, oif, kI32)                 \
  F(priority, priority, kU32)       \
  F(multipath, multipath, kNexthop) \
  F(metrics, metrics, kMetrics)     \
  F(pref, pref, kU8)                \
  F(expires, expires, kU32)         \
  F(nhid, nhid, kU32)               \
  F(flow, flow, kU32)               \
  F(encap, encap, kEncap)

// rtnl::RouteMetrics (RTA_METRICS: RTAX_*), in the kernel's units (route.h says which).
#define NETNS_ROUTE_METRICS(F)    \
  F(lock, lock, kU32)             \
  F(mtu, mtu, kU32)               \
  F(window, window, kU32)         \
  F(rtt, rtt, kU32)               \
  F(rttvar, rttvar, kU32)         \
  F(ssthresh, ssthresh, kU32)     \
  F(cwnd, cwnd, kU32)             \
  F(advmss, advmss, kU32)         \
  F(reordering, reordering, kU32) \
  F(hoplimit, hoplimit, kU32)     \
  F(initcwnd, initcwnd, kU32)     \
  F(features, features, kU32)     \
  F(rtoMin, rto_min, kU32)        \
  F(initrwnd, initrwnd, kU32)     \
  F(quickack, quickack, kU32)     \
  F(ccAlgo, cc_algo, kString)     \
  F(fastopenNoCookie, fastopen_no_cookie, kU32)

// rtnl::NexthopRequest (struct rtnexthop + RTA_GATEWAY), an entry of a route's multipath.
#define NETNS_NEXTHOP_REQUEST(F) \
  F(gateway, gateway, kIp)       \
  F(oif, oif, kI32)              \
  F(hops, hops, kU8)             \
  F(flags, flags, kU8)           \
  F(flow, flow, kU32)            \
  F(encap, encap, kEncap)

// rtnl::RouteEncap (RTA_ENCAP_TYPE + RTA_ENCAP), for a route or a next hop: `type` is the
// LWTUNNEL_ENCAP_*, and the fields of that type are set (route_encap.h says which). Sent and
// returned alike (NETNS_ROUTE_ENCAP_INFO).
#define NETNS_ROUTE_ENCAP(F)     \
  F(type, type, kU16)            \
  F(id, id, kU64)                \
  F(src, src, kIp)               \
  F(dst, dst, kIp)               \
  F(ttl, ttl, kU8)               \
  F(tos, tos, kU8)               \
  F(flags, flags, kU16)          \
  F(mode, mode, kU32)            \
  F(segments, segments, kIpList) \
  F(hmac, hmac, kU32)            \
  F(labels, labels, kU32List)    \
  F(action, action, kU32)        \
  F(table, table, kU32)          \
  F(vrftable, vrftable, kU32)    \
  F(nh4, nh4, kIp)               \
  F(nh6, nh6, kIp)               \
  F(iif, iif, kU32)              \
  F(oif, oif, kU32)

// rtnl::NexthopObjectRequest (nhmsg + NHA_*): a nexthop object, `ip nexthop add`.
#define NETNS_NEXTHOP_OBJECT_REQUEST(F) \
  F(id, id, kU32)                       \
  F(family, family, kU8)                \
  F(protocol, protocol, kU8)            \
  F(flags, flags, kU32)                 \
  F(gateway, gateway, kIp)              \
  F(oif, oif, kI32)                     \
  F(blackhole, blackhole, kU8)          \
  F(group, group, kNexthopGroup)        \
  F(groupType, group_type, kU16)        \
  F(fdb, fdb, kU8)                      \
  F(resBuckets, res_buckets, kU16)      \
  F(resIdleTimer, res_idle_timer, kU32) \
  F(resUnbalancedTimer, res_unbalanced_timer, kU32)

// rtnl::NexthopGroupEntry (struct nexthop_grp): `weight` is the weight minus 1.
#define NETNS_NEXTHOP_GROUP_ENTRY(F) F(id, id, kU32) F(weight, weight, kU8)

// rtnl::NeighbourRequest (ndmsg + NDA_*): a neighbour, or (family AF_BRIDGE) an fdb entry.
#define NETNS_NEIGHBOUR_REQUEST(F) \
  F(family, family, kU8)           \
  F(index, index, kI32)            \
  F(state, state, kU16)            \
  F(flags, flags, kU8)             \
  F(dst, dst, kIp)                 \
  F(lladdr, lladdr, kMac)          \
  F(vlan, vlan, kU16)              \
  F(port, port, kU16)              \
  F(vni, vni, kU32)                \
  F(ifindex, ifindex, kU32)        \
  F(master, master, kU32)          \
  F(srcVni, src_vni, kU32)         \
  F(protocol, protocol, kU8)       \
  F(flagsExt, flags_ext, kU32)

// rtnl::RuleRequest (fib_rule_hdr + FRA_*).
#define NETNS_RULE_REQUEST(F)                    \
  F(family, family, kU8)                         \
  F(dstLen, dst_len, kU8)                        \
  F(srcLen, src_len, kU8)                        \
  F(tos, tos, kU8)                               \
  F(table, table, kU32)                          \
  F(action, action, kU8)                         \
  F(flags, flags, kU32)                          \
  F(dst, dst, kIp)                               \
  F(src, src, kIp)                               \
  F(iifname, iifname, kString)                   \
  F(oifname, oifname, kString)                   \
  F(priority, priority, kU32)                    \
  F(fwmark, fwmark, kU32)                        \
  F(fwmask, fwmask, kU32)                        \
  F(goto, goto_priority, kU32)                   \
  F(suppressPrefixlen, suppress_prefixlen, kU32) \
  F(suppressIfgroup, suppress_ifgroup, kU32)     \
  F(l3mdev, l3mdev, kU8)                         \
  F(protocol, protocol, kU8)                     \
  F(ipProto, ip_proto, kU8)                      \
  F(sportStart, sport_start, kU16)               \
  F(sportEnd, sport_end, kU16)                   \
  F(dportStart, dport_start, kU16)               \
  F(dportEnd, dport_end, kU16)                   \
  F(uidStart, uid_start, kU32)                   \
  F(uidEnd, uid_end, kU32)                       \
  F(flow, flow, kU32)

// One statement of an nf_tables rule (nft/statement.h); `kind` is its name there in lower case
// ('saddr', 'ethersaddr', 'oifname', 'dport', 'masquerade', 'dnat', ...), `op` an NFT_CMP_*.
#define NETNS_NFT_STATEMENT(F) \
  F(kind, kind, kString)       \
  F(op, op, kU8)               \
  F(address, address, kIp)     \
  F(mac, mac, kMac)            \
  F(prefix, prefix, kU8)       \
  F(name, name, kString)       \
  F(proto, proto, kU8)         \
  F(port, port, kU16)          \
  F(bits, bits, kU32)          \
  F(chain, chain, kString)     \
  F(family, family, kU8)

// One command of an nf_tables batch: `type` is the NFT_MSG_* (NEWTABLE, DELTABLE, NEWCHAIN,
// DELCHAIN, NEWRULE, DELRULE, NEWSET, DELSET, NEWSETELEM, DELSETELEM); a chain with `hooknum` is
// a base chain. NEWSET: `set` with `keyType` and (a map) `dataType` in nft's words, fields joined
// by " . " ("ipv4_addr . inet_proto . inet_service"). NEWSETELEM / DELSETELEM: one element of a
// published-port map, key `[keyAddress .] keyProto . keyPort`, data `dataAddress . dataPort`
// (not sent by DELSETELEM); `exclusive` makes a taken key EEXIST.
#define NETNS_NFT_COMMAND(F)               \
  F(type, type, kU8)                       \
  F(family, family, kU8)                   \
  F(table, table, kString)                 \
  F(chain, chain, kString)                 \
  F(hooknum, hooknum, kU32)                \
  F(priority, priority, kI32)              \
  F(chainType, chain_type, kString)        \
  F(policy, policy, kU32)                  \
  F(handle, handle, kU64)                  \
  F(comment, comment, kString)             \
  F(exclusive, exclusive, kU8)             \
  F(echo, echo, kU8)                       \
  F(statements, statements, kNftStatement) \
  F(set, set, kString)                     \
  F(keyType, key_type, kString)            \
  F(dataType, data_type, kString)          \
  F(keyAddress, key_address, kIp)          \
  F(keyProto, key_proto, kU8)              \
  F(keyPort, key_port, kU16)               \
  F(dataAddress, data_address, kIp)        \
  F(dataPort, data_port, kU16)

// The C++ side of a statement and a command as they cross (requests.cc makes messages of them).
struct NftStatementArgs {
  std::string kind;
  uint8_t op = 0;
  std::vector<uint8_t> address;
  std::vector<uint8_t> mac;
  uint8_t prefix = 0;
  std::string name;
  uint8_t proto = 0;
  uint16_t port = 0;
  uint32_t bits = 0;
  std::string chain;
  uint8_t family = 0;
};
struct NftCommandArgs {
  uint8_t type = 0;
  uint8_t family = 0;
  std::string table, chain;
  std::optional<uint32_t> hooknum;
  int32_t priority = 0;
  std::string chain_type;
  std::optional<uint32_t> policy;
  uint64_t handle = 0;
  std::optional<std::string> comment;
  uint8_t exclusive = 0;
  uint8_t echo = 0;  // NEWRULE: NLM_F_ECHO, the rule comes back with its handle
  std::vector<NftStatementArgs> statements;
  std::string set;
  std::string key_type, data_type;
  std::vector<uint8_t> key_address;
  uint8_t key_proto = 0;
  uint16_t key_port = 0;
  std::vector<uint8_t> data_address;
  uint16_t data_port = 0;
};

// Operations: O(code, js name, argument struct, what it returns). The argument structs' fields
// follow; requests.cc says what each operation builds from them.
#define NETNS_OPS(O)                                        \
  O(1, newlink, NewLinkArgs, kAck)                          \
  O(2, dellink, DelLinkArgs, kEchoed)                       \
  O(3, dellinkgroup, DelLinkGroupArgs, kAck)                \
  O(4, getlink, GetLinkArgs, kLink)                         \
  O(5, dumplinks, DumpLinksArgs, kLinks)                    \
  O(6, newaddr, NewAddrArgs, kEchoed)                       \
  O(7, deladdr, DelAddrArgs, kEchoed)                       \
  O(8, dumpaddrs, DumpAddrsArgs, kAddresses)                \
  O(9, newroute, NewRouteArgs, kEchoed)                     \
  O(10, delroute, DelRouteArgs, kEchoed)                    \
  O(11, dumproutes, DumpRoutesArgs, kRoutes)                \
  O(12, nftbatch, NftBatchArgs, kNftRules)                  \
  O(13, nftdumptables, NftDumpTablesArgs, kNftTables)       \
  O(14, nftdumpchains, NftDumpChainsArgs, kNftChains)       \
  O(15, nftdumprules, NftDumpRulesArgs, kNftRules)          \
  O(16, newneigh, NewNeighArgs, kAck)                       \
  O(17, delneigh, DelNeighArgs, kAck)                       \
  O(18, dumpneighs, DumpNeighsArgs, kNeighbours)            \
  O(19, newrule, NewRuleArgs, kEchoed)                      \
  O(20, delrule, DelRuleArgs, kEchoed)                      \
  O(21, dumprules, DumpRulesArgs, kRules)                   \
  O(22, newnsid, NewNsidArgs, kAck)                         \
  O(23, getnsid, GetNsidArgs, kNsid)                        \
  O(24, nftgetgen, NftGetGenArgs, kNftGen)                  \
  O(25, nftdumpsets, NftDumpSetsArgs, kNftSets)             \
  O(26, nftdumpsetelems, NftDumpSetElemsArgs, kNftSetElems) \
  O(27, getroute, GetRouteArgs, kRoutes)                    \
  O(28, newnexthop, NewNexthopArgs, kNexthops)              \
  O(29, delnexthop, DelNexthopArgs, kEchoed)                \
  O(30, dumpnexthops, DumpNexthopsArgs, kNexthops)          \
  O(31, newlinkprop, NewLinkPropArgs, kAck)                 \
  O(32, dellinkprop, DelLinkPropArgs, kAck)                 \
  O(33, dumpnetconf, DumpNetconfArgs, kNetconfs)            \
  O(34, getnetconf, GetNetconfArgs, kNetconfs)              \
  O(41, dumpnsids, DumpNsidsArgs, kNsids)                   \
  O(45, getneigh, GetNeighArgs, kNeighbours)                \
  O(46, dumpmulticast, DumpMulticastArgs, kMulticastGroups) \
  O(40, dumpnexthopbuckets, DumpNexthopBucketsArgs, kNexthopBuckets)

#define NETNS_NEWLINK_ARGS(F) F(flags, flags, kU16) F(link, link, kLink)
#define NETNS_DELLINK_ARGS(F) F(index, index, kI32) F(name, name, kString) F(flags, flags, kU16)
#define NETNS_DELLINKGROUP_ARGS(F) F(group, group, kU32)
#define NETNS_GETLINK_ARGS(F) F(index, index, kI32) F(name, name, kString) F(stats, stats, kU8)
#define NETNS_DUMPLINKS_ARGS(F) F(master, master, kI32) F(kind, kind, kString) F(stats, stats, kU8)
#define NETNS_NEWADDR_ARGS(F) F(flags, flags, kU16) F(address, address, kAddress)
#define NETNS_DELADDR_ARGS(F) F(address, address, kAddress) F(flags, flags, kU16)
#define NETNS_DUMPADDRS_ARGS(F) F(family, family, kU8) F(index, index, kI32)
#define NETNS_NEWROUTE_ARGS(F) F(flags, flags, kU16) F(route, route, kRoute)
#define NETNS_DELROUTE_ARGS(F) F(route, route, kRoute) F(flags, flags, kU16)
// `flags` (rtm_flags) RTM_F_CLONED: the route exceptions instead of the routes.
#define NETNS_DUMPROUTES_ARGS(F) F(family, family, kU8) F(table, table, kU32) F(flags, flags, kU32)
// An nf_tables batch (all or nothing); `genid` (when set) makes the kernel refuse it with
// ERESTART if the ruleset changed since that generation.
#define NETNS_NFTBATCH_ARGS(F) F(genid, genid, kU32) F(commands, commands, kNftCommand)
#define NETNS_NFTDUMPTABLES_ARGS(F) F(family, family, kU8)
#define NETNS_NFTDUMPCHAINS_ARGS(F) F(family, family, kU8)
#define NETNS_NFTGETGEN_ARGS(F)
#define NETNS_NFTDUMPSETS_ARGS(F) F(family, family, kU8) F(table, table, kString)
#define NETNS_NFTDUMPSETELEMS_ARGS(F) \
  F(family, family, kU8) F(table, table, kString) F(set, set, kString)
#define NETNS_NFTDUMPRULES_ARGS(F) \
  F(family, family, kU8) F(table, table, kString) F(chain, chain, kString)
#define NETNS_NEWNEIGH_ARGS(F) F(flags, flags, kU16) F(neighbour, neighbour, kNeighbour)
#define NETNS_DELNEIGH_ARGS(F) F(neighbour, neighbour, kNeighbour)
// `flags` NTF_PROXY dumps the proxy entries (pneigh), the only other value the kernel takes.
#define NETNS_DUMPNEIGHS_ARGS(F) \
  F(family, family, kU8) F(index, index, kI32) F(master, master, kI32) F(flags, flags, kU8)
// One neighbour (`ip neigh get`): its family, index, flags (0 or NTF_PROXY) and dst; the rest
// is not sent. Answers with a list of that one entry.
#define NETNS_GETNEIGH_ARGS(F) F(neighbour, neighbour, kNeighbour)
#define NETNS_NEWRULE_ARGS(F) F(flags, flags, kU16) F(rule, rule, kRule)
#define NETNS_DELRULE_ARGS(F) F(rule, rule, kRule) F(flags, flags, kU16)
#define NETNS_DUMPRULES_ARGS(F) F(family, family, kU8)
#define NETNS_NEWNSID_ARGS(F) F(netns, netns_fd, kNetns) F(nsid, nsid, kI32)
#define NETNS_GETNSID_ARGS(F) F(netns, netns_fd, kNetns)
// Every id this namespace gives; with `hasTarget`, those the namespace it numbers `targetNsid`
// gives (NETNSA_TARGET_NSID; 0 is an id, hence the flag).
#define NETNS_DUMPNSIDS_ARGS(F) F(hasTarget, has_target, kU8) F(targetNsid, target_nsid, kI32)
// With NLM_F_ECHO in `flags`, the kernel sends the nexthop it made back before the ACK (its
// notification, unicast to us: nlmsg_notify): returned as one nexthop object, the id it picked
// included. Without, nothing comes back (an empty array).
#define NETNS_NEWNEXTHOP_ARGS(F) F(flags, flags, kU16) F(nexthop, nexthop, kNexthopObject)
#define NETNS_DELNEXTHOP_ARGS(F) F(id, id, kU32) F(flags, flags, kU16)
// A dump of nexthop objects; `oif` and `groups` (1: groups only) filter in the kernel.
#define NETNS_DUMPNEXTHOPS_ARGS(F) F(family, family, kU8) F(oif, oif, kI32) F(groups, groups, kU8)
// A dump of resilient groups' buckets; `id` (a group) and `oif` filter in the kernel.
#define NETNS_DUMPNEXTHOPBUCKETS_ARGS(F) F(id, id, kU32) F(oif, oif, kI32)
// One alternative name of link `index` (RTM_NEWLINKPROP / RTM_DELLINKPROP, IFLA_ALT_IFNAME).
#define NETNS_NEWLINKPROP_ARGS(F) F(index, index, kI32) F(altName, alt_name, kString)
#define NETNS_DELLINKPROP_ARGS NETNS_NEWLINKPROP_ARGS
// A dump of the netconf entries of one family (AF_UNSPEC: every family), `ip netconf show`.
#define NETNS_DUMPNETCONF_ARGS(F) F(family, family, kU8)
// One netconf entry: link `index` (-1 "all", -2 "default") of `family` (AF_INET or AF_INET6),
// `ip -4 netconf show dev X`. Answers with a list of that one entry.
#define NETNS_GETNETCONF_ARGS(F) F(family, family, kU8) F(index, index, kI32)
// A dump of the multicast groups of `family` (AF_INET or AF_INET6) on every link.
#define NETNS_DUMPMULTICAST_ARGS(F) F(family, family, kU8)
// A route lookup (rtnl::RouteGetRequest); the family follows from `dst`. Answers with one route.
#define NETNS_GETROUTE_ARGS(F) \
  F(dst, dst, kIp)             \
  F(src, src, kIp)             \
  F(tos, tos, kU8)             \
  F(fibMatch, fib_match, kU8)  \
  F(uid, uid, kU32)            \
  F(ipProto, ip_proto, kU8)    \
  F(sport, sport, kU16)        \
  F(dport, dport, kU16)        \
  F(iif, iif, kI32)            \
  F(oif, oif, kI32)            \
  F(mark, mark, kU32)

// The C++ type a field of each wire type is read into (for the argument structs).
template <Wire W>
struct WireCpp;
template <>
struct WireCpp<Wire::kU8> {
  using type = uint8_t;
};
template <>
struct WireCpp<Wire::kU16> {
  using type = uint16_t;
};
template <>
struct WireCpp<Wire::kU32> {
  using type = uint32_t;
};
template <>
struct WireCpp<Wire::kU64> {
  using type = uint64_t;
};
template <>
struct WireCpp<Wire::kI32> {
  using type = int32_t;
};
template <>
struct WireCpp<Wire::kString> {
  using type = std::string;
};
template <>
struct WireCpp<Wire::kLink> {
  using type = rtnl::LinkRequest;
};
template <>
struct WireCpp<Wire::kAddress> {
  using type = rtnl::AddressRequest;
};
template <>
struct WireCpp<Wire::kRoute> {
  using type = rtnl::RouteRequest;
};
template <>
struct WireCpp<Wire::kMetrics> {
  using type = rtnl::RouteMetrics;
};
template <>
struct WireCpp<Wire::kNeighbour> {
  using type = rtnl::NeighbourRequest;
};
template <>
struct WireCpp<Wire::kRule> {
  using type = rtnl::RuleRequest;
};
template <>
struct WireCpp<Wire::kNexthopObject> {
  using type = rtnl::NexthopObjectRequest;
};
template <>
struct WireCpp<Wire::kNetns> {
  using type = std::optional<int>;  // the fd of a namespace handle, leased for the batch
};
template <>
struct WireCpp<Wire::kNftCommand> {
  using type = std::vector<NftCommandArgs>;  // repeated
};

#define NETNS_ARG_MEMBER(js, member, wire) typename WireCpp<Wire::wire>::type member{};
struct NewLinkArgs {
  NETNS_NEWLINK_ARGS(NETNS_ARG_MEMBER)
};
struct DelLinkArgs {
  NETNS_DELLINK_ARGS(NETNS_ARG_MEMBER)
};
struct DelLinkGroupArgs {
  NETNS_DELLINKGROUP_ARGS(NETNS_ARG_MEMBER)
};
struct GetLinkArgs {
  NETNS_GETLINK_ARGS(NETNS_ARG_MEMBER)
};
struct DumpLinksArgs {
  NETNS_DUMPLINKS_ARGS(NETNS_ARG_MEMBER)
};
struct NewAddrArgs {
  NETNS_NEWADDR_ARGS(NETNS_ARG_MEMBER)
};
struct DelAddrArgs {
  NETNS_DELADDR_ARGS(NETNS_ARG_MEMBER)
};
struct DumpAddrsArgs {
  NETNS_DUMPADDRS_ARGS(NETNS_ARG_MEMBER)
};
struct NewRouteArgs {
  NETNS_NEWROUTE_ARGS(NETNS_ARG_MEMBER)
};
struct DelRouteArgs {
  NETNS_DELROUTE_ARGS(NETNS_ARG_MEMBER)
};
struct DumpRoutesArgs {
  NETNS_DUMPROUTES_ARGS(NETNS_ARG_MEMBER)
};
struct NftBatchArgs {
  NETNS_NFTBATCH_ARGS(NETNS_ARG_MEMBER)
};
struct NftDumpTablesArgs {
  NETNS_NFTDUMPTABLES_ARGS(NETNS_ARG_MEMBER)
};
struct NftDumpChainsArgs {
  NETNS_NFTDUMPCHAINS_ARGS(NETNS_ARG_MEMBER)
};
struct NftDumpRulesArgs {
  NETNS_NFTDUMPRULES_ARGS(NETNS_ARG_MEMBER)
};
struct NftGetGenArgs {};
struct NftDumpSetsArgs {
  NETNS_NFTDUMPSETS_ARGS(NETNS_ARG_MEMBER)
};
struct NftDumpSetElemsArgs {
  NETNS_NFTDUMPSETELEMS_ARGS(NETNS_ARG_MEMBER)
};
struct NewNeighArgs {
  NETNS_NEWNEIGH_ARGS(NETNS_ARG_MEMBER)
};
struct DelNeighArgs {
  NETNS_DELNEIGH_ARGS(NETNS_ARG_MEMBER)
};
struct DumpNeighsArgs {
  NETNS_DUMPNEIGHS_ARGS(NETNS_ARG_MEMBER)
};
struct GetNeighArgs {
  NETNS_GETNEIGH_ARGS(NETNS_ARG_MEMBER)
};
struct NewRuleArgs {
  NETNS_NEWRULE_ARGS(NETNS_ARG_MEMBER)
};
struct DelRuleArgs {
  NETNS_DELRULE_ARGS(NETNS_ARG_MEMBER)
};
struct DumpRulesArgs {
  NETNS_DUMPRULES_ARGS(NETNS_ARG_MEMBER)
};
struct NewNsidArgs {
  NETNS_NEWNSID_ARGS(NETNS_ARG_MEMBER)
};
struct GetNsidArgs {
  NETNS_GETNSID_ARGS(NETNS_ARG_MEMBER)
};
struct DumpNsidsArgs {
  NETNS_DUMPNSIDS_ARGS(NETNS_ARG_MEMBER)
};
struct NewNexthopArgs {
  NETNS_NEWNEXTHOP_ARGS(NETNS_ARG_MEMBER)
};
struct DelNexthopArgs {
  NETNS_DELNEXTHOP_ARGS(NETNS_ARG_MEMBER)
};
struct DumpNexthopBucketsArgs {
  NETNS_DUMPNEXTHOPBUCKETS_ARGS(NETNS_ARG_MEMBER)
};
struct DumpNexthopsArgs {
  NETNS_DUMPNEXTHOPS_ARGS(NETNS_ARG_MEMBER)
};
struct NewLinkPropArgs {
  NETNS_NEWLINKPROP_ARGS(NETNS_ARG_MEMBER)
};
struct DelLinkPropArgs {
  NETNS_DELLINKPROP_ARGS(NETNS_ARG_MEMBER)
};
struct DumpNetconfArgs {
  NETNS_DUMPNETCONF_ARGS(NETNS_ARG_MEMBER)
};
struct GetNetconfArgs {
  NETNS_GETNETCONF_ARGS(NETNS_ARG_MEMBER)
};
struct DumpMulticastArgs {
  NETNS_DUMPMULTICAST_ARGS(NETNS_ARG_MEMBER)
};
// The request itself: its fields are optional where the kernel tells absent from 0 (uid 0).
struct GetRouteArgs : rtnl::RouteGetRequest {};
#undef NETNS_ARG_MEMBER

// The fields of each argument struct, by the struct's name (NETNS_FIELDS_OF(NewLinkArgs)).
#define NETNS_FIELDS_NewLinkArgs NETNS_NEWLINK_ARGS
#define NETNS_FIELDS_DelLinkArgs NETNS_DELLINK_ARGS
#define NETNS_FIELDS_DelLinkGroupArgs NETNS_DELLINKGROUP_ARGS
#define NETNS_FIELDS_GetLinkArgs NETNS_GETLINK_ARGS
#define NETNS_FIELDS_DumpLinksArgs NETNS_DUMPLINKS_ARGS
#define NETNS_FIELDS_NewAddrArgs NETNS_NEWADDR_ARGS
#define NETNS_FIELDS_DelAddrArgs NETNS_DELADDR_ARGS
#define NETNS_FIELDS_DumpAddrsArgs NETNS_DUMPADDRS_ARGS
#define NETNS_FIELDS_NewRouteArgs NETNS_NEWROUTE_ARGS
#define NETNS_FIELDS_DelRouteArgs NETNS_DELROUTE_ARGS
#define NETNS_FIELDS_DumpRoutesArgs NETNS_DUMPROUTES_ARGS
#define NETNS_FIELDS_NftBatchArgs NETNS_NFTBATCH_ARGS
#define NETNS_FIELDS_NftDumpTablesArgs NETNS_NFTDUMPTABLES_ARGS
#define NETNS_FIELDS_NftDumpChainsArgs NETNS_NFTDUMPCHAINS_ARGS
#define NETNS_FIELDS_NftDumpRulesArgs NETNS_NFTDUMPRULES_ARGS
#define NETNS_FIELDS_NftGetGenArgs NETNS_NFTGETGEN_ARGS
#define NETNS_FIELDS_NftDumpSetsArgs NETNS_NFTDUMPSETS_ARGS
#define NETNS_FIELDS_NftDumpSetElemsArgs NETNS_NFTDUMPSETELEMS_ARGS

#define NETNS_FIELDS_NewNeighArgs NETNS_NEWNEIGH_ARGS
#define NETNS_FIELDS_DelNeighArgs NETNS_DELNEIGH_ARGS
#define NETNS_FIELDS_DumpNeighsArgs NETNS_DUMPNEIGHS_ARGS
#define NETNS_FIELDS_GetNeighArgs NETNS_GETNEIGH_ARGS
#define NETNS_FIELDS_NewRuleArgs NETNS_NEWRULE_ARGS
#define NETNS_FIELDS_DelRuleArgs NETNS_DELRULE_ARGS
#define NETNS_FIELDS_DumpRulesArgs NETNS_DUMPRULES_ARGS
#define NETNS_FIELDS_NewNsidArgs NETNS_NEWNSID_ARGS
#define NETNS_FIELDS_GetNsidArgs NETNS_GETNSID_ARGS
#define NETNS_FIELDS_DumpNsidsArgs NETNS_DUMPNSIDS_ARGS
#define NETNS_FIELDS_NewLinkPropArgs NETNS_NEWLINKPROP_ARGS
#define NETNS_FIELDS_DelLinkPropArgs NETNS_DELLINKPROP_ARGS
#define NETNS_FIELDS_GetRouteArgs NETNS_GETROUTE_ARGS
#define NETNS_FIELDS_NewNexthopArgs NETNS_NEWNEXTHOP_ARGS
#define NETNS_FIELDS_DelNexthopArgs NETNS_DELNEXTHOP_ARGS
#define NETNS_FIELDS_DumpNexthopsArgs NETNS_DUMPNEXTHOPS_ARGS
#define NETNS_FIELDS_DumpNetconfArgs NETNS_DUMPNETCONF_ARGS
#define NETNS_FIELDS_GetNetconfArgs NETNS_GETNETCONF_ARGS
#define NETNS_FIELDS_DumpMulticastArgs NETNS_DUMPMULTICAST_ARGS
#define NETNS_FIELDS_DumpNexthopBucketsArgs NETNS_DUMPNEXTHOPBUCKETS_ARGS

// What an operation returns: nothing (an ACK), one link (packed, or undefined), packed links,
// address, route, nf_tables, neighbour or rule objects, or one nsid object. Results of a failed
// operation are failure objects instead. kEchoed: an add or delete answered by its ACK alone
// (nothing, as kAck) unless sent with NLM_F_ECHO in `flags`: then the address, route or rule the
// kernel made, or the link, address, route, rule or nexthop it removed, as its notification
// carries it (nlmsg_notify sends that copy to the sender before the ACK), in a list (a delete can
// echo more than one object: a veth's peer, a group that lost a member); still nothing from a
// kernel that does not echo that kind.
enum class Returns : uint8_t {
  kAck,
  kEchoed,
  kLink,
  kLinks,
  kAddresses,
  kRoutes,
  kNftTables,
  kNftChains,
  kNftRules,
  kNftGen,
  kNftSets,
  kNftSetElems,
  kNeighbours,
  kRules,
  kNsid,
  kNexthops,
  kNetconfs,
  kNexthopBuckets,
  kNsids,
  kMulticastGroups
};

// How a result field crosses: a number, a textual IP (absent when empty), a string, a MAC as
// text (absent when empty), a number absent when unset, a route's next hops (an array of
// nexthop objects, absent when empty), or a route's metrics (an object, absent when the route has
// none).
// A nexthop group's members cross as an array of { id, weight } objects (absent when empty).
enum class Shape : uint8_t {
  kNumber,
  kIp,
  kText,
  kMac,
  kOptional,
  kNexthops,
  kMetrics,
  kNexthopGroup,
  kEncap,   // a route's or next hop's encap: an object (NETNS_ROUTE_ENCAP_INFO), absent when none
  kIpList,  // textual addresses, an array (absent when empty)
  kNumberList,  // numbers, an array (absent when empty)
};

// Results. Links cross packed (see results.cc): per link these numbers in one Float64Array, in
// this order (kOptional: NaN when absent) ...
#define NETNS_LINK_NUMBERS(F)                   \
  F(index, index, kNumber)                      \
  F(type, type, kNumber)                        \
  F(flags, flags, kNumber)                      \
  F(mtu, mtu, kNumber)                          \
  F(minMtu, min_mtu, kNumber)                   \
  F(maxMtu, max_mtu, kNumber)                   \
  F(group, group, kNumber)                      \
  F(txqlen, txqlen, kNumber)                    \
  F(promiscuity, promiscuity, kNumber)          \
  F(numTxQueues, num_tx_queues, kNumber)        \
  F(numRxQueues, num_rx_queues, kNumber)        \
  F(operstate, operstate, kNumber)              \
  F(carrier, carrier, kNumber)                  \
  F(master, master, kNumber)                    \
  F(link, link, kNumber)                        \
  F(linkNetnsid, link_netnsid, kOptional)       \
  F(linkmode, linkmode, kNumber)                \
  F(allmulti, allmulti, kOptional)              \
  F(gsoMaxSize, gso_max_size, kOptional)        \
  F(gsoMaxSegs, gso_max_segs, kOptional)        \
  F(tsoMaxSize, tso_max_size, kOptional)        \
  F(tsoMaxSegs, tso_max_segs, kOptional)        \
  F(groMaxSize, gro_max_size, kOptional)        \
  F(carrierChanges, carrier_changes, kOptional) \
  F(addrGenMode, addr_gen_mode, kOptional)      \
  F(protoDown, proto_down, kNumber)             \
  F(protoDownReason, proto_down_reason, kOptional)

// ... these strings, each ended by NUL, in one string ...
#define NETNS_LINK_STRINGS(F)     \
  F(name, name, kText)            \
  F(address, address, kMac)       \
  F(broadcast, broadcast, kMac)   \
  F(kind, kind, kText)            \
  F(slaveKind, slave_kind, kText) \
  F(alias, alias, kText)          \
  F(qdisc, qdisc, kText)

// ... for links read with statistics, these counters (IFLA_STATS64) in a second Float64Array
// (NaN for a link without them; kOptional: NaN when the kernel's struct is too short) ...
#define NETNS_LINK_STATS(F)                          \
  F(rxPackets, rx_packets, kNumber)                  \
  F(txPackets, tx_packets, kNumber)                  \
  F(rxBytes, rx_bytes, kNumber)                      \
  F(txBytes, tx_bytes, kNumber)                      \
  F(rxErrors, rx_errors, kNumber)                    \
  F(txErrors, tx_errors, kNumber)                    \
  F(rxDropped, rx_dropped, kNumber)                  \
  F(txDropped, tx_dropped, kNumber)                  \
  F(multicast, multicast, kNumber)                   \
  F(collisions, collisions, kNumber)                 \
  F(rxLengthErrors, rx_length_errors, kNumber)       \
  F(rxOverErrors, rx_over_errors, kNumber)           \
  F(rxCrcErrors, rx_crc_errors, kNumber)             \
  F(rxFrameErrors, rx_frame_errors, kNumber)         \
  F(rxFifoErrors, rx_fifo_errors, kNumber)           \
  F(rxMissedErrors, rx_missed_errors, kNumber)       \
  F(txAbortedErrors, tx_aborted_errors, kNumber)     \
  F(txCarrierErrors, tx_carrier_errors, kNumber)     \
  F(txFifoErrors, tx_fifo_errors, kNumber)           \
  F(txHeartbeatErrors, tx_heartbeat_errors, kNumber) \
  F(txWindowErrors, tx_window_errors, kNumber)       \
  F(rxCompressed, rx_compressed, kNumber)            \
  F(txCompressed, tx_compressed, kNumber)            \
  F(rxNohandler, rx_nohandler, kNumber)              \
  F(rxOtherhostDropped, rx_otherhost_dropped, kOptional)

// ... then, for the same links, IPv6's counters (IFLA_INET6_STATS; NaN for a link without IPv6)
// in the same array, after the link's ...
#define NETNS_IPV6_STATS(F)                        \
  F(inReceives, in_receives, kNumber)              \
  F(inOctets, in_octets, kNumber)                  \
  F(inDelivers, in_delivers, kNumber)              \
  F(outForwDatagrams, out_forw_datagrams, kNumber) \
  F(outRequests, out_requests, kNumber)            \
  F(outOctets, out_octets, kNumber)                \
  F(inHdrErrors, in_hdr_errors, kNumber)           \
  F(inTooBigErrors, in_too_big_errors, kNumber)    \
  F(inNoRoutes, in_no_routes, kNumber)             \
  F(inAddrErrors, in_addr_errors, kNumber)         \
  F(inUnknownProtos, in_unknown_protos, kNumber)   \
  F(inTruncatedPkts, in_truncated_pkts, kNumber)   \
  F(inDiscards, in_discards, kNumber)              \
  F(outDiscards, out_discards, kNumber)            \
  F(outNoRoutes, out_no_routes, kNumber)           \
  F(reasmTimeout, reasm_timeout, kNumber)          \
  F(reasmReqds, reasm_reqds, kNumber)              \
  F(reasmOKs, reasm_oks, kNumber)                  \
  F(reasmFails, reasm_fails, kNumber)              \
  F(fragOKs, frag_oks, kNumber)                    \
  F(fragFails, frag_fails, kNumber)                \
  F(fragCreates, frag_creates, kNumber)            \
  F(inMcastPkts, in_mcast_pkts, kNumber)           \
  F(outMcastPkts, out_mcast_pkts, kNumber)         \
  F(inBcastPkts, in_bcast_pkts, kNumber)           \
  F(outBcastPkts, out_bcast_pkts, kNumber)         \
  F(inMcastOctets, in_mcast_octets, kNumber)       \
  F(outMcastOctets, out_mcast_octets, kNumber)     \
  F(inBcastOctets, in_bcast_octets, kNumber)       \
  F(outBcastOctets, out_bcast_octets, kNumber)     \
  F(inCsumErrors, in_csum_errors, kNumber)         \
  F(inNoECTPkts, in_no_ect_pkts, kNumber)          \
  F(inECT1Pkts, in_ect1_pkts, kNumber)             \
  F(inECT0Pkts, in_ect0_pkts, kNumber)             \
  F(inCEPkts, in_ce_pkts, kNumber)                 \
  F(reasmOverlaps, reasm_overlaps, kNumber)        \
  F(outTransmits, out_transmits, kOptional)

// ... then ICMPv6's (IFLA_INET6_ICMP6STATS; NaN likewise) ...
#define NETNS_ICMP6_STATS(F)               \
  F(inMsgs, in_msgs, kNumber)              \
  F(inErrors, in_errors, kNumber)          \
  F(outMsgs, out_msgs, kNumber)            \
  F(outErrors, out_errors, kNumber)        \
  F(inCsumErrors, in_csum_errors, kNumber) \
  F(outRateLimitHost, out_rate_limit_host, kOptional)

// ... and, for links that have them, `info` and `slaveInfo` objects and `altNames` (arrays of
// strings, IFLA_PROP_LIST) in sparse arrays.

// Addresses and routes cross as objects with these fields.
#define NETNS_ADDRESS_INFO(F)               \
  F(family, family, kNumber)                \
  F(prefixlen, prefixlen, kNumber)          \
  F(scope, scope, kNumber)                  \
  F(flags, flags, kNumber)                  \
  F(index, index, kNumber)                  \
  F(local, local, kIp)                      \
  F(address, address, kIp)                  \
  F(broadcast, broadcast, kIp)              \
  F(label, label, kText)                    \
  F(validLft, valid_lft, kOptional)         \
  F(preferredLft, preferred_lft, kOptional) \
  F(metric, metric, kOptional)

#define NETNS_ROUTE_INFO(F)                       \
  F(family, family, kNumber)                      \
  F(dstLen, dst_len, kNumber)                     \
  F(srcLen, src_len, kNumber)                     \
  F(tos, tos, kNumber)                            \
  F(protocol, protocol, kNumber)                  \
  F(scope, scope, kNumber)                        \
  F(type, type, kNumber)                          \
  F(table, table, kNumber)                        \
  F(flags, flags, kNumber)                        \
  F(oif, oif, kNumber)                            \
  F(dst, dst, kIp)                                \
  F(src, src, kIp)                                \
  F(gateway, gateway, kIp)                        \
  F(prefsrc, prefsrc, kIp)                        \
  F(priority, priority, kOptional)                \
  F(pref, pref, kOptional)                        \
  F(multipath, multipath, kNexthops)              \
  F(metrics, metrics, kMetrics)                   \
  F(expires, expires, kOptional)                  \
  F(cacheError, cache_error, kOptional)           \
  F(cacheUsers, cache_users, kOptional)           \
  F(cacheUsed, cache_used, kOptional)             \
  F(cacheLastUseMs, cache_last_use_ms, kOptional) \
  F(iif, iif, kOptional)                          \
  F(mark, mark, kOptional)                        \
  F(uid, uid, kOptional)                          \
  F(nhid, nhid, kOptional)                        \
  F(flow, flow, kOptional)                        \
  F(encap, encap, kEncap)

// A route's encap (rtnl::RouteEncap): `type` always, the rest when set.
#define NETNS_ROUTE_ENCAP_INFO(F)  \
  F(type, type, kNumber)           \
  F(id, id, kOptional)             \
  F(src, src, kIp)                 \
  F(dst, dst, kIp)                 \
  F(ttl, ttl, kOptional)           \
  F(tos, tos, kOptional)           \
  F(flags, flags, kOptional)       \
  F(mode, mode, kOptional)         \
  F(segments, segments, kIpList)   \
  F(hmac, hmac, kOptional)         \
  F(labels, labels, kNumberList)   \
  F(action, action, kOptional)     \
  F(table, table, kOptional)       \
  F(vrftable, vrftable, kOptional) \
  F(nh4, nh4, kIp)                 \
  F(nh6, nh6, kIp)                 \
  F(iif, iif, kOptional)           \
  F(oif, oif, kOptional)

// A route's metrics (NETNS_ROUTE_METRICS's fields, as they come back): each absent when unset.
#define NETNS_ROUTE_METRICS_INFO(F)    \
  F(lock, lock, kNumber)               \
  F(mtu, mtu, kOptional)               \
  F(window, window, kOptional)         \
  F(rtt, rtt, kOptional)               \
  F(rttvar, rttvar, kOptional)         \
  F(ssthresh, ssthresh, kOptional)     \
  F(cwnd, cwnd, kOptional)             \
  F(advmss, advmss, kOptional)         \
  F(reordering, reordering, kOptional) \
  F(hoplimit, hoplimit, kOptional)     \
  F(initcwnd, initcwnd, kOptional)     \
  F(features, features, kOptional)     \
  F(rtoMin, rto_min, kOptional)        \
  F(initrwnd, initrwnd, kOptional)     \
  F(quickack, quickack, kOptional)     \
  F(ccAlgo, cc_algo, kOptional)        \
  F(fastopenNoCookie, fastopen_no_cookie, kOptional)

#define NETNS_NEXTHOP_INFO(F) \
  F(gateway, gateway, kIp)    \
  F(oif, oif, kNumber)        \
  F(hops, hops, kNumber)      \
  F(flags, flags, kNumber)    \
  F(flow, flow, kOptional)    \
  F(encap, encap, kEncap)

// Neighbours (and fdb entries), rules and nsids cross as objects with these fields.
#define NETNS_NEIGHBOUR_INFO(F)           \
  F(family, family, kNumber)              \
  F(index, index, kNumber)                \
  F(state, state, kNumber)                \
  F(flags, flags, kNumber)                \
  F(type, type, kNumber)                  \
  F(dst, dst, kIp)                        \
  F(lladdr, lladdr, kMac)                 \
  F(vlan, vlan, kOptional)                \
  F(port, port, kOptional)                \
  F(vni, vni, kOptional)                  \
  F(ifindex, ifindex, kOptional)          \
  F(master, master, kOptional)            \
  F(srcVni, src_vni, kOptional)           \
  F(probes, probes, kOptional)            \
  F(protocol, protocol, kOptional)        \
  F(linkNetnsid, link_netnsid, kOptional) \
  F(flagsExt, flags_ext, kNumber)         \
  F(confirmed, confirmed, kOptional)      \
  F(used, used, kOptional)                \
  F(updated, updated, kOptional)          \
  F(refcnt, refcnt, kOptional)

#define NETNS_RULE_INFO(F)                            \
  F(family, family, kNumber)                          \
  F(dstLen, dst_len, kNumber)                         \
  F(srcLen, src_len, kNumber)                         \
  F(tos, tos, kNumber)                                \
  F(action, action, kNumber)                          \
  F(table, table, kNumber)                            \
  F(flags, flags, kNumber)                            \
  F(dst, dst, kIp)                                    \
  F(src, src, kIp)                                    \
  F(iifname, iifname, kText)                          \
  F(oifname, oifname, kText)                          \
  F(priority, priority, kOptional)                    \
  F(fwmark, fwmark, kOptional)                        \
  F(fwmask, fwmask, kOptional)                        \
  F(goto, goto_priority, kOptional)                   \
  F(suppressPrefixlen, suppress_prefixlen, kOptional) \
  F(suppressIfgroup, suppress_ifgroup, kOptional)     \
  F(l3mdev, l3mdev, kOptional)                        \
  F(protocol, protocol, kOptional)                    \
  F(ipProto, ip_proto, kOptional)                     \
  F(sportStart, sport_start, kOptional)               \
  F(sportEnd, sport_end, kOptional)                   \
  F(dportStart, dport_start, kOptional)               \
  F(dportEnd, dport_end, kOptional)                   \
  F(uidStart, uid_start, kOptional)                   \
  F(uidEnd, uid_end, kOptional)                       \
  F(flow, flow, kOptional)

// A nexthop object (rtnl::NexthopObjectInfo); group weights as the kernel holds them (minus 1).
#define NETNS_NEXTHOP_OBJECT_INFO(F)                     \
  F(id, id, kNumber)                                     \
  F(family, family, kNumber)                             \
  F(scope, scope, kNumber)                               \
  F(protocol, protocol, kNumber)                         \
  F(flags, flags, kNumber)                               \
  F(gateway, gateway, kIp)                               \
  F(oif, oif, kOptional)                                 \
  F(blackhole, blackhole, kNumber)                       \
  F(fdb, fdb, kNumber)                                   \
  F(group, group, kNexthopGroup)                         \
  F(groupType, group_type, kOptional)                    \
  F(resBuckets, res_buckets, kOptional)                  \
  F(resIdleTimer, res_idle_timer, kOptional)             \
  F(resUnbalancedTimer, res_unbalanced_timer, kOptional) \
  F(resUnbalancedTime, res_unbalanced_time, kOptional)

#define NETNS_NEXTHOP_BUCKET_INFO(F) \
  F(id, id, kNumber)                 \
  F(index, index, kNumber)           \
  F(idleTime, idle_time, kNumber)    \
  F(nexthopId, nexthop_id, kNumber)

// A netconf entry (rtnl::NetconfInfo): each value only when the kernel sent it.
#define NETNS_NETCONF_INFO(F)                                         \
  F(family, family, kNumber)                                          \
  F(ifindex, ifindex, kOptional)                                      \
  F(forwarding, forwarding, kOptional)                                \
  F(rpFilter, rp_filter, kOptional)                                   \
  F(mcForwarding, mc_forwarding, kOptional)                           \
  F(proxyNeigh, proxy_neigh, kOptional)                               \
  F(ignoreRoutesWithLinkdown, ignore_routes_with_linkdown, kOptional) \
  F(bcForwarding, bc_forwarding, kOptional)                           \
  F(input, input, kOptional)

// A multicast group joined on a link (rtnl::MulticastGroupInfo).
#define NETNS_MULTICAST_GROUP_INFO(F) \
  F(family, family, kNumber)          \
  F(index, index, kNumber)            \
  F(group, group, kIp)                \
  F(created, created, kNumber)        \
  F(updated, updated, kNumber)

#define NETNS_NSID_INFO(F) F(nsid, nsid, kNumber) F(currentNsid, current_nsid, kOptional)

// nf_tables objects, as dumps return them (a chain's hook fields only for a base chain).
#define NETNS_NFT_TABLE_INFO(F) \
  F(family, family, kNumber)    \
  F(name, name, kText)          \
  F(handle, handle, kNumber)    \
  F(flags, flags, kNumber)

#define NETNS_NFT_CHAIN_INFO(F)       \
  F(family, family, kNumber)          \
  F(table, table, kText)              \
  F(name, name, kText)                \
  F(handle, handle, kNumber)          \
  F(hooknum, hooknum, kOptional)      \
  F(priority, priority, kOptional)    \
  F(chainType, chain_type, kOptional) \
  F(policy, policy, kOptional)

#define NETNS_NFT_RULE_INFO(F)     \
  F(family, family, kNumber)       \
  F(table, table, kText)           \
  F(chain, chain, kText)           \
  F(handle, handle, kNumber)       \
  F(position, position, kOptional) \
  F(comment, comment, kOptional)

// A set: key and data types as nft's datatype numbers (fields 6 bits each, the first highest).
#define NETNS_NFT_SET_INFO(F)     \
  F(family, family, kNumber)      \
  F(table, table, kText)          \
  F(name, name, kText)            \
  F(handle, handle, kNumber)      \
  F(flags, flags, kNumber)        \
  F(keyType, key_type, kNumber)   \
  F(keyLen, key_len, kNumber)     \
  F(dataType, data_type, kNumber) \
  F(dataLen, data_len, kNumber)

// A set element: its key and data (a map's) as the registers hold them, in hex.
#define NETNS_NFT_SET_ELEM_INFO(F) \
  F(family, family, kNumber)       \
  F(table, table, kText)           \
  F(set, set, kText)               \
  F(key, key, kText)               \
  F(data, data, kText)

}  // namespace netns_native::addon
