/**
 * `netns-native [-n NS] netconf [show] [dev LINK]`: per family and link, forwarding, rp_filter,
 * ... as `ip netconf show` prints them (ns.netconf; `--json`: the Netconf objects).
 */
import type { Netconf } from '../../index';
import type { ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { Words } from '../words';

const RP_FILTER = ['off', 'strict', 'loose'];

/** One line as iproute2's print_netconf writes it (without its trailing space). */
export function netconfLine(e: Netconf): string {
  const words = [e.family === 4 ? 'inet' : 'inet6', e.link];
  const onOff = (v: boolean): string => (v ? 'on' : 'off');
  if (e.forwarding !== undefined) words.push('forwarding', onOff(e.forwarding));
  if (e.rpFilter !== undefined) words.push('rp_filter', RP_FILTER[e.rpFilter] ?? 'unknown mode');
  if (e.mcForwarding !== undefined) words.push('mc_forwarding', onOff(e.mcForwarding));
  if (e.proxyNeighbour !== undefined) words.push('proxy_neigh', onOff(e.proxyNeighbour));
  if (e.ignoreRoutesWithLinkdown !== undefined) {
    words.push('ignore_routes_with_linkdown', onOff(e.ignoreRoutesWithLinkdown));
  }
  return words.join(' ');
}

export async function netconf(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'netconf');
  const first = words.peek();
  if (first !== undefined && subcommandOf('netconf', first) === 'show') words.next();
  let link: string | undefined;
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (word !== 'dev') throw words.unexpected(word);
    words.once(seen, 'dev');
    link = words.value('dev', 'a link name');
  }
  const entries = await (await namespaceOf(args.netns)).netconf(link === undefined ? {} : { link });
  if (args.json) await io.json(entries);
  else await io.out(entries.map((e) => `${netconfLine(e)}\n`).join(''));
  return 0;
}
