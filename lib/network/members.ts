/**
 * Member namespaces: recorded by name (when they have one), inode and cookie, found again as
 * Namespace objects in this or any other process, and checked for being still alive.
 *
 * The inode alone is no identity over time: the kernel gives a gone namespace's inode to the
 * next namespace made (the lowest free number first), so a member gone without a disconnect
 * shares its inode with a namespace made since. The cookie (SO_NETNS_COOKIE) is never given
 * twice until reboot, and the state lives on tmpfs: it tells them apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kCookie } from '../internal/symbols';
import { Namespace, NETNS_RUN_DIR } from '../namespace';
import type { NamespaceRef } from './state';

/** Namespace objects this process was given or opened, by inode: reused while open and the member's. */
const known = new Map<string, WeakRef<Namespace>>();

/** The record of a namespace: its name, inode and (unless the kernel cannot tell it) cookie. */
export async function refOf(ns: Namespace, operation: string): Promise<NamespaceRef> {
  const cookie = await ns[kCookie](operation);
  return {
    ...(ns.name !== undefined && { name: ns.name }),
    inode: String(ns.inode),
    ...(cookie !== undefined && { cookie: String(cookie) }),
  };
}

/**
 * Whether two records are of one namespace: by the cookie when both have one. An equal inode
 * alone does not tell: undefined then (a record written before cookies were, or a kernel before
 * 5.14).
 */
export function sameNamespace(a: NamespaceRef, b: NamespaceRef): boolean | undefined {
  if (a.inode !== b.inode) return false;
  if (a.cookie === undefined || b.cookie === undefined) return undefined;
  return a.cookie === b.cookie;
}

/** Whether `ns` is the namespace of `ref`, as far as the cookie tells (see sameNamespace). */
async function isOf(ns: Namespace, ref: NamespaceRef): Promise<boolean> {
  return sameNamespace(await refOf(ns, 'identify a member namespace'), ref) !== false;
}

export function remember(ns: Namespace): void {
  if (!ns.closed) known.set(String(ns.inode), new WeakRef(ns));
}

/**
 * Whether a named member's namespace still carries its name (the same namespace, not a new one
 * of the same name). An anonymous member has no name to check: undefined.
 */
export function nameAlive(ref: NamespaceRef): boolean | undefined {
  if (ref.name === undefined) return undefined;
  try {
    return fs.statSync(path.join(NETNS_RUN_DIR, ref.name), { bigint: true }).ino === BigInt(ref.inode);
  } catch {
    return false;
  }
}

async function inodeOf(file: string): Promise<bigint | undefined> {
  try {
    return (await fs.promises.stat(file, { bigint: true })).ino;
  } catch {
    return undefined;
  }
}

/** Some path naming the namespace: a process in it, an fd on it, or a mount of it. */
async function findPath(inode: bigint): Promise<string | undefined> {
  let pids: string[];
  try {
    pids = (await fs.promises.readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    const file = `/proc/${pid}/ns/net`;
    if ((await inodeOf(file)) === inode) return file;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await fs.promises.readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const file = `/proc/${pid}/fd/${fd}`;
      try {
        if ((await fs.promises.readlink(file)) === `net:[${inode}]`) return file;
      } catch {
        // gone meanwhile
      }
    }
  }
  try {
    for (const line of (await fs.promises.readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
      const fields = line.split(' ');
      const sep = fields.indexOf('-');
      if (sep >= 0 && fields[sep + 1] === 'nsfs' && fields[3] === `net:[${inode}]` && fields[4]) return fields[4];
    }
  } catch {
    // no mountinfo
  }
  return undefined;
}

/**
 * A Namespace object for a member, or undefined when it cannot be reached from this process
 * (gone, or anonymous and held only by something out of sight: a mount in another mount
 * namespace).
 */
export async function resolve(ref: NamespaceRef): Promise<Namespace | undefined> {
  const cached = known.get(ref.inode)?.deref();
  if (cached && !cached.closed && (await isOf(cached, ref))) return cached;
  const inode = BigInt(ref.inode);
  let ns: Namespace | undefined;
  try {
    if (ref.name !== undefined) {
      if (!nameAlive(ref)) return undefined;
      ns = await Namespace.open(ref.name);
    } else {
      const found = await findPath(inode);
      if (found !== undefined) ns = await Namespace.fromPath(found);
    }
  } catch {
    return undefined;
  }
  if (ns === undefined) return undefined;
  // Another namespace with the member's name or inode: the member is gone.
  if (ns.inode !== inode || !(await isOf(ns, ref))) {
    await ns.close();
    return undefined;
  }
  remember(ns);
  return ns;
}
