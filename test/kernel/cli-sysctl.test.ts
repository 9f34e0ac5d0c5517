/**
 * The `netns-native` command's sysctl and netconf verbs, run as a process: the files under
 * /proc/sys/net (read with `ip netns exec NS cat`) and `ip netconf show` as witnesses.
 */
import * as fs from 'node:fs';
import { VethPair } from 'netns-native';
import { cli } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

function proc(ns: string, path: string): string {
  return run('ip', ['netns', 'exec', ns, 'cat', `/proc/sys/net/${path}`]);
}

describeKernel('netns-native sysctl', () => {
  it('prints "KEY = VALUE" as sysctl does; with a value (or KEY=VALUE) sets it and prints the new line', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    expect(await cli('-n', n, 'sysctl', 'net.ipv4.ip_forward')).toEqual({
      code: 0,
      stdout: 'net.ipv4.ip_forward = 0\n',
      stderr: '',
    });
    expect(await cli('-n', n, 'sysctl', 'net.ipv4.ip_forward', '1')).toEqual({
      code: 0,
      stdout: 'net.ipv4.ip_forward = 1\n',
      stderr: '',
    });
    expect(proc(n, 'ipv4/ip_forward')).toBe('1\n');
    // A negative value is the value, not an option.
    expect(await cli('-n', n, 'sysctl', 'net.ipv6.conf.all.use_tempaddr', '-1')).toEqual({
      code: 0,
      stdout: 'net.ipv6.conf.all.use_tempaddr = -1\n',
      stderr: '',
    });
    expect(proc(n, 'ipv6/conf/all/use_tempaddr')).toBe('-1\n');
    expect((await cli('-n', n, 'sysctl', 'net.ipv6.conf.all.forwarding=1')).stdout).toBe(
      'net.ipv6.conf.all.forwarding = 1\n',
    );
    expect(proc(n, 'ipv6/conf/all/forwarding')).toBe('1\n');
    // sysctl(8)'s text for a multi-value key; the '/' form printed dotted.
    await cli('-n', n, 'sysctl', 'net/ipv4/ip_local_port_range', '20000 30000');
    expect((await cli('-n', n, 'sysctl', 'net/ipv4/ip_local_port_range')).stdout).toBe(
      'net.ipv4.ip_local_port_range = 20000\t30000\n',
    );
    expect(JSON.parse((await cli('-n', n, '-j', 'sysctl', 'net.ipv4.ip_forward', '0')).stdout)).toEqual({
      key: 'net.ipv4.ip_forward',
      value: '0',
      before: '1',
    });
    // In the namespace the command runs in: what the file there says.
    const here = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    expect((await cli('sysctl', 'net.ipv4.ip_forward')).stdout).toBe(`net.ipv4.ip_forward = ${here}\n`);
  });

  it('refusals: status 1 with the code (EINVAL, ENOENT), nothing changed; a bad command line: status 2', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    const bad = await cli('-n', n, 'sysctl', 'net.ipv4.ip_forward', 'abc');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^netns-native: EINVAL: cannot set sysctl .*"abc" for net\.ipv4\.ip_forward\n$/);
    expect((await cli('-n', n, 'sysctl', 'kernel.hostname')).stderr).toMatch(
      /^netns-native: EINVAL: .*not under "net\."/,
    );
    expect((await cli('-n', n, 'sysctl', 'net.ipv4.conf.nnt-none0.rp_filter')).stderr).toMatch(
      /^netns-native: ENOENT: .*no such key net\.ipv4\.conf\.nnt-none0\.rp_filter/,
    );
    expect(proc(n, 'ipv4/ip_forward')).toBe('0\n');
    const none = await cli('-n', n, 'sysctl');
    expect([none.code, none.stderr.split('\n')[0]]).toEqual([
      2,
      'netns-native: sysctl needs a key, such as net.ipv4.ip_forward',
    ]);
    const many = await cli('-n', n, 'sysctl', 'net.ipv4.ip_forward', '1', '2');
    expect(many.code).toBe(2);
    expect(proc(n, 'ipv4/ip_forward')).toBe('0\n');
  });
});

describeKernel('netns-native netconf', () => {
  it('prints what `ip netconf show` prints, all links or one; --json: the entries', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    const veth = await VethPair.create({ name: uniqueName('n'), peerName: uniqueName('p'), namespace: ns });
    await ns.setSysctl(`net.ipv4.conf.${veth.local.name}.rp_filter`, 2);
    await ns.setSysctl('net.ipv4.conf.all.forwarding', 1);
    const lines = (text: string): string[] => text.split('\n').map((l) => l.trimEnd());
    const all = await cli('-n', n, 'netconf');
    expect(all.code).toBe(0);
    expect(lines(all.stdout)).toEqual(lines(ip(n, 'netconf', 'show')));
    expect((await cli('-n', n, 'netconf', 'show')).stdout).toBe(all.stdout);
    const one = await cli('-n', n, 'netconf', 'show', 'dev', veth.local.name);
    expect(lines(one.stdout)).toEqual(lines(ip(n, 'netconf', 'show', 'dev', veth.local.name)));
    expect(one.stdout).toContain('rp_filter loose');
    const json = JSON.parse((await cli('-n', n, '-j', 'netconf', 'dev', veth.local.name)).stdout) as unknown;
    expect(json).toEqual(await ns.netconf({ link: veth.local.name }));
    const missing = await cli('-n', n, 'netconf', 'dev', 'nnt-none0');
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/^netns-native: ENODEV: /)]);
    const extra = await cli('-n', n, 'netconf', 'dev', 'lo', 'bogus');
    expect([extra.code, extra.stderr.split('\n')[0]]).toEqual([2, 'netns-native: netconf: unexpected "bogus"']);
  });
});
