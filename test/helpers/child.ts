/**
 * Node processes of their own that use the library: for tests that kill a process with SIGKILL
 * in the middle of an operation, or run one out of file descriptors. The library's TypeScript is
 * transpiled once per test file into build/test-lib-PID/ (inside the package, so the addon is
 * found as usual) and the child loads it with `require(process.env.NNT_LIB)`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.join(__dirname, '../..');
let entry: string | undefined;

/**
 * The compiled library's index.js (compiled on first use; removed when the process exits, or by
 * jest's global teardown, test/helpers/global-teardown.js, for a jest worker, which is stopped
 * without its exit hooks).
 */
export function libraryEntry(): string {
  if (entry) return entry;
  const out = path.join(root, 'build', `test-lib-${process.pid}`);
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = path.join(dir, d.name);
      return d.isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  for (const file of walk(path.join(root, 'lib'))) {
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        useDefineForClassFields: true,
      },
    }).outputText;
    const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, js);
  }
  process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  entry = path.join(out, 'lib', 'index.js');
  return entry;
}

export interface ChildOptions {
  /** `ulimit -n` for the child. */
  maxFiles?: number;
  env?: Record<string, string>;
}

/** Starts `node -e SCRIPT` (stdout and stderr piped) with the library at NNT_LIB. */
export function startChild(script: string, options: ChildOptions = {}): ChildProcess {
  const env = { ...process.env, ...options.env, NNT_LIB: libraryEntry() };
  if (options.maxFiles !== undefined) {
    return spawn('sh', ['-c', `ulimit -n ${options.maxFiles} && exec "$0" -e "$1"`, process.execPath, script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  return spawn(process.execPath, ['-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface ChildResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<ChildResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ stdout, stderr, code, signal }));
  });
}

/** Runs a script to its end. */
export function runChild(script: string, options: ChildOptions = {}): Promise<ChildResult> {
  return finished(startChild(script, options));
}
