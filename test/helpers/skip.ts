/**
 * Skips that say why, out loud. Kernel tests need root; some link kinds need kernel support
 * this machine may lack (this VM has no dummy, vlan, ipvlan or bond).
 */
import { execFileSync } from 'node:child_process';

export const isRoot = process.getuid?.() === 0 && process.env.NETNS_NATIVE_UNPRIVILEGED !== '1';
export const isIsolated = process.env.NETNS_NATIVE_ISOLATED === '1';

/** `describe` for tests that need root inside the throwaway namespace `npm test` sets up. */
export function describeKernel(name: string, fn: () => void): void {
  if (isRoot && isIsolated) {
    describe(name, fn);
    return;
  }
  const why = !isRoot
    ? 'needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN); run `npm test` as root'
    : 'must run inside the throwaway namespace; run it through `npm test`';
  describe.skip(`${name} [SKIPPED: ${why}]`, fn);
  console.warn(`netns-native: skipping "${name}": ${why}`);
}

const kindCache = new Map<string, boolean>();

/** Whether this kernel can create links of a kind, tried in a throwaway namespace. */
export function kernelHasLinkKind(kind: string, extra: string[] = []): boolean {
  const key = [kind, ...extra].join(' ');
  if (!kindCache.has(key)) {
    let ok = true;
    try {
      execFileSync('unshare', ['--net', 'ip', 'link', 'add', 'probe0', 'type', kind, ...extra], { stdio: 'ignore' });
    } catch {
      ok = false;
    }
    kindCache.set(key, ok);
  }
  return kindCache.get(key) as boolean;
}

/** `it`, or an explicit named skip when the kernel lacks a feature. */
export function itIf(condition: boolean, reason: string): jest.It {
  if (condition) return it;
  const skip = ((name: string, fn?: jest.ProvidesCallback, timeout?: number) =>
    it.skip(`${name} [SKIPPED: ${reason}]`, fn, timeout)) as unknown as jest.It;
  return skip;
}
