/**
 * Networks shared between processes: two processes connecting 20 namespaces each at once, and
 * a process killed (SIGKILL) at every step of a connect and a disconnect, or at a random
 * moment of a busy loop: the next process to open the network finds state and kernel in
 * agreement, and connecting again works. The other processes run test/fixtures/network-child.ts
 * through test/fixtures/run-ts.js (lib/ compiled on the fly, no build step).
 */
import * as fs from 'node:fs';
import { Namespace, Network } from 'netns-native';
import { acquire } from '../../lib/network/lock';
import { cleanupLater, freshNamespace, uniqueName } from '../helpers/fresh';
import { link } from '../helpers/ip';
import {
  expectConsistent,
  markedLinks,
  netName,
  reaches,
  runChild,
  startChild,
  stateFile,
  useTestPools,
  waitFor,
} from '../helpers/network';
import { describeKernel } from '../helpers/skip';

describeKernel('Network: several processes', () => {
  beforeEach(useTestPools);

  it('two processes connecting 20 namespaces each at once never give the same address', async () => {
    const net = await Network.create(netName(), { subnet: '198.19.230.0/24' });
    const [p, q] = [uniqueName('nnt-p'), uniqueName('nnt-q')];
    const [a, b] = await Promise.all([
      runChild(['connect', net.name, `${p}-`, '20']),
      runChild(['connect', net.name, `${q}-`, '20']),
    ]);
    for (let i = 0; i < 20; i++) {
      cleanupLater(await Namespace.open(`${p}-${i}`));
      cleanupLater(await Namespace.open(`${q}-${i}`));
    }
    expect([a.code, a.stderr]).toEqual([0, '']);
    expect([b.code, b.stderr]).toEqual([0, '']);
    const given = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)] as Array<{ ns: string; address: string }>;
    expect(given).toHaveLength(40);
    expect(new Set(given.map((g) => g.address)).size).toBe(40);
    // The lowest 40: .2 to .41, whoever got which.
    expect(given.map((g) => Number(g.address.split('/')[0]?.split('.')[3])).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 2),
    );
    const eps = await net.endpoints();
    expect(eps).toHaveLength(40);
    expectConsistent(net.name);
    // And they reach each other across the bridge.
    const first = eps[0] as (typeof eps)[number];
    const last = eps[39] as (typeof eps)[number];
    expect(await reaches(first.namespace, last.address.split('/')[0] as string)).toBe(true);
  });

  it('another process finds the members, anonymous ones too (through the fds that hold them)', async () => {
    const net = await Network.create(netName());
    const named = await freshNamespace();
    const anon = await Namespace.create();
    try {
      await net.connect(named);
      await net.connect(anon, { name: 'ghost' });
      const result = await runChild(['endpoints', net.name]);
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(JSON.parse(result.stdout)).toEqual([
        { name: named.name, inode: String(named.inode) },
        { name: 'ghost', inode: String(anon.inode) },
      ]);
    } finally {
      await anon.delete();
    }
  });

  const connectPoints = [
    'connect:journaled',
    'connect:veth',
    'connect:attached',
    'connect:addressed',
    'connect:routed',
    'connect:committed',
    'connect:named',
  ];
  it.each(connectPoints)('a process killed at %s leaves nothing the next open() does not set right', async (point) => {
    const net = await Network.create(netName());
    const other = await freshNamespace();
    await net.connect(other);
    const ns = await freshNamespace();
    const result = await runChild(['connect-one', net.name, ns.name as string], { NETNS_NATIVE_FAILPOINT: point });
    expect(result.signal).toBe('SIGKILL');
    expect(stateFile(net.name)?.pending !== undefined).toBe(!['connect:committed', 'connect:named'].includes(point));
    await Network.open(net.name);
    const state = expectConsistent(net.name);
    const committed = ['connect:committed', 'connect:named'].includes(point);
    expect(state.endpoints.map((e) => e.namespace.name)).toEqual(committed ? [other.name, ns.name] : [other.name]);
    // The names agree with the state too.
    const hosts = (await other.exec('cat', ['/etc/hosts'])).stdout;
    expect(hosts.includes(`\t${ns.name}`)).toBe(committed);
    if (committed) {
      expect(link(ns.name, 'eth0')).toBeDefined();
      await net.disconnect(ns);
    } else {
      expect(link(ns.name, 'eth0')).toBeUndefined();
    }
    // Connecting the same namespace again works, with the lowest free address.
    expect((await net.connect(ns)).address).toBe(net.subnet.replace('.0/24', '.3/24'));
    expectConsistent(net.name);
  });

  it.each(['disconnect:journaled', 'disconnect:detached', 'disconnect:committed'])(
    'a process killed at %s: the member is gone after the next open()',
    async (point) => {
      const net = await Network.create(netName());
      const ns = await freshNamespace();
      const keep = await freshNamespace();
      const ep = await net.connect(ns);
      await net.connect(keep);
      const result = await runChild(['disconnect-one', net.name, ns.name as string], { NETNS_NATIVE_FAILPOINT: point });
      expect(result.signal).toBe('SIGKILL');
      await Network.open(net.name);
      const state = expectConsistent(net.name);
      expect(state.endpoints.map((e) => e.namespace.name)).toEqual([keep.name]);
      expect(link(undefined, ep.hostInterfaceName)).toBeUndefined();
      expect((await keep.exec('cat', ['/etc/hosts'])).stdout).not.toContain(`\t${ns.name}`);
      expect((await net.connect(ns)).address).toBe(ep.address);
    },
  );

  it("ports() waits for the network's lock: a change another process has in progress is not undone under it", async () => {
    const net = await Network.create(netName());
    await net.connect(await freshNamespace());
    // Another holder of the lock, in the middle of a connect: the change journaled, the veth
    // not made yet.
    const release = await acquire(`network:${net.name}`, 'hold the lock', `network "${net.name}"`);
    const file = `/run/netns-native/networks/${net.name}.json`;
    const pending = {
      op: 'connect',
      endpoint: {
        namespace: { inode: '1' },
        aliases: [],
        interfaceName: 'eth0',
        hostInterfaceName: uniqueName('veth'),
        address: net.subnet.replace('.0/24', '.50/24'),
        mac: '02:42:c6:12:00:32',
      },
    };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ ...stateFile(net.name), pending }));
    fs.renameSync(`${file}.tmp`, file);
    let listed = false;
    const listing = net.ports().finally(() => (listed = true));
    try {
      // Without the lock, the journal would be taken for a dead writer's within milliseconds.
      await new Promise((r) => setTimeout(r, 500));
      expect(listed).toBe(false);
      expect(stateFile(net.name)?.pending).toEqual(pending);
    } finally {
      release();
    }
    // The holder went without finishing: ports() undoes its change, then answers.
    expect(await listing).toEqual([]);
    expectConsistent(net.name);
  });

  it('a process killed in the middle of a create leaves no bridge and no network', async () => {
    const name = netName();
    const before = link(undefined, 'lo') && (await Namespace.current().links()).map((l) => l.name);
    const result = await runChild(['create', name], { NETNS_NATIVE_FAILPOINT: 'create:journaled' });
    expect(result.signal).toBe('SIGKILL');
    expect(stateFile(name)?.pending).toEqual({ op: 'create' });
    await expect(Network.open(name)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(stateFile(name)).toBeUndefined();
    expect((await Namespace.current().links()).map((l) => l.name)).toEqual(before);
    // The name is free again.
    expect((await Network.create(name)).name).toBe(name);
  });

  it('a process killed at random moments of connects and disconnects: open() always agrees with the kernel', async () => {
    const net = await Network.create(netName());
    const prefix = uniqueName('nnt-k');
    for (let i = 0; i < 4; i++) cleanupLater(await Namespace.create(`${prefix}-${i}`));
    for (let round = 0; round < 6; round++) {
      const child = startChild(['churn', net.name, `${prefix}-`, '4']);
      await waitFor('the child to start', () => child.output().includes('ready'), 30000);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 150));
      child.child.kill('SIGKILL');
      const result = await child.done;
      expect([result.signal, result.stderr]).toEqual(['SIGKILL', '']);
      await Network.open(net.name);
      const state = expectConsistent(net.name);
      for (const ep of state.endpoints) expect(link(ep.namespace.name, 'eth0')).toBeDefined();
    }
    // Whatever the last kill left, every namespace can be connected (or is already).
    const now = new Set((stateFile(net.name)?.endpoints ?? []).map((e) => e.namespace.name));
    for (let i = 0; i < 4; i++) {
      const ns = await Namespace.open(`${prefix}-${i}`);
      if (!now.has(ns.name)) await net.connect(ns);
    }
    expect(await net.endpoints()).toHaveLength(4);
    expect(markedLinks(net.id).filter((l) => l.linkinfo?.info_kind === 'veth')).toHaveLength(4);
  });
});
