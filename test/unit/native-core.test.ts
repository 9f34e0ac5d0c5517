/**
 * The native core on its own, without Node (scripts/native-test.sh): golden bytes against
 * iproute2's own requests, link kinds, extended-ACK decoding, malformed input and a mutation loop
 * (core_test); the netlink engine fed scripted datagrams (engine_test); the thread pool
 * (pool_test, and again under ThreadSanitizer); and, as root in a throwaway namespace, the
 * transport, runner and namespace handle against the real kernel (kernel_test) and the namespace
 * thread and namespace files (ns_test); the nf_tables codec against nft's own bytes (nft_test)
 * and against the real kernel (nft_kernel_test); notifications decoded, and a monitor socket
 * against the real kernel as root (monitor_test); route encapsulations against ip's bytes
 * (route_encap_test). Built with AddressSanitizer and UBSan.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

describe('native core (ASan + UBSan, TSan for the pool)', () => {
  it('passes its own checks', () => {
    const out = execFileSync(path.join(__dirname, '../../scripts/native-test.sh'), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const root = process.getuid?.() === 0;
    for (const name of ['core_test', 'engine_test', 'pool_test', 'nft_test', 'monitor_test', 'route_encap_test']) {
      expect(out).toMatch(new RegExp(`^${name}: \\d+ checks, 0 failed$`, 'm'));
    }
    for (const name of ['kernel_test', 'ns_test', 'nft_kernel_test', 'monitor_test \\(with kernel\\)']) {
      expect(out).toMatch(new RegExp(root ? `^${name}: \\d+ checks, 0 failed$` : `^${name}: SKIPPED: `, 'm'));
    }
    expect(out).toMatch(/^pool_test \(TSan, .*\):\npool_test: \d+ checks, 0 failed$|^pool_test \(TSan\): SKIPPED/m);
    // Nothing reported a failure anywhere.
    expect(out).not.toMatch(/ checks, [1-9]\d* failed$/m);
  }, 600000);
});
