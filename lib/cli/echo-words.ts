/**
 * ip's `-echo` on the verbs that change something: an add (addr add|replace, route
 * add|replace|change|append|prepend, rule add, nexthop add|replace, link add) prints what the
 * kernel made, a delete (addr, route, rule, nexthop, link) "Deleted " and what it removed. `ip
 * -echo link set` prints nothing (the kernel sends no copy of a changed link back, 6.18): the
 * command refuses it rather than print nothing as if echoed. Where ip ignores -echo (show, flush,
 * get), so does the command.
 * @internal
 */
import type { UsageError } from './args';
import type { Words } from './words';

/** `-echo link set`: a usage error saying why and what to do instead. */
export function linkSetNotEchoed(words: Words): UsageError {
  return words.error(
    '-echo is not taken here: the kernel sends no copy of a changed link back (ip -echo link set prints nothing); read it with link show',
  );
}
