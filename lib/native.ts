/**
 * The only file that loads the addon, and the typed declaration of its private surface.
 *
 * The addon speaks the kernel's vocabulary (ifinfomsg flags, AF_* families, RT_* constants);
 * the public classes translate to and from the user's. Nothing here is exported to users.
 * @internal
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** An open network namespace inside the addon: its fd and the netlink sockets opened in it. */
export interface NativeHandle {
  readonly __brand: 'NativeHandle';
}

/** A failed request: the errno, and the kernel's extended-ack text when it gave one. */
export interface NativeFailure {
  errno: number;
  detail?: string;
  syscall?: string;
  badOffset?: number;
}

/** IFLA_INFO_DATA of a bridge. Times in centiseconds (USER_HZ), as iproute2 shows them. */
export interface NativeBridgeAttrs {
  stpState?: number;
  vlanFiltering?: number;
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  priority?: number;
  defaultPvid?: number;
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
  bridge?: NativeBridgeAttrs;
  /** veth peer */
  peer?: NativeLinkRequest;
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
  kind: string;
  slaveKind: string;
  alias: string;
  qdisc: string;
  bridge?: NativeBridgeAttrs;
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
  validLft: number;
  preferredLft: number;
}

export interface NativeRouteRequest {
  family: number;
  dstLen: number;
  table?: number;
  protocol?: number;
  scope?: number;
  type?: number;
  flags?: number;
  dst?: string;
  gateway?: string;
  prefsrc?: string;
  oif?: number;
  priority?: number;
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
  gateway?: string;
  prefsrc?: string;
  priority?: number;
}

/** One rtnetlink request. Several can run in one call (and go out in one sendmsg). */
export type NativeOp =
  | { op: 'newlink'; flags?: number; link: NativeLinkRequest }
  | { op: 'dellink'; index?: number; name?: string }
  | { op: 'dellinkgroup'; group: number }
  | { op: 'getlink'; index?: number; name?: string }
  | { op: 'dumplinks'; master?: number; kind?: string }
  | { op: 'newaddr'; flags?: number; address: NativeAddressRequest }
  | { op: 'deladdr'; address: NativeAddressRequest }
  | { op: 'dumpaddrs'; family?: number; index?: number }
  | { op: 'newroute'; flags?: number; route: NativeRouteRequest }
  | { op: 'delroute'; route: NativeRouteRequest }
  | { op: 'dumproutes'; family?: number; table?: number };

/** Per operation: undefined (an ACK), a link (getlink), an array (dumps), or a failure. */
export type NativeResult = undefined | NativeLink | NativeLink[] | NativeAddress[] | NativeRoute[] | NativeFailure;

export interface NativeOpened {
  handle: NativeHandle;
  inode: bigint;
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

export interface Addon {
  /** The JS thread's own namespace: fd and socket opened synchronously (no switching needed). */
  currentNamespace(): NativeOpened;
  /** On the namespace thread: `ip netns add` (name given) or an anonymous namespace (null). */
  createNamespace(runDir: string, name: string | null): Promise<NativeOpened>;
  /** On the namespace thread: open an nsfs path, check it is a network namespace. */
  openNamespace(path: string): Promise<NativeOpened>;
  /**
   * On the namespace thread: `ip netns del` (unmount + unlink). Idempotent. With `inode`, only
   * if the name still refers to that namespace.
   */
  deleteNamespace(runDir: string, name: string, inode?: bigint): Promise<void>;
  /** Releases the fd and sockets (once in-flight work on them is done). */
  closeNamespace(handle: NativeHandle): void;
  /** The namespace fd, or -1 once closed. */
  namespaceFd(handle: NativeHandle): number;
  threadStats(): { namespaceThreadsRetired: number; homeInode: bigint };

  /** Runs requests on the JS thread: for requests the kernel completes without sleeping. Links
   *  come back packed: use {@link transact}, which unpacks them. */
  transact(handle: NativeHandle, ops: FlatOps): RawResult[];
  /** Runs requests on a worker thread: for requests that may sleep (deletes, moves, dumps). */
  transactAsync(handle: NativeHandle, ops: FlatOps): Promise<RawResult[]>;

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
 * Links as the addon returns them (native/addon/convert.cc, LinksToJs): per link, 16 numbers
 * in `nums` and 7 NUL-terminated strings in `strs`, in the order {@link unpackLinks} reads
 * them; `bridges[i]` for bridges only. N-API builds objects one property at a time, which
 * made a dump of 1,000 links cost ~10 µs a link; V8 builds these literals far faster.
 */
export interface PackedLinks {
  /** 1: the result of a getlink (one link or none); 2: of a dump (a list). */
  packed: 1 | 2;
  nums: Float64Array;
  strs: string;
  bridges?: Array<NativeBridgeAttrs | undefined>;
}

export type RawResult = Exclude<NativeResult, NativeLink | NativeLink[]> | PackedLinks;

const LINK_NUMBERS = 16;
const LINK_STRINGS = 7;

export function unpackLinks(p: PackedLinks): NativeLink[] {
  const { nums, bridges } = p;
  const strs = p.strs.split('\0');
  const n = nums.length / LINK_NUMBERS;
  const out = new Array<NativeLink>(n);
  for (let i = 0, o = 0, s = 0; i < n; i++, o += LINK_NUMBERS, s += LINK_STRINGS) {
    const link: NativeLink = {
      index: nums[o] as number,
      type: nums[o + 1] as number,
      flags: nums[o + 2] as number,
      name: strs[s] as string,
      mtu: nums[o + 3] as number,
      minMtu: nums[o + 4] as number,
      maxMtu: nums[o + 5] as number,
      group: nums[o + 6] as number,
      txqlen: nums[o + 7] as number,
      promiscuity: nums[o + 8] as number,
      numTxQueues: nums[o + 9] as number,
      numRxQueues: nums[o + 10] as number,
      address: strs[s + 1] as string,
      broadcast: strs[s + 2] as string,
      operstate: nums[o + 11] as number,
      carrier: nums[o + 12] as number,
      master: nums[o + 13] as number,
      link: nums[o + 14] as number,
      kind: strs[s + 3] as string,
      slaveKind: strs[s + 4] as string,
      alias: strs[s + 5] as string,
      qdisc: strs[s + 6] as string,
    };
    const netnsid = nums[o + 15] as number;
    if (netnsid === netnsid) link.linkNetnsid = netnsid; // NaN: none
    const bridge = bridges?.[i];
    if (bridge) link.bridge = bridge;
    out[i] = link;
  }
  return out;
}

function unpack(results: RawResult[]): NativeResult[] {
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (typeof r === 'object' && r !== null && 'packed' in r) {
      const links = unpackLinks(r);
      (results as NativeResult[])[i] = r.packed === 1 ? links[0] : links;
    }
  }
  return results as NativeResult[];
}

/**
 * Requests cross to the addon flattened into one array, the way native/addon/convert.cc reads
 * them: per operation its code, then its fields in a fixed order; a nested request (a link, an
 * address, a route, a bridge) starts with a bit mask of the fields present, and only those
 * follow. Reading a request object key by key through N-API cost ~20,000 instructions for an
 * MTU change, most of a cheap request's time; this costs a few hundred.
 */
export type FlatOps = Array<number | string | NativeHandle | undefined>;

const OP_CODES = {
  newlink: 1,
  dellink: 2,
  dellinkgroup: 3,
  getlink: 4,
  dumplinks: 5,
  newaddr: 6,
  deladdr: 7,
  dumpaddrs: 8,
  newroute: 9,
  delroute: 10,
  dumproutes: 11,
} as const;

// Field order of each nested request: bit i of the mask says field i follows.
const LINK_FIELDS = [
  'index',
  'name',
  'kind',
  'flags',
  'change',
  'mtu',
  'txqlen',
  'group',
  'address',
  'master',
  'netns',
  'alias',
  'newName',
  'bridge',
  'peer',
] as const;
const BRIDGE_FIELDS = [
  'stpState',
  'vlanFiltering',
  'forwardDelay',
  'helloTime',
  'maxAge',
  'ageingTime',
  'priority',
  'defaultPvid',
] as const;
const ADDRESS_FIELDS = [
  'local',
  'prefixlen',
  'index',
  'peer',
  'broadcast',
  'label',
  'scope',
  'flags',
  'metric',
] as const;
const ROUTE_FIELDS = [
  'family',
  'dstLen',
  'table',
  'protocol',
  'scope',
  'type',
  'flags',
  'dst',
  'gateway',
  'prefsrc',
  'oif',
  'priority',
] as const;

function putFields(out: FlatOps, o: object, fields: readonly string[], nested?: (k: string, v: unknown) => boolean) {
  const at = out.length;
  out.push(0);
  let mask = 0;
  for (let i = 0; i < fields.length; i++) {
    const k = fields[i] as string;
    const v = (o as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    mask |= 1 << i;
    if (!nested?.(k, v)) out.push(v as number | string | NativeHandle);
  }
  out[at] = mask;
}

function putLink(out: FlatOps, link: NativeLinkRequest): void {
  putFields(out, link, LINK_FIELDS, (k, v) => {
    if (k === 'bridge') putFields(out, v as object, BRIDGE_FIELDS);
    else if (k === 'peer') putLink(out, v as NativeLinkRequest);
    else return false;
    return true;
  });
}

/** Flattens operation descriptors for the addon (see {@link FlatOps}). */
export function flatten(ops: NativeOp[]): FlatOps {
  const out: FlatOps = [];
  for (const op of ops) {
    const code = OP_CODES[op.op] as number | undefined;
    if (code === undefined) throw new TypeError(`netns-native internal: unknown operation '${String(op.op)}'`);
    out.push(code);
    switch (op.op) {
      case 'newlink':
        out.push(op.flags ?? 0);
        putLink(out, op.link);
        break;
      case 'dellink':
      case 'getlink':
        out.push(op.index ?? 0, op.name);
        break;
      case 'dellinkgroup':
        out.push(op.group);
        break;
      case 'dumplinks':
        out.push(op.master ?? 0, op.kind);
        break;
      case 'newaddr':
        out.push(op.flags ?? 0);
        putFields(out, op.address, ADDRESS_FIELDS);
        break;
      case 'deladdr':
        putFields(out, op.address, ADDRESS_FIELDS);
        break;
      case 'dumpaddrs':
        out.push(op.family ?? 0, op.index ?? 0);
        break;
      case 'newroute':
        out.push(op.flags ?? 0);
        putFields(out, op.route, ROUTE_FIELDS);
        break;
      case 'delroute':
        putFields(out, op.route, ROUTE_FIELDS);
        break;
      case 'dumproutes':
        out.push(op.family ?? 0, op.table ?? 0);
        break;
    }
  }
  return out;
}

/** addon.transact, with requests flattened and links unpacked. */
export function transact(handle: NativeHandle, ops: NativeOp[]): NativeResult[] {
  return unpack(addon.transact(handle, flatten(ops)));
}

/** addon.transactAsync, with requests flattened and links unpacked. */
export async function transactAsync(handle: NativeHandle, ops: NativeOp[]): Promise<NativeResult[]> {
  return unpack(await addon.transactAsync(handle, flatten(ops)));
}

// node-gyp-build looks in build/Release first, then prebuilds/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as ((dir: string) => Addon) & { path(dir: string): string };

/** The addon, loaded from the package root (this file lives in dist/lib/ or lib/). */
export const addon: Addon = load(packageRoot());

/**
 * The directory the addon was loaded from (build/Release, or prebuilds/linux-x64 in the
 * package). The exec helper is built and shipped beside it.
 */
export function addonDirectory(): string {
  return path.dirname(load.path(packageRoot()));
}

function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.join(__dirname, '..');
  }
}

// Kernel ABI constants used by lib/ (linux/if.h, netlink.h, rtnetlink.h, socket.h).
export const AF_INET = 2;
export const AF_INET6 = 10;
export const IFF_UP = 0x1;
export const IFF_LOWER_UP = 0x10000;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const IFA_F_NODAD = 0x02;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const RTM_F_CLONED = 0x200;
export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTNH_F_ONLINK = 4;
// linux/sched.h: namespace types, as NS_GET_NSTYPE reports them.
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;

export function isFailure(r: NativeResult): r is NativeFailure {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && 'errno' in r;
}
