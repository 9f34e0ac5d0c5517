/**
 * Namespace ids as `ip netns` shows and sets them, from the namespace the command runs in (or,
 * with -n NS, from NS, as ip runs there):
 * `netns [list]` (NAME (id: N)), `netns list-id [target-nsid N] [nsid N]` and `netns set NAME
 * NETNSID|auto`. Reads never assign an id (knownNsid), as ip's RTM_GETNSID does not.
 */
import { Namespace, NetnsError, type NsidEntry } from '../../index';
import type { Io } from '../io';
import { closeAll, namedInDirectoryOrder } from '../netns-order';
import type { Words } from '../words';

/** An entry as list-id shows it: the kernel's answer for `nsid N` may have no id in the target. */
type Shown = Omit<NsidEntry, 'nsid'> & { nsid: number | null };

/** The largest id the kernel gives (its idr takes 0 to INT_MAX). */
const MAX_NSID = 0x7fffffff;

/**
 * Each named namespace with the id `here` gives it, if any, in ip's order. Each is named to the
 * kernel by its fd alone (knownNsid), as ip does, so this needs no privilege.
 */
async function namedWithIds(here: Namespace): Promise<Array<{ name: string; id: number | undefined }>> {
  const named = await namedInDirectoryOrder();
  try {
    const ids = await Promise.all(named.map((ns) => here.knownNsid(ns)));
    return named.map((ns, i) => ({ name: ns.name as string, id: ids[i] }));
  } finally {
    await closeAll(named);
  }
}

/** `netns`, `netns list`: `NAME (id: N)` per line as ip prints it; --json `[{name, id}]` as ip -j. */
export async function listNamed(words: Words, json: boolean, io: Io, here: Namespace): Promise<number> {
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const named = await namedWithIds(here);
  if (json) {
    await io.json(named.map(({ name, id }) => (id === undefined ? { name } : { name, id })));
  } else {
    await io.out(named.map(({ name, id }) => `${name}${id === undefined ? '' : ` (id: ${id})`}\n`).join(''));
  }
  return 0;
}

/** One line of list-id as ip's print_nsid prints it (its trailing blank too), and its JSON. */
function idLine(e: Shown, name: string | undefined): [string, Record<string, unknown>] {
  let text = e.nsid === null ? 'nsid unassigned ' : `nsid ${e.nsid} `;
  const json: Record<string, unknown> = e.nsid === null ? {} : { nsid: e.nsid };
  if (e.currentNsid !== undefined) {
    text += e.currentNsid === null ? 'current-nsid unassigned ' : `current-nsid ${e.currentNsid} `;
    if (e.currentNsid !== null) json['current-nsid'] = e.currentNsid;
  }
  if (name !== undefined) {
    text += `(iproute2 netns name: ${name})`;
    json.name = name;
  }
  return [`${text}\n`, json];
}

/**
 * `netns list-id [target-nsid N] [nsid N]`: the ids the current namespace gives (or with
 * target-nsid, the namespace it numbers N gives), each with the name under /run/netns of the
 * namespace it stands for when there is one; `nsid N` only the one the current namespace numbers N.
 */
export async function listIds(words: Words, json: boolean, io: Io, here: Namespace): Promise<number> {
  const seen = new Set<string>();
  let target: number | undefined;
  let only: number | undefined;
  for (let word = words.next(); word !== undefined; word = words.next()) {
    if (word !== 'target-nsid' && word !== 'nsid') throw words.unexpected(word);
    words.once(seen, word);
    const n = words.integer(word, MAX_NSID);
    if (word === 'nsid') only = n;
    else target = n;
  }
  const dumped = await here.nsids(target === undefined ? {} : { targetNsid: target });
  const entries: Shown[] = only === undefined ? dumped : await oneId(here, dumped, only, target);
  // ip names an entry after the first name (readdir order) the current namespace gives its id.
  const names = new Map<number, string>();
  for (const { name, id } of await namedWithIds(here)) if (id !== undefined && !names.has(id)) names.set(id, name);
  const lines = entries.map((e) => {
    const key = e.currentNsid === undefined ? e.nsid : e.currentNsid;
    return idLine(e, key === null ? undefined : names.get(key));
  });
  if (json) await io.json(lines.map(([, j]) => j));
  else await io.out(lines.map(([t]) => t).join(''));
  return 0;
}

/**
 * `list-id [target-nsid T] nsid N`, as the kernel answers ip's RTM_GETNSID for NETNSA_NSID N: the
 * peer the current namespace numbers N, with the id T gives it (unassigned when none); ENOENT
 * when no namespace has the id N here.
 */
async function oneId(
  here: Namespace,
  dumped: NsidEntry[],
  nsid: number,
  target: number | undefined,
): Promise<Array<Shown>> {
  const found = dumped.filter((e) => (target === undefined ? e.nsid : e.currentNsid) === nsid);
  if (found.length > 0) return found;
  if (target !== undefined && (await here.nsids()).some((e) => e.nsid === nsid)) {
    return [{ nsid: null, currentNsid: nsid }];
  }
  throw new NetnsError({
    code: 'ENOENT',
    operation: `find the namespace with id ${nsid}`,
    reason: 'no namespace has that id here (netns list-id lists them)',
  });
}

/** `netns set NAME NETNSID|auto`: the id the current namespace gives NAME (RTM_NEWNSID). */
export async function setId(words: Words, here: Namespace): Promise<number> {
  const name = words.required('a namespace name and an id: netns set NAME NETNSID|auto');
  if (words.peek() === undefined) throw words.needs('an id: netns set NAME NETNSID|auto');
  const auto = words.peek() === 'auto';
  const id = auto ? (words.next(), undefined) : words.integer('NETNSID', MAX_NSID);
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const ns = await Namespace.open(name);
  try {
    if (id !== undefined) {
      await here.setNsid(ns, id);
      return 0;
    }
    // auto, as the kernel answers ip's RTM_NEWNSID -1: a new id, or EEXIST when it has one.
    const known = await here.knownNsid(ns);
    if (known !== undefined) {
      throw new NetnsError({
        code: 'EEXIST',
        operation: `set the id of namespace "${name}" to auto`,
        reason: `it has the id ${known} already, and the kernel never changes an id once given`,
      });
    }
    await here.nsid(ns);
    return 0;
  } finally {
    await ns.close();
  }
}
