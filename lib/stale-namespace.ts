/**
 * Stale names under /run/netns: what a process that died while creating or deleting a named
 * namespace leaves behind, how they are found, and how they are removed.
 *
 * A named namespace is a bind mount of the namespace onto a file /run/netns/NAME. Creating one
 * makes the file first (O_EXCL), then the namespace, then the mount; deleting one unmounts, then
 * unlinks. A process killed between two of those steps (kill -9, OOM) leaves a plain file that
 * is no namespace: `ip netns list` shows the name, opening it fails, and creating it again says
 * it exists. netns-native tells such a file from a creation still in progress by an flock its
 * own creators hold on the file until the mount is made, and (for `ip netns add`, which takes
 * none) by its age: a file older than a second that nobody holds and that is not a mount is
 * stale (native/ns/netns.h, InspectNetnsName).
 */
import * as path from 'node:path';
import { failure, fromNative, type NetnsError } from './internal/errors';
import { checkNamespaceName } from './internal/validate';
import { addon } from './native/load';
import type { NativeNameState } from './native/surface';
import { NETNS_RUN_DIR } from './process/proc';

/**
 * A name under /run/netns that is a stale entry, not a namespace: a plain file left by a process
 * that died while it was creating or deleting the namespace of that name (nothing is mounted on
 * it and no creator holds it). {@link Namespace.list} reports these with `includeStale: true`;
 * {@link StaleNamespace.remove} (or {@link Namespace.removeStale}) removes one, and
 * {@link Namespace.create} of the same name reuses it.
 */
export class StaleNamespace {
  /** Always true: what tells a StaleNamespace from a Namespace in `list({ includeStale: true })`. */
  readonly stale = true as const;
  /** The name under /run/netns. */
  readonly name: string;
  /** `/run/netns/NAME`. */
  readonly path: string;
  /** What was found, in words. */
  readonly reason: string;

  /** @internal */
  constructor(name: string, reason: string) {
    this.name = name;
    this.path = path.join(NETNS_RUN_DIR, name);
    this.reason = reason;
  }

  /**
   * Removes the entry, if it is still stale (`ip netns del NAME` would also remove it, without
   * checking). Resolves false when it was already gone.
   * @throws NetnsError EBUSY if it is a namespace or a creation in progress by now.
   */
  async remove(): Promise<boolean> {
    return removeStale(this.name);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, path: this.path, stale: true, reason: this.reason };
  }
}

/**
 * What /run/netns/NAME is, on a worker (never blocking: see InspectNetnsName).
 * @internal
 */
export async function nameState(name: string, operation: string): Promise<NativeNameState> {
  try {
    return await addon.namespaceNameState(NETNS_RUN_DIR, name);
  } catch (e) {
    throw fromNative(e, operation, 'namespace');
  }
}

/**
 * The stale entries among `names` (names under /run/netns that are not namespaces).
 * @internal
 */
export async function staleAmong(names: string[], operation: string): Promise<StaleNamespace[]> {
  const states = await Promise.all(names.map((name) => nameState(name, operation)));
  return names.flatMap((name, i) => {
    const s = states[i] as NativeNameState;
    return s.state === 'stale' ? [new StaleNamespace(name, s.detail ?? 'a stale entry')] : [];
  });
}

/**
 * Removes /run/netns/NAME if it is stale. True if removed, false if there was nothing.
 * @internal
 */
export async function removeStale(name: string): Promise<boolean> {
  const operation = `remove the stale namespace name "${String(name)}"`;
  checkNamespaceName(name, operation);
  try {
    await addon.removeStaleNamespace(NETNS_RUN_DIR, name);
    return true;
  } catch (e) {
    const error = fromNative(e, operation, 'namespace');
    if (error.code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * When opening /run/netns/NAME failed because it is not a namespace file: the error to give
 * instead if it is a stale entry or a creation in progress (ENOENT: there is no such namespace,
 * and what to do about it), else undefined.
 * @internal
 */
export async function explainNotANamespace(nsPath: string, operation: string): Promise<NetnsError | undefined> {
  if (path.dirname(nsPath) !== NETNS_RUN_DIR) return undefined;
  const name = path.basename(nsPath);
  let state: NativeNameState;
  try {
    state = await addon.namespaceNameState(NETNS_RUN_DIR, name);
  } catch {
    return undefined; // the original error says enough
  }
  if (state.state === 'stale') {
    return failure(
      'ENOENT',
      operation,
      `no such namespace: ${state.detail}; Namespace.removeStale(${JSON.stringify(name)}) removes it, ` +
        `and Namespace.create(${JSON.stringify(name)}) reuses the name`,
    );
  }
  if (state.state === 'creating') {
    return failure('ENOENT', operation, `no such namespace yet: ${state.detail}`);
  }
  return undefined;
}
