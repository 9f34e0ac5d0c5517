/**
 * netns-native-cni against the reference plugins (containernetworking-plugins: bridge +
 * host-local), run as a runtime runs them, each in a "host" namespace of the test's own, on the
 * same configurations: the same result (MACs and random names normalised), the same `ip -j`
 * state inside and outside, the same host-local files; attachments made by one and removed by
 * the other; DEL twice; CHECK after tampering; GC; STATUS; the error codes of every bad call.
 * Without the reference plugins the side-by-side tests skip, saying so; the rest still run.
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Namespace } from 'netns-native';
import { ensureGatewayAddress } from '../../lib/cni/bridge';
import { parseBridgeConf } from '../../lib/cni/config';
import {
  cni,
  cniOk,
  hasReference,
  hostLocalFiles,
  ipState,
  Normaliser,
  SHIPPED_BUNDLE,
  type CniCall,
  type Plugin,
} from '../helpers/cni';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ip, ipJson, link, links, routes, routes6, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

const dirs: string[] = [];
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-cni-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A bridge plugin configuration with host-local IPAM over `ranges`. */
function conf(extra: Record<string, unknown> = {}, ipam: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cniVersion: '1.0.0',
    name: 'nntnet',
    type: 'bridge',
    bridge: 'cnibr0',
    isGateway: true,
    isDefaultGateway: true,
    ...extra,
    ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.40.0/24' }]], dataDir: dataDir(), ...ipam },
  };
}

function nft(host: string): string {
  try {
    return execFileSync('ip', ['netns', 'exec', host, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/** No address still doing duplicate address detection, and every veth operationally up. */
async function settled(namespaces: string[]): Promise<void> {
  await waitFor(
    () =>
      namespaces.every((ns) => {
        const text = ip(ns, '-j', 'addr', 'show');
        return !text.includes('"tentative"');
      }),
    { what: 'IPv6 duplicate address detection to finish', timeoutMs: 15000 },
  );
}

/** ADD `containers` attachments with one plugin in a fresh host namespace; everything it left, normalised. */
async function attachAll(
  plugin: Plugin,
  base: Record<string, unknown>,
  containers: string[],
  args?: string,
): Promise<{ snapshot: unknown; host: Namespace; nets: Namespace[]; dir: string }> {
  const host = await freshNamespace();
  const dir = dataDir();
  const c = { ...base, ipam: base.ipam ? { ...(base.ipam as object), dataDir: dir } : undefined };
  const nets: Namespace[] = [];
  const results: unknown[] = [];
  for (const id of containers) {
    const ns = await freshNamespace();
    nets.push(ns);
    results.push(await cniOk(plugin, { command: 'ADD', host: host.name, netns: ns.name, containerId: id, args }, c));
  }
  await settled([host.name as string, ...nets.map((n) => n.name as string)]);
  const n = new Normaliser();
  const snapshot = n.value({
    results,
    host: ipState(host.name),
    containers: nets.map((ns) => ipState(ns.name)),
    files:
      (base.ipam as { type?: string } | undefined)?.type === 'host-local'
        ? hostLocalFiles(dir, base.name as string)
        : {},
  });
  return { snapshot, host, nets, dir };
}

const describeSideBySide = hasReference ? describe : describe.skip;
if (!hasReference) {
  console.warn(
    'netns-native: skipping the CNI side-by-side tests: the reference plugins are not installed (/usr/lib/cni/bridge, host-local); scripts/install-test-tools.sh installs containernetworking-plugins',
  );
}

describeKernel('CNI plugin', () => {
  describeSideBySide('side by side with the reference bridge + host-local', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['IPv4, gateway and default route, 0.4.0', conf({ cniVersion: '0.4.0' })],
      [
        'IPv4 with rangeStart/rangeEnd and routes, 0.3.1',
        conf(
          { cniVersion: '0.3.1', isDefaultGateway: false },
          {
            ranges: [
              [
                {
                  subnet: '198.18.41.0/24',
                  rangeStart: '198.18.41.10',
                  rangeEnd: '198.18.41.20',
                  gateway: '198.18.41.1',
                },
              ],
            ],
            routes: [{ dst: '198.19.0.0/16' }, { dst: '198.19.1.0/24', gw: '198.18.41.254' }],
          },
        ),
      ],
      [
        'dual stack, 1.0.0',
        conf(
          {},
          {
            ranges: [[{ subnet: '198.18.42.0/24' }], [{ subnet: 'fd00:42::/64' }]],
          },
        ),
      ],
      [
        'legacy single range, MTU and hairpin mode, no gateway',
        conf(
          { isGateway: false, isDefaultGateway: false, mtu: 1400, hairpinMode: true },
          {
            ranges: undefined,
            subnet: '198.18.43.0/24',
          },
        ),
      ],
      ['promiscuous bridge, 0.3.0', conf({ cniVersion: '0.3.0', promiscMode: true })],
      [
        'IPAM delegated to another plugin from CNI_PATH (static)',
        conf(
          {},
          {
            type: 'static',
            ranges: undefined,
            addresses: [{ address: '198.18.55.5/24', gateway: '198.18.55.1' }],
            routes: [{ dst: '198.19.55.0/24' }],
          },
        ),
      ],
      ['layer 2 only (no IPAM)', { cniVersion: '1.0.0', name: 'nntl2', type: 'bridge', bridge: 'cnibr1' }],
    ];
    test.each(cases)('%s: same results, same ip -j state, same host-local files', async (_, c) => {
      // Without a gateway address the bridge's MAC is not pinned: the kernel gives it the lowest
      // of its ports' (random) MACs, so with two ports it could match either; one port is exact.
      const containers = c.isGateway ? ['c1', 'c2'] : ['c1'];
      const ref = await attachAll('ref', c, containers);
      const ours = await attachAll('ours', c, containers);
      expect(ours.snapshot).toEqual(ref.snapshot);
    });

    // The installed reference (1.1.1) answers the configuration's `dns` and drops the IPAM's
    // (host-local's, from `resolvConf`), also when the configuration has none. Upstream's bridge
    // returns the IPAM's DNS in that case since v1.2.0 ("bridge: support IPAM DNS settings");
    // ours follows the installed reference, which the side-by-side tests run.
    test("DNS: the configuration's, the IPAM's (host-local resolvConf) dropped, as the installed reference does", async () => {
      const resolvConf = path.join(dataDir(), 'resolv.conf');
      fs.writeFileSync(resolvConf, 'nameserver 198.51.100.53\nsearch example.test\noptions ndots:2\n');
      const withDns = { nameservers: ['198.51.100.1'], search: ['conf.test'] };
      const cases: Array<[Record<string, unknown>, unknown]> = [
        [conf({}, { ranges: [[{ subnet: '198.18.71.0/24' }]], resolvConf }), {}],
        [conf({ dns: withDns }, { ranges: [[{ subnet: '198.18.71.0/24' }]], resolvConf }), withDns],
      ];
      for (const [c, dns] of cases) {
        const ref = await attachAll('ref', c, ['c1']);
        const ours = await attachAll('ours', c, ['c1']);
        expect(ours.snapshot).toEqual(ref.snapshot);
        expect((ours.snapshot as { results: Array<{ dns: unknown }> }).results[0]?.dns).toEqual(dns);
      }
    });

    // host-local has not checked that a range's gateway lies in its subnet since 2018
    // (containernetworking/plugins#236, "remove gateway check": gateways reached on-link, outside
    // the container's subnet, are legitimate); neither the installed reference nor upstream's
    // refuses one, so ours takes it too. With isDefaultGateway the kernel refuses the route.
    test('a gateway outside its subnet: taken as the reference takes it; as a default route, refused alike', async () => {
      const c = conf({ isDefaultGateway: false }, { ranges: [[{ subnet: '198.18.72.0/24', gateway: '198.18.73.1' }]] });
      const ref = await attachAll('ref', c, ['c1', 'c2']);
      const ours = await attachAll('ours', c, ['c1', 'c2']);
      expect(ours.snapshot).toEqual(ref.snapshot);
      expect(
        addrs(ours.host.name, 'cnibr0')
          .filter((a) => a.family === 'inet')
          .map((a) => `${a.local}/${a.prefixlen}`),
      ).toEqual(['198.18.73.1/24']);

      const d = conf({}, { ranges: [[{ subnet: '198.18.74.0/24', gateway: '198.18.75.1' }]] });
      for (const plugin of ['ref', 'ours'] as const) {
        const host = await freshNamespace();
        const ns = await freshNamespace();
        const dir = dataDir();
        const out = await cni(
          plugin,
          { command: 'ADD', host: host.name, netns: ns.name },
          { ...d, ipam: { ...(d.ipam as object), dataDir: dir } },
        );
        expect([plugin, out.status, out.json?.code]).toEqual([plugin, 1, 999]);
        expect(out.json?.msg).toMatch(
          /^failed to add route .* via 198\.18\.75\.1 dev eth0.*(network is unreachable|ENETUNREACH)/,
        );
        if (plugin === 'ours') {
          // Undone: no veth, no reservation (the bridge stays, as it may be shared).
          expect(link(ns.name, 'eth0')).toBeUndefined();
          expect(links(host.name).filter((l) => l.ifname !== 'lo' && l.ifname !== 'cnibr0')).toEqual([]);
          expect(fs.readdirSync(path.join(dir, 'nntnet')).filter((f) => f.startsWith('198.'))).toEqual([]);
        }
      }
    });

    test('two attachments in one namespace (two networks, both with a default route): the second route goes beside the first', async () => {
      const net = (name: string, bridge: string, k: number) =>
        conf(
          { name, bridge, isDefaultGateway: false },
          {
            ranges: [[{ subnet: `198.18.${60 + k}.0/24` }], [{ subnet: `fd00:${60 + k}::/64` }]],
            routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }],
          },
        );
      const attach = async (plugin: Plugin) => {
        const host = await freshNamespace();
        const ns = await freshNamespace();
        const results = [];
        for (const [i, c] of [net('nntneta', 'cnibra', 1), net('nntnetb', 'cnibrb', 2)].entries()) {
          const call = { command: 'ADD', host: host.name, netns: ns.name, containerId: 'c1', ifName: `eth${i}` };
          results.push(await cniOk(plugin, call, c));
        }
        await settled([host.name as string, ns.name as string]);
        return new Normaliser().value({ results, container: ipState(ns.name), v4: routes(ns.name) });
      };
      const ref = await attach('ref');
      const ours = await attach('ours');
      expect(ours).toEqual(ref);
      // Both default routes are there, the later attachment's first (the reference prepends).
      expect((ours as { v4: Array<{ dst: string; dev: string }> }).v4.filter((r) => r.dst === 'default')).toEqual([
        expect.objectContaining({ dev: 'eth1' }),
        expect.objectContaining({ dev: 'eth0' }),
      ]);
    });

    // The executable as a runtime runs it: one bundled script compiled with a V8 code cache,
    // which the first ADD writes beside the bundle and the second reads.
    (fs.existsSync(SHIPPED_BUNDLE) ? test : test.skip)(
      `the shipped executable (bundle + code cache) gives the reference's results${fs.existsSync(SHIPPED_BUNDLE) ? '' : ' [SKIPPED: no dist/lib/cni/bundle.js; run npm run build:ts]'}`,
      async () => {
        const dir = path.dirname(SHIPPED_BUNDLE);
        const caches = () => fs.readdirSync(dir).filter((f) => f.endsWith('.cache'));
        for (const f of caches()) fs.rmSync(path.join(dir, f));
        const c = (cases[0] as [string, Record<string, unknown>])[1];
        const ref = await attachAll('ref', c, ['c1', 'c2']);
        const shipped = await attachAll('shipped', c, ['c1', 'c2']);
        expect(shipped.snapshot).toEqual(ref.snapshot);
        expect(caches()).toEqual([expect.stringMatching(/^bundle\.[0-9a-f]{16}\.v\d+\.\d+\.\d+\.cache$/)]);
        const call = { host: shipped.host.name, netns: (shipped.nets[0] as Namespace).name, containerId: 'c1' };
        await cniOk('shipped', { ...call, command: 'DEL' }, c);
        expect(link(call.netns as string, 'eth0')).toBeUndefined();
      },
    );

    test('an attachment ADDed by one plugin is DELeted by the other, both ways, over one dataDir', async () => {
      const host = await freshNamespace();
      const c = conf({}, { ranges: [[{ subnet: '198.18.44.0/24' }]] });
      const dir = (c.ipam as { dataDir: string }).dataDir;
      for (const [adder, deleter] of [
        ['ref', 'ours'],
        ['ours', 'ref'],
      ] as Array<[Plugin, Plugin]>) {
        const ns = await freshNamespace();
        const call = { host: host.name, netns: ns.name, containerId: `by-${adder}` };
        const result = (await cniOk(adder, { ...call, command: 'ADD' }, c)) as { interfaces: Array<{ name: string }> };
        const hostVeth = (result.interfaces[1] as { name: string }).name;
        const address = ((result as unknown as { ips: Array<{ address: string }> }).ips[0]?.address ?? '').split(
          '/',
        )[0] as string;
        expect(link(host.name, hostVeth)?.master).toBe('cnibr0');
        expect(Object.keys(hostLocalFiles(dir, 'nntnet'))).toContain(address);
        await cniOk(deleter, { ...call, command: 'DEL' }, c);
        expect(link(ns.name, 'eth0')).toBeUndefined();
        await waitFor(() => link(host.name, hostVeth) === undefined, { what: `${hostVeth} to go with its peer` });
        expect(Object.keys(hostLocalFiles(dir, 'nntnet'))).not.toContain(address);
      }
    });

    test('both plugins share one network state: parallel ADDs get distinct addresses', async () => {
      const host = await freshNamespace();
      const c = conf({}, { ranges: [[{ subnet: '198.18.45.0/24' }]] });
      const nets = await Promise.all(Array.from({ length: 6 }, () => freshNamespace()));
      const results = (await Promise.all(
        nets.map((ns, i) =>
          cniOk(i % 2 ? 'ours' : 'ref', { command: 'ADD', host: host.name, netns: ns.name, containerId: `p${i}` }, c),
        ),
      )) as Array<{ ips: Array<{ address: string }> }>;
      const addresses = results.map((r) => (r.ips[0] as { address: string }).address);
      expect(new Set(addresses).size).toBe(6);
      const files = hostLocalFiles((c.ipam as { dataDir: string }).dataDir, 'nntnet');
      expect(
        Object.keys(files)
          .filter((f) => f.startsWith('198.'))
          .sort(),
      ).toEqual(addresses.map((a) => a.split('/')[0]).sort());
    });

    test('CHECK: passes after ADD, fails (as the reference does) after each tampering', async () => {
      const tamper: Array<
        [string, (host: string, ns: string, veth: string) => void, (host: string, ns: string, veth: string) => void]
      > = [
        [
          'address removed',
          (_h, ns) => ip(ns, 'addr', 'del', '198.18.46.2/24', 'dev', 'eth0'),
          (_h, ns) => {
            ip(ns, 'addr', 'add', '198.18.46.2/24', 'brd', '198.18.46.255', 'dev', 'eth0');
            ip(ns, 'route', 'add', 'default', 'via', '198.18.46.1');
          },
        ],
        [
          'default route removed',
          (_h, ns) => ip(ns, 'route', 'del', 'default'),
          (_h, ns) => ip(ns, 'route', 'add', 'default', 'via', '198.18.46.1'),
        ],
        [
          'port detached from the bridge',
          (h, _ns, veth) => ip(h, 'link', 'set', veth, 'nomaster'),
          (h, _ns, veth) => ip(h, 'link', 'set', veth, 'master', 'cnibr0'),
        ],
        [
          'bridge made promiscuous',
          (h) => ip(h, 'link', 'set', 'cnibr0', 'promisc', 'on'),
          (h) => ip(h, 'link', 'set', 'cnibr0', 'promisc', 'off'),
        ],
      ];
      const outcomes: Record<'ref' | 'ours', Array<[string, number, number | undefined]>> = { ref: [], ours: [] };
      for (const plugin of ['ref', 'ours'] as const) {
        const host = await freshNamespace();
        const ns = await freshNamespace();
        const c = conf({}, { ranges: [[{ subnet: '198.18.46.0/24' }]] });
        const call = { host: host.name, netns: ns.name, containerId: 'chk' };
        const prevResult = (await cniOk(plugin, { ...call, command: 'ADD' }, c)) as {
          interfaces: Array<{ name: string }>;
        };
        const veth = (prevResult.interfaces[1] as { name: string }).name;
        const checked = { ...c, prevResult };
        const first = await cni(plugin, { ...call, command: 'CHECK' }, checked);
        outcomes[plugin].push(['untouched', first.status, first.json?.code as number | undefined]);
        for (const [what, breakIt, repair] of tamper) {
          breakIt(host.name as string, ns.name as string, veth);
          const out = await cni(plugin, { ...call, command: 'CHECK' }, checked);
          outcomes[plugin].push([what, out.status, out.json?.code as number | undefined]);
          repair(host.name as string, ns.name as string, veth);
        }
        // The reservation gone: host-local's CHECK fails.
        fs.rmSync(path.join((c.ipam as { dataDir: string }).dataDir, 'nntnet', '198.18.46.2'));
        const out = await cni(plugin, { ...call, command: 'CHECK' }, checked);
        outcomes[plugin].push(['reservation released', out.status, out.json?.code as number | undefined]);
      }
      expect(outcomes.ours).toEqual(outcomes.ref);
      expect(outcomes.ours[0]).toEqual(['untouched', 0, undefined]);
      expect(outcomes.ours.slice(1).every(([, status]) => status === 1)).toBe(true);
    });

    // Each bad call through both plugins: the reference's code, and ours. Ours differs where the
    // reference has no well-known code for the case and answers 999 (its "internal"): there ours
    // gives the spec's code, as the row says.
    const errorCases: Array<[string, Record<string, string | undefined>, unknown, number, number]> = [
      ['unknown CNI_COMMAND', { CNI_COMMAND: 'FROB' }, conf(), 4, 4],
      ['CNI_CONTAINERID missing', { CNI_CONTAINERID: undefined }, conf(), 4, 4],
      ['CNI_NETNS missing on ADD', { CNI_NETNS: undefined }, conf(), 4, 4],
      ['CNI_IFNAME missing', { CNI_IFNAME: undefined }, conf(), 4, 4],
      ['CNI_PATH missing', { CNI_PATH: undefined }, conf(), 4, 4],
      ['interface name too long', { CNI_IFNAME: 'a-very-long-name0' }, conf(), 4, 4],
      ['interface name with a slash', { CNI_IFNAME: 'eth/0' }, conf(), 4, 4],
      ['interface name with %d (the kernel would make eth0)', { CNI_IFNAME: 'eth%d' }, conf(), 999, 4],
      ['container id with a space', { CNI_CONTAINERID: 'a b' }, conf(), 4, 4],
      ['configuration not JSON', {}, '{"cniVersion": ', 6, 6],
      ['network name missing', {}, { ...conf(), name: undefined }, 7, 7],
      ['network name with a slash', {}, { ...conf(), name: 'a/b' }, 7, 7],
      ['cniVersion not a version', {}, { ...conf(), cniVersion: 'one' }, 1, 1],
      ['cniVersion not supported', {}, { ...conf(), cniVersion: '9.9.9' }, 1, 1],
      ['unknown CNI_ARGS key', { CNI_ARGS: 'FOO=1' }, conf(), 999, 4],
      ['bad MAC in runtimeConfig', {}, { ...conf(), runtimeConfig: { mac: 'zz' } }, 999, 7],
      ['VLAN out of range', {}, { ...conf(), vlan: 5000 }, 999, 7],
      ['hairpin and promiscuous together', {}, conf({ hairpinMode: true, promiscMode: true }), 999, 7],
      ['subnet with host bits', {}, conf({}, { ranges: [[{ subnet: '198.18.47.1/24' }]] }), 999, 7],
      ['subnet too small', {}, conf({}, { ranges: [[{ subnet: '198.18.47.0/31' }]] }), 999, 7],
      ['no ranges', {}, conf({}, { ranges: [] }), 999, 7],
      ['IPAM plugin not in CNI_PATH', {}, conf({}, { type: 'no-such-ipam' }), 999, 7],
      ['CNI_NETNS does not exist', { CNI_NETNS: '/run/netns/nnt-missing' }, conf(), 999, 3],
      ['CNI_NETNS not a namespace', { CNI_NETNS: '/etc/hostname' }, conf(), 999, 8],
    ];
    test.each(errorCases)('error: %s (reference %p, ours %p)', async (_, env, c, refCode, ourCode) => {
      const got: Record<'ref' | 'ours', unknown> = { ref: undefined, ours: undefined };
      for (const plugin of ['ref', 'ours'] as const) {
        const host = await freshNamespace();
        const ns = await freshNamespace();
        const before = run('ip', ['-n', host.name as string, '-j', 'link', 'show']);
        const out = await cni(plugin, { command: 'ADD', host: host.name, netns: ns.name, env }, c);
        expect(out.status).toBe(1);
        got[plugin] = out.json?.code;
        expect(typeof out.json?.msg).toBe('string');
        // Ours changes nothing: no link in the host namespace, none in the container. (The
        // reference makes its bridge and veth before it reads the IPAM configuration, and
        // leaves them when that fails.)
        if (plugin === 'ours') {
          expect(run('ip', ['-n', host.name as string, '-j', 'link', 'show'])).toBe(before);
          expect(link(ns.name, 'eth0')).toBeUndefined();
          // The error is in the configuration's version when it names one ours speaks (1.0.0),
          // however early the call was refused; else in ours (1.1.0).
          const asked = typeof c === 'object' ? (c as { cniVersion?: unknown }).cniVersion : undefined;
          expect(out.json?.cniVersion).toBe(asked === '1.0.0' ? '1.0.0' : '1.1.0');
        }
      }
      expect(got).toEqual({ ref: refCode, ours: ourCode });
    });

    // Refused by the reference, accepted by ours until they were checked: CNI_ARGS read as each
    // reference plugin reads them (the bridge plugin knows MAC, host-local IP; any other key needs
    // IgnoreUnknown=1), and an IPv4-mapped IPv6 subnet. The reference answers 999 (after making its
    // bridge and veth, when host-local refuses); ours the spec's code, the reference's words, and
    // nothing made or reserved.
    const refusedCases: Array<[string, string | undefined, Record<string, unknown>, number, string, RegExp]> = [
      [
        'IP in CNI_ARGS without IgnoreUnknown',
        'IP=198.18.64.9',
        conf(),
        4,
        'ARGS: unknown args ["IP=198.18.64.9"]',
        /^ARGS: unknown args \["IP=198\.18\.64\.9"\]$/,
      ],
      [
        'MAC in CNI_ARGS without IgnoreUnknown, host-local refusing it',
        'MAC=02:00:c6:12:40:09',
        conf(),
        4,
        'ARGS: unknown args ["MAC=02:00:c6:12:40:09"]',
        /^ARGS: unknown args \["MAC=02:00:c6:12:40:09"\]$/,
      ],
      [
        'IgnoreUnknown not a boolean',
        'IgnoreUnknown=yes;IP=198.18.64.9',
        conf(),
        4,
        'ARGS: error parsing value of pair "IgnoreUnknown=yes": boolean unmarshal error: invalid input yes',
        /^ARGS: error parsing value of pair "IgnoreUnknown=yes": boolean unmarshal error: invalid input yes$/,
      ],
      ['a CNI_ARGS pair with two =', 'A=b=c', conf(), 4, 'ARGS: invalid pair "A=b=c"', /^ARGS: invalid pair "A=b=c"$/],
      [
        'an IPv4-mapped IPv6 subnet in ranges',
        undefined,
        conf({}, { ranges: [[{ subnet: '::ffff:198.18.64.0/120' }]] }),
        7,
        'invalid range set 0: IPNet IP and Mask version mismatch',
        /^invalid range set 0: IPNet IP and Mask version mismatch: "subnet" ::ffff:198\.18\.64\.0\/120 is an IPv4-mapped/,
      ],
      [
        'an IPv4-mapped IPv6 subnet in the single range',
        undefined,
        conf({}, { ranges: undefined, subnet: '::ffff:198.18.64.0/120' }),
        7,
        'invalid range set 0: IPNet IP and Mask version mismatch',
        /^invalid range set 0: IPNet IP and Mask version mismatch: "subnet" ::ffff:198\.18\.64\.0\/120 is an IPv4-mapped/,
      ],
    ];
    test.each(refusedCases)('refused as the reference refuses it: %s', async (_, args, c, ourCode, refMsg, ourMsg) => {
      for (const plugin of ['ref', 'ours'] as const) {
        const host = await freshNamespace();
        const ns = await freshNamespace();
        const dir = dataDir();
        const cc = { ...c, ipam: { ...(c.ipam as object), dataDir: dir } };
        const out = await cni(plugin, { command: 'ADD', host: host.name, netns: ns.name, args }, cc);
        if (plugin === 'ref') {
          expect([plugin, out.status, out.json?.code, out.json?.msg]).toEqual([plugin, 1, 999, refMsg]);
          continue;
        }
        expect([plugin, out.status, out.json?.code]).toEqual([plugin, 1, ourCode]);
        expect(out.json?.msg).toMatch(ourMsg);
        expect(link(host.name, 'cnibr0')).toBeUndefined();
        expect(link(ns.name, 'eth0')).toBeUndefined();
        expect(fs.readdirSync(dir)).toEqual([]);
      }
    });

    test('CNI_ARGS with IgnoreUnknown=1: IP and MAC taken by both plugins alike', async () => {
      const c = conf({}, { ranges: [[{ subnet: '198.18.65.0/24' }]] });
      const args = 'IgnoreUnknown=1;IP=198.18.65.9;MAC=02:00:c6:12:41:09;K8S_POD_NAME=p';
      const ref = await attachAll('ref', c, ['c1'], args);
      const ours = await attachAll('ours', c, ['c1'], args);
      expect(ours.snapshot).toEqual(ref.snapshot);
      expect(addrs(ours.nets[0]?.name, 'eth0').map((a) => a.local)).toContain('198.18.65.9');
      expect(link(ours.nets[0]?.name, 'eth0')?.address).toBe('02:00:c6:12:41:09');
    });

    test('CHECK before 0.4.0 is refused the same way (code 1)', async () => {
      const ns = await freshNamespace();
      for (const plugin of ['ref', 'ours'] as Plugin[]) {
        const out = await cni(plugin, { command: 'CHECK', netns: ns.name }, conf({ cniVersion: '0.3.1' }));
        expect([out.status, out.json?.code]).toEqual([1, 1]);
      }
    });

    test('a full range fails ADD with the same code and leaves nothing behind', async () => {
      const c = conf({}, { ranges: [[{ subnet: '198.18.48.0/30' }]] }); // one usable address after the gateway
      for (const plugin of ['ref', 'ours'] as Plugin[]) {
        const host = await freshNamespace();
        const [a, b] = [await freshNamespace(), await freshNamespace()];
        const dir = dataDir();
        const cc = { ...c, ipam: { ...(c.ipam as object), dataDir: dir } };
        await cniOk(plugin, { command: 'ADD', host: host.name, netns: a.name, containerId: 'full1' }, cc);
        const out = await cni(plugin, { command: 'ADD', host: host.name, netns: b.name, containerId: 'full2' }, cc);
        expect([out.status, out.json?.code]).toEqual([1, 999]);
        expect(out.json?.msg).toMatch(/no IP addresses available in range set/);
        expect(Object.keys(hostLocalFiles(dir, 'nntnet')).filter((f) => f.startsWith('198.'))).toEqual(['198.18.48.2']);
        if (plugin === 'ours') expect(link(b.name, 'eth0')).toBeUndefined();
      }
    });

    test('a range that ends before it starts is refused, as the reference refuses it: nothing allocated', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [
          { subnet: '198.18.56.0/29', rangeStart: '198.18.56.5', rangeEnd: '198.18.56.3' },
          'invalid range set 0: RangeStart 198.18.56.5 not in network 198.18.56.0/29',
        ],
        [
          { subnet: '198.18.56.0/29', rangeEnd: '198.18.56.0' },
          'invalid range set 0: RangeEnd 198.18.56.0 not in network 198.18.56.0/29',
        ],
      ];
      for (const [range, msg] of cases) {
        const c = conf({}, { ranges: [[range]] });
        const dir = (c.ipam as { dataDir: string }).dataDir;
        for (const plugin of ['ref', 'ours'] as const) {
          const host = await freshNamespace();
          // Twice: ours used to hand out 198.18.56.5, .6, .7 (the broadcast address), .8 ...
          for (const id of ['r1', 'r2']) {
            // (A namespace each: the reference leaves its veth behind when the IPAM fails.)
            const ns = await freshNamespace();
            const out = await cni(plugin, { command: 'ADD', host: host.name, netns: ns.name, containerId: id }, c);
            expect([out.status, out.json?.code, out.json?.msg]).toEqual([1, plugin === 'ref' ? 999 : 7, msg]);
          }
          expect(fs.readdirSync(dir)).toEqual([]);
          if (plugin === 'ours') expect(link(host.name, 'cnibr0')).toBeUndefined();
        }
      }
    });

    // The first ADDs onto a bridge without its gateway address race to add it: the losers' EEXIST
    // is success (the reference's ensureAddr ignores it), and each still pins the bridge's MAC.
    test('parallel first ADDs onto a new bridge all succeed: one gateway address, the MAC pinned', async () => {
      const outcomes: Record<'ref' | 'ours', unknown[]> = { ref: [], ours: [] };
      for (const plugin of ['ref', 'ours'] as const) {
        const host = await freshNamespace();
        const nets = await Promise.all(Array.from({ length: 8 }, () => freshNamespace()));
        for (const round of [1, 2, 3]) {
          const c = conf(
            { name: `par${round}`, bridge: `cnipar${round}`, isDefaultGateway: false },
            { ranges: [[{ subnet: `198.18.${56 + round}.0/24` }]] },
          );
          const outs = await Promise.all(
            nets.map((ns, i) =>
              cni(
                plugin,
                { command: 'ADD', host: host.name, netns: ns.name, containerId: `p${i}`, ifName: `e${round}` },
                c,
              ),
            ),
          );
          const failed = outs.filter((o) => o.status !== 0).map((o) => o.json?.msg);
          const gateway = addrs(host.name, `cnipar${round}`)
            .filter((a) => a.family === 'inet')
            .map((a) => `${a.local}/${a.prefixlen}`);
          const assign = run('ip', [
            'netns',
            'exec',
            host.name as string,
            'cat',
            `/sys/class/net/cnipar${round}/addr_assign_type`,
          ]).trim();
          outcomes[plugin].push({ failed, gateway, assign });
        }
      }
      const want = [1, 2, 3].map((round) => ({
        failed: [],
        gateway: [`198.18.${56 + round}.1/24`],
        assign: '3', // NET_ADDR_SET: set, so no longer following the lowest port's MAC
      }));
      expect(outcomes).toEqual({ ref: want, ours: want });
    });

    // DEL cleans up what it can (the spec): with an IPAM that cannot run, the container's
    // interface (and its host end) still go, then the IPAM's error is reported.
    test('DEL with an IPAM that cannot run: the interface goes (as with the reference), then the error', async () => {
      const emptyPath = dataDir();
      const staticConf = conf(
        {},
        {
          type: 'static',
          ranges: undefined,
          addresses: [{ address: '198.18.60.5/24', gateway: '198.18.60.1' }],
        },
      );
      const hostLocal = conf({}, { ranges: [[{ subnet: '198.18.61.0/24' }]] });
      const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, CniCall['env'], string, number]> = [
        [
          'the IPAM plugin gone from CNI_PATH',
          staticConf,
          staticConf,
          { CNI_PATH: emptyPath },
          `failed to find plugin "static" in path [${emptyPath}]`,
          7,
        ],
        [
          'a host-local configuration that no longer parses',
          hostLocal,
          { ...hostLocal, ipam: { ...(hostLocal.ipam as object), ranges: [[{ subnet: '198.18.61.0/33' }]] } },
          {},
          '',
          7,
        ],
      ];
      for (const [what, addConf, delConf, env, msg, ourCode] of cases) {
        for (const plugin of ['ref', 'ours'] as const) {
          const host = await freshNamespace();
          const ns = await freshNamespace();
          const call = { host: host.name, netns: ns.name, containerId: 'del' };
          const result = (await cniOk(plugin, { ...call, command: 'ADD' }, addConf)) as {
            interfaces: Array<{ name: string }>;
          };
          const hostVeth = (result.interfaces[1] as { name: string }).name;
          const out = await cni(plugin, { ...call, command: 'DEL', env }, delConf);
          expect([what, plugin, out.status, out.json?.code]).toEqual([
            what,
            plugin,
            1,
            plugin === 'ref' ? 999 : ourCode,
          ]);
          if (msg) expect(out.json?.msg).toBe(msg);
          expect([what, plugin, link(ns.name, 'eth0')]).toEqual([what, plugin, undefined]);
          await waitFor(() => link(host.name, hostVeth) === undefined, { what: `${hostVeth} to go with its peer` });
          // The IPAM fixed, DEL succeeds and releases the reservation.
          await cniOk(plugin, { ...call, command: 'DEL' }, addConf);
        }
      }
      expect(
        Object.keys(hostLocalFiles((hostLocal.ipam as { dataDir: string }).dataDir, 'nntnet')).filter((f) =>
          f.startsWith('198.'),
        ),
      ).toEqual([]);
    });

    // A range's `gateway` of the other family: host-local (1.1.1 and upstream) checks only that it
    // parses, and the bridge plugin then makes nonsense of it (docs/cni.md, "A gateway of the other
    // family"). With isGateway the IPv6 gateway goes on the bridge with the IPv4 subnet's prefix
    // (fd00:76::1/24: the host now routes all of fd00::/24 to the bridge), the container gets the
    // subnet's .1 and no gateway it can reach; with isDefaultGateway, or an IPv6 range with an
    // IPv4 gateway, ADD fails (999) after making the veth; without isGateway the result gives an
    // IPv4 address an IPv6 gateway. Ours refuses it (7) before touching anything, from host-local's
    // configuration and, since this test, from a delegated IPAM's result too (which ours put on
    // the bridge as the reference does).
    test('a gateway of the other family: the reference misuses it, ours refuses it (7) and makes nothing', async () => {
      const v4 = (extra: Record<string, unknown>) =>
        conf(extra, { ranges: [[{ subnet: '198.18.76.0/24', gateway: 'fd00:76::1' }]] });
      const notV4 = 'invalid range set 0: "gateway" fd00:76::1 is not an IPv4 address, as the subnet 198.18.76.0/24 is';
      const cases: Array<[string, Record<string, unknown>, unknown, string]> = [
        [
          'IPv4 range, IPv6 gateway, isGateway',
          v4({ isDefaultGateway: false }),
          [0, undefined, ['fd00:76::1/24'], ['198.18.76.1/24'], { address: '198.18.76.1/24', gateway: 'fd00:76::1' }],
          notV4,
        ],
        [
          'IPv4 range, IPv6 gateway, isDefaultGateway',
          v4({}),
          [1, 999, [], ['198.18.76.1/24'], 'not the same IP family'],
          notV4,
        ],
        [
          'IPv4 range, IPv6 gateway, no isGateway',
          v4({ isGateway: false, isDefaultGateway: false }),
          [0, undefined, [], ['198.18.76.1/24'], { address: '198.18.76.1/24', gateway: 'fd00:76::1' }],
          notV4,
        ],
        [
          'IPv6 range, IPv4 gateway, isGateway',
          conf({ isDefaultGateway: false }, { ranges: [[{ subnet: 'fd00:76::/64', gateway: '198.18.76.1' }]] }),
          [1, 999, [], ['fd00:76::1/64'], 'could not add IP address to "cnibr0": invalid argument'],
          'invalid range set 0: "gateway" 198.18.76.1 is not an IPv6 address, as the subnet fd00:76::/64 is',
        ],
        [
          'a delegated IPAM (static) giving an IPv4 address an IPv6 gateway, isGateway',
          conf(
            { isDefaultGateway: false },
            { type: 'static', ranges: undefined, addresses: [{ address: '198.18.77.5/24', gateway: 'fd00:77::1' }] },
          ),
          [0, undefined, ['fd00:77::1/24'], ['198.18.77.5/24'], { address: '198.18.77.5/24', gateway: 'fd00:77::1' }],
          'IPAM plugin "static" returned the address 198.18.77.5/24 with the gateway fd00:77::1, which is not an IPv4 address: a gateway must be of its address\'s family',
        ],
      ];
      for (const [what, c, refWant, ourMsg] of cases) {
        for (const plugin of ['ref', 'ours'] as const) {
          const host = await freshNamespace();
          const ns = await freshNamespace();
          const cc = { ...c, ipam: { ...(c.ipam as object), dataDir: dataDir() } };
          const out = await cni(plugin, { command: 'ADD', host: host.name, netns: ns.name }, cc);
          if (plugin === 'ref') {
            const global = (n: string | undefined, dev: string) =>
              addrs(n, dev)
                .filter((a) => a.scope === 'global')
                .map((a) => `${a.local}/${a.prefixlen}`);
            const result = (out.json as { ips?: Array<{ address: string; gateway: string }> } | undefined)?.ips?.[0];
            expect([what, out.status, out.json?.code, global(host.name, 'cnibr0'), global(ns.name, 'eth0')]).toEqual([
              what,
              ...(refWant as unknown[]).slice(0, 4),
            ]);
            const last = (refWant as unknown[])[4];
            if (typeof last === 'string') expect([what, out.json?.msg]).toEqual([what, expect.stringContaining(last)]);
            else expect([what, result && { address: result.address, gateway: result.gateway }]).toEqual([what, last]);
            continue;
          }
          expect([what, out.status, out.json?.code, out.json?.msg]).toEqual([what, 1, 7, ourMsg]);
          expect([what, links(host.name).map((l) => l.ifname)]).toEqual([what, ['lo']]);
          expect([what, link(ns.name, 'eth0')]).toEqual([what, undefined]);
          const dir = (cc.ipam as { dataDir: string }).dataDir;
          expect([
            what,
            fs.existsSync(path.join(dir, 'nntnet')) ? fs.readdirSync(path.join(dir, 'nntnet')) : [],
          ]).toEqual([what, expect.not.arrayContaining([expect.stringMatching(/^(198|fd00)/)])]);
        }
      }
    });

    // CNI_ARGS are read by each plugin for itself: the bridge plugin knows MAC, host-local IP. The
    // reference's bridge refuses a key it does not know before it touches anything; a key only
    // host-local refuses (MAC) comes up after the bridge plugin has deleted the interface, so its
    // DEL leaves the attachment half gone (interface deleted, reservation kept) and fails every
    // retry alike. Ours checks both readers' keys first and changes nothing (code 4), as ADD does.
    test('DEL with a CNI_ARGS key a reader does not know: ours fails before touching anything (4)', async () => {
      const seen: unknown[] = [];
      for (const args of ['FOO=1', 'MAC=02:00:c6:12:4e:09']) {
        for (const plugin of ['ref', 'ours'] as const) {
          const host = await freshNamespace();
          const ns = await freshNamespace();
          const c = conf({ ipMasq: true }, { ranges: [[{ subnet: '198.18.78.0/24' }]] });
          const dir = (c.ipam as { dataDir: string }).dataDir;
          const call = { host: host.name, netns: ns.name, containerId: 'delargs' };
          const result = (await cniOk(plugin, { ...call, command: 'ADD' }, c)) as {
            interfaces: Array<{ name: string }>;
          };
          const hostVeth = (result.interfaces[1] as { name: string }).name;
          const rules = nft(host.name as string);
          const out = await cni(plugin, { ...call, command: 'DEL', args }, c);
          seen.push([
            args,
            plugin,
            out.status,
            out.json?.code,
            out.json?.msg,
            link(ns.name, 'eth0') !== undefined,
            Object.keys(hostLocalFiles(dir, 'nntnet')).includes('198.18.78.2'),
          ]);
          if (plugin === 'ours') {
            expect(link(host.name, hostVeth)?.master).toBe('cnibr0');
            expect(addrs(ns.name, 'eth0').map((a) => a.local)).toContain('198.18.78.2');
            expect(nft(host.name as string)).toBe(rules);
            // With IgnoreUnknown the same call succeeds and takes everything away.
            await cniOk(plugin, { ...call, command: 'DEL', args: `IgnoreUnknown=1;${args}` }, c);
            expect(link(ns.name, 'eth0')).toBeUndefined();
            expect(Object.keys(hostLocalFiles(dir, 'nntnet'))).not.toContain('198.18.78.2');
            expect(nft(host.name as string)).not.toMatch(/198\.18\.78\.2/);
          }
        }
      }
      const refused = (args: string) => `ARGS: unknown args ${JSON.stringify([args])}`;
      expect(seen).toEqual([
        ['FOO=1', 'ref', 1, 999, refused('FOO=1'), true, true],
        ['FOO=1', 'ours', 1, 4, refused('FOO=1'), true, true],
        ['MAC=02:00:c6:12:4e:09', 'ref', 1, 999, refused('MAC=02:00:c6:12:4e:09'), false, true],
        ['MAC=02:00:c6:12:4e:09', 'ours', 1, 4, refused('MAC=02:00:c6:12:4e:09'), true, true],
      ]);
    });

    // An IPv4-mapped IPv6 route destination, ::ffff:a.b.c.d/N: the reference (Go's net.IPNet, as
    // host-local writes the route back) reads it as the IPv4 route a.b.c.d/(N-96), its gateway as
    // IPv4 too; ours now does the same (it added an IPv6 route to ::ffff:..., which no IPv4
    // packet takes, and refused an IPv4 gateway for it). Below /96 the reference keeps only the
    // mask's last 32 bits, /0: ::ffff:0:0/80 became a default route, ::ffff:198.19.0.0/80 a route
    // the kernel refuses; ours refuses both (7), as it refuses an IPv4-mapped subnet.
    test('routes to IPv4-mapped IPv6 destinations: the IPv4 routes, as the reference reads them', async () => {
      const c = conf(
        { isDefaultGateway: false },
        {
          ranges: [[{ subnet: '198.18.79.0/24' }]],
          routes: [
            { dst: '::ffff:198.19.0.0/112' },
            { dst: '::ffff:198.19.79.7/128', gw: '::ffff:198.18.79.9' },
            { dst: '::ffff:0:0/96' },
          ],
        },
      );
      const ref = await attachAll('ref', c, ['c1']);
      const ours = await attachAll('ours', c, ['c1']);
      expect(ours.snapshot).toEqual(ref.snapshot);
      const inside = ours.nets[0]?.name;
      expect(routes(inside).map((r) => [r.dst, r.gateway])).toEqual([
        ['default', '198.18.79.1'],
        ['198.18.79.0/24', undefined],
        ['198.19.0.0/16', '198.18.79.1'],
        ['198.19.79.7', '198.18.79.9'],
      ]);
      expect(routes6(inside).filter((r) => r.dst.startsWith('::ffff:'))).toEqual([]);

      const refused: Array<[Record<string, unknown>, string]> = [
        [
          { dst: '::ffff:0:0/80' },
          '"ipam.routes[0].dst": ::ffff:0:0/80 is an IPv4-mapped IPv6 address with a prefix shorter than /96 (write the route in IPv4, or as an IPv6 prefix without ::ffff:)',
        ],
        [
          { dst: '::ffff:198.19.0.0/112', gw: 'fd00:79::1' },
          '"ipam.routes[0]": gw fd00:79::1 is not of the family of ::ffff:198.19.0.0/112 (the IPv4 route 198.19.0.0/16)',
        ],
      ];
      for (const [route, msg] of refused) {
        const host = await freshNamespace();
        const ns = await freshNamespace();
        const cc = conf({}, { ranges: [[{ subnet: '198.18.79.0/24' }]], routes: [route] });
        const out = await cni('ours', { command: 'ADD', host: host.name, netns: ns.name }, cc);
        expect([out.status, out.json?.code, out.json?.msg]).toEqual([1, 7, msg]);
        expect(links(host.name).map((l) => l.ifname)).toEqual(['lo']);
        expect(link(ns.name, 'eth0')).toBeUndefined();
      }
    });

    test('the reference does not speak 1.1.0 (GC, STATUS): those run on ours only', async () => {
      const out = await cni('ref', { command: 'ADD', netns: 'nnt-x' }, conf({ cniVersion: '1.1.0' }));
      expect(out.json?.code).toBe(1);
    });
  });

  test('VERSION lists 0.3.0 to 1.1.0', async () => {
    const out = await cni('ours', { command: 'VERSION' }, '');
    expect(out.json).toEqual({ cniVersion: '1.1.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] });
  });

  test('cniVersions (1.1.0 lists): the newest version both sides speak', async () => {
    const host = await freshNamespace();
    const ns = await freshNamespace();
    const c = { ...conf(), cniVersion: undefined, cniVersions: ['0.4.0', '1.0.0', '2.0.0'] };
    const result = await cniOk('ours', { command: 'ADD', host: host.name, netns: ns.name }, c);
    expect(result?.cniVersion).toBe('1.0.0');
  });

  test('DEL is idempotent: twice, with the namespace gone, without CNI_NETNS', async () => {
    const host = await freshNamespace();
    const ns = await freshNamespace();
    const c = conf({ cniVersion: '1.1.0' }, { ranges: [[{ subnet: '198.18.49.0/24' }]] });
    const call = { host: host.name, netns: ns.name, containerId: 'twice' };
    await cniOk('ours', { ...call, command: 'ADD' }, c);
    await cniOk('ours', { ...call, command: 'DEL' }, c);
    await cniOk('ours', { ...call, command: 'DEL' }, c);
    await cniOk('ours', { ...call, command: 'ADD' }, c);
    await ns.delete();
    await cniOk('ours', { ...call, command: 'DEL' }, c);
    expect(
      Object.keys(hostLocalFiles((c.ipam as { dataDir: string }).dataDir, 'nntnet')).filter((f) =>
        f.startsWith('198.'),
      ),
    ).toEqual([]);
    await cniOk('ours', { ...call, netns: undefined, env: { CNI_NETNS: undefined }, command: 'DEL' }, c);
  });

  test("a container id that makes the host veth's mark 255 bytes: hashed in the mark (an alias takes 254)", async () => {
    const host = await freshNamespace();
    const ns = await freshNamespace();
    const c = conf({}, { ranges: [[{ subnet: '198.18.51.0/24' }]] });
    // 'netns-native-cni nntnet ' + id + ' eth0': 29 bytes around the id.
    const call = { host: host.name, netns: ns.name, containerId: 'c'.repeat(226) };
    await cniOk('ours', { ...call, command: 'ADD' }, c);
    const veths = ipJson<Array<{ ifname: string; ifalias?: string }>>(host.name, 'link', 'show', 'type', 'veth');
    expect(veths.map((l) => l.ifalias)).toEqual([
      expect.stringMatching(/^netns-native-cni nntnet sha256:[0-9a-f]{64} eth0$/),
    ]);
    await cniOk('ours', { ...call, command: 'DEL' }, c);
    expect(ipJson(host.name, 'link', 'show', 'type', 'veth')).toEqual([]);
  });

  // CNI network names have no length limit. With a 200-byte name and a 64-byte container id,
  // 'netns-native-cni NAME ID eth0' is 287 bytes, and 294 with the id hashed ('sha256:' + 64).
  test("a network name too long for the host veth's mark: hashed too; GC tells both forms apart", async () => {
    const host = await freshNamespace();
    const name = `n${'x'.repeat(199)}`;
    const c = conf({ name, cniVersion: '1.1.0' }, { ranges: [[{ subnet: '198.18.52.0/24' }]] });
    // Short ids still fit whole (as before); ids of 64 bytes, as runtimes make them, do not.
    const [long, short] = ['a'.repeat(64), 'a'];
    const [dropLong, dropShort] = ['d'.repeat(64), 'd'];
    const veths = await attachEach(host, c, [long, short, dropLong, dropShort]);
    const alias = (veth: string) => link(host.name, veth)?.ifalias;
    const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
    const hashed = (id: string) => `netns-native-cni sha256:${sha256(name)} sha256:${sha256(id)} eth0`;
    expect(veths.map(alias)).toEqual([
      hashed(long),
      `netns-native-cni ${name} a eth0`,
      hashed(dropLong),
      `netns-native-cni ${name} d eth0`,
    ]);
    await cniOk('ours', gcCall(host), {
      ...c,
      'cni.dev/valid-attachments': [
        { containerID: long, ifname: 'eth0' },
        { containerID: short, ifname: 'eth0' },
      ],
    });
    await waitFor(() => link(host.name, veths[2] as string) === undefined, { what: 'the stale hashed veth to go' });
    await waitFor(() => link(host.name, veths[3] as string) === undefined, { what: 'the stale whole veth to go' });
    expect(link(host.name, veths[0] as string)).toBeDefined();
    expect(link(host.name, veths[1] as string)).toBeDefined();
    const dir = (c.ipam as { dataDir: string }).dataDir;
    expect(Object.keys(hostLocalFiles(dir, name)).filter((f) => f.startsWith('198.')).length).toBe(2);
    // DEL of the hashed one, as of any.
    const ns = await freshNamespace();
    await cniOk('ours', { command: 'ADD', host: host.name, netns: ns.name, containerId: 'e'.repeat(64) }, c);
    await cniOk('ours', { command: 'DEL', host: host.name, netns: ns.name, containerId: 'e'.repeat(64) }, c);
    expect(link(ns.name, 'eth0')).toBeUndefined();
    expect(Object.keys(hostLocalFiles(dir, name)).filter((f) => f.startsWith('198.')).length).toBe(2);
  });

  test('ipMasq: one masquerade rule per address in our nftables table, gone with DEL', async () => {
    const host = await freshNamespace();
    const ns = await freshNamespace();
    const c = conf({ ipMasq: true }, { ranges: [[{ subnet: '198.18.50.0/24' }], [{ subnet: 'fd00:50::/64' }]] });
    const call = { host: host.name, netns: ns.name, containerId: 'masq' };
    await cniOk('ours', { ...call, command: 'ADD' }, c);
    const rules = nft(host.name as string);
    expect(rules).toMatch(
      /ip saddr 198\.18\.50\.2 ip daddr != 198\.18\.50\.0\/24 ip daddr != 224\.0\.0\.0\/4 masquerade/,
    );
    expect(rules).toMatch(/ip6 saddr fd00:50::2 ip6 daddr != fd00:50::\/64 ip6 daddr != ff00::\/8 masquerade/);
    expect(fs.readFileSync(`/proc/sys/net/ipv4/ip_forward`, 'utf8')).toBeDefined();
    expect(
      execFileSync('ip', ['netns', 'exec', host.name as string, 'sysctl', '-n', 'net.ipv4.ip_forward'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('1');
    await cniOk('ours', { ...call, command: 'DEL' }, c);
    expect(nft(host.name as string)).not.toMatch(/netns-native/);
  });

  test('DEL with an IPAM that cannot run still removes the interface and the masquerade, then reports the error', async () => {
    const host = await freshNamespace();
    const ns = await freshNamespace();
    const c = conf({ ipMasq: true }, { ranges: [[{ subnet: '198.18.62.0/24' }]] });
    const call = { host: host.name, netns: ns.name, containerId: 'masqdel' };
    const result = (await cniOk('ours', { ...call, command: 'ADD' }, c)) as { interfaces: Array<{ name: string }> };
    expect(nft(host.name as string)).toMatch(/ip saddr 198\.18\.62\.2 /);
    const broken = {
      ...c,
      ipam: { ...(c.ipam as object), ranges: [[{ subnet: '198.18.62.0/24', rangeEnd: '198.18.63.9' }]] },
    };
    const out = await cni('ours', { ...call, command: 'DEL' }, broken);
    expect([out.status, out.json?.code, out.json?.msg]).toEqual([
      1,
      7,
      'invalid range set 0: RangeEnd 198.18.63.9 not in network 198.18.62.0/24',
    ]);
    expect(link(ns.name, 'eth0')).toBeUndefined();
    await waitFor(() => link(host.name, (result.interfaces[1] as { name: string }).name) === undefined, {
      what: 'the host veth to go with its peer',
    });
    expect(nft(host.name as string)).not.toMatch(/198\.18\.62\.2/);
    // ADD and CHECK still fail before touching anything. (The bridge's carrier and operstate,
    // which follow its last port's removal on the kernel's own schedule, are left out.)
    const links = () =>
      (JSON.parse(run('ip', ['-n', host.name as string, '-j', 'link', 'show'])) as Array<Record<string, unknown>>).map(
        (l) => [l.ifindex, l.ifname, l.master, (l.flags as string[]).filter((f) => f !== 'NO-CARRIER')],
      );
    const before = links();
    for (const command of ['ADD', 'CHECK']) {
      const o = await cni('ours', { ...call, command }, { ...broken, prevResult: result });
      expect([command, o.status, o.json?.code]).toEqual([command, 1, 7]);
    }
    expect(links()).toEqual(before);
    expect(link(ns.name, 'eth0')).toBeUndefined();
    await cniOk('ours', { ...call, command: 'DEL' }, c);
    expect(
      Object.keys(hostLocalFiles((c.ipam as { dataDir: string }).dataDir, 'nntnet')).filter((f) =>
        f.startsWith('198.'),
      ),
    ).toEqual([]);
  });

  // What parallel first ADDs onto a new bridge do (the side-by-side test above), made
  // deterministic: both read the bridge's addresses before either adds the gateway.
  test('two ADDs adding the same gateway address at once both succeed, and pin the MAC', async () => {
    const host = await freshNamespace();
    ip(host.name, 'link', 'add', 'cnirace0', 'type', 'bridge');
    const c = parseBridgeConf({ cniVersion: '1.0.0', name: 'race', bridge: 'cnirace0', isGateway: true }, new Map());
    // Two Link objects, as two processes would have; the MAC each read before its port.
    const [a, b] = [await host.link('cnirace0'), await host.link('cnirace0')];
    const mac = '02:00:c6:12:3f:01';
    const outcomes = await Promise.allSettled([
      ensureGatewayAddress(a, '198.18.63.1/24', c, mac),
      ensureGatewayAddress(b, '198.18.63.1/24', c, mac),
    ]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual([
      'fulfilled',
      'fulfilled',
    ]);
    expect(addrs(host.name, 'cnirace0').map((x) => `${x.local}/${x.prefixlen}`)).toEqual(['198.18.63.1/24']);
    expect(link(host.name, 'cnirace0')?.address).toBe(mac);
    expect(
      run('ip', ['netns', 'exec', host.name as string, 'cat', '/sys/class/net/cnirace0/addr_assign_type']).trim(),
    ).toBe('3');
  });

  test('GC (1.1.0): reservations, host veths and masquerades of attachments not listed go', async () => {
    const host = await freshNamespace();
    const c = conf({ cniVersion: '1.1.0', ipMasq: true }, { ranges: [[{ subnet: '198.18.51.0/24' }]] });
    const dir = (c.ipam as { dataDir: string }).dataDir;
    const veths: string[] = [];
    for (const id of ['keep', 'drop1', 'drop2']) {
      const ns = await freshNamespace();
      const r = (await cniOk('ours', { command: 'ADD', host: host.name, netns: ns.name, containerId: id }, c)) as {
        interfaces: Array<{ name: string }>;
      };
      veths.push((r.interfaces[1] as { name: string }).name);
    }
    // A veth of the reference's on the same bridge (no mark) is never touched.
    const refNs = await freshNamespace();
    const refResult = (await cniOk(
      'ref',
      { command: 'ADD', host: host.name, netns: refNs.name, containerId: 'refs' },
      conf({}, { ranges: [[{ subnet: '198.18.51.0/24' }]], dataDir: dir }),
    )) as {
      interfaces: Array<{ name: string }>;
    };
    const gcConf = {
      ...c,
      'cni.dev/valid-attachments': [
        { containerID: 'keep', ifname: 'eth0' },
        { containerID: 'refs', ifname: 'eth0' },
      ],
    };
    await cniOk(
      'ours',
      { command: 'GC', host: host.name, env: { CNI_CONTAINERID: undefined, CNI_IFNAME: undefined } },
      gcConf,
    );
    const files = Object.keys(hostLocalFiles(dir, 'nntnet')).filter((f) => f.startsWith('198.'));
    expect(files.sort()).toEqual(['198.18.51.2', '198.18.51.5']);
    expect(link(host.name, veths[0] as string)).toBeDefined();
    expect(link(host.name, (refResult.interfaces[1] as { name: string }).name)).toBeDefined();
    await waitFor(
      () => link(host.name, veths[1] as string) === undefined && link(host.name, veths[2] as string) === undefined,
      {
        what: 'the stale veths to go',
      },
    );
    const rules = nft(host.name as string);
    expect(rules).toMatch(/198\.18\.51\.2 /);
    expect(rules).not.toMatch(/198\.18\.51\.[34] /);
  });

  /** GC from the test's host namespace, without the attachment variables (the spec's GC call). */
  const gcCall = (host: Namespace): CniCall => ({
    command: 'GC',
    host: host.name,
    env: { CNI_CONTAINERID: undefined, CNI_IFNAME: undefined },
  });

  /** ADDs one attachment per id; the host veth of each. */
  async function attachEach(host: Namespace, c: Record<string, unknown>, ids: string[]): Promise<string[]> {
    const veths: string[] = [];
    for (const id of ids) {
      const ns = await freshNamespace();
      const r = (await cniOk('ours', { command: 'ADD', host: host.name, netns: ns.name, containerId: id }, c)) as {
        interfaces: Array<{ name: string }>;
      };
      veths.push((r.interfaces[1] as { name: string }).name);
    }
    return veths;
  }

  // The spec: the runtime must give the key. Without it there is no list to keep, so GC keeps
  // everything rather than reading "no list" as "nothing is valid" (which released every
  // reservation). The reference's bridge and host-local have no GC (upstream's skel answers
  // success and does nothing), so they never release anything either. libcni sends `null` for
  // an empty list, and the spec of 1.1.0 first named the key `cni.dev/attachments` (libcni sets
  // both since v1.2.3): both read as lists.
  test('GC (1.1.0) without cni.dev/valid-attachments keeps everything; null is an empty list; cni.dev/attachments is read too', async () => {
    const host = await freshNamespace();
    const c = conf({ cniVersion: '1.1.0', ipMasq: true }, { ranges: [[{ subnet: '198.18.66.0/24' }]] });
    const dir = (c.ipam as { dataDir: string }).dataDir;
    const reserved = () =>
      Object.keys(hostLocalFiles(dir, 'nntnet'))
        .filter((f) => f.startsWith('198.'))
        .sort();
    const veths = await attachEach(host, c, ['keep', 'drop']);
    await cniOk('ours', gcCall(host), c);
    expect(reserved()).toEqual(['198.18.66.2', '198.18.66.3']);
    for (const v of veths) expect(link(host.name, v)).toBeDefined();
    expect(nft(host.name as string)).toMatch(/198\.18\.66\.3 /);

    await cniOk('ours', gcCall(host), { ...c, 'cni.dev/attachments': [{ containerID: 'keep', ifname: 'eth0' }] });
    expect(reserved()).toEqual(['198.18.66.2']);
    await waitFor(() => link(host.name, veths[1] as string) === undefined, { what: 'the stale veth to go' });
    expect(nft(host.name as string)).not.toMatch(/198\.18\.66\.3 /);

    await cniOk('ours', gcCall(host), { ...c, 'cni.dev/valid-attachments': null });
    expect(reserved()).toEqual([]);
    await waitFor(() => link(host.name, veths[0] as string) === undefined, { what: 'the last veth to go' });

    const out = await cni('ours', gcCall(host), { ...c, 'cni.dev/valid-attachments': 'keep' });
    expect([out.status, out.json?.code, out.json?.msg]).toEqual([
      1,
      7,
      '"cni.dev/valid-attachments" must be a list of { "containerID": string, "ifname": string }, not "keep"',
    ]);
  });

  // GC goes on past what it cannot do, as the spec asks (and as DEL does): with an IPAM that cannot
  // be built, the stale veths and masquerades still go, then the IPAM's error is reported; the
  // reservations stay until a GC with a working IPAM.
  test('GC (1.1.0) with an IPAM that cannot be built: the veths and masquerades still go, then the error', async () => {
    const host = await freshNamespace();
    const c = conf({ cniVersion: '1.1.0', ipMasq: true }, { ranges: [[{ subnet: '198.18.67.0/24' }]] });
    const dir = (c.ipam as { dataDir: string }).dataDir;
    const veths = await attachEach(host, c, ['keep', 'drop']);
    const valid = { 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] };
    const broken = [
      {
        ...c,
        ...valid,
        ipam: { ...(c.ipam as object), ranges: [[{ subnet: '198.18.67.0/24', rangeEnd: '198.18.68.9' }]] },
      },
      { ...c, ...valid, ipam: { ...(c.ipam as object), type: 'no-such-ipam' } },
    ];
    const out = await cni('ours', gcCall(host), broken[0]);
    expect([out.status, out.json?.code, out.json?.msg]).toEqual([
      1,
      7,
      'invalid range set 0: RangeEnd 198.18.68.9 not in network 198.18.67.0/24',
    ]);
    await waitFor(() => link(host.name, veths[1] as string) === undefined, { what: 'the stale veth to go' });
    expect(link(host.name, veths[0] as string)).toBeDefined();
    expect(nft(host.name as string)).not.toMatch(/198\.18\.67\.3 /);
    expect(nft(host.name as string)).toMatch(/198\.18\.67\.2 /);
    const reserved = () =>
      Object.keys(hostLocalFiles(dir, 'nntnet'))
        .filter((f) => f.startsWith('198.'))
        .sort();
    expect(reserved()).toEqual(['198.18.67.2', '198.18.67.3']);
    const missing = await cni('ours', gcCall(host), broken[1]);
    expect([missing.status, missing.json?.code, missing.json?.msg]).toEqual([
      1,
      7,
      'failed to find plugin "no-such-ipam" in path [/usr/lib/cni]',
    ]);
    await cniOk('ours', gcCall(host), { ...c, ...valid });
    expect(reserved()).toEqual(['198.18.67.2']);
  });

  // GC needs only the network's name and its IPAM. The reference's GC reads none of the bridge
  // plugin's fields: upstream's bridge has no GC (libcni's skel answers success before the plugin
  // parses anything), and Debian's 1.1.1 does not speak GC at all. So a bridge field that does not
  // parse (an MTU out of range, an unsupported vlan, a bad bridge name) stops nothing here either:
  // the stale attachments go and GC succeeds. (It used to fail first, with 7 or 2, freeing nothing.)
  test('GC (1.1.0) with bridge fields that do not parse: the stale attachments still go, and GC succeeds', async () => {
    const host = await freshNamespace();
    const c = conf({ cniVersion: '1.1.0', ipMasq: true }, { ranges: [[{ subnet: '198.18.80.0/24' }]] });
    const dir = (c.ipam as { dataDir: string }).dataDir;
    const ids = ['keep', 'drop1', 'drop2', 'drop3'];
    const veths = await attachEach(host, c, ids);
    const reserved = () =>
      Object.keys(hostLocalFiles(dir, 'nntnet'))
        .filter((f) => f.startsWith('198.'))
        .sort();
    const badBridge: Array<Record<string, unknown>> = [
      { mtu: 5 },
      { vlan: 10 },
      { bridge: 'a/b', vlanTrunk: [{ id: 5 }] },
    ];
    for (const [i, bad] of badBridge.entries()) {
      // Step i keeps keep and drop(i+2)..; drop(i+1) is stale.
      const valid = ids.filter((_, k) => k === 0 || k > i + 1).map((id) => ({ containerID: id, ifname: 'eth0' }));
      const out = await cni('ours', gcCall(host), { ...c, ...bad, 'cni.dev/valid-attachments': valid });
      expect([bad, out.status, out.stdout]).toEqual([bad, 0, '']);
      expect(reserved()).toEqual(['198.18.80.2', ...[3, 4, 5].slice(i + 1).map((k) => `198.18.80.${k}`)]);
      await waitFor(() => link(host.name, veths[i + 1] as string) === undefined, { what: 'the stale veth to go' });
      expect(nft(host.name as string)).not.toMatch(new RegExp(`198\\.18\\.80\\.${i + 3} `));
    }
    expect(link(host.name, veths[0] as string)?.master).toBe('cnibr0');
    expect(nft(host.name as string)).toMatch(/198\.18\.80\.2 /);
    // An IPAM that cannot be built is still reported, after the rest (as with a valid bridge part).
    const out = await cni('ours', gcCall(host), { ...c, mtu: 5, ipam: 5, 'cni.dev/valid-attachments': [] });
    expect([out.status, out.json?.code, out.json?.msg]).toEqual([1, 7, '"ipam" must be an object, not 5']);
    await waitFor(() => link(host.name, veths[0] as string) === undefined, { what: 'the last veth to go' });
    expect(reserved()).toEqual(['198.18.80.2']);
  });

  // STATUS says whether ADD could succeed (the spec: a plugin that knows it cannot service ADD
  // must fail): an IPAM that cannot be built is "not available" (50), with its reason, as a full
  // range is, and the bridge is still looked at. (Upstream's bridge asks the IPAM for its STATUS;
  // host-local has none yet, so the reference answers ready whatever host-local's configuration:
  // not followed, since every ADD would then fail.)
  test('STATUS (1.1.0) with an IPAM that cannot be built: not available (50), saying why, the bridge still checked', async () => {
    const host = await freshNamespace();
    const c = conf({ cniVersion: '1.1.0' }, { ranges: [[{ subnet: '198.18.69.0/24', rangeEnd: '198.18.70.9' }]] });
    let out = await cni('ours', { command: 'STATUS', host: host.name }, c);
    expect([out.status, out.json?.code, out.json?.msg]).toEqual([
      1,
      50,
      'invalid range set 0: RangeEnd 198.18.70.9 not in network 198.18.69.0/24',
    ]);
    ip(host.name, 'link', 'add', 'cnibr0', 'type', 'veth', 'peer', 'name', 'cnibr0p');
    out = await cni('ours', { command: 'STATUS', host: host.name }, c);
    expect([out.status, out.json?.code, out.json?.msg]).toEqual([
      1,
      50,
      'invalid range set 0: RangeEnd 198.18.70.9 not in network 198.18.69.0/24; "cnibr0" already exists but is not a bridge',
    ]);
    out = await cni(
      'ours',
      { command: 'STATUS', host: host.name },
      conf({ cniVersion: '1.1.0' }, { type: 'no-such-ipam' }),
    );
    expect([out.status, out.json?.code]).toEqual([1, 50]);
    expect(out.json?.msg).toMatch(
      /^failed to find plugin "no-such-ipam" in path \[\/usr\/lib\/cni\]; "cnibr0" already exists/,
    );
  });

  test('STATUS (1.1.0): ready; not available (50) when the dataDir cannot be written or the range is full', async () => {
    const host = await freshNamespace();
    const ok = conf({ cniVersion: '1.1.0' });
    await cniOk('ours', { command: 'STATUS', host: host.name }, ok);
    const file = path.join(dataDir(), 'a-file');
    fs.writeFileSync(file, '');
    const bad = conf({ cniVersion: '1.1.0' }, { dataDir: path.join(file, 'below') });
    let out = await cni('ours', { command: 'STATUS', host: host.name }, bad);
    expect([out.status, out.json?.code]).toEqual([1, 50]);
    const full = conf({ cniVersion: '1.1.0' }, { ranges: [[{ subnet: '198.18.52.0/30' }]] });
    const ns = await freshNamespace();
    await cniOk('ours', { command: 'ADD', host: host.name, netns: ns.name }, full);
    out = await cni('ours', { command: 'STATUS', host: host.name }, full);
    expect([out.status, out.json?.code]).toEqual([1, 50]);
    expect(out.json?.msg).toMatch(/no IP addresses available/);
    // Older versions do not know STATUS or GC.
    out = await cni('ours', { command: 'STATUS', host: host.name }, conf({ cniVersion: '1.0.0' }));
    expect([out.status, out.json?.code]).toEqual([1, 1]);
  });

  test('a configuration the reference accepts but ours does not implement is refused as unsupported (2)', async () => {
    const host = await freshNamespace();
    const ns = await freshNamespace();
    for (const extra of [{ vlan: 10 }, { vlanTrunk: [{ id: 10 }] }, { ipMasq: true, ipMasqBackend: 'iptables' }]) {
      const out = await cni('ours', { command: 'ADD', host: host.name, netns: ns.name }, conf(extra));
      expect([out.status, out.json?.code]).toEqual([1, 2]);
    }
    expect(link(host.name, 'cnibr0')).toBeUndefined();
  });

  test('the container reaches the bridge gateway, and another container, through the attachment', async () => {
    const host = await freshNamespace();
    const [a, b] = [await freshNamespace(), await freshNamespace()];
    const c = conf({}, { ranges: [[{ subnet: '198.18.53.0/24' }]] });
    await cniOk('ours', { command: 'ADD', host: host.name, netns: a.name, containerId: 'a' }, c);
    await cniOk('ours', { command: 'ADD', host: host.name, netns: b.name, containerId: 'b' }, c);
    expect(addrs(a.name, 'eth0').map((x) => x.local)).toContain('198.18.53.2');
    expect(routes(a.name).find((r) => r.dst === 'default')?.gateway).toBe('198.18.53.1');
    expect((await a.ping('198.18.53.1', { count: 1, timeoutMs: 3000 })).received).toBe(1);
    expect((await a.ping('198.18.53.3', { count: 1, timeoutMs: 3000 })).received).toBe(1);
  });
});

// uniqueName is kept for future cases that need a link name of their own.
void uniqueName;
