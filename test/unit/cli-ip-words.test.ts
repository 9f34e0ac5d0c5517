/**
 * ip's abbreviations of objects and subcommands (lib/cli/ip-words.ts), as iproute2 6.1 resolves
 * them: the first keyword, in ip's own order, that the word begins. The kernel side (the command
 * run with them, beside ip) is in test/kernel/cli-ip-more.test.ts.
 */
import { subcommandOf, verbOf } from '../../lib/cli/ip-words';

const VERBS = ['list', 'links', 'addrs', 'routes', 'exec', 'isolate', 'monitor', 'netns', 'link', 'addr', 'route'];
const ALL = [...VERBS, 'neigh', 'rule', 'nexthop', 'network', 'netconf', 'maddr', 'sysctl'];

describe('verbOf (ip.c cmds[])', () => {
  it.each([
    ['a', 'addr'],
    ['ad', 'addr'],
    ['addr', 'addr'],
    ['address', 'addr'],
    ['addrs', 'addrs'], // the command's own verb, as it is
    ['r', 'route'],
    ['ro', 'route'],
    ['ru', 'rule'],
    ['n', 'neigh'],
    ['ne', 'neigh'],
    ['neighbor', 'neigh'],
    ['neighbour', 'neigh'],
    ['net', 'netns'],
    ['netc', 'netconf'],
    ['nex', 'nexthop'],
    ['l', 'link'],
    ['li', 'link'],
    ['links', 'links'],
    ['list', 'list'],
    ['mo', 'monitor'],
    ['network', 'network'],
    ['sysctl', 'sysctl'],
    // ip.c's cmds[] has maddress third: m and ma are it, before monitor and mroute.
    ['m', 'maddr'],
    ['ma', 'maddr'],
    ['maddress', 'maddr'],
  ])('%s is %s', (word, verb) => {
    expect(verbOf(word, ALL)).toBe(verb);
  });

  it.each([['mr'], ['addrx'], ['t'], ['x'], ['netw'], ['lis'], ['']])(
    '%s is none (ip’s mroute, tunnel, ... or nothing)',
    (word) => {
      expect(verbOf(word, ALL)).toBeUndefined();
    },
  );
});

describe('subcommandOf (each ip*.c’s do_* order)', () => {
  it.each([
    ['addr', 'a', 'add'],
    ['addr', 's', 'show'],
    ['addr', 'ls', 'show'],
    ['addr', 'lst', 'show'],
    ['addr', 'd', 'delete'],
    ['addr', 'del', 'delete'],
    ['addr', 'r', 'replace'],
    ['addr', 'f', 'flush'],
    ['addr', 'c', 'change'],
    ['addr', 'sa', 'save'],
    ['route', 'a', 'add'],
    ['route', 'ap', 'append'],
    ['route', 'r', 'replace'],
    ['route', 'c', 'change'],
    ['route', 'chg', 'change'], // spelled out in iproute.c, not an abbreviation
    ['route', 'g', 'get'],
    ['route', 's', 'show'],
    ['route', 'sh', 'show'],
    ['route', 'l', 'show'],
    ['route', 'd', 'delete'],
    ['route', 'f', 'flush'],
    ['rule', 's', 'show'],
    ['rule', 'a', 'add'],
    ['rule', 'r', 'restore'],
    ['neigh', 's', 'show'],
    ['neigh', 'g', 'get'],
    ['neigh', 'r', 'replace'],
    ['link', 's', 'set'], // iplink.c: set before show
    ['link', 'sh', 'show'],
    ['link', 'c', 'set'],
    ['link', 'change', 'set'],
    ['link', 'd', 'delete'],
    ['link', 'l', 'show'],
    ['netns', 's', 'show'], // show before set
    ['netns', 'se', 'set'],
    ['netns', 'a', 'add'],
    ['netns', 'at', 'attach'],
    ['netns', 'list-id', 'list-id'],
    ['nexthop', 'ls', 'show'],
    ['nexthop', 'l', 'show'],
    ['nexthop', 'r', 'replace'],
    ['nexthop', 'b', 'bucket'],
    ['netconf', 'sh', 'show'],
    ['maddr', 'a', 'add'],
    ['maddr', 'd', 'delete'],
    ['maddr', 'del', 'delete'],
    ['maddr', 's', 'show'],
    ['maddr', 'ls', 'show'],
  ])('%s %s is %s', (verb, word, sub) => {
    expect(subcommandOf(verb, word)).toBe(sub);
  });

  it('a word that abbreviates none stays as it is; no word is none', () => {
    expect(subcommandOf('route', 'frob')).toBe('frob');
    expect(subcommandOf('route', 'adds')).toBe('adds');
    expect(subcommandOf('route', '')).toBe('');
    expect(subcommandOf('route', undefined)).toBeUndefined();
  });
});
