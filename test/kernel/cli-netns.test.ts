/**
 * The command's `netns` verb beside `ip netns` (iproute2 6.1) on the same state: list with ids
 * (text and -j), list-id, set, identify, pids, exec and the -all forms, monitor. Whatever lists
 * or deletes every named namespace runs inside `netns-native isolate` (an empty /run/netns and a
 * fresh namespace of its own), so that other test files' namespaces neither show nor go; there
 * both commands see exactly the same names and ids, and their output must be the same, byte for
 * byte.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { finished } from '../helpers/child';
import { cli, cliMain, lines, ok, usage, type CliRun } from '../helpers/cli';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

/** One command run by both: `ip ARGS` and `netns-native ARGS`, each with its output and status. */
interface Pair {
  args: string;
  ip: { out: string; status: number };
  ours: { out: string; status: number };
}

/**
 * Runs `setup` (sh) inside `netns-native isolate`, then each of `commands` (words as ip takes
 * them, after `ip`) with ip and with netns-native, both behind `as` when given (setpriv); ours
 * with its stderr, ip's stdout only; then `teardown` (what must end before isolate can:
 * background processes).
 */
async function sideBySide(setup: string, commands: string[], teardown = 'true', as = ''): Promise<Pair[]> {
  const nn = `${as} ${process.execPath} ${cliMain()}`;
  const steps = commands.map(
    (c, i) =>
      `printf '@@%s ip\\n' ${i}; ${as} ip ${c} 2>/dev/null; printf '@@rc %s\\n' $?; ` +
      `printf '@@%s ours\\n' ${i}; ${nn} ${c} 2>&1; printf '@@rc %s\\n' $?`,
  );
  const run = await cli('isolate', '--', 'sh', '-c', [setup, ...steps, teardown].join('\n'));
  expect([run.code, run.stderr]).toEqual([0, '']);
  const parts = run.stdout.split(/^@@(\d+) (ip|ours)\n/m).slice(1);
  const pairs: Pair[] = commands.map((args) => ({ args, ip: { out: '', status: -1 }, ours: { out: '', status: -1 } }));
  for (let i = 0; i < parts.length; i += 3) {
    const [index, who, body] = [Number(parts[i]), parts[i + 1] as 'ip' | 'ours', parts[i + 2] as string];
    const m = /^([\s\S]*)@@rc (\d+)\n$/.exec(body);
    if (!m) throw new Error(`no status in ${JSON.stringify(body)}`);
    (pairs[index] as Pair)[who] = { out: m[1] as string, status: Number(m[2]) };
  }
  return pairs;
}

/** Both printed the same and exited 0. */
function same(pairs: Pair[]): void {
  for (const p of pairs) {
    expect([p.args, p.ours]).toEqual([p.args, { out: p.ip.out, status: 0 }]);
    expect([p.args, p.ip.status]).toEqual([p.args, 0]);
  }
}

// Three names made in this order (readdir of a tmpfs lists them newest first, as ip prints them),
// the first with an id only in b1, the others with ids here.
const NAMES = 'ip netns add b1; ip netns add a2; ip netns add c3; ip netns add e5; ip netns add d4';
const IDS =
  'ip netns set a2 5; ip netns set c3 auto; ip netns set b1 2; ip netns set e5 8; ' +
  'ip -n b1 netns set a2 7; ip -n b1 netns set c3 3; ip -n b1 netns set d4 9';

// Each side-by-side run starts a dozen processes; the machine may be busy.
jest.setTimeout(180_000);

describeKernel('netns-native netns (beside ip netns)', () => {
  it('netns, netns list, netns show: NAME (id: N) in ip’s order; -j as ip -j', async () => {
    const pairs = await sideBySide(`${NAMES}; ${IDS}`, [
      'netns',
      'netns list',
      'netns show',
      'netns ls',
      '-j netns list',
      '-j netns',
    ]);
    same(pairs);
    expect(pairs[0]?.ours.out).toBe('d4\ne5 (id: 8)\nc3 (id: 0)\na2 (id: 5)\nb1 (id: 2)\n');
    expect(JSON.parse(pairs[4]?.ours.out as string)).toEqual([
      { name: 'd4' },
      { name: 'e5', id: 8 },
      { name: 'c3', id: 0 },
      { name: 'a2', id: 5 },
      { name: 'b1', id: 2 },
    ]);
    // Without ids: names alone, as ip (and an empty list is nothing, [] with -j).
    same(await sideBySide(NAMES, ['netns', '-j netns list']));
    same(await sideBySide('true', ['netns', '-j netns list']));
  });

  it('netns, -j netns, netns list-id without privileges: the names and ids ip lists, as ip', async () => {
    // ip sends another namespace's fd alone on a socket here, and so does the library now: no
    // privilege needed (it used to open a socket inside, CAP_SYS_ADMIN, and listed no ids).
    const nobody = 'setpriv --reuid=65534 --regid=65534 --clear-groups';
    const pairs = await sideBySide(
      `${NAMES}; ${IDS}`,
      ['netns', 'netns list', '-j netns', '-j netns list', 'netns list-id'].map((c) => c),
      'true',
      nobody,
    );
    same(pairs);
    expect(pairs[0]?.ours.out).toBe('d4\ne5 (id: 8)\nc3 (id: 0)\na2 (id: 5)\nb1 (id: 2)\n');
    expect(pairs[4]?.ours.out).toBe(
      'nsid 0 (iproute2 netns name: c3)\nnsid 2 (iproute2 netns name: b1)\n' +
        'nsid 5 (iproute2 netns name: a2)\nnsid 8 (iproute2 netns name: e5)\n',
    );
  });

  it('-n NS netns list, list-id, set, identify: from inside NS, as ip -n NS; the other verbs as without -n', async () => {
    // The ids set by ours (-n b1 netns set, -n c3 netns set), then read by both.
    const nn = `${process.execPath} ${cliMain()}`;
    const pairs = await sideBySide(`${NAMES}; ${IDS}; ${nn} -n b1 netns set e5 6; ${nn} -n c3 netns set b1 auto`, [
      '-n b1 netns',
      '-n b1 -j netns list',
      '-n b1 netns list-id',
      '-n b1 -j netns list-id',
      '-n b1 netns list-id target-nsid 7',
      '-n b1 netns list-id nsid 9',
      '-n c3 netns list',
      '-n c3 netns list-id',
      '-n b1 netns identify',
      '-n a2 netns identify',
      '-n b1 netns exec a2 ip -o -4 addr',
      'netns',
    ]);
    same(pairs);
    expect(pairs[0]?.ours.out).toBe('d4 (id: 9)\ne5 (id: 6)\nc3 (id: 3)\na2 (id: 7)\nb1\n');
    expect(pairs[2]?.ours.out).toBe(
      'nsid 3 (iproute2 netns name: c3)\nnsid 6 (iproute2 netns name: e5)\n' +
        'nsid 7 (iproute2 netns name: a2)\nnsid 9 (iproute2 netns name: d4)\n',
    );
    expect(pairs[7]?.ours.out).toBe('nsid 0 (iproute2 netns name: b1)\n');
    expect(pairs[8]?.ours.out).toBe('b1\n');
    expect(pairs[9]?.ours.out).toBe('a2\n');
    // Here, the ids here: -n b1 changed none of them.
    expect(pairs.at(-1)?.ours.out).toBe('d4\ne5 (id: 8)\nc3 (id: 0)\na2 (id: 5)\nb1 (id: 2)\n');
  });

  it('netns list-id [target-nsid N] [nsid N]: the lines and JSON of ip', async () => {
    const pairs = await sideBySide(`${NAMES}; ${IDS}`, [
      'netns list-id',
      '-j netns list-id',
      'netns list-id target-nsid 2',
      '-j netns list-id target-nsid 2',
      'netns list-id nsid 5',
      '-j netns list-id nsid 5',
      'netns list-id target-nsid 2 nsid 5',
      'netns list-id nsid 0 target-nsid 2',
      'netns list-id target-nsid 2 nsid 8',
      '-j netns list-id target-nsid 2 nsid 8',
    ]);
    same(pairs);
    expect(pairs[0]?.ours.out).toBe(
      'nsid 0 (iproute2 netns name: c3)\nnsid 2 (iproute2 netns name: b1)\n' +
        'nsid 5 (iproute2 netns name: a2)\nnsid 8 (iproute2 netns name: e5)\n',
    );
    // d4 has an id in b1 only: unassigned here, so no name (ip's trailing blank kept).
    expect(pairs[2]?.ours.out).toBe(
      'nsid 3 current-nsid 0 (iproute2 netns name: c3)\nnsid 7 current-nsid 5 (iproute2 netns name: a2)\n' +
        'nsid 9 current-nsid unassigned \n',
    );
    expect(pairs[8]?.ours.out).toBe('nsid unassigned current-nsid 8 (iproute2 netns name: e5)\n');
  });

  it('netns list-id: an id or a target no namespace has is status 1 (ip fails too)', async () => {
    const pairs = await sideBySide(`${NAMES}; ${IDS}`, [
      'netns list-id nsid 6',
      'netns list-id target-nsid 6',
      'netns list-id target-nsid 2 nsid 6',
    ]);
    for (const p of pairs) {
      expect([p.args, p.ip.status]).toEqual([p.args, expect.any(Number)]);
      expect(p.ip.status).not.toBe(0);
      expect([p.args, p.ours.status]).toEqual([p.args, 1]);
    }
    expect(pairs[0]?.ours.out).toBe(
      'netns-native: ENOENT: cannot find the namespace with id 6: no namespace has that id here (netns list-id lists them)\n',
    );
    expect(pairs[1]?.ours.out).toMatch(
      /^netns-native: EINVAL: cannot list the namespace ids of namespace id 6: .*invalid target network namespace id/i,
    );
  });

  it('netns set NAME NETNSID|auto: the id ip then lists; a second id is EEXIST, as the kernel refuses ip', async () => {
    const a = await freshNamespace();
    const b = await freshNamespace();
    const c = await freshNamespace();
    await ok('netns', 'set', a.name as string, '1234');
    await ok('netns', 'set', b.name as string, 'auto');
    const listed = ip(undefined, 'netns', 'list');
    expect(listed).toContain(`${a.name} (id: 1234)\n`);
    const auto = new RegExp(`^${b.name} \\(id: (\\d+)\\)$`, 'm').exec(listed)?.[1];
    expect(auto).toBeDefined();
    expect((await cli('netns')).stdout).toContain(`${b.name} (id: ${auto})\n`);
    // What ip says of each: "Peer netns already has a nsid assigned" (the kernel's EEXIST).
    const again = await cli('netns', 'set', a.name as string, '77');
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toMatch(/^netns-native: EEXIST: cannot set the id of .+: it has the id 1234 already/);
    const autoAgain = await cli('netns', 'set', b.name as string, 'auto');
    expect(autoAgain.stderr).toBe(
      `netns-native: EEXIST: cannot set the id of namespace "${b.name}" to auto: it has the id ${auto} already, and the kernel never changes an id once given\n`,
    );
    const taken = await cli('netns', 'set', c.name as string, '1234');
    expect(taken.stderr).toMatch(/^netns-native: EEXIST: .+the id 1234 is another namespace's/);
    expect(ip(undefined, 'netns', 'list')).toContain(`${c.name}\n`);
    const missing = await cli('netns', 'set', 'nnt-nosuch0', '5');
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'netns-native: ENOENT: cannot open namespace "nnt-nosuch0": no such namespace\n',
    });
  });

  it('netns identify [PID], netns pids NAME: what ip prints, for the same processes', async () => {
    const setup =
      `${NAMES}; ip netns exec a2 sleep 60 & P=$!; ip netns exec c3 sleep 60 & Q=$!; ` +
      `sleep 60 & R=$!; ` +
      // Both started (ip netns exec has become sleep) before anything is asked.
      'until [ "$(readlink /proc/$P/exe)" = "$(readlink /proc/$Q/exe)" ] && ' +
      '[ "$(readlink /proc/$P/exe)" != "$(readlink /proc/$$/exe)" ] && ' +
      '[ "$(readlink /proc/$P/exe)" = "$(readlink /proc/$R/exe)" ]; do sleep 0.05; done; ' +
      // A second name for a2, from its process (once it is in a2).
      'ip netns attach a2bis $P';
    const pairs = await sideBySide(
      setup,
      [
        'netns identify $P',
        'netns identify $Q',
        'netns identify $R',
        'netns identify',
        'netns pids a2',
        'netns pids a2bis',
        'netns pids c3',
        'netns pids b1',
      ],
      'kill $P $Q $R; wait',
    );
    same(pairs);
    // Two names for one namespace: ip prints one, the last it reads.
    expect(pairs[0]?.ours.out).toMatch(/^(a2|a2bis)\n$/);
    expect(pairs[1]?.ours.out).toBe('c3\n');
    expect(pairs[2]?.ours.out).toBe('\n');
    expect(pairs[4]?.ours.out).toMatch(/^\d+\n$/);
    expect(pairs[4]?.ours.out).toBe(pairs[5]?.ours.out);
    expect(pairs[7]?.ours.out).toBe('');
  });

  it('netns identify (text with -j, as ip), netns pids: --json; a process or a name that does not exist is status 1', async () => {
    const ns = await freshNamespace();
    const child = spawn('ip', ['netns', 'exec', ns.name as string, 'sleep', '60'], { stdio: 'ignore' });
    try {
      await waitFor(() => lines(ip(undefined, 'netns', 'pids', ns.name as string)).includes(String(child.pid)), {
        what: 'the sleep to run in the namespace',
      });
      const pids = await cli('--json', 'netns', 'pids', ns.name as string);
      expect(JSON.parse(pids.stdout)).toEqual([child.pid]);
      // ip 6.1 prints identify as text with -j too.
      expect(await cli('netns', 'identify', String(child.pid), '-j')).toEqual({
        code: 0,
        stdout: `${ns.name as string}\n`,
        stderr: '',
      });
    } finally {
      child.kill('SIGKILL');
    }
    expect(await cli('netns', 'identify', '1073741823')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'netns-native: ESRCH: cannot identify the namespace of process 1073741823: no process with PID 1073741823\n',
    });
    expect(await cli('netns', 'pids', 'nnt-nosuch0')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'netns-native: ENOENT: cannot open namespace "nnt-nosuch0": no such namespace\n',
    });
  });

  it('netns exec NAME CMD (options and all, -- or not) exits as CMD; -all netns exec as ip', async () => {
    const pairs = await sideBySide(NAMES, [
      'netns exec a2 ip -br link',
      'netns e a2 ls -d /',
      '-all netns exec sh -c "echo hi; cat /proc/net/dev | wc -l"',
    ]);
    same(pairs);
    expect(pairs[0]?.ours.out).toMatch(/^lo +DOWN +00:00:00:00:00:00 <LOOPBACK> *\n$/);
    // `--` may end the words first (ip would take it for the program).
    const [dashes] = await sideBySide(NAMES, ['netns exec a2 -- ip -br link']);
    expect(dashes?.ours).toEqual({ out: pairs[0]?.ours.out, status: 0 });
    expect(pairs[2]?.ours.out).toBe(['d4', 'e5', 'c3', 'a2', 'b1'].map((n) => `\nnetns: ${n}\nhi\n3\n`).join(''));
    // The status: CMD's for one namespace; 0 for -all whatever each returned, as ip's.
    const status = await sideBySide(NAMES, [
      'netns exec a2 sh -c "exit 4"',
      '-all netns exec sh -c "exit 3"',
      'netns exec nosuch true',
    ]);
    expect(status.map((p) => [p.ip.status, p.ours.status])).toEqual([
      [4, 4],
      [0, 0],
      [255, 1],
    ]);
    expect(status[1]?.ours.out).toBe(status[1]?.ip.out);
    expect(status[2]?.ours.out).toBe('netns-native: ENOENT: cannot open namespace "nosuch": no such namespace\n');
  });

  it('-all netns exec --json: each namespace’s result in ip’s order; a program not found is said and skipped', async () => {
    const [json, missing] = await sideBySide('ip netns add b1; ip netns add a2', [
      '-j -all netns exec sh -c "echo hi; exit 2"',
      '-all netns exec nnt-no-such-program',
    ]);
    expect(json?.ours.status).toBe(0);
    expect(JSON.parse(json?.ours.out as string)).toEqual(
      ['a2', 'b1'].map((name) => ({ name, stdout: 'hi\n', stderr: '', exitCode: 2, signal: null, timedOut: false })),
    );
    expect(missing?.ours).toEqual({
      status: 0,
      out:
        '\nnetns: a2\nnetns-native: ENOENT: cannot run "nnt-no-such-program" in namespace "a2": no such program\n' +
        '\nnetns: b1\nnetns-native: ENOENT: cannot run "nnt-no-such-program" in namespace "b1": no such program\n',
    });
  });

  it('-all netns delete, netns delete -all: every named namespace, as ip -all netns delete', async () => {
    const nn = `${process.execPath} ${cliMain()}`;
    const script =
      `${NAMES}; ${IDS}; ${nn} -all netns delete; echo "rc=$?"; ip netns list; ls -A /run/netns; ` +
      `ip netns add x1; ip netns add x2; ${nn} netns delete -all; echo "rc=$?"; ip netns list; ` +
      `${nn} -all netns del; echo "rc=$?"`;
    expect(await cli('isolate', '--', 'sh', '-c', script)).toEqual({
      code: 0,
      stdout: 'rc=0\nrc=0\nrc=0\n',
      stderr: '',
    });
  });

  it('-all netns delete that cannot delete one: says which and stops there, status 0, as ip 6.1', async () => {
    // Without privileges the first name cannot go: ip says so on stderr and exits 0 (netns_foreach).
    const nobody = 'setpriv --reuid=65534 --regid=65534 --clear-groups';
    const nn = `${nobody} ${process.execPath} ${cliMain()}`;
    const script =
      `${NAMES}; ${nobody} ip -all netns delete 2>&1; echo "rc=$?"; ` +
      `${nn} -all netns delete 2>&1; echo "rc=$?"; ip netns list`;
    const run = await cli('isolate', '--', 'sh', '-c', script);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const [ipSays, ipRc, oursSays, oursRc, ...left] = run.stdout.trimEnd().split('\n');
    expect([ipRc, oursRc]).toEqual(['rc=0', 'rc=0']);
    expect(ipSays).toBe('Cannot remove namespace file "/run/netns/d4": Permission denied');
    // Both go on to unlink(2) after the unmount is refused, and say why that unlink failed.
    expect(oursSays).toBe(ipSays);
    expect(left).toEqual(['d4', 'e5', 'c3', 'a2', 'b1']);
  });

  it('-all netns delete removes what is not a namespace under /run/netns too, in ip’s order, as ip', async () => {
    const nn = `${process.execPath} ${cliMain()}`;
    // Stray entries between the names (readdir lists the newest first): a file, a dangling
    // symlink; then a directory, which neither can unlink: both stop there, saying so.
    const strays = 'ip netns add b1; touch /run/netns/f1; ip netns add a2; ln -s /nonexistent /run/netns/l1';
    // Each in an isolate of its own: the same entries, made in the same order, list alike.
    const deleteAllWith = async (setup: string, command: string): Promise<string> => {
      const run = await cli('isolate', '--', 'sh', '-c', `${setup}; ${command} 2>&1; echo "rc=$?"; ls -A /run/netns`);
      expect([run.code, run.stderr]).toEqual([0, '']);
      return run.stdout;
    };
    expect(await deleteAllWith(strays, 'ip -all netns delete')).toBe('rc=0\n');
    expect(await deleteAllWith(strays, `${nn} -all netns delete`)).toBe('rc=0\n');
    const dir = `${strays}; mkdir /run/netns/d1; ip netns add c3`;
    const ipSide = await deleteAllWith(dir, 'ip -all netns delete');
    expect(ipSide).toBe('Cannot remove namespace file "/run/netns/d1": Is a directory\nrc=0\na2\nb1\nd1\nf1\nl1\n');
    expect(await deleteAllWith(dir, `${nn} -all netns delete`)).toBe(ipSide);
  });

  it('-n PATH is refused for every verb, as ip 6.1 takes only a name there; -n NAME must exist', async () => {
    const pairs = await sideBySide(NAMES, [
      '-n /run/netns/a2 netns list',
      '-n /proc/self/ns/net netns identify',
      '-n nnt-nosuch netns pids a2',
      '-n a2 netns pids a2',
      '-n /run/netns/a2 link show',
      '-n /proc/self/ns/net -j addr',
      '-n /proc/1/ns/net route show table all',
      '-n /proc/self/ns/net links',
      '--netns=/run/netns/a2 monitor',
    ]);
    expect(pairs.map((p) => [p.args, p.ip.status, p.ours.status])).toEqual(
      pairs.map((p) => [p.args, p.args.startsWith('-n a2 ') ? 0 : 255, p.args.startsWith('-n a2 ') ? 0 : 1]),
    );
    const refused = (path: string, context: string, instead: string): string =>
      `netns-native: EINVAL: cannot open namespace "${path}" for ${context}: -n takes NAME, a name under ` +
      `/run/netns, not a path, as ip's -n (${instead})\n`;
    const attach = 'give the namespace a name with netns attach NAME PID, ';
    expect(pairs.map((p) => p.ours.out)).toEqual([
      refused('/run/netns/a2', 'netns list', 'give -n a2'),
      refused(
        '/proc/self/ns/net',
        'netns identify',
        `${attach}or run the command in it: exec /proc/self/ns/net -- netns-native ...`,
      ),
      'netns-native: ENOENT: cannot open namespace "nnt-nosuch": no such namespace\n',
      // ip lists itself: it runs inside a2 then; this command does not.
      expect.any(String),
      refused('/run/netns/a2', 'link show', 'give -n a2'),
      refused(
        '/proc/self/ns/net',
        'addr',
        `${attach}or run the command in it: exec /proc/self/ns/net -- netns-native ...`,
      ),
      refused(
        '/proc/1/ns/net',
        'route show',
        `${attach}or run the command in it: exec /proc/1/ns/net -- netns-native ...`,
      ),
      refused('/proc/self/ns/net', 'links', `${attach}or give the path as the operand: links /proc/self/ns/net`),
      refused('/run/netns/a2', 'monitor', 'give -n a2'),
    ]);
    // The verbs whose NS is an operand take a path there.
    const [links] = await sideBySide(NAMES, ['links /run/netns/a2']);
    expect(links?.ours.status).toBe(0);
    expect(links?.ours.out).toMatch(/^lo /);
  });

  it('-j netns identify prints text, as ip 6.1; identify without privileges, of a process or with a /run/netns it may not read, as ip', async () => {
    same(await sideBySide(NAMES, ['-j netns identify', '-n a2 -j netns identify', '-n a2 netns identify']));
    const nobody = 'setpriv --reuid=65534 --regid=65534 --clear-groups';
    const pairs = await sideBySide(NAMES, ['netns identify', '-j netns identify', 'netns identify 1'], 'true', nobody);
    same(pairs.slice(0, 2));
    expect(pairs[0]?.ours.out).toBe('\n');
    // PID 1 is the machine's init, outside this namespace's user: /proc/1/ns/net is refused.
    expect([pairs[2]?.ip, pairs[2]?.ours.status]).toEqual([{ out: '', status: 1 }, 1]);
    expect(pairs[2]?.ours.out).toMatch(/^netns-native: EACCES: cannot identify the namespace of process 1: .*ptrace/);
    // /run/netns unreadable: ip fails (status 1), and says so; so does ours, naming the mode.
    const unreadable = await sideBySide(
      `${NAMES}; chmod 700 /run/netns`,
      ['netns identify', '-all netns delete'],
      'chmod 755 /run/netns',
      nobody,
    );
    for (const p of unreadable) {
      expect([p.args, p.ip, p.ours]).toEqual([
        p.args,
        { out: '', status: 1 },
        {
          out:
            'netns-native: EACCES: cannot read the names in /run/netns: permission denied: /run/netns ' +
            '(mode 0700, owner uid 0) is not readable by this user\n',
          status: 1,
        },
      ]);
    }
  });

  it('netns monitor: add NAME / delete NAME as ip netns monitor prints them, until interrupted (exit 0)', async () => {
    const ours = spawn(process.execPath, [cliMain(), 'netns', 'monitor'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // ip prints with stdio and never flushes: line-buffered through stdbuf, or nothing shows.
    const theirs = spawn('stdbuf', ['-oL', 'ip', 'netns', 'monitor'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = [finished(ours), finished(theirs)];
    let [mine, ipText] = ['', ''];
    ours.stdout.on('data', (c: Buffer) => (mine += c.toString()));
    theirs.stdout.on('data', (c: Buffer) => (ipText += c.toString()));
    const made: string[] = [];
    const mineOnly = (): string[] => lines(mine).filter((l) => made.includes(l.split(' ')[1] as string));
    const theirsOnly = (): string[] => lines(ipText).filter((l) => made.includes(l.split(' ')[1] as string));
    try {
      // Both watch asynchronously: names come and go until both have seen one.
      await waitFor(
        () => {
          const probe = uniqueName();
          made.push(probe);
          ip(undefined, 'netns', 'add', probe);
          ip(undefined, 'netns', 'del', probe);
          return waitFor(() => [mine, ipText].every((t) => lines(t).includes(`delete ${probe}`)) || undefined, {
            what: probe,
            timeoutMs: 300,
          }).catch(() => undefined);
        },
        { what: 'both monitors to show a namespace', intervalMs: 0 },
      );
      const [x, y] = [uniqueName(), uniqueName()];
      made.push(x, y);
      mine = '';
      ipText = '';
      ip(undefined, 'netns', 'add', x);
      await ok('netns', 'add', y);
      ip(undefined, 'netns', 'del', x);
      await ok('netns', 'del', y);
      // A file moved into /run/netns and out again (through a directory inside it: one mount),
      // and renamed there: neither created nor deleted, so neither prints anything.
      const [sub, moved, renamed] = [uniqueName(), uniqueName(), uniqueName()];
      made.push(sub, moved, renamed);
      const run = (name: string): string => path.join('/run/netns', name);
      fs.mkdirSync(run(sub));
      fs.writeFileSync(path.join(run(sub), 'f'), '');
      fs.renameSync(path.join(run(sub), 'f'), run(moved));
      fs.renameSync(run(moved), run(renamed));
      fs.renameSync(run(renamed), path.join(run(sub), 'f'));
      fs.rmSync(run(sub), { recursive: true });
      await waitFor(() => [mine, ipText].every((t) => lines(t).includes(`delete ${sub}`)), {
        what: 'both monitors to show the last delete',
      });
      expect(mineOnly()).toEqual([`add ${x}`, `add ${y}`, `delete ${x}`, `delete ${y}`, `add ${sub}`, `delete ${sub}`]);
      expect(mineOnly()).toEqual(theirsOnly());
    } finally {
      ours.kill('SIGINT');
      theirs.kill('SIGINT');
    }
    const run = (await done[0]) as CliRun;
    expect([run.code, run.stderr]).toEqual([0, '']);
    await done[1];
  });

  it('netns monitor --json: one {event, name} per line', async () => {
    const ours = spawn(process.execPath, [cliMain(), 'netns', 'monitor', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = finished(ours);
    let text = '';
    ours.stdout.on('data', (c: Buffer) => (text += c.toString()));
    const names: string[] = [];
    try {
      await waitFor(
        () => {
          const name = uniqueName();
          names.push(name);
          ip(undefined, 'netns', 'add', name);
          ip(undefined, 'netns', 'del', name);
          // A probe made before the watch began and deleted after shows as a delete alone.
          return names.find((n) => text.includes(`{"event":"add","name":"${n}"}\n{"event":"delete","name":"${n}"}`));
        },
        { what: 'the monitor to show a namespace', intervalMs: 100 },
      );
    } finally {
      ours.kill('SIGTERM');
    }
    expect((await done)?.code).toBe(0);
    const events = lines(text).map((l) => JSON.parse(l) as { event: string; name: string });
    const seen = events.find((e) => e.event === 'add')?.name as string;
    expect(events.filter((e) => e.name === seen)).toEqual([
      { event: 'add', name: seen },
      { event: 'delete', name: seen },
    ]);
  });

  it('bad words: status 2 with a sentence and the netns usage', async () => {
    const cases: Array<[RegExp, string[]]> = [
      [/^netns-native: netns: unknown command "frobnicate" \(list, list-id, /, ['netns', 'frobnicate']],
      [/^netns-native: netns list: unexpected "x"$/, ['netns', 'list', 'x']],
      [/^netns-native: netns list-id: unexpected "foo"$/, ['netns', 'list-id', 'foo']],
      [/^netns-native: netns list-id: nsid needs a number$/, ['netns', 'list-id', 'nsid']],
      [/^netns-native: netns list-id: nsid is given twice$/, ['netns', 'list-id', 'nsid', '1', 'nsid', '2']],
      [
        /^netns-native: netns list-id: target-nsid needs a number from 0 to 2147483647, not "-1"$/,
        ['netns', 'list-id', 'target-nsid', '-1'],
      ],
      [/^netns-native: netns set needs an id: netns set NAME NETNSID\|auto$/, ['netns', 'set', 'x']],
      [/^netns-native: netns set: NETNSID needs a number from 0 to 2147483647, not "x"$/, ['netns', 'set', 'a', 'x']],
      [
        /^netns-native: netns identify: PID needs a number from 0 to 1073741823, not "abc"$/,
        ['netns', 'identify', 'abc'],
      ],
      [/^netns-native: netns identify: unexpected "2"$/, ['netns', 'identify', '1', '2']],
      [/^netns-native: netns pids needs a namespace name: netns pids NAME$/, ['netns', 'pids']],
      [/^netns-native: netns exec needs a program: netns exec NAME CMD/, ['netns', 'exec', 'a']],
      [/^netns-native: netns exec needs a namespace name and a program/, ['netns', 'exec']],
      [/^netns-native: netns exec needs a program: -all netns exec CMD/, ['-all', 'netns', 'exec']],
      [/^netns-native: -all is for netns delete and netns exec only$/, ['-all', 'netns', 'list']],
      [/^netns-native: netns monitor: unexpected "x"$/, ['netns', 'monitor', 'x']],
      [/^netns-native: netns delete: unexpected "b"$/, ['netns', 'delete', 'a', 'b']],
      [/^netns-native: netns list takes no command after --$/, ['netns', 'list', '--', 'true']],
    ];
    for (const [pattern, args] of cases) await usage('netns', pattern, ...args);
    await usage('link', /^netns-native: -all is for netns delete and netns exec only$/, '-all', 'link', 'show');
  });
});
