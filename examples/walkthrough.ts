/**
 * The classic walkthrough of how container networking works underneath, step by step, with
 * netns-native instead of `ip`: two namespaces joined by a veth pair, then three joined by a
 * bridge (what Docker's default bridge network is). Each step prints the `ip` command it
 * replaces and the state that results.
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
import { Bridge, Link, Namespace, NetnsError, VethPair, type MonitorEvent, type PingResult } from 'netns-native';

const keep = process.argv.includes('--keep');
const cleanupOnly = process.argv.includes('--cleanup');
const sandboxed = process.env.NETNS_NATIVE_ISOLATED === '1';

const NAMESPACES = ['test1', 'test2', 'red', 'green', 'blue'];
const ROOT_LINKS = ['veth-a', 'veth-b', 'br0', 'veth-red', 'veth-green', 'veth-blue'];

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

/** Removes everything the walkthrough may have made. Safe to run at any point, and twice. */
async function cleanup(): Promise<void> {
  const root = Namespace.current();
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
  if (taken.length > 0 || rootLinks.length > 0) {
    console.error(`The walkthrough uses these names, and they already exist: ${[...taken, ...rootLinks].join(', ')}.`);
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

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`\n${dim(`(${stepNo} steps in ${ms.toFixed(0)} ms, pings included; no process spawned)`)}`);

  if (keep) {
    console.log(`\n${bold('--keep: everything is left in place.')} Inspect it with:`);
    for (const line of ['ip netns list', 'ip -n test1 addr', 'ip link show master br0', 'ip netns exec red ip route'])
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
  cmd('ip netns del test1; ip netns del test2; ip netns del red; ip netns del green; ip netns del blue');
  cmd('ip link del br0');
  await cleanup();
  show(`ip netns list: ${(await Namespace.list()).map((n) => n.name).join(', ') || '(none)'}`);
  show(`links left behind: ${(await root.links()).filter((l) => ROOT_LINKS.includes(l.name)).length}`);
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
