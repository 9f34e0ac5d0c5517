/**
 * Every bad input to Network: a NetnsError with its code, before anything is changed, and no
 * change anywhere (host links, addresses and routes, the member's, the state files, /etc/netns).
 */
import * as fs from 'node:fs';
import { Namespace, Network, NetnsError } from 'netns-native';
import { cleanupLater, freshNamespace } from '../helpers/fresh';
import { ipJson, settled } from '../helpers/ip';
import { netName, useTestPools } from '../helpers/network';
import { describeKernel } from '../helpers/skip';

/** What could change: links (name, master, up), global addresses and routes of both namespaces, state, names. */
function fingerprint(member: string): string {
  const of = (ns: string | undefined) => ({
    links: ipJson<Array<{ ifname: string; master?: string; flags: string[] }>>(ns, 'link', 'show').map(
      (l) => `${l.ifname} ${l.master ?? ''} ${l.flags.includes('UP')}`,
    ),
    addrs: ipJson<Array<{ ifname: string; addr_info: Array<{ local: string; scope: string }> }>>(
      ns,
      'addr',
      'show',
    ).flatMap((l) => l.addr_info.filter((a) => a.scope !== 'link').map((a) => `${l.ifname} ${a.local}`)),
    routes: ipJson(ns, 'route', 'show', 'table', 'all'),
  });
  const dir = '/run/netns-native/networks';
  const states = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .sort()
        .map((f) => `${f} ${fs.readFileSync(`${dir}/${f}`, 'utf8')}`)
    : [];
  const names = fs.existsSync('/etc/netns') ? fs.readdirSync('/etc/netns').sort() : [];
  return JSON.stringify({ host: of(undefined), member: of(member), states, names });
}

describeKernel('Network: bad input', () => {
  beforeEach(useTestPools);

  it('every bad input has its code, and changes nothing', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.220.0/24' });
    const plain = await Network.create(netName(), { subnet: '198.19.221.0/24', dns: false });
    const member = await freshNamespace();
    await net.connect(member, { aliases: ['web'] });
    const other = await freshNamespace();
    const closed = await Namespace.open(other.name as string);
    await closed.close();
    const anonymous = cleanupLater(await Namespace.create());
    // IPv6 duplicate address detection adds link-local routes on its own schedule: let it end.
    await settled(undefined);
    await settled(member.name);
    const before = fingerprint(member.name as string);
    const otherBefore = JSON.stringify(ipJson(other.name, 'link', 'show'));

    const S = '198.19.222.0/24';
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      ['create: empty name', () => Network.create(''), 'EINVAL'],
      ['create: name starting with -', () => Network.create('-x'), 'EINVAL'],
      ['create: name with a space', () => Network.create('a b'), 'EINVAL'],
      ['create: name with a slash', () => Network.create('a/b'), 'EINVAL'],
      ['create: name too long', () => Network.create('n'.repeat(129)), 'EINVAL'],
      ['create: name not a string', () => Network.create(42 as unknown as string), 'EINVAL'],
      ['create: options not an object', () => Network.create(netName(), null as never), 'EINVAL'],
      ['create: subnet not CIDR', () => Network.create(netName(), { subnet: '198.19.222.0' }), 'EINVAL'],
      ['create: subnet prefix 33', () => Network.create(netName(), { subnet: '198.19.222.0/33' }), 'EINVAL'],
      ['create: subnet with host bits', () => Network.create(netName(), { subnet: '198.19.222.7/24' }), 'EINVAL'],
      ['create: subnet /31', () => Network.create(netName(), { subnet: '198.19.222.0/31' }), 'EINVAL'],
      ['create: IPv6 as subnet', () => Network.create(netName(), { subnet: 'fd00::/64' }), 'EINVAL'],
      ['create: bad octet', () => Network.create(netName(), { subnet: '300.19.222.0/24' }), 'EINVAL'],
      [
        'create: gateway outside',
        () => Network.create(netName(), { subnet: '198.19.222.0/24', gateway: '198.19.223.1' }),
        'EINVAL',
      ],
      [
        'create: gateway = network',
        () => Network.create(netName(), { subnet: '198.19.222.0/24', gateway: '198.19.222.0' }),
        'EINVAL',
      ],
      [
        'create: gateway = broadcast',
        () => Network.create(netName(), { subnet: '198.19.222.0/24', gateway: '198.19.222.255' }),
        'EINVAL',
      ],
      [
        'create: gateway not an address',
        () => Network.create(netName(), { subnet: '198.19.222.0/24', gateway: 'gw' }),
        'EINVAL',
      ],
      ['create: gateway without subnet', () => Network.create(netName(), { gateway: '198.19.222.1' }), 'EINVAL'],
      ['create: bridge name too long', () => Network.create(netName(), { bridgeName: 'b'.repeat(16) }), 'EINVAL'],
      ['create: bridge name with %d', () => Network.create(netName(), { bridgeName: 'br%d' }), 'EINVAL'],
      ['create: internal not boolean', () => Network.create(netName(), { internal: 'yes' as never }), 'EINVAL'],
      ['create: dns not boolean', () => Network.create(netName(), { dns: 1 as never }), 'EINVAL'],
      ['create: icc not boolean', () => Network.create(netName(), { icc: 'no' as never }), 'EINVAL'],
      [
        'create: hostBindingAddress not an address',
        () => Network.create(netName(), { hostBindingAddress: 'host' }),
        'EINVAL',
      ],
      [
        'create: hostBindingAddress a number',
        () => Network.create(netName(), { hostBindingAddress: 1 as never }),
        'EINVAL',
      ],
      [
        'create: hostBindingAddress multicast',
        () => Network.create(netName(), { hostBindingAddress: '224.0.0.1' }),
        'EINVAL',
      ],
      [
        'create: hostBindingAddress broadcast',
        () => Network.create(netName(), { hostBindingAddress: '255.255.255.255' }),
        'EINVAL',
      ],
      [
        'create: hostBindingAddress ::1',
        () => Network.create(netName(), { ipv6Subnet: 'fd00:1::/64', hostBindingAddress: '::1' }),
        'EINVAL',
      ],
      [
        'create: hostBindingAddress IPv4-mapped',
        () => Network.create(netName(), { hostBindingAddress: '::ffff:198.51.100.1' }),
        'EINVAL',
      ],
      [
        'create: hostBindingAddress link-local',
        () => Network.create(netName(), { ipv6Subnet: 'fd00:1::/64', hostBindingAddress: 'fe80::1' }),
        'EINVAL',
      ],
      [
        'create: hostBindingAddress IPv6 without ipv6Subnet',
        () => Network.create(netName(), { hostBindingAddress: 'fd00::1' }),
        'EINVAL',
      ],
      ['create: ipMasquerade not boolean', () => Network.create(netName(), { ipMasquerade: 0 as never }), 'EINVAL'],
      ['create: MTU 0', () => Network.create(netName(), { mtu: 0 }), 'EINVAL'],
      ['create: MTU the bridge refuses', () => Network.create(netName(), { mtu: 70000 }), 'EINVAL'],
      ['create: IPv4 as ipv6Subnet', () => Network.create(netName(), { ipv6Subnet: '198.19.222.0/24' }), 'EINVAL'],
      [
        'create: ipv6Gateway outside',
        () => Network.create(netName(), { ipv6Subnet: 'fd00:1::/64', ipv6Gateway: 'fd00:2::1' }),
        'EINVAL',
      ],
      [
        'create: ipv6Gateway without ipv6Subnet',
        () => Network.create(netName(), { ipv6Gateway: 'fd00:2::1' }),
        'EINVAL',
      ],
      [
        'create: subnet prefix with a leading zero',
        () => Network.create(netName(), { subnet: '198.19.222.0/024' }),
        'EINVAL',
      ],
      ['create: the whole IPv4 space', () => Network.create(netName(), { subnet: '0.0.0.0/0' }), 'EINVAL'],
      ['create: a loopback subnet', () => Network.create(netName(), { subnet: '127.0.0.0/24' }), 'EINVAL'],
      ['create: a link-local subnet', () => Network.create(netName(), { subnet: '169.254.9.0/24' }), 'EINVAL'],
      ['create: a multicast subnet', () => Network.create(netName(), { subnet: '224.0.0.0/24' }), 'EINVAL'],
      ['create: a reserved subnet', () => Network.create(netName(), { subnet: '250.0.0.0/24' }), 'EINVAL'],
      ['create: a link-local ipv6Subnet', () => Network.create(netName(), { ipv6Subnet: 'fe80::/64' }), 'EINVAL'],
      ['create: a multicast ipv6Subnet', () => Network.create(netName(), { ipv6Subnet: 'ff02::/64' }), 'EINVAL'],
      [
        'create: an IPv4-mapped ipv6Subnet',
        () => Network.create(netName(), { ipv6Subnet: '::ffff:0:0/120' }),
        'EINVAL',
      ],
      [
        'create: gateway not a string',
        () => Network.create(netName(), { subnet: '198.19.222.0/24', gateway: ['198.19.222.1'] as never }),
        'EINVAL',
      ],
      [
        'create: ipv6Gateway not a string',
        () => Network.create(netName(), { ipv6Subnet: 'fd00:1::/64', ipv6Gateway: ['fd00:1::1'] as never }),
        'EINVAL',
      ],
      [
        'create: an MTU below IPv6 minimum with an ipv6Subnet',
        () => Network.create(netName(), { ipv6Subnet: 'fd00:1::/64', mtu: 1200 }),
        'EINVAL',
      ],
      ['create: ipRange not CIDR', () => Network.create(netName(), { subnet: S, ipRange: '198.19.222.0' }), 'EINVAL'],
      ['create: ipRange not a string', () => Network.create(netName(), { subnet: S, ipRange: 7 as never }), 'EINVAL'],
      [
        'create: ipRange with host bits',
        () => Network.create(netName(), { subnet: S, ipRange: '198.19.222.129/25' }),
        'EINVAL',
      ],
      [
        'create: ipRange outside the subnet',
        () => Network.create(netName(), { subnet: S, ipRange: '198.19.223.0/25' }),
        'EINVAL',
      ],
      [
        'create: ipRange bigger than the subnet',
        () => Network.create(netName(), { subnet: S, ipRange: '198.19.222.0/23' }),
        'EINVAL',
      ],
      ['create: ipRange IPv6', () => Network.create(netName(), { subnet: S, ipRange: 'fd00::/120' }), 'EINVAL'],
      ['create: ipRange without subnet', () => Network.create(netName(), { ipRange: '198.19.222.0/25' }), 'EINVAL'],
      [
        'create: ipRange with no host address for the gateway',
        () => Network.create(netName(), { subnet: S, ipRange: '198.19.222.255/32' }),
        'EINVAL',
      ],
      [
        'create: ipv6IpRange outside the ipv6Subnet',
        () => Network.create(netName(), { subnet: S, ipv6Subnet: 'fd00:4e:1::/64', ipv6IpRange: 'fd00:4e:2::/80' }),
        'EINVAL',
      ],
      [
        'create: ipv6IpRange IPv4',
        () => Network.create(netName(), { subnet: S, ipv6Subnet: 'fd00:4e:1::/64', ipv6IpRange: '198.19.222.0/25' }),
        'EINVAL',
      ],
      [
        'create: ipv6IpRange without ipv6Subnet',
        () => Network.create(netName(), { subnet: S, ipv6IpRange: 'fd00:4e:1::/80' }),
        'EINVAL',
      ],
      [
        'create: ipv6IpRange with host bits',
        () => Network.create(netName(), { subnet: S, ipv6Subnet: 'fd00:4e:1::/64', ipv6IpRange: 'fd00:4e:1::1/80' }),
        'EINVAL',
      ],
      [
        'create: ipv6IpRange not a string',
        () => Network.create(netName(), { subnet: S, ipv6Subnet: 'fd00:4e:1::/64', ipv6IpRange: 6 as never }),
        'EINVAL',
      ],
      [
        'create: ipv6IpRange with no host address for the gateway',
        () => Network.create(netName(), { subnet: S, ipv6Subnet: 'fd00:4e:1::/64', ipv6IpRange: 'fd00:4e:1::/128' }),
        'EINVAL',
      ],
      [
        'create: aux address DefaultGatewayIPv4 IPv6',
        () =>
          Network.create(netName(), {
            subnet: S,
            ipv6Subnet: 'fd00:4e:1::/64',
            auxAddresses: { DefaultGatewayIPv4: 'fd00:4e:1::fe' },
          }),
        'EINVAL',
      ],
      [
        'create: aux address DefaultGatewayIPv6 IPv4',
        () =>
          Network.create(netName(), {
            subnet: S,
            ipv6Subnet: 'fd00:4e:1::/64',
            auxAddresses: { DefaultGatewayIPv6: '198.19.222.254' },
          }),
        'EINVAL',
      ],
      [
        'create: auxAddresses not an object',
        () => Network.create(netName(), { subnet: S, auxAddresses: 'x' as never }),
        'EINVAL',
      ],
      [
        'create: auxAddresses an array',
        () => Network.create(netName(), { subnet: S, auxAddresses: ['198.19.222.9'] as never }),
        'EINVAL',
      ],
      [
        'create: aux address not an address',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: 'host' } }),
        'EINVAL',
      ],
      [
        'create: aux address not a string',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: 7 as never } }),
        'EINVAL',
      ],
      [
        'create: aux address without a name',
        () => Network.create(netName(), { subnet: S, auxAddresses: { '': '198.19.222.9' } }),
        'EINVAL',
      ],
      [
        'create: aux address outside',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: '198.19.223.9' } }),
        'EINVAL',
      ],
      [
        'create: aux address without subnet',
        () => Network.create(netName(), { auxAddresses: { a: '198.19.222.9' } }),
        'EINVAL',
      ],
      [
        'create: aux address = gateway',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: '198.19.222.1' } }),
        'EINVAL',
      ],
      [
        'create: aux address = network',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: '198.19.222.0' } }),
        'EINVAL',
      ],
      [
        'create: aux address = broadcast',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: '198.19.222.255' } }),
        'EINVAL',
      ],
      [
        'create: aux address twice',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: '198.19.222.9', b: '198.19.222.9' } }),
        'EINVAL',
      ],
      [
        'create: IPv6 aux address twice, written two ways',
        () =>
          Network.create(netName(), {
            subnet: S,
            ipv6Subnet: 'fd00:1::/64',
            auxAddresses: { a: 'fd00:1::9', b: 'fd00:1:0:0::9' },
          }),
        'EINVAL',
      ],
      [
        'create: IPv6 aux address without ipv6Subnet',
        () => Network.create(netName(), { subnet: S, auxAddresses: { a: 'fd00::9' } }),
        'EINVAL',
      ],
      [
        'create: IPv6 aux address = IPv6 gateway',
        () => Network.create(netName(), { subnet: S, ipv6Subnet: 'fd00:1::/64', auxAddresses: { a: 'fd00:1::1' } }),
        'EINVAL',
      ],
      [
        'create: aux address = the gateway an IP range gives',
        () =>
          Network.create(netName(), { subnet: S, ipRange: '198.19.222.128/25', auxAddresses: { a: '198.19.222.128' } }),
        'EINVAL',
      ],
      ['create: taken name', () => Network.create(net.name), 'EEXIST'],
      ['create: overlapping subnet', () => Network.create(netName(), { subnet: '198.19.220.0/23' }), 'EEXIST'],
      ['create: bridge name of a link', () => Network.create(netName(), { bridgeName: 'lo' }), 'EEXIST'],
      ['open: bad name', () => Network.open('no such/net'), 'EINVAL'],
      ['open: no such network', () => Network.open('nnt-none'), 'ENOENT'],
      ['connect: not a Namespace', () => net.connect({} as Namespace), 'EINVAL'],
      ['connect: options not an object', () => net.connect(other, 7 as never), 'EINVAL'],
      ['connect: bad name', () => net.connect(other, { name: 'a b' }), 'EINVAL'],
      ['connect: name starting with -', () => net.connect(other, { name: '-web' }), 'EINVAL'],
      ['connect: aliases not an array', () => net.connect(other, { aliases: 'web' as never }), 'EINVAL'],
      ['connect: bad alias', () => net.connect(other, { aliases: ['ok', 'not ok'] }), 'EINVAL'],
      ['connect: address not an address', () => net.connect(other, { address: 'x' }), 'EINVAL'],
      ['connect: address outside', () => net.connect(other, { address: '198.19.221.5' }), 'EINVAL'],
      ['connect: address with another prefix', () => net.connect(other, { address: '198.19.220.5/16' }), 'EINVAL'],
      ['connect: broadcast address', () => net.connect(other, { address: '198.19.220.255' }), 'EINVAL'],
      ['connect: gateway address', () => net.connect(other, { address: '198.19.220.1' }), 'EADDRINUSE'],
      ['connect: taken address', () => net.connect(other, { address: '198.19.220.2' }), 'EADDRINUSE'],
      ['connect: IPv6 address without an IPv6 subnet', () => net.connect(other, { ipv6Address: 'fd00::5' }), 'EINVAL'],
      ['connect: interface name too long', () => net.connect(other, { interfaceName: 'i'.repeat(16) }), 'EINVAL'],
      // The kernel would name it eth0 (or the next free ethN): never read back by the name given.
      ['connect: interface name with %d', () => net.connect(other, { interfaceName: 'eth%d' }), 'EINVAL'],
      ['connect: taken interface name', () => net.connect(other, { interfaceName: 'lo' }), 'EEXIST'],
      ['connect: multicast MAC', () => net.connect(other, { mac: '01:00:5e:00:00:01' }), 'EINVAL'],
      ['connect: bad MAC', () => net.connect(other, { mac: 'zz' }), 'EINVAL'],
      ['connect: dns not an array', () => net.connect(other, { dns: '198.51.100.53' as never }), 'EINVAL'],
      ['connect: dns not an IP address', () => net.connect(other, { dns: ['198.51.100.53', 'dns.example'] }), 'EINVAL'],
      ['connect: dns with a port', () => net.connect(other, { dns: ['198.51.100.53:53'] }), 'EINVAL'],
      ['connect: bad search domain', () => net.connect(other, { dnsSearch: ['-bad.test'] }), 'EINVAL'],
      ['connect: search domain without a letter', () => net.connect(other, { dnsSearch: ['198.51'] }), 'EINVAL'],
      ['connect: DNS option with a space', () => net.connect(other, { dnsOptions: ['ndots 2'] }), 'EINVAL'],
      ['connect: ndots without a number', () => net.connect(other, { dnsOptions: ['ndots:x'] }), 'EINVAL'],
      [
        'connect: dnsSearch for an anonymous namespace (no file to write it in)',
        () => net.connect(anonymous, { name: 'anon', dnsSearch: ['a.test'] }),
        'EINVAL',
      ],
      [
        'connect: dns for an anonymous namespace on a dns: false network',
        () => plain.connect(anonymous, { dns: ['198.51.100.53'] }),
        'EINVAL',
      ],
      ['connect: connected already', () => net.connect(member), 'EEXIST'],
      ['connect: the host namespace', () => net.connect(Namespace.current()), 'EINVAL'],
      ['connect: a closed namespace', () => net.connect(closed), 'EBADF'],
      ['disconnect: not a Namespace', () => net.disconnect('x' as never), 'EINVAL'],
      ['disconnect: not connected', () => net.disconnect(other), 'ENOENT'],
      ['remove: options not an object', () => net.remove(null as never), 'EINVAL'],
      ['remove: force not boolean', () => net.remove({ force: 'yes' as never }), 'EINVAL'],
      ['remove: members remain', () => net.remove(), 'EBUSY'],
      ['serveDns: a dns: false network', () => plain.serveDns(), 'EINVAL'],
      ['serveDns: upstream not an array', () => net.serveDns({ upstream: '198.51.100.53' as never }), 'EINVAL'],
      ['serveDns: bad upstream', () => net.serveDns({ upstream: ['198.51.100.53', 'dns.example'] }), 'EINVAL'],
      ['serveDns: bad upstream port', () => net.serveDns({ upstream: ['198.51.100.53:0'] }), 'EINVAL'],
    ];
    for (const [what, call, code] of cases) {
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expect([what, error instanceof NetnsError ? error.code : String(error)]).toEqual([what, code]);
      expect((error as NetnsError).message).toMatch(/^cannot .+ \([A-Z]+\)$/);
      expect([what, fingerprint(member.name as string)]).toEqual([what, before]);
    }
    expect(JSON.stringify(ipJson(other.name, 'link', 'show'))).toBe(otherBefore);
    expect(() => {
      Network.addressPools = [{ base: '198.18.0.0/15', size: 8 }];
    }).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => {
      Network.addressPools = [];
    }).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(Network.addressPools).toEqual([{ base: '198.18.0.0/15', size: 24 }]);
  }, 180000); // ~130 cases, each followed by a fingerprint (six `ip` runs): near a minute on a busy machine
});
