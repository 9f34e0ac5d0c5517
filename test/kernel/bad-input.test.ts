/**
 * Every bad input: a NetnsError with the right code and a sentence a user can act on, and no
 * change at all to kernel state as `ip -json` sees it (links, addresses, routes, namespaces).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { Bridge, Ifb, Link, Macvlan, Macvtap, Namespace, NetnsError, Tap, VethPair, Vxlan } from 'netns-native';
import { uniqueName } from '../helpers/fresh';
import { ip, settled, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

interface World {
  ns: Namespace;
  other: Namespace;
  a: Link;
  b: Link;
  br: Bridge;
  br2: Bridge;
  lo: Link;
  foreignBridge: Bridge;
}

type Case = [title: string, action: (w: World) => Promise<unknown>, code: string, message: RegExp];

const cases: Case[] = [
  [
    'duplicate namespace',
    (w) => Namespace.create(w.ns.name as string),
    'EEXIST',
    /a namespace with that name already exists/,
  ],
  ['namespace name with /', () => Namespace.create('a/b'), 'EINVAL', /not a valid namespace name/],
  ['empty namespace name', () => Namespace.create(''), 'EINVAL', /namespace name is empty/],
  [
    'opening a missing namespace',
    () => Namespace.open('nnt-missing0'),
    'ENOENT',
    /open namespace "nnt-missing0": no such namespace/,
  ],
  [
    'opening a regular file as a namespace',
    () => Namespace.fromPath('/etc/hostname'),
    'EINVAL',
    /not a namespace file/,
  ],
  [
    'opening a mount namespace as a network namespace',
    () => Namespace.fromPath('/proc/self/ns/mnt'),
    'EINVAL',
    /a mount namespace, not a network namespace/,
  ],
  ['a PID with no process', () => Namespace.fromPid(4194000), 'ESRCH', /no process with PID 4194000/],
  ['a negative PID', () => Namespace.fromPid(-1), 'EINVAL', /PID must be an integer/],
  [
    'duplicate link',
    (w) => VethPair.create({ name: w.a.name, peerName: uniqueName('p'), namespace: w.ns }),
    'EEXIST',
    /create veth ".*": a link named ".*" already exists/,
  ],
  [
    'duplicate peer name in the peer namespace',
    (w) => VethPair.create({ name: uniqueName('q'), peerName: 'lo', namespace: w.ns, peerNamespace: w.other }),
    'EEXIST',
    /a link named "lo" already exists in namespace/,
  ],
  [
    '16-byte link name',
    (w) => VethPair.create({ name: 'abcdefghijklmnop', peerName: 'x0', namespace: w.ns }),
    'EINVAL',
    /is 16 bytes long; Linux allows at most 15/,
  ],
  [
    'link name with /',
    (w) => VethPair.create({ name: 'a/b', peerName: 'x0', namespace: w.ns }),
    'EINVAL',
    /contains '\/', ':' or whitespace/,
  ],
  [
    'link name with a space',
    (w) => Bridge.create('br 0', { namespace: w.ns }),
    'EINVAL',
    /contains '\/', ':' or whitespace/,
  ],
  ['link name ..', (w) => Bridge.create('..', { namespace: w.ns }), 'EINVAL', /".." is not a valid link name/],
  [
    'both veth ends with one name in one namespace',
    (w) => VethPair.create({ name: 'same0', peerName: 'same0', namespace: w.ns }),
    'EINVAL',
    /cannot have the same name/,
  ],
  ['veth without options', () => VethPair.create(undefined as never), 'EINVAL', /options must be an object/],
  ['moving lo', (w) => w.lo.moveTo(w.other), 'EINVAL', /move "lo" .*: the interface netns is immutable/],
  ['MTU 0', (w) => w.a.setMtu(0), 'EINVAL', /the MTU must be an integer from 1/],
  ['MTU not an integer', (w) => w.a.setMtu(1500.5), 'EINVAL', /the MTU must be an integer/],
  ['MTU below the device minimum', (w) => w.a.setMtu(67), 'EINVAL', /mtu less than device minimum/],
  ['MTU above the device maximum', (w) => w.a.setMtu(70000), 'EINVAL', /mtu greater than device maximum/],
  [
    'off-link gateway',
    (w) => w.ns.addRoute({ destination: 'default', gateway: '198.19.99.1' }),
    'ENETUNREACH',
    /nexthop has invalid gateway/,
  ],
  [
    'gateway of the wrong family',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', gateway: 'fd00::1' }),
    'EINVAL',
    /is IPv6 but the destination is IPv4/,
  ],
  [
    'garbage destination',
    (w) => w.ns.addRoute({ destination: 'nowhere' }),
    'EINVAL',
    /"nowhere" is not a valid IPv4 or IPv6 destination/,
  ],
  [
    'duplicate route',
    (w) => w.ns.addRoute({ destination: '198.18.30.0/24', link: w.a }),
    'EEXIST',
    /that route already exists/,
  ],
  ['missing route', (w) => w.ns.deleteRoute({ destination: '198.19.77.0/24' }), 'ESRCH', /no such route/],
  [
    'route through a link of another namespace',
    (w) => w.other.addRoute({ destination: '198.19.5.0/24', link: w.a }),
    'EINVAL',
    /is in another namespace/,
  ],
  ['duplicate address', (w) => w.a.addAddress('198.18.30.1/24'), 'EEXIST', /address already assigned/i],
  ['missing address', (w) => w.a.deleteAddress('198.18.30.77/24'), 'EADDRNOTAVAIL', /address not found/i],
  [
    'address 300.1.1.1/24',
    (w) => w.a.addAddress('300.1.1.1/24'),
    'EINVAL',
    /"300.1.1.1" is not a valid IPv4 or IPv6 address/,
  ],
  ['prefix /33', (w) => w.a.addAddress('198.18.30.9/33'), 'EINVAL', /invalid prefix length \(0-32 for IPv4\)/],
  ['multicast MAC', (w) => w.a.setMac('01:00:5e:00:00:01'), 'EINVAL', /is a multicast address/],
  ['malformed MAC', (w) => w.a.setMac('zz:00:00:00:00:01'), 'EINVAL', /is not a MAC address/],
  ['all-zero MAC', (w) => w.a.setMac('00:00:00:00:00:00'), 'EINVAL', /all-zero MAC/],
  ['enslaving a bridge to a bridge', (w) => w.br2.setMaster(w.br), 'ELOOP', /can not enslave a bridge to a bridge/],
  ['a bridge in another namespace', (w) => w.b.setMaster(w.foreignBridge), 'EINVAL', /is in another namespace/],
  ['removing a link that is not a port', (w) => w.br.removePort(w.b), 'EINVAL', /is not a port of this bridge/],
  ['renaming onto an existing name', (w) => w.a.rename(w.b.name), 'EEXIST', /a link with that name already exists/],
  [
    'duplicate bridge',
    (w) => Bridge.create(w.br.name, { namespace: w.ns }),
    'EEXIST',
    /create bridge ".*": a link with that name already exists/,
  ],
  ['missing link', (w) => w.ns.link('nope0'), 'ENODEV', /no such link/],
  ['pinging a host name', (w) => w.ns.ping('example.invalid'), 'EINVAL', /is not a valid IPv4 or IPv6 address/],
  ['ping count 0', (w) => w.ns.ping('198.18.30.2', { count: 0 }), 'EINVAL', /count must be an integer from 1/],
  ['listing routes of family 5', (w) => w.ns.routes({ family: 5 as 4 }), 'EINVAL', /family must be 4 or 6/],
  ['a bridge port that is not a Link', (w) => w.br.addPort('eth0' as never), 'EINVAL', /the port must be a Link/],
  ['a bridge port in another namespace', (w) => w.foreignBridge.addPort(w.a), 'EINVAL', /is in another namespace/],
  ['links() with stats not a boolean', (w) => w.ns.links({ stats: 1 as never }), 'EINVAL', /stats must be a boolean/],
  [
    'a VNI beyond 24 bits',
    (w) => Vxlan.create(uniqueName('vx'), { vni: 2 ** 24, namespace: w.ns }),
    'EINVAL',
    /the VNI must be an integer from 0 to 16777215/,
  ],
  [
    'VXLAN port 0',
    (w) => Vxlan.create(uniqueName('vx'), { vni: 1, port: 0, namespace: w.ns }),
    'EINVAL',
    /the port must be an integer from 1 to 65535/,
  ],
  [
    'an unknown macvlan mode',
    (w) => Macvlan.create(uniqueName('mv'), { parent: w.a, mode: 'hairpin' as never }),
    'EINVAL',
    /unknown mode "hairpin"/,
  ],
  [
    'a macvtap parent that is not a Link',
    () => Macvtap.create(uniqueName('mt'), { parent: 'eth0' as never }),
    'EINVAL',
    /the parent must be a Link/,
  ],
  [
    'an unknown tap mode',
    (w) => Tap.create(uniqueName('tp'), { mode: 'tunnel' as never, namespace: w.ns }),
    'EINVAL',
    /mode must be 'tap' or 'tun'/,
  ],
  ['an ifb with MTU 0', (w) => Ifb.create(uniqueName('if'), { mtu: 0, namespace: w.ns }), 'EINVAL', /the MTU must be/],
  ['neighbours of family 5', (w) => w.ns.neighbours({ family: 5 as 4 }), 'EINVAL', /family must be 4 or 6/],
  [
    'a neighbour with a malformed MAC',
    (w) => w.ns.addNeighbour({ link: w.a, address: '198.18.30.9', mac: '02:00:00:00:00' }),
    'EINVAL',
    /is not a MAC address/,
  ],
  [
    'deleting a neighbour that is not there',
    (w) => w.ns.deleteNeighbour({ link: w.a, address: '198.18.30.99' }),
    'ENOENT',
    /no such neighbour entry/,
  ],
  ['rules of family 5', (w) => w.ns.rules({ family: 5 as 4 }), 'EINVAL', /family must be 4 or 6/],
  ['a rule with an unknown action', (w) => w.ns.addRule({ action: 'drop' as never }), 'EINVAL', /unknown rule action/],
  [
    'deleting a rule that is not there',
    (w) => w.ns.deleteRule({ from: '198.18.99.0/24', table: 100 }),
    'ENOENT',
    /no such rule/,
  ],
  ['the nsid of something else than a Namespace', (w) => w.ns.nsid({} as never), 'EINVAL', /expected a Namespace/],
  [
    'an fdb entry with a malformed MAC',
    (w) => w.a.addFdb({ mac: '00:00:00:00:00', destination: '198.18.30.2' }),
    'EINVAL',
    /is not a MAC address/,
  ],
  [
    'deleting an fdb entry with a VNI beyond 24 bits',
    (w) => w.a.deleteFdb({ mac: '02:00:00:00:00:01', vni: 2 ** 24 }),
    'EINVAL',
    /the VNI must be an integer/,
  ],
  [
    'a multipath route with weight 0',
    (w) => w.ns.addRoute({ destination: '198.19.6.0/24', nexthops: [{ gateway: '198.18.30.2', weight: 0 }] }),
    'EINVAL',
    /the weight must be an integer from 1 to 256/,
  ],
];

/**
 * Public methods whose bad input is tested in their own file rather than in the table above
 * (they spawn processes or open sockets, or need a setup of their own).
 */
const testedElsewhere: Record<string, string> = {
  spawn: 'exec.test.ts',
  exec: 'exec.test.ts',
  listen: 'sockets.test.ts',
  connect: 'sockets.test.ts',
  createUdpSocket: 'sockets.test.ts',
  deleteLinks: 'delete-links.test.ts',
  monitor: 'monitor.test.ts',
  'Namespace.identify': 'proc.test.ts',
};

/**
 * 'Namespace.create', 'link', 'setMtu', ...: the public methods of the exported classes that
 * take parameters, read from their source (TypeScript's `private` leaves no trace at run time).
 */
function methodsTakingInput(): string[] {
  const out = new Set<string>();
  const lib = path.join(__dirname, '../../lib');
  const files = [
    'namespace.ts',
    'link.ts',
    'links/bridge.ts',
    'links/veth-pair.ts',
    'links/vxlan.ts',
    'links/macvlan.ts',
    'links/tap.ts',
    'links/ifb.ts',
  ];
  for (const file of files.map((f) => path.join(lib, f))) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const cls of source.statements.filter(ts.isClassDeclaration)) {
      const exported = ts.getModifiers(cls)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported || !cls.name) continue;
      for (const member of cls.members.filter(ts.isMethodDeclaration)) {
        const modifiers = ts.getModifiers(member) ?? [];
        const hidden =
          modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword) ||
          !ts.isIdentifier(member.name) ||
          ts.getJSDocTags(member).some((t) => t.tagName.text === 'internal');
        if (hidden || member.parameters.length === 0) continue;
        const isStatic = modifiers.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
        out.add(isStatic ? `${cls.name.text}.${member.name.getText(source)}` : member.name.getText(source));
      }
    }
  }
  return [...out].sort();
}

describeKernel('bad input', () => {
  const w = {} as World;

  beforeAll(async () => {
    w.ns = await Namespace.create(uniqueName());
    w.other = await Namespace.create(uniqueName());
    const pair = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: w.ns });
    w.a = pair.local;
    w.b = pair.peer;
    await w.a.addAddress('198.18.30.1/24');
    await w.a.up();
    await w.b.up();
    await w.ns.addRoute({ destination: '198.18.30.0/24', link: w.a, metric: 10 });
    w.br = await Bridge.create(uniqueName('br'), { namespace: w.ns });
    w.br2 = await Bridge.create(uniqueName('br'), { namespace: w.ns });
    w.lo = await w.ns.link('lo');
    w.foreignBridge = await Bridge.create(uniqueName('br'), { namespace: w.other });
    await settled(w.ns.name);
  });

  afterAll(async () => {
    await w.ns?.delete();
    await w.other?.delete();
  });

  it('every public method that takes input has a case here, or in the file named for it', () => {
    const methods = methodsTakingInput();
    expect(methods).toEqual(
      expect.arrayContaining([
        'Namespace.create',
        'Bridge.create',
        'addRoute',
        'setMtu',
        'Vxlan.create',
        'addFdb',
        'nsid',
      ]),
    );
    const sources = cases.map(([, action]) => String(action));
    const untested = methods.filter((m) => {
      const call = m.includes('.') ? `${m}(` : `.${m}(`;
      if (sources.some((src) => src.includes(call))) return false;
      const file = testedElsewhere[m];
      return file === undefined || !fs.readFileSync(path.join(__dirname, file), 'utf8').includes(call);
    });
    expect(untested).toEqual([]);
  });

  it.each(cases)('%s', async (_title, action, code, message) => {
    const before = [snapshot(w.ns.name), snapshot(w.other.name), snapshot(undefined)];
    const error = await action(w).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetnsError);
    const e = error as NetnsError;
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^cannot .+: .+ \([A-Z]+\)$/);
    expect(e.message.startsWith(`cannot ${e.operation}: `)).toBe(true);
    expect(e.message.endsWith(` (${code})`)).toBe(true);
    expect(e.errno).toBe((os.constants.errno as Record<string, number>)[code]);
    expect([snapshot(w.ns.name), snapshot(w.other.name), snapshot(undefined)]).toEqual(before);
  });

  it('a veth whose peer name is taken leaves no half-made pair behind', async () => {
    const name = uniqueName('h');
    const before = snapshot(w.ns.name);
    await expect(VethPair.create({ name, peerName: w.b.name, namespace: w.ns })).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(snapshot(w.ns.name)).toBe(before);
    expect(ip(w.ns.name, 'link', 'show')).not.toContain(name);
  });
});
