/**
 * Waiting for the kernel to finish tearing a namespace down (`ns.delete({ wait: true })`).
 *
 * Deleting a namespace's name and our fds lets the kernel destroy it, but it does so later, on its
 * netns workqueue (cleanup_net in net/core/net_namespace.c): only then are the namespace's links
 * unregistered, and with each veth inside it the peer end that lives in another namespace. Until
 * then that peer still holds its name there, and re-creating the same pair fails with EEXIST.
 *
 * So before deleting, the veths inside whose peers live elsewhere are read (IFLA_LINK and
 * IFLA_LINK_NETNSID), each peer's namespace is found among those this process can reach (the
 * current one, every Namespace object open in this process, the names under /run/netns) by
 * asking the dying namespace the id it gives each (RTM_GETNSID), and the peer is read there by
 * index. After the delete, each peer is read again until it is gone (ENODEV, or its index holds
 * another link): one netlink request per step, steps from 1 ms growing to 20 ms, bounded by the
 * caller's timeout. A peer in a namespace this process cannot reach (an anonymous namespace it
 * does not hold) cannot be watched, and is not waited for.
 */
import { abortError, pause } from './internal/abort';
import { failure, NetnsError } from './internal/errors';
import { request, batch } from './internal/dispatch';
import { kHandle, kNamespaceFd } from './internal/symbols';
import type { Namespace } from './namespace';
import type { NativeLink, NativeNsid } from './native/surface';
import { isFailure } from './native/wire';

/** A veth end, in another namespace, that goes when the namespace being deleted goes. */
export interface Peer {
  namespace: Namespace;
  index: number;
  name: string;
}

/** The veth peers of `ns`'s links that live in other namespaces, where this process can reach them. */
export async function vethPeersOutside(
  ns: Namespace,
  candidates: () => Promise<Namespace[]>,
  operation: string,
): Promise<Peer[]> {
  const handle = await ns[kHandle](operation);
  const veths = await request<NativeLink[]>(handle, { op: 'dumplinks', kind: 'veth' }, operation, 'link');
  // nsid (as `ns` numbers it) -> peer indexes there
  const wanted = new Map<number, number[]>();
  for (const l of veths) {
    if (l.linkNetnsid === undefined || l.linkNetnsid < 0 || !l.link) continue;
    wanted.set(l.linkNetnsid, [...(wanted.get(l.linkNetnsid) ?? []), l.link]);
  }
  if (wanted.size === 0) return [];

  const peers: Peer[] = [];
  const seen = new Set<bigint>([ns.inode]);
  for (const other of await candidates()) {
    if (wanted.size === 0) break;
    if (seen.has(other.inode) || other.closed) continue;
    seen.add(other.inode);
    // Named by its fd alone, as ip does: no handle (a socket inside) is opened for the namespaces
    // that turn out not to hold a peer.
    let got;
    try {
      [got] = await batch(handle, [{ op: 'getnsid', netns: other[kNamespaceFd](operation) }], operation, 'nsid');
    } catch {
      continue; // gone meanwhile, or not ours to open: not a place we can watch
    }
    const nsid = isFailure(got) ? undefined : (got as NativeNsid | undefined)?.nsid;
    const indexes = nsid === undefined ? undefined : wanted.get(nsid);
    if (!indexes) continue;
    wanted.delete(nsid as number);
    for (const index of indexes) {
      const name = await linkName(other, index, operation);
      if (name !== undefined) peers.push({ namespace: other, index, name });
    }
  }
  return peers;
}

/** The name of link `index` in `ns`, or undefined if there is none (or `ns` cannot be read). */
async function linkName(ns: Namespace, index: number, operation: string): Promise<string | undefined> {
  try {
    const handle = await ns[kHandle](operation);
    return (await request<NativeLink>(handle, { op: 'getlink', index }, operation, 'link')).name;
  } catch (e) {
    if (e instanceof NetnsError && (e.code === 'ENODEV' || e.code === 'EBADF')) return undefined;
    throw e;
  }
}

const FIRST_STEP_MS = 1;
const LAST_STEP_MS = 20;

/**
 * Resolves once every peer is gone; rejects with ETIMEDOUT after `timeoutMs` (saying which are
 * still there and what may keep the namespace alive), or with an AbortError.
 */
export async function waitPeersGone(
  peers: Peer[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
  operation: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let step = FIRST_STEP_MS;
  let left = peers;
  while (left.length > 0) {
    const names = await Promise.all(left.map((p) => linkName(p.namespace, p.index, operation)));
    left = left.filter((p, i) => names[i] === p.name);
    if (left.length === 0) return;
    if (signal?.aborted) throw abortError(operation, signal);
    if (Date.now() >= deadline) {
      const still = left.map((p) => `"${p.name}"${p.namespace.where}`).join(', ');
      throw failure(
        'ETIMEDOUT',
        operation,
        `the name is removed, but after ${timeoutMs} ms the kernel still has ${still}: something else ` +
          'keeps the namespace alive (a socket opened in it by listen/connect/createUdpSocket, an fd ' +
          'or a mount of it in another process)',
      );
    }
    await pause(Math.min(step, Math.max(1, deadline - Date.now())), signal, operation);
    step = Math.min(step * 2, LAST_STEP_MS);
  }
}
