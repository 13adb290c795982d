/**
 * The failures nx-cnb expects: a user's input that is wrong, or a part
 * outside it (the engine, pack, a registry) that is missing or failed. Their
 * messages say all a user needs, so they are shown without a stack trace;
 * any other error is a bug in nx-cnb and is shown with one.
 */
export class ExpectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExpectedError';
  }
}

/**
 * A problem in a user's file or option. Every message names the file, the
 * field, what was expected and what was found, so the user can fix it
 * without guessing.
 */
export class ConfigError extends ExpectedError {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}: ${field}: expected ${expected}, found ${found}`);
    this.name = 'ConfigError';
  }
}

/** Several problems found in one pass, reported together. */
export class ConfigErrors extends ExpectedError {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}

/** A human-readable rendering of a value found in a file. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${JSON.stringify(value)})`;
  if (typeof value === 'object') return 'a table';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

/**
 * Errors that come from the machine rather than from nx-cnb's code: a system
 * call that failed (ENOSPC, ECONNRESET) or an engine that answered with an
 * HTTP error. They deserve a message in context, not a stack trace.
 */
export function isEnvironmental(error: unknown): error is Error & { code?: string; statusCode?: number } {
  if (!(error instanceof Error)) return false;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || typeof statusCode === 'number';
}

/**
 * Runs one named step of a task. An environmental error gains the step's
 * name, so "no space left on device" says what was being done; expected
 * errors already say where they come from and pass through; a bug keeps its
 * stack.
 */
export async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isEnvironmental(e)) throw new ExpectedError(`${name}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** A bad option of a command, such as `nx g nx-cnb:stack --name`. */
export function optionError(command: string, option: string, expected: string, found: unknown): ConfigError {
  return new ConfigError(command, `--${option}`, expected, JSON.stringify(found) ?? 'nothing');
}
