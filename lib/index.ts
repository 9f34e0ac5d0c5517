/**
 * netns-native: Linux network namespaces, veth pairs, bridges, addresses and routes from
 * Node.js, over rtnetlink. No `ip` process is spawned.
 * @packageDocumentation
 */
export {
  Namespace,
  NETNS_RUN_DIR,
  StaleNamespace,
  type AttachOptions,
  type CreateOptions,
  type DeleteOptions,
  type LinksOptions,
  type ListOptions,
  type RoutesOptions,
} from './namespace';
export {
  Link,
  type AddAddressOptions,
  type DeleteAddressOptions,
  type LinkDeleteOptions,
  type LinkKindInfo,
  type LinkDetails,
  type LinkStats,
  type Ipv6Stats,
  type Icmp6Stats,
  type SetMasterOptions,
} from './link';
export type {
  BridgeMcastRouter,
  BridgePortInfo,
  BridgePortSettings,
  BridgePortState,
  BridgePortStp,
} from './bridge-port';
export type { AddrGenMode, LinkSettings } from './link-settings';
export type { LinkCreateLimits } from './link-create-limits';
export { VethPair, type VethInfo, type VethPairOptions } from './links/veth-pair';
export { Bridge, type BridgeInfo, type BridgeOptions } from './links/bridge';
export { Vxlan, MAX_VNI, type VxlanDf, type VxlanInfo, type VxlanOptions, type VxlanPortRange } from './links/vxlan';
export { Macvlan, Macvtap, type MacvlanInfo, type MacvlanMode, type MacvlanOptions } from './links/macvlan';
export { Tap, type TapInfo, type TapMode, type TapOptions } from './links/tap';
export { Ifb, type IfbInfo, type IfbOptions } from './links/ifb';
export type {
  FdbEntry,
  FdbSpec,
  Neighbour,
  NeighbourCacheInfo,
  NeighbourOptions,
  NeighbourSpec,
  NeighbourState,
  NeighboursOptions,
} from './neighbour';
export type { AddRuleOptions, DeleteRuleOptions, Rule, RuleAction, RuleSpec, RulesOptions } from './rule';
export type { EchoOption } from './echo';
export type { RuleFilter } from './rule-selectors';
export type {
  AddNexthopOptions,
  DeleteNexthopOptions,
  NexthopBucket,
  NexthopBucketsOptions,
  NexthopGroupMember,
  NexthopObject,
  NexthopObjectSpec,
  NexthopsOptions,
} from './nexthop';
export type { Netconf, NetconfOptions } from './netconf';
export type { MulticastAddress, MulticastAddressesOptions } from './multicast';
export type { NsidEntry, NsidsOptions } from './nsid';
export { NetnsError } from './internal/errors';
export type { Address, AddressesOptions } from './address';
export type {
  FlushAddressesOptions,
  FlushNeighboursOptions,
  FlushNexthopsOptions,
  FlushRoutesOptions,
  FlushRulesOptions,
  LinkFlushAddressesOptions,
} from './flush';
export type { AbortOptions } from './internal/abort';
export type {
  AddRouteOptions,
  DeleteRouteOptions,
  Nexthop,
  NexthopSpec,
  Route,
  RouteCacheFlag,
  RouteCacheInfo,
  RoutePreference,
  RouteSpec,
  RouteType,
} from './route';
export type { LockableMetric, RouteMetrics } from './route-metrics';
export type {
  IpRouteEncap,
  Ip6RouteEncap,
  MplsRouteEncap,
  OtherRouteEncap,
  RouteEncap,
  RouteEncapType,
  Seg6LocalAction,
  Seg6LocalRouteEncap,
  Seg6Mode,
  Seg6RouteEncap,
} from './route-encap';
export type { RouteLookup, RouteToOptions } from './route-lookup';
export {
  Monitor,
  type MonitorOptions,
  type MonitorEvent,
  type MonitorEventType,
  type MonitorAction,
  type LinkEvent,
  type AddressEvent,
  type RouteEvent,
  type NeighbourEvent,
  type RuleEvent,
  type NexthopEvent,
  type NetconfEvent,
  type ResyncEvent,
  type ResyncReason,
  type NamespaceDeletedEvent,
} from './monitor';
export type { PingOptions, PingReply, PingResult } from './process/ping';
export { listAllNamespaces, type NamespaceInfo, type NamespaceKind } from './process/proc';
export type { SpawnOptions, ExecOptions, ExecResult, NamespaceType } from './process/exec';
export type { ListenOptions, ConnectOptions, UdpBindOptions } from './process/sockets';
export {
  Network,
  type NetworkOptions,
  type NetworkConnectOptions,
  type NetworkRemoveOptions,
  type Endpoint,
} from './network/network';
export { DnsServer, type ServeDnsOptions } from './network/dns';
export type { AddressPool } from './network/ipam';
export { PublishedPort, type PublishOptions } from './network/published-port';
