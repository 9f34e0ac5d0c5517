/** The README's usage example, the networks example and the monitor example run as written, and leave nothing behind. */
import { Namespace, Network } from 'netns-native';
import { printLinkStates } from '../../examples/monitor';
import { networks } from '../../examples/networks';
import { usage } from '../../examples/usage';
import { uniqueName } from '../helpers/fresh';
import { ip, link, netnsNames } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

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

  it("the README's monitor example prints link state changes and ends when the namespace goes", async () => {
    const name = uniqueName();
    const ns = await Namespace.create(name);
    const lines: string[] = [];
    const printing = printLinkStates(ns, (line) => lines.push(line));
    // Changes made from outside, by `ip`, until the example (subscribing meanwhile) shows one.
    let mtu = 60000;
    await waitFor(
      () => {
        ip(name, 'link', 'set', 'lo', 'mtu', String(mtu++));
        return lines.length > 0;
      },
      { what: 'the example to print a first change', intervalMs: 50 },
    );
    ip(name, 'link', 'add', 'mx0', 'type', 'veth', 'peer', 'name', 'mx1');
    ip(name, 'link', 'set', 'mx0', 'up');
    ip(name, 'link', 'del', 'mx0');
    await waitFor(() => lines.includes('mx0: deleted'), { what: 'the example to print the delete' });
    ip(undefined, 'netns', 'del', name);
    await printing;
    expect(lines).toEqual(
      expect.arrayContaining(['mx0: down, operstate down', 'mx0: up, operstate lowerlayerdown', 'mx0: deleted']),
    );
    expect(lines.at(-1)).toBe(`${name} was deleted`);
    await ns.delete();
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
