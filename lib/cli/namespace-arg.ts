/**
 * What an NS operand names: a namespace under /run/netns, or any nsfs path (a '/' in it); none
 * is the namespace the CLI runs in.
 */
import { Namespace } from '../index';

export async function namespaceOf(operand: string | undefined): Promise<Namespace> {
  if (operand === undefined) return Namespace.current();
  return operand.includes('/') ? Namespace.fromPath(operand) : Namespace.open(operand);
}
