#!/usr/bin/env node
// Runs after prebuildify (npm run prebuild): puts the exec helper, built by the same node-gyp
// run as the addon (binding.gyp target "nsexec"), beside the prebuilt addon in
// prebuilds/<platform>-<arch>/, where lib/native/load.ts looks for it, and strips it as
// prebuildify --strip does the addon.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const from = path.join(root, 'build', 'Release', 'nsexec');
const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const to = path.join(dir, 'nsexec');

if (!fs.existsSync(from)) {
  console.error(`copy-exec-helper: ${from} is missing; run prebuildify (or node-gyp rebuild) first`);
  process.exit(1);
}
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(from, to);
fs.chmodSync(to, 0o755);
try {
  execFileSync(process.env.PREBUILD_STRIP_BIN || 'strip', ['--strip-all', to], { stdio: 'inherit' });
} catch {
  console.warn('copy-exec-helper: strip failed; the helper is shipped unstripped');
}
console.log(`copy-exec-helper: ${path.relative(root, to)}`);
