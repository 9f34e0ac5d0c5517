/**
 * The classic walkthrough of how container networking works underneath, step by step, with
 * netns-native instead of `ip`: two namespaces joined by a veth pair, then three joined by a
 * bridge (what Docker's default bridge network is). Each step prints the `ip` command it
 * replaces and the state that results. Then Docker's networks themselves, with no daemon: a
 * default-style network where members have addresses only, a user-defined one where they find
 * each other by name (hosts files and the embedded DNS server on 127.0.0.11), and the `host`
 * and `none` modes, each step printing the `docker` command it stands for.
 *
 *   npm run demo                 # in a throwaway sandbox; everything is removed at the end
 *   npm run demo -- --keep       # leave it all for inspection (a shell opens in the sandbox)
 *
 * Run directly as root (`node dist/examples/walkthrough.js`), it works on this machine's own
 * namespaces: it only adds namespaces and links of its own (refusing to start if their names
 * are taken), never changes an interface or route that existed before, and removes what it
 * made at exit, also on Ctrl-C. `--cleanup` removes what a `--keep` run left behind.
 */
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as dnsPacket from 'dns-packet';
import {
  Bridge,
  Link,
  Namespace,
  NetnsError,
  Network,
  VethPair,
  type MonitorEvent,
  type PingResult,
} from 'netns-native';
import { OVERLAY_NAMESPACES, overlay } from './overlay';

const keep = process.argv.includes('--keep');
const cleanupOnly = process.argv.includes('--cleanup');
const sandboxed = process.env.NETNS_NATIVE_ISOLATED === '1';

const NAMESPACES = [
  'test1',
  'test2',
  'red',
  'green',
  'blue',
  'web1',
  'web2',
  'db',
  'app',
  'isolated',
  'outside',
  ...OVERLAY_NAMESPACES,
];
const ROOT_LINKS = [
  'veth-a',
  'veth-b',
  'br0',
  'veth-red',
  'veth-green',
  'veth-blue',
  'docker0',
  'br-appnet',
  'veth-out',
];
const NETWORKS = ['bridge', 'appnet'];

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

let stepNo = 0;
function step(title: string): void {
  stepNo += 1;
  console.log(`\n${bold(`${stepNo}. ${title}`)}`);
}
function cmd(line: string): void {
  console.log(`   $ ${line}`);
}
function show(line: string): void {
  console.log(`     ${dim(line)}`);
}

/** One line per link, like `ip -br link`. */
async function showLinks(ns: Namespace, label = ns.name ?? 'root'): Promise<void> {
  for (const l of await ns.links()) {
    const state = l.operState.toUpperCase().padEnd(8);
    const master = l.masterIndex ? `  master ${(await ns.link(l.masterIndex)).name}` : '';
    show(
      `${`${label}:`.padEnd(7)} ${String(l.index).padStart(2)}: ${l.name.padEnd(11)} ${state} mtu ${l.mtu}  ${l.mac}${master}`,
    );
  }
}

/** One line per link with its addresses, like `ip -br addr`. */
async function showAddresses(ns: Namespace, only?: Link): Promise<void> {
  const addresses = await ns.addresses();
  for (const l of only ? [only] : await ns.links()) {
    const mine = addresses.filter((a) => a.linkIndex === l.index && a.scope !== 'link').map((a) => a.cidr);
    await l.refresh();
    show(`${`${ns.name}:`.padEnd(7)} ${l.name.padEnd(11)} ${l.operState.toUpperCase().padEnd(8)} ${mine.join(' ')}`);
  }
}

/** Prints a ping result the way ping(8) prints it. */
function showPing(target: string, r: PingResult): void {
  show(`PING ${target} 56(84) bytes of data.`);
  for (const x of r.replies)
    show(`${x.bytes} bytes from ${x.from}: icmp_seq=${x.seq} ttl=${x.ttl} time=${x.rttMs.toFixed(3)} ms`);
  const loss = Math.round((100 * (r.transmitted - r.received)) / r.transmitted);
  show(`--- ${target} ping statistics ---`);
  show(`${r.transmitted} packets transmitted, ${r.received} received, ${loss}% packet loss`);
  if (r.rttMs.length > 0) {
    const min = Math.min(...r.rttMs);
    const max = Math.max(...r.rttMs);
    const avg = r.rttMs.reduce((a, b) => a + b, 0) / r.rttMs.length;
    show(`rtt min/avg/max = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)} ms`);
  }
}

/** One line per event, in the spirit of `ip monitor`. */
function showEvent(e: MonitorEvent, names: Map<number, string>): void {
  const dev = (index: number | undefined) => (index ? ` dev ${names.get(index) ?? index}` : '');
  switch (e.type) {
    case 'link':
      names.set(e.link.index, e.link.name);
      show(
        `[link]    ${e.action === 'delete' ? 'Deleted ' : ''}${e.link.index}: ${e.link.name} ${e.link.isUp ? 'UP' : 'DOWN'}, state ${e.link.operState.toUpperCase()}`,
      );
      break;
    case 'address':
      show(
        `[address] ${e.action === 'delete' ? 'Deleted ' : ''}${e.address.cidr}${dev(e.address.linkIndex)} scope ${e.address.scope}`,
      );
      break;
    case 'route': {
      const r = e.route;
      const table = r.table === 254 ? '' : ` table ${r.table === 255 ? 'local' : r.table}`;
      const type = r.type === 'unicast' ? '' : `${r.type} `;
      show(`[route]   ${e.action === 'delete' ? 'Deleted ' : ''}${type}${r.destination}${dev(r.linkIndex)}${table}`);
      break;
    }
    default:
      show(`[${e.type}]`);
  }
}

/** What `dig +short NAME @127.0.0.11` prints, asked from inside `ns`. */
async function dig(ns: Namespace, name: string): Promise<string> {
  const socket = await ns.createUdpSocket('udp4');
  try {
    const reply = await new Promise<dnsPacket.Packet | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 3000);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(msg));
      });
      socket.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name }] }), 53, '127.0.0.11');
    });
    if (!reply) return ';; connection timed out; no servers could be reached';
    const rcode = (reply as { rcode?: string }).rcode;
    const answers = (reply.answers ?? []).map((a) => String((a as { data?: unknown }).data));
    return answers.length > 0 ? answers.join(' ') : `(no answer: ${rcode})`;
  } finally {
    socket.close();
  }
}

/**
 * Tries again for a few seconds: a link just brought up carries traffic only once the kernel has
 * activated it (its linkwatch runs at most once a second), which a program must wait for too.
 */
async function retry<T>(fn: () => Promise<T>, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** `curl -s http://HOST:PORT/` from inside a namespace (a socket opened there). */
async function curl(ns: Namespace, host: string, port: number): Promise<string> {
  const socket = await ns.connect({ host, port, timeoutMs: 3000 });
  return new Promise((resolve, reject) => {
    const req = http.get({ createConnection: () => socket, host, port, path: '/' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('error', reject);
  });
}

/** Removes everything the walkthrough may have made. Safe to run at any point, and twice. */
async function cleanup(): Promise<void> {
  const root = Namespace.current();
  for (const name of NETWORKS) {
    try {
      await (await Network.open(name)).remove({ force: true });
    } catch (e) {
      if (!(e instanceof NetnsError && e.code === 'ENOENT')) throw e;
    }
  }
  for (const name of NAMESPACES) {
    try {
      await (await Namespace.open(name)).delete();
    } catch (e) {
      if (!(e instanceof NetnsError && e.code === 'ENOENT')) throw e;
    }
  }
  for (const name of ROOT_LINKS) {
    try {
      await (await root.link(name)).delete();
    } catch (e) {
      if (!(e instanceof NetnsError && e.code === 'ENODEV')) throw e;
    }
  }
}

/** Refuses to run over a namespace or link that is not ours. */
async function checkFree(): Promise<void> {
  const taken = (await Namespace.list()).map((n) => n.name).filter((n) => NAMESPACES.includes(n as string));
  const rootLinks = (await Namespace.current().links()).map((l) => l.name).filter((n) => ROOT_LINKS.includes(n));
  const networks = (await Network.list()).map((n) => `network ${n.name}`).filter((n) => NETWORKS.includes(n.slice(8)));
  if (taken.length > 0 || rootLinks.length > 0 || networks.length > 0) {
    console.error(
      `The walkthrough uses these names, and they already exist: ${[...taken, ...rootLinks, ...networks].join(', ')}.`,
    );
    console.error(
      'If a previous `--keep` run left them, remove them with: node dist/examples/walkthrough.js --cleanup',
    );
    process.exit(1);
  }
}

async function main(): Promise<void> {
  if (cleanupOnly) {
    await cleanup();
    console.log('Removed what the walkthrough had made.');
    return;
  }
  console.log(bold('netns-native: how container networking works underneath'));
  console.log(
    sandboxed
      ? dim('(in a throwaway network + mount namespace: nothing on this machine is touched)')
      : dim('(on this machine: only namespaces and links of its own are added, and removed at the end)'),
  );
  await checkFree();
  const root = Namespace.current();
  const started = process.hrtime.bigint();

  // ---- Part 1: two namespaces joined by a veth pair ----
  step('Create two network namespaces');
  cmd('ip netns add test1');
  cmd('ip netns add test2');
  const test1 = await Namespace.create('test1');
  const test2 = await Namespace.create('test2');
  show(`ip netns list: ${(await Namespace.list()).map((n) => n.name).join(', ')}`);
  await showLinks(test1);

  step('Bring up loopback in each');
  cmd('ip -n test1 link set lo up');
  cmd('ip -n test2 link set lo up');
  for (const ns of [test1, test2]) await (await ns.link('lo')).up();
  await showLinks(test1);
  await showLinks(test2);

  step('Create a veth pair: two links joined back to back');
  cmd('ip link add veth-a type veth peer name veth-b');
  const veth = await VethPair.create({ name: 'veth-a', peerName: 'veth-b' });
  await showLinks(root);

  step('Move each end into its namespace');
  cmd('ip link set veth-a netns test1');
  cmd('ip link set veth-b netns test2');
  const a = await veth.local.moveTo(test1);
  const b = await veth.peer.moveTo(test2);
  await showLinks(test1);
  await showLinks(test2);

  step('Give each end an address');
  cmd('ip -n test1 addr add 198.18.0.1/24 dev veth-a');
  cmd('ip -n test2 addr add 198.18.0.2/24 dev veth-b');
  await a.addAddress('198.18.0.1/24');
  await b.addAddress('198.18.0.2/24');
  await showAddresses(test1, a);
  await showAddresses(test2, b);

  step('Bring both ends up, watching what the kernel announces in test1');
  cmd('ip -n test1 monitor link address route &');
  cmd('ip -n test1 link set veth-a up');
  cmd('ip -n test2 link set veth-b up');
  // Subscribed before the change, so nothing it causes is missed.
  const watch = test1.monitor({ signal: AbortSignal.timeout(5000) });
  await watch.ready;
  await a.up();
  await b.up();
  // The link goes up at once; its carrier (the peer is up too) and the routes follow.
  const names = new Map([[a.index, a.name]]);
  try {
    for await (const event of watch) {
      showEvent(event, names);
      if (event.type === 'link' && event.link.index === a.index && event.link.operState === 'up') break;
    }
  } catch (e) {
    if (!(e instanceof Error && e.name === 'TimeoutError')) throw e;
    show('(no more events within 5 s)');
  }
  await showAddresses(test1, a);
  await showAddresses(test2, b);
  for (const r of await test1.routes({ family: 4 })) {
    show(`test1 route: ${r.destination} dev ${r.link} proto ${r.protocol} scope ${r.scope} src ${r.source}`);
  }

  step('Ping across, from inside test1');
  cmd('ip netns exec test1 ping -c 3 198.18.0.2');
  showPing('198.18.0.2', await test1.ping('198.18.0.2', { count: 3 }));

  // ---- Part 2: three namespaces joined by a bridge, as Docker's bridge network ----
  step('Create a bridge (a virtual switch, like docker0) and bring it up');
  cmd('ip link add br0 type bridge');
  cmd('ip link set br0 up');
  const br0 = await Bridge.create('br0');
  await br0.up();
  await showLinks(root);

  step('Connect three namespaces to it: one veth each, "eth0" created directly inside');
  const hosts: Array<[string, string]> = [
    ['red', '198.18.1.2/24'],
    ['green', '198.18.1.3/24'],
    ['blue', '198.18.1.4/24'],
  ];
  const spaces: Namespace[] = [];
  for (const [name, cidr] of hosts) {
    cmd(`ip netns add ${name}`);
    cmd(`ip link add veth-${name} type veth peer name eth0 netns ${name}`);
    cmd(`ip link set veth-${name} master br0 up`);
    cmd(`ip -n ${name} addr add ${cidr} dev eth0 && ip -n ${name} link set eth0 up && ip -n ${name} link set lo up`);
    const ns = await Namespace.create(name);
    const pair = await VethPair.create({ name: `veth-${name}`, peerName: 'eth0', peerNamespace: ns });
    await br0.addPort(pair.local);
    await pair.local.up();
    await pair.peer.addAddress(cidr);
    await pair.peer.up();
    await (await ns.link('lo')).up();
    spaces.push(ns);
  }
  show(`bridge br0 ports: ${(await br0.ports()).map((p) => p.name).join(', ')}`);
  for (const ns of spaces) await showAddresses(ns, await ns.link('eth0'));

  step('Ping across the bridge');
  cmd('ip netns exec red ping -c 3 198.18.1.4');
  showPing('198.18.1.4', await (spaces[0] as Namespace).ping('198.18.1.4', { count: 3 }));
  cmd('ip netns exec blue ping -c 3 198.18.1.3');
  showPing('198.18.1.3', await (spaces[2] as Namespace).ping('198.18.1.3', { count: 3 }));

  // ---- Part 3: Docker's networks, with no daemon ----
  console.log(`\n${bold("Docker's networks: the same parts, assembled the way docker does it")}`);
  console.log(dim('(state in /run/netns-native/networks; any process can open a network and change it)'));
  Network.addressPools = [{ base: '198.18.0.0/15', size: 24 }];
  const dockerCmd = (line: string) => cmd(`docker ${line}`);

  step('A default-style bridge network (docker0): members get addresses, not names');
  dockerCmd('network create --subnet 198.18.10.0/24 -o com.docker.network.bridge.name=docker0 bridge');
  const legacy = await Network.create('bridge', { subnet: '198.18.10.0/24', bridgeName: 'docker0', dns: false });
  show(
    `network bridge: ${legacy.subnet}, gateway ${legacy.gateway} on ${legacy.bridgeName}, id ${legacy.id.slice(0, 12)}`,
  );
  const webs: Namespace[] = [];
  for (const name of ['web1', 'web2']) {
    dockerCmd(`run -d --network bridge --name ${name} ...`);
    const ns = await Namespace.create(name);
    const ep = await legacy.connect(ns);
    show(
      `${name}: ${ep.interfaceName} ${ep.address} mac ${ep.mac}, host end ${ep.hostInterfaceName} in ${legacy.bridgeName}`,
    );
    webs.push(ns);
  }
  const [web1, web2] = webs as [Namespace, Namespace];
  cmd('docker exec web1 ping -c 3 198.18.10.3');
  showPing('198.18.10.3', await web1.ping('198.18.10.3', { count: 3 }));
  // -s files: the host's own resolvers are out of reach from here; what matters is /etc/hosts.
  cmd('docker exec web1 getent -s files hosts web2');
  const noName = await web1.exec('getent', ['-s', 'files', 'hosts', 'web2']);
  show(
    noName.exitCode === 0
      ? noName.stdout.trim()
      : `(nothing: exit ${noName.exitCode}; the default bridge gives no names)`,
  );

  step('A user-defined network: members find each other by name');
  dockerCmd('network create --subnet 198.18.11.0/24 -o com.docker.network.bridge.name=br-appnet appnet');
  const appnet = await Network.create('appnet', { subnet: '198.18.11.0/24', bridgeName: 'br-appnet' });
  show(`network appnet: ${appnet.subnet}, gateway ${appnet.gateway} on ${appnet.bridgeName}`);
  dockerCmd('run -d --network appnet --name db --network-alias database ...');
  const db = await Namespace.create('db');
  const dbEp = await appnet.connect(db, { aliases: ['database'] });
  show(`db: ${dbEp.address}, names db, database`);
  dockerCmd('run -d --network appnet --name app ...');
  const app = await Namespace.create('app');
  const appEp = await appnet.connect(app);
  show(`app: ${appEp.address}`);
  dockerCmd('network connect appnet web1');
  const web1Ep = await appnet.connect(web1);
  show(`web1: also ${web1Ep.interfaceName} ${web1Ep.address} (its default route stays on bridge)`);
  cmd('docker exec app getent hosts database');
  show((await app.exec('getent', ['hosts', 'database'])).stdout.trim());
  cmd('docker exec app cat /etc/hosts   # /etc/netns/app/hosts, rewritten in place as members come and go');
  for (const line of (await app.exec('cat', ['/etc/hosts'])).stdout.trim().split('\n').slice(-4)) show(line);

  step('The embedded DNS server on 127.0.0.11, inside every member, served by this process');
  cmd('(dockerd runs it for each container; here: net.serveDns())');
  const dns = await appnet.serveDns({ upstream: [] });
  cmd('docker exec app dig +short db @127.0.0.11');
  show(await dig(app, 'db'));
  cmd('docker exec app dig +short WEB1 @127.0.0.11');
  show(await dig(app, 'WEB1'));
  cmd('docker exec web2 getent -s files hosts db   # web2 is on bridge only: not its network');
  const isolated2 = await web2.exec('getent', ['-s', 'files', 'hosts', 'db']);
  show(isolated2.exitCode === 0 ? isolated2.stdout.trim() : `(nothing: exit ${isolated2.exitCode})`);
  await dns.close();

  step('The outside world: masquerade out, a published port in (docker run -p)');
  cmd('# "outside" stands in for the internet: a namespace linked to the host by a veth');
  cmd('ip netns add outside; ip link add veth-out type veth peer name eth0 netns outside');
  const outside = await Namespace.create('outside');
  const uplink = await VethPair.create({ name: 'veth-out', peerName: 'eth0', peerNamespace: outside });
  await uplink.local.addAddress('198.51.100.1/24');
  await uplink.peer.addAddress('198.51.100.2/24');
  await Promise.all([uplink.local.up(), uplink.peer.up()]);
  const hello = http.createServer((req, res) => res.end(`hello from app, you are ${req.socket.remoteAddress}\n`));
  await app.listen(hello, { host: appEp.address.split('/')[0] as string, port: 80 });
  dockerCmd('run -d -p 8080:80 --network appnet --name app ...   # (app already runs an HTTP server on :80)');
  const port = await appnet.publish(app, { hostPort: 8080, containerPort: 80 });
  show(
    `published: host port ${port.hostPort}/${port.protocol} -> ${port.address}:${port.containerPort} (nftables, table netns-native)`,
  );
  cmd('ip netns exec outside curl -s http://198.51.100.1:8080/');
  show(await retry(() => curl(outside, '198.51.100.1', 8080)));
  cmd('curl -s http://127.0.0.1:8080/   # from the host itself');
  show(await curl(root, '127.0.0.1', 8080));
  cmd("docker exec web1 curl -s http://198.51.100.1:8080/   # a member, through the host's address");
  show(await curl(web1, '198.51.100.1', 8080));
  const echo = http.createServer((req, res) => res.end(`outside sees you as ${req.socket.remoteAddress}\n`));
  await outside.listen(echo, { host: '198.51.100.2', port: 80 });
  cmd('docker exec app curl -s http://198.51.100.2/   # out through the host: masqueraded');
  show(await retry(() => curl(app, '198.51.100.2', 80)));
  dockerCmd('port app');
  for (const p of await appnet.ports())
    show(`${p.containerPort}/${p.protocol} -> ${p.hostAddress ?? (p.family === 6 ? '[::]' : '0.0.0.0')}:${p.hostPort}`);
  await port.unpublish();
  hello.close();
  echo.close();

  step('--network host and --network none');
  dockerCmd("run --network host ...   # the host's own namespace");
  const host = Network.host();
  show(`Network.host(): inode ${host.inode}, links ${(await host.links()).map((l) => l.name).join(', ')}`);
  dockerCmd('run --network none --name isolated ...');
  const none = await Network.none('isolated');
  await showLinks(none);

  step('Leave and remove the networks');
  dockerCmd('network disconnect appnet web1');
  await appnet.disconnect(web1);
  show(`web1 links now: ${(await web1.links()).map((l) => l.name).join(', ')}`);
  dockerCmd('network ls');
  for (const n of await Network.list()) show(`${n.id.slice(0, 12)}  ${n.name.padEnd(8)} bridge  ${n.subnet}`);

  // ---- Part 4: two hosts joined by a VXLAN overlay (examples/overlay.ts) ----
  console.log(`\n${bold('Across hosts: a VXLAN overlay between two bridges')}`);
  await overlay({ keep, print: { step, cmd, show } });

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(
    `\n${dim(`(${stepNo} steps in ${ms.toFixed(0)} ms, pings included; no ip or docker process: only the getent and cat shown ran, inside)`)}`,
  );

  if (keep) {
    console.log(`\n${bold('--keep: everything is left in place.')} Inspect it with:`);
    for (const line of [
      'ip netns list',
      'ip -n test1 addr',
      'ip link show master br0',
      'ip netns exec red ip route',
      'cat /run/netns-native/networks/appnet.json',
      'ip netns exec app getent hosts db',
    ])
      cmd(line);
    if (sandboxed && process.stdin.isTTY) {
      console.log(dim('A shell opens inside the sandbox; the sandbox and all of it go away when you exit the shell.'));
      spawnSync(process.env.SHELL || '/bin/sh', { stdio: 'inherit' });
    } else if (sandboxed) {
      console.log(
        dim('(The sandbox ends with this run; run as root outside `npm run demo` to keep it on the machine.)'),
      );
    } else {
      console.log(dim('Remove it later with: node dist/examples/walkthrough.js --cleanup'));
    }
    return;
  }

  step('Clean up');
  cmd('docker network rm --force bridge appnet; docker rm web1 web2 db app isolated');
  cmd('ip netns del test1; ip netns del test2; ip netns del red; ip netns del green; ip netns del blue');
  cmd('ip link del br0');
  await cleanup();
  show(`ip netns list: ${(await Namespace.list()).map((n) => n.name).join(', ') || '(none)'}`);
  show(`links left behind: ${(await root.links()).filter((l) => ROOT_LINKS.includes(l.name)).length}`);
  show(`networks left behind: ${(await Network.list()).length}`);
}

// Ctrl-C or kill: remove what was made, then exit as the signal would have.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: cleaning up...`);
    cleanup()
      .catch((e: unknown) => console.error(e))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

main().catch(async (e: unknown) => {
  console.error(e instanceof NetnsError ? `\nerror: ${e.message}` : e);
  if (!keep) await cleanup().catch(() => undefined);
  process.exitCode = 1;
});
