/**
 * The README's usage example, runnable (and run by the tests, so the README stays true):
 *   scripts/isolated.sh node dist/examples/usage.js
 */
import { Bridge, Namespace, VethPair } from 'netns-native';

export async function usage(log: (line: string) => void = console.log): Promise<void> {
  // ip netns add test1; ip netns add test2
  const test1 = await Namespace.create('test1');
  const test2 = await Namespace.create('test2');

  // ip -n test1 link set lo up (and test2)
  for (const ns of [test1, test2]) await (await ns.link('lo')).up();

  // ip link add veth-a netns test1 type veth peer name veth-b netns test2
  // (each end created directly in its namespace: one request, no move)
  const { local: a, peer: b } = await VethPair.create({
    name: 'veth-a',
    peerName: 'veth-b',
    namespace: test1,
    peerNamespace: test2,
  });

  // ip -n test1 addr add 198.18.0.1/24 dev veth-a; ip -n test1 link set veth-a up (and test2)
  await a.addAddress('198.18.0.1/24');
  await b.addAddress('198.18.0.2/24');
  await a.up();
  await b.up();

  // ip netns exec test1 ping -c 3 198.18.0.2
  const { received, rttMs } = await test1.ping('198.18.0.2', { count: 3 });
  log(`${received}/3 replies, RTTs ${rttMs.map((t) => t.toFixed(3)).join(' ')} ms`);

  // A bridge with the gateway address, as docker0:
  // ip link add br0 type bridge; ip addr add 198.18.1.1/24 dev br0; ip link set br0 up
  const br0 = await Bridge.create('br0');
  await br0.addAddress('198.18.1.1/24');
  await br0.up();
  // ip netns add red; ip link add veth-red type veth peer name eth0 netns red
  const red = await Namespace.create('red');
  const port = await VethPair.create({ name: 'veth-red', peerName: 'eth0', peerNamespace: red });
  await br0.addPort(port.local); // ip link set veth-red master br0
  await port.local.up();
  await port.peer.addAddress('198.18.1.2/24');
  await port.peer.up();
  await red.addRoute({ destination: 'default', gateway: '198.18.1.1' }); // ip -n red route add default via ...
  log(`red -> gateway: ${(await red.ping('198.18.1.1', { count: 1 })).received}/1`);

  // ip netns del ...: the kernel then removes the veths and everything inside
  await test1.delete();
  await test2.delete();
  await red.delete();
  await br0.delete();
}

if (require.main === module) {
  usage().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
