/**
 * Flushes (`ip addr flush`, `ip route flush`, `ip neigh flush`): `ip -json` is the witness before
 * and after; what each flush leaves is compared with what `ip` itself leaves in a twin namespace
 * set up alike; filters leave other links and tables alone; entries removed meanwhile by another
 * socket are no error; an empty flush changes nothing.
 */
import { Namespace, VethPair, type Link, type Neighbour } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { addrs, ip, ipJson, neighbours, run, settled, snapshot, type IpAddrInfo } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

interface World {
  ns: Namespace;
  a: Link;
  b: Link;
}

/** A namespace with lo up and a veth pair (`a`, `b`, both up), links named `names` if given. */
async function world(names?: { a: string; b: string }): Promise<World> {
  const ns = await freshNamespace();
  const pair = await VethPair.create({
    name: names?.a ?? uniqueName('fa'),
    peerName: names?.b ?? uniqueName('fb'),
    namespace: ns,
  });
  await (await ns.link('lo')).up();
  await pair.local.up();
  await pair.peer.up();
  return { ns, a: pair.local, b: pair.peer };
}

/** Two namespaces set up alike by `setUp` (`ip` commands), links of the same names in both. */
async function twins(setUp: (w: World) => void): Promise<[World, World]> {
  const names = { a: uniqueName('fa'), b: uniqueName('fb') };
  const both: [World, World] = [await world(names), await world(names)];
  for (const w of both) setUp(w);
  await Promise.all(both.map((w) => settled(w.ns.name)));
  return both;
}

/** `ip -n NS -json addr show`, each address as 'dev family local/prefix scope' (link-local as 'fe80::'). */
function addressLines(ns: string): string[] {
  return ipJson<Array<{ ifname: string; addr_info: IpAddrInfo[] }>>(ns, 'addr', 'show')
    .flatMap((l) =>
      l.addr_info.map((x) => {
        const local = x.local.startsWith('fe80:') ? 'fe80::' : x.local;
        return `${l.ifname} ${x.family} ${local}/${x.prefixlen} ${x.scope}`;
      }),
    )
    .sort();
}

/** `ip -json -4|-6 route show table all`, each route as one line. */
function routeLines(ns: string): string[] {
  const lines = (family: string) =>
    ipJson<Array<Record<string, unknown>>>(ns, family, 'route', 'show', 'table', 'all').map((r) =>
      // Link-local addresses follow the random MACs of the twins' links.
      JSON.stringify(Object.entries(r).sort()).replace(/fe80::[0-9a-f:]+(?=")/g, 'fe80::'),
    );
  return [...lines('-4'), ...lines('-6')].sort();
}

/**
 * `ip neigh show nud all`, each entry as 'dev dst state'; not the kernel's own IPv6 multicast
 * entries (noarp, made as the links join groups, on their own schedule).
 */
function neighbourLines(ns: string): string[] {
  return neighbours(ns)
    .filter((n) => !n.dst.startsWith('ff'))
    .map(
      (n) =>
        `${n.dev} ${n.dst} ${((n.state as string[] | undefined) ?? ['NONE']).join(',')}${n.extern_learn === null ? ' extern_learn' : ''}`,
    )
    .sort();
}

/** `ip -n NS -batch -`: many commands, one process. */
function ipBatch(ns: string | undefined, commands: string[]): void {
  run('ip', ['-n', ns as string, '-batch', '-'], `${commands.join('\n')}\n`);
}

const cidrs = (list: Array<{ cidr: string }>): string[] => list.map((x) => x.cidr).sort();

describeKernel('flushAddresses', () => {
  it('link.flushAddresses() leaves what `ip addr flush dev` leaves: IPv4, secondaries, IPv6, link-local all go', async () => {
    const setUp = ({ ns, a, b }: World): void => {
      const n = ns.name as string;
      ip(n, 'addr', 'add', '198.18.40.1/24', 'dev', a.name);
      ip(n, 'addr', 'add', '198.18.40.2/24', 'dev', a.name); // a secondary
      ip(n, 'addr', 'add', '198.18.41.1/24', 'dev', a.name);
      ip(n, 'addr', 'add', 'fd00:40::1/64', 'dev', a.name, 'nodad');
      ip(n, 'addr', 'add', '198.18.40.9/24', 'dev', b.name);
      ip(n, 'addr', 'add', 'fd00:40::9/64', 'dev', b.name, 'nodad');
    };
    const [mine, theirs] = await twins(setUp);
    const before = addrs(mine.ns.name, mine.a.name).map((x) => `${x.local}/${x.prefixlen}`);
    expect(before).toEqual(expect.arrayContaining(['198.18.40.2/24', 'fd00:40::1/64']));
    expect(before.some((x) => x.startsWith('fe80:'))).toBe(true);

    const removed = await mine.a.flushAddresses();
    ip(theirs.ns.name, 'addr', 'flush', 'dev', theirs.a.name);

    expect(addrs(mine.ns.name, mine.a.name)).toEqual([]);
    expect(addressLines(mine.ns.name as string)).toEqual(addressLines(theirs.ns.name as string));
    expect(cidrs(removed)).toEqual(before.sort());
    expect(removed.every((x) => x.linkIndex === mine.a.index)).toBe(true);
    // The other link and lo untouched.
    expect(addressLines(mine.ns.name as string)).toEqual(
      expect.arrayContaining([
        `${mine.b.name} inet 198.18.40.9/24 global`,
        'lo inet 127.0.0.1/8 host',
        'lo inet6 ::1/128 host',
      ]),
    );
  });

  it('scope and family filter as `ip -6 addr flush scope global` does; a link by name', async () => {
    const setUp = ({ ns, a, b }: World): void => {
      const n = ns.name as string;
      ip(n, 'addr', 'add', '198.18.42.1/24', 'dev', a.name);
      ip(n, 'addr', 'add', 'fd00:42::1/64', 'dev', a.name, 'nodad');
      ip(n, 'addr', 'add', 'fd00:42::2/64', 'dev', b.name, 'nodad');
      ip(n, 'addr', 'add', 'fd00:42::3/64', 'dev', 'lo', 'nodad');
    };
    const [mine, theirs] = await twins(setUp);
    const removed = await mine.ns.flushAddresses({ family: 6, scope: 'global' });
    ip(theirs.ns.name, '-6', 'addr', 'flush', 'scope', 'global');
    expect(addressLines(mine.ns.name as string)).toEqual(addressLines(theirs.ns.name as string));
    expect(cidrs(removed)).toEqual(['fd00:42::1/64', 'fd00:42::2/64', 'fd00:42::3/64']);
    // IPv4, link-local and lo's ::1 (scope host) stay.
    const left = addressLines(mine.ns.name as string);
    expect(left).toContain(`${mine.a.name} inet 198.18.42.1/24 global`);
    expect(left).toContain(`${mine.a.name} inet6 fe80::/64 link`);
    expect(left).toContain('lo inet6 ::1/128 host');

    const v4 = await mine.ns.flushAddresses({ link: mine.a.name, family: 4 });
    expect(cidrs(v4)).toEqual(['198.18.42.1/24']);
    expect(addrs(mine.ns.name, mine.a.name).map((x) => x.family)).toEqual(['inet6']);
  });

  /** Runs each step on `mine` and its `ip ... addr flush ...` twin on `theirs`; what is left must agree. */
  async function inStep(
    [mine, theirs]: [World, World],
    steps: Array<[(w: World) => Promise<Array<{ cidr: string }>>, (w: World) => string[]]>,
  ): Promise<string[][]> {
    const removedEach: string[][] = [];
    for (const [ours, ipArgs] of steps) {
      const before = addressLines(mine.ns.name as string);
      const removed = await ours(mine);
      ip(theirs.ns.name, ...ipArgs(theirs));
      const after = addressLines(mine.ns.name as string);
      expect(after).toEqual(addressLines(theirs.ns.name as string));
      // What it says it removed is what went (link-local as 'fe80::', as in the lines).
      expect(before.length - after.length).toBe(removed.length);
      removedEach.push(cidrs(removed).map((c) => (c.startsWith('fe80:') ? `fe80::/${c.split('/')[1]}` : c)));
    }
    return removedEach;
  }

  it("label matches as `ip addr flush label`: a glob on IPv4 labels, IPv6 addresses by their link's name", async () => {
    const [mine, theirs] = await twins(({ ns, a, b }) => {
      const n = ns.name as string;
      ip(n, 'addr', 'add', '198.18.53.1/24', 'dev', a.name);
      ip(n, 'addr', 'add', '198.18.54.1/24', 'dev', a.name, 'label', `${a.name}:x`);
      ip(n, 'addr', 'add', '198.18.55.1/24', 'dev', a.name, 'label', `${a.name}:yz`);
      ip(n, 'addr', 'add', '198.18.56.1/24', 'dev', a.name, 'label', `${a.name}:79`);
      ip(n, 'addr', 'add', 'fd00:53::1/64', 'dev', a.name, 'nodad');
      ip(n, 'addr', 'add', '198.18.53.9/24', 'dev', b.name);
      ip(n, 'addr', 'add', '198.18.57.9/24', 'dev', b.name, 'label', `${b.name}:x`);
      ip(n, 'addr', 'add', 'fd00:53::9/64', 'dev', b.name, 'nodad');
    });
    const a = mine.a.name;
    const removed = await inStep(
      [mine, theirs],
      [
        // `?` one character: :x, not :yz nor :79; sets, one negated; b's :x is another link's.
        [
          (w) => w.ns.flushAddresses({ label: `${w.a.name}:?`, family: 4 }),
          (w) => ['-4', 'addr', 'flush', 'label', `${w.a.name}:?`],
        ],
        [
          (w) => w.ns.flushAddresses({ label: `${w.a.name}:[0-9][!a-f]` }),
          (w) => ['addr', 'flush', 'label', `${w.a.name}:[0-9][!a-f]`],
        ],
        // `*` any run; ':' is nothing special. IPv6 addresses have no label: `fa*:*` takes none.
        [(w) => w.ns.flushAddresses({ label: 'f[a]*:*' }), () => ['addr', 'flush', 'label', 'f[a]*:*']],
        // The link's own name: its unlabelled IPv4 address, and its IPv6 ones (link-local too).
        [(w) => w.a.flushAddresses({ label: w.a.name }), (w) => ['addr', 'flush', 'dev', w.a.name, 'label', w.a.name]],
        // A pattern that matches nothing takes nothing.
        [(w) => w.ns.flushAddresses({ label: 'fa\\*' }), () => ['addr', 'flush', 'label', 'fa\\*']],
      ],
    );
    expect(removed).toEqual([
      ['198.18.54.1/24'],
      ['198.18.56.1/24'],
      ['198.18.55.1/24'],
      ['198.18.53.1/24', 'fd00:53::1/64', 'fe80::/64'],
      [],
    ]);
    // b untouched: its labelled :x (not fa...), its IPv4 and IPv6.
    expect(addressLines(mine.ns.name as string).filter((l) => l.startsWith(mine.b.name))).toHaveLength(4);
    expect(addrs(mine.ns.name, a)).toEqual([]);
  });

  it("label '*' takes every link's addresses but the loopback's own (ip's would take those too)", async () => {
    const { ns, a } = await world();
    ip(ns.name, 'addr', 'add', '198.18.58.1/24', 'dev', a.name, 'label', `${a.name}:x`);
    ip(ns.name, 'addr', 'add', '198.18.58.2/32', 'dev', 'lo');
    const removed = await ns.flushAddresses({ label: '*', family: 4 });
    expect(cidrs(removed)).toEqual(['198.18.58.1/24', '198.18.58.2/32']);
    expect(addressLines(ns.name as string).filter((l) => l.includes(' inet '))).toEqual(['lo inet 127.0.0.1/8 host']);
  });

  it('to selects the addresses inside a prefix as `ip addr flush to` does: their own address, the family it sets', async () => {
    const [mine, theirs] = await twins(({ ns, a, b }) => {
      const n = ns.name as string;
      ip(n, 'addr', 'add', '198.18.60.1/24', 'dev', a.name);
      ip(n, 'addr', 'add', '198.18.61.1/24', 'dev', a.name);
      ip(n, 'addr', 'add', '198.18.62.1/16', 'dev', a.name);
      ip(n, 'addr', 'add', '198.18.63.1', 'peer', '198.18.64.1/32', 'dev', a.name);
      ip(n, 'addr', 'add', 'fd00:60::1/64', 'dev', a.name, 'nodad');
      ip(n, 'addr', 'add', 'fd00:61::1/64', 'dev', a.name, 'nodad');
      ip(n, 'addr', 'add', '198.18.60.9/24', 'dev', b.name);
      ip(n, 'addr', 'add', 'fd00:60::9/64', 'dev', b.name, 'nodad');
    });
    const removed = await inStep(
      [mine, theirs],
      [
        // Host bits in the prefix are ignored; both links; the network an address is on is not
        // what counts (198.18.62.1/16 is outside 198.18.60.0/24 though its /16 covers it).
        [(w) => w.ns.flushAddresses({ to: '198.18.60.77/24' }), () => ['addr', 'flush', 'to', '198.18.60.77/24']],
        // A bare address is that address alone; a peer address is matched by its local side.
        [(w) => w.ns.flushAddresses({ to: '198.18.64.1' }), () => ['addr', 'flush', 'to', '198.18.64.1']],
        [(w) => w.ns.flushAddresses({ to: '198.18.63.1' }), () => ['addr', 'flush', 'to', '198.18.63.1']],
        [
          (w) => w.a.flushAddresses({ to: 'fd00:60::/32', family: 6 }),
          (w) => ['-6', 'addr', 'flush', 'to', 'fd00:60::/32', 'dev', w.a.name],
        ],
        // /0 of a family: every address of that family, link-local included (lo's own ::1 is kept).
        [(w) => w.a.flushAddresses({ to: '::/0' }), (w) => ['addr', 'flush', 'to', '::/0', 'dev', w.a.name]],
      ],
    );
    expect(removed).toEqual([
      ['198.18.60.1/24', '198.18.60.9/24'],
      [],
      ['198.18.63.1/32'],
      ['fd00:60::1/64'],
      ['fd00:61::1/64', 'fe80::/64'],
    ]);
    expect(addrs(mine.ns.name, mine.a.name).map((x) => `${x.local}/${x.prefixlen}`)).toEqual([
      '198.18.61.1/24',
      '198.18.62.1/16',
    ]);
  });

  it('permanent: false and true flush as `ip addr flush dynamic` and `permanent` (IFA_F_PERMANENT)', async () => {
    const [mine, theirs] = await twins(({ ns, a, b }) => {
      const n = ns.name as string;
      const lifetimes = ['valid_lft', '1000', 'preferred_lft', '1000'];
      ip(n, 'addr', 'add', '198.18.65.1/24', 'dev', a.name);
      ip(n, 'addr', 'add', '198.18.66.1/24', 'dev', a.name, ...lifetimes);
      ip(n, 'addr', 'add', 'fd00:65::1/64', 'dev', a.name, 'nodad');
      ip(n, 'addr', 'add', 'fd00:66::1/64', 'dev', a.name, 'nodad', ...lifetimes);
      ip(n, 'addr', 'add', '198.18.67.1/24', 'dev', b.name, ...lifetimes);
    });
    const removed = await inStep(
      [mine, theirs],
      [
        [(w) => w.a.flushAddresses({ permanent: false }), (w) => ['addr', 'flush', 'dev', w.a.name, 'dynamic']],
        [(w) => w.a.flushAddresses({ permanent: true }), (w) => ['addr', 'flush', 'dev', w.a.name, 'permanent']],
      ],
    );
    expect(removed).toEqual([
      ['198.18.66.1/24', 'fd00:66::1/64'],
      ['198.18.65.1/24', 'fd00:65::1/64', 'fe80::/64'],
    ]);
    expect(addrs(mine.ns.name, mine.b.name).map((x) => x.local)).toContain('198.18.67.1');
  });

  it("keeps the loopback's own 127.0.0.1/8 and ::1 unless the link is lo; other addresses on lo go", async () => {
    const { ns } = await world();
    ip(ns.name, 'addr', 'add', '198.18.43.1/32', 'dev', 'lo');
    const all = await ns.flushAddresses();
    expect(cidrs(all)).toContain('198.18.43.1/32');
    expect(addressLines(ns.name as string)).toEqual(['lo inet 127.0.0.1/8 host', 'lo inet6 ::1/128 host']);
    expect(await ns.flushAddresses({ scope: 'host' })).toEqual([]);

    const lo = await ns.flushAddresses({ link: 'lo' });
    expect(cidrs(lo)).toEqual(['127.0.0.1/8', '::1/128']);
    expect(addressLines(ns.name as string)).toEqual([]);
  });

  it.each([
    ['off', '0'],
    ['on', '1'],
  ])('with promote_secondaries %s, the secondaries a primary takes along count as removed', async (_title, promote) => {
    const { ns, a } = await world();
    ip(
      ns.name,
      'netns',
      'exec',
      ns.name as string,
      'sysctl',
      '-qw',
      `net.ipv4.conf.${a.name}.promote_secondaries=${promote}`,
    );
    for (const host of [1, 2, 3]) ip(ns.name, 'addr', 'add', `198.18.44.${host}/24`, 'dev', a.name);
    ip(ns.name, 'addr', 'add', '198.18.45.1/24', 'dev', a.name);
    // Without promotion, deleting .1 deletes .2 and .3: their own deletes find them gone.
    const removed = await a.flushAddresses({ family: 4 });
    expect(cidrs(removed)).toEqual(['198.18.44.1/24', '198.18.44.2/24', '198.18.44.3/24', '198.18.45.1/24']);
    expect(addrs(ns.name, a.name).filter((x) => x.family === 'inet')).toEqual([]);
  });

  it('an empty flush resolves with [] and changes nothing', async () => {
    const { ns, a } = await world();
    ip(ns.name, 'addr', 'add', '198.18.46.1/24', 'dev', a.name);
    await settled(ns.name);
    const before = snapshot(ns.name);
    expect(await a.flushAddresses({ scope: 'site' })).toEqual([]);
    expect(await ns.flushAddresses({ family: 4, scope: 'nowhere' })).toEqual([]);
    expect(snapshot(ns.name)).toBe(before);
  });

  it('addresses another socket deletes meanwhile are no error, and each is removed once', async () => {
    const { ns, a } = await world();
    const other = await Namespace.open(ns.name as string);
    try {
      const theirs = await other.link(a.name);
      for (let round = 0; round < 10; round++) {
        const all = Array.from({ length: 16 }, (_, i) => `198.18.47.${i + 1}/32`);
        ipBatch(
          ns.name,
          all.map((cidr) => `addr add ${cidr} dev ${a.name}`),
        );
        await ns.addresses(); // a small namespace: its dumps may run on the JS thread
        // Made in the same tick: the deletes go out on the other namespace object's socket,
        // one after another, while the flush runs on this one's.
        const flushing = a.flushAddresses({ family: 4 });
        const deleted: string[] = [];
        const deleting = (async () => {
          for (const cidr of [...all].reverse()) {
            const ok = await theirs.deleteAddress(cidr).then(
              () => true,
              (e: { code?: string }) => (e.code === 'EADDRNOTAVAIL' ? false : Promise.reject(e)),
            );
            if (ok) deleted.push(cidr);
          }
        })();
        const [removed] = await Promise.all([flushing, deleting]);
        expect([...cidrs(removed), ...deleted].sort()).toEqual([...all].sort());
        expect(addrs(ns.name, a.name).filter((x) => x.family === 'inet')).toEqual([]);
      }
    } finally {
      await other.close();
    }
  });

  it('runs rounds until a dump selects nothing: an address added meanwhile by another socket goes too', async () => {
    const { ns, a } = await world();
    const other = await Namespace.open(ns.name as string);
    try {
      const theirs = await other.link(a.name);
      // The add, made in the same tick on another socket, is sent after the flush's first dump
      // and before its deletes: a second round removes it. A loaded machine may defer the other
      // socket's send past the whole flush (the dispatcher yields after holding the loop 5 ms);
      // then the address must stay and not be reported. At least one try must land in between.
      let caught = 0;
      for (let round = 0; round < 10 && caught < 3; round++) {
        ip(ns.name, 'addr', 'add', '198.18.48.1/24', 'dev', a.name);
        await ns.addresses();
        const added = `198.18.49.${round + 1}/24`;
        const [removed] = await Promise.all([a.flushAddresses({ family: 4 }), theirs.addAddress(added)]);
        const left = addrs(ns.name, a.name)
          .filter((x) => x.family === 'inet')
          .map((x) => `${x.local}/${x.prefixlen}`);
        if (cidrs(removed).includes(added)) {
          caught++;
          expect(cidrs(removed)).toEqual(['198.18.48.1/24', added]);
          expect(left).toEqual([]);
        } else {
          expect(cidrs(removed)).toEqual(['198.18.48.1/24']);
          expect(left).toEqual([added]);
          ip(ns.name, 'addr', 'del', added, 'dev', a.name);
        }
      }
      expect(caught).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });

  it('holds the FIFO: an address added after the call (not awaited) is not flushed', async () => {
    const { ns, a } = await world();
    ip(ns.name, 'addr', 'add', '198.18.50.1/24', 'dev', a.name);
    const [removed] = await Promise.all([a.flushAddresses({ family: 4 }), a.addAddress('198.18.50.2/24')]);
    expect(cidrs(removed)).toEqual(['198.18.50.1/24']);
    expect(
      addrs(ns.name, a.name)
        .filter((x) => x.family === 'inet')
        .map((x) => x.local),
    ).toEqual(['198.18.50.2']);
  });

  it('a signal that aborts before the flush starts withdraws it: nothing is removed', async () => {
    const { ns, a } = await world();
    ip(ns.name, 'addr', 'add', '198.18.52.1/24', 'dev', a.name);
    await settled(ns.name);
    const before = snapshot(ns.name);
    const controller = new AbortController();
    const flushing = a.flushAddresses({ signal: controller.signal });
    controller.abort();
    await expect(flushing).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(snapshot(ns.name)).toBe(before);
  });

  it('a link that is gone: ENODEV, nothing removed', async () => {
    const { ns, a } = await world();
    const gone = await ns.link(a.name);
    ip(ns.name, 'link', 'del', a.name);
    await expect(gone.flushAddresses()).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(ns.flushAddresses({ link: a.name })).rejects.toMatchObject({
      code: 'ENODEV',
      message: expect.stringMatching(
        /^cannot flush addresses of link ".*" in namespace ".*": no such link \(ENODEV\)$/,
      ),
    });
    expect(addressLines(ns.name as string)).toEqual(['lo inet 127.0.0.1/8 host', 'lo inet6 ::1/128 host']);
  });
});

describeKernel('flushRoutes', () => {
  /** Routes in main (IPv4, IPv6), in table 100, of two protocols, through both links. */
  const setUp = ({ ns, a, b }: World): void => {
    const n = ns.name as string;
    ip(n, 'addr', 'add', '198.18.60.1/24', 'dev', a.name);
    ip(n, 'addr', 'add', '198.18.61.1/24', 'dev', b.name);
    ip(n, 'addr', 'add', 'fd00:60::1/64', 'dev', a.name, 'nodad');
    ip(n, 'route', 'add', '198.19.60.0/24', 'via', '198.18.60.2');
    ip(n, 'route', 'add', '198.19.61.0/24', 'dev', b.name, 'proto', 'static');
    ip(n, 'route', 'add', '198.19.62.0/24', 'nexthop', 'via', '198.18.60.2', 'nexthop', 'via', '198.18.61.2');
    ip(n, 'route', 'add', 'blackhole', '198.19.63.0/24', 'metric', '5');
    ip(n, '-6', 'route', 'add', 'fd00:61::/64', 'via', 'fd00:60::2');
    ip(n, '-6', 'route', 'add', 'fd00:62::/64', 'nexthop', 'via', 'fd00:60::2', 'nexthop', 'via', 'fd00:60::3');
    ip(n, '-6', 'route', 'add', 'fd00:63::/64', 'from', 'fd00:69::/64', 'via', 'fd00:60::2'); // source-specific
    ip(n, 'route', 'add', '198.19.64.0/24', 'via', '198.18.60.2', 'table', '100');
    ip(n, '-6', 'route', 'add', 'fd00:64::/64', 'dev', a.name, 'table', '100');
  };

  it('flushRoutes() leaves what `ip route flush table main` and `ip -6 route flush table main` leave', async () => {
    const [mine, theirs] = await twins(setUp);
    const main = routeLines(mine.ns.name as string).filter((r) => !r.includes('"table"'));
    expect(main.length).toBeGreaterThan(8);
    const removed = await mine.ns.flushRoutes();
    ip(theirs.ns.name, '-4', 'route', 'flush', 'table', 'main');
    ip(theirs.ns.name, '-6', 'route', 'flush', 'table', 'main');
    expect(routeLines(mine.ns.name as string)).toEqual(routeLines(theirs.ns.name as string));
    expect(removed).toHaveLength(main.length);
    expect(removed.every((r) => r.table === 254)).toBe(true);
    expect(removed.map((r) => r.destination)).toEqual(
      expect.arrayContaining(['198.18.60.0/24', '198.19.62.0/24', '198.19.63.0/24', 'fd00:62::/64', 'fe80::/64']),
    );
    expect(removed.find((r) => r.destination === '198.19.61.0/24')).toMatchObject({
      link: mine.b.name,
      protocol: 'static',
    });
    // Table 100 and the local table untouched.
    expect(ipJson(mine.ns.name, 'route', 'show', 'table', '100')).toHaveLength(1);
    expect(ipJson(mine.ns.name, '-6', 'route', 'show', 'table', '100')).toHaveLength(1);
    expect(ipJson<unknown[]>(mine.ns.name, 'route', 'show', 'table', 'local').length).toBeGreaterThan(0);
  });

  it('table, family, link and protocol filter as ip does', async () => {
    const [mine, theirs] = await twins(setUp);
    const steps: Array<[() => Promise<unknown>, string[]]> = [
      [() => mine.ns.flushRoutes({ table: 100, family: 6 }), ['-6', 'route', 'flush', 'table', '100']],
      [() => mine.ns.flushRoutes({ protocol: 'static', family: 4 }), ['-4', 'route', 'flush', 'proto', 'static']],
      [() => mine.ns.flushRoutes({ link: mine.a, family: 4 }), ['-4', 'route', 'flush', 'dev', mine.a.name]],
      [() => mine.ns.flushRoutes({ link: mine.a.name, family: 6 }), ['-6', 'route', 'flush', 'dev', mine.a.name]],
    ];
    for (const [ours, theirsArgs] of steps) {
      const before = routeLines(mine.ns.name as string);
      const removed = (await ours()) as unknown[];
      ip(theirs.ns.name, ...theirsArgs);
      const after = routeLines(mine.ns.name as string);
      expect(after).toEqual(routeLines(theirs.ns.name as string));
      expect(removed).toHaveLength(before.length - after.length);
      expect(removed.length).toBeGreaterThan(0);
    }
    // The multipath routes have no one link: still there, as ip leaves them.
    expect(ipJson<Array<{ dst: string }>>(mine.ns.name, 'route', 'show').map((r) => r.dst)).toContain('198.19.62.0/24');
    expect(ipJson(mine.ns.name, 'route', 'show', 'table', '100')).toHaveLength(1);
  });

  it("table 'all' flushes the local table too, as `ip route flush table all`", async () => {
    const [mine, theirs] = await twins(setUp);
    await mine.ns.flushRoutes({ table: 'all', family: 4 });
    ip(theirs.ns.name, '-4', 'route', 'flush', 'table', 'all');
    expect(routeLines(mine.ns.name as string)).toEqual(routeLines(theirs.ns.name as string));
    expect(ipJson(mine.ns.name, '-4', 'route', 'show', 'table', 'all')).toEqual([]);
  });

  it('an empty flush resolves with [] and changes nothing', async () => {
    const { ns } = await world();
    await settled(ns.name);
    const before = snapshot(ns.name);
    expect(await ns.flushRoutes({ table: 100 })).toEqual([]);
    expect(await ns.flushRoutes({ family: 4 })).toEqual([]);
    expect(snapshot(ns.name)).toBe(before);
  });

  it('routes another socket deletes meanwhile are no error, and each is removed once', async () => {
    const { ns, a } = await world();
    ip(ns.name, 'addr', 'add', '198.18.65.1/24', 'dev', a.name);
    const other = await Namespace.open(ns.name as string);
    try {
      for (let round = 0; round < 10; round++) {
        const all = Array.from({ length: 16 }, (_, i) => `198.19.${100 + i}.0/24`);
        ipBatch(
          ns.name,
          all.map((dst) => `route add ${dst} via 198.18.65.2 table 101`),
        );
        await ns.routes();
        const flushing = ns.flushRoutes({ table: 101 });
        const deleted: string[] = [];
        const deleting = (async () => {
          for (const destination of [...all].reverse()) {
            const ok = await other.deleteRoute({ destination, table: 101 }).then(
              () => true,
              (e: { code?: string }) => (e.code === 'ESRCH' ? false : Promise.reject(e)),
            );
            if (ok) deleted.push(destination);
          }
        })();
        const [removed] = await Promise.all([flushing, deleting]);
        expect([...removed.map((r) => r.destination), ...deleted].sort()).toEqual([...all].sort());
        expect(ipJson(ns.name, 'route', 'show', 'table', '101')).toEqual([]);
      }
    } finally {
      await other.close();
    }
  });
});

describeKernel('flushNeighbours', () => {
  /** Entries of every settable state on `a`, a few on `b`. */
  const setUp = ({ ns, a, b }: World): void => {
    const n = ns.name as string;
    ip(n, 'addr', 'add', '198.18.70.1/24', 'dev', a.name);
    ip(n, 'addr', 'add', 'fd00:70::1/64', 'dev', a.name, 'nodad');
    ip(n, 'addr', 'add', '198.18.71.1/24', 'dev', b.name);
    let host = 10;
    for (const nud of ['permanent', 'reachable', 'stale', 'delay', 'probe', 'failed', 'noarp']) {
      host += 1;
      ip(n, 'neigh', 'add', `198.18.70.${host}`, 'lladdr', `02:00:00:00:70:${host}`, 'dev', a.name, 'nud', nud);
      ip(n, 'neigh', 'add', `fd00:70::${host}`, 'lladdr', `02:00:00:00:71:${host}`, 'dev', a.name, 'nud', nud);
    }
    ip(n, 'neigh', 'add', '198.18.70.30', 'dev', a.name, 'nud', 'none');
    ip(
      n,
      'neigh',
      'add',
      '198.18.70.31',
      'lladdr',
      '02:00:00:00:70:31',
      'dev',
      a.name,
      'nud',
      'reachable',
      'extern_learn',
    );
    ip(n, 'neigh', 'add', '198.18.71.11', 'lladdr', '02:00:00:00:71:11', 'dev', b.name, 'nud', 'stale');
    ip(n, 'neigh', 'add', '198.18.71.12', 'lladdr', '02:00:00:00:71:12', 'dev', b.name, 'nud', 'permanent');
  };

  it('leaves what `ip neigh flush dev LINK` leaves: permanent and noarp entries stay; other links untouched', async () => {
    const [mine, theirs] = await twins(setUp);
    const before = neighbourLines(mine.ns.name as string);
    const removed = await mine.ns.flushNeighbours({ link: mine.a });
    ip(theirs.ns.name, 'neigh', 'flush', 'dev', theirs.a.name);
    const after = neighbourLines(mine.ns.name as string);
    expect(after).toEqual(neighbourLines(theirs.ns.name as string));
    expect(removed).toHaveLength(before.length - after.length);
    expect(removed.every((n) => n.link === mine.a.name && n.state !== 'permanent' && n.state !== 'noarp')).toBe(true);
    expect(removed.map((n) => n.address)).toEqual(
      expect.arrayContaining(['198.18.70.12', 'fd00:70::13', '198.18.70.31']),
    );
    expect(after).toEqual(
      expect.arrayContaining([
        `${mine.a.name} 198.18.70.11 PERMANENT`,
        `${mine.a.name} 198.18.70.17 NOARP`,
        `${mine.b.name} 198.18.71.11 STALE`,
      ]),
    );
  });

  it('state and family filter as `ip -4 neigh flush all nud STATE` does', async () => {
    const [mine, theirs] = await twins(setUp);
    const steps: Array<[() => Promise<unknown[]>, string[]]> = [
      [() => mine.ns.flushNeighbours({ family: 4, state: 'stale' }), ['-4', 'neigh', 'flush', 'all', 'nud', 'stale']],
      [
        () => mine.ns.flushNeighbours({ family: 6, state: ['permanent', 'probe'] }),
        ['-6', 'neigh', 'flush', 'all', 'nud', 'permanent', 'nud', 'probe'],
      ],
      [() => mine.ns.flushNeighbours({ state: 'none' }), ['neigh', 'flush', 'all', 'nud', 'none']],
      [() => mine.ns.flushNeighbours({ state: 'all' }), ['neigh', 'flush', 'all', 'nud', 'all']],
    ];
    for (const [ours, theirsArgs] of steps) {
      const before = neighbourLines(mine.ns.name as string);
      const removed = await ours();
      ip(theirs.ns.name, ...theirsArgs);
      const after = neighbourLines(mine.ns.name as string);
      expect(after).toEqual(neighbourLines(theirs.ns.name as string));
      expect(removed).toHaveLength(before.length - after.length);
      expect(removed.length).toBeGreaterThan(0);
    }
    // noarp entries stay even with 'all'.
    expect(neighbourLines(mine.ns.name as string).every((l) => l.endsWith('NOARP'))).toBe(true);
  });

  it('proxy: true flushes the proxy entries as `ip neigh flush proxy` does; without it they stay, as with ip', async () => {
    const [mine, theirs] = await twins((w) => {
      setUp(w);
      const n = w.ns.name as string;
      ip(n, 'neigh', 'add', 'proxy', '198.18.70.40', 'dev', w.a.name);
      ip(n, 'neigh', 'add', 'proxy', 'fd00:70::40', 'dev', w.a.name);
      ip(n, 'neigh', 'add', 'proxy', '198.18.71.40', 'dev', w.b.name);
    });
    const proxyLines = (ns: string) =>
      ipJson<Array<{ dev: string; dst: string }>>(ns, 'neigh', 'show', 'proxy')
        .map((p) => `${p.dev} ${p.dst}`)
        .sort();
    const [m, t] = [mine.ns.name as string, theirs.ns.name as string];
    const steps: Array<[() => Promise<Neighbour[]>, string[]]> = [
      [() => mine.ns.flushNeighbours({ link: mine.a }), ['neigh', 'flush', 'dev', theirs.a.name]],
      [() => mine.ns.flushNeighbours({ link: mine.a, proxy: true }), ['neigh', 'flush', 'proxy', 'dev', theirs.a.name]],
      [() => mine.ns.flushNeighbours({ proxy: true, family: 4 }), ['-4', 'neigh', 'flush', 'proxy']],
    ];
    const removedEach: string[][] = [];
    for (const [ours, theirsArgs] of steps) {
      const removed = await ours();
      ip(t, ...theirsArgs);
      expect(proxyLines(m)).toEqual(proxyLines(t));
      expect(neighbourLines(m)).toEqual(neighbourLines(t));
      removedEach.push(removed.filter((n) => n.proxy).map((n) => `${n.link} ${n.address}`));
    }
    expect(removedEach).toEqual([
      [],
      [`${mine.a.name} 198.18.70.40`, `${mine.a.name} fd00:70::40`].sort(),
      [`${mine.b.name} 198.18.71.40`],
    ]);
    expect(proxyLines(m)).toEqual([]);
  });

  it('an empty flush resolves with [] and changes nothing', async () => {
    const { ns, a } = await world();
    ip(ns.name, 'neigh', 'add', '198.18.72.1', 'lladdr', '02:00:00:00:72:01', 'dev', a.name, 'nud', 'permanent');
    const before = neighbourLines(ns.name as string);
    expect(await ns.flushNeighbours()).toEqual([]);
    expect(await ns.flushNeighbours({ link: a, state: ['stale', 'failed'] })).toEqual([]);
    expect(neighbourLines(ns.name as string)).toEqual(before);
  });

  it('entries another socket deletes meanwhile are no error, and each is removed once', async () => {
    const { ns, a } = await world();
    ip(ns.name, 'addr', 'add', '198.18.73.1/24', 'dev', a.name);
    const other = await Namespace.open(ns.name as string);
    try {
      const theirs = await other.link(a.name);
      for (let round = 0; round < 10; round++) {
        const all = Array.from({ length: 16 }, (_, i) => `198.18.73.${i + 10}`);
        ipBatch(
          ns.name,
          all.map((address) => `neigh add ${address} lladdr 02:00:00:00:73:01 dev ${a.name} nud stale`),
        );
        await ns.neighbours();
        const flushing = ns.flushNeighbours({ link: a });
        const deleted: string[] = [];
        const deleting = (async () => {
          for (const address of [...all].reverse()) {
            const ok = await other.deleteNeighbour({ link: theirs, address }).then(
              () => true,
              (e: { code?: string }) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
            );
            if (ok) deleted.push(address);
          }
        })();
        const [removed] = await Promise.all([flushing, deleting]);
        expect([...removed.map((n) => n.address), ...deleted].sort()).toEqual([...all].sort());
        expect(
          neighbours(ns.name, 'dev', a.name).filter((n) => !(n.state as string[] | undefined)?.includes('NOARP')),
        ).toEqual([]);
      }
    } finally {
      await other.close();
    }
  });
});
