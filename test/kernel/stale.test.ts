/**
 * Stale names under /run/netns: a plain file left where a namespace was being created or deleted
 * by a process that died (kill -9 between its steps). `ip netns list` shows the name; it is no
 * namespace. The library reports it (`list({ includeStale: true })`), removes it
 * (`Namespace.removeStale`), and `create(NAME)` recovers the name; a creation in progress (its
 * creator holds the file's flock, or `ip netns add` has not mounted it yet) is never taken for
 * one. The real crashes are in fault.test.ts; here each state is made by hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { Namespace, NetnsError, StaleNamespace } from 'netns-native';
import { cleanupLater, removeFifo, uniqueName } from '../helpers/fresh';
import { ip, netnsNames, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** The stale entries the library reports, by name. */
async function staleNames(): Promise<string[]> {
  const all = await Namespace.list({ includeStale: true });
  return all.filter((e): e is StaleNamespace => e instanceof StaleNamespace).map((e) => e.name);
}

/** Waits until the library calls `name` stale: a placeholder is stale only once older than a second. */
async function becomesStale(name: string): Promise<void> {
  await waitFor(async () => (await staleNames()).includes(name), {
    what: `/run/netns/${name} to be reported stale`,
    timeoutMs: 5000,
  });
}

/** What a creator killed after its O_EXCL create (or a deleter killed after its unmount) leaves. */
function leaveStale(name: string): string {
  const file = `/run/netns/${name}`;
  fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_RDONLY, 0));
  return file;
}

/** flock(1) holding an flock on /run/netns/NAME, as a live creator of ours does until it mounts. */
async function holdLock(name: string): Promise<ChildProcess> {
  const file = `/run/netns/${name}`;
  // --close: only flock(1) itself holds the lock (not the sleep it runs), so killing its
  // process group ends the lock for sure.
  const child = spawn('flock', ['--exclusive', '--close', file, 'sleep', '60'], {
    stdio: 'ignore',
    detached: true,
  });
  // /proc/locks: "1: FLOCK  ADVISORY  WRITE <pid> <maj:min:inode> 0 EOF".
  await waitFor(
    () =>
      fs
        .readFileSync('/proc/locks', 'utf8')
        .split('\n')
        .some((l) => /\bFLOCK\b/.test(l) && l.split(/\s+/)[4] === String(child.pid)),
    { what: `flock(1) to hold ${file}` },
  );
  return child;
}

/** kill -9 of the holder and the sleep it runs (its process group), as a crash would. */
async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-(child.pid as number), 'SIGKILL');
  await exited;
}

describeKernel('stale names under /run/netns', () => {
  it('a file a crash left: listed as stale (not as a namespace), open says ENOENT and what to do', async () => {
    const name = uniqueName();
    const file = leaveStale(name);
    try {
      // iproute2 lists the name; the library's plain list() does not call it a namespace.
      expect(run('ip', ['netns', 'list'])).toContain(name);
      expect((await Namespace.list()).map((n) => n.name)).not.toContain(name);
      await becomesStale(name);
      const entry = (await Namespace.list({ includeStale: true })).find((e) => e.name === name);
      expect(entry).toBeInstanceOf(StaleNamespace);
      expect(entry).toMatchObject({ stale: true, path: file, reason: expect.stringContaining('stale entry') });
      const e = await Namespace.open(name).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(NetnsError);
      expect(e).toMatchObject({
        code: 'ENOENT',
        message: expect.stringMatching(
          new RegExp(`^cannot open namespace "${name}": no such namespace: .*stale entry.*Namespace\\.removeStale`),
        ),
      });
      expect(fs.existsSync(file)).toBe(true); // reporting removes nothing
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('removeStale removes it (true), then finds nothing (false)', async () => {
    const name = uniqueName();
    const file = leaveStale(name);
    await becomesStale(name);
    const entry = (await Namespace.list({ includeStale: true })).find((e) => e.name === name) as StaleNamespace;
    await expect(entry.remove()).resolves.toBe(true);
    expect(fs.existsSync(file)).toBe(false);
    expect(run('ip', ['netns', 'list'])).not.toContain(name);
    await expect(Namespace.removeStale(name)).resolves.toBe(false);
  });

  it('create(NAME) over a stale entry recovers the name: a real namespace iproute2 can use', async () => {
    const name = uniqueName();
    leaveStale(name);
    await becomesStale(name);
    const ns = cleanupLater(await Namespace.create(name));
    expect(ns.name).toBe(name);
    expect(netnsNames()).toContain(name);
    expect(fs.statSync(ns.path, { bigint: true }).ino).toBe(ns.inode);
    expect(ip(name, '-json', 'link', 'show', 'lo')).toContain('"ifname":"lo"');
    expect(await staleNames()).not.toContain(name);
  });

  it('create(NAME) over a young unmounted file waits until it can tell, then recovers it', async () => {
    // Maybe `ip netns add` between its create and its mount: create waits until the file is a
    // second old (it would have been mounted by then), then takes the name.
    const name = uniqueName();
    leaveStale(name);
    const ns = cleanupLater(await Namespace.create(name));
    expect(fs.statSync(ns.path, { bigint: true }).ino).toBe(ns.inode);
    expect(netnsNames()).toContain(name);
  });

  it('a deleter killed between its unmount and its unlink leaves a stale entry, which create recovers', async () => {
    const name = uniqueName();
    const ns = await Namespace.create(name);
    // A mark on the old namespace (its inode number may be reused once it is freed: not a mark).
    const lo = await ns.link('lo');
    await lo.setMtu(1280);
    await ns.close();
    run('umount', [`/run/netns/${name}`]); // what `ip netns del` does first
    await becomesStale(name);
    const again = cleanupLater(await Namespace.create(name));
    expect(fs.statSync(again.path, { bigint: true }).ino).toBe(again.inode);
    expect((await again.link('lo')).mtu).toBe(65536); // a new namespace, not the old one
    expect(netnsNames()).toContain(name);
  });

  it('a creation in progress (its creator holds the lock) is never stale: create and removeStale say so', async () => {
    const name = uniqueName();
    const holder = await holdLock(name);
    try {
      // Older than the grace period and still held: a creator at work.
      const file = `/run/netns/${name}`;
      await waitFor(() => Date.now() - fs.statSync(file).ctimeMs > 1100, {
        what: `${file} to be older than a second`,
      });
      expect(await staleNames()).not.toContain(name);
      await expect(Namespace.removeStale(name)).rejects.toMatchObject({
        code: 'EBUSY',
        message: expect.stringContaining('another process is creating a namespace named so'),
      });
      await expect(Namespace.create(name)).rejects.toMatchObject({
        code: 'EEXIST',
        message: expect.stringContaining('another process is creating a namespace named so'),
      });
      await expect(Namespace.open(name)).rejects.toMatchObject({
        code: 'ENOENT',
        message: expect.stringContaining('no such namespace yet'),
      });
      expect(fs.existsSync(`/run/netns/${name}`)).toBe(true);
      // The creator dies: now it is stale, and the name can be had.
      await kill(holder);
      await becomesStale(name);
      cleanupLater(await Namespace.create(name));
      expect(netnsNames()).toContain(name);
    } finally {
      if (holder.exitCode === null && holder.signalCode === null) await kill(holder);
    }
  });

  it('a live namespace, a FIFO or a directory are never removed as stale', async () => {
    const ns = cleanupLater(await Namespace.create(uniqueName()));
    await expect(Namespace.removeStale(ns.name as string)).rejects.toMatchObject({
      code: 'EBUSY',
      message: expect.stringContaining('is a mounted namespace, not a stale entry'),
    });
    expect(netnsNames()).toContain(ns.name);
    const fifo = uniqueName();
    run('mkfifo', [`/run/netns/${fifo}`]);
    const dir = uniqueName();
    fs.mkdirSync(`/run/netns/${dir}`);
    try {
      await expect(Namespace.removeStale(fifo)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringContaining('is a FIFO (named pipe), not a namespace'),
      });
      await expect(Namespace.removeStale(dir)).rejects.toMatchObject({ code: 'EINVAL' });
      expect(fs.statSync(`/run/netns/${fifo}`).isFIFO()).toBe(true);
      expect(fs.statSync(`/run/netns/${dir}`).isDirectory()).toBe(true);
      const listed = (await Namespace.list({ includeStale: true })).map((e) => e.name);
      expect(listed).toContain(ns.name);
      expect(listed).not.toContain(fifo);
      expect(listed).not.toContain(dir);
    } finally {
      removeFifo(`/run/netns/${fifo}`);
      fs.rmSync(`/run/netns/${dir}`, { recursive: true, force: true });
    }
  });

  it('list({ includeStale: true }) is sorted by name and keeps the namespaces', async () => {
    const a = cleanupLater(await Namespace.create(uniqueName()));
    const name = uniqueName();
    const file = leaveStale(name);
    try {
      await becomesStale(name);
      const all = await Namespace.list({ includeStale: true });
      const names = all.map((e) => e.name as string);
      expect(names).toEqual([...names].sort());
      expect(all.find((e) => e.name === a.name)).toBeInstanceOf(Namespace);
      expect(all.find((e) => e.name === name)).toBeInstanceOf(StaleNamespace);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
