/**
 * Processes and named namespaces, from /proc and /run/netns as ip reads them: `netns identify
 * [PID]` (the name of PID's namespace; without PID, the command's own) and `netns pids NAME`.
 */
import { Namespace } from '../../index';
import type { Io } from '../io';
import { closeAll, namedInDirectoryOrder } from '../netns-order';
import type { Words } from '../words';

/**
 * `netns identify [PID]`: as ip, one line with the name of PID's namespace (of several names,
 * the last in readdir order, as ip overwrites each match with the next), empty when it has none;
 * --json: every name, `[NAME...]`.
 */
export async function identify(words: Words, json: boolean, io: Io): Promise<number> {
  const pid = words.peek() === undefined ? process.pid : words.integer('PID', 0x3fffffff);
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const names = new Set(await Namespace.identify(pid));
  const named = await namedInDirectoryOrder();
  await closeAll(named);
  const ordered = named.map((ns) => ns.name as string).filter((name) => names.has(name));
  if (json) await io.json(ordered);
  else await io.out(`${ordered.at(-1) ?? ''}\n`);
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
