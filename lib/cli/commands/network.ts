/**
 * `netns-native network SUBVERB ...`: Docker-style networks (lib/network/) from the command
 * line, as `docker network` drives Docker's: create, ls, inspect, rm, connect, disconnect, and
 * publish, unpublish, ports, dns. One file per concern (network-*.ts); the state is the
 * library's (/run/netns-native/networks and the kernel), so each call is a process of its own.
 */
import type { ParsedArgs } from '../args';
import type { Io } from '../io';
import { subverbOf, verbOptions, type Subverb } from './network-args';
import { dns } from './network-dns';
import { create, rm } from './network-lifecycle';
import { connect, disconnect } from './network-members';
import { ports, publish, unpublish } from './network-ports';
import { inspect, ls } from './network-show';

/** The subverbs and the options of each, with docker network's names. */
const SUBVERBS: Readonly<Record<string, Subverb>> = {
  create: {
    run: create,
    values: [
      '--subnet',
      '--gateway',
      '--ip-range',
      '--aux-address',
      '--opt',
      '--bridge-name',
      '--mtu',
      '--default-address-pool',
    ],
    switches: ['--internal', '--no-dns', '--ipv6'],
  },
  ls: { run: ls },
  inspect: { run: inspect },
  rm: { run: rm, switches: ['--force'] },
  connect: {
    run: connect,
    values: ['--alias', '--ip', '--ip6', '--name', '--interface', '--mac', '--dns', '--dns-search', '--dns-option'],
  },
  disconnect: { run: disconnect },
  publish: { run: publish },
  unpublish: { run: unpublish },
  ports: { run: ports },
  dns: { run: dns, values: ['--upstream'], switches: ['--no-upstream'] },
};

/** The options parseArgs takes after `network` (`rm -f`, `create -o`, as docker network's). */
export const NETWORK_OPTIONS = verbOptions(SUBVERBS, { '-f': '--force', '-o': '--opt' });

export async function network(args: ParsedArgs, io: Io): Promise<number> {
  const [, sub] = subverbOf(args, SUBVERBS);
  return sub.run(args, io);
}
