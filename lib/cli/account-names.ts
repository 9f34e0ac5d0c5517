/**
 * User and group names by number, as ip prints a tun/tap's owner (getpwuid and getgrgid): the
 * first line of /etc/passwd or /etc/group (`NAME:PASSWORD:ID:...`) with that number, each file
 * read once (system-file.ts). Names NSS would find elsewhere (LDAP, systemd's dynamic users) are
 * not looked up: the number is printed, as ip prints it when no name is found. @internal
 */
import { parsedFile } from './system-file';

export const ETC_PASSWD = '/etc/passwd';
export const ETC_GROUP = '/etc/group';

/** The names of a passwd- or group-format text by number, the first line winning. */
export function parseAccounts(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name === undefined || name === '' || name.startsWith('#') || id === undefined || !/^[0-9]+$/.test(id)) {
      continue;
    }
    if (!names.has(Number(id))) names.set(Number(id), name);
  }
  return names;
}

/** The name `file` gives number `id`, or undefined. */
export function accountName(id: number, file: string): string | undefined {
  return parsedFile(file, parseAccounts).get(id);
}
