/**
 * What `netns-native --help` and `netns-native VERB --help` print (stdout, exit 0), and what a bad
 * command line prints after its one-line reason (stderr, exit 2): the usage of the verb it named,
 * or the whole command's. @internal
 */

const NS_TEXT = `NS is a name under /run/netns or an nsfs path (/proc/PID/ns/net); without it, the namespace
netns-native runs in.`;

const EXIT_TEXT = `Exit status: 0 done; 1 failed (stderr: "netns-native: CODE: message", CODE an errno name such
as ENOENT or EPERM); 2 bad command line.`;

const PROGRAM_EXIT_TEXT = `Exit status: as the program's (128+N when killed by signal N); 127 when it was not found, 126
when it could not be run; 1 when netns-native failed before starting it; 2 bad command line.`;

/** Options every verb takes, as each verb's usage lists them. */
const COMMON_OPTIONS = `  --help, -h     this text`;

export const USAGE = `Usage: netns-native [--json] VERB [ARGS]

  list                     named network namespaces (ip netns list)
  links [NS]               links, one per line (ip -br link); --details, -d: and a bridge
                           port's settings (ip -d link: bridge_slave ...)
  addrs [NS]               addresses per link (ip -br addr)
  routes [NS]              routes of the main table, IPv4 then IPv6 (ip route; ip -6 route)
  exec NS -- CMD [ARG...]  run CMD in namespace NS (ip netns exec NS CMD ...)
  isolate -- CMD [ARG...]  run CMD in a throwaway network + mount namespace with its own
                           empty /run/netns (and /etc/netns, when there is one)
  monitor [NS]             print link, address and route changes as they happen (ip monitor)
                           [--events link,address,route,neighbour]
  network SUBVERB ...      Docker-style networks (docker network): create, ls, inspect, rm,
                           connect, disconnect, publish, unpublish, ports, dns

${NS_TEXT}

Options:
  --json, -j     JSON instead of text: an array (monitor: one object per line; exec and
                 isolate: {exitCode, signal, stdout, stderr} once the program has ended)
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
                 the spanning tree's own ids and timers); --json: each port's bridgePort
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
  --events TYPES   only these, comma-separated: link, address, route, neighbour (default: link,
                   address, route)
  --json, -j       one JSON object per line
${COMMON_OPTIONS}

${EXIT_TEXT}
`,
  network: `Usage: netns-native network SUBVERB [--json] ...

Docker-style bridge networks, as \`docker network\` makes them (state in /run/netns-native, any
process may change it; needs root):

  create NAME [--subnet CIDR] [--gateway IP] [--internal] [--bridge-name NAME] [--mtu N]
         [--no-dns] [--ipv6 --subnet IPV6CIDR [--gateway IPV6]] [--default-address-pool
         base=CIDR,size=N]...
                    prints the id (--json: the network). Without --subnet, the first free subnet
                    of the pools: Docker's (172.17.0.0/16 ... 192.168.0.0/16) unless
                    --default-address-pool names others (base=198.18.0.0/15,size=24)
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
