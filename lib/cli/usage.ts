/**
 * What `netns-native --help` and `netns-native VERB --help` print (stdout, exit 0), and what a bad
 * command line prints after its one-line reason (stderr, exit 2): the usage of the verb it named,
 * or the whole command's. @internal
 */

const NS_TEXT = `NS is a name under /run/netns or an nsfs path (/proc/PID/ns/net); without it, the namespace
netns-native runs in. -n NS (--netns NS) names it too, as ip -n does.`;

const EXIT_TEXT = `Exit status: 0 done; 1 failed (stderr: "netns-native: CODE: message", CODE an errno name such
as ENOENT or EPERM); 2 bad command line.`;

const PROGRAM_EXIT_TEXT = `Exit status: as the program's (128+N when killed by signal N); 127 when it was not found, 126
when it could not be run; 1 when netns-native failed before starting it; 2 bad command line.`;

/** The -n option, as the ip-style verbs' usages list it. */
const NETNS_OPTION = `  -n NS, --netns NS  the namespace to work in (ip -n NS): a name under /run/netns or an
                     nsfs path; without it, the namespace netns-native runs in`;

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
                           [--events link,address,route,neighbour,rule,nexthop]
  netns add|delete NAME    make or remove a named namespace (ip netns add|del); netns attach
                           NAME PID names a process's (ip netns attach)
  link add|set|delete ...  make, change or delete a link (ip link add|set|del)
  addr add|replace|delete|flush ...
                           add, replace, delete or flush addresses (ip addr ...)
  route add|replace|delete|get|flush ...
                           add, replace or delete a route, look one up, flush a table
                           (ip route ...)
  network SUBVERB ...      Docker-style networks (docker network): create, ls, inspect, rm,
                           connect, disconnect, publish, unpublish, ports, dns

${NS_TEXT}

Options:
  -n NS, --netns NS  the namespace link, addr, route (and links, addrs, routes, monitor)
                     work in, as ip -n NS
  --json, -j     JSON instead of text: an array (monitor: one object per line; exec and
                 isolate: {exitCode, signal, stdout, stderr} once the program has ended;
                 route get: the route)
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
                 names ("altname NAME"); --json: each port's bridgePort, each link's altNames
  --json, -j     JSON instead of text
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  addrs: `Usage: netns-native addrs [--json] [NS]

The addresses of NS per link, as \`ip -br addr\` prints them (--json: an array of addresses,
each with its link's name).

${NS_TEXT}

Options:
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
notifications and the whole state was read again.

${NS_TEXT}

Options:
  --events TYPES   only these, comma-separated: link, address, route, neighbour, rule, nexthop
                   (default: link, address, route)
  --json, -j       one JSON object per line
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  netns: `Usage: netns-native netns add NAME | netns delete NAME | netns attach NAME PID | netns [list]

add makes a named network namespace, as \`ip netns add NAME\`: /run/netns/NAME, which ip
and every netns-native command see (its lo is down). attach gives the namespace of process PID
that name, as \`ip netns attach NAME PID\`. delete (del) removes the name, as \`ip netns del
NAME\`: the namespace goes once nothing else uses it. netns alone or netns list lists them, as
the list verb.

Options:
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  link: `Usage: netns-native [-n NS] link add [name] NAME [mtu N] [address MAC] [link PARENT] type KIND ...
       netns-native [-n NS] link set [dev] LINK SETTING...
       netns-native [-n NS] link delete [dev] LINK

As \`ip link add|set|delete\`, in NS. Kinds (link add ... type KIND):
  veth peer [name] PEER [netns NS2] [address MAC]   a veth pair; the peer in NS2 if given
  bridge [stp_state 0|1] [vlan_filtering 0|1] [priority N]
  ifb
  macvlan|macvtap [mode private|vepa|bridge|passthru|source]    (needs link PARENT)
  vxlan id VNI [remote ADDR] [local ADDR] [group ADDR] [dev LINK] [dstport PORT]
Settings (link set), any of them, in one command:
  up | down, mtu N, name NEW, address MAC, alias TEXT, txqueuelen N, group N,
  promisc on|off, multicast on|off, allmulticast on|off, arp on|off,
  master BR | nomaster, netns NS2 (a name, an nsfs path or a PID)
Where ip sends one request, link set may make three calls (the settings, the master, the
move); when one is refused the earlier ones are set back (a link moved back has lost its
addresses, as any move drops them). netns cannot go with master or nomaster. delete (del)
deletes a veth pair's two ends together. Links are listed by the links verb.

Options:
${NETNS_OPTION}
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  addr: `Usage: netns-native [-n NS] addr add|replace ADDR dev LINK [peer PREFIX] [broadcast ADDR|+]
                 [label LABEL] [nodad] [valid_lft N|forever] [preferred_lft N|forever]
       netns-native [-n NS] addr delete ADDR dev LINK [peer PREFIX]
       netns-native [-n NS] addr flush [dev LINK] [scope S]

As \`ip addr add|replace|del|flush\`, in NS. ADDR is 198.18.0.1/24 or fd00::1/64 (a bare
address: /32, /128). flush without dev flushes every link's addresses but lo's 127.0.0.1/8
and ::1, IPv4 and IPv6. delete is del too. Addresses are listed by the addrs verb.

Options:
${NETNS_OPTION}
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  route: `Usage: netns-native [-n NS] route add|replace|delete [TYPE] PREFIX|default [via GW] [dev LINK]
                 [metric N] [table T] [src ADDR] [proto P] [scope S] [onlink]
       netns-native [-n NS] [--json] route get ADDRESS [from ADDR] [iif LINK] [oif LINK]
                 [mark N] [fibmatch]
       netns-native [-n NS] route flush [table T] [dev LINK] [proto P]

As \`ip route add|replace|del|get|flush\`, in NS. TYPE is unicast (the default), blackhole,
unreachable, prohibit, local or throw; T a number or a name (main, local, or one of
/etc/iproute2/rt_tables; flush: all too). get prints the route the kernel takes, as the first
line of \`ip route get\` (--json: the route). flush removes IPv4 and IPv6 routes of the table
(main by default), the kernel's own included; ip flushes one family per call. delete is del
too. Routes are listed by the routes verb.

Options:
${NETNS_OPTION}
  --json, -j     route get: the route as JSON
${COMMON_OPTIONS}

${WRITE_TEXT}
`,
  network: `Usage: netns-native network SUBVERB [--json] ...

Docker-style bridge networks, as \`docker network\` makes them (state in /run/netns-native, any
process may change it; needs root):

  create NAME [--subnet CIDR] [--gateway IP] [--ip-range CIDR] [--aux-address NAME=IP]...
         [--internal] [--bridge-name NAME] [--mtu N] [--no-dns]
         [--ipv6 --subnet IPV6CIDR [--gateway IPV6]] [-o KEY=VALUE]...
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
          [--mac MAC]
                    prints the member's interface and address (--json: the endpoint)
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
