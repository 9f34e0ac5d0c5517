/**
 * The libFuzzer targets of the native core (scripts/fuzz.sh), each for a bounded time, seeded
 * with the committed corpus (native/test/corpus/): fuzz_parser (every reply parser, the ACK
 * decoder, the request engine fed arbitrary datagrams) and fuzz_requests (requests built and
 * parsed back, namespace name and path checks). Built with ASan + UBSan; any crash, leak,
 * undefined behaviour or broken round trip fails the run and leaves its input in
 * build/fuzz/artifacts/. NETNS_NATIVE_FUZZ_SECONDS sets the time per target (default 60).
 * Skipped, out loud, without clang's libFuzzer (scripts/install-test-tools.sh installs it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { itIf } from '../helpers/skip';

const script = path.join(__dirname, '../../scripts/fuzz.sh');
const seconds = Number(process.env.NETNS_NATIVE_FUZZ_SECONDS ?? 60);
const hasLibFuzzer = spawnSync(script, ['--check'], { stdio: 'ignore' }).status === 0;
const targets = ['fuzz_parser', 'fuzz_requests'];

describe('fuzzing (libFuzzer + ASan + UBSan)', () => {
  itIf(hasLibFuzzer, 'clang++ with libFuzzer is not installed: run scripts/install-test-tools.sh')(
    `every target runs ${seconds} s with no crash`,
    () => {
      const out = execFileSync(script, [String(seconds)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1 << 26,
      });
      for (const t of targets) {
        // Some inputs were really run: a target that dies at start-up prints no count.
        expect(out).toMatch(new RegExp(`^fuzz ${t}: [1-9]\\d* runs in \\d+ s, 0 crashes$`, 'm'));
      }
    },
    (targets.length * (seconds + 180) + 60) * 1000,
  );
});
