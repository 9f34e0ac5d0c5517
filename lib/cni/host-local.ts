/**
 * host-local IPAM, in process, in host-local's own on-disk format, so that this plugin and the
 * reference `host-local` can share one network's state (and be swapped for each other):
 *
 * ```
 * DATADIR/NETWORK/                  DATADIR default /var/lib/cni/networks, mode 0755
 *   lock                            flock(2)ed (exclusive) around every change and lookup
 *   198.18.0.2                      one file per reserved address (RFC 5952 text for IPv6),
 *                                   holding "CONTAINERID\r\nIFNAME" (older files: "CONTAINERID")
 *   last_reserved_ip.0              the last address reserved from range set 0 (allocation goes
 *                                   round robin from there)
 * ```
 *
 * The configuration is host-local's: `ranges` (a list of range sets, each a list of
 * `{ subnet, rangeStart?, rangeEnd?, gateway? }`), the older single range at the top of `ipam`,
 * `routes`, `dataDir`, `resolvConf`; addresses asked for through CNI_ARGS `IP`, `args.cni.ips`
 * and `runtimeConfig.ips`, ranges through `runtimeConfig.ipRanges`. The allocation order and the
 * messages follow host-local (plugins/ipam/host-local in containernetworking/plugins).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatIp, lastAddress, parseIp, type Ip } from '../network/ipam';
import { HOST_LOCAL_ARGS } from './config';
import {
  CniCode,
  CniError,
  checkArgs,
  cleanDns,
  versionAtLeast,
  type Call,
  type ResultDns,
  type ResultIp,
  type ResultRoute,
} from './spec';

/** host-local's default dataDir. */
export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';
const LAST_IP_PREFIX = 'last_reserved_ip.';
const LINE_BREAK = '\r\n';
/** How long to wait for another process's flock before giving up (code 11, try again later). */
const LOCK_TIMEOUT_MS = 30_000;

/** One range of a range set, canonical: every field set. */
export interface Range {
  family: 4 | 6;
  base: bigint;
  prefixLength: number;
  start: bigint;
  end: bigint;
  gateway: bigint;
}

export interface HostLocalConf {
  /** The network's name: the directory under dataDir. */
  name: string;
  dataDir: string;
  rangeSets: Range[][];
  routes: ResultRoute[];
  resolvConf: string | undefined;
  /** Addresses asked for, canonical text. */
  requested: string[];
}

function bad(msg: string): CniError {
  return new CniError(CniCode.invalidNetworkConfig, msg);
}

function ipText(family: 4 | 6, value: bigint): string {
  return formatIp({ family, value });
}

/** An address as host-local's canonicalizeIP takes it (IPv4-mapped IPv6 becomes IPv4). */
function parseAddress(text: unknown, what: string): Ip {
  const ip = typeof text === 'string' ? parseIp(text) : undefined;
  if (ip === undefined) throw bad(`${what}: ${JSON.stringify(text)} is not an IP address`);
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return { family: 4, value: ip.value & 0xffffffffn };
  return ip;
}

function rangeText(r: Range): string {
  return `${ipText(r.family, r.start)}-${ipText(r.family, r.end)}`;
}

function rangeSetText(set: Range[]): string {
  return set.map(rangeText).join(',');
}

function inRange(r: Range, ip: Ip): boolean {
  return ip.family === r.family && ip.value >= r.start && ip.value <= r.end;
}

function rangeFor(set: Range[], ip: Ip): Range | undefined {
  return set.find((r) => inRange(r, ip));
}

function overlap(a: Range, b: Range): boolean {
  if (a.family !== b.family) return false;
  return (
    inRange(a, { family: b.family, value: b.start }) ||
    inRange(a, { family: b.family, value: b.end }) ||
    inRange(b, { family: a.family, value: a.start }) ||
    inRange(b, { family: a.family, value: a.end })
  );
}

/** A range filled out as host-local's Range.Canonicalize does. */
function canonicalRange(value: unknown, what: string): Range {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`${what}: a range must be an object with a "subnet", not ${JSON.stringify(value)}`);
  }
  const r = value as Record<string, unknown>;
  const text = r.subnet;
  const slash = typeof text === 'string' ? text.indexOf('/') : -1;
  const prefix = slash < 0 ? NaN : Number((text as string).slice(slash + 1));
  const ip = slash < 0 ? undefined : parseIp((text as string).slice(0, slash));
  const width = ip?.family === 6 ? 128 : 32;
  if (ip === undefined || !/^\d{1,3}$/.test((text as string).slice(slash + 1)) || prefix > width) {
    throw bad(`${what}: "subnet" ${JSON.stringify(text)} is not a subnet in CIDR form`);
  }
  const family = ip.family;
  if (prefix > width - 2) throw bad(`${what}: Network ${text as string} too small to allocate from`);
  // An IPv4-mapped IPv6 subnet (::ffff:198.18.0.0/120): the reference turns its address into IPv4
  // but keeps the IPv6 mask, and refuses the mismatch; ours would hand out ::ffff:... addresses.
  if (family === 6 && ip.value >> 32n === 0xffffn) {
    throw bad(
      `${what}: IPNet IP and Mask version mismatch: "subnet" ${text as string} is an IPv4-mapped IPv6 subnet (write it in IPv4)`,
    );
  }
  const hostBits = BigInt(width - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  if (base !== ip.value) {
    throw bad(
      `${what}: Network ${text as string} has host bits set. For a subnet mask of length ${prefix} the network address is ${ipText(family, base)}`,
    );
  }
  const subnet = { family, base, prefixLength: prefix };
  const inSubnet = (v: Ip) => v.family === family && v.value >= base && v.value <= lastAddress(subnet);
  const field = (key: string): Ip | undefined => {
    if (r[key] === undefined || r[key] === null || r[key] === '') return undefined;
    const v = parseAddress(r[key], `${what}: "${key}"`);
    if (v.family !== family) {
      throw bad(
        `${what}: "${key}" ${String(r[key])} is not an IPv${family} address, as the subnet ${text as string} is`,
      );
    }
    return v;
  };
  // Not checked to lie in the subnet: host-local dropped that check in 2018 (plugins#236), as
  // gateways reached on-link outside the container's subnet are legitimate; the reference takes one.
  const gateway = field('gateway')?.value ?? base + 1n;
  // Each end inside the subnet and not past the other, checked as the reference's Contains
  // does, with its messages: the start against the end given, the end against the start.
  const start = field('rangeStart');
  const end = field('rangeEnd');
  if (start && (!inSubnet(start) || (end !== undefined && start.value > end.value)))
    throw bad(`${what}: RangeStart ${ipText(family, start.value)} not in network ${text as string}`);
  const first = start?.value ?? base + 1n;
  if (end && (!inSubnet(end) || end.value < first))
    throw bad(`${what}: RangeEnd ${ipText(family, end.value)} not in network ${text as string}`);
  const last = end?.value ?? (family === 4 ? lastAddress(subnet) - 1n : lastAddress(subnet));
  // A start past the default end (IPv4's broadcast address), which the reference takes.
  if (first > last) {
    throw bad(
      `${what}: RangeStart ${ipText(family, first)} not in network ${text as string} (after its last usable address ${ipText(family, last)})`,
    );
  }
  return { family, base, prefixLength: prefix, start: first, end: last, gateway };
}

function canonicalRangeSet(value: unknown, what: string): Range[] {
  if (!Array.isArray(value)) throw bad(`${what}: a range set must be a list of ranges, not ${JSON.stringify(value)}`);
  if (value.length === 0) throw bad(`${what}: empty range set: []`);
  // The reference's prefix ("invalid range set 0: ..."); the range named when there are several.
  const set = value.map((r, i) => canonicalRange(r, value.length > 1 ? `${what}, range ${i}` : what));
  if (set.some((r) => r.family !== (set[0] as Range).family)) {
    throw bad(
      `${what}: mixed address families: ${set.map((r) => `${ipText(r.family, r.base)}/${r.prefixLength}`).join(', ')}`,
    );
  }
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      if (overlap(set[i] as Range, set[j] as Range)) {
        throw bad(`${what}: subnets ${rangeText(set[i] as Range)} and ${rangeText(set[j] as Range)} overlap`);
      }
    }
  }
  return set;
}

/**
 * host-local routes: `{ dst, gw? }`, checked and written as Go writes them back. An IPv4-mapped
 * IPv6 destination, `::ffff:198.19.0.0/112`, is the IPv4 route `198.19.0.0/16`, as Go's net.IPNet
 * prints it (and the reference installs it); below /96 Go keeps only the mask's last 32 bits,
 * making `::ffff:0:0/80` a default route, so that is refused.
 */
function parseRoutes(value: unknown): ResultRoute[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`"ipam.routes" must be a list, not ${JSON.stringify(value)}`);
  return value.map((r: unknown, i) => {
    const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    const dst = typeof o.dst === 'string' ? o.dst : '';
    const slash = dst.indexOf('/');
    let ip = slash < 0 ? undefined : parseIp(dst.slice(0, slash));
    const digits = dst.slice(slash + 1);
    if (ip === undefined || !/^\d{1,3}$/.test(digits) || Number(digits) > (ip.family === 4 ? 32 : 128)) {
      throw bad(`"ipam.routes[${i}].dst": ${JSON.stringify(o.dst)} is not a subnet in CIDR form`);
    }
    let prefix = Number(digits);
    const mapped = ip.family === 6 && ip.value >> 32n === 0xffffn;
    if (mapped) {
      if (prefix < 96) {
        throw bad(
          `"ipam.routes[${i}].dst": ${dst} is an IPv4-mapped IPv6 address with a prefix shorter than /96 (write the route in IPv4, or as an IPv6 prefix without ::ffff:)`,
        );
      }
      ip = { family: 4, value: ip.value & 0xffffffffn };
      prefix -= 96;
    }
    const route: ResultRoute = { dst: `${formatIp(ip)}/${prefix}` };
    if (o.gw !== undefined && o.gw !== null && o.gw !== '') {
      const gw = parseAddress(o.gw, `"ipam.routes[${i}].gw"`);
      if (gw.family !== ip.family) {
        throw bad(
          `"ipam.routes[${i}]": gw ${String(o.gw)} is not of the family of ${dst}${mapped ? ` (the IPv4 route ${route.dst})` : ''}`,
        );
      }
      route.gw = formatIp(gw);
    }
    for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) {
      if (o[k] !== undefined) {
        throw new CniError(
          CniCode.unsupportedField,
          `"ipam.routes[${i}].${k}": ${JSON.stringify(o[k])} is not supported by netns-native-cni`,
        );
      }
    }
    return route;
  });
}

/**
 * host-local's configuration (LoadIPAMConfig), from the whole plugin configuration.
 * @throws CniError 7 with host-local's reasons.
 */
export function parseHostLocalConf(call: Call): HostLocalConf {
  const conf = call.conf;
  const ipam = conf.ipam as Record<string, unknown>;
  const obj = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const runtime = obj(conf.runtimeConfig);
  const requested: Ip[] = [];
  checkArgs(call.args, HOST_LOCAL_ARGS);
  const ipArg = call.args.get('IP');
  if (ipArg) {
    const ip = parseIp(ipArg);
    if (ip === undefined) {
      throw new CniError(
        CniCode.invalidEnvironment,
        `ARGS: error parsing value of pair ${JSON.stringify(`IP=${ipArg}`)}: invalid IP address: ${ipArg}`,
      );
    }
    requested.push(parseAddress(ipArg, 'CNI_ARGS IP'));
  }
  const list = (v: unknown, what: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw bad(`${what} must be a list, not ${JSON.stringify(v)}`);
    return v;
  };
  // Requested addresses may carry a prefix ('198.18.0.9/24'): the address is what counts.
  const bareIp = (v: unknown, what: string) =>
    parseAddress(typeof v === 'string' && v.includes('/') ? v.slice(0, v.indexOf('/')) : v, what);
  for (const v of list(obj(obj(conf.args).cni).ips, '"args.cni.ips"')) requested.push(bareIp(v, '"args.cni.ips"'));
  for (const v of list(runtime.ips, '"runtimeConfig.ips"')) requested.push(bareIp(v, '"runtimeConfig.ips"'));

  const rangeSets: Range[][] = [];
  for (const [i, set] of list(runtime.ipRanges, '"runtimeConfig.ipRanges"').entries()) {
    rangeSets.push(canonicalRangeSet(set, `invalid runtimeConfig.ipRanges ${i}`));
  }
  if (ipam.subnet !== undefined && ipam.subnet !== '') rangeSets.push(canonicalRangeSet([ipam], 'invalid range set 0'));
  for (const set of list(ipam.ranges, '"ipam.ranges"')) {
    rangeSets.push(canonicalRangeSet(set, `invalid range set ${rangeSets.length}`));
  }
  if (rangeSets.length === 0) throw bad('no IP ranges specified (no "ipam.ranges", no "ipam.subnet")');
  const v4 = rangeSets.filter((s) => (s[0] as Range).family === 4).length;
  if ((v4 > 1 || rangeSets.length - v4 > 1) && !versionAtLeast(call.cniVersion, '0.3.0')) {
    throw bad(`CNI version ${call.cniVersion} does not support more than 1 address per family`);
  }
  for (let i = 0; i < rangeSets.length; i++) {
    for (let j = i + 1; j < rangeSets.length; j++) {
      if ((rangeSets[i] as Range[]).some((a) => (rangeSets[j] as Range[]).some((b) => overlap(a, b)))) {
        throw bad(
          `range set ${i} (${rangeSetText(rangeSets[i] as Range[])}) overlaps with range set ${j} (${rangeSetText(rangeSets[j] as Range[])})`,
        );
      }
    }
  }
  const dataDir = ipam.dataDir === undefined || ipam.dataDir === '' ? DEFAULT_DATA_DIR : ipam.dataDir;
  if (typeof dataDir !== 'string') throw bad(`"ipam.dataDir" must be a string, not ${JSON.stringify(dataDir)}`);
  if (ipam.resolvConf !== undefined && typeof ipam.resolvConf !== 'string') {
    throw bad(`"ipam.resolvConf" must be a string, not ${JSON.stringify(ipam.resolvConf)}`);
  }
  return {
    name: conf.name as string,
    dataDir,
    rangeSets,
    routes: parseRoutes(ipam.routes),
    resolvConf: (ipam.resolvConf as string | undefined) || undefined,
    requested: [...new Set(requested.map((ip) => formatIp(ip)))],
  };
}

/** I/O failures on the data directory are the spec's code 5. */
function ioError(e: unknown, what: string): CniError {
  const err = e as NodeJS.ErrnoException;
  // Node's message ends with the call and the path ("..., mkdir '/var/lib/...'"): `what` already
  // names the path.
  const why = (err.message ?? String(e)).replace(/, \w+ '[^']*'( -> '[^']*')?$/, '');
  return new CniError(CniCode.ioFailure, `host-local: cannot ${what}: ${why}`);
}

/**
 * The network's directory with its lock held: flock(2) on DIR/lock, polled without blocking
 * (another process holding it: host-local, or this plugin in another call).
 */
export class Store {
  readonly dir: string;
  private fd = -1;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens (creating it, 0755) the network's directory and takes its lock. */
  static async open(dataDir: string, network: string): Promise<Store> {
    const store = new Store(path.join(dataDir, network));
    try {
      fs.mkdirSync(store.dir, { recursive: true, mode: 0o755 });
      store.fd = fs.openSync(path.join(store.dir, 'lock'), fs.constants.O_CREAT | fs.constants.O_RDONLY, 0o750);
    } catch (e) {
      throw ioError(e, `open ${store.dir}`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { addon } = require('../native/load') as typeof import('../native/load');
    const LOCK_EX = 2;
    const LOCK_NB = 4;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    let delay = 1;
    for (;;) {
      const errno = addon.flock(store.fd, LOCK_EX | LOCK_NB);
      if (errno === 0) return store;
      if (errno !== 11 /* EWOULDBLOCK */ || Date.now() > deadline) {
        store.close();
        throw new CniError(
          errno === 11 ? CniCode.tryAgainLater : CniCode.ioFailure,
          `host-local: cannot lock ${store.dir}/lock: ${errno === 11 ? 'held by another process for too long' : `errno ${errno}`}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 8);
    }
  }

  /** Releases the lock (closing the fd releases the flock). */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** The reservation files: [address text, owner key] (owner "ID\r\nIFNAME", or "ID"). */
  reservations(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (e) {
      throw ioError(e, `read ${this.dir}`);
    }
    for (const name of names) {
      if (parseIp(name) === undefined) continue;
      try {
        out.push([name, fs.readFileSync(path.join(this.dir, name), 'utf8').trim()]);
      } catch {
        // gone meanwhile, or not a file: not a reservation
      }
    }
    return out;
  }

  /** Reserves an address (O_EXCL): false when it is taken. */
  reserve(id: string, ifName: string, ip: string, rangeId: number): boolean {
    const file = path.join(this.dir, ip);
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_EXCL | fs.constants.O_CREAT, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw ioError(e, `reserve ${ip}`);
    }
    try {
      fs.writeSync(fd, `${id.trim()}${LINE_BREAK}${ifName}`);
      fs.closeSync(fd);
      fs.writeFileSync(path.join(this.dir, `${LAST_IP_PREFIX}${rangeId}`), ip, { mode: 0o644 });
    } catch (e) {
      fs.rmSync(file, { force: true });
      throw ioError(e, `reserve ${ip}`);
    }
    return true;
  }

  lastReserved(rangeId: number): Ip | undefined {
    try {
      return parseIp(fs.readFileSync(path.join(this.dir, `${LAST_IP_PREFIX}${rangeId}`), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Removes the files of `which` reservations; returns the addresses released. */
  release(which: (owner: string) => boolean): string[] {
    const released: string[] = [];
    for (const [ip, owner] of this.reservations()) {
      if (!which(owner)) continue;
      try {
        fs.unlinkSync(path.join(this.dir, ip));
        released.push(ip);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(e, `release ${ip}`);
      }
    }
    return released;
  }
}

/** Whether a reservation's owner key is this attachment's (or, in the older format, its container's). */
export function ownedBy(owner: string, id: string, ifName: string): boolean {
  return owner === `${id.trim()}${LINE_BREAK}${ifName}` || owner === id.trim();
}

/**
 * The addresses of range set `set`, round robin from after the last one reserved, as host-local's
 * RangeIter: each range from its start to its end, then the next range; the gateway skipped;
 * done when back where it began. Every address of every range comes once, and nothing outside
 * [start, end]: a range whose end is before its start (canonicalRange refuses one) has none.
 */
function* candidates(set: Range[], last: Ip | undefined): Generator<[Range, bigint]> {
  const ranges = set.filter((r) => r.start <= r.end);
  if (ranges.length === 0) return;
  let idx = last === undefined ? -1 : ranges.findIndex((r) => inRange(r, last));
  let cur: bigint;
  if (last === undefined || idx < 0) {
    idx = 0;
    cur = (ranges[0] as Range).start;
  } else if (last.value < (ranges[idx] as Range).end) {
    cur = last.value + 1n;
  } else {
    idx = (idx + 1) % ranges.length;
    cur = (ranges[idx] as Range).start;
  }
  for (let left = ranges.reduce((n, r) => n + (r.end - r.start + 1n), 0n); left > 0n; left--) {
    const r = ranges[idx] as Range;
    if (cur !== r.gateway) yield [r, cur];
    if (cur < r.end) {
      cur += 1n;
    } else {
      idx = (idx + 1) % ranges.length;
      cur = (ranges[idx] as Range).start;
    }
  }
}

/** An address of a result: 'IP/prefix' with the range's gateway. */
function resultIp(r: Range, value: bigint): ResultIp {
  return { address: `${ipText(r.family, value)}/${r.prefixLength}`, gateway: ipText(r.family, r.gateway) };
}

/** What host-local's ADD returns: the addresses (one per range set), routes, DNS. */
export interface HostLocalResult {
  ips: ResultIp[];
  routes: ResultRoute[];
  dns: ResultDns;
}

/** resolv.conf as host-local reads it: nameserver, domain, search, options. */
function readResolvConf(file: string): ResultDns {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw ioError(e, `read ${file}`);
  }
  const dns: { nameservers: string[]; domain?: string; search: string[]; options: string[] } = {
    nameservers: [],
    search: [],
    options: [],
  };
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) dns.nameservers.push(f[1]);
    else if (f[0] === 'domain' && f[1]) dns.domain = f[1];
    else if (f[0] === 'search') dns.search.push(...f.slice(1));
    else if (f[0] === 'options') dns.options.push(...f.slice(1));
  }
  return cleanDns(dns);
}

/**
 * ADD: an address from each range set (the one asked for, if any falls in it), under the lock.
 * Either every range set gets one or nothing stays reserved.
 * @throws CniError 999 (host-local's) when a range set is full or an address is taken, 5 for I/O.
 */
export async function hostLocalAdd(conf: HostLocalConf, id: string, ifName: string): Promise<HostLocalResult> {
  const dns = conf.resolvConf ? readResolvConf(conf.resolvConf) : {};
  const store = await Store.open(conf.dataDir, conf.name);
  const reserved: string[] = [];
  try {
    const requested = new Map(conf.requested.map((t) => [t, parseIp(t) as Ip]));
    const ips: ResultIp[] = [];
    for (const [idx, set] of conf.rangeSets.entries()) {
      const fail = (msg: string) => new CniError(CniCode.internal, `failed to allocate for range ${idx}: ${msg}`);
      let want: Ip | undefined;
      for (const [text, ip] of requested) {
        if (rangeFor(set, ip)) {
          want = ip;
          requested.delete(text);
          break;
        }
      }
      if (want !== undefined) {
        const r = rangeFor(set, want) as Range;
        const text = formatIp(want);
        if (want.value === r.gateway) throw fail(`requested ip ${text} is subnet's gateway`);
        if (!store.reserve(id, ifName, text, idx)) {
          throw fail(`requested IP address ${text} is not available in range set ${rangeSetText(set)}`);
        }
        reserved.push(text);
        ips.push(resultIp(r, want.value));
        continue;
      }
      // One address per range set and attachment: the spec forbids a second allocation.
      for (const [ipText_, owner] of store.reservations()) {
        const ip = parseIp(ipText_) as Ip;
        if (ownedBy(owner, id, ifName) && rangeFor(set, ip) && !reserved.includes(ipText_)) {
          throw fail(`${ipText_} has been allocated to ${id}, duplicate allocation is not allowed`);
        }
      }
      let got: ResultIp | undefined;
      for (const [r, value] of candidates(set, store.lastReserved(idx))) {
        const text = ipText(r.family, value);
        if (store.reserve(id, ifName, text, idx)) {
          reserved.push(text);
          got = resultIp(r, value);
          break;
        }
      }
      if (got === undefined) throw fail(`no IP addresses available in range set: ${rangeSetText(set)}`);
      ips.push(got);
    }
    if (requested.size > 0) {
      throw new CniError(CniCode.internal, `failed to allocate all requested IPs: ${[...requested.keys()].join(' ')}`);
    }
    return { ips, routes: conf.routes, dns };
  } catch (e) {
    for (const ip of reserved) fs.rmSync(path.join(store.dir, ip), { force: true });
    throw e;
  } finally {
    store.close();
  }
}

/** DEL: releases what the attachment holds (idempotent: nothing held is success). */
export async function hostLocalDel(conf: HostLocalConf, id: string, ifName: string): Promise<string[]> {
  const store = await Store.open(conf.dataDir, conf.name);
  try {
    const exact = `${id.trim()}${LINE_BREAK}${ifName}`;
    const released = store.release((owner) => owner === exact);
    // Files of an older host-local hold the container id alone.
    return released.length > 0 ? released : store.release((owner) => owner === id.trim());
  } finally {
    store.close();
  }
}

/** CHECK: the attachment holds at least one address. */
export async function hostLocalCheck(conf: HostLocalConf, id: string, ifName: string): Promise<void> {
  const store = await Store.open(conf.dataDir, conf.name);
  try {
    if (!store.reservations().some(([, owner]) => ownedBy(owner, id, ifName))) {
      throw new CniError(CniCode.internal, `host-local: Failed to find address added by container ${id}`);
    }
  } finally {
    store.close();
  }
}

/** GC: releases every reservation whose attachment is not in `valid`. */
export async function hostLocalGc(
  conf: HostLocalConf,
  valid: Array<{ containerId: string; ifName: string }>,
): Promise<string[]> {
  const store = await Store.open(conf.dataDir, conf.name);
  try {
    return store.release((owner) => !valid.some((a) => ownedBy(owner, a.containerId, a.ifName)));
  } finally {
    store.close();
  }
}

/**
 * STATUS: the data directory can be written and every range set has a free address.
 * @throws CniError 50 (not available) saying which.
 */
export async function hostLocalStatus(conf: HostLocalConf): Promise<void> {
  let store: Store;
  try {
    store = await Store.open(conf.dataDir, conf.name);
    fs.accessSync(store.dir, fs.constants.W_OK);
  } catch (e) {
    // Store.open's errors already start with "host-local: ".
    const err = e as Error;
    throw new CniError(CniCode.notAvailable, e instanceof CniError ? err.message : `host-local: ${err.message}`);
  }
  try {
    const taken = new Set(store.reservations().map(([ip]) => ip));
    for (const [idx, set] of conf.rangeSets.entries()) {
      let free = false;
      let looked = 0;
      for (const [r, value] of candidates(set, undefined)) {
        // A large range (IPv6) has room if the first 65536 addresses are not all taken.
        if (!taken.has(ipText(r.family, value)) || ++looked > 65536) {
          free = true;
          break;
        }
      }
      if (!free) {
        throw new CniError(
          CniCode.notAvailable,
          `host-local: no IP addresses available in range set ${idx}: ${rangeSetText(set)}`,
        );
      }
    }
  } finally {
    store.close();
  }
}
