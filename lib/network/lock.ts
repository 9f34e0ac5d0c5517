/**
 * Locks shared by every process on the machine, released by the kernel when their holder
 * dies (kill -9 included), with nothing stale left behind.
 *
 * A lock is an abstract unix socket (a name beginning with NUL: no file) bound and listening:
 * binding a name already bound fails with EADDRINUSE, and the kernel unbinds it when the socket
 * closes, whoever closes it and however. That is what flock(2) gives, without a file to go stale
 * and without native code (Node has no flock). Abstract names are per network namespace; so are
 * the bridges and veths the locks protect, and a network's state records the namespace it lives
 * in, so every process that may act on a network sees the same locks.
 *
 * Inside one process, callers queue on a promise chain per key, so only one of them at a time
 * polls the socket.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { failure } from '../internal/errors';

/** How long to wait for another process before giving up (ETIMEDOUT). */
export const kLockTimeoutMs = 30_000;

const tails = new Map<string, Promise<void>>();

/** The abstract socket name of a key (hashed: abstract names are limited to 107 bytes). */
function socketName(key: string): string {
  return `\0netns-native/lock/${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

function tryBind(name: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolve(undefined);
      else reject(e);
    });
    server.listen({ path: name, exclusive: true }, () => resolve(server));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes the machine-wide lock `key` (held by at most one process, and one caller in it). */
export async function acquire(key: string, operation: string, what: string): Promise<() => void> {
  // In-process: wait for the previous caller's release.
  const previous = tails.get(key) ?? Promise.resolve();
  let releaseLocal!: () => void;
  const mine = new Promise<void>((resolve) => (releaseLocal = resolve));
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;

  const name = socketName(key);
  const deadline = Date.now() + kLockTimeoutMs;
  let delay = 1;
  let server: net.Server | undefined;
  try {
    while ((server = await tryBind(name)) === undefined) {
      if (Date.now() > deadline) {
        throw failure(
          'ETIMEDOUT',
          operation,
          `another process has held the lock of ${what} for ${kLockTimeoutMs / 1000} s`,
        );
      }
      // Another process holds it: try again soon, backing off up to 8 ms.
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 8);
    }
  } catch (e) {
    releaseLocal();
    if (tails.get(key) === tail) tails.delete(key);
    throw e;
  }
  const held = server;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.close();
    releaseLocal();
    if (tails.get(key) === tail) tails.delete(key);
  };
}

/** Runs `fn` holding the lock `key`. */
export async function withLock<T>(key: string, operation: string, what: string, fn: () => Promise<T>): Promise<T> {
  const release = await acquire(key, operation, what);
  try {
    return await fn();
  } finally {
    release();
  }
}
