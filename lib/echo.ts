/**
 * `echo: true` on an add (Link.addAddress, Namespace.addRoute, Namespace.addRule) or a delete
 * (Link.deleteAddress, Namespace.deleteRoute, deleteRule, deleteNexthop, Link.delete): the
 * request goes with NLM_F_ECHO, and the kernel sends the object it made or removed back to its
 * sender before the ACK (its own notification, unicast: nlmsg_notify), which the call resolves
 * with, as `ip -echo addr|route|rule|nexthop|link add|del` prints it. Without the option the
 * request is unchanged.
 * @internal
 */
import { failure } from './internal/errors';

/** What an add's or a delete's options say of `echo`; anything but true or false is refused. */
export interface EchoOption {
  /**
   * Resolve with the object the kernel made (an add) or removed (a delete), as it sends it back
   * (`ip -echo`): its own flags, the defaults it filled in. Default false: resolve with nothing
   * (one ACK, nothing more).
   */
  echo?: boolean;
}

/**
 * The object an add made or a delete removed, from the kernel's echo of it: the first echoed
 * that `wanted` accepts (a delete can echo more than one: a veth's peer, a group that lost a
 * member), by default the first, as ip prints the first. A kernel that ignores NLM_F_ECHO for
 * this kind sends only the ACK: EPROTO, never a hang.
 */
export function echoedObject<T>(
  echoed: readonly T[] | undefined,
  operation: string,
  what: string,
  removed = false,
  wanted: (x: T) => boolean = () => true,
): T {
  const found = echoed?.find(wanted);
  if (found === undefined) {
    throw failure(
      'EPROTO',
      operation,
      `the kernel ${removed ? 'removed' : 'made'} the ${what} but did not send it back (this kernel ignores NLM_F_ECHO for ${what}s): ${removed ? 'list them before the delete instead' : 'read it with a listing instead'}`,
    );
  }
  return found;
}
