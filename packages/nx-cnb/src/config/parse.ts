import * as TOML from '@iarna/toml';
import { parse as parseJsonc, ParseError, printParseErrorCode } from 'jsonc-parser';
import { ConfigError } from './config-error';

export type Table = Record<string, unknown>;

/** Parses TOML text, turning a syntax error into one that names file and line. */
export function parseToml(file: string, text: string): Table {
  try {
    return TOML.parse(text) as Table;
  } catch (e) {
    const err = e as { line?: number; col?: number; message: string };
    const where = err.line !== undefined ? `line ${err.line + 1}, column ${(err.col ?? 0) + 1}` : 'the file';
    const reason = err.message.split('\n')[0];
    throw new ConfigError(file, `(syntax at ${where})`, 'valid TOML', reason);
  }
}

/** Parses JSON text, turning a syntax error into one that names file, line and column. */
export function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // JSON.parse does not always say where; jsonc-parser does, with comments and trailing commas disallowed.
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    if (!first) throw new ConfigError(file, '(syntax)', 'valid JSON', (e as Error).message);
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    throw new ConfigError(file, `(syntax at line ${line}, column ${column})`, 'valid JSON', printParseErrorCode(first.error));
  }
}
