/**
 * TCP traffic for the network tests: a server that answers with the address a connection came
 * from, and a client that says what it got (or the error code).
 */
import * as net from 'node:net';
import type { Namespace, NetnsError } from 'netns-native';

/** A TCP server answering every connection with the address the connection came from. */
export async function whoAmIServer(ns: Namespace, host: string, port: number): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    // Closed once the answer is sent: a client whose last FIN is lost (its path torn down right
    // after it read the answer) must not keep this socket, and the test process, waiting.
    s.end(`${s.remoteAddress}\n`, () => s.destroy());
  });
  await ns.listen(server, { host, port });
  return server;
}

/** Connects from `ns` and returns what the server said, or the error code. */
export async function ask(ns: Namespace, host: string, port: number, timeoutMs = 3000): Promise<string> {
  let s: net.Socket;
  try {
    s = await ns.connect({ host, port, timeoutMs });
  } catch (e) {
    return (e as NetnsError).code;
  }
  return new Promise((resolve) => {
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => resolve(got.trim()));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'EIO'));
  });
}
