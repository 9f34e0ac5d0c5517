/**
 * A route exception's RTA_CACHEINFO figures (users, used, age; error): Route.cacheInfo, and the
 * command's `-s route show cache` and `route get` (with and without -s), text and -j, beside ip 6.1's. A real path
 * MTU exception: a 1400-byte UDP datagram from the sender to a receiver behind a link of MTU
 * 1280 makes the router answer "fragmentation needed" / "packet too big".
 * Addresses from 198.18.116.0/24 and fd00:b9::/32 only.
 */
import type * as dgram from 'node:dgram';
import type { Namespace } from 'netns-native';
import { cli } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip, operational } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

const w = (line: string): string[] => line.split(' ');

/**
 * sender s0 198.18.116.2/25 fd00:b9:1::2/64 — r0 .1 / ::1 router r1 198.18.116.129/25
 * fd00:b9:2::1/64 (MTU 1280) — d0 .130 / ::2 receiver (MTU 1280). Resolves with the sender
 * once it holds an exception for each family.
 */
async function learnt(): Promise<{ sender: Namespace; s: string }> {
  const [sender, router, receiver] = [await freshNamespace(), await freshNamespace(), await freshNamespace()];
  const [s, r, d] = [sender.name, router.name, receiver.name] as [string, string, string];
  ip(s, ...w(`link add s0 type veth peer name r0 netns ${r}`));
  ip(r, ...w(`link add r1 type veth peer name d0 netns ${d}`));
  for (const [n, lines] of [
    [
      s,
      [
        'addr add 198.18.116.2/25 dev s0',
        'addr add fd00:b9:1::2/64 dev s0 nodad',
        'link set s0 up',
        'route add 198.18.116.128/25 via 198.18.116.1',
        'route add fd00:b9:2::/64 via fd00:b9:1::1',
      ],
    ],
    [
      r,
      [
        'addr add 198.18.116.1/25 dev r0',
        'addr add fd00:b9:1::1/64 dev r0 nodad',
        'addr add 198.18.116.129/25 dev r1',
        'addr add fd00:b9:2::1/64 dev r1 nodad',
        'link set r0 up',
        'link set r1 mtu 1280 up',
      ],
    ],
    [
      d,
      [
        'addr add 198.18.116.130/25 dev d0',
        'addr add fd00:b9:2::2/64 dev d0 nodad',
        'link set d0 mtu 1280 up',
        'route add 198.18.116.0/25 via 198.18.116.129',
        'route add fd00:b9:1::/64 via fd00:b9:2::1',
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
  const sockets: dgram.Socket[] = [];
  try {
    for (const type of ['udp4', 'udp6'] as const) {
      const socket = await sender.createUdpSocket(type);
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    await waitFor(
      async () => {
        for (const [i, to] of ['198.18.116.130', 'fd00:b9:2::2'].entries()) {
          await new Promise<void>((resolve) =>
            (sockets[i] as dgram.Socket).send(Buffer.alloc(1400), 9, to, () => resolve()),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        const cached = ip(s, 'route', 'show', 'cache') + ip(s, '-6', 'route', 'show', 'cache');
        return cached.includes('198.18.116.130') && cached.includes('fd00:b9:2::2');
      },
      { what: `route exceptions in ${s}` },
    );
  } finally {
    for (const socket of sockets) socket.close();
  }
  return { sender, s };
}

/**
 * Text or JSON with the figures that tick (expires, users, used) made 0, and those figures; the
 * age left out whole: a route get's answer is a new dst entry, whose age (printed unless 0
 * ticks) may be there in one reading and not in the next.
 */
function splitFigures(text: string): [string, number[]] {
  const figures: number[] = [];
  const rest = text
    .replace(/ age \d+sec|,"age":\d+/g, '')
    .replace(/((?:expires|users|used)"?:? ?)(-?\d+)/g, (_all, word: string, n: string) => {
      figures.push(Number(n));
      return `${word}0`;
    });
  return [rest, figures];
}

/**
 * The command's output for `args` against ip's, read just before and after it: the same words
 * (and keys), each figure that ticks within what ip read (an age or expiry a second either way:
 * a command run takes about one).
 */
async function sameAsIp(s: string, args: string[]): Promise<void> {
  const ipRead = (): string => ip(s, ...args).replace(/[ \t]+$/gm, '');
  const before = splitFigures(ipRead());
  const run = await cli('-n', s, ...args);
  const after = splitFigures(ipRead());
  expect([args, run.code, run.stderr]).toEqual([args, 0, '']);
  const [ours, figures] = splitFigures(run.stdout);
  const json = args.includes('-j');
  const parse = (t: string): unknown => (json ? JSON.parse(t) : t);
  expect([args, parse(ours)]).toEqual([args, parse(before[0])]);
  expect([args, figures.length]).toEqual([args, before[1].length]);
  figures.forEach((n, i) => {
    const [a, b] = [before[1][i] as number, after[1][i] as number];
    expect([args, i, n >= Math.min(a, b) - 1 && n <= Math.max(a, b) + 1]).toEqual([args, i, true]);
  });
}

describeKernel('route exceptions: their cache figures (ip -s)', () => {
  it('Route.cacheInfo, and -s route show cache / route get, text and -j, as ip -s prints them', async () => {
    const { sender, s } = await learnt();
    const [four, six] = await sender.routes({ cache: true });
    expect(four).toMatchObject({ destination: '198.18.116.130/32', cached: true });
    expect(four?.cacheInfo).toEqual({
      users: expect.any(Number) as unknown,
      used: expect.any(Number) as unknown,
      ageMs: expect.any(Number) as unknown,
      error: 0,
    });
    expect(six).toMatchObject({ destination: 'fd00:b9:2::2/128', cached: true });
    expect(six?.cacheInfo?.error).toBe(0);
    // The routes of a table have none.
    expect((await sender.routes({ family: 6 })).filter((r) => r.cacheInfo !== undefined)).toEqual([]);
    // ip -s prints them (so the comparisons below compare something).
    expect(ip(s, '-s', 'route', 'show', 'cache')).toMatch(/ users \d+ .*age \d+sec/);
    expect((await cli('-n', s, '-s', 'route', 'show', 'cache')).stdout).toMatch(/ users \d+ .*age \d+sec/);
    for (const line of [
      '-s route show cache',
      '-s -6 route show cache',
      '-s -j route show cache',
      '-s -j -6 route show cache',
      'route show cache',
      '-s route get 198.18.116.130',
      '-s route get fd00:b9:2::2',
      '-s route get 198.18.116.1',
      '-j route get 198.18.116.130',
      '-s -j route get 198.18.116.130',
      '-s -j route get fd00:b9:2::2',
      '-j route get 198.18.116.1 from 198.18.116.2 mark 7',
      '-j route get 198.18.116.130 fibmatch',
      '-s route show',
      '-s -6 route show',
    ]) {
      await sameAsIp(s, w(line));
    }
  }, 180_000); // 15 command runs beside ip's: 38 s alone, more on a loaded machine
});
