/**
 * Node sockets living in a namespace. The socket is created by the addon on the namespace
 * thread (a socket belongs for life to the namespace it was created in), then handed to Node
 * as an fd: `server.listen({ fd })`, `new net.Socket({ fd })`, `dgram bind({ fd })`. From
 * then on Node owns it and its traffic goes through that namespace, while this process and
 * every one of its threads stay where they are. One process can serve in many namespaces.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { constants } from 'node:os';
import { abortable, AbortError, checkSignal } from '../internal/abort';
import { failure, fromNative, fromNodeError, invalid, NetnsError } from '../internal/errors';
import { kHandle, type HandleOwner } from '../internal/symbols';
import { addon } from '../native/load';
import type { NativeSocketRequest } from '../native/surface';
import { checkInteger, checkObject, parseIp } from '../internal/validate';

/** Options for {@link Namespace.listen}. */
export interface ListenOptions {
  /** TCP port; 0 picks a free one (read it from `server.address()`). */
  port: number;
  /**
   * The address to bind: an IPv4 or IPv6 address assigned in the namespace. Default '::'
   * (every address, IPv4 too, as Node's own default), or '0.0.0.0' where IPv6 is disabled.
   */
  host?: string;
  /** Pending connections queue length. Default 511, as Node. */
  backlog?: number;
}

/** Options for {@link Namespace.connect}. */
export interface ConnectOptions {
  port: number;
  /** An IPv4 or IPv6 address (no name resolution: names mean different things per namespace). */
  host: string;
  /** Give up after this many milliseconds (ETIMEDOUT). Default 30000. */
  timeoutMs?: number;
  /**
   * Gives up when aborted: the call rejects with an AbortError (code ABORT_ERR) at once; the
   * half-open socket is closed when the kernel's attempt ends.
   */
  signal?: AbortSignal;
}

/** Where {@link Namespace.createUdpSocket} binds. */
export interface UdpBindOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default '0.0.0.0' (udp4) or '::' (udp6). */
  address?: string;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

async function open(
  ns: HandleOwner,
  request: NativeSocketRequest,
  operation: string,
): Promise<{ fd: number; inProgress: boolean }> {
  const handle = await ns[kHandle](operation);
  try {
    return await addon.openSocket(handle, request);
  } catch (e) {
    throw fromNative(e, operation, 'socket');
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** @internal */
export async function listenIn(ns: HandleOwner, server: net.Server, options: ListenOptions): Promise<void> {
  let operation = `listen${ns.where}`;
  if (!(server instanceof net.Server)) throw invalid(operation, 'server must be a net.Server (or http.Server, ...)');
  checkObject(options, operation, 'options');
  const port = checkInteger(options.port, operation, 'port', 0, 65535);
  const host = options.host === undefined ? undefined : parseIp(options.host, operation, 'host').address;
  const backlog = checkInteger(options.backlog ?? 511, operation, 'backlog', 1, 0x7fffffff);
  operation = `listen on ${hostPort(host ?? '::', port)}${ns.where}`;
  if (server.listening) throw invalid(operation, 'the server is already listening');

  let fd: number;
  try {
    ({ fd } = await open(ns, { kind: 'listen', address: host ?? '::', port, backlog }, operation));
  } catch (e) {
    // No IPv6 in this namespace: the default falls back to IPv4, as Node's does.
    if (host !== undefined || !(e instanceof NetnsError) || e.code !== 'EAFNOSUPPORT') throw e;
    ({ fd } = await open(ns, { kind: 'listen', address: '0.0.0.0', port, backlog }, operation));
  }
  await new Promise<void>((resolve, reject) => {
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    const onError = (e: Error): void => {
      server.off('listening', onListening);
      reject(fromNodeError(e, operation, 'socket'));
    };
    server.once('listening', onListening);
    server.once('error', onError);
    try {
      // exclusive: in a cluster worker the primary cannot use our fd; listen here.
      server.listen({ fd, backlog, exclusive: true });
    } catch (e) {
      server.off('listening', onListening);
      server.off('error', onError);
      fs.closeSync(fd);
      const err = e as NodeJS.ErrnoException;
      reject(failure(err.code === 'ERR_SERVER_ALREADY_LISTEN' ? 'EINVAL' : 'EIO', operation, err.message));
    }
  });
}

/** @internal */
export async function connectIn(ns: HandleOwner, options: ConnectOptions): Promise<net.Socket> {
  let operation = `connect${ns.where}`;
  checkObject(options, operation, 'options');
  const host = parseIp(options.host, operation, 'host').address;
  const port = checkInteger(options.port, operation, 'port', 1, 65535);
  const timeoutMs = checkInteger(
    options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    operation,
    'timeoutMs',
    1,
    2 ** 31 - 1,
  );
  operation = `connect to ${hostPort(host, port)}${ns.where}`;
  const signal = checkSignal(options.signal, operation);
  const closeFd = ({ fd }: { fd: number }): void => fs.closeSync(fd);
  const { fd, inProgress } = await abortable(
    open(ns, { kind: 'connect', address: host, port }, operation),
    signal,
    operation,
    { late: closeFd },
  );
  try {
    if (inProgress) {
      // The handshake goes on in the kernel; wait on the event loop, no thread held. An abort
      // leaves the wait to end on its own (the fd is watched until then), and closes the fd after.
      const errno = await abortable(addon.waitConnected(fd, timeoutMs), signal, operation, {
        late: () => closeFd({ fd }),
      });
      if (errno !== 0) {
        throw fromNative(
          { errno, ...(errno === constants.errno.ETIMEDOUT && { detail: `no answer within ${timeoutMs} ms` }) },
          operation,
          'socket',
        );
      }
    }
    return new net.Socket({ fd, readable: true, writable: true });
  } catch (e) {
    if (!(e instanceof AbortError)) fs.closeSync(fd);
    throw e instanceof NetnsError ? e : failure('EIO', operation, String((e as Error).message ?? e));
  }
}

/** @internal */
export async function createUdpSocketIn(
  ns: HandleOwner,
  type: 'udp4' | 'udp6',
  bind: UdpBindOptions = {},
): Promise<dgram.Socket> {
  let operation = `create a UDP socket${ns.where}`;
  if (type !== 'udp4' && type !== 'udp6') {
    throw invalid(operation, `the type must be 'udp4' or 'udp6', not ${JSON.stringify(type)}`);
  }
  checkObject(bind, operation, 'bind options');
  const port = checkInteger(bind.port ?? 0, operation, 'port', 0, 65535);
  const address = bind.address ?? (type === 'udp4' ? '0.0.0.0' : '::');
  const ip = parseIp(address, operation);
  if ((ip.family === 4) !== (type === 'udp4')) {
    throw invalid(
      operation,
      `${address} is an IPv${ip.family} address; a ${type} socket needs IPv${type === 'udp4' ? 4 : 6}`,
    );
  }
  operation = `bind a UDP socket to ${hostPort(ip.address, port)}${ns.where}`;
  const { fd } = await open(ns, { kind: 'udp', address: ip.address, port }, operation);
  const socket = dgram.createSocket({ type });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      reject(fromNodeError(e, operation, 'socket'));
    };
    socket.once('error', onError);
    try {
      socket.bind({ fd }, () => {
        socket.off('error', onError);
        resolve();
      });
    } catch (e) {
      socket.off('error', onError);
      fs.closeSync(fd);
      onError(e as Error);
    }
  });
  return socket;
}
