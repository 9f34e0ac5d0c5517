/**
 * The embedded DNS server, as Docker's 127.0.0.11: one responder per member namespace, a UDP
 * socket and a TCP listener on 127.0.0.11:53 created inside that namespace (every 127/8 address
 * is local once `lo` is up, so nothing is added to the namespace), served by this process on its
 * event loop. A responder answers the names and aliases of the members of the networks its
 * namespace is on, among those this process serves; other names are forwarded to upstream
 * servers from the host namespace (the process's own), or to the member's own servers (its
 * connect's `dns`, Docker's --dns) from inside the member, and a query nobody answers gets SERVFAIL
 * within {@link kForwardDeadlineMs}, never silence. A namespace whose networks are all internal
 * (every network it is on, served or not) gets nothing forwarded: SERVFAIL at once.
 *
 * Who is a member comes from the networks' state files: re-read when this process changes one
 * (networkChanged) and when the state directory changes (fs.watch, for other processes), with a
 * slow poll behind both in case a watch event is lost.
 *
 * Packets are decoded and encoded by dns-packet; what to say to a query (dns-answer.ts) is
 * pure, and unit-tested.
 */
import * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { NetnsError, failure, invalid } from '../internal/errors';
import type { Namespace } from '../namespace';
import { RCODE, answer, buildTable, failureFor, formErr, udpLimit, type NameTable } from './dns-answer';
import { formatIp, parseIp } from './ipam';
import { nameAlive, refOf, resolve, sameNamespace } from './members';
import { DNS_ADDRESS, nameserversOf, readHostResolvConf, setsNdots } from './names';
import { hasDnsSettings, mergedDnsSettings, option } from './resolv-conf';
import { NETWORKS_DIR, readAllStates, type EndpointState, type NamespaceRef, type NetworkState } from './state';

/** Options for `Network.serveDns`. */
export interface ServeDnsOptions {
  /**
   * Where names that are not members' go: IPv4 or IPv6 addresses, with an optional port
   * ('198.51.100.53', '198.51.100.53:5353', '[fd00::53]:53'). Queried from the host namespace.
   * Default: the nameservers of the host's /etc/resolv.conf (systemd-resolved's own file when it
   * names only resolved's stub, 127.0.0.53, as Docker). An empty list: SERVFAIL for every
   * name that is not a member's.
   */
  upstream?: string[];
}

/** How long a forwarded query may take before the client gets SERVFAIL. */
export const kForwardDeadlineMs = 1800;
/** After this long without an answer, the next upstream server is asked too. */
export const kUpstreamStaggerMs = 400;
/** How often the states are re-read even without a watch event, in ms. */
export const kPollMs = 2000;
const TCP_IDLE_MS = 10_000;

interface Upstream {
  address: string;
  family: 4 | 6;
  port: number;
  /**
   * Asked from inside this namespace: a member's own servers (`dns` of its connect), as Docker
   * asks a container's `--dns` servers from the container's namespace (moby's ExtDNSEntry with
   * HostLoopback false). Absent: from the host namespace (the process's own).
   */
  from?: Namespace;
}

function parseUpstream(text: unknown, operation: string): Upstream {
  if (typeof text !== 'string') throw invalid(operation, 'each upstream must be a string address');
  let host = text;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const v4port = /^([\d.]+):(\d+)$/.exec(text);
  if (bracket) [host, port] = [bracket[1] as string, bracket[2] ? Number(bracket[2]) : 53];
  else if (v4port) [host, port] = [v4port[1] as string, Number(v4port[2])];
  const ip = parseIp(host);
  if (!ip || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(
      operation,
      `${JSON.stringify(text)} is not an upstream server address like '198.51.100.53' or '[fd00::53]:53'`,
    );
  }
  return { address: formatIp(ip), family: ip.family, port };
}

/** One server being asked: its reply (undefined when it failed), and how to stop asking. */
interface Attempt {
  reply: Promise<Buffer | undefined>;
  cancel(): void;
}

/**
 * Whether an upstream's reply is an answer, to be passed on, rather than a failure, after which
 * the next server is asked: SERVFAIL and REFUSED are failures (REFUSED "can be a transitional
 * status"), as libnetwork's Resolver.forwardExtDNS (resolver.go) takes them; every other code,
 * NXDOMAIN, FORMERR and NOTIMP included, is the answer, as there.
 */
function isAnswer(reply: Buffer): boolean {
  const rcode = (reply[3] as number) & 0xf;
  return rcode !== RCODE.SERVFAIL && rcode !== RCODE.REFUSED;
}

/**
 * Asks the upstream servers in turn, the same way over UDP and TCP: the next one after
 * {@link kUpstreamStaggerMs} without an answer, or at once when every server asked so far has
 * failed (refused, reset, a reply that is not one, or SERVFAIL or REFUSED: see isAnswer); those
 * asked earlier stay asked, and the first answer wins, so an error from one server never beats
 * an answer from another. Undefined when none answered by the deadline, or all failed: the
 * client then gets SERVFAIL of our own, as from Docker's server when none of its servers
 * answered (an upstream's REFUSED is not passed on).
 */
function staggered(upstream: Upstream[], deadline: number, ask: (u: Upstream) => Attempt): Promise<Buffer | undefined> {
  return new Promise((resolveAnswer) => {
    const attempts: Attempt[] = [];
    let next = 0;
    let pending = 0;
    let done = false;
    let stagger: NodeJS.Timeout | undefined;
    const finish = (reply: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(stagger);
      clearTimeout(limit);
      for (const a of attempts) a.cancel();
      resolveAnswer(reply);
    };
    const launch = (): void => {
      clearTimeout(stagger);
      if (done) return;
      const u = upstream[next++];
      if (!u) {
        if (pending === 0) finish(undefined);
        return;
      }
      let attempt: Attempt;
      try {
        attempt = ask(u);
      } catch {
        attempt = { reply: Promise.resolve(undefined), cancel: () => undefined };
      }
      attempts.push(attempt);
      pending++;
      stagger = setTimeout(launch, kUpstreamStaggerMs);
      void attempt.reply.then((reply) => {
        pending--;
        if (reply && isAnswer(reply)) finish(reply);
        else if (pending === 0) launch();
      });
    };
    const limit = setTimeout(() => finish(undefined), Math.max(0, deadline - Date.now()));
    launch();
  });
}

/** Asks one server over UDP, from a socket of its own connected to it (so only its replies come in). */
function askUdp(raw: Buffer, id: number, u: Upstream): Attempt {
  const type = u.family === 4 ? 'udp4' : 'udp6';
  let socket: dgram.Socket | undefined;
  let closed = false;
  const cancel = (): void => {
    if (closed) return;
    closed = true;
    socket?.close();
  };
  const reply = (async (): Promise<Buffer | undefined> => {
    try {
      socket = u.from ? await u.from.createUdpSocket(type) : dgram.createSocket(type);
    } catch {
      return undefined; // the member's namespace is gone
    }
    if (closed) {
      socket.close();
      return undefined;
    }
    const s = socket;
    return new Promise<Buffer | undefined>((resolveReply) => {
      const fail = (): void => {
        resolveReply(undefined);
        cancel();
      };
      s.on('message', (msg) => {
        if (msg.length >= 12 && msg.readUInt16BE(0) === id) resolveReply(msg);
      });
      s.on('error', fail); // ECONNREFUSED: the server's port unreachable
      s.on('close', () => resolveReply(undefined));
      s.connect(u.port, u.address, () => s.send(raw, (e) => e && fail()));
    });
  })();
  return { reply, cancel };
}

/** Asks one server over TCP: one query, one length-prefixed reply, then the connection closes. */
function askTcp(raw: Buffer, id: number, u: Upstream): Attempt {
  let socket: net.Socket | undefined;
  let cancelled = false;
  const reply = (async (): Promise<Buffer | undefined> => {
    try {
      socket = u.from
        ? await u.from.connect({ host: u.address, port: u.port, timeoutMs: kForwardDeadlineMs })
        : net.connect({ host: u.address, port: u.port });
    } catch {
      return undefined; // refused, unreachable, timed out, or the namespace is gone
    }
    if (cancelled) {
      socket.destroy();
      return undefined;
    }
    const s = socket;
    return new Promise<Buffer | undefined>((resolveReply) => {
      let data = Buffer.alloc(0);
      const send = (): void => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(raw.length);
        s.write(Buffer.concat([len, raw]));
      };
      if (s.connecting) s.on('connect', send);
      else send();
      s.on('data', (chunk) => {
        data = Buffer.concat([data, chunk]);
        if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
          const msg = data.subarray(2, 2 + data.readUInt16BE(0));
          resolveReply(msg.length >= 12 && msg.readUInt16BE(0) === id ? Buffer.from(msg) : undefined);
          s.destroy();
        }
      });
      s.on('error', () => undefined); // ECONNREFUSED, ECONNRESET...: 'close' follows
      s.on('close', () => resolveReply(undefined));
    });
  })();
  return {
    reply,
    cancel: () => {
      cancelled = true;
      socket?.destroy();
    },
  };
}

/** A DNS server for one network, served by this process (see {@link Network.serveDns}). */
export class DnsServer extends EventEmitter {
  /** The network served. */
  readonly network: string;
  /** The upstream servers, as given or read from the host's resolv.conf (see ServeDnsOptions.upstream). */
  readonly upstream: string[];
  /** @internal */
  readonly servers: Upstream[];
  /** @internal The network's id: a network made since under the same name is not served. */
  readonly networkId: string;
  /** @internal The host's resolv.conf sets ndots (see dns-answer.ts, answer). */
  readonly ndotsSet: boolean;
  #closed = false;
  /** @internal Once serveDns resolved: later failures are reported, not thrown. */
  started = false;

  /** @internal */
  constructor(network: string, networkId: string, servers: Upstream[], ndotsSet: boolean) {
    super();
    this.network = network;
    this.networkId = networkId;
    this.servers = servers;
    this.ndotsSet = ndotsSet;
    this.upstream = servers.map((u) => (u.family === 6 ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Stops serving this network; responders no network needs any more close their sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await registry.remove(this);
  }

  /**
   * @internal An error after serveDns resolved (a member where no responder could open):
   * emitted as 'error' when someone listens, else a process warning, once per namespace.
   */
  report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(error.message, 'NetnsDnsWarning');
  }
}

/** One namespace's responder: its sockets, and the table of names it answers. */
class Responder {
  readonly inode: string;
  readonly namespace: Namespace;
  table: NameTable = { forward: new Map(), reverse: new Map() };
  upstream: Upstream[] = [];
  /** Forwarding is on and ndots set: unknown single-label names are answered here (answer()). */
  ndotsSet = false;
  #udp: dgram.Socket | undefined;
  #tcp: net.Server | undefined;
  readonly #connections = new Set<net.Socket>();

  constructor(inode: string, namespace: Namespace) {
    this.inode = inode;
    this.namespace = namespace;
  }

  async open(): Promise<void> {
    try {
      this.#udp = await this.namespace.createUdpSocket('udp4', { address: DNS_ADDRESS, port: 53 });
      this.#udp.on('message', (msg, rinfo) => {
        void this.#reply(msg, false).then((reply) => {
          if (reply && this.#udp) this.#udp.send(reply, rinfo.port, rinfo.address, () => undefined);
        });
      });
      this.#udp.on('error', () => undefined);
      const tcp = net.createServer((socket) => this.#serveTcp(socket));
      await this.namespace.listen(tcp, { host: DNS_ADDRESS, port: 53 });
      this.#tcp = tcp;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  close(): void {
    this.#udp?.close();
    this.#udp = undefined;
    this.#tcp?.close();
    this.#tcp = undefined;
    for (const c of this.#connections) c.destroy();
  }

  #serveTcp(socket: net.Socket): void {
    this.#connections.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.#connections.delete(socket));
    socket.on('error', () => undefined);
    let data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      while (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        const msg = Buffer.from(data.subarray(2, 2 + data.readUInt16BE(0)));
        data = data.subarray(2 + msg.length);
        void this.#reply(msg, true).then((reply) => {
          if (!reply || socket.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  /** The reply to a raw query; a query that trips the codec gets SERVFAIL, and the process goes on. */
  async #reply(raw: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    try {
      return await this.#handle(raw, tcp);
    } catch {
      const header = formErr(raw);
      header?.writeUInt16BE((header.readUInt16BE(2) & ~0xf) | RCODE.SERVFAIL, 2);
      return header;
    }
  }

  async #handle(raw: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    const received = Date.now();
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return formErr(raw);
    }
    if (query.type !== 'query') return undefined; // a response sent to us: not to be answered
    const decided = answer(query, this.table, this.ndotsSet);
    if (decided !== 'forward') {
      let out = dnsPacket.encode(decided);
      if (!tcp && out.length > udpLimit(query)) {
        out = dnsPacket.encode({ ...decided, answers: [], flags: (decided.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE });
      }
      return out;
    }
    const deadline = received + kForwardDeadlineMs;
    const id = query.id ?? 0;
    const reply = await staggered(this.upstream, deadline, (u) => (tcp ? askTcp : askUdp)(raw, id, u));
    return reply ?? failureFor(query, RCODE.SERVFAIL);
  }
}

interface Failure {
  code: string;
  reason: string;
  networks: Set<string>;
}

/** Every network this process serves, and its responders. */
class Registry {
  readonly #servers = new Set<DnsServer>();
  readonly #responders = new Map<string, Responder>();
  #watcher: fs.FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** Namespaces where no responder could open, by inode. */
  readonly #failures = new Map<string, Failure>();
  #again = false;

  /** Whether any network is served. */
  get active(): boolean {
    return this.#servers.size > 0;
  }

  async add(server: DnsServer, operation: string): Promise<void> {
    this.#servers.add(server);
    this.#start();
    await this.refresh();
    // A member namespace of this network where no responder could open: refuse, as a whole.
    const failed = [...this.#failures.values()].find((f) => f.networks.has(server.network));
    if (failed) {
      this.#servers.delete(server);
      await this.refresh();
      if (this.#servers.size === 0) this.#stop();
      throw failure(failed.code, operation, failed.reason);
    }
    server.started = true;
  }

  async remove(server: DnsServer): Promise<void> {
    this.#servers.delete(server);
    if (this.#servers.size === 0) this.#stop();
    await this.refresh();
  }

  #start(): void {
    if (this.#poll) return;
    this.#poll = setInterval(() => this.kick(), kPollMs);
    this.#poll.unref();
    try {
      fs.mkdirSync(NETWORKS_DIR, { recursive: true, mode: 0o755 });
      this.#watcher = fs.watch(NETWORKS_DIR, { persistent: false }, () => this.kick());
      this.#watcher.on('error', () => undefined);
    } catch {
      // no inotify: the poll alone
    }
  }

  #stop(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** Re-reads the states soon, without waiting. */
  kick(): void {
    void this.refresh();
  }

  /**
   * Re-reads the states and opens, updates and closes responders to match; one run at a time.
   * Never rejects: a responder that cannot open is recorded in #failures and reported once to
   * the servers (already started) of the networks its namespace is on.
   */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.#again = false;
          await this.#sync();
        } while (this.#again);
      } finally {
        this.#running = undefined;
      }
    };
    this.#running = run();
    return this.#running;
  }

  async #sync(): Promise<void> {
    const operation = 'read network states';
    const states = new Map(readAllStates().map((st) => [st.name, st]));
    const served = new Map<string, NetworkState>();
    const upstreamOf = new Map<string, Upstream[]>();
    const ndotsOf = new Map<string, boolean>();
    for (const server of this.#servers) {
      if (served.has(server.network)) continue;
      const state = states.get(server.network);
      if (!state || state.id !== server.networkId || state.pending?.op === 'remove' || !state.dns) continue;
      served.set(server.network, {
        ...state,
        endpoints: state.endpoints.filter((ep) => nameAlive(ep.namespace) !== false),
      });
      upstreamOf.set(server.network, server.servers);
      ndotsOf.set(server.network, server.ndotsSet);
    }
    // The namespaces that have a way out: members of a network that is not internal, whether
    // this process serves it or not (dns: false ones too), as Docker's sandbox judges it from
    // all its endpoints (Sandbox.hasExternalAccess).
    const outside = new Set<string>();
    for (const state of states.values()) {
      if (state.internal || state.pending?.op === 'remove') continue;
      for (const ep of state.endpoints) if (nameAlive(ep.namespace) !== false) outside.add(ep.namespace.inode);
    }
    // Each member namespace, by inode: the served networks it is on, with its record on each.
    // Records of one inode may be of two namespaces (a member gone without a disconnect, and the
    // namespace the kernel gave its inode to): the responder's namespace picks its own.
    const wanted = new Map<string, Array<{ ref: NamespaceRef; state: NetworkState }>>();
    // Each namespace's records on every network (by name: the order its DNS settings merge in).
    const recordsOf = new Map<string, EndpointState[]>();
    for (const state of states.values()) {
      if (state.pending?.op === 'remove') continue;
      for (const ep of state.endpoints) {
        if (!hasDnsSettings(ep)) continue;
        let r = recordsOf.get(ep.namespace.inode);
        if (!r) recordsOf.set(ep.namespace.inode, (r = []));
        r.push(ep);
      }
    }
    for (const state of served.values()) {
      for (const ep of state.endpoints) {
        let w = wanted.get(ep.namespace.inode);
        if (!w) wanted.set(ep.namespace.inode, (w = []));
        w.push({ ref: ep.namespace, state });
      }
    }
    for (const [inode, responder] of this.#responders) {
      if (!wanted.has(inode) || responder.namespace.closed) {
        responder.close();
        this.#responders.delete(inode);
      }
    }
    for (const inode of this.#failures.keys()) if (!wanted.has(inode)) this.#failures.delete(inode);
    await Promise.all(
      [...wanted].map(async ([inode, w]) => {
        let responder = this.#responders.get(inode);
        const ref = w[0]?.ref as NamespaceRef;
        if (!responder) {
          let ns: Namespace | undefined;
          for (const on of w) if ((ns = await resolve(on.ref))) break;
          if (!ns) return; // gone meanwhile, or out of reach
          responder = new Responder(inode, ns);
          try {
            await responder.open();
          } catch (e) {
            const where = `namespace ${ref.name === undefined ? `[${inode}]` : `"${ref.name}"`}`;
            const error = e instanceof NetnsError ? e : failure('EIO', operation, String(e));
            const known = this.#failures.get(inode);
            const networks = new Set(w.map((on) => on.state.name));
            this.#failures.set(inode, {
              code: error.code,
              reason:
                error.code === 'EADDRINUSE'
                  ? `${DNS_ADDRESS}:53 is already in use in ${where} (served by another process?)`
                  : `no responder could open in ${where}: ${error.message}`,
              networks,
            });
            if (known) return; // said once already
            for (const server of this.#servers) {
              if (server.started && networks.has(server.network)) {
                server.report(
                  failure(
                    error.code,
                    `serve DNS for network "${server.network}"`,
                    (this.#failures.get(inode) as Failure).reason,
                  ),
                );
              }
            }
            return;
          }
          this.#failures.delete(inode);
          this.#responders.set(inode, responder);
        }
        const mine = await refOf(responder.namespace, operation);
        const states = w.filter((on) => sameNamespace(on.ref, mine) !== false).map((on) => on.state);
        responder.table = buildTable(states);
        // Only on internal networks: nothing forwarded (SERVFAIL), as Docker does since v26;
        // forwarding from the host namespace would carry names out of a sealed network. Else
        // the upstream servers of a served network that is not internal, if it is on one.
        // A member's own servers (its `dns`) replace them, asked from inside the member, as
        // Docker's for a container's --dns.
        const via = states.find((st) => !st.internal) ?? states[0];
        const forwards = outside.has(inode) && via !== undefined;
        const own = mergedDnsSettings(
          (recordsOf.get(inode) ?? []).filter((ep) => sameNamespace(ep.namespace, mine) !== false),
        );
        const ownServers = (own.dns ?? [])
          .filter((a) => a !== DNS_ADDRESS) // not itself (moby's filterExtServers)
          .map((a): Upstream => ({ address: a, family: parseIp(a)?.family ?? 4, port: 53, from: responder.namespace }));
        responder.upstream = !forwards ? [] : ownServers.length > 0 ? ownServers : (upstreamOf.get(via.name) ?? []);
        // Docker answers single-label names itself only where it forwards (proxyDNS), when ndots
        // is set: by the member's own options if it has some, else by the host's file.
        responder.ndotsSet =
          forwards && (own.dnsOptions ? option(own.dnsOptions, 'ndots') !== undefined : ndotsOf.get(via.name) === true);
      }),
    );
  }
}

const registry = new Registry();

/**
 * Called when this process changed a network's state: responders follow at once. Any network's,
 * served or not: being on a network that is not internal decides whether a namespace's queries
 * are forwarded. @internal
 */
export function networkChanged(): void {
  if (registry.active) registry.kick();
}

/** Starts serving a network (see `Network.serveDns`). @internal */
export async function serveNetwork(
  network: string,
  networkId: string,
  options: ServeDnsOptions,
  operation: string,
): Promise<DnsServer> {
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  if (options.upstream !== undefined && !Array.isArray(options.upstream)) {
    throw invalid(operation, 'upstream must be an array of addresses');
  }
  // No resolv.conf: no upstream, no options.
  const { text } = readHostResolvConf();
  const upstream = options.upstream ?? nameserversOf(text);
  const servers = upstream.map((u) => parseUpstream(u, operation));
  // Docker's sandbox asks whether the host's resolv.conf sets ndots (rc.Option("ndots")).
  const server = new DnsServer(network, networkId, servers, setsNdots(text));
  await registry.add(server, operation);
  return server;
}
