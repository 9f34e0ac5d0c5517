/**
 * What an NS operand names: a namespace under /run/netns, or any nsfs path (a '/' in it); none
 * is the namespace the CLI runs in.
 */
import { Namespace } from '../index';

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
