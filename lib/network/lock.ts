/**
 * Locks shared by every process on the machine, released by the kernel when their holder
 * dies (kill -9 included), with nothing stale left behind.
 *
 * A lock is an abstract unix socket (a name beginning with NUL: no file) bound by its holder:
 * binding a name already bound fails with EADDRINUSE, and the kernel unbinds it when the socket
 * closes, whoever closes it and however. That is what flock(2) gives, without a file to go stale.
 * The socket is made and bound by the addon, synchronously (socket + bind: two syscalls, where a
 * net.Server costs several times that in handles and events), at the address a listening
 * net.Server would bind, so a process taking the lock either way excludes the other. Abstract
 * names are per network namespace; so are the bridges and veths the locks protect, and a
 * network's state records the namespace it lives in, so every process that may act on a network
 * sees the same locks.
 *
 * Inside one process, callers queue on a promise chain per key, so only one of them at a time
 * polls the socket.
 *
 * The order in which they are taken, so that no two holders ever wait on each other: 'networks'
 * (create, remove) before a network's; a network's before 'names' (the hosts files); and never
 * two networks' at once: publish() lets its network's lock go before it takes another's to
 * reconcile that network (network.ts).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { constants } from 'node:os';
import { errnoName, failure } from '../internal/errors';
import { addon } from '../native/load';

/** How long to wait for another process before giving up (ETIMEDOUT). */
export const kLockTimeoutMs = 30_000;

const tails = new Map<string, Promise<void>>();

const names = new Map<string, string>();

/** The abstract socket name of a key, without its NUL (hashed: abstract names are limited to 107 bytes). @internal */
export function socketName(key: string): string {
  let name = names.get(key);
  if (name === undefined) {
    name = `netns-native/lock/${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
    if (names.size >= 1024) names.clear();
    names.set(key, name);
  }
  return name;
}

/** Binds `name`: the fd of the socket holding it, or undefined when another socket holds it. */
function tryBind(name: string, operation: string, what: string): number | undefined {
  const fd = addon.bindAbstract(name);
  if (fd >= 0) return fd;
  if (-fd === constants.errno.EADDRINUSE) return undefined;
  throw failure(errnoName(-fd), operation, `cannot take the lock of ${what}: its socket cannot be bound`);
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
  let fd: number | undefined;
  try {
    while ((fd = tryBind(name, operation, what)) === undefined) {
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
  const held = fd;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    fs.closeSync(held);
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
