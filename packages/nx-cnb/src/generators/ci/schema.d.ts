export interface CiGeneratorSchema {
  /** Where to write the workflow, relative to the workspace. Default: .github/workflows/nx-cnb.yml. */
  path?: string;
  /** The branch that pushes publish from and pull requests usually target. Default: main. */
  mainBranch?: string;
  /** actions/setup-node's node-version: 20, 20.x, 22.11.x or 22.11.0. Default: 20. A number when the command line parsed one (nx g reads 22 as 22). */
  nodeVersion?: string | number;
  /** One shell line run on pull requests after the build. Default: npx nx affected -t test. */
  testCommand?: string;
  /** Registry that `nx affected -t publish` pushes to, for docker/login-action. Default: ghcr.io. */
  registry?: string;
  /** Secret holding the registry user name. Default: none, the user is github.actor. */
  usernameSecret?: string;
  /** Secret holding the registry password or token. Default: GITHUB_TOKEN. */
  passwordSecret?: string;
  /** Keep Nx Cloud on (no NX_NO_CLOUD). Default: false. */
  nxCloud?: boolean;
  /** The runner label of the job. Default: ubuntu-latest. */
  runsOn?: string;
}
