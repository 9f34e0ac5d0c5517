/**
 * `netns-native`, the command: ip-like verbs over the public API (lib/index.ts), text like
 * `ip -br` or JSON, and exit statuses a script can rely on (see usage.ts):
 *   0 done; 1 failed, with one line `netns-native: CODE: message` on stderr (CODE the
 *   NetnsError's code: an errno name such as ENOENT, EPERM, EINVAL); 2 bad command line, with
 *   the usage; exec and isolate exit as their program did.
 * One file per verb under commands/. Run through bin/netns-native.js (the package's `bin`), or
 * `node dist/lib/cli/main.js`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { failureLine } from './failure-line';
import { USAGE, VERB_USAGE } from './usage';
import { processIo, type Io } from './io';
import { subcommandOf, verbOf } from './ip-words';
import { checkNamespaceOption } from './namespace-arg';
import { ProgramNotStarted } from './run-program';
import { addr } from './commands/addr';
import { addrs } from './commands/addrs';
import { exec } from './commands/exec';
import { isolate } from './commands/isolate';
import { link } from './commands/link';
import { links } from './commands/links';
import { list } from './commands/list';
import { monitor } from './commands/monitor';
import { neigh } from './commands/neigh';
import { maddr } from './commands/maddr';
import { netconf } from './commands/netconf';
import { netns } from './commands/netns';
import { network, NETWORK_OPTIONS } from './commands/network';
import { nexthop } from './commands/nexthop';
import { route } from './commands/route';
import { routes } from './commands/routes';
import { rule } from './commands/rule';
import { sysctl } from './commands/sysctl';

const VERBS: Record<string, (args: ParsedArgs, io: Io) => Promise<number>> = {
  list,
  links,
  addrs,
  routes,
  exec,
  isolate,
  monitor,
  netns,
  link,
  addr,
  route,
  neigh,
  rule,
  nexthop,
  network,
  netconf,
  maddr,
  sysctl,
};

/** The verbs that work in the namespace `-n NS` names: the ip-style writes, and the reads. */
const IN_NAMESPACE = new Set([
  'link',
  'addr',
  'route',
  'neigh',
  'rule',
  'nexthop',
  'links',
  'addrs',
  'routes',
  'monitor',
  'netconf',
  'maddr',
  'sysctl',
  'netns',
]);
/** The verbs that take -4 or -6, as ip's do (`link show` takes and ignores them, as ip's). */
const BY_FAMILY = new Set(['neigh', 'rule', 'nexthop', 'route', 'addr', 'link', 'maddr']);
/**
 * The verbs that take ip's -echo: addr, route, rule, nexthop and link print what an add made or
 * a delete removed; the others take it and ignore it, as ip does.
 */
const ECHO_TAKEN = new Set([
  'link',
  'addr',
  'route',
  'rule',
  'nexthop',
  'neigh',
  'netconf',
  'maddr',
  'netns',
  'monitor',
]);
/** The reads, whose NS may be an operand instead. */
const NS_OPERAND = new Set(['links', 'addrs', 'routes', 'monitor']);

/** The options of verbs that take their own (args.ts, VerbOptions). */
const VERB_OPTIONS = { network: NETWORK_OPTIONS };

/** Exit statuses of the CLI itself (exec and isolate add the program's). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The version in the package.json of netns-native above this file (dist/lib/cli or lib/cli). */
function version(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, string>;
      if (pkg.name === 'netns-native' && pkg.version) return pkg.version;
    } catch {
      // none here
    }
  }
  return 'unknown';
}

/**
 * 'unknown verb "address" (did you mean addr?)': the verbs it abbreviates or begins with, as ip
 * takes `ip a` or `ip address` (here `addr`).
 */
function unknownVerb(verb: string): string {
  const meant = Object.keys(VERBS)
    .filter((v) => verb !== '' && (v.startsWith(verb) || verb.startsWith(v)))
    .sort();
  const hint = meant.length > 0 ? ` (did you mean ${meant.join(' or ')}?)` : '';
  return `unknown verb ${JSON.stringify(verb)}${hint}`;
}

/**
 * Whether the operands read so far end where a program begins: `netns exec NAME CMD...`, or
 * `-all netns exec CMD...` (ip takes the program's options as they are, without `--`).
 */
function commandFrom(sofar: ParsedArgs): boolean {
  if (sofar.verb === undefined || verbOf(sofar.verb, Object.keys(VERBS)) !== 'netns') return false;
  return subcommandOf('netns', sofar.operands[0]) === 'exec' && sofar.operands.length === (sofar.all ? 1 : 2);
}

/** Runs the command line `argv` (without node and the script); resolves with the exit status. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(
      argv,
      VERB_OPTIONS,
      (v) => BY_FAMILY.has(verbOf(v, Object.keys(VERBS)) ?? v),
      (sofar) => commandFrom(sofar),
    );
    if (args.version) {
      await io.out(`${version()}\n`);
      return EXIT_OK;
    }
    if (args.help && args.verb === undefined) {
      await io.out(USAGE);
      return EXIT_OK;
    }
    if (args.verb === undefined) throw new UsageError('no verb given');
    // ip's spellings of its objects: any prefix, as ip takes them (`a`, `address`: addr; `n`: neigh).
    args.verb = verbOf(args.verb, Object.keys(VERBS)) ?? args.verb;
    const verb = Object.hasOwn(VERBS, args.verb) ? VERBS[args.verb] : undefined;
    if (!verb) throw new UsageError(unknownVerb(args.verb));
    if (args.help) {
      await io.out(VERB_USAGE[args.verb] ?? USAGE);
      return EXIT_OK;
    }
    if (args.command !== undefined && !['exec', 'isolate', 'netns'].includes(args.verb)) {
      throw new UsageError(`${args.verb} takes no command after --`, args.verb);
    }
    if (args.events !== undefined && args.verb !== 'monitor') {
      throw new UsageError('--events is for monitor only', args.verb);
    }
    if (args.all && args.verb !== 'netns') {
      throw new UsageError('-all is for netns delete and netns exec only', args.verb);
    }
    // ip takes -echo with any object and ignores it but for what changes something; the
    // command's own verbs (links, network, exec, ...) have no ip form to echo.
    if (args.echo && !ECHO_TAKEN.has(args.verb)) {
      throw new UsageError(`-echo is for ip's verbs (${[...ECHO_TAKEN].join(', ')}), as ip -echo`, args.verb);
    }
    if (args.details && !['links', 'link', 'rule', 'nexthop'].includes(args.verb)) {
      throw new UsageError('--details is for links, link show, rule and nexthop only', args.verb);
    }
    // links and addrs take -s and ignore it, as ip -br does; rule and nexthop show too, as ip 6.1.
    if (
      args.stats > 0 &&
      !['link', 'addr', 'links', 'addrs', 'neigh', 'route', 'rule', 'nexthop'].includes(args.verb)
    ) {
      throw new UsageError(
        '-s is for the shows of link, addr, neigh, route, rule and nexthop, links and addrs only',
        args.verb,
      );
    }
    // -p changes only JSON, as ip's: four blanks of indent, as its json_writer.
    if (args.pretty && args.json) {
      const plain = io;
      io = { out: (text) => plain.out(text), json: (value) => plain.out(`${JSON.stringify(value, null, 4)}\n`) };
    }
    if (args.family !== undefined && !BY_FAMILY.has(args.verb)) {
      throw new UsageError(
        `-${args.family} is for neigh, rule, nexthop, route, addr, maddr and link show only`,
        args.verb,
      );
    }
    if (args.linkFamily && args.verb !== 'maddr') {
      throw new UsageError("-0 (ip's -f link) is for maddr only here: -4 or -6", args.verb);
    }
    if (args.netns !== undefined) {
      if (!IN_NAMESPACE.has(args.verb)) throw new UsageError(`-n NS is not for ${args.verb}`, args.verb);
      const context = [args.verb, ...args.operands.slice(0, 1)].join(' ');
      checkNamespaceOption(args.netns, context, NS_OPERAND.has(args.verb));
      if (NS_OPERAND.has(args.verb)) {
        if (args.operands.length > 0) {
          throw new UsageError(`-n ${args.netns} and ${args.operands[0]} both name a namespace; give one`, args.verb);
        }
        args.operands.push(args.netns);
      }
    }
    return await verb(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      const verb = e.verb !== undefined ? (verbOf(e.verb, Object.keys(VERBS)) ?? e.verb) : undefined;
      const known = verb !== undefined && Object.hasOwn(VERB_USAGE, verb);
      process.stderr.write(`netns-native: ${e.message}\n\n${known ? VERB_USAGE[verb as string] : USAGE}`);
      return EXIT_USAGE;
    }
    if (e instanceof ProgramNotStarted) {
      process.stderr.write(`${failureLine(e.error)}\n`);
      return e.status;
    }
    process.stderr.write(`${failureLine(e)}\n`);
    return EXIT_FAILED;
  }
}

/** The process: runs main() on process.argv and exits with its status once output is flushed. */
export function run(): void {
  void main(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
    // Nothing of ours keeps the loop alive after main(), except a monitor's or a child's handles,
    // which are closed by then; exit now rather than wait for stray timers.
    process.exit(status);
  });
}

export { failureLine };

if (require.main === module) run();
