#include "objects.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstring>
#include <utility>

#include "../netlink/message.h"

namespace netns_native::nft {

using netlink::MessageBuilder;

namespace {

// libnftnl's enum nftnl_udata_rule_types and NFTNL_UDATA_COMMENT_MAXLEN (libnftnl/udata.h), which
// are not in the kernel's uapi: the kernel stores NFTA_RULE_USERDATA without looking inside.
constexpr uint8_t kUdataRuleComment = 0;
constexpr size_t kCommentMaxLen = 128;
// libnftnl's set user data TLV types (enum nftnl_udata_set_types) and the nested ones of a typeof
// expression (enum nftnl_udata_set_typeof_types), and nft's TYPE_BITS and EXPR_CONCAT (src/
// datatype.h, src/expression.h): what nft 1.0.6 writes for a set declared with `type`.
constexpr uint8_t kUdataSetKeyByteorder = 0;
constexpr uint8_t kUdataSetDataByteorder = 1;
constexpr uint8_t kUdataSetKeyTypeof = 3;
constexpr uint8_t kUdataSetDataTypeof = 4;
constexpr uint8_t kUdataSetDataInterval = 6;
constexpr uint8_t kUdataTypeofExpr = 0;
constexpr uint8_t kUdataTypeofData = 1;
constexpr uint32_t kNftTypeBits = 6;
constexpr uint32_t kNftExprConcat = 13;
// NFT_DATA_VALUE_MAXLEN (the kernel's; not in the uapi header): the longest key or data.
constexpr size_t kDataValueMaxLen = 64;
// A `type a . b . ...` declaration: nft's own limit on the fields of a concatenated type.
constexpr size_t kMaxConcatFields = 5;

MessageBuilder Start(uint16_t nft_msg, uint16_t flags, uint8_t family) {
  MessageBuilder b(MessageType(nft_msg), NLM_F_REQUEST | flags);
  nfgenmsg g{};
  g.nfgen_family = family;
  g.version = NFNETLINK_V0;
  g.res_id = 0;  // unused by nf_tables requests; nft sends 0
  b.PutHeader(g);
  return b;
}

// Names go out as NUL-terminated strings: an empty one, or one with a NUL inside (silently
// truncated on the wire), would address something else than the caller meant.
Status CheckName(const char* what, std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos) {
    return Error::Invalid(std::string("nf_tables ") + what + " name is empty or contains a NUL");
  }
  return Status();
}

}  // namespace

uint16_t MessageType(uint16_t nft_msg) {
  return static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | nft_msg);
}

// ---- Tables -------------------------------------------------------------------------------------

Result<std::vector<uint8_t>> BuildNewTable(uint8_t family, std::string_view name, bool exclusive) {
  Status s = CheckName("table", name);
  if (!s.ok()) return s;
  MessageBuilder b = Start(NFT_MSG_NEWTABLE, exclusive ? NLM_F_EXCL : 0, family);
  b.PutString(NFTA_TABLE_NAME, name);
  b.PutBe32(NFTA_TABLE_FLAGS, 0);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDelTable(uint8_t family, std::string_view name) {
  Status s = CheckName("table", name);
  if (!s.ok()) return s;
  MessageBuilder b = Start(NFT_MSG_DELTABLE, 0, family);
  b.PutString(NFTA_TABLE_NAME, name);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildGetTable(uint8_t family, std::string_view name) {
  Status s = CheckName("table", name);
  if (!s.ok()) return s;
  MessageBuilder b = Start(NFT_MSG_GETTABLE, 0, family);
  b.PutString(NFTA_TABLE_NAME, name);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDumpTables(uint8_t family) {
  return std::move(Start(NFT_MSG_GETTABLE, NLM_F_DUMP, family)).Finish();
}

// ---- Chains -------------------------------------------------------------------------------------

Result<std::vector<uint8_t>> BuildNewChain(const ChainRequest& req, bool exclusive) {
  Status s = CheckName("table", req.table);
  if (s.ok()) s = CheckName("chain", req.name);
  if (s.ok() && req.hook && req.hook->type.empty()) {
    s = Error::Invalid("a base chain needs a type: filter, nat or route");
  }
  if (!s.ok()) return s;
  MessageBuilder b =
      Start(NFT_MSG_NEWCHAIN, NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0), req.family);
  b.PutString(NFTA_CHAIN_TABLE, req.table);
  b.PutString(NFTA_CHAIN_NAME, req.name);
  if (req.hook) {
    b.PutString(NFTA_CHAIN_TYPE, req.hook->type);
    if (req.hook->policy) b.PutBe32(NFTA_CHAIN_POLICY, *req.hook->policy);
    size_t hook = b.BeginNest(NFTA_CHAIN_HOOK);
    b.PutBe32(NFTA_HOOK_HOOKNUM, req.hook->hooknum);
    b.PutBe32(NFTA_HOOK_PRIORITY, static_cast<uint32_t>(req.hook->priority));
    b.EndNest(hook);
  }
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDelChain(uint8_t family, std::string_view table,
                                           std::string_view name) {
  Status s = CheckName("table", table);
  if (s.ok()) s = CheckName("chain", name);
  if (!s.ok()) return s;
  MessageBuilder b = Start(NFT_MSG_DELCHAIN, 0, family);
  b.PutString(NFTA_CHAIN_TABLE, table);
  b.PutString(NFTA_CHAIN_NAME, name);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildGetChain(uint8_t family, std::string_view table,
                                           std::string_view name) {
  Status s = CheckName("table", table);
  if (s.ok()) s = CheckName("chain", name);
  if (!s.ok()) return s;
  MessageBuilder b = Start(NFT_MSG_GETCHAIN, 0, family);
  b.PutString(NFTA_CHAIN_TABLE, table);
  b.PutString(NFTA_CHAIN_NAME, name);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDumpChains(uint8_t family) {
  return std::move(Start(NFT_MSG_GETCHAIN, NLM_F_DUMP, family)).Finish();
}

// ---- Rules --------------------------------------------------------------------------------------

Result<std::vector<uint8_t>> BuildNewRule(const RuleRequest& req) {
  Status s = CheckName("table", req.table);
  if (s.ok()) s = CheckName("chain", req.chain);
  if (!s.ok()) return s;
  std::vector<uint8_t> userdata;
  if (req.comment) {
    Result<std::vector<uint8_t>> u = EncodeRuleComment(*req.comment);
    if (!u.ok()) return u.take_error();
    userdata = u.take();
  }
  // nf_tables_newrule refuses a new rule without NLM_F_CREATE; NLM_F_APPEND puts it after
  // `position` (or last), its absence before `position` (or first).
  uint16_t flags = NLM_F_CREATE | (req.insert ? 0 : NLM_F_APPEND);
  MessageBuilder b = Start(NFT_MSG_NEWRULE, flags, req.family);
  b.PutString(NFTA_RULE_TABLE, req.table);
  b.PutString(NFTA_RULE_CHAIN, req.chain);
  EncodeExprList(&b, NFTA_RULE_EXPRESSIONS, req.exprs);
  if (req.position) b.PutBe64(NFTA_RULE_POSITION, *req.position);
  if (req.comment) b.PutBytes(NFTA_RULE_USERDATA, userdata);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDelRule(uint8_t family, std::string_view table,
                                          std::string_view chain, uint64_t handle) {
  Status s = CheckName("table", table);
  if (s.ok()) s = CheckName("chain", chain);
  if (!s.ok()) return s;
  MessageBuilder b = Start(NFT_MSG_DELRULE, 0, family);
  b.PutString(NFTA_RULE_TABLE, table);
  b.PutString(NFTA_RULE_CHAIN, chain);
  b.PutBe64(NFTA_RULE_HANDLE, handle);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDumpRules(uint8_t family, std::string_view table,
                                            std::string_view chain) {
  // The kernel applies the chain filter only together with the table filter
  // (nf_tables_dump_rules), so a chain alone would silently dump everything.
  if (table.empty() && !chain.empty()) {
    return Error::Invalid("a rule dump filtered by chain needs the table too");
  }
  if (table.find('\0') != std::string_view::npos || chain.find('\0') != std::string_view::npos) {
    return Error::Invalid("nf_tables table or chain name contains a NUL");
  }
  MessageBuilder b = Start(NFT_MSG_GETRULE, NLM_F_DUMP, family);
  if (!table.empty()) b.PutString(NFTA_RULE_TABLE, table);
  if (!chain.empty()) b.PutString(NFTA_RULE_CHAIN, chain);
  return std::move(b).Finish();
}

// ---- Sets and maps ------------------------------------------------------------------------------

uint32_t DataTypeSize(DataType type) {
  switch (type) {
    case DataType::kIpv4Addr:
      return 4;
    case DataType::kIpv6Addr:
      return 16;
    case DataType::kInetProto:
      return 1;
    case DataType::kInetService:
      return 2;
  }
  return 0;
}

namespace {

// The type number and length of a key or a map's data, as NFTA_SET_KEY_TYPE/LEN carry them.
Status FieldsShape(const char* what, const std::vector<DataType>& fields, uint32_t* type,
                   uint32_t* len) {
  if (fields.empty() || fields.size() > kMaxConcatFields) {
    return Error::Invalid(std::string("an nf_tables set ") + what + " has 1 to 5 fields");
  }
  *type = 0;
  *len = 0;
  for (DataType f : fields) {
    *type = (*type << kNftTypeBits) | static_cast<uint32_t>(f);
    // A concatenation's fields each take whole 4-byte registers; a single field its own size.
    *len += fields.size() == 1 ? DataTypeSize(f) : (DataTypeSize(f) + 3) / 4 * 4;
  }
  if (*len > kDataValueMaxLen) {
    return Error::Invalid(std::string("an nf_tables set ") + what + " is at most 64 bytes");
  }
  return Status();
}

void PutUdata(std::vector<uint8_t>* out, uint8_t type, const std::vector<uint8_t>& value) {
  out->push_back(type);
  out->push_back(static_cast<uint8_t>(value.size()));
  out->insert(out->end(), value.begin(), value.end());
}

std::vector<uint8_t> UdataU32(uint32_t v) {
  // libnftnl's nftnl_udata_put_u32: host byte order.
  std::vector<uint8_t> out(4);
  std::memcpy(out.data(), &v, sizeof v);
  return out;
}

// A `type`-declared concatenation's typeof record: the expression kind only, no detail.
std::vector<uint8_t> ConcatTypeof() {
  std::vector<uint8_t> nested;
  PutUdata(&nested, kUdataTypeofExpr, UdataU32(kNftExprConcat));
  PutUdata(&nested, kUdataTypeofData, {});
  return nested;
}

Status CheckElement(const SetElement& e) {
  if (e.key.empty() || e.key.size() > kDataValueMaxLen || e.data.size() > kDataValueMaxLen) {
    return Error::Invalid("an nf_tables set element's key is 1 to 64 bytes, its data at most 64");
  }
  return Status();
}

void PutData(MessageBuilder* b, uint16_t type, const std::vector<uint8_t>& value) {
  size_t nest = b->BeginNest(type);
  b->PutAttr(NFTA_DATA_VALUE, value.data(), value.size());
  b->EndNest(nest);
}

Result<std::vector<uint8_t>> BuildSetElems(uint16_t msg, uint16_t flags, uint8_t family,
                                           std::string_view table, std::string_view set,
                                           const std::vector<SetElement>& elements, bool with_data,
                                           std::optional<uint32_t> set_id) {
  Status s = CheckName("table", table);
  if (s.ok()) s = CheckName("set", set);
  if (s.ok() && elements.empty())
    s = Error::Invalid("an nf_tables element command without elements");
  for (const SetElement& e : elements) {
    if (s.ok()) s = CheckElement(e);
  }
  if (!s.ok()) return s;
  MessageBuilder b = Start(msg, flags, family);
  b.PutString(NFTA_SET_ELEM_LIST_TABLE, table);
  b.PutString(NFTA_SET_ELEM_LIST_SET, set);
  if (set_id) b.PutBe32(NFTA_SET_ELEM_LIST_SET_ID, *set_id);
  size_t list = b.BeginNest(NFTA_SET_ELEM_LIST_ELEMENTS);
  for (const SetElement& e : elements) {
    size_t elem = b.BeginNest(NFTA_LIST_ELEM);
    PutData(&b, NFTA_SET_ELEM_KEY, e.key);
    if (with_data && !e.data.empty()) PutData(&b, NFTA_SET_ELEM_DATA, e.data);
    b.EndNest(elem);
  }
  b.EndNest(list);
  return std::move(b).Finish();
}

}  // namespace

Result<std::vector<uint8_t>> BuildNewSet(const SetRequest& req, bool exclusive) {
  Status s = CheckName("table", req.table);
  if (s.ok()) s = CheckName("set", req.name);
  uint32_t key_type = 0, key_len = 0, data_type = 0, data_len = 0;
  if (s.ok()) s = FieldsShape("key", req.key, &key_type, &key_len);
  bool map = !req.data.empty();
  if (s.ok() && map) s = FieldsShape("data", req.data, &data_type, &data_len);
  if (!s.ok()) return s;
  std::vector<uint8_t> udata;
  PutUdata(&udata, kUdataSetKeyByteorder, UdataU32(0));
  if (map) PutUdata(&udata, kUdataSetDataByteorder, UdataU32(0));
  if (req.key.size() > 1) PutUdata(&udata, kUdataSetKeyTypeof, ConcatTypeof());
  if (map && req.data.size() > 1) PutUdata(&udata, kUdataSetDataTypeof, ConcatTypeof());
  if (map) PutUdata(&udata, kUdataSetDataInterval, UdataU32(0));

  MessageBuilder b = Start(NFT_MSG_NEWSET, NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0), req.family);
  b.PutString(NFTA_SET_TABLE, req.table);
  b.PutString(NFTA_SET_NAME, req.name);
  b.PutBe32(NFTA_SET_FLAGS, map ? NFT_SET_MAP : 0);
  b.PutBe32(NFTA_SET_KEY_TYPE, key_type);
  b.PutBe32(NFTA_SET_KEY_LEN, key_len);
  if (map) {
    b.PutBe32(NFTA_SET_DATA_TYPE, data_type);
    b.PutBe32(NFTA_SET_DATA_LEN, data_len);
  }
  b.PutBe32(NFTA_SET_ID, req.id);
  b.PutBytes(NFTA_SET_USERDATA, udata);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDelSet(uint8_t family, std::string_view table,
                                         std::string_view name) {
  Status s = CheckName("table", table);
  if (s.ok()) s = CheckName("set", name);
  if (!s.ok()) return s;
  MessageBuilder b = Start(NFT_MSG_DELSET, 0, family);
  b.PutString(NFTA_SET_TABLE, table);
  b.PutString(NFTA_SET_NAME, name);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildDumpSets(uint8_t family, std::string_view table) {
  if (table.find('\0') != std::string_view::npos) {
    return Error::Invalid("nf_tables table name contains a NUL");
  }
  MessageBuilder b = Start(NFT_MSG_GETSET, NLM_F_DUMP, family);
  if (!table.empty()) b.PutString(NFTA_SET_TABLE, table);
  return std::move(b).Finish();
}

Result<std::vector<uint8_t>> BuildNewSetElems(uint8_t family, std::string_view table,
                                              std::string_view set,
                                              const std::vector<SetElement>& elements,
                                              bool exclusive, std::optional<uint32_t> set_id) {
  return BuildSetElems(NFT_MSG_NEWSETELEM, NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0), family,
                       table, set, elements, true, set_id);
}

Result<std::vector<uint8_t>> BuildDelSetElems(uint8_t family, std::string_view table,
                                              std::string_view set,
                                              const std::vector<SetElement>& elements) {
  return BuildSetElems(NFT_MSG_DELSETELEM, 0, family, table, set, elements, false, std::nullopt);
}

Result<std::vector<uint8_t>> BuildDumpSetElems(uint8_t family, std::string_view table,
                                               std::string_view set) {
  Status s = CheckName("table", table);
  if (s.ok()) s = CheckName("set", set);
  if (!s.ok()) return s;
  // nft's order: the set, then the table.
  MessageBuilder b = Start(NFT_MSG_GETSETELEM, NLM_F_DUMP, family);
  b.PutString(NFTA_SET_ELEM_LIST_SET, set);
  b.PutString(NFTA_SET_ELEM_LIST_TABLE, table);
  return std::move(b).Finish();
}

// ---- Generation ---------------------------------------------------------------------------------

Result<std::vector<uint8_t>> BuildGetGen() {
  return std::move(Start(NFT_MSG_GETGEN, 0, NFPROTO_UNSPEC)).Finish();
}

// ---- Rule user data -----------------------------------------------------------------------------

Result<std::vector<uint8_t>> EncodeRuleComment(std::string_view comment) {
  if (comment.size() > kCommentMaxLen || comment.find('\0') != std::string_view::npos) {
    return Error::Invalid("a rule comment is at most 128 bytes, without NUL");
  }
  std::vector<uint8_t> out;
  out.reserve(2 + comment.size() + 1);
  out.push_back(kUdataRuleComment);
  out.push_back(static_cast<uint8_t>(comment.size() + 1));
  out.insert(out.end(), comment.begin(), comment.end());
  out.push_back(0);
  return out;
}

std::optional<std::string> DecodeRuleComment(const std::vector<uint8_t>& userdata) {
  size_t i = 0;
  while (i + 2 <= userdata.size()) {
    uint8_t type = userdata[i];
    size_t len = userdata[i + 1];
    if (len > userdata.size() - i - 2) return std::nullopt;
    const uint8_t* value = userdata.data() + i + 2;
    if (type == kUdataRuleComment) {
      // As nft: a comment must end with its NUL; take the text up to it.
      if (len == 0 || value[len - 1] != 0) return std::nullopt;
      size_t n = 0;
      while (value[n] != 0) ++n;
      return std::string(reinterpret_cast<const char*>(value), n);
    }
    i += 2 + len;
  }
  return std::nullopt;
}

}  // namespace netns_native::nft
