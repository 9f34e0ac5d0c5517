import type * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import { constants } from 'node:os';
import * as path from 'node:path';
import { listAddresses, type Address, type AddressesOptions } from './address';
import {
  flushAddresses,
  flushNeighbours,
  flushNexthops,
  flushRoutes,
  flushRules,
  type FlushAddressesOptions,
  type FlushNeighboursOptions,
  type FlushNexthopsOptions,
  type FlushRulesOptions,
  type FlushRoutesOptions,
} from './flush';
import { errnoOf, failure, fromNative, fromNodeError, invalid, withReason } from './internal/errors';
// process/exec and process/sockets load node:child_process, node:net and node:dgram: required
// when first used, so that a short-lived process that never runs a program nor opens a socket
// (the CNI plugin, started once per call) does not pay for loading them.
import type { ChildProcess, ExecOptions, ExecResult, SpawnOptions } from './process/exec';
import { kCookie, kExecTarget, kHandle, kHandleNow, kNamespaceFd, type ExecTarget } from './internal/symbols';
import { namespaceReleased, releaseWhenIdle, request } from './internal/dispatch';
import { allTracked, track, tracked, untrack } from './internal/registry';
import { abortable, abortError, checkSignal, type AbortOptions } from './internal/abort';
import { vethPeersOutside, waitPeersGone, type Peer } from './teardown';
import { Link, checkNamespaceArg, deleteLinks, describeNamespace, makeLink } from './link';
import { endMonitors, openMonitor, type Monitor, type MonitorOptions } from './monitor';
import { addon } from './native/load';
import type { NativeHandle, NativeLink, NativeNamespaceFile, NativeOpened } from './native/surface';
import { ping, type PingOptions, type PingResult } from './process/ping';
import { identifyPid, NETNS_RUN_DIR, netnsNames, netnsNameSync, nsfsInode, pidsIn } from './process/proc';
import {
  addRoute,
  deleteRoute,
  listRoutes,
  type AddRouteOptions,
  type DeleteRouteOptions,
  type Route,
  type RouteSpec,
  type RoutesOptions,
} from './route';
import { routeTo, type RouteLookup, type RouteToOptions } from './route-lookup';
import {
  addNeighbour,
  deleteNeighbour,
  getNeighbour,
  listNeighbours,
  type Neighbour,
  type NeighbourOptions,
  type NeighbourSpec,
  type NeighboursOptions,
} from './neighbour';
import {
  addRule,
  deleteRule,
  listRules,
  type AddRuleOptions,
  type DeleteRuleOptions,
  type Rule,
  type RuleSpec,
  type RulesOptions,
} from './rule';
import { knownNamespaceId, namespaceId, namespaceIds, setNamespaceId, type NsidEntry, type NsidsOptions } from './nsid';
import { readSysctl, writeSysctl } from './sysctl';
import { listNetconf, type Netconf, type NetconfOptions } from './netconf';
import { listMulticastAddresses, type MulticastAddress, type MulticastAddressesOptions } from './multicast';
import {
  addNexthop,
  deleteNexthop,
  listNexthopBuckets,
  listNexthops,
  type AddNexthopOptions,
  type DeleteNexthopOptions,
  type NexthopBucket,
  type NexthopBucketsOptions,
  type NexthopObject,
  type NexthopObjectSpec,
  type NexthopsOptions,
} from './nexthop';
import type { ConnectOptions, ListenOptions, UdpBindOptions } from './process/sockets';
import {
  checkBoolean,
  checkInteger,
  checkLinkName,
  MAX_ALT_NAME_BYTES,
  checkNamespaceName,
  checkObject,
  checkOptionKeys,
  describeValue,
} from './internal/validate';
import { explainNotANamespace, removeStale, staleAmong, StaleNamespace } from './stale-namespace';

export { NETNS_RUN_DIR, StaleNamespace, type RoutesOptions };

/** Options for {@link Namespace.create}. */
export type CreateOptions = AbortOptions;

/** Options for {@link Namespace.attach} and {@link Namespace#attach}. */
export type AttachOptions = AbortOptions;

const ATTACH_KEYS = ['signal'] as const;

/** Options for {@link Namespace.list}. */
export interface ListOptions extends AbortOptions {
  /**
   * Also report stale names: plain files under /run/netns left by a process that died while it
   * was creating or deleting a namespace (see {@link StaleNamespace}). Default false.
   */
  includeStale?: boolean;
}

/** Options for {@link Namespace.delete}. */
export interface DeleteOptions {
  /**
   * Resolve only once the kernel has finished tearing the namespace down as far as other
   * namespaces can see: every veth inside whose peer lives in another namespace (this process's
   * own, one open in this process, or one named under /run/netns) is gone from there, so the same
   * names can be created again at once. Refused (EBUSY, nothing deleted) while processes run
   * inside or another name mounts it. Default false: resolve once the name and our fds are gone.
   */
  wait?: boolean;
  /** With `wait`: give up after this many milliseconds (ETIMEDOUT; the name is gone). Default 10000. */
  timeoutMs?: number;
  /** Aborts the wait (AbortError, code ABORT_ERR); an abort before the call deletes nothing. */
  signal?: AbortSignal;
}

const DEFAULT_DELETE_TIMEOUT_MS = 10_000;

/** Options for {@link Namespace.links}. */
export interface LinksOptions extends AbortOptions {
  /** Read each link's counters too ({@link Link.stats}). Default false: a faster dump. */
  stats?: boolean;
}

type State = 'open' | 'closed' | 'deleted';

/**
 * A network namespace: named (a file under /run/netns, shared with iproute2) or anonymous.
 *
 * The object holds an fd of the namespace and a netlink socket opened inside it, so every
 * operation on it is one netlink round trip with no switching. {@link Namespace.close}
 * releases them; {@link Namespace.delete} also removes the name, so the kernel can destroy the
 * namespace. With `await using`, a namespace made by {@link Namespace.create} is deleted at
 * the end of the scope and one opened otherwise is closed.
 *
 * @example
 * ```ts
 * await using ns = await Namespace.create('test1');   // ip netns add test1
 * const lo = await ns.link('lo');
 * await lo.up();                                       // ip -n test1 link set lo up
 * ```
 */
export class Namespace {
  /** The name under /run/netns, or undefined for an anonymous namespace. */
  readonly name: string | undefined;
  /** An nsfs path that refers to it: /run/netns/NAME, /proc/PID/ns/net, ... */
  readonly path: string;
  /**
   * The namespace's inode: its identity among the namespaces alive. Equal inode = same namespace;
   * the kernel gives a gone namespace's inode to the next one made.
   */
  readonly inode: bigint;

  /** Its cookie, once it was opened (see kCookie). */
  #cookie: bigint | undefined;
  /** The native handle, once calls may take it synchronously (see kHandleNow). */
  #handle: NativeHandle | undefined;
  /**
   * A lazy open (see kHandle): in progress, or done while calls that waited for it have yet to
   * queue their requests. Calls made meanwhile wait for it too, behind them.
   */
  #opening: Promise<NativeHandle> | undefined;
  /** The handle a lazy open gave, until it is published in #handle. */
  #opened: NativeHandle | undefined;
  /** Whether a call waited for #opening since its last check (see #publish). */
  #joined = false;
  #state: State = 'open';
  /** While calls made before close() or delete() are still being answered: until the handle is closed. */
  #releasing: Promise<void> | undefined;
  readonly #owned: boolean;

  private constructor(init: {
    name: string | undefined;
    path: string;
    inode: bigint;
    cookie?: bigint | undefined;
    handle?: NativeHandle;
    owned?: boolean;
  }) {
    this.name = init.name;
    this.path = init.path;
    this.inode = init.inode;
    this.#cookie = init.cookie;
    this.#owned = init.owned ?? false;
    if (init.handle) this.#adopt(init.handle);
  }

  /**
   * Creates a network namespace. With a name it is iproute2-compatible (`ip netns add NAME`):
   * `ip netns list` shows it and `ip -n NAME ...` works in it. Without one it is anonymous and
   * lives while this object (or a process, or a link's peer) refers to it.
   * Like `ip netns add`, the new namespace's `lo` is down. A stale entry of that name (a plain
   * file left under /run/netns by a process that died while creating or deleting a namespace;
   * see {@link StaleNamespace}) is removed and the name reused; an unmounted file younger than a
   * second, which may be `ip netns add` at work, is waited for up to that second.
   * With `signal`, an abort while the namespace is being made waits for it to be made and
   * deletes it again before rejecting (AbortError), so nothing is left and the name is free.
   * @example
   * ```ts
   * const ns = await Namespace.create('blue', { signal: AbortSignal.timeout(5000) });
   * ```
   * @throws NetnsError EEXIST if the name is taken (by a namespace, a creation in progress, or
   *   something else in the way, which the message names); EINVAL for an invalid name; EPERM
   *   without CAP_SYS_ADMIN; ABORT_ERR (an AbortError) when `signal` aborted it.
   */
  static async create(name?: string, options: CreateOptions = {}): Promise<Namespace> {
    const operation = name === undefined ? 'create an anonymous namespace' : `create namespace "${String(name)}"`;
    if (name !== undefined) checkNamespaceName(name, operation);
    checkObject(options, operation, 'options');
    const signal = checkSignal(options.signal, operation);
    let opened: NativeOpened;
    try {
      opened = await abortable(addon.createNamespace(NETNS_RUN_DIR, name ?? null), signal, operation, {
        undo: async (made) => {
          if (name !== undefined) await addon.deleteNamespace(NETNS_RUN_DIR, name, made.inode);
          addon.closeNamespace(made.handle);
        },
      });
    } catch (e) {
      throw fromNative(e, operation, 'namespace');
    }
    const nsPath =
      name !== undefined
        ? path.join(NETNS_RUN_DIR, name)
        : `/proc/${process.pid}/fd/${addon.namespaceFd(opened.handle)}`;
    return new Namespace({
      name,
      path: nsPath,
      inode: opened.inode,
      cookie: opened.cookie,
      handle: opened.handle,
      owned: true,
    });
  }

  /**
   * Opens an existing named namespace (`/run/netns/NAME`), made by this library, by
   * `ip netns add`, or by anything else that follows iproute2's convention.
   * @throws NetnsError ENOENT if there is no such namespace; EINVAL if the file is not a
   *   mounted namespace.
   */
  static async open(name: string): Promise<Namespace> {
    const operation = `open namespace "${String(name)}"`;
    checkNamespaceName(name, operation);
    return Namespace.#openPath(path.join(NETNS_RUN_DIR, name), name, operation);
  }

  /**
   * Opens the namespace an nsfs path refers to: /proc/PID/ns/net, /proc/PID/task/TID/ns/net,
   * a bind mount such as /run/netns/NAME or /run/docker/netns/ID.
   * @throws NetnsError ENOENT for a missing path; EINVAL if it is not a network namespace.
   */
  static async fromPath(nsPath: string): Promise<Namespace> {
    const operation = `open namespace at ${JSON.stringify(nsPath)}`;
    if (typeof nsPath !== 'string' || nsPath.length === 0)
      throw invalid(operation, 'the path must be a non-empty string');
    if (nsPath.includes('\0')) throw invalid(operation, 'the path contains a NUL byte');
    return Namespace.#openPath(nsPath, undefined, operation);
  }

  /**
   * Opens the network namespace of a process (`/proc/PID/ns/net`).
   * @throws NetnsError ESRCH if there is no such process.
   */
  static async fromPid(pid: number): Promise<Namespace> {
    const operation = `open the namespace of process ${String(pid)}`;
    checkInteger(pid, operation, 'the PID', 1, 0x3fffffff);
    try {
      return await Namespace.#openPath(`/proc/${pid}/ns/net`, undefined, operation);
    } catch (e) {
      if (e instanceof Error && (e as { code?: string }).code === 'ENOENT') {
        throw failure('ESRCH', operation, `no process with PID ${pid}`);
      }
      throw e;
    }
  }

  /**
   * Gives a name to the network namespace process `pid` is in, like `ip netns attach NAME PID`:
   * /run/netns/NAME is bind-mounted onto it, so `ip netns list`, `ip -n NAME ...` and
   * {@link Namespace.open} see it, and the name keeps the namespace alive after the process
   * exits (until {@link Namespace.delete}). The process's namespace is opened first and the name
   * bound to what was opened, so a PID reused in between cannot be named by mistake. As with ip,
   * any process will do, this one included (the namespace it runs in), and a namespace may have
   * several names. Resolves with the namespace opened under its new name; with `await using` it
   * is closed, not deleted, at the end of the scope (the name stays: it was made for others).
   * With `signal`, as {@link Namespace.create}: an abort before the call names nothing; one while
   * the name is being made waits for it and removes the name again (the namespace itself is
   * left as it was) before rejecting, so the name is free.
   * @example
   * ```ts
   * const c1 = await Namespace.attach('c1', containerPid);   // ip netns attach c1 PID
   * await c1.link('eth0');                                   // ip -n c1 link show eth0
   * ```
   * @throws NetnsError EEXIST if the name is taken (what is there is left as it was); EINVAL for
   *   an invalid name or PID; ESRCH if there is no such process; EACCES without the right to
   *   inspect that process; EPERM without CAP_SYS_ADMIN; ABORT_ERR (an AbortError) when
   *   `signal` aborted it. Nothing is left behind on failure.
   */
  static async attach(name: string, pid: number, options: AttachOptions = {}): Promise<Namespace> {
    const operation = `attach the name "${String(name)}" to the namespace of process ${String(pid)}`;
    checkNamespaceName(name, operation);
    checkInteger(pid, operation, 'the PID', 1, 0x3fffffff);
    checkOptionKeys(options, ATTACH_KEYS, operation);
    const signal = checkSignal(options.signal, operation);
    return Namespace.#attach(name, `/proc/${pid}/ns/net`, operation, signal, pid);
  }

  /**
   * Gives this namespace a name under /run/netns, like `ip netns attach NAME PID` for a process
   * inside it, but by the fd this object holds (no PID that could be reused): an anonymous
   * namespace from {@link Namespace.create} or {@link Namespace.fromPid} becomes visible to
   * `ip netns list` and `ip -n NAME`, and outlives this object. A namespace that has a name
   * already gets another one. Resolves with a new Namespace object for the name; this one is
   * unchanged (its `name` stays what it was). `signal` as for {@link Namespace.attach}.
   * @example
   * ```ts
   * const anon = await Namespace.create();
   * const named = await anon.attach('c2');   // now `ip netns exec c2 ...` works
   * ```
   * @throws NetnsError EEXIST if the name is taken (what is there is left as it was); EINVAL for
   *   an invalid name; EBADF if this object was closed or deleted; EPERM without CAP_SYS_ADMIN;
   *   ABORT_ERR (an AbortError) when `signal` aborted it.
   */
  async attach(name: string, options: AttachOptions = {}): Promise<Namespace> {
    const operation = `attach the name "${String(name)}" to ${describeNamespace(this)}`;
    checkNamespaceName(name, operation);
    checkOptionKeys(options, ATTACH_KEYS, operation);
    const signal = checkSignal(options.signal, operation);
    const handle = this[kHandleNow]() ?? (await this[kHandle](operation));
    // Aborted while the handle was being opened: name nothing rather than name and undo.
    if (signal?.aborted) throw abortError(operation, signal);
    return Namespace.#attach(name, handle, operation, signal);
  }

  /**
   * Binds /run/netns/NAME onto `source` (a /proc/PID/ns/net path or a handle's fd). An abort
   * waits for the bind and removes the name again, as create's does.
   */
  static async #attach(
    name: string,
    source: NativeHandle | string,
    operation: string,
    signal: AbortSignal | undefined,
    pid?: number,
  ): Promise<Namespace> {
    let opened: NativeOpened;
    try {
      opened = await abortable(addon.attachNamespace(NETNS_RUN_DIR, name, source), signal, operation, {
        undo: async (made) => {
          await addon.deleteNamespace(NETNS_RUN_DIR, name, made.inode);
          addon.closeNamespace(made.handle);
        },
      });
    } catch (e) {
      const error = fromNative(e, operation, 'namespace');
      if (pid !== undefined && typeof source === 'string') {
        if (error.code === 'ENOENT') throw failure('ESRCH', operation, `no process with PID ${pid}`);
        const syscall = (e as { syscall?: unknown }).syscall;
        if ((error.code === 'EACCES' || error.code === 'EPERM') && error.detail === undefined) {
          if (typeof syscall === 'string' && /^(stat|open|fstat)$/.test(syscall)) {
            throw withReason(error, pathRefusal(source));
          }
        }
      }
      throw error;
    }
    return new Namespace({
      name,
      path: path.join(NETNS_RUN_DIR, name),
      inode: opened.inode,
      cookie: opened.cookie,
      handle: opened.handle,
    });
  }

  static #current: Namespace | undefined;

  /**
   * The namespace this process runs in (more exactly: the one its JS thread is in, which
   * netns-native never changes). The same object is returned each time until it is closed.
   */
  static current(): Namespace {
    if (Namespace.#current && Namespace.#current.#state === 'open') return Namespace.#current;
    let opened: NativeOpened;
    try {
      opened = addon.currentNamespace();
    } catch (e) {
      throw fromNative(e, 'open the current namespace', 'namespace');
    }
    Namespace.#current = new Namespace({
      name: netnsNameSync(opened.inode),
      path: `/proc/${process.pid}/ns/net`,
      inode: opened.inode,
      cookie: opened.cookie,
      handle: opened.handle,
    });
    return Namespace.#current;
  }

  /**
   * The named namespaces, like `ip netns list`, sorted by name. Entries under /run/netns
   * that are not mounted namespaces (stray files) are skipped; with `includeStale: true`, the
   * stale ones among them (left by a process that died while creating or deleting a namespace)
   * are listed too, as {@link StaleNamespace} objects (`entry.stale === true`) that
   * {@link StaleNamespace.remove} clears. The Namespace objects open their fd and socket on
   * first use.
   * @example
   * ```ts
   * for (const entry of await Namespace.list({ includeStale: true })) {
   *   if (entry instanceof StaleNamespace) await entry.remove();   // what a crash left
   * }
   * ```
   * @throws NetnsError EMFILE, EACCES, ... when /run/netns cannot be read; EINVAL for bad options.
   */
  static async list(options?: ListOptions & { includeStale?: false }): Promise<Namespace[]>;
  static async list(options: ListOptions): Promise<Array<Namespace | StaleNamespace>>;
  static async list(options: ListOptions = {}): Promise<Array<Namespace | StaleNamespace>> {
    const operation = 'list namespaces';
    checkObject(options, operation, 'options');
    checkBoolean(options.includeStale, operation, 'includeStale');
    const signal = checkSignal(options.signal, operation);
    return abortable(Namespace.#list(options.includeStale === true, operation), signal, operation);
  }

  static async #list(includeStale: boolean, operation: string): Promise<Array<Namespace | StaleNamespace>> {
    let names: string[];
    try {
      names = await fs.promises.readdir(NETNS_RUN_DIR);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      if ((e as NodeJS.ErrnoException).code === 'EACCES') {
        // Its mode, not a capability, decides (CAP_SYS_ADMIN would not help).
        throw failure('EACCES', operation, `permission denied: ${NETNS_RUN_DIR} is not readable by this user`);
      }
      throw fromNative({ errno: errnoOf(e) ?? constants.errno.EIO }, operation, 'namespace');
    }
    const found = await Promise.all(
      names.sort().map(async (name) => {
        const nsPath = path.join(NETNS_RUN_DIR, name);
        const inode = await nsfsInode(nsPath);
        return inode === undefined ? name : new Namespace({ name, path: nsPath, inode });
      }),
    );
    const namespaces = found.filter((ns): ns is Namespace => ns instanceof Namespace);
    if (!includeStale) return namespaces;
    const stale = await staleAmong(
      found.filter((n): n is string => typeof n === 'string'),
      operation,
    );
    return [...namespaces, ...stale].sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1));
  }

  /**
   * Removes a stale name: /run/netns/NAME when it is a plain file left by a process that died
   * while creating or deleting that namespace (not a mount, no creator holding it, older than a
   * second). Resolves true if it was removed, false if there was nothing. A live namespace, a
   * creation in progress and anything else (a FIFO, a directory) are left alone.
   * `Namespace.create(NAME)` does the same on its own when the name is stale.
   * @example
   * ```ts
   * await Namespace.removeStale('blue');   // after a crash: then Namespace.create('blue') works
   * ```
   * @throws NetnsError EBUSY if it is a namespace or a creation in progress; EINVAL for an
   *   invalid name, or an entry that is not netns-native's to remove.
   */
  static async removeStale(name: string): Promise<boolean> {
    return removeStale(name);
  }

  static async #openPath(nsPath: string, name: string | undefined, operation: string): Promise<Namespace> {
    let opened: NativeOpened;
    try {
      opened = await addon.openNamespace(nsPath);
    } catch (e) {
      const error = fromNative(e, operation, 'namespace');
      if ((error.code === 'EACCES' || error.code === 'EPERM') && error.detail === undefined) {
        const syscall = (e as { syscall?: unknown }).syscall;
        if (typeof syscall === 'string' && /^(stat|open|fstat)$/.test(syscall)) {
          throw withReason(error, pathRefusal(nsPath));
        }
      }
      // A name a crash left behind: say so, and what clears it.
      throw (error.code === 'EINVAL' && (await explainNotANamespace(nsPath, operation))) || error;
    }
    if (name === undefined) {
      name = path.dirname(nsPath) === NETNS_RUN_DIR ? path.basename(nsPath) : await nameOf(opened.inode);
    }
    return new Namespace({ name, path: nsPath, inode: opened.inode, cookie: opened.cookie, handle: opened.handle });
  }

  /** @internal ' in namespace "test1"', or '' for the namespace this process runs in. */
  get where(): string {
    return this.inode === homeInode() ? '' : ` in ${describeNamespace(this)}`;
  }

  /** Whether close() or delete() was called (on this object, or delete() on another for the same namespace). */
  get closed(): boolean {
    return this.#state !== 'open';
  }

  /** @internal Its cookie (see kCookie). */
  async [kCookie](operation: string): Promise<bigint | undefined> {
    if (this.#cookie === undefined && this.#state === 'open') {
      await this[kHandle](operation).catch(() => undefined);
    }
    return this.#cookie;
  }

  /** @internal The native handle if it is open now, else undefined (see kHandleNow). */
  [kHandleNow](): NativeHandle | undefined {
    return this.#state === 'open' ? this.#handle : undefined;
  }

  /** @internal Its handle if open now, else its file (see kNamespaceFd). */
  [kNamespaceFd](operation: string): NativeHandle | NativeNamespaceFile {
    if (this.#state !== 'open') throw failure('EBADF', operation, `${describeNamespace(this)} was ${this.#state}`);
    return this.#handle ?? this.#opened ?? { path: this.path, inode: this.inode };
  }

  /**
   * @internal The native handle, opened on first use for namespaces from list(). Every call
   * waiting for that open gets the same promise, so they resume in the order they were made; the
   * handle is published to kHandleNow only once they all have (see #publish). Never throws.
   */
  [kHandle](operation: string): Promise<NativeHandle> {
    if (this.#state !== 'open') {
      return Promise.reject(failure('EBADF', operation, `${describeNamespace(this)} was ${this.#state}`));
    }
    if (this.#handle) return Promise.resolve(this.#handle);
    if (this.#opening) {
      this.#joined = true;
      return this.#opening;
    }
    return (this.#opening = this.#openLazily(operation));
  }

  #openLazily(operation: string): Promise<NativeHandle> {
    let open: Promise<NativeOpened>;
    try {
      open = addon.openNamespace(this.path);
    } catch (e) {
      open = Promise.reject(e as Error);
    }
    const opening: Promise<NativeHandle> = open.then(
      (opened) => {
        if (opened.inode !== this.inode || this.#state !== 'open') {
          addon.closeNamespace(opened.handle);
          this.#opening = undefined;
          if (this.#state !== 'open') {
            throw failure('EBADF', operation, `${describeNamespace(this)} was ${this.#state}`);
          }
          throw failure(
            'ESTALE',
            operation,
            `${describeNamespace(this)} was replaced by another namespace of the same name`,
          );
        }
        this.#opened = opened.handle;
        this.#cookie = opened.cookie;
        track(this);
        // Registered after every call waiting so far: runs once they have queued their requests.
        this.#joined = false;
        void opening.then(() => this.#publish(opening));
        return opened.handle;
      },
      (e: unknown) => {
        this.#opening = undefined;
        throw fromNative(e, operation, 'namespace');
      },
    );
    return opening;
  }

  /**
   * Makes a lazily opened handle what kHandleNow gives, once every call that waited for the open
   * has resumed (each queues its request as it resumes): until then a call made in the
   * microtasks after the open would take the handle at once and reach the FIFO before them.
   * Calls that joined the wait meanwhile resume before a check registered now: check again.
   */
  #publish(opening: Promise<NativeHandle>): void {
    if (this.#joined) {
      this.#joined = false;
      void opening.then(() => this.#publish(opening));
      return;
    }
    this.#opening = undefined;
    if (this.#state !== 'open') return; // released meanwhile (see #release)
    this.#handle = this.#opened;
    this.#opened = undefined;
  }

  #adopt(handle: NativeHandle): void {
    this.#handle = handle;
    track(this);
  }

  /**
   * Releases this object's fd and socket, once the calls already made on it have been answered
   * (see releaseWhenIdle); calls made from now on fail with EBADF. Idempotent. Resolves when
   * the handle is closed.
   */
  #release(state: State): Promise<void> | undefined {
    if (this.#state !== 'open') return this.#releasing;
    this.#state = state;
    const handle = this.#handle ?? this.#opened;
    this.#handle = this.#opened = undefined;
    untrack(this);
    endMonitors(this, state === 'deleted');
    if (handle === undefined) return undefined;
    this.#releasing = releaseWhenIdle(handle, () => {
      addon.closeNamespace(handle);
      namespaceReleased();
    });
    return this.#releasing;
  }

  /**
   * Deletes the namespace like `ip netns del`: removes its name (if it has one) and releases
   * every fd and socket netns-native holds on it, in any Namespace object, so the kernel can
   * destroy it once nothing else (a process, a mount) refers to it. Processes still inside keep
   * running. Idempotent.
   *
   * The kernel tears a namespace down asynchronously: a veth whose peer was inside disappears
   * from the peer's namespace a little later (some milliseconds), so re-creating the same pair at
   * once may fail with EEXIST. With `wait: true` the call resolves only once those peers are gone
   * (see {@link DeleteOptions.wait}); without it, it is as fast as ever.
   * @example
   * ```ts
   * await tenant.delete({ wait: true });                 // ip netns del tenant, then wait
   * await VethPair.create({ name: 'tenant-h', peerName: 'eth0', peerNamespace: await Namespace.create('tenant') });
   * ```
   * The namespace this process runs in is never deleted: through an object opened by a name
   * given to it ({@link Namespace.attach}), only that name is removed and only this object
   * released.
   * @throws NetnsError EBUSY for the namespace this process runs in (from
   *   {@link Namespace.current}, or without a name, or with `wait`), and with `wait` for one
   *   that processes or other names still keep alive (nothing is deleted then); ETIMEDOUT when
   *   `wait` ran out of `timeoutMs` (the name is gone by then); ABORT_ERR (an AbortError) when
   *   `signal` aborted the wait; EINVAL for bad options.
   */
  async delete(options: DeleteOptions = {}): Promise<void> {
    const operation = `delete ${describeNamespace(this)}`;
    checkObject(options, operation, 'options');
    const wait = checkBoolean(options.wait, operation, 'wait') ?? false;
    const timeoutMs =
      options.timeoutMs === undefined
        ? DEFAULT_DELETE_TIMEOUT_MS
        : checkInteger(options.timeoutMs, operation, 'timeoutMs', 1, 2 ** 31 - 1);
    if (!wait && options.timeoutMs !== undefined) throw invalid(operation, 'timeoutMs applies only with wait: true');
    const signal = checkSignal(options.signal, operation);
    if (this.#state === 'deleted') return;
    if (this.inode === homeInode()) {
      // A name given to this process's own namespace (Namespace.attach(NAME, process.pid), `ip
      // netns attach NAME $$`) can go, as `ip netns del NAME` lets it; the namespace stays, and
      // so do the other objects on it. Not through current(), which stands for the process's
      // namespace rather than for a name of it.
      if (this.name === undefined || wait || this === Namespace.#current) {
        throw failure('EBUSY', operation, 'this process runs in that namespace');
      }
      try {
        await this.#deleteName(this.name);
      } catch (e) {
        throw fromNative(e, operation, 'namespace');
      }
      await this.#release('deleted');
      return;
    }
    let peers: Peer[] = [];
    const listed: Namespace[] = [];
    if (wait) {
      await this.#checkNothingElseHolds(operation);
      const candidates = async (): Promise<Namespace[]> => {
        const open = [Namespace.current(), ...allTracked<Namespace>()];
        listed.push(...(await Namespace.list()).filter((n) => !open.some((o) => o.inode === n.inode)));
        return [...open, ...listed];
      };
      try {
        peers = await vethPeersOutside(this, candidates, operation);
      } catch (e) {
        await Promise.all(listed.map((n) => n.close()));
        throw e;
      }
    }
    if (this.name !== undefined) {
      try {
        await this.#deleteName(this.name);
      } catch (e) {
        await Promise.all(listed.map((n) => n.close()));
        throw fromNative(e, operation, 'namespace');
      }
    }
    const releases = [...tracked<Namespace>(this.inode), this].map((ns) => ns.#release('deleted'));
    await Promise.all(releases);
    try {
      await waitPeersGone(peers, timeoutMs, signal, operation);
    } finally {
      await Promise.all(listed.map((n) => n.close()));
    }
  }

  /**
   * Removes the name only while it still refers to this namespace, not to one made since. While
   * this object holds its fd the inode is proof enough (the kernel cannot give it to another);
   * once closed, the namespace may be gone and its inode given to the next one made, so the
   * namespace under the name is opened (which pins its inode until the name is removed) and
   * compared by cookie.
   */
  async #deleteName(name: string): Promise<void> {
    if (this.#state === 'open' || this.#cookie === undefined) {
      await addon.deleteNamespace(NETNS_RUN_DIR, name, this.inode);
      return;
    }
    let opened: NativeOpened;
    try {
      opened = await addon.openNamespace(path.join(NETNS_RUN_DIR, name));
    } catch {
      // Gone, stale or not a namespace: the inode check below decides, as without a cookie.
      await addon.deleteNamespace(NETNS_RUN_DIR, name, this.inode);
      return;
    }
    try {
      if (opened.cookie === undefined || opened.cookie === this.#cookie) {
        await addon.deleteNamespace(NETNS_RUN_DIR, name, this.inode);
      }
    } finally {
      addon.closeNamespace(opened.handle);
    }
  }

  /** With `wait`: what would keep the namespace alive after its name goes, refused up front. */
  async #checkNothingElseHolds(operation: string): Promise<void> {
    const pids = await pidsIn(this.inode);
    if (pids.length > 0) {
      const shown = pids.slice(0, 5).join(', ') + (pids.length > 5 ? `, ... (${pids.length})` : '');
      throw failure(
        'EBUSY',
        operation,
        `processes still run inside (${shown}: \`ip netns pids\`), so the kernel would keep it and its ` +
          'links; stop them first, or delete without wait',
      );
    }
    const names = ((await netnsNames()).get(this.inode) ?? []).filter((n) => n !== this.name);
    if (names.length > 0) {
      throw failure(
        'EBUSY',
        operation,
        `it is also mounted as ${names.map((n) => `"${n}"`).join(', ')} under ${NETNS_RUN_DIR}, which keeps it alive; ` +
          'delete that name too, or delete without wait',
      );
    }
  }

  /**
   * Releases this object's fd and socket; the namespace itself is left as it is. Idempotent.
   * Calls made before it still run and settle as usual (it resolves once they are answered and
   * the fd is closed); calls made after it fail with EBADF, except {@link Namespace.delete},
   * which still removes the name while it refers to this namespace (by its cookie: the kernel may
   * give a gone namespace's inode to the next one made).
   */
  async close(): Promise<void> {
    await this.#release('closed');
  }

  /** Deletes a namespace this object created; closes one it opened. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#owned) await this.delete();
    else await this.close();
  }

  /**
   * Every link in the namespace. `ip link show`; with `stats`, their counters too (`ip -s link
   * show`, {@link Link.stats}), which makes the dump of many links slower.
   */
  async links(options: LinksOptions = {}): Promise<Link[]> {
    const operation = `list links${this.where}`;
    if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
    checkBoolean(options.stats, operation, 'stats');
    const signal = checkSignal(options.signal, operation);
    const handle = this[kHandleNow]() ?? (await this[kHandle](operation));
    const op = options.stats ? ({ op: 'dumplinks', stats: 1 } as const) : ({ op: 'dumplinks' } as const);
    const infos = await abortable(request<NativeLink[]>(handle, op, operation, 'link', signal), signal, operation);
    return infos.map((info) => makeLink(this, info));
  }

  /**
   * One link, by name, alternative name ({@link Link.addAltName}) or index; a {@link Bridge}
   * when it is a bridge. `ip link show dev NAME`.
   * @throws NetnsError ENODEV if there is no such link; EINVAL for a name no link can have (a
   *   name is 1-15 bytes, an alternative name up to 127).
   */
  async link(nameOrIndex: string | number): Promise<Link> {
    const operation = `find link ${describeValue(nameOrIndex)}${this.where}`;
    // A name of 16 bytes or more can only be an alternative name: the addon then asks with
    // IFLA_ALT_IFNAME (a shorter one with IFLA_IFNAME, which the kernel matches against both).
    const key =
      typeof nameOrIndex === 'number'
        ? { index: checkInteger(nameOrIndex, operation, 'the link index', 1, 0x7fffffff) }
        : { name: checkLinkName(nameOrIndex, operation, 'link name', MAX_ALT_NAME_BYTES) };
    const handle = this[kHandleNow]() ?? (await this[kHandle](operation));
    return makeLink(this, await request<NativeLink>(handle, { op: 'getlink', ...key, stats: 1 }, operation, 'link'));
  }

  /**
   * Deletes many links at once, waiting on the kernel's RCU grace period once for all of them
   * instead of once per link: deleting 100 veth pairs costs about what deleting one does.
   * Deleting a veth end deletes its peer too, wherever the peer lives.
   *
   * How: each link is put into one fresh link group (IFLA_GROUP, a random id in
   * 0x80000000-0xffffffff; batched, 64 requests per sendmsg), then the group is deleted with one
   * RTM_DELLINK (`ip link set dev NAME group G` for each, then `ip link delete group G`). The
   * kernel checks every link of the group before deleting any, so the call either deletes them
   * all or none: on failure the links get their previous group back (as last read on each Link)
   * and the error says which link failed and that nothing was deleted. It is one call on the
   * namespace's FIFO from start to end: calls made after it run once it is done.
   *
   * @param links Links of this namespace; duplicates are ignored, an empty list does nothing.
   * @example
   * ```ts
   * const pairs = await Promise.all(names.map((name) => VethPair.create({ name, peerName: `${name}p` })));
   * await ns.deleteLinks(pairs.map((pair) => pair.local));
   * ```
   * @throws NetnsError EINVAL if a link is not a Link of this namespace; ENODEV if one is
   *   gone (nothing else is deleted then); EOPNOTSUPP for a link the kernel cannot delete (lo).
   */
  async deleteLinks(links: Iterable<Link>): Promise<void> {
    return deleteLinks(this, links);
  }

  /** Every IPv4 and IPv6 address on every link. `ip addr show`. */
  async addresses(options: AddressesOptions = {}): Promise<Address[]> {
    return listAddresses(this, options);
  }

  /**
   * Removes addresses, as `ip addr flush [dev LINK] [scope S] [label PATTERN] [to PREFIX]
   * [dynamic|permanent]` does: every address that the
   * filters select (all of them without any), IPv4 and IPv6, IPv6 link-local ones included
   * (`scope: 'global'` keeps those). The loopback's own 127.0.0.1/8 and ::1 go only when `link`
   * is lo. Repeats until a dump selects nothing (at most 10 rounds); an address that went
   * meanwhile (deleted by someone else, or by the kernel with its primary) is no error.
   * Resolves with the addresses it removed.
   * @example
   * ```ts
   * await ns.flushAddresses({ link: 'veth0' });                  // ip addr flush dev veth0
   * await ns.flushAddresses({ family: 6, scope: 'global' });     // ip -6 addr flush scope global
   * await ns.flushAddresses({ label: 'eth0:*' });                // ip addr flush label 'eth0:*'
   * ```
   * @throws NetnsError EINVAL for an unknown option or a bad family, scope, label, prefix or link name (before
   *   anything is sent); ENODEV if the link does not exist; EAGAIN when addresses keep coming
   *   back after 10 rounds.
   */
  async flushAddresses(options: FlushAddressesOptions = {}): Promise<Address[]> {
    return flushAddresses(this, options);
  }

  /**
   * Removes the routes of one table (main by default), as `ip route flush table T [dev LINK]
   * [proto P]`: IPv4 and IPv6 unless `family` says which (`ip route flush` alone does IPv4
   * only), the kernel's own routes (`proto kernel`, to connected subnets) included. Cached routes
   * are left alone, and so are the other tables unless `table` names them ('all' for every
   * one). A route that went meanwhile is no error. Resolves with the routes it removed.
   * With `cache: true`, the route exceptions instead (`ip route flush cache`): IPv4's all at
   * once (net.ipv4.route.flush in the namespace), IPv6's one by one.
   * @example
   * ```ts
   * await ns.flushRoutes();                                      // ip route flush table main; ip -6 route flush table main
   * await ns.flushRoutes({ table: 100, family: 6 });             // ip -6 route flush table 100
   * await ns.flushRoutes({ link: eth0, protocol: 'static' });    // ip route flush dev eth0 proto static
   * await ns.flushRoutes({ cache: true });                       // ip route flush cache; ip -6 route flush cache
   * ```
   * @throws NetnsError EINVAL for an unknown option, table name or protocol, a bad family or link
   *   name, with `cache` a link, protocol or table for the IPv4 exceptions (before anything is
   *   sent); ENODEV if the link does not exist.
   */
  async flushRoutes(options: FlushRoutesOptions = {}): Promise<Route[]> {
    return flushRoutes(this, options);
  }

  /**
   * Removes neighbour entries (the ARP and NDP cache), as `ip neigh flush [dev LINK] [nud
   * STATE]`: by default every entry but 'permanent' and 'noarp' ones; `state` picks others
   * ('all': all but 'noarp'). As ip, entries learned outside the kernel (`extLearned`) go
   * whatever their state, and an entry that is still in use may stay behind as 'failed' (after
   * the first round, 'failed' ones are left). Proxy entries stay unless `proxy: true`, which
   * flushes them instead (`ip neigh flush proxy`). Resolves with the entries it removed.
   * @example
   * ```ts
   * await ns.flushNeighbours({ link: eth0 });                    // ip neigh flush dev eth0
   * await ns.flushNeighbours({ state: 'all', family: 4 });       // ip -4 neigh flush all nud all
   * await ns.flushNeighbours({ proxy: true });                   // ip neigh flush proxy
   * ```
   * @throws NetnsError EINVAL for an unknown option or state, a bad family or link name, a
   *   state with `proxy: true` (before anything is sent); ENODEV if the link does not exist.
   */
  async flushNeighbours(options: FlushNeighboursOptions = {}): Promise<Neighbour[]> {
    return flushNeighbours(this, options);
  }

  /**
   * The routes of one table (main by default, as `ip route`; `table: 0` for all), IPv4 and
   * IPv6 unless `family` says otherwise. Cached (cloned) routes are left out; `cache: true`
   * lists them instead (`ip route show cache`): the route exceptions, each with `cached: true`.
   * @example
   * ```ts
   * await ns.routes({ family: 4 });                              // ip route show
   * await ns.routes({ cache: true, family: 6 });                 // ip -6 route show cache
   * ```
   * @throws NetnsError EINVAL for a bad family, table, realm or `cache` (before anything is sent).
   */
  async routes(options: RoutesOptions = {}): Promise<Route[]> {
    return listRoutes(this, options);
  }

  /**
   * Which route the kernel takes to `address`: `ip route get ADDRESS [from SRC] [iif LINK]
   * [oif LINK] [mark N] [tos T] [uid N] [ipproto P sport N dport N] [fibmatch]`. The kernel
   * resolves it as it would a packet (rules, marks, multipath hashing, the input link), in one
   * RTM_GETROUTE. The answer is the resolved route: `destination` the address itself (/32 or
   * /128), the link and gateway the packet leaves by, `source` the address the kernel would send
   * from, `table` the table it came from; with `fibMatch`, the route as the table holds it.
   * @example
   * ```ts
   * const r = await ns.routeTo('198.18.5.7'); // { destination: '198.18.5.7/32', gateway: '198.18.0.2', link: 'eth0', source: '198.18.0.1', table: 254, ... }
   * await ns.routeTo('fd00::9', { source: 'fd00::1', outputLink: eth0, mark: 7, fibMatch: true });
   * ```
   * @throws NetnsError ENETUNREACH if no route covers the address; EHOSTUNREACH for an
   *   unreachable route (or, with `inputLink`, a link that does not forward); EACCES for a
   *   prohibit route; EINVAL for a blackhole route, and for bad input (before anything is sent);
   *   ENODEV if a link named does not exist.
   */
  routeTo(address: string, options?: RouteToOptions): Promise<RouteLookup> {
    return routeTo(this, address, options);
  }

  /**
   * `ip route add ...`; with `{ replace: true }` `ip route replace`, with `{ append: true }`
   * `ip route append`, with `{ prepend: true }` `ip route prepend`.
   * @example
   * ```ts
   * await ns.addRoute({ destination: 'default', gateway: '198.18.0.1' });
   * await ns.addRoute({ destination: '198.19.0.0/24', link: 'veth0' });
   * await ns.addRoute({ destination: 'default', gateway: '198.18.0.254' }, { replace: true });
   * // ip -echo route add 198.19.1.0/24 via 198.18.0.1: the route as the kernel made it
   * const made = await ns.addRoute({ destination: '198.19.1.0/24', gateway: '198.18.0.1' }, { echo: true });
   * made.link; // the link the kernel chose for the gateway, made.protocol 'boot', made.scope 'global'
   * ```
   * With `echo: true`, `ip -echo route add ...`: resolves with the route as the kernel made it
   * and sent it back (the link it picked for the gateway, its protocol, scope, metrics, IPv6's
   * default metric 1024 and preference).
   * @throws NetnsError EEXIST if it exists (without `replace`; with `append`, if the same route
   *   exists); ENETUNREACH if the gateway is not on a connected subnet; ENODEV if the link does
   *   not exist; EPROTO (with `echo`) if the kernel added the route but sent none back.
   */
  addRoute(route: RouteSpec, options: AddRouteOptions & { echo: true }): Promise<Route>;
  addRoute(route: RouteSpec, options?: AddRouteOptions & { echo?: false }): Promise<void>;
  addRoute(route: RouteSpec, options?: AddRouteOptions): Promise<Route | void>;
  addRoute(route: RouteSpec, options?: AddRouteOptions): Promise<Route | void> {
    return addRoute(this, route, options);
  }

  /**
   * `ip route del ...`: deletes the route matching the destination, table and whatever else
   * is given (gateway, link, metric). A listed IPv6 route exception (`cached: true`) deletes
   * that exception alone (one gone already is no error: the kernel answers so).
   * With `echo: true`, `ip -echo route del ...`: resolves with the route as the kernel removed
   * it and sent it back (the one the spec matched, in full: its gateway, link, metric, protocol).
   * @example
   * ```ts
   * await ns.deleteRoute({ destination: '198.19.0.0/24', link: 'veth0' });
   * const gone = await ns.deleteRoute({ destination: '198.19.1.0/24' }, { echo: true }); // gone.gateway: '198.18.0.1'
   * ```
   * @throws NetnsError ESRCH if no route matches; EINVAL for an IPv4 route exception (the kernel
   *   deletes none alone: flushRoutes({ cache: true }) drops them all); EPROTO (with `echo`) if
   *   the kernel removed the route but sent none back.
   */
  deleteRoute(route: RouteSpec, options: DeleteRouteOptions & { echo: true }): Promise<Route>;
  deleteRoute(route: RouteSpec, options?: DeleteRouteOptions & { echo?: false }): Promise<void>;
  deleteRoute(route: RouteSpec, options?: DeleteRouteOptions): Promise<Route | void>;
  deleteRoute(route: RouteSpec, options?: DeleteRouteOptions): Promise<Route | void> {
    return deleteRoute(this, route, options);
  }

  /**
   * The neighbour entries (ARP and NDP cache), like `ip neigh show [dev LINK]`. As `ip neigh`,
   * 'noarp' entries are left out unless `all` is set. With `proxy: true`, the proxy entries
   * instead (`ip neigh show proxy`).
   * @example
   * ```ts
   * for (const n of await ns.neighbours({ link: eth0, family: 4 })) console.log(n.address, n.mac, n.state);
   * const proxied = await ns.neighbours({ proxy: true }); // [{ address: '198.18.0.5', proxy: true, ... }]
   * ```
   * @throws NetnsError EINVAL for bad options; ENODEV if the link does not exist.
   */
  async neighbours(options: NeighboursOptions = {}): Promise<Neighbour[]> {
    return listNeighbours(this, options);
  }

  /**
   * One neighbour entry, read from the kernel by its address and link: `ip neigh get ADDRESS dev
   * LINK` (with `proxy: true`, `ip neigh get proxy ADDRESS dev LINK`). One RTM_GETNEIGH, not a
   * dump; an entry in any state ('noarp' too).
   * @example
   * ```ts
   * const n = await ns.neighbour('198.18.0.9', { link: 'eth0' }); // { address: '198.18.0.9', mac: '02:00:00:00:00:09', state: 'permanent', ... }
   * await ns.neighbour('198.18.0.5', { link: eth0, proxy: true });
   * ```
   * @throws NetnsError ENOENT if there is no such entry (as the kernel says it); ENODEV if the
   *   link does not exist; EINVAL for a malformed address or bad options (before anything is sent).
   */
  async neighbour(address: string, options: NeighbourOptions): Promise<Neighbour> {
    return getNeighbour(this, address, options);
  }

  /**
   * Adds a neighbour entry: a static ARP (IPv4) or NDP (IPv6) entry by default.
   * `ip neigh add ADDRESS lladdr MAC dev LINK nud permanent`; with `replace: true`,
   * `ip neigh replace` (add or change). With `proxy: true`, a proxy entry: `ip neigh add proxy
   * ADDRESS dev LINK`.
   * @example
   * ```ts
   * await ns.addNeighbour({ link: eth0, address: '198.18.0.9', mac: '02:00:00:00:00:09' });
   * await ns.addNeighbour({ link: eth0, address: '198.18.0.5', proxy: true });
   * ```
   * @throws NetnsError EINVAL for a malformed address or MAC, an unknown state (before any
   *   syscall); EEXIST if the entry exists (without `replace`); ENODEV if the link does not.
   */
  async addNeighbour(neighbour: NeighbourSpec, options: { replace?: boolean } = {}): Promise<void> {
    return addNeighbour(this, neighbour, (options as { replace?: boolean } | null)?.replace === true);
  }

  /**
   * Deletes a neighbour entry. `ip neigh del ADDRESS dev LINK`; with `proxy: true`, a proxy
   * entry (`ip neigh del proxy ADDRESS dev LINK`).
   * @throws NetnsError ENOENT if there is no such entry.
   */
  async deleteNeighbour(neighbour: Pick<NeighbourSpec, 'link' | 'address' | 'proxy'>): Promise<void> {
    return deleteNeighbour(this, neighbour);
  }

  /**
   * The routing policy rules, IPv4 and IPv6, in priority order per family: every one, or those
   * the selectors given all select (a `RuleFilter`, matched as ip matches them). `ip rule
   * show [SELECTOR]`.
   * @example
   * ```ts
   * const rules = await ns.rules({ family: 4 });   // priority 0 local, 32766 main, 32767 default
   * await ns.rules({ from: '198.18.0.0/16' });     // ip rule show from 198.18.0.0/16
   * ```
   * @throws NetnsError EINVAL for an unknown option or a bad selector, naming it.
   */
  async rules(options: RulesOptions = {}): Promise<Rule[]> {
    return listRules(this, options);
  }

  /**
   * Adds a routing policy rule. `ip rule add [from PREFIX] [to PREFIX] [iif LINK] [fwmark M]
   * [priority N] table T`.
   * @example
   * ```ts
   * await ns.addRule({ from: '198.18.5.0/24', table: 100, priority: 1000 });
   * ```
   * With `echo: true`, `ip -echo rule add ...`: resolves with the rule as the kernel made it and
   * sent it back (the priority it picked when none was given, its protocol, `table main` when
   * no action was given).
   * @example const made = await ns.addRule({ from: '198.18.6.0/24', table: 100 }, { echo: true }) // made.priority: 32765
   * @throws NetnsError EINVAL for a malformed prefix, an unknown action, mixed families (before
   *   any syscall); EEXIST if the same rule exists; EPROTO (with `echo`) if the kernel added the
   *   rule but sent none back.
   */
  addRule(rule: RuleSpec, options: AddRuleOptions & { echo: true }): Promise<Rule>;
  addRule(rule: RuleSpec, options?: AddRuleOptions & { echo?: false }): Promise<void>;
  addRule(rule: RuleSpec, options?: AddRuleOptions): Promise<Rule | void>;
  async addRule(rule: RuleSpec, options?: AddRuleOptions): Promise<Rule | void> {
    return addRule(this, rule, options);
  }

  /**
   * Deletes the rule matching everything given (a Rule from {@link Namespace.rules} matches
   * exactly itself). `ip rule del ...`. With `echo: true`, `ip -echo rule del ...`: resolves
   * with the rule as the kernel removed it and sent it back (the first that matched, in full).
   * @example
   * ```ts
   * await ns.deleteRule({ from: '198.18.5.0/24', table: 100 });
   * const gone = await ns.deleteRule({ priority: 1000 }, { echo: true }); // gone.from, gone.table
   * ```
   * @throws NetnsError ENOENT if no rule matches; EPROTO (with `echo`) if the kernel removed the
   *   rule but sent none back.
   */
  deleteRule(rule: RuleSpec | Rule, options: DeleteRuleOptions & { echo: true }): Promise<Rule>;
  deleteRule(rule: RuleSpec | Rule, options?: DeleteRuleOptions & { echo?: false }): Promise<void>;
  deleteRule(rule: RuleSpec | Rule, options?: DeleteRuleOptions): Promise<Rule | void>;
  async deleteRule(rule: RuleSpec | Rule, options?: DeleteRuleOptions): Promise<Rule | void> {
    return deleteRule(this, rule, options);
  }

  /**
   * Deletes the policy-routing rules the selectors select (a `RuleFilter`, as
   * {@link Namespace.rules} takes it): `ip rule flush [SELECTOR]`, both families unless `family`
   * or a prefix says (ip flushes IPv4 only unless told).
   * As ip, every rule but the kernel's rule 0 (`lookup local`) goes when no filter is given:
   * the `main` and `default` rules (32766, 32767) too, after which nothing but local addresses
   * is reachable until they are added again. In rounds as the other flushes; resolves with the
   * rules it removed.
   * @example
   * ```ts
   * await ns.flushRules({ table: 100 });          // ip rule flush table 100
   * await ns.flushRules({ protocol: 'static' });  // ip rule flush protocol static
   * await ns.flushRules({ fwmark: 0x10 });        // ip rule flush fwmark 0x10
   * ```
   * @throws NetnsError EINVAL for an unknown option or a bad filter (before anything is sent).
   */
  async flushRules(options: FlushRulesOptions = {}): Promise<Rule[]> {
    return flushRules(this, options);
  }

  /**
   * The nexthop objects (`ip nexthop show [id N] [dev LINK] [groups]`), by id.
   * @example
   * ```ts
   * const [nh] = await ns.nexthops({ id: 1 });   // { id: 1, gateway: '198.18.0.1', link: 'veth0', ... }
   * ```
   * @throws NetnsError EINVAL for a bad filter; EOPNOTSUPP on a kernel before 5.3.
   */
  async nexthops(options: NexthopsOptions = {}): Promise<NexthopObject[]> {
    return listNexthops(this, options);
  }

  /**
   * The buckets of the resilient nexthop groups (`ip nexthop bucket show [id N] [dev LINK]`): for
   * each, its index, the member holding it and how long it has been idle.
   * @example
   * ```ts
   * const buckets = await ns.nexthopBuckets({ id: 20 }); // [{ id: 20, index: 0, nexthopId: 1, idleTime: 3.2 }, ...]
   * ```
   * @throws NetnsError EINVAL for a bad filter; EOPNOTSUPP on a kernel before 5.13.
   */
  async nexthopBuckets(options: NexthopBucketsOptions = {}): Promise<NexthopBucket[]> {
    return listNexthopBuckets(this, options);
  }

  /**
   * Adds a nexthop object, which routes then use by its id (RouteSpec.nexthopId). `ip nexthop
   * add id N via GW dev LINK`, `... blackhole`, `... group 1/2,3`; with `{ replace: true }`,
   * `ip nexthop replace` (routes using it follow the change). Without `id`, the kernel picks a
   * free one. Resolves with the nexthop made, as the kernel sends it back (`ip -echo nexthop
   * add`), its id included.
   * @example
   * ```ts
   * await ns.addNexthop({ id: 1, gateway: '198.18.0.1', link: 'veth0' });
   * const { id } = await ns.addNexthop({ gateway: '198.18.0.2', link: 'veth0' }); // the kernel's pick
   * await ns.addNexthop({ id: 10, group: [{ id: 1 }, { id, weight: 3 }] });
   * await ns.addRoute({ destination: '198.51.100.0/24', nexthopId: 10 });
   * ```
   * @throws NetnsError EINVAL for a bad id, weight or address, a group containing itself, a
   *   blackhole with a gateway, ... (before any syscall), or a group member that does not exist
   *   (the kernel's "Invalid nexthop id"); EEXIST if the id is taken (without replace); ENODEV
   *   for an unknown link.
   */
  async addNexthop(nexthop: NexthopObjectSpec, options?: AddNexthopOptions): Promise<NexthopObject> {
    return addNexthop(this, nexthop, options);
  }

  /**
   * Deletes the nexthop object of that id. `ip nexthop del id N`. The routes that use it go with
   * it, and groups lose it as a member (a group left empty is deleted too). With `echo: true`,
   * `ip -echo nexthop del id N`: resolves with the nexthop as the kernel removed it and sent it
   * back.
   * @example
   * ```ts
   * await ns.deleteNexthop(1);
   * const gone = await ns.deleteNexthop(2, { echo: true }); // { id: 2, gateway: '198.18.0.2', link: 'veth0', ... }
   * ```
   * @throws NetnsError ENOENT if there is none of that id; EPROTO (with `echo`) if the kernel
   *   removed it but sent none back.
   */
  deleteNexthop(id: number, options: DeleteNexthopOptions & { echo: true }): Promise<NexthopObject>;
  deleteNexthop(id: number, options?: DeleteNexthopOptions & { echo?: false }): Promise<void>;
  deleteNexthop(id: number, options?: DeleteNexthopOptions): Promise<NexthopObject | void>;
  async deleteNexthop(id: number, options?: DeleteNexthopOptions): Promise<NexthopObject | void> {
    return deleteNexthop(this, id, options);
  }

  /**
   * Deletes the nexthop objects the filters select, every one by default (and with them the
   * routes using them): `ip nexthop flush [id N] [groups] [dev LINK] [proto P] [fdb]`, in rounds
   * as the other flushes, until a dump selects nothing. Resolves with the nexthops it removed (a
   * group the kernel deleted along with its last member among them).
   * @example
   * ```ts
   * await ns.flushNexthops();                    // ip nexthop flush
   * await ns.flushNexthops({ link: 'eth0' });    // ip nexthop flush dev eth0
   * ```
   * @throws NetnsError EINVAL for an unknown option or a bad filter (before anything is sent);
   *   ENODEV if the link does not exist.
   */
  async flushNexthops(options: FlushNexthopsOptions = {}): Promise<NexthopObject[]> {
    return flushNexthops(this, options);
  }

  /**
   * The id this namespace uses for `other` (its nsid: what `ip -n THIS netns list-id` shows, and
   * what a veth's `parentNetnsId` is in), assigned now if it has none (`ip -n THIS netns set
   * OTHER auto`).
   * @example
   * ```ts
   * const id = await test1.nsid(test2);   // 0
   * ```
   * @throws NetnsError EINVAL if `other` is not a Namespace; EBADF if either is closed.
   */
  async nsid(other: Namespace): Promise<number> {
    return namespaceId(this, other);
  }

  /**
   * Gives `other` the id `nsid` in this namespace, `ip -n THIS netns set OTHER NSID`: for tools
   * that expect a given number (a veth's `parentNetnsId`, `ip link ... link-netnsid N`). Each
   * namespace numbers the others on its own; an id, once given, stays until `other` is gone.
   * @example
   * ```ts
   * await test1.setNsid(test2, 17);   // ip -n test1 netns set test2 17
   * ```
   * @throws NetnsError EINVAL for an id outside 0-2147483647 or an `other` that is not a
   *   Namespace; EEXIST if `other` has an id here already (the kernel never changes one) or the
   *   id is another namespace's (the message says which); EBADF if either is closed.
   */
  async setNsid(other: Namespace, nsid: number): Promise<void> {
    return setNamespaceId(this, other, nsid);
  }

  /**
   * The id this namespace uses for `other`, or undefined when it has given it none: read only,
   * nothing is assigned (unlike {@link Namespace.nsid}). What `ip -n THIS netns list` shows after
   * a name: `NAME (id: N)`.
   * @example
   * ```ts
   * await test1.knownNsid(test2);   // undefined, until test1.nsid(test2) or a veth gives it one
   * ```
   * @throws NetnsError EINVAL if `other` is not a Namespace; EBADF if either is closed.
   */
  async knownNsid(other: Namespace): Promise<number | undefined> {
    const operation = `read the id of ${describeNamespace(other)}${this.where}`;
    checkNamespaceArg(other, operation);
    return knownNamespaceId(this, other, operation);
  }

  /**
   * Every id this namespace gives other namespaces, ascending, as `ip -n THIS netns list-id`
   * lists them (one RTM_GETNSID dump). With `targetNsid`, those of the namespace this one numbers
   * so (`ip -n THIS netns list-id target-nsid N`), each with `currentNsid`, this namespace's id
   * for the same peer (null when it has none). An id says nothing of the peer's name: compare
   * {@link Namespace.knownNsid} of the named namespaces.
   * @example
   * ```ts
   * await root.nsids();                    // [{ nsid: 0 }, { nsid: 5 }]
   * await root.nsids({ targetNsid: 5 });   // [{ nsid: 0, currentNsid: 2 }]
   * ```
   * @throws NetnsError EINVAL for an unknown option, a `targetNsid` outside 0-2147483647, or one
   *   no namespace has here; EBADF if the namespace is closed.
   */
  async nsids(options: NsidsOptions = {}): Promise<NsidEntry[]> {
    return namespaceIds(this, options);
  }

  /**
   * A network sysctl of this namespace, as `ip netns exec NAME sysctl -n KEY` reads it (the file
   * under /proc/sys/net, without its trailing newline; several numbers are separated by a tab, as
   * sysctl(8) prints them). Keys are spelt as sysctl(8) spells them, 'net.ipv4.ip_forward' or
   * 'net/ipv4/ip_forward'; an interface whose name has a dot is 'net/ipv4/conf/eth0.5/rp_filter'
   * (or, as sysctl(8) prints it, 'net.ipv4.conf.eth0/5.rp_filter'). Only the `net.` tree, the one
   * the kernel keeps per network namespace.
   * @example
   * ```ts
   * await ns.sysctl('net.ipv4.ip_forward');              // '0'
   * await ns.sysctl('net.ipv4.ip_local_port_range');     // '32768\t60999'
   * ```
   * @throws NetnsError EINVAL for a key outside `net.`, an empty part, '..', whitespace or NUL
   *   (nothing is read); ENOENT for a key the namespace does not have (the message names it);
   *   EISDIR for a directory of keys; EBADF if this object was closed or deleted.
   */
  async sysctl(key: string): Promise<string> {
    return readSysctl(this, key);
  }

  /**
   * Sets a network sysctl of this namespace, `ip netns exec NAME sysctl -w KEY=VALUE`, and
   * resolves with its value before (the kernel is not written when the value is already that).
   * Only this namespace changes: a namespace has its own copy of every `net.` key.
   * @example
   * ```ts
   * await router.setSysctl('net.ipv4.ip_forward', 1);                  // '0'
   * await router.setSysctl('net.ipv4.conf.eth0.rp_filter', 2);
   * await router.setSysctl('net.ipv6.conf.all.forwarding', '1');
   * await router.setSysctl('net.ipv4.ip_local_port_range', '20000 30000');
   * ```
   * @throws NetnsError EINVAL for a bad key (as {@link Namespace.sysctl}), an empty value, a
   *   newline or NUL in it, or a value the kernel refuses (the message names key and value;
   *   nothing changed); ENOENT for an unknown key; EACCES for a read-only key; EBADF if this
   *   object was closed or deleted.
   */
  async setSysctl(key: string, value: string | number): Promise<string> {
    return writeSysctl(this, key, value);
  }

  /**
   * The multicast addresses every link of this namespace listens on, `ip -n NAME maddr show`:
   * link-layer addresses in each link's filter (family 'link'), IPv4 and IPv6 groups joined (4,
   * 6), with their users' count; by link index, then link layer, IPv4, IPv6, as ip lists them.
   * IP groups come from an RTM_GETMULTICAST dump (IPv4 before Linux 6.14: /proc/net/igmp), the
   * users' counts and link-layer addresses from /proc/net, read inside the namespace.
   * @example
   * ```ts
   * const groups = await ns.multicastAddresses({ family: 6 });
   * // [{ family: 6, address: 'ff02::1', linkIndex: 1, users: 1 }, ...]
   * ```
   * @throws NetnsError EINVAL for a family other than 'link', 4 or 6 or an unknown option;
   *   ABORT_ERR when `signal` aborted it; EBADF if this object was closed.
   */
  async multicastAddresses(options: MulticastAddressesOptions = {}): Promise<MulticastAddress[]> {
    return listMulticastAddresses(this, undefined, options, `list multicast addresses${this.where}`);
  }

  /**
   * The IP configuration the kernel keeps per family and link, `ip -n NAME netconf show [dev
   * LINK]`: one entry per family for every link, plus 'all' (the namespace-wide switches) and
   * 'default' (what new links start with). Each value is there only when the kernel reports it
   * for the family (IPv4 has rpFilter, IPv6 does not). Change them with {@link Namespace.setSysctl}.
   * @example
   * ```ts
   * await ns.setSysctl('net.ipv4.conf.all.forwarding', 1);
   * const [all] = await ns.netconf({ family: 4, link: 'all' });
   * // { family: 4, link: 'all', linkIndex: -1, forwarding: true, rpFilter: 0, mcForwarding: false, ... }
   * ```
   * @throws NetnsError EINVAL for a family other than 4 or 6, a bad link name or a Link of another
   *   namespace; ENODEV for a link the namespace does not have; EBADF if this object was closed.
   */
  async netconf(options?: NetconfOptions): Promise<Netconf[]> {
    return listNetconf(this, options);
  }

  /**
   * Pings an address from inside this namespace (ICMP or ICMPv6 echo over a raw socket opened
   * here), like `ip netns exec NAME ping -c 3 ADDRESS`. Resolves with what came back, also when
   * nothing did; rejects only when no request could be sent (e.g. no route: ENETUNREACH).
   */
  async ping(address: string, options: PingOptions = {}): Promise<PingResult> {
    const operation = `ping ${String(address)}${this.where}`;
    // The handle is asked for after the input is checked: bad input never opens anything.
    return ping(() => this[kHandle](operation), address, options, operation);
  }

  /**
   * Starts a program inside this namespace, like `ip netns exec NAME command args...`: a new
   * mount namespace with /sys remounted for this network namespace and every file under
   * /etc/netns/NAME/ bound over the same file under /etc (so a per-namespace resolv.conf and
   * hosts work). `unshare`, `hostname` and `join` add namespaces of the other types. Every fd
   * of this process that `stdio` does not pass is closed in the program.
   *
   * Returns Node's own ChildProcess, which is the program itself: stdio, env, cwd, kill(),
   * 'exit' and 'close' behave as with Node's own spawn(). A program that cannot be started
   * gives the same 'error' event (ENOENT, EACCES). With `unshare: ['pid']` (or `join.pid`) the
   * helper stays as the program's parent, PID 1's parent outside the new PID namespace: it
   * forwards signals (a signal the program has no handler for, which the kernel would not
   * deliver to a PID 1, kills it as it would any other process), and exits as the program did.
   *
   * @throws NetnsError (synchronously, before anything is spawned) EINVAL for bad options,
   *   EBADF for a closed or deleted namespace, ENOENT/ESTALE for a name that is gone or
   *   replaced. A namespace step that fails inside the helper (EPERM joining a namespace, ...)
   *   is emitted as 'error' with a NetnsError.
   * @example
   * ```ts
   * const child = ns.spawn('ip', ['-json', 'addr'], { stdio: 'inherit' });
   * const box = ns.spawn('sh', ['-c', 'hostname; echo $$'], { hostname: 'box', unshare: ['pid'] });
   * ```
   */
  spawn(command: string, args?: readonly string[], options?: SpawnOptions): ChildProcess;
  spawn(command: string, options?: SpawnOptions): ChildProcess;
  spawn(command: string, args?: readonly string[] | SpawnOptions, options?: SpawnOptions): ChildProcess {
    return execModule(`run ${JSON.stringify(String(command))}${this.where}`).spawnIn(this, command, args, options);
  }

  /**
   * Runs a program inside this namespace (as {@link Namespace.spawn}) to its end and collects
   * its output. Resolves whatever the exit status; rejects (NetnsError) only when the program
   * could not be started: ENOENT for a missing program, EINVAL for bad options, ...
   * @example
   * ```ts
   * const { stdout, exitCode } = await ns.exec('cat', ['/etc/resolv.conf']);
   * ```
   */
  exec(command: string, args?: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  exec(command: string, args?: readonly string[] | ExecOptions, options?: ExecOptions): Promise<ExecResult> {
    let exec: typeof import('./process/exec');
    try {
      exec = execModule(`run ${JSON.stringify(String(command))}${this.where}`);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return exec.execIn(this, command, args, options);
  }

  /**
   * Makes `server` (a net.Server, http.Server, ...) listen on a TCP port inside this
   * namespace: the socket is created, bound and put to listen in the namespace, then handed to
   * `server.listen({ fd })`. Connections are served by this process as usual.
   * @throws NetnsError EADDRINUSE, EADDRNOTAVAIL (the host is not an address of this
   *   namespace), EINVAL for bad options or a server already listening.
   * @example
   * ```ts
   * const server = http.createServer((req, res) => res.end('hi'));
   * await ns.listen(server, { port: 8080, host: '198.18.0.1' });
   * ```
   */
  async listen(server: net.Server, options: ListenOptions): Promise<void> {
    return socketsModule(`listen${this.where}`).listenIn(this, server, options);
  }

  /**
   * A TCP connection made from inside this namespace (the socket is created there; the
   * handshake is awaited on the event loop). Resolves with a connected net.Socket.
   * @throws NetnsError ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ETIMEDOUT (after `timeoutMs`,
   *   default 30 s).
   */
  async connect(options: ConnectOptions): Promise<net.Socket> {
    return socketsModule(`connect${this.where}`).connectIn(this, options);
  }

  /**
   * A UDP socket created and bound inside this namespace (default: any address, a free port),
   * as a dgram.Socket already listening.
   * @throws NetnsError EADDRINUSE, EADDRNOTAVAIL, EINVAL.
   */
  async createUdpSocket(type: 'udp4' | 'udp6', bind?: UdpBindOptions): Promise<dgram.Socket> {
    return socketsModule(`create a UDP socket${this.where}`).createUdpSocketIn(this, type, bind);
  }

  /**
   * Watches the namespace change, like `ip -n NAME monitor link address route`: an async
   * iterator of events in the kernel's order (a link, address or route new or deleted), which
   * makes up for the notifications the kernel drops under load with a `resync` holding the whole
   * fresh state, adds the deletes of the IPv4 routes the kernel removes silently, and ends with
   * `namespace-deleted` when the namespace is deleted. One socket, read on the event loop.
   * See {@link Monitor} and docs/API.md.
   * @throws NetnsError (synchronously) EINVAL for bad options ('neighbour' is not offered
   *   yet), EBADF for a closed or deleted namespace. A failure to start (EPERM, ...) is thrown
   *   by the iteration and by `ready`.
   * @example
   * ```ts
   * for await (const e of ns.monitor({ events: ['link'] })) {
   *   if (e.type === 'link') console.log(`${e.link.name} ${e.link.operState}`);
   * }
   * ```
   */
  monitor(options?: MonitorOptions): Monitor {
    return openMonitor(this, options);
  }

  /** The processes in this namespace, ascending, like `ip netns pids NAME`. From /proc. */
  async pids(): Promise<number[]> {
    return pidsIn(this.inode);
  }

  /**
   * The names under /run/netns of the network namespace process `pid` is in, like
   * `ip netns identify PID` (empty when it has none).
   * @throws NetnsError ESRCH if there is no such process.
   */
  static async identify(pid: number): Promise<string[]> {
    return identifyPid(pid);
  }

  /** @internal What the exec helper needs, synchronously (spawn returns a ChildProcess). */
  [kExecTarget](operation: string): ExecTarget {
    if (this.#state !== 'open') {
      throw failure('EBADF', operation, `${describeNamespace(this)} was ${this.#state}`);
    }
    const fd = this.#handle ? addon.namespaceFd(this.#handle) : -1;
    return { fd: fd >= 0 ? fd : undefined, path: this.path, inode: this.inode, name: this.name };
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, path: this.path, inode: String(this.inode) };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Namespace ${JSON.stringify(this.toJSON())}`;
  }
}

let home: bigint | undefined;
/** The inode of the namespace this process (its JS thread) runs in. */
function homeInode(): bigint {
  home ??= fs.statSync(`/proc/${process.pid}/ns/net`, { bigint: true }).ino;
  return home;
}

/**
 * Why opening a namespace file was refused (EACCES, EPERM from stat or open). No network
 * capability decides it: a process's /proc/PID/ns/* entry opens only for one allowed to inspect
 * that process (proc_ns_get_link: ptrace read access), any other path by its permissions.
 */
function pathRefusal(nsPath: string): string {
  if (/^\/proc\/(\d+|self|thread-self)\/(task\/\d+\/)?ns\//.test(nsPath)) {
    return (
      "permission denied: opening another process's namespace needs the right to inspect that " +
      'process (ptrace read access: the same user, or CAP_SYS_PTRACE in its user namespace), ' +
      'which the kernel refused'
    );
  }
  return 'permission denied: this process may not open that path (its permissions or those of a directory above it, or a security module)';
}

/** The name under /run/netns that refers to the namespace with this inode (`ip netns identify`). */
async function nameOf(inode: bigint): Promise<string | undefined> {
  return (await netnsNames()).get(inode)?.[0];
}

/* eslint-disable @typescript-eslint/no-require-imports */
function execModule(operation: string): typeof import('./process/exec') {
  return loadLazily(() => require('./process/exec') as typeof import('./process/exec'), operation);
}
function socketsModule(operation: string): typeof import('./process/sockets') {
  return loadLazily(() => require('./process/sockets') as typeof import('./process/sockets'), operation);
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * A module required on first use: its failure (EMFILE when the process is out of fds, as the
 * limits test makes it) is a NetnsError like any other, not Node's own error.
 */
function loadLazily<T>(load: () => T, operation: string): T {
  try {
    return load();
  } catch (e) {
    const error = fromNodeError(e, operation, 'namespace');
    if (error.code !== 'EMFILE' && error.code !== 'ENFILE') throw error;
    throw withReason(error, 'too many open files to load the module that runs programs and opens sockets');
  }
}
