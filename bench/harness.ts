/**
 * The benchmark's machinery: the C floor, the long-lived `ip -batch` process, `ip` per
 * operation, and interleaved sampling with medians and spread.
 */
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const execFileP = promisify(execFile);

/** Microseconds since some fixed point, as a float. */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

/** Times `fn`, in µs. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = nowUs();
  await fn();
  return nowUs() - t0;
}

/** `await execFile('ip', args)`: what a Node service does today. */
export async function ipExec(args: string[]): Promise<string> {
  const { stdout } = await execFileP('ip', args, { maxBuffer: 1 << 28 });
  return stdout;
}

/** `await execFile('nft', args)`, or undefined when nft is not installed. */
export async function nftExec(args: string[]): Promise<string> {
  const { stdout } = await execFileP('nft', args, { maxBuffer: 1 << 24 });
  return stdout;
}

/** Whether the nft command is there (the library never needs it; the benchmark compares with it). */
export function hasNft(): boolean {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Compiles bench/floor.c with the machine's gcc into a temporary directory. */
export function buildFloor(benchDir: string): { bin: string; dir: string; compiler: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-native-floor-'));
  const bin = path.join(dir, 'floor');
  const src = path.join(benchDir, 'floor.c');
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-o', bin, src, '-lpthread'], { stdio: 'inherit' });
  const compiler = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? 'gcc';
  return { bin, dir, compiler };
}

/** Runs the floor program: `count` timed operations; returns their total µs. */
export async function floor(bin: string, op: string, count: number, ...args: Array<string | number>): Promise<number> {
  const { stdout } = await execFileP(bin, [op, String(count), ...args.map(String)]);
  return Number(stdout.trim()) / 1000;
}

/** How a batch program is driven: its end-of-sample command, and the start of its error line. */
const BATCH_TOOLS = {
  ip: { marker: (m: string) => `link show dev ${m}`, before: /Device $/ },
  bridge: { marker: (m: string) => `fdb show dev ${m}`, before: /Cannot find device $/ },
};

/**
 * One `ip -force -batch -` (or `bridge -force -batch -`) process for the whole run. A sample
 * writes its commands, then a command that fails on purpose on a made-up device name; its error
 * on stderr (unbuffered, unlike stdout) marks the end of the sample. Any other error fails the
 * sample.
 */
export class IpBatch {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #tool: (typeof BATCH_TOOLS)[keyof typeof BATCH_TOOLS];
  #stderr = '';
  #waiting: { marker: string; resolve: (us: number) => void; reject: (e: Error) => void; t0: number } | undefined;
  #marks = 0;

  constructor(command: keyof typeof BATCH_TOOLS = 'ip') {
    this.#tool = BATCH_TOOLS[command];
    this.#proc = spawn(command, ['-force', '-batch', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc.stdout.on('data', () => undefined); // dumps print; drain and drop
    this.#proc.stderr.setEncoding('utf8');
    this.#proc.stderr.on('data', (chunk: string) => this.#onStderr(chunk));
    this.#proc.on('exit', (code) => this.#waiting?.reject(new Error(`${command} -batch exited (${code})`)));
  }

  #onStderr(chunk: string): void {
    this.#stderr += chunk;
    const w = this.#waiting;
    if (!w) return;
    const at = this.#stderr.indexOf(`"${w.marker}"`);
    if (at < 0) return;
    const us = nowUs() - w.t0;
    // Everything before the marker's own error belongs to the sample's commands. ip follows
    // each error with "Command failed -:LINE", which may come in a later chunk: not counted.
    const before = this.#stderr
      .slice(0, at)
      .replace(this.#tool.before, '')
      .split('\n')
      .filter((l) => !/^Command failed -:\d+$/.test(l.trim()))
      .join('\n');
    this.#stderr = '';
    this.#waiting = undefined;
    if (before.trim() !== '') w.reject(new Error(`-batch: ${before.trim()}`));
    else w.resolve(us);
  }

  /** Sends the lines; resolves with the µs until ip has run them all. */
  run(lines: string[]): Promise<number> {
    const marker = `nbmark${(this.#marks++ % 100000).toString()}`;
    return new Promise((resolve, reject) => {
      this.#waiting = { marker, resolve, reject, t0: nowUs() };
      this.#proc.stdin.write(`${lines.join('\n')}\n${this.#tool.marker(marker)}\n`);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#proc.once('exit', () => resolve());
      this.#proc.stdin.end();
    });
  }
}

export interface Stats {
  /** Median µs per operation over the samples. */
  medianUs: number;
  p25Us: number;
  p75Us: number;
  /** (p75 - p25) / median, in percent. */
  spreadPct: number;
  samples: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

export function stats(perOpUs: number[]): Stats {
  const s = [...perOpUs].sort((a, b) => a - b);
  const medianUs = quantile(s, 0.5);
  const p25Us = quantile(s, 0.25);
  const p75Us = quantile(s, 0.75);
  return { medianUs, p25Us, p75Us, spreadPct: ((p75Us - p25Us) / medianUs) * 100, samples: s.length };
}

/** One contender on one operation: runs `n` operations and returns the µs they took. */
export type Sampler = (n: number) => Promise<number>;

export interface Contender {
  sample: Sampler;
  /** Operations per sample. */
  n: number;
  /** Rounds for this contender (default: all); fewer for very slow ones. */
  rounds?: number;
  /** Operations in the uncounted warm-up sample (default n; 0 for none). */
  warmup?: number;
}

/**
 * Runs every contender for `rounds` rounds, one sample each per round, in an order that
 * rotates every round, so that drift in the machine's load hits them all alike. A first
 * round warms up and is not counted.
 */
export async function interleave<K extends string>(
  contenders: Partial<Record<K, Contender>>,
  rounds: number,
  onSample?: () => Promise<void>,
): Promise<Partial<Record<K, Stats>>> {
  const keys = (Object.keys(contenders) as K[]).filter((k) => contenders[k] !== undefined);
  const perOp = new Map<K, number[]>(keys.map((k) => [k, []]));
  for (const k of keys) {
    const c = contenders[k] as Contender;
    if ((c.warmup ?? c.n) > 0) await c.sample(c.warmup ?? c.n);
    await onSample?.();
  }
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(i + r) % keys.length] as K;
      const c = contenders[k] as Contender;
      if (r >= (c.rounds ?? rounds)) continue;
      const us = await c.sample(c.n);
      (perOp.get(k) as number[]).push(us / c.n);
      await onSample?.();
    }
  }
  const out: Partial<Record<K, Stats>> = {};
  for (const k of keys) out[k] = stats(perOp.get(k) as number[]);
  return out;
}

/** What the report says about the machine. Nothing secret: no hostnames, no addresses. */
export function describeMachine(compiler: string): Record<string, string> {
  const cpus = os.cpus();
  let ipVersion = 'unknown';
  try {
    ipVersion = execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim();
  } catch {
    // keep unknown
  }
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    nproc: String(cpus.length),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    iproute2: ipVersion,
    compiler,
    loadAverageAtStart: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}
