/** The validated options the workflow is written from. */
export interface WorkflowOptions {
  mainBranch: string;
  nodeVersion: string;
  testCommand: string;
  registry: string;
  /** Secret names; no usernameSecret means github.actor. */
  usernameSecret?: string;
  passwordSecret: string;
  nxCloud: boolean;
  runsOn: string;
  /** The package manager whose lock file the workspace holds. */
  packageManager: 'npm' | 'yarn' | 'pnpm';
  packVersion: string;
}

const INSTALL = { npm: 'npm ci', yarn: 'yarn install --frozen-lockfile', pnpm: 'pnpm install --frozen-lockfile' } as const;

/** A YAML single-quoted scalar, so that values like 20 or 1.0 stay strings. */
const yamlString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * The GitHub Actions workflow text. Written by hand rather than through a YAML library so that it
 * keeps its comments and reads like a workflow someone wrote; generator.spec.ts parses it back.
 */
export function renderWorkflow(o: WorkflowOptions): string {
  const onMain = `github.event_name == 'push' && github.ref == ${yamlString(`refs/heads/${o.mainBranch}`)}`;
  const username = o.usernameSecret ? `\${{ secrets.${o.usernameSecret} }}` : '${{ github.actor }}';
  // ghcr.io takes the workflow's own token when it may write packages; other registries need none of it.
  const packages = o.registry === 'ghcr.io' && o.passwordSecret === 'GITHUB_TOKEN' ? '      packages: write\n' : '';
  const cloud = o.nxCloud
    ? '  # Nx Cloud is on: the workspace connects through nx.json (nxCloudId), or add NX_CLOUD_ACCESS_TOKEN here from a secret.\n'
    : '  NX_NO_CLOUD: true\n';

  return `# Written by \`nx g nx-cnb:ci\`; edit freely.
# Pull requests: build the stacks and builders a change reaches, then run the tests.
# Pushes to ${o.mainBranch}: build them, then publish them to ${o.registry}.
name: nx-cnb

on:
  pull_request:
  push:
    branches:
      - ${yamlString(o.mainBranch)}

# One run per branch or pull request; a newer commit cancels a pull request's run, never a publish.
concurrency:
  group: nx-cnb-\${{ github.ref }}
  cancel-in-progress: \${{ github.event_name == 'pull_request' }}

env:
  CI: true
${cloud}
jobs:
  build:
    name: Build, test and publish stacks and builders
    runs-on: ${yamlString(o.runsOn)}
    permissions:
      contents: read
      # nrwl/nx-set-shas reads this workflow's past runs through the GitHub API.
      actions: read
${packages}    defaults:
      run:
        shell: bash
    steps:
      - name: Check out with full history (nx affected compares commits)
        uses: actions/checkout@v4
        with:
          fetch-depth: 0

${o.packageManager === 'pnpm' ? '      # The pnpm version comes from the packageManager field of package.json.\n      - name: Set up pnpm\n        uses: pnpm/action-setup@v4\n\n' : ''}      - name: Set up Node.js
        uses: actions/setup-node@v4
        with:
          node-version: ${yamlString(o.nodeVersion)}
          cache: ${o.packageManager}

      - name: Install dependencies
        run: ${INSTALL[o.packageManager]}

      # Base and head for nx affected come from nrwl/nx-set-shas rather than a shell step: on ${o.mainBranch}
      # the base is the commit of this workflow's last successful run there, which only the GitHub
      # API knows (a shell step would have to reimplement that lookup). On a pull request the base
      # is the merge base of HEAD with the pull request's base branch (github.base_ref). The action
      # exports NX_BASE and NX_HEAD, which nx affected reads, for every later step.
      - name: Set base and head for nx affected
        uses: nrwl/nx-set-shas@v4
        with:
          main-branch-name: \${{ github.base_ref || ${yamlString(o.mainBranch)} }}

      # GitHub's hosted runners ship Docker Engine, which nx-cnb builds with (a self-hosted runner
      # needs one, or DOCKER_HOST pointing at one). QEMU lets it build the other platforms a stack lists.
      - name: Set up QEMU
        uses: docker/setup-qemu-action@v3

      # create-builder runs pack; the lifecycle it needs is downloaded by pack, the base images pulled by Docker.
      - name: Set up pack
        uses: buildpacks/github-actions/setup-pack@v6.1.0
        with:
          pack-version: ${yamlString(o.packVersion)}

      - name: Build the affected stacks and builders
        run: npx nx affected -t build-image create-builder create-builder-buildpackless

      - name: Test
        if: github.event_name == 'pull_request'
        run: |
          ${o.testCommand}

      - name: Log in to ${o.registry}
        if: ${onMain}
        uses: docker/login-action@v3
        with:
          registry: ${yamlString(o.registry)}
          username: ${username}
          password: \${{ secrets.${o.passwordSecret} }}

      - name: Publish the affected stacks and builders
        if: ${onMain}
        run: npx nx affected -t publish
`;
}
