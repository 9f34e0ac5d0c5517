/**
 * The `netns-native` command as a process, for the CLI's kernel tests: the library compiled for
 * child processes (child.ts), its cli/main.js run with node.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { finished, libraryEntry } from './child';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command's script (cli/main.js of the compiled library), for tests that spawn it themselves. */
export function cliMain(): string {
  return path.join(path.dirname(libraryEntry()), 'cli', 'main.js');
}

/** `netns-native ARGS...` as a process: its exit status and output. */
export async function cli(...args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [cliMain(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { code, stdout, stderr } = await finished(child);
  return { code, stdout, stderr };
}

/** Runs it and expects status 0 and no output at all (a write, as ip prints nothing). */
export async function ok(...args: string[]): Promise<void> {
  expect([args, await cli(...args)]).toEqual([args, { code: 0, stdout: '', stderr: '' }]);
}

/** Runs it and expects status 1 with one line `netns-native: CODE: ...`; resolves with that line. */
export async function fails(code: string, ...args: string[]): Promise<string> {
  const run = await cli(...args);
  expect([args, run.code, run.stdout]).toEqual([args, 1, '']);
  expect(run.stderr).toMatch(new RegExp(`^netns-native: ${code}: cannot [^\\n]+\\n$`));
  return run.stderr;
}

/**
 * Runs it and expects status 2: a first line matching `pattern` (what is wrong), then the usage
 * of `verb` ('' for the whole command's).
 */
export async function usage(verb: string, pattern: RegExp, ...args: string[]): Promise<void> {
  const run = await cli(...args);
  expect([args, run.code, run.stdout]).toEqual([args, 2, '']);
  const [first, , third] = run.stderr.split('\n');
  expect([args, first]).toEqual([args, expect.stringMatching(pattern)]);
  const head =
    verb === ''
      ? /^Usage: netns-native \[-n NS\] \[--json\] VERB /
      : new RegExp(`^Usage: netns-native (\\[-n NS\\] )?${verb} `);
  expect([args, third]).toEqual([args, expect.stringMatching(head)]);
}
