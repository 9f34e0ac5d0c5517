import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, NetnsError, VethPair } from 'netns-native';
import { addon } from '../../lib/native/load';
import { cleanupLater, freshNamespace, removeFifo, uniqueName } from '../helpers/fresh';
import { ip, link, links, netnsNames, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** A process running inside a named namespace, through iproute2. */
function sleepIn(name: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', name, 'sleep', '30'], { stdio: 'ignore' });
}

/** The mount points of this mount namespace (field 5 of /proc/self/mountinfo). */
function mountPoints(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4] as string);
}

/** Resolves once `ip netns exec` has moved the process into the namespace. */
function entered(child: ChildProcess, ns: Namespace): Promise<boolean> {
  return waitFor(
    () => {
      try {
        return fs.statSync(`/proc/${child.pid}/ns/net`, { bigint: true }).ino === ns.inode;
      } catch {
        return false; // not started yet
      }
    },
    { what: `PID ${child.pid} to enter namespace ${ns.name}` },
  );
}

/** Resolves once a link is gone from the namespace the tests run in (destroyed with its peer's). */
function destroyed(name: string): Promise<boolean> {
  return waitFor(() => link(undefined, name) === undefined, {
    what: `veth ${name} to be destroyed with the peer's namespace`,
  });
}

describeKernel('Namespace', () => {
  it('create(name) makes a namespace iproute2 sees, with lo down', async () => {
    const ns = await freshNamespace();
    expect(netnsNames()).toContain(ns.name);
    expect(ns.path).toBe(`/run/netns/${ns.name}`);
    expect(ns.inode).toBe(fs.statSync(ns.path, { bigint: true }).ino);
    const lo = link(ns.name, 'lo');
    expect(lo?.flags).not.toContain('UP');
    expect(links(ns.name)).toHaveLength(1);
  });

  it('create() without a name makes an anonymous namespace', async () => {
    const before = netnsNames();
    const ns = await Namespace.create();
    try {
      expect(ns.name).toBeUndefined();
      expect(netnsNames()).toEqual(before);
      expect(fs.statSync(ns.path, { bigint: true }).ino).toBe(ns.inode);
      expect(ns.inode).not.toBe(Namespace.current().inode);
      const names = (await ns.links()).map((l) => l.name);
      expect(names).toEqual(['lo']);
    } finally {
      await ns.delete();
    }
  });

  it('open(name) finds the same namespace; equal inode = same namespace', async () => {
    const ns = await freshNamespace();
    const again = await Namespace.open(ns.name as string);
    expect(again.inode).toBe(ns.inode);
    expect(again.name).toBe(ns.name);
    await again.close();
    // closing one handle leaves the other working
    expect((await ns.links()).length).toBe(1);
  });

  it('fromPath and fromPid identify a namespace, and name it when it is named', async () => {
    const ns = await freshNamespace();
    const byPath = await Namespace.fromPath(ns.path);
    expect(byPath.inode).toBe(ns.inode);
    const child = sleepIn(ns.name as string);
    try {
      await entered(child, ns);
      const byPid = await Namespace.fromPid(child.pid as number);
      expect(byPid.inode).toBe(ns.inode);
      expect(byPid.name).toBe(ns.name);
      expect(byPid.path).toBe(`/proc/${child.pid}/ns/net`);
      await byPid.close();
    } finally {
      child.kill();
    }
    await byPath.close();
  });

  it('current() is the namespace this process runs in, and the same object each time', () => {
    const cur = Namespace.current();
    expect(cur.inode).toBe(fs.statSync('/proc/self/ns/net', { bigint: true }).ino);
    expect(Namespace.current()).toBe(cur);
    expect(cur.name).toBeUndefined();
  });

  it('list() returns named namespaces, sorted, skipping stray files', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const stray = `/run/netns/${uniqueName('stray-')}`;
    fs.writeFileSync(stray, '');
    try {
      const listed = await Namespace.list();
      const names = listed.map((n) => n.name);
      expect(names).toEqual(expect.arrayContaining([a.name, b.name]));
      expect(names).not.toContain(stray.split('/').pop());
      expect([...names].sort()).toEqual(names);
      const mine = listed.find((n) => n.name === a.name) as Namespace;
      expect(mine.inode).toBe(a.inode);
      // opened lazily on first use
      expect((await mine.links()).map((l) => l.name)).toEqual(['lo']);
      await Promise.all(listed.map((n) => n.close()));
    } finally {
      fs.unlinkSync(stray);
    }
  });

  it('delete() removes the name, is idempotent, and works with a process inside', async () => {
    const ns = cleanupLater(await Namespace.create(uniqueName()));
    const name = ns.name as string;
    const child = sleepIn(name);
    try {
      await entered(child, ns);
      await ns.delete();
      await ns.delete();
      expect(netnsNames()).not.toContain(name);
      expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
      // the process still runs in it
      expect(fs.statSync(`/proc/${child.pid}/ns/net`, { bigint: true }).ino).toBe(ns.inode);
      await expect(ns.links()).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      child.kill();
    }
  });

  it('delete() releases our fds so the kernel destroys it: a veth peer inside disappears', async () => {
    const ns = cleanupLater(await Namespace.create(uniqueName()));
    const other = await Namespace.open(ns.name as string); // a second handle of ours
    const name = uniqueName('v');
    await VethPair.create({ name, peerName: uniqueName('p'), peerNamespace: ns });
    expect(link(undefined, name)).toBeDefined();
    await ns.delete();
    expect(other.closed).toBe(true);
    await destroyed(name);
  });

  it('delete() of an anonymous namespace releases it', async () => {
    const ns = await Namespace.create();
    const name = uniqueName('v');
    await VethPair.create({ name, peerName: 'peer0', peerNamespace: ns });
    await ns.delete();
    await destroyed(name);
  });

  it('delete() leaves alone a namespace re-created under the same name meanwhile', async () => {
    const ns = cleanupLater(await Namespace.create(uniqueName()));
    const name = ns.name as string;
    ip(undefined, 'netns', 'del', name);
    ip(undefined, 'netns', 'add', name); // someone else's, now
    try {
      const theirs = fs.statSync(`/run/netns/${name}`, { bigint: true }).ino;
      expect(theirs).not.toBe(ns.inode);
      await ns.delete();
      expect(netnsNames()).toContain(name);
      expect(fs.statSync(`/run/netns/${name}`, { bigint: true }).ino).toBe(theirs);
    } finally {
      ip(undefined, 'netns', 'del', name);
    }
  });

  it('delete() refuses the namespace the process runs in', async () => {
    await expect(Namespace.current().delete()).rejects.toMatchObject({ code: 'EBUSY' });
  });

  it('close() releases the handle without removing the name', async () => {
    const ns = await freshNamespace();
    await ns.close();
    await ns.close();
    expect(ns.closed).toBe(true);
    expect(netnsNames()).toContain(ns.name);
    await expect(ns.links()).rejects.toThrow(NetnsError);
    const reopened = await Namespace.open(ns.name as string);
    expect(reopened.inode).toBe(ns.inode);
    await reopened.delete();
  });

  it('delete() after close() still removes the name, and only while it refers to the same namespace', async () => {
    const ns = await freshNamespace();
    await ns.close();
    await ns.delete();
    expect(netnsNames()).not.toContain(ns.name);
    // the same name made again since: a closed handle of the old one leaves it alone
    const old = await freshNamespace();
    const name = old.name as string;
    await old.close();
    ip(undefined, 'netns', 'del', name);
    ip(undefined, 'netns', 'add', name);
    try {
      await old.delete();
      expect(netnsNames()).toContain(name);
    } finally {
      ip(undefined, 'netns', 'del', name);
    }
  });

  it("delete() after close() leaves the name alone when it refers to a namespace given the old one's inode", async () => {
    // The kernel gives a gone namespace's inode to the next one made (the lowest free number
    // first), once its teardown freed it; something else may take it first, so try again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const old = await freshNamespace();
      const name = old.name as string;
      await old.close();
      ip(undefined, 'netns', 'del', name);
      let heir: Namespace | undefined;
      const deadline = Date.now() + 5000;
      while (heir === undefined && Date.now() < deadline) {
        const ns = await freshNamespace();
        if (ns.inode === old.inode) heir = ns;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (heir === undefined) continue;
      // The old name now refers to the heir, as after `ip netns del NAME; ip netns add NAME`.
      fs.writeFileSync(old.path, '');
      run('mount', ['--bind', heir.path, old.path]);
      try {
        await old.delete();
        expect(netnsNames()).toContain(name);
        expect(fs.statSync(old.path, { bigint: true }).ino).toBe(heir.inode);
      } finally {
        if (fs.existsSync(old.path)) ip(undefined, 'netns', 'del', name);
      }
      return;
    }
    throw new Error('no new namespace got the inode of a gone one in 5 tries: something else took each');
  });

  it('`await using` deletes a created namespace at the end of the scope', async () => {
    let name: string | undefined;
    {
      await using ns = await Namespace.create(uniqueName());
      name = ns.name;
      expect(netnsNames()).toContain(name);
    }
    expect(netnsNames()).not.toContain(name);
  });

  it('a namespace made by `ip netns add` is opened and used by the library', async () => {
    const name = uniqueName();
    ip(undefined, 'netns', 'add', name);
    try {
      const ns = await Namespace.open(name);
      expect((await Namespace.list()).map((n) => n.name)).toContain(name);
      const lo = await ns.link('lo');
      await lo.up();
      expect(link(name, 'lo')?.flags).toContain('UP');
      await ns.delete();
      expect(netnsNames()).not.toContain(name);
    } finally {
      run('sh', ['-c', `ip netns del ${name} 2>/dev/null || true`]);
    }
  });

  it('a namespace made by the library is used by `ip -n` and `ip netns exec`', async () => {
    const ns = await freshNamespace();
    const name = ns.name as string;
    ip(name, 'link', 'set', 'lo', 'up');
    const lo = await ns.link('lo');
    expect(lo.isUp).toBe(true);
    const out = run('ip', ['netns', 'exec', name, 'cat', '/sys/class/net/lo/operstate']).trim();
    expect(out).toBe('unknown');
    const identify = run('ip', ['netns', 'identify', String(process.pid)]).trim();
    expect(identify).toBe('');
  });

  // open(2) of a FIFO with no writer blocks forever. These paths are refused before that, on a
  // worker: the namespace thread (which every create and socket needs) never sees them. The
  // create is started before the bad open settles, so a wedged thread would hang the test.
  it('fromPath(FIFO) rejects with EINVAL, and a create started right after still works', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-fifo-'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    try {
      const bad = Namespace.fromPath(fifo);
      const created = Namespace.create(uniqueName());
      await expect(bad).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/not a namespace file: it is a FIFO/),
      });
      const ns = cleanupLater(await created);
      expect(netnsNames()).toContain(ns.name);
      expect((await ns.links()).map((l) => l.name)).toEqual(['lo']);
      expect((await Namespace.current().links()).length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('open(NAME) of a FIFO at /run/netns/NAME rejects with EINVAL; the namespace thread stays free', async () => {
    const name = uniqueName();
    const fifo = `/run/netns/${name}`;
    execFileSync('mkfifo', [fifo]);
    try {
      const bad = Namespace.open(name);
      const created = Namespace.create();
      await expect(bad).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(new RegExp(`open namespace "${name}": not a namespace file: it is a FIFO`)),
      });
      const ns = await created;
      try {
        expect((await ns.links()).map((l) => l.name)).toEqual(['lo']);
      } finally {
        await ns.delete();
      }
      // Left as it was: a bad open removes nothing.
      expect(fs.statSync(fifo).isFIFO()).toBe(true);
    } finally {
      removeFifo(fifo);
    }
  });

  it('a directory, a socket or a device is refused with EINVAL too, without opening it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-notns-'));
    const server = net.createServer();
    try {
      const sock = path.join(dir, 'sock');
      await new Promise<void>((resolve) => server.listen(sock, resolve));
      await expect(Namespace.fromPath(sock)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/not a namespace file: it is a socket/),
      });
      await expect(Namespace.fromPath(dir)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/not a namespace file: it is a directory/),
      });
      await expect(Namespace.fromPath('/dev/null')).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/not a namespace file: it is a character device/),
      });
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('create(NAME) over an existing FIFO gives EEXIST and leaves the FIFO alone', async () => {
    const name = uniqueName();
    const fifo = `/run/netns/${name}`;
    execFileSync('mkfifo', [fifo]);
    try {
      await expect(Namespace.create(name)).rejects.toMatchObject({ code: 'EEXIST' });
      expect(fs.statSync(fifo).isFIFO()).toBe(true);
      expect(mountPoints()).not.toContain(fifo);
    } finally {
      removeFifo(fifo);
    }
  });

  it('spawn() with a FIFO to join is refused with EINVAL at once (the check runs on the JS thread)', async () => {
    const ns = await freshNamespace();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-fifo-'));
    const fifo = path.join(dir, 'uts');
    execFileSync('mkfifo', [fifo]);
    try {
      expect(() => ns.spawn('true', [], { join: { uts: fifo } })).toThrow(
        expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining(`${fifo} is not a namespace`) }),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // The worker pool has 4 threads: more FIFO opens than that at once would wedge every pool task
  // (names, opens, deletes) if any of them blocked.
  it('eight FIFO opens at once leave create, open, fromPid and current().links() working', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-fifo-'));
    const named = uniqueName();
    const fifos = Array.from({ length: 8 }, (_, i) => path.join(dir, `fifo${i}`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    try {
      const target = cleanupLater(await Namespace.create(named));
      const bad = fifos.map((f) =>
        Namespace.fromPath(f).then(
          () => 'opened',
          (e: unknown) => (e as NetnsError).code,
        ),
      );
      const created = Namespace.create();
      const opened = Namespace.open(named);
      const byPid = Namespace.fromPid(process.pid);
      expect(await Promise.all(bad)).toEqual(fifos.map(() => 'EINVAL'));
      const [c, o, p] = await Promise.all([created, opened, byPid]);
      cleanupLater(c);
      expect(o.inode).toBe(target.inode);
      expect(p.inode).toBe(Namespace.current().inode);
      expect((await Namespace.current().links()).length).toBeGreaterThan(0);
      await Promise.all([o.close(), p.close()]);
    } finally {
      for (const f of fifos) removeFifo(f);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a name replaced by a FIFO after list(): links(), exec and delete() neither block nor remove it', async () => {
    const name = uniqueName();
    const made = await Namespace.create(name);
    await made.close();
    const listed = (await Namespace.list()).find((n) => n.name === name) as Namespace;
    expect(listed).toBeInstanceOf(Namespace);
    // Someone replaces the name by a FIFO before the listed object is first used.
    run('umount', [`/run/netns/${name}`]);
    fs.rmSync(`/run/netns/${name}`);
    execFileSync('mkfifo', [`/run/netns/${name}`]);
    try {
      await expect(listed.links()).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringContaining('not a namespace file: it is a FIFO'),
      });
      expect(() => listed.spawn('true')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      await expect(listed.delete()).resolves.toBeUndefined(); // the name is not ours any more
      expect(fs.statSync(`/run/netns/${name}`).isFIFO()).toBe(true);
      expect((await Namespace.list()).map((n) => n.name)).not.toContain(name);
      expect(await Namespace.list({ includeStale: true })).not.toContainEqual(expect.objectContaining({ name }));
    } finally {
      removeFifo(`/run/netns/${name}`);
    }
  });

  it('no namespace thread was retired by any of this', () => {
    expect(addon.threadStats().namespaceThreadsRetired).toBe(0);
  });
});
