import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readStack, Stack } from './stack';

/** Reads the stack at a workspace-relative root from disk. */
export function readStackFromDisk(workspaceRoot: string, root: string): Stack {
  return readStack(root, {
    read: (path) => {
      const full = join(workspaceRoot, root, path);
      try {
        return statSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
  });
}
