/**
 * `netns-native monitor [NS]`: link, address and route changes as they happen, like
 * `ip monitor`. Needs the monitor (ns.monitor()), which is not in this build yet.
 * @internal
 */
import { NetnsError } from '../../index';
import { operandsAtMost, type ParsedArgs } from '../args';
import type { Io } from '../io';

export async function monitor(args: ParsedArgs, _io: Io): Promise<number> {
  operandsAtMost(args, 1, 'at most a namespace (NS)');
  throw new NetnsError({
    code: 'ENOSYS',
    operation: 'monitor',
    reason: 'this version of netns-native has no monitor (ns.monitor()) yet',
  });
}
