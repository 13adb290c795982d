/**
 * The date a stack's images call their release (io.buildpacks.base.released):
 * taken from the inputs, not the clock, so that building unchanged inputs
 * again gives the same labels, hence the same image IDs, and one build of a
 * stack stamps every image with the same date.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors';

/**
 * SOURCE_DATE_EPOCH when set (the reproducible-builds convention, which CI
 * systems set from the commit); else, in a git checkout whose stack folder
 * has no uncommitted change, the time of the last commit that touched it;
 * else the newest modification time of the stack's files.
 */
export function sourceDate(workspaceRoot: string, stackRoot: string, env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new ConfigError('SOURCE_DATE_EPOCH', '(environment)', 'seconds since 1970 as a whole number', JSON.stringify(epoch));
    return new Date(Number(epoch) * 1000);
  }
  return lastCommitDate(workspaceRoot, stackRoot) ?? newestModification(join(workspaceRoot, stackRoot));
}

function lastCommitDate(workspaceRoot: string, stackRoot: string): Date | undefined {
  const git = (...args: string[]) => execFileSync('git', ['-C', workspaceRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    if (git('status', '--porcelain', '--', stackRoot) !== '') return undefined;
    const seconds = git('log', '-1', '--format=%ct', '--', stackRoot);
    return seconds ? new Date(Number(seconds) * 1000) : undefined;
  } catch {
    return undefined; // not a git checkout, or no git
  }
}

function newestModification(dir: string): Date {
  let newest = 0;
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) newest = Math.max(newest, Math.floor(statSync(full).mtimeMs / 1000) * 1000);
    }
  };
  visit(dir);
  return new Date(newest);
}
