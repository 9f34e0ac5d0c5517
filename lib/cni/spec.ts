/**
 * The CNI protocol itself (https://github.com/containernetworking/cni/blob/main/SPEC.md), with
 * nothing of bridges or addresses in it: the versions this plugin speaks and how one is chosen,
 * the call as the runtime makes it (CNI_* variables, the configuration on stdin, CNI_ARGS), the
 * error object and its well-known codes, and the result in each version's shape.
 *
 * Kept free of the addon so that VERSION, and every error found before the kernel is needed,
 * cost only this file's load.
 * @internal
 */

/** The versions this plugin implements, oldest first (what VERSION reports). */
export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
/** The newest: results are built in its shape and converted down. */
export const CURRENT_VERSION = '1.1.0';

/** The spec's well-known error codes (0-99); 999 is libcni's "internal" code. */
export const CniCode = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodingFailure: 6,
  invalidNetworkConfig: 7,
  invalidNetns: 8,
  tryAgainLater: 11,
  notAvailable: 50,
  notAvailableDisrupted: 51,
  internal: 999,
} as const;

/** A failure to report to the runtime: `{ cniVersion, code, msg, details }` on stdout, exit 1. */
export class CniError extends Error {
  override readonly name = 'CniError';
  readonly code: number;
  readonly details: string | undefined;
  constructor(code: number, msg: string, details?: string) {
    super(msg);
    this.code = code;
    this.details = details;
  }
}

/** The error object as the spec defines it. */
export function errorJson(e: CniError, cniVersion: string): Record<string, unknown> {
  const out: Record<string, unknown> = { cniVersion, code: e.code, msg: e.message };
  if (e.details) out.details = e.details;
  return out;
}

/** 'x.y.z' as three numbers; undefined when it is not a version. */
function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** a >= b, for versions already checked by parseVersion. */
export function versionAtLeast(a: string, b: string): boolean {
  const x = parseVersion(a) as [number, number, number];
  const y = parseVersion(b) as [number, number, number];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) > (y[i] as number);
  return true;
}

/**
 * The version of this call: the configuration's `cniVersion`, or, when it carries only
 * `cniVersions` (a 1.1.0 network configuration list handed over whole), the newest of those this
 * plugin speaks. A configuration without either is 0.1.0, as libcni reads it, hence
 * incompatible.
 * @throws CniError 6 for a cniVersion that is not a string, 1 for one not implemented here.
 */
export function negotiateVersion(conf: Record<string, unknown>): string {
  let version = conf.cniVersion;
  if (version === undefined && Array.isArray(conf.cniVersions)) {
    const offered = conf.cniVersions.filter((v): v is string => typeof v === 'string' && parseVersion(v) !== undefined);
    const common = SUPPORTED_VERSIONS.filter((v) => offered.includes(v));
    if (common.length === 0) {
      throw new CniError(
        CniCode.incompatibleVersion,
        'incompatible CNI versions',
        `config offers ${JSON.stringify(conf.cniVersions)}, plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`,
      );
    }
    version = common[common.length - 1];
  }
  if (version === undefined || version === '') version = '0.1.0';
  if (typeof version !== 'string') {
    throw new CniError(CniCode.decodingFailure, `could not parse cniVersion ${JSON.stringify(version)}`);
  }
  // A version that is not one (libcni: any string not in the plugin's list) is incompatible.
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw new CniError(
      CniCode.incompatibleVersion,
      'incompatible CNI versions',
      `config is ${JSON.stringify(version)}, plugin supports ${JSON.stringify(SUPPORTED_VERSIONS)}`,
    );
  }
  return version;
}

/** The VERSION reply. */
export function versionJson(): Record<string, unknown> {
  return { cniVersion: CURRENT_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] };
}

export type Command = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS' | 'VERSION';

/** One invocation, as the runtime made it. */
export interface Call {
  command: Command;
  containerId: string;
  netns: string;
  ifName: string;
  /** CNI_ARGS, parsed: 'K=V;K2=V2'. */
  args: Map<string, string>;
  /** CNI_PATH, split on ':'. */
  path: string[];
  /** The configuration, parsed (stdin). */
  conf: Record<string, unknown>;
  /** The configuration as it came (handed to a delegated IPAM plugin unchanged). */
  stdin: string;
  /** The negotiated version. */
  cniVersion: string;
}

// The CNI name rule (libcni utils): container ids and network names.
const CNI_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Which variables each command requires (libcni skel). */
const REQUIRED: Record<string, Command[]> = {
  CNI_CONTAINERID: ['ADD', 'CHECK', 'DEL'],
  CNI_NETNS: ['ADD', 'CHECK'],
  CNI_IFNAME: ['ADD', 'CHECK', 'DEL'],
  CNI_PATH: ['ADD', 'CHECK', 'DEL', 'GC', 'STATUS'],
};

/** The interface name rule of the kernel (dev_valid_name), as libcni checks it, and no '%'. */
export function checkIfName(name: string): void {
  if (name.length === 0) throw new CniError(CniCode.invalidEnvironment, 'interface name is empty');
  if (Buffer.byteLength(name) > 15) {
    throw new CniError(
      CniCode.invalidEnvironment,
      'interface name is too long',
      'interface name should be less than 16 characters',
    );
  }
  if (name === '.' || name === '..') throw new CniError(CniCode.invalidEnvironment, 'interface name is . or ..');
  if (/[/:\s]/u.test(name)) {
    throw new CniError(CniCode.invalidEnvironment, 'interface name contains / or : or whitespace characters');
  }
  // Not in libcni: the kernel would make 'eth%d' as eth0 (the first free number), an interface
  // neither this plugin nor the runtime would find by the name given.
  if (name.includes('%')) {
    throw new CniError(
      CniCode.invalidEnvironment,
      'interface name contains %',
      "names are taken literally; the kernel would expand '%d' into the first free number",
    );
  }
}

/** Go's %q of a list of strings: ["A=1" "B=2"], as libcni prints the pairs it refuses. */
function quoteList(items: string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(' ')}]`;
}

/**
 * CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=x', read as libcni's LoadArgs reads it: every pair has
 * exactly one '=' (so a trailing ';' or 'K=a=b' is refused), IgnoreUnknown is 1, true, 0 or
 * false (any case), and a key the reader does not know is an error unless IgnoreUnknown is set.
 * Each plugin reads CNI_ARGS for itself, knowing only its own keys: the bridge plugin MAC,
 * host-local IP (checkArgs). The reference answers 999; ours gives the spec's code 4, with
 * libcni's messages.
 * @throws CniError 4 for a malformed pair, a bad IgnoreUnknown or an unknown key.
 */
export function parseCniArgs(text: string, known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (text === '') return out;
  for (const pair of text.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2) throw new CniError(CniCode.invalidEnvironment, `ARGS: invalid pair ${JSON.stringify(pair)}`);
    const [key, value] = kv as [string, string];
    if (key === 'IgnoreUnknown' && !/^(1|true|0|false)$/i.test(value)) {
      throw new CniError(
        CniCode.invalidEnvironment,
        `ARGS: error parsing value of pair ${JSON.stringify(pair)}: boolean unmarshal error: invalid input ${value.toLowerCase()}`,
      );
    }
    out.set(key, value);
  }
  checkArgs(out, known);
  return out;
}

/**
 * The keys of parsed CNI_ARGS that one reader (a plugin, or the in-process host-local) knows:
 * any other is an error unless IgnoreUnknown is set.
 * @throws CniError 4 naming the unknown pairs.
 */
export function checkArgs(args: Map<string, string>, known: readonly string[]): void {
  if (/^(1|true)$/i.test(args.get('IgnoreUnknown') ?? '')) return;
  const unknown = [...args].filter(([k]) => k !== 'IgnoreUnknown' && !known.includes(k)).map(([k, v]) => `${k}=${v}`);
  if (unknown.length > 0) {
    throw new CniError(CniCode.invalidEnvironment, `ARGS: unknown args ${quoteList(unknown)}`);
  }
}

/**
 * Reads the call from the environment and stdin, checks what the spec and libcni check before a
 * plugin acts (required variables, names, the configuration's JSON and name, the version).
 * @throws CniError with the code libcni gives each case.
 */
export function readCall(env: NodeJS.ProcessEnv, stdin: string, knownArgs: readonly string[]): Call {
  const command = env.CNI_COMMAND ?? '';
  const missing = ['CNI_COMMAND', ...Object.keys(REQUIRED)].filter(
    (name) => !env[name] && (name === 'CNI_COMMAND' || (REQUIRED[name] as string[]).includes(command as Command)),
  );
  if (missing.length > 0) {
    throw new CniError(CniCode.invalidEnvironment, `required env variables [${missing.join(',')}] missing`);
  }
  if (!['ADD', 'DEL', 'CHECK', 'GC', 'STATUS', 'VERSION'].includes(command)) {
    throw new CniError(CniCode.invalidEnvironment, `unknown CNI_COMMAND: ${command}`);
  }
  const containerId = env.CNI_CONTAINERID ?? '';
  const ifName = env.CNI_IFNAME ?? '';
  const needsAttachment = command === 'ADD' || command === 'DEL' || command === 'CHECK';
  if (needsAttachment) {
    if (!CNI_NAME.test(containerId)) {
      throw new CniError(CniCode.invalidEnvironment, 'invalid characters in containerID', containerId);
    }
    checkIfName(ifName);
  }
  let conf: unknown;
  try {
    conf = JSON.parse(stdin);
  } catch (e) {
    throw new CniError(CniCode.decodingFailure, `error unmarshall network config: ${(e as Error).message}`);
  }
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) {
    throw new CniError(CniCode.decodingFailure, 'error unmarshall network config: not a JSON object');
  }
  const c = conf as Record<string, unknown>;
  if (c.name === undefined || c.name === '') throw new CniError(CniCode.invalidNetworkConfig, 'missing network name');
  if (typeof c.name !== 'string') {
    throw new CniError(CniCode.decodingFailure, 'error unmarshall network config: "name" must be a string');
  }
  if (!CNI_NAME.test(c.name)) {
    throw new CniError(
      CniCode.invalidNetworkConfig,
      `invalid characters found in network name ${JSON.stringify(c.name)}`,
      c.name,
    );
  }
  const cniVersion = negotiateVersion(c);
  const min = command === 'CHECK' ? '0.4.0' : command === 'GC' || command === 'STATUS' ? '1.1.0' : undefined;
  if (min !== undefined && !versionAtLeast(cniVersion, min)) {
    throw new CniError(CniCode.incompatibleVersion, `config version does not allow ${command}`);
  }
  return {
    command: command as Command,
    containerId,
    netns: env.CNI_NETNS ?? '',
    ifName,
    args: needsAttachment ? parseCniArgs(env.CNI_ARGS ?? '', knownArgs) : new Map(),
    path: (env.CNI_PATH ?? '').split(':').filter((p) => p !== ''),
    conf: c,
    stdin,
    cniVersion,
  };
}

/** An interface of a result. */
export interface ResultInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}

/** An address of a result: `address` in CIDR form with the subnet's prefix. */
export interface ResultIp {
  /** Index into `interfaces`. */
  interface?: number;
  address: string;
  gateway?: string;
}

export interface ResultRoute {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface ResultDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** A result in the current (1.x) shape. */
export interface CniResult {
  cniVersion: string;
  interfaces?: ResultInterface[];
  ips?: ResultIp[];
  routes?: ResultRoute[];
  dns: ResultDns;
}

/** The DNS object with only its set fields, in the spec's order. */
export function cleanDns(dns: unknown): ResultDns {
  const d = (typeof dns === 'object' && dns !== null ? dns : {}) as Record<string, unknown>;
  const out: ResultDns = {};
  const list = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.length > 0 ? v.filter((x): x is string => typeof x === 'string') : undefined;
  const nameservers = list(d.nameservers);
  if (nameservers) out.nameservers = nameservers;
  if (typeof d.domain === 'string' && d.domain !== '') out.domain = d.domain;
  const search = list(d.search);
  if (search) out.search = search;
  const options = list(d.options);
  if (options) out.options = options;
  return out;
}

/**
 * The result in the shape of `version`: 1.x as is; 0.3.x and 0.4.0 give each address its
 * family as `version: "4" | "6"` (and know no interface `mtu`, nor route fields beyond dst/gw).
 */
export function formatResult(result: CniResult, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { cniVersion: version };
  const legacy = !versionAtLeast(version, '1.0.0');
  if (result.interfaces?.length) {
    out.interfaces = result.interfaces.map((i) => {
      const o: Record<string, unknown> = { name: i.name };
      if (i.mac) o.mac = i.mac;
      if (i.mtu && versionAtLeast(version, '1.1.0')) o.mtu = i.mtu;
      if (i.sandbox) o.sandbox = i.sandbox;
      return o;
    });
  }
  if (result.ips?.length) {
    out.ips = result.ips.map((ip) => {
      const o: Record<string, unknown> = {};
      if (legacy) o.version = ip.address.includes(':') ? '6' : '4';
      if (ip.interface !== undefined) o.interface = ip.interface;
      o.address = ip.address;
      if (ip.gateway) o.gateway = ip.gateway;
      return o;
    });
  }
  if (result.routes?.length) {
    out.routes = result.routes.map((r) => {
      const o: Record<string, unknown> = { dst: r.dst };
      if (r.gw) o.gw = r.gw;
      if (versionAtLeast(version, '1.1.0')) {
        for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) if (r[k] !== undefined) o[k] = r[k];
      }
      return o;
    });
  }
  out.dns = result.dns;
  return out;
}

/**
 * A result of any version this plugin speaks (a prevResult, or a delegated IPAM plugin's
 * reply), in the current shape.
 * @throws CniError 6 when it is not a result.
 */
export function parseResult(value: unknown, what: string): CniResult {
  const bad = (why: string) => new CniError(CniCode.decodingFailure, `cannot read ${what}: ${why}`);
  if (typeof value !== 'object' || value === null) throw bad('not a JSON object');
  const r = value as Record<string, unknown>;
  const version = typeof r.cniVersion === 'string' ? r.cniVersion : '';
  if (!parseVersion(version) || !versionAtLeast(version, '0.3.0')) {
    throw bad(`unsupported result version ${JSON.stringify(r.cniVersion)}`);
  }
  const array = (v: unknown, name: string): Array<Record<string, unknown>> => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null)) throw bad(`"${name}" is not a list`);
    return v as Array<Record<string, unknown>>;
  };
  const str = (v: unknown, name: string): string => {
    if (typeof v !== 'string') throw bad(`"${name}" must be a string`);
    return v;
  };
  const out: CniResult = { cniVersion: version, dns: cleanDns(r.dns) };
  out.interfaces = array(r.interfaces, 'interfaces').map((i) => ({
    name: str(i.name, 'interfaces[].name'),
    ...(typeof i.mac === 'string' && { mac: i.mac }),
    ...(typeof i.mtu === 'number' && { mtu: i.mtu }),
    ...(typeof i.sandbox === 'string' && { sandbox: i.sandbox }),
  }));
  out.ips = array(r.ips, 'ips').map((i) => ({
    ...(typeof i.interface === 'number' && { interface: i.interface }),
    address: str(i.address, 'ips[].address'),
    ...(typeof i.gateway === 'string' && { gateway: i.gateway }),
  }));
  out.routes = array(r.routes, 'routes').map((x) => {
    const route: ResultRoute = { dst: str(x.dst, 'routes[].dst') };
    if (typeof x.gw === 'string') route.gw = x.gw;
    for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) {
      if (typeof x[k] === 'number') route[k] = x[k] as number;
    }
    return route;
  });
  return out;
}
