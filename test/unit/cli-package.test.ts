/**
 * No root needed: the package's `bin` is wired to the CLI as the build emits it, and the CLI's
 * command line is parsed as documented (the kernel side runs in test/kernel/cli.test.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../lib/cli/args';
import { USAGE, VERB_USAGE } from '../../lib/cli/usage';
import { finished, libraryEntry } from '../helpers/child';

const root = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
};

describe('the netns-native command in the package', () => {
  it('package.json bin names bin/netns-native.js, shipped, executable, loading dist/lib/cli/main.js', () => {
    expect(pkg.bin['netns-native']).toBe('bin/netns-native.js');
    expect(pkg.files).toContain('bin/');
    const file = path.join(root, pkg.bin['netns-native'] as string);
    expect(fs.statSync(file).mode & 0o111).not.toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).toContain("require('../dist/lib/cli/main.js').run()");
    // tsconfig.build.json compiles lib/ into dist/lib/: lib/cli/main.ts is dist/lib/cli/main.js.
    expect(fs.existsSync(path.join(root, 'lib/cli/main.ts'))).toBe(true);
  });

  it('parses options anywhere before --, and leaves what follows -- alone', () => {
    expect(parseArgs(['exec', '--json', 'blue', '--', 'ip', '--json', '-br', 'a'])).toEqual({
      verb: 'exec',
      operands: ['blue'],
      command: ['ip', '--json', '-br', 'a'],
      json: true,
      help: false,
      version: false,
      events: undefined,
      details: false,
      stats: 0,
      netns: undefined,
      all: false,
      echo: false,
      pretty: false,
      family: undefined,
      options: {},
    });
    // Where the caller says a program begins (netns exec NAME), the rest is its, options and all;
    // `--` may still come first. -all (ip's) or --all anywhere before.
    const execFrom = (a: { operands: string[]; all: boolean }): boolean =>
      a.operands[0] === 'exec' && a.operands.length === (a.all ? 1 : 2);
    for (const argv of [
      ['netns', 'exec', 'blue', 'ls', '-l', '--json'],
      ['netns', 'exec', 'blue', '--', 'ls', '-l', '--json'],
    ]) {
      expect(parseArgs(argv, {}, () => true, execFrom)).toMatchObject({
        operands: ['exec', 'blue'],
        command: ['ls', '-l', '--json'],
        json: false,
      });
    }
    expect(parseArgs(['-all', 'netns', 'exec', 'ip', '-br', 'a'], {}, () => true, execFrom)).toMatchObject({
      all: true,
      operands: ['exec'],
      command: ['ip', '-br', 'a'],
    });
    expect(parseArgs(['netns', 'delete', '--all']).all).toBe(true);
    // -4, -6 as ip's; both: a bad command line.
    expect(parseArgs(['rule', '-6', 'show']).family).toBe(6);
    expect(parseArgs(['-4', 'neigh']).family).toBe(4);
    expect(() => parseArgs(['-4', 'neigh', '-6'])).toThrow(/-4 and -6 together/);
    // ip's -f (-family, any beginning of it): inet and inet6; its other families refused by name.
    expect(parseArgs(['-f', 'inet6', 'rule']).family).toBe(6);
    expect(parseArgs(['rule', '-family', 'inet', 'show'])).toMatchObject({ family: 4, operands: ['show'] });
    expect(parseArgs(['--fam', 'inet6', 'neigh']).family).toBe(6);
    expect(() => parseArgs(['-f', 'inet6', '-4', 'rule'])).toThrow(/-4 and -6 together/);
    expect(() => parseArgs(['-f', 'link', 'rule'])).toThrow(/-f link is ip's, not supported here/);
    expect(() => parseArgs(['-f', 'any', 'rule'])).toThrow(/unknown family "any".*invalid protocol family/);
    expect(() => parseArgs(['rule', '-f'])).toThrow(/-f needs a family/);
    // -0 (ip's link family) is read for any verb that takes a family; main takes it for maddr only.
    expect(parseArgs(['-0', 'maddr']).linkFamily).toBe(true);
    expect(parseArgs(['-4', 'maddr']).linkFamily).toBeUndefined();
    expect(() => parseArgs(['-0', 'maddr', '-6'])).toThrow(/-0 and -6 together/);
    expect(() => parseArgs(['-4', '-0', 'maddr'])).toThrow(/-0 and -4 together/);
    expect(() => parseArgs(['-B', 'neigh'])).toThrow(/-B \(ip's -f bridge\)/);
    expect(parseArgs(['-j', 'monitor', '--events=link,route']).events).toBe('link,route');
    // After the verb a negative number is a value (sysctl KEY -1, metric -1), -4 and -6 too but
    // for a verb that takes a family; before it, an option like any.
    const family = (verb: string): boolean => verb === 'rule';
    expect(parseArgs(['sysctl', 'k', '-1'], {}, family)).toMatchObject({ operands: ['k', '-1'], family: undefined });
    expect(parseArgs(['sysctl', 'k', '-6'], {}, family)).toMatchObject({ operands: ['k', '-6'], family: undefined });
    expect(parseArgs(['route', 'add', 'x', 'metric', '-1.5']).operands).toEqual(['add', 'x', 'metric', '-1.5']);
    expect(parseArgs(['rule', '-6', 'show'], {}, family)).toMatchObject({ operands: ['show'], family: 6 });
    expect(parseArgs(['-6', 'sysctl', 'k'], {}, family)).toMatchObject({ operands: ['k'], family: 6 });
    expect(() => parseArgs(['-1', 'sysctl', 'k'])).toThrow(/unknown option "-1"/);
    expect(() => parseArgs(['sysctl', 'k', '-x'])).toThrow(/unknown option "-x"/);
    expect(parseArgs(['links', '-d', 'blue']).details).toBe(true);
    expect(parseArgs(['--details', 'links']).details).toBe(true);
    // -s as ip's: counted, and any beginning of -stats or -statistics, with one dash or two.
    expect(parseArgs(['-s', 'link', '-s']).stats).toBe(2);
    for (const s of ['-st', '-stats', '-statis', '-statistics', '--stats', '--statistics']) {
      expect([s, parseArgs([s, 'link']).stats]).toEqual([s, 1]);
    }
    expect(() => parseArgs(['-statsx', 'link'])).toThrow(/unknown option "-statsx"/);
    expect(() => parseArgs(['---s', 'link'])).toThrow(/unknown option "---s"/);
    expect(() => parseArgs(['links', '--nope'])).toThrow(UsageError);
    expect(() => parseArgs(['monitor', '--events'])).toThrow(/--events needs a list/);
    // -n NS, as ip -n: before or after the verb; its value is never an operand.
    expect(parseArgs(['-n', 'blue', 'link', 'set', 'eth0', 'up'])).toMatchObject({
      verb: 'link',
      netns: 'blue',
      operands: ['set', 'eth0', 'up'],
    });
    expect(parseArgs(['route', '--netns', 'blue', 'get', '198.18.0.1']).netns).toBe('blue');
    expect(parseArgs(['--netns=/proc/1/ns/net', 'links']).netns).toBe('/proc/1/ns/net');
    expect(() => parseArgs(['link', '-n'])).toThrow(/-n needs a namespace/);
    expect(() => parseArgs(['--netns=', 'link'])).toThrow(/--netns needs a namespace/);
  });

  it('an unknown option is an error naming it, with the verb (before or after it) for the usage', () => {
    for (const argv of [
      ['links', '--nope', 'blue'],
      ['--nope', 'links'],
      ['links', 'blue', '-x', '--nope2'],
    ]) {
      const e = (() => {
        try {
          parseArgs(argv);
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(UsageError);
      expect(e).toMatchObject({ verb: 'links', message: expect.stringMatching(/^unknown option "(--nope|-x)"$/) });
    }
    // After --, nothing is an option of ours.
    expect(parseArgs(['exec', 'blue', '--', 'ls', '--nope']).command).toEqual(['ls', '--nope']);
  });

  it("a verb's own options: values (--x V, --x=V, repeated, in order), switches, short forms; known only after the verb", () => {
    const own = { net: { values: ['--subnet', '--alias'], switches: ['--force'], short: { '-f': '--force' } } };
    const parsed = parseArgs(['net', 'a', '--alias', 'x', '-f', '--subnet=198.18.0.0/24', 'b', '--alias', '--y'], own);
    expect(parsed).toMatchObject({
      verb: 'net',
      operands: ['a', 'b'],
      options: { '--alias': ['x', '--y'], '--force': [''], '--subnet': ['198.18.0.0/24'] },
    });
    const problem = (argv: string[]): unknown => {
      try {
        parseArgs(argv, own);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(problem(['net', '--subnet'])).toMatchObject({ verb: 'net', message: '--subnet needs a value' });
    expect(problem(['net', '--subnet', '--', 'x'])).toMatchObject({ message: '--subnet needs a value' });
    expect(problem(['net', '--force=yes'])).toMatchObject({ message: '--force takes no value ("--force=yes")' });
    // Before the verb, or after another verb, it is not known.
    expect(problem(['--force', 'net'])).toMatchObject({ verb: 'net', message: 'unknown option "--force"' });
    expect(problem(['links', '--subnet', 'x'])).toMatchObject({ message: 'unknown option "--subnet"' });
    expect(parseArgs(['links'], own).options).toEqual({});
  });
});

describe('netns-native VERB --help, and bad command lines (as a process)', () => {
  interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
  }
  const cli = async (...args: string[]): Promise<Run> => {
    const main = path.join(path.dirname(libraryEntry()), 'cli', 'main.js');
    const { code, stdout, stderr } = await finished(
      spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    return { code, stdout, stderr };
  };
  const verbs = [
    'list',
    'links',
    'addrs',
    'routes',
    'exec',
    'isolate',
    'monitor',
    'netns',
    'link',
    'addr',
    'route',
    'neigh',
    'rule',
    'nexthop',
    'network',
    'netconf',
    'maddr',
    'sysctl',
  ];
  /** Verbs without --json in their usage (each verb prints something now: none). */
  const silent = new Set<string>();

  it("each verb's --help (or -h, anywhere) prints that verb's usage on stdout and exits 0", async () => {
    for (const verb of verbs) {
      for (const argv of [
        [verb, '--help'],
        ['-h', verb],
      ]) {
        const run = await cli(...argv);
        expect([argv, run.code, run.stderr]).toEqual([argv, 0, '']);
        expect(run.stdout).toMatch(new RegExp(`^Usage: netns-native (\\[-n NS\\] )?${verb} `));
        // Its own options, and no other verb's.
        expect(run.stdout.includes('--json, -j')).toBe(!silent.has(verb));
        expect(run.stdout).toContain('--help, -h');
        expect(run.stdout.includes('--events')).toBe(verb === 'monitor');
        expect(run.stdout.includes('--details')).toBe(['links', 'link', 'rule', 'nexthop'].includes(verb));
        expect(run.stdout).toBe(VERB_USAGE[verb]);
      }
    }
    // Without a verb: the whole command's.
    expect(await cli('--help')).toEqual({ code: 0, stdout: USAGE, stderr: '' });
  }, 180000); // a process per verb: near a minute on a loaded machine

  it('an unknown option or verb: status 2, a line naming it, then the usage of the verb named', async () => {
    for (const verb of verbs) {
      const run = await cli(verb, '--frobnicate');
      expect([verb, run.code, run.stdout]).toEqual([verb, 2, '']);
      expect(run.stderr).toBe(`netns-native: unknown option "--frobnicate"\n\n${VERB_USAGE[verb]}`);
    }
    expect(await cli('-Z')).toEqual({ code: 2, stdout: '', stderr: `netns-native: unknown option "-Z"\n\n${USAGE}` });
    // ip's spellings of its objects are the command's verbs (address: addr, lin: link); others
    // are unknown, with the verbs they abbreviate or begin with.
    expect(await cli('address', '--help')).toEqual({ code: 0, stdout: VERB_USAGE.addr, stderr: '' });
    expect((await cli('lin', 'frob')).stderr).toMatch(/^netns-native: link: unknown command "frob"/);
    expect((await cli('lis')).stderr).toMatch(/^netns-native: unknown verb "lis" \(did you mean list\?\)\n/);
    expect((await cli('mr')).stderr).toMatch(/^netns-native: unknown verb "mr"\n/);
    expect((await cli('nh')).stderr).toMatch(/^netns-native: unknown verb "nh"\n/);
    expect((await cli('neighbours')).stderr).toMatch(
      /^netns-native: unknown verb "neighbours" \(did you mean neigh\?\)\n/,
    );
    // ip's own spellings of neigh, rule and nexthop are those verbs: their usage.
    for (const [spelling, verb] of [
      ['n', 'neigh'],
      ['neighbour', 'neigh'],
      ['ru', 'rule'],
      ['nex', 'nexthop'],
    ] as const) {
      expect(await cli(spelling, '--help')).toEqual({ code: 0, stdout: VERB_USAGE[verb], stderr: '' });
      expect(await cli(spelling, '--frobnicate')).toEqual({
        code: 2,
        stdout: '',
        stderr: `netns-native: unknown option "--frobnicate"\n\n${VERB_USAGE[verb]}`,
      });
    }
    const extra = await cli('routes', 'a', 'b');
    expect(extra).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^netns-native: routes takes .*"b"\n\nUsage: netns-native routes /),
    });
  }, 180000); // a process per case: near a minute on a loaded machine
});

describe('the netns-native-cni command in the package', () => {
  const bin = path.join(root, 'bin/netns-native-cni.js');
  const bundle = path.join(root, 'dist/lib/cni/bundle.js');

  it('runs from the bundle that build:ts writes, which holds every module the plugin requires', () => {
    expect(pkg.bin['netns-native-cni']).toBe('bin/netns-native-cni.js');
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    // dist/ is what `npm run build:ts` made; without it there is no bundle to check.
    if (!fs.existsSync(path.join(root, 'dist/lib/cni/main.js'))) return;
    const text = fs.readFileSync(bundle, 'utf8');
    expect(text).toMatch(/^\/\/ netns-native-cni bundle [0-9a-f]{16}: /);
    for (const m of ['cni/main.js', 'cni/bridge.js', 'cni/host-local.js', 'native/load.js', 'native/wire.js']) {
      expect(text).toContain(`${JSON.stringify(m)}: [`);
    }
    // VERSION through the bundle, with the code cache off: nothing is written into dist/.
    const out = execFileSync(process.execPath, [bin], {
      env: { ...process.env, CNI_COMMAND: 'VERSION', NETNS_NATIVE_CNI_CACHE: 'off' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toMatchObject({ cniVersion: '1.1.0' });
  });
});
