/**
 * pids / identify / listAllNamespaces against iproute2 (`ip netns pids`, `ip netns identify`)
 * and util-linux (`lsns`).
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { listAllNamespaces, Namespace, NetnsError } from 'netns-native';
import { freshNamespace } from '../helpers/fresh';
import { run } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
}

function inode(pid: number, type: string): bigint {
  return BigInt(/\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/${type}`))?.[1] as string);
}

describeKernel('pids / identify / listAllNamespaces', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });
  const sleeper = async (ns: Namespace, options = {}): Promise<number> => {
    const child = ns.spawn('sleep', ['30'], { stdio: 'ignore', ...options });
    children.push(child);
    await spawned(child);
    return child.pid as number;
  };

  it('pids() lists the processes in the namespace, like `ip netns pids`', async () => {
    const ns = await freshNamespace();
    expect(await ns.pids()).toEqual([]);
    const p1 = await sleeper(ns);
    const p2 = await sleeper(ns, { unshare: ['pid'] }); // the helper, and the program under it
    const program = Number(fs.readFileSync(`/proc/${p2}/task/${p2}/children`, 'utf8').trim());
    const pids = await ns.pids();
    expect(pids).toEqual([p1, p2, program].sort((a, b) => a - b));
    const ip = run('ip', ['netns', 'pids', ns.name as string])
      .trim()
      .split('\n')
      .map(Number)
      .sort((a, b) => a - b);
    expect(pids).toEqual(ip);
    expect(await Namespace.current().pids()).toContain(process.pid);
  });

  it('identify(pid) names the namespace of a process, like `ip netns identify`', async () => {
    const ns = await freshNamespace();
    const pid = await sleeper(ns);
    expect(await Namespace.identify(pid)).toEqual([ns.name]);
    expect(run('ip', ['netns', 'identify', String(pid)]).trim()).toBe(ns.name);
    // a second name for the same namespace
    const alias = `${ns.name}-alias`;
    fs.writeFileSync(`/run/netns/${alias}`, '');
    run('mount', ['--bind', ns.path, `/run/netns/${alias}`]);
    try {
      expect(await Namespace.identify(pid)).toEqual([ns.name, alias].sort());
    } finally {
      run('umount', [`/run/netns/${alias}`]);
      fs.unlinkSync(`/run/netns/${alias}`);
    }
    expect(await Namespace.identify(process.pid)).toEqual([]);
    await expect(Namespace.identify(0x3ffffff0)).rejects.toMatchObject({ name: 'NetnsError', code: 'ESRCH' });
    await expect(Namespace.identify(-1)).rejects.toThrow(NetnsError);
  });

  it('listAllNamespaces() reports the seven types with their processes, names and inodes', async () => {
    const ns = await freshNamespace();
    const anonymous = await Namespace.create(); // kept only by our fd
    try {
      const pid = await sleeper(ns, { hostname: 'lsns-probe', unshare: ['ipc', 'cgroup'] });
      const all = await listAllNamespaces();
      const find = (type: string, ino: bigint) => all.find((n) => n.type === type && n.inode === ino);

      expect(new Set(all.map((n) => n.type))).toEqual(new Set(['mnt', 'uts', 'ipc', 'pid', 'net', 'user', 'cgroup']));
      expect(find('net', ns.inode)).toEqual({ type: 'net', inode: ns.inode, pids: [pid], netnsName: ns.name });
      expect(find('net', anonymous.inode)).toEqual({ type: 'net', inode: anonymous.inode, pids: [] });
      for (const type of ['uts', 'ipc', 'cgroup', 'mnt']) {
        expect(find(type, inode(pid, type))?.pids).toEqual([pid]);
      }
      expect(find('pid', inode(process.pid, 'pid'))?.pids).toContain(process.pid);
      expect(find('user', inode(process.pid, 'user'))?.pids).toContain(pid);

      // lsns sees the same namespaces with the same process counts (ours are stable)
      const lsns = JSON.parse(run('lsns', ['-J', '-o', 'NS,TYPE,NPROCS,PID'])).namespaces as Array<{
        ns: number | string;
        type: string;
        nprocs: number | string;
        pid: number | string | null;
      }>;
      for (const type of ['uts', 'ipc', 'cgroup', 'net']) {
        const ino = type === 'net' ? ns.inode : inode(pid, type);
        const row = lsns.find((r) => String(r.ns) === String(ino));
        expect(row).toMatchObject({ type });
        expect(Number(row?.nprocs)).toBe(1);
      }
      // everything lsns sees of the seven types (it knows 'time' too, which is not one). /proc
      // shows every process of the machine, so other suites running meanwhile make and drop
      // namespaces between the two scans: one lsns saw that the scan before it did not must
      // be in a scan after it, unless it is gone by then.
      const order = ['mnt', 'uts', 'ipc', 'pid', 'net', 'user', 'cgroup'];
      const rows = lsns.filter((r) => order.includes(r.type));
      expect(new Set(rows.map((r) => r.type))).toEqual(new Set(order)); // ours, at least
      const later = await listAllNamespaces();
      const stillThere = (row: (typeof lsns)[number]) => {
        try {
          return fs.readlinkSync(`/proc/${String(row.pid)}/ns/${row.type}`) === `${row.type}:[${String(row.ns)}]`;
        } catch {
          return false;
        }
      };
      for (const row of rows) {
        const ino = BigInt(row.ns);
        const seen = find(row.type, ino) ?? later.find((n) => n.type === row.type && n.inode === ino);
        if (seen === undefined) expect([row, stillThere(row)]).toEqual([row, false]);
      }
      // sorted by type, then inode
      for (let i = 1; i < all.length; i++) {
        const [p, q] = [all[i - 1], all[i]] as [(typeof all)[0], (typeof all)[0]];
        const byType = order.indexOf(p.type) - order.indexOf(q.type);
        expect(byType < 0 || (byType === 0 && p.inode < q.inode)).toBe(true);
      }
    } finally {
      await anonymous.delete();
    }
  });
});
