import type Docker from 'dockerode';
import { posix } from 'node:path';
import { extract } from 'tar-stream';
import type { ImageFile } from './engine';

/**
 * Reads files and folders out of an image without running it (so it works on
 * shell-less scratch images): a created, never-started container is read
 * through the archive API. A path that is absent yields nothing; symlinks are
 * followed within the image.
 */
export async function readImagePaths(
  docker: Docker,
  image: string,
  paths: string[],
  keep: (path: string) => boolean = () => true,
): Promise<Map<string, ImageFile[]>> {
  const container = await docker.createContainer({ Image: image, Cmd: ['/nx-cnb-never-started'], Entrypoint: [] as unknown as string, NetworkDisabled: true });
  try {
    const result = new Map<string, ImageFile[]>();
    for (const path of paths) result.set(path, await readPath(container, path, 0, keep));
    return result;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

async function readPath(container: Docker.Container, path: string, depth: number, keep: (path: string) => boolean): Promise<ImageFile[]> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = (await container.getArchive({ path })) as NodeJS.ReadableStream;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return [];
    throw e;
  }
  const files: ImageFile[] = [];
  let link: string | undefined;
  const parent = posix.dirname(path);
  await new Promise<void>((resolve, reject) => {
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      // Entries are named after the requested basename; map them back to image paths.
      const inside = posix.join(parent, header.name);
      const wanted = header.type === 'file' && (inside === path || keep(inside));
      const chunks: Buffer[] = [];
      if (wanted) stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (header.type === 'symlink' && inside === path) link = header.linkname ?? undefined;
        if (wanted) files.push({ path: inside, content: Buffer.concat(chunks).toString('utf8') });
        next();
      });
      stream.resume();
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
    archive.on('error', reject);
    archive.pipe(tar);
  });
  if (link !== undefined && depth < 8) return readPath(container, posix.resolve(parent, link), depth + 1, keep);
  return files;
}
