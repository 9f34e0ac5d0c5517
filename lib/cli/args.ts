/**
 * The command line of `netns-native`: a verb, its operands, and the options every verb takes
 * (`--json`, `--help`), with `--` ending the options (what follows is a program and its
 * arguments, left as they are). No parser library: the grammar is this small.
 * @internal
 */

/** A command line that does not fit the grammar: exit status 2, with the usage on stderr. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  verb: string | undefined;
  /** Operands before `--`. */
  operands: string[];
  /** Everything after `--` (a program and its arguments), or undefined without `--`. */
  command: string[] | undefined;
  json: boolean;
  help: boolean;
  version: boolean;
  /** `--events link,address` (monitor). */
  events: string | undefined;
}

/** Splits argv (without node and the script) into the verb, operands, options and the command. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = {
    verb: undefined,
    operands: [],
    command: undefined,
    json: false,
    help: false,
    version: false,
    events: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.command = argv.slice(i + 1);
      break;
    }
    if (arg === '--json' || arg === '-j') out.json = true;
    else if (arg === '--help' || arg === '-h') out.help = true;
    else if (arg === '--version' || arg === '-V') out.version = true;
    else if (arg === '--events' || arg.startsWith('--events=')) {
      const value = arg === '--events' ? argv[++i] : arg.slice('--events='.length);
      if (value === undefined || value === '')
        throw new UsageError('--events needs a list, e.g. --events link,address');
      out.events = value;
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else if (out.verb === undefined) out.verb = arg;
    else out.operands.push(arg);
  }
  return out;
}

/** At most `max` operands (names what the verb takes, for the message). */
export function operandsAtMost(args: ParsedArgs, max: number, takes: string): void {
  if (args.operands.length > max) {
    throw new UsageError(`${args.verb} takes ${takes}; unexpected ${JSON.stringify(args.operands[max])}`);
  }
}

/** The program after `--`, required. */
export function commandAfterDashes(args: ParsedArgs): [string, string[]] {
  const [file, ...rest] = args.command ?? [];
  if (file === undefined || file === '') {
    throw new UsageError(
      `${args.verb} needs a program after --, e.g. ${args.verb} ${args.verb === 'exec' ? 'NS ' : ''}-- ip -br addr`,
    );
  }
  return [file, rest];
}

export const USAGE = `Usage: netns-native [--json] VERB [ARGS]

  list                     named network namespaces (ip netns list)
  links [NS]               links, one per line (ip -br link)
  addrs [NS]               addresses per link (ip -br addr)
  routes [NS]              routes of the main table, IPv4 then IPv6 (ip route; ip -6 route)
  exec NS -- CMD [ARG...]  run CMD in namespace NS (ip netns exec NS CMD ...)
  isolate -- CMD [ARG...]  run CMD in a throwaway network + mount namespace with its own
                           empty /run/netns (and /etc/netns, when there is one)
  monitor [NS]             print link, address and route changes as they happen (ip monitor)
                           [--events link,address,route,neighbour]

NS is a name under /run/netns or an nsfs path (/proc/PID/ns/net); without it, the namespace
netns-native runs in.

Options:
  --json, -j     JSON instead of text: an array (monitor: one object per line; exec and
                 isolate: {exitCode, signal, stdout, stderr} once the program has ended)
  --help, -h     this text
  --version, -V  the version

Exit status: 0 done; 1 failed (stderr: "netns-native: CODE: message", CODE an errno name such
as ENOENT or EPERM); 2 bad command line. exec and isolate exit as the program did (128+N when
killed by signal N), 127 when it was not found, 126 when it could not be run.
`;
