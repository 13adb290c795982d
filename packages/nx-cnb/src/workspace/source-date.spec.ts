import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceDate } from './source-date';

describe('sourceDate', () => {
  let root: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      env: {
        ...process.env,
        GIT_AUTHOR_DATE: '2025-03-04T05:06:07Z',
        GIT_COMMITTER_DATE: '2025-03-04T05:06:07Z',
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-cnb-source-date-'));
    mkdirSync(join(root, 'stacks/acme'), { recursive: true });
    writeFileSync(join(root, 'stacks/acme/stack.toml'), 'id = "x"\n');
    utimesSync(join(root, 'stacks/acme/stack.toml'), new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('takes SOURCE_DATE_EPOCH first', () => {
    expect(sourceDate(root, 'stacks/acme', { SOURCE_DATE_EPOCH: '1700000000' }).toISOString()).toBe('2023-11-14T22:13:20.000Z');
  });

  it('refuses a SOURCE_DATE_EPOCH that is no number of seconds', () => {
    expect(() => sourceDate(root, 'stacks/acme', { SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      'SOURCE_DATE_EPOCH: (environment): expected seconds since 1970 as a whole number, found "yesterday"',
    );
  });

  it('takes the newest file outside git', () => {
    expect(sourceDate(root, 'stacks/acme', {}).toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('takes the last commit of the stack folder in a clean git checkout, and the files when it has changes', () => {
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'stack');
    expect(sourceDate(root, 'stacks/acme', {}).toISOString()).toBe('2025-03-04T05:06:07.000Z');
    writeFileSync(join(root, 'stacks/acme/stack.toml'), 'id = "y"\n');
    utimesSync(join(root, 'stacks/acme/stack.toml'), new Date('2026-02-02T00:00:00Z'), new Date('2026-02-02T00:00:00Z'));
    expect(sourceDate(root, 'stacks/acme', {}).toISOString()).toBe('2026-02-02T00:00:00.000Z');
  });
});
