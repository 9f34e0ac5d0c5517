/**
 * The plugin's network configuration: the reference `bridge` plugin's fields, read and checked
 * before anything touches the kernel. Unknown fields are ignored (as Go's JSON decoding ignores
 * them); a known field of the wrong type or out of range is an invalid configuration (code 7); a
 * field this plugin understands but does not implement with a non-default value (`vlan`,
 * `vlanTrunk`, `ipMasqBackend: "iptables"`) is refused as unsupported (code 2) rather than
 * silently ignored.
 */
import { ipFamily, linkNameProblem } from '../internal/validate';
import { CniCode, CniError, cleanDns, type ResultDns } from './spec';

/** What the reference bridge plugin reads. */
export interface BridgeConf {
  name: string;
  /** `bridge`: default 'cni0'. */
  bridge: string;
  /** `isGateway`: the gateway address on the bridge (implied by isDefaultGateway). */
  isGateway: boolean;
  /** `isDefaultGateway`: a default route through the gateway in the container. */
  isDefaultGateway: boolean;
  /** `forceAddress`: replace another address of the family on the bridge instead of failing. */
  forceAddress: boolean;
  /** `ipMasq`: masquerade what the container sends off its subnet (our nftables table). */
  ipMasq: boolean;
  /** `macspoofchk`: only the container's MAC enters the bridge from its port (table bridge nat). */
  macSpoofChk: boolean;
  /** `portIsolation`: the host end is an isolated bridge port (`isolated on`). */
  portIsolation: boolean;
  /** `disableContainerInterface`: the container's interface is left down (no IPAM allowed). */
  disableContainerInterface: boolean;
  /** `mtu`: of the bridge (when created) and of both ends of the veth; undefined: the kernel's. */
  mtu: number | undefined;
  hairpinMode: boolean;
  promiscMode: boolean;
  /** `enabledad`: IPv6 duplicate address detection on the container's interface. */
  enableDad: boolean;
  /** The container interface's MAC: `runtimeConfig.mac`, else `args.cni.mac`, else CNI_ARGS MAC. */
  mac: string | undefined;
  /** `ipam.type`: '' for none (a layer 2 attachment). */
  ipamType: string;
  /** The `ipam` object as given. */
  ipam: Record<string, unknown>;
  dns: ResultDns;
  /** `prevResult` (CHECK), unparsed. */
  prevResult: unknown;
}

/**
 * The CNI_ARGS keys the bridge plugin reads: MAC alone. host-local reads IP (HOST_LOCAL_ARGS), and
 * each refuses the other's key without IgnoreUnknown, as the reference plugins do.
 */
export const BRIDGE_ARGS = ['MAC'] as const;
/** The CNI_ARGS keys host-local reads (its IPAMArgs); others need IgnoreUnknown. */
export const HOST_LOCAL_ARGS = ['IP'] as const;

function bad(msg: string): CniError {
  return new CniError(CniCode.invalidNetworkConfig, msg);
}

function bool(conf: Record<string, unknown>, key: string): boolean {
  const v = conf[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw bad(`"${key}" must be true or false, not ${JSON.stringify(v)}`);
  return v;
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(`"${what}" must be an object, not ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function checkMac(mac: unknown, where: string): string | undefined {
  if (mac === undefined || mac === '') return undefined;
  if (typeof mac !== 'string' || !MAC.test(mac)) throw bad(`${where}: ${JSON.stringify(mac)} is not a MAC address`);
  if ((parseInt(mac.slice(0, 2), 16) & 1) !== 0) throw bad(`${where}: ${mac} is a multicast MAC address`);
  return mac.toLowerCase();
}

/**
 * The configuration's `ipam` and its `type` ('' for none: a layer 2 attachment).
 * @throws CniError 7 when either is not what it must be.
 */
export function parseIpam(conf: Record<string, unknown>): { ipam: Record<string, unknown>; ipamType: string } {
  const ipam = object(conf.ipam, 'ipam');
  if (ipam.type !== undefined && typeof ipam.type !== 'string') {
    throw bad(`"ipam.type" must be a string, not ${JSON.stringify(ipam.type)}`);
  }
  const ipamType = (ipam.type as string | undefined) ?? '';
  if (ipamType !== '' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(ipamType)) {
    throw bad(`"ipam.type": ${JSON.stringify(ipamType)} is not a plugin name`);
  }
  return { ipam, ipamType };
}

/**
 * `vlanTrunk` (plugins 1.3.0): a list of `{ id }` and `{ minID, maxID }` (1-4094), checked as the
 * reference checks it (code 7); any VLAN at all is refused (code 2), as `vlan` is: they need
 * VLAN filtering on the bridge, which this plugin does not do.
 */
function checkVlanTrunk(trunk: unknown): void {
  if (trunk === undefined || trunk === null) return;
  if (!Array.isArray(trunk)) throw bad(`"vlanTrunk" must be a list, not ${JSON.stringify(trunk)}`);
  let vlans = 0;
  const vid = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw bad(`"vlanTrunk": ${what} must be an integer, not ${JSON.stringify(v)}`);
    if (v <= 0 || v > 4094)
      throw bad(`"vlanTrunk": incorrect trunk ${what} parameter ${v} (must be between 1 and 4094)`);
    return v;
  };
  for (const item of trunk as unknown[]) {
    const entry = object(item, 'vlanTrunk[]');
    const hasMin = entry.minID !== undefined && entry.minID !== null;
    const hasMax = entry.maxID !== undefined && entry.maxID !== null;
    if (hasMin !== hasMax) {
      throw bad(
        `"vlanTrunk": minID and maxID should be configured simultaneously, ${hasMin ? 'maxID' : 'minID'} is missing`,
      );
    }
    if (hasMin) {
      const min = vid(entry.minID, 'minID');
      const max = vid(entry.maxID, 'maxID');
      if (max < min) throw bad('"vlanTrunk": minID is greater than maxID in trunk parameter');
      vlans++;
    }
    if (entry.id !== undefined && entry.id !== null) {
      vid(entry.id, 'id');
      vlans++;
    }
  }
  if (vlans > 0) {
    throw new CniError(
      CniCode.unsupportedField,
      '"vlanTrunk": VLANs are not supported by netns-native-cni (they need VLAN filtering on the bridge; only an empty list)',
    );
  }
}

/**
 * `ipMasqBackend` (plugins 1.6.0): where `ipMasq` writes its rules. "nftables" is what this plugin
 * always does (its own table); "iptables" it cannot (it runs no iptables): refused, code 2. As in
 * the reference, the value matters, and is checked, only with `ipMasq`.
 */
function checkIpMasqBackend(backend: unknown, ipMasq: boolean): void {
  if (backend === undefined || backend === null) return;
  if (typeof backend !== 'string') throw bad(`"ipMasqBackend" must be a string, not ${JSON.stringify(backend)}`);
  if (!ipMasq) return;
  if (backend === 'iptables') {
    throw new CniError(
      CniCode.unsupportedField,
      '"ipMasqBackend": "iptables" is not supported by netns-native-cni, which masquerades with nftables only (use "nftables" or leave it out)',
    );
  }
  if (backend !== 'nftables')
    throw bad(`"ipMasqBackend": unknown ipmasq backend ${JSON.stringify(backend)} (iptables or nftables)`);
}

/**
 * Reads the bridge plugin's configuration.
 * @throws CniError 7 for a bad field, 2 for an unsupported one.
 */
export function parseBridgeConf(conf: Record<string, unknown>, args: Map<string, string>): BridgeConf {
  const bridge = conf.bridge === undefined || conf.bridge === '' ? 'cni0' : conf.bridge;
  if (typeof bridge !== 'string') throw bad(`"bridge": ${JSON.stringify(bridge)} is not a valid interface name`);
  const problem = linkNameProblem(bridge, 'bridge name');
  if (problem !== undefined) throw bad(`"bridge": ${problem}`);
  let mtu: number | undefined;
  if (conf.mtu !== undefined && conf.mtu !== null && conf.mtu !== 0) {
    if (typeof conf.mtu !== 'number' || !Number.isInteger(conf.mtu) || conf.mtu < 68 || conf.mtu > 65535) {
      throw bad(`"mtu": ${JSON.stringify(conf.mtu)} is not an MTU (68-65535)`);
    }
    mtu = conf.mtu;
  }
  const vlan = conf.vlan ?? 0;
  if (typeof vlan !== 'number' || !Number.isInteger(vlan) || vlan < 0 || vlan > 4094) {
    throw bad(`"vlan": invalid VLAN ID ${JSON.stringify(vlan)} (must be between 0 and 4094)`);
  }
  // Code 2: the spec wants the key and the value in the message.
  if (vlan !== 0)
    throw new CniError(CniCode.unsupportedField, `"vlan": ${vlan} is not supported by netns-native-cni (only 0)`);
  checkVlanTrunk(conf.vlanTrunk);
  bool(conf, 'preserveDefaultVlan'); // no effect without a VLAN, as in the reference
  const ipMasq = bool(conf, 'ipMasq');
  checkIpMasqBackend(conf.ipMasqBackend, ipMasq);
  const isDefaultGateway = bool(conf, 'isDefaultGateway');
  const hairpinMode = bool(conf, 'hairpinMode');
  const promiscMode = bool(conf, 'promiscMode');
  if (hairpinMode && promiscMode) {
    throw bad(
      '"hairpinMode": true and "promiscMode": true: cannot set hairpin mode and promiscuous mode at the same time',
    );
  }
  const { ipam, ipamType } = parseIpam(conf);
  const mac =
    checkMac(object(conf.runtimeConfig, 'runtimeConfig').mac, 'runtimeConfig.mac') ??
    checkMac(object(object(conf.args, 'args').cni, 'args.cni').mac, 'args.cni.mac') ??
    checkMac(args.get('MAC'), 'CNI_ARGS MAC');
  if (conf.dns !== undefined) {
    const dns = object(conf.dns, 'dns');
    for (const k of ['nameservers', 'search', 'options']) {
      const v = dns[k];
      if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
        throw bad(`"dns.${k}" must be a list of strings, not ${JSON.stringify(v)}`);
      }
    }
    for (const ns of (dns.nameservers as string[] | undefined) ?? []) {
      if (!ipFamily(ns)) throw bad(`"dns.nameservers": ${JSON.stringify(ns)} is not an IP address`);
    }
  }
  return {
    name: conf.name as string,
    bridge,
    isGateway: bool(conf, 'isGateway') || isDefaultGateway,
    isDefaultGateway,
    forceAddress: bool(conf, 'forceAddress'),
    ipMasq,
    macSpoofChk: bool(conf, 'macspoofchk'),
    portIsolation: bool(conf, 'portIsolation'),
    disableContainerInterface: bool(conf, 'disableContainerInterface'),
    mtu,
    hairpinMode,
    promiscMode,
    enableDad: bool(conf, 'enabledad'),
    mac,
    ipamType,
    ipam,
    dns: cleanDns(conf.dns),
    prevResult: conf.prevResult,
  };
}
