import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nameserversOf, renderHosts, renderResolvConf, setsNdots, writeInPlace } from '../../lib/network/names';
import {
  checkDnsSettings,
  mergedDnsSettings,
  type DnsSettings,
  type ResolvConfMode,
} from '../../lib/network/resolv-conf';
import type { EndpointState, NetworkState } from '../../lib/network/state';

function ep(
  inode: string,
  name: string | undefined,
  address: string,
  extra: Partial<EndpointState> = {},
): EndpointState {
  return {
    namespace: { inode, ...(name !== undefined && { name }) },
    ...(name !== undefined && { name }),
    aliases: [],
    interfaceName: 'eth0',
    hostInterfaceName: `veth${inode}`,
    address,
    mac: '02:42:00:00:00:00',
    ...extra,
  };
}

function net(name: string, endpoints: EndpointState[]): NetworkState {
  return {
    version: 1,
    name,
    id: '0'.repeat(64),
    driver: 'bridge',
    created: '',
    hostNamespace: '1',
    bridgeName: `br-${name}`,
    subnet: '198.18.4.0/24',
    gateway: '198.18.4.1',
    internal: false,
    dns: true,
    endpoints,
  };
}

describe('hosts and resolv.conf', () => {
  it('lists the localhost lines, its own names first, then every member of each network, with aliases', () => {
    const a = net('alpha', [
      ep('2', 'c2', '198.18.4.3/24'),
      ep('1', 'c1', '198.18.4.2/24', { aliases: ['web', 'www'], ipv6Address: 'fd00::2/64' }),
    ]);
    const b = net('beta', [ep('1', 'c1', '198.18.5.2/24'), ep('3', 'db', '198.18.5.3/24', { aliases: ['sql'] })]);
    const text = renderHosts('c1', '1', [b, a]);
    expect(text.split('\n')).toEqual([
      '# Written by netns-native for namespace "c1": the members of its networks. Rewritten in place when they change.',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'ff00::0\tip6-mcastprefix',
      'ff02::1\tip6-allnodes',
      'ff02::2\tip6-allrouters',
      '# network alpha',
      '198.18.4.2\tc1 web www',
      'fd00::2\tc1 web www',
      '198.18.4.3\tc2',
      '# network beta',
      '198.18.5.2\tc1',
      '198.18.5.3\tdb sql',
      '',
    ]);
    // A member in the middle: its own lines (both families) first, the others in address order.
    const c = net('gamma', [
      ep('4', 'c4', '198.18.6.4/24'),
      ep('2', 'c2', '198.18.6.3/24', { ipv6Address: 'fd00::3/64' }),
      ep('1', 'c1', '198.18.6.2/24'),
    ]);
    expect(renderHosts('c2', '2', [c]).split('\n').slice(7)).toEqual([
      '# network gamma',
      '198.18.6.3\tc2',
      'fd00::3\tc2',
      '198.18.6.2\tc1',
      '198.18.6.4\tc4',
      '',
    ]);
  });

  it("points resolv.conf at 127.0.0.11 as current Docker: the host's search, options and ndots kept, its servers listed as ExtServers", () => {
    const host = '# host\nnameserver 198.51.100.53\nsearch example.test\noptions edns0 ndots:2 timeout:1\n';
    expect(renderResolvConf('c1', host).split('\n').slice(1)).toEqual([
      'nameserver 127.0.0.11',
      'search example.test',
      'options edns0 ndots:2 timeout:1',
      '',
      "# Based on host file: '/etc/resolv.conf' (internal resolver)",
      '# ExtServers: [host(198.51.100.53)]',
      '# Overrides: []',
      '# Option ndots from: host',
      '',
    ]);
    expect(nameserversOf(`${host}nameserver fd00::53%eth0\nnameserver bogus\n`)).toEqual(['198.51.100.53', 'fd00::53']);
  });

  it('adds ndots:0 only when the host sets no valid ndots; the last search or domain line counts; other directives stay', () => {
    const host =
      'nameserver 198.51.100.53\nnameserver bogus\ndomain old.test\nsearch a.test b.test\noptions edns0 ndots:x\nsortlist 198.51.100.0/255.255.255.0\n';
    expect(renderResolvConf('c1', host).split('\n').slice(1)).toEqual([
      'nameserver 127.0.0.11',
      'search a.test b.test',
      'options edns0 ndots:0',
      'sortlist 198.51.100.0/255.255.255.0',
      '',
      "# Based on host file: '/etc/resolv.conf' (internal resolver)",
      '# ExtServers: [host(198.51.100.53)]',
      '# Invalid nameservers: [bogus]',
      '# Overrides: []',
      '# Option ndots from: internal',
      '',
    ]);
    // No server at all: Docker's warning.
    expect(renderResolvConf('c1', '').split('\n').slice(1)).toEqual([
      'nameserver 127.0.0.11',
      'options ndots:0',
      '',
      "# Based on host file: '/etc/resolv.conf' (internal resolver)",
      '# NO EXTERNAL NAMESERVERS DEFINED',
      '# Overrides: []',
      '# Option ndots from: internal',
      '',
    ]);
  });

  it("a member's dns, dnsSearch and dnsOptions replace the host's; with the embedded server its servers are ExtServers", () => {
    const host = 'nameserver 198.51.100.53\nsearch example.test\noptions edns0 ndots:2\n';
    const body = (s: DnsSettings, mode?: ResolvConfMode) => renderResolvConf('c1', host, s, mode).split('\n').slice(1);
    expect(body({ dns: ['198.51.100.54', 'fd00::54'], dnsSearch: ['.'], dnsOptions: ['timeout:2'] })).toEqual([
      'nameserver 127.0.0.11',
      'options timeout:2 ndots:0',
      '',
      "# Based on host file: '/etc/resolv.conf' (internal resolver)",
      '# ExtServers: [198.51.100.54 fd00::54]',
      '# Overrides: [nameservers search options]',
      '# Option ndots from: internal',
      '',
    ]);
    expect(body({ dnsSearch: ['s.test'], dnsOptions: ['ndots:3'] }).slice(0, 3)).toEqual([
      'nameserver 127.0.0.11',
      'search s.test',
      'options ndots:3',
    ]);
    // Without the embedded server (dns: false): the servers themselves.
    expect(body({ dns: ['127.0.0.1'] }, { legacy: { ipv6: false } })).toEqual([
      'nameserver 127.0.0.1',
      'search example.test',
      'options edns0 ndots:2',
      '',
      "# Based on host file: '/etc/resolv.conf' (legacy)",
      '# Overrides: [nameservers]',
      '# Option ndots from: host',
      '',
    ]);
    // The host's, without loopback (and IPv6 ones without IPv6); Docker's defaults when none is left.
    const local = 'nameserver 127.0.0.53\nnameserver fd00::53\nnameserver 198.51.100.53\n';
    const legacy = (ipv6: boolean, text = local) =>
      renderResolvConf('c1', text, { dnsSearch: ['a.test'] }, { legacy: { ipv6 } })
        .split('\n')
        .filter((l) => l.startsWith('nameserver') || l.startsWith('# Used'));
    expect(legacy(false)).toEqual(['nameserver 198.51.100.53']);
    expect(legacy(true)).toEqual(['nameserver fd00::53', 'nameserver 198.51.100.53']);
    expect(legacy(false, 'nameserver 127.0.0.53\n')).toEqual([
      'nameserver 8.8.8.8',
      'nameserver 8.8.4.4',
      '# Used default nameservers.',
    ]);
  });

  it("merges a namespace's settings from its networks, in their order, without duplicates", () => {
    expect(
      mergedDnsSettings([
        ep('1', 'c1', '198.18.4.2/24', { dns: ['198.51.100.1'], dnsOptions: ['ndots:1'] }),
        ep('1', 'c1', '198.18.5.2/24'),
        ep('1', 'c1', '198.18.6.2/24', { dns: ['198.51.100.2', '198.51.100.1'], dnsSearch: ['a.test'] }),
      ]),
    ).toEqual({ dns: ['198.51.100.1', '198.51.100.2'], dnsSearch: ['a.test'], dnsOptions: ['ndots:1'] });
  });

  it('checks dns, dnsSearch and dnsOptions as Docker does, in canonical form', () => {
    expect(
      checkDnsSettings(
        {
          dns: ['FD00:0::53', '198.51.100.53', '198.51.100.53'],
          dnsSearch: ['Example.test.', '.'],
          dnsOptions: ['edns0', 'ndots:2'],
        },
        'op',
      ),
    ).toEqual({
      dns: ['fd00::53', '198.51.100.53'],
      dnsSearch: ['Example.test', '.'],
      dnsOptions: ['edns0', 'ndots:2'],
    });
    expect(checkDnsSettings({ dns: [], dnsSearch: [] }, 'op')).toEqual({});
    for (const [bad, what] of [
      [{ dns: ['198.51.100.300'] }, 'is not an IP address'],
      [{ dns: ['198.51.100.53:53'] }, 'is not an IP address'],
      [{ dns: ['fe80::1%eth0'] }, 'is not an IP address'],
      [{ dns: '198.51.100.53' }, 'dns must be an array'],
      [{ dnsSearch: ['-a.test'] }, 'is not a search domain'],
      [{ dnsSearch: ['1.2'] }, 'is not a search domain'],
      [{ dnsSearch: ['a..test'] }, 'is not a search domain'],
      [{ dnsSearch: [''] }, 'is not a search domain'],
      [{ dnsOptions: ['ndots 2'] }, 'is not a resolver option'],
      [{ dnsOptions: ['ndots:two'] }, 'is not a resolver option'],
      [{ dnsOptions: [''] }, 'is not a resolver option'],
      [{ dnsOptions: [3] }, 'is not a resolver option'],
    ] as const) {
      let caught: unknown;
      try {
        checkDnsSettings(bad as unknown as DnsSettings, 'op');
      } catch (e) {
        caught = e;
      }
      expect([bad, (caught as { code?: string }).code, String((caught as Error).message)]).toEqual([
        bad,
        'EINVAL',
        expect.stringContaining(what),
      ]);
    }
  });

  it("tells whether a resolv.conf sets ndots, as Docker's sandbox asks it (NdotsSet)", () => {
    expect(setsNdots('nameserver 198.51.100.53\noptions edns0 ndots:2 timeout:1\n')).toBe(true);
    expect(setsNdots('options ndots:0\n')).toBe(true);
    expect(setsNdots('nameserver 198.51.100.53\noptions edns0\n# options ndots:2\nsearch ndots:3\n')).toBe(false);
    expect(setsNdots('')).toBe(false);
  });

  it('rewrites a file in place: the same inode, shorter or longer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-names-'));
    try {
      const file = path.join(dir, 'hosts');
      writeInPlace(file, 'a much longer first version\n');
      const inode = fs.statSync(file).ino;
      writeInPlace(file, 'short\n');
      expect(fs.readFileSync(file, 'utf8')).toBe('short\n');
      writeInPlace(file, 'longer than short\n');
      expect(fs.readFileSync(file, 'utf8')).toBe('longer than short\n');
      expect(fs.statSync(file).ino).toBe(inode);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
