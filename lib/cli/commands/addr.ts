/**
 * `netns-native [-n NS] [-4|-6] addr [show|add|replace|delete|flush] ...`: addresses as `ip
 * addr` lists (addr-show.ts), adds, replaces, deletes and flushes them (ns.addresses,
 * link.addAddress, link.deleteAddress, ns.flushAddresses).
 *   addr [show|list] [[dev] LINK] [SELECTOR] (addr-show.ts)
 *   addr add|replace ADDR dev LINK [peer PREFIX] [broadcast|brd ADDR|+] [label LABEL] [nodad]
 *                    [optimistic] [noprefixroute] [mngtmpaddr] [home] [autojoin] [metric N]
 *                    [valid_lft N|forever] [preferred_lft N|forever]
 *   addr delete ADDR dev LINK [peer PREFIX]
 *   addr flush [dev LINK] [scope S]
 */
import type { AddAddressOptions, FlushAddressesOptions } from '../../index';
import type { ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { subcommandOf } from '../ip-words';
import { Words } from '../words';
import { addressJson, addressLines, addrShow } from './addr-show';

const SUBCOMMANDS = ['show', 'add', 'replace', 'delete', 'del', 'flush'];

/** What `addr add`, `replace` and `delete` take; delete only the first two. */
interface AddrWords {
  address: string;
  link: string;
  options: AddAddressOptions;
}

export async function addr(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'addr');
  const typed = words.next() ?? 'show';
  const sub = subcommandOf('addr', typed) as string;
  if (!SUBCOMMANDS.includes(sub))
    throw words.error(`unknown command ${JSON.stringify(typed)} (${SUBCOMMANDS.join(', ')})`);
  words.context = `addr ${typed}`;
  if (sub === 'show') return addrShow(args, words, io);
  if (args.family !== undefined) throw words.error(`-${args.family} is for addr show only`);
  if (args.stats > 0) throw words.error('-s is for addr show only');
  if (sub === 'flush') {
    const options = readFlush(words);
    await (await namespaceOf(args.netns)).flushAddresses(options);
    return 0;
  }
  const change = readAddr(words, sub === 'add' || sub === 'replace');
  const ns = await namespaceOf(args.netns);
  const link = await ns.link(change.link);
  if (sub === 'add' || sub === 'replace') {
    const options = { ...change.options, ...(sub === 'replace' && { replace: true }) };
    if (!args.echo) {
      await link.addAddress(change.address, options);
      return 0;
    }
    // As `ip -echo addr add`: print_addrinfo's line with the link's index and name before it.
    const made = await link.addAddress(change.address, { ...options, echo: true });
    if (args.json) await io.json([{ index: made.linkIndex, dev: link.name, ...addressJson(made) }]);
    else await io.out(`${made.linkIndex}: ${link.name}${addressLines(made)}`);
  } else {
    const options = change.options.peer !== undefined ? { peer: change.options.peer } : {};
    if (!args.echo) {
      await link.deleteAddress(change.address, options);
      return 0;
    }
    // As `ip -echo addr del`: "Deleted " and the line an add prints.
    const gone = await link.deleteAddress(change.address, { ...options, echo: true });
    if (args.json) await io.json([{ deleted: true, index: gone.linkIndex, dev: link.name, ...addressJson(gone) }]);
    else await io.out(`Deleted ${gone.linkIndex}: ${link.name}${addressLines(gone)}`);
  }
  return 0;
}

function readAddr(words: Words, adding: boolean): AddrWords {
  let address: string | undefined;
  let link: string | undefined;
  const options: AddAddressOptions = {};
  const seen = new Set<string>();
  const usage = `${words.context} ADDR dev LINK`;
  for (let word = words.next(); word !== undefined; word = words.next()) {
    // ip's other names for broadcast and metric.
    const keyword = word === 'brd' ? 'broadcast' : word === 'priority' || word === 'preference' ? 'metric' : word;
    if (keyword === 'local' || ['dev', 'peer'].includes(keyword) || (adding && ADD_ONLY.includes(keyword))) {
      words.once(seen, keyword === 'local' ? 'ADDR' : keyword);
    } else {
      // A word that is no keyword: the address, once.
      if (address !== undefined) throw words.unexpected(word);
      seen.add('ADDR');
      address = word;
      continue;
    }
    if (word === 'local') address = words.value('local', 'an address');
    else if (word === 'dev') link = words.value('dev', 'a link name');
    else if (word === 'peer') options.peer = words.value('peer', 'a prefix');
    else if (word === 'nodad') options.nodad = true;
    else if (word === 'optimistic') options.optimistic = true;
    else if (word === 'noprefixroute') options.noprefixroute = true;
    else if (word === 'mngtmpaddr') options.mngtmpaddr = true;
    else if (word === 'home') options.home = true;
    else if (word === 'autojoin') options.autojoin = true;
    else if (word === 'label') options.label = words.value('label', 'a label');
    else if (keyword === 'metric') options.metric = words.integer(word);
    else if (keyword === 'broadcast') {
      const brd = words.value(word, 'an address or +');
      options.broadcast = brd === '+' ? true : brd;
    } else if (word === 'valid_lft') options.validLifetime = lifetime(words, word);
    else options.preferredLifetime = lifetime(words, word);
  }
  if (address === undefined) throw words.needs(`an address: ${usage}`);
  if (link === undefined) throw words.needs(`dev LINK: ${usage}`);
  return { address, link, options };
}

/** Keywords of add and replace only. */
const ADD_ONLY = [
  'nodad',
  'optimistic',
  'noprefixroute',
  'mngtmpaddr',
  'home',
  'autojoin',
  'label',
  'broadcast',
  'metric',
  'valid_lft',
  'preferred_lft',
];

/** `valid_lft N|forever`. */
function lifetime(words: Words, keyword: string): number | 'forever' {
  if (words.peek() === 'forever') {
    words.next();
    return 'forever';
  }
  return words.integer(keyword);
}

function readFlush(words: Words): FlushAddressesOptions {
  const options: FlushAddressesOptions = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    words.once(seen, word);
    if (word === 'dev') options.link = words.value('dev', 'a link name');
    else if (word === 'scope') {
      const scope = words.value('scope', 'a scope (global, site, link, host, nowhere or a number)');
      options.scope = /^[0-9]+$/.test(scope) ? Number(scope) : scope;
    } else throw words.unexpected(word);
  }
  return options;
}
