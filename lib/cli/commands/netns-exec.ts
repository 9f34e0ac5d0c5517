/**
 * `netns exec NAME CMD [ARG...]` (as `ip netns exec`, the exec verb's way: runProgram) and
 * `-all netns exec CMD [ARG...]`: CMD in every named namespace in turn, in ip's order, each
 * after a line `netns: NAME` (and a blank line before it, as ip prints them).
 */
import { Namespace } from '../../index';
import { failureLine } from '../failure-line';
import type { Io } from '../io';
import { closeAll, namedInDirectoryOrder } from '../netns-order';
import { ProgramNotStarted, runProgram } from '../run-program';

/** `netns exec NAME CMD...`: exits as CMD did. */
export async function execIn(name: string, file: string, rest: string[], json: boolean, io: Io): Promise<number> {
  const ns = await Namespace.open(name);
  try {
    return await runProgram(ns, file, rest, {}, json, io);
  } finally {
    await ns.close();
  }
}

/**
 * `-all netns exec CMD...`: status 0 once CMD ran in every one, whatever each exit status, as
 * ip's; a CMD that could not be started is said on stderr and the next namespace is tried.
 * --json: `[{name, exitCode, signal, stdout, stderr}]` once all have ended.
 */
export async function execInAll(file: string, rest: string[], json: boolean, io: Io): Promise<number> {
  const named = await namedInDirectoryOrder();
  try {
    const results: Array<Record<string, unknown>> = [];
    for (const ns of named) {
      if (json) {
        results.push({ name: ns.name, ...(await ns.exec(file, rest)) });
        continue;
      }
      await io.out(`\nnetns: ${ns.name as string}\n`);
      try {
        await runProgram(ns, file, rest, {}, false, io);
      } catch (e) {
        if (!(e instanceof ProgramNotStarted)) throw e;
        process.stderr.write(`${failureLine(e.error)}\n`);
      }
    }
    if (json) await io.json(results);
    return 0;
  } finally {
    await closeAll(named);
  }
}
