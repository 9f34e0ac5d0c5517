/**
 * `netns-native network ...`, the command, run as a process: a network made, joined, published
 * on and removed through it alone, each step a process of its own; `ip -j` and `nft` as the
 * witnesses (as in network.test.ts and network-nat.test.ts), real traffic from an "outside"
 * namespace linked to the test's namespace (the host here) by a veth: 198.51.100.161/28 on the
 * host side, 198.51.100.162/28 outside. Subnets from 198.19.180.0/24 up (and 198.19.149.0/24,
 * 198.19.150.0/24), given on the command line (never Docker's default pools, which are real
 * private ranges); host ports 8170-8179.
 */
import { spawn } from 'node:child_process';
import type * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as dnsPacket from 'dns-packet';
import { Namespace, NetnsError, Network, VethPair } from 'netns-native';
import { finished } from '../helpers/child';
import { cli, cliMain } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ipJson, link, operational, run } from '../helpers/ip';
import { expectConsistent, reaches, stateFile } from '../helpers/network';
import { describeKernel } from '../helpers/skip';
import { ask, whoAmIServer } from '../helpers/tcp';
import { waitFor } from '../helpers/wait';

/** `netns-native network ARGS...`, which must succeed: its stdout. */
async function network(...args: string[]): Promise<string> {
  const r = await cli('network', ...args);
  expect({ args, ...r, stdout: '' }).toEqual({ args, code: 0, stdout: '', stderr: '' });
  return r.stdout;
}

const made: string[] = [];

/** A unique network name, removed (force) after the test if it is still there. */
function netName(): string {
  const name = uniqueName('nnt-cli-');
  made.push(name);
  return name;
}

/** The network's published ports on every IPv4 address, as `nft` lists its map. */
function publishedMap(id: string): string {
  return run('nft', ['list', 'map', 'ip', 'netns-native', `pub-any-${id.slice(0, 12)}`]);
}

/**
 * What network `name` is, in its state file and in the kernel (its bridge's ports and addresses,
 * its part of our nftables table, as `nft -j` lists it), and the links and addresses of `members`:
 * only what is its own, so that other networks changing meanwhile do not count.
 */
function snapshot(name: string, members: string[]): string {
  const state = stateFile(name);
  if (!state) throw new Error(`no state file for network ${name}`);
  const short = state.id.slice(0, 12);
  const local = (ns: string | undefined, dev?: string): string[] =>
    addrs(ns, dev).map((a) => `${a.local}/${a.prefixlen}`);
  const table = (
    JSON.parse(run('nft', ['-j', 'list', 'table', 'ip', 'netns-native'])) as { nftables: unknown[] }
  ).nftables.filter((o) => JSON.stringify(o).includes(short));
  return JSON.stringify({
    state,
    ports: ipJson<Array<{ ifname: string }>>(undefined, 'link', 'show', 'master', state.bridgeName).map(
      (l) => l.ifname,
    ),
    bridge: local(undefined, state.bridgeName),
    table,
    members: members.map((ns) => [
      ipJson<Array<{ ifname: string }>>(ns, 'link', 'show').map((l) => l.ifname),
      local(ns),
    ]),
  });
}

/** The A records 127.0.0.11 gives `name` from inside `ns` (UDP); undefined when nothing answered. */
async function resolveA(ns: Namespace, name: string, timeoutMs = 2000): Promise<string[] | undefined> {
  const id = Math.floor(Math.random() * 0xffff);
  const query = dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name, class: 'IN' }] });
  const socket: dgram.Socket = await ns.createUdpSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      socket.on('message', (msg) => {
        const reply = dnsPacket.decode(msg);
        if (reply.id !== id) return;
        clearTimeout(timer);
        resolve((reply.answers ?? []).map((a) => String((a as { data?: unknown }).data)));
      });
      socket.send(query, 53, '127.0.0.11');
    });
  } finally {
    socket.close();
  }
}

describeKernel('netns-native network (the command)', () => {
  let outside: Namespace;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    outside = await Namespace.create(uniqueName());
    const up = await VethPair.create({ name: uniqueName('out'), peerName: 'eth0', peerNamespace: outside });
    await up.local.addAddress('198.51.100.161/28');
    await up.peer.addAddress('198.51.100.162/28');
    await Promise.all([up.local.up(), up.peer.up(), outside.link('lo').then((lo) => lo.up())]);
    await operational(undefined, up.local.name);
    await operational(outside.name, 'eth0');
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    for (const name of made.splice(0)) {
      try {
        await (await Network.open(name)).remove({ force: true });
      } catch (e) {
        if (!(e instanceof NetnsError && e.code === 'ENOENT')) throw e;
      }
    }
  });

  afterAll(async () => {
    await outside.delete(); // its veth goes with it
  });

  it('create, ls, connect two, names, publish, reached from outside, unpublish from another process, disconnect, rm', async () => {
    const name = netName();
    const bridge = uniqueName('nntbr');
    const id = (
      await network('create', name, '--subnet', '198.19.180.0/24', '--bridge-name', bridge, '--mtu', '1400')
    ).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    // The bridge, up, with the gateway and the MTU; the state says the same id.
    expect(link(undefined, bridge)).toMatchObject({ mtu: 1400, flags: expect.arrayContaining(['UP']) });
    expect(addrs(undefined, bridge).map((a) => `${a.local}/${a.prefixlen}`)).toContain('198.19.180.1/24');
    expect(stateFile(name)?.id).toBe(id);

    const ls = (await network('ls')).split('\n');
    expect(ls[0]?.split(/\s+/)).toEqual(['NAME', 'ID', 'SUBNET', 'BRIDGE', 'INTERNAL']);
    expect(ls.map((l) => l.split(/\s+/))).toContainEqual([name, id.slice(0, 12), '198.19.180.0/24', bridge, 'false']);
    const listed = JSON.parse(await network('list', '--json')) as Array<Record<string, unknown>>;
    expect(listed.find((n) => n.name === name)).toEqual({
      name,
      id,
      subnet: '198.19.180.0/24',
      gateway: '198.19.180.1',
      bridgeName: bridge,
      internal: false,
      dns: true,
      mtu: 1400,
      icc: true,
      ipMasquerade: true,
    });

    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    expect(await network('connect', name, c1.name as string, '--alias', 'web', '--alias', 'www')).toBe(
      'eth0 198.19.180.2/24\n',
    );
    const e2 = JSON.parse(
      await network('connect', '--json', name, c2.name as string, '--ip', '198.19.180.20', '--interface', 'net0'),
    ) as Record<string, unknown>;
    expect(e2).toMatchObject({
      network: name,
      namespace: { name: c2.name, path: `/run/netns/${c2.name}`, inode: String(c2.inode) },
      name: c2.name,
      interfaceName: 'net0',
      address: '198.19.180.20/24',
      gateway: '198.19.180.1',
      mac: '02:42:c6:13:b4:14',
    });
    expect(addrs(c1.name, 'eth0').map((a) => `${a.local}/${a.prefixlen}`)).toContain('198.19.180.2/24');
    expect(addrs(c2.name, 'net0').map((a) => `${a.local}/${a.prefixlen}`)).toContain('198.19.180.20/24');
    expectConsistent(name);

    // By name: the hosts files, as getent reads them; then the address answers.
    const byName = async (from: Namespace, host: string): Promise<string | undefined> =>
      (await from.exec('getent', ['hosts', host])).stdout.split(/\s+/)[0];
    expect(await byName(c1, c2.name as string)).toBe('198.19.180.20');
    expect(await byName(c2, 'www')).toBe('198.19.180.2');
    expect(await reaches(c1, '198.19.180.20')).toBe(true);
    expect(await reaches(c2, '198.19.180.2')).toBe(true);

    // Published: reached from outside through the host port; listed; in the ruleset.
    const server = await whoAmIServer(c1, '198.19.180.2', 80);
    closers.push(() => server.close());
    expect(await network('publish', name, c1.name as string, '8170:80')).toBe('0.0.0.0:8170->198.19.180.2:80/tcp\n');
    expect(
      await network('publish', name, c2.name as string, '198.51.100.161:8171:53/udp', '--json').then(JSON.parse),
    ).toEqual({
      network: name,
      protocol: 'udp',
      family: 4,
      hostAddress: '198.51.100.161',
      hostPort: 8171,
      address: '198.19.180.20',
      containerPort: 53,
    });
    expect(publishedMap(id)).toContain('tcp . 8170 : 198.19.180.2 . 80');
    expect(run('nft', ['list', 'table', 'ip', 'netns-native'])).toContain('8171');
    expect(await ask(outside, '198.51.100.161', 8170)).toBe('198.51.100.162');
    expect(await network('ports', name)).toBe(
      '0.0.0.0:8170->198.19.180.2:80/tcp\n198.51.100.161:8171->198.19.180.20:53/udp\n',
    );

    const inspected = JSON.parse(await network('inspect', name)) as {
      endpoints: Array<Record<string, unknown>>;
      ports: Array<Record<string, unknown>>;
    };
    expect(inspected).toMatchObject({ name, id, subnet: '198.19.180.0/24', bridgeName: bridge });
    expect(inspected.endpoints.map((e) => [(e.namespace as { name: string }).name, e.address, e.aliases])).toEqual([
      [c1.name, '198.19.180.2/24', ['web', 'www']],
      [c2.name, '198.19.180.20/24', []],
    ]);
    expect(inspected.ports.map((p) => [p.protocol, p.hostPort, p.address, p.containerPort])).toEqual([
      ['tcp', 8170, '198.19.180.2', 80],
      ['udp', 8171, '198.19.180.20', 53],
    ]);

    // Unpublished by another process than the one that published (each command is one).
    await network('unpublish', name, '8170');
    expect(publishedMap(id)).not.toContain('8170');
    expect(await ask(outside, '198.51.100.161', 8170)).toBe('ECONNREFUSED');
    await network('unpublish', name, '198.51.100.161:8171/udp');
    expect(run('nft', ['list', 'table', 'ip', 'netns-native'])).not.toContain('8171');
    expect(await network('ports', name, '--json')).toBe('[]\n');

    await network('disconnect', name, c1.name as string);
    expect(link(c1.name, 'eth0')).toBeUndefined();
    await network('disconnect', name, c2.name as string);
    expect(expectConsistent(name).endpoints).toEqual([]);
    await network('rm', name);
    expect(link(undefined, bridge)).toBeUndefined();
    expect(stateFile(name)).toBeUndefined();
    expect(run('nft', ['list', 'ruleset'])).not.toContain(`pub-any-${id.slice(0, 12)}`);
    expect((await network('ls')).split('\n').map((l) => l.split(/\s+/)[0])).not.toContain(name);
  });

  it('create without --subnet takes one from --default-address-pool; --ipv6 with an IPv6 --subnet; rm --force', async () => {
    const name = netName();
    await network('create', name, '--default-address-pool', 'base=198.19.176.0/20,size=24', '--internal');
    const [made1] = (JSON.parse(await network('ls', '--json')) as Array<Record<string, unknown>>).filter(
      (n) => n.name === name,
    );
    expect(made1).toMatchObject({
      internal: true,
      subnet: expect.stringMatching(/^198\.19\.(17[6-9]|18\d|19[01])\.0\/24$/),
    });

    const dual = netName();
    await network('create', dual, '--ipv6', '--subnet', 'fd00:18a::/64', '--subnet', '198.19.181.0/24', '--no-dns');
    const member = await freshNamespace();
    expect(await network('connect', dual, member.name as string)).toBe('eth0 198.19.181.2/24 fd00:18a::2/64\n');
    expect((await network('ls')).split('\n').map((l) => l.split(/\s+/))).toContainEqual([
      dual,
      expect.stringMatching(/^[0-9a-f]{12}$/),
      '198.19.181.0/24,fd00:18a::/64',
      expect.any(String),
      'false',
    ]);
    expect(fs.existsSync(`/etc/netns/${member.name}/hosts`)).toBe(false); // --no-dns: no names
    // Docker's -p on a dual-stack member: both families; an IPv6 host address in brackets.
    expect(await network('publish', dual, member.name as string, '8176:80')).toBe(
      '0.0.0.0:8176->198.19.181.2:80/tcp\n[::]:8176->[fd00:18a::2]:80/tcp\n',
    );
    expect(await network('publish', dual, member.name as string, '[::]:8177:80/udp')).toBe(
      '[::]:8177->[fd00:18a::2]:80/udp\n',
    );
    expect(await network('ports', dual)).toBe(
      '0.0.0.0:8176->198.19.181.2:80/tcp\n[::]:8176->[fd00:18a::2]:80/tcp\n[::]:8177->[fd00:18a::2]:80/udp\n',
    );
    const short = (stateFile(dual)?.id as string).slice(0, 12);
    expect(run('nft', ['list', 'map', 'ip6', 'netns-native', `pub-any-${short}`])).toContain(
      'udp . 8177 : fd00:18a::2 . 80',
    );
    // [::1] parses, and the library says why it cannot be published on.
    expect(await cli('network', 'publish', dual, member.name as string, '[::1]:8178:80')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^netns-native: EINVAL: .*"::1" cannot be published on/),
    });
    await network('unpublish', dual, '[::]:8177/udp');
    await network('unpublish', dual, '8176'); // both families
    expect(await network('ports', dual)).toBe('');
    expect(run('nft', ['list', 'map', 'ip6', 'netns-native', `pub-any-${short}`])).not.toMatch(/817[67]/);
    await network('rm', '-f', dual);
    expect(stateFile(dual)).toBeUndefined();
    expect(link(member.name, 'eth0')).toBeUndefined();
  });

  it('create takes --ip-range twice, once per family, as docker network create --ipv6', async () => {
    const name = netName();
    await network(
      'create',
      name,
      '--ipv6',
      '--subnet',
      '198.19.122.0/24',
      '--subnet',
      'fd00:4e:122::/64',
      '--ip-range',
      'fd00:4e:122::/80',
      '--ip-range',
      '198.19.122.128/25',
    );
    expect(JSON.parse(await network('inspect', name))).toMatchObject({
      ipRange: '198.19.122.128/25',
      ipv6IpRange: 'fd00:4e:122::/80',
    });
    const member = (await freshNamespace()).name as string;
    expect(await network('connect', name, member)).toBe('eth0 198.19.122.129/24 fd00:4e:122::2/64\n');
    const twice = await cli(
      'network',
      'create',
      netName(),
      '--subnet',
      '198.19.123.0/24',
      '--ip-range',
      '198.19.123.0/25',
      '--ip-range',
      '198.19.123.128/25',
    );
    expect([twice.code, twice.stderr]).toEqual([2, expect.stringContaining('--ip-range given twice for IPv4')]);
  });

  it("create takes docker's --ip-range, --aux-address and bridge options (-o): the network has them, in every process", async () => {
    const name = netName();
    await network(
      'create',
      name,
      '--subnet',
      '198.19.184.0/24',
      '--ip-range',
      '198.19.184.64/26',
      '--aux-address',
      'router=198.19.184.65',
      '-o',
      'com.docker.network.bridge.enable_icc=false',
      '--opt=com.docker.network.bridge.enable_ip_masquerade=false',
      '-o',
      'com.docker.network.bridge.host_binding_ipv4=198.51.100.161',
      '-o',
      'com.docker.network.bridge.name=nnt-cli-br174',
      '-o',
      'com.docker.network.driver.mtu=1400',
    );
    const shown = JSON.parse(await network('inspect', name)) as Record<string, unknown>;
    expect(shown).toMatchObject({
      subnet: '198.19.184.0/24',
      gateway: '198.19.184.64', // as Docker's IPAM: the range's first address
      ipRange: '198.19.184.64/26',
      auxAddresses: { router: '198.19.184.65' },
      icc: false,
      ipMasquerade: false,
      hostBindingAddress: '198.51.100.161',
      bridgeName: 'nnt-cli-br174',
      mtu: 1400,
    });
    expect(link(undefined, 'nnt-cli-br174')).toMatchObject({ mtu: 1400 });
    // The first member gets the range's first free address: not the gateway's, not router's.
    const member = (await freshNamespace()).name as string;
    expect(await network('connect', name, member)).toBe('eth0 198.19.184.66/24\n');
    await network('rm', '-f', name);
    expect(link(undefined, 'nnt-cli-br174')).toBeUndefined();
  });

  it('dns NAME answers the members’ names on 127.0.0.11 until SIGINT, then closes and exits 0', async () => {
    const name = netName();
    await network('create', name, '--subnet', '198.19.182.0/24');
    const [c1, c2] = [await freshNamespace(), await freshNamespace()];
    await network('connect', name, c1.name as string);
    await network('connect', name, c2.name as string, '--alias', 'db');
    const child = spawn(process.execPath, [cliMain(), 'network', 'dns', name, '--no-upstream'], { stdio: 'pipe' });
    const done = finished(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => out.includes('serving'), { what: 'the DNS server to say it serves' });
      expect(await resolveA(c1, 'db')).toEqual(['198.19.182.3']);
      expect(await resolveA(c2, c1.name as string)).toEqual(['198.19.182.2']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await done).toMatchObject({ code: 0, stderr: '' });
    expect(await resolveA(c1, 'db', 500)).toBeUndefined(); // closed: nothing answers
    // A dns: false network has nothing to serve: exit 1, EINVAL.
    const quiet = netName();
    await network('create', quiet, '--subnet', '198.19.183.0/24', '--no-dns');
    expect(await cli('network', 'dns', quiet)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^netns-native: EINVAL: cannot serve DNS for network "nnt-cli-[0-9a-f]+": /),
    });
  });

  it("connect --dns, --dns-search, --dns-option as docker run's: in the member's resolv.conf, and in inspect from another process", async () => {
    const name = netName();
    await network('create', name, '--subnet', '198.19.149.0/24');
    const c1 = (await freshNamespace()).name as string;
    await network('connect', name, c1, '--dns', '198.51.100.162', '--dns', 'FD00::53', '--dns-search', 'a.test');
    await network('connect', name, (await freshNamespace()).name as string, '--dns-option', 'ndots:3');
    const shown = JSON.parse(await network('inspect', name)) as { endpoints: Array<Record<string, unknown>> };
    expect(shown.endpoints.map((ep) => [ep.dns, ep.dnsSearch, ep.dnsOptions])).toEqual([
      [['198.51.100.162', 'fd00::53'], ['a.test'], undefined],
      [undefined, undefined, ['ndots:3']],
    ]);
    const resolv = fs.readFileSync(`/etc/netns/${c1}/resolv.conf`, 'utf8').split('\n');
    expect(resolv.filter((l) => /^(nameserver|search|# ExtServers|# Overrides)/.test(l))).toEqual([
      'nameserver 127.0.0.11',
      'search a.test',
      '# ExtServers: [198.51.100.162 fd00::53]',
      '# Overrides: [nameservers search]',
    ]);
    // On a --no-dns network the servers are the resolv.conf's own.
    const plain = netName();
    await network('create', plain, '--subnet', '198.19.150.0/24', '--no-dns');
    const c3 = (await freshNamespace()).name as string;
    await network('connect', plain, c3, '--dns', '198.51.100.162');
    expect(fs.readFileSync(`/etc/netns/${c3}/resolv.conf`, 'utf8')).toMatch(/^nameserver 198\.51\.100\.162$/m);
  });

  it('failures: status 1, "netns-native: CODE: ..." and nothing changed', async () => {
    const name = netName();
    await network('create', name, '--subnet', '198.19.184.0/24');
    const c1 = (await freshNamespace()).name as string;
    await network('connect', name, c1);
    await network('publish', name, c1, '8172:80');
    const fresh = (await freshNamespace()).name as string; // connected by none of the cases
    const before = snapshot(name, [c1, fresh]);
    const other = uniqueName('nnt-cli-'); // never made
    const cases: Array<[string[], string, RegExp]> = [
      [['rm', name], 'EBUSY', /it still has 1 member; disconnect them, or use --force$/],
      [['create', name, '--subnet', '198.19.185.0/24'], 'EEXIST', /a network with that name already exists$/],
      [['create', other, '--subnet', '198.19.184.128/25'], 'EEXIST', /overlaps network/],
      [['connect', name, c1], 'EEXIST', /./],
      [['publish', name, c1, '8172:81'], 'EADDRINUSE', /already published by network/],
      [['unpublish', name, '8173'], 'ENOENT', /it is not published on every address$/],
      [['unpublish', name, '198.51.100.161:8172'], 'ENOENT', /it is published on 0\.0\.0\.0:8172$/],
      [['connect', name, 'nnt-nosuch0'], 'ENOENT', /no such namespace/],
      [['connect', name, fresh, '--dns', 'dns.example'], 'EINVAL', /dns: "dns.example" is not an IP address/],
      [['connect', name, fresh, '--dns-search', 'a..test'], 'EINVAL', /is not a search domain/],
      [['connect', name, fresh, '--dns-option', 'ndots 2'], 'EINVAL', /is not a resolver option/],
      [['inspect', 'nnt-nosuch0'], 'ENOENT', /./],
      [['create', other, '--subnet', '198.19.185.0/33'], 'EINVAL', /./],
      [['create', other, '--default-address-pool', 'base=198.19.185.0/24,size=16'], 'EINVAL', /./],
    ];
    for (const [argv, code, reason] of cases) {
      const r = await cli('network', ...argv);
      expect([argv, r.code, r.stdout]).toEqual([argv, 1, '']);
      expect(r.stderr).toMatch(new RegExp(`^netns-native: ${code}: cannot .+\n$`));
      expect([argv, r.stderr.trimEnd()]).toEqual([argv, expect.stringMatching(reason)]);
      expect(snapshot(name, [c1, fresh])).toBe(before);
      expect(stateFile(other)).toBeUndefined();
      expect(fs.existsSync(`/etc/netns/${fresh}`)).toBe(false);
    }
  });

  it('bad command lines: status 2, a line naming the offending word, the network usage; nothing changed', async () => {
    const name = netName();
    await network('create', name, '--subnet', '198.19.188.0/24');
    const ns = (await freshNamespace()).name as string;
    await network('connect', name, ns);
    const before = snapshot(name, [ns]);
    const cases: Array<[string[], string]> = [
      [[], 'network needs a subverb'],
      [['bogus'], 'unknown network subverb "bogus"'],
      [['create'], 'network create needs NAME'],
      [['create', 'a', 'b'], 'unexpected "b"'],
      [['create', 'a', '--subnet'], '--subnet needs a value'],
      [['create', 'a', '--mtu', 'big'], '--mtu takes a number, not "big"'],
      [['create', 'a', '--frobnicate'], 'unknown option "--frobnicate"'],
      [['create', 'a', '--subnet', '198.19.1.0/24', '--subnet', '198.19.2.0/24'], '--subnet given twice for IPv4'],
      [['create', 'a', '--ipv6'], '--ipv6 needs an IPv6 --subnet'],
      [['create', 'a', '--default-address-pool', '198.19.0.0/16'], '--default-address-pool takes base=CIDR,size='],
      [['create', 'a', '-o', 'com.docker.network.bridge.enable_icc'], '-o takes KEY=VALUE'],
      [['create', 'a', '-o', 'com.docker.network.bridge.enable_icc=no'], 'takes true or false, not "no"'],
      [['create', 'a', '--opt', 'com.docker.network.bridge.frob=1'], 'unknown driver option'],
      [['create', 'a', '-o', 'com.docker.network.driver.mtu=big'], 'takes a number, not "big"'],
      [['create', 'a', '--mtu', '1400', '-o', 'com.docker.network.driver.mtu=1400'], '--mtu and its -o option'],
      [['create', 'a', '--aux-address', '198.19.1.9'], '--aux-address takes NAME=IP'],
      [['create', 'a', '--aux-address', 'r=198.19.1.9', '--aux-address', 'r=198.19.1.8'], 'names "r" twice'],
      [
        ['create', 'a', '--ip-range', '198.19.1.0/26', '--ip-range', '198.19.1.64/26'],
        '--ip-range given twice for IPv4',
      ],
      [['connect', name, ns, '--subnet', '198.19.1.0/24'], '--subnet is not an option of network connect'],
      [['connect', name, ns, '--ip', '198.19.188.9', '--ip', '198.19.188.8'], '--ip given more than once'],
      [['connect', name], 'network connect needs NS'],
      [['rm', name, '--force=yes'], '--force takes no value'],
      [['ls', name], 'network ls takes no operand; unexpected'],
      [['publish', name, ns, '8174'], 'too few ports in "8174"'],
      [['publish', name, ns, '8174:80/sctp'], 'unknown protocol "sctp"'],
      [['publish', name, ns, 'fd00::1:8174:80'], 'an IPv6 host address goes in brackets'],
      [['publish', name, ns, '8174:99999'], '"99999" is not a port'],
      [['publish', name, ns, '198.51.100.161::80'], 'a port is missing'],
      [['unpublish', name, '8174:80'], 'too many ports in "8174:80"'],
      [['publish', name, ns, '8174:80:3'], 'too many ports in "8174:80:3"'],
      [['dns', name, '--no-upstream', '--upstream', '198.51.100.53'], '--no-upstream and --upstream'],
      [['disconnect', name, ns, '--', 'x'], 'network takes no command after --'],
    ];
    for (const [argv, message] of cases) {
      const r = await cli('network', ...argv);
      expect([argv, r.code, r.stdout]).toEqual([argv, 2, '']);
      const [line, rest] = [r.stderr.slice(0, r.stderr.indexOf('\n')), r.stderr.slice(r.stderr.indexOf('\n'))];
      expect([argv, line]).toEqual([argv, expect.stringContaining(message)]);
      expect(line).toMatch(/^netns-native: /);
      expect(rest).toMatch(/^\n\nUsage: netns-native network SUBVERB/);
    }
    expect(snapshot(name, [ns])).toBe(before);
    expect(stateFile('a')).toBeUndefined();
    const help = await cli('network', 'create', '--help');
    expect(help).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^Usage: netns-native network /) });
  });
});
