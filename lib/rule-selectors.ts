/**
 * A rule's selectors (`ip rule ... SELECTOR`): the readers of the values that ruleRequest() and
 * the filters share, and the filter of `ip rule show|flush SELECTOR` (ns.rules(),
 * ns.flushRules()). A filter's selectors each narrow the rules, and a rule is selected when it
 * matches every one given, as iproute2's filter_nlmsg (ip/iprule.c) matches them field by field;
 * where ip reads a 0 as "no filter" (`fwmark 0`), the value here selects what it says.
 */
import { NetnsError, invalid, withReason } from './internal/errors';
import { prefixBits, prefixHas, type PrefixBits } from './internal/ip-number';
import { checkBoolean, checkInteger, checkLinkName, describeValue, parseCidr } from './internal/validate';
import { Link } from './link';
import { AF_INET, AF_INET6 } from './native/constants';
import type { NativeRule } from './native/surface';
import { protocolNumber } from './route';
import { ETC_PROTOCOLS, ipProtocolNumber } from './ip-protocols';
import { dsfieldValue, tableId } from './rt-names';

/** FIB_RULE_INVERT: `not`. @internal */
export const FIB_RULE_INVERT = 0x2;

/**
 * `ipproto`: a number 0-255, or a string as `ip rule ... ipproto P` takes it: a name or alias of
 * /etc/protocols ('gre', 'esp'), one the library has built in ('tcp', 'icmpv6'), or decimal. @internal
 */
export function ipProtoNumber(value: unknown, operation: string): number {
  if (typeof value === 'string' && value !== '') {
    const n = ipProtocolNumber(value);
    if (n === undefined) {
      throw invalid(
        operation,
        `unknown IP protocol ${describeValue(value)}: not a number nor a name of ${ETC_PROTOCOLS} (nor tcp, udp, icmp, icmpv6, sctp)`,
      );
    }
    if (n > 255)
      throw invalid(operation, `the IP protocol ${describeValue(value)} is ${n}, above 255: rules match 0-255`);
    return n;
  }
  return checkInteger(value, operation, 'the IP protocol', 0, 255);
}

/** `sport` / `dport`: a port or a [first, last] pair. @internal */
export function portRange(v: unknown, operation: string, what: string): [number, number] {
  const [a, b] = Array.isArray(v) ? (v as unknown[]) : [v, v];
  if (Array.isArray(v) && v.length !== 2) throw invalid(operation, `${what} must be a port or a [first, last] pair`);
  const first = checkInteger(a, operation, what, 1, 65535);
  const last = checkInteger(b, operation, what, 1, 65535);
  if (first > last) throw invalid(operation, `${what} range ${first}-${last} is empty`);
  return [first, last];
}

/** `uidRange`: a [first, last] pair of UIDs. @internal */
export function uidRange(v: unknown, operation: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) throw invalid(operation, 'uidRange must be a [first, last] pair');
  const first = checkInteger(v[0], operation, 'the first UID', 0, 0xfffffffe);
  return [first, checkInteger(v[1], operation, 'the last UID', first, 0xfffffffe)];
}

/** The selectors, named as the fields of a Rule. */
export interface RuleFilter {
  /** Only IPv4 (4) or IPv6 (6) rules. Default both. */
  family?: 4 | 6;
  /** Only the rules of this priority (`pref N`); a rule listed without one has 0. */
  priority?: number;
  /**
   * Only rules whose source prefix lies within this one (`from PREFIX`): '198.18.0.0/16' selects
   * `from 198.18.5.0/24` and `from 198.18.5.1`, not `from 198.0.0.0/8` nor `from all`; a bare
   * address its own host prefix alone; a prefix of length 0 every rule of its family. Sets the
   * family (with `family` given, the two must agree). 'all': no selector.
   */
  from?: string;
  /** Likewise for the destination prefix (`to PREFIX`). */
  to?: string;
  /** Only rules of this TOS (`tos T`): a number, a name of rt_dsfield or hex ('0x10'); 0: those without. */
  tos?: number | string;
  /** Only rules with a fwmark selector of this mark (`fwmark M`), whatever its mask; 0: `fwmark 0`. */
  fwmark?: number;
  /** Only rules with a fwmark selector under this mask (`fwmark M/MASK`); a mark alone has 0xffffffff. */
  fwmask?: number;
  /** Only rules on packets arriving on this link (`iif NAME`): a Link or its name. */
  iif?: Link | string;
  /** Only rules on packets sent out of this link (`oif NAME`). */
  oif?: Link | string;
  /**
   * Only rules that look up this table (`table T`): its id or its name ('main', ...); 0 (or a
   * name for it in rt_tables, such as 'unspec'): any table, as ip reads `table 0`.
   */
  table?: number | string;
  /**
   * Only rules of this protocol (`protocol P`): 'kernel', 'unspec', 'static', ... or a number.
   * (`ip rule show` reads the word but lists every rule; `ip rule flush` selects by it.)
   */
  protocol?: string | number;
  /** true: only `l3mdev` rules; false: only the others. */
  l3mdev?: boolean;
  /** true: only rules with `not`; false: only those without. */
  not?: boolean;
  /** Only rules of exactly this UID range (`uidrange A-B`). */
  uidRange?: [number, number];
  /** Only rules of this IP protocol (`ipproto P`): a number or a name, as RuleSpec's `ipProto`. */
  ipProto?: string | number;
  /** Only rules of exactly this source port or range (`sport N`, `sport N-M`). */
  sport?: number | [number, number];
  /** Only rules of exactly this destination port or range (`dport N`, `dport N-M`). */
  dport?: number | [number, number];
}

/** The option names of a RuleFilter, for checkOptionKeys. @internal */
export const RULE_FILTER_KEYS = [
  'family',
  'priority',
  'from',
  'to',
  'tos',
  'fwmark',
  'fwmask',
  'iif',
  'oif',
  'table',
  'protocol',
  'l3mdev',
  'not',
  'uidRange',
  'ipProto',
  'sport',
  'dport',
] as const;

/** A checked filter: the families to dump and the test of one dumped rule. @internal */
export interface CompiledRuleFilter {
  families: number[];
  matches(r: NativeRule): boolean;
}

/** A prefix selector: rules whose prefix is at least `length` long and begins with `bits`. */
/** Reads one option; its refusal names it (`from: ...`) unless its sentence already does. */
function option<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof NetnsError && !e.reason.includes(name)) throw withReason(e, `${name}: ${e.reason}`);
    throw e;
  }
}

function prefixSelector(text: unknown, name: string, operation: string): PrefixBits | undefined {
  if (text === 'all') return undefined;
  const cidr = option(name, () => parseCidr(text, operation, `${name} prefix`));
  return prefixBits(cidr.address, cidr.prefixLength) as PrefixBits;
}

/** Whether a rule's prefix (address `addr`, length `len`) lies within `p` (ip's inet_addr_match). */
function within(p: PrefixBits, family: number, addr: string | undefined, len: number): boolean {
  if (family !== (p.family === 4 ? AF_INET : AF_INET6) || len < p.length) return false;
  // A rule for every source (or destination) has no address: only a /0 selector takes it.
  return p.length === 0 || prefixHas(p, addr);
}

function linkName(link: unknown, name: string, operation: string): string {
  if (link instanceof Link) return link.name;
  return option(name, () => checkLinkName(link, operation, name));
}

function range(value: unknown, name: string, operation: string): [number, number] {
  return option(name, () => portRange(value, operation, name));
}

/**
 * Checks a filter (EINVAL naming the option for a bad value, before anything is sent) and
 * compiles it. `options` holds the filter's keys among others; the caller checks for unknown ones.
 * @internal
 */
export function compileRuleFilter(options: RuleFilter, operation: string): CompiledRuleFilter {
  const f = options;
  if (f.family !== undefined && f.family !== 4 && f.family !== 6) {
    throw invalid(operation, `family must be 4 or 6, not ${describeValue(f.family)}`);
  }
  let family = f.family === undefined ? 0 : f.family === 4 ? AF_INET : AF_INET6;
  const from = f.from === undefined ? undefined : prefixSelector(f.from, 'from', operation);
  const to = f.to === undefined ? undefined : prefixSelector(f.to, 'to', operation);
  for (const [name, p] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (p === undefined) continue;
    const af = p.family === 4 ? AF_INET : AF_INET6;
    if (family !== 0 && af !== family) {
      throw invalid(
        operation,
        `${name} ${JSON.stringify(f[name])} is an IPv${p.family} prefix, but the rules asked for are IPv${family === AF_INET ? 4 : 6}`,
      );
    }
    family = af;
  }
  const priority =
    f.priority === undefined ? undefined : checkInteger(f.priority, operation, 'priority', 0, 0xffffffff);
  const tos = f.tos === undefined ? undefined : option('tos', () => dsfieldValue(f.tos, operation));
  const fwmark = f.fwmark === undefined ? undefined : checkInteger(f.fwmark, operation, 'fwmark', 0, 0xffffffff);
  const fwmask = f.fwmask === undefined ? undefined : checkInteger(f.fwmask, operation, 'fwmask', 0, 0xffffffff);
  const iif = f.iif === undefined ? undefined : linkName(f.iif, 'iif', operation);
  const oif = f.oif === undefined ? undefined : linkName(f.oif, 'oif', operation);
  // As ip's filter_nlmsg, table 0 (unspec) selects any table: no table selector.
  const tableOrAny = f.table === undefined ? 0 : option('table', () => tableId(f.table, operation, { min: 0 }));
  const table = tableOrAny === 0 ? undefined : tableOrAny;
  const protocol =
    f.protocol === undefined ? undefined : option('protocol', () => protocolNumber(f.protocol, operation));
  const l3mdev = checkBoolean(f.l3mdev, operation, 'l3mdev');
  const not = checkBoolean(f.not, operation, 'not');
  const uids = f.uidRange === undefined ? undefined : option('uidRange', () => uidRange(f.uidRange, operation));
  const ipProto = f.ipProto === undefined ? undefined : option('ipProto', () => ipProtoNumber(f.ipProto, operation));
  const sport = f.sport === undefined ? undefined : range(f.sport, 'sport', operation);
  const dport = f.dport === undefined ? undefined : range(f.dport, 'dport', operation);

  // The kernel sends FRA_FWMASK whenever a rule has a mark or a mask: with either, the rule has a
  // fwmark selector (mark 0 when FRA_FWMARK is absent), as rules() lists it.
  const marked = (r: NativeRule) => r.fwmark !== undefined || r.fwmask !== undefined;
  return {
    families: family === 0 ? [AF_INET, AF_INET6] : [family],
    matches: (r) =>
      (family === 0 || r.family === family) &&
      (priority === undefined || (r.priority ?? 0) === priority) &&
      (from === undefined || within(from, r.family, r.src, r.srcLen)) &&
      (to === undefined || within(to, r.family, r.dst, r.dstLen)) &&
      (tos === undefined || r.tos === tos) &&
      (fwmark === undefined || (marked(r) && (r.fwmark ?? 0) === fwmark)) &&
      (fwmask === undefined || (marked(r) && r.fwmask === fwmask)) &&
      (iif === undefined || r.iifname === iif) &&
      (oif === undefined || r.oifname === oif) &&
      (table === undefined || r.table === table) &&
      (protocol === undefined || (r.protocol ?? 0) === protocol) &&
      (l3mdev === undefined || Boolean(r.l3mdev) === l3mdev) &&
      (not === undefined || ((r.flags & FIB_RULE_INVERT) !== 0) === not) &&
      (uids === undefined || (r.uidStart === uids[0] && r.uidEnd === uids[1])) &&
      (ipProto === undefined || r.ipProto === ipProto) &&
      (sport === undefined || (r.sportStart === sport[0] && r.sportEnd === sport[1])) &&
      (dport === undefined || (r.dportStart === dport[0] && r.dportEnd === dport[1])),
  };
}
