/**
 * Running out of resources gives NetnsErrors with the errno's name, never a plain Error, a
 * negated errno ('E-24') or the addon failing to load: a process with no free file descriptor
 * (ulimit -n, every fd taken) lists, creates, opens and runs programs; the kernel's limit on
 * program arguments (E2BIG).
 */
import { Namespace, NetnsError } from 'netns-native';
import { freshNamespace } from '../helpers/fresh';
import { runChild } from '../helpers/child';
import { netnsNames } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

describeKernel('resource limits', () => {
  it('with no free file descriptor, every call fails with EMFILE as a NetnsError, and works again after', async () => {
    const script = `
      const fs = require('node:fs');
      const { Namespace, NetnsError } = require(process.env.NNT_LIB);
      (async () => {
        const ns = await Namespace.create();           // opened while fds are free
        const held = [];
        try { for (;;) held.push(fs.openSync('/dev/null', 'r')); }
        catch (e) { if (e.code !== 'EMFILE') throw e; }
        const out = {};
        const calls = {
          list: () => Namespace.list(),
          listStale: () => Namespace.list({ includeStale: true }),
          create: () => Namespace.create(),
          fromPid: () => Namespace.fromPid(process.pid),
          exec: () => ns.exec('true'),
          spawn: () => ns.spawn('true'),
        };
        for (const [what, call] of Object.entries(calls)) {
          try { await call(); out[what] = 'no error'; }
          catch (e) { out[what] = { netns: e instanceof NetnsError, code: e.code, errno: e.errno, message: e.message }; }
        }
        for (const fd of held) fs.closeSync(fd);
        // With fds free again, the same calls work.
        out.after = (await ns.exec('true')).exitCode;
        out.listed = Array.isArray(await Namespace.list());
        await ns.delete();
        process.stdout.write(JSON.stringify(out));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const before = netnsNames();
    const r = await runChild(script, { maxFiles: 64 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const what of ['list', 'listStale', 'create', 'fromPid', 'exec', 'spawn']) {
      expect([what, out[what]]).toEqual([
        what,
        {
          netns: true,
          code: 'EMFILE',
          errno: 24,
          message: expect.stringMatching(/^cannot .+: .+ \(EMFILE\)$/),
        },
      ]);
    }
    expect(out.after).toBe(0);
    expect(out.listed).toBe(true);
    expect(netnsNames()).toEqual(before);
  });

  it('an environment too large for execve(2) is E2BIG, as a NetnsError, from exec and spawn', async () => {
    const ns = await freshNamespace();
    const env = { BIG: 'x'.repeat(200 * 1024) }; // one string above MAX_ARG_STRLEN (128 KiB)
    const e = await ns.exec('true', [], { env }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NetnsError);
    expect(e).toMatchObject({
      code: 'E2BIG',
      errno: 7,
      message: expect.stringMatching(
        /^cannot run "true" in namespace ".*": the arguments and environment are too large/,
      ),
    });
    expect(() => ns.spawn('true', [], { env })).toThrow(NetnsError);
    // Arguments too: one above the per-string limit.
    await expect(ns.exec('true', ['y'.repeat(200 * 1024)])).rejects.toMatchObject({ code: 'E2BIG' });
    expect((await ns.exec('true')).exitCode).toBe(0); // nothing was left broken
    expect(Namespace.current()).toBeInstanceOf(Namespace);
  });
});
