// Tests of the native core without Node and without root: message encoding checked byte for
// byte against what iproute2 sends for the same command (captured with strace), extended-ACK
// decoding, parsing of replies, malformed input, and a mutation loop meant to run under
// AddressSanitizer/UBSan. Also a read-only round trip on a real NETLINK_ROUTE socket.
//
// Build and run: scripts/native-test.sh (part of `npm test` via test/unit/native-core.test.ts).
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../netlink/engine.h"
#include "../netlink/message.h"
#include "../netlink/socket.h"
#include "../rtnl/address.h"
#include "../rtnl/link.h"
#include "../rtnl/operation.h"
#include "../rtnl/route.h"

using namespace netns_native;

namespace {

int failures = 0;
int checks = 0;

#define CHECK(cond)                                                                 \
  do {                                                                              \
    ++checks;                                                                       \
    if (!(cond)) {                                                                  \
      ++failures;                                                                   \
      std::fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                               \
  } while (0)

using Bytes = std::vector<uint8_t>;

std::string Hex(const Bytes& b) {
  std::string s;
  char x[4];
  for (uint8_t c : b) {
    std::snprintf(x, sizeof x, "%02x", c);
    s += x;
  }
  return s;
}

// Compares built bytes with an expected capture; reports a readable diff.
void CheckBytes(const char* what, const Result<Bytes>& built, const Bytes& expected) {
  ++checks;
  if (!built.ok() || built.value() != expected) {
    ++failures;
    std::fprintf(stderr, "%s: bytes differ\n  got:  %s\n  want: %s\n", what,
                 built.ok() ? Hex(built.value()).c_str() : "(error)", Hex(expected).c_str());
  }
}

// `ip addr add 198.18.0.1/24 dev va` (va = ifindex 2), as iproute2 6.1 sends it, with
// nlmsg_seq and NLM_F_ACK (both set by our socket at send time) cleared.
void TestAddressMatchesIproute2() {
  const Bytes iproute2 = {
      0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
      0x14, 0x00,              // nlmsg_type RTM_NEWADDR
      0x01, 0x06,              // NLM_F_REQUEST | NLM_F_EXCL | NLM_F_CREATE
      0x00, 0x00, 0x00, 0x00,  // nlmsg_seq
      0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
      0x02, 0x18, 0x00, 0x00,  // ifaddrmsg: AF_INET, /24, flags 0, scope universe
      0x02, 0x00, 0x00, 0x00,  //   ifa_index 2
      0x08, 0x00, 0x02, 0x00,  // IFA_LOCAL
      0xc6, 0x12, 0x00, 0x01,  //   198.18.0.1
      0x08, 0x00, 0x01, 0x00,  // IFA_ADDRESS
      0xc6, 0x12, 0x00, 0x01,  //   198.18.0.1
  };
  rtnl::AddressRequest req;
  req.family = AF_INET;
  req.prefixlen = 24;
  req.index = 2;
  req.local = {198, 18, 0, 1};
  CheckBytes("RTM_NEWADDR", rtnl::BuildNewAddr(req, NLM_F_CREATE | NLM_F_EXCL), iproute2);
}

// `ip link set lo up`.
void TestLinkUpMatchesIproute2() {
  const Bytes iproute2 = {
      0x20, 0x00, 0x00, 0x00,  // nlmsg_len 32
      0x10, 0x00,              // RTM_NEWLINK
      0x01, 0x00,              // NLM_F_REQUEST
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ifinfomsg: AF_UNSPEC, pad, ifi_type 0
      0x01, 0x00, 0x00, 0x00,              //   ifi_index 1
      0x01, 0x00, 0x00, 0x00,              //   ifi_flags IFF_UP
      0x01, 0x00, 0x00, 0x00,              //   ifi_change IFF_UP
  };
  rtnl::LinkRequest req;
  req.index = 1;
  req.flags = IFF_UP;
  req.change = IFF_UP;
  CheckBytes("RTM_NEWLINK up", rtnl::BuildNewLink(req, 0), iproute2);
}

// `ip route add 198.19.0.0/24 dev va` (ifindex 2).
void TestRouteMatchesIproute2() {
  const Bytes iproute2 = {
      0x2c, 0x00, 0x00, 0x00,  // nlmsg_len 44
      0x18, 0x00,              // RTM_NEWROUTE
      0x01, 0x06,              // NLM_F_REQUEST | NLM_F_EXCL | NLM_F_CREATE
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x02, 0x18, 0x00, 0x00,  // rtmsg: AF_INET, dst_len 24, src_len 0, tos 0
      0xfe, 0x03, 0xfd, 0x01,              //   table main, proto boot, scope link, type unicast
      0x00, 0x00, 0x00, 0x00,              //   rtm_flags
      0x08, 0x00, 0x01, 0x00,              // RTA_DST
      0xc6, 0x13, 0x00, 0x00,              //   198.19.0.0
      0x08, 0x00, 0x04, 0x00,              // RTA_OIF
      0x02, 0x00, 0x00, 0x00,              //   2
  };
  rtnl::RouteRequest req;
  req.family = AF_INET;
  req.dst_len = 24;
  req.table = RT_TABLE_MAIN;
  req.protocol = RTPROT_BOOT;
  req.scope = RT_SCOPE_LINK;
  req.type = RTN_UNICAST;
  req.dst = {198, 19, 0, 0};
  req.oif = 2;
  CheckBytes("RTM_NEWROUTE", rtnl::BuildNewRoute(req, NLM_F_CREATE | NLM_F_EXCL), iproute2);
}

// `ip link add vc type veth peer name vd`, in our encoding: unlike iproute2 we mark nests with
// NLA_F_NESTED and NUL-terminate IFLA_INFO_KIND; the kernel accepts both.
void TestVethEncoding() {
  const Bytes want = {
      0x58, 0x00, 0x00, 0x00,  // nlmsg_len 88
      0x10, 0x00, 0x01, 0x06,  // RTM_NEWLINK, REQUEST | EXCL | CREATE
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ifinfomsg (16 bytes), all zero
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x07, 0x00, 0x03, 0x00, 'v',  'c',  0x00, 0x00,  // IFLA_IFNAME "vc\0" + pad
      0x30, 0x00, 0x12, 0x80,                          // IFLA_LINKINFO | NLA_F_NESTED, 48
      0x09, 0x00, 0x01, 0x00, 'v',  'e',  't',  'h',   //   IFLA_INFO_KIND "veth\0"
      0x00, 0x00, 0x00, 0x00,                          //   + pad
      0x20, 0x00, 0x02, 0x80,                          //   IFLA_INFO_DATA | NESTED, 32
      0x1c, 0x00, 0x01, 0x80,                          //     VETH_INFO_PEER | NESTED, 28
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //     peer ifinfomsg (16 bytes)
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x07, 0x00, 0x03, 0x00, 'v',  'd',  0x00, 0x00,  //     IFLA_IFNAME "vd\0" + pad
  };
  rtnl::LinkRequest req;
  req.name = "vc";
  req.kind = "veth";
  rtnl::AttrValue peer;
  peer.spec = &rtnl::FindLinkKind("veth")->attrs[0];
  peer.link = std::make_shared<rtnl::LinkRequest>();
  peer.link->name = "vd";
  req.info.values.push_back(peer);
  CheckBytes("RTM_NEWLINK veth", rtnl::BuildNewLink(req, NLM_F_CREATE | NLM_F_EXCL), want);
}

void TestOversizedAttributeIsAnError() {
  netlink::MessageBuilder b(RTM_NEWLINK, NLM_F_REQUEST);
  ifinfomsg ifi{};
  b.PutHeader(ifi);
  std::string huge(70000, 'x');
  b.PutString(IFLA_IFALIAS, huge);
  Result<Bytes> r = std::move(b).Finish();
  CHECK(!r.ok());
  CHECK(!r.ok() && r.error().code == EMSGSIZE);
}

Bytes Message(uint16_t type, uint16_t flags, const Bytes& payload) {
  Bytes m(NLMSG_HDRLEN, 0);
  nlmsghdr h{};
  h.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + payload.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  std::memcpy(m.data(), &h, sizeof h);
  m.insert(m.end(), payload.begin(), payload.end());
  return m;
}

void PutAttr(Bytes* out, uint16_t type, const Bytes& data) {
  uint16_t len = static_cast<uint16_t>(NLA_HDRLEN + data.size());
  out->push_back(len & 0xff);
  out->push_back(len >> 8);
  out->push_back(type & 0xff);
  out->push_back(type >> 8);
  out->insert(out->end(), data.begin(), data.end());
  while (out->size() % 4) out->push_back(0);
}

Bytes Str(const std::string& s) {
  Bytes b(s.begin(), s.end());
  b.push_back(0);
  return b;
}

Bytes U32(uint32_t v) {
  Bytes b(4);
  std::memcpy(b.data(), &v, 4);
  return b;
}

// An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and NETLINK_EXT_ACK on.
Bytes ExtendedNack(int32_t error, const std::string& text, uint32_t offset) {
  Bytes payload(sizeof(nlmsgerr), 0);
  nlmsgerr e{};
  e.error = error;
  e.msg.nlmsg_len = 32;
  e.msg.nlmsg_type = RTM_NEWLINK;
  std::memcpy(payload.data(), &e, sizeof e);
  PutAttr(&payload, NLMSGERR_ATTR_MSG, Str(text));
  PutAttr(&payload, NLMSGERR_ATTR_OFFS, U32(offset));
  return Message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, payload);
}

void TestDecodeAck() {
  Bytes ack = Message(NLMSG_ERROR, NLM_F_CAPPED, Bytes(sizeof(nlmsgerr), 0));
  CHECK(netlink::DecodeAck(*reinterpret_cast<nlmsghdr*>(ack.data())).ok());

  Bytes nack = ExtendedNack(-EINVAL, "mtu greater than device maximum", 36);
  Status s = netlink::DecodeAck(*reinterpret_cast<nlmsghdr*>(nack.data()));
  CHECK(!s.ok());
  CHECK(s.error().code == EINVAL);
  CHECK(s.error().detail == "mtu greater than device maximum");
  CHECK(s.error().bad_offset == 36);

  // Without NLM_F_CAPPED the original request follows the error header: TLVs come after it.
  Bytes payload(sizeof(nlmsgerr), 0);
  nlmsgerr e{};
  e.error = -EEXIST;
  e.msg.nlmsg_len = NLMSG_HDRLEN + 8;
  std::memcpy(payload.data(), &e, sizeof e);
  payload.insert(payload.end(), 8, 0xaa);  // the echoed request body
  PutAttr(&payload, NLMSGERR_ATTR_MSG, Str("exists"));
  Bytes uncapped = Message(NLMSG_ERROR, NLM_F_ACK_TLVS, payload);
  Status u = netlink::DecodeAck(*reinterpret_cast<nlmsghdr*>(uncapped.data()));
  CHECK(!u.ok() && u.error().code == EEXIST && u.error().detail == "exists");

  // NLMSG_DONE carrying an error (a dump that failed part-way).
  Bytes done_payload = U32(static_cast<uint32_t>(-ENOBUFS));
  Bytes done = Message(NLMSG_DONE, NLM_F_MULTI, done_payload);
  Status d = netlink::DecodeAck(*reinterpret_cast<nlmsghdr*>(done.data()));
  CHECK(!d.ok() && d.error().code == ENOBUFS);
}

Bytes LinkReply() {
  Bytes payload(sizeof(ifinfomsg), 0);
  ifinfomsg ifi{};
  ifi.ifi_index = 7;
  ifi.ifi_type = 1;  // ARPHRD_ETHER
  ifi.ifi_flags = IFF_UP | IFF_BROADCAST;
  std::memcpy(payload.data(), &ifi, sizeof ifi);
  PutAttr(&payload, IFLA_IFNAME, Str("br0"));
  PutAttr(&payload, IFLA_MTU, U32(1500));
  PutAttr(&payload, IFLA_ADDRESS, {0x02, 0, 0, 0, 0, 0x01});
  PutAttr(&payload, IFLA_OPERSTATE, {6});
  PutAttr(&payload, IFLA_MASTER, U32(3));
  PutAttr(&payload, 0x7ff0, U32(1));  // an attribute from a newer kernel: skipped
  Bytes info;
  PutAttr(&info, IFLA_INFO_KIND, Str("bridge"));
  Bytes data;
  PutAttr(&data, IFLA_BR_STP_STATE, U32(1));
  PutAttr(&data, 0x3ff1, U32(9));  // a bridge attribute from a newer kernel: kept raw
  PutAttr(&info, IFLA_INFO_DATA, data);
  PutAttr(&payload, IFLA_LINKINFO, info);
  return Message(RTM_NEWLINK, 0, payload);
}

void TestParseLink() {
  Bytes m = LinkReply();
  Result<rtnl::LinkInfo> r = rtnl::ParseLink(*reinterpret_cast<nlmsghdr*>(m.data()));
  CHECK(r.ok());
  if (!r.ok()) return;
  const rtnl::LinkInfo& l = r.value();
  CHECK(l.index == 7);
  CHECK(l.name == "br0");
  CHECK(l.mtu == 1500);
  CHECK(l.flags == (IFF_UP | IFF_BROADCAST));
  CHECK((l.address == Bytes{0x02, 0, 0, 0, 0, 0x01}));
  CHECK(l.operstate == 6);
  CHECK(l.master == 3);
  CHECK(l.kind == "bridge");
  CHECK(l.info.values.size() == 1 && std::string(l.info.values[0].spec->name) == "stpState" &&
        l.info.values[0].number == 1);
  CHECK(l.info.unknown.size() == 1 && l.info.unknown[0].type == 0x3ff1 &&
        (l.info.unknown[0].bytes == U32(9)));
}

// An RTM_DELLINK event decodes like an RTM_NEWLINK (the monitor needs both).
void TestParseDelLink() {
  Bytes m = LinkReply();
  nlmsghdr h;
  std::memcpy(&h, m.data(), sizeof h);
  h.nlmsg_type = RTM_DELLINK;
  std::memcpy(m.data(), &h, sizeof h);
  Result<rtnl::LinkInfo> r = rtnl::ParseLink(*reinterpret_cast<nlmsghdr*>(m.data()));
  CHECK(r.ok() && r.value().name == "br0" && r.value().index == 7);
}

// A bridge's settings encode from its table: `ip link add b0 type bridge stp_state 1`.
void TestBridgeEncoding() {
  rtnl::LinkRequest req;
  req.name = "b0";
  req.kind = "bridge";
  const rtnl::LinkKind* bridge = rtnl::FindLinkKind("bridge");
  CHECK(bridge != nullptr);
  if (!bridge) return;
  for (const rtnl::AttrSpec& s : bridge->attrs) {
    if (std::string(s.name) == "stpState") {
      rtnl::AttrValue v;
      v.spec = &s;
      v.number = 1;
      req.info.values.push_back(v);
    }
  }
  Result<Bytes> built = rtnl::BuildNewLink(req, NLM_F_CREATE | NLM_F_EXCL);
  CHECK(built.ok());
  if (!built.ok()) return;
  Result<rtnl::LinkInfo> back =
      rtnl::ParseLink(*reinterpret_cast<const nlmsghdr*>(built.value().data()));
  CHECK(back.ok() && back.value().kind == "bridge" && back.value().info.values.size() == 1 &&
        back.value().info.values[0].number == 1);
}

void TestMalformedAttributes() {
  // nla_len shorter than a header
  Bytes short_len = {0x02, 0x00, 0x01, 0x00};
  CHECK(
      !netlink::ForEachAttr(short_len.data(), short_len.size(), [](const netlink::Attr&) {}).ok());
  // nla_len beyond the buffer
  Bytes past_end = {0x40, 0x00, 0x01, 0x00, 0, 0, 0, 0};
  CHECK(!netlink::ForEachAttr(past_end.data(), past_end.size(), [](const netlink::Attr&) {}).ok());
  // A message too short for its family header
  Bytes tiny = Message(RTM_NEWLINK, 0, Bytes(4, 0));
  CHECK(!rtnl::ParseLink(*reinterpret_cast<nlmsghdr*>(tiny.data())).ok());
  // Readers never read past a short attribute
  netlink::Attr a;
  uint8_t one = 5;
  a.data = &one;
  a.len = 1;
  CHECK(a.U32(99) == 99);
  CHECK(a.U8() == 5);
}

// Mutates valid messages at random and parses them; under ASan/UBSan any out-of-bounds read or
// undefined behaviour aborts the run. The loop must also have exercised both outcomes: mutants
// the parsers still accept and mutants they refuse (a loop whose mutations never reach the
// parsers, or always break them, proves nothing).
void TestMutations() {
  std::mt19937 rng(12345);
  std::vector<Bytes> seeds = {LinkReply(), ExtendedNack(-EINVAL, "bad", 20)};
  CHECK(rtnl::ParseLink(*reinterpret_cast<const nlmsghdr*>(seeds[0].data())).ok());
  CHECK(!netlink::DecodeAck(*reinterpret_cast<const nlmsghdr*>(seeds[1].data())).ok());
  int links_parsed = 0, links_refused = 0, acks_decoded = 0;
  for (int i = 0; i < 200000; ++i) {
    Bytes m = seeds[i % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) m[rng() % m.size()] = static_cast<uint8_t>(rng());
    if (rng() % 3 == 0) m.resize(NLMSG_HDRLEN + rng() % (m.size() - NLMSG_HDRLEN + 1));
    // Keep nlmsg_len within the buffer, as the receive loop guarantees.
    uint32_t len = static_cast<uint32_t>(m.size());
    uint32_t claimed;
    std::memcpy(&claimed, m.data(), 4);
    if (claimed > len || claimed < NLMSG_HDRLEN) std::memcpy(m.data(), &len, 4);
    // Copy into an exactly sized heap buffer so ASan sees any read past its end.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[m.size()]);
    std::memcpy(exact.get(), m.data(), m.size());
    const nlmsghdr& h = *reinterpret_cast<const nlmsghdr*>(exact.get());
    if (rtnl::ParseLink(h).ok()) {
      ++links_parsed;
    } else {
      ++links_refused;
    }
    (void)rtnl::ParseAddr(h);
    (void)rtnl::ParseRoute(h);
    if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE) {
      (void)netlink::DecodeAck(h);
      ++acks_decoded;
    }
  }
  CHECK(links_parsed > 0 && links_refused > 0);
  CHECK(acks_decoded > 0);
}

// A real socket, read-only: works unprivileged, in whatever namespace this runs in.
void TestSocketRoundTrip() {
  Result<netlink::Socket> s = netlink::Socket::Open();
  CHECK(s.ok());
  if (!s.ok()) return;
  rtnl::Operation lo(rtnl::BuildGetLink(1, ""), false);
  rtnl::Operation missing(rtnl::BuildGetLink(0, "nnt-nope"), false);
  rtnl::Operation dump(rtnl::BuildDumpLinks(0, ""), true);
  rtnl::Operation after(rtnl::BuildGetLink(1, ""), false);
  Status st = rtnl::RunOperations(s.value(), {&lo, &missing, &dump, &after});
  CHECK(st.ok());
  CHECK(lo.status().ok() && lo.links.size() == 1 && lo.links[0].name == "lo");
  CHECK(!missing.status().ok() && missing.status().error().code == ENODEV);
  CHECK(dump.status().ok() && !dump.links.empty() && dump.links[0].index == 1);
  CHECK(after.status().ok() && after.links.size() == 1);
  // A malformed request is refused by the kernel's strict checking, with its own words.
  {
    netlink::MessageBuilder b(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
    rtmsg rtm{};
    rtm.rtm_family = AF_INET;
    rtm.rtm_scope = RT_SCOPE_LINK;  // not allowed in a strict dump request
    b.PutHeader(rtm);
    rtnl::Operation strict(std::move(b).Finish(), true);
    CHECK(rtnl::RunOperations(s.value(), {&strict}).ok());
    CHECK(!strict.status().ok() && strict.status().error().code == EINVAL &&
          !strict.status().error().detail.empty());
  }
}

}  // namespace

int main() {
  TestAddressMatchesIproute2();
  TestLinkUpMatchesIproute2();
  TestRouteMatchesIproute2();
  TestVethEncoding();
  TestOversizedAttributeIsAnError();
  TestDecodeAck();
  TestParseLink();
  TestParseDelLink();
  TestBridgeEncoding();
  TestMalformedAttributes();
  TestMutations();
  TestSocketRoundTrip();
  std::printf("core_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
