/**
 * `netns-native list`: the named namespaces, like `ip netns list` (names only; `--json`: name,
 * path, inode).
 */
import { Namespace } from '../../index';
import { operandsAtMost, type ParsedArgs } from '../args';
import type { Io } from '../io';

export async function list(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 0, 'no operand');
  const namespaces = await Namespace.list();
  if (args.json) await io.json(namespaces.map((ns) => ns.toJSON()));
  else await io.out(namespaces.map((ns) => `${ns.name}\n`).join(''));
  return 0;
}
