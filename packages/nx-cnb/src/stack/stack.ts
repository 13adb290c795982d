import { posix } from 'node:path';
import { ConfigError, ConfigErrors } from '../errors';
import { isNameComponent, NAME_COMPONENT_EXPECTED } from '../reference/image-reference';
import { expandPattern, type ImagesJson, parseImagesJson } from './images-json';
import { type ImageDefinition, type ImageKind, mixinProblems, osReleaseOverrides, parseStackToml, type StackToml } from './stack-toml';

/** How the model sees files: paths relative to the stack root, undefined when absent. */
export interface StackFiles {
  read(path: string): string | undefined;
}

/** One image a stack makes: the unit of one Nx target and one receipt. */
export interface StackImage {
  /** Unique within the stack: "build", "run", "run-tiny"… Becomes the target "image-<key>". */
  key: string;
  kind: ImageKind;
  /** "base", "tiny", "static" or the images.json stack_type. */
  variant: string;
  /** Repository name without registry or tag, e.g. "debian-bookworm-run-tiny". */
  name: string;
  /** Paths relative to the stack root. */
  stackToml: string;
  dockerfile: string;
  context: string;
  stackId: string;
  homepage?: string;
  maintainer?: string;
  /** Values a run image's /etc/os-release takes from the stack.toml (jam's name, homepage, support-url, bug-report-url). */
  osRelease: Record<string, string>;
  platforms: string[];
  definition: ImageDefinition;
  /** jam's [deprecated] legacy-sbom: add the io.paketo.stack.packages label. */
  legacySbom: boolean;
  /**
   * jam's [deprecated] mixins = true: the mixins label comes from the package
   * lists of this image and its pair, the stack's build image for a run image
   * and the run image of the same stack.toml for the build image.
   */
  deriveMixins: boolean;
}

export interface Stack {
  layout: 'images.json' | 'stack.toml';
  /** The file that defines the stack, relative to its root. */
  configFile: string;
  images: StackImage[];
  warnings: string[];
}

export const IMAGES_JSON = 'images.json';

// Names of build args that look like they carry a credential.
const SECRET_LIKE = /(secret|passw(or)?d|token|api[_-]?key|private[_-]?key|credential|auth)/i;
export const STACK_TOML = 'stack.toml';

/**
 * Reads a stack rooted at a folder: Paketo's layout (images.json + one
 * stack.toml per config_dir) or a lone jam stack.toml. `root` is the stack's
 * workspace-relative folder, which messages name.
 */
export function readStack(root: string, files: StackFiles): Stack {
  const imagesJson = files.read(IMAGES_JSON);
  if (imagesJson !== undefined) return fromImagesJson(root, parseImagesJson(join(root, IMAGES_JSON), imagesJson), files);
  const stackToml = files.read(STACK_TOML);
  if (stackToml === undefined) throw new ConfigError(root, '(folder)', `an ${IMAGES_JSON} or a ${STACK_TOML}`, 'neither');
  return fromLoneStackToml(root, parseStackToml(join(root, STACK_TOML), stackToml), files);
}

function fromLoneStackToml(root: string, toml: StackToml, files: StackFiles): Stack {
  for (const kind of ['build', 'run'] as const) {
    if (!toml[kind]) throw new ConfigError(toml.file, kind, `a [${kind}] table (a lone stack.toml makes both images)`, 'none');
  }
  const base = posix.basename(root) || 'stack';
  if (!isNameComponent(base)) {
    throw new ConfigError(
      toml.file,
      '(folder name)',
      `a folder name that can name images (${NAME_COMPONENT_EXPECTED}), as a lone stack.toml names its images after its folder`,
      JSON.stringify(base),
    );
  }
  const images = (['build', 'run'] as const).map((kind) => stackImage(toml, STACK_TOML, kind, 'base', kind, `${base}-${kind}`));
  return checkAcrossImages(root, { layout: 'stack.toml', configFile: STACK_TOML, images, warnings: [] }, files);
}

function fromImagesJson(root: string, json: ImagesJson, files: StackFiles): Stack {
  const images: StackImage[] = [];
  json.images.forEach((entry, i) => {
    const tomlPath = findConfigDir(root, entry.configDir, files);
    if (tomlPath === undefined) {
      throw new ConfigError(
        json.file,
        `images[${i}].config_dir`,
        `a folder holding a ${STACK_TOML}, relative to ${IMAGES_JSON} or to a folder above it`,
        `${JSON.stringify(entry.configDir)} without one`,
      );
    }
    const toml = parseStackToml(join(root, tomlPath), files.read(tomlPath)!);
    const variant = entry.stackType ?? (entry.createBuildImage ? 'base' : entry.name);
    // Keys come from the variant; entries of one variant (Paketo's UBI stacks mark every entry "base") fall back to their unique name.
    const keyFor = (kind: ImageKind) => {
      const key = variant === 'base' ? kind : `${kind}-${variant}`;
      return images.some((image) => image.key === key) ? `${kind}-${entry.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}` : key;
    };
    const nameFor = (kind: ImageKind) => {
      const pattern = entry.patternImageRegistryName ?? defaultPattern(json);
      const name = expandPattern(pattern, {
        os_name: json.osName ?? posix.basename(root),
        os_codename: json.osCodename,
        build_image_run_image: kind === 'build' ? entry.buildImage : entry.runImage,
        stack_type: variant === 'base' && !entry.patternImageRegistryName ? undefined : variant,
      });
      if (isNameComponent(name)) return name;
      // The other parts of a name were checked as images.json was read: the fault is the folder name or the pattern's own words.
      if (json.osName === undefined && pattern.split('-').includes('os_name') && !isNameComponent(posix.basename(root))) {
        throw new ConfigError(json.file, 'os_name', `an os_name, as the folder name cannot be part of an image name (${NAME_COMPONENT_EXPECTED})`, 'nothing');
      }
      throw new ConfigError(
        json.file,
        `images[${i}].pattern_image_registry_name`,
        `a pattern that makes a valid image name (${NAME_COMPONENT_EXPECTED})`,
        `${JSON.stringify(pattern)}, which makes ${JSON.stringify(name)}`,
      );
    };
    if (entry.createBuildImage) {
      if (!toml.build) throw new ConfigError(toml.file, 'build', 'a [build] table (images.json sets create_build_image)', 'none');
      images.push(stackImage(toml, tomlPath, 'build', variant, keyFor('build'), nameFor('build')));
    }
    if (!toml.run) throw new ConfigError(toml.file, 'run', 'a [run] table', 'none');
    images.push(stackImage(toml, tomlPath, 'run', variant, keyFor('run'), nameFor('run')));
  });
  const stack = checkAcrossImages(root, { layout: 'images.json', configFile: IMAGES_JSON, images, warnings: [] }, files);

  // The build image serves every run image, so the mixin rules apply across variants.
  const build = stack.images.find((i) => i.kind === 'build');
  if (build) {
    const problems = stack.images
      .filter((i) => i.kind === 'run')
      .flatMap((run) => mixinProblems({ file: join(root, run.stackToml), run: run.definition }, build.definition));
    if (problems.length) throw new ConfigErrors(problems);
  }
  return stack;
}

/**
 * Where an entry's stack.toml is, relative to the stack root: config_dir is
 * relative to images.json, but Paketo's UBI repositories write it relative to
 * their repository root, which may be any folder above (up to the workspace).
 */
function findConfigDir(root: string, configDir: string, files: StackFiles): string | undefined {
  const depth = root === '.' || root === '' ? 0 : root.split('/').length;
  for (let up = 0; up <= depth; up++) {
    const fromRoot = posix.join('/', root, ...Array<string>(up).fill('..'), configDir);
    const tomlPath = join(posix.relative(posix.join('/', root), fromRoot), STACK_TOML);
    if (files.read(tomlPath) !== undefined) return tomlPath;
  }
  return undefined;
}

function defaultPattern(json: ImagesJson): string {
  return json.osName ? 'os_name-os_codename-build_image_run_image-stack_type' : 'os_name-build_image_run_image-stack_type';
}

function stackImage(toml: StackToml, tomlPath: string, kind: ImageKind, variant: string, key: string, name: string): StackImage {
  const definition = toml[kind]!;
  const dockerfile = posix.normalize(join(posix.dirname(tomlPath), definition.dockerfile));
  return {
    key,
    kind,
    variant,
    name,
    stackToml: tomlPath,
    dockerfile,
    context: posix.dirname(dockerfile),
    stackId: toml.id,
    homepage: toml.homepage,
    maintainer: toml.maintainer,
    osRelease: kind === 'run' ? osReleaseOverrides(toml) : {},
    platforms: toml.platforms,
    definition,
    legacySbom: toml.deprecated.legacySbom,
    deriveMixins: toml.deprecated.mixins,
  };
}

/** Checks that span the whole stack: unique keys and names, Dockerfiles present, users distinct. */
function checkAcrossImages(root: string, stack: Stack, files: StackFiles): Stack {
  const seen = new Map<string, StackImage>();
  for (const img of stack.images) {
    const file = join(root, img.stackToml);
    // jam takes any relative path; Paketo's UBI stacks share Dockerfiles across folders. The workspace is the limit.
    if (join(root, img.dockerfile).startsWith('../') || join(root, img.dockerfile) === '..') {
      throw new ConfigError(file, `${img.kind}.dockerfile`, 'a Dockerfile inside the workspace', JSON.stringify(img.definition.dockerfile));
    }
    if (files.read(img.dockerfile) === undefined) {
      throw new ConfigError(file, `${img.kind}.dockerfile`, 'an existing Dockerfile', `no file at ${join(root, img.dockerfile)}`);
    }
    const clash = seen.get(img.key) ?? [...seen.values()].find((other) => other.name === img.name);
    if (clash) {
      throw new ConfigError(
        join(root, stack.configFile),
        'images',
        'a distinct image name and variant for every image',
        `${img.name} twice (variant ${img.variant})`,
      );
    }
    seen.set(img.key, img);
  }
  for (const img of stack.images) {
    const args = [...Object.keys(img.definition.args), ...Object.values(img.definition.platformArgs).flatMap((a) => Object.keys(a))];
    for (const name of new Set(args.filter((a) => SECRET_LIKE.test(a)))) {
      stack.warnings.push(
        `${join(root, img.stackToml)}: ${img.kind}.args.${name}: build args end up in the image history for anyone who pulls it; pass secrets as BuildKit secrets (RUN --mount=type=secret) instead`,
      );
    }
  }
  for (const img of stack.images.filter((i) => i.deriveMixins && !mixinPair(stack, i))) {
    throw new ConfigError(
      join(root, img.stackToml),
      'deprecated.mixins',
      'a build image in the stack for the run image to be paired with (jam derives mixins from the packages of a build/run pair)',
      'a stack without one',
    );
  }
  const build = stack.images.find((i) => i.kind === 'build');
  for (const run of stack.images.filter((i) => i.kind === 'run')) {
    if (build && build.definition.uid === run.definition.uid) {
      stack.warnings.push(
        `${join(root, run.stackToml)}: run.uid: the run image user (${run.definition.uid}) should differ from the build image user (${build.definition.uid}), as the CNB platform spec asks`,
      );
    }
  }
  return stack;
}

function join(...parts: string[]): string {
  return posix.join(...parts.filter((p) => p !== '' && p !== '.'));
}

/**
 * The other image of an image's build/run pair, whose packages its derived
 * mixins are computed against: a run image pairs with the stack's build
 * image, the build image with the run image of its own stack.toml.
 */
export function mixinPair(stack: Pick<Stack, 'images'>, image: StackImage): StackImage | undefined {
  if (image.kind === 'run') return stack.images.find((i) => i.kind === 'build');
  return stack.images.find((i) => i.kind === 'run' && i.stackToml === image.stackToml);
}

/** Build args for one platform: [x.args] overlaid with [x.platforms."<platform>".args], as jam does. */
export function buildArgsFor(image: StackImage, platform: string): Record<string, string> {
  return { ...image.definition.args, ...(image.definition.platformArgs[platform] ?? {}) };
}
