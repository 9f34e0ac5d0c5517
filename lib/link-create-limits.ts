/**
 * The queues and packet-size limits a link can be given as it is created (`ip link add NAME
 * numtxqueues N numrxqueues N gso_max_size B gso_max_segs N gro_max_size B type KIND`), shared
 * by the kinds' create(). The queue counts can only be set here: the kernel reads them when it
 * allocates the device and ignores them on a link that exists.
 */
import { checkInteger } from './internal/validate';
import type { NativeLinkRequest } from './native/surface';

/** What the kinds' create() take beside their own options. */
export interface LinkCreateLimits {
  /** `numtxqueues N`: transmit queues, 1 to 4096 (default: the driver's, often 1). */
  numTxQueues?: number;
  /** `numrxqueues N`: receive queues, 1 to 4096. */
  numRxQueues?: number;
  /** `gso_max_size BYTES`: the largest GSO packet, at most the device's TSO limit (the kernel checks it). */
  gsoMaxSize?: number;
  /** `gso_max_segs N`: the most segments of one GSO packet, 0 to 65535. */
  gsoMaxSegs?: number;
  /** `gro_max_size BYTES`: the largest packet GRO builds, 0 to 524280. */
  groMaxSize?: number;
}

/** The kernel's bound on queues (rtnl_create_link). */
const MAX_QUEUES = 4096;

/** The GSO/GRO limits, settable at creation and by link.set(), with the most each takes. */
const SIZE_LIMITS = {
  gsoMaxSize: 0xffffffff,
  gsoMaxSegs: 65535, // GSO_MAX_SEGS
  groMaxSize: 8 * 65535, // GRO_MAX_SIZE
} as const;
export type SizeLimit = keyof typeof SIZE_LIMITS;

/** One GSO/GRO limit, checked against the kernel's bound (EINVAL saying which is wrong). */
export function checkSizeLimit(name: SizeLimit, value: unknown, where: string): number {
  return checkInteger(value, where, name, 0, SIZE_LIMITS[name]);
}

/** The request fields of the limits given, each checked (EINVAL saying which is wrong). */
export function checkCreateLimits(options: LinkCreateLimits, where: string): NativeLinkRequest {
  const out: NativeLinkRequest = {};
  if (options.numTxQueues !== undefined) {
    out.numTxQueues = checkInteger(options.numTxQueues, where, 'numTxQueues', 1, MAX_QUEUES);
  }
  if (options.numRxQueues !== undefined) {
    out.numRxQueues = checkInteger(options.numRxQueues, where, 'numRxQueues', 1, MAX_QUEUES);
  }
  for (const name of Object.keys(SIZE_LIMITS) as SizeLimit[]) {
    if (options[name] !== undefined) out[name] = checkSizeLimit(name, options[name], where);
  }
  return out;
}
