/**
 * `npm run bench [-- --quick] [--only=toggle,dump1000] [--write | --out=DIR]`
 *
 * netns-native against iproute2 and the kernel's floor, side by side in one run: every
 * operation by every method, interleaved. Runs inside the throwaway network + mount namespace
 * of scripts/isolated.sh and leaves nothing behind. Prints the report; writes the tracked
 * docs/benchmarks.{md,json,svg} only with --write (a whole run, not --only), or the same three
 * files into DIR with --out=DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Namespace } from '../lib/index';
import { setIoMode } from '../lib/internal/dispatch';
import { IpBatch, buildFloor, describeMachine, interleave, type Contender, type Stats } from './harness';
import { METHODS, OPERATIONS, type Ctx, type MethodId, type NnSampler } from './ops';
import { renderMarkdown, renderSvg, type Delay, type LoopDelay, type OpResult, type Results } from './report';

const root = findRoot();
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = args.includes('--write');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const outDir = args.find((a) => a.startsWith('--out='))?.slice('--out='.length);

function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('package root not found');
  }
}

function us(n: number): string {
  return n >= 10000 ? `${(n / 1000).toFixed(1)} ms` : `${n.toFixed(1)} µs`;
}

/** The namespace must hold only lo, and no named namespace may be left. */
async function checkClean(ns: Namespace, after: string): Promise<void> {
  const links = await ns.links();
  const named = await Namespace.list();
  if (links.length !== 1 || named.length !== 0) {
    throw new Error(
      `after ${after}: left behind links [${links.map((l) => l.name).join(', ')}], namespaces [${named.map((n) => n.name).join(', ')}]`,
    );
  }
}

/** The event-loop delay while `fn` runs, in µs (a timer checked every millisecond). */
async function loopDelay(fn: () => Promise<unknown>): Promise<Delay> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  try {
    await fn();
  } finally {
    h.disable();
  }
  return { max: h.max / 1000, p99: h.percentile(99) / 1000 };
}

function worse(a: Delay, b: Delay): Delay {
  return { max: Math.max(a.max, b.max), p99: Math.max(a.p99, b.p99) };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  if (process.env.NETNS_NATIVE_ISOLATED !== '1') {
    console.error('netns-native bench: run it through `npm run bench` (it needs the throwaway namespace).');
    process.exit(2);
  }
  const started = Date.now();
  const floorBuild = buildFloor(path.join(root, 'bench'));
  const machine = describeMachine(floorBuild.compiler);
  const ns = Namespace.current();
  const batch = new IpBatch();
  const bridgeBatch = new IpBatch('bridge');
  const ctx: Ctx = { ns, floorBin: floorBuild.bin, batch, bridgeBatch, quick };
  const results: OpResult[] = [];
  const extras: Record<string, Record<string, Stats>> = {};
  const loopDelays: LoopDelay[] = [];

  console.log(
    `netns-native bench${quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.nproc} CPUs, ${machine.kernel}, node ${machine.node}`,
  );
  try {
    // What an idle loop shows on this machine, for comparison.
    const idle = await loopDelay(async () => {
      for (let i = 0; i < 2000; i++) await turn();
    });
    loopDelays.push({ op: 'idle', label: 'idle event loop (no netns-native calls)', inline: idle, worker: idle });

    for (const op of OPERATIONS) {
      if (only && !only.includes(op.id)) continue;
      const t0 = Date.now();
      const prepared = await op.prepare(ctx);
      let stats: Partial<Record<MethodId, Stats>>;
      try {
        const rounds = quick ? Math.min(op.rounds, 3) : op.rounds;
        stats = await interleave<MethodId>(prepared.contenders, rounds);
        if (prepared.extra) {
          const extra = await prepared.extra();
          extras[op.id] = (await interleave<string>(extra, rounds)) as Record<string, Stats>;
        }
        // Event-loop delay: each netns-native call from its own turn of the loop, as a
        // service would make them; inline (the default) and forced through the worker.
        const none: Delay = { max: 0, p99: 0 };
        const delay: LoopDelay = { op: op.id, label: op.label, inline: none, worker: none };
        for (const mode of ['inline', 'worker'] as const) {
          setIoMode(mode);
          try {
            for (const entry of [prepared.loop?.nn, prepared.loop?.nnPar]) {
              if (!entry) continue;
              const [sampler, n]: [NnSampler, number] = entry;
              const seen = await loopDelay(() => sampler(quick ? Math.max(1, Math.ceil(n / 2)) : n, turn));
              delay[mode] = worse(delay[mode], seen);
            }
          } finally {
            setIoMode('inline');
          }
        }
        loopDelays.push(delay);
      } finally {
        await prepared.cleanup();
      }
      await checkClean(ns, op.label);
      results.push({
        id: op.id,
        label: op.label,
        what: op.what,
        stats,
        notes: prepared.notes ?? {},
        ...(prepared.labels && { labels: prepared.labels }),
      });
      const line = METHODS.filter((m) => stats[m])
        .map((m) => `${m} ${us((stats[m] as Stats).medianUs)}`)
        .join(', ');
      console.log(`  ${op.label}: ${line}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await batch.close();
    await bridgeBatch.close();
    fs.rmSync(floorBuild.dir, { recursive: true, force: true });
  }

  const out: Results = {
    generated: new Date().toISOString(),
    quick,
    seconds: Math.round((Date.now() - started) / 1000),
    machine,
    methods: Object.fromEntries(METHODS.map((m) => [m, m])) as Record<MethodId, string>,
    operations: results,
    extras,
    loopDelays,
  };
  const markdown = renderMarkdown(out);
  console.log(`\n${markdown.split('\n## Where the time goes')[0]}`);
  if (write && only && !outDir) console.log('not writing docs/: --write needs a whole run (no --only)');
  if ((write && !only) || outDir) {
    const docs = outDir ? path.resolve(outDir) : path.join(root, 'docs');
    fs.mkdirSync(docs, { recursive: true });
    fs.writeFileSync(path.join(docs, 'benchmarks.md'), markdown);
    fs.writeFileSync(path.join(docs, 'benchmarks.json'), `${JSON.stringify(out, null, 2)}\n`);
    fs.writeFileSync(path.join(docs, 'benchmarks.svg'), renderSvg(out));
    console.log(`wrote benchmarks.md, benchmarks.json, benchmarks.svg in ${docs}`);
  }
  console.log(`done in ${out.seconds} s`);
}

void (async () => {
  try {
    await main();
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  }
})();

export type { Contender };
