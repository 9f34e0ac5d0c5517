/**
 * Prefixes as the command's selectors read them (lib/cli/prefix.ts), as iproute2 6.1's get_prefix
 * and get_addr_ipv4 do. The kernel side (neigh show|flush with them, beside ip) is in
 * test/kernel/neighbour-selectors.test.ts.
 */
import { octalIpv4Part, parsePrefix } from '../../lib/cli/prefix';

describe("parsePrefix: addresses as ip's get_prefix reads them", () => {
  it('a partial IPv4 address is the host with the missing parts 0; hex parts; a length applies to it', () => {
    expect(parsePrefix('198.18.108', undefined)).toEqual({ family: 4, address: '198.18.108.0', length: 32 });
    expect(parsePrefix('198.18.108/24', undefined)).toEqual({ family: 4, address: '198.18.108.0', length: 24 });
    expect(parsePrefix('198.18/16', 4)).toEqual({ family: 4, address: '198.18.0.0', length: 16 });
    expect(parsePrefix('198', undefined)).toEqual({ family: 4, address: '198.0.0.0', length: 32 });
    expect(parsePrefix('198.18.0x6c.0X14', undefined)).toEqual({ family: 4, address: '198.18.108.20', length: 32 });
    expect(parsePrefix('fd00:b7::1', undefined)).toEqual({ family: 6, address: 'fd00:b7::1', length: 128 });
    expect(parsePrefix('default', 6)).toEqual({ family: 6, address: '::', length: 0 });
  });

  it('none of: a part above 255, an empty part, five parts, a leading 0 (octal to ip), a sign', () => {
    for (const word of ['198.18.256', '198..108', '198.18.108.', '1.2.3.4.5', '198.18.010', '+1', '0x', 'bogus', '']) {
      expect([word, parsePrefix(word, undefined)]).toEqual([word, undefined]);
    }
    expect([octalIpv4Part('198.18.010/24'), octalIpv4Part('198.18.10'), octalIpv4Part('bogus.010')]).toEqual([
      '010',
      undefined,
      undefined,
    ]);
  });
});
