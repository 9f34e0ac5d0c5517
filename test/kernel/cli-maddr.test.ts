/**
 * `netns-native maddr` beside `ip maddr` (iproute2 6.1): the same text and JSON for show, with
 * its family options and link filter, and add|del as ip does them; bad command lines.
 */
import type * as dgram from 'node:dgram';
import { VethPair, type Link, type Namespace } from 'netns-native';
import { cli, fails, ok, usage } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** A veth end up in a new namespace with an IPv4 and an IPv6 address, its peer down elsewhere. */
async function world(): Promise<{ ns: Namespace; link: Link; name: string }> {
  const ns = await freshNamespace();
  const other = await freshNamespace();
  const pair = await VethPair.create({
    name: uniqueName('c'),
    peerName: uniqueName('p'),
    namespace: ns,
    peerNamespace: other,
  });
  const link = pair.local;
  await (await ns.link('lo')).up();
  await link.up();
  await link.addAddress('198.18.118.1/24');
  await link.addAddress('fd00:ba:1::1/64', { nodad: true });
  const name = ns.name as string;
  await waitFor(() => ip(name, '-6', 'maddr', 'show', 'dev', link.name).includes('ff02::1:ff00:1'), {
    what: 'the solicited-node group of fd00:ba:1::1',
  });
  return { ns, link, name };
}

/** `netns-native ARGS` and `ip ARGS` (the same words): both exit 0 with the same output. */
async function same(...args: string[]): Promise<string> {
  const ours = await cli(...args);
  const theirs = ip(undefined, ...args);
  expect([args, ours]).toEqual([args, { code: 0, stdout: theirs, stderr: '' }]);
  return theirs;
}

describeKernel('cli: maddr', () => {
  let sockets: dgram.Socket[] = [];
  afterEach(() => {
    for (const s of sockets) s.close();
    sockets = [];
  });

  it('show prints what ip maddr prints, for every link, one link, each family, and as JSON', async () => {
    const { ns, link, name } = await world();
    ip(name, 'maddr', 'add', '01:00:5e:12:76:07', 'dev', link.name);
    for (let i = 0; i < 2; i++) {
      const s = await ns.createUdpSocket('udp4');
      s.addMembership('239.18.118.5', '198.18.118.1');
      sockets.push(s);
    }
    const text = await same('-n', name, 'maddr');
    expect(text).toContain(`:\t${link.name}\n`);
    expect(text).toContain('\tlink  01:00:5e:12:76:07 static\n');
    expect(text).toContain('\tinet  239.18.118.5 users 2\n');
    expect(text).toContain('\tinet6 ff02::1\n');
    await same('-n', name, 'maddr', 'show');
    await same('-n', name, 'maddr', 'list', 'dev', link.name);
    await same('-n', name, 'maddr', 's', link.name);
    await same('-n', name, 'maddr', 'show', 'dev', 'lo');
    await same('-n', name, 'm', 'ls', 'lo');
    await same('-n', name, '-4', 'maddr');
    await same('-n', name, '-6', 'maddr', 'show', 'dev', link.name);
    await same('-n', name, '-0', 'maddr');
    await same('-n', name, 'maddr', 'show', 'dev', 'nnt-none0'); // nothing, as ip
    for (const args of [[], ['-4'], ['-6'], ['-0']]) {
      const ours = await cli('-n', name, '-j', ...args, 'maddr');
      expect(ours.code).toBe(0);
      expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(ip(name, '-j', ...args, 'maddr')));
    }
    const one = await cli('-n', name, 'maddr', '--json', 'show', 'dev', link.name);
    expect(JSON.parse(one.stdout)).toEqual(JSON.parse(ip(name, '-j', 'maddr', 'show', 'dev', link.name)));
  });

  it('add and del change a link-layer address as ip maddr add|del do', async () => {
    const { name, link } = await world();
    const mac = '01:00:5e:12:76:30';
    await ok('-n', name, 'maddr', 'add', mac, 'dev', link.name);
    expect(ip(name, '-0', 'maddr', 'show', 'dev', link.name)).toContain(`link  ${mac} static\n`);
    await ok('-n', name, 'maddr', 'del', mac, 'dev', link.name);
    expect(ip(name, '-0', 'maddr', 'show', 'dev', link.name)).not.toContain(mac);
    // ip's `address` keyword (any beginning of it), and the dev first.
    await ok('-n', name, 'maddr', 'a', 'dev', link.name, 'addr', mac);
    expect(ip(name, '-0', 'maddr', 'show', 'dev', link.name)).toContain(`link  ${mac} static\n`);
    await ok('-n', name, 'maddr', 'delete', 'address', mac, 'dev', link.name);
    expect(ip(name, '-0', 'maddr', 'show', 'dev', link.name)).not.toContain(mac);
  });

  it('refuses bad command lines (status 2) and what the library or the kernel refuses (status 1)', async () => {
    const { name, link } = await world();
    const before = ip(name, 'maddr');
    await usage('maddr', /^netns-native: maddr add needs dev LINK$/, '-n', name, 'maddr', 'add', '01:00:5e:12:76:01');
    await usage('maddr', /^netns-native: maddr del needs a MAC address/, '-n', name, 'maddr', 'del', 'dev', link.name);
    await usage(
      'maddr',
      /^netns-native: maddr add: dev is given twice$/,
      '-n',
      name,
      'maddr',
      'add',
      '01:00:5e:12:76:01',
      'dev',
      'a',
      'dev',
      'b',
    );
    await usage(
      'maddr',
      /^netns-native: maddr add: address is given twice$/,
      '-n',
      name,
      'maddr',
      'add',
      '01:00:5e:12:76:01',
      '01:00:5e:12:76:02',
      'dev',
      link.name,
    );
    await usage(
      'maddr',
      /^netns-native: maddr show: dev is given twice$/,
      '-n',
      name,
      'maddr',
      'show',
      'dev',
      'a',
      'b',
    );
    await usage('maddr', /^netns-native: maddr show: dev needs a link name$/, '-n', name, 'maddr', 'show', 'dev');
    await usage(
      'maddr',
      /^netns-native: maddr: unknown subcommand "frob" \(add, del or show\)$/,
      '-n',
      name,
      'maddr',
      'frob',
    );
    await usage(
      'maddr',
      /^netns-native: maddr add: -4 is for maddr show only/,
      '-n',
      name,
      '-4',
      'maddr',
      'add',
      '01:00:5e:12:76:01',
      'dev',
      link.name,
    );
    await usage('maddr', /^netns-native: -0 and -6 together$/, '-n', name, '-0', 'maddr', '-6');
    await usage('link', /^netns-native: -0 \(ip's -f link\) is for maddr only here: -4 or -6$/, '-0', 'link', 'show');
    const unicast = await fails('EINVAL', '-n', name, 'maddr', 'add', '02:00:5e:12:76:01', 'dev', link.name);
    expect(unicast).toMatch(/is a unicast address/);
    await fails('EINVAL', '-n', name, 'maddr', 'add', '01:00:5e:12:76:01', 'dev', 'lo');
    await fails('ENODEV', '-n', name, 'maddr', 'add', '01:00:5e:12:76:01', 'dev', 'nnt-none0');
    await fails('ENOENT', '-n', name, 'maddr', 'del', '01:00:5e:12:76:01', 'dev', link.name);
    expect(ip(name, 'maddr')).toBe(before);
  });
});
