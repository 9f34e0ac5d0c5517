/**
 * Two hosts joined by a VXLAN overlay, the way Docker's overlay network and flannel join
 * containers across machines, with netns-native instead of `ip` and `bridge`:
 *
 *   - two namespaces stand in for two hosts, joined by a veth "underlay" (198.18.100.0/24);
 *   - on each host a bridge with a VXLAN port (vni 42, nolearning) and an fdb entry sending
 *     whatever has no entry of its own (broadcasts, ARP) to the other host;
 *   - a container namespace on each bridge, on the overlay subnet 198.19.0.0/24;
 *   - the containers ping each other across it, and a TCP connection between them carries
 *     1 MiB intact.
 *
 * Each step prints the `ip` / `bridge` commands it replaces. Run by the tests
 * (test/kernel/overlay.test.ts), and shown by `npm run demo` after the walkthrough. On its own:
 *
 *   scripts/isolated.sh node dist/examples/overlay.js
 */
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { Bridge, Namespace, VethPair, Vxlan, type Link, type PingResult } from 'netns-native';

/** How the steps are printed: the walkthrough passes its own. */
export interface OverlayPrinter {
  step(title: string): void;
  cmd(line: string): void;
  show(line: string): void;
}

export interface OverlayOptions {
  /** Prefixed to every namespace name (the tests use a unique one). Default ''. */
  prefix?: string;
  /** Leave everything in place at the end (the names are printed). Default false. */
  keep?: boolean;
  print?: OverlayPrinter;
}

export interface OverlayResult {
  /** c1 pinging c2, and c2 pinging c1, across the overlay. */
  pings: [PingResult, PingResult];
  /** Bytes sent from c1 and received by c2 on one TCP connection, and whether they were intact. */
  sent: number;
  received: number;
  intact: boolean;
  /** Bytes host1's VXLAN device sent (its counters, IFLA_STATS64). */
  vxlanTxBytes: number;
}

/** The namespaces the overlay makes, without prefix. */
export const OVERLAY_NAMESPACES = ['host1', 'host2', 'c1', 'c2'];

const VNI = 42;
const MIB = 1 << 20;

const plain: OverlayPrinter = {
  step: (title) => console.log(`\n${title}`),
  cmd: (line) => console.log(`   $ ${line}`),
  show: (line) => console.log(`     ${line}`),
};

/** Polls until `ready` holds (links come up asynchronously in the kernel), at most `ms`. */
async function until(what: string, ready: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits until the kernel has activated the links: up with a carrier, operational state up (or
 * unknown, which is what a VXLAN device reports).
 */
async function operational(...links: Link[]): Promise<void> {
  for (const l of links) {
    await until(`${l.name} to be operational`, async () => {
      await l.refresh();
      return l.isUp && l.hasCarrier && (l.operState === 'up' || l.operState === 'unknown');
    });
  }
}

/** Sends `payload` from `client` to a server in `server` and resolves with the SHA-256 received. */
async function transfer(
  from: Namespace,
  to: Namespace,
  host: string,
  payload: Buffer,
): Promise<{ bytes: number; sha: string }> {
  const server = net.createServer();
  const received = new Promise<{ bytes: number; sha: string }>((resolve, reject) => {
    server.once('connection', (socket) => {
      const hash = createHash('sha256');
      let bytes = 0;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      socket.on('end', () => resolve({ bytes, sha: hash.digest('hex') }));
      socket.on('error', reject);
    });
  });
  await to.listen(server, { port: 5000, host });
  try {
    const socket = await from.connect({ host, port: 5000, timeoutMs: 10000 });
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.end(payload, () => resolve());
    });
    return await received;
  } finally {
    server.close();
  }
}

function pingLine(from: string, to: string, r: PingResult): string {
  const rtts = r.rttMs.map((t) => t.toFixed(3)).join(' ');
  return `${from} -> ${to}: ${r.received}/${r.transmitted} replies${rtts ? `, RTTs ${rtts} ms` : ''}`;
}

/**
 * Builds the overlay, checks it carries traffic, and (unless `keep`) removes everything.
 * Resolves with what went across.
 */
export async function overlay(options: OverlayOptions = {}): Promise<OverlayResult> {
  const p = options.print ?? plain;
  const prefix = options.prefix ?? '';
  const [h1, h2, c1n, c2n] = OVERLAY_NAMESPACES.map((n) => `${prefix}${n}`) as [string, string, string, string];
  const made: Namespace[] = [];
  try {
    p.step('Two hosts, joined by an underlay network (a veth pair standing in for the wire)');
    p.cmd(`ip netns add ${h1}; ip netns add ${h2}`);
    p.cmd(`ip link add eth0 netns ${h1} type veth peer name eth0 netns ${h2}`);
    p.cmd(`ip -n ${h1} addr add 198.18.100.1/24 dev eth0; ip -n ${h1} link set eth0 up`);
    p.cmd(`ip -n ${h2} addr add 198.18.100.2/24 dev eth0; ip -n ${h2} link set eth0 up`);
    const host1 = await Namespace.create(h1);
    made.push(host1);
    const host2 = await Namespace.create(h2);
    made.push(host2);
    const wire = await VethPair.create({ name: 'eth0', peerName: 'eth0', namespace: host1, peerNamespace: host2 });
    const hosts = [
      { ns: host1, eth: wire.local, ip: '198.18.100.1', other: '198.18.100.2', name: h1 },
      { ns: host2, eth: wire.peer, ip: '198.18.100.2', other: '198.18.100.1', name: h2 },
    ];
    for (const h of hosts) {
      await h.eth.addAddress(`${h.ip}/24`);
      await h.eth.up();
    }

    p.step(`On each host: a bridge, and a VXLAN device (vni ${VNI}) as one of its ports`);
    const vxlans: Vxlan[] = [];
    const bridges: Bridge[] = [];
    for (const h of hosts) {
      p.cmd(`ip -n ${h.name} link add br0 type bridge; ip -n ${h.name} link set br0 up`);
      p.cmd(`ip -n ${h.name} link add vxlan${VNI} type vxlan id ${VNI} local ${h.ip} dev eth0 dstport 4789 nolearning`);
      p.cmd(`ip -n ${h.name} link set vxlan${VNI} master br0 up`);
      const br = await Bridge.create('br0', { namespace: h.ns });
      await br.up();
      const vx = await Vxlan.create(`vxlan${VNI}`, {
        vni: VNI,
        local: h.ip,
        device: h.eth,
        port: 4789,
        learning: false,
      });
      await vx.setMaster(br);
      await vx.up();
      bridges.push(br);
      vxlans.push(vx);
      const i = vx.info;
      p.show(
        `${h.name}: vxlan${VNI} id ${i.vni} local ${i.local} dstport ${i.port} learning ${i.learning} mtu ${vx.mtu}`,
      );
    }

    p.step('Tell each VXLAN device where the other host is: an all-zeros fdb entry (head-end replication)');
    for (const [k, h] of hosts.entries()) {
      p.cmd(`ip netns exec ${h.name} bridge fdb append 00:00:00:00:00:00 dev vxlan${VNI} dst ${h.other}`);
      const vx = vxlans[k] as Vxlan;
      await vx.addFdb({ mac: '00:00:00:00:00:00', destination: h.other });
      for (const e of await vx.fdb()) {
        if (e.destination) p.show(`${h.name}: ${e.mac} dev vxlan${VNI} dst ${e.destination} self permanent`);
      }
    }

    p.step('A container on each host: a namespace with a veth into the bridge, on 198.19.0.0/24');
    const containers: Array<{ ns: Namespace; eth: Link; ip: string; name: string }> = [];
    for (const [k, h] of hosts.entries()) {
      const name = k === 0 ? c1n : c2n;
      const ip = `198.19.0.${k + 1}`;
      p.cmd(`ip netns add ${name}`);
      // 1450: room for the 50 bytes VXLAN adds around each frame on a 1500-byte underlay.
      p.cmd(`ip -n ${h.name} link add veth-${k === 0 ? 'c1' : 'c2'} type veth peer name eth0 netns ${name} mtu 1450`);
      p.cmd(`ip -n ${h.name} link set veth-${k === 0 ? 'c1' : 'c2'} master br0 up`);
      p.cmd(`ip -n ${name} addr add ${ip}/24 dev eth0; ip -n ${name} link set eth0 up`);
      const ns = await Namespace.create(name);
      made.push(ns);
      const pair = await VethPair.create({
        name: `veth-${k === 0 ? 'c1' : 'c2'}`,
        peerName: 'eth0',
        namespace: h.ns,
        peerNamespace: ns,
        mtu: 1450,
      });
      await pair.local.setMaster(bridges[k] as Bridge);
      await pair.local.up();
      await pair.peer.addAddress(`${ip}/24`);
      await pair.peer.up();
      containers.push({ ns, eth: pair.peer, ip, name });
      p.show(`${name}: eth0 ${ip}/24 mtu ${pair.peer.mtu}, its peer a port of br0 on ${h.name}`);
    }
    const [c1, c2] = containers as [(typeof containers)[0], (typeof containers)[0]];
    await operational(wire.local, wire.peer, ...vxlans, ...bridges, c1.eth, c2.eth);

    p.step('The containers ping each other across the overlay');
    p.cmd(`ip netns exec ${c1n} ping -c 3 ${c2.ip}`);
    const there = await c1.ns.ping(c2.ip, { count: 3, timeoutMs: 3000 });
    p.show(pingLine(c1n, c2.ip, there));
    p.cmd(`ip netns exec ${c2n} ping -c 3 ${c1.ip}`);
    const back = await c2.ns.ping(c1.ip, { count: 3, timeoutMs: 3000 });
    p.show(pingLine(c2n, c1.ip, back));
    // What the bridge on host1 learned: c2's MAC, behind the VXLAN port.
    p.cmd(`ip netns exec ${h1} bridge fdb show br br0 | grep ${c2.eth.mac}`);
    for (const e of await (vxlans[0] as Vxlan).fdb()) {
      if (e.master && e.mac === c2.eth.mac) p.show(`${e.mac} dev vxlan${VNI} master br0`);
    }

    p.step('A TCP connection from one container to the other carries 1 MiB');
    p.cmd(`ip netns exec ${c2n} nc -l ${c2.ip} 5000 | sha256sum &`);
    p.cmd(`head -c 1048576 /dev/urandom | tee >(sha256sum) | ip netns exec ${c1n} nc -N ${c2.ip} 5000`);
    const payload = randomBytes(MIB);
    const sent = createHash('sha256').update(payload).digest('hex');
    const got = await transfer(c1.ns, c2.ns, c2.ip, payload);
    const intact = got.bytes === MIB && got.sha === sent;
    p.show(`sent ${MIB} bytes, sha256 ${sent.slice(0, 16)}...`);
    p.show(`received ${got.bytes} bytes, sha256 ${got.sha.slice(0, 16)}... ${intact ? 'intact' : 'CORRUPTED'}`);

    p.step(`What it took: host1's vxlan${VNI} counters`);
    p.cmd(`ip -n ${h1} -s link show vxlan${VNI}`);
    const vx1 = await (vxlans[0] as Vxlan).refresh();
    const st = vx1.stats;
    p.show(`TX ${st?.txPackets} packets ${st?.txBytes} bytes, RX ${st?.rxPackets} packets ${st?.rxBytes} bytes`);

    if (options.keep) {
      p.show(`(kept: namespaces ${[h1, h2, c1n, c2n].join(', ')})`);
    } else {
      p.step('Clean up: deleting the namespaces takes everything in them along');
      p.cmd(`ip netns del ${c1n}; ip netns del ${c2n}; ip netns del ${h1}; ip netns del ${h2}`);
    }
    return { pings: [there, back], sent: MIB, received: got.bytes, intact, vxlanTxBytes: st?.txBytes ?? 0 };
  } finally {
    if (!options.keep) for (const ns of made.reverse()) await ns.delete();
  }
}

if (require.main === module) {
  overlay().then(
    (r) => {
      const ok = r.intact && r.pings.every((x) => x.received > 0);
      process.exitCode = ok ? 0 : 1;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
