/**
 * What `netns-native --help` and `netns-native VERB --help` print (stdout, exit 0), and what a bad
 * command line prints after its one-line reason (stderr, exit 2): the usage of the verb it named,
 * or the whole command's. @internal
 */

const NS_TEXT = `NS is a name under /run/netns or an nsfs path (/proc/PID/ns/net); without it, the namespace
netns-native runs in. -n NS (--netns NS) names it too, as ip -n does: a name only.`;

const EXIT_TEXT = `Exit status: 0 done; 1 failed (stderr: "netns-native: CODE: message", CODE an errno name such
as ENOENT or EPERM); 2 bad command line.`;

const PROGRAM_EXIT_TEXT = `Exit status: as the program's (128+N when killed by signal N); 127 when it was not found, 126
when it could not be run; 1 when netns-native failed before starting it; 2 bad command line.`;

/** The -n option, as the ip-style verbs' usages list it. */
const NETNS_OPTION = `  -n NS, --netns NS  the namespace to work in (ip -n NS): a name under /run/netns (a path is
                     refused, as by ip); without it, the namespace netns-native runs in`;

/** ip's -echo, as each writing verb's usage lists it (`what`: the subcommands that print). */
const echoOption = (what: string): string =>
  `  -echo, --echo  ${what}: print what was made or removed, as ip -echo\n                 ("Deleted " before what a delete removed; --json: an array of the one object)`;

/** What the ip-style verbs print and how they exit. */
const WRITE_TEXT = `Prints nothing when done, as ip. A word the verb does not take, a keyword without its value
or a number that is none: status 2. Names, addresses and MACs are checked by the library: a
bad one is status 1 with EINVAL, as is any refusal by the kernel (EEXIST, ENODEV, ...); a
failed command leaves what it found.

${EXIT_TEXT}`;

/** Options every verb takes, as each verb's usage lists them. */
const COMMON_OPTIONS = `  --help, -h     this text`;

export const USAGE = `Usage: netns-native [-n NS] [--json] VERB [ARGS]

  list                     named network namespaces (ip netns list)
  links [NS]               links, one per line (ip -br link); --details, -d: and a bridge
                           port's settings (ip -d link: bridge_slave ...), altnames
  addrs [NS]               addresses per link (ip -br addr)
  routes [NS]              routes of the main table, IPv4 then IPv6 (ip route; ip -6 route)
  exec NS -- CMD [ARG...]  run CMD in namespace NS (ip netns exec NS CMD ...)
  isolate -- CMD [ARG...]  run CMD in a throwaway network + mount namespace with its own
                           empty /run/netns (and /etc/netns, when there is one)
  monitor [NS]             print link, address and route changes as they happen (ip monitor)
                           [--events link,address,route,neighbour,rule,nexthop,netconf]
  netns [list|add|attach|delete|set|list-id|identify|pids|exec|monitor ...]
                           named namespaces and their ids (ip netns ...; -all netns delete,
                           -all netns exec CMD: every one)
  link [show|add|set|delete ...]
                           list links as ip link show prints them; make, change or delete
                           one (ip link ...)
  addr [show|add|replace|delete|flush ...]
                           list addresses as ip addr show prints them; add, replace, delete
                           or flush them (ip addr ...)
  route [show|add|replace|delete|get|flush ...]
                           list routes as ip route show prints them; add, replace or delete
                           one, look one up, flush a table (ip route ...)
  neigh [show|get|add|replace|delete|flush ...]
                           the neighbour (ARP, NDP) table (ip neigh ...; also neighbour, n)
  rule [show|add|delete|flush ...]
                           routing policy rules (ip rule ...)
  nexthop [show|add|replace|delete|flush ...]
                           nexthop objects (ip nexthop ...)
  network SUBVERB ...      Docker-style networks (docker network): create, ls, inspect, rm,
                           connect, disconnect, publish, unpublish, ports, dns
  netconf [show] [dev LINK]
                           forwarding, rp_filter, ... per family and link (ip netconf show)
  maddr [show [dev LINK]|add MAC dev LINK|del MAC dev LINK]
                           multicast addresses of links; add or remove a link-layer one
                           (ip maddr ...)
  sysctl KEY [VALUE]       read or set a network sysctl (sysctl net.KEY; sysctl -w KEY=VALUE)

${NS_TEXT}

The ip-like verbs and their subcommands may be abbreviated as ip takes them, ip's order deciding
(a a: addr add, r d: route delete, l s: link set, n s: neigh show, ru, nexthop ls).

Options:
  -n NS, --netns NS  the namespace link, addr, route, neigh, rule, nexthop, netconf, maddr, sysctl
                     (and links, addrs, routes, monitor) work in, as ip -n NS: a name under
                     /run/netns, not a path (as ip's)
  -all, --all    netns delete, netns exec: every named namespace, as ip -all netns ...
  -echo, --echo  addr add|replace, route add|replace|change|append|prepend, rule add,
                 nexthop add|replace, link add: print what was made, as ip -echo (the
                 kernel's copy; link add: the link as made); addr, route, rule, nexthop and
                 link delete: "Deleted " and what was removed; other ip verbs take and
                 ignore it, as ip (link set, which the kernel does not echo: refused)
  -4, -6         neigh, rule, nexthop, addr, route: IPv4 or IPv6 only, as ip -4, ip -6
                 (-f inet, -f inet6 too; -0, -M, -B, -f link|mpls|bridge are not supported)
                 (link show takes and ignores them, as ip)
  -s, -stats     link show, addr show: each link's counters, as ip -s (-s -s: the errors in
                 detail too); neigh show|get, route show cache|get: the cache figures, as
                 ip -s; links and addrs take and ignore it, as ip -br; rule and nexthop show
                 too, as ip
  -d, --details  links, link show: each link's details; rule, nexthop: every protocol (and
                 a nexthop's scope), as ip -d
  --json, -j     JSON instead of text: an array (monitor: one object per line; exec and
                 isolate: {exitCode, signal, stdout, stderr} once the program has ended;
                 sysctl: {key, value}); ip's JSON for ip's verbs (neigh: the library's)
  -p, -pretty    with --json: indented by four blanks, as ip -j -p
  --help, -h     this text, or with a VERB that verb's (netns-native links --help)
  --version, -V  the version

Exit status: 0 done; 1 failed (stderr: "netns-native: CODE: message", CODE an errno name such
as ENOENT or EPERM); 2 bad command line. exec and isolate exit as the program did (128+N when
killed by signal N), 127 when it was not found, 126 when it could not be run.
`;

/** Each verb's usage, by verb. */
export const VERB_USAGE: Readonly<Record<string, string>> = {
  list: `Usage: netns-native list [--json]

The named network namespaces, one name per line, as \`ip netns list\` (--json: an array of
{name, path, inode}).

Options:
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  links: `Usage: netns-native links [--json] [--details] [NS]

The links of NS, one per line, as \`ip -br link\` prints them: name (NAME@PEER), state, MAC,
flags (--json: an array of links).

${NS_TEXT}

Options:
  --details, -d  under a bridge's port, its settings as \`ip -d link show\` prints them
                 ("bridge_slave state forwarding priority 32 cost 2 hairpin off ...", without
                 the spanning tree's own ids and timers), and under any link its alternative
                 names ("altname NAME"); --json: each port's bridgePort (altNames are there
                 without --details too)
  -s, -stats     taken and ignored, as ip -br takes it
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  addrs: `Usage: netns-native addrs [--json] [NS]

The addresses of NS per link, as \`ip -br addr\` prints them (--json: an array of addresses,
each with its link's name).

${NS_TEXT}

Options:
  -s, -stats     taken and ignored, as ip -br takes it
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  routes: `Usage: netns-native routes [--json] [NS]

The routes of the main table of NS, IPv4 then IPv6, as \`ip route; ip -6 route\` print them
(tables and TOS values by their names in /etc/iproute2, as ip names them; --json: an array of
routes).

${NS_TEXT}

Options:
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  exec: `Usage: netns-native exec [--json] NS -- CMD [ARG...]

Runs CMD in namespace NS as \`ip netns exec NS CMD\` does: a mount namespace of its own, /sys of
NS, /etc/netns/NS/* over /etc/*; its stdio is the command's. Everything after -- is CMD's.

${NS_TEXT}

Options:
  --json, -j     run CMD with its output captured, then print {exitCode, signal, stdout, stderr}
${COMMON_OPTIONS}

${PROGRAM_EXIT_TEXT}
`,
  isolate: `Usage: netns-native isolate [--json] -- CMD [ARG...]

Runs CMD in a throwaway network namespace (only lo, up) and a mount namespace of its own with an
empty /run/netns (and /etc/netns, when there is one): whatever CMD does to links, routes,
firewall rules or named namespaces stays there, and is gone when it ends. Needs root.

Options:
  --json, -j     run CMD with its output captured, then print {exitCode, signal, stdout, stderr}
${COMMON_OPTIONS}

${PROGRAM_EXIT_TEXT}
`,
  monitor: `Usage: netns-native monitor [--json] [--events TYPE[,TYPE...]] [NS]

Prints changes in NS as they happen, one line each, as \`ip monitor\` prints them, until
interrupted (SIGINT, SIGTERM: exit 0) or NS is deleted. A "resync" line says the kernel dropped
notifications and the whole state was read again, counting what it read: the links, and each
type watched (resync (overrun): 2 links, 3 addresses, 5 routes).

${NS_TEXT}

Options:
  --events TYPES   only these, comma-separated: link, address, route, neighbour, rule, nexthop,
                   netconf (default: link, address, route)
  --json, -j       one JSON object per line
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  netns: `Usage: netns-native netns [list] [--json]
       netns-native netns add NAME | attach NAME PID | delete NAME
       netns-native netns set NAME NETNSID|auto
       netns-native netns list-id [target-nsid N] [nsid N] [--json]
       netns-native netns identify [PID] | pids NAME
       netns-native netns exec NAME CMD [ARG...]
       netns-native -all netns delete | -all netns exec CMD [ARG...]
       netns-native netns monitor [--json]

Named network namespaces (/run/netns/NAME) as \`ip netns\` (iproute2 6.1) handles them, from the
namespace netns-native runs in (with -n NAME, list, list-id, set and identify from NAME, as
ip -n; NAME is a name under /run/netns, not a path, as with ip; add and attach refuse -n; the
others do the same with it), printing what it prints:
  list (show, or nothing)  each name, in the order ip lists them, with the id this namespace
                     gives it: "NAME (id: N)" (--json: [{name, id}], as ip -j)
  add NAME           a new namespace (its lo is down), which ip and netns-native see
  attach NAME PID    that name for the namespace of process PID
  delete NAME        removes the name (del): the namespace goes once nothing else uses it;
                     -all: every entry of /run/netns, namespace or not (the first that
                     cannot go is said and stops it, status 0, as ip)
  set NAME NETNSID   the id this namespace gives NAME (0-2147483647, or auto: the kernel picks);
                     the kernel never changes one once given: EEXIST
  list-id            the ids this namespace gives: "nsid N (iproute2 netns name: NAME)";
                     target-nsid N: those of the namespace it numbers N, with its own for each
                     ("current-nsid M"); nsid N: only that one (ENOENT if none). Like ip,
                     list and list-id need no privilege
  identify [PID]     the name of PID's namespace (without PID, netns-native's own), an empty
                     line when it has none (text with --json too, as ip)
  pids NAME          the processes in NAME, one per line (--json: an array)
  exec NAME CMD...   runs CMD in NAME as the exec verb does (a mount namespace of its own, /sys
                     of NAME, /etc/netns/NAME/* over /etc/*), its options as they are (-- may
                     come first); exits as CMD did (--json: {exitCode, signal, stdout, stderr});
                     -all: in every one in turn, each after "netns: NAME", then status 0, as ip
  monitor            "add NAME" / "delete NAME" as names are made and removed in /run/netns
                     (a file moved in or out: nothing, as ip), until interrupted (SIGINT,
                     SIGTERM: exit 0); --json: {event, name} per line

Options:
  -all, --all    with delete or exec: every named namespace
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

add, attach, delete and set print nothing when done, as ip. A word netns does not take, a
keyword without its value or a number that is none: status 2. A name, process or id that does
not exist, or a refusal by the kernel: status 1 (ENOENT, ESRCH, EEXIST, ...).

${EXIT_TEXT}
exec NAME exits as CMD did (127 not found, 126 not runnable, 128+N killed by signal N).
`,
  link: `Usage: netns-native [-n NS] link [-d] [-s [-s]] [--json] [show] [[dev] LINK] [up]
                 [type KIND] [master LINK] [nomaster] [group G]
       netns-native [-n NS] link add [name] NAME [mtu N] [address MAC] [link PARENT]
                 [numtxqueues N] [numrxqueues N] [gso_max_size B] [gso_max_segs N]
                 [gro_max_size B] type KIND ...
       netns-native [-n NS] link set [dev] LINK SETTING...
       netns-native [-n NS] link delete [dev] LINK

As \`ip link show|add|set|delete\`, in NS. show (the default) prints what \`ip link show\`
prints, selected as ip selects (type KIND_slave: the ports of that kind of master; --json: ip's
JSON); -d adds ip's details, the kind's options for tun/tap and macvlan/macvtap (a bridge's,
a vxlan's and a bridge port's: the kind word alone; netns-native links -d prints a port's);
-s the counters, as ip -s link (-s -s: the errors in detail too).
Kinds (link add ... type KIND):
  veth peer [name] PEER [netns NS2] [address MAC]   a veth pair; the peer in NS2 if given
  bridge [stp_state 0|1] [vlan_filtering 0|1] [priority N]
  ifb
  macvlan|macvtap [mode private|vepa|bridge|passthru|source]    (needs link PARENT)
  vxlan id VNI [remote ADDR] [local ADDR] [group ADDR] [dev LINK] [dstport PORT]
Settings (link set), any of them, in one command:
  up | down, mtu N, name NEW, address MAC, alias TEXT, txqueuelen N, group N,
  promisc on|off, multicast on|off, allmulticast on|off, arp on|off, dynamic on|off,
  trailers on|off, carrier on|off (tun/tap), protodown on|off and protodown_reason N on|off
  (N 0-31 or a name of /etc/iproute2/protodown_reasons.d/*.conf; repeated, the last counts, as
  with ip; macvlan, vxlan),
  addrgenmode eui64|none|stable_secret|random,
  gso_max_size B, gso_max_segs N, gro_max_size B (numtxqueues/numrxqueues: link add only),
  master BR | nomaster, netns NS2 (a name, an nsfs path or a PID)
Where ip sends one request, link set may make three calls (the settings, the master, the
move); when one is refused the earlier ones are set back (a link moved back has lost its
addresses, as any move drops them). netns cannot go with master or nomaster. delete (del)
deletes a veth pair's two ends together. The links verb lists them as ip -br link.

Options:
${NETNS_OPTION}
  -d, --details  show: as ip -d
  -s, -stats     show: as ip -s, each link's counters (-s -s: the errors in detail);
                 -statistics and --stats too
  -4, -6         show: taken and ignored, as ip takes them
  --json, -j     show: the links as ip -j prints them
${echoOption('add, delete')}
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  addr: `Usage: netns-native [-n NS] addr [-4|-6] [-s [-s]] [--json] [show] [[dev] LINK]
                 [scope S|all] [to PREFIX] [label PATTERN] [dynamic|permanent] [up]
                 [type KIND] [master LINK] [nomaster] [group G]
       netns-native [-n NS] addr add|replace ADDR dev LINK [peer PREFIX] [broadcast ADDR|+]
                 [label LABEL] [nodad] [optimistic] [noprefixroute] [mngtmpaddr] [home]
                 [autojoin] [metric N] [valid_lft N|forever] [preferred_lft N|forever]
       netns-native [-n NS] addr delete ADDR dev LINK [peer PREFIX]
       netns-native [-n NS] addr flush [dev LINK] [scope S]

As \`ip addr show|add|replace|del|flush\`, in NS. show (the default) prints what \`ip addr
show\` prints: each link, then its addresses, selected as ip selects (a link whose addresses
are all left out is left out; with label, the addresses alone; --json: ip's JSON). ADDR is
198.18.0.1/24 or fd00::1/64 (a bare address: /32, /128). flush without dev flushes every
link's addresses but lo's 127.0.0.1/8 and ::1, IPv4 and IPv6. delete is del too. The addrs
verb lists them as ip -br addr.

Options:
${NETNS_OPTION}
  -4, -6         show: IPv4 or IPv6 addresses only
  -s, -stats     show: each link's counters after its addresses, as ip -s (-s -s: the
                 errors in detail); with -6 and no dev, IPv6's own counters, as ip -6 -s
  --json, -j     show: as ip -j addr show
${echoOption('add, replace, delete')}
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  route: `Usage: netns-native [-n NS] route [-4|-6] [-s] [--json] [show] [cache] [table T|all]
                 [type TYPE] [proto P|all] [scope S|all] [dev LINK] [via PREFIX] [src PREFIX]
                 [metric N] [tos TOS] [realms REALMS] [from [root|match|exact] PREFIX]
                 [root|match|exact PREFIX] [iif LINK] [mark N]
       netns-native [-n NS] route add|replace|change|append|prepend|delete [TYPE]
                 PREFIX|default [from PREFIX] [tos TOS] [via GW] [dev LINK] [nhid ID]
                 [metric N] [table T] [src ADDR] [proto P] [scope S] [onlink]
                 [pref low|medium|high] [expires N] [realms REALMS] [METRIC [lock] VALUE]...
                 [encap ENCAP] [nexthop [via GW] [dev LINK] [weight W] [onlink] [realms REALMS]
                 [encap ENCAP]]...
       netns-native [-n NS] [-s] [--json] route get ADDRESS [from ADDR] [iif LINK] [oif LINK]
                 [mark N] [tos TOS] [uid N] [ipproto P] [sport N] [dport N] [fibmatch]
                 [connected]
       netns-native [-n NS] route flush [-4|-6] [cache] [table T] [dev LINK] [proto P]

As \`ip route show|add|replace|change|del|get|flush\`, in NS. show (the default) prints what \`ip route
show\` prints, selected as ip selects: IPv4 only unless -6 or table all (then both); a word a
selector fixes (dev, table, proto, ...) left out of each line, as ip leaves it (--json: ip's
JSON); iif and mark as ip reads them: no route of a table has an input link or a mark, so iif
lists none, mark 0 every route and another mark none; cache (cached, cloned, table cache) lists
the route exceptions instead (learnt path MTUs, redirects), an IPv4 one with its cache line. TYPE is unicast (the default), blackhole,
unreachable, prohibit, local or throw; T a number or a name (main, local, or one of
/etc/iproute2/rt_tables; flush: all too); nhid ID routes through a nexthop object (nexthop
add). TOS is hex as ip reads it (10 is 0x10) or a name of rt_dsfield. METRIC is mtu, advmss,
hoplimit, window, cwnd, initcwnd, initrwnd, ssthresh, reordering, rtt, rttvar (a time: 100ms,
1.5s, or a number in the kernel's unit, as ip), rto_min, congctl NAME, features ecn, quickack
0|1 or fastopen_no_cookie 0|1; lock keeps it from being learned. The nexthop hops end the line.
REALMS (realm too) is [SRC/]DST, each a number 0-255 or a name of /etc/iproute2/rt_realms, or
one number SRC << 16 | DST (IPv4; show: realm 5 selects by DST, 3/ by SRC, 3/5 by both).
ENCAP is a lightweight tunnel encapsulation, as ip reads it: ip [id N] [dst ADDR] [src ADDR]
[ttl N] [tos TOS] [key] [csum] [seq] (and ip6, with hoplimit and tc), seg6 mode
inline|encap|l2encap|encap.red|l2encap.red segs ADDR[,ADDR...] [hmac KEYID], seg6local action
ACTION [table T] [vrftable T] [nh4 ADDR] [nh6 ADDR], or mpls LABEL[/LABEL...] [ttl N]; show
prints it as ip does.
change changes a route that exists (ENOENT if none; chg too). append and prepend add a route
beside one of the same key (ip route append|prepend). get
prints the route the kernel takes, as \`ip route get\` prints it, an IPv4 one with its cache
line (--json: as ip -j route get); connected, without from, then looks up again
from the source address the first answer gives, and prints both (--json: an array of the two;
ip 6.1 repeats its first lookup instead). flush removes the IPv4 routes of the table (main
by default), the kernel's own included, as ip: -6 the IPv6 ones, table all both. flush cache
drops the route exceptions: IPv4's all at once (net.ipv4.route.flush, whatever the selectors,
as ip), IPv6's (-6 or table all) those the selectors pick, one by one. delete is del
too. The routes verb lists the main table's, IPv4 then IPv6.

Options:
${NETNS_OPTION}
  -4, -6         show: IPv4 or IPv6 routes only
  -s, -stats     show cache, get: an exception's or the answer's users, uses and age, as
                 ip -s (the routes of a table have none)
  --json, -j     show, get: as ip -j route show, ip -j route get
${echoOption('add, replace, change, append, prepend, delete')}
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  maddr: `Usage: netns-native [-n NS] maddr [-4|-6|-0] [--json] [show] [[dev] LINK]
       netns-native [-n NS] maddr add|del MAC dev LINK

show: the multicast addresses each link of NS listens on, as \`ip maddr show\` prints them: the
link-layer addresses of its filter (link), the IPv4 (inet) and IPv6 (inet6) groups joined, with
users N when not 1 and static for a link-layer address added from user space. A LINK no link
has lists nothing, as ip.
add, del: add or remove a link-layer multicast address (the low bit of its first byte set, e.g.
01:00:5e:12:75:01) on LINK, as \`ip maddr add|del\` (the SIOCADDMULTI and SIOCDELMULTI ioctls).

Options:
${NETNS_OPTION}
  -4, -6, -0     show: IPv4 groups, IPv6 groups or link-layer addresses only (-0: ip's -f link)
  --json, -j     show: as ip -j maddr
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  netconf: `Usage: netns-native [-n NS] netconf [--json] [show] [dev LINK]

The IP configuration the kernel keeps per family and link in NS, one line per entry, as \`ip
netconf show [dev LINK]\` prints it: forwarding, rp_filter (IPv4), mc_forwarding, proxy_neigh,
ignore_routes_with_linkdown, for every link and for "all" and "default" (--json: an array of
netconf entries, bcForwarding too). Change them with the sysctl verb.

Options:
${NETNS_OPTION}
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  sysctl: `Usage: netns-native [-n NS] sysctl [--json] KEY [VALUE]
       netns-native [-n NS] sysctl [--json] KEY=VALUE

A network sysctl of NS, as \`ip netns exec NS sysctl\`: without VALUE prints "KEY = VALUE" (as
sysctl KEY); with it sets it and prints the new line (as sysctl -w KEY=VALUE). KEY is spelt as
sysctl spells it: net.ipv4.ip_forward, net.ipv4.conf.eth0.rp_filter, or net/ipv4/conf/eth0.5/
rp_filter for a link with a dot in its name; only net.* keys, the namespace's own. A VALUE of
several numbers is one word: "20000 30000". --json: {key, value} (and before, when set).

Options:
${NETNS_OPTION}
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  neigh: `Usage: netns-native [-n NS] neigh [-4|-6] [-s] [--json] [show] [SELECTOR]
       netns-native [-n NS] neigh [-s] [--json] get [proxy] ADDR dev LINK
       netns-native [-n NS] neigh add|replace ADDR lladdr MAC dev LINK [nud STATE] [router]
                 [extern_learn] [use] [managed] [protocol PROTO]
       netns-native [-n NS] neigh add|replace proxy ADDR dev LINK [router] [use] [protocol PROTO]
       netns-native [-n NS] neigh delete [proxy] ADDR dev LINK
       netns-native [-n NS] neigh [-4|-6] flush SELECTOR
SELECTOR: [[to] PREFIX] [dev LINK] [master LINK | vrf LINK | nomaster] [unused] [proxy]
          [nud STATE]... [protocol PROTO]

As \`ip neigh show|get|add|replace|del|flush\`, in NS (neighbour, neighbor and n are neigh
too). show (the default) prints each entry as ip does (--json: an array of entries): without
nud, every state but noarp and none; nud STATE (repeated) only those, nud all every one;
entries learned outside the kernel (extern_learn) whatever their state; proxy: the proxy
entries instead; protocol PROTO (a number or a name, as routes'): only the entries made with
it (all: every one). to PREFIX (or the PREFIX alone): the entries whose address is in it (all,
default, any: every one); master LINK: those on its ports; vrf LINK: the same, LINK a VRF
device; nomaster: those on links without a master; unused: those the kernel holds no reference
on. get reads one entry (--json: the entry, as ip 6.2 and later); status 2 with ENOENT when
there is none, as ip. STATE is permanent (add's default), reachable, stale, delay, probe, failed,
incomplete, noarp or none. use: the kernel treats the entry as used and resolves it; managed:
the kernel keeps it resolved (no lladdr needed; the state none, as ip makes it). flush removes
every state but permanent and noarp unless nud says otherwise; it needs a selector, as ip's:
all for every entry. delete is del too.

Options:
${NETNS_OPTION}
  -4, -6         IPv4 (ARP) or IPv6 (NDP) entries only
  -s             show, get: each entry's references, ages (used/confirmed/updated, seconds)
                 and probes, as ip -s prints them
  --json, -j     show, get: the entries as JSON
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  rule: `Usage: netns-native [-n NS] rule [-4|-6] [-d] [--json [-p]] [show] [SELECTOR]
       netns-native [-n NS] rule [-4|-6] flush [SELECTOR]
       netns-native [-n NS] rule [-4|-6] add|delete SELECTOR [suppress_prefixlength N]
                 [realms [SRC/]DST] [goto N | blackhole | unreachable | prohibit | nop]
SELECTOR := [not] [from PREFIX] [to PREFIX] [tos T] [fwmark M[/MASK]] [iif LINK] [oif LINK]
            [l3mdev] [uidrange A-B] [ipproto P] [sport N[-M]] [dport N[-M]] [priority N]
            [table T] [protocol P]

As \`ip rule show|add|del\`, in NS. show (the default) prints the IPv4 rules unless -6, as
\`ip rule\` (--json: ip's JSON; a from or to of IPv6 needs -6, as ip's); with a selector, only the rules
it selects, as ip's: from and to select the rules whose prefix lies within the one given, the
others the rules with that value (unlike ip, fwmark 0 selects \`fwmark 0\` rules, and show
selects by protocol; protocol all: any; table 0 (unspec): any; src and dst spell from and
to; a bare PREFIX is to PREFIX). ipproto takes a number or a name of /etc/protocols; protocol
a number (decimal or 0x hex) or a name. add looks up table
main unless told; a rule's family is its prefixes', else IPv4 (-6: IPv6). delete removes
the rule matching all that is given (rule del priority N). ip's other spellings: pref,
preference, order, prio (priority), lookup (table), dev (iif), dsfield (tos), proto
(protocol), type ACTION, realm (realms: IPv4, as route's). Not supported, as the library has
none: nat, tun_id,
suppress_ifgroup, dscp, flowlabel. delete is del too. flush removes the rules the selector selects, IPv4 unless -6, as
ip's; as ip's, every rule but rule 0 (lookup local) without a filter, the main
and default rules included.

Options:
${NETNS_OPTION}
  -4, -6         IPv4 or IPv6 rules only; add, delete: the rule's family
  -d, --details  show, -echo: every rule's protocol (kernel, unspec too), as ip -d
  -s, -stats     show: taken and ignored, as ip
  --json, -j     show, -echo: the rules as \`ip -j rule\` prints them
  -p, -pretty    with --json: indented, as ip -j -p
${echoOption('add, delete')}
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  nexthop: `Usage: netns-native [-n NS] nexthop [-4|-6] [-d] [--json [-p]] [show] [id N] [dev LINK]
                 [groups]
       netns-native [-n NS] nexthop [-4|-6] add|replace [id N] [via GW] [dev LINK] [onlink]
                 [fdb] [proto P]
       netns-native [-n NS] nexthop [-4|-6] add|replace [id N] blackhole [proto P]
       netns-native [-n NS] nexthop add|replace [id N] group ID[,WEIGHT]/... [type mpath] [fdb]
       netns-native [-n NS] nexthop add|replace [id N] group ID[,WEIGHT]/... type resilient
                 buckets N [idle_timer S] [unbalanced_timer S]
       netns-native [-n NS] nexthop delete id N
       netns-native [-n NS] nexthop [-4|-6] flush [id N] [dev LINK] [groups] [proto P] [fdb]

As \`ip nexthop show|add|replace|del|flush\`, in NS (Linux 5.3+). show (the default) prints
each object as ip does (--json: ip's JSON); id, dev and groups filter it. add
without id lets the kernel pick one, as ip (show lists it); replace needs the id it replaces.
A nexthop needs dev unless it is a blackhole, an fdb nexthop or a group; -6 makes a blackhole
or a dev-only nexthop IPv6. A group's members are nexthop objects already there, each with a
weight from 1 to 256 (default 1); a resilient group needs buckets (its timers in seconds).
Routes use them by id. delete (del) removes the routes using it too, flush the nexthop objects
its filters select (every one without) and those routes, printing how many as ip does. Not
supported: encap.

Options:
${NETNS_OPTION}
  -4, -6         show: IPv4 or IPv6 nexthops only (no groups); add: the family of a blackhole
                 or a nexthop without gateway
  -d, --details  show, -echo: every scope (global too) and protocol (unspec too), as ip -d
  -s, -stats     show: taken and ignored, as ip 6.1
  --json, -j     show, -echo: the nexthop objects as \`ip -j nexthop\` prints them
  -p, -pretty    with --json: indented, as ip -j -p
${echoOption('add, replace, delete')}
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  network: `Usage: netns-native network SUBVERB [--json] ...

Docker-style bridge networks, as \`docker network\` makes them (state in /run/netns-native, any
process may change it; needs root):

  create NAME [--subnet CIDR] [--gateway IP] [--ip-range CIDR] [--aux-address NAME=IP]...
         [--internal] [--bridge-name NAME] [--mtu N] [--no-dns]
         [--ipv6 --subnet IPV6CIDR [--gateway IPV6] [--ip-range IPV6CIDR]] [-o KEY=VALUE]...
         [--default-address-pool base=CIDR,size=N]...
                    prints the id (--json: the network). Without --subnet, the first free subnet
                    of the pools: Docker's (172.17.0.0/16 ... 192.168.0.0/16) unless
                    --default-address-pool names others (base=198.18.0.0/15,size=24).
                    -o (--opt) takes docker's bridge options: com.docker.network.bridge.
                    enable_icc=false (members cannot reach each other), enable_ip_masquerade=
                    false, host_binding_ipv4=IP (publish's default address), name=BRIDGE, and
                    com.docker.network.driver.mtu=N
  ls, list          NAME, ID, SUBNET, BRIDGE, INTERNAL (--json: the networks)
  inspect NAME      JSON: the network, its endpoints and its published ports
  rm, remove NAME [--force, -f]
                    --force disconnects the members first (else EBUSY while there are some)
  connect NAME NS [--alias A]... [--ip ADDR] [--ip6 ADDR] [--name DNSNAME] [--interface NAME]
          [--mac MAC] [--dns IP]... [--dns-search DOMAIN]... [--dns-option OPT]...
                    prints the member's interface and address (--json: the endpoint). --dns,
                    --dns-search, --dns-option as docker run's: the member's own DNS servers
                    (asked by the embedded server for names it does not know; on a --no-dns
                    network, its resolv.conf's), search domains and resolver options
  disconnect NAME NS
  publish NAME NS [HOSTADDR:]HOSTPORT:CONTAINERPORT[/tcp|/udp]
                    as docker run -p; an IPv6 host address in brackets ([fd00::1]:8080:80)
  unpublish NAME [HOSTADDR:]HOSTPORT[/tcp|/udp]
                    takes back a port, whichever process published it
  ports NAME        the published ports: HOSTADDR:HOSTPORT->MEMBER:PORT/PROTO (--json: objects)
  dns NAME [--upstream ADDR[:PORT]]... [--no-upstream]
                    serves the members' names on 127.0.0.11:53 inside each member until
                    interrupted (SIGINT, SIGTERM: exit 0); other names go to the upstream
                    servers (default the host's resolv.conf; --no-upstream: none, SERVFAIL)

NS is a name under /run/netns or an nsfs path (/proc/PID/ns/net).

Options:
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
};
