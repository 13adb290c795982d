/**
 * Writes an OCI image index over per-platform images already pushed to the
 * same repository, with the plugin's own registry client:
 *
 *   node -r @swc-node/register tools/registry-index.ts 127.0.0.1:5000/nx-cnb/debian:bookworm \
 *     linux/amd64=127.0.0.1:5000/nx-cnb/debian:bookworm-linux-amd64 linux/arm64=...
 *
 * Prints the index digest. Used by tools/base-image.sh for the multi-platform base image.
 */
import { registryAuth } from '../packages/nx-cnb/src/engine/registry-auth';
import { putIndex, RegistryClient } from '../packages/nx-cnb/src/registry/registry-client';

async function main(args: string[]): Promise<void> {
  const [reference, ...pairs] = args;
  if (!reference || pairs.length === 0) throw new Error('usage: registry-index.ts REFERENCE PLATFORM=REFERENCE...');
  const platforms = pairs.map((pair) => {
    const [platform, source] = pair.split('=');
    if (!platform || !source) throw new Error(`expected PLATFORM=REFERENCE, found ${pair}`);
    return { platform, reference: source };
  });
  const index = await putIndex(new RegistryClient((host) => registryAuth(host)), reference, platforms);
  process.stdout.write(`${index.digest}\n`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`registry-index: ${e.message}\n`);
  process.exit(1);
});
