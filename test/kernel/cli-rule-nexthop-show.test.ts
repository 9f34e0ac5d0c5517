/**
 * The command's `rule show` and `nexthop show` beside ip 6.1's: rules of every kind the library
 * adds (IPv4 and IPv6) and nexthop objects of every kind, listed by both, `-j` compared as
 * parsed JSON (whole), text line for line (ip's trailing blanks left out), with -d, -s and -p as
 * ip takes them. Addresses from 198.18.114.0/24, 198.18.115.0/24 and fd00:b9::/32 only.
 */
import { spawnSync } from 'node:child_process';
import { VethPair, type Namespace, type RuleSpec } from 'netns-native';
import { cli } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { settled } from '../helpers/ip';
import { describeKernel, kernelHasL3mdevRules } from '../helpers/skip';

/** What `ip -n NS ARGS` prints (status 0 expected), without the trailing blanks ip leaves. */
function ipText(ns: string, ...args: string[]): string {
  const run = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  expect([args, run.status, run.stderr]).toEqual([args, 0, '']);
  return run.stdout.replace(/[ \t]+$/gm, '');
}

/** For each command line: the command's output equals ip's (`-j` in it: parsed, whole). */
async function showsAsIp(ns: string, lines: string[][]): Promise<void> {
  for (const args of lines) {
    const expected = ipText(ns, ...args);
    const run = await cli('-n', ns, ...args);
    expect([args, run.code, run.stderr]).toEqual([args, 0, '']);
    if (args.includes('-j')) expect([args, JSON.parse(run.stdout)]).toEqual([args, JSON.parse(expected)]);
    else expect([args, run.stdout]).toEqual([args, expected]);
  }
}

/** Each show with and without -j, -d, -s; -p with -j. */
function variants(verb: string, ...families: string[][]): string[][] {
  const out: string[][] = [];
  for (const family of families) {
    for (const options of [[], ['-d'], ['-s'], ['-j'], ['-j', '-d'], ['-j', '-p']]) {
      out.push([...options, ...family, verb, 'show']);
    }
  }
  return out;
}

/** A namespace with e0 (198.18.114.1/24, fd00:b9::1/64) up and e2 (198.18.115.1/24) up without carrier (its peer down). */
async function wired(): Promise<Namespace> {
  const ns = await freshNamespace();
  const a = await VethPair.create({ name: 'e0', peerName: 'e1', namespace: ns });
  const b = await VethPair.create({ name: 'e2', peerName: 'e3', namespace: ns });
  await a.local.addAddress('198.18.114.1/24');
  await a.local.addAddress('fd00:b9::1/64', { nodad: true });
  await b.local.addAddress('198.18.115.1/24');
  for (const l of [a.local, a.peer, b.local, await ns.link('lo')]) await l.up();
  await settled(ns.name);
  return ns;
}

/** Rules of every kind addRule() makes; IPv4 realms and l3mdev where the kernel takes them. */
function ruleSpecs(l3mdev: boolean): RuleSpec[] {
  const specs: RuleSpec[] = [
    { priority: 1000, from: '198.18.114.0/24', table: 100 },
    { priority: 1001, from: '198.18.114.7', to: '198.18.115.0/24', table: 'main' },
    { priority: 1002, not: true, from: '198.18.115.0/24', table: 'local' },
    { priority: 1003, fwmark: 0x5, fwmask: 0xff, table: 101 },
    { priority: 1004, fwmark: 7, table: 101 },
    { priority: 1005, fwmark: 0, table: 101 },
    { priority: 1006, iif: 'e0', oif: 'e2', table: 102 },
    { priority: 1007, iif: 'gone0', oif: 'gone1', table: 102 },
    { priority: 1008, ipProto: 'tcp', sport: 80, dport: [1000, 2000], table: 103 },
    { priority: 1009, ipProto: 'udp', sport: [5000, 5010], dport: 53, table: 103 },
    { priority: 1010, ipProto: 200, table: 103 },
    { priority: 1011, uidRange: [100, 200], table: 104 },
    { priority: 1012, table: 'main', suppressPrefixLength: 0 },
    { priority: 1013, action: 'goto', goto: 1015 },
    { priority: 1014, action: 'goto', goto: 30000 },
    { priority: 1015, action: 'nop' },
    { priority: 1016, to: '198.18.115.5', action: 'blackhole' },
    { priority: 1017, action: 'unreachable' },
    { priority: 1018, action: 'prohibit' },
    { priority: 1019, tos: 0x10, table: 105 },
    { priority: 1020, realm: 7, table: 106 },
    { priority: 1021, realm: 9, sourceRealm: 3, table: 106 },
    { priority: 1022, table: 4000000000, protocol: 'static' },
    { priority: 1023, table: 107, protocol: 'boot' },
    { priority: 1024, table: 107, protocol: 99 },
    { priority: 1025, table: 107, protocol: 'kernel' },
    { from: '198.18.115.128/25', table: 108 },
    { family: 6, priority: 1000, from: 'fd00:b9::/48', table: 200 },
    { family: 6, priority: 1001, to: 'fd00:b9:1::1', table: 'main' },
    { family: 6, priority: 1002, ipProto: 'ipv6-icmp', dport: 53, table: 201 },
    { family: 6, priority: 1003, fwmark: 0x10, fwmask: 0xf0, iif: 'e0', action: 'prohibit' },
    { family: 6, priority: 1004, action: 'goto', goto: 1005, protocol: 'static' },
    { family: 6, priority: 1005, action: 'nop' },
    { family: 6, priority: 1006, tos: 0x28, table: 202 },
    { family: 6, priority: 1007, not: true, uidRange: [5, 5], table: 203, suppressPrefixLength: 64 },
  ];
  if (l3mdev) specs.push({ priority: 1100, l3mdev: true }, { family: 6, priority: 1100, l3mdev: true });
  return specs;
}

describeKernel('netns-native rule show and nexthop show beside ip', () => {
  it('rule show: every kind of rule, IPv4 and IPv6, text and -j (whole), with -d, -s, -p', async () => {
    const ns = await wired();
    for (const spec of ruleSpecs(kernelHasL3mdevRules())) await ns.addRule(spec);
    const name = ns.name as string;
    // Every rule made is listed (the kernel's own three and IPv6's two, and those above).
    expect(JSON.parse(ipText(name, '-j', 'rule', 'show')).length).toBeGreaterThan(27);
    await showsAsIp(name, variants('rule', [], ['-6']));
    // A selector, and -p's layout: ip's four blanks of indent.
    await showsAsIp(name, [
      ['-j', 'rule', 'show', 'table', '103'],
      ['-d', '-6', 'rule', 'show', 'priority', '1004'],
    ]);
    const pretty = await cli('-n', name, '-j', '-p', 'rule', 'show', 'priority', '0');
    expect(pretty.stdout).toBe(
      `[\n    {\n        "priority": 0,\n        "src": "all",\n        "table": "local"\n    }\n]\n`,
    );
  }, 180_000); // 15 command runs beside ip's: 43 s alone, more on a loaded machine

  it('rule show -j: what -echo rule add prints is what the show prints (one code path)', async () => {
    const ns = await wired();
    const name = ns.name as string;
    const made = await cli('-n', name, '-j', '-d', '-echo', 'rule', 'add', 'from', '198.18.114.0/25', 'table', '9');
    expect(made.code).toBe(0);
    const shown = await cli('-n', name, '-j', '-d', 'rule', 'show', 'from', '198.18.114.0/25');
    expect(JSON.parse(made.stdout)).toEqual(JSON.parse(shown.stdout));
    expect(JSON.parse(shown.stdout)).toEqual([
      { priority: 32765, src: '198.18.114.0', srclen: 25, table: '9', protocol: 'unspec' },
    ]);
  });

  it('nexthop show: single, blackhole, onlink, groups with weights, resilient, fdb; IPv4 and IPv6', async () => {
    const ns = await wired();
    const name = ns.name as string;
    await ns.addNexthop({ id: 1, gateway: '198.18.114.2', link: 'e0' });
    await ns.addNexthop({ id: 2, gateway: '198.18.114.3', link: 'e0', protocol: 'static' });
    await ns.addNexthop({ id: 3, link: 'e0' });
    await ns.addNexthop({ id: 4, blackhole: true });
    await ns.addNexthop({ id: 5, gateway: 'fd00:b9::2', link: 'e0' });
    await ns.addNexthop({ id: 6, blackhole: true, family: 6, protocol: 99 });
    // (One on a link that loses its carrier: the kernel removes it, there is no linkdown to show.)
    await ns.addNexthop({ id: 7, gateway: '198.18.114.4', link: 'e0', protocol: 'kernel' });
    await ns.addNexthop({ id: 8, gateway: '198.18.115.3', link: 'e0', onlink: true });
    await ns.addNexthop({ id: 10, group: [{ id: 1 }, { id: 2, weight: 3 }] });
    await ns.addNexthop({ id: 11, group: [{ id: 5 }], protocol: 'boot' });
    await ns.addNexthop({
      id: 12,
      group: [{ id: 1, weight: 2 }, { id: 2 }],
      groupType: 'resilient',
      buckets: 8,
      idleTimer: 60,
      unbalancedTimer: 30,
    });
    await ns.addNexthop({ id: 20, gateway: '198.18.114.9', fdb: true });
    await ns.addNexthop({ id: 21, group: [{ id: 20 }], fdb: true });
    expect(JSON.parse(ipText(name, '-j', 'nexthop', 'show')).map((n: { id: number }) => n.id)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 20, 21,
    ]);
    await showsAsIp(name, variants('nexthop', [], ['-6']));
    await showsAsIp(name, [
      ['-j', '-4', 'nexthop', 'show'],
      ['-j', 'nexthop', 'show', 'groups'],
      ['-j', 'nexthop', 'show', 'dev', 'e0'],
      ['-d', 'nexthop', 'show', 'id', '12'],
    ]);
  }, 180_000); // 16 command runs beside ip's: 52 s alone, more on a loaded machine
});
