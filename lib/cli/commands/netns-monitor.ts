/**
 * `netns monitor`: named namespaces added and deleted, `add NAME` / `delete NAME` one per line as
 * ip prints them, until interrupted (SIGINT, SIGTERM: exit 0); --json one `{event, name}` per
 * line. As ip, an inotify watch on /run/netns for IN_CREATE and IN_DELETE (made by the native
 * core), so a name moved into or out of the directory prints nothing, as with ip.
 */
import * as fs from 'node:fs';
import { watchNamedNamespaces } from '../../internal/named-namespaces-watch';
import { NETNS_RUN_DIR } from '../../process/proc';
import type { Io } from '../io';
import type { Words } from '../words';

export async function monitorNames(words: Words, json: boolean, io: Io): Promise<number> {
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  // As ip: the directory is made if missing, so that there is something to watch.
  await fs.promises.mkdir(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  const watch = await watchNamedNamespaces(NETNS_RUN_DIR);
  const interrupted = (): void => watch.close();
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    for await (const e of watch) {
      if (e.event === 'overflow') {
        // ip says nothing and goes on; the lines it would have printed are lost for both.
        process.stderr.write('netns-native: netns monitor: the kernel dropped some events (inotify queue overflow)\n');
      } else if (json) await io.json(e);
      else await io.out(`${e.event} ${e.name}\n`);
    }
  } finally {
    watch.close();
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
  }
  if (watch.ended === 'gone') {
    // ip would wait forever on a watch the kernel has removed: say why nothing more can come.
    process.stderr.write(`netns-native: netns monitor: ${NETNS_RUN_DIR} was removed or unmounted; stopped\n`);
    return 1;
  }
  return 0;
}
