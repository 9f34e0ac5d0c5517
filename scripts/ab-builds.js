#!/usr/bin/env node
/**
 * Two builds of netns-native side by side in one process, interleaved: how a change to the
 * per-call path is measured on a shared machine, where `npm run bench -- --quick` moves by more
 * than the change (other work takes rtnl_lock and the CPUs). Each build loads its own addon and
 * works on its own links; rounds alternate which build goes first; the result is the median of
 * the per-round ratios new / base, which the machine's load mostly cancels out of.
 *
 *   scripts/isolated.sh node scripts/ab-builds.js BASE_DIR [NEW_DIR]
 *
 * BASE_DIR, NEW_DIR: checkouts with `dist/` and `build/` built (NEW_DIR defaults to this one),
 * e.g. `git archive <commit> | tar -x -C /tmp/base`, node_modules linked, then
 * `npx node-gyp rebuild && npm run build:ts` there. Env: MODES (comma-separated, default all),
 * N (add + delete pairs per sample, a multiple of 32), R (rounds).
 *
 * Modes, each an add + delete (µs per pair):
 * - transact: the addon called synchronously with prepared requests (the crossing alone);
 * - request: `await` of the internal dispatcher's request() (the FIFO and one promise);
 * - public: `await ns.addRoute(); await ns.deleteRoute()` (a Link, so no lookup);
 * - addr: `await link.addAddress(); await link.deleteAddress()`;
 * - inflightRoute, inflightAddr: 32 of those in flight (Promise.all), per pair;
 * - connect: `net.connect(ns)` on a network with MEMBERS other members (default 1; the disconnect
 *   between two connects is not timed), per connect; N / 160 of them per sample.
 */
'use strict';
const path = require('node:path');

const roots = { base: process.argv[2], new: process.argv[3] ?? path.join(__dirname, '..') };
if (!roots.base) {
  console.error('usage: scripts/isolated.sh node scripts/ab-builds.js BASE_DIR [NEW_DIR]');
  process.exit(2);
}
const N = Number(process.env.N ?? 3200);
const R = Number(process.env.R ?? 15);
const MODES = (process.env.MODES ?? 'transact,request,public,addr,inflightRoute,inflightAddr').split(',');
const WIDTH = 32;
const MEMBERS = Number(process.env.MEMBERS ?? 1);

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

async function prepare(root, k) {
  const { Namespace, Network, VethPair } = require(path.resolve(root, 'dist/lib/index'));
  const { transact } = require(path.resolve(root, 'dist/lib/native/wire'));
  const { kHandle } = require(path.resolve(root, 'dist/lib/internal/symbols'));
  const { request } = require(path.resolve(root, 'dist/lib/internal/dispatch'));
  const ns = Namespace.current();
  // A link for routes (up, never addressed: deleting its last address would take its routes'
  // next hops down) and one for addresses, per build.
  const r = (await VethPair.create({ name: `abr${k}`, peerName: `abr${k}p`, namespace: ns })).local;
  const a = (await VethPair.create({ name: `aba${k}`, peerName: `aba${k}p`, namespace: ns })).local;
  await r.up();
  const handle = await ns[kHandle]('ab-builds');
  const dst = `198.19.${k}.0`;
  const route = { family: 2, dstLen: 24, table: 254, scope: 253, dst, oif: r.index };
  const add = { op: 'newroute', flags: 0x600, route: { ...route, protocol: 3, type: 1 } };
  const del = { op: 'delroute', route };
  const spec = { destination: `${dst}/24`, link: r };
  const cidr = `198.18.${100 + k}.1/24`;
  let net;
  let members = [];
  const rounds = (f) => async () => {
    for (let i = 0; i < N / WIDTH; i++) await Promise.all(Array.from({ length: WIDTH }, (_, j) => f(j)));
  };
  return {
    transact: async () => {
      for (let i = 0; i < N; i++) {
        transact(handle, [add]);
        transact(handle, [del]);
      }
    },
    request: async () => {
      for (let i = 0; i < N; i++) {
        await request(handle, add, 'ab', 'route');
        await request(handle, del, 'ab', 'route');
      }
    },
    public: async () => {
      for (let i = 0; i < N; i++) {
        await ns.addRoute(spec);
        await ns.deleteRoute(spec);
      }
    },
    addr: async () => {
      for (let i = 0; i < N; i++) {
        await a.addAddress(cidr);
        await a.deleteAddress(cidr);
      }
    },
    inflightRoute: rounds(async (j) => {
      const s = { destination: `198.19.${100 + k * 40 + j}.0/24`, link: r };
      await ns.addRoute(s);
      await ns.deleteRoute(s);
    }),
    inflightAddr: rounds(async (j) => {
      const c = `198.18.${120 + k * 40 + j}.1/24`;
      await a.addAddress(c);
      await a.deleteAddress(c);
    }),
    connect: async () => {
      if (!net) {
        Network.addressPools = [{ base: '198.18.0.0/15', size: 24 }];
        net = await Network.create(`ab-net-${k}`, { subnet: `198.19.${240 + k}.0/24` });
        members = await Promise.all(Array.from({ length: MEMBERS + 1 }, (_, i) => Namespace.create(`ab${k}-${i}`)));
        for (const m of members.slice(1)) await net.connect(m);
      }
      const count = Math.max(1, Math.round(N / 160));
      let spent = 0n;
      for (let i = 0; i < count; i++) {
        const t0 = process.hrtime.bigint();
        await net.connect(members[0]);
        spent += process.hrtime.bigint() - t0;
        await net.disconnect(members[0]);
      }
      return Number(spent) / 1000 / count;
    },
    cleanup: async () => {
      await ns.deleteLinks([r, a]);
      if (net) await net.remove({ force: true });
      await Promise.all(members.map((m) => m.delete()));
    },
  };
}

(async () => {
  const builds = { base: await prepare(roots.base, 0), new: await prepare(roots.new, 1) };
  const times = {};
  for (const m of MODES) {
    for (const tag of ['base', 'new']) {
      await builds[tag][m](); // warm-up
      times[`${m} ${tag}`] = [];
    }
  }
  for (let round = 0; round < R; round++) {
    for (const m of MODES) {
      for (const tag of round % 2 ? ['base', 'new'] : ['new', 'base']) {
        const t0 = process.hrtime.bigint();
        const own = await builds[tag][m](); // µs per operation, for a mode that times itself
        times[`${m} ${tag}`].push(own ?? Number(process.hrtime.bigint() - t0) / 1000 / N);
      }
    }
  }
  for (const m of MODES) {
    const base = times[`${m} base`];
    const next = times[`${m} new`];
    const ratio = median(next.map((x, i) => x / base[i]));
    console.log(
      `${m.padEnd(14)} base ${median(base).toFixed(2).padStart(7)} µs  new ${median(next).toFixed(2).padStart(7)} µs  new/base ${ratio.toFixed(3)}`,
    );
  }
  for (const b of Object.values(builds)) await b.cleanup();
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
