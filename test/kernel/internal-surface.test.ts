/**
 * The addon's private surface does not trust its caller (defence in depth): lib/ validates
 * every input first, but a malformed call that reaches the addon anyway (a bug in lib/, or
 * someone calling it directly) is refused before anything is done, as an internal error
 * (a TypeError with `internal: true`, which lib/ reports as EINTERNAL), and changes nothing.
 */
import * as fs from 'node:fs';
import { NETNS_RUN_DIR } from 'netns-native';
import { fromNative } from '../../lib/internal/errors';
import { addon } from '../../lib/native/load';
import type { NativeHandle, NativeLink, NativeOp, NativeSocketRequest } from '../../lib/native/surface';
import { flatten, transactAsync } from '../../lib/native/wire';
import { uniqueName } from '../helpers/fresh';
import { netnsNames } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';

/** The error a call throws (synchronously) or rejects with. */
async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  return undefined;
}

async function expectInternal(call: () => unknown, says: RegExp): Promise<void> {
  const e = await failureOf(call);
  expect((e as Error | undefined)?.name).toBe('TypeError'); // (from the addon's realm, not jest's)
  expect(e).toMatchObject({ internal: true, message: expect.stringMatching(says) });
  const error = fromNative(e, 'call the addon', 'namespace');
  expect(error.code).toBe('EINTERNAL');
  expect(error.message).toMatch(/this is a bug in netns-native; please report it/);
}

describeKernel('the addon checks its own arguments', () => {
  let handle: NativeHandle;
  beforeAll(async () => {
    ({ handle } = await addon.createNamespace(NETNS_RUN_DIR, null)); // anonymous, ours alone
  });
  afterAll(() => addon.closeNamespace(handle));

  it("deleteNamespace(runDir, '../../x') removes nothing outside the run directory", async () => {
    const victim = `/run/nnt-victim-${uniqueName('')}`;
    fs.writeFileSync(victim, 'keep me');
    try {
      const rel = `../${victim.slice('/run/'.length)}`;
      await expectInternal(() => addon.deleteNamespace(NETNS_RUN_DIR, rel), /one path component/);
      await expectInternal(() => addon.deleteNamespace(NETNS_RUN_DIR, '../../x'), /one path component/);
      expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    } finally {
      fs.rmSync(victim, { force: true });
    }
  });

  it('namespace names and paths: one component, no NUL, an absolute run directory', async () => {
    const before = netnsNames();
    await expectInternal(() => addon.createNamespace(NETNS_RUN_DIR, '..'), /one path component/);
    await expectInternal(() => addon.createNamespace(NETNS_RUN_DIR, 'a/b'), /one path component/);
    await expectInternal(() => addon.createNamespace(NETNS_RUN_DIR, 'a\0b'), /NUL byte/);
    await expectInternal(() => addon.createNamespace(NETNS_RUN_DIR, ''), /empty/);
    await expectInternal(() => addon.createNamespace(NETNS_RUN_DIR, 'n'.repeat(256)), /longer than 255/);
    await expectInternal(() => addon.createNamespace('run/netns', 'x'), /must be absolute/);
    await expectInternal(() => addon.createNamespace(NETNS_RUN_DIR, 7 as never), /must be a string/);
    await expectInternal(() => addon.deleteNamespace(NETNS_RUN_DIR, 'x', 7 as never), /must be a bigint/);
    await expectInternal(() => addon.namespaceNameState(NETNS_RUN_DIR, '../x'), /one path component/);
    await expectInternal(() => addon.removeStaleNamespace(NETNS_RUN_DIR, '.'), /one path component/);
    // A NUL byte would make the C string stop early and open /proc/self/ns/net.
    await expectInternal(() => addon.openNamespace('/proc/self/ns/net\0x'), /NUL byte/);
    await expectInternal(() => addon.namespaceType('/proc/self/ns/net\0x'), /NUL byte/);
    await expectInternal(() => addon.attachNamespace(NETNS_RUN_DIR, '../x', handle), /one path component/);
    await expectInternal(() => addon.attachNamespace('run/netns', 'x', handle), /must be absolute/);
    await expectInternal(() => addon.attachNamespace(NETNS_RUN_DIR, 'x', '/proc/self/ns/net\0x'), /NUL byte/);
    await expectInternal(() => addon.attachNamespace(NETNS_RUN_DIR, 'x', 7 as never), /expected a namespace handle/);
    expect(netnsNames()).toEqual(before);
  });

  it('openSocket: kind, port range, backlog and address checked', async () => {
    const base: NativeSocketRequest = { kind: 'listen', address: '127.0.0.1', port: 0 };
    for (const [change, says] of [
      [{ port: 1e10 }, /port must be an integer from 0 to 65535/],
      [{ port: -1 }, /port must be an integer from 0 to 65535/],
      [{ port: 80.5 }, /port must be an integer/],
      [{ port: '80' }, /port must be a number/],
      [{ kind: 'raw' }, /kind must be 'listen', 'connect' or 'udp'/],
      [{ kind: 'connect', port: 0 }, /a connect needs a port/],
      [{ backlog: 0 }, /backlog must be an integer from 1/],
      [{ address: '300.1.1.1' }, /bad IP address/],
      [{ address: 'fe80::1%lo' }, /bad IP address/],
      // Read into a fixed buffer without a length query: a NUL, a string too long for any
      // address, a number, each refused as before.
      [{ address: '198.18.0.1\0x' }, /bad IP address/],
      [{ address: `${'0:'.repeat(40)}1` }, /bad IP address/],
      [{ address: 17 }, /IP address must be a string/],
    ] as Array<[Record<string, unknown>, RegExp]>) {
      await expectInternal(() => addon.openSocket(handle, { ...base, ...change } as NativeSocketRequest), says);
    }
    await expectInternal(() => addon.openSocket({} as NativeHandle, base), /expected a namespace handle/);
  });

  it('waitConnected, openIcmp and the ICMP socket check their numbers', async () => {
    await expectInternal(() => addon.waitConnected(-1, 100), /fd must be an integer from 0/);
    await expectInternal(() => addon.waitConnected(0, 0), /timeout must be an integer from 1/);
    await expectInternal(() => addon.openIcmp(handle, 5 as 4), /family must be 4 or 6/);
    const icmp = await addon.openIcmp(handle, 4);
    try {
      await expectInternal(() => icmp.send('127.0.0.1', 1, 1, 1e10), /payload length must be an integer from 16/);
      await expectInternal(() => icmp.send('127.0.0.1', 70000, 1, 56), /id must be an integer from 0 to 65535/);
      await expectInternal(() => icmp.send('::1', 1, 1, 56), /other family/);
      await expectInternal(() => icmp.read(-1), /id must be an integer/);
      await expectInternal(() => icmp.watch(undefined as never), /callback/);
    } finally {
      icmp.close();
    }
  });

  it('rtnetlink requests: a NUL byte in a name, a 16-byte name, a label on IPv6 are refused unsent', async () => {
    const name = uniqueName('n');
    const create = (link: Record<string, unknown>) =>
      flatten([{ op: 'newlink', flags: 0x600, link: { kind: 'bridge', ...link } } as NativeOp]);
    await expectInternal(() => addon.transactAsync(handle, create({ name: `${name}\0x` })), /contains a NUL byte/);
    await expectInternal(() => addon.transactAsync(handle, create({ name: 'abcdefghijklmnop' })), /IFNAMSIZ/);
    await expectInternal(
      () =>
        addon.transactAsync(
          handle,
          flatten([{ op: 'newaddr', address: { local: 'fd00::1', prefixlen: 64, index: 1, label: 'lo:1' } }]),
        ),
      /label is IPv4 only/,
    );
    await expectInternal(
      () =>
        addon.transactAsync(
          handle,
          flatten([
            { op: 'newaddr', address: { local: '198.18.5.1', prefixlen: 24, index: 1, broadcast: 'fd00::ff' } },
          ]),
        ),
      /broadcast of another family/,
    );
    const { results } = await transactAsync(handle, [{ op: 'dumplinks' }]);
    expect((results[0] as NativeLink[]).map((l) => l.name)).toEqual(['lo']); // nothing was created
  });
});
