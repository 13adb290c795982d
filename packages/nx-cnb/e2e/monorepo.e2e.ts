import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DockerEngine } from '../src/engine/docker-engine';
import { connectEngine } from '../src/engine/docker-engine';
import { BASE_IMAGE, buildPlugin, expectSuccess, lifecycleTarball, type NxRun, nxEnv } from './workspace';

// Minutes: a workspace made by Nx's creator, npm installs, image builds on the real engine.
jest.setTimeout(30 * 60 * 1000);

// nx-cnb as a user meets it: a new workspace made by Nx's own creator, the packed plugin added with
// `nx add`, beside a web app and a buildpack with test fixtures, built on the real engine with the real pack.
const repository = `nx-cnb-e2e-monorepo-${process.pid}`;
const registry = process.env.NX_CNB_REGISTRY || '127.0.0.1:5000';
const pulledRun = `${registry}/${repository}/static-run:1`;
const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';

const FIXTURE_WARNING = 'buildpacks/hello/test/missing-version/buildpack.toml: buildpack.version: expected a buildpack version such as "1.2.3", found nothing';
const BROKEN_STACK_WARNING =
  'stacks/broken/stack.toml: rnu: expected one of the known keys (id, name, homepage, support-url, bug-report-url, maintainer, platforms, build, run, deprecated), found an unknown key';

let engine: DockerEngine;
let tmp: string;
let root: string;

/** Runs a command in the workspace (never through a shell), keeping all it printed. */
function run(command: string, args: string[], env: Record<string, string> = {}, cwd = root): NxRun {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: nxEnv(root, env), maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
const nx = (...args: string[]) => run(join(root, 'node_modules/.bin/nx'), args);
const write = (path: string, content: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};
const count = (text: string, line: string) => text.split('\n').filter((l) => l.includes(line)).length;
/** The project names `nx show projects` printed, without the warnings around them. */
const projectNames = (output: string) =>
  output
    .split('\n')
    .filter((l) => /^[\w-]+$/.test(l))
    .sort();

/** The newest create-nx-workspace the registry serves for the Nx majors nx-cnb supports (its peer range of @nx/devkit). */
function creatorVersion(): string {
  const out = execFileSync('npm', ['view', 'create-nx-workspace@>=23 <25', 'version', '--json'], { encoding: 'utf8' });
  const versions = ([] as string[]).concat(JSON.parse(out)).filter((v) => !v.includes('-'));
  const newest = versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();
  if (!newest) throw new Error('the npm registry serves no create-nx-workspace 23 or 24');
  return newest;
}

const BUILDER = (runImage: string, order = 'e2e/hello') => `[[buildpacks]]
  uri = "../../buildpacks/hello"
[[order]]
  [[order.group]]
    id = "${order}"
[build]
  image = "${repository}/debian-bookworm-build-static:latest"
[[run.images]]
  image = "${runImage}"
[[targets]]
  os = "linux"
  arch = "${arch}"
[lifecycle]
  uri = "${lifecycleTarball(arch)}"
`;

beforeAll(async () => {
  engine = await connectEngine();
  tmp = mkdtempSync(join(tmpdir(), 'nx-cnb-e2e-monorepo-'));
  root = join(tmp, 'monorepo');
  const version = creatorVersion();
  expectSuccess(
    run('npx', ['-y', `create-nx-workspace@${version}`, 'monorepo', '--preset=apps', '--nxCloud=skip', '--packageManager=npm', '--no-interactive'], {}, tmp),
  );
  // The plugin as npm would publish it.
  const tarball = execFileSync('npm', ['pack', '--pack-destination', tmp], { cwd: buildPlugin(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .trim()
    .split('\n')
    .pop()!;
  expectSuccess(nx('add', `nx-cnb@file:${join(tmp, tarball)}`));

  // What else a monorepo holds: a web app with picture lists named images.json, a buildpack with test fixtures.
  write('apps/web/project.json', JSON.stringify({ name: 'web', targets: { build: { command: 'echo built web' } } }));
  write('apps/web/src/main.js', 'console.log("web");\n');
  write('apps/web/src/assets/images.json', '["cat.png", "dog.png"]\n');
  write('apps/web/src/data/images.json', JSON.stringify({ images: [{ name: 'hero', url: '/hero.png', width: 800 }] }));
  write('buildpacks/hello/buildpack.toml', 'api = "0.10"\n[buildpack]\n  id = "e2e/hello"\n  version = "0.0.1"\n[[stacks]]\n  id = "*"\n');
  for (const bin of ['detect', 'build']) {
    write(`buildpacks/hello/bin/${bin}`, '#!/bin/sh\nexit 0\n');
    chmodSync(join(root, `buildpacks/hello/bin/${bin}`), 0o755);
  }
  // A fixture in Go's testdata/ is skipped without a word; one in a folder of another name is reported, once.
  write('buildpacks/hello/testdata/missing-version/buildpack.toml', 'api = "0.10"\n[buildpack]\n  id = "e2e/fixture"\n');
  write('buildpacks/hello/test/missing-version/buildpack.toml', 'api = "0.10"\n[buildpack]\n  id = "e2e/fixture"\n');
  const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
  nxJson.plugins = nxJson.plugins.map((p: { plugin?: string }) => (p.plugin === 'nx-cnb' ? { ...p, options: { repository } } : p));
  write('nx.json', JSON.stringify(nxJson, null, 2));
});

afterAll(async () => {
  const images = (await engine?.docker.listImages().catch(() => [])) ?? [];
  for (const tag of images.flatMap((i) => i.RepoTags ?? [])) {
    if (tag.startsWith(`${repository}/`) || tag.startsWith(`${registry}/${repository}/`)) await engine.untag(tag).catch(() => undefined);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('nx-cnb in a new workspace beside a web app and a buildpack with test fixtures', () => {
  it('is added with nx add, which registers it in nx.json', () => {
    const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
    expect(nxJson.plugins).toContainEqual({ plugin: 'nx-cnb', options: { repository } });
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies['nx-cnb']).toMatch(/^file:/);
  });

  it('generates a stack, and a second one as a dry run', () => {
    expectSuccess(nx('g', 'nx-cnb:stack', 'acme', '--variants=static'));
    const dry = nx('g', 'nx-cnb:stack', 'other', '--dry-run');
    expectSuccess(dry);
    expect(dry.output).toContain('stacks/acme/images.json makes');
    expect(existsSync(join(root, 'stacks/other'))).toBe(false);
  });

  it('lists every project, reporting the fixture it cannot tell from a buildpack once, and nothing else', () => {
    const shown = nx('show', 'projects');
    expectSuccess(shown);
    expect(projectNames(shown.output)).toEqual(['acme', 'e2e-hello', 'web']);
    expect(count(shown.output, FIXTURE_WARNING)).toBe(1);
    expect(shown.output).not.toMatch(/testdata|images\.json|error/i);
  });

  it('keeps the graph, generators and the other projects working beside a broken stack, whose targets fail with its problem', () => {
    write('stacks/broken/stack.toml', 'id = "x"\n[build]\n  dockerfile = "./Dockerfile"\n  uid = 1\n  gid = 1\n[rnu]\n');
    write('stacks/broken/Dockerfile', `FROM ${BASE_IMAGE}\n`);
    const shown = nx('show', 'projects');
    expectSuccess(shown);
    expect(projectNames(shown.output)).toEqual(['acme', 'broken', 'e2e-hello', 'web']);
    expect(count(shown.output, BROKEN_STACK_WARNING)).toBe(1);

    expectSuccess(nx('graph', `--file=${join(tmp, 'graph.json')}`));
    expect(Object.keys(JSON.parse(readFileSync(join(tmp, 'graph.json'), 'utf8')).graph.nodes).sort()).toEqual(['acme', 'broken', 'e2e-hello', 'web']);
    expectSuccess(nx('g', 'nx-cnb:stack', 'other', '--dry-run'));
    const web = nx('run', 'web:build');
    expectSuccess(web);
    expect(web.output).toContain('built web');

    const broken = nx('run', 'broken:build-image');
    expect(broken.status).not.toBe(0);
    expect(count(broken.output, BROKEN_STACK_WARNING)).toBeGreaterThanOrEqual(2); // the warning, then the task's failure
    expect(broken.output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("reads nothing that .nxignore or the plugin entry's exclude leaves out", () => {
    const before = readFileSync(join(root, 'nx.json'), 'utf8');
    const nxJson = JSON.parse(before);
    nxJson.plugins = nxJson.plugins.map((p: { plugin?: string }) => (p.plugin === 'nx-cnb' ? { ...p, exclude: ['vendor/**'] } : p));
    write('nx.json', JSON.stringify(nxJson, null, 2));
    write('.nxignore', 'third_party/\n');
    for (const dir of ['vendor/old', 'third_party/old']) write(`${dir}/stack.toml`, 'id = \n');
    try {
      const shown = nx('show', 'projects');
      expectSuccess(shown);
      expect(projectNames(shown.output)).toEqual(['acme', 'broken', 'e2e-hello', 'web']);
      expect(shown.output).not.toMatch(/vendor|third_party/);
    } finally {
      write('nx.json', before);
      rmSync(join(root, '.nxignore'));
      rmSync(join(root, 'vendor'), { recursive: true });
      rmSync(join(root, 'third_party'), { recursive: true });
    }
  });

  it('tells nx affected which projects a change reaches', () => {
    if (!existsSync(join(root, '.git'))) run('git', ['init', '-q']);
    run('git', ['add', '-A']);
    run('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', 'commit', '-qm', 'baseline']);
    write('apps/web/src/main.js', 'console.log("web 2");\n');
    const affected = nx('show', 'projects', '--affected', '--base=HEAD');
    expectSuccess(affected);
    expect(projectNames(affected.output)).toEqual(['web']);
  });

  it('builds the generated stack on the real engine', async () => {
    expectSuccess(nx('run', 'acme:build-image'));
    for (const name of ['debian-bookworm-build-static', 'debian-bookworm-run-static']) {
      expect(await engine.inspect(`${repository}/${name}:latest`)).toBeDefined();
    }
  });

  it("builds a stack saved on Windows that derives its mixins as jam's [deprecated] mixins = true does", async () => {
    const crlf = (text: string) => `\ufeff${text.replace(/\n/g, '\r\n')}`;
    write(
      'stacks/legacy/stack.toml',
      crlf(
        '# a jam stack, saved on Windows\nid = "io.buildpacks.stacks.legacy"\n[build]\n  dockerfile = "./build.Dockerfile"\n  uid = 1001\n  gid = 1000\n' +
          '[run]\n  dockerfile = "./run.Dockerfile"\n  uid = 1002\n  gid = 1000\n[deprecated]\n  mixins = true # from the package lists\n',
      ),
    );
    // A package record of its own in each image, so the two lists differ without a package mirror.
    const withPackage = (name: string) =>
      `FROM ${BASE_IMAGE}\nRUN printf 'Package: ${name}\\nStatus: install ok installed\\nVersion: 1\\nArchitecture: all\\n\\n' >> /var/lib/dpkg/status\n`;
    write('stacks/legacy/build.Dockerfile', withPackage('e2e-compiler'));
    write('stacks/legacy/run.Dockerfile', withPackage('e2e-runtime'));
    const built = nx('run', 'legacy:image-run');
    expectSuccess(built);
    // The run image's task depends on the build image's, and each says what it derived.
    expect(built.output).toMatch(/build \| mixins derived against the packages of run .*: \d+ in both images, 1 in build only/);
    expect(built.output).toMatch(/run \| mixins derived against the packages of build .*: \d+ in both images, 1 in run only/);
    const labels = async (key: string) =>
      JSON.parse((await engine.inspect(`${repository}/legacy-${key}:latest`))!.Config!.Labels!['io.buildpacks.stack.mixins']) as string[];
    const [build, runMixins] = [await labels('build'), await labels('run')];
    expect(build.filter((m) => m.includes(':'))).toEqual(['build:e2e-compiler']);
    expect(runMixins.filter((m) => m.includes(':'))).toEqual(['run:e2e-runtime']);
    expect(build).toContain('libc6');
    expect(runMixins.filter((m) => !m.includes(':'))).toEqual(build.filter((m) => !m.includes(':')));
  });

  it('creates a builder whose run image comes from a registry, pulling it, with the real pack', async () => {
    // The static run image, pushed to the registry and then gone from the engine under that name.
    await engine.tag(`${repository}/debian-bookworm-run-static:latest`, pulledRun);
    await engine.push(pulledRun, undefined, () => undefined);
    await engine.untag(pulledRun);
    expect(await engine.inspect(pulledRun)).toBeUndefined();

    write('builders/app/builder.toml', BUILDER(pulledRun));
    const created = nx('run', 'app-builder:create-builder');
    expectSuccess(created);
    expect(created.output).toContain(`${pulledRun} | Digest: sha256:`);
    expect(await engine.inspect(`${repository}/app-builder:latest`)).toBeDefined();
  });

  it('refuses, before pack runs, a builder whose order names a buildpack it lacks', () => {
    write('builders/bad/builder.toml', BUILDER(pulledRun, 'e2e/missing'));
    const refused = nx('run', 'bad-builder:create-builder');
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(
      'builders/bad/builder.toml: order[0].group[0]: expected a buildpack on the builder (e2e/hello@0.0.1), found "e2e/missing"',
    );
    expect(refused.output).not.toContain('pack builder create');
    expect(readdirSync(join(root, 'builders/bad'))).toEqual(['builder.toml']);
  });
});
