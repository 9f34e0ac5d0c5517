/**
 * The `netns-native` command, run as a process (lib/cli/main.ts, compiled as the package's own
 * build would be), against `ip` as the witness: `ip -br link`, `ip -br addr`, `ip route`,
 * `ip netns list`; exit statuses and the stderr line a script can rely on.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Bridge, Namespace, VethPair } from 'netns-native';
import { finished } from '../helpers/child';
import { cli, cliMain, lines, monitorsSideBySide } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, type IpLink } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** A namespace with a veth pair (one end up with addresses), a route via a gateway. */
async function furnished(): Promise<Namespace> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: 'eth0', peerName: 'eth1', namespace: ns });
  await local.addAddress('198.18.60.1/24');
  await local.addAddress('fd00:60::1/64', { nodad: true });
  await local.up();
  await peer.up(); // carrier: no "linkdown" on the routes, which the command does not print
  await (await ns.link('lo')).up();
  await ns.addRoute({ destination: '198.19.60.0/24', gateway: '198.18.60.254', metric: 20 });
  return ns;
}

describeKernel('netns-native (the command)', () => {
  it('list: the names ip netns list shows; --json: name, path, inode', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const text = await cli('list');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const names = ip(undefined, 'netns', 'list')
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter(Boolean);
    expect(lines(text.stdout).sort()).toEqual([...names].sort());
    expect(lines(text.stdout)).toEqual(expect.arrayContaining([a.name, b.name]));
    const json = JSON.parse((await cli('list', '--json')).stdout) as Array<{ name: string; inode: string }>;
    expect(json.find((n) => n.name === a.name)).toEqual({
      name: a.name,
      path: `/run/netns/${a.name}`,
      inode: String(a.inode),
    });
  });

  it('links NS: the lines of ip -br link; --json: the links', async () => {
    const ns = await furnished();
    const run = await cli('links', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toEqual(lines(ip(ns.name, '-br', 'link')));
    const json = JSON.parse((await cli('--json', 'links', ns.name as string)).stdout) as Array<Record<string, unknown>>;
    const witness = ipJson<IpLink[]>(ns.name, 'link', 'show');
    expect(json.map((l) => [l.index, l.name, l.mtu, l.mac])).toEqual(
      witness.map((l) => [l.ifindex, l.ifname, l.mtu, l.address]),
    );
  });

  it('links NS: M-DOWN where ip prints it (the peer in this namespace is down), not for a peer elsewhere', async () => {
    const ns = await freshNamespace();
    const other = await freshNamespace();
    await VethPair.create({ name: 'a0', peerName: 'a1', namespace: ns }); // both down
    const b = await VethPair.create({ name: 'b0', peerName: 'b1', namespace: ns });
    await b.local.up(); // up, its peer down: lower layer down
    const c = await VethPair.create({ name: 'c0', peerName: 'c1', namespace: ns, peerNamespace: other });
    await c.local.up(); // up, its peer (elsewhere) down
    await VethPair.create({ name: 'd0', peerName: 'd1', namespace: ns, peerNamespace: other });
    const run = await cli('links', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toEqual(lines(ip(ns.name, '-br', 'link')));
    expect(
      lines(run.stdout)
        .filter((l) => l.includes('M-DOWN'))
        .map((l) => l.split(' ')[0]),
    ).toEqual(['a1@a0', 'a0@a1', 'b0@b1']);
  });

  it('links --details NS: under a link its alternative names, as ip -d link show prints them; --json: altNames', async () => {
    const ns = await freshNamespace();
    const { local } = await VethPair.create({ name: 'p0', peerName: 'q0', namespace: ns });
    const long = 'an-alternative-name-of-p0';
    await local.addAltName('p0-alt');
    ip(ns.name, 'link', 'property', 'add', 'dev', 'p0', 'altname', long);
    const run = await cli('links', '--details', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const out = run.stdout.split('\n').filter(Boolean);
    const at = out.findIndex((l) => l.startsWith('p0@'));
    const witness = ip(ns.name, '-d', 'link', 'show', 'dev', 'p0')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('altname '));
    expect(witness).toEqual(['altname p0-alt', `altname ${long}`]);
    expect(out.slice(at + 1, at + 3).map((l) => l.trim())).toEqual(witness);
    expect(out[at + 3]?.startsWith(' ') ?? false).toBe(false);
    const json = await cli('links', '--details', '--json', ns.name as string);
    const p0 = (JSON.parse(json.stdout) as Array<{ name: string; altNames?: string[] }>).find((l) => l.name === 'p0');
    expect(p0?.altNames).toEqual(['p0-alt', long]);
  });

  it('links --details NS: under each bridge port, its settings as ip -d link show prints them; --json: bridgePort', async () => {
    const ns = await freshNamespace();
    const br = await Bridge.create('br0', { namespace: ns });
    const { local: p0 } = await VethPair.create({ name: 'p0', peerName: 'q0', namespace: ns });
    const { local: p1 } = await VethPair.create({ name: 'p1', peerName: 'q1', namespace: ns });
    await br.addPort(p1);
    await br.addPort(p0, {
      hairpin: true,
      learning: false,
      fastLeave: true,
      cost: 7,
      priority: 9,
      groupFwdMask: 0x4025,
      mcastRouter: 'permanent',
      vlanTunnel: true,
      backupPort: p1,
    });
    const run = await cli('links', '--details', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const out = run.stdout.split('\n').filter(Boolean);
    // The lines of ip -br link, as without --details; under each port one line more, indented.
    expect(lines(out.filter((l) => !l.startsWith(' ')).join('\n'))).toEqual(lines(ip(ns.name, '-br', 'link')));
    const under = (name: string): string | undefined => {
      const at = out.findIndex((l) => l.startsWith(`${name}@`) || l.startsWith(`${name} `));
      const next = out[at + 1];
      return next?.startsWith('    ') ? next.trim() : undefined;
    };
    // What the spanning tree keeps for itself (ids, timers): ip lists it, the command does not.
    const stpOwn = new Set(['port_id', 'port_no', 'designated_port', 'designated_cost', 'designated_bridge']);
    for (const k of ['designated_root', 'hold_timer', 'message_age_timer', 'forward_delay_timer']) stpOwn.add(k);
    for (const k of ['topology_change_ack', 'config_pending']) stpOwn.add(k);
    for (const name of ['p0', 'p1']) {
      const words = ip(ns.name, '-d', 'link', 'show', 'dev', name).split(/\s+/);
      const pairs: string[] = ['bridge_slave'];
      // The bridge_slave words, up to the next part of the line (addrgenmode, ...).
      for (let i = words.indexOf('bridge_slave') + 1; i + 1 < words.length && words[i] !== 'addrgenmode'; i += 2) {
        if (!stpOwn.has(words[i] as string)) pairs.push(words[i] as string, words[i + 1] as string);
      }
      const ours = (under(name) ?? '').split(' ');
      // iproute2 6.1 knows neither mab (Linux 6.2) nor neigh_vlan_suppress (6.8): where it does
      // not list them, they are compared with the library's read instead.
      const port = (await ns.link(name)).bridgePort;
      for (const [word, value] of [
        ['mab', port?.mab],
        ['neigh_vlan_suppress', port?.neighVlanSuppress],
      ] as const) {
        if (pairs.includes(word) || value === undefined) continue;
        const at = ours.indexOf(word);
        expect(ours[at + 1]).toBe(value ? 'on' : 'off');
        ours.splice(at, 2);
      }
      expect(ours.join(' ')).toBe(pairs.join(' '));
    }
    expect(under('p0')).toMatch(
      /^bridge_slave state \w+ priority 9 cost 7 hairpin on .* learning off .* mcast_router 2 mcast_fast_leave on .* group_fwd_mask 0x4025 group_fwd_mask_str stp,lacp,0x20,lldp vlan_tunnel on .* backup_port p1$/,
    );
    expect(under('br0')).toBeUndefined();
    expect(under('q0')).toBeUndefined();
    const json = JSON.parse((await cli('--json', '-d', 'links', ns.name as string)).stdout) as Array<
      Record<string, unknown>
    >;
    const byName = new Map(json.map((l) => [l.name, l]));
    expect(byName.get('p0')?.bridgePort).toMatchObject({ hairpin: true, cost: 7, backupPortIndex: p1.index });
    expect(byName.get('br0')?.bridgePort).toBeUndefined();
    const plain = JSON.parse((await cli('--json', 'links', ns.name as string)).stdout) as Array<
      Record<string, unknown>
    >;
    expect(plain.some((l) => 'bridgePort' in l)).toBe(false);
  });

  it('links without NS: the namespace the command runs in; a peer elsewhere reads NAME@ifN', async () => {
    const ns = await freshNamespace();
    const host = uniqueName('h');
    await VethPair.create({ name: host, peerName: 'eth0', peerNamespace: ns });
    const run = await cli('links');
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual(lines(ip(undefined, '-br', 'link')));
    expect(run.stdout).toMatch(new RegExp(`^${host}@if\\d+ `, 'm'));
  });

  it('addrs NS: the lines of ip -br addr; --json: the addresses with their link names', async () => {
    const ns = await furnished();
    const run = await cli('addrs', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toEqual(lines(ip(ns.name, '-br', 'addr')));
    const json = JSON.parse((await cli('addrs', '-j', ns.name as string)).stdout) as Array<Record<string, unknown>>;
    expect(json).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cidr: '198.18.60.1/24', link: 'eth0', family: 4 }),
        expect.objectContaining({ cidr: 'fd00:60::1/64', link: 'eth0', family: 6 }),
      ]),
    );
  });

  it('addrs NS: a point-to-point address as ip -br addr prints it (ADDR peer PREFIX); --json: its peer', async () => {
    const ns = await furnished();
    ip(ns.name, 'addr', 'add', '198.18.60.50', 'peer', '198.18.60.51/32', 'dev', 'eth0');
    ip(ns.name, 'addr', 'add', 'fd00:60::50', 'peer', 'fd00:60::51/128', 'dev', 'eth0', 'nodad');
    const run = await cli('addrs', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toEqual(lines(ip(ns.name, '-br', 'addr')));
    expect(run.stdout).toContain(' 198.18.60.50 peer 198.18.60.51/32 ');
    const json = JSON.parse((await cli('addrs', '-j', ns.name as string)).stdout) as Array<Record<string, unknown>>;
    expect(json).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cidr: '198.18.60.50/32', peer: '198.18.60.51/32', link: 'eth0' }),
        expect.objectContaining({ cidr: 'fd00:60::50/128', peer: 'fd00:60::51/128', link: 'eth0' }),
      ]),
    );
  });

  it('routes NS: the IPv4 lines of ip route, then the IPv6 routes', async () => {
    const ns = await furnished();
    const run = await cli('routes', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const out = lines(run.stdout);
    expect(out.slice(0, lines(ip(ns.name, 'route')).length)).toEqual(lines(ip(ns.name, 'route')));
    expect(out).toContain('198.19.60.0/24 via 198.18.60.254 dev eth0 metric 20');
    // Then the IPv6 routes, as ip -6 route prints them ("pref medium" included).
    const six = lines(ip(ns.name, '-6', 'route'));
    expect(out.slice(-six.length)).toEqual(six);
    const json = JSON.parse((await cli('routes', ns.name as string, '--json')).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json).toContainEqual(expect.objectContaining({ destination: '198.19.60.0/24', gateway: '198.18.60.254' }));
  });

  it('routes NS: proto, scope, src, metric, tos, onlink, linkdown, multipath and pref exactly as ip route prints them', async () => {
    const ns = await furnished();
    // A second veth whose peer stays down: its routes are "linkdown".
    const { local } = await VethPair.create({ name: 'eth2', peerName: 'eth3', namespace: ns });
    await local.addAddress('198.18.61.1/24');
    await local.up();
    const add = (...args: string[]): string => ip(ns.name, 'route', 'add', ...args);
    add('198.19.61.0/24', 'via', '198.18.60.2', 'dev', 'eth0', 'proto', 'static', 'src', '198.18.60.1', 'metric', '5');
    add('198.19.62.0/24', 'via', '198.18.99.9', 'dev', 'eth0', 'onlink');
    add('198.19.63.0/24', 'dev', 'eth2', 'scope', 'link', 'proto', '42');
    add('198.19.63.0/24', 'tos', '0x10', 'dev', 'eth2');
    add('198.19.63.0/24', 'tos', 'AF11', 'dev', 'eth2'); // named in /etc/iproute2/rt_dsfield
    add(
      '198.19.64.0/24',
      'nexthop',
      'via',
      '198.18.60.2',
      'dev',
      'eth0',
      'weight',
      '1',
      'nexthop',
      'via',
      '198.18.61.2',
      'dev',
      'eth2',
      'weight',
      '3',
    );
    ip(ns.name, '-6', 'route', 'add', 'fd00:61::/64', 'via', 'fd00:60::2', 'dev', 'eth0', 'pref', 'high');
    ip(ns.name, '-6', 'route', 'add', 'fd00:62::/64', 'via', 'fd00:60::3', 'dev', 'eth0', 'pref', 'low', 'metric', '9');
    ip(ns.name, '-6', 'route', 'add', 'fd00:63::/64', 'via', 'fd00:60::4', 'dev', 'eth0', 'onlink');
    ip(ns.name, '-6', 'route', 'add', 'fd00:64::/64', 'from', 'fd00:69::/64', 'via', 'fd00:60::4', 'dev', 'eth0');
    ip(ns.name, '-6', 'route', 'add', 'fd00:64::/64', 'from', 'fd00:69::9', 'via', 'fd00:60::4', 'dev', 'eth0');
    const run = await cli('routes', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const want = [...lines(ip(ns.name, 'route')), ...lines(ip(ns.name, '-6', 'route'))];
    expect(lines(run.stdout)).toEqual(want);
    // The cases are there (so that the comparison above covers them).
    for (const needle of [
      'linkdown',
      'onlink',
      'proto static',
      'proto babel',
      'scope link',
      'src 198.18.60.1',
      '198.19.63.0/24 tos 0x10 dev eth2',
      '198.19.63.0/24 tos AF11 dev eth2',
      'fd00:64::/64 from fd00:69::/64 via',
      'fd00:64::/64 from fd00:69::9 via',
    ]) {
      expect(want.some((l) => l.includes(needle))).toBe(true);
    }
    for (const needle of [
      'pref high',
      'pref low',
      'pref medium',
      'metric 5',
      'nexthop via 198.18.61.2 dev eth2 weight 3 linkdown',
    ]) {
      expect(want.some((l) => l.includes(needle))).toBe(true);
    }
    const json = JSON.parse((await cli('routes', ns.name as string, '--json')).stdout) as Array<
      Record<string, unknown>
    >;
    expect(json).toContainEqual(expect.objectContaining({ destination: 'fd00:61::/64', preference: 'high' }));
    expect(json).toContainEqual(expect.objectContaining({ destination: '198.19.63.0/24', linkdown: true }));
    expect(json).toContainEqual(expect.objectContaining({ destination: '198.19.62.0/24', onlink: true }));
    expect(json).toContainEqual(expect.objectContaining({ tos: 0x28, tosName: 'AF11', tableName: 'main' }));
  });

  it('routes NS: metrics (locks, times), expires and pref exactly as ip route prints them', async () => {
    const ns = await furnished();
    const add = (...args: string[]): string => ip(ns.name, 'route', 'add', ...args);
    add(
      '198.19.65.0/24',
      'dev',
      'eth0',
      'mtu',
      'lock',
      '1400',
      'rtt',
      '100ms',
      'rttvar',
      '2s',
      'congctl',
      'lock',
      'reno',
    );
    add('198.19.66.0/24', 'dev', 'eth0', 'advmss', '1360', 'hoplimit', '9', 'initcwnd', '10', 'initrwnd', '20');
    add('198.19.67.0/24', 'dev', 'eth0', 'rto_min', '1500ms', 'quickack', '1', 'features', 'ecn', 'window', '999');
    add('198.19.68.0/24', 'dev', 'eth0', 'ssthresh', 'lock', '5', 'cwnd', '7', 'reordering', '9', 'mtu', 'lock', '0');
    add('198.19.69.0/24', 'dev', 'eth0', 'fastopen_no_cookie', '1', 'rtt', '100');
    // The library's own too: what it adds prints the same.
    await ns.addRoute({
      destination: '198.19.70.0/24',
      link: 'eth0',
      metrics: { mtu: 1300, lock: ['mtu'], rtt: 12.5 },
    });
    ip(ns.name, '-6', 'route', 'add', 'fd00:65::/64', 'dev', 'eth0', 'expires', '300', 'pref', 'high', 'mtu', '1280');
    await ns.addRoute({
      destination: 'fd00:66::/64',
      link: 'eth0',
      expires: 600,
      preference: 'low',
      metrics: { hoplimit: 7 },
    });
    const run = await cli('routes', ns.name as string);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    // Expiry counts down between the two reads: compared to the second.
    const approx = (l: string) => l.replace(/expires \d+sec/, 'expires Nsec');
    const want = [...lines(ip(ns.name, 'route')), ...lines(ip(ns.name, '-6', 'route'))];
    expect(lines(run.stdout).map(approx)).toEqual(want.map(approx));
    for (const needle of [
      'mtu lock 1400 rtt 100ms rttvar 2s congctl lock reno',
      'advmss 1360 hoplimit 9 initcwnd 10 initrwnd 20',
      'window 999 features ecn rto_min lock 1.5s quickack 1',
      'mtu lock 0 ssthresh lock 5 cwnd 7 reordering 9',
      'rtt 12ms fastopen_no_cookie 1',
      '198.19.70.0/24 dev eth0 scope link mtu lock 1300 rtt 12ms',
      'expires Nsec mtu 1280 pref high',
      'fd00:66::/64 dev eth0 metric 1024 expires Nsec hoplimit 7 pref low',
    ]) {
      expect(want.map(approx).some((l) => l.includes(needle))).toBe(true);
    }
  });

  it('exec NS -- CMD: runs in NS, with the caller’s stdio, and exits as the program did', async () => {
    const ns = await furnished();
    const run = await cli(
      'exec',
      ns.name as string,
      '--',
      'sh',
      '-c',
      'readlink /proc/self/ns/net; ip -br addr show eth0',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`net:[${ns.inode}]`);
    expect(run.stdout).toContain('198.18.60.1/24');
    expect(await cli('exec', ns.name as string, '--', 'sh', '-c', 'echo out; echo err >&2; exit 7')).toEqual({
      code: 7,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    expect((await cli('exec', ns.name as string, '--', 'sh', '-c', 'kill -TERM $$')).code).toBe(128 + 15);
    const missing = await cli('exec', ns.name as string, '--', 'no-such-program-x');
    expect(missing.code).toBe(127);
    expect(missing.stderr).toBe(
      `netns-native: ENOENT: cannot run "no-such-program-x" in namespace "${ns.name}": no such program\n`,
    );
    const json = await cli('exec', '--json', ns.name as string, '--', 'sh', '-c', 'echo hi; exit 3');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ stdout: 'hi\n', stderr: '', exitCode: 3, signal: null, timedOut: false });
  });

  it('isolate -- CMD: a throwaway network namespace (lo only, up) and an empty /run/netns of its own', async () => {
    const before = ip(undefined, 'netns', 'list');
    const inner = uniqueName();
    const run = await cli(
      'isolate',
      '--',
      'sh',
      '-c',
      `ip -br link; ls -A /run/netns; ip netns add ${inner}; ip link add nnt-iso0 type dummy 2>/dev/null; ip netns list; exit 5`,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(5);
    const out = lines(run.stdout);
    expect(out[0]).toMatch(/^lo UNKNOWN 00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP>$/);
    expect(out).toContain(inner);
    expect(out.some((l) => before.includes(l.split(' ')[0] as string) && l !== inner)).toBe(false);
    // Nothing of it outside.
    expect(ip(undefined, 'netns', 'list')).toBe(before);
    expect(ip(undefined, 'link', 'show')).not.toContain('nnt-iso0');
  });

  it('monitor NS: a line per change, in the kernel’s order, until interrupted (exit 0)', async () => {
    const ns = await freshNamespace();
    const main = cliMain();
    const child = spawn(process.execPath, [main, 'monitor', ns.name as string, '--json', '--events', 'link'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = finished(child);
    let seen = '';
    child.stdout.on('data', (c: Buffer) => (seen += c.toString()));
    const lo = await ns.link('lo');
    // The monitor subscribes asynchronously: change lo until its events show.
    await waitFor(
      async () => {
        await (lo.isUp ? lo.down() : lo.up());
        await lo.refresh();
        return seen.includes('"name":"lo"');
      },
      { what: 'a link event for lo', intervalMs: 50 },
    );
    child.kill('SIGINT');
    const { code } = await done;
    expect(code).toBe(0);
    const events = seen
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; link: { name: string } });
    expect(events[0]).toMatchObject({ type: 'link', link: { name: 'lo' } });
    expect(events.every((e) => e.type === 'link')).toBe(true);

    // Text: one line per change, as ip monitor prints them.
    const text = spawn(process.execPath, [main, 'monitor', ns.name as string], { stdio: ['ignore', 'pipe', 'pipe'] });
    const textDone = finished(text);
    let lines = '';
    text.stdout.on('data', (c: Buffer) => (lines += c.toString()));
    let n = 0;
    await waitFor(
      async () => {
        await lo.addAddress(`198.18.61.${++n}/32`);
        return /^1: inet 198\.18\.61\.\d+\/32 scope \w+$/m.test(lines);
      },
      { what: 'an address line', intervalMs: 50 },
    );
    // A point-to-point address, as ip monitor prints it.
    ip(ns.name, 'addr', 'add', '198.18.62.1', 'peer', '198.18.62.2/32', 'dev', 'lo');
    await waitFor(() => /^1: inet 198\.18\.62\.1 peer 198\.18\.62\.2\/32 scope global$/m.test(lines), {
      what: 'the line of an address with a peer',
      intervalMs: 50,
    });
    text.kill('SIGTERM');
    expect((await textDone).code).toBe(0);
    expect((await cli('monitor', ns.name as string, '--events', 'bogus')).code).toBe(2);
  });

  it('monitor NS --events route: each route line as ip monitor route prints it, table and host routes included', async () => {
    const ns = await freshNamespace();
    const end = 'blackhole 198.51.100.0/24';
    const probe = (n: number): string => {
      ip(ns.name, 'route', 'add', 'blackhole', `198.19.${n}.0/24`);
      return `blackhole 198.19.${n}.0/24`;
    };
    const { mine, theirs: want } = await monitorsSideBySide(
      ns.name as string,
      'route',
      ['route'],
      probe,
      async () => {
        // The link after the monitors: its name comes with its own event. Its peer stays down (no
        // carrier: every route says linkdown, and IPv6 makes no link-local routes meanwhile).
        const { local } = await VethPair.create({ name: 'eth0', peerName: 'eth1', namespace: ns });
        await local.addAddress('198.18.62.1/24'); // local and broadcast routes: table local
        await local.addAddress('fd00:62::1/64', { nodad: true });
        await local.up();
        const add = (...args: string[]): string => ip(ns.name, 'route', 'add', ...args);
        add('198.19.62.0/24', 'dev', 'eth0', 'table', '100');
        add('198.19.62.0/24', 'dev', 'eth0'); // the same in main: only the table tells them apart
        add('198.19.63.7', 'via', '198.18.62.2', 'table', '253');
        add('198.19.63.8/32', 'dev', 'eth0', 'metric', '7');
        add('198.19.64.0/24', 'table', '300', 'nexthop', 'via', '198.18.62.2', 'nexthop', 'via', '198.18.62.3');
        ip(ns.name, '-6', 'route', 'add', 'fd00:63::5', 'via', 'fd00:62::2', 'table', '100');
        ip(ns.name, 'route', 'del', '198.19.62.0/24', 'dev', 'eth0', 'table', '100');
        add('blackhole', '198.51.100.0/24');
      },
      end,
    );
    expect(mine).toEqual(want);
    // The cases are there (so that the comparison above covers them).
    for (const needle of [
      '198.19.62.0/24 dev eth0 table 100 scope link linkdown',
      '198.19.62.0/24 dev eth0 scope link linkdown',
      'Deleted 198.19.62.0/24 dev eth0 table 100 scope link linkdown',
      '198.19.63.7 via 198.18.62.2 dev eth0 table default linkdown',
      '198.19.63.8 dev eth0 scope link metric 7 linkdown',
      'fd00:63::5 via fd00:62::2 dev eth0 table 100 metric 1024 linkdown pref medium',
      'local 198.18.62.1 dev eth0 table local proto kernel scope host src 198.18.62.1',
    ]) {
      expect(want).toContain(needle);
    }
  });

  it('failures: one line "netns-native: CODE: message" and status 1; a bad command line: status 2 and the usage', async () => {
    const missing = await cli('links', 'nnt-nosuch0');
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'netns-native: ENOENT: cannot open namespace "nnt-nosuch0": no such namespace\n',
    });
    expect((await cli('exec', 'nnt-nosuch0', '--', 'true')).stderr).toMatch(/^netns-native: ENOENT: /);
    expect((await cli('links', '/etc/hostname')).stderr).toMatch(/^netns-native: EINVAL: cannot open namespace at/);
    for (const argv of [
      [],
      ['bogus'],
      ['links', 'a', 'b'],
      ['list', '--frobnicate'],
      ['exec', 'x'],
      ['exec', '--', 'true'],
      ['isolate'],
      ['links', '--', 'x'],
      ['links', '--events', 'link'],
      ['addrs', '--details'],
      ['routes', '-d'],
    ]) {
      const run = await cli(...argv);
      expect([argv, run.code, run.stdout]).toEqual([argv, 2, '']);
      expect(run.stderr).toMatch(/^netns-native: .+\n\nUsage: netns-native/);
    }
    expect(await cli('--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: netns-native/) });
    const version = (await cli('--version')).stdout.trim();
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(version).toBe(pkg.version);
  });
});
