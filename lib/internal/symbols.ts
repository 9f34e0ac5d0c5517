/**
 * Symbols shared between the public classes and kept off their public surface.
 */
import type { NativeHandle } from '../native/surface';

/**
 * Namespace[kHandle](operation): its native handle, opened on first use. Await it at once and
 * queue the request as it resumes: the calls waiting for one open resume in the order they were
 * made, and kHandleNow gives the handle only once they all have.
 */
export const kHandle = Symbol('netns-native.handle');

/**
 * Namespace[kHandleNow](): its native handle when it is open and the handle is opened, else
 * undefined (then kHandle opens it, or says why it cannot). Lets a call take the handle without
 * an await of its own, which is what keeps the order of calls: a method queues its first request
 * within the call itself (`ns[kHandleNow]() ?? (await ns[kHandle](operation))`), so a call made
 * after it cannot reach the namespace's FIFO first. An `await` before the first request, even of
 * a handle already open, would let every call made in the meantime overtake it.
 */
export const kHandleNow = Symbol('netns-native.handleNow');

/**
 * Namespace[kNamespaceFd](operation): what to send where a request names the namespace by its fd
 * alone (RTM_GETNSID, RTM_NEWNSID): its handle when open now, else its file, which the addon opens
 * read-only for the request, as ip opens /run/netns/NAME. No handle is opened for it (that means a
 * socket inside, so CAP_SYS_ADMIN). Synchronous, so a request keeps its place (see kHandleNow);
 * throws EBADF once the namespace is closed.
 */
export const kNamespaceFd = Symbol('netns-native.namespaceFd');

/**
 * Namespace[kCookie](operation): its cookie (SO_NETNS_COOKIE), which, unlike its inode, the kernel
 * never gives to another namespace until reboot. A namespace from list() is opened first.
 * Undefined when it cannot be known: closed before it was ever opened, or a kernel before 5.14.
 * Never rejects.
 */
export const kCookie = Symbol('netns-native.cookie');

/** Something with a native handle, opened lazily. */
export interface HandleOwner {
  [kHandle](operation: string): Promise<NativeHandle>;
  [kHandleNow](): NativeHandle | undefined;
  /** ' in namespace "test1"', or '' for the namespace this process runs in. */
  readonly where: string;
}

/**
 * VethPair[kCreateAttached](options, master): VethPair.create with the local end attached to
 * `master` and up in the creating request itself (Network.connect: one request less).
 */
export const kCreateAttached = Symbol('netns-native.createAttached');

/** Namespace[kExecTarget](operation): what the exec helper needs to enter it, synchronously. */
/**
 * link[kDetachFrom](bridge, operation): Bridge.removePort's detach, checked against the link's
 * master now and done in one call on the namespace's FIFO (see dispatch's exclusive).
 */
export const kDetachFrom = Symbol('netns-native.detachFrom');

export const kExecTarget = Symbol('netns-native.execTarget');

/** How the exec helper finds the network namespace. */
export interface ExecTarget {
  /** The namespace fd, when the Namespace is open (mapped into the helper). */
  fd: number | undefined;
  /** Otherwise this path is opened, and must still have this inode. */
  path: string;
  inode: bigint;
  /** The name under /run/netns: /etc/netns/NAME/* is bound over /etc/*. */
  name: string | undefined;
}

export interface ExecTargetOwner {
  [kExecTarget](operation: string): ExecTarget;
  readonly where: string;
}
