/**
 * The attachment's IPAM: `host-local` in process (host-local.ts, its on-disk format), any other
 * type delegated to that plugin's executable, found in CNI_PATH, as the spec's section 4 says:
 * the same command, environment and configuration, its result or error passed on. Only a
 * delegated IPAM spawns a process; the host-local path spawns nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  hostLocalAdd,
  hostLocalCheck,
  hostLocalDel,
  hostLocalGc,
  hostLocalStatus,
  parseHostLocalConf,
  type HostLocalConf,
} from './host-local';
import { CniCode, CniError, parseResult, type Call, type ResultDns, type ResultIp, type ResultRoute } from './spec';

export interface IpamResult {
  ips: ResultIp[];
  routes: ResultRoute[];
  dns: ResultDns;
}

/** One attachment of a GC call's `cni.dev/valid-attachments`. */
export interface Attachment {
  containerId: string;
  ifName: string;
}

/** The IPAM of a configuration, for one call. */
export class Ipam {
  readonly type: string;
  private readonly call: Call;
  private readonly hostLocal: HostLocalConf | undefined;
  /** The delegated plugin's executable (another type than host-local). */
  private readonly exe: string | undefined;

  /** @throws CniError 7 for a bad host-local configuration. */
  constructor(type: string, call: Call) {
    this.type = type;
    this.call = call;
    this.hostLocal = type === 'host-local' ? parseHostLocalConf(call) : undefined;
    if (!this.hostLocal) {
      this.exe = call.path.map((dir) => path.join(dir, type)).find((file) => isExecutable(file));
      if (this.exe === undefined) {
        throw new CniError(
          CniCode.invalidNetworkConfig,
          `failed to find plugin "${type}" in path [${call.path.join(' ')}]`,
        );
      }
    }
  }

  async add(): Promise<IpamResult> {
    if (this.hostLocal) return hostLocalAdd(this.hostLocal, this.call.containerId, this.call.ifName);
    const result = parseResult(await this.exec('ADD'), `the result of IPAM plugin "${this.type}"`);
    return { ips: result.ips ?? [], routes: result.routes ?? [], dns: result.dns };
  }

  async del(): Promise<void> {
    if (this.hostLocal) await hostLocalDel(this.hostLocal, this.call.containerId, this.call.ifName);
    else await this.exec('DEL');
  }

  async check(): Promise<void> {
    if (this.hostLocal) await hostLocalCheck(this.hostLocal, this.call.containerId, this.call.ifName);
    else await this.exec('CHECK');
  }

  async gc(valid: Attachment[]): Promise<void> {
    if (this.hostLocal) await hostLocalGc(this.hostLocal, valid);
    else await this.exec('GC');
  }

  async status(): Promise<void> {
    if (this.hostLocal) await hostLocalStatus(this.hostLocal);
    else await this.exec('STATUS');
  }

  /** Runs the delegated plugin; resolves with its parsed stdout (undefined when empty). */
  private async exec(command: string): Promise<unknown> {
    const exe = this.exe as string;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(exe, [], {
      env: { ...process.env, CNI_COMMAND: command },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdin.on('error', () => undefined); // it may exit before reading: its status says why
    child.stdin.end(this.call.stdin);
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c ?? 1));
    }).catch((e: unknown) => {
      throw new CniError(CniCode.ioFailure, `cannot run IPAM plugin ${exe}: ${(e as Error).message}`);
    });
    const out = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    if (out.trim() !== '') {
      try {
        parsed = JSON.parse(out);
      } catch {
        throw new CniError(
          CniCode.decodingFailure,
          `IPAM plugin ${exe} wrote something that is not JSON: ${out.slice(0, 200)}`,
        );
      }
    }
    if (code !== 0) {
      const e = (parsed ?? {}) as { code?: unknown; msg?: unknown; details?: unknown };
      throw new CniError(
        typeof e.code === 'number' ? e.code : CniCode.internal,
        typeof e.msg === 'string' ? e.msg : `IPAM plugin ${exe} failed (exit status ${code})`,
        typeof e.details === 'string' ? e.details : undefined,
      );
    }
    return parsed;
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
