/**
 * Per-test isolation: every test makes uniquely named objects (namespaces `nnt-<8 hex>`) and
 * they are removed after it, pass or fail.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { Namespace } from 'netns-native';

/** 'nnt-1a2b3c4d' for namespaces; pass a short prefix for link names (<= 15 bytes in all). */
export function uniqueName(prefix = 'nnt-'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

const made: Namespace[] = [];

/** A new named namespace, deleted after the current test. */
export async function freshNamespace(): Promise<Namespace> {
  const ns = await Namespace.create(uniqueName());
  made.push(ns);
  return ns;
}

/** Registers something to delete after the current test. */
export function cleanupLater(ns: Namespace): Namespace {
  made.push(ns);
  return ns;
}

// delete() is idempotent (a namespace the test deleted itself is fine), so a rejection here is
// a real failure of the library, reported against the test that made the namespace.
afterEach(async () => {
  const all = made.splice(0);
  const outcomes = await Promise.allSettled(all.map((ns) => ns.delete()));
  const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${all[i]?.path}: ${o.reason}`] : []));
  if (failed.length > 0)
    throw new Error(`cleanup could not delete ${failed.length} namespace(s): ${failed.join('; ')}`);
});

/**
 * Removes a FIFO a test made, first releasing anyone blocked opening it for reading: `ip netns
 * list` (which the witnesses run, in parallel test files too) opens every file under
 * /run/netns, and an open(2) of a FIFO with no writer waits for one, even after the FIFO is
 * unlinked. Opening it O_RDWR never blocks and counts as that writer.
 */
export function removeFifo(file: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  } catch {
    // already gone
  }
  fs.rmSync(file, { force: true });
  if (fd !== undefined) fs.closeSync(fd);
}
