/**
 * A member's /etc/resolv.conf, made from the host's as current Docker (moby's
 * libnetwork/internal/resolvconf) makes a container's: the host's file parsed (nameservers,
 * the last `search` or `domain` line, every `options`, other directives kept as they are), the
 * member's own settings (`--dns`, `--dns-search`, `--dns-option`) replacing the host's of the
 * same kind, then made fit for the member's network:
 *
 * - with the embedded server (a `dns: true` network): `nameserver 127.0.0.11` alone, the other
 *   servers becoming its upstream (ExtServers); the host's `ndots` is kept, and `ndots:0` added
 *   only when there is none (a malformed one is dropped first);
 * - without it (`dns: false`): the nameservers as they are when the member gave its own, else
 *   the host's without loopback addresses (and without IPv6 ones unless the member has IPv6),
 *   Docker's defaults (Google's) when none is left.
 *
 * As Docker's, the file ends with comment lines that say where its parts came from. Pure: no I/O.
 */
import { invalid } from '../internal/errors';
import { formatIp, parseIp } from './ipam';
import type { EndpointState } from './state';

/** A member's own DNS settings, as `docker run --dns --dns-search --dns-option` (HostConfig's Dns, DnsSearch, DnsOptions). */
export interface DnsSettings {
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

/** The address of the embedded DNS server inside every member, as Docker's. */
export const DNS_ADDRESS = '127.0.0.11';

/** Where the host's file is read. */
export const HOST_RESOLV_CONF = '/etc/resolv.conf';

/**
 * systemd-resolved's own file, with the servers it forwards to. Read instead of the host's when
 * that names only resolved's stub (127.0.0.53, which answers only in the host namespace), as
 * moby's resolvconf.Path() does.
 */
export const SYSTEMD_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

/** Whether the host's resolv.conf points at systemd-resolved's stub alone (moby: one nameserver, 127.0.0.53). */
export function isSystemdStub(hostText: string): boolean {
  const servers = parse(hostText).nameservers;
  return servers.length === 1 && servers[0] === '127.0.0.53';
}

/** Docker's fallback servers when none is left (resolvconf.go, defaultIPv4NSs / defaultIPv6NSs). */
const DEFAULT_V4 = ['8.8.8.8', '8.8.4.4'];
const DEFAULT_V6 = ['2001:4860:4860::8888', '2001:4860:4860::8844'];

interface Parsed {
  nameservers: string[];
  invalid: string[];
  search: string[];
  options: string[];
  other: string[];
}

/** The host's file, as moby's Parse reads it. */
function parse(text: string): Parsed {
  const out: Parsed = { nameservers: [], invalid: [], search: [], options: [], other: [] };
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [directive, ...rest] = fields as [string, ...string[]];
    if (directive === '' || directive.startsWith('#') || directive.startsWith(';')) continue;
    switch (directive) {
      case 'nameserver': {
        const text = rest[0];
        if (text === undefined) break;
        const canonical = canonicalNameserver(text);
        if (canonical === undefined) out.invalid.push(text);
        else out.nameservers.push(canonical);
        break;
      }
      case 'domain': // the obsolete name of search
      case 'search':
        if (rest.length > 0) out.search = rest; // only the last one counts
        break;
      case 'options':
        out.options.push(...rest);
        break;
      default:
        out.other.push(line.replace(/\r$/, ''));
    }
  }
  return out;
}

/** A nameserver's address in canonical form, an IPv6 zone kept ('fe80::1%eth0'); undefined if it is not one. */
function canonicalNameserver(text: string): string | undefined {
  const at = text.indexOf('%');
  const ip = parseIp(at < 0 ? text : text.slice(0, at));
  if (!ip || (at >= 0 && ip.family !== 6)) return undefined;
  return at < 0 ? formatIp(ip) : `${formatIp(ip)}${text.slice(at)}`;
}

/** The value of the last option named `name` ('' for a bare one), as moby's Option; undefined when none is. */
export function option(options: readonly string[], name: string): string | undefined {
  for (let i = options.length - 1; i >= 0; i--) {
    const o = options[i] as string;
    const at = o.indexOf(':');
    if ((at < 0 ? o : o.slice(0, at)) === name) return at < 0 ? '' : o.slice(at + 1);
  }
  return undefined;
}

function isLoopback(address: string): boolean {
  const ip = parseIp(address.replace(/%.*$/, ''));
  return ip !== undefined && (ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n);
}

/** Whether `ndots:N` is well formed: N a non-negative integer. */
export function validNdots(o: string): boolean {
  return !o.startsWith('ndots:') || /^\d+$/.test(o.slice('ndots:'.length));
}

/** How a member's file is made: for the embedded server, or (`dns: false`) without it. */
export type ResolvConfMode = 'embedded' | { legacy: { ipv6: boolean } };

/** What {@link resolvConf} makes: the file's lines after the first, and what the embedded server needs. */
export interface ResolvConfResult {
  /** The file without its first line (netns-native's marker). */
  body: string;
  /** The servers the embedded server forwards to (moby's ExtServers), and whether they are the host's. */
  extServers: string[];
  fromHost: boolean;
  /** An `ndots` option was set, by the host's file or the member's options (moby's sb.ndotsSet). */
  ndotsSet: boolean;
}

/**
 * The member's resolv.conf (all but its first line) from the host's, the member's settings and
 * the network's kind, as moby's loadResolvConf then TransformForIntNS or TransformForLegacyNw,
 * then Generate with its comments.
 */
export function resolvConf(
  hostText: string,
  settings: DnsSettings,
  mode: ResolvConfMode,
  hostFile = HOST_RESOLV_CONF,
): ResolvConfResult {
  const rc = parse(hostText);
  const overrides: string[] = [];
  let ndotsFrom = option(rc.options, 'ndots') !== undefined ? 'host' : '';
  if (settings.dns?.length) {
    rc.nameservers = [...settings.dns];
    overrides.push('nameservers');
  }
  if (settings.dnsSearch?.length) {
    rc.search = settings.dnsSearch.filter((s) => s !== '.'); // '.': no search domain at all
    overrides.push('search');
  }
  if (settings.dnsOptions?.length) {
    rc.options = [...settings.dnsOptions];
    ndotsFrom = option(rc.options, 'ndots') !== undefined ? 'override' : '';
    overrides.push('options');
  }
  const ndotsSet = option(rc.options, 'ndots') !== undefined;
  const fromHost = !settings.dns?.length;
  const warnings: string[] = [];
  let extServers: string[] = [];
  let transform: string;
  if (mode === 'embedded') {
    transform = 'internal resolver';
    extServers = rc.nameservers;
    rc.nameservers = [DNS_ADDRESS];
    // The server needs ndots:0 (moby's ResolverOptions) unless an ndots is set; a malformed one
    // is dropped first.
    rc.options = rc.options.filter(validNdots);
    if (option(rc.options, 'ndots') === undefined) {
      rc.options.push('ndots:0');
      ndotsFrom = 'internal';
    }
    if (extServers.length === 0) warnings.push('NO EXTERNAL NAMESERVERS DEFINED');
  } else {
    transform = 'legacy';
    // Loopback servers work only in the host namespace; the member's own are taken as given.
    if (fromHost) {
      rc.nameservers = rc.nameservers.filter(
        (a) => !isLoopback(a) && (mode.legacy.ipv6 || parseIp(a.replace(/%.*$/, ''))?.family !== 6),
      );
      if (rc.nameservers.length === 0) {
        rc.nameservers = [...DEFAULT_V4, ...(mode.legacy.ipv6 ? DEFAULT_V6 : [])];
        warnings.push('Used default nameservers.');
      }
    }
  }
  const lines = [
    ...rc.nameservers.map((a) => `nameserver ${a}`),
    ...(rc.search.length > 0 ? [`search ${rc.search.join(' ')}`] : []),
    ...(rc.options.length > 0 ? [`options ${rc.options.join(' ')}`] : []),
    ...rc.other,
    '',
    `# Based on host file: '${hostFile}' (${transform})`,
    ...warnings.map((w) => `# ${w}`),
    ...(extServers.length > 0
      ? [`# ExtServers: [${extServers.map((a) => (fromHost ? `host(${a})` : a)).join(' ')}]`]
      : []),
    ...(rc.invalid.length > 0 ? [`# Invalid nameservers: [${rc.invalid.join(' ')}]`] : []),
    `# Overrides: [${overrides.join(' ')}]`,
    ...(ndotsFrom !== '' ? [`# Option ndots from: ${ndotsFrom}`] : []),
  ];
  return { body: `${lines.join('\n')}\n`, extServers, fromHost, ndotsSet };
}

/** Whether an endpoint was given DNS settings of its own. */
export function hasDnsSettings(ep: DnsSettings): boolean {
  return (ep.dns?.length ?? 0) + (ep.dnsSearch?.length ?? 0) + (ep.dnsOptions?.length ?? 0) > 0;
}

/**
 * The DNS settings of a namespace that is on several networks: those given on each (in the
 * order given: callers list endpoints by network name), each kind joined without duplicates.
 */
export function mergedDnsSettings(endpoints: readonly EndpointState[]): DnsSettings {
  const out: DnsSettings = {};
  for (const key of ['dns', 'dnsSearch', 'dnsOptions'] as const) {
    const all = [...new Set(endpoints.flatMap((ep) => ep[key] ?? []))];
    if (all.length > 0) out[key] = all;
  }
  return out;
}

const SEARCH_LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

function listOf(value: unknown, operation: string, what: string): unknown[] {
  if (value !== undefined && !Array.isArray(value)) throw invalid(operation, `${what} must be an array of strings`);
  return value ?? [];
}

/**
 * Checks a connect's `dns`, `dnsSearch` and `dnsOptions` as Docker's checks `--dns` (an IP
 * address), `--dns-search` (a domain, or '.' for none) and takes `--dns-option` (one word; an
 * `ndots` with a number), and gives them in canonical form, without duplicates, each absent
 * when empty.
 */
export function checkDnsSettings(options: DnsSettings, operation: string): DnsSettings {
  const out: DnsSettings = {};
  const dns = listOf(options.dns, operation, 'dns').map((a) => {
    const ip = typeof a === 'string' && !a.includes('%') ? parseIp(a) : undefined;
    if (!ip) {
      throw invalid(operation, `dns: ${JSON.stringify(a)} is not an IP address like '198.51.100.53' or 'fd00::53'`);
    }
    return formatIp(ip);
  });
  const search = listOf(options.dnsSearch, operation, 'dnsSearch').map((d) => {
    if (d === '.') return d;
    const trimmed = typeof d === 'string' && d.endsWith('.') ? d.slice(0, -1) : d;
    if (
      typeof trimmed !== 'string' ||
      trimmed.length === 0 ||
      trimmed.length > 253 ||
      !/[a-zA-Z]/.test(trimmed) ||
      !trimmed.split('.').every((l) => SEARCH_LABEL.test(l))
    ) {
      throw invalid(
        operation,
        `dnsSearch: ${JSON.stringify(d)} is not a search domain: labels of letters, digits and '-' separated by dots, with a letter somewhere (or '.' for none)`,
      );
    }
    return trimmed;
  });
  const opts = listOf(options.dnsOptions, operation, 'dnsOptions').map((o) => {
    if (typeof o !== 'string' || !/^[\x21-\x7e]+$/.test(o) || !validNdots(o)) {
      throw invalid(
        operation,
        `dnsOptions: ${JSON.stringify(o)} is not a resolver option: one word such as 'ndots:2', 'edns0' or 'timeout:1', no spaces (ndots takes a number)`,
      );
    }
    return o;
  });
  if (dns.length > 0) out.dns = [...new Set(dns)];
  if (search.length > 0) out.dnsSearch = [...new Set(search)];
  if (opts.length > 0) out.dnsOptions = [...new Set(opts)];
  return out;
}
