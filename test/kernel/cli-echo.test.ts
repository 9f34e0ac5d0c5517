/**
 * The command's `-echo` beside `ip -echo` (iproute2 6.1): two namespaces set up alike (the same
 * links made in the same order, so with the same indexes), each add made in both, by ip in one
 * and by the command in the other, and what each prints compared: text word for word (ip's
 * trailing blanks left out), `-j` as parsed JSON. Deletes likewise, of the same objects made
 * alike in both ("Deleted " and what the kernel removed). Where ip ignores -echo, the command
 * prints what it prints without; `link set`, which the kernel does not echo (ip prints
 * nothing), the command refuses (status 2).
 * Addresses from 198.18.101.0/24-198.18.103.0/24 and fd00:b5::/32 (adds), 198.18.111.0/24-
 * 198.18.113.0/24 and fd00:b8::/32 (deletes) only.
 */
import { spawnSync } from 'node:child_process';
import { VethPair } from 'netns-native';
import { cli, usage } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip, settled } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** A command line written as one string: its words. */
const w = (line: string): string[] => line.split(' ');

/**
 * A namespace with e0 (198.18.101.1/24, fd00:b5::1/64; its peer e1) up, e2 (peer e3) down, lo
 * up; the same links in the same order each time.
 */
async function wired(): Promise<string> {
  const ns = await freshNamespace();
  const a = await VethPair.create({ name: 'e0', peerName: 'e1', namespace: ns });
  const b = await VethPair.create({ name: 'e2', peerName: 'e3', namespace: ns });
  await a.local.addAddress('198.18.101.1/24');
  await a.local.addAddress('fd00:b5::1/64', { nodad: true });
  for (const l of [a.local, a.peer, await ns.link('lo')]) await l.up();
  void b;
  // No duplicate address detection still running (a tentative link-local address changes under a show).
  await settled(ns.name);
  return ns.name as string;
}

/** Two namespaces set up alike: ip's and the command's. */
async function twins(): Promise<[string, string]> {
  return [await wired(), await wired()];
}

/** What `ip -n ns ARGS` prints (status 0 expected), without the trailing blanks ip leaves. */
function ipText(ns: string, ...args: string[]): string {
  const run = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  expect([args, run.status, run.stderr]).toEqual([args, 0, '']);
  return run.stdout.replace(/[ \t]+$/gm, '');
}

/**
 * Each line made by `ip -echo` in `theirs` and by the command's -echo in `mine`: the same output
 * (`json`: both with -j, compared parsed).
 */
async function echoesAsIp(theirs: string, mine: string, lines: string[], json = false): Promise<void> {
  const j = json ? ['-j'] : [];
  for (const line of lines) {
    const expected = ipText(theirs, ...j, '-echo', ...w(line));
    const run = await cli('-n', mine, ...j, '-echo', ...w(line));
    expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
    if (json) expect([line, JSON.parse(run.stdout)]).toEqual([line, parseIpJson(expected)]);
    else expect([line, run.stdout]).toEqual([line, expected]);
  }
}

/**
 * ip -j -echo's output, parsed. For a route, rule or nexthop ip 6.1 opens the object twice
 * (rtnl_echo_talk opens one, print_route, print_rule and print_nexthop another), printing
 * `[{{...}}]`, which is no JSON; the command prints `[{...}]`, the same keys and values.
 */
function parseIpJson(text: string): unknown {
  const t = text.trim();
  return JSON.parse(t.startsWith('[{{') && t.endsWith('}}]') ? `[${t.slice(2, -2)}]` : t);
}

describeKernel('netns-native -echo beside ip -echo', () => {
  it('addr add|replace: IPv4 with broadcast, label, metric, lifetimes, a peer; IPv6 with flags', async () => {
    const [theirs, mine] = await twins();
    await echoesAsIp(theirs, mine, [
      'addr add 198.18.102.1/24 dev e0',
      'addr add 198.18.102.2/24 brd + label e0:2 metric 9 dev e0',
      'addr add 198.18.102.3/24 dev e0 valid_lft 100 preferred_lft 50',
      'addr replace 198.18.102.3/24 dev e0 valid_lft 200 preferred_lft 200',
      'addr add 198.18.102.4 peer 198.18.102.5/32 dev e0',
    ]);
    // Both hold the same addresses (link-local ones aside: each link has its own random MAC).
    const held = (ns: string): string => ipText(ns, '-o', 'addr').replace(/^.* fe80::.*\n/gm, '');
    expect(held(mine)).toBe(held(theirs));
  });

  it('addr add, IPv6: the kernel echoes none (ip prints nothing); the command prints the address as ip lists it', async () => {
    const [theirs, mine] = await twins();
    for (const [line, dev] of [
      ['addr add fd00:b5:1::1/64 dev e0 nodad noprefixroute', 'e0'],
      ['addr add fd00:b5:2::1/64 dev e2', 'e2'],
    ] as const) {
      expect(ipText(theirs, '-echo', ...w(line))).toBe('');
      const run = await cli('-n', mine, '-echo', ...w(line));
      expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
      // ip addr show's two lines for it, after "INDEX: DEV" as ip -echo prints an IPv4 one.
      const shown = ipText(theirs, 'addr', 'show', 'dev', dev).split('\n');
      const at = shown.findIndex((l) => l.includes(` ${w(line)[2] as string} `));
      const index = ipText(theirs, 'link', 'show', dev).split(':')[0] as string;
      expect([line, run.stdout]).toEqual([
        line,
        `${index}: ${dev}${shown[at] as string}\n${shown[at + 1] as string}\n`,
      ]);
    }
    // -j: ip prints an empty object for it ([{}]); the command the address.
    expect(JSON.parse(ipText(theirs, '-j', '-echo', ...w('addr add fd00:b5:3::1/64 dev e0 nodad')))).toEqual([{}]);
    const run = await cli('-n', mine, '-j', '-echo', ...w('addr add fd00:b5:3::1/64 dev e0 nodad'));
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({ dev: 'e0', family: 'inet6', local: 'fd00:b5:3::1', prefixlen: 64, nodad: true }),
    ]);
  });

  it('addr add -j: the same JSON as ip -j -echo', async () => {
    const [theirs, mine] = await twins();
    await echoesAsIp(
      theirs,
      mine,
      [
        'addr add 198.18.102.2/24 brd + label e0:2 metric 9 dev e0',
        'addr add 198.18.102.3/24 dev e0 valid_lft 100 preferred_lft 50',
      ],
      true,
    );
  });

  it('route add|replace|change|append|prepend: IPv4 and IPv6, metrics, types, tables, multipath', async () => {
    const [theirs, mine] = await twins();
    await echoesAsIp(theirs, mine, [
      'route add 198.18.103.0/24 via 198.18.101.2',
      'route add 198.18.103.128/25 dev e0 proto static metric 5 mtu lock 1400 initcwnd 10',
      'route replace 198.18.103.0/24 via 198.18.101.3 table 100',
      'route change 198.18.103.0/24 via 198.18.101.4',
      'route append 198.18.102.0/24 via 198.18.101.5 metric 7',
      'route prepend 198.18.102.0/24 via 198.18.101.6 metric 7',
      'route add blackhole 198.18.102.128/25',
      'route add 198.18.103.64/26 nexthop via 198.18.101.2 nexthop via 198.18.101.3 weight 2',
      'route add fd00:b5:3::/64 via fd00:b5::2 dev e0',
      'route add fd00:b5:4::/64 dev e0 metric 10 pref high table 100',
    ]);
    for (const table of ['main', '100']) {
      for (const family of ['-4', '-6']) {
        // The link-local routes differ (each namespace's links have their own random MACs).
        const shown = (ns: string): string =>
          ipText(ns, family, 'route', 'show', 'table', table).replace(/^fe80::.*\n/gm, '');
        expect([table, family, shown(mine)]).toEqual([table, family, shown(theirs)]);
      }
    }
  });

  it('route add -j: the same JSON as ip -j -echo', async () => {
    const [theirs, mine] = await twins();
    await echoesAsIp(
      theirs,
      mine,
      ['route add 198.18.103.0/24 via 198.18.101.2 mtu 1400', 'route add fd00:b5:3::/64 dev e0'],
      true,
    );
  });

  it('rule add: the priority the kernel picked, selectors and actions, IPv4 and IPv6', async () => {
    const [theirs, mine] = await twins();
    await echoesAsIp(theirs, mine, [
      'rule add from 198.18.102.0/24 table 100',
      'rule add to 198.18.103.0/24 fwmark 0x5/0xff priority 100 prohibit',
      'rule add not from 198.18.101.0/24 iif e0 ipproto tcp dport 80-90 priority 101 table 101 proto static',
      '-6 rule add from fd00:b5::/48 table 200 priority 200',
    ]);
    expect(ipText(mine, 'rule')).toBe(ipText(theirs, 'rule'));
  });

  it('rule add -j: the same JSON as ip -j -echo', async () => {
    const [theirs, mine] = await twins();
    await echoesAsIp(
      theirs,
      mine,
      ['rule add from 198.18.102.0/24 table 100', 'rule add to 198.18.103.0/24 fwmark 0x5/0xff priority 100 prohibit'],
      true,
    );
  });

  it('nexthop add|replace: the id the kernel picked, as ip prints it', async () => {
    const [theirs, mine] = await twins();
    await echoesAsIp(theirs, mine, [
      'nexthop add id 5 via 198.18.101.2 dev e0',
      'nexthop add blackhole',
      'nexthop add id 6 via 198.18.101.3 dev e0',
      'nexthop add id 10 group 5/6,3',
      'nexthop replace id 5 via 198.18.101.3 dev e0 proto static',
    ]);
    await echoesAsIp(theirs, mine, ['nexthop add via fd00:b5::2 dev e0'], true);
  });

  it('link add: the link as ip -echo prints it', async () => {
    const [theirs, mine] = await twins();
    // MACs given: the kernel would pick random ones, different in the two namespaces.
    await echoesAsIp(theirs, mine, [
      'link add b0 address 02:00:00:00:00:b0 type bridge',
      'link add v0 address 02:00:00:00:00:10 type veth peer name v1 address 02:00:00:00:00:11',
      'link add i0 address 02:00:00:00:00:20 type ifb',
    ]);
    await echoesAsIp(theirs, mine, ['link add b1 address 02:00:00:00:00:b1 type bridge'], true);
  });

  it("shows with -echo print what ip -echo prints: addr show names each address's link, the others ignore it", async () => {
    const ns = await wired();
    for (const line of ['addr show dev e0', 'addr show', 'route show', 'rule show', 'neigh show', 'nexthop show']) {
      const run = await cli('-n', ns, '-echo', ...w(line));
      expect([line, run.code, run.stderr, run.stdout]).toEqual([line, 0, '', ipText(ns, '-echo', ...w(line))]);
    }
    const run = await cli('-n', ns, '-j', '-echo', 'addr', 'show', 'dev', 'e0');
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(ipText(ns, '-j', '-echo', 'addr', 'show', 'dev', 'e0')));
  });

  it('bad command lines: an abbreviation (ip compares -echo whole), link set, a verb of the command own', async () => {
    const ns = await wired();
    // ip: Option "-ec" is unknown.
    expect(spawnSync('ip', ['-n', ns, '-ec', 'addr', 'add', '198.18.102.1/24', 'dev', 'e0']).status).not.toBe(0);
    await usage(
      'addr',
      /^netns-native: unknown option "-ec"$/,
      '-n',
      ns,
      '-ec',
      ...w('addr add 198.18.102.1/24 dev e0'),
    );
    // The kernel sends nothing back for a changed link: ip -echo link set prints nothing.
    expect(ipText(ns, '-echo', ...w('link set e2 mtu 1300'))).toBe('');
    await usage(
      'link',
      /^netns-native: link set: -echo is not taken here: the kernel sends no copy of a changed link back/,
      '-n',
      ns,
      '-echo',
      ...w('link set e0 mtu 1400'),
    );
    await usage('links', /^netns-native: -echo is for ip's verbs/, '-echo', 'links', ns);
    // Nothing changed.
    expect(ip(ns, '-br', 'addr', 'show', 'dev', 'e0')).toMatch(/198\.18\.101\.1\/24/);
    expect(ip(ns, 'rule')).toMatch(/32766:/);
    expect(ip(ns, '-d', 'link', 'show', 'e0')).toMatch(/mtu 1500/);
    expect(ip(ns, 'link', 'show', 'e2')).toMatch(/mtu 1300/);
  });

  it('addr, route, rule and nexthop delete: "Deleted " and what the kernel removed, as ip -echo', async () => {
    const [theirs, mine] = await twinsForDeletes();
    made(theirs, mine, [
      'addr add 198.18.112.1/24 brd + label e0:1 metric 9 dev e0',
      'addr add 198.18.112.2 peer 198.18.112.3/32 dev e0',
      'route add 198.18.113.0/24 via 198.18.111.2 metric 5 proto static',
      'route add fd00:b8:3::/64 dev e0 table 100',
      'route add 198.18.113.128/25 nexthop via 198.18.111.2 nexthop via 198.18.111.3 weight 2',
      'rule add from 198.18.113.0/24 table 100 pref 50',
      'rule add to 198.18.112.0/24 fwmark 0x5/0xff priority 100 prohibit',
      '-6 rule add from fd00:b8::/48 table 200 priority 200',
      'nexthop add id 5 via 198.18.111.2 dev e0',
      'nexthop add id 6 blackhole',
    ]);
    await echoesAsIp(theirs, mine, [
      'addr del 198.18.112.1/24 dev e0',
      'addr del 198.18.112.2 peer 198.18.112.3/32 dev e0',
      'route del 198.18.113.0/24',
      'route del fd00:b8:3::/64 table 100',
      'route del 198.18.113.128/25',
      'rule del priority 50',
      'rule del to 198.18.112.0/24 fwmark 0x5/0xff priority 100 prohibit',
      '-6 rule del priority 200',
      'nexthop del id 5',
      'nexthop del id 6',
    ]);
    // Both hold the same (link-local addresses and routes aside: each link has its own MAC).
    const held = (ns: string): string[] => [
      ipText(ns, '-o', 'addr').replace(/^.* fe80::.*\n/gm, ''),
      ipText(ns, 'route', 'show', 'table', 'all').replace(/^.*fe80::.*\n/gm, ''),
      ipText(ns, 'rule'),
      ipText(ns, '-6', 'rule'),
      ipText(ns, 'nexthop'),
    ];
    expect(held(mine)).toEqual(held(theirs));
  });

  it('addr, route, rule and nexthop delete -j: the same JSON as ip -j -echo', async () => {
    const [theirs, mine] = await twinsForDeletes();
    made(theirs, mine, [
      'addr add 198.18.112.1/24 brd + label e0:1 dev e0 valid_lft 100 preferred_lft 50',
      'route add 198.18.113.0/24 via 198.18.111.2 mtu 1400',
      'route add fd00:b8:3::/64 dev e0',
      'rule add from 198.18.113.0/24 table 100 pref 50',
      'nexthop add id 5 via 198.18.111.2 dev e0',
    ]);
    await echoesAsIp(
      theirs,
      mine,
      ['route del 198.18.113.0/24', 'route del fd00:b8:3::/64', 'rule del pref 50', 'nexthop del id 5'],
      true,
    );
    // The lifetimes count down between the two deletes: compared without them.
    const line = 'addr del 198.18.112.1/24 dev e0';
    const expected = JSON.parse(ipText(theirs, '-j', '-echo', ...w(line))) as Array<Record<string, unknown>>;
    const run = await cli('-n', mine, '-j', '-echo', ...w(line));
    const timeless = (list: Array<Record<string, unknown>>): unknown =>
      list.map(({ valid_life_time: _v, preferred_life_time: _p, ...rest }) => rest);
    expect(timeless(JSON.parse(run.stdout) as Array<Record<string, unknown>>)).toEqual(timeless(expected));
    expect(expected[0]).toMatchObject({ deleted: true, dev: 'e0', local: '198.18.112.1', label: 'e0:1' });
  });

  it('link delete: the link as the kernel removed it (a veth: @NONE, its peer gone first; a bridge), text and -j', async () => {
    const [theirs, mine] = await twinsForDeletes();
    made(theirs, mine, [
      'link add v0 address 02:00:00:00:00:10 type veth peer name v1 address 02:00:00:00:00:11',
      'link set v0 up',
      'link add b0 address 02:00:00:00:00:b0 type bridge',
      'link set b0 mtu 1400',
      'link add v2 address 02:00:00:00:00:12 type veth peer name v3 address 02:00:00:00:00:13',
    ]);
    await echoesAsIp(theirs, mine, ['link del v0', 'link del b0']);
    await echoesAsIp(theirs, mine, ['link del v2'], true);
    // The same links left (e0 to e3's MACs aside: random, each namespace its own).
    const links = (ns: string): string => ipText(ns, 'link').replace(/link\/ether \S+/g, 'link/ether');
    expect(links(mine)).toBe(links(theirs));
  });

  it('where the command prints more than ip: an IPv6 address (not echoed), a primary IPv4 address (ip prints its secondary)', async () => {
    const [theirs, mine] = await twinsForDeletes();
    made(theirs, mine, ['addr add fd00:b8:1::1/64 dev e0 nodad noprefixroute', 'addr add 198.18.111.2/24 dev e0']);
    // ip addr show's two lines for it, after "Deleted INDEX: DEV" as ip -echo prints an IPv4 one.
    const shown = ipText(theirs, 'addr', 'show', 'dev', 'e0').split('\n');
    const at = shown.findIndex((l) => l.includes(' fd00:b8:1::1/64 '));
    const index = ipText(theirs, 'link', 'show', 'e0').split(':')[0] as string;
    const line = 'addr del fd00:b8:1::1/64 dev e0';
    expect(ipText(theirs, '-echo', ...w(line))).toBe('');
    const run = await cli('-n', mine, '-echo', ...w(line));
    expect([run.code, run.stderr, run.stdout]).toEqual([
      0,
      '',
      `Deleted ${index}: e0${shown[at] as string}\n${shown[at + 1] as string}\n`,
    ]);
    // Deleting the primary takes the secondary with it, which the kernel echoes first: ip prints
    // that one; the command the address deleted.
    const primary = 'addr del 198.18.111.1/24 dev e0';
    expect(ipText(theirs, '-echo', ...w(primary))).toMatch(/^Deleted \d+: e0 +inet 198\.18\.111\.2\/24 .*secondary/);
    const second = await cli('-n', mine, '-echo', ...w(primary));
    expect(second.stdout).toMatch(/^Deleted \d+: e0 +inet 198\.18\.111\.1\/24 brd 198\.18\.111\.255 scope global e0\n/);
    const v4 = (ns: string): string => ipText(ns, '-o', '-4', 'addr', 'show', 'dev', 'e0');
    expect(v4(mine)).toBe(v4(theirs));
  });

  it('a refused delete with -echo prints nothing and fails as without', async () => {
    const ns = await wiredForDeletes();
    for (const line of [
      'addr del 198.18.112.9/24 dev e0',
      'route del 198.18.113.0/24',
      'rule del priority 4242',
      'nexthop del id 4242',
      'link del nosuch0',
    ]) {
      const run = await cli('-n', ns, '-echo', ...w(line));
      expect([line, run.code, run.stdout]).toEqual([line, 1, '']);
    }
  });
});

/**
 * A namespace with e0 (198.18.111.1/24 brd +, fd00:b8::1/64; its peer e1) up, e2 (peer e3)
 * down, lo up; the same links in the same order each time.
 */
async function wiredForDeletes(): Promise<string> {
  const ns = await freshNamespace();
  const a = await VethPair.create({ name: 'e0', peerName: 'e1', namespace: ns });
  await VethPair.create({ name: 'e2', peerName: 'e3', namespace: ns });
  await a.local.addAddress('198.18.111.1/24', { broadcast: true });
  await a.local.addAddress('fd00:b8::1/64', { nodad: true });
  for (const l of [a.local, a.peer, await ns.link('lo')]) await l.up();
  await settled(ns.name);
  return ns.name as string;
}

/** Two namespaces set up alike for deletes: ip's and the command's. */
async function twinsForDeletes(): Promise<[string, string]> {
  return [await wiredForDeletes(), await wiredForDeletes()];
}

/** Each line run by ip (without -echo) in both namespaces: the same objects to delete in each. */
function made(theirs: string, mine: string, lines: string[]): void {
  for (const line of lines) for (const ns of [theirs, mine]) ipText(ns, ...w(line));
}
