/**
 * Label patterns (`ip addr flush label PATTERN`) match as glibc's fnmatch(pattern, label, 0)
 * does, which is what ip calls. The table's answers are fnmatch's (checked through Python's
 * ctypes); with python3 present, thousands of random patterns are also put to fnmatch itself.
 */
import { execFileSync } from 'node:child_process';
import { compileGlob, matchGlob } from '../../lib/internal/glob';
import { NetnsError } from '../../lib/internal/errors';

const matches = (pattern: string, text: string): boolean => matchGlob(compileGlob(pattern, 'op', 'label'), text);

/** [pattern, label, fnmatch's answer] */
const table: Array<[string, string, boolean]> = [
  ['eth0', 'eth0', true],
  ['eth0', 'eth1', false],
  ['eth0:*', 'eth0', false],
  ['eth0:*', 'eth0:1', true],
  ['eth0:*', 'eth0:web', true],
  ['eth0:?', 'eth0:1', true],
  ['eth0:?', 'eth0:12', false],
  ['*', '', true],
  ['?', '', false],
  ['*:*', 'eth0', false],
  ['e*0', 'eth0', true],
  ['e*0', 'eth0:0', true],
  ['eth[0-9]', 'eth7', true],
  ['eth[0-9]', 'etha', false],
  ['eth[!0-9]', 'etha', true],
  ['eth[^0-9]', 'eth3', false],
  ['eth[]]', 'eth]', true],
  ['eth[!]]', 'eth]', false],
  ['eth[a-]', 'eth-', true],
  ['eth[', 'eth[', true],
  ['eth[0', 'eth[0', true],
  ['eth\\*', 'eth*', true],
  ['eth\\*', 'eth0', false],
  ['eth[\\]]', 'eth]', true],
  ['*/*', 'a/b', true],
  ['*', '.', true],
  ['?eth', '.eth', true],
  ['**0', 'eth0', true],
  ['*a*a*a*b', 'aaaaaaaaaaaaaa', false],
  ['[a-c-e]', 'd', false],
  ['[a-c-e]', '-', true],
  ['[z-a]', 'm', false],
];

/** Whether python3 with ctypes and glibc is here, to ask fnmatch itself. */
function python(): boolean {
  try {
    execFileSync('python3', ['-c', 'import ctypes; ctypes.CDLL("libc.so.6").fnmatch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('label patterns (fnmatch)', () => {
  it.each(table)('%j against %j: %s', (pattern, text, expected) => {
    expect(matches(pattern, text)).toBe(expected);
  });

  it('refuses what it would read otherwise than fnmatch: a character class, a lone trailing backslash', () => {
    for (const [pattern, reason] of [
      ['eth[[:digit:]]', /has a character class \(\[:\.\.\.:\]\), which is not supported/],
      ['eth0\\', /ends in a lone \\ \(write \\\\ for a backslash\)/],
    ] as const) {
      let error: unknown;
      try {
        compileGlob(pattern, 'flush addresses', 'label');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NetnsError);
      expect(error).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(reason) });
    }
  });

  const withPython = python();
  if (!withPython) console.warn('netns-native: skipping the comparison with glibc fnmatch: no python3 with ctypes');
  (withPython ? it : it.skip)('agrees with glibc fnmatch on 5000 random patterns', () => {
    const script = [
      'import ctypes, json, random, sys',
      'libc = ctypes.CDLL("libc.so.6")',
      'random.seed(int(sys.argv[1]))',
      'out = []',
      'for _ in range(5000):',
      '    p = "".join(random.choice("ab:-]![^\\\\*?ab") for _ in range(random.randint(0, 7)))',
      '    t = "".join(random.choice("ab:-]![^\\\\") for _ in range(random.randint(0, 6)))',
      '    out.append([p, t, libc.fnmatch(p.encode(), t.encode(), 0) == 0])',
      'print(json.dumps(out))',
    ].join('\n');
    const seed = String(Date.now() % 100000);
    const cases = JSON.parse(execFileSync('python3', ['-c', script, seed], { encoding: 'utf8' })) as Array<
      [string, string, boolean]
    >;
    const wrong: string[] = [];
    for (const [pattern, text, expected] of cases) {
      let got: boolean;
      try {
        got = matches(pattern, text);
      } catch {
        // Refused: only patterns fnmatch matches with nothing (a lone trailing backslash).
        got = false;
      }
      if (got !== expected) wrong.push(`${JSON.stringify(pattern)} ${JSON.stringify(text)}: fnmatch ${expected}`);
    }
    expect({ seed, wrong }).toEqual({ seed, wrong: [] });
  });
});
