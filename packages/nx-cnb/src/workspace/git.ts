import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ExpectedError } from '../errors';

const run = promisify(execFile);

/** Runs git in the workspace (an argument array, no shell) and returns its output. */
export async function git(workspaceRoot: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd: workspaceRoot, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: string | number };
    if (err.code === 'ENOENT') throw new ExpectedError('git is not installed, and nx-cnb needs it to compare with another commit');
    const reason = (err.stderr ?? err.message).trim().split('\n')[0];
    throw new ExpectedError(`git ${args[0]} failed: ${reason}`, { cause: e });
  }
}

/** The commit a ref names, or an error that says the ref does not exist. */
export async function resolveCommit(workspaceRoot: string, ref: string, what: string): Promise<string> {
  if (ref.startsWith('-')) throw new ExpectedError(`${what}: ${JSON.stringify(ref)} is not a git ref`);
  try {
    return (await git(workspaceRoot, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch {
    throw new ExpectedError(
      `${what}: no commit named ${JSON.stringify(ref)} in this repository (a branch, tag or commit; fetch it first if it lives on a remote)`,
    );
  }
}

/** HEAD's commit, or undefined outside a git repository. */
export async function headCommit(workspaceRoot: string): Promise<string | undefined> {
  return git(workspaceRoot, ['rev-parse', '--verify', '--quiet', 'HEAD']).then(
    (out) => out.trim() || undefined,
    () => undefined,
  );
}

/** Tag names, or none outside a git repository. */
export async function tagNames(workspaceRoot: string): Promise<string[]> {
  return git(workspaceRoot, ['tag', '--list']).then(
    (out) => out.split('\n').filter(Boolean),
    () => [],
  );
}

/** Which of some paths changed between a commit and the working tree, and how: `git diff --name-status` and the patch. */
export async function changesSince(
  workspaceRoot: string,
  commit: string,
  paths: string[],
): Promise<{ files: { status: string; path: string }[]; patch: string }> {
  const names = await git(workspaceRoot, ['diff', '--name-status', '--no-renames', commit, '--', ...paths]);
  const files = names
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [status, path] = line.split('\t');
      return { status, path };
    });
  const patch = files.length ? await git(workspaceRoot, ['diff', '--no-renames', '--no-color', commit, '--', ...paths]) : '';
  return { files, patch };
}
