/**
 * The oldest kernel netns-native runs on, checked when the addon loads.
 */
import * as os from 'node:os';
import { failure } from '../internal/errors';

/**
 * Linux 4.11: the ioctl that tells a namespace's type (NS_GET_NSTYPE), which opening any
 * namespace and the exec helper rely on. Everything else degrades instead of failing on older
 * 4.x kernels: the kernel's own error texts (extended ACKs) need 4.12, dump filtering in the
 * kernel (NETLINK_GET_STRICT_CHK) 4.20 and is redone in TypeScript below that, close_range (5.9)
 * has a fallback in the exec helper, and pidfds (5.3) are not used. See docs/compatibility.md.
 */
export const MIN_KERNEL: readonly [number, number] = [4, 11];

/**
 * Throws a NetnsError (ENOSYS) when `release` (uname -r) is older than {@link MIN_KERNEL}. A
 * release that does not start with MAJOR.MINOR is let through: it is not ours to guess.
 */
export function checkKernel(release: string = os.release()): void {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [minMajor, minMinor] = MIN_KERNEL;
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return;
  throw failure(
    'ENOSYS',
    'load netns-native',
    `it needs Linux ${minMajor}.${minMinor} or later, and this kernel is ${release}`,
  );
}
