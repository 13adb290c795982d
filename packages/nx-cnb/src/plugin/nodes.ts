import type { CreateNodesResult, CreateNodesV2, ProjectConfiguration } from '@nx/devkit';
import { pluginLog } from './plugin-log';
import { statSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import type { BuilderToml } from '../builder/builder-toml';
import type { BuildpackDescriptor } from '../builder/buildpack-toml';
import { IMAGES_JSON, type Stack, STACK_TOML } from '../stack/stack';
import { readBuilderFromDisk, readBuildpackFromDisk, readingOnce, readStackFromDisk, type ReadTextFile } from '../workspace/workspace-files';
import { BUILDER_TOML, BUILDPACKLESS_TOML, builderProject, builderProjectName } from './builder-nodes';
import { brokenTargets, problemMessage, warnOnce } from './broken-project';
import { indexImages } from './image-index';
import { cachedInference, keyOf, pluginCodeStamp } from './inference-cache';
import { type NxCnbPluginOptions, pluginOptionsProblem } from './options';
import { notNxCnbFile, type ReadFile, underPaketoStack } from './scope';
import { stackTargets } from './stack-nodes';

export const CONFIG_GLOB = '**/{images.json,stack.toml,builder.toml,buildpack.toml}';
const BUILDPACK_TOML = 'buildpack.toml';

type Builders = { config: string; builder: BuilderToml }[];

/** A project nx-cnb infers from one file: what it read, or the problem that stopped it. */
interface Candidate<T> {
  kind: 'stack' | 'builder' | 'buildpack';
  file: string;
  root: string;
  value?: T;
  problem?: string;
  /** Newest modification time of the files read, so conflicts are pinned on the newer project. */
  modified: number;
  name?: string;
  /** Another project already lives in this folder: this file makes none. */
  skipped?: boolean;
}

/**
 * Infers projects from the files nx-cnb knows: a stack from each images.json
 * (and each stack.toml no images.json claims), a builder from each
 * builder.toml, a buildpack from each buildpack.toml. No file can make this
 * fail: files that are not CNB configuration are skipped, and a stack or
 * builder that cannot be read stays a project whose targets fail with the
 * problem, reported once as a warning.
 */
export const createNodesV2: CreateNodesV2<NxCnbPluginOptions> = [
  CONFIG_GLOB,
  async (files, options, context) => {
    const { workspaceRoot } = context;
    const cacheFile = join(workspaceDataDirectory(workspaceRoot), `nx-cnb-${keyOf(options ?? {})}.json`);
    // Modification times only break ties between clashing names: a file touched but not changed keeps the earlier answer.
    const key = keyOf(pluginCodeStamp(), options ?? {}, files);
    const inferred = cachedInference(cacheFile, key, readingOnce(), (read, warn) => inferProjects(workspaceRoot, files, options, { read, warn }));
    if (inferred.fromCache) pluginLog.verbose(`nx-cnb: no file changed since ${cacheFile} was written; its projects are used`);
    inferred.warnings.forEach(warnOnce);
    return inferred.result;
  },
];

/** Where Nx keeps what it derives from the workspace (.nx/workspace-data unless set otherwise); `nx reset` empties it. */
function workspaceDataDirectory(workspaceRoot: string): string {
  try {
    // Nx's own answer, as its plugins use it; the module is loaded already in a plugin worker.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('nx/src/utils/cache-directory') as { workspaceDataDirectoryForWorkspace(root: string): string }).workspaceDataDirectoryForWorkspace(
      workspaceRoot,
    );
  } catch {
    return join(workspaceRoot, '.nx', 'workspace-data');
  }
}

/** How inference reads files (each once) and reports problems. */
export interface InferenceIo {
  read: ReadTextFile;
  warn: (message: string) => void;
}

export function inferProjects(
  workspaceRoot: string,
  matched: readonly string[],
  options: unknown,
  io: InferenceIo = { read: readingOnce(), warn: warnOnce },
): [string, CreateNodesResult][] {
  const { read: readOnce, warn } = io;
  const readText: ReadFile = (path) => readOnce(join(workspaceRoot, path));
  const files = matched.filter((file) => {
    const reason = notNxCnbFile(file, readText);
    if (reason) pluginLog.verbose(`nx-cnb: skipping ${file}: ${reason}`);
    return !reason;
  });
  // Bad options would make every stack and builder wrong: each keeps its targets' names, and they fail with the problem.
  const optionsProblem = pluginOptionsProblem(options);
  if (optionsProblem) warn(optionsProblem.message);
  const opts = optionsProblem ? {} : ((options ?? {}) as NxCnbPluginOptions);

  const read = <T>(kind: Candidate<T>['kind'], file: string, work: (read: ReadTextFile) => T, filesOf: (value: T) => string[] = () => [file]): Candidate<T> => {
    const root = dirname(file);
    try {
      const value = remembered(`${kind} ${join(workspaceRoot, file)}`, readOnce, work);
      return { kind, file, root, value, modified: lastModified(workspaceRoot, filesOf(value)) };
    } catch (e) {
      return { kind, file, root, problem: problemMessage(file, e), modified: lastModified(workspaceRoot, [file]) };
    }
  };
  const stackFiles = (root: string) => (stack: Stack) => [stack.configFile, ...stack.images.map((i) => i.stackToml)].map((f) => posix.join(root, f));
  const readStack = (file: string) => read('stack', file, (readFile) => readStackFromDisk(workspaceRoot, dirname(file), readFile), stackFiles(dirname(file)));

  const paketoStacks = files.filter((f) => basename(f) === IMAGES_JSON).map(readStack);
  const claimed = new Set(paketoStacks.flatMap((c) => (c.value ? stackFiles(c.root)(c.value) : [])));
  const loneStacks = files.filter((f) => basename(f) === STACK_TOML && !claimed.has(f) && !underPaketoStack(f, readText)).map(readStack);
  const builders = files
    .filter((f) => basename(f) === BUILDER_TOML)
    .map((f) =>
      read(
        'builder',
        f,
        (readFile) => readBuilders(workspaceRoot, dirname(f), readFile),
        (bs: Builders) => bs.map((b) => b.config),
      ),
    );
  const buildpacks = files
    .filter((f) => basename(f) === BUILDPACK_TOML)
    .map((f) => read('buildpack', f, (readFile) => readBuildpackFromDisk(workspaceRoot, f, readFile)));

  const stacks = [...paketoStacks, ...loneStacks].sort(olderFirst);
  const all = [...stacks, ...builders, ...buildpacks].sort(olderFirst);
  assignNames(workspaceRoot, all, warn);

  const healthyStacks = stacks.filter((c) => c.value && !c.problem && !c.skipped);
  const index = indexImages(
    healthyStacks.map((c) => ({ root: c.root, name: c.name!, stack: c.value! })),
    opts,
  );
  for (const c of healthyStacks) c.problem = index.conflicts.get(c.root)?.message;

  const buildpackProjects = new Map<string, string>();
  for (const c of buildpacks) {
    if (c.skipped) continue;
    if (c.problem) warn(c.problem);
    else {
      c.value!.warnings.forEach((w) => warn(w));
      buildpackProjects.set(c.root, c.name!);
    }
  }

  return all.flatMap((c): [string, CreateNodesResult][] => {
    if (c.skipped || (c.kind === 'buildpack' && c.problem)) return [];
    let project: ProjectConfiguration;
    const problem = optionsProblem?.message ?? c.problem;
    if (problem) {
      if (!optionsProblem) warn(problem);
      project = brokenProject(c, problem, opts, readText);
    } else if (c.kind === 'buildpack') {
      project = buildpackProject(c.root, c.name!, c.value as BuildpackDescriptor);
    } else if (c.kind === 'builder') {
      project = builderProject(c.root, c.name!, c.value as Builders, index.images, buildpackProjects, opts);
    } else {
      project = { name: c.name, root: c.root, projectType: 'library', tags: ['type:stack'], targets: stackTargets(c.root, c.value as Stack, opts, c.name) };
    }
    return [[c.file, { projects: { [project.root]: project } }]];
  });
}

// What each file parsed to, kept for the next graph computation in this process (the Nx daemon's plugin
// worker computes the graph again after every change): a project whose files read the same is not parsed again.
const parsed = new Map<string, { reads: [string, string | undefined][]; value?: unknown; error?: unknown }>();

function remembered<T>(key: string, read: ReadTextFile, work: (read: ReadTextFile) => T): T {
  const known = parsed.get(key);
  if (known && known.reads.every(([path, text]) => read(path) === text)) {
    if ('error' in known) throw known.error;
    return known.value as T;
  }
  const reads: [string, string | undefined][] = [];
  const recording: ReadTextFile = (path) => {
    const text = read(path);
    reads.push([path, text]);
    return text;
  };
  try {
    const value = work(recording);
    parsed.set(key, { reads, value });
    return value;
  } catch (error) {
    parsed.set(key, { reads, error });
    throw error;
  }
}

function olderFirst(a: Candidate<unknown>, b: Candidate<unknown>): number {
  return a.modified - b.modified || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}

function lastModified(workspaceRoot: string, files: string[]): number {
  return Math.max(
    0,
    ...files.map((file) => {
      try {
        return statSync(join(workspaceRoot, file)).mtimeMs;
      } catch {
        return 0;
      }
    }),
  );
}

/**
 * Gives each candidate its project name. One folder holds one project, and
 * names are unique: where two clash, the older keeps the name and the newer
 * is the one reported (a buildpack, which has no targets, is quietly named
 * after its folder instead).
 */
function assignNames(workspaceRoot: string, candidates: Candidate<unknown>[], warn: (message: string) => void): void {
  const byRoot = new Map<string, Candidate<unknown>>();
  const byName = new Map<string, Candidate<unknown>>();
  const unique = (wanted: string) => {
    let name = wanted;
    for (let i = 2; byName.has(name); i++) name = `${wanted}-${i}`;
    return name;
  };
  for (const c of candidates) {
    if (c.kind === 'buildpack' && c.problem) continue;
    const other = byRoot.get(c.root);
    if (other) {
      c.skipped = true;
      warn(`${c.file}: (folder): expected a folder of its own (each folder is one project), found ${c.root}, which ${other.file} makes a project already`);
      continue;
    }
    byRoot.set(c.root, c);
    const wanted = preferredName(workspaceRoot, c);
    const clash = byName.get(wanted);
    if (!clash) c.name = wanted;
    else if (c.kind === 'buildpack') {
      c.name = unique(pathName(c.root));
      pluginLog.verbose(`nx-cnb: ${c.file} is named ${c.name}, as ${clash.file} is ${wanted} already`);
    } else {
      c.name = unique(pathName(c.root));
      c.problem ??= `${c.file}: (folder name): expected a folder name that no other nx-cnb project uses (it names the project), found ${JSON.stringify(posix.basename(c.root))}, which ${clash.file} uses too`;
    }
    byName.set(c.name, c);
  }
}

function preferredName(workspaceRoot: string, c: Candidate<unknown>): string {
  if (c.kind === 'buildpack') return buildpackProjectName((c.value as BuildpackDescriptor).buildpack.id);
  if (c.kind === 'builder') return builderProjectName(c.root === '.' ? basename(workspaceRoot) : c.root);
  return stackProjectName(c.root, workspaceRoot);
}

/** A project name from a folder path, for a project whose usual name is taken. */
function pathName(root: string): string {
  return root.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** The project name of a stack folder: its name (the workspace's for a stack at the root). */
export function stackProjectName(root: string, workspaceRoot = ''): string {
  return posix.basename(root === '.' ? workspaceRoot : root);
}

function readBuilders(workspaceRoot: string, root: string, read: ReadTextFile): Builders {
  return [BUILDER_TOML, BUILDPACKLESS_TOML]
    .map((name) => posix.join(root, name))
    .filter((config) => read(join(workspaceRoot, config)) !== undefined)
    .map((config) => ({ config, builder: readBuilderFromDisk(workspaceRoot, config, read) }));
}

/** A stack or builder nx-cnb could not read: its usual targets, each failing with the problem. */
function brokenProject(c: Candidate<unknown>, problem: string, options: NxCnbPluginOptions, read: ReadFile): ProjectConfiguration {
  const targets =
    c.kind === 'stack'
      ? [options.buildImageTargetName ?? 'build-image', 'publish']
      : ['create-builder', ...(read(posix.join(c.root, BUILDPACKLESS_TOML)) !== undefined ? ['create-builder-buildpackless'] : []), 'publish'];
  return {
    name: c.name,
    root: c.root,
    projectType: c.kind === 'stack' ? 'library' : 'application',
    tags: [`type:${c.kind}`],
    targets: brokenTargets(targets, problem),
  };
}

/** A local buildpack is a project of its own, named after its id, so builders get edges to it. */
function buildpackProject(root: string, name: string, descriptor: BuildpackDescriptor): ProjectConfiguration {
  return {
    name,
    root,
    projectType: 'library',
    tags: ['type:buildpack'],
    targets: {},
    metadata: { description: `Buildpack ${descriptor.buildpack.id}@${descriptor.buildpack.version}`, technologies: ['buildpacks'] },
  };
}

export function buildpackProjectName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '-');
}
