/**
 * The small Dockerfile that decorates a built stack image. Labels and env go
 * into one LABEL and one ENV instruction: the classic builder commits an
 * image per instruction, and labels passed through the build API become one
 * LABEL step each (about 50 ms apiece, 20 labels per image).
 */

import { hasControlCharacter } from '../config/parse';

/** Longest value written into the Dockerfile; longer ones (a legacy package list) stay with the API. */
const MAX_DOCKERFILE_VALUE = 4096;
/** Keys written bare; any other key (with "=" or a space, say) stays with the API. */
const PLAIN_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export interface DecorateDockerfile {
  dockerfile: string;
  /** Labels a Dockerfile line cannot carry as they are, passed through the build API instead. */
  apiLabels: Record<string, string>;
}

export function decorateDockerfile(from: string, layer: string, env: Record<string, string>, labels: Record<string, string>, user: string): DecorateDockerfile {
  const apiLabels: Record<string, string> = {};
  const inline: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (PLAIN_KEY.test(key) && fitsDockerfile(value)) inline.push(`${key}=${quoted(value)}`);
    else apiLabels[key] = value;
  }
  const pairs = Object.entries(env).map(([key, value]) => {
    // nx-cnb sets these itself (ids, the stack id, PATH); a bad one is a bug here, not a user's input.
    if (!PLAIN_KEY.test(key) || !fitsDockerfile(value)) throw new Error(`env ${key}: cannot be written as a Dockerfile ENV, found ${JSON.stringify(value)}`);
    return `${key}=${quoted(value)}`;
  });
  const lines = [`FROM ${from}`, `ADD ${layer} /`];
  if (pairs.length) lines.push(`ENV ${pairs.join(' ')}`);
  if (inline.length) lines.push(`LABEL ${inline.join(' ')}`);
  lines.push(`USER ${user}`, '');
  return { dockerfile: lines.join('\n'), apiLabels };
}

/** A double-quoted Dockerfile word: backslash, quote and `$` escaped, so no variable is expanded. */
export function quoted(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

/** Control characters (a newline ends the instruction) and very long values cannot go on one line. */
function fitsDockerfile(value: string): boolean {
  return value.length <= MAX_DOCKERFILE_VALUE && !hasControlCharacter(value);
}
