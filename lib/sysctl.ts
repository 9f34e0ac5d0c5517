/**
 * Network sysctls of one namespace (`ip netns exec NS sysctl net.ipv4.ip_forward`): the files
 * under /proc/sys/net, which the kernel keeps per network namespace. Read and written by the
 * native core on the namespace's thread (addon.netSysctl), in the namespace's FIFO like any call.
 */
import { exclusive } from './internal/dispatch';
import { fromNative, invalid, withReason, type NetnsError } from './internal/errors';
import { describeValue, quoteShort } from './internal/validate';
import type { Namespace } from './namespace';
import { addon } from './native/load';

/** Longest key accepted: /proc/sys/net paths are far shorter (an interface name is 15 bytes). */
const MAX_KEY_BYTES = 200;
/** Longest value accepted: the kernel reads at most a page from one write. */
const MAX_VALUE_BYTES = 4095;

/** A key checked and resolved: its path under /proc/sys/net, and how sysctl(8) prints it. */
interface SysctlKey {
  /** 'ipv4/conf/eth0.5/rp_filter' */
  path: string;
  /** 'net.ipv4.conf.eth0/5.rp_filter' */
  name: string;
}

/**
 * Resolves a key as sysctl(8) (procps) does: its first separator decides the form. 'net/ipv4/
 * conf/eth0.5/rp_filter' is a path, kept as it is; in 'net.ipv4.conf.eth0/5.rp_filter' each '.'
 * separates and each '/' stands for a dot inside a part (an interface named eth0.5). Only the
 * `net` tree, the one the kernel keeps per network namespace, is accepted.
 * @internal
 */
export function parseSysctlKey(key: unknown, operation: string): SysctlKey {
  if (typeof key !== 'string')
    throw invalid(operation, `the key must be a string like "net.ipv4.ip_forward", not ${describeValue(key)}`);
  if (key === '') throw invalid(operation, 'the key is empty; give one like "net.ipv4.ip_forward"');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw invalid(operation, `the key is longer than ${MAX_KEY_BYTES} bytes`);
  // Whitespace, NUL and other control characters appear in no key (interface names exclude them).
  if (/[\s\p{Cc}]/u.test(key))
    throw invalid(operation, `the key ${quoteShort(key)} contains whitespace or a control character`);
  const first = /[./]/.exec(key)?.[0];
  const path = first === '.' ? key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.')) : key;
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw invalid(
      operation,
      `the key ${quoteShort(key)} has an empty part, "." or ".." (write it as "net.ipv4.conf.eth0.rp_filter" or "net/ipv4/conf/eth0/rp_filter")`,
    );
  }
  if (parts.length === 1 && parts[0] === 'net')
    throw invalid(operation, '"net" is the directory of all network keys, not a key');
  if (parts[0] !== 'net') {
    throw invalid(
      operation,
      `the key ${quoteShort(key)} is not under "net.": only network sysctls belong to a network namespace (the others, such as kernel.* or vm.*, are the whole machine's)`,
    );
  }
  const rest = parts.slice(1).join('/');
  return { path: rest, name: ['net', ...parts.slice(1).map((p) => p.replace(/\./g, '/'))].join('.') };
}

/**
 * A sysctl value as it is written: a string as given (several numbers separated by spaces or
 * tabs for keys such as net.ipv4.ip_local_port_range), an integer in decimal.
 * @internal
 */
export function checkSysctlValue(value: unknown, operation: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw invalid(operation, `the value ${String(value)} is not an integer; give a string for anything else`);
    return String(value);
  }
  if (typeof value !== 'string')
    throw invalid(operation, `the value must be a string or an integer, not ${describeValue(value)}`);
  if (value.trim() === '') throw invalid(operation, 'the value is empty');
  if (/[\0\n]/.test(value)) throw invalid(operation, 'the value contains a newline or NUL');
  if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
    throw invalid(operation, `the value is longer than ${MAX_VALUE_BYTES} bytes`);
  return value;
}

/** Reads (and with `value`, writes) one sysctl; resolves with the value before. */
async function access(ns: Namespace, key: SysctlKey, value: string | undefined, operation: string): Promise<string> {
  return exclusive(ns, operation, 'sysctl', async (_send, handleOf) => {
    try {
      return await addon.netSysctl(handleOf(ns), key.path, value);
    } catch (e) {
      throw explain(fromNative(e, operation, 'sysctl'), key, value);
    }
  });
}

/** The kernel's refusals, said in terms of the key and value. */
function explain(e: NetnsError, key: SysctlKey, value: string | undefined): NetnsError {
  switch (e.code) {
    case 'ENOENT':
      return withReason(
        e,
        `no such key ${key.name} in the namespace (no link of that name, IPv6 disabled there, a module not loaded, or a key ` +
          "only the machine's first namespace has)",
      );
    case 'EISDIR':
      return withReason(e, `${key.name} is a directory of keys, not a key`);
    case 'EINVAL':
      return value === undefined
        ? e
        : withReason(e, `the kernel refuses the value ${JSON.stringify(value)} for ${key.name}`);
    case 'EACCES':
    case 'EPERM':
      return withReason(
        e,
        value === undefined
          ? `${key.name} cannot be read (a write-only key, or this process lacks the privilege)`
          : `${key.name} cannot be written: it is read-only, or this process lacks the privilege (root, or CAP_NET_ADMIN over the namespace)`,
      );
    default:
      return e;
  }
}

/** @internal See {@link Namespace.sysctl}. */
export async function readSysctl(ns: Namespace, key: string): Promise<string> {
  const operation = `read sysctl ${typeof key === 'string' ? quoteShort(key) : describeValue(key)}${ns.where}`;
  return access(ns, parseSysctlKey(key, operation), undefined, operation);
}

/** @internal See {@link Namespace.setSysctl}. */
export async function writeSysctl(ns: Namespace, key: string, value: string | number): Promise<string> {
  const operation = `set sysctl ${typeof key === 'string' ? quoteShort(key) : describeValue(key)}${ns.where}`;
  const parsed = parseSysctlKey(key, operation);
  return access(ns, parsed, checkSysctlValue(value, operation), operation);
}
