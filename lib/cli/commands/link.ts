/**
 * `netns-native [-n NS] [-d] link [show|add|set|delete] ...`: links as `ip link` lists
 * (link-show.ts), makes, changes and deletes them (link-add.ts, link-set.ts).
 */
import type { ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { Words } from '../words';
import { linkAdd, readLinkAdd } from './link-add';
import { linkSet, readLinkSet } from './link-set';
import { linkJson, linkListing, linkShow, linkText } from './link-show';
import { linkSetNotEchoed } from '../echo-words';
import type { Link, Namespace } from '../../index';

export async function link(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'link');
  const typed = words.next() ?? 'show';
  const sub = subcommandOf('link', typed) as string;
  if (!['show', 'add', 'set', 'delete', 'del'].includes(sub)) {
    throw words.error(`unknown command ${JSON.stringify(typed)} (show, add, set, delete)`);
  }
  words.context = `link ${typed}`;
  // -4 and -6 change nothing a link shows (ip takes them too).
  if (sub === 'show') return linkShow(args, words, io);
  if (args.details) throw words.error('-d is for link show only');
  if (args.stats > 0) throw words.error('-s is for link show only');
  if (args.family !== undefined) throw words.error(`-${args.family} is for link show only`);
  if (args.echo && sub === 'set') throw linkSetNotEchoed(words);
  if (sub === 'delete' || sub === 'del') {
    let name = words.required('a link: link delete [dev] LINK');
    if (name === 'dev') name = words.value('dev', 'a link name');
    const extra = words.next();
    if (extra !== undefined) throw words.unexpected(extra);
    const ns = await namespaceOf(args.netns);
    const link = await ns.link(name);
    if (!args.echo) await link.delete();
    else await printDeleted(ns, link, await link.delete({ echo: true }), args.json, io);
    return 0;
  }
  // The whole line is read (a bad word is status 2) before the namespace is opened.
  if (sub === 'add') {
    const add = readLinkAdd(words);
    const ns = await namespaceOf(args.netns);
    await linkAdd(ns, add);
    // As `ip -echo link add`: the link as ip link show prints it. The kinds' create() reads the
    // link back after making it, so the link as it is now, not the kernel's echo, is printed.
    if (args.echo) await printMade(ns, add.name, args.json, io);
  } else {
    const set = readLinkSet(words);
    await linkSet(await namespaceOf(args.netns), set);
  }
  return 0;
}

/** print_linkinfo outside `ip link show` (ip -echo): without `mode` and `qlen`. */
const ECHOED = { link: false, queue: false, details: false, linkLayer: true, ipv6: false, stats: 0 } as const;

/**
 * The link just made, as `ip -echo link add` prints it: print_linkinfo outside `ip link show`,
 * so without `mode` and `qlen`.
 */
async function printMade(ns: Namespace, name: string, json: boolean, io: Io): Promise<void> {
  const listing = await linkListing(ns);
  const made = listing.all.find((l) => l.name === name);
  if (made === undefined) return; // gone already: ip would have printed what the kernel sent
  if (json) await io.json([linkJson(made, listing, ECHOED)]);
  else await io.out(linkText(made, listing, ECHOED));
}

/**
 * The link a delete removed, as `ip -echo link del` prints the kernel's copy: "Deleted " and
 * print_linkinfo's block. A link that had a peer (a veth) and has none in the copy was sent with
 * IFLA_LINK 0 (the kernel sends it whenever it differs from the link's own index; the peer went
 * first), which ip prints as `@NONE` (-j: `"link": null`).
 */
async function printDeleted(ns: Namespace, before: Link, gone: Link, json: boolean, io: Io): Promise<void> {
  const listing = await linkListing(ns);
  const none = before.parentIndex !== undefined && gone.parentIndex === undefined;
  if (json) {
    const { ifindex, ...rest } = linkJson(gone, listing, ECHOED);
    await io.json([{ deleted: true, ifindex, ...(none && { link: null }), ...rest }]);
    return;
  }
  const text = linkText(gone, listing, ECHOED);
  const named = `${gone.index}: ${gone.name}:`;
  await io.out(
    `Deleted ${none && text.startsWith(named) ? `${gone.index}: ${gone.name}@NONE:${text.slice(named.length)}` : text}`,
  );
}
