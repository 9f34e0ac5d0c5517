/**
 * `netns-native netns add NAME` / `netns delete NAME` / `netns attach NAME PID`: named
 * namespaces, as `ip netns add`, `ip netns del` and `ip netns attach` make and remove them
 * (/run/netns/NAME); `netns` alone or `netns list` lists them, as the list verb does.
 */
import { Namespace } from '../../index';
import { UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { subcommandOf } from '../ip-words';
import { Words } from '../words';
import { list } from './list';

export async function netns(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'netns');
  const typed = words.next();
  const sub = subcommandOf('netns', typed);
  if (typed === undefined || sub === undefined || sub === 'show') {
    return list({ ...args, verb: 'list', operands: args.operands.slice(1) }, io);
  }
  if (!['add', 'delete', 'del', 'attach'].includes(sub)) {
    throw new UsageError(`netns: unknown command ${JSON.stringify(typed)} (add, delete, attach, list)`, 'netns');
  }
  words.context = `netns ${typed}`;
  const name = words.required(sub === 'attach' ? 'a name and a process ID: netns attach NAME PID' : 'a namespace name');
  const pid = sub === 'attach' ? pidOf(words) : undefined;
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  if (sub === 'add' || pid !== undefined) {
    // The name keeps it alive: this process lets go of it.
    await (await (pid === undefined ? Namespace.create(name) : Namespace.attach(name, pid))).close();
  } else {
    await (await Namespace.open(name)).delete();
  }
  return 0;
}

/** `netns attach NAME PID`: the PID. */
function pidOf(words: Words): number {
  if (words.peek() === undefined) throw words.needs('a process ID: netns attach NAME PID');
  return words.integer('PID', 0x3fffffff);
}
