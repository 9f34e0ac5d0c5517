#include "decode.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstring>
#include <utility>

#include "../netlink/message.h"

namespace netns_native::nft {

using netlink::Attr;
using netlink::AttrTable;

namespace {

// Checks the message is NFT_MSG_<new_type> or <del_type> and finds its attributes after nfgenmsg.
Status Open(const nlmsghdr& msg, uint16_t new_type, uint16_t del_type, const char* what,
            uint8_t* family, bool* deleted, const uint8_t** p, size_t* len) {
  std::optional<uint16_t> type = NftMessageType(msg);
  if (!type || (*type != new_type && *type != del_type) ||
      !netlink::AttrsAfterHeader(msg, sizeof(nfgenmsg), p, len)) {
    return Error::Invalid(std::string("not an nf_tables ") + what + " message");
  }
  nfgenmsg g;
  std::memcpy(&g, reinterpret_cast<const uint8_t*>(&msg) + NLMSG_HDRLEN, sizeof g);
  *family = g.nfgen_family;
  *deleted = *type == del_type;
  return Status();
}

}  // namespace

std::optional<uint16_t> NftMessageType(const nlmsghdr& msg) {
  if ((msg.nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES) return std::nullopt;
  return static_cast<uint16_t>(msg.nlmsg_type & 0xff);
}

Result<TableInfo> ParseTable(const nlmsghdr& msg) {
  TableInfo info;
  const uint8_t* p;
  size_t len;
  Status s =
      Open(msg, NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE, "table", &info.family, &info.deleted, &p, &len);
  if (!s.ok()) return s;
  AttrTable<NFTA_TABLE_MAX + 1> t;
  s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  info.name = t[NFTA_TABLE_NAME].String();
  info.handle = t[NFTA_TABLE_HANDLE].Be64();
  info.flags = t[NFTA_TABLE_FLAGS].Be32();
  info.use = t[NFTA_TABLE_USE].Be32();
  if (t[NFTA_TABLE_USERDATA].present()) info.userdata = t[NFTA_TABLE_USERDATA].Bytes();
  return info;
}

Result<ChainInfo> ParseChain(const nlmsghdr& msg) {
  ChainInfo info;
  const uint8_t* p;
  size_t len;
  Status s =
      Open(msg, NFT_MSG_NEWCHAIN, NFT_MSG_DELCHAIN, "chain", &info.family, &info.deleted, &p, &len);
  if (!s.ok()) return s;
  AttrTable<NFTA_CHAIN_MAX + 1> t;
  s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  info.table = t[NFTA_CHAIN_TABLE].String();
  info.name = t[NFTA_CHAIN_NAME].String();
  info.handle = t[NFTA_CHAIN_HANDLE].Be64();
  info.flags = t[NFTA_CHAIN_FLAGS].Be32();
  info.use = t[NFTA_CHAIN_USE].Be32();
  if (t[NFTA_CHAIN_USERDATA].present()) info.userdata = t[NFTA_CHAIN_USERDATA].Bytes();
  if (t[NFTA_CHAIN_HOOK].present()) {
    AttrTable<NFTA_HOOK_MAX + 1> h;
    s = netlink::ParseNested(t[NFTA_CHAIN_HOOK], &h);
    if (!s.ok()) return s;
    ChainHook hook;
    hook.hooknum = h[NFTA_HOOK_HOOKNUM].Be32();
    hook.priority = static_cast<int32_t>(h[NFTA_HOOK_PRIORITY].Be32());
    hook.type = t[NFTA_CHAIN_TYPE].String();
    if (t[NFTA_CHAIN_POLICY].present()) hook.policy = t[NFTA_CHAIN_POLICY].Be32();
    info.hook = std::move(hook);
  }
  return info;
}

Result<RuleInfo> ParseRule(const nlmsghdr& msg) {
  RuleInfo info;
  const uint8_t* p;
  size_t len;
  Status s =
      Open(msg, NFT_MSG_NEWRULE, NFT_MSG_DELRULE, "rule", &info.family, &info.deleted, &p, &len);
  if (!s.ok()) return s;
  Status inner;
  s = netlink::ForEachAttr(p, len, [&](const Attr& a) {
    if (!inner.ok()) return;
    switch (a.type) {
      case NFTA_RULE_TABLE:
        info.table = a.String();
        break;
      case NFTA_RULE_CHAIN:
        info.chain = a.String();
        break;
      case NFTA_RULE_HANDLE:
        info.handle = a.Be64();
        break;
      case NFTA_RULE_POSITION:
        info.position = a.Be64();
        break;
      case NFTA_RULE_EXPRESSIONS: {
        Result<std::vector<Expr>> exprs = ParseExprList(a.data, a.len);
        if (exprs.ok()) {
          info.exprs = exprs.take();
        } else {
          inner = exprs.status();
        }
        break;
      }
      case NFTA_RULE_USERDATA:
        info.userdata = a.Bytes();
        info.comment = DecodeRuleComment(info.userdata);
        break;
      default:
        info.extra.push_back(ExprAttr::Raw(a.type, a.Bytes()));
        break;
    }
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return info;
}

Result<SetInfo> ParseSet(const nlmsghdr& msg) {
  SetInfo info;
  const uint8_t* p;
  size_t len;
  Status s =
      Open(msg, NFT_MSG_NEWSET, NFT_MSG_DELSET, "set", &info.family, &info.deleted, &p, &len);
  if (!s.ok()) return s;
  AttrTable<NFTA_SET_MAX + 1> t;
  s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  info.table = t[NFTA_SET_TABLE].String();
  info.name = t[NFTA_SET_NAME].String();
  info.handle = t[NFTA_SET_HANDLE].Be64();
  info.flags = t[NFTA_SET_FLAGS].Be32();
  info.key_type = t[NFTA_SET_KEY_TYPE].Be32();
  info.key_len = t[NFTA_SET_KEY_LEN].Be32();
  info.data_type = t[NFTA_SET_DATA_TYPE].Be32();
  info.data_len = t[NFTA_SET_DATA_LEN].Be32();
  if (t[NFTA_SET_USERDATA].present()) info.userdata = t[NFTA_SET_USERDATA].Bytes();
  return info;
}

namespace {

// The NFTA_DATA_VALUE inside an NFTA_SET_ELEM_KEY / _DATA nest (empty for a verdict).
Status DataValue(const Attr& nest, std::vector<uint8_t>* out) {
  AttrTable<NFTA_DATA_MAX + 1> d;
  Status s = netlink::ParseNested(nest, &d);
  if (!s.ok()) return s;
  if (d[NFTA_DATA_VALUE].present()) *out = d[NFTA_DATA_VALUE].Bytes();
  return Status();
}

}  // namespace

Result<std::vector<SetElemInfo>> ParseSetElems(const nlmsghdr& msg) {
  SetElemInfo common;
  const uint8_t* p;
  size_t len;
  Status s = Open(msg, NFT_MSG_NEWSETELEM, NFT_MSG_DELSETELEM, "set element", &common.family,
                  &common.deleted, &p, &len);
  if (!s.ok()) return s;
  AttrTable<NFTA_SET_ELEM_LIST_MAX + 1> t;
  s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  common.table = t[NFTA_SET_ELEM_LIST_TABLE].String();
  common.set = t[NFTA_SET_ELEM_LIST_SET].String();
  std::vector<SetElemInfo> out;
  if (!t[NFTA_SET_ELEM_LIST_ELEMENTS].present()) return out;
  Status inner;
  const Attr& list = t[NFTA_SET_ELEM_LIST_ELEMENTS];
  s = netlink::ForEachAttr(list.data, list.len, [&](const Attr& a) {
    if (!inner.ok()) return;
    if (a.type != NFTA_LIST_ELEM) return;
    AttrTable<NFTA_SET_ELEM_MAX + 1> e;
    inner = netlink::ParseNested(a, &e);
    if (!inner.ok()) return;
    if (!e[NFTA_SET_ELEM_KEY].present()) {
      inner = Error::Invalid("an nf_tables set element without a key");
      return;
    }
    SetElemInfo info = common;
    inner = DataValue(e[NFTA_SET_ELEM_KEY], &info.key);
    if (inner.ok() && e[NFTA_SET_ELEM_DATA].present()) {
      inner = DataValue(e[NFTA_SET_ELEM_DATA], &info.data);
    }
    info.flags = e[NFTA_SET_ELEM_FLAGS].Be32();
    if (e[NFTA_SET_ELEM_USERDATA].present()) info.userdata = e[NFTA_SET_ELEM_USERDATA].Bytes();
    if (inner.ok()) out.push_back(std::move(info));
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return out;
}

Result<GenInfo> ParseGen(const nlmsghdr& msg) {
  GenInfo info;
  uint8_t family;
  bool unused;
  const uint8_t* p;
  size_t len;
  Status s = Open(msg, NFT_MSG_NEWGEN, NFT_MSG_NEWGEN, "generation", &family, &unused, &p, &len);
  if (!s.ok()) return s;
  AttrTable<NFTA_GEN_MAX + 1> t;
  s = netlink::ParseAttrs(p, len, &t);
  if (!s.ok()) return s;
  if (!t[NFTA_GEN_ID].present()) return Error::Invalid("NFT_MSG_NEWGEN without NFTA_GEN_ID");
  info.id = t[NFTA_GEN_ID].Be32();
  info.proc_pid = t[NFTA_GEN_PROC_PID].Be32();
  info.proc_name = t[NFTA_GEN_PROC_NAME].String();
  return info;
}

}  // namespace netns_native::nft
