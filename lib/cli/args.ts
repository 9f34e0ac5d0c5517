/**
 * The command line of `netns-native`: a verb, its operands, and the options every verb takes
 * (`--json`, `--help`; usage.ts says what each verb takes), with `--` ending the options (what follows is a program and its
 * arguments, left as they are). A verb may take options of its own (VerbOptions: `network`'s
 * `--subnet CIDR`, `--force`), known once the verb is. No parser library: the grammar is this small.
 * @internal
 */

/**
 * A command line that does not fit the grammar: exit status 2, with the usage on stderr (that of
 * `verb` when the command line named one).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly verb?: string,
  ) {
    super(message);
  }
}

/**
 * The options a verb takes beyond the common ones, by long name: those that take a value
 * (`--subnet CIDR` or `--subnet=CIDR`; each may be given more than once, the verb says whether it
 * may) and switches (`--force`). `short` names a long option's one-letter form (`-f`).
 */
export interface VerbOptions {
  values?: readonly string[];
  switches?: readonly string[];
  short?: Readonly<Record<string, string>>;
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
  /** `--details`, `-d` (links): as `ip -d`, each link's details (a bridge port's settings). */
  details: boolean;
  /** How many times `-s` (`-stats`, `-statistics`, as ip spells it) was given: `-s -s` is 2. */
  stats: number;
  /** `-p`, `-pretty` (any beginning of it, as ip's): --json indented, as `ip -j -p`. */
  pretty: boolean;
  /** `-n NS`, `--netns NS` (as `ip -n NS`): the namespace the verb works in. */
  netns: string | undefined;
  /** `-all`, `--all` (as `ip -all netns delete|exec`): every named namespace. */
  all: boolean;
  /**
   * `-echo`, `--echo` (ip's, spelt out in full as ip takes it): an add prints what the kernel
   * made, a delete what it removed, as it sent it back (addr, route, rule, nexthop, link).
   */
  echo: boolean;
  /** `-4`, `-6` (as ip's): IPv4 or IPv6 only (neigh, rule, nexthop). */
  family: 4 | 6 | undefined;
  /** `-0` (ip's `-f link`): link-layer entries only (maddr); absent unless given. */
  linkFamily?: true;
  /**
   * The verb's own options (VerbOptions) that were given, by long name: every value in the order
   * given; a switch has one '' per time it was given.
   */
  options: Record<string, string[]>;
}

/** A negative number (`-1`, `-0x10`, `-1.5`): after the verb, a value, never an option. */
const NEGATIVE = /^-[0-9]/;

/**
 * Splits argv (without node and the script) into the verb, operands, options and the command.
 * An option it does not know is an error (UsageError naming it), wherever it is before `--`;
 * `verbOptions` are the verbs' own, each known after its verb. After the verb a negative number
 * is an operand (`sysctl KEY -1`, `metric -1`), but for `-4` and `-6` after a verb that
 * `takesFamily` (neigh -6 show). Once `commandFrom` says so of the operands read, the rest of the
 * line is the command, options and all (`netns exec NAME CMD...`, as ip takes it).
 */
export function parseArgs(
  argv: readonly string[],
  verbOptions: Readonly<Record<string, VerbOptions>> = {},
  takesFamily: (verb: string) => boolean = () => true,
  commandFrom: (sofar: ParsedArgs) => boolean = () => false,
): ParsedArgs {
  const out: ParsedArgs = {
    verb: undefined,
    operands: [],
    command: undefined,
    json: false,
    help: false,
    version: false,
    events: undefined,
    details: false,
    stats: 0,
    pretty: false,
    netns: undefined,
    all: false,
    echo: false,
    family: undefined,
    options: {},
  };
  // The first problem is reported once the whole line is read, with the verb (which may come
  // after it) for the usage to print.
  let problem: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.command = argv.slice(i + 1);
      break;
    }
    if (arg === '--json' || arg === '-j') out.json = true;
    else if (arg === '--help' || arg === '-h') out.help = true;
    else if (arg === '--version' || arg === '-V') out.version = true;
    else if (arg === '--details' || arg === '-d') out.details = true;
    else if (isStatsOption(arg)) out.stats++;
    else if (isPrettyOption(arg)) out.pretty = true;
    else if (arg === '--all' || arg === '-all') out.all = true;
    // ip compares -echo whole (strcmp), no beginning of it: `-ec` is not it.
    else if (arg === '-echo' || arg === '--echo') out.echo = true;
    else if ((arg === '-4' || arg === '-6') && (out.verb === undefined || takesFamily(out.verb))) {
      const family = arg === '-4' ? 4 : 6;
      if (out.family !== undefined && out.family !== family) problem ??= '-4 and -6 together';
      if (out.linkFamily) problem ??= `-0 and ${arg} together`;
      out.family = family;
    } else if (
      isFamilyOption(arg) &&
      (out.verb === undefined || (takesFamily(out.verb) && !Object.hasOwn(verbOptions, out.verb)))
    ) {
      // ip's `-f FAMILY` (`-family`, any beginning of it): inet is -4, inet6 -6. A verb's own
      // options come first (network's -f is --force).
      const name = argv[++i];
      const family = name === 'inet' ? 4 : name === 'inet6' ? 6 : undefined;
      if (name === undefined) problem ??= `${arg} needs a family: inet or inet6`;
      else if (family === undefined) {
        problem ??= OTHER_FAMILIES.includes(name)
          ? `${arg} ${name} is ip's, not supported here (inet or inet6)`
          : `${arg}: unknown family ${JSON.stringify(name)} (inet or inet6; ip: "invalid protocol family")`;
      } else if (out.family !== undefined && out.family !== family) problem ??= '-4 and -6 together';
      else out.family = family;
    } else if (arg === '-0' && (out.verb === undefined || takesFamily(out.verb))) {
      // ip's link family: maddr's link-layer entries (main says so for the other verbs).
      if (out.family !== undefined) problem ??= `-0 and -${out.family} together`;
      out.linkFamily = true;
    } else if (['-M', '-B'].includes(arg) && (out.verb === undefined || takesFamily(out.verb))) {
      // ip's link, MPLS and bridge families (-f link, mpls, bridge).
      problem ??= `${arg} (ip's -f ${arg === '-M' ? 'mpls' : 'bridge'}) is not supported here: -4 or -6`;
    } else if (arg === '--events' || arg.startsWith('--events=')) {
      const value = arg === '--events' ? argv[++i] : arg.slice('--events='.length);
      if (value === undefined || value === '') problem ??= '--events needs a list, e.g. --events link,address';
      else out.events = value;
    } else if (arg === '-n' || arg === '--netns' || arg.startsWith('--netns=')) {
      const value = arg.startsWith('--netns=') ? arg.slice('--netns='.length) : argv[++i];
      if (value === undefined || value === '' || value === '--')
        problem ??= `${arg.split('=')[0]} needs a namespace, e.g. -n blue`;
      else out.netns = value;
    } else if (arg.startsWith('-') && arg !== '-' && !(out.verb !== undefined && NEGATIVE.test(arg))) {
      const own = out.verb !== undefined && Object.hasOwn(verbOptions, out.verb) ? verbOptions[out.verb] : undefined;
      const taken = own && verbOption(own, argv, i);
      if (taken === undefined) problem ??= `unknown option ${JSON.stringify(arg)}`;
      else if (typeof taken === 'string') problem ??= taken;
      else {
        (out.options[taken.name] ??= []).push(taken.value);
        i = taken.next;
      }
    } else if (out.verb === undefined) out.verb = arg;
    else {
      out.operands.push(arg);
      if (commandFrom(out)) {
        // A program and its arguments as they are (`netns exec NAME ls -l`); `--` may still end
        // the operands first.
        const rest = argv.slice(i + 1);
        out.command = rest[0] === '--' ? rest.slice(1) : rest;
        break;
      }
    }
  }
  if (problem !== undefined) throw new UsageError(problem, out.verb);
  return out;
}

/** The families of ip's -f that the command has no use for (read_family's other names). */
const OTHER_FAMILIES = ['link', 'mpls', 'bridge'];

/** ip's `-f`: any beginning of `-family`, with one dash or two (as ip's matches()). */
function isFamilyOption(arg: string): boolean {
  const word = arg.startsWith('--') ? arg.slice(1) : arg;
  return word.length >= 2 && '-family'.startsWith(word);
}

/**
 * ip's `-s`: any beginning of `-stats` or `-statistics`, with one dash or two (ip's matches()
 * after it drops a second dash): `-s`, `-stat`, `--statistics`.
 */
function isStatsOption(arg: string): boolean {
  const word = arg.startsWith('--') ? arg.slice(1) : arg;
  return word.length >= 2 && ('-stats'.startsWith(word) || '-statistics'.startsWith(word));
}

/** ip's `-p`: any beginning of `-pretty`, with one dash or two. */
function isPrettyOption(arg: string): boolean {
  const word = arg.startsWith('--') ? arg.slice(1) : arg;
  return word.length >= 2 && '-pretty'.startsWith(word);
}

/**
 * argv[i] as one of `own`: its long name, its value ('' for a switch) and the index it ends at;
 * a string saying what is wrong (a value missing); undefined when it is not one of them.
 */
function verbOption(
  own: VerbOptions,
  argv: readonly string[],
  i: number,
): { name: string; value: string; next: number } | string | undefined {
  const arg = argv[i] as string;
  const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
  const given = eq < 0 ? arg : arg.slice(0, eq);
  const name = own.short && Object.hasOwn(own.short, given) ? (own.short[given] as string) : given;
  if (own.switches?.includes(name)) {
    return eq < 0 ? { name, value: '', next: i } : `${name} takes no value (${JSON.stringify(arg)})`;
  }
  if (!own.values?.includes(name)) return undefined;
  if (eq >= 0) return { name, value: arg.slice(eq + 1), next: i };
  const value = argv[i + 1];
  if (value === undefined || value === '--') return `${name} needs a value`;
  return { name, value, next: i + 1 };
}

/** At most `max` operands (names what the verb takes, for the message). */
export function operandsAtMost(args: ParsedArgs, max: number, takes: string): void {
  if (args.operands.length > max) {
    throw new UsageError(`${args.verb} takes ${takes}; unexpected ${JSON.stringify(args.operands[max])}`, args.verb);
  }
}

/** The program after `--`, required. */
export function commandAfterDashes(args: ParsedArgs): [string, string[]] {
  const [file, ...rest] = args.command ?? [];
  if (file === undefined || file === '') {
    throw new UsageError(
      `${args.verb} needs a program after --, e.g. ${args.verb} ${args.verb === 'exec' ? 'NS ' : ''}-- ip -br addr`,
      args.verb,
    );
  }
  return [file, rest];
}
