/** Reading what a builder's local lifecycle tarball can run, and which of its local files are missing. */
import { createReadStream, existsSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { type BuilderToml, localFileUris } from '../builder/builder-toml';
import { knownLifecycleApis, type LifecycleApis, parseLifecycleToml } from '../builder/lifecycle';
import { ConfigError } from '../errors';

/** The lifecycle.toml inside a lifecycle tarball (pack's [lifecycle] uri), or undefined when it has none. */
async function lifecycleTomlOf(tarball: string): Promise<string | undefined> {
  let text: string | undefined;
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    const wanted = header.name.replace(/^\.\//, '') === 'lifecycle.toml';
    stream.on('data', (chunk: Buffer) => wanted && chunks.push(chunk));
    stream.on('end', () => {
      if (!wanted) return next();
      text = Buffer.concat(chunks).toString('utf8');
      // lifecycle.toml comes first in the lifecycle's own tarballs: the rest (10 MB of binaries) is not read.
      tar.destroy();
    });
  });
  await pipeline(createReadStream(tarball), createGunzip(), tar).catch((e: unknown) => {
    if (text === undefined) throw e;
  });
  return text;
}

/**
 * The Buildpack APIs of the lifecycle a builder names: read from a local
 * tarball, or known for the version nx-cnb is tested with; undefined when
 * pack will download one nx-cnb cannot see.
 */
export async function builderLifecycleApis(workspaceRoot: string, builder: BuilderToml): Promise<LifecycleApis | undefined> {
  const { uri, version } = builder.lifecycle ?? {};
  if (version) return knownLifecycleApis(version);
  const local = localFileUris(posix.dirname(builder.file), builder).find((f) => f.field === 'lifecycle.uri');
  if (!uri || !local) return undefined;
  const path = isAbsolute(local.path) ? local.path : join(workspaceRoot, local.path);
  const text = await lifecycleTomlOf(path).catch(() => undefined);
  return text === undefined ? undefined : parseLifecycleToml(`${local.uri} (lifecycle.toml)`, text);
}

/** Every local file a builder.toml names (buildpack archives, the lifecycle tarball) that is not there, as pack would find only later. */
export function missingLocalFiles(workspaceRoot: string, builder: BuilderToml): ConfigError[] {
  return localFileUris(posix.dirname(builder.file), builder)
    .filter(({ path }) => !existsSync(isAbsolute(path) ? path : join(workspaceRoot, path)))
    .map(
      ({ field, uri }) =>
        new ConfigError(
          builder.file,
          field,
          "a file that exists (pack resolves a relative path from builder.toml's folder)",
          `${JSON.stringify(uri)}, which is not there`,
        ),
    );
}
