/**
 * Kernel ABI constants used by lib/ (linux/if.h, netlink.h, rtnetlink.h, socket.h, sched.h).
 * @internal
 */
export const AF_INET = 2;
export const AF_INET6 = 10;
export const IFF_UP = 0x1;
export const IFF_NOTRAILERS = 0x20;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MULTICAST = 0x1000;
export const IFF_DYNAMIC = 0x8000;
export const IFF_LOWER_UP = 0x10000;
/** NLM_F_ECHO: the kernel sends what the request made back to its sender (before the ACK). */
export const NLM_F_ECHO = 0x8;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const IFA_F_SECONDARY = 0x01;
export const IFA_F_NODAD = 0x02;
export const IFA_F_OPTIMISTIC = 0x04;
export const IFA_F_HOMEADDRESS = 0x10;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_MCAUTOJOIN = 0x400;
export const RTM_F_CLONED = 0x200;
export const RT_TABLE_MAIN = 254;
/** The loopback's index in every network namespace (LOOPBACK_IFINDEX, include/net/flow.h: lo is the first device of each). */
export const LOOPBACK_IFINDEX = 1;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_UNREACHABLE = 7;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_DEAD = 1;
export const RTNH_F_LINKDOWN = 16;
// linux/sched.h: namespace types, as NS_GET_NSTYPE reports them.
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
// linux/netfilter.h, linux/netfilter/nf_tables.h, nf_conntrack_common.h: nf_tables.
export const NFPROTO_INET = 1;
export const NFPROTO_IPV4 = 2;
export const NFPROTO_BRIDGE = 7;
export const NFPROTO_IPV6 = 10;
export const NFT_MSG_NEWTABLE = 0;
export const NFT_MSG_DELTABLE = 2;
export const NFT_MSG_NEWCHAIN = 3;
export const NFT_MSG_DELCHAIN = 5;
export const NFT_MSG_NEWRULE = 6;
export const NFT_MSG_DELRULE = 8;
export const NFT_MSG_NEWSET = 9;
export const NFT_MSG_DELSET = 11;
export const NFT_MSG_NEWSETELEM = 12;
export const NFT_MSG_DELSETELEM = 14;
export const NF_INET_PRE_ROUTING = 0;
/** linux/netfilter_bridge.h: the bridge family's first hook, before the forwarding decision. */
export const NF_BR_PRE_ROUTING = 0;
export const NF_INET_LOCAL_IN = 1;
export const NF_INET_FORWARD = 2;
export const NF_INET_LOCAL_OUT = 3;
export const NF_INET_POST_ROUTING = 4;
export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NFT_CMP_EQ = 0;
export const NFT_CMP_NEQ = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
/** NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED) */
export const CT_STATE_ESTABLISHED_RELATED = 0x2 | 0x4;
/** IPS_DST_NAT: the connection's destination was NATed */
export const IPS_DST_NAT = 0x20;
// linux/socket.h, netlink.h, neighbour.h: neighbours and fdb entries.
export const AF_BRIDGE = 7;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_APPEND = 0x800;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;
export const NTF_USE = 0x01;
export const NTF_SELF = 0x02;
export const NTF_MASTER = 0x04;
export const NTF_PROXY = 0x08;
export const NTF_EXT_LEARNED = 0x10;
export const NTF_STICKY = 0x40;
export const NTF_ROUTER = 0x80;
/** NDA_FLAGS_EXT's bit for an entry the kernel keeps resolved (`ip neigh ... managed`; Linux 5.16). */
export const NTF_EXT_MANAGED = 0x01;
