/** The README's usage example runs as written, and leaves nothing behind. */
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
