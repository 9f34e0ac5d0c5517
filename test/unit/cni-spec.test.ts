/**
 * The CNI protocol without the kernel (lib/cni/spec.ts, config.ts): version negotiation, the
 * checks libcni makes before a plugin runs, CNI_ARGS, and the result in each version's shape;
 * host-local's range checks and allocation walk (host-local.ts), over a temporary dataDir.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vethMark } from '../../lib/cni/bridge';
import { BRIDGE_ARGS, parseBridgeConf } from '../../lib/cni/config';
import {
  hostLocalAdd,
  hostLocalGc,
  hostLocalStatus,
  parseHostLocalConf,
  type HostLocalConf,
} from '../../lib/cni/host-local';
import { CniError, formatResult, negotiateVersion, parseCniArgs, parseResult, readCall } from '../../lib/cni/spec';

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CniError) return e.code;
    throw e;
  }
  return undefined;
}

const env = {
  CNI_COMMAND: 'ADD',
  CNI_CONTAINERID: 'c1',
  CNI_NETNS: '/run/netns/x',
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
};

describe('CNI protocol', () => {
  test('versions: cniVersion as given, cniVersions the newest common one, anything else incompatible (1)', () => {
    expect(negotiateVersion({ cniVersion: '0.4.0' })).toBe('0.4.0');
    expect(negotiateVersion({ cniVersions: ['0.3.1', '1.0.0', '9.0.0'] })).toBe('1.0.0');
    expect(code(() => negotiateVersion({ cniVersion: '0.2.0' }))).toBe(1);
    expect(code(() => negotiateVersion({}))).toBe(1); // no version is 0.1.0
    expect(code(() => negotiateVersion({ cniVersions: ['2.0.0'] }))).toBe(1);
    expect(code(() => negotiateVersion({ cniVersion: 4 }))).toBe(6);
  });

  test('the call: required variables, names, the configuration, per command', () => {
    const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'n' });
    expect(readCall(env, conf, []).command).toBe('ADD');
    expect(code(() => readCall({ ...env, CNI_NETNS: undefined }, conf, []))).toBe(4);
    expect(readCall({ ...env, CNI_COMMAND: 'DEL', CNI_NETNS: undefined }, conf, []).netns).toBe('');
    expect(code(() => readCall({ ...env, CNI_IFNAME: 'x'.repeat(16) }, conf, []))).toBe(4);
    // The kernel would make 'eth%d' as eth0, which no later call would find by the name given.
    expect(code(() => readCall({ ...env, CNI_IFNAME: 'eth%d' }, conf, []))).toBe(4);
    expect(code(() => readCall({ ...env, CNI_CONTAINERID: '-x' }, conf, []))).toBe(4);
    expect(code(() => readCall(env, '{', []))).toBe(6);
    expect(code(() => readCall(env, '{"cniVersion":"1.0.0"}', []))).toBe(7);
    expect(
      code(() => readCall({ ...env, CNI_COMMAND: 'CHECK' }, JSON.stringify({ cniVersion: '0.3.1', name: 'n' }), [])),
    ).toBe(1);
    expect(code(() => readCall({ ...env, CNI_COMMAND: 'GC' }, conf, []))).toBe(1);
    expect(
      readCall({ CNI_COMMAND: 'GC', CNI_PATH: '/x' }, JSON.stringify({ cniVersion: '1.1.0', name: 'n' }), []).command,
    ).toBe('GC');
  });

  test('CNI_ARGS: unknown keys refused unless IgnoreUnknown', () => {
    expect(parseCniArgs('IP=198.18.0.9', ['IP']).get('IP')).toBe('198.18.0.9');
    expect(code(() => parseCniArgs('K8S_POD_NAME=x', ['IP']))).toBe(4);
    expect(parseCniArgs('IgnoreUnknown=1;K8S_POD_NAME=x', ['IP']).get('K8S_POD_NAME')).toBe('x');
    expect(code(() => parseCniArgs('novalue', []))).toBe(4);
  });

  test("CNI_ARGS as libcni's LoadArgs reads them: one '=' a pair, IgnoreUnknown a boolean, the unknown pairs named", () => {
    const refused = (text: string, known: string[]): [number, string] | undefined => {
      try {
        parseCniArgs(text, known);
      } catch (e) {
        if (e instanceof CniError) return [e.code, e.message];
        throw e;
      }
      return undefined;
    };
    // The reference's messages, word for word (its code is 999; ours the spec's 4).
    expect(refused('IP=198.18.0.9', ['MAC'])).toEqual([4, 'ARGS: unknown args ["IP=198.18.0.9"]']);
    expect(refused('A=1;MAC=x;B=2', ['MAC'])).toEqual([4, 'ARGS: unknown args ["A=1" "B=2"]']);
    expect(refused('A=b=c', ['A'])).toEqual([4, 'ARGS: invalid pair "A=b=c"']);
    expect(refused('MAC=x;', ['MAC'])).toEqual([4, 'ARGS: invalid pair ""']);
    expect(refused('IgnoreUnknown=yes;IP=1', ['MAC'])).toEqual([
      4,
      'ARGS: error parsing value of pair "IgnoreUnknown=yes": boolean unmarshal error: invalid input yes',
    ]);
    expect(refused('IgnoreUnknown=0;IP=1', ['MAC'])).toEqual([4, 'ARGS: unknown args ["IP=1"]']);
    expect(refused('IgnoreUnknown=TRUE;IP=1', ['MAC'])).toBeUndefined();
  });

  test('CNI_ARGS: the bridge plugin knows MAC, host-local IP; each refuses the other without IgnoreUnknown', () => {
    const stdin = JSON.stringify({
      cniVersion: '1.0.0',
      name: 'n',
      ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.56.0/24' }]] },
    });
    const withArgs = (args: string) => () =>
      parseHostLocalConf(readCall({ ...env, CNI_ARGS: args }, stdin, BRIDGE_ARGS));
    expect(code(withArgs('IP=198.18.56.9'))).toBe(4); // the bridge plugin refuses IP
    expect(code(withArgs('MAC=02:00:00:00:00:09'))).toBe(4); // host-local refuses MAC
    expect(withArgs('IgnoreUnknown=1;MAC=02:00:00:00:00:09;IP=198.18.56.9')().requested).toEqual(['198.18.56.9']);
    expect(code(withArgs('IgnoreUnknown=1;IP=198.18.56.300'))).toBe(4);
  });

  test('results: 0.3.x and 0.4.0 give each address its version; 1.x does not; 1.1.0 keeps route extras', () => {
    const result = {
      cniVersion: '1.1.0',
      interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', sandbox: '/run/netns/x' }],
      ips: [
        { interface: 0, address: '198.18.0.2/24', gateway: '198.18.0.1' },
        { interface: 0, address: 'fd00::2/64' },
      ],
      routes: [{ dst: '0.0.0.0/0', gw: '198.18.0.1', priority: 5 }],
      dns: {},
    };
    const old = formatResult(result, '0.4.0') as { ips: Array<{ version: string }>; routes: object[] };
    expect(old.ips.map((i) => i.version)).toEqual(['4', '6']);
    expect(old.routes).toEqual([{ dst: '0.0.0.0/0', gw: '198.18.0.1' }]);
    const v1 = formatResult(result, '1.0.0') as { ips: object[] };
    expect(v1.ips[0]).toEqual({ interface: 0, address: '198.18.0.2/24', gateway: '198.18.0.1' });
    expect((formatResult(result, '1.1.0') as { routes: object[] }).routes[0]).toEqual({
      dst: '0.0.0.0/0',
      gw: '198.18.0.1',
      priority: 5,
    });
    // And back: a prevResult of an older version reads into the current shape.
    expect(parseResult(old, 'prevResult').ips?.[1]).toEqual({ interface: 0, address: 'fd00::2/64' });
  });

  test("the bridge plugin's configuration: defaults, bad values (7), unsupported fields (2)", () => {
    const base = { cniVersion: '1.0.0', name: 'n' };
    const c = parseBridgeConf(base, new Map());
    expect([c.bridge, c.isGateway, c.mtu, c.ipamType]).toEqual(['cni0', false, undefined, '']);
    expect(parseBridgeConf({ ...base, isDefaultGateway: true }, new Map()).isGateway).toBe(true);
    expect(parseBridgeConf({ ...base }, new Map([['MAC', '02:00:00:00:00:AA']])).mac).toBe('02:00:00:00:00:aa');
    expect(code(() => parseBridgeConf({ ...base, mtu: 10 }, new Map()))).toBe(7);
    expect(code(() => parseBridgeConf({ ...base, bridge: 'x'.repeat(16) }, new Map()))).toBe(7);
    expect(code(() => parseBridgeConf({ ...base, bridge: 'cni%d' }, new Map()))).toBe(7);
    expect(code(() => parseBridgeConf({ ...base, isGateway: 'yes' }, new Map()))).toBe(7);
    expect(code(() => parseBridgeConf({ ...base, runtimeConfig: { mac: '01:00:00:00:00:01' } }, new Map()))).toBe(7);
    expect(code(() => parseBridgeConf({ ...base, vlan: 3 }, new Map()))).toBe(2);
  });

  test("the host veth's mark fits the 254 bytes an alias takes: whole, else the id hashed, else the network's name too", () => {
    // 'netns-native-cni n ' + id + ' eth0': 24 bytes around the id.
    expect(vethMark('n', 'c'.repeat(230), 'eth0')).toBe(`netns-native-cni n ${'c'.repeat(230)} eth0`);
    for (const id of ['c'.repeat(231), 'c'.repeat(400)]) {
      const mark = vethMark('n', id, 'eth0');
      expect(mark).toMatch(/^netns-native-cni n sha256:[0-9a-f]{64} eth0$/);
    }
    // A long network name (CNI sets no limit): the two forms above while they fit, as before;
    // else the name hashed too, which fits whatever the lengths.
    const net149 = 'n'.repeat(149);
    expect(vethMark(net149, 'c'.repeat(400), 'a'.repeat(15))).toMatch(
      new RegExp(`^netns-native-cni ${net149} sha256:[0-9a-f]{64} a{15}$`),
    );
    expect(Buffer.byteLength(vethMark(net149, 'c'.repeat(400), 'a'.repeat(15)))).toBe(254);
    const net150 = 'n'.repeat(150);
    expect(vethMark(net150, 'c'.repeat(400), 'eth0')).toMatch(new RegExp(`^netns-native-cni ${net150} sha256:`));
    for (const [net, id] of [
      [net150, 'c'.repeat(400)],
      ['n'.repeat(1000), 'c'],
    ] as const) {
      const mark = vethMark(net, id, 'a'.repeat(15));
      expect(mark).toMatch(/^netns-native-cni sha256:[0-9a-f]{64} sha256:[0-9a-f]{64} a{15}$/);
      expect(Buffer.byteLength(mark)).toBe(176);
    }
    expect(vethMark('n'.repeat(1000), 'c', 'eth0')).not.toBe(vethMark('n'.repeat(1001), 'c', 'eth0'));
  });

  // The spec: a code-2 message "must contain the key and value of the unsupported field"; ours
  // say the field and the value for code 7 too, each once.
  test('invalid (7) and unsupported (2) configurations: the message names the field and its value, once', () => {
    const refused = (conf: Record<string, unknown>): [number, string] | undefined => {
      const stdin = JSON.stringify({ cniVersion: '1.0.0', name: 'n', ...conf });
      try {
        const call = readCall(env, stdin, BRIDGE_ARGS);
        parseBridgeConf(call.conf, call.args);
        if ((call.conf.ipam as { type?: string } | undefined)?.type === 'host-local') parseHostLocalConf(call);
      } catch (e) {
        if (e instanceof CniError) return [e.code, e.message];
        throw e;
      }
      return undefined;
    };
    const hl = (ipam: Record<string, unknown>) => ({
      ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.56.0/24' }]], ...ipam },
    });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ vlan: 10 }, 2, '"vlan": 10 is not supported by netns-native-cni (only 0)'],
      [
        { vlanTrunk: [{ id: 10 }] },
        2,
        '"vlanTrunk": VLANs are not supported by netns-native-cni (they need VLAN filtering on the bridge; only an empty list)',
      ],
      [
        { ipMasq: true, ipMasqBackend: 'iptables' },
        2,
        '"ipMasqBackend": "iptables" is not supported by netns-native-cni, which masquerades with nftables only (use "nftables" or leave it out)',
      ],
      [{ macspoofchk: 'yes' }, 7, '"macspoofchk" must be true or false, not "yes"'],
      [{ portIsolation: 1 }, 7, '"portIsolation" must be true or false, not 1'],
      [{ disableContainerInterface: 'true' }, 7, '"disableContainerInterface" must be true or false, not "true"'],
      [{ preserveDefaultVlan: 0 }, 7, '"preserveDefaultVlan" must be true or false, not 0'],
      [{ ipMasqBackend: 5 }, 7, '"ipMasqBackend" must be a string, not 5'],
      [
        { ipMasq: true, ipMasqBackend: 'ebtables' },
        7,
        '"ipMasqBackend": unknown ipmasq backend "ebtables" (iptables or nftables)',
      ],
      [{ vlanTrunk: { id: 10 } }, 7, '"vlanTrunk" must be a list, not {"id":10}'],
      [{ vlanTrunk: [5] }, 7, '"vlanTrunk[]" must be an object, not 5'],
      [{ vlanTrunk: [{ id: 4095 }] }, 7, '"vlanTrunk": incorrect trunk id parameter 4095 (must be between 1 and 4094)'],
      [{ vlanTrunk: [{ id: '10' }] }, 7, '"vlanTrunk": id must be an integer, not "10"'],
      [
        { vlanTrunk: [{ minID: 10 }] },
        7,
        '"vlanTrunk": minID and maxID should be configured simultaneously, maxID is missing',
      ],
      [{ vlanTrunk: [{ minID: 20, maxID: 10 }] }, 7, '"vlanTrunk": minID is greater than maxID in trunk parameter'],
      [
        hl({ routes: [{ dst: '198.19.0.0/16', mtu: 1400 }] }),
        2,
        '"ipam.routes[0].mtu": 1400 is not supported by netns-native-cni',
      ],
      [{ vlan: 5000 }, 7, '"vlan": invalid VLAN ID 5000 (must be between 0 and 4094)'],
      [
        { hairpinMode: true, promiscMode: true },
        7,
        '"hairpinMode": true and "promiscMode": true: cannot set hairpin mode and promiscuous mode at the same time',
      ],
      [{ ipam: 'host-local' }, 7, '"ipam" must be an object, not "host-local"'],
      [{ runtimeConfig: [] }, 7, '"runtimeConfig" must be an object, not []'],
      [{ ipam: { type: 5 } }, 7, '"ipam.type" must be a string, not 5'],
      [{ dns: { search: 'example.test' } }, 7, '"dns.search" must be a list of strings, not "example.test"'],
      [{ name: 'a/b' }, 7, 'invalid characters found in network name "a/b"'],
      [
        hl({ ranges: [['198.18.56.0/24']] }),
        7,
        'invalid range set 0: a range must be an object with a "subnet", not "198.18.56.0/24"',
      ],
      [hl({ ranges: [[]] }), 7, 'invalid range set 0: empty range set: []'],
      [
        hl({ ranges: [{ subnet: '198.18.56.0/24' }] }),
        7,
        'invalid range set 0: a range set must be a list of ranges, not {"subnet":"198.18.56.0/24"}',
      ],
      [
        hl({ ranges: [[{ subnet: '198.18.56.1/24' }]] }),
        7,
        'invalid range set 0: Network 198.18.56.1/24 has host bits set. For a subnet mask of length 24 the network address is 198.18.56.0',
      ],
      [
        hl({ ranges: [[{ subnet: '198.18.56.0/24', gateway: 'fd00::1' }]] }),
        7,
        'invalid range set 0: "gateway" fd00::1 is not an IPv4 address, as the subnet 198.18.56.0/24 is',
      ],
      [
        hl({ ranges: [[{ subnet: '198.18.56.0/24' }, { subnet: 'fd00:56::/64' }]] }),
        7,
        'invalid range set 0: mixed address families: 198.18.56.0/24, fd00:56::/64',
      ],
      [
        hl({ ranges: [[{ subnet: '198.18.56.0/24' }], [{ subnet: '198.18.56.0/25' }]] }),
        7,
        'range set 0 (198.18.56.1-198.18.56.254) overlaps with range set 1 (198.18.56.1-198.18.56.126)',
      ],
      [hl({ ranges: undefined }), 7, 'no IP ranges specified (no "ipam.ranges", no "ipam.subnet")'],
      [hl({ ranges: 'x' }), 7, '"ipam.ranges" must be a list, not "x"'],
      [hl({ routes: { dst: '0.0.0.0/0' } }), 7, '"ipam.routes" must be a list, not {"dst":"0.0.0.0/0"}'],
      [hl({ dataDir: 5 }), 7, '"ipam.dataDir" must be a string, not 5'],
      [hl({ resolvConf: true }), 7, '"ipam.resolvConf" must be a string, not true'],
    ];
    for (const [conf, c, msg] of cases) expect([conf, refused(conf)]).toEqual([conf, [c, msg]]);
    // What the reference accepts and this plugin can honour (or that has no effect in either).
    const accepted: Array<Record<string, unknown>> = [
      { macspoofchk: true, portIsolation: true, disableContainerInterface: true },
      { vlanTrunk: [] },
      { vlanTrunk: null, preserveDefaultVlan: true }, // preserveDefaultVlan acts only with a VLAN
      { ipMasqBackend: 'iptables' }, // read only with ipMasq, as the reference reads it
      { ipMasq: true, ipMasqBackend: 'nftables' },
    ];
    for (const conf of accepted) expect([conf, refused(conf)]).toEqual([conf, undefined]);
  });

  // Go's net.IPNet prints ::ffff:a.b.c.d/N as a.b.c.d/(N-96), and the reference installs that
  // route; below /96 it keeps only the mask's last 32 bits (::ffff:0:0/80 is 0.0.0.0/0).
  test('host-local routes: an IPv4-mapped IPv6 destination is the IPv4 route; below /96 it is refused (7)', () => {
    const routesOf = (routes: unknown) =>
      parseHostLocalConf(
        readCall(
          env,
          JSON.stringify({
            cniVersion: '1.0.0',
            name: 'n',
            ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.56.0/24' }]], routes },
          }),
          BRIDGE_ARGS,
        ),
      ).routes;
    expect(
      routesOf([
        { dst: '::ffff:198.19.0.0/112' },
        { dst: '::ffff:198.19.0.7/128', gw: '::ffff:198.18.56.9' },
        { dst: '::ffff:0:0/96' },
        { dst: 'fd00:99::/64', gw: 'fd00:56::1' },
      ]),
    ).toEqual([
      { dst: '198.19.0.0/16' },
      { dst: '198.19.0.7/32', gw: '198.18.56.9' },
      { dst: '0.0.0.0/0' },
      { dst: 'fd00:99::/64', gw: 'fd00:56::1' },
    ]);
    expect(code(() => routesOf([{ dst: '::ffff:0:0/80' }]))).toBe(7);
    expect(code(() => routesOf([{ dst: '::ffff:198.19.0.0/95' }]))).toBe(7);
    expect(code(() => routesOf([{ dst: '::ffff:198.19.0.0/112', gw: 'fd00:56::1' }]))).toBe(7);
  });

  test('host-local STATUS and GC on a dataDir that cannot be made: the path and the reason, each once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-cni-status-'));
    try {
      fs.writeFileSync(path.join(dir, 'a-file'), '');
      const conf: HostLocalConf = {
        name: 'n',
        dataDir: path.join(dir, 'a-file', 'below'),
        rangeSets: [],
        routes: [],
        resolvConf: undefined,
        requested: [],
      };
      const want = `host-local: cannot open ${path.join(dir, 'a-file', 'below', 'n')}: ENOTDIR: not a directory`;
      await expect(hostLocalStatus(conf)).rejects.toMatchObject({ code: 50, message: want });
      await expect(hostLocalGc(conf, [])).rejects.toMatchObject({ code: 5, message: want });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("host-local ranges: start and end inside the subnet, the start not after the end (7, the reference's messages)", () => {
    const refused = (...set: Array<Record<string, unknown>>): [number, string] | undefined => {
      const stdin = JSON.stringify({ cniVersion: '1.0.0', name: 'n', ipam: { type: 'host-local', ranges: [set] } });
      try {
        parseHostLocalConf(readCall(env, stdin, BRIDGE_ARGS));
      } catch (e) {
        if (e instanceof CniError) return [e.code, e.message];
        throw e;
      }
      return undefined;
    };
    const subnet = '198.18.56.0/29';
    // As the reference (1.1.1) words it: the start is checked against the subnet and the end.
    expect(refused({ subnet, rangeStart: '198.18.56.5', rangeEnd: '198.18.56.3' })).toEqual([
      7,
      'invalid range set 0: RangeStart 198.18.56.5 not in network 198.18.56.0/29',
    ]);
    expect(refused({ subnet, rangeEnd: '198.18.56.0' })).toEqual([
      7,
      'invalid range set 0: RangeEnd 198.18.56.0 not in network 198.18.56.0/29',
    ]);
    expect(refused({ subnet: 'fd00:56::/120', rangeStart: 'fd00:56::9', rangeEnd: 'fd00:56::3' })).toEqual([
      7,
      'invalid range set 0: RangeStart fd00:56::9 not in network fd00:56::/120',
    ]);
    // A start after the default end (the broadcast address): the reference takes it and hands
    // out the broadcast address, then addresses outside the subnet; ours refuses it.
    expect(refused({ subnet, rangeStart: '198.18.56.7' })).toEqual([
      7,
      'invalid range set 0: RangeStart 198.18.56.7 not in network 198.18.56.0/29 (after its last usable address 198.18.56.6)',
    ]);
    expect(refused({ subnet, rangeStart: '198.18.57.1' })?.[0]).toBe(7);
    // In a set of several ranges, the message names the range.
    expect(
      refused({ subnet }, { subnet: '198.18.57.0/29', rangeStart: '198.18.57.6', rangeEnd: '198.18.57.2' }),
    ).toEqual([7, 'invalid range set 0, range 1: RangeStart 198.18.57.6 not in network 198.18.57.0/29']);
    expect(refused({ subnet, rangeStart: '198.18.56.4', rangeEnd: '198.18.56.4' })).toBeUndefined();
    expect(refused({ subnet, rangeStart: '198.18.56.6' })).toBeUndefined();
  });

  test("host-local's walk never leaves [rangeStart, rangeEnd], whatever the range or last_reserved_ip", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-cni-walk-'));
    try {
      const range = (start: number, end: number) => ({
        family: 4 as const,
        base: 0xc6123800n, // 198.18.56.0/29
        prefixLength: 29,
        start: 0xc6123800n + BigInt(start),
        end: 0xc6123800n + BigInt(end),
        gateway: 0xc6123801n,
      });
      const conf = (name: string, start: number, end: number): HostLocalConf => ({
        name,
        dataDir,
        rangeSets: [[range(start, end)]],
        routes: [],
        resolvConf: undefined,
        requested: [],
      });
      const reserved = (name: string) =>
        fs
          .readdirSync(path.join(dataDir, name))
          .filter((f) => f.startsWith('198.'))
          .sort();
      const failure = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e: CniError) => [e.code, e.message],
        );
      // A range that ends before it starts (parseHostLocalConf refuses one; this one is made by
      // hand) has no address to give: nothing is reserved, and STATUS says so.
      const empty = conf('empty', 5, 3);
      expect(await failure(hostLocalAdd(empty, 'c1', 'eth0'))).toEqual([
        999,
        'failed to allocate for range 0: no IP addresses available in range set: 198.18.56.5-198.18.56.3',
      ]);
      expect(reserved('empty')).toEqual([]);
      expect((await failure(hostLocalStatus(empty)))?.[0]).toBe(50);
      // A last reserved address outside the range (the range narrowed since): the walk starts
      // at rangeStart and stops at rangeEnd.
      const narrow = conf('narrow', 5, 6);
      fs.mkdirSync(path.join(dataDir, 'narrow'));
      fs.writeFileSync(path.join(dataDir, 'narrow', 'last_reserved_ip.0'), '198.18.56.7');
      const got: string[] = [];
      for (const id of ['c1', 'c2']) got.push(...(await hostLocalAdd(narrow, id, 'eth0')).ips.map((i) => i.address));
      expect(got).toEqual(['198.18.56.5/29', '198.18.56.6/29']);
      expect((await failure(hostLocalAdd(narrow, 'c3', 'eth0')))?.[1]).toMatch(/no IP addresses available/);
      expect(reserved('narrow')).toEqual(['198.18.56.5', '198.18.56.6']);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
