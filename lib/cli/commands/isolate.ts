/**
 * `netns-native isolate -- CMD [ARG...]`: runs CMD in a throwaway network namespace (only `lo`,
 * up) and a mount namespace of its own with an empty tmpfs on /run/netns (and on /etc/netns when
 * that exists), as the test command of netns-native itself does: whatever CMD does to
 * interfaces, routes, firewall rules or named namespaces stays there and is gone when it exits.
 *
 * Through the library: an anonymous Namespace.create(), then spawn with `tmpfs` (the exec helper
 * makes the mount namespace and mounts the tmpfs between fork and exec). The namespace goes when
 * CMD and everything it started have ended.
 */
import * as fs from 'node:fs';
import { Namespace } from '../../index';
import { NETNS_RUN_DIR } from '../../process/proc';
import { ISOLATED_ENV } from '../../testing';
import { commandAfterDashes, operandsAtMost, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { runProgram } from '../run-program';

const ETC_NETNS = '/etc/netns';

export async function isolate(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 0, 'no operand before --');
  const [file, rest] = commandAfterDashes(args);
  const ns = await Namespace.create();
  try {
    await (await ns.link('lo')).up();
    // /etc/netns is shadowed only where it exists: making it would change /etc outside.
    const tmpfs = [NETNS_RUN_DIR, ...(fs.existsSync(ETC_NETNS) ? [ETC_NETNS] : [])];
    // As netns-native's own test command: netns-native/testing's isolated() reads it.
    const env = { ...process.env, [ISOLATED_ENV]: '1' };
    return await runProgram(ns, file, rest, { tmpfs, env }, args.json, io);
  } finally {
    await ns.delete();
  }
}
