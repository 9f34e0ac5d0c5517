/**
 * `ns.delete({ wait: true })` resolves once the kernel has removed the veth peers the namespace
 * took with it from the other namespaces, so that the same names can be created again at once:
 * loops that delete and re-create without pause, with the peer in this process's namespace, in
 * one it holds open, and in one made by `ip netns add` that it never opened. The witness is
 * `ip link show`, right after the delete resolves.
 */
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { Namespace, NetnsError, VethPair } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, type IpLink } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

const ROUNDS = 15;

/** Whether `ip [-n ns] link show NAME` finds it. */
function exists(ns: string | undefined, name: string): boolean {
  return ipJson<IpLink[]>(ns, 'link', 'show').some((l) => l.ifname === name);
}

describeKernel('ns.delete({ wait: true })', () => {
  it('leaves no peer behind in this process’s namespace: re-creating at once works, round after round', async () => {
    const name = uniqueName();
    const host = uniqueName('h');
    for (let round = 0; round < ROUNDS; round++) {
      const ns = await Namespace.create(name);
      await VethPair.create({ name: host, peerName: 'eth0', peerNamespace: ns });
      await ns.delete({ wait: true });
      expect([round, exists(undefined, host)]).toEqual([round, false]);
      expect(ip(undefined, 'netns', 'list')).not.toContain(name);
    }
  });

  it('waits for peers in a namespace held open, and in one named by ip netns add that it never opened', async () => {
    const hub = await freshNamespace();
    const outside = uniqueName();
    ip(undefined, 'netns', 'add', outside);
    try {
      const name = uniqueName();
      for (let round = 0; round < ROUNDS; round++) {
        const ns = await Namespace.create(name);
        await VethPair.create({ name: 'eth0', peerName: 'up0', namespace: ns, peerNamespace: hub });
        execFileSync('ip', [
          '-n',
          name,
          'link',
          'add',
          'eth1',
          'type',
          'veth',
          'peer',
          'name',
          'up1',
          'netns',
          outside,
        ]);
        await ns.delete({ wait: true });
        expect([round, exists(hub.name, 'up0'), exists(outside, 'up1')]).toEqual([round, false, false]);
      }
    } finally {
      ip(undefined, 'netns', 'del', outside);
    }
  });

  it('resolves at once when there is nothing to wait for, and is idempotent', async () => {
    const ns = await freshNamespace();
    await ns.delete({ wait: true });
    await ns.delete({ wait: true });
    expect(ip(undefined, 'netns', 'list')).not.toContain(ns.name);
  });

  it('refuses while a process runs inside (EBUSY), deleting nothing', async () => {
    const ns = await freshNamespace();
    const host = uniqueName('h');
    await VethPair.create({ name: host, peerName: 'eth0', peerNamespace: ns });
    const child = ns.spawn('sleep', ['60']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const error = await ns.delete({ wait: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetnsError);
      expect(error).toMatchObject({ code: 'EBUSY' });
      expect((error as Error).message).toMatch(new RegExp(`processes still run inside \\(${child.pid}`));
      expect(ns.closed).toBe(false);
      expect(ip(undefined, 'netns', 'list')).toContain(ns.name);
      expect(exists(undefined, host)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
    }
  });

  it('gives up after timeoutMs (ETIMEDOUT) when a socket keeps the namespace alive, saying so', async () => {
    const ns = await Namespace.create(uniqueName());
    const host = uniqueName('h');
    await VethPair.create({ name: host, peerName: 'eth0', peerNamespace: ns });
    const server = net.createServer();
    await ns.listen(server, { port: 0, host: '127.0.0.1' });
    const error = await ns.delete({ wait: true, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NetnsError', code: 'ETIMEDOUT' });
    expect((error as Error).message).toMatch(/the name is removed, but after 200 ms the kernel still has ".*"/);
    expect((error as Error).message).toMatch(/a socket opened in it by listen/);
    expect(exists(undefined, host)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    await waitFor(() => !exists(undefined, host), { what: `${host} to go with the namespace` });
  });

  it('an abort ends the wait with an AbortError (the name is gone already)', async () => {
    const ns = await Namespace.create(uniqueName());
    const host = uniqueName('h');
    await VethPair.create({ name: host, peerName: 'eth0', peerNamespace: ns });
    const server = net.createServer();
    await ns.listen(server, { port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const deleting = ns.delete({ wait: true, signal: controller.signal });
    const reason = new Error('enough');
    setImmediate(() => controller.abort(reason));
    const error = await deleting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetnsError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason });
    expect(ip(undefined, 'netns', 'list')).not.toContain(ns.name);
    await new Promise((resolve) => server.close(resolve));
    await waitFor(() => !exists(undefined, host), { what: `${host} to go with the namespace` });
  });
});
