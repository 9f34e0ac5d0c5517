/**
 * The benchmark's operations, each done by every method: netns-native one call at a time,
 * netns-native with many calls in flight, `ip` spawned per operation, `ip -batch`, and the C
 * floor. Everything runs in the process's own (throwaway) namespace or in namespaces made
 * here, and each operation leaves the namespace as it found it.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bridge, Namespace, Network, VethPair, Vxlan, type Link } from '../lib/index';
import { kHandle } from '../lib/internal/symbols';
import { request, setCoalescing, setIoMode } from '../lib/internal/dispatch';
import { transact, transactAsync } from '../lib/native/wire';
import { AF_INET, IFF_UP, NLM_F_CREATE, NLM_F_EXCL, RT_SCOPE_LINK, RT_TABLE_MAIN } from '../lib/native/constants';
import type { NativeOp } from '../lib/native/surface';
import {
  execFileP,
  floor,
  hasNft,
  ipExec,
  nftExec,
  nowUs,
  timed,
  type Contender,
  type IpBatch,
  type Sampler,
} from './harness';

export const METHODS = ['nn', 'nnPar', 'exec', 'batch', 'floor', 'floorBatch'] as const;
export type MethodId = (typeof METHODS)[number];

export const METHOD_LABELS: Record<MethodId, string> = {
  nn: 'netns-native, one awaited call at a time',
  nnPar: 'netns-native, many calls in flight',
  exec: "await execFile('ip', ...) per operation",
  batch: 'ip -batch (one process for the run)',
  floor: 'C floor (raw rtnetlink, one request + ACK)',
  floorBatch: 'C batched floor (raw rtnetlink, 32 requests per sendmsg, all ACKs read)',
};

export const METHOD_SHORT: Record<MethodId, string> = {
  nn: 'netns-native',
  nnPar: 'netns-native in flight',
  exec: 'execFile ip',
  batch: 'ip -batch',
  floor: 'C floor',
  floorBatch: 'C batched floor',
};

export interface Ctx {
  ns: Namespace;
  floorBin: string;
  batch: IpBatch;
  /** `bridge -batch`, for fdb entries. */
  bridgeBatch: IpBatch;
  quick: boolean;
}

/** Between two operations while the event-loop delay is watched: a turn of the loop. */
export type Gap = (() => Promise<void>) | undefined;

/** A netns-native sampler that can leave the event loop a turn between operations. */
export type NnSampler = (n: number, gap?: Gap) => Promise<number>;

export interface Prepared {
  contenders: Partial<Record<MethodId, Contender>>;
  /** netns-native samplers, for the event-loop delay pass (small counts). */
  loop?: { nn?: [NnSampler, number]; nnPar?: [NnSampler, number] };
  /** Extra measurements for "Where the time goes". */
  extra?: () => Promise<Record<string, Contender>>;
  cleanup: () => Promise<void>;
  /** Why a method is missing from this operation. */
  notes?: Partial<Record<MethodId, string>>;
  /** What a method is called for this operation, when not the usual (the monitor's `ip monitor`). */
  labels?: Partial<Record<MethodId, string>>;
}

export interface OperationDef {
  id: string;
  label: string;
  /** What one operation is, for the table's footnotes. */
  what: string;
  rounds: number;
  prepare: (ctx: Ctx) => Promise<Prepared>;
}

let serial = 0;
/** A short unique suffix for names made in this run. */
function next(): string {
  serial = (serial + 1) % 100000;
  return serial.toString(36);
}

/** `count` veth pairs in ns, made concurrently; names `${prefix}${i}` and `${prefix}${i}p`. */
async function makePairs(ns: Namespace, prefix: string, count: number): Promise<VethPair[]> {
  const out: VethPair[] = [];
  for (let i = 0; i < count; i += 64) {
    const chunk = Array.from({ length: Math.min(64, count - i) }, (_, j) => i + j);
    out.push(
      ...(await Promise.all(
        chunk.map((k) => VethPair.create({ name: `${prefix}${k}`, peerName: `${prefix}${k}p`, namespace: ns })),
      )),
    );
  }
  return out;
}

async function dropPairs(ns: Namespace, pairs: VethPair[]): Promise<void> {
  await ns.deleteLinks(pairs.map((p) => p.local));
}

/** Runs `n` operations, `width` at a time. */
async function inFlight(n: number, width: number, op: (i: number) => Promise<unknown>, gap?: Gap): Promise<number> {
  const t0 = nowUs();
  for (let done = 0; done < n; done += width) {
    const k = Math.min(width, n - done);
    await Promise.all(Array.from({ length: k }, (_, j) => op(done + j)));
    if (gap) await gap();
  }
  return nowUs() - t0;
}

async function serialRun(n: number, op: (i: number) => Promise<unknown>, gap?: Gap): Promise<number> {
  const t0 = nowUs();
  for (let i = 0; i < n; i++) {
    await op(i);
    if (gap) await gap();
  }
  return nowUs() - t0;
}

async function execRun(n: number, argv: (i: number) => string[][]): Promise<number> {
  return serialRun(n, async (i) => {
    for (const args of argv(i)) await ipExec(args);
  });
}

function batchRun(ctx: Ctx, lines: (i: number) => string[]): Sampler {
  return (n) => ctx.batch.run(Array.from({ length: n }, (_, i) => lines(i)).flat());
}

const WIDTH = 32;

/**
 * The C batched floor: what `WIDTH` calls in flight send, from C: rounds of one sendmsg of a
 * request per link (or per route), all ACKs read, then the reverse the same way (see floor.c).
 * `perRound` is how many of the row's operations one round is.
 */
function floorBatch(ctx: Ctx, op: string, indexes: number[], perRound: number): Sampler {
  return async (n) => {
    const rounds = Math.max(1, Math.round(n / perRound));
    const us = await floor(ctx.floorBin, op, rounds, ...indexes);
    return (us / (rounds * perRound)) * n;
  };
}

// --- cheap operations on links -----------------------------------------------------------------

const toggle: OperationDef = {
  id: 'toggle',
  label: 'link up/down toggle',
  what: 'one `up` or `down` of a veth end (they alternate)',
  rounds: 9,
  async prepare(ctx) {
    const pairs = await makePairs(ctx.ns, `nbt${next()}x`, WIDTH);
    const links = pairs.map((p) => p.local);
    const l = links[0] as Link;
    const flip = (x: Link, i: number) => (i % 2 === 0 ? x.up() : x.down());
    const nn: NnSampler = (n, gap) => serialRun(n, (i) => flip(l, i), gap);
    const nnPar: NnSampler = (n, gap) =>
      inFlight(n * WIDTH, WIDTH, (i) => flip(links[i % WIDTH] as Link, Math.floor(i / WIDTH)), gap).then(
        (us) => us / WIDTH,
      );
    const even = (n: number) => n + (n % 2);
    const handle = await ctx.ns[kHandle]('bench');
    const upDown = (i: number): NativeOp => ({
      op: 'newlink',
      link: { index: l.index, flags: i % 2 === 0 ? IFF_UP : 0, change: IFF_UP },
    });
    const mode =
      (m: 'inline' | 'worker', coalesce: boolean, s: NnSampler): Sampler =>
      async (n) => {
        setIoMode(m);
        setCoalescing(coalesce);
        try {
          return await s(n);
        } finally {
          setIoMode('inline');
          setCoalescing(true);
        }
      };
    return {
      contenders: {
        nn: { sample: nn, n: even(ctx.quick ? 200 : 400) },
        nnPar: { sample: nnPar, n: ctx.quick ? 8 : 16 },
        exec: {
          sample: (n) => execRun(n, (i) => [['link', 'set', 'dev', l.name, i % 2 === 0 ? 'up' : 'down']]),
          n: ctx.quick ? 6 : 10,
        },
        batch: { sample: batchRun(ctx, (i) => [`link set dev ${l.name} ${i % 2 === 0 ? 'up' : 'down'}`]), n: 400 },
        floor: { sample: (n) => floor(ctx.floorBin, 'toggle', n, l.index), n: 400 },
        floorBatch: {
          sample: floorBatch(
            ctx,
            'batch-toggle',
            links.map((x) => x.index),
            2 * WIDTH,
          ),
          n: 32 * WIDTH,
        },
      },
      loop: { nn: [nn, 100], nnPar: [nnPar, 4] },
      extra: async () => ({
        'C floor: netlink round trip that does nothing (NLMSG_NOOP)': {
          sample: (n) => floor(ctx.floorBin, 'noop', n),
          n: 2000,
        },
        'C floor: link toggle': { sample: (n) => floor(ctx.floorBin, 'toggle', n, l.index), n: 400 },
        // A request the kernel does almost nothing for: what is left is the cost of a call.
        'same MTU: C floor': { sample: (n) => floor(ctx.floorBin, 'mtu', n, l.index, l.mtu), n: 2000 },
        'same MTU: transact() from JS, synchronous': {
          sample: async (n) => {
            const t0 = nowUs();
            for (let i = 0; i < n; i++) transact(handle, [{ op: 'newlink', link: { index: l.index, mtu: l.mtu } }]);
            return nowUs() - t0;
          },
          n: 2000,
        },
        'same MTU: await link.setMtu()': { sample: (n) => serialRun(n, () => l.setMtu(l.mtu)), n: 2000 },
        'transact() from JS, synchronous': {
          sample: async (n) => {
            const t0 = nowUs();
            for (let i = 0; i < n; i++) transact(handle, [upDown(i)]);
            return nowUs() - t0;
          },
          n: 400,
        },
        'await transactAsync() (worker thread)': {
          sample: (n) => serialRun(n, (i) => transactAsync(handle, [upDown(i)])),
          n: 400,
        },
        'link.up()/down(), inline (the default)': { sample: mode('inline', true, nn), n: 400 },
        'link.up()/down(), inline, coalescing off': { sample: mode('inline', false, nn), n: 400 },
        'link.up()/down(), forced through the worker': { sample: mode('worker', true, nn), n: 400 },
        '32 in flight, inline + coalesced (the default)': { sample: mode('inline', true, nnPar), n: 16 },
        '32 in flight, inline, coalescing off': { sample: mode('inline', false, nnPar), n: 16 },
        '32 in flight, worker + coalesced': { sample: mode('worker', true, nnPar), n: 16 },
        '32 in flight, worker, coalescing off': { sample: mode('worker', false, nnPar), n: 16 },
      }),
      cleanup: () => dropPairs(ctx.ns, pairs),
    };
  },
};

const address: OperationDef = {
  id: 'address',
  label: 'IPv4 address add + delete',
  what: '`addAddress` then `deleteAddress` of one /24 on a veth end',
  rounds: 9,
  async prepare(ctx) {
    const pairs = await makePairs(ctx.ns, `nba${next()}x`, WIDTH);
    const links = pairs.map((p) => p.local);
    const l = links[0] as Link;
    const cidr = (k: number) => `198.18.${100 + k}.1/24`;
    const both = async (x: Link, c: string) => {
      await x.addAddress(c);
      await x.deleteAddress(c);
    };
    const nn: NnSampler = (n, gap) => serialRun(n, () => both(l, cidr(0)), gap);
    const nnPar: NnSampler = (n, gap) =>
      inFlight(n * WIDTH, WIDTH, (i) => both(links[i % WIDTH] as Link, cidr(i % WIDTH)), gap).then((us) => us / WIDTH);
    return {
      contenders: {
        nn: { sample: nn, n: ctx.quick ? 100 : 200 },
        nnPar: { sample: nnPar, n: ctx.quick ? 4 : 8 },
        exec: {
          sample: (n) =>
            execRun(n, () => [
              ['addr', 'add', cidr(0), 'dev', l.name],
              ['addr', 'del', cidr(0), 'dev', l.name],
            ]),
          n: ctx.quick ? 3 : 5,
        },
        batch: {
          sample: batchRun(ctx, () => [`addr add ${cidr(0)} dev ${l.name}`, `addr del ${cidr(0)} dev ${l.name}`]),
          n: 200,
        },
        floor: { sample: (n) => floor(ctx.floorBin, 'addr', n, l.index), n: 200 },
        floorBatch: {
          sample: floorBatch(
            ctx,
            'batch-addr',
            links.map((x) => x.index),
            WIDTH,
          ),
          n: 16 * WIDTH,
        },
      },
      loop: { nn: [nn, 50], nnPar: [nnPar, 2] },
      cleanup: () => dropPairs(ctx.ns, pairs),
    };
  },
};

const neighbour: OperationDef = {
  id: 'neigh',
  label: 'neighbour add + delete',
  what: '`addNeighbour` then `deleteNeighbour` of a permanent IPv4 entry on a veth end (`ip neigh add|del`)',
  rounds: 9,
  async prepare(ctx) {
    const pairs = await makePairs(ctx.ns, `nbn${next()}x`, WIDTH);
    const links = pairs.map((p) => p.local);
    const l = links[0] as Link;
    const ip = (k: number) => `198.18.${150 + k}.9`;
    const both = async (x: Link, address: string) => {
      await ctx.ns.addNeighbour({ link: x, address, mac: '02:00:00:00:00:09' });
      await ctx.ns.deleteNeighbour({ link: x, address });
    };
    const nn: NnSampler = (n, gap) => serialRun(n, () => both(l, ip(0)), gap);
    const nnPar: NnSampler = (n, gap) =>
      inFlight(n * WIDTH, WIDTH, (i) => both(links[i % WIDTH] as Link, ip(i % WIDTH)), gap).then((us) => us / WIDTH);
    const add = `neigh add ${ip(0)} lladdr 02:00:00:00:00:09 dev ${l.name} nud permanent`;
    const del = `neigh del ${ip(0)} dev ${l.name}`;
    return {
      contenders: {
        nn: { sample: nn, n: ctx.quick ? 100 : 200 },
        nnPar: { sample: nnPar, n: ctx.quick ? 4 : 8 },
        exec: { sample: (n) => execRun(n, () => [add.split(' '), del.split(' ')]), n: ctx.quick ? 3 : 5 },
        batch: { sample: batchRun(ctx, () => [add, del]), n: 200 },
        floor: { sample: (n) => floor(ctx.floorBin, 'neigh', n, l.index), n: 200 },
      },
      loop: { nn: [nn, 50], nnPar: [nnPar, 2] },
      cleanup: () => dropPairs(ctx.ns, pairs),
    };
  },
};

const fdbEntry: OperationDef = {
  id: 'fdb',
  label: 'fdb append + delete (VXLAN)',
  what: '`vx.addFdb` then `vx.deleteFdb` of a destination of the all-zeros entry of a VXLAN device (`bridge fdb append|del`)',
  rounds: 9,
  async prepare(ctx) {
    const vx = await Vxlan.create(`nbvx${next()}`, { vni: 4000 + serial, port: 4789, namespace: ctx.ns });
    const zeros = '00:00:00:00:00:00';
    const dst = (k: number) => `198.18.${200 + (k >> 8)}.${k & 0xff}`;
    const both = async (destination: string) => {
      await vx.addFdb({ mac: zeros, destination });
      await vx.deleteFdb({ mac: zeros, destination });
    };
    const nn: NnSampler = (n, gap) => serialRun(n, () => both(dst(1)), gap);
    const nnPar: NnSampler = (n, gap) =>
      inFlight(n * WIDTH, WIDTH, (i) => both(dst(1 + (i % WIDTH))), gap).then((us) => us / WIDTH);
    const add = `fdb append ${zeros} dev ${vx.name} dst ${dst(1)}`;
    const del = `fdb del ${zeros} dev ${vx.name} dst ${dst(1)}`;
    const bridgeExec = async (n: number) =>
      serialRun(n, async () => {
        for (const line of [add, del]) await execFileP('bridge', line.split(' '));
      });
    return {
      contenders: {
        nn: { sample: nn, n: ctx.quick ? 100 : 200 },
        nnPar: { sample: nnPar, n: ctx.quick ? 4 : 8 },
        exec: { sample: bridgeExec, n: ctx.quick ? 3 : 5 },
        batch: { sample: (n) => ctx.bridgeBatch.run(Array.from({ length: n }, () => [add, del]).flat()), n: 200 },
        floor: { sample: (n) => floor(ctx.floorBin, 'fdb', n, vx.index), n: 200 },
      },
      loop: { nn: [nn, 50], nnPar: [nnPar, 2] },
      notes: {},
      cleanup: () => ctx.ns.deleteLinks([vx]),
    };
  },
};

const master: OperationDef = {
  id: 'master',
  label: 'set master / nomaster',
  what: '`setMaster(bridge)` then `noMaster()` of a veth end',
  rounds: 9,
  async prepare(ctx) {
    const pairs = await makePairs(ctx.ns, `nbm${next()}x`, WIDTH);
    const br = await Bridge.create(`nbbr${next()}`, { namespace: ctx.ns });
    const ports = pairs.map((p) => p.local);
    const l = ports[0] as Link;
    const both = async (x: Link) => {
      await x.setMaster(br);
      await x.noMaster();
    };
    const nn: NnSampler = (n, gap) => serialRun(n, () => both(l), gap);
    const nnPar: NnSampler = (n, gap) =>
      inFlight(n * WIDTH, WIDTH, (i) => both(ports[i % WIDTH] as Link), gap).then((us) => us / WIDTH);
    return {
      contenders: {
        nn: { sample: nn, n: ctx.quick ? 30 : 60 },
        nnPar: { sample: nnPar, n: ctx.quick ? 1 : 2 },
        exec: {
          sample: (n) =>
            execRun(n, () => [
              ['link', 'set', 'dev', l.name, 'master', br.name],
              ['link', 'set', 'dev', l.name, 'nomaster'],
            ]),
          n: ctx.quick ? 3 : 5,
        },
        batch: {
          sample: batchRun(ctx, () => [`link set dev ${l.name} master ${br.name}`, `link set dev ${l.name} nomaster`]),
          n: 60,
        },
        floor: { sample: (n) => floor(ctx.floorBin, 'master', n, l.index, br.index), n: 60 },
      },
      loop: { nn: [nn, 20], nnPar: [nnPar, 1] },
      cleanup: () => ctx.ns.deleteLinks([...ports, br]),
    };
  },
};

const route: OperationDef = {
  id: 'route',
  label: 'route add + delete',
  what: '`addRoute` then `deleteRoute` of a /24 device route',
  rounds: 9,
  async prepare(ctx) {
    const pairs = await makePairs(ctx.ns, `nbr${next()}x`, 1);
    const l = (pairs[0] as VethPair).local;
    await l.up(); // a device route needs its device up
    const spec = (k: number) => ({ destination: `198.19.${k}.0/24`, link: l });
    const both = async (k: number) => {
      await ctx.ns.addRoute(spec(k));
      await ctx.ns.deleteRoute(spec(k));
    };
    const nn: NnSampler = (n, gap) => serialRun(n, () => both(0), gap);
    const nnPar: NnSampler = (n, gap) =>
      inFlight(n * WIDTH, WIDTH, (i) => both(i % WIDTH), gap).then((us) => us / WIDTH);
    return {
      contenders: {
        nn: { sample: nn, n: ctx.quick ? 100 : 200 },
        nnPar: { sample: nnPar, n: ctx.quick ? 4 : 8 },
        exec: {
          sample: (n) =>
            execRun(n, () => [
              ['route', 'add', '198.19.0.0/24', 'dev', l.name],
              ['route', 'del', '198.19.0.0/24', 'dev', l.name],
            ]),
          n: ctx.quick ? 3 : 5,
        },
        batch: {
          sample: batchRun(ctx, () => [
            `route add 198.19.0.0/24 dev ${l.name}`,
            `route del 198.19.0.0/24 dev ${l.name}`,
          ]),
          n: 200,
        },
        floor: { sample: (n) => floor(ctx.floorBin, 'route', n, l.index), n: 200 },
        floorBatch: {
          sample: floorBatch(ctx, 'batch-route', Array<number>(WIDTH).fill(l.index), WIDTH),
          n: 16 * WIDTH,
        },
      },
      loop: { nn: [nn, 50], nnPar: [nnPar, 2] },
      // The same add + delete, layer by layer: where a call's time goes above the kernel's.
      extra: async () => {
        const handle = await ctx.ns[kHandle]('bench');
        const route = {
          family: AF_INET,
          dstLen: 24,
          table: RT_TABLE_MAIN,
          scope: RT_SCOPE_LINK,
          dst: '198.19.0.0',
          oif: l.index,
        };
        // What ns.addRoute sends for this spec (protocol boot, type unicast).
        const add: NativeOp = {
          op: 'newroute',
          flags: NLM_F_CREATE | NLM_F_EXCL,
          route: { ...route, protocol: 3, type: 1 },
        };
        const del: NativeOp = { op: 'delroute', route };
        const n = ctx.quick ? 1000 : 2000;
        return {
          'C floor: route add + delete': { sample: (k) => floor(ctx.floorBin, 'route', k, l.index), n },
          'transact() from JS, synchronous': {
            sample: async (k) => {
              const t0 = nowUs();
              for (let i = 0; i < k; i++) {
                transact(handle, [add]);
                transact(handle, [del]);
              }
              return nowUs() - t0;
            },
            n,
          },
          'await request() (the FIFO and one promise, no method)': {
            sample: (k) =>
              serialRun(k, async () => {
                await request(handle, add, 'bench', 'route');
                await request(handle, del, 'bench', 'route');
              }),
            n,
          },
          'await ns.addRoute() + deleteRoute()': { sample: (k) => serialRun(k, () => both(0)), n },
        };
      },
      cleanup: () => dropPairs(ctx.ns, pairs),
    };
  },
};

// --- namespaces ------------------------------------------------------------------------------

const netns: OperationDef = {
  id: 'netns',
  label: 'named namespace create + delete',
  what: '`Namespace.create(name)` then `delete()` (`ip netns add` + `ip netns del`)',
  rounds: 7,
  async prepare(ctx) {
    const one = async () => {
      const x = await Namespace.create(`nbn-${next()}`);
      await x.delete();
    };
    const nn: NnSampler = (n, gap) => serialRun(n, one, gap);
    const nnPar: NnSampler = (n, gap) => inFlight(n, 16, one, gap);
    return {
      contenders: {
        nn: { sample: nn, n: ctx.quick ? 10 : 20 },
        nnPar: { sample: nnPar, n: 16 },
        exec: {
          sample: (n) =>
            serialRun(n, async () => {
              const name = `nbn-${next()}`;
              await ipExec(['netns', 'add', name]);
              await ipExec(['netns', 'del', name]);
            }),
          n: ctx.quick ? 3 : 5,
        },
        batch: {
          sample: (n) =>
            ctx.batch.run(
              Array.from({ length: n }, () => `nbn-${next()}`).flatMap((x) => [`netns add ${x}`, `netns del ${x}`]),
            ),
          n: ctx.quick ? 10 : 20,
        },
        floor: { sample: (n) => floor(ctx.floorBin, 'netns', n, `nbn-f${next()}-`), n: ctx.quick ? 10 : 20 },
      },
      loop: { nn: [nn, 10], nnPar: [nnPar, 16] },
      cleanup: async () => undefined,
    };
  },
};

// --- dumps -----------------------------------------------------------------------------------

function dump(total: number): OperationDef {
  return {
    id: `dump${total}`,
    label: `dump all links, ${total.toLocaleString('en-US')} present`,
    what: `\`ns.links()\` (Link objects) / \`ip -json link show\` + JSON.parse / \`ip link show\` with ${total} links`,
    rounds: total >= 1000 ? 7 : 9,
    async prepare(ctx) {
      // lo + the pairs + one bridge = total
      const pairs = await makePairs(ctx.ns, `nbd${next()}x`, (total - 2) / 2);
      const br = await Bridge.create(`nbdbr${next()}`, { namespace: ctx.ns });
      const seen = (await ctx.ns.links()).length;
      if (seen !== total) throw new Error(`expected ${total} links, found ${seen}`);
      const nn: NnSampler = (n, gap) => serialRun(n, () => ctx.ns.links(), gap);
      const nnPar: NnSampler = (n, gap) => inFlight(n * 16, 16, () => ctx.ns.links(), gap).then((us) => us / 16);
      const per = Math.max(1, Math.round(400 / total));
      const handle = await ctx.ns[kHandle]('bench');
      return {
        contenders: {
          nn: { sample: nn, n: per * 10 },
          nnPar: { sample: nnPar, n: Math.max(1, per) },
          exec: {
            sample: (n) => serialRun(n, async () => JSON.parse(await ipExec(['-json', 'link', 'show']))),
            n: ctx.quick ? 3 : 5,
          },
          batch: { sample: batchRun(ctx, () => ['link show']), n: per * 10 },
          floor: { sample: (n) => floor(ctx.floorBin, 'dump', n), n: per * 10 },
        },
        loop: { nn: [nn, per * 5], nnPar: [nnPar, 1] },
        extra:
          total === 1000
            ? async () => ({
                'C floor: the dump, messages counted, not parsed': {
                  sample: (n) => floor(ctx.floorBin, 'dump', n),
                  n: 10,
                },
                'transact() dump: parse + plain objects, JS thread': {
                  sample: async (n) => {
                    const t0 = nowUs();
                    for (let i = 0; i < n; i++) transact(handle, [{ op: 'dumplinks' }]);
                    return nowUs() - t0;
                  },
                  n: 10,
                },
                'await transactAsync() dump: parse on a worker, objects on the JS thread': {
                  sample: (n) => serialRun(n, () => transactAsync(handle, [{ op: 'dumplinks' }])),
                  n: 10,
                },
                'ns.links(): the above + Link objects': { sample: nn, n: 10 },
              })
            : undefined,
        cleanup: () => ctx.ns.deleteLinks([...pairs.map((p) => p.local), br]),
      };
    },
  };
}

// --- veth pairs and deletes ------------------------------------------------------------------

const veth: OperationDef = {
  id: 'veth',
  label: 'veth pair create + delete',
  what: '`VethPair.create()` then `delete()` (the delete waits on RCU in the kernel)',
  rounds: 5,
  async prepare(ctx) {
    const one = async () => {
      const name = `nbv${next()}`;
      const p = await VethPair.create({ name, peerName: `${name}p`, namespace: ctx.ns });
      await p.delete();
    };
    const nn: NnSampler = (n, gap) => serialRun(n, one, gap);
    const nnPar: NnSampler = (n, gap) => inFlight(n, 16, one, gap);
    return {
      contenders: {
        nn: { sample: nn, n: 2 },
        nnPar: { sample: nnPar, n: 16, warmup: 0 },
        exec: {
          sample: (n) =>
            serialRun(n, async () => {
              const name = `nbv${next()}`;
              await ipExec(['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
              await ipExec(['link', 'del', name]);
            }),
          n: 2,
        },
        batch: {
          sample: (n) =>
            ctx.batch.run(
              Array.from({ length: n }, () => `nbv${next()}`).flatMap((x) => [
                `link add ${x} type veth peer name ${x}p`,
                `link del ${x}`,
              ]),
            ),
          n: 2,
        },
        floor: { sample: (n) => floor(ctx.floorBin, 'veth', n, `nbv${next()}f`), n: 2 },
      },
      loop: { nn: [nn, 2], nnPar: [nnPar, 8] },
      cleanup: async () => undefined,
    };
  },
};

function deletes(count: number): OperationDef {
  return {
    id: `delete${count}`,
    label: `delete ${count} veth pair${count === 1 ? '' : 's'}`,
    what:
      count === 1
        ? '`pair.delete()` / `ip link del` of one pair (made beforehand, not timed)'
        : `netns-native: \`ns.deleteLinks()\` (one RCU wait); in flight: ${count} \`pair.delete()\` at once; ip: \`ip link del\` per pair (made beforehand, not timed)`,
    rounds: count === 1 ? 7 : 5,
    async prepare(ctx) {
      const made = async () => makePairs(ctx.ns, `nbx${next()}x`, count);
      const nn: NnSampler = async (n) => {
        let us = 0;
        for (let i = 0; i < n; i++) {
          const pairs = await made();
          us += await timed(() => (count === 1 ? (pairs[0] as VethPair).delete() : dropPairs(ctx.ns, pairs)));
        }
        return us;
      };
      const nnPar: NnSampler = async (n) => {
        let us = 0;
        for (let i = 0; i < n; i++) {
          const pairs = await made();
          us += await timed(() => Promise.all(pairs.map((p) => p.delete())));
        }
        return us;
      };
      const viaIp = async (n: number, run: (names: string[]) => Promise<number>) => {
        let us = 0;
        for (let i = 0; i < n; i++) us += await run((await made()).map((p) => p.local.name));
        return us;
      };
      const slowRounds = ctx.quick ? 1 : 3;
      return {
        contenders: {
          nn: { sample: nn, n: 1 },
          ...(count > 1 && { nnPar: { sample: nnPar, n: 1 } }),
          exec: {
            sample: (n) =>
              viaIp(n, (names) =>
                timed(async () => {
                  for (const x of names) await ipExec(['link', 'del', x]);
                }),
              ),
            n: 1,
            ...(count > 1 && { rounds: slowRounds, warmup: 0 }),
          },
          batch: {
            sample: (n) => viaIp(n, (names) => ctx.batch.run(names.map((x) => `link del ${x}`))),
            n: 1,
            ...(count > 1 && { rounds: slowRounds, warmup: 0 }),
          },
          floor: { sample: (n) => floor(ctx.floorBin, 'delete', n, `nbx${next()}f`, count), n: 1 },
        },
        loop: { nn: [nn, 1], ...(count > 1 && { nnPar: [nnPar, 1] as [NnSampler, number] }) },
        notes: count === 1 ? { nnPar: 'one link: nothing to put in flight' } : {},
        cleanup: async () => undefined,
      };
    },
  };
}

// --- the two-namespace walkthrough ------------------------------------------------------------

/** create, move, address, up, delete: the walkthrough done literally. */
async function literal(k: string): Promise<void> {
  const a = await Namespace.create(`nbw-a${k}`);
  const b = await Namespace.create(`nbw-b${k}`);
  const pair = await VethPair.create({ name: `nbwa${k}`, peerName: `nbwb${k}` });
  const la = await pair.local.moveTo(a);
  const lb = await pair.peer.moveTo(b);
  await la.addAddress('198.18.0.1/24');
  await lb.addAddress('198.18.0.2/24');
  await la.up();
  await lb.up();
  await la.delete();
  await a.delete();
  await b.delete();
}

/** Each end created in its namespace; teardown by deleting the namespaces. */
async function idiomatic(k: string): Promise<void> {
  const a = await Namespace.create(`nbw-a${k}`);
  const b = await Namespace.create(`nbw-b${k}`);
  const pair = await VethPair.create({ name: `nbwa${k}`, peerName: `nbwb${k}`, namespace: a, peerNamespace: b });
  await pair.local.addAddress('198.18.0.1/24');
  await pair.peer.addAddress('198.18.0.2/24');
  await pair.local.up();
  await pair.peer.up();
  await a.delete();
  await b.delete();
}

function execWalk(k: string, literally: boolean): string[][] {
  const [na, nb, va, vb] = [`nbw-a${k}`, `nbw-b${k}`, `nbwa${k}`, `nbwb${k}`];
  return [
    ['netns', 'add', na],
    ['netns', 'add', nb],
    ...(literally
      ? [
          ['link', 'add', va, 'type', 'veth', 'peer', 'name', vb],
          ['link', 'set', va, 'netns', na],
          ['link', 'set', vb, 'netns', nb],
        ]
      : [['link', 'add', va, 'netns', na, 'type', 'veth', 'peer', 'name', vb, 'netns', nb]]),
    ['-n', na, 'addr', 'add', '198.18.0.1/24', 'dev', va],
    ['-n', nb, 'addr', 'add', '198.18.0.2/24', 'dev', vb],
    ['-n', na, 'link', 'set', va, 'up'],
    ['-n', nb, 'link', 'set', vb, 'up'],
    ...(literally ? [['-n', na, 'link', 'del', va]] : []),
    ['netns', 'del', na],
    ['netns', 'del', nb],
  ];
}

function walkthrough(literally: boolean): OperationDef {
  const run = literally ? literal : idiomatic;
  return {
    id: literally ? 'walkLiteral' : 'walkIdiomatic',
    label: `two-namespace walkthrough, ${literally ? 'literal' : 'idiomatic'}`,
    what: literally
      ? 'two namespaces, a veth made here, each end moved, addressed, up; then the veth and both namespaces deleted'
      : 'two namespaces, each veth end created in its namespace, addressed, up; teardown by deleting the namespaces',
    rounds: literally ? 5 : 7,
    async prepare(ctx) {
      const nn: NnSampler = (n, gap) => serialRun(n, () => run(next()), gap);
      const width = literally ? 4 : 8;
      const nnPar: NnSampler = (n, gap) => inFlight(n, width, () => run(next()), gap);
      return {
        contenders: {
          nn: { sample: nn, n: literally ? 1 : 4 },
          nnPar: { sample: nnPar, n: width, warmup: literally ? 0 : width },
          exec: {
            sample: (n) =>
              serialRun(n, async () => {
                for (const args of execWalk(next(), literally)) await ipExec(args);
              }),
            n: 1,
          },
          floor: {
            sample: (n) => floor(ctx.floorBin, literally ? 'walk-literal' : 'walk-idiomatic', n, `nbw${next()}`),
            n: literally ? 1 : 4,
          },
        },
        loop: { nn: [nn, literally ? 1 : 3], nnPar: [nnPar, width] },
        notes: { batch: 'n/a: a batch line cannot switch namespace (`ip -n` is per process)' },
        cleanup: async () => undefined,
      };
    },
  };
}

// --- Docker-style networks ---------------------------------------------------------------------

const NETWORK_WIDTH = 8;

/**
 * `net.connect(ns)` (+ `net.disconnect(ns)`) of one namespace to a network that already has a
 * member (so there are hosts files to rewrite), beside the same kernel steps through `ip`:
 * which take no lock, write no state and give no names.
 */
function network(connectOnly: boolean): OperationDef {
  return {
    id: connectOnly ? 'netConnect' : 'network',
    label: connectOnly ? 'network connect (one namespace)' : 'network connect + disconnect',
    what: connectOnly
      ? '`net.connect(ns)` alone (the disconnect between samples is not timed): veth with the peer born in the namespace, attached and up, address, lo up, default route, state written under the lock, hosts files; ip: the same kernel steps (6 commands), no state, no names'
      : '`net.connect(ns)` then `net.disconnect(ns)` (the delete waits on RCU in the kernel); ip: the same kernel steps (6 commands + `ip link del`)',
    rounds: 7,
    async prepare(ctx) {
      Network.addressPools = [{ base: '198.18.0.0/15', size: 24 }];
      const k = next();
      const net = await Network.create(`nb-net-${k}`, { subnet: '198.19.240.0/24' });
      const spaces = await Promise.all(
        Array.from({ length: NETWORK_WIDTH + 2 }, (_, i) => Namespace.create(`nbnet${k}-${i}`)),
      );
      const [anchor, one, viaIp, ...many] = spaces as [Namespace, Namespace, Namespace, ...Namespace[]];
      await net.connect(anchor);
      const both = async (ns: Namespace) => {
        await net.connect(ns);
        await net.disconnect(ns);
      };
      const nn: NnSampler = connectOnly
        ? async (n, gap) => {
            let us = 0;
            for (let i = 0; i < n; i++) {
              us += await timed(() => net.connect(one));
              await net.disconnect(one);
              if (gap) await gap();
            }
            return us;
          }
        : (n, gap) => serialRun(n, () => both(one), gap);
      const nnPar: NnSampler = async (n, gap) => {
        let us = 0;
        for (let i = 0; i < n; i++) {
          us += await timed(() => Promise.all(many.map((ns) => net.connect(ns))));
          const down = Promise.all(many.map((ns) => net.disconnect(ns)));
          if (connectOnly) await down;
          else us += await timed(() => down);
          if (gap) await gap();
        }
        return us / many.length;
      };
      const name = viaIp.name as string;
      const veth = `nbv${k}`;
      const ipConnect = [
        ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name],
        ['link', 'set', veth, 'master', net.bridgeName, 'up'],
        ['-n', name, 'addr', 'add', '198.19.240.200/24', 'dev', 'eth0'],
        ['-n', name, 'link', 'set', 'eth0', 'up'],
        ['-n', name, 'link', 'set', 'lo', 'up'],
        ['-n', name, 'route', 'add', 'default', 'via', net.gateway],
      ];
      const ipDisconnect = [['link', 'del', veth]];
      const exec: Sampler = async (n) => {
        let us = 0;
        for (let i = 0; i < n; i++) {
          us += await timed(async () => {
            for (const args of ipConnect) await ipExec(args);
            if (!connectOnly) for (const args of ipDisconnect) await ipExec(args);
          });
          if (connectOnly) for (const args of ipDisconnect) await ipExec(args);
        }
        return us;
      };
      return {
        contenders: {
          nn: { sample: nn, n: ctx.quick ? 5 : 10 },
          nnPar: { sample: nnPar, n: 1 },
          exec: { sample: exec, n: ctx.quick ? 1 : 2 },
        },
        loop: { nn: [nn, 5], nnPar: [nnPar, 1] },
        notes: {
          batch: 'n/a: a batch line cannot switch namespace (`ip -n` is per process)',
          floor: 'n/a: no C floor for a whole connect (many requests in two namespaces, state, names)',
        },
        cleanup: async () => {
          await net.remove({ force: true });
          for (const ns of spaces) await ns.delete();
        },
      };
    },
  };
}

/**
 * `net.publish()` + `port.unpublish()` of one TCP port (one element added to the network's
 * publication map, then deleted by its key, each change one nf_tables batch made against the
 * ruleset's generation), beside the same change through the `nft` command (`nft create element`,
 * `nft delete element`: one process each) and the C floor (the same two batches from a C loop).
 * The maps and the rules that look them up are made once, before the timing, as a network's
 * creation makes them.
 */
const publish: OperationDef = {
  id: 'publish',
  label: 'port publish + unpublish (nftables)',
  what: "`net.publish(ns, { hostPort, containerPort })` then `port.unpublish()`: one element (`tcp . PORT : MEMBER . 80`) added with NLM_F_EXCL to the network's map in one nf_tables batch, deleted by its key in another; nft: the same through `nft create element` and `nft delete element` (one process each), on a table with the same maps and lookup rules",
  rounds: 7,
  async prepare(ctx) {
    Network.addressPools = [{ base: '198.18.0.0/15', size: 24 }];
    const k = next();
    const net = await Network.create(`nb-pub-${k}`, { subnet: '198.19.241.0/24' });
    const member = await Namespace.create(`nbpub${k}`);
    const ep = await net.connect(member);
    const address = ep.address.split('/')[0] as string;
    const nn: NnSampler = (n, gap) =>
      serialRun(
        n,
        async () => {
          const port = await net.publish(member, { hostPort: 18080, containerPort: 80 });
          await port.unpublish();
        },
        gap,
      );
    const br = net.bridgeName;
    const table = `nbnft${k}`;
    const withNft = hasNft();
    if (withNft) {
      const dnat = (map: string, key: string) => `dnat ip to ${key} map @${map}`;
      await nftExec([
        [
          `add table ip ${table}`,
          `add chain ip ${table} prerouting { type nat hook prerouting priority -100; }`,
          `add chain ip ${table} output { type nat hook output priority -100; }`,
          `add chain ip ${table} postrouting { type nat hook postrouting priority 100; }`,
          `add map ip ${table} pub-any { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
          `add map ip ${table} pub-addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }`,
          `add rule ip ${table} prerouting fib daddr type local ${dnat('pub-any', 'meta l4proto . th dport')}`,
          `add rule ip ${table} prerouting ${dnat('pub-addr', 'ip daddr . meta l4proto . th dport')}`,
          `add rule ip ${table} output fib daddr type local ${dnat('pub-any', 'meta l4proto . th dport')}`,
          `add rule ip ${table} output ${dnat('pub-addr', 'ip daddr . meta l4proto . th dport')}`,
          `add rule ip ${table} postrouting ip saddr 127.0.0.0/8 oifname "${br}" masquerade`,
        ].join('; '),
      ]);
    }
    const exec: Sampler = async (n) => {
      let us = 0;
      for (let i = 0; i < n; i++) {
        us += await timed(async () => {
          await nftExec(['create', 'element', 'ip', table, 'pub-any', `{ tcp . 18081 : ${address} . 80 }`]);
          await nftExec(['delete', 'element', 'ip', table, 'pub-any', '{ tcp . 18081 }']);
        });
      }
      return us;
    };
    return {
      contenders: {
        nn: { sample: nn, n: ctx.quick ? 20 : 50 },
        ...(withNft && { exec: { sample: exec, n: ctx.quick ? 2 : 5 } }),
        floor: { sample: (n) => floor(ctx.floorBin, 'publish', n, `nbfloor${k}`, br), n: 200 },
      },
      loop: { nn: [nn, 20] },
      notes: {
        nnPar: 'n/a: publications of one network take its lock one at a time',
        batch: 'n/a: ip -batch has no nftables; the exec column is the nft command',
        ...(!withNft && { exec: 'n/a: nft is not installed' }),
      },
      cleanup: async () => {
        if (withNft) await nftExec([`delete table ip ${table}`]).catch(() => undefined);
        await net.remove({ force: true });
        await member.delete();
      },
    };
  },
};

/** Runs a CNI plugin once, as a runtime does (environment + configuration on stdin). */
function cniCall(argv: string[], env: Record<string, string>, conf: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')}: ${out}`))));
    child.stdin.on('error', () => undefined); // a plugin may exit before reading it
    child.stdin.end(conf);
  });
}

/**
 * One CNI attachment, ADD then DEL, by netns-native-cni (bin/netns-native-cni.js: a Node process
 * per call, as the runtime starts it) beside the reference `bridge` + `host-local` plugins
 * (containernetworking-plugins, Go), on the same configuration: a bridge with the gateway and a
 * default route, host-local IPAM in a temporary dataDir, into one namespace made once.
 */
const cniAttach: OperationDef = {
  id: 'cni',
  label: 'CNI ADD + DEL (process per call)',
  what: 'one CNI ADD then DEL of a bridge attachment with host-local IPAM, each call a process started as a runtime starts it: netns-native-cni (Node) in the netns-native column, the reference bridge + host-local plugins (Go, containernetworking-plugins) in the execFile column',
  rounds: 5,
  async prepare(ctx) {
    const k = next();
    const container = await Namespace.create(`nbcni${k}`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nb-cni-'));
    const root = path.join(__dirname, '..', '..');
    const reference = '/usr/lib/cni/bridge';
    const withReference = fs.existsSync(reference) && fs.existsSync('/usr/lib/cni/host-local');
    const conf = (bridge: string, subnet: string) =>
      JSON.stringify({
        cniVersion: '1.0.0',
        name: bridge,
        type: 'bridge',
        bridge,
        isGateway: true,
        isDefaultGateway: true,
        ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir },
      });
    const sampler =
      (argv: string[], c: string): Sampler =>
      async (n) => {
        let us = 0;
        for (let i = 0; i < n; i++) {
          const env = {
            CNI_CONTAINERID: `bench${i}`,
            CNI_NETNS: container.path,
            CNI_IFNAME: 'eth0',
            CNI_PATH: '/usr/lib/cni',
          };
          us += await timed(async () => {
            await cniCall(argv, { ...env, CNI_COMMAND: 'ADD' }, c);
            await cniCall(argv, { ...env, CNI_COMMAND: 'DEL' }, c);
          });
        }
        return us;
      };
    const ours = [process.execPath, path.join(root, 'bin', 'netns-native-cni.js')];
    const version =
      (argv: string[]): Sampler =>
      async (n) => {
        let us = 0;
        for (let i = 0; i < n; i++) us += await timed(() => cniCall(argv, { CNI_COMMAND: 'VERSION' }, ''));
        return us;
      };
    return {
      contenders: {
        nn: { sample: sampler(ours, conf('nbcni0', '198.19.244.0/24')), n: ctx.quick ? 2 : 10 },
        ...(withReference && {
          exec: { sample: sampler([reference], conf('nbcniref0', '198.19.245.0/24')), n: ctx.quick ? 2 : 10 },
        }),
      },
      // Start-up alone: an empty Node (twice that is the floor of an ADD + DEL by any plugin Node
      // runs), and VERSION (which loads no more than the protocol).
      extra: async () => ({
        'node -e 0 (bare start-up; ×2 = the floor of ADD + DEL)': {
          sample: version([process.execPath, '-e', '0']),
          n: 10,
        },
        'netns-native-cni VERSION': { sample: version(ours), n: 10 },
        ...(withReference && { 'reference bridge VERSION': { sample: version([reference]), n: 10 } }),
      }),
      notes: {
        nnPar: 'n/a: a runtime starts one plugin process per call',
        batch: 'n/a: CNI has no batch form',
        floor: 'n/a: no C floor for a whole attachment',
        ...(!withReference && { exec: 'n/a: the reference plugins are not installed (containernetworking-plugins)' }),
      },
      cleanup: async () => {
        for (const br of ['nbcni0', 'nbcniref0']) await ipExec(['link', 'del', br]).catch(() => undefined);
        fs.rmSync(dataDir, { recursive: true, force: true });
        await container.delete();
      },
    };
  },
};

// --- the monitor ------------------------------------------------------------------------------

/** Events per monitor sample: one burst of this many link changes. */
const BURST = 1000;

/** Resolves when `pred` has been true once; `poke()` checks it again. */
function latch(): { wait: (pred: () => boolean) => Promise<void>; poke: () => void } {
  let pending: { pred: () => boolean; resolve: () => void } | undefined;
  return {
    wait: (pred) =>
      new Promise<void>((resolve) => {
        if (pred()) resolve();
        else pending = { pred, resolve };
      }),
    poke: () => {
      if (pending?.pred()) {
        pending.resolve();
        pending = undefined;
      }
    },
  };
}

/** Until the process is stopped (SIGSTOP takes effect asynchronously): /proc says 'T'. */
async function stopped(pid: number): Promise<void> {
  for (;;) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const monitor: OperationDef = {
  id: 'monitor',
  label: 'monitor: events from a burst of 1,000 link changes',
  what: "per event, the time to read a burst of 1,000 MTU changes (made by `ip -batch` while the reader is held: the JS thread blocked, `ip` stopped, the C loop waiting on stdin) out of the socket's queue: `for await` over `ns.monitor({ events: ['link'] })`, Link objects made; `ip -o monitor link` with the same 4 MiB buffer, its lines read by Node; a C loop counting the raw socket's RTM_NEWLINK messages. Each reader is made before its sample (not timed) and gone after it",
  rounds: 7,
  async prepare(ctx) {
    const [pair] = await makePairs(ctx.ns, `nbmo${next()}x`, 1);
    const dev = (pair as VethPair).local;
    let flip = 0;
    // Distinct MTUs from the link's current one, so each line is a change the kernel announces.
    const burst = (n: number) => {
      const base = 1300 + (flip++ % 2) * 2000;
      const lines = Array.from({ length: n }, (_, i) => `link set dev ${dev.name} mtu ${base + i}`);
      execFileSync('ip', ['-batch', '-'], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
    };
    // The same through the run's long-lived `ip -batch` (for the event-loop delay: the loop is
    // free, and no process is spawned meanwhile, which would block it for milliseconds).
    const burstAsync = async (n: number) => {
      const base = 1300 + (flip++ % 2) * 2000;
      await ctx.batch.run(Array.from({ length: n }, (_, i) => `link set dev ${dev.name} mtu ${base + i}`));
    };

    // Each reader exists only for its own sample (set up and torn down untimed), so that no
    // other reader competes with it for the CPU while it drains the burst.

    // netns-native: a consumer iterating; the burst is made synchronously, so nothing is read
    // until it is over.
    const drainOnce = async (n: number, blocking = true) => {
      const mon = ctx.ns.monitor({ events: ['link'] });
      await mon.ready;
      let seen = 0;
      const done = latch();
      const reading = (async () => {
        for await (const e of mon) {
          if (e.type === 'link' && e.link.index === dev.index) seen += 1;
          done.poke();
        }
      })();
      let t0 = nowUs();
      if (blocking) {
        burst(n);
        t0 = nowUs();
      } else {
        void burstAsync(n);
      }
      await done.wait(() => seen >= n);
      const us = nowUs() - t0;
      mon.close();
      await reading;
      return us;
    };
    // Several bursts for a longer warm-up (V8 optimizes the path over a few thousand events).
    const nn: NnSampler = async (n) => {
      let us = 0;
      for (let left = n; left > 0; left -= BURST) us += await drainOnce(Math.min(BURST, left));
      return us;
    };

    // ip monitor, stopped while the burst is made.
    const viaIp: Sampler = async (n) => {
      const ip = spawn('ip', ['-rcvbuf', String(4 << 20), '-o', 'monitor', 'link'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let lines = 0;
      const done = latch();
      ip.stdout.on('data', (chunk: Buffer) => {
        for (const byte of chunk) if (byte === 10) lines += 1;
        done.poke();
      });
      // Subscribed once it reports a change made after it started.
      const probe = setInterval(() => {
        execFileSync('ip', ['link', 'set', 'dev', dev.name, 'mtu', String(1280 + (flip++ % 2))]);
      }, 10);
      await done.wait(() => lines > 0);
      clearInterval(probe);
      ip.kill('SIGSTOP');
      await stopped(ip.pid as number);
      burst(n);
      lines = 0;
      const t0 = nowUs();
      ip.kill('SIGCONT');
      await done.wait(() => lines >= n);
      const us = nowUs() - t0;
      const exited = new Promise((resolve) => ip.once('exit', resolve));
      ip.kill();
      await exited;
      return us;
    };

    // The C loop, waiting on stdin while the burst is made.
    const viaC: Sampler = async (n) => {
      const c = spawn(ctx.floorBin, ['monitor', String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      const done = latch();
      c.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        done.poke();
      });
      await done.wait(() => out.startsWith('ready\n'));
      burst(n);
      c.stdin.end('go\n');
      await done.wait(() => /^ready\n\d+\n/.test(out));
      return Number(out.split('\n')[1]) / 1000;
    };

    return {
      contenders: {
        nn: { sample: nn, n: BURST, warmup: 5 * BURST },
        exec: { sample: viaIp, n: BURST },
        floor: { sample: viaC, n: BURST },
      },
      notes: {
        nnPar: 'one reader: nothing to put in flight',
        batch: 'n/a: `ip -batch` does not monitor',
      },
      labels: { exec: '`ip monitor`', floor: 'C loop' },
      // Read while the burst is being made, the loop free: what a wake of the monitor costs it.
      loop: { nn: [(n) => drainOnce(n, false), BURST] },
      cleanup: () => dropPairs(ctx.ns, [pair as VethPair]),
    };
  },
};

export const OPERATIONS: OperationDef[] = [
  toggle,
  address,
  neighbour,
  fdbEntry,
  master,
  route,
  dump(10),
  dump(100),
  dump(1000),
  veth,
  deletes(1),
  deletes(100),
  netns,
  walkthrough(false),
  walkthrough(true),
  network(true),
  network(false),
  publish,
  cniAttach,
  monitor,
];
