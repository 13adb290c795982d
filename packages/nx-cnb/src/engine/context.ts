import dockerignore from '@balena/dockerignore';
import { createReadStream, promises as fs } from 'node:fs';
import { join, posix } from 'node:path';
import { pack, type Pack } from 'tar-stream';
import type { TarEntry } from '../stack/image-contents';

/**
 * Streams a build context folder as tar, honouring its .dockerignore as the
 * docker CLI does. Symlinks are sent as links, never followed, so a link
 * loop or a link out of the context cannot pull in other files.
 */
export function contextTar(dir: string, dockerfile: string): Pack {
  const tar = pack();
  void (async () => {
    const ignore = dockerignore();
    const ignoreFile = await fs.readFile(join(dir, '.dockerignore'), 'utf8').catch(() => '');
    ignore.add(ignoreFile.split('\n'));
    // The Dockerfile and .dockerignore are always sent, whatever .dockerignore says.
    const keep = (rel: string) => rel === dockerfile || rel === '.dockerignore' || !ignore.ignores(rel);
    await addFolder(tar, dir, '', keep);
    tar.finalize();
  })().catch((e) => tar.destroy(e));
  return tar;
}

async function addFolder(tar: Pack, root: string, rel: string, keep: (rel: string) => boolean): Promise<void> {
  const entries = await fs.readdir(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const name = rel ? posix.join(rel, entry.name) : entry.name;
    if (!keep(name)) continue;
    const full = join(root, name);
    const stat = await fs.lstat(full);
    const header = { name, mode: stat.mode & 0o7777, mtime: stat.mtime, uid: 0, gid: 0 };
    if (stat.isSymbolicLink()) {
      tar.entry({ ...header, type: 'symlink', linkname: await fs.readlink(full) });
    } else if (stat.isDirectory()) {
      tar.entry({ ...header, type: 'directory' });
      await addFolder(tar, root, name, keep);
    } else if (stat.isFile()) {
      await addFile(tar, { ...header, size: stat.size }, full);
    }
  }
}

function addFile(tar: Pack, header: { name: string; mode: number; mtime: Date; size: number }, full: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = tar.entry({ ...header, type: 'file' }, (err) => (err ? reject(err) : resolve()));
    createReadStream(full).on('error', reject).pipe(sink);
  });
}

/** A tar of in-memory files, for the small contexts nx-cnb writes itself. */
export function memoryTar(files: TarEntry[]): Pack {
  const tar = pack();
  for (const f of files) {
    const type = f.type ?? 'file';
    tar.entry({ name: f.name, mode: f.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: f.uid ?? 0, gid: f.gid ?? 0, type, mtime: new Date(0) }, f.content);
  }
  tar.finalize();
  return tar;
}

export async function toBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
