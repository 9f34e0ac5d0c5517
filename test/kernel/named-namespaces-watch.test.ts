/**
 * The internal names watch (lib/internal/named-namespaces-watch.ts) the command's `netns monitor`
 * reads: an inotify watch with ip's mask on a directory of names. What it reports of names made
 * and removed in /run/netns (by ip), what it does not (moves in and out, as ip), its end when the
 * directory goes, and that close() leaves no inotify fd behind. And lib/monitor.ts's use of it:
 * one watch for every monitor of a named namespace, kept, which never keeps a process alive.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  watchNamedNamespaces,
  type NamedNamespaceEvent,
  type NamedNamespacesWatch,
} from '../../lib/internal/named-namespaces-watch';
import { Namespace, type MonitorEvent } from 'netns-native';
import { startChild, finished } from '../helpers/child';
import { uniqueName } from '../helpers/fresh';
import { ip } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** The inotify fds this process holds. */
function inotifyFds(): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:inotify';
    } catch {
      return false;
    }
  }).length;
}

/** Collects what the watch reports, in the background, until it ends. */
function collect(watch: NamedNamespacesWatch): { events: NamedNamespaceEvent[]; done: Promise<void> } {
  const events: NamedNamespaceEvent[] = [];
  const done = (async () => {
    for await (const e of watch) events.push(e);
  })();
  return { events, done };
}

describeKernel('watchNamedNamespaces (internal: netns monitor’s watch)', () => {
  it('reports names ip adds and deletes in /run/netns, not names moved in or out; closes its fd', async () => {
    fs.mkdirSync('/run/netns', { recursive: true });
    const before = inotifyFds();
    const watch = await watchNamedNamespaces();
    expect(inotifyFds()).toBe(before + 1);
    const { events, done } = collect(watch);
    const [a, sub, moved, last] = [uniqueName(), uniqueName(), uniqueName(), uniqueName()];
    try {
      ip(undefined, 'netns', 'add', a);
      ip(undefined, 'netns', 'del', a);
      // A file moved into /run/netns and out again (from a directory inside it: the same mount).
      fs.mkdirSync(path.join('/run/netns', sub));
      fs.writeFileSync(path.join('/run/netns', sub, 'f'), '');
      fs.renameSync(path.join('/run/netns', sub, 'f'), path.join('/run/netns', moved));
      fs.renameSync(path.join('/run/netns', moved), path.join('/run/netns', sub, 'f'));
      fs.rmSync(path.join('/run/netns', sub), { recursive: true });
      ip(undefined, 'netns', 'add', last);
      ip(undefined, 'netns', 'del', last);
      await waitFor(() => events.some((e) => 'name' in e && e.name === last && e.event === 'delete'), {
        what: 'the last delete',
      });
    } finally {
      watch.close();
    }
    await done;
    expect(watch.ended).toBe('closed');
    expect(inotifyFds()).toBe(before);
    const mine = events.filter((e) => 'name' in e && [a, sub, moved, last].includes(e.name));
    expect(mine).toEqual([
      { event: 'add', name: a },
      { event: 'delete', name: a },
      { event: 'add', name: sub },
      { event: 'delete', name: sub },
      { event: 'add', name: last },
      { event: 'delete', name: last },
    ]);
  });

  it('ends when the directory goes; a missing directory is ENOENT; next() after close() is done', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-names-'));
    const before = inotifyFds();
    const watch = await watchNamedNamespaces(dir);
    const { events, done } = collect(watch);
    fs.writeFileSync(path.join(dir, 'x'), '');
    fs.unlinkSync(path.join(dir, 'x'));
    fs.rmdirSync(dir);
    await done;
    expect(watch.ended).toBe('gone');
    expect(events).toEqual([
      { event: 'add', name: 'x' },
      { event: 'delete', name: 'x' },
    ]);
    expect(inotifyFds()).toBe(before);
    await expect(watchNamedNamespaces(dir)).rejects.toMatchObject({
      name: 'NetnsError',
      code: 'ENOENT',
    });
    expect(inotifyFds()).toBe(before);

    const again = await watchNamedNamespaces(os.tmpdir());
    const iterator = again[Symbol.asyncIterator]();
    const pending = iterator.next();
    again.close();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
    expect(() => again[Symbol.asyncIterator]()).toThrow(TypeError);
    expect(inotifyFds()).toBe(before);
  });

  it('monitors of named namespaces share one watch, kept after they end; a name deleted or made again ends them', async () => {
    const [a, b] = [uniqueName(), uniqueName()];
    ip(undefined, 'netns', 'add', a);
    ip(undefined, 'netns', 'add', b);
    const before = inotifyFds();
    const nsA = await Namespace.open(a);
    const nsB = await Namespace.open(b);
    const ends = (ns: Namespace): { events: MonitorEvent[]; done: Promise<void> } => {
      const m = ns.monitor({ events: ['link'] });
      const events: MonitorEvent[] = [];
      const done = (async () => {
        for await (const e of m) events.push(e);
      })();
      return { events, done };
    };
    try {
      const first = ends(nsA);
      const second = ends(nsB);
      await waitFor(() => inotifyFds() === before + 1, { what: 'the names watch' });
      // b made again: another namespace under the same name ends b's monitor.
      ip(undefined, 'netns', 'del', b);
      ip(undefined, 'netns', 'add', b);
      await second.done;
      expect(second.events).toEqual([{ type: 'namespace-deleted' }]);
      ip(undefined, 'netns', 'del', a);
      await first.done;
      expect(first.events).toEqual([{ type: 'namespace-deleted' }]);
      expect(inotifyFds()).toBe(before + 1); // one watch for both, kept
    } finally {
      await nsA.close();
      await nsB.close();
      for (const name of [a, b]) if (fs.existsSync(`/run/netns/${name}`)) ip(undefined, 'netns', 'del', name);
    }
  });

  it('a process whose monitor of a named namespace ended exits: the names watch does not hold it', async () => {
    const name = uniqueName();
    ip(undefined, 'netns', 'add', name);
    try {
      const child = startChild(
        `const fs = require('fs');
        const { Namespace } = require(process.env.NNT_LIB);
        (async () => {
          const ns = await Namespace.open(process.env.NNT_NAME);
          const m = ns.monitor();
          await m.ready;
          m.close();
          await ns.close();
          const inotify = fs.readdirSync('/proc/self/fd').filter((fd) => {
            try { return fs.readlinkSync('/proc/self/fd/' + fd) === 'anon_inode:inotify'; } catch { return false; }
          });
          console.log('inotify ' + inotify.length);
        })();`,
        { env: { NNT_NAME: name } },
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const r = await finished(child);
      clearTimeout(timer);
      expect(r).toEqual({ stdout: 'inotify 1\n', stderr: '', code: 0, signal: null });
    } finally {
      ip(undefined, 'netns', 'del', name);
    }
  }, 60_000);
});
