import { abortable, abortError, checkSignal, onAbort } from '../internal/abort';
import { failure, fromNative, invalid } from '../internal/errors';
import { addon } from '../native/load';
import type { NativeEchoReply, NativeHandle } from '../native/surface';
import { checkInteger, parseIp } from '../internal/validate';

/** Options for {@link Namespace.ping}. */
export interface PingOptions {
  /** Echo requests to send (`ping -c`). Default 3. */
  count?: number;
  /** How long to wait for a reply after the last request (`ping -W`), in ms. Default 1000. */
  timeoutMs?: number;
  /** Time between requests (`ping -i`), in ms. Default 200. */
  intervalMs?: number;
  /** Payload bytes (`ping -s`), at least 16. Default 56, so replies are 64 bytes like ping's. */
  size?: number;
  /** Stops pinging: the call rejects with an AbortError (code ABORT_ERR) and the socket is closed. */
  signal?: AbortSignal;
}

/** One echo reply, as ping(8) prints it: `64 bytes from 198.18.0.2: icmp_seq=1 ttl=64 time=0.051 ms`. */
export interface PingReply {
  seq: number;
  bytes: number;
  from: string;
  /** TTL (IPv4) or hop limit (IPv6) of the reply. */
  ttl: number;
  rttMs: number;
}

export interface PingResult {
  transmitted: number;
  received: number;
  /** Round-trip times of the replies, in order of arrival, in milliseconds. */
  rttMs: number[];
  replies: PingReply[];
}

/**
 * Sends ICMP echo requests from inside a namespace (a raw socket opened there) and collects
 * the replies. Waiting costs no thread: the socket is watched by the event loop.
 * @internal
 */
export async function ping(
  handle: () => Promise<NativeHandle>,
  address: string,
  options: PingOptions,
  operation: string,
): Promise<PingResult> {
  const target = parseIp(address, operation);
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  const count = checkInteger(options.count ?? 3, operation, 'count', 1, 65535);
  const timeoutMs = checkInteger(options.timeoutMs ?? 1000, operation, 'timeoutMs', 1, 3_600_000);
  const intervalMs = checkInteger(options.intervalMs ?? 200, operation, 'intervalMs', 0, 3_600_000);
  const size = checkInteger(options.size ?? 56, operation, 'size', 16, 65000);
  const signal = checkSignal(options.signal, operation);

  let socket;
  try {
    socket = await abortable(addon.openIcmp(await handle(), target.family), signal, operation, {
      late: (s) => s.close(),
    });
  } catch (e) {
    throw fromNative(e, operation, 'ping');
  }
  const id = (Math.random() * 0xffff) >>> 0 || 1;
  const replies: PingReply[] = [];
  const answered = new Set<number>();
  let transmitted = 0;

  try {
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let forget: (() => void) | undefined;
      const finish = (error?: unknown): void => {
        clearTimeout(timer);
        forget?.();
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve();
      };
      const receive = (): void => {
        let got: NativeEchoReply[];
        try {
          got = socket.read(id);
        } catch (e) {
          finish(fromNative(e, operation, 'ping'));
          return;
        }
        for (const r of got) {
          // Ignore duplicates and replies to requests we never sent (seq starts at 1).
          if (r.seq < 1 || r.seq > transmitted || answered.has(r.seq)) continue;
          answered.add(r.seq);
          replies.push({ seq: r.seq, bytes: r.bytes, from: r.from, ttl: r.ttl, rttMs: r.rttMs });
        }
        if (transmitted === count && answered.size === count) finish();
      };
      const send = (): void => {
        try {
          socket.send(target.address, id, transmitted + 1, size);
        } catch (e) {
          finish(fromNative(e, operation, 'ping'));
          return;
        }
        transmitted += 1;
        timer = transmitted < count ? setTimeout(send, intervalMs) : setTimeout(finish, timeoutMs);
      };
      socket.watch(receive);
      if (signal?.aborted) return finish(abortError(operation, signal));
      if (signal) forget = onAbort(signal, () => finish(abortError(operation, signal)));
      send();
    });
  } finally {
    socket.close();
  }
  if (transmitted === 0) throw failure('EIO', operation, 'no echo request could be sent');
  return { transmitted, received: replies.length, rttMs: replies.map((r) => r.rttMs), replies };
}
