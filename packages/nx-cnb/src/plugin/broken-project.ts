import { logger, type TargetConfiguration } from '@nx/devkit';
import type { ConfigErrorExecutorOptions } from '../executors/config-error/schema';
import { ExpectedError } from '../errors';

/**
 * The message of a problem found while reading a project's files. Expected
 * problems already name file, field, expected and found; anything else is a
 * bug in nx-cnb and says so, still on one line and naming the file.
 */
export function problemMessage(file: string, error: unknown): string {
  if (error instanceof ExpectedError) return error.message;
  const reason = error instanceof Error ? error.message : String(error);
  return `${file}: (file): expected a file nx-cnb can read, found one it failed on (a bug in nx-cnb; please report it): ${reason.split('\n')[0]}`;
}

/** One line for a warning: the first problem, and how many more the targets will list. */
export function oneLine(message: string): string {
  const [first, ...rest] = message.split('\n');
  return rest.length ? `${first} (and ${rest.length} more; run a target of the project to see them all)` : first;
}

/**
 * Targets for a project whose files nx-cnb could not read: each fails with
 * the problem when run, so the project stays in the graph and the rest of
 * the workspace keeps working.
 */
export function brokenTargets(names: string[], message: string): Record<string, TargetConfiguration> {
  const options: ConfigErrorExecutorOptions = { message };
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        executor: 'nx-cnb:config-error',
        options,
        cache: false,
        metadata: { description: `Fails until this is fixed: ${oneLine(message)}` },
      },
    ]),
  );
}

// Nx may compute the graph more than once in one process (a generator, then its formatting).
const warned = new Set<string>();

/** Warns once per process about a problem, on one line. */
export function warnOnce(message: string): void {
  const line = oneLine(message);
  if (warned.has(line)) return;
  warned.add(line);
  logger.warn(line);
}

/** For tests: forget which problems were reported. */
export function forgetWarnings(): void {
  warned.clear();
}
