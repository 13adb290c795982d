import { logger, readNxJson, type Tree, updateNxJson } from '@nx/devkit';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN = 'nx-cnb';

/**
 * Registers the plugin in nx.json, which is what `nx add nx-cnb` asks of a
 * plugin's init generator. An entry the user already has (with its options,
 * include or exclude) is left as it is.
 */
export async function initGenerator(tree: Tree, _schema: InitGeneratorSchema = {}) {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN);
  if (!registered) updateNxJson(tree, { ...nxJson, plugins: [...plugins, { plugin: PLUGIN, options: {} }] });
  return () => {
    logger.info(registered ? 'nx.json registers nx-cnb already; left as it is.' : 'nx-cnb registered in nx.json.');
    logger.info('Next: nx g nx-cnb:stack <name> writes a stack; nx g nx-cnb:builder <name> --stack <name> a builder on it.');
  };
}

export default initGenerator;
