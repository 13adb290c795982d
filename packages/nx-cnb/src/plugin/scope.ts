import { join, posix } from 'node:path';
import { looksLikeBuilderToml } from '../builder/builder-toml';
import { looksLikeImagesJson } from '../stack/images-json';
import { looksLikeStackToml } from '../stack/stack-toml';
import { readTextFile } from '../workspace/workspace-files';

// Folders that hold test inputs by convention (Go's testdata, pack's and jam's
// fixtures, JavaScript's __fixtures__): their files are often broken on purpose.
export const TEST_DATA_FOLDERS = ['testdata', 'test-data', 'test_data', 'fixtures', '__fixtures__'];

/**
 * Why a file the glob matched is not nx-cnb's, or undefined when it is: it
 * lies in a test-data folder, or it is another program's file of the same
 * name (a web app's images.json listing pictures). Such files are skipped,
 * never reported as errors.
 */
export function notNxCnbFile(workspaceRoot: string, file: string): string | undefined {
  const folder = posix
    .dirname(file)
    .split('/')
    .find((part) => TEST_DATA_FOLDERS.includes(part));
  if (folder) return `it is under a test-data folder (${folder}/)`;
  const looksRight = { 'images.json': looksLikeImagesJson, 'stack.toml': looksLikeStackToml, 'builder.toml': looksLikeBuilderToml }[posix.basename(file)];
  if (!looksRight) return undefined;
  const text = readTextFile(join(workspaceRoot, file));
  if (text === undefined) return 'it cannot be read';
  return looksRight(text) ? undefined : `it has none of the keys of a CNB ${posix.basename(file)}`;
}
