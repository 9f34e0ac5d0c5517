/**
 * The native core on its own, without Node or root: golden bytes against iproute2's own
 * requests, extended-ACK decoding, malformed input and a mutation loop, built with
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
    expect(out).toMatch(/^\d+ checks, 0 failed$/m);
  }, 300000);
});
