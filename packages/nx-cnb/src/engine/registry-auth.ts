import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ExpectedError } from '../errors';
import { type CredentialSource, credentialSource, type RegistryAuth } from './credentials';

/** Credentials for a registry host from the user's Docker config (DOCKER_CONFIG or ~/.docker), or undefined for anonymous access. */
export async function registryAuth(host: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryAuth | undefined> {
  const file = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  let source: CredentialSource;
  try {
    source = credentialSource(text, host);
  } catch (e) {
    throw new ExpectedError(`${file}: (syntax): expected valid JSON, found ${(e as Error).message}`, { cause: e });
  }
  if (!source) return undefined;
  if (source.kind === 'basic') return { username: source.username, password: source.password, serveraddress: host };
  const helper = `docker-credential-${source.helper}`;
  // Loaded when first used: execa is an ES module, and most registries need no helper.
  const { execa } = await import('execa');
  const result = await execa(helper, ['get'], { input: host, reject: false });
  // A helper that knows nothing of the host answers with an error: anonymous access, as the docker CLI does.
  if (result.exitCode !== 0) return undefined;
  const { Username, Secret } = JSON.parse(result.stdout) as { Username: string; Secret: string };
  return { username: Username, password: Secret, serveraddress: host };
}
