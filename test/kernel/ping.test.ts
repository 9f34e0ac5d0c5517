import { VethPair, type Namespace } from 'netns-native';
import { freshNamespace } from '../helpers/fresh';
import { ip, operational, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

async function twoConnected(): Promise<[Namespace, Namespace]> {
  const a = await freshNamespace();
  const b = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: 'veth0', peerName: 'veth0', namespace: a, peerNamespace: b });
  await local.addAddress('198.18.20.1/24');
  await peer.addAddress('198.18.20.2/24');
  await local.addAddress('fd00:20::1/64', { nodad: true });
  await peer.addAddress('fd00:20::2/64', { nodad: true });
  await local.up();
  await peer.up();
  await operational(a.name, 'veth0');
  await operational(b.name, 'veth0');
  return [a, b];
}

describeKernel('ping', () => {
  it('pings across a veth pair over IPv4, with per-reply RTTs', async () => {
    const [a] = await twoConnected();
    const r = await a.ping('198.18.20.2', { count: 3, intervalMs: 20 });
    expect(r.transmitted).toBe(3);
    expect(r.received).toBe(3);
    expect(r.rttMs).toHaveLength(3);
    // Each RTT was measured (a missing timestamp would read 0, a bad one NaN or Infinity); how
    // fast it is is a question for `npm run bench`, not for a test.
    for (const t of r.rttMs) {
      expect(t).toBeGreaterThan(0);
      expect(Number.isFinite(t)).toBe(true);
    }
    expect(r.replies.map((x) => x.rttMs)).toEqual(r.rttMs);
    expect(r.replies.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(r.replies[0]).toMatchObject({ from: '198.18.20.2', bytes: 64, ttl: 64 });
  });

  it('pings over IPv6', async () => {
    const [, b] = await twoConnected();
    const r = await b.ping('fd00:20::1', { count: 2, intervalMs: 20 });
    expect(r.received).toBe(2);
    expect(r.replies[0]).toMatchObject({ from: 'fd00:20::1', ttl: 64, bytes: 64 });
  });

  it('reports no replies from an address nobody has, without failing', async () => {
    const [a] = await twoConnected();
    const r = await a.ping('198.18.20.99', { count: 2, intervalMs: 10, timeoutMs: 300 });
    expect(r).toMatchObject({ transmitted: 2, received: 0, rttMs: [] });
  });

  it('rejects with ENETUNREACH when there is no route', async () => {
    const ns = await freshNamespace();
    await (await ns.link('lo')).up();
    await expect(ns.ping('198.19.1.1', { count: 1 })).rejects.toMatchObject({ code: 'ENETUNREACH' });
  });

  it('EACCES for a destination the kernel will not send to (broadcast, prohibit) says so, not a capability', async () => {
    const [a] = await twoConnected();
    ip(a.name, 'route', 'add', 'prohibit', '198.19.2.0/24');
    ip(a.name, '-6', 'route', 'add', 'prohibit', 'fd00:21::/64');
    for (const to of ['198.18.20.255', '198.19.2.1', 'fd00:21::1']) {
      const e = await a.ping(to, { count: 1, timeoutMs: 200 }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'EACCES' });
      expect((e as Error).message).toBe(
        `cannot ping ${to} in namespace "${a.name}": the kernel refuses to send there: the destination is ` +
          'an IPv4 broadcast address (sending to one needs SO_BROADCAST, which is not set), or a prohibit ' +
          'route or rule covers it (EACCES)',
      );
    }
  });

  it('EPERM for a packet a firewall rule drops says so, not a capability', async () => {
    const [a] = await twoConnected();
    const nft = (rules: string) => run('ip', ['netns', 'exec', a.name as string, 'nft', '-f', '-'], rules);
    nft('table inet nnt_ping { chain out { type filter hook output priority 0; ip daddr 198.18.20.2 drop; }; }');
    const e = await a.ping('198.18.20.2', { count: 1, timeoutMs: 200 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EPERM' });
    expect((e as Error).message).toMatch(/: the packet was refused on its way out: a firewall rule of the namespace/);
    expect((e as Error).message).not.toMatch(/CAP_/);
  });

  it('pings in many namespaces at once', async () => {
    const pairs = await Promise.all([0, 1, 2].map(() => twoConnected()));
    const results = await Promise.all(pairs.map(([a]) => a.ping('198.18.20.2', { count: 2, intervalMs: 10 })));
    expect(results.map((r) => r.received)).toEqual([2, 2, 2]);
  });

  it('uses the payload size asked for', async () => {
    const [a] = await twoConnected();
    const r = await a.ping('198.18.20.2', { count: 1, size: 1000 });
    expect(r.replies[0]?.bytes).toBe(1008);
  });
});
