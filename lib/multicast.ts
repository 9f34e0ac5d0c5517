/**
 * Multicast memberships of links, what `ip maddr show` lists, and the link-layer addresses
 * `ip maddr add|del` changes. Where each part comes from (no process is spawned):
 *   - IPv6 groups, and IPv4 groups on Linux 6.14 and later: an RTM_GETMULTICAST dump over the
 *     namespace's rtnetlink socket (IPv4 before 6.14: /proc/net/igmp, the dump being refused
 *     with EOPNOTSUPP; likewise /proc/net/igmp6 should a kernel refuse the IPv6 one);
 *   - the users' count of each group: /proc/net/igmp and /proc/net/igmp6 (rtnetlink sends none);
 *   - link-layer addresses, their users and whether one was added from user space:
 *     /proc/net/dev_mcast (no rtnetlink message lists them).
 * The /proc/net files are read by the native core on the namespace's thread, inside the namespace
 * (the kernel shows each reader its own namespace's), in the same FIFO slot as the dump.
 * Adding and deleting are the SIOCADDMULTI / SIOCDELMULTI ioctls, on a socket opened there.
 */
import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import { exclusive } from './internal/dispatch';
import { fromNative, invalid, withReason, type NetnsError } from './internal/errors';
import { checkObject, checkOptionKeys, describeValue } from './internal/validate';
import type { Namespace } from './namespace';
import { AF_INET, AF_INET6 } from './native/constants';
import { addon } from './native/load';
import type { NativeMulticastGroup, NativeProcMulticast, NativeResult } from './native/surface';
import { isFailure } from './native/wire';

/** A multicast address a link listens on, as `ip maddr show` lists it. */
export interface MulticastAddress {
  /**
   * 'link': a link-layer address in the link's filter (`link  01:00:5e:00:00:01`); 4 or 6: an
   * IPv4 or IPv6 group joined on the link (`inet  224.0.0.1`, `inet6 ff02::1`).
   */
  family: 'link' | 4 | 6;
  /** '01:00:5e:00:00:01', '239.18.117.5', 'ff02::1' */
  address: string;
  /** The link it is on. */
  linkIndex: number;
  /**
   * How many hold it: sockets that joined the group, the kernel itself (224.0.0.1, ff02::1, the
   * link-layer addresses of the groups), an `ip maddr add`. `ip maddr` prints `users N` when not 1.
   */
  users: number;
  /**
   * Link-layer addresses only: true when one was added from user space (SIOCADDMULTI,
   * {@link Link.addMulticastAddress}, `ip maddr add`), which `ip maddr` prints as `static`.
   */
  static?: boolean;
}

/** Options for {@link Namespace.multicastAddresses} and {@link Link.multicastAddresses}. */
export interface MulticastAddressesOptions extends AbortOptions {
  /** Only this kind: 'link' (`ip -0 maddr`), 4 (`ip -4 maddr`) or 6 (`ip -6 maddr`). Default all. */
  family?: 'link' | 4 | 6;
}

/** The files of /proc/net the native core reads (ns/proc_multicast.h's mask). */
const DEV_MCAST = 1;
const IGMP = 2;
const IGMP6 = 4;
const AF_PACKET = 17;

const EOPNOTSUPP = 95;

/** Which families to list, from checked options. */
function familiesOf(options: MulticastAddressesOptions, operation: string): Set<'link' | 4 | 6> {
  checkObject(options, operation, 'options');
  checkOptionKeys(options, ['family', 'signal'], operation);
  const family = options.family;
  if (family === undefined) return new Set(['link', 4, 6]);
  if (family !== 'link' && family !== 4 && family !== 6) {
    throw invalid(operation, `family must be 'link', 4 or 6, not ${describeValue(family)}`);
  }
  return new Set([family]);
}

function key(family: number, index: number, address: string): string {
  return `${family} ${index} ${address}`;
}

/**
 * Lists the multicast addresses of every link of `ns` (or of link `index` only), in `ip maddr`'s
 * order: by link index; on each link its link-layer addresses, then IPv4, then IPv6 groups.
 * @internal
 */
export async function listMulticastAddresses(
  ns: Namespace,
  index: number | undefined,
  options: MulticastAddressesOptions,
  operation: string,
): Promise<MulticastAddress[]> {
  const families = familiesOf(options, operation);
  const signal = checkSignal(options.signal, operation);
  const read = exclusive(
    ns,
    operation,
    'address',
    async (send, handleOf) => {
      const dumps: Array<4 | 6> = ([4, 6] as const).filter((f) => families.has(f));
      const answers: NativeResult[] =
        dumps.length === 0
          ? []
          : await send(dumps.map((f) => ({ op: 'dumpmulticast', family: f === 4 ? AF_INET : AF_INET6 })));
      const groups: NativeMulticastGroup[] = [];
      const fromProc = new Set<number>();
      answers.forEach((answer, i) => {
        if (!isFailure(answer)) {
          groups.push(...(answer as NativeMulticastGroup[]));
          return;
        }
        // IPv4 has had the dump since Linux 6.14 only (and a kernel without IPv6 has no handler
        // for it): their groups are then in /proc alone.
        if (Math.abs(answer.errno) === EOPNOTSUPP) fromProc.add(dumps[i] === 4 ? AF_INET : AF_INET6);
        else throw fromNative(answer, operation, 'address');
      });
      const files =
        (families.has('link') ? DEV_MCAST : 0) | (families.has(4) ? IGMP : 0) | (families.has(6) ? IGMP6 : 0);
      let proc: NativeProcMulticast[];
      try {
        proc = await addon.readProcMulticast(handleOf(ns), files);
      } catch (e) {
        throw explainProc(fromNative(e, operation, 'address'));
      }
      return merge(groups, proc, fromProc);
    },
    signal,
  );
  const all = await abortable(read, signal, operation);
  return index === undefined ? all : all.filter((m) => m.linkIndex === index);
}

function explainProc(e: NetnsError): NetnsError {
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return withReason(e, 'the /proc/net files of the namespace cannot be read (a security module refused it)');
  }
  return e;
}

/**
 * The dump's groups (users from /proc), the link-layer entries (and the groups of a family
 * whose dump the kernel refused, `fromProc`) from /proc, in ip's order. A group the dump lists and /proc no longer does was
 * left between the two reads, and is left out; one /proc lists and the dump did not was joined
 * between them, and is left out too: the dump is the list.
 */
function merge(groups: NativeMulticastGroup[], proc: NativeProcMulticast[], fromProc: Set<number>): MulticastAddress[] {
  const users = new Map<string, number>();
  for (const p of proc) if (p.family !== AF_PACKET) users.set(key(p.family, p.index, p.address), p.users);
  const out: MulticastAddress[] = [];
  for (const p of proc) {
    if (p.family === AF_PACKET) {
      out.push({ family: 'link', address: p.address, linkIndex: p.index, users: p.users, static: p.global });
    } else if (fromProc.has(p.family)) {
      out.push({ family: p.family === AF_INET ? 4 : 6, address: p.address, linkIndex: p.index, users: p.users });
    }
  }
  for (const g of [...groups.filter((x) => x.family === AF_INET), ...groups.filter((x) => x.family === AF_INET6)]) {
    const n = users.get(key(g.family, g.index, g.group));
    if (n === undefined) continue;
    out.push({ family: g.family === AF_INET ? 4 : 6, address: g.group, linkIndex: g.index, users: n });
  }
  // ip lists by link index; within a link, link layer, IPv4, IPv6, each in the kernel's order.
  const rank = (m: MulticastAddress): number => (m.family === 'link' ? 0 : m.family === 4 ? 1 : 2);
  return out
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.linkIndex - b.m.linkIndex || rank(a.m) - rank(b.m) || a.i - b.i)
    .map(({ m }) => m);
}

/**
 * A link-layer multicast address: six bytes 'aa:bb:cc:dd:ee:ff' (or '-' separated, any case)
 * with the group bit (the low bit of the first byte) set. Returns it lower case, colons.
 * @internal
 */
export function parseMulticastMac(text: unknown, operation: string): string {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(text)) {
    throw invalid(
      operation,
      `${describeValue(text)} is not a link-layer address like '01:00:5e:12:75:01' (six bytes in hex)`,
    );
  }
  const mac = text.toLowerCase().replace(/-/g, ':');
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 0) {
    throw invalid(
      operation,
      `${mac} is a unicast address: a multicast one has the low bit of its first byte set (01:00:5e:... for IPv4 groups, 33:33:... for IPv6)`,
    );
  }
  return mac;
}

/** @internal SIOCADDMULTI / SIOCDELMULTI of `mac` (checked) on link `index`. */
export async function changeLinkMulticast(
  ns: Namespace,
  index: number,
  mac: string,
  add: boolean,
  operation: string,
): Promise<void> {
  return exclusive(ns, operation, 'address', async (_send, handleOf) => {
    try {
      await addon.changeLinkMulticast(handleOf(ns), index, mac, add);
    } catch (e) {
      throw explainChange(fromNative(e, operation, 'address'), add);
    }
  });
}

/** The kernel's refusals, said in terms of links and their filters. */
function explainChange(e: NetnsError, add: boolean): NetnsError {
  switch (e.code) {
    case 'ENODEV':
    case 'ENXIO':
      return withReason(e, 'no such link (deleted, or moved to another namespace)');
    case 'EINVAL':
      return withReason(e, 'the link has no multicast filter to change (a loopback, or a kind without one)');
    case 'ENOENT':
      return add
        ? e
        : withReason(
            e,
            'that address was not added to the link from user space (only those listed with static: true can be deleted)',
          );
    default:
      return e;
  }
}
