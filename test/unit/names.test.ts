import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nameserversOf, renderHosts, renderResolvConf, setsNdots, writeInPlace } from '../../lib/network/names';
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

  it('points resolv.conf at 127.0.0.11, keeping the host search and options, with ndots:0', () => {
    const host = '# host\nnameserver 198.51.100.53\nsearch example.test\noptions edns0 ndots:2 timeout:1\n';
    expect(renderResolvConf('c1', host).split('\n').slice(1)).toEqual([
      'search example.test',
      'nameserver 127.0.0.11',
      'options ndots:0 edns0 timeout:1',
      '',
    ]);
    expect(nameserversOf(`${host}nameserver fd00::53%eth0\nnameserver bogus\n`)).toEqual(['198.51.100.53', 'fd00::53']);
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
