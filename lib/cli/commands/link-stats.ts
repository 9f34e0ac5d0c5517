/**
 * A link's counters as `ip -s link show` and `ip -s addr show` print them (`-s -s`: the errors
 * in detail too): iproute2 6.1's print_stats64, its columns sized to the widest number, the
 * columns for counters that are 0 on most links (compressed, nohandler, otherhost) printed only
 * when not 0, and with -j its `stats64` object (`stats` when the kernel's struct is older than
 * rx_otherhost_dropped, as ip names it by the attribute's length).
 */
import type { Ipv6Stats, LinkStats } from '../../index';

/** How many digits `n` prints with (ip's size_columns). */
const digits = (n: number): number => String(n).length;

/** `%*s`: `text` right-aligned in `width`. */
const pad = (text: string | number, width: number): string => String(text).padStart(width);

/**
 * The column widths: at least the words' (the first column fits "*X errors:"), widened to the
 * numbers. As ip, the TX errors line's numbers widen the column to the right of their own.
 */
function columns(s: LinkStats, level: number, carrierChanges: number): number[] {
  const cols = [10, 7, 6, 7, 7, 7, 10, 9];
  const fit = (...values: number[]): void => {
    values.forEach((v, i) => (cols[i] = Math.max(cols[i] as number, digits(v))));
  };
  const otherhost = s.rxOtherhostDropped ?? 0;
  fit(s.rxBytes, s.rxPackets, s.rxErrors, s.rxDropped, s.rxMissedErrors, s.multicast, s.rxCompressed, 0);
  if (level > 1) {
    fit(0, s.rxLengthErrors, s.rxCrcErrors, s.rxFrameErrors, s.rxFifoErrors, s.rxOverErrors, s.rxNohandler, otherhost);
  }
  fit(s.txBytes, s.txPackets, s.txErrors, s.txDropped, s.txCarrierErrors, s.collisions, s.txCompressed, 0);
  if (level > 1) {
    fit(0, 0, s.txAbortedErrors, s.txFifoErrors, s.txWindowErrors, s.txHeartbeatErrors, carrierChanges, 0);
  }
  return cols;
}

/** Numbers in their columns, each followed by a blank (ip's print_num). */
const numbers = (pairs: Array<[number, number]>): string => pairs.map(([v, w]) => `${pad(v, w)} `).join('');

/**
 * The counters' lines (each without ip's trailing blanks), `level` 1 for -s, 2 or more for -s -s;
 * none for a link read without them. `changes`: the carrier changes (`transns`), when known.
 */
export function statsLines(s: LinkStats | undefined, changes: number | undefined, level: number): string[] {
  if (s === undefined) return [];
  const c = columns(s, level, changes ?? 0) as [number, number, number, number, number, number, number, number];
  const lines: string[] = [];
  const rxHead = ['bytes', 'packets', 'errors', 'dropped', 'missed', 'mcast'];
  lines.push(
    `    RX: ${pad('bytes', c[0] - 4)} ${rxHead
      .slice(1)
      .map((w, i) => pad(w, c[i + 1] as number))
      .join(' ')} ` + pad(s.rxCompressed ? 'compressed' : '', c[6]),
  );
  const rx: Array<[number, number]> = [
    [s.rxBytes, c[0]],
    [s.rxPackets, c[1]],
    [s.rxErrors, c[2]],
    [s.rxDropped, c[3]],
    [s.rxMissedErrors, c[4]],
    [s.multicast, c[5]],
  ];
  if (s.rxCompressed) rx.push([s.rxCompressed, c[6]]);
  lines.push(`    ${numbers(rx)}`);
  if (level > 1) {
    const otherhost = s.rxOtherhostDropped ?? 0;
    lines.push(
      `    RX errors:${pad('', c[0] - 10)} ${pad('length', c[1])} ${pad('crc', c[2])} ${pad('frame', c[3])} ` +
        `${pad('fifo', c[4])} ${pad('overrun', c[5])}` +
        (s.rxNohandler ? pad(' nohandler', c[6] + 1) : '') +
        (otherhost ? pad(' otherhost', c[7] + 1) : ''),
    );
    const errors: Array<[number, number]> = [
      [s.rxLengthErrors, c[1]],
      [s.rxCrcErrors, c[2]],
      [s.rxFrameErrors, c[3]],
      [s.rxFifoErrors, c[4]],
      [s.rxOverErrors, c[5]],
    ];
    if (s.rxNohandler) errors.push([s.rxNohandler, c[6]]);
    if (otherhost) errors.push([otherhost, c[7]]);
    lines.push(`${pad('', c[0] + 5)}${numbers(errors)}`);
  }
  const txHead = ['packets', 'errors', 'dropped', 'carrier', 'collsns'];
  lines.push(
    `    TX: ${pad('bytes', c[0] - 4)} ${txHead.map((w, i) => pad(w, c[i + 1] as number)).join(' ')} ` +
      pad(s.txCompressed ? 'compressed' : '', c[6]),
  );
  const tx: Array<[number, number]> = [
    [s.txBytes, c[0]],
    [s.txPackets, c[1]],
    [s.txErrors, c[2]],
    [s.txDropped, c[3]],
    [s.txCarrierErrors, c[4]],
    [s.collisions, c[5]],
  ];
  if (s.txCompressed) tx.push([s.txCompressed, c[6]]);
  lines.push(`    ${numbers(tx)}`);
  if (level > 1) {
    lines.push(
      `    TX errors:${pad('', c[0] - 10)} ${pad('aborted', c[1])} ${pad('fifo', c[2])} ${pad('window', c[3])} ` +
        `${pad('heartbt', c[4])} ${pad(changes !== undefined ? 'transns' : '', c[5])}`,
    );
    const errors: Array<[number, number]> = [
      [s.txAbortedErrors, c[1]],
      [s.txFifoErrors, c[2]],
      [s.txWindowErrors, c[3]],
      [s.txHeartbeatErrors, c[4]],
    ];
    if (changes !== undefined) errors.push([changes, c[5]]);
    lines.push(`${pad('', c[0] + 5)}${numbers(errors)}`);
  }
  return lines.map((line) => line.trimEnd());
}

/** The counters as `ip -j -s` gives them: `{ stats64: { rx, tx } }` (or `stats`); {} without them. */
export function statsJson(
  s: LinkStats | undefined,
  changes: number | undefined,
  level: number,
): Record<string, unknown> {
  if (s === undefined) return {};
  const rx: Record<string, number> = {
    bytes: s.rxBytes,
    packets: s.rxPackets,
    errors: s.rxErrors,
    dropped: s.rxDropped,
    over_errors: s.rxOverErrors,
    multicast: s.multicast,
  };
  if (s.rxCompressed) rx.compressed = s.rxCompressed;
  if (level > 1) {
    Object.assign(rx, {
      length_errors: s.rxLengthErrors,
      crc_errors: s.rxCrcErrors,
      frame_errors: s.rxFrameErrors,
      fifo_errors: s.rxFifoErrors,
      missed_errors: s.rxMissedErrors,
    });
    if (s.rxNohandler) rx.nohandler = s.rxNohandler;
    if (s.rxOtherhostDropped) rx.otherhost = s.rxOtherhostDropped;
  }
  const tx: Record<string, number> = {
    bytes: s.txBytes,
    packets: s.txPackets,
    errors: s.txErrors,
    dropped: s.txDropped,
    carrier_errors: s.txCarrierErrors,
    collisions: s.collisions,
  };
  if (s.txCompressed) tx.compressed = s.txCompressed;
  if (level > 1) {
    Object.assign(tx, {
      aborted_errors: s.txAbortedErrors,
      fifo_errors: s.txFifoErrors,
      window_errors: s.txWindowErrors,
      heartbeat_errors: s.txHeartbeatErrors,
    });
    if (changes !== undefined) tx.carrier_changes = changes;
  }
  // ip names the object by the attribute's length: `stats64` for its own struct's size, which
  // ends with rx_otherhost_dropped.
  return { [s.rxOtherhostDropped !== undefined ? 'stats64' : 'stats']: { rx, tx } };
}

/**
 * IPv6's counters in a link's places, as `ip -6 -s addr show` prints them (iproute2's
 * get_snmp_counters: packets, bytes, discards as errors, multicast, checksum errors as frame
 * errors; every other counter 0, and the struct whole: `stats64`).
 */
export function ipv6AsLinkStats(v: Ipv6Stats): LinkStats {
  const zero = {
    rxDropped: 0,
    txDropped: 0,
    collisions: 0,
    rxLengthErrors: 0,
    rxCrcErrors: 0,
    rxFifoErrors: 0,
    rxOverErrors: 0,
    rxMissedErrors: 0,
    txCarrierErrors: 0,
    txAbortedErrors: 0,
    txFifoErrors: 0,
    txWindowErrors: 0,
    txHeartbeatErrors: 0,
    rxCompressed: 0,
    txCompressed: 0,
    rxNohandler: 0,
    rxOtherhostDropped: 0,
  };
  return {
    ...zero,
    rxPackets: v.inReceives,
    rxBytes: v.inOctets,
    txPackets: v.outRequests,
    txBytes: v.outOctets,
    rxErrors: v.inDiscards,
    txErrors: v.outDiscards,
    multicast: v.inMcastPkts,
    rxFrameErrors: v.inCsumErrors,
  };
}
