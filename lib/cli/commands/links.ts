/**
 * `netns-native links [NS]`: like `ip -br link` (`--json`: each link's toJSON()).
 */
import { operandsAtMost, type ParsedArgs } from '../args';
import { briefLinks } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';

export async function links(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 1, 'at most a namespace (NS)');
  const ns = await namespaceOf(args.operands[0]);
  const all = await ns.links();
  if (args.json) await io.json(all.map((l) => ({ ...l.toJSON(), flags: l.flags, parentIndex: l.parentIndex })));
  else await io.out(briefLinks(all));
  return 0;
}
