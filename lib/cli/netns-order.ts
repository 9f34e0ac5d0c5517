/**
 * The named namespaces in the order ip lists them: /run/netns as readdir(3) returns it (on tmpfs,
 * newest first), where Namespace.list() sorts by name. ip's `netns list`, `list-id`, `identify`
 * and its `-all` forms all walk the directory so.
 * @internal
 */
import * as fs from 'node:fs';
import { Namespace } from '../index';

/** The entries of /run/netns in readdir order; none when it does not exist. */
export async function directoryOrder(): Promise<string[]> {
  const names: string[] = [];
  let dir: fs.Dir;
  try {
    dir = await fs.promises.opendir('/run/netns');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return names;
    throw e;
  }
  for await (const entry of dir) names.push(entry.name);
  return names;
}

/** Namespace.list() in ip's order (the caller closes them). */
export async function namedInDirectoryOrder(): Promise<Namespace[]> {
  const [order, named] = await Promise.all([directoryOrder(), Namespace.list()]);
  const at = new Map(order.map((name, i) => [name, i]));
  const rank = (ns: Namespace): number => at.get(ns.name as string) ?? order.length;
  return named.sort((a, b) => rank(a) - rank(b));
}

/** Closes them all (the names keep the namespaces). */
export async function closeAll(namespaces: readonly Namespace[]): Promise<void> {
  await Promise.all(namespaces.map((ns) => ns.close()));
}
