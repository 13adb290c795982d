/**
 * What an image was built from, as nx-cnb can vouch for it without Nx: the
 * committed state of its files and the options and environment its task
 * hashes. Recorded in the receipt; a release target that finds the same
 * sources now can trust the receipt without running the image task, which an
 * Nx cache hit would answer by copying the saved images (gigabytes) back out
 * of the cache when no Nx daemon keeps track of the outputs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import type { BuildImageExecutorOptions } from '../executors/build-image/schema';
import type { StackImage } from '../stack/stack';

/** The build options that decide what an image task makes (its target options, as the plugin infers them). */
export type BuildIdentity = Pick<BuildImageExecutorOptions, 'stack' | 'image' | 'outputPath' | 'repository' | 'tags' | 'platform' | 'mixinsFrom'> & {
  archive: boolean;
};

/** The same for the options as inferred and as the executor receives them (with the schema's defaults: tags ["latest"], archive true). */
export function buildIdentity(options: BuildImageExecutorOptions): BuildIdentity {
  const { stack, image, outputPath, repository, platform, mixinsFrom } = options;
  const identity = { stack, image, outputPath, repository, tags: options.tags ?? ['latest'], platform, mixinsFrom, archive: options.archive !== false };
  return JSON.parse(JSON.stringify(identity)) as BuildIdentity; // without the keys the options leave out
}

/** Where an image's files are: the whole stack folder (a superset of the task's inputs), and its own folders outside it. */
export function imageSourcePaths(stackRoot: string, image: Pick<StackImage, 'context' | 'dockerfile' | 'stackToml'>): string[] {
  const outside = [image.context, image.dockerfile, image.stackToml].filter((p) => p.startsWith('..')).map((p) => posix.join(stackRoot, p));
  return [...new Set([stackRoot, ...outside])];
}

/**
 * A fingerprint of an image's sources: the git objects of its paths at HEAD,
 * the build identity, the environment its task takes as input and this
 * nx-cnb's version. Undefined when nx-cnb cannot vouch: outside a git
 * checkout, or with uncommitted changes (untracked files included) under
 * those paths.
 */
export async function imageSources(
  workspaceRoot: string,
  paths: string[],
  identity: BuildIdentity,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const git = async (...args: string[]) => (await promisify(execFile)('git', ['-C', workspaceRoot, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  try {
    if ((await git('status', '--porcelain', '--untracked-files=all', '--', ...paths)) !== '') return undefined;
    const objects = await git('ls-tree', '--full-tree', 'HEAD', '--', ...paths);
    const inputs = { objects, identity, env: { SOURCE_DATE_EPOCH: env.SOURCE_DATE_EPOCH ?? null, NX_CNB_BUILDER: env.NX_CNB_BUILDER ?? null } };
    return `sha256:${createHash('sha256')
      .update(JSON.stringify({ ...inputs, nxCnb: pluginVersion() }))
      .digest('hex')}`;
  } catch {
    return undefined; // not a git checkout, no commit yet, or no git
  }
}

/** nx-cnb's own version. */
export function pluginVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
