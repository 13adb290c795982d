import { posix } from 'node:path';
import { ConfigError, ConfigErrors, describeValue } from '../errors';
import { Fields, isTable } from '../config/fields';
import { parseLoosely, parseToml } from '../config/parse';
import {
  compact,
  type Distro,
  fullName,
  isSet,
  MODULE_INFO_KEYS,
  type ModuleInfo,
  type ModuleRef,
  type OrderEntry,
  readDistros,
  readModuleInfo,
  readModuleRef,
  readOrder,
  targetProblem,
} from './modules';

export type { Distro, License, ModuleInfo, ModuleRef, OrderEntry } from './modules';

/** A [[buildpacks]] or [[extensions]] entry (pack's builder.ModuleConfig: ModuleInfo plus uri or image). */
export interface ModuleConfig extends ModuleInfo {
  uri?: string;
  /** Deprecated by pack in favour of uri = "docker://..."; pack ignores it when uri is set. */
  image?: string;
}

/** How the lifecycle applies a [[build.env]] value to the platform env (pack's builder.Suffix). */
export type EnvSuffix = 'default' | 'override' | 'append' | 'prepend';
export const ENV_SUFFIXES: readonly EnvSuffix[] = ['default', 'override', 'append', 'prepend'];

export interface BuildEnv {
  name: string;
  value: string;
  suffix?: EnvSuffix;
  delim?: string;
  execEnv?: string[];
}

export interface RunImage {
  image: string;
  mirrors: string[];
}

/** A [[targets]] entry of builder.toml (pack's dist.Target); an empty arch matches any. */
export interface Target {
  os: string;
  arch?: string;
  variant?: string;
  distros: Distro[];
}

/** The legacy [stack] table, from before pack read [build] and [run] (RFC 0096). */
export interface StackSection {
  id?: string;
  buildImage?: string;
  runImage?: string;
  runImageMirrors?: string[];
}

/** A builder.toml, as pack 0.40's builder.Config holds it. */
export interface BuilderToml {
  file: string;
  description?: string;
  buildpacks: ModuleConfig[];
  extensions: ModuleConfig[];
  order: OrderEntry[];
  orderExtensions: OrderEntry[];
  system?: { pre: ModuleRef[]; post: ModuleRef[] };
  build?: { image?: string; env: BuildEnv[] };
  run?: { images: RunImage[] };
  targets: Target[];
  lifecycle?: { uri?: string; version?: string };
  stack?: StackSection;
}

// The keys of pack's builder.Config and of the structs it embeds; pack fails on any other.
const TOP_KEYS = ['description', 'buildpacks', 'extensions', 'order', 'order-extensions', 'stack', 'lifecycle', 'run', 'build', 'targets', 'system'] as const;
const MODULE_KEYS = [...MODULE_INFO_KEYS, 'uri', 'image'] as const;
const STACK_KEYS = ['id', 'build-image', 'run-image', 'run-image-mirrors'] as const;
const LIFECYCLE_KEYS = ['uri', 'version'] as const;
const BUILD_KEYS = ['image', 'env'] as const;
const ENV_KEYS = ['name', 'value', 'suffix', 'delim', 'exec-env'] as const;
const RUN_KEYS = ['images'] as const;
const RUN_IMAGE_KEYS = ['image', 'mirrors'] as const;
const TARGET_KEYS = ['os', 'arch', 'variant', 'distros'] as const;
const SYSTEM_KEYS = ['pre', 'post'] as const;
const SYSTEM_PART_KEYS = ['buildpacks'] as const;

// The grammar of Masterminds/semver, which pack uses to read lifecycle.version.
const SEMVER = /^v?[0-9]+(\.[0-9]+)?(\.[0-9]+)?(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/**
 * Whether a builder.toml is pack's rather than another tool's: it sets one of
 * pack's keys, or it does not parse (a builder with a typo is still a builder).
 */
export function looksLikeBuilderToml(text: string): boolean {
  const value = parseLoosely('toml', text);
  return value === undefined || (isTable(value) && TOP_KEYS.some((key) => key in value));
}

/** Whether pack can read a lifecycle version (Masterminds/semver: "0.21.14", "v0.20"; no "latest"). */
export function isLifecycleVersion(version: string): boolean {
  return SEMVER.test(version);
}

/**
 * Parses a builder.toml with pack 0.40's rules (unknown keys are errors), then
 * reports what pack would only find once it runs: see builderTomlProblems.
 */
export function parseBuilderToml(file: string, text: string): BuilderToml {
  const builder = readBuilderToml(file, text);
  const problems = builderTomlProblems(builder);
  if (problems.length) throw new ConfigErrors(problems);
  return builder;
}

/** Parses without the cross-field checks of builderTomlProblems; structural errors still throw. */
export function readBuilderToml(file: string, text: string): BuilderToml {
  const root = Fields.root(file, parseToml(file, text));
  root.onlyKeys(TOP_KEYS);

  const build = root.optionalTable('build');
  build?.onlyKeys(BUILD_KEYS);
  const run = root.optionalTable('run');
  run?.onlyKeys(RUN_KEYS);
  const system = root.optionalTable('system');
  system?.onlyKeys(SYSTEM_KEYS);
  const lifecycle = root.optionalTable('lifecycle');
  lifecycle?.onlyKeys(LIFECYCLE_KEYS);
  const stack = root.optionalTable('stack');
  stack?.onlyKeys(STACK_KEYS);

  return compact({
    file,
    description: root.optionalString('description'),
    buildpacks: readModules(root, 'buildpacks'),
    extensions: readModules(root, 'extensions'),
    order: readOrder(root, 'order', 'the id of a buildpack on the builder'),
    orderExtensions: readOrder(root, 'order-extensions', 'the id of an extension on the builder'),
    system: system && { pre: readSystemPart(system, 'pre'), post: readSystemPart(system, 'post') },
    build: build && compact({ image: build.optionalString('image'), env: (build.optionalTables('env') ?? []).map(readEnv) }),
    run: run && { images: (run.optionalTables('images') ?? []).map(readRunImage) },
    targets: (root.optionalTables('targets') ?? []).map(readTarget),
    lifecycle: lifecycle && compact({ uri: lifecycle.optionalString('uri'), version: lifecycle.optionalString('version') }),
    stack:
      stack &&
      compact({
        id: stack.optionalString('id'),
        buildImage: stack.optionalString('build-image'),
        runImage: stack.optionalString('run-image'),
        runImageMirrors: stack.optionalStringArray('run-image-mirrors'),
      }),
  });
}

function readModules(root: Fields, key: 'buildpacks' | 'extensions'): ModuleConfig[] {
  return (root.optionalTables(key) ?? []).map((m) => {
    m.onlyKeys(MODULE_KEYS);
    return compact({ ...readModuleInfo(m), uri: m.optionalString('uri'), image: m.optionalString('image') });
  });
}

function readSystemPart(system: Fields, key: 'pre' | 'post'): ModuleRef[] {
  const part = system.optionalTable(key);
  part?.onlyKeys(SYSTEM_PART_KEYS);
  return (part?.optionalTables('buildpacks') ?? []).map((ref) => readModuleRef(ref, 'the id of a buildpack on the builder'));
}

function readEnv(env: Fields): BuildEnv {
  env.onlyKeys(ENV_KEYS);
  // pack: "env name should not be empty"; an empty value only warns.
  const name = env.string('name', 'an environment variable name');
  const suffix = env.optionalString('suffix');
  // pack accepts an empty suffix as none, and fails on anything outside its list.
  if (suffix !== undefined && suffix !== '' && !ENV_SUFFIXES.includes(suffix as EnvSuffix)) {
    throw env.error('suffix', `one of ${ENV_SUFFIXES.join(', ')}`);
  }
  return compact({
    name,
    value: env.optionalString('value') ?? '',
    suffix: suffix === '' ? undefined : (suffix as EnvSuffix | undefined),
    delim: env.optionalString('delim'),
    execEnv: env.optionalStringArray('exec-env'),
  });
}

function readRunImage(image: Fields): RunImage {
  image.onlyKeys(RUN_IMAGE_KEYS);
  // pack: "run.images.image is required".
  return { image: image.string('image', 'a run image reference such as "debian-bookworm-run:latest"'), mirrors: image.optionalStringArray('mirrors') ?? [] };
}

function readTarget(target: Fields): Target {
  target.onlyKeys(TARGET_KEYS);
  // pack picks the target whose os matches the engine's; one without os never matches.
  const os = target.string('os', 'an os such as "linux"');
  const arch = target.optionalString('arch');
  const variant = target.optionalString('variant');
  const problem = targetProblem(target, os, arch, variant);
  if (problem) throw problem;
  return compact({ os, arch, variant, distros: readDistros(target) });
}

/** The build image pack uses: [build] image, else the legacy [stack] build-image (pack's mergeStackWithImages). */
export function effectiveBuildImage(b: BuilderToml): { image: string; field: string } | undefined {
  if (isSet(b.build?.image)) return { image: b.build.image, field: 'build.image' };
  if (isSet(b.stack?.buildImage)) return { image: b.stack.buildImage, field: 'stack.build-image' };
  return undefined;
}

/** The run images pack uses, the first being the default: [[run.images]], else the legacy [stack] run-image. */
export function effectiveRunImages(b: BuilderToml): { image: string; mirrors: string[]; field: string }[] {
  const images = b.run?.images ?? [];
  if (images.length) return images.map((r, i) => ({ image: r.image, mirrors: r.mirrors, field: `run.images[${i}].image` }));
  if (isSet(b.stack?.runImage)) return [{ image: b.stack.runImage, mirrors: b.stack.runImageMirrors ?? [], field: 'stack.run-image' }];
  return [];
}

/** How receipts and messages name a [[buildpacks]] entry: id@version, or its uri when it names no id (a docker:// buildpack). */
export function moduleName(m: ModuleConfig): string {
  return fullName(m) || m.uri || m.image || '(no id or uri)';
}

// pack reads these as archives rather than folders.
const ARCHIVE = /\.(tgz|tar\.gz|tar|cnb)$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The [[buildpacks]] entries a builder.toml takes from a local folder, with their folder relative to the workspace (`root` is the builder's folder). */
export function localBuildpackEntries(root: string, builder: BuilderToml): { index: number; dir: string }[] {
  return builder.buildpacks.flatMap((bp, index) =>
    bp.uri && !SCHEME.test(bp.uri) && !ARCHIVE.test(bp.uri) ? [{ index, dir: posix.normalize(posix.join(root, bp.uri)) }] : [],
  );
}

/** Local buildpack folders a builder.toml names by uri, relative to the workspace (`root` is the builder's folder). */
export function localBuildpackDirs(root: string, builder: BuilderToml): string[] {
  return localBuildpackEntries(root, builder).map((entry) => entry.dir);
}

/**
 * The local files a builder.toml names by uri (buildpack archives, a
 * lifecycle tarball), relative to the workspace or absolute for file:// URIs,
 * with the field that names each. pack resolves relative ones from the
 * builder's folder.
 */
export function localFileUris(root: string, builder: BuilderToml): { field: string; uri: string; path: string }[] {
  const local = (field: string, uri: string | undefined) => {
    if (!uri) return [];
    if (uri.startsWith('file://')) return [{ field, uri, path: decodeURIComponent(uri.slice('file://'.length)) }];
    if (SCHEME.test(uri)) return [];
    return [{ field, uri, path: posix.isAbsolute(uri) ? uri : posix.normalize(posix.join(root, uri)) }];
  };
  return [
    ...builder.buildpacks.flatMap((bp, i) => (bp.uri && (ARCHIVE.test(bp.uri) || bp.uri.startsWith('file://')) ? local(`buildpacks[${i}].uri`, bp.uri) : [])),
    ...local('lifecycle.uri', builder.lifecycle?.uri),
  ];
}

/**
 * What pack 0.40 rejects only after it has started pulling images and
 * downloading buildpacks (config_reader.go ValidateConfig and ParseBuildConfigEnv,
 * create_builder.go fetchLifecycle, the buildpack downloader).
 */
export function builderTomlProblems(b: BuilderToml): ConfigError[] {
  const problems: ConfigError[] = [];
  const add = (field: string, expected: string, found: string) => problems.push(new ConfigError(b.file, field, expected, found));

  if (b.lifecycle) {
    const { uri, version } = b.lifecycle;
    if (isSet(uri) && isSet(version)) {
      add('lifecycle', 'uri or version, not both (pack refuses both)', `uri ${JSON.stringify(uri)} and version ${JSON.stringify(version)}`);
    } else if (isSet(version) && !isLifecycleVersion(version)) {
      add('lifecycle.version', 'a semantic version such as "0.20.5"', JSON.stringify(version));
    }
  }

  for (const kind of ['buildpacks', 'extensions'] as const) {
    b[kind].forEach((m, i) => {
      // pack uses uri when set and ignores image; with neither, its downloader finds no locator.
      if (!isSet(m.uri) && !isSet(m.image)) add(`${kind}[${i}]`, 'a uri (or the deprecated image)', 'neither');
      else if (isSet(m.uri) && isSet(m.image)) {
        add(`${kind}[${i}].image`, 'no image alongside uri (pack uses uri and ignores image)', JSON.stringify(m.image));
      }
    });
  }

  problems.push(...envProblems(b));

  // pack merges [stack] into [build]/[run] before ValidateConfig, so its own
  // "do not match" checks never fire and the new tables silently win; a
  // [stack] that disagrees with them is a mistake either way, so report it.
  const buildImage = effectiveBuildImage(b);
  if (!buildImage) add('build.image', 'a build image (or the legacy [stack] build-image)', 'nothing');
  else if (isSet(b.stack?.buildImage) && b.stack.buildImage !== buildImage.image) {
    add('stack.build-image', `the same image as build.image (${JSON.stringify(buildImage.image)})`, JSON.stringify(b.stack.buildImage));
  }

  const runImages = effectiveRunImages(b);
  if (!runImages.length) add('run.images', 'at least one [[run.images]] entry (or the legacy [stack] run-image)', 'nothing');
  else if (b.run?.images.length && b.stack) {
    const first = b.run.images[0];
    if (isSet(b.stack.runImage) && b.stack.runImage !== first.image) {
      add('stack.run-image', `the same image as run.images[0].image (${JSON.stringify(first.image)})`, JSON.stringify(b.stack.runImage));
    } else if (b.stack.runImageMirrors && !sameList(b.stack.runImageMirrors, first.mirrors)) {
      add('stack.run-image-mirrors', `the same mirrors as run.images[0].mirrors (${JSON.stringify(first.mirrors)})`, describeValue(b.stack.runImageMirrors));
    }
  }
  return problems;
}

/** pack's ParseBuildConfigEnv: append and prepend need a delim, given by any entry of the same name. */
function envProblems(b: BuilderToml): ConfigError[] {
  const env = b.build?.env ?? [];
  const withDelim = new Set(env.filter((e) => isSet(e.delim)).map((e) => e.name));
  return env.flatMap((e, i) =>
    (e.suffix === 'append' || e.suffix === 'prepend') && !withDelim.has(e.name)
      ? [
          new ConfigError(
            b.file,
            `build.env[${i}].delim`,
            `a delim for ${JSON.stringify(e.name)} with suffix ${JSON.stringify(e.suffix)} (pack refuses append and prepend without one)`,
            'nothing',
          ),
        ]
      : [],
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A builder.toml's buildpack entry by the id@version a buildpack.toml declares, for error fields. */
export function moduleField(b: BuilderToml, info: { id: string; version?: string }): string {
  const i = b.buildpacks.findIndex((m) => m.id === info.id && (!isSet(m.version) || m.version === info.version));
  return i >= 0 ? `buildpacks[${i}]` : 'buildpacks';
}

export { fullName };
