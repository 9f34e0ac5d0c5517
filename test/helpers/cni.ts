/**
 * Running CNI plugins the way a runtime does (CNI_* variables, the configuration on stdin), each
 * inside a "host" namespace of the test's own (`ip netns exec HOST`), so that two plugins can make
 * the same bridge and subnets side by side; and normalising what they leave (results, `ip -j`
 * state, host-local files) so that the reference plugins' output and ours can be compared.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run as runIp } from './ip';

export const REFERENCE_DIR = '/usr/lib/cni';
/** The reference plugins, when containernetworking-plugins is installed (scripts/install-test-tools.sh). */
export const hasReference = ['bridge', 'host-local'].every((p) => fs.existsSync(path.join(REFERENCE_DIR, p)));

const root = path.join(__dirname, '..', '..');
const OURS = ['node', path.join(root, 'test/fixtures/run-ts.js'), path.join(root, 'test/fixtures/cni-plugin.ts')];
/** The executable as shipped: bin/netns-native-cni.js over the bundle `npm run build:ts` writes. */
export const SHIPPED_BUNDLE = path.join(root, 'dist/lib/cni/bundle.js');
const SHIPPED = ['node', path.join(root, 'bin/netns-native-cni.js')];

/** ours: lib/cni from source; shipped: the built executable; ref: the reference plugins. */
export type Plugin = 'ours' | 'shipped' | 'ref';

export interface CniCall {
  command: string;
  /** The plugin's own namespace (its "host"); the test's when absent. */
  host?: string;
  /** CNI_NETNS: a namespace name (made a /run/netns path) or a path. */
  netns?: string;
  containerId?: string;
  ifName?: string;
  args?: string;
  /** Variables to leave out, or to set to other values. */
  env?: Record<string, string | undefined>;
}

export interface CniOutcome {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, when it is JSON. */
  json: Record<string, unknown> | undefined;
}

/** Runs one plugin call. `conf` is written to stdin (a string as is, anything else as JSON). */
export function cni(plugin: Plugin, call: CniCall, conf: unknown): Promise<CniOutcome> {
  const netns =
    call.netns === undefined ? undefined : call.netns.startsWith('/') ? call.netns : `/run/netns/${call.netns}`;
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId ?? 'ctr1',
    CNI_NETNS: netns,
    CNI_IFNAME: call.ifName ?? 'eth0',
    CNI_PATH: REFERENCE_DIR,
    ...(call.args !== undefined && { CNI_ARGS: call.args }),
    ...call.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const exe = plugin === 'ours' ? OURS : plugin === 'shipped' ? SHIPPED : [path.join(REFERENCE_DIR, 'bridge')];
  const argv = call.host ? ['ip', 'netns', 'exec', call.host, ...exe] : exe;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      resolve({ status: status ?? -1, stdout, stderr, json });
    });
    // A plugin that fails on its environment exits without reading stdin: EPIPE is no error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(typeof conf === 'string' ? conf : JSON.stringify(conf));
  });
}

/** Runs a call and expects success; the parsed result (or undefined for commands without one). */
export async function cniOk(
  plugin: Plugin,
  call: CniCall,
  conf: unknown,
): Promise<Record<string, unknown> | undefined> {
  const out = await cni(plugin, call, conf);
  if (out.status !== 0) {
    throw new Error(`${plugin} ${call.command} failed (exit ${out.status}): ${out.stdout} ${out.stderr}`);
  }
  return out.json;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** iproute2 prints bridge ids with unpadded bytes: '8000.36:d:9f:58:88:54'. */
const BRIDGE_ID = /^[0-9a-f]{4}\.[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/;
const VETH = /^veth[0-9a-f]{8}$/;

/**
 * A normaliser for one comparison: MACs become mac0, mac1, ... and host veth names veth0, ...
 * in order of first appearance (so that "the bridge's MAC is its first port's" survives),
 * IPv6 link-local addresses (made from MACs) follow their MAC's token, timers and the
 * attachment mark (ifalias) go, netns paths become '<netns>'.
 */
export class Normaliser {
  private macs = new Map<string, string>();
  private veths = new Map<string, string>();

  private mac(m: string): string {
    const key = m.toLowerCase();
    if (!this.macs.has(key)) this.macs.set(key, `mac${this.macs.size}`);
    return this.macs.get(key) as string;
  }

  private veth(v: string): string {
    if (!this.veths.has(v)) this.veths.set(v, `veth${this.veths.size}`);
    return this.veths.get(v) as string;
  }

  value(v: unknown, key = ''): unknown {
    if (Array.isArray(v)) return v.map((x) => this.value(x, key));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k.endsWith('_timer') || k === 'ifalias' || k === 'gc_timer') continue;
        if (k === 'sandbox' || k === 'link_netnsid') continue;
        if (k === 'valid_life_time' || k === 'preferred_life_time') continue;
        out[k] = this.value(x, k);
      }
      return out;
    }
    if (typeof v !== 'string') return v;
    if (MAC.test(v) && v !== '00:00:00:00:00:00' && v !== 'ff:ff:ff:ff:ff:ff' && !v.startsWith('01:80:c2')) {
      return this.mac(v);
    }
    if (BRIDGE_ID.test(v)) {
      const [prio, mac] = v.split('.') as [string, string];
      return `${prio}.${this.mac(
        mac
          .split(':')
          .map((b) => b.padStart(2, '0'))
          .join(':'),
      )}`;
    }
    if (VETH.test(v)) return this.veth(v);
    const at = v.indexOf('@');
    if (at > 0 && VETH.test(v.slice(0, at))) return `${this.veth(v.slice(0, at))}${v.slice(at)}`;
    if (key === 'local' && v.startsWith('fe80::')) return 'fe80::<from mac>';
    return v;
  }
}

/** What `ip -j` shows of a namespace: links with details, addresses, IPv4 and IPv6 routes. */
export function ipState(ns: string | undefined): Record<string, unknown> {
  const ip = (...args: string[]) =>
    JSON.parse(runIp('ip', [...(ns ? ['-n', ns] : []), '-j', ...args]) || '[]') as unknown;
  return {
    addr: ip('-d', 'addr', 'show'),
    routes4: ip('-4', 'route', 'show', 'table', 'all'),
    // Without the host routes of link-local addresses: they follow random MACs, and the kernel
    // orders them by address.
    routes6: (ip('-6', 'route', 'show', 'table', 'all') as Array<{ dst: string }>).filter(
      (r) => !(r.dst.startsWith('fe80::') && !r.dst.includes('/')),
    ),
  };
}

/** The host-local data directory of a network: file name -> content (the lock's mode too). */
export function hostLocalFiles(dataDir: string, network: string): Record<string, string> {
  const dir = path.join(dataDir, network);
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const st = fs.statSync(path.join(dir, name));
    out[name] = `${(st.mode & 0o777).toString(8)} ${fs.readFileSync(path.join(dir, name), 'utf8')}`;
  }
  return out;
}
