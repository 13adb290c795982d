import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes a file in a test's folder, making the folders on its path. */
export function writeFileIn(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** The smallest lone stack.toml: a build and a run image from build.Dockerfile and run.Dockerfile, with the run image's args. */
export function loneStackToml(id: string, options: { platforms?: string[]; runArgs?: Record<string, string> } = {}): string {
  const platforms = options.platforms ? `platforms = ${JSON.stringify(options.platforms)}\n` : '';
  const args = Object.entries(options.runArgs ?? {});
  return (
    `id = "${id}"\n${platforms}[build]\n  dockerfile = "./build.Dockerfile"\n  uid = 1001\n  gid = 1000\n` +
    `[run]\n  dockerfile = "./run.Dockerfile"\n  uid = 1002\n  gid = 1000\n` +
    (args.length ? `  [run.args]\n${args.map(([k, v]) => `    ${k} = ${JSON.stringify(v)}\n`).join('')}` : '')
  );
}
