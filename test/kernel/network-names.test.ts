/**
 * Names: hosts and resolv.conf files for named members (rewritten in place, seen by programs
 * already running), and the embedded DNS server on 127.0.0.11, asked from inside members over
 * UDP and TCP, by a DNS client of the test's own and by glibc (`getent`). The upstream server is
 * a tiny one of the test's own (UDP and TCP), in a namespace at 198.51.100.53 reached from the
 * host namespace. Explicit subnets: 198.19.126.0/24, and 198.19.145.0/24 to 198.19.148.0/24 with
 * fd00:a4::/32 (served(): 198.19.145.0/24 up), never from the shared pools.
 */
import { spawn } from 'node:child_process';
import type * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { Namespace, Network, VethPair, type DnsServer } from 'netns-native';
import { cliMain } from '../helpers/cli';
import { cleanupLater, freshNamespace, uniqueName } from '../helpers/fresh';
import { netName, runChild, useTestPools, waitFor } from '../helpers/network';
import { describeKernel } from '../helpers/skip';

type Reply = dnsPacket.DecodedPacket & { rcode: string };

let nextId = 1;

/** One DNS query from inside `ns` to 127.0.0.11:53; undefined when nothing came back in time. */
async function ask(
  ns: Namespace,
  name: string,
  type: dnsPacket.RecordType = 'A',
  tcp = false,
  timeoutMs = 3000,
  cls: dnsPacket.RecordClass = 'IN',
): Promise<Reply | undefined> {
  const id = nextId++ & 0xffff;
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: cls }],
  });
  if (tcp) {
    const socket = await ns.connect({ host: '127.0.0.11', port: 53, timeoutMs });
    try {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      socket.write(Buffer.concat([len, query]));
      return await new Promise<Reply | undefined>((resolve) => {
        let data = Buffer.alloc(0);
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        socket.on('data', (chunk) => {
          data = Buffer.concat([data, chunk]);
          if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
            clearTimeout(timer);
            resolve(dnsPacket.decode(data.subarray(2, 2 + data.readUInt16BE(0))) as Reply);
          }
        });
      });
    } finally {
      socket.destroy();
    }
  }
  const socket: dgram.Socket = await ns.createUdpSocket('udp4');
  try {
    return await new Promise<Reply | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      socket.on('message', (msg) => {
        const reply = dnsPacket.decode(msg) as Reply;
        if (reply.id !== id) return;
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(query, 53, '127.0.0.11');
    });
  } finally {
    socket.close();
  }
}

const data = (r: Reply | undefined) => (r?.answers ?? []).map((a) => (a as { data?: unknown }).data);

/**
 * A tiny upstream server of our own, on 198.51.100.53:53 over UDP and TCP: example.test A
 * 198.51.100.80, NXDOMAIN for the rest. `queries` has the names port 53 was asked, `typed` the
 * same as 'TYPE name'. Port 5353 there is closed (refused at once). Ports
 * 5302, 5303, 5304 and 5305 answer every query with that error code and no record (SERVFAIL,
 * NXDOMAIN, NOTIMP, REFUSED: 53xx, xx the code), over UDP and TCP too.
 */
async function startUpstream(): Promise<{ ns: Namespace; queries: string[]; typed: string[]; failing: string[] }> {
  const ns = cleanupLater(await Namespace.create(uniqueName('nnt-up-')));
  const name = uniqueName('nup');
  const pair = await VethPair.create({ name, peerName: 'eth0', peerNamespace: ns });
  await pair.local.addAddress('198.51.100.1/24');
  await pair.peer.addAddress('198.51.100.53/24');
  await Promise.all([pair.local.up(), pair.peer.up(), ns.link('lo').then((lo) => lo.up())]);
  cleanupAfter(() => pair.local.delete().catch(() => undefined));
  const queries: string[] = [];
  const typed: string[] = [];
  const failing: string[] = [];
  const respond = (msg: Buffer, port: number): Buffer => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0] as dnsPacket.Question;
    (port === 53 ? queries : failing).push(port === 53 ? question.name : `${port} ${question.name}`);
    if (port === 53) typed.push(`${question.type} ${question.name}`);
    const known = port === 53 && question.name.toLowerCase() === 'example.test' && question.type === 'A';
    return dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_AVAILABLE | (port === 53 ? (known ? 0 : 3) : port - 5300), // 3: NXDOMAIN
      questions: q.questions ?? [],
      answers: known ? [{ type: 'A', name: question.name, ttl: 60, data: '198.51.100.80' }] : [],
    });
  };
  for (const port of [53, 5302, 5303, 5304, 5305]) {
    const udp = await ns.createUdpSocket('udp4', { address: '198.51.100.53', port });
    udp.on('message', (msg, rinfo) => udp.send(respond(msg, port), rinfo.port, rinfo.address));
    cleanupAfter(async () => udp.close());
    const connections = new Set<net.Socket>();
    const tcp = net.createServer((socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      let data = Buffer.alloc(0);
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        data = Buffer.concat([data, chunk]);
        if (data.length < 2 || data.length < 2 + data.readUInt16BE(0)) return;
        const reply = respond(data.subarray(2, 2 + data.readUInt16BE(0)), port);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(reply.length);
        socket.end(Buffer.concat([len, reply]));
      });
    });
    await ns.listen(tcp, { host: '198.51.100.53', port });
    cleanupAfter(async () => {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    });
  }
  return { ns, queries, typed, failing };
}

/**
 * A member's own DNS server in `ns` at `address`:53 (added to its eth0), over UDP and TCP:
 * example.test A 198.51.100.81, NXDOMAIN for the rest; `asked` has 'udp|tcp SOURCE NAME' of each query.
 */
async function startOwnServer(ns: Namespace, address: string): Promise<{ asked: string[] }> {
  await (await ns.link('eth0')).addAddress(`${address}/24`);
  const asked: string[] = [];
  const respond = (msg: Buffer, proto: string, from: string | undefined): Buffer => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0] as dnsPacket.Question;
    asked.push(`${proto} ${from} ${question.name}`);
    const known = question.name === 'example.test' && question.type === 'A';
    return dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
      questions: q.questions ?? [],
      answers: known ? [{ type: 'A', name: question.name, ttl: 60, data: '198.51.100.81' }] : [],
    });
  };
  const udp = await ns.createUdpSocket('udp4', { address, port: 53 });
  udp.on('message', (msg, rinfo) => udp.send(respond(msg, 'udp', rinfo.address), rinfo.port, rinfo.address));
  cleanupAfter(async () => udp.close());
  const tcp = net.createServer((socket) => {
    let data = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 2 || data.length < 2 + data.readUInt16BE(0)) return;
      const reply = respond(data.subarray(2, 2 + data.readUInt16BE(0)), 'tcp', socket.remoteAddress);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(reply.length);
      socket.end(Buffer.concat([len, reply]));
    });
  });
  await ns.listen(tcp, { host: address, port: 53 });
  cleanupAfter(async () => new Promise((resolve) => tcp.close(resolve)));
  return { asked };
}

const after: Array<() => Promise<unknown>> = [];
function cleanupAfter(fn: () => Promise<unknown>): void {
  after.push(fn);
}
afterEach(async () => {
  for (const fn of after.splice(0).reverse()) await fn();
});

describeKernel('Network names: hosts files', () => {
  beforeEach(useTestPools);

  it('named members of a dns network get hosts and resolv.conf; getent finds names and aliases without a DNS server', async () => {
    const net = await Network.create(netName());
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    const e1 = await net.connect(c1, { aliases: ['web'] });
    const e2 = await net.connect(c2, { name: 'db', aliases: ['sql'] });
    const hosts = fs.readFileSync(`/etc/netns/${c1.name}/hosts`, 'utf8');
    expect(hosts).toContain('127.0.0.1\tlocalhost');
    expect(hosts).toContain(`${e1.address.split('/')[0]}\t${c1.name} web`);
    expect(hosts).toContain(`${e2.address.split('/')[0]}\tdb sql`);
    const resolv = fs.readFileSync(`/etc/netns/${c1.name}/resolv.conf`, 'utf8');
    expect(resolv).toMatch(/^nameserver 127\.0\.0\.11$/m);
    const r = await c1.exec('getent', ['hosts', 'SQL']);
    expect(r.stdout.trim().split(/\s+/)).toEqual([e2.address.split('/')[0], 'db', 'sql']);
    expect((await c2.exec('getent', ['hosts', 'web'])).stdout).toContain(e1.address.split('/')[0]);
    // ip netns exec binds the same files.
    const viaIp = await Namespace.current().exec('ip', [
      'netns',
      'exec',
      c2.name as string,
      'getent',
      'hosts',
      c1.name as string,
    ]);
    expect(viaIp.stdout).toContain(e1.address.split('/')[0]);
  });

  it('a dns: false network writes no names', async () => {
    const net = await Network.create(netName(), { dns: false });
    const c1 = await freshNamespace();
    const ep = await net.connect(c1);
    expect(ep.name).toBe(c1.name);
    expect(fs.existsSync(`/etc/netns/${c1.name}`)).toBe(false);
  });

  it("a dns: false network: a member's own dns, dnsSearch and dnsOptions make its resolv.conf, which glibc inside uses", async () => {
    await startUpstream(); // 198.51.100.53: example.test is 198.51.100.80
    const net = await Network.create(netName(), { subnet: '198.19.148.0/24', dns: false });
    const c1 = await freshNamespace();
    const ep = await net.connect(c1, {
      dns: ['198.51.100.53'],
      dnsSearch: ['test'],
      dnsOptions: ['ndots:2', 'timeout:1'],
    });
    expect([ep.dns, ep.dnsSearch, ep.dnsOptions]).toEqual([['198.51.100.53'], ['test'], ['ndots:2', 'timeout:1']]);
    expect(fs.existsSync(`/etc/netns/${c1.name}/hosts`)).toBe(false);
    const resolv = fs.readFileSync(`/etc/netns/${c1.name}/resolv.conf`, 'utf8').split('\n').slice(1);
    expect(resolv.filter((l) => /^(nameserver|search|options) /.test(l))).toEqual([
      'nameserver 198.51.100.53',
      'search test',
      'options ndots:2 timeout:1',
    ]);
    expect(resolv).toContain('# Overrides: [nameservers search options]');
    // The search domain makes 'example' example.test, asked of the member's server from inside it.
    expect((await c1.exec('getent', ['ahostsv4', 'example'])).stdout).toContain('198.51.100.80');
    await net.disconnect(c1);
    expect(fs.existsSync(`/etc/netns/${c1.name}`)).toBe(false);
  });

  it('the files are rewritten in place: a program already running sees a member who joins later', async () => {
    const net = await Network.create(netName());
    const c1 = await freshNamespace();
    await net.connect(c1);
    const late = uniqueName();
    const inode = fs.statSync(`/etc/netns/${c1.name}/hosts`).ino;
    const waiter = c1.spawn('sh', ['-c', `until getent hosts ${late}; do sleep 0.05; done`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    waiter.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => waiter.on('exit', resolve));
    const ns = cleanupLater(await Namespace.create(late));
    const ep = await net.connect(ns);
    expect(await exited).toBe(0);
    expect(out).toContain(ep.address.split('/')[0]);
    expect(fs.statSync(`/etc/netns/${c1.name}/hosts`).ino).toBe(inode);
  });

  it('a member of one network does not find a member of another; on both, it finds both', async () => {
    const a = await Network.create(netName());
    const b = await Network.create(netName());
    const [x, y, both] = [await freshNamespace(), await freshNamespace(), await freshNamespace()];
    await a.connect(x);
    await b.connect(y);
    const ab = await a.connect(both);
    const bb = await b.connect(both);
    expect((await x.exec('getent', ['hosts', y.name as string])).exitCode).not.toBe(0);
    expect((await y.exec('getent', ['hosts', x.name as string])).exitCode).not.toBe(0);
    expect((await x.exec('getent', ['hosts', both.name as string])).stdout).toContain(ab.address.split('/')[0]);
    expect((await y.exec('getent', ['hosts', both.name as string])).stdout).toContain(bb.address.split('/')[0]);
    expect((await both.exec('getent', ['hosts', x.name as string])).exitCode).toBe(0);
    expect((await both.exec('getent', ['hosts', y.name as string])).exitCode).toBe(0);
  });

  it('names go when a member leaves; the files go when the namespace is on no dns network', async () => {
    const net = await Network.create(netName());
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    await net.connect(c1);
    await net.connect(c2);
    expect(fs.readFileSync(`/etc/netns/${c1.name}/hosts`, 'utf8')).toContain(`\t${c2.name}`);
    await net.disconnect(c2);
    expect(fs.readFileSync(`/etc/netns/${c1.name}/hosts`, 'utf8')).not.toContain(`\t${c2.name}`);
    expect(fs.existsSync(`/etc/netns/${c2.name}`)).toBe(false);
    // Joining again: its directory and both files are made again.
    await net.connect(c2);
    expect(fs.readFileSync(`/etc/netns/${c2.name}/hosts`, 'utf8')).toContain(`\t${c1.name}`);
    expect(fs.readFileSync(`/etc/netns/${c2.name}/resolv.conf`, 'utf8')).toContain('nameserver 127.0.0.11');
    // Deleted without a disconnect: gone at the next reconcile.
    await c2.delete();
    await net.endpoints();
    expect(fs.readFileSync(`/etc/netns/${c1.name}/hosts`, 'utf8')).not.toContain(`\t${c2.name}`);
    expect(fs.existsSync(`/etc/netns/${c2.name}`)).toBe(false);
  });

  it("a member's resolv.conf follows the host's, even edited in place, at the next change of names", async () => {
    const net = await Network.create(netName());
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    await net.connect(c1);
    const original = fs.readFileSync('/etc/resolv.conf', 'utf8');
    // The process remembers a file it read only once the file is 100 ms old (names.ts: file
    // times are coarse); wait that long, so that the next change reads and remembers both.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await net.connect(c2);
    expect(fs.readFileSync(`/etc/netns/${c1.name}/resolv.conf`, 'utf8')).not.toContain('netns-native.test');
    try {
      // Same inode, a new length and times: the remembered version no longer matches.
      fs.writeFileSync('/etc/resolv.conf', `search netns-native.test\n${original}`);
      await net.disconnect(c2);
      expect(fs.readFileSync(`/etc/netns/${c1.name}/resolv.conf`, 'utf8')).toMatch(/^search netns-native\.test$/m);
    } finally {
      fs.writeFileSync('/etc/resolv.conf', original);
    }
  });

  it("with systemd-resolved's stub as the host's only server, members' files come from resolved's own file", async () => {
    const original = fs.readFileSync('/etc/resolv.conf', 'utf8');
    // /run is the test environment's own tmpfs, /etc an overlay of it.
    fs.mkdirSync('/run/systemd/resolve', { recursive: true });
    fs.writeFileSync('/run/systemd/resolve/resolv.conf', 'nameserver 198.51.100.54\nsearch resolved.test\n');
    fs.writeFileSync('/etc/resolv.conf', 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch stub.test\n');
    try {
      const net = await Network.create(netName());
      const plain = await Network.create(netName(), { dns: false });
      const [c1, c2] = [await freshNamespace(), await freshNamespace()];
      await net.connect(c1);
      const withNames = fs.readFileSync(`/etc/netns/${c1.name}/resolv.conf`, 'utf8');
      expect(withNames).toMatch(/^search resolved\.test$/m);
      expect(withNames).not.toContain('stub.test');
      expect(withNames).toContain("# Based on host file: '/run/systemd/resolve/resolv.conf' (internal resolver)");
      expect(withNames).toContain('# ExtServers: [host(198.51.100.54)]');
      const dns = await net.serveDns();
      try {
        expect(dns.upstream).toEqual(['198.51.100.54:53']);
      } finally {
        await dns.close();
      }
      // Without names: resolved's servers go into the file (the stub would not answer inside).
      await plain.connect(c2, { dnsSearch: ['c2.test'] });
      const legacy = fs.readFileSync(`/etc/netns/${c2.name}/resolv.conf`, 'utf8');
      expect(legacy).toMatch(/^nameserver 198\.51\.100\.54$/m);
      expect(legacy).not.toContain('127.0.0.53');
      // A stub among other servers is not resolved's alone: /etc/resolv.conf is read as it is.
      fs.writeFileSync('/etc/resolv.conf', 'nameserver 127.0.0.53\nnameserver 198.51.100.55\n');
      await plain.disconnect(c2);
      await plain.connect(c2, { dnsSearch: ['c2.test'] });
      const mixed = fs.readFileSync(`/etc/netns/${c2.name}/resolv.conf`, 'utf8');
      expect(mixed).toMatch(/^nameserver 198\.51\.100\.55$/m);
      expect(mixed).toContain("# Based on host file: '/etc/resolv.conf' (legacy)");
    } finally {
      fs.writeFileSync('/etc/resolv.conf', original);
      fs.rmSync('/run/systemd', { recursive: true, force: true });
    }
  });
});

describeKernel('Network names: the embedded DNS server', () => {
  beforeEach(useTestPools);

  // Each network served() makes in a test has subnets of its own: 198.19.145.0/24 and
  // fd00:a4:145::/64, then .146 (a test makes two at most; its networks go after it).
  let servedInTest = 0;
  beforeEach(() => {
    servedInTest = 0;
  });

  async function served(options: { upstream?: string[] } = {}) {
    const third = 145 + servedInTest++;
    const net = await Network.create(netName(), {
      subnet: `198.19.${third}.0/24`,
      ipv6Subnet: `fd00:a4:${third}::/64`,
    });
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    const e1 = await net.connect(c1, { aliases: ['web'] });
    const e2 = await net.connect(c2);
    const dns = await net.serveDns(options);
    cleanupAfter(() => dns.close());
    return { net, c1, c2, e1, e2, dns };
  }

  it('answers A and AAAA for names and aliases of members, case-insensitively, over UDP and TCP', async () => {
    const { net, c1, c2, e1, e2 } = await served({ upstream: [] });
    const v4 = (a: string) => a.split('/')[0];
    expect(data(await ask(c1, 'WEB'))).toEqual([v4(e1.address)]);
    expect(data(await ask(c1, `${c2.name}.${net.name}`))).toEqual([v4(e2.address)]);
    expect(data(await ask(c2, c1.name as string))).toEqual([v4(e1.address)]);
    expect(data(await ask(c1, (c2.name as string).toUpperCase(), 'AAAA'))).toEqual([v4(e2.ipv6Address as string)]);
    const tcp = await ask(c2, 'web', 'A', true);
    expect([tcp?.flag_aa, tcp?.flag_ra]).toEqual([false, true]); // as Docker: RA, no AA
    expect(data(tcp)).toEqual([v4(e1.address)]);
    // PTR: one name, NAME.NETWORK, for each address of a member with aliases, as Docker answers.
    const reverse = `${(v4(e1.address) as string).split('.').reverse().join('.')}.in-addr.arpa`;
    expect(data(await ask(c2, reverse, 'PTR'))).toEqual([`${c1.name}.${net.name}`]);
    // No upstream: SERVFAIL for other names, not silence.
    expect((await ask(c1, 'example.test'))?.rcode).toBe('SERVFAIL');
    // Garbage with a DNS header: FORMERR with its id; the server goes on answering.
    const socket = await c1.createUdpSocket('udp4');
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]);
    const formerr = await new Promise<Reply>((resolve) => {
      socket.once('message', (msg) => resolve(dnsPacket.decode(msg) as Reply));
      socket.send(garbage, 53, '127.0.0.11');
    });
    socket.close();
    expect([formerr.id, formerr.rcode]).toEqual([0x1234, 'FORMERR']);
    expect(data(await ask(c1, 'web'))).toEqual([v4(e1.address)]);
  });

  it('forwards other names upstream from the host namespace; glibc inside resolves through it', async () => {
    const upstream = await startUpstream();
    const { c1 } = await served({ upstream: ['198.51.100.53'] });
    expect(data(await ask(c1, 'example.test'))).toEqual(['198.51.100.80']);
    expect((await ask(c1, 'nothing.test'))?.rcode).toBe('NXDOMAIN');
    expect(upstream.queries).toEqual(['example.test', 'nothing.test']);
    const r = await c1.exec('getent', ['ahostsv4', 'example.test']);
    expect(r.stdout).toContain('198.51.100.80');
  });

  it("a member's own dns servers: its upstream, asked from inside it, over UDP and TCP; another member keeps the network's", async () => {
    const upstream = await startUpstream();
    // The member's own server, next to the network's in the outside namespace: 198.51.100.54
    // answers example.test with 198.51.100.81, and records who asked. Without masquerading, a
    // query from inside the member comes from the member's address (the outside routes the
    // subnet back through the host), one from the host namespace from 198.51.100.1.
    const own = await startOwnServer(upstream.ns, '198.51.100.54');
    await upstream.ns.addRoute({ destination: '198.19.147.0/24', gateway: '198.51.100.1' });
    const net = await Network.create(netName(), { subnet: '198.19.147.0/24', ipMasquerade: false });
    const [c1, c2, c3] = [await freshNamespace(), await freshNamespace(), await freshNamespace()];
    const e1 = await net.connect(c1, { dns: ['198.51.100.54'] });
    const e2 = await net.connect(c2);
    // Options of its own with ndots: as Docker, its unknown single-label names are answered here.
    await net.connect(c3, { dnsOptions: ['ndots:1'] });
    const dns = await net.serveDns({ upstream: ['198.51.100.53'] });
    cleanupAfter(() => dns.close());
    const v4 = (a: string) => a.split('/')[0] as string;

    expect(data(await ask(c1, 'example.test'))).toEqual(['198.51.100.81']);
    expect(data(await ask(c1, 'example.test', 'A', true))).toEqual(['198.51.100.81']);
    expect(own.asked).toEqual([`udp ${v4(e1.address)} example.test`, `tcp ${v4(e1.address)} example.test`]);
    expect(upstream.queries).toEqual([]);
    // Members' names are still answered by the embedded server, not forwarded.
    expect(data(await ask(c1, c2.name as string))).toEqual([v4(e2.address)]);
    expect(own.asked).toHaveLength(2);

    expect(data(await ask(c2, 'example.test'))).toEqual(['198.51.100.80']);
    expect(upstream.queries).toEqual(['example.test']);
    expect(own.asked).toHaveLength(2);

    const single = await ask(c3, 'nosuch');
    expect([single?.rcode, single?.answers]).toEqual(['NOERROR', []]);
    expect((await ask(c2, 'nosuch'))?.rcode).toBe('NXDOMAIN'); // the host sets no ndots: forwarded
    expect(upstream.queries).toEqual(['example.test', 'nosuch']);

    // glibc inside the member goes the same way (its resolv.conf names 127.0.0.11 alone).
    expect((await c1.exec('getent', ['ahostsv4', 'example.test'])).stdout).toContain('198.51.100.81');
    const resolv = fs.readFileSync(`/etc/netns/${c1.name}/resolv.conf`, 'utf8');
    expect(resolv.split('\n').filter((l) => /^(nameserver|# ExtServers|# Overrides)/.test(l))).toEqual([
      'nameserver 127.0.0.11',
      '# ExtServers: [198.51.100.54]',
      '# Overrides: [nameservers]',
    ]);
    // Read back by another open of the network, as the state file has them.
    const again = await Network.open(net.name);
    const eps = await again.endpoints();
    expect(eps.map((ep) => [ep.name, ep.dns, ep.dnsOptions])).toEqual([
      [c1.name, ['198.51.100.54'], undefined],
      [c2.name, undefined, undefined],
      [c3.name, undefined, ['ndots:1']],
    ]);
  });

  it("answers ANY, TXT and the rest as Docker does: upstream's to say, a member's name too; MX of a member is NOERROR", async () => {
    const upstream = await startUpstream();
    const { c1, c2, e2 } = await served({ upstream: ['198.51.100.53'] });
    const name = c2.name as string;
    const reverse = `${(e2.address.split('/')[0] as string).split('.').reverse().join('.')}.in-addr.arpa`;
    for (const type of ['ANY', 'TXT', 'SRV', 'CNAME', 'PTR'] as const) {
      // Upstream does not know the member: its NXDOMAIN is the answer.
      const r = await ask(c1, name, type as dnsPacket.RecordType);
      expect([type, r?.rcode, r?.answers]).toEqual([type, 'NXDOMAIN', []]);
    }
    expect((await ask(c1, reverse, 'ANY' as dnsPacket.RecordType))?.rcode).toBe('NXDOMAIN');
    expect(upstream.typed).toEqual([
      `ANY ${name}`,
      `TXT ${name}`,
      `SRV ${name}`,
      `CNAME ${name}`,
      `PTR ${name}`,
      `ANY ${reverse}`,
    ]);
    // Served here, never asked upstream: A, AAAA, MX (no record, NOERROR) of the member, PTR of
    // its address.
    const mx = await ask(c1, name, 'MX');
    expect([mx?.rcode, mx?.answers]).toEqual(['NOERROR', []]);
    expect(data(await ask(c1, name, 'A'))).toEqual([e2.address.split('/')[0]]);
    expect(data(await ask(c1, name, 'AAAA'))).toEqual([(e2.ipv6Address as string).split('/')[0]]);
    expect((await ask(c1, reverse, 'PTR'))?.rcode).toBe('NOERROR');
    expect(upstream.typed).toHaveLength(6);

    // With no upstream server, ANY of a member is SERVFAIL, as for any name it must forward.
    const { c1: d1, c2: d2 } = await served({ upstream: [] });
    expect((await ask(d1, d2.name as string, 'ANY' as dnsPacket.RecordType))?.rcode).toBe('SERVFAIL');
  });

  it("as Docker, answers whatever a query's class; with ndots in the host's resolv.conf, A/AAAA of an unknown single-label name is NOERROR, not forwarded", async () => {
    const upstream = await startUpstream();
    const net = await Network.create(netName(), { subnet: '198.19.126.0/24' });
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    await net.connect(c1);
    const e2 = await net.connect(c2);
    const dns = await net.serveDns({ upstream: ['198.51.100.53'] });
    // A CHAOS-class A query of a member's name: answered here, with its IN record.
    const chaos = await ask(c1, c2.name as string, 'A', false, 3000, 'CH');
    expect([chaos?.rcode, data(chaos), (chaos?.answers?.[0] as { class?: string } | undefined)?.class]).toEqual([
      'NOERROR',
      [e2.address.split('/')[0]],
      'IN',
    ]);
    // This host's resolv.conf sets no ndots: a single-label name goes upstream, as in Docker.
    expect((await ask(c1, 'nosuch'))?.rcode).toBe('NXDOMAIN');
    expect(upstream.queries).toEqual(['nosuch']);
    await dns.close();

    // A server whose host resolv.conf sets ndots: `network dns` in a mount namespace of its own.
    const dir = fs.mkdtempSync('/tmp/nnt-resolv-');
    cleanupAfter(async () => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(`${dir}/resolv.conf`, 'nameserver 198.51.100.53\noptions edns0 ndots:2\n');
    const child = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount --bind "$0" /etc/resolv.conf && exec "$1" "$2" network dns "$3"',
        `${dir}/resolv.conf`,
        process.execPath,
        cliMain(),
        net.name,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      await waitFor('the DNS server to say it serves', () => out.includes('serving'));
      for (const type of ['A', 'AAAA'] as const) {
        const r = await ask(c1, 'nosuch', type);
        expect([type, r?.rcode, r?.answers, r?.flag_ra]).toEqual([type, 'NOERROR', [], true]);
      }
      // Other types, and names with a dot, go upstream as ever; members are answered as ever.
      expect((await ask(c1, 'nosuch', 'MX'))?.rcode).toBe('NXDOMAIN');
      expect((await ask(c1, 'nothing.test'))?.rcode).toBe('NXDOMAIN');
      expect(data(await ask(c1, c2.name as string))).toEqual([e2.address.split('/')[0]]);
      expect(upstream.queries).toEqual(['nosuch', 'nosuch', 'nothing.test']);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it('SERVFAIL within 2 s when no upstream server answers', async () => {
    await startUpstream(); // 198.51.100.0/24 is on-link, 198.51.100.54 is nobody
    const { c1 } = await served({ upstream: ['198.51.100.54'] });
    const reply = await ask(c1, 'example.test', 'A', false, 2500);
    expect(reply?.rcode).toBe('SERVFAIL');
    const viaTcp = await ask(c1, 'example.test', 'A', true, 2500);
    expect(viaTcp?.rcode).toBe('SERVFAIL');
  });

  it('asks the next upstream server after 400 ms without an answer, or at once after a refusal, over UDP and TCP alike', async () => {
    await startUpstream(); // 198.51.100.77 and .78 are nobody; 198.51.100.53:5353 refuses
    const { net: network, c1, dns } = await served({ upstream: ['198.51.100.77', '198.51.100.53'] });
    const timed = async (tcp: boolean) => {
      const start = Date.now();
      const reply = await ask(c1, 'example.test', 'A', tcp, 2500);
      return { tcp, rcode: reply?.rcode, data: data(reply), ms: Date.now() - start };
    };
    // The first server never answers: the second one is asked 400 ms later and answers.
    for (const tcp of [false, true]) {
      const r = await timed(tcp);
      expect([r.tcp, r.rcode, r.data]).toEqual([tcp, 'NOERROR', ['198.51.100.80']]);
      expect(r.ms).toBeGreaterThanOrEqual(390);
      expect(r.ms).toBeLessThan(1800);
    }
    await dns.close();
    // The first server refuses (a port unreachable, a reset): the second one is asked at once.
    const refused = await network.serveDns({ upstream: ['198.51.100.53:5353', '198.51.100.53'] });
    cleanupAfter(() => refused.close());
    for (const tcp of [false, true]) {
      const r = await timed(tcp);
      expect([r.tcp, r.rcode, r.data]).toEqual([tcp, 'NOERROR', ['198.51.100.80']]);
      expect(r.ms).toBeLessThan(390);
    }
    await refused.close();
    // None answers: SERVFAIL within 2 s all the same.
    const dead = await network.serveDns({ upstream: ['198.51.100.77', '198.51.100.78'] });
    cleanupAfter(() => dead.close());
    for (const tcp of [false, true]) {
      const r = await timed(tcp);
      expect([r.tcp, r.rcode]).toEqual([tcp, 'SERVFAIL']);
      expect(r.ms).toBeLessThan(2000);
    }
  });

  it('an upstream SERVFAIL or REFUSED does not beat an answer from the next server; NXDOMAIN and NOTIMP are answers, as in Docker', async () => {
    const upstream = await startUpstream();
    const network = await Network.create(netName());
    const c1 = await freshNamespace();
    await network.connect(c1);
    const via = async (servers: string[]) => {
      const dns = await network.serveDns({ upstream: servers });
      cleanupAfter(() => dns.close());
      const out: Array<{ tcp: boolean; rcode: string | undefined; data: unknown[]; ms: number }> = [];
      for (const tcp of [false, true]) {
        const start = Date.now();
        const reply = await ask(c1, 'example.test', 'A', tcp, 2500);
        out.push({ tcp, rcode: reply?.rcode, data: data(reply), ms: Date.now() - start });
      }
      await dns.close();
      return out;
    };
    // An error reply comes at once: the next server is asked at once too, and its answer wins.
    for (const first of ['198.51.100.53:5302', '198.51.100.53:5305']) {
      for (const r of await via([first, '198.51.100.53'])) {
        expect([first, r.tcp, r.rcode, r.data]).toEqual([first, r.tcp, 'NOERROR', ['198.51.100.80']]);
        expect(r.ms).toBeLessThan(390);
      }
    }
    // Every server fails: SERVFAIL of our own, at once (an upstream's REFUSED is not passed on).
    for (const r of await via(['198.51.100.53:5305', '198.51.100.53:5302', '198.51.100.53:5305'])) {
      expect([r.tcp, r.rcode, r.data]).toEqual([r.tcp, 'SERVFAIL', []]);
      expect(r.ms).toBeLessThan(390);
    }
    // NXDOMAIN and NOTIMP are answers: passed on, the next server not asked.
    const asked = upstream.queries.length;
    for (const [first, rcode] of [
      ['198.51.100.53:5303', 'NXDOMAIN'],
      ['198.51.100.53:5304', 'NOTIMP'],
    ] as const) {
      for (const r of await via([first, '198.51.100.53']))
        expect([first, r.tcp, r.rcode]).toEqual([first, r.tcp, rcode]);
    }
    expect(upstream.queries).toHaveLength(asked);
  });

  it('a namespace only on internal networks gets members’ names but nothing forwarded: SERVFAIL at once, as Docker', async () => {
    const upstream = await startUpstream();
    const sealed = await Network.create(netName(), { internal: true });
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    await sealed.connect(c1);
    const e2 = await sealed.connect(c2);
    const dns = await sealed.serveDns({ upstream: ['198.51.100.53'] });
    cleanupAfter(() => dns.close());
    expect(data(await ask(c1, c2.name as string))).toEqual([e2.address.split('/')[0]]);
    for (const tcp of [false, true]) {
      const start = Date.now();
      expect((await ask(c1, 'example.test', 'A', tcp))?.rcode).toBe('SERVFAIL');
      expect(Date.now() - start).toBeLessThan(390);
    }
    expect((await ask(c1, '80.100.51.198.in-addr.arpa', 'PTR'))?.rcode).toBe('SERVFAIL');
    expect(upstream.queries).toEqual([]);
    // Also on a network that is not internal (and served): forwarded; off it again: sealed again.
    const open = await Network.create(netName());
    const openDns = await open.serveDns({ upstream: ['198.51.100.53'] });
    cleanupAfter(() => openDns.close());
    await open.connect(c1);
    await waitFor(
      'forwarding once on a network that is not internal',
      async () => (await ask(c1, 'example.test', 'A', false, 500))?.rcode === 'NOERROR',
    );
    expect(data(await ask(c1, 'example.test', 'A', true))).toEqual(['198.51.100.80']);
    await open.disconnect(c1);
    await waitFor(
      'no forwarding once on internal networks only again',
      async () => (await ask(c1, 'example.test', 'A', false, 500))?.rcode === 'SERVFAIL',
    );
    const asked = upstream.queries.length;
    expect((await ask(c1, 'example.test', 'A', true))?.rcode).toBe('SERVFAIL');
    expect((await ask(c2, 'example.test'))?.rcode).toBe('SERVFAIL');
    expect(upstream.queries).toHaveLength(asked);
    expect(data(await ask(c1, c2.name as string))).toEqual([e2.address.split('/')[0]]);
  });

  it('judges "only on internal networks" on every network the namespace is on, served or not (dns: false too), as Docker', async () => {
    const upstream = await startUpstream();
    const sealed = await Network.create(netName(), { internal: true });
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    await sealed.connect(c1);
    await sealed.connect(c2);
    const dns = await sealed.serveDns({ upstream: ['198.51.100.53'] });
    cleanupAfter(() => dns.close());
    expect((await ask(c1, 'example.test'))?.rcode).toBe('SERVFAIL');
    // Also on a network that is not internal, which no server serves (Docker's default bridge
    // has no names either): it has a way out, so its queries are forwarded, over UDP and TCP.
    const plain = await Network.create(netName(), { dns: false });
    await plain.connect(c1);
    await waitFor(
      'forwarding once also on a network that is not internal',
      async () => (await ask(c1, 'example.test', 'A', false, 500))?.rcode === 'NOERROR',
      3000,
    );
    expect(data(await ask(c1, 'example.test', 'A', true))).toEqual(['198.51.100.80']);
    expect(upstream.queries.length).toBeGreaterThanOrEqual(2);
    // c2, only on the internal network, still gets nothing forwarded.
    const asked = upstream.queries.length;
    expect((await ask(c2, 'example.test'))?.rcode).toBe('SERVFAIL');
    expect(upstream.queries).toHaveLength(asked);
    // Off it again: sealed again.
    await plain.disconnect(c1);
    await waitFor(
      'no forwarding once only on the internal network again',
      async () => (await ask(c1, 'example.test', 'A', false, 500))?.rcode === 'SERVFAIL',
      3000,
    );
  });

  it('a member of another network is not resolved: the query goes upstream, which does not know it', async () => {
    const upstream = await startUpstream();
    const { c1, net } = await served({ upstream: ['198.51.100.53'] });
    const other = await Network.create(netName());
    const d1 = await freshNamespace();
    const ed = await other.connect(d1);
    const otherDns = await other.serveDns({ upstream: ['198.51.100.53'] });
    cleanupAfter(() => otherDns.close());
    expect((await ask(c1, d1.name as string))?.rcode).toBe('NXDOMAIN');
    expect((await ask(d1, c1.name as string))?.rcode).toBe('NXDOMAIN');
    expect(data(await ask(d1, d1.name as string))).toEqual([ed.address.split('/')[0]]);
    expect(upstream.queries).toEqual([d1.name, c1.name]);
    void net;
  });

  it('serves members connected later, by this process at once and by another process within seconds', async () => {
    const { net, c1 } = await served({ upstream: [] });
    const c3 = await freshNamespace();
    const e3 = await net.connect(c3);
    expect(data(await ask(c1, c3.name as string))).toEqual([e3.address.split('/')[0]]);
    expect(data(await ask(c3, c1.name as string))).toHaveLength(1);
    const prefix = uniqueName('nnt-o');
    const child = await runChild(['connect', net.name, `${prefix}-`, '1']);
    expect([child.code, child.stderr]).toEqual([0, '']);
    const c4 = cleanupLater(await Namespace.open(`${prefix}-0`));
    const address = (JSON.parse(child.stdout) as Array<{ address: string }>)[0]?.address;
    let seen: Reply | undefined;
    await waitFor('the other process’s member to be served', async () => {
      seen = await ask(c1, c4.name as string, 'A', false, 500);
      return seen?.rcode === 'NOERROR';
    });
    expect(data(seen)).toEqual([address?.split('/')[0]]);
    await waitFor(
      'a responder inside the new member',
      async () => (await ask(c4, c1.name as string, 'A', false, 500)) !== undefined,
    );
  });

  it('the server of a removed network does not serve a network made since under the same name', async () => {
    const { net, dns } = await served({ upstream: [] });
    await net.remove({ force: true });
    const again = await Network.create(net.name);
    const c5 = await freshNamespace();
    await again.connect(c5);
    expect(dns.closed).toBe(false); // still open, serving nothing
    // No responder in the new member (the connect made the registry look at once): no answer,
    // and 127.0.0.11:53 is free there.
    expect(await ask(c5, c5.name as string, 'A', false, 1500)).toBeUndefined();
    const socket = await c5.createUdpSocket('udp4', { address: '127.0.0.11', port: 53 });
    socket.close();
    await again.remove({ force: true });
  });

  it('close() stops serving: 127.0.0.11:53 is free again in every member', async () => {
    const { c1, dns } = await served({ upstream: [] });
    await dns.close();
    const socket = await c1.createUdpSocket('udp4', { address: '127.0.0.11', port: 53 });
    socket.close();
    expect(dns.closed).toBe(true);
  });

  it('a second process cannot serve where one already does: EADDRINUSE, and nothing left open', async () => {
    const { net } = await served({ upstream: [] });
    const c9 = await freshNamespace();
    await net.connect(c9);
    // In this process a second serveDns shares the responders; the port is taken for anyone else.
    const second: DnsServer = await net.serveDns({ upstream: [] });
    await second.close();
    const busy = await freshNamespace();
    const u = await busy.link('lo').then(async (lo) => {
      await lo.up();
      return busy.createUdpSocket('udp4', { address: '127.0.0.11', port: 53 });
    });
    const third = await Network.create(netName());
    await third.connect(busy);
    await expect(third.serveDns({ upstream: [] })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    u.close();
  });
});
