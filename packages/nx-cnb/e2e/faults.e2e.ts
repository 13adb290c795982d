import type Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectEngine } from '../src/engine/docker-engine';
import { sbomFileName } from '../src/release/sbom';
import { SecondEngine } from './second-engine';
import { expectSuccess, REPO_ROOT, TempWorkspace, taskOutcomes, lifecycleTarball, removeImagesUnder } from './workspace';

// Builds on a real engine take minutes, not the 5 s jest allows by default.
jest.setTimeout(30 * 60 * 1000);

// Faults and hostile input: every failure is clear, nothing half-made survives, the next run works.
const repository = `nx-cnb-e2e-faults-${process.pid}`;
const lifecycle = lifecycleTarball();
const STACK_TOML = `id = "io.buildpacks.stacks.faults"
[build]
  dockerfile = "./build.Dockerfile"
  uid = 1001
  gid = 1000
  [build.args]
    delay = "0"
[run]
  dockerfile = "./run.Dockerfile"
  uid = 1002
  gid = 1000
`;
// Stands for a long build step, so a fault can land in the middle of it; it says when it starts.
const SLOW_DOCKERFILE = 'FROM nx-cnb/debian:bookworm\nARG delay\nRUN echo "slow step started, $delay s to go" && sleep "$delay" && echo built > /etc/built\n';
// BuildKit runs RUN steps in its own containers, which the engine does not list: the step's output says it runs.
const slowStepRuns = (build: { output: () => string }) => () => build.output().includes('slow step started, 30 s to go');

let docker: Docker;
let ws: TempWorkspace;

beforeAll(async () => {
  docker = (await connectEngine()).docker;
  ws = new TempWorkspace({ repository });
  ws.write('stacks/slow/stack.toml', STACK_TOML);
  ws.write('stacks/slow/build.Dockerfile', SLOW_DOCKERFILE);
  ws.write('stacks/slow/run.Dockerfile', 'FROM nx-cnb/debian:bookworm\n');
  ws.git('init', '-q', '-b', 'main');
});

afterAll(async () => {
  await removeImagesUnder(docker, repository);
  ws?.remove();
});

const outputs = (key: string) => {
  const dir = join(ws.root, 'dist/stacks/slow', key);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};
// What a finished image task leaves: the stack builds for the engine's platform, linux/amd64 on these machines.
const FINISHED = ['image.tar', 'receipt.json', sbomFileName('linux/amd64')];
const finishedOnly = (files: string[]) => files.filter((f) => FINISHED.includes(f));
const slowBy = (seconds: number) => ws.write('stacks/slow/stack.toml', STACK_TOML.replace('delay = "0"', `delay = "${seconds}"`));

describe('hostile input', () => {
  it('keeps shell metacharacters in a tag as data, and refuses the tag', () => {
    const marker = `/tmp/nx-cnb-pwned-${process.pid}`;
    const run = ws.nx('run', 'slow:image-run', `--tags=$(touch ${marker})`);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(
      `nx-cnb:build-image: options.tags[0]: expected a Docker tag: letters, digits, "_", "." and "-", at most 128, found "$(touch ${marker})"`,
    );
    expect(existsSync(marker)).toBe(false);
    expect(outputs('run')).toEqual([]);
  });

  it('sends symlinks in a build context as links, so a loop cannot hang or escape', () => {
    symlinkSync('loop-b', join(ws.root, 'stacks/slow/loop-a'));
    symlinkSync('loop-a', join(ws.root, 'stacks/slow/loop-b'));
    symlinkSync('/etc/shadow', join(ws.root, 'stacks/slow/escape'));
    expectSuccess(ws.nx('run', 'slow:image-run', '--skip-nx-cache'));
    expect(outputs('run')).toEqual(FINISHED);
  });

  it('reports binary garbage in a stack.toml, naming the file, and keeps every other project', () => {
    ws.write('stacks/garbage/stack.toml', '\u0000\u0001binary');
    const run = ws.nx('show', 'projects');
    expectSuccess(run);
    expect(run.output).toContain('stacks/garbage/stack.toml: (file): expected a text file, found binary data (a NUL byte at offset 0)');
    expect(run.output.split('\n')).toEqual(expect.arrayContaining(['slow', 'garbage']));
    execFileSync('rm', ['-rf', join(ws.root, 'stacks/garbage')]);
  });
});

describe('faults', () => {
  it('fails clearly when the engine stops in the middle of a build, leaves no receipt, and the next run succeeds', async () => {
    const second = new SecondEngine(23760);
    await second.start();
    try {
      execFileSync('bash', ['-c', `docker save nx-cnb/debian:bookworm | docker -H ${second.host} load -q`]);
      slowBy(30);
      const env = { DOCKER_HOST: second.host, NX_CNB_DOCKER_BUILD_NETWORK: 'host' };
      const build = ws.nxAsync(env, 'run', 'slow:image-build', '--skip-nx-cache');
      await waitFor(slowStepRuns(build));
      await second.kill();
      const run = await build.done;
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(
        /Building stacks\/slow build \(.*slow-build:latest, linux\/amd64\) failed: |No Docker engine answers at DOCKER_HOST=tcp:\/\/127.0.0.1:23760/,
      );
      expect(finishedOnly(outputs('build'))).toEqual([]);

      await second.start();
      execFileSync('bash', ['-c', `docker save nx-cnb/debian:bookworm | docker -H ${second.host} load -q`]);
      slowBy(0);
      expectSuccess(ws.nxWithEnv(env, 'run', 'slow:image-build', '--skip-nx-cache'));
      expect(outputs('build')).toEqual(FINISHED);
    } finally {
      await second.stop();
      slowBy(0);
    }
  });

  it('stops on SIGINT during a build, keeps no half-written output, and the next run succeeds', async () => {
    slowBy(30);
    const build = ws.nxAsync({}, 'run', 'slow:image-build', '--skip-nx-cache');
    await waitFor(slowStepRuns(build));
    process.kill(-build.child.pid!, 'SIGINT');
    const run = await build.done;
    expect(run.status).not.toBe(0);
    expect(finishedOnly(outputs('build'))).toEqual([]);
    slowBy(0);
    expectSuccess(ws.nx('run', 'slow:image-build', '--skip-nx-cache'));
    expect(outputs('build')).toEqual(FINISHED);
  });

  it('fails clearly when the registry is down during publish, and records nothing as published', () => {
    const down = new TempWorkspace({ repository: '127.0.0.1:5999/nobody-listens' });
    try {
      cpSync(join(ws.root, 'stacks'), join(down.root, 'stacks'), { recursive: true, filter: (src) => !src.includes('loop-') && !src.endsWith('escape') });
      const run = down.nx('run', 'slow:publish');
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/pushing 127\.0\.0\.1:5999\/nobody-listens\/slow-build:latest failed: .*(connection refused|connect)/i);
      expect(existsSync(join(down.root, 'dist/stacks/slow/publish/receipt.json'))).toBe(false);
    } finally {
      for (const key of ['build', 'run'])
        void docker
          .getImage(`127.0.0.1:5999/nobody-listens/slow-${key}:latest`)
          .remove({ force: true })
          .catch(() => undefined);
      down.remove();
    }
  });

  it('fails clearly when pack exits non-zero, and leaves no builder receipt', () => {
    const fakePack = join(ws.root, 'fake-pack');
    writeFileSync(
      fakePack,
      '#!/bin/sh\nif [ "$1" = version ]; then echo 0.40.6; exit 0; fi\necho "ERROR: failed to create builder: something pack-specific" >&2\nexit 3\n',
    );
    chmodSync(fakePack, 0o755);
    cpSync(join(REPO_ROOT, 'builders/debian-bookworm/buildpacks/motd'), join(ws.root, 'builders/b/buildpacks/motd'), { recursive: true });
    writeFileSync(
      join(ws.root, 'builders/b/buildpacks/motd/buildpack.toml'),
      readFileSync(join(ws.root, 'builders/b/buildpacks/motd/buildpack.toml'), 'utf8').replace('io.buildpacks.stacks.bookworm', '*'),
    );
    expectSuccess(ws.nx('g', 'nx-cnb:builder', 'b', '--stack=stacks/slow', '--buildpacks=builders/b/buildpacks/motd', `--lifecycleUri=${lifecycle}`));
    const run = ws.nxWithEnv({ NX_CNB_PACK: fakePack }, 'run', 'b-builder:create-builder');
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('pack builder create failed (exit code 3):');
    expect(run.output).toContain('ERROR: failed to create builder: something pack-specific');
    expect(existsSync(join(ws.root, 'dist/builders/b/builder/receipt.json'))).toBe(false);
  });
});

describe('concurrency', () => {
  it('builds the same images and receipts with --parallel as one at a time', () => {
    const receipts = () =>
      ['build', 'run'].map((key) => {
        // The release date comes from the stack's files, so even the image IDs are the same.
        const r = JSON.parse(readFileSync(join(ws.root, 'dist/stacks/slow', key, 'receipt.json'), 'utf8'));
        return { references: r.references, released: r.released, platforms: r.platforms };
      });
    expectSuccess(ws.nx('run-many', '-t', 'build-image', '--parallel=1', '--skip-nx-cache'));
    const serial = receipts();
    const run = ws.nx('run-many', '-t', 'build-image', '--parallel=4', '--skip-nx-cache');
    expectSuccess(run);
    expect(Object.values(taskOutcomes(run.output)).every((o) => o === 'ran')).toBe(true);
    expect(receipts()).toEqual(serial);
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting after ${seconds} s`);
}
