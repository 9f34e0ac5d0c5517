/**
 * Rules as requests, without the kernel: what ruleRequest() sends is what native/test/core_test.cc
 * checks byte for byte against iproute2 (TestL3mdevRuleMatchesIproute2, TestRuleProtocolMatchesIproute2).
 */
import { ruleFromNative, ruleRequest } from '../../lib/rule';

describe('ruleRequest', () => {
  it('an add sends a protocol only when given one, as `ip rule add` (TestRuleMatchesIproute2)', () => {
    const spec = { from: '198.18.5.0/24', table: 100, priority: 1000 };
    const sent = { family: 2, src: '198.18.5.0', srcLen: 24, table: 100, priority: 1000, action: 1 };
    expect(ruleRequest(spec, false, 'op')).toEqual(sent);
    expect(ruleRequest({ ...spec, protocol: 'static' }, false, 'op')).toEqual({ ...sent, protocol: 4 });
    expect(ruleRequest({ ...spec, protocol: 'static' }, true, 'op')).toMatchObject({ protocol: 4 });
  });

  it('an l3mdev rule: no table, as `ip rule add priority 1000 l3mdev`; a delete matches it', () => {
    expect(ruleRequest({ l3mdev: true, priority: 1000 }, false, 'op')).toEqual({
      family: 2,
      priority: 1000,
      l3mdev: 1,
      action: 1,
    });
    expect(ruleRequest({ l3mdev: true, priority: 1000 }, true, 'op')).toEqual({ family: 2, priority: 1000, l3mdev: 1 });
    expect(ruleRequest({ l3mdev: false, priority: 1000 }, false, 'op')).toMatchObject({ table: 254 });
    expect(() => ruleRequest({ l3mdev: true, table: 10 }, false, 'op')).toThrow(/takes no table/);
  });

  it('an l3mdev rule read back', () => {
    const native = {
      family: 10,
      dstLen: 0,
      srcLen: 0,
      tos: 0,
      action: 1,
      table: 0,
      flags: 0,
      priority: 1000,
      iifname: '',
      oifname: '',
    };
    expect(ruleFromNative({ ...native, l3mdev: 1, protocol: 3 })).toEqual({
      family: 6,
      priority: 1000,
      l3mdev: true,
      action: 'lookup',
      protocol: 'boot',
    });
    expect(ruleFromNative({ ...native, table: 254 })).not.toHaveProperty('l3mdev');
  });
});
