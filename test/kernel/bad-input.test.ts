/**
 * Every bad input: a NetnsError with the right code and a sentence a user can act on, and no
 * change at all to kernel state as `ip -json` sees it (links, addresses, routes, namespaces).
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import {
  Bridge,
  Ifb,
  Link,
  Macvlan,
  Macvtap,
  Namespace,
  NetnsError,
  StaleNamespace,
  Tap,
  VethPair,
  Vxlan,
} from 'netns-native';
import { uniqueName } from '../helpers/fresh';
import { ip, settled, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

interface World {
  ns: Namespace;
  other: Namespace;
  a: Link;
  b: Link;
  br: Bridge;
  br2: Bridge;
  lo: Link;
  foreignBridge: Bridge;
  /** The same namespace as `other`, opened again and closed. */
  closed: Namespace;
  /** A link read through `closed` before it was closed. */
  closedLink: Link;
  /** A link of `other` (a veth end), for "in another namespace". */
  foreign: Link;
  /** A name under /run/netns that is a stale entry (a plain file a crash would leave). */
  stale: string;
  server: net.Server;
  /** A program running inside `ns`, which keeps it alive. */
  sleeper: ChildProcess;
}

type Case = [title: string, action: (w: World) => Promise<unknown>, code: string, message: RegExp];

/** What a link name with '%' is told. */
const PERCENT =
  /contains '%'; names are taken literally here, and the kernel would expand '%d' into the first free number/;

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
  // ---- Namespace.attach (ip netns attach) ----
  [
    'attach: a name taken',
    (w) => w.other.attach(w.ns.name as string),
    'EEXIST',
    /attach the name "nnt-[0-9a-f]+" to namespace "nnt-[0-9a-f]+": a namespace with that name already exists/,
  ],
  [
    'attach a PID: a name taken',
    (w) => Namespace.attach(w.ns.name as string, w.sleeper.pid as number),
    'EEXIST',
    /a namespace with that name already exists/,
  ],
  ['attach: a name with /', (w) => w.other.attach('a/b'), 'EINVAL', /"a\/b" is not a valid namespace name/],
  ['attach: an empty name', (w) => w.other.attach(''), 'EINVAL', /namespace name is empty/],
  ['attach: a name not a string', (w) => w.other.attach(7 as never), 'EINVAL', /namespace name must be a string/],
  ['attach a PID: name ..', () => Namespace.attach('..', process.pid), 'EINVAL', /not a valid namespace name/],
  [
    'attach a PID with no process',
    () => Namespace.attach('nnt-attach0', 4194000),
    'ESRCH',
    /attach the name "nnt-attach0" to the namespace of process 4194000: no process with PID 4194000/,
  ],
  ['attach a negative PID', () => Namespace.attach('nnt-attach0', -1), 'EINVAL', /PID must be an integer/],
  ['attach a PID not an integer', () => Namespace.attach('nnt-attach0', 1.5), 'EINVAL', /PID must be an integer/],
  ['attach a closed namespace', (w) => w.closed.attach('nnt-attach0'), 'EBADF', /was closed/],
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
  // '%d' would make the kernel pick the name (tb0), which then could not be read back or removed.
  ['bridge name with %d', (w) => Bridge.create('tb%d', { namespace: w.ns }), 'EINVAL', PERCENT],
  ['veth name with %d', (w) => VethPair.create({ name: 'v%d', peerName: 'x0', namespace: w.ns }), 'EINVAL', PERCENT],
  [
    'veth peer name with %d',
    (w) => VethPair.create({ name: uniqueName('q'), peerName: 'p%d', namespace: w.ns, peerNamespace: w.other }),
    'EINVAL',
    PERCENT,
  ],
  ['vxlan name with %d', (w) => Vxlan.create('vx%d', { vni: 7, namespace: w.ns }), 'EINVAL', PERCENT],
  ['macvlan name with %d', (w) => Macvlan.create('mv%d', { parent: w.a }), 'EINVAL', PERCENT],
  ['tap name with %d', (w) => Tap.create('tp%d', { namespace: w.ns }), 'EINVAL', PERCENT],
  ['ifb name with %d', (w) => Ifb.create('ifb%d', { namespace: w.ns }), 'EINVAL', PERCENT],
  ['link name with another %', (w) => Bridge.create('a%s', { namespace: w.ns }), 'EINVAL', PERCENT],
  [
    'link name with a byte the kernel counts as whitespace (0xa0, in UTF-8 à)',
    (w) => Bridge.create('brà', { namespace: w.ns }),
    'EINVAL',
    /contains 'à' \(U\+00E0\), whose UTF-8 encoding has the byte 0xa0, which Linux counts as whitespace/,
  ],
  [
    'an alias of 255 bytes',
    (w) => Bridge.create(uniqueName('br'), { namespace: w.ns, alias: 'a'.repeat(255) }),
    'EINVAL',
    /the alias is 255 bytes long; Linux allows at most 254/,
  ],
  [
    'a veth alias of 255 bytes',
    (w) => VethPair.create({ name: uniqueName('q'), peerName: 'x0', namespace: w.ns, alias: 'é'.repeat(128) }),
    'EINVAL',
    /the alias is 256 bytes long; Linux allows at most 254/,
  ],
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
  [
    'address valid lifetime 0',
    (w) => w.a.addAddress('198.18.30.9/24', { validLifetime: 0 }),
    'EINVAL',
    /validLifetime must be 'forever' or a number of seconds from 1 to 4294967294, not 0/,
  ],
  [
    'address preferred beyond valid',
    (w) => w.a.addAddress('198.18.30.9/24', { validLifetime: 60, preferredLifetime: 120 }),
    'EINVAL',
    /the preferred lifetime \(120 s\) is longer than the valid one \(60 s\)/,
  ],
  [
    'address mngtmpaddr on IPv4',
    (w) => w.a.addAddress('198.18.30.9/24', { mngtmpaddr: true }),
    'EINVAL',
    /mngtmpaddr is for IPv6 addresses only/,
  ],
  [
    'address home on IPv4',
    (w) => w.a.addAddress('198.18.30.9/24', { home: true }),
    'EINVAL',
    /home is for IPv6 addresses only/,
  ],
  [
    'address autojoin: not a multicast address',
    (w) => w.a.addAddress('fd00:30::9/64', { autojoin: true }),
    'EINVAL',
    /autojoin joins a multicast group: fd00:30::9 is not a multicast address/,
  ],
  [
    'address noprefixroute: not a boolean',
    (w) => w.a.addAddress('198.18.30.9/24', { noprefixroute: 'yes' as never }),
    'EINVAL',
    /noprefixroute must be true or false, not "yes"/,
  ],
  [
    'address metric: out of range',
    (w) => w.a.addAddress('198.18.30.9/24', { metric: 2 ** 32 }),
    'EINVAL',
    /metric must be an integer from 0 to 4294967295, not 4294967296/,
  ],
  [
    'address metric: not a number',
    (w) => w.a.addAddress('198.18.30.9/24', { metric: '7' as never }),
    'EINVAL',
    /metric must be an integer from 0 to 4294967295, not "7"/,
  ],
  [
    'address replace: not a boolean',
    (w) => w.a.addAddress('198.18.30.1/24', { replace: 1 as never }),
    'EINVAL',
    /replace must be true or false, not 1/,
  ],
  [
    'address echo: not a boolean',
    (w) => w.a.addAddress('198.18.101.9/24', { echo: 'yes' as never }),
    'EINVAL',
    /echo must be true or false, not "yes"/,
  ],
  [
    'address echo with a bad lifetime: refused before anything is sent',
    (w) => w.a.addAddress('198.18.101.9/24', { echo: true, validLifetime: 0 }),
    'EINVAL',
    /validLifetime must be 'forever' or a number of seconds from 1/,
  ],
  [
    'duplicate address, echo asked',
    (w) => w.a.addAddress('198.18.30.1/24', { echo: true }),
    'EEXIST',
    /address already assigned/i,
  ],
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
  // ---- Namespace.create / open / fromPath / fromPid / identify / list / removeStale ----
  ['namespace name not a string', () => Namespace.create(123 as never), 'EINVAL', /namespace name must be a string/],
  ['namespace name an object', () => Namespace.create({} as never), 'EINVAL', /namespace name must be a string/],
  ['namespace name null', () => Namespace.create(null as never), 'EINVAL', /namespace name must be a string/],
  ['namespace name with a NUL byte', () => Namespace.create('ab\0cd'), 'EINVAL', /not a valid namespace name/],
  ['namespace name .', () => Namespace.create('.'), 'EINVAL', /"." is not a valid namespace name/],
  ['namespace name ..', () => Namespace.create('..'), 'EINVAL', /".." is not a valid namespace name/],
  ['namespace name of 256 bytes', () => Namespace.create('n'.repeat(256)), 'EINVAL', /namespace name is too long/],
  ['namespace name that is a path', () => Namespace.create('/run/netns/x'), 'EINVAL', /not a valid namespace name/],
  ['open: not a string', () => Namespace.open(7 as never), 'EINVAL', /namespace name must be a string/],
  ['open: empty name', () => Namespace.open(''), 'EINVAL', /namespace name is empty/],
  ['open: ..', () => Namespace.open('..'), 'EINVAL', /not a valid namespace name/],
  ['open: a path', () => Namespace.open('../netns/x'), 'EINVAL', /not a valid namespace name/],
  ['open: a NUL byte', () => Namespace.open('x\0y'), 'EINVAL', /not a valid namespace name/],
  [
    'open: a stale entry left by a crash',
    (w) => Namespace.open(w.stale),
    'ENOENT',
    /no such namespace: .* is a stale entry.*Namespace\.removeStale/,
  ],
  ['fromPath: empty', () => Namespace.fromPath(''), 'EINVAL', /path must be a non-empty string/],
  ['fromPath: not a string', () => Namespace.fromPath(42 as never), 'EINVAL', /path must be a non-empty string/],
  ['fromPath: null', () => Namespace.fromPath(null as never), 'EINVAL', /path must be a non-empty string/],
  [
    'fromPath: a NUL byte (would open /proc/self/ns/net)',
    () => Namespace.fromPath('/proc/self/ns/net\0x'),
    'EINVAL',
    /the path contains a NUL byte/,
  ],
  ['fromPath: missing', () => Namespace.fromPath('/nonexistent/ns'), 'ENOENT', /no such namespace/],
  ['fromPath: a directory', () => Namespace.fromPath('/proc/self/ns'), 'EINVAL', /it is a directory/],
  ['fromPath: a device', () => Namespace.fromPath('/dev/null'), 'EINVAL', /it is a character device/],
  [
    'fromPath: a UTS namespace',
    () => Namespace.fromPath('/proc/self/ns/uts'),
    'EINVAL',
    /a UTS namespace, not a network/,
  ],
  ['fromPid: 0', () => Namespace.fromPid(0), 'EINVAL', /the PID must be an integer from 1/],
  ['fromPid: 1.5', () => Namespace.fromPid(1.5), 'EINVAL', /the PID must be an integer from 1 to \d+, not 1.5/],
  ['fromPid: NaN', () => Namespace.fromPid(NaN), 'EINVAL', /the PID must be an integer .* not NaN/],
  ['fromPid: a string', () => Namespace.fromPid('1' as never), 'EINVAL', /the PID must be an integer/],
  ['fromPid: beyond PID_MAX', () => Namespace.fromPid(2 ** 31), 'EINVAL', /the PID must be an integer from 1/],
  ['identify: -1', () => Namespace.identify(-1), 'EINVAL', /the PID must be an integer from 1/],
  ['identify: a string', () => Namespace.identify('self' as never), 'EINVAL', /the PID must be an integer/],
  ['identify: no such process', () => Namespace.identify(4194000), 'ESRCH', /no process with PID 4194000/],
  ['list: options not an object', () => Namespace.list('all' as never), 'EINVAL', /options must be an object/],
  ['list: options null', () => Namespace.list(null as never), 'EINVAL', /options must be an object/],
  [
    'list: includeStale not a boolean',
    () => Namespace.list({ includeStale: 'yes' as never }),
    'EINVAL',
    /includeStale must be true or false/,
  ],
  ['removeStale: empty name', () => Namespace.removeStale(''), 'EINVAL', /namespace name is empty/],
  ['removeStale: a path', () => Namespace.removeStale('../../x'), 'EINVAL', /not a valid namespace name/],
  ['removeStale: a NUL byte', () => Namespace.removeStale('a\0b'), 'EINVAL', /not a valid namespace name/],
  ['removeStale: not a string', () => Namespace.removeStale(5 as never), 'EINVAL', /must be a string/],
  [
    'removeStale: a live namespace',
    (w) => Namespace.removeStale(w.ns.name as string),
    'EBUSY',
    /is a mounted namespace, not a stale entry; delete the namespace instead/,
  ],

  // ---- Namespace.link / routes / addRoute / deleteRoute / ping / deleteLinks ----
  ['link(NaN)', (w) => w.ns.link(NaN), 'EINVAL', /^cannot find link NaN in .*: the link index must be an integer/],
  ['link(0)', (w) => w.ns.link(0), 'EINVAL', /the link index must be an integer from 1/],
  ['link(-1)', (w) => w.ns.link(-1), 'EINVAL', /the link index must be an integer from 1/],
  ['link(1.5)', (w) => w.ns.link(1.5), 'EINVAL', /the link index must be an integer .* not 1.5/],
  ['link(Infinity)', (w) => w.ns.link(Infinity), 'EINVAL', /^cannot find link Infinity .* not Infinity/],
  ['link(2^31)', (w) => w.ns.link(2 ** 31), 'EINVAL', /the link index must be an integer/],
  [
    'link({})',
    (w) => w.ns.link({} as never),
    'EINVAL',
    /^cannot find link an object .*: the link name must be a string/,
  ],
  ['link(null)', (w) => w.ns.link(null as never), 'EINVAL', /the link name must be a string/],
  ['link(empty name)', (w) => w.ns.link(''), 'EINVAL', /the link name is empty/],
  ['link(a/b)', (w) => w.ns.link('a/b'), 'EINVAL', /contains '\/', ':' or whitespace/],
  ['link(eth%d)', (w) => w.ns.link('eth%d'), 'EINVAL', PERCENT],
  // 16-127 bytes can be an alternative name (altname.test.ts): only longer is bad input.
  ['link(128-byte name)', (w) => w.ns.link('a'.repeat(128)), 'EINVAL', /is 128 bytes long; Linux allows at most 127/],
  ['link(16-byte name no link has)', (w) => w.ns.link('abcdefghijklmnop'), 'ENODEV', /no such link/],
  [
    'link with a NUL byte (the kernel would find "pe0")',
    (w) => w.ns.link(`${w.a.name}\0garbage`),
    'EINVAL',
    /contains a NUL byte/,
  ],
  ['link index that does not exist', (w) => w.ns.link(99999), 'ENODEV', /no such device|no such link/],
  ['routes: table -1', (w) => w.ns.routes({ table: -1 }), 'EINVAL', /the table must be an integer from 0/],
  ['routes: table 1.5', (w) => w.ns.routes({ table: 1.5 }), 'EINVAL', /the table must be an integer/],
  ['routes: family "4"', (w) => w.ns.routes({ family: '4' as never }), 'EINVAL', /family must be 4 or 6/],
  ['routes: options null', (w) => w.ns.routes(null as never), 'EINVAL', /options must be an object/],
  ['routes: options a string', (w) => w.ns.routes('main' as never), 'EINVAL', /options must be an object/],
  ['routes: cache "yes"', (w) => w.ns.routes({ cache: 'yes' as never }), 'EINVAL', /cache must be true or false/],
  [
    'route cache: flushRoutes({ cache: 1 })',
    (w) => w.ns.flushRoutes({ cache: 1 as never }),
    'EINVAL',
    /cache must be true or false, not 1/,
  ],
  [
    'route cache: flushRoutes({ cache, link }) with the IPv4 cache in it',
    (w) => w.ns.flushRoutes({ cache: true, link: w.a }),
    'EINVAL',
    /the IPv4 route cache is flushed whole \(net\.ipv4\.route\.flush\): .*give family: 6 with them/,
  ],
  [
    'route cache: flushRoutes({ cache, family: 4, protocol })',
    (w) => w.ns.flushRoutes({ cache: true, family: 4, protocol: 'static' }),
    'EINVAL',
    /the IPv4 route cache is flushed whole/,
  ],
  [
    'route cache: flushRoutes({ cache, table: 100 }) with the IPv4 cache in it',
    (w) => w.ns.flushRoutes({ cache: true, table: 100 }),
    'EINVAL',
    /the IPv4 route cache is flushed whole/,
  ],
  [
    'route cache: addRoute of a cached route',
    (w) => w.ns.addRoute({ destination: 'fd00:b6:107::5/128', link: w.a, cached: true }),
    'EINVAL',
    /a route exception \(cached\) is made by the kernel itself.*it cannot be added/,
  ],
  [
    'route cache: deleteRoute of an IPv4 route exception',
    (w) => w.ns.deleteRoute({ destination: '198.18.30.7/32', link: w.a, cached: true }),
    'EINVAL',
    /an IPv4 route exception cannot be deleted alone: .*flushRoutes\(\{ cache: true, family: 4 \}\)/,
  ],
  [
    'route cache: deleteRoute with cached "yes"',
    (w) => w.ns.deleteRoute({ destination: 'fd00:b6:107::5/128', cached: 'yes' as never }),
    'EINVAL',
    /cached must be true or false, not "yes"/,
  ],
  [
    'route encap: an unknown type',
    (w) => w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: { type: 'gre' } as never }),
    'EINVAL',
    /encap\.type must be one of ip, ip6, seg6, seg6local, mpls, not "gre"/,
  ],
  [
    'route encap: a type listed but not built (xfrm)',
    (w) => w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: { type: 'xfrm' } }),
    'EINVAL',
    /encap\.type "xfrm" is listed but cannot be added by this library; the types it adds are ip, ip6, seg6, seg6local, mpls/,
  ],
  [
    'route encap: not an object',
    (w) => w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: 'ip' as never }),
    'EINVAL',
    /encap must be an object such as \{ type: 'ip', id: 5, destination: '198\.18\.22\.9' \}, not "ip"/,
  ],
  [
    'route encap: seg6 without segments',
    (w) => w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: { type: 'seg6', mode: 'encap' } as never }),
    'EINVAL',
    /encap\.segments must be an array of 1 to 128 IPv6 addresses, not undefined/,
  ],
  [
    'route encap: seg6 with an IPv4 segment',
    (w) =>
      w.ns.addRoute({
        destination: '198.18.21.0/24',
        link: w.a,
        encap: { type: 'seg6', mode: 'encap', segments: ['fd00:bc::1', '198.18.22.1'] },
      }),
    'EINVAL',
    /encap\.segments\[1\] must be an IPv6 address, not "198\.18\.22\.1"/,
  ],
  [
    'route encap: seg6 of an unknown mode',
    (w) =>
      w.ns.addRoute({
        destination: '198.18.21.0/24',
        link: w.a,
        encap: { type: 'seg6', mode: 'tunnel' as never, segments: ['fd00:bc::1'] },
      }),
    'EINVAL',
    /encap\.mode must be one of inline, encap, l2encap, encap\.red, l2encap\.red, not "tunnel"/,
  ],
  [
    'route encap: ip with ttl 256',
    (w) => w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: { type: 'ip', id: 5, ttl: 256 } }),
    'EINVAL',
    /encap\.ttl must be an integer from 0 to 255, not 256/,
  ],
  [
    'route encap: ip with an IPv6 destination',
    (w) =>
      w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: { type: 'ip', destination: 'fd00:bc::9' } }),
    'EINVAL',
    /encap\.destination must be an IPv4 address, not "fd00:bc::9"/,
  ],
  [
    'route encap: ip with a field of ip6 (hopLimit)',
    (w) => w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: { type: 'ip', hopLimit: 5 } as never }),
    'EINVAL',
    /unknown field encap\.hopLimit for type ip \(its fields are id, destination, source, ttl, tos, key, checksum, sequence\)/,
  ],
  [
    'route encap: mpls label above 20 bits',
    (w) => w.ns.addRoute({ destination: '198.18.21.0/24', link: w.a, encap: { type: 'mpls', labels: [100, 1048576] } }),
    'EINVAL',
    /encap\.labels\[1\] must be an integer from 0 to 1048575, not 1048576/,
  ],
  [
    'route encap: seg6local of an unknown action',
    (w) =>
      w.ns.addRoute({
        destination: 'fd00:bc:8::/64',
        link: w.a,
        encap: { type: 'seg6local', action: 'End.Q' as never },
      }),
    'EINVAL',
    /encap\.action must be one of End, End\.X, .*End\.DT46, not "End\.Q"/,
  ],
  [
    "route encap: a next hop's id out of range",
    (w) =>
      w.ns.addRoute({
        destination: '198.18.21.0/24',
        nexthops: [{ link: w.a }, { link: w.a, encap: { type: 'ip', id: -1 } }],
      }),
    'EINVAL',
    /nexthops\[1\]\.encap\.id must be an integer from 0 to 9007199254740991, not -1/,
  ],
  [
    'addRoute(null)',
    (w) => w.ns.addRoute(null as never),
    'EINVAL',
    /^cannot add route null.*: the route must be an object/,
  ],
  ['addRoute("default")', (w) => w.ns.addRoute('default' as never), 'EINVAL', /the route must be an object/],
  [
    'addRoute without destination',
    (w) => w.ns.addRoute({} as never),
    'EINVAL',
    /cannot add route with no destination in .*: the route has no destination/,
  ],
  [
    'addRoute: prefix /33',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/33' }),
    'EINVAL',
    /invalid prefix length \(0-32 for IPv4\)/,
  ],
  [
    'addRoute: zone id in the destination',
    (w) => w.ns.addRoute({ destination: 'fe80::1%lo/64' }),
    'EINVAL',
    /has a zone id \(%lo\)/,
  ],
  [
    'addRoute: garbage gateway',
    (w) => w.ns.addRoute({ destination: 'default', gateway: 'router' }),
    'EINVAL',
    /"router" is not a valid IPv4 or IPv6 gateway/,
  ],
  [
    'addRoute: zone id in the gateway',
    (w) => w.ns.addRoute({ destination: 'fd00:1::/64', gateway: 'fe80::1%lo' }),
    'EINVAL',
    /has a zone id/,
  ],
  [
    'addRoute: source of another family',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', source: 'fd00::1' }),
    'EINVAL',
    /the source fd00::1 is IPv6 but the route is IPv4/,
  ],
  [
    'addRoute: from not a prefix',
    (w) => w.ns.addRoute({ destination: 'default', gateway: 'fd00:30::2', from: 'upstream' }),
    'EINVAL',
    /"upstream" is not a valid IPv4 or IPv6 source prefix \(from\)/,
  ],
  [
    'addRoute: from an IPv4 address alone',
    (w) => w.ns.addRoute({ destination: '198.19.31.0/24', link: w.a, from: '198.18.31.5' }),
    'EINVAL',
    /a source prefix \(from\) is for IPv6 routes only: the kernel ignores it on an IPv4 route.*ns\.addRule/,
  ],
  [
    'addRoute: echo not a boolean',
    (w) => w.ns.addRoute({ destination: '198.18.102.0/24', link: w.a }, { echo: 1 as never }),
    'EINVAL',
    /echo must be true or false, not 1/,
  ],
  [
    'addRoute with echo: prefix /33, refused before any link is looked up',
    (w) => w.ns.addRoute({ destination: '198.18.102.0/33', link: 'nosuch0' }, { echo: true }),
    'EINVAL',
    /prefix length/,
  ],
  [
    'addRoute with echo: a link that does not exist',
    (w) => w.ns.addRoute({ destination: '198.18.102.0/24', link: 'nosuch0' }, { echo: true }),
    'ENODEV',
    /nosuch0/,
  ],
  [
    'addRule: echo not a boolean',
    (w) => w.ns.addRule({ from: '198.18.102.0/24', table: 100 }, { echo: 'true' as never }),
    'EINVAL',
    /echo must be true or false, not "true"/,
  ],
  [
    'addRule: an option it does not take',
    (w) => w.ns.addRule({ from: '198.18.102.0/24', table: 100 }, { ecno: true } as never),
    'EINVAL',
    /unknown option "ecno" \(the options are echo\)/,
  ],
  [
    'addRule: options not an object',
    (w) => w.ns.addRule({ from: '198.18.102.0/24', table: 100 }, 'echo' as never),
    'EINVAL',
    /options must be an object/,
  ],
  [
    'delete echo: deleteAddress, echo not a boolean',
    (w) => w.a.deleteAddress('198.18.30.1/24', { echo: 'yes' as never }),
    'EINVAL',
    /echo must be true or false, not "yes"/,
  ],
  [
    'delete echo: deleteAddress of an IPv4 address the link lacks',
    (w) => w.a.deleteAddress('198.18.111.9/24', { echo: true }),
    'EADDRNOTAVAIL',
    /198\.18\.111\.9\/24/,
  ],
  [
    'delete echo: deleteAddress of an IPv6 address the link lacks (read first, then refused)',
    (w) => w.a.deleteAddress('fd00:b8::9/64', { echo: true }),
    'EADDRNOTAVAIL',
    /fd00:b8::9\/64/,
  ],
  [
    'delete echo: deleteAddress, a bare address the link has with a prefix',
    (w) => w.a.deleteAddress('198.18.30.1', { echo: true }),
    'EADDRNOTAVAIL',
    /a bare address means \/32, and ".+" has 198\.18\.30\.1\/24: give the prefix length/,
  ],
  [
    'delete echo: deleteRoute, echo not a boolean',
    (w) => w.ns.deleteRoute({ destination: '198.18.30.0/24', link: w.a, metric: 10 }, { echo: 1 as never }),
    'EINVAL',
    /echo must be true or false, not 1/,
  ],
  [
    'delete echo: deleteRoute, an option it does not take',
    (w) => w.ns.deleteRoute({ destination: '198.18.30.0/24', link: w.a, metric: 10 }, { replace: true } as never),
    'EINVAL',
    /unknown option "replace" \(the options are echo\)/,
  ],
  [
    'delete echo: deleteRoute of no such route',
    (w) => w.ns.deleteRoute({ destination: '198.18.112.0/24' }, { echo: true }),
    'ESRCH',
    /no such route/,
  ],
  [
    'delete echo: deleteRoute by a link that does not exist',
    (w) => w.ns.deleteRoute({ destination: '198.18.30.0/24', link: 'nosuch0' }, { echo: true }),
    'ENODEV',
    /nosuch0/,
  ],
  [
    'delete echo: deleteRule, echo not a boolean',
    (w) => w.ns.deleteRule({ priority: 32766 }, { echo: 'true' as never }),
    'EINVAL',
    /echo must be true or false, not "true"/,
  ],
  [
    'delete echo: deleteRule, options not an object',
    (w) => w.ns.deleteRule({ priority: 32766 }, 'echo' as never),
    'EINVAL',
    /options must be an object/,
  ],
  [
    'delete echo: deleteRule of no such rule',
    (w) => w.ns.deleteRule({ priority: 4242, table: 100 }, { echo: true }),
    'ENOENT',
    /4242/,
  ],
  [
    'delete echo: deleteNexthop, an option it does not take',
    (w) => w.ns.deleteNexthop(7, { ecno: true } as never),
    'EINVAL',
    /unknown option "ecno" \(the options are echo\)/,
  ],
  [
    'delete echo: deleteNexthop of no such nexthop',
    (w) => w.ns.deleteNexthop(4242, { echo: true }),
    'ENOENT',
    /nexthop id 4242/,
  ],
  [
    'delete echo: link delete, echo not a boolean',
    (w) => w.br2.delete({ echo: 'yes' as never }),
    'EINVAL',
    /echo must be true or false, not "yes"/,
  ],
  [
    'delete echo: link delete, an option it does not take',
    (w) => w.br2.delete({ force: true } as never),
    'EINVAL',
    /unknown option "force" \(the options are echo\)/,
  ],
  [
    'addRoute: from an IPv4 prefix',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, from: '198.18.30.0/24' }),
    'EINVAL',
    /a source prefix \(from\) is for IPv6 routes only: the kernel ignores it on an IPv4 route.*ns\.addRule/,
  ],
  [
    'addRoute: from of another family',
    (w) => w.ns.addRoute({ destination: 'fd00:5::/64', link: w.a, from: '198.18.30.0/24' }),
    'EINVAL',
    /the source prefix \(from\) 198\.18\.30\.0\/24 is IPv4 but the route is IPv6/,
  ],
  [
    'deleteRoute: from /129',
    (w) => w.ns.deleteRoute({ destination: 'fd00:5::/64', from: 'fd00:31::/129' }),
    'EINVAL',
    /invalid prefix length \(0-128 for IPv6\)/,
  ],
  [
    'addRoute: family 5',
    (w) => w.ns.addRoute({ destination: 'default', family: 5 as 4 }),
    'EINVAL',
    /family must be 4 or 6/,
  ],
  [
    'addRoute: family 6 for an IPv4 destination',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', family: 6 }),
    'EINVAL',
    /family 6 does not match the route's addresses \(IPv4\)/,
  ],
  [
    'addRoute: realm above 65535',
    (w) => w.ns.addRoute({ destination: '198.19.84.0/24', link: w.a, realm: 65536 }),
    'EINVAL',
    /the realm must be an integer from 0 to 65535, not 65536/,
  ],
  [
    'addRoute: source realm negative',
    (w) => w.ns.addRoute({ destination: '198.19.84.0/24', link: w.a, realm: 1, sourceRealm: -1 }),
    'EINVAL',
    /the source realm must be an integer from 0 to 65535, not -1/,
  ],
  [
    'addRoute: unknown realm name',
    (w) => w.ns.addRoute({ destination: '198.19.84.0/24', link: w.a, realm: 'atlantis' }),
    'EINVAL',
    /unknown realm "atlantis" \(the realm\): .*read: .*rt_realms/,
  ],
  [
    'addRoute: realm of a next hop above 65535',
    (w) =>
      w.ns.addRoute({
        destination: '198.19.84.0/24',
        nexthops: [{ link: w.a }, { link: w.a.name, realm: '70000' }],
      }),
    'EINVAL',
    /the realm of next hop 2 "70000" is 70000: it must be from 0 to 65535/,
  ],
  [
    'addRoute: realms on an IPv6 route',
    (w) => w.ns.addRoute({ destination: 'fd00:af::/64', link: w.a, realm: 5 }),
    'EINVAL',
    /realms \(realm, sourceRealm\) are for IPv4 routes only/,
  ],
  [
    'routes: realm a float',
    (w) => w.ns.routes({ realm: 1.5 }),
    'EINVAL',
    /the realm must be an integer from 0 to 65535/,
  ],
  [
    'addRule: realm above 65535',
    (w) => w.ns.addRule({ from: '198.19.84.0/24', table: 5, realm: 1, sourceRealm: 65536 }),
    'EINVAL',
    /the source realm must be an integer from 0 to 65535, not 65536/,
  ],
  [
    'addRoute: change not a boolean',
    (w) => w.ns.addRoute({ destination: '198.19.84.0/24', link: w.a }, { change: 'yes' as never }),
    'EINVAL',
    /change must be true or false, not "yes"/,
  ],
  [
    'addRoute: unknown type',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', type: 'wormhole' as never }),
    'EINVAL',
    /unknown route type "wormhole"/,
  ],
  [
    'addRoute: unknown scope',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', scope: 'planet' }),
    'EINVAL',
    /unknown scope "planet"/,
  ],
  [
    'addRoute: unknown protocol',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', protocol: 'carrier-pigeon' }),
    'EINVAL',
    /unknown route protocol "carrier-pigeon"/,
  ],
  [
    'addRoute: protocol 256',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', protocol: 256 }),
    'EINVAL',
    /the protocol must be an integer from 0 to 255/,
  ],
  [
    'addRoute: metric -1',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, metric: -1 }),
    'EINVAL',
    /the metric must be an integer from 0/,
  ],
  [
    'addRoute: metric 1.5',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, metric: 1.5 }),
    'EINVAL',
    /the metric must be an integer/,
  ],
  [
    'addRoute: table 0',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, table: 0 }),
    'EINVAL',
    /the table must be an integer from 1/,
  ],
  [
    'addRoute: table 2^32',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, table: 2 ** 32 }),
    'EINVAL',
    /the table must be an integer from 1 to 4294967295/,
  ],
  // ---- routeTo (ip route get): refused before anything is sent, or the kernel's own answer ----
  ['routeTo: no address', (w) => w.ns.routeTo(undefined as never), 'EINVAL', /the destination must be a string/],
  [
    'routeTo: garbage address',
    (w) => w.ns.routeTo('router'),
    'EINVAL',
    /"router" is not a valid IPv4 or IPv6 destination/,
  ],
  [
    'routeTo: a network',
    (w) => w.ns.routeTo('198.18.30.0/24'),
    'EINVAL',
    /give an address, not a network: the kernel looks up one packet's route/,
  ],
  ['routeTo: zone id', (w) => w.ns.routeTo('fe80::1%lo'), 'EINVAL', /has a zone id \(%lo\); give the address alone/],
  ['routeTo: options null', (w) => w.ns.routeTo('198.18.30.7', null as never), 'EINVAL', /options must be an object/],
  [
    'routeTo: a misspelt option',
    (w) => w.ns.routeTo('198.18.30.7', { src: '198.18.30.1' } as never),
    'EINVAL',
    /unknown option "src" \(the options are source, inputLink/,
  ],
  [
    'routeTo: source of another family',
    (w) => w.ns.routeTo('198.18.30.7', { source: 'fd00::1' }),
    'EINVAL',
    /the source fd00::1 is IPv6 but the destination is IPv4/,
  ],
  [
    'routeTo: inputLink without source',
    (w) => w.ns.routeTo('198.18.30.7', { inputLink: w.a }),
    'EINVAL',
    /give source with inputLink \(ip route get ADDRESS from SRC iif LINK\)/,
  ],
  [
    'routeTo: inputLink and outputLink',
    (w) => w.ns.routeTo('198.18.30.7', { source: '198.18.30.9', inputLink: w.a, outputLink: w.a }),
    'EINVAL',
    /give inputLink .* or outputLink .*, not both/,
  ],
  [
    'routeTo: outputLink of another namespace',
    (w) => w.ns.routeTo('198.18.30.7', { outputLink: w.foreign }),
    'EINVAL',
    /the output link ".*" is in another namespace/,
  ],
  [
    'routeTo: outputLink name of 16 bytes',
    (w) => w.ns.routeTo('198.18.30.7', { outputLink: 'abcdefghijklmnop' }),
    'EINVAL',
    /output link name "abcdefghijklmnop" is 16 bytes long/,
  ],
  [
    'routeTo: missing outputLink',
    (w) => w.ns.routeTo('198.18.30.7', { outputLink: 'nnt-nolink' }),
    'ENODEV',
    /there is no link named "nnt-nolink" in the namespace/,
  ],
  [
    'routeTo: mark -1',
    (w) => w.ns.routeTo('198.18.30.7', { mark: -1 }),
    'EINVAL',
    /the mark must be an integer from 0/,
  ],
  ['routeTo: uid 2^32', (w) => w.ns.routeTo('198.18.30.7', { uid: 2 ** 32 }), 'EINVAL', /the uid must be an integer/],
  [
    'routeTo: tos 256',
    (w) => w.ns.routeTo('198.18.30.7', { tos: 256 }),
    'EINVAL',
    /the TOS must be an integer from 0 to 255/,
  ],
  [
    'routeTo: protocol sctp',
    (w) => w.ns.routeTo('198.18.30.7', { protocol: 132 }),
    'EINVAL',
    /the protocol must be 'tcp', 'udp', 'icmp' or its number for an IPv4 lookup .*, not 132/,
  ],
  [
    'routeTo: icmp for IPv6',
    (w) => w.ns.routeTo('fd00::7', { protocol: 'icmp' }),
    'EINVAL',
    /the protocol must be 'tcp', 'udp', 'icmpv6' or its number for an IPv6 lookup/,
  ],
  [
    'routeTo: port 0',
    (w) => w.ns.routeTo('198.18.30.7', { protocol: 'tcp', destinationPort: 0 }),
    'EINVAL',
    /destinationPort must be an integer from 1 to 65535, not 0/,
  ],
  [
    'routeTo: ports with icmp',
    (w) => w.ns.routeTo('198.18.30.7', { protocol: 'icmp', sourcePort: 5 }),
    'EINVAL',
    /sourcePort is for TCP and UDP: ICMP has no ports/,
  ],
  [
    'routeTo: fibMatch "yes"',
    (w) => w.ns.routeTo('198.18.30.7', { fibMatch: 'yes' as never }),
    'EINVAL',
    /fibMatch must be true or false/,
  ],
  [
    'routeTo: a table',
    (w) => w.ns.routeTo('198.18.30.7', { table: 100 } as never),
    'EINVAL',
    /the kernel takes no table in a route lookup \(ip route get has none\)/,
  ],
  [
    'routeTo: no route',
    (w) => w.ns.routeTo('198.19.99.1'),
    'ENETUNREACH',
    /look up the route to 198\.19\.99\.1 in namespace ".*": no route covers that address/,
  ],
  [
    'addRoute: mtu metric above the kernel cap',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, metrics: { mtu: 70000 } }),
    'EINVAL',
    /the metric mtu must be from 0 to 65520 \(an integer\), not 70000/,
  ],
  [
    'addRoute: rtt finer than the kernel keeps',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, metrics: { rtt: 0.01 } }),
    'EINVAL',
    /the metric rtt must be milliseconds from 0 to .* in steps of 0.125, not 0.01/,
  ],
  [
    'addRoute: misspelt metric',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, metrics: { initCwnd: 10 } as never }),
    'EINVAL',
    /unknown route metric "initCwnd"/,
  ],
  [
    'addRoute: locking a metric that cannot be locked',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, metrics: { lock: ['ecn' as never] } }),
    'EINVAL',
    /lock names the metrics to lock, of mtu, .*; not "ecn"/,
  ],
  [
    'addRoute: unknown congestion control (the kernel)',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, metrics: { congctl: 'nosuchcc' } }),
    'EINVAL',
    /the kernel has no TCP congestion control "nosuchcc": .*tcp_available_congestion_control/,
  ],
  [
    'addRoute: preference on an IPv4 route',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: w.a, preference: 'high' }),
    'EINVAL',
    /a router preference \(pref\) is for IPv6 routes only/,
  ],
  [
    'addRoute: expires on an IPv4 default route',
    (w) => w.ns.addRoute({ destination: 'default', link: w.a, expires: 60 }),
    'EINVAL',
    /an expiry \(expires\) is for IPv6 routes only .*give family: 6/,
  ],
  [
    'addRoute: expires 0',
    (w) => w.ns.addRoute({ destination: 'fd00:5::/64', link: w.a, expires: 0 }),
    'EINVAL',
    /expires \(seconds\) must be an integer from 1 to 4294967294, not 0/,
  ],
  [
    'deleteRoute: unknown preference',
    (w) => w.ns.deleteRoute({ destination: 'fd00:5::/64', preference: 'urgent' as never }),
    'EINVAL',
    /the preference must be 'low', 'medium' or 'high', not "urgent"/,
  ],
  [
    'addRoute: link name with a NUL byte',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: `${w.a.name}\0x` }),
    'EINVAL',
    /contains a NUL byte/,
  ],
  [
    'addRoute: link name of 16 bytes',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: 'abcdefghijklmnop' }),
    'EINVAL',
    /is 16 bytes long/,
  ],
  [
    'addRoute: link not a string or Link',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: 7 as never }),
    'EINVAL',
    /the link name must be a string/,
  ],
  [
    'addRoute: bad spec with a valid link name is refused before the link is looked up',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: 'nope0', metric: -5 }),
    'EINVAL',
    /the metric must be an integer/,
  ],
  [
    'addRoute: a link that does not exist',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', link: 'nope0' }),
    'ENODEV',
    /no such device|no such link/,
  ],
  [
    'addRoute: an unreachable gateway',
    (w) => w.ns.addRoute({ destination: '198.19.7.0/24', gateway: '198.18.99.1' }),
    'ENETUNREACH',
    /nexthop has invalid gateway|gateway is not on any directly connected subnet/,
  ],
  ['deleteRoute(null)', (w) => w.ns.deleteRoute(null as never), 'EINVAL', /the route must be an object/],
  [
    'deleteRoute: bad destination',
    (w) => w.ns.deleteRoute({ destination: '198.19.0.0/99' }),
    'EINVAL',
    /invalid prefix length/,
  ],
  [
    'deleteRoute: table 0',
    (w) => w.ns.deleteRoute({ destination: '198.18.30.0/24', table: 0 }),
    'EINVAL',
    /the table must be an integer from 1/,
  ],
  [
    'deleteRoute: link with a NUL byte',
    (w) => w.ns.deleteRoute({ destination: '198.18.30.0/24', link: 'a\0b' }),
    'EINVAL',
    /contains a NUL byte/,
  ],
  ['ping: empty address', (w) => w.ns.ping(''), 'EINVAL', /"" is not a valid IPv4 or IPv6 address/],
  ['ping: a zone id', (w) => w.ns.ping('fe80::1%lo'), 'EINVAL', /has a zone id/],
  ['ping: a NUL byte', (w) => w.ns.ping('198.18.30.2\0'), 'EINVAL', /is not a valid IPv4 or IPv6 address/],
  ['ping: not a string', (w) => w.ns.ping(7 as never), 'EINVAL', /the address must be a string/],
  ['ping: count 1.5', (w) => w.ns.ping('198.18.30.2', { count: 1.5 }), 'EINVAL', /count must be an integer/],
  [
    'ping: timeoutMs 0',
    (w) => w.ns.ping('198.18.30.2', { timeoutMs: 0 }),
    'EINVAL',
    /timeoutMs must be an integer from 1/,
  ],
  [
    'ping: intervalMs -1',
    (w) => w.ns.ping('198.18.30.2', { intervalMs: -1 }),
    'EINVAL',
    /intervalMs must be an integer from 0/,
  ],
  ['ping: size 8', (w) => w.ns.ping('198.18.30.2', { size: 8 }), 'EINVAL', /size must be an integer from 16/],
  [
    'ping: size 70000',
    (w) => w.ns.ping('198.18.30.2', { size: 70000 }),
    'EINVAL',
    /size must be an integer from 16 to 65000/,
  ],
  ['ping: options null', (w) => w.ns.ping('198.18.30.2', null as never), 'EINVAL', /options must be an object/],
  [
    'ping: bad input on a closed namespace is still EINVAL (and nothing is left unhandled)',
    (w) => w.closed.ping('not an address'),
    'EINVAL',
    /is not a valid IPv4 or IPv6 address/,
  ],
  ['ping on a closed namespace', (w) => w.closed.ping('198.18.30.2'), 'EBADF', /was closed/],
  ['deleteLinks: not a list', (w) => w.ns.deleteLinks('veth0' as never), 'EINVAL', /links must be an array/],
  ['deleteLinks: not Links', (w) => w.ns.deleteLinks([1] as never), 'EINVAL', /every item must be a Link/],
  [
    'deleteLinks: a link of another namespace',
    (w) => w.ns.deleteLinks([w.a, w.foreign]),
    'EINVAL',
    /is in another namespace/,
  ],
  ['links() of a closed namespace', (w) => w.closed.links(), 'EBADF', /was closed/],

  // ---- Link: setMtu / rename / setMac / moveTo / setMaster / noMaster / addresses ----
  ['MTU NaN', (w) => w.a.setMtu(NaN), 'EINVAL', /the MTU must be an integer .* not NaN/],
  ['MTU a string', (w) => w.a.setMtu('1500' as never), 'EINVAL', /the MTU must be an integer/],
  ['MTU -1', (w) => w.a.setMtu(-1), 'EINVAL', /the MTU must be an integer from 1/],
  ['MTU 2^31', (w) => w.a.setMtu(2 ** 31), 'EINVAL', /the MTU must be an integer from 1 to 2147483647/],
  ['MTU Infinity', (w) => w.a.setMtu(Infinity), 'EINVAL', /the MTU must be an integer/],
  ['MTU on a closed namespace', (w) => w.closedLink.setMtu(1400), 'EBADF', /was closed/],
  ['rename to empty', (w) => w.a.rename(''), 'EINVAL', /the new name is empty/],
  ['rename with /', (w) => w.a.rename('a/b'), 'EINVAL', /contains '\/', ':' or whitespace/],
  ['rename with a space', (w) => w.a.rename('a b'), 'EINVAL', /contains '\/', ':' or whitespace/],
  ['rename with :', (w) => w.a.rename('a:b'), 'EINVAL', /contains '\/', ':' or whitespace/],
  ['rename with %d', (w) => w.a.rename('r%d'), 'EINVAL', PERCENT],
  ['rename to 16 bytes', (w) => w.a.rename('abcdefghijklmnop'), 'EINVAL', /is 16 bytes long/],
  ['rename to 18 UTF-8 bytes', (w) => w.a.rename('ééééééééé'), 'EINVAL', /is 18 bytes long/],
  [
    'rename with a NUL byte (the kernel would rename to "a")',
    (w) => w.a.rename('a\0b'),
    'EINVAL',
    /the new name "a\\u0000b" contains a NUL byte/,
  ],
  ['rename to .', (w) => w.a.rename('.'), 'EINVAL', /"." is not a valid new name/],
  ['rename to ..', (w) => w.a.rename('..'), 'EINVAL', /".." is not a valid new name/],
  ['rename to a number', (w) => w.a.rename(5 as never), 'EINVAL', /the new name must be a string/],
  ['MAC with mixed separators', (w) => w.a.setMac('02:00-00:00-00:01'), 'EINVAL', /is not a MAC address/],
  ['MAC of 5 octets', (w) => w.a.setMac('02:00:00:00:01'), 'EINVAL', /is not a MAC address/],
  ['MAC of 7 octets', (w) => w.a.setMac('02:00:00:00:00:01:02'), 'EINVAL', /is not a MAC address/],
  ['MAC in dotted form', (w) => w.a.setMac('0200.0000.0001'), 'EINVAL', /is not a MAC address/],
  ['MAC with a short octet', (w) => w.a.setMac('02:00:00:00:00:1'), 'EINVAL', /is not a MAC address/],
  ['MAC empty', (w) => w.a.setMac(''), 'EINVAL', /is not a MAC address/],
  ['MAC a number', (w) => w.a.setMac(0x020000000001 as never), 'EINVAL', /is not a MAC address/],
  ['broadcast MAC', (w) => w.a.setMac('ff:ff:ff:ff:ff:ff'), 'EINVAL', /is a multicast address/],
  ['MAC with a NUL byte', (w) => w.a.setMac('02:00:00:00:00:01\0'), 'EINVAL', /is not a MAC address/],
  // ---- Link.set ----
  ['set with no settings', (w) => w.a.set({}), 'EINVAL', /^cannot change settings of ".*": give at least one setting/],
  [
    'set with every setting undefined',
    (w) => w.a.set({ mtu: undefined, promisc: undefined }),
    'EINVAL',
    /give at least one setting to change \(mac, mtu, group, name, alias, up, promisc, allMulticast, multicast, arp, dynamic, trailers, carrier, txQueueLength, gsoMaxSize, gsoMaxSegs, groMaxSize, addrGenMode, protoDownReasons, protoDown\)/,
  ],
  ['set with null', (w) => w.a.set(null as never), 'EINVAL', /the settings must be an object, not null/],
  ['set with a string', (w) => w.a.set('up' as never), 'EINVAL', /the settings must be an object, not "up"/],
  ['set with an array', (w) => w.a.set([] as never), 'EINVAL', /the settings must be an object, not an array/],
  [
    'set with an unknown setting',
    (w) => w.a.set({ promisc: true, speed: 1000 } as never),
    'EINVAL',
    /^cannot set promisc on on ".*": there is no link setting "speed"; the settings are mac, mtu, group/,
  ],
  [
    "set with iproute2's txqueuelen",
    (w) => w.a.set({ txqueuelen: 500 } as never),
    'EINVAL',
    /there is no link setting "txqueuelen" \(use txQueueLength\)/,
  ],
  [
    'set with master (another method)',
    (w) => w.a.set({ master: w.br } as never),
    'EINVAL',
    /there is no link setting "master" \(use link.setMaster\(bridge\)\)/,
  ],
  [
    'set txQueueLength -1',
    (w) => w.a.set({ txQueueLength: -1 }),
    'EINVAL',
    /^cannot set txqueuelen -1 on ".*": txQueueLength must be an integer from 0 to 4294967295, not -1/,
  ],
  [
    'set txQueueLength 2^32',
    (w) => w.a.set({ txQueueLength: 2 ** 32 }),
    'EINVAL',
    /txQueueLength must be an integer from 0 to 4294967295, not 4294967296/,
  ],
  ['set txQueueLength 1.5', (w) => w.a.set({ txQueueLength: 1.5 }), 'EINVAL', /txQueueLength must be an integer/],
  [
    'set txQueueLength a string',
    (w) => w.a.set({ txQueueLength: '500' as never }),
    'EINVAL',
    /txQueueLength must be an integer from 0 to 4294967295, not "500"/,
  ],
  [
    'set txQueueLength NaN',
    (w) => w.a.set({ txQueueLength: NaN }),
    'EINVAL',
    /txQueueLength must be an integer .* NaN/,
  ],
  ['set group -1', (w) => w.a.set({ group: -1 }), 'EINVAL', /group must be an integer from 0 to 4294967295, not -1/],
  ['set group 2^32', (w) => w.a.set({ group: 2 ** 32 }), 'EINVAL', /group must be an integer from 0 to 4294967295/],
  ['set group a bigint', (w) => w.a.set({ group: 7n as never }), 'EINVAL', /group must be an integer .* not 7/],
  [
    'set an alias of 255 bytes',
    (w) => w.a.set({ alias: 'a'.repeat(255) }),
    'EINVAL',
    /the alias is 255 bytes long; Linux allows at most 254/,
  ],
  [
    'set an alias of 256 UTF-8 bytes',
    (w) => w.a.set({ alias: 'é'.repeat(128) }),
    'EINVAL',
    /the alias is 256 bytes long; Linux allows at most 254/,
  ],
  [
    'set an alias with a NUL byte',
    (w) => w.a.set({ alias: 'up\0link' }),
    'EINVAL',
    /the alias "up\\u0000link" contains a NUL byte/,
  ],
  [
    'set an alias that is a number',
    (w) => w.a.set({ alias: 5 as never }),
    'EINVAL',
    /the alias must be a string, or null to clear it, not 5/,
  ],
  ['set promisc "on"', (w) => w.a.set({ promisc: 'on' as never }), 'EINVAL', /promisc must be true or false, not "on"/],
  [
    'set allMulticast 1',
    (w) => w.a.set({ allMulticast: 1 as never }),
    'EINVAL',
    /allMulticast must be true or false, not 1/,
  ],
  [
    'set multicast null',
    (w) => w.a.set({ multicast: null as never }),
    'EINVAL',
    /multicast must be true or false, not null/,
  ],
  ['set arp "off"', (w) => w.a.set({ arp: 'off' as never }), 'EINVAL', /arp must be true or false, not "off"/],
  ['set up "yes"', (w) => w.a.set({ up: 'yes' as never }), 'EINVAL', /up must be true or false, not "yes"/],
  ['set MTU 0', (w) => w.a.set({ mtu: 0 }), 'EINVAL', /the MTU must be an integer from 1/],
  ['set a name with /', (w) => w.a.set({ name: 'a/b' }), 'EINVAL', /contains '\/', ':' or whitespace/],
  ['set a multicast MAC', (w) => w.a.set({ mac: '01:00:5e:00:00:01' }), 'EINVAL', /is a multicast address/],
  [
    'set a bad value after good ones: nothing is sent',
    (w) => w.a.set({ mtu: 1400, group: 7, alias: 'x', arp: 'no' as never }),
    'EINVAL',
    /arp must be true or false, not "no"/,
  ],
  [
    'set an MTU above the device maximum with other settings (the kernel refuses it first)',
    (w) => w.a.set({ mtu: 70000, group: 9, promisc: true, txQueueLength: 7 }),
    'EINVAL',
    /mtu greater than device maximum; nothing was changed/,
  ],
  [
    'set the name of another link',
    (w) => w.a.set({ name: w.b.name }),
    'EEXIST',
    /^cannot set name ".*" on ".*": a link with that name already exists \(EEXIST\)$/,
  ],
  ['set on a closed namespace', (w) => w.closedLink.set({ promisc: true }), 'EBADF', /was closed/],
  [
    'moveTo({})',
    (w) => w.a.moveTo({} as never),
    'EINVAL',
    /^cannot move ".*" to an object \(not a Namespace\): expected a Namespace/,
  ],
  ['moveTo(null)', (w) => w.a.moveTo(null as never), 'EINVAL', /to null \(not a Namespace\): expected a Namespace/],
  ['moveTo a name', (w) => w.a.moveTo(w.other.name as never), 'EINVAL', /\(not a Namespace\): expected a Namespace/],
  ['moveTo a closed namespace', (w) => w.a.moveTo(w.closed), 'EBADF', /was closed/],
  ['setMaster a string', (w) => w.a.setMaster('br0' as never), 'EINVAL', /the master must be a Link/],
  ['setMaster null', (w) => w.a.setMaster(null as never), 'EINVAL', /the master must be a Link/],
  ['setMaster itself', (w) => w.br.setMaster(w.br), 'EINVAL', /a link cannot be its own master/],
  ['setMaster options not an object', (w) => w.a.setMaster(w.br, 7 as never), 'EINVAL', /options must be an object/],
  ['setMaster empty port settings', (w) => w.a.setMaster(w.br, { port: {} }), 'EINVAL', /give at least one setting/],
  [
    'setMaster port settings for a master that is no bridge',
    (w) => w.a.setMaster(w.b, { port: { hairpin: true } }),
    'EINVAL',
    /port settings are a bridge's, and "\w+" is a veth/,
  ],
  [
    'addPort with a bad port setting',
    (w) => w.br.addPort(w.a, { hairpin: 'on' as never }),
    'EINVAL',
    /hairpin must be true or false, not "on"/,
  ],
  [
    'addPort with a backup port of another namespace',
    (w) => w.br.addPort(w.a, { backupPort: w.foreignBridge }),
    'EINVAL',
    /the backup port "\w+" is in another namespace/,
  ],

  // ---- Link.addAddress / deleteAddress ----
  ['address /129', (w) => w.a.addAddress('fd00::1/129'), 'EINVAL', /invalid prefix length \(0-128 for IPv6\)/],
  ['address /-1', (w) => w.a.addAddress('198.18.31.1/-1'), 'EINVAL', /invalid prefix length/],
  ['address / 24', (w) => w.a.addAddress('198.18.31.1/ 24'), 'EINVAL', /invalid prefix length/],
  ['address /24/1', (w) => w.a.addAddress('198.18.31.1/24/1'), 'EINVAL', /invalid prefix length/],
  ['address with a zone id', (w) => w.a.addAddress('fe80::1%lo/64'), 'EINVAL', /has a zone id \(%lo\)/],
  ['address garbage', (w) => w.a.addAddress('x'), 'EINVAL', /"x" is not a valid IPv4 or IPv6 address/],
  ['address empty', (w) => w.a.addAddress(''), 'EINVAL', /is not a valid IPv4 or IPv6 address/],
  ['address a number', (w) => w.a.addAddress(3232235777 as never), 'EINVAL', /must be a string like/],
  ['address null', (w) => w.a.addAddress(null as never), 'EINVAL', /must be a string like/],
  ['address with a NUL byte', (w) => w.a.addAddress('198.18.31.1\0/24'), 'EINVAL', /is not a valid IPv4 or IPv6/],
  [
    'address with leading zeros',
    (w) => w.a.addAddress('198.018.31.1/24'),
    'EINVAL',
    /"198\.018\.31\.1" has a number with a leading zero; write IPv4 numbers without them \("198\.18\.31\.1"\)/,
  ],
  [
    'IPv6 broadcast on an IPv4 address (once stored as 253.0.0.0)',
    (w) => w.a.addAddress('198.18.5.1/24', { broadcast: 'fd00::ff' }),
    'EINVAL',
    /the broadcast address fd00::ff is not IPv4/,
  ],
  [
    'broadcast on an IPv6 address',
    (w) => w.a.addAddress('fd00:31::1/64', { broadcast: 'fd00:31::ff' }),
    'EINVAL',
    /a broadcast address is for IPv4 only/,
  ],
  [
    'broadcast garbage',
    (w) => w.a.addAddress('198.18.5.1/24', { broadcast: 'all' }),
    'EINVAL',
    /"all" is not a valid IPv4 or IPv6 broadcast address/,
  ],
  [
    'broadcast false',
    (w) => w.a.addAddress('198.18.5.1/24', { broadcast: false as never }),
    'EINVAL',
    /the broadcast address must be a string/,
  ],
  [
    'label on an IPv6 address (once ignored silently)',
    (w) => w.a.addAddress('fd00:31::1/64', { label: `${w.a.name}:1` }),
    'EINVAL',
    /a label is for IPv4 addresses only/,
  ],
  [
    "label that does not start with the link's name",
    (w) => w.a.addAddress('198.18.5.1/24', { label: 'other:1' }),
    'EINVAL',
    /the label must start with/,
  ],
  [
    'label of 16 bytes',
    (w) => w.a.addAddress('198.18.5.1/24', { label: `${w.a.name}:`.padEnd(16, 'x') }),
    'EINVAL',
    /be at most 15 bytes/,
  ],
  [
    'label with a NUL byte',
    (w) => w.a.addAddress('198.18.5.1/24', { label: `${w.a.name}\0` }),
    'EINVAL',
    /have no NUL byte/,
  ],
  ['label a number', (w) => w.a.addAddress('198.18.5.1/24', { label: 1 as never }), 'EINVAL', /not 1$|not 1 \(/],
  [
    'peer of the other family',
    (w) => w.a.addAddress('198.18.5.1', { peer: 'fd00:5::2/128' }),
    'EINVAL',
    /the peer fd00:5::2\/128 is IPv6 but the address 198\.18\.5\.1 is IPv4; give a peer of the address's family/,
  ],
  [
    'peer that is no address',
    (w) => w.a.addAddress('198.18.5.1', { peer: 'gateway' }),
    'EINVAL',
    /"gateway" is not a valid IPv4 or IPv6 peer address/,
  ],
  [
    'peer a number',
    (w) => w.a.addAddress('198.18.5.1', { peer: 3232235777 as never }),
    'EINVAL',
    /the peer address must be a string like/,
  ],
  ['peer /33', (w) => w.a.addAddress('198.18.5.1', { peer: '198.18.5.2/33' }), 'EINVAL', /invalid prefix length/],
  [
    "an address's prefix length other than its peer's (the kernel keeps only the peer's)",
    (w) => w.a.addAddress('198.18.5.1/24', { peer: '198.18.5.2' }),
    'EINVAL',
    /with a peer, the prefix length is the peer's \(\/32\), not \/24: give the address bare \('198\.18\.5\.1'\) or as '198\.18\.5\.1\/32'/,
  ],
  [
    'delete with a peer of the other family',
    (w) => w.a.deleteAddress('198.18.30.1/32', { peer: 'fd00::2' }),
    'EINVAL',
    /is IPv6 but the address 198\.18\.30\.1 is IPv4/,
  ],
  [
    "delete an Address of another link (would delete this link's 198.18.30.1/24)",
    async (w) => w.a.deleteAddress({ ...(await w.a.addresses())[0]!, linkIndex: w.b.index }),
    'EINVAL',
    /that Address is not one of this link's \(index \d+\) but of link index \d+; give one from this link's addresses\(\), or the CIDR/,
  ],
  [
    'delete an Address and a peer option besides',
    async (w) => w.a.deleteAddress((await w.a.addresses())[0]!, { peer: '198.18.30.2' }),
    'EINVAL',
    /an Address brings its own peer: give no peer option with one/,
  ],
  [
    'delete an object that is no Address',
    (w) => w.a.deleteAddress({ cidr: '198.18.30.1/24' } as never),
    'EINVAL',
    /has no linkIndex/,
  ],
  ['delete address null', (w) => w.a.deleteAddress(null as never), 'EINVAL', /must be a string like/],
  [
    'delete address options a string',
    (w) => w.a.deleteAddress('198.18.30.1/24', '198.18.30.2' as never),
    'EINVAL',
    /options must be an object/,
  ],
  [
    'address options null',
    (w) => w.a.addAddress('198.18.5.1/24', null as never),
    'EINVAL',
    /options must be an object/,
  ],
  [
    'address options a string',
    (w) => w.a.addAddress('198.18.5.1/24', 'nodad' as never),
    'EINVAL',
    /options must be an object/,
  ],
  [
    'nodad not a boolean',
    (w) => w.a.addAddress('fd00:31::1/64', { nodad: 'yes' as never }),
    'EINVAL',
    /nodad must be true or false, not "yes"/,
  ],
  ['delete address garbage', (w) => w.a.deleteAddress('x'), 'EINVAL', /is not a valid IPv4 or IPv6 address/],
  ['delete address /129', (w) => w.a.deleteAddress('fd00::1/129'), 'EINVAL', /invalid prefix length/],
  ['delete address with a zone id', (w) => w.a.deleteAddress('fe80::1%lo/64'), 'EINVAL', /has a zone id/],
  ['delete address null', (w) => w.a.deleteAddress(null as never), 'EINVAL', /must be a string like/],

  // ---- VethPair.create ----
  ['veth options null', () => VethPair.create(null as never), 'EINVAL', /options must be an object/],
  ['veth options a string', () => VethPair.create('veth0' as never), 'EINVAL', /options must be an object/],
  [
    'veth without name',
    (w) => VethPair.create({ peerName: 'p0', namespace: w.ns } as never),
    'EINVAL',
    /the link name must be a string/,
  ],
  [
    'veth without peer name',
    (w) => VethPair.create({ name: 'v0', namespace: w.ns } as never),
    'EINVAL',
    /the peer name must be a string/,
  ],
  [
    'veth name with a NUL byte (the kernel would create "ab")',
    (w) => VethPair.create({ name: 'ab\0cd', peerName: 'x0', namespace: w.ns }),
    'EINVAL',
    /contains a NUL byte/,
  ],
  [
    'veth peer name with a NUL byte',
    (w) => VethPair.create({ name: 'x0', peerName: 'ab\0cd', namespace: w.ns }),
    'EINVAL',
    /the peer name .* contains a NUL byte/,
  ],
  [
    'veth peer name of 16 bytes',
    (w) => VethPair.create({ name: 'x0', peerName: 'abcdefghijklmnop', namespace: w.ns }),
    'EINVAL',
    /the peer name "abcdefghijklmnop" is 16 bytes long/,
  ],
  [
    'veth name ..',
    (w) => VethPair.create({ name: '..', peerName: 'x0', namespace: w.ns }),
    'EINVAL',
    /".." is not a valid link name/,
  ],
  [
    'veth namespace not a Namespace',
    () => VethPair.create({ name: 'x0', peerName: 'y0', namespace: {} as never }),
    'EINVAL',
    /expected a Namespace/,
  ],
  [
    'veth peer namespace a name',
    (w) => VethPair.create({ name: 'x0', peerName: 'y0', namespace: w.ns, peerNamespace: 'other' as never }),
    'EINVAL',
    /expected a Namespace/,
  ],
  [
    'veth MTU 0',
    (w) => VethPair.create({ name: 'x0', peerName: 'y0', namespace: w.ns, mtu: 0 }),
    'EINVAL',
    /the MTU must be an integer from 1/,
  ],
  [
    'veth MTU 1.5',
    (w) => VethPair.create({ name: 'x0', peerName: 'y0', namespace: w.ns, mtu: 1.5 }),
    'EINVAL',
    /the MTU must be an integer/,
  ],
  [
    'veth MTU above the device maximum',
    (w) => VethPair.create({ name: uniqueName('x'), peerName: uniqueName('y'), namespace: w.ns, mtu: 70000 }),
    'EINVAL',
    /mtu greater than device maximum|invalid/i,
  ],
  [
    'veth multicast MAC',
    (w) => VethPair.create({ name: 'x0', peerName: 'y0', namespace: w.ns, mac: '01:00:5e:00:00:01' }),
    'EINVAL',
    /is a multicast address/,
  ],
  [
    'veth peer MAC malformed',
    (w) => VethPair.create({ name: 'x0', peerName: 'y0', namespace: w.ns, peerMac: '02:00:00:00:00' }),
    'EINVAL',
    /is not a MAC address/,
  ],
  [
    'veth in a closed namespace',
    (w) => VethPair.create({ name: 'x0', peerName: 'y0', namespace: w.closed }),
    'EBADF',
    /was closed/,
  ],
  [
    'veth with its peer in a closed namespace',
    (w) => VethPair.create({ name: 'x0', peerName: 'y0', namespace: w.ns, peerNamespace: w.closed }),
    'EBADF',
    /was closed/,
  ],

  // ---- Bridge.create / addPort / removePort ----
  [
    'bridge name not a string',
    (w) => Bridge.create(5 as never, { namespace: w.ns }),
    'EINVAL',
    /the link name must be a string/,
  ],
  ['bridge name with a NUL byte', (w) => Bridge.create('br\0x', { namespace: w.ns }), 'EINVAL', /contains a NUL byte/],
  [
    'bridge name of 16 bytes',
    (w) => Bridge.create('abcdefghijklmnop', { namespace: w.ns }),
    'EINVAL',
    /is 16 bytes long/,
  ],
  ['bridge options null', () => Bridge.create('brx0', null as never), 'EINVAL', /options must be an object/],
  ['bridge options a string', () => Bridge.create('brx0', 'stp' as never), 'EINVAL', /options must be an object/],
  [
    'bridge namespace not a Namespace',
    () => Bridge.create('brx0', { namespace: 7 as never }),
    'EINVAL',
    /expected a Namespace/,
  ],
  [
    'bridge MTU 0',
    (w) => Bridge.create('brx0', { namespace: w.ns, mtu: 0 }),
    'EINVAL',
    /the MTU must be an integer from 1/,
  ],
  [
    'bridge MAC malformed',
    (w) => Bridge.create('brx0', { namespace: w.ns, mac: 'nope' }),
    'EINVAL',
    /is not a MAC address/,
  ],
  [
    'bridge forwardDelayMs -1',
    (w) => Bridge.create('brx0', { namespace: w.ns, forwardDelayMs: -1 }),
    'EINVAL',
    /forwardDelayMs must be an integer from 0/,
  ],
  [
    'bridge forwardDelayMs 1.5',
    (w) => Bridge.create('brx0', { namespace: w.ns, forwardDelayMs: 1.5 }),
    'EINVAL',
    /forwardDelayMs must be an integer/,
  ],
  [
    'bridge ageingTimeMs a string',
    (w) => Bridge.create('brx0', { namespace: w.ns, ageingTimeMs: '300' as never }),
    'EINVAL',
    /ageingTimeMs must be an integer/,
  ],
  [
    'bridge priority 70000',
    (w) => Bridge.create('brx0', { namespace: w.ns, priority: 70000 }),
    'EINVAL',
    /priority must be an integer from 0 to 65535/,
  ],
  [
    'bridge priority -1',
    (w) => Bridge.create('brx0', { namespace: w.ns, priority: -1 }),
    'EINVAL',
    /priority must be an integer/,
  ],
  ['bridge in a closed namespace', (w) => Bridge.create('brx0', { namespace: w.closed }), 'EBADF', /was closed/],
  ['bridge port null', (w) => w.br.addPort(null as never), 'EINVAL', /the port must be a Link/],
  ['bridge port an object', (w) => w.br.addPort({ index: 1 } as never), 'EINVAL', /the port must be a Link/],
  ['removing a port that is not a Link', (w) => w.br.removePort('x' as never), 'EINVAL', /the port must be a Link/],
  [
    'removing a port of another namespace',
    (w) => w.br.removePort(w.foreign),
    'EINVAL',
    /the link is in another namespace/,
  ],

  // ---- exec / spawn (more in exec.test.ts) ----
  [
    'exec: env with a NUL byte (once a TypeError from Node)',
    (w) => w.ns.exec('true', [], { env: { A: 'x\0y' } }),
    'EINVAL',
    /env\.A contains a NUL byte/,
  ],
  [
    'exec: env name with =',
    (w) => w.ns.exec('true', [], { env: { 'A=B': 'x' } }),
    'EINVAL',
    /env has an invalid variable name "A=B"/,
  ],
  ['exec: env not an object', (w) => w.ns.exec('true', [], { env: 'A=1' as never }), 'EINVAL', /env must be an object/],
  [
    'exec: env too large (once a plain "spawn E2BIG")',
    (w) => w.ns.exec('true', [], { env: { BIG: 'x'.repeat(200 * 1024) } }),
    'E2BIG',
    /the arguments and environment are too large for execve/,
  ],
  ['exec: cwd with a NUL byte', (w) => w.ns.exec('true', [], { cwd: '/tmp\0x' }), 'EINVAL', /cwd contains a NUL byte/],
  [
    'exec: argv0 with a NUL byte',
    (w) => w.ns.exec('true', [], { argv0: 'a\0b' }),
    'EINVAL',
    /argv0 contains a NUL byte/,
  ],
  [
    'exec: shell with a NUL byte',
    (w) => w.ns.exec('true', [], { shell: '/bin/sh\0' }),
    'EINVAL',
    /shell contains a NUL byte/,
  ],
  ['exec: an argument with a NUL byte', (w) => w.ns.exec('echo', ['a\0b']), 'EINVAL', /args\[0\] contains a NUL byte/],
  ['exec: a command with a NUL byte', (w) => w.ns.exec('tr\0ue'), 'EINVAL', /the command contains a NUL byte/],
  ['exec: an empty command', (w) => w.ns.exec(''), 'EINVAL', /the command must be a non-empty string/],
  [
    'exec: a command that is not a string',
    (w) => w.ns.exec(7 as never),
    'EINVAL',
    /the command must be a non-empty string/,
  ],
  ['exec: args not an array', (w) => w.ns.exec('true', 'x' as never), 'EINVAL', /args must be an array of strings/],
  [
    'exec: an argument not a string',
    (w) => w.ns.exec('true', [1] as never),
    'EINVAL',
    /args\[0\] must be a string, not number/,
  ],
  ['exec: options a string', (w) => w.ns.exec('true', [], 'x' as never), 'EINVAL', /options must be an object/],
  [
    'exec: timeoutMs 0',
    (w) => w.ns.exec('true', [], { timeoutMs: 0 }),
    'EINVAL',
    /timeoutMs must be an integer from 1/,
  ],
  [
    'exec: input a number',
    (w) => w.ns.exec('cat', [], { input: 5 as never }),
    'EINVAL',
    /input must be a string or a Buffer/,
  ],
  [
    'exec: unshare net',
    (w) => w.ns.exec('true', [], { unshare: ['net' as never] }),
    'EINVAL',
    /the network namespace is the one this Namespace stands for/,
  ],
  [
    'exec: unshare not an array',
    (w) => w.ns.exec('true', [], { unshare: 'pid' as never }),
    'EINVAL',
    /unshare must be an array/,
  ],
  [
    'exec: hostname of 65 bytes',
    (w) => w.ns.exec('true', [], { hostname: 'h'.repeat(65) }),
    'EINVAL',
    /the hostname is 65 bytes long; Linux allows at most 64/,
  ],
  [
    'exec: hostname with a NUL byte',
    (w) => w.ns.exec('true', [], { hostname: 'a\0b' }),
    'EINVAL',
    /the hostname contains a NUL byte/,
  ],
  [
    'exec: join a file that is no namespace',
    (w) => w.ns.exec('true', [], { join: { uts: '/etc/hostname' } }),
    'EINVAL',
    /\/etc\/hostname is not a namespace/,
  ],
  [
    'exec: join a namespace of the wrong type',
    (w) => w.ns.exec('true', [], { join: { uts: '/proc/self/ns/ipc' } }),
    'EINVAL',
    /is a ipc namespace, not a uts namespace/,
  ],
  [
    'exec: join a PID that does not exist',
    (w) => w.ns.exec('true', [], { join: { uts: 4194000 } }),
    'ESRCH',
    /no process with PID 4194000/,
  ],
  [
    'exec: join a path with a NUL byte',
    (w) => w.ns.exec('true', [], { join: { uts: '/proc/1/ns/uts\0' } }),
    'EINVAL',
    /join\.uts contains a NUL byte/,
  ],
  ['exec: uid -1', (w) => w.ns.exec('true', [], { uid: -1 }), 'EINVAL', /uid must be an integer from 0/],
  [
    'exec: stdio Node refuses',
    (w) => w.ns.exec('true', [], { stdio: ['pipe', 'pipe', 'pipe', 'bogus' as never] }),
    'EINVAL',
    /child_process refused the options: .*'bogus'/,
  ],
  [
    'spawn: env with a NUL byte',
    async (w) => w.ns.spawn('true', [], { env: { A: '\0' } }),
    'EINVAL',
    /env\.A contains a NUL byte/,
  ],
  [
    'spawn: env too large',
    async (w) => w.ns.spawn('true', [], { env: { BIG: 'x'.repeat(200 * 1024) } }),
    'E2BIG',
    /too large for execve/,
  ],
  ['spawn on a closed namespace', async (w) => w.closed.spawn('true'), 'EBADF', /was closed/],

  // ---- listen / connect / createUdpSocket (more in sockets.test.ts) ----
  ['listen: not a server', (w) => w.ns.listen({} as never, { port: 0 }), 'EINVAL', /server must be a net.Server/],
  [
    'listen: port 70000',
    (w) => w.ns.listen(w.server, { port: 70000 }),
    'EINVAL',
    /port must be an integer from 0 to 65535/,
  ],
  [
    'listen: port 1e10',
    (w) => w.ns.listen(w.server, { port: 1e10 }),
    'EINVAL',
    /port must be an integer from 0 to 65535/,
  ],
  [
    'listen: host a name',
    (w) => w.ns.listen(w.server, { port: 0, host: 'localhost' }),
    'EINVAL',
    /"localhost" is not a valid IPv4 or IPv6 host/,
  ],
  [
    'listen: host with a zone id',
    (w) => w.ns.listen(w.server, { port: 0, host: 'fe80::1%lo' }),
    'EINVAL',
    /has a zone id/,
  ],
  [
    'listen: backlog 0',
    (w) => w.ns.listen(w.server, { port: 0, backlog: 0 }),
    'EINVAL',
    /backlog must be an integer from 1/,
  ],
  ['listen: options null', (w) => w.ns.listen(w.server, null as never), 'EINVAL', /options must be an object/],
  [
    'connect: host a name',
    (w) => w.ns.connect({ host: 'example.invalid', port: 80 }),
    'EINVAL',
    /is not a valid IPv4 or IPv6 host/,
  ],
  [
    'connect: port 0',
    (w) => w.ns.connect({ host: '198.18.30.2', port: 0 }),
    'EINVAL',
    /port must be an integer from 1/,
  ],
  [
    'connect: timeoutMs 0',
    (w) => w.ns.connect({ host: '198.18.30.2', port: 80, timeoutMs: 0 }),
    'EINVAL',
    /timeoutMs must be an integer from 1/,
  ],
  ['connect: options a string', (w) => w.ns.connect('198.18.30.2:80' as never), 'EINVAL', /options must be an object/],
  ['udp: type tcp', (w) => w.ns.createUdpSocket('tcp' as never), 'EINVAL', /the type must be 'udp4' or 'udp6'/],
  [
    'udp: IPv6 address for udp4',
    (w) => w.ns.createUdpSocket('udp4', { address: '::' }),
    'EINVAL',
    /is an IPv6 address; a udp4 socket needs IPv4/,
  ],
  ['udp: port -1', (w) => w.ns.createUdpSocket('udp4', { port: -1 }), 'EINVAL', /port must be an integer from 0/],
  [
    'udp: bind options null',
    (w) => w.ns.createUdpSocket('udp4', null as never),
    'EINVAL',
    /bind options must be an object/,
  ],

  // ---- link kinds, neighbours, fdb, rules, nsids, multipath ----
  [
    'links() with stats not a boolean',
    (w) => w.ns.links({ stats: 1 as never }),
    'EINVAL',
    /stats must be true or false/,
  ],
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
    'a VXLAN port range that is not an object',
    (w) => Vxlan.create(uniqueName('vx'), { vni: 1, portRange: '40000-50000' as never, namespace: w.ns }),
    'EINVAL',
    /portRange must be an object \{ low, high \}/,
  ],
  [
    'a VXLAN port range with low 0',
    (w) => Vxlan.create(uniqueName('vx'), { vni: 1, portRange: { low: 0, high: 50000 }, namespace: w.ns }),
    'EINVAL',
    /the low end of portRange must be an integer from 1 to 65535, not 0/,
  ],
  [
    'a VXLAN port range with high beyond 65535',
    (w) => Vxlan.create(uniqueName('vx'), { vni: 1, portRange: { low: 1, high: 65536 }, namespace: w.ns }),
    'EINVAL',
    /the high end of portRange must be an integer from 1 to 65535, not 65536/,
  ],
  [
    'a VXLAN port range without its high end',
    (w) => Vxlan.create(uniqueName('vx'), { vni: 1, portRange: { low: 1 } as never, namespace: w.ns }),
    'EINVAL',
    /the high end of portRange must be an integer/,
  ],
  [
    'a VXLAN port range out of order',
    (w) => Vxlan.create(uniqueName('vx'), { vni: 1, portRange: { low: 50000, high: 40000 }, namespace: w.ns }),
    'EINVAL',
    /portRange's low end 50000 is above its high end 40000/,
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
    'neighbours of an unknown protocol name',
    (w) => w.ns.neighbours({ protocol: 'nnt-nosuch' }),
    'EINVAL',
    /unknown route protocol "nnt-nosuch"/,
  ],
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
  [
    'a neighbour read by a malformed address',
    (w) => w.ns.neighbour('198.19.88.300', { link: w.a }),
    'EINVAL',
    /"198.19.88.300" is not a valid IPv4 or IPv6 neighbour address/,
  ],
  [
    'a neighbour read without its link',
    (w) => w.ns.neighbour('198.19.88.9', {} as never),
    'EINVAL',
    /the link is required/,
  ],
  [
    'a neighbour read that is not there',
    (w) => w.ns.neighbour('198.19.88.99', { link: w.a }),
    'ENOENT',
    /cannot get neighbour 198.19.88.99 dev .*: .*not found/,
  ],
  [
    'a managed permanent neighbour',
    (w) => w.ns.addNeighbour({ link: w.a, address: '198.19.88.9', managed: true, state: 'permanent' }),
    'EINVAL',
    /a managed entry cannot be permanent/,
  ],
  [
    'a neighbour of an unknown protocol',
    (w) => w.ns.addNeighbour({ link: w.a, address: '198.19.88.9', mac: '02:00:00:00:00:09', protocol: 'nosuchproto' }),
    'EINVAL',
    /unknown route protocol "nosuchproto"/,
  ],
  [
    'a proxy neighbour that is managed',
    (w) => w.ns.addNeighbour({ link: w.a, address: '198.19.88.9', proxy: true, managed: true }),
    'EINVAL',
    /a proxy entry has no managed/,
  ],
  ['rules of family 5', (w) => w.ns.rules({ family: 5 as 4 }), 'EINVAL', /family must be 4 or 6/],
  ['rules with an unknown option', (w) => w.ns.rules({ dev: 'e0' } as never), 'EINVAL', /unknown option "dev"/],
  [
    'rules from a prefix with a bad length',
    (w) => w.ns.rules({ from: '198.19.135.0/33' }),
    'EINVAL',
    /from: "198.19.135.0\/33" has an invalid prefix length/,
  ],
  ['rules to something not a prefix', (w) => w.ns.rules({ to: 'nowhere' }), 'EINVAL', /not a valid .*to prefix/],
  [
    'rules of family 4 from an IPv6 prefix',
    (w) => w.ns.rules({ family: 4, from: 'fd00:a2::/32' }),
    'EINVAL',
    /from "fd00:a2::\/32" is an IPv6 prefix, but the rules asked for are IPv4/,
  ],
  [
    'rules from an IPv4 prefix to an IPv6 one',
    (w) => w.ns.rules({ from: '198.19.135.0/24', to: 'fd00:a2::/32' }),
    'EINVAL',
    /to "fd00:a2::\/32" is an IPv6 prefix, but the rules asked for are IPv4/,
  ],
  ['rules of priority -1', (w) => w.ns.rules({ priority: -1 }), 'EINVAL', /priority must be an integer/],
  [
    'rules of an unknown table',
    (w) => w.ns.rules({ table: 'nnt-notable' }),
    'EINVAL',
    /unknown routing table "nnt-notable"/,
  ],
  ['rules of table -1', (w) => w.ns.rules({ table: -1 }), 'EINVAL', /the table must be an integer from 0/],
  ['rules of TOS 256', (w) => w.ns.rules({ tos: 256 }), 'EINVAL', /TOS must be an integer from 0 to 255/],
  ['rules of fwmark 2^32', (w) => w.ns.rules({ fwmark: 2 ** 32 }), 'EINVAL', /fwmark must be an integer/],
  ['rules of fwmask -1', (w) => w.ns.rules({ fwmask: -1 }), 'EINVAL', /fwmask must be an integer/],
  ['rules of a bad iif name', (w) => w.ns.rules({ iif: 'a/b' }), 'EINVAL', /iif.*contains '\/'/],
  ['rules of an oif name too long', (w) => w.ns.rules({ oif: 'x'.repeat(16) }), 'EINVAL', /oif/],
  ['rules of an unknown protocol', (w) => w.ns.rules({ protocol: 'nope' }), 'EINVAL', /unknown route protocol "nope"/],
  ['rules with l3mdev "yes"', (w) => w.ns.rules({ l3mdev: 'yes' as never }), 'EINVAL', /l3mdev must be true or false/],
  ['rules with not 1', (w) => w.ns.rules({ not: 1 as never }), 'EINVAL', /not must be true or false/],
  ['rules of an empty UID range', (w) => w.ns.rules({ uidRange: [5, 4] }), 'EINVAL', /uidRange: the last UID must be/],
  [
    'rules of an unknown IP protocol',
    (w) => w.ns.rules({ ipProto: 'nnt-noproto' }),
    'EINVAL',
    /ipProto: unknown IP protocol "nnt-noproto": not a number nor a name of \/etc\/protocols/,
  ],
  [
    'a rule of an IP protocol named above 255',
    (w) => w.ns.addRule({ ipProto: 'mptcp', table: 100 }),
    'EINVAL',
    /the IP protocol "mptcp" is 262, above 255/,
  ],
  ['a rule of IP protocol "256"', (w) => w.ns.addRule({ ipProto: '256', table: 100 }), 'EINVAL', /"256" is 256/],
  [
    'a rule of protocol "010" (octal to ip)',
    (w) => w.ns.addRule({ protocol: '010', table: 100 }),
    'EINVAL',
    /the protocol "010" is ambiguous \(ip reads a leading 0 as octal, 8\): give 8 or '0x8'/,
  ],
  [
    'a route of protocol "0x100"',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', protocol: '0x100' }),
    'EINVAL',
    /the protocol "0x100" is 256: it must be from 0 to 255/,
  ],
  [
    'a nexthop of protocol "09"',
    (w) => w.ns.addNexthop({ blackhole: true, protocol: '09' }),
    'EINVAL',
    /the protocol "09" is not a number \(ip reads a leading 0 as octal\)/,
  ],
  ['rules of sport 0', (w) => w.ns.rules({ sport: 0 }), 'EINVAL', /sport must be an integer from 1 to 65535/],
  ['rules of an empty dport range', (w) => w.ns.rules({ dport: [90, 80] }), 'EINVAL', /dport range 90-80 is empty/],
  [
    'flushing rules from a prefix with a bad length',
    (w) => w.ns.flushRules({ from: 'fd00:a2::/129' }),
    'EINVAL',
    /from: "fd00:a2::\/129" has an invalid prefix length/,
  ],
  [
    'flushing rules with not "yes"',
    (w) => w.ns.flushRules({ not: 'yes' as never }),
    'EINVAL',
    /not must be true or false/,
  ],
  ['a rule with an unknown action', (w) => w.ns.addRule({ action: 'drop' as never }), 'EINVAL', /unknown rule action/],
  [
    'a nexthop replace without id',
    (w) => w.ns.addNexthop({ gateway: '198.19.135.1', link: w.a }, { replace: true }),
    'EINVAL',
    /a replace needs the id of the nexthop it replaces/,
  ],
  [
    'a nexthop with id 0',
    (w) => w.ns.addNexthop({ id: 0, blackhole: true }),
    'EINVAL',
    /nexthop id must be an integer/,
  ],
  [
    'a nexthop group that contains itself',
    (w) => w.ns.addNexthop({ id: 7, group: [{ id: 7 }] }),
    'EINVAL',
    /the group 7 cannot contain itself/,
  ],
  [
    'a blackhole nexthop with a gateway',
    (w) => w.ns.addNexthop({ id: 7, blackhole: true, gateway: '198.18.0.1' }),
    'EINVAL',
    /a blackhole nexthop drops what is routed to it/,
  ],
  [
    'a resilient nexthop group of 0 buckets',
    (w) => w.ns.addNexthop({ id: 7, group: [{ id: 1 }], groupType: 'resilient', buckets: 0 }),
    'EINVAL',
    /buckets must be an integer from 1 to 65535, not 0/,
  ],
  [
    'a resilient nexthop group with no buckets',
    (w) => w.ns.addNexthop({ id: 7, group: [{ id: 1 }], groupType: 'resilient' }),
    'EINVAL',
    /a resilient group needs its number of buckets/,
  ],
  [
    'resilient settings on a multipath nexthop group',
    (w) => w.ns.addNexthop({ id: 7, group: [{ id: 1 }], idleTimer: 10 }),
    'EINVAL',
    /idleTimer is for a resilient group: give groupType: 'resilient' too/,
  ],
  ['deleting nexthop id 0', (w) => w.ns.deleteNexthop(0), 'EINVAL', /nexthop id must be an integer/],
  ['nexthop buckets of id 0', (w) => w.ns.nexthopBuckets({ id: 0 }), 'EINVAL', /nexthop id must be an integer/],
  ['nexthops of id -1', (w) => w.ns.nexthops({ id: -1 }), 'EINVAL', /nexthop id must be an integer/],
  [
    'multicast addresses of family 5',
    (w) => w.ns.multicastAddresses({ family: 5 as never }),
    'EINVAL',
    /family must be 'link', 4 or 6, not 5/,
  ],
  [
    'multicast addresses with a misspelt option',
    (w) => w.a.multicastAddresses({ familly: 4 } as never),
    'EINVAL',
    /familly/,
  ],
  [
    'a unicast MAC as a multicast address',
    (w) => w.a.addMulticastAddress('02:11:22:33:44:55'),
    'EINVAL',
    /02:11:22:33:44:55 is a unicast address: a multicast one has the low bit of its first byte set/,
  ],
  [
    'a multicast address that is no MAC',
    (w) => w.a.addMulticastAddress('239.18.117.1'),
    'EINVAL',
    /"239.18.117.1" is not a link-layer address like '01:00:5e:12:75:01'/,
  ],
  [
    'a multicast address of five bytes',
    (w) => w.a.deleteMulticastAddress('01:00:5e:12:75'),
    'EINVAL',
    /is not a link-layer address/,
  ],
  [
    'a multicast address on lo',
    (w) => w.lo.addMulticastAddress('01:00:5e:12:75:01'),
    'EINVAL',
    /the link has no multicast filter to change/,
  ],
  [
    'deleting a multicast address never added',
    (w) => w.a.deleteMulticastAddress('01:00:5e:12:75:02'),
    'ENOENT',
    /that address was not added to the link from user space/,
  ],
  ['netconf of family 5', (w) => w.ns.netconf({ family: 5 as never }), 'EINVAL', /family must be 4 or 6, not 5/],
  ['netconf with a misspelt option', (w) => w.ns.netconf({ dev: 'lo' } as never), 'EINVAL', /dev/],
  ['netconf of a link index 0', (w) => w.ns.netconf({ link: 0 }), 'EINVAL', /link index/],
  ['netconf of a bad link name', (w) => w.ns.netconf({ link: 'a/b' }), 'EINVAL', /a\/b/],
  ['netconf of a link of another namespace', (w) => w.other.netconf({ link: w.a }), 'EINVAL', /in another namespace/],
  [
    'netconf of a link not there',
    (w) => w.ns.netconf({ link: 'nnt-none0' }),
    'ENODEV',
    /no link "nnt-none0" in the namespace/,
  ],
  ['netconf of an index not there', (w) => w.ns.netconf({ link: 99999 }), 'ENODEV', /no link 99999 in the namespace/],
  [
    'a route through nexthop id 0',
    (w) => w.ns.addRoute({ destination: '198.51.100.0/24', nexthopId: 0 }),
    'EINVAL',
    /the nexthop id \(nexthopId\) must be an integer/,
  ],
  [
    'deleting a rule that is not there',
    (w) => w.ns.deleteRule({ from: '198.18.99.0/24', table: 100 }),
    'ENOENT',
    /no such rule/,
  ],
  ['the nsid of something else than a Namespace', (w) => w.ns.nsid({} as never), 'EINVAL', /expected a Namespace/],
  ['setNsid of something else than a Namespace', (w) => w.ns.setNsid({} as never, 3), 'EINVAL', /expected a Namespace/],
  [
    'setNsid with a negative id',
    (w) => w.ns.setNsid(w.other, -1),
    'EINVAL',
    /the id must be an integer from 0 to 2147483647, not -1/,
  ],
  ['setNsid with a fractional id', (w) => w.ns.setNsid(w.other, 1.5), 'EINVAL', /the id must be an integer/],
  [
    'knownNsid of something else than a Namespace',
    (w) => w.ns.knownNsid({} as never),
    'EINVAL',
    /expected a Namespace/,
  ],
  ['nsids with options not an object', (w) => w.ns.nsids(5 as never), 'EINVAL', /options must be an object/],
  ['nsids with an unknown option', (w) => w.ns.nsids({ target: 1 } as never), 'EINVAL', /unknown option "target"/],
  [
    'nsids with a negative targetNsid',
    (w) => w.ns.nsids({ targetNsid: -1 }),
    'EINVAL',
    /targetNsid must be an integer from 0 to 2147483647, not -1/,
  ],
  [
    'nsids with a targetNsid no namespace has',
    (w) => w.ns.nsids({ targetNsid: 2147483647 }),
    'EINVAL',
    /list the namespace ids of namespace id 2147483647 in namespace ".+": .*invalid target/i,
  ],
  [
    'setNsid with an id out of range',
    (w) => w.ns.setNsid(w.other, 2 ** 31),
    'EINVAL',
    /the id must be an integer from 0 to 2147483647, not 2147483648/,
  ],
  [
    'an fdb entry with a malformed MAC',
    (w) => w.a.addFdb({ mac: '00:00:00:00:00', destination: '198.18.30.2' }),
    'EINVAL',
    /is not a MAC address/,
  ],
  ['fdb with options not an object', (w) => w.a.fdb(5 as never), 'EINVAL', /options must be an object/],
  [
    'fdb with an aborted signal',
    (w) => w.a.fdb({ signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /list fdb entries .*: the operation was aborted/,
  ],
  [
    'fdb with a signal that is not one',
    (w) => w.a.fdb({ signal: 'x' as never }),
    'EINVAL',
    /signal must be an AbortSignal/,
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
  [
    'a route with a gateway but no destination',
    (w) => w.ns.addRoute({ gateway: '198.18.30.2' } as never),
    'EINVAL',
    /cannot add route via 198\.18\.30\.2 in .*: the route has no destination; give destination: 'default'/,
  ],
  [
    'a prefix length with a leading zero',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/024', link: w.a }),
    'EINVAL',
    /"198\.19\.0\.0\/024" has a prefix length with a leading zero; write it without \(\/24\)/,
  ],
  [
    'an address with a prefix length with a leading zero',
    (w) => w.a.addAddress('198.18.30.7/024'),
    'EINVAL',
    /has a prefix length with a leading zero/,
  ],
  [
    'a gateway with a leading zero',
    (w) => w.ns.addRoute({ destination: '198.19.0.0/24', gateway: '198.18.030.2' }),
    'EINVAL',
    /"198\.18\.030\.2" has a number with a leading zero/,
  ],
  [
    'links with an aborted signal',
    (w) => w.ns.links({ signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /list links .*: the operation was aborted/,
  ],
  [
    'links with a signal that is not one',
    (w) => w.ns.links({ signal: 'x' as never }),
    'EINVAL',
    /signal must be an AbortSignal/,
  ],
  [
    'addresses with an aborted signal',
    (w) => w.ns.addresses({ signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /list addresses .*: the operation was aborted/,
  ],
  ['addresses with options not an object', (w) => w.ns.addresses(5 as never), 'EINVAL', /options must be an object/],
  [
    'routeTo with an aborted signal',
    (w) => w.ns.routeTo('198.18.30.7', { signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /look up the route to 198\.18\.30\.7/,
  ],
  [
    'routeTo with a signal that is not one',
    (w) => w.ns.routeTo('198.18.30.7', { signal: {} as never }),
    'EINVAL',
    /signal must be an AbortSignal/,
  ],
  ['routes with an aborted signal', (w) => w.ns.routes({ signal: AbortSignal.abort() }), 'ABORT_ERR', /list routes/],
  [
    'neighbours with an aborted signal',
    (w) => w.ns.neighbours({ signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /list neighbours/,
  ],
  [
    'rules with a signal that is not one',
    (w) => w.ns.rules({ signal: {} as never }),
    'EINVAL',
    /signal must be an AbortSignal/,
  ],
  [
    'list with an aborted signal',
    () => Namespace.list({ signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /list namespaces: the operation was aborted/,
  ],
  [
    'create with an aborted signal',
    () => Namespace.create('nnt-aborted0', { signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /create namespace "nnt-aborted0": the operation was aborted/,
  ],
  [
    'create with a signal that is not one',
    () => Namespace.create(undefined, { signal: 1 as never }),
    'EINVAL',
    /signal must be an AbortSignal/,
  ],
  [
    'create with options not an object',
    () => Namespace.create('nnt-x', 'fast' as never),
    'EINVAL',
    /options must be an object/,
  ],
  [
    'ping with an aborted signal',
    (w) => w.ns.ping('198.18.30.2', { signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /ping 198\.18\.30\.2 .*: the operation was aborted/,
  ],
  [
    'ping with a signal that is not one',
    (w) => w.ns.ping('198.18.30.2', { signal: true as never }),
    'EINVAL',
    /signal must be an AbortSignal/,
  ],
  [
    'delete with wait not a boolean',
    (w) => w.ns.delete({ wait: 'yes' as never }),
    'EINVAL',
    /wait must be true or false/,
  ],
  [
    'delete with timeoutMs but no wait',
    (w) => w.ns.delete({ timeoutMs: 100 }),
    'EINVAL',
    /timeoutMs applies only with wait: true/,
  ],
  [
    'delete with timeoutMs 0',
    (w) => w.ns.delete({ wait: true, timeoutMs: 0 }),
    'EINVAL',
    /timeoutMs must be an integer/,
  ],
  ['delete with options not an object', (w) => w.ns.delete(7 as never), 'EINVAL', /options must be an object/],
  [
    'delete with a signal that is not an AbortSignal',
    (w) => w.ns.delete({ wait: true, signal: {} as never }),
    'EINVAL',
    /signal must be an AbortSignal/,
  ],
  [
    'delete with an aborted signal',
    (w) => w.ns.delete({ wait: true, signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /delete namespace ".*": the operation was aborted/,
  ],
  [
    'delete with wait while a process runs inside',
    (w) => w.ns.delete({ wait: true }),
    'EBUSY',
    /processes still run inside \(\d+/,
  ], // ---- flushes ----
  [
    'flushAddresses with an unknown option (a typo must not widen the flush)',
    (w) => w.ns.flushAddresses({ dev: w.a.name } as never),
    'EINVAL',
    /unknown option "dev" \(the options are link, family, scope, label, to, permanent, signal\)/,
  ],
  [
    'flushAddresses of family 5',
    (w) => w.ns.flushAddresses({ family: 5 as 4 }),
    'EINVAL',
    /family must be 4 or 6, not 5/,
  ],
  [
    'flushAddresses of an unknown scope',
    (w) => w.ns.flushAddresses({ scope: 'galaxy' }),
    'EINVAL',
    /unknown scope "galaxy"/,
  ],
  [
    'flushAddresses of scope 256',
    (w) => w.ns.flushAddresses({ scope: 256 }),
    'EINVAL',
    /the scope must be an integer from 0 to 255, not 256/,
  ],
  [
    'flushAddresses with an empty label',
    (w) => w.ns.flushAddresses({ label: '' }),
    'EINVAL',
    /label must be a non-empty pattern such as 'eth0:\*', not ""/,
  ],
  [
    'flushAddresses with a label not a string',
    (w) => w.ns.flushAddresses({ label: 7 as never }),
    'EINVAL',
    /label must be a non-empty pattern such as 'eth0:\*', not 7/,
  ],
  [
    'flushAddresses with a label pattern of a character class',
    (w) => w.ns.flushAddresses({ label: 'eth[[:digit:]]' }),
    'EINVAL',
    /the label "eth\[\[:digit:\]\]" has a character class \(\[:...:\]\), which is not supported: list the characters instead/,
  ],
  [
    'flushAddresses with a label pattern ending in a lone backslash',
    (w) => w.a.flushAddresses({ label: 'eth0\\' }),
    'EINVAL',
    /ends in a lone \\ \(write \\\\ for a backslash\)/,
  ],
  [
    'flushAddresses to something not a prefix',
    (w) => w.ns.flushAddresses({ to: 'eth0' }),
    'EINVAL',
    /"eth0" is not a valid IPv4 or IPv6 prefix \(to\)/,
  ],
  [
    'flushAddresses to a prefix of length 33',
    (w) => w.ns.flushAddresses({ to: '198.18.30.0/33' }),
    'EINVAL',
    /"198\.18\.30\.0\/33" has an invalid prefix length \(0-32 for IPv4\)/,
  ],
  [
    'flushAddresses to an IPv4 prefix with family 6',
    (w) => w.a.flushAddresses({ to: '198.18.30.0/24', family: 6 }),
    'EINVAL',
    /to "198\.18\.30\.0\/24" is an IPv4 prefix, but family is 6/,
  ],
  [
    'flushAddresses with permanent not a boolean',
    (w) => w.ns.flushAddresses({ permanent: 'yes' as never }),
    'EINVAL',
    /permanent must be true or false, not "yes"/,
  ],
  [
    'flushAddresses of a link in another namespace',
    (w) => w.ns.flushAddresses({ link: w.foreign }),
    'EINVAL',
    /link ".*" is in another namespace/,
  ],
  [
    'flushAddresses of a link name with a slash',
    (w) => w.ns.flushAddresses({ link: 'a/b' }),
    'EINVAL',
    /contains '\/'/,
  ],
  [
    'flushAddresses of a missing link',
    (w) => w.ns.flushAddresses({ link: 'nnt-nolink0' }),
    'ENODEV',
    /^cannot flush addresses of link "nnt-nolink0" in namespace ".*": no such link/,
  ],
  [
    'flushAddresses with options null',
    (w) => w.ns.flushAddresses(null as never),
    'EINVAL',
    /options must be an object/,
  ],
  [
    'flushAddresses with an aborted signal',
    (w) => w.ns.flushAddresses({ signal: AbortSignal.abort() }),
    'ABORT_ERR',
    /flush addresses in namespace ".*": the operation was aborted/,
  ],
  [
    'link.flushAddresses given a link',
    (w) => w.a.flushAddresses({ link: w.b } as never),
    'EINVAL',
    /unknown option "link" \(the options are family, scope, label, to, permanent, signal\)/,
  ],
  [
    'flushRoutes of an unknown table name',
    (w) => w.ns.flushRoutes({ table: 'nnt-notable' }),
    'EINVAL',
    /unknown routing table "nnt-notable"/,
  ],
  ['flushRoutes of table -1', (w) => w.ns.flushRoutes({ table: -1 }), 'EINVAL', /the table must be an integer from 0/],
  [
    'flushRoutes of an unknown protocol',
    (w) => w.ns.flushRoutes({ protocol: 'carrier-pigeon' }),
    'EINVAL',
    /unknown route protocol "carrier-pigeon"/,
  ],
  [
    'flushRoutes with an unknown option',
    (w) => w.ns.flushRoutes({ dev: 'x' } as never),
    'EINVAL',
    /unknown option "dev" \(the options are table, family, link, protocol, cache, signal\)/,
  ],
  [
    'flushRoutes of family "6"',
    (w) => w.ns.flushRoutes({ family: '6' as never }),
    'EINVAL',
    /family must be 4 or 6, not "6"/,
  ],
  [
    'flushRoutes of a missing link',
    (w) => w.ns.flushRoutes({ link: 'nnt-nolink0' }),
    'ENODEV',
    /^cannot flush routes of link "nnt-nolink0" in namespace ".*": no such link/,
  ],
  ['flushRoutes on a closed namespace', (w) => w.closed.flushRoutes(), 'EBADF', /was closed/],
  [
    'flushNexthops with an unknown option',
    (w) => w.ns.flushNexthops({ dev: 'x' } as never),
    'EINVAL',
    /unknown option "dev"/,
  ],
  [
    'flushNexthops of a missing link',
    (w) => w.ns.flushNexthops({ link: 'nnt-nolink0' }),
    'ENODEV',
    /^cannot flush nexthops of link "nnt-nolink0" in namespace ".*": no such link/,
  ],
  ['flushNexthops on a closed namespace', (w) => w.closed.flushNexthops(), 'EBADF', /was closed/],
  [
    'flushRules with an unknown option',
    (w) => w.ns.flushRules({ pref: 1 } as never),
    'EINVAL',
    /unknown option "pref"/,
  ],
  ['flushRules on a closed namespace', (w) => w.closed.flushRules(), 'EBADF', /was closed/],
  [
    'flushNeighbours of an unknown state',
    (w) => w.ns.flushNeighbours({ state: 'asleep' as never }),
    'EINVAL',
    /unknown neighbour state "asleep" \(one of incomplete, .*, all\)/,
  ],
  [
    'flushNeighbours of an empty state list',
    (w) => w.ns.flushNeighbours({ state: [] }),
    'EINVAL',
    /state must be a neighbour state, a list of them, or "all"/,
  ],
  [
    "flushNeighbours with ip's nud as an option",
    (w) => w.ns.flushNeighbours({ nud: 'stale' } as never),
    'EINVAL',
    /unknown option "nud" \(the options are link, family, state, proxy, to, master, noMaster, unused, protocol, signal\)/,
  ],
  [
    'flushNeighbours of an unknown protocol name',
    (w) => w.ns.flushNeighbours({ protocol: 'nnt-nosuch' }),
    'EINVAL',
    /unknown route protocol "nnt-nosuch"/,
  ],
  [
    'flushNeighbours of a protocol above 255',
    (w) => w.ns.flushNeighbours({ protocol: 256 }),
    'EINVAL',
    /the protocol must be an integer from 0 to 255/,
  ],
  [
    'flushNeighbours of a link in another namespace',
    (w) => w.ns.flushNeighbours({ link: w.foreign }),
    'EINVAL',
    /is in another namespace/,
  ],
  [
    'flushNeighbours of proxy entries by state',
    (w) => w.ns.flushNeighbours({ proxy: true, state: 'stale' }),
    'EINVAL',
    /a proxy entry has no state/,
  ],
  [
    'flushNeighbours with proxy not a boolean',
    (w) => w.ns.flushNeighbours({ proxy: 'yes' as never }),
    'EINVAL',
    /proxy must be true or false/,
  ],
  [
    'flushNeighbours of family 0',
    (w) => w.ns.flushNeighbours({ family: 0 as 4 }),
    'EINVAL',
    /family must be 4 or 6, not 0/,
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
  setBridgePort: 'bridge-port.test.ts',
  addAltName: 'altname.test.ts',
  deleteAltName: 'altname.test.ts',
  // Sysctls are no state snapshot() sees: that file checks the values themselves.
  sysctl: 'sysctl.test.ts',
  setSysctl: 'sysctl.test.ts',
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
    w.foreign = (await VethPair.create({ name: uniqueName('f'), peerName: uniqueName('g'), namespace: w.other })).local;
    w.closed = await Namespace.open(w.other.name as string);
    w.closedLink = await w.closed.link(w.foreign.name);
    await w.closed.close();
    w.server = net.createServer();
    w.sleeper = w.ns.spawn('sleep', ['3600']);
    await new Promise((resolve) => w.sleeper.once('spawn', resolve));
    // A plain file where a namespace was being created by a process that died: stale once a
    // second old.
    w.stale = uniqueName();
    fs.writeFileSync(`/run/netns/${w.stale}`, '');
    await waitFor(
      async () =>
        (await Namespace.list({ includeStale: true })).some((e) => e instanceof StaleNamespace && e.name === w.stale),
      { what: `/run/netns/${w.stale} to be stale` },
    );
    await settled(w.ns.name);
  });

  afterAll(async () => {
    w.sleeper?.kill('SIGKILL');
    await w.ns?.delete();
    await w.other?.delete();
    if (w.stale) fs.rmSync(`/run/netns/${w.stale}`, { force: true });
  });

  it('the table covers at least 200 bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
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
    expect(e.message).toMatch(/^cannot .+: .+ \([A-Z0-9_]+\)$/);
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
