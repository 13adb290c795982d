/**
 * Reading a workspace's stack and builder files from disk into the models.
 * Inference and executors read through here, so both see the same files the
 * same way.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { type BuilderToml, localBuildpackEntries, parseBuilderToml } from '../builder/builder-toml';
import { type BuildpackDescriptor, parseBuildpackToml } from '../builder/buildpack-toml';
import { ConfigError } from '../errors';
import { LOCKED_PACKAGES_ARG, lockedPackagesArg, optsIntoLock, PACKAGE_LOCK_FILE, type PackageLock, parsePackageLock } from '../release/package-lock';
import { readStack, type Stack, type StackImage } from '../stack/stack';

/** Reads a file by its absolute path: its text, or undefined when there is no file there. */
export type ReadTextFile = (path: string) => string | undefined;

/** A file's text, or undefined when there is no file at that path (or a folder). */
export const readTextFile: ReadTextFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // absent, a folder, unreadable
  }
};

/** readTextFile that reads each file once: inference looks at one file from several sides. */
export function readingOnce(read: ReadTextFile = readTextFile): ReadTextFile {
  const texts = new Map<string, string | undefined>();
  return (path) => {
    if (!texts.has(path)) texts.set(path, read(path));
    return texts.get(path);
  };
}

/** Reads the stack at a workspace-relative root. */
export function readStackFromDisk(workspaceRoot: string, root: string, read: ReadTextFile = readTextFile): Stack {
  return readStack(root, { read: (path) => read(join(workspaceRoot, root, path)) });
}

/** Reads a workspace-relative builder.toml. */
export function readBuilderFromDisk(workspaceRoot: string, config: string, read: ReadTextFile = readTextFile): BuilderToml {
  const text = read(join(workspaceRoot, config));
  if (text === undefined) throw new ConfigError(config, '(file)', 'a builder.toml', 'no such file');
  return parseBuilderToml(config, text);
}

/** Reads a workspace-relative buildpack.toml. */
export function readBuildpackFromDisk(workspaceRoot: string, file: string, read: ReadTextFile = readTextFile): BuildpackDescriptor {
  const text = read(join(workspaceRoot, file));
  if (text === undefined) throw new ConfigError(file, '(file)', 'a buildpack.toml', 'no such file');
  return parseBuildpackToml(file, text);
}

/** The buildpack.toml of every buildpack a builder takes from a local folder. */
export function readLocalBuildpacks(workspaceRoot: string, config: string, builder: BuilderToml): BuildpackDescriptor[] {
  return localBuildpackEntries(posix.dirname(config), builder).map(({ index, dir }) => {
    const file = posix.join(dir, 'buildpack.toml');
    const text = readTextFile(join(workspaceRoot, file));
    if (text === undefined) {
      throw new ConfigError(config, `buildpacks[${index}].uri`, 'a folder holding a buildpack.toml', `${JSON.stringify(dir)} without one`);
    }
    return parseBuildpackToml(file, text);
  });
}

/** A stack's package lock, or undefined when it has none. */
export function readPackageLockFromDisk(workspaceRoot: string, stackRoot: string): PackageLock | undefined {
  const file = posix.join(stackRoot, PACKAGE_LOCK_FILE);
  const text = readTextFile(join(workspaceRoot, file));
  return text === undefined ? undefined : parsePackageLock(file, text);
}

/**
 * The build arg that pins an image's packages to the stack's lock, for a
 * Dockerfile that opts in by declaring `ARG locked_packages`; none otherwise
 * (an unused build arg would only draw a warning from the engine).
 */
export function lockBuildArgs(workspaceRoot: string, stackRoot: string, image: StackImage, platform: string): Record<string, string> {
  const dockerfile = readTextFile(join(workspaceRoot, stackRoot, image.dockerfile)) ?? '';
  if (!optsIntoLock(dockerfile)) return {};
  return { [LOCKED_PACKAGES_ARG]: lockedPackagesArg(readPackageLockFromDisk(workspaceRoot, stackRoot), image.key, platform) };
}
