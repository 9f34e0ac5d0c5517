/**
 * Published ports (`docker run -p HOSTPORT:PORT`): what `Network.publish` returns and
 * `Network.ports` lists. The map elements themselves are nat.ts's; this is the user's side of them.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { failure, invalid, type NetnsError } from '../internal/errors';
import { checkInteger, parseIp } from '../internal/validate';
import type { Namespace } from '../namespace';
import { contains, formatIp, hostAddressFault, parseIp as parseIpValue, parseSubnet, type Ip } from './ipam';
import { unpublish, type Publication } from './nat';

/** Options for {@link Network.publish}: `docker run -p [HOSTADDRESS:]HOSTPORT:PORT[/PROTOCOL]`. */
export interface PublishOptions {
  /** The port on the host (1-65535). */
  hostPort: number;
  /** The member's port the traffic goes to (1-65535). */
  containerPort: number;
  /** 'tcp' (default) or 'udp'. TCP and UDP on one host port are two publications. */
  protocol?: 'tcp' | 'udp';
  /**
   * One address of the host namespace to publish on; '0.0.0.0' for every IPv4 address, '::'
   * for every IPv6 address. Default: the network's `hostBindingAddress`, else every address of
   * the host namespace, in each family the member has an address in (127.0.0.1 included, for
   * connections made from the host itself; ::1 and link-local fe80::/10 addresses cannot be
   * published on).
   */
  hostAddress?: string;
}

/**
 * A member's port published on the host: connections to `hostPort` (on `hostAddress`, or on every
 * address of the host namespace in its family) are sent to `address:containerPort`. It lives in
 * the kernel's ruleset, not in this object: it outlasts the process, and {@link Network.ports}
 * in any process lists it.
 */
export class PublishedPort {
  /** The network's name. */
  readonly network: string;
  readonly protocol: 'tcp' | 'udp';
  /**
   * The family of `hostAddress` and `address`: 4 or 6. A port published on every address of a
   * dual-stack member is listed by {@link Network.ports} as two entries, one per family.
   */
  readonly family: 4 | 6;
  /** The host address it is published on (canonical text); undefined for every address of the host namespace in its family. */
  readonly hostAddress: string | undefined;
  readonly hostPort: number;
  /** The member's address the traffic goes to ('198.18.4.2'). */
  readonly address: string;
  /**
   * Set only on what {@link Network.publish} returns when it published on every address in both
   * families (no hostAddress, a member with an IPv6 address): the member's IPv6 address, which
   * every IPv6 address of the host forwards to. `unpublish()` then takes both families' back.
   */
  readonly ipv6Address?: string;
  readonly containerPort: number;
  readonly #host: Namespace;
  readonly #publications: Publication[];

  /** @internal */
  constructor(network: string, host: Namespace, publications: Publication[]) {
    const [first, second] = publications as [Publication, Publication | undefined];
    this.network = network;
    this.protocol = first.protocol;
    this.family = first.address.includes(':') ? 6 : 4;
    this.hostAddress = first.hostAddress;
    this.hostPort = first.hostPort;
    this.address = first.address;
    if (second !== undefined) this.ipv6Address = second.address;
    this.containerPort = first.port;
    this.#host = host;
    this.#publications = publications;
  }

  /**
   * Takes the port back: its elements go from the network's maps (`nft delete element`), by
   * their keys, in one batch (both families' for a port published on both). No network lock and
   * no state file: the change is made against the ruleset generation this process knows, so a
   * disconnect (or anyone) that took or re-published the port meanwhile makes the kernel refuse
   * it, and it is decided again on what is there.
   * @throws NetnsError ENOENT when it is not published any more (a second call, a disconnect).
   */
  async unpublish(): Promise<void> {
    const operation = `unpublish ${this.protocol} port ${this.hostPort} of network "${this.network}"`;
    await unpublish(this.#host, this.#publications, operation);
  }

  toJSON(): Record<string, unknown> {
    return {
      network: this.network,
      protocol: this.protocol,
      family: this.family,
      hostAddress: this.hostAddress,
      hostPort: this.hostPort,
      address: this.address,
      ...(this.ipv6Address !== undefined && { ipv6Address: this.ipv6Address }),
      containerPort: this.containerPort,
    };
  }
}

/**
 * Checks publish options. The host address comes back in its canonical text, or undefined for
 * every address ('0.0.0.0' and '::' too); `family` is the one family to publish in (that of the
 * host address), or undefined for every family the member has an address in.
 */
export function checkPublishOptions(
  options: unknown,
  operation: string,
): {
  protocol: 'tcp' | 'udp';
  hostPort: number;
  containerPort: number;
  hostAddress: string | undefined;
  family: 4 | 6 | undefined;
} {
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  const o = options as Partial<PublishOptions>;
  const protocol = o.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp')
    throw invalid(operation, `protocol must be 'tcp' or 'udp', not ${JSON.stringify(protocol)}`);
  const hostPort = checkInteger(o.hostPort, operation, 'hostPort', 1, 65535);
  const containerPort = checkInteger(o.containerPort, operation, 'containerPort', 1, 65535);
  if (o.hostAddress === undefined)
    return { protocol, hostPort, containerPort, hostAddress: undefined, family: undefined };
  const { family } = parseIp(o.hostAddress, operation, 'host address');
  const ip = parseIpValue(o.hostAddress) as Ip;
  const text = formatIp(ip);
  const typed = text === o.hostAddress ? `"${text}"` : `"${o.hostAddress}" (${text})`;
  const everyAddress = `leave hostAddress out to publish on every address of the host namespace`;
  const unicast = `a port is published on one of the host's own unicast addresses; give one, or ${everyAddress}`;
  switch (hostAddressFault(ip)) {
    case undefined:
      break;
    case 'unspecified':
      return { protocol, hostPort, containerPort, hostAddress: undefined, family };
    case 'mapped':
      throw invalid(
        operation,
        `host address "${o.hostAddress}" is an IPv4-mapped IPv6 address; give the IPv4 address ("${formatIp({ family: 4, value: ip.value & 0xffffffffn })}") to publish on it`,
      );
    case 'multicast':
      throw invalid(operation, `host address ${typed} is a multicast address: ${unicast}`);
    case 'broadcast':
      throw invalid(operation, `host address ${typed} is the broadcast address: ${unicast}`);
    case 'loopback6':
      throw invalid(operation, LOOPBACK6);
    case 'link-local6':
      throw invalid(
        operation,
        `host address ${typed} is an IPv6 link-local address (fe80::/10), which cannot be published on: a client ` +
          'reaches it from a link-local address of its own, and the kernel does not forward a packet with a ' +
          "link-local source off its link to the bridge the member is behind; publish on one of the host's global " +
          `or unique-local IPv6 addresses, or ${everyAddress}`,
      );
  }
  return { protocol, hostPort, containerPort, hostAddress: text, family };
}

/*
 * Why fe80::/10 is refused. A link-local address is valid on one link only: whoever connects to
 * it uses a link-local source address of its own (RFC 6724 source selection: the same scope),
 * and once the connection is DNATed to a member it must be forwarded to the bridge, another
 * link. ip6_forward() (net/ipv6/ip6_output.c) drops a packet whose source is link-local rather
 * than forward it off its link (ICMPv6 "beyond scope of source address"), so such a connection
 * never reaches the member. Docker refuses such an address too, by accident rather than by
 * check: its port allocator binds the host address (portallocator/osallocator_linux.go,
 * bindTCPOrUDP), and bind() to a link-local address without a scope id is EINVAL.
 */

/**
 * Why '::1' is refused. A connection from the host to [::1]:PORT DNATed to a member leaves
 * through the bridge masqueraded as the gateway's address, but the member's answer, un-NATed back
 * to ::1 as it comes in on the bridge (conntrack, prerouting), must then be routed to ::1 from
 * the bridge: ip6_route_input_lookup() (net/ipv6/route.c) looks loopback destinations up
 * strictly on the incoming interface (rt6_need_strict(): RT6_LOOKUP_F_IFACE), and ::1's route is
 * on lo, so it gets ip6_null_entry: dropped, by br_nf_pre_routing_finish_ipv6()
 * (net/bridge/br_netfilter_ipv6.c) with br_netfilter, by ip6_pkt_discard() without. IPv4 has
 * route_localnet for this; IPv6 has nothing, and no nftables rule changes that route lookup.
 */
const LOOPBACK6 =
  'host address "::1" cannot be published on: the kernel drops the answers to a connection from ::1 forwarded to a ' +
  'member (IPv6 has no route_localnet: an answer coming back on the bridge to ::1 has no route); publish on ' +
  "127.0.0.1, or on one of the host's other IPv6 addresses, or leave hostAddress out (every address but ::1)";

/**
 * Checks that a host address is one of the host namespace's own, as bind() would: IPv4, a
 * `local` route of its local routing table covers it (inet_addr_type(): 127.0.0.2 is, through
 * lo's 127.0.0.0/8); IPv6, it is an address of one of its links (ipv6_chk_addr(): read from the
 * kernel's address list, not the local table, which has no route for an address before its link
 * is ready). An address still tentative (duplicate address detection running) is taken: it is
 * one of the host's, and the publication works once it is usable. EADDRNOTAVAIL otherwise, as
 * bind() would say; EINVAL for an IPv4 broadcast address of one of its links.
 */
export async function checkHostAddress(host: Namespace, address: string, operation: string): Promise<void> {
  const ip = parseIpValue(address) as Ip;
  const [routes, addresses] = await Promise.all([
    ip.family === 4 ? host.routes({ table: 255, family: 4 }) : [],
    host.addresses(),
  ]);
  const mine = addresses.filter((a) => a.family === ip.family && !a.flags.includes('dadfailed'));
  if (ip.family === 6 && mine.some((a) => parseIpValue(a.address)?.value === ip.value)) return;
  let best: { type: string; prefixLength: number } | undefined;
  for (const r of routes) {
    const subnet =
      r.destination === 'default'
        ? { family: ip.family, base: 0n, prefixLength: 0 }
        : parseSubnet(r.destination, operation, 'route', false);
    if (contains(subnet, ip) && (best === undefined || subnet.prefixLength > best.prefixLength)) {
      best = { type: r.type, prefixLength: subnet.prefixLength };
    }
  }
  if (best?.type === 'local') return;
  if (best?.type === 'broadcast') {
    throw invalid(
      operation,
      `host address "${address}" is a broadcast address of the host namespace: a port is published on one of its own unicast addresses; give one, or leave hostAddress out to publish on every address`,
    );
  }
  const own = [...new Set(mine.map((a) => a.address).filter((a) => a !== '::1'))];
  const listed = own.length > 10 ? `${own.slice(0, 10).join(', ')}, ...` : own.join(', ') || 'none';
  throw failure(
    'EADDRNOTAVAIL',
    operation,
    `host address "${address}" is not an address of the host namespace (its IPv${ip.family} addresses: ${listed}); give one of those, add it to one of its links first, or leave hostAddress out to publish on every address`,
  );
}

/** A socket holding a host port for the time a publication is being made. */
interface Hold {
  close(): void;
}

/**
 * Binds `address`:`port` in this process's network namespace (the host namespace), as Docker's
 * port allocator does (portallocator/osallocator_linux.go, bindTCPOrUDP: TCP with SO_REUSEADDR,
 * which net.Server sets, then listen; UDP without it; IPv6 with IPV6_V6ONLY): a Hold, or the
 * errno name bind() or listen() gave.
 */
async function bindHostPort(protocol: 'tcp' | 'udp', address: string, port: number): Promise<Hold | string> {
  const v6 = address.includes(':');
  if (protocol === 'tcp') {
    const server = net.createServer();
    server.unref();
    return new Promise((resolveHold) => {
      server.once('error', (e: NodeJS.ErrnoException) => resolveHold(e.code ?? 'EIO'));
      server.listen({ host: address, port, exclusive: true, backlog: 1, ipv6Only: v6 }, () =>
        resolveHold({ close: () => server.close() }),
      );
    });
  }
  const socket = dgram.createSocket(v6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
  socket.unref();
  return new Promise((resolveHold) => {
    socket.once('error', (e: NodeJS.ErrnoException) => {
      socket.close();
      resolveHold(e.code ?? 'EIO');
    });
    socket.bind({ address, port, exclusive: true }, () => resolveHold({ close: () => socket.close() }));
  });
}

/**
 * Takes the host port of publications being made, as Docker's port allocator takes it before it
 * adds its rules: bound (TCP: and listening) on the host address, or on '0.0.0.0' / '::' for
 * every address of a family, in the host namespace. EADDRINUSE when a socket of the host has it
 * there: a program listening on it (or bound to it) would lose to the DNAT every connection
 * that the publication sends to the member, as with Docker, whose userland proxy or allocator
 * could not bind it either. The caller makes the publication and then calls the function
 * returned, which lets the port go: there is no daemon here to hold it for the life of the
 * publication, as Docker's does, so a program may still bind it afterwards (and gets nothing the
 * publication takes). A connection that comes to the port in the instant it is held is reset
 * when the hold ends (without the hold, nothing listened there: it would have been refused).
 * Other errors of bind() (EADDRNOTAVAIL: an IPv6 address still tentative) tell nothing of the
 * port, and are let through: the publication is decided by the firewall.
 *
 * '::' conflicts with a socket on ::1 too, which a publication on every IPv6 address leaves to
 * the host (see LOOPBACK6): then each other IPv6 address of the host is bound instead (not the
 * link-local ones, which bind() takes only with a scope id and which no publication serves).
 * Like Docker's, a check that binds cannot tell a listener from an outgoing connection that
 * happens to use the port as its local one (the ephemeral range, 32768-60999 by default).
 */
export async function reserveHostPort(
  host: Namespace,
  protocol: 'tcp' | 'udp',
  hostPort: number,
  where: ReadonlyArray<{ family: 4 | 6; hostAddress: string | undefined }>,
  operation: string,
): Promise<() => void> {
  const held: Hold[] = [];
  const release = (): void => {
    for (const h of held.splice(0)) h.close();
  };
  const inUse = (what: string): NetnsError =>
    failure(
      'EADDRINUSE',
      operation,
      `host port ${protocol}/${hostPort} ${what} is in use in the host namespace: a program there has a socket bound to it, which would lose its connections to the publication (Docker refuses it too); stop it, or publish another host port (\`ss -${protocol === 'tcp' ? 't' : 'u'}lnp 'sport = :${hostPort}'\` shows which program)`,
    );
  try {
    for (const w of where) {
      const every = w.hostAddress === undefined;
      const address = w.hostAddress ?? (w.family === 4 ? '0.0.0.0' : '::');
      const got = await bindHostPort(protocol, address, hostPort);
      if (typeof got !== 'string') {
        held.push(got);
        continue;
      }
      if (got !== 'EADDRINUSE') continue;
      if (!(every && w.family === 6)) throw inUse(every ? `on every IPv${w.family} address` : `on ${address}`);
      const others = (await host.addresses()).filter(
        (a) =>
          a.family === 6 &&
          hostAddressFault(parseIpValue(a.address) as Ip) === undefined &&
          !a.flags.includes('dadfailed'),
      );
      for (const a of others) {
        const one = await bindHostPort(protocol, a.address, hostPort);
        if (one === 'EADDRINUSE') throw inUse(`on ${a.address} (one of every IPv6 address)`);
        if (typeof one !== 'string') held.push(one);
      }
    }
  } catch (e) {
    release();
    throw e;
  }
  return release;
}
