/**
 * The package as a user gets it: scripts/pack-test.sh packs the tarball, installs it in a scratch
 * project and checks both entries (netns-native, netns-native/testing: require, import, types,
 * arethetypeswrong) and both commands (netns-native, netns-native-cni). It needs the prebuilt
 * binaries (`npm run prebuild`, which .ci/run does before the suite), dist/ (`npm run build:ts`)
 * and the npm registry; without prebuilds/ it skips, saying so.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '../..');
const ready = fs.existsSync(path.join(root, 'prebuilds')) && fs.existsSync(path.join(root, 'dist/lib/index.mjs'));
if (!ready) console.warn('netns-native: skipping the pack test: run `npm run build:ts && npm run prebuild` first');

(ready ? describe : describe.skip)('the packed tarball (scripts/pack-test.sh)', () => {
  it('installs without compiling; both entries load and type-check; both commands run', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(path.join(root, 'scripts/pack-test.sh'), { cwd: root, maxBuffer: 64 << 20 }, (error, out, err) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err }),
      );
    });
    if (code !== 0) console.error(stderr);
    expect(code).toBe(0);
    expect(stdout).toMatch(/require and import agree \(netns-native, netns-native\/testing\)/);
    expect(stdout).toMatch(/the commands run: netns-native --help, --version/);
    expect(stdout).toMatch(/"supportedVersions"/);
    expect(stdout.trim().split('\n').pop()).toBe('pack-test: ok');
  }, 600_000);
});
