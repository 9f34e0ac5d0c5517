/**
 * The exec helper on kernels older than this one: close_range(2) (5.9) and pidfd_open(2) (5.3)
 * are made to fail with ENOSYS by strace's fault injection, as a 5.4 or 4.18 kernel would answer,
 * and the program must still hold only the fds the caller passed. strace's own trace of the
 * helper proves the injection happened (a test whose fault was never injected cannot pass).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addonDirectory } from '../../lib/native/load';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

const helper = path.join(addonDirectory(), 'nsexec');

/**
 * The fds a process holds once it has settled: a program is seen as `sleep` from the start of its
 * execve, a moment before the kernel closes its close-on-exec fds (begin_new_exec), and the
 * supervisor closes its copy of the pipe's other end just after its fork. A leak never settles.
 */
/**
 * Waits until `pid` holds fds 0-2 and nothing else: an fd the caller did not pass would stay, and
 * the wait time out naming it. Polled, as the program's own start (the loader opening its
 * libraries, locale files) holds fd 3 for moments after exec.
 */
async function onlyStdio(pid: number): Promise<void> {
  await waitFor(() => (fdsOf(pid).join(',') === '0,1,2' ? true : undefined), {
    what: 'the program to hold fds 0-2 only',
    timeoutMs: 3000,
    describe: () => JSON.stringify(fdsOf(pid)),
  });
}

async function settledFds(pid: number, expected: (fds: string[]) => boolean, what: string): Promise<string[]> {
  // An fd closed between the listing and its readlink is one that settled: left out.
  const read = () =>
    fdsOf(pid).flatMap((fd) => {
      try {
        return [fs.readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return [];
      }
    });
  return waitFor(() => (expected(read()) ? read() : undefined), {
    what,
    timeoutMs: 3000,
    describe: () => JSON.stringify(read()),
  });
}

function fdsOf(pid: number): number[] {
  return fs
    .readdirSync(`/proc/${pid}/fd`)
    .map(Number)
    .sort((a, b) => a - b);
}

function childrenOf(pid: number): number[] {
  try {
    const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Runs the helper under strace with close_range and pidfd_open failing ENOSYS, with two extra
 * pipes (fds 3 and 4) that the program must not get. Resolves with the pid of `sleep` once the
 * helper has exec'd it, the strace child and the trace file.
 */
async function underOldKernel(helperArgs: string[]): Promise<{ strace: ChildProcess; sleeper: number; trace: string }> {
  const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-')), 'trace');
  const inode = fs.statSync('/proc/self/ns/net', { bigint: true }).ino;
  const strace = spawn(
    'strace',
    [
      '-f',
      '-o',
      trace,
      '-e',
      'trace=close_range,pidfd_open,execve',
      '-e',
      'inject=close_range:error=ENOSYS',
      '-e',
      'inject=pidfd_open:error=ENOSYS',
      helper,
      '--keep-fds',
      '3',
      '--netns-path',
      '/proc/self/ns/net',
      '--netns-inode',
      String(inode),
      ...helperArgs,
      '--',
      'sleep',
      'sleep',
      '60',
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const sleeper = await waitFor(
    () => {
      // strace -> helper (-> program, with a PID namespace); the program is `sleep` once exec'd.
      const queue = childrenOf(strace.pid as number);
      while (queue.length) {
        const pid = queue.shift() as number;
        if (comm(pid) === 'sleep') return pid;
        queue.push(...childrenOf(pid));
      }
      return 0;
    },
    { what: 'the helper to exec sleep under strace' },
  );
  return { strace, sleeper, trace };
}

async function finish(strace: ChildProcess, sleeper: number): Promise<void> {
  const exited = new Promise((resolve) => strace.once('exit', resolve));
  process.kill(sleeper, 'SIGKILL');
  await exited;
}

describeKernel('exec helper without close_range (kernels before 5.9)', () => {
  it('closes every fd the caller did not pass when close_range fails with ENOSYS', async () => {
    const { strace, sleeper, trace } = await underOldKernel([]);
    try {
      await onlyStdio(sleeper);
    } finally {
      await finish(strace, sleeper);
    }
    const log = fs.readFileSync(trace, 'utf8');
    expect(log).toMatch(/close_range\(3, 4294967295, 0\)\s+= -1 ENOSYS .*\(INJECTED\)/);
  });

  it('runs a program in a new PID namespace without close_range or pidfd_open', async () => {
    const { strace, sleeper, trace } = await underOldKernel(['--unshare', 'pid']);
    try {
      await onlyStdio(sleeper);
      // The helper stays as its parent, holding only /proc (O_PATH) and the pipe the program
      // watches to learn of its death: nothing of the caller's.
      const supervisor = Number(fs.readFileSync(`/proc/${sleeper}/status`, 'utf8').match(/^PPid:\s+(\d+)/m)?.[1]);
      const held = await settledFds(supervisor, (fds) => fds.length === 2, 'the supervisor to hold two fds');
      expect(held.sort()).toEqual(['/proc', expect.stringMatching(/^pipe:/)].sort());
    } finally {
      await finish(strace, sleeper);
    }
    const log = fs.readFileSync(trace, 'utf8');
    expect(log).toMatch(/close_range\(.*\)\s+= -1 ENOSYS .*\(INJECTED\)/);
    expect(log).not.toMatch(/pidfd_open\(/);
  });
});
