/**
 * Skips that say why, out loud. Kernel tests need root; some link kinds need kernel support
 * this machine may lack (this VM has no dummy, vlan, ipvlan or bond).
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

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

/**
 * Whether this kernel can create links of a kind that sit on a parent link (macvlan, macvtap,
 * ipvlan, vlan: `ip link add probe0 link PARENT type KIND ...`), tried on a veth end in a
 * throwaway namespace.
 */
export function kernelHasChildLinkKind(kind: string, extra: string[] = []): boolean {
  const key = ['child', kind, ...extra].join(' ');
  if (!kindCache.has(key)) {
    const script = 'ip link add probe1 type veth peer name probe2 && ip link add probe0 link probe1 type "$@"';
    let ok = true;
    try {
      execFileSync('unshare', ['--net', 'sh', '-c', script, 'sh', kind, ...extra], { stdio: 'ignore' });
    } catch {
      ok = false;
    }
    kindCache.set(key, ok);
  }
  return kindCache.get(key) as boolean;
}

/** Whether this machine can make TUN/TAP devices (/dev/net/tun, the tun module). */
export function kernelHasTun(): boolean {
  if (!kindCache.has('tun')) {
    let ok = true;
    try {
      execFileSync('unshare', ['--net', 'ip', 'tuntap', 'add', 'probe0', 'mode', 'tap'], { stdio: 'ignore' });
    } catch {
      ok = false;
    }
    kindCache.set('tun', ok);
  }
  return kindCache.get('tun') as boolean;
}

/** `it`, or an explicit named skip when the kernel lacks a feature. */
export function itIf(condition: boolean, reason: string): jest.It {
  if (condition) return it;
  const skip = ((name: string, fn?: jest.ProvidesCallback, timeout?: number) =>
    it.skip(`${name} [SKIPPED: ${reason}]`, fn, timeout)) as unknown as jest.It;
  return skip;
}

/**
 * Whether this kernel takes `l3mdev` rules: built without CONFIG_NET_L3_MASTER_DEV it refuses
 * FRA_L3MDEV (EINVAL, "IPv4 support for L3 master devices is not enabled"). Detected by `ip rule
 * add l3mdev` in a throwaway namespace, not guessed from the kernel's version or config file.
 */
export function kernelHasL3mdevRules(): boolean {
  if (!kindCache.has('l3mdev rule')) {
    let ok = true;
    try {
      execFileSync('unshare', ['--net', 'ip', 'rule', 'add', 'l3mdev', 'priority', '1000'], { stdio: 'ignore' });
    } catch {
      ok = false;
    }
    kindCache.set('l3mdev rule', ok);
  }
  return kindCache.get('l3mdev rule') as boolean;
}

/**
 * Why this machine cannot take a bridge port setting (`ip link set dev PORT type bridge_slave
 * NAME VALUE`, then listed back by `ip -d link show`), tried in a throwaway namespace; undefined
 * when it can. Names the missing piece: the kernel, or iproute2 (which the tests witness with).
 */
export function bridgePortSettingMissing(name: string, value: string): string | undefined {
  const key = ['bridge_slave', name, value].join(' ');
  if (!kindCache.has(key)) {
    const script =
      'ip link add probe0 type bridge && ip link add probe1 type veth peer name probe2 && ' +
      'ip link set probe1 master probe0 && ip link set dev probe1 type bridge_slave "$1" "$2" && ' +
      'ip -d -j link show dev probe1';
    let out = '';
    try {
      out = execFileSync('unshare', ['--net', 'sh', '-c', script, 'sh', name, value], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      out = '';
    }
    const listed = out !== '' && JSON.parse(out)[0]?.linkinfo?.info_slave_data?.[name] !== undefined;
    kindCache.set(key, listed);
  }
  return kindCache.get(key) ? undefined : `this kernel (or iproute2) has no bridge port setting ${name}`;
}

/**
 * Why this kernel cannot have a bridge port setting that iproute2 here is too old to set or show
 * (6.1 knows neither `mab` nor `neigh_vlan_suppress`), so no `ip` probe can answer: decided by
 * the kernel's version, these settings being always built with the bridge. Not by the library
 * itself, whose read would then turn a bug of its own into a skip. Undefined when it has it.
 */
export function bridgePortSettingTooNew(name: string, since: [number, number]): string | undefined {
  const [major = 0, minor = 0] = os
    .release()
    .split('.')
    .map((n) => parseInt(n, 10));
  const [wantMajor, wantMinor] = since;
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return undefined;
  return `this kernel (${os.release()}) has no bridge port setting ${name} (Linux ${wantMajor}.${wantMinor})`;
}
