#!/usr/bin/env node
// Checks prebuilds/ (run by scripts/prebuild.js; test/unit/prebuilds.test.ts checks the same
// symbol rules on its own): each glibc addon is for its directory's architecture, needs at most
// GLIBC_2.28, no libstdc++ (GLIBCXX_/CXXABI_) and only libc, libpthread, libgcc_s and the dynamic
// linker; each exec helper is static. Then loads what this machine can run: the host's addon in
// this Node, and the arm64 addon under qemu-aarch64-static with Debian's arm64 Node (from
// scripts/install-prebuild-tools.sh) when both are there; the helpers run `true` in this
// process's own network namespace when root (the helper's mounts stay in its own namespace).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const prebuilds = path.join(root, 'prebuilds');
const sysroots =
  process.env.NETNS_NATIVE_SYSROOTS ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'netns-native', 'sysroots');

const MACHINE = { x64: 'Advanced Micro Devices X86-64', arm64: 'AArch64' };
const MAX_GLIBC = [2, 28];
const ALLOWED_NEEDED = /^(libc\.so\.6|libpthread\.so\.0|libgcc_s\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])$/;

function readelf(args, file) {
  const r = spawnSync('readelf', ['-W', ...args, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`readelf ${args.join(' ')} ${file}: ${r.stderr || r.error}`);
  return r.stdout;
}

function versionNewer(v, max) {
  const parts = v.split('.').map(Number);
  for (let i = 0; i < Math.max(parts.length, max.length); i++) {
    const a = parts[i] ?? 0;
    const b = max[i] ?? 0;
    if (a !== b) return a > b;
  }
  return false;
}

/** Problems with one addon binary, as sentences. */
function checkAddon(file, arch) {
  const problems = [];
  const machine = /Machine:\s+(.*)/.exec(readelf(['-h'], file))?.[1].trim();
  if (machine !== MACHINE[arch]) problems.push(`is for ${machine}, not ${arch}`);
  const syms = readelf(['--dyn-syms'], file);
  const versions = new Set([...syms.matchAll(/@((?:GLIBC|GLIBCXX|CXXABI|GCC)_[0-9.]+)/g)].map((m) => m[1]));
  for (const v of versions) {
    if (v.startsWith('GLIBCXX_') || v.startsWith('CXXABI_')) problems.push(`needs the system's libstdc++ (${v})`);
    if (v.startsWith('GLIBC_') && versionNewer(v.slice(6), MAX_GLIBC)) {
      const names = [...syms.matchAll(new RegExp(`\\s(\\S+)@${v.replace(/\./g, '\\.')}`, 'g'))].map((m) => m[1]);
      problems.push(`needs ${v} (${names.join(', ')}), newer than GLIBC_${MAX_GLIBC.join('.')}`);
    }
  }
  const needed = [...readelf(['-d'], file).matchAll(/\(NEEDED\).*\[(.*)\]/g)].map((m) => m[1]);
  for (const n of needed) if (!ALLOWED_NEEDED.test(n)) problems.push(`needs ${n}`);
  return problems;
}

function checkHelper(file, arch) {
  const problems = [];
  const machine = /Machine:\s+(.*)/.exec(readelf(['-h'], file))?.[1].trim();
  if (machine !== MACHINE[arch]) problems.push(`is for ${machine}, not ${arch}`);
  if (/INTERP/.test(readelf(['-l'], file))) problems.push('is dynamically linked (it must be static)');
  if (!(fs.statSync(file).mode & 0o111)) problems.push('is not executable');
  return problems;
}

function runs(cmd, args, extraFd) {
  const stdio = ['ignore', 'pipe', 'pipe', ...(extraFd === undefined ? [] : [extraFd])];
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio, timeout: 120000 });
  return r.status === 0 ? undefined : `${cmd} failed: ${(r.stderr || r.stdout || String(r.error)).trim().slice(-400)}`;
}

/** A script that loads an addon and calls into it. */
function loadScript(file) {
  return `const a = require(${JSON.stringify(file)}); if (typeof a.transact !== 'function') throw new Error('no transact'); console.log(Object.keys(a.schema).length)`;
}

function main() {
  if (!fs.existsSync(prebuilds)) {
    console.error('prebuild-check: no prebuilds/ (run npm run prebuild)');
    process.exit(1);
  }
  const failures = [];
  const notes = [];
  const qemu = spawnSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).stdout.trim();
  const arm64Node = path.join(sysroots, 'arm64', 'usr', 'bin', 'node');
  for (const dir of fs.readdirSync(prebuilds).sort()) {
    const arch = dir.replace(/^linux-/, '');
    if (!MACHINE[arch]) {
      failures.push(`${dir}: unexpected directory`);
      continue;
    }
    const files = fs.readdirSync(path.join(prebuilds, dir)).sort();
    for (const f of files) {
      const file = path.join(prebuilds, dir, f);
      const rel = path.relative(root, file);
      let problems;
      if (f.endsWith('.glibc.node')) problems = checkAddon(file, arch);
      else if (f === 'nsexec') problems = checkHelper(file, arch);
      else problems = ['is not something a prebuild makes'];
      for (const p of problems) failures.push(`${rel} ${p}`);
      if (problems.length) continue;

      // Run what can run here.
      let error;
      let how;
      if (f.endsWith('.node') && arch === process.arch) {
        how = 'loaded';
        error = runs(process.execPath, ['-e', loadScript(file)]);
      } else if (f.endsWith('.node') && arch === 'arm64' && qemu && fs.existsSync(arm64Node)) {
        how = "loaded under qemu with Debian's arm64 Node";
        error = runs(qemu, ['-L', path.join(sysroots, 'arm64'), arm64Node, '-e', loadScript(file)]);
      } else if (f === 'nsexec' && process.getuid?.() === 0 && (arch === process.arch || (arch === 'arm64' && qemu))) {
        how = arch === process.arch ? 'ran' : 'ran under qemu';
        // The namespace as an inherited fd (fd 3), as lib/process/exec.ts passes an open one:
        // qemu-user does not translate the NS_GET_NSTYPE ioctl that checking a path needs.
        const args = ['--netns-fd', '3', '--keep-fds', '3', '--', 'true', 'true'];
        const netns = fs.openSync('/proc/self/ns/net', 'r');
        try {
          error = arch === process.arch ? runs(file, args, netns) : runs(qemu, [file, ...args], netns);
        } finally {
          fs.closeSync(netns);
        }
      }
      if (error) failures.push(`${rel}: ${error}`);
      else if (how) notes.push(`${rel}: ${how}`);
      else notes.push(`${rel}: symbols checked (cannot run here)`);
    }
    if (!files.includes('nsexec')) failures.push(`${dir}: no exec helper (nsexec)`);
  }
  for (const n of notes) console.log(`prebuild-check: ok ${n}`);
  if (failures.length) {
    console.error(`prebuild-check: ${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('prebuild-check: all prebuilds pass');
}

main();
