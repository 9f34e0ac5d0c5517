/**
 * A program in a sandbox of its own, and a Node HTTP server living in one namespace answered
 * from another, all from one Node process:
 *
 *   1. two namespaces joined by a veth pair (198.18.0.1 <-> 198.18.0.2);
 *   2. a shell run in the first with its own hostname, PID namespace (it is PID 1) and network
 *      namespace: `ip netns exec box-a unshare --uts --pid --fork --mount-proc sh -c ...`;
 *   3. an HTTP server of this process listening inside box-a, and a request made from inside
 *      box-b, by this process too (no child process per connection).
 *
 *   npx tsc -p tsconfig.build.json && scripts/isolated.sh node dist/examples/sandbox.js
 *
 * Run directly as root, it adds only namespaces of its own (refusing to start if their names
 * are taken) and removes them at the end.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import { Namespace, VethPair } from 'netns-native';

const A = 'box-a';
const B = 'box-b';

function header(text: string): void {
  console.log(`\n== ${text}`);
}

async function main(): Promise<void> {
  const taken = (await Namespace.list()).map((ns) => ns.name);
  for (const name of [A, B]) {
    if (taken.includes(name)) throw new Error(`a namespace named ${name} exists already; not touching it`);
  }
  await using a = await Namespace.create(A);
  await using b = await Namespace.create(B);

  header(`ip netns add ${A}; ip netns add ${B}; a veth pair between them`);
  const { local, peer } = await VethPair.create({ name: 'veth-a', peerName: 'veth-b', namespace: a, peerNamespace: b });
  await local.addAddress('198.18.0.1/24');
  await peer.addAddress('198.18.0.2/24');
  await Promise.all([local.up(), peer.up(), a.link('lo').then((lo) => lo.up()), b.link('lo').then((lo) => lo.up())]);
  console.log(`${A}: veth-a 198.18.0.1/24    ${B}: veth-b 198.18.0.2/24`);

  header(`a program with its own hostname, PID and network namespace (in ${A})`);
  const box = await a.exec(
    'sh',
    [
      '-c',
      'echo "hostname: $(hostname)"; echo "my PID: $$"; echo "processes I see: $(ls /proc | grep -c "^[0-9]")"; ip -br addr',
    ],
    { hostname: 'sandbox', unshare: ['pid'] },
  );
  console.log(box.stdout.trimEnd().replace(/^/gm, '  '));
  console.log(`  (exit code ${box.exitCode}; this process's hostname is still ${os.hostname()})`);

  header(`an HTTP server of this Node process, listening inside ${A}`);
  const server = http.createServer((req, res) => {
    res.end(`hello from ${A}: you are ${req.socket.remoteAddress}, asking for ${req.url}\n`);
  });
  await a.listen(server, { port: 8080, host: '198.18.0.1' });
  console.log(`  listening on ${JSON.stringify(server.address())} in ${A} (not in this process's namespace)`);

  header(`a request from inside ${B}, made by this process`);
  const body = await new Promise<string>((resolve, reject) => {
    const req = http.get(
      {
        host: '198.18.0.1',
        port: 8080,
        path: '/from-b',
        // The connection is opened inside box-b: its traffic goes through box-b's veth.
        createConnection: (_options, done) => {
          b.connect({ host: '198.18.0.1', port: 8080 }).then(
            (socket: Socket) => done(null, socket),
            (e: Error) => done(e, undefined as never),
          );
          return undefined;
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
  });
  process.stdout.write(`  ${body}`);

  header("the same request from this process's own namespace fails: no route there");
  await Namespace.current()
    .connect({ host: '198.18.0.1', port: 8080, timeoutMs: 1000 })
    .then(
      (s) => {
        s.destroy();
        console.log('  unexpectedly connected');
      },
      (e: Error) => console.log(`  ${e.message}`),
    );

  await new Promise<void>((resolve) => server.close(() => resolve()));
  header(`ip netns del ${A}; ip netns del ${B}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
