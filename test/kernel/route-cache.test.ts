/**
 * Route exceptions (the route cache): ns.routes({ cache: true }), deleteRoute of an IPv6 one,
 * flushRoutes({ cache: true }), and the command's `route show cache`, `route flush cache` and
 * `route get` cache line, beside ip 6.1. Real exceptions: a sender, a router and a receiver
 * behind a link of MTU 1280; a 1400-byte UDP datagram (DF set, as Linux sends UDP by default)
 * from a socket in the sender makes the router answer "fragmentation needed" (IPv4) and "packet
 * too big" (IPv6), from which the sender's kernel learns the path MTU; a second router on the
 * router's bridge makes it send a redirect.
 * Addresses from 198.18.104.0/24 ... 198.18.107.0/24 and fd00:b6::/32 only.
 */
import type * as dgram from 'node:dgram';
import { type Namespace, type Route } from 'netns-native';
import { cli } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip, operational } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

const w = (line: string): string[] => line.split(' ');

/** What `ip -j route show cache` prints for one exception (the keys an exception has). */
interface IpCached {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  flags: string[];
  cache?: string[];
  expires?: number;
  metrics?: Array<Record<string, number>>;
  pref?: string;
}

interface World {
  sender: Namespace;
  /** The sender's name, for ip and the command. */
  s: string;
  router: Namespace;
  receiver: Namespace;
}

/**
 * sender s0 198.18.104.2/24 fd00:b6:104::2/64 — r0 .1 / ::1 router r1 198.18.105.1/24
 * fd00:b6:105::1/64 (MTU 1280) — d0 .2 / ::2 receiver (MTU 1280); the sender routes
 * 198.18.105.0/24 and fd00:b6:105::/64 through the router, the receiver back.
 */
async function topology(): Promise<World> {
  const sender = await freshNamespace();
  const router = await freshNamespace();
  const receiver = await freshNamespace();
  const [s, r, d] = [sender.name, router.name, receiver.name] as [string, string, string];
  ip(s, ...w(`link add s0 type veth peer name r0 netns ${r}`));
  ip(r, ...w(`link add r1 type veth peer name d0 netns ${d}`));
  for (const [n, lines] of [
    [
      s,
      [
        'addr add 198.18.104.2/24 dev s0',
        'addr add fd00:b6:104::2/64 dev s0 nodad',
        'link set s0 up',
        'route add 198.18.105.0/24 via 198.18.104.1',
        'route add fd00:b6:105::/64 via fd00:b6:104::1',
      ],
    ],
    [
      r,
      [
        'addr add 198.18.104.1/24 dev r0',
        'addr add fd00:b6:104::1/64 dev r0 nodad',
        'addr add 198.18.105.1/24 dev r1',
        'addr add fd00:b6:105::1/64 dev r1 nodad',
        'link set r0 up',
        'link set r1 mtu 1280 up',
      ],
    ],
    [
      d,
      [
        'addr add 198.18.105.2/24 dev d0',
        'addr add fd00:b6:105::2/64 dev d0 nodad',
        'link set d0 mtu 1280 up',
        'route add 198.18.104.0/24 via 198.18.105.1',
        'route add fd00:b6:104::/64 via fd00:b6:105::1',
      ],
    ],
  ] as const) {
    for (const line of lines) ip(n, ...w(line));
  }
  await router.setSysctl('net.ipv4.ip_forward', 1);
  await router.setSysctl('net.ipv6.conf.all.forwarding', 1);
  await operational(s, 's0');
  await operational(r, 'r0', 'r1');
  await operational(d, 'd0');
  return { sender, s, router, receiver };
}

/** The exceptions ip lists in the sender: IPv4, then IPv6. */
function ipCache(s: string): IpCached[] {
  const four = JSON.parse(ip(s, '-j', 'route', 'show', 'cache') || '[]') as IpCached[];
  const six = JSON.parse(ip(s, '-j', '-6', 'route', 'show', 'cache') || '[]') as IpCached[];
  return [...four, ...six];
}

/**
 * Sends 1400-byte datagrams from the sender to the receiver (IPv4, IPv6, or both) until the
 * sender's kernel holds the exceptions for them, as ip sees them.
 */
async function learn(world: World, families: Array<4 | 6> = [4, 6]): Promise<void> {
  const sockets: dgram.Socket[] = [];
  try {
    for (const family of families) {
      const socket = await world.sender.createUdpSocket(family === 4 ? 'udp4' : 'udp6');
      socket.on('error', () => undefined); // the receiver's port unreachable, on some kernels
      sockets.push(socket);
    }
    const wanted = (): boolean => {
      const dsts = ipCache(world.s).map((c) => c.dst);
      return families.every((f) => dsts.includes(f === 4 ? '198.18.105.2' : 'fd00:b6:105::2'));
    };
    await waitFor(
      async () => {
        await Promise.all(
          families.map(
            (f, i) =>
              new Promise<void>((resolve) =>
                (sockets[i] as dgram.Socket).send(
                  Buffer.alloc(1400),
                  9,
                  f === 4 ? '198.18.105.2' : 'fd00:b6:105::2',
                  () => resolve(),
                ),
              ),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        return wanted();
      },
      { what: `route exceptions for IPv${families.join(' and IPv')} in ${world.s}` },
    );
  } finally {
    for (const socket of sockets) socket.close();
  }
}

/** A listed exception as `ip -j route show cache` prints it (its keys, for what it has). */
function asIp(r: Route): IpCached {
  const out: IpCached = { dst: r.destination.replace(/\/(32|128)$/, ''), flags: [] };
  if (r.gateway !== undefined) out.gateway = r.gateway;
  if (r.link !== undefined) out.dev = r.link;
  if (r.metric !== undefined) out.metric = r.metric;
  if (r.family === 4) out.cache = r.cacheFlags ?? [];
  if (r.expires !== undefined) out.expires = r.expires;
  if (r.metrics !== undefined) out.metrics = [r.metrics as Record<string, number>];
  if (r.preference !== undefined) out.pref = r.preference;
  return out;
}

/** Text or JSON with each expiry's seconds made 0, and those seconds, in order. */
function splitExpiry(text: string): [string, number[]] {
  const seconds: number[] = [];
  const rest = text.replace(/(expires"?:? ?)(-?\d+)/g, (_all, word: string, n: string) => {
    seconds.push(Number(n));
    return `${word}0`;
  });
  return [rest, seconds];
}

/**
 * `read` (the library's or the command's view, as text or JSON) against ip's, read just before
 * and after it: the same but for the seconds left, which tick (a command run takes about a
 * second), so each of ours lies between ip's two readings.
 */
async function expectSameAsIp(what: string, ipRead: () => string, read: () => Promise<string>): Promise<void> {
  const [before, high] = splitExpiry(ipRead());
  const [ours, seconds] = splitExpiry(await read());
  const [, low] = splitExpiry(ipRead());
  const json = what.includes('-j') || what.startsWith('routes(');
  expect([what, json ? (JSON.parse(ours) as unknown) : ours]).toEqual([
    what,
    json ? (JSON.parse(before) as unknown) : before,
  ]);
  expect([what, seconds.length]).toEqual([what, high.length]);
  seconds.forEach((n, i) => {
    expect([what, n <= (high[i] as number) && n >= (low[i] as number)]).toEqual([what, true]);
  });
}

/** The command's output, after checking it succeeded quietly. */
async function cliOut(...args: string[]): Promise<string> {
  const run = await cli(...args);
  expect([args, run.code, run.stderr]).toEqual([args, 0, '']);
  return run.stdout;
}

/**
 * A redirect: sender s0 198.18.106.2/24 and a second router q0 198.18.106.3/24 on the router's
 * bridge (198.18.106.1/24), the router sending 198.18.107.0/24 on to q0. A packet from the
 * sender to 198.18.107.1 (a dummy of q) leaves the router by the link it came in on: the router
 * tells the sender to use 198.18.106.3 (ICMP redirect).
 */
async function redirecting(): Promise<{ sender: Namespace; s: string }> {
  const sender = await freshNamespace();
  const router = await freshNamespace();
  const second = await freshNamespace();
  const [s, r, q] = [sender.name, router.name, second.name] as [string, string, string];
  ip(s, ...w(`link add s0 type veth peer name rs netns ${r}`));
  ip(q, ...w(`link add q0 type veth peer name rq netns ${r}`));
  for (const [n, lines] of [
    [
      r,
      [
        'link add br0 type bridge',
        'link set rs master br0',
        'link set rq master br0',
        'link set rs up',
        'link set rq up',
        'link set br0 up',
        'addr add 198.18.106.1/24 dev br0',
        'route add 198.18.107.0/24 via 198.18.106.3',
      ],
    ],
    [s, ['addr add 198.18.106.2/24 dev s0', 'link set s0 up', 'route add 198.18.107.0/24 via 198.18.106.1']],
    [q, ['addr add 198.18.106.3/24 dev q0', 'link set q0 up', 'addr add 198.18.107.1/32 dev q0']],
  ] as const) {
    for (const line of lines) ip(n, ...w(line));
  }
  await router.setSysctl('net.ipv4.ip_forward', 1);
  for (const key of ['all', 'br0']) await router.setSysctl(`net.ipv4.conf.${key}.send_redirects`, 1);
  // The machine's settings are inherited by a new namespace (IPv4): the sender takes redirects.
  for (const key of ['all', 's0']) {
    await sender.setSysctl(`net.ipv4.conf.${key}.accept_redirects`, 1);
    await sender.setSysctl(`net.ipv4.conf.${key}.shared_media`, 1);
  }
  await operational(s, 's0');
  await operational(r, 'br0', 'rs', 'rq');
  await operational(q, 'q0');
  const socket = await sender.createUdpSocket('udp4');
  socket.on('error', () => undefined);
  try {
    const send = (to: string): Promise<void> =>
      new Promise((resolve) => socket.send(Buffer.alloc(64), 9, to, () => resolve()));
    await waitFor(
      async () => {
        // The new gateway must be a neighbour already (the kernel takes a redirect to a valid one).
        await send('198.18.106.3');
        await send('198.18.107.1');
        await new Promise((resolve) => setTimeout(resolve, 100));
        return ipCache(s).some((c) => c.dst === '198.18.107.1');
      },
      { what: `a redirect exception in ${s}` },
    );
  } finally {
    socket.close();
  }
  return { sender, s };
}

describeKernel('route exceptions (the route cache)', () => {
  it('routes({ cache: true }): the path MTUs learnt, IPv4 and IPv6, as ip -j route show cache lists them', async () => {
    const world = await topology();
    const { sender, s } = world;
    expect(await sender.routes({ cache: true })).toEqual([]);
    await learn(world);
    await expectSameAsIp(
      'routes({ cache: true })',
      () => JSON.stringify(ipCache(s)),
      async () => JSON.stringify((await sender.routes({ cache: true })).map(asIp)),
    );
    expect(ipCache(s)).toEqual([
      expect.objectContaining({ dst: '198.18.105.2', gateway: '198.18.104.1', dev: 's0', metrics: [{ mtu: 1280 }] }),
      expect.objectContaining({
        dst: 'fd00:b6:105::2',
        gateway: 'fd00:b6:104::1',
        dev: 's0',
        metrics: [{ mtu: 1280 }],
      }),
    ]);
    const [four, six] = await sender.routes({ cache: true });
    expect(four).toMatchObject({
      destination: '198.18.105.2/32',
      family: 4,
      cached: true,
      table: 254,
      metrics: { mtu: 1280 },
      expires: expect.any(Number) as unknown,
    });
    expect(four?.cacheFlags).toBeUndefined();
    expect(six).toMatchObject({ destination: 'fd00:b6:105::2/128', family: 6, cached: true, metric: 1024 });
    expect(four?.expires).toBeGreaterThan(500); // net.ipv4.route.mtu_expires: 600 s
    // Selected as routes are: by family, by table (none in table 100), by realm (none has one).
    expect((await sender.routes({ cache: true, family: 6 })).map((r) => r.destination)).toEqual(['fd00:b6:105::2/128']);
    expect(await sender.routes({ cache: true, table: 100 })).toEqual([]);
    expect((await sender.routes({ cache: true, table: 'all', family: 4 })).map((r) => r.destination)).toEqual([
      '198.18.105.2/32',
    ]);
    expect(await sender.routes({ cache: true, realm: 5 })).toEqual([]);
    // The routes themselves list none of them, as before.
    expect((await sender.routes()).some((r) => r.cached)).toBe(false);
    // The router and the receiver learnt nothing.
    expect(await world.router.routes({ cache: true })).toEqual([]);
  });

  it('the command: route show cache|cached|cloned, table cache, -6, -j, and route get with its cache line, as ip prints them', async () => {
    const world = await topology();
    const { s } = world;
    await learn(world);
    for (const line of [
      'route show cache',
      'route show cached',
      'route list cloned',
      'route show table cache',
      'route show cache 198.18.105.2',
      'route show cache dev s0',
      'route show cache via 198.18.104.1',
      'route show cache table all',
      '-6 route show cache',
      '-6 route show cache fd00:b6:105::2',
      'route get 198.18.105.2',
      'route get fd00:b6:105::2',
      'route get 198.18.104.1',
    ]) {
      const args = w(line);
      await expectSameAsIp(
        line,
        () => ip(s, ...args).replace(/[ \t]+$/gm, ''),
        () => cliOut('-n', s, ...args),
      );
    }
    // The exceptions' lines, as ip 6.1 prints them.
    const text = ip(s, 'route', 'show', 'cache').replace(/[ \t]+$/gm, '');
    expect(text).toMatch(/^198\.18\.105\.2 via 198\.18\.104\.1 dev s0\n {4}cache expires \d+sec mtu 1280\n$/);
    expect(ip(s, '-6', 'route', 'show', 'cache')).toMatch(
      /^fd00:b6:105::2 via fd00:b6:104::1 dev s0 metric 1024 expires \d+sec mtu 1280 pref medium/,
    );
    expect(ip(s, 'route', 'get', '198.18.105.2')).toMatch(/\n {4}cache expires \d+sec mtu 1280 \n$/);
    for (const line of ['-j route show cache', '-j -6 route show cache', '-j route show cache table all']) {
      const args = w(line);
      await expectSameAsIp(
        line,
        () => ip(s, ...args) || '[]',
        () => cliOut('-n', s, ...args),
      );
    }
  });

  it('deleteRoute of a listed IPv6 exception deletes it alone; an IPv4 one is refused', async () => {
    const world = await topology();
    const { sender, s } = world;
    await learn(world);
    const [four, six] = await sender.routes({ cache: true });
    await sender.deleteRoute(six as Route);
    expect(ipCache(s).map((c) => c.dst)).toEqual(['198.18.105.2']);
    // The route it was learnt under stays.
    expect(ip(s, '-6', 'route', 'show', 'fd00:b6:105::/64')).toMatch(/^fd00:b6:105::\/64 via fd00:b6:104::1 dev s0/);
    // Gone already: the kernel answers a delete of an exception it does not hold with success
    // (6.18), and touches nothing else.
    const routes6 = ip(s, '-6', 'route');
    await sender.deleteRoute(six as Route);
    expect(ip(s, '-6', 'route')).toBe(routes6);
    await expect(sender.deleteRoute(four as Route)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/an IPv4 route exception cannot be deleted alone/) as unknown,
    });
    expect(ipCache(s).map((c) => c.dst)).toEqual(['198.18.105.2']);
    expect(ip(s, 'route', 'show', '198.18.105.0/24')).toMatch(/^198\.18\.105\.0\/24 via 198\.18\.104\.1 dev s0/);
  });

  it('a redirect: its gateway and cache <redirected>, listed and printed as ip', async () => {
    const { sender, s } = await redirecting();
    await expectSameAsIp(
      'routes({ cache: true })',
      () => JSON.stringify(ipCache(s)),
      async () => JSON.stringify((await sender.routes({ cache: true })).map(asIp)),
    );
    expect(ipCache(s)).toEqual([
      expect.objectContaining({ dst: '198.18.107.1', gateway: '198.18.106.3', dev: 's0', cache: ['redirected'] }),
    ]);
    expect((await sender.routes({ cache: true }))[0]).toMatchObject({
      destination: '198.18.107.1/32',
      gateway: '198.18.106.3',
      cached: true,
      cacheFlags: ['redirected'],
    });
    for (const line of ['route show cache', '-j route show cache', 'route get 198.18.107.1']) {
      const args = w(line);
      await expectSameAsIp(
        line,
        () => ip(s, ...args).replace(/[ \t]+$/gm, ''),
        () => cliOut('-n', s, ...args),
      );
    }
    expect(ip(s, 'route', 'show', 'cache')).toMatch(
      /^198\.18\.107\.1 via 198\.18\.106\.3 dev s0 \n {4}cache <redirected> /,
    );
    // Flushed with the IPv4 cache; the route it was learnt under stays.
    await sender.flushRoutes({ cache: true, family: 4 });
    expect(ipCache(s)).toEqual([]);
    expect(ip(s, 'route', 'show', '198.18.107.0/24')).toMatch(/via 198\.18\.106\.1 dev s0/);
  });

  it('flushRoutes({ cache: true }): IPv4 through net.ipv4.route.flush, IPv6 one by one; the routes stay', async () => {
    const world = await topology();
    const { sender, s } = world;
    await learn(world);
    const routesBefore = ip(s, 'route') + ip(s, '-6', 'route');
    const six = await sender.flushRoutes({ cache: true, family: 6 });
    expect(six.map((r) => [r.destination, r.cached])).toEqual([['fd00:b6:105::2/128', true]]);
    expect(ipCache(s).map((c) => c.dst)).toEqual(['198.18.105.2']);
    const four = await sender.flushRoutes({ cache: true, family: 4 });
    expect(four.map((r) => [r.destination, r.cached])).toEqual([['198.18.105.2/32', true]]);
    expect(ipCache(s)).toEqual([]);
    expect(await sender.routes({ cache: true })).toEqual([]);
    expect(ip(s, 'route') + ip(s, '-6', 'route')).toBe(routesBefore);
    // Both at once; a link selects IPv6 ones (with family 6), here the one through s0.
    await learn(world);
    expect(await sender.flushRoutes({ cache: true, family: 6, link: 'lo' })).toEqual([]);
    expect(ipCache(s)).toHaveLength(2);
    expect((await sender.flushRoutes({ cache: true })).map((r) => r.destination)).toEqual([
      '198.18.105.2/32',
      'fd00:b6:105::2/128',
    ]);
    expect(ipCache(s)).toEqual([]);
    // Nothing to flush: nothing removed, no error.
    expect(await sender.flushRoutes({ cache: true })).toEqual([]);
  });

  it('the command: route flush cache (IPv4), -6 route flush cache, route flush cache table all, as ip flushes', async () => {
    const world = await topology();
    const { s } = world;
    // ip itself, first: what each leaves.
    await learn(world);
    ip(s, 'route', 'flush', 'cache');
    expect(ipCache(s).map((c) => c.dst)).toEqual(['fd00:b6:105::2']);
    ip(s, '-6', 'route', 'flush', 'cache');
    expect(ipCache(s)).toEqual([]);
    // The command, the same.
    await learn(world);
    expect(await cli('-n', s, 'route', 'flush', 'cache')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ipCache(s).map((c) => c.dst)).toEqual(['fd00:b6:105::2']);
    expect(await cli('-n', s, '-6', 'route', 'flush', 'cache', 'dev', 'lo')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(ipCache(s).map((c) => c.dst)).toEqual(['fd00:b6:105::2']);
    expect(await cli('-n', s, '-6', 'route', 'flush', 'cached')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ipCache(s)).toEqual([]);
    await learn(world);
    expect(await cli('-n', s, 'route', 'flush', 'cache', 'table', 'all')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(ipCache(s)).toEqual([]);
    // `dev` is ignored for IPv4, as ip ignores it (the kernel drops them all).
    await learn(world, [4]);
    expect(await cli('-n', s, 'route', 'flush', 'cache', 'dev', 'lo')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ipCache(s)).toEqual([]);
  });
});
