/**
 * Named namespaces as they come and go: an inotify watch on /run/netns made by the native core
 * with `ip netns monitor`'s mask (IN_CREATE | IN_DELETE), read on the event loop (no thread).
 * A name moved into or out of the directory (`mv`, rename(2)) is neither created nor deleted
 * there, so it is not reported, as ip reports nothing for it. Internal for now: the command's
 * `netns monitor` reads it, and lib/monitor.ts watches the names of monitored namespaces with it.
 * @internal
 */
import { NETNS_RUN_DIR } from '../process/proc';
import { addon } from '../native/load';
import type { NativeNameEvent, NativeNamesWatch } from '../native/surface';
import { fromNative } from './errors';

/** A name created in or deleted from the directory, or `overflow`: the kernel dropped events. */
export type NamedNamespaceEvent = { event: 'add' | 'delete'; name: string } | { event: 'overflow' };

/** A running watch: iterate it (once) for its events; close() ends the iteration. */
export interface NamedNamespacesWatch extends AsyncIterable<NamedNamespaceEvent> {
  /** Why the iteration ended: undefined while it runs. 'gone': the directory was removed or unmounted. */
  readonly ended: 'closed' | 'gone' | 'failed' | undefined;
  /** Stops watching and closes the inotify fd at once; a pending next() resolves done. Idempotent. */
  close(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link watchNamedNamespaces}. */
export interface NamedNamespacesWatchOptions {
  /**
   * Whether the watch keeps the process alive while it runs, as fs.watch's option (default
   * true): false for a watch kept in the background, which must not stop the process exiting.
   */
  persistent?: boolean;
}

/**
 * Starts watching `dir` (default /run/netns, which must exist: ip makes it first). Events before
 * this resolves are not seen; from then on none is missed unless an `overflow` says so.
 * @throws NetnsError ENOENT when the directory does not exist; EACCES; ENOSPC (too many watches).
 */
export async function watchNamedNamespaces(
  dir: string = NETNS_RUN_DIR,
  options: NamedNamespacesWatchOptions = {},
): Promise<NamedNamespacesWatch> {
  const operation = `watch the namespace names in ${dir}`;
  let native: NativeNamesWatch;
  try {
    native = await addon.openNamesWatch(dir);
  } catch (e) {
    throw fromNative(e, operation, 'namespace');
  }
  const queued: NamedNamespaceEvent[] = [];
  const waiting: Array<{ resolve: (r: IteratorResult<NamedNamespaceEvent>) => void; reject: (e: unknown) => void }> =
    [];
  let ended: NamedNamespacesWatch['ended'];
  let error: unknown;
  let iterated = false;

  const finish = (why: NonNullable<NamedNamespacesWatch['ended']>, failure?: unknown): void => {
    if (ended !== undefined) return;
    ended = why;
    error = failure;
    native.close();
    // What is queued is still read; those waiting get the end (queued is empty when any wait).
    for (const w of waiting.splice(0)) {
      if (failure === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(failure);
    }
  };
  const push = (e: NamedNamespaceEvent): void => {
    const w = waiting.shift();
    if (w) w.resolve({ value: e, done: false });
    else queued.push(e);
  };

  native.watch((events: NativeNameEvent[] & { error?: unknown }) => {
    for (const e of events) {
      if (e.event === 'end') finish('gone');
      else push(e.event === 'overflow' ? { event: 'overflow' } : { event: e.event, name: e.name });
    }
    if (events.error !== undefined) finish('failed', fromNative(events.error, operation, 'namespace'));
  });
  if (options.persistent === false) native.unref();

  const watch: NamedNamespacesWatch = {
    get ended() {
      return ended;
    },
    close: () => finish('closed'),
    [Symbol.asyncDispose]: () => {
      finish('closed');
      return Promise.resolve();
    },
    [Symbol.asyncIterator](): AsyncIterator<NamedNamespaceEvent> {
      if (iterated) throw new TypeError('a names watch can be iterated only once');
      iterated = true;
      return {
        next: () => {
          const e = queued.shift();
          if (e !== undefined) return Promise.resolve({ value: e, done: false });
          if (ended !== undefined) {
            return error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(error);
          }
          return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
        },
        return: () => {
          finish('closed');
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
  return watch;
}
