/**
 * The native core on its own, without Node: golden bytes against iproute2's own requests,
 * extended-ACK decoding, malformed input and a mutation loop (core_test); the netlink engine fed
 * scripted datagrams (engine_test); transport, engine, runner and namespace handle against the
 * real kernel inside a throwaway namespace (kernel_test, root only). All built with
 * AddressSanitizer and UBSan (scripts/native-test.sh).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

describe('native core (ASan + UBSan)', () => {
  it('passes its own checks', () => {
    const out = execFileSync(path.join(__dirname, '../../scripts/native-test.sh'), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const summaries = out.split('\n').filter((l) => / checks, \d+ failed$/.test(l));
    const root = process.getuid?.() === 0;
    // core, engine, and (as root) kernel: each reports, and none failed.
    expect(summaries).toHaveLength(root ? 3 : 2);
    for (const line of summaries) expect(line).toMatch(/^(\w+: )?\d+ checks, 0 failed$/);
    if (!root) expect(out).toMatch(/^kernel: skipped/m);
  }, 300000);
});
