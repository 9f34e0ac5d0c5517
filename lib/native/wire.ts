/**
 * The wire between TypeScript and the addon: requests flattened into one array, links unpacked.
 * @internal
 */
import { addon } from './load';
import type { FlatOps, NativeHandle, NativeLink, NativeLinkRequest, NativeOp, NativeResult, NativeFailure, PackedLinks, RawResult } from './surface';

const LINK_NUMBERS = 16;
const LINK_STRINGS = 7;

export function unpackLinks(p: PackedLinks): NativeLink[] {
  const { nums, bridges } = p;
  const strs = p.strs.split('\0');
  const n = nums.length / LINK_NUMBERS;
  const out = new Array<NativeLink>(n);
  for (let i = 0, o = 0, s = 0; i < n; i++, o += LINK_NUMBERS, s += LINK_STRINGS) {
    const link: NativeLink = {
      index: nums[o] as number,
      type: nums[o + 1] as number,
      flags: nums[o + 2] as number,
      name: strs[s] as string,
      mtu: nums[o + 3] as number,
      minMtu: nums[o + 4] as number,
      maxMtu: nums[o + 5] as number,
      group: nums[o + 6] as number,
      txqlen: nums[o + 7] as number,
      promiscuity: nums[o + 8] as number,
      numTxQueues: nums[o + 9] as number,
      numRxQueues: nums[o + 10] as number,
      address: strs[s + 1] as string,
      broadcast: strs[s + 2] as string,
      operstate: nums[o + 11] as number,
      carrier: nums[o + 12] as number,
      master: nums[o + 13] as number,
      link: nums[o + 14] as number,
      kind: strs[s + 3] as string,
      slaveKind: strs[s + 4] as string,
      alias: strs[s + 5] as string,
      qdisc: strs[s + 6] as string,
    };
    const netnsid = nums[o + 15] as number;
    if (netnsid === netnsid) link.linkNetnsid = netnsid; // NaN: none
    const bridge = bridges?.[i];
    if (bridge) link.bridge = bridge;
    out[i] = link;
  }
  return out;
}

function unpack(results: RawResult[]): NativeResult[] {
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (typeof r === 'object' && r !== null && 'packed' in r) {
      const links = unpackLinks(r);
      (results as NativeResult[])[i] = r.packed === 1 ? links[0] : links;
    }
  }
  return results as NativeResult[];
}


const OP_CODES = {
  newlink: 1,
  dellink: 2,
  dellinkgroup: 3,
  getlink: 4,
  dumplinks: 5,
  newaddr: 6,
  deladdr: 7,
  dumpaddrs: 8,
  newroute: 9,
  delroute: 10,
  dumproutes: 11,
} as const;

// Field order of each nested request: bit i of the mask says field i follows.
const LINK_FIELDS = [
  'index',
  'name',
  'kind',
  'flags',
  'change',
  'mtu',
  'txqlen',
  'group',
  'address',
  'master',
  'netns',
  'alias',
  'newName',
  'bridge',
  'peer',
] as const;
const BRIDGE_FIELDS = [
  'stpState',
  'vlanFiltering',
  'forwardDelay',
  'helloTime',
  'maxAge',
  'ageingTime',
  'priority',
  'defaultPvid',
] as const;
const ADDRESS_FIELDS = [
  'local',
  'prefixlen',
  'index',
  'peer',
  'broadcast',
  'label',
  'scope',
  'flags',
  'metric',
] as const;
const ROUTE_FIELDS = [
  'family',
  'dstLen',
  'table',
  'protocol',
  'scope',
  'type',
  'flags',
  'dst',
  'gateway',
  'prefsrc',
  'oif',
  'priority',
] as const;

function putFields(out: FlatOps, o: object, fields: readonly string[], nested?: (k: string, v: unknown) => boolean) {
  const at = out.length;
  out.push(0);
  let mask = 0;
  for (let i = 0; i < fields.length; i++) {
    const k = fields[i] as string;
    const v = (o as Record<string, unknown>)[k];
    if (v === undefined || v === null) continue;
    mask |= 1 << i;
    if (!nested?.(k, v)) out.push(v as number | string | NativeHandle);
  }
  out[at] = mask;
}

function putLink(out: FlatOps, link: NativeLinkRequest): void {
  putFields(out, link, LINK_FIELDS, (k, v) => {
    if (k === 'bridge') putFields(out, v as object, BRIDGE_FIELDS);
    else if (k === 'peer') putLink(out, v as NativeLinkRequest);
    else return false;
    return true;
  });
}

/** Flattens operation descriptors for the addon (see {@link FlatOps}). */
export function flatten(ops: NativeOp[]): FlatOps {
  const out: FlatOps = [];
  for (const op of ops) {
    const code = OP_CODES[op.op] as number | undefined;
    if (code === undefined) throw new TypeError(`netns-native internal: unknown operation '${String(op.op)}'`);
    out.push(code);
    switch (op.op) {
      case 'newlink':
        out.push(op.flags ?? 0);
        putLink(out, op.link);
        break;
      case 'dellink':
      case 'getlink':
        out.push(op.index ?? 0, op.name);
        break;
      case 'dellinkgroup':
        out.push(op.group);
        break;
      case 'dumplinks':
        out.push(op.master ?? 0, op.kind);
        break;
      case 'newaddr':
        out.push(op.flags ?? 0);
        putFields(out, op.address, ADDRESS_FIELDS);
        break;
      case 'deladdr':
        putFields(out, op.address, ADDRESS_FIELDS);
        break;
      case 'dumpaddrs':
        out.push(op.family ?? 0, op.index ?? 0);
        break;
      case 'newroute':
        out.push(op.flags ?? 0);
        putFields(out, op.route, ROUTE_FIELDS);
        break;
      case 'delroute':
        putFields(out, op.route, ROUTE_FIELDS);
        break;
      case 'dumproutes':
        out.push(op.family ?? 0, op.table ?? 0);
        break;
    }
  }
  return out;
}

/**
 * addon.transact, with requests flattened and links unpacked; `undefined` (nothing sent) when
 * the namespace's socket is not open: use {@link transactAsync} then.
 */
export function transact(handle: NativeHandle, ops: NativeOp[]): NativeResult[] | undefined {
  const raw = addon.transact(handle, flatten(ops));
  return raw === undefined ? undefined : unpack(raw);
}

/** addon.transactAsync, with requests flattened and links unpacked. */
export async function transactAsync(
  handle: NativeHandle,
  ops: NativeOp[],
): Promise<{ results: NativeResult[]; kernelUs: number }> {
  const { results, kernelUs } = await addon.transactAsync(handle, flatten(ops));
  return { results: unpack(results), kernelUs };
}


export function isFailure(r: NativeResult): r is NativeFailure {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && 'errno' in r;
}
