/**
 * The CNI protocol without the kernel (lib/cni/spec.ts, config.ts): version negotiation, the
 * checks libcni makes before a plugin runs, CNI_ARGS, and the result in each version's shape.
 */
import { parseBridgeConf } from '../../lib/cni/config';
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
    expect(code(() => parseBridgeConf({ ...base, isGateway: 'yes' }, new Map()))).toBe(7);
    expect(code(() => parseBridgeConf({ ...base, runtimeConfig: { mac: '01:00:00:00:00:01' } }, new Map()))).toBe(7);
    expect(code(() => parseBridgeConf({ ...base, vlan: 3 }, new Map()))).toBe(2);
  });
});
