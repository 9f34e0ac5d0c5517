/**
 * `netns-native [-n NS] [-4|-6] [-s [-s]] addr show [[dev] NAME] [scope S|all] [to PREFIX]
 * [label PATTERN] [dynamic|permanent] [up] [type KIND] [master DEV] [nomaster] [group G]`: each
 * link's block as `ip addr show` prints it (link-show.ts, without `mode`), then its addresses
 * with their `valid_lft` lines (iproute2 6.1's print_addrinfo), text or `-j` JSON (`addr_info`).
 * As ip (ipaddr_filter): a link whose addresses are all filtered out is left out; one with none
 * at all stays, unless a family is asked for (-4, -6, or `to`'s). -s: each link's counters after
 * its addresses (link-stats.ts), not with a label (ip then prints no link blocks). -echo: each
 * address after its link's index and name, as ip -echo prints it (print_addrinfo's echo_request).
 */
import { NetnsError, type Address, type Link, type LinkStats } from '../../index';
import { compileGlob, matchGlob, type Glob } from '../../internal/glob';
import type { ParsedArgs } from '../args';
import { addressText } from '../format';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { inPrefix, parsePrefix, type Prefix } from '../prefix';
import { Words } from '../words';
import { linkJson, linkListing, linkText, readLinkSelectorWord, selectLinks, type LinkSelector } from './link-show';
import { ipv6AsLinkStats, statsJson, statsLines } from './link-stats';
import { scopeWord } from './route-show';

/** What `addr show` selects addresses by (links: LinkSelector). */
interface AddressSelector {
  family?: 4 | 6;
  scope?: string;
  to?: Prefix;
  label?: Glob;
  permanent?: boolean;
}

function readSelector(words: Words, family: 4 | 6 | undefined): [LinkSelector, AddressSelector] {
  const links: LinkSelector = {};
  const addresses: AddressSelector = family === undefined ? {} : { family };
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (readLinkSelectorWord(words, word, links, seen)) continue;
    if (word === 'scope') {
      words.once(seen, 'scope');
      const value = words.value('scope', 'a scope (global, site, link, host, nowhere, a number or all)');
      if (value !== 'all') addresses.scope = scopeWord(words, value);
    } else if (word === 'to') {
      words.once(seen, 'to');
      const value = words.value('to', 'a prefix (ADDRESS[/LENGTH])');
      const to = parsePrefix(value, addresses.family);
      if (to === undefined || (addresses.family !== undefined && to.family !== addresses.family)) {
        throw words.error(`to needs a prefix (ADDRESS[/LENGTH]) of the family asked for, not ${JSON.stringify(value)}`);
      }
      addresses.to = to;
      addresses.family = to.family;
    } else if (word === 'label') {
      words.once(seen, 'label');
      const pattern = words.value('label', 'a pattern (veth0:*)');
      try {
        addresses.label = compileGlob(pattern, 'addr show', 'label');
      } catch (e) {
        if (e instanceof NetnsError) throw words.error(`label: ${e.reason}`);
        throw e;
      }
    } else if (word === 'dynamic' || word === 'permanent') {
      words.once(seen, 'dynamic|permanent');
      addresses.permanent = word === 'permanent';
    } else {
      words.once(seen, 'dev');
      links.name = word === 'dev' ? words.value('dev', 'a link name') : word;
    }
  }
  return [links, addresses];
}

/** Whether `a` is one ip's print_addrinfo prints (`linkName`: an IPv6 address's label). */
function selected(a: Address, s: AddressSelector, linkName: string): boolean {
  if (s.family !== undefined && a.family !== s.family) return false;
  if (s.scope !== undefined && a.scope !== s.scope) return false;
  if (s.permanent !== undefined && a.flags.includes('permanent') !== s.permanent) return false;
  if (s.label !== undefined && !matchGlob(s.label, a.label ?? linkName)) return false;
  if (s.to !== undefined && !inPrefix(a.address, s.to)) return false;
  return true;
}

/** The flags ip prints after the scope, in its order (print_ifa_flags), as ip names them. */
function flagWords(a: Address): string[] {
  const words: string[] = [];
  const has = (name: string): boolean => a.flags.includes(name);
  if (has('secondary')) words.push(a.family === 6 ? 'temporary' : 'secondary');
  for (const [flag, word] of [
    ['nodad', 'nodad'],
    ['optimistic', 'optimistic'],
    ['dadfailed', 'dadfailed'],
    ['homeaddress', 'home'],
    ['deprecated', 'deprecated'],
    ['tentative', 'tentative'],
  ]) {
    if (has(flag as string)) words.push(word as string);
  }
  if (!has('permanent')) words.push('dynamic');
  for (const flag of ['mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy']) if (has(flag)) words.push(flag);
  return words;
}

const FOREVER = 0xffffffff;

/** One address's two lines, as ip prints them. */
export function addressLines(a: Address): string {
  const words = [`    inet${a.family === 6 ? '6' : ''}`, addressText(a)];
  if (a.metric !== undefined) words.push('metric', String(a.metric));
  if (a.broadcast !== undefined) words.push('brd', a.broadcast);
  words.push('scope', a.scope, ...flagWords(a));
  if (a.label !== undefined) words.push(a.label);
  const life = (seconds: number | undefined): string => (seconds === undefined ? 'forever' : `${seconds}sec`);
  return `${words.join(' ')}\n       valid_lft ${life(a.validLifetime)} preferred_lft ${life(a.preferredLifetime)}\n`;
}

/** One address as `ip -j addr` lists it in `addr_info`. */
export function addressJson(a: Address): Record<string, unknown> {
  const out: Record<string, unknown> = { family: a.family === 6 ? 'inet6' : 'inet', local: a.address };
  if (a.peer !== undefined) out.address = a.peer.slice(0, a.peer.lastIndexOf('/'));
  out.prefixlen = a.prefixLength;
  if (a.metric !== undefined) out.metric = a.metric;
  if (a.broadcast !== undefined) out.broadcast = a.broadcast;
  out.scope = a.scope;
  for (const word of flagWords(a)) out[word] = true;
  if (a.label !== undefined) out.label = a.label;
  out.valid_life_time = a.validLifetime ?? FOREVER;
  out.preferred_life_time = a.preferredLifetime ?? FOREVER;
  return out;
}

export async function addrShow(args: ParsedArgs, words: Words, io: Io): Promise<number> {
  const [linkSelector, selector] = readSelector(words, args.family);
  const ns = await namespaceOf(args.netns);
  const listing = await linkListing(ns, args.stats > 0);
  const addresses = await ns.addresses();
  const family = selector.family;
  const ofLink = (l: Link): Address[] =>
    addresses.filter((a) => a.linkIndex === l.index && (family === undefined || a.family === family));
  // ipaddr_filter: a link stays with an address selected, or with none at all and no family asked for.
  const kept = (await selectLinks(ns, listing, linkSelector)).filter(({ link }) => {
    const all = addresses.filter((a) => a.linkIndex === link.index);
    return all.length === 0 ? family === undefined : all.some((a) => selected(a, selector, link.name));
  });
  // With a label, ip prints the addresses without their links' blocks. -6 reads IPv6's link
  // dump, unless a link is named alone (ip then asks for that link, RTM_GETLINK).
  const blocks = selector.label === undefined;
  const { name, ...others } = linkSelector;
  const oneLink = name !== undefined && Object.keys(others).length === 0;
  const ipv6 = args.family === 6 && !oneLink;
  const stats = blocks ? args.stats : 0;
  // IPv6's link dump carries IPv6's own counters (IFLA_INET6_STATS) and no carrier changes.
  const counters = (l: Link): [LinkStats | undefined, number | undefined] =>
    ipv6 ? [l.ipv6Stats && ipv6AsLinkStats(l.ipv6Stats), undefined] : [l.stats, l.details.carrierChanges];
  const options = { link: false, details: false, linkLayer: family === undefined, ipv6, stats: 0 };
  if (args.json) {
    // ip lists an empty object for a link or an address its printing rejects.
    const json = kept.map(({ link, printed }) => {
      if (!printed) return {};
      // -echo (ip's echo_request): each address names its link, as ip -echo addr show does.
      const named = (a: Address): Record<string, unknown> =>
        args.echo ? { index: link.index, dev: link.name, ...addressJson(a) } : addressJson(a);
      const addrInfo = ofLink(link).map((a) => (selected(a, selector, link.name) ? named(a) : {}));
      return {
        ...(blocks ? linkJson(link, listing, options) : {}),
        addr_info: addrInfo,
        ...(stats > 0 ? statsJson(...counters(link), stats) : {}),
      };
    });
    await io.json(json);
    return 0;
  }
  const text = kept
    .filter(({ printed }) => printed)
    .map(({ link }) => {
      const mine = ofLink(link).filter((a) => selected(a, selector, link.name));
      const lines = stats > 0 ? statsLines(...counters(link), stats).map((line) => `${line}\n`) : [];
      // -echo: each address line after "INDEX: NAME", as print_addrinfo prints it then.
      const prefix = args.echo ? `${link.index}: ${link.name}` : '';
      const addresses = mine.map((a) => prefix + addressLines(a)).join('');
      return (blocks ? linkText(link, listing, options) : '') + addresses + lines.join('');
    });
  await io.out(text.join(''));
  return 0;
}
