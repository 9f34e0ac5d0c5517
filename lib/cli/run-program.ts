/**
 * Running the program of `exec` and `isolate` and exiting as it did: its stdio is the CLI's own
 * (or, with `--json`, collected and printed as one object once it has ended), SIGTERM and SIGHUP
 * sent to the CLI are passed on to it, and SIGINT/SIGQUIT from a terminal (which reach the
 * program too, as the same process group) leave the CLI waiting for it.
 */
import { constants } from 'node:os';
import { NetnsError, type Namespace, type SpawnOptions } from '../index';
import type { Io } from './io';

/** The exit status of a program that could not be started, as sh and env use them. */
const NOT_FOUND = 127;
const CANNOT_RUN = 126;

/** A program that could not be started, as the NetnsError the CLI reports (with its status). */
export class ProgramNotStarted extends Error {
  constructor(
    readonly error: NetnsError,
    readonly status: number,
  ) {
    super(error.message);
  }
}

function statusOf(exitCode: number | null, signal: string | null): number {
  if (exitCode !== null) return exitCode;
  const n = (constants.signals as Record<string, number>)[signal ?? ''] ?? 0;
  return 128 + n;
}

function notStarted(e: unknown, file: string, ns: Namespace): never {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : 'EIO';
  const status = code === 'ENOENT' ? NOT_FOUND : code === 'EACCES' ? CANNOT_RUN : 1;
  if (e instanceof NetnsError) throw new ProgramNotStarted(e, status);
  // child_process's own 'error' (spawn FILE ENOENT): said as a NetnsError would say it.
  const reason = code === 'ENOENT' ? 'no such program' : code === 'EACCES' ? 'permission denied' : String(err?.message);
  const where = ns.name !== undefined ? ` in namespace "${ns.name}"` : '';
  throw new ProgramNotStarted(
    new NetnsError({ code, operation: `run ${JSON.stringify(file)}${where}`, reason }),
    status,
  );
}

/** Runs `file args` in `ns`; resolves with the status to exit with. */
export async function runProgram(
  ns: Namespace,
  file: string,
  args: string[],
  options: SpawnOptions,
  json: boolean,
  io: Io,
): Promise<number> {
  if (json) {
    let result;
    try {
      result = await ns.exec(file, args, options);
    } catch (e) {
      notStarted(e, file, ns);
    }
    await io.json(result);
    return statusOf(result.exitCode, result.signal);
  }
  const child = ns.spawn(file, args, { ...options, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const wait = (): void => undefined;
  process.on('SIGTERM', forward).on('SIGHUP', forward).on('SIGINT', wait).on('SIGQUIT', wait);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (e) => {
        try {
          notStarted(e, file, ns);
        } catch (failure) {
          reject(failure);
        }
      });
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        // A program that could not be started closes with the negative errno, after 'error'.
        if (code === null || code >= 0) resolve(statusOf(code, signal));
      });
    });
  } finally {
    process.off('SIGTERM', forward).off('SIGHUP', forward).off('SIGINT', wait).off('SIGQUIT', wait);
  }
}
