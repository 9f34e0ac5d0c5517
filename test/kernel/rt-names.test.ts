/**
 * Table, protocol and DS field names through the files `ip` reads, with `ip` as the witness both
 * ways. The test's own rt_tables, rt_tables.d, rt_protos.d and rt_dsfield are bind-mounted over
 * /etc/iproute2's, only inside the private mount namespace the kernel tests run in
 * (scripts/isolated.sh), and unmounted after: the real files are never written. They add names
 * to the real ones only for tables (5101-5103), a protocol (250) and TOS values (0x04, 0x0c) no
 * other test uses, since test files running meanwhile share that mount namespace. The same for
 * protodown_reasons.d: names for reasons 6, 7 and 30, which no other test sets.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NetnsError, VethPair, Vxlan, type Link, type Namespace, type Route } from 'netns-native';
import { cli, ok, usage } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, rules, snapshot, type IpRoute } from '../helpers/ip';
import { describeKernel, isRoot } from '../helpers/skip';

const ETC = '/etc/iproute2';
const TABLES = `${ETC}/rt_tables`;
const TABLES_D = `${ETC}/rt_tables.d`;
const DSFIELD = `${ETC}/rt_dsfield`;
const PROTOS_D = `${ETC}/rt_protos.d`;
const REALMS = `${ETC}/rt_realms`;
const PROTODOWN_D = `${ETC}/protodown_reasons.d`;

/**
 * A mount namespace of our own, not the machine's: the one scripts/isolated.sh makes, known by
 * the overlay it mounts on /etc (only ever mounted after `unshare --mount`). Binding files over
 * /etc/iproute2 is safe there, and nowhere else.
 */
function privateMountNamespace(): boolean {
  try {
    return fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .some((line) => / \/etc .* - overlay netns-native-etc /.test(line));
  } catch {
    return false;
  }
}

const mounted: string[] = [];

function bindOver(source: string, target: string): void {
  if (!privateMountNamespace()) throw new Error('refusing to bind-mount outside a private mount namespace');
  execFileSync('mount', ['--bind', source, target]);
  mounted.push(target);
}

function unmountLast(): void {
  const target = mounted.pop();
  if (target !== undefined) execFileSync('umount', [target]);
}

let scratch: string;

/** `ip -j route show ARGS` with the table names `ip` gives (its `table` key). */
function ipRoutes(ns: Namespace, ...args: string[]): Array<IpRoute & { dsfield?: string }> {
  return ipJson(ns.name, 'route', 'show', ...args);
}

async function withLink(): Promise<{ ns: Namespace; eth: Link }> {
  const ns = await freshNamespace();
  const { local, peer } = await VethPair.create({ name: uniqueName('t'), peerName: uniqueName('u'), namespace: ns });
  await local.addAddress('198.18.40.1/24');
  await local.up();
  await peer.up();
  return { ns, eth: local };
}

describeKernel('table and DS field names (rt_tables, rt_dsfield)', () => {
  beforeAll(() => {
    if (!isRoot || !privateMountNamespace()) return;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-rt-names-'));
    const tables = path.join(scratch, 'rt_tables');
    fs.writeFileSync(tables, `${fs.readFileSync(TABLES, 'utf8')}\n5101\tnnt-blue\n0x13ee nnt-hex # 5102\n`);
    const tablesD = path.join(scratch, 'rt_tables.d');
    fs.mkdirSync(tablesD);
    fs.writeFileSync(path.join(tablesD, 'nnt.conf'), '5103 nnt-green\n');
    const dsfield = path.join(scratch, 'rt_dsfield');
    fs.writeFileSync(dsfield, `${fs.readFileSync(DSFIELD, 'utf8')}\n0x04\tnnt-reliable\n0x0c nnt-tos12\n`);
    bindOver(tables, TABLES);
    bindOver(tablesD, TABLES_D);
    bindOver(dsfield, DSFIELD);
    const protosD = path.join(scratch, 'rt_protos.d');
    fs.mkdirSync(protosD);
    fs.writeFileSync(path.join(protosD, 'nnt.conf'), '250\tnnt-proto\n');
    fs.mkdirSync(PROTOS_D, { recursive: true }); // in the overlay on /etc: the test's own
    bindOver(protosD, PROTOS_D);
    const realms = path.join(scratch, 'rt_realms');
    fs.writeFileSync(realms, `${fs.readFileSync(REALMS, 'utf8')}\n201\tnnt-realm\n0xca nnt-realm-hex\n`);
    bindOver(realms, REALMS);
  });

  afterAll(() => {
    while (mounted.length > 0) unmountLast();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('the test runs in a private mount namespace, over its own files', () => {
    expect(privateMountNamespace()).toBe(true);
    expect(fs.readFileSync(TABLES, 'utf8')).toMatch(/^5101\tnnt-blue$/m);
  });

  it('routes: a table and a TOS given by name are what `ip route` shows by those names, and read back with them', async () => {
    const { ns, eth } = await withLink();
    await ns.addRoute({ destination: '198.19.41.0/24', link: eth, table: 'nnt-blue' });
    await ns.addRoute({ destination: '198.19.42.0/24', link: eth, table: 5102, tos: 'AF21' });
    await ns.addRoute({ destination: '198.19.43.0/24', link: eth, table: '5103', tos: '0x10' });
    await ns.addRoute({ destination: '198.19.44.0/24', link: eth, table: 'main', tos: 'nnt-tos12' });
    expect(ipRoutes(ns, 'table', 'nnt-blue')).toEqual([expect.objectContaining({ dst: '198.19.41.0/24' })]);
    const all = ipRoutes(ns, 'table', 'all').filter((r) => r.dst.startsWith('198.19.4'));
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dst: '198.19.41.0/24', table: 'nnt-blue' }),
        expect.objectContaining({ dst: '198.19.42.0/24', table: 'nnt-hex', tos: 'AF21' }),
        expect.objectContaining({ dst: '198.19.43.0/24', table: 'nnt-green', tos: '0x10' }),
        expect.objectContaining({ dst: '198.19.44.0/24', tos: 'nnt-tos12' }),
      ]),
    );
    // What ip adds by name reads back, by number and by name.
    ip(ns.name, 'route', 'add', '198.19.45.0/24', 'dev', eth.name, 'table', 'nnt-green', 'tos', 'AF11');
    const green = await ns.routes({ table: 'nnt-green' });
    expect(green).toEqual([
      expect.objectContaining({ destination: '198.19.43.0/24', table: 5103, tableName: 'nnt-green', tos: 0x10 }),
      expect.objectContaining({
        destination: '198.19.45.0/24',
        table: 5103,
        tableName: 'nnt-green',
        tos: 0x28,
        tosName: 'AF11',
      }),
    ]);
    expect(green[0]).not.toHaveProperty('tosName'); // 0x10 has no name
    const listed = (await ns.routes({ table: 'all' })).filter((r) => r.destination.startsWith('198.19.4'));
    expect(listed.map((r) => [r.destination, r.table, r.tableName, r.tosName])).toEqual(
      expect.arrayContaining([
        ['198.19.41.0/24', 5101, 'nnt-blue', undefined],
        ['198.19.42.0/24', 5102, 'nnt-hex', 'AF21'],
        ['198.19.44.0/24', 254, 'main', 'nnt-tos12'],
      ]),
    );
    const local = (await ns.routes({ table: 'local' }))[0] as Route;
    expect(local).toMatchObject({ table: 255, tableName: 'local' });
    // Each listed route deletes itself.
    for (const r of listed) await ns.deleteRoute(r);
    expect(ipRoutes(ns, 'table', 'all').filter((r) => r.dst.startsWith('198.19.4'))).toEqual([]);
  });

  it('rules: a table and a TOS given by name are what `ip rule` shows, and read back with them', async () => {
    const ns = await freshNamespace();
    await ns.addRule({ from: '198.18.41.0/24', table: 'nnt-blue', tos: 'nnt-reliable', priority: 2000 });
    await ns.addRule({ to: 'fd00:41::/64', table: 'nnt-hex', priority: 2000 });
    expect(rules(ns.name, 4).find((r) => r.priority === 2000)).toMatchObject({
      src: '198.18.41.0',
      table: 'nnt-blue',
      tos: 'nnt-reliable',
    });
    expect(rules(ns.name, 6).find((r) => r.priority === 2000)).toMatchObject({ table: 'nnt-hex' });
    ip(ns.name, 'rule', 'add', 'tos', 'nnt-tos12', 'lookup', 'nnt-green', 'priority', '2001');
    const mine = await ns.rules();
    expect(mine.filter((r) => r.priority >= 2000 && r.priority <= 2001)).toEqual([
      expect.objectContaining({ family: 4, priority: 2000, table: 5101, tableName: 'nnt-blue', tos: 4 }),
      expect.objectContaining({ family: 4, priority: 2001, table: 5103, tableName: 'nnt-green', tos: 0x0c }),
      expect.objectContaining({ family: 6, priority: 2000, table: 5102, tableName: 'nnt-hex' }),
    ]);
    expect(mine.find((r) => r.priority === 2000 && r.family === 4)?.tosName).toBe('nnt-reliable');
    expect(mine.find((r) => r.priority === 2001)?.tosName).toBe('nnt-tos12');
    // The kernel's own rules: local, main and default, by name.
    expect(mine.filter((r) => r.family === 4 && r.protocol === 'kernel').map((r) => r.tableName)).toEqual([
      'local',
      'main',
      'default',
    ]);
    await ns.deleteRule({ table: 'nnt-green', priority: 2001 });
    expect(rules(ns.name, 4).find((r) => r.priority === 2001)).toBeUndefined();
  });

  it('protocols: a name of rt_protos.d given to a route, a rule and a nexthop object is what ip shows, and reads back', async () => {
    const ns = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: uniqueName('t'), peerName: uniqueName('u'), namespace: ns });
    await local.addAddress('198.19.130.1/24');
    await local.up();
    await peer.up();
    await ns.addRoute({ destination: '198.19.131.0/24', link: local, protocol: 'nnt-proto' });
    await ns.addRule({ to: '198.19.132.0/24', table: 100, priority: 2100, protocol: 'nnt-proto' });
    await ns.addNexthop({ id: 1, gateway: '198.19.130.254', link: local, protocol: 'nnt-proto' });
    // A route ip adds by a built-in name the library did not know before (iproute2 6.1's table).
    ip(ns.name, 'route', 'add', '198.19.133.0/24', 'dev', local.name, 'proto', 'eigrp');
    expect(ipRoutes(ns, '198.19.131.0/24')).toEqual([expect.objectContaining({ protocol: 'nnt-proto' })]);
    expect(rules(ns.name).find((r) => r.priority === 2100)).toMatchObject({ protocol: 'nnt-proto' });
    expect(ipJson<Array<{ id: number; protocol: string }>>(ns.name, 'nexthop', 'show')).toEqual([
      expect.objectContaining({ id: 1, protocol: 'nnt-proto' }),
    ]);
    const routes = (await ns.routes()).filter((r) => r.destination.startsWith('198.19.13'));
    expect(routes.map((r) => [r.destination, r.protocol])).toEqual([
      ['198.19.130.0/24', 'kernel'],
      ['198.19.131.0/24', 'nnt-proto'],
      ['198.19.133.0/24', 'eigrp'],
    ]);
    expect((await ns.rules()).find((r) => r.priority === 2100)?.protocol).toBe('nnt-proto');
    expect((await ns.nexthops())[0]?.protocol).toBe('nnt-proto');
    // A listed route deletes itself by that name; a flush takes the name.
    await ns.deleteRoute(routes[1] as Route);
    expect(ipRoutes(ns, '198.19.131.0/24')).toEqual([]);
    await ns.flushRoutes({ protocol: 'eigrp' });
    expect(ipRoutes(ns, '198.19.133.0/24')).toEqual([]);
    await expect(ns.addRoute({ destination: '198.19.134.0/24', link: local, protocol: 'nnt-nosuch' })).rejects.toThrow(
      `unknown route protocol "nnt-nosuch"`,
    );
    expect(ipRoutes(ns, '198.19.134.0/24')).toEqual([]);
  });

  it('realms: names of rt_realms given to a route, a hop and a rule are what ip shows; the command takes and prints them as ip', async () => {
    const { ns, eth } = await withLink();
    await ns.addRoute({ destination: '198.19.46.0/24', link: eth, realm: 'nnt-realm', sourceRealm: 'nnt-realm-hex' });
    await ns.addRoute({
      destination: '198.19.47.0/24',
      nexthops: [{ gateway: '198.18.40.2', link: eth, realm: 'nnt-realm' }],
    });
    await ns.addRule({ from: '198.19.46.0/24', table: 5, priority: 300, realm: 'nnt-realm-hex' });
    const shown = new Map(
      ipRoutes(ns).map((r) => [r.dst, r as unknown as { flow?: unknown; nexthops?: Array<{ flow?: unknown }> }]),
    );
    expect(shown.get('198.19.46.0/24')?.flow).toEqual({ from: 'nnt-realm-hex', to: 'nnt-realm' });
    expect(shown.get('198.19.47.0/24')?.flow ?? shown.get('198.19.47.0/24')?.nexthops?.[0]?.flow).toEqual({
      to: 'nnt-realm',
    });
    expect(ip(ns.name, 'rule', 'show', 'priority', '300')).toMatch(/realms nnt-realm-hex/);
    expect((await ns.routes({ realm: 'nnt-realm' })).map((r) => [r.destination, r.realm, r.sourceRealm])).toEqual([
      ['198.19.46.0/24', 201, 202],
      // One hop: the kernel makes it a route of its own, its realms the route's.
      ['198.19.47.0/24', 201, undefined],
    ]);
    // The command, by name both ways, against ip in a second namespace.
    const other = await withLink();
    const line = ['route', 'add', '198.19.46.0/24', 'dev', other.eth.name, 'realms', 'nnt-realm-hex/nnt-realm'];
    const run = await cli('-n', other.ns.name as string, ...line);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const text = (await cli('-n', other.ns.name as string, 'route', 'show', '198.19.46.0/24')).stdout;
    expect(text).toBe(
      `${ip(ns.name, 'route', 'show', '198.19.46.0/24').trimEnd().replace(eth.name, other.eth.name)}\n`,
    );
    expect(text).toContain('realms nnt-realm-hex/nnt-realm');
  });

  it('an unknown name: EINVAL naming the files read, before any syscall; nothing changed', async () => {
    const { ns, eth } = await withLink();
    const before = snapshot(ns.name);
    const tables = `read: ${TABLES}, ${TABLES_D}/nnt.conf`;
    for (const call of [
      () => ns.addRoute({ destination: '198.19.46.0/24', link: eth, table: 'nnt-nosuch' }),
      () => ns.addRoute({ destination: '198.19.46.0/24', link: eth.name, table: 'nnt-nosuch' }),
      () => ns.deleteRoute({ destination: '198.19.46.0/24', table: 'nnt-nosuch' }),
      () => ns.routes({ table: 'nnt-nosuch' }),
      () => ns.addRule({ table: 'nnt-nosuch', priority: 2002 }),
    ]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({
        code: 'EINVAL',
        message: expect.stringContaining(`unknown routing table "nnt-nosuch"`),
      });
      expect((e as Error).message).toContain(tables);
    }
    for (const call of [
      () => ns.addRoute({ destination: '198.19.46.0/24', link: eth, tos: 'AF99' }),
      () => ns.addRule({ tos: 'AF99', priority: 2002 }),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringContaining(`unknown DS field (TOS) name "AF99"`),
      });
      await expect(call()).rejects.toThrow(`(read: ${DSFIELD})`);
    }
    expect(snapshot(ns.name)).toBe(before);
  });

  it('main, local and default need no file; with an empty rt_tables, only the others are unknown', async () => {
    const { ns, eth } = await withLink();
    const empty = path.join(scratch, 'empty');
    fs.writeFileSync(empty, '');
    const emptyDir = path.join(scratch, 'empty.d');
    fs.mkdirSync(emptyDir);
    bindOver(empty, TABLES);
    bindOver(emptyDir, TABLES_D);
    try {
      await ns.addRoute({ destination: '198.19.47.0/24', link: eth, table: 'main' });
      expect(ipRoutes(ns).map((r) => r.dst)).toContain('198.19.47.0/24');
      expect((await ns.routes({ table: 'local' })).every((r) => r.tableName === 'local')).toBe(true);
      await ns.addRoute({ destination: '198.19.48.0/24', link: eth, table: 5101 });
      // No name for it now, in ip's listing or ours.
      expect(ipRoutes(ns, 'table', 'all').find((r) => r.dst === '198.19.48.0/24')?.table).toBe('5101');
      expect((await ns.routes({ table: 5101 }))[0]).not.toHaveProperty('tableName');
      await expect(ns.addRoute({ destination: '198.19.49.0/24', link: eth, table: 'nnt-blue' })).rejects.toThrow(
        `(read: ${TABLES})`,
      );
    } finally {
      unmountLast();
      unmountLast();
    }
    expect((await ns.routes({ table: 5101 }))[0]).toMatchObject({ tableName: 'nnt-blue' });
  });
});

describeKernel('protodown reason names (protodown_reasons.d)', () => {
  let dir: string | undefined;

  beforeAll(() => {
    if (!isRoot || !privateMountNamespace()) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-protodown-'));
    fs.writeFileSync(path.join(dir, 'nnt.conf'), '6\tnnt-six\n0x7 nnt-seven # hex\n30 nnt-thirty\n40 nnt-too-big\n');
    fs.writeFileSync(path.join(dir, 'README'), '31 nnt-not-read\n'); // not a .conf: not read
    fs.mkdirSync(PROTODOWN_D, { recursive: true }); // in the overlay on /etc: the test's own
    bindOver(dir, PROTODOWN_D);
  });

  afterAll(() => {
    while (mounted.length > 0) unmountLast();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What `ip -j link show` says of a link's protodown. */
  const protodown = (ns: string, name: string): unknown => {
    const [l] = ipJson<Array<Record<string, unknown>>>(ns, 'link', 'show', 'dev', name);
    return [l?.proto_down, l?.proto_down_reason];
  };

  it('link set takes a reason by name, link show prints the names (text, -d, -j): as ip, on a twin', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await Vxlan.create('vi', { namespace: ns, vni: 7, port: 4789 });
    const vo = await Vxlan.create('vo', { namespace: ns, vni: 8, port: 4789 });
    for (const words of [
      'protodown_reason nnt-six on',
      'protodown_reason nnt-thirty on protodown on',
      'protodown_reason 5 on',
    ]) {
      ip(n, 'link', 'set', 'dev', 'vi', ...words.split(' '));
      await ok('-n', n, 'link', 'set', 'vo', ...words.split(' '));
      expect([words, protodown(n, 'vo')]).toEqual([words, protodown(n, 'vi')]);
    }
    // ip 6.1 prints reasons 0 to 7 only (it reads the value as a u8): 30 is set, not shown.
    expect(protodown(n, 'vo')).toEqual([true, ['5', 'nnt-six']]);
    expect((await vo.refresh()).details.protoDownReasons).toEqual([5, 6, 30]);
    for (const line of ['link show vo', '-j link show vo', '-d link show vo', '-d -j link show vo', 'link show']) {
      const args = line.split(' ');
      const run = await cli('-n', n, ...args);
      expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
      const theirs = ip(n, ...args);
      if (args.includes('-j')) expect([line, JSON.parse(run.stdout)]).toEqual([line, JSON.parse(theirs)]);
      else expect([line, run.stdout]).toEqual([line, theirs.replace(/[ \t]+$/gm, '')]);
    }
    // The hex line names 7; a name cleared by name.
    await ok('-n', n, 'link', 'set', 'vo', 'protodown_reason', 'nnt-seven', 'on');
    await ok('-n', n, 'link', 'set', 'vo', 'protodown_reason', 'nnt-six', 'off');
    expect(protodown(n, 'vo')).toEqual([true, ['5', 'nnt-seven']]);
  });

  it('a name not in a .conf file, or of a reason above 31: status 2 naming the directory, as ip refuses it; nothing changed', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    await Vxlan.create('vo', { namespace: ns, vni: 9, port: 4789 });
    const before = JSON.stringify(ipJson(n, '-d', 'link', 'show'));
    for (const name of ['nnt-nosuch', 'nnt-too-big', 'nnt-not-read', '32']) {
      expect(() => ip(n, 'link', 'set', 'dev', 'vo', 'protodown_reason', name, 'on')).toThrow(
        /invalid protodown reason/,
      );
      await usage(
        'link',
        new RegExp(
          `^netns-native: link set: protodown_reason needs a number from 0 to 31 or a name of ${PROTODOWN_D}/\\*\\.conf, not "${name}"$`,
        ),
        ...`-n ${n} link set vo protodown_reason ${name} on`.split(' '),
      );
    }
    await usage(
      'link',
      /^netns-native: link set: protodown_reason nnt-six takes on or off, not "1"$/,
      ...`-n ${n} link set vo protodown_reason nnt-six 1`.split(' '),
    );
    expect(JSON.stringify(ipJson(n, '-d', 'link', 'show'))).toBe(before);
  });
});
