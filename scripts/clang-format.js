#!/usr/bin/env node
// Formats (--fix) or checks (--check) every C/C++ file under native/ and bench/ with the
// clang-format shipped in the clang-format npm package, so CI needs nothing from apt.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const files = [];
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('build')) walk(p);
    } else if (/\.(c|cc|h)$/.test(entry.name)) {
      files.push(p);
    }
  }
}
walk(path.join(root, 'native'));
walk(path.join(root, 'bench'));

const bin = require.resolve('clang-format/index.js');
const fix = process.argv.includes('--fix');
const args = fix ? ['-i', ...files] : ['--dry-run', '--Werror', ...files];
try {
  execFileSync(process.execPath, [bin, '--style=file', ...args], { stdio: 'inherit', cwd: root });
} catch {
  console.error(fix ? 'clang-format failed' : 'C++ is not clang-formatted: run `npm run format`');
  process.exit(1);
}
