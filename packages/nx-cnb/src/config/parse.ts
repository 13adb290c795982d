import * as TOML from '@iarna/toml';
import { parse as parseJsonc, type ParseError, printParseErrorCode } from 'jsonc-parser';
import { ConfigError } from '../errors';

export type Table = Record<string, unknown>;

// Configuration files are small; anything larger is a mistake or an attack, not a stack.
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Refuses what is not a configuration file before a parser chews on it. */
function checkText(file: string, text: string): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_BYTES) throw new ConfigError(file, '(file)', `a file of at most ${MAX_CONFIG_BYTES} bytes`, `${bytes} bytes`);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new ConfigError(file, '(file)', 'a text file', `binary data (a NUL byte at offset ${nul})`);
}

/** What a parser said, fit to show: one line, printable, not too long. */
function reasonOf(message: string): string {
  const line = message.split('\n')[0].replace(/[^\x20-\x7e]/g, '?');
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/**
 * The text as a parser should see it: without a UTF-8 byte order mark and with
 * LF line ends. Editors on Windows save both, pack and jam (Go's TOML reader)
 * accept both, and the TOML module here rejects a comment that ends in CRLF and
 * any BOM. Line numbers stay the same.
 */
export function normalizeText(text: string): string {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n/g, '\n');
}

/** Parses TOML text, turning a syntax error into one that names file and line. */
export function parseToml(file: string, text: string): Table {
  checkText(file, text);
  try {
    return TOML.parse(normalizeText(text)) as Table;
  } catch (e) {
    const err = e as { line?: number; col?: number; message: string };
    const where = err.line !== undefined ? `line ${err.line + 1}, column ${(err.col ?? 0) + 1}` : 'the file';
    // The parser repeats the position the field already gives.
    throw new ConfigError(file, `(syntax at ${where})`, 'valid TOML', reasonOf(err.message.replace(/ at row \d+, col \d+, pos \d+:?/, '')));
  }
}

/** Parses JSON text, turning a syntax error into one that names file, line and column. */
export function parseJson(file: string, raw: string): unknown {
  checkText(file, raw);
  const text = normalizeText(raw);
  try {
    return JSON.parse(text);
  } catch (e) {
    // JSON.parse does not always say where; jsonc-parser does, with comments and trailing commas disallowed.
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    if (!first) throw new ConfigError(file, '(syntax)', 'valid JSON', reasonOf((e as Error).message));
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    throw new ConfigError(file, `(syntax at line ${line}, column ${column})`, 'valid JSON', printParseErrorCode(first.error));
  }
}

/**
 * What a file holds when it parses, or undefined when it does not: for
 * deciding whether a file is nx-cnb's at all before reading it strictly.
 */
export function parseLoosely(format: 'toml' | 'json', text: string): unknown {
  try {
    return format === 'toml' ? TOML.parse(normalizeText(text)) : JSON.parse(normalizeText(text));
  } catch {
    return undefined;
  }
}

/** Whether text holds a control character (a newline, NUL, DEL...), which one line of a generated file cannot carry. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A TOML basic string: JSON's escapes are TOML's, except that TOML wants DEL escaped too. */
export function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\u007f/g, '\\u007F');
}
