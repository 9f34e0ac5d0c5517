// Decoding of nf_tables replies and events: tables, chains, rules (with their expressions and
// comment) and the ruleset generation. Pure functions over a received message; no I/O, safe on
// any thread, nothing throws. The results own copies of everything they hold, so the message
// buffer may go once a parser returns.
//
// Robustness: `msg.nlmsg_len` must not exceed the buffer holding `msg` (the receive loop checks
// that); within it, nothing is read out of bounds whatever the bytes say. A malformed message
// (too short for nfgenmsg, a malformed attribute run, a wrong message type) is EINVAL. Attributes
// a newer kernel adds are skipped for tables and chains, kept as raw bytes for rules (`extra`)
// and inside expressions (see ParseExprList in expr.h).
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../common/result.h"
#include "expr.h"
#include "objects.h"

namespace netns_native::nft {

// The NFT_MSG_* of an nf_tables message (nlmsg_type NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_*), or
// nullopt for anything else (NLMSG_ERROR, NLMSG_DONE, another subsystem).
std::optional<uint16_t> NftMessageType(const nlmsghdr& msg);

// NFT_MSG_NEWTABLE (a dump or GETTABLE reply, or an event) or NFT_MSG_DELTABLE (an event).
struct TableInfo {
  uint8_t family = 0;  // nfgenmsg: NFPROTO_IPV4, ...
  std::string name;
  uint64_t handle = 0;            // NFTA_TABLE_HANDLE
  uint32_t flags = 0;             // NFTA_TABLE_FLAGS: NFT_TABLE_F_DORMANT, ...
  uint32_t use = 0;               // NFTA_TABLE_USE: chains, sets, ... in it
  std::vector<uint8_t> userdata;  // NFTA_TABLE_USERDATA (nft puts a table comment there)
  bool deleted = false;           // DELTABLE
};
Result<TableInfo> ParseTable(const nlmsghdr& msg);

// NFT_MSG_NEWCHAIN or NFT_MSG_DELCHAIN.
struct ChainInfo {
  uint8_t family = 0;
  std::string table, name;
  uint64_t handle = 0;  // NFTA_CHAIN_HANDLE
  // Base chains: NFTA_CHAIN_HOOK {hooknum, priority} with NFTA_CHAIN_TYPE and NFTA_CHAIN_POLICY.
  std::optional<ChainHook> hook;
  uint32_t flags = 0;  // NFTA_CHAIN_FLAGS: NFT_CHAIN_BASE, ...
  uint32_t use = 0;    // NFTA_CHAIN_USE: rules and jumps referring to it
  std::vector<uint8_t> userdata;
  bool deleted = false;
};
Result<ChainInfo> ParseChain(const nlmsghdr& msg);

// NFT_MSG_NEWRULE or NFT_MSG_DELRULE.
struct RuleInfo {
  uint8_t family = 0;
  std::string table, chain;
  uint64_t handle = 0;  // NFTA_RULE_HANDLE: what BuildDelRule takes
  // NFTA_RULE_POSITION: the handle of the rule before it, which the kernel sends in dumps and
  // events (absent for the first rule of a chain).
  std::optional<uint64_t> position;
  std::vector<Expr> exprs;             // NFTA_RULE_EXPRESSIONS, generic (expr.h)
  std::vector<uint8_t> userdata;       // NFTA_RULE_USERDATA as stored
  std::optional<std::string> comment;  // its NFTNL_UDATA_RULE_COMMENT, decoded
  std::vector<ExprAttr> extra;         // any other top-level attribute, raw, in wire order
  bool deleted = false;
};
Result<RuleInfo> ParseRule(const nlmsghdr& msg);

// NFT_MSG_NEWSET or NFT_MSG_DELSET (a GETSET dump reply, or an event).
struct SetInfo {
  uint8_t family = 0;
  std::string table, name;
  uint64_t handle = 0;  // NFTA_SET_HANDLE
  uint32_t flags = 0;   // NFTA_SET_FLAGS: NFT_SET_MAP, NFT_SET_INTERVAL, NFT_SET_ANONYMOUS, ...
  uint32_t key_type = 0, key_len = 0;    // nft's datatype number (objects.h DataType) and bytes
  uint32_t data_type = 0, data_len = 0;  // a map's data; 0 for a set
  std::vector<uint8_t> userdata;
  bool deleted = false;
};
Result<SetInfo> ParseSet(const nlmsghdr& msg);

// One element of a NFT_MSG_NEWSETELEM / DELSETELEM message (a GETSETELEM dump reply carries
// several per message).
struct SetElemInfo {
  uint8_t family = 0;
  std::string table, set;
  std::vector<uint8_t> key;   // NFTA_SET_ELEM_KEY's NFTA_DATA_VALUE
  std::vector<uint8_t> data;  // NFTA_SET_ELEM_DATA's value (a map's); empty if none, or a verdict
  uint32_t flags = 0;         // NFTA_SET_ELEM_FLAGS: NFT_SET_ELEM_INTERVAL_END, ...
  std::vector<uint8_t> userdata;
  bool deleted = false;
};
// The elements of one message, in order. EINVAL on a malformed list or an element without a key.
Result<std::vector<SetElemInfo>> ParseSetElems(const nlmsghdr& msg);

// NFT_MSG_NEWGEN: the reply to GETGEN, also sent as an event after every commit.
struct GenInfo {
  uint32_t id = 0;        // NFTA_GEN_ID: the value Batch takes as genid
  uint32_t proc_pid = 0;  // NFTA_GEN_PROC_PID / NAME: who committed (events)
  std::string proc_name;
};
Result<GenInfo> ParseGen(const nlmsghdr& msg);

}  // namespace netns_native::nft
