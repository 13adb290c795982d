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
  # Twice a day, ask the distro's mirror for package updates (the check-updates job).
  schedule:
    - cron: '17 5,17 * * *'
  workflow_dispatch:

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
    if: github.event_name == 'pull_request' || github.event_name == 'push'
    runs-on: ${yamlString(o.runsOn)}
    permissions:
      contents: read
      # nrwl/nx-set-shas reads this workflow's past runs through the GitHub API.
      actions: read
${packages}    defaults:
      run:
        shell: bash
    steps:
${setupSteps(o)}      - name: Build the affected stacks and builders
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

  # Each stack's packages.lock.json records the versions the mirror offers; it is an input of the stack's
  # image tasks. When the mirror has newer packages, this job commits the new locks and builds and publishes
  # what they reach (a push made with the workflow's token starts no other workflow, so it does that itself).
  # Every stack needs a committed lock first: nx run-many -t check-updates --write, after a build.
  check-updates:
    name: Package updates from the distro mirror
    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
    runs-on: ${yamlString(o.runsOn)}
    permissions:
      contents: write
      actions: read
${packages}    defaults:
      run:
        shell: bash
    steps:
${setupSteps(o)}      - name: Ask the mirror for updates and record them in the locks
        run: npx nx run-many -t check-updates --write

      - name: Commit the changed locks
        id: locks
        run: |
          if git diff --quiet -- ':(glob)**/packages.lock.json'; then
            echo "No package updates."
            exit 0
          fi
          git config user.name 'github-actions[bot]'
          git config user.email '41898282+github-actions[bot]@users.noreply.github.com'
          git add -- ':(glob)**/packages.lock.json'
          git commit -m 'Package updates from the distro mirror'
          git push
          echo 'changed=true' >>"$GITHUB_OUTPUT"

      - name: Build the stacks and builders the locks reach
        if: steps.locks.outputs.changed == 'true'
        run: npx nx affected -t build-image create-builder create-builder-buildpackless --base=HEAD~1 --head=HEAD

      - name: Log in to ${o.registry}
        if: steps.locks.outputs.changed == 'true'
        uses: docker/login-action@v3
        with:
          registry: ${yamlString(o.registry)}
          username: ${username}
          password: \${{ secrets.${o.passwordSecret} }}

      - name: Publish them
        if: steps.locks.outputs.changed == 'true'
        run: npx nx affected -t publish --base=HEAD~1 --head=HEAD
`;
}

/** Checkout, Node.js and the dependencies, base and head for nx affected, QEMU and pack: what every job starts with. */
function setupSteps(o: WorkflowOptions): string {
  return `      - name: Check out with full history (nx affected compares commits)
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

`;
}
