// The kernel's floor for the benchmark: the same rtnetlink requests netns-native sends, from a
// small C program with no library, one request and its ACK at a time. bench/run.ts compiles it
// at bench time with the machine's gcc into a temporary directory and runs it once per sample:
//
//   floor OP COUNT [ARGS...]     prints the nanoseconds the COUNT timed operations took
//   floor monitor COUNT          subscribes to link notifications, prints "ready", waits for a
//                                line on stdin, then times reading COUNT of them
//
// Only the operations themselves are timed; setup (creating the links a delete needs, say) is
// not. Any failure prints the errno and exits 1. Everything it creates it deletes.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RUN_DIR "/run/netns"

static uint8_t rbuf[1 << 16];
static uint32_t seq;

static void die(const char *what, int err) {
  fprintf(stderr, "floor: %s: %s\n", what, strerror(err));
  exit(1);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// A NETLINK_ROUTE socket in the calling thread's namespace, with the options the library sets.
static int nl_open(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die("socket", errno);
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind", errno);
  return fd;
}

// A request being built: header, family header, attributes.
struct msg {
  union {
    struct nlmsghdr h;
    uint8_t bytes[1024];
  };
};

static void *tail(struct msg *m) { return m->bytes + NLMSG_ALIGN(m->h.nlmsg_len); }

static void msg_init(struct msg *m, uint16_t type, uint16_t flags, const void *fam, size_t len) {
  memset(m, 0, sizeof *m);
  m->h.nlmsg_type = type;
  m->h.nlmsg_flags = NLM_F_REQUEST | flags;
  m->h.nlmsg_len = NLMSG_LENGTH(len);
  memcpy(NLMSG_DATA(&m->h), fam, len);
}

static struct rtattr *put(struct msg *m, uint16_t type, const void *data, size_t len) {
  struct rtattr *a = tail(m);
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  m->h.nlmsg_len = NLMSG_ALIGN(m->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}
static void put_u32(struct msg *m, uint16_t type, uint32_t v) { put(m, type, &v, sizeof v); }
static void put_str(struct msg *m, uint16_t type, const char *s) { put(m, type, s, strlen(s) + 1); }
static void nest_end(struct msg *m, struct rtattr *a) {
  a->rta_len = (uint16_t)((uint8_t *)tail(m) - (uint8_t *)a);
}

// Sends one request and reads until its ACK (or DONE, for a dump). Returns 0 or -errno; for
// a dump, *count gets the number of data messages.
static int nl_talk(int fd, struct msg *m, int *count) {
  int dump = (m->h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  if (!dump) m->h.nlmsg_flags |= NLM_F_ACK;
  m->h.nlmsg_seq = ++seq;
  if (send(fd, m, m->h.nlmsg_len, 0) < 0) die("send", errno);
  for (;;) {
    ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
    if (n < 0) die("recv", errno);
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (count) ++*count;
    }
  }
}

static void must(int fd, struct msg *m, const char *what) {
  int err = nl_talk(fd, m, NULL);
  if (err) die(what, -err);
}

// --- requests -------------------------------------------------------------------------------

// --- nf_tables: the batches a port publication sends ------------------------------------------

// A buffer of messages sent in one sendmsg (an nfnetlink batch).
struct batch {
  uint8_t bytes[16384];
  size_t len;
  int commands;  // messages that get an ACK
};

static struct nlmsghdr *nft_msg(struct batch *b, uint16_t type, uint16_t flags, uint8_t family) {
  struct nlmsghdr *h = (struct nlmsghdr *)(b->bytes + b->len);
  memset(h, 0, NLMSG_LENGTH(sizeof(struct nfgenmsg)));
  h->nlmsg_type = type;
  h->nlmsg_flags = NLM_F_REQUEST | flags;
  h->nlmsg_len = NLMSG_LENGTH(sizeof(struct nfgenmsg));
  h->nlmsg_seq = ++seq;
  struct nfgenmsg *g = NLMSG_DATA(h);
  g->nfgen_family = family;
  g->version = NFNETLINK_V0;
  g->res_id = htons(NFNL_SUBSYS_NFTABLES);
  return h;
}
static void nft_end(struct batch *b, struct nlmsghdr *h) { b->len += NLMSG_ALIGN(h->nlmsg_len); }

static struct nlattr *nattr(struct nlmsghdr *h, uint16_t type, const void *data, size_t len) {
  struct nlattr *a = (struct nlattr *)((uint8_t *)h + NLMSG_ALIGN(h->nlmsg_len));
  a->nla_type = type;
  a->nla_len = (uint16_t)(NLA_HDRLEN + len);
  if (len) memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
  return a;
}
static struct nlattr *nnest(struct nlmsghdr *h, uint16_t type) {
  return nattr(h, type | NLA_F_NESTED, NULL, 0);
}
static void nnest_end(struct nlmsghdr *h, struct nlattr *a) {
  a->nla_len = (uint16_t)((uint8_t *)h + h->nlmsg_len - (uint8_t *)a);
}
static void nstr(struct nlmsghdr *h, uint16_t type, const char *s) {
  nattr(h, type, s, strlen(s) + 1);
}
static void nbe32(struct nlmsghdr *h, uint16_t type, uint32_t v) {
  v = htonl(v);
  nattr(h, type, &v, 4);
}
static void ndata(struct nlmsghdr *h, uint16_t type, const void *data, size_t len) {
  struct nlattr *d = nnest(h, type);
  nattr(h, NFTA_DATA_VALUE, data, len);
  nnest_end(h, d);
}

// One expression: its name, then its attributes written by `fill`.
#define EXPR(h, name, fill)                       \
  do {                                            \
    struct nlattr *e_ = nnest(h, NFTA_LIST_ELEM); \
    nstr(h, NFTA_EXPR_NAME, name);                \
    struct nlattr *d_ = nnest(h, NFTA_EXPR_DATA); \
    fill;                                         \
    nnest_end(h, d_);                             \
    nnest_end(h, e_);                             \
  } while (0)

static void cmp(struct nlmsghdr *h, uint32_t op, const void *data, size_t len) {
  EXPR(h, "cmp",
       (nbe32(h, NFTA_CMP_SREG, NFT_REG_1), nbe32(h, NFTA_CMP_OP, op),
        ndata(h, NFTA_CMP_DATA, data, len)));
}
static void meta(struct nlmsghdr *h, uint32_t key, uint32_t dreg) {
  EXPR(h, "meta", (nbe32(h, NFTA_META_KEY, key), nbe32(h, NFTA_META_DREG, dreg)));
}
static void payload(struct nlmsghdr *h, uint32_t base, uint32_t offset, uint32_t len,
                    uint32_t dreg) {
  EXPR(h, "payload",
       (nbe32(h, NFTA_PAYLOAD_DREG, dreg), nbe32(h, NFTA_PAYLOAD_BASE, base),
        nbe32(h, NFTA_PAYLOAD_OFFSET, offset), nbe32(h, NFTA_PAYLOAD_LEN, len)));
}
// The network's rules that look publications up (see lib/network/nat.ts), made once before the
// timing: `fib daddr type local dnat ip to meta l4proto . th dport map @any` (prerouting and
// output), the same keyed on `ip daddr` for @addr, and in postrouting `ip saddr 127.0.0.0/8
// oifname BRIDGE masquerade`. Registers as nft names them.
static void lookup_rule(struct batch *b, const char *table, const char *chain, const char *bridge,
                        const char *map, int by_daddr) {
  struct nlmsghdr *h = nft_msg(b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE,
                               NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, NFPROTO_IPV4);
  nstr(h, NFTA_RULE_TABLE, table);
  nstr(h, NFTA_RULE_CHAIN, chain);
  struct nlattr *list = nnest(h, NFTA_RULE_EXPRESSIONS);
  char ifname[IFNAMSIZ] = {0};
  strncpy(ifname, bridge, IFNAMSIZ - 1);
  if (!strcmp(chain, "postrouting")) {
    uint8_t loopback = 127;
    payload(h, NFT_PAYLOAD_NETWORK_HEADER, 12, 1, NFT_REG_1);
    cmp(h, NFT_CMP_EQ, &loopback, 1);
    meta(h, NFT_META_OIFNAME, NFT_REG_1);
    cmp(h, NFT_CMP_EQ, ifname, IFNAMSIZ);
    EXPR(h, "masq", (void)0);
  } else {
    uint32_t word = 0;
    if (by_daddr) {
      payload(h, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);
      word = 1;
    } else {
      uint32_t local = RTN_LOCAL;
      EXPR(h, "fib",
           (nbe32(h, NFTA_FIB_DREG, NFT_REG_1), nbe32(h, NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE),
            nbe32(h, NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR)));
      cmp(h, NFT_CMP_EQ, &local, 4);
    }
    meta(h, NFT_META_L4PROTO, word ? NFT_REG32_00 + word : NFT_REG_1);
    payload(h, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_00 + word + 1);
    EXPR(h, "lookup",
         (nbe32(h, NFTA_LOOKUP_SREG, NFT_REG_1), nbe32(h, NFTA_LOOKUP_DREG, NFT_REG_1),
          nstr(h, NFTA_LOOKUP_SET, map)));
    EXPR(h, "nat",
         (nbe32(h, NFTA_NAT_TYPE, NFT_NAT_DNAT), nbe32(h, NFTA_NAT_FAMILY, NFPROTO_IPV4),
          nbe32(h, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1),
          nbe32(h, NFTA_NAT_REG_PROTO_MIN, NFT_REG32_01)));
  }
  nnest_end(h, list);
  nft_end(b, h);
  b->commands++;
}

// A publication map: `type [ipv4_addr .] inet_proto . inet_service : ipv4_addr . inet_service`
// (nft's datatype numbers, 6 bits per field; each field a whole 4-byte register).
static void pub_map(struct batch *b, const char *table, const char *name, int by_daddr,
                    uint32_t id) {
  struct nlmsghdr *h = nft_msg(b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSET,
                               NLM_F_CREATE | NLM_F_ACK, NFPROTO_IPV4);
  nstr(h, NFTA_SET_TABLE, table);
  nstr(h, NFTA_SET_NAME, name);
  nbe32(h, NFTA_SET_FLAGS, NFT_SET_MAP);
  nbe32(h, NFTA_SET_KEY_TYPE, by_daddr ? (7u << 12 | 12u << 6 | 13u) : (12u << 6 | 13u));
  nbe32(h, NFTA_SET_KEY_LEN, by_daddr ? 12 : 8);
  nbe32(h, NFTA_SET_DATA_TYPE, 7u << 6 | 13u);
  nbe32(h, NFTA_SET_DATA_LEN, 8);
  nbe32(h, NFTA_SET_ID, id);
  nft_end(b, h);
  b->commands++;
}

// One publication as an element of @any: NEWSETELEM with NLM_F_EXCL (key tcp . PORT, data
// 198.18.254.2 . 80), or DELSETELEM by its key.
static void pub_element(struct batch *b, const char *table, const char *map, uint16_t port,
                        int add) {
  struct nlmsghdr *h =
      nft_msg(b, (NFNL_SUBSYS_NFTABLES << 8) | (add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM),
              NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0), NFPROTO_IPV4);
  nstr(h, NFTA_SET_ELEM_LIST_TABLE, table);
  nstr(h, NFTA_SET_ELEM_LIST_SET, map);
  struct nlattr *list = nnest(h, NFTA_SET_ELEM_LIST_ELEMENTS);
  struct nlattr *elem = nnest(h, NFTA_LIST_ELEM);
  uint8_t key[8] = {IPPROTO_TCP, 0, 0, 0, (uint8_t)(port >> 8), (uint8_t)port, 0, 0};
  ndata(h, NFTA_SET_ELEM_KEY, key, sizeof key);
  if (add) {
    uint8_t data[8] = {198, 18, 254, 2, 0, 80, 0, 0};
    ndata(h, NFTA_SET_ELEM_DATA, data, sizeof data);
  }
  nnest_end(h, elem);
  nnest_end(h, list);
  nft_end(b, h);
  b->commands++;
}

// The ruleset generation the next batch is made against (NFNL_BATCH_GENID, as the library sends
// it), when nonzero; every committed batch moves it by one.
static uint32_t nft_genid;

// Frames the batch, sends it in one sendmsg and reads every command's ACK; the handles of the
// rules echoed back (NLM_F_ECHO) go to `handles`. Returns 0 or the first -errno.
static int nft_run(int fd, struct batch *b, uint64_t *handles) {
  struct batch framed = {.len = 0};
  struct nlmsghdr *begin = nft_msg(&framed, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC);
  if (nft_genid) nbe32(begin, NFNL_BATCH_GENID, nft_genid);
  nft_end(&framed, begin);
  memcpy(framed.bytes + framed.len, b->bytes, b->len);
  framed.len += b->len;
  struct nlmsghdr *end = nft_msg(&framed, NFNL_MSG_BATCH_END, 0, AF_UNSPEC);
  nft_end(&framed, end);
  if (send(fd, framed.bytes, framed.len, 0) < 0) die("send", errno);
  int acks = 0, err = 0, echoed = 0;
  while (acks < b->commands) {
    ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
    if (n < 0) die("recv", errno);
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        if (e && !err) err = e;
        acks++;
      } else if (handles && (h->nlmsg_type & 0xff) == NFT_MSG_NEWRULE) {
        struct nlattr *a =
            (struct nlattr *)((uint8_t *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
        int left = (int)h->nlmsg_len - (int)((uint8_t *)a - (uint8_t *)h);
        for (; left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= left;
             left -= NLA_ALIGN(a->nla_len),
             a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len))) {
          if ((a->nla_type & NLA_TYPE_MASK) == NFTA_RULE_HANDLE) {
            uint64_t v;
            memcpy(&v, (uint8_t *)a + NLA_HDRLEN, 8);
            handles[echoed++] = be64toh(v);
          }
        }
      }
    }
  }
  if (!err && nft_genid) nft_genid = nft_genid + 1 ? nft_genid + 1 : 1;
  return err;
}

// GETGEN: the ruleset's generation now.
static uint32_t nft_getgen(int fd) {
  struct batch b = {.len = 0};
  struct nlmsghdr *h = nft_msg(&b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, 0, AF_UNSPEC);
  nft_end(&b, h);
  if (send(fd, b.bytes, b.len, 0) < 0) die("send", errno);
  ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
  if (n < 0) die("recv", errno);
  h = (struct nlmsghdr *)rbuf;
  if (!NLMSG_OK(h, (size_t)n) || (h->nlmsg_type & 0xff) != NFT_MSG_NEWGEN) die("getgen", EPROTO);
  struct nlattr *a =
      (struct nlattr *)((uint8_t *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct nfgenmsg)));
  uint32_t id;
  memcpy(&id, (uint8_t *)a + NLA_HDRLEN, 4);  // NFTA_GEN_ID comes first
  return ntohl(id);
}

static int nft_open(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) die("socket", errno);
  int one = 1, big = 1 << 20;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind", errno);
  return fd;
}

// Creates (or deletes) the benchmark's own table with the three nat base chains.
static void nft_table(int fd, const char *table, int create) {
  struct batch b = {.len = 0};
  struct nlmsghdr *h =
      nft_msg(&b, (NFNL_SUBSYS_NFTABLES << 8) | (create ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE),
              NLM_F_ACK | (create ? NLM_F_CREATE : 0), NFPROTO_IPV4);
  nstr(h, NFTA_TABLE_NAME, table);
  nft_end(&b, h);
  b.commands++;
  static const struct {
    const char *name;
    uint32_t hook;
    int32_t prio;
  } chains[] = {{"prerouting", NF_INET_PRE_ROUTING, -100},
                {"output", NF_INET_LOCAL_OUT, -100},
                {"postrouting", NF_INET_POST_ROUTING, 100}};
  for (size_t i = 0; create && i < 3; ++i) {
    h = nft_msg(&b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN, NLM_F_ACK | NLM_F_CREATE,
                NFPROTO_IPV4);
    nstr(h, NFTA_CHAIN_TABLE, table);
    nstr(h, NFTA_CHAIN_NAME, chains[i].name);
    struct nlattr *hook = nnest(h, NFTA_CHAIN_HOOK);
    nbe32(h, NFTA_HOOK_HOOKNUM, chains[i].hook);
    nbe32(h, NFTA_HOOK_PRIORITY, (uint32_t)chains[i].prio);
    nnest_end(h, hook);
    nstr(h, NFTA_CHAIN_TYPE, "nat");
    nbe32(h, NFTA_CHAIN_POLICY, NF_ACCEPT);
    nft_end(&b, h);
    b.commands++;
  }
  int err = nft_run(fd, &b, NULL);
  if (err) die(create ? "create table" : "delete table", -err);
}

static void link_msg(struct msg *m, uint16_t type, uint16_t flags, int index) {
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
  msg_init(m, type, flags, &ifi, sizeof ifi);
}

// One request's message, for one at a time (below) and for the batches.
static void up_msg(struct msg *m, int index, int up) {
  struct ifinfomsg ifi = {.ifi_index = index, .ifi_flags = up ? IFF_UP : 0, .ifi_change = IFF_UP};
  msg_init(m, RTM_NEWLINK, 0, &ifi, sizeof ifi);
}

static void address_msg(struct msg *m, uint16_t type, int index, uint32_t ip, int prefix) {
  struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = prefix, .ifa_index = index};
  msg_init(m, type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0, &ifa, sizeof ifa);
  uint32_t a = htonl(ip);
  put(m, IFA_LOCAL, &a, 4);
  put(m, IFA_ADDRESS, &a, 4);
}

static void route_msg(struct msg *m, uint16_t type, int index, uint32_t dst, int prefix) {
  struct rtmsg rt = {.rtm_family = AF_INET,
                     .rtm_dst_len = prefix,
                     .rtm_table = RT_TABLE_MAIN,
                     .rtm_protocol = RTPROT_BOOT,
                     .rtm_scope = RT_SCOPE_LINK,
                     .rtm_type = RTN_UNICAST};
  if (type == RTM_DELROUTE) rt.rtm_protocol = 0, rt.rtm_scope = RT_SCOPE_NOWHERE;
  msg_init(m, type, type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0, &rt, sizeof rt);
  uint32_t a = htonl(dst);
  put(m, RTA_DST, &a, 4);
  put_u32(m, RTA_OIF, (uint32_t)index);
}

static void set_up(int fd, int index, int up) {
  struct msg m;
  up_msg(&m, index, up);
  must(fd, &m, "set up/down");
}

static void set_u32(int fd, int index, uint16_t attr, uint32_t v, const char *what) {
  struct msg m;
  link_msg(&m, RTM_NEWLINK, 0, index);
  put_u32(&m, attr, v);
  must(fd, &m, what);
}

static void address(int fd, uint16_t type, int index, const char *ip, int prefix) {
  struct msg m;
  struct in_addr a;
  inet_pton(AF_INET, ip, &a);
  address_msg(&m, type, index, ntohl(a.s_addr), prefix);
  must(fd, &m, type == RTM_NEWADDR ? "add address" : "delete address");
}

static void route(int fd, uint16_t type, int index, const char *dst, int prefix) {
  struct msg m;
  struct in_addr a;
  inet_pton(AF_INET, dst, &a);
  route_msg(&m, type, index, ntohl(a.s_addr), prefix);
  must(fd, &m, type == RTM_NEWROUTE ? "add route" : "delete route");
}

// ip neigh add|del IP lladdr 02:00:00:00:00:09 dev INDEX nud permanent
static void neigh(int fd, uint16_t type, int index, const char *ip) {
  struct msg m;
  struct ndmsg ndm = {.ndm_family = AF_INET, .ndm_ifindex = index, .ndm_state = NUD_PERMANENT};
  msg_init(&m, type, type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_EXCL : 0, &ndm, sizeof ndm);
  struct in_addr a;
  inet_pton(AF_INET, ip, &a);
  put(&m, NDA_DST, &a, 4);
  if (type == RTM_NEWNEIGH) {
    uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x09};
    put(&m, NDA_LLADDR, mac, 6);
  }
  must(fd, &m, type == RTM_NEWNEIGH ? "add neighbour" : "delete neighbour");
}

// bridge fdb append|del 00:00:00:00:00:00 dev INDEX dst IP (self, permanent)
static void fdb(int fd, uint16_t type, int index, const char *ip) {
  struct msg m;
  struct ndmsg ndm = {.ndm_family = AF_BRIDGE,
                      .ndm_ifindex = index,
                      .ndm_state = NUD_NOARP | NUD_PERMANENT,
                      .ndm_flags = NTF_SELF};
  msg_init(&m, type, type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_APPEND : 0, &ndm, sizeof ndm);
  uint8_t zeros[6] = {0};
  put(&m, NDA_LLADDR, zeros, 6);
  struct in_addr a;
  inet_pton(AF_INET, ip, &a);
  put(&m, NDA_DST, &a, 4);
  must(fd, &m, type == RTM_NEWNEIGH ? "append fdb entry" : "delete fdb entry");
}

// ip link add NAME [netns FD] type veth peer name PEER [netns PEERFD]
static void veth_add(int fd, const char *name, int ns_fd, const char *peer, int peer_ns_fd) {
  struct msg m;
  link_msg(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  put_str(&m, IFLA_IFNAME, name);
  if (ns_fd >= 0) put_u32(&m, IFLA_NET_NS_FD, (uint32_t)ns_fd);
  struct rtattr *info = put(&m, IFLA_LINKINFO, NULL, 0);
  put_str(&m, IFLA_INFO_KIND, "veth");
  struct rtattr *data = put(&m, IFLA_INFO_DATA, NULL, 0);
  struct rtattr *p = put(&m, VETH_INFO_PEER, NULL, 0);
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  memcpy(tail(&m), &ifi, sizeof ifi);
  m.h.nlmsg_len += NLMSG_ALIGN(sizeof ifi);
  put_str(&m, IFLA_IFNAME, peer);
  if (peer_ns_fd >= 0) put_u32(&m, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
  nest_end(&m, p);
  nest_end(&m, data);
  nest_end(&m, info);
  must(fd, &m, "create veth");
}

static void link_del(int fd, int index, const char *name) {
  struct msg m;
  link_msg(&m, RTM_DELLINK, 0, index);
  if (!index) put_str(&m, IFLA_IFNAME, name);
  must(fd, &m, "delete link");
}

// The index of a link, read back the way the library does after creating or moving it.
static int link_index(int fd, const char *name) {
  struct msg m;
  link_msg(&m, RTM_GETLINK, 0, 0);
  put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  put_str(&m, IFLA_IFNAME, name);
  m.h.nlmsg_seq = ++seq;
  if (send(fd, &m, m.h.nlmsg_len, 0) < 0) die("send", errno);
  int index = 0;
  for (;;) {
    ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
    if (n < 0) die("recv", errno);
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) die("get link", -((struct nlmsgerr *)NLMSG_DATA(h))->error);
      if (h->nlmsg_type == RTM_NEWLINK) index = ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
      if (index) return index;
    }
  }
}

static int dump_links(int fd) {
  struct msg m;
  link_msg(&m, RTM_GETLINK, NLM_F_DUMP, 0);
  put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  int count = 0;
  int err = nl_talk(fd, &m, &count);
  if (err) die("dump links", -err);
  return count;
}

// --- batched: K requests in one sendmsg, then every ACK read ------------------------------

// Requests queued for one sendmsg, each with its own sequence number and NLM_F_ACK.
struct mbatch {
  uint8_t bytes[64 * 1024];
  size_t len;
  int count;
};

static void mbatch_add(struct mbatch *b, struct msg *m) {
  m->h.nlmsg_flags |= NLM_F_ACK;
  m->h.nlmsg_seq = ++seq;
  size_t len = NLMSG_ALIGN(m->h.nlmsg_len);
  if (b->len + len > sizeof b->bytes) die("batch too large", E2BIG);
  memcpy(b->bytes + b->len, m, m->h.nlmsg_len);
  b->len += len;
  b->count++;
}

// One sendmsg of every queued request, then recv until each has its ACK; any error is fatal.
static void mbatch_run(int fd, struct mbatch *b, const char *what) {
  if (send(fd, b->bytes, b->len, 0) < 0) die("send", errno);
  int acks = 0;
  while (acks < b->count) {
    ssize_t n = recv(fd, rbuf, sizeof rbuf, 0);
    if (n < 0) die("recv", errno);
    for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err) die(what, -err);
      acks++;
    }
  }
  b->len = 0;
  b->count = 0;
}

// --- named namespaces, as iproute2 makes them ----------------------------------------------

struct netns {
  char path[128];
  int fd;  // the namespace
  int nl;  // a netlink socket inside it
};

// On a thread of its own, since unshare changes only the calling thread's namespace.
static void *netns_thread(void *arg) {
  struct netns *ns = arg;
  if (unshare(CLONE_NEWNET) < 0) die("unshare", errno);
  if (mount("/proc/thread-self/ns/net", ns->path, "none", MS_BIND, NULL) < 0) die("mount", errno);
  ns->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (ns->fd < 0) die("open ns", errno);
  ns->nl = nl_open();
  return NULL;
}

static void netns_add(struct netns *ns, const char *name) {
  snprintf(ns->path, sizeof ns->path, RUN_DIR "/%s", name);
  mkdir(RUN_DIR, 0755);
  int dir = open(RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || flock(dir, LOCK_EX) < 0) die("lock " RUN_DIR, errno);
  // /run/netns must be a shared mount point: bind it onto itself the first time.
  if (mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
    if (errno != EINVAL || mount(RUN_DIR, RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
        mount("", RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
      die("make " RUN_DIR " shared", errno);
  }
  int f = open(ns->path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (f < 0) die("create namespace file", errno);
  close(f);
  pthread_t t;
  if (pthread_create(&t, NULL, netns_thread, ns)) die("pthread_create", EAGAIN);
  pthread_join(t, NULL);
  close(dir);  // releases the lock
}

static void netns_del(struct netns *ns) {
  if (umount2(ns->path, MNT_DETACH) < 0) die("umount", errno);
  if (unlink(ns->path) < 0) die("unlink", errno);
  close(ns->nl);
  close(ns->fd);
}

// --- the operations ---------------------------------------------------------------------------

static int arg_int(int argc, char **argv, int i) {
  if (i >= argc) {
    fprintf(stderr, "floor: missing argument %d\n", i);
    exit(2);
  }
  return atoi(argv[i]);
}

static const char *arg_str(int argc, char **argv, int i) {
  if (i >= argc) {
    fprintf(stderr, "floor: missing argument %d\n", i);
    exit(2);
  }
  return argv[i];
}

// The two-namespace walkthrough. Literal: a veth made here, each end moved, addressed, up,
// then deleted link by link and namespace by namespace. Idiomatic: each end created in its
// namespace, torn down by deleting the namespaces.
static void walkthrough(int fd, const char *prefix, int i, int idiomatic) {
  char na[32], nb[32], va[32], vb[32];
  snprintf(na, sizeof na, "%s-a%d", prefix, i);
  snprintf(nb, sizeof nb, "%s-b%d", prefix, i);
  snprintf(va, sizeof va, "%sva%d", prefix, i % 100);
  snprintf(vb, sizeof vb, "%svb%d", prefix, i % 100);
  struct netns a, b;
  netns_add(&a, na);
  netns_add(&b, nb);
  if (idiomatic) {
    veth_add(fd, va, a.fd, vb, b.fd);
  } else {
    veth_add(fd, va, -1, vb, -1);
    set_u32(fd, link_index(fd, va), IFLA_NET_NS_FD, (uint32_t)a.fd, "move");
    set_u32(fd, link_index(fd, vb), IFLA_NET_NS_FD, (uint32_t)b.fd, "move");
  }
  int ia = link_index(a.nl, va), ib = link_index(b.nl, vb);
  address(a.nl, RTM_NEWADDR, ia, "198.18.0.1", 24);
  address(b.nl, RTM_NEWADDR, ib, "198.18.0.2", 24);
  set_up(a.nl, ia, 1);
  set_up(b.nl, ib, 1);
  if (!idiomatic) link_del(a.nl, ia, NULL);
  netns_del(&a);
  netns_del(&b);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: floor OP COUNT [ARGS...]\n");
    return 2;
  }
  const char *op = argv[1];
  int count = atoi(argv[2]);
  int fd = nl_open();
  struct msg m;
  char name[64], peer[64];
  uint64_t spent = 0, t0;

  if (!strcmp(op, "noop")) {
    // A netlink round trip the kernel answers without doing anything: the syscall floor.
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      memset(&m, 0, sizeof m);
      m.h.nlmsg_type = NLMSG_NOOP;
      m.h.nlmsg_flags = NLM_F_REQUEST;
      m.h.nlmsg_len = NLMSG_HDRLEN;
      must(fd, &m, "noop");
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "toggle")) {  // ifindex: one up or down per operation
    int index = arg_int(argc, argv, 3);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) set_up(fd, index, !(i & 1));
    spent = now_ns() - t0;
    set_up(fd, index, 0);
  } else if (!strcmp(op, "mtu")) {  // ifindex mtu: set the MTU a link already has
    // The kernel takes rtnl_lock, finds the link and returns: the fixed cost of a request.
    int index = arg_int(argc, argv, 3), mtu = arg_int(argc, argv, 4);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) set_u32(fd, index, IFLA_MTU, (uint32_t)mtu, "set mtu");
    spent = now_ns() - t0;
  } else if (!strcmp(op, "addr")) {  // ifindex
    int index = arg_int(argc, argv, 3);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      address(fd, RTM_NEWADDR, index, "198.18.200.1", 24);
      address(fd, RTM_DELADDR, index, "198.18.200.1", 24);
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "neigh")) {  // ifindex
    int index = arg_int(argc, argv, 3);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      neigh(fd, RTM_NEWNEIGH, index, "198.18.250.9");
      neigh(fd, RTM_DELNEIGH, index, "198.18.250.9");
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "fdb")) {  // vxlan ifindex
    int index = arg_int(argc, argv, 3);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      fdb(fd, RTM_NEWNEIGH, index, "198.18.250.2");
      fdb(fd, RTM_DELNEIGH, index, "198.18.250.2");
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "master")) {  // ifindex bridge-ifindex
    int index = arg_int(argc, argv, 3), bridge = arg_int(argc, argv, 4);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      set_u32(fd, index, IFLA_MASTER, (uint32_t)bridge, "set master");
      set_u32(fd, index, IFLA_MASTER, 0, "set nomaster");
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "route")) {  // ifindex (up, so a device route is accepted)
    int index = arg_int(argc, argv, 3);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      route(fd, RTM_NEWROUTE, index, "198.19.200.0", 24);
      route(fd, RTM_DELROUTE, index, "198.19.200.0", 24);
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "dump")) {
    t0 = now_ns();
    for (int i = 0; i < count; ++i) dump_links(fd);
    spent = now_ns() - t0;
  } else if (!strcmp(op, "netns")) {  // name-prefix
    const char *prefix = arg_str(argc, argv, 3);
    struct netns ns;
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      snprintf(name, sizeof name, "%s%d", prefix, i);
      netns_add(&ns, name);
      netns_del(&ns);
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "veth")) {  // name-prefix: create + delete
    const char *prefix = arg_str(argc, argv, 3);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      snprintf(name, sizeof name, "%sa%d", prefix, i);
      snprintf(peer, sizeof peer, "%sb%d", prefix, i);
      veth_add(fd, name, -1, peer, -1);
      link_del(fd, 0, name);
    }
    spent = now_ns() - t0;
  } else if (!strcmp(op, "delete")) {  // name-prefix pairs: delete PAIRS veth pairs, COUNT times
    const char *prefix = arg_str(argc, argv, 3);
    int pairs = arg_int(argc, argv, 4);
    int *index = calloc((size_t)pairs, sizeof *index);
    for (int i = 0; i < count; ++i) {
      for (int j = 0; j < pairs; ++j) {  // setup, not timed
        snprintf(name, sizeof name, "%sa%d", prefix, j);
        snprintf(peer, sizeof peer, "%sb%d", prefix, j);
        veth_add(fd, name, -1, peer, -1);
        index[j] = link_index(fd, name);
      }
      t0 = now_ns();
      if (pairs == 1) {
        link_del(fd, index[0], NULL);
      } else {
        // What ns.deleteLinks() sends: each link into a fresh group, then one delete of the
        // group, so the kernel waits on RCU once.
        uint32_t group = 0x80000000u | (uint32_t)(getpid() & 0x7fffffff);
        for (int j = 0; j < pairs; ++j) set_u32(fd, index[j], IFLA_GROUP, group, "set group");
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
        msg_init(&m, RTM_DELLINK, 0, &ifi, sizeof ifi);
        put_u32(&m, IFLA_GROUP, group);
        must(fd, &m, "delete group");
      }
      spent += now_ns() - t0;
    }
    free(index);
  } else if (!strncmp(op, "batch-", 6)) {
    // batch-toggle|batch-addr|batch-route COUNT INDEX...: what many calls in flight send, from C.
    // One round is K = (number of indexes) requests in one sendmsg, all ACKs read, then the
    // reverse (down after up, delete after add) the same way; COUNT rounds, timed. Toggle: one
    // request per link. Addresses: 198.18.(100+k).1/24 on link k. Routes: 198.19.k.0/24 through
    // the first link (which must be up), k < K.
    int k = argc - 3;
    if (k < 1 || k > 256) {
      fprintf(stderr, "floor: batch needs 1-256 indexes\n");
      return 2;
    }
    int *index = calloc((size_t)k, sizeof *index);
    for (int j = 0; j < k; ++j) index[j] = arg_int(argc, argv, 3 + j);
    static struct mbatch b;
    int toggle = !strcmp(op, "batch-toggle"), addr = !strcmp(op, "batch-addr");
    if (!toggle && !addr && strcmp(op, "batch-route")) {
      fprintf(stderr, "floor: unknown operation %s\n", op);
      return 2;
    }
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      for (int half = 0; half < 2; ++half) {
        for (int j = 0; j < k; ++j) {
          if (toggle) {
            up_msg(&m, index[j], !half);
          } else if (addr) {
            address_msg(&m, half ? RTM_DELADDR : RTM_NEWADDR, index[j],
                        0xc6120001u | ((uint32_t)(100 + j) << 8), 24);
          } else {
            route_msg(&m, half ? RTM_DELROUTE : RTM_NEWROUTE, index[0],
                      0xc6130000u | ((uint32_t)j << 8), 24);
          }
          mbatch_add(&b, &m);
        }
        mbatch_run(fd, &b, op);
      }
    }
    spent = now_ns() - t0;
    free(index);
  } else if (!strcmp(op, "publish")) {  // table bridge: one publication added, then deleted
    const char *table = arg_str(argc, argv, 3), *bridge = arg_str(argc, argv, 4);
    int nfd = nft_open();
    nft_table(nfd, table, 1);
    // Before the timing, as a network's creation: its two maps and the rules that look them up.
    struct batch setup = {.len = 0};
    pub_map(&setup, table, "pub-any", 0, 1);
    pub_map(&setup, table, "pub-addr", 1, 2);
    lookup_rule(&setup, table, "prerouting", bridge, "pub-any", 0);
    lookup_rule(&setup, table, "prerouting", bridge, "pub-addr", 1);
    lookup_rule(&setup, table, "output", bridge, "pub-any", 0);
    lookup_rule(&setup, table, "output", bridge, "pub-addr", 1);
    lookup_rule(&setup, table, "postrouting", bridge, NULL, 0);
    int err = nft_run(nfd, &setup, NULL);
    if (err) die("publication maps", -err);
    // The change the library sends: one element in one batch, deleted by key in another, each
    // made against the ruleset's generation.
    nft_genid = nft_getgen(nfd);
    t0 = now_ns();
    for (int i = 0; i < count; ++i) {
      struct batch add = {.len = 0};
      pub_element(&add, table, "pub-any", 8080, 1);
      err = nft_run(nfd, &add, NULL);
      if (err) die("add element", -err);
      struct batch del = {.len = 0};
      pub_element(&del, table, "pub-any", 8080, 0);
      err = nft_run(nfd, &del, NULL);
      if (err) die("delete element", -err);
    }
    spent = now_ns() - t0;
    nft_genid = 0;
    nft_table(nfd, table, 0);
    close(nfd);
  } else if (!strcmp(op, "walk-literal") || !strcmp(op, "walk-idiomatic")) {  // name-prefix
    const char *prefix = arg_str(argc, argv, 3);
    int idiomatic = !strcmp(op, "walk-idiomatic");
    t0 = now_ns();
    for (int i = 0; i < count; ++i) walkthrough(fd, prefix, i, idiomatic);
    spent = now_ns() - t0;
  } else if (!strcmp(op, "monitor")) {
    // The floor of a monitor: a socket joined to RTNLGRP_LINK with the buffer the library asks
    // for, its queue filled while it waits, then drained: recv and count the RTM_NEWLINK
    // messages, no decoding.
    int mon = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (mon < 0) die("socket", errno);
    int bytes = 4 << 20, group = RTNLGRP_LINK;
    if (setsockopt(mon, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0) die("rcvbuf", errno);
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(mon, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind", errno);
    if (setsockopt(mon, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0)
      die("join", errno);
    printf("ready\n");
    fflush(stdout);
    char line[16];
    if (!fgets(line, sizeof line, stdin)) die("stdin", EIO);
    t0 = now_ns();
    for (int seen = 0; seen < count;) {
      ssize_t n = recv(mon, rbuf, sizeof rbuf, 0);
      if (n < 0) die("recv", errno);
      for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n);
           h = NLMSG_NEXT(h, n))
        seen += h->nlmsg_type == RTM_NEWLINK;
    }
    spent = now_ns() - t0;
  } else {
    fprintf(stderr, "floor: unknown operation %s\n", op);
    return 2;
  }
  printf("%llu\n", (unsigned long long)spent);
  return 0;
}
