import { isIP } from 'node:net';
import { checkSignal, type AbortOptions } from '../internal/abort';
import { invalid } from '../internal/errors';
import { checkBoolean, checkInteger, checkLinkName, checkMtu, parseIp, parseMac } from '../internal/validate';
import { Link, checkNamespaceArg, createLink, registerLinkKind } from '../link';
import { Namespace } from '../namespace';
import { checkCreateLimits, type LinkCreateLimits } from '../link-create-limits';
import type { NativeKindInfo, NativeLink, NativeLinkRequest } from '../native/surface';

/** The largest VXLAN network identifier: 24 bits. */
export const MAX_VNI = 0xffffff;

/** Options for {@link Vxlan.create}. */
export interface VxlanOptions extends AbortOptions, LinkCreateLimits {
  /** The VXLAN network identifier (`id`), 0 to 2^24-1. */
  vni: number;
  /**
   * Where the device lives. Default: the namespace of `device` when given (the underlay's),
   * else the one this process runs in. A device in another namespace than `namespace` is
   * allowed: the request goes to the device's namespace (where the UDP socket then lives) and
   * the new link is placed in `namespace`.
   */
  namespace?: Namespace;
  /** The source IP of the outer packets (`local`). */
  local?: string;
  /** A single remote VTEP (`remote`), unicast. Instead of it, fdb entries can name several. */
  remote?: string;
  /** A multicast group to flood to (`group`); needs `device`. */
  group?: string;
  /** The underlay link (`dev`): its MTU bounds this one's, a multicast group is joined on it. */
  device?: Link;
  /**
   * The UDP destination port (`dstport`), 1 to 65535. Default 4789, the IANA port (the kernel's
   * own default, when none is sent, is Linux's historical 8472).
   */
  port?: number;
  /**
   * The UDP source ports of the outer packets (`srcport LOW HIGH`), picked from a hash of the
   * inner flow; 1 to 65535, low <= high. Default: the kernel's (the namespace's local port
   * range).
   */
  portRange?: VxlanPortRange;
  /** Learn remote MACs from received packets (`learning`, the kernel's default) or not (`nolearning`). */
  learning?: boolean;
  /** TTL of the outer packets (`ttl`), 1 to 255; default 0: the kernel's (inherit from the route). */
  ttl?: number;
  /** TOS of the outer packets (`tos`), 0 to 255; 1 means inherit (`tos inherit`). */
  tos?: number;
  /** Compute UDP checksums on IPv4 outer packets (`udpcsum` / `noudpcsum`). Default: the kernel's (on). */
  udpChecksum?: boolean;
  /**
   * Send IPv6 outer packets with a zero UDP checksum (`udp6zerocsumtx`, RFC 6935), sparing the
   * sender the checksum. Default off: IPv6 requires a UDP checksum unless both ends agree.
   */
  udp6ZeroChecksumTx?: boolean;
  /** Accept IPv6 outer packets with a zero UDP checksum (`udp6zerocsumrx`). Default off: dropped. */
  udp6ZeroChecksumRx?: boolean;
  /** Seconds before a learned entry ages out (`ageing`). Default the kernel's, 300. */
  ageingSeconds?: number;
  /** MTU; default the kernel's (the device's MTU minus 50, or 1450). */
  mtu?: number;
  /** MAC address; default random. */
  mac?: string;
}

/** A range of UDP ports, both ends included (`srcport LOW HIGH`). */
export interface VxlanPortRange {
  low: number;
  high: number;
}

/** How the outer IPv4 header's DF bit is set (`df`): left clear, set, or copied from the inner one. */
export type VxlanDf = 'unset' | 'set' | 'inherit';

/** VXLAN_DF_UNSET (0), VXLAN_DF_SET (1), VXLAN_DF_INHERIT (2). */
const DF: readonly VxlanDf[] = ['unset', 'set', 'inherit'];

/**
 * What {@link Vxlan.info} reads back (`ip -d link show`); names as {@link VxlanOptions}.
 * `deviceIndex` is the index of the underlay link in the namespace where the device was made.
 */
export type VxlanInfo = {
  vni: number;
  port: number;
  learning: boolean;
  ttl: number;
  tos: number;
  udpChecksum: boolean;
  /** Zero UDP checksums on IPv6 outer packets: sent (`udp6zerocsumtx`), accepted (`udp6zerocsumrx`). */
  udp6ZeroChecksumTx: boolean;
  udp6ZeroChecksumRx: boolean;
  local?: string;
  remote?: string;
  group?: string;
  deviceIndex?: number;
  ageingSeconds?: number;
  /** Answer ARP requests from the fdb (`proxy`). */
  proxy: boolean;
  /** Report unknown MACs / IPs to user space (`l2miss`, `l3miss`). */
  l2miss: boolean;
  l3miss: boolean;
  /** The most fdb entries (`maxaddress`), 0 for no limit. */
  limit: number;
  /** The UDP source ports (`srcport LOW HIGH`). */
  portRange?: VxlanPortRange;
  /** Collect metadata (`external`): the tunnel's ends come from each packet's metadata (eBPF, OVS). */
  external: boolean;
  /** Per-VNI filtering (`vnifilter`): an `external` device that serves the VNIs `bridge vni` lists. */
  vniFilter: boolean;
  /** Route short-circuiting (`rsc`). */
  rsc: boolean;
  /** Remote checksum offload, sent (`remcsumtx`) and received (`remcsumrx`). */
  remoteChecksumTx: boolean;
  remoteChecksumRx: boolean;
  /** The Group Based Policy extension (`gbp`) and the Generic Protocol Extension (`gpe`). */
  gbp: boolean;
  gpe: boolean;
  /** The outer TTL is copied from the inner packet (`ttl inherit`). */
  ttlInherit: boolean;
  /** The outer IPv4 header's DF bit (`df`). */
  df?: VxlanDf;
  /** The IPv6 flow label of the outer packets (`flowlabel`), 0 for none. */
  flowLabel: number;
};

function isMulticast(ip: string): boolean {
  if (isIP(ip) === 4) return Number(ip.split('.')[0]) >= 224 && Number(ip.split('.')[0]) <= 239;
  return ip.toLowerCase().startsWith('ff');
}

function vxlanInfo(state: NativeLink): VxlanInfo {
  const d = (state.info ?? {}) as NativeKindInfo & Record<string, number | string | boolean | undefined>;
  const info: VxlanInfo = {
    vni: Number(d.vni ?? 0),
    port: Number(d.port ?? 0),
    learning: Number(d.learning ?? 0) !== 0,
    ttl: Number(d.ttl ?? 0),
    tos: Number(d.tos ?? 0),
    udpChecksum: Number(d.udpCsum ?? 0) !== 0,
    udp6ZeroChecksumTx: Number(d.udpZeroCsum6Tx ?? 0) !== 0,
    udp6ZeroChecksumRx: Number(d.udpZeroCsum6Rx ?? 0) !== 0,
    proxy: Number(d.proxy ?? 0) !== 0,
    l2miss: Number(d.l2miss ?? 0) !== 0,
    l3miss: Number(d.l3miss ?? 0) !== 0,
    limit: Number(d.limit ?? 0),
    external: Number(d.collectMetadata ?? 0) !== 0,
    vniFilter: Number(d.vnifilter ?? 0) !== 0,
    rsc: Number(d.rsc ?? 0) !== 0,
    remoteChecksumTx: Number(d.remcsumTx ?? 0) !== 0,
    remoteChecksumRx: Number(d.remcsumRx ?? 0) !== 0,
    gbp: d.gbp === true,
    gpe: d.gpe === true,
    ttlInherit: Number(d.ttlInherit ?? 0) !== 0,
    flowLabel: Number(d.label ?? 0),
  };
  // IFLA_VXLAN_PORT_RANGE: low << 16 | high (native/rtnl/link/vxlan.cc).
  if (typeof d.portRange === 'number') info.portRange = { low: d.portRange >>> 16, high: d.portRange & 0xffff };
  if (typeof d.df === 'number' && DF[d.df] !== undefined) info.df = DF[d.df];
  if (typeof d.local === 'string') info.local = d.local;
  if (typeof d.group === 'string') {
    if (isMulticast(d.group)) info.group = d.group;
    else info.remote = d.group;
  }
  if (d.link !== undefined && Number(d.link) !== 0) info.deviceIndex = Number(d.link);
  if (d.ageing !== undefined) info.ageingSeconds = Number(d.ageing);
  return info;
}

/** A source port range as IFLA_VXLAN_PORT_RANGE on the addon's surface (low << 16 | high), checked. */
function portRange(range: unknown, where: string): number {
  if (typeof range !== 'object' || range === null) {
    throw invalid(where, 'portRange must be an object { low, high }');
  }
  const { low, high } = range as Record<string, unknown>;
  const lo = checkInteger(low, where, 'the low end of portRange', 1, 65535);
  const hi = checkInteger(high, where, 'the high end of portRange', 1, 65535);
  if (lo > hi) throw invalid(where, `portRange's low end ${lo} is above its high end ${hi}`);
  return lo * 0x10000 + hi;
}

/**
 * A VXLAN device: Ethernet frames carried in UDP between hosts (VTEPs), what Docker's overlay
 * network and flannel build on. Put it in a bridge with the local containers and tell it where
 * the other hosts are, with `remote`, a multicast `group`, or fdb entries (`addFdb`).
 * `ip link add NAME type vxlan id VNI ...`.
 *
 * @example
 * ```ts
 * // ip link add vxlan42 type vxlan id 42 local 198.18.100.1 dstport 4789 dev eth0 nolearning
 * const vx = await Vxlan.create('vxlan42', { vni: 42, local: '198.18.100.1', port: 4789, device: eth0, learning: false });
 * // bridge fdb append 00:00:00:00:00:00 dev vxlan42 dst 198.18.100.2
 * await vx.addFdb({ mac: '00:00:00:00:00:00', destination: '198.18.100.2' });
 * ```
 */
export class Vxlan extends Link {
  /**
   * Creates a VXLAN device (down, as every new link).
   * @throws NetnsError EINVAL for a VNI beyond 2^24-1, port 0, a port range out of order,
   *   addresses of mixed families, a unicast `group` or a multicast `remote` (before any syscall); EEXIST if the name is taken;
   *   ENODEV if `device` no longer exists; EADDRINUSE if another VXLAN device with the same VNI
   *   and port exists in that namespace.
   */
  static async create(name: string, options: VxlanOptions): Promise<Vxlan> {
    const operation = `create vxlan "${String(name)}"`;
    checkLinkName(name, operation);
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    const device = options.device;
    if (device !== undefined && !(device instanceof Link)) throw invalid(operation, 'device must be a Link');
    const ns = options.namespace ?? device?.namespace ?? Namespace.current();
    checkNamespaceArg(ns, operation);
    const where = `${operation}${ns.where}`;
    const info: NativeKindInfo = { vni: checkInteger(options.vni, where, 'the VNI', 0, MAX_VNI) };
    let family: 4 | 6 | undefined;
    const address = (text: string | undefined, what: string): string | undefined => {
      if (text === undefined) return undefined;
      const ip = parseIp(text, where, what);
      if (family !== undefined && ip.family !== family) {
        throw invalid(where, `the ${what} ${ip.address} is IPv${ip.family} but the other addresses are IPv${family}`);
      }
      family = ip.family;
      return ip.address;
    };
    const local = address(options.local, 'local address');
    const remote = address(options.remote, 'remote address');
    const group = address(options.group, 'multicast group');
    if (remote !== undefined && group !== undefined) throw invalid(where, 'give either a remote or a group, not both');
    if (remote !== undefined && isMulticast(remote)) {
      throw invalid(where, `the remote ${remote} is a multicast address: give it as group`);
    }
    if (group !== undefined && !isMulticast(group)) {
      throw invalid(where, `the group ${group} is not a multicast address: give it as remote`);
    }
    if (group !== undefined && device === undefined) throw invalid(where, 'a multicast group needs a device');
    if (local !== undefined && isMulticast(local)) throw invalid(where, `the local address ${local} is multicast`);
    if (device !== undefined) info.link = device.index;
    if (local !== undefined) info.local = local;
    if (remote !== undefined || group !== undefined) info.group = remote ?? group;
    if (options.ttl !== undefined) info.ttl = checkInteger(options.ttl, where, 'the TTL', 0, 255);
    if (options.tos !== undefined) info.tos = checkInteger(options.tos, where, 'the TOS', 0, 255);
    if (options.learning !== undefined) {
      info.learning = checkBoolean(options.learning, where, 'learning') ? 1 : 0;
    }
    if (options.ageingSeconds !== undefined) {
      info.ageing = checkInteger(options.ageingSeconds, where, 'ageingSeconds', 0, 0xffffffff);
    }
    info.port = checkInteger(options.port ?? 4789, where, 'the port', 1, 65535);
    if (options.portRange !== undefined) info.portRange = portRange(options.portRange, where);
    // udpcsum, udp6zerocsumtx, udp6zerocsumrx: each sent only when given, as ip sends them.
    for (const [option, attr] of [
      ['udpChecksum', 'udpCsum'],
      ['udp6ZeroChecksumTx', 'udpZeroCsum6Tx'],
      ['udp6ZeroChecksumRx', 'udpZeroCsum6Rx'],
    ] as const) {
      const value = options[option];
      if (value === undefined) continue;
      info[attr] = checkBoolean(value, where, option) ? 1 : 0;
    }
    const link: NativeLinkRequest = { name, kind: 'vxlan', info, ...checkCreateLimits(options, where) };
    if (options.mtu !== undefined) link.mtu = checkMtu(options.mtu, where);
    if (options.mac !== undefined) link.address = parseMac(options.mac, where);
    const signal = checkSignal(options.signal, where);
    const plan = {
      link,
      namespace: ns,
      operation: where,
      signal,
      ...(device && { via: device.namespace, parent: device }),
    };
    return (await createLink(plan)) as Vxlan;
  }

  /** What the kernel says about this VXLAN device, as last read (`ip -d link show`). */
  override get info(): VxlanInfo {
    return vxlanInfo(this.state);
  }

  /** The VXLAN network identifier, as last read. */
  get vni(): number {
    return this.info.vni;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), vni: this.vni, port: this.info.port };
  }
}

registerLinkKind('vxlan', Vxlan, vxlanInfo);
