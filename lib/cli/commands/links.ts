/**
 * `netns-native links [NS]`: like `ip -br link` (`--json`: each link's toJSON()); with
 * `--details`, a bridge port's settings and the link's alternative names below it, as `ip -d link
 * show` prints them.
 */
import { operandsAtMost, type ParsedArgs } from '../args';
import { briefLinks, bridgePortLine } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';

export async function links(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 1, 'at most a namespace (NS)');
  const ns = await namespaceOf(args.operands[0]);
  const all = await ns.links();
  if (args.json) {
    await io.json(
      all.map((l) => ({
        ...l.toJSON(),
        flags: l.flags,
        parentIndex: l.parentIndex,
        ...(args.details && l.bridgePort ? { bridgePort: l.bridgePort } : {}),
      })),
    );
    return 0;
  }
  if (!args.details) {
    await io.out(briefLinks(all));
    return 0;
  }
  const names = new Map(all.map((l) => [l.index, l.name]));
  const text = all.map((l) => {
    const port = l.bridgePort;
    const altNames = l.altNames.map((name) => `    altname ${name}\n`).join('');
    return briefLinks([l], all) + (port ? `    ${bridgePortLine(port, names)}\n` : '') + altNames;
  });
  await io.out(text.join(''));
  return 0;
}
