/**
 * `netns monitor`: named namespaces added and deleted, `add NAME` / `delete NAME` one per line as
 * ip prints them, until interrupted (SIGINT, SIGTERM: exit 0); --json one `{event, name}` per
 * line. ip watches /run/netns with inotify (IN_CREATE, IN_DELETE); fs.watch is inotify too, but
 * says only that a name came or went ('rename', one per inotify event), so each one flips the
 * name's presence, starting from the names there when the watch began (read just before it,
 * with nothing in between).
 */
import * as fs from 'node:fs';
import type { Io } from '../io';
import type { Words } from '../words';

const RUN_DIR = '/run/netns';

export async function monitorNames(words: Words, json: boolean, io: Io): Promise<number> {
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  // As ip: the directory is made if missing, so that there is something to watch.
  await fs.promises.mkdir(RUN_DIR, { recursive: true, mode: 0o755 });
  let output = Promise.resolve();
  const say = (event: 'add' | 'delete', name: string): void => {
    output = output.then(() => (json ? io.json({ event, name }) : io.out(`${event} ${name}\n`)));
  };
  return new Promise<number>((resolve, reject) => {
    const present = new Set(fs.readdirSync(RUN_DIR));
    const watcher = fs.watch(RUN_DIR, { persistent: true });
    const end = (status: number, error?: unknown): void => {
      watcher.close();
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      void output.then(() => (error === undefined ? resolve(status) : reject(error)), reject);
    };
    const interrupted = (): void => end(0);
    process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
    watcher.on('error', (e) => end(1, e));
    watcher.on('change', (type, filename) => {
      if (type !== 'rename' || filename === null) return;
      const name = filename.toString();
      if (present.delete(name)) say('delete', name);
      else {
        present.add(name);
        say('add', name);
      }
    });
  });
}
