/**
 * Running programs inside a namespace, the way `ip netns exec` does, through the exec helper
 * (native/exec/nsexec.c). The only file in lib/ that starts processes.
 *
 * Node spawns the helper with the caller's stdio, env, cwd and the rest of the options; the
 * helper joins and unshares namespaces, prepares the mounts, closes every fd the caller did not
 * pass and execs the program, so the ChildProcess returned is the program itself (except with a
 * new or joined PID namespace, where the helper forks once and stays as the program's parent,
 * forwarding signals and exiting as the program did).
 *
 * Failures inside the helper reach us through a status pipe whose write end closes when the
 * program is exec'd: EOF with nothing read means the program runs; one line
 * `<errno> <step>\t<detail>` means it could not be started. spawn() reads it before returning,
 * as child_process.spawn waits for exec, so the ChildProcess returned is the program, already
 * in its namespaces; on failure it emits 'error' exactly as child_process.spawn does for a
 * program it cannot start (ENOENT, EACCES), or a NetnsError when a namespace step failed.
 */
import * as child_process from 'node:child_process';
import type { ChildProcess, SpawnOptions as NodeSpawnOptions, StdioOptions } from 'node:child_process';

export type { ChildProcess };
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoName, errnoNumber, failure, fromNative, fromNodeError, invalid, NetnsError } from '../internal/errors';
import { kExecTarget, type ExecTarget, type ExecTargetOwner } from '../internal/symbols';
import { addon, addonDirectory } from '../native/load';
import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from '../native/constants';
import { checkInteger, checkObject } from '../internal/validate';
import { abortError, checkSignal, onAbort as onAbortOf } from '../internal/abort';

/** The namespace types a program can get new, or join, besides the network namespace. */
export type NamespaceType = 'mount' | 'uts' | 'ipc' | 'pid' | 'cgroup' | 'user';

/** Node's child_process.SpawnOptions, plus the namespaces to create or join. */
export interface SpawnOptions extends NodeSpawnOptions {
  /**
   * New namespaces of these types for the program (`unshare --uts --pid ...`). A new mount
   * namespace is always made (as `ip netns exec` does), so 'mount' changes nothing.
   * - 'pid': the program is PID 1 of the new PID namespace, with its own /proc (the helper
   *   forks once and stays as its parent; see {@link Namespace.spawn}).
   * - 'user': the caller's user and group are mapped to root inside (`unshare -r`), and the
   *   program also gets a mount namespace owned by the new user namespace.
   */
  unshare?: NamespaceType[];
  /** The hostname inside; implies `unshare: ['uts']`. At most 64 bytes. */
  hostname?: string;
  /**
   * Namespaces to join (`nsenter`): an nsfs path (/proc/PID/ns/uts, a bind mount, ...) or a
   * PID, whose namespace of that type is joined. Joining a mount namespace gives the program
   * that namespace's files, still with a private copy, /sys of this network namespace and
   * /etc/netns/NAME/* bound over /etc.
   */
  join?: { [type in NamespaceType]?: string | number };
  /**
   * Absolute paths on which the program gets a fresh, empty tmpfs of its own (`mount -t tmpfs`
   * in its mount namespace; nothing shows outside), at most 8. A missing directory is made
   * first. `netns-native isolate` gives its program an empty /run/netns this way.
   */
  tmpfs?: string[];
}

/** Options for {@link Namespace.exec}: SpawnOptions, plus input and a time limit. */
export interface ExecOptions extends SpawnOptions {
  /** Written to the program's stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Buffer;
  /**
   * Kill the program (with `killSignal`, default SIGTERM) after this many milliseconds; the
   * result then says `timedOut: true`. The one time limit of exec (as `timeoutMs` of ping and
   * connect).
   */
  timeoutMs?: number;
  /**
   * @deprecated Node's name for {@link ExecOptions.timeoutMs}, accepted as an alias with the same
   * effect (`timedOut` included); 0 means none, as in Node. Giving both with different values is
   * refused (EINVAL). Use `timeoutMs`.
   */
  timeout?: number;
  /**
   * Aborting it kills the program (with `killSignal`, default SIGTERM) and the call rejects with
   * an AbortError (name 'AbortError', code ABORT_ERR, `cause` the signal's reason), as Node's
   * execFile does; an already aborted signal starts nothing.
   */
  signal?: AbortSignal;
}

/** What {@link Namespace.exec} resolves with. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The exit status, or null when the program was killed by a signal. */
  exitCode: number | null;
  /** The signal that killed it ('SIGTERM', ...), or null. */
  signal: string | null;
  /** Whether it was killed because `timeoutMs` ran out. */
  timedOut: boolean;
}

const TYPES: Record<NamespaceType, { flag: number; proc: string }> = {
  mount: { flag: CLONE_NEWNS, proc: 'mnt' },
  uts: { flag: CLONE_NEWUTS, proc: 'uts' },
  ipc: { flag: CLONE_NEWIPC, proc: 'ipc' },
  pid: { flag: CLONE_NEWPID, proc: 'pid' },
  cgroup: { flag: CLONE_NEWCGROUP, proc: 'cgroup' },
  user: { flag: CLONE_NEWUSER, proc: 'user' },
};
const TYPE_NAMES = Object.keys(TYPES) as NamespaceType[];
const FLAG_NAMES = new Map<number, string>([
  ...TYPE_NAMES.map((t) => [TYPES[t].flag, t] as [number, string]),
  [CLONE_NEWNET, 'network'],
]);

/** sethostname(2) takes at most HOST_NAME_MAX bytes. */
const HOST_NAME_MAX = 64;
const MAX_PID = 0x3fffffff;
/** kMaxTmpfs in native/exec/nsexec.c. */
const MAX_TMPFS = 8;
/** Steps of the helper whose failure Node would report as a failed spawn, not a NetnsError. */
const SPAWN_STEPS = new Set(['exec', 'cwd', 'credentials']);

let helperPath: string | undefined;
function helper(operation: string): string {
  if (helperPath) return helperPath;
  const candidate = path.join(addonDirectory(), 'nsexec');
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
  } catch {
    throw failure(
      'ENOENT',
      operation,
      `the exec helper ${candidate} is missing or not executable; reinstall or rebuild the package ` +
        '(`npm rebuild netns-native`; in a checkout of netns-native itself, `npm run build:native`)',
    );
  }
  return (helperPath = candidate);
}

function checkString(value: unknown, operation: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(operation, `${what} must be a non-empty string`);
  if (value.includes('\0')) throw invalid(operation, `${what} contains a NUL byte`);
  return value;
}

/**
 * The environment, as execve(2) will take it: NAME=VALUE strings with no NUL byte (Node would
 * throw a TypeError), names without '=' (it would set another variable).
 */
function checkEnvironment(env: unknown, operation: string): void {
  if (env === undefined) return;
  const vars = checkObject<Record<string, unknown>>(env, operation, 'env');
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) continue;
    if (name.length === 0 || name.includes('=') || name.includes('\0')) {
      throw invalid(operation, `env has an invalid variable name ${JSON.stringify(name)} (empty, or with '=' or NUL)`);
    }
    if (String(value).includes('\0')) throw invalid(operation, `env.${name} contains a NUL byte`);
  }
}

interface Plan {
  helperArgs: string[];
  nodeOptions: NodeSpawnOptions;
  file: string;
  argv: string[];
  /** The network namespace fd to map into the helper, if the namespace is open. */
  netnsFd: number | undefined;
}

/** Validates everything and builds the helper's arguments; no syscall that changes anything. */
function plan(target: ExecTarget, command: unknown, args: unknown, options: SpawnOptions, operation: string): Plan {
  let file = checkString(command, operation, 'the command');
  if (!Array.isArray(args)) throw invalid(operation, 'args must be an array of strings');
  let argv = args.map((a, i) => {
    if (typeof a !== 'string') throw invalid(operation, `args[${i}] must be a string, not ${typeof a}`);
    if (a.includes('\0')) throw invalid(operation, `args[${i}] contains a NUL byte`);
    return a;
  });
  checkObject(options, operation, 'options');
  const { unshare, hostname, join, tmpfs, uid, gid, shell, argv0, stdio, ...rest } = options as SpawnOptions &
    Record<string, unknown>;
  checkEnvironment(rest.env, operation);
  if (rest.cwd !== undefined && !(rest.cwd instanceof URL)) checkString(rest.cwd, operation, 'cwd');
  if (argv0 !== undefined) checkString(argv0, operation, 'argv0');
  if (typeof shell === 'string') checkString(shell, operation, 'shell');
  if (shell) {
    // As child_process.spawn: the command line is handed to the shell.
    const line = [file, ...argv].join(' ');
    file = typeof shell === 'string' ? shell : '/bin/sh';
    argv = ['-c', line];
  }

  const flags: string[] = [];
  const unshared = new Set<NamespaceType>();
  if (unshare !== undefined) {
    if (!Array.isArray(unshare)) throw invalid(operation, `unshare must be an array of ${TYPE_NAMES.join(', ')}`);
    for (const t of unshare as unknown[]) {
      if (t === 'net' || t === 'network') {
        throw invalid(operation, 'unshare: the network namespace is the one this Namespace stands for');
      }
      if (typeof t !== 'string' || !Object.hasOwn(TYPES, t)) {
        throw invalid(
          operation,
          `unknown namespace type ${JSON.stringify(t)} in unshare; expected one of ${TYPE_NAMES.join(', ')}`,
        );
      }
      unshared.add(t as NamespaceType);
    }
  }
  if (hostname !== undefined) {
    if (typeof hostname !== 'string' || hostname.length === 0) {
      throw invalid(operation, 'the hostname must be a non-empty string');
    }
    const bytes = Buffer.byteLength(hostname);
    if (bytes > HOST_NAME_MAX) {
      throw invalid(operation, `the hostname is ${bytes} bytes long; Linux allows at most ${HOST_NAME_MAX}`);
    }
    if (hostname.includes('\0')) throw invalid(operation, 'the hostname contains a NUL byte');
    unshared.add('uts');
  }

  const joins: string[] = [];
  if (join !== undefined) {
    const spec = checkObject<Record<string, unknown>>(join, operation, 'join');
    for (const [type, value] of Object.entries(spec)) {
      if (value === undefined) continue;
      if (type === 'net' || type === 'network') {
        throw invalid(operation, 'join: the network namespace is the one this Namespace stands for');
      }
      if (!Object.hasOwn(TYPES, type)) {
        throw invalid(operation, `unknown namespace type "${type}" in join; expected one of ${TYPE_NAMES.join(', ')}`);
      }
      const t = type as NamespaceType;
      if (unshared.has(t) && t !== 'mount') {
        throw invalid(
          operation,
          t === 'uts' && hostname !== undefined
            ? 'hostname names a new UTS namespace; it cannot be combined with join.uts'
            : `the ${t} namespace cannot be both joined and new (unshare)`,
        );
      }
      joins.push('--join', `${t}=${joinPath(t, value, operation)}`);
    }
  }

  if (tmpfs !== undefined) {
    if (!Array.isArray(tmpfs)) throw invalid(operation, 'tmpfs must be an array of absolute paths');
    if (tmpfs.length > MAX_TMPFS) throw invalid(operation, `tmpfs takes at most ${MAX_TMPFS} paths`);
    tmpfs.forEach((p: unknown, i) => {
      const where = checkString(p, operation, `tmpfs[${i}]`);
      if (!path.isAbsolute(where)) throw invalid(operation, `tmpfs[${i}] must be an absolute path, not "${where}"`);
      flags.push('--tmpfs', path.normalize(where));
    });
  }
  if (uid !== undefined) flags.push('--uid', String(checkInteger(uid, operation, 'uid', 0, 0x7fffffff)));
  if (gid !== undefined) flags.push('--gid', String(checkInteger(gid, operation, 'gid', 0, 0x7fffffff)));
  for (const t of unshared) flags.push('--unshare', t);
  if (hostname !== undefined) flags.push('--hostname', hostname);
  if (rest.cwd !== undefined && joins.some((j) => j.startsWith('mount='))) flags.push('--cwd-strict');

  let netnsFd: number | undefined;
  if (target.fd !== undefined) {
    netnsFd = target.fd;
  } else {
    // Not opened yet (a namespace from list()): the helper opens the path and checks that it
    // is still the same namespace. A name gone or replaced is a NetnsError now, not later.
    checkNamespaceFile(target.path, CLONE_NEWNET, 'network', operation, target.inode);
    flags.push('--netns-path', target.path, '--netns-inode', String(target.inode));
  }
  if (target.name !== undefined) flags.push('--name', target.name);

  return {
    helperArgs: [...flags, ...joins],
    nodeOptions: { ...rest, ...(stdio !== undefined && { stdio }) } as NodeSpawnOptions,
    file,
    argv: [typeof argv0 === 'string' ? argv0 : file, ...argv],
    netnsFd,
  };
}

/** The nsfs path to join for `join[type] = value` (a path, or a PID), checked now. */
function joinPath(type: NamespaceType, value: unknown, operation: string): string {
  let nsPath: string;
  if (typeof value === 'number') {
    const pid = checkInteger(value, operation, `join.${type} (a PID)`, 1, MAX_PID);
    nsPath = `/proc/${pid}/ns/${TYPES[type].proc}`;
    if (!fs.existsSync(`/proc/${pid}`)) throw failure('ESRCH', operation, `join.${type}: no process with PID ${pid}`);
  } else if (typeof value === 'string') {
    nsPath = path.resolve(checkString(value, operation, `join.${type}`));
  } else {
    throw invalid(operation, `join.${type} must be an nsfs path or a PID, not ${typeof value}`);
  }
  checkNamespaceFile(nsPath, TYPES[type].flag, type, operation);
  return nsPath;
}

function checkNamespaceFile(nsPath: string, flag: number, type: string, operation: string, inode?: bigint): void {
  let found: { type: number; inode: bigint };
  try {
    found = addon.namespaceType(nsPath);
  } catch (e) {
    const err = fromNative(e, operation, 'namespace');
    const why =
      err.code === 'ENOENT'
        ? `${nsPath} does not exist`
        : err.code === 'EINVAL'
          ? `${nsPath} is not a namespace (not an nsfs mount or /proc/PID/ns/* entry)`
          : `${nsPath}: ${err.reason}`;
    throw new NetnsError({
      code: err.code,
      operation,
      reason: why,
      ...(err.errno !== undefined && { errno: err.errno }),
    });
  }
  if (found.type !== flag) {
    const what = FLAG_NAMES.get(found.type) ?? 'other';
    throw invalid(operation, `${nsPath} is a ${what} namespace, not a ${type} namespace`);
  }
  if (inode !== undefined && found.inode !== inode) {
    throw failure('ESTALE', operation, `${nsPath} now refers to another namespace than this one`);
  }
}

/** stdio as an array of at least 3 entries, as Node reads it (missing entries are pipes). */
function stdioArray(stdio: StdioOptions | undefined): unknown[] {
  const list: unknown[] =
    stdio === undefined ? ['pipe', 'pipe', 'pipe'] : typeof stdio === 'string' ? [stdio, stdio, stdio] : [...stdio];
  while (list.length < 3) list.push(undefined);
  return list;
}

/** A spawn failure exactly as child_process.spawn reports it (uvException). */
function spawnError(errno: number, file: string, args: string[]): NodeJS.ErrnoException {
  const code = errnoName(errno);
  const e = new Error(`spawn ${file} ${code}`) as NodeJS.ErrnoException & { spawnargs: string[] };
  e.errno = -errno;
  e.code = code;
  e.syscall = `spawn ${file}`;
  e.path = file;
  e.spawnargs = args;
  return e;
}

/** The helper's report: undefined (exec'd) or the error to emit. */
function parseStatus(text: string, plan: Plan, operation: string): Error | undefined {
  if (text.length === 0) return undefined;
  const m = /^(\d+) ([^\t]*)\t(.*)\n?$/s.exec(text);
  if (!m) return failure('EIO', operation, `the exec helper reported something unreadable: ${JSON.stringify(text)}`);
  const errno = Number(m[1]);
  const step = m[2] as string;
  const detail = (m[3] as string).trim();
  if (SPAWN_STEPS.has(step)) return spawnError(errno, plan.file, plan.argv.slice(1));
  const native = fromNative({ errno }, operation, 'namespace');
  return new NetnsError({
    code: native.code,
    errno,
    operation,
    reason: `${step} failed (${detail}): ${native.reason}`,
    detail,
  });
}

/**
 * Spawns `command` in the namespace `target` describes. Throws NetnsError for bad input or a
 * namespace that is gone, before anything is spawned.
 * @internal
 */
export function spawnIn(
  ns: ExecTargetOwner,
  command: string,
  args?: readonly string[] | SpawnOptions,
  options?: SpawnOptions,
): ChildProcess {
  if (!Array.isArray(args) && typeof args === 'object' && args !== null && options === undefined) {
    options = args as SpawnOptions;
    args = [];
  }
  const operation = `run ${JSON.stringify(String(command))}${ns.where}`;
  const p = plan(ns[kExecTarget](operation), command, args ?? [], options ?? {}, operation);
  const exe = helper(operation);

  const stdio = stdioArray(p.nodeOptions.stdio);
  const keep = stdio.length;
  const extra: unknown[] = [];
  const helperArgs = ['--keep-fds', String(keep)];
  if (p.netnsFd !== undefined) {
    helperArgs.push('--netns-fd', String(keep + extra.length));
    extra.push(p.netnsFd);
  }
  let readFd: number, writeFd: number;
  try {
    [readFd, writeFd] = addon.pipe();
  } catch (e) {
    throw fromNative(e, operation, 'namespace');
  }
  helperArgs.push('--status-fd', String(keep + extra.length));
  extra.push(writeFd);
  helperArgs.push(...p.helperArgs, '--', p.file, ...p.argv);

  let child: ChildProcess;
  try {
    child = child_process.spawn(exe, helperArgs, {
      ...p.nodeOptions,
      stdio: [...stdio, ...extra] as StdioOptions,
    });
  } catch (e) {
    fs.closeSync(readFd);
    // Node refused the options (ERR_INVALID_ARG_*) or could not start the helper (E2BIG, ...).
    throw fromSpawnError(e as NodeJS.ErrnoException, operation);
  } finally {
    fs.closeSync(writeFd); // the helper has its copy; EOF must come when it execs or exits
  }
  // What the program is, for messages and for anyone reading them (as child_process sets them).
  Object.assign(child, { spawnfile: p.file, spawnargs: p.argv });
  // If Node could not start the helper (a bad cwd), there is no writer: EOF at once, and
  // Node reports the error itself.
  let status: string;
  try {
    status = readStatus(readFd);
  } catch (e) {
    // The helper's verdict is lost (never seen: the pipe is ours alone): do not leave it running.
    child.kill('SIGKILL');
    throw fromNodeError(e, operation, 'namespace');
  }
  const error = parseStatus(status, p, operation);
  if (error) reportFailure(child, error);
  return child;
}

/**
 * Waits for the helper's verdict, as libuv waits for exec in child_process.spawn: EOF on the
 * status pipe (the program was exec'd: its write end was close-on-exec) or a failure line (the
 * helper exits 127). Blocking the event loop for this is what makes the returned ChildProcess
 * the program itself, already in its namespaces, as child_process.spawn's is.
 */
function readStatus(readFd: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1024);
  try {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(readFd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EINTR' || code === 'EAGAIN') continue;
        throw e;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
  } finally {
    fs.closeSync(readFd);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The program could not be started: as child_process.spawn does then, emit 'error' on the next
 * tick, no 'spawn' and no 'exit' (the helper's exit 127 is not the program's), and 'close' with
 * exitCode the negative errno.
 */
function reportFailure(child: ChildProcess, error: Error): void {
  const code = -Math.abs((error as { errno?: number }).errno ?? 0);
  const emit = child.emit.bind(child) as (event: string | symbol, ...args: unknown[]) => boolean;
  const setExitCode = (): void => {
    (child as { exitCode: number | null }).exitCode = code;
  };
  child.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'spawn' || event === 'exit') {
      setExitCode();
      return false;
    }
    if (event === 'close') return emit(event, code, null);
    return emit(event, ...args);
  }) as ChildProcess['emit'];
  process.nextTick(() => emit('error', error));
}

/**
 * Runs a program to completion and collects its output.
 * @internal
 */
export function execIn(
  ns: ExecTargetOwner,
  command: string,
  args?: readonly string[] | ExecOptions,
  options?: ExecOptions,
): Promise<ExecResult> {
  if (!Array.isArray(args) && typeof args === 'object' && args !== null && options === undefined) {
    options = args as ExecOptions;
    args = [];
  }
  const operation = `run ${JSON.stringify(String(command))}${ns.where}`;
  return new Promise<ExecResult>((resolve, reject) => {
    const opts = (options ?? {}) as ExecOptions;
    checkObject(opts, operation, 'options');
    const { input, timeoutMs, timeout, signal: signalOption, ...spawnOptions } = opts;
    if (input !== undefined && typeof input !== 'string' && !Buffer.isBuffer(input)) {
      throw invalid(operation, 'input must be a string or a Buffer');
    }
    let limit = timeoutMs === undefined ? undefined : checkInteger(timeoutMs, operation, 'timeoutMs', 1, 2 ** 31 - 1);
    if (timeout !== undefined) {
      // Node's name for the same thing; 0 is "none", as in Node.
      const alias = checkInteger(timeout, operation, 'timeout (an alias of timeoutMs)', 0, 2 ** 31 - 1) || undefined;
      if (limit !== undefined && alias !== limit) {
        throw invalid(operation, `timeout (${timeout}) and timeoutMs (${limit}) disagree; give timeoutMs only`);
      }
      limit ??= alias;
    }
    const signal = checkSignal(signalOption, operation);
    const stdio = stdioArray(spawnOptions.stdio);
    stdio[0] = stdio[1] = stdio[2] = 'pipe';
    const child = spawnIn(ns, command, (args ?? []) as string[], {
      ...spawnOptions,
      stdio: stdio as StdioOptions,
    });

    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.stdin?.on('error', () => undefined); // EPIPE: the program did not read its input
    child.stdin?.end(input);

    let started = false;
    let timedOut = false;
    let aborted = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      // As execFile: kill the program and reject now, not when (or whether) it exits.
      aborted = true;
      clearTimeout(timer);
      if (started) child.kill(spawnOptions.killSignal ?? 'SIGTERM');
      reject(abortError(operation, signal as AbortSignal));
    };
    // One listener per signal however many calls share it (see onAbort in internal/abort).
    const forget = signal && onAbortOf(signal, onAbort);
    child.once('spawn', () => {
      started = true;
      if (aborted) child.kill(spawnOptions.killSignal ?? 'SIGTERM');
      else if (limit !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          child.kill(spawnOptions.killSignal ?? 'SIGTERM');
        }, limit);
      }
    });
    child.on('error', (e: Error) => {
      if (started) return; // e.g. kill() failing: the program ran; 'close' settles
      clearTimeout(timer);
      forget?.();
      reject(e instanceof NetnsError ? e : fromSpawnError(e as NodeJS.ErrnoException, operation));
    });
    child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      forget?.();
      if (!started || aborted) return;
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode,
        signal,
        timedOut,
      });
    });
  });
}

/**
 * A program that could not be started, or options Node refused, as NetnsError (Promise APIs
 * reject with NetnsError, and spawn() throws it).
 */
function fromSpawnError(e: NodeJS.ErrnoException, operation: string): NetnsError {
  if (e instanceof NetnsError) return e;
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_')) {
    // Node's own argument checks (a bad stdio value, ...): bad input.
    return invalid(operation, `Node's child_process refused the options: ${String(e.message)}`);
  }
  const errno = typeof e?.errno === 'number' ? Math.abs(e.errno) : undefined;
  const code = e?.code ?? (errno !== undefined ? errnoName(errno) : 'EIO');
  const reason =
    code === 'ENOENT'
      ? `no such program (or working directory): ${JSON.stringify(e.path ?? '')}`
      : code === 'EACCES'
        ? `permission denied: ${JSON.stringify(e.path ?? '')} is not executable`
        : code === 'E2BIG'
          ? 'the arguments and environment are too large for execve(2) (at most 128 KiB per string, ' +
            'and ARG_MAX, a quarter of the stack limit, in all)'
          : code === 'EMFILE' || code === 'ENFILE'
            ? 'too many open files to start a program (the pipes and the exec helper need a few fds)'
            : String(e?.message ?? e);
  const n = errno ?? errnoNumber(code);
  return new NetnsError({ code, operation, reason, ...(n !== undefined && { errno: n }) });
}
