import { checkSignal, type AbortOptions } from '../internal/abort';
import { exclusive, throwFirstFailure } from '../internal/dispatch';
import { failure, fromNative, invalid } from '../internal/errors';
import { kHandle, kHandleNow } from '../internal/symbols';
import { checkBoolean, checkInteger, checkLinkName, checkMtu, parseMac } from '../internal/validate';
import { Link, checkNamespaceArg, createAbortably, makeLink, registerLinkKind } from '../link';
import { Namespace } from '../namespace';
import { addon } from '../native/load';
import type { NativeLink, NativeLinkRequest, NativeOp, NativeTapRequest } from '../native/surface';

/** 'tap': Ethernet frames (for a VM); 'tun': IP packets (for a VPN). */
export type TapMode = 'tap' | 'tun';

/** Options for {@link Tap.create}. */
export interface TapOptions extends AbortOptions {
  /** Default 'tap'. */
  mode?: TapMode;
  /** Several queues, one fd each (`multi_queue`). */
  multiQueue?: boolean;
  /** The user allowed to attach to it without CAP_NET_ADMIN (`user`), a uid. */
  owner?: number;
  /** The group allowed to attach to it (`group`), a gid. */
  group?: number;
  /** Frames carry a virtio-net header (`vnet_hdr`). */
  vnetHdr?: boolean;
  /** Each packet is preceded by a 4-byte packet information header (`pi`). Default off. */
  packetInfo?: boolean;
  /** Where to create it. Default: the namespace this process runs in. */
  namespace?: Namespace;
  mtu?: number;
  /** MAC address (tap only); default random. */
  mac?: string;
}

/** What {@link Tap.info} reads back (`ip -d link show`); names as {@link TapOptions}. */
export type TapInfo = {
  mode: TapMode;
  multiQueue: boolean;
  owner?: number;
  group?: number;
  vnetHdr: boolean;
  packetInfo: boolean;
  /** Outlives the fds attached to it (always, for one made by {@link Tap.create}). */
  persistent: boolean;
  /** The fds attached to it (queues), and how many of them are disabled. */
  queues: number;
  disabledQueues: number;
};

const IFF_TUN = 1;

function tapInfo(state: NativeLink): TapInfo {
  const d = state.info ?? {};
  const flag = (k: string) => Number(d[k] ?? 0) !== 0;
  const info: TapInfo = {
    mode: Number(d.type ?? 2) === IFF_TUN ? 'tun' : 'tap',
    multiQueue: flag('multiQueue'),
    vnetHdr: flag('vnetHdr'),
    packetInfo: flag('pi'),
    persistent: flag('persist'),
    queues: Number(d.numQueues ?? 0),
    disabledQueues: Number(d.numDisabledQueues ?? 0),
  };
  if (d.owner !== undefined) info.owner = Number(d.owner);
  if (d.group !== undefined) info.group = Number(d.group);
  return info;
}

/**
 * A persistent TUN or TAP device, as `ip tuntap add NAME mode tap|tun` makes it: it stays after
 * this call, with nothing attached, until deleted; a VM (tap) or a VPN (tun) attaches to it by
 * name through /dev/net/tun. It is made through /dev/net/tun inside the namespace, on the
 * namespace thread, not through rtnetlink; it reads back as kind 'tun' for both modes.
 *
 * @example
 * ```ts
 * // ip tuntap add tap0 mode tap user 1000
 * const tap = await Tap.create('tap0', { mode: 'tap', owner: 1000, namespace: ns });
 * ```
 */
export class Tap extends Link {
  /**
   * Creates the device (down, as every new link).
   * @throws NetnsError EEXIST if a link of that name exists; EINVAL for bad options (before
   *   any syscall); ENOENT if this machine has no /dev/net/tun.
   */
  static async create(name: string, options: TapOptions = {}): Promise<Tap> {
    const operation = `create tap "${String(name)}"`;
    checkLinkName(name, operation);
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    const ns = options.namespace ?? Namespace.current();
    checkNamespaceArg(ns, operation);
    const where = `${operation}${ns.where}`;
    const mode = options.mode ?? 'tap';
    if (mode !== 'tap' && mode !== 'tun') throw invalid(where, `mode must be 'tap' or 'tun', not ${String(mode)}`);
    const req: NativeTapRequest = {
      name,
      tap: mode === 'tap',
      multiQueue: checkBoolean(options.multiQueue, where, 'multiQueue') === true,
      vnetHdr: checkBoolean(options.vnetHdr, where, 'vnetHdr') === true,
      packetInfo: checkBoolean(options.packetInfo, where, 'packetInfo') === true,
    };
    if (options.owner !== undefined) req.owner = checkInteger(options.owner, where, 'the owner', 0, 0xfffffffe);
    if (options.group !== undefined) req.group = checkInteger(options.group, where, 'the group', 0, 0xfffffffe);
    const change: NativeLinkRequest = { name };
    if (options.mtu !== undefined) change.mtu = checkMtu(options.mtu, where);
    if (options.mac !== undefined) {
      if (mode === 'tun') throw invalid(where, 'a tun device has no MAC address');
      change.address = parseMac(options.mac, where);
    }
    const signal = checkSignal(options.signal, where);
    return createAbortably(signal, where, () => makeTap(ns, req, change, where, signal));
  }

  /** What the kernel says about the device, as last read. */
  override get info(): TapInfo {
    return tapInfo(this.state);
  }

  /** 'tap' or 'tun', as last read. */
  get mode(): TapMode {
    return this.info.mode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), mode: this.mode };
  }
}

/**
 * Makes the device, applies what the creating call cannot set (MTU, MAC), and reads it back: one
 * call on the namespace's FIFO from /dev/net/tun to the read (the device is made on the namespace
 * thread, not through the socket), so that it reaches the kernel after the calls made before it
 * and a call made after it finds the device made and set. `signal` withdraws it while queued.
 */
async function makeTap(
  ns: Namespace,
  req: NativeTapRequest,
  change: NativeLinkRequest,
  where: string,
  signal: AbortSignal | undefined,
): Promise<Tap> {
  const name = req.name;
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](where));
  return exclusive(
    handle,
    where,
    'link-create',
    async (send) => {
      try {
        await addon.createTap(handle, req);
      } catch (e) {
        const error = fromNative(e, where, 'link-create');
        // IFF_TUN_EXCL: the name is taken.
        if (error.code === 'EBUSY') throw failure('EEXIST', where, 'a link with that name already exists');
        throw error;
      }
      const ops: NativeOp[] = [{ op: 'getlink', name, stats: 1 }];
      if (change.mtu !== undefined || change.address !== undefined) ops.unshift({ op: 'newlink', link: change });
      try {
        const results = await send(ops);
        throwFirstFailure(results, where, 'link');
        return makeLink(ns, results[results.length - 1] as NativeLink) as Tap;
      } catch (e) {
        // The device is persistent: take it away again, so a failed call leaves nothing.
        await send([{ op: 'dellink', name }]).catch(() => undefined);
        throw e;
      }
    },
    signal,
  );
}

registerLinkKind('tun', Tap, tapInfo);
