/**
 * A generator's view of the workspace, read the way inference reads the disk,
 * so a generator never writes what its plugin would then refuse: a folder
 * inference skips or that lies in another project, or a stack whose images
 * another stack makes already.
 */
import { glob, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { optionError } from '../errors';
import { notNxCnbFile, type ReadFile, testDataFolder, underPaketoStack } from '../plugin/scope';
import { imageReferences, normalizeImageRef } from '../reference/image-reference';
import { IMAGES_JSON, readStack, type Stack, STACK_TOML } from '../stack/stack';

// Files that make a folder a project: Nx's own and nx-cnb's.
const PROJECT_FILES = ['project.json', 'package.json', IMAGES_JSON, STACK_TOML, 'builder.toml', 'builder-buildpackless.toml', 'buildpack.toml'];

export function treeReader(tree: Tree): ReadFile {
  return (path) => (tree.isFile(path) ? (tree.read(path, 'utf8') ?? undefined) : undefined);
}

/**
 * Refuses a --directory that inference would skip (a test-data folder) or
 * that lies inside another project (a folder above it, or the folder itself,
 * holds a project.json, a package.json or an nx-cnb file).
 */
export function checkDirectory(tree: Tree, command: string, directory: string, original: unknown): void {
  const folder = testDataFolder(directory);
  if (folder) throw optionError(command, 'directory', `a folder nx-cnb infers projects from (none under ${folder}/, which holds test inputs)`, original);
  for (let dir = directory; dir !== '.' && dir !== ''; dir = posix.dirname(dir)) {
    const marker = PROJECT_FILES.map((file) => posix.join(dir, file)).find((file) => tree.exists(file));
    if (marker) throw optionError(command, 'directory', `a folder outside other projects (${marker} makes ${dir} a project)`, original);
  }
}

/** The stacks inference would find in the tree; files it would report as broken are left out. */
export function stacksInTree(tree: Tree): { root: string; configFile: string; stack: Stack }[] {
  const read = treeReader(tree);
  const files = glob(tree, [`**/${IMAGES_JSON}`, `**/${STACK_TOML}`]).filter((file) => !notNxCnbFile(file, read));
  const readAt = (file: string) => {
    const root = posix.dirname(file);
    try {
      const stack = readStack(root, { read: (path) => read(posix.join(root, path)) });
      return [{ root, configFile: posix.join(root, stack.configFile), stack }];
    } catch {
      return [];
    }
  };
  const paketo = files.filter((f) => posix.basename(f) === IMAGES_JSON).flatMap(readAt);
  const claimed = new Set(paketo.flatMap(({ root, stack }) => stack.images.map((i) => posix.join(root, i.stackToml))));
  const lone = files.filter((f) => posix.basename(f) === STACK_TOML && !claimed.has(f) && !underPaketoStack(f, read)).flatMap(readAt);
  return [...paketo, ...lone];
}

/** An image reference of a new stack that a stack in the tree makes already, with that stack's file. */
export function takenImageName(
  tree: Tree,
  stack: Stack,
  naming: { repository?: string; tags?: string[] },
): { reference: string; configFile: string } | undefined {
  const references = (s: Stack) => s.images.flatMap((i) => imageReferences(i.name, naming.repository, naming.tags).map(normalizeImageRef));
  const wanted = new Set(references(stack));
  for (const other of stacksInTree(tree)) {
    const reference = references(other.stack).find((r) => wanted.has(r));
    if (reference) return { reference, configFile: other.configFile };
  }
  return undefined;
}
