/**
 * `ip netconf show`: the IP configuration the kernel keeps per namespace, family and link
 * (forwarding, rp_filter, proxy ARP/NDP, ...), read over rtnetlink (RTM_GETNETCONF).
 */
import { constants } from 'node:os';
import { batch, throwFirstFailure } from './internal/dispatch';
import { failure, fromNative, invalid, type NetnsError } from './internal/errors';
import { kHandle, kHandleNow } from './internal/symbols';
import { checkInteger, checkOptionKeys, describeValue } from './internal/validate';
import { AF_INET, AF_INET6 } from './native/constants';
import type { Link } from './link';
import type { Namespace } from './namespace';
import type { NativeFailure, NativeHandle, NativeLink, NativeNetconf, NativeOp, NativeResult } from './native/surface';
import { isFailure } from './native/wire';
import { linkArg } from './route';

const { EINVAL, ENODEV } = constants.errno;

/** NETCONFA_IFINDEX_ALL and NETCONFA_IFINDEX_DEFAULT (linux/netconf.h). */
const IFINDEX_ALL = -1;
const IFINDEX_DEFAULT = -2;

/**
 * One entry of `ip netconf show`: the configuration of one family on one link, or on "all" (the
 * namespace-wide switch, net.ipv4.conf.all.*) or "default" (what new links start with). Each
 * value is present only when the kernel reports it for that family: IPv4 has `rpFilter` and
 * `bcForwarding`, IPv6 has neither.
 */
export interface Netconf {
  family: 4 | 6;
  /** The link's name, or 'all' / 'default'. */
  link: string;
  /** The link's index; -1 for 'all', -2 for 'default'. */
  linkIndex: number;
  /** net.ipv{4,6}.conf.LINK.forwarding */
  forwarding?: boolean;
  /** net.ipv4.conf.LINK.rp_filter: 0 off, 1 strict, 2 loose (RFC 3704). */
  rpFilter?: number;
  /** mc_forwarding: a multicast routing daemon has the link (read-only). */
  mcForwarding?: boolean;
  /** net.ipv4.conf.LINK.proxy_arp, net.ipv6.conf.LINK.proxy_ndp */
  proxyNeighbour?: boolean;
  /** ignore_routes_with_linkdown */
  ignoreRoutesWithLinkdown?: boolean;
  /** net.ipv4.conf.LINK.bc_forwarding (Linux 5.0) */
  bcForwarding?: boolean;
}

/** Options for {@link Namespace.netconf}. */
export interface NetconfOptions {
  /** Only this family (default both). */
  family?: 4 | 6;
  /** Only this link's entries (a name, an index, or a Link of the namespace), or 'all' / 'default'. */
  link?: string | number | Link;
}

/**
 * An entry as the kernel sent it (a dump's, or a monitor event's), named; undefined for a family
 * other than IPv4 and IPv6 (MPLS). @internal
 */
export function netconfFromNative(
  n: NativeNetconf,
  names: { get(index: number): string | undefined },
): Netconf | undefined {
  const family = n.family === AF_INET ? 4 : n.family === AF_INET6 ? 6 : undefined;
  if (family === undefined || n.ifindex === undefined) return undefined;
  const linkIndex = n.ifindex;
  const link =
    linkIndex === IFINDEX_ALL
      ? 'all'
      : linkIndex === IFINDEX_DEFAULT
        ? 'default'
        : (names.get(linkIndex) ?? `if${String(linkIndex)}`);
  const on = (v: number | undefined): boolean | undefined => (v === undefined ? undefined : v !== 0);
  const entry: Netconf = { family, link, linkIndex };
  const set = <K extends keyof Netconf>(key: K, value: Netconf[K] | undefined): void => {
    if (value !== undefined) entry[key] = value;
  };
  set('forwarding', on(n.forwarding));
  set('rpFilter', n.rpFilter);
  set('mcForwarding', on(n.mcForwarding));
  set('proxyNeighbour', on(n.proxyNeigh));
  set('ignoreRoutesWithLinkdown', on(n.ignoreRoutesWithLinkdown));
  set('bcForwarding', on(n.bcForwarding));
  return entry;
}

/** @internal See {@link Namespace.netconf}. */
export async function listNetconf(ns: Namespace, options: NetconfOptions = {}): Promise<Netconf[]> {
  const operation = `show netconf${ns.where}`;
  checkOptionKeys<NetconfOptions>(options, ['family', 'link'], operation);
  if (options.family !== undefined && options.family !== 4 && options.family !== 6) {
    throw invalid(operation, `family must be 4 or 6, not ${describeValue(options.family)}`);
  }
  const family = options.family === 4 ? AF_INET : options.family === 6 ? AF_INET6 : 0;
  const wanted =
    typeof options.link === 'number'
      ? checkInteger(options.link, operation, 'the link index', 1, 0x7fffffff)
      : linkArg(ns, options.link, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  if (wanted !== undefined) return getNetconf(handle, wanted, family, operation);
  // Links too, to name each entry's link; both dumps in one batch.
  const results = await batch(handle, [{ op: 'dumplinks' }, { op: 'dumpnetconf', family }], operation, 'link');
  throwFirstFailure(results, operation, 'link');
  const names = new Map((results[0] as NativeLink[]).map((l) => [l.index, l.name]));
  return (results[1] as NativeNetconf[]).flatMap((n) => netconfFromNative(n, names) ?? []);
}

/**
 * One link's entries (or all's, default's), as `ip -4 netconf show dev LINK` asks for them: one
 * RTM_GETNETCONF per family, not a dump. The link is read in the same batch (by index; a name is
 * looked up first, as ip does), to name it and to tell a link that is gone (ENODEV) from one
 * with no entry of a family: the kernel refuses both alike (IPv4 ENODEV, IPv6 EINVAL), and for
 * the second `ip netconf show dev LINK` prints nothing, as the dump lists nothing.
 */
async function getNetconf(
  handle: NativeHandle,
  wanted: number | string,
  family: number,
  operation: string,
): Promise<Netconf[]> {
  const gone = (): NetnsError => failure('ENODEV', operation, `no link ${describeValue(wanted)} in the namespace`);
  // No link can be called 'all' or 'default' (the kernel refuses the names: its sysctl
  // directories net.ipv4.conf.all and .default are these entries).
  let index = wanted === 'all' ? IFINDEX_ALL : wanted === 'default' ? IFINDEX_DEFAULT : wanted;
  if (typeof index === 'string') {
    const [link] = await batch(handle, [{ op: 'getlink', name: index }], operation, 'link');
    if (isFailure(link as NativeResult)) {
      if ((link as NativeFailure).errno === ENODEV) throw gone();
      throw fromNative(link as NativeFailure, operation, 'link');
    }
    index = (link as NativeLink).index;
  }
  const families = family === 0 ? [AF_INET, AF_INET6] : [family];
  const ops: NativeOp[] = index > 0 ? [{ op: 'getlink', index }] : [];
  for (const f of families) ops.push({ op: 'getnetconf', family: f, index });
  const results = await batch(handle, ops, operation, 'link');
  const names = new Map<number, string>();
  if (index > 0) {
    const link = results.shift() as NativeResult;
    if (isFailure(link)) {
      if (link.errno === ENODEV) throw gone();
      throw fromNative(link, operation, 'link');
    }
    names.set(index, (link as NativeLink).name);
  }
  const out: Netconf[] = [];
  for (const r of results) {
    if (isFailure(r)) {
      if (r.errno === ENODEV || r.errno === EINVAL) continue; // no entry of that family
      throw fromNative(r, operation, 'link');
    }
    for (const n of r as NativeNetconf[]) {
      const entry = netconfFromNative(n, names);
      if (entry !== undefined) out.push(entry);
    }
  }
  return out;
}
