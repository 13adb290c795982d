import { readNxJson, type Tree } from '@nx/devkit';
import { checkPluginOptions, type NxCnbPluginOptions } from '../plugin/options';

/**
 * The options of the nx-cnb entry in a workspace's nx.json, for generators; {}
 * when it sets none. Options the plugin would refuse are refused here too, so
 * a generator never writes names from them.
 */
export function readPluginOptions(tree: Tree): NxCnbPluginOptions {
  const entry = readNxJson(tree)?.plugins?.find((p) => (typeof p === 'string' ? p : p.plugin) === 'nx-cnb');
  const options = typeof entry === 'object' ? entry.options : undefined;
  checkPluginOptions(options);
  return options ?? {};
}
