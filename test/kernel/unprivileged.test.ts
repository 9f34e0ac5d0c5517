/**
 * An unprivileged process (uid 65534, no capabilities) reads the namespace it runs in as `ip`
 * does for the same user — links, addresses, routes, neighbours, rules, the list of names and the
 * ids it gives them —
 * whichever way it opens it (current(), the name it runs under, its own PID), and every change
 * fails with EPERM and a sentence naming the capability it lacks. What it may not read (another
 * namespace: setns needs CAP_SYS_ADMIN) it may not read with `ip -n` either.
 */
import { execFileSync, spawn } from 'node:child_process';
import { Namespace, VethPair } from 'netns-native';
import { finished, libraryEntry } from '../helpers/child';
import { freshNamespace } from '../helpers/fresh';
import { ipJson, type IpAddr, type IpLink, type IpRoute } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Runs `node -e script` as uid 65534 inside the named namespace (`ip netns exec`), with args. */
async function asNobody(ns: string, script: string, ...args: string[]): Promise<unknown> {
  const child = spawn(
    'ip',
    ['netns', 'exec', ns, 'setpriv', ...NOBODY, process.execPath, '-e', script, '--', ...args],
    { env: { ...process.env, NNT_LIB: libraryEntry() }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { stdout, stderr, code } = await finished(child);
  if (code !== 0) throw new Error(`the unprivileged child failed (${code}): ${stderr}`);
  return JSON.parse(stdout);
}

/** `ip ARGS` as uid 65534 inside `ns`: [exit code, stdout + stderr]. */
function ipAsNobody(ns: string, ...args: string[]): [number, string] {
  try {
    return [
      0,
      execFileSync('ip', ['netns', 'exec', ns, 'setpriv', ...NOBODY, 'ip', ...args], {
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ];
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return [err.status, `${err.stdout}${err.stderr}`];
  }
}

const READS = `
const { Namespace } = require(process.env.NNT_LIB);
const [name] = process.argv.slice(1);
(async () => {
  const out = { uid: process.getuid() };
  for (const [how, open] of [
    ['current', async () => Namespace.current()],
    ['open', () => Namespace.open(name)],
    ['fromPid', () => Namespace.fromPid(process.pid)],
    ['list', async () => (await Namespace.list()).find((n) => n.name === name)],
  ]) {
    const ns = await open();
    out[how] = {
      links: (await ns.links()).map((l) => [l.index, l.name, l.mtu, l.isUp]),
      lo: (await ns.link('lo')).index,
      addresses: (await ns.addresses()).map((a) => a.cidr).sort(),
      routes: (await ns.routes()).map((r) => r.destination).sort(),
      neighbours: (await ns.neighbours({ all: true })).map((n) => n.address).sort(),
      rules: (await ns.rules({ family: 4 })).map((r) => r.priority),
    };
  }
  out.names = (await Namespace.list()).map((n) => n.name);
  // The ids it gives them: each named by its fd alone, as ip does, which needs no privilege.
  out.ids = {};
  for (const n of await Namespace.list()) out.ids[n.name] = (await Namespace.current().knownNsid(n)) ?? null;
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const CHANGES = `
const { Namespace, VethPair } = require(process.env.NNT_LIB);
const [name, other, rootPid] = process.argv.slice(1);
(async () => {
  const ns = await Namespace.open(name);
  const lo = await ns.link('lo');
  const out = {};
  for (const [what, change] of [
    ['setMtu', () => lo.setMtu(1400)],
    ['down', () => lo.down()],
    ['addAddress', () => lo.addAddress('198.18.77.1/32')],
    ['addRoute', () => ns.addRoute({ destination: '198.18.78.0/24', link: 'lo' })],
    ['addRule', () => ns.addRule({ from: '198.18.79.0/24', table: 100 })],
    ['veth', () => VethPair.create({ name: 'nobody0', peerName: 'nobody1', namespace: ns })],
    ['create', () => Namespace.create('nnt-nobody')],
    ['openOther', async () => (await Namespace.open(other)).links()],
    ['deleteOther', async () => (await Namespace.list()).find((n) => n.name === other).delete()],
    ['fromPidRoot', () => Namespace.fromPid(Number(rootPid))],
  ]) {
    try {
      await change();
      out[what] = 'done';
    } catch (e) {
      out[what] = { name: e.name, code: e.code, message: e.message };
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface Reads {
  links: Array<[number, string, number, boolean]>;
  lo: number;
  addresses: string[];
  routes: string[];
  neighbours: string[];
  rules: number[];
}

describeKernel('an unprivileged process', () => {
  it('reads the namespace it runs in, however it opens it, as ip does for the same user', async () => {
    const ns = await freshNamespace();
    const other = await freshNamespace();
    const { local, peer } = await VethPair.create({
      name: 'eth0',
      peerName: 'eth1',
      namespace: ns,
      peerNamespace: other,
    });
    await local.addAddress('198.18.76.1/24');
    await local.addAddress('fd00:76::1/64');
    await local.up();
    await peer.up();
    await (await ns.link('lo')).up();
    await ns.addNeighbour({ link: local, address: '198.18.76.9', mac: '02:00:00:00:76:09' });
    await ns.addRule({ from: '198.18.76.0/24', table: 100, priority: 1000 });

    const out = (await asNobody(ns.name as string, READS, ns.name as string)) as Record<string, Reads> & {
      uid: number;
      names: string[];
      ids: Record<string, number | null>;
    };
    expect(out.uid).toBe(65534);
    expect(out.names).toEqual(expect.arrayContaining([ns.name, other.name]));
    // As ip netns list for the same user, run in ns: "OTHER (id: N)", N the veth's peer's id.
    const [listCode, listed] = ipAsNobody(ns.name as string, '-j', 'netns', 'list');
    expect(listCode).toBe(0);
    const ipIds = JSON.parse(listed) as Array<{ name: string; id?: number }>;
    expect(out.ids).toEqual(Object.fromEntries(ipIds.map((n) => [n.name, n.id ?? null])));
    expect(out.ids[other.name as string]).toBe(local.parentNetnsId);
    expect(out.ids[other.name as string]).toEqual(expect.any(Number));

    // The witness: what ip shows, as root and as the same unprivileged user.
    const links = ipJson<IpLink[]>(ns.name, 'link', 'show');
    const addrs = ipJson<IpAddr[]>(ns.name, 'addr', 'show').flatMap((l) =>
      l.addr_info.map((a) => `${a.local}/${a.prefixlen}`),
    );
    const routes = ipJson<IpRoute[]>(ns.name, 'route', 'show');
    const [ipCode, ipOut] = ipAsNobody(ns.name as string, '-br', 'link');
    expect(ipCode).toBe(0);
    for (const how of ['current', 'open', 'fromPid', 'list']) {
      const r = out[how] as Reads;
      expect(r.links).toEqual(links.map((l) => [l.ifindex, l.ifname, l.mtu, l.flags.includes('UP')]));
      for (const [, name] of r.links) expect(ipOut).toContain(name);
      expect(r.lo).toBe(1);
      expect(r.addresses).toEqual([...addrs].sort());
      expect(r.routes).toEqual(expect.arrayContaining(routes.map((x) => x.dst)));
      expect(r.neighbours).toContain('198.18.76.9');
      expect(r.rules).toEqual([0, 1000, 32766, 32767]);
    }
  });

  it('is refused every change with EPERM naming the missing capability; nothing changes', async () => {
    const ns = await freshNamespace();
    const other = await freshNamespace();
    const before = JSON.stringify([ipJson(ns.name, 'link'), ipJson(ns.name, 'addr'), ipJson(ns.name, 'route')]);
    const out = (await asNobody(
      ns.name as string,
      CHANGES,
      ns.name as string,
      other.name as string,
      String(process.pid),
    )) as Record<string, { name: string; code: string; message: string }>;
    const lacks = (cap: string): RegExp =>
      new RegExp(`permission denied: this needs ${cap}.*which this process does not have`);
    for (const what of ['setMtu', 'down', 'addAddress', 'addRoute', 'addRule', 'veth']) {
      expect([what, out[what]]).toEqual([what, expect.objectContaining({ name: 'NetnsError', code: 'EPERM' })]);
      expect(out[what]?.message).toMatch(lacks('CAP_NET_ADMIN'));
    }
    expect(out.create).toMatchObject({ code: 'EPERM' });
    expect(out.create?.message).toMatch(lacks('CAP_SYS_ADMIN'));
    // Another namespace: setns needs CAP_SYS_ADMIN, for ip -n as much as for us.
    expect(out.openOther).toMatchObject({ code: 'EPERM' });
    expect(out.openOther?.message).toMatch(lacks('CAP_SYS_ADMIN'));
    expect(ipAsNobody(ns.name as string, '-n', other.name as string, 'link')[0]).not.toBe(0);
    // Deleting a name: unmounting it needs CAP_SYS_ADMIN.
    expect(out.deleteOther).toMatchObject({ name: 'NetnsError', code: 'EPERM' });
    expect(out.deleteOther?.message).toMatch(lacks('CAP_SYS_ADMIN'));
    // Another user's process: its /proc/PID/ns/net opens only with ptrace access to it, which no
    // network capability gives.
    expect(out.fromPidRoot).toMatchObject({ name: 'NetnsError', code: 'EACCES' });
    expect(out.fromPidRoot?.message).toBe(
      `cannot open the namespace of process ${process.pid}: permission denied: opening another process's ` +
        'namespace needs the right to inspect that process (ptrace read access: the same user, or ' +
        'CAP_SYS_PTRACE in its user namespace), which the kernel refused (EACCES)',
    );
    expect(JSON.stringify([ipJson(ns.name, 'link'), ipJson(ns.name, 'addr'), ipJson(ns.name, 'route')])).toBe(before);
    expect((await Namespace.list()).map((n) => n.name)).toEqual(expect.arrayContaining([ns.name, other.name]));
  });
});
