/**
 * netns-native/testing from users' own test runners, for real: node:test, jest and vitest run as
 * processes on test files written here (one test passes, one fails), the namespaces they got from
 * freshNamespace() exist during each test and are gone after it, pass or fail, and
 * `netns-native isolate -- node --test FILE` runs a file in a throwaway namespace (isolated()
 * true, /run/netns empty, nothing left outside). The package is the one the tests build
 * (lib/ transpiled, with its ESM entries).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { finished, libraryEntry } from '../helpers/child';
import { ip } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

const root = path.join(__dirname, '../..');

/** The built library's directory, with its ESM entries written next to it. */
function library(): string {
  const dir = path.dirname(libraryEntry());
  if (!fs.existsSync(path.join(dir, 'testing.mjs'))) {
    execFileSync(process.execPath, [path.join(root, 'scripts/write-esm-entry.js'), '--out', dir]);
  }
  return dir;
}

function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'nnt-fixtures-'));
}

async function run(cmd: string, args: string[], env: Record<string, string>, cwd?: string) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child);
}

/** The names the fixture recorded (one per line in `file`). */
function recorded(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const NODE_TEST = `
import { test } from 'node:test';
import assert from 'node:assert';
import * as fs from 'node:fs';
const { freshNamespace, isolated } = await import(process.env.NNT_TESTING_URL);

test('gets a namespace of its own, deleted after it', async (t) => {
  const ns = await freshNamespace(t);
  fs.appendFileSync(process.env.NNT_OUT, ns.name + '\\n');
  assert.ok(fs.existsSync('/run/netns/' + ns.name));
  assert.deepStrictEqual((await ns.links()).map((l) => [l.name, l.isUp]), [['lo', true]]);
  if (process.env.NNT_EXPECT_ISOLATED) {
    assert.strictEqual(isolated(), true);
    assert.deepStrictEqual(fs.readdirSync('/run/netns'), [ns.name]);
  }
});

test('fails, and its namespace is deleted all the same', async (t) => {
  const ns = await freshNamespace(t, { prefix: 'nnt-f-' });
  fs.appendFileSync(process.env.NNT_OUT, ns.name + '\\n');
  throw new Error('on purpose');
});
`;

const JEST = `
const fs = require('node:fs');
const { freshNamespace } = require(process.env.NNT_TESTING);

test('gets a namespace of its own, deleted after it', async () => {
  const ns = await freshNamespace();
  fs.appendFileSync(process.env.NNT_OUT, ns.name + '\\n');
  expect(fs.existsSync('/run/netns/' + ns.name)).toBe(true);
  expect((await ns.links()).map((l) => l.name)).toEqual(['lo']);
});

test('fails, and its namespace is deleted all the same', async () => {
  const ns = await freshNamespace(undefined, { prefix: 'nnt-f-' });
  fs.appendFileSync(process.env.NNT_OUT, ns.name + '\\n');
  throw new Error('on purpose');
});

test('the previous test left nothing', () => {
  for (const name of fs.readFileSync(process.env.NNT_OUT, 'utf8').split('\\n').filter(Boolean)) {
    expect(fs.existsSync('/run/netns/' + name)).toBe(false);
  }
});
`;

// docs/testing-your-code.md's vitest example (plus a line recording the name), then a failing test and a
// check that the failed test's namespace is gone too.
const VITEST = `
// tenant.test.ts — run with: sudo npx netns-native isolate -- npx vitest run
import { expect, test } from 'vitest';
import { freshNamespace } from 'netns-native/testing';

test('a tenant gets its veth', async (context) => {
  const ns = await freshNamespace(context); // onTestFinished deletes it
  expect((await ns.links()).map((l) => l.name)).toEqual(['lo']);
  (await import('node:fs')).appendFileSync(process.env.NNT_OUT, ns.name + '\\n');
});

test('fails, and its namespace is deleted all the same', async (context) => {
  const ns = await freshNamespace(context, { prefix: 'nnt-f-' });
  (await import('node:fs')).appendFileSync(process.env.NNT_OUT, ns.name + '\\n');
  throw new Error('on purpose');
});

test('the previous tests left nothing', async () => {
  const fs = await import('node:fs');
  for (const name of fs.readFileSync(process.env.NNT_OUT, 'utf8').split('\\n').filter(Boolean)) {
    expect(fs.existsSync('/run/netns/' + name)).toBe(false);
  }
});
`;

/**
 * A scratch project in which `netns-native` is the library the tests build (its ESM and CJS
 * entries, the "exports" of the real package.json), and the test runner is this repository's.
 */
function project(runner: string): string {
  const dir = scratch();
  const pkg = path.join(dir, 'node_modules', 'netns-native');
  fs.mkdirSync(pkg, { recursive: true });
  fs.symlinkSync(library(), path.join(pkg, 'lib'));
  const exports = (entry: string) => ({
    import: `./lib/${entry}.mjs`,
    require: `./lib/${entry}.js`,
  });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'netns-native', exports: { '.': exports('index'), './testing': exports('testing') } }),
  );
  fs.symlinkSync(path.join(root, 'node_modules', runner), path.join(dir, 'node_modules', runner));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-project', type: 'module' }));
  return dir;
}

describeKernel('netns-native/testing in your own tests', () => {
  it('node:test: freshNamespace(t) is deleted after each test, passed or failed', async () => {
    const dir = scratch();
    const file = path.join(dir, 'service.test.mjs');
    const out = path.join(dir, 'names');
    fs.writeFileSync(file, NODE_TEST);
    const env = { NNT_TESTING_URL: pathToFileURL(path.join(library(), 'testing.mjs')).href, NNT_OUT: out };
    const result = await run(process.execPath, ['--test', file], env);
    expect(result.code).toBe(1); // one test failed on purpose
    expect(result.stdout).toMatch(/# pass 1/);
    expect(result.stdout).toMatch(/# fail 1/);
    const names = recorded(out);
    expect(names).toHaveLength(2);
    const listed = ip(undefined, 'netns', 'list');
    for (const name of names) expect(listed).not.toContain(name);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('jest: freshNamespace() is deleted by the afterEach hooked at import, passed or failed', async () => {
    const dir = scratch();
    const out = path.join(dir, 'names');
    fs.writeFileSync(path.join(dir, 'service.test.js'), JEST);
    const jest = path.join(root, 'node_modules/jest/bin/jest.js');
    const config = JSON.stringify({ testEnvironment: 'node', transform: {}, rootDir: dir });
    const result = await run(process.execPath, [jest, '--config', config, '--ci'], {
      NNT_TESTING: path.join(library(), 'testing.js'),
      NNT_OUT: out,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Tests:\s+1 failed, 2 passed, 3 total/);
    const names = recorded(out);
    expect(names).toHaveLength(2);
    const listed = ip(undefined, 'netns', 'list');
    for (const name of names) expect(listed).not.toContain(name);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('vitest: the documented example runs; freshNamespace(context) is deleted after each test, passed or failed', async () => {
    const dir = project('vitest');
    const out = path.join(dir, 'names');
    fs.writeFileSync(path.join(dir, 'tenant.test.ts'), VITEST);
    const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
    const result = await run(
      process.execPath,
      [vitest, 'run', '--root', dir, '--reporter', 'verbose', '--no-color'],
      { NNT_OUT: out, CI: '1' },
      dir,
    );
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1); // one test failed on purpose
    expect(output).toMatch(/✓ tenant\.test\.ts > a tenant gets its veth/);
    expect(output).toMatch(/✓ tenant\.test\.ts > the previous tests left nothing/);
    expect(output).toMatch(/Tests\s+1 failed \| 2 passed \(3\)/);
    const names = recorded(out);
    expect(names).toHaveLength(2);
    const listed = ip(undefined, 'netns', 'list');
    for (const name of names) expect(listed).not.toContain(name);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('netns-native isolate -- node --test FILE: the file runs in a throwaway namespace', async () => {
    const dir = scratch();
    const file = path.join(dir, 'service.test.mjs');
    const out = path.join(dir, 'names');
    fs.writeFileSync(file, NODE_TEST);
    const before = ip(undefined, 'netns', 'list');
    const cli = path.join(library(), 'cli', 'main.js');
    const env = {
      NNT_TESTING_URL: pathToFileURL(path.join(library(), 'testing.mjs')).href,
      NNT_OUT: out,
      NNT_EXPECT_ISOLATED: '1',
      NETNS_NATIVE_ISOLATED: '',
    };
    const result = await run(process.execPath, [cli, 'isolate', '--', process.execPath, '--test', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/# pass 1/);
    expect(recorded(out)).toHaveLength(2);
    expect(ip(undefined, 'netns', 'list')).toBe(before);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('without a context nor a runner hook, freshNamespace() says what to do and creates nothing', async () => {
    const script = `
      const { freshNamespace } = require(process.env.NNT_TESTING);
      freshNamespace().then(() => process.exit(3), (e) => { console.log(JSON.stringify({ code: e.code, message: e.message })); });
    `;
    const before = ip(undefined, 'netns', 'list');
    const result = await run(process.execPath, ['-e', script], { NNT_TESTING: path.join(library(), 'testing.js') });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      code: 'EINVAL',
      message: expect.stringMatching(
        /no test runner hook to delete it: pass the test context \(node:test: freshNamespace\(t\)/,
      ),
    });
    expect(ip(undefined, 'netns', 'list')).toBe(before);
  });
});
