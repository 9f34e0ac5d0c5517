/**
 * The command's `route get ... connected` and `route show iif LINK | mark N`, beside ip 6.1.
 * Addresses from 198.19.75.0/24, 198.19.78.0/24 and fd00:b3::/32 only.
 */
import { cli, fails, usage } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

const w = (line: string): string[] => line.split(' ');

/** `ip route get ARGS` (an IPv4 answer's cache line too), without trailing blanks, as the command prints it. */
const answer = (n: string, ...args: string[]): string => ip(n, 'route', 'get', ...args).replace(/[ \t]+$/gm, '');

/**
 * A namespace with v0 (198.19.75.1/24, fd00:b3::1/64) up, a route to 198.19.78.0/24 through
 * 198.19.75.254 and a blackhole 198.19.78.128/25, which has no source address.
 */
async function wired(): Promise<string> {
  const n = (await freshNamespace()).name as string;
  for (const line of [
    'link add v0 type veth peer name v1',
    'link set v0 up',
    'link set v1 up',
    'addr add 198.19.75.1/24 dev v0',
    'addr add fd00:b3::1/64 dev v0 nodad',
    'route add 198.19.78.0/24 via 198.19.75.254',
    'route add blackhole 198.19.78.128/25',
  ])
    ip(n, ...w(line));
  return n;
}

describeKernel('netns-native route get connected, route show iif|mark', () => {
  it('route get ADDRESS connected: the first answer, then the lookup from its source address, as ip meant it', async () => {
    const n = await wired();
    // ip 6.1 sends its first request again (iproute_get changes the answer it then frees), so it
    // prints the first answer twice; the command makes the second lookup iproute_get sets up:
    // the same request from the first answer's source address (`from PREFSRC`).
    expect(ip(n, 'route', 'get', '198.19.78.5', 'connected')).toBe(ip(n, 'route', 'get', '198.19.78.5').repeat(2));
    for (const [line, src] of [
      ['198.19.78.5', '198.19.75.1'],
      ['198.19.75.7 oif v0', '198.19.75.1'],
      ['198.19.78.5 mark 7', '198.19.75.1'],
      ['fd00:b3::5', 'fd00:b3::1'],
    ] as const) {
      const q = w(line);
      const expected = `${answer(n, ...q)}${answer(n, ...q, 'from', src)}`;
      for (const word of ['connected', 'conn']) {
        const run = await cli('-n', n, 'route', 'get', ...q, word);
        expect([line, word, run]).toEqual([line, word, { code: 0, stdout: expected, stderr: '' }]);
      }
    }
    // The second line is the lookup from the source: ip prints it with `from`.
    expect(answer(n, '198.19.78.5', 'from', '198.19.75.1')).toMatch(/^198\.19\.78\.5 from 198\.19\.75\.1 via /);
    // With from: one lookup, as ip (connected then changes nothing).
    expect((await cli(...w(`-n ${n} route get 198.19.78.5 from 198.19.75.1 connected`))).stdout).toBe(
      answer(n, '198.19.78.5', 'from', '198.19.75.1', 'connected'),
    );
    // --json: both answers, each as ip -j route get prints it (the second's with its from).
    const both = JSON.parse((await cli(...w(`-n ${n} -j route get 198.19.78.5 connected`))).stdout) as unknown;
    expect(both).toEqual([
      (JSON.parse(ip(n, ...w('-j route get 198.19.78.5'))) as unknown[])[0],
      (JSON.parse(ip(n, ...w('-j route get 198.19.78.5 from 198.19.75.1'))) as unknown[])[0],
    ]);
    expect(both).toEqual([
      expect.objectContaining({ dst: '198.19.78.5', gateway: '198.19.75.254', prefsrc: '198.19.75.1' }),
      expect.objectContaining({ dst: '198.19.78.5', from: '198.19.75.1', gateway: '198.19.75.254' }),
    ]);
    // No source address to connect with (a namespace with no IPv4 address but lo's): the first
    // answer, then ip's reason, status 1.
    const bare = (await freshNamespace()).name as string;
    for (const line of ['link add v0 type veth peer name v1', 'link set v0 up', 'route add 198.19.78.0/24 dev v0'])
      ip(bare, ...w(line));
    expect(() => ip(bare, 'route', 'get', '198.19.78.5', 'connected')).toThrow(/Failed to connect the route/);
    const failed = await cli(...w(`-n ${bare} route get 198.19.78.5 connected`));
    expect(failed).toEqual({
      code: 1,
      stdout: answer(bare, '198.19.78.5'),
      stderr: expect.stringMatching(
        /^netns-native: EINVAL: cannot route get 198\.19\.78\.5 connected: the route has no source address to connect it with \(ip: "Failed to connect the route"\)\n$/,
      ) as unknown,
    });
    await usage(
      'route',
      /^netns-native: route get: connected is given twice$/,
      ...w(`-n ${n} route get 198.19.78.5 connected conn`),
    );
    await fails('ENETUNREACH', ...w(`-n ${n} route get 198.51.100.7 connected`));
  });

  it('route show iif LINK | mark N: as ip lists them (no route of a table has either)', async () => {
    const n = await wired();
    for (const line of [
      'iif v0',
      'iif lo table all',
      '-6 route show iif v0',
      'mark 0',
      'mark 0x0',
      'mark 5',
      'table all mark 0',
    ]) {
      const args = line.startsWith('-6') ? w(line) : ['route', 'show', ...w(line)];
      const theirs = ip(n, ...args).replace(/[ \t]+$/gm, '');
      const run = await cli('-n', n, ...args);
      expect([line, run]).toEqual([line, { code: 0, stdout: theirs, stderr: '' }]);
      const json = await cli('-n', n, '-j', ...args);
      expect([line, JSON.parse(json.stdout)]).toEqual([line, JSON.parse(ip(n, '-j', ...args) || '[]')]);
    }
    // Each case can fail: mark 0 lists the routes, the others none.
    expect(ip(n, 'route', 'show', 'mark', '0')).toContain('198.19.78.0/24 via 198.19.75.254 dev v0');
    expect(() => ip(n, 'route', 'show', 'iif', 'nosuch0')).toThrow(/Cannot find device "nosuch0"/);
    await fails('ENODEV', ...w(`-n ${n} route show iif nosuch0`));
    expect(() => ip(n, 'route', 'show', 'mark', 'bogus')).toThrow(/invalid mark value/);
  });
});
