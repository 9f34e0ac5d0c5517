import { NetnsError, errnoName, failure, fromNative, fromNodeError, invalid } from '../../lib/internal/errors';

describe('NetnsError', () => {
  it('reads as a sentence ending in the code', () => {
    const e = new NetnsError({
      code: 'EEXIST',
      errno: 17,
      operation: 'create veth "veth-a"',
      reason: 'a link with that name already exists',
    });
    expect(e.message).toBe('cannot create veth "veth-a": a link with that name already exists (EEXIST)');
    expect(e.name).toBe('NetnsError');
    expect(e).toBeInstanceOf(Error);
    expect(e.stack).toContain('errors.test.ts');
  });

  it('uses the phrase for the subject when the kernel gave no text', () => {
    expect(fromNative({ errno: 17 }, 'create namespace "x"', 'namespace').message).toBe(
      'cannot create namespace "x": a namespace with that name already exists (EEXIST)',
    );
    expect(fromNative({ errno: 17 }, 'add route default', 'route').message).toMatch(/that route already exists/);
    expect(fromNative({ errno: 3 }, 'delete route x', 'route').message).toMatch(/no such route \(ESRCH\)$/);
  });

  it('names the capability a refusal (EPERM, EACCES) needed, from what was refused', () => {
    const cases: Array<[Parameters<typeof fromNative>[0], Parameters<typeof fromNative>[2], RegExp]> = [
      [{ errno: 1 }, 'link', /needs CAP_NET_ADMIN/],
      [{ errno: 1 }, 'route', /needs CAP_NET_ADMIN/],
      [{ errno: 1, syscall: 'setns(CLONE_NEWNET)' }, 'link', /needs CAP_SYS_ADMIN/],
      [
        { errno: 1, syscall: 'unshare(CLONE_NEWNET)' },
        'namespace',
        /needs CAP_SYS_ADMIN \(and write access to \/run\/netns\)/,
      ],
      [{ errno: 13, syscall: 'mkdir' }, 'namespace', /needs CAP_SYS_ADMIN/],
      [{ errno: 1, syscall: 'socket(SOCK_RAW)' }, 'ping', /needs CAP_NET_RAW \(a raw ICMP socket\)/],
      [{ errno: 13, syscall: 'bind' }, 'socket', /needs CAP_NET_BIND_SERVICE/],
    ];
    for (const [f, subject, reason] of cases) {
      const e = fromNative(f, 'op', subject);
      expect(e.message).toMatch(/^cannot op: permission denied/);
      // Root has every capability: then the refusal came from somewhere else, and it says so.
      expect(e.message).toMatch(process.getuid?.() === 0 ? /although this process has CAP_/ : reason);
      expect(e.message).toMatch(new RegExp(reason.source.replace(/^needs /, '').split(' ')[0] as string));
    }
  });

  it('a packet refused on its way out is no matter of capabilities: it says what refuses it', () => {
    // EACCES from a send: a broadcast destination without SO_BROADCAST, or a prohibit route.
    for (const [syscall, subject] of [
      ['sendto', 'ping'],
      ['connect', 'socket'],
      ['send', 'socket'],
    ] as const) {
      const e = fromNative({ errno: 13, syscall }, 'ping 198.18.0.255', subject);
      expect(e).toMatchObject({ code: 'EACCES', errno: 13 });
      expect(e.message).toBe(
        'cannot ping 198.18.0.255: the kernel refuses to send there: the destination is an IPv4 broadcast ' +
          'address (sending to one needs SO_BROADCAST, which is not set), or a prohibit route or rule covers it (EACCES)',
      );
    }
    // EPERM from a send: netfilter dropped it.
    const dropped = fromNative({ errno: 1, syscall: 'sendto' }, 'ping x', 'ping');
    expect(dropped).toMatchObject({ code: 'EPERM', errno: 1 });
    expect(dropped.message).toMatch(/^cannot ping x: the packet was refused on its way out: a firewall rule/);
    expect(dropped.message).not.toMatch(/CAP_/);
    // A netlink request refused still names the capability.
    expect(fromNative({ errno: 1, syscall: 'sendmsg(AF_NETLINK)' }, 'op', 'link').message).toMatch(/CAP_NET_ADMIN/);
  });

  it('EOPNOTSUPP says what cannot be done when the subject tells it: a delete, a master', () => {
    expect(fromNative({ errno: 95 }, 'delete link "lo"', 'link-delete').message).toBe(
      'cannot delete link "lo": only a link made through rtnetlink (ip link add) can be deleted, not lo or a ' +
        'physical device (EOPNOTSUPP)',
    );
    expect(fromNative({ errno: 95 }, 'attach "a" to "b"', 'master').message).toBe(
      'cannot attach "a" to "b": the master does not take this link as a port (EOPNOTSUPP)',
    );
    // Creating a link of a kind whose module is missing: the kernel's own case for it.
    expect(fromNative({ errno: 95 }, 'create x', 'link-create').message).toMatch(/module not loaded\?/);
  });

  it("prefers the kernel's extended-ack text, tidied", () => {
    const e = fromNative({ errno: 22, detail: 'Mtu greater than device maximum.' }, 'set MTU', 'link');
    expect(e.message).toBe('cannot set MTU: mtu greater than device maximum (EINVAL)');
    expect(e.detail).toBe('Mtu greater than device maximum.');
    expect(e.errno).toBe(22);
  });

  it('names errno values as Node does', () => {
    expect(errnoName(17)).toBe('EEXIST');
    expect(errnoName(95)).toBe('EOPNOTSUPP');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(9999)).toBe('E9999');
  });

  it('builds input errors and our own failures', () => {
    expect(invalid('op', 'bad')).toMatchObject({ code: 'EINVAL', errno: 22, message: 'cannot op: bad (EINVAL)' });
    expect(failure('EBADF', 'op', 'closed')).toMatchObject({ code: 'EBADF', errno: 9 });
  });

  it("reports failures that are not the kernel's as internal, saying it is a bug", () => {
    const e = fromNative(new TypeError('boom'), 'op', 'link');
    expect(e).toBeInstanceOf(NetnsError);
    expect(e.code).toBe('EINTERNAL');
    expect(e.message).toBe('cannot op: boom (this is a bug in netns-native; please report it) (EINTERNAL)');
  });

  it('normalises negative errno values (libuv convention) in one place', () => {
    expect(errnoName(-13)).toBe('EACCES');
    expect(fromNative({ errno: -24 }, 'op', 'namespace')).toMatchObject({ code: 'EMFILE', errno: 24 });
  });
});

describe('Node errors', () => {
  it("a libuv error (negative errno) reads like the kernel's, with its name, never E-98", () => {
    const uv = Object.assign(new Error('listen EADDRINUSE: address already in use :::80'), {
      errno: -98,
      code: 'EADDRINUSE',
    });
    const e = fromNodeError(uv, 'listen on [::]:80', 'socket');
    expect(e).toMatchObject({ code: 'EADDRINUSE', errno: 98 });
    expect(e.message).toBe(
      'cannot listen on [::]:80: that address and port are already in use in the namespace (EADDRINUSE)',
    );
  });
  it("one of Node's own errors is EIO with Node's message", () => {
    const node = Object.assign(new Error('Bad socket type specified'), { code: 'ERR_SOCKET_BAD_TYPE' });
    expect(fromNodeError(node, 'bind', 'socket')).toMatchObject({
      code: 'EIO',
      message: 'cannot bind: Bad socket type specified (EIO)',
    });
  });
});
