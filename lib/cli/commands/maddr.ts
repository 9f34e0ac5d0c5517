/**
 * `netns-native [-n NS] [-4|-6|-0] maddr [show] [dev LINK]` and `maddr add|del MAC dev LINK`: the
 * multicast addresses of links as `ip maddr` prints them (ns.multicastAddresses), text or ip's
 * JSON; adding and removing a link-layer one (link.addMulticastAddress / deleteMulticastAddress).
 */
import type { MulticastAddress } from '../../index';
import type { ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { Words } from '../words';

/** One entry as ipmaddr.c's print_maddr writes it, without the leading tab and the newline. */
export function maddrLine(m: MulticastAddress): string {
  let line =
    m.family === 'link' ? `link  ${m.address}` : `${(m.family === 4 ? 'inet' : 'inet6').padEnd(5)} ${m.address}`;
  if (m.users !== 1) line += ` users ${m.users}`;
  if (m.static) line += ' static';
  return line;
}

/** One entry as ip -j maddr prints it. */
function maddrJson(m: MulticastAddress): Record<string, unknown> {
  const out: Record<string, unknown> =
    m.family === 'link' ? { link: m.address } : { family: m.family === 4 ? 'inet' : 'inet6', address: m.address };
  if (m.users !== 1) out.users = m.users;
  if (m.static) out.features = 'static';
  return out;
}

export async function maddr(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'maddr');
  const sub = subcommandOf('maddr', words.peek()) ?? 'show';
  if (sub !== 'show' && sub !== 'add' && sub !== 'delete') {
    throw words.error(`unknown subcommand ${JSON.stringify(words.peek())} (add, del or show)`);
  }
  if (!words.done) words.next();
  words.context = `maddr ${sub === 'delete' ? 'del' : sub}`;
  const ns = await namespaceOf(args.netns);
  if (sub !== 'show') {
    if (args.family !== undefined || args.linkFamily) {
      throw words.error(`-${args.family ?? 0} is for maddr show only (a link-layer address has no family)`);
    }
    const seen = new Set<string>();
    let dev: string | undefined;
    let mac: string | undefined;
    for (let word = words.next(); word !== undefined; word = words.next()) {
      if (word === 'dev') {
        words.once(seen, 'dev');
        dev = words.value('dev', 'a link name');
        continue;
      }
      // ip takes `address MAC` (any beginning of the keyword) or the MAC alone.
      if (word.length > 0 && 'address'.startsWith(word)) word = words.value('address', 'a MAC address');
      words.once(seen, 'address');
      mac = word;
    }
    if (mac === undefined) throw words.needs('a MAC address, e.g. 01:00:5e:12:75:01');
    if (dev === undefined) throw words.needs('dev LINK');
    const link = await ns.link(dev);
    if (sub === 'add') await link.addMulticastAddress(mac);
    else await link.deleteMulticastAddress(mac);
    return 0;
  }
  // ip takes `dev LINK` or the link's name alone, once.
  let dev: string | undefined;
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (word === 'dev') word = words.value('dev', 'a link name');
    if (dev !== undefined) throw words.error('dev is given twice');
    dev = word;
  }
  const family = args.linkFamily ? 'link' : args.family;
  const [entries, links] = await Promise.all([
    ns.multicastAddresses(family === undefined ? {} : { family }),
    ns.links(),
  ]);
  const names = new Map(links.map((l) => [l.index, l.name]));
  // As ip, a name no link has lists nothing (ip matches the names /proc prints).
  const shown = entries.filter((m) => names.has(m.linkIndex) && (dev === undefined || names.get(m.linkIndex) === dev));
  const byLink: Array<{ index: number; name: string; list: MulticastAddress[] }> = [];
  for (const m of shown) {
    const last = byLink[byLink.length - 1];
    if (last !== undefined && last.index === m.linkIndex) last.list.push(m);
    else byLink.push({ index: m.linkIndex, name: names.get(m.linkIndex) as string, list: [m] });
  }
  if (args.json) {
    await io.json(byLink.map((l) => ({ ifindex: l.index, ifname: l.name, maddr: l.list.map(maddrJson) })));
  } else {
    await io.out(
      byLink.map((l) => `${l.index}:\t${l.name}\n${l.list.map((m) => `\t${maddrLine(m)}\n`).join('')}`).join(''),
    );
  }
  return 0;
}
