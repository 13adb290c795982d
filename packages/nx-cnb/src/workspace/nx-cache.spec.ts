import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { worktreeNxEnv } from './nx-cache';

describe('worktreeNxEnv', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nx-cnb-nx-cache-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const parent = { PATH: '/usr/bin', NX_INVOCATION_ANCESTOR_PIDS: '11,12', NX_SKIP_NX_CACHE: 'true', NX_DAEMON: 'true' };

  it('leaves the shared per-user cache of every checkout to Nx, in a fresh invocation that reads the cache', () => {
    writeFileSync(join(root, 'nx.json'), '{}');
    expect(worktreeNxEnv(root, parent, '/root/.nx/0123456789abcdef/cache')).toEqual({ PATH: '/usr/bin', NX_DAEMON: 'false', NX_TUI: 'false' });
  });

  it('points the worktree at the cache and database of a checkout that keeps them itself', () => {
    writeFileSync(join(root, 'nx.json'), '{"cacheDirectory": ".nx/cache"}');
    expect(worktreeNxEnv(root, parent, join(root, '.nx/cache'))).toEqual({
      PATH: '/usr/bin',
      NX_DAEMON: 'false',
      NX_TUI: 'false',
      NX_CACHE_DIRECTORY: join(root, '.nx/cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx/workspace-data'),
    });
  });

  it('keeps the folders the environment names, made absolute', () => {
    const env = { NX_CACHE_DIRECTORY: '/var/cache/nx', NX_WORKSPACE_DATA_DIRECTORY: 'data' };
    expect(worktreeNxEnv(root, env, '/var/cache/nx')).toMatchObject({ NX_CACHE_DIRECTORY: '/var/cache/nx', NX_WORKSPACE_DATA_DIRECTORY: join(root, 'data') });
  });

  it('treats a cache Nx keeps inside the checkout as the checkout own', () => {
    expect(worktreeNxEnv(root, {}, join(root, '.nx/cache'))).toMatchObject({ NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx/workspace-data') });
  });
});
