/**
 * The named namespaces in the order ip lists them: /run/netns as readdir(3) returns it (on tmpfs,
 * newest first), where Namespace.list() sorts by name. ip's `netns list`, `list-id`, `identify`
 * and its `-all` forms all walk the directory so.
 * @internal
 */
import * as fs from 'node:fs';
import { Namespace } from '../index';
import { failure, fromNodeError } from '../internal/errors';

/** The entries of /run/netns in readdir order; none when it does not exist. */
export async function directoryOrder(): Promise<string[]> {
  const names: string[] = [];
  let dir: fs.Dir;
  try {
    dir = await fs.promises.opendir('/run/netns');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return names;
    if (code === 'EACCES') {
      // As ip (Failed to open directory), status 1; say whose directory it is and how it is set.
      const st = await fs.promises.stat('/run/netns').catch(() => undefined);
      const how = st ? ` (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${st.uid})` : '';
      throw failure(
        'EACCES',
        'read the names in /run/netns',
        `permission denied: /run/netns${how} is not readable by this user`,
      );
    }
    throw fromNodeError(e, 'read the names in /run/netns', 'namespace');
  }
  for await (const entry of dir) names.push(entry.name);
  return names;
}

/** Namespace.list() in ip's order (the caller closes them). */
export async function namedInDirectoryOrder(): Promise<Namespace[]> {
  // The directory first: its refusal is the one said (with its mode), as ip's opendir.
  const order = await directoryOrder();
  const named = await Namespace.list();
  const at = new Map(order.map((name, i) => [name, i]));
  const rank = (ns: Namespace): number => at.get(ns.name as string) ?? order.length;
  return named.sort((a, b) => rank(a) - rank(b));
}

/** Closes them all (the names keep the namespaces). */
export async function closeAll(namespaces: readonly Namespace[]): Promise<void> {
  await Promise.all(namespaces.map((ns) => ns.close()));
}
