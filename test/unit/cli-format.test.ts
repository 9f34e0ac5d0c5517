/**
 * The lines the command's neigh, rule and nexthop shows print, without the kernel: objects as the
 * library reads them back, and the lines iproute2 6.1 printed for the same kernel objects
 * (`ip neigh`, `ip rule`, `ip nexthop`, trailing blanks left out). The kernel side, compared with
 * ip as it runs, is test/kernel/cli-ip-more.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { neighbourLine, nexthopLine, ruleLine } from '../../lib/cli/format';
import { parseAccounts } from '../../lib/cli/account-names';
import { ipProtocolName, parseProtocols } from '../../lib/cli/ip-protocols';
import { IpProtocolNames, ipProtocolNumber, parseProtocolNumbers } from '../../lib/ip-protocols';
import type { Neighbour } from '../../lib/neighbour';
import { ruleFromNative } from '../../lib/rule';

const entry = (fields: Partial<Neighbour>): Neighbour => ({
  address: '198.18.230.9',
  family: 4,
  state: 'permanent',
  link: 'e0',
  linkIndex: 3,
  router: false,
  extLearned: false,
  proxy: false,
  managed: false,
  ...fields,
});

describe('neighbourLine', () => {
  it('address, dev (left out for a listing of one link), lladdr, router, proxy, extern_learn, the state', () => {
    const mac = '02:00:00:00:00:0b';
    expect(neighbourLine(entry({ address: '198.18.230.11', mac, state: 'stale', router: true }), true)).toBe(
      '198.18.230.11 dev e0 lladdr 02:00:00:00:00:0b router STALE',
    );
    expect(neighbourLine(entry({ mac, extLearned: true }), false)).toBe(
      '198.18.230.9 lladdr 02:00:00:00:00:0b extern_learn PERMANENT',
    );
    expect(neighbourLine(entry({ state: 'incomplete' }), true)).toBe('198.18.230.9 dev e0 INCOMPLETE');
    expect(neighbourLine(entry({ address: 'fd00:d3::20', family: 6, state: 'none', proxy: true }), true)).toBe(
      'fd00:d3::20 dev e0 proxy',
    );
    expect(neighbourLine(entry({ state: 'none' }), true)).toBe('198.18.230.9 dev e0');
  });

  it("managed and proto where ip prints them; with -s, print_cacheinfo's layout (lines iproute2 6.1 printed)", () => {
    const mac = '02:00:00:00:00:09';
    const cacheInfo = (usedMs: number, confirmedMs: number, updatedMs: number, refcnt: number) => ({
      cacheInfo: { usedMs, confirmedMs, updatedMs, refcnt },
    });
    const reachable = entry({
      address: '198.19.88.9',
      link: 'd0',
      mac,
      state: 'reachable',
      protocol: 'openr',
      probes: 0,
      ...cacheInfo(990, 0, 0, 1),
    });
    expect(neighbourLine(reachable, true)).toBe('198.19.88.9 dev d0 lladdr 02:00:00:00:00:09 REACHABLE proto openr');
    expect(neighbourLine(reachable, true, true)).toBe(
      '198.19.88.9 dev d0 lladdr 02:00:00:00:00:09  ref 1 used 0/0/0probes 0 REACHABLE proto openr',
    );
    // ref left out when 0; the times in whole seconds, rounded down as ip's integer division.
    const permanent = entry({
      address: '198.19.88.5',
      link: 'd0',
      mac,
      protocol: 'static',
      probes: 0,
      ...cacheInfo(1990, 2000, 61010, 0),
    });
    expect(neighbourLine(permanent, false, true)).toBe(
      '198.19.88.5 lladdr 02:00:00:00:00:09  used 1/2/61probes 0 PERMANENT proto static',
    );
    const managed = entry({
      address: '198.19.88.6',
      link: 'd0',
      state: 'incomplete',
      managed: true,
      probes: 4,
      ...cacheInfo(0, 60000, 0, 1),
    });
    expect(neighbourLine(managed, true)).toBe('198.19.88.6 dev d0 managed INCOMPLETE');
    expect(neighbourLine(managed, true, true)).toBe('198.19.88.6 dev d0 managed  ref 1 used 0/60/0probes 4 INCOMPLETE');
    // A proxy entry has no cache info: -s adds nothing.
    const proxy = entry({ address: '198.19.88.20', link: 'd0', state: 'none', proxy: true, protocol: 'openr' });
    expect(neighbourLine(proxy, true, true)).toBe('198.19.88.20 dev d0 proxy proto openr');
  });
});

describe('ruleLine', () => {
  /** A rule as the kernel sends it, read back. */
  const native = (fields: Partial<Parameters<typeof ruleFromNative>[0]>) =>
    ruleFromNative({
      family: 2,
      dstLen: 0,
      srcLen: 0,
      tos: 0,
      action: 1,
      table: 0,
      flags: 0,
      iifname: '',
      oifname: '',
      protocol: 0,
      ...fields,
    });

  it('every selector in ip’s order, then the table, the action, the protocol', () => {
    // prettier-ignore
    const all = native({
      priority: 100, flags: 0x2, src: '198.18.231.0', srcLen: 24, dst: '198.18.232.0', dstLen: 24, tos: 0x10,
      fwmark: 0x10, fwmask: 0xff, iifname: 'e0', oifname: 'e1', uidStart: 100, uidEnd: 200, ipProto: 6,
      sportStart: 80, sportEnd: 80, dportStart: 1000, dportEnd: 2000, table: 100, suppressPrefixlen: 8,
      protocol: 4,
    });
    expect(ruleLine(all)).toBe(
      '100:\tnot from 198.18.231.0/24 to 198.18.232.0/24 tos 0x10 fwmark 0x10/0xff iif e0 oif e1 uidrange 100-200 ' +
        'ipproto tcp sport 80 dport 1000-2000 lookup 100 suppress_prefixlength 8 proto static',
    );
    expect(ruleLine(native({ priority: 0, table: 255, protocol: 2 }))).toBe('0:\tfrom all lookup local');
    expect(ruleLine(native({ priority: 103, src: '198.18.231.5', srcLen: 32, fwmask: 0xffffffff, table: 4e9 }))).toBe(
      '103:\tfrom 198.18.231.5 fwmark 0 lookup 4000000000',
    );
    expect(ruleLine(native({ priority: 105, ipProto: 200, sportStart: 5, sportEnd: 5, table: 253 }))).toBe(
      '105:\tfrom all ipproto ipproto-200 sport 5 lookup default',
    );
    expect(ruleLine(native({ priority: 99, fwmark: 5, fwmask: 0, table: 3 }))).toBe(
      '99:\tfrom all fwmark 0x5/0 lookup 3',
    );
  });

  it('the kernel’s marks: [detached] after iif and oif, [unresolved] after goto; l3mdev and actions', () => {
    // prettier-ignore
    const detached = native({ priority: 102, src: '198.18.231.0', srcLen: 24, iifname: 'x0', oifname: 'x1',
      flags: 0x18, action: 8 });
    expect(detached).toMatchObject({ iifDetached: true, oifDetached: true, action: 'prohibit' });
    expect(ruleLine(detached)).toBe('102:\tfrom 198.18.231.0/24 iif x0 [detached] oif x1 [detached] prohibit');
    const jump = native({ priority: 101, action: 2, goto: 200, flags: 0x4, protocol: 4 });
    expect(jump).toMatchObject({ unresolved: true, action: 'goto', goto: 200 });
    expect(ruleLine(jump)).toBe('101:\tfrom all goto 200 [unresolved] proto static');
    expect(ruleLine(native({ family: 10, priority: 9, l3mdev: 1, action: 7 }))).toBe(
      '9:\tfrom all lookup [l3mdev-table] unreachable',
    );
    expect(ruleLine(native({ family: 10, priority: 8, l3mdev: 1, protocol: 3 }))).toBe(
      '8:\tfrom all lookup [l3mdev-table] proto boot',
    );
    expect(ruleLine(native({ priority: 10, action: 3 }))).toBe('10:\tfrom all nop');
  });
});

describe('ipproto names (/etc/protocols, as getprotobynumber)', () => {
  const PROTOCOLS = [
    '# Internet (IP) protocols',
    'ip\t0\tIP\t\t# internet protocol, pseudo protocol number',
    'hopopt\t0\tHOPOPT\t\t# IPv6 Hop-by-Hop Option [RFC1883]',
    'tcp 6 TCP',
    '  gre\t47\tGRE # General Routing Encapsulation',
    'ipv6-icmp 58 IPv6-ICMP',
    'broken x',
    'mptcp\t262\tMPTCP',
    '',
  ].join('\n');

  it('the first name a number has; comments, blanks and malformed lines skipped', () => {
    expect([...parseProtocols(PROTOCOLS)]).toEqual([
      [0, 'ip'],
      [6, 'tcp'],
      [47, 'gre'],
      [58, 'ipv6-icmp'],
      [262, 'mptcp'],
    ]);
  });

  it('ipProtocolNumber: decimal, names and aliases of the file (the first line wins), the built-in names without it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-protocols-'));
    try {
      const file = path.join(dir, 'protocols');
      fs.writeFileSync(file, `${PROTOCOLS}gre2 47 GRE\n`);
      expect(
        ['gre', 'GRE', 'ipv6-icmp', 'IPv6-ICMP', 'hopopt', 'mptcp', '47', '047'].map((p) => ipProtocolNumber(p, file)),
      ).toEqual([47, 47, 58, 58, 0, 262, 47, 47]);
      expect(parseProtocolNumbers(PROTOCOLS).get('IP')).toBe(0);
      expect(['x', '0x2f', 'broken', ''].map((p) => ipProtocolNumber(p, file))).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      const none = path.join(dir, 'none');
      expect(
        ['tcp', 'udp', 'icmp', 'icmpv6', 'ipv6-icmp', 'sctp', 'gre'].map((p) => ipProtocolNumber(p, none)),
      ).toEqual([6, 17, 1, 58, 58, 132, undefined]);
      // Read back: the file's first name, else the built-in one (58 as the file names it), else none.
      expect([47, 58, 0, 200].map((n) => new IpProtocolNames(file).name(n))).toEqual([
        'gre',
        'ipv6-icmp',
        'ip',
        undefined,
      ]);
      expect([6, 58, 47].map((n) => new IpProtocolNames(none).name(n))).toEqual(['tcp', 'ipv6-icmp', undefined]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ipProtocolName: the file’s name, else ipproto-N; no file: ipproto-N for all', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-protocols-'));
    try {
      const file = path.join(dir, 'protocols');
      fs.writeFileSync(file, PROTOCOLS);
      expect([47, 58, 200].map((n) => ipProtocolName(n, file))).toEqual(['gre', 'ipv6-icmp', 'ipproto-200']);
      expect(ipProtocolName(6, path.join(dir, 'none'))).toBe('ipproto-6');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ruleLine names the number (the library’s names too: icmpv6 is ipv6-icmp) through the given lookup', () => {
    const names = parseProtocols(PROTOCOLS);
    const lookup = (n: number): string => names.get(n) ?? `ipproto-${n}`;
    const rule = (ipProto: number) =>
      ruleFromNative({
        family: 10,
        dstLen: 0,
        srcLen: 0,
        tos: 0,
        action: 1,
        table: 254,
        flags: 0,
        iifname: '',
        oifname: '',
        protocol: 0,
        priority: 7,
        ipProto,
      });
    expect([47, 58, 6, 200].map((n) => ruleLine(rule(n), { ipProtocol: lookup }))).toEqual([
      '7:\tfrom all ipproto gre lookup main',
      '7:\tfrom all ipproto ipv6-icmp lookup main',
      '7:\tfrom all ipproto tcp lookup main',
      '7:\tfrom all ipproto ipproto-200 lookup main',
    ]);
    expect(rule(58).ipProto).toBe('ipv6-icmp'); // as ip prints it (before: 'icmpv6')
  });
});

describe('tun owner names (/etc/passwd, /etc/group, as getpwuid and getgrgid)', () => {
  it('the first name a number has; comments, blanks and malformed lines skipped', () => {
    const text = [
      'root:x:0:0:root:/root:/bin/bash',
      '# a comment:x:5:',
      'toor:x:0:0::/root:/bin/sh',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      'broken:x:abc:',
      ':x:7:',
      'short',
      '',
    ].join('\n');
    expect([...parseAccounts(text)]).toEqual([
      [0, 'root'],
      [65534, 'nobody'],
    ]);
  });
});

describe('nexthopLine', () => {
  it('id, group, via, dev, scope unless global, blackhole, proto unless unspec, flags, fdb', () => {
    const base = { protocol: 'unspec', scope: 'link' };
    expect(nexthopLine({ ...base, id: 1, family: 4, gateway: '198.18.230.254', linkIndex: 3, link: 'e0' })).toBe(
      'id 1 via 198.18.230.254 dev e0 scope link',
    );
    expect(nexthopLine({ ...base, id: 4, family: 4, linkIndex: 3, link: 'e0', scope: 'host' })).toBe(
      'id 4 dev e0 scope host',
    );
    expect(nexthopLine({ id: 3, family: 4, blackhole: true, protocol: 'unspec', scope: 'global' })).toBe(
      'id 3 blackhole',
    );
    // prettier-ignore
    expect(nexthopLine({ id: 5, family: 4, gateway: '198.18.230.253', linkIndex: 3, link: 'e0', onlink: true,
      protocol: 'static', scope: 'link' })).toBe('id 5 via 198.18.230.253 dev e0 scope link proto static onlink');
    expect(nexthopLine({ ...base, id: 6, family: 4, gateway: '198.18.230.252', fdb: true })).toBe(
      'id 6 via 198.18.230.252 scope link fdb',
    );
    const group = [
      { id: 1, weight: 1 },
      { id: 5, weight: 3 },
    ];
    expect(nexthopLine({ id: 10, group, groupType: 'mpath', protocol: 'unspec', scope: 'global' })).toBe(
      'id 10 group 1/5,3',
    );
    expect(nexthopLine({ id: 12, group: [{ id: 6, weight: 1 }], fdb: true, protocol: 'unspec', scope: 'global' })).toBe(
      'id 12 group 6 fdb',
    );
  });
});
