import { broadcastOf } from '../../lib/address';
import { NetnsError } from '../../lib/internal/errors';
import { describeRoute, routeFromNative, routeRequest } from '../../lib/route';

describe('routeRequest', () => {
  it('a default route via a gateway, as `ip route add default via`', () => {
    expect(routeRequest({ destination: 'default', gateway: '198.18.0.1' }, undefined, false, 'op')).toEqual({
      family: 2,
      dstLen: 0,
      table: 254,
      gateway: '198.18.0.1',
      type: 1,
      protocol: 3,
      scope: 0,
    });
  });

  it('a subnet via a device is scope link for IPv4 and global for IPv6', () => {
    expect(routeRequest({ destination: '198.18.1.0/24' }, 5, false, 'op')).toMatchObject({
      oif: 5,
      scope: 253,
      dstLen: 24,
      dst: '198.18.1.0',
    });
    expect(routeRequest({ destination: 'fd00:1::/64' }, 5, false, 'op')).toMatchObject({ family: 10, scope: 0 });
  });

  it('a delete matches any scope, protocol and type unless given', () => {
    const req = routeRequest({ destination: '198.18.1.0/24', table: 100, metric: 7 }, undefined, true, 'op');
    expect(req).toEqual({ family: 2, dstLen: 24, dst: '198.18.1.0', table: 100, priority: 7, scope: 255 });
  });

  it('a TOS goes in rtm_tos, for an add and a delete (which then matches only that TOS)', () => {
    expect(routeRequest({ destination: '198.18.1.0/24', tos: 0x10 }, 5, false, 'op')).toMatchObject({ tos: 0x10 });
    expect(routeRequest({ destination: '198.18.1.0/24', tos: 0x10 }, undefined, true, 'op')).toEqual({
      family: 2,
      dstLen: 24,
      dst: '198.18.1.0',
      table: 254,
      tos: 0x10,
      scope: 255,
    });
    // None given: 0, as iproute2 sends it (the kernel's "no TOS").
    expect(routeRequest({ destination: '198.18.1.0/24' }, 5, false, 'op').tos).toBeUndefined();
    expect(routeRequest({ destination: 'fd00:1::/64', tos: 0 }, 5, false, 'op')).toMatchObject({ tos: 0 });
    // A delete with ECN bits goes to the kernel (an older kernel may hold such a route).
    expect(routeRequest({ destination: '198.18.1.0/24', tos: 0x11 }, undefined, true, 'op').tos).toBe(0x11);
  });

  it('describes a TOS as iproute2 prints it', () => {
    expect(describeRoute({ destination: '198.18.1.0/24', link: 'a0', tos: 0x10 })).toBe(
      '198.18.1.0/24 dev a0 tos 0x10',
    );
    expect(describeRoute({ destination: '198.18.1.0/24', tos: 8 })).toBe('198.18.1.0/24 tos 0x08');
    expect(describeRoute({ destination: '198.18.1.0/24', tos: 'x' as never })).toBe('198.18.1.0/24 tos x');
  });

  it.each([
    [{ destination: '198.18.1.0/24', tos: 256 }, /the TOS must be an integer from 0 to 255, not 256/],
    [{ destination: '198.18.1.0/24', tos: '16' }, /the TOS must be an integer from 0 to 255, not "16"/],
    [{ destination: '198.18.1.0/24', tos: 0x12 }, /the TOS 0x12 sets ECN bits \(0x03\).*0x10/],
    [{ destination: 'fd00::/64', tos: 0x10 }, /a TOS is for IPv4 routes only/],
    [{ destination: 'default', family: 6, tos: 4 }, /a TOS is for IPv4 routes only/],
    [{ destination: 'fd00::/64', gateway: '198.18.0.1' }, /is IPv4 but the destination is IPv6/],
    [{ destination: 'default', family: 6, gateway: '198.18.0.1' }, /does not match/],
    [{ destination: 'default', table: 0 }, /table must be an integer from 1/],
    [{ destination: 'default', type: 'bogus' }, /unknown route type/],
    [{ destination: 'default', scope: 'galaxy' }, /unknown scope/],
    [{ destination: 'default', protocol: 'carrier-pigeon' }, /unknown route protocol/],
    [null, /must be an object/],
  ])('rejects %j', (spec, message) => {
    expect(() => routeRequest(spec as never, undefined, false, 'op')).toThrow(NetnsError);
    expect(() => routeRequest(spec as never, undefined, false, 'op')).toThrow(message);
  });
});

describe('routeFromNative', () => {
  it('a route of a TOS says it (tos), one without has none', () => {
    const native = { family: 2, dstLen: 24, srcLen: 0, protocol: 3, scope: 253, type: 1, table: 254, flags: 0, oif: 3 };
    expect(routeFromNative({ ...native, tos: 0x10, dst: '198.18.1.0' }, new Map()).tos).toBe(0x10);
    expect('tos' in routeFromNative({ ...native, tos: 0, dst: '198.18.1.0' }, new Map())).toBe(false);
  });

  it('names protocol, scope, type and the device', () => {
    const route = routeFromNative(
      {
        family: 2,
        dstLen: 24,
        srcLen: 0,
        tos: 0,
        protocol: 2,
        scope: 253,
        type: 1,
        table: 254,
        flags: 0,
        oif: 3,
        dst: '198.18.1.0',
        prefsrc: '198.18.1.1',
      },
      new Map([[3, 'veth0']]),
    );
    expect(route).toEqual({
      destination: '198.18.1.0/24',
      family: 4,
      table: 254,
      type: 'unicast',
      protocol: 'kernel',
      scope: 'link',
      linkIndex: 3,
      link: 'veth0',
      source: '198.18.1.1',
    });
  });
});

describe('broadcastOf', () => {
  it.each([
    ['198.18.7.1', 22, '198.18.7.255'],
    ['198.18.0.1', 24, '198.18.0.255'],
    ['198.18.0.1', 30, '198.18.0.3'],
    ['198.18.0.1', 0, '255.255.255.255'],
    ['198.18.0.1', 15, '198.19.255.255'],
    // As `brd +`: none where every address is a host (RFC 3021 for /31).
    ['198.18.0.0', 31, undefined],
    ['198.18.0.1', 32, undefined],
  ])('%s/%d -> %s', (a, p, b) => expect(broadcastOf(a, p)).toBe(b));
});
