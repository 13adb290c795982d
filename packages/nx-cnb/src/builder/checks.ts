/**
 * Cross-checks of a builder.toml against the images and buildpacks it names,
 * run before pack so a mismatch is reported with the file and field to fix
 * instead of after pack has pulled images and downloaded buildpacks.
 */
import { ConfigError } from '../errors';
import { normalizeImageRef } from '../reference/image-reference';
import { posix } from 'node:path';
import { type BuilderToml, effectiveBuildImage, effectiveRunImages, localBuildpackEntries, moduleField } from './builder-toml';
import { type LifecycleApis, sameApi } from './lifecycle';
import type { BuildpackDescriptor, BuildpackTarget } from './buildpack-toml';
import { fullName, isSet } from './modules';

/** What the workspace knows of an image: from a stack that makes it, or from the container engine. */
export interface KnownImage {
  /** The io.buildpacks.stack.id label; undefined means the image has none. */
  stackId?: string;
  /** The io.buildpacks.stack.mixins label; undefined means none. */
  mixins?: string[];
  os?: string;
  arch?: string;
  distro?: { name: string; version: string };
}

/** What an image's labels and platform say of it, whether read from a stack's receipt or from the engine. */
export function knownImage(labels: Record<string, string>, os: string | undefined, arch: string | undefined): KnownImage {
  let mixins: string[] | undefined;
  try {
    mixins = labels['io.buildpacks.stack.mixins'] ? JSON.parse(labels['io.buildpacks.stack.mixins']) : undefined;
  } catch {
    mixins = undefined;
  }
  const name = labels['io.buildpacks.base.distro.name'] ?? labels['io.buildpacks.stack.distro.name'];
  const version = labels['io.buildpacks.base.distro.version'] ?? labels['io.buildpacks.stack.distro.version'];
  return { stackId: labels['io.buildpacks.stack.id'], mixins, os, arch, distro: name && version ? { name, version } : undefined };
}

export type KnownImages = ReadonlyMap<string, KnownImage> | Readonly<Record<string, KnownImage>>;

/** Docker's limit on the layers of one image (overlay2 stacks at most 128 lower dirs). */
export const MAX_LAYERS = 127;

export function lookupImage(known: KnownImages, ref: string): KnownImage | undefined {
  const wanted = normalizeImageRef(ref);
  const entries: [string, KnownImage][] = known instanceof Map ? [...known.entries()] : Object.entries(known as Record<string, KnownImage>);
  return entries.find(([key]) => normalizeImageRef(key) === wanted)?.[1];
}

/**
 * Every build and run image must come from a stack in the workspace or be in
 * the engine; a legacy [stack] id must equal the io.buildpacks.stack.id of the
 * build image and of every run image (and mirror) we know, as pack checks in
 * createBaseBuilder and validateRunImageConfig.
 */
export function checkImages(builder: BuilderToml, knownImages: KnownImages, pullFailures: ReadonlyMap<string, string> = new Map()): ConfigError[] {
  const problems: ConfigError[] = [];
  const images: { image: string; field: string; kind: 'build' | 'run'; mirror: boolean }[] = [];
  const build = effectiveBuildImage(builder);
  if (build) images.push({ ...build, kind: 'build', mirror: false });
  for (const run of effectiveRunImages(builder)) {
    images.push({ image: run.image, field: run.field, kind: 'run', mirror: false });
    // Mirrors usually live in other registries; pack only warns when one is out of reach.
    for (const mirror of run.mirrors) images.push({ image: mirror, field: run.field, kind: 'run', mirror: true });
  }

  const stackId = builder.stack?.id;
  for (const { image, field, kind, mirror } of images) {
    const known = lookupImage(knownImages, image);
    if (!known) {
      if (!mirror) {
        const pulled = pullFailures.get(normalizeImageRef(image));
        problems.push(
          new ConfigError(
            builder.file,
            field,
            `a ${kind} image that a stack in the workspace makes or that the engine has${pulled ? ' or can pull' : ''}`,
            `${JSON.stringify(normalizeImageRef(image))}, which no stack in the workspace makes and the engine lacks${pulled ? ` (${pulled})` : ''}`,
          ),
        );
      }
      continue;
    }
    if (isSet(stackId) && known.stackId !== stackId) {
      const what = `${kind} image ${JSON.stringify(normalizeImageRef(image))}`;
      const expected = isSet(known.stackId)
        ? `the io.buildpacks.stack.id of ${what} (${JSON.stringify(known.stackId)})`
        : `no [stack] id, or an io.buildpacks.stack.id on ${what} (it has none)`;
      problems.push(new ConfigError(builder.file, 'stack.id', expected, JSON.stringify(stackId)));
    }
  }
  return problems;
}

/**
 * What pack checks of a builder's buildpacks once it has downloaded them
 * (create_builder.go addBuildpacks, builder.go validateBuildpacks and
 * validateLifecycleCompat), checked here first from the local buildpack
 * folders: each entry's id and version match its buildpack.toml, every order
 * entry names a buildpack on the builder, every composite's components are
 * on it, and the lifecycle runs each buildpack's API. Buildpacks from
 * images, registries or archives are opaque here, so with any of them the
 * order is not checked.
 */
export function contentsProblems(builder: BuilderToml, buildpacks: readonly BuildpackDescriptor[], lifecycle?: LifecycleApis): ConfigError[] {
  const problems: ConfigError[] = [];
  const add = (field: string, expected: string, found: string) => problems.push(new ConfigError(builder.file, field, expected, found));
  const byFile = new Map(buildpacks.map((bp) => [bp.file, bp]));
  const local = localBuildpackEntries(posix.dirname(builder.file), builder).flatMap(({ index, dir }) => {
    const descriptor = byFile.get(posix.join(dir, 'buildpack.toml'));
    return descriptor ? [{ index, descriptor }] : [];
  });

  for (const { index, descriptor } of local) {
    const entry = builder.buildpacks[index];
    const { id, version } = descriptor.buildpack;
    for (const [key, declared, actual] of [
      ['id', entry.id, id],
      ['version', entry.version, version],
    ] as const) {
      if (isSet(declared) && declared !== actual) {
        add(
          `buildpacks[${index}].${key}`,
          `the ${key} its buildpack.toml declares (${JSON.stringify(actual)} in ${descriptor.file})`,
          JSON.stringify(declared),
        );
      }
    }
    if (lifecycle && !lifecycle.buildpackApis.some((api) => sameApi(api, descriptor.api))) {
      add(
        `buildpacks[${index}]`,
        `a buildpack whose Buildpack API ${lifecycle.name} runs (${lifecycle.buildpackApis.join(', ')})`,
        `${JSON.stringify(fullName(descriptor.buildpack))} with api ${JSON.stringify(descriptor.api)} (${descriptor.file})`,
      );
    }
  }

  if (local.length === builder.buildpacks.length) {
    const onBuilder = buildpacks.map((bp) => bp.buildpack);
    const has = (ref: { id: string; version?: string }) => onBuilder.some((bp) => bp.id === ref.id && (!isSet(ref.version) || bp.version === ref.version));
    const listed = onBuilder.map(fullName).join(', ') || 'none';
    builder.order.forEach((entry, i) =>
      entry.group.forEach((ref, j) => {
        if (!has(ref)) add(`order[${i}].group[${j}]`, `a buildpack on the builder (${listed})`, JSON.stringify(fullName(ref)));
      }),
    );
    for (const { index, descriptor: composite } of local.filter((l) => l.descriptor.order.length)) {
      const missing = composite.order.flatMap((entry) => entry.group).filter((ref) => !has(ref));
      if (missing.length) {
        add(
          `buildpacks[${index}]`,
          `a [[buildpacks]] entry for every buildpack that composite ${JSON.stringify(fullName(composite.buildpack))} orders`,
          `none for ${missing.map((ref) => JSON.stringify(fullName(ref))).join(', ')}`,
        );
      }
    }
  }
  return problems;
}

/**
 * The checks pack makes when it adds buildpacks to a builder (builder.go
 * validateBuildpacks, dist.BuildpackDescriptor EnsureStackSupport and
 * EnsureTargetSupport), and at build time for run images (build.go
 * validateMixins). runImages[i] describes the builder's i-th run image.
 * Composite buildpacks are skipped, as pack skips them.
 */
export function checkBuildpacks(
  builder: BuilderToml,
  buildpacks: readonly BuildpackDescriptor[],
  buildImage: KnownImage,
  runImages: readonly KnownImage[],
): ConfigError[] {
  const problems: ConfigError[] = [];
  const buildName = JSON.stringify(normalizeImageRef(effectiveBuildImage(builder)?.image ?? 'the build image'));
  const runNames = effectiveRunImages(builder).map((r) => JSON.stringify(normalizeImageRef(r.image)));
  const runs = runImages.map((image, i) => ({ image, name: runNames[i] ?? `run image ${i}` }));

  for (const bp of buildpacks) {
    if (bp.order.length) continue;
    const field = moduleField(builder, bp.buildpack);
    const name = JSON.stringify(fullName(bp.buildpack));
    const add = (expected: string, found: string) => problems.push(new ConfigError(builder.file, field, expected, found));

    if (bp.stacks.length) {
      const stackId = buildImage.stackId;
      const stack = bp.stacks.find((s) => s.id === '*' || (isSet(stackId) && s.id === stackId));
      const theirs = `[[stacks]] ${bp.stacks.map((s) => JSON.stringify(s.id)).join(', ')}`;
      if (!stack) {
        add(
          isSet(stackId)
            ? `a buildpack that supports the stack ${JSON.stringify(stackId)} of build image ${buildName}`
            : `a buildpack with [[stacks]] id "*", as build image ${buildName} has no io.buildpacks.stack.id`,
          `${name} with ${theirs}`,
        );
      } else {
        for (const mixin of stack.mixins) {
          const need = (image: KnownImage, kind: string) => {
            const has = image.mixins ?? [];
            if (!has.includes(mixin)) {
              add(
                `${kind} to provide mixin ${JSON.stringify(mixin)}, which buildpack ${name} requires`,
                has.length ? `its mixins ${has.map((m) => JSON.stringify(m)).join(', ')}` : 'no mixins',
              );
            }
          };
          // build: only on the build image, run: only on run images, unprefixed on both (platform spec, pack's assembleAvailableMixins).
          if (!mixin.startsWith('run:')) need(buildImage, `build image ${buildName}`);
          if (!mixin.startsWith('build:')) runs.forEach((r) => need(r.image, `run image ${r.name}`));
        }
      }
    }

    if (bp.targets.length) {
      const theirs = bp.targets.map(describeTarget).join(', ');
      const platforms: { what: string; os: string; arch?: string; distro?: { name: string; version?: string } }[] = [];
      builder.targets.forEach((t, i) => {
        const distros = t.distros.length ? t.distros : [undefined];
        for (const distro of distros) platforms.push({ what: `targets[${i}]`, os: t.os, arch: t.arch, distro });
      });
      const images = [{ image: buildImage, what: `build image ${buildName}` }, ...runs.map((r) => ({ image: r.image, what: `run image ${r.name}` }))];
      for (const { image, what } of images) {
        if (isSet(image.os)) platforms.push({ what, os: image.os, arch: image.arch, distro: image.distro });
      }
      for (const p of platforms) {
        if (!bp.targets.some((t) => targetMatches(t, p.os, p.arch, p.distro))) {
          add(
            `a buildpack whose [[targets]] include ${describeTarget({ ...p, distros: p.distro ? [p.distro] : [] })} (${p.what})`,
            `${name} with targets ${theirs}`,
          );
        }
      }
    }
  }
  return problems;
}

/**
 * pack's EnsureTargetSupport: os must be equal (a target without os never
 * matches), arch equal or empty on either side, and a distro must match when
 * both sides name one.
 */
function targetMatches(t: BuildpackTarget, os: string, arch?: string, distro?: { name: string; version?: string }): boolean {
  if (t.os !== os) return false;
  if (isSet(t.arch) && isSet(arch) && t.arch !== arch) return false;
  if (!t.distros.length || !distro || !isSet(distro.name) || !isSet(distro.version)) return true;
  return t.distros.some((d) => d.name === distro.name && d.version === distro.version);
}

function describeTarget(t: { os?: string; arch?: string; variant?: string; distros: { name: string; version?: string }[] }): string {
  const platform = [t.os ?? '*', t.arch ?? '*', t.variant].filter(Boolean).join('/');
  const distros = t.distros.map((d) => (d.version ? `${d.name}@${d.version}` : d.name));
  return distros.length ? `${platform} (${distros.join(', ')})` : platform;
}

/**
 * The default --flatten groups: each top-level composite buildpack with every
 * buildpack its order reaches, recursively, as "id@version,id@version" (the
 * format of pack's ParseFlattenBuildModules). Each buildpack goes in the first
 * group that reaches it, since pack puts a module in the first group naming it;
 * buildpacks no composite reaches are left out, so pack gives each its own layer.
 * Only buildpacks in the list are named, as pack needs their exact versions.
 */
export function flattenGroups(buildpacks: readonly BuildpackDescriptor[]): string[] {
  const byName = new Map(buildpacks.map((bp) => [fullName(bp.buildpack), bp]));
  const resolve = (ref: { id: string; version?: string }): BuildpackDescriptor | undefined => {
    if (isSet(ref.version)) return byName.get(`${ref.id}@${ref.version}`);
    const same = buildpacks.filter((bp) => bp.buildpack.id === ref.id);
    return same.length === 1 ? same[0] : undefined;
  };
  const children = (bp: BuildpackDescriptor) => bp.order.flatMap((entry) => entry.group.map(resolve)).filter((c): c is BuildpackDescriptor => !!c);

  const reached = new Set<BuildpackDescriptor>();
  for (const bp of buildpacks) children(bp).forEach((c) => c !== bp && reached.add(c));

  const placed = new Set<BuildpackDescriptor>();
  const groups: string[] = [];
  for (const top of buildpacks) {
    if (!top.order.length || reached.has(top) || placed.has(top)) continue;
    const members: BuildpackDescriptor[] = [];
    const visit = (bp: BuildpackDescriptor) => {
      if (placed.has(bp)) return;
      placed.add(bp);
      members.push(bp);
      children(bp).forEach(visit);
    };
    visit(top);
    // A group of one is a layer of one either way.
    if (members.length > 1) groups.push(members.map((m) => fullName(m.buildpack)).join(','));
  }
  return groups;
}

export interface LayerCounts {
  /** Layers of the build image the builder starts from. */
  buildImageLayers: number;
  /** Distinct buildpacks (id@version) on the builder, counting the components of composites and packages. */
  buildpacks: number;
  /** Distinct extensions (id@version) on the builder. */
  extensions: number;
  /** The --flatten groups; each member is assumed to be among the buildpacks above. */
  flattenGroups?: readonly string[];
}

/**
 * The layers of the image `pack builder create` makes, per pack 0.40's
 * Builder.Save (internal/builder/builder.go):
 *
 *   build image layers
 *   + 1 default dirs (/workspace, /layers, /cnb, /cnb/buildpacks, /platform...)
 *   + 1 lifecycle
 *   + 1 per flatten group, + 1 per buildpack or extension in no group
 *   + 1 /cnb/order.toml (always: pack create calls SetOrder)
 *   + 1 /cnb/system.toml, only if [system] has pre or post buildpacks
 *   + 1 /cnb/stack.toml
 *   + 1 /cnb/run.toml
 *   + 1 build config env (/cnb/build-config/env), only if [[build.env]] is set
 *   + 1 /platform/env
 *
 * so build image layers + 6 + modules, + 2 at most. Whiteout layers appear
 * only when the base is itself a builder holding the same buildpacks.
 */
export function estimateLayers(builder: BuilderToml, counts: LayerCounts): number {
  const groups = (counts.flattenGroups ?? [])
    .map(
      (g) =>
        new Set(
          g
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
    )
    .filter((g) => g.size > 0);
  const flattened = new Set(groups.flatMap((g) => [...g]));
  const modules = counts.buildpacks + counts.extensions - flattened.size + groups.length;
  const system = builder.system && (builder.system.pre.length || builder.system.post.length) ? 1 : 0;
  const buildEnv = builder.build?.env.length ? 1 : 0;
  return counts.buildImageLayers + 6 + modules + system + buildEnv;
}

/** The create-builder option "flatten": "composites" (the default), "none", or groups as pack writes them. */
export type FlattenOption = 'composites' | 'none' | string[];

// "id@version,id@version": what pack's --flatten takes.
const FLATTEN_GROUP = /^[A-Za-z0-9._/-]+@[A-Za-z0-9._+-]+(,[A-Za-z0-9._/-]+@[A-Za-z0-9._+-]+)*$/;

/** The option's problem, naming the group at fault, or undefined. */
export function flattenOptionProblem(file: string, field: string, option: FlattenOption | undefined): ConfigError | undefined {
  if (!Array.isArray(option)) return undefined;
  const i = option.findIndex((group) => !FLATTEN_GROUP.test(group));
  return i < 0 ? undefined : new ConfigError(file, `${field}[${i}]`, 'a group "id@version,id@version"', JSON.stringify(option[i]));
}

/** The --flatten groups an option asks for. */
export function resolveFlatten(option: FlattenOption | undefined, buildpacks: readonly BuildpackDescriptor[]): string[] {
  if (option === 'none') return [];
  return Array.isArray(option) ? option : flattenGroups(buildpacks);
}

/**
 * Docker refuses images of more than MAX_LAYERS layers; say so before pack
 * builds one, with the count and what to flatten. Undefined when it fits.
 */
export function layerLimitProblem(builder: BuilderToml, counts: LayerCounts): string | undefined {
  const layers = estimateLayers(builder, counts);
  if (layers <= MAX_LAYERS) return undefined;
  const groups = counts.flattenGroups ?? [];
  const alone = builder.buildpacks.filter((bp) => !groups.some((g) => g.split(',').includes(`${bp.id}@${bp.version}`))).length;
  return (
    `${builder.file}: the builder would have ${layers} layers, over Docker's limit of ${MAX_LAYERS} ` +
    `(${counts.buildImageLayers} from the build image, ${alone} buildpacks in layers of their own, ${groups.length} flattened groups). ` +
    `Flatten more buildpacks together: set the create-builder option "flatten" to "composites" or to groups "id@version,id@version".`
  );
}
