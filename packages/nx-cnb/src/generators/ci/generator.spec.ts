import { logger, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { CI_DEFAULTS, ciGenerator } from './generator';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  name: string;
  on: Record<string, { branches?: unknown[] } | { cron: string }[] | null>;
  env: Record<string, unknown>;
  jobs: Record<string, { 'runs-on': unknown; if?: string; permissions: Record<string, string>; steps: Step[] }>;
}

/** Parses with a real YAML parser, failing on any error or warning (duplicate keys, bad indentation...). */
function readWorkflow(tree: Tree, path = '.github/workflows/nx-cnb.yml'): { workflow: Workflow; steps: Step[] } {
  const doc = parseDocument(tree.read(path, 'utf8')!, { uniqueKeys: true, prettyErrors: true });
  expect(doc.errors).toEqual([]);
  expect(doc.warnings).toEqual([]);
  const workflow = doc.toJS() as Workflow;
  expect(Object.keys(workflow.jobs)).toEqual(['build', 'check-updates']);
  return { workflow, steps: workflow.jobs.build.steps };
}

/** Evaluates the few GitHub expression forms the workflow's `if:` conditions use. */
function runsFor(step: Step, event: { event_name: string; ref: string }): boolean {
  if (step.if === undefined) return true;
  expect(step.if).toMatch(/^[\w.' =&|/-]+$/);
  const js = step.if.replace(/github\.(event_name|ref)\b/g, (_, key: 'event_name' | 'ref') => JSON.stringify(event[key])).replace(/==/g, '===');
  return Boolean(new Function(`return (${js});`)());
}

const PULL_REQUEST = { event_name: 'pull_request', ref: 'refs/pull/7/merge' };
const PUSH_MAIN = { event_name: 'push', ref: 'refs/heads/main' };

describe('ci generator', () => {
  let tree: Tree;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  const setRepository = (repository: string) => {
    const nxJson = JSON.parse(tree.read('nx.json', 'utf8')!);
    nxJson.plugins = [{ plugin: 'nx-cnb', options: { repository } }];
    tree.write('nx.json', JSON.stringify(nxJson));
  };

  it('writes a workflow that builds affected projects on pull requests and pushes to main, tests pull requests and publishes main', async () => {
    await ciGenerator(tree, {});
    const { workflow, steps } = readWorkflow(tree);
    const index = (predicate: (s: Step) => boolean) => {
      const i = steps.findIndex(predicate);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };

    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push', 'schedule', 'workflow_dispatch']);
    expect(workflow.jobs.build.if).toBe("github.event_name == 'pull_request' || github.event_name == 'push'");
    expect(workflow.on.pull_request).toBeNull();
    expect(workflow.on.push).toEqual({ branches: ['main'] });
    expect(workflow.env).toEqual({ CI: true, NX_NO_CLOUD: true });
    expect(workflow.jobs.build['runs-on']).toBe('ubuntu-latest');
    expect(workflow.jobs.build.permissions).toEqual({ contents: 'read', actions: 'read', packages: 'write' });

    const checkout = index((s) => s.uses === 'actions/checkout@v4');
    expect(steps[checkout].with).toEqual({ 'fetch-depth': 0 });
    const node = index((s) => s.uses === 'actions/setup-node@v4');
    expect(steps[node].with).toEqual({ 'node-version': '20', cache: 'npm' });
    const shas = index((s) => s.uses === 'nrwl/nx-set-shas@v4');
    expect(steps[shas].with).toEqual({ 'main-branch-name': "${{ github.base_ref || 'main' }}" });
    const install = index((s) => s.run === 'npm ci');
    const qemu = index((s) => s.uses === 'docker/setup-qemu-action@v3');
    const pack = index((s) => s.uses === 'buildpacks/github-actions/setup-pack@v6.1.0');
    expect(steps[pack].with).toEqual({ 'pack-version': '0.40.6' });
    // A user's repository has none of this repository's tools/.
    expect(JSON.stringify(workflow)).not.toMatch(/tools\/|provision|\.cache/);

    const build = index((s) => s.run === 'npx nx affected -t build-image create-builder create-builder-buildpackless');
    const test = index((s) => s.run?.trim() === 'npx nx affected -t test');
    const login = index((s) => s.uses === 'docker/login-action@v3');
    const publish = index((s) => s.run === 'npx nx affected -t publish');
    expect(steps[login].with).toEqual({ registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' });

    // Order: history and SHAs before anything affected; Node, dependencies, QEMU and pack before the build; build, then test or log in and publish.
    expect(checkout).toBeLessThan(shas);
    expect(node).toBeLessThan(install);
    expect(Math.max(shas, install, qemu, pack)).toBeLessThan(build);
    expect(build).toBeLessThan(test);
    expect(build).toBeLessThan(login);
    expect(login).toBeLessThan(publish);

    const ran = (event: typeof PULL_REQUEST) => steps.filter((s) => runsFor(s, event)).map((s) => steps.indexOf(s));
    expect(ran(PULL_REQUEST)).toEqual(expect.arrayContaining([checkout, shas, install, qemu, pack, build, test]));
    expect(ran(PULL_REQUEST)).not.toEqual(expect.arrayContaining([login]));
    expect(ran(PULL_REQUEST)).not.toEqual(expect.arrayContaining([publish]));
    expect(ran(PUSH_MAIN)).toEqual(expect.arrayContaining([checkout, shas, install, qemu, pack, build, login, publish]));
    expect(ran(PUSH_MAIN)).not.toEqual(expect.arrayContaining([test]));
    expect(ran({ event_name: 'push', ref: 'refs/heads/other' })).not.toEqual(expect.arrayContaining([publish]));

    // Secrets reach the login action's inputs only: no shell step names or prints one.
    steps.forEach((s, i) => {
      if (i !== login) expect(JSON.stringify(s)).not.toMatch(/secrets\.|GITHUB_TOKEN/);
      if (s.run) expect(s.run).not.toMatch(/set -x|\bsecrets\b|\bpassword\b/i);
    });
  });

  it('has a scheduled job that records package updates in the locks, commits them, and builds and publishes what they reach', async () => {
    await ciGenerator(tree, {});
    const { workflow } = readWorkflow(tree);
    expect(workflow.on.schedule).toEqual([{ cron: '17 5,17 * * *' }]);
    const job = workflow.jobs['check-updates'];
    expect(job.if).toBe("github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'");
    expect(job.permissions).toMatchObject({ contents: 'write' });
    const runs = job.steps.map((s) => s.run ?? s.uses ?? '');
    const at = (text: string) => runs.findIndex((r) => r.includes(text));
    // The same setup as the build job: dependencies, QEMU for the other platforms, pack.
    for (const setup of ['npm ci', 'docker/setup-qemu-action@v3', 'buildpacks/github-actions/setup-pack@v6.1.0'])
      expect(at(setup)).toBeLessThan(at('npx nx run-many -t check-updates --write'));
    expect(at('npm ci')).toBeGreaterThanOrEqual(0);
    expect(at('check-updates --write')).toBeLessThan(at('git push'));
    expect(at('git push')).toBeLessThan(at('npx nx affected -t build-image create-builder create-builder-buildpackless --base=HEAD~1 --head=HEAD'));
    expect(at('docker/login-action@v3')).toBeLessThan(at('npx nx affected -t publish --base=HEAD~1 --head=HEAD'));
    const commit = job.steps.find((s) => s.run?.includes('git push'))!;
    expect(commit.run).toContain("git diff --quiet -- ':(glob)**/packages.lock.json'");
    for (const s of job.steps.filter((s) => /affected|login/.test(s.run ?? s.uses ?? ''))) expect(s.if).toBe("steps.locks.outputs.changed == 'true'");
  });

  it.each([
    ['pnpm-lock.yaml', 'pnpm', 'pnpm install --frozen-lockfile'],
    ['yarn.lock', 'yarn', 'yarn install --frozen-lockfile'],
  ])('installs with the package manager whose lock file the workspace holds (%s)', async (lockFile, manager, install) => {
    tree.write(lockFile, '');
    await ciGenerator(tree, {});
    const { steps } = readWorkflow(tree);
    expect(steps.find((s) => s.uses === 'actions/setup-node@v4')!.with!.cache).toBe(manager);
    expect(steps.some((s) => s.run === install)).toBe(true);
    expect(steps.some((s) => s.uses === 'pnpm/action-setup@v4')).toBe(manager === 'pnpm');
  });

  it('takes the path, branch, Node version, test command, registry, secrets, Nx Cloud and runner options', async () => {
    const testCommand = `npm test -- --ci # "quoted": 'yes' & {x}`;
    await ciGenerator(tree, {
      path: '.github/workflows/images.yaml',
      mainBranch: 'release/1.0',
      nodeVersion: '22.11.0',
      testCommand,
      registry: 'registry.example.com:5000',
      usernameSecret: 'REGISTRY_USER',
      passwordSecret: 'REGISTRY_TOKEN',
      nxCloud: true,
      runsOn: 'self-hosted',
    });
    expect(tree.exists('.github/workflows/nx-cnb.yml')).toBe(false);
    const { workflow, steps } = readWorkflow(tree, '.github/workflows/images.yaml');
    expect(workflow.on.push).toEqual({ branches: ['release/1.0'] });
    expect(workflow.env).toEqual({ CI: true });
    expect(workflow.jobs.build['runs-on']).toBe('self-hosted');
    expect(workflow.jobs.build.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(steps.find((s) => s.uses === 'actions/setup-node@v4')!.with!['node-version']).toBe('22.11.0');
    expect(steps.find((s) => s.uses === 'nrwl/nx-set-shas@v4')!.with).toEqual({ 'main-branch-name': "${{ github.base_ref || 'release/1.0' }}" });
    const test = steps.find((s) => s.run?.trim() === testCommand)!;
    expect(runsFor(test, PULL_REQUEST)).toBe(true);
    const login = steps.find((s) => s.uses === 'docker/login-action@v3')!;
    expect(login.with).toEqual({ registry: 'registry.example.com:5000', username: '${{ secrets.REGISTRY_USER }}', password: '${{ secrets.REGISTRY_TOKEN }}' });
    const publish = steps.find((s) => s.run === 'npx nx affected -t publish')!;
    expect(runsFor(publish, { event_name: 'push', ref: 'refs/heads/release/1.0' })).toBe(true);
    expect(runsFor(publish, PUSH_MAIN)).toBe(false);
  });

  it.each([
    [22, '22'],
    ['20.x', '20.x'],
    ['22.10.x', '22.10.x'],
  ])('writes node-version %j as the string %j', async (nodeVersion, written) => {
    await ciGenerator(tree, { nodeVersion });
    expect(readWorkflow(tree).steps.find((s) => s.uses === 'actions/setup-node@v4')!.with!['node-version']).toBe(written);
  });

  it('warns when the workflow is not where GitHub looks for workflows', async () => {
    setRepository('ghcr.io/acme');
    await ciGenerator(tree, { path: 'ci/nx-cnb.yml' });
    expect(tree.exists('ci/nx-cnb.yml')).toBe(true);
    expect(warn.mock.calls).toEqual([[expect.stringContaining('ci/nx-cnb.yml is not directly in .github/workflows/, so GitHub will not run it')]]);
  });

  it.each([
    [undefined, 'ghcr.io', 'nx.json gives nx-cnb no "repository" option'],
    ['ghcr.io/acme', 'ghcr.io', undefined],
    ['registry.example.com:5000/acme', 'registry.example.com:5000', undefined],
    [
      'registry.example.com/acme',
      'ghcr.io',
      `nx.json's nx-cnb "repository" is registry.example.com/acme, on registry.example.com, but the workflow logs in to ghcr.io`,
    ],
    ['acme', 'ghcr.io', 'on docker.io, but the workflow logs in to ghcr.io'],
  ])('checks the plugin option repository %j against --registry %j', async (repository, registry, warning) => {
    if (repository) setRepository(repository);
    await ciGenerator(tree, { registry });
    expect(warn.mock.calls).toEqual(warning ? [[expect.stringContaining(warning)]] : []);
  });

  it('refuses to overwrite an existing workflow', async () => {
    tree.write('.github/workflows/nx-cnb.yml', 'mine');
    await expect(ciGenerator(tree, {})).rejects.toThrow('.github/workflows/nx-cnb.yml already exists; nx-cnb will not overwrite it');
    expect(tree.read('.github/workflows/nx-cnb.yml', 'utf8')).toBe('mine');
  });

  it.each([
    [{ path: '../ci.yml' }, '--path: expected a file inside the workspace ending in .yml or .yaml, found "../ci.yml"'],
    [{ path: '/etc/ci.yml' }, '--path: expected a file inside the workspace ending in .yml or .yaml, found "/etc/ci.yml"'],
    [{ path: '.github/workflows/ci.json' }, '--path: expected a file inside the workspace ending in .yml or .yaml, found ".github/workflows/ci.json"'],
    [{ mainBranch: 'feature/*' }, '--mainBranch: expected a branch name'],
    [{ mainBranch: 'a..b' }, '--mainBranch: expected a branch name'],
    [{ mainBranch: "main' }}" }, '--mainBranch: expected a branch name'],
    [{ mainBranch: 'x.lock' }, '--mainBranch: expected a branch name'],
    [{ nodeVersion: 'lts' }, '--nodeVersion: expected a Node.js version like 20, 20.x, 22.11.x or 22.11.0, found "lts"'],
    [{ nodeVersion: '20.x.1' }, '--nodeVersion: expected a Node.js version like 20, 20.x, 22.11.x or 22.11.0, found "20.x.1"'],
    [
      { nodeVersion: 22.1 },
      '--nodeVersion: expected a Node.js version like 20, 20.x, 22.11.x or 22.11.0 (the command line read a number: write 22.10.x rather than 22.10), found 22.1',
    ],
    [{ testCommand: ' ' }, '--testCommand: expected a one-line shell command'],
    [{ testCommand: 'a\nb' }, '--testCommand: expected a one-line shell command'],
    [{ testCommand: 'echo ${{ secrets.X }}' }, '--testCommand: expected a one-line shell command without ${{ }} expressions'],
    [
      { registry: 'https://ghcr.io' },
      '--registry: expected a registry host, optionally with a port, like ghcr.io or registry.example.com:5000, found "https://ghcr.io"',
    ],
    [{ passwordSecret: 'MY-TOKEN' }, '--passwordSecret: expected a secret name'],
    [{ usernameSecret: 'GITHUB_ACTOR' }, '--usernameSecret: expected a secret name'],
    [{ runsOn: 'ubuntu latest' }, '--runsOn: expected a runner label like ubuntu-latest or self-hosted, found "ubuntu latest"'],
  ])('rejects bad options %j', async (schema, message) => {
    await expect(ciGenerator(tree, schema)).rejects.toThrow(`nx g nx-cnb:ci: ${message}`);
    expect(tree.exists('.github')).toBe(false);
  });

  it('is registered in generators.json, with the defaults of its schema', () => {
    const root = join(__dirname, '../../..');
    const entry = JSON.parse(readFileSync(join(root, 'generators.json'), 'utf8')).generators.ci;
    expect(entry).toMatchObject({ factory: './src/generators/ci/generator', schema: './src/generators/ci/schema.json' });
    expect(existsSync(join(root, `${entry.factory}.ts`))).toBe(true);
    const schema = JSON.parse(readFileSync(join(root, entry.schema), 'utf8'));
    const defaults = Object.fromEntries(
      Object.entries(schema.properties as Record<string, { default?: unknown }>)
        .filter(([, p]) => 'default' in p)
        .map(([k, p]) => [k, p.default]),
    );
    expect(defaults).toEqual(CI_DEFAULTS);
  });
});
