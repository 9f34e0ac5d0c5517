/**
 * `netns-native netns add NAME` / `netns delete NAME`: named namespaces, as `ip netns add` and
 * `ip netns del` make and remove them (/run/netns/NAME); `netns` alone or `netns list` lists
 * them, as the list verb does.
 */
import { Namespace } from '../../index';
import { UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { Words } from '../words';
import { list } from './list';

export async function netns(args: ParsedArgs, io: Io): Promise<number> {
  const words = new Words(args.operands, 'netns');
  const sub = words.next();
  if (sub === undefined || sub === 'list' || sub === 'show') {
    return list({ ...args, verb: 'list', operands: args.operands.slice(1) }, io);
  }
  if (sub !== 'add' && sub !== 'delete' && sub !== 'del') {
    throw new UsageError(`netns: unknown command ${JSON.stringify(sub)} (add, delete, list)`, 'netns');
  }
  words.context = `netns ${sub}`;
  const name = words.required('a namespace name');
  const extra = words.next();
  if (extra !== undefined) throw words.unexpected(extra);
  if (sub === 'add') {
    // The name keeps it alive: this process lets go of it.
    await (await Namespace.create(name)).close();
  } else {
    await (await Namespace.open(name)).delete();
  }
  return 0;
}
