/**
 * The `netns-native` command's `link show -d` for bridges, bridge ports and vxlans, run as a
 * process beside `ip` (iproute2 6.1's bridge_print_opt, bridge_slave_print_opt,
 * vxlan_print_opt): the same kernel state printed by both, compared line for line (ip's
 * trailing blanks aside) and, with -j, as parsed JSON. The spanning tree's and the fdb's timers
 * count down between the runs (a bridge's gc_timer even while it is down): they are compared
 * apart, as numbers, within a tolerance; every other word exactly.
 * Addresses from 198.19.248.0/24-198.19.251.0/24 and fd00:ab::/32 only.
 */
import { Bridge, Vxlan } from 'netns-native';
import { cli } from '../helpers/cli';
import { freshNamespace } from '../helpers/fresh';
import { ip } from '../helpers/ip';
import { describeKernel, kernelHasLinkKind } from '../helpers/skip';

const TIMERS = [
  'hello_timer',
  'tcn_timer',
  'topology_change_timer',
  'gc_timer',
  'hold_timer',
  'message_age_timer',
  'forward_delay_timer',
];

/**
 * A run's output with its timers taken out: the text with each timer's value made `T` (or the
 * JSON with each timer key's value made "T"), and the values, in order.
 */
function split(text: string, json: boolean): { rest: unknown; timers: number[] } {
  const timers: number[] = [];
  if (json) {
    const rest = JSON.parse(text, function (this: unknown, key: string, value: unknown) {
      if (TIMERS.includes(key) && typeof value === 'number') {
        timers.push(value);
        return 'T';
      }
      return value;
    }) as unknown;
    return { rest, timers };
  }
  const pattern = new RegExp(`\\b(${TIMERS.join('|')}) +(\\d+\\.\\d\\d)\\b`, 'g');
  const rest = text.replace(/[ \t]+$/gm, '').replace(pattern, (_all, key: string, value: string) => {
    timers.push(Number(value));
    return `${key} T`;
  });
  return { rest, timers };
}

/**
 * Runs `ip -n NS ARGS`, `netns-native -n NS ARGS` and ip again: the same output but for the
 * timers, the same number of timers, each between ip's two reads of it (they count down; a
 * hundredth either way for the rounding). A timer that ran out and started over between the
 * runs is not between them, and a port's STP state may move on between ip's two reads: then all
 * three run again, a few times at most. Returns how many timers there were.
 */
async function sameAsIp(ns: string, line: string): Promise<number> {
  const args = line.split(' ');
  const json = args.includes('-j');
  for (let attempt = 1; ; attempt++) {
    const before = split(ip(ns, ...args), json);
    const run = await cli('-n', ns, ...args);
    const after = split(ip(ns, ...args), json);
    expect([line, run.code, run.stderr]).toEqual([line, 0, '']);
    const mine = split(run.stdout, json);
    const between = mine.timers.map((t, i) => {
      const [a, b] = [before.timers[i] ?? NaN, after.timers[i] ?? NaN];
      return t >= Math.min(a, b) - 0.01 && t <= Math.max(a, b) + 0.01;
    });
    // A port's STP state moves on (learning, then forwarding) between reads: ip's two reads then
    // differ beyond the timers, and all three run again.
    const moved = JSON.stringify(before.rest) !== JSON.stringify(after.rest);
    if (attempt < 6 && (moved || between.includes(false))) continue;
    expect([line, mine.rest]).toEqual([line, before.rest]);
    expect([line, mine.timers.length]).toEqual([line, before.timers.length]);
    expect([line, mine.timers, between]).toEqual([line, mine.timers, mine.timers.map(() => true)]);
    return before.timers.length;
  }
}

/** Each line as text and as -j; the timers seen. */
async function bothAsIp(ns: string, lines: string[]): Promise<number> {
  let timers = 0;
  for (const line of lines) {
    timers += await sameAsIp(ns, line);
    timers += await sameAsIp(ns, `-j ${line}`);
  }
  return timers;
}

const hasVxlan = kernelHasLinkKind('vxlan', ['id', '1', 'dstport', '4789']);

describeKernel('netns-native link show -d: bridge, bridge_slave, vxlan', () => {
  // Each line runs ip and the command, as text and as -j: minutes on a busy machine.
  jest.setTimeout(900_000);
  it('a bridge with options of its own, down and up under STP; its ports with theirs', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    for (const line of [
      'link add e0 type veth peer name e1',
      'link add e2 type veth peer name e3',
      'link add e4 type veth peer name e5',
      // Down, with every option ip takes that this kernel keeps (vlan_protocol and the VLAN
      // statistics need CONFIG_BRIDGE_VLAN_FILTERING: listed when the kernel has it).
      'link add br1 type bridge stp_state 1 priority 4096 ageing_time 12345 forward_delay 800 hello_time 300 ' +
        'max_age 1500 group_fwd_mask 0x4000 group_address 01:80:c2:00:00:0e mcast_snooping 0 mcast_router 2 ' +
        'mcast_querier 1 mcast_query_use_ifaddr 1 mcast_hash_max 1024 mcast_last_member_count 3 ' +
        'mcast_startup_query_count 4 mcast_last_member_interval 200 mcast_membership_interval 30000 ' +
        'mcast_querier_interval 26000 mcast_query_interval 13000 mcast_query_response_interval 900 ' +
        'mcast_startup_query_interval 3000 mcast_stats_enabled 1 mcast_igmp_version 3 mcast_mld_version 2 ' +
        'no_linklocal_learn 1',
      'link set br1 address 02:00:0a:0b:0c:0d',
      'link set e1 master br1',
      'link set e3 master br1',
      'link set e1 type bridge_slave hairpin on cost 7 priority 5 learning off flood off mcast_flood off ' +
        'bcast_flood off proxy_arp on proxy_arp_wifi on guard on root_block on fastleave on neigh_suppress on ' +
        'isolated on mcast_to_unicast on group_fwd_mask 0x4008 vlan_tunnel on locked on mcast_router 2 ' +
        'backup_port e3',
      // Up, under STP: its hello timer runs, its ports listen (their forward delay timers run).
      'link add br2 type bridge stp_state 1 forward_delay 400',
      'link set e5 master br2',
      'link set br2 up',
      'link set e4 up',
      'link set e5 up',
    ]) {
      ip(n, ...line.split(' '));
    }
    // And one made here, a port attached here with settings.
    const br3 = await Bridge.create('br3', { namespace: ns, stp: true, priority: 8192, ageingTimeMs: 60_000 });
    const e0 = await ns.link('e0');
    await br3.addPort(e0, { cost: 100, priority: 9, hairpin: true, mcastRouter: 'disabled', groupFwdMask: 0x4 });
    const timers = await bothAsIp(n, [
      '-d link show br1',
      '-d link show e1',
      '-d link show e3',
      '-d link show br2',
      '-d link show e5',
      '-d link show br3',
      '-d link show e0',
      '-d link show type bridge',
      '-d link show type bridge_slave',
      '-d link show master br1',
    ]);
    expect(timers).toBeGreaterThan(0);
    // The words checked are there: the port's, the bridge's (ip's own output, so that a
    // misspelt option above cannot go unnoticed).
    expect(ip(n, '-d', 'link', 'show', 'e1')).toMatch(
      / bridge_slave state disabled priority 5 cost 7 hairpin on guard on root_block on fastleave on learning off flood off port_id 0x\w+ port_no 0x\w+ /,
    );
    expect(ip(n, '-d', 'link', 'show', 'e1')).toMatch(/ group_fwd_mask 0x4008 group_fwd_mask_str 0x8,lldp /);
    expect(ip(n, '-d', 'link', 'show', 'e1')).toMatch(/ isolated on locked on backup_port e3 /);
    expect(ip(n, '-d', 'link', 'show', 'br1')).toMatch(
      / bridge_id 1000\.2:0:a:b:c:d designated_root 1000\.2:0:a:b:c:d /,
    );
    expect(ip(n, '-d', 'link', 'show', 'br1')).toMatch(
      / no_linklocal_learn 1 .* mcast_router 2 .* mcast_mld_version 2 /,
    );
    expect(ip(n, '-d', 'link', 'show', 'br2')).toMatch(/ hello_timer +\d+\.\d\d /);
  });

  (hasVxlan ? it : it.skip)('vxlans: IPv4 and IPv6, unicast and multicast, external, and one made here', async () => {
    const ns = await freshNamespace();
    const n = ns.name as string;
    for (const line of [
      'link add u0 type veth peer name u1',
      'link add vx1 type vxlan id 42 remote 198.19.248.2 local 198.19.248.1 dstport 4789 srcport 40000 50000 ' +
        'ttl 9 tos 0x10 nolearning ageing 120 maxaddress 77 noudpcsum proxy l2miss l3miss rsc df set',
      'link add vx2 type vxlan id 43 group 239.1.1.1 dev u0 dstport 8472 ttl inherit tos inherit',
      'link add vx3 type vxlan id 44 local fd00:ab::1 remote fd00:ab::2 dstport 4789 flowlabel 0x12345 ' +
        'udp6zerocsumtx udp6zerocsumrx ageing 0 df inherit',
      'link add vx4 type vxlan id 45 group ff05::ab dev u0 dstport 4789 local fd00:ab::3',
      'link add vx5 type vxlan dstport 4790 external vnifilter',
      'link add vx6 type vxlan id 46 dstport 4791 gbp remcsumtx remcsumrx',
    ]) {
      ip(n, ...line.split(' '));
    }
    await Vxlan.create('vx7', {
      namespace: ns,
      vni: 47,
      local: '198.19.249.1',
      remote: '198.19.249.2',
      port: 4792,
      portRange: { low: 1000, high: 2000 },
      ttl: 64,
      tos: 1,
      learning: false,
      ageingSeconds: 30,
      udpChecksum: false,
      device: await ns.link('u1'),
    });
    const timers = await bothAsIp(n, [
      '-d link show vx1',
      '-d link show vx2',
      '-d link show vx3',
      '-d link show vx4',
      '-d link show vx5',
      '-d link show vx6',
      '-d link show vx7',
      '-d link show type vxlan',
    ]);
    expect(timers).toBe(0);
    expect(ip(n, '-d', 'link', 'show', 'vx7')).toMatch(
      / vxlan id 47 remote 198\.19\.249\.2 local 198\.19\.249\.1 dev u1 srcport 1000 2000 dstport 4792 nolearning tos inherit ttl 64 /,
    );
    expect(ip(n, '-d', 'link', 'show', 'vx5')).toMatch(/ vxlan external vnifilter/);
  });
});
