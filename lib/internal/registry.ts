/**
 * Every open Namespace object, by inode, so that `delete()` can release all of ours; and the
 * reaper that notices when one is garbage-collected. Weak: an object the program drops is
 * collected, and its fd and sockets with it (the addon's handle finalizer closes them).
 */
import { namespaceReleased } from './dispatch';

/** What the registry needs of a Namespace. */
export interface Registered {
  readonly inode: bigint;
}

const live = new Map<bigint, Set<WeakRef<Registered>>>();
const refs = new WeakMap<Registered, WeakRef<Registered>>();

function forget(inode: bigint, ref: WeakRef<Registered>): void {
  const set = live.get(inode);
  set?.delete(ref);
  if (set?.size === 0) live.delete(inode);
}

const reaper = new FinalizationRegistry<{ inode: bigint; ref: WeakRef<Registered> }>(({ inode, ref }) => {
  forget(inode, ref);
  namespaceReleased(); // its handle goes with it: the kernel may now tear the namespace down
});

/** Records an object that holds a native handle. */
export function track(ns: Registered): void {
  const ref = new WeakRef(ns);
  refs.set(ns, ref);
  let set = live.get(ns.inode);
  if (!set) live.set(ns.inode, (set = new Set()));
  set.add(ref);
  reaper.register(ns, { inode: ns.inode, ref }, ref);
}

/** Forgets an object whose handle was released. */
export function untrack(ns: Registered): void {
  const ref = refs.get(ns);
  if (!ref) return;
  reaper.unregister(ref);
  forget(ns.inode, ref);
}

/** The live objects for a namespace. */
export function tracked<T extends Registered>(inode: bigint): T[] {
  return [...(live.get(inode) ?? [])].map((r) => r.deref()).filter((ns): ns is T => ns !== undefined);
}

/** Every live object, of every namespace. */
export function allTracked<T extends Registered>(): T[] {
  return [...live.keys()].flatMap((inode) => tracked<T>(inode));
}
