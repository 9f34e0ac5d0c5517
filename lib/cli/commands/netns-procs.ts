/**
 * Processes and named namespaces, from /proc and /run/netns as ip reads them: `netns identify
 * [PID]` (the name of PID's namespace; without PID, the command's own, or with -n NS, NS's) and
 * `netns pids NAME`.
 */
import { Namespace } from '../../index';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { closeAll, namedInDirectoryOrder } from '../netns-order';
import type { Words } from '../words';

/**
 * `netns identify [PID]`: as ip, one line with the name of PID's namespace (of several names,
 * the last in readdir order, as ip overwrites each match with the next), empty when it has none.
 * Text with -j too: ip 6.1 prints no JSON for identify.
 */
export async function identify(words: Words, io: Io, netns?: string): Promise<number> {
  const pid = words.peek() === undefined ? undefined : words.integer('PID', 0x3fffffff);
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const named = await namedInDirectoryOrder();
  await closeAll(named);
  // Without a PID, ip names its own namespace: with -n NS, NS, where ip runs.
  let has: (ns: Namespace) => boolean;
  if (pid === undefined && netns !== undefined) {
    const inode = (await namespaceOf(netns)).inode;
    has = (ns) => ns.inode === inode;
  } else {
    const names = new Set(await Namespace.identify(pid ?? process.pid));
    has = (ns) => names.has(ns.name as string);
  }
  const ordered = named.filter(has).map((ns) => ns.name as string);
  await io.out(`${ordered.at(-1) ?? ''}\n`);
  return 0;
}

/** `netns pids NAME`: the processes in NAME, ascending, one per line (--json: `[PID...]`). */
export async function pids(words: Words, json: boolean, io: Io): Promise<number> {
  const name = words.required('a namespace name: netns pids NAME');
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const ns = await Namespace.open(name);
  try {
    const found = await ns.pids();
    if (json) await io.json(found);
    else await io.out(found.map((pid) => `${pid}\n`).join(''));
  } finally {
    await ns.close();
  }
  return 0;
}
