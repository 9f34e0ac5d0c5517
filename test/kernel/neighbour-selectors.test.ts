/**
 * The selectors `ip neigh show|flush` has beyond dev, nud and proxy: `to PREFIX` (and the bare
 * PREFIX), `master DEV`, `vrf DEV`, `nomaster`, `unused` and `protocol P`; through the library
 * (ns.neighbours, ns.flushNeighbours) and the command, each beside ip 6.1.
 * Addresses from 198.19.75.0/24, 198.19.76.0/24 and fd00:b3::/32 only; the protocol and
 * partial-address tests 198.18.108.0/24 ... 198.18.110.0/24 and fd00:b7::/32.
 */
import { Bridge, NetnsError, VethPair, type FlushNeighboursOptions, type Namespace } from 'netns-native';
import { cli, fails, ok, usage } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip, ipJson } from '../helpers/ip';
import { describeKernel, itIf, kernelHasLinkKind } from '../helpers/skip';

const w = (line: string): string[] => line.split(' ');
const MAC = '02:00:00:00:00:09';

interface IpNeigh {
  dst: string;
  dev: string;
  state: string[];
}

/**
 * A namespace with v0 (198.19.75.1/24, fd00:b3::1/64) and br0 (198.19.76.1/24) up, v1 a port of
 * br0, and permanent entries on each: 198.19.75.9 and fd00:b3::9 on v0, 198.19.76.9 on the port
 * v1, 198.19.76.8 on br0 itself.
 */
async function wired(): Promise<Namespace> {
  const ns = await freshNamespace();
  const v = await VethPair.create({ name: 'v0', peerName: 'v1', namespace: ns });
  const br = await Bridge.create('br0', { namespace: ns });
  await br.addPort(v.peer);
  await v.local.addAddress('198.19.75.1/24');
  await v.local.addAddress('fd00:b3::1/64', { nodad: true });
  await br.addAddress('198.19.76.1/24');
  for (const l of [v.local, v.peer, br]) await l.up();
  const add = (line: string): string => ip(ns.name, 'neigh', 'add', ...w(line));
  add(`198.19.75.9 lladdr ${MAC} dev v0`);
  add(`fd00:b3::9 lladdr ${MAC} dev v0`);
  add(`198.19.76.9 lladdr ${MAC} dev v1`);
  add(`198.19.76.8 lladdr ${MAC} dev br0`);
  return ns;
}

/** The kernel's own multicast entries (IGMP, MLD), which come and go as links come up. */
const multicast = (address: string): boolean => address.startsWith('ff02:') || address.startsWith('224.');

/** ip's entries for a selector (every state), as 'ADDRESS DEV', sorted; the multicast ones left out. */
function ipSelects(ns: Namespace, ...selector: string[]): string[] {
  return ipJson<IpNeigh[]>(ns.name, 'neigh', 'show', ...selector, 'nud', 'all')
    .filter((e) => !multicast(e.dst))
    .map((e) => `${e.dst} ${e.dev}`)
    .sort();
}

/** What ip prints for `neigh show ARGS`, lines without the trailing blank. */
function ipText(ns: Namespace, ...args: string[]): string {
  return ip(ns.name, 'neigh', 'show', ...args).replace(/[ \t]+$/gm, '');
}

describeKernel('neighbour selectors: to, master, vrf, nomaster, unused', () => {
  it('ns.neighbours({ to, master, noMaster, unused }): the entries ip neigh show selects', async () => {
    const ns = await wired();
    const mine = async (options: Parameters<Namespace['neighbours']>[0]): Promise<string[]> =>
      (await ns.neighbours({ all: true, ...options }))
        .filter((e) => !multicast(e.address))
        .map((e) => `${e.address} ${e.link}`)
        .sort();
    const cases: Array<[Parameters<Namespace['neighbours']>[0], string[]]> = [
      [{ to: '198.19.76.0/24' }, ['to', '198.19.76.0/24']],
      [{ to: '198.19.75.9' }, ['to', '198.19.75.9']],
      [{ to: 'fd00:b3::/32' }, ['to', 'fd00:b3::/32']],
      [{ to: '198.19.78.0/24' }, ['to', '198.19.78.0/24']],
      [{ master: 'br0' }, ['master', 'br0']],
      [{ master: await ns.link('br0') }, ['master', 'br0']],
      [{ master: 'v0' }, ['master', 'v0']],
      [{ noMaster: true }, ['nomaster']],
      [{ unused: true }, ['unused']],
      [{ noMaster: true, to: '198.19.76.0/24' }, ['nomaster', 'to', '198.19.76.0/24']],
      [{ master: 'br0', family: 4 }, ['-4', 'master', 'br0']],
    ];
    for (const [options, selector] of cases) {
      const theirs =
        selector[0] === '-4'
          ? ipJson<IpNeigh[]>(ns.name, '-4', 'neigh', 'show', ...selector.slice(1), 'nud', 'all')
              .filter((e) => !multicast(e.dst))
              .map((e) => `${e.dst} ${e.dev}`)
              .sort()
          : ipSelects(ns, ...selector);
      expect([selector, await mine(options)]).toEqual([selector, theirs]);
    }
    // Each selects something, and not everything, on this table (the cases can fail).
    expect(ipSelects(ns, 'master', 'br0')).toEqual(['198.19.76.9 v1']);
    expect(ipSelects(ns, 'to', '198.19.76.0/24')).toEqual(['198.19.76.8 br0', '198.19.76.9 v1']);
  });

  it('ns.neighbours and flushNeighbours: bad selectors rejected with a reason, nothing flushed', async () => {
    const ns = await wired();
    const before = ipSelects(ns);
    const other = await freshNamespace();
    const lo = await other.link('lo');
    const bad: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ to: 'bogus' }, 'EINVAL', /prefix \(to\)/],
      [{ to: '198.19.75.0/33' }, 'EINVAL', /invalid prefix length/],
      [{ to: '198.19.75.0/24', family: 6 }, 'EINVAL', /is an IPv4 prefix, but family is 6/],
      [{ master: 'br0', noMaster: true }, 'EINVAL', /master and noMaster exclude each other/],
      [{ master: 'nosuch0' }, 'ENODEV', /no link "nosuch0" to be the master/],
      [{ master: lo }, 'EINVAL', /is in another namespace/],
      [{ master: 'a'.repeat(16) }, 'EINVAL', /name/],
      [{ noMaster: 'yes' }, 'EINVAL', /noMaster/],
      [{ unused: 1 }, 'EINVAL', /unused/],
    ];
    for (const [options, code, reason] of bad) {
      for (const call of [() => ns.neighbours(options), () => ns.flushNeighbours({ state: 'all', ...options })]) {
        const e = await call().then(
          () => undefined,
          (err: unknown) => err,
        );
        expect([options, e instanceof NetnsError && e.code]).toEqual([options, code]);
        expect((e as Error).message).toMatch(reason);
      }
    }
    expect(ipSelects(ns)).toEqual(before);
  });

  it('ns.flushNeighbours({ to, master, noMaster, unused }): leaves what ip neigh flush leaves', async () => {
    const cases: Array<[FlushNeighboursOptions, string]> = [
      [{ to: '198.19.76.0/24', state: 'all' }, 'to 198.19.76.0/24 nud all'],
      [{ master: 'br0', state: 'all' }, 'master br0 nud all'],
      [{ noMaster: true, state: 'all' }, 'nomaster nud all'],
      [{ unused: true, state: 'permanent', family: 6 }, 'unused nud permanent'],
    ];
    for (const [options, line] of cases) {
      const theirs = await wired();
      ip(theirs.name, ...(options.family === 6 ? ['-6'] : []), 'neigh', 'flush', ...w(line));
      const left = ipSelects(theirs);
      const ns = await wired();
      const removed = await ns.flushNeighbours(options);
      expect([line, ipSelects(ns)]).toEqual([line, left]);
      expect(removed.length).toBeGreaterThan(0);
      expect(left.length).toBeGreaterThan(0);
    }
  });

  it('neigh show|flush [to] PREFIX, master, vrf, nomaster, unused: as ip prints and flushes', async () => {
    const ns = await wired();
    const n = ns.name as string;
    for (const selector of [
      'to 198.19.76.0/24',
      '198.19.75.9',
      'fd00:b3::/32',
      'to 198.19.78.0/24',
      'all',
      'default',
      'master br0',
      'master v0',
      'nomaster',
      'unused',
      'nomaster 198.19.76.0/24 nud permanent',
      'dev v0 to fd00:b3::9',
    ]) {
      const run = await cli('-n', n, 'neigh', 'show', ...w(selector));
      expect([selector, run.code, run.stderr]).toEqual([selector, 0, '']);
      const lines = (text: string): string[] =>
        text
          .split('\n')
          .filter((l) => l !== '' && !multicast(l))
          .sort();
      expect([selector, lines(run.stdout)]).toEqual([selector, lines(ipText(ns, ...w(selector)))]);
    }
    const listed = JSON.parse((await cli('-j', '-n', n, 'neigh', 'show', 'master', 'br0')).stdout) as Array<{
      address: string;
      link: string;
    }>;
    expect(listed.map((e) => `${e.address} ${e.link}`)).toEqual(ipSelects(ns, 'master', 'br0'));

    // vrf: ip takes only a VRF device (this kernel may have none to make); it refuses the rest.
    expect(() => ip(n, 'neigh', 'show', 'vrf', 'br0')).toThrow(/Not a valid VRF name/);
    expect(await fails('EINVAL', '-n', n, 'neigh', 'show', 'vrf', 'br0')).toMatch(
      /link "br0" is not a VRF device \(a bridge\)/,
    );
    await fails('ENODEV', '-n', n, 'neigh', 'show', 'vrf', 'nosuch0');
    await fails('ENODEV', '-n', n, 'neigh', 'show', 'master', 'nosuch0');
    expect(() => ip(n, 'neigh', 'show', 'master', 'nosuch0')).toThrow(/Device does not exist/);
    await usage('neigh', /neigh show: to: "bogus" is no prefix/, '-n', n, 'neigh', 'show', 'to', 'bogus');
    await usage(
      'neigh',
      /neigh show: fd00:b3::\/32 is not an IPv4 prefix \(-4\)/,
      '-n',
      n,
      '-4',
      'neigh',
      'show',
      'fd00:b3::/32',
    );

    // flush: what ip's flush of the same words leaves.
    const before = ipSelects(ns);
    await ok('-n', n, 'neigh', 'flush', 'to', '198.19.76.0/24', 'nud', 'all');
    expect(ipSelects(ns)).toEqual(before.filter((e) => !e.startsWith('198.19.76.')));
    await ok('-n', n, 'neigh', 'flush', 'nomaster', 'nud', 'permanent', 'fd00:b3::9');
    expect(ipSelects(ns)).toEqual(['198.19.75.9 v0']);
    const theirs = await wired();
    ip(theirs.name, 'neigh', 'flush', 'to', '198.19.76.0/24', 'nud', 'all');
    ip(theirs.name, 'neigh', 'flush', 'nomaster', 'nud', 'permanent', 'fd00:b3::9');
    expect(ipSelects(theirs)).toEqual(ipSelects(ns));
  });

  itIf(kernelHasLinkKind('vrf', ['table', '10']), 'this kernel has no vrf links')(
    "neigh show vrf DEV: the entries on the VRF device's ports, as ip lists them",
    async () => {
      const ns = await wired();
      const n = ns.name as string;
      ip(n, 'link', 'add', 'vrf0', 'type', 'vrf', 'table', '10');
      ip(n, 'link', 'set', 'v0', 'master', 'vrf0');
      ip(n, 'neigh', 'replace', '198.19.75.9', 'lladdr', MAC, 'dev', 'v0');
      const run = await cli('-n', n, 'neigh', 'show', 'vrf', 'vrf0', 'nud', 'all');
      expect(run.code).toBe(0);
      const lines = run.stdout.split('\n').filter((l) => l !== '' && !multicast(l));
      expect(lines.map((l) => `${l.split(' ')[0] as string} v0`).sort()).toEqual(ipSelects(ns, 'vrf', 'vrf0'));
      expect(ipSelects(ns, 'vrf', 'vrf0')).toContain('198.19.75.9 v0');
    },
  );
});

/**
 * A namespace with p0 (198.18.108.1/24, fd00:b7::1/64) up and permanent entries of protocols:
 * 198.18.108.11 and fd00:b7::11 zebra, 198.18.108.12 static, 198.18.108.13 none; a proxy entry
 * 198.18.108.20 zebra.
 */
async function withProtocols(): Promise<Namespace> {
  const ns = await freshNamespace();
  const v = await VethPair.create({ name: 'p0', peerName: 'p1', namespace: ns });
  await v.local.addAddress('198.18.108.1/24');
  await v.local.addAddress('fd00:b7::1/64', { nodad: true });
  await v.local.up();
  await v.peer.up();
  for (const line of [
    `198.18.108.11 lladdr ${MAC} dev p0 protocol zebra`,
    `fd00:b7::11 lladdr ${MAC} dev p0 protocol zebra`,
    `198.18.108.12 lladdr ${MAC} dev p0 protocol static`,
    `198.18.108.13 lladdr ${MAC} dev p0`,
    'proxy 198.18.108.20 dev p0 protocol zebra',
  ]) {
    ip(ns.name, 'neigh', 'add', ...w(line));
  }
  return ns;
}

describeKernel('neighbour selectors: protocol; partial addresses', () => {
  it('ns.neighbours({ protocol }): the entries ip neigh show protocol selects; 0 those without one', async () => {
    const ns = await withProtocols();
    const mine = async (options: Parameters<Namespace['neighbours']>[0]): Promise<string[]> =>
      (await ns.neighbours({ all: true, ...options }))
        .filter((e) => !multicast(e.address))
        .map((e) => `${e.address} ${e.link}`)
        .sort();
    for (const protocol of ['zebra', 'static', 186, '0x2', 'kernel']) {
      const theirs = ipSelects(ns, 'protocol', String(protocol));
      expect([protocol, await mine({ protocol })]).toEqual([protocol, theirs]);
    }
    expect(await mine({ protocol: 'zebra' })).toEqual(['198.18.108.11 p0', 'fd00:b7::11 p0']);
    expect(await mine({ protocol: 'zebra', family: 6 })).toEqual(['fd00:b7::11 p0']);
    expect(await mine({ protocol: 'zebra', proxy: true })).toEqual(['198.18.108.20 p0']);
    // ip takes protocol 0 as no filter; here it is the entries without one.
    expect(await mine({ protocol: 0, to: '198.18.108.0/24' })).toEqual(['198.18.108.13 p0']);
    expect(await mine({ protocol: 'unspec', to: '198.18.108.0/24' })).toEqual(['198.18.108.13 p0']);
    expect(ipSelects(ns, 'protocol', '0', 'to', '198.18.108.0/24')).toHaveLength(3);
  });

  it('ns.flushNeighbours({ protocol }): leaves what ip neigh flush protocol leaves; bad ones refused, nothing flushed', async () => {
    const cases: Array<[FlushNeighboursOptions, string[]]> = [
      [{ protocol: 'zebra', state: 'all' }, w('protocol zebra nud all')],
      [{ protocol: 'static', state: 'permanent', family: 4 }, w('-4 neigh flush protocol static nud permanent')],
      [{ protocol: 'zebra', proxy: true }, w('proxy protocol zebra')],
    ];
    for (const [options, line] of cases) {
      const theirs = await withProtocols();
      const args = line[0] === '-4' ? line : ['neigh', 'flush', ...line];
      ip(theirs.name, ...args);
      const left = ipSelects(theirs);
      const leftProxies = ipSelects(theirs, 'proxy');
      const ns = await withProtocols();
      const removed = await ns.flushNeighbours(options);
      expect([line, ipSelects(ns), ipSelects(ns, 'proxy')]).toEqual([line, left, leftProxies]);
      expect(removed.length).toBeGreaterThan(0);
      expect(removed.every((e) => e.protocol === options.protocol)).toBe(true);
    }
    const ns = await withProtocols();
    const before = [ipSelects(ns), ipSelects(ns, 'proxy')];
    for (const [protocol, reason] of [
      ['nnt-nosuch', /unknown route protocol "nnt-nosuch"/],
      [256, /the protocol must be an integer from 0 to 255/],
      ['010', /ambiguous/],
    ] as const) {
      for (const call of [() => ns.neighbours({ protocol }), () => ns.flushNeighbours({ protocol, state: 'all' })]) {
        await expect(call()).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(reason) });
      }
    }
    expect([ipSelects(ns), ipSelects(ns, 'proxy')]).toEqual(before);
  });

  it('neigh show|flush protocol P: as ip prints and flushes (all and 0: every protocol); a bad one is status 2', async () => {
    const ns = await withProtocols();
    const n = ns.name as string;
    for (const selector of [
      'protocol zebra',
      'proto static',
      'protocol all',
      'protocol 0',
      '-6 neigh show protocol zebra',
      'proxy protocol zebra',
      'protocol bgp',
    ]) {
      const args = selector.startsWith('-') ? w(selector) : ['neigh', 'show', ...w(selector)];
      const run = await cli('-n', n, ...args);
      expect([selector, run.code, run.stderr]).toEqual([selector, 0, '']);
      expect([selector, run.stdout]).toEqual([selector, ip(n, ...args).replace(/[ \t]+$/gm, '')]);
    }
    for (const selector of [
      'protocol zebra nud permanent',
      'proxy protocol zebra',
      'protocol 0 nud permanent to 198.18.108.12',
    ]) {
      const theirs = await withProtocols();
      ip(theirs.name, 'neigh', 'flush', ...w(selector));
      const mine = await withProtocols();
      await ok('-n', mine.name as string, 'neigh', 'flush', ...w(selector));
      expect([selector, ipSelects(mine), ipSelects(mine, 'proxy')]).toEqual([
        selector,
        ipSelects(theirs),
        ipSelects(theirs, 'proxy'),
      ]);
    }
    const before = [ipSelects(ns), ipSelects(ns, 'proxy')];
    await usage(
      'neigh',
      /^netns-native: neigh flush: protocol: unknown route protocol "nnt-nosuch"/,
      ...w(`-n ${n} neigh flush protocol nnt-nosuch`),
    );
    await usage(
      'neigh',
      /^netns-native: neigh flush: protocol is given twice$/,
      ...w(`-n ${n} neigh flush protocol zebra proto static`),
    );
    expect([ipSelects(ns), ipSelects(ns, 'proxy')]).toEqual(before);
  });

  it("neigh show|flush with a partial address or hex parts (198.18.109, 198.18/16, 0x6d): as ip's get_prefix reads them", async () => {
    const ns = await withProtocols();
    const n = ns.name as string;
    const add = (mine: Namespace): void => {
      for (const a of ['198.18.109.0', '198.18.109.20', '198.18.110.20']) {
        ip(mine.name, 'neigh', 'add', a, 'lladdr', MAC, 'dev', 'p0');
      }
    };
    add(ns);
    for (const selector of [
      '198.18.109',
      'to 198.18.109',
      '198.18.109/24',
      'to 198.18/16',
      '198.18.0x6d.0x14',
      '198',
    ]) {
      const args = ['neigh', 'show', ...w(selector), 'nud', 'all'];
      const run = await cli('-n', n, ...args);
      expect([selector, run.code, run.stderr]).toEqual([selector, 0, '']);
      expect([selector, run.stdout]).toEqual([selector, ip(n, ...args).replace(/[ \t]+$/gm, '')]);
    }
    // What ip takes them as: the host, the parts missing 0; a length over that.
    expect(ipSelects(ns, '198.18.109')).toEqual(['198.18.109.0 p0']);
    expect(ipSelects(ns, '198.18.109/24')).toEqual(['198.18.109.0 p0', '198.18.109.20 p0']);
    expect(ipSelects(ns, '198.18.0x6d.0x14')).toEqual(['198.18.109.20 p0']);
    expect(ipSelects(ns, 'to', '198.18/16')).toHaveLength(6);
    for (const selector of [
      'to 198.18.109/24 nud permanent',
      '198.18.109 nud permanent',
      '198.18.0x6e/24 nud permanent',
    ]) {
      const theirs = await withProtocols();
      add(theirs);
      ip(theirs.name, 'neigh', 'flush', ...w(selector));
      const mine = await withProtocols();
      add(mine);
      await ok('-n', mine.name as string, 'neigh', 'flush', ...w(selector));
      expect([selector, ipSelects(mine)]).toEqual([selector, ipSelects(theirs)]);
      expect(ipSelects(mine).length).toBeLessThan(ipSelects(ns).length);
    }
    // A part with a leading 0 (octal to ip: 010 is 8) is refused, saying so; nothing flushed.
    const before = ipSelects(ns);
    await usage(
      'neigh',
      /^netns-native: neigh flush: "198.18.109.010": ip reads a part with a leading 0 as octal \(010\): write it in decimal or 0x hex$/,
      ...w(`-n ${n} neigh flush 198.18.109.010 nud all`),
    );
    await usage(
      'neigh',
      /^netns-native: neigh flush: to: "198.18.256" is no prefix/,
      ...w(`-n ${n} neigh flush to 198.18.256`),
    );
    await usage(
      'neigh',
      /^netns-native: neigh show: unexpected "198.18.109."$/,
      ...w(`-n ${n} neigh show 198.18.109.`),
    );
    expect(ipSelects(ns)).toEqual(before);
  });
});
