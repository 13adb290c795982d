import type { Package, OsRelease } from './image-contents';
import type { StackImage } from './stack';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What nx-cnb adds to an image built from a stack's Dockerfile. */
export interface ImageConfig {
  user: string;
  env: Record<string, string>;
  labels: Record<string, string>;
}

/**
 * The user, env and labels of a finished stack image: what `jam create-stack`
 * adds (io.buildpacks.stack.*, CNB_* env, the cnb user) and what the current
 * platform spec asks for (io.buildpacks.base.*, io.buildpacks.rebasable).
 */
export function imageConfig(image: StackImage, os: OsRelease, packages: Package[], released: Date, hasPath: boolean): ImageConfig {
  const { definition: def } = image;
  const releasedAt = released.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const common: Record<string, string> = {
    maintainer: image.maintainer ?? '',
    homepage: image.homepage ?? '',
    released: releasedAt,
    description: def.description ?? '',
    metadata: '{}',
    'distro.name': os.id,
    'distro.version': os.versionId,
  };
  const labels: Record<string, string> = {
    'io.buildpacks.stack.id': image.stackId,
    'io.buildpacks.stack.mixins': JSON.stringify(def.mixins),
  };
  for (const [key, value] of Object.entries(common)) {
    labels[`io.buildpacks.stack.${key}`] = value;
    labels[`io.buildpacks.base.${key}`] = value;
  }
  if (image.legacySbom) labels['io.paketo.stack.packages'] = JSON.stringify(packages);

  const env: Record<string, string> = {};
  if (image.kind === 'build') {
    env.CNB_USER_ID = String(def.uid);
    env.CNB_GROUP_ID = String(def.gid);
    env.CNB_STACK_ID = image.stackId;
  } else {
    labels['io.buildpacks.rebasable'] = 'true';
    labels['io.buildpacks.base.id'] = image.stackId;
  }
  if (!hasPath) env.PATH = DEFAULT_PATH;
  return { user: `${def.uid}:${def.gid}`, env, labels };
}

/** The subset of `docker image inspect` that the spec speaks of. */
export interface InspectedImage {
  Os?: string;
  Architecture?: string;
  Config?: { User?: string; Env?: string[] | null; Labels?: Record<string, string> | null };
}

/**
 * Checks a finished image against the CNB platform spec and reports each
 * breach. The build runs this after decorating, so a Dockerfile that undoes
 * what nx-cnb added (a later USER root, say) cannot slip through.
 */
export function specProblems(image: StackImage, inspected: InspectedImage, passwd: string | undefined): string[] {
  const problems: string[] = [];
  const config = inspected.Config ?? {};
  const labels = config.Labels ?? {};
  const env = new Map((config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const [uid, gid] = (config.User ?? '').split(':');
  const def = image.definition;

  if (!config.User || uid === '0' || uid === 'root') problems.push(`User must be a non-root user, found ${JSON.stringify(config.User ?? '')}`);
  else if (uid !== String(def.uid) || gid !== String(def.gid)) problems.push(`User must be ${def.uid}:${def.gid}, found ${config.User}`);
  if (labels['io.buildpacks.stack.id'] !== image.stackId)
    problems.push(`label io.buildpacks.stack.id must be ${image.stackId}, found ${labels['io.buildpacks.stack.id'] ?? 'none'}`);
  if (!inspected.Os || !inspected.Architecture) problems.push('the image config must name its os and architecture');
  if (!env.get('PATH')) problems.push('env PATH must be set');
  if (!passwd || !passwd.split('\n').some((l) => l.startsWith(`cnb:x:${def.uid}:${def.gid}:`)))
    problems.push(`/etc/passwd must hold the cnb user ${def.uid}:${def.gid}`);

  let mixins: unknown;
  try {
    mixins = JSON.parse(labels['io.buildpacks.stack.mixins'] ?? '[]');
  } catch {
    mixins = undefined;
  }
  if (!Array.isArray(mixins)) problems.push('label io.buildpacks.stack.mixins must be a JSON array of strings');
  else {
    const wrong = image.kind === 'build' ? 'run:' : 'build:';
    const bad = mixins.filter((m) => typeof m !== 'string' || m.startsWith(wrong));
    if (bad.length)
      problems.push(`label io.buildpacks.stack.mixins must hold no ${wrong}-prefixed mixin on a ${image.kind} image, found ${JSON.stringify(bad)}`);
  }

  if (image.kind === 'build') {
    for (const [name, value] of [
      ['CNB_USER_ID', def.uid],
      ['CNB_GROUP_ID', def.gid],
      ['CNB_STACK_ID', image.stackId],
    ] as const) {
      if (env.get(name) !== String(value)) problems.push(`env ${name} must be ${value}, found ${env.get(name) ?? 'none'}`);
    }
  } else if (labels['io.buildpacks.rebasable'] !== 'true') {
    problems.push(`label io.buildpacks.rebasable must be "true" on a run image, found ${labels['io.buildpacks.rebasable'] ?? 'none'}`);
  }
  return problems;
}

/** Labels the finished image does not carry as asked, as "label k must be v, found w". */
export function labelMismatches(wanted: Record<string, string>, found: Record<string, string> | null | undefined): string[] {
  return Object.entries(wanted)
    .filter(([key, value]) => found?.[key] !== value)
    .map(([key, value]) => `label ${key} must be ${JSON.stringify(value)}, found ${found?.[key] === undefined ? 'none' : JSON.stringify(found[key])}`);
}
