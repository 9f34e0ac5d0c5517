/**
 * The `netns-native` command as a process, for the CLI's kernel tests: the library compiled for
 * child processes (child.ts), its cli/main.js run with node.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { finished, libraryEntry } from './child';
import { waitFor } from './wait';

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

/** Lines with runs of blanks made one space and trailing blanks dropped. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

/**
 * Runs `netns-native monitor NS --events EVENTS` beside `ip -n NS monitor OBJECTS...` and
 * resolves with the lines each printed after the first line both showed, up to `end`. Both
 * subscribe asynchronously, so `probe(n)` (n = 1, 2, ...) makes a change and returns its line
 * until one shows in both; then `change()` makes the changes compared, the last printing `end`.
 * The command must exit 0 on SIGINT.
 */
export async function monitorsSideBySide(
  ns: string,
  events: string,
  objects: string[],
  probe: (n: number) => string,
  change: () => Promise<void> | void,
  end: string,
): Promise<{ mine: string[]; theirs: string[] }> {
  const ours = spawn(process.execPath, [cliMain(), 'monitor', ns, '--events', events], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const theirs = spawn('ip', ['-n', ns, 'monitor', ...objects], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = [finished(ours), finished(theirs)];
  let [mine, ipText] = ['', ''];
  ours.stdout.on('data', (c: Buffer) => (mine += c.toString()));
  theirs.stdout.on('data', (c: Buffer) => (ipText += c.toString()));
  const both = (line: string): boolean => [mine, ipText].every((t) => lines(t).includes(line));
  let start = '';
  try {
    let n = 0;
    start = await waitFor(
      () => {
        const line = probe(++n);
        return waitFor(() => (both(line) ? line : undefined), { what: line, timeoutMs: 200 }).catch(() => undefined);
      },
      { what: `both monitors to show a first change`, intervalMs: 0 },
    );
    await change();
    await waitFor(() => both(end), { what: `both monitors to show ${end}` });
  } finally {
    ours.kill('SIGINT');
    theirs.kill('SIGINT');
  }
  expect((await done[0])?.code).toBe(0);
  await done[1];
  const between = (text: string): string[] => {
    const all = lines(text);
    return all.slice(all.indexOf(start) + 1, all.indexOf(end) + 1);
  };
  return { mine: between(mine), theirs: between(ipText) };
}
