/**
 * `netns-native network ls` (a table, as `docker network ls`; `--json`: the networks) and
 * `network inspect NAME` (JSON: the network, its endpoints and its published ports).
 */
import { Network } from '../../index';
import type { ParsedArgs } from '../args';
import type { Io } from '../io';
import { operandsOf } from './network-args';

/** Rows as columns separated by at least three blanks, as docker's tables (tabwriter). */
function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `${r.map((cell, c) => cell.padEnd((widths[c] ?? 0) + 3)).join('')}`.trimEnd() + '\n').join('');
}

export async function ls(args: ParsedArgs, io: Io): Promise<number> {
  operandsOf(args, 'ls', []);
  const networks = await Network.list();
  if (args.json) {
    await io.json(networks);
    return 0;
  }
  const rows = networks.map((n) => [
    n.name,
    n.id.slice(0, 12),
    [n.subnet, ...(n.ipv6Subnet !== undefined ? [n.ipv6Subnet] : [])].join(','),
    n.bridgeName,
    String(n.internal),
  ]);
  await io.out(table([['NAME', 'ID', 'SUBNET', 'BRIDGE', 'INTERNAL'], ...rows]));
  return 0;
}

export async function inspect(args: ParsedArgs, io: Io): Promise<number> {
  const [name] = operandsOf(args, 'inspect', ['NAME']) as [string];
  const net = await Network.open(name);
  const [endpoints, ports] = [await net.endpoints(), await net.ports()];
  // Each object as the library's toJSON() shapes it (an endpoint's namespace: name, path, inode).
  await io.out(`${JSON.stringify({ ...net.toJSON(), endpoints, ports }, null, 2)}\n`);
  return 0;
}
