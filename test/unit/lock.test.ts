/**
 * The networks' machine-wide locks (lib/network/lock.ts): an abstract unix socket bound by the
 * addon. It must exclude a process that takes the same lock through a listening net.Server (what
 * the lock was before, and the address libuv binds), both ways, and be free again once released.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { constants } from 'node:os';
import { addon } from '../../lib/native/load';
import { acquire, socketName, withLock } from '../../lib/network/lock';

/** A key no other test or process uses. */
function freshKey(): string {
  return `test:${process.pid}:${Math.random().toString(16).slice(2)}`;
}

/** Listens on the lock's address as net.Server does: resolves with the server, or the error code. */
function listen(key: string): Promise<net.Server | string> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    server.listen({ path: `\0${socketName(key)}`, exclusive: true }, () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('network locks', () => {
  it('a held lock keeps a net.Server off its address, and a released one does not', async () => {
    const key = freshKey();
    const release = await acquire(key, 'test', 'a test lock');
    expect(await listen(key)).toBe('EADDRINUSE');
    release();
    const server = await listen(key);
    expect(server).toBeInstanceOf(net.Server);
    await close(server as net.Server);
  });

  it('waits while a net.Server holds the address, and takes it once the server closes', async () => {
    const key = freshKey();
    const server = await listen(key);
    expect(server).toBeInstanceOf(net.Server);
    let taken = false;
    const held = acquire(key, 'test', 'a test lock').then((release) => {
      taken = true;
      return release;
    });
    await turn(); // its first try has been made (synchronously, after one microtask)
    expect(taken).toBe(false);
    await close(server as net.Server);
    const release = await held;
    expect(taken).toBe(true);
    release();
  });

  it('callers in one process take it one at a time, in order', async () => {
    const key = freshKey();
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        withLock(key, 'test', 'a test lock', async () => {
          order.push(`${id} in`);
          await turn();
          order.push(`${id} out`);
        }),
      ),
    );
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('the addon binds the address, refuses a second bind, and frees it on close', () => {
    const name = socketName(freshKey());
    const fd = addon.bindAbstract(name);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(addon.bindAbstract(name)).toBe(-constants.errno.EADDRINUSE);
    fs.closeSync(fd);
    const again = addon.bindAbstract(name);
    expect(again).toBeGreaterThanOrEqual(0);
    fs.closeSync(again);
  });

  it('the addon refuses a name that is not 1-107 bytes without NUL', () => {
    for (const bad of ['', 'x'.repeat(108), 'a\0b']) {
      expect(() => addon.bindAbstract(bad)).toThrow(/bindAbstract/);
    }
  });
});
