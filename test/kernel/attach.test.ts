/**
 * Namespace.attach / namespace.attach: `ip netns attach NAME PID`, naming a namespace that exists.
 * Witnesses: `ip netns list`, `ip netns identify PID`, `ip -n NAME`, stat of /run/netns/NAME,
 * /proc/self/mountinfo, and the cookies of sockets opened through the name and through the PID.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { Namespace, NetnsError } from 'netns-native';
import { addon } from '../../lib/native/load';
import { cleanupLater, freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, link, netnsNames, run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** The inode /run/netns/NAME refers to (the namespace bound there). */
function inodeOf(name: string): bigint {
  return fs.statSync(`/run/netns/${name}`, { bigint: true }).ino;
}

/** How many mounts sit on /run/netns/NAME (field 5 of /proc/self/mountinfo). */
function mountsOn(name: string): number {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.split(' ')[4] === `/run/netns/${name}`).length;
}

/** The namespace's cookie, from a socket opened through `nsPath` (never given twice until reboot). */
async function cookieAt(nsPath: string): Promise<bigint | undefined> {
  const opened = await addon.openNamespace(nsPath);
  addon.closeNamespace(opened.handle);
  return opened.cookie;
}

/** `sleep 30` inside `ns`, once it is there. */
async function sleeper(ns: Namespace): Promise<ChildProcess & { pid: number }> {
  const child = ns.spawn('sleep', ['30'], { stdio: 'ignore' });
  await waitFor(
    () => {
      try {
        return fs.statSync(`/proc/${child.pid}/ns/net`, { bigint: true }).ino === ns.inode;
      } catch {
        return false; // not started yet
      }
    },
    { what: `sleep to run inside ${ns.path}` },
  );
  return child as ChildProcess & { pid: number };
}

function expectAbortError(error: unknown, signal: AbortSignal, name: string): void {
  expect(error).toBeInstanceOf(NetnsError);
  expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason });
  expect((error as NetnsError).operation).toMatch(new RegExp(`^attach the name "${name}" to `));
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describeKernel('Namespace.attach', () => {
  it('names the namespace of a process, and the name outlives it', async () => {
    const anon = await Namespace.create();
    const child = await sleeper(anon);
    const name = uniqueName();
    try {
      const named = cleanupLater(await Namespace.attach(name, child.pid));
      expect(named.name).toBe(name);
      expect(named.path).toBe(`/run/netns/${name}`);
      expect(named.inode).toBe(anon.inode);
      expect(netnsNames()).toContain(name);
      expect(run('ip', ['netns', 'identify', String(child.pid)]).split('\n')).toContain(name);
      expect(inodeOf(name)).toBe(anon.inode);
      expect(mountsOn(name)).toBe(1);
      // The same namespace, by its cookie too (an inode can be given again; a cookie cannot).
      const cookie = await cookieAt(`/proc/${child.pid}/ns/net`);
      expect(await cookieAt(`/run/netns/${name}`)).toBe(cookie);
      // A change made through ip's name shows through the anonymous object, and the reverse.
      ip(name, 'link', 'set', 'lo', 'up');
      expect((await anon.link('lo')).isUp).toBe(true);
      expect((await named.links()).map((l) => l.name)).toEqual(['lo']);

      // The process goes, our fds go: the name still holds the namespace.
      await stop(child);
      await anon.close();
      await named.close();
      expect(netnsNames()).toContain(name);
      expect(inodeOf(name)).toBe(anon.inode);
      expect(await cookieAt(`/run/netns/${name}`)).toBe(cookie);
      expect(link(name, 'lo')?.flags).toContain('UP');

      // delete() of the attached name removes it, as `ip netns del` would.
      const again = await Namespace.open(name);
      await again.delete();
      expect(netnsNames()).not.toContain(name);
      expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
      expect(mountsOn(name)).toBe(0);
    } finally {
      await stop(child);
      await anon.close();
    }
  });

  it('namespace.attach(name) names an anonymous namespace by the fd it holds', async () => {
    const anon = await Namespace.create();
    const name = uniqueName();
    const named = cleanupLater(await anon.attach(name));
    expect(anon.name).toBeUndefined();
    expect(named.name).toBe(name);
    expect(named.inode).toBe(anon.inode);
    expect(netnsNames()).toContain(name);
    expect(inodeOf(name)).toBe(anon.inode);
    await anon.close();
    // `ip netns exec NAME` runs in it, and its pid is identified by the name.
    expect(run('ip', ['netns', 'exec', name, 'sh', '-c', 'ip netns identify $$']).split('\n')).toContain(name);
    expect(link(name, 'lo')).toBeDefined();
    await named.delete();
    expect(netnsNames()).not.toContain(name);
  });

  it('names a namespace from fromPid(), and gives a named one a second name', async () => {
    const first = await freshNamespace();
    const child = await sleeper(first);
    try {
      const byPid = await Namespace.fromPid(child.pid);
      const second = uniqueName();
      const named = cleanupLater(await byPid.attach(second));
      await byPid.close();
      expect(named.inode).toBe(first.inode);
      expect(first.name).not.toBe(second);
      // Both names refer to it (`ip netns identify` prints only the first it finds).
      expect(netnsNames()).toEqual(expect.arrayContaining([first.name, second]));
      expect(inodeOf(second)).toBe(first.inode);
      expect(inodeOf(first.name as string)).toBe(first.inode);
    } finally {
      await stop(child);
    }
  });

  it('EEXIST leaves the name that is there untouched, and leaves nothing of the attempt', async () => {
    const existing = await freshNamespace();
    const name = existing.name as string;
    const other = await Namespace.create();
    const child = await sleeper(other);
    try {
      for (const attempt of [() => other.attach(name), () => Namespace.attach(name, child.pid)]) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NetnsError);
        expect(error).toMatchObject({ code: 'EEXIST' });
        expect((error as Error).message).toMatch(/a namespace with that name already exists/);
        expect(inodeOf(name)).toBe(existing.inode);
        expect(mountsOn(name)).toBe(1);
      }
      expect(run('ip', ['netns', 'identify', String(child.pid)]).trim()).toBe('');
    } finally {
      await stop(child);
      await other.close();
    }
  });

  it('two attaches of one name at once: exactly one wins, and the name is its namespace', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await Namespace.create();
      const b = await Namespace.create();
      const name = uniqueName();
      const outcomes = await Promise.allSettled([a.attach(name), b.attach(name)]);
      const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as NetnsError] : []));
      expect(won).toHaveLength(1);
      expect(lost.map((e) => e.code)).toEqual(['EEXIST']);
      const winner = won[0] as Namespace;
      cleanupLater(winner);
      expect(inodeOf(name)).toBe(winner.inode);
      expect(mountsOn(name)).toBe(1);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('names the namespace this process runs in (ip netns attach NAME $$); delete() removes only the name', async () => {
    const home = Namespace.current();
    const name = uniqueName();
    const named = cleanupLater(await Namespace.attach(name, process.pid));
    expect(named.inode).toBe(home.inode);
    expect(run('ip', ['netns', 'identify', String(process.pid)]).split('\n')).toContain(name);
    await named.delete();
    expect(netnsNames()).not.toContain(name);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
    // The process's own namespace and its object are untouched.
    expect(home.closed).toBe(false);
    expect((await home.links()).some((l) => l.name === 'lo')).toBe(true);
    await expect(home.delete()).rejects.toMatchObject({ code: 'EBUSY' });
  });

  it('a closed or deleted Namespace object, a process gone: refused, nothing made', async () => {
    const anon = await Namespace.create();
    await anon.close();
    const name = uniqueName();
    await expect(anon.attach(name)).rejects.toMatchObject({ code: 'EBADF', message: /was closed/ });
    const gone = await freshNamespace();
    await gone.delete();
    await expect(gone.attach(name)).rejects.toMatchObject({ code: 'EBADF', message: /was deleted/ });
    const other = await Namespace.create();
    const child = await sleeper(other);
    const pid = child.pid;
    await stop(child);
    await other.close();
    await waitFor(() => !fs.existsSync(`/proc/${pid}`), { what: `PID ${pid} to be gone from /proc` });
    await expect(Namespace.attach(name, pid)).rejects.toMatchObject({
      code: 'ESRCH',
      message: new RegExp(`no process with PID ${pid}`),
    });
    expect(netnsNames()).not.toContain(name);
    expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
  });

  it('an already aborted signal names nothing, both ways', async () => {
    const anon = await Namespace.create();
    const child = await sleeper(anon);
    const name = uniqueName();
    try {
      const signal = AbortSignal.abort(new Error('not now'));
      for (const attempt of [
        () => anon.attach(name, { signal }),
        () => Namespace.attach(name, child.pid, { signal }),
      ]) {
        expectAbortError(await attempt().catch((e: unknown) => e), signal, name);
        expect(netnsNames()).not.toContain(name);
        expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
        expect(mountsOn(name)).toBe(0);
      }
    } finally {
      await stop(child);
      await anon.close();
    }
  });

  it('an abort while the name is made removes it before rejecting; the namespace stays, the name is free', async () => {
    const anon = await Namespace.create();
    const child = await sleeper(anon);
    const name = uniqueName();
    try {
      const attempts = [
        (signal: AbortSignal) => anon.attach(name, { signal }),
        (signal: AbortSignal) => Namespace.attach(name, child.pid, { signal }),
      ];
      for (let round = 0; round < 10; round++) {
        for (const attempt of attempts) {
          const controller = new AbortController();
          const attaching = attempt(controller.signal);
          controller.abort();
          expectAbortError(await attaching.catch((e: unknown) => e), controller.signal, name);
          expect(netnsNames()).not.toContain(name);
          expect(fs.existsSync(`/run/netns/${name}`)).toBe(false);
          expect(mountsOn(name)).toBe(0);
        }
      }
      // The namespace is untouched, and the name can be given now.
      expect((await anon.links()).map((l) => l.name)).toEqual(['lo']);
      const named = await anon.attach(name, { signal: new AbortController().signal });
      expect(inodeOf(name)).toBe(anon.inode);
      await named.delete();
    } finally {
      await stop(child);
      await anon.close();
    }
  });

  it('an abort of an attach refused with EEXIST leaves the name that is there', async () => {
    const existing = await freshNamespace();
    const name = existing.name as string;
    const other = await Namespace.create();
    try {
      for (let round = 0; round < 5; round++) {
        const controller = new AbortController();
        const attaching = other.attach(name, { signal: controller.signal });
        controller.abort();
        expectAbortError(await attaching.catch((e: unknown) => e), controller.signal, name);
        expect(inodeOf(name)).toBe(existing.inode);
        expect(mountsOn(name)).toBe(1);
      }
    } finally {
      await other.close();
    }
  });

  it('options: unknown keys and a signal that is not one are refused, nothing named', async () => {
    const anon = await Namespace.create();
    const name = uniqueName();
    try {
      for (const attempt of [
        () => anon.attach(name, { sginal: AbortSignal.abort() } as never),
        () => Namespace.attach(name, process.pid, { sginal: AbortSignal.abort() } as never),
      ]) {
        await expect(attempt()).rejects.toMatchObject({
          code: 'EINVAL',
          message: expect.stringMatching(/unknown option "sginal" \(the options are signal\)/),
        });
      }
      await expect(anon.attach(name, { signal: 'soon' as never })).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/signal must be an AbortSignal/),
      });
      await expect(anon.attach(name, null as never)).rejects.toMatchObject({
        code: 'EINVAL',
        message: expect.stringMatching(/options must be an object/),
      });
      expect(netnsNames()).not.toContain(name);
    } finally {
      await anon.close();
    }
  });
});
