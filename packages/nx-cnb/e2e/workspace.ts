import type Docker from 'dockerode';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import versions from '../src/versions.json';

export const REPO_ROOT = resolve(__dirname, '../../..');

/** The Debian base image tools/base-image.sh imports into the engine. */
export const BASE_IMAGE = `127.0.0.1:5000/nx-cnb/debian:${versions.debianSuite}`;

/** The lifecycle tarball tools/lifecycle.sh builds for the pinned version. */
export function lifecycleTarball(arch = 'amd64'): string {
  return join(
    process.env.NX_CNB_CACHE || join(REPO_ROOT, '.cache'),
    `tools/lifecycle-${versions.lifecycle}/lifecycle-v${versions.lifecycle}+linux.${arch}.tgz`,
  );
}

/** The plugin as users install it: compiled once per test run by tools/build-plugin.sh. */
let builtPlugin: string | undefined;
export function buildPlugin(): string {
  builtPlugin ??= execFileSync('bash', [join(REPO_ROOT, 'tools/build-plugin.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  return builtPlugin;
}

/**
 * The environment of every nx run in a test workspace. The Nx cache stays
 * inside the workspace: Nx 24 otherwise keeps it in ~/.nx/<workspace id>,
 * where the image archives of every throwaway workspace would outlive it
 * (gigabytes per test file). A test that shares a cache passes its own
 * NX_CACHE_DIRECTORY.
 */
export function nxEnv(root: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    FORCE_COLOR: '0',
    NX_VERBOSE_LOGGING: 'false',
    NX_CACHE_DIRECTORY: join(root, '.nx/cache'),
    // No public registry here: generated stacks start from the image tools/base-image.sh made.
    NX_CNB_BASE_IMAGE: process.env.NX_CNB_BASE_IMAGE ?? BASE_IMAGE,
    ...overrides,
  };
}

export interface NxRun {
  status: number;
  output: string;
}

/**
 * A throwaway Nx workspace in a temporary folder that installs the compiled
 * plugin the way a user's would (node_modules/nx-cnb), sharing the repo's
 * other node_modules through links so no network is needed.
 */
export class TempWorkspace {
  readonly root: string;

  constructor(pluginOptions: Record<string, unknown>) {
    this.root = mkdtempSync(join(tmpdir(), 'nx-cnb-e2e-'));
    const modules = join(this.root, 'node_modules');
    mkdirSync(modules);
    for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
      if (entry === 'nx-cnb' || entry === '.bin' || entry.startsWith('.')) continue;
      symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(modules, entry));
    }
    symlinkSync(buildPlugin(), join(modules, 'nx-cnb'));
    this.write('package.json', JSON.stringify({ name: 'e2e-workspace', version: '0.0.0', private: true }, null, 2));
    this.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'nx-cnb', options: pluginOptions }], useDaemonProcess: false, parallel: 2 }, null, 2));
    this.write('.gitignore', 'node_modules\ndist\n.nx\n');
  }

  private env(overrides: Record<string, string>): NodeJS.ProcessEnv {
    return nxEnv(this.root, overrides);
  }

  write(path: string, content: string): void {
    mkdirSync(join(this.root, path, '..'), { recursive: true });
    writeFileSync(join(this.root, path), content);
  }

  /** Runs the nx CLI in the workspace; output is captured, never thrown away. */
  nx(...args: string[]): NxRun {
    return this.nxWithEnv({}, ...args);
  }

  nxWithEnv(env: Record<string, string>, ...args: string[]): NxRun {
    const result = spawnSync(
      process.execPath,
      [join(this.root, 'node_modules/nx/dist/bin/nx.js'), ...args, ...(['g', 'generate'].includes(args[0]) ? [] : ['--outputStyle=stream'])],
      {
        cwd: this.root,
        encoding: 'utf8',
        env: this.env(env),
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
  }

  /** Starts the nx CLI without waiting, for tests that interrupt it; its own process group, so a signal reaches its tasks. */
  nxAsync(env: Record<string, string>, ...args: string[]): { child: ChildProcess; done: Promise<NxRun>; output: () => string } {
    const child = spawn(process.execPath, [join(this.root, 'node_modules/nx/dist/bin/nx.js'), ...args, '--outputStyle=stream'], {
      cwd: this.root,
      env: this.env(env),
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const done = new Promise<NxRun>((resolve) => child.on('close', (code) => resolve({ status: code ?? -1, output })));
    return { child, done, output: () => output };
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.root,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com' },
    });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Which tasks of a run were executed and which came from the cache, read from
 * Nx's stream output ("> nx run p:t" headers, "[local cache]" or
 * "[existing outputs match the cache, left as is]" marks).
 */
export function taskOutcomes(output: string): Record<string, 'ran' | 'cache'> {
  const outcomes: Record<string, 'ran' | 'cache'> = {};
  for (const match of output.matchAll(/^> nx run ([^\s]+)(.*)$/gm)) {
    outcomes[match[1]] = /local cache|remote cache|existing outputs match the cache/.test(match[2]) ? 'cache' : 'ran';
  }
  return outcomes;
}

/** Fails with what matters of a failed nx run: the lines that say what failed, then the tail. */
export function expectSuccess(run: NxRun): void {
  if (run.status === 0) return;
  const telling = run.output
    .split('\n')
    .filter((l) => /error|failed|expected|not found|denied|refused/i.test(l) && !/\| Step \d/.test(l))
    .slice(0, 40);
  throw new Error(`nx failed (${run.status}):\n${telling.join('\n')}\n--- last lines ---\n${run.output.slice(-3000)}`);
}

/**
 * Removes every image named under a test's repository prefix, by tag or by
 * digest (what a pull by digest leaves), and only those: other work shares the engine.
 */
export async function removeImagesUnder(docker: Docker | undefined, repository: string): Promise<void> {
  for (const image of (await docker?.listImages().catch(() => [])) ?? []) {
    for (const name of [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])])
      if (name.startsWith(`${repository}/`))
        await docker!
          .getImage(name)
          .remove({ force: true })
          .catch(() => undefined);
  }
}
