/**
 * The attachment, as the reference `bridge` plugin makes it (plugins/main/bridge in
 * containernetworking/plugins), over this library's primitives:
 *
 * - ADD: the bridge (created if missing, up, accept_ra 0), a veth born in the container under
 *   CNI_IFNAME with its peer ('veth' + 8 random hex digits) in the host namespace, attached to the
 *   bridge, up; the IPAM's addresses and routes inside the container (accept_dad 0, arp_notify 1),
 *   a default route when `isDefaultGateway`; the gateway address on the bridge when `isGateway`
 *   (and the bridge's MAC pinned), forwarding on; masquerade when `ipMasq`; the port isolated
 *   with `portIsolation`; only the container's MAC let in with `macspoofchk` (spoof-check.ts); the
 *   container's interface left down with `disableContainerInterface`. A failure part-way
 *   undoes what this call did (the veth, the reservations, the rules); the bridge stays, as it is
 *   shared.
 * - DEL: the container's interface deleted (which deletes the host end), the reservations
 *   released, the masquerade and the macspoofchk rules removed; a namespace or interface already
 *   gone is success. An IPAM that cannot run fails DEL only after the rest is done.
 * - CHECK: the previous result against the kernel: bridge, both veth ends and their pairing,
 *   the port's master, MACs, addresses and routes.
 * - GC: reservations, host veths and masquerades of attachments not in
 *   `cni.dev/valid-attachments`; STATUS: what ADD would need.
 *
 * The host end of each veth carries an alias, `netns-native-cni NETWORK CONTAINERID IFNAME`
 * (the container id hashed when the whole would not fit in the 254 bytes an alias takes, and the
 * network's name too when that would not fit either: vethMark), so
 * that GC can tell which attachment a veth belongs to: the reference plugin's veths have none and
 * are never touched.
 */
import * as fs from 'node:fs';
import { batch, request } from '../internal/dispatch';
import { NetnsError, fromNative } from '../internal/errors';
import { kHandle } from '../internal/symbols';
import { MAX_ALIAS_BYTES, ipFamily } from '../internal/validate';
import { broadcastOf } from '../address';
import { Link, makeLink } from '../link';
import { hairpinOn } from '../links/bridge';
import '../links/veth-pair';
import { Namespace } from '../namespace';
import { IFF_UP, NLM_F_CREATE, NLM_F_EXCL } from '../native/constants';
import { addon } from '../native/load';
import type { NativeHandle, NativeLink, NativeOp } from '../native/surface';
import { isFailure } from '../native/wire';
import { formatIp, parseIp } from '../network/ipam';
import { removeMasquerades, setMasquerades } from '../network/nat';
import { setupSpoofCheck, teardownSpoofCheck } from './spoof-check';
import type { BridgeConf } from './config';
import type { Attachment, Ipam } from './ipam';
import { CniCode, CniError, parseResult, type Call, type CniResult, type ResultIp, type ResultRoute } from './spec';

const IFF_PROMISC = 0x100;
const MARK = 'netns-native-cni';

/** A NetnsError (or anything else thrown by the library) as the runtime sees it. */
function asCni(e: unknown, what: string): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof NetnsError) return new CniError(CniCode.internal, `${what}: ${e.message}`);
  return new CniError(CniCode.internal, `${what}: ${(e as Error)?.message ?? String(e)}`);
}

/** node:crypto, loaded when first needed (a container id too long for the mark, a masquerade). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto = (): typeof import('node:crypto') => require('node:crypto') as typeof import('node:crypto');

/**
 * `n` random bytes in hex, from the kernel's generator (as the reference's Go crypto/rand), read
 * from /dev/urandom: node:crypto would cost an ADD ~3 ms of start-up (it loads ~35 modules,
 * the stream modules among them) for four bytes.
 */
function randomHex(n: number): string {
  const bytes = Buffer.alloc(n);
  let fd: number | undefined;
  try {
    fd = fs.openSync('/dev/urandom', 'r');
    if (fs.readSync(fd, bytes, 0, n, null) === n) return bytes.toString('hex');
  } catch {
    // no /dev/urandom in this mount namespace: node:crypto below
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return crypto().randomBytes(n).toString('hex');
}

function sha(text: string, chars: number): string {
  return crypto().createHash('sha256').update(text).digest('hex').slice(0, chars);
}

/**
 * The alias marking a host veth as this attachment's: whole when it fits the 254 bytes an alias
 * takes, else with the container id hashed, else (a long network name, which CNI allows) with the
 * network's name hashed too, which always fits (176 bytes at most). The first two are the forms
 * earlier versions wrote, kept as they were so that GC still knows their veths; the third is used
 * only where they did not fit (the kernel refused the alias, ERANGE, and the ADD failed).
 */
export function vethMark(network: string, containerId: string, ifName: string): string {
  const whole = `${MARK} ${network} ${containerId} ${ifName}`;
  if (Buffer.byteLength(whole) <= MAX_ALIAS_BYTES) return whole;
  const id = `sha256:${sha(containerId, 64)}`;
  const hashedId = `${MARK} ${network} ${id} ${ifName}`;
  if (Buffer.byteLength(hashedId) <= MAX_ALIAS_BYTES) return hashedId;
  return `${MARK} sha256:${sha(network, 64)} ${id} ${ifName}`;
}

/** How the marks of `network`'s veths begin: its name, or its hash (no network name holds a ':'). */
function networkMarkPrefixes(network: string): [string, string] {
  return [`${MARK} ${network} `, `${MARK} sha256:${sha(network, 64)} `];
}

/** The tag of this attachment's masquerade rules (nat.ts writes `nn masq TAG`). */
export function masqTag(network: string, containerId: string, ifName: string): string {
  return `${sha(network, 12)} ${sha(`${containerId}\0${ifName}`, 24)}`;
}

/** The container's namespace; the spec's codes when it cannot be used. */
async function openContainer(netns: string, host: Namespace): Promise<Namespace> {
  let ns: Namespace;
  try {
    ns = await Namespace.fromPath(netns);
  } catch (e) {
    const code = e instanceof NetnsError ? e.code : '';
    throw new CniError(
      code === 'ENOENT' ? CniCode.unknownContainer : code === 'EINVAL' ? CniCode.invalidNetns : CniCode.internal,
      `failed to open netns "${netns}": ${(e as Error).message}`,
    );
  }
  if (ns.inode === host.inode) {
    throw new CniError(CniCode.invalidNetns, "plugin's netns and netns from CNI_NETNS should not be the same");
  }
  return ns;
}

/** Writes a sysctl of the plugin's own (host) namespace; failures ignored, as the reference does. */
function hostSysctl(key: string, value: string): void {
  try {
    const file = `/proc/sys/net/${key}`;
    if (fs.readFileSync(file, 'utf8').trim() !== value) fs.writeFileSync(file, value);
  } catch {
    // no IPv6, or the interface is gone: nothing to do
  }
}

function hostSysctlStrict(key: string, value: string): void {
  const file = `/proc/sys/net/${key}`;
  try {
    if (fs.readFileSync(file, 'utf8').trim() !== value) fs.writeFileSync(file, value);
  } catch (e) {
    throw new CniError(CniCode.internal, `failed to enable forwarding: cannot write ${file}: ${(e as Error).message}`);
  }
}

/**
 * The bridge, created when missing (with `mtu`), promiscuous if asked, up; accept_ra 0. Returns
 * its index. EEXIST is fine; a link of that name that is not a bridge is an error.
 */
async function ensureBridge(handle: NativeHandle, conf: BridgeConf): Promise<NativeLink> {
  const operation = `create bridge "${conf.bridge}"`;
  const link: NativeOp = {
    op: 'newlink',
    flags: NLM_F_CREATE | NLM_F_EXCL,
    link: { name: conf.bridge, kind: 'bridge', ...(conf.mtu !== undefined && { mtu: conf.mtu }) },
  };
  const [created, read] = await batch(handle, [link, { op: 'getlink', name: conf.bridge }], operation, 'link-create');
  if (created !== undefined && isFailure(created) && created.errno !== 17 /* EEXIST */) {
    throw asCni(fromFailure(created, operation), `failed to create bridge "${conf.bridge}"`);
  }
  if (read === undefined || isFailure(read)) {
    throw new CniError(CniCode.internal, `failed to create bridge "${conf.bridge}": could not lookup "${conf.bridge}"`);
  }
  const br = read as NativeLink;
  if (br.kind !== 'bridge') {
    throw new CniError(
      CniCode.internal,
      `failed to create bridge "${conf.bridge}": "${conf.bridge}" already exists but is not a bridge`,
    );
  }
  const flags = IFF_UP | (conf.promiscMode ? IFF_PROMISC : 0);
  if ((br.flags & flags) !== flags) {
    await request(handle, { op: 'newlink', link: { index: br.index, flags, change: flags } }, operation, 'link');
  }
  hostSysctl(`ipv6/conf/${conf.bridge}/accept_ra`, '0');
  return br;
}

function fromFailure(f: unknown, operation: string): NetnsError {
  return fromNative(f, operation, 'link');
}

/** The veth's two ends, as created and read back. */
interface Veth {
  container: Link;
  host: Link;
}

/**
 * The veth: CNI_IFNAME in the container, a free random 'vethXXXXXXXX' in the host namespace, one
 * request on the container's socket (the peer placed with IFLA_NET_NS_FD) and a read of each end.
 * Both ends get IFLA_TXQLEN 0, as the reference's netlink library sends it (veths have no queue:
 * noqueue, so the length is only what `ip link` shows); `mtu` and the MAC when configured.
 */
async function createVeth(container: Namespace, host: Namespace, call: Call, conf: BridgeConf): Promise<Veth> {
  const handle = await container[kHandle]('create veth');
  const hostHandle = await host[kHandle]('create veth');
  for (let attempt = 0; ; attempt++) {
    const peerName = `veth${randomHex(4)}`;
    const operation = `create veth "${call.ifName}" (peer "${peerName}")`;
    const mtu = conf.mtu !== undefined ? { mtu: conf.mtu } : {};
    const create: NativeOp = {
      op: 'newlink',
      flags: NLM_F_CREATE | NLM_F_EXCL,
      link: {
        name: call.ifName,
        kind: 'veth',
        txqlen: 0,
        ...mtu,
        ...(conf.mac !== undefined && { address: conf.mac }),
        info: { peer: { name: peerName, netns: hostHandle, txqlen: 0, ...mtu } },
      },
    };
    const [created, local] = await batch(
      handle,
      [create, { op: 'getlink', name: call.ifName }],
      operation,
      'link-create',
    );
    if (created !== undefined && isFailure(created)) {
      if (created.errno === 17 /* EEXIST */) {
        const taken = await container.link(call.ifName).then(
          () => true,
          () => false,
        );
        if (taken) throw new CniError(CniCode.internal, `container veth name provided (${call.ifName}) already exists`);
        if (attempt < 10) continue;
      }
      throw asCni(fromFailure(created, operation), 'failed to make veth pair');
    }
    const peer = await batch(hostHandle, [{ op: 'getlink', name: peerName }], operation, 'link');
    if (local === undefined || isFailure(local) || peer[0] === undefined || isFailure(peer[0])) {
      await request(handle, { op: 'dellink', name: call.ifName }, operation, 'link').catch(() => undefined);
      throw new CniError(
        CniCode.internal,
        `failed to make veth pair: "${call.ifName}" was removed right after it was created`,
      );
    }
    return { container: makeLink(container, local as NativeLink), host: makeLink(host, peer[0] as NativeLink) };
  }
}

/** `ip` text of a CIDR with the address kept (Go's IPNet.String of an address). */
function splitCidr(cidr: string, what: string): { address: string; prefix: number; family: 4 | 6 } {
  const slash = cidr.indexOf('/');
  const ip = slash < 0 ? undefined : parseIp(cidr.slice(0, slash));
  const prefix = Number(cidr.slice(slash + 1));
  if (ip === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (ip.family === 4 ? 32 : 128)) {
    throw new CniError(CniCode.decodingFailure, `${what}: ${JSON.stringify(cidr)} is not an address in CIDR form`);
  }
  return { address: formatIp(ip), prefix, family: ip.family };
}

/** The network of an address: its host bits cleared. */
function networkOf(address: string, prefix: number): string {
  const ip = parseIp(address) as { family: 4 | 6; value: bigint };
  const bits = BigInt((ip.family === 4 ? 32 : 128) - prefix);
  return `${formatIp({ family: ip.family, value: (ip.value >> bits) << bits })}/${prefix}`;
}

/**
 * Each address's gateway is of its family. host-local's configuration is checked for it when read
 * (host-local.ts); this catches a delegated IPAM that gives one of the other family, which the
 * reference would put on the bridge with the address's prefix (docs/cni.md says why not).
 * @throws CniError 7, before anything is made (ADD then releases the reservation).
 */
function checkGatewayFamilies(ips: ResultIp[], ipamType: string): void {
  for (const ip of ips) {
    if (ip.gateway === undefined) continue;
    const family = ipFamily(ip.address.split('/')[0] as string);
    if (family !== 0 && ipFamily(ip.gateway) !== family) {
      throw new CniError(
        CniCode.invalidNetworkConfig,
        `IPAM plugin "${ipamType}" returned the address ${ip.address} with the gateway ${ip.gateway}, which is not an IPv${family} address: a gateway must be of its address's family`,
      );
    }
  }
}

/**
 * The reference's calcGateways: each address on interface 2 (the container's); a gateway for
 * addresses without one when `isGateway` (the subnet's first address); one default route per
 * family through it when `isDefaultGateway` and the IPAM gave none; the gateway CIDRs to put on
 * the bridge.
 */
function gateways(
  ips: ResultIp[],
  routes: ResultRoute[],
  conf: BridgeConf,
): { ips: ResultIp[]; routes: ResultRoute[]; bridgeCidrs: string[] } {
  const outIps: ResultIp[] = [];
  const outRoutes = [...routes];
  const bridgeCidrs: string[] = [];
  const defaultFound = new Set<number>();
  for (const ip of ips) {
    const { address, prefix, family } = splitCidr(ip.address, 'IPAM address');
    const withGw: ResultIp = { interface: 2, address: ip.address, ...(ip.gateway && { gateway: ip.gateway }) };
    if (withGw.gateway === undefined && conf.isGateway) {
      const net = parseIp(networkOf(address, prefix).split('/')[0] as string) as { family: 4 | 6; value: bigint };
      withGw.gateway = formatIp({ family: net.family, value: net.value + 1n });
    }
    if (conf.isDefaultGateway && !defaultFound.has(family)) {
      const dst = family === 4 ? '0.0.0.0/0' : '::/0';
      if (!outRoutes.some((r) => r.gw !== undefined && r.dst === dst)) {
        outRoutes.push({ dst, ...(withGw.gateway && { gw: withGw.gateway }) });
      }
      defaultFound.add(family);
    }
    if (conf.isGateway && withGw.gateway) bridgeCidrs.push(`${withGw.gateway}/${prefix}`);
    outIps.push(withGw);
  }
  return { ips: outIps, routes: outRoutes, bridgeCidrs };
}

/** Addresses, up, routes: the reference's ConfigureIface, in one batch on the container's socket. */
async function configureContainer(
  container: Namespace,
  link: Link,
  ips: ResultIp[],
  routes: ResultRoute[],
  conf: BridgeConf,
  ifName: string,
): Promise<void> {
  const handle = await container[kHandle]('configure the container interface');
  // IPv6 duplicate address detection off unless asked (enabledad), and gratuitous ARP on address
  // changes, as the reference sets them.
  const sysctls: Array<[string, string]> = [[`ipv4/conf/${ifName}/arp_notify`, '1']];
  if (ips.some((ip) => ip.address.includes(':'))) {
    for (const dev of ['lo', ifName]) sysctls.push([`ipv6/conf/${dev}/disable_ipv6`, '0']);
  }
  if (conf.enableDad) sysctls.push([`ipv6/conf/${ifName}/enhanced_dad`, '1'], [`ipv6/conf/${ifName}/accept_dad`, '1']);
  else sysctls.push([`ipv6/conf/${ifName}/accept_dad`, '0']);
  for (const [key, value] of sysctls) {
    await addon.netSysctl(handle, key, value).catch(() => undefined);
  }
  const ops: NativeOp[] = [];
  let v4gw: string | undefined;
  let v6gw: string | undefined;
  for (const ip of ips) {
    const { address, prefix, family } = splitCidr(ip.address, 'address');
    // IPv4: the broadcast address too (the reference's netlink library adds it below /31, as
    // broadcastOf derives it).
    const broadcast = family === 4 ? broadcastOf(address, prefix) : undefined;
    ops.push({
      op: 'newaddr',
      flags: NLM_F_CREATE | NLM_F_EXCL,
      address: { local: address, prefixlen: prefix, index: link.index, ...(broadcast && { broadcast }) },
    });
    if (ip.gateway && ipFamily(ip.gateway) === 4) v4gw ??= ip.gateway;
    else if (ip.gateway) v6gw ??= ip.gateway;
  }
  ops.push({ op: 'newlink', link: { index: link.index, flags: IFF_UP, change: IFF_UP } });
  const operation = `configure "${ifName}" in the container`;
  const results = await batch(handle, ops, operation, 'address');
  results.forEach((r, i) => {
    if (isFailure(r))
      throw new CniError(
        CniCode.internal,
        `failed to add IP addr ${ips[i]?.address ?? ''} to "${ifName}": ${fromFailure(r, operation).message}`,
      );
  });
  // Routes after the link is up: a gateway must be reachable through an address's subnet.
  await Promise.all(
    routes.map(async (r) => {
      const dst = splitCidr(r.dst, 'route');
      const gw = r.gw ?? (dst.family === 4 ? v4gw : v6gw);
      try {
        await container.addRoute(
          { destination: `${dst.address}/${dst.prefix}`, link, ...(gw && { gateway: gw }) },
          { prepend: true }, // as the reference (RouteAddEcmp): a second attachment's route goes before the first
        );
      } catch (e) {
        throw new CniError(
          CniCode.internal,
          `failed to add route '${r.dst} via ${gw ?? '<nil>'} dev ${ifName}': ${(e as Error).message}`,
        );
      }
    }),
  );
}

/**
 * The gateway CIDR on the bridge (the reference's ensureAddr): there already is fine; another
 * address of the family (IPv4) or an overlapping one (IPv6) is replaced with `forceAddress`, else
 * an error. Adding it pins the bridge's MAC (else it follows the lowest port's) to the one it had
 * before this call's port, as the reference does. EEXIST from the add is success: another ADD
 * onto the same new bridge added it since the addresses were read (the MAC is pinned all the same).
 * Exported for the tests.
 */
export async function ensureGatewayAddress(
  bridge: Link,
  cidr: string,
  conf: BridgeConf,
  macBefore: string,
): Promise<void> {
  const want = splitCidr(cidr, 'gateway');
  const text = `${want.address}/${want.prefix}`;
  const existing = (await bridge.addresses()).filter((a) => a.family === want.family);
  for (const a of existing) {
    if (`${a.address}/${a.prefixLength}` === text) return;
    const overlaps =
      networkOf(a.address, Math.min(a.prefixLength, want.prefix)) ===
      networkOf(want.address, Math.min(a.prefixLength, want.prefix));
    if (want.family === 4 || overlaps) {
      if (!conf.forceAddress) {
        throw new CniError(
          CniCode.internal,
          `failed to set bridge addr: "${conf.bridge}" already has an IP address different from ${text}`,
        );
      }
      await bridge.deleteAddress(a); // exactly that one, a point-to-point peer included
    }
  }
  await bridge.addAddress(text, want.family === 4 ? { broadcast: true } : {}).catch((e: unknown) => {
    if (!(e instanceof NetnsError && e.code === 'EEXIST')) throw e;
  });
  // The MAC the bridge had before this call attached its port: adding the first port made the
  // kernel take the port's (the lowest of its ports'); setting one keeps it from moving again.
  await bridge.setMac(macBefore);
}

/** Waits until the host end is operationally up (the bridge forwards through a port only then). */
async function awaitPortUp(hostVeth: Link): Promise<void> {
  // The reference polls at 0, 50, 500, 1000 and 1000 ms; the same budget, polled more finely.
  const deadline = Date.now() + 2550;
  let delay = 1;
  for (;;) {
    const now = await hostVeth.refresh();
    if (now.operState === 'up') return;
    if (Date.now() > deadline) throw new CniError(CniCode.internal, `bridge port in error state: ${now.operState}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 50);
  }
}

/** ADD. */
export async function add(call: Call, conf: BridgeConf, ipam: Ipam | undefined): Promise<CniResult> {
  const host = Namespace.current();
  const hostHandle = await host[kHandle]('attach');
  const container = await openContainer(call.netns, host);
  let pair: Veth | undefined;
  let reserved = false;
  let masqueraded = false;
  let spoofChecked = false;
  try {
    if (ipam && conf.disableContainerInterface) {
      throw new CniError(CniCode.internal, 'cannot use IPAM when DisableContainerInterface flag is set');
    }
    // The addresses first: a full range, or an IPAM plugin that fails, leaves the kernel as it was.
    const ipamResult = ipam ? await ipam.add() : undefined;
    reserved = ipam !== undefined;
    if (ipam && ipamResult) checkGatewayFamilies(ipamResult.ips, ipam.type);
    const br = await ensureBridge(hostHandle, conf);
    if (ipam && ipamResult && ipamResult.ips.length === 0) {
      throw new CniError(CniCode.internal, 'IPAM plugin returned missing IP config');
    }
    pair = await createVeth(container, host, call, conf);
    const hostVeth = pair.host;
    // Attach, mark and bring up the host end; hairpin on the port if asked.
    const operation = `attach "${hostVeth.name}" to bridge "${conf.bridge}"`;
    const ops: NativeOp[] = [
      {
        op: 'newlink',
        link: { index: hostVeth.index, master: br.index, flags: IFF_UP, change: IFF_UP },
      },
      { op: 'newlink', link: { index: hostVeth.index, alias: vethMark(conf.name, call.containerId, call.ifName) } },
    ];
    if (conf.hairpinMode) {
      ops.push(hairpinOn(hostVeth.index));
    }
    if (conf.portIsolation) {
      ops.push({ op: 'newlink', link: { index: hostVeth.index, slaveKind: 'bridge', slaveInfo: { isolated: 1 } } });
    }
    const results = await batch(hostHandle, ops, operation, 'master');
    for (const r of results)
      if (isFailure(r))
        throw asCni(fromFailure(r, operation), `failed to connect "${hostVeth.name}" to bridge ${conf.bridge}`);
    hostSysctl(`ipv6/conf/${hostVeth.name}/accept_ra`, '0');
    if (conf.macSpoofChk) {
      spoofChecked = true;
      await setupSpoofCheck(host, hostVeth.name, pair.container.mac, call.containerId, call.ifName);
    }

    const result: CniResult = {
      cniVersion: call.cniVersion,
      interfaces: [
        { name: conf.bridge, mac: br.address },
        { name: hostVeth.name, mac: hostVeth.mac },
        { name: pair.container.name, mac: pair.container.mac, sandbox: call.netns },
      ],
      dns: conf.dns,
    };
    if (ipamResult) {
      const gw = gateways(ipamResult.ips, ipamResult.routes, conf);
      result.ips = gw.ips;
      result.routes = gw.routes;
      await configureContainer(container, pair.container, gw.ips, gw.routes, conf, call.ifName);
      await awaitPortUp(hostVeth);
      if (conf.isGateway) {
        const bridge = await host.link(conf.bridge);
        for (const cidr of gw.bridgeCidrs) await ensureGatewayAddress(bridge, cidr, conf, br.address);
        if (gw.bridgeCidrs.some((c) => !c.includes(':'))) hostSysctlStrict('ipv4/ip_forward', '1');
        if (gw.bridgeCidrs.some((c) => c.includes(':'))) hostSysctlStrict('ipv6/conf/all/forwarding', '1');
      }
      if (conf.ipMasq) {
        masqueraded = true;
        await setMasquerades(
          host,
          masqTag(conf.name, call.containerId, call.ifName),
          gw.ips.map((ip) => {
            const { address, prefix } = splitCidr(ip.address, 'address');
            return { source: address, subnet: networkOf(address, prefix) };
          }),
          `masquerade for ${call.containerId}`,
        );
      }
    } else if (!conf.disableContainerInterface) {
      await pair.container.up();
    }
    // The bridge's MAC may have changed with its first port or its address.
    const bridgeNow = await request<NativeLink>(
      hostHandle,
      { op: 'getlink', name: conf.bridge },
      'read the bridge',
      'link',
    );
    (result.interfaces as Array<{ mac?: string }>)[0]!.mac = bridgeNow.address;
    return result;
  } catch (e) {
    // Undo what this call did: the veth (both ends), the masquerade, the reservations.
    if (pair) await pair.container.delete().catch(() => undefined);
    if (spoofChecked) await teardownSpoofCheck(host, call.containerId, call.ifName).catch(() => undefined);
    if (masqueraded) {
      const tag = masqTag(conf.name, call.containerId, call.ifName);
      await removeMasquerades(host, (t) => t === tag, 'undo masquerade').catch(() => undefined);
    }
    if (reserved && ipam) await ipam.del().catch(() => undefined);
    throw asCni(e, 'ADD failed');
  } finally {
    await container.close().catch(() => undefined);
  }
}

/**
 * DEL: idempotent, and best effort: the IPAM (`makeIpam` builds it, and may throw) released after
 * the interface is deleted; its failure keeps neither the interface nor the masquerade, and is
 * reported once they are gone.
 */
export async function del(call: Call, conf: BridgeConf, makeIpam: () => Ipam | undefined): Promise<void> {
  const host = Namespace.current();
  if (call.netns !== '') {
    let container: Namespace | undefined;
    try {
      container = await Namespace.fromPath(call.netns);
    } catch (e) {
      // A namespace already gone: nothing to delete in it.
      if (!(e instanceof NetnsError && (e.code === 'ENOENT' || e.code === 'EINVAL')))
        throw asCni(e, `failed to open netns "${call.netns}"`);
    }
    if (container) {
      try {
        const link = await container.link(call.ifName).catch((e: unknown) => {
          if (e instanceof NetnsError && e.code === 'ENODEV') return undefined;
          throw e;
        });
        if (link)
          await link.delete().catch((e: unknown) => {
            if (!(e instanceof NetnsError && e.code === 'ENODEV')) throw e;
          });
      } catch (e) {
        throw asCni(e, `failed to delete "${call.ifName}"`);
      } finally {
        await container.close().catch(() => undefined);
      }
    }
  }
  let ipamError: unknown;
  try {
    await makeIpam()?.del();
  } catch (e) {
    ipamError = e;
  }
  if (conf.ipMasq) {
    const tag = masqTag(conf.name, call.containerId, call.ifName);
    await removeMasquerades(host, (t) => t === tag, `remove masquerade of ${call.containerId}`).catch((e: unknown) => {
      // The IPAM's error first: the runtime sees one, and retries DEL after either.
      throw ipamError ?? asCni(e, 'failed to remove masquerade');
    });
  }
  if (conf.macSpoofChk) {
    await teardownSpoofCheck(host, call.containerId, call.ifName).catch((e: unknown) => {
      throw ipamError ?? asCni(e, 'failed to remove macspoofchk');
    });
  }
  if (ipamError !== undefined) throw ipamError;
}

/** CHECK: the previous result still holds. */
export async function check(call: Call, conf: BridgeConf, ipam: Ipam | undefined): Promise<void> {
  const host = Namespace.current();
  const container = await openContainer(call.netns, host);
  try {
    if (ipam) await ipam.check();
    if (conf.prevResult === undefined || conf.prevResult === null) {
      throw new CniError(CniCode.invalidNetworkConfig, 'Required prevResult missing');
    }
    const prev = parseResult(conf.prevResult, 'prevResult');
    const interfaces = prev.interfaces ?? [];
    const brEntry = interfaces.find((i) => i.name === conf.bridge);
    const contEntry = interfaces.find((i) => i.name === call.ifName && i.sandbox === call.netns);
    const fail = (msg: string) => new CniError(CniCode.internal, msg);
    const find = (ns: Namespace, name: string) =>
      ns.link(name).catch((e: unknown) => {
        if (e instanceof NetnsError && e.code === 'ENODEV') return undefined;
        throw asCni(e, `cannot read "${name}"`);
      });
    // The bridge.
    if (!brEntry) throw fail(`CNI created bridge ${conf.bridge} in host namespace was not found`);
    if (brEntry.sandbox) throw fail(`Interface ${brEntry.name} should not be in sandbox`);
    const br = await find(host, conf.bridge);
    if (!br) throw fail(`Interface name ${conf.bridge} not found`);
    if (br.kind !== 'bridge') throw fail(`Interface ${conf.bridge} does not have link type of bridge`);
    if (brEntry.mac && brEntry.mac !== br.mac)
      throw fail(`Bridge interface ${conf.bridge} Mac doesn't match: ${brEntry.mac}`);
    const promisc = (br.flags & IFF_PROMISC) !== 0;
    if (promisc !== conf.promiscMode) {
      throw fail(
        `Bridge interface ${conf.bridge} configured Promisc Mode ${conf.promiscMode} doesn't match current state: ${promisc} `,
      );
    }
    // The container's end.
    if (!contEntry) throw fail(`Sandbox in prevResult  doesn't match configured netns: ${call.netns}`);
    const cont = await find(container, call.ifName);
    if (!cont) throw fail(`Interface name ${call.ifName} not found`);
    if (cont.kind !== 'veth') throw fail(`Error: Container interface ${call.ifName} not of type veth`);
    if (contEntry.mac && contEntry.mac !== cont.mac) {
      throw fail(`Interface ${call.ifName} Mac ${contEntry.mac} doesn't match container Mac: ${cont.mac}`);
    }
    // The host end: the veth whose peer is the container's end, attached to the bridge.
    let vethFound = false;
    for (const entry of interfaces) {
      if (entry === brEntry || entry.name === contEntry.name) continue;
      if (entry.sandbox) continue;
      const veth = await find(host, entry.name);
      if (!veth) throw fail(`Interface name ${entry.name} not found`);
      if (veth.kind !== 'veth') continue;
      if (veth.index !== cont.parentIndex || veth.parentIndex !== cont.index || veth.masterIndex !== br.index) continue;
      if (entry.mac && entry.mac !== veth.mac)
        throw fail(`Interface ${entry.name} Mac doesn't match: ${entry.mac} not found`);
      vethFound = true;
      break;
    }
    if (!vethFound) throw fail(`CNI veth created for bridge ${conf.bridge} was not found`);
    // Addresses and routes inside.
    const addresses = await cont.addresses();
    for (const ip of prev.ips ?? []) {
      const want = splitCidr(ip.address, 'prevResult address');
      if (!addresses.some((a) => a.address === want.address && a.prefixLength === want.prefix)) {
        throw fail(`Failed to match addr ${ip.address} on interface ${call.ifName}`);
      }
    }
    const routes = [...(await container.routes({ family: 4 })), ...(await container.routes({ family: 6 }))];
    for (const r of prev.routes ?? []) {
      const dst = splitCidr(r.dst, 'prevResult route');
      const isDefault = dst.prefix === 0;
      const found = routes.some((x) => {
        const xd = x.destination === 'default' ? (x.family === 4 ? '0.0.0.0/0' : '::/0') : x.destination;
        if (xd !== networkOf(dst.address, dst.prefix) && xd !== `${dst.address}/${dst.prefix}`) return false;
        return isDefault || r.gw === undefined || x.gateway === r.gw;
      });
      if (!found) throw fail(`Expected Route ${JSON.stringify({ dst: r.dst, gw: r.gw })} not found in routing table`);
    }
  } finally {
    await container.close().catch(() => undefined);
  }
}

/**
 * GC: what belongs to attachments of `network` not in `valid`: reservations, host veths (found by
 * their mark), masquerade rules. Needs nothing of the bridge plugin's configuration. Goes on past
 * failures, an IPAM that cannot be built (`makeIpam` throws) included, and reports them together:
 * one error as it is, several joined (with their code when they share one, else 999).
 */
export async function gc(network: string, valid: Attachment[], makeIpam: () => Ipam | undefined): Promise<void> {
  const host = Namespace.current();
  const errors: CniError[] = [];
  const failed = (e: unknown) => errors.push(asCni(e, 'GC'));
  try {
    await makeIpam()?.gc(valid);
  } catch (e) {
    failed(e);
  }
  const marks = new Set(valid.flatMap((a) => [vethMark(network, a.containerId, a.ifName)]));
  const prefixes = networkMarkPrefixes(network);
  const ours = (alias: string | undefined) => alias !== undefined && prefixes.some((p) => alias.startsWith(p));
  try {
    const stale = (await host.links()).filter((l) => l.kind === 'veth' && ours(l.alias) && !marks.has(l.alias ?? ''));
    for (const l of stale) {
      await l.delete().catch((e: unknown) => {
        if (!(e instanceof NetnsError && e.code === 'ENODEV')) failed(e);
      });
    }
  } catch (e) {
    failed(e);
  }
  const netTag = `${sha(network, 12)} `;
  const tags = new Set(valid.map((a) => masqTag(network, a.containerId, a.ifName)));
  await removeMasquerades(host, (t) => t.startsWith(netTag) && !tags.has(t), 'garbage-collect masquerades').catch(
    failed,
  );
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    const code = errors.every((e) => e.code === errors[0]?.code) ? (errors[0] as CniError).code : CniCode.internal;
    throw new CniError(code, errors.map((e) => e.message).join('; '));
  }
}

/**
 * STATUS: ADD could run: the IPAM can be built and is ready, and the bridge name is free or a
 * bridge. Every reason it could not is reported, as "not available" (50; 51 when the delegated
 * IPAM said so).
 */
export async function status(conf: BridgeConf, makeIpam: () => Ipam | undefined): Promise<void> {
  const reasons: CniError[] = [];
  try {
    await makeIpam()?.status();
  } catch (e) {
    reasons.push(asCni(e, 'IPAM'));
  }
  const host = Namespace.current();
  const br = await host.link(conf.bridge).catch(() => undefined);
  if (br && br.kind !== 'bridge') {
    reasons.push(new CniError(CniCode.notAvailable, `"${conf.bridge}" already exists but is not a bridge`));
  }
  if (reasons.length > 0) {
    throw new CniError(
      reasons.some((r) => r.code === CniCode.notAvailableDisrupted)
        ? CniCode.notAvailableDisrupted
        : CniCode.notAvailable,
      reasons.map((r) => r.message).join('; '),
      reasons.find((r) => r.details)?.details,
    );
  }
}
