import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createNodesV2 } from './nodes';
import { writeFileIn, loneStackToml } from '../testing/files';

const TOML = (extra = '') => `${loneStackToml('io.buildpacks.stacks.bookworm')}${extra}`;

describe('createNodesV2', () => {
  let root: string;
  const write = (path: string, content = 'FROM scratch\n') => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  const infer = (files: string[], options = {}) =>
    createNodesV2[1](files, options, { workspaceRoot: root, nxJsonConfiguration: {} } as never) as ReturnType<(typeof createNodesV2)[1]>;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-nodes-'));
    write(
      'stacks/acme/images.json',
      JSON.stringify({
        os_name: 'debian',
        os_codename: 'bookworm',
        images: [
          {
            name: 'base',
            config_dir: 'base',
            create_build_image: true,
            stack_type: 'base',
            pattern_image_registry_name: 'os_name-os_codename-build_image_run_image',
          },
          { name: 'tiny', config_dir: 'tiny', stack_type: 'tiny' },
        ],
      }),
    );
    write('stacks/acme/base/stack.toml', TOML());
    write('stacks/acme/base/build.Dockerfile');
    write('stacks/acme/base/run.Dockerfile');
    write('stacks/acme/tiny/stack.toml', TOML().split('[build]')[0] + TOML().split('[run]')[1].replace(/^/, '[run]'));
    write('stacks/acme/tiny/run.Dockerfile');
    write('stacks/lone/stack.toml', TOML());
    write('stacks/lone/build.Dockerfile');
    write('stacks/lone/run.Dockerfile');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('matches images.json and stack.toml files', () => {
    expect(createNodesV2[0]).toBe('**/{images.json,stack.toml,builder.toml,buildpack.toml}');
  });

  it('keeps what it inferred on disk for the next Nx process, and infers again when a file it read changes', async () => {
    const files = ['stacks/acme/images.json', 'stacks/acme/base/stack.toml', 'stacks/acme/tiny/stack.toml'];
    const targets = async () => Object.keys((await infer(files))[0][1].projects!['stacks/acme'].targets!);
    expect(await targets()).toContain('image-run-tiny');
    const cached = readdirSync(join(root, '.nx/workspace-data')).filter((f) => f.startsWith('nx-cnb-'));
    expect(cached).toHaveLength(1);
    write(
      'stacks/acme/images.json',
      JSON.stringify({ os_name: 'debian', os_codename: 'bookworm', images: [{ name: 'base', config_dir: 'base', create_build_image: true }] }),
    );
    expect(await targets()).not.toContain('image-run-tiny');
  });

  it('infers one named project per stack, with a target per image and an aggregate', async () => {
    const results = await infer(['stacks/acme/images.json', 'stacks/acme/base/stack.toml', 'stacks/acme/tiny/stack.toml', 'stacks/lone/stack.toml']);
    const projects = Object.fromEntries(results.flatMap(([, r]) => Object.entries(r.projects ?? {})));
    expect(Object.keys(projects).sort()).toEqual(['stacks/acme', 'stacks/lone']);
    expect(projects['stacks/acme'].name).toBe('acme');
    expect(projects['stacks/lone'].name).toBe('lone');
    expect(Object.keys(projects['stacks/acme'].targets!)).toEqual([
      'image-build',
      'image-run',
      'image-run-tiny',
      'build-image',
      'publish',
      'diff',
      'release-notes',
      'check-updates',
    ]);
    const { diff, 'release-notes': notes, 'check-updates': updates, ...buildTargets } = projects['stacks/acme'].targets!;
    const images = [
      { key: 'build', outputPath: 'dist/stacks/acme/build' },
      { key: 'run', outputPath: 'dist/stacks/acme/run' },
      { key: 'run-tiny', outputPath: 'dist/stacks/acme/run-tiny' },
    ];
    // No Nx dependency on the image targets: diff runs those whose receipts do not match the stack's files (their sources).
    expect(diff).toMatchObject({
      executor: 'nx-cnb:diff',
      cache: false,
      options: { project: 'acme', stack: 'stacks/acme', publishPath: 'dist/stacks/acme/publish', outputPath: 'dist/stacks/acme/diff' },
    });
    expect(diff.dependsOn).toBeUndefined();
    expect(notes.dependsOn).toBeUndefined();
    expect(diff.options.images).toEqual(
      images.map((i) => ({
        ...i,
        sources: { paths: ['stacks/acme'], build: { stack: 'stacks/acme', image: i.key, outputPath: i.outputPath, tags: ['latest'], archive: true } },
      })),
    );
    // The same build options the image target has.
    for (const i of images)
      expect(diff.options.images.find((r: { key: string }) => r.key === i.key).sources.build).toMatchObject(buildTargets[`image-${i.key}`].options);
    expect(notes.options.stackFiles).toEqual([
      'stacks/acme/base/build.Dockerfile',
      'stacks/acme/base/stack.toml',
      'stacks/acme/base/run.Dockerfile',
      'stacks/acme/tiny/run.Dockerfile',
      'stacks/acme/tiny/stack.toml',
      'stacks/acme/images.json',
    ]);
    // check-updates builds nothing: it reads receipts where they exist and the lock elsewhere.
    expect(updates).toMatchObject({ executor: 'nx-cnb:check-updates', options: { images, outputPath: 'dist/stacks/acme/updates' } });
    expect(updates.dependsOn).toBeUndefined();
    expect(buildTargets).toMatchInlineSnapshot(`
     {
       "build-image": {
         "cache": false,
         "dependsOn": [
           "image-build",
           "image-run",
           "image-run-tiny",
         ],
         "executor": "nx-cnb:ensure-images",
         "metadata": {
           "description": "Builds every image of the stack (build, run, run-tiny) and makes sure the engine holds them",
           "technologies": [
             "docker",
             "buildpacks",
           ],
         },
         "options": {
           "outputPaths": [
             "dist/stacks/acme/build",
             "dist/stacks/acme/run",
             "dist/stacks/acme/run-tiny",
           ],
         },
       },
       "image-build": {
         "cache": true,
         "executor": "nx-cnb:build-image",
         "inputs": [
           "{projectRoot}/base/**/*",
           "!{projectRoot}/base/run.Dockerfile",
           "{projectRoot}/base/stack.toml",
           "{projectRoot}/images.json",
           "{projectRoot}/packages.lock.json",
           {
             "env": "SOURCE_DATE_EPOCH",
           },
           {
             "env": "NX_CNB_BUILDER",
           },
         ],
         "metadata": {
           "description": "Builds the base build image debian-bookworm-build:latest from base/build.Dockerfile for linux/amd64",
           "technologies": [
             "docker",
             "buildpacks",
           ],
         },
         "options": {
           "image": "build",
           "outputPath": "dist/stacks/acme/build",
           "stack": "stacks/acme",
         },
         "outputs": [
           "{workspaceRoot}/dist/stacks/acme/build",
         ],
       },
       "image-run": {
         "cache": true,
         "executor": "nx-cnb:build-image",
         "inputs": [
           "{projectRoot}/base/**/*",
           "!{projectRoot}/base/build.Dockerfile",
           "{projectRoot}/base/stack.toml",
           "{projectRoot}/images.json",
           "{projectRoot}/packages.lock.json",
           {
             "env": "SOURCE_DATE_EPOCH",
           },
           {
             "env": "NX_CNB_BUILDER",
           },
         ],
         "metadata": {
           "description": "Builds the base run image debian-bookworm-run:latest from base/run.Dockerfile for linux/amd64",
           "technologies": [
             "docker",
             "buildpacks",
           ],
         },
         "options": {
           "image": "run",
           "outputPath": "dist/stacks/acme/run",
           "stack": "stacks/acme",
         },
         "outputs": [
           "{workspaceRoot}/dist/stacks/acme/run",
         ],
       },
       "image-run-tiny": {
         "cache": true,
         "executor": "nx-cnb:build-image",
         "inputs": [
           "{projectRoot}/tiny/**/*",
           "{projectRoot}/tiny/stack.toml",
           "{projectRoot}/images.json",
           "{projectRoot}/packages.lock.json",
           {
             "env": "SOURCE_DATE_EPOCH",
           },
           {
             "env": "NX_CNB_BUILDER",
           },
         ],
         "metadata": {
           "description": "Builds the tiny run image debian-bookworm-run-tiny:latest from tiny/run.Dockerfile for linux/amd64",
           "technologies": [
             "docker",
             "buildpacks",
           ],
         },
         "options": {
           "image": "run-tiny",
           "outputPath": "dist/stacks/acme/run-tiny",
           "stack": "stacks/acme",
         },
         "outputs": [
           "{workspaceRoot}/dist/stacks/acme/run-tiny",
         ],
       },
       "publish": {
         "cache": false,
         "dependsOn": [
           "build-image",
         ],
         "executor": "nx-cnb:publish",
         "metadata": {
           "description": "Pushes every image of the stack to its registry (the plugin option "repository"); --tags adds version tags, --dryRun shows what would be pushed",
           "technologies": [
             "docker",
             "buildpacks",
           ],
         },
         "options": {
           "outputPath": "dist/stacks/acme/publish",
           "receipts": [
             "dist/stacks/acme/build",
             "dist/stacks/acme/run",
             "dist/stacks/acme/run-tiny",
           ],
           "releasePath": "dist/stacks/acme/release",
         },
       },
     }
    `);
  });

  it('passes repository and tags from the plugin options to every image target', async () => {
    const results = await infer(['stacks/lone/stack.toml'], { repository: '127.0.0.1:5000/acme', tags: ['1.2.3', 'latest'] });
    const targets = results[0][1].projects!['stacks/lone'].targets!;
    expect(targets['image-run'].options).toEqual({
      stack: 'stacks/lone',
      image: 'run',
      outputPath: 'dist/stacks/lone/run',
      repository: '127.0.0.1:5000/acme',
      tags: ['1.2.3', 'latest'],
    });
    expect(targets['image-run'].metadata!.description).toBe('Builds the base run image 127.0.0.1:5000/acme/lone-run:1.2.3 from run.Dockerfile for linux/amd64');
  });
  // What nx-cnb does with broken, foreign and conflicting files: corpus.spec.ts.
});

describe('createNodesV2 for builders', () => {
  let root: string;
  const write = (path: string, content: string) => writeFileIn(root, path, content);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-builder-nodes-'));
    write('stacks/lone/stack.toml', TOML());
    write('stacks/lone/build.Dockerfile', 'FROM x');
    write('stacks/lone/run.Dockerfile', 'FROM x');
    write('builders/acme/buildpacks/hi/buildpack.toml', 'api = "0.10"\n[buildpack]\n  id = "acme/hi"\n  version = "1.0.0"\n[[stacks]]\n  id = "*"\n');
    write(
      'builders/acme/builder.toml',
      '[[buildpacks]]\n  uri = "./buildpacks/hi"\n[[order]]\n  [[order.group]]\n    id = "acme/hi"\n[build]\n  image = "lone-build"\n[[run.images]]\n  image = "lone-run:latest"\n[lifecycle]\n  version = "0.21.14"\n',
    );
    write(
      'builders/acme/builder-buildpackless.toml',
      '[build]\n  image = "lone-build"\n[[run.images]]\n  image = "elsewhere/run:1"\n[lifecycle]\n  version = "0.21.14"\n',
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('infers a builder with targets that depend on the stack images it names, and its buildpacks as projects', async () => {
    const files = ['stacks/lone/stack.toml', 'builders/acme/builder.toml', 'builders/acme/buildpacks/hi/buildpack.toml'];
    const results = await createNodesV2[1](files, {}, { workspaceRoot: root, nxJsonConfiguration: {} } as never);
    const projects = Object.fromEntries(results.flatMap(([, r]) => Object.entries(r.projects ?? {})));
    expect(projects['builders/acme/buildpacks/hi']).toMatchObject({ name: 'acme-hi', tags: ['type:buildpack'] });
    const builder = projects['builders/acme'];
    expect(builder.name).toBe('acme-builder');
    expect(builder.metadata!['nx-cnb'].uses).toEqual([
      { project: 'lone', file: 'builders/acme/builder.toml' },
      { project: 'acme-hi', file: 'builders/acme/builder.toml' },
    ]);
    expect(builder.targets!['create-builder']).toMatchObject({
      executor: 'nx-cnb:create-builder',
      cache: false,
      options: {
        config: 'builders/acme/builder.toml',
        builder: 'acme-builder:latest',
        outputPath: 'dist/builders/acme/builder',
        images: ['dist/stacks/lone/build', 'dist/stacks/lone/run'],
      },
      dependsOn: [
        { projects: ['lone'], target: 'image-build' },
        { projects: ['lone'], target: 'image-run' },
      ],
      inputs: [
        '{workspaceRoot}/builders/acme/builder.toml',
        '{workspaceRoot}/builders/acme/buildpacks/hi/**/*',
        { dependentTasksOutputFiles: '**/receipt.json' },
        { env: 'NX_CNB_PACK' },
      ],
    });
    // The buildpack-less builder's run image comes from elsewhere: no task makes it.
    expect(builder.targets!['create-builder-buildpackless']).toMatchObject({
      options: { builder: 'acme-builder-buildpackless:latest', images: ['dist/stacks/lone/build'] },
      dependsOn: [{ projects: ['lone'], target: 'image-build' }],
    });
  });
});
