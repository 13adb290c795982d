import { logger, type Tree } from '@nx/devkit';
import { hasControlCharacter } from '../../config/parse';
import { optionError } from '../../errors';
import { registryHost } from '../../reference/image-reference';
import { posix } from 'node:path';
import { readPluginOptions } from '../../plugin/options';
import type { CiGeneratorSchema } from './schema';
import versions from '../../versions.json';
import { renderWorkflow, type WorkflowOptions } from './workflow';

/** The defaults schema.json declares, applied here too so that the generator called from code gets them. */
export const CI_DEFAULTS = {
  path: '.github/workflows/nx-cnb.yml',
  mainBranch: 'main',
  nodeVersion: '20',
  testCommand: 'npx nx affected -t test',
  registry: 'ghcr.io',
  passwordSecret: 'GITHUB_TOKEN',
  nxCloud: false,
  runsOn: 'ubuntu-latest',
} as const;

const NODE_VERSION = /^\d+(\.(x|\d+(\.(x|\d+))?))?$/;
const HOST_PART = '[a-z0-9]([a-z0-9-]*[a-z0-9])?';
const REGISTRY = new RegExp(`^${HOST_PART}(\\.${HOST_PART})*(:\\d{1,5})?$`);
const SECRET = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RUNNER_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export async function ciGenerator(tree: Tree, schema: CiGeneratorSchema) {
  const fail = (option: string, expected: string, found: unknown): never => {
    throw optionError('nx g nx-cnb:ci', option, expected, found);
  };
  const rawPath = schema.path ?? CI_DEFAULTS.path;
  const path = posix.normalize(rawPath);
  if (!rawPath || path === '.' || path.startsWith('../') || path === '..' || path.startsWith('/') || !/\.ya?ml$/.test(path)) {
    fail('path', 'a file inside the workspace ending in .yml or .yaml', schema.path);
  }
  const options: WorkflowOptions = {
    mainBranch: schema.mainBranch ?? CI_DEFAULTS.mainBranch,
    nodeVersion: String(schema.nodeVersion ?? CI_DEFAULTS.nodeVersion),
    testCommand: (schema.testCommand ?? CI_DEFAULTS.testCommand).trim(),
    registry: schema.registry ?? CI_DEFAULTS.registry,
    usernameSecret: schema.usernameSecret,
    passwordSecret: schema.passwordSecret ?? CI_DEFAULTS.passwordSecret,
    nxCloud: schema.nxCloud ?? CI_DEFAULTS.nxCloud,
    runsOn: schema.runsOn ?? CI_DEFAULTS.runsOn,
    packageManager: tree.exists('pnpm-lock.yaml') ? 'pnpm' : tree.exists('yarn.lock') ? 'yarn' : 'npm',
    packVersion: versions.pack,
  };
  if (!isBranchName(options.mainBranch)) {
    fail(
      'mainBranch',
      'a branch name: letters, digits, ".", "_", "-" and "/" (no "..", no part starting with "." or "-" or ending in "." or ".lock")',
      schema.mainBranch,
    );
  }
  // nx g hands over --nodeVersion 22 as a number, and 22.10 as the number 22.1: only whole numbers are taken as they are.
  if (typeof schema.nodeVersion === 'number' && !Number.isInteger(schema.nodeVersion)) {
    fail(
      'nodeVersion',
      'a Node.js version like 20, 20.x, 22.11.x or 22.11.0 (the command line read a number: write 22.10.x rather than 22.10)',
      schema.nodeVersion,
    );
  }
  if (!NODE_VERSION.test(options.nodeVersion)) fail('nodeVersion', 'a Node.js version like 20, 20.x, 22.11.x or 22.11.0', schema.nodeVersion);
  if (!options.testCommand || hasControlCharacter(options.testCommand) || options.testCommand.includes('${{')) {
    fail('testCommand', 'a one-line shell command without ${{ }} expressions (pass secrets through env, not the command line)', schema.testCommand);
  }
  if (!REGISTRY.test(options.registry)) fail('registry', 'a registry host, optionally with a port, like ghcr.io or registry.example.com:5000', schema.registry);
  const secretName = 'a secret name: letters, digits and "_", not starting with a digit or with GITHUB_ (except GITHUB_TOKEN)';
  if (options.usernameSecret !== undefined && !isSecretName(options.usernameSecret)) fail('usernameSecret', secretName, schema.usernameSecret);
  if (!isSecretName(options.passwordSecret)) fail('passwordSecret', secretName, schema.passwordSecret);
  if (typeof options.nxCloud !== 'boolean') fail('nxCloud', 'true or false', schema.nxCloud);
  if (!RUNNER_LABEL.test(options.runsOn)) fail('runsOn', 'a runner label like ubuntu-latest or self-hosted', schema.runsOn);

  if (tree.exists(path)) throw new Error(`${path} already exists; nx-cnb will not overwrite it. Choose another --path.`);
  if (!path.startsWith('.github/workflows/') || path.split('/').length !== 3) {
    logger.warn(`${path} is not directly in .github/workflows/, so GitHub will not run it there.`);
  }
  tree.write(path, renderWorkflow(options));
  const publishTo = repositoryProblem(tree, options.registry);
  if (publishTo) logger.warn(publishTo);

  return () => {
    logger.info(
      `Workflow written to ${path}: pull requests build the affected stacks and builders and run "${options.testCommand}"; pushes to ${options.mainBranch} also run \`nx affected -t publish\` against ${options.registry}.`,
    );
    if (!options.usernameSecret && options.passwordSecret === 'GITHUB_TOKEN' && options.registry !== 'ghcr.io') {
      logger.warn(`${options.registry} will not accept the workflow's GITHUB_TOKEN; pass --usernameSecret and --passwordSecret naming repository secrets.`);
    }
  };
}

export default ciGenerator;

/** The names `git check-ref-format --branch` accepts, narrowed to characters that are no glob in a workflow's branches filter. */
function isBranchName(name: unknown): name is string {
  if (typeof name !== 'string' || !name || name.includes('..')) return false;
  return name.split('/').every((part) => /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(part) && !part.endsWith('.') && !part.endsWith('.lock'));
}

/** The publish target pushes to the image names the plugin option `repository` gives; the login must be for that registry. */
function repositoryProblem(tree: Tree, registry: string): string | undefined {
  const { repository } = readPluginOptions(tree);
  if (!repository) {
    return `nx.json gives nx-cnb no "repository" option, so image names carry no registry and \`nx affected -t publish\` would push to Docker Hub rather than ${registry}. Set it, e.g. { "plugin": "nx-cnb", "options": { "repository": "${registry}/<owner>" } }.`;
  }
  const host = registryHost(repository);
  return host === registry
    ? undefined
    : `nx.json's nx-cnb "repository" is ${repository}, on ${host}, but the workflow logs in to ${registry}; publish would push without those credentials.`;
}

function isSecretName(name: unknown): name is string {
  return typeof name === 'string' && SECRET.test(name) && (!/^GITHUB_/i.test(name) || name === 'GITHUB_TOKEN');
}
