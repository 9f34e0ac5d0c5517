/**
 * `netns-native netns ...`: named namespaces as `ip netns` (iproute2 6.1) handles them, from the
 * namespace the command runs in: add, attach, delete (`-all`: every one), `netns`/list/show with
 * the ids this namespace gives them, list-id, set, identify, pids, exec (`-all`: in every one)
 * and monitor. One file per group of subcommands (netns-ids, netns-procs, netns-exec,
 * netns-monitor); add, attach and delete are here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Namespace, NETNS_RUN_DIR } from '../../index';
import { UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { subcommandOf } from '../ip-words';
import { closeAll, directoryOrder, namedInDirectoryOrder } from '../netns-order';
import { namespaceOf } from '../namespace-arg';
import { Words } from '../words';
import { execIn, execInAll } from './netns-exec';
import { listIds, listNamed, setId } from './netns-ids';
import { monitorNames } from './netns-monitor';
import { identify, pids } from './netns-procs';

const SUBCOMMANDS = 'list, list-id, add, attach, set, delete, identify, pids, exec, monitor';

export async function netns(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'netns');
  const typed = words.next();
  const sub = subcommandOf('netns', typed) ?? 'show';
  words.context = `netns ${typed ?? ''}`.trim();
  if (args.command !== undefined && sub !== 'exec')
    throw new UsageError(`${words.context} takes no command after --`, 'netns');
  if (args.all && sub !== 'delete' && sub !== 'exec') {
    throw new UsageError('-all is for netns delete and netns exec only', 'netns');
  }
  if (args.netns !== undefined && (sub === 'add' || sub === 'attach')) {
    // ip 6.1 makes the name from inside NS, in a mount namespace of its own whose bind mount
    // never reaches /run/netns: it leaves an entry that is no namespace. A name is not per
    // namespace anyway.
    throw new UsageError(`-n NS is not for netns ${sub}: names are the same in every namespace`, 'netns');
  }
  if (args.netns !== undefined) await checkNetnsOption(args.netns);
  // As ip -n NS netns ...: the ids are those NS gives, and identify without a PID names NS. The
  // other subcommands do not depend on the namespace they run from: -n changes nothing there.
  const here = (): Promise<Namespace> => namespaceOf(args.netns);
  switch (sub) {
    case 'show':
      return listNamed(words, args.json, io, await here());
    case 'list-id':
      return listIds(words, args.json, io, await here());
    case 'set':
      return setId(words, await here());
    case 'identify':
      return identify(words, io, args.netns);
    case 'pids':
      return pids(words, args.json, io);
    case 'monitor':
      return monitorNames(words, args.json, io);
    case 'exec':
      return exec(words, args, io);
    case 'add':
    case 'attach':
      return add(words, sub === 'attach');
    case 'delete':
      return args.all ? deleteAll(words) : deleteOne(words);
    default:
      throw new UsageError(`netns: unknown command ${JSON.stringify(typed)} (${SUBCOMMANDS})`, 'netns');
  }
}

/**
 * `-n NS` before netns, as ip 6.1 takes it (netns_switch): a name under /run/netns (main refused
 * a path already, as for every verb), which must exist whatever the subcommand: ip joins NS
 * before reading the words.
 */
async function checkNetnsOption(netns: string): Promise<void> {
  await (await Namespace.open(netns)).close();
}

/** `netns add NAME`, `netns attach NAME PID`. */
async function add(words: Words, attach: boolean): Promise<number> {
  const name = words.required(attach ? 'a name and a process ID: netns attach NAME PID' : 'a namespace name');
  const pid = attach ? pidOf(words) : undefined;
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  // The name keeps it alive: this process lets go of it.
  await (await (pid === undefined ? Namespace.create(name) : Namespace.attach(name, pid))).close();
  return 0;
}

/** `netns attach NAME PID`: the PID. */
function pidOf(words: Words): number {
  if (words.peek() === undefined) throw words.needs('a process ID: netns attach NAME PID');
  return words.integer('PID', 0x3fffffff);
}

/** `netns delete NAME`. */
async function deleteOne(words: Words): Promise<number> {
  const name = words.required('a namespace name (or -all: every one)');
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  await (await Namespace.open(name)).delete();
  return 0;
}

/** strerror(3)'s words for what deleting a name may meet, as ip prints them. */
const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  ENOENT: 'No such file or directory',
  EROFS: 'Read-only file system',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

/** What a failed step says after `Cannot remove namespace file "PATH": `, as strerror(3). */
function reasonOf(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return (typeof code === 'string' && STRERROR[code]) || (e as Error).message;
}

/**
 * `-all netns delete`: every entry of /run/netns, in ip's order (readdir's), as ip 6.1 does it
 * (netns_foreach, on_netns_del): a namespace's name is deleted, and any other entry (a stray
 * file, a name whose namespace is gone) removed too, as ip unlinks whatever it finds. The first
 * that cannot go is said on stderr, `Cannot remove namespace file "PATH": REASON`, and stops it,
 * with status 0.
 */
async function deleteAll(words: Words): Promise<number> {
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const named = await namedInDirectoryOrder();
  try {
    for (const name of await directoryOrder()) {
      const ns = named.find((n) => n.name === name);
      const file = path.join(NETNS_RUN_DIR, name);
      try {
        if (ns !== undefined) await deleteNamed(ns, file);
        else await fs.promises.unlink(file);
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') continue; // gone meanwhile: nothing to do
        process.stderr.write(`Cannot remove namespace file "${file}": ${reasonOf(e)}\n`);
        break;
      }
    }
  } finally {
    await closeAll(named);
  }
  return 0;
}

/**
 * Deletes a namespace's name. The library unmounts the name before removing it, and stops when
 * the unmount is refused (EPERM: no CAP_SYS_ADMIN). ip ignores that refusal and goes on to
 * unlink(2), whose error it prints; so does this: it makes that unlink, and a failure is its
 * error (EACCES: /run/netns is not writable; EBUSY: the name is mounted here).
 */
async function deleteNamed(ns: Namespace, file: string): Promise<void> {
  try {
    await ns.delete();
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'EPERM') throw e;
    await fs.promises.unlink(file);
  }
}

/** `netns exec NAME CMD...`, `-all netns exec CMD...`: the command after NAME, `--` or not. */
async function exec(words: Words, args: ParsedArgs, io: Io): Promise<number> {
  const name = args.all ? undefined : words.required('a namespace name and a program: netns exec NAME CMD [ARG...]');
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const [file, ...rest] = args.command ?? [];
  if (file === undefined || file === '') {
    throw words.needs(args.all ? 'a program: -all netns exec CMD [ARG...]' : 'a program: netns exec NAME CMD [ARG...]');
  }
  return name === undefined ? execInAll(file, rest, args.json, io) : execIn(name, file, rest, args.json, io);
}
