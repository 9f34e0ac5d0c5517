/**
 * Address lifetimes (IFA_CACHEINFO) and `ip addr replace`, with `ip -j addr` as the witness:
 * valid_life_time / preferred_life_time, 4294967295 for forever.
 */
import { VethPair, type Link, type Namespace } from 'netns-native';
import { freshNamespace, uniqueName } from '../helpers/fresh';
import { ip, ipJson, snapshot } from '../helpers/ip';
import { describeKernel } from '../helpers/skip';
import { waitFor } from '../helpers/wait';

const FOREVER = 4294967295;

interface IpLifetimes {
  local: string;
  prefixlen: number;
  valid_life_time: number;
  preferred_life_time: number;
  dynamic?: boolean;
  deprecated?: boolean;
  nodad?: boolean;
}

const lifetimesOf = (ns: Namespace, dev: Link, local: string): IpLifetimes | undefined =>
  ipJson<Array<{ addr_info: IpLifetimes[] }>>(ns.name, 'addr', 'show', 'dev', dev.name)
    .flatMap((l) => l.addr_info)
    .find((a) => a.local === local);

async function withLink(): Promise<{ ns: Namespace; dev: Link }> {
  const ns = await freshNamespace();
  const { local } = await VethPair.create({ name: uniqueName('a'), peerName: uniqueName('b'), namespace: ns });
  return { ns, dev: local };
}

describeKernel('address lifetimes', () => {
  it('valid and preferred lifetimes as `ip addr add ... valid_lft 100 preferred_lft 50` sets them; listed counting down', async () => {
    const { ns, dev } = await withLink();
    await dev.addAddress('198.18.50.1/24', { validLifetime: 100, preferredLifetime: 50 });
    await dev.addAddress('fd00:50::1/64', { validLifetime: 200, preferredLifetime: 0, nodad: true });
    await dev.addAddress('198.18.51.1/24');
    const v4 = lifetimesOf(ns, dev, '198.18.50.1');
    expect(v4).toMatchObject({ dynamic: true });
    expect(v4?.valid_life_time).toBeGreaterThan(95);
    expect(v4?.valid_life_time).toBeLessThanOrEqual(100);
    expect(v4?.preferred_life_time).toBeGreaterThan(45);
    expect(v4?.preferred_life_time).toBeLessThanOrEqual(50);
    // preferred 0: deprecated at once (not used as a source for new connections).
    expect(lifetimesOf(ns, dev, 'fd00:50::1')).toMatchObject({ preferred_life_time: 0, deprecated: true });
    expect(lifetimesOf(ns, dev, '198.18.51.1')).toMatchObject({
      valid_life_time: FOREVER,
      preferred_life_time: FOREVER,
    });

    const mine = await dev.addresses();
    const a4 = mine.find((a) => a.address === '198.18.50.1');
    expect(a4?.validLifetime).toBeGreaterThan(95);
    expect(a4?.validLifetime).toBeLessThanOrEqual(100);
    expect(a4?.preferredLifetime).toBeGreaterThan(45);
    expect(a4?.preferredLifetime).toBeLessThanOrEqual(50);
    expect(a4?.flags).not.toContain('permanent');
    expect(mine.find((a) => a.address === 'fd00:50::1')).toMatchObject({ preferredLifetime: 0 });
    expect(mine.find((a) => a.address === 'fd00:50::1')?.flags).toContain('deprecated');
    // Forever: no lifetime listed.
    const forever = mine.find((a) => a.address === '198.18.51.1');
    expect(forever).toBeDefined();
    expect(forever?.validLifetime).toBeUndefined();
    expect(forever?.preferredLifetime).toBeUndefined();
    expect(forever?.flags).toContain('permanent');
  });

  it('validLifetime alone: preferred until it expires; preferredLifetime alone: valid forever', async () => {
    const { ns, dev } = await withLink();
    await dev.addAddress('198.18.52.1/24', { validLifetime: 300 });
    await dev.addAddress('fd00:53::1/64', { preferredLifetime: 60, nodad: true });
    await dev.addAddress('198.18.53.1/24', { preferredLifetime: 0 });
    await dev.addAddress('198.18.54.1/24', { validLifetime: 'forever', preferredLifetime: 'forever' });
    const a = lifetimesOf(ns, dev, '198.18.52.1');
    expect(a?.valid_life_time).toBeGreaterThan(290);
    expect(a?.preferred_life_time).toBe(a?.valid_life_time);
    const b = lifetimesOf(ns, dev, 'fd00:53::1');
    expect(b?.valid_life_time).toBe(FOREVER);
    expect(b?.preferred_life_time).toBeLessThanOrEqual(60);
    expect(b?.preferred_life_time).toBeGreaterThan(50);
    expect((await dev.addresses()).find((x) => x.address === 'fd00:53::1')).toMatchObject({
      preferredLifetime: b?.preferred_life_time,
    });
    // IPv4, valid forever: preferred 0 deprecates it (the kernel then lists preferred forever).
    expect(lifetimesOf(ns, dev, '198.18.53.1')).toMatchObject({ deprecated: true, preferred_life_time: FOREVER });
    expect((await dev.addresses()).find((x) => x.address === '198.18.53.1')?.flags).toContain('deprecated');
    expect(lifetimesOf(ns, dev, '198.18.54.1')).toMatchObject({
      valid_life_time: FOREVER,
      preferred_life_time: FOREVER,
    });
  });

  it('replace: adds, or renews the lifetimes of the address the link has (ip addr replace); without it EEXIST', async () => {
    const { ns, dev } = await withLink();
    await dev.addAddress('198.18.55.1/24', { validLifetime: 100, preferredLifetime: 50, replace: true });
    expect(lifetimesOf(ns, dev, '198.18.55.1')?.valid_life_time).toBeLessThanOrEqual(100);
    await expect(dev.addAddress('198.18.55.1/24', { validLifetime: 500 })).rejects.toMatchObject({ code: 'EEXIST' });
    await dev.addAddress('198.18.55.1/24', { validLifetime: 1000, preferredLifetime: 900, replace: true });
    const renewed = lifetimesOf(ns, dev, '198.18.55.1');
    expect(renewed?.valid_life_time).toBeGreaterThan(990);
    expect(renewed?.preferred_life_time).toBeGreaterThan(890);
    // Replaced without lifetimes: forever again, as `ip addr replace` without them does.
    await dev.addAddress('198.18.55.1/24', { replace: true });
    expect(lifetimesOf(ns, dev, '198.18.55.1')).toMatchObject({
      valid_life_time: FOREVER,
      preferred_life_time: FOREVER,
    });
    // IPv6 too, and one address only throughout.
    await dev.addAddress('fd00:55::1/64', { nodad: true, validLifetime: 100 });
    await dev.addAddress('fd00:55::1/64', { nodad: true, validLifetime: 800, replace: true });
    expect(lifetimesOf(ns, dev, 'fd00:55::1')?.valid_life_time).toBeGreaterThan(790);
    const all = ipJson<Array<{ addr_info: IpLifetimes[] }>>(ns.name, 'addr', 'show', 'dev', dev.name).flatMap(
      (l) => l.addr_info,
    );
    expect(all.filter((x) => x.local === '198.18.55.1' || x.local === 'fd00:55::1')).toHaveLength(2);
  });

  it('an address whose valid lifetime ends is removed by the kernel', async () => {
    const { ns, dev } = await withLink();
    await dev.addAddress('198.18.56.1/24', { validLifetime: 1 });
    expect(lifetimesOf(ns, dev, '198.18.56.1')).toBeDefined();
    // IPv4 lifetimes are checked about once a second (check_lifetime), IPv6 by addrconf_verify.
    await waitFor(() => lifetimesOf(ns, dev, '198.18.56.1') === undefined, {
      what: 'the kernel to remove 198.18.56.1 when its lifetime ended',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    expect((await dev.addresses()).find((a) => a.address === '198.18.56.1')).toBeUndefined();
  });

  it('bad lifetimes and replace are EINVAL before anything is sent', async () => {
    const { ns, dev } = await withLink();
    ip(ns.name, 'addr', 'add', '198.18.57.1/24', 'dev', dev.name);
    const before = snapshot(ns.name);
    const cases: Array<[object, RegExp]> = [
      [{ validLifetime: 0 }, /validLifetime must be 'forever' or a number of seconds from 1 to 4294967294, not 0/],
      [{ validLifetime: -5 }, /validLifetime must be 'forever' or a number of seconds from 1 to 4294967294, not -5/],
      [{ validLifetime: 4294967295 }, /validLifetime must be 'forever' or a number of seconds from 1 to 4294967294/],
      [{ validLifetime: 1.5 }, /validLifetime must be/],
      [{ validLifetime: '100' }, /validLifetime must be .*, not "100"/],
      [{ validLifetime: 'never' }, /validLifetime must be .*, not "never"/],
      [
        { preferredLifetime: -1 },
        /preferredLifetime must be 'forever' or a number of seconds from 0 to 4294967294, not -1/,
      ],
      [{ preferredLifetime: null }, /preferredLifetime must be .*, not null/],
      [
        { validLifetime: 100, preferredLifetime: 200 },
        /the preferred lifetime \(200 s\) is longer than the valid one \(100 s\)/,
      ],
      [
        { validLifetime: 100, preferredLifetime: 'forever' },
        /the preferred lifetime \(forever\) is longer than the valid one \(100 s\)/,
      ],
      [{ replace: 'yes' }, /replace must be true or false, not "yes"/],
    ];
    for (const [options, message] of cases) {
      for (const cidr of ['198.18.57.1/24', 'fd00:57::1/64']) {
        await expect(dev.addAddress(cidr, options)).rejects.toMatchObject({
          code: 'EINVAL',
          message: expect.stringMatching(message),
        });
      }
    }
    // What the kernel would ignore: a preferred lifetime on an IPv4 address valid forever.
    await expect(dev.addAddress('198.18.58.1/24', { preferredLifetime: 60 })).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(
        /an IPv4 address valid forever stays preferred forever .*give a validLifetime too/,
      ),
    });
    expect(snapshot(ns.name)).toBe(before);
    // The operation names the verb.
    await expect(dev.addAddress('198.18.57.1/24', { replace: true, validLifetime: 0 })).rejects.toMatchObject({
      message: expect.stringContaining(`cannot replace address 198.18.57.1/24 on`),
    });
  });
});
