import { CreateNodesContextV2, createNodesFromFiles, CreateNodesV2 } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readStackFromDisk } from '../stack/read-stack-from-disk';
import { IMAGES_JSON } from '../stack/stack';
import type { NxCnbPluginOptions } from './options';
import { stackTargets } from './stack-nodes';

export const STACK_GLOB = '**/{images.json,stack.toml}';

/** Infers a stack project from each images.json, and from each stack.toml that no images.json above it claims. */
export const createNodesV2: CreateNodesV2<NxCnbPluginOptions> = [
  STACK_GLOB,
  (files, options, context) => createNodesFromFiles((file, opts, ctx) => stackNode(file, opts ?? {}, ctx), files, options, context),
];

function stackNode(file: string, options: NxCnbPluginOptions, context: CreateNodesContextV2) {
  const root = dirname(file);
  if (basename(file) !== IMAGES_JSON && claimedByImagesJson(context.workspaceRoot, root)) return {};
  const stack = readStackFromDisk(context.workspaceRoot, root);
  return {
    projects: {
      [root]: {
        name: basename(root),
        root,
        projectType: 'library' as const,
        tags: ['type:stack'],
        targets: stackTargets(root, stack, options),
      },
    },
  };
}

/** A variant's stack.toml belongs to the images.json in its own or a parent folder. */
function claimedByImagesJson(workspaceRoot: string, root: string): boolean {
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(workspaceRoot, dir, IMAGES_JSON))) return true;
    if (dir === '.' || dir === dirname(dir)) return false;
  }
}
