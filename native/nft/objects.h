// nf_tables objects as NFNL_SUBSYS_NFTABLES messages: tables, chains and rules (NEW / DEL / GET)
// and the generation (GETGEN), built as nft 1.0.6 builds them. Pure functions; no I/O, safe on
// any thread. Every builder returns the encoded message (the caller owns the bytes) or an Error:
// EINVAL for input nft itself would refuse (an empty name, a comment over 128 bytes), EMSGSIZE
// when an attribute would exceed 64 KiB. Nothing throws.
//
// Each message starts with nlmsghdr (nlmsg_seq and nlmsg_pid left 0: the transport sets the
// sequence number when it sends, and the kernel fills the port id) and struct nfgenmsg
// {family, NFNETLINK_V0, res_id 0}. Commands that change the ruleset (New*/Del*) are sent inside
// a batch (batch.h), which also sets NLM_F_ACK on them; Get*/Dump* requests are sent alone.
//
// `family` is the table's family: NFPROTO_IPV4 (`ip`), NFPROTO_IPV6 (`ip6`), NFPROTO_INET
// (`inet`), ... (linux/netfilter.h). Every object of a table is addressed by (family, table).
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../common/result.h"
#include "expr.h"

namespace netns_native::nft {

// nlmsg_type of an nf_tables message: NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_*.
uint16_t MessageType(uint16_t nft_msg);

// ---- Tables ------------------------------------------------------------------------------------

// NFT_MSG_NEWTABLE with NFTA_TABLE_NAME and NFTA_TABLE_FLAGS 0, as nft sends it.
// exclusive = false is `nft add table`: nlmsg_flags 0, the table is created or, if it exists,
// left as it is ("ensure exists"; nf_tables_newtable creates without looking at NLM_F_CREATE, so
// nft does not send it and neither do we). exclusive = true is `nft create table`: NLM_F_EXCL,
// EEXIST if it exists.
Result<std::vector<uint8_t>> BuildNewTable(uint8_t family, std::string_view name, bool exclusive);
// NFT_MSG_DELTABLE (`nft delete table`): the table and everything in it. ENOENT if absent.
Result<std::vector<uint8_t>> BuildDelTable(uint8_t family, std::string_view name);
// NFT_MSG_GETTABLE for one table; the reply is one NEWTABLE message, or ENOENT.
Result<std::vector<uint8_t>> BuildGetTable(uint8_t family, std::string_view name);
// NFT_MSG_GETTABLE dump of every table of `family` (NFPROTO_UNSPEC: all families).
Result<std::vector<uint8_t>> BuildDumpTables(uint8_t family);

// ---- Chains ------------------------------------------------------------------------------------

// What makes a chain a base chain: it is attached to a netfilter hook.
struct ChainHook {
  uint32_t hooknum = 0;  // NF_INET_PRE_ROUTING (0), _LOCAL_IN, _FORWARD (2), _LOCAL_OUT (3),
                         // _POST_ROUTING (4)
  int32_t priority = 0;  // nft's dstnat = -100, filter = 0, srcnat = 100
  std::string type;      // NFTA_CHAIN_TYPE: "filter", "nat", "route"
  // NFTA_CHAIN_POLICY: NF_ACCEPT (1) or NF_DROP (0). nft always sends it for a base chain
  // (accept when the file says nothing); unset here means not sent (the kernel's default is
  // accept).
  std::optional<uint32_t> policy;
};

struct ChainRequest {
  uint8_t family = 0;
  std::string table;
  std::string name;
  std::optional<ChainHook> hook;  // unset: a regular chain, reached only by jump/goto
};

// NFT_MSG_NEWCHAIN (NLM_F_CREATE; with NLM_F_EXCL too when `exclusive`, as `nft create chain`).
// Without EXCL an existing chain is left as it is, or updated (its policy) - `nft add chain`.
// Attribute order as nft: table, name, type, policy, hook {hooknum, priority}.
Result<std::vector<uint8_t>> BuildNewChain(const ChainRequest& req, bool exclusive);
// NFT_MSG_DELCHAIN by name (`nft delete chain`). Its rules go with it (nf_tables_delchain deletes
// them in the same transaction); EBUSY while a rule elsewhere still jumps to it.
Result<std::vector<uint8_t>> BuildDelChain(uint8_t family, std::string_view table,
                                           std::string_view name);
// NFT_MSG_GETCHAIN for one chain; the reply is one NEWCHAIN message, or ENOENT.
Result<std::vector<uint8_t>> BuildGetChain(uint8_t family, std::string_view table,
                                           std::string_view name);
// NFT_MSG_GETCHAIN dump of every chain of `family`. The kernel filters chain dumps by family
// only (nf_tables_dump_chains), so the caller filters by table.
Result<std::vector<uint8_t>> BuildDumpChains(uint8_t family);

// ---- Rules -------------------------------------------------------------------------------------

struct RuleRequest {
  uint8_t family = 0;
  std::string table;
  std::string chain;
  std::vector<Expr> exprs;  // NFTA_RULE_EXPRESSIONS, evaluated in order
  // NFTA_RULE_USERDATA holding one NFTNL_UDATA_RULE_COMMENT TLV, which `nft list` shows as
  // `comment "..."`: how a later process recognises which network or publication a rule belongs
  // to. At most 128 bytes (nft's limit, NFTNL_UDATA_COMMENT_MAXLEN), no NUL inside.
  std::optional<std::string> comment;
  // NFTA_RULE_POSITION: the handle of an existing rule of the chain. Unset: the end of the chain
  // (or, with insert, its start).
  std::optional<uint64_t> position;
  // false: NLM_F_CREATE | NLM_F_APPEND, after `position` (`nft add rule`).
  // true: NLM_F_CREATE, before `position` (`nft insert rule`).
  bool insert = false;
};

// NFT_MSG_NEWRULE. Attribute order as nft: table, chain, expressions, position, userdata.
Result<std::vector<uint8_t>> BuildNewRule(const RuleRequest& req);
// NFT_MSG_DELRULE of the rule with that handle (`nft delete rule ... handle N`). ENOENT if absent.
Result<std::vector<uint8_t>> BuildDelRule(uint8_t family, std::string_view table,
                                          std::string_view chain, uint64_t handle);
// NFT_MSG_GETRULE dump of the rules of `table` (empty: every table of the family), and of
// `chain` only when given (NFTA_RULE_TABLE / NFTA_RULE_CHAIN, filtered in the kernel).
Result<std::vector<uint8_t>> BuildDumpRules(uint8_t family, std::string_view table,
                                            std::string_view chain);

// ---- Sets and maps -----------------------------------------------------------------------------

// nft's datatypes (its enum datatypes, src/datatype.h): the kernel stores a set's key and data
// type as a number without looking at it; nft reads it back to print the elements. A
// concatenation `a . b . c` is the types shifted in 6 bits at a time (nft's TYPE_BITS), the first
// highest: inet_proto . inet_service is 12 << 6 | 13.
enum class DataType : uint32_t {
  kIpv4Addr = 7,     // 4 bytes, network order
  kIpv6Addr = 8,     // 16 bytes
  kInetProto = 12,   // 1 byte: IPPROTO_TCP, IPPROTO_UDP
  kInetService = 13  // 2 bytes, network order: a port
};
// Its size in bytes (4, 16, 1, 2).
uint32_t DataTypeSize(DataType type);

struct SetRequest {
  uint8_t family = 0;
  std::string table;
  std::string name;
  // The key's fields: one type, or several for a concatenation (each field then takes a whole
  // number of 4-byte registers, so the key's length is the sum of the sizes rounded up to 4).
  std::vector<DataType> key;
  // Empty: a set. Otherwise a map (NFT_SET_MAP) whose data is these fields, laid out as the key.
  std::vector<DataType> data;
  // NFTA_SET_ID: names the set inside its batch (a lookup or element of the same batch may refer
  // to it by id, as nft does; by name works too). The kernel requires it (EINVAL without), and
  // two new sets of one batch need different ids.
  uint32_t id = 1;
};

// NFT_MSG_NEWSET (`nft add map` / `nft add set`): NLM_F_CREATE, with NLM_F_EXCL when `exclusive`
// (`nft create map`: EEXIST if it exists). Without EXCL an existing set of the same shape is left
// as it is. EINVAL for an empty key, more than 5 fields (nft's and the kernel's
// NFT_REG32_COUNT-bound limit for a key: 16 registers of 4 bytes; we keep nft's `type` syntax
// limit) or a key or data longer than 64 bytes (NFT_DATA_VALUE_MAXLEN).
// Attribute order as nft 1.0.6: table, name, flags, key type, key len, data type, data len, id,
// user data. The user data is what nft writes for a set declared with `type`: the key's (and a
// map's data's) byte order (0: a concatenation has none), for a concatenation the typeof
// expression "concat" with no detail, and for a map "data is not an interval"; `nft list` needs
// no more to print the set as `type a . b : c . d`. Checked byte for byte against nft for
// concatenated keys and data only (what the library makes); for a single-field key nft records
// the type's own byte order where this writes 0, which nft does not need to print it.
Result<std::vector<uint8_t>> BuildNewSet(const SetRequest& req, bool exclusive);
// NFT_MSG_DELSET by name (`nft delete map`): the set and its elements. EBUSY while a rule looks
// it up; ENOENT if absent.
Result<std::vector<uint8_t>> BuildDelSet(uint8_t family, std::string_view table,
                                         std::string_view name);
// NFT_MSG_GETSET dump of the sets of `table` (empty: of every table of `family`; nft's
// `list sets` sends family UNSPEC and no table).
Result<std::vector<uint8_t>> BuildDumpSets(uint8_t family, std::string_view table);

// One element: its key, and for a map its data, as the register contents the kernel compares and
// copies (ConcatData in expr.h builds a concatenation's).
struct SetElement {
  std::vector<uint8_t> key;
  std::vector<uint8_t> data;  // empty for a set
};

// NFT_MSG_NEWSETELEM: NLM_F_CREATE, with NLM_F_EXCL when `exclusive` (`nft create element`): the
// kernel then refuses a key already in the set with EEXIST, which makes "take this key" atomic.
// Without EXCL (`nft add element`) the same element again is accepted, a different data for the
// same key is EBUSY. `set_id` as NFTA_SET_ELEM_LIST_SET_ID (nft sends it; unset: not sent).
// EINVAL without elements, for an empty key, or a key or data longer than 64 bytes.
Result<std::vector<uint8_t>> BuildNewSetElems(uint8_t family, std::string_view table,
                                              std::string_view set,
                                              const std::vector<SetElement>& elements,
                                              bool exclusive,
                                              std::optional<uint32_t> set_id = std::nullopt);
// NFT_MSG_DELSETELEM by key (`nft delete element`; any data in `elements` is not sent). ENOENT
// when a key is not in the set: the whole batch then fails.
Result<std::vector<uint8_t>> BuildDelSetElems(uint8_t family, std::string_view table,
                                              std::string_view set,
                                              const std::vector<SetElement>& elements);
// NFT_MSG_GETSETELEM dump of one set's elements (the kernel needs both names).
Result<std::vector<uint8_t>> BuildDumpSetElems(uint8_t family, std::string_view table,
                                               std::string_view set);

// ---- Generation --------------------------------------------------------------------------------

// NFT_MSG_GETGEN: the ruleset generation id (one NEWGEN reply), bumped by every committed batch.
// Read it before a dump and pass it to Batch (batch.h) to have the kernel refuse the batch with
// ERESTART if anyone changed the ruleset in between.
Result<std::vector<uint8_t>> BuildGetGen();

// ---- Rule user data ----------------------------------------------------------------------------

// NFTA_RULE_USERDATA for a comment, in libnftnl's TLV format (struct nftnl_udata: u8 type, u8 len,
// value): type NFTNL_UDATA_RULE_COMMENT (0), the comment and its NUL. EINVAL as in RuleRequest.
Result<std::vector<uint8_t>> EncodeRuleComment(std::string_view comment);
// The comment in a rule's user data, or nullopt if there is none (or the TLVs are malformed, or
// the comment is not NUL-terminated, which nft also ignores). Other TLVs are skipped.
std::optional<std::string> DecodeRuleComment(const std::vector<uint8_t>& userdata);

}  // namespace netns_native::nft
