import { NetnsError, VethPair, type Namespace, type Rule, type RulesOptions, type RuleSpec } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, rules, snapshot, type IpRule } from '../helpers/ip';
import { describeKernel, itIf, kernelHasL3mdevRules } from '../helpers/skip';

const hasL3mdev = kernelHasL3mdevRules();
const noL3mdev = 'the kernel lacks CONFIG_NET_L3_MASTER_DEV (`ip rule add l3mdev` is refused)';

/** Back to a namespace's default rules: every rule flushed, main and default (IPv4), main (IPv6) added. */
async function restoreDefaultRules(ns: Namespace): Promise<void> {
  await ns.flushRules();
  for (const family of [4, 6] as const) {
    await ns.addRule({ family, table: 'main', priority: 32766 });
    if (family === 4) await ns.addRule({ family, table: 'default', priority: 32767 });
  }
}

describeKernel('rules', () => {
  it("a new namespace has the kernel's rules, read as `ip rule` shows them", async () => {
    const ns = await freshNamespace();
    const mine = await ns.rules();
    const w4 = rules(ns.name, 4);
    const w6 = rules(ns.name, 6);
    expect(mine.filter((r) => r.family === 4).map((r) => r.priority)).toEqual(w4.map((r) => r.priority));
    expect(mine.filter((r) => r.family === 6).map((r) => r.priority)).toEqual(w6.map((r) => r.priority));
    expect(mine).toEqual(
      expect.arrayContaining([
        { family: 4, priority: 0, table: 255, tableName: 'local', action: 'lookup', protocol: 'kernel' },
        { family: 4, priority: 32766, table: 254, tableName: 'main', action: 'lookup', protocol: 'kernel' },
        { family: 4, priority: 32767, table: 253, tableName: 'default', action: 'lookup', protocol: 'kernel' },
      ]),
    );
    expect((await ns.rules({ family: 6 })).every((r) => r.family === 6)).toBe(true);
  });

  it('addRule() adds what `ip rule` then shows; deleteRule() removes it', async () => {
    const ns = await freshNamespace();
    await ns.addRule({ from: '198.18.5.0/24', table: 100, priority: 1000 });
    await ns.addRule({ to: 'fd00:5::/64', table: 1000, priority: 1001 });
    const { local } = await VethPair.create({ name: uniqueName('r'), peerName: uniqueName('s'), namespace: ns });
    await ns.addRule({
      iif: local,
      fwmark: 7,
      fwmask: 0xff,
      ipProto: 'tcp',
      dport: [80, 90],
      table: 101,
      priority: 1002,
    });
    await ns.addRule({ to: '198.18.6.0/24', not: true, action: 'blackhole', priority: 1003 });
    await ns.addRule({ oif: 'nosuch0', sport: 53, ipProto: 17, action: 'goto', goto: 1000, priority: 999 });
    expect(rules(ns.name, 4)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ priority: 1000, src: '198.18.5.0', srclen: 24, table: '100' }),
        expect.objectContaining({
          priority: 1002,
          iif: local.name,
          fwmark: '0x7',
          fwmask: '0xff',
          ipproto: 'tcp',
          dport_start: 80,
          dport_end: 90,
          table: '101',
        }),
        expect.objectContaining({ priority: 1003, not: null, dst: '198.18.6.0', dstlen: 24, action: 'blackhole' }),
        expect.objectContaining({ priority: 999, oif: 'nosuch0', ipproto: 'udp', sport: 53, goto: 1000 }),
      ]),
    );
    expect(rules(ns.name, 6)).toEqual(
      expect.arrayContaining([expect.objectContaining({ priority: 1001, dst: 'fd00:5::', dstlen: 64, table: '1000' })]),
    );
    const mine = await ns.rules();
    expect(mine).toEqual(
      expect.arrayContaining([
        { family: 4, priority: 1000, from: '198.18.5.0/24', table: 100, action: 'lookup', protocol: 'unspec' },
        { family: 6, priority: 1001, to: 'fd00:5::/64', table: 1000, action: 'lookup', protocol: 'unspec' },
        expect.objectContaining({
          priority: 1002,
          iif: local.name,
          fwmark: 7,
          fwmask: 0xff,
          ipProto: 'tcp',
          dport: [80, 90],
          table: 101,
        }),
        expect.objectContaining({ priority: 1003, to: '198.18.6.0/24', not: true, action: 'blackhole' }),
        expect.objectContaining({
          priority: 999,
          oif: 'nosuch0',
          ipProto: 'udp',
          sport: 53,
          action: 'goto',
          goto: 1000,
        }),
      ]),
    );
    // Each rule read back deletes exactly itself.
    for (const r of mine.filter((x) => x.protocol !== 'kernel')) await ns.deleteRule(r);
    expect(rules(ns.name, 4).map((r) => r.priority)).toEqual([0, 32766, 32767]);
    expect(rules(ns.name, 6).map((r) => r.priority)).toEqual([0, 32766]);
  });

  it('addRule() makes the rule `ip rule add` makes: `ip -d rule` shows them alike, protocol included', async () => {
    // The same rules, once through ip and once through us, each in a namespace of its own.
    const byIp = await freshNamespace();
    const byUs = await freshNamespace();
    ip(byIp.name, 'rule', 'add', 'from', '198.18.5.0/24', 'table', '100', 'priority', '1000');
    ip(byIp.name, '-6', 'rule', 'add', 'to', 'fd00:5::/64', 'table', '100', 'priority', '1000');
    ip(byIp.name, 'rule', 'add', 'fwmark', '7', 'table', '101', 'priority', '1001', 'protocol', 'static');
    await byUs.addRule({ from: '198.18.5.0/24', table: 100, priority: 1000 });
    await byUs.addRule({ to: 'fd00:5::/64', table: 100, priority: 1000 });
    await byUs.addRule({ fwmark: 7, table: 101, priority: 1001, protocol: 'static' });
    const detailed = (ns: string | undefined, family: string) => ipJson<IpRule[]>(ns, '-d', family, 'rule', 'show');
    for (const family of ['-4', '-6']) {
      expect(detailed(byUs.name, family)).toEqual(detailed(byIp.name, family));
    }
    // No protocol given: none stored ('unspec', which `ip rule` shows only with -d).
    expect(detailed(byUs.name, '-4').find((r) => r.priority === 1000)).toMatchObject({ protocol: 'unspec' });
    expect(rules(byUs.name, 4).find((r) => r.priority === 1000)).not.toHaveProperty('protocol');
    const listed = (await byUs.rules()).filter((r) => r.protocol !== 'kernel');
    expect(listed).toEqual([
      { family: 4, priority: 1000, from: '198.18.5.0/24', table: 100, action: 'lookup', protocol: 'unspec' },
      { family: 4, priority: 1001, fwmark: 7, table: 101, action: 'lookup', protocol: 'static' },
      { family: 6, priority: 1000, to: 'fd00:5::/64', table: 100, action: 'lookup', protocol: 'unspec' },
    ]);
    // What rules() lists deletes as it is, a rule made with protocol boot (what addRule() used
    // to send by default) included; so does a rule given without its protocol.
    await byUs.addRule({ from: '198.18.6.0/24', table: 100, priority: 1002, protocol: 'boot' });
    for (const r of await byUs.rules()) if (r.protocol !== 'kernel' && r.priority !== 1001) await byUs.deleteRule(r);
    await byUs.deleteRule({ fwmark: 7, table: 101, priority: 1001 });
    expect(rules(byUs.name, 4).map((r) => r.priority)).toEqual([0, 32766, 32767]);
    expect(rules(byUs.name, 6).map((r) => r.priority)).toEqual([0, 32766]);
  });

  it('what `ip rule add` makes reads back, and deletes by what was given', async () => {
    const ns = await freshNamespace();
    ip(
      ns.name,
      'rule',
      'add',
      'from',
      '198.18.7.0/24',
      'to',
      '198.18.8.0/24',
      'tos',
      '0x10',
      'lookup',
      '200',
      'priority',
      '500',
    );
    expect(await ns.rules({ family: 4 })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          priority: 500,
          from: '198.18.7.0/24',
          to: '198.18.8.0/24',
          tos: 0x10,
          table: 200,
          action: 'lookup',
        }),
      ]),
    );
    await ns.deleteRule({ priority: 500 });
    expect(rules(ns.name, 4).find((r) => r.priority === 500)).toBeUndefined();
  });

  it('fwmark 0 under a mask (packets with no mark) reads back as `ip rule` shows it; deletes and re-adds exactly', async () => {
    const ns = await freshNamespace();
    // Before them, a rule that matches every packet, with the same table: what a rule that lost
    // its fwmark would be taken for.
    ip(ns.name, 'rule', 'add', 'table', '101', 'priority', '300');
    ip(ns.name, 'rule', 'add', 'fwmark', '0/0xffffffff', 'table', '101', 'priority', '301');
    ip(ns.name, 'rule', 'add', 'fwmark', '0/0xff', 'table', '101', 'priority', '302');
    const witness = rules(ns.name, 4);
    const ours = (list: { priority: number }[]) => list.filter((r) => r.priority >= 300 && r.priority <= 302);
    expect(ours(witness)).toEqual([
      { priority: 300, src: 'all', table: '101' },
      { priority: 301, src: 'all', fwmark: '0', table: '101' },
      { priority: 302, src: 'all', fwmark: '0', fwmask: '0xff', table: '101' },
    ]);
    // (The `ip rule add` here sets no protocol: 'unspec'.)
    const listed = ours(await ns.rules({ family: 4 }));
    expect(listed).toEqual([
      { family: 4, priority: 300, table: 101, action: 'lookup', protocol: 'unspec' },
      { family: 4, priority: 301, fwmark: 0, table: 101, action: 'lookup', protocol: 'unspec' },
      { family: 4, priority: 302, fwmark: 0, fwmask: 0xff, table: 101, action: 'lookup', protocol: 'unspec' },
    ]);
    // Without its priority, a listed rule still deletes itself, not the match-all rule before it
    // (as `ip rule del fwmark 0/0xffffffff table 101`).
    const [, noMark, lowBits] = listed as [Rule, Rule, Rule];
    const { priority: _p, ...anyPriority } = noMark;
    await ns.deleteRule(anyPriority);
    expect(ours(rules(ns.name, 4)).map((r) => r.priority)).toEqual([300, 302]);
    await ns.deleteRule(lowBits);
    expect(ours(rules(ns.name, 4)).map((r) => r.priority)).toEqual([300]);
    // Added again from what was listed: what `ip rule` showed before.
    await ns.addRule(noMark);
    await ns.addRule(lowBits);
    expect(rules(ns.name, 4)).toEqual(witness);
  });

  itIf(hasL3mdev, noL3mdev)(
    'l3mdev: `ip rule` shows the rules we add; ours reads those `ip rule add l3mdev` makes',
    async () => {
      const ns = await freshNamespace();
      await ns.addRule({ l3mdev: true, priority: 1000 });
      await ns.addRule({ l3mdev: true, priority: 1000, family: 6 });
      expect(rules(ns.name, 4).find((r) => r.priority === 1000)).toEqual({
        priority: 1000,
        src: 'all',
        l3mdev: null,
      });
      expect(rules(ns.name, 6).find((r) => r.priority === 1000)).toEqual({
        priority: 1000,
        src: 'all',
        l3mdev: null,
      });
      ip(ns.name, 'rule', 'add', 'l3mdev', 'priority', '1001', 'from', '198.18.9.0/24');
      const listed = (await ns.rules()).filter((r) => r.priority >= 1000 && r.priority <= 1001);
      expect(listed).toEqual([
        { family: 4, priority: 1000, l3mdev: true, action: 'lookup', protocol: 'unspec' },
        { family: 4, priority: 1001, from: '198.18.9.0/24', l3mdev: true, action: 'lookup', protocol: 'unspec' },
        { family: 6, priority: 1000, l3mdev: true, action: 'lookup', protocol: 'unspec' },
      ]);
      // A listed rule deletes exactly itself; one given by its selectors too.
      await ns.deleteRule(listed[1] as Rule);
      await ns.deleteRule({ l3mdev: true, family: 6 });
      expect(
        rules(ns.name, 4)
          .filter((r) => r.l3mdev === null)
          .map((r) => r.priority),
      ).toEqual([1000]);
      expect(rules(ns.name, 6).filter((r) => r.l3mdev === null)).toEqual([]);
      // An l3mdev rule takes no table: refused before any syscall (the kernel would say EINVAL).
      const before = snapshot(ns.name);
      for (const [spec, message] of [
        [{ l3mdev: true, table: 100 }, /an l3mdev rule .* takes no table/],
        [{ l3mdev: 'yes' as never }, /l3mdev must be true or false/],
      ] as Array<[RuleSpec, RegExp]>) {
        await expect(ns.addRule(spec)).rejects.toMatchObject({
          code: 'EINVAL',
          message: expect.stringMatching(message),
        });
      }
      expect(snapshot(ns.name)).toBe(before);
    },
  );

  it('a rule the kernel holds but cannot act on yet reads back so (ip rule: [detached], [unresolved]), and changes as it can', async () => {
    const ns = await freshNamespace();
    await ns.addRule({ iif: 'nnt-in0', oif: 'nnt-out0', table: 100, priority: 1000 });
    await ns.addRule({ action: 'goto', goto: 2000, priority: 1001 });
    const byPriority = async (p: number): Promise<Rule | undefined> =>
      (await ns.rules({ family: 4 })).find((r) => r.priority === p);
    expect(await byPriority(1000)).toMatchObject({
      iif: 'nnt-in0',
      oif: 'nnt-out0',
      iifDetached: true,
      oifDetached: true,
    });
    expect(await byPriority(1001)).toMatchObject({ action: 'goto', goto: 2000, unresolved: true });
    const witness = rules(ns.name, 4) as Array<IpRule & Record<string, unknown>>;
    expect(witness.find((r) => r.priority === 1000)).toMatchObject({ iif_detached: null, oif_detached: null });
    expect(witness.find((r) => r.priority === 1001)).toMatchObject({ unresolved: null });
    // The link comes, the target rule too: the marks go.
    await VethPair.create({ name: 'nnt-in0', peerName: 'nnt-out0', namespace: ns });
    await ns.addRule({ table: 101, priority: 2000 });
    const now = await byPriority(1000);
    expect([now?.iifDetached, now?.oifDetached, (await byPriority(1001))?.unresolved]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('realms: addRule() sets them as `ip rule ... realms` does, rules() reads them back, deleteRule() matches them', async () => {
    const ns = await freshNamespace();
    await ns.addRule({ from: '198.19.84.0/24', table: 5, priority: 200, realm: 7 });
    await ns.addRule({ from: '198.19.85.0/24', table: 5, priority: 201, realm: 'cosmos', sourceRealm: 3 });
    await ns.addRule({ to: '198.19.86.0/24', table: 5, priority: 202, realm: 300 });
    const witness = new Map(
      ipJson<Array<IpRule & { flow_from?: string; flow_to?: string }>>(ns.name, 'rule', 'show').map((r) => [
        r.priority,
        r,
      ]),
    );
    expect(witness.get(200)).toMatchObject({ flow_to: '7' });
    expect(witness.get(200)).not.toHaveProperty('flow_from');
    expect(witness.get(201)).toMatchObject({ flow_from: '3', flow_to: 'cosmos' });
    expect(witness.get(202)).toMatchObject({ flow_to: '300' });
    const mine = new Map((await ns.rules({ family: 4 })).map((r) => [r.priority, r]));
    expect(mine.get(200)).toMatchObject({ realm: 7 });
    expect(mine.get(200)).not.toHaveProperty('sourceRealm');
    expect(mine.get(201)).toMatchObject({ realm: 0, sourceRealm: 3 });
    expect(mine.get(202)).toMatchObject({ realm: 300 });
    // Other realms: no such rule; its own: gone. A listed rule deletes as it is.
    await expect(ns.deleteRule({ priority: 200, realm: 8 })).rejects.toMatchObject({ code: 'ENOENT' });
    await ns.deleteRule({ realm: 0, sourceRealm: 3 });
    await ns.deleteRule(mine.get(202) as Rule);
    expect(rules(ns.name, 4).map((r) => r.priority)).toEqual([0, 200, 32766, 32767]);
    await expect(ns.addRule({ family: 6, table: 5, realm: 1 })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/realms .* are for IPv4 rules only/),
    });
  });

  it('bad values are refused before any syscall; kernel refusals change nothing', async () => {
    const ns = await freshNamespace();
    await ns.addRule({ from: '198.18.5.0/24', table: 100, priority: 1000 });
    const before = snapshot(ns.name);
    const invalid: Array<[RuleSpec, RegExp]> = [
      [{ from: '198.18.5.0/33', table: 100 }, /invalid prefix length/],
      [{ from: '198.18.5.0/24', to: 'fd00::/64' }, /is IPv6 but the rule is IPv4/],
      [{ from: 'fd00::/64', family: 4 }, /is IPv6 but the rule is IPv4/],
      [{ action: 'drop' as never }, /unknown rule action "drop"/],
      [{ action: 'goto' }, /needs a goto target/],
      [{ table: 0 }, /the table must be an integer from 1/],
      [{ protocol: '010' }, /ip reads a leading 0 as octal, 8/],
      [{ fwmask: 0xff }, /fwmask needs fwmark/],
      [{ dport: [90, 80] }, /range 90-80 is empty/],
      [{ ipProto: 'nnt-noproto' }, /unknown IP protocol "nnt-noproto"/],
      [{ iif: 'a/b' }, /contains '\/', ':' or whitespace/],
      [{ priority: -1 }, /the priority must be an integer/],
      [{ family: 5 as 4 }, /family must be 4 or 6/],
    ];
    for (const [spec, message] of invalid) {
      const e = await ns.addRule(spec).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(message) });
    }
    await expect(ns.rules({ family: 5 as 4 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(ns.addRule({ from: '198.18.5.0/24', table: 100, priority: 1000 })).rejects.toMatchObject({
      code: 'EEXIST',
      message: expect.stringMatching(/that rule already exists/),
    });
    await expect(ns.deleteRule({ from: '198.18.9.0/24', table: 100 })).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/no such rule/),
    });
    expect(snapshot(ns.name)).toBe(before);
  });

  it('flushRules() deletes what `ip rule flush` deletes with the same filters, both families', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: uniqueName('r'), peerName: uniqueName('s'), namespace: ns });
    const fill = async (): Promise<void> => {
      await ns.addRule({ from: '198.18.6.0/24', table: 100, priority: 100 });
      await ns.addRule({ to: '198.18.7.0/24', table: 200, priority: 200, protocol: 'static' });
      await ns.addRule({ iif: local, fwmark: 5, table: 100, priority: 300 });
      await ns.addRule({ from: 'fd00:6::/64', table: 100, priority: 100 });
      await ns.addRule({ to: 'fd00:7::/64', table: 200, priority: 400, protocol: 'static' });
    };
    const shown = (): string[] =>
      [4, 6].flatMap((f) => rules(ns.name, f as 4 | 6).map((r) => `${f}:${r.priority}:${r.table ?? ''}`));
    const listed = (list: Rule[]): string[] =>
      list.map((r) => `${r.family}:${r.priority}:${r.tableName ?? String(r.table ?? '')}`);
    const start = shown();
    const cases: Array<[Parameters<typeof ns.flushRules>[0], string[]]> = [
      [{}, []],
      [{ table: 100 }, ['table', '100']],
      [{ priority: 200 }, ['pref', '200']],
      [{ protocol: 'static' }, ['protocol', 'static']],
    ];
    for (const [options, words] of cases) {
      await fill();
      const before = shown();
      for (const f of ['-4', '-6']) ip(ns.name, f, 'rule', 'flush', ...words);
      const left = shown();
      await restoreDefaultRules(ns);
      expect(shown()).toEqual(start);
      await fill();
      const removed = await ns.flushRules(options);
      expect(shown()).toEqual(left);
      expect(listed(removed).sort()).toEqual(before.filter((r) => !left.includes(r)).sort());
      await restoreDefaultRules(ns);
    }
    // Rule 0 (`lookup local`) stays whatever is asked.
    expect(await ns.flushRules({ priority: 0 })).toEqual([]);
    expect(rules(ns.name, 4)[0]).toMatchObject({ priority: 0, table: 'local' });
    const before = snapshot(ns.name);
    for (const bad of [{ table: 'nnt-notable' }, { priority: -1 }, { protocol: 'nope' }, { family: 5 }, { pref: 1 }]) {
      const err = await ns.flushRules(bad as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetnsError);
      expect(err).toMatchObject({ code: 'EINVAL' });
    }
    expect(snapshot(ns.name)).toBe(before);
  });
  describe('selectors (ip rule show|flush SELECTOR)', () => {
    // The same rules for every case: each selector has rules it takes and rules it leaves.
    const fill = async (ns: Namespace): Promise<void> => {
      await ns.addRule({ from: '198.19.135.0/24', table: 100, priority: 100 });
      await ns.addRule({ from: '198.19.135.7', to: '198.19.136.0/24', tos: '0x10', table: 101, priority: 101 });
      await ns.addRule({ from: '198.19.0.0/16', table: 100, priority: 102 });
      await ns.addRule({ to: '198.19.137.0/24', not: true, fwmark: 0x10, fwmask: 0xff, table: 102, priority: 103 });
      await ns.addRule({ fwmark: 0x10, table: 100, priority: 104 });
      await ns.addRule({ iif: 'nnt-a0', oif: 'nnt-b0', table: 103, priority: 105 });
      await ns.addRule({
        ipProto: 'tcp',
        sport: 80,
        dport: [1000, 2000],
        table: 100,
        priority: 106,
        protocol: 'static',
      });
      await ns.addRule({ uidRange: [100, 200], table: 104, priority: 107 });
      await ns.addRule({ fwmark: 0, table: 100, priority: 108 });
      await ns.addRule({ iif: 'nnt-b0', ipProto: 'udp', dport: 1000, table: 'main', priority: 109 });
      await ns.addRule({ from: 'fd00:a2::/48', table: 100, priority: 100 });
      await ns.addRule({ to: 'fd00:a2:1::/64', table: 101, priority: 101, protocol: 'static' });
      await ns.addRule({ from: 'fd00:a2:5::1', fwmark: 0x10, not: true, table: 100, priority: 102 });
      await ns.addRule({ to: 'fd00::/8', table: 100, priority: 103 });
      if (hasL3mdev) {
        await ns.addRule({ l3mdev: true, priority: 110 });
        await ns.addRule({ l3mdev: true, family: 6, priority: 110 });
      }
    };
    const keys = (list: Rule[]): string[] => list.map((r) => `${r.family}:${r.priority}`);
    /** `ip -j [-4|-6] rule show WORDS`, for each family asked, as the same keys. */
    const ipShows = (ns: string | undefined, families: Array<4 | 6>, words: string[]): string[] =>
      families.flatMap((f) => ipJson<IpRule[]>(ns, `-${f}`, 'rule', 'show', ...words).map((r) => `${f}:${r.priority}`));
    // [filter, ip's words, the families ip is asked (a prefix has one), what the filter selects]
    const cases: Array<[RulesOptions, string[], Array<4 | 6>, string[]]> = [
      [{ from: '198.19.135.0/24' }, ['from', '198.19.135.0/24'], [4], ['4:100', '4:101']],
      [{ from: '198.19.0.0/16' }, ['from', '198.19.0.0/16'], [4], ['4:100', '4:101', '4:102']],
      [{ from: '198.19.135.7' }, ['from', '198.19.135.7'], [4], ['4:101']],
      [{ to: '198.19.136.0/22' }, ['to', '198.19.136.0/22'], [4], ['4:101', '4:103']],
      [{ from: 'fd00:a2::/32' }, ['from', 'fd00:a2::/32'], [6], ['6:100', '6:102']],
      [{ to: 'fd00:a2::/32' }, ['to', 'fd00:a2::/32'], [6], ['6:101']],
      [{ to: 'fd00::/8' }, ['dst', 'fd00::/8'], [6], ['6:101', '6:103']],
      [{ tos: '0x10' }, ['tos', '0x10'], [4, 6], ['4:101']],
      [{ fwmark: 0x10 }, ['fwmark', '0x10'], [4, 6], ['4:103', '4:104', '6:102']],
      [{ fwmark: 0x10, fwmask: 0xff }, ['fwmark', '0x10/0xff'], [4, 6], ['4:103']],
      [{ iif: 'nnt-b0' }, ['iif', 'nnt-b0'], [4, 6], ['4:109']],
      [{ oif: 'nnt-b0' }, ['oif', 'nnt-b0'], [4, 6], ['4:105']],
      [{ priority: 101 }, ['pref', '101'], [4, 6], ['4:101', '6:101']],
      [{ priority: 0 }, ['priority', '0'], [4, 6], ['4:0', '6:0']],
      [{ table: 101 }, ['table', '101'], [4, 6], ['4:101', '6:101']],
      [{ table: 'main' }, ['lookup', 'main'], [4, 6], ['4:109', '4:32766', '6:32766']],
      [{ not: true }, ['not'], [4, 6], ['4:103', '6:102']],
      [{ uidRange: [100, 200] }, ['uidrange', '100-200'], [4, 6], ['4:107']],
      [{ ipProto: 'tcp' }, ['ipproto', 'tcp'], [4, 6], ['4:106']],
      [{ ipProto: 17 }, ['ipproto', '17'], [4, 6], ['4:109']],
      [{ sport: 80 }, ['sport', '80'], [4, 6], ['4:106']],
      [{ dport: [1000, 2000] }, ['dport', '1000-2000'], [4, 6], ['4:106']],
      [{ dport: 1000 }, ['dport', '1000'], [4, 6], ['4:109']],
      [{ family: 6, table: 100 }, ['table', '100'], [6], ['6:100', '6:102', '6:103']],
      [{ from: '198.19.135.0/24', table: 101 }, ['from', '198.19.135.0/24', 'table', '101'], [4], ['4:101']],
      [{ fwmark: 0x10, not: true }, ['fwmark', '0x10', 'not'], [4, 6], ['4:103', '6:102']],
    ];
    if (hasL3mdev) cases.push([{ l3mdev: true }, ['l3mdev'], [4, 6], ['4:110', '6:110']]);

    it('rules(filter) lists what `ip rule show SELECTOR` lists, in each family', async () => {
      const ns = await freshNamespace();
      await fill(ns);
      for (const [filter, words, families, selected] of cases) {
        const mine = keys(await ns.rules(filter));
        expect({ filter, mine }).toEqual({ filter, mine: ipShows(ns.name, families, words) });
        expect({ filter, mine }).toEqual({ filter, mine: selected });
      }
      // A prefix of length 0 selects every rule of its family, as ip's.
      const all4 = keys(await ns.rules({ family: 4 }));
      expect(keys(await ns.rules({ from: '0.0.0.0/0' }))).toEqual(all4);
      expect(ipShows(ns.name, [4], ['from', '0.0.0.0/0'])).toEqual(all4);
      expect(keys(await ns.rules({ from: 'all' }))).toEqual(keys(await ns.rules()));
      // false: the rules without.
      const all = keys(await ns.rules());
      const without = (selected: string[]) => all.filter((k) => !selected.includes(k));
      expect(keys(await ns.rules({ not: false }))).toEqual(without(['4:103', '6:102']));
      if (hasL3mdev) expect(keys(await ns.rules({ l3mdev: false }))).toEqual(without(['4:110', '6:110']));
      // Where ip differs, by its own words: `ip rule show` reads `protocol` but lists every rule
      // (the protocol is in -d's output), and takes `fwmark 0` for no selector.
      const detailed = [4, 6].flatMap((f) =>
        ipJson<Array<IpRule & { protocol: string }>>(ns.name, '-d', `-${f}`, 'rule', 'show').map((r) => ({
          key: `${f}:${r.priority}`,
          protocol: r.protocol,
        })),
      );
      for (const protocol of ['static', 'kernel', 'unspec']) {
        expect(keys(await ns.rules({ protocol }))).toEqual(
          detailed.filter((r) => r.protocol === protocol).map((r) => r.key),
        );
      }
      expect(ipShows(ns.name, [4, 6], ['protocol', 'static'])).toEqual(all);
      expect(keys(await ns.rules({ fwmark: 0 }))).toEqual(['4:108']);
      expect(ipShows(ns.name, [4], ['fwmark', '0'])).toEqual(all.filter((k) => k.startsWith('4:')));
      expect(rules(ns.name, 4).find((r) => r.priority === 108)).toMatchObject({ fwmark: '0' });
    });

    it('flushRules(filter) deletes what `ip rule flush SELECTOR` deletes', async () => {
      const ns = await freshNamespace();
      const shown = (): string[] => ipShows(ns.name, [4, 6], []);
      const start = shown();
      const flushes: Array<[RulesOptions, string[], Array<4 | 6>]> = [
        [{ from: '198.19.135.0/24' }, ['from', '198.19.135.0/24'], [4]],
        [{ to: 'fd00::/8' }, ['to', 'fd00::/8'], [6]],
        [{ fwmark: 0x10 }, ['fwmark', '0x10'], [4, 6]],
        [{ not: true }, ['not'], [4, 6]],
        [{ iif: 'nnt-b0', ipProto: 'udp' }, ['iif', 'nnt-b0', 'ipproto', 'udp'], [4, 6]],
        [{ table: 'main' }, ['table', 'main'], [4, 6]],
      ];
      for (const [filter, words, families] of flushes) {
        await fill(ns);
        const before = shown();
        for (const f of families) ip(ns.name, `-${f}`, 'rule', 'flush', ...words);
        const left = shown();
        expect(left.length).toBeLessThan(before.length);
        await restoreDefaultRules(ns);
        expect(shown()).toEqual(start);
        await fill(ns);
        const removed = await ns.flushRules(filter);
        expect({ filter, left: shown() }).toEqual({ filter, left });
        expect(keys(removed).sort()).toEqual(before.filter((k) => !left.includes(k)).sort());
        await restoreDefaultRules(ns);
      }
    });
  });

  describe("ip's readings of tables, IP protocols and protocols", () => {
    it('ipProto takes the names and aliases of /etc/protocols and decimal, as `ip rule add ipproto`; reads back the names ip prints', async () => {
      const ns = await freshNamespace();
      // Before: 'gre' was refused, and 47 read back as a number.
      await ns.addRule({ to: '198.19.113.0/24', ipProto: 'gre', table: 100, priority: 1100 });
      await ns.addRule({ to: '198.19.114.0/24', ipProto: 'IPSEC-ESP', table: 100, priority: 1101 }); // esp's alias
      await ns.addRule({ to: '198.19.115.0/24', ipProto: '89', table: 100, priority: 1102 });
      await ns.addRule({ to: '198.19.116.0/24', ipProto: 200, table: 100, priority: 1103 });
      await ns.addRule({ to: 'fd00:a7::/64', ipProto: 'icmpv6', table: 100, priority: 1104 });
      ip(ns.name, 'rule', 'add', 'to', '198.19.117.0/24', 'ipproto', 'GRE', 'table', '100', 'priority', '1105');
      const theirs = [...rules(ns.name, 4), ...rules(ns.name, 6)].filter((r) => r.ipproto !== undefined);
      expect(theirs.map((r) => [r.priority, r.ipproto])).toEqual([
        [1100, 'gre'],
        [1101, 'esp'],
        [1102, 'ospf'],
        [1103, 'ipproto-200'],
        [1105, 'gre'],
        [1104, 'ipv6-icmp'],
      ]);
      const mine = (await ns.rules()).filter((r) => r.ipProto !== undefined);
      // ip's names where it prints one; the number where it prints ipproto-N.
      expect(mine.map((r) => [r.priority, r.ipProto])).toEqual(
        theirs.map((r) => [r.priority, r.ipproto?.startsWith('ipproto-') ? Number(r.ipproto.slice(8)) : r.ipproto]),
      );
      // As a filter, as `ip rule show ipproto gre` (its alias too).
      const gre = ipJson<IpRule[]>(ns.name, 'rule', 'show', 'ipproto', 'gre').map((r) => r.priority);
      expect(gre).toEqual([1100, 1105]);
      expect((await ns.rules({ ipProto: 'GRE' })).map((r) => r.priority)).toEqual(gre);
      // A listed rule deletes as it is.
      for (const r of mine) await ns.deleteRule(r);
      expect([...rules(ns.name, 4), ...rules(ns.name, 6)].filter((r) => r.ipproto !== undefined)).toEqual([]);
    });

    it('a protocol in hex, as ip reads it (rules, routes, nexthops), and as a filter', async () => {
      const ns = await freshNamespace();
      const { local, peer } = await VethPair.create({
        name: uniqueName('r'),
        peerName: uniqueName('s'),
        namespace: ns,
      });
      await local.addAddress('198.19.118.1/24');
      await local.up();
      await peer.up(); // a nexthop's device needs its carrier
      // Before: '0x10' was "unknown route protocol".
      await ns.addRule({ to: '198.19.119.0/24', table: 100, priority: 1200, protocol: '0x10' });
      ip(ns.name, 'rule', 'add', 'to', '198.19.119.0/25', 'table', '100', 'priority', '1201', 'protocol', '0x10');
      await ns.addRoute({ destination: '198.19.119.0/24', link: local, protocol: '0xc8' });
      await ns.addNexthop({ id: 7, link: local, protocol: '0X10' });
      const detailed = ipJson<Array<IpRule & { protocol: string }>>(ns.name, '-d', 'rule', 'show');
      expect(
        detailed.filter((r) => r.priority >= 1200 && r.priority < 1300).map((r) => [r.priority, r.protocol]),
      ).toEqual([
        [1200, 'dhcp'],
        [1201, 'dhcp'],
      ]);
      expect(ipJson<Array<{ protocol: string }>>(ns.name, 'route', 'show', '198.19.119.0/24')).toEqual([
        expect.objectContaining({ protocol: '200' }),
      ]);
      expect(ipJson<Array<{ protocol: string }>>(ns.name, 'nexthop', 'show', 'id', '7')).toEqual([
        expect.objectContaining({ protocol: 'dhcp' }),
      ]);
      expect((await ns.rules({ protocol: '0x10' })).map((r) => r.priority)).toEqual([1200, 1201]);
      expect((await ns.routes({ table: 254 })).find((r) => r.destination === '198.19.119.0/24')?.protocol).toBe('200');
    });

    it('table 0 (unspec) selects any table, as `ip rule show table 0`', async () => {
      const ns = await freshNamespace();
      await ns.addRule({ to: '198.19.113.0/24', table: 100, priority: 1300 });
      await ns.addRule({ to: '198.19.114.0/24', action: 'goto', goto: 32766, priority: 1301 });
      await ns.addRule({ to: 'fd00:a7::/64', action: 'blackhole', priority: 1302 });
      const keys = (list: Array<{ priority: number }>, f: number) => list.map((r) => `${f}:${r.priority}`);
      for (const table of ['0', 'unspec']) {
        const theirs = [4, 6].flatMap((f) =>
          keys(ipJson<IpRule[]>(ns.name, `-${f}`, 'rule', 'show', 'table', table), f),
        );
        const all = [4, 6].flatMap((f) => keys(rules(ns.name, f as 4 | 6), f));
        expect(theirs).toEqual(all);
      }
      const all = (await ns.rules()).map((r) => `${r.family}:${r.priority}`);
      // Before: EINVAL ("the table must be an integer from 1").
      expect((await ns.rules({ table: 0 })).map((r) => `${r.family}:${r.priority}`)).toEqual(all);
      expect((await ns.rules({ table: 'unspec' })).map((r) => `${r.family}:${r.priority}`)).toEqual(all);
      expect(all).toContain('4:1301');
    });
  });
});
