/**
 * `netns-native [-n NS] sysctl KEY [VALUE]`: a network sysctl of NS, read (`KEY = VALUE`, as
 * sysctl(8) prints it) or, with VALUE, set (the new line, as `sysctl -w` prints it); also
 * `KEY=VALUE`, as sysctl -w takes it. ns.sysctl, ns.setSysctl; `--json`: {key, value} (and
 * `before` when set).
 */
import { operandsAtMost, type ParsedArgs } from '../args';
import type { Io } from '../io';
import { namespaceOf } from '../namespace-arg';
import { Words } from '../words';

/** The key as sysctl(8) prints it: dots between parts, a dot inside a part as '/'. */
function printedKey(key: string): string {
  const first = /[./]/.exec(key)?.[0];
  return first === '/' ? key.replace(/[./]/g, (c) => (c === '/' ? '.' : '/')) : key;
}

export async function sysctl(args: ParsedArgs, io: Io): Promise<number> {
  operandsAtMost(args, 2, 'a key and at most a value (KEY [VALUE] or KEY=VALUE)');
  const words = new Words(args.operands, 'sysctl');
  let key = words.required('a key, such as net.ipv4.ip_forward');
  let value = words.next();
  const eq = key.indexOf('=');
  if (eq >= 0) {
    if (value !== undefined) throw words.unexpected(value);
    value = key.slice(eq + 1);
    key = key.slice(0, eq);
  }
  const ns = await namespaceOf(args.netns);
  const name = printedKey(key);
  if (value === undefined) {
    const current = await ns.sysctl(key);
    if (args.json) await io.json({ key: name, value: current });
    else await io.out(`${name} = ${current}\n`);
    return 0;
  }
  const before = await ns.setSysctl(key, value);
  if (args.json) await io.json({ key: name, value, before });
  else await io.out(`${name} = ${value}\n`);
  return 0;
}
