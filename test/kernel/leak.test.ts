/**
 * 200 cycles of namespace + veth + address + delete must leave the process as it found it:
 * the same open fds, no mounts left under /run/netns, every thread in its home namespace.
 */
import * as fs from 'node:fs';
import { Namespace, VethPair } from 'netns-native';
import { uniqueName } from '../helpers/fresh';
import { links } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

function openFds(): string[] {
  return fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // the fd readdir itself used
      }
    })
    .filter((target) => target !== '')
    .sort();
}

/** The mount points under /run/netns (field 5 of mountinfo). */
function netnsMounts(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith('/run/netns/'));
}

function threadNamespaces(): bigint[] {
  return fs.readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [fs.statSync(`/proc/self/task/${tid}/ns/net`, { bigint: true }).ino];
    } catch {
      return []; // a thread that just exited
    }
  });
}

/** One cycle; returns the veth's name (in the test namespace) and the namespace's name. */
async function cycle(i: number): Promise<[link: string, namespace: string]> {
  const ns = await Namespace.create(uniqueName());
  const name = `lk${i}`;
  const { peer } = await VethPair.create({ name, peerName: 'eth0', peerNamespace: ns });
  await peer.addAddress('198.18.40.1/24');
  await peer.up();
  expect(fs.existsSync(`/run/netns/${ns.name}`)).toBe(true);
  await ns.delete();
  return [name, ns.name as string];
}

describeKernel('leaks', () => {
  it('200 cycles of create namespace + veth + address + delete leak nothing', async () => {
    // Warm up: worker and namespace threads start on first use, and each namespace handle keeps
    // a socket per worker that used it (at most one per worker thread).
    for (let i = 0; i < 5; i++) await cycle(990 + i);
    const home = Namespace.current().inode;
    const fdsBefore = openFds();

    const names: string[] = [];
    const spaces: string[] = [];
    for (let i = 0; i < 200; i++) {
      const [link, space] = await cycle(i);
      names.push(link);
      spaces.push(space);
    }

    // Nothing new may stay open. An fd released asynchronously (a thread closing it after the
    // call settled) is not a leak, so wait for the count to come back; a leaked one never does.
    // (Handles that earlier test files in this jest worker dropped may be finalized meanwhile
    // and close theirs: fewer fds is fine.)
    const added = (): string[] => {
      const remaining = [...fdsBefore];
      return openFds().filter((fd) => {
        const i = remaining.indexOf(fd);
        if (i < 0) return true;
        remaining.splice(i, 1);
        return false;
      });
    };
    await waitFor(() => added().length === 0, {
      what: 'every fd opened during the 200 cycles to be closed',
      describe: () => `still open: ${added().join(', ')}`,
    });
    // No mount and no name left of the 200 namespaces. (Other namespaces, of tests running in
    // parallel in the same mount namespace, may come and go meanwhile.)
    expect(netnsMounts().filter((point) => spaces.includes(point.slice('/run/netns/'.length)))).toEqual([]);
    expect(fs.readdirSync('/run/netns').filter((n) => spaces.includes(n))).toEqual([]);
    const threads = threadNamespaces();
    expect(threads.length).toBeGreaterThan(1);
    expect(threads.filter((ino) => ino !== home)).toEqual([]);

    // The kernel destroys each namespace asynchronously; the veths go with them.
    await waitFor(() => !links(undefined).some((l) => names.includes(l.ifname)), {
      what: 'the veths of the 200 deleted namespaces to be destroyed with them',
      timeoutMs: 30000,
      intervalMs: 100,
    });
  });
});
