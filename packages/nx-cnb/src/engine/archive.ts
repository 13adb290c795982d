import type Docker from 'dockerode';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/**
 * Saves an image to a tar archive. The archive appears under its final name
 * only once complete, so an interrupted save never leaves a file that a later
 * run could take for a good one.
 */
export async function saveImage(docker: Docker, ref: string, file: string): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    const stream = (await docker.getImage(ref).get()) as NodeJS.ReadableStream;
    await pipeline(stream, createWriteStream(partial));
    await fs.rename(partial, file);
  } finally {
    await fs.rm(partial, { force: true });
  }
}

export async function loadImage(docker: Docker, file: string): Promise<void> {
  const stream = await docker.loadImage(createReadStream(file), { quiet: true });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
      const failed = events?.find((e) => e.error);
      if (err || failed) reject(new Error(`loading ${file} failed: ${err?.message ?? failed?.error}`));
      else resolve();
    }),
  );
}

/** The image's inspect data, or undefined when the engine lacks it. */
export async function inspectImage(docker: Docker, ref: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(ref).inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}
