#include "objects.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <utility>

#include "../netlink/message.h"

namespace netns_native::nft {

using netlink::MessageBuilder;

namespace {

// libnftnl's enum nftnl_udata_rule_types and NFTNL_UDATA_COMMENT_MAXLEN (libnftnl/udata.h), which
// are not in the kernel's uapi: the kernel stores NFTA_RULE_USERDATA without looking inside.
constexpr uint8_t kUdataRuleComment = 0;
constexpr size_t kCommentMaxLen = 128;

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
