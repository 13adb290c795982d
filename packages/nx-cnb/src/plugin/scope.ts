import { posix } from 'node:path';
import { looksLikeBuilderToml } from '../builder/builder-toml';
import { looksLikeImagesJson } from '../stack/images-json';
import { IMAGES_JSON } from '../stack/stack';
import { looksLikeStackToml } from '../stack/stack-toml';

/** Reads a workspace-relative file: from disk in inference, from the tree in generators; undefined when absent. */
export type ReadFile = (path: string) => string | undefined;

// Folders that hold test inputs by convention (Go's testdata, pack's and jam's
// fixtures, JavaScript's __fixtures__): their files are often broken on purpose.
export const TEST_DATA_FOLDERS = ['testdata', 'test-data', 'test_data', 'fixtures', '__fixtures__'];

/** The test-data folder a path lies in, if any. */
export function testDataFolder(path: string): string | undefined {
  return path.split('/').find((part) => TEST_DATA_FOLDERS.includes(part));
}

/**
 * Why a file the glob matched is not nx-cnb's, or undefined when it is: it
 * lies in a test-data folder, or it is another program's file of the same
 * name (a web app's images.json listing pictures). Such files are skipped,
 * never reported as errors.
 */
export function notNxCnbFile(file: string, read: ReadFile): string | undefined {
  const folder = testDataFolder(posix.dirname(file));
  if (folder) return `it is under a test-data folder (${folder}/)`;
  const looksRight = { 'images.json': looksLikeImagesJson, 'stack.toml': looksLikeStackToml, 'builder.toml': looksLikeBuilderToml }[posix.basename(file)];
  if (!looksRight) return undefined;
  const text = read(file);
  if (text === undefined) return 'it cannot be read';
  return looksRight(text) ? undefined : `it has none of the keys of a CNB ${posix.basename(file)}`;
}

/** Whether a stack.toml lies under a folder with Paketo's images.json, which makes it part of that stack rather than one of its own. */
export function underPaketoStack(file: string, read: ReadFile): boolean {
  for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
    const imagesJson = posix.join(dir, IMAGES_JSON);
    if (read(imagesJson) !== undefined && !notNxCnbFile(imagesJson, read)) return true;
    if (dir === '.' || dir === posix.dirname(dir)) return false;
  }
}
