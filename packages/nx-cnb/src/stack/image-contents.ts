/** Pure readers and writers of what an image holds: /etc/os-release, dpkg's package database, /etc/passwd. */

export interface OsRelease {
  id: string;
  versionId: string;
  versionCodename?: string;
  prettyName?: string;
}

export function parseOsRelease(text: string): OsRelease {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2].replace(/^["']|["']$/g, '');
  }
  return { id: values.ID ?? 'unknown', versionId: values.VERSION_ID ?? '', versionCodename: values.VERSION_CODENAME, prettyName: values.PRETTY_NAME };
}

/**
 * /etc/os-release with some values replaced (or added at the end), as jam
 * rebrands run images. Unlike jam, which rewrites the file in map order and
 * drops comments, every other line stays as it was, in its place.
 */
export function withOsReleaseValues(text: string, values: Record<string, string>): string {
  const pending = new Map(Object.entries(values));
  const lines = text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      const key = /^([A-Z0-9_]+)=/.exec(line)?.[1];
      if (key === undefined || !pending.has(key)) return line;
      const value = pending.get(key)!;
      pending.delete(key);
      return `${key}=${osReleaseQuoted(value)}`;
    });
  for (const [key, value] of pending) lines.push(`${key}=${osReleaseQuoted(value)}`);
  return lines.join('\n') + '\n';
}

// os-release(5): a double-quoted shell string, with backslash, quote, dollar and backtick escaped.
function osReleaseQuoted(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

export interface Package {
  name: string;
  version: string;
  architecture: string;
  source?: string;
  /** Debian short license names from the package's machine-readable copyright file, where it has one. */
  licenses?: string[];
}

/**
 * Packages from dpkg's status file, or from the per-package files of
 * status.d/ that distroless-style images (tiny, static) keep instead.
 */
export function parseDpkgPackages(files: { path: string; content: string }[]): Package[] {
  const packages: Package[] = [];
  for (const file of files) {
    if (file.path.endsWith('.md5sums')) continue;
    for (const paragraph of file.content.split(/\n\s*\n/)) {
      const fields = controlFields(paragraph);
      if (!fields.Package) continue;
      // status lists removed packages too; status.d entries have no Status field.
      if (fields.Status && !fields.Status.endsWith(' installed')) continue;
      packages.push({ name: fields.Package, version: fields.Version ?? '', architecture: fields.Architecture ?? '', source: fields.Source?.split(' ')[0] });
    }
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name));
}

function controlFields(paragraph: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of paragraph.split('\n')) {
    const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (match) fields[match[1]] = match[2];
  }
  return fields;
}

export interface CnbUser {
  uid: number;
  gid: number;
  shell: string;
}

/**
 * /etc/passwd and /etc/group with the cnb user and group added, as
 * `jam create-stack` adds them. An existing cnb entry is replaced, so a
 * Dockerfile that already made one does not end up with two.
 */
export function withCnbUser(passwd: string | undefined, group: string | undefined, user: CnbUser): { passwd: string; group: string } {
  const put = (text: string | undefined, entry: string) => {
    const lines = (text ?? '').split('\n').filter((l) => l !== '' && !l.startsWith('cnb:'));
    return [...lines, entry].join('\n') + '\n';
  };
  const gidTaken = (group ?? '').split('\n').find((l) => l.split(':')[2] === String(user.gid) && !l.startsWith('cnb:'));
  return {
    passwd: put(passwd, `cnb:x:${user.uid}:${user.gid}::/home/cnb:${user.shell}`),
    // A group that already has the gid serves; adding a second name for it would confuse tools.
    group: gidTaken ? (group ?? '') : put(group, `cnb:x:${user.gid}:`),
  };
}

/** An entry of a small tar that nx-cnb writes itself. */
export interface TarEntry {
  name: string;
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  type?: 'file' | 'directory';
}

/**
 * The layer decorating adds: the cnb user (/etc/passwd, /etc/group and a
 * home the user owns) and, for a rebranded run image, its /etc/os-release as
 * a regular file (it replaces Debian's symlink to /usr/lib/os-release).
 */
export function decorationLayer(users: { passwd: string; group: string }, user: CnbUser, osRelease?: string): TarEntry[] {
  return [
    { name: 'etc', type: 'directory', mode: 0o755 },
    { name: 'etc/passwd', content: users.passwd, mode: 0o644 },
    { name: 'etc/group', content: users.group, mode: 0o644 },
    ...(osRelease === undefined ? [] : [{ name: 'etc/os-release', content: osRelease, mode: 0o644 }]),
    { name: 'home', type: 'directory', mode: 0o755 },
    { name: 'home/cnb', type: 'directory', mode: 0o755, uid: user.uid, gid: user.gid },
  ];
}
