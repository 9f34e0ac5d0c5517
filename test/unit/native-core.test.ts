/**
 * The native core on its own, without Node: golden bytes against iproute2's and nft's own
 * requests, extended-ACK and nf_tables reply decoding, malformed input and mutation loops, built
 * with AddressSanitizer and UBSan (scripts/native-test.sh). As root it also sends real nf_tables
 * batches, in a network namespace of its own.
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
