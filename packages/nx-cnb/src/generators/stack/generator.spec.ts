import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { logger, updateJson, type Tree } from '@nx/devkit';
import { parseStackToml } from '../../stack/stack-toml';
import { readStack } from '../../stack/stack';
import { stackGenerator as generate, type PlatformDefault } from './generator';

// The platforms an engine that runs amd64 and arm64 gives, without asking one.
const bothPlatforms: PlatformDefault = async () => ({ platforms: ['linux/amd64', 'linux/arm64'] });
const stackGenerator = (tree: Parameters<typeof generate>[0], schema: Parameters<typeof generate>[1], platforms = bothPlatforms) =>
  generate(tree, schema, platforms);

describe('stack generator', () => {
  let tree: Tree;
  const savedBaseImage = process.env.NX_CNB_BASE_IMAGE;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    delete process.env.NX_CNB_BASE_IMAGE;
    // The empty workspace names no author or homepage; that warning has its own tests.
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    if (savedBaseImage !== undefined) process.env.NX_CNB_BASE_IMAGE = savedBaseImage;
  });

  const read = (path: string) => tree.read(path, 'utf8');
  const stackAt = (dir: string) => readStack(dir, { read: (p) => tree.read(`${dir}/${p}`, 'utf8') ?? undefined });

  it("writes a stack in Paketo's layout with a build image and three run variants", async () => {
    await stackGenerator(tree, { name: 'acme' });
    expect(tree.children('stacks/acme').sort()).toEqual(['base', 'images.json', 'static', 'tiny']);
    expect(tree.children('stacks/acme/base').sort()).toEqual(['build.Dockerfile', 'run.Dockerfile', 'stack.toml']);
    expect(tree.children('stacks/acme/tiny').sort()).toEqual(['run.Dockerfile', 'stack.toml']);
    const stack = stackAt('stacks/acme');
    expect(stack.images.map((i) => [i.key, i.name, i.definition.uid, i.definition.gid])).toEqual([
      ['build', 'debian-bookworm-build', 1001, 1000],
      ['run', 'debian-bookworm-run', 1002, 1000],
      ['run-tiny', 'debian-bookworm-run-tiny', 1002, 1000],
      ['run-static', 'debian-bookworm-run-static', 1002, 1000],
    ]);
    expect(stack.warnings).toEqual([]);
  });

  it('writes jam-style stack.toml files with package lists as build args', async () => {
    await stackGenerator(tree, { name: 'acme', buildPackages: 'libpq-dev', runPackages: 'libpq5', maintainer: 'Acme' });
    const base = parseStackToml('base/stack.toml', read('stacks/acme/base/stack.toml')!);
    expect(base.id).toBe('io.buildpacks.stacks.bookworm');
    expect(base.maintainer).toBe('Acme');
    expect(base.build!.args.base_image).toBe('debian:bookworm');
    expect(base.build!.args.packages.split(' ')).toEqual(expect.arrayContaining(['build-essential', 'git', 'libpq-dev']));
    expect(base.run!.args.packages.split(' ')).toEqual(expect.arrayContaining(['ca-certificates', 'libpq5']));
    const tiny = parseStackToml('tiny/stack.toml', read('stacks/acme/tiny/stack.toml')!);
    expect(tiny.build).toBeUndefined();
    expect(tiny.run!.shell).toBe('/sbin/nologin');
    expect(tiny.run!.args.packages.split(' ')).toEqual([
      'base-files',
      'ca-certificates',
      'libc6',
      'libgcc-s1',
      'libssl3',
      'libstdc++6',
      'netbase',
      'openssl',
      'tzdata',
      'zlib1g',
      'libpq5',
    ]);
    expect(read('stacks/acme/tiny/run.Dockerfile')).toContain('FROM scratch');
    expect(read('stacks/acme/base/run.Dockerfile')).not.toContain('FROM scratch');
  });

  it('says in the stack.toml why the images carry their packages', async () => {
    await stackGenerator(tree, { name: 'acme' });
    expect(read('stacks/acme/base/stack.toml')).toContain("  # Paketo's noble build image list, in Debian's names:\n");
    expect(read('stacks/acme/base/stack.toml')).toMatch(/# .*libgmp-dev.*\n( {2}# .*\n)* {2}\[build\.args\]/);
    expect(read('stacks/acme/tiny/stack.toml')).toMatch(/ {2}# Unpacked without dependencies.*\n {2}\[run\.args\]/);
  });

  it('honours variants, stack id, distro, ids and platforms', async () => {
    await stackGenerator(tree, {
      name: 'noble',
      variants: 'static,tiny',
      stackId: 'com.acme.stacks.noble',
      distro: 'ubuntu-noble',
      buildUid: 2000,
      buildGid: 2000,
      runUid: 2001,
      runGid: 2000,
      platforms: 'linux/amd64',
    });
    const stack = stackAt('stacks/noble');
    expect(stack.images.map((i) => [i.key, i.name, i.stackId, i.definition.uid])).toEqual([
      ['build-tiny', 'ubuntu-noble-build-tiny', 'com.acme.stacks.noble', 2000],
      ['run-tiny', 'ubuntu-noble-run-tiny', 'com.acme.stacks.noble', 2001],
      ['run-static', 'ubuntu-noble-run-static', 'com.acme.stacks.noble', 2001],
    ]);
    expect(stack.images[0].platforms).toEqual(['linux/amd64']);
    expect(stack.images[0].definition.args.base_image).toBe('ubuntu:noble');
    expect(stack.images[1].definition.args.packages).toContain('libssl3t64');
  });

  it('suggests bounding the Nx cache only when nx.json leaves it unbounded', async () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    const cacheHints = () => info.mock.calls.flat().filter((line) => String(line).includes('"maxCacheSize"'));
    try {
      (await stackGenerator(tree, { name: 'acme' }))!();
      expect(cacheHints()).toHaveLength(1);
      info.mockClear();
      updateJson(tree, 'nx.json', (json) => ({ ...json, maxCacheSize: '10GB' }));
      (await stackGenerator(tree, { name: 'other' }))!();
      expect(cacheHints()).toEqual([]);
    } finally {
      info.mockRestore();
    }
  });

  it('takes the base image from NX_CNB_BASE_IMAGE when --baseImage is not given', async () => {
    process.env.NX_CNB_BASE_IMAGE = 'registry.example.com/mirror/debian:bookworm';
    await stackGenerator(tree, { name: 'acme' });
    expect(stackAt('stacks/acme').images[0].definition.args.base_image).toBe('registry.example.com/mirror/debian:bookworm');
  });

  it('names a second stack of one distro after itself, so no two stacks make one image name', async () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    try {
      await stackGenerator(tree, { name: 'acme' });
      await stackGenerator(tree, { name: 'other', variants: 'base,tiny' });
      expect(stackAt('stacks/other').images.map((i) => i.name)).toEqual(['other-build', 'other-run', 'other-run-tiny']);
      expect(info).toHaveBeenCalledWith("stacks/acme/images.json makes debian-bookworm-build:latest already, so this stack's images are named after it.");
    } finally {
      info.mockRestore();
    }
  });

  it('refuses a stack whose images would still clash', async () => {
    await stackGenerator(tree, { name: 'acme' });
    tree.write('legacy/other/stack.toml', 'id = "x"\n[build]\n  dockerfile = "b"\n  uid = 1\n  gid = 1\n[run]\n  dockerfile = "b"\n  uid = 2\n  gid = 1\n');
    tree.write('legacy/other/b', 'FROM x');
    await expect(stackGenerator(tree, { name: 'other' })).rejects.toThrow(
      'nx g nx-cnb:stack: --name: expected a name whose image names no other stack makes (legacy/other/stack.toml makes other-build:latest), found "other"',
    );
  });

  it('prints the nx run command of the project it made, with the aggregate target the plugin options name', async () => {
    const nxJson = JSON.parse(tree.read('nx.json', 'utf8')!);
    nxJson.plugins = [{ plugin: 'nx-cnb', options: { buildImageTargetName: 'images' } }];
    tree.write('nx.json', JSON.stringify(nxJson));
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    try {
      (await stackGenerator(tree, { name: 'acme', directory: 'platform/base-images' }))!();
      expect(info).toHaveBeenCalledWith('Build its images with: nx run base-images:images');
    } finally {
      info.mockRestore();
    }
  });

  it.each([
    [
      'inside a project with a project.json',
      'apps/web/project.json',
      'apps/web/stack',
      'a folder outside other projects (apps/web/project.json makes apps/web a project)',
    ],
    ['inside a stack', 'stacks/old/stack.toml', 'stacks/old/new', 'a folder outside other projects (stacks/old/stack.toml makes stacks/old a project)'],
    ['under a test-data folder', 'README.md', 'e2e/fixtures/acme', 'a folder nx-cnb infers projects from (none under fixtures/, which holds test inputs)'],
  ])('refuses a --directory %s', async (_what, existing, directory, expected) => {
    tree.write(existing, '{}');
    await expect(stackGenerator(tree, { name: 'acme', directory })).rejects.toThrow(
      `nx g nx-cnb:stack: --directory: expected ${expected}, found "${directory}"`,
    );
    expect(tree.exists(directory)).toBe(false);
  });

  it('refuses to overwrite an existing stack', async () => {
    tree.write('stacks/acme/images.json', '{"mine": true}');
    await expect(stackGenerator(tree, { name: 'acme' })).rejects.toThrow('stacks/acme already exists; nx-cnb will not overwrite it');
    expect(read('stacks/acme/images.json')).toBe('{"mine": true}');
  });

  it.each([
    [{ name: 'Acme!' }, '--name: expected lowercase letters, digits, ".", "_" or "-" (it names images), found "Acme!"'],
    [{ name: 'a', variants: 'base,huge' }, '--variants: expected only base, tiny, static, found "huge"'],
    [{ name: 'a', variants: 'base,base' }, '--variants: expected each variant once, found "base,base"'],
    [{ name: 'a', variants: '' }, '--variants: expected at least one of base, tiny, static, found ""'],
    [{ name: 'a', stackId: 'bad id' }, '--stackId: expected letters, digits, ".", "/" and "-", such as io.buildpacks.stacks.bookworm, found "bad id"'],
    [{ name: 'a', buildUid: 0 }, '--buildUid: expected a whole number above 0 (the cnb user must not be root), found 0'],
    [{ name: 'a', runGid: -5 }, '--runGid: expected a whole number above 0 (the cnb user must not be root), found -5'],
    [{ name: 'a', runPackages: 'curl;rm -rf /' }, '--runPackages: expected Debian package names (lowercase letters, digits, "+", "-", "."), found "curl;rm"'],
    [{ name: 'a', platforms: 'linux/amd64,darwin/arm64' }, '--platforms: expected an os of linux, windows, found "darwin/arm64"'],
    [{ name: 'a', distro: 'alpine' as never }, '--distro: expected one of debian-bookworm, ubuntu-noble, ubuntu-jammy, found "alpine"'],
    [{ name: 'a', directory: '../../etc' }, '--directory: expected a folder inside the workspace, found "../../etc"'],
    [
      { name: 'a', baseImage: 'Debian:Bookworm' },
      '--baseImage: expected an image reference such as "registry.example.com/acme/run:1.2" (lowercase repository, optional tag or digest), found "Debian:Bookworm"',
    ],
  ])('rejects bad options %j', async (schema, message) => {
    await expect(stackGenerator(tree, schema)).rejects.toThrow(`nx g nx-cnb:stack: ${message}`);
    expect(
      tree
        .listChanges()
        .map((c) => c.path)
        .filter((p) => p.startsWith('stacks/')),
    ).toEqual([]);
  });
});

describe('stack generator: who makes the stack', () => {
  let tree: Tree;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  const tomlOf = (variant: string) => parseStackToml(`${variant}/stack.toml`, tree.read(`stacks/acme/${variant}/stack.toml`, 'utf8')!);

  it("takes the maintainer and homepage from the workspace's package.json, as its npm packages show them", async () => {
    updateJson(tree, 'package.json', (json) => ({
      ...json,
      author: 'Acme Stacks <stacks@acme.example> (https://acme.example)',
      repository: { type: 'git', url: 'git+https://github.com/acme/stacks.git' },
    }));
    await stackGenerator(tree, { name: 'acme' });
    expect(tomlOf('base')).toMatchObject({
      maintainer: 'Acme Stacks',
      homepage: 'https://github.com/acme/stacks',
      supportUrl: 'https://github.com/acme/stacks/blob/main/README.md',
      bugReportUrl: 'https://github.com/acme/stacks/issues/new',
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it("writes jam's name, support-url and bug-report-url, naming each variant", async () => {
    await stackGenerator(tree, {
      name: 'acme',
      maintainer: 'Acme',
      homepage: 'https://acme.example/stacks',
      displayName: 'Acme Bookworm',
      supportUrl: 'https://acme.example/help',
      bugReportUrl: 'https://acme.example/bugs',
    });
    expect(tomlOf('tiny')).toMatchObject({ name: 'Acme Bookworm tiny', supportUrl: 'https://acme.example/help', bugReportUrl: 'https://acme.example/bugs' });
    expect(tree.read('stacks/acme/base/stack.toml', 'utf8')).toMatch(
      /^id = .*\nname = "Acme Bookworm base"\nhomepage = .*\nsupport-url = .*\nbug-report-url = .*\nmaintainer = "Acme"\n/,
    );
  });

  it('warns when nothing names the maintainer or homepage, as the labels would be empty', async () => {
    await stackGenerator(tree, { name: 'acme', maintainer: 'Acme' });
    expect(warn).toHaveBeenCalledWith(
      'No homepage for the stack: its io.buildpacks.stack.homepage labels will be empty. Pass --homepage, or set homepage in package.json.',
    );
  });

  it.each([
    [{ homepage: 'acme.example' }, '--homepage: expected an http(s) URL, found "acme.example"'],
    [{ displayName: 'Acme\nID=evil' }, '--displayName: expected one line of text, found "Acme\\nID=evil"'],
  ])('rejects %j', async (schema, message) => {
    await expect(stackGenerator(tree, { name: 'acme', ...schema })).rejects.toThrow(`nx g nx-cnb:stack: ${message}`);
  });
});

describe('stack generator platforms', () => {
  it('writes only the platform the engine runs, and says how to add the other', async () => {
    const tree = createTreeWithEmptyWorkspace();
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    await stackGenerator(tree, { name: 'acme' }, async () => ({
      platforms: ['linux/amd64'],
      warning: 'The engine (linux/amd64) cannot run linux/arm64 (exec format error)',
    }));
    expect(readStack('stacks/acme', { read: (p) => tree.read(`stacks/acme/${p}`, 'utf8') ?? undefined }).images[0].platforms).toEqual(['linux/amd64']);
    expect(JSON.parse(tree.read('stacks/acme/images.json', 'utf8')!).platforms).toEqual(['linux/amd64']);
    expect(warn).toHaveBeenCalledWith('The engine (linux/amd64) cannot run linux/arm64 (exec format error)');
    warn.mockRestore();
  });

  it('asks the engine nothing when --platforms is given', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await stackGenerator(tree, { name: 'acme', platforms: 'linux/arm64', maintainer: 'Acme', homepage: 'https://acme.example' }, async () => {
      throw new Error('not asked');
    });
    expect(JSON.parse(tree.read('stacks/acme/images.json', 'utf8')!).platforms).toEqual(['linux/arm64']);
  });
});
