/**
 * The wire between TypeScript and the addon, built from the schema the addon exports
 * (native/addon/convert/schema.h is the one declaration of every field that crosses):
 * - requests are flattened by encoders made from the schema's field lists (see {@link FlatOps});
 * - links come back packed and are unpacked by a function generated from the schema's order;
 * - the types this side declares (surface.ts) are checked against the schema once, at load, so
 *   an addon built from other sources than this TypeScript fails loudly instead of misreading.
 *
 * Encoders and the link unpacker are generated on first use, each (`new Function` costs ~0.1 ms
 * apiece, and a short-lived process such as the CNI plugin uses a handful of the ~40 operations
 * and structs); once made, a call costs what it did when they were all made at load.
 */
import { internalError } from '../internal/errors';
import { addon } from './load';
import type {
  FlatOps,
  NativeAddress,
  NativeAddressRequest,
  NativeFailure,
  NativeHandle,
  NativeLink,
  NativeLinkRequest,
  NativeLinkStats,
  NativeIpv6Stats,
  NativeIcmp6Stats,
  NativeNeighbour,
  NativeNeighbourRequest,
  NativeNexthop,
  NativeNexthopRequest,
  NativeNexthopObject,
  NativeNexthopBucket,
  NativeNexthopObjectRequest,
  NativeNexthopGroupEntry,
  NativeNftChain,
  NativeNftCommand,
  NativeNftRule,
  NativeNftSet,
  NativeNftSetElem,
  NativeNftStatement,
  NativeNftTable,
  NativeNetconf,
  NativeMulticastGroup,
  NativeNsid,
  NativeOp,
  NativeResult,
  NativeRoute,
  NativeRouteRequest,
  NativeRouteMetrics,
  NativeRouteEncap,
  NativeEventAction,
  NativeEventBatch,
  NativeEventKind,
  NativeStreamItem,
  NativeRule,
  NativeRuleRequest,
  PackedLinks,
  RawResult,
  SchemaFields,
  WireSchema,
} from './surface';

const schema: WireSchema = addon.schema;

// What this side believes the schema is: every key of the surface types, with its wire type.
// `Record<keyof T, ...>` makes the compiler check that no key is missing or extra here; the
// comparison below checks that the addon agrees.
const LINK_REQUEST: Record<keyof NativeLinkRequest, string> = {
  index: 'i32',
  name: 'string',
  kind: 'string',
  flags: 'u32',
  change: 'u32',
  mtu: 'u32',
  txqlen: 'u32',
  group: 'u32',
  address: 'mac',
  master: 'i32',
  netns: 'netns',
  alias: 'string',
  newName: 'string',
  info: 'kind',
  slaveKind: 'string',
  slaveInfo: 'slavekind',
  link: 'i32',
  carrier: 'u8',
  gsoMaxSize: 'u32',
  gsoMaxSegs: 'u32',
  groMaxSize: 'u32',
  numTxQueues: 'u32',
  numRxQueues: 'u32',
  addrGenMode: 'u8',
  protoDown: 'u8',
  protoDownReasonMask: 'u32',
  protoDownReasonValue: 'u32',
};
const ADDRESS_REQUEST: Record<keyof NativeAddressRequest, string> = {
  local: 'ip',
  prefixlen: 'u8',
  index: 'i32',
  peer: 'ip',
  broadcast: 'ip',
  label: 'string',
  scope: 'u8',
  flags: 'u32',
  metric: 'u32',
  validLft: 'u32',
  preferredLft: 'u32',
};
const ROUTE_REQUEST: Record<keyof NativeRouteRequest, string> = {
  family: 'u8',
  dstLen: 'u8',
  srcLen: 'u8',
  tos: 'u8',
  table: 'u32',
  protocol: 'u8',
  scope: 'u8',
  type: 'u8',
  flags: 'u32',
  dst: 'ip',
  src: 'ip',
  gateway: 'ip',
  prefsrc: 'ip',
  oif: 'i32',
  priority: 'u32',
  multipath: 'nexthop[]',
  metrics: 'metrics',
  pref: 'u8',
  expires: 'u32',
  nhid: 'u32',
  flow: 'u32',
  encap: 'encap',
};
const ROUTE_ENCAP: Record<keyof NativeRouteEncap, string> = {
  type: 'u16',
  id: 'u64',
  src: 'ip',
  dst: 'ip',
  ttl: 'u8',
  tos: 'u8',
  flags: 'u16',
  mode: 'u32',
  segments: 'ip[]',
  hmac: 'u32',
  labels: 'u32[]',
  action: 'u32',
  table: 'u32',
  vrftable: 'u32',
  nh4: 'ip',
  nh6: 'ip',
  iif: 'u32',
  oif: 'u32',
};
/** The same fields as they come back (type always; the others absent when unset). */
const ROUTE_ENCAP_INFO: Record<keyof NativeRouteEncap, string> = Object.fromEntries(
  Object.entries(ROUTE_ENCAP).map(([k, t]) => [
    k,
    k === 'type' ? 'number' : t === 'ip' ? 'ip' : t === 'ip[]' ? 'ips' : t === 'u32[]' ? 'numbers' : 'optional',
  ]),
) as Record<keyof NativeRouteEncap, string>;
const ROUTE_METRICS: Record<keyof NativeRouteMetrics, string> = {
  lock: 'u32',
  mtu: 'u32',
  window: 'u32',
  rtt: 'u32',
  rttvar: 'u32',
  ssthresh: 'u32',
  cwnd: 'u32',
  advmss: 'u32',
  reordering: 'u32',
  hoplimit: 'u32',
  initcwnd: 'u32',
  features: 'u32',
  rtoMin: 'u32',
  initrwnd: 'u32',
  quickack: 'u32',
  ccAlgo: 'string',
  fastopenNoCookie: 'u32',
};
/** The same fields as they come back (lock 0 when none; the others absent when unset). */
const ROUTE_METRICS_INFO: Record<keyof NativeRouteMetrics, string> = Object.fromEntries(
  Object.keys(ROUTE_METRICS).map((k) => [k, k === 'lock' ? 'number' : 'optional']),
) as Record<keyof NativeRouteMetrics, string>;
const NEXTHOP_REQUEST: Record<keyof NativeNexthopRequest, string> = {
  gateway: 'ip',
  oif: 'i32',
  hops: 'u8',
  flags: 'u8',
  flow: 'u32',
  encap: 'encap',
};
const NEXTHOP_OBJECT_REQUEST: Record<keyof NativeNexthopObjectRequest, string> = {
  id: 'u32',
  family: 'u8',
  protocol: 'u8',
  flags: 'u32',
  gateway: 'ip',
  oif: 'i32',
  blackhole: 'u8',
  group: 'nexthopgroup[]',
  groupType: 'u16',
  fdb: 'u8',
  resBuckets: 'u16',
  resIdleTimer: 'u32',
  resUnbalancedTimer: 'u32',
};
const NEXTHOP_GROUP_ENTRY: Record<keyof NativeNexthopGroupEntry, string> = { id: 'u32', weight: 'u8' };
const NEXTHOP_OBJECT: Record<keyof NativeNexthopObject, string> = {
  id: 'number',
  family: 'number',
  scope: 'number',
  protocol: 'number',
  flags: 'number',
  gateway: 'ip',
  oif: 'optional',
  blackhole: 'number',
  fdb: 'number',
  group: 'nexthopgroup',
  groupType: 'optional',
  resBuckets: 'optional',
  resIdleTimer: 'optional',
  resUnbalancedTimer: 'optional',
  resUnbalancedTime: 'optional',
};
const NEXTHOP_BUCKET: Record<keyof NativeNexthopBucket, string> = {
  id: 'number',
  index: 'number',
  idleTime: 'number',
  nexthopId: 'number',
};
const NEIGHBOUR_REQUEST: Record<keyof NativeNeighbourRequest, string> = {
  family: 'u8',
  index: 'i32',
  state: 'u16',
  flags: 'u8',
  dst: 'ip',
  lladdr: 'mac',
  vlan: 'u16',
  port: 'u16',
  vni: 'u32',
  ifindex: 'u32',
  master: 'u32',
  srcVni: 'u32',
  protocol: 'u8',
  flagsExt: 'u32',
};
const RULE_REQUEST: Record<keyof NativeRuleRequest, string> = {
  family: 'u8',
  dstLen: 'u8',
  srcLen: 'u8',
  tos: 'u8',
  table: 'u32',
  action: 'u8',
  flags: 'u32',
  dst: 'ip',
  src: 'ip',
  iifname: 'string',
  oifname: 'string',
  priority: 'u32',
  fwmark: 'u32',
  fwmask: 'u32',
  goto: 'u32',
  suppressPrefixlen: 'u32',
  suppressIfgroup: 'u32',
  l3mdev: 'u8',
  protocol: 'u8',
  ipProto: 'u8',
  sportStart: 'u16',
  sportEnd: 'u16',
  dportStart: 'u16',
  dportEnd: 'u16',
  uidStart: 'u32',
  uidEnd: 'u32',
  flow: 'u32',
};
const NFT_COMMAND: Record<keyof NativeNftCommand, string> = {
  type: 'u8',
  family: 'u8',
  table: 'string',
  chain: 'string',
  hooknum: 'u32',
  priority: 'i32',
  chainType: 'string',
  policy: 'u32',
  handle: 'u64',
  comment: 'string',
  exclusive: 'u8',
  echo: 'u8',
  statements: 'nftstatement[]',
  set: 'string',
  keyType: 'string',
  dataType: 'string',
  keyAddress: 'ip',
  keyProto: 'u8',
  keyPort: 'u16',
  dataAddress: 'ip',
  dataPort: 'u16',
};
const NFT_STATEMENT: Record<keyof NativeNftStatement, string> = {
  kind: 'string',
  op: 'u8',
  address: 'ip',
  mac: 'mac',
  prefix: 'u8',
  name: 'string',
  proto: 'u8',
  port: 'u16',
  bits: 'u32',
  chain: 'string',
  family: 'u8',
};
type OpArgs = { [K in NativeOp['op']]: Record<Exclude<keyof Extract<NativeOp, { op: K }>, 'op'>, string> };
const OP_ARGS: OpArgs = {
  newlink: { flags: 'u16', link: 'link' },
  dellink: { index: 'i32', name: 'string', flags: 'u16' },
  dellinkgroup: { group: 'u32' },
  getlink: { index: 'i32', name: 'string', stats: 'u8' },
  dumplinks: { master: 'i32', kind: 'string', stats: 'u8' },
  newaddr: { flags: 'u16', address: 'address' },
  deladdr: { address: 'address', flags: 'u16' },
  dumpaddrs: { family: 'u8', index: 'i32' },
  newroute: { flags: 'u16', route: 'route' },
  delroute: { route: 'route', flags: 'u16' },
  dumproutes: { family: 'u8', table: 'u32', flags: 'u32' },
  nftbatch: { genid: 'u32', commands: 'nftcommand[]' },
  nftdumptables: { family: 'u8' },
  nftdumpchains: { family: 'u8' },
  nftdumprules: { family: 'u8', table: 'string', chain: 'string' },
  nftgetgen: {},
  nftdumpsets: { family: 'u8', table: 'string' },
  nftdumpsetelems: { family: 'u8', table: 'string', set: 'string' },
  newneigh: { flags: 'u16', neighbour: 'neighbour' },
  delneigh: { neighbour: 'neighbour' },
  dumpneighs: { family: 'u8', index: 'i32', master: 'i32', flags: 'u8' },
  getneigh: { neighbour: 'neighbour' },
  newrule: { flags: 'u16', rule: 'rule' },
  delrule: { rule: 'rule', flags: 'u16' },
  dumprules: { family: 'u8' },
  newnsid: { netns: 'netns', nsid: 'i32' },
  getnsid: { netns: 'netns' },
  dumpnsids: { hasTarget: 'u8', targetNsid: 'i32' },
  newnexthop: { flags: 'u16', nexthop: 'nexthopobject' },
  delnexthop: { id: 'u32', flags: 'u16' },
  dumpnexthops: { family: 'u8', oif: 'i32', groups: 'u8' },
  dumpnetconf: { family: 'u8' },
  getnetconf: { family: 'u8', index: 'i32' },
  dumpmulticast: { family: 'u8' },
  dumpnexthopbuckets: { id: 'u32', oif: 'i32' },
  getroute: {
    dst: 'ip',
    src: 'ip',
    tos: 'u8',
    fibMatch: 'u8',
    uid: 'u32',
    ipProto: 'u8',
    sport: 'u16',
    dport: 'u16',
    iif: 'i32',
    oif: 'i32',
    mark: 'u32',
  },
  newlinkprop: { index: 'i32', altName: 'string' },
  dellinkprop: { index: 'i32', altName: 'string' },
};
const LINK: Record<Exclude<keyof NativeLink, 'info' | 'slaveInfo' | 'stats' | 'ipv6Stats' | 'icmp6Stats' | 'altNames'>, string> = {
  index: 'number',
  type: 'number',
  flags: 'number',
  mtu: 'number',
  minMtu: 'number',
  maxMtu: 'number',
  group: 'number',
  txqlen: 'number',
  promiscuity: 'number',
  numTxQueues: 'number',
  numRxQueues: 'number',
  operstate: 'number',
  carrier: 'number',
  master: 'number',
  link: 'number',
  linkNetnsid: 'optional',
  linkmode: 'number',
  allmulti: 'optional',
  gsoMaxSize: 'optional',
  gsoMaxSegs: 'optional',
  tsoMaxSize: 'optional',
  tsoMaxSegs: 'optional',
  groMaxSize: 'optional',
  carrierChanges: 'optional',
  addrGenMode: 'optional',
  protoDown: 'number',
  protoDownReason: 'optional',
  name: 'text',
  address: 'mac',
  broadcast: 'mac',
  kind: 'text',
  slaveKind: 'text',
  alias: 'text',
  qdisc: 'text',
};
const ADDRESS: Record<keyof NativeAddress, string> = {
  family: 'number',
  prefixlen: 'number',
  scope: 'number',
  flags: 'number',
  index: 'number',
  local: 'ip',
  address: 'ip',
  broadcast: 'ip',
  label: 'text',
  validLft: 'optional',
  preferredLft: 'optional',
  metric: 'optional',
};
const ROUTE: Record<keyof NativeRoute, string> = {
  family: 'number',
  dstLen: 'number',
  srcLen: 'number',
  tos: 'number',
  protocol: 'number',
  scope: 'number',
  type: 'number',
  table: 'number',
  flags: 'number',
  oif: 'number',
  dst: 'ip',
  src: 'ip',
  gateway: 'ip',
  prefsrc: 'ip',
  priority: 'optional',
  pref: 'optional',
  multipath: 'nexthops',
  metrics: 'metrics',
  expires: 'optional',
  cacheError: 'optional',
  cacheUsers: 'optional',
  cacheUsed: 'optional',
  cacheLastUseMs: 'optional',
  iif: 'optional',
  mark: 'optional',
  uid: 'optional',
  nhid: 'optional',
  flow: 'optional',
  encap: 'encap',
};
const LINK_STATS: Record<keyof NativeLinkStats, string> = {
  rxPackets: 'number',
  txPackets: 'number',
  rxBytes: 'number',
  txBytes: 'number',
  rxErrors: 'number',
  txErrors: 'number',
  rxDropped: 'number',
  txDropped: 'number',
  multicast: 'number',
  collisions: 'number',
  rxLengthErrors: 'number',
  rxOverErrors: 'number',
  rxCrcErrors: 'number',
  rxFrameErrors: 'number',
  rxFifoErrors: 'number',
  rxMissedErrors: 'number',
  txAbortedErrors: 'number',
  txCarrierErrors: 'number',
  txFifoErrors: 'number',
  txHeartbeatErrors: 'number',
  txWindowErrors: 'number',
  rxCompressed: 'number',
  txCompressed: 'number',
  rxNohandler: 'number',
  rxOtherhostDropped: 'optional',
};
const IPV6_STATS: Record<keyof NativeIpv6Stats, string> = {
  inReceives: 'number',
  inOctets: 'number',
  inDelivers: 'number',
  outForwDatagrams: 'number',
  outRequests: 'number',
  outOctets: 'number',
  inHdrErrors: 'number',
  inTooBigErrors: 'number',
  inNoRoutes: 'number',
  inAddrErrors: 'number',
  inUnknownProtos: 'number',
  inTruncatedPkts: 'number',
  inDiscards: 'number',
  outDiscards: 'number',
  outNoRoutes: 'number',
  reasmTimeout: 'number',
  reasmReqds: 'number',
  reasmOKs: 'number',
  reasmFails: 'number',
  fragOKs: 'number',
  fragFails: 'number',
  fragCreates: 'number',
  inMcastPkts: 'number',
  outMcastPkts: 'number',
  inBcastPkts: 'number',
  outBcastPkts: 'number',
  inMcastOctets: 'number',
  outMcastOctets: 'number',
  inBcastOctets: 'number',
  outBcastOctets: 'number',
  inCsumErrors: 'number',
  inNoECTPkts: 'number',
  inECT1Pkts: 'number',
  inECT0Pkts: 'number',
  inCEPkts: 'number',
  reasmOverlaps: 'number',
  outTransmits: 'optional',
};
const ICMP6_STATS: Record<keyof NativeIcmp6Stats, string> = {
  inMsgs: 'number',
  inErrors: 'number',
  outMsgs: 'number',
  outErrors: 'number',
  inCsumErrors: 'number',
  outRateLimitHost: 'optional',
};
const NEXTHOP: Record<keyof NativeNexthop, string> = {
  gateway: 'ip',
  oif: 'number',
  hops: 'number',
  flags: 'number',
  flow: 'optional',
  encap: 'encap',
};
const NEIGHBOUR: Record<keyof NativeNeighbour, string> = {
  family: 'number',
  index: 'number',
  state: 'number',
  flags: 'number',
  type: 'number',
  dst: 'ip',
  lladdr: 'mac',
  vlan: 'optional',
  port: 'optional',
  vni: 'optional',
  ifindex: 'optional',
  master: 'optional',
  srcVni: 'optional',
  probes: 'optional',
  protocol: 'optional',
  linkNetnsid: 'optional',
  flagsExt: 'number',
  confirmed: 'optional',
  used: 'optional',
  updated: 'optional',
  refcnt: 'optional',
};
const RULE: Record<keyof NativeRule, string> = {
  family: 'number',
  dstLen: 'number',
  srcLen: 'number',
  tos: 'number',
  action: 'number',
  table: 'number',
  flags: 'number',
  dst: 'ip',
  src: 'ip',
  iifname: 'text',
  oifname: 'text',
  priority: 'optional',
  fwmark: 'optional',
  fwmask: 'optional',
  goto: 'optional',
  suppressPrefixlen: 'optional',
  suppressIfgroup: 'optional',
  l3mdev: 'optional',
  protocol: 'optional',
  ipProto: 'optional',
  sportStart: 'optional',
  sportEnd: 'optional',
  dportStart: 'optional',
  dportEnd: 'optional',
  uidStart: 'optional',
  uidEnd: 'optional',
  flow: 'optional',
};
const NSID: Record<keyof NativeNsid, string> = { nsid: 'number', currentNsid: 'optional' };
const NETCONF: Record<keyof NativeNetconf, string> = {
  family: 'number',
  ifindex: 'optional',
  forwarding: 'optional',
  rpFilter: 'optional',
  mcForwarding: 'optional',
  proxyNeigh: 'optional',
  ignoreRoutesWithLinkdown: 'optional',
  bcForwarding: 'optional',
  input: 'optional',
};
const MULTICAST_GROUP: Record<keyof NativeMulticastGroup, string> = {
  family: 'number',
  index: 'number',
  group: 'ip',
  created: 'number',
  updated: 'number',
};

const NFT_TABLE: Record<keyof NativeNftTable, string> = {
  family: 'number',
  name: 'text',
  handle: 'number',
  flags: 'number',
};
const NFT_CHAIN: Record<keyof NativeNftChain, string> = {
  family: 'number',
  table: 'text',
  name: 'text',
  handle: 'number',
  hooknum: 'optional',
  priority: 'optional',
  chainType: 'optional',
  policy: 'optional',
};
const NFT_RULE: Record<keyof NativeNftRule, string> = {
  family: 'number',
  table: 'text',
  chain: 'text',
  handle: 'number',
  position: 'optional',
  comment: 'optional',
};
const NFT_SET: Record<keyof NativeNftSet, string> = {
  family: 'number',
  table: 'text',
  name: 'text',
  handle: 'number',
  flags: 'number',
  keyType: 'number',
  keyLen: 'number',
  dataType: 'number',
  dataLen: 'number',
};
const NFT_SET_ELEM: Record<keyof NativeNftSetElem, string> = {
  family: 'number',
  table: 'text',
  set: 'text',
  key: 'text',
  data: 'text',
};

/** Throws unless `fields` (from the addon) name exactly the keys and types of `ours`. */
function agree(what: string, ours: Record<string, string>, fields: SchemaFields | undefined): void {
  const theirs = new Map(fields ?? []);
  const mine = new Map(Object.entries(ours));
  const differ = [...new Set([...theirs.keys(), ...mine.keys()])].filter((k) => theirs.get(k) !== mine.get(k));
  if (fields === undefined || differ.length > 0) {
    throw internalError(
      'load the addon',
      `lib/native and the addon disagree on ${what} (${differ.join(', ') || 'missing'}); ` +
        'the addon was built from other sources: rebuild it (npm rebuild netns-native)',
    );
  }
}

agree('link requests', LINK_REQUEST, schema.structs.link);
agree('address requests', ADDRESS_REQUEST, schema.structs.address);
agree('route requests', ROUTE_REQUEST, schema.structs.route);
agree('nf_tables commands', NFT_COMMAND, schema.structs.nftcommand);
agree('nf_tables statements', NFT_STATEMENT, schema.structs.nftstatement);
agree('next hop requests', NEXTHOP_REQUEST, schema.structs.nexthop);
agree('route metrics', ROUTE_METRICS, schema.structs.metrics);
agree('route encaps', ROUTE_ENCAP, schema.structs.encap);
agree('neighbour requests', NEIGHBOUR_REQUEST, schema.structs.neighbour);
agree('rule requests', RULE_REQUEST, schema.structs.rule);
agree('nexthop object requests', NEXTHOP_OBJECT_REQUEST, schema.structs.nexthopobject);
agree('nexthop group members', NEXTHOP_GROUP_ENTRY, schema.structs.nexthopgroup);
for (const op of new Set([...Object.keys(OP_ARGS), ...Object.keys(schema.ops)])) {
  agree(`operation ${op}`, (OP_ARGS as Record<string, Record<string, string>>)[op] ?? {}, schema.ops[op]?.args);
}
agree('links', LINK, [...schema.results.linkNumbers, ...schema.results.linkStrings]);
agree('addresses', ADDRESS, schema.results.address);
agree('routes', ROUTE, schema.results.route);
// The kinds and actions of a monitor's events, in code order (native/rtnl/decode.h).
const EVENT_KINDS: NativeEventKind[] = ['link', 'address', 'route', 'neighbour', 'rule', 'nexthop', 'netconf'];
const EVENT_ACTIONS: NativeEventAction[] = ['new', 'delete', 'replace'];
agree(
  'monitor events',
  Object.fromEntries([...EVENT_KINDS, ...EVENT_ACTIONS].map((k, i) => [k, String(i)])),
  [...(schema.events?.kinds ?? []), ...(schema.events?.actions ?? [])].map((k, i) => [k, String(i)]),
);
agree('nf_tables tables', NFT_TABLE, schema.results.nftTable);
agree('nf_tables chains', NFT_CHAIN, schema.results.nftChain);
agree('nf_tables rules', NFT_RULE, schema.results.nftRule);
agree('nf_tables sets', NFT_SET, schema.results.nftSet);
agree('nf_tables set elements', NFT_SET_ELEM, schema.results.nftSetElem);
agree('link statistics', LINK_STATS, schema.results.linkStats);
agree('IPv6 statistics', IPV6_STATS, schema.results.ipv6Stats);
agree('ICMPv6 statistics', ICMP6_STATS, schema.results.icmp6Stats);
agree('next hops', NEXTHOP, schema.results.nexthop);
agree('route metrics (results)', ROUTE_METRICS_INFO, schema.results.metrics);
agree('route encaps (results)', ROUTE_ENCAP_INFO, schema.results.encap);
agree('neighbours', NEIGHBOUR, schema.results.neighbour);
agree('rules', RULE, schema.results.rule);
agree('nsids', NSID, schema.results.nsid);
agree('nexthop objects', NEXTHOP_OBJECT, schema.results.nexthopObject);
agree('netconf entries', NETCONF, schema.results.netconf);
agree('nexthop buckets', NEXTHOP_BUCKET, schema.results.nexthopBucket);
agree('multicast groups', MULTICAST_GROUP, schema.results.multicastGroup);

// ---------------------------------------------------------------------------------------------
// Encoding requests

/**
 * Where encoders write: numbers (codes, tags, integer fields) with num(), other values with ref().
 * PlainWriter makes the one array of {@link FlatOps}; PackedWriter the two parts of
 * {@link PackedOps}, in buffers reused from call to call.
 */
interface Writer {
  num(v: number): void;
  ref(v: unknown): void;
}

class PlainWriter implements Writer {
  readonly out: FlatOps = [];
  num(v: number): void {
    this.out.push(v);
  }
  ref(v: unknown): void {
    this.out.push(v as string | NativeHandle);
  }
}

class PackedWriter implements Writer {
  nums = new Float64Array(1024);
  count = 0;
  readonly refs: unknown[] = [];
  num(v: number): void {
    if (this.count === this.nums.length) {
      const bigger = new Float64Array(this.nums.length * 2);
      bigger.set(this.nums);
      this.nums = bigger;
    }
    this.nums[this.count++] = v;
  }
  ref(v: unknown): void {
    this.refs.push(v);
  }
  reset(): void {
    this.count = 0;
    this.refs.length = 0;
  }
}

/** Writes (tag, value) for one field; a repeated field ('type[]') writes one pair per element. */
type Encode = (w: Writer, tag: number, value: unknown, parent: Record<string, unknown>) => void;
type EncodeStruct = (w: Writer, o: Record<string, unknown>) => void;

function notANumber(v: unknown): never {
  throw internalError('encode a request', `a number was expected, not ${typeof v}`);
}
const writeNumber: Encode = (w, tag, v) => {
  if (typeof v !== 'number') notANumber(v);
  w.num(tag);
  w.num(v);
};
const writeRef: Encode = (w, tag, v) => {
  w.num(tag);
  w.ref(v);
};
const writeFlag: Encode = (w, tag, v) => {
  w.num(tag);
  w.num(v ? 1 : 0);
};

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Encodes a struct: (tag, value) for each field present, tag = position in `fields` + 1; then 0.
 * Generated once per struct from the schema (when first used), so that each field is read by its
 * name (a load V8 caches per call site) rather than by a computed key (a megamorphic lookup on
 * every request), and numbers are written without a call of their own.
 */
function structEncoder(fields: SchemaFields): EncodeStruct {
  const encoders = fields.map(([, type]) => valueEncoder(type));
  const lines = fields.map(([name], i) => {
    if (!SAFE_NAME.test(name)) throw internalError('load the addon', `unexpected field name ${JSON.stringify(name)}`);
    const write =
      encoders[i] === writeNumber
        ? `{ if (typeof v !== 'number') bad(v); w.num(${i + 1}); w.num(v); }`
        : `enc[${i}](w, ${i + 1}, v, o);`;
    return `v = o.${name}; if (v !== undefined && v !== null) ${write}`;
  });
  const body = `let v; ${lines.join(' ')} w.num(0);`;
  const make = new Function('enc', 'bad', `return (w, o) => { ${body} };`) as (
    enc: Encode[],
    bad: (v: unknown) => never,
  ) => EncodeStruct;
  return make(encoders, notANumber);
}

const structs = new Map<string, EncodeStruct>();
const kinds = new Map<string, EncodeStruct>();
const slaveKinds = new Map<string, EncodeStruct>();

function kindEncoder(table: Map<string, EncodeStruct>, all: Record<string, SchemaFields>, kind: unknown): EncodeStruct {
  let enc = table.get(kind as string);
  if (enc === undefined) {
    const fields = all[kind as string];
    if (fields === undefined) throw internalError('encode a request', `no attributes are known for kind ${String(kind)}`);
    table.set(kind as string, (enc = structEncoder(fields)));
  }
  return enc;
}

function valueEncoder(type: string): Encode {
  if (type.endsWith('[]')) {
    const one = valueEncoder(type.slice(0, -2));
    return (w, tag, v, parent) => {
      for (const element of v as unknown[]) one(w, tag, element, parent);
    };
  }
  if (Object.prototype.hasOwnProperty.call(schema.structs, type)) {
    // Made when first used: a link nests links (a veth's peer), so not while making this one.
    let struct: EncodeStruct | undefined;
    return (w, tag, v) => {
      w.num(tag);
      (struct ??= structFor(type))(w, v as Record<string, unknown>);
    };
  }
  switch (type) {
    case 'kind':
      return (w, tag, v, parent) => {
        w.num(tag);
        kindEncoder(kinds, schema.kinds, parent.kind)(w, v as Record<string, unknown>);
      };
    case 'slavekind':
      return (w, tag, v, parent) => {
        w.num(tag);
        kindEncoder(slaveKinds, schema.slaveKinds, parent.slaveKind)(w, v as Record<string, unknown>);
      };
    case 'flag':
      return writeFlag;
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64':
    case 'i32':
      return writeNumber;
    default:
      // 'string', 'ip', 'mac', 'netns': read by the addon as values, checked there.
      return writeRef;
  }
}

/** The encoder of a struct of the schema (one the agreement above has checked), made once. */
function structFor(name: string): EncodeStruct {
  let enc = structs.get(name);
  if (enc === undefined) structs.set(name, (enc = structEncoder((schema.structs as Record<string, SchemaFields>)[name] as SchemaFields)));
  return enc;
}

interface OpEncoder {
  code: number;
  encode: EncodeStruct;
}
const ops = new Map<string, OpEncoder>();

/** An operation's code and the encoder of its arguments, made on its first request. */
function opFor(name: string): OpEncoder {
  const op = Object.prototype.hasOwnProperty.call(schema.ops, name) ? schema.ops[name] : undefined;
  if (op === undefined) throw internalError('encode a request', `unknown operation '${String(name)}'`);
  const spec = { code: op.code, encode: structEncoder(op.args) };
  ops.set(name, spec);
  return spec;
}

function encode(w: Writer, list: NativeOp[]): void {
  for (const op of list) {
    const spec = ops.get(op.op) ?? opFor(op.op);
    w.num(spec.code);
    spec.encode(w, op as unknown as Record<string, unknown>);
  }
}

/** Flattens operation descriptors into one array (see {@link FlatOps}). */
export function flatten(list: NativeOp[]): FlatOps {
  const w = new PlainWriter();
  encode(w, list);
  return w.out;
}

// One buffer for every call: what it holds is read by the addon before the call returns.
const packed = new PackedWriter();

/** Packs operation descriptors (see {@link PackedOps}) into the shared buffers. */
function pack(list: NativeOp[]): PackedWriter {
  packed.reset();
  try {
    encode(packed, list);
  } catch (e) {
    packed.reset();
    throw e;
  }
  return packed;
}

// ---------------------------------------------------------------------------------------------
// Decoding results

/**
 * Unpacks links (see {@link PackedLinks}) into plain objects, by functions generated once (on the
 * first dump) from the schema's field order, so that each link is one object literal: V8 gives all of them one shape, and a
 * dump of 1,000 links costs microseconds, not the ~10 ms objects built through N-API cost.
 */
export function unpackLinks(p: PackedLinks): NativeLink[] {
  const u = (linkUnpackers ??= makeLinkUnpackers());
  return p.stats === undefined ? u.plain(p) : u.counted(p);
}

type Unpack = (p: PackedLinks) => NativeLink[];
let linkUnpackers: { plain: Unpack; counted: Unpack } | undefined;

function makeLinkUnpackers(): { plain: Unpack; counted: Unpack } {
  const numbers = schema.results.linkNumbers;
  const strings = schema.results.linkStrings;
  const stats = schema.results.linkStats;
  const ipv6 = schema.results.ipv6Stats;
  const icmp6 = schema.results.icmp6Stats;
  const safe = /^[A-Za-z][A-Za-z0-9]*$/;
  for (const [name] of [...numbers, ...strings, ...stats, ...ipv6, ...icmp6]) {
    if (!safe.test(name)) throw internalError('load the addon', `unexpected field name ${JSON.stringify(name)}`);
  }
  const fields = [
    ...numbers.map(([name, type], i) =>
      type === 'optional' ? `${name}: (v = nums[o + ${i}]) === v ? v : undefined` : `${name}: nums[o + ${i}]`,
    ),
    ...strings.map(([name], i) => `${name}: strs[s + ${i}]`),
    'info: infos === undefined ? undefined : infos[i]',
    'slaveInfo: slaveInfos === undefined ? undefined : slaveInfos[i]',
    'altNames: altNames === undefined ? undefined : altNames[i]',
  ];
  // Two unpackers: links read without statistics (every dump unless asked) keep the shape and
  // cost they had before statistics existed; with them, NaN in the first counter marks a link
  // that came without.
  // Each link's slice of the statistics array: its own counters, then IPv6's, then ICMPv6's.
  const literal = (list: SchemaFields, from: number): string =>
    `{ ${list
      .map(([name, type], i) =>
        type === 'optional'
          ? `${name}: (v = st[t + ${from + i}]) === v ? v : undefined`
          : `${name}: st[t + ${from + i}]`,
      )
      .join(', ')} }`;
  const width = stats.length + ipv6.length + icmp6.length;
  // NaN in a group's first counter: the link came without that group.
  const group = (name: string, list: SchemaFields, from: number): string =>
    `${name}: st[t + ${from}] !== st[t + ${from}] ? undefined : ${literal(list, from)}`;
  const make = (withStats: boolean) => {
    const counted = [
      group('stats', stats, 0),
      group('ipv6Stats', ipv6, stats.length),
      group('icmp6Stats', icmp6, stats.length + ipv6.length),
    ];
    const all = withStats ? [...fields, ...counted] : fields;
    const body = `
      const nums = p.nums, strs = p.strs.split('\\0'), infos = p.infos, slaveInfos = p.slaveInfos, altNames = p.altNames, st = p.stats;
      const n = nums.length / ${numbers.length};
      const out = new Array(n);
      let v;
      for (let i = 0, o = 0, s = 0, t = 0; i < n; i++, o += ${numbers.length}, s += ${strings.length}, t += ${width}) {
        out[i] = { ${all.join(', ')} };
      }
      return out;`;
    return new Function('p', body) as Unpack;
  };
  return { plain: make(false), counted: make(true) };
}

function unpack(results: RawResult[]): NativeResult[] {
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r === undefined) {
      // An ACK comes as a hole (the addon skips a store per ACK): made a real element, so that
      // callers handed the array (submit, batch) iterate it like any array.
      (results as unknown[])[i] = undefined;
    } else if (typeof r === 'object' && r !== null && 'packed' in r) {
      const links = unpackLinks(r);
      (results as NativeResult[])[i] = r.packed === 1 ? links[0] : links;
    }
  }
  return results as NativeResult[];
}

/**
 * addon.transact (on the JS thread), with requests flattened and links unpacked; undefined when
 * the namespace's socket is not open on this side (then {@link transactAsync} opens it).
 */
export function transact(handle: NativeHandle, list: NativeOp[]): NativeResult[] | undefined {
  const p = pack(list);
  let results: RawResult[] | undefined;
  try {
    results = addon.transact(handle, p.nums, p.count, p.refs);
  } finally {
    p.reset(); // drop the references to strings and handles
  }
  return results === undefined ? undefined : unpack(results);
}

/**
 * addon.transactAsync (on a worker thread): the results, how long the kernel took (µs), and how
 * many times interrupted dumps were run again.
 */
export async function transactAsync(
  handle: NativeHandle,
  list: NativeOp[],
): Promise<{ results: NativeResult[]; kernelUs: number; dumpRetries: number }> {
  const p = pack(list);
  let pending: ReturnType<typeof addon.transactAsync>;
  try {
    pending = addon.transactAsync(handle, p.nums, p.count, p.refs);
  } finally {
    p.reset();
  }
  const done = await pending;
  return { results: unpack(done.results), kernelUs: done.kernelUs, dumpRetries: done.dumpRetries };
}

/**
 * A monitor's batch as items in stream order (see {@link NativeEventBatch}): each event with its
 * object, unpacked like a dump's; overruns and fences where they happened.
 */
export function unpackEventBatch(batch: NativeEventBatch): NativeStreamItem[] {
  const { overrun, fence } = schema.events;
  const links = batch.links ? unpackLinks(batch.links) : [];
  const addresses = batch.addresses ?? [];
  const routes = batch.routes ?? [];
  const neighbours = batch.neighbours ?? [];
  const rules = batch.rules ?? [];
  const nexthops = batch.nexthops ?? [];
  const netconfs = batch.netconfs ?? [];
  const fences = batch.fences ?? [];
  let l = 0;
  let a = 0;
  let r = 0;
  let n = 0;
  let ru = 0;
  let nh = 0;
  let nc = 0;
  let f = 0;
  const out: NativeStreamItem[] = new Array(batch.codes.length);
  for (let i = 0; i < batch.codes.length; i++) {
    const code = batch.codes[i] as number;
    if (code === overrun) {
      out[i] = { type: 'overrun' };
    } else if (code === fence) {
      out[i] = { type: 'fence', seq: fences[f++] as number };
    } else {
      const kind = EVENT_KINDS[Math.floor((code - 1) / EVENT_ACTIONS.length)];
      const action = EVENT_ACTIONS[(code - 1) % EVENT_ACTIONS.length] as NativeEventAction;
      if (kind === 'link') out[i] = { type: 'event', kind, action, value: links[l++] as NativeLink };
      else if (kind === 'address') out[i] = { type: 'event', kind, action, value: addresses[a++] as NativeAddress };
      else if (kind === 'route') out[i] = { type: 'event', kind, action, value: routes[r++] as NativeRoute };
      else if (kind === 'neighbour')
        out[i] = { type: 'event', kind, action, value: neighbours[n++] as NativeNeighbour };
      else if (kind === 'rule') out[i] = { type: 'event', kind, action, value: rules[ru++] as NativeRule };
      else if (kind === 'nexthop')
        out[i] = { type: 'event', kind, action, value: nexthops[nh++] as NativeNexthopObject };
      else if (kind === 'netconf') out[i] = { type: 'event', kind, action, value: netconfs[nc++] as NativeNetconf };
      else throw internalError('read monitor events', `unknown event code ${code}`);
    }
  }
  return out;
}

/** The bit `addon.openMonitor` takes for a kind of event. */
export function eventKindBit(kind: NativeEventKind): number {
  return 1 << EVENT_KINDS.indexOf(kind);
}

export function isFailure(r: NativeResult): r is NativeFailure {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && 'errno' in r;
}
