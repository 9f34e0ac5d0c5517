/**
 * `netns-native [-n NS] link set [dev] LINK SETTING...`, as `ip link set` takes it:
 *   up | down, mtu N, name NEW, address MAC, alias TEXT, txqueuelen N, group N,
 *   promisc | multicast | allmulticast | arp | dynamic | trailers | carrier | protodown  on | off,
 *   protodown_reason N|NAME on|off (N 0-31, NAME one of protodown_reasons.d; repeatable, the last
 *   one counts, as with ip),
 *   addrgenmode MODE,
 *   gso_max_size N, gso_max_segs N, gro_max_size N              one link.set({...})
 *   master BR | nomaster                                      link.setMaster / link.noMaster
 *   netns NS2 (a name, an nsfs path or a PID)                 link.moveTo
 * ip sends all of it in one request; here it takes up to three calls, so that a refusal leaves
 * the link as it was: what the command names (LINK, BR, NS2) is looked up before anything
 * changes, and when a later call is refused the earlier ones are undone (the settings set back,
 * the master put back, the link moved back; a move drops the link's addresses, which cannot be
 * given back).
 */
import { NetnsError, type Link, type LinkSettings, type Namespace } from '../../index';
import { IPROUTE2_DIRS, MAX_PROTODOWN_REASON, readProtodownReasonNames } from '../../rt-names';
import { namespaceWord } from '../namespace-arg';
import { unsigned, type Words } from '../words';

const ADDR_GEN_MODES: readonly string[] = ['eui64', 'none', 'stable_secret', 'random'];

/** Flags set by `KEYWORD on|off`, and the LinkSettings name of each. */
const ON_OFF: Readonly<
  Record<string, 'promisc' | 'multicast' | 'allMulticast' | 'arp' | 'dynamic' | 'trailers' | 'carrier' | 'protoDown'>
> = {
  promisc: 'promisc',
  multicast: 'multicast',
  allmulticast: 'allMulticast',
  allmulti: 'allMulticast',
  arp: 'arp',
  dynamic: 'dynamic',
  trailers: 'trailers',
  carrier: 'carrier',
  protodown: 'protoDown',
};

/** `KEYWORD N`: the integer settings. */
const INTEGERS: Readonly<Record<string, ['gsoMaxSize' | 'gsoMaxSegs' | 'groMaxSize', number]>> = {
  gso_max_size: ['gsoMaxSize', 0xffffffff],
  gso_max_segs: ['gsoMaxSegs', 65535],
  gro_max_size: ['groMaxSize', 0xffffffff],
};

/** The command line of `link set`, read whole before anything is done. */
export interface LinkSetWords {
  link: string;
  settings: LinkSettings;
  /** A bridge's name (`master BR`), or null for `nomaster`. */
  master?: string | null;
  netns?: string;
}

/** Does what `readLinkSet` read, in `ns`. */
export async function linkSet(ns: Namespace, parsed: LinkSetWords): Promise<void> {
  // Everything named, found first: a name that is wrong changes nothing.
  const link = await ns.link(parsed.link);
  const master = typeof parsed.master === 'string' ? await ns.link(parsed.master) : parsed.master;
  const target = parsed.netns !== undefined ? await namespaceWord(parsed.netns) : undefined;
  await apply(link, parsed.settings, master, target);
}

/** Each keyword's slot: a slot given twice is an error (`up ... down`, `mtu 1 mtu 2`). */
const SLOT: Readonly<Record<string, string>> = {
  dev: 'dev',
  up: 'up or down',
  down: 'up or down',
  mtu: 'mtu',
  name: 'name',
  address: 'address',
  alias: 'alias',
  group: 'group',
  txqueuelen: 'txqueuelen',
  txqlen: 'txqueuelen',
  qlen: 'txqueuelen',
  promisc: 'promisc',
  multicast: 'multicast',
  allmulticast: 'allmulticast',
  allmulti: 'allmulticast',
  arp: 'arp',
  dynamic: 'dynamic',
  trailers: 'trailers',
  carrier: 'carrier',
  protodown: 'protodown',
  addrgenmode: 'addrgenmode',
  gso_max_size: 'gso_max_size',
  gso_max_segs: 'gso_max_segs',
  gro_max_size: 'gro_max_size',
  master: 'master or nomaster',
  nomaster: 'master or nomaster',
  netns: 'netns',
};

export function readLinkSet(words: Words): LinkSetWords {
  let link: string | undefined;
  const settings: LinkSettings = {};
  const out: Omit<LinkSetWords, 'link' | 'settings'> = {};
  const seen = new Set<string>();
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (word === 'protodown_reason') {
      // Repeatable, as ip takes it, but only the last counts: ip sends one IFLA_PROTO_DOWN_REASON
      // per word, and the kernel's attribute parser keeps the last of a type (rtnl_setlink's
      // nlmsg_parse), so do_set_proto_down sees that one alone.
      const [id, given] = protodownReason(words);
      settings.protoDownReasons = { [id]: words.onOff(`protodown_reason ${given}`) };
      continue;
    }
    if (word === 'numtxqueues' || word === 'numrxqueues') {
      throw words.error(
        `${word}: the number of queues is fixed when a link is created (the kernel ignores it on ` +
          `link set, as it does when ip sends it): give it to link add`,
      );
    }
    const slot = Object.hasOwn(SLOT, word) ? SLOT[word] : undefined;
    if (slot === undefined) {
      // A word that is no keyword: the link, once.
      if (link !== undefined) throw words.unexpected(word);
      seen.add('dev');
      link = word;
      continue;
    }
    words.once(seen, slot);
    const flag = Object.hasOwn(ON_OFF, word) ? ON_OFF[word] : undefined;
    const integer = Object.hasOwn(INTEGERS, word) ? INTEGERS[word] : undefined;
    if (flag !== undefined) settings[flag] = words.onOff(word);
    else if (integer !== undefined) settings[integer[0]] = words.integer(word, integer[1]);
    else if (word === 'addrgenmode') settings.addrGenMode = addrGenMode(words);
    else if (word === 'dev') link = words.value('dev', 'a link name');
    else if (word === 'up' || word === 'down') settings.up = word === 'up';
    else if (word === 'mtu') settings.mtu = words.integer('mtu');
    else if (word === 'name') settings.name = words.value('name', 'the new name');
    else if (word === 'address') settings.mac = words.value('address', 'a MAC address');
    else if (word === 'alias') settings.alias = words.value('alias', 'a text ("" to clear it)');
    else if (word === 'group') settings.group = group(words);
    else if (slot === 'txqueuelen') settings.txQueueLength = words.integer(word);
    else if (word === 'master') out.master = words.value('master', 'a bridge name');
    else if (word === 'nomaster') out.master = null;
    else out.netns = words.value('netns', 'a namespace (a name, an nsfs path or a PID)');
  }
  if (link === undefined) throw words.needs('a link: link set [dev] LINK SETTING...');
  if (Object.keys(settings).length === 0 && out.master === undefined && out.netns === undefined) {
    throw words.error(`nothing to set on ${link}: give up, down, mtu N, name NEW, master BR, netns NS, ...`);
  }
  if (out.master !== undefined && out.netns !== undefined) {
    throw words.error(
      `${out.master === null ? 'nomaster' : 'master'} and netns together: a link that moves leaves its master; set the master in the other namespace`,
    );
  }
  return { ...out, link, settings };
}

/** `addrgenmode MODE`: one of the four modes, as ip names them. */
function addrGenMode(words: Words): LinkSettings['addrGenMode'] {
  const mode = words.value('addrgenmode', `a mode (${ADDR_GEN_MODES.join(', ')})`);
  if (!ADDR_GEN_MODES.includes(mode)) {
    throw words.error(`invalid address generation mode ${JSON.stringify(mode)} (${ADDR_GEN_MODES.join(', ')})`);
  }
  return mode as LinkSettings['addrGenMode'];
}

/**
 * `protodown_reason N|NAME`: the reason's number, and the word as given. As ip's
 * protodown_reason_a2n, a name of protodown_reasons.d first (the lowest reason that has it as
 * its name now: one a later line renamed is no name), then a number 0-31.
 */
function protodownReason(words: Words): [number, string] {
  const word = words.value('protodown_reason', `a reason (a number from 0 to ${MAX_PROTODOWN_REASON} or a name)`);
  const named = [...readProtodownReasonNames().names].filter(([, name]) => name === word).map(([n]) => n);
  const id = named.length > 0 ? Math.min(...named) : unsigned(word);
  if (id === undefined || id > MAX_PROTODOWN_REASON) {
    throw words.error(
      `protodown_reason needs a number from 0 to ${MAX_PROTODOWN_REASON} or a name of ` +
        `${IPROUTE2_DIRS.etc}/protodown_reasons.d/*.conf, not ${JSON.stringify(word)}`,
    );
  }
  return [id, word];
}

/** `group N`: a number, or `default` (0), as ip takes it without /etc/iproute2/group. */
function group(words: Words): number {
  if (words.peek() === 'default') {
    words.next();
    return 0;
  }
  return words.integer('group');
}

/** Sets back one step; resolves with whether it changed anything. */
type Undo = () => Promise<boolean>;

async function apply(
  first: Link,
  settings: LinkSettings,
  master: Link | null | undefined,
  target: Namespace | undefined,
): Promise<void> {
  const home = first.namespace;
  let link = first;
  const undo: Undo[] = [];
  // A move brings the link down: `up` is for after it, as ip's one request does it.
  const { up, ...rest } = settings;
  const now: LinkSettings = target === undefined && up !== undefined ? { ...rest, up } : rest;
  try {
    if (Object.keys(now).length > 0) {
      const before = settingsOf(link, now);
      // Before the call: a refused change of several settings may have kept some of them.
      undo.push(() => restore(link, before));
      await link.set(now);
    }
    if (master !== undefined) {
      const previous = link.masterIndex;
      await (master === null ? link.noMaster() : link.setMaster(master));
      undo.push(async () => {
        await (previous === undefined ? link.noMaster() : link.setMaster(await home.link(previous)));
        return true;
      });
    }
    if (target !== undefined) {
      link = await link.moveTo(target);
      undo.push(async () => {
        link = await link.moveTo(home);
        return true;
      });
      if (up !== undefined) await (up ? link.up() : link.down());
    }
  } catch (e) {
    throw await undone(e, undo.reverse());
  }
}

/**
 * Runs the undo steps after `e`, and says in its reason what they did: the library's reason
 * describes the link as the refusal left it, which is no longer so once it is set back.
 */
async function undone(e: unknown, steps: Undo[]): Promise<unknown> {
  let changed = false;
  let failed: unknown;
  for (const step of steps) {
    try {
      changed = (await step()) || changed;
    } catch (x) {
      failed ??= x;
    }
  }
  if (!(e instanceof NetnsError) || (!changed && failed === undefined)) return e;
  const after =
    failed === undefined
      ? 'netns-native then set back what it had changed'
      : `setting back what it had changed failed too: ${failed instanceof NetnsError ? failed.reason : String(failed)}`;
  return new NetnsError({
    code: e.code,
    operation: e.operation,
    reason: `${e.reason}; ${after}`,
    ...(e.errno !== undefined && { errno: e.errno }),
    ...(e.detail !== undefined && { detail: e.detail }),
  });
}

/** The link's present values of the settings named in `settings`. */
function settingsOf(link: Link, settings: LinkSettings): LinkSettings {
  const d = link.details;
  const now: Required<LinkSettings> = {
    up: link.isUp,
    mtu: link.mtu,
    name: link.name,
    mac: link.mac,
    txQueueLength: link.txQueueLength,
    alias: link.alias ?? null,
    group: link.group,
    promisc: link.promisc,
    allMulticast: link.allMulticast,
    multicast: link.multicast,
    arp: link.arp,
    dynamic: link.dynamic,
    trailers: link.trailers,
    carrier: link.hasCarrier,
    gsoMaxSize: d.gsoMaxSize ?? 0,
    gsoMaxSegs: d.gsoMaxSegs ?? 0,
    groMaxSize: d.groMaxSize ?? 0,
    addrGenMode: (d.addrGenMode ?? 'eui64') as Required<LinkSettings>['addrGenMode'],
    protoDown: d.protoDown,
    protoDownReasons: {},
  };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(settings)) out[key] = now[key as keyof LinkSettings];
  // The reasons named, each as it is now.
  if (settings.protoDownReasons !== undefined) {
    const reasons: Record<number, boolean> = {};
    for (const id of Object.keys(settings.protoDownReasons))
      reasons[Number(id)] = d.protoDownReasons.includes(Number(id));
    out.protoDownReasons = reasons;
  }
  return out as LinkSettings;
}

/** Sets back what differs from `before`, read again first; resolves with whether anything did. */
async function restore(link: Link, before: LinkSettings): Promise<boolean> {
  await link.refresh();
  const now = settingsOf(link, before);
  const back: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before)) {
    const differs =
      key === 'protoDownReasons'
        ? JSON.stringify(now.protoDownReasons) !== JSON.stringify(value)
        : now[key as keyof LinkSettings] !== value;
    if (differs) back[key] = value;
  }
  if (Object.keys(back).length === 0) return false;
  await link.set(back as LinkSettings);
  return true;
}
