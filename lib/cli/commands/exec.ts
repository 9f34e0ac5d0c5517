/**
 * `netns-native exec NS -- CMD [ARG...]`: runs CMD in namespace NS as `ip netns exec NS CMD`
 * does (a mount namespace of its own, /sys of NS, /etc/netns/NS/* over /etc/*), and exits as it
 * did.
 */
import { commandAfterDashes, operandsAtMost, UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { runProgram } from '../run-program';

export async function exec(args: ParsedArgs, io: Io): Promise<number> {
  if (args.operands.length === 0) throw new UsageError('exec needs a namespace: exec NS -- CMD [ARG...]');
  operandsAtMost(args, 1, 'one namespace (NS) before --');
  const [file, rest] = commandAfterDashes(args);
  const ns = await namespaceOf(args.operands[0]);
  try {
    return await runProgram(ns, file, rest, {}, args.json, io);
  } finally {
    await ns.close();
  }
}
