import { ConfigError } from '../errors';
import { Fields, isTable } from '../config/fields';
import { parseJson, parseLoosely } from '../config/parse';
import { isNameComponent, NAME_COMPONENT_EXPECTED } from '../reference/image-reference';
import { platformProblem } from '../oci/platform';

/** One entry of images.json's "images" array (Paketo's multi-image stack layout). */
export interface ImagesJsonEntry {
  name: string;
  configDir: string;
  outputDir?: string;
  buildImage: string;
  runImage: string;
  createBuildImage: boolean;
  stackType?: string;
  patternImageRegistryName?: string;
  patternAssetsPrefix?: string;
}

export interface ImagesJson {
  file: string;
  platforms?: string[];
  osName?: string;
  osCodename?: string;
  images: ImagesJsonEntry[];
}

// Keys Paketo's stack repositories use; nx-cnb reads the ones that shape images and accepts the rest.
const TOP_KEYS = ['support_usns', 'update_on_new_image', 'receipts_show_limit', 'platforms', 'os_name', 'os_codename', 'repo_type', 'images'];
const ENTRY_KEYS = [
  'name',
  'config_dir',
  'output_dir',
  'build_image',
  'run_image',
  'create_build_image',
  'stack_type',
  'pattern_image_registry_name',
  'pattern_assets_prefix',
  'build_receipt_filename',
  'run_receipt_filename',
  'base_build_container_image',
  'base_run_container_image',
  'is_default_run_image',
];

// Keys that only Paketo's stack layout uses: a web app's images.json (a list of pictures) has none of them.
const SHAPE_KEYS = [...TOP_KEYS, ...ENTRY_KEYS].filter((key) => !['images', 'platforms', 'name'].includes(key));

/**
 * Whether an images.json is Paketo's stack layout rather than another
 * program's file of the same name. One that does not parse is judged by
 * whether it mentions Paketo's keys.
 */
export function looksLikeImagesJson(text: string): boolean {
  const value = parseLoosely('json', text);
  if (value === undefined) return new RegExp(`"(${SHAPE_KEYS.join('|')})"\\s*:`).test(text);
  if (!isTable(value)) return false;
  const images = Array.isArray(value.images) ? value.images : [];
  return [value, ...images].some((table) => isTable(table) && Object.keys(table).some((key) => SHAPE_KEYS.includes(key)));
}

export function parseImagesJson(file: string, text: string): ImagesJson {
  const root = Fields.root(file, parseJson(file, text), 'a JSON object');
  root.onlyKeys(TOP_KEYS);
  const platforms = root.optionalStringArray('platforms');
  platforms?.forEach((p, i) => {
    const problem = platformProblem(p);
    if (problem) throw new ConfigError(file, `platforms[${i}]`, problem, JSON.stringify(p));
  });
  const entries = root.optionalTables('images');
  if (!entries || entries.length === 0) throw root.error('images', 'a non-empty array of images');
  const images = entries.map(parseEntry);

  const seen = new Set<string>();
  images.forEach((image, i) => {
    if (seen.has(image.name)) throw new ConfigError(file, `images[${i}].name`, 'a name no other entry uses', JSON.stringify(image.name));
    seen.add(image.name);
  });
  return { file, platforms, osName: lowerName(root, 'os_name'), osCodename: lowerName(root, 'os_codename'), images };
}

function parseEntry(entry: Fields): ImagesJsonEntry {
  entry.onlyKeys(ENTRY_KEYS);
  const configDir = entry.string('config_dir', "the folder of this image's stack.toml, relative to images.json");
  if (configDir.startsWith('/') || configDir.split('/').includes('..')) {
    throw entry.error('config_dir', 'a folder inside the stack (no leading "/" and no "..")');
  }
  return {
    name: entry.string('name'),
    configDir: configDir.replace(/\/+$/, ''),
    outputDir: entry.optionalString('output_dir'),
    buildImage: lowerName(entry, 'build_image') ?? 'build',
    runImage: lowerName(entry, 'run_image') ?? 'run',
    createBuildImage: entry.optionalBoolean('create_build_image') ?? false,
    stackType: lowerName(entry, 'stack_type'),
    patternImageRegistryName: entry.optionalString('pattern_image_registry_name'),
    patternAssetsPrefix: entry.optionalString('pattern_assets_prefix'),
  };
}

/** A field that becomes part of an image name, so it must be a valid name component. */
function lowerName(fields: Fields, key: string): string | undefined {
  const v = fields.optionalString(key);
  if (v !== undefined && !isNameComponent(v)) throw fields.error(key, NAME_COMPONENT_EXPECTED);
  return v;
}

const PATTERN_TOKENS = ['os_name', 'os_codename', 'build_image_run_image', 'stack_type'] as const;

/**
 * Expands a Paketo naming pattern such as "os_name-os_codename-build_image_run_image-stack_type"
 * into "debian-bookworm-run-tiny". Tokens are separated by "-"; other words stay as written.
 */
export function expandPattern(pattern: string, values: Record<(typeof PATTERN_TOKENS)[number], string | undefined>): string {
  return pattern
    .split('-')
    .map((token) => ((PATTERN_TOKENS as readonly string[]).includes(token) ? values[token as keyof typeof values] : token))
    .filter((part): part is string => !!part)
    .join('-');
}
