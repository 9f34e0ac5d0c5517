/**
 * The README's monitor example, runnable (and run by the tests, so the README stays true):
 * prints each link's state as it changes, until the namespace is deleted.
 *   scripts/isolated.sh node dist/examples/monitor.js NAME     # then, elsewhere: ip -n NAME link ...
 */
import { Namespace } from 'netns-native';

export async function printLinkStates(ns: Namespace, log: (line: string) => void = console.log): Promise<void> {
  // ip -n NAME monitor link
  for await (const event of ns.monitor({ events: ['link'] })) {
    if (event.type === 'link') {
      const { name, isUp, operState } = event.link;
      log(event.action === 'delete' ? `${name}: deleted` : `${name}: ${isUp ? 'up' : 'down'}, operstate ${operState}`);
    } else if (event.type === 'resync') {
      // The kernel dropped notifications (a very busy namespace): here is all of it afresh.
      log(`resync: ${event.links.map((l) => `${l.name} ${l.operState}`).join(', ')}`);
    } else if (event.type === 'namespace-deleted') {
      log(`${ns.name} was deleted`); // the loop ends after this
    }
  }
}

if (require.main === module) {
  Namespace.open(process.argv[2] ?? 'test1')
    .then((ns) => printLinkStates(ns))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
