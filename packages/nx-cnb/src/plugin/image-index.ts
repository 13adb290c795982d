import { posix } from 'node:path';
import { ConfigError } from '../errors';
import { imageReferences, normalizeImageRef } from '../reference/image-reference';
import type { Stack, StackImage } from '../stack/stack';
import type { NxCnbPluginOptions } from './options';
import { IMAGE_TARGET_PREFIX } from './options';
import { imageOutputPath } from './stack-nodes';

/** A stack image as other projects see it: who makes it and where its receipt is. */
export interface IndexedImage {
  project: string;
  projectRoot: string;
  target: string;
  outputPath: string;
  image: StackImage;
}

/** Every image the workspace's stacks make, by each of its references. */
export function indexImages(stacks: { root: string; name: string; stack: Stack }[], options: NxCnbPluginOptions): Map<string, IndexedImage> {
  const index = new Map<string, IndexedImage>();
  for (const { root, name, stack } of stacks) {
    for (const image of stack.images) {
      const entry = { project: name, projectRoot: root, target: `${IMAGE_TARGET_PREFIX}${image.key}`, outputPath: imageOutputPath(root, image), image };
      for (const reference of imageReferences(image.name, options.repository, options.tags).map(normalizeImageRef)) {
        const other = index.get(reference);
        if (other && other.projectRoot !== root) {
          throw new ConfigError(
            posix.join(root, stack.configFile),
            'images',
            'image names that no other stack makes (change os_name, os_codename or the naming pattern)',
            `${JSON.stringify(reference)}, which ${other.projectRoot} makes too`,
          );
        }
        index.set(reference, entry);
      }
    }
  }
  return index;
}

/** The project name of a stack or builder folder. */
export function stackProjectName(root: string): string {
  return posix.basename(root);
}
