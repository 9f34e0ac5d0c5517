/**
 * The prebuilt binaries `npm run prebuild` makes (and `npm pack` ships): read with readelf, as
 * a user's loader would see them. Goal: the glibc addons load on glibc >= 2.28 without the
 * system's libstdc++ (so with GCC 8's, or none), and the exec helpers run on any libc.
 * Skipped, out loud, when prebuilds/ has not been built (CI builds it first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const prebuilds = path.join(root, 'prebuilds');
const built = fs.existsSync(prebuilds);
const describeBuilt = built ? describe : describe.skip;
if (!built) console.warn('netns-native: skipping the prebuild checks: no prebuilds/ (run `npm run prebuild`)');

function readelf(args: string[], file: string): string {
  return execFileSync('readelf', ['-W', ...args, file], { encoding: 'utf8' });
}

/** Every symbol version the binary asks for, with the symbols asking. */
function versionsOf(file: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of readelf(['--dyn-syms'], file).matchAll(/\sUND\s+(\S+)@([A-Z]+_[0-9.]+)/g)) {
    const [, name, version] = m as unknown as [string, string, string];
    out.set(version, [...(out.get(version) ?? []), name]);
  }
  return out;
}

function newerThan(version: string, limit: number[]): boolean {
  const v = version.split('.').map(Number);
  for (let i = 0; i < Math.max(v.length, limit.length); i++) {
    if ((v[i] ?? 0) !== (limit[i] ?? 0)) return (v[i] ?? 0) > (limit[i] ?? 0);
  }
  return false;
}

const ARCHES = [
  { dir: 'linux-x64', machine: 'Advanced Micro Devices X86-64', arch: 'x64' },
  { dir: 'linux-arm64', machine: 'AArch64', arch: 'arm64' },
];

describeBuilt('prebuilds', () => {
  it.each(ARCHES)('$dir has a glibc addon and a static exec helper for its architecture', ({ dir, machine }) => {
    const files = fs.readdirSync(path.join(prebuilds, dir)).sort();
    expect(files).toEqual(['node.napi.glibc.node', 'nsexec']);
    for (const f of files) {
      expect(readelf(['-h'], path.join(prebuilds, dir, f))).toContain(`Machine:                           ${machine}`);
    }
    const helper = path.join(prebuilds, dir, 'nsexec');
    expect(readelf(['-l'], helper)).not.toMatch(/INTERP/);
    expect(readelf(['-d'], helper)).toMatch(/no dynamic section/);
  });

  it.each(ARCHES)('$dir addon needs at most GLIBC_2.28 and no libstdc++ of the system', ({ dir }) => {
    const file = path.join(prebuilds, dir, 'node.napi.glibc.node');
    const versions = versionsOf(file);
    const tooNew = [...versions].filter(([v]) => v.startsWith('GLIBC_') && newerThan(v.slice(6), [2, 28]));
    expect(Object.fromEntries(tooNew)).toEqual({});
    expect([...versions.keys()].filter((v) => /^(GLIBCXX|CXXABI)_/.test(v))).toEqual([]);
    // The unwinder from the system's libgcc_s, at versions every GCC since 4.2 has.
    const gcc = [...versions.keys()].filter((v) => v.startsWith('GCC_'));
    expect(gcc.filter((v) => newerThan(v.slice(4), [4, 2, 0]))).toEqual([]);
    // At least the pinned pthread symbols are there, at their pre-2.34 versions (a check that
    // read nothing would pass the lines above).
    expect([...versions].find(([, names]) => names.includes('pthread_create'))?.[0]).toMatch(/^GLIBC_2\.(2\.5|17)$/);
    const needed = [...readelf(['-d'], file).matchAll(/\(NEEDED\).*\[(.*)\]/g)].map((m) => m[1]);
    expect(
      needed.filter((n) => !/^(libc\.so\.6|libpthread\.so\.0|libgcc_s\.so\.1|ld-linux-[-\w]+\.so\.\d)$/.test(n!)),
    ).toEqual([]);
  });

  it.each(ARCHES)('node-gyp-build picks the $dir addon for $arch glibc, and none for musl', ({ dir, arch }) => {
    const resolve = (libc: string) =>
      spawnSync(process.execPath, ['-e', `console.log(require('node-gyp-build').path(${JSON.stringify(root)}))`], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PREBUILDS_ONLY: '1', npm_config_arch: arch, LIBC: libc },
      });
    expect(resolve('glibc').stdout.trim()).toBe(path.join(prebuilds, dir, 'node.napi.glibc.node'));
    // musl (Alpine): no prebuilt addon (docs/compatibility.md says why), so the install compiles.
    expect(resolve('musl').stderr).toMatch(/No native build was found for .*libc=musl/);
  });

  it('the host addon loads in this Node', () => {
    const host = ARCHES.find((a) => a.arch === process.arch);
    if (!host) return;
    const file = path.join(prebuilds, host.dir, 'node.napi.glibc.node');
    const out = execFileSync(
      process.execPath,
      ['-e', `console.log(typeof require(${JSON.stringify(file)}).transact)`],
      {
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe('function');
  });
});
