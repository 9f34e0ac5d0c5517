/**
 * Shell wildcard patterns as fnmatch(3) reads them with no flags, which is how `ip addr ...
 * label PATTERN` matches labels (iproute2's ipaddress.c: `fnmatch(filter.label, label, 0)`):
 * `*` any run of characters, `?` any one, `[abc]`, `[a-z]`, `[!a]` or `[^a]` one of (or none
 * of) a set, `\` takes the next character literally. Nothing is special about `/` or a leading
 * `.` (those are FNM_PATHNAME and FNM_PERIOD, which ip does not pass). A `[` with no closing
 * `]` is a literal `[`, as in glibc. Character classes (`[[:alpha:]]`) are refused rather than
 * read differently from fnmatch, and so is a pattern ending in a lone `\`, which matches nothing.
 */
import { invalid } from './errors';

/** One element of a compiled pattern. */
type Part = { any: true } | { one: true } | { char: string } | { set: Array<[string, string]>; negated: boolean };

/** A compiled pattern; {@link matchGlob} runs it. */
export type Glob = readonly Part[];

/**
 * Compiles `pattern`.
 * @throws NetnsError EINVAL for a character class or a trailing lone `\`, saying so.
 */
export function compileGlob(pattern: string, operation: string, what: string): Glob {
  const parts: Part[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (!(parts.at(-1) as { any?: true } | undefined)?.any) parts.push({ any: true });
    } else if (c === '?') {
      parts.push({ one: true });
    } else if (c === '\\') {
      // fnmatch matches nothing with a pattern that ends in an unpaired `\`.
      if (i + 1 === pattern.length) {
        throw invalid(
          operation,
          `the ${what} ${JSON.stringify(pattern)} ends in a lone \\ (write \\\\ for a backslash)`,
        );
      }
      parts.push({ char: pattern[++i] as string });
    } else if (c === '[') {
      const set = bracket(pattern, i, operation, what);
      if (set === undefined) parts.push({ char: '[' });
      else {
        parts.push(set.part);
        i = set.end;
      }
    } else {
      parts.push({ char: c });
    }
  }
  return parts;
}

/** The bracket expression opening at `start`, and the index of its `]`; undefined if unclosed. */
function bracket(
  pattern: string,
  start: number,
  operation: string,
  what: string,
): { part: Part; end: number } | undefined {
  let i = start + 1;
  const negated = pattern[i] === '!' || pattern[i] === '^';
  if (negated) i++;
  const set: Array<[string, string]> = [];
  // A `]` first in the set is one of its members, not its end.
  for (let first = true; i < pattern.length; first = false) {
    if (pattern[i] === ']' && !first) return { part: { set, negated }, end: i };
    if (/^\[:[a-z]+:\]/.test(pattern.slice(i))) {
      throw invalid(
        operation,
        `the ${what} ${JSON.stringify(pattern)} has a character class ([:...:]), which is not supported: list the characters instead ([a-z])`,
      );
    }
    const [from, next] = member(pattern, i);
    if (pattern[next] === '-' && next + 1 < pattern.length && pattern[next + 1] !== ']') {
      const [to, after] = member(pattern, next + 1);
      set.push([from, to]);
      i = after;
    } else {
      set.push([from, from]);
      i = next;
    }
  }
  return undefined;
}

/** The character of a set at `i` (`\x` is x), and the index after it. */
function member(pattern: string, i: number): [string, number] {
  if (pattern[i] === '\\' && i + 1 < pattern.length) return [pattern[i + 1] as string, i + 2];
  return [pattern[i] as string, i + 1];
}

/** Whether `text` matches all of `glob` (where fnmatch returns 0). */
export function matchGlob(glob: Glob, text: string): boolean {
  // The classic walk: on a mismatch, let the last `*` take one more character and go on from
  // there (earlier stars need never give back: any run the later one could take is still open).
  let p = 0;
  let t = 0;
  let star = -1;
  let starAt = 0;
  while (t < text.length) {
    const part = glob[p];
    if (part !== undefined && 'any' in part) {
      star = p++;
      starAt = t;
    } else if (part !== undefined && matchesOne(part, text[t] as string)) {
      p++;
      t++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++starAt;
    } else {
      return false;
    }
  }
  while (p < glob.length && 'any' in (glob[p] as Part)) p++;
  return p === glob.length;
}

function matchesOne(part: Part, c: string): boolean {
  if ('char' in part) return part.char === c;
  if ('set' in part) return part.set.some(([from, to]) => c >= from && c <= to) !== part.negated;
  return 'one' in part;
}
