/**
 * `netns-native network publish NAME NS [HOSTADDR:]HOSTPORT:CONTAINERPORT[/tcp|/udp]` (docker's
 * -p syntax, an IPv6 host address in brackets), `network unpublish NAME [HOSTADDR:]HOSTPORT[/PROTO]`
 * and `network ports NAME`. Published ports live in the kernel's ruleset, not in a process:
 * unpublish finds the port in network.ports(), whichever process published it.
 */
import { Network, type PublishedPort } from '../../index';
import { failure, invalid } from '../../internal/errors';
import { formatIp, parseIp } from '../../network/ipam';
import { UsageError, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { operandsOf } from './network-args';

interface PortSpec {
  hostAddress: string | undefined;
  hostPort: number;
  /** Absent in unpublish's spec. */
  containerPort: number | undefined;
  protocol: 'tcp' | 'udp';
}

const PUBLISH_SPEC = '[HOSTADDR:]HOSTPORT:CONTAINERPORT[/tcp|/udp]';
const UNPUBLISH_SPEC = '[HOSTADDR:]HOSTPORT[/tcp|/udp]';

/**
 * Parses docker's -p syntax: '8080:80', '198.51.100.1:8080:80/udp', '[fd00::1]:8080:80';
 * without CONTAINERPORT when `sub` is unpublish. The host address itself is the library's to check.
 */
function parsePortSpec(text: string, sub: 'publish' | 'unpublish'): PortSpec {
  const form = sub === 'publish' ? PUBLISH_SPEC : UNPUBLISH_SPEC;
  const bad = (why: string): UsageError =>
    new UsageError(`${why} in ${JSON.stringify(text)}: network ${sub} takes ${form}`, 'network');
  const slash = text.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : text.slice(slash + 1);
  if (protocol !== 'tcp' && protocol !== 'udp') throw bad(`unknown protocol ${JSON.stringify(protocol)}`);
  const rest = slash < 0 ? text : text.slice(0, slash);
  const count = sub === 'publish' ? 2 : 1;
  let hostAddress: string | undefined;
  let ports: string[];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw bad('a host address in brackets must be followed by ":HOSTPORT"');
    hostAddress = rest.slice(1, close);
    ports = rest.slice(close + 2).split(':');
  } else {
    const parts = rest.split(':');
    if (parts.length > count + 1) throw bad('an IPv6 host address goes in brackets ([fd00::1]:8080)');
    if (parts.length === count + 1) hostAddress = parts.shift();
    ports = parts;
  }
  if (hostAddress === '') throw bad('an empty host address');
  // '8080:80' given to unpublish, '8080:80:3' to publish: ports, not an address and ports.
  if (hostAddress !== undefined && /^[0-9]+$/.test(hostAddress)) throw bad('too many ports');
  if (ports.length !== count) throw bad(`${ports.length < count ? 'too few' : 'too many'} ports`);
  const numbers = ports.map((p) => {
    if (p === '') throw bad('a port is missing (a host port must be given)');
    const n = /^[0-9]+$/.test(p) ? Number(p) : NaN;
    if (!(n >= 1 && n <= 65535)) throw bad(`${JSON.stringify(p)} is not a port (1-65535)`);
    return n;
  });
  return { hostAddress, hostPort: numbers[0] as number, containerPort: numbers[1], protocol };
}

/** An address as a host:port pair shows it: an IPv6 one in brackets. */
const bracketed = (address: string): string => (address.includes(':') ? `[${address}]` : address);

/** '0.0.0.0:8080->198.18.4.2:80/tcp', as docker ps shows a port, with the member's address. */
function portLines(p: PublishedPort): string {
  const line = (family: 4 | 6, hostAddress: string | undefined, address: string): string => {
    const host = hostAddress ?? (family === 4 ? '0.0.0.0' : '::');
    return `${bracketed(host)}:${p.hostPort}->${bracketed(address)}:${p.containerPort}/${p.protocol}\n`;
  };
  return line(p.family, p.hostAddress, p.address) + (p.ipv6Address ? line(6, undefined, p.ipv6Address) : '');
}

export async function publish(args: ParsedArgs, io: Io): Promise<number> {
  const [name, nsArg, text] = operandsOf(args, 'publish', ['NAME', 'NS', PUBLISH_SPEC]) as [string, string, string];
  const spec = parsePortSpec(text, 'publish');
  const net = await Network.open(name);
  const ns = await namespaceOf(nsArg);
  const port = await net.publish(ns, {
    hostPort: spec.hostPort,
    containerPort: spec.containerPort as number,
    protocol: spec.protocol,
    ...(spec.hostAddress !== undefined && { hostAddress: spec.hostAddress }),
  });
  if (args.json) await io.json(port);
  else await io.out(portLines(port));
  return 0;
}

export async function unpublish(args: ParsedArgs): Promise<number> {
  const [name, text] = operandsOf(args, 'unpublish', ['NAME', UNPUBLISH_SPEC]) as [string, string];
  const spec = parsePortSpec(text, 'unpublish');
  const operation = `unpublish ${spec.protocol} port ${spec.hostPort} of network "${name}"`;
  const ip = spec.hostAddress === undefined ? undefined : parseIp(spec.hostAddress);
  if (spec.hostAddress !== undefined && ip === undefined) {
    throw invalid(operation, `${JSON.stringify(spec.hostAddress)} is not an IP address`);
  }
  // No address: the port published on every address (in each family); 0.0.0.0 or ::, in that
  // family only; else on that address (as ports() shows it: canonical text).
  const everywhere = ip === undefined || ip.value === 0n;
  const canonical = ip && formatIp(ip);
  const net = await Network.open(name);
  const all = (await net.ports()).filter((p) => p.protocol === spec.protocol && p.hostPort === spec.hostPort);
  const matching = all.filter((p) =>
    everywhere
      ? p.hostAddress === undefined && (ip === undefined || p.family === ip.family)
      : p.hostAddress === canonical,
  );
  if (matching.length === 0) {
    const elsewhere = all.map(
      (p) => `${bracketed(p.hostAddress ?? (p.family === 4 ? '0.0.0.0' : '::'))}:${p.hostPort}`,
    );
    const hint = elsewhere.length > 0 ? `; it is published on ${[...new Set(elsewhere)].join(', ')}` : '';
    throw failure('ENOENT', operation, `it is not published on ${bracketed(canonical ?? 'every address')}${hint}`);
  }
  for (const p of matching) await p.unpublish();
  return 0;
}

export async function ports(args: ParsedArgs, io: Io): Promise<number> {
  const [name] = operandsOf(args, 'ports', ['NAME']) as [string];
  const net = await Network.open(name);
  const all = (await net.ports()).sort((a, b) => a.hostPort - b.hostPort || a.family - b.family);
  if (args.json) await io.json(all);
  else await io.out(all.map(portLines).join(''));
  return 0;
}
