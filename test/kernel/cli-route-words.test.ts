/**
 * The command's `route add|replace|append|prepend|delete` with the rest of ip's words (tos,
 * from, pref, expires, the metrics with lock, nexthop hops) and `route show`'s from and tos
 * selectors: each line given to ip in one namespace and to the command in another, then both
 * namespaces' routes compared as ip prints them; each selector printed by both in one namespace.
 * Addresses from 198.19.95.0/24-198.19.97.0/24 and fd00:ad::/32 only.
 */
import { cli, fails, ok, usage } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

const w = (line: string): string[] => line.split(' ');

/** ip's output without trailing blanks, seconds counting down made N, link-local lines dropped (their MACs differ). */
function normalized(text: string, json: boolean): unknown {
  if (json) {
    const all = JSON.parse(text.replace(/"expires":\d+/g, '"expires":"N"')) as Array<{ dst: string }>;
    return all.filter((r) => !r.dst.startsWith('fe80'));
  }
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\bexpires \d+sec/g, 'expires Nsec')
    .split('\n')
    .filter((line) => !line.includes('fe80'))
    .join('\n');
}

/** A namespace with e0 (198.19.95.1/24, fd00:ad::1/64) and its peer e1, both up. */
async function wired(): Promise<string> {
  const n = (await freshNamespace()).name as string;
  for (const line of [
    'link add e0 type veth peer name e1',
    'link set e0 up',
    'link set e1 up',
    'addr add 198.19.95.1/24 dev e0',
    'addr add fd00:ad::1/64 dev e0 nodad',
  ])
    ip(n, ...w(line));
  return n;
}

const ROUTES = (ipTable: string): string[] => [
  `-n NS route show table ${ipTable}`,
  `-n NS -6 route show table ${ipTable}`,
  `-n NS -j route show table ${ipTable}`,
  `-n NS -j -6 route show table ${ipTable}`,
];

/** What ip shows of both namespaces' routes: the same, line for line. */
function expectSameRoutes(a: string, b: string): void {
  for (const line of ROUTES('all')) {
    const args = w(line).slice(2);
    const json = args.includes('-j');
    expect([line, normalized(ip(b, ...args), json)]).toEqual([line, normalized(ip(a, ...args), json)]);
  }
}

describeKernel('netns-native route add: the rest of ip’s words', () => {
  it('tos, from, pref, expires, every metric (with lock), nexthop hops, append and prepend: the routes ip makes of the same lines', async () => {
    const [a, b] = [await wired(), await wired()];
    const lines = [
      'route add 198.19.96.0/24 via 198.19.95.2 tos 0x10 mtu lock 1400 advmss 1300 rtt 100ms rttvar 50ms rto_min 200ms initcwnd 10 initrwnd 20 quickack 1 congctl reno features ecn hoplimit 9 window 1000 cwnd lock 5 ssthresh 7 reordering 4 fastopen_no_cookie 1',
      // ip reads a TOS as hex: 10 is 0x10.
      'route add 198.19.96.0/24 via 198.19.95.2 dsfield 10 metric 5',
      'route add 198.19.96.128/25 via 198.19.95.2 rtt lock 1.5s rttvar 3 congctl lock cubic quickack 0',
      'route add 198.19.97.0/24 nexthop via 198.19.95.2 dev e0 weight 2 nexthop via 198.19.95.3 dev e0 weight 1 onlink',
      'route add fd00:ad:1::/64 from fd00:ad:2::/64 via fd00:ad::2 pref high expires 300',
      // Without a unit, a time is in the kernel's unit, sent as it is (rtt 100: 12.5 ms).
      'route add fd00:ad:3::/64 dev e0 rtt 100 rttvar 33 pref low',
      'route append fd00:ad:3::/64 via fd00:ad::4 dev e0',
      'route prepend 198.19.97.128/25 via 198.19.95.5',
      'route append 198.19.97.128/25 via 198.19.95.6',
      'route replace 198.19.96.128/25 via 198.19.95.7 mtu 1300',
    ];
    for (const line of lines) {
      ip(a, ...w(line));
      await ok('-n', b, ...w(line));
    }
    expectSameRoutes(a, b);
    // Delete takes the same words (a TOS is part of an IPv4 route's key).
    for (const line of [
      'route delete 198.19.96.0/24 tos 10 metric 5',
      'route delete fd00:ad:1::/64 from fd00:ad:2::/64',
    ]) {
      ip(a, ...w(line));
      await ok('-n', b, ...w(line));
    }
    expectSameRoutes(a, b);
  });

  it('route show tos T and from [root|match|exact] PREFIX select and print as ip', async () => {
    const n = await wired();
    for (const line of [
      'route add 198.19.96.0/24 via 198.19.95.2 tos 0x10',
      'route add 198.19.96.0/24 via 198.19.95.3',
      'route add 198.19.97.0/24 via 198.19.95.2 tos 0x08',
      'route add fd00:ad:1::/64 from fd00:ad:2::/64 via fd00:ad::2',
      'route add fd00:ad:1::/64 from fd00:ad:2:1::/64 via fd00:ad::2',
      'route add fd00:ad:5::/64 via fd00:ad::2',
    ])
      ip(n, ...w(line));
    for (const selector of [
      'route show tos 0x10',
      'route show tos 10',
      'route show dsfield 8',
      'route show tos 0',
      '-6 route show from fd00:ad:2::/64',
      '-6 route show from exact fd00:ad:2::/64',
      '-6 route show from root fd00:ad::/32',
      '-6 route show from match fd00:ad:2::1',
      '-6 route show from match fd00:ad:2:1::/64',
      '-6 route show from default',
      '-6 route show from root ::/0',
    ]) {
      for (const line of [selector, `-j ${selector}`]) {
        const args = w(line);
        const json = args.includes('-j');
        const run = await cli('-n', n, ...args);
        expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
        expect([line, normalized(run.stdout, json)]).toEqual([line, normalized(ip(n, ...args), json)]);
      }
    }
  });

  it('rule add reads a TOS as ip does: hex (tos 10 is 0x10)', async () => {
    const [a, b] = [await wired(), await wired()];
    const line = 'rule add from 198.19.96.0/24 tos 10 table 100 priority 10';
    ip(a, ...w(line));
    await ok('-n', b, ...w(line));
    expect(ip(b, 'rule', 'show', 'priority', '10')).toBe(ip(a, 'rule', 'show', 'priority', '10'));
    expect(ip(b, 'rule', 'show', 'priority', '10')).toContain('tos 0x10');
  });

  it('bad words: status 2 with a sentence naming the word, nothing changed', async () => {
    const n = await wired();
    const routesNow = (): unknown => normalized(ip(n, 'route', 'show', 'table', 'all'), false);
    const before = routesNow();
    for (const [pattern, line] of [
      [
        /^netns-native: route add: "encap xfrm" is ip's, not supported here$/,
        'route add 198.19.96.0/24 dev e0 encap xfrm if_id 1',
      ],
      [
        /^netns-native: route add: realms needs \[SRC\/\]DST, .* not "256\/1"$/,
        'route add 198.19.96.0/24 dev e0 realms 256/1',
      ],
      [/^netns-native: route add: realms is given twice$/, 'route add 198.19.96.0/24 dev e0 realm 1 realms 2'],
      [
        /^netns-native: route add: pref takes low, medium or high, not "top"$/,
        'route add fd00:ad:1::/64 dev e0 pref top',
      ],
      [/^netns-native: route add: features takes ecn, not "sack"$/, 'route add 198.19.96.0/24 dev e0 features sack'],
      [/^netns-native: route add: quickack takes 0 or 1, not "2"$/, 'route add 198.19.96.0/24 dev e0 quickack 2'],
      [/^netns-native: route add: rtt needs a time .* not "soon"$/, 'route add 198.19.96.0/24 dev e0 rtt soon'],
      [
        /^netns-native: route add: tos needs a TOS: hex from 0 to ff .* not "100"$/,
        'route add 198.19.96.0/24 dev e0 tos 100',
      ],
      [/^netns-native: route add: mtu is given twice$/, 'route add 198.19.96.0/24 dev e0 mtu 1400 mtu lock 1300'],
      [/^netns-native: route add: unexpected "metric"$/, 'route add 198.19.97.0/24 nexthop via 198.19.95.2 metric 5'],
      [
        /^netns-native: route add: nexthop via is given twice$/,
        'route add 198.19.97.0/24 nexthop via 198.19.95.2 via 198.19.95.3',
      ],
      [/^netns-native: route show: from needs a prefix/, 'route show from nosuch'],
      [/^netns-native: route show: "vrf" is ip's, not supported here$/, 'route show vrf blue'],
      [/^netns-native: route show: mark needs a number from 0 to 4294967295, not "bogus"$/, 'route show mark bogus'],
      [/^netns-native: route show: iif is given twice$/, 'route show iif e0 iif e1'],
    ] as const) {
      await usage('route', pattern, '-n', n, ...w(line));
    }
    expect(routesNow()).toEqual(before);
  });
});

/** A namespace with e0 (198.19.84.1/24, fd00:af::1/64) and its peer e1, both up. */
async function wiredRealms(): Promise<string> {
  const n = (await freshNamespace()).name as string;
  for (const line of [
    'link add e0 type veth peer name e1',
    'link set e0 up',
    'link set e1 up',
    'addr add 198.19.84.1/24 dev e0',
    'addr add fd00:af::1/64 dev e0 nodad',
  ])
    ip(n, ...w(line));
  return n;
}

describeKernel('netns-native route and rule: realms, route change', () => {
  it('realms on routes and hops (numbers, names, raw, SRC/), change and chg, delete by realms: the routes ip makes', async () => {
    const [a, b] = [await wiredRealms(), await wiredRealms()];
    const lines = [
      'route add 198.19.85.0/24 dev e0 realms 3/5',
      'route add 198.19.85.0/25 dev e0 realm 7 table 100',
      // 0 is cosmos in rt_realms; DST 0 prints as cosmos beside a source.
      'route add 198.19.85.128/25 via 198.19.84.2 realms 4/cosmos',
      // Above 255 only as a raw number: DST alone, or SRC << 16 | DST.
      'route add 198.19.86.0/24 via 198.19.84.2 realms 300',
      'route add 198.19.86.128/25 via 198.19.84.2 realms 0x30005',
      'route add 198.19.87.0/24 nexthop via 198.19.84.2 dev e0 realms 4 nexthop via 198.19.84.3 dev e0 realms cosmos/9 weight 2',
      'route replace 198.19.85.0/24 dev e0 realms 6/',
      'route change 198.19.86.0/24 via 198.19.84.3 realms 2/8',
      'route chg 198.19.85.0/25 dev e0 table 100',
      'route add 198.19.87.128/25 via 198.19.84.2 metric 5 realm 9',
      'route append 198.19.87.128/25 via 198.19.84.3 metric 5 realm 10',
    ];
    for (const line of lines) {
      ip(a, ...w(line));
      await ok('-n', b, ...w(line));
    }
    expectSameRoutes(a, b);
    // A delete with realms removes only the route with those realms (IPv4 keeps both appended);
    // the kernel matches them only beside a link or gateway (fib_nh_match).
    const del = 'route delete 198.19.87.128/25 dev e0 metric 5 realm 9';
    ip(a, ...w(del));
    await ok('-n', b, ...w(del));
    expectSameRoutes(a, b);
    expect(ip(b, 'route', 'show', '198.19.87.128/25')).toMatch(/realm 10/);
    expect(ip(b, 'route', 'show', '198.19.87.128/25')).not.toMatch(/realm 9/);
  });

  it('route change of a route that does not exist: ENOENT, as ip (nothing added)', async () => {
    const n = await wiredRealms();
    const routesNow = (): unknown => normalized(ip(n, 'route', 'show', 'table', 'all'), false);
    const before = routesNow();
    expect(() => ip(n, ...w('route change 198.19.86.0/24 dev e0'))).toThrow(/No such file or directory/);
    const stderr = await fails('ENOENT', '-n', n, ...w('route change 198.19.86.0/24 dev e0'));
    expect(stderr).toMatch(/cannot change route 198\.19\.86\.0\/24 dev e0 .*: no such route/);
    await fails('ENOENT', '-n', n, ...w('route change fd00:af:1::/64 dev e0'));
    expect(routesNow()).toEqual(before);
  });

  it('route show realms selects and prints as ip; route get prints the realms', async () => {
    const n = await wiredRealms();
    for (const line of [
      'route add 198.19.85.0/24 dev e0 realms 3/5',
      'route add 198.19.85.128/25 dev e0 realms 3/cosmos',
      'route add 198.19.86.0/24 dev e0 realm 5',
      'route add 198.19.86.128/25 dev e0 realm 7',
      'route add 198.19.87.0/24 dev e0 realm 300',
      'route add 198.19.87.128/25 nexthop via 198.19.84.2 dev e0 realms 1/5 nexthop via 198.19.84.3 dev e0',
    ])
      ip(n, ...w(line));
    for (const selector of [
      'route show',
      'route show realm 5',
      'route show realms 5',
      'route show realms 3/5',
      'route show realms 3/',
      'route show realms 3/0',
      'route show realms 3/cosmos',
      'route show realms 0/7',
      'route show realms 0x30005',
      'route show realms 300',
      'route show realms 0',
      'route show realms cosmos',
    ]) {
      for (const line of [selector, `-j ${selector}`]) {
        const args = w(line);
        const json = args.includes('-j');
        const run = await cli('-n', n, ...args);
        expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
        expect([line, normalized(run.stdout, json)]).toEqual([line, normalized(ip(n, ...args), json)]);
      }
    }
    const got = await cli('-n', n, 'route', 'get', '198.19.85.1');
    expect(got.stdout).toBe(ip(n, 'route', 'get', '198.19.85.1').replace(/[ \t]+$/gm, ''));
    expect(got.stdout).toContain('realms 3/5');
  });

  it('rule add|delete realms [SRC/]DST: the rules ip makes, printed as ip prints them', async () => {
    const [a, b] = [await wiredRealms(), await wiredRealms()];
    const lines = [
      'rule add from 198.19.84.0/24 table 5 realms 7 priority 100',
      'rule add from 198.19.85.0/24 table 5 realms 3/7 priority 101',
      'rule add to 198.19.85.0/24 table 5 realm 3/cosmos priority 102',
      'rule add to 198.19.86.0/24 table 5 realms 300 priority 103',
    ];
    for (const line of lines) {
      ip(a, ...w(line));
      await ok('-n', b, ...w(line));
    }
    expect(ip(b, 'rule', 'show')).toBe(ip(a, 'rule', 'show'));
    expect(ip(b, '-j', 'rule', 'show')).toBe(ip(a, '-j', 'rule', 'show'));
    // The command prints them as ip does (its IPv4 rules come first).
    const shown = await cli('-n', b, '-4', 'rule', 'show');
    expect(shown.stdout).toBe(ip(a, 'rule', 'show').replace(/[ \t]+$/gm, ''));
    // A delete by realms alone removes the rule with those realms.
    ip(a, ...w('rule delete realms 3/7'));
    await ok('-n', b, ...w('rule delete realms 3/7'));
    expect(ip(b, 'rule', 'show')).toBe(ip(a, 'rule', 'show'));
    expect(ip(b, 'rule', 'show')).not.toContain('realms 3/7');
  });
});
