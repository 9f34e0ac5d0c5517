/**
 * A network's state file, /run/netns-native/networks/NAME.json (tmpfs, like /run/netns): what
 * the kernel cannot tell us (the subnet, each member's names and address, the network's id),
 * plus the journal of the change in progress.
 *
 * Every change is made under the network's lock (lock.ts) in this order: the intended change
 * is written as `pending`, the kernel is changed, then the new state is written without
 * `pending`. Whoever next takes the lock and finds a `pending` knows its writer died in the
 * middle (a live writer would still hold the lock) and finishes or undoes it (network.ts).
 * Files are replaced atomically (a temporary file renamed over the old one), so a reader never
 * sees half a file. They are small and on tmpfs: read and written synchronously, a few µs each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { failure } from '../internal/errors';

/** Where network state lives. */
export const NETWORKS_DIR = '/run/netns-native/networks';

export const STATE_VERSION = 1;

/** A member namespace, as another process can find it again. */
export interface NamespaceRef {
  /** Its name under /run/netns, when it has one. */
  name?: string;
  /** Its inode (decimal). The kernel gives it to another namespace once this one is gone. */
  inode: string;
  /**
   * Its cookie (SO_NETNS_COOKIE, decimal): its identity, never given to another namespace until
   * reboot. Absent in records written before it was recorded, and on kernels before 5.14.
   */
  cookie?: string;
}

export interface EndpointState {
  namespace: NamespaceRef;
  /** The DNS name; absent for an anonymous member of a `dns: false` network. */
  name?: string;
  aliases: string[];
  /** Inside the member. */
  interfaceName: string;
  /** The host end, attached to the bridge. Also the endpoint's key. */
  hostInterfaceName: string;
  /** CIDR: '198.18.4.2/24'. */
  address: string;
  ipv6Address?: string;
  mac: string;
  /**
   * The member's own DNS settings (`--dns`, `--dns-search`, `--dns-option`), each absent when
   * not given (and in records written before they were recorded).
   */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

/** The change in progress, written before the kernel is touched. */
export type Pending =
  | { op: 'create' }
  | { op: 'connect'; endpoint: EndpointState }
  | { op: 'disconnect'; endpoint: EndpointState }
  | { op: 'remove' };

export interface NetworkState {
  version: number;
  name: string;
  /** 64 hex digits, random at create. */
  id: string;
  driver: 'bridge';
  /** ISO 8601. */
  created: string;
  /** The network namespace the bridge lives in (decimal inode). */
  hostNamespace: string;
  bridgeName: string;
  subnet: string;
  gateway: string;
  ipv6Subnet?: string;
  ipv6Gateway?: string;
  internal: boolean;
  dns: boolean;
  mtu?: number;
  /** `--ip-range`: the part of the subnet dynamic addresses come from. Absent: the whole subnet. */
  ipRange?: string;
  /** `--ip-range` of the IPv6 subnet: the part of it dynamic IPv6 addresses come from. Absent: the whole IPv6 subnet. */
  ipv6IpRange?: string;
  /** `--aux-address`: addresses never given to a member, by name (IPv4 and IPv6). Absent: none. */
  auxAddresses?: Record<string, string>;
  /** `enable_icc`: members may reach each other. Absent (written before the option): true. */
  icc?: boolean;
  /** `enable_ip_masquerade`: what members send out is masqueraded. Absent: true. */
  ipMasquerade?: boolean;
  /** `host_binding_ipv4`: publish()'s default host address (canonical text). Absent: every address. */
  hostBindingAddress?: string;
  endpoints: EndpointState[];
  pending?: Pending;
}

export function statePath(name: string): string {
  return path.join(NETWORKS_DIR, `${name}.json`);
}

/**
 * The last state read or written of each network, with the identity of the file it came from. A
 * state file is only ever replaced by rename (writeState), never written in place, so while the
 * path's inode, size and modification time are the same the content is: a stat (one syscall)
 * saves the read and the parse. A written state is kept as its text, parsed when first read. The
 * object is frozen, as every caller treats it as read-only.
 */
const parsed = new Map<string, { ino: bigint; size: bigint; mtime: bigint; state?: NetworkState; text?: string }>();

/** The network's state, or undefined when there is no such network. */
export function readState(name: string, operation: string): NetworkState | undefined {
  const file = statePath(name);
  const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  const hit = st && parsed.get(name);
  if (st && hit && hit.ino === st.ino && hit.size === st.size && hit.mtime === st.mtimeNs) {
    hit.state ??= deepFreeze(JSON.parse(hit.text as string) as NetworkState);
    return hit.state;
  }
  const state = readStateFile(name, operation);
  if (st && state) parsed.set(name, { ino: st.ino, size: st.size, mtime: st.mtimeNs, state: deepFreeze(state) });
  else parsed.delete(name);
  return state;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function readStateFile(name: string, operation: string): NetworkState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(statePath(name), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw failure(
      (e as NodeJS.ErrnoException).code ?? 'EIO',
      operation,
      `cannot read ${statePath(name)}: ${(e as Error).message}`,
    );
  }
  let state: NetworkState;
  try {
    state = JSON.parse(text) as NetworkState;
  } catch {
    throw failure('EIO', operation, `${statePath(name)} is not valid JSON; remove it to forget the network`);
  }
  if (state.version !== STATE_VERSION || state.name !== name) {
    throw failure(
      'EIO',
      operation,
      `${statePath(name)} is not a version ${STATE_VERSION} state of network "${name}"; remove it to forget the network`,
    );
  }
  return state;
}

/**
 * Replaces the state file atomically (temporary file + rename). The temporary file's name is
 * this thread's own: writers of one network hold its lock, and a file a killed writer left is
 * overwritten by the next writer with its pid (stateNames() skips such files). The directory
 * is made only when it is missing (the first network of the machine).
 */
export function writeState(state: NetworkState, operation: string): void {
  const file = statePath(state.name);
  const tmp = `${NETWORKS_DIR}/.${state.name}.${process.pid}.${threadId}.tmp`;
  const text = `${JSON.stringify(state, null, 2)}\n`;
  let st: fs.BigIntStats;
  try {
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'w', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fs.mkdirSync(NETWORKS_DIR, { recursive: true, mode: 0o755 });
      fd = fs.openSync(tmp, 'w', 0o644);
    }
    try {
      fs.writeFileSync(fd, text); // all of it (writeSync may write part)
      st = fs.fstatSync(fd, { bigint: true });
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    parsed.delete(state.name);
    fs.rmSync(tmp, { force: true });
    throw failure(
      (e as NodeJS.ErrnoException).code ?? 'EIO',
      operation,
      `cannot write ${file}: ${(e as Error).message}`,
    );
  }
  // The next read finds this file (rename keeps its inode, size and mtime) and needs no read:
  // the text, parsed only if it is read (a journal entry is replaced unread), into a copy of
  // its own, as the caller may go on changing its objects.
  parsed.set(state.name, { ino: st.ino, size: st.size, mtime: st.mtimeNs, text });
}

export function deleteState(name: string): void {
  parsed.delete(name);
  fs.rmSync(statePath(name), { force: true });
}

/** The names of every network with a state file, sorted. */
export function stateNames(): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(NETWORKS_DIR);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * Every network's state that can be read (a file being replaced or unreadable is skipped);
 * `known`, a state just written by the caller, is taken as it is instead of read.
 */
export function readAllStates(known?: NetworkState): NetworkState[] {
  const out: NetworkState[] = [];
  for (const name of stateNames()) {
    if (name === known?.name) {
      out.push(known);
      continue;
    }
    try {
      const state = readState(name, 'read network states');
      if (state) out.push(state);
    } catch {
      // not ours to judge here: open() of that network reports it
    }
  }
  return out;
}

/** The mark put on the links of a network (their IFLA_IFALIAS), so they can be found after a crash. */
export function linkMark(state: Pick<NetworkState, 'id' | 'name'>): string {
  return `${MARK_PREFIX}${state.id} ${state.name}`;
}

export const MARK_PREFIX = 'netns-native network ';

/** The network id in a link's mark, or undefined for a link that is not ours. */
export function markedId(alias: string | undefined): string | undefined {
  if (!alias?.startsWith(MARK_PREFIX)) return undefined;
  const id = alias.slice(MARK_PREFIX.length, MARK_PREFIX.length + 64);
  return /^[0-9a-f]{64}$/.test(id) ? id : undefined;
}
