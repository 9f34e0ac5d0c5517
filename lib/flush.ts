/**
 * Flushes: `ip addr flush`, `ip route flush`, `ip neigh flush`, `ip nexthop flush`, `ip rule
 * flush`. Done as iproute2 does them: a dump, filtered here, then one delete per entry it
 * selects, in rounds until a dump selects nothing. Each later round's dump goes in the same
 * sendmsg as the deletes before it (the engine sends a batch's dump last), so a flush with
 * something to remove costs two round trips.
 *
 * A flush is one call on the namespace's FIFO from the first dump to the last delete
 * ({@link exclusive}): a call made after it (an address added again) runs once it is done, and
 * is never flushed. Other processes, and the kernel itself, may still remove an entry between
 * the dump and its delete: a delete that finds its entry gone is no error (iproute2 ignores
 * EADDRNOTAVAIL the same way: deleting an IPv4 primary address takes its secondaries with it).
 */
import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import { scopeNumber, addressFromNative, type Address } from './address';
import { exclusive, throwFirstFailure, type Send } from './internal/dispatch';
import { errnoName, failure, fromNative, invalid, withReason, type NetnsError, type Subject } from './internal/errors';
import { kHandle, kHandleNow } from './internal/symbols';
import { compileGlob, matchGlob, type Glob } from './internal/glob';
import { prefixBits, prefixHas, type PrefixBits } from './internal/ip-number';
import {
  checkBoolean,
  checkInteger,
  checkLinkName,
  checkOptionKeys,
  describeValue,
  parseCidr,
} from './internal/validate';
import { Link } from './link';
import type { Namespace } from './namespace';
import {
  AF_INET,
  AF_INET6,
  IFA_F_PERMANENT,
  IFA_F_SECONDARY,
  LOOPBACK_IFINDEX,
  NTF_EXT_LEARNED,
  NTF_PROXY,
  NUD_FAILED,
  NUD_NOARP,
  NUD_PERMANENT,
  RTM_F_CLONED,
  RTN_UNREACHABLE,
  RT_TABLE_MAIN,
} from './native/constants';
import type {
  NativeAddress,
  NativeAddressRequest,
  NativeLink,
  NativeNeighbour,
  NativeNexthopObject,
  NativeOp,
  NativeResult,
  NativeRoute,
  NativeRule,
  NativeRuleRequest,
} from './native/surface';
import { addon } from './native/load';
import { isFailure } from './native/wire';
import { ruleFromNative, type Rule } from './rule';
import { RULE_FILTER_KEYS, compileRuleFilter, type RuleFilter } from './rule-selectors';
import { nexthopFromNative, type NexthopObject } from './nexthop';
import {
  NUD_NONE_IN_FILTER,
  neighbourFromNative,
  neighbourStateBit,
  type Neighbour,
  type NeighbourState,
} from './neighbour';
import { neighbourSelection, neighbourSelector, selectionFamily } from './neighbour-selection';
import { listedRouteDelete, protocolNumber, routeFromNative, type Route } from './route';
import { Iproute2Names, tableId } from './rt-names';

/** At most this many rounds of deletes (iproute2's address and neighbour flushes stop at 10 too). */
export const kMaxFlushRounds = 10;

/** Options for {@link Namespace.flushAddresses}. */
export interface FlushAddressesOptions extends AbortOptions {
  /**
   * Only this link's addresses (`dev LINK`): a Link of the namespace, or its name. Without it,
   * every link's, except the loopback's own 127.0.0.1/8 and ::1, which go only when `link` is lo.
   */
  link?: Link | string;
  /** Only IPv4 (4) or IPv6 (6) addresses (`ip -4` / `ip -6`). Default both. */
  family?: 4 | 6;
  /**
   * Only addresses of this scope (`scope S`): 'global', 'site', 'link', 'host', 'nowhere', or a
   * number 0-255. Default every scope, IPv6 link-local (fe80::/64) addresses included, as
   * `ip addr flush dev LINK`; 'global' keeps them.
   */
  scope?: string | number;
  /**
   * Only addresses whose label matches this pattern (`label PATTERN`), read as ip reads it
   * (fnmatch: `*`, `?`, `[a-z]`, `[!a]`, `\` quoting the next character; nothing special about
   * `:`). The label is an IPv4 address's own (the link's name unless one was given, as
   * 'eth0:1'); IPv6 addresses have none, and `ip` matches them by their link's name, as here:
   * `label: 'eth0'` also takes eth0's IPv6 addresses, `label: 'eth0:*'` only labelled IPv4 ones.
   */
  label?: string;
  /**
   * Only addresses inside this prefix (`to PREFIX`): their own address (IFA_LOCAL), not the
   * network they are on, within the first bits of 'address/length'. A bare address selects that
   * address alone; 'fd00::/8' every address in fd00::/8. Sets the family (with `family` given,
   * the two must agree).
   */
  to?: string;
  /**
   * Only permanent addresses (true: `permanent`) or only those with a finite valid lifetime
   * (false: `dynamic`), as the kernel's IFA_F_PERMANENT flag has it. Default both.
   */
  permanent?: boolean;
}

/** Options for {@link Link.flushAddresses}: those of {@link Namespace.flushAddresses} but the link. */
export type LinkFlushAddressesOptions = Omit<FlushAddressesOptions, 'link'>;

/** Options for {@link Namespace.flushRoutes}. */
export interface FlushRoutesOptions extends AbortOptions {
  /**
   * The routing table: its id, or its name (`main`, `local`, `default`, or one of
   * /etc/iproute2/rt_tables). Default main, as `ip route flush` flushes nothing else unless
   * told; 0 or 'all' for every table, the local table (the kernel's routes to the namespace's
   * own addresses) included.
   */
  table?: number | string;
  /** Only IPv4 (4) or IPv6 (6) routes. Default both (`ip route flush` alone flushes IPv4 only). */
  family?: 4 | 6;
  /**
   * Only routes out of this link (`dev LINK`: a route whose one next hop is through it; as with
   * `ip`, a multipath route is not selected by a link): a Link of the namespace, or its name.
   */
  link?: Link | string;
  /** Only routes of this protocol (`proto P`): 'kernel', 'boot', 'static', ... or a number. */
  protocol?: string | number;
  /**
   * Flush the route exceptions instead (`ip route flush cache`; see `RoutesOptions.cache`):
   * IPv4's all at once, by writing net.ipv4.route.flush in the namespace (the kernel has no
   * request to delete one), IPv6's one by one (each selected by `table`, `link` and `protocol`,
   * as `ip -6 route flush cache`). With IPv4 in the flush (`family` 4 or none), `link`,
   * `protocol` and a table other than main or all are refused: they would select nothing there.
   * Resolves with the exceptions removed: for IPv4, those of every table listed just before the
   * flush.
   */
  cache?: boolean;
}

/** Options for {@link Namespace.flushNeighbours}. */
export interface FlushNeighboursOptions extends AbortOptions {
  /** Only this link's entries (`dev LINK`): a Link of the namespace, or its name. */
  link?: Link | string;
  /** Only IPv4 (4, ARP) or IPv6 (6, NDP) entries. Default both. */
  family?: 4 | 6;
  /**
   * Only entries in these states (`nud STATE`, repeated): one state or a list; 'all' for every
   * state but 'noarp'. Default every state but 'permanent' and 'noarp', as `ip neigh flush`.
   */
  state?: NeighbourState | 'all' | Array<NeighbourState | 'all'>;
  /**
   * Flush the proxy entries instead (`ip neigh flush proxy`), every one (of `link` and
   * `family`, when given); they have no state to select by. Default false: proxy entries stay,
   * as with `ip neigh flush`, for the kernel keeps them in a table of their own.
   */
  proxy?: boolean;
  /** Only entries whose address lies in this prefix (`to PREFIX`), as {@link NeighboursOptions.to}. */
  to?: string;
  /** Only entries on the ports of this master (`master DEV`), as {@link NeighboursOptions.master}. */
  master?: Link | string;
  /** Only entries on links with no master (`nomaster`); not with `master`. */
  noMaster?: boolean;
  /** Only entries the kernel holds no reference on (`unused`). */
  unused?: boolean;
  /** Only entries of this protocol (`protocol P`), as {@link NeighboursOptions.protocol}. */
  protocol?: string | number;
}

/**
 * Options for {@link Namespace.flushRules}: the selectors of `ip rule flush SELECTOR`, each a
 * filter, as {@link Namespace.rules} takes them (see {@link RuleFilter}). Default both families
 * (`ip rule flush` alone flushes IPv4 only).
 */
export interface FlushRulesOptions extends RuleFilter, AbortOptions {}

/** Options for {@link Namespace.flushNexthops}: each a filter, as `ip nexthop flush` takes them. */
export interface FlushNexthopsOptions extends AbortOptions {
  /** Only the nexthop object of this id (`id N`). */
  id?: number;
  /** true: only groups (`groups`). */
  group?: boolean;
  /** Only nexthops on this link (`dev LINK`): a Link of the namespace, or its name. */
  link?: Link | string;
  /** Only IPv4 (4) or IPv6 (6) nexthops; groups have no family and are left alone then. */
  family?: 4 | 6;
  /** Only nexthops of this protocol (`proto P`): 'static', 'boot', ... or a number. */
  protocol?: string | number;
  /** true: only fdb nexthops (`fdb`). */
  fdb?: boolean;
}

const ADDRESS_KEYS = ['link', 'family', 'scope', 'label', 'to', 'permanent', 'signal'] as const;
const LINK_ADDRESS_KEYS = ['family', 'scope', 'label', 'to', 'permanent', 'signal'] as const;
const ROUTE_KEYS = ['table', 'family', 'link', 'protocol', 'cache', 'signal'] as const;
const NEIGHBOUR_KEYS = [
  'link',
  'family',
  'state',
  'proxy',
  'to',
  'master',
  'noMaster',
  'unused',
  'protocol',
  'signal',
] as const;
const NEXTHOP_KEYS = ['id', 'group', 'link', 'family', 'protocol', 'fdb', 'signal'] as const;
const RULE_KEYS = [...RULE_FILTER_KEYS, 'signal'] as const;

/** What a delete answers when its entry is gone already (or its link, taking the entry along). */
const GONE = new Set(['ENOENT', 'ESRCH', 'EADDRNOTAVAIL', 'ENODEV']);

/** How one kind of entry is flushed. */
interface Plan<E> {
  /** The dump of each later round (sent after the round's deletes, in the same batch). */
  dump: NativeOp;
  /** The entries of a dump to delete; `round` counts from 1. */
  select(dumped: E[], round: number): E[];
  /** The delete of one. */
  remove(entry: E): NativeOp;
  /** An entry as a message names it. */
  describe(entry: E): string;
  /** Whether an entry whose delete found it gone went with one this flush removed (`removed`). */
  wentWith?(entry: E, removed: readonly E[]): boolean;
}

/**
 * Deletes what each dump selects, starting with `selected`, until a dump selects nothing.
 * Resolves with the entries removed: those whose delete succeeded, and those the kernel removed
 * along with one of them ({@link Plan.wentWith}). A delete refused for another reason than the
 * entry being gone stops the flush (after the rest of its batch, which the kernel ran) with that
 * error; so do more than {@link kMaxFlushRounds} rounds (EAGAIN: something keeps adding entries).
 */
async function deleteInRounds<E>(
  send: Send,
  first: E[],
  plan: Plan<E>,
  operation: string,
  subject: Subject,
): Promise<E[]> {
  const removed: E[] = [];
  let selected = first;
  for (let round = 1; selected.length > 0; round += 1) {
    if (round > kMaxFlushRounds) {
      throw failure(
        'EAGAIN',
        operation,
        `${selected.length} still to remove after ${kMaxFlushRounds} rounds of deletes (${removed.length} removed): ` +
          'something keeps adding them; retry once it stops',
      );
    }
    const results = await send([...selected.map((entry) => plan.remove(entry)), plan.dump]);
    let refused: NetnsError | undefined;
    selected.forEach((entry, i) => {
      const r = results[i] as NativeResult;
      if (!isFailure(r)) removed.push(entry);
      else if (GONE.has(errnoName(r.errno))) {
        if (plan.wentWith?.(entry, removed)) removed.push(entry);
      } else if (refused === undefined) {
        const e = fromNative(r, operation, subject);
        refused = withReason(e, `deleting ${plan.describe(entry)}: ${e.reason}`);
      }
    });
    if (refused !== undefined) {
      throw withReason(refused, `${refused.reason}; the flush stopped there, ${removed.length} removed`);
    }
    const dumped = results[selected.length] as NativeResult;
    if (isFailure(dumped)) throw fromNative(dumped, operation, subject);
    selected = plan.select(dumped as E[], round + 1);
  }
  return removed;
}

/** A `link` filter: the index of a Link of `ns` (and its name), or a name still to look up. */
function linkFilter(ns: Namespace, link: unknown, operation: string): { index?: number; name: string } {
  if (link instanceof Link) {
    if (link.namespace.inode !== ns.inode) throw invalid(operation, `link "${link.name}" is in another namespace`);
    return { index: link.index, name: link.name };
  }
  return { name: checkLinkName(link, operation) };
}

/** The index of the link a filter names, among `links` (a dump); ENODEV when it is not there. */
function indexIn(links: NativeLink[], link: { index?: number; name: string }, operation: string): number {
  const found = links.find((l) => (link.index !== undefined ? l.index === link.index : l.name === link.name));
  if (found === undefined) throw failure('ENODEV', operation, 'no such link');
  return found.index;
}

/** ' of link "eth0"', for an operation; '' without a link filter. */
function ofLink(link: unknown): string {
  if (link === undefined) return '';
  return ` of link ${link instanceof Link ? `"${link.name}"` : describeValue(link)}`;
}

/** The `family` option: 0 (both), AF_INET or AF_INET6. */
function familyOf(family: unknown, operation: string): number {
  if (family === undefined) return 0;
  if (family !== 4 && family !== 6) throw invalid(operation, `family must be 4 or 6, not ${describeValue(family)}`);
  return family === 4 ? AF_INET : AF_INET6;
}

/** The `scope` option, as a number. */
function scopeOf(scope: unknown, operation: string): number {
  if (typeof scope === 'number') return checkInteger(scope, operation, 'the scope', 0, 255);
  const n = typeof scope === 'string' ? scopeNumber(scope) : undefined;
  if (n === undefined) {
    throw invalid(
      operation,
      `unknown scope ${describeValue(scope)} (one of global, site, link, host, nowhere, or a number 0-255)`,
    );
  }
  return n;
}

/** The `label` option, compiled. */
function labelOf(label: unknown, operation: string): Glob {
  if (typeof label !== 'string' || label.length === 0) {
    throw invalid(operation, `label must be a non-empty pattern such as 'eth0:*', not ${describeValue(label)}`);
  }
  return compileGlob(label, operation, 'label');
}

/** The `to` option, whose family must agree with `family` (0: none given). */
function prefixOf(to: unknown, family: number, operation: string): PrefixBits {
  const cidr = parseCidr(to, operation, 'prefix (to)');
  const af = cidr.family === 4 ? AF_INET : AF_INET6;
  if (family !== 0 && family !== af) {
    throw invalid(
      operation,
      `to ${JSON.stringify(to)} is an IPv${cidr.family} prefix, but family is ${cidr.family === 4 ? 6 : 4}`,
    );
  }
  return prefixBits(cidr.address, cidr.prefixLength) as PrefixBits;
}

/** An IPv4 address as a 32-bit number. */
function ipv4Number(text: string): number {
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** The address a delete names (IFA_LOCAL: the address; IFA_ADDRESS: the peer, when one). */
function localOf(a: NativeAddress): string {
  return (a.local ?? a.address) as string;
}

/** The loopback's own addresses, which only a flush of lo itself removes. */
function loopbackOwn(a: NativeAddress): boolean {
  if (a.index !== LOOPBACK_IFINDEX) return false;
  const local = localOf(a);
  return (
    (a.family === AF_INET && local === '127.0.0.1' && a.prefixlen === 8) || (a.family === AF_INET6 && local === '::1')
  );
}

/** `ip addr flush`. @internal */
export async function flushAddresses(ns: Namespace, options: FlushAddressesOptions, of?: Link): Promise<Address[]> {
  const given: unknown = (options as Partial<FlushAddressesOptions> | null)?.link;
  const operation = `flush addresses${ofLink(of ?? given)}${ns.where}`;
  const opts = checkOptionKeys<FlushAddressesOptions>(options, of ? LINK_ADDRESS_KEYS : ADDRESS_KEYS, operation);
  const asked = familyOf(opts.family, operation);
  const scope = opts.scope === undefined ? undefined : scopeOf(opts.scope, operation);
  const label = opts.label === undefined ? undefined : labelOf(opts.label, operation);
  const to = opts.to === undefined ? undefined : prefixOf(opts.to, asked, operation);
  const family = to === undefined ? asked : to.family === 4 ? AF_INET : AF_INET6;
  const permanent = checkBoolean(opts.permanent, operation, 'permanent');
  const link = of !== undefined || given !== undefined ? linkFilter(ns, of ?? given, operation) : undefined;
  const signal = checkSignal(opts.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const flushing = exclusive(
    handle,
    operation,
    'address',
    async (send) => {
      let index = link?.index;
      const dump = (): NativeOp => ({
        op: 'dumpaddrs',
        ...(family !== 0 && { family }),
        ...(index !== undefined && { index }),
      });
      // A link given by name: its lookup goes in the dump's batch; so do the links' names when
      // a label is matched (an IPv6 address's is its link's name). Those names are read once, as
      // ip reads them: an address on a link made during the flush is not matched by label.
      const byName = link !== undefined && index === undefined;
      const results = await send([
        ...(label !== undefined ? [{ op: 'dumplinks' } as const] : []),
        ...(byName ? [{ op: 'getlink', name: link.name } as const] : []),
        dump(),
      ]);
      throwFirstFailure(results, operation, 'address');
      if (byName) index = (results[results.length - 2] as NativeLink).index;
      const names = new Map(label !== undefined ? (results[0] as NativeLink[]).map((l) => [l.index, l.name]) : []);
      const labelled = (a: NativeAddress): boolean => {
        const text = a.family === AF_INET && a.label !== '' ? a.label : names.get(a.index);
        return text !== undefined && matchGlob(label as Glob, text);
      };
      const select = (dumped: NativeAddress[]): NativeAddress[] =>
        dumped.filter(
          (a) =>
            (index === undefined ? !loopbackOwn(a) : a.index === index) &&
            (family === 0 || a.family === family) &&
            (scope === undefined || a.scope === scope) &&
            (permanent === undefined || ((a.flags & IFA_F_PERMANENT) !== 0) === permanent) &&
            (label === undefined || labelled(a)) &&
            (to === undefined || prefixHas(to, localOf(a))),
        );
      const removed = await deleteInRounds(
        send,
        select(results[results.length - 1] as NativeAddress[]),
        {
          dump: dump(),
          select,
          remove: (a) => {
            const req: NativeAddressRequest = { local: localOf(a), prefixlen: a.prefixlen, index: a.index };
            if (a.address !== undefined && a.address !== req.local) req.peer = a.address;
            return { op: 'deladdr', address: req };
          },
          describe: (a) => `${localOf(a)}/${a.prefixlen} (link index ${a.index})`,
          // Deleting an IPv4 primary address deletes its secondaries (same link, prefix and
          // subnet) unless promote_secondaries is set: those went with it.
          wentWith: (a, done) =>
            a.family === AF_INET &&
            (a.flags & IFA_F_SECONDARY) !== 0 &&
            done.some((p) => {
              if (p.family !== AF_INET || p.index !== a.index || p.flags & IFA_F_SECONDARY) return false;
              if (p.prefixlen !== a.prefixlen) return false;
              const mask = p.prefixlen === 0 ? 0 : (0xffffffff << (32 - p.prefixlen)) >>> 0;
              return (ipv4Number(localOf(p)) & mask) >>> 0 === (ipv4Number(localOf(a)) & mask) >>> 0;
            }),
        },
        operation,
        'address',
      );
      return removed.map(addressFromNative);
    },
    signal,
  );
  return abortable(flushing, signal, operation);
}

/** The IPv6 null entry (`unreachable default dev lo metric 4294967295`), which `ip` never flushes. */
function ip6NullEntry(r: NativeRoute): boolean {
  return r.family === AF_INET6 && r.dstLen === 0 && r.type === RTN_UNREACHABLE && r.priority === 0xffffffff;
}

/** `ip route flush`. @internal */
export async function flushRoutes(ns: Namespace, options: FlushRoutesOptions): Promise<Route[]> {
  const given: unknown = (options as Partial<FlushRoutesOptions> | null)?.link;
  const operation = `flush routes${ofLink(given)}${ns.where}`;
  const opts = checkOptionKeys<FlushRoutesOptions>(options, ROUTE_KEYS, operation);
  const table = opts.table === undefined ? RT_TABLE_MAIN : tableId(opts.table, operation, { min: 0, allowAll: true });
  const family = familyOf(opts.family, operation);
  const protocol = opts.protocol === undefined ? undefined : protocolNumber(opts.protocol, operation);
  const link = given === undefined ? undefined : linkFilter(ns, given, operation);
  const signal = checkSignal(opts.signal, operation);
  if (checkBoolean(opts.cache, operation, 'cache') === true) {
    if (
      family !== AF_INET6 &&
      (link !== undefined || protocol !== undefined || (table !== 0 && table !== RT_TABLE_MAIN))
    ) {
      throw invalid(
        operation,
        'the IPv4 route cache is flushed whole (net.ipv4.route.flush): a link, protocol or table selects IPv6 route ' +
          'exceptions only; give family: 6 with them',
      );
    }
    return flushRouteCache(ns, { family, table, protocol, link }, operation, signal);
  }
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const flushing = exclusive(
    handle,
    operation,
    'route',
    async (send) => {
      const dump: NativeOp = { op: 'dumproutes', family, table };
      // Links too, to find a link given by name and to name each route's; in the dump's batch.
      const results = await send([{ op: 'dumplinks' }, dump]);
      throwFirstFailure(results, operation, 'route');
      const links = results[0] as NativeLink[];
      const oif = link === undefined ? undefined : indexIn(links, link, operation);
      const names = new Map(links.map((l) => [l.index, l.name]));
      const iproute2Names = new Iproute2Names();
      // The kernel filters on the table only with strict checking (4.20); below that, here.
      const select = (dumped: NativeRoute[]): NativeRoute[] =>
        dumped.filter(
          (r) =>
            !(r.flags & RTM_F_CLONED) &&
            (table === 0 || r.table === table) &&
            (oif === undefined || r.oif === oif) &&
            (protocol === undefined || r.protocol === protocol) &&
            !ip6NullEntry(r),
        );
      const removed = await deleteInRounds(
        send,
        select(results[1] as NativeRoute[]),
        {
          dump,
          select,
          // Deleted as deleteRoute deletes the route listed: the same conversion, so the flush
          // matches each exactly as a listing shows it (`from`, TOS, metric, next hops, ...).
          remove: (r) => ({
            op: 'delroute',
            route: listedRouteDelete(routeFromNative(r, names, iproute2Names), operation),
          }),
          describe: (r) =>
            `the route to ${r.dst !== undefined ? `${r.dst}/${r.dstLen}` : 'default'} (table ${r.table})`,
        },
        operation,
        'route',
      );
      return removed.map((r) => routeFromNative(r, names, iproute2Names));
    },
    signal,
  );
  return abortable(flushing, signal, operation);
}

/** What flushRouteCache selects (checked): a family (0: both), a table (0: all), ... */
interface CacheSelection {
  family: number;
  table: number;
  protocol: number | undefined;
  link: { index?: number; name: string } | undefined;
}

/**
 * `ip route flush cache`: the IPv4 exceptions all at once (net.ipv4.route.flush, which makes the
 * kernel forget them: fnhe_genid_bump), then the IPv6 ones selected, each deleted with
 * RTM_F_CLONED, in rounds. One call on the FIFO, from the first dump to the last delete.
 */
async function flushRouteCache(
  ns: Namespace,
  selection: CacheSelection,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<Route[]> {
  const { family, table, protocol, link } = selection;
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const flushing = exclusive(
    handle,
    operation,
    'route',
    async (send, handleOf) => {
      const dump = (of: number, from: number): NativeOp => ({
        op: 'dumproutes',
        family: of,
        table: from,
        flags: RTM_F_CLONED,
      });
      // Every table's at first: the IPv4 flush drops them all, and says so.
      const results = await send([{ op: 'dumplinks' }, dump(family, 0)]);
      throwFirstFailure(results, operation, 'route');
      const links = results[0] as NativeLink[];
      const oif = link === undefined ? undefined : indexIn(links, link, operation);
      const names = new Map(links.map((l) => [l.index, l.name]));
      const iproute2Names = new Iproute2Names();
      const first = (results[1] as NativeRoute[]).filter((r) => (r.flags & RTM_F_CLONED) !== 0);
      const removed: NativeRoute[] = [];
      if (family !== AF_INET6) {
        try {
          await addon.netSysctl(handleOf(handle), 'ipv4/route/flush', '-1');
        } catch (e) {
          throw fromNative(e, operation, 'sysctl');
        }
        removed.push(...first.filter((r) => r.family === AF_INET));
      }
      if (family !== AF_INET) {
        const select = (dumped: NativeRoute[]): NativeRoute[] =>
          dumped.filter(
            (r) =>
              r.family === AF_INET6 &&
              (r.flags & RTM_F_CLONED) !== 0 &&
              (table === 0 || r.table === table) &&
              (oif === undefined || r.oif === oif) &&
              (protocol === undefined || r.protocol === protocol),
          );
        const deleted = await deleteInRounds(
          send,
          select(first),
          {
            dump: dump(AF_INET6, table),
            select,
            remove: (r) => ({
              op: 'delroute',
              route: listedRouteDelete(routeFromNative(r, names, iproute2Names), operation),
            }),
            describe: (r) => `the route exception for ${r.dst ?? '::'} (table ${r.table})`,
          },
          operation,
          'route',
        );
        removed.push(...deleted);
      }
      return removed.map((r) => routeFromNative(r, names, iproute2Names));
    },
    signal,
  );
  return abortable(flushing, signal, operation);
}

/** The states `state` selects, as a mask of NUD_* bits (and NUD_NONE_IN_FILTER). */
function stateMask(state: unknown, operation: string): number {
  // `ip neigh flush`'s default and its `nud all` (ipneigh.c: noarp entries are never flushed
  // unless named).
  if (state === undefined) return 0x1ff & ~(NUD_PERMANENT | NUD_NOARP);
  const all = 0x1ff & ~NUD_NOARP;
  const list: unknown[] = Array.isArray(state) ? state : [state];
  if (list.length === 0) throw invalid(operation, 'state must be a neighbour state, a list of them, or "all"');
  let mask = 0;
  for (const name of list) {
    const bit = name === 'all' ? all : neighbourStateBit(name);
    if (bit === undefined) {
      throw invalid(
        operation,
        `unknown neighbour state ${describeValue(name)} (one of incomplete, reachable, stale, delay, probe, failed, noarp, permanent, none, all)`,
      );
    }
    mask |= bit;
  }
  return mask;
}

/** `ip neigh flush`. @internal */
export async function flushNeighbours(ns: Namespace, options: FlushNeighboursOptions): Promise<Neighbour[]> {
  const given: unknown = (options as Partial<FlushNeighboursOptions> | null)?.link;
  const operation = `flush neighbours${ofLink(given)}${ns.where}`;
  const opts = checkOptionKeys<FlushNeighboursOptions>(options, NEIGHBOUR_KEYS, operation);
  const asked = familyOf(opts.family, operation);
  const selection = neighbourSelection(ns, opts, asked, operation);
  const family = selectionFamily(selection, asked);
  const proxy = checkBoolean(opts.proxy, operation, 'proxy') ?? false;
  if (proxy && opts.state !== undefined) {
    throw invalid(operation, 'a proxy entry has no state; leave state out to flush every proxy entry');
  }
  const states = stateMask(opts.state, operation);
  const link = given === undefined ? undefined : linkFilter(ns, given, operation);
  const signal = checkSignal(opts.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const flushing = exclusive(
    handle,
    operation,
    'neighbour',
    async (send) => {
      // The kernel dumps the proxy entries (NTF_PROXY) apart from the others (neigh_dump_info).
      const dump = (index: number): NativeOp => ({
        op: 'dumpneighs',
        family,
        index,
        ...(proxy && { flags: NTF_PROXY }),
      });
      // Links too, to find a link given by name and to name each entry's; in the dump's batch.
      const results = await send([{ op: 'dumplinks' }, dump(link?.index ?? 0)]);
      throwFirstFailure(results, operation, 'neighbour');
      const links = results[0] as NativeLink[];
      const index = link === undefined ? undefined : indexIn(links, link, operation);
      // The masters as the first round's links dump has them (ip reads its link map once too).
      const selected = neighbourSelector(selection, links, operation);
      const select = (dumped: NativeNeighbour[], round: number): NativeNeighbour[] => {
        // After the first round, as ip: an entry still in use stays, 'failed', when deleted.
        const mask = round > 1 ? states & ~NUD_FAILED : states;
        return dumped.filter(
          (n) =>
            (n.family === AF_INET || n.family === AF_INET6) &&
            n.dst !== undefined &&
            (index === undefined || n.index === index) &&
            selected(n) &&
            // As ip: a proxy entry whatever its state (none).
            ((proxy && (n.flags & NTF_PROXY) !== 0) ||
              // As ip: entries learned outside the kernel whatever their state.
              (n.state & mask) !== 0 ||
              (n.flags & NTF_EXT_LEARNED) !== 0 ||
              (n.state === 0 && (mask & NUD_NONE_IN_FILTER) !== 0)),
        );
      };
      const removed = await deleteInRounds(
        send,
        select(results[1] as NativeNeighbour[], 1),
        {
          dump: dump(index ?? 0),
          select,
          remove: (n) => ({
            op: 'delneigh',
            // NUD_PERMANENT as `ip neigh del` sends it (the kernel ignores the state of a delete);
            // NTF_PROXY deletes the proxy entry (pneigh_delete).
            neighbour: {
              family: n.family,
              index: n.index,
              dst: n.dst as string,
              state: NUD_PERMANENT,
              ...(proxy && { flags: NTF_PROXY }),
            },
          }),
          describe: (n) => `the entry for ${String(n.dst)} (link index ${n.index})`,
        },
        operation,
        'neighbour',
      );
      const names = new Map(links.map((l) => [l.index, l.name]));
      const protocols = new Iproute2Names();
      return removed.flatMap((n) => neighbourFromNative(n, names, protocols) ?? []);
    },
    signal,
  );
  return abortable(flushing, signal, operation);
}

/** `ip nexthop flush`. @internal */
export async function flushNexthops(ns: Namespace, options: FlushNexthopsOptions): Promise<NexthopObject[]> {
  const given: unknown = (options as Partial<FlushNexthopsOptions> | null)?.link;
  const operation = `flush nexthops${ofLink(given)}${ns.where}`;
  const opts = checkOptionKeys<FlushNexthopsOptions>(options, NEXTHOP_KEYS, operation);
  const id = opts.id === undefined ? undefined : checkInteger(opts.id, operation, 'the nexthop id', 1, 0xffffffff);
  const groups = checkBoolean(opts.group, operation, 'group');
  const family = familyOf(opts.family, operation);
  const protocol = opts.protocol === undefined ? undefined : protocolNumber(opts.protocol, operation);
  const fdb = checkBoolean(opts.fdb, operation, 'fdb');
  const link = given === undefined ? undefined : linkFilter(ns, given, operation);
  const signal = checkSignal(opts.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const flushing = exclusive(
    handle,
    operation,
    'nexthop',
    async (send) => {
      const dump: NativeOp = { op: 'dumpnexthops', family, ...(groups && { groups: 1 }) };
      // Links too, to find a link given by name and to name each nexthop's; in the dump's batch.
      const results = await send([{ op: 'dumplinks' }, dump]);
      throwFirstFailure(results, operation, 'nexthop');
      const links = results[0] as NativeLink[];
      const index = link === undefined ? undefined : indexIn(links, link, operation);
      const select = (dumped: NativeNexthopObject[]): NativeNexthopObject[] =>
        dumped.filter(
          (n) =>
            (id === undefined || n.id === id) &&
            (index === undefined || n.oif === index) &&
            (protocol === undefined || n.protocol === protocol) &&
            (fdb !== true || n.fdb === 1),
        );
      const removed = await deleteInRounds(
        send,
        select(results[1] as NativeNexthopObject[]),
        {
          dump,
          select,
          remove: (n) => ({ op: 'delnexthop', id: n.id }),
          describe: (n) => `nexthop id ${n.id}`,
          // The kernel deletes a group whose last member goes.
          wentWith: (n, done) => n.group !== undefined && n.group.every((m) => done.some((d) => d.id === m.id)),
        },
        operation,
        'nexthop',
      );
      const names = new Map(links.map((l) => [l.index, l.name]));
      const iproute2Names = new Iproute2Names();
      return removed.map((n) => nexthopFromNative(n, names, iproute2Names));
    },
    signal,
  );
  return abortable(flushing, signal, operation);
}

/** A listed rule's delete, as `ip rule flush` sends one: the rule as dumped (names only if set). */
function listedRuleDelete(r: NativeRule): NativeOp {
  const { iifname, oifname, ...rest } = r;
  const rule: NativeRuleRequest = { ...rest, ...(iifname !== '' && { iifname }), ...(oifname !== '' && { oifname }) };
  return { op: 'delrule', rule };
}

/** `ip rule flush`. @internal */
export async function flushRules(ns: Namespace, options: FlushRulesOptions): Promise<Rule[]> {
  const operation = `flush rules${ns.where}`;
  const opts = checkOptionKeys<FlushRulesOptions>(options, RULE_KEYS, operation);
  const { families, matches } = compileRuleFilter(opts, operation);
  const signal = checkSignal(opts.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const flushing = exclusive(
    handle,
    operation,
    'rule',
    async (send) => {
      const dumps = families.map((f): NativeOp => ({ op: 'dumprules', family: f }));
      const results = await send(dumps);
      throwFirstFailure(results, operation, 'rule');
      // As ip: a rule without a priority (the kernel's rule 0, `lookup local`) is never flushed.
      const select = (dumped: NativeRule[]): NativeRule[] =>
        dumped.filter((r) => r.priority !== undefined && r.priority !== 0 && matches(r));
      // Each family in its own rounds (a later round's dump is of that family alone).
      const removed: NativeRule[] = [];
      for (const [i, dumped] of (results as NativeRule[][]).entries()) {
        const plan = { dump: dumps[i] as NativeOp, select, remove: listedRuleDelete, describe: describeListed };
        removed.push(...(await deleteInRounds(send, select(dumped), plan, operation, 'rule')));
      }
      const names = new Iproute2Names();
      return removed.map((r) => ruleFromNative(r, names));
    },
    signal,
  );
  return abortable(flushing, signal, operation);
}

/** A dumped rule as a message names it. */
function describeListed(r: NativeRule): string {
  return `the rule of priority ${String(r.priority)} (IPv${r.family === AF_INET ? 4 : 6})`;
}
