/**
 * Networks in tests: every test takes subnets from 198.18.0.0/15 only, and the networks it
 * made are removed after it. `consistent()` checks a network against the kernel through `ip`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Network, type Namespace } from 'netns-native';
import { uniqueName } from './fresh';
import { ipJson, type IpAddr } from './ip';

export function useTestPools(): void {
  Network.addressPools = [{ base: '198.18.0.0/15', size: 24 }];
}

const made: string[] = [];

/** A unique network name, removed (force) after the current test. */
export function netName(): string {
  const name = uniqueName('nnt-net-');
  made.push(name);
  return name;
}

afterEach(async () => {
  for (const name of made.splice(0)) {
    try {
      await (await Network.open(name)).remove({ force: true });
    } catch {
      // removed by the test, or never made
    }
  }
});

export interface StateFile {
  id: string;
  bridgeName: string;
  subnet: string;
  pending?: unknown;
  endpoints: Array<{
    namespace: { name?: string; inode: string; cookie?: string };
    name?: string;
    interfaceName: string;
    hostInterfaceName: string;
    address: string;
  }>;
}

export function stateFile(name: string): StateFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join('/run/netns-native/networks', `${name}.json`), 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
}

interface IpLinkDetail {
  ifname: string;
  ifalias?: string;
  master?: string;
  flags: string[];
  linkinfo?: { info_kind?: string };
}

/** The host links that carry a network's mark (its veths and bridge), by `ip -d link`. */
export function markedLinks(id: string): IpLinkDetail[] {
  return ipJson<IpLinkDetail[]>(undefined, '-details', 'link', 'show').filter((l) =>
    l.ifalias?.startsWith(`netns-native network ${id}`),
  );
}

/**
 * The network's state and the kernel agree, as `ip` sees it: no journal left, one marked veth
 * per member and no other, each attached to the bridge and up, each member's interface holding
 * its address, no address given twice.
 */
export function expectConsistent(name: string): StateFile {
  const state = stateFile(name);
  expect(state).toBeDefined();
  const s = state as StateFile;
  expect(s.pending).toBeUndefined();
  const marked = markedLinks(s.id);
  const veths = marked.filter((l) => l.linkinfo?.info_kind === 'veth');
  expect(veths.map((l) => l.ifname).sort()).toEqual(s.endpoints.map((e) => e.hostInterfaceName).sort());
  for (const v of veths) {
    expect(v.master).toBe(s.bridgeName);
    expect(v.flags).toContain('UP');
  }
  expect(marked.filter((l) => l.linkinfo?.info_kind === 'bridge').map((l) => l.ifname)).toEqual([s.bridgeName]);
  const addresses = s.endpoints.map((e) => e.address);
  expect(new Set(addresses).size).toBe(addresses.length);
  for (const ep of s.endpoints) {
    if (ep.namespace.name === undefined) continue;
    const inside = ipJson<IpAddr[]>(ep.namespace.name, 'addr', 'show', 'dev', ep.interfaceName);
    expect(inside[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain(ep.address);
  }
  return s;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const root = path.join(__dirname, '..', '..');

/** Starts test/fixtures/network-child.ts in a node process of its own. */
export function startChild(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [path.join(root, 'test/fixtures/run-ts.js'), path.join(root, 'test/fixtures/network-child.ts'), ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<ChildResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const output = () => stdout;
  return { child, done, output };
}

export async function runChild(args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return startChild(args, env).done;
}

/** Waits until `check` returns true (polled), or fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Whether `ns` gets an echo reply from `address` within a few seconds. A veth's carrier comes
 * up through the kernel's linkwatch, which runs at most once a second machine-wide, so a ping
 * sent at once may be dropped: ask again until one comes back.
 */
export async function reaches(ns: Namespace, address: string, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  do {
    if ((await ns.ping(address, { count: 1, timeoutMs: 500 })).received === 1) return true;
  } while (Date.now() < end);
  return false;
}
