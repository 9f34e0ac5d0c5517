import { broadcastOf } from '../../lib/address';
import { NetnsError } from '../../lib/internal/errors';
import { describeRoute, routeFromNative, routeRequest } from '../../lib/route';
import { metricWords, metricsFromNative, metricsRequest } from '../../lib/route-metrics';
import { routeLine } from '../../lib/cli/format';

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
    [
      { destination: '198.18.1.0/24', tos: 256 },
      /the TOS must be an integer from 0 to 255, not 256 \(or a string: a DS field name, such as 'AF11', or hex, such as '0x10'\)/,
    ],
    [
      { destination: '198.18.1.0/24', tos: '16' },
      /the TOS "16" is ambiguous \(ip reads it as hex\): give a number \(16\) or hex \('0x16'\)/,
    ],
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
      tableName: 'main',
      type: 'unicast',
      protocol: 'kernel',
      scope: 'link',
      linkIndex: 3,
      link: 'veth0',
      source: '198.18.1.1',
    });
  });
});

describe('route metrics', () => {
  it('go to the kernel in its units: rtt x8, rttvar x4, locks as RTAX bits, rto_min always locked', () => {
    expect(
      metricsRequest(
        {
          mtu: 1400,
          rtt: 100,
          rttvar: 50,
          rtoMin: 200,
          quickack: false,
          fastopenNoCookie: true,
          ecn: true,
          tcpUsecTs: true,
          congctl: 'cubic',
          lock: ['mtu', 'congctl'],
        },
        'op',
      ),
    ).toEqual({
      mtu: 1400,
      rtt: 800,
      rttvar: 200,
      rtoMin: 200,
      quickack: 0,
      fastopenNoCookie: 1,
      features: 0x11,
      ccAlgo: 'cubic',
      lock: (1 << 2) | (1 << 16) | (1 << 13),
    });
    expect(metricsRequest({ rtt: 12.5, rttvar: 0.25, ecn: false }, 'op')).toEqual({ rtt: 100, rttvar: 1 });
    expect(metricsRequest({}, 'op')).toEqual({});
  });

  it('come back in the user units; a lock without a value is listed; none: undefined', () => {
    expect(
      metricsFromNative({ lock: (1 << 2) | (1 << 4), rtt: 100, rttvar: 6, features: 1, quickack: 1, ccAlgo: 'reno' }),
    ).toEqual({ rtt: 12.5, rttvar: 1.5, ecn: true, quickack: true, congctl: 'reno', lock: ['mtu', 'rtt'] });
    expect(metricsFromNative({ lock: 0 })).toBeUndefined();
  });

  it('print as ip route prints them: RTAX order, lock before the value, times in ms or s', () => {
    expect(
      metricWords({
        congctl: 'reno',
        initcwnd: 10,
        mtu: 1400,
        rtt: 12.5,
        rttvar: 2000,
        rtoMin: 1500,
        ecn: true,
        quickack: true,
        lock: ['mtu', 'rtoMin', 'hoplimit'],
      }).join(' '),
    ).toBe(
      'mtu lock 1400 rtt 12ms rttvar 2s hoplimit lock 0 initcwnd 10 features ecn rto_min lock 1.5s quickack 1 congctl reno',
    );
    expect(metricWords({ rtoMin: 1234567 }).join(' ')).toBe('rto_min 1234.57s');
    expect(metricWords({ rtoMin: 4294967295 }).join(' ')).toBe('rto_min 4.29497e+06s');
    expect(metricWords({ tcpUsecTs: true, ecn: true }).join(' ')).toBe('features ecn tcp_usec_ts');
  });

  it('a route line has expires, then the metrics, then pref, as ip -6 route', () => {
    expect(
      routeLine({
        destination: 'fd00:1::/64',
        family: 6,
        table: 254,
        type: 'unicast',
        protocol: 'boot',
        scope: 'global',
        linkIndex: 2,
        link: 'va',
        metric: 1024,
        expires: 299,
        metrics: { mtu: 1280 },
        preference: 'high',
      }),
    ).toBe('fd00:1::/64 dev va metric 1024 expires 299sec mtu 1280 pref high');
  });

  it('IPv6 deletes leave them out, IPv4 deletes match them; pref and expires go only with an add', () => {
    const v6 = { destination: 'fd00:1::/64', metrics: { mtu: 1400 }, preference: 'high' as const, expires: 30 };
    expect(routeRequest(v6, 2, false, 'op')).toMatchObject({ metrics: { mtu: 1400 }, pref: 1, expires: 30 });
    const del6 = routeRequest({ ...v6, expires: -3 }, undefined, true, 'op');
    expect(del6.metrics).toBeUndefined();
    expect(del6.pref).toBeUndefined();
    expect(del6.expires).toBeUndefined();
    expect(routeRequest({ destination: '198.18.1.0/24', metrics: { mtu: 1400 } }, undefined, true, 'op')).toMatchObject(
      {
        metrics: { mtu: 1400 },
      },
    );
    expect(routeRequest({ destination: 'fd00:1::/64', preference: 'low' }, 2, false, 'op').pref).toBe(3);
    expect(routeRequest({ destination: 'fd00:1::/64', preference: 'medium' }, 2, false, 'op').pref).toBe(0);
  });

  it('listed routes carry them', () => {
    const native = {
      family: 10,
      dstLen: 64,
      srcLen: 0,
      tos: 0,
      protocol: 3,
      scope: 0,
      type: 1,
      table: 254,
      flags: 0,
      oif: 0,
    };
    expect(
      routeFromNative({ ...native, dst: 'fd00:1::', pref: 3, expires: 42, metrics: { lock: 4, mtu: 1400 } }, new Map()),
    ).toMatchObject({ preference: 'low', expires: 42, metrics: { mtu: 1400, lock: ['mtu'] } });
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
