/**
 * The internal names watch (lib/internal/named-namespaces-watch.ts) the command's `netns monitor`
 * reads: an inotify watch with ip's mask on a directory of names. What it reports of names made
 * and removed in /run/netns (by ip), what it does not (moves in and out, as ip), its end when the
 * directory goes, and that close() leaves no inotify fd behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  watchNamedNamespaces,
  type NamedNamespaceEvent,
  type NamedNamespacesWatch,
} from '../../lib/internal/named-namespaces-watch';
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
});
