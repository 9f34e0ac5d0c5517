#include "statement.h"

// Before the kernel headers: glibc then tells linux/in.h not to define what it already did.
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/rtnetlink.h>

namespace netns_native::nft {

namespace {

using Bytes = std::vector<uint8_t>;
using Exprs = std::vector<Expr>;

// Offsets of the fields nft loads (struct iphdr, struct ipv6hdr, struct tcphdr / udphdr, and
// struct ethhdr's h_source).
constexpr uint32_t kIpSaddr = 12, kIpDaddr = 16, kIp6Saddr = 8, kIp6Daddr = 24, kDport = 2;
constexpr uint32_t kEtherSaddr = 6, kEtherAddrLen = 6;

void Append(Exprs* out, Exprs more) { out->insert(out->end(), more.begin(), more.end()); }

// `ip saddr ADDR/PREFIX` as nft writes it: a whole-byte prefix loads only those bytes and
// compares them; otherwise the whole address is loaded, masked, then compared.
Status Prefix(Exprs* out, bool source, Bytes addr, uint8_t prefix, nft_cmp_ops op) {
  if (addr.size() != 4 && addr.size() != 16) return Error::Invalid("an address is 4 or 16 bytes");
  size_t bits = addr.size() * 8;
  if (prefix == 0 || prefix > bits) prefix = static_cast<uint8_t>(bits);
  uint32_t offset =
      addr.size() == 4 ? (source ? kIpSaddr : kIpDaddr) : (source ? kIp6Saddr : kIp6Daddr);
  if (prefix % 8 == 0) {
    size_t n = prefix / 8u;
    addr.resize(n);
    Append(out,
           {Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, static_cast<uint32_t>(n)), Cmp(op, addr)});
    return Status();
  }
  Bytes mask(addr.size(), 0);
  for (int bit = 0; bit < prefix; ++bit) mask[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
  for (size_t i = 0; i < addr.size(); ++i) addr[i] &= mask[i];
  uint32_t len = static_cast<uint32_t>(addr.size());
  Append(out, {Payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len),
               Bitwise(len, mask, Bytes(addr.size(), 0)), Cmp(op, addr)});
  return Status();
}

Status Interface(Exprs* out, nft_meta_keys key, const std::string& name, nft_cmp_ops op) {
  Result<Bytes> data = IfNameData(name);
  if (!data.ok()) return data.status();
  Append(out, {Meta(key), Cmp(op, data.take())});
  return Status();
}

Exprs L4Proto(uint8_t proto) { return {Meta(NFT_META_L4PROTO), Cmp(NFT_CMP_EQ, U8Data(proto))}; }

// `ct state|status BITS` (any of them set) or, with NFT_CMP_NEQ, `ct state|status != BITS` (none
// of them set): a bit test on a host-order u32, the masked bits compared with zero.
Status CtBits(Exprs* out, nft_ct_keys key, uint32_t bits, nft_cmp_ops op) {
  if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) return Error::Invalid("ct bits compare with == or !=");
  Append(out, {Ct(key), Bitwise(4, HostU32Data(bits), HostU32Data(0)),
               Cmp(op == NFT_CMP_EQ ? NFT_CMP_NEQ : NFT_CMP_EQ, HostU32Data(0))});
  return Status();
}

// `dnat to ADDR[:PORT]`: registers 1 and 2, as nft allocates them.
Status Dnat(Exprs* out, const Bytes& addr, uint16_t port) {
  if (addr.size() != 4 && addr.size() != 16) return Error::Invalid("an address is 4 or 16 bytes");
  out->push_back(Immediate(NFT_REG_1, addr));
  NatSpec nat;
  nat.type = NFT_NAT_DNAT;
  nat.family = addr.size() == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
  nat.reg_addr_min = NFT_REG_1;
  if (port != 0) {
    out->push_back(Immediate(NFT_REG_2, Be16Data(port)));
    nat.reg_proto_min = NFT_REG_2;
    nat.flags = NF_NAT_RANGE_PROTO_SPECIFIED;
  }
  out->push_back(Nat(nat));
  return Status();
}

// `dnat ip to [ip daddr .] meta l4proto . th dport map @NAME`: the key's fields loaded into
// consecutive registers (words counted as nft does, RegisterAt), looked up with the data copied
// to NFT_REG_1 on, and the NAT reading the address from NFT_REG_1 and the port from the word
// after the address. nft sends no NFTA_NAT_FLAGS here: the kernel sets
// NF_NAT_RANGE_PROTO_SPECIFIED itself when a port register is given.
Status DnatMap(Exprs* out, uint8_t family, const std::string& map, bool by_daddr) {
  if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6) {
    return Error::Invalid("a map dnat is for family ip or ip6");
  }
  if (map.empty()) return Error::Invalid("a map dnat needs the map's name");
  uint32_t addr_words = family == NFPROTO_IPV4 ? 1 : 4;
  uint32_t word = 0;
  if (by_daddr) {
    out->push_back(Payload(NFT_PAYLOAD_NETWORK_HEADER,
                           family == NFPROTO_IPV4 ? kIpDaddr : kIp6Daddr, addr_words * 4,
                           RegisterAt(word)));
    word += addr_words;
  }
  out->push_back(Meta(NFT_META_L4PROTO, RegisterAt(word)));
  out->push_back(Payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDport, 2, RegisterAt(word + 1)));
  out->push_back(Lookup(map, NFT_REG_1, NFT_REG_1));
  NatSpec nat;
  nat.type = NFT_NAT_DNAT;
  nat.family = family;
  nat.reg_addr_min = NFT_REG_1;
  nat.reg_proto_min = RegisterAt(addr_words);
  out->push_back(Nat(nat));
  return Status();
}

}  // namespace

Result<std::vector<Expr>> StatementsToExprs(const std::vector<Statement>& statements) {
  Exprs out;
  for (const Statement& s : statements) {
    Status st;
    switch (s.kind) {
      case Statement::Kind::kSaddr:
      case Statement::Kind::kDaddr:
        st = Prefix(&out, s.kind == Statement::Kind::kSaddr, s.address, s.prefix, s.op);
        break;
      case Statement::Kind::kEtherSaddr:
        // The link layer header as the frame arrived: in a bridge table, the Ethernet header.
        // nft adds no dependency there (in inet or netdev it would first match meta iiftype).
        if (s.mac.size() != kEtherAddrLen) return Error::Invalid("a MAC address is 6 bytes");
        Append(&out,
               {Payload(NFT_PAYLOAD_LL_HEADER, kEtherSaddr, kEtherAddrLen), Cmp(s.op, s.mac)});
        break;
      case Statement::Kind::kIifname:
        st = Interface(&out, NFT_META_IIFNAME, s.name, s.op);
        break;
      case Statement::Kind::kOifname:
        st = Interface(&out, NFT_META_OIFNAME, s.name, s.op);
        break;
      case Statement::Kind::kL4proto:
        Append(&out, L4Proto(s.proto));
        break;
      case Statement::Kind::kDport:
        // nft first matches the protocol, then loads the port.
        Append(&out, L4Proto(s.proto));
        Append(&out,
               {Payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDport, 2), Cmp(s.op, Be16Data(s.port))});
        break;
      case Statement::Kind::kCtState:
        st = CtBits(&out, NFT_CT_STATE, s.bits, s.op);
        break;
      case Statement::Kind::kCtStatus:
        st = CtBits(&out, NFT_CT_STATUS, s.bits, s.op);
        break;
      case Statement::Kind::kDaddrLocal:
        Append(&out, {Fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE),
                      Cmp(NFT_CMP_EQ, HostU32Data(RTN_LOCAL))});
        break;
      case Statement::Kind::kCounter:
        out.push_back(Counter());
        break;
      case Statement::Kind::kAccept:
        out.push_back(Accept());
        break;
      case Statement::Kind::kDrop:
        out.push_back(Drop());
        break;
      case Statement::Kind::kReturn:
        out.push_back(Return());
        break;
      case Statement::Kind::kJump:
      case Statement::Kind::kGoto:
        if (s.chain.empty()) return Error::Invalid("a jump needs a chain");
        out.push_back(s.kind == Statement::Kind::kJump ? Jump(s.chain) : Goto(s.chain));
        break;
      case Statement::Kind::kMasquerade:
        out.push_back(Masq());
        break;
      case Statement::Kind::kDnat:
        st = Dnat(&out, s.address, s.port);
        break;
      case Statement::Kind::kDnatMap:
      case Statement::Kind::kDnatMapDaddr:
        st = DnatMap(&out, s.family, s.name, s.kind == Statement::Kind::kDnatMapDaddr);
        break;
    }
    if (!st.ok()) return st;
  }
  return out;
}

}  // namespace netns_native::nft
