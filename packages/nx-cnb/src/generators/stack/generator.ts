import { logger, readJson, readNxJson, type Tree } from '@nx/devkit';
import { optionError } from '../../errors';
import { hasControlCharacter } from '../../config/parse';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { readPluginOptions } from '../plugin-options';
import { stackProjectName } from '../../plugin/nodes';
import { isNameComponent, parseImageReference, REFERENCE_EXPECTED } from '../../reference/image-reference';
import { platformProblem } from '../../oci/platform';
import { type ImageToRender, renderImagesJson, renderStackToml } from '../../stack/render';
import { readStack } from '../../stack/stack';
import { isValidStackId } from '../../stack/stack-toml';
import { type Distro, DISTROS, PACKAGE_NOTES } from './distros';
import { connectEngine } from '../../engine/docker-engine';
import { listOption } from '../list-option';
import { checkDirectory, takenImageName } from '../workspace-tree';
import type { StackGeneratorSchema, Variant } from './schema';

const VARIANTS: Variant[] = ['base', 'tiny', 'static'];
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

interface NormalizedOptions {
  name: string;
  directory: string;
  variants: Variant[];
  stackId: string;
  distro: Distro;
  baseImage: string;
  build: { uid: number; gid: number };
  run: { uid: number; gid: number };
  buildPackages: string[];
  runPackages: string[];
  platforms: string[];
  about: About;
}

/** Who makes the stack and where to find them: labels of every image, /etc/os-release values of the run images. */
interface About {
  maintainer?: string;
  homepage?: string;
  displayName?: string;
  supportUrl?: string;
  bugReportUrl?: string;
}

const COMMAND = 'nx g nx-cnb:stack';

/** What the platforms default to: both common ones where the engine runs both, else what it can build. */
export type PlatformDefault = () => Promise<{ platforms: string[]; warning?: string }>;

export async function stackGenerator(tree: Tree, schema: StackGeneratorSchema, platformDefault: PlatformDefault = enginePlatforms) {
  const detected = schema.platforms === undefined ? await platformDefault() : undefined;
  if (detected?.warning) logger.warn(detected.warning);
  const options = normalizeOptions({ ...schema, platforms: schema.platforms ?? detected!.platforms.join(',') }, workspaceAbout(tree));
  if (tree.exists(options.directory)) {
    throw new Error(`${options.directory} already exists; nx-cnb will not overwrite it. Choose another name or --directory.`);
  }
  checkDirectory(tree, COMMAND, options.directory, schema.directory);
  const plugin = readPluginOptions(tree);

  // What the generator writes must pass the same checks as a user's stack, and make image names no other stack makes:
  // a second stack of one distro is named after itself.
  let files = stackFiles(options);
  let stack = readRendered(options.directory, files);
  const taken = takenImageName(tree, stack, plugin);
  if (taken) {
    files = stackFiles(options, options.name);
    stack = readRendered(options.directory, files);
    const still = takenImageName(tree, stack, plugin);
    if (still) {
      throw optionError(COMMAND, 'name', `a name whose image names no other stack makes (${still.configFile} makes ${still.reference})`, options.name);
    }
    logger.info(`${taken.configFile} makes ${taken.reference} already, so this stack's images are named after it.`);
  }
  for (const [path, content] of Object.entries(files)) tree.write(posix.join(options.directory, path), content);
  stack.warnings.forEach((w) => logger.warn(w));

  const cacheUnbounded = readNxJson(tree)?.maxCacheSize === undefined;
  const run = `nx run ${stackProjectName(options.directory)}:${plugin.buildImageTargetName ?? 'build-image'}`;
  return () => {
    logger.info(`Stack ${options.name} written to ${options.directory} (${stack.images.map((i) => i.name).join(', ')}).`);
    logger.info(`Build its images with: ${run}`);
    // Image archives make cache entries of hundreds of MB; Nx's default bound is a tenth of the disk.
    if (cacheUnbounded) logger.info('Each image task keeps its image archive in the Nx cache: consider "maxCacheSize" (and "cacheDirectory") in nx.json.');
  };
}

export default stackGenerator;

function readRendered(directory: string, files: Record<string, string>) {
  return readStack(directory, { read: (path) => files[path] });
}

/** Every file of the stack, by path relative to its folder; `namePrefix` names its images after it instead of the distro. */
function stackFiles(options: NormalizedOptions, namePrefix?: string): Record<string, string> {
  const files: Record<string, string> = {};
  const { distro } = options;
  // One build image serves every run image; it lives with the first variant.
  const buildVariant = options.variants[0];
  for (const variant of options.variants) {
    const run: ImageToRender = {
      description: `${distro.osName} ${distro.codename} ${variant} run image`,
      dockerfile: './run.Dockerfile',
      ...options.run,
      shell: variant === 'base' ? '/bin/bash' : '/sbin/nologin',
      args: { base_image: options.baseImage, packages: [...distro.packages[variant], ...options.runPackages].join(' ') },
      notes: PACKAGE_NOTES[variant],
    };
    const build: ImageToRender | undefined =
      variant === buildVariant
        ? {
            description: `${distro.osName} ${distro.codename} build image with compilers and shell utilities`,
            dockerfile: './build.Dockerfile',
            ...options.build,
            shell: '/bin/bash',
            args: { base_image: options.baseImage, packages: [...distro.packages.build, ...options.buildPackages].join(' ') },
            notes: PACKAGE_NOTES.build,
          }
        : undefined;
    const { displayName, ...about } = options.about;
    files[`${variant}/stack.toml`] = renderStackToml({
      id: options.stackId,
      name: displayName && `${displayName} ${variant}`,
      ...about,
      platforms: options.platforms,
      build,
      run,
    });
    files[`${variant}/run.Dockerfile`] = template(variant === 'base' ? 'run.Dockerfile' : 'distroless.Dockerfile');
    if (build) files[`${variant}/build.Dockerfile`] = template('build.Dockerfile');
  }
  files['images.json'] = renderImagesJson({
    osName: distro.osName,
    osCodename: distro.codename,
    platforms: options.platforms,
    images: options.variants.map((variant) => ({ name: variant, configDir: variant, createBuildImage: variant === buildVariant, stackType: variant })),
    namePrefix,
  });
  return files;
}

function template(name: string): string {
  return readFileSync(join(__dirname, 'files', name), 'utf8');
}

/**
 * The maintainer and homepage a stack gets when the options name none: the
 * workspace's package.json author and homepage (or repository), as npm
 * packages of the same workspace would show them.
 */
function workspaceAbout(tree: Tree): About {
  if (!tree.exists('package.json')) return {};
  let json: { author?: unknown; homepage?: unknown; repository?: unknown };
  try {
    json = readJson(tree, 'package.json');
  } catch {
    return {};
  }
  const nameOf = (value: unknown) => (typeof value === 'string' ? value.replace(/\s*[<(].*$/, '') : (value as { name?: unknown })?.name);
  const urlOf = (value: unknown) => (typeof value === 'string' ? value : (value as { url?: unknown })?.url);
  const author = nameOf(json.author);
  const homepage = typeof json.homepage === 'string' ? json.homepage : webUrl(urlOf(json.repository));
  return { maintainer: typeof author === 'string' && author ? author : undefined, homepage };
}

/** A repository URL as a browser opens it: "git+https://github.com/acme/stacks.git" is https://github.com/acme/stacks. */
function webUrl(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const web = url
    .replace(/^git\+/, '')
    .replace(/^git@([^:]+):/, 'https://$1/')
    .replace(/^github:/, 'https://github.com/')
    .replace(/\.git$/, '');
  return /^https?:\/\//.test(web) ? web : undefined;
}

function normalizeOptions(schema: StackGeneratorSchema, workspace: About): NormalizedOptions {
  const fail = (option: string, expected: string, found: unknown): never => {
    throw optionError(COMMAND, option, expected, found);
  };
  if (!isNameComponent(schema.name)) fail('name', 'lowercase letters, digits, ".", "_" or "-" (it names images)', schema.name);

  const distroName = schema.distro ?? 'debian-bookworm';
  const distro = DISTROS[distroName];
  if (!distro) fail('distro', `one of ${Object.keys(DISTROS).join(', ')}`, distroName);

  const variants = listOption(schema.variants ?? 'base,tiny,static') as Variant[];
  if (variants.length === 0) fail('variants', `at least one of ${VARIANTS.join(', ')}`, schema.variants);
  variants.forEach((v) => VARIANTS.includes(v) || fail('variants', `only ${VARIANTS.join(', ')}`, v));
  if (new Set(variants).size !== variants.length) fail('variants', 'each variant once', schema.variants);
  // The base variant carries the build image when chosen, as in Paketo's layout.
  variants.sort((a, b) => VARIANTS.indexOf(a) - VARIANTS.indexOf(b));

  const stackId = schema.stackId ?? `io.buildpacks.stacks.${distro.codename}`;
  if (!isValidStackId(stackId)) fail('stackId', 'letters, digits, ".", "/" and "-", such as io.buildpacks.stacks.bookworm', stackId);

  const ids = { buildUid: 1001, buildGid: 1000, runUid: 1002, runGid: 1000 };
  for (const key of Object.keys(ids) as (keyof typeof ids)[]) {
    const value = schema[key] ?? ids[key];
    if (!Number.isInteger(value) || value <= 0) fail(key, 'a whole number above 0 (the cnb user must not be root)', value);
    ids[key] = value;
  }
  if (ids.buildUid === ids.runUid)
    logger.warn(`--buildUid and --runUid are both ${ids.buildUid}; the CNB platform spec asks the run user to differ from the build user`);

  const packages = (option: 'buildPackages' | 'runPackages') => {
    const names = listOption(schema[option] ?? '');
    names.forEach((p) => PACKAGE_NAME.test(p) || fail(option, 'Debian package names (lowercase letters, digits, "+", "-", ".")', p));
    return names;
  };

  const platforms = listOption(schema.platforms!);
  platforms.forEach((p) => {
    const problem = platformProblem(p);
    if (problem) fail('platforms', problem, p);
  });

  const directory = posix.normalize(schema.directory ?? posix.join('stacks', schema.name)).replace(/\/+$/, '');
  if (directory.startsWith('..') || directory.startsWith('/')) fail('directory', 'a folder inside the workspace', schema.directory);

  // NX_CNB_BASE_IMAGE: where base images come from a mirror, or are made locally (an air-gapped engine).
  const baseImage = schema.baseImage ?? process.env.NX_CNB_BASE_IMAGE ?? distro.baseImage;
  if (!parseImageReference(baseImage)) fail(schema.baseImage ? 'baseImage' : 'baseImage (from NX_CNB_BASE_IMAGE)', REFERENCE_EXPECTED, baseImage);

  return {
    name: schema.name,
    directory,
    variants,
    stackId,
    distro,
    baseImage,
    build: { uid: ids.buildUid, gid: ids.buildGid },
    run: { uid: ids.runUid, gid: ids.runGid },
    buildPackages: packages('buildPackages'),
    runPackages: packages('runPackages'),
    platforms,
    about: normalizeAbout(schema, workspace),
  };
}

function normalizeAbout(schema: StackGeneratorSchema, workspace: About): About {
  const about: About = {
    maintainer: schema.maintainer ?? workspace.maintainer,
    homepage: schema.homepage ?? workspace.homepage,
    displayName: schema.displayName,
    supportUrl: schema.supportUrl,
    bugReportUrl: schema.bugReportUrl,
  };
  for (const [option, value] of Object.entries(about)) {
    if (value !== undefined && hasControlCharacter(value)) throw optionError(COMMAND, option, 'one line of text', value);
  }
  for (const option of ['homepage', 'supportUrl', 'bugReportUrl'] as const) {
    if (about[option] !== undefined && !/^https?:\/\/\S+$/.test(about[option]!)) throw optionError(COMMAND, option, 'an http(s) URL', about[option]);
  }
  const missing = (['maintainer', 'homepage'] as const).filter((key) => !about[key]);
  if (missing.length) {
    logger.warn(
      `No ${missing.join(' or ')} for the stack: its io.buildpacks.stack.${missing.join(' and io.buildpacks.stack.')} labels will be empty. ` +
        `Pass ${missing.map((m) => `--${m}`).join(' and ')}, or set ${missing.map((m) => (m === 'maintainer' ? 'author' : 'homepage')).join(' and ')} in package.json.`,
    );
  }
  return about;
}

const COMMON_PLATFORMS = ['linux/amd64', 'linux/arm64'];

/**
 * linux/amd64 and linux/arm64 when the engine runs both; otherwise the one it
 * runs, with a warning that says how to get the other. Without an engine,
 * the platform of this machine.
 */
async function enginePlatforms(): Promise<{ platforms: string[]; warning?: string }> {
  const machine = `linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;
  let engine;
  try {
    engine = await connectEngine();
  } catch (e) {
    return { platforms: [machine], warning: `${(e as Error).message.split('\n')[0]} Writing platforms = ["${machine}"]; pass --platforms to choose.` };
  }
  const own = await engine.platform();
  const others = COMMON_PLATFORMS.filter((p) => p !== own);
  const unsupported: string[] = [];
  for (const platform of others) {
    const support = await engine.runs(platform);
    if (!support?.runs) unsupported.push(`${platform} (${support?.reason ?? 'no way to check'})`);
  }
  if (!unsupported.length) return { platforms: COMMON_PLATFORMS.includes(own) ? COMMON_PLATFORMS : [own, ...COMMON_PLATFORMS] };
  return {
    platforms: [own],
    warning:
      `The engine (${own}) cannot run ${unsupported.join(', ')}, so the stack declares only ${own}. ` +
      "Register QEMU with binfmt_misc on the engine's host (Debian and Ubuntu: apt-get install qemu-user-static binfmt-support) and add the platform to platforms in stack.toml and images.json.",
  };
}
