import { VethPair, type Namespace } from 'netns-native';
import { freshNamespace } from '../helpers/fresh';
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
  // The carrier comes up through the kernel's linkwatch, at most once a second machine-wide
  // (later while other suites run): a ping sent before it is dropped. Wait for it.
  const end = Date.now() + 5000;
  while (!(await local.refresh()).hasCarrier || !(await peer.refresh()).hasCarrier) {
    if (Date.now() > end) throw new Error('the veth pair has no carrier after 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
  return [a, b];
}

describeKernel('ping', () => {
  it('pings across a veth pair over IPv4, with per-reply RTTs', async () => {
    const [a] = await twoConnected();
    const r = await a.ping('198.18.20.2', { count: 3, intervalMs: 20 });
    expect(r.transmitted).toBe(3);
    expect(r.received).toBe(3);
    expect(r.rttMs).toHaveLength(3);
    for (const t of r.rttMs) {
      expect(t).toBeGreaterThan(0);
      expect(t).toBeLessThan(1000);
    }
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
