import { readNxJson, type Tree } from '@nx/devkit';
import { isTable } from '../config/fields';
import { ConfigError, describeValue } from '../errors';
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
export const PLUGIN_OPTIONS_FIELD = 'plugins["nx-cnb"].options';
const KNOWN_OPTIONS: readonly (keyof NxCnbPluginOptions)[] = ['repository', 'tags', 'buildImageTargetName', 'archive'];
// Keys that Nx reads beside "options" on a plugin entry, not inside it.
const ENTRY_KEYS = ['include', 'exclude'];
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Checks the options in nx.json, so a bad repository or tag fails here and not half-way through a push. */
export function checkPluginOptions(options: unknown): asserts options is NxCnbPluginOptions {
  const problem = pluginOptionsProblem(options);
  if (problem) throw problem;
}

/**
 * What is wrong with the options of nx-cnb's entry in nx.json, or undefined:
 * an unknown or mistyped option, a wrong type, a bad repository or tag, or an
 * aggregate target name that an image target or publish already uses.
 */
export function pluginOptionsProblem(options: unknown): ConfigError | undefined {
  if (options === undefined) return undefined;
  const error = (option: string, expected: string, found: string) => new ConfigError('nx.json', `${PLUGIN_OPTIONS_FIELD}.${option}`, expected, found);
  if (!isTable(options)) return new ConfigError('nx.json', PLUGIN_OPTIONS_FIELD, 'an object', describeValue(options));
  for (const key of Object.keys(options)) {
    if ((KNOWN_OPTIONS as string[]).includes(key)) continue;
    const expected = `one of nx-cnb's options (${KNOWN_OPTIONS.join(', ')})`;
    if (ENTRY_KEYS.includes(key)) return error(key, expected, `${JSON.stringify(key)}, which Nx reads beside "options" on the plugin entry, not inside it`);
    const meant = KNOWN_OPTIONS.find((known) => isNearly(key, known));
    return error(key, expected, `an unknown option${meant ? ` (did you mean ${JSON.stringify(meant)}?)` : ''}`);
  }
  try {
    checkNaming('nx.json', `${PLUGIN_OPTIONS_FIELD}.`, options);
  } catch (e) {
    return e as ConfigError;
  }
  const { buildImageTargetName: target, archive } = options;
  if (target !== undefined) {
    if (typeof target !== 'string' || !TARGET_NAME.test(target)) {
      return error('buildImageTargetName', 'a target name of letters, digits, "_", ".", ":" and "-"', describeValue(target));
    }
    if (target.startsWith(IMAGE_TARGET_PREFIX) || target === 'publish') {
      return error(
        'buildImageTargetName',
        `a target name that no stack target uses (not "publish", not starting with "${IMAGE_TARGET_PREFIX}", which names the image targets)`,
        JSON.stringify(target),
      );
    }
  }
  if (archive !== undefined && typeof archive !== 'boolean') return error('archive', 'true or false', describeValue(archive));
  return undefined;
}

/** A likely typo: the same but for case, or one or two letters off. */
function isNearly(word: string, known: string): boolean {
  if (word.toLowerCase() === known.toLowerCase()) return true;
  return editDistance(word.toLowerCase(), known.toLowerCase()) <= 2;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

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
