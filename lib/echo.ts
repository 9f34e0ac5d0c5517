/**
 * `echo: true` on an add (Link.addAddress, Namespace.addRoute, Namespace.addRule): the request
 * goes with NLM_F_ECHO, and the kernel sends the object it made back to its sender before the
 * ACK (its own notification, unicast: nlmsg_notify), which the add resolves with, as
 * `ip -echo addr|route|rule add` prints it. Without the option the request is unchanged.
 * @internal
 */
import { failure } from './internal/errors';

/** What an add's options say of `echo`; anything but true or false is refused. */
export interface EchoOption {
  /**
   * Resolve with the object the kernel made, as it sends it back (`ip -echo`): its own flags,
   * the defaults it filled in. Default false: resolve with nothing (one ACK, nothing more).
   */
  echo?: boolean;
}

/**
 * The object an add made, from the kernel's echo of it (the first, as ip prints the first). A
 * kernel that ignores NLM_F_ECHO for this kind sends only the ACK: EPROTO, never a hang.
 */
export function echoedObject<T>(echoed: readonly T[] | undefined, operation: string, what: string): T {
  const made = echoed?.[0];
  if (made === undefined) {
    throw failure(
      'EPROTO',
      operation,
      `the kernel made the ${what} but did not send it back (this kernel ignores NLM_F_ECHO for ${what}s): read it with a listing instead`,
    );
  }
  return made;
}
