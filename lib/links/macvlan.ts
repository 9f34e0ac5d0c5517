import { checkSignal, type AbortOptions } from '../internal/abort';
import { invalid } from '../internal/errors';
import { checkLinkName, checkMtu, parseMac } from '../internal/validate';
import { Link, checkNamespaceArg, createLink, registerLinkKind } from '../link';
import type { Namespace } from '../namespace';
import { checkCreateLimits, type LinkCreateLimits } from '../link-create-limits';
import type { NativeLink, NativeLinkRequest } from '../native/surface';

/**
 * How a macvlan (or macvtap) shares its parent with its siblings (MACVLAN_MODE_*):
 * - 'bridge': siblings reach each other directly, inside the parent (Docker's macvlan default);
 * - 'private': siblings cannot reach each other at all;
 * - 'vepa': traffic between siblings goes out to the external switch and back (the kernel's
 *   default when no mode is given);
 * - 'passthru': a single macvlan takes over the parent (for a VM);
 * - 'source': receives only from a list of source MACs.
 */
export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';

const MODES: Array<[MacvlanMode, number]> = [
  ['private', 1],
  ['vepa', 2],
  ['bridge', 4],
  ['passthru', 8],
  ['source', 16],
];

/** Options for {@link Macvlan.create} and {@link Macvtap.create}. */
export interface MacvlanOptions extends AbortOptions, LinkCreateLimits {
  /** The link to put it on (`link PARENT`): a physical NIC, a veth end, ... */
  parent: Link;
  /** Default 'bridge', as Docker (the kernel's own default is 'vepa'). */
  mode?: MacvlanMode;
  /**
   * Where the new link lives. Default: the parent's namespace. Another namespace puts a
   * container straight on the parent's network: the request goes to the parent's namespace,
   * which places the new link with IFLA_NET_NS_FD (`ip link add mv0 link eth0 netns c1 type
   * macvlan`).
   */
  namespace?: Namespace;
  mtu?: number;
  /** MAC address; default random. */
  mac?: string;
}

/** What {@link Macvlan.info} and {@link Macvtap.info} read back; names as {@link MacvlanOptions}. */
export type MacvlanInfo = {
  mode: MacvlanMode;
  /** Broadcast queue length (`bcqueuelen`). */
  bcQueueLen?: number;
  /**
   * The broadcast queue length in use (`usedbcqueuelen`): the parent's queue is shared, as long
   * as the longest any of its macvlans asked for.
   */
  bcQueueLenUsed?: number;
  /** MACVLAN_FLAG_NOPROMISC: the parent is not made promiscuous (passthru mode; `nopromisc`). */
  noPromisc?: true;
  /** MACVLAN_FLAG_NODST: source mode's frames are not also delivered by destination (`nodst`). */
  noDst?: true;
};

function macvlanInfo(state: NativeLink): MacvlanInfo {
  const mode = Number(state.info?.mode ?? 2);
  const info: MacvlanInfo = { mode: MODES.find(([, n]) => n === mode)?.[0] ?? 'vepa' };
  if (state.info?.bcQueueLen !== undefined) info.bcQueueLen = Number(state.info.bcQueueLen);
  if (state.info?.bcQueueLenUsed !== undefined) info.bcQueueLenUsed = Number(state.info.bcQueueLenUsed);
  const flags = Number(state.info?.flags ?? 0);
  if (flags & 1) info.noPromisc = true;
  if (flags & 2) info.noDst = true;
  return info;
}

/** Checks the options of either kind and creates it. */
async function create(kind: 'macvlan' | 'macvtap', name: string, options: MacvlanOptions): Promise<Link> {
  const operation = `create ${kind} "${String(name)}"`;
  checkLinkName(name, operation);
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  const parent = options.parent;
  if (!(parent instanceof Link)) throw invalid(operation, 'the parent must be a Link');
  const ns = options.namespace ?? parent.namespace;
  checkNamespaceArg(ns, operation);
  const where = `${operation}${ns.where}`;
  const mode = MODES.find(([m]) => m === (options.mode ?? 'bridge'));
  if (!mode) {
    throw invalid(where, `unknown mode "${String(options.mode)}" (one of ${MODES.map(([m]) => m).join(', ')})`);
  }
  const link: NativeLinkRequest = {
    name,
    kind,
    link: parent.index,
    info: { mode: mode[1] },
    ...checkCreateLimits(options, where),
  };
  if (options.mtu !== undefined) link.mtu = checkMtu(options.mtu, where);
  if (options.mac !== undefined) link.address = parseMac(options.mac, where);
  const signal = checkSignal(options.signal, where);
  return createLink({ link, namespace: ns, via: parent.namespace, parent, operation: where, signal });
}

/**
 * A macvlan: a link with a MAC of its own on top of a parent link, seen on the parent's
 * network as one more host. `ip link add NAME link PARENT type macvlan mode MODE`.
 *
 * @example
 * ```ts
 * // ip link add mv0 link eth0 netns c1 type macvlan mode bridge
 * const mv = await Macvlan.create('mv0', { parent: eth0, mode: 'bridge', namespace: c1 });
 * ```
 */
export class Macvlan extends Link {
  /**
   * Creates a macvlan (down, as every new link).
   * @throws NetnsError EINVAL for an unknown mode or a parent that is not a Link (before any
   *   syscall), or a parent that cannot have one (a loopback); EEXIST if the name is taken
   *   where it is to live; ENODEV if the parent no longer exists.
   */
  static async create(name: string, options: MacvlanOptions): Promise<Macvlan> {
    return (await create('macvlan', name, options)) as Macvlan;
  }

  /** The mode, as last read. */
  override get info(): MacvlanInfo {
    return macvlanInfo(this.state);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), mode: this.info.mode };
  }
}

/**
 * A macvtap: a macvlan with a character device (/dev/tapN) through which a program (a VM's
 * hypervisor) reads and writes its frames. `ip link add NAME link PARENT type macvtap mode MODE`.
 *
 * @example
 * ```ts
 * const mt = await Macvtap.create('mvt0', { parent: eth0, mode: 'bridge' });
 * ```
 */
export class Macvtap extends Link {
  /**
   * Creates a macvtap (down, as every new link).
   * @throws NetnsError as {@link Macvlan.create}.
   */
  static async create(name: string, options: MacvlanOptions): Promise<Macvtap> {
    return (await create('macvtap', name, options)) as Macvtap;
  }

  /** The mode, as last read. */
  override get info(): MacvlanInfo {
    return macvlanInfo(this.state);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), mode: this.info.mode };
  }
}

registerLinkKind('macvlan', Macvlan, macvlanInfo);
registerLinkKind('macvtap', Macvtap, macvlanInfo);
