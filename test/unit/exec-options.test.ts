/**
 * No root needed: spawn/exec/listen/connect/createUdpSocket reject bad input with NetnsError
 * (EINVAL) before any syscall, and the exec helper refuses malformed arguments on its own.
 */
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { Namespace, NetnsError } from 'netns-native';
import { addonDirectory } from '../../lib/native/load';

function invalidOf(f: () => unknown): NetnsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NetnsError);
    expect((e as NetnsError).code).toBe('EINVAL');
    return e as NetnsError;
  }
  throw new Error('expected a NetnsError');
}

describe('spawn options are validated before anything is spawned', () => {
  const ns = Namespace.current();

  it.each([
    [
      { unshare: ['uts', 'bogus'] },
      /unknown namespace type "bogus" in unshare; expected one of mount, uts, ipc, pid, cgroup, user/,
    ],
    [{ unshare: 'pid' }, /unshare must be an array/],
    [{ tmpfs: '/run/netns' }, /tmpfs must be an array of absolute paths/],
    [{ tmpfs: ['run/netns'] }, /tmpfs\[0\] must be an absolute path, not "run\/netns"/],
    [{ tmpfs: [''] }, /tmpfs\[0\] must be a non-empty string/],
    [{ tmpfs: ['/a\0b'] }, /tmpfs\[0\] contains a NUL byte/],
    [{ tmpfs: Array.from({ length: 9 }, (_, i) => `/t${i}`) }, /tmpfs takes at most 8 paths/],
    [{ unshare: ['net'] }, /the network namespace is the one this Namespace stands for/],
    [{ hostname: 'h'.repeat(65) }, /the hostname is 65 bytes long; Linux allows at most 64/],
    [{ hostname: 'é'.repeat(33) }, /the hostname is 66 bytes long/],
    [{ hostname: 42 }, /the hostname must be a non-empty string/],
    [{ join: { uts: '/etc/hostname' } }, /\/etc\/hostname is not a namespace/],
    [{ join: { uts: '/proc/self/ns/ipc' } }, /is a ipc namespace, not a uts namespace/],
    [{ join: { net: 1 } }, /join: the network namespace is the one this Namespace stands for/],
    [{ join: { time: 1 } }, /unknown namespace type "time" in join/],
    [{ join: { uts: true } }, /join.uts must be an nsfs path or a PID/],
    [{ join: { uts: 0 } }, /join.uts \(a PID\) must be an integer from 1/],
    [{ join: 'x' }, /join must be an object/],
    [{ uid: -1 }, /uid must be an integer from 0/],
  ])('%j', (options, message) => {
    expect(invalidOf(() => ns.spawn('true', [], options as object)).message).toMatch(message);
  });

  it('rejects a bad command or args', () => {
    expect(invalidOf(() => ns.spawn('')).message).toMatch(/the command must be a non-empty string/);
    expect(invalidOf(() => ns.spawn('true', [1 as unknown as string])).message).toMatch(/args\[0\] must be a string/);
    expect(invalidOf(() => ns.spawn('true', 'x' as unknown as string[])).message).toMatch(/args must be an array/);
  });

  it('exec rejects (not throws) bad input', async () => {
    await expect(ns.exec('true', [], { timeoutMs: 0 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(ns.exec('true', [], { input: 5 as unknown as string })).rejects.toThrow(
      /input must be a string or a Buffer/,
    );
  });

  it('socket calls reject bad input', async () => {
    await expect(ns.listen(net.createServer(), { port: -1 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(ns.listen(net.createServer(), { port: 1, host: 'example.org' })).rejects.toThrow(
      /not a valid IPv4 or IPv6 host/,
    );
    await expect(ns.connect({ host: '198.18.0.1', port: 80, timeoutMs: 0 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(ns.createUdpSocket('udp6', { address: '198.18.0.1' })).rejects.toThrow(/a udp6 socket needs IPv6/);
    await expect(Namespace.identify(0)).rejects.toMatchObject({ code: 'EINVAL' });
  });
});

describe('the exec helper', () => {
  const helper = path.join(addonDirectory(), 'nsexec');
  const run = (...args: string[]) => spawnSync(helper, args, { encoding: 'utf8' });

  it('is built beside the addon', () => {
    expect(run('--bogus').status).toBe(127);
  });

  it.each([
    [
      ['--unshare', 'bogus', '--netns-path', '/x', '--', 'true', 'true'],
      /^22 arguments\tunknown namespace type: bogus\n$/,
    ],
    [['--netns-path', '/x'], /^22 arguments\tno program to run\n$/],
    [['--', 'true', 'true'], /^22 arguments\tno network namespace\n$/],
    [['--status-fd', 'x'], /^22 arguments\tbad status fd: x\n$/],
    [['--join', 'uts', '--', 'true', 'true'], /^22 arguments\t--join needs TYPE=PATH: uts\n$/],
    [
      ['--netns-path', '/etc/hostname', '--', 'true', 'true'],
      /^22 open namespace\t\/etc\/hostname is not a namespace\n$/,
    ],
  ])('%j: reports on stderr without a status fd, exits 127', (args, report) => {
    const r = run(...args);
    expect(r.status).toBe(127);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(report);
  });
});
