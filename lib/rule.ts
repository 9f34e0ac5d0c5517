/**
 * Routing policy rules (`ip rule`): which routing table a packet is looked up in, chosen by its
 * source, destination, mark, incoming link, ... (RTM_NEWRULE, native/rtnl/rule.cc).
 */
import { abortable, checkSignal, type AbortOptions } from './internal/abort';
import { batch, request, throwFirstFailure } from './internal/dispatch';
import { invalid } from './internal/errors';
import { kHandle, kHandleNow } from './internal/symbols';
import { checkBoolean, checkInteger, checkLinkName, checkOptionKeys, parseCidr } from './internal/validate';
import { echoedObject, type EchoOption } from './echo';
import { Link } from './link';
import type { Namespace } from './namespace';
import { AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_ECHO, NLM_F_EXCL, RT_TABLE_MAIN } from './native/constants';
import type { NativeRule, NativeRuleRequest } from './native/surface';
import { protocolNumber, realmsOf } from './route';
import { Iproute2Names, dsfieldValue, realmId, tableId } from './rt-names';
import {
  FIB_RULE_INVERT,
  RULE_FILTER_KEYS,
  compileRuleFilter,
  ipProtoNumber,
  portRange,
  uidRange,
  type RuleFilter,
} from './rule-selectors';

/** What a rule does with a packet it matches (FR_ACT_*), as `ip rule` names it. */
export type RuleAction = 'lookup' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

const ACTIONS: Array<[number, RuleAction]> = [
  [1, 'lookup'],
  [2, 'goto'],
  [3, 'nop'],
  [6, 'blackhole'],
  [7, 'unreachable'],
  [8, 'prohibit'],
];

/** The kernel's marks on a rule it holds but cannot act on yet (linux/fib_rules.h). */
const FIB_RULE_UNRESOLVED = 0x4;
const FIB_RULE_IIF_DETACHED = 0x8;
const FIB_RULE_OIF_DETACHED = 0x10;

/** A rule to add or delete, as `ip rule add|del` takes it. */
export interface RuleSpec {
  /** 4 or 6. Default: from the addresses given, else 4 (as `ip rule`). */
  family?: 4 | 6;
  /** The rule's preference (`priority`): lower runs first. Default: the kernel picks one below the last. */
  priority?: number;
  /** Source prefix (`from`): '198.18.5.0/24', or 'all'. */
  from?: string;
  /** Destination prefix (`to`). */
  to?: string;
  /**
   * The table to look up (`table`): its id or its name (`main`, `local`, `default`, or one of
   * /etc/iproute2/rt_tables), as `ip rule ... lookup NAME`; with no action, the rule looks it
   * up. Default main, as `ip rule add`.
   */
  table?: number | string;
  /** What to do; default 'lookup' (`ip rule` shows it as `lookup TABLE`). */
  action?: RuleAction;
  /** For action 'goto': the preference to jump to. */
  goto?: number;
  /** Packets arriving on this link (`iif`): a Link or a name (it need not exist yet). */
  iif?: Link | string;
  /** Packets sent out of this link (`oif`). */
  oif?: Link | string;
  /** Packets with this firewall mark (`fwmark`); 0 is packets with no mark ... */
  fwmark?: number;
  /** ... under this mask. Default 0xffffffff: the whole mark. */
  fwmask?: number;
  /**
   * Type of service (`tos`), 0-255, or its name in /etc/iproute2/rt_dsfield, or hex in a string
   * ('0x10'). IPv4 rules take only the old TOS bits (0x1e: the kernel's "Invalid tos" otherwise).
   */
  tos?: number | string;
  /** Match packets the selectors do not match (`not`). */
  not?: boolean;
  /**
   * IP protocol (`ipproto`): a number, or a name of /etc/protocols ('gre', 'esp', 'ipv6-icmp', an
   * alias such as 'GRE' too), or one of 'tcp', 'udp', 'icmp', 'icmpv6', 'sctp' (without the
   * file too), or decimal in a string, as `ip rule add ipproto P`. Read back: the file's name for
   * the number, as `ip rule` prints it (58 is 'ipv6-icmp'), else the built-in one, else the number.
   */
  ipProto?: string | number;
  /** Source port or [first, last] range (`sport`). */
  sport?: number | [number, number];
  /** Destination port or [first, last] range (`dport`). */
  dport?: number | [number, number];
  /** UIDs of the sending process, [first, last] (`uidrange`). */
  uidRange?: [number, number];
  /** Ignore a table lookup result whose prefix is this long or shorter (`suppress_prefixlength`). */
  suppressPrefixLength?: number;
  /**
   * Who made the rule (`protocol`): 'boot', 'static', ... or a number. Default none, as `ip rule
   * add`: the kernel stores 'unspec' (`ip -d rule` shows it). A delete given one other than
   * 'unspec' matches only rules with it.
   */
  protocol?: string | number;
  /**
   * Look up the table of the packet's L3 master device, a VRF (`l3mdev`, FRA_L3MDEV): `ip rule
   * add l3mdev` is the rule that makes VRFs route. It takes no `table`. Needs a kernel built
   * with CONFIG_NET_L3_MASTER_DEV (EINVAL from the kernel otherwise).
   */
  l3mdev?: boolean;
  /**
   * IPv4 only: the destination realm the rule gives the packets it matches (`realms 7`,
   * FRA_FLOW; a kernel built with CONFIG_IP_ROUTE_CLASSID), where their route gives none: 0 to
   * 65535, a name of /etc/iproute2/rt_realms, or a number in a string. A delete with either
   * realm matches only rules with both so.
   */
  realm?: number | string;
  /** IPv4 only: the source realm (`realms 3/7` is sourceRealm 3, realm 7); without `realm`, that is 0. */
  sourceRealm?: number | string;
}

/** A rule, as `ip rule show` lists it. */
export interface Rule extends Omit<RuleSpec, 'iif' | 'oif' | 'protocol' | 'realm' | 'sourceRealm'> {
  family: 4 | 6;
  priority: number;
  /** The table it looks up; absent for a rule that looks up none (goto, blackhole, l3mdev, ...). */
  table?: number;
  /** Its name, as `ip rule` prints it (main, local, default, or one from rt_tables); absent when it has none. */
  tableName?: string;
  /** Its TOS (absent when 0). */
  tos?: number;
  /** The TOS's name in rt_dsfield, as `ip rule` prints it; absent when it has none. */
  tosName?: string;
  /** An `l3mdev` rule (`lookup [l3mdev-table]`); absent otherwise. */
  l3mdev?: true;
  action: RuleAction;
  /** The incoming link's name. */
  iif?: string;
  /** The outgoing link's name. */
  oif?: string;
  /** No link of the namespace has the `iif` name (yet): the rule matches nothing (`ip rule`: `[detached]`). */
  iifDetached?: true;
  /** No link of the namespace has the `oif` name (yet) (`[detached]`). */
  oifDetached?: true;
  /** A goto rule whose target priority has no rule (`ip rule`: `[unresolved]`): it jumps nowhere. */
  unresolved?: true;
  /**
   * 'kernel' (the built-in rules), 'unspec' (none given, as `ip rule add` makes them), 'boot',
   * 'static', ... or the number.
   */
  protocol: string;
  /** Its destination realm, when it has realms (absent: none). */
  realm?: number;
  /** Its source realm, when not 0. */
  sourceRealm?: number;
}

/**
 * Options for {@link Namespace.rules}: the selectors of `ip rule show SELECTOR`, each a filter
 * (see {@link RuleFilter}); none: every rule of both families.
 */
export interface RulesOptions extends RuleFilter, AbortOptions {}

const RULES_KEYS = [...RULE_FILTER_KEYS, 'signal'] as const;

/** @internal */
export function describeRule(spec: Partial<RuleSpec> | undefined): string {
  const parts: string[] = [];
  if (spec?.priority !== undefined) parts.push(`priority ${String(spec.priority)}`);
  if (spec?.from !== undefined) parts.push(`from ${String(spec.from)}`);
  if (spec?.to !== undefined) parts.push(`to ${String(spec.to)}`);
  if (spec?.table !== undefined) parts.push(`table ${String(spec.table)}`);
  if (spec?.l3mdev === true) parts.push('l3mdev');
  if (spec?.action !== undefined && spec.action !== 'lookup') parts.push(String(spec.action));
  if (spec?.realm !== undefined || spec?.sourceRealm !== undefined) {
    const destination = spec.realm === undefined ? '0' : String(spec.realm);
    parts.push(`realms ${spec.sourceRealm === undefined ? destination : `${String(spec.sourceRealm)}/${destination}`}`);
  }
  return parts.length > 0 ? parts.join(' ') : 'all';
}

function ifName(link: unknown, operation: string, what: string): string {
  if (link instanceof Link) return link.name;
  return checkLinkName(link, operation, what);
}

/**
 * Checks a RuleSpec and turns it into the kernel's terms. Add and delete differ as in
 * iproute2: an add gets a table (main) and an action (lookup); a delete matches any of those
 * unless they were given.
 * @internal
 */
export function ruleRequest(spec: RuleSpec, forDelete: boolean, operation: string): NativeRuleRequest {
  if (typeof spec !== 'object' || spec === null) throw invalid(operation, 'the rule must be an object');
  let family: 4 | 6 | undefined;
  const prefix = (text: string | undefined, what: string) => {
    if (text === undefined || text === 'all') return undefined;
    const cidr = parseCidr(text, operation, what);
    if (family !== undefined && cidr.family !== family) {
      throw invalid(operation, `the ${what} ${text} is IPv${cidr.family} but the rule is IPv${family}`);
    }
    family = cidr.family;
    return cidr;
  };
  if (spec.family !== undefined && spec.family !== 4 && spec.family !== 6)
    throw invalid(operation, 'family must be 4 or 6');
  family = spec.family;
  const src = prefix(spec.from, 'source');
  const dst = prefix(spec.to, 'destination');
  family ??= 4;
  const req: NativeRuleRequest = { family: family === 4 ? AF_INET : AF_INET6 };
  if (src) {
    req.src = src.address;
    req.srcLen = src.prefixLength;
  }
  if (dst) {
    req.dst = dst.address;
    req.dstLen = dst.prefixLength;
  }
  if (spec.priority !== undefined) req.priority = checkInteger(spec.priority, operation, 'the priority', 0, 0xffffffff);
  if (spec.table !== undefined) req.table = tableId(spec.table, operation);
  if (spec.action !== undefined) {
    const action = ACTIONS.find(([, name]) => name === spec.action);
    if (!action) throw invalid(operation, `unknown rule action "${String(spec.action)}"`);
    req.action = action[0];
  }
  if (spec.goto !== undefined) {
    req.goto = checkInteger(spec.goto, operation, 'the goto target', 0, 0xffffffff);
    if (spec.action !== undefined && spec.action !== 'goto') throw invalid(operation, "goto needs action 'goto'");
    req.action = 2;
  } else if (spec.action === 'goto') {
    throw invalid(operation, "action 'goto' needs a goto target (a priority)");
  }
  if (spec.iif !== undefined) req.iifname = ifName(spec.iif, operation, 'iif');
  if (spec.oif !== undefined) req.oifname = ifName(spec.oif, operation, 'oif');
  if (spec.fwmark !== undefined) req.fwmark = checkInteger(spec.fwmark, operation, 'the fwmark', 0, 0xffffffff);
  if (spec.fwmask !== undefined) {
    if (spec.fwmark === undefined) throw invalid(operation, 'fwmask needs fwmark');
    req.fwmask = checkInteger(spec.fwmask, operation, 'the fwmask', 0, 0xffffffff);
  } else if (req.fwmark === 0) {
    // A mark alone is compared whole; the kernel does so for a non-zero mark only, and takes a
    // lone mark 0 for no selector at all. `fwmark: 0` is packets with no mark, as rules() lists it.
    req.fwmask = 0xffffffff;
  }
  if (spec.tos !== undefined) req.tos = dsfieldValue(spec.tos, operation);
  if (spec.not !== undefined) {
    if (checkBoolean(spec.not, operation, 'not')) req.flags = FIB_RULE_INVERT;
  }
  if (spec.ipProto !== undefined) req.ipProto = ipProtoNumber(spec.ipProto, operation);
  if (spec.sport !== undefined) [req.sportStart, req.sportEnd] = portRange(spec.sport, operation, 'sport');
  if (spec.dport !== undefined) [req.dportStart, req.dportEnd] = portRange(spec.dport, operation, 'dport');
  if (spec.uidRange !== undefined) [req.uidStart, req.uidEnd] = uidRange(spec.uidRange, operation);
  if (spec.suppressPrefixLength !== undefined) {
    req.suppressPrefixlen = checkInteger(spec.suppressPrefixLength, operation, 'suppressPrefixLength', 0, 128);
  }
  if (spec.protocol !== undefined) req.protocol = protocolNumber(spec.protocol, operation);
  if (spec.realm !== undefined || spec.sourceRealm !== undefined) {
    const destination = spec.realm === undefined ? 0 : realmId(spec.realm, operation, 'the realm');
    const source = spec.sourceRealm === undefined ? 0 : realmId(spec.sourceRealm, operation, 'the source realm');
    if (family === 6) {
      throw invalid(
        operation,
        'realms (realm, sourceRealm) are for IPv4 rules only: the kernel takes them on an IPv6 rule and drops them',
      );
    }
    req.flow = ((source << 16) | destination) >>> 0;
  }
  if (spec.l3mdev !== undefined) {
    checkBoolean(spec.l3mdev, operation, 'l3mdev');
    if (spec.l3mdev && req.table !== undefined) {
      throw invalid(
        operation,
        "an l3mdev rule looks up the table of the packet's L3 master device (its VRF); it takes no table",
      );
    }
    if (spec.l3mdev) req.l3mdev = 1;
  }
  if (!forDelete) {
    // iproute2's defaults for an add: look up main (an l3mdev rule: the device's table). Unlike
    // `ip route add` (boot), `ip rule add` sends no protocol: the kernel stores none (unspec).
    const lookup = req.action === undefined || req.action === 1;
    req.table ??= lookup && req.l3mdev === undefined ? RT_TABLE_MAIN : undefined;
    req.action ??= 1;
  }
  return req;
}

/** A rule as read back; `names` as for routeFromNative(). @internal */
export function ruleFromNative(r: NativeRule, names: Iproute2Names = new Iproute2Names()): Rule {
  const rule: Rule = {
    family: r.family === AF_INET ? 4 : 6,
    priority: r.priority ?? 0,
    action: ACTIONS.find(([n]) => n === r.action)?.[1] ?? 'nop',
    protocol: names.protocol(r.protocol ?? 0),
  };
  if (r.table !== 0) {
    rule.table = r.table;
    const tableName = names.table(r.table);
    if (tableName !== undefined) rule.tableName = tableName;
  }
  if (r.src !== undefined) rule.from = `${r.src}/${r.srcLen}`;
  if (r.dst !== undefined) rule.to = `${r.dst}/${r.dstLen}`;
  if (r.goto !== undefined) rule.goto = r.goto;
  if (r.l3mdev) rule.l3mdev = true;
  if (r.iifname) rule.iif = r.iifname;
  if (r.oifname) rule.oif = r.oifname;
  if (r.flags & FIB_RULE_IIF_DETACHED) rule.iifDetached = true;
  if (r.flags & FIB_RULE_OIF_DETACHED) rule.oifDetached = true;
  if (r.flags & FIB_RULE_UNRESOLVED) rule.unresolved = true;
  // The kernel sends FRA_FWMARK only when the mark is non-zero, and FRA_FWMASK when the mark or
  // the mask is: `fwmark 0/0xffffffff` (packets with no mark) comes as a mask alone. As `ip rule`,
  // either one means a fwmark selector (0 when absent); a full mask is the default, left out.
  if (r.fwmark !== undefined || r.fwmask !== undefined) rule.fwmark = r.fwmark ?? 0;
  if (r.fwmask !== undefined && r.fwmask !== 0xffffffff) rule.fwmask = r.fwmask;
  if (r.tos) {
    rule.tos = r.tos;
    const tosName = names.dsfield(r.tos);
    if (tosName !== undefined) rule.tosName = tosName;
  }
  if (r.flags & FIB_RULE_INVERT) rule.not = true;
  if (r.flow !== undefined) Object.assign(rule, realmsOf(r.flow));
  if (r.ipProto !== undefined) rule.ipProto = names.ipProtocol(r.ipProto) ?? r.ipProto;
  if (r.sportStart !== undefined && r.sportEnd !== undefined) {
    rule.sport = r.sportStart === r.sportEnd ? r.sportStart : [r.sportStart, r.sportEnd];
  }
  if (r.dportStart !== undefined && r.dportEnd !== undefined) {
    rule.dport = r.dportStart === r.dportEnd ? r.dportStart : [r.dportStart, r.dportEnd];
  }
  // The kernel reports the full range when none was set.
  if (r.uidStart !== undefined && r.uidEnd !== undefined && !(r.uidStart === 0 && r.uidEnd === 0xffffffff)) {
    rule.uidRange = [r.uidStart, r.uidEnd];
  }
  // -1 (unset) comes back as 0xffffffff.
  if (r.suppressPrefixlen !== undefined && r.suppressPrefixlen !== 0xffffffff) {
    rule.suppressPrefixLength = r.suppressPrefixlen;
  }
  return rule;
}

/** `ip rule show [SELECTOR]` (both families unless told). @internal */
export async function listRules(ns: Namespace, options: RulesOptions): Promise<Rule[]> {
  const operation = `list rules${ns.where}`;
  const opts = checkOptionKeys<RulesOptions>(options, RULES_KEYS, operation);
  const { families, matches } = compileRuleFilter(opts, operation);
  const signal = checkSignal(opts.signal, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  const dumps = batch(
    handle,
    families.map((family) => ({ op: 'dumprules', family }) as const),
    operation,
    'rule',
    signal,
  );
  const results = await abortable(dumps, signal, operation);
  throwFirstFailure(results, operation, 'rule');
  const names = new Iproute2Names();
  return (results as NativeRule[][])
    .flat()
    .filter(matches)
    .map((r) => ruleFromNative(r, names));
}

/** Options for {@link Namespace.addRule}: `echo: true` resolves with the {@link Rule} the kernel made. */
export type AddRuleOptions = EchoOption;

/** `ip rule add`; with `echo`, `ip -echo rule add`. @internal */
export async function addRule(ns: Namespace, spec: RuleSpec, options?: AddRuleOptions): Promise<Rule | void> {
  const operation = `add rule ${describeRule(spec)}${ns.where}`;
  const echo =
    options !== undefined &&
    checkBoolean(checkOptionKeys<AddRuleOptions>(options, ['echo'], operation).echo, operation, 'echo') === true;
  const req = ruleRequest(spec, false, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  if (!echo) {
    await request(handle, { op: 'newrule', flags: NLM_F_CREATE | NLM_F_EXCL, rule: req }, operation, 'rule');
    return;
  }
  const flags = NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO;
  const echoed = await request<NativeRule[]>(handle, { op: 'newrule', flags, rule: req }, operation, 'rule');
  return ruleFromNative(echoedObject(echoed, operation, 'rule'));
}

/** Options for {@link Namespace.deleteRule}: `echo: true` resolves with the {@link Rule} the kernel removed. */
export type DeleteRuleOptions = EchoOption;

/** `ip rule del`; with `echo`, `ip -echo rule del`. @internal */
export async function deleteRule(
  ns: Namespace,
  spec: RuleSpec | Rule,
  options?: DeleteRuleOptions,
): Promise<Rule | void> {
  const operation = `delete rule ${describeRule(spec as RuleSpec)}${ns.where}`;
  const echo =
    options !== undefined &&
    checkBoolean(checkOptionKeys<DeleteRuleOptions>(options, ['echo'], operation).echo, operation, 'echo') === true;
  const req = ruleRequest(spec as RuleSpec, true, operation);
  const handle = ns[kHandleNow]() ?? (await ns[kHandle](operation));
  if (!echo) {
    await request(handle, { op: 'delrule', rule: req }, operation, 'rule');
    return;
  }
  const echoed = await request<NativeRule[]>(
    handle,
    { op: 'delrule', flags: NLM_F_ECHO, rule: req },
    operation,
    'rule',
  );
  return ruleFromNative(echoedObject(echoed, operation, 'rule', true));
}
