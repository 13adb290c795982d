/** Digests of local files and folders by what pack reads from them: names, content, whether executable, link targets. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * The digest of a file's content, or of a folder's every entry (relative
 * path, type, executable bit, content or link target) in a fixed order.
 * Undefined when nothing is at the path.
 */
export async function contentDigest(path: string): Promise<string | undefined> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat) return undefined;
  if (!stat.isDirectory())
    return `sha256:${
      stat.isSymbolicLink()
        ? createHash('sha256')
            .update(await readlink(path))
            .digest('hex')
        : await fileDigest(path)
    }`;
  const lines: string[] = [];
  const walk = async (relative: string) => {
    const entries = (await readdir(join(path, relative), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      const full = join(path, name);
      if (entry.isDirectory()) {
        lines.push(`d ${name}`);
        await walk(name);
      } else if (entry.isSymbolicLink()) lines.push(`l ${name} ${await readlink(full)}`);
      else if (entry.isFile()) lines.push(`${(await lstat(full)).mode & 0o111 ? 'x' : 'f'} ${name} ${await fileDigest(full)}`);
    }
  };
  await walk('');
  return `sha256:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
}
