import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ExpectedError } from '../errors';
import { parseJson } from '../config/parse';
import { readTextFile } from './workspace-files';

/**
 * The environment under which Nx, run in another checkout of this workspace
 * (a temporary git worktree), restores tasks from this checkout's local cache.
 *
 * Nx 24 looks a task up in a database that indexes the cache folder (task
 * hash -> outputs), not in the folder itself: a checkout with another
 * database misses every entry, even when both name the same folder. By
 * default every checkout of a repository, worktrees included, shares the
 * folder and the database under ~/.nx/<workspace id>, and nothing needs
 * saying. A workspace that places its cache itself (NX_CACHE_DIRECTORY,
 * NX_WORKSPACE_DATA_DIRECTORY, nx.json's cacheDirectory), or whose cache Nx
 * keeps inside the checkout, has its database in its own workspace-data
 * folder: the other checkout is pointed at this checkout's folder and
 * database, both absolute.
 *
 * Either way the run is a fresh one: not part of this Nx process's chain of
 * invocations (Nx would take the image tasks this run already ran for a
 * recursive loop), and never told to skip the cache, which is all it reads.
 */
export function worktreeNxEnv(workspaceRoot: string, env: NodeJS.ProcessEnv, cacheDir: string): NodeJS.ProcessEnv {
  const { NX_INVOCATION_ANCESTOR_PIDS: _chain, NX_SKIP_NX_CACHE: _skip, ...rest } = env;
  const fresh: NodeJS.ProcessEnv = { ...rest, NX_DAEMON: 'false', NX_TUI: 'false' };
  const placed = env.NX_CACHE_DIRECTORY || env.NX_WORKSPACE_DATA_DIRECTORY || env.NX_PROJECT_GRAPH_CACHE_DIRECTORY || nxJsonCacheDirectory(workspaceRoot);
  if (!placed && !isInside(cacheDir, workspaceRoot)) return fresh;
  const workspaceData = env.NX_WORKSPACE_DATA_DIRECTORY || env.NX_PROJECT_GRAPH_CACHE_DIRECTORY || '.nx/workspace-data';
  return { ...fresh, NX_CACHE_DIRECTORY: cacheDir, NX_WORKSPACE_DATA_DIRECTORY: resolve(workspaceRoot, workspaceData) };
}

/** nx.json's cacheDirectory (or the default task runner's), as written; undefined when neither is set. */
function nxJsonCacheDirectory(workspaceRoot: string): string | undefined {
  const text = readTextFile(resolve(workspaceRoot, 'nx.json'));
  if (text === undefined) return undefined;
  const nxJson = parseJson('nx.json', text) as { cacheDirectory?: string; tasksRunnerOptions?: { default?: { options?: { cacheDirectory?: string } } } };
  return nxJson.cacheDirectory ?? nxJson.tasksRunnerOptions?.default?.options?.cacheDirectory;
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The nx CLI the workspace installs (node_modules/nx), to run with this Node.js. */
export function nxCli(workspaceRoot: string): string {
  const manifest = require.resolve('nx/package.json', { paths: [workspaceRoot] });
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { nx: string } }).bin.nx;
  return join(dirname(manifest), bin);
}

/** Runs the workspace's nx CLI there, its output shown as the task's own; a failure is one error. */
export async function runNx(workspaceRoot: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [nxCli(workspaceRoot), ...args], { cwd: workspaceRoot, stdio: 'inherit' });
  const code = await new Promise<number | null>((done, fail) => child.on('error', fail).on('close', done));
  if (code !== 0) throw new ExpectedError(`nx ${args.join(' ')} failed (exit ${code}); its output is above`);
}
