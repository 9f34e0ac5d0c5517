/**
 * Published ports (`docker run -p HOSTPORT:PORT`): what `Network.publish` returns and
 * `Network.ports` lists. The map elements themselves are nat.ts's; this is the user's side of them.
 */
import { invalid } from '../internal/errors';
import { checkInteger, parseIp } from '../internal/validate';
import type { Namespace } from '../namespace';
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
   * One address of the host namespace to publish on. Default: every address of the host
   * namespace, 127.0.0.1 included (for connections made from the host itself).
   */
  hostAddress?: string;
}

/**
 * A member's port published on the host: connections to `hostPort` (on `hostAddress`, or on every
 * address of the host namespace) are sent to `address:containerPort`. It lives in the kernel's
 * ruleset, not in this object: it outlasts the process, and {@link Network.ports} in any process
 * lists it.
 */
export class PublishedPort {
  /** The network's name. */
  readonly network: string;
  readonly protocol: 'tcp' | 'udp';
  /** The host address it is published on; undefined for every address of the host namespace. */
  readonly hostAddress: string | undefined;
  readonly hostPort: number;
  /** The member's address the traffic goes to ('198.18.4.2'). */
  readonly address: string;
  readonly containerPort: number;
  readonly #host: Namespace;
  readonly #publication: Publication;

  /** @internal */
  constructor(network: string, host: Namespace, publication: Publication) {
    this.network = network;
    this.protocol = publication.protocol;
    this.hostAddress = publication.hostAddress;
    this.hostPort = publication.hostPort;
    this.address = publication.address;
    this.containerPort = publication.port;
    this.#host = host;
    this.#publication = publication;
  }

  /**
   * Takes the port back: its element goes from the network's map (`nft delete element`), by its
   * key. No network lock and no state file: the change is made against the ruleset generation
   * this process knows, so a disconnect (or anyone) that took or re-published the port meanwhile
   * makes the kernel refuse it, and it is decided again on what is there.
   * @throws NetnsError ENOENT when it is not published any more (a second call, a disconnect).
   */
  async unpublish(): Promise<void> {
    const operation = `unpublish ${this.protocol} port ${this.hostPort} of network "${this.network}"`;
    await unpublish(this.#host, this.#publication, operation);
  }

  toJSON(): Record<string, unknown> {
    return {
      network: this.network,
      protocol: this.protocol,
      hostAddress: this.hostAddress,
      hostPort: this.hostPort,
      address: this.address,
      containerPort: this.containerPort,
    };
  }
}

/** Checks publish options; the host address's family decides which of the member's addresses is used. */
export function checkPublishOptions(
  options: unknown,
  operation: string,
): {
  protocol: 'tcp' | 'udp';
  hostPort: number;
  containerPort: number;
  hostAddress: string | undefined;
  family: 4 | 6;
} {
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  const o = options as Partial<PublishOptions>;
  const protocol = o.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp')
    throw invalid(operation, `protocol must be 'tcp' or 'udp', not ${JSON.stringify(protocol)}`);
  const hostPort = checkInteger(o.hostPort, operation, 'hostPort', 1, 65535);
  const containerPort = checkInteger(o.containerPort, operation, 'containerPort', 1, 65535);
  const host = o.hostAddress === undefined ? undefined : parseIp(o.hostAddress, operation, 'host address');
  return { protocol, hostPort, containerPort, hostAddress: host?.address, family: host?.family ?? 4 };
}
