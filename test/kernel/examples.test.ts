/** The README's usage example and the networks example run as written, and leave nothing behind. */
import { Network } from 'netns-native';
import { networks } from '../../examples/networks';
import { usage } from '../../examples/usage';
import { link, netnsNames } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('examples', () => {
  it('the README usage example runs and cleans up', async () => {
    // It uses fixed names (test1, test2, red, br0): run it only when they are free.
    expect(netnsNames().filter((n) => ['test1', 'test2', 'red'].includes(n))).toEqual([]);
    const lines: string[] = [];
    await usage((line) => lines.push(line));
    expect(lines[0]).toMatch(/^3\/3 replies, RTTs \d+\.\d{3} \d+\.\d{3} \d+\.\d{3} ms$/);
    expect(lines[1]).toBe('red -> gateway: 1/1');
    expect(netnsNames().filter((n) => ['test1', 'test2', 'red'].includes(n))).toEqual([]);
    expect(link(undefined, 'br0')).toBeUndefined();
  });
});

describeKernel('examples: networks', () => {
  it('the networks example runs and cleans up', async () => {
    const taken = (await Network.list()).map((n) => n.name);
    expect(taken).not.toContain('appnet');
    expect(netnsNames().filter((n) => ['db', 'app'].includes(n))).toEqual([]);
    const lines: string[] = [];
    await networks((line) => lines.push(line));
    expect(lines[0]).toMatch(/^appnet: 198\.1[89]\.\d+\.0\/24 via 198\.1[89]\.\d+\.1 on br-[0-9a-f]{12}$/);
    expect(lines[1]).toMatch(/^db: 198\.1[89]\.\d+\.2\/24 on eth0, host end veth[0-9a-f]{7}$/);
    const dbAddress = (lines[1] as string).split(' ')[1]?.split('/')[0];
    expect(lines[2]).toBe(`getent hosts database: ${dbAddress} db database`);
    expect(lines[3]).toBe(`dig +short db @127.0.0.11: ${dbAddress}`);
    expect(lines[4]).toBe('none: lo UP');
    expect((await Network.list()).map((n) => n.name)).not.toContain('appnet');
    expect(netnsNames().filter((n) => ['db', 'app'].includes(n))).toEqual([]);
  });
});
