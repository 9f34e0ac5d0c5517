/**
 * Names without a DNS server: /etc/netns/NAME/hosts and /etc/netns/NAME/resolv.conf for each
 * named member of a `dns: true` network. `ip netns exec` and Namespace.spawn/exec bind every
 * file of /etc/netns/NAME over the same file of /etc, so programs inside see them as /etc/hosts
 * and /etc/resolv.conf.
 *
 * A bind mount pins the file (the inode), not its name: a file replaced by rename would leave
 * running programs with the old one. So the files are rewritten in place (written from offset
 * 0, then truncated to the new length), the way Docker rewrites a container's /etc/hosts, and a
 * program already running sees members who join later.
 *
 * The rendering is pure; writing happens under the machine-wide "names" lock, from the states
 * as committed, so that the last writer of a file always wrote what every network says now.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatIp, parseIp } from './ipam';
import {
  DNS_ADDRESS,
  HOST_RESOLV_CONF,
  SYSTEMD_RESOLV_CONF,
  hasDnsSettings,
  isSystemdStub,
  mergedDnsSettings,
  resolvConf,
  type DnsSettings,
  type ResolvConfMode,
} from './resolv-conf';
import type { EndpointState, NetworkState } from './state';

/** Where per-namespace files live, as for iproute2. */
export const NETNS_ETC_DIR = '/etc/netns';

export { DNS_ADDRESS };

/** The first line of every file written here: how a file of ours is told from a user's. */
export const MARKER = '# Written by netns-native';

const LOCALHOST = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];
const LOCALHOST_TEXT = `${LOCALHOST.join('\n')}\n`;

/** The names of an endpoint: its name first, then its aliases (no duplicates). */
export function endpointNames(ep: EndpointState): string[] {
  return [...new Set([...(ep.name === undefined ? [] : [ep.name]), ...ep.aliases])];
}

function bare(cidr: string): string {
  return cidr.slice(0, cidr.indexOf('/'));
}

/**
 * A network's hosts lines (its named members by address, each member's IPv6 line after its IPv4
 * one) as one text, with where each member's own lines are in it, computed once per state
 * object: each member's part of its hosts file (its own lines first) is then three slices, not a
 * render of every member (a connect rewrites every member's file).
 */
interface HostsBlock {
  text: string;
  own: Map<string, { start: number; end: number }>;
}

const blockCache = new WeakMap<NetworkState, HostsBlock>();

function hostsBlock(state: NetworkState): HostsBlock {
  let block = blockCache.get(state);
  if (block) return block;
  const keyed = state.endpoints.map((ep) => ({ ep, key: parseIp(bare(ep.address))?.value ?? 0n }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let text = '';
  const own = new Map<string, { start: number; end: number }>();
  for (const { ep } of keyed) {
    const names = endpointNames(ep).join(' ');
    if (names === '') continue;
    const start = text.length;
    text += `${bare(ep.address)}\t${names}\n`;
    if (ep.ipv6Address !== undefined) text += `${bare(ep.ipv6Address)}\t${names}\n`;
    own.set(ep.namespace.inode, { start, end: text.length });
  }
  block = { text, own };
  blockCache.set(state, block);
  return block;
}

/**
 * /etc/hosts for a namespace: the localhost lines, then for each `dns: true` network it is on
 * (by name), its own entry and those of every other member.
 */
export function renderHosts(namespaceName: string, inode: string, networks: readonly NetworkState[]): string {
  let out = `${MARKER} for namespace "${namespaceName}": the members of its networks. Rewritten in place when they change.\n${LOCALHOST_TEXT}`;
  const sorted =
    networks.length > 1 ? [...networks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : networks;
  for (const state of sorted) {
    const { text, own } = hostsBlock(state);
    const mine = own.get(inode);
    out += `# network ${state.name}\n`;
    out += mine ? text.slice(mine.start, mine.end) + text.slice(0, mine.start) + text.slice(mine.end) : text;
  }
  return out;
}

/** /etc/hosts once the namespace is on no `dns: true` network any more. */
export function renderBareHosts(namespaceName: string): string {
  return `${[`${MARKER} for namespace "${namespaceName}": on no network with names.`, ...LOCALHOST].join('\n')}\n`;
}

/**
 * /etc/resolv.conf for a member, as current Docker writes a container's (resolv-conf.ts): on a
 * network with names (`mode` 'embedded'), pointing at the embedded server, keeping the host's
 * `search`, `options` (its `ndots` too; `ndots:0` added when it has none) and other directives;
 * on one without, the host's servers or the member's own. `settings`: the member's `dns`,
 * `dnsSearch` and `dnsOptions`, replacing the host's of the same kind. `hostFile`: where
 * `hostResolvConf` was read (see {@link readHostResolvConf}), named in the file's comments.
 */
export function renderResolvConf(
  namespaceName: string,
  hostResolvConf: string,
  settings: DnsSettings = {},
  mode: ResolvConfMode = 'embedded',
  hostFile = HOST_RESOLV_CONF,
): string {
  const first =
    mode === 'embedded'
      ? 'names come from the embedded DNS server (Network.serveDns) and hosts.'
      : "the host's resolv.conf with the member's own DNS settings (its networks have no names).";
  return `${MARKER} for namespace "${namespaceName}": ${first}\n${resolvConfBody(hostResolvConf, settings, mode, hostFile)}`;
}

/** What follows the first line of {@link renderResolvConf} for a member without settings of its own (the last one kept). */
let lastBody: { host: string; hostFile: string; body: string } | undefined;

function resolvConfBody(hostResolvConf: string, settings: DnsSettings, mode: ResolvConfMode, hostFile: string): string {
  const plain = mode === 'embedded' && !hasDnsSettings(settings);
  if (plain && lastBody?.host === hostResolvConf && lastBody.hostFile === hostFile) return lastBody.body;
  const { body } = resolvConf(hostResolvConf, settings, mode, hostFile);
  if (plain) lastBody = { host: hostResolvConf, hostFile, body };
  return body;
}

/**
 * The host's resolv.conf as members' files are made from it: /etc/resolv.conf, or
 * systemd-resolved's own file when /etc/resolv.conf names only its stub (moby's
 * resolvconf.Path(); the stub answers only in the host namespace). When resolved's file cannot
 * be read, /etc/resolv.conf is used as it is. Read through the stat cache ({@link readKnown}).
 */
export function readHostResolvConf(): { file: string; text: string } {
  const text = readKnown(HOST_RESOLV_CONF);
  if (isSystemdStub(text)) {
    const resolved = readKnown(SYSTEMD_RESOLV_CONF);
    if (resolved !== '') return { file: SYSTEMD_RESOLV_CONF, text: resolved };
  }
  return { file: HOST_RESOLV_CONF, text };
}

/**
 * Whether a resolv.conf sets `ndots` on an `options` line: Docker's sandbox then has its resolver
 * answer single-label names it does not know itself (NdotsSet; dns-answer.ts, answer).
 */
export function setsNdots(resolvConf: string): boolean {
  return resolvConf.split('\n').some((l) => /^\s*options\s/.test(l) && /\sndots:/.test(l));
}

/** The nameservers of a resolv.conf, in order. */
export function nameserversOf(resolvConf: string): string[] {
  const out: string[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const ip = m ? parseIp((m[1] as string).replace(/%.*$/, '')) : undefined;
    if (ip) out.push(formatIp(ip));
  }
  return out;
}

/** Writes `content` into `file` in place: same inode, so bind mounts of it see the change. */
export function writeInPlace(file: string, content: string): void {
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fd = fs.openSync(file, flags, 0o644);
  }
  try {
    fs.writeFileSync(fd, content); // from offset 0 (just opened), all of it
    fs.ftruncateSync(fd, Buffer.byteLength(content));
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes a file; one that is gone already is fine. */
function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Files read by {@link readKnown}: their content and the stat of the version read (inode, size,
 * mtime, ctime).
 */
const known = new Map<string, { ino: number; size: number; mtimeMs: number; ctimeMs: number; content: string }>();

/**
 * A version older than this (ms) is remembered: file timestamps are coarse (a clock tick of a
 * few ms), so a file changed within the same tick as it was read could keep its stat.
 */
const kSettledMs = 100;

/**
 * `file`'s content ('' if it cannot be read), as {@link readOrEmpty}, read again only when its
 * stat changed since this process last read it: one stat instead of open, fstat, read and close
 * (the resolv.conf files are read on every change of a network's names and rarely change).
 */
function readKnown(file: string): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) {
    known.delete(file);
    return '';
  }
  const last = known.get(file);
  if (
    last &&
    last.ino === st.ino &&
    last.size === st.size &&
    last.mtimeMs === st.mtimeMs &&
    last.ctimeMs === st.ctimeMs
  ) {
    return last.content;
  }
  // Stat first, then read: a change after the stat gives a new stat, seen next time, unless it
  // came within the same clock tick. So only a version that has not changed for a while is kept.
  const content = readOrEmpty(file);
  if (Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > kSettledMs) {
    known.set(file, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, content });
  } else {
    known.delete(file);
  }
  return content;
}

/**
 * Brings the files of the named namespaces `names` in line with `states` (every network, as
 * committed): hosts and resolv.conf written for a namespace on some `dns: true` network, and
 * resolv.conf alone for one on none but with DNS settings of its own (on `dns: false`
 * networks); files of ours no longer wanted are rewritten to the host's content (for programs
 * still running with them) and removed (so new programs get the host's). With `onlyIfDiffers`
 * (a check that changed no member), a hosts file that already says what it would be written
 * with is left as it is.
 */
export function syncNames(names: Iterable<string>, states: readonly NetworkState[], onlyIfDiffers = false): void {
  let host: { file: string; text: string } | undefined;
  // Each named namespace: the dns networks it is on, its records on every network (in the
  // networks' order, by name: the order its DNS settings are merged in), and its inode.
  const onBy = new Map<string, { inode: string; on: NetworkState[]; records: EndpointState[] }>();
  for (const state of states) {
    for (const ep of state.endpoints) {
      const name = ep.namespace.name;
      if (name === undefined || (!state.dns && !hasDnsSettings(ep))) continue;
      let entry = onBy.get(name);
      if (!entry) onBy.set(name, (entry = { inode: ep.namespace.inode, on: [], records: [] }));
      entry.records.push(ep);
      if (state.dns && !entry.on.includes(state)) entry.on.push(state);
    }
  }
  for (const name of new Set(names)) {
    const dir = `${NETNS_ETC_DIR}/${name}`; // a checked name: no '/', no '..'
    const hosts = `${dir}/hosts`;
    const resolvConfFile = `${dir}/resolv.conf`;
    const { inode, on, records } = onBy.get(name) ?? { inode: '', on: [], records: [] };
    const settings = mergedDnsSettings(records);
    let resolv: string | undefined;
    if (on.length > 0 || hasDnsSettings(settings)) {
      host ??= readHostResolvConf();
      const ipv6 = records.some((ep) => ep.ipv6Address !== undefined);
      const mode = on.length > 0 ? 'embedded' : { legacy: { ipv6 } };
      resolv = renderResolvConf(name, host.text, settings, mode, host.file);
      // resolv.conf changes only with the host's: rewritten only when it differs. None yet: a
      // namespace just joining, whose directory is made first (not found by a failed open).
      const present = readKnown(resolvConfFile);
      if (present === '') fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      if (present !== resolv) writeInPlace(resolvConfFile, resolv);
    }
    if (on.length > 0) {
      const text = renderHosts(name, inode, on);
      if (!onlyIfDiffers || readOrEmpty(hosts) !== text) writeInPlace(hosts, text);
      continue;
    }
    let removed = false;
    for (const [file, rest] of [
      [hosts, () => renderBareHosts(name)],
      ...(resolv === undefined ? ([[resolvConfFile, () => readOrEmpty(HOST_RESOLV_CONF)]] as const) : []),
    ] as const) {
      if (!readOrEmpty(file).startsWith(MARKER)) continue;
      writeInPlace(file, rest());
      unlinkQuietly(file);
      removed = true;
    }
    if (!removed || resolv !== undefined) continue;
    try {
      fs.rmdirSync(dir);
    } catch {
      // not empty: files of the user's
    }
  }
}
