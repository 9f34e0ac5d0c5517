/**
 * AbortSignal on every call that can wait: exec (the program is killed and the call rejects, as
 * execFile does, instead of resolving like an outside kill), ping, connect, create (what was made
 * is removed before the rejection), the dumps. Link creates: an abort while the request is still
 * queued withdraws it (the kernel never sees it); after it was sent, what it made is deleted
 * before the call rejects. Witness: `ip link`. An aborted call rejects with an AbortError: name
 * 'AbortError', code 'ABORT_ERR', `cause` the signal's reason, and a NetnsError. Witnesses: /proc
 * for the program, `ss` for the half-open connection, `ip netns list` for the namespace.
 */
import * as fs from 'node:fs';
import { Bridge, Ifb, Macvlan, Macvtap, Namespace, NetnsError, Network, Tap, VethPair, Vxlan } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, links, operational, run } from '../helpers/ip';
import { netName, useTestPools } from '../helpers/network';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

function expectAbortError(error: unknown, operation: RegExp, cause: unknown): void {
  expect(error).toBeInstanceOf(NetnsError);
  expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause });
  expect((error as NetnsError).operation).toMatch(operation);
  expect((error as Error).message).toMatch(/: the operation was aborted \(ABORT_ERR\)$/);
}

/** The PIDs of processes running `comm` in network namespace `inode`. */
function programs(comm: string, inode: bigint): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return (
          fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm &&
          fs.statSync(`/proc/${pid}/ns/net`, { bigint: true }).ino === inode
        );
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describeKernel('AbortSignal', () => {
  it('exec: an abort kills the program and rejects with an AbortError, as execFile does', async () => {
    const ns = await freshNamespace();
    const controller = new AbortController();
    const running = ns.exec('sleep', ['60'], { signal: controller.signal });
    await waitFor(() => programs('sleep', ns.inode).length === 1, { what: 'sleep to run in the namespace' });
    const reason = new Error('enough');
    controller.abort(reason);
    expectAbortError(await running.catch((e: unknown) => e), /^run "sleep" in namespace/, reason);
    await waitFor(() => programs('sleep', ns.inode).length === 0, { what: 'sleep to be killed' });

    // An outside kill still resolves, with the signal.
    const killed = ns.exec('sh', ['-c', 'kill -TERM $$']);
    expect(await killed).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
  });

  it('exec: an already aborted signal starts nothing', async () => {
    const ns = await freshNamespace();
    const marker = `/tmp/nnt-abort-${uniqueName('')}`;
    const error = await ns.exec('touch', [marker], { signal: AbortSignal.abort('no') }).catch((e: unknown) => e);
    expectAbortError(error, /^run "touch"/, 'no');
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('exec: one time limit; Node\'s "timeout" is an alias of timeoutMs and sets timedOut too', async () => {
    const ns = await freshNamespace();
    expect(await ns.exec('sleep', ['10'], { timeout: 100 })).toMatchObject({ signal: 'SIGTERM', timedOut: true });
    expect(await ns.exec('sleep', ['10'], { timeoutMs: 100, timeout: 100 })).toMatchObject({ timedOut: true });
    expect(await ns.exec('true', [], { timeout: 0 })).toMatchObject({ exitCode: 0, timedOut: false });
    await expect(ns.exec('true', [], { timeoutMs: 100, timeout: 200 })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/timeout \(200\) and timeoutMs \(100\) disagree; give timeoutMs only/),
    });
    await expect(ns.exec('true', [], { timeout: -5 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(ns.exec('true', [], { signal: 'x' as never })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/signal must be an AbortSignal/),
    });
  });

  it('ping: an abort stops it at once', async () => {
    const ns = await freshNamespace();
    await (await ns.link('lo')).up();
    const controller = new AbortController();
    // 198.18.99.1 is on the veth's subnet, but nothing has it (the peer end has no address): no
    // reply ever comes, and a thousand requests would take 50 s.
    const { local } = await VethPair.create({ name: 'eth0', peerName: 'eth1', namespace: ns });
    await local.addAddress('198.18.99.2/24');
    await local.up();
    const pinging = ns.ping('198.18.99.1', { count: 1000, intervalMs: 50, signal: controller.signal });
    controller.abort();
    expectAbortError(await pinging.catch((e: unknown) => e), /^ping 198\.18\.99\.1/, controller.signal.reason);
  });

  it('connect: an abort rejects at once; the half-open socket is closed when the attempt ends', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const { local, peer } = await VethPair.create({ name: 'va', peerName: 'vb', namespace: a, peerNamespace: b });
    await local.addAddress('198.18.98.1/24');
    await peer.addAddress('198.18.98.2/24');
    await Promise.all([local.up(), peer.up()]);
    await operational(a.name, 'va');
    // Nothing answers: every SYN to port 7000 is dropped in a.
    run(
      'ip',
      ['netns', 'exec', a.name as string, 'nft', '-f', '-'],
      'table inet nnt {\n chain in {\n type filter hook input priority 0; policy accept;\n tcp dport 7000 drop\n }\n}\n',
    );
    const syns = (): string[] =>
      run('ip', ['netns', 'exec', b.name as string, 'ss', '-Htn', 'state', 'syn-sent'])
        .trim()
        .split('\n')
        .filter(Boolean);
    const controller = new AbortController();
    const connecting = b.connect({ host: '198.18.98.1', port: 7000, timeoutMs: 300, signal: controller.signal });
    await waitFor(() => syns().length === 1, { what: 'the SYN to be sent' });
    controller.abort();
    expectAbortError(
      await connecting.catch((e: unknown) => e),
      /^connect to 198\.18\.98\.1:7000/,
      controller.signal.reason,
    );
    await waitFor(() => syns().length === 0, { what: 'the half-open socket to be closed' });
  });

  it('create: an abort while the namespace is made removes it before rejecting; the name is free again', async () => {
    const name = uniqueName();
    for (let round = 0; round < 10; round++) {
      const controller = new AbortController();
      const creating = Namespace.create(name, { signal: controller.signal });
      controller.abort();
      expectAbortError(
        await creating.catch((e: unknown) => e),
        new RegExp(`^create namespace "${name}"`),
        controller.signal.reason,
      );
      expect(ip(undefined, 'netns', 'list')).not.toContain(name);
    }
    const ns = await Namespace.create(name, { signal: new AbortController().signal });
    await ns.delete();
  });

  it('the dumps: an abort rejects the call; the namespace stays usable', async () => {
    const ns = await freshNamespace();
    for (const dump of [
      (signal: AbortSignal) => ns.links({ signal }),
      (signal: AbortSignal) => ns.addresses({ signal }),
      (signal: AbortSignal) => ns.routes({ signal }),
      (signal: AbortSignal) => ns.neighbours({ signal }),
      (signal: AbortSignal) => ns.rules({ signal }),
      (signal: AbortSignal) => Namespace.list({ signal }),
    ]) {
      const controller = new AbortController();
      const pending = dump(controller.signal);
      controller.abort();
      expect(await pending.catch((e: unknown) => e)).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      // Not aborted: the same call resolves.
      expect(Array.isArray(await dump(new AbortController().signal))).toBe(true);
    }
    expect((await ns.links()).map((l) => l.name)).toEqual(['lo']);
  });
  it('link creates: an already aborted signal starts nothing; an abort leaves nothing; the names are free again', async () => {
    const ns = await freshNamespace();
    const other = await freshNamespace();
    const parent = (await Bridge.create('parent0', { namespace: ns })) as Bridge;
    const creates: Array<[string, string[], (name: string, signal: AbortSignal) => Promise<unknown>]> = [
      ['bridge', ['br-x'], (name, signal) => Bridge.create(name, { namespace: ns, signal })],
      [
        'veth',
        ['vx-a', 'vx-b'],
        (name, signal) => VethPair.create({ name, peerName: 'vx-b', namespace: ns, peerNamespace: other, signal }),
      ],
      ['ifb', ['ifb-x'], (name, signal) => Ifb.create(name, { namespace: ns, signal })],
      ['tap', ['tap-x'], (name, signal) => Tap.create(name, { namespace: ns, signal })],
      ['vxlan', ['vxl-x'], (name, signal) => Vxlan.create(name, { vni: 42, namespace: ns, signal })],
      ['macvlan', ['mvl-x'], (name, signal) => Macvlan.create(name, { parent, signal })],
      ['macvtap', ['mvt-x'], (name, signal) => Macvtap.create(name, { parent, namespace: other, signal })],
    ];
    const nothingLeft = (names: string[]): void => {
      for (const name of names) {
        expect(link(ns.name, name)).toBeUndefined();
        expect(link(other.name, name)).toBeUndefined();
      }
    };
    for (const [kind, names, create] of creates) {
      const name = names[0] as string;
      // Already aborted: rejects before any syscall.
      expectAbortError(
        await create(name, AbortSignal.abort('early')).catch((e: unknown) => e),
        new RegExp(`^create ${kind} "${name}"`),
        'early',
      );
      nothingLeft(names);
      // Aborted at once (withdrawn), and a few microtasks later (the create may be sent, or done
      // already): a rejected call leaves nothing, a call the abort came too late for made it.
      for (let ticks = 0; ticks < 12; ticks += 3) {
        const controller = new AbortController();
        const creating = create(name, controller.signal);
        for (let i = 0; i < ticks; i++) await Promise.resolve();
        controller.abort();
        const outcome = await creating.catch((e: unknown) => e);
        if (ticks === 0 || outcome instanceof Error) {
          expectAbortError(outcome, new RegExp(`^create ${kind} "${name}"`), controller.signal.reason);
          nothingLeft(names);
        } else {
          await (outcome as { delete(): Promise<void> }).delete();
        }
      }
      // Not aborted: made as usual, the names free again.
      const made = (await create(name, new AbortController().signal)) as { delete(): Promise<void> };
      expect(link(ns.name, name) ?? link(other.name, name)).toBeDefined();
      await made.delete();
    }
    expect(
      links(ns.name)
        .map((l) => l.ifname)
        .sort(),
    ).toEqual(['lo', 'parent0']);
    expect(links(other.name).map((l) => l.ifname)).toEqual(['lo']);
  });

  it('a create aborted while its request is queued is withdrawn: the kernel never sees it', async () => {
    const ns = await freshNamespace();
    const monitor = ns.monitor({ events: ['link'] });
    const events: string[] = [];
    const reading = (async () => {
      for await (const event of monitor) if (event.type === 'link') events.push(`${event.action} ${event.link.name}`);
    })();
    await monitor.ready;
    // The handle is open (the monitor opened it): the create's batch is queued within the call,
    // behind a bridge create made just before it, and the abort comes before the queue is
    // drained (a microtask later).
    const controller = new AbortController();
    const first = Bridge.create('br-first', { namespace: ns });
    const withdrawn = Bridge.create('br-gone', { namespace: ns, signal: controller.signal });
    controller.abort();
    expectAbortError(await withdrawn.catch((e: unknown) => e), /^create bridge "br-gone"/, controller.signal.reason);
    await (await first).delete();
    await waitFor(() => events.some((e) => e === 'delete br-first'), {
      what: 'the first bridge to be deleted',
    });
    expect(events.filter((e) => e.includes('br-gone'))).toEqual([]);
    monitor.close();
    await reading.catch(() => undefined);
  });

  it('Link.addresses and Link.fdb: an abort rejects the call; the same call resolves without one', async () => {
    const ns = await freshNamespace();
    const lo = await ns.link('lo');
    for (const dump of [
      (signal: AbortSignal) => lo.addresses({ signal }),
      (signal: AbortSignal) => lo.fdb({ signal }),
    ]) {
      expect(await dump(AbortSignal.abort()).catch((e: unknown) => e)).toMatchObject({ name: 'AbortError' });
      const controller = new AbortController();
      const pending = dump(controller.signal);
      controller.abort();
      expect(await pending.catch((e: unknown) => e)).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
      expect(Array.isArray(await dump(new AbortController().signal))).toBe(true);
    }
    await expect(lo.addresses({ signal: 'x' as never })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  describe('networks', () => {
    beforeEach(useTestPools);

    it('Network.create and connect: an abort removes what was made before rejecting', async () => {
      const name = netName();
      expectAbortError(
        await Network.create(name, { signal: AbortSignal.abort('early') }).catch((e: unknown) => e),
        new RegExp(`^create network "${name}"`),
        'early',
      );
      const controller = new AbortController();
      const creating = Network.create(name, { signal: controller.signal });
      controller.abort();
      expectAbortError(await creating.catch((e: unknown) => e), /^create network/, controller.signal.reason);
      expect((await Network.list()).map((n) => n.name)).not.toContain(name);

      const net = await Network.create(name, { dns: false });
      const member = await freshNamespace();
      const before = links(undefined).length;
      const stop = new AbortController();
      const connecting = net.connect(member, { signal: stop.signal });
      stop.abort();
      expectAbortError(await connecting.catch((e: unknown) => e), /^connect .* to network "/, stop.signal.reason);
      expect(links(member.name).map((l) => l.ifname)).toEqual(['lo']);
      expect(links(undefined).length).toBe(before);
      expect(await net.endpoints()).toEqual([]);
      await net.connect(member, { signal: new AbortController().signal });
      expect(links(member.name).map((l) => l.ifname)).toContain('eth0');
    });
  });
});
