/**
 * What /proc and nsfs say about namespaces: the processes in a network namespace
 * (`ip netns pids`), the names of a process's network namespace (`ip netns identify`), and every
 * namespace of the seven types on the system (`lsns`). Reads only; no process is spawned and no
 * thread changes namespace.
 *
 * Processes come and go during a scan: one that vanished between readdir and readlink is
 * simply not counted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants } from 'node:os';
import { errnoOf, failure, fromNative } from '../internal/errors';
import { checkInteger } from '../internal/validate';

/** The namespace types as /proc/PID/ns names them. */
export type NamespaceKind = 'mnt' | 'uts' | 'ipc' | 'pid' | 'net' | 'user' | 'cgroup';

/** One namespace, as {@link listAllNamespaces} reports it. */
export interface NamespaceInfo {
  type: NamespaceKind;
  /** The namespace's inode: its identity (`lsns` NS column). */
  inode: bigint;
  /** The processes in it, ascending. Empty for a namespace kept only by a mount or an fd. */
  pids: number[];
  /** For a network namespace with a name under /run/netns, that name (the first, sorted). */
  netnsName?: string;
}

const KINDS: NamespaceKind[] = ['mnt', 'uts', 'ipc', 'pid', 'net', 'user', 'cgroup'];
const LINK = /^(mnt|uts|ipc|pid|net|user|cgroup):\[(\d+)\]$/;
/** Where named namespaces live, as for iproute2. */
export const NETNS_RUN_DIR = '/run/netns';
const RUN_DIR = NETNS_RUN_DIR;

/** The numeric entries of /proc, ascending. */
async function processIds(): Promise<number[]> {
  const names = await fs.promises.readdir('/proc');
  return names
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/** readlink of an nsfs link ('net:[4026531840]') as [kind, inode]; undefined if gone or not one. */
async function readNsLink(link: string): Promise<[NamespaceKind, bigint] | undefined> {
  try {
    const m = LINK.exec(await fs.promises.readlink(link));
    return m ? [m[1] as NamespaceKind, BigInt(m[2] as string)] : undefined;
  } catch {
    return undefined; // the process exited, or we may not look
  }
}

/**
 * Named network namespaces: inode -> its names under /run/netns, sorted. Entries that are not
 * mounted namespaces (stray files) are skipped.
 * @internal
 */
export async function netnsNames(): Promise<Map<bigint, string[]>> {
  const out = new Map<bigint, string[]>();
  let names: string[];
  try {
    names = (await fs.promises.readdir(RUN_DIR)).sort();
  } catch {
    return out;
  }
  const inodes = await Promise.all(names.map((name) => nsfsInode(path.join(RUN_DIR, name))));
  names.forEach((name, i) => {
    const ino = inodes[i];
    if (ino !== undefined) out.set(ino, [...(out.get(ino) ?? []), name]);
  });
  return out;
}

/**
 * The first name under /run/netns (sorted) that refers to this namespace, read synchronously:
 * for Namespace.current(), which is synchronous.
 * @internal
 */
export function netnsNameSync(inode: bigint): string | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(RUN_DIR).sort();
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const file = path.join(RUN_DIR, name);
      if (fs.statfsSync(file).type === NSFS_MAGIC && fs.statSync(file, { bigint: true }).ino === inode) return name;
    } catch {
      // a stray or vanished entry
    }
  }
  return undefined;
}

/** statfs(2) f_type of nsfs (linux/magic.h). */
export const NSFS_MAGIC = 0x6e736673;

/**
 * The inode of an nsfs file, or undefined if it is not one (a stray file, or missing).
 * @internal
 */
export async function nsfsInode(file: string): Promise<bigint | undefined> {
  try {
    const [sfs, st] = await Promise.all([fs.promises.statfs(file), fs.promises.stat(file, { bigint: true })]);
    return sfs.type === NSFS_MAGIC ? st.ino : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The processes whose network namespace has this inode, ascending (`ip netns pids NAME`).
 * @internal
 */
export async function pidsIn(inode: bigint): Promise<number[]> {
  const pids = await processIds();
  const found = await Promise.all(
    pids.map(async (pid) => ((await readNsLink(`/proc/${pid}/ns/net`))?.[1] === inode ? pid : undefined)),
  );
  return found.filter((p): p is number => p !== undefined);
}

/**
 * The names under /run/netns of the network namespace process `pid` is in (`ip netns identify`).
 * @internal
 */
export async function identifyPid(pid: number): Promise<string[]> {
  const operation = `identify the namespace of process ${String(pid)}`;
  checkInteger(pid, operation, 'the PID', 1, 0x3fffffff);
  const link = await readNsLink(`/proc/${pid}/ns/net`);
  if (!link) {
    if (!fs.existsSync(`/proc/${pid}`)) throw failure('ESRCH', operation, `no process with PID ${pid}`);
    try {
      await fs.promises.readlink(`/proc/${pid}/ns/net`);
    } catch (e) {
      const errno = errnoOf(e) ?? constants.errno.EIO;
      if (errno === constants.errno.EACCES || errno === constants.errno.EPERM) {
        // proc_ns_get_link: ptrace read access decides, which no network capability gives.
        throw failure(
          errno === constants.errno.EACCES ? 'EACCES' : 'EPERM',
          operation,
          "permission denied: reading another process's namespace needs the right to inspect that " +
            'process (ptrace read access: the same user, or CAP_SYS_PTRACE in its user namespace), ' +
            'which the kernel refused',
        );
      }
      throw fromNative({ errno }, operation, 'namespace');
    }
    throw failure('EIO', operation, `cannot read /proc/${pid}/ns/net`);
  }
  return (await netnsNames()).get(link[1]) ?? [];
}

/**
 * Every namespace of the seven types (mnt, uts, ipc, pid, net, user, cgroup) on the system,
 * like `lsns`: those of every process (/proc/PID/ns), and those kept alive only by a mount
 * (nsfs mounts such as /run/netns/NAME) or by an open fd (/proc/PID/fd). Network namespaces
 * with a name under /run/netns carry it in `netnsName`. Sorted by type, then inode. Read from
 * /proc; no process is spawned.
 * @example
 * ```ts
 * for (const ns of await listAllNamespaces()) console.log(ns.type, ns.inode, ns.pids.length);
 * ```
 */
export async function listAllNamespaces(): Promise<NamespaceInfo[]> {
  const byKey = new Map<string, NamespaceInfo>();
  const note = (kind: NamespaceKind, inode: bigint, pid?: number): void => {
    const key = `${kind}:${inode}`;
    let info = byKey.get(key);
    if (!info) byKey.set(key, (info = { type: kind, inode, pids: [] }));
    if (pid !== undefined) info.pids.push(pid);
  };

  const pids = await processIds();
  await Promise.all(
    pids.map(async (pid) => {
      const links = await Promise.all(KINDS.map((k) => readNsLink(`/proc/${pid}/ns/${k}`)));
      for (const l of links) if (l) note(l[0], l[1], pid);
      // Namespaces held by an open fd (ours for anonymous namespaces, runtimes' ...).
      let fds: string[] = [];
      try {
        fds = await fs.promises.readdir(`/proc/${pid}/fd`);
      } catch {
        return;
      }
      const held = await Promise.all(fds.map((fd) => readNsLink(`/proc/${pid}/fd/${fd}`)));
      for (const l of held) if (l) note(l[0], l[1]);
    }),
  );

  // Namespaces kept by a mount: nsfs entries of our mount table ('net:[4026532...]' as root).
  try {
    const mountinfo = await fs.promises.readFile('/proc/self/mountinfo', 'utf8');
    for (const line of mountinfo.split('\n')) {
      const fields = line.split(' ');
      const sep = fields.indexOf('-');
      if (sep < 0 || fields[sep + 1] !== 'nsfs') continue;
      const m = LINK.exec(fields[3] ?? '');
      if (m) note(m[1] as NamespaceKind, BigInt(m[2] as string));
    }
  } catch {
    // no mountinfo: nothing more to add
  }

  const names = await netnsNames();
  const out = [...byKey.values()];
  for (const info of out) {
    info.pids.sort((a, b) => a - b);
    if (info.type === 'net') {
      const name = names.get(info.inode)?.[0];
      if (name !== undefined) info.netnsName = name;
    }
  }
  return out.sort((a, b) =>
    a.type !== b.type
      ? KINDS.indexOf(a.type) - KINDS.indexOf(b.type)
      : a.inode < b.inode
        ? -1
        : a.inode > b.inode
          ? 1
          : 0,
  );
}
