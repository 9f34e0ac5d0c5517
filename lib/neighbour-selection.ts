/**
 * The selectors `ip neigh show` and `ip neigh flush` share beyond the link, family and state:
 * `to PREFIX`, `master DEV`, `nomaster`, `unused` and `protocol P` (iproute2's do_show_or_flush
 * and print_neigh). Checked once here, applied to each dumped entry with the links dump beside it.
 * @internal
 */
import { invalid, failure } from './internal/errors';
import { prefixBits, prefixHas, type PrefixBits } from './internal/ip-number';
import { checkBoolean, checkLinkName, parseCidr } from './internal/validate';
import { protocolId } from './rt-names';
import { Link } from './link';
import type { Namespace } from './namespace';
import { AF_INET, AF_INET6 } from './native/constants';
import type { NativeLink, NativeNeighbour } from './native/surface';

/** The options both take for them (NeighboursOptions and FlushNeighboursOptions). */
export interface NeighbourSelectors {
  to?: string;
  master?: Link | string;
  noMaster?: boolean;
  unused?: boolean;
  protocol?: string | number;
}

/** The selectors, checked. */
export interface NeighbourSelection {
  to?: PrefixBits;
  /** A Link's index, or a name to find in the links dump. */
  master?: { index?: number; name: string };
  noMaster: boolean;
  unused: boolean;
  /** NDA_PROTOCOL, 0 for an entry without one. */
  protocol?: number;
}

/**
 * Checks the selectors of `options`; `family` is the family asked for (0: both, AF_INET,
 * AF_INET6), which a `to` prefix must agree with.
 */
export function neighbourSelection(
  ns: Namespace,
  options: NeighbourSelectors,
  family: number,
  operation: string,
): NeighbourSelection {
  const out: NeighbourSelection = {
    noMaster: checkBoolean(options.noMaster, operation, 'noMaster') ?? false,
    unused: checkBoolean(options.unused, operation, 'unused') ?? false,
  };
  if (options.to !== undefined) {
    const cidr = parseCidr(options.to, operation, 'prefix (to)');
    if (family !== 0 && family !== (cidr.family === 4 ? AF_INET : AF_INET6)) {
      throw invalid(
        operation,
        `to ${JSON.stringify(options.to)} is an IPv${cidr.family} prefix, but family is ${cidr.family === 4 ? 6 : 4}`,
      );
    }
    out.to = prefixBits(cidr.address, cidr.prefixLength) as PrefixBits;
  }
  if (options.protocol !== undefined) out.protocol = protocolId(options.protocol, operation);
  if (options.master !== undefined) {
    if (out.noMaster) throw invalid(operation, 'master and noMaster exclude each other: give one');
    if (options.master instanceof Link) {
      if (options.master.namespace.inode !== ns.inode) {
        throw invalid(operation, `master "${options.master.name}" is in another namespace`);
      }
      out.master = { index: options.master.index, name: options.master.name };
    } else out.master = { name: checkLinkName(options.master, operation) };
  }
  return out;
}

/** The family a selection dumps: the `to` prefix's when it has one, else `family`. */
export function selectionFamily(selection: NeighbourSelection, family: number): number {
  if (selection.to === undefined) return family;
  return selection.to.family === 4 ? AF_INET : AF_INET6;
}

/**
 * The test of a dumped entry against a selection, given the links dumped beside it (for the
 * master of each entry's link); ENODEV when the master is not among them.
 */
export function neighbourSelector(
  selection: NeighbourSelection,
  links: readonly NativeLink[],
  operation: string,
): (n: NativeNeighbour) => boolean {
  const mastersOf = new Map(links.map((l) => [l.index, l.master]));
  let master: number | undefined;
  if (selection.master !== undefined) {
    const wanted = selection.master;
    const found = links.find((l) => (wanted.index !== undefined ? l.index === wanted.index : l.name === wanted.name));
    if (found === undefined) throw failure('ENODEV', operation, `no link "${wanted.name}" to be the master`);
    master = found.index;
  }
  return (n) => {
    if (selection.to !== undefined && !prefixHas(selection.to, n.dst)) return false;
    // As the kernel's NDA_MASTER filter (neigh_master_filtered): the master of the entry's link.
    const linkMaster = mastersOf.get(n.index) ?? 0;
    if (master !== undefined && linkMaster !== master) return false;
    if (selection.noMaster && linkMaster !== 0) return false;
    // As ip: an entry without cache info (a proxy entry) counts as unused.
    if (selection.unused && (n.refcnt ?? 0) !== 0) return false;
    if (selection.protocol !== undefined && (n.protocol ?? 0) !== selection.protocol) return false;
    return true;
  };
}
