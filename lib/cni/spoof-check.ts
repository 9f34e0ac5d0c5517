/**
 * `macspoofchk`: only frames with the container's own source MAC enter the bridge from its port,
 * in the nftables rules the reference bridge plugin writes (containernetworking/plugins
 * pkg/link/spoofcheck.go, through go-nft and the nft binary), made here with nf_tables batches
 * over NETLINK_NETFILTER:
 *
 * ```
 * table bridge nat {
 *   chain PREROUTING {
 *     type filter hook prerouting priority -300; policy accept;
 *     iifname "HOSTVETH" jump cni-br-iface-ID comment "macspoofchk-ID"
 *   }
 *   chain cni-br-iface-ID { jump cni-br-iface-ID-mac comment "macspoofchk-ID" }
 *   chain cni-br-iface-ID-mac {
 *     ether saddr MAC return comment "macspoofchk-ID"
 *     drop comment "macspoofchk-ID"
 *   }
 * }
 * ```
 *
 * where ID is `CONTAINERID-IFNAME`. The names, hook, priority and comments are the reference's,
 * so that either plugin removes what the other made. The table and its base chain are shared by
 * every attachment and stay; DEL removes the attachment's jump and its two chains.
 *
 * Unlike the reference (which flushes only its two chains), ADD also replaces an earlier jump of
 * the same ID, so that an ADD repeated after a failed DEL leaves one jump, not two. Each change is
 * one batch made against the generation of the ruleset it was decided on (ERESTART: read again).
 */
import { constants } from 'node:os';
import { batch, request, throwFirstFailure } from '../internal/dispatch';
import type { NetnsError } from '../internal/errors';
import { kHandle } from '../internal/symbols';
import type { Namespace } from '../namespace';
import {
  NFPROTO_BRIDGE,
  NFT_MSG_DELCHAIN,
  NFT_MSG_DELRULE,
  NFT_MSG_NEWCHAIN,
  NFT_MSG_NEWRULE,
  NFT_MSG_NEWTABLE,
  NF_ACCEPT,
  NF_BR_PRE_ROUTING,
} from '../native/constants';
import type { NativeHandle, NativeNftChain, NativeNftCommand, NativeNftRule } from '../native/surface';

const TABLE = 'nat';
const BASE_CHAIN = 'PREROUTING';
const family = NFPROTO_BRIDGE;

/** The reference's names for one attachment (its uniqueID: `CONTAINERID-IFNAME`). */
export function spoofCheckNames(
  containerId: string,
  ifName: string,
): { chain: string; macChain: string; comment: string } {
  const id = `${containerId}-${ifName}`;
  return { chain: `cni-br-iface-${id}`, macChain: `cni-br-iface-${id}-mac`, comment: `macspoofchk-${id}` };
}

interface State {
  genid: number;
  rules: NativeNftRule[];
  chains: Set<string>;
}

/** The generation, then the table's rules and chains (none when there is no table). */
async function read(handle: NativeHandle, operation: string): Promise<State> {
  const results = await batch(
    handle,
    [{ op: 'nftgetgen' }, { op: 'nftdumprules', family, table: TABLE }, { op: 'nftdumpchains', family }],
    operation,
    'firewall',
  );
  throwFirstFailure([results[0]], operation, 'firewall');
  const [rules, chains] = results.slice(1).map((r) => {
    if (Array.isArray(r)) return r as unknown[];
    // ENOENT: no such table.
    if ((r as { errno?: number } | undefined)?.errno !== constants.errno.ENOENT)
      throwFirstFailure([r], operation, 'firewall');
    return [];
  }) as [NativeNftRule[], NativeNftChain[]];
  return {
    genid: results[0] as number,
    rules,
    chains: new Set(chains.filter((c) => c.table === TABLE).map((c) => c.name)),
  };
}

/** One batch decided on the ruleset as read, again (bounded) when someone changed it meanwhile. */
async function change(host: Namespace, operation: string, decide: (state: State) => NativeNftCommand[]): Promise<void> {
  const handle = await host[kHandle](operation);
  for (let attempt = 0; ; attempt++) {
    const state = await read(handle, operation);
    const commands = decide(state);
    if (commands.length === 0) return;
    try {
      await request(handle, { op: 'nftbatch', genid: state.genid, commands }, operation, 'firewall');
      return;
    } catch (e) {
      if ((e as NetnsError).code !== 'ERESTART' || attempt >= 10) throw e;
    }
  }
}

/** Deletes the attachment's jump (wherever it is in PREROUTING) and the rules of its chains. */
function deleteRules(state: State, names: ReturnType<typeof spoofCheckNames>): NativeNftCommand[] {
  return state.rules
    .filter(
      (r) =>
        (r.chain === BASE_CHAIN && r.comment === names.comment) ||
        r.chain === names.chain ||
        r.chain === names.macChain,
    )
    .map((r) => ({ type: NFT_MSG_DELRULE, family, table: TABLE, chain: r.chain, handle: r.handle }));
}

/**
 * Lets only `mac` in from bridge port `hostVeth`, for attachment (containerId, ifName): the table
 * and base chain made if missing, the attachment's chains made or emptied, its rules added.
 */
export async function setupSpoofCheck(
  host: Namespace,
  hostVeth: string,
  mac: string,
  containerId: string,
  ifName: string,
): Promise<void> {
  const names = spoofCheckNames(containerId, ifName);
  const rule = (chain: string, statements: NativeNftCommand['statements']): NativeNftCommand => ({
    type: NFT_MSG_NEWRULE,
    family,
    table: TABLE,
    chain,
    comment: names.comment,
    statements,
  });
  const newChain = (chain: string): NativeNftCommand => ({ type: NFT_MSG_NEWCHAIN, family, table: TABLE, chain });
  await change(host, `set up macspoofchk for "${hostVeth}"`, (state) => [
    { type: NFT_MSG_NEWTABLE, family, table: TABLE },
    {
      ...newChain(BASE_CHAIN),
      hooknum: NF_BR_PRE_ROUTING,
      priority: -300,
      chainType: 'filter',
      policy: NF_ACCEPT,
    },
    newChain(names.chain),
    newChain(names.macChain),
    ...deleteRules(state, names),
    rule(BASE_CHAIN, [
      { kind: 'iifname', name: hostVeth },
      { kind: 'jump', chain: names.chain },
    ]),
    rule(names.chain, [{ kind: 'jump', chain: names.macChain }]),
    rule(names.macChain, [{ kind: 'ethersaddr', mac }, { kind: 'return' }]),
    rule(names.macChain, [{ kind: 'drop' }]),
  ]);
}

/**
 * Removes what setupSpoofCheck made for (containerId, ifName), by the reference plugin or this
 * one: the jump in PREROUTING and the two chains. Nothing there is success. The table and base
 * chain stay, as the reference leaves them.
 */
export async function teardownSpoofCheck(host: Namespace, containerId: string, ifName: string): Promise<void> {
  const names = spoofCheckNames(containerId, ifName);
  await change(host, `remove macspoofchk of ${containerId}`, (state) => {
    const commands = state.rules
      .filter((r) => r.chain === BASE_CHAIN && r.comment === names.comment)
      .map((r): NativeNftCommand => ({
        type: NFT_MSG_DELRULE,
        family,
        table: TABLE,
        chain: r.chain,
        handle: r.handle,
      }));
    // The chain that jumps first: its rules go with it, and with them its reference to the other.
    for (const chain of [names.chain, names.macChain]) {
      if (state.chains.has(chain)) commands.push({ type: NFT_MSG_DELCHAIN, family, table: TABLE, chain });
    }
    return commands;
  });
}
