/**
 * netns-native: Linux network namespaces, veth pairs, bridges, addresses and routes from
 * Node.js, over rtnetlink. No `ip` process is spawned.
 * @packageDocumentation
 */
export { Namespace, NETNS_RUN_DIR, type RoutesOptions } from './namespace';
export { Link, type AddAddressOptions } from './link';
export { VethPair, type VethPairOptions } from './links/veth-pair';
export { Bridge, type BridgeOptions } from './links/bridge';
export { NetnsError } from './internal/errors';
export type { Address } from './address';
export type { Route, RouteSpec, RouteType } from './route';
export {
  Monitor,
  type MonitorOptions,
  type MonitorEvent,
  type MonitorEventType,
  type MonitorAction,
  type LinkEvent,
  type AddressEvent,
  type RouteEvent,
  type ResyncEvent,
  type ResyncReason,
  type NamespaceDeletedEvent,
} from './monitor';
export type { PingOptions, PingReply, PingResult } from './process/ping';
export { listAllNamespaces, type NamespaceInfo, type NamespaceKind } from './process/proc';
export type { SpawnOptions, ExecOptions, ExecResult, NamespaceType } from './process/exec';
export type { ListenOptions, ConnectOptions, UdpBindOptions } from './process/sockets';
