import { ConfigError, ConfigErrors, describeValue } from '../errors';
import { Fields, isTable } from '../config/fields';
import { hasControlCharacter, parseLoosely, parseToml } from '../config/parse';
import { platformProblem } from '../oci/platform';

export type ImageKind = 'build' | 'run';

/** One [build] or [run] table of a jam stack.toml. */
export interface ImageDefinition {
  /** Path as written, relative to the stack.toml; its folder is the build context (as in jam). */
  dockerfile: string;
  /** Dockerfile stage to build (nx-cnb addition; jam builds the last stage). */
  target?: string;
  uid: number;
  gid: number;
  shell: string;
  description?: string;
  args: Record<string, string>;
  /** Extra args per platform, from [build.platforms."linux/arm64".args]. */
  platformArgs: Record<string, Record<string, string>>;
  /** Mixins declared for this image (nx-cnb addition); checked against the build:/run: rules. */
  mixins: string[];
}

/** A parsed jam-style stack.toml. */
export interface StackToml {
  file: string;
  id: string;
  /** jam's name: the PRETTY_NAME of the run images' /etc/os-release. */
  name?: string;
  homepage?: string;
  /** jam's support-url and bug-report-url: SUPPORT_URL and BUG_REPORT_URL of the run images' /etc/os-release. */
  supportUrl?: string;
  bugReportUrl?: string;
  maintainer?: string;
  platforms: string[];
  build?: ImageDefinition;
  run?: ImageDefinition;
  /** jam's [deprecated] table: legacy-sbom adds the io.paketo.stack.packages label, mixins derives mixins from the package lists. */
  deprecated: { legacySbom: boolean; mixins: boolean };
}

const TOP_KEYS = ['id', 'name', 'homepage', 'support-url', 'bug-report-url', 'maintainer', 'platforms', 'build', 'run', 'deprecated'] as const;
const IMAGE_KEYS = ['description', 'dockerfile', 'target', 'uid', 'gid', 'shell', 'args', 'platforms', 'mixins'] as const;
const DEPRECATED_KEYS = ['legacy-sbom', 'mixins'] as const;
const MAX_ID = 2 ** 31 - 1;

// The CNB spec lets a stack id hold letters, digits, '.', '/' and '-'.
const STACK_ID = /^[A-Za-z0-9]([A-Za-z0-9./-]*[A-Za-z0-9])?$/;

export function isValidStackId(id: string): boolean {
  return STACK_ID.test(id) && !id.includes('..') && !id.includes('//');
}

// "name" alone says nothing: any tool's stack.toml may name itself.
const TELLING_KEYS = TOP_KEYS.filter((key) => key !== 'name');

/**
 * Whether a stack.toml is jam's rather than another tool's: it sets one of
 * jam's keys, or it does not parse (a stack with a typo is still a stack).
 */
export function looksLikeStackToml(text: string): boolean {
  const value = parseLoosely('toml', text);
  return value === undefined || (isTable(value) && TELLING_KEYS.some((key) => key in value));
}

/** Parses and validates a stack.toml. Which of [build]/[run] must exist is up to the caller. */
export function parseStackToml(file: string, text: string): StackToml {
  const root = Fields.root(file, parseToml(file, text));
  root.onlyKeys(TOP_KEYS);

  const id = root.string('id', 'a stack id such as "io.buildpacks.stacks.bookworm"');
  if (!isValidStackId(id)) throw root.error('id', 'a stack id of letters, digits, ".", "/" and "-", such as "io.buildpacks.stacks.bookworm"');

  const platforms = root.optionalStringArray('platforms') ?? ['linux/amd64'];
  if (platforms.length === 0) throw root.error('platforms', 'at least one platform such as "linux/amd64"');
  platforms.forEach((p, i) => {
    const problem = platformProblem(p);
    if (problem) throw new ConfigError(file, `platforms[${i}]`, problem, JSON.stringify(p));
  });

  const deprecatedFields = root.optionalTable('deprecated');
  deprecatedFields?.onlyKeys(DEPRECATED_KEYS);
  const deriveMixins = deprecatedFields?.optionalBoolean('mixins') ?? false;

  const buildFields = root.optionalTable('build');
  const runFields = root.optionalTable('run');
  const homepage = oneLine(root, 'homepage');
  const stack: StackToml = {
    file,
    id,
    name: oneLine(root, 'name'),
    homepage,
    supportUrl: oneLine(root, 'support-url') ?? githubDefault(homepage, '/blob/main/README.md'),
    bugReportUrl: oneLine(root, 'bug-report-url') ?? githubDefault(homepage, '/issues/new'),
    maintainer: oneLine(root, 'maintainer'),
    platforms,
    build: buildFields && parseImage(buildFields),
    run: runFields && parseImage(runFields),
    deprecated: {
      legacySbom: deprecatedFields?.optionalBoolean('legacy-sbom') ?? false,
      mixins: deriveMixins,
    },
  };
  // Derived mixins replace declared ones, as jam has no declared ones.
  for (const kind of ['build', 'run'] as const) {
    if (deriveMixins && stack[kind]?.mixins.length) {
      throw new ConfigError(
        file,
        `${kind}.mixins`,
        'no declared mixins, as [deprecated] mixins = true derives them from the package lists',
        describeValue(stack[kind]!.mixins),
      );
    }
  }
  const problems = mixinProblems(stack);
  if (problems.length) throw new ConfigErrors(problems);
  return stack;
}

/** A value that goes into a label and a line of /etc/os-release, where a line break would start a new key. */
function oneLine(fields: Fields, key: string): string | undefined {
  const value = fields.optionalString(key);
  if (value !== undefined && hasControlCharacter(value)) throw fields.error(key, 'one line of text, without control characters');
  return value;
}

// jam's defaults: a GitHub homepage gives the support and bug-report URLs of the repository.
function githubDefault(homepage: string | undefined, path: string): string | undefined {
  if (!homepage?.includes('github.com')) return undefined;
  return `${homepage.replace(/\/+$/, '')}${path}`;
}

/**
 * The /etc/os-release values jam rewrites in run images, when the stack.toml
 * sets them: name, homepage, support-url and bug-report-url. Build images
 * keep their distro's os-release, as with jam.
 */
export function osReleaseOverrides(stack: Pick<StackToml, 'name' | 'homepage' | 'supportUrl' | 'bugReportUrl'>): Record<string, string> {
  const overrides: Record<string, string> = {};
  // Empty counts as unset, as in jam.
  if (stack.name) overrides.PRETTY_NAME = stack.name;
  if (stack.homepage) overrides.HOME_URL = stack.homepage;
  if (stack.supportUrl) overrides.SUPPORT_URL = stack.supportUrl;
  if (stack.bugReportUrl) overrides.BUG_REPORT_URL = stack.bugReportUrl;
  return overrides;
}

function parseImage(image: Fields): ImageDefinition {
  image.onlyKeys(IMAGE_KEYS);
  const dockerfile = image.string('dockerfile', 'the path of a Dockerfile, relative to this stack.toml');
  const uid = userId(image, 'uid');
  const gid = userId(image, 'gid');
  const platformArgs: Record<string, Record<string, string>> = {};
  const platforms = image.optionalTable('platforms');
  for (const platform of Object.keys(platforms?.table ?? {})) {
    const problem = platformProblem(platform);
    if (problem) throw platforms!.error(platform, `a platform key with ${problem}`, platform);
    const perPlatform = platforms!.optionalTable(platform)!;
    perPlatform.onlyKeys(['args']);
    platformArgs[platform] = perPlatform.optionalStringMap('args') ?? {};
  }
  return {
    dockerfile,
    target: image.optionalString('target'),
    uid,
    gid,
    shell: image.optionalString('shell') || '/sbin/nologin',
    description: image.optionalString('description'),
    args: image.optionalStringMap('args') ?? {},
    platformArgs,
    mixins: image.optionalStringArray('mixins') ?? [],
  };
}

function userId(image: Fields, key: 'uid' | 'gid'): number {
  const what = key === 'uid' ? 'user' : 'group';
  if (!image.has(key)) throw image.error(key, `the cnb ${what} id, a whole number above 0`);
  const value = image.optionalInteger(key)!;
  if (value === 0) throw image.error(key, `a non-root ${what} id (above 0): the CNB spec forbids running as root`);
  if (value < 0 || value > MAX_ID) throw image.error(key, `a ${what} id between 1 and ${MAX_ID}`);
  return value;
}

/**
 * The mixin rules of the CNB spec, within one stack.toml:
 * build:-prefixed mixins only on the build image, run:-prefixed only on run
 * images, and an unprefixed mixin on both.
 */
export function mixinProblems(stack: Pick<StackToml, 'file' | 'build' | 'run'>, build = stack.build): ConfigError[] {
  const problems: ConfigError[] = [];
  const check = (kind: ImageKind, mixins: string[]) =>
    mixins.forEach((mixin, i) => {
      const wrong = kind === 'build' ? 'run:' : 'build:';
      if (mixin.startsWith(wrong)) {
        problems.push(new ConfigError(stack.file, `${kind}.mixins[${i}]`, `no ${wrong}-prefixed mixin on a ${kind} image`, JSON.stringify(mixin)));
      }
    });
  if (stack.build) check('build', stack.build.mixins);
  if (stack.run) check('run', stack.run.mixins);
  if (build && stack.run) {
    problems.push(...unprefixedMissing(stack.file, 'run', stack.run.mixins, build.mixins));
    problems.push(...unprefixedMissing(stack.file, 'build', build.mixins, stack.run.mixins));
  }
  return problems;
}

function unprefixedMissing(file: string, kind: ImageKind, mine: string[], other: string[]): ConfigError[] {
  const otherKind = kind === 'build' ? 'run' : 'build';
  return mine
    .map((mixin, i) => ({ mixin, i }))
    .filter(({ mixin }) => !mixin.includes(':') && !other.includes(mixin))
    .map(
      ({ mixin, i }) =>
        new ConfigError(
          file,
          `${kind}.mixins[${i}]`,
          `the unprefixed mixin ${JSON.stringify(mixin)} on the ${otherKind} image too (or a "${kind}:" prefix)`,
          `it only on the ${kind} image`,
        ),
    );
}

/**
 * jam's [deprecated] mixins = true for one build/run pair: every package in
 * both images is an unprefixed mixin, those in one image only get a "build:"
 * or "run:" prefix. Sorted, so the labels do not change from build to build.
 */
export function deriveMixins(buildPackages: readonly string[], runPackages: readonly string[]): { build: string[]; run: string[] } {
  const build = new Set(buildPackages);
  const run = new Set(runPackages);
  const both = [...build].filter((p) => run.has(p));
  const only = (mine: Set<string>, other: Set<string>, prefix: string) => [...mine].filter((p) => !other.has(p)).map((p) => `${prefix}:${p}`);
  return {
    build: [...both, ...only(build, run, 'build')].sort(),
    run: [...both, ...only(run, build, 'run')].sort(),
  };
}
