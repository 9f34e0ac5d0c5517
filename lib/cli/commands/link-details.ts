/**
 * What `ip -d link show` adds to a link's block (iproute2 6.1's print_linkinfo with
 * show_details, print_linktype and the kinds' print_opt): promiscuity, the MTU limits, the
 * kind's line with its options, the port's line (`bridge_slave ...`) with its master kind's
 * options, addrgenmode, the queues and the GSO/TSO/GRO limits. The kinds' options are ip's for
 * tun/tap, macvlan/macvtap, bridge and vxlan (link-details-bridge.ts, link-details-vxlan.ts; veth
 * and ifb have none) and a bridge's port; other kinds print their kind word without options. A
 * bridge's and a port's timers (hello_timer, gc_timer, forward_delay_timer, ...) are printed as
 * last read: they tick, so two reads, ip's and this, may differ in them and only them.
 */
import type { BridgeInfo, Link, VxlanInfo } from '../../index';
import { bridgeOptions, bridgePortOptions } from './link-details-bridge';
import { vxlanOptions } from './link-details-vxlan';
import { ETC_GROUP, ETC_PASSWD, accountName } from '../account-names';
import type { KindOptions } from './kind-options';

const onOff = (on: boolean): string => (on ? 'on' : 'off');

/** tun_print_opt: type, pi, vnet_hdr, multi_queue (JSON only when off), persist, user, group. */
function tunOptions(info: Readonly<Record<string, unknown>>): KindOptions {
  const words: string[] = ['type', String(info.mode), 'pi', onOff(info.packetInfo === true)];
  const data: Record<string, unknown> = { type: info.mode, pi: info.packetInfo === true };
  words.push('vnet_hdr', onOff(info.vnetHdr === true));
  data.vnet_hdr = info.vnetHdr === true;
  data.multi_queue = info.multiQueue === true;
  if (info.multiQueue === true) {
    words.push('multi_queue', 'numqueues', String(info.queues), 'numdisabled', String(info.disabledQueues));
    Object.assign(data, { numqueues: info.queues, numdisabled: info.disabledQueues });
  }
  words.push('persist', onOff(info.persistent === true));
  data.persist = info.persistent === true;
  // As ip: the user's and group's names where the files give them, else the numbers.
  for (const [key, id, file] of [
    ['user', info.owner, ETC_PASSWD],
    ['group', info.group, ETC_GROUP],
  ] as const) {
    if (typeof id !== 'number') continue;
    const name = accountName(id, file);
    words.push(key, name ?? String(id));
    data[key] = name ?? id;
  }
  return { words, data };
}

/** macvlan_print_opt: the mode, its flags, the broadcast queue length and the one in use. */
function macvlanOptions(info: Readonly<Record<string, unknown>>): KindOptions {
  const words = ['mode', String(info.mode)];
  const data: Record<string, unknown> = { mode: info.mode };
  for (const [key, word] of [
    ['noPromisc', 'nopromisc'],
    ['noDst', 'nodst'],
  ] as const) {
    if (info[key] === true) {
      words.push(word);
      data[word] = true;
    }
  }
  if (info.bcQueueLen !== undefined) {
    words.push('bcqueuelen', String(info.bcQueueLen));
    data.bcqueuelen = info.bcQueueLen;
  }
  if (info.bcQueueLenUsed !== undefined) {
    words.push('usedbcqueuelen', String(info.bcQueueLenUsed));
    data.usedbcqueuelen = info.bcQueueLenUsed;
  }
  return { words, data };
}

function kindOptions(l: Link, names: ReadonlyMap<number, string>): KindOptions {
  const info = l.info;
  if (info === undefined) return undefined;
  if (l.kind === 'tun') return tunOptions(info);
  if (l.kind === 'macvlan' || l.kind === 'macvtap') return macvlanOptions(info);
  if (l.kind === 'bridge') return bridgeOptions(info as BridgeInfo);
  if (l.kind === 'vxlan') return vxlanOptions(info as VxlanInfo, names);
  return undefined;
}

/** The port's options under its master's kind: a bridge's port's; none for other kinds'. */
function portOptions(l: Link, names: ReadonlyMap<number, string>): KindOptions {
  const port = l.bridgePort;
  return port === undefined ? undefined : bridgePortOptions(port, names);
}

/**
 * The lines that replace the `link/ether ...` line (`second`) under `-d`: it, continued with
 * the details, then the kind's line, then the rest on that line, as ip prints them.
 */
export function detailsText(l: Link, second: string, names: ReadonlyMap<number, string>): string[] {
  const d = l.details;
  let text = `${second} promiscuity ${d.promiscuity} `;
  if (d.allMulticastCount !== undefined) text += ` allmulti ${d.allMulticastCount} `;
  text += `minmtu ${l.minMtu} maxmtu ${l.maxMtu} `;
  if (l.kind !== undefined) {
    const options = kindOptions(l, names);
    text += `\n    ${l.kind} ${options ? `${options.words.join(' ')} ` : ''}`;
  }
  if (d.portKind !== undefined) {
    const options = portOptions(l, names);
    text += `\n    ${d.portKind}_slave ${options ? `${options.words.join(' ')} ` : ''}`;
  }
  if (d.addrGenMode !== undefined) text += `addrgenmode ${d.addrGenMode} `;
  text += `numtxqueues ${d.numTxQueues} numrxqueues ${d.numRxQueues} `;
  for (const [word, value] of limits(l)) text += `${word} ${value} `;
  return text.split('\n');
}

/** gso_max_size ... gro_max_size, those the kernel sent, in ip's order. */
function limits(l: Link): Array<[string, number]> {
  const d = l.details;
  const all: Array<[string, number | undefined]> = [
    ['gso_max_size', d.gsoMaxSize],
    ['gso_max_segs', d.gsoMaxSegs],
    ['tso_max_size', d.tsoMaxSize],
    ['tso_max_segs', d.tsoMaxSegs],
    ['gro_max_size', d.groMaxSize],
  ];
  return all.filter((e): e is [string, number] => e[1] !== undefined);
}

/** The keys `ip -j -d link show` adds. */
export function detailsJson(l: Link, names: ReadonlyMap<number, string>): Record<string, unknown> {
  const d = l.details;
  const out: Record<string, unknown> = { promiscuity: d.promiscuity };
  if (d.allMulticastCount !== undefined) out.allmulti = d.allMulticastCount;
  out.min_mtu = l.minMtu;
  out.max_mtu = l.maxMtu;
  if (l.kind !== undefined || d.portKind !== undefined) {
    const linkinfo: Record<string, unknown> = {};
    if (l.kind !== undefined) {
      linkinfo.info_kind = l.kind;
      const options = kindOptions(l, names);
      if (options) linkinfo.info_data = options.data;
    }
    if (d.portKind !== undefined) {
      linkinfo.info_slave_kind = d.portKind;
      const options = portOptions(l, names);
      if (options) linkinfo.info_slave_data = options.data;
    }
    out.linkinfo = linkinfo;
  }
  if (d.addrGenMode !== undefined) out.inet6_addr_gen_mode = d.addrGenMode;
  out.num_tx_queues = d.numTxQueues;
  out.num_rx_queues = d.numRxQueues;
  for (const [word, value] of limits(l)) out[word] = value;
  return out;
}
