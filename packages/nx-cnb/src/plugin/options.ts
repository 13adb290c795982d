import { readNxJson, type Tree } from '@nx/devkit';
import { checkNaming } from '../reference/image-reference';

/** Options users set for nx-cnb in nx.json's "plugins". */
export interface NxCnbPluginOptions {
  /** Registry and namespace to prefix image names with, e.g. "127.0.0.1:5000/acme". */
  repository?: string;
  /** Tags every image gets; the first is the one consumers use. Default ["latest"]. */
  tags?: string[];
  /** Name of the aggregate target that builds every image of a stack. Default "build-image". */
  buildImageTargetName?: string;
  /** Save images beside their receipts so Nx cache hits carry them. Default true. */
  archive?: boolean;
}

export const IMAGE_TARGET_PREFIX = 'image-';

/** Checks the options in nx.json, so a bad repository or tag fails here and not half-way through a push. */
export function checkPluginOptions(options: NxCnbPluginOptions): void {
  checkNaming('nx.json', 'plugins["nx-cnb"].options.', options);
}

/** The options of the nx-cnb entry in a workspace's nx.json, for generators; {} when it sets none. */
export function readPluginOptions(tree: Tree): NxCnbPluginOptions {
  const entry = readNxJson(tree)?.plugins?.find((p) => (typeof p === 'string' ? p : p.plugin) === 'nx-cnb');
  return (typeof entry === 'object' ? (entry.options as NxCnbPluginOptions | undefined) : undefined) ?? {};
}
