import { isIP } from 'node:net';
import { NetnsError } from '../../lib/internal/errors';
import {
  checkAlias,
  checkLinkName,
  checkMtu,
  checkNamespaceName,
  describeValue,
  ipFamily,
  parseCidr,
  parseIp,
  parseMac,
} from '../../lib/internal/validate';

function rejection(fn: () => unknown): NetnsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetnsError);
    return e as NetnsError;
  }
  throw new Error('expected a NetnsError');
}

describe('link names', () => {
  // As the kernel's dev_valid_name(): it refuses whitespace byte by byte, so U+3000 (e3 80 80) and
  // control characters are names, and so are '.a', 'a=b', 'a*'.
  it.each(['eth0', 'veth-a', 'a', 'abcdefghijklmno', 'br_0.100', 'x@y', 'a\u3000', 'a\u0085', 'a\x01', '.a', 'a*'])(
    'accepts %j',
    (name) => {
      expect(checkLinkName(name, 'op')).toBe(name);
    },
  );
  it.each([
    ['', /is empty/],
    ['tb%d', /contains '%'; names are taken literally here/],
    ['a%b', /contains '%'/],
    ['%', /contains '%'/],
    ['a\u00a0', /contains '\u00a0' \(U\+00A0\), whose UTF-8 encoding has the byte 0xa0/],
    ['à', /contains 'à' \(U\+00E0\), whose UTF-8 encoding has the byte 0xa0/],
    ['a\u{10020}', /\(U\+10020\), whose UTF-8 encoding has the byte 0xa0/],
    ['a\x0b', /contains/],
    ['a\x0c', /contains/],
    ['a\r', /contains/],
    ['a\n', /contains/],
    ['abcdefghijklmnop', /is 16 bytes long; Linux allows at most 15/],
    ['ééééééééé', /is 18 bytes long/],
    ['a/b', /contains/],
    ['a b', /contains/],
    ['a:b', /contains/],
    ['tab\t', /contains/],
    ['.', /is not a valid link name/],
    ['..', /is not a valid link name/],
    [42, /must be a string/],
  ])('rejects %j', (name, message) => {
    const e = rejection(() => checkLinkName(name, 'create veth "x"'));
    expect(e.code).toBe('EINVAL');
    expect(e.errno).toBe(22);
    expect(e.operation).toBe('create veth "x"');
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^cannot create veth "x": .* \(EINVAL\)$/);
  });
});

describe('aliases', () => {
  // The kernel takes 254 bytes (IFALIASZ 256, less the NUL sent, less one): 255 is refused.
  it.each(['a', 'a'.repeat(254), 'é'.repeat(127)])('accepts %j', (alias) => {
    expect(checkAlias(alias, 'op')).toBe(alias);
  });
  it.each([
    ['', /the alias is empty; give 1 to 254 bytes/],
    ['a'.repeat(255), /the alias is 255 bytes long; Linux allows at most 254/],
    ['é'.repeat(128), /the alias is 256 bytes long; Linux allows at most 254/],
    ['a\0b', /the alias "a\\u0000b" contains a NUL byte/],
  ])('rejects %j', (alias, message) => {
    expect(rejection(() => checkAlias(alias, 'op')).message).toMatch(message);
  });
});

describe('namespace names', () => {
  it.each(['test1', 'a.b', 'with-dash', 'x'.repeat(255)])('accepts %j', (n) => {
    expect(checkNamespaceName(n, 'op')).toBe(n);
  });
  it.each(['', '.', '..', 'a/b', 'x'.repeat(256), 'nul\0'])('rejects %j', (n) => {
    expect(rejection(() => checkNamespaceName(n, 'op')).code).toBe('EINVAL');
  });
});

describe('addresses', () => {
  it.each([
    ['198.18.0.1/24', { address: '198.18.0.1', prefixLength: 24, family: 4 }],
    ['198.18.0.1', { address: '198.18.0.1', prefixLength: 32, family: 4 }],
    ['fd00::1/64', { address: 'fd00::1', prefixLength: 64, family: 6 }],
    ['fd00::1', { address: 'fd00::1', prefixLength: 128, family: 6 }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefixLength: 0, family: 4 }],
  ])('parses %s', (text, parsed) => {
    expect(parseCidr(text, 'op')).toEqual(parsed);
  });
  it.each([
    '300.1.1.1/24',
    '198.18.0.1/33',
    'fd00::1/129',
    '198.18.0.1/',
    '198.18.0.1/-1',
    '198.18.0.1/2x',
    '1.2.3',
    'localhost',
    '',
    '01.2.3.4',
  ])('rejects %j', (text) => {
    expect(rejection(() => parseCidr(text, 'op')).code).toBe('EINVAL');
  });
  it.each(['fe80::1%eth0', 'fe80::1%1', 'fd00::1%x/64'])('rejects a zone id: %s', (text) => {
    const e = rejection(() => parseCidr(text, 'op'));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toMatch(/has a zone id \(%.+\); give the address alone/);
  });
  it('rejects a CIDR where a plain address is needed', () => {
    expect(rejection(() => parseIp('198.18.0.1/24', 'op')).message).toMatch(/is not a valid IPv4 or IPv6 address/);
  });
});

describe('MAC addresses', () => {
  it('normalises case and separators', () => {
    expect(parseMac('02:AB:cd:00:11:22', 'op')).toBe('02:ab:cd:00:11:22');
    expect(parseMac('02-ab-cd-00-11-22', 'op')).toBe('02:ab:cd:00:11:22');
  });
  it.each([
    ['01:00:5e:00:00:01', /multicast/],
    ['ff:ff:ff:ff:ff:ff', /multicast/],
    ['00:00:00:00:00:00', /all-zero/],
    ['02:00:00:00:00', /is not a MAC address/],
    ['02:00:00:00:00:0g', /is not a MAC address/],
    ['0200.0000.0001', /is not a MAC address/],
    ['02:00-00:00-00:01', /is not a MAC address/], // one kind of separator throughout
    ['02-00-00-00-00:01', /is not a MAC address/],
  ])('rejects %s', (mac, message) => {
    expect(rejection(() => parseMac(mac, 'op')).message).toMatch(message);
  });
});

describe('MTU', () => {
  it.each([1, 68, 1500, 9000, 65535])('accepts %d', (mtu) => expect(checkMtu(mtu, 'op')).toBe(mtu));
  it.each([0, -1, 1.5, NaN, Infinity, '1500', 2 ** 31])('rejects %j', (mtu) => {
    expect(rejection(() => checkMtu(mtu, 'op')).message).toMatch(/the MTU must be an integer from 1 to 2147483647/);
  });
  it('says a number given as a string is a string', () => {
    expect(rejection(() => checkMtu('1500', 'op')).message).toMatch(/, not "1500" \(EINVAL\)$/);
    expect(rejection(() => checkMtu({}, 'op')).message).toMatch(/, not an object \(EINVAL\)$/);
  });
});

describe('NUL bytes', () => {
  it('refuses a link name with a NUL byte (the kernel would truncate it and act on another link)', () => {
    expect(() => checkLinkName('ab\0cd', 'op')).toThrow(/contains a NUL byte/);
  });
});

describe('values in messages', () => {
  it.each([
    ['eth0', '"eth0"'],
    [NaN, 'NaN'], // JSON.stringify would say null
    [Infinity, 'Infinity'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{}, 'an object'],
    [[1], 'an array'],
    [7n, '7'],
  ])('%p reads as %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});

describe('parseIp agrees with node:net isIP on IPv4', () => {
  // The IPv4 fast path must accept exactly what isIP accepts.
  const cases = [
    '0.0.0.0',
    '255.255.255.255',
    '198.18.0.1',
    '1.2.3.4',
    '01.2.3.4',
    '1.2.3.04',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.a',
    '1234.1.1.1',
    '0.0.0.00',
    '00.0.0.0',
    '1.2.3.-4',
    '1.2.3.+4',
    '１.2.3.4',
    '',
  ];
  it.each(cases)('%j', (text) => {
    const expected = isIP(text);
    let got = 0;
    try {
      got = parseIp(text, 'test').family;
    } catch {
      got = 0;
    }
    expect(got).toBe(expected);
    if (expected === 4) expect(parseCidr(`${text}/24`, 'test')).toEqual({ address: text, family: 4, prefixLength: 24 });
  });
});

describe('ipFamily answers as node:net isIP', () => {
  // It checks IPv4 itself and hands only text with a colon to node:net.
  it.each([
    '198.18.0.1',
    '01.2.3.4',
    '256.1.1.1',
    'fd00::1',
    '::',
    '::ffff:198.18.0.1',
    'fe80::1%eth0',
    'fd00::1::2',
    'fd00:::1',
    ':1.2.3.4',
    'lock',
    'last_reserved_ip.0',
    '',
    '1.2.3.4:80',
  ])('%j', (text) => {
    expect(ipFamily(text)).toBe(isIP(text));
  });
});
