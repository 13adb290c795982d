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

/**
 * Paketo's ubi-10-base-images layout: stacks/stack/images.json names its
 * config_dirs "stacks/stack" and "stacks/stack-nodejs-22", from the repository root.
 */
export const UBI_IMAGES_JSON = JSON.stringify({
  os_codename: 'ubi10',
  images: [
    {
      name: 'default',
      config_dir: 'stacks/stack',
      create_build_image: true,
      stack_type: 'base',
      pattern_image_registry_name: 'build_image_run_image-os_codename',
    },
    {
      name: 'nodejs-22',
      config_dir: 'stacks/stack-nodejs-22',
      run_image: 'run-nodejs-22',
      stack_type: 'base',
      pattern_image_registry_name: 'build_image_run_image-os_codename',
    },
  ],
});
