/**
 * The `netns-native` command's link show, addr show and route show, run as a process beside
 * `ip`: for each selector, the same kernel state printed by both, compared line for line (ip's
 * trailing blanks aside) and, with -j, as parsed JSON. Bad selectors exit 2 naming the word.
 * Addresses from 198.19.105.0/24-198.19.112.0/24 and fd00:a6::/32 only.
 */
import { cli, usage } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** A command line written as one string: its words. */
const w = (line: string): string[] => line.split(' ');

/**
 * What ip prints for `ip -n NS ARGS`: text without the trailing blanks ip leaves on its lines,
 * or with -j the parsed JSON. Seconds that count down (`valid_lft 99sec`, `expires 98sec`) are
 * made N, as they may tick between the two runs.
 */
function normalized(text: string, json: boolean): unknown {
  if (json) {
    return JSON.parse(
      text.replace(/"(valid_life_time|preferred_life_time|expires)":(\d+)/g, (all, key: string, n: string) =>
        n === '4294967295' ? all : `"${key}":"N"`,
      ),
    );
  }
  return text.replace(/[ \t]+$/gm, '').replace(/\b(valid_lft|preferred_lft|expires) \d+sec/g, '$1 Nsec');
}

/**
 * Runs `netns-native -n NS ARGS` and `ip -n NS ARGS` and expects the same output, status 0 and
 * nothing on stderr. Both are run again should ip's output change meanwhile (the kernel adds
 * IPv6 link-local addresses and routes as links come up).
 */
async function sameAsIp(ns: string, line: string): Promise<void> {
  const args = w(line);
  const json = args.includes('-j');
  for (let attempt = 1; ; attempt++) {
    const before = normalized(ip(ns, ...args), json);
    const run = await cli('-n', ns, ...args);
    if (JSON.stringify(before) !== JSON.stringify(normalized(ip(ns, ...args), json)) && attempt < 5) continue;
    expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
    expect([line, normalized(run.stdout, json)]).toEqual([line, before]);
    return;
  }
}

/** Each line as text and as -j. */
async function bothAsIp(ns: string, lines: string[]): Promise<void> {
  for (const line of lines) {
    await sameAsIp(ns, line);
    await sameAsIp(ns, `-j ${line}`);
  }
}

/**
 * A namespace with what the library makes: a veth pair (e0 up, e1 a bridge's port), a bridge sw0
 * (up), an ifb in group 5, a tap and a tun, macvlans (bridge; passthru nopromisc) and a macvtap
 * on veths, a vxlan, a veth whose peer is in
 * another namespace; an alias and an alternative name; IPv4 addresses primary and secondary,
 * labelled, with a broadcast, point-to-point, with a lifetime; IPv6 with nodad, noprefixroute.
 */
async function populated(): Promise<{ n: string; other: string }> {
  const n = (await freshNamespace()).name as string;
  const other = (await freshNamespace()).name as string;
  for (const line of [
    'link add e0 type veth peer name e1',
    'link add sw0 type bridge',
    'link set e1 master sw0',
    'link add ifb0 type ifb',
    'link set ifb0 group 5',
    'tuntap add tap0 mode tap',
    'tuntap add tun0 mode tun',
    // Owners: named in /etc/passwd and /etc/group (root), and numbers no file names.
    'tuntap add tap1 mode tap user 0 group 0',
    'tuntap add tun1 mode tun user 54321 group 54321',
    'link add mv0 link e0 type macvlan mode bridge',
    'link add e2 type veth peer name e3',
    'link add mvp link e2 type macvlan mode passthru nopromisc',
    'link add mt0 link e3 type macvtap mode vepa',
    'link add vx0 type vxlan id 42 dstport 4789 local 198.19.105.1',
    `link add o0 type veth peer name o1 netns ${other}`,
    'link set e0 up',
    'link set sw0 up',
    'link set dev e0 alias first-veth',
    'link property add dev e0 altname e0-alt',
    'addr add 198.19.105.1/24 dev e0',
    'addr add 198.19.105.2/24 dev e0',
    'addr add 198.19.106.1/24 brd + label e0:x dev e0',
    'addr add fd00:a6::1/64 dev e0 nodad',
    'addr add 198.19.107.1 peer 198.19.107.2 dev sw0',
    'addr add fd00:a6:1::1/64 dev sw0 nodad noprefixroute',
    'addr add 198.19.108.1/24 dev sw0 valid_lft 1000 preferred_lft 500',
    'addr add 198.19.109.1/24 brd + dev sw0 metric 77',
    'addr add fd00:a6:2::1/64 dev sw0 nodad metric 88',
  ]) {
    ip(n, ...w(line));
  }
  return { n, other };
}

describeKernel('netns-native link show, addr show, route show', () => {
  // Each command line runs ip twice and the command once, as text and as -j: minutes on a busy machine.
  jest.setTimeout(900_000);

  it('link show with each selector, -d, as ip link show prints it (text and -j)', async () => {
    const { n } = await populated();
    await bothAsIp(n, [
      'link',
      'link show',
      'l sh',
      'link list',
      'link show e0',
      'link show dev e0',
      'link show e0-alt',
      'link show o0',
      'link show up',
      'link show type veth',
      'link show type bridge_slave',
      'link show master sw0',
      'link show nomaster',
      'link show group 5',
      'link show group default',
      'link show type veth up',
      '-d link show lo',
      '-d link show e0',
      '-d link show ifb0',
      '-d link show tap0',
      '-d link show tun0',
      '-d link show tap1',
      '-d link show tun1',
      '-d link show mv0',
      '-d link show type macvlan',
      '-d link show mvp',
      '-d link show mt0',
      '-4 link show e0',
      '-6 link show type veth',
    ]);
    // The link-netns word names the peer's namespace, as ip finds it under /run/netns.
    expect(ip(n, 'link', 'show', 'o0')).toMatch(/ link-netns /);
  });

  it('addr show with each selector, -4 and -6, as ip addr show prints it (text and -j)', async () => {
    const { n } = await populated();
    await bothAsIp(n, [
      'addr',
      'addr show',
      'a',
      'address list',
      'addr show e0',
      'addr show dev sw0',
      '-4 addr show',
      '-6 addr show',
      '-6 addr show dev e0',
      '-6 addr show up',
      'addr show scope global',
      'addr show scope host',
      'addr show scope link',
      'addr show scope all',
      'addr show to 198.19.105.0/24',
      'addr show to 198.19.105.2',
      'addr show to fd00:a6::/32',
      '-4 addr show to 198.19.105.0/24',
      'addr show label e0:*',
      'addr show label e0',
      'addr show label sw*',
      'addr show permanent',
      'addr show dynamic',
      'addr show up',
      'addr show type bridge',
      'addr show master sw0',
      'addr show group 5',
    ]);
  });

  it('route show with each selector, -4 and -6, table all and the local table, as ip route show prints it (text and -j)', async () => {
    const { n } = await populated();
    ip(n, ...w('link set e1 up'));
    for (const line of [
      'route add 198.19.110.0/24 via 198.19.105.254 metric 5',
      'route add 198.19.111.0/24 dev e0 table 100 proto static',
      'route add blackhole 198.19.112.0/24',
      'route add 198.19.109.0/24 nexthop via 198.19.105.3 weight 2 nexthop via 198.19.105.4',
      'route add 198.19.109.128/25 via 198.19.105.5 mtu lock 1400 advmss 1300',
      'route add default via 198.19.105.9',
      '-6 route add fd00:a6:5::/64 via fd00:a6::2 expires 100',
      '-6 route add fd00:a6:6::/64 dev e0 table 100',
    ]) {
      ip(n, ...w(line));
    }
    await bothAsIp(n, [
      'route',
      'route show',
      'r ls',
      'route list',
      'route show table 100',
      'route show table all',
      'route show table 0',
      'route show table main',
      'route show table local',
      '-6 route show',
      '-6 route show table all',
      '-6 route show table 100',
      '-4 route show table all',
      'route show table local type local',
      'route show table all type blackhole',
      'route show type unicast',
      'route show dev e0',
      'route show via 198.19.105.254',
      'route show via 198.19.105.0/24',
      'route show src 198.19.105.1',
      'route show proto kernel',
      'route show proto all',
      'route show scope link',
      'route show scope all',
      'route show metric 5',
      'route show root 198.19.0.0/16',
      'route show root 198.19.109.0/24',
      'route show match 198.19.109.200',
      'route show exact 198.19.110.0/24',
      'route show 198.19.110.0/24',
      'route show default',
      'route show fd00:a6::/64',
      '-6 route show root fd00:a6::/32',
      '-6 route show exact fd00:a6:5::/64',
    ]);
  });

  it('addr add and replace take metric (and its other names, priority and preference), as ip', async () => {
    const n = (await freshNamespace()).name as string;
    ip(n, ...w('link add e0 type veth peer name e1'));
    // So that the kernel keeps `optimistic` (it drops the flag elsewhere), for both to print it.
    run('ip', ['netns', 'exec', n, 'sysctl', '-qw', 'net.ipv6.conf.e0.optimistic_dad=1']);
    const metricOf = (address: string): unknown =>
      (JSON.parse(ip(n, '-j', 'addr', 'show', 'dev', 'e0')) as Array<{ addr_info: Array<Record<string, unknown>> }>)
        .flatMap((l) => l.addr_info)
        .find((a) => a.local === address)?.metric;
    for (const [line, address, metric] of [
      ['addr add 198.19.110.1/24 dev e0 metric 9', '198.19.110.1', 9],
      ['addr add 198.19.111.1/24 dev e0 priority 10', '198.19.111.1', 10],
      ['addr replace 198.19.110.1/24 dev e0 preference 3', '198.19.110.1', 3],
      ['addr add fd00:a6:3::1/64 dev e0 nodad metric 4', 'fd00:a6:3::1', 4],
      ['addr add 198.19.112.9/24 dev e0 noprefixroute', '198.19.112.9', undefined],
      ['addr add fd00:a6:4::1/64 dev e0 nodad mngtmpaddr noprefixroute', 'fd00:a6:4::1', undefined],
      ['addr add fd00:a6:4::2/64 dev e0 nodad home', 'fd00:a6:4::2', undefined],
      ['addr add fd00:a6:4::3/64 dev e0 optimistic', 'fd00:a6:4::3', undefined],
      ['addr add 239.255.19.1/32 dev e0 autojoin', '239.255.19.1', undefined],
    ] as const) {
      expect([line, await cli('-n', n, ...w(line))]).toEqual([line, expect.objectContaining({ code: 0, stderr: '' })]);
      expect([line, metricOf(address)]).toEqual([line, metric]);
    }
    await sameAsIp(n, 'addr show dev e0');
    await usage(
      'addr',
      /^netns-native: addr add: metric is given twice$/,
      '-n',
      n,
      ...w('addr add 198.19.112.1/24 dev e0 metric 1 priority 2'),
    );
  });

  it('bad selectors: status 2 with a sentence naming the word; a link that is not there: status 1', async () => {
    const { n } = await populated();
    const cases: Array<[string, RegExp, string]> = [
      ['route', /^netns-native: route show: table: unknown routing table "nosuch"/, 'route show table nosuch'],
      ['route', /^netns-native: route show: type: "nosuch" is no route type/, 'route show type nosuch'],
      ['route', /^netns-native: route show: scope: "nosuch" is no scope/, 'route show scope nosuch'],
      ['route', /^netns-native: route show: proto: /, 'route show proto nosuch'],
      ['route', /^netns-native: route show: via needs a prefix .* not "x"$/, 'route show via x'],
      ['route', /^netns-native: route show: "vrf" is ip's, not supported here$/, 'route show vrf blue'],
      ['route', /^netns-native: route show: dev is given twice$/, 'route show dev e0 dev e0'],
      ['route', /^netns-native: route show: unexpected "frob"$/, 'route show frob'],
      [
        'route',
        /^netns-native: route add: -6 is for route show and flush only$/,
        '-6 route add 198.19.110.0/24 dev e0',
      ],
      ['addr', /^netns-native: addr show: scope: "nosuch" is no scope/, 'addr show scope nosuch'],
      ['addr', /^netns-native: addr show: to needs a prefix/, 'addr show to nosuch'],
      [
        'addr',
        /^netns-native: addr show: to needs a prefix .* of the family asked for/,
        '-6 addr show to 198.19.105.0/24',
      ],
      ['addr', /^netns-native: addr show: dynamic\|permanent is given twice$/, 'addr show dynamic permanent'],
      ['addr', /^netns-native: addr show: label needs a pattern/, 'addr show label'],
      ['link', /^netns-native: link show: group: "nosuch" is no group/, 'link show group nosuch'],
      ['link', /^netns-native: link show: dev is given twice$/, 'link show e0 e1'],
      ['link', /^netns-native: link show: type needs a kind/, 'link show type'],
      ['link', /^netns-native: link add: -d is for link show only$/, '-d link add x0 type veth peer name x1'],
    ];
    for (const [verb, pattern, line] of cases) await usage(verb, pattern, '-n', n, ...w(line));
    for (const line of [
      'link show nosuch',
      'addr show dev nosuch',
      'route show dev nosuch',
      'link show master nosuch',
    ]) {
      const run = await cli('-n', n, ...w(line));
      expect([line, run.code, run.stdout, run.stderr]).toEqual([
        line,
        1,
        '',
        expect.stringMatching(/^netns-native: ENODEV: cannot find link "nosuch"/),
      ]);
    }
    expect(ip(n, 'link', 'show')).not.toMatch(/ x0[:@]/);
  });
});
