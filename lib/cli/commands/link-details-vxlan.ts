/**
 * `ip -d link show` for a vxlan: iproute2 6.1's vxlan_print_opt, from {@link Vxlan.info}. Its
 * quirks are kept: `vnifilter` is written with no blank after it, a TOS of 1 reads `tos
 * inherit` and a TTL of 0 `ttl auto` in text (JSON has the numbers), `ttl inherit` is text
 * only, and off checksums read `noudpcsum` (JSON: false).
 */
import { isIP } from 'node:net';
import type { VxlanInfo } from '../../index';
import { Printer, hex, type KindOptions } from './kind-options';

/** An address's JSON key: `group`, or `group6` for an IPv6 one. */
const keyFor = (base: string, address: string): string => (isIP(address) === 6 ? `${base}6` : base);

/** vxlan_print_opt; `names` for the underlay's name (ll_index_to_name). */
export function vxlanOptions(info: VxlanInfo, names: ReadonlyMap<number, string>): KindOptions {
  const p = new Printer();
  const flag = (key: string, word: string, on: boolean): void => {
    if (!on) return;
    p.words.push(word);
    p.data[key] = true;
  };
  flag('external', 'external', info.external);
  if (info.vniFilter) p.data.vnifilter = true;
  // iproute2 6.1 prints "vnifilter" with no blank after it: it runs into the id's word.
  p.put('id', info.vniFilter ? 'vnifilterid' : 'id', info.vni);
  if (info.group !== undefined) p.put(keyFor('group', info.group), 'group', info.group);
  if (info.remote !== undefined) p.put(keyFor('remote', info.remote), 'remote', info.remote);
  if (info.local !== undefined) p.put(keyFor('local', info.local), 'local', info.local);
  if (info.deviceIndex !== undefined) {
    p.put('link', 'dev', names.get(info.deviceIndex) ?? `if${info.deviceIndex}`);
  }
  if (info.portRange !== undefined) {
    p.words.push('srcport', String(info.portRange.low), String(info.portRange.high));
    p.data.port_range = { low: info.portRange.low, high: info.portRange.high };
  }
  p.put('port', 'dstport', info.port);
  p.data.learning = info.learning;
  if (!info.learning) p.words.push('nolearning');
  flag('proxy', 'proxy', info.proxy);
  flag('rsc', 'rsc', info.rsc);
  flag('l2miss', 'l2miss', info.l2miss);
  flag('l3miss', 'l3miss', info.l3miss);
  if (info.tos !== 0) {
    p.words.push('tos', info.tos === 1 ? 'inherit' : hex(info.tos));
    p.data.tos = hex(info.tos);
  }
  if (info.ttlInherit) p.words.push('ttl', 'inherit');
  else p.put('ttl', 'ttl', info.ttl, info.ttl === 0 ? 'auto' : String(info.ttl));
  if (info.df === 'unset') p.data.df = 'unset';
  else if (info.df !== undefined) p.put('df', 'df', info.df);
  if (info.flowLabel !== 0) p.put('label', 'flowlabel', hex(info.flowLabel));
  if (info.ageingSeconds !== undefined) {
    p.put('ageing', 'ageing', info.ageingSeconds, info.ageingSeconds === 0 ? 'none' : undefined);
  }
  if (info.limit !== 0) p.put('limit', 'maxaddr', info.limit);
  for (const [key, word, on] of [
    ['udp_csum', 'udpcsum', info.udpChecksum],
    ['udp_zero_csum6_tx', 'udp6zerocsumtx', info.udp6ZeroChecksumTx],
    ['udp_zero_csum6_rx', 'udp6zerocsumrx', info.udp6ZeroChecksumRx],
  ] as const) {
    p.words.push(on ? word : `no${word}`);
    p.data[key] = on;
  }
  flag('remcsum_tx', 'remcsumtx', info.remoteChecksumTx);
  flag('remcsum_rx', 'remcsumrx', info.remoteChecksumRx);
  flag('gbp', 'gbp', info.gbp);
  flag('gpe', 'gpe', info.gpe);
  return p.options();
}
