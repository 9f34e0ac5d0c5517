/**
 * `netns-native routes [NS]`: the main table, like `ip route` then `ip -6 route` (`--json`:
 * the Route objects).
 */
import { operandsAtMost, type ParsedArgs } from '../args';
import { routeLines } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';

export async function routes(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 1, 'at most a namespace (NS)');
  const ns = await namespaceOf(args.operands[0]);
  const all = await ns.routes();
  if (args.json) await io.json(all);
  else await io.out(routeLines(all));
  return 0;
}
