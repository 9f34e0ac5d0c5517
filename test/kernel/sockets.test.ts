/**
 * Node sockets living in a namespace: listen / connect / createUdpSocket. The kernel's view
 * (`ss` run inside the namespace through iproute2) is the witness of where a socket lives.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { Namespace, NetnsError, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { operational, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** Two namespaces joined by a veth pair: a has 198.18.N.1/24 and fd00:N::1/64, b has .2 / ::2. */
async function pair(n: number): Promise<{ a: Namespace; b: Namespace }> {
  const a = await freshNamespace();
  const b = await freshNamespace();
  const { local, peer } = await VethPair.create({
    name: uniqueName('va'),
    peerName: uniqueName('vb'),
    namespace: a,
    peerNamespace: b,
  });
  await local.addAddress(`198.18.${n}.1/24`);
  await peer.addAddress(`198.18.${n}.2/24`);
  await local.addAddress(`fd00:${n}::1/64`, { nodad: true });
  await peer.addAddress(`fd00:${n}::2/64`, { nodad: true });
  await Promise.all([local.up(), peer.up(), a.link('lo').then((l) => l.up()), b.link('lo').then((l) => l.up())]);
  await operational(a.name, local.name);
  await operational(b.name, peer.name);
  return { a, b };
}

/** `ss` inside a namespace (iproute2 enters it): the listening TCP ports, or bound UDP ports. */
function ssPorts(ns: string | undefined, flags: '-Htln' | '-Huln'): number[] {
  const out = ns ? run('ip', ['netns', 'exec', ns, 'ss', flags]) : run('ss', [flags]);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(/:(\d+)\s/.exec(line.split(/\s+/).slice(3).join(' ') + ' ')?.[1]));
}

/** `ss` inside a namespace: the TCP sockets in one state towards one peer, as "addr:port" lines. */
function ssState(ns: string, state: string, dst: string): string[] {
  return run('ip', ['netns', 'exec', ns, 'ss', '-Htn', 'state', state, 'dst', dst]).trim().split('\n').filter(Boolean);
}

/** `nft -f -` inside a namespace (a ruleset of the test's own, gone with the namespace). */
function nftIn(ns: string, script: string): void {
  run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script);
}

function echoServer(): net.Server {
  return net.createServer((s) => s.pipe(s));
}

function once<T>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, resolve as (v: unknown) => void));
}

async function roundTrip(socket: net.Socket, text: string): Promise<string> {
  socket.write(text);
  let got = '';
  while (got.length < text.length) got += String(await once<Buffer>(socket, 'data'));
  return got;
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Destroys a TCP socket and resolves once its handle (and fd) is closed. */
async function destroyed(socket: net.Socket): Promise<void> {
  const closed = once(socket, 'close');
  socket.destroy();
  await closed;
}

/** Closes a UDP socket and resolves once it is closed. */
function closedUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

function connections(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
}

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

describeKernel('Namespace.listen / connect / createUdpSocket', () => {
  it('a TCP echo between two namespaces; the listener lives in the namespace only', async () => {
    const { a, b } = await pair(1);
    const server = echoServer();
    await a.listen(server, { port: 7001, host: '198.18.1.1' });
    try {
      expect(server.address()).toEqual({ address: '198.18.1.1', family: 'IPv4', port: 7001 });
      expect(ssPorts(a.name, '-Htln')).toContain(7001);
      expect(ssPorts(undefined, '-Htln')).not.toContain(7001);
      const socket = await b.connect({ host: '198.18.1.1', port: 7001 });
      expect(socket.remoteAddress).toBe('198.18.1.1');
      expect(socket.localAddress).toBe('198.18.1.2');
      expect(await roundTrip(socket, 'hello through the veth')).toBe('hello through the veth');
      socket.destroy();
    } finally {
      await close(server);
    }
  });

  it('the same connect from outside the namespaces fails', async () => {
    const { a } = await pair(2);
    const server = echoServer();
    await a.listen(server, { port: 7002, host: '198.18.2.1' });
    try {
      await expect(
        Namespace.current().connect({ host: '198.18.2.1', port: 7002, timeoutMs: 2000 }),
      ).rejects.toMatchObject({ name: 'NetnsError', code: 'ENETUNREACH' });
      const lonely = await freshNamespace();
      await (await lonely.link('lo')).up();
      await expect(lonely.connect({ host: '198.18.2.1', port: 7002, timeoutMs: 2000 })).rejects.toMatchObject({
        code: 'ENETUNREACH',
      });
    } finally {
      await close(server);
    }
  });

  it('connect reports ECONNREFUSED, and ETIMEDOUT when its timeoutMs runs out', async () => {
    const { a, b } = await pair(3);
    const where = `in namespace "${b.name}"`;
    const refused = await b.connect({ host: '198.18.3.1', port: 7999 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NetnsError);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED', operation: `connect to 198.18.3.1:7999 ${where}` });
    // refused because nothing listened there: once a listens, the same connect succeeds
    const server = echoServer();
    const silent = echoServer();
    await a.listen(server, { port: 7999, host: '198.18.3.1' });
    try {
      const socket = await b.connect({ host: '198.18.3.1', port: 7999 });
      expect(await roundTrip(socket, 'now')).toBe('now');
      await destroyed(socket);

      // A silent peer: a listens on 7998 but drops every SYN to it, so nothing ever answers.
      await a.listen(silent, { port: 7998, host: '198.18.3.1' });
      nftIn(
        a.name as string,
        'table inet nnt {\n chain in {\n type filter hook input priority 0; policy accept;\n tcp dport 7998 drop\n }\n}\n',
      );
      const timedOut = await b.connect({ host: '198.18.3.1', port: 7998, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(NetnsError);
      expect(timedOut).toMatchObject({
        code: 'ETIMEDOUT',
        operation: `connect to 198.18.3.1:7998 ${where}`,
        detail: 'no answer within 300 ms',
      });
      expect(ssState(b.name as string, 'syn-sent', '198.18.3.1:7998')).toEqual([]); // its socket is closed
      // The same connect with the default timeout is still waiting when the peer starts answering
      // (the kernel retransmits the SYN), so it succeeds: the 300 ms above is what failed it.
      const patient = b.connect({ host: '198.18.3.1', port: 7998 });
      await waitFor(() => ssState(b.name as string, 'syn-sent', '198.18.3.1:7998').length === 1, {
        what: 'the SYN of the second connect to be sent (and dropped)',
      });
      nftIn(a.name as string, 'delete table inet nnt');
      const late = await patient;
      expect(await roundTrip(late, 'late')).toBe('late');
      await destroyed(late);
    } finally {
      await Promise.all([close(server), silent.listening ? close(silent) : undefined]);
    }
  });

  it('IPv6 and the default host (dual stack) work', async () => {
    const { a, b } = await pair(4);
    const server = echoServer();
    await a.listen(server, { port: 0 });
    try {
      const { port, address } = server.address() as net.AddressInfo;
      expect(address).toBe('::');
      expect(port).toBeGreaterThan(0);
      const s6 = await b.connect({ host: 'fd00:4::1', port });
      expect(await roundTrip(s6, 'six')).toBe('six');
      s6.destroy();
      const s4 = await b.connect({ host: '198.18.4.1', port });
      expect(await roundTrip(s4, 'four')).toBe('four');
      s4.destroy();
    } finally {
      await close(server);
    }
  });

  it('a UDP exchange between two namespaces (IPv4 and IPv6)', async () => {
    const { a, b } = await pair(5);
    for (const [type, server, client] of [
      ['udp4', '198.18.5.1', undefined],
      ['udp6', 'fd00:5::1', 'fd00:5::2'],
    ] as const) {
      const s = await a.createUdpSocket(type, { address: server, port: 5353 });
      const c = await b.createUdpSocket(type, client ? { address: client } : undefined);
      try {
        expect(ssPorts(a.name, '-Huln')).toContain(5353);
        expect(ssPorts(undefined, '-Huln')).not.toContain(5353);
        s.on('message', (msg, rinfo) => s.send(`re:${msg}`, rinfo.port, rinfo.address));
        c.send('query', 5353, server);
        const reply = await new Promise<[Buffer, dgram.RemoteInfo]>((resolve) =>
          c.once('message', (msg, rinfo) => resolve([msg, rinfo])),
        );
        expect(String(reply[0])).toBe('re:query');
        expect(reply[1].address).toBe(type === 'udp4' ? '198.18.5.1' : server);
      } finally {
        s.close();
        c.close();
      }
    }
  });

  it('one process serves HTTP in several namespaces at once', async () => {
    const pairs = await Promise.all([6, 7, 8].map((n) => pair(n)));
    const servers = pairs.map((_, i) => http.createServer((req, res) => res.end(`server ${i} ${req.url}`)));
    await Promise.all(pairs.map(({ a }, i) => a.listen(servers[i] as http.Server, { port: 8080 })));
    try {
      // the same port in three namespaces: no conflict
      for (const { a } of pairs) expect(ssPorts(a.name, '-Htln')).toContain(8080);
      const answers = await Promise.all(
        pairs.map(async ({ b }, i) => {
          const socket = await b.connect({ host: `198.18.${6 + i}.1`, port: 8080 });
          socket.write('GET /x HTTP/1.0\r\n\r\n');
          let body = '';
          socket.on('data', (d: Buffer) => (body += d));
          await once(socket, 'end');
          socket.destroy();
          return body.split('\r\n\r\n')[1];
        }),
      );
      expect(answers).toEqual(['server 0 /x', 'server 1 /x', 'server 2 /x']);
      // a program in b (bash's /dev/tcp) reaches the server this process runs in a
      const { b } = pairs[0] as { b: Namespace };
      const r = await b.exec('bash', [
        '-c',
        'exec 3<>/dev/tcp/198.18.6.1/8080; printf "GET /y HTTP/1.0\\r\\n\\r\\n" >&3; cat <&3',
      ]);
      expect(r.stdout).toContain('server 0 /y');
    } finally {
      await Promise.all(servers.map((s) => close(s)));
    }
  });

  it('listen errors: EADDRNOTAVAIL, EADDRINUSE, already listening, bad input', async () => {
    const { a } = await pair(9);
    const server = echoServer();
    await expect(a.listen(server, { port: 7009, host: '198.18.10.1' })).rejects.toMatchObject({
      name: 'NetnsError',
      code: 'EADDRNOTAVAIL',
      message: expect.stringMatching(/not assigned to any link in the namespace/),
    });
    await a.listen(server, { port: 7009, host: '198.18.9.1' });
    try {
      await expect(a.listen(echoServer(), { port: 7009, host: '198.18.9.1' })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
      await expect(a.listen(server, { port: 7010 })).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/already listening/),
      });
    } finally {
      await close(server);
    }
    const bad = async (p: Promise<unknown>, message: RegExp): Promise<void> => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL' });
      expect((e as Error).message).toMatch(message);
    };
    await bad(a.listen(echoServer(), { port: 70000 }), /port must be an integer from 0 to 65535/);
    await bad(a.listen(echoServer(), { port: 80, host: 'localhost' }), /"localhost" is not a valid IPv4 or IPv6 host/);
    await bad(a.listen({} as net.Server, { port: 80 }), /must be a net.Server/);
    await bad(a.connect({ host: '198.18.9.1', port: 0 }), /port must be an integer from 1 to 65535/);
    await bad(a.createUdpSocket('udp4', { address: 'fd00::1' }), /a udp4 socket needs IPv4/);
    await bad(a.createUdpSocket('tcp' as 'udp4'), /must be 'udp4' or 'udp6'/);
  });

  it('no fd is leaked, and every thread stays in its home namespace', async () => {
    const { a, b } = await pair(11);
    const home = fs.readlinkSync('/proc/self/ns/net');
    const server = echoServer();
    await a.listen(server, { port: 7011, host: '198.18.11.1' });
    const serverSideClosed = (): Promise<boolean> =>
      waitFor(async () => (await connections(server)) === 0, {
        what: 'the server to have closed its side of every connection',
      });
    // warm up (lazily opened netlink sockets, worker threads)
    await destroyed(await b.connect({ host: '198.18.11.1', port: 7011 }));
    await closedUdp(await b.createUdpSocket('udp4'));
    await serverSideClosed();
    const baseline = openFds();
    for (let i = 0; i < 50; i++) {
      const s = await b.connect({ host: '198.18.11.1', port: 7011 });
      expect(await roundTrip(s, `m${i}`)).toBe(`m${i}`);
      await destroyed(s);
      await closedUdp(await (i % 2 ? a : b).createUdpSocket('udp4'));
      await expect(b.connect({ host: '198.18.11.1', port: 7999 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(b.listen(echoServer(), { port: 1, host: '198.18.99.1' })).rejects.toMatchObject({
        code: 'EADDRNOTAVAIL',
      });
    }
    await serverSideClosed();
    expect(openFds()).toBeLessThanOrEqual(baseline); // all 50 rounds gave back every fd they took
    await close(server); // resolves once the listening handle is closed
    // the server's fd went too (fewer is fine: handles of earlier tests may be finalized meanwhile)
    expect(openFds()).toBeLessThanOrEqual(baseline - 1);
    // Every thread is home, or back within moments: the namespace thread may be in the middle of
    // a job (a finalizer of an earlier test's namespace) when /proc is read.
    const away = () =>
      fs.readdirSync('/proc/self/task').filter((tid) => fs.readlinkSync(`/proc/self/task/${tid}/ns/net`) !== home);
    await waitFor(() => away().length === 0, { what: 'every thread to be back in its home namespace' });
  });
});
