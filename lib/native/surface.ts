/**
 * The typed declaration of the addon's private surface: every function it exports and the plain
 * objects they take and return. The addon speaks the kernel's vocabulary (ifinfomsg flags, AF_*
 * families, RT_* constants); the public classes translate to and from the user's. Internal to
 * netns-native, though not tagged so here: stripInternal would drop the declaration below.
 */
/** An open network namespace inside the addon: its fd and the netlink sockets opened in it. */
export interface NativeHandle {
  readonly __brand: 'NativeHandle';
}

/**
 * A namespace with no handle open, named by its file: the addon opens `path` read-only for the
 * request and sends that fd (as ip does), refusing with ESTALE when it is no longer `inode`.
 */
export interface NativeNamespaceFile {
  readonly path: string;
  readonly inode: bigint;
}

/** A failed request: the errno, and the kernel's extended-ack text when it gave one. */
export interface NativeFailure {
  errno: number;
  detail?: string;
  syscall?: string;
  badOffset?: number;
}

/**
 * The attributes of a link's kind (IFLA_INFO_DATA) or of its master's kind for a port
 * (IFLA_INFO_SLAVE_DATA), named as the kind's table in native/rtnl/link/ names them. Each kind's
 * class in lib/links/ declares the typed shape of its own. Attributes the table does not know come
 * back in `unknown`, as the kernel sent them.
 */
export interface NativeKindInfo {
  [attribute: string]: unknown;
  unknown?: Array<{ type: number; hex: string }>;
}

/** What an RTM_NEWLINK request sets; absent fields are not sent. */
export interface NativeLinkRequest {
  index?: number;
  name?: string;
  kind?: string;
  flags?: number;
  change?: number;
  mtu?: number;
  txqlen?: number;
  group?: number;
  /** MAC, 'aa:bb:cc:dd:ee:ff' */
  address?: string;
  /** 0 detaches */
  master?: number;
  /** IFLA_NET_NS_FD: create in / move to this namespace */
  netns?: NativeHandle;
  alias?: string;
  /** rename (IFLA_IFNAME while addressing by index) */
  newName?: string;
  /** IFLA_INFO_DATA of `kind` (a veth's peer request is `info.peer`) */
  info?: NativeKindInfo;
  /** IFLA_INFO_SLAVE_KIND: the master's kind, to change this port's settings ... */
  slaveKind?: string;
  /** ... IFLA_INFO_SLAVE_DATA */
  slaveInfo?: NativeKindInfo;
  /** IFLA_LINK: the parent (macvlan, vlan, ...), an index in the namespace the request goes to */
  link?: number;
  /** IFLA_CARRIER: 1 on, 0 off (drivers with ndo_change_carrier only: tun/tap, dummy) */
  carrier?: number;
  /** IFLA_GSO_MAX_SIZE, IFLA_GSO_MAX_SEGS, IFLA_GRO_MAX_SIZE */
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  groMaxSize?: number;
  /** IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES: read by the kernel only when it creates the link */
  numTxQueues?: number;
  numRxQueues?: number;
  /** IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE: IN6_ADDR_GEN_MODE_* */
  addrGenMode?: number;
  /** IFLA_PROTO_DOWN: 1 on, 0 off */
  protoDown?: number;
  /** IFLA_PROTO_DOWN_REASON: the reason bits under the mask are set to those of the value */
  protoDownReasonMask?: number;
  protoDownReasonValue?: number;
}

/** A decoded RTM_NEWLINK. */
export interface NativeLink {
  index: number;
  type: number;
  flags: number;
  name: string;
  mtu: number;
  minMtu: number;
  maxMtu: number;
  group: number;
  txqlen: number;
  promiscuity: number;
  numTxQueues: number;
  numRxQueues: number;
  address: string;
  broadcast: string;
  operstate: number;
  carrier: number;
  master: number;
  link: number;
  linkNetnsid?: number;
  /** IFLA_LINKMODE: IF_LINK_MODE_* (0 default, 1 dormant, 2 testing) */
  linkmode: number;
  /** IFLA_ALLMULTI, IFLA_GSO_MAX_*, IFLA_TSO_MAX_*, IFLA_GRO_MAX_SIZE: when the kernel sends them */
  allmulti?: number;
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  tsoMaxSize?: number;
  tsoMaxSegs?: number;
  groMaxSize?: number;
  /** IFLA_CARRIER_CHANGES, when sent */
  carrierChanges?: number;
  /** IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE: IN6_ADDR_GEN_MODE_*, when sent */
  addrGenMode?: number;
  /** IFLA_PROTO_DOWN: 1 when the link is held down by protodown */
  protoDown: number;
  /** IFLA_PROTO_DOWN_REASON's value (a bit per reason), when any is set */
  protoDownReason?: number;
  kind: string;
  slaveKind: string;
  alias: string;
  qdisc: string;
  /** IFLA_INFO_DATA, decoded with the kind's table */
  info?: NativeKindInfo;
  /** IFLA_INFO_SLAVE_DATA, decoded with the master kind's port table */
  slaveInfo?: NativeKindInfo;
  /** IFLA_STATS64, when the read asked for statistics */
  stats?: NativeLinkStats;
  /** IFLA_INET6_STATS, likewise, for a link with IPv6 */
  ipv6Stats?: NativeIpv6Stats;
  /** IFLA_INET6_ICMP6STATS, with ipv6Stats */
  icmp6Stats?: NativeIcmp6Stats;
  /** IFLA_PROP_LIST: the alternative names (IFLA_ALT_IFNAME), when the link has any */
  altNames?: string[];
}

/** The counters of IFLA_STATS64 (struct rtnl_link_stats64), in its order. */
export interface NativeLinkStats {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
  multicast: number;
  collisions: number;
  rxLengthErrors: number;
  rxOverErrors: number;
  rxCrcErrors: number;
  rxFrameErrors: number;
  rxFifoErrors: number;
  rxMissedErrors: number;
  txAbortedErrors: number;
  txCarrierErrors: number;
  txFifoErrors: number;
  txHeartbeatErrors: number;
  txWindowErrors: number;
  rxCompressed: number;
  txCompressed: number;
  rxNohandler: number;
  /** Linux 5.19: undefined when the kernel's struct is too short to hold it */
  rxOtherhostDropped?: number;
}

/**
 * IPv6's counters of one link (IFLA_INET6_STATS, the IPSTATS_MIB_* array), named as
 * /proc/net/dev_snmp6/LINK names them without their `Ip6` (RFC 4293's ipIfStatsTable).
 */
export interface NativeIpv6Stats {
  inReceives: number;
  inOctets: number;
  inDelivers: number;
  outForwDatagrams: number;
  outRequests: number;
  outOctets: number;
  inHdrErrors: number;
  inTooBigErrors: number;
  inNoRoutes: number;
  inAddrErrors: number;
  inUnknownProtos: number;
  inTruncatedPkts: number;
  inDiscards: number;
  outDiscards: number;
  outNoRoutes: number;
  reasmTimeout: number;
  reasmReqds: number;
  reasmOKs: number;
  reasmFails: number;
  fragOKs: number;
  fragFails: number;
  fragCreates: number;
  inMcastPkts: number;
  outMcastPkts: number;
  inBcastPkts: number;
  outBcastPkts: number;
  inMcastOctets: number;
  outMcastOctets: number;
  inBcastOctets: number;
  outBcastOctets: number;
  inCsumErrors: number;
  inNoECTPkts: number;
  inECT1Pkts: number;
  inECT0Pkts: number;
  inCEPkts: number;
  reasmOverlaps: number;
  /** Linux 6.7 (OutTransmits): undefined when the kernel does not count it */
  outTransmits?: number;
}

/**
 * ICMPv6's counters of one link (IFLA_INET6_ICMP6STATS, the ICMP6_MIB_* array), named as
 * /proc/net/dev_snmp6/LINK names them without their `Icmp6`. The per-type counters of that file
 * (InEchos ...) are not sent over netlink.
 */
export interface NativeIcmp6Stats {
  inMsgs: number;
  inErrors: number;
  outMsgs: number;
  outErrors: number;
  inCsumErrors: number;
  /** newer kernels (OutRateLimitHost): undefined when the kernel does not count it */
  outRateLimitHost?: number;
}

export interface NativeAddressRequest {
  local: string;
  prefixlen: number;
  index: number;
  peer?: string;
  broadcast?: string;
  label?: string;
  scope?: number;
  flags?: number;
  metric?: number;
  /** IFA_CACHEINFO: seconds, 0xffffffff forever (sent when either is set) */
  validLft?: number;
  preferredLft?: number;
}

export interface NativeAddress {
  family: number;
  prefixlen: number;
  scope: number;
  flags: number;
  index: number;
  local?: string;
  address?: string;
  broadcast?: string;
  label: string;
  /** IFA_CACHEINFO: seconds left, 0xffffffff forever */
  validLft?: number;
  preferredLft?: number;
  /** IFA_RT_PRIORITY: the prefix route's metric; absent when 0 */
  metric?: number;
}

export interface NativeRouteRequest {
  family: number;
  dstLen: number;
  /** rtm_src_len, with `src`: an IPv6 source-specific route (`from PREFIX`) */
  srcLen?: number;
  /** rtm_tos: the DS field the route matches (IPv4); 0 none */
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  type?: number;
  flags?: number;
  dst?: string;
  /** RTA_SRC */
  src?: string;
  gateway?: string;
  prefsrc?: string;
  oif?: number;
  priority?: number;
  /** RTA_MULTIPATH */
  multipath?: NativeNexthopRequest[];
  /** RTA_METRICS (sent when it holds anything) */
  metrics?: NativeRouteMetrics;
  /** RTA_PREF (IPv6): ICMPV6_ROUTER_PREF_* */
  pref?: number;
  /** RTA_EXPIRES (IPv6): seconds */
  expires?: number;
  /** RTA_NH_ID: a nexthop object as the route's next hop */
  nhid?: number;
  /** RTA_FLOW: realms, source << 16 | destination (IPv4) */
  flow?: number;
  /** RTA_ENCAP_TYPE + RTA_ENCAP */
  encap?: NativeRouteEncap;
}

/**
 * A lightweight tunnel encapsulation (native/rtnl/route_encap.h): `type` LWTUNNEL_ENCAP_*, and the
 * fields of that type. Sent and listed alike; a type the addon does not decode lists as `type`
 * alone.
 */
export interface NativeRouteEncap {
  type: number;
  /** ip, ip6: LWTUNNEL_IP_ID (host order here) */
  id?: number;
  src?: string;
  dst?: string;
  /** ip ttl, ip6 hoplimit, mpls ttl */
  ttl?: number;
  /** ip tos, ip6 tc */
  tos?: number;
  /** TUNNEL_CSUM 0x01, TUNNEL_KEY 0x04, TUNNEL_SEQ 0x08 */
  flags?: number;
  /** seg6: SEG6_IPTUN_MODE_* */
  mode?: number;
  /** seg6: the segments in the order a packet visits them (inline mode's placeholder left out) */
  segments?: string[];
  /** seg6: the HMAC TLV's key id */
  hmac?: number;
  /** mpls: the label stack, outermost first */
  labels?: number[];
  /** seg6local: SEG6_LOCAL_ACTION_* and its parameters */
  action?: number;
  table?: number;
  vrftable?: number;
  nh4?: string;
  nh6?: string;
  iif?: number;
  oif?: number;
}

/**
 * RTA_METRICS (RTAX_*), in the kernel's units: rtt in 1/8 ms, rttvar in 1/4 ms, rtoMin in ms
 * (native/rtnl/route.h). Listed: each absent when unset (0), lock 0 when none is locked.
 */
export interface NativeRouteMetrics {
  /** RTAX_LOCK: 1 << RTAX_* per locked metric */
  lock?: number;
  mtu?: number;
  window?: number;
  rtt?: number;
  rttvar?: number;
  ssthresh?: number;
  cwnd?: number;
  advmss?: number;
  reordering?: number;
  hoplimit?: number;
  initcwnd?: number;
  /** RTAX_FEATURE_* */
  features?: number;
  rtoMin?: number;
  initrwnd?: number;
  quickack?: number;
  /** RTAX_CC_ALGO */
  ccAlgo?: string;
  fastopenNoCookie?: number;
}

/** A nexthop object (`ip nexthop add`, struct nhmsg + NHA_*, native/rtnl/nexthop.h). */
export interface NativeNexthopObjectRequest {
  /** NHA_ID */
  id?: number;
  /** nh_family: AF_INET / AF_INET6; 0 for a group */
  family?: number;
  /** nh_protocol: RTPROT_* */
  protocol?: number;
  /** nh_flags: RTNH_F_ONLINK */
  flags?: number;
  gateway?: string;
  oif?: number;
  /** 1: NHA_BLACKHOLE */
  blackhole?: number;
  /** NHA_GROUP */
  group?: NativeNexthopGroupEntry[];
  /** NHA_GROUP_TYPE: NEXTHOP_GRP_TYPE_* */
  groupType?: number;
  /** 1: NHA_FDB */
  fdb?: number;
  /** A resilient group's NHA_RES_GROUP_BUCKETS */
  resBuckets?: number;
  /** NHA_RES_GROUP_IDLE_TIMER, in clock_t (1/100 s) */
  resIdleTimer?: number;
  /** NHA_RES_GROUP_UNBALANCED_TIMER, in clock_t */
  resUnbalancedTimer?: number;
}

/** One member of a nexthop group (struct nexthop_grp). */
export interface NativeNexthopGroupEntry {
  id: number;
  /** the weight minus 1 */
  weight?: number;
}

/** A nexthop object as a dump returns it. */
export interface NativeNexthopObject {
  id: number;
  family: number;
  scope: number;
  protocol: number;
  flags: number;
  gateway?: string;
  oif?: number;
  /** 1 for a blackhole */
  blackhole: number;
  /** 1 for an fdb nexthop */
  fdb: number;
  /** a group's members, weights minus 1 */
  group?: Array<{ id: number; weight: number }>;
  groupType?: number;
  /** A resilient group's NHA_RES_GROUP: buckets, and its timers and unbalanced time in clock_t */
  resBuckets?: number;
  resIdleTimer?: number;
  resUnbalancedTimer?: number;
  resUnbalancedTime?: number;
}

/** One bucket of a resilient nexthop group, as a dump returns it. */
export interface NativeNexthopBucket {
  /** the group's id */
  id: number;
  index: number;
  /** clock_t (1/100 s) since the bucket was last used */
  idleTime: number;
  /** the member holding it */
  nexthopId: number;
}

/**
 * One RTM_NEWNETCONF (netconfmsg + NETCONFA_*): each value only when the kernel sent it.
 * `ifindex` -1 is "all" (NETCONFA_IFINDEX_ALL), -2 "default".
 */
/** One entry of an RTM_GETMULTICAST dump: a group joined on a link. */
export interface NativeMulticastGroup {
  family: number;
  index: number;
  group: string;
  /** IFA_CACHEINFO cstamp, tstamp: 1/100 s since boot when joined, when last changed */
  created: number;
  updated: number;
}

export interface NativeNetconf {
  family: number;
  ifindex?: number;
  forwarding?: number;
  rpFilter?: number;
  mcForwarding?: number;
  proxyNeigh?: number;
  ignoreRoutesWithLinkdown?: number;
  bcForwarding?: number;
  input?: number;
}

/** One next hop of a multipath route (struct rtnexthop + RTA_GATEWAY). */
export interface NativeNexthopRequest {
  gateway?: string;
  oif?: number;
  /** the weight minus 1 */
  hops?: number;
  /** RTNH_F_* */
  flags?: number;
  /** RTA_FLOW: the hop's realms, source << 16 | destination */
  flow?: number;
  /** RTA_ENCAP_TYPE + RTA_ENCAP: the hop's own encap */
  encap?: NativeRouteEncap;
}

export interface NativeNexthop {
  gateway?: string;
  oif: number;
  hops: number;
  flags: number;
  /** RTA_FLOW, when the hop has realms */
  flow?: number;
  /** RTA_ENCAP_TYPE + RTA_ENCAP, when the hop has one */
  encap?: NativeRouteEncap;
}

export interface NativeRoute {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  protocol: number;
  scope: number;
  type: number;
  table: number;
  flags: number;
  oif: number;
  dst?: string;
  /**
   * RTA_SRC: with srcLen, the sources an IPv6 source-specific route is for (`from`); in a
   * lookup's answer, the source asked with
   */
  src?: string;
  gateway?: string;
  prefsrc?: string;
  priority?: number;
  /** RTA_PREF (IPv6): ICMPV6_ROUTER_PREF_LOW 3, MEDIUM 0, HIGH 1 */
  pref?: number;
  multipath?: NativeNexthop[];
  /** RTA_METRICS, when the route has any */
  metrics?: NativeRouteMetrics;
  /** RTA_ENCAP_TYPE + RTA_ENCAP, when the route has one */
  encap?: NativeRouteEncap;
  /** RTA_CACHEINFO's rta_expires in whole seconds, when the route expires (0 or less: expired) */
  expires?: number;
  /** RTA_CACHEINFO's rta_error (a negative errno), rta_clntref, rta_used, and rta_lastuse in ms; each absent when 0 */
  cacheError?: number;
  cacheUsers?: number;
  cacheUsed?: number;
  cacheLastUseMs?: number;
  /** A lookup's answer (getroute) echoes these too: RTA_IIF, RTA_MARK, RTA_UID */
  iif?: number;
  mark?: number;
  uid?: number;
  /** RTA_NH_ID: the nexthop object the route uses (its gateway/oif or multipath come too) */
  nhid?: number;
  /** RTA_FLOW: realms, source << 16 | destination; absent when 0 */
  flow?: number;
}

/**
 * A route lookup (`ip route get`, rtnl::RouteGetRequest): the family follows from `dst`; ports in
 * host order; `fibMatch` 1 for RTM_F_FIB_MATCH. Answers with one route.
 */
export interface NativeRouteGet {
  dst: string;
  src?: string;
  tos?: number;
  fibMatch?: number;
  uid?: number;
  /** IPPROTO_TCP, _UDP, _ICMP (IPv4) or _ICMPV6 (IPv6) */
  ipProto?: number;
  sport?: number;
  dport?: number;
  iif?: number;
  oif?: number;
  mark?: number;
}

/** What an RTM_NEWNEIGH / RTM_DELNEIGH carries: a neighbour, or (family AF_BRIDGE) an fdb entry. */
export interface NativeNeighbourRequest {
  family: number;
  index: number;
  /** NUD_* */
  state?: number;
  /** NTF_* */
  flags?: number;
  /** NDA_DST: the neighbour's IP; for an fdb entry, a VXLAN remote */
  dst?: string;
  /** NDA_LLADDR: the MAC */
  lladdr?: string;
  vlan?: number;
  port?: number;
  vni?: number;
  ifindex?: number;
  master?: number;
  srcVni?: number;
  protocol?: number;
  flagsExt?: number;
}

/** A decoded RTM_NEWNEIGH. */
export interface NativeNeighbour {
  family: number;
  index: number;
  state: number;
  flags: number;
  type: number;
  dst?: string;
  lladdr?: string;
  vlan?: number;
  port?: number;
  vni?: number;
  ifindex?: number;
  master?: number;
  srcVni?: number;
  probes?: number;
  protocol?: number;
  linkNetnsid?: number;
  /** NDA_FLAGS_EXT: NTF_EXT_* */
  flagsExt: number;
  /** NDA_CACHEINFO (absent from a proxy entry), in clock ticks (USER_HZ, 1/100 s): since last confirmed, used, updated */
  confirmed?: number;
  used?: number;
  updated?: number;
  /** NDA_CACHEINFO's reference count */
  refcnt?: number;
}

/** What an RTM_NEWRULE / RTM_DELRULE carries (fib_rule_hdr + FRA_*). */
export interface NativeRuleRequest {
  family: number;
  dstLen?: number;
  srcLen?: number;
  tos?: number;
  table?: number;
  /** FR_ACT_* */
  action?: number;
  /** FIB_RULE_* */
  flags?: number;
  dst?: string;
  src?: string;
  iifname?: string;
  oifname?: string;
  priority?: number;
  fwmark?: number;
  fwmask?: number;
  goto?: number;
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  l3mdev?: number;
  protocol?: number;
  ipProto?: number;
  sportStart?: number;
  sportEnd?: number;
  dportStart?: number;
  dportEnd?: number;
  uidStart?: number;
  uidEnd?: number;
  /** FRA_FLOW: realms, source << 16 | destination (IPv4) */
  flow?: number;
}

/** A decoded RTM_NEWRULE. */
export interface NativeRule {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  action: number;
  table: number;
  flags: number;
  dst?: string;
  src?: string;
  iifname: string;
  oifname: string;
  priority?: number;
  fwmark?: number;
  fwmask?: number;
  goto?: number;
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  l3mdev?: number;
  protocol?: number;
  ipProto?: number;
  sportStart?: number;
  sportEnd?: number;
  dportStart?: number;
  dportEnd?: number;
  uidStart?: number;
  uidEnd?: number;
  /** FRA_FLOW: realms, source << 16 | destination (IPv4) */
  flow?: number;
}

/** A decoded RTM_NEWNSID: the id a namespace has for another one (-1: none). */
export interface NativeNsid {
  nsid: number;
  currentNsid?: number;
}

/**
 * One statement of an nf_tables rule (native/nft/statement.h): a match or an action, as nft
 * writes it. `kind`: 'saddr', 'daddr' (address, prefix, op), 'ethersaddr' (mac, op; a bridge
 * table's `ether saddr`), 'iifname', 'oifname' (name, op),
 * 'l4proto' (proto), 'dport' (proto, port, op), 'ctstate', 'ctstatus' (bits; op eq: any of them
 * set, neq: none set, nft's `ct status ! dnat`), 'daddrlocal'
 * (fib daddr type local), 'counter', 'accept', 'drop', 'return', 'jump', 'goto' (chain),
 * 'masquerade', 'dnat' (address, port).
 */
export interface NativeNftStatement {
  kind: string;
  /** NFT_CMP_*: eq (0, the default), neq (1), ... */
  op?: number;
  address?: string;
  /** 'ethersaddr': 'aa:bb:cc:dd:ee:ff'. */
  mac?: string;
  prefix?: number;
  name?: string;
  proto?: number;
  port?: number;
  bits?: number;
  chain?: string;
  /** 'dnatmap' / 'dnatmapdaddr': NFPROTO_IPV4 or NFPROTO_IPV6. */
  family?: number;
}

/** One command of an nf_tables batch; `type` is the NFT_MSG_* it sends. */
export interface NativeNftCommand {
  type: number;
  family: number;
  table: string;
  chain?: string;
  /** A base chain: NF_INET_* hook, priority, 'nat' | 'filter', NF_ACCEPT | NF_DROP. */
  hooknum?: number;
  priority?: number;
  chainType?: string;
  policy?: number;
  /** NFT_MSG_DELRULE: the rule's handle. */
  handle?: number;
  /** NFT_MSG_NEWRULE: the rule's comment (at most 128 bytes). */
  comment?: string;
  /** NEWTABLE/NEWCHAIN: 1 fails with EEXIST if it exists (else created if missing). */
  exclusive?: number;
  /** NEWRULE: 1 has the kernel echo the rule back (with its handle) in the batch's result. */
  echo?: number;
  statements?: NativeNftStatement[];
  /** NEWSET/DELSET/NEWSETELEM/DELSETELEM: the set's (map's) name. */
  set?: string;
  /** NEWSET: key and (a map) data types in nft's words, 'ipv4_addr . inet_proto . inet_service'. */
  keyType?: string;
  dataType?: string;
  /** NEWSETELEM/DELSETELEM: a published-port element, key `[keyAddress .] keyProto . keyPort`. */
  keyAddress?: string;
  keyProto?: number;
  keyPort?: number;
  /** NEWSETELEM: its data, `dataAddress . dataPort`. */
  dataAddress?: string;
  dataPort?: number;
}

export interface NativeNftTable {
  family: number;
  name: string;
  handle: number;
  flags: number;
}

export interface NativeNftChain {
  family: number;
  table: string;
  name: string;
  handle: number;
  hooknum?: number;
  priority?: number;
  chainType?: string;
  policy?: number;
}

export interface NativeNftRule {
  family: number;
  table: string;
  chain: string;
  handle: number;
  /** The handle of the rule before it (absent for the first of its chain). */
  position?: number;
  comment?: string;
}

export interface NativeNftSet {
  family: number;
  table: string;
  name: string;
  handle: number;
  /** NFT_SET_MAP (8), ... */
  flags: number;
  /** nft's datatype numbers, 6 bits per field of a concatenation, and lengths in bytes. */
  keyType: number;
  keyLen: number;
  dataType: number;
  dataLen: number;
}

export interface NativeNftSetElem {
  family: number;
  table: string;
  set: string;
  /** The key and (a map's) data as the registers hold them, in hex. */
  key: string;
  data: string;
}

/** One request. Several can run in one call (and go out in as few sendmsg as possible). */
export type NativeOp =
  | { op: 'newlink'; flags?: number; link: NativeLinkRequest }
  | { op: 'dellink'; index?: number; name?: string; flags?: number }
  | { op: 'dellinkgroup'; group: number }
  | { op: 'getlink'; index?: number; name?: string; stats?: number }
  | { op: 'dumplinks'; master?: number; kind?: string; stats?: number }
  | { op: 'newaddr'; flags?: number; address: NativeAddressRequest }
  | { op: 'deladdr'; address: NativeAddressRequest; flags?: number }
  | { op: 'dumpaddrs'; family?: number; index?: number }
  | { op: 'newroute'; flags?: number; route: NativeRouteRequest }
  | { op: 'delroute'; route: NativeRouteRequest; flags?: number }
  /** `flags` RTM_F_CLONED: the route exceptions (the route cache) instead of the routes. */
  | { op: 'dumproutes'; family?: number; table?: number; flags?: number }
  /** Resolves with the rules echoed back (commands with `echo`). */
  | { op: 'nftbatch'; genid?: number; commands: NativeNftCommand[] }
  | { op: 'nftdumptables'; family?: number }
  | { op: 'nftdumpchains'; family?: number }
  | { op: 'nftdumprules'; family?: number; table?: string; chain?: string }
  | { op: 'nftgetgen' }
  | { op: 'nftdumpsets'; family?: number; table?: string }
  | { op: 'nftdumpsetelems'; family?: number; table: string; set: string }
  | { op: 'newneigh'; flags?: number; neighbour: NativeNeighbourRequest }
  | { op: 'delneigh'; neighbour: NativeNeighbourRequest }
  /** `flags` NTF_PROXY: the proxy entries (a plain dump never has them) */
  | { op: 'dumpneighs'; family?: number; index?: number; master?: number; flags?: number }
  /** RTM_GETNEIGH for one entry (family, index, dst; `flags` 0 or NTF_PROXY): a list of that one entry, or ENOENT. */
  | { op: 'getneigh'; neighbour: NativeNeighbourRequest }
  | { op: 'newrule'; flags?: number; rule: NativeRuleRequest }
  | { op: 'delrule'; rule: NativeRuleRequest; flags?: number }
  | { op: 'dumprules'; family?: number }
  | { op: 'newnsid'; netns: NativeHandle | NativeNamespaceFile; nsid: number }
  | { op: 'getnsid'; netns: NativeHandle | NativeNamespaceFile }
  | ({ op: 'getroute' } & NativeRouteGet)
  /** RTM_NEWLINKPROP / RTM_DELLINKPROP: add or remove one alternative name of a link. */
  | { op: 'newlinkprop'; index: number; altName: string }
  | { op: 'dellinkprop'; index: number; altName: string }
  | { op: 'newnexthop'; flags?: number; nexthop: NativeNexthopObjectRequest }
  | { op: 'delnexthop'; id: number; flags?: number }
  | { op: 'dumpnexthops'; family?: number; oif?: number; groups?: number }
  /** RTM_GETNETCONF dump of one family (0: every family), `ip netconf show`. */
  | { op: 'dumpnetconf'; family?: number }
  /** RTM_GETNETCONF for one entry (`index` -1 "all", -2 "default") of AF_INET or AF_INET6. */
  | { op: 'getnetconf'; family: number; index: number }
  /** RTM_GETMULTICAST dump of AF_INET or AF_INET6 groups (`ip maddr`'s IP part). */
  | { op: 'dumpmulticast'; family: number }
  | { op: 'dumpnexthopbuckets'; id?: number; oif?: number }
  /**
   * RTM_GETNSID dump: every id this namespace gives; with `hasTarget` 1, every id the namespace it
   * numbers `targetNsid` gives (each with `currentNsid`, this namespace's id for that peer).
   */
  | { op: 'dumpnsids'; hasTarget?: number; targetNsid?: number };

/** Per operation: undefined (an ACK), a link (getlink), an array (dumps), or a failure. */
export type NativeResult =
  | undefined
  | NativeLink
  | NativeLink[]
  | NativeAddress[]
  | NativeRoute[]
  | NativeNftTable[]
  | NativeNftChain[]
  | NativeNftRule[]
  | NativeNftSet[]
  | NativeNftSetElem[]
  | number
  | NativeNeighbour[]
  | NativeRule[]
  | NativeNsid
  | NativeNsid[]
  | NativeNexthopObject[]
  | NativeNetconf[]
  | NativeNexthopBucket[]
  | NativeMulticastGroup[]
  | NativeFailure;

export interface NativeOpened {
  handle: NativeHandle;
  inode: bigint;
  /** The namespace's cookie (SO_NETNS_COOKIE): never given to another namespace until reboot. Absent before Linux 5.14. */
  cookie?: bigint;
}

export interface NativeEchoReply {
  seq: number;
  ttl: number;
  bytes: number;
  from: string;
  rttMs: number;
}

/** A raw ICMP socket opened inside a namespace; used from the JS thread. */
export interface NativeIcmpSocket {
  send(address: string, id: number, seq: number, payloadLength: number): void;
  read(id: number): NativeEchoReply[];
  /** Calls back (on the event loop) whenever the socket becomes readable, until close(). */
  watch(onReadable: () => void): void;
  close(): void;
}

/**
 * What a monitor socket delivered since the last batch, in the kernel's order (see
 * native/rtnl/monitor.h): `codes` has one entry per item, an event (its kind and action, numbered
 * as `schema.events` says) or a marker (an overrun, a fence come back); the events' objects are
 * in `links` (packed, as a dump's), `addresses`, `routes`, ... each in order; the fences' numbers
 * in `fences`. `error`: the socket failed, nothing more will come.
 */
export interface NativeEventBatch {
  codes: Uint8Array;
  links?: PackedLinks;
  addresses?: NativeAddress[];
  routes?: NativeRoute[];
  neighbours?: NativeNeighbour[];
  rules?: NativeRule[];
  nexthops?: NativeNexthopObject[];
  netconfs?: NativeNetconf[];
  fences?: number[];
  error?: NativeFailure;
}

/** The kinds of event a monitor decodes. */
export type NativeEventKind = 'link' | 'address' | 'route' | 'neighbour' | 'rule' | 'nexthop' | 'netconf';

/**
 * What a notification says: 'new' (RTM_NEW*), 'delete' (RTM_DEL*), 'replace' (RTM_NEW* with
 * NLM_F_REPLACE: for a route, it took the place of another, see native/rtnl/decode.h).
 */
export type NativeEventAction = 'new' | 'delete' | 'replace';

/** One item of a batch, unpacked (lib/native/wire.ts unpackEventBatch). */
export type NativeStreamItem =
  | { type: 'event'; kind: 'link'; action: NativeEventAction; value: NativeLink }
  | { type: 'event'; kind: 'address'; action: NativeEventAction; value: NativeAddress }
  | { type: 'event'; kind: 'route'; action: NativeEventAction; value: NativeRoute }
  | { type: 'event'; kind: 'neighbour'; action: NativeEventAction; value: NativeNeighbour }
  | { type: 'event'; kind: 'rule'; action: NativeEventAction; value: NativeRule }
  | { type: 'event'; kind: 'nexthop'; action: NativeEventAction; value: NativeNexthopObject }
  | { type: 'event'; kind: 'netconf'; action: NativeEventAction; value: NativeNetconf }
  | { type: 'overrun' }
  | { type: 'fence'; seq: number };

/** A monitor's counters (native/rtnl/monitor.h Monitor::Stats). */
export interface NativeMonitorStats {
  datagrams: number;
  events: number;
  overruns: number;
  undecodable: number;
  discarded: number;
}

/** A NETLINK_ROUTE socket subscribed to notifications inside a namespace, read on the event loop. */
export interface NativeMonitorSocket {
  /** Calls back (on the event loop) with each batch the socket delivers, until close(). */
  watch(onBatch: (batch: NativeEventBatch) => void): void;
  /** Sends a fence (NLMSG_NOOP + ACK); its number comes back in a later batch, in place. */
  fence(): number;
  /** Read and drop without decoding (true), or decode again (false). */
  discard(on: boolean): void;
  /** Its counters; undefined once closed. */
  stats(): NativeMonitorStats | undefined;
  /** Stops watching and closes the socket at once. Idempotent. */
  close(): void;
}

/** What a names watch reports: a name created or deleted, events lost, or the end of the watch. */
export type NativeNameEvent =
  | { event: 'add' | 'delete'; name: string }
  | { event: 'overflow' }
  | { event: 'end' };

/** An inotify watch (IN_CREATE | IN_DELETE) on a directory of names, read on the event loop. */
export interface NativeNamesWatch {
  /**
   * Calls back (on the event loop) with what each wake reads, until close(). After an 'end'
   * event, or an array with `error` set (read(2) failed), nothing more comes: close() it.
   */
  watch(onEvents: (events: NativeNameEvent[] & { error?: NativeFailure }) => void): void;
  /** After watch(): the watch no longer keeps the event loop (the process) alive. */
  unref(): void;
  /** Stops watching and closes the inotify fd at once. Idempotent. */
  close(): void;
}

export interface Addon {
  /** The JS thread's own namespace: fd and socket opened synchronously (no switching needed). */
  currentNamespace(): NativeOpened;
  /**
   * `ip netns add` (name given) or an anonymous namespace (null): the name is reserved and bound on
   * a worker, the namespace made by unshare on the namespace thread.
   */
  createNamespace(runDir: string, name: string | null): Promise<NativeOpened>;
  /**
   * On a worker: open an nsfs path (never blocking on a FIFO or device), check it is a network
   * namespace; then its socket is opened inside it on the namespace thread.
   */
  openNamespace(path: string): Promise<NativeOpened>;
  /**
   * On a worker: `ip netns attach`. The namespace of `source` — an nsfs path (/proc/PID/ns/net),
   * opened first, or a handle, whose fd is leased synchronously (EBADF once it is closed) — gets
   * the name runDir/NAME (placeholder O_EXCL, bind mount); its socket is opened inside on the
   * namespace thread. Nothing is left on failure.
   */
  attachNamespace(runDir: string, name: string, source: NativeHandle | string): Promise<NativeOpened>;
  /**
   * On a worker: `ip netns del` (unmount + unlink). Idempotent. With `inode`, only
   * if the name still refers to that namespace.
   */
  deleteNamespace(runDir: string, name: string, inode?: bigint): Promise<void>;
  /** On a worker, never blocking: what runDir/NAME is (ns::InspectNetnsName). */
  namespaceNameState(runDir: string, name: string): Promise<NativeNameState>;
  /**
   * On a worker: removes runDir/NAME if it is stale (ns::RemoveStaleNetnsName). Throws (errno)
   * ENOENT if there is nothing, EBUSY for a namespace or a creation in progress, EINVAL for
   * anything else.
   */
  removeStaleNamespace(runDir: string, name: string): Promise<void>;
  /** Releases the fd and sockets (once in-flight work on them is done). */
  closeNamespace(handle: NativeHandle): void;
  /** The namespace fd, or -1 once closed. */
  namespaceFd(handle: NativeHandle): number;
  threadStats(): { namespaceThreadsRetired: number; homeInode: bigint };

  /** The wire schema (native/addon/convert/schema.h); lib/native/wire.ts is built from it. */
  schema: WireSchema;

  /**
   * Runs requests on the JS thread, on the namespace's NETLINK_ROUTE socket: for requests the
   * kernel completes without sleeping. Undefined when the batch must run on a worker instead:
   * that socket is not open (never opened, or dropped after a socket-level error), or an
   * interrupted dump must back off before running again and nothing sent so far changed anything
   * (rtnl::RunOperationsNoWait). Then use {@link transactAsync} with the same batch. Links come
   * back packed: lib/native/wire.ts unpacks them.
   */
  transact(handle: NativeHandle, ops: FlatOps): RawResult[] | undefined;
  /** The same, with the requests packed (see {@link PackedOps}): what lib/native/wire.ts sends. */
  transact(handle: NativeHandle, nums: Float64Array, count: number, refs: unknown[]): RawResult[] | undefined;
  /**
   * Runs requests on a worker thread (opening the socket first if needed): for requests that may
   * sleep. `kernelUs`: how long running the batch took there, in microseconds; `dumpRetries`: how
   * many times interrupted dumps were run again meanwhile.
   */
  transactAsync(
    handle: NativeHandle,
    ops: FlatOps,
  ): Promise<{ results: RawResult[]; kernelUs: number; dumpRetries: number }>;
  /** The same, with the requests packed (read before the call returns: the buffers may be reused). */
  transactAsync(
    handle: NativeHandle,
    nums: Float64Array,
    count: number,
    refs: unknown[],
  ): Promise<{ results: RawResult[]; kernelUs: number; dumpRetries: number }>;

  /**
   * On the namespace thread: a monitor socket inside the namespace, subscribed to the groups of
   * `kinds` (a bit per position in `schema.events.kinds`), with SO_RCVBUF(FORCE) `receiveBuffer`
   * bytes (0: the kernel's default).
   */
  openMonitor(handle: NativeHandle, kinds: number, receiveBuffer: number): Promise<NativeMonitorSocket>;
  /**
   * On a worker: an inotify watch on `dir` with `ip netns monitor`'s mask (IN_CREATE |
   * IN_DELETE). Rejects with errno (ENOENT: no such directory).
   */
  openNamesWatch(dir: string): Promise<NativeNamesWatch>;
  /**
   * On the namespace thread: a persistent TUN/TAP device made inside the namespace through
   * /dev/net/tun (`ip tuntap add`). Rejects with errno (EBUSY: the name is taken).
   */
  createTap(handle: NativeHandle, request: NativeTapRequest): Promise<void>;

  /** On the namespace thread: a raw ICMP socket inside the namespace. */
  openIcmp(handle: NativeHandle, family: 4 | 6): Promise<NativeIcmpSocket>;

  /**
   * On the namespace thread: a TCP listener (bound, listening), a TCP socket whose
   * non-blocking connect has started, or a bound UDP socket, created inside the namespace.
   * The fd (close-on-exec, non-blocking) is the caller's to hand to Node or to close.
   */
  openSocket(handle: NativeHandle, request: NativeSocketRequest): Promise<{ fd: number; inProgress: boolean }>;
  /**
   * Waits on the event loop (no thread held) until a non-blocking connect on `fd` completes;
   * resolves with its errno: 0 when connected, ETIMEDOUT after `timeoutMs`.
   */
  waitConnected(fd: number, timeoutMs: number): Promise<number>;
  /** pipe2(O_CLOEXEC): [read end, write end]. */
  pipe(): [number, number];
  /**
   * The type (a CLONE_NEW* flag) and inode of an nsfs file. Throws (errno) ENOENT for a
   * missing path, EINVAL for a file that is not a namespace.
   */
  namespaceType(path: string): { type: number; inode: bigint };

  /**
   * flock(2), synchronous: `operation` is LOCK_UN or LOCK_EX/LOCK_SH with LOCK_NB (never
   * blocking: callers poll). Returns 0, or the errno (EWOULDBLOCK: held by another).
   */
  flock(fd: number, operation: number): number;
  /**
   * A unix socket bound to the abstract address `\0name` (zero-padded, as net.Server binds it),
   * synchronous: its fd (close it to release the name), or -errno (-EADDRINUSE: another socket
   * holds it). The machine-wide locks of lib/network/lock.ts.
   */
  bindAbstract(name: string): number;
  /**
   * On the namespace thread: /proc/sys/net/`key` of the namespace ('ipv6/conf/eth0/accept_dad'),
   * read, and written when `value` is given and differs. Resolves with the value before; rejects
   * with errno (ENOENT: no such key).
   */
  netSysctl(handle: NativeHandle, key: string, value?: string): Promise<string>;
  /**
   * On the namespace thread: the multicast entries of /proc/net/dev_mcast (`files` bit 1),
   * /proc/net/igmp (2) and /proc/net/igmp6 (4) of the namespace, in that order and each file's.
   */
  readProcMulticast(handle: NativeHandle, files: number): Promise<NativeProcMulticast[]>;
  /**
   * On the namespace thread: SIOCADDMULTI (`add`) or SIOCDELMULTI of the link-layer `mac` on
   * link `index`, from a socket opened inside the namespace. Rejects with the kernel's errno.
   */
  changeLinkMulticast(handle: NativeHandle, index: number, mac: string, add: boolean): Promise<void>;
}

/** One line of /proc/net/dev_mcast, igmp or igmp6. */
export interface NativeProcMulticast {
  /** AF_PACKET (17): a link-layer address; AF_INET, AF_INET6: a group. */
  family: number;
  index: number;
  name: string;
  /** 'aa:bb:cc:dd:ee:ff', or the group's textual address */
  address: string;
  users: number;
  /** dev_mcast's global_use: added from user space (SIOCADDMULTI) */
  global: boolean;
}

/**
 * What a name under the run directory is: a mounted namespace; a stale entry (a plain file left
 * by a creator or deleter that died); a creation in progress (its creator holds the file's
 * flock, or it is younger than a second); missing; or something else (a FIFO, a directory).
 */
export interface NativeNameState {
  state: 'missing' | 'namespace' | 'creating' | 'stale' | 'other';
  inode?: bigint;
  detail?: string;
}

/** What {@link Addon.createTap} makes. */
export interface NativeTapRequest {
  name: string;
  /** IFF_TAP; false: IFF_TUN */
  tap: boolean;
  multiQueue?: boolean;
  vnetHdr?: boolean;
  /** packet information header (without IFF_NO_PI) */
  packetInfo?: boolean;
  owner?: number;
  group?: number;
}

/** What {@link Addon.openSocket} makes. `address` is textual IPv4 or IPv6. */
export interface NativeSocketRequest {
  kind: 'listen' | 'connect' | 'udp';
  address: string;
  port: number;
  backlog?: number;
  ipv6Only?: boolean;
}

/**
 * Links as the addon returns them (native/addon/convert/results.cc): per link the numbers of
 * `schema.results.linkNumbers` in `nums` and the NUL-terminated strings of
 * `schema.results.linkStrings` in `strs`, in that order; kind data in sparse arrays. N-API builds
 * objects one property at a time, which made a dump of 1,000 links cost ~10 µs a link; V8 builds
 * the literals of lib/native/wire.ts far faster.
 */
export interface PackedLinks {
  /** 1: the result of a getlink (one link or none); 2: of a dump (a list). */
  packed: 1 | 2;
  nums: Float64Array;
  strs: string;
  infos?: Array<NativeKindInfo | undefined>;
  slaveInfos?: Array<NativeKindInfo | undefined>;
  /** per link its alternative names, for links that have any */
  altNames?: Array<string[] | undefined>;
  /**
   * per link, when read: the counters of `schema.results.linkStats`, then those of
   * `schema.results.ipv6Stats`, then `schema.results.icmp6Stats` (NaN: a link without them)
   */
  stats?: Float64Array;
}

export type RawResult = Exclude<NativeResult, NativeLink | NativeLink[]> | PackedLinks;

/**
 * Requests cross to the addon flattened into one array, as native/addon/convert/schema.h
 * describes: per operation its code, then its argument struct as (tag, value) pairs ended by 0,
 * tag i being the i-th field of the struct in the schema; nested structs the same way, in place.
 * Reading a request object key by key through N-API cost ~20,000 instructions for an MTU
 * change, most of a cheap request's time; this costs a few hundred.
 */
export type FlatOps = Array<number | string | NativeHandle | undefined>;

/**
 * The same sequence split in two, which is how lib/native/wire.ts sends it: the numbers (codes,
 * tags, integer fields) in the first `count` elements of a Float64Array, which the addon reads
 * from memory, and the other values (strings, addresses, MACs, namespace handles) in an array,
 * in order. Which one a value is in follows its field's wire type. A cheap request then costs
 * one N-API call per string rather than one per value.
 */
export interface PackedOps {
  nums: Float64Array;
  count: number;
  refs: unknown[];
}

/** A field list: [name, type] in wire order. */
export type SchemaFields = Array<[string, string]>;

/** What the addon exports as `schema` (native/addon/convert/schema.cc). */
export interface WireSchema {
  structs: Record<
    | 'link'
    | 'address'
    | 'route'
    | 'nftcommand'
    | 'nftstatement'
    | 'nexthop'
    | 'metrics'
    | 'encap'
    | 'neighbour'
    | 'rule'
    | 'nexthopobject'
    | 'nexthopgroup',
    SchemaFields
  >;
  ops: Record<string, { code: number; args: SchemaFields; returns: string }>;
  kinds: Record<string, SchemaFields>;
  slaveKinds: Record<string, SchemaFields>;
  results: Record<
    | 'linkNumbers'
    | 'linkStrings'
    | 'linkStats'
    | 'ipv6Stats'
    | 'icmp6Stats'
    | 'address'
    | 'route'
    | 'nftTable'
    | 'nftChain'
    | 'nftRule'
    | 'nftSet'
    | 'nftSetElem'
    | 'nexthop'
    | 'metrics'
    | 'encap'
    | 'neighbour'
    | 'rule'
    | 'nsid'
    | 'nexthopObject'
    | 'netconf'
    | 'nexthopBucket'
    | 'multicastGroup',
    SchemaFields
  >;
  /** A monitor's event codes (1 + kind position * actions.length + action position), markers. */
  events: { kinds: string[]; actions: string[]; overrun: number; fence: number };
}
