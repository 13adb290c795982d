/**
 * The bad-input corpus: files a real monorepo holds (other programs' files of
 * the same names, test fixtures, typos, conflicts, files saved on Windows) and
 * what inference makes of each. Every case asserts the exact warnings, the
 * exact message the broken project's targets fail with, and that every other
 * project is still inferred as usual: no single file takes the graph down.
 */
import type { ProjectConfiguration } from '@nx/devkit';
import { pluginLog } from './plugin-log';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { forgetWarnings } from './broken-project';
import { createNodesV2 } from './nodes';
import { writeFileIn, loneStackToml, UBI_IMAGES_JSON } from '../testing/files';

const STACK_TOML = loneStackToml('io.buildpacks.stacks.bookworm');
const IMAGES_JSON = JSON.stringify({ os_name: 'debian', os_codename: 'bookworm', images: [{ name: 'base', config_dir: 'base', create_build_image: true }] });
const BUILDPACK_TOML = 'api = "0.10"\n[buildpack]\n  id = "acme/hi"\n  version = "1.0.0"\n[[stacks]]\n  id = "*"\n';
const BUILDER_TOML =
  '[[buildpacks]]\n  uri = "./buildpacks/hi"\n[[order]]\n  [[order.group]]\n    id = "acme/hi"\n[build]\n  image = "lone-build"\n[[run.images]]\n  image = "lone-run"\n[lifecycle]\n  version = "0.21.14"\n';

// The healthy workspace every case starts from: a Paketo stack, a lone stack, a builder on the lone stack and its buildpack.
const BASELINE: Record<string, string> = {
  'stacks/acme/images.json': IMAGES_JSON,
  'stacks/acme/base/stack.toml': STACK_TOML,
  'stacks/acme/base/build.Dockerfile': 'FROM x',
  'stacks/acme/base/run.Dockerfile': 'FROM x',
  'stacks/lone/stack.toml': STACK_TOML,
  'stacks/lone/build.Dockerfile': 'FROM x',
  'stacks/lone/run.Dockerfile': 'FROM x',
  'builders/acme/builder.toml': BUILDER_TOML,
  'builders/acme/buildpacks/hi/buildpack.toml': BUILDPACK_TOML,
};
const HEALTHY: Record<string, string> = { acme: 'image-build', lone: 'image-run', 'acme-builder': 'create-builder', 'acme-hi': '' };

interface Case {
  files: Record<string, string>;
  options?: unknown;
  /** Exactly what is warned, in order. */
  warnings: string[];
  /** Projects whose every target fails, with the message they fail with. */
  broken?: Record<string, string>;
  /** Projects that are not there (besides those the case breaks); by default every healthy one is. */
  absent?: string[];
  /** Further checks on the inferred projects. */
  check?: (projects: Record<string, ProjectConfiguration>) => void;
}

/** Bad plugin options: one warning, and every stack and builder fails with it (buildpacks need no options). */
function badOptions(options: unknown, message: string): Case {
  return { files: {}, options, warnings: [message], broken: { acme: message, lone: message, 'acme-builder': message } };
}

const CASES: Record<string, Case> = {
  // Scope and shape: not nx-cnb's files, skipped without a word.
  "a web app's images.json holding a list of picture names": { files: { 'apps/web/src/assets/images.json': '["cat.png", "dog.png"]' }, warnings: [] },
  "a web app's images.json with an images list of names": { files: { 'apps/web/images.json': '{ "images": ["hero.png"] }' }, warnings: [] },
  "a web app's images.json with an images list of objects": {
    files: { 'apps/web/images.json': JSON.stringify({ images: [{ name: 'hero', url: '/hero.png', width: 800 }] }) },
    warnings: [],
  },
  "a web app's images.json that is not even valid JSON": { files: { 'apps/web/images.json': '{ "images": ["a.png", ] }' }, warnings: [] },
  "a buildpack's testdata fixture with a deliberately missing version": {
    files: { 'builders/acme/buildpacks/hi/testdata/no-version/buildpack.toml': 'api = "0.10"\n[buildpack]\n  id = "acme/broken"\n' },
    warnings: [],
  },
  'a broken stack.toml among fixtures': { files: { 'tools/fixtures/bad/stack.toml': 'id = \n' }, warnings: [] },
  'a broken builder.toml in a test-data folder': { files: { 'e2e/test-data/builder.toml': '[[order]\n' }, warnings: [] },
  "the lifecycle's own stack.toml (a platform file, not jam's)": {
    files: { 'platform/stack.toml': '[run-image]\n  image = "registry.example.com/run"\n  mirrors = []\n' },
    warnings: [],
  },
  "another tool's stack.toml that names itself": { files: { 'services/stack.toml': 'name = "shop"\n[services.web]\n  port = 8080\n' }, warnings: [] },
  "another tool's builder.toml": { files: { 'tools/gen/builder.toml': '[tool]\n  name = "codegen"\n' }, warnings: [] },
  'an empty stack.toml': { files: { 'notes/stack.toml': '' }, warnings: [] },

  // A broken stack or builder stays a project: one warning, its targets fail with the message.
  'a typo in one stack': {
    files: { 'stacks/lone/stack.toml': STACK_TOML.replace('[run]', '[rnu]') },
    warnings: [
      'stacks/lone/stack.toml: rnu: expected one of the known keys (id, name, homepage, support-url, bug-report-url, maintainer, platforms, build, run, deprecated), found an unknown key',
    ],
    broken: {
      lone: 'stacks/lone/stack.toml: rnu: expected one of the known keys (id, name, homepage, support-url, bug-report-url, maintainer, platforms, build, run, deprecated), found an unknown key',
    },
    // The builder names lone's images, which no stack makes now; it still infers (create-builder reports that when run).
    check: (p) => expect(p['acme-builder'].targets!['create-builder'].dependsOn).toEqual([]),
  },
  'a TOML syntax error in a stack.toml': {
    files: { 'stacks/lone/stack.toml': STACK_TOML.replace('uid = 1002', 'uid = = 1002') },
    warnings: [
      'stacks/lone/stack.toml: (syntax at line 8, column 9): expected valid TOML, found Unexpected character, expecting string, number, datetime, boolean, inline array or inline table',
    ],
    broken: {
      lone: 'stacks/lone/stack.toml: (syntax at line 8, column 9): expected valid TOML, found Unexpected character, expecting string, number, datetime, boolean, inline array or inline table',
    },
  },
  'binary garbage in a stack.toml': {
    files: { 'stacks/garbage/stack.toml': '\u0000\u0001binary' },
    warnings: ['stacks/garbage/stack.toml: (file): expected a text file, found binary data (a NUL byte at offset 0)'],
    broken: { garbage: 'stacks/garbage/stack.toml: (file): expected a text file, found binary data (a NUL byte at offset 0)' },
  },
  "a root user in one of a Paketo stack's stack.toml files": {
    files: { 'stacks/acme/base/stack.toml': STACK_TOML.replace('uid = 1001', 'uid = 0') },
    warnings: ['stacks/acme/base/stack.toml: build.uid: expected a non-root user id (above 0): the CNB spec forbids running as root, found number 0'],
    broken: { acme: 'stacks/acme/base/stack.toml: build.uid: expected a non-root user id (above 0): the CNB spec forbids running as root, found number 0' },
  },
  'a Paketo images.json with a syntax error': {
    files: { 'stacks/acme/images.json': IMAGES_JSON.replace('"images"', '"images" "x"') },
    warnings: ['stacks/acme/images.json: (syntax at line 1, column 55): expected valid JSON, found ColonExpected'],
    broken: { acme: 'stacks/acme/images.json: (syntax at line 1, column 55): expected valid JSON, found ColonExpected' },
  },
  'an images.json naming a config_dir that does not exist': {
    files: { 'stacks/acme/images.json': IMAGES_JSON.replace('"config_dir":"base"', '"config_dir":"bsae"') },
    warnings: [
      'stacks/acme/images.json: images[0].config_dir: expected a folder holding a stack.toml, relative to images.json or to a folder above it, found "bsae" without one',
    ],
    broken: {
      acme: 'stacks/acme/images.json: images[0].config_dir: expected a folder holding a stack.toml, relative to images.json or to a folder above it, found "bsae" without one',
    },
  },
  'several problems in one stack.toml': {
    files: { 'stacks/lone/stack.toml': STACK_TOML.replace('gid = 1000\n[run]', 'gid = 1000\n  mixins = ["run:a", "run:b"]\n[run]') },
    warnings: [
      'stacks/lone/stack.toml: build.mixins[0]: expected no run:-prefixed mixin on a build image, found "run:a" (and 1 more; run a target of the project to see them all)',
    ],
    broken: {
      lone: 'stacks/lone/stack.toml: build.mixins[0]: expected no run:-prefixed mixin on a build image, found "run:a"\nstacks/lone/stack.toml: build.mixins[1]: expected no run:-prefixed mixin on a build image, found "run:b"',
    },
  },
  'an unknown key in builder.toml (pack refuses it too)': {
    files: { 'builders/acme/builder.toml': `${BUILDER_TOML}[lifecycle.extra]\n` },
    warnings: ['builders/acme/builder.toml: lifecycle.extra: expected one of the known keys (uri, version), found an unknown key'],
    broken: { 'acme-builder': 'builders/acme/builder.toml: lifecycle.extra: expected one of the known keys (uri, version), found an unknown key' },
  },
  'a TOML syntax error in builder.toml': {
    files: { 'builders/acme/builder.toml': BUILDER_TOML.replace('[[order]]', '[[order]') },
    warnings: ['builders/acme/builder.toml: (syntax at line 3, column 9): expected valid TOML, found Unexpected character, expected whitespace, . or ]'],
    broken: {
      'acme-builder': 'builders/acme/builder.toml: (syntax at line 3, column 9): expected valid TOML, found Unexpected character, expected whitespace, . or ]',
    },
  },
  'a broken builder-buildpackless.toml beside a good builder.toml': {
    files: { 'builders/acme/builder-buildpackless.toml': '[build]\n  image = "lone-build"\n' },
    warnings: [
      'builders/acme/builder-buildpackless.toml: run.images: expected at least one [[run.images]] entry (or the legacy [stack] run-image), found nothing',
    ],
    broken: {
      'acme-builder':
        'builders/acme/builder-buildpackless.toml: run.images: expected at least one [[run.images]] entry (or the legacy [stack] run-image), found nothing',
    },
    check: (p) => expect(Object.keys(p['acme-builder'].targets!)).toEqual(['create-builder', 'create-builder-buildpackless', 'publish']),
  },
  'a buildpack.toml outside test data with a missing version': {
    files: { 'buildpacks/wip/buildpack.toml': 'api = "0.10"\n[buildpack]\n  id = "acme/wip"\n' },
    warnings: ['buildpacks/wip/buildpack.toml: buildpack.version: expected a buildpack version such as "1.2.3", found nothing'],
    // A buildpack has no targets to fail: it is left out, and a builder using it reports the problem when created.
    absent: ['acme-wip'],
  },

  // Conflicts name both files and point at the newer one.
  'two stacks that make the same image names': {
    files: {
      'stacks/copy/images.json': IMAGES_JSON,
      'stacks/copy/base/stack.toml': STACK_TOML,
      'stacks/copy/base/build.Dockerfile': 'FROM x',
      'stacks/copy/base/run.Dockerfile': 'FROM x',
    },
    warnings: [
      'stacks/copy/images.json: images: expected image names that no other stack makes (change os_name, os_codename or the naming pattern), found "debian-bookworm-build:latest", which stacks/acme/images.json makes too',
    ],
    broken: {
      copy: 'stacks/copy/images.json: images: expected image names that no other stack makes (change os_name, os_codename or the naming pattern), found "debian-bookworm-build:latest", which stacks/acme/images.json makes too',
    },
  },
  'two stacks in folders of the same name': {
    files: { 'legacy/lone/stack.toml': STACK_TOML, 'legacy/lone/build.Dockerfile': 'FROM x', 'legacy/lone/run.Dockerfile': 'FROM x' },
    warnings: [
      'legacy/lone/stack.toml: (folder name): expected a folder name that no other nx-cnb project uses (it names the project), found "lone", which stacks/lone/stack.toml uses too',
    ],
    broken: {
      'legacy-lone':
        'legacy/lone/stack.toml: (folder name): expected a folder name that no other nx-cnb project uses (it names the project), found "lone", which stacks/lone/stack.toml uses too',
    },
  },
  'a builder.toml in the folder of a stack': {
    files: { 'stacks/lone/builder.toml': BUILDER_TOML },
    warnings: [
      'stacks/lone/builder.toml: (folder): expected a folder of its own (each folder is one project), found stacks/lone, which stacks/lone/stack.toml makes a project already',
    ],
  },
  'two copies of one buildpack (two versions, say)': {
    files: { 'buildpacks/hi-v2/buildpack.toml': BUILDPACK_TOML.replace('1.0.0', '2.0.0') },
    warnings: [],
    check: (p) => expect(p['buildpacks-hi-v2']).toMatchObject({ root: 'buildpacks/hi-v2', tags: ['type:buildpack'] }),
  },

  // Accept what pack and jam accept.
  'a stack.toml and images.json saved on Windows (CRLF, byte order mark, comments)': {
    files: {
      'stacks/acme/images.json': `\ufeff${IMAGES_JSON}\r\n`,
      'stacks/acme/base/stack.toml': `\ufeff# the base variant\r\n${STACK_TOML.replace(/\n/g, ' # note\r\n')}`,
    },
    warnings: [],
  },
  "jam's [deprecated] mixins = true": {
    files: { 'stacks/acme/base/stack.toml': `${STACK_TOML}[deprecated]\n  mixins = true\n` },
    warnings: [],
    check: (p) => {
      // The run image derives its mixins against the build image's packages, read from that task's receipt.
      expect(p.acme.targets!['image-run']).toMatchObject({
        dependsOn: ['image-build'],
        options: { mixinsFrom: 'dist/stacks/acme/build' },
        inputs: expect.arrayContaining([{ dependentTasksOutputFiles: '**/receipt.json' }]),
      });
      // The build image builds its pair's run Dockerfile to read its packages, so that Dockerfile is an input.
      expect(p.acme.targets!['image-build'].inputs).toEqual([
        '{projectRoot}/base/**/*',
        '{projectRoot}/base/stack.toml',
        '{projectRoot}/images.json',
        '{projectRoot}/packages.lock.json',
        { env: 'SOURCE_DATE_EPOCH' },
        { env: 'NX_CNB_BUILDER' },
      ]);
    },
  },
  'a Paketo UBI layout: config_dir relative to the repository root, Dockerfiles shared across folders': {
    files: {
      'ubi/stacks/stack/images.json': UBI_IMAGES_JSON,
      'ubi/stacks/stack/stack.toml': STACK_TOML,
      'ubi/stacks/stack/build.Dockerfile': 'FROM x',
      'ubi/stacks/stack/run.Dockerfile': 'FROM x',
      'ubi/stacks/stack-nodejs-22/stack.toml': STACK_TOML.replace('./build.Dockerfile', '../stack/build.Dockerfile'),
      'ubi/stacks/stack-nodejs-22/run.Dockerfile': 'FROM x',
    },
    warnings: [],
    check: (p) => {
      // One stack, not a second lone one from stack-nodejs-22/stack.toml.
      expect(p['stack-nodejs-22']).toBeUndefined();
      expect(Object.keys(p.stack.targets!)).toEqual([
        'image-build',
        'image-run',
        'image-run-nodejs-22',
        'build-image',
        'publish',
        'diff',
        'release-notes',
        'check-updates',
      ]);
      // Release notes show the changes of every file the images are made from, wherever config_dir puts them.
      expect(p.stack.targets!['release-notes'].options.stackFiles).toEqual([
        'ubi/stacks/stack/build.Dockerfile',
        'ubi/stacks/stack/stack.toml',
        'ubi/stacks/stack/run.Dockerfile',
        'ubi/stacks/stack-nodejs-22/run.Dockerfile',
        'ubi/stacks/stack-nodejs-22/stack.toml',
        'ubi/stacks/stack/images.json',
      ]);
      expect(p.stack.targets!['image-run-nodejs-22'].inputs).toEqual([
        '{workspaceRoot}/ubi/stacks/stack-nodejs-22/**/*',
        '{workspaceRoot}/ubi/stacks/stack-nodejs-22/stack.toml',
        '{projectRoot}/images.json',
        '{projectRoot}/packages.lock.json',
        { env: 'SOURCE_DATE_EPOCH' },
        { env: 'NX_CNB_BUILDER' },
      ]);
    },
  },
  'an unknown key in buildpack.toml (pack ignores it)': {
    files: { 'builders/acme/buildpacks/hi/buildpack.toml': BUILDPACK_TOML.replace('version = "1.0.0"', 'version = "1.0.0"\n  colour = "red"') },
    warnings: [
      'builders/acme/buildpacks/hi/buildpack.toml: buildpack.colour: expected one of the known keys (id, name, version, homepage, clear-env, description, keywords, sbom-formats, licenses, exec-env), found an unknown key, which pack ignores',
    ],
  },

  // Reject early what would fail late.
  'an uppercase stack folder': {
    files: { 'stacks/Shouty/stack.toml': STACK_TOML, 'stacks/Shouty/build.Dockerfile': 'FROM x', 'stacks/Shouty/run.Dockerfile': 'FROM x' },
    warnings: [
      'stacks/Shouty/stack.toml: (folder name): expected a folder name that can name images (lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)), as a lone stack.toml names its images after its folder, found "Shouty"',
    ],
    broken: {
      Shouty:
        'stacks/Shouty/stack.toml: (folder name): expected a folder name that can name images (lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)), as a lone stack.toml names its images after its folder, found "Shouty"',
    },
  },
  'an uppercase naming pattern': {
    files: {
      'stacks/acme/images.json': IMAGES_JSON.replace('"create_build_image":true', '"create_build_image":true,"pattern_image_registry_name":"Acme-os_codename"'),
    },
    warnings: [
      'stacks/acme/images.json: images[0].pattern_image_registry_name: expected a pattern that makes a valid image name (lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)), found "Acme-os_codename", which makes "Acme-bookworm"',
    ],
    broken: {
      acme: 'stacks/acme/images.json: images[0].pattern_image_registry_name: expected a pattern that makes a valid image name (lowercase letters, digits, ".", "_" or "-" (it becomes part of an image name)), found "Acme-os_codename", which makes "Acme-bookworm"',
    },
  },
  'a mistyped plugin option': badOptions(
    { respository: '127.0.0.1:5000/acme' },
    'nx.json: plugins["nx-cnb"].options.respository: expected one of nx-cnb\'s options (repository, tags, buildImageTargetName, archive, cacheRepository), found an unknown option (did you mean "repository"?)',
  ),
  'include put inside the options instead of beside them': badOptions(
    { include: ['stacks/**'] },
    'nx.json: plugins["nx-cnb"].options.include: expected one of nx-cnb\'s options (repository, tags, buildImageTargetName, archive, cacheRepository), found "include", which Nx reads beside "options" on the plugin entry, not inside it',
  ),
  'a plugin option of the wrong type': badOptions({ archive: 'no' }, 'nx.json: plugins["nx-cnb"].options.archive: expected true or false, found "no"'),
  'a bad repository in the plugin options': badOptions(
    { repository: 'Registry.example.com/ACME' },
    'nx.json: plugins["nx-cnb"].options.repository: expected a registry and namespace such as "127.0.0.1:5000/acme" (lowercase, no tag), found "Registry.example.com/ACME"',
  ),
  'an aggregate target name that collides with an image target': badOptions(
    { buildImageTargetName: 'image-run' },
    'nx.json: plugins["nx-cnb"].options.buildImageTargetName: expected a target name that no stack target uses (not "publish", not starting with "image-", which names the image targets), found "image-run"',
  ),
};

describe('the bad-input corpus: no single file takes the graph down', () => {
  let root: string;
  let warnings: string[];
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  // The files Nx's glob would hand the plugin.
  const configFiles = (dir = root): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return configFiles(full);
      return ['images.json', 'stack.toml', 'builder.toml', 'buildpack.toml'].includes(name) ? [relative(root, full)] : [];
    });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-corpus-'));
    // The baseline is older than anything a case adds, as the untouched files of a workspace are.
    const past = new Date('2020-01-01T00:00:00Z');
    for (const [path, content] of Object.entries(BASELINE)) {
      write(path, content);
      utimesSync(join(root, path), past, past);
    }
    forgetWarnings();
    warnings = [];
    jest.spyOn(pluginLog, 'warn').mockImplementation((message: string) => void warnings.push(message));
    jest.spyOn(pluginLog, 'verbose').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
  });

  it('starts from a healthy workspace', async () => {
    const projects = await infer(root, configFiles(), {});
    expect(Object.keys(projects).sort()).toEqual(Object.keys(HEALTHY).sort());
    expect(warnings).toEqual([]);
  });

  it.each(Object.entries(CASES))('%s', async (_what, c) => {
    for (const [path, content] of Object.entries(c.files)) write(path, content);
    const projects = await infer(root, configFiles(), c.options ?? {});

    expect(warnings).toEqual(c.warnings);
    for (const [name, message] of Object.entries(c.broken ?? {})) {
      const targets = Object.values(projects[name]?.targets ?? {});
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) expect(target).toMatchObject({ executor: 'nx-cnb:config-error', options: { message } });
    }
    for (const [name, target] of Object.entries(HEALTHY)) {
      if (c.broken?.[name] || c.absent?.includes(name)) continue;
      expect(projects[name]).toBeDefined();
      if (target) expect(projects[name].targets![target].executor).not.toBe('nx-cnb:config-error');
    }
    for (const name of c.absent ?? []) expect(projects[name]).toBeUndefined();
    c.check?.(projects);
  });
});

async function infer(root: string, files: string[], options: unknown): Promise<Record<string, ProjectConfiguration>> {
  const results = await createNodesV2[1](files, options as never, { workspaceRoot: root, nxJsonConfiguration: {} } as never);
  const projects = results.flatMap(([, r]) => Object.values(r.projects ?? {}));
  // One name per project, as Nx insists.
  expect(new Set(projects.map((p) => p.name)).size).toBe(projects.length);
  return Object.fromEntries(projects.map((p) => [p.name!, p as ProjectConfiguration]));
}
