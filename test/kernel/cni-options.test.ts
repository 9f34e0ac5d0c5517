/**
 * The bridge plugin's newer options, against the kernel (`ip`, `bridge` and `nft` as witnesses)
 * and, where Debian's reference (containernetworking-plugins 1.1.1) has them, against it:
 * `macspoofchk` (1.1.0: frames with another source MAC dropped, the reference's ruleset, each
 * plugin removing what the other made), `portIsolation` (1.7.0), `disableContainerInterface`
 * (1.4.1), `ipMasqBackend` (1.6.0), `vlanTrunk` / `preserveDefaultVlan` (1.3.0).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Namespace } from 'netns-native';
import { cni, cniOk, hasReference, Normaliser, type Plugin } from '../helpers/cni';
import { freshNamespace } from '../helpers/fresh';
import { bridgePortDetails, ip, link } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A bridge plugin configuration on `subnet` (host-local), or without IPAM when `subnet` is undefined. */
function conf(subnet: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c: Record<string, unknown> = {
    cniVersion: '1.0.0',
    name: 'nntopts',
    type: 'bridge',
    bridge: 'cnibr1',
    isGateway: subnet !== undefined,
    ...extra,
  };
  if (subnet !== undefined) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-cni-'));
    dirs.push(dataDir);
    c.ipam = { type: 'host-local', ranges: [[{ subnet }]], dataDir };
  }
  return c;
}

/** `nft -j list ruleset` in a namespace: its objects, without metainfo. */
function ruleset(ns: string): Array<Record<string, Record<string, unknown>>> {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset'], { encoding: 'utf8' });
  return (JSON.parse(out) as { nftables: Array<Record<string, Record<string, unknown>>> }).nftables.filter(
    (o) => !('metainfo' in o),
  );
}

/** The ruleset of table bridge nat, handles dropped and MACs and host veth names normalised. */
function bridgeNat(ns: string): unknown {
  const objects = ruleset(ns)
    .filter((o) => {
      const v = Object.values(o)[0] as { family?: string; table?: string; name?: string };
      return v.family === 'bridge' && (v.table ?? v.name) === 'nat';
    })
    .map((o) => {
      const [kind, v] = Object.entries(o)[0] as [string, Record<string, unknown>];
      const { handle: _h, ...rest } = v;
      return { [kind]: rest };
    });
  return new Normaliser().value(objects);
}

/** Whether one ping from `ns` to `address` is answered (the neighbour table flushed first). */
async function reaches(ns: Namespace, address: string): Promise<boolean> {
  ip(ns.name, 'neigh', 'flush', 'all');
  const r = await ns.ping(address, { count: 1, timeoutMs: 1500 });
  return r.received === 1;
}

function setMac(ns: string, mac: string): void {
  ip(ns, 'link', 'set', 'eth0', 'down');
  ip(ns, 'link', 'set', 'eth0', 'address', mac);
  ip(ns, 'link', 'set', 'eth0', 'up');
}

/** The table and base chain every macspoofchk attachment shares (they stay after DEL). */
const NAT_BASE = [
  { table: { family: 'bridge', name: 'nat' } },
  {
    chain: {
      family: 'bridge',
      table: 'nat',
      name: 'PREROUTING',
      type: 'filter',
      hook: 'prerouting',
      prio: -300,
      policy: 'accept',
    },
  },
];

const describeReference = hasReference ? describe : describe.skip;

describeKernel('CNI plugin: newer bridge options', () => {
  jest.setTimeout(120000);

  test('macspoofchk: frames from the container with another source MAC are dropped, its own pass; DEL removes the rules', async () => {
    const host = await freshNamespace();
    const ctr = await freshNamespace();
    const c = conf('198.19.100.0/24', { macspoofchk: true });
    const call = { host: host.name, netns: ctr.name, containerId: 'spoof1' };
    const result = await cniOk('ours', { command: 'ADD', ...call }, c);
    const ifaces = result?.interfaces as Array<{ name: string; mac: string }>;
    const own = ifaces[2]?.mac as string;
    const hostVeth = ifaces[1]?.name as string;
    expect(own).toBe(link(ctr.name, 'eth0')?.address);
    expect(bridgeNat(host.name as string)).toEqual([
      ...NAT_BASE,
      { chain: { family: 'bridge', table: 'nat', name: 'cni-br-iface-spoof1-eth0' } },
      { chain: { family: 'bridge', table: 'nat', name: 'cni-br-iface-spoof1-eth0-mac' } },
      {
        rule: {
          family: 'bridge',
          table: 'nat',
          chain: 'PREROUTING',
          comment: 'macspoofchk-spoof1-eth0',
          expr: [
            { match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'veth0' } },
            { jump: { target: 'cni-br-iface-spoof1-eth0' } },
          ],
        },
      },
      {
        rule: {
          family: 'bridge',
          table: 'nat',
          chain: 'cni-br-iface-spoof1-eth0',
          comment: 'macspoofchk-spoof1-eth0',
          expr: [{ jump: { target: 'cni-br-iface-spoof1-eth0-mac' } }],
        },
      },
      {
        rule: {
          family: 'bridge',
          table: 'nat',
          chain: 'cni-br-iface-spoof1-eth0-mac',
          comment: 'macspoofchk-spoof1-eth0',
          expr: [
            { match: { op: '==', left: { payload: { protocol: 'ether', field: 'saddr' } }, right: 'mac0' } },
            { return: null },
          ],
        },
      },
      {
        rule: {
          family: 'bridge',
          table: 'nat',
          chain: 'cni-br-iface-spoof1-eth0-mac',
          comment: 'macspoofchk-spoof1-eth0',
          expr: [{ drop: null }],
        },
      },
    ]);
    expect(JSON.stringify(ruleset(host.name as string))).toContain(`"right":"${hostVeth}"`);
    // Real frames: ARP and ICMP to the gateway on the bridge.
    expect(await reaches(ctr, '198.19.100.1')).toBe(true);
    setMac(ctr.name as string, '02:00:00:c6:13:64');
    expect(await reaches(ctr, '198.19.100.1')).toBe(false);
    setMac(ctr.name as string, own);
    expect(await reaches(ctr, '198.19.100.1')).toBe(true);
    await cniOk('ours', { command: 'DEL', ...call }, c);
    expect(bridgeNat(host.name as string)).toEqual(NAT_BASE);
    // DEL again: nothing left to remove is success.
    await cniOk('ours', { command: 'DEL', ...call }, c);
  });

  test('macspoofchk: an ADD again after a DEL that left the rules leaves one jump; DEL of one attachment keeps the other', async () => {
    const host = await freshNamespace();
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const c = conf('198.19.101.0/24', { macspoofchk: true });
    await cniOk('ours', { command: 'ADD', host: host.name, netns: a.name, containerId: 'sa' }, c);
    await cniOk('ours', { command: 'ADD', host: host.name, netns: b.name, containerId: 'sb' }, c);
    const rules = () =>
      ruleset(host.name as string)
        .filter((o) => 'rule' in o)
        .map((o) => `${o.rule?.chain as string} ${o.rule?.comment as string}`)
        .sort();
    const of = (id: string) => [
      `PREROUTING macspoofchk-${id}-eth0`,
      `cni-br-iface-${id}-eth0 macspoofchk-${id}-eth0`,
      `cni-br-iface-${id}-eth0-mac macspoofchk-${id}-eth0`,
      `cni-br-iface-${id}-eth0-mac macspoofchk-${id}-eth0`,
    ];
    expect(rules()).toEqual([...of('sa'), ...of('sb')].sort());
    // The interface and address gone with the rules left behind (a DEL that did not remove
    // them: here, one told macspoofchk is off), then ADD again: the old jump is replaced, not doubled.
    await cniOk(
      'ours',
      { command: 'DEL', host: host.name, netns: a.name, containerId: 'sa' },
      { ...c, macspoofchk: false },
    );
    expect(rules()).toEqual([...of('sa'), ...of('sb')].sort());
    await cniOk('ours', { command: 'ADD', host: host.name, netns: a.name, containerId: 'sa' }, c);
    expect(rules()).toEqual([...of('sa'), ...of('sb')].sort());
    expect(await reaches(a, '198.19.101.1')).toBe(true);
    expect(await reaches(b, '198.19.101.1')).toBe(true);
    await cniOk('ours', { command: 'DEL', host: host.name, netns: b.name, containerId: 'sb' }, c);
    expect(rules()).toEqual(of('sa').sort());
    expect(await reaches(a, '198.19.101.1')).toBe(true);
  });

  describeReference('beside the reference plugin (1.1.1)', () => {
    test('macspoofchk: the same ruleset as the reference; each plugin DELetes what the other ADDed', async () => {
      const shapes: Record<string, unknown> = {};
      for (const plugin of ['ref', 'ours'] as Plugin[]) {
        const host = await freshNamespace();
        const ctr = await freshNamespace();
        const c = conf('198.19.102.0/24', { macspoofchk: true });
        const call = { host: host.name, netns: ctr.name, containerId: 'spoofref' };
        await cniOk(plugin, { command: 'ADD', ...call }, c);
        shapes[plugin] = bridgeNat(host.name as string);
        expect(await reaches(ctr, '198.19.102.1')).toBe(true);
        setMac(ctr.name as string, '02:00:00:c6:13:65');
        expect(await reaches(ctr, '198.19.102.1')).toBe(false);
        // The other plugin's DEL.
        await cniOk(plugin === 'ref' ? 'ours' : 'ref', { command: 'DEL', ...call }, c);
        expect([plugin, (bridgeNat(host.name as string) as unknown[]).length]).toEqual([plugin, 2]);
        expect(ruleset(host.name as string).filter((o) => 'rule' in o && o.rule?.family === 'bridge')).toEqual([]);
      }
      expect(shapes.ours).toEqual(shapes.ref);
    });
  });

  test('portIsolation: the host end is an isolated port (ip and bridge say so); two containers do not reach each other', async () => {
    const host = await freshNamespace();
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const c = conf('198.19.103.0/24', { portIsolation: true });
    const ra = await cniOk('ours', { command: 'ADD', host: host.name, netns: a.name, containerId: 'ia' }, c);
    await cniOk('ours', { command: 'ADD', host: host.name, netns: b.name, containerId: 'ib' }, c);
    const veth = (ra?.interfaces as Array<{ name: string }>)[1]?.name as string;
    expect(bridgePortDetails(host.name as string, veth)?.isolated).toBe(true);
    expect(ip(host.name, '-d', 'link', 'show', 'dev', veth)).toMatch(/bridge_slave .*\bisolated on\b/);
    expect(await reaches(a, '198.19.103.1')).toBe(true);
    expect(await reaches(a, '198.19.103.3')).toBe(false);
    // Without it: not isolated, and they do.
    const host2 = await freshNamespace();
    const [x, y] = [await freshNamespace(), await freshNamespace()];
    const c2 = conf('198.19.103.0/24');
    const rx = await cniOk('ours', { command: 'ADD', host: host2.name, netns: x.name, containerId: 'ix' }, c2);
    await cniOk('ours', { command: 'ADD', host: host2.name, netns: y.name, containerId: 'iy' }, c2);
    const veth2 = (rx?.interfaces as Array<{ name: string }>)[1]?.name as string;
    expect(bridgePortDetails(host2.name as string, veth2)?.isolated).toBe(false);
    expect(await reaches(x, '198.19.103.3')).toBe(true);
  });

  test('disableContainerInterface: the container interface is left down (no IPAM); with IPAM, ADD fails and leaves nothing', async () => {
    const host = await freshNamespace();
    const ctr = await freshNamespace();
    await cniOk(
      'ours',
      { command: 'ADD', host: host.name, netns: ctr.name, containerId: 'd1' },
      conf(undefined, { disableContainerInterface: true }),
    );
    expect(link(ctr.name, 'eth0')?.flags).not.toContain('UP');
    expect(link(host.name, 'cnibr1')?.flags).toContain('UP');
    const ctr2 = await freshNamespace();
    await cniOk('ours', { command: 'ADD', host: host.name, netns: ctr2.name, containerId: 'd2' }, conf(undefined));
    expect(link(ctr2.name, 'eth0')?.flags).toContain('UP');
    const ctr3 = await freshNamespace();
    const c = conf('198.19.104.0/24', { disableContainerInterface: true });
    const out = await cni('ours', { command: 'ADD', host: host.name, netns: ctr3.name, containerId: 'd3' }, c);
    expect([out.status, out.json?.code, out.json?.msg]).toEqual([
      1,
      999,
      'cannot use IPAM when DisableContainerInterface flag is set',
    ]);
    expect(link(ctr3.name, 'eth0')).toBeUndefined();
    const dataDir = (c.ipam as { dataDir: string }).dataDir;
    expect(fs.existsSync(path.join(dataDir, 'nntopts', '198.19.104.2'))).toBe(false);
  });

  test('ipMasqBackend: "nftables" masquerades; "iptables" is refused (2) before anything is made', async () => {
    const host = await freshNamespace();
    const ctr = await freshNamespace();
    const c = conf('198.19.104.0/24', { ipMasq: true, ipMasqBackend: 'nftables' });
    await cniOk('ours', { command: 'ADD', host: host.name, netns: ctr.name, containerId: 'm1' }, c);
    const masq = () =>
      ruleset(host.name as string).filter(
        (o) => 'rule' in o && JSON.stringify(o.rule?.expr).includes('masquerade') && o.rule?.family === 'ip',
      );
    expect(masq()).toHaveLength(1);
    await cniOk('ours', { command: 'DEL', host: host.name, netns: ctr.name, containerId: 'm1' }, c);
    expect(masq()).toHaveLength(0);
    const host2 = await freshNamespace();
    const out = await cni(
      'ours',
      { command: 'ADD', host: host2.name, netns: ctr.name, containerId: 'm2' },
      conf('198.19.104.0/24', { ipMasq: true, ipMasqBackend: 'iptables' }),
    );
    expect([out.status, out.json?.code]).toEqual([1, 2]);
    expect(link(host2.name, 'cnibr1')).toBeUndefined();
    expect(link(ctr.name, 'eth0')).toBeUndefined();
  });

  test('vlanTrunk is refused (2) as vlan is; preserveDefaultVlan alone changes nothing, as in the reference', async () => {
    const host = await freshNamespace();
    const ctr = await freshNamespace();
    const out = await cni(
      'ours',
      { command: 'ADD', host: host.name, netns: ctr.name, containerId: 'v1' },
      conf('198.19.104.0/24', { vlanTrunk: [{ minID: 100, maxID: 110 }] }),
    );
    expect([out.status, out.json?.code]).toEqual([1, 2]);
    expect(link(host.name, 'cnibr1')).toBeUndefined();
    const c = conf('198.19.104.0/24', { preserveDefaultVlan: true, vlanTrunk: [] });
    await cniOk('ours', { command: 'ADD', host: host.name, netns: ctr.name, containerId: 'v1' }, c);
    expect(ip(host.name, '-d', 'link', 'show', 'dev', 'cnibr1')).toMatch(/vlan_filtering 0/);
    await cniOk('ours', { command: 'DEL', host: host.name, netns: ctr.name, containerId: 'v1' }, c);
  });
});
