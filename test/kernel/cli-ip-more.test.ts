/**
 * The `netns-native` command's neigh, rule and nexthop verbs, run as a process: each show
 * compared word for word with what `ip` prints, each write witnessed by `ip -j`. Bad command
 * lines exit 2 naming the word; refusals exit 1 with the code; neither changes anything.
 * Addresses from 198.18.230.0/24-198.18.239.0/24 and fd00:d3::/32 only (the names as ip gives
 * them: 198.19.130.0/24-198.19.134.0/24, fd00:a1::/32).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { VethPair } from 'netns-native';
import { cli, fails, ok, usage } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, neighbours, routes, type IpNeigh, type IpRule } from '../helpers/ip';
import { describeKernel, kernelHasL3mdevRules } from '../helpers/skip';

/** A command line written as one string: its words. */
const w = (line: string): string[] => line.split(' ');

/** What `ip [-n ns] ARGS` prints, each line without the trailing blank ip leaves on it. */
function ipText(ns: string | undefined, ...args: string[]): string {
  return ip(ns, ...args).replace(/[ \t]+$/gm, '');
}

/**
 * Runs the command and expects status 0, nothing on stderr, and on stdout what `witness()` (ip)
 * prints. The witness runs before and after: should the kernel change something of its own
 * meanwhile (IPv6 multicast neighbours come as links come up), the comparison is made again.
 */
async function printsAsIp(witness: () => string, ...args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = witness();
    const run = await cli(...args);
    if (before !== witness() && attempt < 5) continue;
    expect([args, run.code, run.stderr]).toEqual([args, 0, '']);
    expect([args, run.stdout]).toEqual([args, before]);
    return;
  }
}

/** The exit status of `ip -n ns ARGS` (its output dropped). */
function ipStatus(ns: string, ...args: string[]): number | null {
  return spawnSync('ip', ['-n', ns, ...args], { stdio: 'ignore' }).status;
}

/** The command's -j output, parsed. */
async function json<T>(...args: string[]): Promise<T> {
  const run = await cli('-j', ...args);
  expect([args, run.code, run.stderr]).toEqual([args, 0, '']);
  return JSON.parse(run.stdout) as T;
}

/** A namespace with lo up and e0 (198.18.230.1/24, fd00:d3::1/64) and e2 (198.18.231.1/24) up, veths' peers up. */
async function wired(): Promise<string> {
  const ns = await freshNamespace();
  const a = await VethPair.create({ name: 'e0', peerName: 'e1', namespace: ns });
  const b = await VethPair.create({ name: 'e2', peerName: 'e3', namespace: ns });
  await a.local.addAddress('198.18.230.1/24');
  await a.local.addAddress('fd00:d3::1/64', { nodad: true });
  await b.local.addAddress('198.18.231.1/24');
  for (const l of [a.local, a.peer, b.local, b.peer, await ns.link('lo')]) await l.up();
  return ns.name as string;
}

/** A namespace's rules of both families, as ip lists them. */
const rulesNow = (n: string): string => `${ipText(n, 'rule')}${ipText(n, '-6', 'rule')}`;

/** Back to a namespace's default rules (both families). */
function restoreRules(n: string): void {
  for (const f of ['-4', '-6']) ip(n, f, 'rule', 'flush');
  ip(n, 'rule', 'add', 'priority', '32766', 'table', 'main');
  ip(n, 'rule', 'add', 'priority', '32767', 'table', 'default');
  ip(n, '-6', 'rule', 'add', 'priority', '32766', 'table', 'main');
}

/**
 * Each case on fresh rules made by `fill`: ip's flush lines (they must remove something), then,
 * on fresh rules again, the command's line; the command must leave what ip left.
 */
async function flushesAsIp(n: string, fill: () => void, cases: Array<[string, string[]]>): Promise<void> {
  for (const [mine, theirs] of cases) {
    fill();
    const before = rulesNow(n);
    for (const line of theirs) ip(n, ...w(line));
    const left = rulesNow(n);
    expect(left).not.toBe(before);
    restoreRules(n);
    fill();
    await ok('-n', n, ...w(mine));
    expect(rulesNow(n)).toBe(left);
    restoreRules(n);
  }
}

const MAC = '02:00:00:00:00:09';

/** The namespace's neighbour entries (ip -j, every state) but the kernel's own multicast ones, which come and go. */
function entries(ns: string, ...args: string[]): IpNeigh[] {
  return neighbours(ns, ...args).filter((e) => !e.dst.startsWith('ff02:'));
}

describeKernel('netns-native neigh', () => {
  it('neigh add (lladdr, nud, router, extern_learn, proxy) / show: the lines ip neigh show prints, each filter; -j the entries', async () => {
    const n = await wired();
    await ok(...w(`-n ${n} neigh add 198.18.230.9 lladdr ${MAC} dev e0`));
    await ok(...w(`-n ${n} neigh add 198.18.230.11 lladdr 02:00:00:00:00:0b dev e0 nud stale router`));
    await ok(...w(`-n ${n} neigh add to fd00:d3::9 dev e0 lladdr ${MAC} router`));
    await ok(...w(`-n ${n} neighbour add 198.18.230.15 lladdr 02:00:00:00:00:0f dev e0 nud noarp`));
    await ok(...w(`-n ${n} n add 198.18.230.16 lladdr 02:00:00:00:00:10 dev e0 extern_learn`));
    await ok(...w(`-n ${n} neigh add 198.18.230.14 dev e0 nud none`));
    await ok(...w(`-n ${n} neigh add 198.18.231.9 lladdr ${MAC} dev e2 nud stale`));
    await ok(...w(`-n ${n} neigh add proxy 198.18.230.20 dev e0`));
    await ok(...w(`-n ${n} neigh add fd00:d3::20 proxy dev e0`));
    // The witness: each entry as made.
    const byIp = (dst: string): IpNeigh | undefined => neighbours(n).find((e) => e.dst === dst);
    expect(byIp('198.18.230.9')).toMatchObject({ dev: 'e0', lladdr: MAC, state: ['PERMANENT'] });
    expect(byIp('198.18.230.11')).toMatchObject({ lladdr: '02:00:00:00:00:0b', state: ['STALE'], router: null });
    expect(byIp('fd00:d3::9')).toMatchObject({ lladdr: MAC, router: null, state: ['PERMANENT'] });
    expect(byIp('198.18.230.15')?.state).toEqual(['NOARP']);
    expect(byIp('198.18.230.16')).toMatchObject({ extern_learn: null, state: ['PERMANENT'] });
    expect(ipJson<IpNeigh[]>(n, 'neigh', 'show', 'proxy').map((e) => e.dst)).toEqual(['198.18.230.20', 'fd00:d3::20']);
    // Each show as ip prints it, word for word.
    for (const filter of [
      [],
      ['show'],
      ['list'],
      ['show', 'dev', 'e0'],
      ['show', 'dev', 'e2'],
      ['show', 'proxy'],
      ['show', 'dev', 'e0', 'proxy'],
      ['show', 'nud', 'all'],
      ['show', 'nud', 'noarp'],
      ['show', 'nud', 'none'],
      ['show', 'nud', 'permanent', 'nud', 'stale'],
      ['show', 'dev', 'e0', 'nud', 'stale'],
    ]) {
      await printsAsIp(() => ipText(n, 'neigh', ...filter), '-n', n, 'neigh', ...filter);
    }
    await printsAsIp(() => ipText(n, '-4', 'neigh'), '-n', n, '-4', 'neigh');
    await printsAsIp(() => ipText(n, '-6', 'neigh', 'show', 'proxy'), '-n', n, 'neigh', '-6', 'show', 'proxy');
    expect(ipText(n, 'neigh')).toContain('198.18.230.11 dev e0 lladdr 02:00:00:00:00:0b router STALE\n');
    // -j: the entries shown, as the library gives them.
    const listed = await json<Array<Record<string, unknown>>>('-n', n, 'neigh', 'show', 'dev', 'e0');
    expect(listed.map((e) => e.address)).toEqual(ipJson<IpNeigh[]>(n, 'neigh', 'show', 'dev', 'e0').map((e) => e.dst));
    expect(listed.find((e) => e.address === '198.18.230.11')).toEqual({
      address: '198.18.230.11',
      family: 4,
      mac: '02:00:00:00:00:0b',
      state: 'stale',
      link: 'e0',
      linkIndex: expect.any(Number),
      router: true,
      extLearned: false,
      proxy: false,
      managed: false,
      probes: expect.any(Number),
      cacheInfo: expect.objectContaining({ refcnt: expect.any(Number) }),
    });
    expect((await json<Array<{ proxy: boolean }>>('-n', n, 'neigh', 'show', 'proxy')).map((e) => e.proxy)).toEqual([
      true,
      true,
    ]);
  });

  it('neigh add protocol / use / managed, show protocol, get, -s show|get: as ip makes and prints them', async () => {
    const ns = await freshNamespace();
    const a = await VethPair.create({ name: 'e0', peerName: 'e1', namespace: ns });
    await a.local.addAddress('198.19.88.1/24');
    await a.local.addAddress('fd00:b0::1/64', { nodad: true });
    for (const l of [a.local, a.peer, await ns.link('lo')]) await l.up();
    const n = ns.name as string;
    await ok(...w(`-n ${n} neigh add 198.19.88.9 lladdr ${MAC} dev e0 protocol static`));
    await ok(...w(`-n ${n} neigh add fd00:b0::9 lladdr ${MAC} dev e0 nud stale proto 99`));
    await ok(...w(`-n ${n} neigh add 198.19.88.10 dev e0 managed`));
    // As ip reads it: managed makes the state none, so nud permanent before it is no error.
    await ok(...w(`-n ${n} neigh add 198.19.88.11 lladdr 02:00:00:00:00:0b dev e0 nud permanent managed`));
    await ok(...w(`-n ${n} neigh add 198.19.88.12 lladdr 02:00:00:00:00:0c dev e0 nud stale`));
    await ok(...w(`-n ${n} neigh replace 198.19.88.12 dev e0 use`));
    await ok(...w(`-n ${n} neigh add 198.19.88.13 dev e0 use`));
    await ok(...w(`-n ${n} neigh add proxy 198.19.88.20 dev e0 protocol zebra`));
    // ip's abbreviations (matches()): l is lladdr, prot protocol (p, pr, pro are proxy in add).
    await ok(...w(`-n ${n} neigh add 198.19.88.14 l 02:00:00:00:00:0e dev e0 prot static`));
    const byIp = (dst: string): (IpNeigh & Record<string, unknown>) | undefined =>
      (neighbours(n) as Array<IpNeigh & Record<string, unknown>>).find((e) => e.dst === dst);
    expect(byIp('198.19.88.9')).toMatchObject({ lladdr: MAC, state: ['PERMANENT'], protocol: 'static' });
    expect(byIp('fd00:b0::9')).toMatchObject({ state: ['STALE'], protocol: 'openr' });
    expect(byIp('198.19.88.14')).toMatchObject({ lladdr: '02:00:00:00:00:0e', protocol: 'static' });
    expect(byIp('198.19.88.10')).toMatchObject({ managed: null });
    expect(byIp('198.19.88.11')).toMatchObject({ managed: null });
    // use: the kernel treats the entry as used, as a packet would: stale goes on to delay (then probe).
    expect(byIp('198.19.88.12')).toMatchObject({ lladdr: '02:00:00:00:00:0c' });
    expect(['DELAY', 'PROBE', 'FAILED']).toContain(byIp('198.19.88.12')?.state[0]);
    // Resolution started (and, on a slow machine, may already have failed: nothing answers).
    expect(['INCOMPLETE', 'FAILED']).toContain(byIp('198.19.88.13')?.state[0]);
    expect(ipJson(n, 'neigh', 'show', 'proxy')).toEqual([
      { dst: '198.19.88.20', dev: 'e0', proxy: null, protocol: 'zebra' },
    ]);
    // Each show, -s included, and get. Entries being resolved change state on their own (managed
    // ones are probed again and again): ours must print what ip printed just before or just after
    // it, within 5 tries. -s's timers (`used A/B/C`, seconds) tick while a loaded machine runs
    // the three commands, so they are compared as numbers only (the format is checked below).
    const timersMasked = (text: string): string => text.replace(/used \d+\/\d+\/\d+/g, 'used N/N/N');
    const printsAsIpNow = async (...args: string[]): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const before = timersMasked(ipText(n, ...args));
        const run = await cli('-n', n, ...args);
        const ours = timersMasked(run.stdout);
        const after = timersMasked(ipText(n, ...args));
        if (ours !== before && ours !== after && attempt < 5) continue;
        expect([args, run.code, run.stderr]).toEqual([args, 0, '']);
        expect([args, ours]).toEqual([args, ours === after ? after : before]);
        return;
      }
    };
    for (const args of [
      ['neigh'],
      ['neigh', 'show', 'protocol', 'static'],
      ['neigh', 'show', 'proto', '99'],
      ['neigh', 'show', 'p', 'static'],
      ['neigh', 'show', 'pro', '99'],
      ['neigh', 'show', 'protocol', 'all'],
      ['neigh', 'show', 'proxy', 'protocol', 'zebra'],
      ['neigh', 'show', 'protocol', 'bgp'],
      ['-s', 'neigh', 'show', 'dev', 'e0'],
      ['-s', 'neigh', 'show', 'nud', 'all'],
      ['-s', '-s', 'neigh'],
      ['-s', 'neigh', 'show', 'proxy'],
      ['neigh', 'get', '198.19.88.9', 'dev', 'e0'],
      ['neigh', 'get', 'to', 'fd00:b0::9', 'dev', 'e0'],
      ['neigh', 'get', 'proxy', '198.19.88.20', 'dev', 'e0'],
      ['-s', 'neigh', 'get', '198.19.88.10', 'dev', 'e0'],
      ['-s', 'neigh', 'get', '198.19.88.9', 'dev', 'e0'],
    ]) {
      await printsAsIpNow(...args);
    }
    expect(ipText(n, '-s', 'neigh', 'show', 'dev', 'e0')).toMatch(
      /^198\.19\.88\.9 lladdr 02:00:00:00:00:09 {2}used \d+\/\d+\/\d+probes 0 PERMANENT proto static$/m,
    );
    // -j get: the entry as the library gives it.
    expect(await json('-n', n, 'neigh', 'get', '198.19.88.10', 'dev', 'e0')).toMatchObject({
      address: '198.19.88.10',
      link: 'e0',
      managed: true,
      cacheInfo: { refcnt: expect.any(Number) },
    });
    // No such entry: status 2 with ENOENT, as ip ("Neighbour entry not found", status 2); a
    // missing link: 1, as ip; bad lines 2.
    for (const line of [`neigh get 198.19.88.99 dev e0`, `neigh get proxy 198.19.88.9 dev e0`]) {
      expect(ipStatus(n, ...w(line))).toBe(2);
      const run = await cli('-n', n, ...w(line));
      expect([line, run.code, run.stdout]).toEqual([line, 2, '']);
      expect(run.stderr).toMatch(/^netns-native: ENOENT: cannot get neighbour [^\n]+\n$/);
    }
    expect(ipStatus(n, ...w(`neigh get 198.19.88.9 dev nosuch0`))).toBe(1);
    await fails('ENODEV', ...w(`-n ${n} neigh get 198.19.88.9 dev nosuch0`));
    // What the refused lines must leave as it was. Entries still resolving move on meanwhile
    // (INCOMPLETE or PROBE to FAILED, losing the MAC): only the settled ones keep their state.
    const settled = (): string =>
      JSON.stringify([
        entries(n).map((e) =>
          e.state.includes('PERMANENT') || e.state.includes('STALE') ? e : { ...e, state: [], lladdr: undefined },
        ),
        ipJson(n, 'neigh', 'show', 'proxy'),
      ]);
    const before = settled();
    await fails('EINVAL', ...w(`-n ${n} neigh add 198.19.88.30 dev e0 managed nud permanent`));
    await fails('EINVAL', ...w(`-n ${n} neigh add 198.19.88.30 lladdr ${MAC} dev e0 protocol nosuchproto`));
    await fails('EINVAL', ...w(`-n ${n} neigh add proxy 198.19.88.30 dev e0 managed`));
    await usage('neigh', /neigh get needs dev LINK/, ...w(`-n ${n} neigh get 198.19.88.9`));
    await usage('neigh', /neigh get needs an address/, ...w(`-n ${n} neigh get dev e0`));
    await usage('neigh', /neigh get: ADDR is given twice/, ...w(`-n ${n} neigh get 198.19.88.9 198.19.88.10 dev e0`));
    await usage(
      'neigh',
      /neigh add: protocol is given twice/,
      ...w(`-n ${n} neigh add 198.19.88.30 dev e0 use proto 1 protocol 2`),
    );
    await usage(
      'neigh',
      /neigh show: protocol: unknown route protocol "nosuchproto"/,
      ...w(`-n ${n} neigh show protocol nosuchproto`),
    );
    await usage('neigh', /-s is for neigh show and get only/, ...w(`-n ${n} -s neigh flush all`));
    await usage(
      'neigh',
      /neigh get: 198.19.88.9 is not an IPv6 address \(-6\)/,
      ...w(`-n ${n} -6 neigh get 198.19.88.9 dev e0`),
    );
    expect(settled()).toBe(before);
  }, 180_000);

  it('neigh replace / delete: what ip -j neigh shows; twice, a MAC missing, a link missing: status 1, nothing changed', async () => {
    const n = await wired();
    await ok(...w(`-n ${n} neigh add 198.18.230.9 lladdr ${MAC} dev e0`));
    await ok(...w(`-n ${n} neigh add proxy 198.18.230.20 dev e0`));
    const before = JSON.stringify(entries(n));
    await fails('EEXIST', ...w(`-n ${n} neigh add 198.18.230.9 lladdr 02:00:00:00:00:99 dev e0`));
    await fails('EINVAL', ...w(`-n ${n} neigh add 198.18.230.10 dev e0`));
    await fails('EINVAL', ...w(`-n ${n} neigh add 198.18.230.10 lladdr 02:00:00:00:00 dev e0`));
    await fails('EINVAL', ...w(`-n ${n} neigh add 198.18.230.300 lladdr ${MAC} dev e0`));
    await fails('ENODEV', ...w(`-n ${n} neigh add 198.18.230.10 lladdr ${MAC} dev nosuch0`));
    await fails('ENODEV', ...w(`-n ${n} neigh show dev nosuch0`));
    expect(JSON.stringify(entries(n))).toBe(before);
    // replace: the entry changed in place; an entry not there is made.
    await ok(...w(`-n ${n} neigh replace 198.18.230.9 lladdr 02:00:00:00:00:99 dev e0 nud stale`));
    await ok(...w(`-n ${n} neigh replace fd00:d3::9 lladdr ${MAC} dev e0`));
    expect(neighbours(n, 'dev', 'e0').map((e) => [e.dst, e.lladdr, e.state])).toEqual(
      expect.arrayContaining([
        ['198.18.230.9', '02:00:00:00:00:99', ['STALE']],
        ['fd00:d3::9', MAC, ['PERMANENT']],
      ]),
    );
    await ok(...w(`-n ${n} neigh del 198.18.230.9 dev e0`));
    await ok(...w(`-n ${n} neigh delete to fd00:d3::9 dev e0`));
    await ok(...w(`-n ${n} neigh del proxy 198.18.230.20 dev e0`));
    expect(entries(n)).toEqual([]);
    expect(ipJson(n, 'neigh', 'show', 'proxy')).toEqual([]);
    await fails('ENOENT', ...w(`-n ${n} neigh del 198.18.230.9 dev e0`));
  });

  it('neigh flush dev LINK | nud STATE | all, -6: what is left is what ip neigh flush leaves', async () => {
    const n = await wired();
    const add = (line: string): Promise<void> => ok('-n', n, 'neigh', 'add', ...w(line));
    await add(`198.18.230.9 lladdr ${MAC} dev e0`);
    await add(`198.18.230.10 lladdr ${MAC} dev e0 nud stale`);
    await add(`fd00:d3::10 lladdr ${MAC} dev e0 nud stale`);
    await add(`198.18.231.10 lladdr ${MAC} dev e2 nud stale`);
    const left = (): string[] =>
      entries(n)
        .map((e) => `${e.dst} ${e.dev} ${e.state.join(',')}`)
        .sort();
    // -6 dev e0: the IPv6 entry only; permanent entries stay (as ip's default).
    await ok('-n', n, '-6', 'neigh', 'flush', 'dev', 'e0');
    expect(left()).toEqual(['198.18.230.10 e0 STALE', '198.18.230.9 e0 PERMANENT', '198.18.231.10 e2 STALE']);
    await ok('-n', n, 'neigh', 'flush', 'dev', 'e0');
    expect(left()).toEqual(['198.18.230.9 e0 PERMANENT', '198.18.231.10 e2 STALE']);
    await ok('-n', n, 'neigh', 'flush', 'dev', 'e0', 'nud', 'permanent');
    expect(left()).toEqual(['198.18.231.10 e2 STALE']);
    await ok('-n', n, 'neigh', 'flush', 'all');
    expect(left()).toEqual([]);
    await fails('ENODEV', '-n', n, 'neigh', 'flush', 'dev', 'nosuch0');
  });

  it('neigh show in the namespace the command runs in (no -n): as ip neigh there', async () => {
    await printsAsIp(() => ipText(undefined, 'neigh', 'show', 'nud', 'all'), 'neigh', 'show', 'nud', 'all');
  });
});

describeKernel('netns-native rule', () => {
  it('rule add with each selector and action; rule show prints ip rule; ip -6 rule word for word; -j the rules', async () => {
    const n = await wired();
    // prettier-ignore
    await ok('-n', n, ...w('rule add not from 198.18.232.0/24 to 198.18.233.0/24 tos 0x10 fwmark 0x10/0xff iif e0 ' +
      'oif e1 uidrange 100-200 ipproto tcp sport 80 dport 1000-2000 table 100 suppress_prefixlength 8 ' +
      'protocol static priority 100'));
    await ok('-n', n, ...w('rule add from 198.18.232.0/24 fwmark 7 goto 200 pref 101'));
    await ok('-n', n, ...w('rule add from 198.18.232.5 iif nosuch0 oif nosuch1 priority 102 prohibit'));
    await ok('-n', n, ...w('rule add to 198.18.232.5 fwmark 0 prio 103 lookup 4000000000'));
    await ok('-n', n, ...w('rule add priority 104 table local ipproto 200 sport 5-5 type unreachable'));
    await ok('-n', n, ...w('rule add order 105 dsfield 0x08 ipproto udp dport 53 nop'));
    await ok('-n', n, ...w('rule add priority 106 fwmark 0x5/0 dev e2 lookup default blackhole'));
    await ok('-n', n, ...w('rule add from 198.18.234.0/24 priority 107 proto boot'));
    await ok('-n', n, ...w('rule add from fd00:d3::5 to fd00:d3:1::/48 table 100 priority 7'));
    await ok('-n', n, '-6', ...w('rule add fwmark 9 table 9 priority 8'));
    if (kernelHasL3mdevRules()) await ok('-n', n, '-6', ...w('rule add l3mdev oif e0 uidrange 1-2 priority 9'));
    expect(ipJson<IpRule[]>(n, 'rule', 'show').find((r) => r.priority === 100)).toMatchObject({
      not: null,
      src: '198.18.232.0',
      srclen: 24,
      fwmark: '0x10',
      fwmask: '0xff',
      iif: 'e0',
      oif: 'e1',
      ipproto: 'tcp',
      table: '100',
      protocol: 'static',
    });
    expect(ipJson<IpRule[]>(n, '-6', 'rule', 'show').find((r) => r.priority === 8)).toMatchObject({
      fwmark: '0x9',
      table: '9',
    });
    // Without -6, the IPv4 rules alone, as ip (iprule_list_flush_or_save); -f inet6 is -6.
    await printsAsIp(() => ipText(n, 'rule', 'show'), '-n', n, 'rule');
    await printsAsIp(() => ipText(n, 'rule', 'show'), '-n', n, 'ru', 'list');
    await printsAsIp(() => ipText(n, '-6', 'rule', 'show'), '-n', n, '-6', 'rule', 'show');
    await printsAsIp(() => ipText(n, '-f', 'inet6', 'rule', 'show'), '-n', n, '-f', 'inet6', 'rule', 'show');
    await printsAsIp(() => ipText(n, '-family', 'inet', 'rule'), '-n', n, '-family', 'inet', 'rule');
    await printsAsIp(() => ipText(n, 'rule', 'show'), '-n', n, 'rule', '-4');
    // The marks of a rule the kernel holds but cannot act on, as ip prints them.
    expect(ipText(n, 'rule')).toContain(
      '102:\tfrom 198.18.232.5 iif nosuch0 [detached] oif nosuch1 [detached] prohibit\n',
    );
    expect(ipText(n, 'rule')).toContain('101:\tfrom 198.18.232.0/24 fwmark 0x7 goto 200 [unresolved]\n');
    // -j: what ip -j rule show prints, whole (the detached links' marks included).
    expect(await json('-n', n, 'rule', 'show')).toEqual(ipJson(n, 'rule', 'show'));
    expect(await json('-n', n, '-6', 'rule', 'show')).toEqual(ipJson(n, '-6', 'rule', 'show'));
    expect(ipJson<IpRule[]>(n, 'rule', 'show').find((r) => r.priority === 102)).toMatchObject({
      iif: 'nosuch0',
      iif_detached: null,
      oif_detached: null,
    });
  });

  it('rule delete: the rule matching what is given; twice, the same rule twice, bad prefixes: status 1, nothing changed', async () => {
    const n = await wired();
    await ok('-n', n, ...w('rule add from 198.18.232.0/24 table 100 priority 1000'));
    await ok('-n', n, ...w('rule add fwmark 0x10/0xff table 101 priority 1001'));
    await ok('-n', n, '-6', ...w('rule add table 102 priority 1002'));
    const before = ipText(n, 'rule') + ipText(n, '-6', 'rule');
    await fails('EEXIST', '-n', n, ...w('rule add from 198.18.232.0/24 table 100 priority 1000'));
    await fails('EINVAL', '-n', n, ...w('rule add from 198.18.300.0/24 table 100'));
    await fails('EINVAL', '-n', n, ...w('rule add from fd00:d3::/64 to 198.18.232.0/24 table 100'));
    await fails('EINVAL', '-n', n, '-6', ...w('rule add from 198.18.232.0/24 table 100'));
    // The kernel's refusal: a TOS an IPv4 rule cannot take.
    await fails('EINVAL', '-n', n, ...w('rule add tos 0x28 table 100 priority 1003'));
    await fails('ENOENT', '-n', n, ...w('rule del priority 1002'));
    expect(ipText(n, 'rule') + ipText(n, '-6', 'rule')).toBe(before);
    await ok('-n', n, ...w('rule del from 198.18.232.0/24 table 100'));
    await ok('-n', n, ...w('rule delete fwmark 0x10/0xff priority 1001'));
    await ok('-n', n, '-6', ...w('rule del priority 1002'));
    expect(ipJson<IpRule[]>(n, 'rule').map((r) => r.priority)).toEqual([0, 32766, 32767]);
    expect(ipJson<IpRule[]>(n, '-6', 'rule').map((r) => r.priority)).toEqual([0, 32766]);
    await fails('ENOENT', '-n', n, ...w('rule del priority 1000'));
  });

  it('rule add and del in the namespace the command runs in (no -n): a rule that matches nothing', async () => {
    const link = uniqueName('nr');
    const priority = String(20000 + Math.floor(Math.random() * 10000));
    try {
      await ok('rule', 'add', 'iif', link, 'table', '100', 'priority', priority);
      expect(ipText(undefined, 'rule')).toContain(`${priority}:\tfrom all iif ${link} [detached] lookup 100\n`);
      await printsAsIp(() => ipText(undefined, 'rule'), 'rule');
      await ok('rule', 'del', 'priority', priority);
      expect(ipJson<IpRule[]>(undefined, 'rule').find((r) => String(r.priority) === priority)).toBeUndefined();
    } finally {
      if (ipJson<IpRule[]>(undefined, 'rule').some((r) => String(r.priority) === priority)) {
        ip(undefined, 'rule', 'del', 'priority', priority);
      }
    }
  });
});

describeKernel('netns-native nexthop', () => {
  interface IpNexthop {
    id: number;
    gateway?: string;
    dev?: string;
    group?: Array<{ id: number; weight?: number }>;
    blackhole?: null;
  }

  it('nexthop add without id: silent, as ip; the kernel picks the id, which show lists and a group names', async () => {
    const n = await wired();
    await ok('-n', n, ...w('nexthop add via 198.18.230.254 dev e0'));
    await ok('-n', n, ...w('nexthop add via fd00:d3::fe dev e0 proto static'));
    const listed = ipJson<IpNexthop[]>(n, 'nexthop', 'show');
    const v4 = listed.find((h) => h.gateway === '198.18.230.254');
    const v6 = listed.find((h) => h.gateway === 'fd00:d3::fe');
    expect([v4?.dev, v6?.dev]).toEqual(['e0', 'e0']);
    expect(v4?.id).not.toBe(v6?.id);
    await ok('-n', n, ...w(`nexthop add group ${String(v4?.id)}`));
    const group = ipJson<IpNexthop[]>(n, 'nexthop', 'show').find((h) => h.group !== undefined);
    expect(group?.group).toEqual([{ id: v4?.id }]);
    await printsAsIp(() => ipText(n, 'nexthop', 'show'), '-n', n, 'nexthop', 'show');
    // A replace names what it replaces.
    await fails('EINVAL', '-n', n, ...w('nexthop replace via 198.18.230.253 dev e0'));
  });

  it('nexthop add (via/dev, dev, blackhole, group with weights, resilient, fdb, proto, -6) / show: the lines ip nexthop prints, each filter; -j', async () => {
    const n = await wired();
    await ok('-n', n, ...w('nexthop add id 1 via 198.18.230.254 dev e0'));
    await ok('-n', n, ...w('nexthop add id 2 via fd00:d3::fe dev e0'));
    await ok('-n', n, ...w('nexthop add id 3 blackhole'));
    await ok('-n', n, ...w('nexthop add id 4 dev e2'));
    await ok('-n', n, ...w('nexthop add id 5 via 198.18.235.253 dev e0 onlink proto static'));
    await ok('-n', n, ...w('nexthop add id 6 via 198.18.230.252 fdb'));
    await ok('-n', n, '-6', ...w('nexthop add id 7 blackhole'));
    await ok('-n', n, '-6', ...w('nexthop add id 8 dev e0'));
    await ok('-n', n, ...w('nexthop add id 10 group 1/5,3'));
    await ok('-n', n, ...w('nex add id 11 group 2,256 type mpath proto boot'));
    await ok('-n', n, ...w('nexthop add id 12 group 6 fdb'));
    await ok('-n', n, ...w('nexthop add id 13 group 1/5 type resilient buckets 8 idle_timer 120 unbalanced_timer 300'));
    const shown = ipJson<IpNexthop[]>(n, 'nexthop', 'show');
    expect(shown.map((h) => h.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13]);
    expect(shown.find((h) => h.id === 10)?.group).toEqual([{ id: 1 }, { id: 5, weight: 3 }]);
    expect(shown.find((h) => h.id === 1)).toMatchObject({ gateway: '198.18.230.254', dev: 'e0' });
    for (const filter of [[], ['show'], ['list'], ['show', 'id', '5'], ['show', 'dev', 'e0'], ['show', 'groups']]) {
      await printsAsIp(() => ipText(n, 'nexthop', ...filter), '-n', n, 'nexthop', ...filter);
    }
    await printsAsIp(() => ipText(n, '-6', 'nexthop'), '-n', n, '-6', 'nexthop');
    await printsAsIp(
      () => ipText(n, '-4', 'nexthop', 'show', 'dev', 'e2'),
      '-n',
      n,
      '-4',
      'nexthop',
      'show',
      'dev',
      'e2',
    );
    expect(ipText(n, 'nexthop')).toContain('id 5 via 198.18.235.253 dev e0 scope link proto static onlink\n');
    // -j: what ip -j nexthop show prints, whole.
    expect(await json('-n', n, 'nexthop', 'show', 'groups')).toEqual(ipJson(n, 'nexthop', 'show', 'groups'));
    expect(await json('-n', n, 'nexthop', 'show')).toEqual(ipJson(n, 'nexthop', 'show'));
  });

  it('nexthop replace / delete / flush: what ip nexthop and ip route show; refused: status 1, nothing changed', async () => {
    const n = await wired();
    await ok('-n', n, ...w('nexthop add id 1 via 198.18.230.254 dev e0'));
    await ok('-n', n, ...w('nexthop add id 2 via 198.18.230.253 dev e0'));
    await ok('-n', n, ...w('nexthop add id 10 group 1/2'));
    ip(n, 'route', 'add', '198.18.236.0/24', 'nhid', '10');
    ip(n, 'route', 'add', '198.18.237.0/24', 'nhid', '2');
    const before = ipText(n, 'nexthop');
    await fails('EEXIST', '-n', n, ...w('nexthop add id 1 blackhole'));
    await fails('ENODEV', '-n', n, ...w('nexthop add id 3 via 198.18.230.250 dev nosuch0'));
    await fails('EINVAL', '-n', n, ...w('nexthop add id 3 group 1/99'));
    await fails('EINVAL', '-n', n, ...w('nexthop add id 3 onlink dev e0'));
    await fails('EINVAL', '-n', n, ...w('nexthop add id 0 dev e0'));
    await fails('ENETUNREACH', '-n', n, ...w('nexthop add id 3 via 198.18.238.1 dev e0'));
    expect(ipText(n, 'nexthop')).toBe(before);
    // replace: the routes through it follow.
    await ok('-n', n, ...w('nexthop replace id 2 via 198.18.230.250 dev e0'));
    expect(ipJson<IpNexthop[]>(n, 'nexthop', 'show', 'id', '2')).toEqual([
      expect.objectContaining({ id: 2, gateway: '198.18.230.250', dev: 'e0' }),
    ]);
    // delete: the routes using it go too.
    await ok('-n', n, ...w('nexthop del id 10'));
    expect(ipJson<IpNexthop[]>(n, 'nexthop').map((h) => h.id)).toEqual([1, 2]);
    expect(ip(n, 'route', 'show', '198.18.236.0/24')).toBe('');
    await fails('ENOENT', '-n', n, ...w('nexthop delete id 10'));
    await ok('-n', n, ...w('nexthop add id 3 via 198.18.230.250 dev e0 proto 4'));
    expect(await cli('-n', n, ...w('nexthop flush proto static'))).toEqual({
      code: 0,
      stdout: 'Flushed 1 nexthops\n',
      stderr: '',
    });
    expect(ipJson<IpNexthop[]>(n, 'nexthop').map((h) => h.id)).toEqual([1, 2]);
    expect(await cli('-n', n, 'nexthop', 'flush')).toEqual({ code: 0, stdout: 'Flushed 2 nexthops\n', stderr: '' });
    expect(ipJson(n, 'nexthop')).toEqual([]);
    expect(ip(n, 'route', 'show', '198.18.237.0/24')).toBe('');
    expect(await cli('-n', n, 'nexthop', 'flush')).toEqual({ code: 0, stdout: 'Nothing to flush\n', stderr: '' });
  });

  it('rule flush [table T] [priority N] [protocol P], -4/-6: what is left is what ip rule flush leaves', async () => {
    const n = await wired();
    const fill = (): void => {
      for (const line of [
        'rule add from 198.18.234.0/24 table 100 priority 100',
        'rule add to 198.18.235.0/24 table 200 priority 200 protocol static',
        '-6 rule add from fd00:d3::/64 table 100 priority 100',
      ])
        ip(n, ...w(line));
    };
    await flushesAsIp(n, fill, [
      ['-4 rule flush table 100', ['-4 rule flush table 100']],
      // No family: IPv4 alone, as ip.
      ['rule flush priority 100', ['rule flush pref 100']],
      ['-6 rule flush priority 100', ['-6 rule flush pref 100']],
      ['rule flush protocol static', ['rule flush protocol static']],
    ]);
  });
});

describeKernel('netns-native: names as ip gives them', () => {
  /** A namespace with lo and h0 up (198.19.130.1/24, fd00:a1::1/64), its peer up. */
  async function named(): Promise<string> {
    const ns = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: 'h0', peerName: 'h1', namespace: ns });
    await local.addAddress('198.19.130.1/24');
    await local.addAddress('fd00:a1::1/64', { nodad: true });
    for (const l of [local, peer, await ns.link('lo')]) await l.up();
    return ns.name as string;
  }

  it('protocols of routes, rules and nexthops: iproute2 6.1’s built-in names, rt_protos’ (openr), else the number, as ip prints them; writes take them', async () => {
    const n = await named();
    // By number (ip names them), and by name through the command.
    const numbers = ['8', '10', '13', '14', '15', '99', '192', '250'];
    numbers.forEach((p, i) => ip(n, 'route', 'add', `198.19.131.${i * 8}/29`, 'dev', 'h0', 'proto', p));
    await ok('-n', n, ...w('route add 198.19.132.0/24 dev h0 proto eigrp'));
    await ok('-n', n, ...w('route add fd00:a1:1::/64 dev h0 proto xorp'));
    await ok('-n', n, ...w('rule add to 198.19.133.0/24 table 100 priority 2100 protocol eigrp'));
    ip(n, 'rule', 'add', 'to', '198.19.134.0/24', 'table', '100', 'priority', '2101', 'protocol', '99');
    await ok('-n', n, ...w('nexthop add id 1 via 198.19.130.254 dev h0 proto gated'));
    ip(n, 'nexthop', 'add', 'id', '2', 'via', '198.19.130.253', 'dev', 'h0', 'proto', '99');
    expect(routes(n, '198.19.132.0/24')).toEqual([expect.objectContaining({ protocol: 'eigrp' })]);
    await printsAsIp(() => ipText(n, 'route') + ipText(n, '-6', 'route'), '-n', n, 'routes');
    await printsAsIp(() => ipText(n, 'rule'), '-n', n, 'rule');
    await printsAsIp(() => ipText(n, '-6', 'rule'), '-n', n, '-6', 'rule');
    await printsAsIp(() => ipText(n, 'nexthop'), '-n', n, 'nexthop');
    // The names compared above: iproute2 6.1's own, whatever its files say.
    const shown = ipText(n, 'route');
    for (const name of ['gated', 'mrt', 'dnrouted', 'xorp', 'ntk', 'eigrp']) expect(shown).toContain(` proto ${name} `);
    expect(shown).toContain('198.19.131.56/29 dev h0 proto 250 scope link');
    expect(ipText(n, 'rule')).toContain('2100:\tfrom all to 198.19.133.0/24 lookup 100 proto eigrp');
    expect(ipText(n, 'nexthop')).toContain('id 1 via 198.19.130.254 dev h0 scope link proto gated');
    // -j: the same names.
    const listed = await json<Array<{ destination: string; protocol: string }>>('-n', n, 'routes');
    expect(listed.find((r) => r.destination === '198.19.131.16/29')?.protocol).toBe('dnrouted');
  });

  it('a rule’s ipproto named as ip names it, from /etc/protocols (gre, ipv6-icmp, ...), else ipproto-N', async () => {
    const n = await named();
    const numbers = ['47', '50', '89', '200', '132'];
    for (const [i, p] of numbers.entries()) {
      await ok('-n', n, ...w(`rule add to 198.19.13${i}.0/24 ipproto ${p} table 100 priority ${2200 + i}`));
    }
    await ok('-n', n, ...w('-6 rule add to fd00:a1::/64 ipproto 58 table 100 priority 2210'));
    ip(n, '-6', 'rule', 'add', 'to', 'fd00:a1:1::/64', 'ipproto', 'icmp', 'table', '100', 'priority', '2211');
    expect(ipJson<IpRule[]>(n, 'rule', 'show').find((r) => r.priority === 2203)).toMatchObject({
      ipproto: 'ipproto-200',
    });
    await printsAsIp(() => ipText(n, 'rule'), '-n', n, 'rule');
    await printsAsIp(() => ipText(n, '-6', 'rule'), '-n', n, '-6', 'rule');
    // The names compared above (those of this system's /etc/protocols, which has these).
    if (/^gre\s+47\b/m.test(fs.readFileSync('/etc/protocols', 'utf8'))) {
      expect(ipText(n, 'rule')).toContain('2200:\tfrom all to 198.19.130.0/24 ipproto gre lookup 100');
      expect(ipText(n, '-6', 'rule')).toContain('2210:\tfrom all to fd00:a1::/64 ipproto ipv6-icmp lookup 100');
    }
    // -j: the names ip prints (this system's /etc/protocols has them), else ipproto-N, as ip -j.
    expect(await json('-n', n, 'rule')).toEqual(ipJson(n, 'rule'));
    expect(await json('-n', n, '-6', 'rule')).toEqual(ipJson(n, '-6', 'rule'));
  });
});

describeKernel('netns-native: ip’s abbreviations', () => {
  it('objects and subcommands abbreviated as ip takes them (a a, r a, l s, n s, ru, nexthop ls): what ip does and prints', async () => {
    const ns = await freshNamespace();
    await VethPair.create({ name: 'h0', peerName: 'h1', namespace: ns });
    const n = ns.name as string;
    await ok('-n', n, ...w('l s h0 mtu 1400 up')); // ip l s: link set
    await ok('-n', n, ...w('l s h1 up'));
    await ok('-n', n, ...w('a a 198.19.130.1/24 dev h0'));
    await ok('-n', n, ...w('address add 198.19.130.2/24 dev h0'));
    await ok('-n', n, ...w('r a 198.19.131.0/24 via 198.19.130.254'));
    await ok('-n', n, ...w('ro ad 198.19.132.0/24 dev h0'));
    await ok('-n', n, ...w('n a 198.19.130.9 lladdr 02:00:00:00:00:09 dev h0'));
    await ok('-n', n, ...w('ru a to 198.19.133.0/24 table 100 priority 2300'));
    await ok('-n', n, ...w('nex a id 1 via 198.19.130.254 dev h0'));
    expect(ipJson<Array<{ ifname: string; mtu: number }>>(n, 'link', 'show', 'h0')[0]?.mtu).toBe(1400);
    expect(ipText(n, '-4', 'addr', 'show', 'dev', 'h0')).toContain('inet 198.19.130.2/24 scope global secondary h0');
    expect(routes(n).map((r) => r.dst)).toEqual(expect.arrayContaining(['198.19.131.0/24', '198.19.132.0/24']));
    // The shows, abbreviated on both sides.
    await printsAsIp(() => ipText(n, 'n', 's', 'dev', 'h0'), '-n', n, ...w('n s dev h0'));
    await printsAsIp(() => ipText(n, 'ru'), '-n', n, 'ru');
    await printsAsIp(() => ipText(n, '-4', 'ru', 'l'), '-n', n, ...w('-4 ru l'));
    await printsAsIp(() => ipText(n, 'nexthop', 'ls'), '-n', n, ...w('nexthop ls'));
    await printsAsIp(() => ipText(n, 'nex', 'sh', 'id', '1'), '-n', n, ...w('nex sh id 1'));
    // And the deletes.
    await ok('-n', n, ...w('r d 198.19.131.0/24'));
    await ok('-n', n, ...w('a d 198.19.130.2/24 dev h0'));
    await ok('-n', n, ...w('ru d priority 2300'));
    await ok('-n', n, ...w('nexthop de id 1'));
    expect(routes(n, '198.19.131.0/24')).toEqual([]);
    expect(ipText(n, 'addr', 'show', 'dev', 'h0')).not.toContain('198.19.130.2/24');
    expect(ipText(n, 'rule')).not.toContain('2300:');
    expect(ipText(n, 'nexthop')).toBe('');
    // `r c` is route change, as ip's (the route is gone: ENOENT). An abbreviation of what the
    // command does not have is named as typed: ip's route save, mroute. `m` is maddress, as ip's.
    await fails('ENOENT', '-n', n, ...w('r c 198.19.131.0/24 dev h0'));
    await usage('route', /^netns-native: route: unknown command "sa" /, '-n', n, ...w('r sa'));
    await usage('', /^netns-native: unknown verb "mr"$/, '-n', n, 'mr');
    expect(await cli('-n', n, 'm')).toEqual({ code: 0, stdout: ip(n, 'm'), stderr: '' });
  });
});

describeKernel('netns-native rule SELECTOR', () => {
  it('rule show SELECTOR prints what ip rule show SELECTOR prints; rule flush SELECTOR leaves what ip leaves', async () => {
    const n = await wired();
    const fill = (): void => {
      for (const line of [
        'rule add from 198.18.232.0/24 table 100 priority 100',
        'rule add from 198.18.232.5 to 198.18.233.0/24 fwmark 0x10/0xff table 101 priority 101',
        'rule add not iif e0 ipproto tcp dport 80 table 100 priority 102 protocol static',
        '-6 rule add from fd00:d3::/64 table 100 priority 100',
        '-6 rule add to fd00:d3:1::/64 fwmark 0x10 table 102 priority 101',
      ])
        ip(n, ...w(line));
    };
    fill();
    for (const [family, words] of [
      ['-4', 'from 198.18.232.0/24'],
      ['-4', 'src 198.18.0.0/16 table 101'],
      ['-4', 'to 198.18.233.0/24'],
      ['-6', 'from fd00:d3::/32'],
      ['-6', 'dst fd00:d3::/32'],
      ['-4', 'fwmark 0x10/0xff'],
      ['-4', 'not dev e0 ipproto tcp dport 80'],
      ['-4', 'pref 100'],
      ['-6', 'lookup 100'],
      ['-4', 'table main'],
    ]) {
      const words_ = w(words as string);
      await printsAsIp(
        () => ipText(n, family as string, 'rule', 'show', ...words_),
        '-n',
        n,
        family as string,
        'rule',
        'show',
        ...words_,
      );
    }
    // No family: IPv4, as ip; an IPv6 prefix then needs -6 (ip: "inet prefix is expected").
    await printsAsIp(() => ipText(n, 'rule', 'show', 'fwmark', '0x10'), ...w(`-n ${n} rule list fwmark 0x10`));
    expect(() => ip(n, 'rule', 'show', 'from', 'fd00:d3::/32')).toThrow(/inet prefix is expected/);
    await usage(
      'rule',
      /^netns-native: rule show: from fd00:d3::\/32 is an IPv6 prefix: give -6/,
      ...w(`-n ${n} rule show from fd00:d3::/32`),
    );
    // protocol selects here (ip's show reads it and lists every rule); protocol all: any.
    await printsAsIp(() => ipText(n, '-4', 'rule', 'show', 'pref', '102'), ...w(`-n ${n} rule show protocol static`));
    await printsAsIp(() => ipText(n, 'rule'), ...w(`-n ${n} rule show protocol all`));
    expect(
      (await json<Array<{ priority: number }>>(...w(`-n ${n} rule show from 198.18.232.0/24`))).map((r) => r.priority),
    ).toEqual([100, 101]);
    restoreRules(n);
    await flushesAsIp(n, fill, [
      ['-4 rule flush from 198.18.232.0/24', ['-4 rule flush from 198.18.232.0/24']],
      ['rule flush fwmark 0x10', ['rule flush fwmark 0x10']],
      ['rule flush not iif e0', ['rule flush not iif e0']],
      ['-f inet6 rule flush fwmark 0x10', ['-6 rule flush fwmark 0x10']],
    ]);
  });
});

describeKernel('netns-native rule: the words ip reads its own way', () => {
  it('a bare prefix is `to PREFIX`, table 0 any table, ipproto a name of /etc/protocols, protocol hex: as ip reads them', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    const fill = (): void => {
      for (const line of [
        'rule add from 198.19.113.0/24 table 100 priority 100',
        'rule add to 198.19.114.0/24 table 100 priority 101',
        'rule add to 198.19.114.128/25 goto 32766 priority 102',
        '-6 rule add to fd00:a7::/64 table 100 priority 100',
      ])
        ip(n, ...w(line));
    };
    fill();
    // Before: `unexpected "198.19.114.0/16"`, and `table 0` EINVAL.
    for (const [family, words] of [
      ['-4', '198.19.0.0/16'],
      ['-4', '198.19.114.0/24 table 100'],
      ['-6', 'fd00:a7::/32'],
      ['-4', 'table 0'],
      ['-6', 'table unspec'],
    ] as const) {
      const words_ = w(words);
      await printsAsIp(() => ipText(n, family, 'rule', 'show', ...words_), '-n', n, family, 'rule', 'show', ...words_);
    }
    expect(ipText(n, '-4', 'rule', 'show', '198.19.0.0/16')).toContain('101:\tfrom all to 198.19.114.0/24 lookup 100');
    await printsAsIp(() => ipText(n, 'rule'), ...w(`-n ${n} rule show table 0`));
    restoreRules(n);
    await flushesAsIp(n, fill, [['-4 rule flush 198.19.114.0/24', ['-4 rule flush 198.19.114.0/24']]]);
    // ip's add takes no bare prefix ("Failed to parse rule type"): nor does the command.
    const before = rulesNow(n);
    const bare = await cli(...w(`-n ${n} rule add 198.19.115.0/24 table 100`));
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/unexpected "198.19.115.0\/24"/);
    expect(rulesNow(n)).toBe(before);
    // ipproto by a name or alias of /etc/protocols; protocol in hex (before: both refused).
    await ok('-n', n, ...w('rule add to 198.19.116.0/24 ipproto GRE protocol 0x10 table 100 priority 110'));
    await ok('-n', n, ...w('-6 rule add to fd00:a7:1::/64 ipproto ipv6-icmp protocol 0xc8 table 100 priority 110'));
    expect(ipText(n, '-d', 'rule', 'show', 'pref', '110')).toContain(
      '110:\tfrom all to 198.19.116.0/24 ipproto gre lookup 100 proto dhcp',
    );
    expect(ipText(n, '-6', '-d', 'rule', 'show', 'pref', '110')).toContain(
      '110:\tfrom all to fd00:a7:1::/64 ipproto ipv6-icmp lookup 100 proto 200',
    );
    await printsAsIp(() => ipText(n, 'rule'), '-n', n, 'rule');
    // A leading 0 is octal to ip: refused, with the number it would be.
    const now = rulesNow(n);
    const octal = await cli(...w(`-n ${n} rule add to 198.19.117.0/24 protocol 010 table 100`));
    expect([octal.code, octal.stderr]).toEqual([
      1,
      expect.stringMatching(/ip reads a leading 0 as octal, 8\): give 8 or '0x8'/),
    ]);
    expect(rulesNow(n)).toBe(now);
  });
});

describeKernel('netns-native neigh, rule, nexthop command lines', () => {
  it('bad command lines: status 2, a line naming the word, then the verb’s usage; nothing changed', async () => {
    const n = await wired();
    await ok(...w(`-n ${n} neigh add 198.18.230.9 lladdr ${MAC} dev e0`));
    await ok('-n', n, ...w('rule add from 198.18.232.0/24 table 100 priority 1000'));
    await ok('-n', n, ...w('nexthop add id 1 via 198.18.230.254 dev e0'));
    const state = (): string =>
      [
        JSON.stringify(entries(n)),
        ipText(n, 'neigh', 'show', 'proxy'),
        ipText(n, 'rule'),
        ipText(n, '-6', 'rule'),
        ipText(n, 'nexthop'),
      ].join('--\n');
    const before = state();
    const add = `198.18.230.50 lladdr ${MAC} dev e0`;
    const cases: Array<[string, RegExp, string]> = [
      ['neigh', /^netns-native: neigh: unknown command "frob" \(show, list, add/, 'neigh frob'],
      ['neigh', /^netns-native: neigh add: "vrf" is ip's, not supported here$/, `neigh add ${add} vrf`],
      ['neigh', /^netns-native: neigh add: lladdr needs a MAC address$/, 'neigh add 198.18.230.50 lladdr'],
      ['neigh', /^netns-native: neigh add needs dev LINK: /, `neigh add 198.18.230.50 lladdr ${MAC}`],
      ['neigh', /^netns-native: neigh add needs an address: /, 'neigh add dev e0'],
      ['neigh', /^netns-native: neigh add: unexpected "198.18.230.51"$/, `neigh add ${add} 198.18.230.51`],
      ['neigh', /^netns-native: neigh add: nud: unknown state "bogus" \(permanent, /, `neigh add ${add} nud bogus`],
      ['neigh', /^netns-native: neigh add: nud: unknown state "all"/, `neigh add ${add} nud all`],
      ['neigh', /^netns-native: neigh replace: router is given twice$/, `neigh replace ${add} router router`],
      ['neigh', /^netns-native: neigh show: nud: unknown state "bogus"/, 'neigh show nud bogus'],
      ['neigh', /^netns-native: neigh show: dev is given twice$/, 'neigh show dev e0 dev e2'],
      ['neigh', /^netns-native: neigh show: unexpected "bogus"$/, 'neigh show bogus'],
      ['neigh', /^netns-native: neigh show: to is given twice$/, 'neigh show 198.18.230.9 to 198.18.230.0/24'],
      ['neigh', /^netns-native: neigh show: master is given twice$/, 'neigh show master e0 nomaster'],
      ['neigh', /^netns-native: neigh show: vrf needs a VRF device name$/, 'neigh show vrf'],
      [
        'neigh',
        /^netns-native: neigh show: 198.18.230.0\/24 is not an IPv6 prefix \(-6\)$/,
        '-6 neigh show 198.18.230.0/24',
      ],
      ['neigh', /^netns-native: neigh flush needs a selector \(ip: "Flush requires arguments"\)/, 'neigh flush'],
      ['neigh', /^netns-native: neigh flush: to: "bogus" is no prefix/, 'neigh flush to bogus'],
      ['neigh', /^netns-native: neigh flush: proto: unknown route protocol "bogus"/, 'neigh flush proto bogus'],
      ['neigh', /^netns-native: neigh del: unexpected "lladdr"$/, `neigh del 198.18.230.9 dev e0 lladdr ${MAC}`],
      [
        'neigh',
        /^netns-native: neigh add: fd00:d3::50 is not an IPv4 address \(-4\)$/,
        `-4 neigh add fd00:d3::50 lladdr ${MAC} dev e0`,
      ],
      ['rule', /^netns-native: rule flush: unexpected "goto"$/, 'rule flush goto 5'],
      ['rule', /^netns-native: rule show: unexpected "blackhole"$/, 'rule show blackhole'],
      ['rule', /^netns-native: rule show: "tun_id" is ip's, not supported here$/, 'rule show tun_id 5'],
      ['rule', /^netns-native: rule show: from is given twice$/, 'rule show src 198.18.0.0/16 from all'],
      ['rule', /^netns-native: rule list: dst needs a prefix or all$/, 'rule list dst'],
      ['rule', /^netns-native: rule: unknown command "get"/, 'rule get'],
      ['rule', /^netns-native: rule add: "nat" is ip's, not supported here$/, 'rule add nat 198.19.84.9 table 3'],
      ['rule', /^netns-native: rule add: "tun_id" is ip's, not supported here$/, 'rule add tun_id 5 table 3'],
      ['rule', /^netns-native: rule add: unexpected "frob"$/, 'rule add from 198.18.232.0/24 frob'],
      [
        'rule',
        /^netns-native: rule add: fwmark needs a mark or MARK\/MASK, .* not "0x10\/zz"$/,
        'rule add fwmark 0x10/zz',
      ],
      [
        'rule',
        /^netns-native: rule add: priority needs a number from 0 to 4294967295, not "x"$/,
        'rule add priority x',
      ],
      ['rule', /^netns-native: rule add: sport needs N or N-M \(numbers\), not "80-"$/, 'rule add sport 80-'],
      ['rule', /^netns-native: rule add: uidrange needs A-B \(numbers\), not "5"$/, 'rule add uidrange 5'],
      ['rule', /^netns-native: rule add: table is given twice$/, 'rule add table 5 lookup 6'],
      ['rule', /^netns-native: rule add: type: unknown action "reject"/, 'rule add type reject'],
      ['rule', /^netns-native: rule add: action is given twice$/, 'rule add blackhole goto 5'],
      ['rule', /^netns-native: rule delete: from needs a prefix or all$/, 'rule delete from'],
      ['nexthop', /^netns-native: nexthop add: unexpected "198.18.230.254"$/, 'nexthop add 198.18.230.254 dev e0'],
      ['nexthop', /^netns-native: nexthop add: id needs a number from 0 to 4294967295, not "x"$/, 'nexthop add id x'],
      ['nexthop', /^netns-native: nexthop add: group needs ID\[,WEIGHT\]/, 'nexthop add id 20 group 1/x'],
      [
        'nexthop',
        /^netns-native: nexthop add: "encap" is ip's, not supported here$/,
        'nexthop add id 20 encap mpls 20 dev e0',
      ],
      [
        'nexthop',
        /^netns-native: nexthop add: type: "fancy" is not a group type \(mpath or resilient\)$/,
        'nexthop add id 20 group 1 type fancy',
      ],
      [
        'nexthop',
        /^netns-native: nexthop replace: via is given twice$/,
        'nexthop replace id 1 via 198.18.230.2 via 198.18.230.3',
      ],
      ['nexthop', /^netns-native: nexthop del needs id N/, 'nexthop del'],
      ['nexthop', /^netns-native: nexthop del: id is given twice$/, 'nexthop del id 1 id 2'],
      ['nexthop', /^netns-native: nexthop del: unexpected "1"$/, 'nexthop del 1'],
      ['nexthop', /^netns-native: nexthop flush: unexpected "via"$/, 'nexthop flush via 198.18.230.254'],
      ['nexthop', /^netns-native: nexthop show: groups is given twice$/, 'nexthop show groups groups'],
      ['link', /^netns-native: link set: -6 is for link show only$/, '-6 link set e0 up'],
      [
        'sysctl',
        /^netns-native: -4 is for neigh, rule, nexthop, route, addr, maddr and link show only$/,
        '-4 sysctl net.ipv4.ip_forward',
      ],
      ['neigh', /^netns-native: -4 and -6 together$/, '-4 neigh -6'],
    ];
    for (const [verb, pattern, line] of cases) await usage(verb, pattern, '-n', n, ...w(line));
    expect(state()).toBe(before);
    // ip's spellings of the three verbs are theirs; others name the verb meant.
    for (const spelling of ['n', 'neighbor', 'neighbour']) {
      expect(await cli('-n', n, spelling)).toEqual(await cli('-n', n, 'neigh'));
    }
    expect(await cli('-n', n, 'ru')).toEqual(await cli('-n', n, 'rule'));
    expect(await cli('-n', n, 'nex')).toEqual(await cli('-n', n, 'nexthop'));
    await usage('neigh', /^netns-native: neigh: unknown command "frob"/, '-n', n, 'neighbour', 'frob');
    await usage('', /^netns-native: unknown verb "neighbours" \(did you mean neigh\?\)$/, 'neighbours');
    await usage('', /^netns-native: unknown verb "rules" \(did you mean rule\?\)$/, 'rules');
    await fails('ENOENT', '-n', 'nnt-nosuch0', 'neigh');
  }, 180000); // ~70 command runs and ip's state before and after: 86 s seen on a loaded machine
});
