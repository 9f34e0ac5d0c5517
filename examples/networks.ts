/**
 * Docker-style networks with no daemon, runnable (and run by the tests):
 *   npx tsc -p tsconfig.build.json && scripts/isolated.sh node dist/examples/networks.js
 *
 * A user-defined network where members find each other by name (hosts files and the embedded
 * DNS server on 127.0.0.11), Docker's --network none, and the cleanup.
 */
import * as dnsPacket from 'dns-packet';
import { Namespace, Network } from 'netns-native';

/** Asks 127.0.0.11 inside `ns` for `name` (what `dig +short NAME @127.0.0.11` prints). */
async function dig(ns: Namespace, name: string): Promise<string[]> {
  const socket = await ns.createUdpSocket('udp4');
  try {
    const reply = await new Promise<dnsPacket.Packet>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from 127.0.0.11')), 3000);
      socket.once('message', (msg) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(msg));
      });
      socket.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] }), 53, '127.0.0.11');
    });
    return (reply.answers ?? []).map((a) => String((a as { data?: unknown }).data));
  } finally {
    socket.close();
  }
}

export async function networks(log: (line: string) => void = console.log): Promise<void> {
  // dockerd --default-address-pool base=198.18.0.0/15,size=24
  Network.addressPools = [{ base: '198.18.0.0/15', size: 24 }];

  // docker network create appnet
  const net = await Network.create('appnet');
  log(`appnet: ${net.subnet} via ${net.gateway} on ${net.bridgeName}`);
  try {
    // docker run --network appnet --name db --network-alias database ...
    const db = await Namespace.create('db');
    const app = await Namespace.create('app');
    const ep = await net.connect(db, { aliases: ['database'] });
    await net.connect(app);
    log(`db: ${ep.address} on ${ep.interfaceName}, host end ${ep.hostInterfaceName}`);

    // Inside app: /etc/hosts lists the members (ip netns exec app getent hosts database)
    const { stdout } = await app.exec('getent', ['hosts', 'database']);
    log(`getent hosts database: ${stdout.trim().replace(/\s+/g, ' ')}`);

    // The embedded DNS server, served by this process in every member
    const dns = await net.serveDns({ upstream: [] });
    log(`dig +short db @127.0.0.11: ${(await dig(app, 'db')).join(' ')}`);
    await dns.close();

    // docker run --network none
    const box = await Network.none();
    log(`none: ${(await box.links()).map((l) => `${l.name} ${l.isUp ? 'UP' : 'DOWN'}`).join(', ')}`);
    await box.delete();

    // docker network disconnect appnet app; docker rm ...
    await net.disconnect(app);
    await app.delete();
    await db.delete();
  } finally {
    // docker network rm appnet (force: whatever is still connected goes too)
    await net.remove({ force: true });
  }
}

if (require.main === module) {
  networks().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
