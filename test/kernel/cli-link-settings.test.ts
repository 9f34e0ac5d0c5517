/**
 * The `netns-native` command's `link set` and `link add` words beyond the basics (addrgenmode,
 * protodown, protodown_reason, gso_max_size, gso_max_segs, gro_max_size, dynamic, trailers,
 * carrier; numtxqueues and numrxqueues at link add), beside `ip`: the same words given to ip on
 * one link and to the command on its twin leave the two alike in `ip -d -j link show`, and the
 * command's `link show` (with -d, -j) prints protodown as ip does. Refusals: status 1 with the
 * code and the link as it was; bad words: status 2.
 */
import { Macvlan, VethPair, Vxlan, type Namespace } from 'netns-native';
import { cli, fails, ok, usage } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip, ipJson } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** ip's output with the trailing blanks of each line dropped, as the command prints it. */
const trimmed = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

/** `ip -n NS ARGS` and `netns-native -n NS ARGS` print the same (JSON parsed with -j). */
async function sameAsIp(ns: string, line: string): Promise<void> {
  const args = line.split(' ');
  const run = await cli('-n', ns, ...args);
  expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
  const theirs = ip(ns, ...args);
  if (args.includes('-j')) expect([line, JSON.parse(run.stdout)]).toEqual([line, JSON.parse(theirs)]);
  else expect([line, run.stdout]).toEqual([line, trimmed(theirs)]);
}

/** What `ip -d -j link show` says of a link but its identity (index, name, MAC, peer). */
function settings(ns: string, name: string): Record<string, unknown> {
  const [l] = ipJson<Array<Record<string, unknown>>>(ns, '-d', 'link', 'show', 'dev', name);
  const { ifindex: _i, ifname: _n, address: _a, link: _l, ...rest } = l ?? {};
  return rest;
}

async function twoVeths(ns: Namespace): Promise<void> {
  await VethPair.create({ name: 'i0', peerName: 'i1', namespace: ns });
  await VethPair.create({ name: 'o0', peerName: 'o1', namespace: ns });
}

describeKernel('netns-native link set/add: addrgenmode, protodown, GSO/GRO, queues, flags, carrier', () => {
  jest.setTimeout(300_000);

  it('link set with addrgenmode, gso/gro limits, dynamic, trailers: the link as ip leaves its twin', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await twoVeths(ns);
    for (const words of [
      'addrgenmode none gso_max_size 30000 gso_max_segs 100 gro_max_size 40000 dynamic on trailers off',
      'addrgenmode random dynamic off trailers on',
      'addrgenmode eui64 gso_max_segs 0',
    ]) {
      ip(n, 'link', 'set', 'dev', 'i0', ...words.split(' '));
      await ok('-n', n, 'link', 'set', 'o0', ...words.split(' '));
      expect([words, settings(n, 'o0')]).toEqual([words, settings(n, 'i0')]);
    }
    await sameAsIp(n, 'link show o0');
    await sameAsIp(n, '-d link show o0');
    await sameAsIp(n, '-d -j link show o0');
  });

  it('link add with numtxqueues, numrxqueues and the limits: as ip -d shows its twin', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    const words = 'numtxqueues 3 numrxqueues 2 gso_max_size 20000 gso_max_segs 50 gro_max_size 30000';
    ip(n, 'link', 'add', 'i0', ...words.split(' '), 'type', 'veth', 'peer', 'i1');
    await ok('-n', n, 'link', 'add', 'o0', ...words.split(' '), 'type', 'veth', 'peer', 'o1');
    expect(settings(n, 'o0')).toEqual(settings(n, 'i0'));
    ip(n, 'link', 'add', 'ib', 'numtxqueues', '4', 'type', 'bridge');
    await ok('-n', n, 'link', 'add', 'ob', 'numtxqueues', '4', 'type', 'bridge');
    expect(settings(n, 'ob').num_tx_queues).toBe(4);
    expect(settings(n, 'ib').num_tx_queues).toBe(4);
    // Out of the kernel's range: refused before anything is made.
    await fails('EINVAL', '-n', n, 'link', 'add', 'x0', 'numtxqueues', '0', 'type', 'ifb');
    await fails('EINVAL', '-n', n, 'link', 'add', 'x0', 'numrxqueues', '4097', 'type', 'ifb');
    expect(ipJson<Array<{ ifname: string }>>(n, 'link', 'show').map((l) => l.ifname)).not.toContain('x0');
  });

  it('protodown and protodown_reason on a vxlan and a macvlan: set as ip sets them, shown as ip shows them', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await Vxlan.create('vx0', { namespace: ns, vni: 7, port: 4789 });
    const parent = (await VethPair.create({ name: 'p0', peerName: 'p1', namespace: ns })).local;
    await Macvlan.create('mv0', { namespace: ns, parent });
    for (const l of ['vx0', 'mv0']) {
      await ok(...`-n ${n} link set ${l} protodown_reason 3 on`.split(' '));
      await ok(...`-n ${n} link set ${l} protodown_reason 5 on protodown on`.split(' '));
      expect(settings(n, l)).toMatchObject({ proto_down: true, proto_down_reason: ['3', '5'] });
      await sameAsIp(n, `link show ${l}`);
      await sameAsIp(n, `-j link show ${l}`);
      await sameAsIp(n, `-d link show ${l}`);
      await sameAsIp(n, `-d -j link show ${l}`);
      // Off while reasons are set: the kernel refuses, nothing changed.
      const before = settings(n, l);
      expect(await fails('EBUSY', ...`-n ${n} link set ${l} protodown off`.split(' '))).toMatch(
        /while a protodown reason is set/,
      );
      expect(settings(n, l)).toEqual(before);
      // A reason cleared, protodown still on: ip prints the reasons left.
      await ok(...`-n ${n} link set ${l} protodown_reason 3 off`.split(' '));
      await sameAsIp(n, `link show ${l}`);
      await sameAsIp(n, `-d -j link show ${l}`);
      await ok(...`-n ${n} link set ${l} protodown_reason 5 off protodown off`.split(' '));
      expect(settings(n, l).proto_down).toBeUndefined();
      await sameAsIp(n, `-d link show ${l}`);
    }
    // A reason set while protodown is off: ip's line with it.
    await ok(...`-n ${n} link set vx0 protodown_reason 2 on`.split(' '));
    await sameAsIp(n, 'link show vx0');
    await sameAsIp(n, '-d link show vx0');
    await sameAsIp(n, 'link show');
  });

  it('protodown_reason given more than once: the last counts, as ip (the kernel keeps its last attribute); beside ip on a twin', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await Vxlan.create('vi', { namespace: ns, vni: 7, port: 4789 });
    const vo = await Vxlan.create('vo', { namespace: ns, vni: 8, port: 4789 });
    for (const words of [
      'protodown_reason 2 on protodown_reason 4 on',
      'protodown_reason 6 on protodown_reason 4 off protodown on',
      'protodown_reason 2 off protodown_reason 2 on',
      'protodown_reason 6 off protodown_reason 7 off',
    ]) {
      ip(n, 'link', 'set', 'dev', 'vi', ...words.split(' '));
      await ok('-n', n, 'link', 'set', 'vo', ...words.split(' '));
      const reasons = (name: string): unknown => {
        const { proto_down: down, proto_down_reason: reason } = settings(n, name);
        return [down, reason];
      };
      expect([words, reasons('vo')]).toEqual([words, reasons('vi')]);
    }
    expect((await vo.refresh()).details).toMatchObject({ protoDown: true, protoDownReasons: [2] });
  });

  it('refusals: protodown and carrier on a veth (the kind named), carrier on a tap with no program; status 1, the link as it was', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await twoVeths(ns);
    const before = settings(n, 'o0');
    expect(await fails('EOPNOTSUPP', ...`-n ${n} link set o0 protodown on`.split(' '))).toMatch(
      /a veth link cannot be held down by protodown/,
    );
    expect(await fails('EOPNOTSUPP', ...`-n ${n} link set o0 carrier off`.split(' '))).toMatch(
      /a veth link does not let its carrier be set/,
    );
    // Applied first (the MTU, the flags), then the carrier refused: set back.
    expect(await fails('EOPNOTSUPP', ...`-n ${n} link set o0 mtu 1400 dynamic on carrier off`.split(' '))).toMatch(
      /set back/,
    );
    expect(settings(n, 'o0')).toEqual(before);
    ip(undefined, 'netns', 'exec', n, 'ip', 'tuntap', 'add', 't0', 'mode', 'tap');
    await ok(...`-n ${n} link set t0 carrier off`.split(' '));
    expect(await fails('EPERM', ...`-n ${n} link set t0 carrier on`.split(' '))).toMatch(/holds it open/);
    expect(await fails('EINVAL', ...`-n ${n} link set o0 addrgenmode stable_secret`.split(' '))).toMatch(
      /stable_secret/,
    );
    expect(settings(n, 'o0')).toEqual(before);
  });

  it('bad words: status 2 naming them, nothing changed', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await twoVeths(ns);
    const before = JSON.stringify(ipJson(n, '-d', 'link', 'show'));
    const cases: Array<[RegExp, string]> = [
      [/^netns-native: link set: numtxqueues: the number of queues is fixed when a link is created/, 'numtxqueues 4'],
      [/^netns-native: link set: numrxqueues: the number of queues is fixed/, 'numrxqueues 4'],
      [/^netns-native: link set: invalid address generation mode "bogus"/, 'addrgenmode bogus'],
      [
        /^netns-native: link set: protodown_reason needs a number from 0 to 31 or a name of \/etc\/iproute2\/protodown_reasons\.d\/\*\.conf, not "32"$/,
        'protodown_reason 32 on',
      ],
      [/^netns-native: link set: protodown_reason 3 takes on or off, not "maybe"$/, 'protodown_reason 3 maybe'],
      [/^netns-native: link set: protodown takes on or off, not "1"$/, 'protodown 1'],
      [/^netns-native: link set: carrier takes on or off, not "yes"$/, 'carrier yes'],
      [/^netns-native: link set: gso_max_segs needs a number from 0 to 65535, not "65536"$/, 'gso_max_segs 65536'],
      [/^netns-native: link set: gro_max_size needs a number/, 'gro_max_size big'],
      [/^netns-native: link set: dynamic is given twice$/, 'dynamic on dynamic off'],
    ];
    for (const [pattern, words] of cases)
      await usage('link', pattern, '-n', n, 'link', 'set', 'o0', ...words.split(' '));
    await usage(
      'link',
      /^netns-native: link add: numtxqueues needs a number/,
      ...`-n ${n} link add x0 numtxqueues many type ifb`.split(' '),
    );
    expect(JSON.stringify(ipJson(n, '-d', 'link', 'show'))).toBe(before);
  });
});
