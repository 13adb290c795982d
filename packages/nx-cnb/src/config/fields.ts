import { ConfigError, describeValue } from '../errors';
import type { Table } from './parse';

/**
 * Typed access to one table of a parsed file. Each getter checks the type and
 * reports the dotted path of the field, so callers stay short and errors stay
 * precise.
 */
export class Fields {
  /**
   * `ignoredKeys` collects unknown keys instead of refusing them, for files
   * whose readers ignore what they do not know (pack reads buildpack.toml so).
   */
  constructor(
    readonly file: string,
    readonly path: string,
    readonly table: Table,
    private readonly ignoredKeys?: string[],
  ) {}

  static root(file: string, value: unknown, expected = 'a table', ignoredKeys?: string[]): Fields {
    if (!isTable(value)) throw new ConfigError(file, '(root)', expected, describeValue(value));
    return new Fields(file, '', value, ignoredKeys);
  }

  name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  error(key: string, expected: string, found: unknown = this.table[key]): ConfigError {
    return new ConfigError(this.file, this.name(key), expected, describeValue(found));
  }

  /** Rejects any key not in `known`, as pack does for builder.toml (or records it, when unknown keys are ignored). */
  onlyKeys(known: readonly string[]): void {
    for (const key of Object.keys(this.table)) {
      if (known.includes(key)) continue;
      const error = new ConfigError(this.file, this.name(key), `one of the known keys (${known.join(', ')})`, 'an unknown key');
      if (!this.ignoredKeys) throw error;
      this.ignoredKeys.push(`${error.message}, which pack ignores`);
    }
  }

  has(key: string): boolean {
    return this.table[key] !== undefined;
  }

  optionalString(key: string): string | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.error(key, 'a string');
    return v;
  }

  string(key: string, expected = 'a non-empty string'): string {
    const v = this.optionalString(key);
    if (v === undefined || v === '') throw this.error(key, expected);
    return v;
  }

  optionalInteger(key: string): number | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.error(key, 'an integer');
    return v;
  }

  optionalBoolean(key: string): boolean | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.error(key, 'true or false');
    return v;
  }

  optionalStringArray(key: string): string[] | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw this.error(key, 'an array of strings');
    return v as string[];
  }

  optionalTable(key: string): Fields | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    if (!isTable(v)) throw this.error(key, 'a table');
    return new Fields(this.file, this.name(key), v, this.ignoredKeys);
  }

  /** An array of tables, such as TOML's [[x]] or a JSON array of objects. */
  optionalTables(key: string): Fields[] | undefined {
    const v = this.table[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw this.error(key, 'an array of tables');
    return v.map((item, i) => {
      const name = `${this.name(key)}[${i}]`;
      if (!isTable(item)) throw new ConfigError(this.file, name, 'a table', describeValue(item));
      return new Fields(this.file, name, item, this.ignoredKeys);
    });
  }

  /** A table whose values are all strings, such as [build.args]. */
  optionalStringMap(key: string): Record<string, string> | undefined {
    const t = this.optionalTable(key);
    if (!t) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(t.table)) {
      if (typeof v !== 'string') throw t.error(k, 'a string');
      out[k] = v;
    }
    return out;
  }
}

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
