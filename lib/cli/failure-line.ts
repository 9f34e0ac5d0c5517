/**
 * The line a failure prints on stderr: `netns-native: CODE: message` (CODE the NetnsError's code,
 * an errno name; EIO for an error that has none).
 * @internal
 */
import { NetnsError } from '../index';

export function failureLine(e: unknown): string {
  if (e instanceof NetnsError) return `netns-native: ${e.code}: cannot ${e.operation}: ${e.reason}`;
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' && /^E[A-Z0-9]+$/.test(err.code) ? err.code : 'EIO';
  return `netns-native: ${code}: ${String(err?.message ?? e)}`;
}
