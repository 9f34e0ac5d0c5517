/**
 * Route metrics (RTA_METRICS, the kernel's RTAX_*): what `ip route add ... mtu lock 1400
 * initcwnd 10 congctl reno` sets and `ip route show` prints after the route's flags. The user's
 * units here are iproute2's; the kernel's differ for two of them (see {@link RouteMetrics.rtt}).
 */
import { invalid } from './internal/errors';
import { checkBoolean, describeValue } from './internal/validate';
import type { NativeRouteMetrics } from './native/surface';

/** The metrics {@link RouteMetrics.lock} can name: every one that has a value to keep. */
export type LockableMetric =
  | 'mtu'
  | 'window'
  | 'rtt'
  | 'rttvar'
  | 'ssthresh'
  | 'cwnd'
  | 'advmss'
  | 'reordering'
  | 'hoplimit'
  | 'initcwnd'
  | 'rtoMin'
  | 'initrwnd'
  | 'congctl';

/**
 * A route's metrics, as `ip route` takes and prints them: defaults the kernel (mostly TCP) uses
 * for connections over the route. Each is optional; a route lists only those it has. A metric of
 * 0 is the kernel's "unset": it may be given (as `ip route add ... mtu 0` sends it; an IPv4
 * delete then matches routes without it) but is never listed back.
 */
export interface RouteMetrics {
  /** Path MTU, bytes (`mtu`), 0-65520: the kernel caps it there, so more is refused here. */
  mtu?: number;
  /** Largest TCP window to advertise, bytes (`window`). */
  window?: number;
  /**
   * Initial RTT estimate, milliseconds (`rtt 100ms`), in steps of 0.125 ms. iproute2's unit: the
   * kernel keeps RTAX_RTT in 1/8 ms (TCP's srtt scaled by 8), so 100 is sent as 800. `ip route add
   * ... rtt 100` without a unit sends 100 as it is (12.5 ms), which lists here as 12.5.
   */
  rtt?: number;
  /** Initial RTT variance, milliseconds (`rttvar 50ms`), in steps of 0.25 ms: sent ×4 (RTAX_RTTVAR is in 1/4 ms). */
  rttvar?: number;
  /** Initial slow start threshold, packets (`ssthresh`). */
  ssthresh?: number;
  /** Congestion window clamp, packets (`cwnd`); TCP uses it only when locked. */
  cwnd?: number;
  /** MSS to advertise on TCP connections, bytes (`advmss`), 0-65495 (the kernel's cap). */
  advmss?: number;
  /** Initial reordering threshold, packets (`reordering`). */
  reordering?: number;
  /** Hop limit (IPv6) or TTL (IPv4) of packets sent over the route (`hoplimit`), 0-255. */
  hoplimit?: number;
  /** Initial congestion window, packets (`initcwnd`). */
  initcwnd?: number;
  /** Initial receive window to advertise, packets (`initrwnd`). */
  initrwnd?: number;
  /**
   * Minimum TCP retransmission timeout, milliseconds (`rto_min 200ms`; RTAX_RTO_MIN is in ms).
   * TCP uses it only when locked, so it always is, as iproute2 does: lists with lock 'rtoMin'.
   */
  rtoMin?: number;
  /** Quick ACKs instead of delayed ones (`quickack 1`). */
  quickack?: boolean;
  /**
   * TCP congestion control algorithm for connections over the route (`congctl cubic`): a name
   * the kernel knows (`/proc/sys/net/ipv4/tcp_available_congestion_control`, or loadable as
   * module tcp_NAME); another is EINVAL from the kernel.
   */
  congctl?: string;
  /** TCP Fast Open without a cookie (`fastopen_no_cookie 1`). */
  fastopenNoCookie?: boolean;
  /** ECN on TCP connections over the route (`features ecn`). */
  ecn?: boolean;
  /** Microsecond TCP timestamps (`features tcp_usec_ts`; Linux 6.7 and later). */
  tcpUsecTs?: boolean;
  /**
   * Metrics the kernel must keep as given instead of learning better values (`mtu lock 1400`:
   * path MTU discovery no longer changes it). A locked metric without a value locks the
   * kernel's default (`mtu lock 0`).
   */
  lock?: LockableMetric[];
}

type NumberKey = Exclude<keyof NativeRouteMetrics, 'lock' | 'features' | 'ccAlgo' | 'quickack' | 'fastopenNoCookie'>;

interface NumberMetric {
  kind: 'number';
  /** iproute2's word. */
  word: string;
  native: NumberKey;
  rtax: number;
  max: number;
  /** Kernel units per user unit (rtt 8, rttvar 4); 1 for the others. */
  scale: number;
  /** Printed as a time, as iproute2 prints it ("100ms", "1.5s"). */
  time?: boolean;
}
interface FlagMetric {
  kind: 'flag';
  word: string;
  native: 'quickack' | 'fastopenNoCookie';
  rtax: number;
}
interface FeatureMetric {
  kind: 'feature';
  word: string;
  bit: number;
}
interface TextMetric {
  kind: 'text';
  word: string;
  rtax: number;
}
type Metric = NumberMetric | FlagMetric | FeatureMetric | TextMetric;

const U32 = 0xffffffff;

/**
 * Every metric, in RTAX order (the order `ip route` prints them), keyed by its name here.
 * RTAX_* from linux/rtnetlink.h; caps from the kernel's ip_metrics_convert.
 */
const METRICS: Record<Exclude<keyof RouteMetrics, 'lock'>, Metric> = {
  mtu: { kind: 'number', word: 'mtu', native: 'mtu', rtax: 2, max: 65535 - 15, scale: 1 },
  window: { kind: 'number', word: 'window', native: 'window', rtax: 3, max: U32, scale: 1 },
  rtt: { kind: 'number', word: 'rtt', native: 'rtt', rtax: 4, max: U32 / 8, scale: 8, time: true },
  rttvar: { kind: 'number', word: 'rttvar', native: 'rttvar', rtax: 5, max: U32 / 4, scale: 4, time: true },
  ssthresh: { kind: 'number', word: 'ssthresh', native: 'ssthresh', rtax: 6, max: U32, scale: 1 },
  cwnd: { kind: 'number', word: 'cwnd', native: 'cwnd', rtax: 7, max: U32, scale: 1 },
  advmss: { kind: 'number', word: 'advmss', native: 'advmss', rtax: 8, max: 65535 - 40, scale: 1 },
  reordering: { kind: 'number', word: 'reordering', native: 'reordering', rtax: 9, max: U32, scale: 1 },
  hoplimit: { kind: 'number', word: 'hoplimit', native: 'hoplimit', rtax: 10, max: 255, scale: 1 },
  initcwnd: { kind: 'number', word: 'initcwnd', native: 'initcwnd', rtax: 11, max: U32, scale: 1 },
  // RTAX_FEATURES (12): RTAX_FEATURE_ECN and RTAX_FEATURE_TCP_USEC_TS.
  ecn: { kind: 'feature', word: 'ecn', bit: 1 << 0 },
  tcpUsecTs: { kind: 'feature', word: 'tcp_usec_ts', bit: 1 << 4 },
  rtoMin: { kind: 'number', word: 'rto_min', native: 'rtoMin', rtax: 13, max: U32, scale: 1, time: true },
  initrwnd: { kind: 'number', word: 'initrwnd', native: 'initrwnd', rtax: 14, max: U32, scale: 1 },
  quickack: { kind: 'flag', word: 'quickack', native: 'quickack', rtax: 15 },
  congctl: { kind: 'text', word: 'congctl', rtax: 16 },
  fastopenNoCookie: { kind: 'flag', word: 'fastopen_no_cookie', native: 'fastopenNoCookie', rtax: 17 },
};

const NAMES = Object.keys(METRICS) as Array<Exclude<keyof RouteMetrics, 'lock'>>;

/** The RTAX_* of a lockable metric. */
function rtaxOf(name: LockableMetric): number {
  return (METRICS[name] as NumberMetric | TextMetric).rtax;
}
const LOCKABLE = NAMES.filter((n) => METRICS[n].kind === 'number' || METRICS[n].kind === 'text') as LockableMetric[];

/** TCP_CA_NAME_MAX (16) with its NUL; printable ASCII, as the kernel's algorithm names are. */
const CC_NAME = /^[\x21-\x7e]{1,15}$/;

/**
 * Checks {@link RouteMetrics} and turns them into the kernel's units (throws EINVAL, naming the
 * metric). Unknown keys are refused: a misspelt metric would otherwise be dropped unsaid.
 * @internal
 */
export function metricsRequest(metrics: unknown, operation: string): NativeRouteMetrics {
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw invalid(operation, `metrics must be an object such as { mtu: 1400 }, not ${describeValue(metrics)}`);
  }
  const given = metrics as Record<string, unknown>;
  const out: NativeRouteMetrics = {};
  let lock = 0;
  let features = 0;
  for (const key of Object.keys(given)) {
    const value = given[key];
    if (value === undefined) continue;
    if (key === 'lock') continue;
    const m = (METRICS as Record<string, Metric | undefined>)[key];
    if (m === undefined) {
      throw invalid(operation, `unknown route metric "${key}"; the metrics are ${[...NAMES, 'lock'].join(', ')}`);
    }
    switch (m.kind) {
      case 'number': {
        const raw = typeof value === 'number' ? value * m.scale : Number.NaN;
        if (!Number.isInteger(raw) || raw < 0 || raw > m.max * m.scale) {
          const unit = m.time ? ' milliseconds' : '';
          const steps = m.scale > 1 ? ` in steps of ${1 / m.scale}` : ' (an integer)';
          throw invalid(
            operation,
            `the metric ${key} must be${unit} from 0 to ${m.max}${steps}, not ${describeValue(value)}`,
          );
        }
        out[m.native] = raw;
        break;
      }
      case 'flag':
        out[m.native] = checkBoolean(value, operation, `the metric ${key}`) ? 1 : 0;
        break;
      case 'feature':
        if (checkBoolean(value, operation, `the metric ${key}`)) features |= m.bit;
        break;
      case 'text':
        if (typeof value !== 'string' || !CC_NAME.test(value)) {
          throw invalid(
            operation,
            `congctl must name a TCP congestion control algorithm ('cubic', 'reno', ...): 1 to 15 printable characters, not ${describeValue(value)}`,
          );
        }
        out.ccAlgo = value;
        break;
    }
  }
  if (features !== 0) out.features = features;
  // rto_min counts only when locked (the kernel's tcp_rto_min): iproute2 always locks it.
  if (out.rtoMin !== undefined) lock |= 1 << rtaxOf('rtoMin');
  const locks: unknown = given.lock;
  if (locks !== undefined) {
    if (!Array.isArray(locks)) {
      throw invalid(operation, `lock must be an array of metric names such as ['mtu'], not ${describeValue(locks)}`);
    }
    for (const name of locks as unknown[]) {
      if (typeof name !== 'string' || !(LOCKABLE as string[]).includes(name)) {
        throw invalid(
          operation,
          `lock names the metrics to lock, of ${LOCKABLE.join(', ')}; not ${describeValue(name)}`,
        );
      }
      lock |= 1 << rtaxOf(name as LockableMetric);
    }
  }
  if (lock !== 0) out.lock = lock >>> 0;
  return out;
}

/** A route's metrics as the kernel listed them, in the user's units. @internal */
export function metricsFromNative(n: NativeRouteMetrics): RouteMetrics | undefined {
  const out: RouteMetrics = {};
  for (const name of NAMES) {
    const m = METRICS[name];
    switch (m.kind) {
      case 'number': {
        const raw = n[m.native];
        if (raw !== undefined) (out as Record<string, number>)[name] = raw / m.scale;
        break;
      }
      case 'flag':
        if (n[m.native] !== undefined) (out as Record<string, boolean>)[name] = n[m.native] !== 0;
        break;
      case 'feature':
        if (n.features !== undefined && n.features & m.bit) (out as Record<string, boolean>)[name] = true;
        break;
      case 'text':
        if (n.ccAlgo !== undefined) out.congctl = n.ccAlgo;
        break;
    }
  }
  const lock = LOCKABLE.filter((name) => ((n.lock ?? 0) >>> rtaxOf(name)) & 1);
  if (lock.length > 0) out.lock = lock;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** C's `%g`: six significant digits, no trailing zeros, an exponent from 1e6 on. */
function cG(x: number): string {
  const s = x.toPrecision(6);
  const [mantissa = s, exponent] = s.split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  if (exponent === undefined) return trimmed;
  const e = Number(exponent);
  return `${trimmed}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/**
 * The metrics as `ip route show` prints them (iproute2's print_rta_metrics): in RTAX order, each
 * word, then `lock` for a locked one, then its value; times in whole ms ("100ms", or "1.5s" from
 * a second on); a locked metric without a value as 0.
 * @internal
 */
export function metricWords(metrics: RouteMetrics): string[] {
  const words: string[] = [];
  const locked = new Set<string>(metrics.lock ?? []);
  const features: string[] = [];
  for (const name of NAMES) {
    const m = METRICS[name];
    const value = metrics[name];
    if (m.kind === 'feature') {
      if (value === true) features.push(m.word);
      // ip prints the features where RTAX_FEATURES falls, after initcwnd.
      if (name === 'tcpUsecTs' && features.length > 0) words.push('features', ...features);
      continue;
    }
    const lock = locked.has(name);
    if (value === undefined && !lock) continue;
    words.push(m.word);
    if (lock) words.push('lock');
    if (m.kind === 'number') {
      const n = Math.trunc(typeof value === 'number' ? value : 0);
      words.push(m.time ? (n >= 1000 ? `${cG(n / 1e3)}s` : `${n}ms`) : String(n));
    } else if (m.kind === 'flag') {
      words.push(value ? '1' : '0');
    } else {
      words.push(String(value ?? ''));
    }
  }
  return words;
}
