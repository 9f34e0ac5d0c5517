/**
 * Files of /etc the command reads for names (/etc/protocols, /etc/passwd, /etc/group), each read
 * and parsed once per process (the command is one), on first need; a file that cannot be read is
 * empty text, so its names are not found and the numbers are printed, as ip prints them. @internal
 */
import * as fs from 'node:fs';

/** What each parser made of each file. */
const parsed = new WeakMap<(text: string) => unknown, Map<string, unknown>>();

/** `parse` of `file`'s text ('' when it cannot be read), kept for the process by parser and file. */
export function parsedFile<T>(file: string, parse: (text: string) => T): T {
  let byFile = parsed.get(parse);
  if (byFile === undefined) parsed.set(parse, (byFile = new Map()));
  if (byFile.has(file)) return byFile.get(file) as T;
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // No file: no names.
  }
  const value = parse(text);
  byFile.set(file, value);
  return value;
}
