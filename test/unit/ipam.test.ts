import {
  DOCKER_DEFAULT_POOLS,
  checkPools,
  chooseSubnet,
  formatIp,
  formatSubnet,
  hostAddressFault,
  isHostAddress,
  lowestFree,
  macForIPv4,
  overlaps,
  parseIp,
  parseSubnet,
  poolSubnets,
  within,
} from '../../lib/network/ipam';

const v4 = (s: string) => (parseIp(s) as { value: bigint }).value;

describe('IPAM', () => {
  it('parses and formats IPv4 and IPv6 addresses canonically', () => {
    expect(formatIp(parseIp('198.18.4.1')!)).toBe('198.18.4.1');
    expect(formatIp(parseIp('fd00:0:0:0:0:0:0:1')!)).toBe('fd00::1');
    expect(formatIp(parseIp('FD00:1::')!)).toBe('fd00:1::');
    expect(formatIp(parseIp('::')!)).toBe('::');
    expect(formatIp(parseIp('1:0:0:2:0:0:0:3')!)).toBe('1:0:0:2::3');
    expect(formatIp(parseIp('1:2:3:4:5:6:7:8')!)).toBe('1:2:3:4:5:6:7:8');
    expect(formatIp(parseIp('::ffff:198.18.0.1')!)).toBe('::ffff:c612:1');
    expect(formatIp(parseIp('1:0:2:3:4:5:6:7')!)).toBe('1:0:2:3:4:5:6:7'); // a single zero group stays
    expect(parseIp('300.1.1.1')).toBeUndefined();
    expect(parseIp('fd00::1::2')).toBeUndefined();
  });

  it('parses subnets, refusing host bits and saying which network was meant', () => {
    expect(formatSubnet(parseSubnet('198.18.4.0/24', 'op'))).toBe('198.18.4.0/24');
    expect(() => parseSubnet('198.18.4.7/24', 'op')).toThrow(
      /host bits set; the subnet is 198\.18\.4\.0\/24 \(EINVAL\)/,
    );
    expect(formatSubnet(parseSubnet('198.18.4.7/24', 'op', 'subnet', false))).toBe('198.18.4.0/24');
    for (const bad of ['198.18.4.0', '198.18.4.0/33', 'x/24', '198.18.4.0/-1', 42, 'fd00::/129']) {
      expect(() => parseSubnet(bad, 'op')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    expect(formatSubnet(parseSubnet('fd00:1::/64', 'op'))).toBe('fd00:1::/64');
  });

  it('tells overlapping subnets apart', () => {
    const s = (t: string) => parseSubnet(t, 'op');
    expect(overlaps(s('198.18.0.0/16'), s('198.18.4.0/24'))).toBe(true);
    expect(overlaps(s('198.18.4.0/24'), s('198.18.0.0/16'))).toBe(true);
    expect(overlaps(s('198.18.4.0/24'), s('198.18.5.0/24'))).toBe(false);
    expect(overlaps(s('198.18.4.0/24'), s('fd00::/8'))).toBe(false);
  });

  it('gives the lowest free address, never the network, gateway or broadcast address, and reuses freed ones', () => {
    const subnet = parseSubnet('198.18.4.0/29', 'op'); // .1 gateway, .2-.6 members, .7 broadcast
    const taken = new Set([v4('198.18.4.1')]);
    const given: string[] = [];
    for (let a = lowestFree(subnet, taken); a !== undefined; a = lowestFree(subnet, taken)) {
      taken.add(a);
      given.push(formatIp({ family: 4, value: a }));
    }
    expect(given).toEqual(['198.18.4.2', '198.18.4.3', '198.18.4.4', '198.18.4.5', '198.18.4.6']);
    taken.delete(v4('198.18.4.4'));
    expect(formatIp({ family: 4, value: lowestFree(subnet, taken)! })).toBe('198.18.4.4');
    expect(isHostAddress(subnet, parseIp('198.18.4.0')!)).toBe(false);
    expect(isHostAddress(subnet, parseIp('198.18.4.7')!)).toBe(false);
    expect(isHostAddress(subnet, parseIp('198.18.4.8')!)).toBe(false);
    expect(isHostAddress(subnet, parseIp('198.18.4.6')!)).toBe(true);
  });

  it("gives addresses from a range of the subnet (--ip-range): its own first and last too, never the subnet's network or broadcast address", () => {
    const subnet = parseSubnet('198.18.4.0/24', 'op');
    const list = (range: string) => {
      const r = parseSubnet(range, 'op');
      const taken = new Set<bigint>();
      const given: string[] = [];
      for (let a = lowestFree(subnet, taken, r); a !== undefined; a = lowestFree(subnet, taken, r)) {
        taken.add(a);
        given.push(formatIp({ family: 4, value: a }));
      }
      return given;
    };
    expect(list('198.18.4.8/30')).toEqual(['198.18.4.8', '198.18.4.9', '198.18.4.10', '198.18.4.11']);
    expect(list('198.18.4.0/30')).toEqual(['198.18.4.1', '198.18.4.2', '198.18.4.3']);
    expect(list('198.18.4.252/30')).toEqual(['198.18.4.252', '198.18.4.253', '198.18.4.254']);
    expect(list('198.18.4.255/32')).toEqual([]);
    expect(within(parseSubnet('198.18.4.128/25', 'op'), subnet)).toBe(true);
    expect(within(subnet, subnet)).toBe(true);
    expect(within(parseSubnet('198.18.4.0/23', 'op'), subnet)).toBe(false);
    expect(within(parseSubnet('198.18.5.0/25', 'op'), subnet)).toBe(false);
    expect(within(parseSubnet('fd00::/120', 'op'), subnet)).toBe(false);
  });

  it('in IPv6 the last address is a host address (no broadcast)', () => {
    const subnet = parseSubnet('fd00::/126', 'op');
    const taken = new Set([(parseIp('fd00::1') as { value: bigint }).value]);
    expect(formatIp({ family: 6, value: lowestFree(subnet, taken)! })).toBe('fd00::2');
    taken.add(lowestFree(subnet, taken)!);
    expect(formatIp({ family: 6, value: lowestFree(subnet, taken)! })).toBe('fd00::3');
    taken.add(lowestFree(subnet, taken)!);
    expect(lowestFree(subnet, taken)).toBeUndefined();
  });

  it("carves pool subnets in order and skips those in use, as Docker's default pools", () => {
    expect(DOCKER_DEFAULT_POOLS.map((p) => p.base)).toEqual([
      ...Array.from({ length: 15 }, (_, i) => `172.${17 + i}.0.0/16`),
      '192.168.0.0/16',
    ]);
    expect(DOCKER_DEFAULT_POOLS[15]?.size).toBe(20);
    const pools = [{ base: '198.18.0.0/22', size: 24 }];
    expect([...poolSubnets(pools[0]!)].map(formatSubnet)).toEqual([
      '198.18.0.0/24',
      '198.18.1.0/24',
      '198.18.2.0/24',
      '198.18.3.0/24',
    ]);
    const used = [parseSubnet('198.18.0.0/24', 'op'), parseSubnet('198.18.1.128/25', 'op')];
    expect(formatSubnet(chooseSubnet(pools, used)!)).toBe('198.18.2.0/24');
    expect(chooseSubnet(pools, [parseSubnet('198.18.0.0/16', 'op')])).toBeUndefined();
  });

  it('checks pools', () => {
    expect(checkPools([{ base: '198.18.0.0/15', size: 24 }], 'op')).toEqual([{ base: '198.18.0.0/15', size: 24 }]);
    for (const bad of [
      [],
      'x',
      [{ base: '198.18.0.0/15', size: 14 }],
      [{ base: '198.18.0.0/15', size: 31 }],
      [{ base: 'fd00::/8', size: 64 }],
      [{ base: '127.0.0.0/8', size: 24 }],
      [{ base: '0.0.0.0/0', size: 24 }],
      [null],
    ]) {
      expect(() => checkPools(bad, 'op')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
  });

  it('tells host addresses no port can be published on by their form', () => {
    const fault = (s: string) => hostAddressFault(parseIp(s)!);
    expect(
      [
        '0.0.0.0',
        '::',
        '::ffff:198.51.100.1',
        '224.0.0.1',
        'ff02::1',
        '255.255.255.255',
        '::1',
        'fe80::1',
        'febf::1',
      ].map(fault),
    ).toEqual([
      'unspecified',
      'unspecified',
      'mapped',
      'multicast',
      'multicast',
      'broadcast',
      'loopback6',
      'link-local6',
      'link-local6',
    ]);
    for (const fine of ['198.51.100.1', '127.0.0.2', '169.254.1.1', 'fd00::1', 'fec0::1', '2001:db8::1', '::2']) {
      expect([fine, fault(fine)]).toEqual([fine, undefined]);
    }
  });

  it("derives Docker's MAC from the IPv4 address", () => {
    expect(macForIPv4(v4('198.18.4.2'))).toBe('02:42:c6:12:04:02');
  });
});
