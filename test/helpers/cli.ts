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
