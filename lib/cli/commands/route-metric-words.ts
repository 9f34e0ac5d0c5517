/**
 * The metric words of `ip route add|replace|delete` (iproute2 6.1's iproute_modify): `mtu [lock]
 * N`, `rtt [lock] TIME`, `congctl [lock] NAME`, `features ecn`, `quickack 0|1`, ..., read into
 * the library's RouteMetrics (route-metrics.ts: its units are iproute2's).
 * @internal
 */
import type { LockableMetric, RouteMetrics } from '../../index';
import type { Words } from '../words';

/** The plain numbers, by ip's word: the metric's name here. */
type NumberMetric =
  'mtu' | 'hoplimit' | 'advmss' | 'reordering' | 'window' | 'cwnd' | 'initcwnd' | 'initrwnd' | 'ssthresh';
const NUMBERS: Readonly<Record<string, NumberMetric>> = {
  mtu: 'mtu',
  hoplimit: 'hoplimit',
  advmss: 'advmss',
  reordering: 'reordering',
  window: 'window',
  cwnd: 'cwnd',
  initcwnd: 'initcwnd',
  initrwnd: 'initrwnd',
  ssthresh: 'ssthresh',
};

/**
 * The times (get_time_rtt): a number with a unit (s, sec, secs, ms, msec, msecs) in
 * milliseconds; without one, the kernel's own unit, which ip sends as it is: 1/8 ms for rtt,
 * 1/4 ms for rttvar, ms for rto_min.
 */
const TIMES: Readonly<Record<string, { name: 'rtt' | 'rttvar' | 'rtoMin'; rawPerMs: number }>> = {
  rtt: { name: 'rtt', rawPerMs: 8 },
  rttvar: { name: 'rttvar', rawPerMs: 4 },
  rto_min: { name: 'rtoMin', rawPerMs: 1 },
};

/** Every metric word, for a caller deciding whether a word is one. */
export const METRIC_WORDS: readonly string[] = [
  ...Object.keys(NUMBERS),
  ...Object.keys(TIMES),
  'congctl',
  'features',
  'quickack',
  'fastopen_no_cookie',
];

/** Reads the value of metric word `word` (already read) into `metrics`. */
export function readMetricWord(words: Words, word: string, metrics: RouteMetrics): void {
  const lock = (name: LockableMetric): void => {
    metrics.lock = [...(metrics.lock ?? []), name];
  };
  const locked = (): boolean => {
    if (words.peek() !== 'lock') return false;
    words.next();
    return true;
  };
  const number = Object.hasOwn(NUMBERS, word) ? NUMBERS[word] : undefined;
  if (number !== undefined) {
    if (locked()) lock(number);
    metrics[number] = words.integer(word);
  } else if (Object.hasOwn(TIMES, word)) {
    const { name, rawPerMs } = TIMES[word] as (typeof TIMES)[string];
    // rto_min is always locked: TCP reads it only then (ip locks it too).
    if (word !== 'rto_min' && locked()) lock(name);
    metrics[name] = time(words, word, rawPerMs);
  } else if (word === 'congctl') {
    if (locked()) lock('congctl');
    metrics.congctl = words.value(word, 'a congestion control algorithm (reno, cubic, ...)');
  } else if (word === 'features') {
    const feature = words.value(word, 'ecn');
    if (feature !== 'ecn') throw words.error(`features takes ecn, not ${JSON.stringify(feature)}`);
    metrics.ecn = true;
  } else {
    const value = words.value(word, '0 or 1');
    if (value !== '0' && value !== '1') throw words.error(`${word} takes 0 or 1, not ${JSON.stringify(value)}`);
    metrics[word === 'quickack' ? 'quickack' : 'fastopenNoCookie'] = value === '1';
  }
}

/** A time after `keyword`, in milliseconds. */
function time(words: Words, keyword: string, rawPerMs: number): number {
  const word = words.value(keyword, 'a time (100ms, 1.5s, or a number in the kernel’s unit)');
  const m = /^([0-9]+(?:\.[0-9]*)?)(s|sec|secs|ms|msec|msecs)?$/i.exec(word);
  if (!m) throw words.error(`${keyword} needs a time (100ms, 1.5s, or a number), not ${JSON.stringify(word)}`);
  const value = Number(m[1]);
  const unit = m[2]?.toLowerCase();
  // ip truncates to whole milliseconds before scaling (an unsigned int).
  if (unit === undefined) return Math.trunc(value) / rawPerMs;
  return Math.trunc(unit.startsWith('s') ? value * 1000 : value);
}
