/**
 * Table, DS field and protodown reason names read as iproute2 reads them (lib/rt-names.ts), from directories of
 * this test's own standing in for /etc/iproute2 and the distribution's copy. No root needed; the
 * kernel tests (test/kernel/rt-names.test.ts) check the real paths against `ip`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Iproute2Names,
  dsfieldValue,
  protocolId,
  readProtocolNames,
  readProtodownReasonNames,
  readTableNames,
  tableId,
  type Iproute2Dirs,
} from '../../lib/rt-names';

let root: string;
let dirs: Iproute2Dirs;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-rt-names-'));
  dirs = { etc: path.join(root, 'etc'), usr: [path.join(root, 'share'), path.join(root, 'lib')] };
  fs.mkdirSync(dirs.etc);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('table names', () => {
  it('reads ID NAME lines, decimal or hex, with comments and blanks; the later line wins', () => {
    write('etc/rt_tables', '# reserved\n255\tlocal\n\n  100 blue # a comment\n0x65 green\n100 azure\n4294967295 top\n');
    const db = readTableNames(dirs);
    expect([...db.names]).toEqual([
      [255, 'local'],
      [100, 'azure'],
      [101, 'green'],
      [4294967295, 'top'],
    ]);
    expect(db.ids.get('blue')).toBe(100);
    expect(db.files).toEqual([path.join(dirs.etc, 'rt_tables')]);
  });

  it('a malformed line ends its file, as iproute2 ("Database ... is corrupted")', () => {
    write('etc/rt_tables', '100 blue\nnonsense here\n101 green\n');
    write('etc/rt_tables.d/a.conf', '102 red\n');
    expect([...readTableNames(dirs).names.values()]).toEqual(['blue', 'red']);
  });

  it('rt_tables.d: *.conf only, in name order; the distribution’s unless /etc has one of the same name', () => {
    write('etc/rt_tables', '100 blue\n');
    write('etc/rt_tables.d/b.conf', '102 red\n');
    write('etc/rt_tables.d/README', '103 readme\n');
    write('etc/rt_tables.d/a.conf', '101 green\n');
    write('share/rt_tables', '200 never\n'); // shadowed by /etc's rt_tables
    write('share/rt_tables.d/b.conf', '202 shadowed\n');
    write('share/rt_tables.d/c.conf', '203 theirs\n');
    write('lib/rt_tables.d/d.conf', '204 second\n'); // only the first distribution directory counts
    const db = readTableNames(dirs);
    expect([...db.names.values()]).toEqual(['blue', 'theirs', 'green', 'red']);
    expect(db.files.map((f) => path.relative(root, f))).toEqual([
      'etc/rt_tables',
      'share/rt_tables.d/c.conf',
      'etc/rt_tables.d/a.conf',
      'etc/rt_tables.d/b.conf',
    ]);
  });

  it("rt_tables missing in /etc: the distribution's (iproute2 6.5+), wherever it keeps it", () => {
    write('lib/rt_tables', '100 blue\n');
    expect(readTableNames(dirs).names.get(100)).toBe('blue');
    write('etc/rt_tables', '100 mine\n');
    expect(readTableNames(dirs).names.get(100)).toBe('mine');
  });

  it('tableId: numbers, built-in names without any file, file names, numbers in strings; EINVAL naming the files', () => {
    expect(tableId(100, 'op', { dirs })).toBe(100);
    for (const [name, id] of [
      ['main', 254],
      ['local', 255],
      ['default', 253],
    ] as const) {
      expect(tableId(name, 'op', { dirs })).toBe(id);
    }
    write('etc/rt_tables', '100 blue\n0 unspec\n');
    write('etc/rt_tables.d/x.conf', '5000 green\n');
    expect(tableId('blue', 'op', { dirs })).toBe(100);
    expect(tableId('green', 'op', { dirs })).toBe(5000);
    expect(tableId('300', 'op', { dirs })).toBe(300);
    expect(tableId('0x12c', 'op', { dirs })).toBe(300);
    expect(tableId('all', 'op', { dirs, min: 0, allowAll: true })).toBe(0);
    expect(() => tableId('all', 'op', { dirs })).toThrow(/unknown routing table "all"/);
    const files = `${path.join(dirs.etc, 'rt_tables')}, ${path.join(dirs.etc, 'rt_tables.d', 'x.conf')}`;
    expect(() => tableId('red', 'add route x', { dirs })).toThrow(
      expect.objectContaining({
        code: 'EINVAL',
        message: expect.stringContaining(
          `unknown routing table "red": not main, local, default or a number, and not named in the files iproute2 reads (read: ${files})`,
        ),
      }),
    );
    expect(() => tableId('unspec', 'op', { dirs })).toThrow(
      /the table must be an integer from 1 to 4294967295, not 0 \("unspec"\)/,
    );
    expect(() => tableId(0, 'op', { dirs })).toThrow(/the table must be an integer from 1/);
    expect(() => tableId('', 'op', { dirs })).toThrow(
      `the table must be an integer from 1 to 4294967295, not "" (or a string: a table's name, such as 'main', or its number)`,
    );
    fs.rmSync(dirs.etc, { recursive: true });
    expect(() => tableId('red', 'op', { dirs })).toThrow(`(read: none (no ${path.join(dirs.etc, 'rt_tables')}))`);
  });
});

describe('DS field names', () => {
  it('dsfieldValue: numbers, names, hex strings; bare digits and unknown names are EINVAL', () => {
    write('etc/rt_dsfield', '0x0 default\n0x28 AF11\n0x100 toolarge\n0xb8\tEF\n');
    expect(dsfieldValue(0x10, 'op', dirs)).toBe(0x10);
    expect(dsfieldValue('AF11', 'op', dirs)).toBe(0x28);
    expect(dsfieldValue('EF', 'op', dirs)).toBe(0xb8);
    expect(dsfieldValue('0x10', 'op', dirs)).toBe(0x10);
    expect(() => dsfieldValue('toolarge', 'op', dirs)).toThrow(/unknown DS field \(TOS\) name "toolarge"/);
    expect(() => dsfieldValue('af11', 'op', dirs)).toThrow(
      `unknown DS field (TOS) name "af11": not a number nor named in the files iproute2 reads (read: ${path.join(dirs.etc, 'rt_dsfield')})`,
    );
    expect(() => dsfieldValue('10', 'op', dirs)).toThrow(/ambiguous/);
    expect(() => dsfieldValue(256, 'op', dirs)).toThrow(/from 0 to 255/);
  });

  it('rt_dsfield missing in /etc: the distribution’s', () => {
    write('share/rt_dsfield', '0x28 AF11\n');
    expect(dsfieldValue('AF11', 'op', dirs)).toBe(0x28);
  });
});

describe('protocol names', () => {
  it('rt_protos then rt_protos.d/*.conf, as rt_tables; ids above 255 left out', () => {
    write('etc/rt_protos', '99\topenr\n0x10 dhcp\n300 toobig\n');
    write('etc/rt_protos.d/a.conf', '250 nnt-mine\n');
    write('share/rt_protos.d/b.conf', '251 theirs\n');
    const db = readProtocolNames(dirs);
    expect([...db.names]).toEqual([
      [99, 'openr'],
      [16, 'dhcp'],
      [251, 'theirs'],
      [250, 'nnt-mine'],
    ]);
  });

  it("rt_protos missing in /etc: the distribution's", () => {
    write('share/rt_protos', '99 openr\n');
    expect(readProtocolNames(dirs).names.get(99)).toBe('openr');
  });

  it('protocolId: numbers, iproute2 6.1’s built-in names without any file, file names, listed numbers; EINVAL naming the files', () => {
    for (const [name, id] of [
      ['unspec', 0],
      ['boot', 3],
      ['static', 4],
      ['gated', 8],
      ['mrt', 10],
      ['dnrouted', 13],
      ['xorp', 14],
      ['ntk', 15],
      ['keepalived', 18],
      ['babel', 42],
      ['bgp', 186],
      ['rip', 189],
      ['eigrp', 192],
    ] as const) {
      expect([name, protocolId(name, 'op', dirs)]).toEqual([name, id]);
    }
    expect(protocolId(200, 'op', dirs)).toBe(200);
    expect(protocolId('200', 'op', dirs)).toBe(200);
    expect(() => protocolId('openr', 'op', dirs)).toThrow(
      /unknown route protocol "openr": .*\(read: none \(no .*etc\/rt_protos\)\) \(EINVAL\)$/,
    );
    write('etc/rt_protos', '99 openr\n');
    expect(protocolId('openr', 'op', dirs)).toBe(99);
    expect(() => protocolId('pigeon', 'op', dirs)).toThrow(
      /unknown route protocol "pigeon": .*\(read: .*etc\/rt_protos\) \(EINVAL\)$/,
    );
    for (const bad of [256, -1, 1.5, '256', '', null]) {
      expect(() => protocolId(bad, 'op', dirs)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
  });

  it('protocolId: hex as ip reads it (strtoul base 0); a leading 0, octal to ip, refused saying so', () => {
    expect(['0x10', '0X10', '0xff', '0x0', '0', '16'].map((p) => protocolId(p, 'op', dirs))).toEqual([
      16, 16, 255, 0, 0, 16,
    ]);
    expect(() => protocolId('010', 'op', dirs)).toThrow(
      /the protocol "010" is ambiguous \(ip reads a leading 0 as octal, 8\): give 8 or '0x8' \(EINVAL\)$/,
    );
    expect(() => protocolId('09', 'op', dirs)).toThrow(
      /the protocol "09" is not a number \(ip reads a leading 0 as octal\)/,
    );
    expect(() => protocolId('0x100', 'op', dirs)).toThrow(/the protocol "0x100" is 256: it must be from 0 to 255/);
    for (const bad of ['0x', '0xg', '+5', ' 5', '1e1']) {
      expect(() => protocolId(bad, 'op', dirs)).toThrow(/unknown route protocol/);
    }
  });
});

describe('Iproute2Names (reading back)', () => {
  it('built-in tables without a file; the files read once per object, on first need', () => {
    const names = new Iproute2Names(dirs);
    expect(names.table(254)).toBe('main');
    write('etc/rt_tables', '100 blue\n');
    write('etc/rt_dsfield', '0x28 AF11\n');
    expect(names.table(100)).toBe('blue');
    expect(names.dsfield(0x28)).toBe('AF11');
    expect(names.dsfield(0x10)).toBeUndefined();
    write('etc/rt_tables', '100 changed\n');
    expect(names.table(100)).toBe('blue'); // one listing, one reading
    expect(new Iproute2Names(dirs).table(100)).toBe('changed');
    expect(names.table(7)).toBeUndefined();
  });

  it('protocols: the built-in names without a file, others from the files, else the number', () => {
    const names = new Iproute2Names(dirs);
    expect([names.protocol(192), names.protocol(13), names.protocol(2)]).toEqual(['eigrp', 'dnrouted', 'kernel']);
    write('etc/rt_protos', '99 openr\n');
    expect(names.protocol(99)).toBe('openr');
    expect(names.protocol(250)).toBe('250');
  });
});

describe('protodown reason names', () => {
  it('protodown_reasons.d/*.conf alone (no main file), in name order; ids above 31 left out', () => {
    write('etc/protodown_reasons', '1 never\n'); // no such file in iproute2: not read
    write('etc/protodown_reasons.d/b.conf', '5 frr\n0x1f top\n32 too-big\n');
    write('etc/protodown_reasons.d/a.conf', '5 bgp\n6 lacp\n');
    write('etc/protodown_reasons.d/c.txt', '7 not-conf\n');
    write('share/protodown_reasons.d/a.conf', '9 shadowed\n'); // /etc has an a.conf
    write('share/protodown_reasons.d/z.conf', '8 distro\n');
    const db = readProtodownReasonNames(dirs);
    expect([...db.names].sort((x, y) => x[0] - y[0])).toEqual([
      [5, 'frr'],
      [6, 'lacp'],
      [8, 'distro'],
      [31, 'top'],
    ]);
    expect(db.ids.get('frr')).toBe(5);
    expect(db.ids.has('too-big')).toBe(false);
    expect(db.files).toEqual([
      path.join(root, 'share/protodown_reasons.d/z.conf'),
      path.join(root, 'etc/protodown_reasons.d/a.conf'),
      path.join(root, 'etc/protodown_reasons.d/b.conf'),
    ]);
  });

  it('none without the directory; Iproute2Names prints a name, else the number', () => {
    expect(readProtodownReasonNames(dirs).names.size).toBe(0);
    const names = new Iproute2Names(dirs);
    write('etc/protodown_reasons.d/x.conf', '3 frr\n');
    expect([names.protodownReason(3), names.protodownReason(4)]).toEqual(['frr', '4']);
  });
});
