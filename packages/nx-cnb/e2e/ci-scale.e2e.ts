import type Docker from 'dockerode';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectEngine } from '../src/engine/docker-engine';
import { SecondEngine } from './second-engine';
import { REPO_ROOT, TempWorkspace, taskOutcomes, expectSuccess, lifecycleTarball } from './workspace';

// Builds on a real engine take minutes, not the 5 s jest allows by default.
jest.setTimeout(30 * 60 * 1000);

// Teams in CI: nx affected decides what a change reaches, images travel through a registry
// (127.0.0.1:5000, started by tools/registry.sh), a second engine stands for another machine.
const registry = process.env.NX_CNB_REGISTRY || '127.0.0.1:5000';
const repository = `${registry}/e2e-${process.pid}`;
const pack = process.env.NX_CNB_PACK || 'pack';
const lifecycle = lifecycleTarball();
const ALPHA_IMAGES = ['build', 'run', 'run-tiny', 'run-static'].map((k) => `alpha:image-${k}`);
const BETA_IMAGES = ['build', 'run'].map((k) => `beta:image-${k}`);
const BUILDER_TASKS = ['app-builder:create-builder', 'app-builder:create-builder-buildpackless'];
const SECRET = 'e2e-password-that-must-not-leak';

let docker: Docker;
let ws: TempWorkspace;
let baseline: string;
const dockerConfig = `/tmp/nx-cnb-e2e-docker-config-${process.pid}`;

beforeAll(async () => {
  docker = (await connectEngine()).docker;
  ws = new TempWorkspace({ repository });
  expectOk(ws.nx('g', 'nx-cnb:stack', 'alpha', '--platforms=linux/amd64'));
  expectOk(ws.nx('g', 'nx-cnb:stack', 'beta', '--variants=base', '--platforms=linux/amd64'));
  // Two stacks of one distro would make the same image names; the second gets a codename of its own.
  const betaJson = join(ws.root, 'stacks/beta/images.json');
  writeFileSync(betaJson, readFileSync(betaJson, 'utf8').replace('"bookworm"', '"beta"'));
  cpSync(join(REPO_ROOT, 'builders/debian-bookworm/buildpacks'), join(ws.root, 'builders/app/buildpacks'), { recursive: true });
  cpSync(join(REPO_ROOT, 'builders/debian-bookworm/sample-app'), join(ws.root, 'sample-app'), { recursive: true });
  const bps = ['c-app', 'gcc', 'greeting', 'process', 'motd'].map((b) => `builders/app/buildpacks/${b}`).join(',');
  expectOk(
    ws.nx(
      'g',
      'nx-cnb:builder',
      'app',
      '--stack=alpha',
      `--buildpacks=${bps}`,
      `--lifecycleUri=${lifecycle}`,
      `--runImageMirrors=${registry}/e2e-mirror-${process.pid}`,
    ),
  );
  ws.write('README.md', '# e2e\n');
  ws.git('init', '-q', '-b', 'main');
  ws.git('add', '-A');
  ws.git('commit', '-qm', 'baseline');
  baseline = ws.git('rev-parse', 'HEAD').trim();
  expectOk(ws.nx('run-many', '-t', 'build-image', 'create-builder', 'create-builder-buildpackless'));
  // Credentials in the Docker config: the local registry takes anonymous pushes, so these only prove nothing leaks.
  mkdirSync(dockerConfig, { recursive: true });
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`e2e:${SECRET}`).toString('base64') } } }));
});

afterAll(async () => {
  const refs = (await docker?.listImages().catch(() => [])) ?? [];
  for (const image of refs) {
    for (const tag of image.RepoTags ?? [])
      if (tag.includes(`e2e-${process.pid}`) || tag.includes(`e2e-mirror-${process.pid}`))
        await docker
          .getImage(tag)
          .remove({ force: true })
          .catch(() => undefined);
  }
  ws?.remove();
});

const expectOk = expectSuccess;

/** Image and builder tasks that did real work (not a cache hit) in an affected run. */
function affectedWork(change: () => void): string[] {
  change();
  try {
    const run = ws.nx('affected', '-t', 'build-image', 'create-builder', 'create-builder-buildpackless', `--base=${baseline}`);
    expectOk(run);
    return Object.entries(taskOutcomes(run.output))
      .filter(([task, outcome]) => outcome === 'ran' && !task.endsWith(':build-image'))
      .map(([task]) => task)
      .sort();
  } finally {
    ws.git('checkout', '-q', '--', '.');
  }
}

describe('affected-only rebuilds', () => {
  it("one variant's Dockerfile: that image and the builders that use it", () => {
    expect(affectedWork(() => appendFileSync(join(ws.root, 'stacks/alpha/tiny/run.Dockerfile'), '\n# change\n'))).toEqual([
      'alpha:image-run-tiny',
      ...BUILDER_TASKS,
    ]);
  });

  it('a stack.toml shared by two images: those images and their builders', () => {
    expect(affectedWork(() => appendFileSync(join(ws.root, 'stacks/alpha/base/stack.toml'), '\n# change\n'))).toEqual([
      'alpha:image-build',
      'alpha:image-run',
      ...BUILDER_TASKS,
    ]);
  });

  it('a builder.toml: that builder only', () => {
    expect(affectedWork(() => appendFileSync(join(ws.root, 'builders/app/builder.toml'), '\n# change\n'))).toEqual(BUILDER_TASKS);
  });

  it('a buildpack: the builders that include it', () => {
    // Nx computes affected per task: the buildpack-less builder does not take the buildpack as an input.
    expect(affectedWork(() => appendFileSync(join(ws.root, 'builders/app/buildpacks/gcc/bin/build'), '\n# change\n'))).toEqual(['app-builder:create-builder']);
  });

  it('the README or an unrelated file: nothing', () => {
    expect(
      affectedWork(() => {
        appendFileSync(join(ws.root, 'README.md'), 'more\n');
        writeFileSync(join(ws.root, 'notes.txt'), 'unrelated\n');
      }),
    ).toEqual([]);
    execFileSync('rm', ['-f', join(ws.root, 'notes.txt')]);
  });

  it('nx.json: everything', () => {
    const nxJson = join(ws.root, 'nx.json');
    const run = (() => {
      writeFileSync(nxJson, readFileSync(nxJson, 'utf8').replace('"parallel": 2', '"parallel": 1'));
      try {
        return ws.nx('affected', '-t', 'build-image', 'create-builder', 'create-builder-buildpackless', `--base=${baseline}`);
      } finally {
        ws.git('checkout', '-q', '--', '.');
      }
    })();
    expectOk(run);
    expect(Object.keys(taskOutcomes(run.output)).sort()).toEqual(
      expect.arrayContaining([...ALPHA_IMAGES, ...BETA_IMAGES, ...BUILDER_TASKS, 'alpha:build-image', 'beta:build-image']),
    );
  });
});

describe('publishing to a registry', () => {
  it('shows what it would push with --dryRun and pushes nothing', () => {
    const run = ws.nx('run', 'app-builder:publish', '--dryRun');
    expectOk(run);
    expect(run.output).toContain(`would push ${repository}/debian-bookworm-run-static:latest`);
    expect(run.output).toContain(`would push ${repository}/app-builder:latest`);
    expect(run.output).not.toMatch(/^pushed /m);
  });

  it('pushes the stack images, then the builder and its run-image mirrors, with version tags, leaking no credential', () => {
    const run = ws.nxWithEnv({ DOCKER_CONFIG: dockerConfig }, 'run', 'app-builder:publish', '--tags=1.0.0');
    expectOk(run);
    const order = [...run.output.matchAll(/^.*pushed (\S+)@sha256:[0-9a-f]{64}$/gm)].map((m) => m[1]);
    expect(order).toEqual(
      expect.arrayContaining([
        `${repository}/debian-bookworm-run:1.0.0`,
        `${repository}/app-builder:1.0.0`,
        `${registry}/e2e-mirror-${process.pid}/debian-bookworm-run-tiny:latest`,
      ]),
    );
    expect(order.indexOf(`${repository}/debian-bookworm-run:latest`)).toBeLessThan(order.indexOf(`${repository}/app-builder:latest`));

    const leaks = [SECRET, Buffer.from(`e2e:${SECRET}`).toString('base64')];
    for (const text of [
      run.output,
      ...filesUnder(join(ws.root, 'dist'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => readFileSync(f, 'utf8')),
    ]) {
      for (const leak of leaks) expect(text).not.toContain(leak);
    }
  });

  describe('on a second, empty engine', () => {
    const second = new SecondEngine();
    let remote: Docker;
    beforeAll(async () => {
      remote = await second.start();
    });
    afterAll(() => second.stop());

    it('pulls the published images by digest', async () => {
      const published = JSON.parse(readFileSync(join(ws.root, 'dist/stacks/alpha/publish/receipt.json'), 'utf8')).published as {
        reference: string;
        digest: string;
      }[];
      const run = published.find((p) => p.reference.endsWith('/debian-bookworm-run-static:latest'))!;
      const repo = run.reference.slice(0, run.reference.lastIndexOf(':'));
      execFileSync('docker', ['-H', second.host, 'pull', `${repo}@${run.digest}`], { encoding: 'utf8' });
      const image = await remote.getImage(`${repo}@${run.digest}`).inspect();
      expect(image.Config.Labels['io.buildpacks.rebasable']).toBe('true');
    });

    it('builds an app with the published builder (pack pulls builder and run image from the registry)', async () => {
      const app = `${repository}/remote-app:latest`;
      // --docker-host: the lifecycle must export to the second engine, not to the socket of this host's first one.
      execFileSync(
        pack,
        [
          'build',
          app,
          '--builder',
          `${repository}/app-builder:1.0.0`,
          '--path',
          'sample-app',
          '--pull-policy',
          'if-not-present',
          '--trust-builder',
          '--network',
          'host',
          '--docker-host',
          second.host,
        ],
        {
          cwd: ws.root,
          env: { ...process.env, DOCKER_HOST: second.host },
          encoding: 'utf8',
        },
      );
      const output = execFileSync('docker', ['-H', second.host, 'run', '--rm', '--network', 'none', app], { encoding: 'utf8' }).trim();
      expect(output).toBe('hello from the samples/c-app composite; built by nx-cnb; uid=1002; x86_64');
    });

    it('builds stack images on a remote engine named by DOCKER_HOST (tcp)', async () => {
      execFileSync('bash', ['-c', `docker save nx-cnb/debian:bookworm | docker -H ${second.host} load -q`]);
      ws.write(
        'stacks/remote/stack.toml',
        'id = "io.buildpacks.stacks.remote"\n[build]\n  dockerfile = "./build.Dockerfile"\n  uid = 1001\n  gid = 1000\n[run]\n  dockerfile = "./run.Dockerfile"\n  uid = 1002\n  gid = 1000\n',
      );
      ws.write('stacks/remote/build.Dockerfile', 'FROM nx-cnb/debian:bookworm\nRUN echo build > /etc/remote-build\n');
      ws.write('stacks/remote/run.Dockerfile', 'FROM nx-cnb/debian:bookworm\n');
      const run = ws.nxWithEnv({ DOCKER_HOST: second.host, NX_CNB_DOCKER_BUILD_NETWORK: 'host' }, 'run', 'remote:build-image');
      expectOk(run);
      const image = await remote.getImage(`${repository}/remote-build:latest`).inspect();
      expect(image.Config.User).toBe('1001:1000');
      await expect(docker.getImage(`${repository}/remote-build:latest`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    });
  });
});

describe('a shared Nx cache', () => {
  it('gives a second clone all cache hits, and its builder still gets every image', async () => {
    // One cache folder, served by Nx's self-hosted remote cache protocol (Nx's local database cache is per workspace).
    const folder = `/tmp/nx-cnb-e2e-shared-cache-${process.pid}`;
    const server = spawn(process.execPath, [join(REPO_ROOT, 'tools/nx-cache-server.js'), folder]);
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
      server.once('exit', (code) => reject(new Error(`nx-cache-server exited with ${code}`)));
    });
    const env = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url };
    const clone = new TempWorkspace({ repository });
    try {
      // A fresh local cache, so this clone's builds run and go to the shared cache too.
      expectOk(ws.nxWithEnv({ ...env, NX_CACHE_DIRECTORY: `${folder}-first-clone` }, 'run-many', '-t', 'build-image', '--projects=alpha'));
      for (const dir of ['stacks', 'builders', 'sample-app', 'README.md']) cpSync(join(ws.root, dir), join(clone.root, dir), { recursive: true });
      clone.git('init', '-q', '-b', 'main');
      clone.git('add', '-A');
      clone.git('commit', '-qm', 'clone');
      // Another machine: its engine has none of the images.
      for (const key of ['build', 'run', 'run-tiny', 'run-static'])
        await docker.getImage(`${repository}/debian-bookworm-${key}:latest`).remove({ force: true });
      const run = clone.nxWithEnv(env, 'run-many', '-t', 'build-image', 'create-builder', '--projects=alpha,app-builder');
      expectOk(run);
      const outcomes = taskOutcomes(run.output);
      for (const task of ALPHA_IMAGES) expect(outcomes[task]).toBe('cache');
      expect(outcomes['app-builder:create-builder']).toBe('ran');
      expect((await docker.getImage(`${repository}/app-builder:latest`).inspect()).Id).toMatch(/^sha256:/);
      for (const key of ['build', 'run-static'])
        expect((await docker.getImage(`${repository}/debian-bookworm-${key}:latest`).inspect()).Id).toMatch(/^sha256:/);
    } finally {
      server.kill();
      clone.remove();
      rmSync(folder, { recursive: true, force: true });
      rmSync(`${folder}-first-clone`, { recursive: true, force: true });
    }
  });
});

describe('rebase', () => {
  it('moves an app onto a rebuilt run image with pack rebase', async () => {
    const app = `${repository}/rebase-app:latest`;
    execFileSync(pack, ['build', app, '--builder', `${repository}/app-builder:latest`, '--path', 'sample-app', '--pull-policy', 'never', '--trust-builder'], {
      cwd: ws.root,
      encoding: 'utf8',
    });
    const before = await docker.getImage(`${repository}/debian-bookworm-run:latest`).inspect();
    // A security fix in the run image: a rebuilt image with a new top layer.
    appendFileSync(join(ws.root, 'stacks/alpha/base/run.Dockerfile'), '\nRUN echo patched > /etc/patched\n');
    expectOk(ws.nx('run', 'alpha:image-run'));
    const after = await docker.getImage(`${repository}/debian-bookworm-run:latest`).inspect();
    expect(after.Id).not.toBe(before.Id);
    execFileSync(pack, ['rebase', app, '--run-image', `${repository}/debian-bookworm-run:latest`, '--pull-policy', 'never'], { encoding: 'utf8' });
    const rebased = await docker.getImage(app).inspect();
    const runLayers = after.RootFS.Layers!;
    expect(rebased.RootFS.Layers!.slice(0, runLayers.length)).toEqual(runLayers);
    const output = execFileSync('docker', ['run', '--rm', app], { encoding: 'utf8' }).trim();
    expect(output).toBe('hello from the samples/c-app composite; built by nx-cnb; uid=1002; x86_64');
    ws.git('checkout', '-q', '--', '.');
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
