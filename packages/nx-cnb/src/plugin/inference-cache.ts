/**
 * What inference made of the workspace's files, kept on disk between Nx
 * processes as Nx's own plugins keep theirs (every `nx` command without the
 * daemon starts a fresh plugin worker): reused while the plugin's code and
 * options, the files Nx matched and every file inference read are the same.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { ReadTextFile } from '../workspace/workspace-files';

/** One inference, as stored: the key it was made under, each file read with its text's digest, the warnings given, the result. */
interface Stored<T> {
  key: string;
  reads: [string, string | null][];
  warnings: string[];
  result: T;
}

/** What an inference did: its result and the warnings it gave, in order. */
export interface Inference<T> {
  result: T;
  warnings: string[];
}

const digest = (text: string | undefined) => (text === undefined ? null : createHash('sha1').update(text).digest('hex'));

/**
 * The stored inference when it was made under the same key and every file
 * it read reads the same; otherwise runs `infer` (reading through a reader
 * that notes each file) and stores what it made. A cache file that cannot be
 * read or written only costs the time.
 */
export function cachedInference<T>(
  cacheFile: string,
  key: string,
  read: ReadTextFile,
  infer: (read: ReadTextFile, warn: (message: string) => void) => T,
): Inference<T> & { fromCache: boolean } {
  const stored = readStored<T>(cacheFile);
  if (stored?.key === key && stored.reads.every(([path, text]) => digest(read(path)) === text)) {
    return { result: stored.result, warnings: stored.warnings, fromCache: true };
  }
  const reads = new Map<string, string | null>();
  const noting: ReadTextFile = (path) => {
    const text = read(path);
    reads.set(path, digest(text));
    return text;
  };
  const warnings: string[] = [];
  const result = infer(noting, (message) => warnings.push(message));
  writeStored(cacheFile, { key, reads: [...reads], warnings, result });
  return { result, warnings, fromCache: false };
}

function readStored<T>(file: string): Stored<T> | undefined {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Stored<T>;
    return typeof stored.key === 'string' && Array.isArray(stored.reads) && Array.isArray(stored.warnings) ? stored : undefined;
  } catch {
    return undefined; // none yet, or cut short: inference runs
  }
}

function writeStored<T>(file: string, stored: Stored<T>): void {
  // Written aside and renamed, so a reader in another process never sees half a file.
  const partial = `${file}.${process.pid}.partial`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(partial, JSON.stringify(stored));
    renameSync(partial, file);
  } catch {
    // A read-only workspace: the next process infers again.
  }
}

/** A digest of key parts, for cache keys and file names. */
export function keyOf(...parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

let codeStamp: string | undefined;

/**
 * Names the plugin's code as loaded in this process: each of its modules'
 * path, size and modification time. A plugin upgraded, or edited in its own
 * workspace, makes inference run again.
 */
export function pluginCodeStamp(): string {
  if (codeStamp === undefined) {
    const packageRoot = join(__dirname, '..', '..') + sep;
    const modules = Object.keys(require.cache)
      .filter((path) => path.startsWith(packageRoot))
      .sort();
    codeStamp = keyOf(
      modules.map((path) => {
        try {
          const { size, mtimeMs } = statSync(path);
          return [path, size, mtimeMs];
        } catch {
          return [path];
        }
      }),
    );
  }
  return codeStamp;
}
