/**
 * The only file that loads the addon.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Addon } from './surface';
import { checkKernel } from './kernel';

// node-gyp-build looks in build/Release first, then prebuilds/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as ((dir: string) => Addon) & { path(dir: string): string };

checkKernel();

/** The addon, loaded from the package root (this file lives in dist/lib/ or lib/). */
export const addon: Addon = load(packageRoot());

// Found now, with the addon: finding it later reads directories, which fails (as "No native
// build was found") in a process that has run out of file descriptors.
const directory = path.dirname(load.path(packageRoot()));

/**
 * The directory the addon was loaded from (build/Release, or prebuilds/linux-x64 in the
 * package). The exec helper is built and shipped beside it.
 */
export function addonDirectory(): string {
  return directory;
}

function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.join(__dirname, '..');
  }
}

