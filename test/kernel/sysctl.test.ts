import * as fs from 'node:fs';
import { Namespace, NetnsError } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** The independent witness: the file as `ip netns exec NS cat` reads it (ns undefined: ours). */
function proc(ns: string | undefined, path: string): string {
  const file = `/proc/sys/net/${path}`;
  return ns === undefined ? fs.readFileSync(file, 'utf8') : run('ip', ['netns', 'exec', ns, 'cat', file]);
}

describeKernel('sysctls', () => {
  it('sets net.ipv4.ip_forward in a created namespace only, resolving with the value before', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    // Another namespace as the witness: the one the tests run in is shared with suites that
    // switch forwarding on (networks), so its value may change meanwhile.
    const other = (await freshNamespace()).name as string;
    expect(proc(name, 'ipv4/ip_forward')).toBe('0\n');
    expect(await ns.sysctl('net.ipv4.ip_forward')).toBe('0');
    expect(await ns.setSysctl('net.ipv4.ip_forward', 1)).toBe('0');
    expect(proc(name, 'ipv4/ip_forward')).toBe('1\n');
    expect(await ns.sysctl('net/ipv4/ip_forward')).toBe('1');
    // A string is written as given; the same value again changes nothing and reads back.
    expect(await ns.setSysctl('net/ipv4/ip_forward', '1')).toBe('1');
    expect(proc(other, 'ipv4/ip_forward')).toBe('0\n');
    expect(await Namespace.current().sysctl('net.ipv4.ip_forward')).toMatch(/^[01]$/);
  });

  it('reads and writes in the namespace the process runs in', async () => {
    const key = 'net.ipv4.conf.lo.arp_announce';
    const before = proc(undefined, 'ipv4/conf/lo/arp_announce').trim();
    const other = before === '1' ? '2' : '1';
    try {
      expect(await Namespace.current().setSysctl(key, other)).toBe(before);
      expect(proc(undefined, 'ipv4/conf/lo/arp_announce')).toBe(`${other}\n`);
    } finally {
      await Namespace.current().setSysctl(key, before);
    }
    expect(proc(undefined, 'ipv4/conf/lo/arp_announce')).toBe(`${before}\n`);
  });

  it("sets one link's rp_filter and proxy_arp; a name with a dot only in the '/' form (or sysctl(8)'s dotted form with '/')", async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const plain = uniqueName('s');
    const dotted = `${uniqueName('d')}.5`;
    ip(name, 'link', 'add', plain, 'type', 'veth', 'peer', 'name', uniqueName('p'));
    ip(name, 'link', 'add', dotted, 'type', 'veth', 'peer', 'name', uniqueName('p'));
    const other = proc(name, 'ipv4/conf/lo/rp_filter');
    expect(await ns.setSysctl(`net.ipv4.conf.${plain}.rp_filter`, 2)).toBe(
      proc(name, 'ipv4/conf/default/rp_filter').trim(),
    );
    expect(proc(name, `ipv4/conf/${plain}/rp_filter`)).toBe('2\n');
    expect(proc(name, 'ipv4/conf/lo/rp_filter')).toBe(other);
    await ns.setSysctl(`net.ipv4.conf.${plain}.proxy_arp`, 1);
    expect(proc(name, `ipv4/conf/${plain}/proxy_arp`)).toBe('1\n');

    await ns.setSysctl(`net/ipv4/conf/${dotted}/rp_filter`, 1);
    expect(proc(name, `ipv4/conf/${dotted}/rp_filter`)).toBe('1\n');
    expect(await ns.sysctl(`net.ipv4.conf.${dotted.replace('.', '/')}.rp_filter`)).toBe('1');
    // Dotted, the name's dot separates: that link does not exist.
    await expect(ns.sysctl(`net.ipv4.conf.${dotted}.rp_filter`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sets IPv6 keys: forwarding of all links, accept_ra and proxy_ndp of one', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const dev = uniqueName('s');
    ip(name, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', uniqueName('p'));
    expect(await ns.setSysctl('net.ipv6.conf.all.forwarding', 1)).toBe('0');
    expect(proc(name, 'ipv6/conf/all/forwarding')).toBe('1\n');
    expect(await ns.setSysctl(`net.ipv6.conf.${dev}.accept_ra`, 2)).toBe(
      proc(name, 'ipv6/conf/default/accept_ra').trim(),
    );
    expect(proc(name, `ipv6/conf/${dev}/accept_ra`)).toBe('2\n');
    await ns.setSysctl(`net.ipv6.conf.${dev}.proxy_ndp`, '1');
    expect(proc(name, `ipv6/conf/${dev}/proxy_ndp`)).toBe('1\n');
    expect(proc((await freshNamespace()).name, 'ipv6/conf/all/forwarding')).toBe('0\n');
  });

  it("keeps sysctl(8)'s tab between the numbers of a multi-value key", async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const before = proc(name, 'ipv4/ip_local_port_range');
    expect(before).toMatch(/^\d+\t\d+\n$/);
    expect(await ns.sysctl('net.ipv4.ip_local_port_range')).toBe(before.trimEnd());
    expect(await ns.setSysctl('net.ipv4.ip_local_port_range', '20000 30000')).toBe(before.trimEnd());
    expect(proc(name, 'ipv4/ip_local_port_range')).toBe('20000\t30000\n');
    expect(await ns.sysctl('net.ipv4.ip_local_port_range')).toBe('20000\t30000');
    // A range the kernel refuses (the low end above the high one) changes nothing.
    const e = await ns.setSysctl('net.ipv4.ip_local_port_range', '30000 20000').catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/"30000 20000" for net\.ipv4\.ip_local_port_range/),
    });
    expect(proc(name, 'ipv4/ip_local_port_range')).toBe('20000\t30000\n');
  });

  it('writes a write-only key (net.ipv4.route.flush), resolving with an empty string', async () => {
    const ns = await freshNamespace();
    expect(await ns.setSysctl('net.ipv4.route.flush', 1)).toBe('');
    await expect(ns.sysctl('net.ipv4.route.flush')).rejects.toMatchObject({
      code: 'EACCES',
      message: expect.stringMatching(/net\.ipv4\.route\.flush cannot be read/),
    });
  });

  const badKeys: Array<[unknown, string, RegExp]> = [
    ['kernel.hostname', 'EINVAL', /"kernel\.hostname" is not under "net\."/],
    ['vm/swappiness', 'EINVAL', /not under "net\."/],
    ['net', 'EINVAL', /"net" is the directory of all network keys, not a key/],
    ['', 'EINVAL', /the key is empty/],
    ['net..ipv4.ip_forward', 'EINVAL', /empty part/],
    ['net.ipv4.ip_forward.', 'EINVAL', /empty part/],
    ['/net/ipv4/ip_forward', 'EINVAL', /empty part/],
    ['net/ipv4/../../kernel/hostname', 'EINVAL', /"\.\."/],
    ['net/ipv4/./ip_forward', 'EINVAL', /empty part/],
    ['net.ipv4.ip_forward\0', 'EINVAL', /control character/],
    ['net.ipv4.ip forward', 'EINVAL', /whitespace/],
    [`net.${'x'.repeat(200)}`, 'EINVAL', /longer than 200 bytes/],
    [7, 'EINVAL', /must be a string like "net\.ipv4\.ip_forward", not 7/],
    [undefined, 'EINVAL', /must be a string/],
    [
      'net.ipv4.conf.nnt-none0.rp_filter',
      'ENOENT',
      /no such key net\.ipv4\.conf\.nnt-none0\.rp_filter in the namespace/,
    ],
    ['net.ipv4.no_such_key', 'ENOENT', /no such key net\.ipv4\.no_such_key/],
    ['net.ipv4.conf', 'EISDIR', /net\.ipv4\.conf is a directory of keys, not a key/],
  ];

  it.each(badKeys)('refuses the key %p with %s, reading and writing nothing', async (key, code, message) => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    for (const attempt of [() => ns.sysctl(key as string), () => ns.setSysctl(key as string, 1)]) {
      const e = await attempt().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code, message: expect.stringMatching(message) });
      expect((e as NetnsError).message).toMatch(/^cannot (read|set) sysctl .+: .+ \([A-Z]+\)$/);
    }
    expect(proc(name, 'ipv4/ip_forward')).toBe('0\n');
  });

  const badValues: Array<[string, unknown, RegExp]> = [
    ["'abc'", 'abc', /the kernel refuses the value "abc" for net\.ipv4\.conf\.all\.rp_filter/],
    ["''", '', /the value is empty/],
    ["'  '", '  ', /the value is empty/],
    ["'1\\n2'", '1\n2', /newline or NUL/],
    ["'1\\0'", '1\0', /newline or NUL/],
    ['1.5', 1.5, /1\.5 is not an integer/],
    ['Number.NaN', Number.NaN, /NaN is not an integer/],
    ['true', true, /must be a string or an integer, not true/],
    ['undefined', undefined, /must be a string or an integer, not undefined/],
    ['a 5000-byte value', '9'.repeat(5000), /longer than 4095 bytes/],
  ];

  it.each(badValues)('refuses the value %s with EINVAL, changing nothing', async (_title, value, message) => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    const before = proc(name, 'ipv4/conf/all/rp_filter');
    const e = await ns.setSysctl('net.ipv4.conf.all.rp_filter', value as string).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetnsError);
    expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    expect(proc(name, 'ipv4/conf/all/rp_filter')).toBe(before);
  });

  it('refuses a read-only key with EACCES, saying so', async () => {
    const ns = await freshNamespace();
    const e = await ns.setSysctl('net.ipv4.conf.all.mc_forwarding', 1).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EACCES', message: expect.stringMatching(/cannot be written: it is read-only/) });
    expect(proc(ns.name as string, 'ipv4/conf/all/mc_forwarding')).toBe('0\n');
  });

  it('fails with EBADF once the namespace is closed', async () => {
    const ns = await freshNamespace();
    const again = await Namespace.open(ns.name as string);
    await again.close();
    await expect(again.sysctl('net.ipv4.ip_forward')).rejects.toMatchObject({ code: 'EBADF' });
    await expect(again.setSysctl('net.ipv4.ip_forward', 1)).rejects.toMatchObject({ code: 'EBADF' });
    expect(proc(ns.name as string, 'ipv4/ip_forward')).toBe('0\n');
  });
});
