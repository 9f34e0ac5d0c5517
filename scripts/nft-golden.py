#!/usr/bin/env python3
"""Regenerates native/test/nft_golden.h: the bytes nft sends (and the kernel answers) for the
nf_tables golden tests, captured from the real nft, annotated field by field.

    scripts/nft-golden.py > native/test/nft_golden.h && npm run format

A developer tool, not run by CI. Needs root, nft and strace (scripts/install-test-tools.sh).
Every nft runs inside `unshare --net`: a throwaway network namespace, so this machine's own
ruleset is never read or touched. The capture is strace's hex dump of every sendmsg/sendto
(and, for replies, recvmsg) on nft's netlink socket; nlmsg_seq and nlmsg_pid are zeroed, since
the transport sets them at send time and they vary from run to run.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import textwrap

# ---- The nft inputs ------------------------------------------------------------------------------

# The rules the library needs (see native/nft/*.h): NAT for one bridge network "x" on
# 198.18.4.0/24 with one publication (host 198.51.100.1:8080 -> 198.18.4.2:80), and isolation.
RULESET = r'''table ip netns-native {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 198.18.4.0/24 oifname != "br-x" masquerade comment "net:x"
		ct status dnat ip saddr 198.18.4.2 ip daddr 198.18.4.2 tcp dport 80 masquerade comment "pub:x:8080"
		ip saddr 127.0.0.0/8 oifname "br-x" masquerade comment "pub:x:8080"
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname != "br-x" ip daddr 198.51.100.1 tcp dport 8080 dnat to 198.18.4.2:80 comment "pub:x:8080"
	}
	chain output {
		type nat hook output priority -100; policy accept;
		ip daddr 127.0.0.1 tcp dport 8080 dnat to 198.18.4.2:80 comment "pub:x:8080"
		fib daddr type local tcp dport 8080 dnat to 198.18.4.2:80 comment "pub:x:8080"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "br-a" oifname "br-b" drop
		iifname "br-int" oifname != "br-int" drop comment "net:int"
		ip saddr 198.18.4.0/24 ip daddr 198.18.5.0/24 drop
	}
}
'''

# More expressions: jumps and gotos, lt/gt, counter, a prefix that is not whole bytes (bitwise),
# snat with ranges, masquerade flags and ports, dnat without a port, a negated prefix.
MORE = r'''table ip netns-native {
	chain isolation {
		return
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 198.18.0.0/20 oifname "eth0" snat to 203.0.113.5
		oifname "br-x" counter masquerade random,persistent
		oifname "br-x" meta l4proto tcp snat to 203.0.113.5-203.0.113.9:1000-2000
		oifname "br-y" meta l4proto tcp masquerade to :1024-2000
		ip daddr != 127.0.0.0/8 masquerade
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		meta l4proto udp jump isolation
		iifname "br-a" goto isolation
		tcp dport < 1024 return
		tcp dport > 1024 counter accept
		udp dport 53 drop
	}
}
'''

# The same for IPv6, and the inet family (both at once).
IP6 = r'''table ip6 netns-native {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip6 saddr fd00:1::/64 oifname != "br-x" masquerade
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname != "br-x" ip6 daddr 2001:db8::1 tcp dport 8080 dnat to [fd00:1::2]:80
	}
}
table inet netns-native {
	chain forward {
		type filter hook forward priority filter; policy accept;
		meta nfproto ipv4 ct state established,related accept
	}
}
'''

# Published ports as map elements: per network, a map keyed on `l4proto . dport` (every host
# address) and one keyed on `daddr . l4proto . dport` (one host address), each to
# `member address . member port`, looked up by one dnat rule each.
MAPS = r'''table ip netns-native {
	map pub-any-x {
		type inet_proto . inet_service : ipv4_addr . inet_service
	}
	map pub-addr-x {
		type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname != "br-x" fib daddr type local dnat ip to meta l4proto . th dport map @pub-any-x
		iifname != "br-x" dnat ip to ip daddr . meta l4proto . th dport map @pub-addr-x
	}
}
table ip6 netns-native {
	map pub-any-x {
		type inet_proto . inet_service : ipv6_addr . inet_service
	}
	map pub-addr-x {
		type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service
	}
	chain output {
		type nat hook output priority -100; policy accept;
		fib daddr type local dnat ip6 to meta l4proto . th dport map @pub-any-x
		dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub-addr-x
	}
}
'''

# Published ports reached by members through the host's addresses: a DNATed connection going
# back out through the bridge it came from is masqueraded (the hairpin), and DNATed connections
# skip the isolation between networks (`ct status ! dnat`: that bit not set; nft reads
# `ct status != dnat` as the whole word compared, which is almost always true). The last rule is
# a network's with icc off: members do not reach each other across its bridge, but for DNATed
# connections.
HAIRPIN = r'''table ip netns-native {
	chain isolation {
		oifname "br-x" drop comment "nn net x"
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 198.18.4.0/24 oifname "br-x" ct status dnat masquerade comment "nn net x"
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "br-x" oifname != "br-x" ct status ! dnat jump isolation comment "nn net x"
		iifname "br-x" oifname "br-x" ct status ! dnat drop comment "nn net x"
	}
}
'''

# The CNI plugin's `macspoofchk`, as the reference bridge plugin writes it (its pkg/link
# spoofcheck.go): a base chain in the bridge family's table `nat`, a jump per container port to a
# chain of its own, and there only the container's MAC passes.
BRIDGE = r'''table bridge nat {
	chain PREROUTING {
		type filter hook prerouting priority -300; policy accept;
		iifname "veth0123abcd" jump cni-br-iface-ctr1-eth0 comment "macspoofchk-ctr1-eth0"
	}
	chain cni-br-iface-ctr1-eth0 {
		jump cni-br-iface-ctr1-eth0-mac comment "macspoofchk-ctr1-eth0"
	}
	chain cni-br-iface-ctr1-eth0-mac {
		ether saddr 0a:58:c6:13:64:02 return comment "macspoofchk-ctr1-eth0"
		drop comment "macspoofchk-ctr1-eth0"
	}
}
'''

FILES = {'ruleset.nft': RULESET, 'bridge.nft': BRIDGE, 'more.nft': MORE, 'ip6.nft': IP6, 'maps.nft': MAPS, 'hairpin.nft': HAIRPIN}

# (constant, scenario, pick, what it is). A scenario is (setup file or None, nft arguments).
# A pick is ('send'|'recv', NFT message name, occurrence): for 'send', that message of what nft
# sent; for 'recv', the whole datagram whose first message is of that type.
RULESET_F = (None, ['-f', 'ruleset.nft'])
MORE_F = (None, ['-f', 'more.nft'])
IP6_F = (None, ['-f', 'ip6.nft'])
LIST = ('ruleset.nft', ['-a', 'list', 'ruleset'])
MAPS_F = (None, ['-f', 'maps.nft'])
HAIRPIN_F = (None, ['-f', 'hairpin.nft'])
BRIDGE_F = (None, ['-f', 'bridge.nft'])


def on_maps(*args):
    return ('maps.nft', list(args))


def on_ruleset(*args):
    return ('ruleset.nft', list(args))


CASES = [
    ('kBatchBegin', RULESET_F, ('send', 'NFNL_MSG_BATCH_BEGIN', 0), 'nft -f ruleset.nft: BEGIN'),
    ('kBatchEnd', RULESET_F, ('send', 'NFNL_MSG_BATCH_END', 0), 'nft -f ruleset.nft: END'),
    ('kNewTable', RULESET_F, ('send', 'NFT_MSG_NEWTABLE', 0), 'table ip netns-native'),
    ('kNewChainPostrouting', RULESET_F, ('send', 'NFT_MSG_NEWCHAIN', 0),
     'chain postrouting { type nat hook postrouting priority srcnat; policy accept; }'),
    ('kNewChainPrerouting', RULESET_F, ('send', 'NFT_MSG_NEWCHAIN', 1),
     'chain prerouting { type nat hook prerouting priority dstnat; policy accept; }'),
    ('kNewChainOutput', RULESET_F, ('send', 'NFT_MSG_NEWCHAIN', 2),
     'chain output { type nat hook output priority -100; policy accept; }'),
    ('kNewChainForward', RULESET_F, ('send', 'NFT_MSG_NEWCHAIN', 3),
     'chain forward { type filter hook forward priority filter; policy drop; }'),
    ('kRuleMasquerade', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 0),
     'postrouting: ip saddr 198.18.4.0/24 oifname != "br-x" masquerade comment "net:x"'),
    ('kRuleHairpin', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 1),
     'postrouting: ct status dnat ip saddr 198.18.4.2 ip daddr 198.18.4.2 tcp dport 80 '
     'masquerade comment "pub:x:8080"'),
    ('kRuleLocalhostMasq', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 2),
     'postrouting: ip saddr 127.0.0.0/8 oifname "br-x" masquerade comment "pub:x:8080"'),
    ('kRuleDnatPrerouting', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 3),
     'prerouting: iifname != "br-x" ip daddr 198.51.100.1 tcp dport 8080 '
     'dnat to 198.18.4.2:80 comment "pub:x:8080"'),
    ('kRuleDnatLoopback', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 4),
     'output: ip daddr 127.0.0.1 tcp dport 8080 dnat to 198.18.4.2:80 comment "pub:x:8080"'),
    ('kRuleDnatLocal', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 5),
     'output: fib daddr type local tcp dport 8080 dnat to 198.18.4.2:80 comment "pub:x:8080"'),
    ('kRuleEstablished', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 6),
     'forward: ct state established,related accept'),
    ('kRuleIsolatePair', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 7),
     'forward: iifname "br-a" oifname "br-b" drop'),
    ('kRuleIsolateInternal', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 8),
     'forward: iifname "br-int" oifname != "br-int" drop comment "net:int"'),
    ('kRulePrefixes', RULESET_F, ('send', 'NFT_MSG_NEWRULE', 9),
     'forward: ip saddr 198.18.4.0/24 ip daddr 198.18.5.0/24 drop'),
    ('kNewChainRegular', MORE_F, ('send', 'NFT_MSG_NEWCHAIN', 0), 'chain isolation'),
    ('kRuleReturn', MORE_F, ('send', 'NFT_MSG_NEWRULE', 0), 'isolation: return'),
    ('kRuleSnatBitwise', MORE_F, ('send', 'NFT_MSG_NEWRULE', 1),
     'postrouting: ip saddr 198.18.0.0/20 oifname "eth0" snat to 203.0.113.5'),
    ('kRuleCounterMasqFlags', MORE_F, ('send', 'NFT_MSG_NEWRULE', 2),
     'postrouting: oifname "br-x" counter masquerade random,persistent'),
    ('kRuleSnatRanges', MORE_F, ('send', 'NFT_MSG_NEWRULE', 3),
     'postrouting: oifname "br-x" meta l4proto tcp snat to 203.0.113.5-203.0.113.9:1000-2000'),
    ('kRuleMasqPorts', MORE_F, ('send', 'NFT_MSG_NEWRULE', 4),
     'postrouting: oifname "br-y" meta l4proto tcp masquerade to :1024-2000'),
    ('kRuleNotLoopback', MORE_F, ('send', 'NFT_MSG_NEWRULE', 5),
     'postrouting: ip daddr != 127.0.0.0/8 masquerade'),
    ('kRuleJump', MORE_F, ('send', 'NFT_MSG_NEWRULE', 6), 'forward: meta l4proto udp jump isolation'),
    ('kRuleGoto', MORE_F, ('send', 'NFT_MSG_NEWRULE', 7), 'forward: iifname "br-a" goto isolation'),
    ('kRuleLessThan', MORE_F, ('send', 'NFT_MSG_NEWRULE', 8), 'forward: tcp dport < 1024 return'),
    ('kRuleGreaterThan', MORE_F, ('send', 'NFT_MSG_NEWRULE', 9),
     'forward: tcp dport > 1024 counter accept'),
    ('kRuleUdpDrop', MORE_F, ('send', 'NFT_MSG_NEWRULE', 10), 'forward: udp dport 53 drop'),
    ('kNewTableIp6', IP6_F, ('send', 'NFT_MSG_NEWTABLE', 0), 'table ip6 netns-native'),
    ('kRuleMasqueradeIp6', IP6_F, ('send', 'NFT_MSG_NEWRULE', 0),
     'ip6 postrouting: ip6 saddr fd00:1::/64 oifname != "br-x" masquerade'),
    ('kRuleDnatIp6', IP6_F, ('send', 'NFT_MSG_NEWRULE', 1),
     'ip6 prerouting: iifname != "br-x" ip6 daddr 2001:db8::1 tcp dport 8080 '
     'dnat to [fd00:1::2]:80'),
    ('kRuleInetEstablished', IP6_F, ('send', 'NFT_MSG_NEWRULE', 2),
     'inet forward: meta nfproto ipv4 ct state established,related accept'),
    ('kNewTableExclusive', on_ruleset('create', 'table', 'ip', 'netns-native'),
     ('send', 'NFT_MSG_NEWTABLE', 0), 'nft create table ip netns-native'),
    ('kNewChainExclusive', on_ruleset('create', 'chain', 'ip', 'netns-native', 'extra'),
     ('send', 'NFT_MSG_NEWCHAIN', 0), 'nft create chain ip netns-native extra'),
    ('kDelTable', on_ruleset('delete', 'table', 'ip', 'netns-native'),
     ('send', 'NFT_MSG_DELTABLE', 0), 'nft delete table ip netns-native'),
    ('kDelChain', on_ruleset('delete', 'chain', 'ip', 'netns-native', 'output'),
     ('send', 'NFT_MSG_DELCHAIN', 0), 'nft delete chain ip netns-native output'),
    ('kDelRule', on_ruleset('delete', 'rule', 'ip', 'netns-native', 'forward', 'handle', '12'),
     ('send', 'NFT_MSG_DELRULE', 0), 'nft delete rule ip netns-native forward handle 12'),
    ('kRuleInsertAt', on_ruleset('insert', 'rule', 'ip', 'netns-native', 'forward', 'position',
                                 '12', 'drop'),
     ('send', 'NFT_MSG_NEWRULE', 0), 'nft insert rule ip netns-native forward position 12 drop'),
    ('kRuleAddAfter', on_ruleset('add', 'rule', 'ip', 'netns-native', 'forward', 'position', '12',
                                 'counter', 'drop', 'comment', '"after 12"'),
     ('send', 'NFT_MSG_NEWRULE', 0),
     'nft add rule ip netns-native forward position 12 counter drop comment "after 12"'),
    ('kGetGen', LIST, ('send', 'NFT_MSG_GETGEN', 0), 'nft list ruleset: the generation first'),
    ('kDumpTables', LIST, ('send', 'NFT_MSG_GETTABLE', 0), 'nft list ruleset: every table'),
    ('kDumpChains', LIST, ('send', 'NFT_MSG_GETCHAIN', 0), 'nft list ruleset: every chain'),
    ('kGetTable', on_ruleset('list', 'chain', 'ip', 'netns-native', 'forward'),
     ('send', 'NFT_MSG_GETTABLE', 0), 'nft list chain ip netns-native forward: its table'),
    ('kGetChain', on_ruleset('list', 'chain', 'ip', 'netns-native', 'forward'),
     ('send', 'NFT_MSG_GETCHAIN', 0), 'nft list chain ip netns-native forward: the chain'),
    ('kDumpRulesOfTable', on_ruleset('list', 'table', 'ip', 'netns-native'),
     ('send', 'NFT_MSG_GETRULE', 0), 'nft list table ip netns-native: its rules'),
    ('kDumpRulesOfChain', on_ruleset('list', 'chain', 'ip', 'netns-native', 'forward'),
     ('send', 'NFT_MSG_GETRULE', 0), 'nft list chain ip netns-native forward: its rules'),
    ('kReplyGen', LIST, ('recv', 'NFT_MSG_NEWGEN', 0),
     'nft -a list ruleset after nft -f ruleset.nft: the GETGEN reply'),
    ('kNewSetAny', MAPS_F, ('send', 'NFT_MSG_NEWSET', 0),
     'map pub-any-x { type inet_proto . inet_service : ipv4_addr . inet_service }'),
    ('kNewSetAddr', MAPS_F, ('send', 'NFT_MSG_NEWSET', 1),
     'map pub-addr-x { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service }'),
    ('kNewSetAnyIp6', MAPS_F, ('send', 'NFT_MSG_NEWSET', 2),
     'ip6 map pub-any-x { type inet_proto . inet_service : ipv6_addr . inet_service }'),
    ('kNewSetAddrIp6', MAPS_F, ('send', 'NFT_MSG_NEWSET', 3),
     'ip6 map pub-addr-x { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service }'),
    ('kRuleDnatMapAny', MAPS_F, ('send', 'NFT_MSG_NEWRULE', 0),
     'prerouting: iifname != "br-x" fib daddr type local dnat ip to meta l4proto . th dport '
     'map @pub-any-x'),
    ('kRuleDnatMapAddr', MAPS_F, ('send', 'NFT_MSG_NEWRULE', 1),
     'prerouting: iifname != "br-x" dnat ip to ip daddr . meta l4proto . th dport map @pub-addr-x'),
    ('kRuleDnatMapAnyIp6', MAPS_F, ('send', 'NFT_MSG_NEWRULE', 2),
     'ip6 output: fib daddr type local dnat ip6 to meta l4proto . th dport map @pub-any-x'),
    ('kRuleDnatMapAddrIp6', MAPS_F, ('send', 'NFT_MSG_NEWRULE', 3),
     'ip6 output: dnat ip6 to ip6 daddr . meta l4proto . th dport map @pub-addr-x'),
    ('kRuleIsolationDrop', HAIRPIN_F, ('send', 'NFT_MSG_NEWRULE', 0),
     'isolation: oifname "br-x" drop comment "nn net x"'),
    ('kRuleHairpinMasq', HAIRPIN_F, ('send', 'NFT_MSG_NEWRULE', 1),
     'postrouting: ip saddr 198.18.4.0/24 oifname "br-x" ct status dnat masquerade '
     'comment "nn net x"'),
    ('kRuleIsolationJumpNotDnat', HAIRPIN_F, ('send', 'NFT_MSG_NEWRULE', 2),
     'forward: iifname "br-x" oifname != "br-x" ct status ! dnat jump isolation '
     'comment "nn net x"'),
    ('kRuleIccDrop', HAIRPIN_F, ('send', 'NFT_MSG_NEWRULE', 3),
     'forward: iifname "br-x" oifname "br-x" ct status ! dnat drop comment "nn net x"'),
    ('kNewTableBridge', BRIDGE_F, ('send', 'NFT_MSG_NEWTABLE', 0), 'table bridge nat'),
    ('kNewChainBridgePrerouting', BRIDGE_F, ('send', 'NFT_MSG_NEWCHAIN', 0),
     'chain PREROUTING { type filter hook prerouting priority -300; policy accept; }'),
    ('kNewChainSpoofIface', BRIDGE_F, ('send', 'NFT_MSG_NEWCHAIN', 1),
     'chain cni-br-iface-ctr1-eth0'),
    ('kRuleSpoofIifJump', BRIDGE_F, ('send', 'NFT_MSG_NEWRULE', 0),
     'PREROUTING: iifname "veth0123abcd" jump cni-br-iface-ctr1-eth0 '
     'comment "macspoofchk-ctr1-eth0"'),
    ('kRuleSpoofJumpMac', BRIDGE_F, ('send', 'NFT_MSG_NEWRULE', 1),
     'cni-br-iface-ctr1-eth0: jump cni-br-iface-ctr1-eth0-mac comment "macspoofchk-ctr1-eth0"'),
    ('kRuleSpoofEtherSaddr', BRIDGE_F, ('send', 'NFT_MSG_NEWRULE', 2),
     'cni-br-iface-ctr1-eth0-mac: ether saddr 0a:58:c6:13:64:02 return '
     'comment "macspoofchk-ctr1-eth0"'),
    ('kRuleSpoofDrop', BRIDGE_F, ('send', 'NFT_MSG_NEWRULE', 3),
     'cni-br-iface-ctr1-eth0-mac: drop comment "macspoofchk-ctr1-eth0"'),
    ('kNewElemAny', on_maps('create', 'element', 'ip', 'netns-native', 'pub-any-x',
                            '{ tcp . 8080 : 198.18.4.2 . 80 }'),
     ('send', 'NFT_MSG_NEWSETELEM', 0),
     'nft create element ip netns-native pub-any-x { tcp . 8080 : 198.18.4.2 . 80 }'),
    ('kNewElemAddr', on_maps('create', 'element', 'ip', 'netns-native', 'pub-addr-x',
                             '{ 198.51.100.1 . udp . 53 : 198.18.4.3 . 5353 }'),
     ('send', 'NFT_MSG_NEWSETELEM', 0),
     'nft create element ip netns-native pub-addr-x { 198.51.100.1 . udp . 53 : 198.18.4.3 . 5353 }'),
    ('kNewElemAddrIp6', on_maps('create', 'element', 'ip6', 'netns-native', 'pub-addr-x',
                                '{ fd00::1 . tcp . 443 : fd00:1::2 . 8443 }'),
     ('send', 'NFT_MSG_NEWSETELEM', 0),
     'nft create element ip6 netns-native pub-addr-x { fd00::1 . tcp . 443 : fd00:1::2 . 8443 }'),
    ('kDelElemAny', on_maps('delete', 'element', 'ip', 'netns-native', 'pub-any-x',
                            '{ tcp . 8080 }'),
     ('send', 'NFT_MSG_DELSETELEM', 0),
     'nft delete element ip netns-native pub-any-x { tcp . 8080 }'),
    ('kDelSet', on_maps('delete', 'map', 'ip', 'netns-native', 'pub-any-x'),
     ('send', 'NFT_MSG_DELSET', 0), 'nft delete map ip netns-native pub-any-x'),
    ('kDumpSets', on_maps('list', 'sets', 'ip'), ('send', 'NFT_MSG_GETSET', 0),
     'nft list sets ip: every set of the family'),
    ('kDumpSetElems', on_maps('list', 'map', 'ip', 'netns-native', 'pub-any-x'),
     ('send', 'NFT_MSG_GETSETELEM', 0), 'nft list map ip netns-native pub-any-x: its elements'),
    ('kReplySets', on_maps('list', 'map', 'ip', 'netns-native', 'pub-any-x'),
     ('recv', 'NFT_MSG_NEWSET', 0), 'the same: the set dump datagram'),
    ('kReplyTables', LIST, ('recv', 'NFT_MSG_NEWTABLE', 0), 'the same: the table dump datagram'),
    ('kReplyChains', LIST, ('recv', 'NFT_MSG_NEWCHAIN', 0), 'the same: the chain dump datagram'),
    ('kReplyRules', LIST, ('recv', 'NFT_MSG_NEWRULE', 0), 'the same: the rule dump datagram'),
]

# ---- Annotation ---------------------------------------------------------------------------------

HDR = '/usr/include/linux/netfilter/nf_tables.h'


def parse_enums():
    src = re.sub(r'/\*.*?\*/', '', open(HDR).read(), flags=re.S)
    enums = {}
    for m in re.finditer(r'enum\s+(\w+)\s*\{(.*?)\}', src, re.S):
        val = -1
        names = []
        for item in m.group(2).split(','):
            item = item.strip()
            if not item:
                continue
            if '=' in item:
                n, v = [x.strip() for x in item.split('=', 1)]
                try:
                    val = int(eval(v, {}, dict(names)))
                except Exception:
                    continue
            else:
                n = item
                val += 1
            names.append((n, val))
        enums[m.group(1)] = names
    return enums


ENUMS = parse_enums()


def names_of(enum):
    return {v: n for n, v in ENUMS[enum]}


EXPR_ENUM = {
    'payload': 'nft_payload_attributes', 'cmp': 'nft_cmp_attributes',
    'meta': 'nft_meta_attributes', 'immediate': 'nft_immediate_attributes',
    'bitwise': 'nft_bitwise_attributes', 'ct': 'nft_ct_attributes', 'nat': 'nft_nat_attributes',
    'masq': 'nft_masq_attributes', 'fib': 'nft_fib_attributes',
    'counter': 'nft_counter_attributes', 'lookup': 'nft_lookup_attributes',
}
NESTS = {
    ('nft_chain_attributes', 'NFTA_CHAIN_HOOK'): 'nft_hook_attributes',
    ('nft_rule_attributes', 'NFTA_RULE_EXPRESSIONS'): 'LIST',
    ('nft_cmp_attributes', 'NFTA_CMP_DATA'): 'nft_data_attributes',
    ('nft_bitwise_attributes', 'NFTA_BITWISE_MASK'): 'nft_data_attributes',
    ('nft_bitwise_attributes', 'NFTA_BITWISE_XOR'): 'nft_data_attributes',
    ('nft_immediate_attributes', 'NFTA_IMMEDIATE_DATA'): 'nft_data_attributes',
    ('nft_data_attributes', 'NFTA_DATA_VERDICT'): 'nft_verdict_attributes',
    ('nft_set_attributes', 'NFTA_SET_DESC'): 'nft_set_desc_attributes',
    ('nft_set_desc_attributes', 'NFTA_SET_DESC_CONCAT'): 'ELEMS:nft_set_field_attributes',
    ('nft_set_elem_list_attributes', 'NFTA_SET_ELEM_LIST_ELEMENTS'): 'ELEMS:nft_set_elem_attributes',
    ('nft_set_elem_attributes', 'NFTA_SET_ELEM_KEY'): 'nft_data_attributes',
    ('nft_set_elem_attributes', 'NFTA_SET_ELEM_DATA'): 'nft_data_attributes',
}
# libnftnl's user data TLV types (libnftnl/udata.h), by the attribute that carries them.
UDATA = {
    'NFTA_RULE_USERDATA': {0: 'NFTNL_UDATA_RULE_COMMENT'},
    'NFTA_SET_USERDATA': {0: 'NFTNL_UDATA_SET_KEYBYTEORDER', 1: 'NFTNL_UDATA_SET_DATABYTEORDER',
                          2: 'NFTNL_UDATA_SET_MERGE_ELEMENTS', 3: 'NFTNL_UDATA_SET_KEY_TYPEOF',
                          4: 'NFTNL_UDATA_SET_DATA_TYPEOF', 7: 'NFTNL_UDATA_SET_COMMENT'},
    'NFTA_SET_ELEM_USERDATA': {0: 'NFTNL_UDATA_SET_ELEM_COMMENT', 1: 'NFTNL_UDATA_SET_ELEM_FLAGS'},
}
REGS = names_of('nft_registers')
MSGS = names_of('nf_tables_msg_types')
TOP = {'TABLE': 'nft_table_attributes', 'CHAIN': 'nft_chain_attributes',
       'RULE': 'nft_rule_attributes', 'GEN': 'nft_gen_attributes', 'SET': 'nft_set_attributes',
       'SETELEM': 'nft_set_elem_list_attributes'}
FAMILY = {0: 'NFPROTO_UNSPEC', 1: 'NFPROTO_INET', 2: 'NFPROTO_IPV4', 7: 'NFPROTO_BRIDGE',
          10: 'NFPROTO_IPV6'}
VERDICTS = {1: 'NF_ACCEPT', 0: 'NF_DROP', -1: 'NFT_CONTINUE', -2: 'NFT_BREAK', -3: 'NFT_JUMP',
            -4: 'NFT_GOTO', -5: 'NFT_RETURN'}
VALUE_NAMES = {
    'NFTA_META_KEY': names_of('nft_meta_keys'), 'NFTA_CT_KEY': names_of('nft_ct_keys'),
    'NFTA_CMP_OP': names_of('nft_cmp_ops'), 'NFTA_PAYLOAD_BASE': names_of('nft_payload_bases'),
    'NFTA_NAT_TYPE': names_of('nft_nat_types'), 'NFTA_FIB_RESULT': names_of('nft_fib_result'),
    'NFTA_NAT_FAMILY': FAMILY,
    'NFTA_HOOK_HOOKNUM': {0: 'NF_INET_PRE_ROUTING', 1: 'NF_INET_LOCAL_IN', 2: 'NF_INET_FORWARD',
                          3: 'NF_INET_LOCAL_OUT', 4: 'NF_INET_POST_ROUTING'},
    'NFTA_CHAIN_POLICY': {0: 'NF_DROP', 1: 'NF_ACCEPT'},
}


class Lines:
    """Rows of bytes with a comment each, rendered one row per line, comments aligned. A row whose
    comment does not fit in 100 columns is split after its 4-byte attribute header, the value's
    description going on the value's own line."""

    def __init__(self):
        self.rows = []

    def add(self, data, comment, detail=None):
        self.rows.append([list(data), comment, detail])

    def add_text(self, data, comment):
        more = ' ' * (len(comment) - len(comment.lstrip())) + '...'
        for i in range(0, len(data), 8):
            self.rows.append([list(data[i:i + 8]), comment if i == 0 else more, None, True])

    def pad(self, data):
        if data:
            self.rows[-1][0] += list(data)
            if self.rows[-1][2]:
                self.rows[-1][2] += ' (+ pad)'
            else:
                self.rows[-1][1] += ' (+ pad)'

    @staticmethod
    def cells(data, text=False):
        out = []
        for b in data:
            c = chr(b)
            out.append("'%s'" % c if text and 32 <= b < 127 and c not in "'\\" else '0x%02x' % b)
        return ', '.join(out) + ','

    def render(self):
        lines = []
        for row in self.rows:
            data, comment, detail = row[0], row[1], row[2]
            text = len(row) > 3
            full = comment + (': ' + detail if detail else '')
            if detail and len(data) > 4 and 4 + 48 + 4 + len(full) > 100:
                indent = len(comment) - len(comment.lstrip())
                lines.append((self.cells(data[:4]), comment))
                lines.append((self.cells(data[4:]), ' ' * indent + '  ' + detail))
            else:
                lines.append((self.cells(data, text), full))
        width = max(len(c) for c, _ in lines if c.count(',') <= 8)
        out = []
        for c, m in lines:
            line = '    %s  // %s' % (c.ljust(width), m)
            out.append(line if len(line) <= 100 else '    %s  // %s' % (c, m))
        return '\n'.join(out)


def printable_string(b):
    return len(b) > 1 and b[-1] == 0 and all(32 <= x < 127 for x in b[:-1])


def describe(name, body):
    if len(body) == 4:
        v = struct.unpack('>I', body)[0]
        if name.endswith('REG') or name.startswith('NFTA_NAT_REG') or \
                name.startswith('NFTA_MASQ_REG'):
            return REGS.get(v, str(v))
        if name == 'NFTA_VERDICT_CODE':
            return VERDICTS.get(struct.unpack('>i', body)[0], str(v))
        if name == 'NFTA_HOOK_PRIORITY':
            return str(struct.unpack('>i', body)[0])
        if name in VALUE_NAMES and v in VALUE_NAMES[name]:
            return VALUE_NAMES[name][v]
        if name == 'NFTA_DATA_VALUE':
            return 'bytes'
        return '%d' % v
    return ''


def ipv6(b):
    words = ['%x' % struct.unpack('>H', b[i:i + 2])[0] for i in range(0, len(b) - 1, 2)]
    return ':'.join(words)


# What the register holds, from the last load before a cmp, bitwise or NAT: lets the annotation
# say "198.18.4.2" or "port 8080" instead of bare bytes.
def describe_data(state, data):
    load = state.get('load')
    role = state.get('role')
    if role == 'immediate':
        if len(data) == 4:
            return 'address %s' % '.'.join(str(b) for b in data)
        if len(data) == 16:
            return 'address %s' % ipv6(data)
        if len(data) == 2:
            return 'port %d (be16)' % struct.unpack('>H', data)[0]
        return ''
    if load is None:
        return ''
    kind = load[0]
    if kind == 'payload':
        base, offset = load[1], load[2]
        if base == 2 and len(data) == 2:
            return 'port %d (be16)' % struct.unpack('>H', data)[0]
        if base == 1 and state.get('family') == 2:
            return ('%s: %s' % ('mask' if role == 'mask' else 'address bytes',
                                '.'.join(str(b) for b in data)))
        if base == 1:
            return 'address bytes %s' % ipv6(data + b'\0' * (len(data) % 2))
    if kind == 'meta':
        key = load[1]
        if key in (6, 7) and len(data) == 16:
            return '"%s", NUL-padded to IFNAMSIZ' % data.rstrip(b'\0').decode()
        if key == 16 and len(data) == 1:
            return {6: 'IPPROTO_TCP', 17: 'IPPROTO_UDP'}.get(data[0], str(data[0]))
        if key == 15 and len(data) == 1:
            return FAMILY.get(data[0], str(data[0]))
    if kind == 'ct' and len(data) == 4:
        v = struct.unpack('<I', data)[0]
        if load[1] == 0:
            bits = [n for b, n in [(1, 'invalid'), (2, 'established'), (4, 'related'),
                                   (8, 'new'), (64, 'untracked')] if v & b]
            return '0x%x (host order): %s' % (v, ' | '.join(bits) or '0')
        if load[1] == 2:
            return '0x%x (host order)%s' % (v, ': IPS_DST_NAT' if v == 0x20 else '')
    if kind == 'fib' and len(data) == 4:
        v = struct.unpack('<I', data)[0]
        return '%d (host order)%s' % (v, ': RTN_LOCAL' if v == 2 else '')
    return ''


def expr_fields(elem_body):
    """(name, {attr name: be32 value}) of one NFTA_LIST_ELEM's payload."""
    name, fields = None, {}
    i = 0
    while i + 4 <= len(elem_body):
        ln, ty = struct.unpack('<HH', elem_body[i:i + 4])
        body = elem_body[i + 4:i + ln]
        if ty & 0x3fff == 1:
            name = body[:-1].decode(errors='replace')
        elif ty & 0x3fff == 2 and name in EXPR_ENUM:
            names = names_of(EXPR_ENUM[name])
            j = 0
            while j + 4 <= len(body):
                l2, t2 = struct.unpack('<HH', body[j:j + 4])
                if l2 == 8:
                    fields[names.get(t2 & 0x3fff, '')] = struct.unpack('>I', body[j + 4:j + 8])[0]
                j += (l2 + 3) & ~3
        i += (ln + 3) & ~3
    return name, fields


def annotate_attrs(out, data, enum, depth, state, expr=None):
    pad = '  ' * depth
    names = {} if enum in (None, 'LIST', 'EXPR') or enum.startswith('ELEMS:') else names_of(enum)
    i = 0
    while i + 4 <= len(data):
        ln, ty = struct.unpack('<HH', data[i:i + 4])
        flag = ' | NLA_F_NESTED' if ty & 0x8000 else ''
        t = ty & 0x3fff
        body = data[i + 4:i + ln]
        if enum == 'LIST':
            name, inner = ('NFTA_LIST_ELEM' if t == 1 else 'type %d' % t), 'EXPR'
            ename, fields = expr_fields(body)
            state['role'] = {'immediate': 'immediate'}.get(ename)
        elif enum and enum.startswith('ELEMS:'):
            name, inner = ('NFTA_LIST_ELEM' if t == 1 else 'type %d' % t), enum[6:]
        elif enum == 'EXPR':
            name = {1: 'NFTA_EXPR_NAME', 2: 'NFTA_EXPR_DATA'}.get(t, 'type %d' % t)
            inner = EXPR_ENUM.get(expr) if name == 'NFTA_EXPR_DATA' else None
        else:
            name = names.get(t, 'type %d' % t)
            inner = NESTS.get((enum, name))
            if name == 'NFTA_BITWISE_MASK':
                state['role'] = 'mask'
            elif name == 'NFTA_BITWISE_XOR':
                state['role'] = 'xor'
        if inner is not None or ty & 0x8000:
            out.add(data[i:i + 4], '%s%s%s' % (pad, name, flag))
            annotate_attrs(out, body, inner, depth + 1, state, expr)
        elif name.endswith('_USERDATA'):
            out.add(data[i:i + 4], pad + name)
            j = 0
            while j + 2 <= len(body):
                tl = body[j + 1]
                value = body[j + 2:j + 2 + tl]
                out.add(body[j:j + 2], '%s  udata TLV: %s, len %d' %
                        (pad, UDATA.get(name, {}).get(body[j], 'type %d' % body[j]), tl))
                if printable_string(value):
                    out.add_text(value, '%s    "%s\\0"' %
                                 (pad, value[:-1].decode(errors='replace')))
                else:
                    out.add(value, pad + '    value')
                j += 2 + tl
        elif printable_string(body) and name != 'NFTA_DATA_VALUE':
            s = body[:-1].decode()
            if name == 'NFTA_EXPR_NAME':
                expr = s
            out.add(data[i:i + 4], '%s%s' % (pad, name))
            out.add_text(body, '%s  "%s\\0"' % (pad, s))
        elif name == 'NFTA_DATA_VALUE':
            d = describe_data(state, body)
            if len(body) <= 4:
                out.add(data[i:i + ln], pad + name, d)
            else:
                out.add(data[i:i + 4], pad + name, d)
                for k in range(0, len(body), 8):
                    out.add(body[k:k + 8], pad + '  ...')
        elif len(body) <= 4:
            out.add(data[i:i + ln], pad + name, describe(name, body))
        elif len(body) == 8 and name.endswith(('HANDLE', 'POSITION', 'BYTES', 'PACKETS')):
            out.add(data[i:i + 4], '%s%s: %d (be64)' % (pad, name, struct.unpack('>Q', body)[0]))
            out.add(body, pad + '  ...')
        else:
            out.add(data[i:i + 4], pad + name)
            for k in range(0, len(body), 8):
                out.add(body[k:k + 8], pad + '  ...')
        al = (ln + 3) & ~3
        out.pad(data[i + ln:i + al])
        if enum == 'LIST':
            if ename == 'payload':
                state['load'] = ('payload', fields.get('NFTA_PAYLOAD_BASE'),
                                 fields.get('NFTA_PAYLOAD_OFFSET'))
            elif ename == 'meta' and 'NFTA_META_DREG' in fields:
                state['load'] = ('meta', fields.get('NFTA_META_KEY'))
            elif ename == 'ct' and 'NFTA_CT_DREG' in fields:
                state['load'] = ('ct', fields.get('NFTA_CT_KEY'))
            elif ename == 'fib':
                state['load'] = ('fib',)
            state['role'] = None
        i += al
    if i < len(data):
        out.add(data[i:], pad + 'trailing bytes')


def annotate(msg, out):
    ln, ty, fl = struct.unpack('<IHH', msg[:8])
    sub, t = ty >> 8, ty & 0xff
    if ty == 0x10:
        tname = 'NFNL_MSG_BATCH_BEGIN'
    elif ty == 0x11:
        tname = 'NFNL_MSG_BATCH_END'
    elif ty == 3:
        tname = 'NLMSG_DONE'
    elif sub == 10:
        tname = MSGS.get(t, str(t))
    else:
        tname = 'type 0x%x' % ty
    flags = [n for bit, n in [(1, 'NLM_F_REQUEST'), (2, 'NLM_F_MULTI'), (4, 'NLM_F_ACK'),
                              (8, 'NLM_F_ECHO')] if fl & bit]
    if fl & 0x300 == 0x300 and 'GET' in tname:
        flags.append('NLM_F_DUMP')
    else:
        flags += [n for bit, n in [(0x100, 'NLM_F_REPLACE'), (0x200, 'NLM_F_EXCL'),
                                   (0x400, 'NLM_F_CREATE'), (0x800, 'NLM_F_APPEND')] if fl & bit]
    out.add(msg[0:4], 'nlmsg_len %d' % ln)
    out.add(msg[4:8], '%s, %s' % (tname, ' | '.join(flags) or 'no flags'))
    out.add(msg[8:12], 'nlmsg_seq (zeroed)')
    out.add(msg[12:16], 'nlmsg_pid (zeroed)')
    if ty == 3:
        out.add(msg[16:ln], 'NLMSG_DONE payload: 0')
        return tname
    fam, ver, res = msg[16], msg[17], struct.unpack('>H', msg[18:20])[0]
    out.add(msg[16:20], 'nfgenmsg: %s, v%d, res_id %d' %
            (FAMILY.get(fam, fam), ver, res))
    kind = tname.replace('NFT_MSG_', '')[3:]
    annotate_attrs(out, msg[20:ln], TOP.get(kind), 0, {'family': fam})
    return tname


def split(buf):
    msgs, i = [], 0
    while i + 16 <= len(buf):
        ln = struct.unpack('<I', buf[i:i + 4])[0]
        if ln < 16 or i + ln > len(buf):
            break
        m = bytearray(buf[i:i + ln])
        m[8:16] = bytes(8)  # nlmsg_seq, nlmsg_pid
        msgs.append(bytes(m))
        i += (ln + 3) & ~3
    return msgs


def type_name(msg):
    ty = struct.unpack('<H', msg[4:6])[0]
    if ty == 0x10:
        return 'NFNL_MSG_BATCH_BEGIN'
    if ty == 0x11:
        return 'NFNL_MSG_BATCH_END'
    if ty >> 8 == 10:
        return MSGS.get(ty & 0xff, '')
    return 'type %d' % ty


# ---- Capture -------------------------------------------------------------------------------------

def capture(workdir, setup, args):
    trace = os.path.join(workdir, 'strace.out')
    script = ''
    if setup:
        script += 'nft -f %s || exit 99; ' % setup
    # The traced nft may fail (`create table` on an existing table): what it sent still counts.
    script += 'strace -o %s -f -e trace=sendmsg,sendto,recvmsg -e write=3 -e read=3 nft %s' % (
        trace, ' '.join("'%s'" % a for a in args))
    r = subprocess.run(['unshare', '--net', '--', 'sh', '-c', script], cwd=workdir,
                       capture_output=True, text=True)
    if r.returncode == 99 or not os.path.exists(trace):
        sys.exit('nft -f %s failed: %s' % (setup, r.stderr))
    calls, cur = [], None
    for line in open(trace):
        m = re.match(r'^(?:\d+\s+)?(sendmsg|sendto|recvmsg)\(', line)
        if m:
            cur = ['send' if m.group(1).startswith('send') else 'recv', bytearray()]
            calls.append(cur)
            continue
        m = re.match(r'^(?:\d+\s+)?\s\|\s[0-9a-f]{5}\s\s(.{48})', line)
        if m and cur is not None:
            cur[1] += bytes.fromhex(m.group(1).replace(' ', ''))
    return [(d, split(b)) for d, b in calls if b]


def main():
    version = subprocess.run(['nft', '--version'], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as workdir:
        for name, text in FILES.items():
            with open(os.path.join(workdir, name), 'w') as f:
                f.write(text)
        cache = {}
        out = []
        for const, scenario, (direction, mtype, index), what in CASES:
            key = (scenario[0], tuple(scenario[1]))
            if key not in cache:
                cache[key] = capture(workdir, *scenario)
            calls = cache[key]
            if direction == 'send':
                found = [m for d, ms in calls if d == 'send' for m in ms if type_name(m) == mtype]
                if len(found) <= index:
                    sys.exit('%s: no %s #%d' % (const, mtype, index))
                chosen = [found[index]]
            else:
                found = [ms for d, ms in calls if d == 'recv' and ms and type_name(ms[0]) == mtype]
                if len(found) <= index:
                    sys.exit('%s: no datagram starting with %s' % (const, mtype))
                chosen = found[index]
            lines = Lines()
            for m in chosen:
                annotate(m, lines)
            cmd = 'nft ' + ' '.join(scenario[1])
            if scenario[0]:
                cmd = 'nft -f %s; %s' % (scenario[0], cmd)
            head = textwrap.wrap('%s (%s; %s %s)' % (
                what, cmd, 'sent' if direction == 'send' else 'received', mtype), 97)
            out.append('%s\ninline const std::vector<uint8_t> %s = {\n%s\n};\n' % (
                '\n'.join('// ' + h for h in head), const, lines.render()))
    print('''// GENERATED by scripts/nft-golden.py from %s; do not edit.
// Regenerate: scripts/nft-golden.py > native/test/nft_golden.h
// The bytes nft sends (and the kernel answers) for the nf_tables golden tests, each nft run inside
// `unshare --net`, captured with strace, nlmsg_seq and nlmsg_pid zeroed.
#pragma once

#include <cstdint>
#include <vector>

namespace nft_golden {

// One row per field, as annotated: clang-format would re-flow the rows.
// clang-format off
''' % version)
    for name, text in FILES.items():
        ident = 'k' + ''.join(p.capitalize() for p in re.split(r'[^a-z0-9]', name) if p)
        print('// %s\ninline constexpr char %s[] = R"nft(%s)nft";\n' % (name, ident, text))
    print('\n'.join(out))
    print('// clang-format on\n\n}  // namespace nft_golden')


main()
