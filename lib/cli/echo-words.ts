/**
 * ip's `-echo` on the verbs that change something: here an add (addr add|replace, route
 * add|replace|change|append|prepend, rule add, nexthop add|replace, link add) prints what the
 * kernel made. ip also prints what a delete removed (`Deleted ...`) and what `link set`
 * changed; those are refused here rather than done silently otherwise. Where ip ignores -echo
 * (show, flush, get), so does the command.
 * @internal
 */
import type { UsageError } from './args';
import type { Words } from './words';

/** A subcommand that ip echoes and this command does not: a usage error naming it. */
export function echoNotHere(words: Words): UsageError {
  return words.error(
    '-echo is not supported here (ip prints what the kernel sent back); -echo prints what an add made',
  );
}
