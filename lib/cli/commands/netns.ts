/**
 * `netns-native netns ...`: named namespaces as `ip netns` (iproute2 6.1) handles them, from the
 * namespace the command runs in: add, attach, delete (`-all`: every one), `netns`/list/show with
 * the ids this namespace gives them, list-id, set, identify, pids, exec (`-all`: in every one)
 * and monitor. One file per group of subcommands (netns-ids, netns-procs, netns-exec,
 * netns-monitor); add, attach and delete are here.
 */
import { Namespace } from '../../index';
import { UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { subcommandOf } from '../ip-words';
import { closeAll, namedInDirectoryOrder } from '../netns-order';
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
      return identify(words, args.json, io, args.netns);
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
};

/**
 * `-all netns delete`: every named namespace, in ip's order. As ip 6.1 (netns_foreach), the
 * first that cannot be deleted is said on stderr, `Cannot remove namespace file "PATH": REASON`,
 * and stops it, with status 0.
 */
async function deleteAll(words: Words): Promise<number> {
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  const named = await namedInDirectoryOrder();
  try {
    for (const ns of named) {
      try {
        await ns.delete();
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        const reason = (typeof code === 'string' && STRERROR[code]) || (e as Error).message;
        process.stderr.write(`Cannot remove namespace file "${ns.path}": ${reason}\n`);
        break;
      }
    }
  } finally {
    await closeAll(named);
  }
  return 0;
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
