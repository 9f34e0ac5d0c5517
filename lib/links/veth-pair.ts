import { checkSignal, type AbortOptions } from '../internal/abort';
import { NetnsError, failure, fromNative, invalid, withReason } from '../internal/errors';
import { kCreateAttached, kHandle, kHandleNow } from '../internal/symbols';
import { FollowUp, batchThen, exclusive } from '../internal/dispatch';
import { Link, checkNamespaceArg, createAbortably, describeNamespace, makeLink, registerLinkKind } from '../link';
import { Namespace } from '../namespace';
import { checkCreateLimits, type LinkCreateLimits } from '../link-create-limits';
import { isFailure } from '../native/wire';
import { IFF_LOWER_UP, IFF_RUNNING, IFF_UP, NLM_F_CREATE, NLM_F_EXCL } from '../native/constants';
import type {
  NativeFailure,
  NativeKindInfo,
  NativeLink,
  NativeLinkRequest,
  NativeOp,
  NativeResult,
} from '../native/surface';
import { checkAlias, checkLinkName, checkMtu, parseMac } from '../internal/validate';

/**
 * What `info` reads back for a veth end: where its peer is. `peerIndex` is an index in the
 * peer's namespace, which is this one unless `peerNetnsId` says otherwise (the id this
 * namespace gives the peer's, see {@link Namespace.nsid}).
 */
export type VethInfo = { peerIndex?: number; peerNetnsId?: number };

function vethInfo(state: NativeLink): VethInfo {
  const info: VethInfo = {};
  if (state.link) info.peerIndex = state.link;
  if (state.linkNetnsid !== undefined) info.peerNetnsId = state.linkNetnsid;
  return info;
}

registerLinkKind('veth', Link, vethInfo);

const IF_OPER_DOWN = 2;

/**
 * The peer of a pair just created in another namespace, as it was asked for, without reading
 * it there: its index is the local end's IFLA_LINK (an index in the peer's namespace), the
 * device limits and queues are the local end's (both ends are made alike), and it is down, on
 * no master, with no alias. Counters and the namespace id are left out (nothing read).
 */
function peerAsAsked(local: NativeLink, peer: NativeLinkRequest): NativeLink {
  const { stats: _stats, linkNetnsid: _nsid, slaveInfo: _slave, ...same } = local;
  return {
    ...same,
    index: local.link,
    name: peer.name as string,
    flags: local.flags & ~(IFF_UP | IFF_RUNNING | IFF_LOWER_UP),
    address: peer.address ?? '',
    operstate: IF_OPER_DOWN,
    carrier: 0,
    master: 0,
    link: local.index,
    slaveKind: '',
    alias: '',
    qdisc: '', // none is attached to a link that was never up
  };
}

/**
 * @internal A master link known by the index an earlier read gave (VethPair[kCreateAttached]):
 * the creating sendmsg also reads `name`, and if that is not at `index` any more the pair is
 * deleted again and the call fails with ESTALE (read the master again and retry).
 */
export interface KnownMaster {
  index: number;
  name: string;
}

/**
 * Options for {@link VethPair.create}. The limits (queues, GSO/GRO) are the local end's; the
 * peer gets the driver's defaults, as with ip.
 */
export interface VethPairOptions extends AbortOptions, LinkCreateLimits {
  /** The local end's name. */
  name: string;
  /** The other end's name. */
  peerName: string;
  /** Where the local end is created. Default: the namespace this process runs in. */
  namespace?: Namespace;
  /** Where the peer is created. Default: the same namespace as the local end. */
  peerNamespace?: Namespace;
  /** MTU of both ends. Default the kernel's (1500). */
  mtu?: number;
  /** MAC of the local end; default random. */
  mac?: string;
  /** MAC of the peer; default random. */
  peerMac?: string;
  /**
   * An alias (IFLA_IFALIAS, `ip link set NAME alias TEXT`) for the local end, set in the same
   * request that creates the pair: a mark by which the link can be found later, even after a
   * crash right after it was made. At most 254 bytes.
   */
  alias?: string;
}

/**
 * A veth pair: two links joined back to back, what goes in one comes out of the other.
 * Each end can be created directly in its own namespace, in one request:
 * `ip link add NAME netns NS type veth peer name PEER netns PEERNS`. That avoids a move
 * (which waits on RCU in the kernel) per end.
 *
 * @example
 * ```ts
 * const veth = await VethPair.create({ name: 'veth-a', peerName: 'veth-b',
 *                                      namespace: test1, peerNamespace: test2 });
 * await veth.local.addAddress('198.18.0.1/24');
 * ```
 */
export class VethPair {
  readonly local: Link;
  readonly peer: Link;

  private constructor(local: Link, peer: Link) {
    this.local = local;
    this.peer = peer;
  }

  /**
   * Creates the pair, both ends down (the kernel cannot create a peer already up).
   * @throws NetnsError EEXIST if either name is taken in its namespace (the message says
   *   which); EINVAL for invalid names or MTU.
   */
  static async create(options: VethPairOptions): Promise<VethPair> {
    return VethPair.#create(options, undefined);
  }

  /**
   * @internal As {@link VethPair.create}, the local end also attached to `master` (a bridge in
   * its namespace) and up, set in the creating request: `ip link add NAME up master BR type veth
   * peer ...`. (The peer cannot be created up: the kernel opens it before its other end exists.)
   * A peer in another namespace is not read back there (one round trip less): its index is the
   * local end's IFLA_LINK, read in the creating sendmsg, and its other fields are what was asked
   * (name, MAC, MTU), down and on no master. Network.connect only needs the index.
   * `master` may be a {@link KnownMaster} (an index read earlier) instead of a Link: checked in
   * the same sendmsg; ESTALE when it moved (the pair is deleted again). `port`: settings of the
   * local end as the bridge's port (IFLA_INFO_SLAVE_DATA, e.g. `{ hairpin: 1 }`), set with the
   * alias in the same sendmsg (the kernel applies port settings only to a link that exists).
   */
  static async [kCreateAttached](
    options: VethPairOptions,
    master: Link | KnownMaster,
    port?: NativeKindInfo,
  ): Promise<VethPair> {
    return VethPair.#create(options, master, port);
  }

  static async #create(
    options: VethPairOptions,
    master: Link | KnownMaster | undefined,
    port?: NativeKindInfo,
  ): Promise<VethPair> {
    const name = (options as Partial<VethPairOptions> | undefined)?.name;
    const operation = `create veth "${String(name)}"`;
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    checkLinkName(name, operation);
    checkLinkName(options.peerName, operation, 'peer name');
    const ns = options.namespace ?? Namespace.current();
    const peerNs = options.peerNamespace ?? ns;
    checkNamespaceArg(ns, operation);
    checkNamespaceArg(peerNs, operation);
    const samePlace = ns.inode === peerNs.inode;
    if (samePlace && options.name === options.peerName) {
      throw invalid(operation, 'both ends cannot have the same name in one namespace');
    }
    const where = `${operation}${ns.where}`;
    const local: NativeLinkRequest = { name: options.name, kind: 'veth', ...checkCreateLimits(options, where) };
    const peer: NativeLinkRequest = { name: options.peerName };
    if (options.mtu !== undefined) local.mtu = peer.mtu = checkMtu(options.mtu, where);
    if (options.mac !== undefined) local.address = parseMac(options.mac, where);
    if (options.peerMac !== undefined) peer.address = parseMac(options.peerMac, where);
    const alias = options.alias === undefined ? undefined : checkAlias(options.alias, where);
    // A master known only by its index from an earlier read: read by name in the same sendmsg.
    const known = master !== undefined && !(master instanceof Link) ? master : undefined;
    if (master !== undefined) {
      if (known === undefined && (!(master instanceof Link) || master.namespace.inode !== ns.inode)) {
        throw invalid(where, 'the master must be a Link in the namespace of the local end');
      }
      local.master = master.index;
      local.flags = IFF_UP;
      local.change = IFF_UP;
    }
    const signal = checkSignal(options.signal, where);

    // Create (and mark) and read back the local end in one sendmsg (and the peer too if it is
    // local). The kernel ignores IFLA_IFALIAS (and port settings) in a creating request, so they
    // are a second request by name in the same sendmsg: the kernel runs both before sendmsg
    // returns, so no unmarked link is ever seen, even by whoever finds it after this process was
    // killed.
    const creating = (): NativeOp[] => {
      local.info = { peer };
      const ops: NativeOp[] = [{ op: 'newlink', flags: NLM_F_CREATE | NLM_F_EXCL, link: local }];
      if (alias !== undefined || port !== undefined) {
        const set: NativeLinkRequest = { name: options.name };
        if (alias !== undefined) set.alias = alias;
        if (port !== undefined) {
          set.slaveKind = 'bridge';
          set.slaveInfo = port;
        }
        ops.push({ op: 'newlink', link: set });
      }
      ops.push({ op: 'getlink', name: options.name, stats: 1 });
      if (samePlace) ops.push({ op: 'getlink', name: options.peerName, stats: 1 });
      if (known !== undefined) ops.push({ op: 'getlink', name: known.name });
      return ops;
    };

    // The answers of the creating sendmsg, checked before any call made after this one runs, on
    // either namespace. What needs more requests (the read back of a peer in another namespace,
    // the lookups that say which name is taken, the delete that undoes the pair when a step
    // after the create failed) is a follow-up, sent holding the FIFOs: `send(ops, peerPlace)`
    // sends in the peer's namespace.
    const check = (results: NativeResult[], peerPlace?: Namespace): VethPair | FollowUp<VethPair> => {
      // Deleting one end deletes both.
      const undone = (e: unknown): FollowUp<VethPair> =>
        new FollowUp(async (send) => {
          await send([{ op: 'dellink', name: options.name }]).catch(() => undefined);
          throw e;
        });
      const setLater = alias !== undefined || port !== undefined;
      const created = results[0];
      const marked = setLater ? results[1] : undefined;
      const [localInfo, peerResult] = results.slice(setLater ? 2 : 1);
      if (known !== undefined) {
        const now = results[results.length - 1] as NativeLink | NativeFailure;
        if (isFailure(now) || now.index !== known.index) {
          // The index was another link's by now: the pair, if made, was attached to it. Undone.
          const stale = failure(
            'ESTALE',
            where,
            `the master "${known.name}" is no longer at index ${known.index}${isFailure(now) ? '' : ` (it is at ${now.index})`}`,
          );
          if (isFailure(created)) throw stale;
          return undone(stale);
        }
      }
      if (isFailure(created)) {
        const error = fromNative(created, where, 'link-create');
        if (error.code !== 'EEXIST') throw error;
        // EEXIST says only "file exists": which of the two names is taken, and where.
        return new FollowUp(async (send) => {
          const taken = async (name: string, at: Namespace | undefined): Promise<boolean> => {
            const [r] = await send([{ op: 'getlink', name }], at).catch(() => []);
            return r !== undefined && !isFailure(r);
          };
          throw await explainTaken(error, options, ns, peerNs, taken, peerPlace);
        });
      }
      // Something else deleted or moved an end between the create and the read-back.
      const vanished = (end: string): NetnsError =>
        failure('ENODEV', where, `the new ${end} was removed by someone else right after it was created`);
      if (marked !== undefined && isFailure(marked)) return undone(fromNative(marked, where, 'link'));
      if (localInfo === undefined || isFailure(localInfo)) return undone(vanished('link'));
      const local = localInfo as NativeLink;
      const pair = (peerInfo: NativeLink): VethPair => new VethPair(makeLink(ns, local), makeLink(peerNs, peerInfo));
      if (samePlace) {
        return peerResult === undefined || isFailure(peerResult)
          ? undone(vanished('peer'))
          : pair(peerResult as NativeLink);
      }
      if (master !== undefined && local.link > 0) return pair(peerAsAsked(local, peer));
      return new FollowUp(async (send) => {
        const [peerInfo] = await send([{ op: 'getlink', name: options.peerName, stats: 1 }], peerPlace).catch(() => []);
        if (peerInfo === undefined || isFailure(peerInfo)) return undone(vanished('peer')).run(send);
        return pair(peerInfo as NativeLink);
      });
    };

    return createAbortably(signal, where, async () => {
      if (samePlace) {
        // Creates made together share one sendmsg; only a follow-up holds the FIFO.
        const handle = ns[kHandleNow]() ?? (await ns[kHandle](where));
        return batchThen(handle, creating(), where, 'link-create', (results) => check(results), signal);
      }
      // The peer is born in another namespace: one call on both FIFOs, from the create to the
      // read back there (and the undo), so a call made after it on either runs after it.
      return exclusive(
        [ns, peerNs],
        where,
        'link-create',
        async (send, handleOf) => {
          peer.netns = handleOf(peerNs);
          const outcome = check(await send(creating()), peerNs);
          return outcome instanceof FollowUp ? outcome.run(send) : outcome;
        },
        signal,
      );
    });
  }

  /** Deletes the pair (deleting one end deletes both). `ip link del NAME`. */
  async delete(): Promise<void> {
    await this.local.delete();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.delete().catch((e: unknown) => {
      if (!(e instanceof NetnsError && (e.code === 'ENODEV' || e.code === 'EBADF'))) throw e;
    });
  }
}

/**
 * EEXIST says only "file exists": which of the two names is taken, and where. `taken(name, at)`
 * looks a name up in the local end's namespace (`at` undefined) or at `peerPlace`.
 */
async function explainTaken(
  error: NetnsError,
  options: VethPairOptions,
  ns: Namespace,
  peerNs: Namespace,
  taken: (name: string, at: Namespace | undefined) => Promise<boolean>,
  peerPlace: Namespace | undefined,
): Promise<NetnsError> {
  const which: string[] = [];
  for (const [name, where, at] of [
    [options.name, ns, undefined],
    [options.peerName, peerNs, peerPlace],
  ] as const) {
    if (await taken(name, at)) {
      which.push(
        `a link named "${name}" already exists in ${where.where ? describeNamespace(where) : 'this namespace'}`,
      );
    }
  }
  return which.length === 0 ? error : withReason(error, which.join(', and '));
}
