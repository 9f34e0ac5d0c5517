/**
 * Route lookups (`ip route get`): which route the kernel takes for a packet, asked of the kernel
 * itself (one RTM_GETROUTE without NLM_F_DUMP, native/rtnl/route.cc BuildGetRoute), so rules,
 * marks, TOS, the input link and multipath hashing all count as they would for a real packet.
 */
import { checkSignal, type AbortOptions } from './internal/abort';
import { exclusive } from './internal/dispatch';
import { NetnsError, fromNative, internalError, invalid, withReason } from './internal/errors';
import { kHandle, kHandleNow } from './internal/symbols';
import { checkBoolean, checkInteger, checkOptionKeys, describeValue, parseIp } from './internal/validate';
import { Link } from './link';
import type { Namespace } from './namespace';
import { isFailure } from './native/wire';
import type { NativeLink, NativeRoute, NativeRouteGet } from './native/surface';
import { linkArg, routeFromNative, type Route } from './route';
import { dsfieldValue } from './rt-names';

/** Options for {@link Namespace.routeTo}: the rest of the packet the lookup is for. */
export interface RouteToOptions extends AbortOptions {
  /** The packet's source address (`from`), of the destination's family. */
  source?: string;
  /**
   * The packet comes in on this link (`iif`) and is forwarded, instead of being sent from this
   * namespace: a Link of the namespace, or its name. Needs `source` (as `ip route get ... from
   * SRC iif LINK`); excludes `outputLink`. IPv4 answers EHOSTUNREACH unless that link forwards
   * (net.ipv4.conf.LINK.forwarding).
   */
  inputLink?: Link | string;
  /**
   * The packet is sent out of this link (`oif`): a Link of the namespace, or its name; a VRF
   * device makes the lookup in its table (`ip route get ... vrf NAME`).
   */
  outputLink?: Link | string;
  /** The packet's firewall mark (`mark`), which rules (`fwmark`) may route by. 0: none. */
  mark?: number;
  /**
   * Its TOS / DS field (`tos`, `dsfield`): 0-255, a name from /etc/iproute2/rt_dsfield ('AF11'),
   * or hex in a string ('0x10'). IPv6: the traffic class.
   */
  tos?: number | string;
  /** The user id of the socket sending it (`uid`), which rules (`uidrange`) may route by. */
  uid?: number;
  /**
   * Its transport protocol (`ipproto`): 'tcp', 'udp', 'icmp' (IPv4), 'icmpv6' (IPv6), or that
   * number. The kernel hashes multipath routes and matches rules (`ipproto`, ports) with it;
   * it assumes UDP when not given.
   */
  protocol?: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | number;
  /** Its source port (`sport`), 1-65535; TCP and UDP only. */
  sourcePort?: number;
  /** Its destination port (`dport`), 1-65535; TCP and UDP only. */
  destinationPort?: number;
  /**
   * The route as the table holds it (`fibmatch`, RTM_F_FIB_MATCH: destination its prefix,
   * protocol, scope, metric, every next hop) instead of the resolved one (destination the
   * address, the next hop the kernel picked, the source address it would use).
   */
  fibMatch?: boolean;
}

/** What {@link Namespace.routeTo} answers: the route the kernel took, as `ip route get` prints it. */
export interface RouteLookup extends Route {
  /**
   * The link the packet came in on (`iif`), when `inputLink` was given; for a local destination
   * reached from this namespace, lo.
   */
  inputLink?: string;
  inputLinkIndex?: number;
  /** The mark the lookup was made with (`mark`), when not 0. */
  mark?: number;
  /** The user id the lookup was made for (`uid`): `uid`, else this process's (a resolved route only). */
  uid?: number;
}

const ROUTE_TO_KEYS: readonly (keyof RouteToOptions)[] = [
  'source',
  'inputLink',
  'outputLink',
  'mark',
  'tos',
  'uid',
  'protocol',
  'sourcePort',
  'destinationPort',
  'fibMatch',
  'signal',
];

const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['icmp', 1],
  ['tcp', 6],
  ['udp', 17],
  ['icmpv6', 58],
]);
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

/** The transport protocol's number, checked against what the kernel routes by for `family`. */
function protocolOption(value: unknown, family: 4 | 6, operation: string): number {
  const n = typeof value === 'string' ? PROTOCOLS.get(value) : value;
  if (typeof n !== 'number' || !PROTOCOLS_OF[family].includes(n)) {
    const names = family === 4 ? "'tcp', 'udp', 'icmp'" : "'tcp', 'udp', 'icmpv6'";
    throw invalid(
      operation,
      `the protocol must be ${names} or its number for an IPv${family} lookup (the kernel looks up by no other), not ${describeValue(value)}`,
    );
  }
  return n;
}
const PROTOCOLS_OF: Record<4 | 6, readonly number[]> = { 4: [6, 17, IPPROTO_ICMP], 6: [6, 17, IPPROTO_ICMPV6] };

interface Question {
  op: NativeRouteGet;
  inputLink: number | string | undefined;
  outputLink: number | string | undefined;
  /** Names already known, from the Link objects given. */
  names: Map<number, string>;
  signal: AbortSignal | undefined;
}

/** Checks the address and options and makes the request (links still by name where given so). */
function question(ns: Namespace, address: unknown, options: RouteToOptions, operation: string): Question {
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  if (typeof address === 'string' && address.includes('/')) {
    throw invalid(operation, `give an address, not a network: the kernel looks up one packet's route ("${address}")`);
  }
  const dst = parseIp(address, operation, 'destination');
  const op: NativeRouteGet = { dst: dst.address };
  if ((options as { table?: unknown }).table !== undefined) {
    throw invalid(
      operation,
      'the kernel takes no table in a route lookup (ip route get has none): it follows the rules; ' +
        'give the mark, source, inputLink or uid a rule sends to that table, or a VRF device of it as outputLink',
    );
  }
  // A misspelt option (`src`, `oif`) would answer another lookup's question: refused.
  checkOptionKeys(options, ROUTE_TO_KEYS, operation);
  if (options.source !== undefined) {
    const src = parseIp(options.source, operation, 'source address');
    if (src.family !== dst.family) {
      throw invalid(operation, `the source ${src.address} is IPv${src.family} but the destination is IPv${dst.family}`);
    }
    op.src = src.address;
  }
  const inputLink = linkArg(ns, options.inputLink, operation, 'input link');
  const outputLink = linkArg(ns, options.outputLink, operation, 'output link');
  if (inputLink !== undefined && outputLink !== undefined) {
    throw invalid(
      operation,
      'give inputLink (a packet coming in, to forward) or outputLink (a packet sent from here), not both: the kernel ignores the output link of a packet coming in',
    );
  }
  if (inputLink !== undefined && op.src === undefined) {
    throw invalid(
      operation,
      'a packet coming in on a link has a source address: give source with inputLink (ip route get ADDRESS from SRC iif LINK)',
    );
  }
  if (options.mark !== undefined) {
    const mark = checkInteger(options.mark, operation, 'the mark', 0, 0xffffffff);
    if (mark !== 0) op.mark = mark; // as ip: 0 is no mark
  }
  if (options.tos !== undefined) op.tos = dsfieldValue(options.tos, operation);
  if (options.uid !== undefined) op.uid = checkInteger(options.uid, operation, 'the uid', 0, 0xfffffffe);
  if (options.protocol !== undefined) op.ipProto = protocolOption(options.protocol, dst.family, operation);
  for (const [key, value] of [
    ['sourcePort', options.sourcePort],
    ['destinationPort', options.destinationPort],
  ] as const) {
    if (value === undefined) continue;
    const port = checkInteger(value, operation, key, 1, 65535);
    if (op.ipProto === IPPROTO_ICMP || op.ipProto === IPPROTO_ICMPV6) {
      throw invalid(operation, `${key} is for TCP and UDP: ICMP has no ports`);
    }
    if (key === 'sourcePort') op.sport = port;
    else op.dport = port;
  }
  if (checkBoolean(options.fibMatch, operation, 'fibMatch')) op.fibMatch = 1;
  const names = new Map<number, string>();
  for (const link of [options.inputLink, options.outputLink])
    if (link instanceof Link) names.set(link.index, link.name);
  return { op, inputLink, outputLink, names, signal: checkSignal(options.signal, operation) };
}

/** The kernel's refusal of a lookup, said as what it found. */
function lookupError(e: NetnsError, inputLink: string | undefined, family: 4 | 6): NetnsError {
  if (e.detail !== undefined) return e;
  switch (e.code) {
    case 'ENETUNREACH':
      return withReason(e, 'no route covers that address in the tables the rules lead to (network unreachable)');
    case 'EHOSTUNREACH':
      return withReason(
        e,
        inputLink === undefined
          ? 'an unreachable route or rule covers that address'
          : `an unreachable route or rule covers that address, or ${inputLink} does not forward IPv${family} (net.ipv${family}.conf.${inputLink}.forwarding is 0)`,
      );
    case 'EACCES':
      return withReason(e, 'a prohibit route or rule covers that address (administratively prohibited)');
    case 'EINVAL':
      return withReason(
        e,
        inputLink === undefined
          ? 'a blackhole route or rule covers that address'
          : 'a blackhole route or rule covers that address, or the source is not one a packet may come from (martian)',
      );
    default:
      return e;
  }
}

/** `ip route get ADDRESS ...`. @internal */
export async function routeTo(ns: Namespace, address: string, options: RouteToOptions = {}): Promise<RouteLookup> {
  const operation = `look up the route to ${typeof address === 'string' ? address : describeValue(address)}${ns.where}`;
  const q = question(ns, address, options, operation);
  const family = q.op.dst.includes(':') ? 6 : 4;
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  // One call on the FIFO: the links named looked up, the lookup, the names of the links it
  // answers with (as ip does, a request per unknown index), so nothing runs between them.
  const native = await exclusive(
    handle,
    operation,
    'route',
    async (send) => {
      const byName = [q.inputLink, q.outputLink].filter((l): l is string => typeof l === 'string');
      const index = new Map<string, number>();
      if (byName.length > 0) {
        const results = await send(byName.map((name) => ({ op: 'getlink', name })));
        byName.forEach((name, i) => {
          const result = results[i];
          if (result === undefined || isFailure(result)) {
            const e = fromNative(result, operation, 'link');
            throw e.code === 'ENODEV' ? withReason(e, `there is no link named "${name}" in the namespace`) : e;
          }
          const link = result as NativeLink;
          index.set(name, link.index);
          q.names.set(link.index, link.name);
        });
      }
      const resolve = (l: string | number | undefined): number | undefined =>
        typeof l === 'string' ? index.get(l) : l;
      const op: NativeRouteGet = { ...q.op };
      const iif = resolve(q.inputLink);
      const oif = resolve(q.outputLink);
      if (iif !== undefined) op.iif = iif;
      if (oif !== undefined) op.oif = oif;
      const [answer] = await send([{ op: 'getroute', ...op }]);
      if (answer === undefined || isFailure(answer)) {
        const inputName = iif === undefined ? undefined : (q.names.get(iif) ?? String(q.inputLink));
        throw lookupError(fromNative(answer, operation, 'route'), inputName, family);
      }
      const route = (answer as NativeRoute[])[0];
      if (route === undefined) throw internalError(operation, 'the kernel answered the lookup with no route');
      const unknown = [route.oif, route.iif ?? 0, ...(route.multipath ?? []).map((h) => h.oif)].filter(
        (i, at, all) => i > 0 && !q.names.has(i) && all.indexOf(i) === at,
      );
      if (unknown.length > 0) {
        // A link gone meanwhile stays unnamed, as in a listing.
        const links = await send(unknown.map((i) => ({ op: 'getlink', index: i })));
        for (const link of links)
          if (!isFailure(link) && link !== undefined)
            q.names.set((link as NativeLink).index, (link as NativeLink).name);
      }
      return route;
    },
    q.signal,
  );
  return lookupFromNative(native, q.names, q.op.fibMatch === 1);
}

/** The answer as a RouteLookup. */
function lookupFromNative(r: NativeRoute, names: Map<number, string>, fibMatch: boolean): RouteLookup {
  const lookup: RouteLookup = routeFromNative(r, names);
  // A resolved answer's RTA_SRC (src_len 32 or 128) echoes the source asked with (IPv6: `::`
  // when none was), not the route's `from`; the route as the table holds it (fibMatch) has it.
  if (!fibMatch) delete lookup.from;
  if (r.iif !== undefined && r.iif > 0) {
    lookup.inputLinkIndex = r.iif;
    const name = names.get(r.iif);
    if (name !== undefined) lookup.inputLink = name;
  }
  if (r.mark !== undefined && r.mark !== 0) lookup.mark = r.mark;
  if (r.uid !== undefined) lookup.uid = r.uid;
  return lookup;
}
