/**
 * `netns-native addrs [NS]`: like `ip -br addr` (`--json`: the Address objects, with each
 * link's name).
 */
import { operandsAtMost, type ParsedArgs } from '../args';
import { briefAddresses } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';

export async function addrs(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 1, 'at most a namespace (NS)');
  const ns = await namespaceOf(args.operands[0]);
  const [links, addresses] = await Promise.all([ns.links(), ns.addresses()]);
  if (args.json) {
    const names = new Map(links.map((l) => [l.index, l.name]));
    await io.json(addresses.map((a) => ({ ...a, link: names.get(a.linkIndex) })));
  } else {
    await io.out(briefAddresses(links, addresses));
  }
  return 0;
}
