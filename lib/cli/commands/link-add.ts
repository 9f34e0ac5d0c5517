/**
 * `netns-native [-n NS] link add [name] NAME [mtu N] [address MAC] [link PARENT] [numtxqueues N]
 * [numrxqueues N] [gso_max_size B] [gso_max_segs N] [gro_max_size B] type KIND ...`, as `ip link
 * add` takes it, through the kinds' own create():
 *   type veth peer [name] PEER [netns NS2] [address MAC]      VethPair.create
 *   type bridge [stp_state 0|1] [vlan_filtering 0|1] [priority N]   Bridge.create
 *   type ifb                                                  Ifb.create
 *   type macvlan|macvtap [mode MODE]   (needs link PARENT)    Macvlan.create, Macvtap.create
 *   type vxlan id VNI [remote A] [local A] [group A] [dev L] [dstport N]   Vxlan.create
 * Links named (PARENT, L) are those of NS.
 */
import {
  Bridge,
  Ifb,
  Macvlan,
  Macvtap,
  VethPair,
  Vxlan,
  type LinkCreateLimits,
  type MacvlanMode,
  type Namespace,
} from '../../index';
import type { Words } from '../words';
import { namespaceWord } from '../namespace-arg';

const KINDS = ['veth', 'bridge', 'ifb', 'macvlan', 'macvtap', 'vxlan'] as const;
type Kind = (typeof KINDS)[number];
const MACVLAN_MODES: readonly string[] = ['private', 'vepa', 'bridge', 'passthru', 'source'];

/** What every kind takes before `type`. */
interface Common {
  name: string;
  mtu?: number;
  mac?: string;
  parent?: string;
  limits?: LinkCreateLimits;
}

/** `KEYWORD N` before `type`: the limits set as the link is made, and each one's name. */
const LIMITS: Readonly<Record<string, keyof LinkCreateLimits>> = {
  numtxqueues: 'numTxQueues',
  numrxqueues: 'numRxQueues',
  gso_max_size: 'gsoMaxSize',
  gso_max_segs: 'gsoMaxSegs',
  gro_max_size: 'groMaxSize',
};

interface PeerWords {
  peerName: string;
  netns?: string;
  peerMac?: string;
}

/** The command line of `link add`, read whole before anything is done. */
export type LinkAddWords = Common &
  (
    | { kind: 'veth'; peer: PeerWords }
    | { kind: 'bridge'; bridge: BridgeWords }
    | { kind: 'ifb' }
    | { kind: 'macvlan' | 'macvtap'; mode?: MacvlanMode; parent: string }
    | { kind: 'vxlan'; vxlan: VxlanWords }
  );

export function readLinkAdd(words: Words): LinkAddWords {
  const common = readCommon(words);
  const word = words.value('type', `a link kind (${KINDS.join(', ')})`);
  if (!(KINDS as readonly string[]).includes(word)) {
    throw words.error(`unknown link kind ${JSON.stringify(word)} (${KINDS.join(', ')})`);
  }
  const kind = word as Kind;
  words.context = `link add type ${kind}`;
  if (common.parent !== undefined && kind !== 'macvlan' && kind !== 'macvtap') {
    throw words.error(`link ${common.parent}: only a macvlan or macvtap has a parent link`);
  }
  switch (kind) {
    case 'veth':
      return { ...common, kind, peer: readPeer(words) };
    case 'bridge':
      return { ...common, kind, bridge: readBridge(words) };
    case 'ifb': {
      const extra = words.next();
      if (extra !== undefined) throw words.unexpected(extra);
      return { ...common, kind };
    }
    case 'macvlan':
    case 'macvtap': {
      const mode = readMacvlan(words);
      const { parent } = common;
      if (parent === undefined) throw words.needs(`its parent: link add NAME link PARENT type ${kind}`);
      return { ...common, kind, parent, ...(mode !== undefined && { mode }) };
    }
    case 'vxlan':
      return { ...common, kind, vxlan: readVxlan(words) };
  }
}

/** Creates what `readLinkAdd` read, in `ns`; links named (PARENT, dev L) are those of `ns`. */
export async function linkAdd(ns: Namespace, add: LinkAddWords): Promise<void> {
  const base = {
    namespace: ns,
    ...(add.mtu !== undefined && { mtu: add.mtu }),
    ...(add.mac !== undefined && { mac: add.mac }),
    ...add.limits,
  };
  switch (add.kind) {
    case 'veth': {
      const { netns, ...peer } = add.peer;
      const peerNamespace = netns !== undefined ? await namespaceWord(netns) : undefined;
      await VethPair.create({ ...base, name: add.name, ...peer, ...(peerNamespace && { peerNamespace }) });
      return;
    }
    case 'bridge':
      await Bridge.create(add.name, { ...base, ...add.bridge });
      return;
    case 'ifb':
      await Ifb.create(add.name, base);
      return;
    case 'macvlan':
    case 'macvtap': {
      const options = { ...base, parent: await ns.link(add.parent), ...(add.mode !== undefined && { mode: add.mode }) };
      await (add.kind === 'macvlan' ? Macvlan.create(add.name, options) : Macvtap.create(add.name, options));
      return;
    }
    case 'vxlan': {
      const { device, ...options } = add.vxlan;
      await Vxlan.create(add.name, {
        ...base,
        ...options,
        ...(device !== undefined && { device: await ns.link(device) }),
      });
    }
  }
}

/** The name and what comes before `type`; reads `type` itself. */
function readCommon(words: Words): Common {
  let name: string | undefined;
  const out: Partial<Common> = {};
  const seen = new Set<string>();
  for (;;) {
    const word = words.next();
    if (word === undefined) {
      throw words.needs(name === undefined ? 'a name and a type: link add NAME type KIND' : 'type KIND');
    }
    if (word === 'type') break;
    words.once(seen, word === 'dev' ? 'name' : word);
    if (word === 'name' || word === 'dev') name = words.value(word, 'a link name');
    else if (word === 'mtu') out.mtu = words.integer('mtu');
    else if (word === 'address') out.mac = words.value('address', 'a MAC address');
    else if (word === 'link') out.parent = words.value('link', 'a link name');
    else if (Object.hasOwn(LIMITS, word))
      (out.limits ??= {})[LIMITS[word] as keyof LinkCreateLimits] = words.integer(word);
    else if (name === undefined) {
      seen.add('name');
      name = word;
    } else throw words.unexpected(word);
  }
  if (name === undefined) throw words.needs('a name: link add NAME type KIND');
  return { ...out, name };
}

function readPeer(words: Words): PeerWords {
  const first = words.next();
  if (first !== 'peer') {
    throw first === undefined ? words.needs('peer PEER') : words.unexpected(first);
  }
  let peerName: string | undefined;
  let netns: string | undefined;
  let peerMac: string | undefined;
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    words.once(seen, word);
    if (word === 'name') peerName = words.value('name', 'the peer’s name');
    else if (word === 'netns') netns = words.value('netns', 'a namespace');
    else if (word === 'address') peerMac = words.value('address', 'a MAC address');
    else if (peerName === undefined) {
      seen.add('name');
      peerName = word;
    } else throw words.unexpected(word);
  }
  if (peerName === undefined) throw words.needs('the peer’s name: peer PEER');
  return { peerName, ...(netns !== undefined && { netns }), ...(peerMac !== undefined && { peerMac }) };
}

interface BridgeWords {
  stp?: boolean;
  vlanFiltering?: boolean;
  priority?: number;
}

function readBridge(words: Words): BridgeWords {
  const out: BridgeWords = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    words.once(seen, word);
    if (word === 'stp_state') out.stp = words.integer(word, 1) === 1;
    else if (word === 'vlan_filtering') out.vlanFiltering = words.integer(word, 1) === 1;
    else if (word === 'priority') out.priority = words.integer(word, 65535);
    else throw words.unexpected(word);
  }
  return out;
}

function readMacvlan(words: Words): MacvlanMode | undefined {
  const word = words.next();
  if (word === undefined) return undefined;
  if (word !== 'mode') throw words.unexpected(word);
  const mode = words.value('mode', `a mode (${MACVLAN_MODES.join(', ')})`);
  if (!MACVLAN_MODES.includes(mode))
    throw words.error(`unknown mode ${JSON.stringify(mode)} (${MACVLAN_MODES.join(', ')})`);
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  return mode as MacvlanMode;
}

interface VxlanWords {
  vni: number;
  remote?: string;
  local?: string;
  group?: string;
  device?: string;
  port?: number;
}

function readVxlan(words: Words): VxlanWords {
  let vni: number | undefined;
  const out: Omit<VxlanWords, 'vni'> = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    words.once(seen, word === 'vni' ? 'id' : word);
    if (word === 'id' || word === 'vni') vni = words.integer(word, 0xffffff);
    else if (word === 'remote' || word === 'local' || word === 'group') out[word] = words.value(word, 'an address');
    else if (word === 'dev') out.device = words.value('dev', 'a link name');
    else if (word === 'dstport') out.port = words.integer('dstport', 65535);
    else throw words.unexpected(word);
  }
  if (vni === undefined) throw words.needs('id VNI');
  return { ...out, vni };
}
