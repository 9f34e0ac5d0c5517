/**
 * The names `ip` gives routing tables, route protocols, DS field (TOS) values, realms and protodown
 * reasons, from the files it reads them from: rt_tables (plus rt_tables.d/*.conf), rt_protos (plus
 * rt_protos.d/*.conf), rt_dsfield and rt_realms (no .d directory in any iproute2),
 * protodown_reasons.d/*.conf (a directory alone, no main file), lines of
 * `ID NAME` (ID decimal or 0x-hex; `#` starts a comment). Where they are: /etc/iproute2, and for
 * a file missing there the distribution's copy, as iproute2 6.5 and later read them
 * (/usr/share/iproute2 or /usr/lib/iproute2, whichever this system has; iproute2 6.1 reads
 * /etc/iproute2 alone, and has nothing there to fall back to). A conf file of the distribution's
 * rt_tables.d (rt_protos.d) is read unless /etc's has one of the same name. As iproute2, a line that is not `ID NAME` ends the reading of
 * its file.
 *
 * The tables main (254), local (255) and default (253) are built in, as in iproute2: they need no
 * file; so are the protocols iproute2 6.1 names in its code (boot, static, kernel, ...). The files are read, synchronously (a few small files, like /etc/hosts), only when a name
 * is needed that is not built in, and afresh each time: a call in flight never sees half a
 * change, and the next call sees the files as they are then. Reading them synchronously keeps a
 * route given a table by name in its place on its namespace's FIFO.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalid } from './internal/errors';
import { IpProtocolNames } from './ip-protocols';
import { checkInteger, describeValue } from './internal/validate';

/** Where iproute2 reads its names, and where a distribution may keep its defaults. */
export interface Iproute2Dirs {
  etc: string;
  /** Candidates for the distribution's directory: the first that exists is the one. */
  usr: string[];
}

/** The directories `ip` reads. */
export const IPROUTE2_DIRS: Iproute2Dirs = { etc: '/etc/iproute2', usr: ['/usr/share/iproute2', '/usr/lib/iproute2'] };

/** The tables iproute2 names without any file (rt_names.c). */
const BUILTIN_TABLES = new Map<number, string>([
  [253, 'default'],
  [254, 'main'],
  [255, 'local'],
]);

/**
 * The route protocols iproute2 6.1 names without any file (rt_names.c's rtnl_rtprot_tab); others,
 * such as 99 (openr), come from rt_protos.
 */
const BUILTIN_PROTOCOLS = new Map<number, string>([
  [0, 'unspec'],
  [1, 'redirect'],
  [2, 'kernel'],
  [3, 'boot'],
  [4, 'static'],
  [8, 'gated'],
  [9, 'ra'],
  [10, 'mrt'],
  [11, 'zebra'],
  [12, 'bird'],
  [13, 'dnrouted'],
  [14, 'xorp'],
  [15, 'ntk'],
  [16, 'dhcp'],
  [18, 'keepalived'],
  [42, 'babel'],
  [186, 'bgp'],
  [187, 'isis'],
  [188, 'ospf'],
  [189, 'rip'],
  [192, 'eigrp'],
]);

/** One database of names, and the files it was read from (in reading order). */
export interface NameDatabase {
  /** id -> name; where two lines name one id, the later one. */
  names: Map<number, string>;
  /** name -> id; where two lines give one name, the later one. */
  ids: Map<string, number>;
  files: string[];
}

/**
 * Reads one file of `ID NAME` lines into `db`, ids above `max` left out. Returns false when the
 * file does not exist (any other failure to read it is as iproute2 takes it: no names from it).
 */
function readFile(db: NameDatabase, file: string, max: number): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  db.files.push(file);
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const [idText, name] = line.split(/\s+/);
    let id: number;
    if (idText !== undefined && /^0x[0-9a-fA-F]+$/.test(idText)) id = parseInt(idText.slice(2), 16);
    else if (idText !== undefined && /^\d+$/.test(idText)) id = Number(idText);
    else break; // iproute2: "Database FILE is corrupted at LINE", and no more of this file
    if (name === undefined || name === '') break;
    if (id > max) continue;
    db.names.set(id, name);
    db.ids.set(name, id);
  }
  return true;
}

/** The distribution's directory: the first candidate that exists. */
function usrDir(dirs: Iproute2Dirs): string | undefined {
  return dirs.usr.find((dir) => fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory());
}

/** The `*.conf` files of a directory, sorted; none when it does not exist. */
function confFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.conf') && f.length > '.conf'.length && !f.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
}

function emptyDatabase(): NameDatabase {
  return { names: new Map(), ids: new Map(), files: [] };
}

/**
 * The conf files of the directory `name` into `db`: the distribution's first (those /etc's
 * directory has no file of the same name for), then /etc's, ids above `max` left out.
 */
function readConfDir(db: NameDatabase, dirs: Iproute2Dirs, usr: string | undefined, name: string, max: number): void {
  const etcConf = path.join(dirs.etc, name);
  const mine = confFiles(etcConf);
  if (usr !== undefined) {
    const theirs = path.join(usr, name);
    for (const f of confFiles(theirs)) if (!mine.includes(f)) readFile(db, path.join(theirs, f), max);
  }
  for (const f of mine) readFile(db, path.join(etcConf, f), max);
}

/**
 * `file`, then the conf files of `file`.d (the distribution's first, then /etc's), ids above
 * `max` left out.
 */
function readWithConfDir(dirs: Iproute2Dirs, file: string, max: number): NameDatabase {
  const db = emptyDatabase();
  const usr = usrDir(dirs);
  if (!readFile(db, path.join(dirs.etc, file), max) && usr !== undefined) {
    readFile(db, path.join(usr, file), max);
  }
  readConfDir(db, dirs, usr, `${file}.d`, max);
  return db;
}

/** rt_tables, then the conf files of rt_tables.d (the distribution's first, then /etc's). */
export function readTableNames(dirs: Iproute2Dirs = IPROUTE2_DIRS): NameDatabase {
  return readWithConfDir(dirs, 'rt_tables', 0xffffffff);
}

/** rt_protos, then the conf files of rt_protos.d: names of route protocols (0-255). */
export function readProtocolNames(dirs: Iproute2Dirs = IPROUTE2_DIRS): NameDatabase {
  return readWithConfDir(dirs, 'rt_protos', 255);
}

/** One file of names: /etc's, or else the distribution's (ids up to `max`). */
function readEtcOrUsr(dirs: Iproute2Dirs, file: string, max: number): NameDatabase {
  const db = emptyDatabase();
  const usr = usrDir(dirs);
  if (!readFile(db, path.join(dirs.etc, file), max) && usr !== undefined) readFile(db, path.join(usr, file), max);
  return db;
}

/** rt_dsfield: names of DS field values (0-255). */
export function readDsfieldNames(dirs: Iproute2Dirs = IPROUTE2_DIRS): NameDatabase {
  return readEtcOrUsr(dirs, 'rt_dsfield', 255);
}

/**
 * rt_realms: names of realms (0-255: iproute2 names no realm above, though the kernel's are
 * 16-bit), /etc's file or else the distribution's, as iproute2 reads it (no rt_realms.d).
 */
export function readRealmNames(dirs: Iproute2Dirs = IPROUTE2_DIRS): NameDatabase {
  return readEtcOrUsr(dirs, 'rt_realms', 255);
}

/** The name iproute2 has built in for realm 0 when no file names it (rt_names.c). */
const BUILTIN_REALM_0 = 'unknown';

/** The largest realm: the kernel holds each of a route's two realms in 16 bits. */
export const MAX_REALM = 0xffff;

/**
 * A realm as a spec gives it (`realm`, `sourceRealm` of a route, a next hop or a rule): a number
 * 0-65535, a name of rt_realms ('cosmos'; 'unknown' is 0 unless the file names 0), or a number
 * in a string, decimal or 0x hex. `what` names it in a message ('the realm'). EINVAL for anything
 * else, naming the files read. @internal
 */
export function realmId(value: unknown, operation: string, what: string, dirs: Iproute2Dirs = IPROUTE2_DIRS): number {
  if (typeof value === 'number') return checkInteger(value, operation, what, 0, MAX_REALM);
  if (typeof value !== 'string' || value === '') {
    throw invalid(
      operation,
      `${what} must be an integer from 0 to ${MAX_REALM} or a name of rt_realms, not ${describeValue(value)}`,
    );
  }
  const db = readRealmNames(dirs);
  const named = db.ids.get(value) ?? (value === BUILTIN_REALM_0 && !db.names.has(0) ? 0 : undefined);
  if (named !== undefined) return named;
  const n = /^(0|[1-9][0-9]*)$/.test(value)
    ? Number(value)
    : /^0[xX][0-9a-fA-F]+$/.test(value)
      ? parseInt(value.slice(2), 16)
      : undefined;
  if (n !== undefined && n <= MAX_REALM) return n;
  if (n !== undefined) throw invalid(operation, `${what} "${value}" is ${n}: it must be from 0 to ${MAX_REALM}`);
  throw invalid(
    operation,
    `unknown realm "${value}" (${what}): not a number from 0 to ${MAX_REALM} (decimal or '0x' hex) nor a name in the files iproute2 reads (read: ${filesRead(db, 'rt_realms', dirs)})`,
  );
}

/** The largest protodown reason: the kernel keeps a link's reasons as the bits of a u32. */
export const MAX_PROTODOWN_REASON = 31;

/**
 * protodown_reasons.d/*.conf: names of protodown reasons (0-31), as `ip link set ...
 * protodown_reason NAME on` takes them and `ip link show` prints them. There is no main file, only
 * the directory; iproute2 6.1 reads /etc's alone, later ones the distribution's too, as the other
 * .d directories here.
 */
export function readProtodownReasonNames(dirs: Iproute2Dirs = IPROUTE2_DIRS): NameDatabase {
  const db = emptyDatabase();
  readConfDir(db, dirs, usrDir(dirs), 'protodown_reasons.d', MAX_PROTODOWN_REASON);
  return db;
}

/** group: names of link groups (`ip link ... group NAME`), /etc's file or else the distribution's. */
export function readGroupNames(dirs: Iproute2Dirs = IPROUTE2_DIRS): NameDatabase {
  return readEtcOrUsr(dirs, 'group', 0xffffffff);
}

/** What else a table or a TOS may be, for a message. */
const TABLE_STRINGS = " (or a string: a table's name, such as 'main', or its number)";
const TOS_STRINGS = " (or a string: a DS field name, such as 'AF11', or hex, such as '0x10')";

/** What was read, for a message: the files, or where the main file was looked for. */
function filesRead(db: NameDatabase, file: string, dirs: Iproute2Dirs): string {
  return db.files.length > 0 ? db.files.join(', ') : `none (no ${path.join(dirs.etc, file)})`;
}

/**
 * A routing table as a spec gives it: a number, a name (main, local, default, or one the files
 * give), or a number in a string ('100', '0x64'), as `ip ... table T` takes it; checked to lie
 * in [min, 2^32-1]. `all` (0) too when `allowAll`. EINVAL for anything else, naming the files
 * read. @internal
 */
export function tableId(
  value: unknown,
  operation: string,
  options: { min?: number; allowAll?: boolean; dirs?: Iproute2Dirs } = {},
): number {
  const min = options.min ?? 1;
  const range = `an integer from ${min} to 4294967295`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < min || value > 0xffffffff) {
      throw invalid(operation, `the table must be ${range}, not ${describeValue(value)}${TABLE_STRINGS}`);
    }
    return value;
  }
  if (typeof value !== 'string' || value === '') {
    throw invalid(operation, `the table must be ${range}, not ${describeValue(value)}${TABLE_STRINGS}`);
  }
  if (options.allowAll && value === 'all') return 0;
  let id = [...BUILTIN_TABLES].find(([, name]) => name === value)?.[0];
  if (id === undefined) {
    const dirs = options.dirs ?? IPROUTE2_DIRS;
    const db = readTableNames(dirs);
    id = db.ids.get(value);
    if (id === undefined && /^(\d+|0x[0-9a-fA-F]+)$/.test(value)) id = Number(value);
    if (id === undefined) {
      throw invalid(
        operation,
        `unknown routing table "${value}": not main, local, default or a number, and not named in the files iproute2 reads (read: ${filesRead(db, 'rt_tables', dirs)})`,
      );
    }
  }
  if (id < min || id > 0xffffffff) {
    throw invalid(operation, `the table must be ${range}, not ${id} ("${value}")`);
  }
  return id;
}

/**
 * A route protocol as a spec gives it (routes, rules, nexthop objects): a number 0-255, a name
 * (built in, such as 'static', or one the files give, such as 'openr'), or a number in a string,
 * decimal as a listing gives an unnamed one ('200') or hex ('0xc8'), as ip's rtnl_rtprot_a2n
 * reads it. A string of digits with a leading 0 is refused: ip reads it as octal ('010' is 8),
 * which a reader of the code would not expect. EINVAL for anything else, naming the files read.
 * @internal
 */
export function protocolId(value: unknown, operation: string, dirs: Iproute2Dirs = IPROUTE2_DIRS): number {
  if (typeof value === 'number') return checkInteger(value, operation, 'the protocol', 0, 255);
  if (typeof value !== 'string' || value === '') {
    throw invalid(
      operation,
      `the protocol must be an integer from 0 to 255 or a name (such as 'static'), not ${describeValue(value)}`,
    );
  }
  const builtin = [...BUILTIN_PROTOCOLS].find(([, name]) => name === value)?.[0];
  if (builtin !== undefined) return builtin;
  const db = readProtocolNames(dirs);
  const id = db.ids.get(value);
  if (id !== undefined) return id;
  // As ip's rtnl_rtprot_a2n (strtoul, base 0): decimal or 0x-hex; a leading 0 is octal to ip.
  const n = /^(0|[1-9][0-9]*)$/.test(value)
    ? Number(value)
    : /^0[xX][0-9a-fA-F]+$/.test(value)
      ? parseInt(value.slice(2), 16)
      : undefined;
  if (n !== undefined && n <= 255) return n;
  if (n !== undefined) throw invalid(operation, `the protocol "${value}" is ${n}: it must be from 0 to 255`);
  if (/^0[0-9]+$/.test(value)) {
    const octal = /^0[0-7]+$/.test(value) ? parseInt(value, 8) : undefined;
    throw invalid(
      operation,
      octal === undefined || octal > 255
        ? `the protocol "${value}" is not a number (ip reads a leading 0 as octal): give it in decimal or hex ('0x..')`
        : `the protocol "${value}" is ambiguous (ip reads a leading 0 as octal, ${octal}): give ${octal} or '0x${octal.toString(16)}'`,
    );
  }
  throw invalid(
    operation,
    `unknown route protocol "${value}": not a number from 0 to 255 (decimal or '0x' hex), a name iproute2 has built in (boot, static, ...) nor one named in the files it reads (read: ${filesRead(db, 'rt_protos', dirs)})`,
  );
}

/**
 * A DS field (TOS) value as a spec gives it: a number 0-255, a name of rt_dsfield ('AF11',
 * 'CS1', ...), or hex in a string ('0x10'). A string of bare digits is refused: `ip` reads it as
 * hex ('10' is 0x10), which a reader of the code would not expect. @internal
 */
export function dsfieldValue(value: unknown, operation: string, dirs: Iproute2Dirs = IPROUTE2_DIRS): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 255) {
      throw invalid(operation, `the TOS must be an integer from 0 to 255, not ${describeValue(value)}${TOS_STRINGS}`);
    }
    return value;
  }
  if (typeof value !== 'string' || value === '') {
    throw invalid(operation, `the TOS must be an integer from 0 to 255, not ${describeValue(value)}${TOS_STRINGS}`);
  }
  const db = readDsfieldNames(dirs);
  const id = db.ids.get(value);
  if (id !== undefined) return id;
  if (/^0x[0-9a-fA-F]{1,2}$/.test(value)) return parseInt(value.slice(2), 16);
  if (/^\d+$/.test(value)) {
    throw invalid(
      operation,
      `the TOS "${value}" is ambiguous (ip reads it as hex): give a number (${Number(value)}) or hex ('0x${value}')`,
    );
  }
  throw invalid(
    operation,
    `unknown DS field (TOS) name "${value}": not a number nor named in the files iproute2 reads (read: ${filesRead(db, 'rt_dsfield', dirs)})`,
  );
}

/**
 * Names for what is read back (routes, rules, nexthop objects, events): the built-in tables and
 * protocols at once, the files read on first need and then kept for the life of this object (one
 * listing). @internal
 */
export class Iproute2Names {
  #tables: NameDatabase | undefined;
  #protocols: NameDatabase | undefined;
  #dsfield: NameDatabase | undefined;
  #realms: NameDatabase | undefined;
  #protodownReasons: NameDatabase | undefined;
  readonly #ipProtocols = new IpProtocolNames();

  constructor(private readonly dirs: Iproute2Dirs = IPROUTE2_DIRS) {}

  table(id: number): string | undefined {
    const builtin = BUILTIN_TABLES.get(id);
    if (builtin !== undefined) return builtin;
    this.#tables ??= readTableNames(this.dirs);
    return this.#tables.names.get(id);
  }

  /**
   * A protocol's name, or its number ('200') when it has none, as ip prints it. A built-in name
   * is taken without reading the files (so a file that renames a built-in protocol is not
   * followed, as ip does not until it has had to read them).
   */
  protocol(id: number): string {
    const builtin = BUILTIN_PROTOCOLS.get(id);
    if (builtin !== undefined) return builtin;
    this.#protocols ??= readProtocolNames(this.dirs);
    return this.#protocols.names.get(id) ?? String(id);
  }

  /**
   * A realm's name, or its number when it has none, as ip prints it: from rt_realms (ids 0-255),
   * 0 'unknown' when the file does not name it.
   */
  realm(id: number): string {
    if (id > 255) return String(id);
    this.#realms ??= readRealmNames(this.dirs);
    return this.#realms.names.get(id) ?? (id === 0 ? BUILTIN_REALM_0 : String(id));
  }

  dsfield(tos: number): string | undefined {
    this.#dsfield ??= readDsfieldNames(this.dirs);
    return this.#dsfield.names.get(tos);
  }

  /** A protodown reason's name (0-31), or its number when it has none, as ip prints it. */
  protodownReason(id: number): string {
    this.#protodownReasons ??= readProtodownReasonNames(this.dirs);
    return this.#protodownReasons.names.get(id) ?? String(id);
  }

  /** An IP protocol's name (`ipproto`) as ip prints it, from /etc/protocols (lib/ip-protocols.ts). */
  ipProtocol(n: number): string | undefined {
    return this.#ipProtocols.name(n);
  }
}
