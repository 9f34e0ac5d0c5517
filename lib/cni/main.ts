/**
 * `netns-native-cni`: a CNI plugin, a drop-in for the reference `bridge` plugin with
 * `host-local` IPAM. The runtime (containerd, CRI-O, Podman, ...) runs it once per call with
 * CNI_COMMAND and friends in the environment and the network configuration on stdin; the result
 * or error goes to stdout, exit status 0 or 1. docs/cni.md says how to install and use it.
 *
 * Start-up is most of a call's cost, so this file loads only the protocol (spec.ts, config.ts);
 * the kernel side (the addon, namespaces, links, nftables) is required only by the commands that
 * touch it, and VERSION or an early error never loads it.
 */
import * as fs from 'node:fs';
import { BRIDGE_ARGS, HOST_LOCAL_ARGS, parseBridgeConf, parseIpam } from './config';
import {
  CURRENT_VERSION,
  CniCode,
  CniError,
  SUPPORTED_VERSIONS,
  checkArgs,
  errorJson,
  formatResult,
  readCall,
  versionJson,
  type Call,
} from './spec';

/** What one invocation prints and how it exits. */
export interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * The attachments a GC keeps: `cni.dev/valid-attachments` (`null` is an empty list: libcni sends
 * it for "none"), else `cni.dev/attachments`, the key's name in the spec of 1.1.0 (libcni sends
 * both since v1.2.3). Undefined when the call has neither: the spec requires the key, and without
 * it nothing can be told stale, so GC keeps everything (the reference's bridge and host-local have
 * no GC: they keep everything on every call).
 */
function validAttachments(call: Call): Array<{ containerId: string; ifName: string }> | undefined {
  const key = 'cni.dev/valid-attachments' in call.conf ? 'cni.dev/valid-attachments' : 'cni.dev/attachments';
  if (!(key in call.conf)) return undefined;
  const list = call.conf[key] ?? [];
  const shape = '{ "containerID": string, "ifname": string }';
  if (!Array.isArray(list)) {
    throw new CniError(
      CniCode.invalidNetworkConfig,
      `"${key}" must be a list of ${shape}, not ${JSON.stringify(list)}`,
    );
  }
  return list.map((a: unknown, i) => {
    const o = (typeof a === 'object' && a !== null ? a : {}) as Record<string, unknown>;
    if (typeof o.containerID !== 'string' || typeof o.ifname !== 'string') {
      throw new CniError(CniCode.invalidNetworkConfig, `"${key}"[${i}] must be ${shape}, not ${JSON.stringify(a)}`);
    }
    return { containerId: o.containerID, ifName: o.ifname };
  });
}

/** The configuration's `cniVersion`, when stdin is JSON that names one this plugin speaks. */
function configuredVersion(stdin: string): string | undefined {
  try {
    const conf: unknown = JSON.parse(stdin);
    const v = (conf as { cniVersion?: unknown } | null)?.cniVersion;
    return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one call: the environment and stdin in, what to print and the exit status out. */
export async function run(env: NodeJS.ProcessEnv, readStdin: () => string): Promise<Outcome> {
  if (!env.CNI_COMMAND) {
    return {
      stdout: '',
      stderr: `CNI netns-native-cni plugin\nCNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}\n`,
      exitCode: 0,
    };
  }
  if (env.CNI_COMMAND === 'VERSION') return { stdout: JSON.stringify(versionJson()), stderr: '', exitCode: 0 };
  let version = CURRENT_VERSION;
  let stdin: string | undefined;
  try {
    try {
      stdin = readStdin();
    } catch (e) {
      throw new CniError(CniCode.ioFailure, `error reading from stdin: ${(e as Error).message}`);
    }
    const call = readCall(env, stdin, BRIDGE_ARGS);
    version = call.cniVersion;
    /* eslint-disable @typescript-eslint/no-require-imports */
    const kernelSide = () => ({
      Ipam: (require('./ipam') as typeof import('./ipam')).Ipam,
      bridge: require('./bridge') as typeof import('./bridge'),
    });
    /* eslint-enable @typescript-eslint/no-require-imports */
    // DEL and GC do what they can, as the spec asks: an IPAM that cannot be built (its plugin
    // gone from CNI_PATH, its configuration no longer valid) is reported after the rest is done.
    // STATUS reports it beside the bridge's state.
    if (call.command === 'GC') {
      // GC needs the network's name (readCall checked it) and its IPAM, nothing of the bridge: the
      // reference reads none of its fields on GC (upstream's bridge has no GC; libcni's skel
      // answers success), so one that does not parse (an MTU out of range, a vlan) stops nothing.
      const valid = validAttachments(call);
      if (valid) {
        const { Ipam, bridge } = kernelSide();
        await bridge.gc(call.conf.name as string, valid, () => {
          const { ipamType } = parseIpam(call.conf);
          return ipamType === '' ? undefined : new Ipam(ipamType, call);
        });
      }
      return { stdout: '', stderr: '', exitCode: 0 };
    }
    const conf = parseBridgeConf(call.conf, call.args);
    const { Ipam, bridge } = kernelSide();
    const makeIpam = () => (conf.ipamType === '' ? undefined : new Ipam(conf.ipamType, call));
    if (call.command === 'DEL' || call.command === 'STATUS') {
      if (call.command === 'DEL') {
        // CNI_ARGS are the call's own: a key host-local does not know fails DEL before it touches
        // anything, as one the bridge plugin does not know does (readCall). (The reference's
        // bridge plugin deletes the interface before host-local reads them.)
        if (conf.ipamType === 'host-local') checkArgs(call.args, HOST_LOCAL_ARGS);
        await bridge.del(call, conf, makeIpam);
      } else {
        await bridge.status(conf, makeIpam);
      }
      return { stdout: '', stderr: '', exitCode: 0 };
    }
    // ADD and CHECK fail on it before they touch anything.
    const ipam = makeIpam();
    switch (call.command) {
      case 'ADD': {
        const result = await bridge.add(call, conf, ipam);
        return { stdout: JSON.stringify(formatResult(result, version), null, 4), stderr: '', exitCode: 0 };
      }
      case 'CHECK':
        await bridge.check(call, conf, ipam);
        break;
    }
    return { stdout: '', stderr: '', exitCode: 0 };
  } catch (e) {
    const err =
      e instanceof CniError
        ? e
        : new CniError(CniCode.internal, (e as Error)?.message ?? String(e), (e as Error)?.stack);
    // Refused before the call was read (CNI_ARGS, a missing variable): answer in the version the
    // configuration asks for, when it names one we speak, rather than in ours.
    if (version === CURRENT_VERSION && stdin !== undefined) version = configuredVersion(stdin) ?? version;
    return { stdout: JSON.stringify(errorJson(err, version), null, 4), stderr: '', exitCode: 1 };
  }
}

/** The executable's entry: runs the call from this process's environment and stdin, then exits. */
export function main(): void {
  void run(process.env, () => fs.readFileSync(0, 'utf8')).then((outcome) => {
    if (outcome.stdout) fs.writeSync(1, `${outcome.stdout}\n`);
    if (outcome.stderr) fs.writeSync(2, outcome.stderr);
    // Exit at once: the addon's threads and the namespace handles need no orderly shutdown.
    process.exit(outcome.exitCode);
  });
}
