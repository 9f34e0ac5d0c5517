import * as fs from 'node:fs';
import { constants } from 'node:os';
import type { NativeFailure } from '../native/surface';

/**
 * A request the kernel (or a syscall on its behalf) refused, or an input rejected before any
 * syscall was made. Match on `code`, not on `message`.
 *
 * @example
 * ```ts
 * try {
 *   await VethPair.create({ name: 'veth-a', peerName: 'veth-b' });
 * } catch (e) {
 *   if (e instanceof NetnsError && e.code === 'EEXIST') { ... }
 * }
 * // e.message: cannot create veth "veth-a": a link with that name already exists (EEXIST)
 * ```
 */
export class NetnsError extends Error {
  override readonly name: string = 'NetnsError';
  /** The errno name: 'EEXIST', 'ENODEV', 'EINVAL', ... The stable part of the API. */
  readonly code: string;
  /** The errno number, when the error came from the kernel or a syscall. */
  readonly errno?: number;
  /** What was attempted, e.g. 'create veth "veth-a"'. */
  readonly operation: string;
  /** The kernel's extended-ack text (e.g. 'mtu greater than device maximum'), when it gave one. */
  readonly detail?: string;
  /** Why, as the sentence after "cannot OPERATION: " in the message. */
  readonly reason: string;

  constructor(init: { code: string; operation: string; reason: string; errno?: number; detail?: string }) {
    super(`cannot ${init.operation}: ${init.reason} (${init.code})`);
    this.code = init.code;
    this.operation = init.operation;
    this.reason = init.reason;
    if (init.errno !== undefined) this.errno = init.errno;
    if (init.detail !== undefined) this.detail = init.detail;
  }
}

/**
 * The code of a failure inside netns-native itself (a bug, not a refusal by the kernel or bad
 * input): the message says so and asks for a report.
 */
export const EINTERNAL = 'EINTERNAL';

/**
 * What was being acted on, so that the same errno reads right in each place: EEXIST is "a
 * link with that name already exists" when creating a link and "that address is already
 * assigned" when adding an address.
 * @internal
 */
export type Subject =
  | 'namespace'
  | 'link'
  | 'link-create'
  | 'link-delete'
  | 'move'
  | 'rename'
  | 'master'
  | 'address'
  | 'route'
  | 'ping'
  | 'socket'
  | 'firewall'
  | 'neighbour'
  | 'fdb'
  | 'rule'
  | 'nsid'
  | 'altname'
  | 'nexthop'
  | 'sysctl';

type Phrases = Partial<Record<Subject | '*', string>>;

/** Capability numbers (linux/capability.h) of those a refusal can name. */
const CAPABILITIES = {
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_SYS_ADMIN: 21,
} as const;
type Capability = keyof typeof CAPABILITIES;

/**
 * The capability an operation refused with EPERM or EACCES needed, from what was refused: a
 * namespace switch or a mount needs CAP_SYS_ADMIN, a raw socket CAP_NET_RAW, a port below 1024
 * CAP_NET_BIND_SERVICE, and a netlink request the kernel refused CAP_NET_ADMIN (in the user
 * namespace owning the network namespace).
 */
function neededCapability(subject: Subject, syscall: string | undefined): Capability {
  if (syscall !== undefined) {
    if (/^(setns|unshare|mount|umount|open|mkdir|unlink|flock)/.test(syscall) && !syscall.includes('/dev/net/tun')) {
      return 'CAP_SYS_ADMIN';
    }
    if (syscall.startsWith('socket(SOCK_RAW)')) return 'CAP_NET_RAW';
    if (syscall === 'bind' && subject === 'socket') return 'CAP_NET_BIND_SERVICE';
  }
  return subject === 'namespace' && syscall === undefined ? 'CAP_SYS_ADMIN' : 'CAP_NET_ADMIN';
}

let effective: bigint | undefined;
/** The process's effective capabilities (CapEff in /proc/self/status), or undefined. */
function effectiveCapabilities(): bigint | undefined {
  if (effective !== undefined) return effective;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) effective = BigInt(`0x${m[1]}`);
  } catch {
    // no /proc: say what is needed without saying whether we have it
  }
  return effective;
}

/** The system calls that send a packet (the ICMP socket's, Node's sockets'). */
const SENDS: ReadonlySet<string> = new Set(['sendto', 'send', 'sendmsg', 'connect']);

/**
 * "permission denied: ..." naming the capability that was missing, and whether this process
 * has it at all (then a user namespace or a security module is what refused). A packet refused
 * on its way out is no matter of capabilities: EACCES is a broadcast destination without
 * SO_BROADCAST or a `prohibit` route or rule (the routing lookup's answer), EPERM a firewall
 * rule dropping it (netfilter's verdict on a local packet).
 * @internal
 */
export function privilegeReason(subject: Subject, syscall?: string, code = 'EACCES'): string {
  if (syscall !== undefined && SENDS.has(syscall)) {
    return code === 'EACCES'
      ? 'the kernel refuses to send there: the destination is an IPv4 broadcast address (sending to one needs ' +
          'SO_BROADCAST, which is not set), or a prohibit route or rule covers it'
      : 'the packet was refused on its way out: a firewall rule of the namespace (nftables, iptables) ' +
          'dropped it, or a security module refused it';
  }
  const cap = neededCapability(subject, syscall);
  const caps = effectiveCapabilities();
  const what = cap === 'CAP_NET_RAW' && subject === 'ping' ? `${cap} (a raw ICMP socket)` : cap;
  if (caps !== undefined && (caps >> BigInt(CAPABILITIES[cap])) & 1n) {
    return (
      `permission denied although this process has ${what}: the namespace belongs to a user namespace ` +
      'where it does not, or a security module (SELinux, AppArmor, seccomp) refused it'
    );
  }
  const extra = cap === 'CAP_SYS_ADMIN' && subject === 'namespace' ? ' (and write access to /run/netns)' : '';
  return (
    `permission denied: this needs ${what}${extra}, which this process does not have ` +
    `(run it as root, or grant ${cap}; reading the namespace the process runs in needs none)`
  );
}

const PHRASES: Record<string, Phrases> = {
  EEXIST: {
    '*': 'it already exists',
    namespace: 'a namespace with that name already exists',
    'link-create': 'a link with that name already exists',
    rename: 'a link with that name already exists',
    move: 'a link with the same name already exists in the target namespace',
    address: 'that address is already assigned to the link',
    route: 'that route already exists',
    neighbour: 'that neighbour entry already exists',
    fdb: 'that fdb entry already exists',
    rule: 'that rule already exists',
    altname: 'a link in the namespace already has that name or alternative name',
    nexthop: 'a nexthop with that id already exists (replace it with { replace: true })',
  },
  ENODEV: { '*': 'no such link' },
  ENOENT: {
    '*': 'no such file or object',
    namespace: 'no such namespace',
    nsid: 'no such namespace',
    link: 'no such link',
    // An IPv6 delete whose search stopped at a prefix with no routes (fib6_locate).
    route: 'no such route',
    neighbour: 'no such neighbour entry',
    fdb: 'no such fdb entry',
    rule: 'no such rule',
    altname: 'no link in the namespace has that alternative name',
    nexthop: 'no nexthop with that id',
  },
  ESRCH: { '*': 'no such object', route: 'no such route', namespace: 'no such process' },
  EADDRNOTAVAIL: {
    '*': 'address not available',
    address: 'that address is not assigned to the link',
    ping: 'no source address for that destination in this namespace',
    socket: 'that address is not assigned to any link in the namespace',
  },
  EADDRINUSE: { '*': 'that address and port are already in use in the namespace' },
  ECONNREFUSED: { '*': 'connection refused: nothing listens on that address and port' },
  ECONNRESET: { '*': 'the connection was reset by the peer' },
  ENETUNREACH: {
    '*': 'network unreachable',
    route: 'the gateway is not on any directly connected subnet of this namespace',
    ping: 'no route to that address from this namespace',
    socket: 'no route to that address from this namespace',
  },
  EHOSTUNREACH: { '*': 'no route to host' },
  EBUSY: { '*': 'the resource is busy', rename: 'the link is up; bring it down first' },
  ELOOP: { '*': 'that would create a loop' },
  EINVAL: {
    '*': 'the kernel rejected the request as invalid',
    // netdev_name_node_alt_destroy: the name was found, but it is not one of this link's
    // alternative names.
    altname: "that name is the link's own name or belongs to another link, not an alternative name of this link",
  },
  ERANGE: { '*': 'a value is out of range' },
  EOPNOTSUPP: {
    '*': 'not supported by this kernel or this kind of link (module not loaded?)',
    // rtnl_dellink: a link with no rtnl_link_ops (lo, a physical device) cannot be deleted.
    'link-delete': 'only a link made through rtnetlink (ip link add) can be deleted, not lo or a physical device',
    // do_set_master: the master has no ndo_add_slave (see Link.setMaster for a master that is no bridge).
    master: 'the master does not take this link as a port',
  },
  EAFNOSUPPORT: { '*': 'address family not supported (is IPv6 disabled?)' },
  EBADF: { '*': 'the namespace has been closed or deleted' },
  ENOBUFS: { '*': 'the kernel ran out of buffer space; retry' },
  ENOSPC: { '*': 'no space left' },
  ETIMEDOUT: { '*': 'the kernel did not answer in time', socket: 'no answer in time' },
  EINTR: { '*': 'interrupted by concurrent changes; retry' },
  ERESTART: { '*': 'the ruleset changed meanwhile (another process); retry' },
  EMSGSIZE: { '*': 'the request or reply is too large' },
  ESTALE: {
    namespace: 'it was replaced by another namespace of the same name',
    nsid: 'it was replaced by another namespace of the same name',
  },
  ENOTDIR: { '*': 'a path component is not a directory' },
  EISDIR: { '*': 'is a directory' },
};

const ERRNO_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  // Several names share a number; keep the first Node lists, except these preferred names.
  if (!ERRNO_NAMES.has(value)) ERRNO_NAMES.set(value, name);
}
ERRNO_NAMES.set(constants.errno.EOPNOTSUPP, 'EOPNOTSUPP');
ERRNO_NAMES.set(constants.errno.EAGAIN, 'EAGAIN');
// Linux errnos Node does not name: ERESTART is how nf_tables refuses a batch made against an old
// ruleset generation.
const LINUX_ERESTART = 85;
ERRNO_NAMES.set(LINUX_ERESTART, 'ERESTART');

/**
 * The errno name for a number: the one place errno values are normalised. A negative value (the
 * kernel's and libuv's convention) means the same as its absolute value.
 * @internal
 */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return ERRNO_NAMES.get(n) ?? `E${n}`;
}

/** The errno number for a Node system error (`e.errno` is negative in libuv's convention). @internal */
export function errnoOf(e: unknown): number | undefined {
  const n = (e as NodeJS.ErrnoException | undefined)?.errno;
  return typeof n === 'number' ? Math.abs(n) : undefined;
}

/** @internal */
export function errnoNumber(code: string): number | undefined {
  return code === 'ERESTART' ? LINUX_ERESTART : (constants.errno as Record<string, number>)[code];
}

function phrase(code: string, subject: Subject): string | undefined {
  const p = PHRASES[code];
  return p?.[subject] ?? p?.['*'];
}

/** The kernel's extack text, tidied to read inside our sentence. */
function tidy(detail: string): string {
  const text = detail.trim().replace(/\.$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Turns a failure from the addon (a per-operation failure object or a thrown Error carrying
 * errno) into a NetnsError.
 * @internal
 */
export function fromNative(failure: unknown, operation: string, subject: Subject): NetnsError {
  if (failure instanceof NetnsError) return failure;
  const f = failure as Partial<NativeFailure> & { message?: string };
  if (typeof f?.errno !== 'number') {
    // Not from the kernel nor a syscall: a bug in netns-native itself.
    return internalError(operation, String(f?.message ?? failure));
  }
  const errno = Math.abs(f.errno);
  const code = errnoName(errno);
  // The kernel's own text is the most specific reason; else ours; else strerror's.
  const detail = f.detail ? f.detail : undefined;
  const refused = code === 'EPERM' || code === 'EACCES';
  const reason = detail
    ? tidy(detail)
    : refused
      ? privilegeReason(subject, f.syscall, code)
      : (phrase(code, subject) ?? tidy(f.message ?? code));
  return new NetnsError({
    code,
    errno,
    operation,
    reason,
    ...(detail !== undefined && { detail }),
  });
}

/**
 * A Node error (a system error from libuv, with a negative `errno`, or one of Node's own ERR_*
 * errors) as NetnsError: errno codes read like the kernel's (same phrases), anything else is EIO
 * with Node's message.
 * @internal
 */
export function fromNodeError(e: unknown, operation: string, subject: Subject): NetnsError {
  if (e instanceof NetnsError) return e;
  const errno = errnoOf(e);
  const syscall = (e as Partial<NodeJS.ErrnoException> | undefined)?.syscall;
  if (errno !== undefined) return fromNative({ errno, ...(syscall && { syscall }) }, operation, subject);
  const err = e as Partial<NodeJS.ErrnoException> | undefined;
  const code = typeof err?.code === 'string' && /^E[A-Z0-9]+$/.test(err.code) ? err.code : 'EIO';
  return failure(code, operation, String(err?.message ?? e));
}

/**
 * A NetnsError for a failure inside netns-native (code EINTERNAL): a state that correct code
 * never reaches. The message says it is a bug.
 * @internal
 */
export function internalError(operation: string, what: string): NetnsError {
  return new NetnsError({
    code: EINTERNAL,
    operation,
    reason: `${what} (this is a bug in netns-native; please report it)`,
  });
}

/**
 * The same error with more said after its reason (the code, errno and detail are kept).
 * @internal
 */
export function withReason(e: NetnsError, reason: string, operation = e.operation): NetnsError {
  return new NetnsError({
    code: e.code,
    operation,
    reason,
    ...(e.errno !== undefined && { errno: e.errno }),
    ...(e.detail !== undefined && { detail: e.detail }),
  });
}

/**
 * A NetnsError for input rejected before any syscall.
 * @internal
 */
export function invalid(operation: string, reason: string): NetnsError {
  return new NetnsError({ code: 'EINVAL', errno: constants.errno.EINVAL, operation, reason });
}

/**
 * A NetnsError with a given code and our own reason (not from the kernel).
 * @internal
 */
export function failure(code: string, operation: string, reason: string): NetnsError {
  const errno = errnoNumber(code);
  return new NetnsError({ code, operation, reason, ...(errno !== undefined && { errno }) });
}
