/**
 * The native core on its own, without Node: golden bytes against iproute2's own requests,
 * extended-ACK decoding, malformed input and a mutation loop; the thread pool (FIFO order, Call,
 * retirement, thread start failure, shutdown); the namespace thread and namespace files (as
 * root, in a throwaway namespace) — built with AddressSanitizer and UBSan, and the pool again
 * with ThreadSanitizer (scripts/native-test.sh).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

describe('native core (ASan + UBSan, TSan)', () => {
  it('passes its own checks', () => {
    const out = execFileSync(path.join(__dirname, '../../scripts/native-test.sh'), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toMatch(/^\d+ checks, 0 failed$/m);
    expect(out).toMatch(/^pool_test: \d+ checks, 0 failed$/m);
    // Root runs it; otherwise it says it skipped.
    expect(out).toMatch(/^ns_test: (\d+ checks, 0 failed|SKIPPED: not root.*)$/m);
    expect(out).toMatch(/^pool_test \(TSan, .*\):\npool_test: \d+ checks, 0 failed$|^pool_test \(TSan\): SKIPPED/m);
    if (process.getuid?.() === 0) expect(out).toMatch(/^ns_test: \d+ checks, 0 failed$/m);
  }, 600000);
});
