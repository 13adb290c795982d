import type Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectEngine } from '../src/engine/docker-engine';
import { REPO_ROOT, TempWorkspace, expectSuccess, lifecycleTarball } from './workspace';

// Builds on a real engine take minutes, not the 5 s jest allows by default.
jest.setTimeout(30 * 60 * 1000);

// A builder generated on a generated stack, created with the real pack, proven by building an app on every run image.
const repository = `nx-cnb-e2e-builder-${process.pid}`;
const pack = process.env.NX_CNB_PACK || 'pack';
const lifecycle = lifecycleTarball();
const builderRef = `${repository}/acme-builder:latest`;
const buildpacks = ['c-app', 'gcc', 'greeting', 'process', 'motd'];
const EXPECTED = 'hello from the samples/c-app composite; built by nx-cnb; uid=1002; x86_64';

let docker: Docker;
let ws: TempWorkspace;
const apps: string[] = [];

beforeAll(async () => {
  docker = (await connectEngine()).docker;
  ws = new TempWorkspace({ repository });
  cpSync(join(REPO_ROOT, 'builders/debian-bookworm/buildpacks'), join(ws.root, 'builders/acme/buildpacks'), { recursive: true });
  cpSync(join(REPO_ROOT, 'builders/debian-bookworm/sample-app'), join(ws.root, 'sample-app'), { recursive: true });
});

afterAll(async () => {
  const names = [
    'debian-bookworm-build',
    'debian-bookworm-run',
    'debian-bookworm-run-tiny',
    'debian-bookworm-run-static',
    'acme-builder',
    'acme-builder-buildpackless',
  ];
  for (const ref of [...names.map((n) => `${repository}/${n}:latest`), ...apps])
    await docker
      ?.getImage(ref)
      .remove({ force: true })
      .catch(() => undefined);
  ws?.remove();
});

const expectOk = expectSuccess;
const packRun = (...args: string[]) => execFileSync(pack, args, { encoding: 'utf8', cwd: ws.root, maxBuffer: 64 * 1024 * 1024 });

async function runApp(image: string): Promise<string> {
  const container = await docker.createContainer({ Image: image });
  try {
    await container.start();
    await container.wait();
    return ((await container.logs({ stdout: true, stderr: true })) as Buffer)
      .toString('utf8')
      .replace(/^[\s\S]{8}/, '')
      .trim();
  } finally {
    await container.remove({ force: true });
  }
}

function withFile(path: string, edit: (text: string) => string, body: () => void): void {
  const full = join(ws.root, path);
  const original = readFileSync(full, 'utf8');
  writeFileSync(full, edit(original));
  try {
    body();
  } finally {
    writeFileSync(full, original);
  }
}

describe('a generated builder, created with pack', () => {
  it('is written by nx g nx-cnb:builder for a generated stack', () => {
    expectOk(ws.nx('g', 'nx-cnb:stack', 'acme', '--platforms=linux/amd64'));
    expectOk(
      ws.nx(
        'g',
        'nx-cnb:builder',
        'acme',
        '--stack=acme',
        `--buildpacks=${buildpacks.map((b) => `builders/acme/buildpacks/${b}`).join(',')}`,
        `--lifecycleUri=${lifecycle}`,
      ),
    );
    const toml = readFileSync(join(ws.root, 'builders/acme/builder.toml'), 'utf8');
    expect(toml).toContain(`image = "${repository}/debian-bookworm-build:latest"`);
    expect(toml.indexOf('debian-bookworm-run:latest')).toBeLessThan(toml.indexOf('debian-bookworm-run-tiny:latest'));
    expect(readFileSync(join(ws.root, 'builders/acme/builder-buildpackless.toml'), 'utf8')).not.toContain('[[buildpacks]]');
    const again = ws.nx('g', 'nx-cnb:builder', 'acme', '--stack=acme');
    expect(again.status).not.toBe(0);
    expect(again.output).toContain('builders/acme/builder.toml already exists; nx-cnb will not overwrite it');
  });

  it('depends on the stack and its buildpacks in the project graph', () => {
    expectOk(ws.nx('graph', '--file=graph.json'));
    const graph = JSON.parse(readFileSync(join(ws.root, 'graph.json'), 'utf8')).graph;
    expect(graph.dependencies['acme-builder'].map((d: { target: string }) => d.target).sort()).toEqual(
      ['acme', 'samples-c-app', 'samples-gcc', 'samples-greeting', 'samples-motd', 'samples-process'].sort(),
    );
  });

  it('creates the builder with the stack images, three run images and a flattened composite', () => {
    expectOk(ws.nx('run', 'acme-builder:create-builder'));
    const inspect = packRun('builder', 'inspect', builderRef);
    const local = inspect.slice(inspect.indexOf('LOCAL:'));
    for (const run of ['debian-bookworm-run', 'debian-bookworm-run-tiny', 'debian-bookworm-run-static']) expect(local).toContain(`${repository}/${run}:latest`);
    for (const id of buildpacks) expect(local).toContain(`samples/${id}`);
    expect(local).toContain('ID: io.buildpacks.stacks.bookworm');

    const receipt = JSON.parse(readFileSync(join(ws.root, 'dist/builders/acme/builder/receipt.json'), 'utf8'));
    expect(receipt.flatten).toEqual(['samples/c-app@0.1.0,samples/gcc@0.1.0,samples/greeting@0.1.0,samples/process@0.1.0']);
    expect(receipt.layers).toBe(receipt.estimatedLayers);
    const layers = JSON.parse(receipt.labels['io.buildpacks.buildpack.layers']);
    const diff = (id: string) => layers[`samples/${id}`]['0.1.0'].layerDiffID;
    expect(new Set(['c-app', 'gcc', 'greeting', 'process'].map(diff)).size).toBe(1);
    expect(diff('motd')).not.toBe(diff('gcc'));
  });

  it.each([
    ['the default run image', undefined],
    ['the tiny run image', 'debian-bookworm-run-tiny'],
    ['the static run image', 'debian-bookworm-run-static'],
  ])('builds the sample app that runs on %s', async (_what, runImage) => {
    const app = `${repository}/sample-app:${runImage ?? 'default'}`;
    apps.push(app);
    packRun(
      'build',
      app,
      '--builder',
      builderRef,
      '--path',
      'sample-app',
      '--pull-policy',
      'never',
      '--trust-builder',
      ...(runImage ? ['--run-image', `${repository}/${runImage}:latest`] : []),
    );
    expect(await runApp(app)).toBe(EXPECTED);
  });

  it('creates the buildpack-less builder', () => {
    expectOk(ws.nx('run', 'acme-builder:create-builder-buildpackless'));
    expect(packRun('builder', 'inspect', `${repository}/acme-builder-buildpackless:latest`)).toContain('debian-bookworm-run-static');
  });

  it('rejects an unknown key in builder.toml, naming the key and the file', () => {
    withFile(
      'builders/acme/builder.toml',
      (t) => t.replace('[build]', '[build]\n  colour = "red"'),
      () => {
        const run = ws.nx('run', 'acme-builder:create-builder');
        expect(run.status).not.toBe(0);
        expect(run.output).toContain('builders/acme/builder.toml: build.colour: expected one of the known keys');
      },
    );
  });

  it('rejects an image that no stack makes and the engine lacks, before pack runs', () => {
    withFile(
      'builders/acme/builder.toml',
      (t) => t.replace(`${repository}/debian-bookworm-run-tiny:latest`, `${repository}/nobody-makes-this:latest`),
      () => {
        const run = ws.nx('run', 'acme-builder:create-builder');
        expect(run.status).not.toBe(0);
        expect(run.output).toContain(
          `run.images[1].image: expected a run image that a stack in the workspace makes or that the engine has, found "${repository}/nobody-makes-this:latest", which no stack in the workspace makes and the engine lacks`,
        );
        expect(run.output).not.toContain('pack 0.40');
      },
    );
  });

  it('rejects a buildpack for another stack id, before pack runs', () => {
    withFile(
      'builders/acme/buildpacks/motd/buildpack.toml',
      (t) => t.replace('io.buildpacks.stacks.bookworm', 'io.buildpacks.stacks.jammy'),
      () => {
        const run = ws.nx('run', 'acme-builder:create-builder');
        expect(run.status).not.toBe(0);
        expect(run.output).toContain('expected a buildpack that supports the stack "io.buildpacks.stacks.bookworm"');
        expect(run.output).toContain('"samples/motd@0.1.0" with [[stacks]] "io.buildpacks.stacks.jammy"');
        expect(run.output).not.toContain('pack 0.40');
      },
    );
  });

  it('stops a builder over the layer limit early and says what to flatten', () => {
    const many = Array.from({ length: 125 }, (_, i) => `many/bp-${i}`);
    for (const id of many) {
      ws.write(`builders/many/buildpacks/${id}/buildpack.toml`, `api = "0.10"\n[buildpack]\n  id = "${id}"\n  version = "1.0.0"\n[[stacks]]\n  id = "*"\n`);
    }
    expectOk(
      ws.nx(
        'g',
        'nx-cnb:builder',
        'many',
        '--stack=acme',
        `--buildpacks=${many.map((id) => `builders/many/buildpacks/${id}`).join(',')}`,
        `--lifecycleUri=${lifecycle}`,
      ),
    );
    const run = ws.nx('run', 'many-builder:create-builder');
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(
      /builders\/many\/builder.toml: the builder would have 13\d layers, over Docker's limit of 127 \(3 from the build image, 125 buildpacks in layers of their own, 0 flattened groups\)/,
    );
    expect(run.output).toContain('Flatten more buildpacks together');
  });
});
