/**
 * What an NS operand names: a namespace under /run/netns, or any nsfs path (a '/' in it); none
 * is the namespace the CLI runs in. `-n NS` names only the first, as ip's -n.
 */
import * as path from 'node:path';
import { Namespace, NETNS_RUN_DIR, NetnsError } from '../index';

/**
 * Refuses a path given to `-n` (`--netns`), as ip 6.1 does: its netns_switch opens
 * /run/netns/NS, so `-n /proc/1/ns/net` looks for /run/netns//proc/1/ns/net and fails ("Cannot
 * open network namespace", status 255) before the verb is read. EINVAL here (status 1), saying
 * what to do instead: `context` is the command line's verb ('link show'); `operand` tells whether
 * the verb takes its NS as an operand (links PATH), which does take a path.
 */
export function checkNamespaceOption(netns: string, context: string, operand: boolean): void {
  if (!netns.includes('/')) return;
  // A path to a name (/run/netns/blue): that name.
  const name = path.dirname(netns) === NETNS_RUN_DIR ? path.basename(netns) : undefined;
  const instead =
    name !== undefined
      ? `give -n ${name}`
      : `give the namespace a name with netns attach NAME PID, ${
          operand
            ? `or give the path as the operand: ${context.split(' ')[0] as string} ${netns}`
            : `or run the command in it: exec ${netns} -- netns-native ...`
        }`;
  throw new NetnsError({
    code: 'EINVAL',
    operation: `open namespace "${netns}" for ${context}`,
    reason: `-n takes NAME, a name under ${NETNS_RUN_DIR}, not a path, as ip's -n (${instead})`,
  });
}

export async function namespaceOf(operand: string | undefined): Promise<Namespace> {
  if (operand === undefined) return Namespace.current();
  return operand.includes('/') ? Namespace.fromPath(operand) : Namespace.open(operand);
}

/**
 * The namespace a `netns` word names (link set ... netns NS2), as ip reads one: a name under
 * /run/netns, an nsfs path, or else, when all digits, a process ID (its namespace).
 */
export async function namespaceWord(word: string): Promise<Namespace> {
  if (!/^[0-9]+$/.test(word)) return namespaceOf(word);
  try {
    return await Namespace.open(word);
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
    return Namespace.fromPid(Number(word));
  }
}
