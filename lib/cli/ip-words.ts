/**
 * ip's abbreviations: it takes any prefix of an object or a subcommand (`ip a s`, `ip r`, `ip l
 * sh`, `ip nexthop ls`), the first keyword in its own order that the word begins deciding an
 * ambiguous one (iproute2 6.1's matches(), over ip.c's cmds[] and each ip*.c's do_* function:
 * `ip a` is address, `ip r` route, `ip n` neighbor, `ip l s` link set, `ip netns s` show). The
 * command resolves its ip-like verbs and their subcommands the same way.
 * @internal
 */

/** ip's matches(): a word, not empty, that `keyword` begins with. */
function begins(word: string, keyword: string): boolean {
  return word !== '' && keyword.startsWith(word);
}

/** ip's objects (ip.c's cmds[]) in its order, each with the command's verb for it when it has one. */
const IP_OBJECTS: ReadonlyArray<readonly [string, string?]> = [
  ['address', 'addr'],
  ['addrlabel'],
  ['maddress', 'maddr'],
  ['route', 'route'],
  ['rule', 'rule'],
  ['neighbor', 'neigh'],
  ['neighbour', 'neigh'],
  ['ntable'],
  ['ntbl'],
  ['link', 'link'],
  ['l2tp'],
  ['fou'],
  ['ila'],
  ['macsec'],
  ['tunnel'],
  ['tunl'],
  ['tuntap'],
  ['tap'],
  ['token'],
  ['tcpmetrics'],
  ['tcp_metrics'],
  ['monitor', 'monitor'],
  ['xfrm'],
  ['mroute'],
  ['mrule'],
  ['netns', 'netns'],
  ['netconf', 'netconf'],
  ['vrf'],
  ['sr'],
  ['nexthop', 'nexthop'],
  ['mptcp'],
  ['ioam'],
  ['help'],
  ['stats'],
];

/**
 * The verb `word` names: one of `verbs` as it is (`addrs`, `links`, `addr`), else the command's
 * verb for the ip object it abbreviates (`a`, `address`: addr; `n`: neigh; `ru`: rule);
 * undefined for none, or for one of ip's objects the command does not have (`m`: maddress).
 */
export function verbOf(word: string, verbs: readonly string[]): string | undefined {
  if (verbs.includes(word)) return word;
  return IP_OBJECTS.find(([object]) => begins(word, object))?.[1];
}

/** ip's lst, list and show: one subcommand, `show`. */
const SHOW: ReadonlyArray<readonly [string, string]> = [
  ['list', 'show'],
  ['show', 'show'],
  ['lst', 'show'],
];
const same = (...keywords: string[]): Array<[string, string]> => keywords.map((k) => [k, k]);

/** Each ip-like verb's subcommands in the order its ip*.c tries them, each with the one it means. */
const SUBCOMMANDS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  addr: [...same('add', 'change', 'replace', 'delete'), ...SHOW, ...same('flush', 'save', 'showdump', 'restore')],
  route: [
    // iproute.c takes `chg` as change too, spelled out (not an abbreviation).
    ...same('add', 'change'),
    ['chg', 'change'],
    ...same('replace', 'prepend', 'append', 'test', 'delete'),
    ...SHOW,
    ...same('get', 'flush', 'save', 'restore', 'showdump'),
  ],
  rule: [...SHOW, ...same('save', 'restore', 'add', 'delete', 'flush')],
  neigh: [...same('add', 'change', 'replace', 'delete', 'get'), ...SHOW, ...same('flush')],
  // iplink.c: change is set; set before show (`ip l s` sets).
  link: [...same('add', 'set'), ['change', 'set'], ...same('replace', 'delete'), ...SHOW],
  netns: [...SHOW, ...same('list-id', 'add', 'set', 'delete', 'identify', 'pids', 'exec', 'monitor', 'attach')],
  nexthop: [...same('add', 'replace', 'delete'), ...SHOW, ...same('get', 'flush', 'bucket')],
  netconf: SHOW,
  maddr: [...same('add', 'delete'), ...SHOW],
};

/**
 * The subcommand `word` abbreviates for `verb`, as ip resolves it ('d': delete, 'ls': show, 's':
 * show for addr but set for link); `word` itself when it abbreviates none (the verb says it is
 * unknown), and undefined when there is no word.
 */
export function subcommandOf(verb: string, word: string | undefined): string | undefined {
  if (word === undefined) return undefined;
  return SUBCOMMANDS[verb]?.find(([keyword]) => begins(word, keyword))?.[1] ?? word;
}
