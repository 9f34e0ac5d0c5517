#!/usr/bin/env node
// npm run prebuild: builds the prebuilt binaries shipped in the npm package, for every target
// this machine has a toolchain for, and says which it skipped and why. Then checks them
// (scripts/prebuild-check.js). Layout, as node-gyp-build looks for it (prebuildify's names):
//
//   prebuilds/linux-x64/node.napi.glibc.node     the addon, for glibc >= 2.28
//   prebuilds/linux-x64/nsexec                   the exec helper: static (musl), any libc
//   prebuilds/linux-arm64/node.napi.glibc.node   the same for arm64 (cross-compiled)
//   prebuilds/linux-arm64/nsexec
//
// On musl (Alpine), node-gyp-build finds no .musl.node and the install compiles the addon from
// source (Alpine's g++); the exec helper beside it is the static one from here, which runs on
// any libc. Why no musl addon: docs/compatibility.md ("musl").
//
// How the glibc addon loads on old systems, built here on glibc 2.36 with GCC 12:
//   - libstdc++ linked statically (-static-libstdc++, its symbols hidden with --exclude-libs),
//     so no GLIBCXX_/CXXABI_ version is needed from the system; the unwinder is the system's
//     libgcc_s (GCC_3.0 .. 4.2.0), because the static one would need _dl_find_object (2.35);
//   - native/compat/glibc_compat.c linked in: the few glibc symbols newer than 2.28 pinned to
//     their old versions or replaced (see that file);
//   - libpthread.so.0 needed explicitly, where the old pthread versions live before glibc 2.34.
// The tools come from Debian: scripts/install-prebuild-tools.sh.
//
//   node scripts/prebuild.js [--only x64-glibc,arm64-glibc,...] [--no-check]
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const work = path.join(root, 'build', 'prebuild');
const os = require('node:os');
/** Where scripts/install-prebuild-tools.sh unpacks the arm64 sysroots. */
const sysroots =
  process.env.NETNS_NATIVE_SYSROOTS ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'netns-native', 'sysroots');

const ARCHES = {
  x64: {
    triple: 'x86_64-linux-gnu',
    cross: '', // the host toolchain, when this machine is x64
    kernelHeaders: ['/usr/include', '/usr/include/x86_64-linux-gnu'],
    musl: { cc: ['musl-gcc'], need: ['musl-gcc'] },
  },
  arm64: {
    triple: 'aarch64-linux-gnu',
    cross: 'aarch64-linux-gnu-',
    kernelHeaders: ['/usr/aarch64-linux-gnu/include'],
    musl: {
      cc: ['aarch64-linux-gnu-gcc', `-specs=${path.join(work, 'musl-arm64.specs')}`],
      need: ['aarch64-linux-gnu-gcc', path.join(sysroots, 'musl-arm64', 'usr', 'lib', 'aarch64-linux-musl', 'libc.a')],
    },
  },
};

/** What is built for each target; a target is skipped (with the reason) when a tool is missing. */
const TARGETS = [
  { id: 'x64-glibc', arch: 'x64', libc: 'glibc', what: 'addon' },
  { id: 'arm64-glibc', arch: 'arm64', libc: 'glibc', what: 'addon' },
  { id: 'x64-helper', arch: 'x64', what: 'helper' },
  { id: 'arm64-helper', arch: 'arm64', what: 'helper' },
  {
    id: 'x64-musl',
    arch: 'x64',
    libc: 'musl',
    what: 'addon',
    blocked:
      'no C++ toolchain for musl in Debian: musl-tools has only musl-gcc (C), and no libstdc++ is built ' +
      'against musl (see docs/compatibility.md); Alpine compiles the addon on install instead',
  },
  {
    id: 'arm64-musl',
    arch: 'arm64',
    libc: 'musl',
    what: 'addon',
    blocked: 'as x64-musl: no musl C++ toolchain in Debian',
  },
];

function hostArch() {
  return process.arch;
}

function tool(name, arch) {
  const a = ARCHES[arch];
  return hostArch() === arch ? name : `${a.cross}${name}`;
}

function have(file) {
  if (file.includes('/')) return fs.existsSync(file);
  return spawnSync('sh', ['-c', `command -v "${file}"`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${out}`);
  }
  return r.stdout;
}

/** A directory holding only linux/, asm/ and asm-generic/ of the target's kernel headers. */
function kernelHeaders(arch) {
  const dir = path.join(work, `kernel-headers-${arch}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const sub of ['linux', 'asm', 'asm-generic']) {
    const from = ARCHES[arch].kernelHeaders.map((d) => path.join(d, sub)).find((d) => fs.existsSync(d));
    if (!from) throw new Error(`no ${sub}/ kernel headers for ${arch}`);
    fs.symlinkSync(from, path.join(dir, sub));
  }
  return dir;
}

/** musl's specs for the arm64 cross gcc, pointing at the unpacked musl-dev:arm64. */
function writeArm64MuslSpecs() {
  const base = path.join(sysroots, 'musl-arm64', 'usr');
  const inc = path.join(base, 'include', 'aarch64-linux-musl');
  const lib = path.join(base, 'lib', 'aarch64-linux-musl');
  const specs = fs
    .readFileSync(path.join(lib, 'musl-gcc.specs'), 'utf8')
    .replaceAll('/usr/include/aarch64-linux-musl', inc)
    .replaceAll('/usr/lib/aarch64-linux-musl', lib);
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'musl-arm64.specs'), specs);
}

function strip(arch, file) {
  run(tool('strip', arch), ['--strip-unneeded', file]);
}

function outDir(arch) {
  const dir = path.join(root, 'prebuilds', `linux-${arch}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function buildHelper(t) {
  const musl = ARCHES[t.arch].musl;
  const missing = musl.need.filter((n) => !have(n));
  if (missing.length) return `missing ${missing.join(', ')} (scripts/install-prebuild-tools.sh)`;
  if (t.arch === 'arm64') writeArm64MuslSpecs();
  const out = path.join(outDir(t.arch), 'nsexec');
  const [cc, ...ccArgs] = musl.cc;
  run(cc, [
    ...ccArgs,
    '-static',
    '-O2',
    '-std=gnu11',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-isystem',
    kernelHeaders(t.arch),
    '-o',
    out,
    path.join(root, 'native', 'exec', 'nsexec.c'),
  ]);
  strip(t.arch, out);
  fs.chmodSync(out, 0o755);
  return undefined;
}

/**
 * node-gyp in a scratch directory of its own (build/prebuild/<id>, with links to binding.gyp and
 * native/), so that the developer's build/Release, which node-gyp-build prefers, is untouched.
 */
function buildAddon(t) {
  if (t.blocked) return t.blocked;
  const cc = tool('gcc', t.arch);
  const cxx = tool('g++', t.arch);
  const missing = [cc, cxx, tool('strip', t.arch)].filter((n) => !have(n));
  if (missing.length) return `missing ${missing.join(', ')} (scripts/install-prebuild-tools.sh)`;

  const dir = path.join(work, t.id);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['binding.gyp', 'native']) fs.symlinkSync(path.join(root, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"netns-native-prebuild","private":true}\n');

  const compat = path.join(dir, 'glibc_compat.o');
  run(cc, [
    '-O2',
    '-fPIC',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-c',
    '-o',
    compat,
    path.join(root, 'native/compat/glibc_compat.c'),
  ]);

  const env = {
    ...process.env,
    CC: cc,
    CXX: cxx,
    LINK: cxx,
    CXXFLAGS: '-fvisibility=hidden -fvisibility-inlines-hidden',
    LDFLAGS: [
      '-static-libstdc++',
      '-Wl,--exclude-libs,ALL',
      '-Wl,--as-needed',
      '-Wl,--push-state,--no-as-needed',
      '-l:libpthread.so.0',
      '-Wl,--pop-state',
      compat,
    ].join(' '),
  };
  const gyp = require.resolve('node-gyp/bin/node-gyp.js');
  const args = [gyp, 'rebuild', `--arch=${t.arch}`, '--jobs', 'max'];
  const nodedir = nodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  run(process.execPath, args, { cwd: dir, env });

  const out = path.join(outDir(t.arch), `node.napi.${t.libc}.node`);
  fs.copyFileSync(path.join(dir, 'build', 'Release', 'netns_native.node'), out);
  strip(t.arch, out);
  fs.rmSync(dir, { recursive: true, force: true }); // kept only when the build fails
  return undefined;
}

/** npm's nodedir setting (node's headers), which node-gyp reads only when npm runs it. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  try {
    const v = execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).trim();
    return v && v !== 'undefined' && v !== 'null' ? v : undefined;
  } catch {
    return undefined;
  }
}

function main() {
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',')) : undefined;
  const targets = TARGETS.filter((t) => !only || only.has(t.id));
  if (only) {
    const unknown = [...only].filter((id) => !TARGETS.some((t) => t.id === id));
    if (unknown.length) {
      console.error(`prebuild: unknown target ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.id).join(', ')}`);
      process.exit(2);
    }
  }
  // A full run starts from nothing, so that no stale binary is shipped; --only keeps the rest.
  if (!only) fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });

  const built = [];
  const skipped = [];
  for (const t of targets) {
    process.stdout.write(`prebuild: ${t.id} ... `);
    const started = Date.now();
    const why = t.what === 'helper' ? buildHelper(t) : buildAddon(t);
    if (why) {
      skipped.push(`${t.id}: ${why}`);
      console.log(`skipped: ${why}`);
    } else {
      built.push(t.id);
      console.log(`done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  console.log(`prebuild: built ${built.length ? built.join(', ') : 'nothing'}`);
  if (skipped.length) console.log(`prebuild: skipped ${skipped.length}:\n  ${skipped.join('\n  ')}`);
  if (!built.length) process.exit(1);
  if (!argv.includes('--no-check')) {
    execFileSync(process.execPath, [path.join(__dirname, 'prebuild-check.js')], { stdio: 'inherit' });
  }
}

main();
