import { posix } from 'node:path';
import { ConfigError, ConfigErrors } from '../errors';
import { expandPattern, type ImagesJson, parseImagesJson } from './images-json';
import { type ImageDefinition, type ImageKind, mixinProblems, parseStackToml, type StackToml } from './stack-toml';

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
  platforms: string[];
  definition: ImageDefinition;
  /** jam's [deprecated] legacy-sbom: add the io.paketo.stack.packages label. */
  legacySbom: boolean;
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
  const images = (['build', 'run'] as const).map((kind) => stackImage(toml, STACK_TOML, kind, 'base', kind, `${base}-${kind}`));
  return checkAcrossImages(root, { layout: 'stack.toml', configFile: STACK_TOML, images, warnings: [] }, files);
}

function fromImagesJson(root: string, json: ImagesJson, files: StackFiles): Stack {
  const images: StackImage[] = [];
  json.images.forEach((entry, i) => {
    const tomlPath = join(entry.configDir, STACK_TOML);
    const text = files.read(tomlPath);
    if (text === undefined) {
      throw new ConfigError(json.file, `images[${i}].config_dir`, `a folder holding a ${STACK_TOML}`, `${JSON.stringify(entry.configDir)} without one`);
    }
    const toml = parseStackToml(join(root, tomlPath), text);
    const variant = entry.stackType ?? (entry.createBuildImage ? 'base' : entry.name);
    const suffix = variant === 'base' ? '' : `-${variant}`;
    const nameFor = (kind: ImageKind) => {
      const pattern = entry.patternImageRegistryName ?? defaultPattern(json);
      return expandPattern(pattern, {
        os_name: json.osName ?? posix.basename(root),
        os_codename: json.osCodename,
        build_image_run_image: kind === 'build' ? entry.buildImage : entry.runImage,
        stack_type: variant === 'base' && !entry.patternImageRegistryName ? undefined : variant,
      });
    };
    if (entry.createBuildImage) {
      if (!toml.build) throw new ConfigError(toml.file, 'build', 'a [build] table (images.json sets create_build_image)', 'none');
      images.push(stackImage(toml, tomlPath, 'build', variant, `build${suffix}`, nameFor('build')));
    }
    if (!toml.run) throw new ConfigError(toml.file, 'run', 'a [run] table', 'none');
    images.push(stackImage(toml, tomlPath, 'run', variant, `run${suffix}`, nameFor('run')));
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
    platforms: toml.platforms,
    definition,
    legacySbom: toml.deprecated.legacySbom,
  };
}

/** Checks that span the whole stack: unique keys and names, Dockerfiles present, users distinct. */
function checkAcrossImages(root: string, stack: Stack, files: StackFiles): Stack {
  const seen = new Map<string, StackImage>();
  for (const img of stack.images) {
    const file = join(root, img.stackToml);
    if (img.dockerfile.startsWith('../') || img.dockerfile === '..') {
      throw new ConfigError(file, `${img.kind}.dockerfile`, 'a Dockerfile inside the stack folder', JSON.stringify(img.definition.dockerfile));
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

/** Build args for one platform: [x.args] overlaid with [x.platforms."<platform>".args], as jam does. */
export function buildArgsFor(image: StackImage, platform: string): Record<string, string> {
  return { ...image.definition.args, ...(image.definition.platformArgs[platform] ?? {}) };
}
