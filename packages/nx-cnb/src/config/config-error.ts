/**
 * A problem in a user's file. Every message names the file, the field, what
 * was expected and what was found, so the user can fix it without guessing.
 */
export class ConfigError extends Error {
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
export class ConfigErrors extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}

/** A human-readable rendering of a value found in a file. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${JSON.stringify(value)})`;
  if (typeof value === 'object') return 'a table';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
