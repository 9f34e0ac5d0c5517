/**
 * Namespace ids (`ip netns set` / `ip netns list-id`): a namespace numbers the other namespaces
 * it refers to, e.g. the one a veth end's peer lives in (IFLA_LINK_NETNSID).
 */
import { constants } from 'node:os';
import { batch, requestIn } from './internal/dispatch';
import { fromNative, internalError, withReason } from './internal/errors';
import { kHandle, kHandleNow, kNamespaceFd } from './internal/symbols';
import { checkInteger, checkOptionKeys } from './internal/validate';
import { checkNamespaceArg, describeNamespace } from './link';
import type { Namespace } from './namespace';
import { isFailure } from './native/wire';
import type { NativeNsid } from './native/surface';

/**
 * The id `ns` gives `other`, assigned if it has none: one sendmsg with an RTM_NEWNSID asking the
 * kernel to pick one (refused with EEXIST when there is one already, which is fine) and an
 * RTM_GETNSID reading it. `other` is named by its fd alone, as ip names it (kNamespaceFd): no
 * handle of it is opened for this, so no socket inside it. @internal
 */
export async function namespaceId(ns: Namespace, other: Namespace): Promise<number> {
  const operation = `get the id of ${describeNamespace(other)}${ns.where}`;
  checkNamespaceArg(other, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const target = other[kNamespaceFd](operation);
  const [made, got] = await batch(
    handle,
    [
      { op: 'newnsid', netns: target, nsid: -1 },
      { op: 'getnsid', netns: target },
    ],
    operation,
    'nsid',
  );
  if (isFailure(made) && made.errno !== constants.errno.EEXIST) throw fromNative(made, operation, 'nsid');
  if (isFailure(got)) throw fromNative(got, operation, 'nsid');
  const nsid = (got as NativeNsid | undefined)?.nsid;
  if (nsid === undefined || nsid < 0) throw internalError(operation, 'the kernel assigned no id');
  return nsid;
}

/**
 * Gives `other` the id `nsid` in `ns` (`ip -n NS netns set OTHER NSID`): one RTM_NEWNSID. The
 * kernel never changes an id once given, nor gives one id twice: EEXIST then, said which. @internal
 */
export async function setNamespaceId(ns: Namespace, other: Namespace, nsid: number): Promise<void> {
  const operation = `set the id of ${describeNamespace(other)} to ${String(nsid)}${ns.where}`;
  checkNamespaceArg(other, operation);
  // 0 to INT_MAX (the kernel's idr); -1, "auto", is what nsid() asks for.
  const id = checkInteger(nsid, operation, 'the id', 0, 0x7fffffff);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const target = other[kNamespaceFd](operation);
  const [made] = await batch(handle, [{ op: 'newnsid', netns: target, nsid: id }], operation, 'nsid');
  if (!isFailure(made)) return;
  const e = fromNative(made, operation, 'nsid');
  if (e.code !== 'EEXIST') throw e;
  const current = await knownNamespaceId(ns, other, operation);
  throw withReason(
    e,
    current !== undefined
      ? `it has the id ${current} already, and the kernel never changes an id once given`
      : `the id ${id} is another namespace's`,
  );
}

/**
 * The id `ns` gives `other`, or undefined when it gives it none: read only, nothing is assigned
 * (RTM_GETNSID answers -1 then). `other` is named by its fd alone, on `ns`'s socket, as `ip netns
 * list` does: no privilege is needed when `ns` is the current namespace. @internal
 */
export async function knownNamespaceId(
  ns: Namespace,
  other: Namespace,
  operation: string,
): Promise<number | undefined> {
  const target = other[kNamespaceFd](operation);
  const got = await requestIn<NativeNsid>(ns, { op: 'getnsid', netns: target }, operation, 'nsid');
  const nsid = (got as NativeNsid | undefined)?.nsid;
  return nsid === undefined || nsid < 0 ? undefined : nsid;
}

/** One id a namespace gives another, as `ip netns list-id` prints it. */
export interface NsidEntry {
  /** The id: the one the namespace listed gives its peer, or with `targetNsid` the target's. */
  nsid: number;
  /**
   * With `targetNsid` only: the id the namespace listed gives the same peer (`current-nsid`),
   * null when it gives it none.
   */
  currentNsid?: number | null;
}

/** Options of {@link Namespace.nsids}. */
export interface NsidsOptions {
  /**
   * List the ids of the namespace this one numbers `targetNsid` instead (`ip netns list-id
   * target-nsid N`), each with this namespace's own id for the same peer.
   */
  targetNsid?: number;
}

const NSIDS_KEYS = ['targetNsid'] as const;

/**
 * Every id `ns` gives (`ip -n NS netns list-id [target-nsid N]`): one RTM_GETNSID dump, in the
 * kernel's order (ascending). @internal
 */
export async function namespaceIds(ns: Namespace, options: NsidsOptions): Promise<NsidEntry[]> {
  const target = (options as NsidsOptions | null)?.targetNsid;
  const operation =
    target === undefined
      ? `list the namespace ids${ns.where}`
      : `list the namespace ids of namespace id ${String(target)}${ns.where}`;
  const opts = checkOptionKeys<NsidsOptions>(options, NSIDS_KEYS, operation);
  const targetNsid =
    opts.targetNsid === undefined ? undefined : checkInteger(opts.targetNsid, operation, 'targetNsid', 0, 0x7fffffff);
  const op =
    targetNsid === undefined
      ? ({ op: 'dumpnsids' } as const)
      : ({ op: 'dumpnsids', hasTarget: 1, targetNsid } as const);
  const got = await requestIn<NativeNsid[]>(ns, op, operation, 'nsid');
  return got.map((e) =>
    targetNsid === undefined
      ? { nsid: e.nsid }
      : { nsid: e.nsid, currentNsid: e.currentNsid === undefined || e.currentNsid < 0 ? null : e.currentNsid },
  );
}
