/**
 * Route encapsulations without the kernel: what the library sends for each RouteEncap, what it
 * lists for each the addon decodes, and the command's words both ways (ip's reading and printing).
 */
import { NetnsError } from '../../lib/internal/errors';
import { encapFromNative, encapRequest, type RouteEncap } from '../../lib/route-encap';
import type { NativeRouteEncap } from '../../lib/native/surface';
import { routeRequest } from '../../lib/route';
import { encapJson, encapWords, readEncap } from '../../lib/cli/route-encap-words';
import { Words } from '../../lib/cli/words';

describe('encapRequest and encapFromNative', () => {
  it.each([
    [
      {
        type: 'ip',
        id: 5,
        destination: '198.18.22.9',
        source: '198.18.22.1',
        ttl: 64,
        tos: 0x10,
        key: true,
        checksum: true,
        sequence: true,
      },
      { type: 2, id: 5, dst: '198.18.22.9', src: '198.18.22.1', ttl: 64, tos: 0x10, flags: 0x0d },
    ],
    [
      { type: 'ip6', id: 9, destination: 'fd00:bc::9', hopLimit: 7, trafficClass: 0x20, key: true },
      { type: 4, id: 9, dst: 'fd00:bc::9', ttl: 7, tos: 0x20, flags: 0x04 },
    ],
    [
      { type: 'seg6', mode: 'encap', segments: ['fd00:bc::1', 'fd00:bc::2'], hmacKeyId: 26 },
      { type: 5, mode: 1, segments: ['fd00:bc::1', 'fd00:bc::2'], hmac: 26 },
    ],
    [
      { type: 'seg6', mode: 'l2encap.red', segments: ['fd00:bc::1'] },
      { type: 5, mode: 4, segments: ['fd00:bc::1'] },
    ],
    [
      { type: 'seg6local', action: 'End.DT6', table: 100, nexthop: 'fd00:bc::9' },
      { type: 7, action: 7, table: 100, nh6: 'fd00:bc::9' },
    ],
    [
      { type: 'seg6local', action: 'End.X', nexthop: '198.18.22.9' },
      { type: 7, action: 2, nh4: '198.18.22.9' },
    ],
    [
      { type: 'mpls', labels: [100, 200], ttl: 5 },
      { type: 1, labels: [100, 200], ttl: 5 },
    ],
  ] as Array<[RouteEncap, NativeRouteEncap]>)('%j is sent as %j and lists back the same', (spec, native) => {
    expect(encapRequest(spec, 'op')).toEqual(native);
    expect(encapFromNative(native)).toEqual(spec);
  });

  it('a type decoded by number only lists as that type (its name, or the number)', () => {
    expect(encapFromNative({ type: 10 })).toEqual({ type: 'xfrm' });
    expect(encapFromNative({ type: 3 })).toEqual({ type: 'ila' });
    expect(encapFromNative({ type: 99 })).toEqual({ type: 99 });
  });

  it('a route and a next hop carry it; a delete of a listed route leaves out a type it cannot build', () => {
    const encap = { type: 'ip', id: 5, destination: '198.18.22.9' } as const;
    expect(routeRequest({ destination: '198.18.21.0/24', encap }, 2, false, 'op').encap).toEqual({
      type: 2,
      id: 5,
      dst: '198.18.22.9',
    });
    const hops = routeRequest(
      { destination: '198.18.21.0/24', nexthops: [{ encap }, { encap }] },
      undefined,
      false,
      'op',
      [2, 3],
    );
    expect(hops.multipath?.map((h) => h.encap?.id)).toEqual([5, 5]);
    expect(
      routeRequest({ destination: '198.18.21.0/24', encap: { type: 'xfrm' } }, 2, true, 'op').encap,
    ).toBeUndefined();
    expect(() => routeRequest({ destination: '198.18.21.0/24', encap: { type: 'xfrm' } }, 2, false, 'op')).toThrow(
      /encap\.type "xfrm" is listed but cannot be added/,
    );
  });

  it.each([
    [
      { type: 'seg6', mode: 'encap', segments: [] },
      /encap\.segments must be an array of 1 to 128 IPv6 addresses, not an array/,
    ],
    [{ type: 'ip', id: 1.5 }, /encap\.id must be an integer from 0 to 9007199254740991, not 1\.5/],
    [{ type: 'ip6', source: '198.18.22.1' }, /encap\.source must be an IPv6 address, not "198\.18\.22\.1"/],
    [{ type: 'ip', key: 'yes' }, /encap\.key must be true or false/],
    [{ type: 'mpls', labels: [] }, /encap\.labels must be an array of 1 to 30 MPLS labels/],
    [{ type: 'seg6local', action: 'End', table: 'nosuch' }, /table/],
    [
      { type: 'seg6', mode: 'encap', segments: ['fd00:bc::1'], hmacKeyId: 0 },
      /encap\.hmacKeyId must be an integer from 1 to 4294967295, not 0/,
    ],
  ])('%j is EINVAL: %s', (spec, message) => {
    let error: unknown;
    try {
      encapRequest(spec, 'op');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetnsError);
    expect((error as NetnsError).code).toBe('EINVAL');
    expect((error as NetnsError).message).toMatch(message);
  });
});

describe("the command's encap words", () => {
  const read = (line: string): [unknown, string | undefined] => {
    const words = new Words(line.split(' '), 'route', 'route add');
    return [readEncap(words), words.next()];
  };

  it('reads each type as ip does, leaving the first word that is none of its keywords', () => {
    expect(read('ip id 5 dst 198.18.22.9 tos 10 key dev vx0')).toEqual([
      { type: 'ip', id: 5, destination: '198.18.22.9', tos: 0x10, key: true },
      'dev',
    ]);
    expect(read('seg6 mode inline segs fd00:bc::1,fd00:bc::2 hmac 0x1a metric 5')).toEqual([
      { type: 'seg6', mode: 'inline', segments: ['fd00:bc::1', 'fd00:bc::2'], hmacKeyId: 26 },
      'metric',
    ]);
    expect(read('mpls 100/200 ttl 5')).toEqual([{ type: 'mpls', labels: [100, 200], ttl: 5 }, undefined]);
    expect(read('seg6local action End.DT4 vrftable main nh4 198.18.22.9')).toEqual([
      { type: 'seg6local', action: 'End.DT4', vrfTable: 'main', nexthop: '198.18.22.9' },
      undefined,
    ]);
  });

  it('prints each as ip prints it, text and -j', () => {
    const ip = { type: 'ip', id: 5, source: '0.0.0.0', destination: '198.18.22.9', ttl: 0, tos: 0, key: true } as const;
    expect(encapWords(ip).join(' ')).toBe(' encap ip id 5 src 0.0.0.0 dst 198.18.22.9 ttl 0 tos 0 key');
    expect(encapJson(ip)).toEqual({
      encap: 'ip',
      id: 5,
      src: '0.0.0.0',
      dst: '198.18.22.9',
      ttl: 0,
      tos: 0,
      key: true,
    });
    const seg6: RouteEncap = { type: 'seg6', mode: 'inline', segments: ['fd00:bc::1'], hmacKeyId: 26 };
    expect(encapWords(seg6).join(' ')).toBe(' encap seg6 mode inline segs 2 [ fd00:bc::1 :: ] hmac 1A');
    expect(encapJson(seg6)).toEqual({ encap: 'seg6', mode: 'inline', segs: ['fd00:bc::1', '::'], hmac: '0x1a' });
    const mpls: RouteEncap = { type: 'mpls', labels: [100, 200], ttl: 5 };
    expect(encapWords(mpls).join(' ')).toBe(' encap mpls  100/200 ttl 5');
    expect(encapJson(mpls)).toEqual({ encap: 'mpls', dst: '100/200', ttl: 5 });
    expect(encapWords({ type: 'seg6local', action: 'End.DT6', table: 254 }).join(' ')).toBe(
      ' encap seg6local action End.DT6 table main',
    );
    expect(encapWords({ type: 'xfrm' }).join(' ')).toBe(' encap xfrm');
    expect(encapJson({ type: 99 })).toEqual({ encap: 'unknown' });
  });
});
